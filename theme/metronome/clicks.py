"""Clicks that follow a meter: one bar of them (:func:`bar_clicks`), a click layer under a
timeline (:func:`click_track`) and a count-in before one (:func:`count_in`).

Pure functions from a meter and a position (quarter notes) to events; the metronome
(:mod:`theme.metronome`) lays its bars end to end with the same :func:`bar_clicks`.

>>> [(str(e.onset), int(e.accent)) for e in bar_clicks(Meter.parse("5/4"))]
[('0', 0), ('1', 2), ('2', 2), ('3', 1), ('4', 2)]
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterator
from fractions import Fraction

from theme.core.meter import AccentLevel, Meter
from theme.core.timeline import Bar, Event, Layer, Marker, MarkerKind, Timeline, velocity_for
from theme.errors import UsageError
from theme.metronome.options import MAX_COUNT_IN, STRAIGHT, check_subdivide

__all__ = [
    "CLICK_PITCHES",
    "COUNT",
    "FIRST_OF_TWO",
    "MAIN",
    "SECOND",
    "bar_clicks",
    "click_track",
    "count_in",
]

MAIN = Layer("click", "click", drum=True)
"""The first meter's clicks, in the centre; against a second meter it sits left
(:data:`FIRST_OF_TWO`)."""
FIRST_OF_TWO = dataclasses.replace(MAIN, pan=-1.0)
SECOND = Layer("vs", "clicklow", drum=True, pan=1.0)
"""The second meter's clicks, on the right: left ear the first meter, right ear the second."""
COUNT = Layer("count-in", "click", drum=True, pan=0.0)
CLICK_PITCHES = {MAIN.name: (76, 77), SECOND.name: (67, 68), COUNT.name: (76, 77)}
"""General MIDI drum notes for the MIDI export, (downbeat and group start, the rest) per
layer: the first meter on the high and low woodblocks, the second on the high and low agogo,
so that the two meters sound apart in a DAW too (the built-in synth picks its click sounds
by layer and accent level, not by these)."""


def bar_clicks(
    meter: Meter,
    *,
    start: Fraction = Fraction(0),
    length: Fraction | None = None,
    layer: Layer = MAIN,
    subdivide: int = 1,
    swing: Fraction = STRAIGHT,
    heard: bool = True,
) -> Iterator[Event]:
    """The clicks of one bar of ``meter`` from ``start`` (quarter notes), its pulses spread
    over ``length`` quarter notes (default: the meter's own bar), each accented by the
    grouping. ``subdivide`` clicks a pulse; with 2, ``swing`` (a fraction of the pulse) places
    the second. A bar not ``heard`` keeps its clicks, all silent (counted, not heard).

    >>> [str(e.onset) for e in bar_clicks(Meter.parse("3/4"), start=Fraction(6), subdivide=2,
    ...                                   swing=Fraction(2, 3))]
    ['6', '20/3', '7', '23/3', '8', '26/3']
    """
    length = meter.bar_quarters if length is None else length
    for offset, duration, pitch, velocity, level in _bar_pattern(
        meter, length, layer.name, subdivide, swing, heard
    ):
        yield Event(
            onset=start + offset,
            duration=duration,
            layer=layer.name,
            pitch=pitch,
            velocity=velocity,
            accent=level,
        )


@functools.lru_cache(maxsize=256, typed=True)  # a swing of 0.5 is not Fraction(1, 2)'s
def _bar_pattern(
    meter: Meter, length: Fraction, layer: str, subdivide: int, swing: Fraction, heard: bool
) -> tuple[tuple[Fraction, Fraction, int, int, AccentLevel], ...]:
    """A bar's clicks from its start: (offset and duration in quarter notes, pitch,
    velocity, accent level) each. Made once for a metronome's bars, which repeat it: a day
    of them is 400,000 clicks."""
    levels = meter.accent_levels(subdivide)
    pulse = length / meter.numerator
    pattern = []
    for i, level in enumerate(levels):
        beat, sub = divmod(i, subdivide)
        offset = beat * pulse + sub * pulse / subdivide
        if subdivide == 2 and sub == 1:
            offset = beat * pulse + pulse * swing
        level = level if heard else AccentLevel.SILENT
        pitch = CLICK_PITCHES[layer][int(level > AccentLevel.GROUP)]
        pattern.append((offset, pulse / subdivide, pitch, velocity_for(level), level))
    return tuple(pattern)


def click_track(timeline: Timeline, *, subdivide: int = 1) -> Timeline:
    """The timeline with a click layer (in the centre) that follows its bars, meters and
    groupings; ``subdivide`` clicks a pulse (1 to 4).

    Raises:
        TypeError: ``timeline`` is not a Timeline, ``subdivide`` not an int.
        UsageError: ``subdivide`` not 1, 2, 3 or 4.
    """
    if not isinstance(timeline, Timeline):
        raise TypeError(f"a click track needs a Timeline, not {type(timeline).__name__}")
    subdivide = check_subdivide(subdivide)
    events = [
        click
        for bar in timeline.bars
        for click in bar_clicks(bar.meter, start=bar.start, subdivide=subdivide)
    ]
    return timeline.with_events(events, layers=[MAIN])


def count_in(timeline: Timeline, bars: int) -> Timeline:
    """The timeline after ``bars`` bars of clicks in its first meter, with that meter's
    grouping and at its opening tempo: a count-in that follows the meter. The count-in bars
    are numbered first and make the section ``count-in``; everything else moves later.

    Raises:
        TypeError: ``timeline`` is not a Timeline, ``bars`` not an int.
        UsageError: ``bars`` outside 0 to 16.
    """
    if not isinstance(timeline, Timeline):
        raise TypeError(f"a count-in needs a Timeline, not {type(timeline).__name__}")
    if not isinstance(bars, int) or isinstance(bars, bool):
        raise TypeError(f"count-in must be an int, not {type(bars).__name__}")
    if not 0 <= bars <= MAX_COUNT_IN:
        raise UsageError(f"invalid count-in {bars!r}: expected 0 to {MAX_COUNT_IN} bars")
    if bars == 0:
        return timeline
    meter = timeline.bars[0].meter
    length = bars * meter.bar_quarters
    clicks = [
        click
        for n in range(bars)
        for click in bar_clicks(meter, start=n * meter.bar_quarters, layer=COUNT)
    ]
    return Timeline(
        title=timeline.title,
        bars=(
            *(Bar(n + 1, n * meter.bar_quarters, meter, "count-in") for n in range(bars)),
            *(
                Bar(bar.number + bars, bar.start + length, bar.meter, bar.section)
                for bar in timeline.bars
            ),
        ),
        tempo_map=timeline.tempo_map.delayed(length),
        layers={COUNT.name: COUNT, **timeline.layers},
        events=(
            *clicks,
            *(dataclasses.replace(e, onset=e.onset + length) for e in timeline.events),
        ),
        markers=(
            Marker(Fraction(0), MarkerKind.TEXT, "count-in"),
            # the opening meter's marker goes to the start: the count-in is in that meter
            *(
                m if m.at == 0 and m.kind is MarkerKind.METER else m.moved(m.at + length)
                for m in timeline.markers
            ),
        ),
    )
