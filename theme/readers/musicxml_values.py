"""The values of a MusicXML document, read exactly: numbers, tempos, time signatures,
pitches, programs (for :mod:`theme.readers.musicxml`). Each refuses a value that is not one
with :class:`Bad`, the reason naming where it stands (``in measure 3, beat 2``)."""

from __future__ import annotations

import re
from fractions import Fraction
from typing import TYPE_CHECKING

from theme.core.meter import Meter
from theme.core.tempo import MAX_QPM, MIN_QPM
from theme.errors import MeterError
from theme.safe_text import clip

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

__all__ = [
    "NUMBER",
    "STEPS",
    "UNITS",
    "Bad",
    "beat_text",
    "decimal",
    "meter_of",
    "pitch_of",
    "program_channel",
    "tempo",
    "tempos_at",
]

STEPS = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
UNITS = {
    "maxima": Fraction(32),
    "long": Fraction(16),
    "breve": Fraction(8),
    "whole": Fraction(4),
    "half": Fraction(2),
    "quarter": Fraction(1),
    "eighth": Fraction(1, 2),
    "16th": Fraction(1, 4),
    "32nd": Fraction(1, 8),
    "64th": Fraction(1, 16),
}
NUMBER = re.compile(r"\s*(\d{1,9}(?:\.\d{1,9})?|\.\d{1,9})\s*")


class Bad(Exception):
    """Something in the document that is not what MusicXML allows: the reason."""


_ANY_NUMBER = re.compile(r"\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*")


def decimal(text: str | None, what: str, where: str) -> Fraction:
    """A non-negative decimal of at most 9+9 digits, exactly. A number out of that range is
    refused saying what is wrong with it (negative, too many digits), anything else as not a
    number.

    >>> decimal(" 2.5 ", "a duration", "in measure 1")
    Fraction(5, 2)
    >>> try:
    ...     decimal("-1", "a duration", "in measure 1")
    ... except Bad as err:
    ...     print(err)
    a duration '-1' in measure 1 is negative: expected 0 or more
    """
    match = NUMBER.fullmatch(text or "")
    if match:
        return Fraction(match.group(1))
    shown = clip(text or "", 20)
    if _ANY_NUMBER.fullmatch(text or ""):
        if (text or "").strip().startswith("-"):
            raise Bad(f"{what} {shown!r} {where} is negative: expected 0 or more")
        raise Bad(
            f"{what} {shown!r} {where} is out of range: expected a decimal of at most 9 "
            "digits before the point and 9 after it"
        )
    raise Bad(f"{what} {shown!r} {where} is not a number")


def tempo(text: str | None, where: str, unit: Fraction = Fraction(1)) -> Fraction:
    """Quarter notes a minute from a tempo's text (``unit`` quarter notes a beat)."""
    found = re.search(r"\d+(?:\.\d+)?(?:[eE][-+]?\d+)?", text or "")
    if not found or len(found.group()) > 20:
        raise Bad(f"a tempo {clip(text or '', 20)!r} {where} is not a number of beats a minute")
    qpm = Fraction(found.group()) * unit
    if text and text.lstrip().startswith("-"):
        qpm = -qpm
    if not MIN_QPM <= qpm <= MAX_QPM:
        raise Bad(
            f"a tempo of {clip(text or '', 20)!r} {where}: expected {MIN_QPM} to {MAX_QPM} "
            "quarter notes a minute"
        )
    return qpm.limit_denominator(1000)


def meter_of(time: Element, where: str) -> Meter | None:
    """The meter of a ``<time>`` (None for one with no beats, as ``senza-misura``)."""
    beats = [b.text or "" for b in time.findall("beats")]
    types = [t.text or "" for t in time.findall("beat-type")]
    if not beats:
        return None
    if len(beats) != len(types) or len(set(types)) != 1:
        shown = "+".join(f"{b}/{t}" for b, t in zip(beats, types))
        raise Bad(f"a time signature {clip(shown, 30)!r} {where} is not supported")
    text = f"{'+'.join(b.strip() for b in beats)}/{types[0].strip()}"
    try:
        return Meter.parse(text)  # '2+3/4' keeps its grouping, '5/4' has the default one
    except MeterError as err:
        raise Bad(f"a time signature {clip(text, 30)!r} {where}: {err}") from err


def program_channel(info: Element | None) -> tuple[int, int]:
    """``(General MIDI program 0-127, channel 0-15)`` of a score-part (0, -1 when unsaid)."""
    program, channel = 0, -1
    if info is not None:
        for text, low, high, what in (
            (info.findtext("midi-instrument/midi-program"), 1, 128, "program"),
            (info.findtext("midi-instrument/midi-channel"), 1, 16, "channel"),
        ):
            match = NUMBER.fullmatch(text or "")
            if match and "." not in match.group(1) and low <= int(match.group(1)) <= high:
                if what == "program":
                    program = int(match.group(1)) - 1
                else:
                    channel = int(match.group(1)) - 1
    return program, channel


def beat_text(offset: Fraction) -> str:
    """A position in a measure, ``offset`` beats from its start, as a beat counted from 1.

    >>> beat_text(Fraction(0)), beat_text(Fraction(3, 2)), beat_text(Fraction(1, 3))
    ('1', '2.5', '1 1/3')
    """
    beat = 1 + offset
    if beat.denominator == 1:
        return str(beat)
    if 10**6 % beat.denominator == 0:
        return f"{float(beat):g}"
    return f"{beat.numerator // beat.denominator} {beat - beat.numerator // beat.denominator}"


def tempos_at(element: Element, at: Fraction, tempos: dict[Fraction, Fraction], where: str) -> None:
    """The tempo a ``<direction>`` or ``<sound>`` sets at ``at`` (the first one there holds)."""
    sound = element if element.tag == "sound" else element.find("sound")
    qpm = None
    if sound is not None and sound.get("tempo") is not None:
        qpm = tempo(sound.get("tempo"), where)
    elif element.tag == "direction":
        mark = element.find("direction-type/metronome")
        if mark is not None and mark.find("per-minute") is not None:
            unit = UNITS.get((mark.findtext("beat-unit") or "").strip())
            if unit is None:
                raise Bad(f"a metronome mark's beat-unit {where} is not a note value")
            dotted, extra = unit, unit
            for _ in mark.findall("beat-unit-dot"):
                extra /= 2
                dotted += extra
            qpm = tempo(mark.findtext("per-minute"), where, dotted)
    if qpm is not None:
        tempos.setdefault(at, qpm)


def pitch_of(element: Element, where: str, unpitched: dict[str, int]) -> int:
    """The MIDI note of a ``<note>``; -1 for an unpitched one of no known instrument."""
    pitch = element.find("pitch")
    if pitch is None:
        instrument = element.find("instrument")
        if instrument is not None:
            return unpitched.get(instrument.get("id") or "", -1)
        return -1
    step = (pitch.findtext("step") or "").strip()
    if step not in STEPS:
        raise Bad(f"a pitch step {clip(step, 10)!r} {where}: expected A to G")
    octave = decimal(pitch.findtext("octave"), "an octave", where)
    alter_text = (pitch.findtext("alter") or "0").strip()
    sign = -1 if alter_text.startswith("-") else 1
    alter = sign * decimal(alter_text.lstrip("-+"), "an alter", where)
    midi = 12 * (int(octave) + 1) + STEPS[step] + round(alter)
    if not 0 <= midi <= 127:
        raise Bad(f"a pitch {step}{int(octave)} {where} is outside MIDI's 0 to 127")
    return midi
