"""Companions: things that follow the audio clock besides the sound card (MIDI out, MIDI
clock, a Link session).

A :class:`~theme.live.engine.playback.Player` takes ``companions=[...]``. It calls each one:

- :meth:`Companion.transport` with :class:`Transport` ``START`` (or ``CONTINUE`` when the
  player goes on from a pause) before its first block, and ``STOP`` (or ``PAUSE``) when it
  stops: the user stopped it (at the frame heard then), or the music played out (at its last
  frame). Each call gives the frame, the position there (quarter notes from the start of the
  music) and the player's :class:`Clock`.
- :meth:`Companion.block` for each block the player renders, *ahead* of the sound card (up
  to a ring of blocks ahead), with a :class:`Block`: its first frame, its frames, the tempo
  map that placed it (live tempo changes included: a change applies from a block's start, and
  the map before that is unchanged), where the player began, and the events that start in
  it, each with its exact frame. It is called on the player's producer thread, between two
  blocks of the renderer: never while a tempo change is half made.
- :meth:`Companion.check` every time the player looks whether its device is still there (a
  tenth of a second); raising a :class:`~theme.errors.DeviceError` stops the player.

Frames count from where the player began (0 at ``START`` and again at each ``CONTINUE``);
``clock.heard_frame()`` is the frame at the speaker now, from the sound card's clock (or a
clocked sink's). A companion works out *when* each thing of a block happens from its exact
position (``block.frame_of(quarter)``) and does it when the clock reaches that frame: a
block's call comes early, never late, so that nothing it does is timed by the call itself.

A companion's calls must be quick (the producer must keep ahead of the sound card) and must
not raise but for :meth:`Companion.check`.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from theme.core.tempo import TempoMap
    from theme.core.timeline import Event, Layer

__all__ = ["Block", "Clock", "Companion", "Transport"]


class Transport(enum.Enum):
    """What the transport does: a player starts, stops, pauses or goes on from a pause."""

    START = "start"
    STOP = "stop"
    PAUSE = "pause"
    CONTINUE = "continue"

    @property
    def running(self) -> bool:
        """True for START and CONTINUE."""
        return self in (Transport.START, Transport.CONTINUE)


class Clock(Protocol):
    """The audio clock a companion follows: a player's (its sink's)."""

    @property
    def rate(self) -> int:
        """Frames a second."""

    def heard_frame(self) -> int:
        """The frame at the speaker now, counted from where the player began."""


@dataclass(frozen=True)
class Block:
    """One block the player rendered (ahead of the sound card).

    ``first_frame`` and ``frames`` are the block's frames from where the player began
    (``frames`` is less than the sink's block size in the last block, which has ``last``);
    ``tempo_map`` gives the seconds of a position in quarter notes *from where the player
    began*, which is ``origin`` quarter notes from the start of the music; ``events`` are
    ``(frame, event)`` for each event that starts in the block, with onsets from where the
    player began; ``layers`` name each event's layer (its MIDI channel, drum or not);
    ``music_end_frame`` is the frame of the music's last barline (None for endless music:
    the blocks after it are the last notes ringing out).
    """

    first_frame: int
    frames: int
    rate: int
    tempo_map: TempoMap
    origin: Fraction
    events: Sequence[tuple[int, Event]]
    layers: Mapping[str, Layer]
    last: bool = False
    music_end_frame: int | None = None

    @property
    def end_frame(self) -> int:
        """The frame after the block's last."""
        return self.first_frame + self.frames

    def frame_of(self, quarter: Fraction) -> int:
        """The frame of a position, in quarter notes from the start of the music: its exact
        time on the tempo map, rounded once (:meth:`TempoMap.sample_at`)."""
        return self.tempo_map.sample_at(quarter - self.origin, self.rate)

    def quarter_at(self, frame: int) -> Fraction:
        """The position at a frame, in quarter notes from the start of the music."""
        return self.origin + self.tempo_map.quarter_at(Fraction(frame, self.rate))


class Companion(Protocol):
    """Something that follows the player's clock (see the module docstring)."""

    def transport(self, event: Transport, *, frame: int, quarter: Fraction, clock: Clock) -> None:
        """The player starts, stops, pauses or goes on at ``frame`` (from where it began),
        which is ``quarter`` quarter notes from the start of the music."""

    def block(self, block: Block) -> None:
        """The player rendered ``block``, ahead of the clock."""

    def check(self) -> None:
        """Raise a :class:`~theme.errors.DeviceError` if the companion's device is lost."""

    def close(self) -> None:
        """Let go of the device (after the last ``STOP``); a second close does nothing."""
