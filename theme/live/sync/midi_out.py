"""MIDI out and MIDI clock out: a companion (:mod:`theme.live.engine.companions`) of a player.

:class:`MidiOut` sends to a MIDI output port what the player plays, as the MIDI file of the
same music holds it (:mod:`theme.renderers.midi`): each layer on its channel (drums on
channel 10, General MIDI drum notes), a program change for each pitched layer and its pan
(controller 10) before the first note, every velocity within 1 to 127, and a note held past
the next onset of its pitch cut at that onset.

With ``clock`` it is also a MIDI clock master: 24 clocks a quarter note, whatever the meter
(a metronome in 7/8 still sends 24 a quarter, 12 an eighth: MIDI clock counts quarter
notes, as a MIDI file's tempo does), up to the music's last barline; Start at the first
clock; Stop when the player stops or pauses (or the music has rung out); on going on from a
pause, Song Position Pointer and Continue, then the next clock on the following sixteenth
note (the SPP's unit), which is where the receiver goes on.

Where the music jumps or loops (``jumps``: a form played again, :func:`loop_jumps`), the
receiver is told its new place at the jump's exact frame: Stop, Song Position Pointer and
Continue, then the clocks on from there. MIDI 1.0 has a receiver act on a Song Position
Pointer only while stopped, so a pointer alone while running would be ignored by many.

Timing: each message's frame is computed from its exact position on the tempo map of the
block (ramps and live tempo changes included), ``round(seconds * rate)``, never by adding up
intervals; a sender thread sends it when the player's clock (the sound card's, or a clocked
sink's) reaches that frame. The thread wakes up for each message (a wait), but its time
comes from the clock. On a stop the messages not yet due are dropped, the notes still
held get their note-off, and every channel used gets All Notes Off (controller 123).

How exact it arrives depends on the MIDI system: ALSA's sequencer delivers a message when it
is sent; python-rtmidi's JACK backend writes it at offset 0 of the next JACK cycle, so up to
one JACK period late (``benchmarks/bench_midi_out.py`` measures both parts).

A port that goes away while playing (its program or its server ended) makes
:meth:`MidiOut.check` raise :class:`~theme.errors.MidiPortLostError`, and the player stops.
"""

from __future__ import annotations

import dataclasses
import heapq
import itertools
import threading
import time
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from theme.errors import MidiPortLostError
from theme.live.engine.companions import Block, Clock, Transport
from theme.live.sync.midiports import close_port, open_output
from theme.renderers.midi import pan_cc

if TYPE_CHECKING:
    from theme.core.timeline import Layer

__all__ = [
    "CLOCKS_PER_QUARTER",
    "ClickNotes",
    "MidiOut",
    "SongJump",
    "loop_jumps",
    "spp_sixteenths",
]

CLOCKS_PER_QUARTER = 24
"""MIDI clocks a quarter note."""
MAX_WAIT = 0.02
"""The longest the sender waits before it reads the clock again (seconds)."""
LOOK_SECONDS = 0.5
"""How often :meth:`MidiOut.check` asks whether the port is still there (seconds)."""
LINGER_SECONDS = 0.25
"""How long a port that sent something stays open after its last message (seconds). JACK
moves a port's messages once a cycle, and a port closed in the cycle that moved its last
ones can take them with it (Stop and the last note-offs lost, seen on a busy machine)."""

# the order of messages on one frame: Stop (of a jump), SPP, Start/Continue, clock,
# note-offs, set-up, note-ons
_STOP, _SPP, _START, _CLOCK, _OFF, _SETUP, _ON = range(7)


def spp_sixteenths(quarter: Fraction) -> int:
    """The Song Position Pointer (sixteenth notes from the start) to go on from ``quarter``:
    the first sixteenth note at or after it.

    >>> spp_sixteenths(Fraction(0)), spp_sixteenths(Fraction(5, 4)), spp_sixteenths(Fraction(4, 3))
    (0, 5, 6)
    """
    return -(-quarter * 4 // 1)


@dataclasses.dataclass(frozen=True)
class SongJump:
    """Where the music jumps: at ``at`` quarter notes from the start of what the player
    plays, the song goes on from ``to`` quarter notes (a loop goes back to its start)."""

    at: Fraction
    to: Fraction


def loop_jumps(start: Fraction, length: Fraction, end: Fraction) -> tuple[SongJump, ...]:
    """The jumps of a form of ``length`` quarter notes that begins at ``start`` and is
    played again and again until ``end``: back to ``start`` at each of its ends before
    ``end``.

    >>> [(j.at, j.to) for j in loop_jumps(Fraction(5), Fraction(20), Fraction(65))]
    [(Fraction(25, 1), Fraction(5, 1)), (Fraction(45, 1), Fraction(5, 1))]
    >>> loop_jumps(Fraction(0), Fraction(20), Fraction(20))
    ()
    """
    if length <= 0:
        raise ValueError(f"a loop's length is above 0 quarter notes, not {length}")
    count = max(0, -(-(end - start) // length) - 1)
    return tuple(SongJump(start + k * length, start) for k in range(1, count + 1))


@dataclasses.dataclass(frozen=True)
class ClickNotes:
    """Where a metronome's clicks go in MIDI, for a drum machine or a sampler: the clicks of
    the layers named in ``channel_layers`` on ``channel`` (0 to 15; None: each layer's own,
    10 for drums, shown as 9 here), and those of ``note_layers`` on ``notes``: ``(downbeat,
    group start, any other pulse)`` note numbers (subdivisions take the last; None: the
    notes of the ``.mid`` file). Each given number is checked (0 to 15, 0 to 127).

    >>> ClickNotes(channel=9, notes=(36, 38, 42), note_layers=frozenset({"click"})).place(
    ...     "click", 9, 76, accent=1)
    (9, 38)
    """

    channel: int | None = None
    notes: tuple[int, int, int] | None = None
    channel_layers: frozenset[str] = frozenset()
    note_layers: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if self.channel is not None and not 0 <= self.channel <= 15:
            raise ValueError(f"a MIDI channel is 0 to 15, not {self.channel}")
        if self.notes is not None and (
            len(self.notes) != 3 or not all(0 <= n <= 127 for n in self.notes)
        ):
            raise ValueError(f"three MIDI notes of 0 to 127, not {self.notes}")

    def place(self, layer: str, channel: int, pitch: int, *, accent: int) -> tuple[int, int]:
        """``(channel, note)`` of a click of ``layer`` with ``accent`` (0 downbeat, 1 group
        start, 2 a pulse, 3 a subdivision), played on ``channel`` at ``pitch`` otherwise."""
        if self.channel is not None and layer in self.channel_layers:
            channel = self.channel
        if self.notes is not None and layer in self.note_layers:
            pitch = self.notes[min(int(accent), 2)]
        return channel, pitch


class _Item:
    """A message due at a frame (kept in a heap: by frame, then order, then as scheduled)."""

    __slots__ = ("alive", "frame", "key", "message")

    def __init__(self, frame: int, order: int, seq: int, message: Any):
        self.frame = frame
        self.key = (frame, order, seq)
        self.message = message
        self.alive = True

    def __lt__(self, other: _Item) -> bool:
        return self.key < other.key


class MidiOut:
    """Sends a player's notes (``notes``) and MIDI clock (``clock``) to a mido output
    ``port`` on the player's clock (see the module docstring). ``log`` keeps ``(frame,
    message)`` for each message sent, with the frame it was due at (for tests). ``jumps``
    are where the music jumps (positions from the start of what the player plays): the
    clock tells the receiver the song's new position there."""

    def __init__(
        self,
        port: Any,
        *,
        notes: bool = True,
        clock: bool = False,
        log: bool = False,
        clicks: ClickNotes | None = None,
        jumps: tuple[SongJump, ...] = (),
    ):
        self.port = port
        self.jumps = tuple(sorted(jumps, key=lambda jump: jump.at))
        self.notes = notes
        self.clicks = clicks
        self.clock = clock
        self.log: list[tuple[int, Any]] | None = [] if log else None
        self.sent = 0
        """Messages sent so far."""
        self.notes_sent = 0
        """Note-ons sent so far."""
        self._queue: list[_Item] = []
        self._seq = itertools.count()
        self._cond = threading.Condition()
        self._port_lock = threading.Lock()  # one call into the port at a time (ALSA's is not
        # safe to send on while another thread lists the ports)
        self._thread: threading.Thread | None = None
        self._stopping = False
        self._clock: Clock | None = None
        self._pulse = 0  # the next clock's number, from the start of the song
        self._shift = Fraction(0)  # where the music is minus where the song is
        self._next_jump = 0  # the index in jumps of the next one ahead
        self._offs: dict[tuple[int, int], _Item] = {}  # (channel, note): its pending note-off
        self._held: set[tuple[int, int]] = set()  # (channel, note) sounding now
        self._channels: set[int] = set()
        self._set_up: set[str] = set()  # layers whose program and pan were sent
        self._lost: BaseException | None = None
        self._next_look = 0.0
        self._closed = False
        import mido

        self._mido = mido
        self._clock_message = mido.Message("clock")

    @classmethod
    def open(
        cls,
        name: str | None,
        *,
        notes: bool = True,
        clock: bool = False,
        log: bool = False,
        clicks: ClickNotes | None = None,
        jumps: tuple[SongJump, ...] = (),
    ) -> MidiOut:
        """Open the output port ``name`` (default ``THEME_MIDI_OUT``;
        :func:`theme.live.sync.midiports.open_output`).

        Raises:
            MidiDeviceError: no python-rtmidi, or no such port (the ports are listed).
        """

        port = open_output(name)
        return cls(port, notes=notes, clock=clock, log=log, clicks=clicks, jumps=jumps)

    # -- the companion ---------------------------------------------------------------------

    def transport(self, event: Transport, *, frame: int, quarter: Fraction, clock: Clock) -> None:
        if event.running:
            self._begin(event, quarter, clock)
        else:
            self._end(frame)

    def _begin(self, event: Transport, quarter: Fraction, clock: Clock) -> None:
        mido = self._mido
        with self._cond:
            self._queue.clear()
            self._offs.clear()
            self._clock = clock
            self._stopping = False
            self._next_jump = sum(1 for jump in self.jumps if jump.at <= quarter)
            passed = self.jumps[self._next_jump - 1] if self._next_jump else None
            self._shift = Fraction(0) if passed is None else passed.at - passed.to
            song = quarter - self._shift
            if event is Transport.START:
                self._pulse = -(-song * CLOCKS_PER_QUARTER // 1)
                if self.clock:
                    self._schedule(0, _START, mido.Message("start"))
            else:
                sixteenths = spp_sixteenths(song)
                self._pulse = sixteenths * CLOCKS_PER_QUARTER // 4
                if self.clock:
                    self._schedule(0, _SPP, mido.Message("songpos", pos=min(sixteenths, 16383)))
                    self._schedule(0, _START, mido.Message("continue"))
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _end(self, frame: int) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(2.0)
        self._thread = None
        due = []
        with self._cond:
            while self._queue:
                item = heapq.heappop(self._queue)
                if item.alive and item.frame <= frame:
                    due.append(item)
            self._offs.clear()
        for item in due:  # what was due by the stop and not yet sent
            self._send(item.frame, item.message)
        mido = self._mido
        for channel, note in sorted(self._held):
            self._send(frame, mido.Message("note_off", channel=channel, note=note, velocity=0))
        for channel in sorted(self._channels):
            self._send(frame, mido.Message("control_change", channel=channel, control=123))
        if self.clock:
            self._send(frame, mido.Message("stop"))

    def block(self, block: Block) -> None:
        with self._cond:
            if self.notes:
                self._notes(block)
            if self.clock:
                self._pulses(block)
            if self._queue:
                self._cond.notify_all()

    def check(self) -> None:
        """Raise :class:`MidiPortLostError` when the port has gone: a send failed, or (looked
        at twice a second) the port is no longer listed."""
        if self._lost is None and time.monotonic() >= self._next_look:
            self._next_look = time.monotonic() + LOOK_SECONDS
            if not self._still_there():
                self._lost = OSError("the port is no longer listed")
        if self._lost is not None:
            raise MidiPortLostError(
                f"the MIDI output {self.port.name!r} was lost during playback "
                f"({self.notes_sent} notes and {self.sent} messages sent): check the "
                "port or its program, then play again"
            ) from self._lost

    def close(self) -> None:
        """Close the port (after the last stop); a second close does nothing."""
        if self._closed:
            return
        self._closed = True
        if self._thread is not None:
            self._end(0)
        if self.sent and self._lost is None:
            time.sleep(LINGER_SECONDS)  # not timekeeping: the last messages leave first
        close_port(self.port.close)

    # -- scheduling (under the lock) -----------------------------------------------------

    def _schedule(self, frame: int, order: int, message: Any) -> _Item:
        item = _Item(frame, order, next(self._seq), message)
        heapq.heappush(self._queue, item)
        return item

    def _set_up_layer(self, frame: int, name: str, layer: Layer) -> None:

        self._set_up.add(name)
        mido = self._mido
        channel = layer.midi_channel
        if self.clicks is not None:  # its pan on the channel its clicks go to
            channel = self.clicks.place(name, channel, 0, accent=0)[0]
        if not layer.drum:
            self._schedule(
                frame,
                _SETUP,
                mido.Message("program_change", channel=channel, program=layer.program),
            )
        self._schedule(
            frame,
            _SETUP,
            mido.Message("control_change", channel=channel, control=10, value=pan_cc(layer.pan)),
        )

    def _notes(self, block: Block) -> None:
        mido = self._mido
        for name, each in block.layers.items():
            if name not in self._set_up:
                self._set_up_layer(block.first_frame, name, each)
        for frame, event in block.events:
            layer = block.layers.get(event.layer)
            if layer is None or not 0 <= event.pitch <= 127:
                continue
            channel, pitch = layer.midi_channel, event.pitch
            if self.clicks is not None:
                channel, pitch = self.clicks.place(
                    event.layer, channel, pitch, accent=int(event.accent)
                )
            key = (channel, pitch)
            off_frame = max(
                frame + 1, block.tempo_map.sample_at(event.onset + event.duration, block.rate)
            )
            held = self._offs.get(key)
            if held is not None and held.alive and held.frame > frame:  # one pitch at a time
                held.alive = False
                self._schedule(frame, _OFF, held.message)
            velocity = max(1, min(127, event.velocity))
            on = mido.Message("note_on", channel=channel, note=pitch, velocity=velocity)
            self._schedule(frame, _ON, on)
            off = mido.Message("note_off", channel=channel, note=pitch, velocity=0)
            self._offs[key] = self._schedule(off_frame, _OFF, off)

    def _pulses(self, block: Block) -> None:
        end = block.end_frame
        if block.music_end_frame is not None:  # no clock in the last notes' ring-out
            end = min(end, block.music_end_frame)
        while True:
            at = self._shift + Fraction(self._pulse, CLOCKS_PER_QUARTER)
            if self._next_jump < len(self.jumps) and self.jumps[self._next_jump].at <= at:
                if not self._jump(block, end):
                    return
                continue
            frame = block.frame_of(at)
            if frame >= end:
                return
            self._schedule(frame, _CLOCK, self._clock_message)
            self._pulse += 1

    def _jump(self, block: Block, end: int) -> bool:
        """Tell the receiver the next jump at its frame (Stop, SPP, Continue) and count the
        clocks on from its new place; False if its frame is not in this block."""
        jump = self.jumps[self._next_jump]
        frame = block.frame_of(jump.at)
        if frame >= end:
            return False
        mido = self._mido
        sixteenths = spp_sixteenths(jump.to)
        self._schedule(frame, _STOP, mido.Message("stop"))
        self._schedule(frame, _SPP, mido.Message("songpos", pos=min(sixteenths, 16383)))
        self._schedule(frame, _START, mido.Message("continue"))
        self._shift = jump.at - jump.to
        self._pulse = sixteenths * CLOCKS_PER_QUARTER // 4
        self._next_jump += 1
        return True

    # -- sending (the sender thread) -----------------------------------------------------

    def _run(self) -> None:
        clock = self._clock
        assert clock is not None
        rate = clock.rate
        while True:
            due: list[_Item] = []
            with self._cond:
                if self._stopping or self._lost is not None:
                    return
                try:
                    now = clock.heard_frame()
                except Exception:  # a lost sound card: the player reports it
                    return
                # due once the clock is past its frame: a clock that has not started reads 0
                while self._queue and self._queue[0].frame < now:
                    item = heapq.heappop(self._queue)
                    if item.alive:
                        due.append(item)
                if not due:
                    wait = MAX_WAIT
                    if self._queue:
                        wait = min(MAX_WAIT, (self._queue[0].frame + 1 - now) / rate)
                    self._cond.wait(wait)  # a wake-up: the time is the clock's
                    continue
            for item in due:
                self._send(item.frame, item.message)

    def _send(self, frame: int, message: Any) -> None:
        if self._lost is not None:
            return
        try:
            with self._port_lock:
                self.port.send(message)
        except Exception as err:  # any failure of the port: it is lost
            self._lost = err
            return
        self.sent += 1
        kind = message.type
        if kind == "note_on":
            self.notes_sent += 1
            self._held.add((message.channel, message.note))
            self._channels.add(message.channel)
        elif kind == "note_off":
            self._held.discard((message.channel, message.note))
        if self.log is not None:
            self.log.append((frame, message))

    def _still_there(self) -> bool:
        rt = getattr(self.port, "_rt", None)
        if rt is None:
            return True
        try:
            with self._port_lock:
                return bool(self.port.name in rt.get_ports())
        except Exception:  # the API itself failed: the server is gone
            return False
