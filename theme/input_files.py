"""Safe input files: the one check that a file to read is a regular file, made without
blocking, and a bound on the bytes read from it.

A FIFO opened for reading waits for a writer for ever, a device such as ``/dev/zero`` never
ends, a socket cannot be opened: :func:`read_regular` opens the file without blocking, looks
at what it is, and refuses all of them before reading a byte. It reads at most the bound and
one byte more, so a file that is too long is refused after reading only that much.

>>> read_regular("/dev/null", "config file", 10)
Traceback (most recent call last):
...
theme.errors.InputFileError: cannot read config file '/dev/null': not a regular file (a \
device, FIFO or socket)
"""

from __future__ import annotations

import os
import stat

from theme.errors import InputFileError
from theme.safe_text import clip

__all__ = ["read_at_most", "read_regular"]


def read_at_most(path: str | os.PathLike[str], what: str, limit: int) -> tuple[bytes, int]:
    """At most ``limit + 1`` bytes of the regular file ``path`` and its size in bytes. The
    file is opened without blocking and checked before a byte is read: a FIFO, a socket or a
    device (``/dev/zero``) is refused at once, as is a folder. ``what`` names the file in the
    error (``'MIDI file'``). The one check of every reader of files.

    Raises:
        InputFileError: ``cannot read WHAT 'PATH': REASON`` (no such file, a folder, not a
            regular file, unreadable).
    """
    name = clip(str(os.fspath(path)), 300)  # quoted with repr: control characters escaped

    def refused(reason: str) -> InputFileError:
        return InputFileError(f"cannot read {what} {name!r}: {reason}")

    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except (FileNotFoundError, ValueError):  # ValueError: a NUL in the name
        raise refused("no such file") from None
    except IsADirectoryError:
        raise refused("it is a folder") from None
    except OSError as exc:  # a socket (ENXIO), no permission, a name too long
        raise refused(exc.strerror or type(exc).__name__) from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise refused("it is a folder")
        if not stat.S_ISREG(info.st_mode):
            raise refused("not a regular file (a device, FIFO or socket)")
        with os.fdopen(fd, "rb", closefd=True) as file:
            fd = -1
            return file.read(limit + 1), info.st_size
    except OSError as exc:
        raise refused(exc.strerror or type(exc).__name__) from None
    finally:
        if fd >= 0:
            os.close(fd)


def read_regular(
    path: str | os.PathLike[str],
    what: str,
    max_bytes: int,
    *,
    limit: str | None = None,
    missing_ok: bool = False,
) -> bytes | None:
    """The bytes of the regular file ``path``, at most ``max_bytes`` of them
    (:func:`read_at_most`).

    ``what`` names the file in errors (``'variant file'``); ``limit`` says the bound in
    words (default: ``'MAX_BYTES bytes'``). With ``missing_ok`` a file that is not there is
    None instead of an error.

    Raises:
        InputFileError: missing, a folder, not a regular file (a FIFO, a device, a socket),
            longer than ``max_bytes``, or unreadable; one line naming the file.
    """
    if missing_ok and not os.path.lexists(path):
        return None
    data, _ = read_at_most(path, what, max_bytes)
    if len(data) > max_bytes:
        name = clip(str(os.fspath(path)), 300)
        raise InputFileError(
            f"cannot read {what} {name!r}: longer than {limit or f'{max_bytes} bytes'}"
        )
    return data
