"""The timeline: exact events every sounding output is made from.

A :class:`Timeline` holds :class:`Event` objects whose ``onset`` and ``duration`` are exact
:class:`~fractions.Fraction` quarter notes from the start, the bars (each with its meter and
section), the layers (instrument, MIDI channel, stereo place), markers and a
:class:`~theme.tempo.TempoMap`. MIDI ticks, audio samples and live playback are all computed
from it, each from the absolute position of an event.

>>> from theme.meter import Meter
>>> tl = Timeline.build(title="demo", bars=[(Meter.parse("5/4"), "A")] * 2, tempo=120)
>>> tl.length, tl.position(Fraction(7))
(Fraction(10, 1), (2, Fraction(3, 1)))
>>> float(tl.seconds_of(2, 3))
3.5
"""

from __future__ import annotations

import bisect
import functools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction

from theme.errors import UsageError
from theme.meter import AccentLevel, Meter
from theme.safe_text import shown
from theme.tempo import Tempo, TempoMap

__all__ = [
    "MAX_BARS",
    "MAX_EVENTS",
    "VOICES",
    "Bar",
    "Event",
    "Layer",
    "Marker",
    "Timeline",
    "as_timeline",
    "velocity_for",
]

DRUM_CHANNEL = 9
"""MIDI channel 10, counted from 0 as mido does."""

MAX_BARS = 10_000
"""The most bars laid out as a timeline, every event held in memory (a variant's form, a
metronome's MIDI file or page): about 8 hours at q=100 in 4/4. Audio streams any length."""

MAX_EVENTS = 1_000_000
"""The most notes laid out as a timeline (counted before they are made)."""

VOICES = ("bass", "lead", "bongo", "conga", "kick", "snare", "hihat", "click", "clicklow", "foot")
"""The built-in synthesizer's sounds: what a :class:`Layer`'s ``voice`` may name."""

MAX_GAIN = 4.0
"""The loudest a layer may be made (``gain``; 1 is as made, 0 silent)."""


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
    ``pan`` is the stereo place from -1 (left) to 1 (right).
    """

    name: str
    voice: str
    program: int = 0
    drum: bool = False
    pan: float = 0.0
    gain: float = 1.0
    channel: int = 0

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
                f"unknown voice {shown(self.voice)}: expected one of {', '.join(VOICES)}"
            )
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
    """Bar ``number`` (from 1) starts ``start`` quarter notes from the start."""

    number: int
    start: Fraction
    meter: Meter
    section: str = ""

    @property
    def end(self) -> Fraction:
        return self.start + self.meter.bar_quarters

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


@dataclass(frozen=True, order=True)
class Marker:
    """A text at a position (quarter notes): section names, groupings, meeting points."""

    at: Fraction
    text: str


@dataclass
class Timeline:
    """Events, bars, layers, markers and a tempo map: see the module docstring."""

    title: str
    bars: tuple[Bar, ...]
    tempo_map: TempoMap
    layers: dict[str, Layer] = field(default_factory=dict)
    events: tuple[Event, ...] = ()
    markers: tuple[Marker, ...] = ()

    def __post_init__(self) -> None:
        self.events = tuple(sorted(self.events))
        self.markers = tuple(sorted(self.markers))
        self._bar_starts = [bar.start for bar in self.bars]
        self._onsets: tuple[tuple[Event, ...], list[Fraction]] = ((), [])

    def events_between(self, start: Fraction, end: Fraction) -> tuple[Event, ...]:
        """The events whose onset is in ``[start, end)`` (quarter notes), in order; found by
        bisection, so a bar's events cost what they are, not the whole timeline."""
        events, onsets = self._onsets
        if events is not self.events:  # events may be replaced after construction
            onsets = [e.onset for e in self.events]
            self._onsets = (self.events, onsets)
        first = bisect.bisect_left(onsets, start)
        return self.events[first : bisect.bisect_left(onsets, end, lo=first)]

    def bar_events(self, bar: Bar) -> tuple[Event, ...]:
        """The events with their onset in ``bar``."""
        return self.events_between(bar.start, bar.end)

    @classmethod
    def build(
        cls,
        *,
        title: str,
        bars: Iterable[tuple[Meter, str]],
        tempo: str | int | Fraction | Tempo | TempoMap,
        layers: Iterable[Layer] = (),
        events: Iterable[Event] = (),
        markers: Iterable[Marker] = (),
        section_markers: bool = True,
    ) -> Timeline:
        """Lay bars of the given meters end to end and collect the rest.

        With ``section_markers``, a marker names each section where it starts and each meter
        with its grouping where it changes (a MIDI time signature cannot hold the grouping).
        """
        laid: list[Bar] = []
        start = Fraction(0)
        extra: list[Marker] = []
        for number, (meter, section) in enumerate(bars, start=1):
            if section_markers and (not laid or laid[-1].section != section) and section:
                extra.append(Marker(start, section))
            if section_markers and (not laid or laid[-1].meter != meter):
                extra.append(Marker(start, f"meter {meter.explicit}"))
            laid.append(Bar(number, start, meter, section))
            start += meter.bar_quarters
        if not laid:
            raise UsageError("a timeline needs at least one bar")
        tempo_map = tempo if isinstance(tempo, TempoMap) else TempoMap.constant(tempo)
        return cls(
            title=title,
            bars=tuple(laid),
            tempo_map=tempo_map,
            layers={layer.name: layer for layer in layers},
            events=tuple(events),
            markers=(*extra, *markers),
        )

    # -- positions ---------------------------------------------------------------------

    @property
    def length(self) -> Fraction:
        """Quarter notes from the start to the end of the last bar."""
        return self.bars[-1].end

    @property
    def duration_seconds(self) -> Fraction:
        """Seconds from the start to the end of the last bar."""
        return self.tempo_map.seconds_at(self.length)

    def meter_changes(self) -> list[tuple[Fraction, Meter]]:
        """``(position in quarter notes, meter)`` where the meter is set or changes."""
        changes: list[tuple[Fraction, Meter]] = []
        for bar in self.bars:
            if not changes or changes[-1][1] != bar.meter:
                changes.append((bar.start, bar.meter))
        return changes

    def bar_at(self, quarter: Fraction) -> Bar:
        """The bar sounding at ``quarter`` (the last bar for positions past the end)."""
        i = bisect.bisect_right(self._bar_starts, Fraction(quarter)) - 1
        return self.bars[max(0, min(i, len(self.bars) - 1))]

    def position(self, quarter: Fraction) -> tuple[int, Fraction]:
        """``(bar number from 1, beat from 1)`` at ``quarter``; beats are the meter's pulses."""
        bar = self.bar_at(quarter)
        return bar.number, 1 + (Fraction(quarter) - bar.start) / bar.meter.pulse_quarters

    def quarter_of(self, bar: int, beat: Fraction | int = 1) -> Fraction:
        """Quarter notes from the start to ``beat`` (from 1) of ``bar`` (from 1)."""
        if not 1 <= bar <= len(self.bars):
            raise UsageError(f"invalid bar {bar!r}: this timeline has bars 1 to {len(self.bars)}")
        b = self.bars[bar - 1]
        return b.start + (Fraction(beat) - 1) * b.meter.pulse_quarters

    def seconds_of(self, bar: int, beat: Fraction | int = 1) -> Fraction:
        """Seconds from the start to ``beat`` of ``bar`` (both counted from 1)."""
        return self.tempo_map.seconds_at(self.quarter_of(bar, beat))

    def quarter_heard(self, seconds: Fraction | float) -> Fraction:
        """The position ``seconds`` after the start, in quarter notes; past the end (while
        the last notes ring), the start of the last pulse."""
        last = self.bars[-1]
        return min(self.tempo_map.quarter_at(seconds), last.end - last.meter.pulse_quarters)

    def bar_beat_at_seconds(self, seconds: Fraction | float) -> tuple[int, Fraction]:
        """``(bar, beat)`` heard ``seconds`` after the start: the inverse of seconds_of
        (past the end, the last pulse: :meth:`quarter_heard`)."""
        return self.position(self.quarter_heard(seconds))

    def accent_at(self, quarter: Fraction) -> AccentLevel:
        """The metric accent of a position: downbeat, group start, beat or subdivision."""
        bar = self.bar_at(quarter)
        return bar.accent_at(Fraction(quarter) - bar.start)

    # -- combining ---------------------------------------------------------------------

    def remeter(self, strategy: str, *, strict: bool = True) -> Timeline:
        """This music in another meter by a named strategy (see :mod:`theme.remeter`):
        ``squeeze``, ``drop``, ``stretch``, ``rebar`` (5/4 to 4/4) or ``clave`` (4/4 to 5/4).

        Raises:
            RemeterError: an unknown strategy, or (with ``strict``) a bar in another meter.
        """
        from theme.remeter import remeter

        return remeter(self, strategy, strict=strict)

    def layer_events(self, name: str) -> list[Event]:
        """The events of one layer, in order."""
        return [e for e in self.events if e.layer == name]

    def with_events(
        self, events: Sequence[Event], layers: Iterable[Layer] = (), markers: Iterable[Marker] = ()
    ) -> Timeline:
        """A copy with more events, layers and markers (a click under a variant)."""
        return replace(
            self,
            events=(*self.events, *events),
            layers={**self.layers, **{layer.name: layer for layer in layers}},
            markers=(*self.markers, *markers),
        )

    @classmethod
    def join(cls, timelines: Sequence[Timeline], *, title: str) -> Timeline:
        """The timelines one after the other, at the first one's opening tempo; each bar
        keeps its section name, each event and marker moves with its bar (the section and
        meter markers are made again from the bars).

        Raises:
            UsageError: no timeline.
        """
        if not timelines:
            raise UsageError("nothing to join: give at least one timeline")
        bars: list[tuple[Meter, str]] = []
        events: list[Event] = []
        markers: list[Marker] = []
        layers: dict[str, Layer] = {}
        start = Fraction(0)
        for part in timelines:
            bars += [(bar.meter, bar.section) for bar in part.bars]
            events += [replace(e, onset=e.onset + start) for e in part.events]
            markers += [
                Marker(m.at + start, m.text)
                for m in part.markers
                if not m.text.startswith("meter ") and not part._names_a_section(m)
            ]
            layers.update(part.layers)
            start += part.length
        return cls.build(
            title=title,
            bars=bars,
            tempo=timelines[0].tempo_map.segments[0].qpm,
            layers=layers.values(),
            events=events,
            markers=markers,
        )

    def _names_a_section(self, marker: Marker) -> bool:
        """Whether ``marker`` is the name of the section starting where it stands."""
        i = bisect.bisect_left(self._bar_starts, marker.at)
        if i == len(self.bars) or self.bars[i].start != marker.at:
            return False
        return self.bars[i].section == marker.text

    def in_section(self, name: str) -> Timeline:
        """A copy with every bar in the section ``name``, and one marker naming it at the
        start in place of the section markers.

        >>> from theme.meter import Meter
        >>> tl = Timeline.build(title="t", bars=[(Meter.parse("5/4"), "A")] * 2, tempo=120)
        >>> [b.section for b in tl.in_section("drop").bars], tl.in_section("drop").markers[0].text
        (['drop', 'drop'], 'drop')
        """
        kept = [m for m in self.markers if not self._names_a_section(m)]
        return replace(
            self,
            bars=tuple(replace(bar, section=name) for bar in self.bars),
            markers=(Marker(Fraction(0), name), *kept),
        )

    def head(self, bars: int) -> Timeline:
        """The first ``bars`` bars (all of them if there are fewer); notes cut at the end."""
        kept = self.bars[: max(1, bars)]
        end = kept[-1].end
        return replace(
            self,
            bars=kept,
            events=tuple(
                replace(e, duration=min(e.duration, end - e.onset))
                for e in self.events
                if e.onset < end
            ),
            markers=tuple(m for m in self.markers if m.at < end),
        )

    def _repr_html_(self) -> str:
        from theme.classroom.notebook import html_for

        return html_for(self, self.title)

    def __repr__(self) -> str:
        return (
            f"Timeline({self.title!r}, {len(self.bars)} bars, {len(self.events)} events, "
            f"layers={list(self.layers)})"
        )


def as_timeline(music: object, what: str = "music") -> Timeline:
    """``music`` as a Timeline: a Timeline as it is, a Variant (or anything with a
    ``timeline()`` method) laid out with its defaults.

    Raises:
        TypeError: neither a Timeline nor something with a ``timeline()`` method.
    """
    if isinstance(music, Timeline):
        return music
    make = getattr(music, "timeline", None)
    if callable(make):
        laid = make()
        if isinstance(laid, Timeline):
            return laid
    raise TypeError(
        f"{what} must be a Timeline or a Variant (theme.load(...)), not {type(music).__name__}"
    )
