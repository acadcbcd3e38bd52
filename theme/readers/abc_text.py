"""A bounded pre-read of an ABC tune's text, before music21 is given it.

music21's ABC reader has no bounds of its own and grows faster than the tune (a note
``C99999999`` takes it minutes and gigabytes; 1,000 bars take it half a minute; ``Q:1/4=0``
divides by zero). This reader walks the tune once, in time linear in its length, and keeps
only what bounds need: each voice's position and bars (note lengths from ``L:``, chords,
grace notes, multi-bar rests), the meters (``M:``), the tempos (``Q:``), the count of notes.
It refuses, in one line naming the line of the tune, a number of more than
:data:`MAX_DIGITS` digits, a unit length (``L:``) outside 1/1024 to 4 or a unit or note
length whose denominator is not a power of 2 (music21 took minutes on ``L:9/14``), a meter (``M:``) with
more than :data:`~theme.core.meter.MAX_NUMERATOR` beats or an unknown beat, a tempo (``Q:``)
outside :data:`~theme.core.tempo.MIN_QPM` to :data:`~theme.core.tempo.MAX_QPM` quarter notes a
minute, a note longer than :data:`~theme.readers.MAX_BAR_QUARTERS`, more than
:data:`MAX_ABC_BARS` bars or :data:`MAX_ABC_NOTES` notes, or music longer than
:data:`~theme.readers.MAX_SECONDS`. (A bar longer than
:data:`~theme.readers.MAX_BAR_QUARTERS` is refused on music21's measures: a motet with no
bar lines but a last one is one long stretch here, and music21 reads it in its meter.)
Tuplets are applied (``(3`` three notes in the time of two, ``(p:q:r`` as written), since
a bar longer than its meter is one more bound: music21 cuts it at the meter's length and
gives the rest a meter of its own length, in time that grows with that meter's numerator
(a minute for 871/24, from a bar of triplets); such a rest, as a meter, must be one that
:class:`~theme.core.meter.Meter` reads (at most :data:`~theme.core.meter.MAX_NUMERATOR`
beats of 1 to 1/32), as it would be refused once music21 had made it.

Why not a reader of our own, as for MIDI and MusicXML: ABC's full grammar (voices, overlays,
broken rhythms, decorations, its many dialects) is large, and music21 reads it rightly on
the real tunes of its corpus; what music21 lacks is bounds, and bounds need only lengths.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fractions import Fraction

from theme.core.meter import DENOMINATORS, MAX_NUMERATOR
from theme.core.tempo import MAX_QPM, MIN_QPM
from theme.core.timeline import MAX_BARS
from theme.readers import MAX_BAR_QUARTERS, MAX_SECONDS, quarter_notes
from theme.safe_text import clip

__all__ = ["MAX_ABC_BARS", "MAX_ABC_NOTES", "MAX_DIGITS", "MAX_TUNE_CHARS", "TuneBound", "bound"]

MAX_TUNE_CHARS = 100_000
"""The longest tune handed to music21, in characters (its ABC reading grows faster than the
tune: about 4 s for 300 bars of eighths, 37 s for 1,000, on a busy machine)."""

MAX_ABC_BARS = 1_000
"""The most bars of an ABC tune (in its longest voice), counted before music21 reads it;
every other reader's bound is :data:`~theme.core.timeline.MAX_BARS`."""

MAX_ABC_NOTES = 20_000
"""The most notes (rests and grace notes counted) of an ABC tune, counted before music21
reads it (about a millisecond each to music21)."""

MAX_DIGITS = 4
"""The most digits of a number in a note length, an ``L:``, ``M:`` or ``Q:`` field."""

MAX_UNIT = Fraction(4)
"""The longest unit note length (``L:4/1``, four whole notes), in whole notes."""
MIN_UNIT = Fraction(1, 1024)
"""The shortest unit note length (``L:1/1024``), in whole notes."""


class TuneBound(Exception):
    """A tune over a bound, or with a field value out of range: the reason (one line)."""


@dataclass
class _Voice:
    """Where a voice stands, in quarter notes and seconds."""

    unit: Fraction  # quarter notes of the unit length
    bar: Fraction  # quarter notes of the meter's bar (for multi-bar rests)
    qpm: Fraction
    metered: bool  # the bar is a meter's (M: with a length), not free meter
    compound: bool = False  # 6/8, 9/8, 12/8...: a tuplet of 5, 7 or 9 in the time of 3
    position: Fraction = Fraction(0)
    bar_start: Fraction = Fraction(0)
    bars: int = 0
    seconds: Fraction = Fraction(0)
    tuplet_notes: int = 0  # notes still in the tuplet begun
    tuplet_ratio: Fraction = Fraction(1)  # the time of each of them, as written
    plain_bar_lines: int = 0  # | and endings: music21 makes measures only of 2 or more
    overfull: str | None = None  # why the first bar longer than its meter is refused


@dataclass
class _Tune:
    unit: Fraction = Fraction(1, 2)
    bar: Fraction = Fraction(4)
    qpm: Fraction = Fraction(120)
    metered: bool = False
    compound: bool = False
    unit_set: bool = False
    voices: dict[str, _Voice] = field(default_factory=dict)
    notes: int = 0
    line: int = 0


_TOKEN = re.compile(
    r"""(?P<comment>%.*)
    |(?P<string>"[^"\n]*"?)
    |(?P<deco>![^!\n]*!|\+[^+\n]*\+)
    |(?P<field>\[[A-Za-z]:[^\]\n]*\]?)
    |(?P<bar>\[\||::+|:*\|+\]?:*)(?P<ending>\[?\d+(?:[-,]\d+)*)?
    |(?P<ending2>\[\d+(?:[-,]\d+)*)
    |(?P<grace>[{}])
    |(?P<chord>\[)
    |(?P<chord_end>\](?P<chord_len>\d*/*\d*))
    |(?P<note>[_^=]*[A-Ga-gzx][,']*(?P<len>\d*/*\d*))
    |(?P<rests>[ZX](?P<count>\d*))
    |(?P<tuplet>\(\d+(?::\d*)*)
    """,
    re.VERBOSE,
)
_FIELD_LINE = re.compile(r"([A-Za-z]):(.*)")


def _number(text: str, what: str, line: int) -> int:
    """A whole number of at most :data:`MAX_DIGITS` digits; ``what`` names where it stands."""
    if len(text) > MAX_DIGITS:
        raise TuneBound(
            f"{what} on line {line} has a number of more than {MAX_DIGITS} digits "
            f"({clip(text, 12)})"
        )
    return int(text)


def _length(text: str, line: int, shown: str) -> Fraction:
    """A note length's multiplier: ``3`` 3, ``/`` 1/2, ``//`` 1/4, ``3/2`` 3/2, ``/4`` 1/4.

    >>> [_length(t, 1, "") for t in ("", "3", "/", "//", "3/2", "/4")]
    [Fraction(1, 1), Fraction(3, 1), Fraction(1, 2), Fraction(1, 4), Fraction(3, 2), Fraction(1, 4)]
    """
    match = re.fullmatch(r"(\d*)(/*)(\d*)", text)
    if not match:
        return Fraction(1)
    top, slashes, bottom = match.groups()
    what = f"a note length {clip(shown, 20)!r}"
    numerator = _number(top, what, line) if top else 1
    if bottom:
        denominator = _number(bottom, what, line)
        if not denominator:
            raise TuneBound(f"a note length {clip(shown, 20)!r} on line {line} divides by 0")
    else:
        denominator = 2 ** min(len(slashes), 10)
    if not numerator:
        raise TuneBound(f"a note length {clip(shown, 20)!r} on line {line} is 0")
    if denominator & (denominator - 1):  # C/3: music21 is slow on lengths no note writes
        raise TuneBound(
            f"a note length {clip(shown, 20)!r} on line {line}: expected a length over 1, 2, "
            "4 ... (a tuplet is written (3)"
        )
    return Fraction(numerator, denominator)


def _unit(value: str, line: int) -> Fraction:
    """An ``L:`` field's unit length in whole notes."""
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*|\s*(\d+)\s*", value)
    if not match:
        raise TuneBound(f"a unit length 'L:{clip(value.strip(), 20)}' on line {line} is not n/d")
    top, bottom, whole = match.groups()
    what = f"a unit length 'L:{clip(value.strip(), 20)}'"
    if whole is not None:
        unit = Fraction(_number(whole, what, line))
    else:
        denominator = _number(bottom, what, line)
        unit = Fraction(_number(top, what, line), denominator or 1)
        if not denominator:
            unit = Fraction(0)
    if unit and unit.denominator & (unit.denominator - 1):  # music21 takes minutes on L:9/14
        raise TuneBound(
            f"a unit length 'L:{clip(value.strip(), 20)}' on line {line}: expected a fraction "
            "of a whole note over 1, 2, 4 ... 1024"
        )
    if not MIN_UNIT <= unit <= MAX_UNIT:
        raise TuneBound(
            f"a unit length 'L:{clip(value.strip(), 20)}' on line {line}: expected "
            f"{MIN_UNIT} to {MAX_UNIT} of a whole note"
        )
    return unit


def _meter_bar(value: str, line: int) -> Fraction | None:
    """The bar of an ``M:`` field in quarter notes (None for ``none`` or a text)."""
    text = value.strip()
    if text in ("C", "c"):
        return Fraction(4)
    if text in ("C|", "c|"):
        return Fraction(2)
    match = re.fullmatch(r"\(?([\d+\s]+)\)?\s*/\s*(\d+)", text)
    if not match:
        return None
    what = f"a meter 'M:{clip(text, 20)}'"
    beats = 0
    for part in match.group(1).split("+"):
        if not part.strip().isdigit():
            return None
        beats += _number(part.strip(), what, line)
    beat = _number(match.group(2), what, line)
    if not 1 <= beats <= MAX_NUMERATOR or beat not in DENOMINATORS:
        raise TuneBound(
            f"a meter 'M:{clip(text, 20)}' on line {line}: expected 1 to {MAX_NUMERATOR} "
            f"beats of {', '.join(str(d) for d in DENOMINATORS)}"
        )
    return Fraction(4 * beats, beat)


def _tempo(value: str, line: int, unit: Fraction) -> Fraction | None:
    """An ``Q:`` field's tempo in quarter notes a minute (None for a text alone)."""
    text = re.sub(r'"[^"]*"', " ", value).strip()
    if not text:
        return None
    match = re.fullmatch(r"((?:\s*\d+\s*/\s*\d+)+|[A-Ga-g])?\s*=?\s*(-?\s*\d+(?:\.\d*)?)", text)
    if match is None:
        if re.search(r"\d", text):
            raise TuneBound(
                f"a tempo 'Q:{clip(value.strip(), 30)}' on line {line} is not n/d=beats"
            )
        return None
    beats, number = match.groups()
    shown = f"'Q:{clip(value.strip(), 30)}'"
    beat = Fraction(0)
    if beats is None or beats.isalpha():
        beat = unit * 4  # the old form, a number of unit lengths a minute
    else:
        for top, bottom in re.findall(r"(\d+)\s*/\s*(\d+)", beats):
            denominator = _number(bottom, f"a tempo {shown}", line)
            if not denominator:
                raise TuneBound(f"a tempo {shown} on line {line} divides by 0")
            beat += Fraction(_number(top, f"a tempo {shown}", line), denominator) * 4
    whole = number.replace(" ", "").lstrip("-").split(".")[0]
    _number(whole, f"a tempo {shown}", line)
    qpm = Fraction(number.replace(" ", "")) * beat
    if not MIN_QPM <= qpm <= MAX_QPM:
        raise TuneBound(
            f"a tempo {shown} on line {line}: expected {MIN_QPM} to {MAX_QPM} quarter notes a "
            "minute"
        )
    return qpm


def bound(text: str) -> None:
    """Check an ABC tune's text (its header and one tune) against every bound of the
    module docstring, in time linear in its length.

    >>> bound("X:1\\nM:4/4\\nL:1/8\\nK:C\\nCDEF GABc|c8|\\n")
    >>> try:
    ...     bound("X:1\\nL:1/4\\nK:C\\nC99999999|\\n")
    ... except TuneBound as err:
    ...     print(err)
    a note length 'C99999999' on line 4 has a number of more than 4 digits (99999999)

    Raises:
        TuneBound: the reason, naming the line.
    """
    if len(text) > MAX_TUNE_CHARS:
        raise TuneBound(f"its first tune is longer than {MAX_TUNE_CHARS:,} characters")
    tune = _Tune()
    voice = _voice(tune, "")
    in_body = False
    for number, raw in enumerate(text.splitlines(), start=1):
        tune.line = number
        field_line = _FIELD_LINE.match(raw)
        if field_line and not raw.startswith(("|", "[")):
            key, value = field_line.groups()
            voice = _field(tune, voice, key, value, in_body, number)
            in_body = in_body or key == "K"
            continue
        if not in_body or raw.startswith("%"):
            continue
        voice = _body_line(tune, voice, raw, number)
    for found in tune.voices.values():
        _close_bar(found, number if text else 0, last=True)
        if found.overfull and found.plain_bar_lines >= 2:  # else one stretch in its meter
            raise TuneBound(found.overfull)


def _voice(tune: _Tune, name: str) -> _Voice:
    if name not in tune.voices:
        tune.voices[name] = _Voice(
            unit=tune.unit * 4,
            bar=tune.bar,
            qpm=tune.qpm,
            metered=tune.metered,
            compound=tune.compound,
        )
    return tune.voices[name]


def _field(tune: _Tune, voice: _Voice, key: str, value: str, in_body: bool, line: int) -> _Voice:
    """Apply a header or body field (``L:``, ``M:``, ``Q:``, ``V:``); the voice it leaves."""
    if key == "L":
        unit = _unit(value, line)
        tune.unit_set = True
        if in_body:
            voice.unit = unit * 4
        else:
            tune.unit = unit
            for v in tune.voices.values():
                v.unit = unit * 4
    elif key == "M":
        bar = _meter_bar(value, line)
        compound = _compound(value)
        if not in_body:
            tune.metered, tune.compound = bar is not None, compound
            for v in tune.voices.values():
                v.metered, v.compound = bar is not None, compound
        voice.metered, voice.compound = bar is not None, compound
        if bar is not None:
            if not in_body:
                tune.bar = bar
                if not tune.unit_set:  # ABC's default unit: 1/16 below a meter of 3/4
                    tune.unit = Fraction(1, 16) if bar < 3 else Fraction(1, 8)
                for v in tune.voices.values():
                    v.bar = bar
                    v.unit = tune.unit * 4
            voice.bar = bar
    elif key == "Q":
        qpm = _tempo(value, line, voice.unit / 4)
        if qpm is not None:
            if not in_body:
                tune.qpm = qpm
            voice.qpm = qpm
    elif key == "V" and in_body:
        name = value.strip().split(" ")[0] if value.strip() else ""
        return _voice(tune, name)
    return voice


def _body_line(tune: _Tune, voice: _Voice, raw: str, line: int) -> _Voice:
    """Walk one line of music."""
    grace = False
    chord: list[Fraction] | None = None
    for match in _TOKEN.finditer(raw):
        kind = match.lastgroup
        if match.group("note") is not None:
            kind = "note"
        elif match.group("bar") is not None:
            kind = "bar"
        elif match.group("chord_end") is not None:
            kind = "chord_end"
        elif match.group("rests") is not None:
            kind = "rests"
        if kind == "field":
            inner = match.group("field")[1:].rstrip("]")
            voice = _field(tune, voice, inner[0], inner[2:], True, line)
        elif kind == "bar":
            voice.plain_bar_lines += match.group("bar") == "|"
            _close_bar(voice, line)
        elif kind == "grace":
            grace = match.group("grace") == "{"
        elif kind == "chord":
            chord = []
        elif kind == "chord_end" and chord is not None:
            factor = _length(match.group("chord_len"), line, match.group())
            length = max(chord, default=Fraction(0)) * factor
            _advance(tune, voice, length * _in_tuplet(voice), line)
            chord = None
        elif kind == "note":
            tune.notes += 1
            if tune.notes > MAX_ABC_NOTES:
                raise TuneBound(f"it has more than {MAX_ABC_NOTES:,} notes")
            length = voice.unit * _length(match.group("len"), line, match.group())
            if grace:
                continue
            if chord is not None:
                chord.append(length)
            else:
                _advance(tune, voice, length * _in_tuplet(voice), line)
        elif kind == "tuplet":
            _tuplet(voice, match.group("tuplet"), line)
        elif kind == "rests":
            count = (
                _number(match.group("count"), "a rest of bars", line) if match.group("count") else 1
            )
            for _ in range(min(count, MAX_ABC_BARS + 1)):
                _advance(tune, voice, voice.bar, line)
                _close_bar(voice, line)
    return voice


TUPLET_TIME = {2: 3, 3: 2, 4: 3, 6: 2, 8: 3}
"""ABC's ``(p``: p notes in the time of this many (5, 7 and 9: of 3 in a compound meter,
else of 2)."""


def _tuplet(voice: _Voice, written: str, line: int) -> None:
    """Begin the tuplet ``written`` (``(p``, ``(p:q``, ``(p:q:r``): the next r notes of the
    voice (p if not given) each last q/p of their written length."""
    what = f"a tuplet {clip(written, 20)!r}"
    numbers = written[1:].split(":")
    count = _number(numbers[0], what, line)
    if not 2 <= count <= 9:
        raise TuneBound(f"{what} on line {line}: expected (2 to (9 notes")
    time = TUPLET_TIME.get(count, 3 if voice.compound else 2)
    if len(numbers) > 1 and numbers[1]:
        time = _number(numbers[1], what, line)
    notes = count
    if len(numbers) > 2 and numbers[2]:
        notes = _number(numbers[2], what, line)
    if not time or not notes:
        raise TuneBound(f"{what} on line {line} has a 0")
    voice.tuplet_notes, voice.tuplet_ratio = notes, Fraction(time, count)


def _compound(meter: str) -> bool:
    """Whether an ``M:`` field is a compound meter (beats of three eighths or sixteenths).

    >>> [_compound(m) for m in ("6/8", "9/8", "12/16", "3/4", "3/8", "6/4", "C", "none")]
    [True, True, True, False, False, False, False, False]
    """
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", meter)
    if match is None:
        return False
    beats, beat = int(match.group(1)), int(match.group(2))
    return beats > 3 and beats % 3 == 0 and beat >= 8


def _in_tuplet(voice: _Voice) -> Fraction:
    """What the next note's written length is multiplied by: the tuplet's ratio while one
    lasts, else 1."""
    if not voice.tuplet_notes:
        return Fraction(1)
    voice.tuplet_notes -= 1
    return voice.tuplet_ratio


def _music21_rest_meter(quarters: Fraction) -> tuple[int, int]:
    """The meter music21 gives the rest of a bar longer than its meter, ``quarters`` long
    (its ``bestTimeSignature``): the length over a quarter note's denominator, as written
    for a length that is a sum of notes over 1, 2, 4 ...; as it stands for one a tuplet
    leaves over 3 (no meter).

    >>> _music21_rest_meter(Fraction(10)), _music21_rest_meter(Fraction(3, 2))
    ((10, 4), (3, 8))
    >>> _music21_rest_meter(Fraction(871, 24))
    (871, 24)
    """
    if quarters.denominator & (quarters.denominator - 1):
        return quarters.numerator, quarters.denominator
    return quarters.numerator, 4 * quarters.denominator


def _advance(tune: _Tune, voice: _Voice, quarters: Fraction, line: int) -> None:
    voice.position += quarters
    voice.seconds += quarters * 60 / voice.qpm
    if quarters > MAX_BAR_QUARTERS:
        raise TuneBound(
            f"a note on line {line} lasts more than {MAX_BAR_QUARTERS} quarter notes (the bar "
            "of 64/1)"
        )
    if voice.seconds > MAX_SECONDS:
        raise TuneBound(f"it lasts more than {MAX_SECONDS // 3600} hours at its tempos")


def _close_bar(voice: _Voice, line: int, last: bool = False) -> None:
    over = voice.position - voice.bar_start - voice.bar
    if voice.metered and over > 0 and voice.overfull is None:
        beats, beat = _music21_rest_meter(over)
        if beats > MAX_NUMERATOR or beat not in DENOMINATORS:
            voice.overfull = (
                f"a bar ending on line {line} is {quarter_notes(over)} longer than its meter, "
                f"and no meter holds the rest (music21 would make it {beats}/{beat}; a meter "
                f"has 1 to {MAX_NUMERATOR} beats of {', '.join(str(d) for d in DENOMINATORS)})"
            )
    if voice.position > voice.bar_start or not last:
        if voice.position > voice.bar_start:
            voice.bars += 1
        voice.bar_start = voice.position
    if voice.bars > min(MAX_ABC_BARS, MAX_BARS):
        raise TuneBound(
            f"it has more than {MAX_ABC_BARS:,} bars (line {line}); music21 reads a longer "
            "tune too slowly"
        )
