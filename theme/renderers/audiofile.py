"""Audio files from a timeline or from blocks of samples: ``.wav``, ``.flac``, ``.ogg``, and
the same as bytes for pages and notebooks.

Every format is written block by block with one open file, in slices of at most
:data:`WRITE_FRAMES` (one call with a minute of Ogg Vorbis crashes libvorbis), so an hour
needs no more memory than a minute. A WAV whose samples would pass 4 GiB is RF64
(:func:`audio_container`). Files go through :func:`theme.output.atomic_path`; libsndfile's
"System error" is read back as the OSError behind it (a full disk, the file-size limit), so
the error line names the cause.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from theme.core.timeline import Timeline
from theme.errors import OutputFileError, UsageError
from theme.output import Output, atomic_path, output_file, quoted, write_failed

TYPE_CHECKING = False
if TYPE_CHECKING:
    from theme.renderers.audio import BlockRenderer

__all__ = [
    "SUBTYPES",
    "audio_container",
    "encode_audio",
    "wav_max_frames",
    "write_audio",
    "write_blocks",
]


def encode_audio(timeline: Timeline, *, rate: int = 44100, kind: str = "ogg") -> bytes:
    """The timeline as the bytes of an audio file (``ogg``, ``flac`` or ``wav``), for pages
    and notebooks, encoded block by block like a file. Ogg Vorbis is about 8 kB a second.

    Raises:
        UsageError: another kind or rate.
    """
    import io

    if kind not in SUBTYPES:
        raise UsageError(f"invalid audio kind {kind!r}: expected ogg, flac or wav")
    from theme.renderers.audio import BlockRenderer

    buffer = io.BytesIO()
    renderer = BlockRenderer.for_timeline(timeline, rate=rate)
    frames = _frames(timeline, rate)
    _encode(renderer.blocks(), buffer, rate=rate, kind=kind, frames=frames, name="the audio")
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
    blocks: Iterable[np.ndarray],
    sink: Any,
    *,
    rate: int,
    kind: str,
    frames: int | None,
    name: str,
) -> None:
    """Encode float32 (frames, 2) blocks into ``sink`` (a path or a binary file object):
    the file opened once, the blocks written in slices of at most :data:`WRITE_FRAMES`.
    ``name`` is what an error calls the output.

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
                        f"cannot write {quoted(name)}: longer than a WAV file holds "
                        f"({limit / rate / 3600:.1f} hours at {rate} Hz); write .flac instead"
                    )
                try:
                    out.write(piece)
                except soundfile.SoundFileError as exc:
                    cause = _system_error(out)
                    if cause is None:
                        raise
                    raise cause from exc


def _system_error(sink: Any) -> OSError | None:
    """The OSError behind libsndfile's "System error" (a full disk, the file-size limit), read
    from libsndfile's own message for the file; None when there is none."""
    import errno

    import soundfile

    try:
        text = soundfile._ffi.string(soundfile._snd.sf_strerror(sink._file)).decode()
    except (AttributeError, TypeError, UnicodeDecodeError):  # another soundfile version
        return None
    reason = text.partition(" : ")[2].strip().rstrip(".")
    for code in (errno.EFBIG, errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EROFS):
        if reason == os.strerror(code):
            return OSError(code, reason)
    return None


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
    from theme.renderers.audio import BlockRenderer, check_rate

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

    from theme.renderers.audio import BlockRenderer, check_rate

    out = output_file(path, SUBTYPES)
    check_rate(rate)
    if isinstance(blocks, BlockRenderer):
        end = blocks._end_frame
        if frames is None and end is not None:
            frames = end + RING_OUT_SECONDS * rate
        blocks = blocks.blocks()
    with atomic_path(out) as tmp:
        try:
            # bytes: soundfile encodes a str name strictly, which fails on a name the file
            # system's encoding spells only with escapes (an ASCII locale)
            path_bytes = os.fsencode(tmp)
            _encode(blocks, path_bytes, rate=rate, kind=str(out.kind), frames=frames, name=str(out))
        except soundfile.SoundFileError as exc:
            raise write_failed(out, exc, tmp) from exc
    return Path(out)
