"""The classroom commands' terminal: standard output as it really is.

A command may run with standard output closed (``theme demo >&-``, from a service, a cron
job or a pipeline): Python then sets ``sys.stdout`` to None. A terminal may also not show
every character (``PYTHONIOENCODING=ascii``, an old Windows console). These helpers answer
without failing on either (whether a stream is a terminal: ``theme.live.display.is_terminal``).

>>> can_show(None, "bar 1")
False
"""

from __future__ import annotations

import os
import sys
from typing import TextIO

__all__ = ["can_show", "output"]


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
