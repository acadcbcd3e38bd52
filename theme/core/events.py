"""The pieces a timeline is made of: events, bars, layers and markers (plain, frozen data).

This module sits below :mod:`theme.core.timeline` and :mod:`theme.core.remeter`: it imports only the
meter, so that both can use these pieces without importing each other. Positions are exact
:class:`~fractions.Fraction` quarter notes from the start.

>>> m = Marker(Fraction(5), MarkerKind.METER, Meter.parse("3+2/4"))
>>> m.midi_text()
'meter 3+2/4'
>>> Marker.from_midi_text(Fraction(5), "meter 3+2/4") == m
True
>>> Marker.from_midi_text(Fraction(0), "meter of the sea").kind
<MarkerKind.TEXT: 'text'>
"""

from __future__ import annotations

import enum
import functools
import math
from dataclasses import dataclass
from fractions import Fraction

from theme.core.meter import AccentLevel, Meter
from theme.errors import MeterError, UsageError
from theme.safe_text import did_you_mean, shown

__all__ = [
    "ACCENTED_VELOCITY",
    "DRUM_CHANNEL",
    "MAX_GAIN",
    "NO_METER",
    "VOICES",
    "Bar",
    "Event",
    "Layer",
    "Marker",
    "MarkerKind",
    "velocity_for",
]

NO_METER = "no time signature: read in 4/4"
"""The text of the marker at 0 a reader adds to a timeline from a file with no time
signature, read in 4/4 (MIDI's rule): ``any(m.value == NO_METER for m in tl.markers)``."""

DRUM_CHANNEL = 9
"""MIDI channel 10, counted from 0 as mido does."""

VOICES = ("bass", "lead", "bongo", "conga", "kick", "snare", "hihat", "click", "clicklow", "foot")
"""The built-in synthesizer's sounds: what a :class:`Layer`'s ``voice`` may name."""

MAX_GAIN = 4.0
"""The loudest a layer may be made (``gain``; 1 is as made, 0 silent)."""

ACCENTED_VELOCITY = 100
"""The MIDI velocity (1-127) from which a note is accented: an ``X`` in box notation, an
accent mark in notation."""


def velocity_for(level: AccentLevel) -> int:
    """The MIDI velocity (1-127) of a click at an accent level.

    >>> velocity_for(AccentLevel.DOWNBEAT), velocity_for(AccentLevel.BEAT)
    (112, 84)
    """
    return {0: 112, 1: 100, 2: 84, 3: 68, 4: 1}[int(level)]


@dataclass(frozen=True)
class Layer:
    """One voice of the music: what plays it and where it sits.

    ``voice`` names the synthesizer's sound (``bass``, ``lead``, ``bongo``, ``kick``,
    ``snare``, ``hihat``, ``click``...); ``program`` is the General MIDI program (0-127) for
    pitched layers; drum layers play on MIDI channel 10 with General MIDI drum notes.
    ``pan`` is the stereo place from -1 (left) to 1 (right). ``meter`` is set for a layer
    that counts in a meter of its own, its bars their own length (a metronome's second meter,
    beat against beat): from the bar of the timeline where its first event sounds, a score
    bars its staff in that meter, not in the timeline's bars; None, the timeline's bars.
    """

    name: str
    voice: str
    program: int = 0
    drum: bool = False
    pan: float = 0.0
    gain: float = 1.0
    channel: int = 0
    meter: Meter | None = None

    def __post_init__(self) -> None:
        for name, kind in (("name", str), ("voice", str), ("program", int), ("channel", int)):
            value = getattr(self, name)
            if not isinstance(value, kind) or isinstance(value, bool):
                raise TypeError(f"a layer's {name} must be {kind.__name__}, not {shown(value)}")
        for name in ("pan", "gain"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                raise TypeError(f"a layer's {name} must be a number, not {shown(value)}")
        if self.voice not in VOICES:
            raise UsageError(
                f"unknown voice {shown(self.voice)}{did_you_mean(self.voice, list(VOICES))}: "
                f"expected one of {', '.join(VOICES)}"
            )
        if self.meter is not None and not isinstance(self.meter, Meter):
            raise TypeError(f"a layer's meter must be a Meter or None, not {shown(self.meter)}")
        if not 0 <= self.program <= 127:
            raise UsageError(f"invalid program {shown(self.program)}: expected 0 to 127")
        if not 0 <= self.channel <= 15:
            raise UsageError(f"invalid MIDI channel {shown(self.channel)}: expected 0 to 15")
        if not -1 <= self.pan <= 1:  # NaN fails too
            raise UsageError(f"invalid pan {self.pan!r}: expected -1 (left) to 1 (right)")
        if not (math.isfinite(self.gain) and 0 <= self.gain <= MAX_GAIN):
            raise UsageError(f"invalid gain {self.gain!r}: expected 0 (silent) to {MAX_GAIN:g}")

    @property
    def midi_channel(self) -> int:
        """0-based MIDI channel: 9 (channel 10) for drums."""
        return DRUM_CHANNEL if self.drum else self.channel


@dataclass(frozen=True, order=True)
class Event:
    """A note: ``onset`` and ``duration`` in quarter notes from the start of the timeline.

    ``pitch`` is a MIDI note number (a General MIDI drum note on drum layers); ``accent`` is
    the metric accent of the onset, or stronger where the music marks it.
    """

    onset: Fraction
    duration: Fraction
    layer: str
    pitch: int
    velocity: int = 90
    accent: AccentLevel = AccentLevel.BEAT


@dataclass(frozen=True)
class Bar:
    """Bar ``number`` (from 1) starts ``start`` quarter notes from the start.

    ``length`` (quarter notes) is set for a bar shorter or longer than its meter's, as a
    file's pickup or a bar cut short; None is the meter's length.

    >>> Bar(1, Fraction(0), Meter.parse("4/4"), length=Fraction(1)).end
    Fraction(1, 1)
    """

    number: int
    start: Fraction
    meter: Meter
    section: str = ""
    length: Fraction | None = None

    @property
    def quarters(self) -> Fraction:
        """The bar's length in quarter notes: ``length``, else its meter's."""
        return self.meter.bar_quarters if self.length is None else self.length

    @property
    def end(self) -> Fraction:
        return self.start + self.quarters

    def accent_at(self, offset: Fraction) -> AccentLevel:
        """The metric accent ``offset`` quarter notes into this bar.

        >>> Bar(1, Fraction(0), Meter.parse("5/4")).accent_at(Fraction(3))
        <AccentLevel.GROUP: 1>
        """
        pulse, rest = divmod(offset, self.meter.pulse_quarters)
        if rest or not 0 <= pulse < self.meter.numerator:
            return AccentLevel.SUBDIVISION
        return _pulse_levels(self.meter)[int(pulse)]


@functools.lru_cache(maxsize=256)
def _pulse_levels(meter: Meter) -> tuple[AccentLevel, ...]:
    """``meter.accent_levels()``, made once per meter."""
    return tuple(meter.accent_levels())


class MarkerKind(enum.Enum):
    """What a marker says: a section's name, a meter with its grouping (a MIDI time signature
    cannot hold the grouping), a meeting of two meters' downbeats, or any other text."""

    SECTION = "section"
    METER = "meter"
    MEETING = "meeting"
    TEXT = "text"


_METER_PREFIX = "meter "
"""How a meter marker starts in a MIDI file: ``meter 3+2/4``."""


@dataclass(frozen=True)
class Marker:
    """A marker at ``at`` quarter notes: a ``kind`` and its ``value`` (the :class:`Meter`
    itself for a meter marker, a text for the others).

    Raises:
        TypeError: a meter marker without a Meter, or another marker without a text.
    """

    at: Fraction
    kind: MarkerKind
    value: Meter | str

    def __post_init__(self) -> None:
        if not isinstance(self.kind, MarkerKind):
            raise TypeError(f"a marker's kind must be a MarkerKind, not {shown(self.kind)}")
        wanted = Meter if self.kind is MarkerKind.METER else str
        if not isinstance(self.value, wanted):
            raise TypeError(
                f"a {self.kind.value} marker holds a {wanted.__name__}, not {shown(self.value)}"
            )

    @property
    def text(self) -> str:
        """What the marker says, as a MIDI file and a page show it."""
        return self.midi_text()

    def midi_text(self) -> str:
        """The marker's text in a MIDI file: ``meter 3+2/4`` for a meter, else its text
        (:meth:`from_midi_text` reads it back)."""
        if isinstance(self.value, Meter):
            return _METER_PREFIX + self.value.explicit
        return self.value

    @classmethod
    def from_midi_text(cls, at: Fraction, text: str) -> Marker:
        """The marker a MIDI file's marker ``text`` at ``at`` (quarter notes) stands for: a
        meter marker where it reads ``meter N/D`` with a meter that parses, else a text."""
        if text.startswith(_METER_PREFIX) and len(text) < 200:
            try:
                return cls(at, MarkerKind.METER, Meter.parse(text[len(_METER_PREFIX) :]))
            except MeterError:
                pass  # not one of ours: a text
        return cls(at, MarkerKind.TEXT, text)

    def moved(self, at: Fraction) -> Marker:
        """The same marker at ``at`` (quarter notes)."""
        return Marker(at, self.kind, self.value)

    def sort_key(self) -> tuple[Fraction, str]:
        """Markers sort by position, then by text."""
        return (self.at, self.midi_text())
