"""Scoring taps against the onsets a student should tap: one pure function, :func:`score_taps`.

Times are exact: the expected onsets (:class:`Target`) are seconds from the start of the
music, computed from the timeline's exact positions; taps are seconds on the same clock (a
frame of the audio stream over its rate). Each tap is matched on its own to the nearest
expected onset (the earlier one on a tie) within a window, so another tap never changes
which onset a tap is matched to or how early or late it is. The first tap matched to an
onset is its hit; a second one on the same onset, and a tap with no onset within the window,
are extra taps; an onset with no tap is a miss. Offsets are positive when late.

>>> from theme.core.meter import Meter
>>> five = Meter.parse("3+2/4")
>>> targets = [Target(Fraction(b * 10 + p, 4), b + 1, Fraction(p, 2), five)  # q=120
...            for b in range(2) for p in (0, 3, 6, 8)]
>>> taps = [t.seconds + Fraction(-20 if t.position == 3 else 5, 1000) for t in targets]
>>> score = score_taps(targets, taps + [Fraction(9, 10)], window=Fraction(1, 10))
>>> score.hits, score.misses, score.extras
(8, 0, 1)
>>> score.advice(TOLERANCES["tight"])
['you rush beat 4, the start of the 2 group: 20 ms early on average (spread 0 ms)']
>>> score.advice()  # normal: 20 ms early is within what a beginner is asked
[]

How strict the words are is a :class:`Tolerance` a teacher chooses (:data:`TOLERANCES`):
``tight`` for musicians, ``normal`` (the default) for a class of beginners, ``relaxed`` for
a first try.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from theme.core.meter import Meter
from theme.errors import UsageError
from theme.safe_text import clip

__all__ = [
    "DEFAULT_TOLERANCE",
    "LEAN_MS",
    "MAX_WINDOW",
    "TOLERANCES",
    "Match",
    "PositionScore",
    "Score",
    "Target",
    "Tolerance",
    "advice_line",
    "default_window",
    "match_tap",
    "position_label",
    "score_taps",
    "tolerance",
]

MAX_WINDOW = Fraction(3, 20)
"""The widest a tap may be from an onset and still be matched to it (seconds): 150 ms."""
LEAN_MS = 15.0
"""A position tapped this many milliseconds early (late) on average, or more, is said to
be rushed (dragged), with the ``tight`` tolerance."""


@dataclass(frozen=True)
class Tolerance:
    """How strict the scoring of taps is: a tap within ``good_ms`` milliseconds of its onset
    is good (a good bar, a clean run: every onset hit so); a position off by ``lean_ms`` or
    more on average is said to be early or late. ``name`` is the level's (``tight``,
    ``normal``, ``relaxed``), or ``'N ms'`` for a number given."""

    name: str
    good_ms: float
    lean_ms: float

    @property
    def musicians(self) -> bool:
        """Whether its words are a musician's (``you rush``, ``you drag``)."""
        return self.name == "tight"


TOLERANCES = {
    "tight": Tolerance("tight", 30.0, LEAN_MS),
    "normal": Tolerance("normal", 70.0, 35.0),
    "relaxed": Tolerance("relaxed", 120.0, 60.0),
}
"""The levels a teacher chooses from. ``tight`` is a drummer's: 30 ms, early or late from
15 ms. ``normal`` suits a class of beginners, whose taps spread some 30 to 50 ms about the
beat and land a little ahead of it even when they keep time: 70 ms, early or late from
35 ms. ``relaxed`` is for a first try: 120 ms, early or late from 60 ms."""
DEFAULT_TOLERANCE = TOLERANCES["normal"]


def tolerance(value: str | float | Tolerance) -> Tolerance:
    """A tolerance: a level's name (:data:`TOLERANCES`), or a number of milliseconds
    (``'40'``: good within 40 ms, early or late from half of it, in a musician's words).

    Raises:
        UsageError: another name, or a number outside 1 to 500 ms.

    >>> tolerance("relaxed").good_ms, tolerance("40")
    (120.0, Tolerance(name='40 ms', good_ms=40.0, lean_ms=20.0))
    """
    if isinstance(value, Tolerance):
        return value
    if isinstance(value, str) and value.strip().lower() in TOLERANCES:
        return TOLERANCES[value.strip().lower()]
    try:
        ms = float(value)
    except (TypeError, ValueError):
        ms = math.nan
    if not 1 <= ms <= 500:  # NaN fails too
        raise UsageError(
            f"invalid tolerance {clip(str(value))!r}: expected tight, normal (the default), "
            "relaxed, or 1 to 500 ms"
        )
    return Tolerance(f"{ms:g} ms", ms, ms / 2)


@dataclass(frozen=True)
class Target:
    """An onset to tap: ``seconds`` from the start of the music, in bar ``bar`` (from 1),
    ``position`` quarter notes after that bar's downbeat, in ``meter``."""

    seconds: Fraction
    bar: int
    position: Fraction
    meter: Meter


@dataclass(frozen=True)
class Match:
    """One tap (``tap`` seconds, calibrated) and the onset it was matched to: the index of
    its target, and ``offset`` seconds (positive: late); both None for a tap with no onset
    within the window. ``hit`` is False for a second tap on an onset already hit."""

    tap: Fraction
    target: int | None
    offset: Fraction | None
    hit: bool = False

    @property
    def offset_ms(self) -> float | None:
        """The offset in milliseconds (positive: late), or None."""
        return None if self.offset is None else float(self.offset * 1000)


@dataclass(frozen=True)
class PositionScore:
    """How one position in the bar went over every bar: ``offsets_ms`` of its hits
    (milliseconds, positive late), their mean and spread (population standard deviation),
    and the onsets missed there."""

    meter: Meter
    position: Fraction
    label: str
    offsets_ms: tuple[float, ...]
    misses: int

    @property
    def hits(self) -> int:
        return len(self.offsets_ms)

    @property
    def mean_ms(self) -> float | None:
        return sum(self.offsets_ms) / len(self.offsets_ms) if self.offsets_ms else None

    @property
    def spread_ms(self) -> float | None:
        mean = self.mean_ms
        if mean is None:
            return None
        return math.sqrt(sum((o - mean) ** 2 for o in self.offsets_ms) / len(self.offsets_ms))


@dataclass(frozen=True)
class Score:
    """The score of a run: each tap's match, each target's hit offset (seconds, or None
    for a miss), and each position in the bar (in the order they come in the bar)."""

    targets: tuple[Target, ...]
    matches: tuple[Match, ...]
    hit_offsets: tuple[Fraction | None, ...]
    positions: tuple[PositionScore, ...]

    @property
    def hits(self) -> int:
        return sum(o is not None for o in self.hit_offsets)

    @property
    def misses(self) -> int:
        return len(self.targets) - self.hits

    @property
    def extras(self) -> int:
        return sum(not m.hit for m in self.matches)

    @property
    def offsets_ms(self) -> list[float]:
        """Every hit's offset in milliseconds (positive: late), in the order of the onsets."""
        return [float(o * 1000) for o in self.hit_offsets if o is not None]

    @property
    def mean_ms(self) -> float | None:
        offsets = self.offsets_ms
        return sum(offsets) / len(offsets) if offsets else None

    @property
    def spread_ms(self) -> float | None:
        mean, offsets = self.mean_ms, self.offsets_ms
        if mean is None:
            return None
        return math.sqrt(sum((o - mean) ** 2 for o in offsets) / len(offsets))

    def clean(self, *, tolerance_ms: float) -> bool:
        """True when every onset was hit within ``tolerance_ms`` and no tap was extra."""
        return (
            self.misses == 0
            and self.extras == 0
            and all(abs(o) <= tolerance_ms for o in self.offsets_ms)
        )

    def bar_is_good(self, bar: int, *, tolerance_ms: float) -> bool:
        """True when every onset of bar ``bar`` was hit within ``tolerance_ms``."""
        offsets = [o for t, o in zip(self.targets, self.hit_offsets) if t.bar == bar]
        return bool(offsets) and all(
            o is not None and abs(float(o * 1000)) <= tolerance_ms for o in offsets
        )

    def advice(self, strictness: Tolerance = DEFAULT_TOLERANCE) -> list[str]:
        """In words: each position early or late by the tolerance's ``lean_ms`` or more on
        average (:func:`advice_line`)."""
        said = []
        for p in self.positions:
            mean, spread = p.mean_ms, p.spread_ms
            if mean is None or spread is None or abs(mean) < strictness.lean_ms:
                continue
            said.append(advice_line(p.label, mean, spread, strictness))
        return said

    def summary(self, strictness: Tolerance = DEFAULT_TOLERANCE) -> list[str]:
        """Lines for the end of a run: the counts, the mean and spread, each position, the
        advice (or that it was steady)."""
        lines = [
            f"hits {self.hits} of {len(self.targets)}, missed {self.misses}, extra taps "
            f"{self.extras}"
        ]
        if self.mean_ms is not None and self.spread_ms is not None:
            lines[0] += f"; mean {_signed(self.mean_ms)}, spread {self.spread_ms:.0f} ms"
        for p in self.positions:
            if p.mean_ms is None or p.spread_ms is None:
                lines.append(f"  {p.label}: no hit ({p.misses} missed)")
                continue
            missed = f", {p.misses} missed" if p.misses else ""
            lines.append(
                f"  {p.label}: {_signed(p.mean_ms)} ± {p.spread_ms:.0f} ms ({p.hits} hits{missed})"
            )
        advice = self.advice(strictness)
        if advice:
            lines.extend(advice)
        elif self.hits:
            lines.append(
                f"steady: every position within {strictness.lean_ms:g} ms on average "
                f"({strictness.name})"
            )
        return lines


def advice_line(label: str, mean_ms: float, spread_ms: float, strictness: Tolerance) -> str:
    """One position early (``mean_ms`` < 0) or late, in the tolerance's words: a musician's
    for ``tight``, plain ones with what to do for the others (the page says the same).

    >>> advice_line("beat 4", -20.4, 5.0, TOLERANCES["tight"])
    'you rush beat 4: 20 ms early on average (spread 5 ms)'
    >>> advice_line("beat 4", -52.0, 12.0, TOLERANCES["normal"])
    'beat 4 comes early: 52 ms ahead of the music on average (spread 12 ms); wait for it'
    >>> advice_line("the & of 2", 61.0, 30.0, TOLERANCES["relaxed"])
    'the & of 2 comes late: 61 ms behind the music on average (spread 30 ms); listen ahead'
    """
    early = mean_ms < 0
    if strictness.musicians:
        how, which = ("rush", "early") if early else ("drag", "late")
        return (
            f"you {how} {label}: {abs(mean_ms):.0f} ms {which} on average "
            f"(spread {spread_ms:.0f} ms)"
        )
    which, where, hint = (
        ("early", "ahead of", "wait for it") if early else ("late", "behind", "listen ahead")
    )
    return (
        f"{label} comes {which}: {abs(mean_ms):.0f} ms {where} the music on average "
        f"(spread {spread_ms:.0f} ms); {hint}"
    )


def _signed(ms: float) -> str:
    """``'12 ms late'``, ``'3 ms early'``, ``'0 ms'``.

    >>> _signed(-3.4), _signed(12.0), _signed(0.2)
    ('3 ms early', '12 ms late', '0 ms')
    """
    shown = round(ms)
    if shown == 0:
        return "0 ms"
    return f"{abs(shown)} ms {'late' if shown > 0 else 'early'}"


def default_window(targets: Sequence[Target]) -> Fraction:
    """The matching window (seconds): half the shortest gap between two onsets, at most
    :data:`MAX_WINDOW` (150 ms).

    >>> m = Meter.parse("4/4")
    >>> str(default_window([Target(Fraction(n, 5), n + 1, Fraction(0), m) for n in range(3)]))
    '1/10'
    """
    seconds = sorted({t.seconds for t in targets})
    gaps = [b - a for a, b in itertools.pairwise(seconds)]
    return min([MAX_WINDOW, *(g / 2 for g in gaps)])


def match_tap(onsets: Sequence[Fraction], tap: Fraction, window: Fraction) -> Match:
    """The match of one tap at ``tap`` seconds among sorted ``onsets`` (seconds): the
    nearest onset (the earlier on a tie) if it is within ``window`` seconds, else none.

    >>> match_tap([Fraction(0), Fraction(1)], Fraction(11, 10), Fraction(1, 5)).offset
    Fraction(1, 10)
    >>> match_tap([Fraction(0), Fraction(1)], Fraction(1, 2), Fraction(1, 5)).target is None
    True
    """
    i = bisect.bisect_left(onsets, tap)
    best: int | None = None
    for j in (i - 1, i):
        if 0 <= j < len(onsets) and (
            best is None or abs(tap - onsets[j]) < abs(tap - onsets[best])
        ):
            best = j
    if best is None or abs(tap - onsets[best]) > window:
        return Match(tap, None, None)
    return Match(tap, best, tap - onsets[best])


def score_taps(
    targets: Sequence[Target],
    taps: Sequence[Fraction],
    *,
    window: Fraction | None = None,
    calibration: Fraction = Fraction(0),
) -> Score:
    """Score ``taps`` (seconds on the music's clock, as heard) against ``targets``: each tap,
    less ``calibration`` seconds, matched on its own to the nearest onset within ``window``
    seconds (default :func:`default_window`); the first tap on an onset is its hit.

    Raises:
        ValueError: the targets are not in order of time, or the window is not positive.
    """
    onsets = [t.seconds for t in targets]
    if any(b < a for a, b in itertools.pairwise(onsets)):
        raise ValueError("the targets must be in order of time")
    window = default_window(targets) if window is None else window
    if window <= 0:
        raise ValueError(f"invalid window {window}: expected more than 0 seconds")
    hit_offsets: list[Fraction | None] = [None] * len(targets)
    matches = []
    for tap in sorted(Fraction(t) - calibration for t in taps):
        match = match_tap(onsets, tap, window)
        if match.target is not None and hit_offsets[match.target] is None:
            hit_offsets[match.target] = match.offset
            match = Match(match.tap, match.target, match.offset, hit=True)
        matches.append(match)
    return Score(
        tuple(targets), tuple(matches), tuple(hit_offsets), _positions(targets, hit_offsets)
    )


def _positions(
    targets: Sequence[Target], hit_offsets: Sequence[Fraction | None]
) -> tuple[PositionScore, ...]:
    by_key: dict[tuple[Meter, Fraction], tuple[list[float], list[int]]] = {}
    for target, offset in zip(targets, hit_offsets):
        offsets, missed = by_key.setdefault((target.meter, target.position), ([], [0]))
        if offset is None:
            missed[0] += 1
        else:
            offsets.append(float(offset * 1000))
    meters = list(dict.fromkeys(meter for meter, _ in by_key))
    several = len(meters) > 1
    return tuple(
        PositionScore(
            meter,
            position,
            (f"{meter.label} " if several else "") + position_label(meter, position),
            tuple(offsets),
            missed[0],
        )
        for (meter, position), (offsets, missed) in sorted(
            by_key.items(), key=lambda item: (meters.index(item[0][0]), item[0][1])
        )
    )


_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth")


def position_label(meter: Meter, position: Fraction) -> str:
    """A position in a bar (quarter notes after the downbeat) in words.

    >>> five = Meter.parse("3+2/4")
    >>> [position_label(five, Fraction(q)) for q in (0, Fraction(3, 2), 3, 4)]
    ['beat 1, the downbeat', 'the & of 2', 'beat 4, the start of the 2 group', 'beat 5']
    >>> position_label(Meter.parse("2+2+3/8"), Fraction(1))
    'beat 3, the start of the second 2 group'
    >>> position_label(Meter.parse("4/4"), Fraction(4, 3))
    'beat 2 + 1/3'
    """
    pulses = position / meter.pulse_quarters
    beat = math.floor(pulses)
    part = pulses - beat
    if part == Fraction(1, 2):
        return f"the & of {beat + 1}"
    if part:
        return f"beat {beat + 1} + {part}"
    if beat == 0:
        return "beat 1, the downbeat"
    starts = meter.group_starts
    if beat not in starts:
        return f"beat {beat + 1}"
    index = starts.index(beat)
    size = meter.groups[index]
    same = [i for i, g in enumerate(meter.groups) if g == size]
    if len(same) == 1 or same.index(index) >= len(_ORDINALS):
        return f"beat {beat + 1}, the start of the {size} group"
    return f"beat {beat + 1}, the start of the {_ORDINALS[same.index(index)]} {size} group"
