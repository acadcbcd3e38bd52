"""What the variant options do to any timeline (a file's music included): cycled to so many bars or
repeated, its layers' pitches replaced. Positions are exact quarter notes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from fractions import Fraction

from theme.core.tempo import TempoMap, TempoSegment
from theme.core.timeline import MAX_BARS, MAX_EVENTS, Event, MarkerKind, Timeline
from theme.errors import UsageError

__all__ = ["cycled", "cycled_form", "repeated_form", "with_pitches"]


def cycled(timeline: Timeline, *, bars: int | None, repeat: int = 1, name: str) -> Timeline:
    """The music played ``repeat`` times, or cut (or cycled) to ``bars`` bars; each copy
    keeps its tempo changes, moved with it.

    >>> from theme.core.meter import Meter
    >>> tl = Timeline.build(title="t", bars=[(Meter.parse("3/4"), "")] * 2, tempo=90)
    >>> [len(cycled(tl, bars=n, name="t").bars) for n in (1, 2, 5)]
    [1, 2, 5]
    >>> cycled(tl, bars=None, repeat=3, name="t").length
    Fraction(18, 1)

    Raises:
        UsageError: ``bars`` or ``repeat`` below 1, or making more than ``MAX_BARS`` bars or
            ``MAX_EVENTS`` notes.
    """
    count = len(timeline.bars)
    if bars is not None and not 1 <= bars <= MAX_BARS:
        raise UsageError(f"invalid bars {bars}: expected 1 to {MAX_BARS}")
    if bars is None and not 1 <= repeat * count <= MAX_BARS:
        raise UsageError(
            f"invalid repeat {repeat}: expected 1 to {max(1, MAX_BARS // count)} "
            f"({name} has {count} bars; at most {MAX_BARS} in all)"
        )
    copies = repeat if bars is None else -(-bars // count)
    if copies * len(timeline.events) > MAX_EVENTS:
        raise UsageError(
            f"invalid length: {copies} times {name} makes {copies * len(timeline.events):,} "
            f"notes; expected at most {MAX_EVENTS:,} (play fewer bars)"
        )
    if copies > 1:
        length = timeline.length
        segments = [
            TempoSegment(s.start + k * length, s.qpm, s.length, s.end_qpm)
            for k in range(copies)
            for s in timeline.tempo_map.segments
        ]
        timeline = Timeline.build(
            title=timeline.title,
            bars=[(b.meter, b.section, b.length) for b in timeline.bars] * copies,
            tempo=TempoMap(segments),
            layers=timeline.layers.values(),
            events=[
                replace(e, onset=e.onset + k * length)
                for k in range(copies)
                for e in timeline.events
            ],
            markers=[
                m.moved(m.at + k * length)
                for k in range(copies)
                for m in timeline.markers
                if m.kind is not MarkerKind.METER
            ],
        )
    if bars is not None and bars < len(timeline.bars):
        timeline = timeline.head(bars)
    return timeline


def repeated_form(
    timeline: Timeline, repeat: int, *, after_bars: int = 0
) -> tuple[Fraction, Fraction] | None:
    """Where the form played ``repeat`` times (:func:`cycled`) begins and how long one time
    is (quarter notes), the first ``after_bars`` bars (a count-in) left out; None when the
    bars after those are not ``repeat`` copies of the same bars (a strategy that remetered
    the copies differently).

    >>> from theme.core.meter import Meter
    >>> tl = Timeline.build(title="t", bars=[(Meter.parse("5/4"), "")] * 2, tempo=90)
    >>> repeated_form(cycled(tl, bars=None, repeat=3, name="t"), 3)
    (Fraction(0, 1), Fraction(10, 1))
    >>> repeated_form(tl, 3) is None
    True
    """
    bars = timeline.bars[after_bars:]
    if repeat < 1 or not bars or len(bars) % repeat:
        return None
    count = len(bars) // repeat
    start = bars[0].start
    length = bars[count].start - start if repeat > 1 else timeline.length - start
    for index, bar in enumerate(bars):
        first = bars[index % count]
        copy = index // count
        if (bar.meter, bar.length, bar.start) != (
            first.meter,
            first.length,
            first.start + copy * length,
        ):
            return None
    if start + repeat * length != timeline.length:
        return None
    return start, length


def cycled_form(
    timeline: Timeline, form_bars: int, *, after_bars: int = 0
) -> tuple[Fraction, Fraction] | None:
    """Where a form of ``form_bars`` bars cut or cycled to a number of bars (:func:`cycled`
    with ``bars``) begins and how long one time of it is (quarter notes), the first
    ``after_bars`` bars (a count-in) left out; None when the bars after those are not the
    form's bars again and again (the last time may be cut short), or when they do not go
    past the form's first time (no loop).

    >>> from theme.core.meter import Meter
    >>> tl = Timeline.build(title="t", bars=[(Meter.parse("5/4"), "")] * 2, tempo=90)
    >>> cycled_form(cycled(tl, bars=5, name="t"), 2)
    (Fraction(0, 1), Fraction(10, 1))
    >>> cycled_form(cycled(tl, bars=1, name="t"), 2) is None
    True
    """
    bars = timeline.bars[after_bars:]
    if form_bars < 1 or len(bars) <= form_bars:
        return None
    start = bars[0].start
    length = bars[form_bars].start - start
    for index, bar in enumerate(bars):
        first = bars[index % form_bars]
        if (bar.meter, bar.length, bar.start) != (
            first.meter,
            first.length,
            first.start + index // form_bars * length,
        ):
            return None
    return start, length


def with_pitches(
    timeline: Timeline, pitches: Mapping[str, tuple[int, ...]], *, name: str
) -> Timeline:
    """The music with the notes of each named layer given these pitches in turn (MIDI note
    numbers, cycled).

    Raises:
        UsageError: a layer the music does not have (the message lists those it has).
    """
    for layer, notes in pitches.items():
        if layer not in timeline.layers:
            raise UsageError(
                f"invalid pitches for layer {layer!r}: {name} has no such layer; its layers "
                f"are {', '.join(repr(n) for n in timeline.layers)}"
            )
        if not notes:
            raise UsageError(f"invalid pitches for layer {layer!r}: expected at least one note")
    turn = dict.fromkeys(pitches, 0)
    events: list[Event] = []
    for e in timeline.events:
        cycle = pitches.get(e.layer)
        if cycle:
            e = replace(e, pitch=cycle[turn[e.layer] % len(cycle)])
            turn[e.layer] += 1
        events.append(e)
    return replace(timeline, events=tuple(events), events_sorted=False)
