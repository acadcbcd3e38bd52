"""MIDI clock out: jitter against the exact grid, measured on JACK's dummy driver.

Run:  uv run python benchmarks/bench_midi_out.py [MINUTES] [PERIOD ...]
      (default: 10 minutes; JACK periods of 64 and 256 frames at 48 kHz; the environment's
      THEME_BENCH_MODES=card or clocked runs one of the two)

A metronome in 5/4 at 137 BPM plays for MINUTES to a JACK MIDI port with MIDI clock
(24 a quarter: 32,880 clocks in 10 minutes) while ``jack_midi_dump -a`` records the JACK
frame each message arrives at. For each JACK period, two clocks drive it:

- ``card``: the sound card (PortAudio on the same JACK server): the player's frames are
  JACK's, so each message's lateness is its arrival frame minus the frame it was due at,
  less the smallest such (the fixed output latency). Drift: the median lateness of the last
  minute against the first.
- ``clocked`` (``--no-audio``): the system's monotonic clock. JACK's dummy driver keeps its
  own time (it sleeps from cycle to cycle, and runs slow when a cycle is late), so a line is
  fitted through (due, arrival) and the lateness is measured from it; its slope is printed.
  The sender's own lateness is also measured: the monotonic time of each ``send`` against
  the time its frame is due, before JACK sees the message.

Figures: p50, p99 and max of the lateness in milliseconds, and the messages lost (sent but
never recorded). The floor of the JACK figures: python-rtmidi's JACK backend writes each
message at offset 0 of the next JACK cycle, so a message is late by up to one period (1.3 ms
at 64 frames, 5.3 ms at 256) whatever the sender does.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from _common import jack_started, midi_dump

RATE = 48000
BPM = 137
PLAYER = """
import sys, time
from theme.live.sync.midi_out import MidiOut
from theme.live.engine.playback import Player
from theme.live.engine.sinks import ClockedSink, SoundDeviceSink, devices
from theme.metronome import Metronome
mode, port, bars, path = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
out = MidiOut.open(port, clock=True, log=True)
sent = []
send = out.port.send
def timed(message):
    send(message)
    sent.append(time.monotonic())
out.port.send = timed
if mode == "card":
    jack = [d.index for d in devices() if d.hostapi.startswith("JACK")][0]
    sink = SoundDeviceSink(device=jack)
else:
    sink = ClockedSink()
player = Player(Metronome("5/4", bpm=int(sys.argv[5]), bars=bars).renderer(), sink, companions=[out])
player.start().wait()
player.close()
out.close()
with open(path, "w") as f:
    print(player.underruns, file=f)
    for (frame, message), at in zip(out.log, sent):
        due = sink.seconds_of(frame) if mode == "clocked" else 0.0
        print(frame, f"{at - due:.6f}", message.hex(sep=""), file=f)
"""


def align(
    due: np.ndarray, sent: list[str], arrived: list[tuple[int, str]], *, half_clock: float
) -> list[tuple[int, int]]:
    """``(index sent, frame arrived)`` for each message that arrived: both in order; a message
    sent is taken as lost when the next one recorded is not it, or arrived more than half a
    clock away from where the one before says (so a lost clock is not matched with the next),
    unless the next few agree on the new distance (the sound card skipped: an underrun)."""

    def agree(i: int, j: int, offset: float) -> bool:
        ahead = min(4, len(sent) - i, len(arrived) - j)
        return ahead > 0 and all(
            arrived[j + k][1] == sent[i + k]
            and abs(arrived[j + k][0] - due[i + k] - offset) <= half_clock
            for k in range(ahead)
        )

    pairs: list[tuple[int, int]] = []
    i = j = 0
    offset: float | None = None
    while i < len(sent) and j < len(arrived):
        frame, recorded = arrived[j]
        gap = 0.0 if offset is None else frame - due[i] - offset
        if abs(gap) > half_clock and recorded == sent[i] and agree(i, j, frame - due[i]):
            gap = 0.0  # a new distance from here on
        if gap < -half_clock:  # arrived before sent message i could: an earlier one's
            j += 1
        elif gap > half_clock or recorded != sent[i]:  # message i never arrived
            i += 1
        else:
            offset = frame - due[i]
            pairs.append((i, frame))
            i += 1
            j += 1
    return pairs


def percentiles(values: np.ndarray) -> str:
    p50, p99, top = np.percentile(values, [50, 99, 100])
    return f"p50 {p50:6.3f}  p99 {p99:6.3f}  max {top:7.3f} ms"


def run(mode: str, period: int, minutes: float) -> None:
    name = f"theme-bench-midi-{os.getpid()}-{period}-{mode}"
    env = {
        **os.environ,
        "JACK_DEFAULT_SERVER": name,
        "JACK_NO_AUDIO_RESERVATION": "1",
        "JACK_NO_START_SERVER": "1",
        "THEME_MIDI_API": "jack",
    }
    server = subprocess.Popen(
        [
            "jackd",
            "-t",
            "2000",
            "--no-realtime",
            "-n",
            name,
            "-d",
            "dummy",
            "-r",
            str(RATE),
            *("-p", str(period)),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    dump = None
    try:
        if not jack_started(server, env):
            print(f"  {mode:8} period {period}: jackd did not start")
            return
        dump = midi_dump("bench", env)
        bars = round(minutes * BPM / 5)
        with tempfile.TemporaryDirectory() as folder:
            log = Path(folder) / "log"
            player = subprocess.run(
                [sys.executable, "-c", PLAYER, mode, "bench:input", str(bars), str(log), str(BPM)],
                env=env,
                capture_output=True,
                text=True,
            )
            if player.returncode != 0:
                print(f"  {mode:8} period {period}: failed: {player.stderr.strip()[-300:]}")
                return
            lines = log.read_text().splitlines()
            if os.environ.get("THEME_BENCH_KEEP"):
                Path(os.environ["THEME_BENCH_KEEP"]).write_text("\n".join(lines))
        time.sleep(0.3)
        dump.terminate()
        recorded, _ = dump.communicate(10)
        if os.environ.get("THEME_BENCH_KEEP"):
            Path(os.environ["THEME_BENCH_KEEP"] + ".dump").write_text(recorded)
    finally:
        if dump is not None and dump.poll() is None:
            dump.kill()
        server.terminate()
        try:  # a busy jackd takes its time; killed, it would leave its name registered
            server.wait(60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(10)
    underruns = int(lines[0])
    rows = [line.split() for line in lines[1:]]
    due = np.array([int(r[0]) for r in rows], dtype=float)
    send_late = np.array([float(r[1]) for r in rows]) * 1000
    kinds = [r[2][:2].lower() for r in rows]
    arrived = []
    for line in recorded.splitlines():
        match = re.match(r"^\s*(\d+):((?: [0-9a-f]{2})+)", line)
        if match:
            arrived.append((int(match[1]), match[2].replace(" ", "")))
    sent_hex = [r[2].lower() for r in rows]
    if [h for _, h in arrived] == sent_hex:  # every message arrived
        pairs = [(i, frame) for i, (frame, _) in enumerate(arrived)]
    else:  # a lost clock is told from a late one by half a clock, or a period when longer
        pairs = align(due, sent_hex, arrived, half_clock=max(period, RATE * 60 / BPM / 48))
    lost = len(sent_hex) - len(pairs)
    chosen = np.array([i for i, _ in pairs])
    clock = np.array([kinds[i] == "f8" for i in chosen])
    at = np.array([f for _, f in pairs], dtype=float)[clock]
    due, send_late = due[chosen][clock], send_late[chosen][clock]
    if mode == "card":
        late = at - due
        late -= late.min()
        minute = RATE * 60
        first = np.median(late[due < due[0] + minute])
        last = np.median(late[due > due[-1] - minute])
        extra = f"drift {(last - first) / RATE * 1000:+.3f} ms over {minutes:g} min"
    else:
        slope, offset = np.polyfit(due, at, 1)
        late = at - (offset + slope * due)
        late -= late.min()
        extra = f"JACK's clock against the system's: {(slope - 1) * 1e6:+.0f} ppm"
    print(
        f"  {mode:8} period {period:4} ({period / RATE * 1000:.2f} ms): {clock.sum()} clocks, "
        f"{lost} messages lost, underruns {underruns}; {extra}"
    )
    if lost:
        print("           (lost: sent, but JACK's dummy driver missed the recorder's cycle)")
    print(f"           arrival against the grid: {percentiles(late / RATE * 1000)}")
    if mode == "clocked":
        print(f"           send against the grid:    {percentiles(send_late)}")


def main() -> None:
    for program in ("jackd", "jack_midi_dump", "jack_lsp"):
        if not shutil.which(program):
            print(f"skipped: {program} is not installed (apt-get install jackd2)")
            return
    minutes = float(sys.argv[1]) if len(sys.argv) > 1 else 10.0
    periods = [int(p) for p in sys.argv[2:]] or [64, 256]
    load = os.getloadavg()[0]
    print(
        f"MIDI clock at {BPM} BPM in 5/4 for {minutes:g} minutes on JACK's dummy driver "
        f"(load average {load:.1f} on {os.cpu_count()} cores, no real-time scheduling)"
    )
    for period in periods:
        for mode in os.environ.get("THEME_BENCH_MODES", "card,clocked").split(","):
            run(mode, period, minutes)


if __name__ == "__main__":
    main()
