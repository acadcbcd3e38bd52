"""Start-up time: ``theme --help`` against ``python -c pass``, in the same run.

Run:  uv run python benchmarks/bench_startup.py [RUNS]

Each command is started as a fresh process, the commands in turns, RUNS times each (default
20), after one warm run each and with bytecode compiled; the table gives the best and the
median wall time of each and their ratios to ``python -c pass`` (goal: ``theme --help``
within 3x). The best is the figure a busy machine spoils least: its other processes only
ever add time.
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

from _common import compile_bytecode, walls

RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 20
BIN = Path(sys.executable).parent


def main() -> None:
    compile_bytecode()
    cases = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "theme --help": [str(BIN / "theme"), "--help"],
        "theme --version": [str(BIN / "theme"), "--version"],
        "python -m theme --help": [sys.executable, "-m", "theme", "--help"],
        "python -c 'import theme'": [sys.executable, "-c", "import theme"],
        "python -c 'import music21'": [sys.executable, "-c", "import music21"],
    }
    times = walls(cases, RUNS, warm=True)
    best = {name: min(values) for name, values in times.items()}
    median = {name: statistics.median(values) for name, values in times.items()}
    base_best, base_median = best["python -c pass"], median["python -c pass"]
    print(f"start-up, {RUNS} runs each, in turns")
    print(f"{'command':<28} {'best ms':>8} {'x pass':>7} {'median ms':>10} {'x pass':>7}")
    for name in cases:
        print(
            f"{name:<28} {best[name] * 1000:>8.1f} {best[name] / base_best:>7.2f} "
            f"{median[name] * 1000:>10.1f} {median[name] / base_median:>7.2f}"
        )


if __name__ == "__main__":
    main()
