"""Following a MIDI clock master through a JACK MIDI port; figures printed, nothing asserted.

Run:  uv run python benchmarks/bench_clock_in.py [MINUTES] [PERIOD]

A master in this process sends MIDI clock at 137 BPM on a JACK MIDI port of its own (JACK's
dummy driver, PERIOD frames, default 256): each clock at its exact time on the host's
clock, as far as a Python thread's wake-ups allow, then Start. ``theme``'s live metronome
(5/4, its own tempo 100) follows it on the system's clock (a ClockedSink, no sound card)
for MINUTES (default 2). Printed: how far each click is from where the master's exact
grid puts it (p50 / p99 / max, ms; every click after the first bar), the master's clocks'
arrival against their exact times (the jitter the fit smooths), and the tempo read.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time

import numpy as np

SERVER = f"theme-bench-clock-in-{os.getpid()}"
QPM = 137.0


def percentiles(values: list[float]) -> str:
    a = np.abs(np.asarray(values))
    return f"p50 {np.percentile(a, 50):.2f}, p99 {np.percentile(a, 99):.2f}, max {a.max():.2f}"


def main() -> None:
    minutes = float(sys.argv[1]) if len(sys.argv) > 1 else 2.0
    period = int(sys.argv[2]) if len(sys.argv) > 2 else 256
    for program in ("jackd", "jack_lsp"):
        if not shutil.which(program):
            print(f"skipped: {program} is not installed (apt-get install jackd2)")
            return
    os.environ.update(
        JACK_DEFAULT_SERVER=SERVER,
        JACK_NO_AUDIO_RESERVATION="1",
        JACK_NO_START_SERVER="1",
        THEME_MIDI_API="jack",
    )
    server = subprocess.Popen(
        ["jackd", "--no-realtime", "-n", SERVER, "-d", "dummy", "-r", "48000", "-p", str(period)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while subprocess.run(["jack_lsp"], capture_output=True).returncode != 0:
            if time.monotonic() > deadline:
                print("skipped: jackd did not start")
                return
            time.sleep(0.1)
        run(minutes, period)
    finally:
        server.terminate()
        server.wait(30)


def run(minutes: float, period: int) -> None:
    import mido

    from theme.live.companions import Recorder
    from theme.live.link_time import host_micros
    from theme.live.loop import LiveMetronome
    from theme.live.midi_clock_in import PULSES_PER_QUARTER, metronome_clock_in
    from theme.live.sinks import ClockedSink
    from theme.metronome import Metronome

    port = mido.Backend("mido.backends.rtmidi/UNIX_JACK").open_output("master", virtual=True)
    clock_us = 60e6 / (QPM * PULSES_PER_QUARTER)
    begin = host_micros() + 0.2e6
    start_at = begin + 48 * clock_us  # Start after two quarter notes of clock
    done = threading.Event()
    sent: list[float] = []  # the exact times of the clocks after Start
    every: list[float] = []  # of every clock sent

    def master() -> None:
        k = 0
        while not done.is_set():
            due = begin + k * clock_us
            done.wait(max(0.0, (due - host_micros()) / 1e6))
            if due >= start_at and not sent:
                port.send(mido.Message("start"))
            port.send(mido.Message("clock"))
            every.append(due)
            if due >= start_at:
                sent.append(due)
            k += 1

    m = Metronome("5/4", bpm=100)
    link = metronome_clock_in(m, "master")
    arrivals: list[float] = []  # each clock's arrival, as the session stamps it
    session = link.session
    receive = session.receive

    def stamped(kind: str, micros: float, *, position: int = 0) -> None:
        if kind == "clock":
            arrivals.append(micros)
        receive(kind, micros, position=position)

    session.receive = stamped  # type: ignore[method-assign]
    session.start()
    recorder = Recorder()
    sink = ClockedSink(rate=48000)
    seconds = minutes * 60

    class Until:
        def poll(self, heard: float) -> str | None:
            return "q" if sent and host_micros() - sent[0] > seconds * 1e6 else None

    live = LiveMetronome(m, sink=sink, out=None, link=link, companions=[recorder], keys=Until())
    thread = threading.Thread(target=master, daemon=True)
    thread.start()
    live.run(refresh_seconds=0.005)
    done.set()
    thread.join(2)
    port.close()
    mono_to_raw = host_micros() - time.monotonic() * 1e6
    first = sent[0]
    quarter_us = 60e6 / QPM
    errors = []
    for frame, position in recorder.sounds:
        if position - m.start < 5:
            continue  # the first bar: the lead-in's catch-up
        heard = sink.seconds_of(frame) * 1e6 + mono_to_raw
        beat = (heard - first) / quarter_us
        off = (beat - float(position - m.start)) % 5
        errors.append((off - 5 if off > 2.5 else off) * quarter_us / 1e3)
    late = [(a - s) / 1e3 for a, s in zip(arrivals, every, strict=False)]  # k-th to k-th
    print(
        f"5/4 following a master at {QPM:g} BPM through JACK MIDI (period {period}), "
        f"{minutes:g} min: {len(errors)} clicks after the first bar"
    )
    print(f"  each click against the master's exact grid (ms): {percentiles(errors)}")
    print(f"  the clocks' arrival against their exact times (ms): {percentiles(late)}")
    print(
        f"  tempo read: {session.state.bpm} BPM; catch-ups {link.follower.nudges}; "
        f"messages ignored {session.ignored}; underruns {live.underruns}"
    )


if __name__ == "__main__":
    main()
