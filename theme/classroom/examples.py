"""Demo music for lessons: what a strategy does, shown on a few bars of the 1966 groove.

A strategy (:mod:`theme.core.remeter`) is arithmetic on positions; the music it is shown on is
made here, above the model, from a built-in variant.
"""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

from theme.core.events import Event
from theme.core.remeter import Strategy, get_strategy, remeter
from theme.core.tempo import Tempo
from theme.core.timeline import Timeline
from theme.variants import load

__all__ = ["strategy_example"]

EXAMPLE_QPM = 132
"""The example's tempo unless one is given (quarter notes a minute)."""


def strategy_example(
    strategy: str | Strategy,
    *,
    tempo: str | int | Fraction | Tempo | None = None,
    bars: int = 2,
) -> Timeline:
    """``bars`` bars of music in the strategy's source meter, then the same bars through it,
    each part a section named by its meter or the strategy: what a notebook and the tour show
    and play. The music is the 1966 groove (q=132 unless ``tempo``); for a 4/4 source, its
    bass and bongos on every beat (which the clave turns into the 3+3+2+2 ostinato).

    Raises:
        RemeterError: an unknown strategy name.
    """
    s = get_strategy(strategy)
    groove = load("tv-1966", intro_bars=bars, melody_bars=0).timeline(tempo=tempo or EXAMPLE_QPM)
    if s.source.numerator == 5:
        original = groove
    else:
        first: dict[str, Event] = {}  # each layer's first note
        for e in groove.events:
            first.setdefault(e.layer, e)
        pulses = s.source.numerator
        original = Timeline.build(
            title=groove.title,
            bars=[(s.source, "")] * bars,
            tempo=groove.tempo_map,
            layers=[groove.layers[name] for name in first],
            events=[
                replace(
                    e,
                    onset=beat * s.source.pulse_quarters,
                    duration=s.source.pulse_quarters / 2,
                    accent=s.source.accent_levels()[beat % pulses],
                )
                for beat in range(pulses * bars)
                for e in first.values()
            ],
        )
    original = original.in_section(str(s.source))
    return Timeline.join(
        [original, remeter(original, s).in_section(s.name)],
        title=f"{s.source}, then {s.name}",
    )
