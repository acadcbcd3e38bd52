"""Starting live music, the one way: a variant (:func:`play`), a metronome
(:meth:`theme.metronome.Metronome.play`) and a recording (``theme listen``) are each given
to :func:`start_music` as :class:`LiveMusic` (its renderer at a rate, and for a Link
session its events after a position, its layers and its end), which opens the MIDI output
companions, picks the sink (the sound card, a given one, or a clock with no audio), plays
in a Link session's or a MIDI clock master's time when asked, and closes what it opened
when the start fails.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING

from theme.errors import UsageError
from theme.live.engine.companions import Companion
from theme.live.engine.playback import Player, start
from theme.live.engine.sinks import ClockedSink, Sink, SoundDeviceSink
from theme.live.sync.follow import SyncCompanion
from theme.live.sync.link import Events, play_linked, timeline_events, timeline_link
from theme.live.sync.midi_out import MidiOut
from theme.renderers.audio import BlockRenderer

if TYPE_CHECKING:
    from theme.core.timeline import Layer, Timeline

__all__ = ["LiveMusic", "play", "start_music"]


@dataclass(frozen=True)
class LiveMusic:
    """What starting music live needs of it: ``renderer(rate)``, its renderer at ``rate``
    frames a second; and to play in a Link session's time, ``events(at, origin)`` (its
    events from ``at`` quarter notes on, moved ``origin`` quarter notes earlier), its
    ``layers`` and its ``end_quarter`` (None: endless)."""

    renderer: Callable[[int], BlockRenderer]
    events: Events | None = None
    layers: Mapping[str, Layer] = field(default_factory=dict)
    end_quarter: Fraction | None = None

    @classmethod
    def of_timeline(cls, timeline: Timeline) -> LiveMusic:
        """A timeline as live music: all of it, from its start."""
        return cls(
            renderer=lambda rate: BlockRenderer.for_timeline(timeline, rate=rate),
            events=timeline_events(timeline),
            layers=timeline.layers,
            end_quarter=timeline.length,
        )


def play(
    timeline: Timeline,
    *,
    device: str | int | None = None,
    latency: float | str | None = None,
    rate: int = 48000,
    blocksize: int = 256,
    sink: Sink | None = None,
    wait: bool = True,
    midi_out: str | None = None,
    midi_clock: bool = False,
    audio: bool = True,
    companions: Sequence[Companion] = (),
    link: bool = False,
) -> Player:
    """Play a timeline through the sound card (or ``sink``); return the player.

    With ``wait`` it returns when the music has played out; Ctrl-C fades out and re-raises.
    ``midi_out`` names a MIDI output port (:func:`theme.live.sync.midiports.open_output`) that
    gets the notes, as a MIDI file of the timeline holds them, and with ``midi_clock`` the
    MIDI clock (:mod:`theme.live.sync.midi_out`). ``audio=False`` plays no sound: a clock that
    follows the system's (:class:`~theme.live.engine.sinks.ClockedSink`) drives the MIDI. The
    player closes the port when it closes. ``link`` joins the Ableton Link session on the
    network and plays in its time (:func:`theme.live.sync.link.play_linked`): a music of one bar
    length and one tempo only.

    Threads: safe to call from several threads at once. A sound card plays one stream at a
    time: plays on the same device take turns, a second waiting until the first's stream
    closes (at the end of its music with ``wait``; when its player is stopped or closed, or
    its music has played out, without). A thread that plays again on a device it is still
    playing on (``wait=False``) gets an :class:`~theme.errors.AudioDeviceError` at once, not a
    wait for ever. Plays on different devices, or to their own ``sink``, run side by side.

    Raises:
        UsageError: ``link`` and music whose bar length or tempo changes.
        AudioDeviceError: no PortAudio, no output device, an unknown device, a device error,
            or this thread already playing on the device.
        MidiDeviceError: no python-rtmidi, or no such MIDI port.
        LinkError: ``link`` and aalink is not installed (``uv sync --extra sync``).
    """
    player = start_music(
        LiveMusic.of_timeline(timeline),
        link=timeline_link(timeline) if link else None,
        rate=rate,
        blocksize=blocksize,
        device=device,
        latency=latency,
        sink=sink,
        audio=audio,
        midi_out=midi_out,
        midi_clock=midi_clock,
        companions=companions,
    )
    if wait:
        try:
            player.wait()
        except KeyboardInterrupt:
            player.stop()
            raise
        player.close()
    return player


def start_music(
    music: LiveMusic,
    *,
    link: SyncCompanion | None = None,
    rate: int = 48000,
    blocksize: int = 256,
    device: str | int | None = None,
    latency: float | str | None = None,
    sink: Sink | None = None,
    audio: bool = True,
    midi_out: str | None = None,
    midi_clock: bool = False,
    companions: Sequence[Companion] = (),
) -> Player:
    """Start live music, the one way a variant, a metronome and a recording do:
    ``music.renderer(rate)`` makes its renderer at ``rate`` frames a second (the sink's, when
    one is given), played by :func:`~theme.live.engine.playback.start`; or, with ``link`` (a
    companion that follows an Ableton Link session or a MIDI clock master), its events are
    played in that session's time (:func:`~theme.live.sync.link.play_linked`). ``midi_out`` names a MIDI output port that gets the notes (and with
    ``midi_clock`` MIDI clock; ``midi_clock`` alone sends only the clock, to
    ``THEME_MIDI_OUT``'s port); ``audio=False`` plays on a clock that follows the system's
    (:class:`~theme.live.engine.sinks.ClockedSink`) instead of the sound card. Whatever was opened
    is closed again when the start fails; the player closes it when it closes.

    Raises:
        AudioDeviceError: no PortAudio, no output device, an unknown device, a device error.
        MidiDeviceError: no python-rtmidi, or no such MIDI port.
    """
    companions = list(companions)
    if midi_out is not None or midi_clock:
        companions.append(MidiOut.open(midi_out, notes=midi_out is not None, clock=midi_clock))
    if sink is None and not audio:
        sink = ClockedSink(rate=rate, blocksize=blocksize)
    try:
        if link is not None:
            if music.events is None:
                raise UsageError("this music cannot be played in a Link session's time")
            if sink is None:
                sink = SoundDeviceSink(
                    rate=rate, blocksize=blocksize, device=device, latency=latency
                )
            return play_linked(
                link,
                events=music.events,
                layers=music.layers,
                end_quarter=music.end_quarter,
                sink=sink,
                companions=companions,
            )
        return start(
            music.renderer(rate if sink is None else sink.rate),
            device=device,
            latency=latency,
            blocksize=blocksize,
            sink=sink,
            companions=companions,
        )
    except BaseException:
        for companion in reversed(companions):
            companion.close()
        raise
