"""The page's scripts (``js/``) and styles (``css/``), files of this package read as text to
be inlined when a page is written: a page needs no other file and no network."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["inline_script", "script_text", "style_text"]


def _folder_text(folder: str, names: Sequence[str]) -> list[str]:
    from importlib.resources import files

    place = files("theme.page").joinpath(folder)
    return [place.joinpath(name).read_text(encoding="utf-8") for name in names]


def inline_script(text: str) -> str:
    r"""A script file as a page holds it: without its indentation, blank lines and lines
    that are only a ``//`` comment (a quarter of the scripts' bytes; the files keep them
    for people). Every line keeps its end, so the code means what it meant: no script has
    a string or template over two lines (tests/test_page_scripts.py checks).

    >>> inline_script("// what it does\nif (a) {\n  b(); // why\n\n}\n")
    'if (a) {\nb(); // why\n}'
    """
    lines = (line.strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line and not line.startswith("//"))


def script_text(names: Sequence[str]) -> str:
    """The files ``names`` of the ``js`` folder, in that order, each as a page holds it
    (:func:`inline_script`), joined by a newline.

    >>> "function" in script_text(["sounds.js"])
    True
    """
    return "\n".join(inline_script(text) for text in _folder_text("js", names))


def style_text(names: Sequence[str]) -> str:
    """The files ``names`` of the ``css`` folder, in that order, joined by a newline.

    >>> "@media" in style_text(["lesson.css"])
    True
    """
    return "\n".join(_folder_text("css", names))
