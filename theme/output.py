"""Safe output files: written to a temporary file beside the target, then renamed.

An error half-way leaves no partial file and never damages a file that was there before.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from theme.errors import OutputFileError

__all__ = ["atomic_path", "check_output", "output_format"]


def output_format(path: str | os.PathLike[str], allowed: Iterable[str]) -> str:
    """The format of an output path from its extension, one of ``allowed`` (without dots).

    Raises:
        OutputFileError: the extension is not one of ``allowed``.

    >>> output_format("song.MID", ["mid", "musicxml"])
    'mid'
    """
    allowed = list(allowed)
    name = Path(path).name.lower()
    for ext in sorted(allowed, key=len, reverse=True):
        if name.endswith("." + ext):
            return ext
    raise OutputFileError(
        f"unknown output format {str(path)!r}: expected a file ending in "
        + ", ".join("." + a for a in allowed)
    )


def check_output(path: str | os.PathLike[str]) -> Path:
    """Check that ``path`` can be written: its folder exists and is writable, and it is not a
    folder itself.

    Raises:
        OutputFileError: naming the path and what is wrong.
    """
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if target.is_dir():
        raise OutputFileError(f"cannot write {str(path)!r}: it is a folder; give a file name")
    if not folder.is_dir():
        raise OutputFileError(
            f"cannot write {str(path)!r}: the folder {str(folder)!r} does not exist"
        )
    if not os.access(folder, os.W_OK):
        raise OutputFileError(
            f"cannot write {str(path)!r}: no permission to write in {str(folder)!r}"
        )
    return target


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success rename it onto ``path``.

    The temporary file keeps the target's extension, so libraries that choose a format from
    the name (soundfile, music21) still see it. On any error the temporary file is removed
    and ``path`` is left as it was.

    Raises:
        OutputFileError: the folder is missing or not writable.
    """
    target = check_output(path)
    suffix = "".join(target.suffixes[-2:]) or ".tmp"
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=suffix, dir=target.parent)
    except OSError as exc:
        raise OutputFileError(f"cannot write {str(path)!r}: {exc.strerror}") from exc
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        try:
            mode = 0o666 & ~_umask()
            os.chmod(tmp_path, mode)
            os.replace(tmp_path, target)
        except OSError as exc:
            raise OutputFileError(f"cannot write {str(path)!r}: {exc.strerror}") from exc
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp_path.unlink()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
