"""Reading a MIDI file: theme.read plus a remeter against music21's parse of the same file.

Run:  uv run python benchmarks/bench_read.py

A MIDI file of 8 parts (a track each, eighth notes in 4/4)
is made with mido at 1,000, 10,000 and 100,000 notes. At each size: seconds for
``theme.read`` alone, for ``theme.read`` then ``remeter("clave")``, and (at 1,000 and 10,000
notes only: music21 takes minutes at 100,000) for ``music21.converter.parse``; printed with
notes a second (the same rate at every size is linear time) and music21's time over ours.
In process, after one warm-up each, so that no import is counted; ours the best of 2-3
runs, music21's one run.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from _common import compile_bytecode

PARTS = 8
PPQ = 480
MUSIC21_UP_TO = 10_000


def make_file(path: Path, notes: int) -> Path:
    """A type-1 MIDI file of ``notes`` notes, in ``PARTS`` tracks of eighth notes."""
    import mido

    file = mido.MidiFile(type=1, ticks_per_beat=PPQ)
    conductor = mido.MidiTrack()
    conductor.append(mido.MetaMessage("time_signature", numerator=4, denominator=4))
    conductor.append(mido.MetaMessage("set_tempo", tempo=500_000))
    file.tracks.append(conductor)
    per_part = notes // PARTS
    for part in range(PARTS):
        track = mido.MidiTrack()
        track.append(mido.MetaMessage("track_name", name=f"part {part + 1}"))
        track.append(mido.Message("program_change", channel=part, program=part * 8))
        for i in range(per_part):
            pitch = 40 + (i * 7 + part * 5) % 40
            track.append(mido.Message("note_on", channel=part, note=pitch, velocity=80, time=0))
            track.append(mido.Message("note_off", channel=part, note=pitch, time=PPQ // 2))
        file.tracks.append(track)
    file.save(path)
    return path


def seconds(work: Callable[[], object], runs: int = 1) -> float:
    """The fewest seconds ``work`` took in ``runs`` runs."""
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    compile_bytecode()
    import music21

    import theme

    sizes = [1_000, 10_000, 100_000]
    with tempfile.TemporaryDirectory() as folder:
        files = {n: make_file(Path(folder) / f"{n}.mid", n) for n in sizes}
        theme.read(files[1_000]).remeter("clave")  # warm-up
        music21.converter.parse(files[1_000])
        print(
            f"{'notes':>8} {'read s':>8} {'+remeter s':>10} {'notes/s':>10} {'music21 s':>10} "
            f"{'m21/read':>9} {'m21/(read+remeter)':>19}"
        )
        for n in sizes:
            read = seconds(lambda: theme.read(files[n]), 3)  # noqa: B023
            both = seconds(lambda: theme.read(files[n]).remeter("clave"), 2)  # noqa: B023
            if n <= MUSIC21_UP_TO:
                m21 = seconds(lambda: music21.converter.parse(files[n]))  # noqa: B023
                ratios = f"{m21:10.3f} {m21 / read:8.1f}x {m21 / both:18.1f}x"
            else:
                ratios = f"{'(skipped)':>10}"
            print(f"{n:8,} {read:8.3f} {both:10.3f} {n / both:10,.0f} {ratios}")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
