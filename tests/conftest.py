"""Shared helpers for the tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"


def run_theme(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m theme ARGS`` as a user would, with no sound server to find."""
    environment = {**os.environ, "JACK_NO_START_SERVER": "1", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "theme", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=environment,
        timeout=300,
    )


@pytest.fixture
def theme_cli():  # type: ignore[no-untyped-def]
    return run_theme


def varlen(value: int) -> bytes:
    """A MIDI variable-length number."""
    out = [value & 0x7F]
    value >>= 7
    while value:
        out.append(0x80 | (value & 0x7F))
        value >>= 7
    return bytes(reversed(out))


GOOD_VARIANT = """name = "f"
title = "F"
tempo = "q=120"
[layers.a]
voice = "bass"
pitches = ["C2"]
[[sections]]
name = "s"
meter = "5/4"
bars = 2
patterns = { a = "X..x..x.x." }
"""
"""A small, valid variant file: two bars of 5/4, one bass layer."""
