"""A folder of output files made aside and moved into place only when complete.

:func:`folder_aside` yields a temporary folder beside the target; when the block ends
without an error its files go into place, and on any error the temporary folder is removed
and the target is left as it was. ``whole=True`` swaps the whole folder (a tour), so a
folder is only ever replaced by a complete one; ``whole=False`` moves each file in, leaving
the folder's other files alone (one step of a tour beside the others).

A folder that holds files other than ``replaceable`` ones is never replaced: it may be a
user's own folder given by mistake (``--out ~/Documents``).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from theme.errors import OutputFileError
from theme.output import current_umask

__all__ = ["folder_aside"]


def _check_replaceable(target: Path, replaceable: re.Pattern[str]) -> None:
    if not target.exists():
        return
    if not target.is_dir():
        raise OutputFileError(f"cannot write the folder {str(target)!r}: it is a file")
    others = sorted(p.name for p in target.iterdir() if not replaceable.fullmatch(p.name))
    if others:
        raise OutputFileError(
            f"cannot write the folder {str(target)!r}: it holds other files ({others[0]!r}"
            f"{' ...' if len(others) > 1 else ''}); give a new or empty folder, or an earlier one"
            " of the same kind"
        )


@contextlib.contextmanager
def folder_aside(
    folder: str | os.PathLike[str], *, whole: bool, replaceable: re.Pattern[str]
) -> Iterator[Path]:
    """Yield a temporary folder beside ``folder``; on success put its files in place (see
    the module docstring).

    Raises:
        OutputFileError: the parent folder is missing or not writable, ``folder`` is a file,
            or (``whole``) it holds files that do not match ``replaceable``.
    """
    target = Path(folder)
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        raise OutputFileError(
            f"cannot write the folder {str(target)!r}: the folder {str(parent)!r} does not exist"
        )
    if whole:
        _check_replaceable(target, replaceable)
    elif target.exists() and not target.is_dir():
        raise OutputFileError(f"cannot write the folder {str(target)!r}: it is a file")
    try:
        aside = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=parent))
    except OSError as exc:
        raise OutputFileError(f"cannot write the folder {str(target)!r}: {exc.strerror}") from exc
    try:
        try:
            yield aside
        except OutputFileError as exc:  # name the folder the user gave, not the hidden one
            raise OutputFileError(str(exc).replace(str(aside), str(target))) from exc
        try:
            if whole:
                _swap(aside, target)
            else:
                target.mkdir(exist_ok=True)
                for path in sorted(aside.iterdir()):
                    os.replace(path, target / path.name)
        except OSError as exc:
            raise OutputFileError(
                f"cannot write the folder {str(target)!r}: {exc.strerror}"
            ) from exc
    finally:
        shutil.rmtree(aside, ignore_errors=True)


def _swap(aside: Path, target: Path) -> None:
    """Put the folder ``aside`` at ``target``, the old one (if any) removed only after."""
    os.chmod(aside, 0o777 & ~current_umask())
    if not target.exists():
        os.rename(aside, target)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=target.parent))
    os.rmdir(old)
    os.rename(target, old)
    try:
        os.rename(aside, target)
    except OSError:
        os.rename(old, target)
        raise
    shutil.rmtree(old, ignore_errors=True)
