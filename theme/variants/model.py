"""The variant model: layers, sections of bars with repeating patterns, parameters, claims.

A :class:`Variant` is plain data loaded from a TOML file (see :mod:`theme.variants.loader`);
:meth:`Variant.timeline` lays its sections out as exact events and :meth:`Variant.to_score`
makes a music21 Score of them.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from theme.core.meter import Meter
from theme.core.rhythm import Rhythm
from theme.core.tempo import Tempo
from theme.core.timeline import MAX_BARS, MAX_EVENTS, Bar, Event, Layer, Timeline
from theme.errors import UsageError, VariantError
from theme.safe_text import bounded_int, did_you_mean, shown

if TYPE_CHECKING:
    from music21.stream import Score

__all__ = [
    "CONFIDENCES",
    "GROUPS",
    "Claim",
    "LayerSpec",
    "Parameter",
    "Pattern",
    "Section",
    "Variant",
]

CONFIDENCES = ("verified", "hypothesis", "demo-default", "our-choice")
"""How sure a claim is: several sources agree; unverified; a default of ours for an unknown;
a choice of ours (voicings, instruments)."""

GROUPS = {
    "theme": "the theme and its remixes",
    "repertoire": "repertoire (odd meters in music you know)",
    "dances": "dances",
}
"""The groups a variant may belong to (its ``group`` field), in the order they are listed,
each with the heading ``theme list`` prints over it."""

ACCENTED_VELOCITY = 112
PLAIN_VELOCITY = 84


@dataclass(frozen=True)
class Claim:
    """One statement about the music, how sure we are of it, and where it comes from."""

    claim: str
    confidence: str
    source: str = ""


@dataclass(frozen=True)
class Parameter:
    """An unknown of the music made a choice: an int in ``[minimum, maximum]`` or one of
    ``choices`` (each name standing for a value), with a stated default."""

    name: str
    default: Any
    help: str = ""
    choices: Mapping[str, Any] | None = None
    minimum: int | None = None
    maximum: int | None = None

    def resolve(self, value: Any) -> Any:
        """The value this parameter stands for when set to ``value`` (a str from the CLI is
        converted).

        Raises:
            VariantError: not one of the choices, or not an int in range.
        """
        if self.choices is not None:
            key = value if isinstance(value, str) else shown(value)
            if key not in self.choices:
                raise VariantError(
                    f"invalid value {shown(value)}{did_you_mean(key, list(self.choices))} for "
                    f"parameter {self.name!r}: expected one of " + ", ".join(self.choices)
                )
            return self.choices[key]
        allowed = f"a whole number from {self.minimum} to {self.maximum}"
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        elif isinstance(value, str):
            try:
                number = bounded_int(value, "value", allowed=allowed)
            except UsageError:  # not a number, or too long to be one
                number = None
            number = number if value.strip() == str(number) else None
        else:
            number = None
        if (
            number is None
            or (self.minimum is not None and number < self.minimum)
            or (self.maximum is not None and number > self.maximum)
        ):
            raise VariantError(
                f"invalid value {shown(value)} for parameter {self.name!r}: expected {allowed}"
            )
        return number


@dataclass(frozen=True)
class LayerSpec:
    """A layer of a variant: its sound, and the pitches its notes cycle through (MIDI note
    numbers; General MIDI drum notes on drum layers). The pitches are the project's own
    neutral voicing, never the theme's."""

    layer: Layer
    pitches: tuple[int, ...]
    role: str = ""


@dataclass(frozen=True)
class Pattern:
    """What one layer plays in a section: a rhythm that repeats every ``rhythm.quarters``.

    ``rhythm`` has already been remetered when the file asked for a strategy.
    """

    layer: str
    rhythm: Rhythm
    pitches: tuple[int, ...] | None = None
    strategy: str | None = None


@dataclass(frozen=True)
class Section:
    """``bars`` bars of ``meter`` in which each pattern repeats."""

    name: str
    meter: Meter
    bars: int
    patterns: tuple[Pattern, ...]


@dataclass(frozen=True)
class Variant:
    """A version of the theme (or a gallery piece): form, layers, tempo and provenance."""

    name: str
    title: str
    description: str
    tempo: Tempo
    layers: tuple[LayerSpec, ...]
    sections: tuple[Section, ...]
    claims: tuple[Claim, ...] = ()
    parameters: tuple[Parameter, ...] = ()
    values: Mapping[str, Any] = field(default_factory=dict)
    """The parameter values this variant was built with (the names, as given)."""
    source: str = ""
    """Where the data came from: ``built-in`` or a file path."""
    group: str = ""
    """One of :data:`GROUPS`, or empty (a file of one's own that names none)."""

    @property
    def total_bars(self) -> int:
        return sum(s.bars for s in self.sections)

    @property
    def meters(self) -> list[Meter]:
        """The meters of the form, in order, without repeats."""
        seen: list[Meter] = []
        for s in self.sections:
            if s.meter not in seen:
                seen.append(s.meter)
        return seen

    @property
    def groupings(self) -> list[tuple[int, ...]]:
        """The groupings of the form's meters, in order, without repeats (pulses of each
        meter's denominator: ``(2, 2, 3)`` for 2+2+3/8)."""
        return list(dict.fromkeys(m.groups for m in self.meters))

    def timeline(
        self,
        *,
        tempo: str | int | Fraction | Tempo | None = None,
        repeat: int = 1,
        bars: int | None = None,
        pitches: Mapping[str, tuple[int, ...]] | None = None,
    ) -> Timeline:
        """Lay the form out as exact events.

        ``tempo`` overrides the variant's (quarter notes a minute unless a unit is given);
        ``repeat`` plays the whole form that many times; ``bars`` cuts (or cycles) the form to
        that many bars; ``pitches`` maps layer names to MIDI notes that replace the voicing.

        Raises:
            TypeError: ``repeat`` or ``bars`` not an int, ``pitches`` not a mapping of layer
                names to tuples of ints, ``tempo`` of another type.
            VariantError: ``repeat`` or ``bars`` below 1 or making more than ``MAX_BARS``
                bars or ``MAX_EVENTS`` notes, ``pitches`` naming no layer or a note outside
                MIDI's 0 to 127.
        """
        form_bars = sum(section.bars for section in self.sections)
        for name, value in (("repeat", repeat), ("bars", bars)):
            if not (isinstance(value, int) and not isinstance(value, bool)) and not (
                name == "bars" and value is None
            ):
                raise TypeError(f"{name} must be an int, not {type(value).__name__}")
        most = max(1, MAX_BARS // max(1, form_bars))
        if not 1 <= repeat <= most or (bars is None and repeat * form_bars > MAX_BARS):
            raise VariantError(
                f"invalid repeat {shown(repeat)}: expected 1 to {most} "
                f"(the form has {form_bars} bars; at most {MAX_BARS} in all)"
            )
        if bars is not None and not 1 <= bars <= MAX_BARS:
            raise VariantError(f"invalid bars {shown(bars)}: expected 1 to {MAX_BARS}")
        if tempo is not None and not isinstance(tempo, (str, int, Fraction, Tempo)):
            raise TypeError(
                f"tempo must be a str, an int, a Fraction or a Tempo, not {type(tempo).__name__}"
            )
        chosen = _check_pitches(pitches, self)
        specs = {spec.layer.name: spec for spec in self.layers}
        plan: list[tuple[Section, int]] = [
            (section, i) for section in self.sections for i in range(section.bars)
        ] * repeat
        if bars is not None:
            plan = [plan[i % len(plan)] for i in range(bars)]
        per_bar = {id(section): most_notes(section) for section in self.sections}
        notes = sum(per_bar[id(section)] for section, _ in plan)
        if notes > MAX_EVENTS:
            raise VariantError(
                f"invalid length: {len(plan)} bars of {self.name} make up to {notes} notes; "
                f"expected at most {MAX_EVENTS} (play fewer bars)"
            )
        laid = Timeline.build(
            title=self.title,
            bars=[(section.meter, section.name) for section, _ in plan],
            tempo=Tempo.parse(tempo) if tempo is not None else self.tempo,
            layers=[spec.layer for spec in self.layers],
        )
        # A bar's notes depend only on its section and where in each pattern it starts:
        # made once for each, then moved to every bar that has them.
        made: dict[tuple[Any, ...], list[tuple[Any, ...]]] = {}
        events: list[Event] = []
        for bar, (section, index) in zip(laid.bars, plan):
            length = bar.meter.bar_quarters
            windows = tuple((index * length) % p.rhythm.quarters for p in section.patterns)
            bar_notes = made.get((id(section), windows))
            if bar_notes is None:
                bar_notes = made[(id(section), windows)] = sorted(
                    _notes_in_bar(section, index, bar, chosen, specs)
                )
            start = bar.start
            events += [Event(start + onset, *rest) for onset, *rest in bar_notes]
        return laid.with_events(events)

    def to_score(self, **options: Any) -> Score:
        """A music21 Score of :meth:`timeline` (same options): a part per layer."""
        from theme.renderers.score import to_score

        return to_score(self.timeline(**options))

    def __str__(self) -> str:
        return f"{self.name}: {self.title}"


def _notes_in_bar(
    section: Section,
    index: int,
    bar: Bar,
    chosen: Mapping[str, tuple[int, ...]],
    specs: Mapping[str, LayerSpec],
) -> list[tuple[Any, ...]]:
    """The notes of bar ``index`` (from 0) of ``section`` as Event fields, the onset from
    the start of the bar (quarter notes)."""
    notes = []
    for pattern in section.patterns:
        voicing = chosen.get(pattern.layer) or pattern.pitches or specs[pattern.layer].pitches
        for start, duration, number, accented in _pattern_in_bar(
            pattern.rhythm, bar.meter.bar_quarters, index
        ):
            notes.append(
                (
                    start,
                    duration,
                    pattern.layer,
                    voicing[number % len(voicing)],
                    ACCENTED_VELOCITY if accented else PLAIN_VELOCITY,
                    bar.accent_at(start),
                )
            )
    return notes


def _check_pitches(pitches: object, variant: Variant) -> dict[str, tuple[int, ...]]:
    """``pitches`` (layer name to MIDI note numbers) checked for :meth:`Variant.timeline`."""
    if pitches is None:
        return {}
    if not isinstance(pitches, Mapping):
        raise TypeError(f"pitches must be a dict of layer names, not {type(pitches).__name__}")
    layers = [spec.layer.name for spec in variant.layers]
    checked = {}
    for name, notes in pitches.items():
        if name not in layers:
            raise VariantError(
                f"invalid pitches for layer {shown(name)}: {variant.name} has layers "
                + ", ".join(layers)
            )
        if not isinstance(notes, (tuple, list)) or not all(
            isinstance(n, int) and not isinstance(n, bool) for n in notes
        ):
            raise TypeError(
                f"pitches for layer {name!r} must be a tuple of ints, not {shown(notes)}"
            )
        if not notes or not all(0 <= n <= 127 for n in notes):
            raise VariantError(
                f"invalid pitches for layer {name!r}: {shown(tuple(notes))}; expected one or "
                "more MIDI note numbers 0 to 127"
            )
        checked[name] = tuple(notes)
    return checked


def most_notes(section: Section) -> int:
    """The most notes one bar of ``section`` can hold: a bar is covered by
    ``ceil(bar / period)`` windows of one period, each holding every note of the pattern once.

    >>> from theme.core.meter import Meter
    >>> most_notes(Section("s", Meter.parse("5/4"), 1, (Pattern("a", Rhythm.from_box("x.x")),)))
    8
    """
    bar = section.meter.bar_quarters
    return sum(len(p.rhythm.hits) * math.ceil(bar / p.rhythm.quarters) for p in section.patterns)


def _pattern_in_bar(
    rhythm: Rhythm, bar_quarters: Fraction, index: int
) -> list[tuple[Fraction, Fraction, int, bool]]:
    """The notes of a pattern that repeats from a section's first bar, in bar ``index``
    (from 0): ``(start in the bar, duration, note number in the pattern, accented)``, in
    quarter notes. Costs what the bar holds (hits found by bisection), not the pattern's
    length times the bar's.

    >>> [str(s) for s, *_ in _pattern_in_bar(Rhythm.from_box("x..x..x.x.------"), Fraction(4), 1)]
    ['0']
    >>> [str(s) for s, *_ in _pattern_in_bar(Rhythm.from_box("x.x"), Fraction(4), 0)]
    ['0', '1', '3/2', '5/2', '3']
    """
    period = rhythm.quarters
    window = (index * bar_quarters) % period  # where in the pattern the bar starts
    starts = [hit.start * rhythm.unit for hit in rhythm.hits]
    notes = []
    offset = -window  # where the pattern's copy that holds the bar's start begins
    while offset < bar_quarters:
        low = bisect.bisect_left(starts, -offset)
        high = bisect.bisect_left(starts, bar_quarters - offset)
        for number in range(low, high):
            hit = rhythm.hits[number]
            notes.append((starts[number] + offset, hit.length * rhythm.unit, number, hit.accent))
        offset += period
    return notes
