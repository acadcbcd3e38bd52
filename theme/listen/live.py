"""The recording played live through the sound card, the project's one way
(:func:`theme.live.start.start_music`): a renderer that streams the teacher's file block
by block, the clicks of the beat map mixed in if asked; the line that shows the bar, the
count and the beat light as it plays; and the taps of a teacher who taps the first beat of
each bar, placed on the player's clock (the frame heard at the speaker when the key comes),
as ``theme tap`` places its taps.
"""

from __future__ import annotations

import select
from collections.abc import Callable, Iterator
from fractions import Fraction
from typing import TextIO

import numpy as np

from theme.core.timeline import Timeline
from theme.listen.beatmap import BeatMap
from theme.listen.recording import RecordingInfo, read_blocks, require_listen_extra
from theme.live.engine.playback import Player
from theme.metronome.display import meter_row
from theme.renderers.audio import BlockRenderer
from theme.terminal import KeySource, TerminalKeys, is_terminal

__all__ = [
    "DONE_KEYS",
    "RecordingRenderer",
    "RecordingStream",
    "count_line",
    "take_taps",
]

RECORDING_GAIN = 0.9
"""The recording's level in the mix (the clicks keep their own)."""

DONE_KEYS = ("q", "\x1b", "\n", "\r")
"""Keys that end the tapping (q, Escape, Enter); any other key is a tap."""


class RecordingStream:
    """The recording as stereo float32 frames at ``rate``, decoded and resampled as they
    are read (:meth:`read`): a few blocks in memory, whatever the file's length."""

    def __init__(self, info: RecordingInfo, rate: int):
        require_listen_extra()
        import soxr

        self.rate = rate
        self._resample = soxr.ResampleStream(info.rate, rate, 2, dtype="float32")
        self._blocks: Iterator[np.ndarray] = read_blocks(info)
        self._pending = np.zeros((0, 2), dtype=np.float32)
        self._decoded = False
        self.done = False
        """True once every frame has been read."""

    def _more(self) -> bool:
        block = next(self._blocks, None)
        if block is None:
            tail = self._resample.resample_chunk(np.zeros((0, 2), np.float32), last=True)
            self._pending = np.concatenate([self._pending, tail])
            return False
        stereo = block[:, :2] if block.shape[1] >= 2 else np.repeat(block[:, :1], 2, axis=1)
        self._pending = np.concatenate(
            [self._pending, self._resample.resample_chunk(np.ascontiguousarray(stereo))]
        )
        return True

    def read(self, frames: int) -> np.ndarray:
        """The next ``frames`` frames (fewer at the end, none after it)."""
        while len(self._pending) < frames and not self._decoded:
            self._decoded = not self._more()
        out, self._pending = self._pending[:frames], self._pending[frames:]
        self.done = self._decoded and not len(self._pending)
        return out


class RecordingRenderer(BlockRenderer):
    """A renderer that plays the recording from its first frame, with the beat map's clicks
    (``music``'s events) mixed in when ``click``; the music ends when the recording does.
    Without ``music`` (while the teacher taps bar 1) its clock counts seconds.
    Frame ``f`` of the output is frame ``f`` of the recording: the music's tempo map, whose
    quarter 0 is the recording's start, is the clock of the count."""

    def __init__(
        self, info: RecordingInfo, *, rate: int, music: Timeline | None = None, click: bool = False
    ):
        from theme.core.tempo import TempoMap

        super().__init__(
            music.events if music is not None and click else (),
            layers=music.layers if music is not None else {},
            tempo_map=music.tempo_map if music is not None else TempoMap.constant(Fraction(60)),
            rate=rate,
        )
        self.recording = RecordingStream(info, self.rate)

    def fill(self, out: np.ndarray) -> int:
        start = self.frame
        super().fill(out)
        sound = self.recording.read(len(out))
        out[: len(sound)] += RECORDING_GAIN * sound
        np.clip(out, -1.0, 1.0, out=out)
        self.frame = start + len(sound)
        return len(sound)

    @property
    def finished(self) -> bool:
        return self.recording.done


def count_line(beatmap: BeatMap, music: Timeline) -> Callable[[float], str]:
    """The line shown while the recording plays, from the seconds heard: the bar (bar 1 the
    beat map's first; the lead-in before it), the meter, the beat and the beat light (the
    bar's beats, the one heard lit).

    >>> from theme.core.meter import Meter
    >>> beats = tuple(0.5 * k for k in range(1, 12))
    >>> beatmap = BeatMap(beats, (1, 6), (Meter.parse("5/4"), Meter.parse("5/4")), 6.0)
    >>> line = count_line(beatmap, beatmap.timeline(click=False))
    >>> line(0.55)  # the lead-in: a bar of two beats before bar 1
    'lead-in            beat 2  ▲ ●'
    >>> line(2.05)
    'bar   1/2  5/4     beat 3  ▲ · ● | △ ·'
    """
    lead = sum(1 for bar in music.bars if bar.section == "lead-in")
    total = len(music.bars) - lead

    def line_at(seconds: float) -> str:
        number, beat = music.bar_beat_at_seconds(seconds)
        bar = music.bars[number - 1]
        pulse = min(int(beat) - 1, bar.meter.numerator - 1)
        light = meter_row(bar.meter, pulse)
        if number <= lead:
            return f"{'lead-in':<18} beat {pulse + 1}  {light}"
        return f"bar {number - lead:>3}/{total}  {bar.meter!s:<7} beat {pulse + 1}  {light}"

    return line_at


def take_taps(
    player: Player,
    keys: KeySource,
    *,
    out: TextIO | None = None,
    calibration: Fraction = Fraction(0),
    refresh_seconds: float = 0.005,
) -> list[float]:
    """Taps on ``keys`` while ``player`` plays the recording, until a key of
    :data:`DONE_KEYS` or the recording's end: each the second of the recording heard when
    the key came (the player's clock, as ``theme tap`` places a tap), less ``calibration``
    (seconds). Each tap is shown on ``out`` (in place on a terminal). Ctrl-C stops the
    player and passes on."""
    rate = player.rate
    taps: list[float] = []
    tty = out is not None and is_terminal(out)
    try:
        while player.active:
            frame = player.heard_frame()
            key = keys.poll(frame / rate)
            if key in DONE_KEYS:
                break
            if key is not None:
                taps.append(float(Fraction(frame, rate) - calibration))
                if out is not None:
                    said = f"tap {len(taps)} at {taps[-1]:.2f} s"
                    out.write(f"\r\x1b[2K{said}" if tty else said + "\n")
                    out.flush()
            if isinstance(keys, TerminalKeys) and keys._saved is not None:
                select.select([keys.stream], [], [], refresh_seconds)  # a key wakes it at once
                player.check()
            elif refresh_seconds > 0:
                player.wait(refresh_seconds)
        player.check()
    finally:
        player.stop()
        if tty and taps and out is not None:
            out.write("\n")
    return taps
