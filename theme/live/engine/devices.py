"""Output devices: listing them, checking a device name or index and a latency, and
finding the device PortAudio should open. sounddevice (and PortAudio) are imported only
when a device is listed or looked up.
"""

from __future__ import annotations

import contextlib
import math
import os
import signal
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from theme.errors import AudioDeviceError, UsageError
from theme.live import LATENCY_RANGE
from theme.safe_text import clip, did_you_mean

__all__ = [
    "LATENCY_RANGE",
    "NO_PORTAUDIO",
    "Device",
    "check_device",
    "check_latency",
    "devices",
    "find_device",
    "held_signals",
    "portaudio_lock",
]

NO_PORTAUDIO = (
    "no PortAudio library: install it (Debian/Ubuntu: apt-get install libportaudio2), "
    "or write a file instead with -o FILE.wav"
)


@contextlib.contextmanager
def held_signals() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM while PortAudio starts or opens a stream, and deliver them
    right after: interrupted there, PortAudio is left half started, with a sound server's
    client that nothing will close, and the process crashes at exit. (Blocking the signals
    would not do: the kernel hands them to another thread, and Python runs the handler in the
    main thread all the same.)"""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pending: list[int] = []

    def hold(signum: int, frame: object) -> None:
        pending.append(signum)

    held = (signal.SIGINT, signal.SIGTERM)
    previous = {held_signal: signal.signal(held_signal, hold) for held_signal in held}
    try:
        yield
    finally:
        for held_signal, handler in previous.items():
            signal.signal(held_signal, signal.SIG_DFL if handler is None else handler)
        for signum in dict.fromkeys(pending):
            signal.raise_signal(signum)


PORTAUDIO_WAIT_SECONDS = 10.0
"""How long a call waits for PortAudio while another thread uses it (seconds): a stream of
a lost device that will not close keeps it for ever."""


class _PortAudio:
    """PortAudio is not thread-safe: listing devices, opening, starting and closing a stream
    happen while one thread holds this, one at a time (two threads opening streams at once,
    or one opening while another is still closing, hang or crash inside libjack). Held again
    by its holder, it counts. A thread stuck in PortAudio (closing a stream of a lost device)
    keeps it: the others wait :data:`PORTAUDIO_WAIT_SECONDS` and are refused in one line,
    never let in beside it."""

    def __init__(self) -> None:
        self._free = threading.Condition()
        self._owner: int | None = None
        self._depth = 0

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        me = threading.get_ident()
        with self._free:
            if self._owner != me:
                if not self._free.wait_for(lambda: self._owner is None, PORTAUDIO_WAIT_SECONDS):
                    raise AudioDeviceError(
                        f"PortAudio has been busy for {PORTAUDIO_WAIT_SECONDS:g} seconds: check "
                        "the device or its sound server"
                    )
                self._owner, self._depth = me, 0
            self._depth += 1
        try:
            yield
        finally:
            with self._free:
                self._depth -= 1
                if not self._depth:
                    self._owner = None
                    self._free.notify_all()


_PORTAUDIO = _PortAudio()


def portaudio_lock() -> contextlib.AbstractContextManager[None]:
    """Hold PortAudio for one call that lists devices, opens, starts or closes a stream.

    Raises:
        AudioDeviceError: another thread has held it for :data:`PORTAUDIO_WAIT_SECONDS`.
    """
    return _PORTAUDIO.held()


def _sounddevice() -> Any:
    try:
        with held_signals():
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
        AudioDeviceError: no PortAudio library, or PortAudio failed to list them.
    """
    sd = _sounddevice()
    try:
        with portaudio_lock():
            hostapis = sd.query_hostapis()
            default_out = sd.default.device[1]
            found = sd.query_devices()
    except sd.PortAudioError as err:
        raise AudioDeviceError(f"PortAudio could not list the audio devices: {err}") from err
    return [
        Device(
            i, d["name"], hostapis[d["hostapi"]]["name"], d["max_output_channels"], i == default_out
        )
        for i, d in enumerate(found)
        if d["max_output_channels"] > 0
    ]


def check_device(device: object) -> str | int | None:
    """``device`` when it can name an output device: None (the default), an index >= 0, or a
    name that is not blank.

    Raises:
        TypeError: not a str, an int or None.
        UsageError: a negative index.
        AudioDeviceError: a blank name (as any unknown device's name).

    >>> check_device(" hdmi ")
    ' hdmi '
    """
    if device is None:
        return None
    if isinstance(device, bool) or not isinstance(device, (str, int)):
        raise TypeError(f"a device must be a name or an index, not {type(device).__name__}")
    if isinstance(device, int) and device < 0:
        raise UsageError(f"invalid device {device}: an index is 0 or more (see 'theme devices')")
    if isinstance(device, str) and not device.strip():  # an unknown device, as any name
        raise AudioDeviceError(
            f"unknown output device {device!r}: a blank name names no device; expected a "
            "name or an index (see 'theme devices')"
        )
    return device


def check_latency(latency: object) -> float | str | None:
    """``latency`` when a stream can ask for it: None (low), ``'low'``, ``'high'``, or seconds
    within :data:`LATENCY_RANGE`.

    Raises:
        TypeError: not a number, a str or None.
        UsageError: NaN, out of range, or another word.

    >>> check_latency(0.05), check_latency("high")
    (0.05, 'high')
    """
    if latency is None:
        return None
    low, high = LATENCY_RANGE
    if isinstance(latency, str):
        if latency in ("low", "high"):
            return latency
        raise UsageError(f"invalid latency {clip(latency)!r}: expected low, high or seconds")
    if isinstance(latency, bool) or not isinstance(latency, (int, float, Fraction)):
        raise TypeError(f"a latency must be seconds or 'low'/'high', not {type(latency).__name__}")
    if not (math.isfinite(latency) and low <= latency <= high):
        raise UsageError(f"invalid latency {latency:g} seconds: expected {low} to {high} seconds")
    return float(latency)


def find_device(device: str | int | None, outputs: list[Device]) -> int | None:
    """The index among ``outputs`` of ``device`` (an index, or a part of a name, any case),
    of ``THEME_AUDIO_DEVICE`` when ``device`` is None, or None for PortAudio's default.

    Raises:
        AudioDeviceError: no output device at all, or none matching.

    >>> outputs = [Device(0, "Built-in", "ALSA", 2, True), Device(3, "USB", "ALSA", 2, False)]
    >>> find_device("usb", outputs), find_device("0", outputs)
    (3, 0)
    """
    if device is None:
        device = os.environ.get("THEME_AUDIO_DEVICE") or None
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
    close = did_you_mean(text, [d.name for d in outputs])
    raise AudioDeviceError(f"unknown output device {text!r}{close}: expected one of {names}")
