"""Taps from a MIDI input: a drum pad or a keyboard, each note-on with a velocity above 0
one tap, placed on the player's clock (the frame heard) where the MIDI library stamped it
as it came in. The ports are :mod:`theme.live.sync.midiports`' (``THEME_MIDI_API`` chooses ALSA
or JACK).

The port is read as MIDI clock in reads it (:class:`~theme.live.sync.midiports.StampedInput`):
no Python runs on the MIDI library's thread, a reader thread of its own takes the
library's queue every few milliseconds, each message once, with the library's stamp; a
tap is placed that long before the frame heard when it was read
(:class:`~theme.live.sync.midi_clock_in.StampMap` puts the stamps on the host's clock).
"""

from __future__ import annotations

import collections
from collections.abc import Callable

from theme.live.sync.midi_clock_in import StampMap
from theme.live.sync.midiports import StampedInput

__all__ = ["MidiTaps"]


class MidiTaps:
    """The MIDI input ``port`` (a name or a part of one) as a source of taps; ``clock()``
    gives the frame heard now, ``rate`` frames a second. A context manager; closing twice
    does nothing.

    Raises:
        MidiDeviceError: no python-rtmidi, or no such port (the ports there are are listed).
    """

    def __init__(self, port: str, clock: Callable[[], int], *, rate: int = 48000):
        self._clock = clock
        self.rate = rate
        self._stamps = StampMap()
        self._frames: collections.deque[int] = collections.deque()
        self.received = 0
        """Note-ons counted as taps so far."""
        self._input = StampedInput(port, self._received)
        self.name: str = self._input.name

    def _received(self, messages: list[tuple[list[int], int]], read_micros: float) -> None:
        """Messages read from the port (the reader's thread), each ``(bytes, stamp)``."""
        if not messages:
            return
        heard = self._clock()
        stamps = self._stamps
        stamps.read(stamp=messages[-1][1], read_micros=read_micros)
        for data, stamp in messages:
            if len(data) >= 3 and data[0] & 0xF0 == 0x90 and data[2] > 0:
                ago = max(0.0, read_micros - stamps.host(stamp))  # microseconds
                self._frames.append(max(0, heard - round(ago * self.rate / 1e6)) if heard else 0)
                self.received += 1

    def taken(self) -> list[int]:
        """The frames heard at each tap since the last call."""
        taps = []
        while self._frames:
            taps.append(self._frames.popleft())
        return taps

    def check(self) -> None:
        """Raise if the reader has seen the port go (it looks every
        :data:`theme.live.sync.midiports.WATCH_SECONDS`).

        Raises:
            MidiPortLostError: the port has gone away (unplugged, its program ended).
        """
        self._input.check()

    def close(self) -> None:
        self._input.close()

    def __enter__(self) -> MidiTaps:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
