"""MIDI ports, MIDI out and MIDI clock, measured on JACK's dummy driver.

A JACK server of these tests' own (``jackd -d dummy``) is a MIDI bus with a clock and no
hardware; python-rtmidi's JACK API reaches it (``THEME_MIDI_API=jack``), and
``jack_midi_dump -a`` records each message with the JACK frame it arrived at. Skipped,
saying why, where jackd, jack_midi_dump or python-rtmidi is missing.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from fractions import Fraction

import mido
import pytest

import theme
from theme.core.timeline import Timeline
from theme.errors import MidiDeviceError, UsageError
from theme.live.companions import Transport
from theme.live.midi_out import MidiOut
from theme.live.playback import Player, play
from theme.live.sinks import ArraySink
from theme.metronome import Metronome
from theme.renderers.audio import BlockRenderer
from theme.renderers.midi import midi_file

RATE = 48000

SERVER = f"theme-midi-{os.getpid()}"
PERIOD = 64
"""JACK's period in these tests (frames): 1.3 ms at 48 kHz."""
ENV = {
    **os.environ,
    "JACK_DEFAULT_SERVER": SERVER,
    "JACK_NO_AUDIO_RESERVATION": "1",
    "JACK_NO_START_SERVER": "1",
    "THEME_MIDI_API": "jack",
}


def missing() -> str | None:
    for program in ("jackd", "jack_midi_dump", "jack_lsp"):
        if not shutil.which(program):
            return f"{program} is not installed (apt-get install jackd2)"
    try:
        import rtmidi
    except ImportError:
        return "python-rtmidi is not installed (uv sync --extra sync)"
    if rtmidi.API_UNIX_JACK not in rtmidi.get_compiled_api():
        return "python-rtmidi has no JACK API"
    return None


def start_server(name: str, period: int) -> subprocess.Popen[bytes]:
    env = {**ENV, "JACK_DEFAULT_SERVER": name}
    server = subprocess.Popen(
        ["jackd", "--no-realtime", "-n", name, "-d", "dummy", "-r", "48000", "-p", str(period)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while subprocess.run(["jack_lsp"], env=env, capture_output=True).returncode != 0:
        if time.monotonic() > deadline or server.poll() is not None:
            server.kill()
            pytest.skip("jackd did not start")
        time.sleep(0.1)
    return server


@pytest.fixture(scope="module")
def jack_server() -> Iterator[None]:
    reason = missing()
    if reason:
        pytest.skip(reason)
    server = start_server(SERVER, PERIOD)
    saved = {k: os.environ.get(k) for k in ("JACK_DEFAULT_SERVER", "THEME_MIDI_API")}
    os.environ.update(JACK_DEFAULT_SERVER=SERVER, THEME_MIDI_API="jack")
    yield
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    server.terminate()
    server.wait(5)


class Dump:
    """``jack_midi_dump -a NAME``: a JACK MIDI input that prints each message with its
    absolute JACK frame."""

    LINE = re.compile(r"^\s*(\d+):((?: [0-9a-f]{2})+)")

    def __init__(self, name: str, env: dict[str, str] | None = None):
        self.name = name
        self.env = env or ENV
        self.process = subprocess.Popen(
            ["jack_midi_dump", "-a", name],
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        deadline = time.monotonic() + 10
        while f"{name}:input" not in ports_listed(self.env):
            assert time.monotonic() < deadline and self.process.poll() is None
            time.sleep(0.02)

    @property
    def port(self) -> str:
        return f"{self.name}:input"

    def stop(self) -> list[tuple[int, bytes]]:
        """Stop recording; ``(JACK frame, message bytes)`` for each message."""
        time.sleep(0.1)
        self.process.terminate()
        out, _ = self.process.communicate(5)
        found = []
        for line in out.splitlines():
            match = self.LINE.match(line)
            if match:
                found.append((int(match[1]), bytes.fromhex(match[2].replace(" ", ""))))
        return found


def ports_listed(env: dict[str, str]) -> str:
    return subprocess.run(["jack_lsp"], env=env, capture_output=True, text=True).stdout


# -- ports ---------------------------------------------------------------------------------


@pytest.mark.jack
def test_the_ports_there_are_are_listed(jack_server: None) -> None:
    from theme.live.midiports import port_names

    dump = Dump("listed")
    try:
        ports = port_names()
        assert "listed:input" in ports.outputs
        assert "listed:input" not in ports.inputs
    finally:
        dump.stop()


@pytest.mark.jack
def test_a_port_is_opened_by_a_part_of_its_name_and_messages_arrive(jack_server: None) -> None:
    import mido

    from theme.live.midiports import open_output

    dump = Dump("parted")
    port = open_output("PARTED")
    port.send(mido.Message("note_on", channel=9, note=42, velocity=100))
    port.close()
    assert [m for _, m in dump.stop()] == [bytes([0x99, 42, 100])]


@pytest.mark.jack
def test_a_port_that_is_not_there_lists_the_ports(jack_server: None) -> None:
    from theme.live.midiports import open_output

    dump = Dump("here")
    try:
        with pytest.raises(MidiDeviceError, match=r"unknown MIDI output 'nowhere': .*'here:input'"):
            open_output("nowhere")
    finally:
        dump.stop()


@pytest.mark.jack
def test_an_input_calls_back_with_each_message(jack_server: None) -> None:
    import mido

    from theme.live.midiports import open_input

    got: list[mido.Message] = []
    # an input of ours reads what an output of ours writes: our output's port is the source
    out = mido.Backend("mido.backends.rtmidi/UNIX_JACK").open_output("loop", virtual=True)
    port = open_input("loop", callback=got.append)
    try:
        out.send(mido.Message("clock"))
        out.send(mido.Message("note_on", note=60, velocity=1))
        deadline = time.monotonic() + 5
        while len(got) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        port.close()
        out.close()
    assert [m.type for m in got] == ["clock", "note_on"]


def test_a_bad_api_is_a_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from theme.live.midiports import port_names

    monkeypatch.setenv("THEME_MIDI_API", "coremidi")
    with pytest.raises(UsageError, match="invalid MIDI API 'coremidi' in THEME_MIDI_API"):
        port_names()


def test_no_rtmidi_says_how_to_install_it() -> None:
    code = (
        "import sys; sys.modules['rtmidi'] = None\n"
        "from theme.live.midiports import port_names\n"
        "from theme.errors import MidiDeviceError\n"
        "try:\n    port_names()\nexcept MidiDeviceError as e:\n    print(e, e.exit_code)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout == (
        "no MIDI support: install python-rtmidi with 'uv sync --extra sync' "
        "(or pip install 'theme[sync]') 3\n"
    )


# -- what is sent: a port of our own records it, on a sink with no sound card ------------------


class FakePort:
    """A mido output port that keeps what it is sent."""

    name = "fake"

    def __init__(self) -> None:
        self.sent: list[mido.Message] = []

    def send(self, message: mido.Message) -> None:
        self.sent.append(message)

    def close(self) -> None:
        pass


def file_messages(timeline: Timeline) -> list[tuple[int, bytes]]:
    """``(frame, bytes)`` of every channel message of the timeline's MIDI file, each tick
    placed on the tempo map (every onset here is on the 960 grid: nothing rounds)."""
    found = []
    for track in midi_file(timeline).tracks[1:]:
        tick = 0
        for message in track:
            tick += message.time
            if not message.is_meta:
                frame = timeline.tempo_map.sample_at(Fraction(tick, 960), RATE)
                found.append((frame, bytes(message.bytes())))
    return found


def played(timeline: Timeline, *, clock: bool = False) -> tuple[MidiOut, FakePort]:
    port = FakePort()
    out = MidiOut(port, clock=clock, log=True)
    play(timeline, sink=ArraySink(), companions=[out])
    return out, port


def test_the_notes_sent_are_the_midi_files_at_their_exact_frames() -> None:
    timeline = theme.load("tv-1966", intro_bars=2, melody_bars=2).timeline(tempo=200)
    out, port = played(timeline)
    assert out.log is not None
    sent = [
        (f, bytes(m.bytes())) for f, m in out.log if m.type != "control_change" or m.control != 123
    ]
    assert sorted(sent) == sorted(file_messages(timeline))
    # in time order, note-offs before note-ons on one frame
    assert [f for f, _ in out.log] == sorted(f for f, _ in out.log)
    # the drums on channel 10 (9 from 0), as in the file
    assert any(m.type == "note_on" and m.channel == 9 for m in port.sent)
    # every note released at the end, and All Notes Off on each channel used
    ons = {(m.channel, m.note) for m in port.sent if m.type == "note_on"}
    channels = {c for c, _ in ons}
    tail = port.sent[-len(channels) :]
    assert [(m.type, m.control, m.channel) for m in tail] == [
        ("control_change", 123, c) for c in sorted(channels)
    ]


def test_a_metronome_in_seven_eight_sends_its_clicks_and_24_clocks_a_quarter() -> None:
    metronome = Metronome("7/8", bars=3, accel="e=200-280/3")
    timeline = metronome.timeline()
    out, port = played(timeline, clock=True)
    assert out.log is not None
    clocks = [f for f, m in out.log if m.type == "clock"]
    # 3 bars of 7/8 = 10.5 quarters: 252 clocks, each at its exact position on the ramp
    quarters = timeline.length
    assert quarters == Fraction(21, 2)
    expected = [timeline.tempo_map.sample_at(Fraction(k, 24), RATE) for k in range(252)]
    assert clocks == expected
    assert port.sent[0].type == "start" and port.sent[-1].type == "stop"
    notes = [(f, bytes(m.bytes())) for f, m in out.log if m.type in ("note_on", "note_off")]
    assert sorted(notes) == sorted(b for b in file_messages(timeline) if b[1][0] & 0xE0 == 0x80)


def test_a_stop_releases_the_held_notes_and_sends_nothing_after_it() -> None:
    from theme.live.sinks import SteppedSink

    port = FakePort()
    out = MidiOut(port, clock=True, log=True)
    timeline = theme.load("tv-1966").timeline(tempo=120)
    player = Player(BlockRenderer.for_timeline(timeline), SteppedSink(), companions=[out])
    player.start()
    for _ in range(400):  # about two seconds of blocks, one a look
        player.heard_frame()
    stop_frame = player.heard_frame()
    # the sender sends what is due by the clock; the stop sends the rest due by then
    player.stop()
    assert out.log is not None
    assert max(f for f, _ in out.log) <= stop_frame + 256
    assert port.sent[-1].type == "stop"
    held: set[tuple[int, int]] = set()
    for m in port.sent:
        if m.type == "note_on":
            held.add((m.channel, m.note))
        elif m.type == "note_off":
            held.discard((m.channel, m.note))
    assert held == set()
    assert {m.channel for m in port.sent if m.type == "control_change" and m.control == 123}


@pytest.mark.parametrize(
    ("quarter", "sixteenths"), [(Fraction(0), 0), (Fraction(1, 4), 1), (Fraction(7, 3), 10)]
)
def test_going_on_sends_song_position_then_continue_then_the_clock_on_that_sixteenth(
    quarter: Fraction, sixteenths: int
) -> None:
    from theme.live.sinks import SteppedSink

    port = FakePort()
    out = MidiOut(port, notes=False, clock=True, log=True)
    metronome = Metronome("5/4", bpm=150)
    renderer = metronome.renderer(from_quarter=quarter)
    player = Player(renderer, SteppedSink(), companions=[out], origin=quarter, resumed=True)
    player.start()
    for _ in range(50):
        player.heard_frame()
    player.stop(transport=Transport.PAUSE)
    assert out.log is not None
    first = [(f, m.type) for f, m in out.log[:3]]
    assert first[:2] == [(0, "songpos"), (0, "continue")]
    assert out.log[0][1].pos == sixteenths
    start = renderer.tempo_map.sample_at(Fraction(sixteenths, 4) - quarter, RATE)
    assert first[2] == (start, "clock")
    clocks = [f for f, m in out.log if m.type == "clock"]
    assert clocks == [
        renderer.tempo_map.sample_at(Fraction(6 * sixteenths + k, 24) - quarter, RATE)
        for k in range(len(clocks))
    ]
