"""The seam between the timing logic and the hardware: where blocks go.

A :class:`Sink` pulls blocks: it calls ``pull(out)`` once per block of ``blocksize``
frames, from its own clock, and says which frame is at the speaker now
(:meth:`Sink.heard_frame`). Subclasses fill in ``_open``, ``_close`` and ``_heard_frame``
(as mido's ports fill in ``_open/_send/_close``):

- :class:`SoundDeviceSink`: the sound card, through a ``sounddevice.OutputStream`` it owns;
  what is heard now comes from the stream's own clock (``outputBufferDacTime``, the output
  latency), never from a clock of ours. sounddevice (and PortAudio) are imported only when
  it opens.
- :class:`ArraySink`: no sound card; pulls every block into a numpy array at once.
- :class:`SteppedSink`: a simulated sound card whose clock moves one block per look.
- :class:`ManualSink`: the caller is the sound card (benchmarks, tests of a late renderer).
"""

from __future__ import annotations

import abc
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from theme.errors import AudioDeviceError

__all__ = [
    "ArraySink",
    "Device",
    "ManualSink",
    "Sink",
    "SoundDeviceSink",
    "SteppedSink",
    "devices",
    "resolve_device",
]

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
    if text.isdecimal():  # not isdigit: '²' is a digit that int() refuses
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
