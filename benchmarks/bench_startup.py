"""Start-up time: ``theme --help`` against ``python -c pass``, in the same run.

Run:  uv run python benchmarks/bench_startup.py [RUNS]

Each command is started as a fresh process, the commands in turns, RUNS times each (default
20), after one warm run each and with bytecode compiled. The table gives, for each, the best
and the median wall time and the median CPU time (user and system) with their ratios to
``python -c pass`` (goal: ``theme --help`` within 3x). The best wall time and the CPU time
are the figures a busy machine spoils least: its other processes only ever add wall time,
and take none of the command's CPU time.
"""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _common import compile_bytecode

RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 20
BIN = Path(sys.executable).parent


def timed(command: list[str]) -> tuple[float, float]:
    """Seconds of wall time and of CPU time (the process's user and system time) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return wall, cpu


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
    for command in cases.values():  # the file cache filled
        timed(command)
    walls: dict[str, list[float]] = {name: [] for name in cases}
    cpus: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(RUNS):
        for name, command in cases.items():
            wall, cpu = timed(command)
            walls[name].append(wall)
            cpus[name].append(cpu)
    best = {name: min(values) for name, values in walls.items()}
    median = {name: statistics.median(values) for name, values in walls.items()}
    cpu = {name: statistics.median(values) for name, values in cpus.items()}
    base = "python -c pass"
    print(f"start-up, {RUNS} runs each, in turns; ratios to {base}")
    print(
        f"{'command':<28} {'best ms':>8} {'x':>6} {'median ms':>10} {'x':>6} {'CPU ms':>7} {'x':>6}"
    )
    for name in cases:
        print(
            f"{name:<28} {best[name] * 1000:>8.1f} {best[name] / best[base]:>6.2f} "
            f"{median[name] * 1000:>10.1f} {median[name] / median[base]:>6.2f} "
            f"{cpu[name] * 1000:>7.1f} {cpu[name] / cpu[base]:>6.2f}"
        )


if __name__ == "__main__":
    main()
