"""The questions of a listening quiz, made from a seed: the same seed, the same quiz.

Each :class:`Item` plays a timeline made by the engine and offers two to four choices;
its answer is read back from that timeline (:func:`answer_in`), never written by hand.

=============  ==========================================================================
kind           the question
=============  ==========================================================================
``meter``      which meter is this? (4/4, 5/4, 7/8, 9/8, 11/8 and any the gallery holds)
``grouping``   how are the pulses grouped? (5 as 3+2 or 2+3; 7 as 2+2+3, 3+2+2, 2+3+2)
``remix``      a stretch of a remix, or of the theme remetered: 4/4 or 5/4?
``landing``    a four-count step over the music: on which beat of the last bar heard does
               step one (the loud step) land?
=============  ==========================================================================

>>> quiz = make_quiz(seed=7, count=4)
>>> [item.kind for item in quiz.items] == [item.kind for item in make_quiz(seed=7, count=4).items]
True
>>> all(item.choices[item.answer] == answer_in(item) for item in quiz.items)
True
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from theme.classroom.quiz.material import (
    STEP_LAYER,
    Window,
    grouping_groove,
    levelled,
    marks_grouping,
    period_pulses,
    quiz_tempo,
    window_bars,
    windows,
)
from theme.classroom.quiz.options import (
    KINDS,
    MAX_ITEMS,
    MAX_SEED,
    check_count,
    check_kinds,
    check_level,
    check_seed,
)
from theme.core.meter import Meter
from theme.core.tempo import Tempo
from theme.core.timeline import Timeline

__all__ = [
    "KINDS",
    "MAX_ITEMS",
    "MAX_SEED",
    "Item",
    "Quiz",
    "answer_in",
    "check_kinds",
    "check_level",
    "check_seed",
    "make_quiz",
]

METER_POOL = ("3/4", "4/4", "5/4", "7/8", "9/8", "11/8")
"""Meters a meter question may offer besides those the gallery holds."""
GROUPINGS = {5: ("3+2", "2+3"), 7: ("2+2+3", "3+2+2", "2+3+2")}
"""The groupings a grouping question asks about when it makes its own music."""
STEPS = 4
"""Counts in the dance test's step (step-touch)."""
MAX_GROUPS = 6
"""A grouping question of the gallery's music is asked of meters of at most this many
groups (their orders are counted one by one: 720 for six)."""


@dataclass(frozen=True)
class Item:
    """One question: ``choices`` (two to four) and the index of the right one in
    ``answer``; ``music`` is what it plays, ``source`` says what that is made from."""

    number: int
    kind: str
    level: int
    question: str
    choices: tuple[str, ...]
    answer: int
    music: Timeline
    source: str

    @property
    def answer_text(self) -> str:
        return self.choices[self.answer]


@dataclass(frozen=True)
class Quiz:
    """A quiz: its ``seed``, ``level``, ``kinds`` and items."""

    seed: int
    level: int
    kinds: tuple[str, ...]
    items: tuple[Item, ...]

    @property
    def title(self) -> str:
        return f"Listening quiz {self.seed}, level {self.level}"


def make_quiz(
    *,
    seed: int | str = 0,
    level: int | str = 1,
    count: int = 10,
    kinds: str | Sequence[str] | None = None,
) -> Quiz:
    """``count`` items of the ``kinds`` asked for, taking turns, at ``level``, all chosen
    by ``seed``: the same arguments (and the same gallery) make the same quiz.

    Raises:
        UsageError: a bad seed, level, count or kind (named, with what is allowed).
    """
    seed, level, count = check_seed(seed), check_level(level), check_count(count)
    chosen = check_kinds(kinds)
    rng = random.Random(seed)
    material = windows()
    makers = {"meter": _meter, "grouping": _grouping, "remix": _remix, "landing": _landing}
    items = []
    for number, kind in zip(range(1, count + 1), itertools.cycle(chosen)):
        items.append(makers[kind](rng, number, level, material))
    return Quiz(seed, level, chosen, tuple(items))


def _item(
    number: int,
    kind: str,
    level: int,
    question: str,
    right: str,
    wrong: Sequence[str],
    music: Timeline,
    source: str,
    order: Sequence[str],
) -> Item:
    choices = tuple(sorted({right, *wrong}, key=list(order).index))
    return Item(
        number,
        kind,
        level,
        question,
        choices,
        choices.index(right),
        music.with_title(f"Item {number}"),
        source,
    )


def _meter_key(text: str) -> tuple[int, int]:
    meter = Meter.parse(text)
    return meter.numerator, meter.denominator


def _n_d(meter: Meter) -> str:
    return f"{meter.numerator}/{meter.denominator}"


def _heard(material: list[Window], level: int) -> list[tuple[Window, Timeline]]:
    """The windows whose bar is heard at ``level`` (its sounds do not repeat within the
    bar: :func:`period_pulses`), each with what it plays at that level."""
    played = [(w, levelled(w.music, level)) for w in material]
    return [(w, music) for w, music in played if period_pulses(music) == w.meter.numerator]


def _meter(rng: random.Random, number: int, level: int, material: list[Window]) -> Item:
    pool = sorted({*METER_POOL, *(_n_d(w.meter) for w in material)}, key=_meter_key)
    if level == 1:
        right = rng.choice(pool)
        meter = Meter.parse(right)
        tempo = quiz_tempo(meter)
        music = levelled(_metronome(meter, tempo, window_bars(meter, tempo)), level, clicks=False)
        source = f"metronome, {right} at {tempo}"
    else:
        heard: dict[str, list[tuple[Window, Timeline]]] = {}
        for w, played in _heard(material, level):
            heard.setdefault(_n_d(w.meter), []).append((w, played))
        right = rng.choice(sorted(heard, key=_meter_key))
        window, music = rng.choice(heard[right])
        source = window.label
    meter = Meter.parse(right)
    wrong = [
        m
        for m in pool
        if m != right
        and Meter.parse(m).numerator != meter.numerator
        and Meter.parse(m).bar_quarters != meter.bar_quarters
        and Meter.parse(m).numerator % meter.numerator != 0  # bars of the music, heard as one
    ]
    return _item(
        number,
        "meter",
        level,
        "Which meter is this?",
        right,
        rng.sample(wrong, min(3, len(wrong))),
        music,
        source,
        pool,
    )


def _metronome(meter: Meter, tempo: Tempo, bars: int) -> Timeline:
    from theme.metronome import Metronome

    return Metronome(meter, bpm=tempo, bars=bars).timeline()


def _alternatives(meter: Meter) -> list[str]:
    """Every other order of the meter's groups (3+2 for 2+3), the meter's own first."""
    own = "+".join(map(str, meter.groups))
    others = sorted({"+".join(map(str, p)) for p in itertools.permutations(meter.groups)} - {own})
    return [own, *others]


def _grouping(rng: random.Random, number: int, level: int, material: list[Window]) -> Item:
    options: list[tuple[str, Timeline, str, list[str]]] = []
    for numerator, groupings in GROUPINGS.items():
        for grouping in groupings:
            meter = Meter.parse(f"{grouping}/{4 if numerator == 5 else 8}")
            tempo = quiz_tempo(meter)
            bars = window_bars(meter, tempo)
            if level == 1:
                music, source = (
                    _metronome(meter, tempo, bars),
                    f"metronome, {meter.explicit} at {tempo}",
                )
            else:
                music = levelled(grouping_groove(meter, bars=bars, tempo=tempo), level)
                source = f"a groove of {meter.explicit} at {tempo}"
            options.append((grouping, music, source, [g for g in groupings if g != grouping]))
    if level > 1:
        for w in material:
            if len(w.meter.groups) > MAX_GROUPS:
                continue
            alternatives = _alternatives(w.meter)
            music = levelled(w.music, level)
            wrong = [
                g
                for g in alternatives[1:]
                if any(
                    layer not in marks_grouping(music, _groups(g))
                    for layer in marks_grouping(music, w.meter.groups)
                )
            ]
            if wrong:
                options.append((alternatives[0], music, w.label, wrong))
    right, music, source, wrong = rng.choice(options)
    meter = music.bars[0].meter
    order = sorted({right, *wrong})
    return _item(
        number,
        "grouping",
        level,
        f"The bar has {meter.numerator} pulses: how are they grouped?",
        right,
        rng.sample(wrong, min(3, len(wrong))),
        music,
        source,
        order,
    )


def _groups(text: str) -> tuple[int, ...]:
    return tuple(int(g) for g in text.split("+"))


def _remix(rng: random.Random, number: int, level: int, material: list[Window]) -> Item:
    candidates = [
        (w, music) for w, music in _heard(material, level) if _n_d(w.meter) in ("4/4", "5/4")
    ]
    meter = rng.choice(sorted({_n_d(w.meter) for w, _ in candidates}))  # 4/4 as often as 5/4
    window, music = rng.choice([(w, m) for w, m in candidates if _n_d(w.meter) == meter])
    return _item(
        number,
        "remix",
        level,
        "A stretch of a remix, or of the theme remetered: 4/4 or 5/4?",
        _n_d(window.meter),
        ["4/4", "5/4"],
        music,
        window.label,
        ["4/4", "5/4"],
    )


def _landing(rng: random.Random, number: int, level: int, material: list[Window]) -> Item:
    from theme.classroom.dance import dance_music, dance_timeline, landings

    usable = [w for w, _ in _heard(material, level)] if level > 1 else material
    meters = sorted(
        {w.meter for w in usable if w.meter.numerator % STEPS and w.meter.numerator > 2},
        key=lambda m: (m.numerator, m.denominator, m.groups),
    )
    meter = rng.choice(meters)
    window = rng.choice([w for w in usable if w.meter == meter])
    tempo = Tempo(window.music.tempo_map.qpm_at(Fraction(0)))
    # bars whose last bar has a step one in it (in 3/4 the fourth has none), in the window
    landed = {bar for bar, _ in landings(meter, steps=STEPS)}
    bars = rng.choice([k for k in range(2, window.bars + 1) if k in landed])
    if level == 1:
        music, source = (
            dance_music(meter, bpm=tempo, bars=bars),
            f"the dance test's music in {meter.explicit}",
        )
        if meter != Meter.parse("3+2/4"):
            source = f"metronome, {meter.explicit} at {tempo}"
    else:
        from theme.variants import load

        name = window.name.split(" ")[0]
        whole = load(name).timeline(tempo=tempo, bars=window.first + bars - 1)
        from theme.classroom.quiz.material import cut

        music, source = (
            cut(whole, window.first, bars),
            f"{name}, bars {window.first}-{window.first + bars - 1}",
        )
    danced = dance_timeline(meter, steps=STEPS, bpm=tempo, bars=bars, music=music)
    played = levelled(danced, level, clicks=meter == Meter.parse("3+2/4"))
    question = (
        f"Step-touch in {STEPS} counts over {bars} bars of {_n_d(meter)}: the loud step is step "
        f"one. On which beat of bar {bars}, the last, does step one first land?"
    )
    beats = _landing_beats(played)
    right = str(beats[0])
    wrong = [str(b) for b in range(1, meter.numerator + 1) if b not in beats]
    order = [str(b) for b in range(1, meter.numerator + 1)]
    return _item(
        number,
        "landing",
        level,
        question,
        right,
        rng.sample(wrong, min(3, len(wrong))),
        played,
        source,
        order,
    )


def _landing_beats(music: Timeline) -> list[int]:
    """The beats (from 1) of the last bar where the step's count one sounds."""
    bar = music.bars[-1]
    top = max(e.velocity for e in music.layer_events(STEP_LAYER))
    return [
        int((e.onset - bar.start) / bar.meter.pulse_quarters) + 1
        for e in music.bar_events(bar)
        if e.layer == STEP_LAYER and e.velocity == top
    ]


def answer_in(item: Item) -> str:
    """The right answer read from the item's music: its meter (N/D), its grouping, or
    the first beat of the last bar where the step's count one lands.

    Raises:
        ValueError: music whose bars do not share one meter (no item is made of such).
    """
    meters = {bar.meter for bar in item.music.bars}
    if item.kind == "landing":
        return str(_landing_beats(item.music)[0])
    if len(meters) != 1:
        raise ValueError(f"item {item.number} has bars in {len(meters)} meters")
    (meter,) = meters
    if item.kind == "grouping":
        return "+".join(map(str, meter.groups))
    return _n_d(meter)
