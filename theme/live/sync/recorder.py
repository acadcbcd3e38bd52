"""A companion that records when each sound is heard, on the host clock that Link and MIDI
clock are read on: what a test or a benchmark holds against another program's clock."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from theme.live.engine.companions import Block, Clock, Transport
from theme.live.sync.link_time import host_micros

__all__ = ["Recorder"]


class Recorder:
    """A companion that keeps when each sound of the player is heard: ``(frame, position)``
    for each sound rendered with a velocity (:attr:`sounds`: the frame on the player's clock,
    later by the silence of blocks the renderer was late for; the position in quarter notes
    from the start), and ``(host microseconds when rendered, first frame, quarter notes a
    minute)`` for each block (:attr:`blocks`). What a test or a benchmark holds against
    another program's clock (a Link peer's, a MIDI clock master's)."""

    def __init__(self) -> None:
        self.player: Any = None
        self.sounds: list[tuple[int, Fraction]] = []
        self.blocks: list[tuple[float, int, Fraction]] = []

    def transport(self, event: Transport, *, frame: int, quarter: Fraction, clock: Clock) -> None:
        self.player = clock

    def block(self, block: Block) -> None:
        qpm = block.tempo_map.qpm_at(block.quarter_at(block.first_frame) - block.origin)
        self.blocks.append((host_micros(), block.first_frame, qpm))
        late = getattr(self.player, "late_frames", 0)
        self.sounds += [
            (frame + late, event.onset + block.origin)
            for frame, event in block.events
            if event.velocity > 0
        ]

    def check(self) -> None:
        """Nothing to lose."""

    def close(self) -> None:
        """Nothing to close."""
