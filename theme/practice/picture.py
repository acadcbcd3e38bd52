"""A picture of a tapping run (:func:`score_svg`): the bar as a necklace, each position's
mean early or late (inside the circle early, outside late) with its spread, and beside it a
row for each position with every hit, the mean and the spread on a millisecond scale.

Drawn with the SVG kit of the classroom's pictures (:mod:`theme.renderers.svg`): SVG by
hand, the Okabe-Ito colours, every text inside the picture from a generous width estimate.
"""

from __future__ import annotations

import math

from theme.practice.scoring import DEFAULT_TOLERANCE, PositionScore, Score, Tolerance
from theme.renderers.svg import BLUE, GREEN, GREY, ORANGE, RED, svg_document, svg_text, text_width

__all__ = ["MS_SHOWN", "score_svg"]

MS_SHOWN = 100
"""The scale of the rows and the necklace reaches this many milliseconds either way; an
offset beyond it is drawn at the edge."""


def _colour(p: PositionScore, lean_ms: float) -> str:
    if p.mean_ms is None:
        return GREY
    if p.mean_ms <= -lean_ms:
        return ORANGE  # rushed
    if p.mean_ms >= lean_ms:
        return RED  # dragged
    return GREEN


def _clip(ms: float) -> float:
    return max(-MS_SHOWN, min(MS_SHOWN, ms))


def score_svg(score: Score, *, title: str, strictness: Tolerance = DEFAULT_TOLERANCE) -> str:
    """The picture of ``score`` as SVG text.

    >>> from fractions import Fraction
    >>> from theme.core.meter import Meter
    >>> from theme.practice.scoring import Target, score_taps
    >>> m = Meter.parse("3+2/4")
    >>> targets = [Target(Fraction(q), 1, Fraction(q), m) for q in range(5)]
    >>> svg = score_svg(score_taps(targets, [Fraction(q) for q in range(4)]), title="5/4")
    >>> svg.count("class='position'"), svg.count("class='miss'")
    (4, 1)
    """
    positions = score.positions
    meter = positions[0].meter if positions else None
    lean_ms = strictness.lean_ms
    lines = score.summary(strictness)
    headline, advice = lines[0], [s for s in lines[1:] if not s.startswith("  ")]
    cx, cy, r = 190.0, 250.0, 120.0
    rows_left = 400.0
    label_width = max([text_width(p.label, 15) for p in positions] or [0])
    axis_left = rows_left + label_width + 20
    axis = 400.0
    row_h = 34
    rows_top = 120
    width = max(
        axis_left + axis + 30,
        40 + max(text_width(s, 16) for s in [headline, *advice]),
        40 + text_width(title, 22, "bold"),
    )
    height = max(cy + r + 60, rows_top + row_h * len(positions) + 40) + 24 * len(advice) + 20
    body = [
        svg_text(20, 36, title, 22, weight="bold"),
        svg_text(20, 64, headline, 16),
    ]
    # the necklace: the bar of the first meter round a circle, early inside, late outside
    body.append(
        f"<circle cx='{cx}' cy='{cy}' r='{r}' fill='none' stroke='{GREY}' stroke-width='2'/>"
    )
    scale = 0.5  # px a millisecond on the necklace's spokes
    if meter is not None:  # the pulses round the circle, numbered as counted
        for pulse in range(meter.numerator):
            angle = 2 * math.pi * pulse / meter.numerator
            sx, sy = math.sin(angle), -math.cos(angle)
            body.append(
                f"<line x1='{cx + (r - 6) * sx:.1f}' y1='{cy + (r - 6) * sy:.1f}' "
                f"x2='{cx + (r + 6) * sx:.1f}' y2='{cy + (r + 6) * sy:.1f}' stroke='{GREY}' "
                "stroke-width='2'/>"
            )
            body.append(
                svg_text(
                    cx + (r + 30) * sx,
                    cy + (r + 30) * sy + 5,
                    str(pulse + 1),
                    14,
                    "middle",
                    fill=GREY,
                )
            )
    for p in positions:
        if meter is None or p.meter != meter:
            continue
        angle = 2 * math.pi * float(p.position / meter.bar_quarters)
        sx, sy = math.sin(angle), -math.cos(angle)
        colour = _colour(p, lean_ms)
        x, y = cx + r * sx, cy + r * sy
        body.append(f"<circle cx='{x:.1f}' cy='{y:.1f}' r='5' fill='{GREY}'/>")
        if p.mean_ms is None or p.spread_ms is None:
            body.append(
                f"<circle class='miss' cx='{x:.1f}' cy='{y:.1f}' r='11' fill='none' "
                f"stroke='{GREY}' stroke-width='3' stroke-dasharray='4 3'/>"
            )
            continue
        low = r + scale * _clip(p.mean_ms - p.spread_ms)
        high = r + scale * _clip(p.mean_ms + p.spread_ms)
        body.append(
            f"<line x1='{cx + low * sx:.1f}' y1='{cy + low * sy:.1f}' x2='{cx + high * sx:.1f}' "
            f"y2='{cy + high * sy:.1f}' stroke='{colour}' stroke-width='8' stroke-linecap='round' "
            "opacity='0.45'/>"
        )
        mean = r + scale * _clip(p.mean_ms)
        body.append(
            f"<circle class='position' cx='{cx + mean * sx:.1f}' cy='{cy + mean * sy:.1f}' "
            f"r='9' fill='{colour}'/>"
        )
    if meter is not None:
        body.append(svg_text(cx, cy - 6, meter.label, 20, "middle", "bold", BLUE))
        body.append(svg_text(cx, cy + 18, "inside: early", 13, "middle", fill=GREY))
        body.append(svg_text(cx, cy + 36, "outside: late", 13, "middle", fill=GREY))
    # the rows: every hit, the mean and the spread on a millisecond scale
    zero = axis_left + axis / 2
    px = axis / (2 * MS_SHOWN)
    body.append(
        f"<line x1='{zero}' y1='{rows_top - 20}' x2='{zero}' y2='{rows_top + row_h * len(positions)}' "
        f"stroke='{GREY}' stroke-width='1'/>"
    )
    for ms in (-MS_SHOWN, -MS_SHOWN // 2, 0, MS_SHOWN // 2, MS_SHOWN):
        label = "0" if ms == 0 else f"{abs(ms)} {'early' if ms < 0 else 'late'}"
        body.append(svg_text(zero + ms * px, rows_top - 26, label, 12, "middle", fill=GREY))
    for n, p in enumerate(positions):
        y = rows_top + n * row_h + row_h / 2
        colour = _colour(p, lean_ms)
        body.append(svg_text(axis_left - 12, y + 5, p.label, 15, "end", fill="#222"))
        body.append(
            f"<line x1='{axis_left}' y1='{y}' x2='{axis_left + axis}' y2='{y}' stroke='#ddd'/>"
        )
        for offset in p.offsets_ms:
            x = zero + _clip(offset) * px
            body.append(
                f"<line x1='{x:.1f}' y1='{y - 7}' x2='{x:.1f}' y2='{y + 7}' stroke='{colour}' "
                "stroke-width='2' opacity='0.6'/>"
            )
        if p.mean_ms is not None and p.spread_ms is not None:
            a = zero + _clip(p.mean_ms - p.spread_ms) * px
            b = zero + _clip(p.mean_ms + p.spread_ms) * px
            body.append(
                f"<line x1='{a:.1f}' y1='{y}' x2='{b:.1f}' y2='{y}' stroke='{colour}' "
                "stroke-width='4'/>"
            )
            body.append(
                f"<circle cx='{zero + _clip(p.mean_ms) * px:.1f}' cy='{y}' r='6' fill='{colour}'/>"
            )
        if p.misses:
            body.append(svg_text(axis_left + axis + 8, y + 5, f"{p.misses} missed", 12, fill=GREY))
    base = height - 24 * len(advice) - 10
    for n, said in enumerate(advice):
        body.append(svg_text(20, base + 24 * n, said, 16, fill="#222"))
    return svg_document(width + 80, height, body, title)
