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

from collections.abc import Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING

from theme.core.meter import Meter
from theme.core.tempo import Tempo, TempoMap
from theme.core.timeline import MAX_BARS, Event, Layer, Timeline
from theme.errors import UsageError
from theme.metronome import bar_layout, click_sound
from theme.metronome.bar_layout import lcm_quarters
from theme.metronome.clicks import CLICK_PITCHES, SECOND, bar_clicks, click_track, count_in
from theme.metronome.options import (
    ALIGNS,
    MAX_COUNT_IN,
    check_align,
    check_int,
    check_subdivide,
    check_swing,
    running_tempo,
)
from theme.metronome.trainer import (
    MAX_PLAN_BARS,
    Accel,
    Gap,
    Ramp,
    as_plan,
    check_plans_fit,
    plan_tempo_map,
)

if TYPE_CHECKING:
    import numpy as np

    from theme.live.engine.playback import Player
    from theme.live.engine.sinks import Sink
    from theme.renderers.audio import BlockRenderer

__all__ = [
    "ALIGNS",
    "CLICK_PITCHES",
    "SECOND",
    "Metronome",
    "bar_clicks",
    "click_track",
    "count_in",
    "lcm_quarters",
]


PAGE_BARS = 8
"""The fewest bars a metronome's page holds when no number is given (it loops)."""


@dataclass(frozen=True, init=False)
class Metronome:
    """Clicks for one meter, or two against each other (see the module docstring).

    ``bpm`` counts quarter notes unless a unit is given (``'e=300'``, ``'q.=100'``; default
    120); ``accent`` regroups the meter (``'2+3'``); ``subdivide`` (1-4) adds softer clicks
    between pulses, and ``swing`` (0.5 straight to 0.75) delays the second of two (so it
    needs ``subdivide=2``); ``align`` (``'beat'``, the default, or ``'bar'``) needs ``vs``;
    ``count_in`` bars (0-16) of the meter come first; ``ramp``, ``accel`` and ``gap`` are
    practice plans (:mod:`theme.metronome.trainer`), in bars of the first meter after the count-in; a
    ramp or an accelerando sets the tempo itself, so ``bpm`` is left out or equal to its
    start (give its unit in it: ``ramp='e=200-280/4'``); ``bars`` (1 to 1,000,000) stops
    after that many bars (None: never). One meter sounds in the centre; against ``vs``, the
    first sits left and the second right.

    A frozen value: change it with :func:`dataclasses.replace` (``replace(m, bars=8)``, checked
    as when built). Its jobs are done by the modules beneath it: :mod:`theme.metronome.options`
    (the checks), :mod:`theme.metronome.trainer` (the tempo plans), :mod:`theme.metronome.bar_layout` (which
    clicks come where), :mod:`theme.metronome.click_sound` (the renderer and the player).

    Raises:
        TypeError: an argument of the wrong type (``subdivide=2.5``).
        UsageError: any option out of range, or one that would do nothing (the message
            names it); MeterError and TempoError (subclasses) for the meter and the tempo.
    """

    meter: Meter
    """The first meter, with its grouping (``accent`` regroups it)."""
    vs: Meter | None
    """The second meter, or None."""
    bpm: Tempo
    """The tempo it starts at, in the unit given (a plan's first tempo with a plan)."""
    align: str | None
    """``'beat'`` or ``'bar'`` with a second meter; None without."""
    subdivide: int
    swing: Fraction
    count_in: int
    ramp: Ramp | None
    accel: Accel | None
    gap: Gap | None
    bars: int | None
    tempo_map: TempoMap = field(init=False, repr=False, compare=False)
    """The tempo all through, from the start of the count-in (made from the plans)."""

    def __init__(
        self,
        meter: str | Meter,
        *,
        vs: str | Meter | None = None,
        bpm: str | int | Fraction | Tempo | None = None,
        align: str | None = None,
        accent: str | None = None,
        subdivide: int = 1,
        swing: float | Fraction = 0.5,
        count_in: int = 0,
        ramp: str | Ramp | None = None,
        accel: str | Accel | None = None,
        gap: str | Gap | None = None,
        bars: int | None = None,
    ):
        first = Meter.parse(meter)
        if accent is not None:
            if not isinstance(accent, str):
                raise TypeError(f"accent must be a str, not {type(accent).__name__}")
            first = first.with_groups(accent)
        second = Meter.parse(vs) if vs is not None else None
        checked_align = check_align(align, two_meters=second is not None)
        checked_subdivide = check_subdivide(subdivide)
        checked_swing = check_swing(swing, checked_subdivide)
        checked_count_in = check_int(count_in, "count-in", 0, MAX_COUNT_IN)
        if ramp is not None and accel is not None:
            raise UsageError("use either a ramp or an accelerando, not both")
        the_ramp: Ramp | None = as_plan(ramp, Ramp, "ramp")  # type: ignore[assignment]
        the_accel: Accel | None = as_plan(accel, Accel, "accel")  # type: ignore[assignment]
        the_gap: Gap | None = as_plan(gap, Gap, "gap")  # type: ignore[assignment]
        tempo = running_tempo(bpm, the_ramp, the_accel)
        if bars is not None:
            bars = check_int(bars, "bars", 1, MAX_PLAN_BARS)
            check_plans_fit(bars, ramp=the_ramp, gap=the_gap)
        values = {
            "meter": first,
            "vs": second,
            "bpm": tempo,
            "align": checked_align,
            "subdivide": checked_subdivide,
            "swing": checked_swing,
            "count_in": checked_count_in,
            "ramp": the_ramp,
            "accel": the_accel,
            "gap": the_gap,
            "bars": bars,
            "tempo_map": plan_tempo_map(
                tempo,
                ramp=the_ramp,
                accel=the_accel,
                start=checked_count_in * first.bar_quarters,
                bar_quarters=first.bar_quarters,
            ),
        }
        for name, value in values.items():  # how a frozen dataclass builds itself
            object.__setattr__(self, name, value)

    # -- time --------------------------------------------------------------------------

    @property
    def tempo(self) -> Tempo:
        """The tempo it starts at, in the unit given (``bpm``)."""
        return self.bpm

    @property
    def bar_quarters(self) -> Fraction:
        """The length of a bar of the first meter, in quarter notes."""
        return self.meter.bar_quarters

    @property
    def start(self) -> Fraction:
        """Where bar 1 begins, after the count-in (quarter notes)."""
        return self.count_in * self.bar_quarters

    @property
    def end_quarter(self) -> Fraction | None:
        """Where the last bar ends (quarter notes); None when endless."""
        return None if self.bars is None else self.start + self.bars * self.bar_quarters

    @property
    def second_bar_quarters(self) -> Fraction | None:
        """The length of a bar of the second meter in quarter notes (stretched with
        ``align='bar'``)."""
        return bar_layout.second_bar_quarters(self.meter, self.vs, self.align)

    @property
    def meeting_every(self) -> Fraction | None:
        """Quarter notes between the meetings of the two downbeats."""
        return bar_layout.meeting_every(self.bar_quarters, self.second_bar_quarters)

    def page_bars(self) -> int:
        """The bars a page (or a file) holds when none are given: at least
        :data:`PAGE_BARS`, all of a ramp's or an accelerando's steps (the ramp's last tempo for
        one more step) and two turns of a gap, rounded up to a whole number of meetings of
        two meters' downbeats; at most ``MAX_BARS``. A page loops, so a few bars are enough.

        >>> Metronome("7/8", vs="4/4").page_bars(), Metronome("5/4", vs="4/4").page_bars()
        (8, 8)
        >>> Metronome("13/16", vs="4/4").page_bars(), Metronome("5/4", ramp="120-180/4").page_bars()
        (16, 64)
        >>> Metronome("5/4", gap="3:1").page_bars(), Metronome("5/4", accel="120-180/12").page_bars()
        (8, 12)
        """
        bars = PAGE_BARS
        if self.ramp is not None:
            bars = max(bars, (self.ramp.steps + 1) * self.ramp.every)
        if self.accel is not None:
            bars = max(bars, self.accel.bars)
        if self.gap is not None:
            bars = max(bars, 2 * (self.gap.heard_bars + self.gap.silent_bars))
        every = self.meeting_every
        if every is not None:
            meet = int(every / self.bar_quarters)
            bars = -(-bars // meet) * meet
        return min(bars, MAX_BARS)

    def meetings(self, count: int) -> list[Fraction]:
        """The first ``count`` positions (quarter notes after the count-in) where both
        downbeats fall together."""
        return bar_layout.meetings(self.meeting_every, count)

    # -- events ------------------------------------------------------------------------

    def events(
        self, *, from_quarter: Fraction = Fraction(0), bars: int | None = None
    ) -> Iterator[Event]:
        """Every click, in order, lazily (endless when ``bars`` is None); the count-in first.

        ``from_quarter`` skips the clicks before that position (quarter notes); ``bars``
        (default: ``self.bars``) is how many bars after the count-in.
        """
        return bar_layout.click_events(
            self.meter,
            vs=self.vs,
            align=self.align,
            count_in=self.count_in,
            subdivide=self.subdivide,
            swing=self.swing,
            gap=self.gap,
            bars=self.bars if bars is None else bars,
            from_quarter=from_quarter,
        )

    @property
    def layers(self) -> dict[str, Layer]:
        """The layers by name: one meter in the centre, or the first left and the second
        right (and the count-in in the centre)."""
        return bar_layout.layers_for(
            two_meters=self.vs is not None, count_in=self.count_in, vs=self.vs, align=self.align
        )

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
        return bar_layout.lay_out(
            self.meter,
            vs=self.vs,
            align=self.align,
            count_in=self.count_in,
            bars=bars,
            title=self.describe(),
            tempo_map=self.tempo_map,
            events=list(self.events(bars=bars)),
        )

    def describe(self) -> str:
        """One line: the meters, groupings, alignment and the tempo that runs, in the unit
        it was given in (``e=280``, ``ramp e=200-280, +4 every 4 bars``).

        >>> Metronome("7/8", ramp="e=200-280/4").describe()
        'metronome 7/8 (2+2+3), ramp e=200-280, +4 every 4 bars'
        """
        text = f"metronome {self.meter.label}"
        if self.vs is not None:
            text += f" against {self.vs.label}, align {self.align}"
        if self.ramp is not None:
            return text + f", ramp {self.ramp}"
        if self.accel is not None:
            return text + f", accelerando {self.accel}"
        return text + f", {self.tempo}"

    def tempo_now(self, quarter: Fraction) -> Tempo:
        """The tempo at ``quarter`` (quarter notes from the start), in the unit given."""
        return Tempo(self.tempo_map.qpm_at(quarter) / self.tempo.unit, self.tempo.unit)

    # -- sound (theme.metronome.click_sound: the renderer and the player every variant uses) ------

    def renderer(
        self,
        *,
        rate: int = 48000,
        from_quarter: Fraction = Fraction(0),
        tempo_map: TempoMap | None = None,
    ) -> BlockRenderer:
        """A block renderer of these clicks from ``from_quarter`` (quarter notes; it plays
        them from 0 seconds) on ``tempo_map`` (default the metronome's own), ``rate`` samples
        a second (see :func:`theme.metronome.click_sound.renderer`)."""
        return click_sound.renderer(self, rate=rate, from_quarter=from_quarter, tempo_map=tempo_map)

    def events_after(self, at: Fraction, *, origin: Fraction) -> Iterator[Event]:
        """The clicks from ``at`` on (quarter notes), moved ``origin`` quarter notes earlier:
        what a player that began at ``origin`` plays from ``at``."""
        return click_sound.events_after(self, at, origin=origin)

    def render(self, *, rate: int = 48000, bars: int | None = None) -> np.ndarray:
        """The clicks as a float32 (frames, 2) array, rendered as a variant's timeline is.

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
        midi_out: str | None = None,
        midi_clock: bool = False,
        audio: bool = True,
        link: bool = False,
        clock_in: str | None = None,
        jack_transport: str | None = None,
    ) -> Player:
        """Start playing through the sound card (or ``sink``) and return the player; it
        plays until stopped when ``bars`` is None. ``midi_out`` names a MIDI port that gets
        the clicks, ``midi_clock`` sends MIDI clock, ``audio=False`` plays no sound (see
        :func:`theme.metronome.click_sound.play`). With ``link`` it joins the Ableton Link
        session on the network and plays in its time (:mod:`theme.live.sync.link`): its tempo
        (this one's if no other program is there), bar 1 on its phase after a short silence,
        start and stop; closing the player leaves the session. With ``clock_in`` (a MIDI
        input port) it plays in the time of the MIDI clock coming in there
        (:mod:`theme.live.sync.midi_clock_in`): the master's tempo and bar 1 on its song position
        0, after a short silence. With ``jack_transport="follow"`` it plays in the time of
        the JACK server's transport (:mod:`theme.live.sync.jack_transport`): its tempo and bar 1
        on its frame 0, after a short silence (the player begins once; it does not stop,
        start or jump with the transport: the live metronome, ``theme metronome``, does).

        Raises:
            UsageError: ``link``, ``clock_in`` or ``jack_transport`` with a ramp or an
                accelerando; more than one of them given; a ``jack_transport`` other than
                "follow".
            DeviceError: ``jack_transport`` and no JACK-Client or no JACK server.
            AudioDeviceError: no PortAudio, no output device, a device error.
            MidiDeviceError: no python-rtmidi, or no such MIDI port.
            LinkError: ``link`` and aalink is not installed (``uv sync --extra sync``).
        """
        from theme.live.sync.link import metronome_link  # aalink itself only with ``link``

        if jack_transport not in (None, "follow"):
            raise UsageError(f"jack_transport={jack_transport!r}: expected 'follow' or None")
        if link + (clock_in is not None) + (jack_transport is not None) > 1:
            raise UsageError(
                "link, clock_in and jack_transport each set the tempo: give one of them"
            )
        follow = metronome_link(self) if link else None
        if clock_in is not None:
            from theme.live.sync.midi_clock_in import metronome_clock_in

            follow = metronome_clock_in(self, clock_in)
        if jack_transport is not None:
            from theme.live.sync.jack_transport import metronome_transport_follow

            follow = metronome_transport_follow(self)
        return click_sound.play(
            self,
            device=device,
            latency=latency,
            rate=rate,
            sink=sink,
            midi_out=midi_out,
            midi_clock=midi_clock,
            audio=audio,
            link=follow,
        )
