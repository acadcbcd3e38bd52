"""The dance test: a four-count step against bars of five (or seven...).

A step pattern of ``steps`` counts (step-touch: 4) runs on every pulse; its count one lands
somewhere else in each bar of an odd meter. In 5/4 it lands on beats 1, 5, 4, 3, 2 and on
beat 1 again after 20 beats: why the dancers on American Bandstand were thrown off.

>>> [f"bar {bar} beat {beat}" for bar, beat in landings("5/4", cycles=6)]
['bar 1 beat 1', 'bar 1 beat 5', 'bar 2 beat 4', 'bar 3 beat 3', 'bar 4 beat 2', 'bar 5 beat 1']
>>> realign_beats("5/4"), realign_beats("7/8")
(20, 28)

The music is chosen in one place, :func:`dance_music`: the 1966 groove under a 5/4 grouped
3+2, a click of the meter under anything else; ``theme dance`` and the tour's dance step
both take it from there.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction

from theme.core.meter import AccentLevel, Meter
from theme.core.tempo import Tempo, length_words
from theme.core.timeline import Event, Layer, Marker, MarkerKind, Timeline
from theme.errors import UsageError

__all__ = [
    "FOOT",
    "MAX_BARS",
    "MAX_SECONDS",
    "MAX_STEPS",
    "dance_bars",
    "dance_music",
    "dance_timeline",
    "landings",
    "live_step_line",
    "realign_beats",
    "step_line",
]

FOOT = Layer("feet", "foot", drum=True, pan=0.0, gain=1.2)
MAX_STEPS = 16
"""The most counts in a step pattern (a dance step has 2 to 8; 16 leaves room)."""
MAX_BARS = 1000
"""The most bars of a dance."""
MAX_SECONDS = 3600
"""The longest dance, in seconds: a file or a playing of an hour at most."""
TV_GROOVE_METER = Meter.parse("3+2/4")


def _check_steps(steps: int) -> None:
    if not 1 <= steps <= MAX_STEPS:
        raise UsageError(f"invalid steps {steps!r}: expected 1 to {MAX_STEPS} counts")


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


def step_line(
    meter: str | Meter, quarter: Fraction | float, *, steps: int = 4, ascii_only: bool = False
) -> str:
    """What the live dance display shows ``quarter`` quarter notes from the start: the bar,
    the music's pulses with the one now lit, and the count of the step, with count one
    marked and where it lands. ``ascii_only`` draws the pulses in ASCII, as the metronome's
    live display does where its glyphs cannot be written (``theme.metronome.display.to_ascii``).

    >>> step_line("5/4", 0)
    'bar   1  ● · · | △ ·   step 1  <- step one on beat 1'
    >>> step_line("5/4", Fraction(9, 2))  # beat 5 of bar 1: the fifth pulse, count one again
    'bar   1  ▲ · · | △ ●   step 1  <- step one on beat 5'
    >>> step_line("5/4", 6)
    'bar   2  ▲ ● · | △ ·   step 3'
    >>> step_line("5/4", 6, ascii_only=True)
    "bar   2  ^ O . | ' .   step 3"
    """
    from theme.metronome.display import meter_row, to_ascii

    m = Meter.parse(meter)
    pulse = math.floor(Fraction(quarter) / m.pulse_quarters)
    bar, beat = divmod(pulse, m.numerator)
    count = pulse % steps + 1
    row = meter_row(m, beat)
    if ascii_only:
        row = to_ascii(row)
    line = f"bar {bar + 1:>3}  {row}   step {count}"
    return line + (f"  <- step one on beat {beat + 1}" if count == 1 else "")


def live_step_line(
    timeline: Timeline, meter: str | Meter, *, steps: int = 4, ascii_only: bool = False
) -> Callable[[float], str]:
    """The live display of a dance timeline: from the seconds heard to its :func:`step_line`
    (past the end, while the last sound rings, the last pulse: ``Timeline.quarter_heard``)."""
    m = Meter.parse(meter)

    def line_at(seconds: float) -> str:
        return step_line(m, timeline.quarter_heard(seconds), steps=steps, ascii_only=ascii_only)

    return line_at


def dance_bars(
    meter: str | Meter = "5/4",
    *,
    steps: int = 4,
    bpm: str | int | Fraction | Tempo = 132,
    bars: int | None = None,
) -> int:
    """The number of bars a dance lasts: ``bars``, or by default until step one is back on
    beat 1 and one bar more with it there; checked before any work is done.

    >>> dance_bars("5/4"), dance_bars("7/8"), dance_bars("5/4", steps=5)
    (5, 5, 2)

    Raises:
        UsageError: a bad meter, tempo or step count; ``bars`` outside 1 to :data:`MAX_BARS`,
            or a dance longer than :data:`MAX_SECONDS` (the message names the most bars at
            that tempo).
    """
    m = Meter.parse(meter)
    _check_steps(steps)
    tempo = Tempo.parse(bpm)
    if bars is None:
        bars = realign_beats(m, steps) // m.numerator + 1
    if not 1 <= bars <= MAX_BARS:
        raise UsageError(f"invalid bars {bars!r}: expected 1 to {MAX_BARS}")
    bar_seconds = m.bar_quarters * 60 / tempo.qpm
    if bars * bar_seconds > MAX_SECONDS:
        most = max(1, int(MAX_SECONDS // bar_seconds))
        raise UsageError(
            f"invalid bars {bars!r} at {tempo}: {length_words(bars * bar_seconds)}; "
            f"a dance lasts at most {MAX_SECONDS // 60} minutes (at most {most} bars of "
            f"{m} at this tempo)"
        )
    return bars


def dance_music(
    meter: str | Meter = "5/4", *, bpm: str | int | Fraction | Tempo = 132, bars: int = 5
) -> Timeline:
    """The music a dance goes to, ``bars`` bars of it: the 1966 groove (bass and bongos,
    3+3+2+2) under a 5/4 grouped 3+2, a click of the meter under any other meter.

    >>> [len(dance_music(m, bars=7).bars) for m in ("5/4", "3+2/4", "7/8")]
    [7, 7, 7]
    >>> sorted(dance_music("5/4", bars=1).layers) != sorted(dance_music("2+3/4", bars=1).layers)
    True

    Raises:
        UsageError: a bad meter or tempo.
    """
    from theme.metronome import Metronome

    m = Meter.parse(meter)
    if m == TV_GROOVE_METER:
        from theme.variants import load

        groove = load("tv-1966", intro_bars=4, melody_bars=0)
        return groove.timeline(tempo=bpm, bars=bars)
    return Metronome(m, bpm=bpm, bars=bars).timeline()


def dance_timeline(
    meter: str | Meter = "5/4",
    *,
    steps: int = 4,
    bpm: str | int | Fraction | Tempo = 132,
    bars: int | None = None,
    music: Timeline | None = None,
) -> Timeline:
    """The step's foot sounds (count one louder) under the music, every bar of it: by
    default :func:`dance_music`, for :func:`dance_bars` bars (until the step comes back to
    beat 1).

    Raises:
        UsageError: a bad meter, tempo, step count or bar count (:func:`dance_bars`).
        ValueError: ``music`` given with fewer than ``bars`` bars.
    """
    m = Meter.parse(meter)
    bars = dance_bars(m, steps=steps, bpm=bpm, bars=bars)
    if music is None:
        music = dance_music(m, bpm=bpm, bars=bars)
    if len(music.bars) < bars:
        raise ValueError(f"the music has {len(music.bars)} bars: the dance needs {bars}")
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
            i * m.pulse_quarters,
            MarkerKind.TEXT,
            f"step one: bar {i // m.numerator + 1} beat {i % m.numerator + 1}",
        )
        for i in range(0, pulses, steps)
    ]
    return music.head(bars).with_events(feet, layers=[FOOT], markers=markers)
