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

Three modules:

- :mod:`theme.live.sync.link_time`: the arithmetic between the session's beats and our
  positions, and when each frame of a player is heard.
- :mod:`theme.live.sync.link_session`: :class:`LinkSession`, aalink on a thread of its own with
  its own asyncio loop; the audio side reads a frozen snapshot and never calls aalink.
- this one: :class:`LinkFollower` (per rendered block, what the player must change so that
  the music keeps the session's tempo and phase: a tempo, or a short catch-up),
  :class:`SyncCompanion` (a session, Link's or a MIDI clock master's or JACK's transport, as
  a companion of a player, start and stop shared),
  and the ways to play with a session: :func:`play_linked`, :func:`metronome_link`,
  :func:`timeline_link`.

aalink is imported only when a session starts.
"""

from __future__ import annotations

import bisect
import dataclasses
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Protocol

from theme.core.tempo import Tempo, TempoMap
from theme.errors import UsageError
from theme.live.engine.playback import FOLLOW_RING_BLOCKS, Player
from theme.live.sync.link_session import NO_AALINK, LinkError, LinkSession, require_aalink
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
    link_quantum,
    phase_error,
    quantized,
    session_qpm,
)
from theme.renderers.audio import BlockRenderer

if TYPE_CHECKING:
    from theme.core.timeline import Event, Layer, Timeline
    from theme.live.engine.sinks import Sink

__all__ = [
    "CATCH_UP_RATIO",
    "NO_AALINK",
    "TOLERANCE_SECONDS",
    "FixedFrameClock",
    "FrameClock",
    "LinkError",
    "LinkFollower",
    "LinkSession",
    "LinkState",
    "Nudge",
    "SyncCompanion",
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


def metronome_link(
    metronome: Any, *, clock: Any = FrameClock, start_stop: bool = True
) -> SyncCompanion:
    """A companion for ``metronome`` (a :class:`theme.metronome.Metronome`) in a session not yet
    started (:meth:`LinkSession.start`): the quantum of its bar, or of both meters' cycle;
    its bar 1 on the session's phase 0; its tempo if no other program is there; start and
    stop shared with the session unless ``start_stop`` is False.

    Raises:
        UsageError: a ramp or an accelerando (the session's tempo is the tempo).
        LinkError: aalink is not installed.
    """
    if metronome.ramp is not None or metronome.accel is not None:
        raise UsageError("a Link session sets the tempo: leave out --ramp and --accel (or --link)")
    require_aalink()
    quantum = link_quantum(metronome.bar_quarters, metronome.meeting_every)
    session = LinkSession(metronome.tempo.qpm, quantum=quantum, start_stop=start_stop)
    return SyncCompanion(session, start=metronome.start, clock=clock)


Events = Callable[[Fraction, Fraction], Iterable["Event"]]
"""``events(at, origin)``: the events from ``at`` on (quarter notes from the start), their
onsets moved ``origin`` quarter notes earlier (what a player that began at ``origin`` plays)."""


def play_linked(
    link: SyncCompanion,
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

    if not link.session.started:
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
        assert player is not None  # nudges come from blocks, after the player's start
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
        renderer,
        sink,
        companions=[*companions, link],
        origin=begin,
        close_companions=True,
        ring_blocks=FOLLOW_RING_BLOCKS,
    )
    return player.start()


def timeline_link(timeline: Timeline, *, clock: Any = FrameClock) -> SyncCompanion:
    """A companion for a timeline in a session not yet started: the quantum of its first bar
    (bar 1 on the session's phase 0), its opening tempo if no other program is there.

    Raises:
        UsageError: a timeline whose bars are not all one length, or whose tempo changes:
            the session has one tempo and one quantum.
        LinkError: aalink is not installed.
    """
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
    return SyncCompanion(session, start=Fraction(0), clock=clock)


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
    link = next(c for c in player.companions if isinstance(c, SyncCompanion))
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
