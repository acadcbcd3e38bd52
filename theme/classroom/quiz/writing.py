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
bars of the rebarred timeline, 4/4 versions from :func:`theme.core.remeter.remeter_rhythm`.

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

from theme.classroom.quiz.options import check_count, check_seed
from theme.classroom.quiz.printable import sheet_html
from theme.core.meter import AccentLevel, Meter
from theme.core.rhythm import Rhythm
from theme.errors import UsageError
from theme.safe_text import clip

__all__ = [
    "WRITING_FILES",
    "WRITING_KINDS",
    "Exercise",
    "Writing",
    "check_writing_kinds",
    "make_writing",
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


@dataclass(frozen=True)
class Exercise:
    """One exercise: the ``prompt``, the ``lines`` the student writes on (monospace) and the
    same lines filled in (``key``); ``answer`` says the answer in words."""

    number: int
    kind: str
    prompt: str
    lines: tuple[str, ...]
    key: tuple[str, ...]
    answer: str


@dataclass(frozen=True)
class Writing:
    seed: int
    kinds: tuple[str, ...]
    exercises: tuple[Exercise, ...]

    @property
    def title(self) -> str:
        return f"Writing worksheet {self.seed}"


def check_writing_kinds(kinds: str | Sequence[str] | None) -> tuple[str, ...]:
    """Kinds of exercise, comma-separated or a sequence; None or ``all`` for all.

    Raises:
        UsageError: an empty list or a kind not in :data:`WRITING_KINDS`.
    """
    if kinds is None:
        return WRITING_KINDS
    given = [k.strip() for k in kinds.split(",")] if isinstance(kinds, str) else list(kinds)
    if given == ["all"]:
        return WRITING_KINDS
    allowed = f"one or more of {', '.join(WRITING_KINDS)} (comma-separated), or all"
    if not given:
        raise UsageError(f"invalid kind '': expected {allowed}")
    for kind in given:
        if kind not in WRITING_KINDS:
            raise UsageError(f"invalid kind {clip(str(kind))!r}: expected {allowed}")
    return tuple(dict.fromkeys(given))


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
                if one_bar and _telling(pattern.rhythm) and pattern.rhythm not in rhythms:
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


def _barred(rhythm: Rhythm, meter: Meter, starts: Sequence[Fraction]) -> str:
    """The rhythm's box with ``|`` at each bar start (quarter notes) but the first."""
    box = rhythm.to_box()
    cells = [int(s / rhythm.unit) for s in starts[1:]]
    out = "".join(("|" if i in cells else "") + c for i, c in enumerate(box))
    return out


def _accents(rng: random.Random, number: int, pool: list[Meter]) -> Exercise:
    meter = pool.pop(rng.randrange(len(pool)))
    grouping = "+".join(map(str, meter.groups))
    count = "  ".join(f"{n:<2}" for n in range(1, meter.numerator + 1)).rstrip()
    marks = [">" if level <= AccentLevel.GROUP else "." for level in meter.accent_levels()]
    return Exercise(
        number,
        "accents",
        f"Write the accents of {grouping} ({meter.numerator}/{meter.denominator}) under the "
        "count: > under each pulse that starts a group, . under the others.",
        (f"count   {count}", "accent  " + "  ".join("__" for _ in marks)),
        (f"count   {count}", "accent  " + "  ".join(f"{m:<2}" for m in marks).rstrip()),
        f"> on {', '.join(str(s + 1) for s in meter.group_starts)}",
    )


def _barring(rng: random.Random, number: int, rhythms: list[Rhythm]) -> Exercise:
    from theme.core.remeter import remeter_rhythm
    from theme.core.timeline import Timeline

    bar = rng.choice([*rhythms, _random_rhythm(rng)])
    notes = remeter_rhythm(bar, "rebar")  # the bar again until 5/4 and 4/4 bars end together
    five_bars = int(notes.quarters / FIVE.bar_quarters)
    laid = Timeline.build(title="barring", bars=[(FIVE, "")] * five_bars, tempo=120)
    five = [b.start for b in laid.bars]
    four = [b.start for b in laid.remeter("rebar").bars]
    cells = len(notes.to_box())
    return Exercise(
        number,
        "barring",
        f"These {cells} eighths start on a downbeat. Draw the bar lines for 5/4 (the first "
        "line), then for 4/4 (the second).",
        (f"5/4  {notes.to_box()}", f"4/4  {notes.to_box()}"),
        (f"5/4  {_barred(notes, FIVE, five)}", f"4/4  {_barred(notes, FOUR, four)}"),
        f"{len(five)} bars of 5/4 (10 eighths each), {len(four)} bars of 4/4 (8 each)",
    )


def _shown(rhythm: Rhythm) -> str:
    """A 4/4 rhythm with a bar line every bar, and what a cell is."""
    per_bar = int(FOUR.bar_quarters / rhythm.unit)
    box = rhythm.to_box()
    bars = "|".join(box[i : i + per_bar] for i in range(0, len(box), per_bar))
    cell = {Fraction(1, 2): "an eighth", Fraction(1, 4): "a sixteenth"}.get(
        rhythm.unit, f"{rhythm.unit} of a quarter"
    )
    return f"{bars}   (a cell is {cell})"


def _strategy(rng: random.Random, number: int, rhythms: list[Rhythm], names: list[str]) -> Exercise:
    from theme.core.remeter import remeter_rhythm

    name = names.pop(rng.randrange(len(names)))
    for bar in [*rng.sample(rhythms, len(rhythms)), *(_random_rhythm(rng) for _ in range(20))]:
        shown = {s: _shown(remeter_rhythm(bar, s)) for s in STRATEGY_NAMES}
        if len(set(shown.values())) == len(STRATEGY_NAMES):  # one answer only
            break
    else:  # pragma: no cover - a random bar with four different versions is found at once
        raise RuntimeError("no rhythm tells the strategies apart")
    return Exercise(
        number,
        "strategy",
        "A bar of 5/4 and its 4/4 version: which strategy made it? (squeeze, drop, stretch "
        "or rebar)",
        (
            f"5/4  {bar.to_box()}   (a cell is an eighth)",
            f"4/4  {shown[name]}",
            "strategy: ____________",
        ),
        (
            f"5/4  {bar.to_box()}   (a cell is an eighth)",
            f"4/4  {shown[name]}",
            f"strategy: {name}",
        ),
        f"{name}: {WHAT_IT_DOES[name]}",
    )


def make_writing(
    *, seed: int | str = 0, count: int = 10, kinds: str | Sequence[str] | None = None
) -> Writing:
    """``count`` exercises of the ``kinds`` asked for, taking turns, chosen by ``seed``.

    Raises:
        UsageError: a bad seed, count or kind.
    """
    seed = check_seed(seed)
    count = check_count(count, "exercises")
    chosen = check_writing_kinds(kinds)
    rng = random.Random(seed)
    meters, rhythms = _gallery()
    groupings = [Meter.parse(g) for g in GROUPINGS]
    groupings += [m for m in meters if m not in groupings]
    pool: list[Meter] = []
    strategies: list[str] = []
    exercises = []
    for number, kind in zip(range(1, count + 1), itertools.cycle(chosen)):
        if kind == "accents":
            pool = pool or list(groupings)  # each grouping once before any comes again
            exercises.append(_accents(rng, number, pool))
        elif kind == "barring":
            exercises.append(_barring(rng, number, rhythms))
        else:
            strategies = strategies or list(STRATEGY_NAMES)  # each once before any again
            exercises.append(_strategy(rng, number, rhythms, strategies))
    return Writing(seed, chosen, tuple(exercises))


def _block(exercise: Exercise, lines: Sequence[str], *, answer: bool) -> str:
    text = "\n".join(lines)
    said = f"<p class='answer'>{escape(exercise.answer)}</p>" if answer else ""
    return (
        f"<p><b>{exercise.number}.</b> {escape(exercise.prompt)}</p><pre>{escape(text)}</pre>{said}"
    )


def write_writing(writing: Writing, folder: str | Path) -> tuple[Path, Path]:
    """Write ``worksheet.html`` and ``key.html`` into ``folder``, made aside and put in
    place only when complete; return their paths.

    Raises:
        OutputFileError: the folder cannot be made or written, or holds other files.
    """
    from theme.classroom.folder import folder_aside
    from theme.output import atomic_path

    intro = f"The same worksheet again: theme worksheet --seed {writing.seed} --count {len(writing.exercises)}"
    if len(writing.kinds) != len(WRITING_KINDS):
        intro += f" --kind {','.join(writing.kinds)}"
    pages = {
        "worksheet.html": sheet_html(
            writing.title,
            [_block(e, e.lines, answer=False) for e in writing.exercises],
            intro=intro + ".",
        ),
        "key.html": sheet_html(
            f"Answer key: {writing.title}",
            [_block(e, e.key, answer=True) for e in writing.exercises],
            intro=intro + ".",
            who=False,
        ),
    }
    root = Path(folder)
    with folder_aside(root, whole=True, replaceable=WRITING_FILES) as aside:
        for name, html in pages.items():
            with atomic_path(aside / name) as tmp:
                tmp.write_text(html, encoding="utf-8")
    return root / "worksheet.html", root / "key.html"
