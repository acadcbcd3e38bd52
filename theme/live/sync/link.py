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

Four modules:

- :mod:`theme.live.sync.link_time`: the arithmetic between the session's beats and our
  positions, and when each frame of a player is heard.
- :mod:`theme.live.sync.link_session`: :class:`LinkSession`, aalink on a thread of its own with
  its own asyncio loop; the audio side reads a frozen snapshot and never calls aalink.
- :mod:`theme.live.sync.follow`: :class:`~theme.live.sync.follow.LinkFollower` and
  :class:`~theme.live.sync.follow.SyncCompanion`, a session (Link's, a MIDI clock master's
  or JACK's transport) followed block by block as a companion of a player.
- this one: the ways to play with a Link session: :func:`play_linked`,
  :func:`metronome_link`, :func:`timeline_link`.

aalink is imported only when a session starts.
"""

from __future__ import annotations

import bisect
import dataclasses
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from theme.core.tempo import Tempo, TempoMap
from theme.errors import UsageError
from theme.live.engine.playback import FOLLOW_RING_BLOCKS, Player
from theme.live.sync.follow import Nudge, SyncCompanion
from theme.live.sync.link_session import NO_AALINK, LinkError, LinkSession, require_aalink
from theme.live.sync.link_time import (
    CATCH_UP_RATIO,
    TOLERANCE_SECONDS,
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
    "LinkSession",
    "LinkState",
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
