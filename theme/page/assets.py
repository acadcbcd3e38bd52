"""The page's scripts (``js/``) and styles (``css/``), files of this package read as text to
be inlined when a page is written: a page needs no other file and no network."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["script_text", "style_text"]


def _folder_text(folder: str, names: Sequence[str]) -> str:
    from importlib.resources import files

    place = files("theme.page").joinpath(folder)
    return "\n".join(place.joinpath(name).read_text(encoding="utf-8") for name in names)


def script_text(names: Sequence[str]) -> str:
    """The files ``names`` of the ``js`` folder, in that order, joined by a newline.

    >>> "function" in script_text(["sounds.js"])
    True
    """
    return _folder_text("js", names)


def style_text(names: Sequence[str]) -> str:
    """The files ``names`` of the ``css`` folder, in that order, joined by a newline.

    >>> "@media" in style_text(["lesson.css"])
    True
    """
    return _folder_text("css", names)
