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

import pytest

from theme.errors import MidiDeviceError, UsageError

pytestmark = pytest.mark.jack

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


def test_the_ports_there_are_are_listed(jack_server: None) -> None:
    from theme.live.midiports import port_names

    dump = Dump("listed")
    try:
        ports = port_names()
        assert "listed:input" in ports.outputs
        assert "listed:input" not in ports.inputs
    finally:
        dump.stop()


def test_a_port_is_opened_by_a_part_of_its_name_and_messages_arrive(jack_server: None) -> None:
    import mido

    from theme.live.midiports import open_output

    dump = Dump("parted")
    port = open_output("PARTED")
    port.send(mido.Message("note_on", channel=9, note=42, velocity=100))
    port.close()
    assert [m for _, m in dump.stop()] == [bytes([0x99, 42, 100])]


def test_a_port_that_is_not_there_lists_the_ports(jack_server: None) -> None:
    from theme.live.midiports import open_output

    dump = Dump("here")
    try:
        with pytest.raises(MidiDeviceError, match=r"unknown MIDI output 'nowhere': .*'here:input'"):
            open_output("nowhere")
    finally:
        dump.stop()


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
