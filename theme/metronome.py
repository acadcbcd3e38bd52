"""A metronome that clicks in groups, and plays two meters against each other.

:class:`Metronome` makes click events lazily, so it can run for a day or until stopped
without its memory growing. Positions are exact quarter notes from the start of the
count-in; samples come from the tempo map, so live playback, audio files and MIDI agree.

- Accents follow the grouping: bar downbeat, group start, beat, subdivision (and silent in
  gap bars), each with its own click.
- One meter clicks in the centre. ``vs`` adds a second meter with its own timbre: the first
  then sits on the left, the second on the right (left ear 5/4, right ear 4/4).
  ``align='beat'``: both share the pulse (a quarter note) and their downbeats meet every
  least common multiple of the bar lengths (5/4 against 4/4: every 20 beats).
  ``align='bar'``: both bars last the same time (five against four).

>>> m = Metronome("5/4", vs="4/4", bpm=160)
>>> [str(q) for q in m.meetings(3)]
['0', '20', '40']
>>> Metronome("5/4", vs="4/4", align="bar").meeting_every
Fraction(5, 1)
"""

from __future__ import annotations

import copy
import heapq
import itertools
import math
from collections.abc import Iterator
from fractions import Fraction
from typing import TYPE_CHECKING

from theme.clicks import (
    CLICK_PITCHES,
    COUNT,
    FIRST_OF_TWO,
    MAIN,
    MAX_COUNT_IN,
    SECOND,
    bar_clicks,
    check_int,
    check_subdivide,
    check_swing,
    click_track,
    count_in,
)
from theme.errors import UsageError
from theme.meter import Meter
from theme.safe_text import clip
from theme.tempo import Tempo, TempoMap, TempoSegment
from theme.timeline import MAX_BARS, Event, Layer, Marker, Timeline
from theme.trainer import MAX_PLAN_BARS, Accel, Gap, Ramp, check_plans_fit

if TYPE_CHECKING:
    import numpy as np

    from theme.playback import Player
    from theme.renderers.audio import BlockRenderer
    from theme.sinks import Sink

__all__ = [
    "ALIGNS",
    "CLICK_PITCHES",
    "Metronome",
    "bar_clicks",
    "click_track",
    "count_in",
    "lcm_quarters",
]

ALIGNS = ("beat", "bar")
DEFAULT_BPM = 120


def lcm_quarters(a: Fraction, b: Fraction) -> Fraction:
    """The least common multiple of two lengths in quarter notes.

    >>> lcm_quarters(Fraction(5), Fraction(4)), lcm_quarters(Fraction(7, 2), Fraction(4))
    (Fraction(20, 1), Fraction(28, 1))
    """
    denominator = math.lcm(a.denominator, b.denominator)
    return Fraction(math.lcm(int(a * denominator), int(b * denominator)), denominator)


def _plan(value: object, kind: type, name: str) -> object:
    if value is None or isinstance(value, kind):
        return value
    if isinstance(value, str):
        return kind.parse(value)  # type: ignore[attr-defined]
    raise TypeError(f"{name} must be a str or a {kind.__name__}, not {type(value).__name__}")


class Metronome:
    """Clicks for one meter, or two against each other (see the module docstring).

    ``bpm`` counts quarter notes unless a unit is given (``'e=300'``, ``'q.=100'``; default
    120); ``accent`` regroups the meter (``'2+3'``); ``subdivide`` (1-4) adds softer clicks
    between pulses, and ``swing`` (0.5 straight to 0.75) delays the second of two (so it
    needs ``subdivide=2``); ``align`` (``'beat'``, the default, or ``'bar'``) needs ``vs``;
    ``count_in`` bars (0-16) of the meter come first; ``ramp``, ``accel`` and ``gap`` are
    practice plans (:mod:`theme.trainer`), in bars of the first meter after the count-in; a
    ramp or an accelerando sets the tempo itself, so ``bpm`` is left out or equal to its
    start (give its unit in it: ``ramp='e=200-280/4'``); ``bars`` (1 to 1,000,000) stops
    after that many bars (None: never). One meter sounds in the centre; against ``vs``, the
    first sits left and the second right.

    Raises:
        TypeError: an argument of the wrong type (``subdivide=2.5``).
        UsageError: any option out of range, or one that would do nothing (the message
            names it); MeterError and TempoError (subclasses) for the meter and the tempo.
    """

    def __init__(
        self,
        meter: str | Meter,
        *,
        vs: str | Meter | None = None,
        bpm: str | int | Fraction | Tempo | None = None,
        align: str | None = None,
        accent: str | None = None,
        subdivide: int = 1,
        swing: float = 0.5,
        count_in: int = 0,
        ramp: str | Ramp | None = None,
        accel: str | Accel | None = None,
        gap: str | Gap | None = None,
        bars: int | None = None,
    ):
        self.meter = Meter.parse(meter)
        if accent is not None:
            if not isinstance(accent, str):
                raise TypeError(f"accent must be a str, not {type(accent).__name__}")
            self.meter = self.meter.with_groups(accent)
        self.vs = Meter.parse(vs) if vs is not None else None
        if align is not None:
            if not isinstance(align, str):
                raise TypeError(f"align must be a str, not {type(align).__name__}")
            if align not in ALIGNS:
                raise UsageError(f"invalid align {clip(align)!r}: expected beat or bar")
            if self.vs is None:
                raise UsageError(
                    f"invalid align {align!r} without a second meter: align says how two "
                    "meters line up, so it needs vs"
                )
        self.align = align or "beat"
        self.subdivide = check_subdivide(subdivide)
        self.swing = check_swing(swing, self.subdivide)
        self.count_in = check_int(count_in, "count-in", 0, MAX_COUNT_IN)
        if ramp is not None and accel is not None:
            raise UsageError("use either a ramp or an accelerando, not both")
        self.ramp: Ramp | None = _plan(ramp, Ramp, "ramp")  # type: ignore[assignment]
        self.accel: Accel | None = _plan(accel, Accel, "accel")  # type: ignore[assignment]
        self.gap: Gap | None = _plan(gap, Gap, "gap")  # type: ignore[assignment]
        plan = self.ramp or self.accel
        if plan is not None:
            self.tempo = Tempo(plan.start, plan.unit)
            if bpm is not None and Tempo.parse(bpm).qpm != self.tempo.qpm:
                shown = clip(bpm) if isinstance(bpm, str) else str(bpm)
                kind = "ramp" if self.ramp else "accelerando"
                raise UsageError(
                    f"invalid bpm {shown!r} with {'a' if self.ramp else 'an'} {kind} that starts "
                    f"at {self.tempo}: the "
                    f"{kind} sets the tempo, so leave bpm out (a unit goes in the {kind}, "
                    "such as e=200-280/4)"
                )
        else:
            self.tempo = Tempo.parse(DEFAULT_BPM if bpm is None else bpm)
        if bars is not None:
            bars = check_int(bars, "bars", 1, MAX_PLAN_BARS)
        self.bars = bars
        if bars is not None:
            check_plans_fit(bars, ramp=self.ramp, gap=self.gap)
        self.tempo_map = self._tempo_map()

    # -- time --------------------------------------------------------------------------

    @property
    def bar_quarters(self) -> Fraction:
        """The length of a bar of the first meter, in quarter notes."""
        return self.meter.bar_quarters

    @property
    def start(self) -> Fraction:
        """Where bar 1 begins, after the count-in (quarter notes)."""
        return self.count_in * self.bar_quarters

    def _tempo_map(self) -> TempoMap:
        if self.accel is not None:
            first = Tempo(self.accel.start, self.accel.unit).qpm
            last = Tempo(self.accel.end, self.accel.unit).qpm
            length = self.accel.bars * self.bar_quarters
            segments = [TempoSegment(Fraction(0), first, self.start)] if self.start else []
            segments += [
                TempoSegment(self.start, first, length, last),
                TempoSegment(self.start + length, last),
            ]
            return TempoMap(segments)
        if self.ramp is not None:
            segments = [TempoSegment(Fraction(0), self.ramp.tempo_at_bar(0).qpm)]
            for bar in range(self.ramp.every, self.ramp.last_change_bar + 1, self.ramp.every):
                at = self.start + bar * self.bar_quarters
                segments.append(TempoSegment(at, self.ramp.tempo_at_bar(bar).qpm))
            return TempoMap(segments)
        return TempoMap.constant(self.tempo)

    @property
    def second_bar_quarters(self) -> Fraction | None:
        """The length of a bar of the second meter in quarter notes (stretched with
        ``align='bar'``)."""
        if self.vs is None:
            return None
        return self.bar_quarters if self.align == "bar" else self.vs.bar_quarters

    @property
    def meeting_every(self) -> Fraction | None:
        """Quarter notes between the meetings of the two downbeats."""
        second = self.second_bar_quarters
        return None if second is None else lcm_quarters(self.bar_quarters, second)

    def meetings(self, count: int) -> list[Fraction]:
        """The first ``count`` positions (quarter notes after the count-in) where both
        downbeats fall together."""
        every = self.meeting_every
        if every is None:
            return []
        return [i * every for i in range(count)]

    # -- events ------------------------------------------------------------------------

    def _stream(self, meter: Meter, layer: Layer, length: Fraction) -> Iterator[Event]:
        bars = (
            itertools.count()
            if self.bars is None
            else range(math.ceil(self.bars * self.bar_quarters / length))
        )
        for number in bars:
            bar_start = self.start + number * length
            if self.bars is not None and bar_start >= self.start + self.bars * self.bar_quarters:
                return
            yield from bar_clicks(
                meter,
                start=bar_start,
                length=length,
                layer=layer,
                subdivide=self.subdivide,
                swing=self.swing,
                heard=self.gap is None or self.gap.heard(number),
            )

    def events(self, *, from_quarter: Fraction = Fraction(0)) -> Iterator[Event]:
        """Every click, in order, lazily (endless when ``bars`` is None); the count-in first.

        ``from_quarter`` skips the clicks before that position (quarter notes).
        """
        streams: list[Iterator[Event]] = [
            itertools.chain.from_iterable(
                bar_clicks(
                    self.meter,
                    start=n * self.bar_quarters,
                    layer=COUNT,
                    subdivide=self.subdivide,
                    swing=self.swing,
                )
                for n in range(self.count_in)
            ),
            self._stream(self.meter, MAIN, self.bar_quarters),
        ]
        if self.vs is not None:
            second = self.second_bar_quarters
            assert second is not None
            streams.append(self._stream(self.vs, SECOND, second))
        merged = heapq.merge(*streams)
        return (e for e in merged if e.onset >= from_quarter)

    @property
    def layers(self) -> dict[str, Layer]:
        """The layers by name: one meter in the centre, or the first left and the second
        right (and the count-in in the centre)."""
        first = [MAIN] if self.vs is None else [FIRST_OF_TWO, SECOND]
        chosen = first + ([COUNT] if self.count_in else [])
        return {layer.name: layer for layer in chosen}

    def timeline(self, *, bars: int | None = None) -> Timeline:
        """``bars`` bars (default: ``self.bars``) as a timeline, with markers naming the
        groupings and each meeting of the downbeats.

        Raises:
            TypeError: ``bars`` is not an int.
            UsageError: no bar count (an endless metronome cannot be laid out), or ``bars``
                outside 1 to ``MAX_BARS`` (its audio streams instead: :meth:`renderer`).
        """
        bars = self.bars if bars is None else bars
        if bars is None:
            raise UsageError("an endless metronome has no timeline: give a number of bars")
        if not isinstance(bars, int) or isinstance(bars, bool):
            raise TypeError(f"bars must be an int, not {type(bars).__name__}")
        if not 1 <= bars <= MAX_BARS:
            raise UsageError(
                f"invalid bars {bars!r} for a MIDI file or a page: expected 1 to "
                f"{MAX_BARS} (audio files take any length: -o FILE.flac)"
            )
        metronome = self._with_bars(bars)
        laid = [(self.meter, "count-in")] * self.count_in + [(self.meter, "")] * bars
        # the grouping is in the 'meter 3+2/4' marker the timeline writes where a meter starts
        markers = []
        if self.vs is not None:
            markers.append(Marker(self.start, f"against {self.vs.explicit} (align {self.align})"))
            every = self.meeting_every
            assert every is not None
            end = bars * self.bar_quarters
            markers += [
                Marker(self.start + q, f"downbeats meet ({n + 1})")
                for n, q in enumerate(self.meetings(int(end // every) + 1))
                if q < end
            ]
        return Timeline.build(
            title=self.describe(),
            bars=laid,
            tempo=self.tempo_map,
            layers=self.layers.values(),
            events=list(metronome.events()),
            markers=markers,
        )

    def _with_bars(self, bars: int) -> Metronome:
        clone = copy.copy(self)
        clone.bars = bars
        return clone

    def describe(self) -> str:
        """One line: the meters, groupings, alignment and the tempo that runs, in the unit
        it was given in (``e=280``, ``ramp e=200-280, +4 every 4 bars``).

        >>> Metronome("7/8", ramp="e=200-280/4").describe()
        'metronome 7/8 (2+2+3), ramp e=200-280, +4 every 4 bars'
        """
        text = f"metronome {self.meter} ({'+'.join(map(str, self.meter.groups))})"
        if self.vs is not None:
            text += f" against {self.vs} ({'+'.join(map(str, self.vs.groups))}), align {self.align}"
        if self.ramp is not None:
            return text + f", ramp {self.ramp}"
        if self.accel is not None:
            return text + f", accelerando {self.accel}"
        return text + f", {self.tempo}"

    def tempo_now(self, quarter: Fraction) -> Tempo:
        """The tempo at ``quarter`` (quarter notes from the start), in the unit given."""
        return Tempo(self.tempo_map.qpm_at(quarter) / self.tempo.unit, self.tempo.unit)

    # -- sound -------------------------------------------------------------------------

    def renderer(self, *, rate: int = 48000) -> BlockRenderer:
        """A block renderer of these clicks (see :class:`theme.renderers.audio.BlockRenderer`)."""
        from theme.renderers.audio import BlockRenderer

        end = None if self.bars is None else self.start + self.bars * self.bar_quarters
        return BlockRenderer(
            self.events(), layers=self.layers, tempo_map=self.tempo_map, rate=rate, end_quarter=end
        )

    def render(self, *, rate: int = 48000, bars: int | None = None) -> np.ndarray:
        """The clicks as a float32 (frames, 2) array.

        Raises:
            UsageError: an endless metronome and no ``bars``.
        """
        from theme.renderers.audio import render

        return render(self.timeline(bars=bars), rate=rate)

    def play(
        self,
        *,
        device: str | int | None = None,
        latency: float | str | None = None,
        rate: int = 48000,
        sink: Sink | None = None,
    ) -> Player:
        """Start playing through the sound card (or ``sink``) and return the player; it
        plays until stopped when ``bars`` is None.

        Raises:
            AudioDeviceError: no PortAudio, no output device, a device error.
        """
        from theme.playback import Player
        from theme.sinks import SoundDeviceSink

        sink = sink or SoundDeviceSink(rate=rate, device=device, latency=latency)
        return Player(self.renderer(rate=sink.rate), sink).start()

    def _repr_html_(self) -> str:
        from theme.classroom.notebook import html_for

        return html_for(self.timeline(bars=min(self.bars or 4, 16)), self.describe())
