"""JACK transport: the metronome as JACK's timebase master (``--jack-transport lead``), or
following another master's transport (``--jack-transport follow``).

JACK's transport is a frame counter that every client of a JACK server shares, rolling or
stopped; its timebase master says what each frame is in bars: bar, beat and tick (all
counted from 1 but the tick, from 0), the ticks before the bar (``bar_start_tick``), the
bar's beats (``beats_per_bar``) and their note value (``beat_type``: 4 a quarter, 8 an
eighth), the ticks a beat, and the tempo in those beats a minute (``beats_per_minute``).
A DAW or a sequencer on the same server then counts our bars: 5/4 as five quarter beats,
7/8 as seven eighth beats, a change of meter at its bar.

:func:`bbt_at` is that arithmetic, pure and exact (quarter notes as fractions, the tick
rounded down once); :class:`JackTransportLead` is a companion of a player
(:mod:`theme.live.engine.companions`) that opens a JACK client, becomes the timebase master,
locates the transport to frame 0 and starts it when the player starts, and stops it when
the player stops. Frame 0 of the transport is the music's start.

:class:`JackTransportFollow` is the other way round: a session to follow (the interface of
:class:`~theme.live.sync.link_session.LinkSession` that :class:`~theme.live.sync.follow.SyncCompanion`
uses), read from the transport by a watcher thread of its own that polls it every
:data:`POLL_SECONDS` (JACK is never called from the audio side, and never waited on).

The JACK-Client package (``uv sync --extra sync``) is imported only when a client opens:
it reaches libjack through cffi, with no compiler needed, and gives the timebase callback
in Python (JACK calls it in its process cycle, so it does only this arithmetic).
"""

from __future__ import annotations

import bisect
import dataclasses
import threading
import time
from collections import deque
from collections.abc import Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from theme.errors import DeviceError, UsageError
from theme.live.engine.sinks import close_in_time
from theme.live.sync.follow import SyncCompanion
from theme.live.sync.link_time import FrameClock, LinkState, host_micros, link_quantum, quantized

if TYPE_CHECKING:
    from theme.core.tempo import TempoMap
    from theme.live.engine.companions import Block, Clock, Transport

__all__ = [
    "NO_JACK_CLIENT",
    "TICKS_PER_BEAT",
    "BarSpan",
    "Bbt",
    "JackTransportFollow",
    "JackTransportLead",
    "bbt_at",
    "metronome_transport",
    "metronome_transport_follow",
    "transport_quarters",
]

TICKS_PER_BEAT = 1920
"""Ticks a beat, as JACK's own example clients and most sequencers count them."""
NO_JACK_CLIENT = "JACK transport needs the optional package JACK-Client: uv sync --extra sync"
POLL_SECONDS = 0.005
"""How often the follower's watcher thread reads the transport (seconds)."""
JUMP_SECONDS = 0.25
"""A rolling transport whose frame is this much further on (seconds) than the time since
its last reading, or whose frame went back, has been located: the metronome goes on from
there."""
ORIGIN_WINDOW_SECONDS = 0.25
"""The readings the line is drawn through: the earliest of these last seconds. Short: a
JACK server that missed its cycles (not real-time, a loaded machine) does not catch up,
its frames stay behind from then on, and the line must follow them."""
STEADY_MICROS = 500.0
"""A line that moves less than this (microseconds) is kept: what is left of the cycles'
wake-up jitter is not followed."""
CLOSE_SECONDS = 1.0
"""The longest a close waits for the watcher thread (seconds)."""
CLIENT_CLOSE_SECONDS = 5.0
"""The longest a close waits for the JACK server to let the client go (seconds): a server
that does not answer (once, beside two CPU burners, for more than 30 s) is left to it
(:func:`~theme.live.engine.sinks.close_in_time`)."""


def _let_go(client: Any, name: str, *, timebase: bool = False) -> None:
    """Deactivate and close a JACK client (giving up the ``timebase`` first) on a thread
    named ``name``, waiting :data:`CLIENT_CLOSE_SECONDS` at most."""

    def close() -> None:
        try:
            if timebase:
                client.release_timebase()
        finally:
            client.deactivate()
            client.close()

    close_in_time(close, CLIENT_CLOSE_SECONDS, name=name)


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
    """A companion (:mod:`theme.live.engine.companions`) that makes the player's music JACK's
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
        _let_go(self.client, "theme-jack-lead-close", timebase=True)


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


def transport_quarters(position: dict[str, Any], qpm: float) -> tuple[float, float]:
    """``(quarter notes from the transport's frame 0, quarter notes a minute)`` of a
    position as JACK-Client's ``transport_query`` gives it: from its bar, beat and tick
    when a timebase master gives them (bars of ``beats_per_bar`` beats of ``beat_type``
    notes from bar 1), else from its frame at ``qpm``.

    >>> five = {"frame": 0, "frame_rate": 48000, "bar": 3, "beat": 2, "tick": 960,
    ...         "beats_per_bar": 5.0, "beat_type": 4.0, "ticks_per_beat": 1920.0,
    ...         "beats_per_minute": 150.0}
    >>> transport_quarters(five, 100.0)   # two bars of 5/4, then a beat and a half
    (11.5, 150.0)
    >>> transport_quarters({"frame": 96000, "frame_rate": 48000}, 120.0)   # 2 s at q=120
    (4.0, 120.0)
    """
    if "bar" in position:
        quarters_a_beat = 4.0 / float(position["beat_type"])
        beats = (
            (int(position["bar"]) - 1) * float(position["beats_per_bar"])
            + int(position["beat"])
            - 1
            + float(position["tick"]) / float(position["ticks_per_beat"])
        )
        return beats * quarters_a_beat, float(position["beats_per_minute"]) * quarters_a_beat
    return float(position["frame"]) / float(position["frame_rate"]) * qpm / 60, qpm


def _clock_offset(usecs: float) -> float:
    """What to add to JACK's microseconds (``usecs`` of a recent cycle) to put them on
    :func:`~theme.live.sync.link_time.host_micros`: JACK2 stamps its cycles with one of the
    monotonic clocks; the one they lie near is it."""
    host = host_micros()
    for clock in ("CLOCK_MONOTONIC_RAW", "CLOCK_MONOTONIC"):
        if hasattr(time, clock):
            now = time.clock_gettime_ns(getattr(time, clock)) / 1000
            if abs(now - usecs) < 5e6:
                return host - now
    return host - usecs


class JackTransportFollow:
    """A JACK server's transport as a session to follow (the interface of
    :class:`~theme.live.sync.link_session.LinkSession` that
    :class:`~theme.live.sync.follow.SyncCompanion` uses): :attr:`state` is the transport's
    position in quarter notes from its frame 0 (from the timebase master's bar, beat and
    tick, or from the frame at ``bpm`` when no master gives them), its tempo, and whether
    it rolls; ``quantum`` is our bar (quarter notes). :attr:`locates` counts the jumps of a
    rolling transport; :meth:`resume_at` says where the transport will be.

    A watcher thread polls the transport every :data:`POLL_SECONDS` and replaces
    :attr:`state` whole; the player only reads it. Our own tempo keys and pause change
    nothing of the transport: its master sets them.

    Raises:
        DeviceError: (from :meth:`start`) no JACK-Client, or no JACK server.
    """

    def __init__(self, *, bpm: Fraction | float, quantum: Fraction, name: str = "theme-follow"):
        self.quantum = quantum
        self.tolerance_seconds = Fraction(1, 1000)
        self.client_name = name
        self.bpm = float(bpm)
        self.state = LinkState(micros=host_micros(), beat=0.0, bpm=float(bpm), peers=1)
        self.locates = 0
        """Jumps of the rolling transport so far (a locate while it rolls)."""
        self.readings = 0
        """Times the transport was read."""
        self.bbt = False
        """Whether a timebase master gives bar, beat and tick."""
        self._client: Any = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._lost: str | None = None
        self._offset: float | None = None
        self._closed = False
        self._previous: tuple[int, float] | None = None  # the last reading's frame, micros
        self._origins: deque[tuple[float, float]] = deque()  # (micros, quarter 0's micros)

    # -- the arithmetic (pure: a reading given) ----------------------------------------------

    def read(self, rolling: bool, position: dict[str, Any], offset: float) -> None:
        """One reading of the transport: ``rolling``, its ``position`` (JACK-Client's
        dict), ``offset`` from JACK's microseconds to the host's.

        A cycle that woke late is stamped late for its frame: the line is drawn through
        the earliest of the last :data:`ORIGIN_WINDOW_SECONDS` of readings (when each puts
        the transport's quarter note 0), so late cycles move nothing, and the state is
        replaced only when that moves by more than :data:`STEADY_MICROS`. A rolling
        transport whose frame went back, or further on than the time since the last
        reading allows (by :data:`JUMP_SECONDS`), was located (JACK2 passes through
        STARTING, read as a stop, for a locate while rolling; a server that does not is
        caught here); a locate, a start and a change of tempo start the line again."""
        self.readings += 1
        self.bbt = "bar" in position
        beat, qpm = transport_quarters(position, self.bpm)
        micros = float(position["usecs"]) + offset
        frame, rate = int(position["frame"]), float(position["frame_rate"])
        last, origins = self.state, self._origins
        previous, self._previous = self._previous, (frame, micros)
        if not rolling:
            origins.clear()
            self.state = LinkState(micros=micros, beat=beat, bpm=qpm, peers=1, playing=False)
            return
        jumped = False
        if last.playing and previous is not None:
            allowed = (micros - previous[1]) / 1e6 * rate + JUMP_SECONDS * rate
            jumped = frame < previous[0] or frame - previous[0] > allowed
            self.locates += jumped
        if jumped or not last.playing or qpm != last.bpm:
            origins.clear()
        origins.append((micros, micros - beat * 60e6 / qpm))
        while origins[0][0] < micros - ORIGIN_WINDOW_SECONDS * 1e6:
            origins.popleft()
        origin = min(candidate for _, candidate in origins)
        if len(origins) > 1 and abs(origin - last.micros_at(0.0)) <= STEADY_MICROS:
            return
        self.state = LinkState(micros=origin, beat=0.0, bpm=qpm, peers=1, playing=True)

    def resume_at(self, seconds: float) -> Fraction:
        """Where the transport will be ``seconds`` from now (quarter notes from its frame
        0), at its tempo now."""
        return quantized(self.state.beat_at(host_micros() + seconds * 1e6))

    # -- the session's interface -------------------------------------------------------------

    @property
    def started(self) -> bool:
        """Whether :meth:`start` has run."""
        return self._client is not None

    def start(self) -> JackTransportFollow:
        """Open a JACK client and watch its transport (a thread of its own).

        Raises:
            DeviceError: no JACK-Client, or no JACK server to reach.
        """
        if self._client is not None:
            return self
        try:
            import jack
        except (ImportError, OSError) as err:
            raise DeviceError(NO_JACK_CLIENT) from err
        try:
            client = jack.Client(self.client_name, no_start_server=True)
        except jack.JackError as err:
            raise DeviceError(f"no JACK server to reach for the transport ({err})") from err
        client.set_shutdown_callback(self._shutdown)
        client.activate()
        self._client = client
        self._poll(jack)  # a first reading before anyone looks
        self._thread = threading.Thread(
            target=self._watch, args=(jack,), name="theme-jack-transport", daemon=True
        )
        self._thread.start()
        return self

    def _shutdown(self, status: Any, reason: str) -> None:
        self._lost = f"the JACK server went away ({reason})"

    def _poll(self, jack: Any) -> None:
        state, position = self._client.transport_query()
        if self._offset is None:
            self._offset = _clock_offset(float(position["usecs"]))
        # STARTING (a start, or a locate while rolling: the clients' sync) stands still at
        # the new frame until it rolls from there: read as stopped
        self.read(state == jack.ROLLING, position, self._offset)

    def _watch(self, jack: Any) -> None:
        while not self._stop.wait(POLL_SECONDS):
            if self._lost is not None:
                return
            try:
                self._poll(jack)
            except Exception as err:  # the client failed: said by check()
                self._lost = f"the JACK transport could not be read ({err})"
                return

    def set_playing(self, playing: bool) -> None:
        """The transport's master starts and stops: ours changes nothing of it."""

    def set_tempo(self, qpm: Fraction) -> None:
        """The transport's master sets the tempo: ours changes nothing of it."""

    def request_beat(self, beat: float) -> None:
        """The transport's position is its master's: nothing to move."""

    def describe(self, *, waiting: bool = False) -> str:
        """One line for the display: the transport's tempo and whether it rolls."""
        state = self.state
        doing = f"{state.bpm:g} BPM, " + ("rolling" if state.playing else "stopped")
        if not self.bbt:
            doing += " (no bar and beat from a master: counted from its frame)"
        line = f"JACK transport: {doing}"
        return line + "  (waiting for its next bar)" if waiting else line

    def check(self) -> None:
        """Raise if the JACK server went away.

        Raises:
            DeviceError: the server shut the client down, or its transport could not be
                read.
        """
        if self._lost is not None:
            raise DeviceError(self._lost)

    def close(self) -> None:
        """Stop watching and close the client (a second close does nothing)."""
        if self._closed:
            return
        self._closed = True
        self._stop.set()
        if self._thread is not None:
            self._thread.join(CLOSE_SECONDS)
        client, self._client = self._client, None
        if client is not None:
            _let_go(client, "theme-jack-follow-close")

    def __enter__(self) -> JackTransportFollow:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def metronome_transport_follow(metronome: Any, *, clock: Any = None) -> SyncCompanion:
    """A companion that keeps ``metronome`` (a :class:`theme.metronome.Metronome`) on the
    JACK server's transport (not opened yet: :meth:`JackTransportFollow.start`): its tempo,
    our bar 1 on its frame 0, start, stop and locate with it.

    Raises:
        UsageError: a ramp or an accelerando (the transport sets the tempo).
    """

    if metronome.ramp is not None or metronome.accel is not None:
        raise UsageError(
            "JACK's transport sets the tempo with --jack-transport follow: leave out --ramp "
            "and --accel"
        )
    quantum = link_quantum(metronome.bar_quarters, metronome.meeting_every)
    session = JackTransportFollow(bpm=metronome.tempo.qpm, quantum=quantum)
    return SyncCompanion(session, start=metronome.start, clock=clock or FrameClock)
