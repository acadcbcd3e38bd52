"""The README's Python example runs as written (with a simulated sound card)."""

from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path

import pytest

import theme.live.playback
import theme.live.sinks
from tests.conftest import ROOT


def test_the_readme_python_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", readme, flags=re.S)
    assert blocks
    monkeypatch.chdir(tmp_path)
    for module in (theme.live.playback, theme.live.sinks):  # play() and Metronome.play()
        monkeypatch.setattr(
            module,
            "SoundDeviceSink",
            lambda **kw: theme.live.sinks.ArraySink(rate=kw.get("rate", 48000)),
        )
    namespace: dict[str, object] = {}
    for block in blocks:
        exec(compile(block, "README.md", "exec"), namespace)
    assert (tmp_path / "tv-drop.mid").exists()
    assert namespace["m"].meetings(2) == [Fraction(0), Fraction(20)]  # type: ignore[attr-defined]
    assert str(namespace["bass"][0].onset) == "0"  # type: ignore[index]
