"""Following a session shared with other programs, block by block: Link's, a MIDI clock
master's (:mod:`theme.live.sync.midi_clock_in`) or JACK's transport
(:mod:`theme.live.sync.jack_transport`), any :class:`Session`.

- :class:`LinkFollower`: for each block about to be rendered, what the player must change
  so that the music keeps the session's tempo and phase (a :class:`Nudge`: a tempo, or a
  short catch-up).
- :class:`SyncCompanion`: the session as a companion of a player (start and stop shared,
  the lead-in that puts the first click on the session's phase), calling back with each
  nudge.

The arithmetic is :mod:`theme.live.sync.link_time`'s; nothing here waits or calls a
library: the audio side reads the session's frozen :class:`LinkState`.
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Protocol

from theme.live.sync.link_time import (
    CATCH_UP_RATIO,
    TOLERANCE_SECONDS,
    Clock,
    FixedFrameClock,
    FrameClock,
    LinkState,
    catch_up,
    host_micros,
    lead_in,
    phase_error,
)

if TYPE_CHECKING:
    from theme.live.engine.playback import Player

__all__ = [
    "BIG_ERROR",
    "LEAD_IN_SECONDS",
    "OBSERVE_MICROS",
    "SILENT_RATIO",
    "LinkFollower",
    "Nudge",
    "Session",
    "SyncCompanion",
]

LEAD_IN_SECONDS = Fraction(1)
"""The least silence before the first click (seconds): room for the first estimate of when
the sound card plays a frame (a sound card can take a while to open) to be corrected from
its clock (the player renders 256 ms ahead while following) before anything sounds."""
BIG_ERROR = Fraction(1, 4)
"""A phase error beyond this (quarter notes: the session jumped, as when a program whose
session is older joins) is caught up at up to 50% off the tempo, not 10%."""
SILENT_RATIO = Fraction(1)
"""In the silent lead-in a catch-up may play up to twice the tempo or down to two thirds
of it (nothing is heard): half a second behind is caught up in half a second."""
OBSERVE_MICROS = 300
"""A reading of the sound card's clock that took longer (microseconds) is left out."""

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
      most :data:`CATCH_UP_RATIO` off the session's tempo, then its tempo. A session may say
      its own tolerance (``tolerance_seconds``: a MIDI clock master's beat is a fit, as
      noisy as that).

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
        tolerance = getattr(self.session, "tolerance_seconds", TOLERANCE_SECONDS)
        if abs(error) * 60 / target <= tolerance:
            return None if qpm == target else Nudge(((position, target),))
        ratio = CATCH_UP_RATIO
        if abs(error) > BIG_ERROR:
            ratio = Fraction(1, 2)
        if self.silent_until is not None and position < self.silent_until:
            ratio = SILENT_RATIO
        span, tempo = catch_up(error, target, ratio=ratio)
        self.nudges += 1
        self._until, self._target = position + span, target
        return Nudge(((position, tempo), (position + span, target)))


# -- the session as a companion of a player ----------------------------------------------------


class Session(Protocol):
    """What :class:`SyncCompanion` follows: a :class:`LinkSession`, or a MIDI clock master
    (:class:`theme.live.sync.midi_clock_in.MidiClockSession`)."""

    quantum: Fraction
    state: LinkState

    @property
    def started(self) -> bool: ...

    def start(self) -> Any: ...

    def set_tempo(self, qpm: Fraction) -> None: ...

    def set_playing(self, playing: bool) -> None: ...

    def request_beat(self, beat: float) -> None: ...

    def describe(self, *, waiting: bool = False) -> str: ...

    def check(self) -> None: ...

    def close(self) -> None: ...


class SyncCompanion:
    """A session shared with other programs (a :class:`LinkSession`, a MIDI clock master, JACK's
    transport: any :class:`Session`) that follows a player (a companion,
    :mod:`theme.live.engine.companions`) and keeps it on the session's time line.

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
        session: Session,
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
        self._player: Player | None = None  # the player it follows, told at its start

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
            soon = first_heard + float(LEAD_IN_SECONDS) * 1e6 + 0.1e6
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
            if 0 < heard < player.frames_given and after - before < OBSERVE_MICROS:
                self.clock.observe(heard, (before + after) / 2)
            if not self.clock.observed:  # the first estimate only: wait for the card's clock
                return
        frame = block.end_frame
        position = block.quarter_at(frame)
        qpm = block.tempo_map.qpm_at(position - block.origin)
        # each block the renderer was late for played silence: the music is heard that much
        # later on the sound card's clock (the player's own count; the sink's underruns are
        # the device's, its clock counts only what it was given)
        late = player.late_frames if player is not None else 0
        nudge = self.follower.block(frame + late, position, qpm)
        if nudge is not None:
            self.retempo(nudge)

    def check(self) -> None:
        """The session's check: a Link session has no device to lose (no other program is
        not an error); a MIDI clock master's port can go away.

        Raises:
            MidiPortLostError: the master's MIDI port went away.
        """
        self.session.check()

    def close(self) -> None:
        """Leave the session (a second close does nothing)."""
        self.session.close()

    def status(self, quarter: Fraction) -> str:
        """One line for the display: the peers, or that the lead-in waits for the session's
        phase (at ``quarter``, the position heard). The session's device is looked at here
        too: a metronome paused while a MIDI clock master has not started has no player to
        look at it.

        Raises:
            MidiPortLostError: the master's MIDI port went away.
        """
        self.session.check()
        return self.session.describe(waiting=quarter < self.silent_until)
