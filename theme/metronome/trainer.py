"""Practice plans for the metronome: tempo ramps, accelerandos and gap bars, from strings.

``--ramp 120-180/4``    a tempo trainer: start at 120 and go up one step every 4 bars until
                        180 (like klick's ``80-120/10``); the step is 4 BPM, or give it:
                        ``120-180/4+10``. Going down works too: ``180-120/4``.
``--accel 120-180/8``   a gradual accelerando from 120 to 180 over 8 bars, then steady.
``--gap 3:1``           three bars heard, one silent (counted on screen, not heard), repeated.

The tempos of a ramp or an accelerando are written as ``--bpm`` writes them: a bare number
counts quarter notes, and a unit before them counts that note: ``e=200-280/4`` counts
eighths (100 to 140 quarters a minute), ``q.=60-80/2`` dotted quarters. The step counts the
same note. Every tempo must lie in the one tempo range of :mod:`theme.core.tempo`.

>>> Ramp.parse("120-180/4")
Ramp(start=Fraction(120, 1), end=Fraction(180, 1), every=4, step=Fraction(4, 1), unit=Fraction(1, 1))
>>> [str(Ramp.parse("e=120-130/2+5").tempo_at_bar(b)) for b in range(7)]
['e=120', 'e=120', 'e=125', 'e=125', 'e=130', 'e=130', 'e=130']
>>> Gap.parse("3:1").heard(2), Gap.parse("3:1").heard(3)
(True, False)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from theme.core.tempo import (
    MAX_QPM,
    MIN_QPM,
    NUMBER,
    RANGE_TEXT,
    UNIT_PREFIX,
    Tempo,
    TempoMap,
    TempoSegment,
    format_bpm,
    unit_of,
)
from theme.errors import UsageError
from theme.safe_text import bounded_int, clip

__all__ = [
    "MAX_PLAN_BARS",
    "MAX_RAMP_STEPS",
    "Accel",
    "Gap",
    "Ramp",
    "as_plan",
    "check_plans_fit",
    "plan_tempo_map",
]

_RAMP_RE = re.compile(
    rf"^\s*{UNIT_PREFIX}({NUMBER})\s*-\s*({NUMBER})\s*/\s*(\d+)\s*(?:\+\s*({NUMBER}))?\s*$"
)
_GAP_RE = re.compile(r"^\s*(\d+)\s*:\s*(\d+)\s*$")
_MAX_TEXT = 100
MAX_PLAN_BARS = 1_000_000
"""The most bars a practice plan may count (between a ramp's steps, an accelerando, a gap):
the same bound as the metronome's ``bars``."""
MAX_RAMP_STEPS = 10_000
"""The most tempo steps a ramp may take: each is a segment of the tempo map, made before
the first click."""


def _match(text: object, form: str, expected: str) -> re.Match[str]:
    if not isinstance(text, str):
        raise TypeError(f"a {form} must be a str, not {type(text).__name__}")
    match = _RAMP_RE.match(text) if len(text) <= _MAX_TEXT else None
    if not match:
        raise UsageError(f"invalid {form} {clip(text)!r}: expected {expected}")
    return match


def _bpm(number: str, unit_name: str | None, text: str, form: str) -> Fraction:
    """``number`` beats of the unit a minute, checked against the one tempo range."""
    value = Fraction(number)
    if not MIN_QPM <= value * unit_of(unit_name) <= MAX_QPM:
        shown = f"{unit_name}={number}" if unit_name else number
        raise UsageError(
            f"invalid {form} {text!r}: {shown} is outside the tempo range, {RANGE_TEXT}"
        )
    return value


def _bars(number: str, text: str, form: str, what: str) -> int:
    bars = bounded_int(number, form)
    if not 1 <= bars <= MAX_PLAN_BARS:
        raise UsageError(
            f"invalid {form} {text!r}: {what} must be 1 or more (at most {MAX_PLAN_BARS})"
        )
    return bars


@dataclass(frozen=True)
class Ramp:
    """Start at ``start`` BPM; every ``every`` bars move ``step`` BPM toward ``end``; the BPMs
    count beats of ``unit`` quarter notes."""

    start: Fraction
    end: Fraction
    every: int
    step: Fraction = Fraction(4)
    unit: Fraction = Fraction(1)

    @classmethod
    def parse(cls, text: str) -> Ramp:
        """Parse ``'A-B/K'``, ``'A-B/K+S'``, with an optional unit: ``'e=A-B/K'``.

        Raises:
            TypeError: ``text`` is not a str.
            UsageError: another form, K outside 1 to MAX_PLAN_BARS, a step of 0, a tempo
                outside the tempo range, no change (A equal to B), more than
                MAX_RAMP_STEPS steps.
        """
        match = _match(
            text,
            "ramp",
            "START-END/BARS or START-END/BARS+STEP, such as 120-180/4 (up 4 BPM every 4 "
            "bars); a unit first counts that note: e=200-280/4",
        )
        unit_name, start, end, every, step = match.groups()
        unit = unit_of(unit_name)
        bars = _bars(every, text, "ramp", "the bars between steps")
        size = Fraction(step) if step else Fraction(4)
        if size <= 0:
            raise UsageError(f"invalid ramp {text!r}: the step must be more than 0 BPM")
        first, last = _bpm(start, unit_name, text, "ramp"), _bpm(end, unit_name, text, "ramp")
        ramp = cls(first, last, bars, size, unit)
        if ramp.start == ramp.end:
            raise UsageError(
                f"invalid ramp {text!r}: it starts and ends at {start}, so it never changes "
                f"(for a steady tempo give --bpm {start})"
            )
        if ramp.steps > MAX_RAMP_STEPS:
            raise UsageError(
                f"invalid ramp {text!r}: {ramp.steps} steps of {step}; a ramp takes at most "
                f"{MAX_RAMP_STEPS} steps (give a larger +STEP)"
            )
        return ramp

    @property
    def steps(self) -> int:
        """How many tempo changes the ramp makes (the last one may be a part step)."""
        return int(-(-abs(self.end - self.start) // self.step))

    def tempo_at_bar(self, bar: int) -> Tempo:
        """The tempo of bar ``bar`` (from 0), in the ramp's unit."""
        steps = bar // self.every
        if self.end >= self.start:
            return Tempo(min(self.end, self.start + steps * self.step), self.unit)
        return Tempo(max(self.end, self.start - steps * self.step), self.unit)

    @property
    def last_change_bar(self) -> int:
        """The first bar (from 0) at the end tempo."""
        return self.steps * self.every

    def __str__(self) -> str:
        """``'e=200-280, +4 every 4 bars'``."""
        name = Tempo(self.start, self.unit).unit_name
        return (
            f"{name}={format_bpm(self.start)}-{format_bpm(self.end)}, "
            f"{'+' if self.end > self.start else '-'}{format_bpm(self.step)} every "
            f"{self.every} bar{'s' if self.every > 1 else ''}"
        )


@dataclass(frozen=True)
class Accel:
    """A gradual change from ``start`` to ``end`` BPM (beats of ``unit`` quarter notes)
    over ``bars`` bars, then steady."""

    start: Fraction
    end: Fraction
    bars: int
    unit: Fraction = Fraction(1)

    @classmethod
    def parse(cls, text: str) -> Accel:
        """Parse ``'A-B/N'``, with an optional unit: ``'e=A-B/N'``.

        Raises:
            TypeError: ``text`` is not a str.
            UsageError: another form, N outside 1 to MAX_PLAN_BARS, a tempo outside the
                tempo range, no change (A equal to B).
        """
        expected = (
            "START-END/BARS such as 120-180/8 (from 120 to 180 BPM over 8 bars); a unit first "
            "counts that note: e=240-360/8"
        )
        match = _match(text, "accelerando", expected)
        unit_name, start, end, bars, step = match.groups()
        if step:
            raise UsageError(f"invalid accelerando {clip(text)!r}: expected {expected}")
        unit = unit_of(unit_name)
        accel = cls(
            _bpm(start, unit_name, text, "accelerando"),
            _bpm(end, unit_name, text, "accelerando"),
            _bars(bars, text, "accelerando", "the bars"),
            unit,
        )
        if accel.start == accel.end:
            raise UsageError(
                f"invalid accelerando {text!r}: it starts and ends at {start}, so it never "
                f"changes (for a steady tempo give --bpm {start})"
            )
        return accel

    def __str__(self) -> str:
        """``'e=200-280 over 8 bars'``."""
        name = Tempo(self.start, self.unit).unit_name
        plural = "s" if self.bars > 1 else ""
        return (
            f"{name}={format_bpm(self.start)}-{format_bpm(self.end)} over {self.bars} bar{plural}"
        )


@dataclass(frozen=True)
class Gap:
    """``heard`` bars with sound, then ``silent`` bars without, over and over."""

    heard_bars: int
    silent_bars: int

    @classmethod
    def parse(cls, text: str) -> Gap:
        """Parse ``'3:1'``.

        Raises:
            TypeError: ``text`` is not a str.
            UsageError: another form, no heard bar, no silent bar, more than MAX_PLAN_BARS.
        """
        if not isinstance(text, str):
            raise TypeError(f"a gap must be a str, not {type(text).__name__}")
        match = _GAP_RE.match(text) if len(text) <= _MAX_TEXT else None
        form = f"HEARD:SILENT bars such as 3:1 (each 1 to {MAX_PLAN_BARS})"
        if not match:
            raise UsageError(f"invalid gap {clip(text)!r}: expected {form}")
        heard, silent = (bounded_int(n, "gap") for n in match.groups())
        if not (1 <= heard <= MAX_PLAN_BARS and 1 <= silent <= MAX_PLAN_BARS):
            raise UsageError(f"invalid gap {text!r}: expected {form}")
        return cls(heard, silent)

    def heard(self, bar: int) -> bool:
        """Whether bar ``bar`` (from 0) is heard."""
        return bar % (self.heard_bars + self.silent_bars) < self.heard_bars

    def __str__(self) -> str:
        return f"{self.heard_bars}:{self.silent_bars}"


def check_plans_fit(bars: int, *, ramp: Ramp | None = None, gap: Gap | None = None) -> None:
    """Refuse a ramp whose first step, or a gap whose first silent bar, comes after the last
    of ``bars`` bars: it would do nothing.

    Raises:
        UsageError: the plan starts after the last bar.

    >>> check_plans_fit(8, ramp=Ramp.parse("120-180/8"))
    Traceback (most recent call last):
    ...
    theme.errors.UsageError: invalid ramp with 8 bars: its first step is at bar 9, after the \
last; step more often or play more bars
    """
    if ramp is not None and ramp.every >= bars:
        raise UsageError(
            f"invalid ramp with {bars} bars: its first step is at bar {ramp.every + 1}, after "
            "the last; step more often or play more bars"
        )
    if gap is not None and gap.heard_bars >= bars:
        raise UsageError(
            f"invalid gap {gap} with {bars} bars: its first silent bar is bar "
            f"{gap.heard_bars + 1}, after the last"
        )


def as_plan(value: object, kind: type[Ramp] | type[Accel] | type[Gap], name: str) -> object:
    """``value`` as a plan of ``kind``: None, a plan already, or a string to parse.

    Raises:
        TypeError: neither a str nor a ``kind``.
        UsageError: a string that is not such a plan.

    >>> as_plan("3:1", Gap, "gap")
    Gap(heard_bars=3, silent_bars=1)
    """
    if value is None or isinstance(value, kind):
        return value
    if isinstance(value, str):
        return kind.parse(value)
    raise TypeError(f"{name} must be a str or a {kind.__name__}, not {type(value).__name__}")


def plan_tempo_map(
    tempo: Tempo,
    *,
    ramp: Ramp | None = None,
    accel: Accel | None = None,
    start: Fraction = Fraction(0),
    bar_quarters: Fraction = Fraction(4),
) -> TempoMap:
    """The tempo map of a practice plan whose bar 1 begins at ``start`` (quarter notes, after
    a count-in at the plan's first tempo), its bars ``bar_quarters`` long; ``tempo`` all
    through without a ramp or an accelerando.

    >>> [str(s.qpm) for s in plan_tempo_map(Tempo(120), ramp=Ramp.parse("120-128/2")).segments]
    ['120', '124', '128']
    """
    if accel is not None:
        first = Tempo(accel.start, accel.unit).qpm
        last = Tempo(accel.end, accel.unit).qpm
        length = accel.bars * bar_quarters
        segments = [TempoSegment(Fraction(0), first, start)] if start else []
        segments += [
            TempoSegment(start, first, length, last),
            TempoSegment(start + length, last),
        ]
        return TempoMap(segments)
    if ramp is not None:
        segments = [TempoSegment(Fraction(0), ramp.tempo_at_bar(0).qpm)]
        for bar in range(ramp.every, ramp.last_change_bar + 1, ramp.every):
            at = start + bar * bar_quarters
            segments.append(TempoSegment(at, ramp.tempo_at_bar(bar).qpm))
        return TempoMap(segments)
    return TempoMap.constant(tempo)
