"""Start-up time: ``theme --help`` against ``python -c pass``, in the same run.

Run:  uv run python benchmarks/bench_startup.py [RUNS]

Both are started as fresh processes, interleaved, RUNS times each (default 20); the table
gives the median wall time of each and the ratio (goal: ``theme --help`` within 3x).
"""

from __future__ import annotations

import sys
from pathlib import Path

from _common import compile_bytecode, median_walls

RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 20
BIN = Path(sys.executable).parent


def main() -> None:
    compile_bytecode()
    cases = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "theme --help": [str(BIN / "theme"), "--help"],
        "python -m theme --help": [sys.executable, "-m", "theme", "--help"],
        "python -c 'import music21'": [sys.executable, "-c", "import music21"],
    }
    medians = median_walls(cases, RUNS, warm=True)
    base = medians["python -c pass"]
    print(f"start-up, median of {RUNS} runs each, interleaved")
    print(f"{'command':<28} {'median ms':>10} {'x python -c pass':>18}")
    for name, median in medians.items():
        print(f"{name:<28} {median * 1000:>10.1f} {median / base:>18.2f}")


if __name__ == "__main__":
    main()
