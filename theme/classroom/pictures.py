"""Pictures of rhythm for a projector, as SVG text written by hand (no plotting library).

- :func:`contrast_svg`: one meter's row against another's, pulse by pulse, downbeats large,
  group starts medium, and a band wherever both downbeats fall together.
- :func:`necklace_svg`: a rhythm's pulses on a circle with its onsets joined, side by side
  with others (the 5/4 ostinato beside its 4/4 strategies); the pulses are counted from 1
  as a class counts them (``1 & 2 & ...`` in eighths).
- :func:`strip_svg`: rhythms as rows of bars, each note a bar as long as it lasts, the beats
  numbered from 1 over each bar: long patterns (a rebarred ostinato of five bars) and many
  rows stay readable on a projector, where a necklace of 40 pulses does not.

Colours are from the Okabe-Ito palette, which colour-blind readers tell apart. Every text
is laid out inside the picture from a generous estimate of its width (:func:`theme.renderers.svg.text_width`),
so no label is cut at the edge, whatever the meters or labels.
"""

from __future__ import annotations

import math
from fractions import Fraction

from theme.core.meter import AccentLevel, Meter
from theme.core.rhythm import Rhythm
from theme.errors import UsageError
from theme.renderers.svg import (
    BLUE,
    GREEN,
    GREY,
    ORANGE,
    PINK,
    RED,
    svg_document,
    svg_text,
    text_width,
)

__all__ = [
    "MAX_CONTRAST_QUARTERS",
    "MAX_NECKLACE_CELLS",
    "contrast_svg",
    "necklace_points",
    "necklace_svg",
    "pulse_names",
    "rhythm_words",
    "strip_svg",
]

MAX_CONTRAST_QUARTERS = 400
"""The longest time line a contrast picture draws, in quarter notes."""
MAX_NECKLACE_CELLS = 64
"""The most cells (pulses) a necklace draws."""
MAX_STRIP_CELLS = 128
"""The most cells a row of a strip draws."""
UNIT_WORDS = {
    Fraction(4): ("whole note", "whole notes"),
    Fraction(2): ("half note", "half notes"),
    Fraction(1): ("beat", "beats"),
    Fraction(1, 2): ("eighth", "eighths"),
    Fraction(1, 4): ("sixteenth", "sixteenths"),
}
"""What a class calls a grid cell of so many quarter notes (a quarter note is a beat)."""


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
    if align not in ("beat", "bar"):
        raise UsageError(f"invalid align {align!r}: expected beat or bar")
    b_bar = a.bar_quarters if align == "bar" else b.bar_quarters
    every = lcm_quarters(a.bar_quarters, b_bar)
    if quarters is not None:
        length = Fraction(quarters)
    else:
        length = 2 * every if 2 * every <= MAX_CONTRAST_QUARTERS else every
    if not 0 < length <= MAX_CONTRAST_QUARTERS:
        raise UsageError(
            f"invalid meters {str(a)!r} and {str(b)!r}: the picture would show {length} quarter "
            f"notes (their downbeats meet every {every}); it shows 1 to "
            f"{MAX_CONTRAST_QUARTERS}"
        )
    rows = [
        (a, a.bar_quarters, BLUE, labels[0] if labels else f"{a} ({'+'.join(map(str, a.groups))})"),
        (b, b_bar, ORANGE, labels[1] if labels else f"{b} ({'+'.join(map(str, b.groups))})"),
    ]
    margin, line = 20, 1000
    left = max(150, margin + 14 + max(text_width(row[3], 18, "bold") for row in rows))
    headline = f"{rows[0][3]} against {rows[1][3]}"
    same = "the same beat for both" if align == "beat" else "the same bar length for both"
    subline = f"{same}: the downbeats meet every {every} quarter notes"
    width = max(
        left + line + 40,
        2 * margin + text_width(headline, 20, "bold"),
        2 * margin + text_width(subline, 16),
    )
    top = 100
    unit = line / float(length)
    body = [
        svg_text(margin, 30, headline, 20, weight="bold"),
        svg_text(margin, 56, subline, 16),
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
        body.append(svg_text(left - 14, y + 6, label, 18, "end", "bold", colour))
        body.append(
            f"<line x1='{left}' y1='{y}' x2='{left + line}' y2='{y}' stroke='{GREY}' "
            "stroke-width='1'/>"
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
                    body.append(svg_text(x, y - 20, str(bar + 1), 14, "middle", fill=colour))
            bar += 1
    step = next(s for s in (1, 5, 10, 20, 50, 100) if length / s <= 30)
    for tick in range(0, int(length) + 1, step):  # counted from 1, as a class counts beats
        body.append(svg_text(left + tick * unit, top + 150, str(tick + 1), 14, "middle", fill=GREY))
    body.append(
        svg_text(left + line, top + 172, "quarter-note beats, counted from 1", 14, "end", fill=GREY)
    )
    return svg_document(width, top + 190, body, f"{a} against {b}")


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

    >>> from theme.core.remeter import remeter_rhythm
    >>> ostinato = Rhythm.from_box("X..x..x.x.")
    >>> svg = necklace_svg([("5/4", ostinato), ("squeeze", remeter_rhythm(ostinato, "squeeze"))])
    >>> svg.count("<polygon")
    2
    """
    size, r = 320, 112
    for label, rhythm in rhythms:
        if rhythm.length > MAX_NECKLACE_CELLS:
            raise UsageError(
                f"invalid rhythm for a necklace: {label!r} has {rhythm.length} cells; "
                f"a necklace shows 1 to {MAX_NECKLACE_CELLS}"
            )
    captions = [rhythm_words(rhythm) for _, rhythm in rhythms]
    widths = [
        max(size, text_width(label, 22, "bold") + 40, text_width(caption, 20) + 40)
        for (label, _), caption in zip(rhythms, captions)
    ]
    width = max(sum(widths), 40 + text_width(title, 26, "bold"))
    body = [svg_text(20, 38, title, 26, weight="bold")]
    colours = [BLUE, ORANGE, GREEN, RED, PINK]
    x0 = (width - sum(widths)) / 2
    for n, ((label, rhythm), caption) in enumerate(zip(rhythms, captions)):
        cx, cy = x0 + sum(widths[:n]) + widths[n] / 2, 80 + size / 2
        colour = colours[n % len(colours)]
        body.append(
            f"<circle cx='{cx}' cy='{cy}' r='{r}' fill='none' stroke='{GREY}' stroke-width='2'/>"
        )
        onsets = {h.start: h for h in rhythm.hits}
        every = math.ceil(rhythm.length / 24)  # at most 24 numbers round a circle
        names = pulse_names(rhythm)
        for cell in range(rhythm.length):
            angle = 2 * math.pi * cell / rhythm.length
            x, y = cx + r * math.sin(angle), cy - r * math.cos(angle)
            if onsets.get(cell) is None:
                body.append(f"<circle cx='{x:.1f}' cy='{y:.1f}' r='5' fill='{GREY}'/>")
            if cell % every == 0:
                tx, ty = cx + (r + 26) * math.sin(angle), cy - (r + 26) * math.cos(angle) + 6
                on_beat = names[cell] != "&"
                body.append(
                    svg_text(
                        tx, ty, names[cell], 18, "middle", "bold" if on_beat else "normal", "#444"
                    )
                )
        points = [(cx + x, cy + y) for x, y in necklace_points(rhythm, radius=r)]
        if len(points) > 1:
            joined = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            body.append(
                f"<polygon points='{joined}' fill='{colour}' fill-opacity='0.15' "
                f"stroke='{colour}' stroke-width='4'/>"
            )
        for (x, y), hit in zip(points, rhythm.hits):
            body.append(
                f"<circle cx='{x:.1f}' cy='{y:.1f}' r='{14 if hit.accent else 10}' fill='{colour}'/>"
            )
        body.append(svg_text(cx, cy + r + 66, label, 22, "middle", "bold", colour))
        body.append(svg_text(cx, cy + r + 94, caption, 20, "middle"))
    return svg_document(width, size + 156, body, title)


def pulse_names(rhythm: Rhythm) -> list[str]:
    """What a class says on each cell of a rhythm, from 1: the beats and ``&`` between them
    in eighths, ``1 e & a`` in sixteenths, else the cells counted 1, 2, 3...

    >>> pulse_names(Rhythm.from_box("X..x..x.x."))
    ['1', '&', '2', '&', '3', '&', '4', '&', '5', '&']
    >>> pulse_names(Rhythm.from_box("XxxXx", "1"))
    ['1', '2', '3', '4', '5']
    >>> pulse_names(Rhythm.from_box("x...x...", "1/4"))
    ['1', 'e', '&', 'a', '2', 'e', '&', 'a']
    """
    if rhythm.unit == Fraction(1, 2) and rhythm.length % 2 == 0:
        return [str(k // 2 + 1) if k % 2 == 0 else "&" for k in range(rhythm.length)]
    if rhythm.unit == Fraction(1, 4) and rhythm.length % 4 == 0:
        return [str(k // 4 + 1) if k % 4 == 0 else "e&a"[k % 4 - 1] for k in range(rhythm.length)]
    return [str(k + 1) for k in range(rhythm.length)]


def rhythm_words(rhythm: Rhythm) -> str:
    """A rhythm in plain words: how many pulses and how they are grouped (every pulse
    played), or how long its notes are.

    >>> rhythm_words(Rhythm.from_box("XxxXx", "1"))
    '5 beats in groups of 3+2'
    >>> rhythm_words(Rhythm.from_box("X..x..x.x."))
    'notes 3, 3, 2 and 2 eighths long'
    >>> rhythm_words(Rhythm.from_box("X..x..x.x.------"))
    'notes 3, 3, 2 and 2 eighths long, then a rest of 6'
    >>> rhythm_words(Rhythm.from_box("xxxx", "1"))
    '4 beats, every one played'
    """
    one, many = UNIT_WORDS.get(rhythm.unit, ("pulse", "pulses"))
    lengths = rhythm.durations()
    if lengths and all(n == 1 for n in lengths) and len(lengths) == rhythm.length:
        starts = [h.start for h in rhythm.hits if h.accent]
        if len(starts) < 2 or starts[0] != 0:
            return f"{rhythm.length} {many if rhythm.length != 1 else one}, every one played"
        groups = "+".join(str(b - a) for a, b in zip(starts, [*starts[1:], rhythm.length]))
        return f"{rhythm.length} {many} in groups of {groups}"
    if not lengths:
        return f"a rest of {rhythm.length} {many if rhythm.length != 1 else one}"
    named = [str(n) for n in lengths]
    listed = named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1]
    words = f"{'a note' if len(named) == 1 else 'notes'} {listed} {many if lengths[-1] != 1 or len(named) > 1 else one} long"
    end = rhythm.hits[-1].start + rhythm.hits[-1].length
    if end < rhythm.length:
        words += f", then a rest of {rhythm.length - end}"
    return words


def strip_svg(rows: list[tuple[str, str, Rhythm, int]], *, title: str, beat_cells: int = 2) -> str:
    """Rhythms as rows of bars: each row's ``(label, caption, rhythm, cells a bar)``, every
    note a bar as long as it lasts (accented notes darker, outlined), thick barlines, and
    the beats numbered from 1 over every bar (``beat_cells`` cells a beat; the cells
    between are marked ``&`` when there are two). The cells are as wide as the longest row
    lets them be in about 1100 px, at least 22 px; every text is 18 px or more.

    >>> svg = strip_svg([("5/4", "the original", Rhythm.from_box("X..x..x.x."), 10)], title="t")
    >>> svg.count("class='note"), svg.count("class='barline'")
    (4, 2)
    """
    longest = max(rhythm.length for _, _, rhythm, _ in rows)
    for label, _, rhythm, bar_cells in rows:
        if rhythm.length > MAX_STRIP_CELLS or bar_cells < 1:
            raise UsageError(
                f"invalid row {label!r} for a strip: {rhythm.length} cells, {bar_cells} a bar; "
                f"a strip shows 1 to {MAX_STRIP_CELLS} cells a row"
            )
    cell = max(22.0, min(56.0, 1100 / longest))
    margin = 20
    left = (
        margin
        + max(
            max(text_width(label, 24, "bold"), text_width(caption, 18))
            for label, caption, _, _ in rows
        )
        + 24
    )
    row_height, top = 100, 64
    width = max(left + longest * cell + margin, 2 * margin + text_width(title, 26, "bold"))
    body = [svg_text(margin, 40, title, 26, weight="bold")]
    colours = [BLUE, ORANGE, GREEN, RED, PINK]
    for n, (label, caption, rhythm, bar_cells) in enumerate(rows):
        y = top + n * row_height
        colour = colours[n % len(colours)]
        body.append(svg_text(margin, y + 58, label, 24, weight="bold", fill=colour))
        body.append(svg_text(margin, y + 84, caption, 18))
        lane = y + 40  # the notes' band: lane to lane + 40
        body.append(
            f"<rect x='{left:.1f}' y='{lane}' width='{rhythm.length * cell:.1f}' height='40' "
            "fill='#f2f2f2'/>"
        )
        for k in range(rhythm.length):
            in_bar = k % bar_cells
            if in_bar % beat_cells == 0:
                beat = str(in_bar // beat_cells + 1)
                body.append(svg_text(left + (k + 0.5) * cell, y + 30, beat, 20, "middle", "bold"))
            elif beat_cells == 2 and cell >= 24:
                body.append(svg_text(left + (k + 0.5) * cell, y + 30, "&", 18, "middle", fill=GREY))
        for hit in rhythm.hits:
            x = left + hit.start * cell + 2
            accent = " accent" if hit.accent else ""
            look = " stroke='#111' stroke-width='3'" if hit.accent else " fill-opacity='0.6'"
            body.append(
                f"<rect class='note{accent}' x='{x:.1f}' y='{lane + 4}' "
                f"width='{hit.length * cell - 4:.1f}' height='32' rx='8' fill='{colour}'{look}/>"
            )
        for k in range(0, rhythm.length + 1, bar_cells):
            x = left + k * cell
            body.append(
                f"<line class='barline' x1='{x:.1f}' y1='{lane - 6}' x2='{x:.1f}' "
                f"y2='{lane + 46}' stroke='#111' stroke-width='4'/>"
            )
        if rhythm.length % bar_cells:  # a last bar cut short: its end
            x = left + rhythm.length * cell
            body.append(
                f"<line class='end' x1='{x:.1f}' y1='{lane - 6}' x2='{x:.1f}' y2='{lane + 46}' "
                f"stroke='{GREY}' stroke-width='2' stroke-dasharray='6 4'/>"
            )
    return svg_document(width, top + len(rows) * row_height + 10, body, title)
