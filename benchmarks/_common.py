"""What the benchmarks share: bytecode first, and a sink that never plays."""

from __future__ import annotations

import compileall
import sysconfig
from pathlib import Path

from theme.playback import Sink

ROOT = Path(__file__).resolve().parent.parent


def compile_bytecode() -> None:
    """Write .pyc files for the venv and the project, as any installation does: this machine
    sets PYTHONDONTWRITEBYTECODE=1, which would make every run compile numpy again."""
    for folder in (sysconfig.get_paths()["purelib"], str(ROOT / "theme")):
        compileall.compile_dir(folder, quiet=2)


class IdleSink(Sink):
    """A realtime sink that never pulls by itself: the benchmark calls the pull."""

    def _open(self) -> None:
        pass

    def _close(self) -> None:
        pass

    def _heard_frame(self, frames_pulled: int) -> int:
        return frames_pulled
