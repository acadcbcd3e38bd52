"""Following another program's MIDI clock (``theme metronome ... --clock-in PORT``).

A master (a DAW, a drum machine) sends 24 clocks a quarter note, Start, Stop, Continue and
Song Position Pointer. :class:`MidiClockSession` reads them from a MIDI input port and
gives, as a Link session does, a :class:`~theme.live.sync.link_time.LinkState`: the master's
beat at a time of the host clock, its tempo, whether it plays. So the companion that keeps a
player on a Link session (:class:`~theme.live.sync.follow.SyncCompanion`, its follower, the live
metronome's start and stop) keeps it on the master: its tempo, bar 1 on its song position
0 (the quantum is our bar), a pause when it stops, going on when it starts again.

Every other message (notes, controllers, system exclusive, active sensing) is ignored and
counted.

**Clocks are counted, and their times are fitted** (:class:`ClockGrid`): the n-th clock
since Start is song position n, whatever its arrival time; its time is where a straight
line through the last :data:`FIT_PULSES` clocks puts it. The line is robust: its slope is
the median of the slopes between clocks half the window apart, and the least-squares line
is then fitted to the clocks within a jitter bound of it only, so a burst of clocks that
arrive late together (a thread, or a JACK cycle, that was not scheduled) moves nothing. A
run of clocks all off the line to one side, on a line of their own, is a clock lost or
doubled on the way (the same slope, a whole period off: the count is mended; told in
:data:`RUN_CLOCKS` clocks where the jitter is narrow, in :data:`MEDIAN_RUN_CLOCKS` where
it is wide, not at all beyond :data:`MEND_SHARE` of a period) or a new tempo (the line
starts again from them). The times are those the MIDI
library stamped as each message came in (:class:`~theme.live.sync.midiports.StampedInput`),
not when Python read it; :class:`StampMap` puts them on the host clock.

The line starts again at Start and Continue (a master may set its clock's phase anew
there). The master plays for us only on a **steady clock**: :data:`STEADY_CLOCKS` clocks
on its line since then, at a tempo within 4 to 2000 quarter notes a minute (a clock outside that range is
shown, not followed). A master whose clock stops for :data:`STALE_SECONDS` is taken as
stopped; one whose port goes away ends the run (:meth:`MidiClockSession.check`).

The arithmetic (:meth:`MidiClockSession.receive`, :class:`ClockGrid`, :class:`StampMap`)
is pure and fed with times in tests; only :meth:`MidiClockSession.start` opens a port
(python-rtmidi, imported there).
"""

from __future__ import annotations

import statistics
import threading
from collections import deque
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from theme.core.tempo import MAX_QPM, MIN_QPM
from theme.errors import UsageError
from theme.live.sync.follow import SyncCompanion
from theme.live.sync.link_time import FrameClock, LinkState, host_micros, link_quantum
from theme.live.sync.midiports import StampedInput

__all__ = [
    "FIT_PULSES",
    "MAX_DELAY_MS",
    "MEDIAN_RUN_CLOCKS",
    "MEND_SHARE",
    "PULSES_PER_QUARTER",
    "RUN_CLOCKS",
    "STEADY_CLOCKS",
    "TEMPO_STEADY_BPM",
    "TOLERANCE_SECONDS",
    "ClockGrid",
    "MidiClockSession",
    "StampMap",
    "fit_line",
    "metronome_clock_in",
    "robust_line",
]

PULSES_PER_QUARTER = 24
"""MIDI clocks a quarter note."""
FIT_PULSES = 96
"""Clocks the tempo and the beat are fitted to (four quarter notes)."""
TEMPO_STEADY_BPM = 0.1
"""The tempo given moves only when the fitted one is further than this from it (quarter
notes a minute); the beat line follows the fit anyway."""
MIN_FIT = 6
"""Clocks needed before a line is fitted (a quarter of a quarter note)."""
STEADY_CLOCKS = 12
"""Clocks on the line before the master is followed (half a quarter note)."""
RUN_CLOCKS = 8
"""Clocks in a row off the line to one side that make a lost or doubled clock, or a new
tempo."""
RETEMPO_SHARE = 0.01
"""A run of clocks on a line of their own whose tempo is this share or more off the line's
(and more than their jitter lets eight clocks tell: 0.154 of the bound a clock, three
and a half deviations of the slope of eight) starts the line again from them."""
JITTER_MICROS = 3000.0
"""Arrivals this far off the line (microseconds), or further if their own spread says so,
are on it; further off (a late burst) they are left out of the fit (:func:`jitter_bound`)."""
PERIOD_SHARE = 0.45
"""The jitter bound's largest share of a clock's period: a clock lost or doubled (a whole
period off) is always off the line."""
SHORT_RUN_SHARE = 0.3
"""The widest jitter bound (a share of a clock's period) at which :data:`RUN_CLOCKS` clocks
off the line tell a clock lost or doubled from a new tempo (a clock lost moves them a whole
period, a new tempo makes them drift; eight clocks tell a drift of 0.154 of the bound a
clock)."""
MEDIAN_RUN_CLOCKS = 16
"""Clocks in a row off the line that tell a clock lost or doubled, by their median and their
slope, where the jitter bound is wider (a JACK period and jitter together, on a loaded
machine): sixteen clocks tell a drift of 0.054 of the bound a clock."""
MEND_SHARE = 0.6
"""The widest jitter bound (a share of a clock's period) at which a clock lost or doubled is
told at all (wider, the clocks a whole period off are not off the line by more than the
jitter)."""
MEDIAN_SHARE = 0.2
"""How far from a whole number of periods the median of such a run may lie (a share of a
period)."""
GAP_SECONDS = 2.0
"""A clock this long after the one before (seconds) starts a new line: the master paused
its clock."""
STALE_SECONDS = 1.0
"""No clock for this long (seconds, or four periods if longer) while playing: the master
has stopped without saying so; the metronome pauses."""
STAMP_WINDOW_SECONDS = 2.0
"""The reads over which :class:`StampMap` takes its tightest offset (seconds)."""
TOLERANCE_SECONDS = Fraction(1, 1000)
"""A phase error of the player against the master's fitted beat up to this (seconds) is
left alone: the fit itself moves about that much with each clock under +-2 ms of jitter,
and a catch-up for less would only follow its noise."""
MAX_DELAY_MS = 500
"""The largest delay of an incoming clock's path that ``--clock-in-delay`` takes (ms)."""


def fit_line(points: list[tuple[int, float]]) -> tuple[float, float]:
    """The least-squares line through ``(clock number, microseconds)``: ``(microseconds at
    clock 0, microseconds a clock)``.

    >>> fit_line([(0, 1000.0), (1, 1500.0), (2, 2000.0)])
    (1000.0, 500.0)
    >>> fit_line([(10, 0.0), (11, 600.0), (12, 1000.0), (13, 1600.0)])  # jittered: 520 a clock
    (-5180.0, 520.0)
    """
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    sxx = sum((x - mean_x) ** 2 for x, _ in points)
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in points)
    slope = sxy / sxx
    return mean_y - slope * mean_x, slope


def jitter_bound(spread: float, per_clock: float) -> float:
    """How far off the line (microseconds) an arrival may be and still be on it:
    :data:`JITTER_MICROS`, or 3.5 deviations of the arrivals' own ``spread`` (their median
    distance from the line) if that is more; but no more than :data:`PERIOD_SHARE` of a
    clock's period unless their spread itself asks for more (then a clock lost or doubled
    is told only by a longer run's median, and not at all beyond :data:`MEND_SHARE` of a
    period).

    >>> jitter_bound(1000.0, 20_000.0), jitter_bound(1000.0, 10_000.0)  # +-2 ms
    (5189.1, 5189.1)
    >>> jitter_bound(5000.0, 20_000.0)  # a JACK period as long as a clock: +-10 ms
    25945.5
    """
    own = round(3.5 * 1.4826 * spread, 1)
    if per_clock <= 0:
        return max(JITTER_MICROS, own)
    return min(max(JITTER_MICROS, own), max(PERIOD_SHARE * per_clock, own))


def robust_line(
    points: list[tuple[int, float]], prior: tuple[float, float, float] | None = None
) -> tuple[float, float, float]:
    """``(microseconds at clock 0, microseconds a clock, bound)``: the least-squares line
    through the points within ``bound`` microseconds (:func:`jitter_bound`) of a first
    line. The first line is ``prior`` (the line before, with its bound) if at least half
    the points are within its bound; else a robust line of the points alone: the median
    slope between points half the list apart, the median intercept. Points off it by more
    (a late burst) move nothing.

    >>> points = [(k, 1000.0 * k) for k in range(20)]
    >>> points[12] = (12, 90_000.0)   # one clock late by 78 ms
    >>> robust_line(points)[:2]
    (0.0, 1000.0)
    """
    xs, ys = _arrays(points)
    return _robust_line(xs, ys, prior)


def _robust_line(
    xs: np.ndarray, ys: np.ndarray, prior: tuple[float, float, float] | None
) -> tuple[float, float, float]:
    """:func:`robust_line` on arrays."""
    n = len(xs)
    at_zero, slope, bound = prior if prior is not None else (0.0, 0.0, 0.0)
    kept = 0
    if prior is not None:
        kept = int(np.count_nonzero(np.abs(ys - at_zero - slope * xs) <= bound))
    if kept < max(MIN_FIT, n // 2):
        half = max(1, n // 2)
        slope = _median((ys[half:] - ys[:-half]) / (xs[half:] - xs[:-half]))
        at_zero = _median(ys - slope * xs)
    for _ in range(2):  # the bound from the spread of all the points about the line
        distance = np.abs(ys - at_zero - slope * xs)
        bound = jitter_bound(_median(distance), slope)
        on = distance <= bound
        if np.count_nonzero(on) < max(2, n // 2) or xs[on][-1] == xs[on][0]:
            break
        at_zero, slope = _least_squares(xs[on], ys[on])
    return at_zero, slope, bound


def _median(values: np.ndarray) -> float:
    """The median of an array (numpy's own costs ten times more on a hundred values).

    >>> _median(np.array([3.0, 1.0, 2.0])), _median(np.array([4.0, 1.0, 3.0, 2.0]))
    (2.0, 2.5)
    """
    half = values.size // 2
    part = np.partition(values, half)
    if values.size % 2:
        return float(part[half])
    return float((part[half] + part[:half].max()) / 2)


def _arrays(points: list[tuple[int, float]]) -> tuple[np.ndarray, np.ndarray]:
    """The clock numbers and the times of ``points`` as arrays of floats."""
    both = np.fromiter(
        (value for point in points for value in point), dtype=float, count=2 * len(points)
    ).reshape(-1, 2)
    return both[:, 0], both[:, 1]


def _least_squares(xs: np.ndarray, ys: np.ndarray) -> tuple[float, float]:
    """:func:`fit_line` on arrays."""
    mean_x, mean_y = xs.mean(), ys.mean()
    dx = xs - mean_x
    slope = float(np.dot(dx, ys - mean_y) / np.dot(dx, dx))
    return float(mean_y - slope * mean_x), slope


class ClockGrid:
    """The master's clocks, counted, and the straight line of their times (see the module
    docstring). :meth:`add` a clock's time (microseconds), then :meth:`fit`; :attr:`count`
    is the last clock's number (mended for clocks lost or doubled: :attr:`lost`,
    :attr:`doubled`), :meth:`micros_of` a clock's time on the line, :attr:`qpm` the tempo.

    >>> grid = ClockGrid()
    >>> for k in range(100):
    ...     grid.add(1e6 + 20_000.0 * k + (900 if k % 2 else -900))   # jitter 0.9 ms
    >>> grid.fit(); grid.count, round(grid.qpm, 1), round(grid.micros_of(99) / 1000)  # ms
    (99, 125.0, 2980)
    >>> for k in range(101, 130):   # clock 100 lost on the way
    ...     grid.add(1e6 + 20_000.0 * k)
    ...     grid.fit()
    >>> grid.count, grid.lost, round(grid.micros_of(129) / 1000)
    (129, 1, 3580)
    """

    def __init__(self, window: int = FIT_PULSES):
        self.window = window
        self.count = -1
        self.points: deque[tuple[int, float]] = deque()
        self.lost = 0
        """Clocks lost on the way (the count mended)."""
        self.doubled = 0
        """Clocks that came twice (the count mended)."""
        self.retempos = 0
        """Lines started again at a new tempo."""
        self.line: tuple[float, float] | None = None
        self.bound = JITTER_MICROS
        """How far off the line an arrival may be and be on it (:func:`jitter_bound`)."""
        self.inliers = 0
        """Clocks of the window on the line."""
        self.young_slope: float | None = None  # the tempo a young line keeps

    def add(self, micros: float) -> None:
        """One clock at ``micros``."""
        if self.points and micros - self.points[-1][1] > GAP_SECONDS * 1e6:
            self.points.clear()
            self.line = None
        self.count += 1
        self.points.append((self.count, micros))
        while len(self.points) > self.window:
            self.points.popleft()

    def restart(self) -> None:
        """Start a new line from the next clock (the count goes on). A young line keeps the
        tempo of the one before (if it was long enough to tell it) until it is half a window
        long itself: only its phase is fitted (a JACK period near a clock's makes a short
        line's own tempo a percent or two off)."""
        if self.line is not None and len(self.points) >= self.window // 2:
            self.young_slope = self.line[1]
        self.points.clear()
        self.line, self.inliers = None, 0

    @property
    def last_micros(self) -> float | None:
        """The last clock's time as it came (not fitted)."""
        return self.points[-1][1] if self.points else None

    @property
    def qpm(self) -> float | None:
        """The tempo of the line (quarter notes a minute; None before a line)."""
        if self.line is None or self.line[1] <= 0:
            return None
        return 60e6 / (self.line[1] * PULSES_PER_QUARTER)

    @property
    def steady(self) -> bool:
        """A line of :data:`STEADY_CLOCKS` clocks at a tempo of 4 to 2000."""
        qpm = self.qpm
        return (
            qpm is not None
            and self.inliers >= STEADY_CLOCKS
            and float(MIN_QPM) <= qpm <= float(MAX_QPM)
        )

    def micros_of(self, count: int) -> float:
        """The time of clock ``count`` on the line (microseconds)."""
        assert self.line is not None
        return self.line[0] + self.line[1] * count

    def fit(self) -> None:
        """Fit the line again, mending the count or starting again at a new tempo when the
        last clocks say so. The last clocks off the line to one side are left out of the
        line (they may be a clock lost, a new tempo, or a late burst: the line before them
        holds until they say which)."""
        for _ in range(3):  # a mend, then at most one more look
            points = list(self.points)
            if len(points) < MIN_FIT:
                self.line, self.inliers = None, 0
                return
            if self.young_slope is not None and len(points) >= self.window // 2:
                self.young_slope = None
            prior = None if self.line is None else (*self.line, self.bound)
            xs, ys = _arrays(points)
            if self.young_slope is not None:
                at_zero, slope, bound = _phase_only(points, self.young_slope)
            else:
                # in a full window, a run of last clocks off the line before, to one side,
                # is left out of the spread that sets the bound while it may yet be told a
                # clock lost (else the run widens the bound to let itself in before it can
                # tell); a longer run is let in as before
                held = 0
                if prior is not None and len(points) >= self.window:
                    held = _run_off(ys - prior[0] - prior[1] * xs, prior[2])
                keep = len(points) - held if held <= 2 * MEDIAN_RUN_CLOCKS else len(points)
                at_zero, slope, bound = _robust_line(xs[:keep], ys[:keep], prior)
            residuals = ys - at_zero - slope * xs
            run = _run_off(residuals, bound)
            if run and len(points) - run >= MIN_FIT and self.young_slope is None:
                at_zero, slope, bound = _robust_line(xs[:-run], ys[:-run], prior)
                residuals = ys - at_zero - slope * xs
            self.line, self.bound = (at_zero, slope), bound
            self.inliers = int(np.count_nonzero(np.abs(residuals) <= bound))
            if run < RUN_CLOCKS or not self._mend(points, residuals.tolist(), bound, slope):
                return

    def _mend(
        self, points: list[tuple[int, float]], residuals: list[float], bound: float, slope: float
    ) -> bool:
        """Mend the count, or start the line again, from the run of last clocks off the line
        to one side; True if something changed."""
        if slope <= 0:
            return False
        run = _run_off(residuals, bound)
        if run < RUN_CLOCKS or run == len(points):
            return False
        # a full window (whose spread shows a JACK period near a clock's: two clocks in one
        # cycle now and then, as a doubled clock would look); a run long enough for its
        # jitter to tell a whole period and a new tempo from it: eight clocks where the
        # bound is at most SHORT_RUN_SHARE of a period, else sixteen
        least = RUN_CLOCKS if bound <= SHORT_RUN_SHARE * slope + 1e-6 else MEDIAN_RUN_CLOCKS
        mend = None
        if len(points) >= self.window and bound <= MEND_SHARE * slope:
            mend = _whole_periods_off(points[-run:], residuals[-run:], slope, bound, least)
        if mend is not None:
            shift, moved = mend  # moved: the clocks after the one lost or doubled
            if shift > 0:
                self.lost += shift
            else:
                self.doubled -= shift
            self.count += shift
            mended = [(x + shift, y) for x, y in points[-moved:]]
            self.points = deque(points[:-moved] + mended)
            return True
        tail = points[-RUN_CLOCKS:]  # the last of the run: older ones may be a late burst
        own_zero, own_slope = fit_line(tail)
        if any(abs(y - own_zero - own_slope * x) > bound / 2 for x, y in tail):
            return False  # not a line: a late burst, left out of the fit
        period_low = 60e6 / (float(MAX_QPM) * PULSES_PER_QUARTER)
        period_high = 60e6 / (float(MIN_QPM) * PULSES_PER_QUARTER)
        if not period_low <= own_slope <= period_high:
            return False  # clocks bunched together: a late burst
        # the same tempo (within what eight jittered clocks can tell) a whole period off,
        # not mended: the fit decides
        if abs(own_slope - slope) < max(RETEMPO_SHARE * slope, 0.154 * bound):
            return False
        # a new tempo leaves the line where it begins: the two lines cross near the run's
        # start (a jump, as of stamps quantized to a JACK period near a clock's, does not)
        at_zero = points[-1][1] - residuals[-1] - slope * points[-1][0]
        crossing = (at_zero - own_zero) / (own_slope - slope)
        # the first clock off the line comes bound / (the slopes' difference) after it
        drift = bound / abs(own_slope - slope)
        if not points[-run][0] - drift - 2 <= crossing <= tail[0][0]:
            return False
        self.retempos += 1
        self.points, self.line, self.young_slope = deque(tail), None, None
        return True


def _whole_periods_off(
    run: list[tuple[int, float]],
    residuals: list[float],
    slope: float,
    bound: float,
    least: int = RUN_CLOCKS,
) -> tuple[int, int] | None:
    """How many whole clock periods a run of clocks off the line lies off it (a clock lost:
    1, doubled: -1), and how many of its last clocks lie so (those after the one lost or
    doubled); None if the run does not say: the median of its last ``least``
    clocks within :data:`MEDIAN_SHARE` of a period of a whole number of periods, and at
    least ``least`` last clocks within ``bound`` of it on a line of their own at the line's
    tempo (a new tempo drifts off it: their slope is held to 3.5 deviations of the slope
    of that many clocks, ``bound`` being 3.5 deviations of a clock).

    >>> period, bound = 16_667.0, 9_000.0   # 150 BPM; a loaded machine's jitter
    >>> lost = [(k - 1, period * k + (2_000.0 if k % 2 else -2_500.0)) for k in range(16)]
    >>> _whole_periods_off(lost, [y - period * x for x, y in lost], period, bound, 16)
    (1, 16)
    >>> slower = [(k, 10_000.0 + period * 1.04 * k) for k in range(16)]  # a new tempo, 4% slower
    >>> _whole_periods_off(slower, [y - period * x for x, y in slower], period, bound, 16) is None
    True
    """
    if len(run) < least or slope <= 0:
        return None
    middle = statistics.median(residuals[-least:])
    shift = round(middle / slope)
    if shift == 0 or abs(middle - shift * slope) > MEDIAN_SHARE * slope:
        return None
    n = 0  # the last clocks of the run a whole number of periods off (not a burst before)
    for r in reversed(residuals):
        if abs(r - shift * slope) > bound:
            break
        n += 1
    if n < least:
        return None
    _, own_slope = fit_line(run[-n:])
    slope_deviation = bound / 3.5 * (12 / (n * (n * n - 1))) ** 0.5
    if abs(own_slope - slope) > max(RETEMPO_SHARE * slope, 3.5 * slope_deviation):
        return None
    return shift, n


def _phase_only(points: list[tuple[int, float]], slope: float) -> tuple[float, float, float]:
    """``(microseconds at clock 0, slope, bound)``: the line of a known slope through the
    points within the bound of their median.

    >>> _phase_only([(0, 10.0), (1, 10_012.0), (2, 20_008.0), (3, 90_000.0)], 10_000.0)
    (10.0, 10000.0, 3000.0)
    """
    xs, ys = _arrays(points)
    residuals = ys - slope * xs
    middle = _median(residuals)
    distance = np.abs(residuals - middle)
    bound = jitter_bound(_median(distance), slope)
    return float(residuals[distance <= bound].mean()), slope, bound


def _run_off(residuals: Sequence[float] | np.ndarray, bound: float) -> int:
    """How many of the last residuals are off by more than ``bound``, all to one side.

    >>> _run_off([0.0, 1.0, 5.0, 6.0], 2.0), _run_off([5.0, -6.0], 2.0), _run_off([1.0], 2.0)
    (2, 1, 0)
    """
    side = 1 if len(residuals) and residuals[-1] > 0 else -1
    run = 0
    for r in residuals[::-1]:
        if r * side <= bound:
            break
        run += 1
    return run


class StampMap:
    """Puts the MIDI library's stamps (microseconds of its own clock) on the host clock
    (:func:`~theme.live.sync.link_time.host_micros`): a message is read after it was stamped, so
    the read time minus the stamp is at least the offset between the clocks, and the
    smallest of the last :data:`STAMP_WINDOW_SECONDS` of reads is the offset (it follows a
    drift of one clock against the other, and heals a stamp lost with a dropped message).

    >>> stamps = StampMap()
    >>> stamps.read(stamp=1000, read_micros=5_003_500.0)
    >>> stamps.read(stamp=21000, read_micros=5_020_200.0)   # read 200 us after its stamp
    >>> stamps.offset, stamps.host(41000)
    (4999200.0, 5040200.0)
    """

    def __init__(self) -> None:
        self._reads: deque[tuple[float, float]] = deque()
        self.offset = 0.0

    def read(self, *, stamp: int, read_micros: float) -> None:
        """The message stamped ``stamp`` was read at ``read_micros`` (host)."""
        reads = self._reads
        reads.append((read_micros, read_micros - stamp))
        while reads and reads[0][0] < read_micros - STAMP_WINDOW_SECONDS * 1e6:
            reads.popleft()
        self.offset = min(candidate for _, candidate in reads)

    def host(self, stamp: float) -> float:
        """The host microseconds of a stamp."""
        return stamp + self.offset


_KINDS = {0xF8: "clock", 0xFA: "start", 0xFB: "continue", 0xFC: "stop", 0xF2: "songpos"}


class MidiClockSession:
    """A MIDI clock master as a session to follow (the interface of
    :class:`~theme.live.sync.link_session.LinkSession` that :class:`~theme.live.sync.follow.SyncCompanion`
    uses). ``port`` names the MIDI input (a part of its name will do); ``bpm`` (quarter
    notes a minute) stands until the master's clocks give its tempo; ``quantum`` is our bar
    in quarter notes: the master's song position 0, and every ``quantum`` quarter notes
    after it, is our bar's one. ``delay_ms``: the master's clock comes this late on its way
    (its path's constant delay, a DAW's "MIDI clock delay"): its beats are taken that much
    earlier.

    :attr:`state` is replaced whole at each message (never changed in place): what the
    audio side reads. ``peers`` is 1 while clocks come (the master), else 0. Our own tempo
    keys and pause change nothing of the master's: it sets the tempo, start and stop.

    Raises:
        MidiDeviceError: (from :meth:`start`) no python-rtmidi, or no such port (the ports
            there are are listed).
    """

    def __init__(
        self, port: str, *, bpm: Fraction | float, quantum: Fraction, delay_ms: float = 0.0
    ):
        self.port_name = port
        self.quantum = quantum
        self.tolerance_seconds = TOLERANCE_SECONDS
        self.delay_micros = delay_ms * 1e3
        self.state = LinkState(micros=host_micros(), beat=0.0, bpm=float(bpm))
        self.ignored = 0
        """Messages that were not clock, Start, Stop, Continue or Song Position."""
        self.clocks = 0
        """Clocks received."""
        self.grid = ClockGrid()
        self.stamps = StampMap()
        self.start_heard = False
        """Whether a Start or a Continue has come since the port was opened."""
        self._running = False
        self._base = 0  # the grid's count of song position 0 while running
        self._next_position = 0  # the song position (clocks) of the next clock to run
        self._since_run = 0  # clocks since Start or Continue
        self._lock = threading.Lock()
        self._input: Any = None  # a theme.live.sync.midiports.StampedInput, once started
        self.name = port

    # -- the arithmetic (pure: times given) ------------------------------------------------

    def receive(self, kind: str, micros: float, *, position: int = 0) -> None:
        """One message of ``kind`` (mido's type: ``clock``, ``start``, ``stop``,
        ``continue``, ``songpos`` with ``position`` in sixteenths) stamped ``micros`` (the
        library's clock: :attr:`stamps` puts it on the host's; in tests, the host's
        itself); any other kind is ignored. The state is read again."""
        with self._lock:
            if self._take(kind, micros, position):
                self._publish(micros)

    def _take(self, kind: str, micros: float, position: int) -> bool:
        """One message; False if it was ignored."""
        grid = self.grid
        if kind == "clock":
            self.clocks += 1
            grid.add(micros)
            if self._running:
                self._since_run += 1
        elif kind in ("start", "continue"):  # the next clock is song position 0, or goes on
            if kind == "start":
                self._next_position = 0
            if not self._running:  # a master may set its clock on its Start: a new line
                grid.restart()
                self._base = grid.count + 1 - self._next_position
            self._running, self._since_run, self.start_heard = True, 0, True
        elif kind == "stop":
            if self._running:
                self._next_position = grid.count + 1 - self._base
            self._running = False
        elif kind == "songpos":  # sixteenths: six clocks each
            self._next_position = position * (PULSES_PER_QUARTER // 4)
            if self._running:  # a master that moves while playing: the next clock is there
                self._base = grid.count + 1 - self._next_position
                self._since_run = 0
        else:
            self.ignored += 1
            return False
        return True

    def _publish(self, now_stamp: float) -> None:
        """Replace :attr:`state` from the grid (under the lock)."""
        grid = self.grid
        grid.fit()
        bpm = self.state.bpm
        qpm = grid.qpm
        steady = grid.steady
        if steady and qpm is not None and abs(qpm - bpm) > TEMPO_STEADY_BPM:
            bpm = round(qpm, 2)
        playing = self._running and self._since_run > 0 and steady
        shift = self.stamps.offset - self.delay_micros
        if playing:
            micros = grid.micros_of(grid.count) + shift
            beat = (grid.count - self._base) / PULSES_PER_QUARTER
        else:
            micros = now_stamp + shift
            beat = self.state.beat_at(micros)
        self.state = LinkState(
            micros=micros,
            beat=beat,
            bpm=bpm,
            peers=1 if grid.last_micros is not None else 0,
            playing=playing,
        )

    def stale(self, now_stamp: float) -> bool:
        """Whether the last clock is older than :data:`STALE_SECONDS` (or four periods) at
        ``now_stamp`` (the library's clock)."""
        last = self.grid.last_micros
        if last is None:
            return True
        period = self.grid.line[1] if self.grid.line is not None else 0.0
        return now_stamp - last > max(STALE_SECONDS * 1e6, 4 * period)

    def look(self, now_stamp: float) -> None:
        """Time passes without messages: a master playing whose clock has stopped is taken
        as stopped."""
        with self._lock:
            if self._running and self.state.playing and self.stale(now_stamp):
                self._running = False
                self._next_position = self.grid.count + 1 - self._base
                self._publish(now_stamp)

    # -- the session's interface -------------------------------------------------------------

    @property
    def started(self) -> bool:
        """Whether :meth:`start` has run."""
        return self._input is not None

    def start(self) -> MidiClockSession:
        """Open the port and listen (:class:`~theme.live.sync.midiports.StampedInput`: the
        library's stamps, read on a thread of its own).

        Raises:
            MidiDeviceError: no python-rtmidi, or no such port.
        """
        if self._input is None:
            self._input = StampedInput(self.port_name, self._received)
            self.name = self._input.name
        return self

    def _received(self, messages: list[tuple[list[int], int]], read_micros: float) -> None:
        """Messages read from the port (the reader's thread): taken in order, the state
        read once."""
        stamps = self.stamps
        with self._lock:
            taken = False
            for data, stamp in messages:
                kind = _KINDS.get(data[0], "other") if data else "other"
                position = data[1] | data[2] << 7 if kind == "songpos" and len(data) > 2 else 0
                taken = self._take(kind, stamp, position) or taken
            if messages:
                stamps.read(stamp=messages[-1][1], read_micros=read_micros)
            now_stamp = read_micros - stamps.offset
            if taken:
                self._publish(now_stamp)
        if not messages:
            self.look(now_stamp)

    def set_playing(self, playing: bool) -> None:
        """The master starts and stops: ours changes nothing of it."""

    def set_tempo(self, qpm: Fraction) -> None:
        """The master sets the tempo: ours changes nothing of it."""

    def request_beat(self, beat: float) -> None:
        """The master's song position is its own: nothing to move."""

    def describe(self, *, waiting: bool = False) -> str:
        """One line for the display: the port, the master's tempo and whether it plays, or
        why it is not followed; ``waiting``: the player's silent lead-in waits for the
        master's next bar."""
        state, grid = self.state, self.grid
        last = grid.last_micros
        qpm = grid.qpm
        now = host_micros() - self.stamps.offset
        if last is None or now - last > GAP_SECONDS * 1e6:
            doing = "no clock coming"
        elif qpm is None:
            doing = "reading its clock"
        elif not float(MIN_QPM) <= qpm <= float(MAX_QPM):
            doing = (
                f"its clock is {qpm:.4g} BPM, outside the {MIN_QPM} to {MAX_QPM} followed: "
                "not followed"
            )
        elif not grid.steady:
            doing = f"about {qpm:.1f} BPM, waiting for a steady clock"
        elif state.playing:
            doing = f"{state.bpm:g} BPM, playing"
        elif self._running:
            doing = f"{state.bpm:g} BPM, starting"
        elif not self.start_heard:
            doing = (
                f"{state.bpm:g} BPM, waiting for its Start (already playing? "
                "stop and start it, or send Song Position and Continue)"
            )
        else:
            doing = f"{state.bpm:g} BPM, waiting for its Start"
        line = f"MIDI clock in {self.name!r}: {doing}"
        return line + "  (waiting for its next bar)" if waiting else line

    def check(self) -> None:
        """Raise if the master's port has gone away (looked for every
        :data:`theme.live.sync.midiports.WATCH_SECONDS`).

        Raises:
            MidiPortLostError: the port went away (its program ended, a cable pulled).
        """
        if self._input is not None:
            self._input.check()

    def close(self) -> None:
        """Close the port (a second close does nothing)."""
        stamped, self._input = self._input, None
        if stamped is not None:
            stamped.close()

    def __enter__(self) -> MidiClockSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def metronome_clock_in(
    metronome: Any, port: str, *, clock: Any = None, delay_ms: float = 0.0
) -> SyncCompanion:
    """A companion that keeps ``metronome`` (a :class:`theme.metronome.Metronome`) on the
    MIDI clock coming in at ``port`` (not opened yet: :meth:`MidiClockSession.start`): the
    master's tempo (the metronome's until its clocks come), our bar's one on its song
    position 0 and every bar after it; ``delay_ms``: the clock's path delay
    (:class:`MidiClockSession`).

    Raises:
        UsageError: a ramp or an accelerando (the master sets the tempo).
    """

    if metronome.ramp is not None or metronome.accel is not None:
        raise UsageError("a MIDI clock master sets the tempo: leave out --ramp and --accel")
    quantum = link_quantum(metronome.bar_quarters, metronome.meeting_every)
    session = MidiClockSession(port, bpm=metronome.tempo.qpm, quantum=quantum, delay_ms=delay_ms)
    return SyncCompanion(session, start=metronome.start, clock=clock or FrameClock)
