"""Meters with explicit groupings: ``'5/4'``, ``'3+2/4'``, ``'2+2+3/8'``, ``'3+3+2+2/8'``.

A :class:`Meter` is a numerator, a denominator and a grouping of the numerator's pulses.
The grouping decides the accents: every pulse gets an :class:`AccentLevel`.

Units: a *pulse* is one ``1/denominator`` note (a quarter in 5/4, an eighth in 7/8);
lengths in quarter notes are exact :class:`~fractions.Fraction` values.

>>> m = Meter.parse("5/4")
>>> m.groups, str(m)
((3, 2), '5/4')
>>> Meter.parse("2+3/4").groups
(2, 3)
>>> Meter.parse("7/8").bar_quarters
Fraction(7, 2)
>>> [int(level) for level in Meter.parse("7/8").accent_levels()]
[0, 2, 1, 2, 1, 2, 2]
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING

from theme.errors import MeterError, UsageError
from theme.safe_text import bounded_int, clip, shown

if TYPE_CHECKING:
    from music21.meter import TimeSignature

__all__ = [
    "DENOMINATORS",
    "MAX_NUMERATOR",
    "MAX_SUBDIVIDE",
    "AccentLevel",
    "Meter",
    "default_groups",
]

DENOMINATORS = (1, 2, 4, 8, 16, 32)
MAX_NUMERATOR = 64
MAX_SUBDIVIDE = 64
"""The most parts a pulse may be split into for accents (:meth:`Meter.accent_levels`)."""

_FORM = "N/D or groups such as 3+2/4, with N from 1 to 64 and D one of 1, 2, 4, 8, 16, 32"
_METER_RE = re.compile(r"^\s*([0-9]+(?:\s*\+\s*[0-9]+)*)\s*/\s*([0-9]+)\s*$")
_MAX_METER_TEXT = 200
"""The longest meter string read: 64 groups of 1 joined by '+' and a denominator."""


class AccentLevel(enum.IntEnum):
    """How strong a pulse is; a smaller number is a stronger accent."""

    DOWNBEAT = 0
    """The first pulse of the bar."""
    GROUP = 1
    """The first pulse of a group that is not the first of the bar."""
    BEAT = 2
    """Any other pulse of the meter (one ``1/denominator`` note)."""
    SUBDIVISION = 3
    """A subdivision of a pulse (an eighth in 5/4 with ``subdivide=2``)."""
    SILENT = 4
    """A click that is counted but not heard (gap bars)."""


def default_groups(numerator: int, denominator: int) -> tuple[int, ...]:
    """The grouping a musician expects when none is given, in pulses.

    Quarter (and longer) meters: 4 as 2+2, 5 as 3+2, 6 as 3+3, 7 as 4+3; eighth (and shorter)
    meters: multiples of three as threes (6/8 as 3+3), 5 as 3+2, 7 as 2+2+3, 11 as
    2+2+3+2+2, others as twos ending in a three.

    >>> default_groups(5, 4), default_groups(7, 8), default_groups(9, 8), default_groups(11, 8)
    ((3, 2), (2, 2, 3), (3, 3, 3), (2, 2, 3, 2, 2))
    >>> default_groups(4, 4), default_groups(3, 4), default_groups(10, 8)
    ((2, 2), (3,), (3, 3, 2, 2))
    """
    n = numerator
    special_quarter = {1: (1,), 2: (2,), 3: (3,), 4: (2, 2), 5: (3, 2), 6: (3, 3), 7: (4, 3)}
    special_eighth = {
        1: (1,),
        2: (2,),
        3: (3,),
        4: (2, 2),
        5: (3, 2),
        7: (2, 2, 3),
        8: (3, 3, 2),
        10: (3, 3, 2, 2),
        11: (2, 2, 3, 2, 2),
    }
    if denominator <= 4:
        if n in special_quarter:
            return special_quarter[n]
    elif n in special_eighth:
        return special_eighth[n]
    elif n % 3 == 0:
        return (3,) * (n // 3)
    if n % 2 == 0:
        return (2,) * (n // 2)
    return (2,) * ((n - 3) // 2) + (3,)


@dataclass(frozen=True)
class Meter:
    """A time signature with an explicit grouping of its pulses.

    ``groups`` are in pulses (``1/denominator`` notes) and add up to ``numerator``.
    """

    numerator: int
    denominator: int
    groups: tuple[int, ...]

    def __post_init__(self) -> None:
        for name, value in (("numerator", self.numerator), ("denominator", self.denominator)):
            if not isinstance(value, int) or isinstance(value, bool):
                raise TypeError(f"a meter's {name} must be an int, not {type(value).__name__}")
        if not isinstance(self.groups, tuple) or not all(
            isinstance(g, int) and not isinstance(g, bool) for g in self.groups
        ):
            raise TypeError(
                f"a meter's groups must be a tuple of ints, not {type(self.groups).__name__} "
                "holding " + ", ".join(sorted({type(g).__name__ for g in self.groups}))
            )
        numbers = (self.numerator, self.denominator, *self.groups[: MAX_NUMERATOR + 1])
        if len(self.groups) > MAX_NUMERATOR or any(abs(n) > 10**6 for n in numbers):
            raise MeterError(f"invalid meter with a number over 1000000: expected {_FORM}")
        label = f"{'+'.join(map(str, self.groups))}/{self.denominator}"
        if not 1 <= self.numerator <= MAX_NUMERATOR:
            raise MeterError(f"invalid meter {label!r}: the numerator must be 1 to 64 ({_FORM})")
        if self.denominator not in DENOMINATORS:
            raise MeterError(
                f"invalid meter {label!r}: the denominator must be 1, 2, 4, 8, 16 or 32 ({_FORM})"
            )
        if not self.groups or any(g < 1 for g in self.groups):
            raise MeterError(f"invalid meter {label!r}: every group must be 1 or more ({_FORM})")
        if sum(self.groups) != self.numerator:
            raise MeterError(
                f"invalid meter grouping {self.groups!r}: the groups must add up to "
                f"{self.numerator} ({_FORM})"
            )

    @classmethod
    def of(cls, numerator: int, denominator: int) -> Meter:
        """The meter ``numerator/denominator`` with its default grouping."""
        for value in (numerator, denominator):
            if not isinstance(value, int) or isinstance(value, bool):
                raise TypeError(f"a meter's numbers must be ints, not {type(value).__name__}")
        if not 1 <= numerator <= MAX_NUMERATOR or denominator not in DENOMINATORS:
            shown = clip(f"{numerator}/{denominator}") if abs(numerator) < 10**40 else "N/D"
            raise MeterError(f"invalid meter {shown!r}: expected {_FORM}")
        return cls(numerator, denominator, default_groups(numerator, denominator))

    @classmethod
    def parse(cls, text: str | Meter) -> Meter:
        """Parse ``'5/4'``, ``'3+2/4'``, ``'2+2+3/8'``; a Meter is returned as it is.

        Raises:
            MeterError: the text is not of the form N/D or G+G+.../D, or out of range.

        >>> Meter.parse("3+3+2+2/8")
        Meter(numerator=10, denominator=8, groups=(3, 3, 2, 2))
        >>> Meter.parse("5/3")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        theme.errors.MeterError: invalid meter '5/3': the denominator must be 1, 2, 4, 8, 16 or ...
        """
        if isinstance(text, Meter):
            return text
        if not isinstance(text, str):
            raise TypeError(f"a meter must be a str or a Meter, not {type(text).__name__}")
        match = _METER_RE.match(text) if len(text) <= _MAX_METER_TEXT else None
        if not match:
            raise MeterError(f"invalid meter {clip(text)!r}: expected {_FORM}")
        top, bottom = match.groups()
        try:
            groups = tuple(bounded_int(g, "meter", max_digits=4) for g in top.split("+"))
            denominator = bounded_int(bottom, "meter", max_digits=4)
        except UsageError:
            raise MeterError(f"invalid meter {clip(text)!r}: expected {_FORM}") from None
        numerator = sum(groups)
        if denominator not in DENOMINATORS:
            raise MeterError(
                f"invalid meter {text!r}: the denominator must be 1, 2, 4, 8, 16 or 32 ({_FORM})"
            )
        if not 1 <= numerator <= MAX_NUMERATOR or any(g < 1 for g in groups):
            raise MeterError(f"invalid meter {text!r}: expected {_FORM}")
        if len(groups) == 1:
            groups = default_groups(numerator, denominator)
        return cls(numerator, denominator, groups)

    def with_groups(self, groups: str | tuple[int, ...] | list[int]) -> Meter:
        """The same meter with another grouping, given as ``'2+3'`` or ``(2, 3)``.

        >>> Meter.parse("5/4").with_groups("2+3")
        Meter(numerator=5, denominator=4, groups=(2, 3))
        """
        if isinstance(groups, str):
            if len(groups) > _MAX_METER_TEXT or not re.fullmatch(
                r"\s*[0-9]{1,4}(\s*\+\s*[0-9]{1,4})*\s*", groups
            ):
                raise MeterError(
                    f"invalid grouping {clip(groups)!r}: expected numbers joined by '+' "
                    f"that add up to {self.numerator}, such as 3+2"
                )
            groups = tuple(int(g) for g in groups.split("+"))
        if not isinstance(groups, (tuple, list)) or not all(
            isinstance(g, int) and not isinstance(g, bool) for g in groups
        ):
            raise TypeError(
                f"a grouping must be a str or a tuple of ints, not {type(groups).__name__}"
            )
        groups = tuple(groups)
        if len(groups) > MAX_NUMERATOR or any(abs(g) > MAX_NUMERATOR for g in groups):
            raise MeterError(
                f"invalid grouping for {self}: the groups must be 1 or more and add up to "
                f"{self.numerator}"
            )
        if sum(groups) != self.numerator or any(g < 1 for g in groups):
            raise MeterError(
                f"invalid grouping {'+'.join(map(str, groups))!r} for {self}: the groups "
                f"must be 1 or more and add up to {self.numerator}"
            )
        return Meter(self.numerator, self.denominator, groups)

    def __str__(self) -> str:
        """``'5/4'`` for the default grouping, ``'2+3/4'`` otherwise; :meth:`parse` reads it.
        A single group (a flat bar, from ``with_groups('5')``) is written ``'5/4'`` and reads
        back with the default grouping."""
        if self.groups == default_groups(self.numerator, self.denominator):
            return f"{self.numerator}/{self.denominator}"
        return f"{'+'.join(map(str, self.groups))}/{self.denominator}"

    @property
    def label(self) -> str:
        """The meter as everything a class reads names it: the time signature, then its
        grouping, ``'9/8 (2+2+2+3)'``. Two groupings of one meter share the time signature,
        so a regrouped bar does not read as a change of meter.

        >>> Meter.parse("2+2+2+3/8").label, Meter.parse("9/8").label, Meter.parse("5/4").label
        ('9/8 (2+2+2+3)', '9/8 (3+3+3)', '5/4 (3+2)')
        >>> Meter.parse("5/4").with_groups("5").label  # one group: nothing to spell out
        '5/4'
        """
        if len(self.groups) == 1:
            return f"{self.numerator}/{self.denominator}"
        return f"{self.numerator}/{self.denominator} ({'+'.join(map(str, self.groups))})"

    @property
    def explicit(self) -> str:
        """The meter with its grouping always spelled out: ``'3+2/4'``."""
        return f"{'+'.join(map(str, self.groups))}/{self.denominator}"

    @property
    def pulse_quarters(self) -> Fraction:
        """The length of one pulse in quarter notes (1/2 for an eighth)."""
        return Fraction(4, self.denominator)

    @property
    def bar_quarters(self) -> Fraction:
        """The length of one bar in quarter notes (5 for 5/4, 7/2 for 7/8)."""
        return self.numerator * self.pulse_quarters

    @property
    def counted_quarters(self) -> Fraction:
        """The note a musician counts in this meter, in quarter notes: the dotted pulse of a
        compound meter (every group of three eighths or sixteenths), else the pulse. What a
        tempo mark in the score counts.

        >>> [str(Meter.parse(m).counted_quarters) for m in ("5/4", "7/8", "6/8", "2/2")]
        ['1', '1/2', '3/2', '2']
        """
        if self.denominator >= 8 and all(g == 3 for g in self.groups):
            return 3 * self.pulse_quarters
        return self.pulse_quarters

    @property
    def group_starts(self) -> tuple[int, ...]:
        """The pulse index where each group starts: ``(0, 3)`` for 3+2/4."""
        starts, position = [], 0
        for g in self.groups:
            starts.append(position)
            position += g
        return tuple(starts)

    def accent_levels(self, subdivide: int = 1) -> list[AccentLevel]:
        """One accent level for each pulse, or each subdivision of a pulse.

        ``subdivide`` splits every pulse into that many equal parts (2 for eighths in 5/4).

        >>> [int(a) for a in Meter.parse("3+2/4").accent_levels(2)]
        [0, 3, 2, 3, 2, 3, 1, 3, 2, 3]
        """
        if not isinstance(subdivide, int) or isinstance(subdivide, bool):
            raise TypeError(f"subdivide must be an int, not {type(subdivide).__name__}")
        if not 1 <= subdivide <= MAX_SUBDIVIDE:
            raise MeterError(
                f"invalid subdivision {shown(subdivide)}: expected 1 to {MAX_SUBDIVIDE}"
            )
        starts = set(self.group_starts)
        levels = []
        for pulse in range(self.numerator):
            if pulse == 0:
                head = AccentLevel.DOWNBEAT
            elif pulse in starts:
                head = AccentLevel.GROUP
            else:
                head = AccentLevel.BEAT
            levels.append(head)
            levels.extend([AccentLevel.SUBDIVISION] * (subdivide - 1))
        return levels

    def to_music21(self) -> TimeSignature:
        """A music21 TimeSignature whose beats and beams follow this grouping.

        music21's own 5/4 is flat and beamed 2+3; this one is beamed and accented by
        ``groups`` (3+2 for 5/4).
        """
        from music21 import meter as m21meter

        ts = m21meter.TimeSignature(f"{self.numerator}/{self.denominator}")
        partition = [f"{g}/{self.denominator}" for g in self.groups]
        if len(self.groups) > 1:
            ts.beatSequence.partitionByList(partition)
            ts.beamSequence.partitionByList(partition)
            ts.accentSequence.partitionByList(partition)
        return ts
