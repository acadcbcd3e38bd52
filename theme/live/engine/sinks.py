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
- :class:`ClockedSink`: no sound card, but a clock: the system's monotonic clock counted in
  frames, for MIDI out with no sound (``--no-audio``).
- :class:`SteppedSink`: a simulated sound card whose clock moves one block per look.
- :class:`ManualSink`: the caller is the sound card (benchmarks, tests of a late renderer).
"""

from __future__ import annotations

import abc
import atexit
import contextlib
import os
import sys
import threading
import time
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np

from theme.errors import AudioDeviceError
from theme.live.engine.devices import (
    LATENCY_RANGE,
    NO_PORTAUDIO,
    Device,
    _sounddevice,
    check_device,
    check_latency,
    devices,
    find_device,
    held_signals,
    portaudio_lock,
)
from theme.live.engine.priority import raise_priority

__all__ = [
    "LATENCY_RANGE",
    "NO_PORTAUDIO",
    "STALL_SECONDS",
    "ArraySink",
    "ClockedSink",
    "Device",
    "ManualSink",
    "Sink",
    "SoundDeviceSink",
    "SteppedSink",
    "check_device",
    "check_latency",
    "devices",
    "find_device",
    "resolve_device",
]

STALL_SECONDS = 5.0
"""A stream whose callback has not run for this long by the stream's own clock (seconds)
has lost its device."""
MAX_UNDERRUNS_KEPT = 64
"""How many underrun positions a sink keeps (it counts them all)."""
CLOSE_SECONDS = 2.0
"""How long closing a stream may take before it is left behind (a dead server's stream
may never close)."""

_S = TypeVar("_S", bound="Sink")
Pull = Callable[[np.ndarray], bool]
"""Fills one output block; returns False after the last block."""


class Sink(abc.ABC):
    """Where blocks go. Subclasses fill in ``_open``, ``_close`` and ``_heard_frame``.

    A ``realtime`` sink pulls on a clock of its own (the sound card); the player renders
    ahead of it on a thread. A sink that is not realtime pulls as fast as it can, and the
    player renders each block when it is pulled.
    """

    realtime = True
    renders_late = False
    """A realtime sink with no sound card may have a block the producer is late for rendered
    in its own thread when it pulls it (waiting for one being rendered), rather than play
    silence: nothing is heard, so the music stays on its frames (still counted as an
    underrun, for what follows the blocks, MIDI out, gets it late)."""

    def __init__(self, *, rate: int = 48000, blocksize: int = 256):
        self.rate = rate
        self.blocksize = blocksize
        self.underruns = 0
        self.latency_seconds = 0.0
        self._pull: Pull | None = None
        self.done = threading.Event()
        self._closing_lock = threading.Lock()

    def open(self, pull: Pull) -> None:
        """Start calling ``pull`` once per block of ``blocksize`` frames."""
        self._pull = pull
        self.done.clear()
        self._closed = False
        self._open()

    def reserve(self) -> None:  # noqa: B027 (a sink with no device has none to wait for)
        """Wait until the device is free for this sink and hold it (before anything starts
        that follows the sound: the companions' START); :meth:`close` lets it go."""

    def close(self) -> None:
        """Stop pulling and let go of the device; a second close does nothing."""
        with self._closing_lock:  # two threads closing: one closes
            if getattr(self, "_closed", True):
                return
            self._closed = True
        self._close()

    def check(self) -> None:  # noqa: B027 (a sink with no device has nothing to check)
        """Raise :class:`AudioDeviceError` when the device has been lost mid-stream (a
        sink with no device never loses it)."""

    def __enter__(self: _S) -> _S:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

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


class ClockedSink(Sink):
    """No sound card, but a clock: the system's monotonic clock, counted in frames from the
    moment the sink opened. Block ``k`` is pulled (and thrown away) when that clock reaches
    its first frame, ``k * blocksize`` (a block the producer is late for is rendered then, not
    played as silence: :attr:`Sink.renders_late`); :meth:`heard_frame` is the frame of the
    clock now.
    Its thread waits for each block's time (a wake-up); the time itself always comes from
    the frame count, so the clock never drifts from the system's. The thread asks for
    real-time scheduling (:func:`~theme.live.engine.priority.raise_priority`)."""

    renders_late = True

    def __init__(self, *, rate: int = 48000, blocksize: int = 256):
        super().__init__(rate=rate, blocksize=blocksize)
        self._started = 0.0
        self._closing = threading.Event()
        self._thread: threading.Thread | None = None

    def seconds_of(self, frame: int) -> float:
        """The monotonic clock's time (seconds) of ``frame``."""
        return self._started + frame / self.rate

    def _run(self) -> None:
        assert self._pull is not None
        raise_priority()
        out = np.empty((self.blocksize, 2), dtype=np.float32)
        pulled = 0
        while not self._closing.is_set():
            wait = self.seconds_of(pulled) - time.monotonic()
            if wait > 0 and self._closing.wait(wait):  # a wake-up, not the clock
                break
            more = self._pull(out)
            pulled += self.blocksize
            if not more:  # the last block is heard until its end
                self._closing.wait(max(0.0, self.seconds_of(pulled) - time.monotonic()))
                break
        self.done.set()

    def _open(self) -> None:
        self._closing.clear()
        self._started = time.monotonic()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _close(self) -> None:
        self._closing.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(CLOSE_SECONDS)

    def _heard_frame(self, frames_pulled: int) -> int:
        if not self._started:
            return 0
        now = int((time.monotonic() - self._started) * self.rate)
        return max(0, min(frames_pulled, now))


def resolve_device(device: str | int | None) -> int | None:
    """A device index from an index, a part of a name, ``THEME_AUDIO_DEVICE``, or None for
    PortAudio's default, among the output devices listed now (:func:`find_device`).

    Raises:
        AudioDeviceError: no output device at all, or none matching.
    """
    check_device(device)
    return find_device(device, devices())


_OPEN: weakref.WeakSet[SoundDeviceSink] = weakref.WeakSet()
"""The sinks whose stream is open: closed at exit if still open, before PortAudio ends (a
stream's callback that calls Python while the interpreter shuts down crashes it)."""


EXIT_CLOSE_SECONDS = 10.0
"""How long the exit waits for streams still closing (seconds) before it leaves them."""

_CLOSING: list[threading.Thread] = []
"""Threads still closing a stream that took longer than :data:`CLOSE_SECONDS`."""


_EXIT_STATUS: list[int] = []
"""The status the program said it ends with (:func:`exit_status`)."""


def exit_status(code: int) -> None:
    """Say the status the program is about to exit with (the command line's code): if a
    stream is still closing when it ends, the process leaves at once with this status."""
    _EXIT_STATUS[:] = [code]


def _close_open_sinks() -> None:
    """At exit, before PortAudio ends: close the sinks still open and wait for the streams
    still closing. PortAudio must end (its JACK client closed) for the process to exit
    cleanly; a stream still closing after :data:`EXIT_CLOSE_SECONDS` (a loaded machine, a
    device that will not close) keeps it from ending, and so does a lost device's stream,
    left behind unclosed: the process then leaves at once (:func:`_leave_now`). The
    interpreter must not end while PortAudio's thread can still call into it (a stream
    still closing crashed it, signal 11, every time; a JACK server that died mid-piece,
    once in two passes of the tests beside two CPU burners)."""
    for sink in list(_OPEN):
        sink.close()
    deadline = time.monotonic() + EXIT_CLOSE_SECONDS
    for closer in _CLOSING:
        closer.join(max(0.0, deadline - time.monotonic()))
    if _LEFT_BEHIND or any(closer.is_alive() for closer in _CLOSING):
        _skip_portaudio_exit()
        _leave_now()


def _leave_now() -> None:
    """End the process at once: its output flushed, with the status the program said
    (:func:`exit_status`), else 1 after an uncaught exception, else 0. Exit handlers
    registered before this one do not run (they would end PortAudio or the interpreter
    under the closing stream)."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    status = _EXIT_STATUS[0] if _EXIT_STATUS else 1 if hasattr(sys, "last_value") else 0
    os._exit(status)


def _skip_portaudio_exit() -> None:
    """Keep sounddevice's exit handler from ending PortAudio: it would wait for ever for a
    stream that will not close."""
    if "sounddevice" in sys.modules:  # nothing to keep from ending where it was never used
        atexit.unregister(_sounddevice()._exit_handler)


def _close_first_at_exit() -> None:
    """(Re-)register :func:`_close_open_sinks` at exit, after sounddevice's own handler
    (imported by now where a stream opens), so that it runs before it."""
    atexit.unregister(_close_open_sinks)
    atexit.register(_close_open_sinks)


def close_in_time(close: Callable[[], None], seconds: float, *, name: str) -> bool:
    """Run ``close`` (a device's client let go: a JACK client deactivated and closed) on a
    thread named ``name`` and wait ``seconds`` for it; True if it ended. One that has not
    (a server that does not answer) is left to itself, and if it is still at it when the
    program ends, the process leaves at once (as for a stream still closing: the
    interpreter must not end under it). What ``close`` raises is not passed on."""

    def closing() -> None:
        with contextlib.suppress(Exception):
            close()

    closer = threading.Thread(target=closing, name=name, daemon=True)
    _CLOSING[:] = [*(other for other in _CLOSING if other.is_alive()), closer]  # before the
    # wait (a signal may end it); those that ended are let go (a program may play again)
    _close_first_at_exit()
    closer.start()
    closer.join(seconds)
    return not closer.is_alive()


def a_close_is_unanswered() -> bool:
    """Whether a close is still waiting for its server beyond its bound: a stream, or a
    client given to :func:`close_in_time`. A JACK server that does not answer one does not
    answer the next, and a close that holds Python's lock while it waits (python-rtmidi's)
    would keep the whole program waiting with it."""
    return any(closer.is_alive() for closer in _CLOSING)


class _Turns:
    """Whose turn it is on each sound card: one open stream a device at a time.

    A sink takes the device's turn when it opens and gives it back when it closes (or its
    stream is left behind). A sink that finds the device taken waits for it; a sink holding
    it whose music has ended (a player started with ``wait=False`` and never closed) is
    closed for it. A thread that would wait for a stream it holds itself, still playing, is
    refused: it would wait for ever.
    """

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._holders: dict[object, tuple[SoundDeviceSink, int]] = {}

    def take(self, device: object, sink: SoundDeviceSink) -> None:
        """Wait for ``device``'s turn and take it for ``sink``.

        Raises:
            AudioDeviceError: this thread holds the device with music still playing.
        """
        me = threading.get_ident()
        while True:
            with self._changed:
                if device not in self._holders:
                    self._holders[device] = (sink, me)
                    return
                holder, thread = self._holders[device]
                if not holder.done.is_set():
                    if thread == me:
                        raise AudioDeviceError(
                            f"the audio device {_device_name(device)} is already playing in "
                            "this thread: stop or close the first player before playing again"
                        )
                    self._changed.wait(0.1)  # Ctrl-C is raised here
                    continue
            with contextlib.suppress(AudioDeviceError):  # its error is not this sink's
                holder.close()  # played out and not closed: closed here (gives it back)
            with self._changed:
                if self._holders.get(device, (None, 0))[0] is holder:
                    self._changed.wait(0.1)  # its own thread is closing it

    def give_back(self, sink: SoundDeviceSink) -> None:
        """``sink`` no longer holds its device (nothing when it holds none)."""
        with self._changed:
            for device, (holder, _) in list(self._holders.items()):
                if holder is sink:
                    del self._holders[device]
                    self._changed.notify_all()


_TURNS = _Turns()


def _device_name(device: object) -> str:
    return str(device) if isinstance(device, int) else "(the default)"


def _device_of(sd: Any, index: int | None) -> object:
    """The device a stream on ``index`` (None: PortAudio's default output) plays on: its
    index, so that the default and its index are one device."""
    if index is not None:
        return index
    try:
        return int(sd.query_devices(kind="output")["index"])
    except (sd.PortAudioError, KeyError, TypeError, ValueError):
        return "default"


_LEFT_BEHIND: list[Any] = []
"""Streams of a lost device, kept (never closed: closing one can hang) until the exit."""


class SoundDeviceSink(Sink):
    """The sound card, through a ``sounddevice.OutputStream`` that this object owns.

    ``device`` and ``latency`` are checked at once (:func:`check_device`,
    :func:`check_latency`); the device is looked up when the sink opens. A stream that stops
    by itself (its server gone, the device unplugged) or whose callback stalls for
    :data:`STALL_SECONDS` by the stream's clock makes :meth:`check` raise
    :class:`AudioDeviceError`.

    Threads: one stream a device at a time in a process. A sink opening on a device whose
    stream another thread's sink holds waits until that one closes (its music ended and
    closed, or stopped); opening on a device this thread holds with music still playing is
    an :class:`AudioDeviceError`. PortAudio itself is called by one thread at a time
    (:func:`~theme.live.engine.devices.portaudio_lock`).
    """

    def __init__(
        self,
        *,
        rate: int = 48000,
        blocksize: int = 256,
        device: str | int | None = None,
        latency: float | str | None = None,
    ):
        super().__init__(rate=rate, blocksize=blocksize)
        self.device = check_device(device)
        self.latency = check_latency(latency)
        self._stream: Any = None
        self._underrun_at = np.zeros(MAX_UNDERRUNS_KEPT, dtype=np.int64)
        self._block_dac_time = 0.0
        self._block_start_frame = 0
        self._ending = False
        self.lost = False
        self._reserved: tuple[int | None] | None = None
        """The device index (None: the default) whose turn this sink holds, if it does."""

    @property
    def underrun_frames(self) -> list[int]:
        """Where the device reported the first underruns (frames played before each)."""
        return [int(f) for f in self._underrun_at[: min(self.underruns, MAX_UNDERRUNS_KEPT)]]

    def reserve(self) -> None:
        """Look the device up and wait for its turn (see the class's threads); a second
        reserve before the sink closes does nothing.

        Raises:
            AudioDeviceError: no such device, or this thread is still playing on it.
        """
        if self._reserved is not None:
            return
        sd = _sounddevice()
        device = resolve_device(self.device)
        with portaudio_lock():
            turn = _device_of(sd, device)
        _TURNS.take(turn, self)
        self._reserved = (device,)
        self._closed = False  # a close lets the device go even if no stream was opened
        self.done.clear()  # playing from now on, for a thread waiting for the device

    def _open(self) -> None:
        sd = _sounddevice()
        try:
            self.reserve()
            assert self._reserved is not None
            self._open_stream(sd, self._reserved[0])
        except BaseException:
            self._let_go()
            raise

    def _let_go(self) -> None:
        """Give the device's turn back (nothing when this sink holds none)."""
        self._reserved = None
        _TURNS.give_back(self)

    def _open_stream(self, sd: Any, device: int | None) -> None:
        pull = self._pull
        assert pull is not None
        frames_done = [0]
        kept = self._underrun_at
        self._ending = False
        self.lost = False
        self._block_dac_time = 0.0  # a stream opened again (after a pause) has a clock anew
        self._block_start_frame = 0

        def callback(outdata: np.ndarray, frames: int, timing: Any, status: Any) -> None:
            if status.output_underflow:  # no allocation here: a slot of a preallocated array
                if self.underruns < MAX_UNDERRUNS_KEPT:
                    kept[self.underruns] = frames_done[0]
                self.underruns += 1
            self._block_dac_time = timing.outputBufferDacTime
            self._block_start_frame = frames_done[0]
            more = pull(outdata)
            frames_done[0] += frames
            if not more:
                self._ending = True
                raise sd.CallbackStop

        try:
            with held_signals(), portaudio_lock():  # a stream half opened by Ctrl-C crashes
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
                _close_first_at_exit()
                _OPEN.add(self)
                self.latency_seconds = float(self._stream.latency)
                self._stream.start()
        except sd.PortAudioError as err:
            raise AudioDeviceError(
                f"the audio device failed: {err}; try another with --device (see 'theme devices') "
                "or write a file with -o FILE.wav"
            ) from err

    def check(self) -> None:
        """Raise :class:`AudioDeviceError` when the stream stopped by itself (not at the end
        of the music) or its callback has not run for :data:`STALL_SECONDS` of the stream's
        clock; the stream is then left behind, not closed."""
        stream = self._stream
        if stream is None or self.done.is_set():
            return
        sd = _sounddevice()
        try:
            stopped = not stream.active and not self._ending
            stalled = bool(self._block_dac_time) and (
                stream.time - self._block_dac_time - self.latency_seconds > STALL_SECONDS
            )
        except sd.PortAudioError as err:
            self._leave_behind()
            raise AudioDeviceError(f"the audio device was lost: {err}") from err
        if stopped or stalled:
            self._leave_behind()
            how = "stopped" if stopped else f"gave no sound for {STALL_SECONDS:g} seconds"
            raise AudioDeviceError(
                f"the audio device was lost during playback (its stream {how}): "
                "check the device or its sound server, then play again"
            )

    def _leave_behind(self, *, closing: threading.Thread | None = None) -> None:
        """Forget a lost device's stream without closing it (PortAudio can hang closing a
        stream whose server has gone, and again at exit): the player stops at once. A
        stream still ``closing`` on a thread is waited for at the exit."""
        _OPEN.discard(self)
        if closing is None:
            _skip_portaudio_exit()  # its Pa_Terminate would wait for the dead stream
        else:
            _CLOSING.append(closing)
        _LEFT_BEHIND.append(self._stream)
        self._stream = None
        self.lost = True
        self._closed = True
        self.done.set()
        self._let_go()

    def _close(self) -> None:
        _OPEN.discard(self)
        stream = self._stream
        if stream is None:
            self._let_go()
            return
        self._stream = None
        sd = _sounddevice()
        errors: list[BaseException] = []

        def close() -> None:
            try:
                with portaudio_lock():
                    stream.close()
            except (sd.PortAudioError, AudioDeviceError) as err:
                errors.append(err)

        closer = threading.Thread(target=close, daemon=True)
        closer.start()
        closer.join(CLOSE_SECONDS)
        if closer.is_alive():  # a stream that will not close: leave it, exit anyway (the
            # closer keeps PortAudio until it returns: nothing else may run in it beside it)
            self._stream = stream
            self._leave_behind(closing=closer)
            return
        self._let_go()
        if errors:
            raise AudioDeviceError(f"the audio device failed to close: {errors[0]}") from errors[0]

    def _heard_frame(self, frames_pulled: int) -> int:
        stream = self._stream
        if stream is None or not self._block_dac_time:
            return 0
        sd = _sounddevice()
        try:
            now = stream.time
        except sd.PortAudioError as err:
            raise AudioDeviceError(f"the audio device's clock failed: {err}") from err
        elapsed = now - self._block_dac_time
        return max(0, self._block_start_frame + int(elapsed * self.rate))
