"""The user's config file (``$XDG_CONFIG_HOME/theme/config.toml``) as ``theme tap`` reads
and writes it, whatever is there: a value of the wrong kind, a FIFO, a device, a folder that
takes no files. Each is one line naming the file, the key, the value and what is allowed,
before anything plays; and the one check for files that are not regular files
(:func:`theme.input_files.read_regular`), which the variant reader shares."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest

from theme.errors import InputFileError, OutputFileError
from theme.input_files import read_regular
from theme.practice import config

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="FIFOs and /proc")


def tap(*args: str, config_home: Path | str) -> subprocess.CompletedProcess[str]:
    """``theme tap ARGS`` with its config under ``config_home``, and no sound server: a
    refusal must come before the sound card is looked for (that would be exit 3). A hang
    (a FIFO waited on) fails the test after a minute."""
    return subprocess.run(
        [sys.executable, "-m", "theme", "tap", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "XDG_CONFIG_HOME": str(config_home), "JACK_NO_START_SERVER": "1"},
        timeout=60,
    )


def one_line(result: subprocess.CompletedProcess[str], code: int, *texts: str) -> None:
    assert result.returncode == code, result.stderr
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("theme: error: ")
    assert "Traceback" not in result.stderr
    for text in texts:
        assert text in result.stderr, result.stderr


def config_file(home: Path, text: str) -> Path:
    path = home / "theme" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("calibration = 5\n", "5"),
        ('calibration = "38 ms"\n', "'38 ms'"),
        ("calibration = [1, 2]\n", "[1, 2]"),
        ("calibration = true\n", "True"),
    ],
)
@pytest.mark.parametrize("calibrate", [False, True], ids=["tap", "calibrate"])
def test_a_calibration_that_is_not_a_table(
    tmp_path: Path, text: str, value: str, calibrate: bool
) -> None:
    path = config_file(tmp_path, text)
    result = tap(*(["--calibrate"] if calibrate else ["5/4"]), config_home=tmp_path)
    one_line(
        result,
        1,
        f"invalid calibration {value} in '{path}': expected a table of keys and midi in "
        "milliseconds, -500 to 500, such as [calibration] keys = 38.5",
    )
    assert path.read_text() == text  # never rewritten


def test_a_calibration_of_the_wrong_kind_names_the_key(tmp_path: Path) -> None:
    path = config_file(tmp_path, "[calibration]\nmidi = 'x' \nkeys = '" + "9" * 5000 + "'\n")
    one_line(
        tap("5/4", config_home=tmp_path),
        1,
        f"invalid calibration.keys '{'9' * 39}... in '{path}': expected milliseconds, -500 to 500",
    )


def test_a_fifo_as_the_config_file_is_refused_without_waiting(tmp_path: Path) -> None:
    path = tmp_path / "theme" / "config.toml"
    path.parent.mkdir()
    os.mkfifo(path)
    for args in (["5/4"], ["--calibrate"]):
        one_line(
            tap(*args, config_home=tmp_path),
            1,
            f"cannot read config file '{path}': not a regular file (a device, FIFO or socket)",
        )


def test_a_device_as_the_config_file(tmp_path: Path) -> None:
    (tmp_path / "theme").mkdir()
    (tmp_path / "theme" / "config.toml").symlink_to("/dev/zero")
    one_line(tap("5/4", config_home=tmp_path), 1, "not a regular file")


def test_a_config_folder_that_takes_no_files_is_said_before_the_calibration() -> None:
    one_line(
        tap("--calibrate", config_home="/proc"),
        1,
        "cannot write '/proc/theme/config.toml': cannot make its folder '/proc/theme'",
    )


def test_save_keeps_a_bad_file_as_it_is(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    path = config_file(tmp_path, "calibration = 5\n")
    with pytest.raises(InputFileError, match="invalid calibration 5 in"):
        config.save_calibration("keys", Fraction(1, 100))
    with pytest.raises(InputFileError, match="invalid calibration 5 in"):
        config.check_writable()
    assert path.read_text() == "calibration = 5\n"


def test_check_writable_makes_the_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "new"))
    assert config.check_writable() == tmp_path / "new" / "theme" / "config.toml"
    assert [p.name for p in (tmp_path / "new" / "theme").iterdir()] == []


def test_tap_checks_its_picture_before_anything_plays() -> None:
    """``theme tap -o /proc/x.svg`` played the whole run before failing to write; now the
    picture's folder is tried first (exit 1 here, where the sound card would be exit 3)."""
    one_line(
        tap("5/4", "-o", "/proc/x.svg", config_home="/nonexistent"),
        1,
        "cannot write '/proc/x.svg': the folder '/proc' takes no new files",
    )


# -- the one check for a file that is not a regular file -------------------------------


def test_read_regular_refuses_what_is_not_a_regular_file(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(tmp_path / "sock"))
        for path, reason in (
            (fifo, "not a regular file (a device, FIFO or socket)"),
            ("/dev/zero", "not a regular file (a device, FIFO or socket)"),
            (tmp_path / "sock", "No such device or address"),
            (tmp_path, "it is a folder"),
            (tmp_path / "none", "no such file"),
        ):
            with pytest.raises(
                InputFileError, match=r"cannot read thing '.*': " + re.escape(reason)
            ):
                read_regular(path, "thing", 10)
    assert read_regular(tmp_path / "none", "thing", 10, missing_ok=True) is None


def test_read_regular_reads_at_most_its_bound(tmp_path: Path) -> None:
    path = tmp_path / "x"
    path.write_bytes(b"0123456789")
    assert read_regular(path, "thing", 10) == b"0123456789"
    with pytest.raises(InputFileError, match="longer than 9 bytes"):
        read_regular(path, "thing", 9)
    with pytest.raises(InputFileError, match="longer than a lot"):
        read_regular(path, "thing", 9, limit="a lot")


def test_a_fifo_as_a_variant_file_is_refused_by_the_same_check(tmp_path: Path) -> None:
    import theme

    fifo = tmp_path / "v.toml"
    os.mkfifo(fifo)
    with pytest.raises(InputFileError, match="not a regular file"):
        theme.load(str(fifo))


def test_an_output_folder_that_takes_no_files_is_found_before_the_work(tmp_path: Path) -> None:
    from theme.output import output_file

    with pytest.raises(OutputFileError, match="the folder '/proc' takes no new files"):
        output_file("/proc/x.wav", ["wav"])
    output_file(tmp_path / "x.wav", ["wav"])
    assert list(tmp_path.iterdir()) == []  # the file tried is gone
