"""Following a MIDI clock master through a JACK MIDI port, quiet or loaded; figures printed,
nothing asserted.

Run:  uv run python benchmarks/bench_clock_in.py [--seconds S] [--qpm Q] [--jitter MS]
          [--period FRAMES] [--load] [--drop N ...] [--double N ...]

A master in a process of its own (real-time scheduled where the system allows, as a
hardware master's clock is its own) sends MIDI clock on a JACK MIDI port (JACK's dummy
driver, PERIOD frames, default 256): each clock at its exact time on the host's clock plus
a random jitter of up to +-JITTER ms (default 2, what USB MIDI interfaces do), Start after
two quarter notes, for S seconds (default 120) at Q BPM (default 150). ``theme``'s live
metronome (5/4, its own tempo 100) follows it in this process on the system's clock (a
ClockedSink: no sound card, so an underrun is the renderer's own).

``--load`` loads the machine as a busy studio computer is: a CPU-burning process on every
core, and on every core a real-time process (below JACK's threads) that takes the core for
2 to 40 ms every 100 to 500 ms, so that this process's MIDI reader is not scheduled and
the clocks pile up behind it. ``--realtime`` runs jackd with real-time scheduling, as a
studio runs it (without it, a JACK client that misses its cycle on a loaded machine loses
that cycle's MIDI: the clocks are then lost on JACK's path, before any reader).

``--drop N`` leaves clock N (counted from the first clock sent) unsent, ``--double N``
sends it twice (a clock lost or doubled on the way, as a master's USB interface does now
and then): the follower should mend its count and stay on the grid.

``--alone`` plays the same metronome at Q BPM with no master (as ``theme metronome 5/4
--no-audio`` does), quiet or loaded: each click against its exact time.

The live metronome asks for real-time scheduling for its threads (the producer, the
ClockedSink's clock, the display that shares Python's lock with them); printed is what it
got. With ``THEME_NO_REALTIME=1`` in the environment they ask for none (the
figures of a system that does not allow it).

Printed: each click against the master's exact grid (every click after the first bar:
p50 / p99 / max of the distance, ms), the same beyond the path's constant delay (the
median taken off), the clocks' stamps against their exact times, the clocks sent and
counted (each clock of the run), clocks mended as lost or doubled, catch-ups, underruns,
and how far ahead of its time each block was rendered (a click is sent no earlier than its
block is rendered: each click is taken at the later of its frame's time and its block's).
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import random
import shutil
import subprocess
import sys
import threading
import time
from typing import Any

import numpy as np

SERVER = f"theme-bench-clock-in-{os.getpid()}"


class QuitWhen:
    """Keys for the live metronome: ``q`` (quit) once ``ended`` is set."""

    def __init__(self, ended: threading.Event) -> None:
        self.ended = ended

    def poll(self, heard: float) -> str | None:
        return "q" if self.ended.is_set() else None


def percentiles(values: list[float]) -> str:
    a = np.abs(np.asarray(values))
    if not len(a):
        return "none"
    return f"p50 {np.percentile(a, 50):.2f}, p99 {np.percentile(a, 99):.2f}, max {a.max():.2f}"


def master(
    name: str,
    qpm: float,
    seconds: float,
    jitter_ms: float,
    drop: frozenset[int] = frozenset(),
    double: frozenset[int] = frozenset(),
) -> None:
    """The master (run as ``--master``): prints one JSON line (when it began, the clock's
    period, the first clock after Start, the clocks due, how late each was sent); clocks
    ``drop`` are left unsent, clocks ``double`` sent twice."""
    import mido

    from theme.live.sync.link_time import host_micros

    with contextlib.suppress(OSError):  # real-time where allowed: a master's clock is its own
        os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(20))
    port = mido.Backend("mido.backends.rtmidi/UNIX_JACK").open_output(name, virtual=True)
    print(json.dumps({"ready": True}), flush=True)
    sys.stdin.readline()  # the follower listens: go
    period = 60e6 / (qpm * 24)
    begin = host_micros() + 0.3e6
    first = 48  # Start after two quarter notes of clock
    rng = random.Random(1)
    late = []
    clock, start = mido.Message("clock"), mido.Message("start")
    k = 0
    while (k - first) * period < seconds * 1e6:
        due = begin + k * period + rng.uniform(-jitter_ms, jitter_ms) * 1e3
        while (wait := due - host_micros()) > 0:
            time.sleep(min(wait, 2000) / 1e6)
        if k == first:
            port.send(start)
        if k not in drop:
            port.send(clock)
        if k in double:
            port.send(clock)
        late.append(host_micros() - due)
        k += 1
    print(json.dumps({"begin": begin, "period": period, "first": first, "sent": k}), flush=True)
    print(json.dumps({"late_ms": percentiles([x / 1e3 for x in late])}), flush=True)
    sys.stdin.readline()  # the follower has stopped: the port may go
    port.close()


def load() -> list[subprocess.Popen[bytes]]:
    """A CPU burner on each core, and on each core a delayer: real-time scheduled (below
    JACK's own threads and the master), it takes the core for 2 to 40 ms every 0.1 to 0.5 s,
    so that no ordinary thread (this process's MIDI reader, its renderer) runs then."""
    burn = "while True: pass"
    processes = []
    for core in range(os.cpu_count() or 1):
        processes.append(subprocess.Popen([sys.executable, "-c", burn]))
        delayer = f"""
import os, random, time
os.sched_setaffinity(0, {{{core}}})
try:
    os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(5))
except OSError:
    pass
rng = random.Random({core})
while True:
    time.sleep(rng.uniform(0.1, 0.5))
    until = time.monotonic() + rng.uniform(0.002, 0.040)
    while time.monotonic() < until:
        pass
"""
        processes.append(subprocess.Popen([sys.executable, "-c", delayer]))
    return processes


def rendered_margins(recorder: Any, sink: Any, mono_to_raw: float) -> list[float]:
    """For each block of the last player, how long before its first frame's time it was
    rendered (ms; negative: after it)."""
    blocks = recorder.blocks
    last = max((i for i, b in enumerate(blocks) if b[1] == 0), default=0)
    return [
        (sink.seconds_of(frame) * 1e6 + mono_to_raw - micros) / 1e3
        for micros, frame, _ in blocks[last:]
    ]


def click_times(
    recorder: Any, sink: Any, mono_to_raw: float, *, rendered: bool
) -> list[tuple[float, Any]]:
    """``(host microseconds, position)`` of each click: its frame's time (later by the
    silence of the blocks the renderer was late for), or with ``rendered`` the later of
    that and when its block was rendered (what MIDI out could send)."""
    import bisect

    blocks = recorder.blocks
    last = max((i for i, b in enumerate(blocks) if b[1] == 0), default=0)
    starts = [b[1] for b in blocks[last:]]
    out = []
    for frame, position in recorder.sounds:
        at = sink.seconds_of(frame) * 1e6 + mono_to_raw
        k = bisect.bisect_right(starts, frame) - 1
        if rendered and k >= 0:
            at = max(at, blocks[last + k][0])
        out.append((at, position))
    return out


def alone(args: argparse.Namespace) -> None:
    """The metronome alone on the system's clock, quiet or loaded."""
    from theme.live.engine.sinks import ClockedSink
    from theme.live.sync.link_time import host_micros
    from theme.live.sync.recorder import Recorder
    from theme.metronome import Metronome
    from theme.metronome.terminal import LiveMetronome

    m = Metronome("5/4", bpm=args.qpm)
    recorder = Recorder()
    sink = ClockedSink(rate=48000)
    ended = threading.Event()

    live = LiveMetronome(m, sink=sink, out=None, companions=[recorder], keys=QuitWhen(ended))
    loaders = load() if args.load else []
    timer = threading.Timer(args.seconds, ended.set)
    timer.start()
    try:
        live.run(refresh_seconds=0.01)
    finally:
        for process in loaders:
            process.kill()
            process.wait()
    mono_to_raw = host_micros() - time.monotonic() * 1e6
    start_micros = sink.seconds_of(0) * 1e6 + mono_to_raw
    quarter_us = 60e6 / args.qpm
    clicks = click_times(recorder, sink, mono_to_raw, rendered=False)
    errors = [(micros - start_micros - float(p) * quarter_us) / 1e3 for micros, p in clicks]
    sent = click_times(recorder, sink, mono_to_raw, rendered=True)
    sent_errors = [(micros - start_micros - float(p) * quarter_us) / 1e3 for micros, p in sent]
    positions = [p for _, p in clicks]
    doubled = sum(1 for a, b in itertools.pairwise(positions) if b == a)
    skipped = sum(1 for a, b in itertools.pairwise(positions) if b - a > 1)
    margins = rendered_margins(recorder, sink, mono_to_raw)
    print(
        f"5/4 alone at {args.qpm:g} BPM, {args.seconds:g} s, no sound card (ClockedSink), "
        f"{'loaded' if args.load else 'quiet'}: {len(errors)} clicks"
    )
    print(f"  each click against its exact time (ms): {percentiles(errors)}")
    print(
        "  no earlier than its block was rendered (what MIDI out could send, ms): "
        f"{percentiles(sent_errors)}"
    )
    print(f"  blocks rendered ahead of their time (ms): {margins_line(margins)}")
    print(
        f"  clicks doubled {doubled}, beats skipped {skipped}; underruns {live.underruns}; "
        f"display thread {getattr(live, 'scheduling', '?')}, producer {producer_scheduling(recorder)}"
    )


def margins_line(margins: list[float]) -> str:
    if not margins:
        return "none"
    a = np.asarray(margins)
    return (
        f"min {a.min():.1f}, p1 {np.percentile(a, 1):.1f}, p50 {np.median(a):.1f}; "
        f"after their time {int((a < 0).sum())} of {len(a)}"
    )


def producer_scheduling(recorder: Any) -> str:
    return str(getattr(recorder.player, "scheduling", "?"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--qpm", type=float, default=150)
    parser.add_argument("--jitter", type=float, default=2.0)
    parser.add_argument("--period", type=int, default=256)
    parser.add_argument("--load", action="store_true")
    parser.add_argument(
        "--realtime", action="store_true", help="run jackd with real-time scheduling"
    )
    parser.add_argument("--alone", action="store_true", help="no master: the metronome alone")
    parser.add_argument("--drop", type=int, action="append", default=[], metavar="N")
    parser.add_argument("--double", type=int, action="append", default=[], metavar="N")
    parser.add_argument("--master", metavar="NAME", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.master:
        master(
            args.master,
            args.qpm,
            args.seconds,
            args.jitter,
            frozenset(args.drop),
            frozenset(args.double),
        )
        return
    if args.alone:
        alone(args)
        return
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
    dummy = ["-d", "dummy", "-r", "48000", "-p", str(args.period)]
    scheduling = ["--realtime"] if args.realtime else ["--no-realtime"]
    server = subprocess.Popen(
        ["jackd", *scheduling, "-n", SERVER, *dummy],
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
        run(args)
    finally:
        server.terminate()
        server.wait(30)


def run(args: argparse.Namespace) -> None:
    from theme.live.engine.sinks import ClockedSink
    from theme.live.sync.link_time import host_micros
    from theme.live.sync.midi_clock_in import metronome_clock_in
    from theme.live.sync.recorder import Recorder
    from theme.metronome import Metronome
    from theme.metronome.terminal import LiveMetronome

    name = f"master-{os.getpid()}"
    command = [sys.executable, __file__, "--master", name, "--qpm", str(args.qpm)]
    command += ["--seconds", str(args.seconds), "--jitter", str(args.jitter)]
    command += [f"--drop={k}" for k in args.drop] + [f"--double={k}" for k in args.double]
    sender = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert sender.stdin is not None and sender.stdout is not None
    sender.stdout.readline()  # its port is there
    m = Metronome("5/4", bpm=100)
    link = metronome_clock_in(m, name)
    session = link.session
    stamps: list[float] = []  # each clock's stamp on the host clock
    take = session._take

    def stamped(kind: str, micros: float, position: int) -> bool:
        if kind == "clock":
            stamps.append(micros)
        return take(kind, micros, position)

    session._take = stamped  # type: ignore[method-assign]
    session.start()
    recorder = Recorder()
    sink = ClockedSink(rate=48000)
    ended = threading.Event()

    live = LiveMetronome(
        m, sink=sink, out=None, link=link, companions=[recorder], keys=QuitWhen(ended)
    )
    loaders = load() if args.load else []
    sender.stdin.write("go\n")
    sender.stdin.flush()
    result: dict[str, float] = {}

    def read_sender() -> None:
        assert sender.stdout is not None
        for line in sender.stdout:
            result.update(json.loads(line))
            if "late_ms" in result:
                ended.set()

    reader = threading.Thread(target=read_sender, daemon=True)
    reader.start()
    import resource

    cpu_before, wall_before = resource.getrusage(resource.RUSAGE_SELF), time.monotonic()
    try:
        live.run(refresh_seconds=0.01)
    finally:
        for process in loaders:
            process.kill()
            process.wait()
    cpu_after, wall = resource.getrusage(resource.RUSAGE_SELF), time.monotonic() - wall_before
    cpu = cpu_after.ru_utime + cpu_after.ru_stime - cpu_before.ru_utime - cpu_before.ru_stime
    sender.stdin.write("close\n")
    sender.stdin.flush()
    sender.wait(10)
    reader.join(2)
    offset = session.stamps.offset
    mono_to_raw = host_micros() - time.monotonic() * 1e6
    period = result["period"]
    first = result["begin"] + result["first"] * period  # song position 0, exactly
    quarter_us = period * 24

    def against_grid(clicks: list[tuple[float, Any]]) -> list[float]:
        errors = []
        for heard, position in clicks:
            if position - m.start < 5:
                continue  # the first bar: the lead-in's catch-up
            beat = (heard - first) / quarter_us
            off = (beat - float(position - m.start)) % 5
            errors.append((off - 5 if off > 2.5 else off) * quarter_us / 1e3)
        return errors

    positions = [position for _, position in recorder.sounds]
    errors = against_grid(click_times(recorder, sink, mono_to_raw, rendered=False))
    sent = against_grid(click_times(recorder, sink, mono_to_raw, rendered=True))
    middle = float(np.median(errors)) if errors else 0.0
    sent_clocks = [
        k
        for k in range(int(result["sent"]))
        for _ in range((k not in args.drop) + (k in args.double))
    ]
    exact = [result["begin"] + k * period for k in sent_clocks[: len(stamps)]]
    arrival = [(s + offset - e) / 1e3 for s, e in zip(stamps, exact, strict=False)]
    doubled = sum(1 for a, b in itertools.pairwise(positions) if b == a)
    skipped = sum(1 for a, b in itertools.pairwise(positions) if b - a > 1)
    grid = session.grid
    print(
        f"5/4 following a master at {args.qpm:g} BPM (+-{args.jitter:g} ms jitter) through "
        f"JACK MIDI (period {args.period}, {'real-time' if args.realtime else 'not real-time'}), "
        f"{args.seconds:g} s, "
        f"{'loaded (a CPU burner a core, each core taken 2-40 ms every 0.1-0.5 s)' if args.load else 'quiet'}: "
        f"{len(errors)} clicks after the first bar"
    )
    print(f"  each click against the master's exact grid (ms): {percentiles(errors)}")
    print(
        f"  beyond the path's constant delay ({middle:.2f} ms): "
        f"{percentiles([e - middle for e in errors])}"
    )
    print(
        "  no earlier than its block was rendered (what MIDI out could send), beyond the "
        f"same delay: {percentiles([e - middle for e in sent])}"
    )
    print(f"  the clocks' stamps against their exact times (ms): {percentiles(arrival)}")
    print(f"  the master's own sends, late by (ms): {result.get('late_ms')}")
    print(
        f"  clocks due {int(result['sent'])} (left unsent {len(args.drop)}, sent twice "
        f"{len(args.double)}), counted {session.clocks}; mended as lost "
        f"{grid.lost}, as doubled {grid.doubled}; new lines {grid.retempos}"
    )
    print(
        f"  clicks doubled {doubled}, beats skipped {skipped}; tempo read {session.state.bpm} "
        f"BPM; catch-ups {link.follower.nudges}; ignored {session.ignored}; "
        f"underruns {live.underruns}"
    )
    margins = rendered_margins(recorder, sink, mono_to_raw)
    print(f"  blocks rendered ahead of their time (ms): {margins_line(margins)}")
    print(
        f"  display thread {getattr(live, 'scheduling', '?')}, producer {producer_scheduling(recorder)}"
    )
    print(f"  this process's CPU: {100 * cpu / wall:.1f}% of a core")


if __name__ == "__main__":
    main()
