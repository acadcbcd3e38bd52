"""What a page shows to count and conduct along: for each meter of a section, its counting
line (numbers by group, and the solkattu syllables) and a conductor's pattern with a moving
baton, both following the music (``js/conductor.js``).

A row holds every kind of bar its music has (a meter, or a second meter's pattern of
clicks), each drawn once and shown while its bars play, and the bars as JSON: where each
starts, in quarter notes, and which kind it is. The script reads the player's position in
quarter notes, so it follows tempo changes and loops as the player does. A metronome of two
meters has a row for each. The counting and the gestures are :mod:`theme.core.counting`'s.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from html import escape
from typing import Any

from theme.core.counting import (
    DOWN_POINT,
    PATTERN_BOX,
    Gesture,
    conducted_beats,
    gestures,
    pattern_points,
    syllables,
)
from theme.core.meter import AccentLevel, Meter
from theme.core.timeline import Timeline
from theme.page.data import second_meter_clicks

__all__ = [
    "COUNTS",
    "DEFAULT_COUNT",
    "BarKind",
    "FollowRow",
    "count_menu",
    "follow_html",
    "follow_rows",
    "row_html",
    "rows_html",
]

COUNTS = (
    ("bar", "through the bar (1 2 3 4 5)"),
    ("group", "by group (1-2-3 1-2)"),
    ("words", "words (PINE-ap-ple AP-ple)"),
    ("solkattu", "solkattu (ta-ki-ta ta-ka)"),
)
"""The counts a page offers (:data:`theme.core.counting.SCHEMES`) and their names on its
menu; a section shows one at a time, the one its ``data-count`` names."""
DEFAULT_COUNT = "bar"
"""The count a page shows unless told another: numbers through the bar."""


@dataclass(frozen=True)
class BarKind:
    """One kind of bar: where its pulses fall (quarter notes from the barline), how they
    are grouped, its length (quarter notes) and its name (its meter)."""

    pulses: tuple[Fraction, ...]
    groups: tuple[int, ...]
    length: Fraction
    name: str = ""

    @classmethod
    def of_meter(cls, meter: Meter, length: Fraction | None = None) -> BarKind:
        """The kind of a bar of ``meter`` (cut to ``length`` quarter notes: a pickup)."""
        length = meter.bar_quarters if length is None else length
        pulses = tuple(k * meter.pulse_quarters for k in range(meter.numerator))
        kept = tuple(p for p in pulses if p < length) or (Fraction(0),)
        groups = _cut_groups(meter.groups, len(kept))
        return cls(kept, groups, length, meter.label)

    @property
    def conducted(self) -> tuple[int, ...]:
        """The index of each pulse that gets a conductor's gesture."""
        pulse = self.pulses[1] - self.pulses[0] if len(self.pulses) > 1 else self.length
        starts, index = [], 0
        for size in conducted_beats(self.groups, pulse):
            starts.append(index)
            index += size
        return tuple(starts)

    def moves(self) -> list[Gesture]:
        """The gesture of each conducted beat."""
        beats = len(self.conducted)
        if beats == len(self.pulses):
            return gestures(self.groups)
        from theme.core.meter import default_groups

        return gestures(default_groups(beats, 4))

    def data(self) -> dict[str, Any]:
        """The kind as the page's script reads it: pulse and beat positions (quarter notes
        from the barline), the conducted pulses, the points of the pattern, the length."""
        return {
            "pulses": [float(p) for p in self.pulses],
            "beats": list(self.conducted),
            "points": [list(p) for p in pattern_points(self.moves())],
            "length": float(self.length),
        }


def _cut_groups(groups: Sequence[int], pulses: int) -> tuple[int, ...]:
    """``groups`` cut to their first ``pulses`` pulses.

    >>> _cut_groups((3, 2), 4), _cut_groups((3, 2), 5)
    ((3, 1), (3, 2))
    """
    cut, left = [], pulses
    for g in groups:
        if left <= 0:
            break
        cut.append(min(g, left))
        left -= g
    return tuple(cut)


@dataclass(frozen=True)
class FollowRow:
    """A meter's row: its label (empty when a section has one row), its kinds of bar, and
    each bar's start (quarter notes) with the index of its kind."""

    label: str
    kinds: tuple[BarKind, ...]
    bars: tuple[tuple[Fraction, int], ...]


def _row(label: str, bars: Sequence[tuple[Fraction, BarKind]]) -> FollowRow:
    kinds: list[BarKind] = []
    placed = []
    for start, kind in bars:
        if kind not in kinds:
            kinds.append(kind)
        placed.append((start, kinds.index(kind)))
    return FollowRow(label, tuple(kinds), tuple(placed))


def follow_rows(timeline: Timeline, labels: Sequence[str] = ("",)) -> tuple[FollowRow, ...]:
    """The rows of a section: the timeline's bars, and for a metronome of two meters the
    second meter's bars read from its clicks (``labels``, the beat light's, name them).

    >>> from theme.metronome import Metronome
    >>> rows = follow_rows(Metronome("5/4", vs="4/4", bars=2).timeline(), ["5/4 (3+2)", "4/4 (2+2)"])
    >>> [(row.label, [k.groups for k in row.kinds], [str(s) for s, _ in row.bars]) for row in rows]
    [('5/4 (3+2)', [(3, 2)], ['0', '5']), ('4/4 (2+2)', [(2, 2)], ['0', '4', '8'])]
    """
    first = _row(
        labels[0] if labels else "",
        [(bar.start, BarKind.of_meter(bar.meter, bar.quarters)) for bar in timeline.bars],
    )
    second = second_meter_bars(timeline, name=labels[1] if len(labels) > 1 else "")
    if second is None or len(labels) < 2:
        return (first,)
    return first, _row(labels[1], second)


def second_meter_bars(
    timeline: Timeline, *, name: str = ""
) -> list[tuple[Fraction, BarKind]] | None:
    """The bars of a metronome's second meter, from its clicks: each bar's start and kind
    (quarter notes; the kind named ``name``), or None without a second meter. The first bar's clicks (up to the next
    downbeat, or the first silent click) are the pattern every bar repeats; the clicks that
    are not subdivisions are the pulses, and a downbeat or group accent starts a group."""
    second = second_meter_clicks(timeline)
    if second is None:
        return None
    events, size = second
    pattern = [e for e in events[:size] if e.accent != AccentLevel.SUBDIVISION]
    start = events[0].onset
    pulses = tuple(e.onset - start for e in pattern)
    starts = [i for i, e in enumerate(pattern) if e.accent <= AccentLevel.GROUP or i == 0]
    groups = tuple(b - a for a, b in zip(starts, [*starts[1:], len(pattern)], strict=True))
    length = events[size].onset - start if size < len(events) else timeline.length - start
    kind = BarKind(pulses, groups, length, name)
    return [(events[first].onset, kind) for first in range(0, len(events), size)]


def _count_html(kind: BarKind, index: int, scheme: str) -> str:
    """A kind's count in ``scheme``: a ``syl`` element a pulse, its accent level as its class
    (``a0`` the downbeat, ``a1`` a group's start, ``a2`` the others, drawn larger the
    stronger); through the bar the numbers stand apart (``1 2 3 4 5``), in the other counts
    a group's syllables are joined (``1-2-3 1-2``)."""
    words = syllables(kind.groups, scheme=scheme)
    joint = " " if scheme == "bar" else "-"
    groups = []
    for number, group in enumerate(words):
        levels = [0 if number == 0 and i == 0 else 1 if i == 0 else 2 for i in range(len(group))]
        groups.append(
            "<span class='group'>"
            + joint.join(
                f"<span class='syl a{level}'>{escape(w)}</span>"
                for w, level in zip(group, levels, strict=True)
            )
            + "</span>"
        )
    return f"<span class='count {scheme}' data-kind='{index}'>{' '.join(groups)}</span>"


def _gestures_html(kind: BarKind) -> str:
    words = "-".join(f"<span class='move'>{m.value}</span>" for m in kind.moves())
    return f"<span class='moves'>{words}</span>"


def _pattern_svg(kind: BarKind, index: int) -> str:
    """The pattern of a kind: its path in grey (each beat to the next over a rebound, as
    the baton moves) and a numbered circle on each beat's point."""
    points = pattern_points(kind.moves())
    path = [f"M{points[0][0]},{points[0][1]}"]
    for (x0, y0), (x1, y1) in zip(points, [*points[1:], DOWN_POINT], strict=True):
        cx, cy = rebound(x0, y0, x1, y1)
        path.append(f"Q{cx},{cy} {x1},{y1}")
    marks = "".join(
        f"<g class='beat-mark'><circle cx='{x}' cy='{y}' r='12'/>"
        f"<text x='{x}' y='{y + 5}'>{n}</text></g>"
        for n, (x, y) in enumerate(points, start=1)
    )
    shown = "pattern" if index == 0 else "pattern off"
    return f"<g class='{shown}' data-kind='{index}'><path d='{' '.join(path)}'/>{marks}</g>"


def rebound(x0: int, y0: int, x1: int, y1: int) -> tuple[int, int]:
    """The control point of the baton's curve from one beat's point to the next (SVG units):
    halfway across, 40 units above the higher point (``js/conductor.js`` moves the baton on
    the same curve).

    >>> rebound(100, 135, 25, 112), rebound(112, 45, 100, 135)
    ((62, 72), (106, 5))
    """
    return (x0 + x1) // 2, min(y0, y1) - 40


def row_html(row: FollowRow) -> str:
    """One meter's row: its counting lines (each kind's, named by its meter) and its
    conductor; the first kind shown."""
    data = {
        "bars": [[float(start), kind] for start, kind in row.bars],
        "kinds": [kind.data() for kind in row.kinds],
    }
    counts = "".join(
        f"<p class='counting'{' hidden' if i else ''} data-kind='{i}'>"
        f"<span class='meter'>{escape(kind.name)}</span>"
        + "".join(_count_html(kind, i, scheme) for scheme, _ in COUNTS)
        + f"{_gestures_html(kind)}</p>"
        for i, kind in enumerate(row.kinds)
    )
    width, height = PATTERN_BOX
    patterns = "".join(_pattern_svg(kind, i) for i, kind in enumerate(row.kinds))
    x, y = DOWN_POINT
    return (
        f"<div class='follow' data-follow='{escape(json.dumps(data, separators=(',', ':')))}'>"
        f"<div class='counts'>{counts}</div>"
        f"<svg class='conductor' viewBox='0 0 {width} {height}' role='img' "
        f"aria-label='conducting pattern'>{patterns}"
        f"<circle class='baton' cx='{x}' cy='{y}' r='9'/></svg></div>"
    )


def rows_html(timeline: Timeline, labels: Sequence[str] = ("",)) -> list[str]:
    """Each row of a section (:func:`follow_rows`) as HTML, in order (a meter's row goes
    beside its beat light)."""
    return [row_html(row) for row in follow_rows(timeline, labels)]


def follow_html(timeline: Timeline, labels: Sequence[str] = ("",)) -> str:
    """Every row of a section (:func:`follow_rows`), as HTML."""
    return "".join(rows_html(timeline, labels))


def count_menu(number: int, chosen: str = DEFAULT_COUNT) -> str:
    """The menu of counts for section ``number``, ``chosen`` selected (``js/conductor.js``
    shows the count chosen).

    >>> count_menu(2, "words").count("<option"), "value='words' selected" in count_menu(2, "words")
    (4, True)
    """
    options = "".join(
        f"<option value='{scheme}'{' selected' if scheme == chosen else ''}>{escape(words)}</option>"
        for scheme, words in COUNTS
    )
    return (
        f"<label class='count-menu'>count <select class='count-mode' id='s{number}-count'>"
        f"{options}</select></label>"
    )
