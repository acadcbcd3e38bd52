"""Pictures of rhythm for a projector, as SVG text written by hand (no plotting library).

- :func:`contrast_svg`: one meter's row against another's, pulse by pulse, downbeats large,
  group starts medium, and a band wherever both downbeats fall together.
- :func:`necklace_svg`: a rhythm's pulses on a circle with its onsets joined, side by side
  with others (the 5/4 ostinato beside its 4/4 strategies).

Colours are from the Okabe-Ito palette, which colour-blind readers tell apart.
"""

from __future__ import annotations

import math
from fractions import Fraction
from html import escape

from theme.meter import AccentLevel, Meter
from theme.rhythm import Rhythm

__all__ = ["contrast_svg", "necklace_points", "necklace_svg"]

BLUE, ORANGE, GREEN, RED, PINK, GREY = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#D55E00",
    "#CC79A7",
    "#999999",
)
FONT = "font-family='DejaVu Sans, Arial, sans-serif'"


def _svg(width: float, height: float, body: list[str], title: str) -> str:
    return (
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width:.0f}' height='{height:.0f}' "
        f"viewBox='0 0 {width:.0f} {height:.0f}' role='img' aria-label='{escape(title)}'>"
        f"<title>{escape(title)}</title><rect width='100%' height='100%' fill='white'/>"
        + "".join(body)
        + "</svg>"
    )


def _text(
    x: float,
    y: float,
    text: str,
    size: int = 18,
    anchor: str = "start",
    weight: str = "normal",
    fill: str = "#222",
) -> str:
    return (
        f"<text x='{x:.1f}' y='{y:.1f}' font-size='{size}' text-anchor='{anchor}' "
        f"font-weight='{weight}' fill='{fill}' {FONT}>{escape(text)}</text>"
    )


def contrast_svg(
    first: str | Meter,
    second: str | Meter,
    *,
    align: str = "beat",
    quarters: Fraction | int | None = None,
    labels: tuple[str, str] | None = None,
) -> str:
    """Two meters' pulses in two rows on one time line (quarter notes), and the points where
    their downbeats meet. ``quarters`` is the length shown (default: two meetings).

    >>> svg = contrast_svg("5/4", "4/4")
    >>> svg.count("class='meet'")
    3
    """
    from theme.metronome import lcm_quarters

    a, b = Meter.parse(first), Meter.parse(second)
    b_bar = a.bar_quarters if align == "bar" else b.bar_quarters
    every = lcm_quarters(a.bar_quarters, b_bar)
    length = Fraction(quarters) if quarters is not None else 2 * every
    unit = 1000 / float(length)
    left, top = 150, 70
    width = left + 1000 + 40
    rows = [
        (a, a.bar_quarters, BLUE, labels[0] if labels else f"{a} ({'+'.join(map(str, a.groups))})"),
        (b, b_bar, ORANGE, labels[1] if labels else f"{b} ({'+'.join(map(str, b.groups))})"),
    ]
    body = [
        _text(
            left,
            36,
            f"{rows[0][3]} against {rows[1][3]}, aligned by {align}: "
            f"the downbeats meet every {every} quarter notes",
            20,
            weight="bold",
        )
    ]
    position = Fraction(0)
    while position <= length:
        x = left + float(position) * unit
        body.append(
            f"<rect class='meet' x='{x - 9:.1f}' y='{top - 10}' width='18' height='150' "
            f"fill='{GREEN}' opacity='0.25'/>"
        )
        position += every
    for row, (meter, bar_len, colour, label) in enumerate(rows):
        y = top + 30 + row * 80
        body.append(_text(left - 14, y + 6, label, 18, "end", "bold", colour))
        body.append(
            f"<line x1='{left}' y1='{y}' x2='{left + 1000}' y2='{y}' stroke='{GREY}' stroke-width='1'/>"
        )
        pulse = bar_len / meter.numerator
        levels = meter.accent_levels()
        bar = 0
        while bar * bar_len < length:
            for i, level in enumerate(levels):
                q = bar * bar_len + i * pulse
                if q > length:
                    break
                x = left + float(q) * unit
                radius = {AccentLevel.DOWNBEAT: 13, AccentLevel.GROUP: 8}.get(level, 4)
                body.append(f"<circle cx='{x:.1f}' cy='{y}' r='{radius}' fill='{colour}'/>")
                if level == AccentLevel.DOWNBEAT:
                    body.append(_text(x, y - 20, str(bar + 1), 14, "middle", fill=colour))
            bar += 1
    for tick in range(0, int(length) + 1, 5 if length > 30 else 1):
        body.append(_text(left + tick * unit, top + 150, str(tick), 12, "middle", fill=GREY))
    body.append(_text(left + 1000, top + 170, "quarter notes", 12, "end", fill=GREY))
    return _svg(width, top + 190, body, f"{a} against {b}")


def necklace_points(rhythm: Rhythm, *, radius: float = 1.0) -> list[tuple[float, float]]:
    """The onsets of a rhythm as points on a circle (pulse 0 at the top, clockwise).

    >>> [(round(x, 3), round(y, 3)) for x, y in necklace_points(Rhythm.from_box("x..x"))]
    [(0.0, -1.0), (-1.0, 0.0)]
    """
    points = []
    for onset in rhythm.onsets():
        angle = 2 * math.pi * onset / rhythm.length
        points.append((radius * math.sin(angle), -radius * math.cos(angle)))
    return points


def necklace_svg(rhythms: list[tuple[str, Rhythm]], *, title: str = "Rhythm necklaces") -> str:
    """Each rhythm as a necklace: its pulses round a circle, onsets joined, accents larger.

    >>> from theme.remeter import remeter_rhythm
    >>> ostinato = Rhythm.from_box("X..x..x.x.")
    >>> svg = necklace_svg([("5/4", ostinato), ("squeeze", remeter_rhythm(ostinato, "squeeze"))])
    >>> svg.count("<polygon")
    2
    """
    size, r = 300, 105
    body = [_text(20, 36, title, 22, weight="bold")]
    colours = [BLUE, ORANGE, GREEN, RED, PINK]
    for n, (label, rhythm) in enumerate(rhythms):
        cx, cy = size * n + size / 2, 80 + size / 2
        colour = colours[n % len(colours)]
        body.append(
            f"<circle cx='{cx}' cy='{cy}' r='{r}' fill='none' stroke='{GREY}' stroke-width='2'/>"
        )
        onsets = {h.start: h for h in rhythm.hits}
        for cell in range(rhythm.length):
            angle = 2 * math.pi * cell / rhythm.length
            x, y = cx + r * math.sin(angle), cy - r * math.cos(angle)
            hit = onsets.get(cell)
            if hit is None:
                body.append(f"<circle cx='{x:.1f}' cy='{y:.1f}' r='5' fill='{GREY}'/>")
            tx, ty = cx + (r + 24) * math.sin(angle), cy - (r + 24) * math.cos(angle) + 5
            body.append(_text(tx, ty, str(cell), 13, "middle", fill=GREY))
        points = [(cx + x, cy + y) for x, y in necklace_points(rhythm, radius=r)]
        if len(points) > 1:
            joined = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            body.append(
                f"<polygon points='{joined}' fill='{colour}' fill-opacity='0.15' stroke='{colour}' stroke-width='4'/>"
            )
        for (x, y), hit in zip(points, rhythm.hits):
            body.append(
                f"<circle cx='{x:.1f}' cy='{y:.1f}' r='{14 if hit.accent else 10}' fill='{colour}'/>"
            )
        body.append(_text(cx, cy + r + 62, label, 18, "middle", "bold", colour))
        durations = "+".join(map(str, rhythm.durations()))
        body.append(_text(cx, cy + r + 84, f"{durations} of {rhythm.length}", 15, "middle"))
    return _svg(size * len(rhythms), size + 140, body, title)
