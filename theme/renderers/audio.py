"""Audio from a timeline: a block renderer that places every note on its exact sample.

:class:`BlockRenderer` turns a sorted (possibly endless) stream of :class:`Event` into
stereo float32 blocks. Each event starts at ``tempo_map.sample_at(event.onset, rate)``:
the exact time of its absolute position, rounded once (:func:`theme.core.tempo.to_sample`).
Files and live playback use the same renderer, block by block, so an hour of audio needs no
more memory than a minute, and the sound card hears exactly what a file holds.

The mix never clips: a fixed master gain, then a soft knee above 0.8 that keeps every sample
within +-0.999; below the knee the mix is linear.

Audio files (``.wav``, ``.flac``, ``.ogg``) and encoded bytes for pages are written by
:mod:`theme.renderers.audiofile`, which uses this renderer.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from fractions import Fraction

import numpy as np

from theme.core.meter import AccentLevel
from theme.core.tempo import TempoMap
from theme.core.timeline import Event, Layer, Timeline
from theme.errors import UsageError

from .voices import waveform

__all__ = [
    "RATES",
    "BlockRenderer",
    "check_rate",
    "render",
    "schedule",
    "soft_limit",
]


RATES = (44100, 48000)
"""The sample rates offered, in samples a second."""

MASTER_GAIN = 0.32
KNEE = 0.8
LEAD_STEP = 0.01
"""Held lead notes are cached by length in steps of this many seconds."""
BLOCK_FRAMES = 4096


def check_rate(rate: int) -> int:
    """The rate if it is one of :data:`RATES`.

    Raises:
        UsageError: any other rate.
    """
    if rate not in RATES:
        raise UsageError(f"invalid sample rate {rate!r}: expected 44100 or 48000")
    return rate


def soft_limit(block: np.ndarray) -> None:
    """Keep every sample inside (-1, 1), in place: linear below 0.8, a tanh knee above.

    >>> b = np.array([0.5, 0.9, -3.0], dtype=np.float32); soft_limit(b); bool(abs(b).max() < 1)
    True
    """
    loud = np.abs(block) > KNEE
    if loud.any():
        x = block[loud]
        headroom = 1 - KNEE - 1e-3  # the knee tops out at 0.999, never full scale
        block[loud] = np.sign(x) * (KNEE + headroom * np.tanh((np.abs(x) - KNEE) / headroom))


def schedule(
    events: Iterable[Event], tempo_map: TempoMap, rate: int
) -> Iterator[tuple[int, Event]]:
    """``(first sample, event)`` for each event: the sample is computed from the event's
    absolute position, ``round(seconds_at(onset) * rate)``, never by adding up durations.
    The block renderer places every event where this says."""
    for event in events:
        yield tempo_map.sample_at(event.onset, rate), event


class BlockRenderer:
    """Render a sorted stream of events block by block (see the module docstring).

    ``events`` must be sorted by onset and may be endless; it is read only as far as each
    block needs. ``layers`` name each event's voice, pan and gain. ``end_quarter`` (quarter
    notes) is where the music stops: the rendering ends when it is reached and the last
    notes have rung out; with None it ends when the events do.
    """

    def __init__(
        self,
        events: Iterable[Event],
        *,
        layers: Mapping[str, Layer],
        tempo_map: TempoMap,
        rate: int = 48000,
        end_quarter: Fraction | None = None,
    ):
        self.rate = check_rate(rate)
        self.layers = dict(layers)
        self.frame = 0
        """The first frame of the next block."""
        self.begun: list[tuple[int, Event]] = []
        """``(frame, event)`` for each event that started in the last block filled, silent
        ones too (what a MIDI output sends)."""
        self._active: list[tuple[int, np.ndarray, float, float]] = []
        self._end_frame: int | None = None
        self._set_source(events, tempo_map, end_quarter)
        self._pan = {
            name: (math.cos((layer.pan + 1) * math.pi / 4), math.sin((layer.pan + 1) * math.pi / 4))
            for name, layer in self.layers.items()
        }

    @classmethod
    def for_timeline(cls, timeline: Timeline, *, rate: int = 48000) -> BlockRenderer:
        """A renderer of a whole timeline, ending at its last barline plus the ring-out."""
        return cls(
            timeline.events,
            layers=timeline.layers,
            tempo_map=timeline.tempo_map,
            rate=rate,
            end_quarter=timeline.length,
        )

    def _set_source(
        self, events: Iterable[Event], tempo_map: TempoMap, end_quarter: Fraction | None
    ) -> None:
        self.tempo_map = tempo_map
        self._events: Iterator[tuple[int, Event]] = schedule(events, tempo_map, self.rate)
        self._next: tuple[int, Event] | None = None
        self._exhausted = False
        self._end_frame = (
            None if end_quarter is None else tempo_map.sample_at(end_quarter, self.rate)
        )
        self._advance()

    def _advance(self) -> None:
        for scheduled in self._events:
            self._next = scheduled
            return
        self._next = None
        self._exhausted = True

    def replace_events(
        self,
        events: Iterable[Event],
        tempo_map: TempoMap,
        *,
        from_frame: int | None = None,
        end_quarter: Fraction | None = None,
    ) -> None:
        """From ``from_frame`` on (default: the next block), play ``events`` with
        ``tempo_map`` instead; notes already sounding ring on. Events that would start
        before ``from_frame`` are skipped. Used by the metronome for live tempo changes."""
        start = self.frame if from_frame is None else from_frame
        self._set_source(events, tempo_map, end_quarter)
        while self._next is not None and self._next[0] < start:
            self._advance()

    @property
    def end_frame(self) -> int | None:
        """The frame of the music's end (its last barline), or None for endless music."""
        return self._end_frame

    @property
    def finished(self) -> bool:
        """True when every event has been rendered and has rung out."""
        done = self._exhausted and self._next is None and not self._active
        return done and (self._end_frame is None or self.frame >= self._end_frame)

    def _sound(self, event: Event) -> tuple[np.ndarray, float, float] | None:
        layer = self.layers.get(event.layer)
        if layer is None or event.accent == AccentLevel.SILENT or event.velocity <= 0:
            return None
        if layer.voice == "lead":
            seconds = float(
                self.tempo_map.seconds_at(event.onset + event.duration)
                - self.tempo_map.seconds_at(event.onset)
            )
            wave = waveform(
                "lead", event.pitch, self.rate, seconds=round(seconds / LEAD_STEP) * LEAD_STEP
            )
        else:
            wave = waveform(layer.voice, event.pitch, self.rate, accent=int(event.accent))
        gain = MASTER_GAIN * layer.gain * (event.velocity / 127) ** 1.4
        left, right = self._pan[event.layer]
        return wave, gain * left, gain * right

    def fill(self, out: np.ndarray) -> int:
        """Render the next ``len(out)`` frames into ``out`` (float32, shape (frames, 2)).

        Returns the number of frames of music written; fewer than ``len(out)`` (the rest
        zeroed) once the music has ended and rung out, 0 after that.
        """
        n = len(out)
        out.fill(0.0)
        start, stop = self.frame, self.frame + n
        self.begun = []
        while self._next is not None and self._next[0] < stop:
            at, event = self._next
            self.begun.append(self._next)
            sound = self._sound(event)
            if sound is not None:
                self._active.append((at, *sound))
            self._advance()
        still = []
        sound_end = start
        for at, wave, left, right in self._active:
            a, b = max(at, start), min(at + len(wave), stop)
            if b > a:
                segment = wave[a - at : b - at]
                out[a - start : b - start, 0] += segment * left
                out[a - start : b - start, 1] += segment * right
            if at + len(wave) > stop:
                still.append((at, wave, left, right))
            sound_end = max(sound_end, b)
        self._active = still
        soft_limit(out)
        if self._next is not None or self._active:
            end = stop
        else:  # the music ends in this block: at its last sound or its last barline
            end = min(stop, max(sound_end, self._end_frame or start))
        self.frame = end
        return end - start

    def blocks(self, frames: int = BLOCK_FRAMES) -> Iterator[np.ndarray]:
        """The rendering as successive blocks (the last one shortened), each a new array."""
        while not self.finished:
            block = np.empty((frames, 2), dtype=np.float32)
            written = self.fill(block)
            if written:
                yield block[:written]
            if written < frames:
                return


def render(timeline: Timeline, *, rate: int = 48000) -> np.ndarray:
    """The whole timeline as a float32 array of shape (frames, 2), ``rate`` frames a second.

    Raises:
        UsageError: a rate other than 44100 or 48000.
    """
    renderer = BlockRenderer.for_timeline(timeline, rate=rate)
    out = np.empty((timeline.tempo_map.sample_at(timeline.length, rate) + 2 * rate, 2), np.float32)
    position = 0
    while not renderer.finished:
        if position + BLOCK_FRAMES > len(out):
            out = np.concatenate([out, np.empty((10 * rate, 2), np.float32)])
        written = renderer.fill(out[position : position + BLOCK_FRAMES])
        position += written
        if written < BLOCK_FRAMES:
            break
    return out[:position]
