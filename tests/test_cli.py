"""The command line: good input, and bad input that leaves no file. Run in the test's own
process by ``run_theme`` (as click's CliRunner runs a command); the first test shows that
a process of its own prints, writes and exits the same."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import mido
import pytest

from tests.conftest import run_theme, run_theme_process

VENV_BIN = Path(sys.executable).parent


def one_error_line(result: subprocess.CompletedProcess[str], code: int, text: str) -> None:
    assert result.returncode == code, result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("theme: error: ") and text in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["--version"],
        ["--help"],
        ["list"],
        ["show", "tv-1966", "--bars", "2"],
        ["export", "tv-1966", "--bars", "2", "-o", "out.mid"],
        ["export", "tv-1966"],
        ["show", "tv-1966", "--tempo", "abc"],
        ["frobnicate"],
    ],
    ids=" ".join,
)
def test_in_this_process_a_command_prints_writes_and_exits_as_in_its_own(
    tmp_path: Path, args: list[str]
) -> None:
    here, own = tmp_path / "here", tmp_path / "own"
    here.mkdir()
    own.mkdir()
    in_process, in_own = run_theme(*args, cwd=here), run_theme_process(*args, cwd=own)
    assert (in_process.returncode, in_process.stdout, in_process.stderr) == (
        in_own.returncode,
        in_own.stdout,
        in_own.stderr,
    )
    written = {p.name: p.read_bytes() for p in here.iterdir()}
    assert written == {p.name: p.read_bytes() for p in own.iterdir()}
    assert bool(written) == ("-o" in args)


def test_help_and_version() -> None:
    result = run_theme("--help")
    assert result.returncode == 0
    assert "a BPM counts quarter notes" in result.stdout
    for command in (
        "list",
        "show",
        "export",
        "remeter",
        "play",
        "devices",
        "metronome",
        "demo",
        "dance",
        "picture",
    ):
        assert command in result.stdout
    assert run_theme("--version").stdout.strip() == "theme 0.1.0"


def test_console_script() -> None:
    script = VENV_BIN / "theme"
    if not script.exists():
        pytest.skip(f"no console script at {script}")
    result = subprocess.run([str(script), "list"], capture_output=True, text=True, check=True)
    assert result.stdout.startswith("the theme and its remixes:\n  tv-1966")


def test_list_and_show() -> None:
    listing = run_theme("list").stdout.splitlines()
    assert listing[0] == "the theme and its remixes:"
    assert listing[1].split()[:3] == ["tv-1966", "5/4", "(3+2)"]
    shown = run_theme("show", "tv-1966", "-p", "intro_bars=1").stdout
    assert "  bass    X . . x . . x . x ." in shown
    assert "[hypothesis] Melody rhythm" in shown
    diff = run_theme("show", "tv-1966", "--strategy", "drop", "--diff").stdout
    assert "bar 1 beat 5         ->                      dropped" in diff


def test_export_remeter_round_trip(tmp_path: Path) -> None:
    mid = tmp_path / "tv.mid"
    result = run_theme(
        "export",
        "tv-1966",
        "-o",
        str(mid),
        "--tempo",
        "q=150",
        "-p",
        "intro_bars=2",
        "--pitches",
        "bass=C2,G2",
    )
    assert result.returncode == 0 and result.stdout.startswith(f"wrote {mid}")
    midi = mido.MidiFile(mid)
    assert [m.tempo for m in midi.tracks[0] if m.type == "set_tempo"] == [400000]
    bass = [m.note for m in midi.tracks[1] if m.type == "note_on"][:4]
    assert bass == [36, 43, 36, 43]
    out = tmp_path / "tv-44.mid"
    result = run_theme("remeter", str(mid), "-o", str(out), "--to", "4/4", "--strategy", "squeeze")
    assert result.returncode == 0, result.stderr
    assert {
        (m.numerator, m.denominator)
        for m in mido.MidiFile(out).tracks[0]
        if m.type == "time_signature"
    } == {(4, 4)}


def test_export_musicxml(tmp_path: Path) -> None:
    out = tmp_path / "tv.musicxml"
    assert run_theme("export", "tv-1966", "--bars", "3", "-o", str(out)).returncode == 0
    assert "<score-partwise" in out.read_text()


@pytest.mark.parametrize(
    ("args", "code", "text"),
    [
        (["export", "tv-1967", "-o", "{out}"], 2, "unknown variant 'tv-1967'"),
        (["export", "tv-1966", "--tempo", "fast", "-o", "{out}"], 2, "invalid tempo 'fast'"),
        (["export", "tv-1966", "-o", "{dir}/x.doc"], 2, "unknown output format"),
        (["export", "tv-1966", "-o", "{dir}/missing/x.mid"], 1, "does not exist"),
        (
            ["export", "tv-1966", "-p", "intro_bars=x", "-o", "{out}"],
            2,
            "invalid value 'x' for parameter 'intro_bars'",
        ),
        (["export", "tv-1966", "--strategy", "fold", "-o", "{out}"], 2, "unknown strategy 'fold'"),
        (["export", "tv-1966", "--pitches", "bass=Z9", "-o", "{out}"], 2, "invalid pitch 'Z9'"),
        (
            ["remeter", "tv-1966", "--to", "5/3", "--strategy", "drop", "-o", "{out}"],
            2,
            "invalid meter '5/3'",
        ),
        (
            ["remeter", "tv-1966", "--to", "3/4", "--strategy", "drop", "-o", "{out}"],
            2,
            "makes 4/4, not 3/4",
        ),
        (
            ["remeter", "{dir}/corrupt.mid", "--strategy", "drop", "-o", "{out}"],
            1,
            "cannot read MIDI file",
        ),
        (["remeter", "{dir}/none.mid", "--strategy", "drop", "-o", "{out}"], 1, "no such file"),
        (
            ["remeter", "remix-1996", "--strategy", "drop", "-o", "{out}"],
            2,
            "needs every bar in 5/4",
        ),
        (["remeter", "tv-1966", "--strategy", "clave", "-o", "{out}"], 2, "needs music in 4/4"),
        (["metronome", "5/0", "--bars", "1", "-o", "{dir}/x.wav"], 2, "invalid meter '5/0'"),
        (["metronome", "-5/4", "--bars", "1", "-o", "{dir}/x.wav"], 2, "invalid meter '-5/4'"),
        (
            ["export", "tv-1966", "--repeat", "100000", "-o", "{out}"],
            2,
            "invalid repeat 100000: expected 1 to 833 (the form has 12 bars; at most 10000 in all)",
        ),
        (
            ["metronome", "5/4", "--bars", "20000", "-o", "{dir}/x.mid"],
            2,
            "invalid bars 20000 for a MIDI file or a page: expected 1 to 10000",
        ),
        (["play", "tv-1966", "--display-delay", "nan"], 2, "invalid display delay nan ms"),
        (["dance", "--steps", "0", "-o", "{dir}/d.wav"], 2, "invalid steps 0: expected 1 to 16"),
        (["metronome", "5/4", "--bpm", "-160", "-o", "{dir}/x.wav"], 2, "invalid tempo '-160'"),
        (["export", "tv-1966", "--tempo", "-.5", "-o", "{out}"], 2, "invalid tempo '-.5'"),
        (["metronome", "5/4", "-o", "{dir}/x.wav"], 2, "-o needs --bars N"),
        (
            ["metronome", "5/4", "--ramp", "fast", "--bars", "1", "-o", "{dir}/x.wav"],
            2,
            "invalid ramp 'fast'",
        ),
        (
            ["export", "tv-1966", "--rate", "22050", "-o", "{dir}/x.wav"],
            2,
            "invalid sample rate 22050",
        ),
        (["demo", "--step", "9"], 2, "invalid step 9"),
    ],
)
def test_bad_input_one_line_no_file(tmp_path: Path, args: list[str], code: int, text: str) -> None:
    (tmp_path / "corrupt.mid").write_bytes(b"MThd\x00\x00garbage")
    before = sorted(p.name for p in tmp_path.iterdir())
    filled = [a.format(out=tmp_path / "out.mid", dir=tmp_path) for a in args]
    one_error_line(run_theme(*filled, cwd=tmp_path), code, text)
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    result = run_theme("export", "tv-1966")
    assert result.returncode == 2
    assert "the following arguments are required: -o/--output" in result.stderr
    assert run_theme("frobnicate").returncode == 2


def test_an_existing_file_survives_a_failure(tmp_path: Path) -> None:
    out = tmp_path / "keep.mid"
    out.write_bytes(b"my work")
    one_error_line(
        run_theme("export", "tv-1966", "--tempo", "q=0", "-o", str(out)), 2, "invalid tempo"
    )
    assert out.read_bytes() == b"my work"


def test_no_sound_card_is_one_line_and_exit_3() -> None:
    if os.path.exists("/dev/snd") and os.listdir("/dev/snd"):
        pytest.skip("this machine has a sound card")
    result = run_theme("play", "tv-1966", "--bars", "1")
    one_error_line(result, 3, "-o FILE.wav")


HUGE = "9" * 5000


@pytest.mark.parametrize(
    ("args", "text"),
    [
        (["show", "tv-1966", "--pitches", ""], "invalid pitches ''"),
        (["show", "tv-1966", "--strategy", ""], "unknown strategy ''"),
        (["export", "tv-1966", "--pitches", "", "-o", "{out}"], "invalid pitches ''"),
        (["export", "tv-1966", "--strategy", "", "-o", "{out}"], "unknown strategy ''"),
        (["show", "tv-1966", "--tempo", "abc"], "invalid tempo 'abc'"),
        (["show", "tv-1966", "--strategy", "clave"], "needs music in 4/4"),
        (["show", "tv-1966", "--strategy", "clave", "--diff"], "needs music in 4/4"),
        (["show", "tv-1966", "--pitches", "bass=Z9"], "invalid pitch 'Z9'"),
        (["show", "tv-1966", "--pitches", f"bass={HUGE}"], "invalid pitch '999"),
        (["show", "tv-1966", "-p", f"intro_bars={HUGE}"], "invalid parameter 'intro_bars=999"),
        (["show", "tv-1966", "-p", f"melody_bars=1{'0' * 150}"], "invalid value '1000"),
        (
            ["remeter", "tv-1966", "--to", f"{HUGE}/4", "--strategy", "drop", "-o", "{out}"],
            "invalid meter '999",
        ),
        (["picture", "necklace", "--box", "x.x.x..", "-o", "{dir}/n.svg"], "for 5/4: 7 cells"),
        (["picture", "necklace", "--box", "x" * 5000, "-o", "{dir}/n.svg"], "at most 4096"),
    ],
)
def test_bad_values_print_one_line_and_nothing_else(
    tmp_path: Path, args: list[str], text: str
) -> None:
    filled = [a.format(out=tmp_path / "out.mid", dir=tmp_path) for a in args]
    result = run_theme(*filled, cwd=tmp_path)
    one_error_line(result, 2, text)
    assert result.stdout == ""  # the page is printed only when all of it is built
    assert len(result.stderr) < 400
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "args",
    [
        ["show", "tv-1966", "--bars", HUGE],
        ["show", "tv-1966", "--repeat", HUGE],
        ["show", "tv-1966", "--strategy", "squeeze", "--diff", "--diff-bars", HUGE],
        ["export", "tv-1966", "--count-in", HUGE, "-o", "x.mid"],
        ["export", "tv-1966", "--rate", HUGE, "-o", "x.wav"],
    ],
)
def test_numbers_too_long_for_int_are_one_short_line(tmp_path: Path, args: list[str]) -> None:
    result = run_theme(*args, cwd=tmp_path)
    assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
    assert "of at most 12 digits" in result.stderr and len(result.stderr) < 300
    assert list(tmp_path.iterdir()) == []


def test_show_with_a_good_strategy_still_prints_the_page() -> None:
    result = run_theme("show", "tv-1966", "--strategy", "squeeze", "--bars", "2")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("tv-1966: Mission: Impossible")
    assert "remetered with squeeze:" in result.stdout and "what we know:" in result.stdout


def test_diff_of_no_bars_is_an_error() -> None:
    result = run_theme("show", "tv-1966", "--strategy", "squeeze", "--diff", "--diff-bars", "0")
    one_error_line(result, 2, "invalid bars to compare 0: expected 1 or more")
    assert result.stdout == ""
