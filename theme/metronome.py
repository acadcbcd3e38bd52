"""A metronome that clicks in groups, and plays two meters against each other.

:class:`Metronome` makes click events lazily, so it can run for a day or until stopped
without its memory growing. Positions are exact quarter notes from the start of the
count-in; samples come from the tempo map, so live playback, audio files and MIDI agree.

- Accents follow the grouping: bar downbeat, group start, beat, subdivision (and silent in
  gap bars), each with its own click.
- ``vs`` adds a second meter with its own timbre, on the other side of the stereo field.
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
import dataclasses
import heapq
import itertools
import math
from collections.abc import Iterator
from fractions import Fraction
from typing import TYPE_CHECKING

from theme.errors import UsageError
from theme.meter import AccentLevel, Meter
from theme.tempo import Tempo, TempoMap, TempoSegment
from theme.timeline import MAX_BARS, Bar, Event, Layer, Marker, Timeline, velocity_for
from theme.trainer import Accel, Gap, Ramp

if TYPE_CHECKING:
    import numpy as np

    from theme.playback import Player
    from theme.renderers.audio import BlockRenderer
    from theme.sinks import Sink

__all__ = ["ALIGNS", "Metronome", "click_track", "count_in", "lcm_quarters"]

ALIGNS = ("beat", "bar")
MAIN = Layer("click", "click", drum=True, pan=-0.45)
SECOND = Layer("vs", "clicklow", drum=True, pan=0.45)
COUNT = Layer("count-in", "click", drum=True, pan=0.0)
CLICK_PITCHES = {MAIN.name: (76, 77), SECOND.name: (67, 68), COUNT.name: (76, 77)}
"""General MIDI drum notes for the MIDI export, (downbeat and group start, the rest) per
layer: the first meter on the high and low woodblocks, the second on the high and low agogo,
so that the two meters sound apart in a DAW too (the built-in synth picks its click sounds
by layer and accent level, not by these)."""


def lcm_quarters(a: Fraction, b: Fraction) -> Fraction:
    """The least common multiple of two lengths in quarter notes.

    >>> lcm_quarters(Fraction(5), Fraction(4)), lcm_quarters(Fraction(7, 2), Fraction(4))
    (Fraction(20, 1), Fraction(28, 1))
    """
    denominator = math.lcm(a.denominator, b.denominator)
    return Fraction(math.lcm(int(a * denominator), int(b * denominator)), denominator)


class Metronome:
    """Clicks for one meter, or two against each other (see the module docstring).

    ``bpm`` counts quarter notes unless a unit is given (``'e=300'``, ``'q.=100'``);
    ``accent`` regroups the meter (``'2+3'``); ``subdivide`` (1-4) adds softer clicks
    between pulses, and ``swing`` (0.5 straight to 0.75) delays the second of two;
    ``count_in`` bars of the meter come first; ``ramp``, ``accel`` and ``gap`` are practice
    plans (:mod:`theme.trainer`), in bars of the first meter after the count-in; ``bars``
    stops after that many bars (None: never).

    Raises:
        UsageError: any option out of range (the message names it).
    """

    def __init__(
        self,
        meter: str | Meter,
        *,
        vs: str | Meter | None = None,
        bpm: str | int | Fraction | Tempo = 120,
        align: str = "beat",
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
        if accent:
            self.meter = self.meter.with_groups(accent)
        self.vs = Meter.parse(vs) if vs is not None else None
        self.tempo = Tempo.parse(bpm)
        if align not in ALIGNS:
            raise UsageError(f"invalid align {align!r}: expected beat or bar")
        self.align = align
        if not 1 <= subdivide <= 4:
            raise UsageError(f"invalid subdivide {subdivide!r}: expected 1, 2, 3 or 4")
        self.subdivide = subdivide
        if not 0.5 <= swing <= 0.75:
            raise UsageError(f"invalid swing {swing!r}: expected 0.5 (straight) to 0.75")
        self.swing = Fraction(swing).limit_denominator(100)
        if not 0 <= count_in <= 16:
            raise UsageError(f"invalid count-in {count_in!r}: expected 0 to 16 bars")
        self.count_in = count_in
        if ramp is not None and accel is not None:
            raise UsageError("use either a ramp or an accelerando, not both")
        self.ramp = Ramp.parse(ramp) if isinstance(ramp, str) else ramp
        self.accel = Accel.parse(accel) if isinstance(accel, str) else accel
        self.gap = Gap.parse(gap) if isinstance(gap, str) else gap
        if bars is not None and not 1 <= bars <= 1_000_000:
            raise UsageError(f"invalid bars {bars!r}: expected 1 to 1000000")
        self.bars = bars
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

    def _qpm(self, bpm: Fraction) -> Fraction:
        """Quarter notes a minute of ``bpm`` beats of the tempo's unit."""
        return Tempo.parse(f"q={float(Tempo(bpm, self.tempo.unit).qpm)}").qpm

    def _tempo_map(self) -> TempoMap:
        if self.accel is not None:
            first, last = self._qpm(self.accel.start), self._qpm(self.accel.end)
            length = self.accel.bars * self.bar_quarters
            segments = [TempoSegment(Fraction(0), first, self.start)] if self.start else []
            segments += [
                TempoSegment(self.start, first, length, last),
                TempoSegment(self.start + length, last),
            ]
            return TempoMap(segments)
        if self.ramp is not None:
            segments = [TempoSegment(Fraction(0), self._qpm(self.ramp.start))]
            for bar in range(self.ramp.every, self.ramp.last_change_bar + 1, self.ramp.every):
                at = self.start + bar * self.bar_quarters
                segments.append(TempoSegment(at, self._qpm(self.ramp.bpm_at_bar(bar))))
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

    def _bar_clicks(
        self, meter: Meter, layer: Layer, start: Fraction, length: Fraction, number: int
    ) -> Iterator[Event]:
        """The clicks of one bar of ``meter`` squeezed or stretched to ``length`` quarters."""
        levels = meter.accent_levels(self.subdivide)
        pulse = length / meter.numerator
        heard = self.gap is None or layer is COUNT or self.gap.heard(number)
        for i, level in enumerate(levels):
            beat, sub = divmod(i, self.subdivide)
            offset = beat * pulse + sub * pulse / self.subdivide
            if self.subdivide == 2 and sub == 1:
                offset = beat * pulse + pulse * self.swing
            level = level if heard else AccentLevel.SILENT
            yield Event(
                onset=start + offset,
                duration=pulse / self.subdivide,
                layer=layer.name,
                pitch=CLICK_PITCHES[layer.name][int(level > AccentLevel.GROUP)],
                velocity=velocity_for(level),
                accent=level,
            )

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
            yield from self._bar_clicks(meter, layer, bar_start, length, number)

    def events(self, *, from_quarter: Fraction = Fraction(0)) -> Iterator[Event]:
        """Every click, in order, lazily (endless when ``bars`` is None); the count-in first.

        ``from_quarter`` skips the clicks before that position (quarter notes).
        """
        streams: list[Iterator[Event]] = [
            itertools.chain.from_iterable(
                self._bar_clicks(self.meter, COUNT, n * self.bar_quarters, self.bar_quarters, n)
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
        chosen = (
            [MAIN] + ([SECOND] if self.vs is not None else []) + ([COUNT] if self.count_in else [])
        )
        return {layer.name: layer for layer in chosen}

    def timeline(self, *, bars: int | None = None) -> Timeline:
        """``bars`` bars (default: ``self.bars``) as a timeline, with markers naming the
        groupings and each meeting of the downbeats.

        Raises:
            UsageError: no bar count (an endless metronome cannot be laid out), or more than
                ``MAX_BARS`` (its audio streams instead: :meth:`renderer`).
        """
        bars = bars or self.bars
        if bars is None:
            raise UsageError("an endless metronome has no timeline: give a number of bars")
        if bars > MAX_BARS:
            raise UsageError(
                f"invalid bars {bars!r} for a MIDI file or a page: expected 1 to "
                f"{MAX_BARS} (audio files take any length: -o FILE.flac)"
            )
        metronome = self._with_bars(bars)
        laid = [(self.meter, "count-in")] * self.count_in + [(self.meter, "")] * bars
        markers = [Marker(self.start, f"grouping {self.meter.explicit}")]
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
        """One line: the meters, groupings, alignment and tempo."""
        text = f"metronome {self.meter} ({'+'.join(map(str, self.meter.groups))})"
        if self.vs is not None:
            text += f" against {self.vs} ({'+'.join(map(str, self.vs.groups))}), align {self.align}"
        return text + f", {self.tempo}"

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


def click_track(timeline: Timeline, *, subdivide: int = 1) -> Timeline:
    """The timeline with a click layer that follows its bars, meters and groupings."""
    events: list[Event] = []
    for bar in timeline.bars:
        events += Metronome(bar.meter, subdivide=subdivide)._bar_clicks(
            bar.meter, MAIN, bar.start, bar.meter.bar_quarters, 0
        )
    return timeline.with_events(events, layers=[MAIN])


def count_in(timeline: Timeline, bars: int) -> Timeline:
    """The timeline after ``bars`` bars of clicks in its first meter, with that meter's
    grouping and at its opening tempo: a count-in that follows the meter. The count-in bars
    are numbered first and make the section ``count-in``; everything else moves later.

    Raises:
        UsageError: ``bars`` outside 0 to 16.
    """
    if not 0 <= bars <= 16:
        raise UsageError(f"invalid count-in {bars!r}: expected 0 to 16 bars")
    if bars == 0:
        return timeline
    meter = timeline.bars[0].meter
    length = bars * meter.bar_quarters
    counting = Metronome(meter)
    clicks = [
        click
        for n in range(bars)
        for click in counting._bar_clicks(
            meter, COUNT, n * meter.bar_quarters, meter.bar_quarters, n
        )
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
            Marker(Fraction(0), "count-in"),
            # the opening meter's marker goes to the start: the count-in is in that meter
            *(
                m if m.at == 0 and m.text.startswith("meter ") else Marker(m.at + length, m.text)
                for m in timeline.markers
            ),
        ),
    )
