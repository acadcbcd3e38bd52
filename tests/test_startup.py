"""Fast start: the command line and the library load no heavy library until it is needed."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

HEAVY = ("music21", "verovio", "matplotlib", "sounddevice", "aalink")


def loaded_after(code: str) -> set[str]:
    """The heavy modules loaded by running ``code`` in a fresh interpreter."""
    probe = f"{code}\nimport sys\nprint(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    return set(out.split())


@pytest.mark.parametrize(
    "code",
    [
        "import theme",
        "import theme.cli; theme.cli.build_parser()",
        "import contextlib, io\nfrom theme.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        "    main(['--help'])",
        "import theme; theme.load('tv-1966').timeline()",
        "import tempfile, os, contextlib, io\nfrom theme.cli import main\n"
        "with tempfile.TemporaryDirectory() as d, contextlib.redirect_stdout(io.StringIO()):\n"
        "    main(['metronome', '5/4', '--vs', '4/4', '--bars', '2', '-o', "
        "os.path.join(d, 'm.wav')])",
        "import theme.renderers.midi as m, theme; m.midi_file(theme.load('remix-1996').timeline())",
    ],
)
def test_light_paths_load_no_heavy_library(code: str) -> None:
    assert loaded_after(code) == set()


def test_import_theme_does_not_load_numpy() -> None:
    out = subprocess.run(
        [sys.executable, "-c", "import theme, sys; print('numpy' in sys.modules)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out.strip() == "False"


def test_score_is_built_only_when_asked() -> None:
    assert "music21" in loaded_after("import theme; theme.load('tv-1966').to_score()")


def test_the_help_loads_only_the_command_line() -> None:
    """``theme --help`` builds the parser from the command modules alone: no model, no live
    module (theme.live.engine.devices cost 17 ms of imports once), no dataclasses."""
    code = (
        "import sys, theme.cli\ntheme.cli.build_parser()\n"
        "print(' '.join(sorted(m for m in sys.modules if m.startswith(('theme', 'dataclasses')))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(out.stdout.split())
    assert {m for m in loaded if not m.startswith("theme.cli")} <= {
        "theme",
        "theme.errors",
        "theme.live",
    }, loaded


def test_the_live_metronome_without_link_does_not_load_aalink() -> None:
    """The live path, up to its device (one that is not there, so that it ends at once on
    any machine): sounddevice is loaded, aalink is not; with --link it is."""
    code = (
        "import sys, contextlib, io\nfrom theme.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):\n"
        "    main(['metronome', '5/4', '--bars', '1', '--device', '999999'{link}])\n"
        "print('aalink' in sys.modules)"
    )
    for link, loaded in (("", "False"), (", '--link'", "True")):
        out = subprocess.run(
            [sys.executable, "-c", code.format(link=link)],
            capture_output=True,
            text=True,
            env={**os.environ, "JACK_NO_START_SERVER": "1"},
        )
        assert out.stdout.strip() == loaded, out.stderr


SYNC_LIBRARIES = ("rtmidi", "mido.backends", "aalink")


@pytest.mark.parametrize(
    "code",
    [
        "import contextlib, io\nfrom theme.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        "    main(['--help'])",
        "import io, sys\nfrom theme.metronome.terminal import LiveMetronome\n"
        "from theme.live.engine.sinks import ArraySink\nfrom theme.metronome import Metronome\n"
        "LiveMetronome(Metronome('5/4', bars=1), sink=ArraySink(), out=io.StringIO()).run()",
        "import theme\ntheme.play(theme.load('tv-1966').timeline(bars=1), sink=__import__("
        "'theme.live.engine.sinks', fromlist=['ArraySink']).ArraySink())",
    ],
)
def test_the_help_and_the_plain_metronome_load_no_midi_or_link_library(code: str) -> None:
    """MIDI ports (python-rtmidi, mido's backends) and Link (aalink) are loaded only when a
    port is listed or opened."""
    probe = (
        f"{code}\nimport sys\n"
        f"print(' '.join(m for m in sys.modules if m.startswith({SYNC_LIBRARIES!r})))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert out.split() == []
