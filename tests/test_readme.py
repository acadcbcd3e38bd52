"""The Python examples of the README and the manual run as written (with a simulated sound
card), in the order of their pages."""

from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path

import pytest

import theme.live.engine.playback
import theme.live.engine.sinks
from tests.conftest import ROOT


def test_the_readme_python_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pages = ["README.md", "docs/tour.md", "docs/python.md"]
    blocks = [
        (page, block)
        for page in pages
        for block in re.findall(r"```python\n(.*?)```", (ROOT / page).read_text(), flags=re.S)
    ]
    assert len(blocks) >= 3
    monkeypatch.chdir(tmp_path)
    for module in (
        theme.live.engine.playback,
        theme.live.engine.sinks,
    ):  # play() and Metronome.play()
        monkeypatch.setattr(
            module,
            "SoundDeviceSink",
            lambda **kw: theme.live.engine.sinks.ArraySink(rate=kw.get("rate", 48000)),
        )
    namespace: dict[str, object] = {}
    for page, block in blocks:
        exec(compile(block, page, "exec"), namespace)
    assert (tmp_path / "tv-drop.mid").exists()
    assert namespace["m"].meetings(2) == [Fraction(0), Fraction(20)]  # type: ignore[attr-defined]
    assert str(namespace["bass"][0].onset) == "0"  # type: ignore[index]
