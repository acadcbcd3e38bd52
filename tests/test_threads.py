"""The library's play called from several threads at once.

``theme.play`` from 4 threads hung twice and once aborted inside libjack (PortAudio is not
thread-safe). Now PortAudio is called by one thread at a time and each sound card plays one
stream at a time: the plays take turns, each ends cleanly. Run for real on JACK's dummy
driver, in a process of its own (an abort would take pytest with it), with a generous
timeout; and on the test sink, where every thread's sound must be the offline render's.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import numpy as np
import pytest

import theme
from tests.jackserver import jack_missing, start_jack_server, stop_jack_server
from theme.errors import AudioDeviceError
from theme.live.engine.sinks import ArraySink, _Turns
from theme.renderers.audio import render

THREADS = 4


def short_music() -> theme.Timeline:
    return theme.load("tv-1966").timeline(tempo=600, bars=1)


# -- the test sink: no sound card ------------------------------------------------------


def test_four_threads_play_on_the_test_sink_each_its_own_sound() -> None:
    music = short_music()
    expected = render(music, rate=48000)
    sinks = [ArraySink(rate=48000) for _ in range(THREADS)]
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def play(sink: ArraySink) -> None:
        try:
            start.wait()
            theme.play(music, sink=sink)
        except BaseException as err:
            errors.append(err)

    threads = [threading.Thread(target=play, args=(sink,)) for sink in sinks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    for sink in sinks:
        data = sink.data[: len(expected)]
        assert np.array_equal(data, expected)
        assert not np.any(sink.data[len(expected) :])


# -- turns on a device, without one ----------------------------------------------------


class FakeSink:
    """What the turns look at: whether the music has played out, and closing."""

    def __init__(self, turns: _Turns) -> None:
        self.turns = turns
        self.done = threading.Event()
        self.closed = 0

    def close(self) -> None:
        self.closed += 1
        self.turns.give_back(self)  # type: ignore[arg-type]


def test_a_second_thread_waits_for_the_device_and_then_plays() -> None:
    turns = _Turns()
    first, second = FakeSink(turns), FakeSink(turns)
    turns.take(0, first)  # type: ignore[arg-type]
    taken = threading.Event()
    waiter = threading.Thread(target=lambda: (turns.take(0, second), taken.set()))  # type: ignore[arg-type, func-returns-value]
    waiter.start()
    assert not taken.wait(0.3)  # still playing: the second waits
    turns.take(1, FakeSink(turns))  # type: ignore[arg-type]  # another device is free
    first.close()
    assert taken.wait(30)
    waiter.join(30)
    assert first.closed == 1 and second.closed == 0


def test_a_played_out_stream_nobody_closed_is_closed_for_the_next() -> None:
    turns = _Turns()
    forgotten, later = FakeSink(turns), FakeSink(turns)
    turns.take(0, forgotten)  # type: ignore[arg-type]
    forgotten.done.set()  # its music ended; its player (wait=False) was never closed
    done = threading.Event()
    threading.Thread(target=lambda: (turns.take(0, later), done.set())).start()  # type: ignore[arg-type, func-returns-value]
    assert done.wait(30)
    assert forgotten.closed == 1


def test_the_same_thread_playing_twice_on_a_device_is_refused() -> None:
    turns = _Turns()
    turns.take(0, FakeSink(turns))  # type: ignore[arg-type]
    with pytest.raises(AudioDeviceError, match="already playing in this thread"):
        turns.take(0, FakeSink(turns))  # type: ignore[arg-type]


# -- for real: PortAudio on JACK's dummy driver ------------------------------------------

SERVER = f"theme-threads-{os.getpid()}"
ENV = {
    **os.environ,
    "JACK_DEFAULT_SERVER": SERVER,
    "JACK_NO_AUDIO_RESERVATION": "1",
    "JACK_NO_START_SERVER": "1",
}

PLAYERS = """
import sys, threading, time, theme
from theme.errors import ThemeError
from theme.live.engine.sinks import devices
jack = [d.index for d in devices() if d.hostapi.startswith("JACK")][0]
music = theme.load("tv-1966").timeline(tempo=600, bars=1)
ended = {}
start = threading.Barrier(4)
def play(number):
    start.wait()
    began = time.monotonic()
    try:
        player = theme.play(music, device=jack)
        ended[number] = ("played", round(time.monotonic() - began, 2), player.active)
    except ThemeError as err:
        ended[number] = ("refused", str(err))
threads = [threading.Thread(target=play, args=(n,)) for n in range(4)]
began = time.monotonic()
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print("all", round(time.monotonic() - began, 2), float(music.duration_seconds))
for number in sorted(ended):
    print(number, *ended[number])
# one thread, twice at once on the device: refused in one line, not a wait for ever
first = theme.play(music, device=jack, wait=False)
try:
    theme.play(music, device=jack)
except ThemeError as err:
    print("twice:", err)
first.close()
# a player started without waiting and never closed: the next play, once it has played
# out, closes it and plays
forgotten = theme.play(music, device=jack, wait=False)
other = threading.Thread(target=lambda: print("after:", theme.play(music, device=jack).active))
other.start()
other.join()
print("end")
"""


@pytest.fixture(scope="module")
def jack_server() -> Iterator[None]:
    reason = jack_missing(portaudio=True)
    if reason:
        pytest.skip(reason)
    server = start_jack_server(ENV)
    yield
    stop_jack_server(server)


SLOW_CLOSES = "import theme.live.engine.sinks\ntheme.live.engine.sinks.CLOSE_SECONDS = 0.002\n"
"""Every close outlasts the wait for it, as on a loaded machine: each stream is left to its
closing thread (the process crashed at its exit when PortAudio was not ended, every time)."""

PATIENT = (
    "import theme.live.engine.devices, theme.live.engine.sinks\n"
    "theme.live.engine.devices.PORTAUDIO_WAIT_SECONDS = 120.0\n"
    "theme.live.engine.sinks.EXIT_CLOSE_SECONDS = 120.0\n"
)
"""Waits for PortAudio as long as a starved machine takes: beside two CPU-burning processes,
closing a JACK stream took more than the 10 s a user waits before "PortAudio has been busy"
(the bound for a device that will never close, tested with a lost device elsewhere)."""


@pytest.mark.jack
@pytest.mark.parametrize("closes", ["", SLOW_CLOSES], ids=["closes", "slow-closes"])
def test_four_threads_play_through_jack_in_turn(jack_server: None, closes: str) -> None:
    began = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-c", PATIENT + closes + PLAYERS],
        env=ENV,
        capture_output=True,
        text=True,
        timeout=300,  # four plays of half a second each: minutes only if something hangs
    )
    assert result.returncode == 0, result.stderr
    assert "Assertion" not in result.stderr and "Traceback" not in result.stderr, result.stderr
    lines = result.stdout.splitlines()
    _, total, seconds = lines[0].split()
    ends = [line.split() for line in lines[1:5]]
    assert [end[:2] for end in ends] == [[str(n), "played"] for n in range(THREADS)]
    assert all(end[3] == "False" for end in ends)  # each player closed, nothing left playing
    # in turn: together they last at least the four musics one after another (a lower
    # bound, which no load can break)
    assert float(total) >= THREADS * float(seconds)
    assert lines[5] == (
        "twice: the audio device "
        + lines[5].split("device ")[1].split(" ")[0]
        + " is already playing in this thread: stop or close the first player before "
        "playing again"
    )
    assert lines[6:] == ["after: False", "end"]
    assert time.monotonic() - began < 300


UNCLOSED_AT_EXIT = SLOW_CLOSES + PATIENT + "theme.live.engine.sinks.EXIT_CLOSE_SECONDS = 0.0\n"
"""Every close outlasts the exit's wait for it too, as on a starved machine (the process
crashed at its exit, signal 11, every time: PortAudio's JACK thread called into an
interpreter that had ended); a play waits for PortAudio as long as a starved machine takes
(beside two CPU burners a close took more than 10 s)."""

ONE_PLAY = """
import theme
from theme.live.engine.sinks import devices
jack = [d.index for d in devices() if d.hostapi.startswith("JACK")][0]
theme.play(theme.load("tv-1966").timeline(tempo=600, bars=1), device=jack)
print("end")
"""
"""Half a second of music played through JACK: its stream is still closing when the
program ends (:data:`UNCLOSED_AT_EXIT`)."""


@pytest.mark.jack
@pytest.mark.parametrize(
    ("said", "status"), [("", 0), ("theme.live.engine.sinks.exit_status(3)\n", 3)]
)
def test_a_stream_still_closing_at_exit_leaves_with_the_programs_status(
    jack_server: None, said: str, status: int
) -> None:
    """The process leaves at once, its output flushed, with the status the program said
    (the command line says its code), else 0."""
    result = subprocess.run(
        [sys.executable, "-c", UNCLOSED_AT_EXIT + ONE_PLAY + said],
        env=ENV,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == status, result.stderr
    assert result.stdout.splitlines()[-1] == "end"


# -- PortAudio, one thread at a time -------------------------------------------------------


def test_portaudio_is_held_by_one_thread_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    from theme.live.engine import devices

    monkeypatch.setattr(devices, "PORTAUDIO_WAIT_SECONDS", 0.2)
    guard = devices._PortAudio()
    inside, leave = threading.Event(), threading.Event()

    def stuck() -> None:  # a close of a lost device's stream that takes its time
        with guard.held(), guard.held():  # held again by its holder: it counts
            inside.set()
            leave.wait(30)

    holder = threading.Thread(target=stuck)
    holder.start()
    assert inside.wait(30)
    # never let in beside a thread still inside PortAudio: refused in one line
    busy = pytest.raises(AudioDeviceError, match=r"PortAudio has been busy for 0\.2 seconds")
    with busy, guard.held():
        pass
    leave.set()
    holder.join(30)
    with guard.held():  # once it has left, the next holds it
        assert guard._owner == threading.get_ident()
    assert guard._owner is None


def test_nothing_follows_the_sound_before_the_device_is_free() -> None:
    """A play waiting its turn tells its companions (MIDI clock, notes) nothing yet: their
    START comes when the device is this play's, not while another thread still plays."""
    from theme.live.engine.companions import Transport

    free = threading.Event()
    told: list[tuple[str, bool]] = []

    class BusySink(ArraySink):
        def reserve(self) -> None:
            free.wait(30)

    class Listener:
        def transport(self, event: Transport, **_: object) -> None:
            told.append((event.name, free.is_set()))

        def block(self, block: object) -> None:
            pass

        def check(self) -> None:
            pass

        def close(self) -> None:
            pass

    player = threading.Thread(
        target=lambda: theme.play(short_music(), sink=BusySink(), companions=[Listener()])
    )
    player.start()
    time.sleep(0.3)
    assert told == []  # waiting for the device: nothing started
    free.set()
    player.join(60)
    assert told[0] == ("START", True) and told[-1] == ("STOP", True)


def test_a_start_that_fails_after_taking_the_device_lets_it_go(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A renderer failing in the first blocks (or Ctrl-C there) must not keep the device
    from every other thread: the sink is closed, which gives its turn back."""
    from theme.live.engine.playback import Player
    from theme.renderers.audio import BlockRenderer

    closed: list[bool] = []

    class HeldSink(ArraySink):
        def reserve(self) -> None:
            self._closed = False

        def _close(self) -> None:
            closed.append(True)

    renderer = BlockRenderer.for_timeline(short_music(), rate=48000)

    def fail(out: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(renderer, "fill", fail)
    with pytest.raises(KeyboardInterrupt):
        Player(renderer, HeldSink()).start()
    assert closed == [True]
