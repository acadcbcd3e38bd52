"""``theme show`` at the documented limits: bars a second at 100, 1000 and 10000 bars.

Run:  uv run python benchmarks/bench_show.py

For each length, in process: laying the form out as a timeline (``variant.timeline``) and
drawing the section grids (``section_grids``), the two costs of ``theme show VARIANT --bars
N``; the best of a few runs. Linear work keeps the bars a second about the same from 100 to
10000 bars: the ratios printed are of the time per bar against the time per bar at 100.
A whole ``theme show tv-1966 --bars 10000`` is timed once at the end (start-up included).
Takes about half a minute.
"""

from __future__ import annotations

import subprocess
import sys
import time

import theme
from theme.renderers.text import section_grids

LENGTHS = (100, 1000, 10000)


def best_seconds(bars: int, runs: int) -> tuple[float, float]:
    """The best seconds of ``runs`` runs: building the timeline, and drawing the grids."""
    variant = theme.load("tv-1966")
    build = draw = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        timeline = variant.timeline(bars=bars)
        middle = time.perf_counter()
        section_grids(timeline)
        end = time.perf_counter()
        build, draw = min(build, middle - start), min(draw, end - middle)
    return build, draw


def main() -> None:
    print(f"{'bars':>6}  {'timeline s':>10}  {'grids s':>8}  {'bars/s':>8}  time per bar vs 100")
    first = None
    for bars in LENGTHS:
        build, draw = best_seconds(bars, runs=5 if bars < 10000 else 2)
        per_bar = (build + draw) / bars
        first = first or per_bar
        print(
            f"{bars:>6}  {build:>10.3f}  {draw:>8.3f}  {bars / (build + draw):>8.0f}  "
            f"{per_bar / first:.2f}x"
        )
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "theme", "show", "tv-1966", "--bars", "10000"],
        stdout=subprocess.DEVNULL,
        check=True,
    )
    print(f"theme show tv-1966 --bars 10000: {time.perf_counter() - start:.1f} s in all")


if __name__ == "__main__":
    main()
