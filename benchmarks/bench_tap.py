"""How exactly a tap is placed on the audio clock, by each way of tapping, on a real path.

A JACK server of its own (``jackd -d dummy``, 48 kHz, 256-frame periods) is the sound card;
the music plays through PortAudio's JACK host API as ``theme tap`` plays it. A driver thread
watches the player's clock (the frame heard now) and taps when it reaches each onset, give
or take a known offset, noting the frame it tapped at; the tap is then placed by the real
input path:

1. a MIDI pad: a second JACK client (python-rtmidi) sends a note-on to the input that
   ``--midi-in`` opens, stamped by the player's clock on arrival;
2. the keys: a byte written to a pseudo-terminal whose other end is the ``TerminalKeys``
   the command reads (cbreak mode, the run waiting on it with select).

The placed frame less the frame tapped at is the input path's latency; its spread is the
jitter. Run: ``uv run python benchmarks/bench_tap.py [TAPS]`` (default 64 taps a path).
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import time

SERVER = f"theme-bench-tap-{os.getpid()}"
ENV = {
    **os.environ,
    "JACK_DEFAULT_SERVER": SERVER,
    "JACK_NO_AUDIO_RESERVATION": "1",
    "JACK_NO_START_SERVER": "1",
    "THEME_MIDI_API": "jack",
}
RATE = 48000
PERIOD = 256

MEASURE = """
import json, os, pty, sys, threading, time
from fractions import Fraction
from theme.terminal import TerminalKeys
from theme.live.engine.sinks import SoundDeviceSink, devices
from theme.metronome import Metronome
from theme.practice.exercise import Exercise
from theme.practice.session import TapRun

path, taps_wanted = sys.argv[1], int(sys.argv[2])
jack = [d.index for d in devices() if d.hostapi.startswith("JACK")][0]
bars = (taps_wanted + 4) // 5
ex = Exercise.build(Metronome("5/4", bpm=150, bars=bars).timeline(), pattern="beats", count_in=1)
runs, inputs, keys = [], [], None
if path == "midi":
    import rtmidi
    from theme.practice.midi_taps import MidiTaps
    pad = rtmidi.MidiOut(rtmidi.API_UNIX_JACK, name="bench-pad")
    pad.open_virtual_port("out")
    inputs.append(MidiTaps("bench-pad", lambda: runs[0].heard_frame() if runs else 0))
    def hit():
        pad.send_message([0x99, 38, 100])
else:
    master, slave = pty.openpty()
    keys = TerminalKeys(os.fdopen(slave, "r"))
    keys.__enter__()
    def hit():
        os.write(master, b"x")
run = TapRun(ex, sink=SoundDeviceSink(device=jack, rate=48000), keys=keys, inputs=inputs, out=None)
runs.append(run)
sent = []
offsets = [-20, 0, 35, 10, -5]

def driver():
    for n, target in enumerate(ex.targets[:taps_wanted]):
        due = round((target.seconds + Fraction(offsets[n % len(offsets)], 1000)) * 48000)
        while run.heard_frame() < due:
            time.sleep(0.001)
        sent.append(run.heard_frame())
        hit()

threading.Thread(target=driver, daemon=True).start()
result = run.run()
if keys is not None:
    keys.__exit__(None, None, None)
print(json.dumps({"sent": sent, "placed": [int(t * 48000) for t in result.taps],
                  "underruns": result.underruns}))
"""


def start_server() -> subprocess.Popen[bytes] | None:
    if not shutil.which("jackd"):
        print("skipped: jackd is not installed (apt-get install jackd2)")
        return None
    server = subprocess.Popen(
        ["jackd", "--no-realtime", "-n", SERVER, "-d", "dummy", "-r", str(RATE), "-p", str(PERIOD)],
        env=ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while subprocess.run(["jack_lsp"], env=ENV, capture_output=True).returncode != 0:
        if time.monotonic() > deadline:
            server.kill()
            print("skipped: jackd did not start")
            return None
        time.sleep(0.1)
    return server


def measure(path: str, taps: int) -> None:
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, path, str(taps)],
        env=ENV,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode != 0:
        print(f"{path}: failed: {done.stderr.strip().splitlines()[-1:]}")
        return
    got = json.loads(done.stdout.strip().splitlines()[-1])
    sent, placed = got["sent"], got["placed"]
    lags = [min((p - s for s in sent), key=abs) * 1000 / RATE for p in placed]
    if not lags:
        print(f"{path}: no tap arrived of {len(sent)}")
        return
    lags.sort()
    p95 = lags[min(len(lags) - 1, round(0.95 * (len(lags) - 1)))]
    quartiles = statistics.quantiles(lags, n=4) if len(lags) > 1 else [lags[0]] * 3
    print(
        f"{path}: {len(placed)} taps placed of {len(sent)} sent; latency mean "
        f"{statistics.mean(lags):.2f} ms, median {statistics.median(lags):.2f} ms, p95 "
        f"{p95:.2f} ms, min {lags[0]:.2f}, max {lags[-1]:.2f}; jitter (standard deviation) "
        f"{statistics.pstdev(lags):.2f} ms, interquartile range "
        f"{quartiles[2] - quartiles[0]:.2f} ms; underruns while measuring {got['underruns']}"
    )


def main() -> None:
    taps = int(sys.argv[1]) if len(sys.argv) > 1 else 64
    print(
        f"theme tap input paths, {time.strftime('%Y-%m-%d')}, Python {sys.version.split()[0]}, "
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; JACK dummy "
        f"{RATE} Hz, {PERIOD}-frame periods ({PERIOD * 1000 / RATE:.2f} ms)"
    )
    server = start_server()
    if server is None:
        return
    try:
        for path in ("midi", "keys"):
            measure(path, taps)
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == "__main__":
    main()
