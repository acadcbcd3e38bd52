"""Rendering through FluidSynth with a SoundFont: an optional extra for realistic instruments.

Needs the ``pyfluidsynth`` package (``uv pip install pyfluidsynth``) and the FluidSynth
library (Debian: ``libfluidsynth3``). The built-in synthesizer stays the default; this one
is chosen with ``--soundfont FILE.sf2``. FluidSynth applies note events at the start of its
internal 64-sample blocks, so onsets here may be up to 63 samples late; the built-in
synthesizer's are exact.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from theme.core.timeline import Timeline
from theme.errors import InputFileError, ThemeError

__all__ = ["fluid_blocks", "quiet_stderr"]

BLOCK_FRAMES = 4096
"""The most frames asked of FluidSynth at once, so a long rest needs no large buffer."""


@contextlib.contextmanager
def quiet_stderr() -> Iterator[list[str]]:
    """Capture what C libraries write to the process's standard error (file descriptor 2)
    while the block runs; the list yielded gets its lines at the end. FluidSynth prints its
    warnings there, around the command's one line."""
    lines: list[str] = []
    fd = 2  # the C libraries' stderr, whatever sys.stderr is now
    try:
        os.fstat(fd)
    except OSError:  # no stderr at all: nothing to capture
        yield lines
        return
    with contextlib.suppress(AttributeError, OSError, ValueError):
        sys.stderr.flush()
    saved = os.dup(fd)
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), fd)
        try:
            yield lines
        finally:
            os.dup2(saved, fd)
            os.close(saved)
            sink.seek(0)
            lines += sink.read().decode("utf-8", "replace").splitlines()


def fluid_blocks(timeline: Timeline, soundfont: Path, *, rate: int) -> Iterator[np.ndarray]:
    """The timeline rendered by FluidSynth, as float32 (frames, 2) blocks of at most
    :data:`BLOCK_FRAMES` frames. FluidSynth's own messages on stderr are captured; the first
    is part of the error when the SoundFont cannot be read.

    Raises:
        ThemeError: pyfluidsynth is not installed.
        InputFileError: the SoundFont cannot be read.
    """
    with quiet_stderr():
        try:
            import fluidsynth
        except (ImportError, OSError) as exc:
            raise ThemeError(
                "--soundfont needs pyfluidsynth and the FluidSynth library: "
                "uv pip install pyfluidsynth; apt-get install libfluidsynth3 "
                f"({exc.__class__.__name__}); or leave out --soundfont for the built-in "
                "synthesizer"
            ) from None
    if not soundfont.is_file():
        raise InputFileError(f"cannot read SoundFont {str(soundfont)!r}: no such file")
    with quiet_stderr() as said:
        synth = fluidsynth.Synth(samplerate=float(rate))
        font = synth.sfload(str(soundfont))
    try:
        if font == -1:
            detail = f" ({said[0].strip()})" if said else ""
            raise InputFileError(
                f"cannot read SoundFont {str(soundfont)!r}: not a SoundFont{detail}"
            )
        yield from _render(synth, font, timeline, rate)
    finally:
        with quiet_stderr():
            synth.delete()


def _render(synth: object, font: int, timeline: Timeline, rate: int) -> Iterator[np.ndarray]:
    s: Any = synth
    for layer in timeline.layers.values():
        s.program_select(
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
            yield from _samples(s, at - now)
            now = at
        if velocity:
            s.noteon(channel, note, velocity)
        else:
            s.noteoff(channel, note)
    yield from _samples(s, timeline.tempo_map.sample_at(timeline.length, rate) - now + rate)


def _samples(synth: Any, frames: int) -> Iterator[np.ndarray]:
    """``frames`` frames from FluidSynth, in blocks of at most :data:`BLOCK_FRAMES`."""
    while frames > 0:
        n = min(frames, BLOCK_FRAMES)
        data = np.asarray(synth.get_samples(n), dtype=np.float32)
        yield data.reshape(-1, 2) / 32768.0
        frames -= n
