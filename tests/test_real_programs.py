"""Real programs read our MIDI files: FluidSynth and TiMidity render every exported file
without a warning. Skipped, saying why, where a program is not installed (.ci/run installs
the Debian packages fluidsynth, fluid-soundfont-gm and timidity)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import soundfile

import theme
from theme.core.remeter import STRATEGIES

SOUNDFONT = Path("/usr/share/sounds/sf2/FluidR3_GM.sf2")

CASES = (
    [(name, None) for name in theme.names()]
    + [("tv-1966", s) for s in STRATEGIES if s != "clave"]
    + [("remix-2000", "clave")]
)


def export(tmp_path: Path, name: str, strategy: str | None) -> Path:
    timeline = theme.load(name, **({"bars": 2} if "bars" in _params(name) else {})).timeline()
    if strategy:
        timeline = timeline.remeter(strategy, strict=False)
    return theme.write_midi(timeline, tmp_path / f"{name}-{strategy or 'as-is'}.mid")


def _params(name: str) -> set[str]:
    return {p.name for p in theme.load(name).parameters}


def assert_clean(result: subprocess.CompletedProcess[str], wav: Path) -> None:
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    noisy = [
        line for line in output.splitlines() if "warn" in line.lower() or "error" in line.lower()
    ]
    assert noisy == []
    audio, _ = soundfile.read(wav)
    assert np.abs(audio).max() > 0.01


@pytest.mark.external
@pytest.mark.parametrize(("name", "strategy"), CASES)
def test_fluidsynth_renders_without_warnings(
    tmp_path: Path, name: str, strategy: str | None
) -> None:
    if not shutil.which("fluidsynth") or not SOUNDFONT.exists():
        pytest.skip(
            "fluidsynth or FluidR3_GM.sf2 missing: apt-get install fluidsynth fluid-soundfont-gm"
        )
    midi = export(tmp_path, name, strategy)
    wav = tmp_path / "out.wav"
    result = subprocess.run(
        ["fluidsynth", "-ni", "-F", str(wav), "-r", "44100", str(SOUNDFONT), str(midi)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert_clean(result, wav)


@pytest.mark.external
@pytest.mark.parametrize(("name", "strategy"), CASES)
def test_timidity_renders_without_warnings(tmp_path: Path, name: str, strategy: str | None) -> None:
    if not shutil.which("timidity"):
        pytest.skip("timidity missing: apt-get install timidity")
    midi = export(tmp_path, name, strategy)
    wav = tmp_path / "out.wav"
    result = subprocess.run(
        ["timidity", "-Ow", "-o", str(wav), str(midi)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert_clean(result, wav)
