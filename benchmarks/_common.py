"""What the benchmarks share: bytecode first."""

from __future__ import annotations

import compileall
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def compile_bytecode() -> None:
    """Write .pyc files for the venv and the project, as any installation does: this machine
    sets PYTHONDONTWRITEBYTECODE=1, which would make every run compile numpy again."""
    for folder in (sysconfig.get_paths()["purelib"], str(ROOT / "theme")):
        compileall.compile_dir(folder, quiet=2)
