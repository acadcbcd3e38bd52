"""Live sound: a player that feeds a sink, and the sinks (sound card or numpy array).

The seam between the timing logic and the hardware is :class:`Sink`. A sink pulls blocks:
it calls ``pull(out)`` once per block, from its own clock (the sound card's callback, or a
loop for :class:`ArraySink`). The :class:`Player` renders ahead of the sink on a producer
thread into a ring of preallocated blocks, so the pull that runs in the audio callback only
copies one block, with no allocation, lock, I/O or printing; when the renderer falls behind
the callback plays silence and counts an underrun.

What is heard *now* comes from the stream's own clock (``outputBufferDacTime``, the output
latency), never from a clock of ours: :meth:`Player.heard_frame`.

sounddevice (and PortAudio) are imported only when a :class:`SoundDeviceSink` opens.
"""

from __future__ import annotations

import abc
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from theme.errors import AudioDeviceError
from theme.renderers.audio import BlockRenderer

if TYPE_CHECKING:
    from theme.timeline import Timeline

__all__ = ["ArraySink", "Player", "Sink", "SoundDeviceSink", "SteppedSink", "devices", "play"]

RING_BLOCKS = 32
FADE_SECONDS = 0.03

Pull = Callable[[np.ndarray], bool]
"""Fills one output block; returns False after the last block."""

NO_PORTAUDIO = (
    "no PortAudio library: install it (Debian/Ubuntu: apt-get install libportaudio2), "
    "or write a file instead with -o FILE.wav"
)


class Sink(abc.ABC):
    """Where blocks go. Subclasses fill in ``_open``, ``_close`` and ``_heard_frame``.

    A ``realtime`` sink pulls on a clock of its own (the sound card); the player renders
    ahead of it on a thread. A sink that is not realtime pulls as fast as it can, and the
    player renders each block when it is pulled.
    """

    realtime = True

    def __init__(self, *, rate: int = 48000, blocksize: int = 256):
        self.rate = rate
        self.blocksize = blocksize
        self.underruns = 0
        self.latency_seconds = 0.0
        self._pull: Pull | None = None
        self.done = threading.Event()

    def open(self, pull: Pull) -> None:
        """Start calling ``pull`` once per block of ``blocksize`` frames."""
        self._pull = pull
        self._open()

    def close(self) -> None:
        self._close()

    def heard_frame(self, frames_pulled: int) -> int:
        """The frame at the speaker now, given how many frames have been pulled."""
        return self._heard_frame(frames_pulled)

    @abc.abstractmethod
    def _open(self) -> None:
        """Start pulling (a sound card's stream, or a loop)."""

    @abc.abstractmethod
    def _close(self) -> None:
        """Stop pulling and let go of the device."""

    @abc.abstractmethod
    def _heard_frame(self, frames_pulled: int) -> int:
        """The frame at the speaker now."""


class ArraySink(Sink):
    """A sink with no sound card: pulls every block into a numpy array as fast as it can.

    ``latency_frames`` simulates an output latency for :meth:`heard_frame`. After
    :meth:`open` returns, ``data`` holds everything played.
    """

    realtime = False

    def __init__(self, *, rate: int = 48000, blocksize: int = 256, latency_frames: int = 0):
        super().__init__(rate=rate, blocksize=blocksize)
        self.latency_frames = latency_frames
        self.latency_seconds = latency_frames / rate
        self.blocks: list[np.ndarray] = []

    def _open(self) -> None:
        assert self._pull is not None
        more = True
        while more:
            out = np.empty((self.blocksize, 2), dtype=np.float32)
            more = self._pull(out)
            self.blocks.append(out)
        self.done.set()

    def _close(self) -> None:
        pass

    def _heard_frame(self, frames_pulled: int) -> int:
        return max(0, frames_pulled - self.latency_frames)

    @property
    def data(self) -> np.ndarray:
        """Everything played, (frames, 2) float32."""
        return np.concatenate(self.blocks) if self.blocks else np.zeros((0, 2), np.float32)


class SteppedSink(ArraySink):
    """A simulated sound card for tests of live code: each look at the clock
    (:meth:`heard_frame`) plays one more block, so time moves only when asked."""

    def _open(self) -> None:
        pass

    def _heard_frame(self, frames_pulled: int) -> int:
        if not self.done.is_set():
            assert self._pull is not None
            out = np.empty((self.blocksize, 2), dtype=np.float32)
            more = self._pull(out)
            self.blocks.append(out)
            if not more:
                self.done.set()
            frames_pulled += self.blocksize
        return max(0, frames_pulled - self.latency_frames)


class ManualSink(Sink):
    """A realtime sink whose sound card is the caller: each :meth:`callback` pulls one block,
    as a sound card's callback would. With ``Player.start(producer=False)`` nothing renders
    ahead but :meth:`Player.fill_ahead`: for timing the callback alone, and for simulating a
    renderer that is late."""

    def _open(self) -> None:
        pass

    def _close(self) -> None:
        pass

    def _heard_frame(self, frames_pulled: int) -> int:
        return frames_pulled

    def callback(self, out: np.ndarray) -> bool:
        """Pull one block into ``out`` (frames, 2); False after the last block."""
        assert self._pull is not None, "open the sink first (Player.start)"
        return self._pull(out)


def _sounddevice() -> Any:
    try:
        import sounddevice
    except (OSError, ImportError):  # OSError: the PortAudio library is missing
        raise AudioDeviceError(NO_PORTAUDIO) from None
    return sounddevice


@dataclass(frozen=True)
class Device:
    """An output device: its index, name, host API and channel count."""

    index: int
    name: str
    hostapi: str
    channels: int
    default: bool


def devices() -> list[Device]:
    """The output devices PortAudio sees.

    Raises:
        AudioDeviceError: no PortAudio library.
    """
    sd = _sounddevice()
    hostapis = sd.query_hostapis()
    default_out = sd.default.device[1]
    return [
        Device(
            i, d["name"], hostapis[d["hostapi"]]["name"], d["max_output_channels"], i == default_out
        )
        for i, d in enumerate(sd.query_devices())
        if d["max_output_channels"] > 0
    ]


def resolve_device(device: str | int | None) -> int | None:
    """A device index from an index, a part of a name, ``THEME_AUDIO_DEVICE``, or None for
    PortAudio's default.

    Raises:
        AudioDeviceError: no output device at all, or none matching.
    """
    if device is None:
        device = os.environ.get("THEME_AUDIO_DEVICE") or None
    outputs = devices()
    if not outputs:
        raise AudioDeviceError(
            "no audio output device found: connect or enable one (see 'theme devices'), "
            "or write a file instead with -o FILE.wav"
        )
    if device is None:
        return None
    text = str(device).strip()
    if text.isdigit():
        if any(d.index == int(text) for d in outputs):
            return int(text)
    else:
        matches = [d for d in outputs if text.lower() in d.name.lower()]
        if matches:
            return matches[0].index
    names = ", ".join(f"{d.index} ({d.name})" for d in outputs)
    raise AudioDeviceError(f"unknown output device {text!r}: expected one of {names}")


class SoundDeviceSink(Sink):
    """The sound card, through a ``sounddevice.OutputStream`` that this object owns."""

    def __init__(
        self,
        *,
        rate: int = 48000,
        blocksize: int = 256,
        device: str | int | None = None,
        latency: float | str | None = None,
    ):
        super().__init__(rate=rate, blocksize=blocksize)
        self.device = device
        self.latency = latency
        self._stream: Any = None
        self.underrun_frames: list[int] = []
        """Where the device reported each underrun (frames played before it)."""
        self._block_dac_time = 0.0
        self._block_start_frame = 0

    def _open(self) -> None:
        sd = _sounddevice()
        device = resolve_device(self.device)
        pull = self._pull
        assert pull is not None
        frames_done = [0]

        def callback(outdata: np.ndarray, frames: int, timing: Any, status: Any) -> None:
            if status.output_underflow:
                self.underruns += 1
                self.underrun_frames.append(frames_done[0])
            self._block_dac_time = timing.outputBufferDacTime
            self._block_start_frame = frames_done[0]
            more = pull(outdata)
            frames_done[0] += frames
            if not more:
                raise sd.CallbackStop

        try:
            self._stream = sd.OutputStream(
                samplerate=self.rate,
                blocksize=self.blocksize,
                channels=2,
                dtype="float32",
                device=device,
                latency=self.latency if self.latency is not None else "low",
                callback=callback,
                finished_callback=self.done.set,
                prime_output_buffers_using_stream_callback=True,
            )
            self.latency_seconds = float(self._stream.latency)
            self._stream.start()
        except sd.PortAudioError as exc:
            raise AudioDeviceError(
                f"the audio device failed: {exc}; try another with --device (see 'theme devices') "
                "or write a file with -o FILE.wav"
            ) from None

    def _close(self) -> None:
        if self._stream is not None:
            self._stream.close()
            self._stream = None

    def _heard_frame(self, frames_pulled: int) -> int:
        stream = self._stream
        if stream is None or not self._block_dac_time:
            return 0
        elapsed = stream.time - self._block_dac_time
        return max(0, self._block_start_frame + int(elapsed * self.rate))


class Player:
    """Plays a renderer through a sink, rendering ahead on a producer thread.

    The pull that runs in the sink's callback copies one preallocated block from the ring;
    a stop fades out over 30 ms (no click). ``underruns`` counts blocks the renderer was
    late for (the sink's own count is added).
    """

    def __init__(self, renderer: BlockRenderer, sink: Sink):
        self.renderer = renderer
        self.sink = sink
        n = sink.blocksize
        self._ring = np.zeros((RING_BLOCKS, n, 2), dtype=np.float32)
        self._filled = [0] * RING_BLOCKS
        self._written = 0  # blocks produced (only the producer writes it)
        self._read = 0  # blocks consumed (only the callback writes it)
        self._ended = False
        self._stopping = False
        self._fade_left = int(FADE_SECONDS * sink.rate)
        self._fade = np.linspace(1.0, 0.0, self._fade_left, dtype=np.float32)
        self._late = 0
        self._frames = 0
        self._producer = threading.Thread(target=self._produce, daemon=True)
        self._render_lock = threading.Lock()  # between the producer and with_renderer only

    def _produce(self) -> None:
        while not self._ended and not self._stopping:
            if self._written - self._read >= RING_BLOCKS:
                time.sleep(0.001)  # waiting for room, not keeping time
                continue
            self._produce_one()
            time.sleep(0)  # let the audio callback have the GIL between two blocks

    def _produce_one(self) -> None:
        slot = self._written % RING_BLOCKS
        with self._render_lock:
            self._filled[slot] = self.renderer.fill(self._ring[slot])
        self._written += 1
        if self._filled[slot] < self.sink.blocksize:
            self._ended = True

    def fill_ahead(self) -> None:
        """Render blocks until the ring is full or the music has ended."""
        while self._written - self._read < RING_BLOCKS and not self._ended:
            self._produce_one()

    def pull(self, out: np.ndarray) -> bool:
        """The sink's callback: copy the next block into ``out`` (frames, 2); False after the
        last block. Only copies (it renders only for a sink that is not realtime)."""
        if self._read >= self._written and not self.sink.realtime and not self._ended:
            self._produce_one()
        if self._read >= self._written:
            out.fill(0.0)
            if self._ended:
                return False
            self._late += 1
            self._frames += len(out)
            return True
        slot = self._read % RING_BLOCKS
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
        """Render the first blocks, then start the sink. For a realtime sink a producer
        thread keeps rendering ahead; ``producer=False`` leaves that to :meth:`fill_ahead`."""
        self.fill_ahead()
        if self.sink.realtime and producer:
            self._producer.start()
        self.sink.open(self.pull)
        return self

    def with_renderer(self, change: Callable[[BlockRenderer], None]) -> None:
        """Run ``change(renderer)`` between two blocks of the producer (never during one):
        how the live metronome changes its tempo. The blocks already in the ring play on."""
        with self._render_lock:
            change(self.renderer)

    @property
    def active(self) -> bool:
        return not self.sink.done.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until the music has played out (or ``timeout`` seconds); True when it has."""
        return self.sink.done.wait(timeout)

    def stop(self) -> None:
        """Fade out over 30 ms and stop."""
        self._stopping = True
        self.sink.done.wait(1.0)
        self.close()

    def close(self) -> None:
        self._ended = True
        self.sink.close()
        if self._producer.is_alive():
            self._producer.join(1.0)

    @property
    def underruns(self) -> int:
        return self._late + self.sink.underruns

    def heard_frame(self) -> int:
        """The frame at the speaker now (from the stream's clock and latency)."""
        return self.sink.heard_frame(self._frames)

    def heard_seconds(self) -> float:
        return self.heard_frame() / self.sink.rate


def play(
    timeline: Timeline,
    *,
    device: str | int | None = None,
    latency: float | str | None = None,
    rate: int = 48000,
    blocksize: int = 256,
    sink: Sink | None = None,
    wait: bool = True,
) -> Player:
    """Play a timeline through the sound card (or ``sink``); return the player.

    With ``wait`` it returns when the music has played out; Ctrl-C fades out and re-raises.

    Raises:
        AudioDeviceError: no PortAudio, no output device, an unknown device, a device error.
    """
    renderer = BlockRenderer.for_timeline(timeline, rate=rate)
    sink = sink or SoundDeviceSink(rate=rate, blocksize=blocksize, device=device, latency=latency)
    player = Player(renderer, sink).start()
    if wait:
        try:
            player.wait()
        except KeyboardInterrupt:
            player.stop()
            raise
        player.close()
    return player
