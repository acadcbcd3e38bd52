"""What the benchmarks share: bytecode first, whole-process timings taken in turns, and a
JACK server with a MIDI dump on it."""

from __future__ import annotations

import compileall
import statistics
import subprocess
import sysconfig
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def compile_bytecode() -> None:
    """Write .pyc files for the venv and the project, as any installation does: this machine
    sets PYTHONDONTWRITEBYTECODE=1, which would make every run compile numpy again."""
    for folder in (sysconfig.get_paths()["purelib"], str(ROOT / "theme")):
        compileall.compile_dir(folder, quiet=2)


def wall(command: list[str]) -> float:
    """Seconds from the start to the exit of one process."""
    start = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def median_walls(cases: dict[str, list[str]], runs: int, *, warm: bool = False) -> dict[str, float]:
    """The median seconds of each command over ``runs`` runs, taken in turns (one run of each
    command, then the next round) so that the machine's moods fall on all of them alike.
    ``warm`` runs each once first, to fill the file cache."""
    if warm:
        for command in cases.values():
            wall(command)
    times: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(runs):
        for name, command in cases.items():
            times[name].append(wall(command))
    return {name: statistics.median(values) for name, values in times.items()}


def jack_started(server: subprocess.Popen[bytes], env: dict[str, str]) -> bool:
    """Wait until ``jack_lsp`` reaches the server just started; False if it ended instead."""
    while subprocess.run(["jack_lsp"], env=env, capture_output=True).returncode != 0:
        if server.poll() is not None:
            return False
        time.sleep(0.1)
    return True


def midi_dump(name: str, env: dict[str, str]) -> subprocess.Popen[str]:
    """``jack_midi_dump -a NAME``, once its port ``NAME:input`` is there: each message it
    receives printed with its absolute JACK frame."""
    dump = subprocess.Popen(
        ["jack_midi_dump", "-a", name],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    while (
        f"{name}:input"
        not in subprocess.run(["jack_lsp"], env=env, capture_output=True, text=True).stdout
    ):
        time.sleep(0.05)
    return dump
