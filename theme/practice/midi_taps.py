"""Taps from a MIDI input: a drum pad or a keyboard, each note-on with a velocity above 0
one tap, stamped with the player's clock (the frame heard) as it arrives, on the MIDI
library's thread. The ports are :mod:`theme.live.midiports`' (``THEME_MIDI_API`` chooses
ALSA or JACK).
"""

from __future__ import annotations

import collections
import time
from collections.abc import Callable
from typing import Any

__all__ = ["CHECK_SECONDS", "MidiTaps"]

CHECK_SECONDS = 0.5
"""How often the input is looked for among the ports there are (a watchdog, not a clock)."""


class MidiTaps:
    """The MIDI input ``port`` (a name or a part of one) as a source of taps; ``clock()``
    gives the frame heard now. A context manager; closing twice does nothing.

    Raises:
        MidiDeviceError: no python-rtmidi, or no such port (the ports there are are listed).
    """

    def __init__(self, port: str, clock: Callable[[], int]):
        from theme.live.midiports import open_input

        self._clock = clock
        self._frames: collections.deque[int] = collections.deque()
        self._port: Any = open_input(port, callback=self._received)
        self.name: str = self._port.name
        self._looked = time.monotonic()
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
        """Every :data:`CHECK_SECONDS`, look whether the port is still there.

        Raises:
            MidiPortLostError: the port has gone away (unplugged, its program ended).
        """
        now = time.monotonic()
        if now - self._looked < CHECK_SECONDS:
            return
        self._looked = now
        from theme.errors import MidiPortLostError

        if not self._still_there():
            raise MidiPortLostError(f"the MIDI input {self.name!r} went away during the run")

    def _still_there(self) -> bool:
        """Whether the port is still listed, asked of the client already open: opening
        another one while the sound card's callback waits for Python would hang a JACK
        server."""
        rt = getattr(self._port, "_rt", None)
        if rt is None:
            return True
        try:
            return bool(self.name in rt.get_ports())
        except Exception:  # the API itself failed: the server is gone
            return False

    def close(self) -> None:
        from theme.live.midiports import close_input

        port, self._port = self._port, None
        if port is not None:
            close_input(port)

    def __enter__(self) -> MidiTaps:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
