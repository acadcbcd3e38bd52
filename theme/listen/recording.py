"""A teacher's own recording, read as a stream: its length checked before any decoding, then
decoded block by block (libsndfile: WAV, FLAC, Ogg, MP3...) into one mono signal at a low
rate for the analysis, so memory holds about 44 kB a second of music whatever the file.

Nothing of the recording is kept by the library: the analysis keeps its beat times, and a
page made from it embeds the user's own sound in the user's own page
(:func:`ogg_bytes`).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from theme.errors import InputFileError, UsageError

__all__ = [
    "ANALYSIS_RATE",
    "BLOCK_FRAMES",
    "MAX_RECORDING_SECONDS",
    "RecordingInfo",
    "analysis_signal",
    "ogg_bytes",
    "read_blocks",
    "recording_info",
    "require_listen_extra",
]

LISTEN_LIBRARIES = ("soxr",)
"""What the analysis needs beyond the project's own dependencies: the optional extra
``listen`` (soxr, a resampler of about 1 MB)."""


def require_listen_extra() -> None:
    """Check that the extra ``listen`` is installed, without importing it.

    Raises:
        UsageError: one of :data:`LISTEN_LIBRARIES` is missing; the message says how to
            install them.
    """
    from importlib.util import find_spec

    missing = []
    for name in LISTEN_LIBRARIES:
        try:
            found = find_spec(name)
        except (ImportError, ValueError):
            found = None
        if found is None:
            missing.append(name)
    if missing:
        raise UsageError(
            f"theme listen needs {' and '.join(missing)}, not installed: install the extra with "
            "'uv sync --extra listen' (or pip install 'theme[listen]')"
        )


ANALYSIS_RATE = 11025
"""Samples a second of the mono signal the beats are found in: a quarter of a CD's rate
keeps everything up to 5.5 kHz, where drums and attacks are heard."""

MAX_RECORDING_SECONDS = 20 * 60
"""The longest recording analysed, in seconds (20 minutes)."""

BLOCK_FRAMES = 65536
"""Frames decoded at a time (1.5 s at 44.1 kHz)."""


@dataclass(frozen=True)
class RecordingInfo:
    """What the file's header says: its path, ``rate`` (samples a second), ``channels``,
    ``frames`` and ``format`` (libsndfile's name: WAV, FLAC, OGG, MP3...)."""

    path: Path
    rate: int
    channels: int
    frames: int
    format: str

    @property
    def seconds(self) -> float:
        """The length in seconds."""
        return self.frames / self.rate


def _unreadable(path: Path, exc: BaseException) -> InputFileError:
    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return InputFileError(
        f"cannot read {str(path)!r} as a recording ({reason[:160]}): expected a sound file "
        "such as WAV, FLAC, Ogg or MP3"
    )


def recording_info(path: str | Path) -> RecordingInfo:
    """The header of a sound file, its length checked.

    Raises:
        InputFileError: no such file, or not a sound file libsndfile reads.
        UsageError: longer than :data:`MAX_RECORDING_SECONDS` (read from the header, before
            any decoding), or empty.
    """
    import soundfile

    path = Path(path)
    try:
        info = soundfile.info(str(path))
    except (OSError, RuntimeError, ValueError, soundfile.SoundFileError) as exc:
        raise _unreadable(path, exc) from exc
    found = RecordingInfo(
        path, int(info.samplerate), int(info.channels), int(info.frames), info.format
    )
    if found.rate <= 0 or found.channels <= 0:
        raise _unreadable(path, ValueError("no sample rate or no channel"))
    check_length(found.seconds, path)
    return found


def check_length(seconds: float, path: Path) -> None:
    """Refuse a recording longer than :data:`MAX_RECORDING_SECONDS`, or with no sound."""
    if seconds > MAX_RECORDING_SECONDS:
        raise UsageError(
            f"invalid recording {str(path)!r}: it lasts {seconds / 60:.1f} minutes; "
            f"theme listen reads at most {MAX_RECORDING_SECONDS // 60} minutes "
            "(cut the part to teach with an audio editor)"
        )
    if seconds <= 0:
        raise UsageError(f"invalid recording {str(path)!r}: it holds no sound")


def read_blocks(info: RecordingInfo) -> Iterator[np.ndarray]:
    """The file's frames as float32 (frames, channels) blocks, length re-checked as decoded
    (an MP3's header may only estimate it)."""
    import soundfile

    decoded = 0
    limit = int(MAX_RECORDING_SECONDS * info.rate)
    try:
        with soundfile.SoundFile(str(info.path)) as sound:
            while True:
                block = sound.read(BLOCK_FRAMES, dtype="float32", always_2d=True)
                if not len(block):
                    return
                decoded += len(block)
                if decoded > limit:
                    check_length(decoded / info.rate, info.path)
                yield block
    except (OSError, RuntimeError, soundfile.SoundFileError) as exc:
        raise _unreadable(info.path, exc) from exc


def analysis_signal(info: RecordingInfo, rate: int = ANALYSIS_RATE) -> np.ndarray:
    """The whole recording as one mono float32 signal at ``rate`` samples a second,
    decoded and resampled block by block (the file is never held whole at its own rate).

    Raises:
        UsageError: the extra ``listen`` is not installed (:func:`require_listen_extra`).
    """
    require_listen_extra()
    import soxr

    stream = soxr.ResampleStream(info.rate, rate, 1, dtype="float32")
    parts = []
    for block in read_blocks(info):
        parts.append(stream.resample_chunk(block.mean(axis=1, dtype=np.float32)))
    parts.append(stream.resample_chunk(np.zeros(0, dtype=np.float32), last=True))
    signal = np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)
    if not len(signal):
        raise UsageError(f"invalid recording {str(info.path)!r}: it holds no sound")
    return signal


PAGE_RATE = 44100
"""The rate of the recording a page embeds."""


def ogg_bytes(info: RecordingInfo, *, quality: float = 0.4) -> bytes:
    """The recording as Ogg Vorbis (stereo at most, :data:`PAGE_RATE`), encoded block by
    block, for the user's own page (about 12 kB a second); ``quality`` 0 to 1."""
    require_listen_extra()
    import soundfile
    import soxr

    channels = min(info.channels, 2)
    stream = soxr.ResampleStream(info.rate, PAGE_RATE, channels, dtype="float32")
    out = io.BytesIO()
    with soundfile.SoundFile(
        out,
        "w",
        samplerate=PAGE_RATE,
        channels=channels,
        format="OGG",
        subtype="VORBIS",
        compression_level=1 - quality,
    ) as sink:
        for block in read_blocks(info):
            sink.write(np.ascontiguousarray(stream.resample_chunk(block[:, :channels])))
        sink.write(stream.resample_chunk(np.zeros((0, channels), dtype=np.float32), last=True))
    return out.getvalue()
