"""Live sound: a :class:`Player` that renders ahead of a sink, and :func:`start`, which plays
a renderer on it (:mod:`theme.live.start` starts live music of every kind).

The player renders on a producer thread into a ring of preallocated blocks, so the pull
that runs in the sink's callback (the sound card's) only copies one block, with no
allocation, lock, I/O or printing; when the renderer falls behind, the callback plays
silence and counts an underrun. The sinks, the seam to the hardware, are in
:mod:`theme.live.engine.sinks`; what follows the same clock besides the sound card (MIDI out, MIDI
clock, Link) are companions, the seam in :mod:`theme.live.engine.companions`: the player calls
each for every block it renders and when it starts, stops, pauses or goes on.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING

import numpy as np

from theme.errors import AudioDeviceError, DeviceError
from theme.live.engine.companions import Block, Companion, Transport
from theme.live.engine.priority import ORDINARY, raise_priority
from theme.live.engine.sinks import Sink, SoundDeviceSink
from theme.renderers.audio import BlockRenderer

if TYPE_CHECKING:
    pass

__all__ = [
    "CHECK_SECONDS",
    "FADE_SECONDS",
    "FOLLOW_RING_BLOCKS",
    "RING_BLOCKS",
    "Player",
    "start",
]

RING_BLOCKS = 32
"""Blocks rendered ahead of the sound card (32 of 256 frames: 171 ms at 48 kHz)."""
FOLLOW_RING_BLOCKS = 48
"""Blocks rendered ahead while following another program's time (48 of 256 frames: 256 ms at
48 kHz): room for a loaded machine that leaves the producer unscheduled for longer than
:data:`RING_BLOCKS` last. A new tempo of the session reaches the sound that much later, and
the follower's catch-up mends the phase it cost: up to a jump of half the tempo (100 to
150 BPM) that is less than a quarter of a quarter note, caught up at 10% off the tempo (a
deeper ring would need a catch-up of 50%, heard as a rush)."""
FADE_SECONDS = 0.03
CHECK_SECONDS = 0.1
"""How often a waiting player looks whether its device is still there (seconds)."""


class Player:
    """Plays a renderer through a sink, rendering ahead on a producer thread.

    The pull that runs in the sink's callback copies one preallocated block from the ring;
    a stop fades out over 30 ms (no click). ``underruns`` counts blocks the renderer was
    late for (the sink's own count is added).

    ``companions`` follow the same clock (:mod:`theme.live.engine.companions`); ``origin`` is where
    the renderer's music begins, in quarter notes from the start (after a pause), and
    ``resumed`` makes the start a CONTINUE. With ``close_companions`` the player closes them
    when it closes (a live metronome keeps them from one player to the next).
    """

    def __init__(
        self,
        renderer: BlockRenderer,
        sink: Sink,
        *,
        companions: Sequence[Companion] = (),
        origin: Fraction = Fraction(0),
        resumed: bool = False,
        close_companions: bool = False,
        ring_blocks: int = RING_BLOCKS,
    ):
        self.renderer = renderer
        self.sink = sink
        self.companions = tuple(companions)
        self.origin = Fraction(origin)
        self._resumed = resumed
        self._close_companions = close_companions
        self._running = False  # between the companions' START and their STOP
        n = sink.blocksize
        self.ring_blocks = ring_blocks
        self._ring = np.zeros((ring_blocks, n, 2), dtype=np.float32)
        self._filled = [0] * ring_blocks
        self._written = 0  # blocks produced (only the producer writes it)
        self._read = 0  # blocks consumed (only the callback writes it)
        self._ended = False
        self._stopping = False
        self._fade_left = int(FADE_SECONDS * sink.rate)
        self._fade = np.linspace(1.0, 0.0, self._fade_left, dtype=np.float32)
        self._late = 0  # blocks the renderer was late for
        self._late_frames = 0  # the silence those blocks played (frames)
        self._sink_underruns_before = 0  # a sink played again (after a pause) counts on
        self._frames = 0
        self._producer = threading.Thread(target=self._produce, daemon=True)
        self._render_lock = threading.Lock()  # between the producer and with_renderer only
        self.scheduling = ORDINARY
        """How the producer thread is scheduled (:func:`~theme.live.engine.priority.raise_priority`)."""

    def _produce(self) -> None:
        self.scheduling = raise_priority()
        while not self._ended and not self._stopping:
            if self._written - self._read >= self.ring_blocks:
                time.sleep(0.001)  # waiting for room, not keeping time
                continue
            self._produce_one()
            time.sleep(0)  # let the audio callback have the GIL between two blocks

    def _produce_one(self) -> None:
        with self._render_lock:  # the producer, or a sink's thread that renders a late block
            if self._ended or self._written - self._read >= self.ring_blocks:
                return
            slot = self._written % self.ring_blocks
            first = self.renderer.frame
            self._filled[slot] = self.renderer.fill(self._ring[slot])
            if self.companions and self._running:
                self._tell_block(first, self._filled[slot])
            self._written += 1
            if self._filled[slot] < self.sink.blocksize:
                self._ended = True

    def _tell_block(self, first: int, frames: int) -> None:
        renderer = self.renderer
        block = Block(
            first_frame=first,
            frames=frames,
            rate=renderer.rate,
            tempo_map=renderer.tempo_map,
            origin=self.origin,
            events=renderer.begun,
            layers=renderer.layers,
            last=frames < self.sink.blocksize,
            music_end_frame=renderer.end_frame,
        )
        for companion in self.companions:
            companion.block(block)

    def _tell_transport(self, event: Transport, frame: int) -> None:
        """Tell the companions (between two blocks of the producer)."""
        with self._render_lock:
            if event.running == self._running:
                return
            self._running = event.running
            quarter = self.origin + self.renderer.tempo_map.quarter_at(
                Fraction(frame, self.sink.rate)
            )
            for companion in self.companions:
                companion.transport(event, frame=frame, quarter=quarter, clock=self)

    @property
    def rate(self) -> int:
        """Frames a second (the sink's)."""
        return self.sink.rate

    def fill_ahead(self) -> None:
        """Render blocks until the ring is full or the music has ended."""
        while self._written - self._read < self.ring_blocks and not self._ended:
            self._produce_one()

    def pull(self, out: np.ndarray) -> bool:
        """The sink's callback: copy the next block into ``out`` (frames, 2); False after the
        last block. Only copies (it renders only for a sink that is not realtime, and a
        block the producer is late for on a sink that ``renders_late``: no sound card)."""
        if self._read >= self._written and not self._ended:
            if self.sink.realtime and self.sink.renders_late:  # no sound card: no silence
                self._late += 1  # the producer really was late: the block's time has come
                self._produce_one()
            elif not self.sink.realtime:
                self._produce_one()
        if self._read >= self._written:
            out.fill(0.0)
            if self._ended:
                return False
            self._late += 1
            self._late_frames += len(out)
            self._frames += len(out)
            return True
        slot = self._read % self.ring_blocks
        out[:] = self._ring[slot]
        self._read += 1
        self._frames += len(out)
        if self._stopping:
            k = min(self._fade_left, len(out))
            start = len(self._fade) - self._fade_left
            out[:k] *= self._fade[start : start + k, None]
            out[k:] = 0.0
            self._fade_left -= k
            return self._fade_left > 0
        return not (self._ended and self._read >= self._written)

    def start(self, *, producer: bool = True) -> Player:
        """Wait for the sink's device (another thread may be playing on it), render the first
        blocks, then start the sink. For a realtime sink a producer thread keeps rendering
        ahead; ``producer=False`` leaves that to :meth:`fill_ahead`.

        Raises:
            AudioDeviceError: the device cannot be had or opened, or this thread is
                already playing on it.
        """
        try:
            self.sink.reserve()  # nothing follows the sound before the device is this one's
            self._tell_transport(Transport.CONTINUE if self._resumed else Transport.START, 0)
            self.fill_ahead()
            self._sink_underruns_before = self.sink.underruns
            if self.sink.realtime and producer:
                self._producer.start()
            self.sink.open(self.pull)
        except BaseException:  # Ctrl-C, a device error: nothing left playing, the device free
            self.close()
            raise
        return self

    def with_renderer(self, change: Callable[[BlockRenderer], None]) -> None:
        """Run ``change(renderer)`` between two blocks of the producer (never during one):
        how the live metronome changes its tempo. The blocks already in the ring play on."""
        with self._render_lock:
            change(self.renderer)

    @property
    def active(self) -> bool:
        """True while the sink is playing."""
        return not self.sink.done.is_set()

    def check(self) -> None:
        """Raise :class:`AudioDeviceError` when the device has been lost: the server gone,
        the device unplugged, its stream stopped or stalled. The player then ends at once.

        Raises:
            AudioDeviceError: the device is lost.
        """
        try:
            self.sink.check()
            for companion in self.companions:
                companion.check()
        except DeviceError:
            self._ended = True
            raise
        if getattr(self.sink, "lost", False):
            self._ended = True
            raise AudioDeviceError("the audio device was lost during playback")

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until the music has played out (or ``timeout`` seconds); True when it has.
        Looks every CHECK_SECONDS whether the device is still there (a watchdog, not a
        clock of the music).

        Raises:
            AudioDeviceError: the device was lost while waiting.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = CHECK_SECONDS if deadline is None else deadline - time.monotonic()
            done = self.sink.done.wait(max(0.0, min(CHECK_SECONDS, left)))
            self.check()
            if done:
                return True
            if deadline is not None and time.monotonic() >= deadline:
                return False

    def stop(self, *, transport: Transport = Transport.STOP, frame: int | None = None) -> None:
        """Fade out over 30 ms and stop (at once when the device is lost); never raises
        for a lost device. The companions are told ``transport`` (STOP or PAUSE) at
        ``frame`` (default: the frame heard now)."""
        self._stopping = True
        if self._running and frame is None:
            try:
                frame = self.heard_frame()
            except AudioDeviceError:
                frame = self._frames
        if self._running and frame is not None:
            self._tell_transport(transport, frame)
        try:
            self.check()
            self.sink.done.wait(1.0)
        except DeviceError:
            pass  # the device is gone: nothing to fade
        self.close()

    def close(self) -> None:
        """Stop the sink and the producer (a second close does nothing); the companions are
        told STOP at the music's last frame if nothing stopped them before."""
        self._ended = True
        self.sink.close()
        if self._producer.is_alive():
            self._producer.join(1.0)
        if self._running:
            self._tell_transport(Transport.STOP, self.renderer.frame)
        if self._close_companions:  # the last opened first: a MIDI input before an output
            for companion in reversed(self.companions):
                companion.close()

    @property
    def frames_given(self) -> int:
        """Frames handed to the sink so far (samples, from where the player began): none
        after these can be at the speaker yet."""
        return self._frames

    @property
    def late_frames(self) -> int:
        """Frames of silence played because the renderer was late (samples): on the sink's
        clock, the music is heard that much later than its frames say."""
        return self._late_frames

    @property
    def underruns(self) -> int:
        """Blocks this player was late for, and the underruns the sink reported while it
        played."""
        return self._late + self.sink.underruns - self._sink_underruns_before

    def heard_frame(self) -> int:
        """The frame at the speaker now (from the stream's clock and latency)."""
        return self.sink.heard_frame(self._frames)

    def heard_seconds(self) -> float:
        return self.heard_frame() / self.sink.rate


def start(
    renderer: BlockRenderer,
    *,
    device: str | int | None = None,
    latency: float | str | None = None,
    blocksize: int = 256,
    sink: Sink | None = None,
    companions: Sequence[Companion] = (),
) -> Player:
    """Start playing ``renderer`` through the sound card (or ``sink``) at the renderer's
    rate, and return the player: the one way a variant and a metronome reach a sink. The
    player closes the ``companions`` when it closes.

    Raises:
        AudioDeviceError: no PortAudio, no output device, an unknown device, a device error.
    """
    if sink is None:
        sink = SoundDeviceSink(
            rate=renderer.rate, blocksize=blocksize, device=device, latency=latency
        )
    return Player(renderer, sink, companions=companions, close_companions=True).start()
