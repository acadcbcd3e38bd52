"""What a quiz item plays: windows of the gallery's variants, remetered music, metronome
clicks and grouping grooves, made harder level by level.

Everything here is made by the engine from data: a *window* is a run of bars of one meter
cut out of a variant's timeline (:func:`windows`), laid again from 0; :func:`levelled` turns
music into what a level plays (see :data:`LEVELS`). Positions are exact quarter notes.

>>> [str(w.meter) for w in windows() if w.name == "balkan-7"]
['7/8']
>>> period_pulses(grouping_groove(Meter.parse("2+2+3/8"), bars=1, tempo=Tempo.parse("e=280")))
7
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, replace
from fractions import Fraction

from theme.core.meter import AccentLevel, Meter
from theme.core.tempo import MAX_QPM, Tempo
from theme.core.timeline import Event, Layer, Timeline, velocity_for

__all__ = [
    "FLAT_VELOCITY",
    "LEVELS",
    "MAX_WINDOW_SECONDS",
    "Window",
    "flattened",
    "grouping_groove",
    "levelled",
    "make_windows",
    "marks_grouping",
    "period_pulses",
    "quiz_tempo",
    "window_bars",
    "windows",
]

LEVELS = {
    1: "clicks with accents: a metronome of the meter (over the music where there is music)",
    2: "grooves: the music alone, its accents as written",
    3: "no accents: every note at one loudness; the meter is heard only in the pattern",
    4: "faster: level 3 at one and a half times the tempo",
}
"""What each level plays; every level makes the same questions."""

FLAT_VELOCITY = 96
"""The one loudness of every note at levels 3 and 4 (MIDI velocity)."""
TARGET_SECONDS = 8
"""About how long an item plays (seconds): bars are added up to this, 2 to 8 of them."""
MAX_WINDOW_SECONDS = 16
"""The longest an item plays (seconds)."""
FASTER = Fraction(3, 2)
"""Level 4 plays at this many times the tempo (within the tempo range)."""
DRUM = Layer("drum", "conga", drum=True, pan=-0.3)
SHAKER = Layer("shaker", "hihat", drum=True, pan=0.35, gain=0.5)
FIVE_FOUR = Meter.parse("3+2/4")
STEP_LAYER = "feet"
"""The dance test's step: kept as it is by every level (its count one is what is asked)."""


@dataclass(frozen=True)
class Window:
    """``bars`` bars of one meter from bar ``first`` (from 1) of the variant ``name``."""

    name: str
    meter: Meter
    first: int
    bars: int
    music: Timeline
    """The bars laid again from 0, at the variant's tempo there."""
    remix: bool = False
    """A stretch of a remix of the theme (a variant of the theme's group in more than one
    meter) or of the theme remetered to 4/4: what a remix question asks about."""
    strategy: str = ""
    """The strategy the theme was remetered by (empty: the variant as it is)."""

    @property
    def variant(self) -> str:
        """The name of the variant the window is cut from."""
        return self.name

    @property
    def label(self) -> str:
        last = self.first + self.bars - 1
        if self.strategy:
            return f"{self.name} remetered to 4/4 by {self.strategy}, bars {self.first}-{last}"
        return f"{self.name}, bars {self.first}-{last}"


def window_bars(meter: Meter, tempo: Tempo) -> int:
    """How many bars of ``meter`` last about :data:`TARGET_SECONDS` at ``tempo``: 2 to 8.

    >>> window_bars(Meter.parse("5/4"), Tempo.parse(160)), window_bars(Meter.parse("7/8"), Tempo.parse("e=280"))
    (5, 6)
    """
    seconds = meter.bar_quarters * 60 / tempo.qpm
    return max(2, min(8, math.ceil(TARGET_SECONDS / seconds)))


def cut(timeline: Timeline, first: int, count: int, *, title: str = "") -> Timeline:
    """Bars ``first`` to ``first + count - 1`` (from 1) laid again from 0 at the tempo
    where they start; notes cut at the end."""
    bars = timeline.bars[first - 1 : first - 1 + count]
    start, end = bars[0].start, bars[-1].end
    events = [
        replace(e, onset=e.onset - start, duration=min(e.duration, end - e.onset))
        for e in timeline.events_between(start, end)
    ]
    return Timeline.build(
        title=title or timeline.title,
        bars=[(b.meter, b.section, b.length) for b in bars],
        tempo=Tempo(timeline.tempo_map.qpm_at(start)),
        layers=timeline.layers.values(),
        events=events,
    )


def _runs(timeline: Timeline) -> Iterator[tuple[int, int, Meter]]:
    """``(first bar, bars, meter)`` for each run of whole bars of one meter."""
    first = None
    for bar in timeline.bars:
        whole = bar.length is None
        if first is not None and whole and timeline.bars[first - 1].meter == bar.meter:
            continue
        if first is not None:
            yield first, bar.number - first, timeline.bars[first - 1].meter
        first = bar.number if whole else None
    if first is not None:
        yield first, len(timeline.bars) - first + 1, timeline.bars[first - 1].meter


THEME_GROUP = "theme"
"""The gallery's group of the theme and its remixes (:data:`theme.variants.model.GROUPS`)."""


_MADE: dict[tuple[object, ...], list[Window]] = {}


def _gallery_state() -> tuple[object, ...]:
    """The gallery's folder and each file's name, size and time of change: windows made
    from the same state are the same."""
    from theme.variants import loader

    files = sorted(loader.DATA.glob("*.toml"))
    return (str(loader.DATA), *((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in files))


def windows() -> list[Window]:
    """The gallery's windows (:func:`make_windows`), made once for each state of the
    gallery's files."""
    state = _gallery_state()
    if state not in _MADE:
        _MADE.clear()
        _MADE[state] = make_windows()
    return list(_MADE[state])


def make_windows() -> list[Window]:
    """Windows of each run of two bars or more of one meter in each variant of the
    gallery (in the gallery's order), one after another from the run's start, each once
    (a window that sounds as an earlier one of its variant is left out), at the variant's
    own tempo and defaults; and
    each window of the theme (a variant of the theme's group in 5/4 alone) remetered to
    4/4 by each strategy. The windows of a remix (a variant of the theme's group in more than one
    meter) and of the theme remetered are marked ``remix``."""
    from theme.core.remeter import STRATEGIES
    from theme.variants import load, names

    found: list[Window] = []
    themes: list[Window] = []
    for name in names():
        variant = load(name)
        timeline = variant.timeline()
        ours = variant.group == THEME_GROUP
        heard: set[tuple[object, ...]] = set()
        for run_first, count, meter in _runs(timeline):
            tempo = Tempo(timeline.tempo_map.qpm_at(timeline.bars[run_first - 1].start))
            take = min(count, window_bars(meter, tempo))
            if take < 2:
                continue
            for first in range(run_first, run_first + count - take + 1, take):
                music = cut(timeline, first, take)
                same = _content(music)
                if music.duration_seconds > MAX_WINDOW_SECONDS or same in heard:
                    continue
                heard.add(same)
                window = Window(
                    name, meter, first, take, music, remix=ours and len(variant.meters) > 1
                )
                found.append(window)
                if ours and variant.meters == [FIVE_FOUR]:
                    themes.append(window)
    for theme in themes:
        for strategy in STRATEGIES.values():
            if not strategy.matches(theme.meter):
                continue
            done = theme.music.remeter(strategy.name)
            take = min(
                len(done.bars),
                window_bars(done.bars[0].meter, Tempo(theme.music.tempo_map.qpm_at(Fraction(0)))),
            )
            found.append(
                Window(
                    theme.name,
                    done.bars[0].meter,
                    1,
                    take,
                    cut(done, 1, take),
                    remix=True,
                    strategy=strategy.name,
                )
            )
    return found


def _content(music: Timeline) -> tuple[object, ...]:
    """What a window sounds like: its bars, its tempo and its events (two windows with the
    same content are the same music)."""
    return (
        tuple((b.meter, b.length) for b in music.bars),
        music.tempo_map.qpm_at(Fraction(0)),
        tuple((e.onset, e.duration, e.layer, e.pitch, e.velocity, e.accent) for e in music.events),
    )


def quiz_tempo(meter: Meter) -> Tempo:
    """The tempo of a metronome item: 120 pulses a minute in quarter meters, 280 in eighths.

    >>> str(quiz_tempo(Meter.parse("5/4"))), str(quiz_tempo(Meter.parse("7/8")))
    ('q=120', 'e=280')
    """
    if meter.denominator <= 4:
        return Tempo(Fraction(120))
    return Tempo(Fraction(280), meter.pulse_quarters)


def grouping_groove(meter: Meter, *, bars: int, tempo: Tempo) -> Timeline:
    """A groove that shows a grouping: a drum on each group's first pulse (low on the
    downbeat, high on the others), lasting the group, and a shaker on every pulse."""
    pulse = meter.pulse_quarters
    events: list[Event] = []
    for bar in range(bars):
        start = bar * meter.bar_quarters
        levels = meter.accent_levels()
        for i in range(meter.numerator):
            events.append(
                Event(start + i * pulse, pulse, SHAKER.name, 70, velocity_for(AccentLevel.BEAT))
            )
        for size, first in zip(meter.groups, meter.group_starts):
            level = levels[first]
            events.append(
                Event(
                    start + first * pulse,
                    size * pulse,
                    DRUM.name,
                    63 if level == AccentLevel.DOWNBEAT else 64,
                    velocity_for(level),
                    level,
                )
            )
    return Timeline.build(
        title="groove",
        bars=[(meter, "groove")] * bars,
        tempo=tempo,
        layers=[DRUM, SHAKER],
        events=events,
    )


def flattened(timeline: Timeline) -> Timeline:
    """Every note at one loudness and one accent (:data:`FLAT_VELOCITY`); a silent click
    stays silent and the dance test's step keeps its count one."""

    def flat(e: Event) -> Event:
        if e.layer == STEP_LAYER or e.accent == AccentLevel.SILENT:
            return e
        return Event(e.onset, e.duration, e.layer, e.pitch, FLAT_VELOCITY, AccentLevel.BEAT)

    return replace(timeline, events=tuple(flat(e) for e in timeline.events), events_sorted=True)


def levelled(music: Timeline, level: int, *, clicks: bool = True) -> Timeline:
    """``music`` as ``level`` plays it (:data:`LEVELS`): at level 1 with a click of its
    meters over it (``clicks``; music that is a metronome already has its own), at 3 and 4
    flattened, at 4 faster."""
    if level == 1:
        if not clicks:
            return music
        from theme.metronome import click_track

        return click_track(music)
    if level == 2:
        return music
    flat = flattened(music)
    if level == 3:
        return flat
    qpm = min(MAX_QPM, music.tempo_map.qpm_at(Fraction(0)) * FASTER)
    return flat.with_tempo(Tempo(qpm))


def _signature(timeline: Timeline, bar_index: int = 0) -> list[tuple[Fraction, str, int, int, int]]:
    bar = timeline.bars[bar_index]
    return [
        (e.onset - bar.start, e.layer, e.pitch, e.velocity, int(e.accent))
        for e in timeline.bar_events(bar)
        if e.velocity > 0 and e.accent != AccentLevel.SILENT
    ]


def period_pulses(timeline: Timeline) -> int:
    """The fewest pulses after which the first bar's sounds repeat themselves within the bar
    (the bar's pulses when they never do): what a listener can take for the bar."""
    meter = timeline.bars[0].meter
    notes = sorted(_signature(timeline))
    length = meter.bar_quarters
    for pulses in range(1, meter.numerator):
        if meter.numerator % pulses:
            continue
        shift = pulses * meter.pulse_quarters
        moved = sorted(((at + shift) % length, *rest) for at, *rest in notes)
        if moved == notes:
            return pulses
    return meter.numerator


def marks_grouping(timeline: Timeline, groups: tuple[int, ...]) -> set[str]:
    """The layers that have a note on the first pulse of each group of ``groups`` in the
    first bar: a grouping such a layer marks is heard without accents."""
    bar = timeline.bars[0]
    pulse = bar.meter.pulse_quarters
    starts = {sum(groups[:i]) * pulse for i in range(len(groups))}
    onsets: dict[str, set[Fraction]] = {}
    for e in timeline.bar_events(bar):
        if e.velocity > 0 and e.accent != AccentLevel.SILENT:
            onsets.setdefault(e.layer, set()).add(e.onset - bar.start)
    return {layer for layer, found in onsets.items() if starts <= found}
