"""The SVG kit of the pictures drawn by hand (no plotting library): the Okabe-Ito colours,
which colour-blind readers tell apart, one font, a picture, a text, and a generous estimate
of a text's width so that no label is cut at a picture's edge.

The classroom's pictures (:mod:`theme.classroom.pictures`) and the picture of a tapping run
(:mod:`theme.practice.picture`) are drawn with it.
"""

from __future__ import annotations

from html import escape

__all__ = [
    "BLUE",
    "CHAR_EM",
    "FONT",
    "GREEN",
    "GREY",
    "ORANGE",
    "PINK",
    "RED",
    "svg_document",
    "svg_text",
    "text_width",
]

CHAR_EM = {"normal": 0.64, "bold": 0.72}
"""A generous width of one character in DejaVu Sans or Arial, in ems (the widest digits
and most capitals are narrower)."""

BLUE, ORANGE, GREEN, RED, PINK, GREY = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#D55E00",
    "#CC79A7",
    "#999999",
)
FONT = "font-family='DejaVu Sans, Arial, sans-serif'"


def svg_document(width: float, height: float, body: list[str], title: str) -> str:
    """An SVG picture ``width`` by ``height`` px on white, of the elements ``body``, named
    ``title`` (its ``<title>`` and its label for a screen reader).

    >>> svg_document(40, 20, [], "a & b").split("><")[1:3]
    ['title>a &amp; b</title', "rect width='100%' height='100%' fill='white'/"]
    """
    return (
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width:.0f}' height='{height:.0f}' "
        f"viewBox='0 0 {width:.0f} {height:.0f}' role='img' aria-label='{escape(title)}'>"
        f"<title>{escape(title)}</title><rect width='100%' height='100%' fill='white'/>"
        + "".join(body)
        + "</svg>"
    )


def svg_text(
    x: float,
    y: float,
    text: str,
    size: int = 18,
    anchor: str = "start",
    weight: str = "normal",
    fill: str = "#222",
) -> str:
    """A ``<text>`` element at ``x``, ``y`` (px; ``y`` is the baseline), ``size`` px high, in
    :data:`FONT`, anchored ``start``, ``middle`` or ``end``; the text escaped."""
    return (
        f"<text x='{x:.1f}' y='{y:.1f}' font-size='{size}' text-anchor='{anchor}' "
        f"font-weight='{weight}' fill='{fill}' {FONT}>{escape(text)}</text>"
    )


def text_width(text: str, size: float, weight: str = "normal") -> float:
    """A generous estimate of the width of ``text`` at ``size`` px, in px.

    >>> text_width("5/4", 20), text_width("5/4", 20, "bold")
    (38.4, 43.2)
    """
    return round(len(text) * size * CHAR_EM[weight], 1)
