"""Tempo strings and the tempo map: quarter notes to seconds, exactly.

A BPM in this project counts **quarter notes per minute** unless a unit is given, as in a
MIDI file: ``160`` and ``q=160`` are 160 quarters a minute, ``e=300`` is 300 eighths (150
quarters), ``q.=100`` is 100 dotted quarters (150 quarters), ``h=80`` is 80 halves.

A :class:`TempoMap` turns a position in quarter notes into seconds. Steady segments are
exact :class:`~fractions.Fraction` arithmetic; a gradual change (accelerando) is linear in
BPM over quarter notes, whose integral ``60/b * ln((a + b x1) / (a + b x0))`` is evaluated
in double precision: under a microsecond over a day, far under half a sample.

>>> Tempo.parse("e=300").qpm
Fraction(150, 1)
>>> tm = TempoMap.constant(120)
>>> tm.seconds_at(Fraction(5))
Fraction(5, 2)
>>> tm.sample_at(Fraction(5), 48000)
120000
"""

from __future__ import annotations

import bisect
import math
import re
from dataclasses import dataclass, replace
from fractions import Fraction

from theme.errors import TempoError
from theme.safe_text import clip

__all__ = [
    "MAX_QPM",
    "MIN_QPM",
    "UNITS",
    "UNIT_WORDS",
    "Tempo",
    "TempoMap",
    "TempoSegment",
    "clamp_qpm",
    "format_bpm",
    "length_words",
    "to_sample",
]

UNITS: dict[str, Fraction] = {
    "w.": Fraction(6),
    "w": Fraction(4),
    "h.": Fraction(3),
    "h": Fraction(2),
    "q.": Fraction(3, 2),
    "q": Fraction(1),
    "e.": Fraction(3, 4),
    "e": Fraction(1, 2),
    "s.": Fraction(3, 8),
    "s": Fraction(1, 4),
}
"""Beat units a tempo may count, in quarter notes."""
UNIT_WORDS: dict[Fraction, str] = {
    Fraction(6): "dotted wholes",
    Fraction(4): "wholes",
    Fraction(3): "dotted halves",
    Fraction(2): "halves",
    Fraction(3, 2): "dotted quarters",
    Fraction(1): "quarters",
    Fraction(3, 4): "dotted eighths",
    Fraction(1, 2): "eighths",
    Fraction(3, 8): "dotted sixteenths",
    Fraction(1, 4): "sixteenths",
}
"""What each unit counts, in words, for messages."""
_UNIT_NAMES = {v: k for k, v in UNITS.items()}

MIN_QPM = Fraction(4)
"""The slowest tempo, in quarter notes a minute: a MIDI tempo cannot be slower than 3.58."""
MAX_QPM = Fraction(2000)
"""The fastest tempo, in quarter notes a minute. This range (MIN_QPM to MAX_QPM) is the one
range of the project: ``--bpm``, ``--tempo``, the trainer's ramps and the live keys."""
RANGE_TEXT = f"{MIN_QPM} to {MAX_QPM} quarters a minute"
_FORM = f"a number of beats a minute such as 160, q=160, e=300 or q.=100 ({RANGE_TEXT})"
NUMBER = r"\d{1,12}(?:\.\d{1,12})?"
"""A BPM as typed: at most 12 digits before and after the point (a longer number is refused
by the pattern, before any conversion)."""
UNIT_PREFIX = r"(?:([whqes]\.?)\s*=\s*)?"
"""An optional beat unit before a BPM, ``e=`` or ``q.=``; its group is the unit's name."""
_TEMPO_RE = re.compile(rf"^\s*{UNIT_PREFIX}({NUMBER}|\d{{1,12}}/\d{{1,12}})\s*$")
_MAX_TEXT = 80


def format_bpm(bpm: Fraction) -> str:
    """A BPM for a person: a whole number, or up to two decimals.

    >>> format_bpm(Fraction(280)), format_bpm(Fraction(400, 3)), format_bpm(Fraction(5, 2))
    ('280', '133.33', '2.5')
    """
    if bpm.denominator == 1:
        return str(bpm.numerator)
    return f"{float(bpm):.2f}".rstrip("0").rstrip(".")


def length_words(seconds: Fraction | float) -> str:
    """A length of time as a person says it, in hours, minutes and seconds; the seconds
    rounded up to a tenth, so that a length over a limit never reads as the limit itself.

    >>> length_words(Fraction(1205, 2)), length_words(600), length_words(Fraction(60001, 100))
    ('10 min 2.5 s', '10 min', '10 min 0.1 s')
    >>> length_words(42), length_words(0), length_words(7322)
    ('42 s', '0 s', '2 h 2 min 2 s')
    """
    tenths = math.ceil(Fraction(seconds) * 10)
    minutes, tenths = divmod(tenths, 600)
    hours, minutes = divmod(minutes, 60)
    parts = [f"{hours} h"] if hours else []
    if minutes:
        parts.append(f"{minutes} min")
    if tenths or not parts:
        whole, tenth = divmod(tenths, 10)
        parts.append(f"{whole}.{tenth} s" if tenth else f"{whole} s")
    return " ".join(parts)


def clamp_qpm(qpm: Fraction) -> Fraction:
    """``qpm`` (quarters a minute) moved into the one tempo range, MIN_QPM to MAX_QPM.

    >>> clamp_qpm(Fraction(2004)), clamp_qpm(Fraction(800)), clamp_qpm(Fraction(0))
    (Fraction(2000, 1), Fraction(800, 1), Fraction(4, 1))
    """
    return max(MIN_QPM, min(MAX_QPM, qpm))


def unit_of(name: str | None) -> Fraction:
    """The beat unit named ``name`` (``'e'``, ``'q.'``...) in quarter notes; None: a quarter."""
    return UNITS[name or "q"]


def to_sample(seconds: Fraction | float, rate: int) -> int:
    """The sample index of a time: ``seconds * rate`` rounded half up.

    This is the one rounding rule of the project; every sounding output uses it.

    >>> to_sample(Fraction(1, 3), 48000), to_sample(Fraction(1, 96000), 48000)
    (16000, 1)
    """
    if isinstance(seconds, Fraction):  # floor(n/d * rate + 1/2), in whole numbers
        return (2 * seconds.numerator * rate + seconds.denominator) // (2 * seconds.denominator)
    return math.floor(seconds * rate + 0.5)


@dataclass(frozen=True)
class Tempo:
    """A tempo: ``bpm`` beats a minute, each beat ``unit`` quarter notes long."""

    bpm: Fraction
    unit: Fraction = Fraction(1)

    @property
    def qpm(self) -> Fraction:
        """Quarter notes per minute."""
        return self.bpm * self.unit

    @classmethod
    def parse(cls, text: str | int | float | Fraction | Tempo) -> Tempo:
        """Parse ``160``, ``'q=160'``, ``'e=300'``, ``'q.=100'``; a number is quarters a minute.

        Raises:
            TempoError: not of that form, or outside MIN_QPM to MAX_QPM quarters a minute.

        >>> Tempo.parse("q.=100").qpm, Tempo.parse(96).qpm
        (Fraction(150, 1), Fraction(96, 1))
        """
        if isinstance(text, Tempo):
            return text
        if isinstance(text, bool):
            raise TypeError("a tempo must be a str or a number, not bool")
        if isinstance(text, (int, float, Fraction)):
            if isinstance(text, float) and not math.isfinite(text):
                raise TempoError(f"invalid tempo {text!r}: expected {_FORM}")
            tempo = cls(Fraction(text))
        elif isinstance(text, str):
            match = _TEMPO_RE.match(text) if len(text) <= _MAX_TEXT else None
            if not match:
                raise TempoError(f"invalid tempo {clip(text)!r}: expected {_FORM}")
            unit, number = match.groups()
            try:
                tempo = cls(Fraction(number), unit_of(unit))
            except ZeroDivisionError:
                raise TempoError(f"invalid tempo {text!r}: expected {_FORM}") from None
        else:
            raise TypeError(f"a tempo must be a str or a number, not {type(text).__name__}")
        if not MIN_QPM <= tempo.qpm <= MAX_QPM:
            raise TempoError(f"invalid tempo {text!r}: expected {_FORM}")
        return tempo

    @property
    def unit_name(self) -> str:
        """The unit's name, ``'q'``, ``'e'``, ``'q.'``... (``'q'`` for an unnamed one)."""
        return _UNIT_NAMES.get(self.unit, "q")

    def __str__(self) -> str:
        """``'e=280'``: the BPM in its own unit, as typed.

        >>> str(Tempo.parse("e=280")), str(Tempo.parse(96)), str(Tempo(Fraction(400, 3)))
        ('e=280', 'q=96', 'q=133.33')
        """
        return f"{self.unit_name}={format_bpm(self.bpm)}"


@dataclass(frozen=True)
class TempoSegment:
    """From ``start`` (quarter notes) the tempo goes from ``qpm`` to ``end_qpm`` linearly
    over ``length`` quarter notes; ``length`` None means steady to the end of time."""

    start: Fraction
    qpm: Fraction
    length: Fraction | None = None
    end_qpm: Fraction | None = None

    @property
    def is_ramp(self) -> bool:
        return self.end_qpm is not None and self.end_qpm != self.qpm and bool(self.length)

    def qpm_at(self, offset: Fraction) -> Fraction:
        """The tempo ``offset`` quarter notes into the segment (quarters a minute)."""
        if not self.is_ramp:
            return self.qpm
        assert self.length is not None and self.end_qpm is not None
        return self.qpm + (self.end_qpm - self.qpm) * offset / self.length

    def seconds_for(self, offset: Fraction) -> Fraction:
        """Seconds from the segment's start to ``offset`` quarter notes into it."""
        if not self.is_ramp:
            return 60 * offset / self.qpm
        assert self.length is not None and self.end_qpm is not None
        slope = (self.end_qpm - self.qpm) / self.length  # qpm per quarter
        ratio = (self.qpm + slope * offset) / self.qpm
        return Fraction(60 / float(slope) * math.log(float(ratio)))

    def offset_for(self, seconds: Fraction | float) -> Fraction:
        """The inverse of :meth:`seconds_for`: quarter notes into the segment."""
        if not self.is_ramp:
            return Fraction(seconds) * self.qpm / 60
        assert self.length is not None and self.end_qpm is not None
        slope = (self.end_qpm - self.qpm) / self.length
        growth = math.exp(float(seconds) * float(slope) / 60)
        return Fraction(float(self.qpm) * (growth - 1) / float(slope))


class TempoMap:
    """Seconds for quarter-note positions, from a list of steady or ramping segments.

    Build one with :meth:`constant` and :meth:`then`, or from segments sorted by start.
    Every position is measured from the start (0), so times never accumulate rounding.
    """

    def __init__(self, segments: list[TempoSegment]):
        if not segments or segments[0].start != 0:
            raise TempoError("a tempo map must start at quarter note 0")
        self.segments: tuple[TempoSegment, ...] = tuple(segments)
        self._starts = [s.start for s in self.segments]
        origins = [Fraction(0)]
        for previous, segment in zip(self.segments, self.segments[1:]):
            origins.append(origins[-1] + previous.seconds_for(segment.start - previous.start))
        self._origins = origins
        self._steady = [
            None
            if segment.is_ramp
            else (
                segment.start.numerator,
                segment.start.denominator,
                60 * segment.qpm.denominator,
                segment.qpm.numerator,
                origin.numerator,
                origin.denominator,
            )
            for segment, origin in zip(self.segments, origins)
        ]
        """Each steady segment's start, seconds a quarter (60/qpm) and origin (seconds) as
        whole numbers, for :meth:`sample_at`; None for a ramp."""

    @classmethod
    def constant(cls, tempo: str | int | float | Fraction | Tempo) -> TempoMap:
        """A steady tempo from the start."""
        return cls([TempoSegment(Fraction(0), Tempo.parse(tempo).qpm)])

    def then(
        self,
        at: Fraction,
        tempo: str | int | float | Fraction | Tempo,
        *,
        ramp_quarters: Fraction | None = None,
        to: str | int | float | Fraction | Tempo | None = None,
    ) -> TempoMap:
        """A new map: from ``at`` quarter notes, ``tempo``; ramping to ``to`` over
        ``ramp_quarters`` when both are given, and steady at ``to`` after it."""
        at = Fraction(at)
        kept = [s for s in self.segments if s.start < at]
        qpm = Tempo.parse(tempo).qpm
        if kept and kept[-1].length is None:
            kept[-1] = TempoSegment(kept[-1].start, kept[-1].qpm, at - kept[-1].start)
        if to is not None and ramp_quarters:
            end = Tempo.parse(to).qpm
            ramp = Fraction(ramp_quarters)
            return TempoMap([*kept, TempoSegment(at, qpm, ramp, end), TempoSegment(at + ramp, end)])
        return TempoMap([*kept, TempoSegment(at, qpm)])

    def delayed(self, quarters: Fraction | int) -> TempoMap:
        """The same map ``quarters`` quarter notes later, steady at the opening tempo before
        (under a count-in).

        >>> m = TempoMap.constant(120).then(Fraction(4), 60).delayed(2)
        >>> [(s.start, s.qpm) for s in m.segments]
        [(Fraction(0, 1), Fraction(120, 1)), (Fraction(6, 1), Fraction(60, 1))]
        >>> m.seconds_at(6)
        Fraction(3, 1)
        """
        quarters = Fraction(quarters)
        if quarters == 0:
            return self
        first, *rest = self.segments
        if first.is_ramp:
            head = [TempoSegment(Fraction(0), first.qpm, quarters), replace(first, start=quarters)]
        else:  # one steady segment, not two that say the same
            head = [
                replace(first, length=None if first.length is None else first.length + quarters)
            ]
        return TempoMap([*head, *(replace(s, start=s.start + quarters) for s in rest)])

    def after(self, quarter: Fraction | int) -> TempoMap:
        """The map from ``quarter`` on, as if the music started there: how a paused
        metronome goes on, its ramp and changes still ahead of it.

        >>> ramp = TempoMap.constant(100).then(Fraction(0), 100, ramp_quarters=Fraction(8), to=140)
        >>> [(str(s.start), str(s.qpm), str(s.length)) for s in ramp.after(4).segments]
        [('0', '120', '4'), ('4', '140', 'None')]
        """
        if not isinstance(quarter, Fraction):
            quarter = Fraction(quarter)
        i = self._index(quarter)
        segment = self.segments[i]
        offset = quarter - segment.start
        length = None if segment.length is None else segment.length - offset
        first = TempoSegment(Fraction(0), segment.qpm_at(offset), length, segment.end_qpm)
        later = [replace(s, start=s.start - quarter) for s in self.segments[i + 1 :]]
        return TempoMap([first, *later])

    def _index(self, quarter: Fraction) -> int:
        if len(self._starts) == 1:
            return 0
        return max(0, bisect.bisect_right(self._starts, quarter) - 1)

    def qpm_at(self, quarter: Fraction) -> Fraction:
        """The tempo at a position, in quarter notes a minute."""
        segment = self.segments[self._index(quarter)]
        return segment.qpm_at(quarter - segment.start)

    def seconds_at(self, quarter: Fraction | int) -> Fraction:
        """Seconds from the start to ``quarter`` quarter notes (exact for steady tempos)."""
        if not isinstance(quarter, Fraction):
            quarter = Fraction(quarter)
        i = self._index(quarter)
        segment = self.segments[i]
        return self._origins[i] + segment.seconds_for(quarter - segment.start)

    def quarter_at(self, seconds: Fraction | float) -> Fraction:
        """Quarter notes from the start at a time in seconds (the inverse of seconds_at)."""
        seconds = Fraction(seconds)
        i = max(0, bisect.bisect_right(self._origins, seconds) - 1)
        segment = self.segments[i]
        return segment.start + segment.offset_for(seconds - self._origins[i])

    def sample_at(self, quarter: Fraction | int, rate: int) -> int:
        """The sample index of a position (quarter notes) at ``rate`` samples a second:
        ``to_sample(seconds_at(quarter), rate)``, the same rounding half up. In a steady
        segment it is computed in whole numbers, never reduced by a gcd (a floor division
        does not need it): the renderer asks it of every event.

        >>> tempo = TempoMap.constant(137).then(Fraction(10), 90)
        >>> [tempo.sample_at(q, 48000) for q in (Fraction(7, 2), 10, Fraction(21, 2))]
        [73577, 210219, 226219]
        """
        if not isinstance(quarter, Fraction):
            quarter = Fraction(quarter)
        i = self._index(quarter)
        steady = self._steady[i]
        if steady is None:
            return to_sample(self.seconds_at(quarter), rate)
        start_n, start_d, per_quarter_n, per_quarter_d, origin_n, origin_d = steady
        # seconds = origin + (quarter - start) * 60 / qpm, over one common denominator
        span_d = quarter.denominator * start_d * per_quarter_d
        span_n = (quarter.numerator * start_d - start_n * quarter.denominator) * per_quarter_n
        numerator = origin_n * span_d + span_n * origin_d
        denominator = origin_d * span_d
        return (2 * numerator * rate + denominator) // (2 * denominator)

    def __repr__(self) -> str:
        return f"TempoMap({list(self.segments)!r})"
