"""The live metronome and the player when things go wrong, without a sound card: underruns
said at the end, a device lost mid-stream, closing twice, ASCII terminals, closed stdin and
stdout."""

from __future__ import annotations

import io
import subprocess
import sys
import threading
from typing import Any

import numpy as np
import pytest

from tests.conftest import run_theme
from theme.errors import AudioDeviceError, UsageError
from theme.live.engine.playback import Player
from theme.live.engine.sinks import (
    ArraySink,
    ManualSink,
    SoundDeviceSink,
    SteppedSink,
    check_latency,
)
from theme.metronome import Metronome
from theme.metronome.display import Frame, can_draw
from theme.metronome.terminal import LiveMetronome
from theme.renderers.audio import BlockRenderer
from theme.terminal import ScriptedKeys, TerminalKeys


class LateSink(SteppedSink):
    """A simulated sound card that reports two underruns of its own, as a device does."""

    def _open(self) -> None:
        self.underruns += 2


def test_the_live_metronome_says_its_underruns_at_the_end() -> None:
    out = io.StringIO()
    live = LiveMetronome(Metronome("4/4", bars=2), sink=LateSink(blocksize=480), out=out)
    assert live.run(refresh_seconds=0) == 0
    assert out.getvalue().splitlines()[-1] == "played 2 bars; underruns: 2"


def test_underruns_add_up_over_a_pause_and_quitting_says_where() -> None:
    out = io.StringIO()
    live = LiveMetronome(
        Metronome("4/4", bars=8),
        sink=LateSink(blocksize=480),
        keys=ScriptedKeys([(1.0, " "), (1.0, " "), (2.5, "q")]),
        out=out,
    )
    assert live.run(refresh_seconds=0) == 0
    assert out.getvalue().splitlines()[-1] == "stopped in bar 2; underruns: 4"


class VanishingSink(ManualSink):
    """A sound card that disappears after a few blocks: its stream stops by itself."""

    def __init__(self, blocks: int) -> None:
        super().__init__(blocksize=480)
        self.blocks = blocks
        self.lost = False

    def _open(self) -> None:
        def play() -> None:
            out = np.empty((480, 2), np.float32)
            for _ in range(self.blocks):
                self.callback(out)

        threading.Thread(target=play, daemon=True).start()

    def check(self) -> None:
        if self.blocks and not self.lost:
            self.lost = True
            self.done.set()
            raise AudioDeviceError("the audio device was lost during playback")


def test_a_lost_device_ends_the_live_metronome_with_one_error() -> None:
    out = io.StringIO()
    live = LiveMetronome(Metronome("4/4"), sink=VanishingSink(3), out=out)
    with pytest.raises(AudioDeviceError, match="lost during playback"):
        live.run(refresh_seconds=0.01)
    assert out.getvalue().splitlines()[-1].endswith("underruns: 0")


def test_a_lost_device_ends_the_players_wait() -> None:
    renderer = BlockRenderer.for_timeline(Metronome("4/4", bars=100).timeline(), rate=48000)
    player = Player(renderer, VanishingSink(3)).start()
    with pytest.raises(AudioDeviceError, match="lost"):
        player.wait()  # the music has 200 seconds to go: without the check this never returns
    player.stop()


@pytest.fixture
def keep_portaudio_exit(monkeypatch: pytest.MonkeyPatch) -> None:
    """A lost stream unregisters PortAudio's exit handler; not in the test process."""
    monkeypatch.setattr("atexit.unregister", lambda function: None)


class FakeStream:
    """Stands in for a sounddevice stream whose server has gone: not active, never done."""

    active = False
    time = 10.0

    def __init__(self) -> None:
        self.closes = threading.Event()  # set: the stream's close returns at last

    def close(self) -> None:  # a dead server's stream may not close for a long time
        self.closes.wait(60)


def test_a_stream_that_stopped_by_itself_is_a_lost_device(keep_portaudio_exit: None) -> None:
    pytest.importorskip("sounddevice", exc_type=OSError)
    sink = SoundDeviceSink()
    sink._stream = FakeStream()
    sink._closed = False
    with pytest.raises(AudioDeviceError, match="the audio device was lost during playback"):
        sink.check()
    assert sink.lost and sink.done.is_set()
    sink.close()  # left behind, not closed: returns at once


class StalledStream:
    """A stream still active whose callback stopped coming: its clock is 10 s past the last
    block's."""

    active = True
    time = 11.0

    def close(self) -> None:
        pass


def test_a_stream_whose_callback_stalls_is_a_lost_device(keep_portaudio_exit: None) -> None:
    pytest.importorskip("sounddevice", exc_type=OSError)
    sink = SoundDeviceSink()
    sink._stream = StalledStream()
    sink._closed = False
    sink._block_dac_time = 1.0
    with pytest.raises(AudioDeviceError, match="its stream gave no sound for 5 seconds"):
        sink.check()
    assert sink.lost


def test_a_stream_that_will_not_close_is_left_behind(
    monkeypatch: pytest.MonkeyPatch, keep_portaudio_exit: None
) -> None:
    pytest.importorskip("sounddevice", exc_type=OSError)
    import theme.live.engine.sinks

    monkeypatch.setattr(theme.live.engine.sinks, "CLOSE_SECONDS", 0.1)
    sink = SoundDeviceSink()
    stream = FakeStream()
    sink._stream = stream
    sink._closed = False
    sink.close()  # returns after 0.1 s instead of hanging
    assert sink.lost and stream in theme.live.engine.sinks._LEFT_BEHIND
    # the closer is still inside PortAudio: nobody else is let in beside it
    monkeypatch.setattr(theme.live.engine.devices, "PORTAUDIO_WAIT_SECONDS", 0.1)
    busy = pytest.raises(AudioDeviceError, match="PortAudio has been busy")
    with busy, theme.live.engine.devices.portaudio_lock():
        pass
    stream.closes.set()  # the close returns at last: PortAudio is free again
    with theme.live.engine.devices.portaudio_lock():
        pass


def test_sinks_close_once_and_are_context_managers() -> None:
    closed: list[int] = []

    class Counting(ArraySink):
        def _close(self) -> None:
            closed.append(1)

    with Counting() as sink:
        sink.open(lambda out: bool(out.fill(0.0)))
        sink.close()
    sink.close()
    assert closed == [1]


@pytest.mark.parametrize(
    ("latency", "error", "message"),
    [
        (float("nan"), UsageError, "invalid latency nan seconds: expected 0.001 to 2.0 seconds"),
        (-1, UsageError, "invalid latency -1 seconds"),
        (1e9, UsageError, "invalid latency 1e\\+09 seconds"),
        ("soon", UsageError, "invalid latency 'soon': expected low, high or seconds"),
        ([0.1], TypeError, "a latency must be seconds"),
    ],
)
def test_bad_latencies_are_refused(latency: Any, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        check_latency(latency)
    with pytest.raises(error, match=message):
        SoundDeviceSink(latency=latency)


@pytest.mark.parametrize("device", ["", " ", "\t"])
def test_a_blank_device_name_is_refused(device: str) -> None:
    with pytest.raises(AudioDeviceError, match="a blank name names no device"):
        SoundDeviceSink(device=device)


def test_the_frame_falls_back_to_ascii_where_the_glyphs_cannot_be_written() -> None:
    out = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
    assert not can_draw(out)
    lines = Frame(Metronome("5/4", vs="4/4"), ascii=True).lines(Metronome("5/4").start)
    assert all(line.isascii() for line in lines)
    assert "O . . | ' ." in lines and "O . | ' ." in lines


def test_the_live_metronome_draws_ascii_on_an_ascii_stream() -> None:
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding="ascii", write_through=True)
    live = LiveMetronome(Metronome("5/4", bars=1), sink=SteppedSink(blocksize=480), out=out)
    assert live.run(refresh_seconds=0) == 0
    assert b"O . . | ' ." in raw.getvalue() or b"^ . . | O ." in raw.getvalue()


def test_ascii_output_encoding_in_a_real_process() -> None:
    code = (
        "import sys; from theme.metronome.terminal import LiveMetronome; from theme.metronome import Metronome;"
        "from theme.live.engine.sinks import SteppedSink;"
        "sys.exit(LiveMetronome(Metronome('5/4', bars=1), sink=SteppedSink(blocksize=480),"
        " out=sys.stdout).run(refresh_seconds=0))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        env={"PYTHONIOENCODING": "ascii", "PATH": "/usr/bin:/bin"},
        timeout=60,
    )
    assert result.returncode == 0, result.stderr.decode()
    assert b"^ . . | ' ." in result.stdout or b"O . . | ' ." in result.stdout


def _closed() -> io.StringIO:
    stream = io.StringIO()
    stream.close()
    return stream


@pytest.mark.parametrize("stream", [io.StringIO(), _closed()], ids=["pipe", "closed"])
def test_no_terminal_no_keys(stream: io.StringIO) -> None:
    with TerminalKeys(stream) as keys:
        assert keys.poll(0.0) is None


def test_closed_stdin_and_stdout_are_no_attribute_error() -> None:
    result = subprocess.run(
        ["sh", "-c", f"exec '{sys.executable}' -m theme metronome 5/4 --bars 1 <&- >&-"],
        capture_output=True,
        text=True,
        env={"JACK_NO_START_SERVER": "1", "PATH": "/usr/bin:/bin", "THEME_AUDIO_DEVICE": "x"},
        timeout=60,
    )
    assert "AttributeError" not in result.stderr and "Traceback" not in result.stderr
    assert result.returncode == 3, result.stderr  # no sound card here: the device error
    assert len(result.stderr.splitlines()) == 1


def test_a_live_metronome_with_a_closed_stdout_writes_nowhere() -> None:
    live = LiveMetronome(Metronome("5/4", bars=1), sink=SteppedSink(blocksize=480), out=None)
    assert live.run(refresh_seconds=0) == 0


def test_terminal_keys_with_no_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", None)
    with TerminalKeys() as keys:
        assert keys.poll(0.0) is None


def test_the_cli_latency_is_checked_before_the_terminal() -> None:
    result = run_theme("metronome", "5/4", "--latency", "nan")
    assert result.returncode == 2
    assert result.stderr == (
        "theme: error: invalid latency nan seconds: expected 0.001 to 2.0 seconds\n"
    )


def test_a_signal_while_the_device_opens_is_held_until_it_has_opened() -> None:
    import signal

    from theme.live.engine.devices import held_signals

    reached = []
    with pytest.raises(KeyboardInterrupt), held_signals():
        signal.raise_signal(signal.SIGINT)
        reached.append("opened")
    assert reached == ["opened"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--latency", "nan"], 2, "invalid latency nan seconds: expected 0.001 to 2.0 seconds"),
        (["--latency", "1e9"], 2, "invalid latency 1e+09 seconds"),
        (["--device", " "], 3, "unknown output device ' ': a blank name names no device"),
        (["--rate", "9" * 5000], 2, "expected a whole number of at most 12 digits"),
    ],
)
def test_theme_play_refuses_bad_device_options_in_one_line(
    args: list[str], code: int, message: str
) -> None:
    result = run_theme("play", "tv-1966", "--bars", "1", *args)
    assert result.returncode == code, result.stderr
    assert len(result.stderr.splitlines()) == 1 and len(result.stderr) < 300
    assert message in result.stderr


def test_past_the_last_bar_the_frame_holds_the_last_pulse() -> None:
    from fractions import Fraction

    lines = Frame(Metronome("4/4", bars=2)).lines(Fraction(9))
    assert "4/4 (2+2)  bar 2  beat 4" in lines


class FakePortAudioError(Exception):
    pass


class BrokenPortAudio:
    """A sounddevice whose every call fails, as PortAudio does when its server is gone."""

    PortAudioError = FakePortAudioError

    def query_hostapis(self) -> None:
        raise FakePortAudioError("Error querying host API -9999")

    def _exit_handler(self) -> None:
        pass


class BrokenClock:
    active = True

    @property
    def time(self) -> float:
        raise FakePortAudioError("Error getting stream time")

    def close(self) -> None:
        raise FakePortAudioError("Error closing stream")


def test_portaudio_errors_become_audio_device_errors(
    monkeypatch: pytest.MonkeyPatch, keep_portaudio_exit: None
) -> None:
    from theme.live.engine.sinks import devices

    monkeypatch.setitem(sys.modules, "sounddevice", BrokenPortAudio())
    with pytest.raises(AudioDeviceError, match="could not list the audio devices") as listed:
        devices()
    assert isinstance(listed.value.__cause__, FakePortAudioError)
    sink = SoundDeviceSink()
    sink._stream = BrokenClock()
    sink._closed = False
    sink._block_dac_time = 1.0
    with pytest.raises(AudioDeviceError, match="clock failed") as clock:
        sink.heard_frame(0)
    assert isinstance(clock.value.__cause__, FakePortAudioError)
    with pytest.raises(AudioDeviceError, match="failed to close") as closing:
        sink.close()
    assert isinstance(closing.value.__cause__, FakePortAudioError)
