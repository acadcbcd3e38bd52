"""Live playback without a sound card: the player, the sinks, device errors."""

from __future__ import annotations

import os
import sys
import threading
from fractions import Fraction

import numpy as np
import pytest

import theme
import theme.live.engine.playback as playback
import theme.live.engine.sinks as sinks
from theme.errors import AudioDeviceError
from theme.live.engine.playback import Player
from theme.live.engine.priority import ORDINARY, PRIORITY_NICE, REAL_TIME, raised_priority
from theme.live.engine.sinks import ArraySink, ClockedSink, ManualSink, SteppedSink
from theme.live.start import play
from theme.live.sync.recorder import Recorder
from theme.renderers.audio import BlockRenderer, render


def test_the_array_sink_hears_exactly_the_render() -> None:
    timeline = theme.load("tv-1966", intro_bars=2, melody_bars=1).timeline()
    sink = ArraySink(blocksize=256)
    player = play(timeline, sink=sink)
    reference = render(timeline)
    assert np.array_equal(sink.data[: len(reference)], reference)
    assert not sink.data[len(reference) :].any()
    assert player.underruns == 0


def test_heard_position_follows_the_sink_clock_and_latency() -> None:
    timeline = theme.load("tv-1966", intro_bars=2, melody_bars=0).timeline()
    sink = SteppedSink(blocksize=480, latency_frames=960)
    player = Player(BlockRenderer.for_timeline(timeline), sink).start()
    heard = [player.heard_frame() for _ in range(5)]
    assert heard == [0, 0, 480, 960, 1440]  # each look plays a block; latency delays what is heard
    frame = player.heard_frame()
    assert frame == 1920
    assert timeline.bar_beat_at_seconds(Fraction(frame, 48000)) == (
        1,
        1 + Fraction(1920, 48000) * Fraction(160, 60),
    )


def test_stop_fades_out_without_a_click() -> None:
    timeline = theme.load("remix-1996", intro_bars=0, body_bars=4).timeline()
    sink = SteppedSink(blocksize=256)
    player = Player(BlockRenderer.for_timeline(timeline), sink).start()
    for _ in range(40):
        player.heard_frame()
    player._stopping = True
    while not sink.done.is_set():
        player.heard_frame()
    tail = sink.data[40 * 256 :]
    fade = int(playback.FADE_SECONDS * 48000)
    assert np.abs(tail[fade:]).max() == 0
    assert np.abs(np.diff(tail[:, 0])).max() < 0.2  # no jump bigger than the music's own


@pytest.mark.parametrize("ring", [playback.RING_BLOCKS, playback.FOLLOW_RING_BLOCKS])
def test_underruns_are_counted_and_the_music_goes_on_after_them(ring: int) -> None:
    timeline = theme.load("tv-1966").timeline()
    expected = render(timeline)
    sink = ManualSink(blocksize=256)
    renderer = BlockRenderer.for_timeline(timeline)
    player = Player(renderer, sink, ring_blocks=ring).start(producer=False)
    out = np.empty((256, 2), np.float32)
    for block in range(ring):  # what start() rendered ahead
        assert sink.callback(out)
        assert np.array_equal(out, expected[block * 256 : (block + 1) * 256])
    assert player.underruns == 0
    assert sink.callback(out) and not out.any()  # nothing rendered: silence, one underrun
    assert player.underruns == 1
    assert player.late_frames == 256  # the music is heard a block later
    player.fill_ahead()
    assert sink.callback(out)
    block = ring
    assert np.array_equal(out, expected[block * 256 : (block + 1) * 256])


def test_a_sink_with_no_sound_card_renders_a_late_block_rather_than_play_silence() -> None:
    """A ClockedSink whose producer never runs (``producer=False``): each block beyond the
    two rendered ahead is rendered when the clock reaches it, counted as an underrun, and
    the music stays on its frames: every sound at the frame a file puts it."""
    timeline = theme.load("tv-1966", intro_bars=1, melody_bars=0).timeline()
    heard, written = Recorder(), Recorder()
    sink = ClockedSink(blocksize=256)
    player = Player(
        BlockRenderer.for_timeline(timeline),
        sink,
        companions=[heard],
        ring_blocks=2,
    ).start(producer=False)
    assert player.wait(30)
    player.close()
    Player(BlockRenderer.for_timeline(timeline), ArraySink(), companions=[written]).start()
    assert [b[1] for b in heard.blocks] == [b[1] for b in written.blocks]
    assert player.underruns == len(heard.blocks) - 2
    assert player.late_frames == 0
    assert heard.sounds == written.sounds and heard.sounds


def test_a_raised_priority_is_given_back(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever the system allows (real time, a lower niceness, nothing), the thread's
    scheduling and niceness are as they were after the block."""
    monkeypatch.delenv("THEME_NO_REALTIME", raising=False)
    if not hasattr(os, "sched_getscheduler"):
        pytest.skip("no per-thread scheduling here")
    seen: list[object] = []

    def look() -> tuple[int, int, int]:
        return (
            os.sched_getscheduler(0),
            os.sched_getparam(0).sched_priority,
            os.getpriority(os.PRIO_PROCESS, 0),
        )

    def run() -> None:
        before = look()
        with raised_priority() as got:
            seen.append(got)
            seen.append(look() != before or got == ORDINARY)
        seen.append(look() == before)

    thread = threading.Thread(target=run)  # its own thread: the test's stays as it is
    thread.start()
    thread.join(10)
    assert seen[0] in (REAL_TIME, PRIORITY_NICE, ORDINARY)
    assert seen[1:] == [True, True]


def test_no_portaudio(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "sounddevice", None)
    with pytest.raises(
        AudioDeviceError,
        match=r"no PortAudio library: .*apt-get install libportaudio2.*-o FILE\.wav",
    ):
        sinks.devices()
    assert AudioDeviceError.exit_code == 3


def test_no_output_device(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sinks, "devices", lambda: [])
    with pytest.raises(AudioDeviceError, match=r"no audio output device found: .*-o FILE\.wav"):
        sinks.resolve_device(None)


@pytest.mark.parametrize(("wanted", "index"), [("1", 1), ("usb", 1), ("Built", 0), (None, None)])
def test_device_by_name_or_index(
    monkeypatch: pytest.MonkeyPatch, wanted: str | None, index: int | None
) -> None:
    fake = [
        sinks.Device(0, "Built-in Output", "ALSA", 2, True),
        sinks.Device(1, "USB Speaker", "ALSA", 2, False),
    ]
    monkeypatch.setattr(sinks, "devices", lambda: fake)
    monkeypatch.delenv("THEME_AUDIO_DEVICE", raising=False)
    assert sinks.resolve_device(wanted) == index
    monkeypatch.setenv("THEME_AUDIO_DEVICE", "usb")
    assert sinks.resolve_device(None) == 1
    with pytest.raises(
        AudioDeviceError,
        match=r"unknown output device 'hdmi': expected one of 0 \(Built-in Output\), 1 \(USB Speaker\)",
    ):
        sinks.resolve_device("hdmi")
    with pytest.raises(AudioDeviceError, match=r"unknown output device '²'"):
        sinks.resolve_device("²")  # a digit to str.isdigit, not a number to int()
