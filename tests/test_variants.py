"""The built-in variants and variant files of one's own."""

from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path

import pytest

import theme
from theme.errors import InputFileError, VariantError
from theme.variants.loader import DATA
from theme.variants.model import CONFIDENCES

NAMES = theme.names()
GOOD = """
name = "mine"
title = "Mine"
tempo = "e=300"
[parameters.bars]
default = 2
min = 1
max = 8
help = "bars"
[layers.bass]
voice = "bass"
pitches = ["E2", 40]
[[sections]]
name = "a"
meter = "3+3+2+2/8"
bars = "{bars}"
patterns = { bass = "X..x..x.x." }
"""


def test_the_built_ins() -> None:
    assert NAMES[:4] == ["tv-1966", "film", "remix-1996", "remix-2000"]
    assert {"take-five-vamp", "limping-waltz", "balkan-7", "balkan-9", "balkan-11"} <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_every_variant_builds(name: str) -> None:
    variant = theme.load(name)
    assert variant.claims and {c.confidence for c in variant.claims} <= set(CONFIDENCES)
    assert any(c.confidence == "demo-default" and "Tempo" in c.claim for c in variant.claims)
    timeline = variant.timeline()
    assert [e.onset for e in timeline.events] == sorted(e.onset for e in timeline.events)
    assert all(isinstance(e.onset, Fraction) for e in timeline.events)
    assert {e.layer for e in timeline.events} == set(timeline.layers)
    assert len(timeline.bars) == variant.total_bars
    assert all(e.onset < timeline.length for e in timeline.events)


def test_tv_ostinato_is_exact() -> None:
    timeline = theme.load("tv-1966").timeline()
    for bar in timeline.bars:
        notes = [e for e in timeline.layer_events("bass") if bar.start <= e.onset < bar.end]
        assert [e.onset - bar.start for e in notes] == [0, Fraction(3, 2), 3, 4]
        assert [e.duration for e in notes] == [Fraction(3, 2), Fraction(3, 2), 1, 1]
        assert [e.velocity > 100 for e in notes] == [True, False, False, False]
    assert {str(b.meter) for b in timeline.bars} == {"5/4"}


@pytest.mark.parametrize("intro", [0, 1, 4, 7])
def test_remix_1996_intro_bars(intro: int) -> None:
    timeline = theme.load("remix-1996", intro_bars=intro, body_bars=4).timeline()
    assert [str(b.meter) for b in timeline.bars] == ["5/4"] * intro + ["4/4"] * 4


@pytest.mark.parametrize(
    ("strategy", "onsets"),
    [("squeeze", [0, 1.5, 3, 3.5]), ("drop", [0, 1.5, 3]), ("rebar", [0, 1.5, 3])],
)
def test_remix_1996_strategy_changes_the_body(strategy: str, onsets: list[float]) -> None:
    timeline = theme.load("remix-1996", intro_bars=0, body_bars=2, strategy=strategy).timeline()
    assert [float(e.onset) for e in timeline.layer_events("bass") if e.onset < 4] == onsets


def test_remix_2000_interlude() -> None:
    timeline = theme.load("remix-2000", verse_bars=2, interlude_bars=3, outro_bars=1).timeline()
    assert [str(b.meter) for b in timeline.bars] == ["4/4"] * 2 + ["5/4"] * 3 + ["4/4"]
    assert [b.section for b in timeline.bars][2] == "interlude (5/4)"


def test_film_emphasis_on_beat_two() -> None:
    first = theme.load("film", emphasis="beat-1").timeline().layer_events("hits")[0]
    second = theme.load("film", emphasis="beat-2").timeline().layer_events("hits")[0]
    assert (first.onset, second.onset) == (0, 1)


def test_melody_placement_is_a_parameter() -> None:
    long_on_two = theme.load("tv-1966", intro_bars=0).timeline().layer_events("melody")[:3]
    pickup = (
        theme.load("tv-1966", intro_bars=0, melody_placement="pickup")
        .timeline()
        .layer_events("melody")[:3]
    )
    assert [e.onset for e in long_on_two] == [0, Fraction(1, 2), 1]
    assert [e.onset for e in pickup] == [0, 4, Fraction(9, 2)]
    claims = [c for c in theme.load("tv-1966").claims if "Melody" in c.claim]
    assert claims[0].confidence == "hypothesis"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"intro_bars": "-1"},
            r"invalid value '-1' for parameter 'intro_bars': expected a whole number from 0 to 64",
        ),
        ({"intro_bars": "two"}, r"invalid value 'two' for parameter 'intro_bars'"),
        (
            {"melody_placement": "late"},
            r"invalid value 'late' for parameter 'melody_placement': expected one of long-on-2, pickup",
        ),
        (
            {"tempo": "3"},
            r"unknown parameter 'tempo' for tv-1966.toml: its parameters are intro_bars, melody_bars, melody_placement",
        ),
    ],
)
def test_bad_parameters(params: dict[str, str], message: str) -> None:
    with pytest.raises(VariantError, match=message):
        theme.load("tv-1966", **params)


def test_unknown_variant() -> None:
    with pytest.raises(
        VariantError,
        match=r"unknown variant 'tv-1967' \(did you mean tv-1966\?\): expected one of tv-1966, "
        r".* or a path to a .toml file",
    ):
        theme.load("tv-1967")


def test_own_file(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(GOOD)
    variant = theme.load(path, bars=3)
    timeline = variant.timeline()
    assert variant.source == str(path)
    assert len(timeline.bars) == 3 and timeline.bars[0].meter.explicit == "3+3+2+2/8"
    assert [e.pitch for e in timeline.events[:4]] == [40, 40, 40, 40]
    assert theme.load(Path("examples/my-variant.toml")).name == "my-groove"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (('name = "mine"', ""), "name", "missing; this field is required"),
        (('meter = "3+3+2+2/8"', 'meter = "5/3"'), r"sections\[0\]\.meter", "invalid meter '5/3'"),
        (
            ('bass = "X..x..x.x."', 'bass = "X..o..x.x."'),
            r"sections\[0\]\.patterns\.bass\.box",
            "invalid box notation",
        ),
        (
            ('bass = "X..x..x.x."', 'drums = "x"'),
            r"sections\[0\]\.patterns\.drums",
            "no layer 'drums'; the layers are bass",
        ),
        (('"E2", 40', '"E2", "Q9"'), r"layers\.bass\.pitches", "invalid pitch 'Q9'"),
        (('tempo = "e=300"', 'tempo = "e=0"'), "tempo", "invalid tempo 'e=0'"),
        (('voice = "bass"', "voice = 3"), r"layers\.bass\.voice", "got 3; expected a str"),
        (("default = 2", "default = 99"), r"parameters\.bars\.default", "invalid value 99"),
    ],
)
def test_broken_files_name_the_file_and_field(
    tmp_path: Path, change: tuple[str, str], field: str, message: str
) -> None:
    path = tmp_path / "broken.toml"
    path.write_text(GOOD.replace(*change))
    with pytest.raises(
        VariantError, match=rf"^{re.escape(str(path))}: {field}: {re.escape(message)}"
    ):
        theme.load(path)


def test_bad_confidence(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text(GOOD + '[[claims]]\nclaim = "x"\nconfidence = "sure"\n')
    with pytest.raises(
        VariantError,
        match=r"claims\[0\]\.confidence: invalid confidence 'sure': expected one of verified",
    ):
        theme.load(path)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        ("name = [", "not valid TOML"),
        (b"\xff\xfe", "cannot read variant file"),
    ],
)
def test_unreadable_files(tmp_path: Path, content: str | bytes | None, message: str) -> None:
    path = tmp_path / "x.toml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content)
    with pytest.raises(InputFileError, match=message):
        theme.load(path)
    with pytest.raises(InputFileError, match="it is a folder"):
        theme.load(tmp_path.joinpath("dir.toml").mkdir() or tmp_path / "dir.toml")


def test_user_pitches() -> None:
    timeline = theme.load("tv-1966").timeline(pitches={"bass": (36, 43)})
    assert [e.pitch for e in timeline.layer_events("bass")[:4]] == [36, 43, 36, 43]
    with pytest.raises(
        VariantError,
        match=r"invalid pitches for layer 'tuba': tv-1966 has layers bass, bongos, melody",
    ):
        theme.load("tv-1966").timeline(pitches={"tuba": (1,)})


def test_bars_and_repeat() -> None:
    variant = theme.load("tv-1966", intro_bars=1, melody_bars=4)
    assert len(variant.timeline(repeat=3).bars) == 15
    assert len(variant.timeline(bars=7).bars) == 7
    with pytest.raises(VariantError, match="invalid repeat 0"):
        variant.timeline(repeat=0)


def test_no_file_spells_out_the_theme() -> None:
    """Copyright: the voicings are ours. No file of the package holds the theme's bass line
    (in any spelling) and every bass layer is the documented root-root-fifth-octave."""
    forbidden = re.compile(r"G2?,?\s*G2?,?\s*B-?b2?,?\s*C3?", re.IGNORECASE)
    for path in Path(theme.__file__).parent.rglob("*"):
        if path.suffix in (".py", ".toml"):
            assert not forbidden.search(path.read_text()), path
    for path in DATA.glob("*.toml"):
        variant = theme.load(path)
        for spec in variant.layers:
            if spec.role == "ostinato":
                root = spec.pitches[0]
                assert spec.pitches == (root, root, root + 7, root + 12), path


def test_a_built_in_is_read_once_for_the_same_values() -> None:
    """A built-in asked for again with the same values is the same frozen variant, its
    values read-only; values Python finds equal to those (``True``, ``1.0`` for ``1``) are
    still refused, and a file that changed is read again."""
    first = theme.load("remix-1996", intro_bars=1)
    assert theme.load("remix-1996", intro_bars=1) is first
    assert theme.load("remix-1996", intro_bars=2) is not first
    with pytest.raises(TypeError):
        first.values["intro_bars"] = 3  # type: ignore[index]
    for same_to_python in (True, 1.0):
        with pytest.raises(VariantError, match="expected a whole number"):
            theme.load("remix-1996", intro_bars=same_to_python)


def test_a_built_in_file_that_changes_is_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    import theme.variants
    from theme.variants import loader

    data = tmp_path / "data"
    shutil.copytree(loader.DATA, data)
    monkeypatch.setattr(loader, "DATA", data)
    before = theme.load("tv-1966")
    path = data / "tv-1966.toml"
    path.write_text(path.read_text().replace('title = "', 'title = "New: ', 1))
    assert theme.load("tv-1966").title == "New: " + before.title
    (data / "tv-1966-copy.toml").write_text(path.read_text())
    assert "tv-1966-copy" in theme.names()
