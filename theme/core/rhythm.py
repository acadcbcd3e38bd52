"""Rhythms on a grid, box notation in and out, and note names.

A :class:`Rhythm` is a pattern of ``length`` grid cells, each ``unit`` quarter notes long
(``unit = 1/2``: eighth notes), holding notes that start and end on the grid.

Box notation, one character a cell:

``x``  an onset; ``X``  an accented onset; ``.``  the note before goes on (or silence
before the first onset); ``-``  silence. ``|`` and spaces are ignored (bar lines for the eye).

>>> r = Rhythm.from_box("X..x..x.x.")
>>> r.durations()
[3, 3, 2, 2]
>>> r.onsets()
[0, 3, 6, 8]
>>> Rhythm.from_durations([3, 3, 2, 2, -6]).to_box()
'x..x..x.x.------'
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction

from theme.errors import RhythmError
from theme.safe_text import bounded_int, clip, shown

TYPE_CHECKING = False
if TYPE_CHECKING:
    from theme.core.meter import Meter

__all__ = [
    "MAX_BOX_CELLS",
    "Hit",
    "Rhythm",
    "bar_from_box",
    "fraction_gcd",
    "grid_unit",
    "note_number",
    "parse_pitches",
]

_BOX_CHARS = set("xX.-")

MAX_BOX_CELLS = 4096
"""The most cells a rhythm may have (a box of 4,096 characters, bar lines aside)."""

_MAX_PITCHES_TEXT = 10_000
"""The longest ``--pitches`` text read, in characters."""


def fraction_gcd(values: Iterable[Fraction]) -> Fraction:
    """The largest length that divides every value (quarter notes in, quarter notes out):
    the coarsest grid that holds them all. Zeros are skipped; at least one value must not be
    zero.

    >>> fraction_gcd([Fraction(1, 2), Fraction(3, 4), Fraction(0)])
    Fraction(1, 4)
    >>> fraction_gcd([Fraction(2, 3), Fraction(1)])
    Fraction(1, 3)
    """
    nonzero = [v for v in values if v]
    return Fraction(
        math.gcd(*(v.numerator for v in nonzero)), math.lcm(*(v.denominator for v in nonzero))
    )


def grid_unit(value: Fraction | int | str) -> Fraction:
    """A grid cell length in quarter notes from ``'1/2'``, ``'1/3'``, ``'0.25'`` or a number:
    positive, with at most 12 digits on either side of the fraction bar.

    >>> grid_unit("1/2"), grid_unit("0.25"), grid_unit(1)
    (Fraction(1, 2), Fraction(1, 4), Fraction(1, 1))

    Raises:
        TypeError: not a Fraction, an int or a str.
        RhythmError: not a positive length, or written with too many digits.
    """
    if isinstance(value, Fraction):
        unit = value
    elif isinstance(value, int) and not isinstance(value, bool):
        unit = Fraction(value)
    elif isinstance(value, str):
        unit = Fraction(0)
        parts = re.fullmatch(
            r"\s*([0-9]{1,12}(?:\.[0-9]{1,12})?)\s*(?:/\s*([0-9]{1,12})\s*)?", value
        )
        if parts and parts.group(2) != "0" and int(parts.group(2) or 1):
            unit = Fraction(parts.group(1)) / int(parts.group(2) or 1)
    else:
        raise TypeError(
            f"a grid unit must be a Fraction, an int or a str, not {type(value).__name__}"
        )
    if unit <= 0:
        raise RhythmError(
            f"invalid grid {clip(str(value))!r}: expected a positive length in quarter notes "
            "such as 1/2 (eighths) or 1/3 (eighth triplets)"
        )
    return unit


@dataclass(frozen=True, order=True)
class Hit:
    """One note of a rhythm: starts at grid cell ``start`` and lasts ``length`` cells."""

    start: int
    length: int
    accent: bool = False


@dataclass(frozen=True)
class Rhythm:
    """Notes on a grid of ``length`` cells of ``unit`` quarter notes each."""

    hits: tuple[Hit, ...]
    length: int
    unit: Fraction = field(default=Fraction(1, 2))

    def __post_init__(self) -> None:
        if not isinstance(self.length, int) or isinstance(self.length, bool):
            raise TypeError(f"a rhythm's length must be an int, not {type(self.length).__name__}")
        if not isinstance(self.unit, Fraction):
            raise TypeError(f"a rhythm's unit must be a Fraction, not {type(self.unit).__name__}")
        if self.length > MAX_BOX_CELLS:
            raise RhythmError(
                f"invalid rhythm length {self.length}: expected at most {MAX_BOX_CELLS} cells"
            )
        if self.length < 1:
            raise RhythmError(f"invalid rhythm length {self.length!r}: expected 1 cell or more")
        if self.unit <= 0:
            raise RhythmError(f"invalid grid unit {self.unit!r}: expected a positive length")
        end = 0
        for hit in self.hits:
            if hit.length < 1 or hit.start < end or hit.start + hit.length > self.length:
                raise RhythmError(
                    f"invalid rhythm: note at cell {hit.start} of length {hit.length} "
                    f"overlaps or runs past the {self.length} cells"
                )
            end = hit.start + hit.length

    @classmethod
    def from_box(cls, text: str, unit: Fraction | str = Fraction(1, 2)) -> Rhythm:
        """Read box notation such as ``'x..x..x.x.'`` (see the module docstring).

        Raises:
            TypeError: ``text`` is not a str.
            RhythmError: a character other than ``x X . - |`` and spaces, no cells, or more
                than :data:`MAX_BOX_CELLS` cells.
        """
        if not isinstance(text, str):
            raise TypeError(f"box notation must be a str, not {type(text).__name__}")
        cells = re.sub(r"[\s|]", "", text[: 4 * MAX_BOX_CELLS + 1])
        bad = sorted(set(cells) - _BOX_CHARS)
        if bad or not cells or len(cells) > MAX_BOX_CELLS:
            shown = f"character {bad[0]!r}" if bad else "no cells" if not cells else "too long"
            raise RhythmError(
                f"invalid box notation {clip(text)!r}: {shown}; expected x (onset), "
                f"X (accented onset), . (hold) and - (rest), at most {MAX_BOX_CELLS} cells"
            )
        hits: list[Hit] = []
        start: int | None = None
        accent = False
        for i, char in enumerate(cells + "x"):
            if char in "xX-" and start is not None:
                hits.append(Hit(start, i - start, accent))
                start = None
            if char in "xX" and i < len(cells):
                start, accent = i, char == "X"
        return cls(tuple(hits), len(cells), grid_unit(unit))

    @classmethod
    def from_durations(
        cls,
        durations: list[int] | tuple[int, ...],
        unit: Fraction | str = Fraction(1, 2),
        accents: tuple[int, ...] = (),
    ) -> Rhythm:
        """Durations in grid cells; a negative one is a rest. ``accents``: indexes of accented
        notes among all the durations.

        >>> Rhythm.from_durations([3, 3, 1, 1], accents=(0,)).to_box()
        'X..x..xx'
        """
        if not isinstance(durations, (list, tuple)) or not all(
            isinstance(d, int) and not isinstance(d, bool) for d in durations
        ):
            raise TypeError(f"durations must be a list of ints, not {shown(durations)}")
        if sum(abs(d) for d in durations) > MAX_BOX_CELLS:
            raise RhythmError(
                f"invalid durations: {len(durations)} notes over more than {MAX_BOX_CELLS} cells"
            )
        hits, position = [], 0
        for i, d in enumerate(durations):
            if d == 0:
                raise RhythmError(f"invalid duration 0 at position {i}: expected a non-zero number")
            if d > 0:
                hits.append(Hit(position, d, i in accents))
            position += abs(d)
        if position == 0:
            raise RhythmError("invalid rhythm: no durations")
        return cls(tuple(hits), position, grid_unit(unit))

    def to_box(self) -> str:
        """Box notation of this rhythm: the inverse of :meth:`from_box`."""
        cells = ["-"] * self.length
        for hit in self.hits:
            cells[hit.start] = "X" if hit.accent else "x"
            for i in range(hit.start + 1, hit.start + hit.length):
                cells[i] = "."
        # a rest that runs up to the first onset reads better as holds
        first = self.hits[0].start if self.hits else self.length
        for i in range(first):
            cells[i] = "."
        return "".join(cells)

    def onsets(self) -> list[int]:
        """Grid cells where a note starts."""
        return [h.start for h in self.hits]

    def durations(self) -> list[int]:
        """Note lengths in grid cells."""
        return [h.length for h in self.hits]

    @property
    def quarters(self) -> Fraction:
        """The length of the whole pattern in quarter notes."""
        return self.length * self.unit


_NOTE_RE = re.compile(r"^([A-Ga-g])([#b]{0,2})(-?\d)$")
_STEPS = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}


def note_number(name: str | int) -> int:
    """A MIDI note number from ``'C4'`` (60), ``'Bb2'``, ``'F#3'`` or a number 0 to 127.

    >>> note_number("C4"), note_number("Bb2"), note_number("61")
    (60, 46, 61)
    """
    if isinstance(name, int) and not isinstance(name, bool):
        number = name
    elif not isinstance(name, str):
        raise TypeError(f"a pitch must be a note name or an int, not {type(name).__name__}")
    else:
        text = str(name).strip()
        match = _NOTE_RE.match(text)
        if text.isascii() and text.isdigit():
            number = bounded_int(text, "pitch", max_digits=3, error=RhythmError)
        elif match:
            letter, accidentals, octave = match.groups()
            shift = accidentals.count("#") - accidentals.count("b")
            number = _STEPS[letter.upper()] + shift + 12 * (int(octave) + 1)
        else:
            raise RhythmError(
                f"invalid pitch {clip(str(name))!r}: expected a note name such as C4, Bb2, F#3 "
                "or a MIDI number 0 to 127"
            )
    if not 0 <= number <= 127:
        shown = clip(str(name)) if abs(number) < 10**40 else "a number of over 40 digits"
        raise RhythmError(f"invalid pitch {shown!r}: the MIDI number must be 0 to 127")
    return number


def parse_pitches(text: str) -> dict[str, tuple[int, ...]]:
    """Parse ``'bass=C2,C2,G2,G2;lead=E4'`` into MIDI numbers per layer.

    >>> parse_pitches("bass=C2,G2; lead=60")
    {'bass': (36, 43), 'lead': (60,)}
    """
    if not isinstance(text, str):
        raise TypeError(f"pitches must be a str, not {type(text).__name__}")
    if len(text) > _MAX_PITCHES_TEXT:
        raise RhythmError(
            f"invalid pitches {clip(text)!r}: expected at most {_MAX_PITCHES_TEXT} characters"
        )
    result: dict[str, tuple[int, ...]] = {}
    for part in filter(None, (p.strip() for p in text.split(";"))):
        layer, sep, notes = part.partition("=")
        if not sep or not layer.strip() or not notes.strip():
            raise RhythmError(
                f"invalid pitches {clip(part)!r}: expected LAYER=NOTE,NOTE,... such as bass=C2,C2,G2,G2"
            )
        result[layer.strip()] = tuple(note_number(n) for n in notes.split(","))
    if not result:
        raise RhythmError(
            f"invalid pitches {clip(text)!r}: expected LAYER=NOTE,NOTE,... such as bass=C2,C2,G2,G2"
        )
    return result


def bar_from_box(text: str, meter: Meter | str, unit: Fraction | str = Fraction(1, 2)) -> Rhythm:
    """Box notation that fills exactly one bar of ``meter`` (cells of ``unit`` quarter notes).

    >>> bar_from_box("X..x..x.x.", "5/4").quarters
    Fraction(5, 1)
    >>> bar_from_box("x.x.x..", "5/4")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    theme.errors.RhythmError: invalid box 'x.x.x..' for 5/4: 7 cells of 1/2 quarter note make...

    Raises:
        RhythmError: bad box notation, or a length other than one bar.
        MeterError: a meter that cannot be parsed.
    """
    from theme.core.meter import Meter

    bar = Meter.parse(meter)
    rhythm = Rhythm.from_box(text, unit)
    if rhythm.quarters != bar.bar_quarters:
        raise RhythmError(
            f"invalid box {clip(text)!r} for {bar}: {rhythm.length} cells of {rhythm.unit} "
            f"quarter note make {rhythm.quarters} quarter notes; expected one bar, "
            f"{bar.bar_quarters / rhythm.unit} cells"
        )
    return rhythm
