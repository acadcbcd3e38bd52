"""Taps from a MIDI input: a drum pad or a keyboard, each note-on with a velocity above 0
one tap, stamped with the player's clock (the frame heard) as it arrives, on the MIDI
library's thread. The ports are :mod:`theme.live.midiports`' (``THEME_MIDI_API`` chooses
ALSA or JACK).
"""

from __future__ import annotations

import collections
from collections.abc import Callable
from typing import Any

__all__ = ["MidiTaps"]


class MidiTaps:
    """The MIDI input ``port`` (a name or a part of one) as a source of taps; ``clock()``
    gives the frame heard now. A context manager; closing twice does nothing.

    Raises:
        MidiDeviceError: no python-rtmidi, or no such port (the ports there are are listed).
    """

    def __init__(self, port: str, clock: Callable[[], int]):
        from theme.live.midiports import WatchedInput

        self._clock = clock
        self._frames: collections.deque[int] = collections.deque()
        self._input = WatchedInput(port, self._received)
        self.name: str = self._input.name
        self.received = 0
        """Note-ons counted as taps so far."""

    def _received(self, message: Any) -> None:
        if message.type == "note_on" and message.velocity > 0:
            self._frames.append(self._clock())  # first: the stamp is the arrival
            self.received += 1

    def taken(self) -> list[int]:
        """The frames heard at each tap since the last call."""
        taps = []
        while self._frames:
            taps.append(self._frames.popleft())
        return taps

    def check(self) -> None:
        """Every :data:`theme.live.midiports.WATCH_SECONDS`, look whether the port is still
        there.

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
