"""Ableton Link: playing in time with the other programs of a Link session on the network.

A Link session shares a tempo, a time line of beats, and whether its programs play (start
and stop). What a beat is, is each program's choice. Here **one Link beat is one quarter
note**, the note every tempo of this package counts, so Link's BPM is our quarter notes a
minute (``q=``): a 7/8 metronome at ``e=280`` shows the session 140 BPM, as a MIDI file or a
sequencer that counts quarter notes would. The **quantum**, the beats of the cycle whose
phase the peers share, is the bar's length in quarter notes: 5 for 5/4, 3.5 for 7/8, 3 for
6/8; against a second meter, the quarter notes between two meetings of the downbeats (20
for 5/4 against 4/4), so that both meters' downbeats fall on the session's phase. Bar 1's
downbeat is phase 0: against a program in 4/4 with quantum 4, a 5/4 bar's one meets its
bar's one every 20 quarter notes, as ``--vs 4/4`` shows.

Times on the Link side are microseconds of Link's clock (on Linux CLOCK_MONOTONIC_RAW; a
session measures its offset from :func:`host_micros` anyway), beats are floats, as Link
gives them; positions of ours stay exact :class:`~fractions.Fraction` quarter notes, and a
float from Link becomes one only through :func:`session_qpm` (the tempo) and
:func:`quantized` (a phase error).

- Pure arithmetic: :func:`link_quantum`, :func:`session_qpm`, :func:`phase_error`,
  :func:`lead_in`, :func:`catch_up`, :class:`LinkState` (one reading of the session: its
  beat at a time, its tempo, peers, playing) with :meth:`LinkState.beat_at` and
  :meth:`LinkState.next_downbeat`.
- When each frame is heard, in host microseconds: :class:`FrameClock` (a line fitted to the
  sound card's clock) and :class:`FixedFrameClock` (a clock given, for tests).
- :class:`LinkSession`: aalink on a thread of its own with its own asyncio loop; the audio
  side reads :attr:`LinkSession.state`, a frozen snapshot, and never calls aalink.
- :class:`LinkFollower`: per rendered block, what the player must change so that the
  music keeps the session's tempo and phase (a tempo, or a short catch-up).

aalink is imported only when a session starts.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import dataclasses
import datetime
import math
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Protocol

from theme.core.tempo import MAX_QPM, MIN_QPM, Tempo, clamp_qpm
from theme.errors import DeviceError

if TYPE_CHECKING:
    from theme.core.timeline import Event, Layer, Timeline
    from theme.live.playback import Player
    from theme.live.sinks import Sink

__all__ = [
    "CATCH_UP_RATIO",
    "NO_AALINK",
    "TOLERANCE_SECONDS",
    "FixedFrameClock",
    "FrameClock",
    "LinkCompanion",
    "LinkError",
    "LinkFollower",
    "LinkSession",
    "LinkState",
    "Nudge",
    "catch_up",
    "host_micros",
    "lead_in",
    "link_quantum",
    "linked_line",
    "metronome_link",
    "phase_error",
    "play_linked",
    "quantized",
    "require_aalink",
    "session_qpm",
    "timeline_events",
    "timeline_link",
]

NO_AALINK = "Ableton Link needs the optional package aalink: uv sync --extra sync"
TOLERANCE_SECONDS = Fraction(1, 4000)
"""A phase error up to this (seconds, 0.25 ms) is left alone; a larger one is caught up."""
CATCH_UP_RATIO = Fraction(1, 10)
"""A catch-up plays at most 10% faster or slower than the session, for as long as it takes
(0.2 quarter notes behind: 2.2 quarter notes at 110%)."""
LEAD_IN_SECONDS = Fraction(3, 10)
"""The least silence before the first click (seconds): room for the first estimate of when
the sound card plays a frame to be corrected (the player renders 171 ms ahead) before
anything sounds."""
DISCOVERY_SECONDS = 0.5
"""How long a session that starts looks for other programs before it goes on alone
(seconds), and then for the sessions to become one: the session found is joined before
anything is played."""
BIG_ERROR = Fraction(1, 4)
"""A phase error beyond this (quarter notes: the session jumped, as when a program whose
session is older joins) is caught up at up to 50% off the tempo, not 10%; so is any in the
silent lead-in."""
OBSERVE_MICROS = 300
"""A reading of the sound card's clock that took longer (microseconds) is left out."""
REFRESH_SECONDS = 0.05
"""How often the session thread reads the session again (seconds): Link's clock estimate
moves a little; the tempo, peers and start/stop also come through Link's callbacks."""
PHASE_GRID = 1 << 24
"""A phase error from Link (a float) is rounded to 1/2**24 of a quarter note (30 ns at
120 BPM) before it becomes a Fraction, so that the tempo map's numbers stay small."""

_MICROSECOND = datetime.timedelta(microseconds=1)
_RAW = sys.platform.startswith("linux") and hasattr(time, "CLOCK_MONOTONIC_RAW")


class LinkError(DeviceError):
    """Link is not available (aalink is not installed) or its session failed to start."""


def require_aalink() -> None:
    """Check that aalink can be imported (imported here, and only here, before a session).

    Raises:
        LinkError: aalink is not installed.
    """
    try:
        import aalink  # noqa: F401
    except ImportError as err:
        raise LinkError(NO_AALINK) from err


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

    >>> catch_up(Fraction(1, 20), Fraction(120))   # 1/20 ahead: 21/20 quarters at q=114.55
    (Fraction(21, 20), Fraction(1260, 11))
    >>> span, tempo = catch_up(Fraction(-1, 100), Fraction(100))
    >>> span, tempo, 60 * span / tempo == 60 * (span - Fraction(1, 100)) / 100
    (Fraction(21, 100), Fraction(105, 1), True)
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
        mean_f = sum(p[0] for p in points) / n
        mean_m = sum(p[1] for p in points) / n
        spread = points[-1][0] - points[0][0]
        slope = nominal
        if spread >= self.rate:
            sff = sum((p[0] - mean_f) ** 2 for p in points)
            sfm = sum((p[0] - mean_f) * (p[1] - mean_m) for p in points)
            fitted = sfm / sff
            if abs(fitted / nominal - 1) < 0.01:  # a sound card is off by far less than 1%
                slope = fitted
        self._line = (mean_f, mean_m, slope)

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


# -- the session -----------------------------------------------------------------------------


class LinkSession:
    """A peer of the Link session on the network, run by aalink on a thread of its own with
    its own asyncio loop. ``bpm`` (quarter notes a minute) is the tempo if no other program
    is there; one that is gives its own (Link's rule: who joins takes the session's tempo).
    ``quantum`` is in quarter notes (:func:`link_quantum`). Start and stop are shared with
    the programs that share them (start/stop sync is on).

    :attr:`state` is the latest :class:`LinkState`, replaced whole (never changed in place):
    what the audio side reads. The session re-reads Link on each of its callbacks (tempo,
    peers, start/stop), after each change of ours, and every :data:`REFRESH_SECONDS`.
    No other program in the session is not an error: the session is then ours alone.
    A context manager; :meth:`close` twice does nothing.

    Raises:
        LinkError: (from :meth:`start`) aalink is not installed, or Link did not start.
    """

    def __init__(self, bpm: Fraction | float, *, quantum: Fraction):
        self.bpm = float(bpm)
        self.quantum = quantum
        self.state = LinkState(micros=host_micros(), beat=0.0, bpm=self.bpm)
        self.tempo_changes = 0
        """Tempo changes seen from the session (ours and the other programs')."""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._link: Any = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._found = threading.Event()  # another program is in the session
        self._failed: BaseException | None = None
        self._closed = False

    def start(self) -> LinkSession:
        """Join (or open) the session; returns once Link runs.

        Raises:
            LinkError: aalink is not installed, or Link did not start.
        """
        require_aalink()
        self._thread = threading.Thread(target=self._run, name="link-session", daemon=True)
        self._thread.start()
        self._ready.wait(10)
        if self._failed is not None:
            raise LinkError(f"Ableton Link did not start: {self._failed}") from self._failed
        if not self._ready.is_set():
            raise LinkError("Ableton Link did not start within 10 seconds")
        if self._found.wait(DISCOVERY_SECONDS):
            self._settle()
        return self

    def _settle(self) -> None:
        """Once another program is found, wait (at most :data:`DISCOVERY_SECONDS`) for
        the sessions to become one: the time line jumps, or the tempo changes, when ours
        takes the other's; when ours is the older, nothing changes and the wait runs out."""
        first, changes = self.state, self.tempo_changes
        deadline = time.monotonic() + DISCOVERY_SECONDS
        look = threading.Event()
        while time.monotonic() < deadline:
            state = self.state
            jumped = abs(state.beat - first.beat_at(state.micros)) > 1e-3
            if jumped or self.tempo_changes != changes or state.bpm != first.bpm:
                return
            look.wait(0.005)

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._main())
        except BaseException as err:  # reported to the starting thread, not lost
            self._failed = err
            self._ready.set()
        finally:
            loop.close()

    async def _main(self) -> None:
        import warnings

        from aalink import Link

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # the loop argument, in 0.2
            link = Link(self.bpm, asyncio.get_running_loop())
        self._link = link
        link.quantum = float(self.quantum)
        link.start_stop_sync_enabled = True
        link.set_tempo_callback(self._on_tempo)
        link.set_num_peers_callback(lambda peers: self.refresh())
        link.set_start_stop_callback(lambda playing: self.refresh())
        link.enabled = True
        self.refresh()
        self._stop = asyncio.Event()
        self._ready.set()
        while not self._stop.is_set():
            try:  # a poll of the session: the music's clock is the sound card's
                await asyncio.wait_for(self._stop.wait(), REFRESH_SECONDS)
            except asyncio.TimeoutError:
                self.refresh()
        link.enabled = False

    def _on_tempo(self, bpm: float) -> None:
        self.tempo_changes += 1
        self.refresh()

    def refresh(self) -> None:
        """Read the session again (on the session's thread)."""
        link = self._link
        before = host_micros()
        micros = link.time / _MICROSECOND
        beat = link.beat
        after = host_micros()
        if after - before > 500:  # preempted between the readings: keep the last state
            return
        self.state = LinkState(
            micros=micros,
            beat=beat,
            bpm=link.tempo,
            peers=link.num_peers,
            playing=link.playing,
            offset=micros - (before + after) / 2,
        )
        if self.state.peers:
            self._found.set()

    def _call(self, change: Any) -> None:
        """Run ``change(link)`` on the session's thread, then read the session again, and
        wait for it (a change from the main thread, never from the audio side)."""
        loop = self._loop
        if loop is None or self._closed:
            return
        done = threading.Event()

        def run() -> None:
            try:
                change(self._link)
                self.refresh()
            finally:
                done.set()

        loop.call_soon_threadsafe(run)
        done.wait(2)

    def set_tempo(self, qpm: Fraction) -> None:
        """Change the session's tempo (quarter notes a minute): every program follows."""
        self._call(lambda link: setattr(link, "tempo", float(qpm)))

    def set_playing(self, playing: bool) -> None:
        """Start or stop the session (the programs that share start and stop follow)."""
        self._call(lambda link: setattr(link, "playing", playing))

    def request_beat(self, beat: float) -> None:
        """Ask for ``beat`` now: alone in the session this moves its phase at once; with
        other programs Link keeps theirs (and so ours follows theirs)."""
        self._call(lambda link: link.request_beat(beat))

    def close(self) -> None:
        """Leave the session (a second close does nothing)."""
        if self._closed:
            return
        self._closed = True
        loop, stop = self._loop, getattr(self, "_stop", None)
        if loop is not None and stop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop has already ended
                loop.call_soon_threadsafe(stop.set)
        if self._thread is not None:
            self._thread.join(5)

    def __enter__(self) -> LinkSession:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()


# -- following the session, block by block ---------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Nudge:
    """What the player changes at a position (quarter notes from the metronome's start):
    ``(position, quarter notes a minute)`` for each tempo from there on, in order."""

    changes: tuple[tuple[Fraction, Fraction], ...]


class LinkFollower:
    """Keeps a player on the session's time line. For each block about to be rendered,
    :meth:`block` is given the block's first frame, our position there (quarter notes
    from the metronome's start) and our tempo; it returns the :class:`Nudge` to apply there,
    or None. ``start`` is bar 1's position (phase 0), ``clock`` says when a frame is heard.

    - The session's tempo changed (another program, or our keys through the session): ours
      changes from this block.
    - Our phase is more than :data:`TOLERANCE_SECONDS` off the session's (the frames rendered
      ahead were still at the old tempo, or the sound card's clock drifts): a catch-up span at
      most :data:`CATCH_UP_RATIO` off the session's tempo, then its tempo.

    It reads only :attr:`LinkSession.state` and the clock: nothing that waits.
    """

    def __init__(
        self,
        session: Any,
        *,
        quantum: Fraction,
        start: Fraction,
        clock: Clock,
        silent_until: Fraction | None = None,
    ):
        self.session = session
        self.silent_until = silent_until
        """Where the first sound is (quarter notes): before it a catch-up may be larger."""
        self.quantum = quantum
        self.start = start
        self.clock = clock
        self.nudges = 0
        """Catch-ups so far."""
        self._until: Fraction | None = None  # a catch-up runs until this position,
        self._target = Fraction(0)  # toward this tempo

    def error_at(self, frame: int, position: Fraction) -> Fraction:
        """How far ``position`` at ``frame`` is ahead of the session (quarter notes)."""
        state: LinkState = self.session.state
        beat = state.beat_at(self.clock.micros_at(frame) + state.offset)
        return phase_error(position - self.start, beat, self.quantum)

    def block(self, frame: int, position: Fraction, qpm: Fraction) -> Nudge | None:
        """The change to make at ``frame`` (``position``, playing at ``qpm``), or None."""
        state: LinkState = self.session.state
        target = state.qpm
        if self._until is not None and position < self._until and target == self._target:
            return None  # catching up (a change of the session's tempo stops it)
        self._until = None
        error = self.error_at(frame, position)
        if abs(error) * 60 / target <= TOLERANCE_SECONDS:
            return None if qpm == target else Nudge(((position, target),))
        silent = self.silent_until is not None and position < self.silent_until
        big = silent or abs(error) > BIG_ERROR
        span, tempo = catch_up(error, target, ratio=Fraction(1, 2) if big else CATCH_UP_RATIO)
        self.nudges += 1
        self._until, self._target = position + span, target
        return Nudge(((position, tempo), (position + span, target)))


# -- the session as a companion of a player ----------------------------------------------------


class LinkCompanion:
    """A :class:`LinkSession` that follows a player (a companion, :mod:`theme.live.companions`)
    and keeps it on the session's time line.

    Whoever owns the player's renderer (the live metronome) calls :meth:`prepare` before each
    player starts, which says where the player begins (a silent lead-in before ``position``,
    so that it falls on its own phase of the session) and on what tempo map, and sets
    :attr:`retempo`, which :meth:`block` calls (on the producer thread, between two blocks)
    with each :class:`Nudge`. ``clock`` makes the clock of each player's frames from the
    rate and the first estimate (:class:`FrameClock`, fitted to the sound card's clock; a
    :class:`FixedFrameClock` in tests). ``start`` is bar 1's position (quarter notes): the
    session's phase 0.

    Start and stop: a player that starts or goes on starts the session (if it is stopped); a
    pause stops it, so the programs that share start and stop stop too; the end of the
    music or quitting leaves the session playing for the others. The companion closes the
    session when it is closed.
    """

    def __init__(
        self,
        session: LinkSession,
        *,
        start: Fraction,
        clock: Any = FrameClock,
    ):
        self.session = session
        self.quantum = session.quantum
        self.start = start
        self.make_clock = clock
        self.clock: Clock = FixedFrameClock(48000, start=host_micros())
        self.follower = LinkFollower(session, quantum=self.quantum, start=start, clock=self.clock)
        self.retempo: Any = None
        """Called with each :class:`Nudge` (by the owner of the renderer)."""
        self.silent_until = Fraction(0)
        """Where the current player's first sound is (quarter notes): the lead-in ends."""
        self._player: Any = None

    @property
    def peers(self) -> int:
        """The other programs in the session now."""
        state: LinkState = self.session.state
        return state.peers

    def prepare(
        self, position: Fraction, *, rate: int, latency_seconds: float = 0.0
    ) -> tuple[Fraction, Fraction]:
        """Before a player starts to play ``position`` (quarter notes from the start): a
        clock for its frames, and ``(where the player begins, the session's tempo)``: the
        lead-in's silence, at least :data:`LEAD_IN_SECONDS`, ends on the session's phase of
        ``position``. Alone in the session, its phase is moved so that the lead-in is short.
        """
        state: LinkState = self.session.state
        qpm = state.qpm
        least = LEAD_IN_SECONDS * qpm / 60
        first_heard = host_micros() + latency_seconds * 1e6
        if state.peers == 0:  # the session is ours: its phase is moved to where we begin
            soon = first_heard + float(LEAD_IN_SECONDS) * 1.5e6
            beats_to_soon = (soon - host_micros()) * state.bpm / 60e6
            self.session.request_beat(float(position - self.start) - beats_to_soon)
            state = self.session.state
        self.clock = self.make_clock(rate, start=first_heard)
        self.follower = LinkFollower(
            self.session,
            quantum=self.quantum,
            start=self.start,
            clock=self.clock,
            silent_until=position,
        )
        beat = state.beat_at(first_heard + state.offset)
        wait = lead_in(position - self.start, beat, self.quantum, least)
        self.silent_until = position
        return position - wait, qpm

    # -- the companion ---------------------------------------------------------------------

    def transport(self, event: Any, *, frame: int, quarter: Fraction, clock: Any) -> None:
        """A player starts or goes on (the session plays), pauses (it stops), or stops."""
        self._player = clock
        state: LinkState = self.session.state
        if event.running and not state.playing:
            self.session.set_playing(True)
        elif event.value == "pause" and state.playing:
            self.session.set_playing(False)

    def block(self, block: Any) -> None:
        """After each block rendered: what the next block must change."""
        if block.last or self.retempo is None:
            return
        player = self._player
        if isinstance(self.clock, FrameClock) and player is not None and player.sink.realtime:
            before = host_micros()
            heard = player.heard_frame()
            after = host_micros()
            # 0: the sound card has not begun; all it was given: a clock held back by a late
            # callback; a slow reading: this thread was preempted
            if 0 < heard < player._frames and after - before < OBSERVE_MICROS:
                self.clock.observe(heard, (before + after) / 2)
        frame = block.end_frame
        position = block.quarter_at(frame)
        qpm = block.tempo_map.qpm_at(position - block.origin)
        # each block the renderer was late for played silence: the music is heard that much
        # later on the sound card's clock (the player's own count; the sink's underruns are
        # the device's, its clock counts only what it was given)
        late = getattr(player, "_late", 0) * block.frames if player is not None else 0
        nudge = self.follower.block(frame + late, position, qpm)
        if nudge is not None:
            self.retempo(nudge)

    def check(self) -> None:
        """A session has no device to lose (no other program is not an error)."""

    def close(self) -> None:
        """Leave the session (a second close does nothing)."""
        self.session.close()

    def status(self, quarter: Fraction) -> str:
        """One line for the display: the peers, or that the lead-in waits for the session's
        phase (at ``quarter``, the position heard)."""
        peers = self.peers
        who = "no other program" if peers == 0 else f"{peers} other program" + "s" * (peers > 1)
        line = f"Link: {who}, quantum {self.quantum}"
        if quarter < self.silent_until:
            line += "  (waiting for the session's beat)"
        return line


def metronome_link(metronome: Any, *, clock: Any = FrameClock) -> LinkCompanion:
    """A companion for ``metronome`` (a :class:`theme.metronome.Metronome`) in a session not yet
    started (:meth:`LinkSession.start`): the quantum of its bar, or of both meters' cycle;
    its bar 1 on the session's phase 0; its tempo if no other program is there.

    Raises:
        UsageError: a ramp or an accelerando (the session's tempo is the tempo).
        LinkError: aalink is not installed.
    """
    from theme.errors import UsageError

    if metronome.ramp is not None or metronome.accel is not None:
        raise UsageError("a Link session sets the tempo: leave out --ramp and --accel (or --link)")
    require_aalink()
    quantum = link_quantum(metronome.bar_quarters, metronome.meeting_every)
    session = LinkSession(metronome.tempo.qpm, quantum=quantum)
    return LinkCompanion(session, start=metronome.start, clock=clock)


Events = Callable[[Fraction, Fraction], Iterable["Event"]]
"""``events(at, origin)``: the events from ``at`` on (quarter notes from the start), their
onsets moved ``origin`` quarter notes earlier (what a player that began at ``origin`` plays)."""


def play_linked(
    link: LinkCompanion,
    *,
    events: Events,
    layers: Mapping[str, Layer],
    end_quarter: Fraction | None,
    sink: Sink,
    companions: Sequence[Any] = (),
) -> Player:
    """Start a player of ``events`` on the session's time line, and return it: the session
    joined (if not yet), a silent lead-in to its phase, its tempo, each nudge applied to the
    player's renderer (nobody else changes it). The player closes the companions (the
    session too) when it closes.

    Raises:
        LinkError: aalink is not installed, or Link did not start.
        AudioDeviceError: no PortAudio, no output device, a device error.
    """
    from theme.core.tempo import TempoMap
    from theme.live.playback import Player
    from theme.renderers.audio import BlockRenderer

    if link.session._thread is None:
        link.session.start()
    try:
        begin, qpm = link.prepare(Fraction(0), rate=sink.rate, latency_seconds=sink.latency_seconds)
        renderer = BlockRenderer(
            events(begin, begin),
            layers=layers,
            tempo_map=TempoMap.constant(qpm),
            rate=sink.rate,
            end_quarter=None if end_quarter is None else end_quarter - begin,
        )
    except BaseException:
        link.close()
        raise

    def retempo(nudge: Nudge) -> None:
        player = link._player
        renderer = player.renderer
        tempo_map = renderer.tempo_map
        for at, qpm in nudge.changes:
            tempo_map = tempo_map.then(at - player.origin, Tempo(qpm))
        at = nudge.changes[0][0]
        renderer.replace_events(
            events(at, player.origin),
            tempo_map,
            from_frame=renderer.frame,
            end_quarter=None if end_quarter is None else end_quarter - player.origin,
        )

    link.retempo = retempo
    player = Player(
        renderer, sink, companions=[*companions, link], origin=begin, close_companions=True
    )
    return player.start()


def timeline_link(timeline: Timeline, *, clock: Any = FrameClock) -> LinkCompanion:
    """A companion for a timeline in a session not yet started: the quantum of its first bar
    (bar 1 on the session's phase 0), its opening tempo if no other program is there.

    Raises:
        UsageError: a timeline whose bars are not all one length, or whose tempo changes:
            the session has one tempo and one quantum.
        LinkError: aalink is not installed.
    """
    from theme.errors import UsageError

    lengths = {bar.quarters for bar in timeline.bars}
    if len(lengths) > 1:
        raise UsageError(
            "Link shares one cycle of beats: this music changes its bar length "
            f"({', '.join(sorted(map(str, lengths)))} quarter notes); play it without --link"
        )
    if len(timeline.tempo_map.segments) > 1:
        raise UsageError(
            "Link shares one tempo: this music changes its tempo; play it without --link"
        )
    require_aalink()
    quantum = timeline.bars[0].quarters
    session = LinkSession(timeline.tempo_map.qpm_at(Fraction(0)), quantum=quantum)
    return LinkCompanion(session, start=Fraction(0), clock=clock)


def timeline_events(timeline: Timeline) -> Events:
    """``events(at, origin)`` of a timeline (see :data:`Events`)."""

    def events(at: Fraction, origin: Fraction) -> Iterator[Event]:
        start = bisect.bisect_left(timeline.events, at, key=lambda e: e.onset)
        for event in timeline.events[start:]:
            yield dataclasses.replace(event, onset=event.onset - origin)

    return events


def linked_line(player: Player, timeline: Timeline) -> Callable[[float], str]:
    """The line that follows a timeline played by :func:`play_linked`: the section, bar and
    beat heard (the player's own tempo map, the session's tempo) and the session's peers."""
    link = next(c for c in player.companions if isinstance(c, LinkCompanion))
    last = timeline.bars[-1]

    def line_at(seconds: float) -> str:
        quarter = player.origin + player.renderer.tempo_map.quarter_at(seconds)
        status = link.status(quarter)
        if quarter < 0:
            return status
        bar, beat = timeline.position(min(quarter, last.end - last.meter.pulse_quarters))
        section = timeline.bars[bar - 1].section
        return f"{section:<18} bar {bar:>3}/{len(timeline.bars)}  beat {int(beat)}  {status}"

    return line_at
