"""A reader in a child process held to a memory and CPU bound (resource.setrlimit): a file
that makes a reader hang or grow fails its test instead of the machine.

The child imports theme once and reads the files it is sent, one path a line, answering one
JSON line each on its standard output (what it prints otherwise goes to its standard error): ``{"refused": message}`` for a ThemeError, ``{"bars": [[start, length,
meter]...], "events": [[onset, duration, pitch]...]}`` for a timeline, ``{"crash":
traceback}`` for anything else.
"""

from __future__ import annotations

import json
import os
import resource
import select
import subprocess
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any

MEMORY_BYTES = 3 * 2**30
"""The child's address space (music21 and numpy take about 1 GB of it mapped)."""
CPU_SECONDS = 600
"""The child's CPU time in all (a ceiling for a runaway, not a measure)."""

_CHILD = r"""
import json, sys, traceback
import theme
from theme.errors import ThemeError
import warnings
warnings.simplefilter("ignore")
answers, sys.stdout = sys.stdout, sys.stderr  # what music21 prints is not an answer
for line in sys.stdin:
    path = line.rstrip("\n")
    try:
        timeline = theme.read(path)
        answer = {
            "bars": [[str(b.start), str(b.end - b.start), str(b.meter)] for b in timeline.bars],
            "events": [[str(e.onset), str(e.duration), e.pitch] for e in timeline.events],
        }
    except ThemeError as err:
        answer = {"refused": str(err)}
    except BaseException:
        answer = {"crash": traceback.format_exc()}
    print(json.dumps(answer), file=answers, flush=True)
"""


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))


class LimitedReader:
    """A child process reading files under :data:`MEMORY_BYTES` and :data:`CPU_SECONDS`."""

    def __init__(self) -> None:
        self.child = self._start()

    @staticmethod
    def _start() -> subprocess.Popen[str]:
        env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
        return subprocess.Popen(
            [sys.executable, "-c", _CHILD],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=env,
            preexec_fn=_limits,
        )

    def read(self, path: Path, timeout: float = 120) -> dict[str, Any]:
        """The child's answer for ``path``; a child that dies or takes more than
        ``timeout`` seconds (wall clock, on a busy machine) fails with AssertionError, and
        the next read is a new child's (the late answer would be taken for the next file's)."""
        assert self.child.stdin is not None and self.child.stdout is not None
        self.child.stdin.write(f"{path}\n")
        self.child.stdin.flush()
        ready, _, _ = select.select([self.child.stdout], [], [], timeout)
        if not ready:
            self.close()
            self.child = self._start()
        assert ready, f"reading {path.name} took more than {timeout} s"
        line = self.child.stdout.readline()
        assert line, f"the reader died on {path.name} (exit {self.child.wait()})"
        answer: dict[str, Any] = json.loads(line)
        assert "crash" not in answer, answer["crash"]
        return answer

    def close(self) -> None:
        if self.child.poll() is None:
            self.child.kill()
        self.child.wait()


def check_timeline(answer: dict[str, Any]) -> None:
    """A timeline's bars follow each other from 0, each of a positive length; every note
    starts inside them and lasts a positive time."""
    position = Fraction(0)
    for start, length, _ in answer["bars"]:
        assert Fraction(start) == position and Fraction(length) > 0
        position += Fraction(length)
    for onset, duration, pitch in answer["events"]:
        assert 0 <= Fraction(onset) < position and Fraction(duration) > 0 and 0 <= pitch <= 127
