"""The companion seam: what a player tells the things that follow its clock."""

from __future__ import annotations

import io
from fractions import Fraction

import pytest

import theme
from theme.core.tempo import TempoMap
from theme.errors import DeviceError, MidiDeviceError
from theme.live.engine.companions import Block, Clock, Transport
from theme.live.engine.playback import Player
from theme.live.engine.sinks import ArraySink, ClockedSink, SteppedSink
from theme.live.start import play
from theme.metronome import Metronome
from theme.metronome.terminal import LiveMetronome
from theme.terminal import ScriptedKeys


class Recorder:
    """A companion that keeps every call."""

    def __init__(self) -> None:
        self.calls: list[tuple[Transport, int, Fraction]] = []
        self.blocks: list[Block] = []
        self.closed = 0
        self.lost = False

    def transport(self, event: Transport, *, frame: int, quarter: Fraction, clock: Clock) -> None:
        assert clock.rate == 48000
        self.calls.append((event, frame, quarter))

    def block(self, block: Block) -> None:
        self.blocks.append(block)

    def check(self) -> None:
        if self.lost:
            raise MidiDeviceError("lost")

    def close(self) -> None:
        self.closed += 1


def test_a_player_tells_start_every_block_and_stop_at_the_last_frame() -> None:
    timeline = theme.load("tv-1966", intro_bars=1, melody_bars=1).timeline(tempo=200)
    recorder = Recorder()
    player = play(timeline, sink=ArraySink(), companions=[recorder])
    blocks = recorder.blocks
    assert [b.first_frame for b in blocks] == [256 * i for i in range(len(blocks))]
    assert blocks[-1].last and not any(b.last for b in blocks[:-1])
    end = blocks[-1].end_frame
    assert recorder.calls[0] == (Transport.START, 0, Fraction(0))
    assert recorder.calls[1][:2] == (Transport.STOP, end) and len(recorder.calls) == 2
    assert recorder.closed == 1 and player.renderer.frame == end
    # every event once, at its exact frame, in its block
    begun = [(f, e) for b in blocks for f, e in b.events]
    assert [e for _, e in begun] == list(timeline.events)
    assert all(f == timeline.tempo_map.sample_at(e.onset, 48000) for f, e in begun)
    assert all(b.first_frame <= f < b.end_frame for b in blocks for f, _ in b.events)


def test_a_block_maps_frames_and_positions_from_where_the_player_began() -> None:
    block = Block(0, 256, 48000, TempoMap.constant(120), Fraction(10), (), {})
    assert block.frame_of(Fraction(11)) == 24000
    assert block.quarter_at(24000) == 11


def test_a_pause_tells_pause_and_going_on_tells_continue_from_the_same_place() -> None:
    metronome = Metronome("5/4", bpm=120, bars=2)
    recorder = Recorder()
    sink = SteppedSink()  # its clock moves one block per look
    keys = ScriptedKeys([(0.5, " "), (0.5, " ")])
    live = LiveMetronome(metronome, sink=sink, keys=keys, out=io.StringIO(), companions=[recorder])
    assert live.run(refresh_seconds=0) == 0
    events = [c[0] for c in recorder.calls]
    assert events == [Transport.START, Transport.PAUSE, Transport.CONTINUE, Transport.STOP]
    paused_at = recorder.calls[1][2]
    assert recorder.calls[2] == (Transport.CONTINUE, 0, paused_at)
    resumed = [b for b in recorder.blocks if b.origin == paused_at]
    assert resumed and resumed[0].first_frame == 0
    assert recorder.closed == 1


def test_a_lost_companion_device_stops_the_player() -> None:
    recorder = Recorder()
    renderer = Metronome("4/4", bpm=120).renderer()
    player = Player(renderer, SteppedSink(), companions=[recorder]).start()
    recorder.lost = True
    with pytest.raises(DeviceError, match="lost"):
        player.check()
    player.stop()
    assert [c[0] for c in recorder.calls] == [Transport.START, Transport.STOP]


def test_a_clocked_sink_follows_the_monotonic_clock_in_frames() -> None:
    import time

    sink = ClockedSink(blocksize=480)
    timeline = Metronome("4/4", bpm=600, bars=1).timeline()
    started = time.monotonic()
    player = play(timeline, sink=sink, wait=True)
    took = time.monotonic() - started
    seconds = player.renderer.frame / 48000
    assert seconds <= took < seconds + 1.0  # it kept the music's time, not faster
    assert sink.done.is_set()
