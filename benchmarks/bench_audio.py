"""Audio benchmarks, one run, printed as ratios against the peers.

Run:  uv run python benchmarks/bench_audio.py [RUNS]

1. 60 s of tv-1966 to WAV, the whole process: ``theme export`` against ``fluidsynth -ni -F``
   (FluidR3_GM SoundFont) and ``timidity -Ow`` on the MIDI we export.
2. Real-time factor of the renderer in process (seconds of music per second of work).
3. Onset error against the exact grid, measured in the rendered audio, for all three.
4. Peak memory (max RSS) of a one-minute and a one-hour render to FLAC.
5. Cost of the live callback per 256-frame block, as a share of the block's duration.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

import numpy as np
import soundfile
from _common import compile_bytecode, median_walls

import theme
from theme.core.meter import Meter
from theme.core.timeline import Event, Layer, Timeline
from theme.renderers.audio import render

RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 5
SOUNDFONT = Path("/usr/share/sounds/sf2/FluidR3_GM.sf2")
BIN = Path(sys.executable).parent
MINUTE_BARS = 32  # tv-1966 at q=160: 32 bars of 5/4 are 60 s


def whole_process(folder: Path) -> None:
    midi = folder / "tv.mid"
    subprocess.run(
        [str(BIN / "theme"), "export", "tv-1966", "--bars", str(MINUTE_BARS), "-o", str(midi)],
        check=True,
        capture_output=True,
    )
    cases = {
        "theme export -o .wav": [
            str(BIN / "theme"),
            "export",
            "tv-1966",
            "--bars",
            str(MINUTE_BARS),
            "-o",
            str(folder / "ours.wav"),
        ]
    }
    if shutil.which("fluidsynth") and SOUNDFONT.exists():
        cases["fluidsynth -ni -F"] = [
            "fluidsynth",
            "-ni",
            "-F",
            str(folder / "fs.wav"),
            "-r",
            "48000",
            str(SOUNDFONT),
            str(midi),
        ]
    if shutil.which("timidity"):
        cases["timidity -Ow"] = [
            "timidity",
            "-Ow",
            "-s",
            "48000",
            "-o",
            str(folder / "tm.wav"),
            str(midi),
        ]
    medians = median_walls(cases, RUNS)
    ours = medians["theme export -o .wav"]
    print(f"\n1. 60 s of tv-1966 to WAV, whole process, median of {RUNS}")
    print(f"   {'program':<24} {'seconds':>8} {'x ours':>8}")
    for name, median in medians.items():
        print(f"   {name:<24} {median:>8.3f} {median / ours:>8.2f}")


def real_time_factor() -> None:
    timeline = theme.load("tv-1966").timeline(bars=MINUTE_BARS)
    render(timeline)  # voices made and cached
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        audio = render(timeline)
        times.append(time.perf_counter() - start)
    seconds = len(audio) / 48000
    print(
        f"\n2. in-process render of {seconds:.1f} s: {statistics.median(times) * 1000:.1f} ms, "
        f"{seconds / statistics.median(times):.0f}x real time (goal: 1000x)"
    )


def click_timeline() -> Timeline:
    """Woodblock hits at the ostinato's onsets, 16 bars at q=137: off any block grid."""
    events = [
        Event(Fraction(bar * 5) + Fraction(onset, 2), Fraction(1, 4), "wood", 76, 110)
        for bar in range(16)
        for onset in (0, 3, 6, 8)
    ]
    return Timeline.build(
        title="clicks",
        bars=[(Meter.parse("5/4"), "")] * 16,
        tempo=137,
        layers=[Layer("wood", "click", drum=True)],
        events=events,
    )


def detected_onsets(audio: np.ndarray, exact: list[int]) -> list[int]:
    """For each expected onset, the first sample from 1000 samples before it whose level
    is above 2% of the peak: where the sound really starts."""
    level = np.abs(audio).max(axis=1) if audio.ndim == 2 else np.abs(audio)
    threshold = level.max() * 0.02
    found = []
    for e in exact:
        window = level[max(0, e - 1000) : e + 4000]
        found.append(max(0, e - 1000) + int(np.argmax(window > threshold)))
    return found


def onset_errors(folder: Path) -> None:
    timeline = click_timeline()
    exact = [timeline.tempo_map.sample_at(e.onset, 48000) for e in timeline.events]
    midi = theme.write_midi(timeline, folder / "clicks.mid")
    rendered = {"theme": render(timeline)}
    if shutil.which("fluidsynth") and SOUNDFONT.exists():
        subprocess.run(
            [
                "fluidsynth",
                "-ni",
                "-F",
                str(folder / "c-fs.wav"),
                "-r",
                "48000",
                str(SOUNDFONT),
                str(midi),
            ],
            check=True,
            capture_output=True,
        )
        rendered["fluidsynth"] = soundfile.read(folder / "c-fs.wav")[0]
    if shutil.which("timidity"):
        subprocess.run(
            [
                "timidity",
                "-Ow",
                "-s",
                "48000",
                "-EFreverb=0",
                "-EFchorus=0",
                "-o",
                str(folder / "c-tm.wav"),
                str(midi),
            ],
            check=True,
            capture_output=True,
        )
        rendered["timidity"] = soundfile.read(folder / "c-tm.wav")[0]
    print(
        f"\n3. onset error against the exact grid, {len(exact)} woodblock hits at q=137, 48 kHz (samples)"
    )
    print(f"   {'renderer':<12} {'max |error|':>11} {'spread (max-min)':>17}")
    for name, audio in rendered.items():
        found = detected_onsets(audio, exact)
        errors = [f - e for f, e in zip(found, exact)]
        print(f"   {name:<12} {max(abs(x) for x in errors):>11} {max(errors) - min(errors):>17}")


MEMORY_CHILD = """
import resource, sys, theme
from theme.renderers.audiofile import write_audio
bars = int(sys.argv[1])
write_audio(theme.load("tv-1966").timeline(bars=bars), sys.argv[2])
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def memory(folder: Path) -> None:
    results = {}
    for label, bars in (("1 minute", MINUTE_BARS), ("1 hour", MINUTE_BARS * 60)):
        start = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-c", MEMORY_CHILD, str(bars), str(folder / "m.flac")],
            capture_output=True,
            text=True,
            check=True,
        )
        results[label] = (int(out.stdout.split()[-1]) / 1024, time.perf_counter() - start)
    print("\n4. peak memory of a render to FLAC (max RSS of the whole process)")
    for label, (mib, seconds) in results.items():
        print(f"   {label:<9} {mib:>7.1f} MiB  ({seconds:.1f} s)")
    print(
        f"   one hour / one minute: {results['1 hour'][0] / results['1 minute'][0]:.3f} (goal: within 1.2)"
    )


def callback_cost() -> None:
    from theme.live.engine.playback import Player
    from theme.live.engine.sinks import ManualSink
    from theme.metronome import Metronome

    block = np.empty((256, 2), np.float32)
    for label, renderer in (
        (
            "tv-1966",
            theme.renderers.audio.BlockRenderer.for_timeline(
                theme.load("tv-1966").timeline(bars=64)
            ),
        ),
        ("metronome 5/4 vs 4/4", Metronome("5/4", vs="4/4", bpm=160).renderer()),
    ):
        sink = ManualSink(blocksize=256)
        player = Player(renderer, sink).start(producer=False)
        costs = []
        for _ in range(400):
            player.fill_ahead()
            start = time.perf_counter_ns()
            sink.callback(block)
            costs.append(time.perf_counter_ns() - start)
        per_block = 256 / 48000 * 1e9
        print(
            f"   {label:<22} median {statistics.median(costs) / 1000:.1f} us, p99 {np.percentile(costs, 99) / 1000:.1f} us "
            f"= {100 * np.percentile(costs, 99) / per_block:.3f}% of a block (goal: under 2%)"
        )


def main() -> None:
    compile_bytecode()
    print(
        f"theme audio benchmarks, {time.strftime('%Y-%m-%d')}, Python {sys.version.split()[0]}, {os.cpu_count()} cores"
    )
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        whole_process(folder)
        real_time_factor()
        onset_errors(folder)
        memory(folder)
    print("\n5. the live callback (copying one rendered block), per 256-frame block at 48 kHz")
    callback_cost()


if __name__ == "__main__":
    main()
