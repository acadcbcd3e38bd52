"""MIDI ports, MIDI out and MIDI clock, measured on JACK's dummy driver.

A JACK server of these tests' own (``jackd -d dummy``) is a MIDI bus with a clock and no
hardware; python-rtmidi's JACK API reaches it (``THEME_MIDI_API=jack``), and
``jack_midi_dump -a`` records each message with the JACK frame it arrived at. Skipped,
saying why, where jackd, jack_midi_dump or python-rtmidi is missing.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from fractions import Fraction
from pathlib import Path

import mido
import pytest

import theme
from tests.conftest import finished, theme_process
from tests.jackserver import (
    XrunCount,
    jack_missing,
    jack_ports,
    start_jack_server,
    stop_jack_server,
)
from theme.core.timeline import Timeline
from theme.errors import MidiDeviceError, UsageError
from theme.live.engine.companions import Transport
from theme.live.engine.playback import Player
from theme.live.engine.sinks import ArraySink, ClockedSink
from theme.live.start import play
from theme.live.sync.midi_out import MidiOut
from theme.metronome import Metronome
from theme.renderers.audio import BlockRenderer
from theme.renderers.midi import midi_file

RATE = 48000

SERVER = f"theme-midi-{os.getpid()}"
PERIOD = 1024
"""JACK's period in these tests (frames): 21 ms at 48 kHz, as in tests/test_jack.py. On a
busy machine without real-time scheduling a shorter one is missed now and then, and a MIDI
client that misses a cycle misses its messages; the benchmark tries shorter ones."""
ENV = {
    **os.environ,
    "JACK_DEFAULT_SERVER": SERVER,
    "JACK_NO_AUDIO_RESERVATION": "1",
    "JACK_NO_START_SERVER": "1",
    "THEME_MIDI_API": "jack",
}


def start_server(name: str, period: int) -> subprocess.Popen[bytes]:
    env = {**ENV, "JACK_DEFAULT_SERVER": name}
    return start_jack_server(env, period=period, client_timeout_ms=2000)


@pytest.fixture(scope="module")
def jack_server() -> Iterator[None]:
    reason = jack_missing(("jackd", "jack_midi_dump", "jack_lsp"), midi=True)
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
    stop_jack_server(server)


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
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self._xruns = XrunCount(f"{name}-xruns", self.env["JACK_DEFAULT_SERVER"])
        deadline = time.monotonic() + 20
        while f"{name}:input" not in jack_ports(self.env):
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.__exit__()
                raise AssertionError(f"jack_midi_dump's port {name}:input did not appear")
            time.sleep(0.02)

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)

    @property
    def port(self) -> str:
        return f"{self.name}:input"

    def __enter__(self) -> Dump:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(5)
        self._xruns.close()

    def stop(self, quiet_seconds: float = 0.5) -> Arrived:
        """Stop recording once nothing new has come for ``quiet_seconds`` (on a loaded
        machine the dump prints late; 30 s at most); ``(JACK frame, message bytes)`` for
        each message."""
        deadline = time.monotonic() + 30
        seen, since = -1, time.monotonic()
        while quiet_seconds and time.monotonic() < deadline:
            if len(self.lines) != seen:
                seen, since = len(self.lines), time.monotonic()
            elif time.monotonic() - since >= quiet_seconds:
                break
            time.sleep(0.05)
        self.process.terminate()
        self.process.wait(5)
        self._reader.join(5)
        found = Arrived()
        for line in self.lines:
            match = self.LINE.match(line)
            if match:
                found.append((int(match[1]), bytes.fromhex(match[2].replace(" ", ""))))
        found.xruns = self._xruns.count
        return found


class Arrived(list[tuple[int, bytes]]):
    """What a :class:`Dump` received, ``(JACK frame, message bytes)``, and how many xruns
    the server had meanwhile."""

    xruns = 0


# -- ports ---------------------------------------------------------------------------------


@pytest.mark.jack
def test_the_ports_there_are_are_listed(jack_server: None) -> None:
    from theme.live.sync.midiports import port_names

    with Dump("listed"):
        ports = port_names()
    assert "listed:input" in ports.outputs
    assert "listed:input" not in ports.inputs


@pytest.mark.jack
def test_a_port_is_opened_by_a_part_of_its_name_and_messages_arrive(jack_server: None) -> None:
    import mido

    from theme.live.sync.midiports import open_output

    with Dump("parted") as dump:
        port = open_output("PARTED")
        port.send(mido.Message("note_on", channel=9, note=42, velocity=100))
        deadline = time.monotonic() + 10  # JACK moves it at its next cycle: close after that
        while not dump.lines and time.monotonic() < deadline:
            time.sleep(0.01)
        port.close()
        assert [m for _, m in dump.stop()] == [bytes([0x99, 42, 100])]


@pytest.mark.jack
def test_a_port_that_is_not_there_lists_the_ports(jack_server: None) -> None:
    from theme.live.sync.midiports import open_output

    with Dump("here"), pytest.raises(MidiDeviceError, match=r"output 'nowhere': .*'here:input'"):
        open_output("nowhere")


@pytest.mark.jack
def test_an_input_calls_back_with_each_message(jack_server: None) -> None:
    import mido

    from theme.live.sync.midiports import open_input

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
    from theme.live.sync.midiports import port_names

    monkeypatch.setenv("THEME_MIDI_API", "coremidi")
    with pytest.raises(UsageError, match="invalid MIDI API 'coremidi' in THEME_MIDI_API"):
        port_names()


def test_no_rtmidi_says_how_to_install_it() -> None:
    code = (
        "import sys; sys.modules['rtmidi'] = None\n"
        "from theme.live.sync.midiports import port_names\n"
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


def test_the_clicks_go_to_the_channel_and_notes_asked_for() -> None:
    """``--click-channel 3 --click-notes 36,38,42``: a 5/4 bar (3+2) with a bar of count-in
    sends downbeat 36, the second group's first pulse 38, the other pulses 42, on channel 3
    (2 from 0); the second meter of --vs keeps its own notes and takes the channel."""
    from theme.live.sync.midi_out import ClickNotes

    clicks = ClickNotes(
        channel=2,
        notes=(36, 38, 42),
        channel_layers=frozenset({"click", "count-in", "vs"}),
        note_layers=frozenset({"click", "count-in"}),
    )
    port = FakePort()
    out = MidiOut(port, clicks=clicks)
    timeline = Metronome("5/4", bpm=200, bars=1, count_in=1).timeline()
    play(timeline, sink=ArraySink(), companions=[out])
    ons = [(m.channel, m.note) for m in port.sent if m.type == "note_on"]
    assert ons == [(2, 36), (2, 42), (2, 42), (2, 38), (2, 42)] * 2
    port = FakePort()
    timeline = Metronome("5/4", vs="4/4", bpm=200, bars=1).timeline()
    play(timeline, sink=ArraySink(), companions=[MidiOut(port, clicks=clicks)])
    ons = [(m.channel, m.note) for m in port.sent if m.type == "note_on"]
    assert {channel for channel, _ in ons} == {2}
    assert {note for _, note in ons} - {36, 38, 42} == {67, 68}  # the agogo of the .mid file
    with pytest.raises(ValueError, match="0 to 15"):
        ClickNotes(channel=16)


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--click-channel", "17"], "invalid --click-channel '17': expected a MIDI channel"),
        (["--click-notes", "36,38"], "invalid --click-notes '36,38': expected three note"),
        (["--click-notes", "36,38,128"], "invalid --click-notes '36,38,128'"),
    ],
)
def test_click_options_out_of_range_are_refused_in_one_line(
    args: list[str], said: str, tmp_path: Path
) -> None:
    from tests.conftest import run_theme

    env = {**os.environ, "THEME_MIDI_OUT": "nowhere"}
    result = run_theme("metronome", "5/4", "--midi-out", "--no-audio", *args, cwd=tmp_path, env=env)
    assert result.returncode == 2 and result.stderr.startswith(f"theme: error: {said}")
    assert result.stderr.count("\n") == 1


def test_click_options_without_midi_out_are_refused(tmp_path: Path) -> None:
    from tests.conftest import run_theme

    result = run_theme("metronome", "5/4", "--click-channel", "3", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == (
        "theme: error: --click-channel is for the clicks sent to a MIDI port: give --midi-out\n"
    )


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
    from theme.live.engine.sinks import SteppedSink

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

    port = FakePort()
    out = MidiOut(port, notes=False, clock=True, log=True)
    metronome = Metronome("5/4", bpm=150)
    renderer = metronome.renderer(from_quarter=quarter)
    paused_after_going_on(renderer, out, quarter)
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


# -- measured on JACK: what arrives, in order, on the grid, without drift ---------------------


def paused_after_going_on(renderer: BlockRenderer, out: MidiOut, quarter: Fraction) -> None:
    """A player that goes on at ``quarter`` (no sound card: 50 steps of its clock) with
    ``out`` as its companion, then pauses."""
    from theme.live.engine.sinks import SteppedSink

    player = Player(renderer, SteppedSink(), companions=[out], origin=quarter, resumed=True)
    player.start()
    for _ in range(50):
        player.heard_frame()
    player.stop(transport=Transport.PAUSE)


def residuals(
    log: list[tuple[int, mido.Message]], dump: list[tuple[int, bytes]]
) -> list[int | None]:
    """For each message sent, the JACK frame it arrived at minus the frame it was due at:
    the same messages in the same order, else the assertion says what differs.

    Only when the server had xruns may a few messages (for each xrun) be missing (None) or
    come twice: a client late for a cycle, which JACK's asynchronous mode answers by dropping
    that cycle's MIDI or by handing on the cycle before's again (seen: Stop twice, a period
    apart). That is the machine's scheduler (a server without real-time scheduling, where
    the machine refuses it), not the sender; nothing may arrive that was not sent."""
    sent = [bytes(m.bytes()) for _, m in log]
    xruns = getattr(dump, "xruns", 0)
    if not xruns:
        assert sent == [b for _, b in dump]
        return [jack - due for (due, _), (jack, _) in zip(log, dump)]
    late: list[int | None] = [None] * len(sent)
    at, twice = 0, 0
    for jack, message in dump:  # each arrived message is the next one like it sent
        ahead = sent.index(message, at) if message in sent[at:] else None
        if ahead is None:
            assert message in sent, f"{message.hex()} at JACK frame {jack} was never sent"
            twice += 1
            continue
        late[ahead] = jack - log[ahead][0]
        at = ahead + 1
    assert late.count(None) + twice <= 16 * xruns, (late.count(None), twice, xruns)
    return late


def assert_arrived(expected: list[bytes], arrived: list[bytes], xruns: int) -> None:
    """``arrived`` holds the ``expected`` messages (in any order); with xruns on the server
    (see :func:`residuals`) a few for each may be missing or come twice, nothing unsent."""
    if not xruns:
        assert sorted(arrived) == sorted(expected)
        return
    difference = Counter(expected)
    difference.subtract(Counter(arrived))
    assert set(arrived) <= set(expected), "a message arrived that was not sent"
    assert sum(abs(n) for n in difference.values()) <= 16 * xruns, (difference, xruns)


def played_to_jack(name: str, player_of: Callable[[MidiOut], object]) -> tuple[MidiOut, list]:
    with Dump(name) as dump:
        out = MidiOut.open(name, clock=True, log=True)
        try:
            player_of(out)
        finally:
            out.close()
        return out, dump.stop()


SOUND_CARD_PLAYER = """
import sys
from theme.live.sync.midi_out import MidiOut
from theme.live.engine.playback import Player
from theme.live.engine.sinks import SoundDeviceSink, devices
from theme.metronome import Metronome
jack = [d.index for d in devices() if d.hostapi.startswith("JACK")]
if not jack:
    print("no JACK host API")
    sys.exit(0)
out = MidiOut.open(sys.argv[1], clock=True, log=True)
metronome = Metronome("5/4", bpm=137, bars=3)
player = Player(metronome.renderer(), SoundDeviceSink(device=jack[0]), companions=[out])
player.start().wait()
player.close()
out.close()
print("underruns", player.underruns)
for frame, message in out.log:
    print(frame, message.hex())
"""


@pytest.mark.jack
def test_clock_and_clicks_arrive_in_order_24_a_quarter_without_drift(jack_server: None) -> None:
    """Through the sound card (PortAudio on the same JACK server, in a process of its own as
    a user runs it), the player's frames are JACK's: each message arrives a steady distance
    after the frame it was due at."""
    with Dump("grid") as dump:
        result = subprocess.run(
            [sys.executable, "-c", SOUND_CARD_PLAYER, dump.port],
            env=ENV,
            capture_output=True,
            text=True,
            timeout=60,
        )
        arrived = dump.stop()
    if "PortAudio" in result.stderr or result.stdout.startswith("no JACK"):
        pytest.skip("no PortAudio with a JACK host API here (apt-get install libportaudio2)")
    assert result.returncode == 0, result.stderr
    head, *rows = result.stdout.splitlines()
    underruns = int(head.split()[1])
    log = [(int(f), mido.Message.from_hex(h)) for f, h in (row.split(" ", 1) for row in rows)]
    late = residuals(log, arrived)
    kinds = [m.type for _, m in log]
    assert kinds[0] == "start" and kinds[-1] == "stop"
    assert kinds.count("clock") == 24 * 15  # 3 bars of 5/4: 15 quarters
    clocks = [r for r, kind in zip(late, kinds) if kind == "clock" and r is not None]
    # no drift: the last clocks are where the first ones predict, within a JACK period
    # (and a block for each underrun, a period for each xrun: JACK's clock goes on while
    # the sound card's skips)
    first, last = sorted(clocks[:24])[12], sorted(clocks[-24:])[12]
    assert abs(last - first) <= PERIOD * (1 + arrived.xruns) + 256 * underruns, arrived.xruns
    # the clicks are the MIDI file's
    timeline = Metronome("5/4", bpm=137, bars=3).timeline()
    notes = [(f, bytes(m.bytes())) for f, m in log if m.type in ("note_on", "note_off")]
    assert notes == sorted(b for b in file_messages(timeline) if b[1][0] & 0xE0 == 0x80)


@pytest.mark.jack
def test_with_no_sound_card_the_same_messages_arrive_in_order(jack_server: None) -> None:
    metronome = Metronome("3+3+2/8", bpm="e=600", bars=2)

    def run(out: MidiOut) -> None:
        player = Player(metronome.renderer(), ClockedSink(), companions=[out]).start()
        player.wait()
        player.close()

    out, dump = played_to_jack("clocked", run)
    assert out.log is not None
    residuals(out.log, dump)  # JACK's dummy clock is not the system's: the order only
    assert [m.type for _, m in out.log].count("clock") == 24 * 8


@pytest.mark.jack
def test_a_pause_sends_stop_then_song_position_and_continue(jack_server: None) -> None:
    import io

    from theme.metronome.terminal import LiveMetronome
    from theme.terminal import ScriptedKeys

    metronome = Metronome("7/8", bpm="e=420", bars=4)
    live: list[LiveMetronome] = []

    def run(out: MidiOut) -> None:
        keys = ScriptedKeys([(1.0, " "), (1.0, " ")])  # a pause, and on at once
        live.append(
            LiveMetronome(
                metronome, sink=ClockedSink(), keys=keys, out=io.StringIO(), companions=[out]
            )
        )
        assert live[0].run() == 0

    out, dump = played_to_jack("paused", run)
    assert out.log is not None
    residuals(out.log, dump)
    kinds = [m.type for _, m in out.log]
    stop = kinds.index("stop")
    assert kinds[0] == "start" and kinds[stop + 1 : stop + 3] == ["songpos", "continue"]
    assert kinds[-1] == "stop" and kinds.count("stop") == 2
    spp = out.log[stop + 1][1].pos
    clocks_before = kinds[:stop].count("clock")
    assert 6 * spp >= clocks_before  # it goes on at or after where it stopped
    clocks_after = kinds[stop:].count("clock")
    assert 6 * spp + clocks_after == 24 * 14  # 4 bars of 7/8: 14 quarters, counted on
    # notes released at the pause: nothing sounds between the stop and the continue
    between = kinds[kinds.index("control_change", stop - 20) : stop]
    assert "note_on" not in between


# -- the command line ------------------------------------------------------------------------


def theme_command(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    """``theme ARGS`` started as a user starts it, on this module's JACK server."""
    return theme_process(*args, env=env or ENV)


@pytest.mark.jack
def test_theme_ports_lists_the_outputs_and_the_default(jack_server: None) -> None:
    with Dump("synth"):
        result = subprocess.run(
            [sys.executable, "-m", "theme", "ports"],
            env={**ENV, "THEME_MIDI_OUT": "synth:input"},
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "MIDI outputs:",
        "* synth:input",
        "MIDI inputs: none",
        "* the default output (THEME_MIDI_OUT); audio devices: 'theme devices'",
    ]


@pytest.mark.jack
@pytest.mark.parametrize(
    ("args", "printed"),
    [
        (["play", "tv-1966", "--bars", "2", "--tempo", "300"], "played 2 bars"),
        (["metronome", "7/8", "--bpm", "e=600", "--bars", "2"], "played 2 bars"),
    ],
)
def test_the_commands_send_notes_and_clock_with_no_sound_card(
    jack_server: None, args: list[str], printed: str
) -> None:
    with Dump("cli") as dump:
        command = theme_command(*args, "--midi-out", "cli", "--clock", "--no-audio")
        out, err = finished(command)
        got = dump.stop()
        arrived = [message for _, message in got]
    assert command.returncode == 0, err
    assert printed in out and not err
    if args[0] == "play":
        timeline = theme.load("tv-1966").timeline(tempo=300, bars=2)
    else:
        timeline = Metronome("7/8", bpm="e=600", bars=2).timeline()
    expected = [b for _, b in file_messages(timeline)]
    sent = [m for m in arrived if m[0] & 0xF0 != 0xF0 and not m.startswith(b"\xb9\x7b")]
    notes = [m for m in expected if m[0] & 0xF0 in (0x80, 0x90)]
    assert_arrived(notes, [m for m in sent if m[0] & 0xF0 in (0x80, 0x90)], got.xruns)
    clocks = [b"\xf8"] * int(24 * timeline.length)
    assert_arrived(clocks, [m for m in arrived if m == b"\xf8"], got.xruns)
    assert (arrived[0] == b"\xfa" and b"\xfc" in arrived[-5:]) or got.xruns


@pytest.mark.jack
def test_a_port_that_is_not_there_exits_3_listing_the_ports(jack_server: None) -> None:
    with Dump("there"):
        command = theme_command("metronome", "5/4", "--midi-out", "elsewhere", "--no-audio")
        out, err = finished(command)
    assert command.returncode == 3
    assert err == (
        "theme: error: unknown MIDI output 'elsewhere': expected one of 'there:input' "
        "(see 'theme ports')\n"
    )
    assert out == ""


@pytest.mark.jack
@pytest.mark.parametrize("args", [["metronome", "5/4", "--bpm", "200"], ["play", "tv-1966"]])
def test_a_port_that_goes_away_mid_piece_ends_it_with_exit_1(
    jack_server: None, args: list[str]
) -> None:
    with Dump("leaving") as dump:
        command = theme_command(*args, "--midi-out", "leaving", "--clock", "--no-audio")
        wait_until_listening(command, port="RtMidi")  # its output, once it has started
        time.sleep(1.0)  # a second of music
        arrived = dump.stop(quiet_seconds=0)  # the port's program ends, mid-piece
    out, err = finished(command)
    assert command.returncode == 1, err
    assert re.fullmatch(
        r"theme: error: the MIDI output 'leaving:input' was lost during playback \(\d+ notes "
        r"and \d+ messages sent\): check the port or its program, then play again\n",
        err,
    )
    assert re.search(r"^stopped (in|at) (bar|.*bar)", out, re.M), out
    assert arrived and arrived[0][1] == b"\xfa"


def test_no_jack_server_is_one_line_and_exit_3() -> None:
    pytest.importorskip("rtmidi")
    env = {**ENV, "JACK_DEFAULT_SERVER": f"theme-none-{os.getpid()}"}
    for args in (["ports"], ["metronome", "5/4", "--midi-out", "x", "--no-audio"]):
        result = subprocess.run(
            [sys.executable, "-m", "theme", *args], env=env, capture_output=True, text=True
        )
        assert result.returncode == 3
        assert result.stderr == (
            "theme: error: no JACK server to reach (MidiInJack::initialize: JACK server not "
            "running?): start one, or unset THEME_MIDI_API\n"
        )
        assert result.stdout == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--no-audio"], "--no-audio plays nothing without --midi-out PORT or --clock"),
        (["--clock", "--no-audio"], "no MIDI output named: give --midi-out PORT or set"),
        (["--clock", "--no-audio", "--device", "1"], "--device is for the sound card, not"),
        (["--bars", "1", "-o", "x.wav", "--clock"], "--clock is for playing live, not for"),
        (["--bars", "1", "-o", "x.mid", "--midi-out", "p"], "--midi-out is for playing live"),
    ],
)
def test_midi_options_that_would_do_nothing_are_refused(
    args: list[str], message: str, tmp_path: Path
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "theme", "metronome", "5/4", *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={k: v for k, v in ENV.items() if k != "THEME_MIDI_OUT"},
    )
    assert result.returncode == 2
    assert result.stderr.startswith(f"theme: error: {message}")
    assert list(tmp_path.iterdir()) == []


def test_the_clock_follows_live_tempo_changes_exactly() -> None:
    import io

    from theme.live.engine.sinks import SteppedSink
    from theme.metronome.terminal import LiveMetronome
    from theme.terminal import ScriptedKeys

    port = FakePort()
    out = MidiOut(port, clock=True, log=True)
    metronome = Metronome("5/4", bpm=137, bars=3, count_in=1)
    keys = ScriptedKeys([(0.5, "+"), (1.0, "+"), (2.0, "-")])
    live = LiveMetronome(
        metronome, sink=SteppedSink(), keys=keys, out=io.StringIO(), companions=[out]
    )
    assert live.run(refresh_seconds=0) == 0
    assert [qpm for _, qpm in live.tempo_changes] == [141, 145, 141]
    assert out.log is not None
    clocks = [f for f, m in out.log if m.type == "clock"]
    assert len(clocks) == 24 * 20  # a bar of count-in and 3 bars: 20 quarters, no more
    tempo_map = live.tempo.tempo_map
    assert clocks == [tempo_map.sample_at(Fraction(k, 24), RATE) for k in range(24 * 20)]
    # the clicks too, at their exact frames on the changed map
    ons = [f for f, m in out.log if m.type == "note_on"]
    assert ons == [tempo_map.sample_at(e.onset, RATE) for e in metronome.events()]


@pytest.mark.jack
def test_the_library_plays_to_a_port_theme_play_and_the_metronome(jack_server: None) -> None:
    timeline = theme.load("tv-1966").timeline(tempo=300, bars=1)
    with Dump("library") as dump:
        player = theme.play(timeline, midi_out="library", midi_clock=True, audio=False)
        assert not player.active
        metronome = Metronome("5/4", bpm=600, bars=1).play(midi_out="library", audio=False)
        metronome.wait()
        metronome.close()
        got = dump.stop()
        arrived = [m for _, m in got]
    assert b"\xfc" in arrived, "theme.play's Stop did not arrive"  # it comes before the port closes
    first = arrived[: arrived.index(b"\xfc") + 1]  # theme.play's, then the metronome's
    assert first[0] == b"\xfa"
    assert_arrived([b"\xf8"] * 24 * 5, [m for m in first if m == b"\xf8"], got.xruns)
    notes = [m for m in first if m[0] & 0xE0 == 0x80]
    expected = [b for _, b in file_messages(timeline) if b[0] & 0xE0 == 0x80]
    assert_arrived(expected, notes, got.xruns)
    clicks = [m for m in arrived[len(first) :] if m[0] == 0x99]
    assert b"\xf8" not in arrived[len(first) :]
    assert len(clicks) == 5 or got.xruns


# -- MIDI clock in: a master on a JACK port ------------------------------------------------


JACK_MASTER = """
import contextlib, os, sys, threading, time
import mido

name, qpm, flood = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
with contextlib.suppress(AttributeError, OSError):  # its threads inherit it
    fifo = os.SCHED_FIFO
    os.sched_setscheduler(0, fifo, os.sched_param(os.sched_get_priority_min(fifo)))
port = mido.Backend("mido.backends.rtmidi/UNIX_JACK").open_output(name, virtual=True)
extra, done = [], threading.Event()

def read():
    for line in sys.stdin:
        if line.strip() == "close":
            break
        extra.append(mido.Message.from_hex(line.strip()))
    done.set()

threading.Thread(target=read, daemon=True).start()
print("ready", flush=True)
sysex = mido.Message("sysex", data=[0x7D] + list(range(60)))
period, begin, k = 60 / (qpm * 24), time.monotonic(), 0
while not done.is_set():
    done.wait(max(0.0, begin + k * period - time.monotonic()))
    while extra:
        port.send(extra.pop(0))
    for _ in range(flood):
        port.send(sysex)
    if not done.is_set():
        port.send(mido.Message("clock"))
    k += 1
port.close()
"""


class JackMaster:
    """A MIDI clock master on a JACK MIDI output port of its own (``name``) in a process of
    its own, real-time scheduled where the machine allows (as a hardware master's clock is
    its own): it sends clock at ``qpm``, ``flood`` system exclusive messages before each
    clock, and any message handed to :meth:`send` before the next clock. (A thread of the
    test's process, beside two CPU burners and the suite's other workers, sent its clocks
    in bursts: the follower read 135 BPM for 120, or waited a minute for a steady clock.)"""

    def __init__(self, name: str, qpm: float, *, flood: int = 0) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", JACK_MASTER, name, str(qpm), str(flood)],
            env=ENV,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        if self.process.stdout.readline().strip() != "ready":
            self.close()
            raise AssertionError(f"the master's port {name} did not open")

    def send(self, message: mido.Message) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(message.hex() + "\n")
        self.process.stdin.flush()

    def close(self) -> None:
        """Stop the clock and close the port (once the process has ended, it is gone)."""
        if self.process.poll() is None:
            with contextlib.suppress(OSError):
                assert self.process.stdin is not None
                self.process.stdin.write("close\n")
                self.process.stdin.flush()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.mark.jack
def test_a_master_on_a_jack_port_is_followed_and_what_is_not_clock_ignored(
    jack_server: None,
) -> None:
    from theme.errors import MidiPortLostError
    from theme.live.sync.midi_clock_in import MidiClockSession
    from theme.live.sync.midiports import WATCH_SECONDS

    master = JackMaster("master", 120)
    session = MidiClockSession("master", bpm=100, quantum=Fraction(5)).start()
    try:
        time.sleep(1.5)  # a period of 21 ms (a clock's) and a loaded machine: 2.5% (figures:
        # benchmarks/bench_clock_in.py)
        assert not session.state.playing and abs(session.state.bpm - 120) < 3
        master.send(mido.Message("start"))
        master.send(mido.Message("note_on", note=36, velocity=100))
        master.send(mido.Message("control_change", control=7, value=90))
        time.sleep(1.5)
        state = session.state
        assert state.playing and abs(state.bpm - 120) < 3
        assert 1.3 < state.beat < 3.2  # about three quarter notes since its Start
        assert session.ignored == 2 and session.describe().endswith("BPM, playing")
        master.send(mido.Message("stop"))
        time.sleep(0.2)
        assert not session.state.playing
    finally:
        master.close()
    time.sleep(WATCH_SECONDS + 0.1)
    with pytest.raises(MidiPortLostError, match=r"the MIDI input '.*master' went away"):
        session.check()
    session.close()


@pytest.mark.jack
def test_the_metronome_plays_at_the_masters_tempo_from_its_start(jack_server: None) -> None:
    """``theme metronome 5/4 --bpm 100 --clock-in master`` with a master at 150: nothing until
    its Start, then two bars at 150 (0.4 s a click, not 100's 0.6 s) to a MIDI port."""
    master = JackMaster("master150", 150)
    try:
        with Dump("clicks") as dump:
            command = theme_command(
                "metronome", "5/4", "--bpm", "100", "--bars", "2",
                "--clock-in", "master150", "--midi-out", "clicks", "--no-audio",
            )  # fmt: skip
            wait_until_listening(command)
            time.sleep(1.0)
            assert command.poll() is None  # waiting for the master's Start
            master.send(mido.Message("start"))
            out, err = finished(command)
            arrived = dump.stop()
    finally:
        master.close()
    assert command.returncode == 0, err
    assert "played 2 bars" in out and not err
    hits = [frame for frame, m in arrived if m[0] & 0xF0 == 0x90 and m[2] > 0]
    assert len(hits) == 10
    # its tempo: the middle of the nine intervals (a loaded machine may make one a catch-up),
    # each as JACK's MIDI delivers it, at the start of a period: 0.4 s is 18.75 periods, so
    # an interval is 18 or 19 of them (0.384 or 0.405 s), far from 100's 0.6 s
    per_click = sorted(b - a for a, b in itertools.pairwise(hits))[4] / 48000
    assert per_click == pytest.approx(0.4, abs=PERIOD / 48000)


def wait_until_listening(command: subprocess.Popen[str], port: str = "RtMidiIn") -> None:
    """Wait until the command's MIDI port (``RtMidiIn``: its input; ``RtMidi``: any) is on
    the server: 120 s at most (a command starting beside two CPU-burning processes and the
    suite's other workers took more than 30 s)."""
    deadline = time.monotonic() + 120
    while port not in jack_ports(ENV):
        if command.poll() is not None:
            said = command.stderr.read() if command.stderr else ""
            raise AssertionError(f"the command ended before its port was there: {said}")
        assert time.monotonic() < deadline, f"the command's {port} port not there in 120 s"
        time.sleep(0.05)


@pytest.mark.jack
def test_a_master_that_goes_while_the_metronome_waits_for_its_start_ends_the_run(
    jack_server: None,
) -> None:
    """The master's port closes before its Start: the metronome, paused and waiting, says
    so in one line and ends (exit 1, a port lost while playing) within seconds, not never."""
    master = JackMaster("leaving", 120)
    try:
        with Dump("clicks-left"):
            command = theme_command(
                "metronome", "5/4", "--clock-in", "leaving", "--midi-out", "clicks-left",
                "--no-audio",
            )  # fmt: skip
            wait_until_listening(command)
            time.sleep(1.0)
            assert command.poll() is None  # waiting for the master's Start
            master.close()
            gone = time.monotonic()
            _out, err = finished(command)
            ended_after = time.monotonic() - gone
    finally:
        master.close()
    assert command.returncode == 1, err
    assert re.fullmatch(r"theme: error: the MIDI input '.*leaving' went away during the run\n", err)
    assert ended_after < 20  # a watchdog of half a second (a bound a loaded machine keeps)


@pytest.mark.jack
def test_a_flood_of_system_exclusive_keeps_the_metronome_to_its_bars(jack_server: None) -> None:
    """Twenty system exclusive messages with each clock (1,200 a second) on the master's
    port: ignored, and ``--bars 2`` plays two bars, ten clicks, then ends."""
    master = JackMaster("flooding", 150, flood=20)
    try:
        with Dump("clicks-flood") as dump:
            command = theme_command(
                "metronome", "5/4", "--bars", "2", "--clock-in", "flooding",
                "--midi-out", "clicks-flood", "--no-audio",
            )  # fmt: skip
            wait_until_listening(command)
            time.sleep(1.0)
            master.send(mido.Message("start"))
            out, err = finished(command)
            arrived = dump.stop()
    finally:
        master.close()
    assert command.returncode == 0, err
    assert "played 2 bars" in out and not err
    hits = [frame for frame, m in arrived if m[0] & 0xF0 == 0x90 and m[2] > 0]
    assert len(hits) == 10


@pytest.mark.jack
def test_a_clock_in_port_that_is_not_there_exits_3_listing_the_inputs(jack_server: None) -> None:
    master = JackMaster("there-is", 120)
    try:
        command = theme_command("metronome", "5/4", "--clock-in", "elsewhere")
        out, err = finished(command)
    finally:
        master.close()
    assert command.returncode == 3 and out == ""
    assert re.fullmatch(
        r"theme: error: unknown MIDI input 'elsewhere': expected one of .*'[^']*there-is[^']*'"
        r".* \(see 'theme ports'\)\n",
        err,
    ), err


# -- jumps and loops: the song position told again -------------------------------------------


def repeated(times: int, *, count_in: int = 1) -> Timeline:
    """Two bars of 5/4 at q=150 played ``times`` times after a count-in, as ``theme play
    FILE --repeat N --count-in 1`` makes it."""
    from theme.core.arrange import cycled
    from theme.metronome import count_in as counted

    form = Metronome("3+2/4", bpm=150, bars=2).timeline()
    return counted(cycled(form, bars=None, repeat=times, name="form"), count_in)


def test_each_loop_sends_stop_song_position_continue_at_its_exact_frame() -> None:
    """``--repeat 3`` after a bar of count-in: at the end of the first and second time the
    receiver is stopped, told the form's start (sixteenth 20: after the 5 quarters of the
    count-in) and continued, at the frame of the form's end on the tempo map, and the
    clocks go on from there on the song's grid: 24 a quarter, none lost or added."""
    from theme.core.arrange import repeated_form
    from theme.live.sync.midi_out import loop_jumps

    timeline = repeated(3)
    form = repeated_form(timeline, 3, after_bars=1)
    assert form == (Fraction(5), Fraction(10))
    jumps = loop_jumps(*form, timeline.length)
    port = FakePort()
    out = MidiOut(port, notes=False, clock=True, log=True, jumps=jumps)
    play(timeline, sink=ArraySink(), companions=[out])
    assert out.log is not None
    told = [(f, m.type, getattr(m, "pos", None)) for f, m in out.log if m.type != "clock"]
    frame = [timeline.tempo_map.sample_at(Fraction(q), RATE) for q in (15, 25)]
    assert told[0] == (0, "start", None) and told[-1][1] == "stop"
    assert told[1:-1] == [
        (frame[0], "stop", None),
        (frame[0], "songpos", 20),
        (frame[0], "continue", None),
        (frame[1], "stop", None),
        (frame[1], "songpos", 20),
        (frame[1], "continue", None),
    ]
    clocks = [f for f, m in out.log if m.type == "clock"]
    assert clocks == [
        timeline.tempo_map.sample_at(Fraction(k, 24), RATE) for k in range(24 * 35)
    ]  # the song's clocks are the music's: each loop ends on a clock
    kinds = [m.type for _, m in out.log]
    assert kinds[kinds.index("continue") + 1] == "clock"  # the form's first clock next


@pytest.mark.parametrize(("quarter", "sixteenths"), [(Fraction(17), 28), (Fraction(53, 2), 26)])
def test_going_on_after_a_loop_tells_the_songs_position_not_the_musics(
    quarter: Fraction, sixteenths: int
) -> None:
    """Paused in the second time round (quarter 17 of the music is quarter 7 of the song),
    or the third, it goes on with the song's position: the loops already passed counted."""
    from theme.core.arrange import repeated_form
    from theme.live.sync.midi_out import loop_jumps

    timeline = repeated(3)
    form = repeated_form(timeline, 3, after_bars=1)
    assert form is not None
    port = FakePort()
    jumps = loop_jumps(*form, timeline.length)
    out = MidiOut(port, notes=False, clock=True, log=True, jumps=jumps)
    from theme.core.tempo import TempoMap

    rest = timeline.length - quarter  # the clock only: the music from there, at q=150
    renderer = BlockRenderer([], layers={}, tempo_map=TempoMap.constant(150), end_quarter=rest)
    paused_after_going_on(renderer, out, quarter)
    assert out.log is not None
    assert [(f, m.type) for f, m in out.log[:2]] == [(0, "songpos"), (0, "continue")]
    assert out.log[0][1].pos == sixteenths


def test_a_form_remetered_unevenly_is_not_taken_for_a_loop() -> None:
    from theme.core.arrange import repeated_form

    timeline = repeated(2, count_in=0)
    assert repeated_form(timeline, 2) == (Fraction(0), Fraction(10))
    assert repeated_form(timeline, 3) is None  # 4 bars are not 3 copies
    bars = [Metronome(meter, bpm=150, bars=1).timeline() for meter in ("3+2/4", "4/4")]
    uneven = Timeline.join(bars, title="uneven")
    assert repeated_form(uneven, 2) is None  # a bar of 5/4, then one of 4/4: not one twice


@pytest.mark.parametrize(
    ("option", "times", "jumps"),
    [
        ("--repeat", "3", [15, 25]),  # the form three times
        ("--bars", "6", [15, 25]),  # the same: its two bars cycled to six
        ("--bars", "5", [15, 25]),  # the third time cut to its first bar
        ("--bars", "2", []),  # the form once: no loop
        ("--bars", "1", []),  # cut: no loop
    ],
)
def test_the_loops_of_repeat_and_bars_are_where_the_form_goes_back(
    tmp_path: Path, option: str, times: str, jumps: list[int]
) -> None:
    """The Song Positions ``theme play FILE ... --count-in 1 --clock`` sends: at each end of
    a two-bar form of 5/4 but the last, back to quarter 5 (after the count-in), whether the
    form is played N times or cut or cycled to N bars."""
    from theme.cli import build_parser
    from theme.cli.audio import _loops
    from theme.cli.common import timeline_from_args
    from theme.readers.files import open_source

    path = tmp_path / "form.mid"
    theme.write(Metronome("3+2/4", bpm=150, bars=2).timeline(), path)
    args = build_parser().parse_args(
        ["play", str(path), option, times, "--count-in", "1", "--clock", "--midi-out", "x"]
    )
    source = open_source(args.variant)
    timeline = timeline_from_args(args, source)
    assert [(j.at, j.to) for j in _loops(args, timeline, source)] == [(q, 5) for q in jumps]


@pytest.mark.jack
@pytest.mark.parametrize("option", [["--repeat", "3"], ["--bars", "6"]])
def test_theme_play_repeat_tells_the_receiver_each_loop_in_order(
    jack_server: None, tmp_path: Path, option: list[str]
) -> None:
    """``theme play FILE --repeat 3 --count-in 1 --clock --no-audio`` (or ``--bars 6``, the
    same two bars cycled), as a user runs it, into JACK: Start, then at each loop Stop, Song
    Position 20 and Continue, in order, the clocks between them counted (a few lost or
    doubled only with an xrun, see residuals)."""
    path = tmp_path / "form.mid"
    theme.write(Metronome("3+2/4", bpm=150, bars=2).timeline(), path)
    with Dump("loops") as dump:
        command = theme_command(
            "play", str(path), *option, "--count-in", "1", "--tempo", "300",
            "--midi-out", "loops", "--clock", "--no-audio",
        )  # fmt: skip
        out, err = finished(command)
        got = dump.stop()
    assert command.returncode == 0, err
    assert "played 7 bars" in out
    transport = [m for _, m in got if m[0] in (0xF2, 0xFA, 0xFB, 0xFC)]
    spp_20 = bytes([0xF2, 20, 0])
    expected = [b"\xfa", *[b"\xfc", spp_20, b"\xfb"] * 2, b"\xfc"]
    if not got.xruns:
        assert transport == expected
        arrived = [m for _, m in got]
        for at in [i for i, m in enumerate(arrived) if m == spp_20]:
            assert arrived[at - 1 : at + 3] == [b"\xfc", spp_20, b"\xfb", b"\xf8"]
    else:  # a dropped or handed-on cycle: each told once at least, still in order
        assert [m for m in transport if m != b"\xfc"] == [m for m in expected if m != b"\xfc"]
    clocks = [m for _, m in got if m == b"\xf8"]
    assert_arrived([b"\xf8"] * 24 * 35, clocks, got.xruns)
