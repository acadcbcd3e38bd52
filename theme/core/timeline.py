"""The timeline: exact events every sounding output is made from.

A :class:`Timeline` holds :class:`Event` objects whose ``onset`` and ``duration`` are exact
:class:`~fractions.Fraction` quarter notes from the start, the bars (each with its meter and
section), the layers (instrument, MIDI channel, stereo place), markers and a
:class:`~theme.core.tempo.TempoMap`. MIDI ticks, audio samples and live playback are all computed
from it, each from the absolute position of an event.

>>> from theme.core.meter import Meter
>>> tl = Timeline.build(title="demo", bars=[(Meter.parse("5/4"), "A")] * 2, tempo=120)
>>> tl.length, tl.position(Fraction(7))
(Fraction(10, 1), (2, Fraction(3, 1)))
>>> float(tl.seconds_of(2, 3))
3.5
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import InitVar, dataclass, field, replace
from fractions import Fraction
from functools import cached_property

from theme.core.events import (
    DRUM_CHANNEL,
    MAX_GAIN,
    VOICES,
    Bar,
    Event,
    Layer,
    Marker,
    MarkerKind,
    velocity_for,
)
from theme.core.meter import AccentLevel, Meter
from theme.core.remeter import remeter
from theme.core.tempo import Tempo, TempoMap
from theme.errors import UsageError

__all__ = [
    "DRUM_CHANNEL",
    "MAX_BARS",
    "MAX_EVENTS",
    "MAX_GAIN",
    "VOICES",
    "Bar",
    "Event",
    "Layer",
    "Marker",
    "MarkerKind",
    "Timeline",
    "as_timeline",
    "velocity_for",
]

MAX_BARS = 10_000
"""The most bars laid out as a timeline, every event held in memory (a variant's form, a
metronome's MIDI file or page): about 8 hours at q=100 in 4/4. Audio streams any length."""

MAX_EVENTS = 1_000_000
"""The most notes laid out as a timeline (counted before they are made)."""


@dataclass(frozen=True)
class Timeline:
    """Events, bars, layers, markers and a tempo map: see the module docstring.

    Frozen: every change (:meth:`with_tempo`, :meth:`with_events`, :meth:`with_layers`,
    :meth:`head`, :meth:`in_section`, :meth:`remeter`...) makes a new timeline. Events and
    markers are kept in order; ``events_sorted`` says the events given are in order already
    (a reader's million notes are not sorted again).
    """

    title: str
    bars: tuple[Bar, ...]
    tempo_map: TempoMap
    layers: dict[str, Layer] = field(default_factory=dict)
    events: tuple[Event, ...] = ()
    markers: tuple[Marker, ...] = ()
    events_sorted: InitVar[bool] = False
    _bar_starts: list[Fraction] = field(init=False, repr=False, compare=False)

    def __post_init__(self, events_sorted: bool) -> None:
        events = tuple(self.events) if events_sorted else tuple(sorted(self.events))
        object.__setattr__(self, "events", events)
        object.__setattr__(self, "markers", tuple(sorted(self.markers, key=Marker.sort_key)))
        object.__setattr__(self, "bars", tuple(self.bars))
        object.__setattr__(self, "_bar_starts", [bar.start for bar in self.bars])

    @cached_property
    def _onsets(self) -> list[Fraction]:
        """Each event's onset, in order (made once, on first use)."""
        return [e.onset for e in self.events]

    def events_between(self, start: Fraction, end: Fraction) -> tuple[Event, ...]:
        """The events whose onset is in ``[start, end)`` (quarter notes), in order; found by
        bisection, so a bar's events cost what they are, not the whole timeline."""
        onsets = self._onsets
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
        bars: Iterable[tuple[Meter, str] | tuple[Meter, str, Fraction | None]],
        tempo: str | int | Fraction | Tempo | TempoMap,
        layers: Iterable[Layer] = (),
        events: Iterable[Event] = (),
        markers: Iterable[Marker] = (),
        section_markers: bool = True,
    ) -> Timeline:
        """Lay bars of the given meters end to end and collect the rest. A bar given as
        ``(meter, section, length)`` is ``length`` quarter notes long (a pickup; None is the
        meter's length).

        With ``section_markers``, a marker names each section where it starts and each meter
        with its grouping where it changes (a MIDI time signature cannot hold the grouping).
        """
        laid: list[Bar] = []
        start = Fraction(0)
        extra: list[Marker] = []
        for number, (meter, section, *given) in enumerate(bars, start=1):
            length = given[0] if given else None
            if section_markers and (not laid or laid[-1].section != section) and section:
                extra.append(Marker(start, MarkerKind.SECTION, section))
            if section_markers and (not laid or laid[-1].meter != meter):
                extra.append(Marker(start, MarkerKind.METER, meter))
            if length == meter.bar_quarters:
                length = None  # a bar of its meter's length holds none of its own
            laid.append(Bar(number, start, meter, section, length))
            start += meter.bar_quarters if length is None else length
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
    def starts_with_pickup(self) -> bool:
        """Whether the first bar is a pickup: shorter than its meter, or than the bar after
        it (a pickup, or a bar cut short, is kept as it is by every strategy).

        >>> from theme.core.meter import Meter
        >>> four = Meter.parse("4/4")
        >>> Timeline.build(title="t", bars=[(four, "", Fraction(1)), (four, "")], tempo=90).starts_with_pickup
        True
        >>> Timeline.build(title="t", bars=[(four, "")] * 2, tempo=90).starts_with_pickup
        False
        """
        bars = self.bars
        if bars[0].quarters < bars[0].meter.bar_quarters:
            return True
        return len(bars) > 1 and bars[0].quarters < bars[1].quarters

    @property
    def length(self) -> Fraction:
        """Quarter notes from the start to the end of the last bar."""
        return self.bars[-1].end

    @property
    def duration_seconds(self) -> Fraction:
        """Seconds from the start to the end of the last bar."""
        return self.tempo_map.seconds_at(self.length)

    def meter_changes(self) -> list[tuple[Fraction, Meter]]:
        """``(position in quarter notes, meter)`` where the meter is set or changes, and
        after a bar of another length than its meter's (a pickup): a time signature there
        starts the next bar where it stands."""
        changes: list[tuple[Fraction, Meter]] = []
        previous: Bar | None = None
        for bar in self.bars:
            if previous is None or previous.meter != bar.meter or previous.length is not None:
                changes.append((bar.start, bar.meter))
            previous = bar
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
        """This music in another meter by a named strategy (see :mod:`theme.core.remeter`):
        ``squeeze``, ``drop``, ``stretch``, ``rebar`` (5/4 to 4/4) or ``clave`` (4/4 to 5/4).

        Raises:
            RemeterError: an unknown strategy, or (with ``strict``) a bar in another meter.
        """
        return remeter(self, strategy, strict=strict)

    def layer_events(self, name: str) -> list[Event]:
        """The events of one layer, in order."""
        return [e for e in self.events if e.layer == name]

    def with_events(
        self,
        events: Sequence[Event],
        layers: Iterable[Layer] = (),
        markers: Iterable[Marker] = (),
        *,
        in_order: bool = False,
    ) -> Timeline:
        """A copy with more events, layers and markers (a click under a variant).

        ``in_order``: the events given are in order, and this timeline has none yet (a
        reader's notes, sorted as integers): they are not sorted again.
        """
        return replace(
            self,
            events=(*self.events, *events),
            layers={**self.layers, **{layer.name: layer for layer in layers}},
            markers=(*self.markers, *markers),
            events_sorted=in_order and not self.events,
        )

    def with_layers(self, layers: Iterable[Layer]) -> Timeline:
        """A copy with these layers added (or, by name, put in place of this one's)."""
        return self.with_events((), layers)

    def with_tempo(self, tempo: str | int | Fraction | Tempo | TempoMap) -> Timeline:
        """A copy played at another tempo: a tempo map, or one tempo throughout."""
        tempo_map = tempo if isinstance(tempo, TempoMap) else TempoMap.constant(tempo)
        return replace(self, tempo_map=tempo_map, events_sorted=True)

    def with_title(self, title: str) -> Timeline:
        """A copy with another title."""
        return replace(self, title=title, events_sorted=True)

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
        bars: list[tuple[Meter, str, Fraction | None]] = []
        events: list[Event] = []
        markers: list[Marker] = []
        layers: dict[str, Layer] = {}
        start = Fraction(0)
        for part in timelines:
            bars += [(bar.meter, bar.section, bar.length) for bar in part.bars]
            events += [replace(e, onset=e.onset + start) for e in part.events]
            markers += [
                m.moved(m.at + start)
                for m in part.markers
                if m.kind is not MarkerKind.METER and not part._names_a_section(m)
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
        if marker.kind is MarkerKind.METER:
            return False
        i = bisect.bisect_left(self._bar_starts, marker.at)
        if i == len(self.bars) or self.bars[i].start != marker.at:
            return False
        return self.bars[i].section == marker.text

    def in_section(self, name: str) -> Timeline:
        """A copy with every bar in the section ``name``, and one marker naming it at the
        start in place of the section markers.

        >>> from theme.core.meter import Meter
        >>> tl = Timeline.build(title="t", bars=[(Meter.parse("5/4"), "A")] * 2, tempo=120)
        >>> [b.section for b in tl.in_section("drop").bars], tl.in_section("drop").markers[0].text
        (['drop', 'drop'], 'drop')
        """
        kept = [m for m in self.markers if not self._names_a_section(m)]
        return replace(
            self,
            bars=tuple(replace(bar, section=name) for bar in self.bars),
            markers=(Marker(Fraction(0), MarkerKind.SECTION, name), *kept),
            events_sorted=True,
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
