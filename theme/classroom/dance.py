"""The dance test: a four-count step against bars of five (or seven...).

A step pattern of ``steps`` counts (step-touch: 4) runs on every pulse; its count one lands
somewhere else in each bar of an odd meter. In 5/4 it lands on beats 1, 5, 4, 3, 2 and on
beat 1 again after 20 beats: why the dancers on American Bandstand were thrown off.

>>> [f"bar {bar} beat {beat}" for bar, beat in landings("5/4", cycles=6)]
['bar 1 beat 1', 'bar 1 beat 5', 'bar 2 beat 4', 'bar 3 beat 3', 'bar 4 beat 2', 'bar 5 beat 1']
>>> realign_beats("5/4"), realign_beats("7/8")
(20, 28)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction

from theme.errors import UsageError
from theme.meter import AccentLevel, Meter
from theme.tempo import Tempo
from theme.timeline import Event, Layer, Marker, Timeline

__all__ = ["FOOT", "dance_timeline", "landings", "live_step_line", "realign_beats", "step_line"]

FOOT = Layer("feet", "foot", drum=True, pan=0.0, gain=1.2)


def _check_steps(steps: int) -> None:
    if steps < 1:
        raise UsageError(f"invalid steps {steps!r}: expected 1 or more counts")


def realign_beats(meter: str | Meter, steps: int = 4) -> int:
    """Pulses until count one of the step falls on a downbeat again."""
    return math.lcm(Meter.parse(meter).numerator, steps)


def landings(
    meter: str | Meter, *, steps: int = 4, cycles: int | None = None
) -> list[tuple[int, int]]:
    """``(bar, beat)``, both from 1, where each count one of the step lands, until it is
    back on a downbeat (or for ``cycles`` step patterns).

    Raises:
        UsageError: ``steps`` below 1.
    """
    _check_steps(steps)
    m = Meter.parse(meter)
    count = cycles if cycles is not None else realign_beats(m, steps) // steps + 1
    return [(i * steps // m.numerator + 1, i * steps % m.numerator + 1) for i in range(count)]


def step_line(meter: str | Meter, quarter: Fraction | float, *, steps: int = 4) -> str:
    """What the live dance display shows ``quarter`` quarter notes from the start: the bar,
    the music's pulses with the one now lit, and the count of the step, with count one
    marked and where it lands.

    >>> step_line("5/4", 0)
    'bar   1  ● · · | △ ·   step 1  <- step one on beat 1'
    >>> step_line("5/4", Fraction(9, 2))  # beat 5 of bar 1: the fifth pulse, count one again
    'bar   1  ▲ · · | △ ●   step 1  <- step one on beat 5'
    >>> step_line("5/4", 6)
    'bar   2  ▲ ● · | △ ·   step 3'
    """
    from theme.display import meter_row

    m = Meter.parse(meter)
    pulse = math.floor(Fraction(quarter) / m.pulse_quarters)
    bar, beat = divmod(pulse, m.numerator)
    count = pulse % steps + 1
    line = f"bar {bar + 1:>3}  {meter_row(m, beat)}   step {count}"
    return line + (f"  <- step one on beat {beat + 1}" if count == 1 else "")


def live_step_line(
    timeline: Timeline, meter: str | Meter, *, steps: int = 4
) -> Callable[[float], str]:
    """The live display of a dance timeline: from the seconds heard to its :func:`step_line`
    (past the end, while the last sound rings, the last pulse: ``Timeline.quarter_heard``)."""
    m = Meter.parse(meter)

    def line_at(seconds: float) -> str:
        return step_line(m, timeline.quarter_heard(seconds), steps=steps)

    return line_at


def dance_timeline(
    meter: str | Meter = "5/4",
    *,
    steps: int = 4,
    bpm: str | int | Fraction | Tempo = 132,
    bars: int | None = None,
    music: Timeline | None = None,
) -> Timeline:
    """The step's foot sounds (count one louder) under the music, or under a click of the
    meter when no music is given; enough bars for the step to come back to beat 1.

    Raises:
        UsageError: a bad meter, tempo, step count or bar count.
    """
    from theme.metronome import Metronome

    m = Meter.parse(meter)
    _check_steps(steps)
    if bars is None:
        bars = realign_beats(m, steps) // m.numerator + 1  # and one bar with step one on 1 again
    if not 1 <= bars <= 1000:
        raise UsageError(f"invalid bars {bars!r}: expected 1 to 1000")
    if music is None:
        music = Metronome(m, bpm=bpm, bars=bars).timeline()
    pulses = bars * m.numerator
    feet = [
        Event(
            onset=i * m.pulse_quarters,
            duration=m.pulse_quarters,
            layer=FOOT.name,
            pitch=36,
            velocity=120 if i % steps == 0 else 70,
            accent=AccentLevel.DOWNBEAT if i % steps == 0 else AccentLevel.BEAT,
        )
        for i in range(pulses)
    ]
    markers = [
        Marker(
            i * m.pulse_quarters, f"step one: bar {i // m.numerator + 1} beat {i % m.numerator + 1}"
        )
        for i in range(0, pulses, steps)
    ]
    return music.head(bars).with_events(feet, layers=[FOOT], markers=markers)
