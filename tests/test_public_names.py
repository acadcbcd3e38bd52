"""Every public name of ``theme`` loads from the home ``theme/__init__.py`` gives it, that home
agrees with the imports the type checker reads, and each callable answers a call as its
docstring documents it."""

from __future__ import annotations

import ast
import inspect
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

import theme
from tests.conftest import ROOT


def _type_checking_homes() -> dict[str, str]:
    """The ``from X import name`` lines under ``if TYPE_CHECKING:`` in ``theme/__init__.py``."""
    tree = ast.parse((ROOT / "theme" / "__init__.py").read_text(encoding="utf-8"))
    homes: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            for line in node.body:
                if isinstance(line, ast.ImportFrom) and line.module and line.module != "typing":
                    homes.update({alias.name: line.module for alias in line.names})
    return homes


@pytest.mark.parametrize("name", sorted(theme.__all__))
def test_every_public_name_loads(name: str) -> None:
    value = getattr(theme, name)
    assert value is not None
    assert name in dir(theme)


def test_the_homes_agree_with_the_type_checker() -> None:
    homes = {name: home for name, home in theme._HOMES.items()}
    assert homes == _type_checking_homes()
    assert set(homes) | {"__version__"} == set(theme.__all__)


@pytest.mark.parametrize("name", sorted(theme._HOMES))
def test_a_public_name_is_its_home_modules_object(name: str) -> None:
    import importlib

    original = getattr(importlib.import_module(theme._HOMES[name]), name)
    value = getattr(theme, name)
    assert getattr(value, "__wrapped__", value) is original


def _calls(tmp: Path) -> dict[str, Callable[[], Any]]:
    """One call a public callable, with the arguments its docstring documents."""
    variant = theme.load("tv-1966", intro_bars=1, melody_bars=1)
    timeline = variant.timeline()
    return {
        "AccentLevel": lambda: theme.AccentLevel(1),
        "Event": lambda: theme.Event(Fraction(0), Fraction(1, 2), "click", 76),
        "Layer": lambda: theme.Layer("click", "click", drum=True),
        "Meter": lambda: theme.Meter.parse("3+2/4"),
        "Metronome": lambda: theme.Metronome("5/4", vs="4/4", bars=4),
        "Rhythm": lambda: theme.Rhythm.from_box("x..x..x.x."),
        "Tempo": lambda: theme.Tempo.parse("q=120"),
        "TempoMap": lambda: timeline.tempo_map,
        "ThemeError": lambda: theme.ThemeError("a message"),
        "Timeline": lambda: timeline,
        "Variant": lambda: variant,
        "catalog": lambda: theme.catalog(grouping="3+2+2"),
        "click_track": lambda: theme.click_track(timeline),
        "count_in": lambda: theme.count_in(timeline, 2),
        "load": lambda: theme.load("tv-1966"),
        "names": theme.names,
        "play": lambda: theme.play(variant, sink=_array_sink(), wait=True),
        "read": lambda: theme.read(theme.write(timeline, tmp / "r.mid")),
        "read_midi": lambda: theme.read_midi(theme.write_midi(timeline, tmp / "m.mid")),
        "render": lambda: theme.render(variant, rate=44100),
        "strategy_example": lambda: theme.strategy_example("squeeze"),
        "to_score": lambda: theme.to_score(variant),
        "write": lambda: theme.write(variant, tmp / "w.mid"),
        "write_audio": lambda: theme.write_audio(variant, tmp / "a.wav"),
        "write_midi": lambda: theme.write_midi(variant, tmp / "b.mid"),
    }


def _array_sink() -> Any:
    from theme.live.engine.sinks import ArraySink

    return ArraySink(rate=48000)


def test_every_public_callable_answers_its_documented_call(tmp_path: Path) -> None:
    calls = _calls(tmp_path)
    callables = {n for n in theme._HOMES if callable(getattr(theme, n))}
    assert callables == set(calls), "a public callable without a documented call here"
    for name, call in calls.items():
        result = call()
        assert result is not None, name
        value = getattr(theme, name)
        if inspect.isclass(value) and name not in {"TempoMap", "Timeline", "Variant"}:
            assert isinstance(result, value), name
    assert (tmp_path / "a.wav").stat().st_size > 1000
