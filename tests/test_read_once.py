"""Each input file is opened once: its kind told from its first bytes and its music read from
the same read (theme.readers.files), by the library and by the CLI alike."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import theme
from tests.conftest import ROOT
from theme.cli import main
from theme.errors import InputFileError
from theme.readers.files import READ_SUFFIXES, READERS, VARIANT, open_source


@pytest.fixture
def opens(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[Path], int]]:
    """How many times a path was opened (``os.open``, the one way input files are opened)."""
    seen: list[str] = []
    real = os.open

    def counting(path: Any, *args: Any, **kwargs: Any) -> int:
        seen.append(os.path.realpath(os.fspath(path)))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", counting)
    yield lambda path: seen.count(os.path.realpath(path))


@pytest.fixture
def song(tmp_path: Path) -> Path:
    path = tmp_path / "song.mid"
    theme.write(theme.load("tv-1966").timeline(bars=2), path)
    return path


@pytest.fixture
def mine(tmp_path: Path) -> Path:
    path = tmp_path / "mine.toml"
    shutil.copy(ROOT / "examples" / "my-variant.toml", path)
    return path


def test_the_library_opens_a_midi_file_once(song: Path, opens: Callable[[Path], int]) -> None:
    timeline = theme.read(song)
    assert opens(song) == 1
    assert timeline.bars and timeline.events


def test_the_library_opens_a_variant_file_once(mine: Path, opens: Callable[[Path], int]) -> None:
    assert theme.read(mine).events == theme.load(str(mine)).timeline().events
    assert opens(mine) == 2  # once by theme.read, once by theme.load


def test_show_opens_a_file_once(
    song: Path, mine: Path, opens: Callable[[Path], int], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["show", str(song)]) == 0
    assert main(["show", str(mine)]) == 0
    assert "song.mid (MIDI file)" in capsys.readouterr().out
    assert (opens(song), opens(mine)) == (1, 1)


def test_a_misnamed_file_is_refused_from_the_same_read(
    tmp_path: Path, song: Path, opens: Callable[[Path], int]
) -> None:
    misnamed = tmp_path / "song.toml"
    misnamed.write_bytes(song.read_bytes())
    with pytest.raises(InputFileError, match="it is a MIDI file, not a variant file"):
        theme.read(misnamed)
    assert opens(misnamed) == 1


def test_a_file_that_cannot_be_opened_is_refused_when_read(tmp_path: Path) -> None:
    source = open_source(str(tmp_path / "none.mid"))  # options are checked before this
    assert source.is_music
    with pytest.raises(InputFileError, match=r"cannot read MIDI file .*none\.mid.*: no such file"):
        source.timeline()


def test_one_registry_names_every_extension_read() -> None:
    assert READ_SUFFIXES == (".mid", ".midi", ".musicxml", ".xml", ".mxl", ".abc", ".toml")
    assert READERS[".toml"] is VARIANT
    assert {kind.name for kind in READERS.values()} == {
        "MIDI",
        "MusicXML",
        "compressed MusicXML",
        "ABC",
        "variant",
    }
