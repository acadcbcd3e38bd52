"""JACK transport: the metronome as JACK's timebase master (``--jack-transport lead``).

JACK's transport is a frame counter that every client of a JACK server shares, rolling or
stopped; its timebase master says what each frame is in bars: bar, beat and tick (all
counted from 1 but the tick, from 0), the ticks before the bar (``bar_start_tick``), the
bar's beats (``beats_per_bar``) and their note value (``beat_type``: 4 a quarter, 8 an
eighth), the ticks a beat, and the tempo in those beats a minute (``beats_per_minute``).
A DAW or a sequencer on the same server then counts our bars: 5/4 as five quarter beats,
7/8 as seven eighth beats, a change of meter at its bar.

:func:`bbt_at` is that arithmetic, pure and exact (quarter notes as fractions, the tick
rounded down once); :class:`JackTransportLead` is a companion of a player
(:mod:`theme.live.companions`) that opens a JACK client, becomes the timebase master,
locates the transport to frame 0 and starts it when the player starts, and stops it when
the player stops. Frame 0 of the transport is the music's start.

The JACK-Client package (``uv sync --extra sync``) is imported only when a client opens:
it reaches libjack through cffi, with no compiler needed, and gives the timebase callback
in Python (JACK calls it in its process cycle, so it does only this arithmetic).
"""

from __future__ import annotations

import bisect
import dataclasses
from collections.abc import Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from theme.errors import DeviceError

if TYPE_CHECKING:
    from theme.core.tempo import TempoMap
    from theme.live.companions import Block, Clock, Transport

__all__ = [
    "NO_JACK_CLIENT",
    "TICKS_PER_BEAT",
    "BarSpan",
    "Bbt",
    "JackTransportLead",
    "bbt_at",
    "metronome_transport",
]

TICKS_PER_BEAT = 1920
"""Ticks a beat, as JACK's own example clients and most sequencers count them."""
NO_JACK_CLIENT = "JACK transport needs the optional package JACK-Client: uv sync --extra sync"


@dataclasses.dataclass(frozen=True)
class BarSpan:
    """One bar: where it starts (quarter notes from the music's start), and its meter's
    ``numerator`` beats of ``denominator`` notes."""

    start: Fraction
    numerator: int
    denominator: int

    @property
    def beat_quarters(self) -> Fraction:
        """A beat's length in quarter notes (1 for x/4, 1/2 for x/8)."""
        return Fraction(4, self.denominator)


@dataclasses.dataclass(frozen=True)
class Bbt:
    """A position as JACK's transport gives it (see the module docstring)."""

    bar: int
    beat: int
    tick: int
    bar_start_tick: float
    beats_per_bar: float
    beat_type: float
    ticks_per_beat: float
    beats_per_minute: float


def bbt_at(quarter: Fraction, bars: Sequence[BarSpan], qpm: Fraction) -> Bbt:
    """The bar, beat and tick at ``quarter`` (quarter notes from the music's start) of
    ``bars`` (in order, the first at 0; past the last, its meter goes on), at a tempo of
    ``qpm`` quarter notes a minute there.

    >>> five = [BarSpan(Fraction(0), 5, 4)]
    >>> b = bbt_at(Fraction(13, 2), five, Fraction(150))   # bar 2, beat 2 and a half
    >>> b.bar, b.beat, b.tick, b.bar_start_tick, b.beats_per_bar, b.beats_per_minute
    (2, 2, 960, 9600.0, 5.0, 150.0)
    >>> mixed = [BarSpan(Fraction(0), 5, 4), BarSpan(Fraction(5), 7, 8)]
    >>> b = bbt_at(Fraction(8), mixed, Fraction(140))   # 3 quarters into the 7/8 bar
    >>> b.bar, b.beat, b.tick, b.beat_type, b.beats_per_minute, b.bar_start_tick
    (2, 7, 0, 8.0, 280.0, 9600.0)
    """
    starts = [span.start for span in bars]
    index = max(0, bisect.bisect_right(starts, quarter) - 1)
    span = bars[index]
    ticks_before = sum(
        (bar.numerator * TICKS_PER_BEAT for bar in bars[:index]), start=0
    )  # the ticks of the bars before
    into = quarter - span.start
    bar_length = span.numerator * span.beat_quarters
    extra_bars = 0
    if index == len(bars) - 1 and into >= bar_length:  # the last meter goes on
        extra_bars = int(into // bar_length)
        into -= extra_bars * bar_length
        ticks_before += extra_bars * span.numerator * TICKS_PER_BEAT
    beats = into / span.beat_quarters
    beat = int(beats)
    tick = int((beats - beat) * TICKS_PER_BEAT)
    return Bbt(
        bar=index + extra_bars + 1,
        beat=beat + 1,
        tick=tick,
        bar_start_tick=float(ticks_before),
        beats_per_bar=float(span.numerator),
        beat_type=float(span.denominator),
        ticks_per_beat=float(TICKS_PER_BEAT),
        beats_per_minute=float(qpm * span.denominator / 4),
    )


class JackTransportLead:
    """A companion (:mod:`theme.live.companions`) that makes the player's music JACK's
    transport: ``bars`` its bars, ``tempo_map`` its tempo (seconds from the music's start);
    ``rate`` is the JACK server's. Opened with :meth:`open`.

    Raises:
        DeviceError: (from :meth:`open`) no JACK-Client, or no JACK server.
    """

    def __init__(self, client: Any, bars: Sequence[BarSpan], tempo_map: TempoMap):
        self.client = client
        self.bars = list(bars)
        self.tempo_map = tempo_map
        self.rate = int(client.samplerate)
        self._closed = False
        client.set_timebase_callback(self._timebase, conditional=False)
        client.activate()

    @classmethod
    def open(
        cls, bars: Sequence[BarSpan], tempo_map: TempoMap, *, name: str = "theme"
    ) -> JackTransportLead:
        """Open a JACK client ``name`` and become the timebase master.

        Raises:
            DeviceError: no JACK-Client, or no JACK server to reach.
        """
        try:
            import jack
        except (ImportError, OSError) as err:
            raise DeviceError(NO_JACK_CLIENT) from err
        try:
            client = jack.Client(name, no_start_server=True)
        except jack.JackError as err:
            raise DeviceError(f"no JACK server to reach for the transport ({err})") from err
        return cls(client, bars, tempo_map)

    def bbt(self, frame: int) -> Bbt:
        """The bar, beat and tick at transport frame ``frame``."""
        seconds = Fraction(frame, self.rate)
        quarter = self.tempo_map.quarter_at(seconds)
        return bbt_at(quarter, self.bars, self.tempo_map.qpm_at(quarter))

    def _timebase(self, state: int, blocksize: int, pos: Any, new_pos: bool) -> None:
        import jack

        at = self.bbt(int(pos.frame))
        pos.bar, pos.beat, pos.tick = at.bar, at.beat, at.tick
        pos.bar_start_tick = at.bar_start_tick
        pos.beats_per_bar, pos.beat_type = at.beats_per_bar, at.beat_type
        pos.ticks_per_beat, pos.beats_per_minute = at.ticks_per_beat, at.beats_per_minute
        pos.valid = pos.valid | jack.POSITION_BBT

    # -- the companion ---------------------------------------------------------------------

    def transport(self, event: Transport, *, frame: int, quarter: Fraction, clock: Clock) -> None:
        """The player starts (the transport locates to the music's position and rolls) or
        stops (it stops)."""
        if event.running:
            seconds = self.tempo_map.seconds_at(quarter) if quarter > 0 else Fraction(0)
            self.client.transport_frame = round(seconds * self.rate)
            self.client.transport_start()
        else:
            self.client.transport_stop()

    def block(self, block: Block) -> None:
        """Nothing per block: JACK asks for the position itself."""

    def check(self) -> None:
        """The JACK server is the player's to lose, not ours."""

    def close(self) -> None:
        """Give up the timebase and close the client (a second close does nothing)."""
        if self._closed:
            return
        self._closed = True
        try:
            self.client.release_timebase()
        finally:
            self.client.deactivate()
            self.client.close()


def metronome_transport(metronome: Any) -> JackTransportLead:
    """JACK's transport led by ``metronome`` (a :class:`theme.metronome.Metronome`): its
    first meter's bars from its first click (a count-in's bars are bars 1 and on), on its
    tempo map (ramps and accelerandos included).

    Raises:
        DeviceError: no JACK-Client, or no JACK server to reach.
    """
    meter = metronome.meter
    bars = [BarSpan(Fraction(0), meter.numerator, meter.denominator)]
    return JackTransportLead.open(bars, metronome.tempo_map)
