"""Rendering through FluidSynth with a SoundFont: an optional extra for realistic instruments.

Needs the ``pyfluidsynth`` package (``uv pip install pyfluidsynth``) and the FluidSynth
library (Debian: ``libfluidsynth3``). The built-in synthesizer stays the default; this one
is chosen with ``--soundfont FILE.sf2``. FluidSynth applies note events at the start of its
internal 64-sample blocks, so onsets here may be up to 63 samples late; the built-in
synthesizer's are exact.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np

from theme.errors import InputFileError, ThemeError
from theme.timeline import Timeline

__all__ = ["fluid_blocks"]


def fluid_blocks(timeline: Timeline, soundfont: Path, *, rate: int) -> Iterator[np.ndarray]:
    """The timeline rendered by FluidSynth, as float32 (frames, 2) blocks.

    Raises:
        ThemeError: pyfluidsynth is not installed.
        InputFileError: the SoundFont cannot be read.
    """
    try:
        import fluidsynth
    except (ImportError, OSError) as exc:
        raise ThemeError(
            "--soundfont needs pyfluidsynth and the FluidSynth library: "
            "uv pip install pyfluidsynth; apt-get install libfluidsynth3 "
            f"({exc.__class__.__name__}); or leave out --soundfont for the built-in synthesizer"
        ) from None
    if not soundfont.is_file():
        raise InputFileError(f"cannot read SoundFont {str(soundfont)!r}: no such file")
    synth = fluidsynth.Synth(samplerate=float(rate))
    font = synth.sfload(str(soundfont))
    if font == -1:
        raise InputFileError(f"cannot read SoundFont {str(soundfont)!r}: not a SoundFont")
    for layer in timeline.layers.values():
        synth.program_select(
            layer.midi_channel, font, 128 if layer.drum else 0, 0 if layer.drum else layer.program
        )
    changes: list[tuple[int, int, int, int, int]] = []  # (sample, order, channel, note, velocity)
    for event in timeline.events:
        channel = timeline.layers[event.layer].midi_channel
        on = timeline.tempo_map.sample_at(event.onset, rate)
        off = timeline.tempo_map.sample_at(event.onset + event.duration, rate)
        changes += [
            (off, 0, channel, event.pitch, 0),
            (on, 1, channel, event.pitch, event.velocity),
        ]
    changes.sort()
    now = 0
    for at, _, channel, note, velocity in changes:
        if at > now:
            yield _samples(synth, at - now)
            now = at
        if velocity:
            synth.noteon(channel, note, velocity)
        else:
            synth.noteoff(channel, note)
    yield _samples(synth, timeline.tempo_map.sample_at(timeline.length, rate) - now + rate)
    synth.delete()


def _samples(synth: object, frames: int) -> np.ndarray:
    data = np.asarray(synth.get_samples(frames), dtype=np.float32)  # type: ignore[attr-defined]
    return data.reshape(-1, 2) / 32768.0
