"""Link's time and ours: the arithmetic between a Link session's beats and our positions,
and when each frame of a player is heard.

Times on the Link side are microseconds of Link's clock (on Linux CLOCK_MONOTONIC_RAW; a
session measures its offset from :func:`host_micros` anyway) and beats are floats, as Link
gives them; positions of ours stay exact :class:`~fractions.Fraction` quarter notes, and a
float from Link becomes one only through :func:`session_qpm` (the tempo) and
:func:`quantized` (a phase error).

- :func:`link_quantum`, :func:`session_qpm`, :func:`phase_error`, :func:`lead_in`,
  :func:`catch_up`; :class:`LinkState`, one reading of a session (its beat at a time, its
  tempo, peers, playing) with :meth:`LinkState.beat_at` and :meth:`LinkState.next_downbeat`.
- When each frame is heard, in host microseconds: :class:`FrameClock` (a line fitted to the
  sound card's clock) and :class:`FixedFrameClock` (a clock given: tests, first estimates).
"""

from __future__ import annotations

import dataclasses
import math
import sys
import time
from collections import deque
from fractions import Fraction
from typing import Protocol

import numpy as np

from theme.core.tempo import MAX_QPM, MIN_QPM, clamp_qpm

__all__ = [
    "CATCH_UP_RATIO",
    "PHASE_GRID",
    "TOLERANCE_SECONDS",
    "Clock",
    "FixedFrameClock",
    "FrameClock",
    "LinkState",
    "catch_up",
    "host_micros",
    "lead_in",
    "link_quantum",
    "phase_error",
    "quantized",
    "session_qpm",
]

TOLERANCE_SECONDS = Fraction(1, 4000)
"""A phase error up to this (seconds, 0.25 ms) is left alone; a larger one is caught up."""
CATCH_UP_RATIO = Fraction(1, 10)
"""A catch-up plays at most 10% faster or slower than the session, for as long as it takes
(0.2 quarter notes behind: 2.2 quarter notes at 110%)."""
PHASE_GRID = 1 << 24
"""A phase error from Link (a float) is rounded to 1/2**24 of a quarter note (30 ns at
120 BPM) before it becomes a Fraction, so that the tempo map's numbers stay small."""

_RAW = sys.platform.startswith("linux") and hasattr(time, "CLOCK_MONOTONIC_RAW")


def host_micros() -> float:
    """Microseconds of the host clock that Link reads on Linux (CLOCK_MONOTONIC_RAW);
    elsewhere of ``time.perf_counter`` (a session measures its offset from Link's clock)."""
    if _RAW:
        return time.clock_gettime_ns(time.CLOCK_MONOTONIC_RAW) / 1000
    return time.perf_counter_ns() / 1000


# -- pure arithmetic -----------------------------------------------------------------------


def link_quantum(bar_quarters: Fraction, meeting_every: Fraction | None = None) -> Fraction:
    """The quantum, in Link beats (quarter notes): one bar, or with a second meter the
    quarter notes between two meetings of the downbeats.

    >>> [str(link_quantum(Fraction(q))) for q in (5, Fraction(7, 2), 3, 4)]
    ['5', '7/2', '3', '4']
    >>> link_quantum(Fraction(5), Fraction(20))
    Fraction(20, 1)
    """
    return meeting_every if meeting_every is not None else bar_quarters


def session_qpm(bpm: float) -> Fraction:
    """The session's tempo (Link BPM, a float) as quarter notes a minute: the simplest
    number (whole, thirds, tenths, hundredths, thousandths) that Link would send as the same
    microseconds a beat (Link rounds a tempo to whole microseconds a beat), else Link's own
    number exactly; kept within the tempo range.

    >>> session_qpm(137.00006393336318), session_qpm(122.99997)
    (Fraction(137, 1), Fraction(123, 1))
    >>> session_qpm(133.33333333), session_qpm(99.95), session_qpm(9000.0)
    (Fraction(400, 3), Fraction(1999, 20), Fraction(2000, 1))
    """
    if not math.isfinite(bpm) or bpm <= 0:
        raise ValueError(f"invalid Link tempo {bpm!r}")
    micros = 60e6 / bpm
    low, high = 60e6 / (round(micros) + 0.5), 60e6 / (round(micros) - 0.5)
    for denominator in (1, 3, 10, 100, 1000):
        candidate = Fraction(round(bpm * denominator), denominator)
        if low <= candidate <= high:
            return clamp_qpm(candidate)
    return clamp_qpm(Fraction(60_000_000, round(micros)))  # Link's own number, exactly


def quantized(beats: float) -> Fraction:
    """A float number of beats from Link as an exact Fraction on a 1/2**24 grid.

    >>> quantized(0.25), quantized(-1.5)
    (Fraction(1, 4), Fraction(-3, 2))
    """
    return Fraction(round(beats * PHASE_GRID), PHASE_GRID)


def phase_error(position: Fraction, beat: float, quantum: Fraction) -> Fraction:
    """How far ``position`` (quarter notes after bar 1's downbeat) is ahead of the session's
    ``beat`` within a cycle of ``quantum`` beats: between -quantum/2 and quantum/2 (negative:
    behind), on the 1/2**24 grid.

    >>> phase_error(Fraction(10), 3.0, Fraction(5))    # a downbeat against phase 3: 2 ahead
    Fraction(2, 1)
    >>> phase_error(Fraction(10), 9.75, Fraction(5))
    Fraction(1, 4)
    >>> phase_error(Fraction(-2), 1.5, Fraction(7, 2))  # count-in: phase 1.5 of 3.5
    Fraction(0, 1)
    """
    difference = position - quantized(beat)
    return (difference + quantum / 2) % quantum - quantum / 2


def lead_in(position: Fraction, beat: float, quantum: Fraction, least: Fraction) -> Fraction:
    """Quarter notes of silence before ``position`` (quarter notes after bar 1's downbeat)
    so that it falls on its own phase of the session, whose beat is ``beat`` now: at least
    ``least`` quarter notes, less than ``least`` + ``quantum``.

    >>> lead_in(Fraction(0), 12.5, Fraction(5), Fraction(0))   # the next bar: at beat 15
    Fraction(5, 2)
    >>> round(float(lead_in(Fraction(0), 14.9, Fraction(5), Fraction(1, 2))), 6)  # beat 20
    5.1
    >>> lead_in(Fraction(-7), 0.0, Fraction(7, 2), Fraction(0))  # two bars of count-in
    Fraction(0, 1)
    """
    wait = (position - quantized(beat)) % quantum
    while wait < least:
        wait += quantum
    return wait


def catch_up(
    error: Fraction, qpm: Fraction, *, ratio: Fraction = CATCH_UP_RATIO
) -> tuple[Fraction, Fraction]:
    """``(quarter notes, tempo)``: a span played at that tempo (quarter notes a minute) that
    ends exactly on the session's time line, ``error`` quarter notes ahead of it now (negative:
    behind) at the session's ``qpm``; the tempo is at most ``ratio`` away from ``qpm``.

    In the time the span takes, the session moves span + error quarter notes:
    ``tempo = qpm * span / (span + error)``.

    >>> catch_up(Fraction(1, 20), Fraction(120))   # 1/20 ahead: 11/20 quarters at q=110
    (Fraction(11, 20), Fraction(110, 1))
    >>> span, tempo = catch_up(Fraction(-1, 100), Fraction(100))
    >>> span, tempo, 60 * span / tempo == 60 * (span - Fraction(1, 100)) / 100
    (Fraction(11, 100), Fraction(110, 1), True)
    """
    if error == 0:
        return Fraction(0), qpm
    span = abs(error) / ratio + abs(error)
    tempo = qpm * span / (span + error)
    return span, min(MAX_QPM, max(MIN_QPM, tempo))


@dataclasses.dataclass(frozen=True)
class LinkState:
    """One reading of a Link session: its ``beat`` (for our quantum) at ``micros`` of Link's
    clock, its tempo ``bpm`` (Link beats, quarter notes, a minute), the other programs in it
    (``peers``), whether it plays, and ``offset``: Link's clock minus :func:`host_micros`.

    Between two changes of tempo the session's beat is a straight line in time; a reading
    gives all of it.

    >>> s = LinkState(micros=1_000_000, beat=10.0, bpm=120.0)
    >>> s.beat_at(1_500_000), s.beat_at(0)
    (11.0, 8.0)
    >>> s.next_downbeat(Fraction(5), after=1_000_001)   # beat 15, 2.5 s later
    3500000.0
    >>> s.next_downbeat(Fraction(5), after=1_000_000)   # beat 10 is a downbeat: now
    1000000.0
    """

    micros: float
    beat: float
    bpm: float
    peers: int = 0
    playing: bool = False
    offset: float = 0.0

    def beat_at(self, micros: float) -> float:
        """The session's beat at ``micros`` of Link's clock."""
        return self.beat + (micros - self.micros) * self.bpm / 60e6

    def micros_at(self, beat: float) -> float:
        """When the session reaches ``beat`` (microseconds of Link's clock)."""
        return self.micros + (beat - self.beat) * 60e6 / self.bpm

    def next_downbeat(self, quantum: Fraction, *, after: float) -> float:
        """When the session's next cycle of ``quantum`` beats begins at or after ``after``
        (microseconds of Link's clock): the next bar's one."""
        beat = self.beat_at(after)
        return self.micros_at(math.ceil(beat / float(quantum) - 1e-9) * float(quantum))

    @property
    def qpm(self) -> Fraction:
        """The tempo as exact quarter notes a minute (:func:`session_qpm`)."""
        return session_qpm(self.bpm)


# -- when each frame is heard ---------------------------------------------------------------


class FrameClock:
    """When each frame is heard, in :func:`host_micros`: a straight line fitted (least
    squares) to the last ``keep`` observations of the frame at the speaker and the host
    time, read together (:meth:`observe`); before two observations a second apart, the
    sample rate's own slope from ``start`` (frame 0 heard at ``start`` microseconds).
    A sound card's clock runs a little fast or slow against the host's; the fit follows it.
    The audio side reads one tuple, swapped whole.
    """

    def __init__(self, rate: int, *, start: float, keep: int = 512):
        self.rate = rate
        self._points: deque[tuple[int, float]] = deque(maxlen=keep)
        self._line: tuple[float, float, float] = (0.0, start, 1e6 / rate)

    def observe(self, frame: int, micros: float) -> None:
        """The frame heard at ``micros`` (host microseconds)."""
        points = self._points
        if points and frame <= points[-1][0]:
            return  # the sound card has not moved (or restarted): nothing new
        points.append((frame, micros))
        nominal = 1e6 / self.rate
        n = len(points)
        both = np.fromiter((v for p in points for v in p), dtype=float, count=2 * n)
        frames, times = both[0::2], both[1::2]
        mean_f, mean_m = float(frames.mean()), float(times.mean())
        spread = points[-1][0] - points[0][0]
        slope = nominal
        if spread >= self.rate:
            df = frames - mean_f
            fitted = float(np.dot(df, times - mean_m) / np.dot(df, df))
            if abs(fitted / nominal - 1) < 0.01:  # a sound card is off by far less than 1%
                slope = fitted
        self._line = (mean_f, mean_m, slope)

    @property
    def observed(self) -> bool:
        """Whether the sound card's clock has been read yet (else: the first estimate)."""
        return bool(self._points)

    def micros_at(self, frame: int) -> float:
        """When ``frame`` is heard (host microseconds)."""
        frame0, micros0, slope = self._line
        return micros0 + (frame - frame0) * slope


class FixedFrameClock:
    """Frame 0 heard at ``start`` host microseconds, one frame every 1/``rate`` seconds: a
    sound card whose clock is the host's (tests, and the first estimate)."""

    def __init__(self, rate: int, *, start: float):
        self.rate = rate
        self.start = start

    def observe(self, frame: int, micros: float) -> None:
        """Observations change nothing: the clock is given."""

    def micros_at(self, frame: int) -> float:
        return self.start + frame * 1e6 / self.rate


class Clock(Protocol):
    def observe(self, frame: int, micros: float) -> None: ...

    def micros_at(self, frame: int) -> float: ...
