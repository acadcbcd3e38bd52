"""The variant model: layers, sections of bars with repeating patterns, parameters, claims.

A :class:`Variant` is plain data loaded from a TOML file (see :mod:`theme.variants.loader`);
:meth:`Variant.timeline` lays its sections out as exact events and :meth:`Variant.to_score`
makes a music21 Score of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from theme.errors import VariantError
from theme.meter import Meter
from theme.rhythm import Rhythm
from theme.tempo import Tempo
from theme.timeline import MAX_BARS, Event, Layer, Timeline

if TYPE_CHECKING:
    from music21.stream import Score

__all__ = ["CONFIDENCES", "Claim", "LayerSpec", "Parameter", "Pattern", "Section", "Variant"]

CONFIDENCES = ("verified", "hypothesis", "demo-default", "our-choice")
"""How sure a claim is: several sources agree; unverified; a default of ours for an unknown;
a choice of ours (voicings, instruments)."""

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
            key = str(value)
            if key not in self.choices:
                raise VariantError(
                    f"invalid value {value!r} for parameter {self.name!r}: expected one of "
                    + ", ".join(self.choices)
                )
            return self.choices[key]
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = None
        if number is None or isinstance(value, bool) or str(number) != str(value).strip():
            raise VariantError(
                f"invalid value {value!r} for parameter {self.name!r}: expected a whole number "
                f"from {self.minimum} to {self.maximum}"
            )
        if (self.minimum is not None and number < self.minimum) or (
            self.maximum is not None and number > self.maximum
        ):
            raise VariantError(
                f"invalid value {value!r} for parameter {self.name!r}: expected a whole number "
                f"from {self.minimum} to {self.maximum}"
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
            VariantError: ``repeat`` or ``bars`` below 1 or making more than ``MAX_BARS``
                bars, or ``pitches`` naming no layer.
        """
        form_bars = sum(section.bars for section in self.sections)
        most = max(1, MAX_BARS // max(1, form_bars))
        if not 1 <= repeat <= most:
            raise VariantError(
                f"invalid repeat {repeat!r}: expected 1 to {most} "
                f"(the form has {form_bars} bars; at most {MAX_BARS} in all)"
            )
        if bars is not None and not 1 <= bars <= MAX_BARS:
            raise VariantError(f"invalid bars {bars!r}: expected 1 to {MAX_BARS}")
        specs = {spec.layer.name: spec for spec in self.layers}
        for name in pitches or {}:
            if name not in specs:
                raise VariantError(
                    f"invalid pitches for layer {name!r}: {self.name} has layers "
                    + ", ".join(specs)
                )
        plan: list[tuple[Section, int]] = [
            (section, i) for section in self.sections for i in range(section.bars)
        ] * repeat
        if bars is not None:
            plan = [plan[i % len(plan)] for i in range(bars)]
        laid = Timeline.build(
            title=self.title,
            bars=[(section.meter, section.name) for section, _ in plan],
            tempo=Tempo.parse(tempo) if tempo is not None else self.tempo,
            layers=[spec.layer for spec in self.layers],
        )
        events: list[Event] = []
        for bar, (section, index) in zip(laid.bars, plan):
            for pattern in section.patterns:
                spec = specs[pattern.layer]
                voicing = (pitches or {}).get(pattern.layer) or pattern.pitches or spec.pitches
                for start, duration, number, accented in _pattern_in_bar(
                    pattern.rhythm, bar.meter.bar_quarters, index
                ):
                    onset = bar.start + start
                    events.append(
                        Event(
                            onset=onset,
                            duration=duration,
                            layer=pattern.layer,
                            pitch=voicing[number % len(voicing)],
                            velocity=ACCENTED_VELOCITY if accented else PLAIN_VELOCITY,
                            accent=laid.accent_at(onset),
                        )
                    )
        laid.events = tuple(sorted(events))
        return laid

    def to_score(self, **options: Any) -> Score:
        """A music21 Score of :meth:`timeline` (same options): a part per layer."""
        from theme.score import to_score

        return to_score(self.timeline(**options))

    def _repr_html_(self) -> str:
        from theme.classroom.notebook import html_for

        return html_for(self.timeline(), f"{self.name}: {self.title}")

    def __str__(self) -> str:
        return f"{self.name}: {self.title}"


def _pattern_in_bar(
    rhythm: Rhythm, bar_quarters: Fraction, index: int
) -> list[tuple[Fraction, Fraction, int, bool]]:
    """The notes of a pattern that repeats from a section's first bar, in bar ``index``
    (from 0): ``(start in the bar, duration, note number in the pattern, accented)``, in
    quarter notes.

    >>> [str(s) for s, *_ in _pattern_in_bar(Rhythm.from_box("x..x..x.x.------"), Fraction(4), 1)]
    ['0']
    >>> [str(s) for s, *_ in _pattern_in_bar(Rhythm.from_box("x.x"), Fraction(4), 0)]
    ['0', '1', '3/2', '5/2', '3']
    """
    period = rhythm.quarters
    window = (index * bar_quarters) % period
    notes = []
    offset = Fraction(0)
    while offset < bar_quarters + period:
        for number, hit in enumerate(rhythm.hits):
            start = hit.start * rhythm.unit - window + offset
            if 0 <= start < bar_quarters:
                notes.append((start, hit.length * rhythm.unit, number, hit.accent))
        offset += period
    return sorted(notes)
