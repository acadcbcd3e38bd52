"""Following another program's MIDI clock (``theme metronome ... --clock-in PORT``).

A master (a DAW, a drum machine) sends 24 clocks a quarter note, Start, Stop, Continue and
Song Position Pointer. :class:`MidiClockSession` reads them from a MIDI input port and
gives, as a Link session does, a :class:`~theme.live.link_time.LinkState`: the master's
beat at a time of the host clock, its tempo, whether it plays. So the companion that keeps a
player on a Link session (:class:`~theme.live.link.LinkCompanion`, its follower, the live
metronome's start and stop) keeps it on the master: its tempo, bar 1 on its song position
0 (the quantum is our bar), a pause when it stops, going on when it starts again.

Every other message (notes, controllers, active sensing) is ignored and counted. The clocks'
arrival times jitter (a MIDI interface, a JACK period): the tempo and the beat are a
straight line fitted to the last :data:`FIT_PULSES` arrivals, and the tempo given changes
only when the fitted one moves more than :data:`TEMPO_STEADY_BPM` (so a steady master is one
tempo, not a new one at every clock).

The arithmetic (:meth:`MidiClockSession.receive`) is pure and fed with times in tests; only
:meth:`MidiClockSession.start` opens a port (python-rtmidi, imported there).
"""

from __future__ import annotations

import threading
from collections import deque
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from theme.live.link_time import LinkState, host_micros

if TYPE_CHECKING:
    from theme.live.link import LinkCompanion

__all__ = [
    "FIT_PULSES",
    "PULSES_PER_QUARTER",
    "TEMPO_STEADY_BPM",
    "MidiClockSession",
    "fit_line",
    "metronome_clock_in",
]

PULSES_PER_QUARTER = 24
"""MIDI clocks a quarter note."""
FIT_PULSES = 96
"""Clocks the tempo and the beat are fitted to (four quarter notes)."""
TEMPO_STEADY_BPM = 0.1
"""The tempo given moves only when the fitted one is further than this from it (quarter
notes a minute); the beat line follows the fit anyway."""
MIN_FIT = 6
"""Clocks needed before the master's tempo is taken (a quarter of a quarter note)."""


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


class MidiClockSession:
    """A MIDI clock master as a session to follow (the interface of
    :class:`~theme.live.link_session.LinkSession` that :class:`~theme.live.link.LinkCompanion`
    uses). ``port`` names the MIDI input (a part of its name will do); ``bpm`` (quarter
    notes a minute) stands until the master's clocks give its tempo; ``quantum`` is our bar
    in quarter notes: the master's song position 0, and every ``quantum`` quarter notes
    after it, is our bar's one.

    :attr:`state` is replaced whole at each message (never changed in place): what the
    audio side reads. ``peers`` is 1 while clocks come (the master), else 0. Our own tempo
    keys and pause change nothing of the master's: it sets the tempo, start and stop.

    Raises:
        MidiDeviceError: (from :meth:`start`) no python-rtmidi, or no such port (the ports
            there are are listed).
    """

    def __init__(self, port: str, *, bpm: Fraction | float, quantum: Fraction):
        self.port_name = port
        self.quantum = quantum
        self.state = LinkState(micros=host_micros(), beat=0.0, bpm=float(bpm))
        self.ignored = 0
        """Messages that were not clock, Start, Stop, Continue or Song Position."""
        self.clocks = 0
        """Clocks received."""
        self._arrivals: deque[tuple[int, float]] = deque(maxlen=FIT_PULSES)
        self._next = 0  # the song position (clocks) of the next clock while running
        self._position: int | None = None  # of the last clock, once running
        self._running = False
        self._lock = threading.Lock()
        self._input: Any = None  # a theme.live.midiports.WatchedInput, once started
        self.name = port

    # -- the arithmetic (pure: times given) ------------------------------------------------

    def receive(self, kind: str, micros: float, *, position: int = 0) -> None:
        """One message of ``kind`` (mido's type: ``clock``, ``start``, ``stop``,
        ``continue``, ``songpos`` with ``position`` in sixteenths) at ``micros`` of the host
        clock (:func:`~theme.live.link_time.host_micros`); any other kind is ignored."""
        with self._lock:
            if kind == "clock":
                self.clocks += 1
                self._arrivals.append((self.clocks, micros))
                if self._running:
                    self._position = self._next
                    self._next += 1
            elif kind == "start":  # the next clock is song position 0
                self._running, self._next, self._position = True, 0, None
            elif kind == "continue":
                self._running, self._position = True, None
            elif kind == "stop":
                self._running = False
            elif kind == "songpos":  # sixteenths: six clocks each
                self._next, self._position = position * (PULSES_PER_QUARTER // 4), None
            else:
                self.ignored += 1
                return
            self.state = self._reading(micros)

    def _reading(self, micros: float) -> LinkState:
        bpm = self.state.bpm
        anchor_micros, anchor_beat = micros, self.state.beat_at(micros)
        if self._position is not None:  # the last clock's arrival, before a fit
            anchor_beat = self._position / PULSES_PER_QUARTER
        recent = [p for p in self._arrivals if micros - p[1] < 2e6]  # not a master that paused
        fitted = len(recent) >= MIN_FIT
        if fitted:
            at_zero, per_clock = fit_line(recent)
            qpm = 60e6 / (per_clock * PULSES_PER_QUARTER)
            if abs(qpm - bpm) > TEMPO_STEADY_BPM:
                bpm = round(qpm, 2)
            if self._position is not None:  # the fitted time of the last clock
                anchor_micros = at_zero + per_clock * recent[-1][0]
        playing = self._running and self._position is not None and fitted
        return LinkState(
            micros=anchor_micros,
            beat=anchor_beat,
            bpm=bpm,
            peers=1 if recent else 0,
            playing=playing,
        )

    # -- the session's interface -------------------------------------------------------------

    @property
    def started(self) -> bool:
        """Whether :meth:`start` has run."""
        return self._input is not None

    def start(self) -> MidiClockSession:
        """Open the port and listen (on rtmidi's thread). Open it after any other MIDI port
        of the program: with JACK, a client opened while this one's messages call back into
        Python can wait on each other for good.

        Raises:
            MidiDeviceError: no python-rtmidi, or no such port.
        """
        from theme.live.midiports import WatchedInput

        if self._input is None:
            self._input = WatchedInput(self.port_name, self._received)
            self.name = self._input.name
        return self

    def _received(self, message: Any) -> None:
        self.receive(message.type, host_micros(), position=getattr(message, "pos", 0))

    def set_playing(self, playing: bool) -> None:
        """The master starts and stops: ours changes nothing of it."""

    def set_tempo(self, qpm: Fraction) -> None:
        """The master sets the tempo: ours changes nothing of it."""

    def request_beat(self, beat: float) -> None:
        """The master's song position is its own: nothing to move."""

    def describe(self, *, waiting: bool = False) -> str:
        """One line for the display: the port, the master's tempo and whether it plays;
        ``waiting``: the player's silent lead-in waits for the master's next bar."""
        state = self.state
        last = self._arrivals[-1][1] if self._arrivals else None
        if last is None or host_micros() - last > 2e6:
            doing = "no clock coming"
        elif state.playing:
            doing = f"{state.bpm:g} BPM, playing"
        else:
            doing = f"{state.bpm:g} BPM, waiting for its Start"
        line = f"MIDI clock in {self.name!r}: {doing}"
        return line + "  (waiting for its next bar)" if waiting else line

    def check(self) -> None:
        """Raise if the master's port has gone away (looked for every
        :data:`theme.live.midiports.WATCH_SECONDS`).

        Raises:
            MidiPortLostError: the port went away (its program ended, a cable pulled).
        """
        if self._input is not None:
            self._input.check()

    def close(self) -> None:
        """Close the port (a second close does nothing)."""
        watched, self._input = self._input, None
        if watched is not None:
            watched.close()

    def __enter__(self) -> MidiClockSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def metronome_clock_in(metronome: Any, port: str, *, clock: Any = None) -> LinkCompanion:
    """A companion that keeps ``metronome`` (a :class:`theme.metronome.Metronome`) on the
    MIDI clock coming in at ``port`` (not opened yet: :meth:`MidiClockSession.start`): the
    master's tempo (the metronome's until its clocks come), our bar's one on its song
    position 0 and every bar after it.

    Raises:
        UsageError: a ramp or an accelerando (the master sets the tempo).
    """
    from theme.errors import UsageError
    from theme.live.link import LinkCompanion
    from theme.live.link_time import FrameClock, link_quantum

    if metronome.ramp is not None or metronome.accel is not None:
        raise UsageError("a MIDI clock master sets the tempo: leave out --ramp and --accel")
    quantum = link_quantum(metronome.bar_quarters, metronome.meeting_every)
    session = MidiClockSession(port, bpm=metronome.tempo.qpm, quantum=quantum)
    return LinkCompanion(session, start=metronome.start, clock=clock or FrameClock)
