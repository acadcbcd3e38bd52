"""MIDI clock out, every clock counted: sent, received, lost, doubled, and the JACK server's
xruns, on a quiet machine and beside two CPU burners.

Run:  uv run python benchmarks/bench_midi_clock_count.py [--seconds 90] [--period 1024]
          [--realtime] [--modes clocked,card] [--loads quiet,loaded]
      (a JACK period of PERIOD frames at 48 kHz; ``--realtime`` runs jackd with real-time
      scheduling, as a studio does, and needs the right to it)

A metronome in 4/4 at 150 BPM sends its clicks and MIDI clock (24 a quarter: 3,600 a minute,
one every 800 frames) to a JACK MIDI port for SECONDS, through the sound card on the same JACK server
(``card``) or with no audio (``clocked``, the system's clock: ``--no-audio``), while
``jack_midi_dump -a`` records each message with the JACK frame it arrived at and a JACK
client of the benchmark's own counts the server's xruns (a cycle some client was late for)
and notes the JACK frame of each. Each run is made twice: on the machine as it is
(``quiet``), and beside two processes that spin on the CPU (``loaded``).

Each beat's clocks are counted between its click and the next (:func:`beats`; the sender
numbers the clicks by their notes, the beat's number): the sender sends 24, so a beat with 23 lost one and a beat with 25 got one twice (JACK handed a cycle
on again), whatever the lateness. A beat is told as next to an xrun when one was noted in
it, two periods before it, or up to a second after it (a client hears of an xrun after it,
and on a busy machine without real-time scheduling late: 0.8 s was seen). What the figure shows: every loss and every double is in a beat with
an xrun; the beats without one lose and double nothing. Without ``--realtime`` the JACK server runs
as in the tests and in containers (``--no-realtime``); its asynchronous mode answers a
client late for a cycle by dropping that cycle's MIDI or by handing on the one before.
"""

from __future__ import annotations

import argparse
import itertools
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
from _common import jack_started, midi_dump

RATE = 48000
BPM = 150
CLOCK_FRAMES = RATE * 60 // BPM // 24
"""Frames between two clocks at BPM (800)."""
NOTICE_FRAMES = RATE
"""How late a client may hear of an xrun (frames: a second), on a busy machine."""
PLAYER = """
import sys
from theme.live.sync.midi_out import MidiOut
from theme.live.engine.playback import Player
from theme.live.engine.sinks import ClockedSink, SoundDeviceSink, devices
from theme.metronome import Metronome
mode, port, bars, path, bpm = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
out = MidiOut.open(port, clock=True, log=True)
numbered, send = [], out.port.send
def send_numbered(message):  # each click's note: its beat's number (mod 100)
    if message.type == "note_on":
        message = message.copy(note=len(numbered) % 100)
        numbered.append(message)
    send(message)
out.port.send = send_numbered
if mode == "card":
    jack = [d.index for d in devices() if d.hostapi.startswith("JACK")]
    if not jack:
        print("no JACK host API in PortAudio", file=sys.stderr)
        sys.exit(3)
    sink = SoundDeviceSink(device=jack[0])
else:
    sink = ClockedSink()
player = Player(Metronome("4/4", bpm=bpm, bars=bars).renderer(), sink, companions=[out])
player.start().wait()
player.close()
out.close()
with open(path, "w") as f:
    print(player.underruns, file=f)
    clicks = iter(numbered)
    for frame, message in out.log:
        if message.type == "note_on":
            message = next(clicks)
        print(frame, message.hex(sep=""), file=f)
"""
BURNER = "while True: pass"


def environment(name: str) -> dict[str, str]:
    return {
        **os.environ,
        "JACK_DEFAULT_SERVER": name,
        "JACK_NO_AUDIO_RESERVATION": "1",
        "JACK_NO_START_SERVER": "1",
        "THEME_MIDI_API": "jack",
    }


class XrunWatch:
    """A JACK client that notes the JACK frame of each of the server's xruns."""

    def __init__(self, name: str, env: dict[str, str]) -> None:
        import jack

        saved = os.environ.get("JACK_DEFAULT_SERVER")
        os.environ["JACK_DEFAULT_SERVER"] = env["JACK_DEFAULT_SERVER"]
        try:
            self.client = jack.Client(name, no_start_server=True)
        finally:
            if saved is None:
                os.environ.pop("JACK_DEFAULT_SERVER", None)
            else:
                os.environ["JACK_DEFAULT_SERVER"] = saved
        self.frames: list[int] = []
        self._lock = threading.Lock()

        def xrun(delay: float) -> None:
            with self._lock:
                self.frames.append(self.client.frame_time)

        self.client.set_xrun_callback(xrun)
        self.client.activate()

    def close(self) -> list[int]:
        self.client.deactivate()
        self.client.close()
        with self._lock:
            return list(self.frames)


def run(mode: str, load: str, period: int, seconds: float, *, realtime: bool) -> None:
    name = f"theme-bench-count-{os.getpid()}-{mode}-{load}"
    env = environment(name)
    label = f"  {mode:7} {load:6}"
    server = subprocess.Popen(
        [
            "jackd",
            "-t",
            "2000",
            "--realtime" if realtime else "--no-realtime",
            "-n",
            name,
            "-d",
            "dummy",
            "-r",
            str(RATE),
            "-p",
            str(period),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    dump = watch = None
    burners: list[subprocess.Popen[bytes]] = []
    xruns: list[int] = []
    try:
        if not jack_started(server, env):
            print(f"{label}: jackd did not start")
            return
        dump = midi_dump("count", env)
        watch = XrunWatch(f"{name}-xruns", env)
        if load == "loaded":
            burners = [subprocess.Popen([sys.executable, "-c", BURNER]) for _ in range(2)]
        bars = round(seconds * BPM / 60 / 4)
        with tempfile.TemporaryDirectory() as folder:
            log = Path(folder) / "log"
            player = subprocess.run(
                [sys.executable, "-c", PLAYER, mode, "count:input", str(bars), str(log), str(BPM)],
                env=env,
                capture_output=True,
                text=True,
            )
            if player.returncode != 0:
                print(f"{label}: failed: {player.stderr.strip()[-300:]}")
                return
            lines = log.read_text().splitlines()
        for burner in burners:
            burner.kill()
            burner.wait()
        burners = []
        time.sleep(1.0)  # the dump prints what is still in JACK's buffers
        xruns = watch.close()
        watch = None
        dump.terminate()
        recorded, _ = dump.communicate(10)
    finally:
        for burner in burners:
            burner.kill()
            burner.wait()
        if watch is not None:
            watch.close()
        if dump is not None and dump.poll() is None:
            dump.kill()
            dump.wait()
        server.terminate()
        try:  # a busy jackd takes its time; killed, it would leave its name registered
            server.wait(60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(10)
    report(label, period, lines, recorded, xruns)


def beats(messages: list[tuple[int, str]], xruns: list[int], margin: int) -> dict[str, int]:
    """Clocks lost and doubled, beat by beat: a click's note-on begins each beat, and
    between two clicks the sender sends 24 clocks a beat (the clock on a beat goes before
    its click), so each beat's count is exact whatever the lateness; each click's note is
    its beat's number (mod 100), so that the beats between two clicks are known (a lost
    click makes a segment of two beats, a doubled one a segment of none). A beat is next to an xrun when one fell in it, ``margin``
    frames before it, or in the beat after (the server tells its clients of an xrun after
    it, late on a loaded machine)."""
    ons = [k for k, (_, h) in enumerate(messages) if h.startswith("99")]
    marks = np.array(sorted(xruns), dtype=np.int64)
    found = dict.fromkeys(("beats", "with_xrun", "lost", "doubled", "lost_near", "doubled_near"), 0)
    for a, b in itertools.pairwise(ons):
        first, last = messages[a][0], messages[b][0]
        count = (int(messages[b][1][2:4], 16) - int(messages[a][1][2:4], 16)) % 100
        clocks = sum(1 for _, h in messages[a + 1 : b] if h == "f8")
        change = clocks - 24 * count
        near = bool(np.any((marks >= first - margin) & (marks <= last + NOTICE_FRAMES)))
        found["beats"] += count
        found["with_xrun"] += count if near else 0
        kind = "lost" if change < 0 else "doubled"
        found[kind] += abs(change)
        if near:
            found[kind + "_near"] += abs(change)
    return found


def report(label: str, period: int, lines: list[str], recorded: str, xruns: list[int]) -> None:
    underruns = int(lines[0])
    sent = [(int(frame), message.lower()) for frame, message in (r.split() for r in lines[1:])]
    arrived = []
    for line in recorded.splitlines():
        match = re.match(r"^\s*(\d+):((?: [0-9a-f]{2})+)", line)
        if match:
            arrived.append((int(match[1]), match[2].replace(" ", "")))
    by_sender = beats(sent, [], 0)
    assert by_sender["lost"] == by_sender["doubled"] == 0, by_sender  # 24 a beat, sent
    found = beats(arrived, xruns, 2 * period)
    clocks_sent = sum(1 for _, h in sent if h == "f8")
    clocks_got = sum(1 for _, h in arrived if h == "f8")
    told = [h for _, h in sent if h in ("fa", "fc")]
    told_got = [h for _, h in arrived if h in ("fa", "fc")]
    lost, doubled = found["lost"], found["doubled"]
    print(
        f"{label}: clocks sent {clocks_sent}, received {clocks_got} "
        f"({clocks_got - clocks_sent:+d}); lost {lost}, doubled {doubled}; xruns {len(xruns)}; "
        f"beats {found['beats']}, {found['with_xrun']} with an xrun: lost there "
        f"{found['lost_near']}/{lost}, doubled there {found['doubled_near']}/{doubled}; "
        f"Start/Stop {len(told)} sent, {len(told_got)} received; underruns {underruns}"
    )


def main() -> None:
    for program in ("jackd", "jack_midi_dump", "jack_lsp"):
        if not shutil.which(program):
            print(f"skipped: {program} is not installed (apt-get install jackd2)")
            return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=90.0)
    parser.add_argument("--period", type=int, default=1024)
    parser.add_argument(
        "--realtime", action="store_true", help="run jackd with real-time scheduling"
    )
    parser.add_argument("--modes", default="clocked,card")
    parser.add_argument("--loads", default="quiet,loaded")
    args = parser.parse_args()
    print(
        f"MIDI clock out at {BPM} BPM, {args.seconds:g} s a run, JACK's dummy driver with "
        f"{args.period}-frame periods ({args.period / RATE * 1000:.1f} ms), "
        f"{'real-time' if args.realtime else 'no real-time scheduling'}; load average "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores at the start"
    )
    for mode in args.modes.split(","):
        for load in args.loads.split(","):
            run(mode, load, args.period, args.seconds, realtime=args.realtime)


if __name__ == "__main__":
    main()
