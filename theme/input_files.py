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

__all__ = ["read_regular"]


def read_regular(
    path: str | os.PathLike[str],
    what: str,
    max_bytes: int,
    *,
    limit: str | None = None,
    missing_ok: bool = False,
) -> bytes | None:
    """The bytes of the regular file ``path``, at most ``max_bytes`` of them.

    ``what`` names the file in errors (``'variant file'``); ``limit`` says the bound in
    words (default: ``'MAX_BYTES bytes'``). With ``missing_ok`` a file that is not there is
    None instead of an error.

    Raises:
        InputFileError: missing, a folder, not a regular file (a FIFO, a device, a socket),
            longer than ``max_bytes``, or unreadable; one line naming the file.
    """
    name = clip(str(os.fspath(path)), 300)  # quoted with repr: control characters escaped
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        if missing_ok:
            return None
        raise InputFileError(f"cannot read {what} {name!r}: no such file") from None
    except IsADirectoryError:
        raise InputFileError(f"cannot read {what} {name!r}: it is a folder") from None
    except OSError as exc:  # a socket (ENXIO), no permission, a name too long
        raise InputFileError(f"cannot read {what} {name!r}: {exc.strerror}") from None
    except ValueError:  # a NUL in the name
        raise InputFileError(f"cannot read {what} {name!r}: no such file") from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise InputFileError(f"cannot read {what} {name!r}: it is a folder")
        if not stat.S_ISREG(mode):
            raise InputFileError(
                f"cannot read {what} {name!r}: not a regular file (a device, FIFO or socket)"
            )
        with os.fdopen(fd, "rb", closefd=True) as file:
            fd = -1
            data = file.read(max_bytes + 1)
    except OSError as exc:
        raise InputFileError(f"cannot read {what} {name!r}: {exc.strerror or exc}") from None
    finally:
        if fd >= 0:
            os.close(fd)
    if len(data) > max_bytes:
        raise InputFileError(
            f"cannot read {what} {name!r}: longer than {limit or f'{max_bytes} bytes'}"
        )
    return data
