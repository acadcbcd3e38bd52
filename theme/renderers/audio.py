"""Audio from a timeline: a block renderer that places every note on its exact sample.

:class:`BlockRenderer` turns a sorted (possibly endless) stream of :class:`Event` into
stereo float32 blocks. Each event starts at ``tempo_map.sample_at(event.onset, rate)``:
the exact time of its absolute position, rounded once (:func:`theme.tempo.to_sample`).
Files and live playback use the same renderer, block by block, so an hour of audio needs no
more memory than a minute, and the sound card hears exactly what a file holds.

The mix never clips: a fixed master gain, then a soft knee above 0.8 that keeps every sample
within +-0.999; below the knee the mix is linear.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from theme.errors import OutputFileError, UsageError
from theme.meter import AccentLevel
from theme.output import Output, atomic_path, output_file, write_failed
from theme.tempo import TempoMap
from theme.timeline import Event, Layer, Timeline

from .voices import waveform

__all__ = [
    "RATES",
    "BlockRenderer",
    "audio_container",
    "encode_audio",
    "render",
    "schedule",
    "write_audio",
    "write_blocks",
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
        while self._next is not None and self._next[0] < stop:
            at, event = self._next
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


def encode_audio(timeline: Timeline, *, rate: int = 44100, kind: str = "ogg") -> bytes:
    """The timeline as the bytes of an audio file (``ogg``, ``flac`` or ``wav``), for pages
    and notebooks, encoded block by block like a file. Ogg Vorbis is about 8 kB a second.

    Raises:
        UsageError: another kind or rate.
    """
    import io

    if kind not in SUBTYPES:
        raise UsageError(f"invalid audio kind {kind!r}: expected ogg, flac or wav")
    buffer = io.BytesIO()
    renderer = BlockRenderer.for_timeline(timeline, rate=rate)
    _encode(renderer.blocks(), buffer, rate=rate, kind=kind, frames=_frames(timeline, rate))
    return buffer.getvalue()


SUBTYPES = {"wav": "PCM_16", "flac": "PCM_16", "ogg": "VORBIS"}
"""The libsndfile subtype written for each audio extension."""

CHANNELS = 2
WRITE_FRAMES = 1 << 16
"""The most frames handed to libsndfile in one call. One call with a minute of Ogg Vorbis
(about 2.3 million frames) crashes libvorbis, so every format is written in slices."""

WAV_MAX_BYTES = 2**32 - 1 - 4096
"""The most bytes of samples a WAV file holds: its header counts bytes in 32 bits (4 GiB),
less room for the header's own chunks."""

RING_OUT_SECONDS = 2
"""Seconds after the last barline that a rendering may ring on (an upper bound)."""


def audio_container(kind: str, frames: int | None, *, channels: int = CHANNELS) -> str:
    """The libsndfile container for an audio file of ``kind`` (wav, flac, ogg) holding
    ``frames`` frames (None: not known). A WAV whose samples pass 4 GiB (about 6.2 hours of
    16-bit stereo at 48000 Hz) is written as RF64, the WAV with 64-bit sizes that
    libsndfile, sox, ffmpeg and most editors read; a 32-bit WAV header would wrap around and
    readers would see a few minutes.

    >>> audio_container("wav", 48000 * 3600)
    'WAV'
    >>> audio_container("wav", 48000 * 7 * 3600)
    'RF64'
    >>> audio_container("flac", 48000 * 7 * 3600)
    'FLAC'
    """
    if kind == "wav" and frames is not None and frames > wav_max_frames(channels):
        return "RF64"
    return kind.upper()


def wav_max_frames(channels: int = CHANNELS) -> int:
    """The most frames of 16-bit audio in a WAV file (not RF64).

    >>> round(wav_max_frames() / 48000 / 3600, 1)  # hours at 48000 Hz
    6.2
    """
    return WAV_MAX_BYTES // (2 * channels)


def _frames(timeline: Timeline, rate: int) -> int:
    """An upper bound of the frames a rendering of ``timeline`` holds (with its ring-out)."""
    return timeline.tempo_map.sample_at(timeline.length, rate) + RING_OUT_SECONDS * rate


def _encode(
    blocks: Iterable[np.ndarray], sink: Any, *, rate: int, kind: str, frames: int | None
) -> None:
    """Encode float32 (frames, 2) blocks into ``sink`` (a path or a binary file object):
    the file opened once, the blocks written in slices of at most :data:`WRITE_FRAMES`.

    Raises:
        OutputFileError: a WAV of unknown length that outgrows :func:`wav_max_frames`.
        soundfile.SoundFileError: from libsndfile (the caller names the file).
    """
    import soundfile

    container = audio_container(kind, frames)
    limit = wav_max_frames() if container == "WAV" else None
    written = 0
    with soundfile.SoundFile(
        sink, "w", samplerate=rate, channels=CHANNELS, subtype=SUBTYPES[kind], format=container
    ) as out:
        for block in blocks:
            for start in range(0, len(block), WRITE_FRAMES):
                piece = block[start : start + WRITE_FRAMES]
                written += len(piece)
                if limit is not None and written > limit:
                    raise OutputFileError(
                        f"cannot write {_name(sink)!r}: longer than a WAV file holds "
                        f"({limit / rate / 3600:.1f} hours at {rate} Hz); write .flac instead"
                    )
                out.write(piece)


def _name(sink: Any) -> str:
    return str(getattr(sink, "name", sink))


def write_audio(
    timeline: Timeline,
    path: str | Path | Output,
    *,
    rate: int = 48000,
    soundfont: str | Path | None = None,
) -> Path:
    """Write ``.wav``, ``.flac`` or ``.ogg``, block by block (safely: a temporary file, then
    renamed). With ``soundfont`` (an .sf2 file) FluidSynth renders instead of the built-in
    synthesizer; it needs the optional ``pyfluidsynth`` package.

    Raises:
        OutputFormatError: another extension.
        OutputFileError: a missing folder, no permission, disk full, the file-size limit.
        UsageError: a rate other than 44100 or 48000.
        ThemeError: ``soundfont`` given but pyfluidsynth or the file is missing.
    """
    out = output_file(path, SUBTYPES)
    check_rate(rate)
    frames = _frames(timeline, rate)
    if soundfont is not None:
        from theme.renderers.fluid import fluid_blocks

        blocks = fluid_blocks(timeline, Path(soundfont), rate=rate)
        return write_blocks(blocks, out, rate=rate, frames=frames)
    blocks = BlockRenderer.for_timeline(timeline, rate=rate).blocks()
    return write_blocks(blocks, out, rate=rate, frames=frames)


def write_blocks(
    blocks: Iterable[np.ndarray] | BlockRenderer,
    path: str | Path | Output,
    *,
    rate: int,
    frames: int | None = None,
) -> Path:
    """Write float32 (frames, 2) blocks, or all that a :class:`BlockRenderer` renders, as
    ``.wav``, ``.flac`` or ``.ogg`` as they come, so memory stays flat however long the sound
    (an endless renderer needs an end quarter). ``frames``, when known (an upper bound is
    enough; a renderer with an end knows it), lets a WAV past 4 GiB be written as RF64
    (:func:`audio_container`); without it such a WAV is refused when it gets there.

    Raises:
        OutputFormatError: another extension.
        OutputFileError: a missing folder, no permission, disk full, the file-size limit.
    """
    import soundfile

    out = output_file(path, SUBTYPES)
    check_rate(rate)
    if isinstance(blocks, BlockRenderer):
        end = blocks._end_frame
        if frames is None and end is not None:
            frames = end + RING_OUT_SECONDS * rate
        blocks = blocks.blocks()
    with atomic_path(out) as tmp:
        try:
            _encode(blocks, str(tmp), rate=rate, kind=str(out.kind), frames=frames)
        except soundfile.SoundFileError as exc:
            raise write_failed(out, exc, tmp) from exc
    return Path(out)
