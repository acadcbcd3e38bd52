"""Safe output files: the one place where an output path is checked and written.

:func:`output_file` checks a path once, before any work: its extension names a format the
caller writes, the name fits the file system, the folder is there and writable, and what is
there now may be replaced. It returns an :class:`Output`, which every writer accepts in place
of a path without checking it again.

:func:`atomic_path` yields a temporary file beside the target; when the block ends without
error the file is flushed to disk and renamed onto the target, so a reader sees the old file
or the whole new one, never a part. An error, Ctrl-C or SIGTERM (the CLI turns it into an
exception) removes the temporary file and leaves the old one as it was. The guarantees:

- a symlink is written through: its target is replaced (beside the target), the link stays;
- a file that is replaced keeps its permissions (and, for root, its owner);
- a file with more than one hard link is refused: replacing it would cut it off from its
  other names, and writing into it in place could leave it half-written;
- a name ending in ``/``, a folder, a device or pipe is refused; so is a name longer than the
  file system allows (usually 255 bytes), while the temporary name is kept within it;
- a folder that takes no new file (``/proc``, no free inodes) is found by making and removing
  a temporary file there when the path is checked, before any work;
- a write that fails (disk full, the file-size limit, any OSError) is one
  :class:`~theme.errors.OutputFileError` naming the file.

A folder of files made aside and moved in when complete is
:func:`theme.output.folder.folder_aside`; each file in it goes through :func:`atomic_path`.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from theme.errors import OutputFileError, OutputFormatError, OutputNameError

__all__ = [
    "Output",
    "atomic_path",
    "check_output",
    "output_file",
    "output_format",
    "quoted",
    "write_failed",
]

NAME_MAX = 255
"""The longest file name in bytes when the file system does not say (Linux, macOS)."""

_RANDOM = 8
"""Characters :func:`tempfile.mkstemp` adds to a temporary name."""


class Output(os.PathLike[str]):
    """A checked output file: ``name`` as given (for messages), ``target`` the file that will
    really be replaced (a symlink resolved) and ``kind`` its format (the extension, lower
    case, without the dot; None when no format was asked for). Usable wherever a path is."""

    __slots__ = ("kind", "name", "target")

    def __init__(self, name: str, target: Path, kind: str | None) -> None:
        self.name = name
        self.target = target
        self.kind = kind

    def __fspath__(self) -> str:
        return self.name

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return f"Output({self.name!r}, kind={self.kind!r})"


def output_format(path: str | os.PathLike[str], allowed: Iterable[str]) -> str:
    """The format of an output path from its extension, one of ``allowed`` (without dots).

    Raises:
        OutputFormatError: the extension is not one of ``allowed`` (exit code 2).
        OutputNameError: the name ends in ``/`` (exit code 2).

    >>> output_format("song.MID", ["mid", "musicxml"])
    'mid'
    """
    allowed = list(allowed)
    if isinstance(path, Output) and path.kind in allowed:
        return path.kind
    text = _text(path)
    if text.endswith(("/", os.sep)):
        raise OutputNameError(
            f"cannot write {quoted(text)}: a name ending in '/' is a folder; give a file name"
        )
    name = Path(text).name.lower()
    for ext in sorted(allowed, key=len, reverse=True):
        if name.endswith("." + ext) and len(name) > len(ext) + 1:
            return ext
    raise OutputFormatError(
        f"unknown output format {quoted(text)}: expected a file ending in "
        + ", ".join("." + a for a in allowed)
    )


def output_file(path: str | os.PathLike[str], allowed: Iterable[str] | None = None) -> Output:
    """Check ``path`` once, before any work, and return it as an :class:`Output`.

    With ``allowed`` (extensions without dots) the extension must be one of them. An
    :class:`Output` passed in is returned as it is (its kind checked against ``allowed``).

    Raises:
        OutputFormatError, OutputNameError: a bad name (exit code 2).
        OutputFileError: the folder is missing or read-only, the name is too long, or what is
            there is a folder, a device, a pipe or a file with several hard links.
        TypeError: ``path`` is not a str or a path.
    """
    if isinstance(path, Output):
        if allowed is not None:
            output_format(path, allowed)
        return path
    kind = None if allowed is None else output_format(path, allowed)
    text = _text(path)
    if text.endswith(("/", os.sep)):
        output_format(text, [])  # the one message for a trailing slash
    return Output(text, _target(text), kind)


def check_output(path: str | os.PathLike[str]) -> Path:
    """The file ``path`` really names, once it is known that it can be written (see
    :func:`output_file`).

    Raises:
        OutputFileError: naming the path and what is wrong.
    """
    return output_file(path).target


LONGEST_QUOTED = 160
"""The most characters of a path an error message shows (the start and the end of it)."""


def quoted(text: str, *, raw: bool = False) -> str:
    """``repr(text)`` for an error message: control characters escaped, and a path longer
    than :data:`LONGEST_QUOTED` characters shown by its start and its end. With ``raw`` the
    text is already a repr.

    >>> quoted("x.mid")
    "'x.mid'"
    >>> quoted("d" * 300 + "/x.mid")[-12:]
    "...ddd/x.mid'"
    """
    shown = text if raw else repr(text)
    if len(shown) <= LONGEST_QUOTED:
        return shown
    return shown[: LONGEST_QUOTED - 64] + "..." + shown[-61:]


def _text(path: str | os.PathLike[str]) -> str:
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(
            f"invalid output path {quoted(repr(path), raw=True)}: expected a str or a path"
        )
    text = os.fspath(path)
    if not isinstance(text, str):
        raise TypeError(
            f"invalid output path {quoted(repr(path), raw=True)}: expected a str or a path, not bytes"
        )
    if "\0" in text:
        raise OutputNameError(f"invalid output name {quoted(text)}: a file name cannot hold NUL")
    return text


def _name_max(folder: Path) -> int:
    try:
        return min(os.pathconf(folder, "PC_NAME_MAX"), NAME_MAX)
    except (OSError, ValueError):
        return NAME_MAX


def _target(text: str) -> Path:
    """The file that writing ``text`` replaces, checked (see :func:`output_file`)."""
    try:
        return _checked_target(text)
    except OSError as exc:  # a folder name too long, a loop, an I/O error while looking
        raise write_failed(text, exc) from exc


def _checked_target(text: str) -> Path:
    target = Path(text)
    if os.path.islink(text):
        target = Path(os.path.realpath(text))
        if os.path.islink(target):
            raise OutputFileError(f"cannot write {quoted(text)}: it is a symlink loop")
    folder = target.parent
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "does not exist"
        raise OutputFileError(
            f"cannot write {quoted(text)}: the folder {quoted(str(folder))} {what}"
        )
    size = len(os.fsencode(target.name))
    if size > _name_max(folder):
        raise OutputFileError(
            f"cannot write {quoted(text)}: the name is {size} bytes; the file system allows "
            f"{_name_max(folder)}"
        )
    try:
        info = os.stat(target)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise OutputFileError(f"cannot write {quoted(text)}: {exc.strerror}") from exc
    if info is not None:
        if stat.S_ISDIR(info.st_mode):
            raise OutputFileError(f"cannot write {quoted(text)}: it is a folder; give a file name")
        if not stat.S_ISREG(info.st_mode):
            raise OutputFileError(
                f"cannot write {quoted(text)}: it is not a regular file (a device, pipe or socket)"
            )
        if info.st_nlink > 1:
            raise OutputFileError(
                f"cannot write {quoted(text)}: it has {info.st_nlink} hard links, which replacing "
                "it would break; remove it first or write another name"
            )
    if not os.access(folder, os.W_OK):
        if _read_only(folder):
            raise OutputFileError(
                f"cannot write {quoted(text)}: the file system of {quoted(str(folder))} is read-only"
            )
        raise OutputFileError(
            f"cannot write {quoted(text)}: no permission to write in {quoted(str(folder))}"
        )
    _try_a_file(text, target)
    return target


def _try_a_file(text: str, target: Path) -> None:
    """Make and remove a temporary file beside ``target``, as :func:`atomic_path` will: a
    folder that takes no new files though it says it may be written (``/proc``, ``/sys``,
    a full disk of no free inodes) is found before the work, not after it."""
    prefix, suffix = _temp_name(target)
    try:
        fd, name = tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=target.parent)
    except FileNotFoundError:  # the folder is there: it takes no files (/proc)
        raise OutputFileError(
            f"cannot write {quoted(text)}: the folder {quoted(str(target.parent))} takes no "
            "new files"
        ) from None
    except OSError as exc:
        raise write_failed(text, exc) from exc
    os.close(fd)
    with contextlib.suppress(OSError):
        os.unlink(name)


def _read_only(folder: Path) -> bool:
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def _temp_name(target: Path) -> tuple[str, str]:
    """``(prefix, suffix)`` for a hidden temporary file beside ``target``: ``.STEM.`` and the
    target's extension, the stem cut so the whole name fits the file system."""
    suffix = target.suffix if len(os.fsencode(target.suffix)) <= 16 else ".tmp"
    room = _name_max(target.parent) - 2 - _RANDOM - len(os.fsencode(suffix))
    stem = os.fsdecode(os.fsencode(target.stem)[: max(room, 0)])  # a cut character: kept as bytes
    return f".{stem}.", suffix


def write_failed(
    path: str | os.PathLike[str], error: BaseException, written: Path | None = None
) -> OutputFileError:
    """The one-line error for a write to ``path`` that failed with ``error`` (an OSError, or
    a library's error such as soundfile's, which says only "System error"): the file-size
    limit, a full disk and a name too long are named as such. ``written`` is the partial
    temporary file, if any, used to tell which limit was hit."""
    name = str(path)
    code = error.errno if isinstance(error, OSError) else None
    if code is None:
        code = _likely_errno(written.parent if written else Path(name).parent, written)
    reason = {
        errno.EFBIG: "the file is larger than the file-size limit (ulimit -f)",
        errno.ENOSPC: "no space left on the device",
        errno.EDQUOT: "the disk quota is used up",
        errno.ENAMETOOLONG: "the name is longer than the file system allows",
    }.get(code or -1)
    if reason is None:
        reason = (
            error.strerror
            if isinstance(error, OSError) and error.strerror
            else str(error).strip().splitlines()[0].rstrip(".")
            if str(error).strip()
            else type(error).__name__
        )
    return OutputFileError(f"cannot write {quoted(name)}: {reason}")


def _likely_errno(folder: Path, written: Path | None) -> int | None:
    """EFBIG or ENOSPC when the file-size limit or the free space explains a failed write."""
    import resource

    with contextlib.suppress(OSError):
        limit = resource.getrlimit(resource.RLIMIT_FSIZE)[0]
        near = written is not None and written.stat().st_size + (1 << 16) >= limit
        if limit != resource.RLIM_INFINITY and near:
            return errno.EFBIG
        space = os.statvfs(folder)
        if space.f_bavail * space.f_frsize < (1 << 20):
            return errno.ENOSPC
    return None


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside the file ``path`` names; on success rename it onto that
    file (see the module docstring for what is guaranteed).

    The temporary file is hidden (``.STEM.<eight random characters>.EXT``) and keeps the target's extension,
    so libraries that choose a format from the name (soundfile, music21) still see it.

    Raises:
        OutputFileError: the checks of :func:`output_file` fail, or an OSError while writing
            (disk full, file-size limit) or renaming.
    """
    out = output_file(path)
    prefix, suffix = _temp_name(out.target)
    try:
        fd, name = tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=out.target.parent)
    except OSError as exc:
        raise write_failed(out, exc) from exc
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        _commit(tmp, out.target)
    except OSError as exc:
        raise write_failed(out, exc, tmp) from exc
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


def _commit(tmp: Path, target: Path) -> None:
    """Flush ``tmp`` to disk, give it the mode (and owner) of the file it replaces, rename."""
    fd = os.open(tmp, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        old = os.stat(target)
    except FileNotFoundError:
        old = None
    if old is None:
        os.chmod(tmp, 0o666 & ~current_umask())
    else:
        os.chmod(tmp, stat.S_IMODE(old.st_mode))
        if os.geteuid() == 0:
            with contextlib.suppress(OSError):
                os.chown(tmp, old.st_uid, old.st_gid)
    os.replace(tmp, target)


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
