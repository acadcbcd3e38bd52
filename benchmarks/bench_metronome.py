"""Metronome benchmarks, one run, printed as ratios.

Run:  uv run python benchmarks/bench_metronome.py [SLEEP_SECONDS]

1. Time from launch to the first click of ``theme metronome 5/4 --vs 4/4`` (the first
   callback of the sound card, on JACK's dummy driver), against the launch of
   ``python -c "import numpy, sounddevice"``; and that music21 is not loaded on the way.
2. Cost of the callback per 256-frame block with two meters, and of drawing the display.
3. One hour of clicks to FLAC: memory against one minute, every click at its exact sample.
4. Drift: our clicks' samples over 10 minutes against the exact grid, and a metronome that
   keeps time with ``time.sleep`` measured for SLEEP_SECONDS (default 60) and extrapolated.
5. Clicks made and placed on their samples a second (7/8 at 137, the renderer's
   ``schedule``), against each sample computed as exact seconds (``Fraction``) then
   rounded: the same samples, checked.
"""

from __future__ import annotations

import math
import os
import shutil
import statistics
import subprocess
import sys
import time
from fractions import Fraction
from pathlib import Path

from _common import compile_bytecode

BIN = Path(sys.executable).parent
SERVER = f"theme-bench-{os.getpid()}"
ENV = {
    **os.environ,
    "JACK_DEFAULT_SERVER": SERVER,
    "JACK_NO_AUDIO_RESERVATION": "1",
    "JACK_NO_START_SERVER": "1",
}

FIRST_CLICK = """
import sys, time
launched = float(sys.argv[1])
import theme.live.engine.playback as playback
original = playback.Player.pull
def first(self, out):
    more = original(self, out)
    if not getattr(self, "_timed", False):
        self._timed = True
        print(f"first-click {time.monotonic() - launched:.4f}", file=sys.stderr, flush=True)
        print("music21 loaded:", "music21" in sys.modules, file=sys.stderr, flush=True)
        self._stopping = True
    return more
playback.Player.pull = first
from theme.cli import main
sys.exit(main(["metronome", "5/4", "--vs", "4/4", "--bpm", "160"]))
"""


def first_click(runs: int) -> None:
    if not shutil.which("jackd"):
        print("1. skipped: jackd is not installed (apt-get install jackd2)")
        return
    server = subprocess.Popen(
        ["jackd", "--no-realtime", "-n", SERVER, "-d", "dummy", "-r", "48000", "-p", "256"],
        env=ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while subprocess.run(["jack_lsp"], env=ENV, capture_output=True).returncode != 0:
            time.sleep(0.1)
        ours, baseline, loaded = [], [], set()
        for _ in range(runs):
            launched = time.monotonic()
            result = subprocess.run(
                [sys.executable, "-c", FIRST_CLICK, str(launched)],
                env=ENV,
                capture_output=True,
                text=True,
                timeout=30,
            )
            lines = dict(line.split(" ", 1) for line in result.stderr.splitlines() if " " in line)
            ours.append(float(lines["first-click"]))
            loaded.add(lines.get("music21", "?"))
            start = time.monotonic()
            subprocess.run([sys.executable, "-c", "import numpy, sounddevice"], env=ENV, check=True)
            baseline.append(time.monotonic() - start)
    finally:
        server.terminate()
        server.wait(5)
    a, b = statistics.median(ours), statistics.median(baseline)
    print(
        f"1. launch to first click, median of {runs}: {a * 1000:.0f} ms; python -c 'import numpy, sounddevice': "
        f"{b * 1000:.0f} ms; ratio {a / b:.2f} (goal: at most 1.3); music21 {' '.join(sorted(loaded))}"
    )


def callback_and_display() -> None:
    import numpy as np

    from theme.live.engine.playback import Player
    from theme.live.engine.sinks import ManualSink
    from theme.metronome import Metronome
    from theme.metronome.display import Frame

    metronome = Metronome("5/4", vs="4/4", bpm=160, subdivide=2)
    sink = ManualSink(blocksize=256)
    player = Player(metronome.renderer(), sink).start(producer=False)
    frame = Frame(metronome)
    block = np.empty((256, 2), np.float32)
    costs, draws = [], []
    for i in range(2000):
        player.fill_ahead()
        start = time.perf_counter_ns()
        sink.callback(block)
        costs.append(time.perf_counter_ns() - start)
        start = time.perf_counter_ns()
        frame.lines(Fraction(i * 256 * 160, 48000 * 60))
        draws.append(time.perf_counter_ns() - start)
    per_block = 256 / 48000 * 1e9
    print(
        f"2. callback, two meters with eighths: median {statistics.median(costs) / 1000:.1f} us, p99 "
        f"{np.percentile(costs, 99) / 1000:.1f} us = {100 * np.percentile(costs, 99) / per_block:.3f}% of a 256-frame block "
        f"(goal: under 2%); the display (the main thread, not the callback): median {statistics.median(draws) / 1000:.0f} us a frame"
    )


def drift(sleep_seconds: float) -> None:
    from theme.metronome import Metronome
    from theme.renderers.audio import schedule

    metronome = Metronome("5/4", vs="4/4", bpm=137)
    bpm = Fraction(137)
    worst = 0
    end_quarter = bpm * 10
    for sample, event in schedule(metronome.events(), metronome.tempo_map, 48000):
        if event.onset > end_quarter:
            break
        exact = math.floor(event.onset * 60 / bpm * 48000 + Fraction(1, 2))
        worst = max(worst, abs(sample - exact))
    interval = 60 / 137
    clicks = int(sleep_seconds / interval)
    start = time.monotonic()
    lateness = []
    for n in range(clicks):
        sum(i * i for i in range(2000))  # the work of a click: make and send a sound
        lateness.append(time.monotonic() - start - n * interval)
        time.sleep(interval)
    per_minute = (lateness[-1] - lateness[0]) / (clicks * interval) * 60
    print(
        f"4. drift over 10 minutes at 137 BPM: ours {worst} samples off the exact grid (0 s); a time.sleep loop was "
        f"{lateness[-1] * 1000:.1f} ms late after {clicks * interval:.0f} s, {per_minute * 1000:.1f} ms a minute, "
        f"so about {per_minute * 10 * 1000:.0f} ms after 10 minutes"
    )


HOUR_CHILD = """
import resource, sys
from theme.metronome import Metronome
from theme.renderers.audiofile import write_blocks
bars = int(sys.argv[1])
write_blocks(Metronome("5/4", vs="4/4", bpm=120, bars=bars).renderer().blocks(), sys.argv[2], rate=48000)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def hour_to_flac() -> None:
    """One minute and one hour of 5/4 against 4/4 to FLAC: peak memory, and every click of
    the hour found at its exact sample in the file (read back block by block)."""
    import tempfile

    import numpy as np
    import soundfile

    from theme.metronome import Metronome

    with tempfile.TemporaryDirectory() as tmp:
        rss = {}
        for label, bars in (("1 minute", 24), ("1 hour", 24 * 60)):
            out = subprocess.run(
                [sys.executable, "-c", HOUR_CHILD, str(bars), f"{tmp}/m.flac"],
                capture_output=True,
                text=True,
                check=True,
            )
            rss[label] = int(out.stdout.split()[-1]) / 1024
        metronome = Metronome("5/4", vs="4/4", bpm=120, bars=24 * 60)
        expected = sorted(
            {metronome.tempo_map.sample_at(e.onset, 48000) for e in metronome.events()}
        )
        found, position, quiet = [], 0, -(10**9)
        for block in soundfile.blocks(f"{tmp}/m.flac", blocksize=1 << 16, dtype="int16"):
            loud = np.flatnonzero(np.abs(block).max(axis=1) > 0)
            for i in loud:
                if position + i - quiet > 4800:
                    found.append(position + int(i))
                quiet = position + int(i)
            position += len(block)
    wrong = sum(1 for a, b in zip(found, expected) if a != b) + abs(len(found) - len(expected))
    print(
        f"3. one hour of 5/4 against 4/4 to FLAC: peak memory {rss['1 hour']:.1f} MiB against "
        f"{rss['1 minute']:.1f} MiB for one minute ({rss['1 hour'] / rss['1 minute']:.3f}); "
        f"{len(found)} clicks found in the file, {wrong} off their exact sample"
    )


def clicks_a_second(clicks: int = 200_000) -> None:
    import itertools

    from theme.core.tempo import to_sample
    from theme.metronome import Metronome
    from theme.renderers.audio import schedule

    metronome = Metronome("7/8", bpm=137)
    events = list(itertools.islice(metronome.events(), clicks))
    tempo_map, rate = metronome.tempo_map, 48000

    def ours() -> list[int]:
        return [sample for sample, _ in schedule(iter(events), tempo_map, rate)]

    def exact_seconds() -> list[int]:
        return [to_sample(tempo_map.seconds_at(e.onset), rate) for e in events]

    made = time.process_time()
    for _ in itertools.islice(metronome.events(), clicks):
        pass
    made = time.process_time() - made
    times = {}
    for name, way in (("ours", ours), ("exact seconds", exact_seconds)):
        best = math.inf
        for _ in range(3):
            start = time.process_time()
            samples = way()
            best = min(best, time.process_time() - start)
        times[name] = (best, samples)
    assert times["ours"][1] == times["exact seconds"][1]
    print(
        f"5. {clicks:,} clicks of 7/8 at 137: made in {made:.2f} s ({clicks / made:,.0f} a "
        f"second); placed on their samples in {times['ours'][0]:.2f} s, each as exact seconds "
        f"then rounded {times['exact seconds'][0]:.2f} s "
        f"({times['exact seconds'][0] / times['ours'][0]:.1f}x), the same samples"
    )


def main() -> None:
    print(
        f"theme metronome benchmarks, {time.strftime('%Y-%m-%d')}, Python {sys.version.split()[0]}, {os.cpu_count()} cores"
    )
    compile_bytecode()
    first_click(5)
    callback_and_display()
    hour_to_flac()
    drift(float(sys.argv[1]) if len(sys.argv) > 1 else 60.0)
    clicks_a_second()


if __name__ == "__main__":
    main()
