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
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from theme.classroom.dance import landings
from theme.core.meter import Meter
from theme.core.tempo import Tempo
from theme.core.timeline import Timeline
from theme.quiz.material import (
    STEP_LAYER,
    Window,
    cut,
    grouping_groove,
    levelled,
    marks_grouping,
    period_pulses,
    quiz_tempo,
    window_bars,
    windows,
)
from theme.quiz.options import (
    KINDS,
    MAX_ITEMS,
    MAX_SEED,
    check_count,
    check_kinds,
    check_level,
    check_seed,
)

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

    @property
    def command(self) -> str:
        """The command that makes the same quiz again (``--kind`` only when not all four).

        >>> Quiz(seed=7, level=2, kinds=("meter",), items=()).command
        'theme quiz --seed 7 --level 2 --kind meter --count 0'
        """
        kinds = "" if len(self.kinds) == len(KINDS) else f" --kind {','.join(self.kinds)}"
        return (
            f"theme quiz --seed {self.seed} --level {self.level}{kinds} --count {len(self.items)}"
        )


PULSES_A_MINUTE = {4: (120, 100, 140), 8: (280, 240, 320)}
"""The tempos of a metronome or a groove item, pulses a minute, for quarter and eighth
meters: more music to draw from, none of it the same."""


@dataclass(frozen=True)
class Candidate:
    """Music a kind of question is true for, before it is made: ``source`` (what the key
    names), the ``right`` answer, the ``wrong`` ones it may offer, their ``order``, and
    ``make`` (the music, made only when the candidate is drawn)."""

    source: str
    right: str
    wrong: tuple[str, ...]
    order: tuple[str, ...]
    make: Callable[[], Timeline]
    question: str
    music: str = ""
    """What the music is whatever its tempo (a window's source, a metronome's meter): a
    quiz draws music it has played only when it has no other left."""

    @property
    def heard(self) -> str:
        return self.music or self.source


def make_quiz(
    *,
    seed: int | str = 0,
    level: int | str = 1,
    count: int = 10,
    kinds: str | Sequence[str] | None = None,
) -> Quiz:
    """``count`` items of the ``kinds`` asked for, taking turns, at ``level``, all chosen
    by ``seed``: the same arguments (and the same gallery) make the same quiz.

    Each kind draws only from music it is true for (:func:`candidates`), a music and an
    answer once a quiz: no two items share their source and answer, and a source already
    heard is drawn again only when the kind has no other left.

    Raises:
        UsageError: a bad seed, level, count or kind (named, with what is allowed); more
            items of a kind than the level has different music for (checked first).
    """
    from theme.errors import UsageError

    seed, level, count = check_seed(seed), check_level(level), check_count(count)
    chosen = check_kinds(kinds)
    turns = [kind for _, kind in zip(range(count), itertools.cycle(chosen))]
    material = windows()
    pools = {kind: candidates(kind, level, material) for kind in chosen}
    for kind in chosen:
        asked, have = turns.count(kind), len(pools[kind])
        if asked > have:
            raise UsageError(
                f"invalid count {count}: {count} items of {', '.join(chosen)} ask for {asked} "
                f"{kind} items and level {level} has {have} different ones; expected fewer "
                "items or more kinds"
            )
    rng = random.Random(seed)
    heard: set[str] = set()
    answered: dict[str, set[str]] = {kind: set() for kind in chosen}
    items = []
    for number, kind in enumerate(turns, start=1):
        pool = pools[kind]
        fresh = [c for c in pool if c.heard not in heard] or pool
        answers = sorted({c.right for c in fresh})
        new = [a for a in answers if a not in answered[kind]]
        if not new:  # every answer given once: a new round
            answered[kind].clear()
            new = answers
        right = rng.choice(new)  # each answer as likely, however much music has it
        candidate = rng.choice([c for c in fresh if c.right == right])
        answered[kind].add(right)
        heard.add(candidate.heard)
        pool.remove(candidate)
        items.append(
            _item(
                number,
                kind,
                level,
                candidate,
                rng.sample(candidate.wrong, min(3, len(candidate.wrong))),
            )
        )
    return Quiz(seed, level, chosen, tuple(items))


def candidates(kind: str, level: int, material: list[Window] | None = None) -> list[Candidate]:
    """Every music a question of ``kind`` at ``level`` may play, each with its answer, in
    a fixed order: a meter question any music of one meter whose bar is heard as a bar,
    a grouping question a metronome, a groove or music whose layers mark its groups, a
    remix question only a remix of the theme or the theme remetered, a landing question
    a four-count step over music of a meter whose pulses four does not divide."""
    material = windows() if material is None else material
    key = (kind, level, tuple(map(id, material)))
    if key not in _POOLS:
        makers = {"meter": _meters, "grouping": _groupings, "remix": _remixes, "landing": _landings}
        if len(_POOLS) > 4 * len(KINDS):
            _POOLS.clear()
        _POOLS[key] = (material, makers[kind](level, material))
    return list(_POOLS[key][1])


_POOLS: dict[tuple[object, ...], tuple[list[Window], list[Candidate]]] = {}
"""The candidates made, by kind, level and the windows they were made from (kept with
them, so that the windows' ids stay theirs)."""


def _item(number: int, kind: str, level: int, candidate: Candidate, wrong: Sequence[str]) -> Item:
    choices = tuple(sorted({candidate.right, *wrong}, key=list(candidate.order).index))
    return Item(
        number,
        kind,
        level,
        candidate.question,
        choices,
        choices.index(candidate.right),
        candidate.make().with_title(f"Item {number}"),
        candidate.source,
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


def _paces(meter: Meter) -> list[Tempo]:
    """The tempos a metronome or a groove in ``meter`` may play at (:func:`quiz_tempo` first).

    >>> [str(t) for t in _paces(Meter.parse("7/8"))]
    ['e=280', 'e=240', 'e=320']
    """
    base = quiz_tempo(meter)
    paces = PULSES_A_MINUTE[4 if meter.denominator <= 4 else 8]
    return [Tempo(base.bpm * pulses / paces[0], base.unit) for pulses in paces]


def _bpm(tempo: Tempo, meter: Meter) -> str:
    """A tempo in the meter's pulses a minute: ``'q=120'``, ``'e=280'``."""
    pulses = tempo.qpm / meter.pulse_quarters
    unit = (
        "q"
        if meter.pulse_quarters == 1
        else "e"
        if meter.pulse_quarters == Fraction(1, 2)
        else "pulse"
    )
    return f"{unit}={float(pulses):g}"


def _meters(level: int, material: list[Window]) -> list[Candidate]:
    pool = sorted({*METER_POOL, *(_n_d(w.meter) for w in material)}, key=_meter_key)
    found: list[Candidate] = []

    def wrong_for(right: str) -> tuple[str, ...]:
        meter = Meter.parse(right)
        return tuple(
            m
            for m in pool
            if m != right
            and Meter.parse(m).numerator != meter.numerator
            and Meter.parse(m).bar_quarters != meter.bar_quarters
            and Meter.parse(m).numerator % meter.numerator != 0  # bars of the music, heard as one
        )

    question = "Which meter is this?"
    if level == 1:
        for right in pool:
            meter = Meter.parse(right)
            for tempo in _paces(meter):
                found.append(
                    Candidate(
                        f"a metronome in {right}, {_bpm(tempo, meter)}",
                        right,
                        wrong_for(right),
                        tuple(pool),
                        _metronome_maker(meter, tempo, level),
                        question,
                        f"a metronome in {right}",
                    )
                )
        return found
    for window, music in _heard(material, level):
        right = _n_d(window.meter)
        found.append(
            Candidate(window.label, right, wrong_for(right), tuple(pool), _kept(music), question)
        )
    return found


def _kept(music: Timeline) -> Callable[[], Timeline]:
    return lambda: music


def _metronome_maker(meter: Meter, tempo: Tempo, level: int) -> Callable[[], Timeline]:
    return lambda: levelled(
        _metronome(meter, tempo, window_bars(meter, tempo)), level, clicks=False
    )


def _metronome(meter: Meter, tempo: Tempo, bars: int) -> Timeline:
    from theme.metronome import Metronome

    return Metronome(meter, bpm=tempo, bars=bars).timeline()


def _alternatives(meter: Meter) -> list[str]:
    """Every other order of the meter's groups (3+2 for 2+3), the meter's own first."""
    own = "+".join(map(str, meter.groups))
    others = sorted({"+".join(map(str, p)) for p in itertools.permutations(meter.groups)} - {own})
    return [own, *others]


def _groupings(level: int, material: list[Window]) -> list[Candidate]:
    found: list[Candidate] = []

    def question(meter: Meter) -> str:
        return f"The bar has {meter.numerator} pulses: how are they grouped?"

    for numerator, groupings in GROUPINGS.items():
        for grouping in groupings:
            meter = Meter.parse(f"{grouping}/{4 if numerator == 5 else 8}")
            wrong = tuple(g for g in groupings if g != grouping)
            for tempo in _paces(meter):
                if level == 1:
                    make, source = (
                        _metronome_maker(meter, tempo, level),
                        f"a metronome in {meter.explicit}, {_bpm(tempo, meter)}",
                    )
                else:
                    make, source = (
                        _groove_maker(meter, tempo, level),
                        f"a groove in {meter.explicit}, {_bpm(tempo, meter)}",
                    )
                order = tuple(sorted({grouping, *wrong}))
                found.append(
                    Candidate(
                        source, grouping, wrong, order, make, question(meter), source.split(",")[0]
                    )
                )
    if level == 1:
        return found
    for w in material:
        if len(w.meter.groups) > MAX_GROUPS or w.strategy:
            continue
        alternatives = _alternatives(w.meter)
        music = levelled(w.music, level)
        heard = marks_grouping(music, w.meter.groups)
        wrong = tuple(
            g
            for g in alternatives[1:]
            if any(layer not in marks_grouping(music, _groups(g)) for layer in heard)
        )
        if heard and wrong:
            order = tuple(sorted({alternatives[0], *wrong}))
            found.append(
                Candidate(w.label, alternatives[0], wrong, order, _kept(music), question(w.meter))
            )
    return found


def _groove_maker(meter: Meter, tempo: Tempo, level: int) -> Callable[[], Timeline]:
    return lambda: levelled(
        grouping_groove(meter, bars=window_bars(meter, tempo), tempo=tempo), level
    )


def _groups(text: str) -> tuple[int, ...]:
    return tuple(int(g) for g in text.split("+"))


REMIX_QUESTION = "From a remix of the theme: is this stretch in 4/4 or in 5/4?"


def _remixes(level: int, material: list[Window]) -> list[Candidate]:
    return [
        Candidate(
            w.label,
            _n_d(w.meter),
            tuple(m for m in ("4/4", "5/4") if m != _n_d(w.meter)),
            ("4/4", "5/4"),
            _kept(music),
            REMIX_QUESTION,
        )
        for w, music in _heard([w for w in material if w.remix], level)
        if _n_d(w.meter) in ("4/4", "5/4")
    ]


def _landings(level: int, material: list[Window]) -> list[Candidate]:
    usable = [w for w, _ in _heard(material, level)] if level > 1 else material
    usable = [
        w for w in usable if w.meter.numerator % STEPS and w.meter.numerator > 2 and not w.strategy
    ]
    found: list[Candidate] = []
    seen: set[tuple[Meter, Tempo, int]] = set()
    for window in usable:
        meter = window.meter
        tempo = Tempo(window.music.tempo_map.qpm_at(Fraction(0)))
        # bars whose last bar has a step one in it (in 3/4 the fourth has none)
        landed = {bar for bar, _ in landings(meter, steps=STEPS)}
        for bars in (k for k in range(2, window.bars + 1) if k in landed):
            if level == 1:
                if (meter, tempo, bars) in seen:  # the same metronome from another window
                    continue
                seen.add((meter, tempo, bars))
                music_name = (
                    "the 1966 groove"
                    if meter == Meter.parse("3+2/4")
                    else f"a metronome in {meter.explicit}"
                )
                source = f"{music_name}, {_bpm(tempo, meter)}, {bars} bars"
            else:
                source = f"{window.name}, bars {window.first}-{window.first + bars - 1}"
            cycles = bars * meter.numerator // STEPS + 1
            landed_here = landings(meter, steps=STEPS, cycles=cycles)
            beats = [str(beat) for bar, beat in landed_here if bar == bars]
            right = beats[0]
            order = tuple(str(b) for b in range(1, meter.numerator + 1))
            wrong = tuple(b for b in order if b not in beats)  # nor where it lands again
            found.append(
                Candidate(
                    source,
                    right,
                    wrong,
                    order,
                    _landing_maker(window, bars, level),
                    f"A step in {STEPS} counts over {bars} bars of {_n_d(meter)}, the loud "
                    f"step is step one: on which beat of bar {bars} does it first land?",
                )
            )
    return found


def _landing_maker(window: Window, bars: int, level: int) -> Callable[[], Timeline]:
    def make() -> Timeline:
        from theme.classroom.dance import dance_music, dance_timeline

        meter = window.meter
        tempo = Tempo(window.music.tempo_map.qpm_at(Fraction(0)))
        if level == 1:
            music = dance_music(meter, bpm=tempo, bars=bars)
        else:
            music = cut(window.music, 1, bars)
        danced = dance_timeline(meter, steps=STEPS, bpm=tempo, bars=bars, music=music)
        return levelled(danced, level, clicks=meter == Meter.parse("3+2/4"))

    return make


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
