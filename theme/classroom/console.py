"""The classroom commands' terminal: standard input and output as they really are.

A command may run with standard input or output closed (``theme demo <&-``, from a
service, a cron job or a pipeline): Python then sets ``sys.stdin`` or ``sys.stdout`` to
None, and a closed stream raises ValueError on ``isatty()``. A terminal may also not show
every character (``PYTHONIOENCODING=ascii``, an old Windows console). These helpers answer
the questions a command asks of its terminal without failing on either.

>>> is_terminal(None), can_show(None, "●")
(False, False)
>>> import io
>>> closed = io.StringIO()
>>> closed.close()
>>> is_terminal(closed)
False
"""

from __future__ import annotations

import os
import sys
from typing import TextIO

__all__ = ["can_show", "is_terminal", "output"]


def is_terminal(stream: TextIO | None) -> bool:
    """Whether ``stream`` is an open terminal (False for None, a closed stream, a file)."""
    if stream is None:
        return False
    try:
        return bool(stream.isatty())
    except (ValueError, OSError, AttributeError):
        return False


def can_show(stream: TextIO | None, text: str) -> bool:
    """Whether ``stream`` can write ``text`` in its encoding (False for None).

    >>> import io
    >>> ascii_out = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
    >>> can_show(ascii_out, "bar 1"), can_show(ascii_out, "▲ · ·")
    (True, False)
    """
    if stream is None:
        return False
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        text.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def output() -> TextIO:
    """Standard output, or a stream that discards what it is given when there is none
    (``sys.stdout`` is None when the command runs with standard output closed)."""
    if sys.stdout is not None:
        return sys.stdout
    return open(os.devnull, "w", encoding="utf-8")  # open while the command runs
