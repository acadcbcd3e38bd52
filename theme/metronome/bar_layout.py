"""How a metronome lays out its bars: which bars of which meter come where, the layers they
sound on, and where the downbeats of two meters meet. Pure functions of quarter notes.

The count-in comes first, in the first meter; bar 1 begins after it. A second meter's bars
either keep their own length (``align='beat'``: one pulse, the downbeats meet every least
common multiple of the two bar lengths) or are stretched to the first meter's bar
(``align='bar'``: five against four).

>>> five, four = Meter.parse("5/4"), Meter.parse("4/4")
>>> every = meeting_every(five.bar_quarters, second_bar_quarters(five, four, "beat"))
>>> [str(q) for q in meetings(every, 3)]
['0', '20', '40']
>>> str(second_bar_quarters(five, four, "bar"))
'5'
"""

from __future__ import annotations

import dataclasses
import heapq
import itertools
import math
from collections.abc import Iterator
from fractions import Fraction

from theme.core.meter import Meter
from theme.core.tempo import TempoMap
from theme.core.timeline import Event, Layer, Marker, MarkerKind, Timeline
from theme.metronome.clicks import COUNT, FIRST_OF_TWO, MAIN, SECOND, bar_clicks
from theme.metronome.trainer import Gap

__all__ = [
    "click_events",
    "lay_out",
    "layers_for",
    "lcm_quarters",
    "meeting_every",
    "meetings",
    "second_bar_quarters",
]


def lcm_quarters(a: Fraction, b: Fraction) -> Fraction:
    """The least common multiple of two lengths in quarter notes.

    >>> lcm_quarters(Fraction(5), Fraction(4)), lcm_quarters(Fraction(7, 2), Fraction(4))
    (Fraction(20, 1), Fraction(28, 1))
    """
    denominator = math.lcm(a.denominator, b.denominator)
    return Fraction(math.lcm(int(a * denominator), int(b * denominator)), denominator)


def second_bar_quarters(meter: Meter, vs: Meter | None, align: str | None) -> Fraction | None:
    """The length of a bar of the second meter ``vs`` in quarter notes: its own, or with
    ``align='bar'`` that of a bar of ``meter``; None without a second meter."""
    if vs is None:
        return None
    return meter.bar_quarters if align == "bar" else vs.bar_quarters


def meeting_every(bar_quarters: Fraction, second: Fraction | None) -> Fraction | None:
    """Quarter notes between the meetings of two downbeats, bars ``bar_quarters`` and
    ``second`` long (None without a second meter)."""
    return None if second is None else lcm_quarters(bar_quarters, second)


def meetings(every: Fraction | None, count: int) -> list[Fraction]:
    """The first ``count`` meetings, ``every`` quarter notes apart from 0 (none when
    ``every`` is None)."""
    if every is None:
        return []
    return [i * every for i in range(count)]


def layers_for(
    *, two_meters: bool, count_in: int, vs: Meter | None = None, align: str | None = None
) -> dict[str, Layer]:
    """The layers by name: one meter in the centre, or the first left and the second right
    (and the count-in in the centre when there is one). The second meter's layer counts in
    ``vs`` when its bars keep their own length (``align='beat'``): a score gives it a staff
    in its own time signature."""
    second = dataclasses.replace(SECOND, meter=vs) if vs is not None and align != "bar" else SECOND
    first = [FIRST_OF_TWO, second] if two_meters else [MAIN]
    chosen = first + ([COUNT] if count_in else [])
    return {layer.name: layer for layer in chosen}


def _stream(
    meter: Meter,
    layer: Layer,
    *,
    start: Fraction,
    length: Fraction,
    bar_quarters: Fraction,
    bars: int | None,
    subdivide: int,
    swing: Fraction,
    gap: Gap | None,
) -> Iterator[Event]:
    """The clicks of one meter from ``start``, bars ``length`` long, until ``bars`` bars of
    ``bar_quarters`` (endless when None)."""
    numbers = itertools.count() if bars is None else range(math.ceil(bars * bar_quarters / length))
    for number in numbers:
        bar_start = start + number * length
        if bars is not None and bar_start >= start + bars * bar_quarters:
            return
        yield from bar_clicks(
            meter,
            start=bar_start,
            length=length,
            layer=layer,
            subdivide=subdivide,
            swing=swing,
            heard=gap is None or gap.heard(number),
        )


def click_events(
    meter: Meter,
    *,
    vs: Meter | None = None,
    align: str | None = None,
    count_in: int = 0,
    subdivide: int = 1,
    swing: Fraction = Fraction(1, 2),
    gap: Gap | None = None,
    bars: int | None = None,
    from_quarter: Fraction = Fraction(0),
) -> Iterator[Event]:
    """Every click in order, lazily (endless when ``bars`` is None): ``count_in`` bars of
    ``meter``, then ``bars`` bars of it (and of ``vs`` against it), from ``from_quarter``
    (quarter notes) on.

    >>> [str(e.onset) for e in click_events(Meter.parse("3/4"), count_in=1, bars=1)]
    ['0', '1', '2', '3', '4', '5']
    """
    bar_quarters = meter.bar_quarters
    start = count_in * bar_quarters

    def stream(of: Meter, layer: Layer, length: Fraction) -> Iterator[Event]:
        return _stream(
            of,
            layer,
            start=start,
            length=length,
            bar_quarters=bar_quarters,
            bars=bars,
            subdivide=subdivide,
            swing=swing,
            gap=gap,
        )

    streams: list[Iterator[Event]] = [
        itertools.chain.from_iterable(
            bar_clicks(meter, start=n * bar_quarters, layer=COUNT, subdivide=subdivide, swing=swing)
            for n in range(count_in)
        ),
        stream(meter, MAIN, bar_quarters),
    ]
    second = second_bar_quarters(meter, vs, align)
    if vs is not None and second is not None:
        streams.append(stream(vs, SECOND, second))
    merged = heapq.merge(*streams)
    if from_quarter <= 0:  # every click is at 0 or after
        return merged
    return (e for e in merged if e.onset >= from_quarter)


def lay_out(
    meter: Meter,
    *,
    vs: Meter | None,
    align: str | None,
    count_in: int,
    bars: int,
    title: str,
    tempo_map: TempoMap,
    events: list[Event],
) -> Timeline:
    """``count_in`` bars then ``bars`` bars of ``meter`` as a timeline of ``events``, with
    markers naming the second meter and each meeting of the downbeats (the grouping is in
    the ``meter 3+2/4`` marker the timeline writes where a meter starts)."""
    bar_quarters = meter.bar_quarters
    start = count_in * bar_quarters
    laid = [(meter, "count-in")] * count_in + [(meter, "")] * bars
    markers = []
    every = meeting_every(bar_quarters, second_bar_quarters(meter, vs, align))
    if vs is not None and every is not None:
        markers.append(Marker(start, MarkerKind.TEXT, f"against {vs.explicit} (align {align})"))
        end = bars * bar_quarters
        markers += [
            Marker(start + q, MarkerKind.MEETING, f"downbeats meet ({n + 1})")
            for n, q in enumerate(meetings(every, int(end // every) + 1))
            if q < end
        ]
    return Timeline.build(
        title=title,
        bars=laid,
        tempo=tempo_map,
        layers=layers_for(
            two_meters=vs is not None, count_in=count_in, vs=vs, align=align
        ).values(),
        events=events,
        markers=markers,
    )
