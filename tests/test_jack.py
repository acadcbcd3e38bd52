"""The real audio path: JACK's dummy driver is a clocked sound card with no hardware.

A JACK server (``jackd -d dummy``) is started for these tests under its own name; a variant
and the two-meter metronome are played through PortAudio's JACK host API, in a separate
process as a user would, and recorded with ``jack_capture``. What was captured must equal
the offline render sample for sample (after aligning where the recording starts), with no
underruns. Skipped, saying why, where jackd, jack_capture or PortAudio is missing (.ci/run
installs the Debian packages jackd2, jack-capture and libportaudio2).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import soundfile

from tests.conftest import finished, pytest_runtest_makereport
from tests.jackserver import jack_missing, jack_ports, start_jack_server, stop_jack_server

pytestmark = pytest.mark.jack

SERVER = f"theme-test-{os.getpid()}"
ENV = {
    **os.environ,
    "JACK_DEFAULT_SERVER": SERVER,
    "JACK_NO_AUDIO_RESERVATION": "1",
    "JACK_NO_START_SERVER": "1",
}

PLAYER = """
import sys, theme
from theme.live.engine.playback import Player
from theme.live.engine.sinks import SoundDeviceSink, devices
from theme.renderers.audio import BlockRenderer
jack = [d.index for d in devices() if d.hostapi.startswith("JACK")][0]
if sys.argv[1] == "variant":
    timeline = theme.load("tv-1966", intro_bars=2, melody_bars=2).timeline(tempo=200)
    player = theme.play(timeline, device=jack, blocksize=256)
else:
    from theme.metronome.terminal import LiveMetronome
    from theme.metronome import Metronome
    import io
    m = Metronome("5/4", vs="4/4", bpm=240, bars=3)
    live = LiveMetronome(m, device=jack, out=io.StringIO())
    live.run()
    player = live.player
print("underruns", player.underruns if player else 0, "at", player.sink.underrun_frames if player else [])
"""


@pytest.fixture(scope="module")
def jack_server() -> Iterator[None]:
    reason = jack_missing(("jackd", "jack_capture", "jack_lsp"), portaudio=True)
    if reason:
        pytest.skip(reason)
    # 1024-frame periods; the player still runs its 256-frame callbacks four to a period
    server = start_jack_server(ENV)
    yield
    stop_jack_server(server)


@pytest.mark.jack
def test_a_failing_real_time_test_shows_what_its_jack_server_said(
    jack_server: None, request: pytest.FixtureRequest
) -> None:
    def reported(failed: bool) -> list[tuple[str, str]]:
        report = SimpleNamespace(failed=failed, sections=[])
        hook = pytest_runtest_makereport(request.node, None)  # type: ignore[arg-type]
        next(hook)
        with contextlib.suppress(StopIteration):
            hook.send(SimpleNamespace(get_result=lambda: report))
        return report.sections

    assert reported(failed=False) == []
    ((title, said),) = reported(failed=True)
    assert title == "what the test's JACK server said"
    assert said.startswith(f"jackd -n {ENV['JACK_DEFAULT_SERVER']} (pid ")
    assert "jackdmp" in said  # its first words: its name and version


def capture(tmp_path: Path, what: str, seconds: int) -> tuple[np.ndarray, str, str]:
    """Start the player, record its PortAudio ports as soon as they exist; the recording,
    what the player printed and what the recorder said. A recorder that says it lost frames
    (``jack_capture``'s overruns: its own thread starved, beside two CPU burners) made no
    test of the player: it records again, at most twice."""
    for attempt in range(3):
        captured, printed, recorded = _capture_once(
            tmp_path / f"{what}-{attempt}.wav", what, seconds
        )
        if "overruns" not in recorded:
            break
    return captured, printed, recorded


def _capture_once(wav: Path, what: str, seconds: int) -> tuple[np.ndarray, str, str]:
    player = subprocess.Popen(
        [sys.executable, "-c", PLAYER, what],
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 20
    while "PortAudio:out_1" not in jack_ports(ENV):
        assert time.monotonic() < deadline and player.poll() is None, (
            player.stderr.read() if player.stderr else ""
        )
        time.sleep(0.005)
    recorder = subprocess.run(
        [
            "jack_capture",
            "-d",
            str(seconds),
            "--daemon",
            "-p",
            "PortAudio:out_0",
            "-p",
            "PortAudio:out_1",
            str(wav),
        ],
        env=ENV,
        capture_output=True,
        timeout=seconds + 20,
    )
    out, err = player.communicate(timeout=60)
    assert player.returncode == 0, err
    recorded = (recorder.stdout + recorder.stderr).decode(errors="replace")
    assert recorder.returncode == 0, recorded
    data, rate = soundfile.read(wav, dtype="float32")
    assert rate == 48000
    return data, out, recorded


def align(captured: np.ndarray, reference: np.ndarray) -> int:
    """Where the capture's first sound sits in the reference (frames)."""
    first = int(np.flatnonzero(np.abs(captured).sum(axis=1))[0])
    window = captured[first : first + 512]
    for j in np.flatnonzero((reference[:, 0] == window[0, 0]) & (reference[:, 1] == window[0, 1])):
        if np.array_equal(reference[j : j + len(window)], window):
            return int(j) - first
    raise AssertionError("the captured sound is not in the offline render")


def assert_same_sound(
    captured: np.ndarray, reference: np.ndarray, printed: str, recorded: str = ""
) -> None:
    """The capture is the offline render, sample for sample, and the player reported no
    underrun; on a machine too busy to keep up (underruns reported: silence where a block
    was late, the rest later), it is the render up to where it first fell behind (a second
    at least), and every fall was reported."""
    shift = align(captured, reference)
    start = max(0, -shift)
    stop = min(len(captured), len(reference) - shift)
    assert stop - start > 48000  # more than a second overlaps
    heard, wanted = captured[start:stop], reference[start + shift : stop + shift]
    differs = np.flatnonzero(np.any(heard != wanted, axis=1))
    if printed.strip() == "underruns 0 at []":
        assert len(differs) == 0, (
            f"{len(differs)} frames differ, the first at {differs[0]} of {len(heard)}; "
            f"the recorder said: {recorded!r}"
        )
    else:
        assert printed.startswith("underruns ") and not printed.startswith("underruns 0 ")
        assert len(differs) == 0 or differs[0] >= 48000, f"wrong at {differs[0]}: {printed}"
    # every onset in the overlap at its own sample: the exact equality above says it all;
    # the count shows how many were compared
    assert np.count_nonzero(np.abs(wanted).sum(axis=1)) > 1000


def test_a_variant_through_jack(jack_server: None, tmp_path: Path) -> None:
    import theme
    from theme.renderers.audio import render

    captured, printed, recorded = capture(tmp_path, "variant", 8)
    timeline = theme.load("tv-1966", intro_bars=2, melody_bars=2).timeline(tempo=200)
    assert_same_sound(captured, render(timeline), printed, recorded)


def test_the_live_metronome_through_jack(jack_server: None, tmp_path: Path) -> None:
    from theme.metronome import Metronome

    captured, printed, recorded = capture(tmp_path, "metronome", 6)
    reference = Metronome("5/4", vs="4/4", bpm=240, bars=3).render()
    assert_same_sound(captured, reference, printed, recorded)


@pytest.mark.parametrize(
    ("args", "printed"),
    [
        (["demo", "--step", "1", "--auto", "--tempo", "300"], "     click   X . x . x . X . x ."),
        (["play", "tv-1966", "--bars", "2", "--tempo", "300", "--click"], "played 2 bars"),
        (["dance", "--bars", "2", "--bpm", "300"], "step one lands on: bar 1 beat 1"),
        (["metronome", "7/8", "--bpm", "e=600", "--bars", "2"], "metronome 7/8 (2+2+3)"),
    ],
)
def test_the_commands_play_through_jack(jack_server: None, args: list[str], printed: str) -> None:
    """Each command that plays, run as a user runs it, on the JACK device by name."""
    result = subprocess.run(
        [sys.executable, "-m", "theme", *args, "--device", "system"],
        env=ENV,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert printed in result.stdout
    assert "no sound here" not in result.stdout and not result.stderr


def test_a_device_named_but_missing_is_an_error_not_a_fallback(jack_server: None) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "theme", "demo", "--step", "1", "--device", "hdmi"],
        env=ENV,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 3
    assert (
        result.stderr == "theme: error: unknown output device 'hdmi': expected one of 0 (system)\n"
    )


def _own_server(name: str) -> tuple[subprocess.Popen[bytes], dict[str, str]]:
    """A JACK server of the test's own, to be killed mid-piece."""
    env = {**ENV, "JACK_DEFAULT_SERVER": name}
    return start_jack_server(env), env


def _server_dies_under(name: str, command: list[str]) -> tuple[int, str, str, float]:
    """Run ``command`` on a JACK server of its own, stop the server after a second of its
    music, and return the command's exit status, output, errors, and the seconds it took
    to end after the server had gone."""
    server, env = _own_server(f"theme-dies-{os.getpid()}-{name}")
    player = subprocess.Popen(
        command,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while "PortAudio:out_1" not in jack_ports(env):
            assert time.monotonic() < deadline and player.poll() is None
            time.sleep(0.05)
        time.sleep(1.0)  # a second of music
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:  # beside two CPU burners it took longer: kill it
            server.kill()
            server.wait(30)
        killed = time.monotonic()
        out, err = player.communicate(timeout=30)
        took = time.monotonic() - killed
    finally:
        stop_jack_server(server, seconds=10)  # ended already, unless the test failed first
        player.kill()
    return player.returncode, out, err, took


@pytest.mark.parametrize(
    "args",
    [
        ["play", "tv-1966", "--tempo", "120", "--repeat", "8"],
        ["metronome", "5/4", "--vs", "4/4"],
    ],
)
def test_a_server_that_dies_mid_piece_ends_playback_with_exit_3(
    jack_server: None, args: list[str]
) -> None:
    command = [sys.executable, "-m", "theme", *args, "--device", "system"]
    status, _, err, took = _server_dies_under(args[0], command)
    assert status == 3, err
    assert took < 5, f"{took:.1f} s to notice the server had gone"
    assert len(err.splitlines()) == 1 and "lost during playback" in err, err


LOST_IN_A_SCRIPT = """
import atexit
import theme
from theme.errors import AudioDeviceError
atexit.register(print, "the interpreter ended")  # runs after theme's exit handler, if ever
print("playing", flush=True)
try:
    theme.play(theme.load("tv-1966").timeline(tempo=120, repeat=8), device="system")
except AudioDeviceError as err:
    print("lost:", err)
print("end")
"""


def test_a_script_whose_server_dies_ends_with_its_output_and_status(jack_server: None) -> None:
    """A script that catches the lost device and goes on: it ends with status 0 and all it
    printed, and leaves at once (the lost stream is never closed, and the interpreter must
    not end under PortAudio's JACK thread)."""
    status, out, err, _ = _server_dies_under("script", [sys.executable, "-c", LOST_IN_A_SCRIPT])
    assert status == 0, err
    lines = out.splitlines()
    assert lines[0] == "playing" and lines[-1] == "end", out  # its output flushed
    assert lines[1].startswith("lost: the audio device was lost during playback"), out


@pytest.mark.parametrize(("signame", "code"), [("SIGTERM", 143), ("SIGINT", 130)])
def test_a_signal_to_the_live_metronome_restores_the_terminal(
    jack_server: None, signame: str, code: int
) -> None:
    import pty
    import signal
    import termios
    import threading

    master, slave = pty.openpty()
    before = termios.tcgetattr(slave)
    player = subprocess.Popen(
        [sys.executable, "-m", "theme", "metronome", "5/4", "--device", "system"],
        env={**ENV, "PYTHONFAULTHANDLER": "1"},
        stdin=slave,
        stdout=slave,
        stderr=subprocess.PIPE,
        text=True,
    )
    shown: list[bytes] = []

    def drain() -> None:  # the frames go to the pty: read them so that it never fills
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                return
            if not chunk:
                return
            shown.append(chunk)

    threading.Thread(target=drain, daemon=True).start()
    try:
        deadline = time.monotonic() + 20
        # at once, as the terminal goes to cbreak mode: the stream is being opened then, the
        # moment a signal once left PortAudio half started and crashed the exit
        while termios.tcgetattr(slave)[3] & termios.ICANON:
            assert time.monotonic() < deadline and player.poll() is None, player.stderr
            time.sleep(0.05)
        player.send_signal(getattr(signal, signame))
        _out, errors = finished(player, 30)
        after = termios.tcgetattr(slave)
    finally:
        player.kill()
        os.close(slave)
        os.close(master)
    assert player.returncode == code, errors
    assert after == before  # echo and line mode are back
