"""Bars laid end to end, each keeping its own length: a file's pickup or a bar cut short
(quarter notes)."""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction

from theme.core.events import Event, Layer, Marker
from theme.core.meter import Meter
from theme.core.tempo import TempoMap

TYPE_CHECKING = False
if TYPE_CHECKING:
    from theme.core.timeline import Timeline

__all__ = ["is_pickup", "laid_out"]


def laid_out(
    *,
    title: str,
    bars: list[tuple[Meter, str, Fraction | None]],
    tempo: TempoMap,
    layers: Iterable[Layer],
    events: Iterable[Event],
    markers: Iterable[Marker],
) -> Timeline:
    """A timeline of bars ``(meter, section, length in quarter notes or None for the
    meter's)`` laid end to end, each keeping its length (a pickup, a bar cut short), with
    the section and meter markers :meth:`Timeline.build` makes.

    >>> four = Meter.parse("4/4")
    >>> tl = laid_out(title="t", bars=[(four, "", Fraction(1)), (four, "", None)],
    ...               tempo=TempoMap.constant(90), layers=(), events=(), markers=())
    >>> [(b.start, b.end) for b in tl.bars]
    [(Fraction(0, 1), Fraction(1, 1)), (Fraction(1, 1), Fraction(5, 1))]
    """
    from theme.core.timeline import Timeline

    return Timeline.build(
        title=title, bars=bars, tempo=tempo, layers=layers, events=events, markers=markers
    )


def is_pickup(timeline: Timeline) -> bool:
    """Whether the first bar is a pickup: shorter than its meter, or than the bar after it."""
    bars = timeline.bars
    if bars[0].quarters < bars[0].meter.bar_quarters:
        return True
    return len(bars) > 1 and bars[0].quarters < bars[1].quarters
