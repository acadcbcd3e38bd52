"""Worksheets of writing, made by the engine from a seed, with their answer keys.

=============  ===========================================================================
kind           the exercise
=============  ===========================================================================
``accents``    write the accents of a grouping (3+2, 2+2+3...) over a bar's pulses
``barring``    bar a rhythm in 5/4, and again in 4/4 (the same notes: the ``rebar`` strategy)
``strategy``   a 5/4 bar and its 4/4 version: fill in the strategy (squeeze, drop,
               stretch or rebar)
=============  ===========================================================================

Every answer is the engine's: accents from :meth:`Meter.accent_levels`, bar lines from the
bars of a 5/4 timeline and of the same rebarred to 4/4, 4/4 versions from
:func:`theme.core.remeter.remeter_rhythm`. The pupil writes in boxes (a printed box is at
least 7 mm, :data:`theme.quiz.printable.CELL_MM`), with a legend of the symbols
on the sheet; no two exercises of a sheet share a rhythm, so none answers another.

>>> sheet = make_writing(seed=1, count=3)
>>> [e.kind for e in sheet.exercises]
['accents', 'barring', 'strategy']
>>> sheet == make_writing(seed=1, count=3)
True
"""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from html import escape
from pathlib import Path

from theme.core.meter import AccentLevel, Meter
from theme.core.rhythm import Hit, Rhythm
from theme.quiz.options import check_count, check_kinds, check_seed
from theme.quiz.printable import sheet_html

__all__ = [
    "LEGEND",
    "WRITING_FILES",
    "WRITING_KINDS",
    "Exercise",
    "Row",
    "Writing",
    "check_writing_kinds",
    "make_writing",
    "shown_version",
    "worksheet_pages",
    "write_writing",
]

WRITING_KINDS = ("accents", "barring", "strategy")
WRITING_FILES = re.compile(r"worksheet\.html|key\.html")
GROUPINGS = (
    "3+2/4",
    "2+3/4",
    "2+2+3/8",
    "3+2+2/8",
    "2+3+2/8",
    "3+3+2/8",
    "2+2+2+3/8",
    "2+2+3+2+2/8",
)
"""Groupings an accents exercise may ask for, besides those the gallery holds."""
STRATEGY_NAMES = ("squeeze", "drop", "stretch", "rebar")
WHAT_IT_DOES = {
    "squeeze": "beats 1-3 kept, beats 4 and 5 squeezed into beat 4",
    "drop": "beat 5 dropped; the last note kept fills the bar",
    "stretch": "the bar kept whole, then three beats' rest: two 4/4 bars",
    "rebar": "the same notes barred in 4/4: they cross the bar lines",
}
"""What each strategy does to a 5/4 bar (as :mod:`theme.core.remeter` tells it)."""
FIVE = Meter.parse("5/4")
FOUR = Meter.parse("4/4")
EIGHTH = Fraction(1, 2)
BARRING_BARS = 2
"""Bars of 5/4 a barring exercise writes out (20 eighths: two bars of 5/4, two and a half
of 4/4), one row on a printed page."""


@dataclass(frozen=True)
class Row:
    """A row of boxes: a ``label`` (``'5/4'``), each box's text (empty: the pupil writes in
    it) and the boxes a bar line stands before (``bars``, indexes from 0)."""

    label: str
    cells: tuple[str, ...]
    bars: tuple[int, ...] = ()

    @property
    def text(self) -> str:
        """The row as box text, ``'|'`` before each bar's first box, ``_`` an empty box.

        >>> Row("5/4", tuple("X..x"), (2,)).text
        '5/4  X.|.x'
        """
        boxes = "".join(
            ("|" if i in self.bars else "") + (c or "_") for i, c in enumerate(self.cells)
        )
        return f"{self.label}  {boxes}"


@dataclass(frozen=True)
class Exercise:
    """One exercise: the ``prompt``, the ``rows`` of boxes the pupil writes on, the same
    rows filled in (``key``), a ``blank`` to fill in words (empty: none) and ``answer``,
    the answer in words. ``rhythm`` is the box text of the rhythm it is made of (empty for
    an accents exercise): two exercises of a sheet never share one."""

    number: int
    kind: str
    prompt: str
    rows: tuple[Row, ...]
    key: tuple[Row, ...]
    answer: str
    blank: str = ""
    rhythm: str = ""

    @property
    def lines(self) -> tuple[str, ...]:
        """The rows as the pupil gets them, as box text."""
        return tuple(row.text for row in self.rows)


@dataclass(frozen=True)
class Writing:
    seed: int
    kinds: tuple[str, ...]
    exercises: tuple[Exercise, ...]
    paper: str = "a4"

    @property
    def title(self) -> str:
        return f"Writing worksheet {self.seed}"


def check_writing_kinds(kinds: str | Sequence[str] | None) -> tuple[str, ...]:
    """Kinds of exercise, comma-separated or a sequence; None or ``all`` for all
    (:func:`theme.quiz.options.check_kinds` of :data:`WRITING_KINDS`).

    >>> check_writing_kinds("strategy, accents")
    ('strategy', 'accents')

    Raises:
        UsageError: an empty list or a kind not in :data:`WRITING_KINDS`.
    """
    return check_kinds(kinds, WRITING_KINDS)


def _gallery() -> tuple[list[Meter], list[Rhythm]]:
    """The gallery's groupings (meters of more than one group) and its one-bar 5/4 rhythms."""
    from theme.variants import load, names

    meters: list[Meter] = []
    rhythms: list[Rhythm] = []
    for name in names():
        for section in load(name).sections:
            if len(set(section.meter.groups)) > 1 and section.meter not in meters:
                meters.append(section.meter)
            if (section.meter.numerator, section.meter.denominator) != (5, 4):
                continue
            for pattern in section.patterns:
                one_bar = pattern.strategy is None and pattern.rhythm.quarters == FIVE.bar_quarters
                eighths = pattern.rhythm.unit == EIGHTH
                if (
                    one_bar
                    and eighths
                    and _telling(pattern.rhythm)
                    and pattern.rhythm not in rhythms
                ):
                    rhythms.append(pattern.rhythm)
    return meters, rhythms


def _telling(rhythm: Rhythm) -> bool:
    """Whether a bar is worth writing about: 2 to 6 notes, not all the same length.

    >>> _telling(Rhythm.from_box("X..x..x.x.")), _telling(Rhythm.from_box("x-x-x-x-x-"))
    (True, False)
    """
    return 2 <= len(rhythm.hits) <= 6 and len(set(rhythm.durations())) > 1


def _random_rhythm(rng: random.Random) -> Rhythm:
    """A bar of 5/4 in eighths: 3 to 6 notes, the first on the downbeat."""
    while True:
        onsets = {0, *rng.sample(range(1, 10), rng.randint(2, 5))}
        rhythm = Rhythm.from_box("".join("x" if k in onsets else "." for k in range(10)))
        if _telling(rhythm):
            return rhythm


def _fresh(rng: random.Random, rhythms: list[Rhythm], used: set[str]) -> Rhythm:
    """A rhythm no exercise of the sheet has used yet (the gallery's first, then made up),
    marked used."""
    left = [r for r in rhythms if r.to_box() not in used]
    for bar in [*rng.sample(left, len(left)), *(_random_rhythm(rng) for _ in range(200))]:
        if bar.to_box() not in used:
            used.add(bar.to_box())
            return bar
    raise RuntimeError("no fresh rhythm")  # pragma: no cover - 200 random bars never all used


def _refined(rhythm: Rhythm, unit: Fraction) -> Rhythm:
    """The rhythm on a grid of ``unit`` (a fraction of its own): the same notes, more boxes.

    >>> _refined(Rhythm.from_box("x.x-"), Fraction(1, 4)).to_box()
    'x...x.--'
    """
    factor = int(rhythm.unit / unit)
    hits = tuple(Hit(h.start * factor, h.length * factor, h.accent) for h in rhythm.hits)
    return Rhythm(hits, rhythm.length * factor, unit)


def _row(label: str, rhythm: Rhythm, bar_cells: int | None = None, *, blank: bool = False) -> Row:
    """A row of the rhythm's boxes, a bar line every ``bar_cells`` boxes (None: none);
    ``blank``: only the boxes, for the pupil to draw the bar lines."""
    bars = () if bar_cells is None else tuple(range(bar_cells, rhythm.length, bar_cells))
    return Row(label, tuple(rhythm.to_box()), () if blank else bars)


def _accents(rng: random.Random, number: int, pool: list[Meter]) -> Exercise:
    meter = pool.pop(rng.randrange(len(pool)))
    grouping = "+".join(map(str, meter.groups))
    count = tuple(str(n) for n in range(1, meter.numerator + 1))
    marks = tuple(">" if level <= AccentLevel.GROUP else "" for level in meter.accent_levels())
    return Exercise(
        number,
        "accents",
        f"The bar of {meter.numerator}/{meter.denominator} is grouped {grouping}. Write > in "
        "the box under each count that starts a group (an accent). Leave the others empty.",
        (Row("count", count), Row("accent", ("",) * meter.numerator)),
        (Row("count", count), Row("accent", marks)),
        f"> under {', '.join(str(s + 1) for s in meter.group_starts)}",
    )


def _barring(rng: random.Random, number: int, rhythms: list[Rhythm], used: set[str]) -> Exercise:
    from theme.core.timeline import Timeline

    bar = _fresh(rng, rhythms, used)
    notes = Rhythm.from_box(bar.to_box() * BARRING_BARS)
    cells = notes.length
    laid = Timeline.build(title="barring", bars=[(FIVE, "")] * BARRING_BARS, tempo=120)
    five_lines = tuple(int(b.start / EIGHTH) for b in laid.bars[1:])
    four_lines = tuple(int(b.start / EIGHTH) for b in laid.remeter("rebar").bars[1:])
    five, four = int(FIVE.bar_quarters / EIGHTH), int(FOUR.bar_quarters / EIGHTH)
    return Exercise(
        number,
        "barring",
        f"These {cells} eighth notes start on a downbeat (the first beat of a bar). Draw the "
        f"bar lines in the gaps: on the first row for 5/4 ({five} eighths a bar), on the second "
        f"for 4/4 ({four} eighths a bar).",
        (_row("5/4", notes, blank=True), _row("4/4", notes, blank=True)),
        (
            Row("5/4", tuple(notes.to_box()), tuple(c for c in five_lines if c < cells)),
            Row("4/4", tuple(notes.to_box()), tuple(c for c in four_lines if c < cells)),
        ),
        f"5/4: a bar line after every {five} eighths; 4/4: after every {four} "
        f"({cells // five} bars of 5/4, {cells / four:g} bars of 4/4)",
        rhythm=bar.to_box(),
    )


def shown_version(bar: Rhythm, strategy: str) -> Rhythm:
    """What a strategy exercise shows of a 5/4 bar's 4/4 version: the engine's
    (:func:`theme.core.remeter.remeter_rhythm`); for ``rebar``, its first bar's worth of
    eighths, the notes crossing the 4/4 bar line (the rest repeats the bar)."""
    from theme.core.remeter import remeter_rhythm

    made = remeter_rhythm(bar, strategy)
    if strategy != "rebar":
        return made
    box = made.to_box()[: int(FIVE.bar_quarters / made.unit)]
    return Rhythm.from_box(box, made.unit)


def _strategy(
    rng: random.Random, number: int, rhythms: list[Rhythm], names: list[str], used: set[str]
) -> Exercise:
    name = names.pop(rng.randrange(len(names)))
    while True:
        bar = _fresh(rng, rhythms, used)
        shown = {s: shown_version(bar, s) for s in STRATEGY_NAMES}
        if len({r.to_box() for r in shown.values()}) == len(STRATEGY_NAMES):  # one answer
            break
    unit = min(bar.unit, shown[name].unit)  # one box size for both rows
    five, four = _refined(bar, unit), _refined(shown[name], unit)
    per_bar = int(FOUR.bar_quarters / unit)
    rows = (_row("5/4", five), _row("4/4", four, per_bar))
    cell = {EIGHTH: "an eighth note", Fraction(1, 4): "a sixteenth note"}.get(unit, "a beat")
    return Exercise(
        number,
        "strategy",
        f"A bar of 5/4 and its 4/4 version (a box is {cell}; | is a bar line). Which "
        "strategy made it: squeeze, drop, stretch or rebar?",
        rows,
        rows,
        f"{name}: {WHAT_IT_DOES[name]}",
        blank=name,
        rhythm=bar.to_box(),
    )


def make_writing(
    *,
    seed: int | str = 0,
    count: int = 10,
    kinds: str | Sequence[str] | None = None,
    paper: str = "a4",
) -> Writing:
    """``count`` exercises of the ``kinds`` asked for, taking turns, chosen by ``seed``, to
    print on ``paper``: no two alike, and none made of a rhythm another uses (so none
    answers another).

    Raises:
        UsageError: a bad seed, count, kind or paper.
    """
    from theme.quiz.printable import check_paper

    seed = check_seed(seed)
    count = check_count(count, "exercises")
    chosen = check_writing_kinds(kinds)
    paper = check_paper(paper)
    rng = random.Random(seed)
    meters, rhythms = _gallery()
    groupings = [Meter.parse(g) for g in GROUPINGS]
    groupings += [m for m in meters if m not in groupings]
    pool: list[Meter] = []
    strategies: list[str] = []
    used: set[str] = set()
    exercises = []
    for number, kind in zip(range(1, count + 1), itertools.cycle(chosen)):
        if kind == "accents":
            pool = pool or list(groupings)  # each grouping once before any comes again
            exercises.append(_accents(rng, number, pool))
        elif kind == "barring":
            exercises.append(_barring(rng, number, rhythms, used))
        else:
            strategies = strategies or list(STRATEGY_NAMES)  # each once before any again
            exercises.append(_strategy(rng, number, rhythms, strategies, used))
    return Writing(seed, chosen, tuple(exercises), paper)


LEGEND = (
    ("X", "a loud note (an accent)"),
    ("x", "a note"),
    (".", "the note before goes on (it is held)"),
    ("-", "silence (a rest)"),
    ("|", "a bar line: the next box starts a bar"),
    (">", "an accent mark: the note is played louder"),
)
"""What the symbols in the boxes mean, as the sheet's legend says it."""


def _cell(text: str) -> str:
    return f"<span class='cell'>{escape(text)}</span>"


def row_html(row: Row) -> str:
    """A row of boxes: its label, then the boxes with a gap between each two (room to draw
    a bar line), a drawn bar line where the row has one."""
    boxes = "".join(
        ("<span class='barline' aria-label='bar line'></span>" if i in row.bars else "") + _cell(c)
        for i, c in enumerate(row.cells)
    )
    wide = " wide" if len(row.label) > 3 else ""  # 'accent' (on rows of a few boxes)
    return f"<div class='row'><span class='label{wide}'>{escape(row.label)}</span>{boxes}</div>"


def legend_html() -> str:
    """The sheet's legend: each symbol in a box, and what it means."""
    parts = []
    for symbol, words in LEGEND:
        shown = (
            _cell("") + "<span class='barline'></span>" + _cell("")
            if symbol == "|"
            else _cell(symbol)
        )
        parts.append(f"<span class='sym'>{shown}{escape(words)}</span>")
    return (
        "<div class='legend'><b>How to read the boxes:</b> a box is one eighth note (half a "
        f"beat) unless the exercise says otherwise. {''.join(parts)}</div>"
    )


def _block(exercise: Exercise, rows: Sequence[Row], *, answer: bool) -> str:
    said = f"<p class='answer'>{escape(exercise.answer)}</p>" if answer else ""
    blank = ""
    if exercise.blank:
        filled = escape(exercise.blank) if answer else ""
        blank = f"<p class='blank'>Strategy: <span class='write'>{filled}</span></p>"
    return (
        f"<p><b>{exercise.number}.</b> {escape(exercise.prompt)}</p>"
        + "".join(row_html(row) for row in rows)
        + blank
        + said
    )


def _command(writing: Writing) -> str:
    command = f"theme worksheet --seed {writing.seed} --count {len(writing.exercises)}"
    if len(writing.kinds) != len(WRITING_KINDS):
        command += f" --kind {','.join(writing.kinds)}"
    return command + ("" if writing.paper == "a4" else f" --paper {writing.paper}")


def worksheet_pages(writing: Writing) -> dict[str, str]:
    """``worksheet.html`` (the pupil's sheet: a legend and the exercises, a box each) and
    ``key.html`` (the boxes filled in, the answers, and the command that makes the same
    sheet again), as HTML."""
    return {
        "worksheet.html": sheet_html(
            writing.title,
            [_block(e, e.rows, answer=False) for e in writing.exercises],
            lead=legend_html(),
            per_page=0,
            paper=writing.paper,
        ),
        "key.html": sheet_html(
            f"Answer key: {writing.title}",
            [_block(e, e.key, answer=True) for e in writing.exercises],
            intro=f"The same worksheet again: {_command(writing)}.",
            who=False,
            per_page=0,
            paper=writing.paper,
        ),
    }


def write_writing(writing: Writing, folder: str | Path) -> tuple[Path, Path]:
    """Write ``worksheet.html`` and ``key.html`` into ``folder``, made aside and put in
    place only when complete; return their paths.

    Raises:
        OutputFileError: the folder cannot be made or written, or holds other files.
    """
    from theme.output import atomic_path
    from theme.output.folder import folder_aside

    pages = worksheet_pages(writing)
    root = Path(folder)
    with folder_aside(root, whole=True, replaceable=WRITING_FILES) as aside:
        for name, html in pages.items():
            with atomic_path(aside / name) as tmp:
                tmp.write_text(html, encoding="utf-8")
    return root / "worksheet.html", root / "key.html"
