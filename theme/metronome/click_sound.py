"""A metronome's clicks as sound: the same :class:`~theme.renderers.audio.BlockRenderer` and
:class:`~theme.live.engine.playback.Player` as every variant, fed from the clicks' lazy stream.

An endless metronome streams: nothing is laid out ahead, so an hour of clicks needs no more
memory than a minute. Going on from a position (after a pause, or a tempo change of the live
loop) restarts the stream at 0 seconds with the rest of the tempo map
(:meth:`theme.core.tempo.TempoMap.after`), its ramps still ahead. numpy, the renderer and the
player are imported only inside the functions that need them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from fractions import Fraction
from typing import TYPE_CHECKING, Protocol

from theme.core.tempo import TempoMap
from theme.core.timeline import Event, Layer

if TYPE_CHECKING:
    from theme.live.engine.playback import Player
    from theme.live.engine.sinks import Sink
    from theme.live.sync.follow import SyncCompanion
    from theme.renderers.audio import BlockRenderer

__all__ = ["Clicks", "events_after", "play", "renderer"]


class Clicks(Protocol):
    """What the sound needs of a metronome (:class:`theme.metronome.Metronome` is one)."""

    @property
    def layers(self) -> dict[str, Layer]: ...

    @property
    def tempo_map(self) -> TempoMap: ...

    @property
    def end_quarter(self) -> Fraction | None: ...

    def events(self, *, from_quarter: Fraction = ...) -> Iterator[Event]: ...


def events_after(clicks: Clicks, at: Fraction, *, origin: Fraction) -> Iterator[Event]:
    """The clicks from ``at`` on (quarter notes), moved ``origin`` quarter notes earlier:
    what a player that began at ``origin`` plays from ``at``."""
    if origin == 0:
        return clicks.events(from_quarter=at)
    return (dataclasses.replace(e, onset=e.onset - origin) for e in clicks.events(from_quarter=at))


def renderer(
    clicks: Clicks,
    *,
    rate: int = 48000,
    from_quarter: Fraction = Fraction(0),
    tempo_map: TempoMap | None = None,
) -> BlockRenderer:
    """A block renderer of the clicks from ``from_quarter`` (quarter notes; it plays them
    from 0 seconds), on ``tempo_map`` (the whole map from the start; default the clicks'
    own), ``rate`` samples a second.

    Raises:
        UsageError: a rate other than 44100 or 48000.
    """
    from theme.renderers.audio import BlockRenderer

    whole = clicks.tempo_map if tempo_map is None else tempo_map
    ahead = whole if from_quarter == 0 else whole.after(from_quarter)
    end = clicks.end_quarter
    return BlockRenderer(
        events_after(clicks, from_quarter, origin=from_quarter),
        layers=clicks.layers,
        tempo_map=ahead,
        rate=rate,
        end_quarter=None if end is None else end - from_quarter,
    )


def play(
    clicks: Clicks,
    *,
    device: str | int | None = None,
    latency: float | str | None = None,
    rate: int = 48000,
    sink: Sink | None = None,
    midi_out: str | None = None,
    midi_clock: bool = False,
    audio: bool = True,
    link: SyncCompanion | None = None,
) -> Player:
    """Start playing the clicks through the sound card (or ``sink``, at its rate) and
    return the player (:func:`theme.live.start.start_music`). ``midi_out`` names a MIDI port
    that gets the clicks (and with ``midi_clock`` MIDI clock; ``midi_clock`` alone sends
    only the clock, to ``THEME_MIDI_OUT``'s port); ``audio=False`` plays no sound, on the
    system's clock. ``link`` (:func:`theme.live.sync.link.metronome_link`) plays in the time of an
    Ableton Link session (:func:`theme.live.sync.link.play_linked`), through the same start.

    Raises:
        AudioDeviceError: no PortAudio, no output device, a device error.
        MidiDeviceError: no python-rtmidi, or no such MIDI port.
    """
    from theme.live.start import LiveMusic, start_music

    music = LiveMusic(
        renderer=lambda rate: renderer(clicks, rate=rate),
        events=lambda at, origin: events_after(clicks, at, origin=origin),
        layers=clicks.layers,
        end_quarter=clicks.end_quarter,
    )
    return start_music(
        music,
        link=link,
        rate=rate,
        device=device,
        latency=latency,
        sink=sink,
        audio=audio,
        midi_out=midi_out,
        midi_clock=midi_clock,
    )
