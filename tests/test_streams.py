"""Every standard stream the command prints to, as a user may hand it over: closed (``>&-``),
ASCII-only (``PYTHONIOENCODING=ascii``), full (``> /dev/full``), a pipe whose reader has gone
(``| head -1``). The command ends with at most one line on stderr, a documented exit code and
no traceback, and the file it was asked to write is written right all the same."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="Linux descriptors")

ENV = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "JACK_NO_START_SERVER": "1"}


def theme(
    *args: str,
    cwd: Path,
    stdout: int = subprocess.PIPE,
    env: dict[str, str] | None = None,
    before: Callable[[], None] | None = None,
) -> subprocess.CompletedProcess[str]:
    """``python -m theme ARGS`` with ``before`` run in the child first (closing a descriptor)."""
    return subprocess.run(
        [sys.executable, "-m", "theme", *args],
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        cwd=cwd,
        env={**ENV, **(env or {})},
        preexec_fn=before,
        timeout=300,
    )


def reference(tmp_path: Path, name: str) -> bytes:
    """The file ``theme export tv-1966 -o NAME`` writes with every stream in order."""
    folder = tmp_path / "reference"
    folder.mkdir(exist_ok=True)
    result = theme("export", "tv-1966", "--bars", "2", "-o", name, cwd=folder)
    assert result.returncode == 0, result.stderr
    return (folder / name).read_bytes()


def same_engraving(written: bytes, expected: bytes) -> bool:
    """The same SVG or page but for the ids verovio makes afresh each time (and the hashes
    of the page's style elements, which hold them)."""

    def without_ids(document: bytes) -> bytes:
        ids = sorted(set(re.findall(rb"""\bid=["']([^"']+)["']""", document)), key=len)
        document = re.sub(rb"'sha256-[^']+'", b"HASH", document)
        return re.sub(b"|".join(re.escape(i) for i in reversed(ids)), b"ID", document)

    return without_ids(written) == without_ids(expected)


def close_stdout() -> None:
    os.close(1)


@pytest.mark.parametrize("args", [["show", "tv-1966"], ["list"], ["--help"], ["--version"]])
def test_a_closed_standard_output_of_a_command_that_prints(tmp_path: Path, args: list[str]) -> None:
    """The product of ``theme show`` is its text: lost, it is an error (was an
    AttributeError traceback)."""
    result = theme(*args, cwd=tmp_path, stdout=subprocess.DEVNULL, before=close_stdout)
    assert result.stderr == "theme: error: cannot write to standard output: it is closed\n"
    assert result.returncode == 1


@pytest.mark.parametrize("name", ["x.mid", "x.svg", "x.html"])
def test_a_closed_standard_output_takes_the_report_of_a_file_nowhere(
    tmp_path: Path, name: str
) -> None:
    """The product of ``theme export`` is its file: the line saying it was written goes
    nowhere when standard output is closed (a service, a cron job), as a live command's."""
    expected = reference(tmp_path, name)
    result = theme(
        "export", "tv-1966", "--bars", "2", "-o", name, cwd=tmp_path, before=close_stdout
    )
    assert (result.returncode, result.stderr) == (0, "")
    written = (tmp_path / name).read_bytes()
    if name.endswith(".mid"):
        assert written == expected
    else:
        assert same_engraving(written, expected)


def test_every_standard_descriptor_closed(tmp_path: Path) -> None:
    """No file the command opens takes descriptor 0, 1 or 2 (where a library that writes its
    log to descriptor 2 would write into the file)."""
    expected = reference(tmp_path, "x.svg")

    def close_all() -> None:
        for fd in (0, 1, 2):
            os.close(fd)

    result = subprocess.run(
        [sys.executable, "-m", "theme", "export", "tv-1966", "--bars", "2", "-o", "x.svg"],
        cwd=tmp_path,
        env=ENV,
        preexec_fn=close_all,
        timeout=300,
    )
    assert result.returncode == 0
    written = (tmp_path / "x.svg").read_bytes()
    assert same_engraving(written, expected)


def test_an_ascii_standard_output_shows_the_name_escaped(tmp_path: Path) -> None:
    expected = reference(tmp_path, "x.mid")
    result = theme(
        "export", "tv-1966", "--bars", "2", "-o", "é.mid", cwd=tmp_path,
        env={"PYTHONIOENCODING": "ascii"},
    )  # fmt: skip
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.startswith("wrote \\xe9.mid (2 bars, ")
    assert (tmp_path / "é.mid").read_bytes() == expected


def test_an_ascii_standard_output_of_a_name_that_is_not_utf8(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "theme", "export", "tv-1966", "--bars", "1", "-o", b"\xff.mid"],
        capture_output=True,
        cwd=tmp_path,
        env={**ENV, "PYTHONIOENCODING": "utf-8"},
        timeout=300,
    )
    assert (result.returncode, result.stderr) == (0, b"")
    assert result.stdout.startswith(b"wrote \\udcff.mid (1 bar, ")
    assert (tmp_path / os.fsdecode(b"\xff.mid")).stat().st_size > 0


def test_an_ascii_standard_error_names_the_file_escaped(tmp_path: Path) -> None:
    result = theme(
        "export", "tv-1966", "-o", "ça/é.mid", cwd=tmp_path, env={"PYTHONIOENCODING": "ascii"}
    )
    assert result.returncode == 1
    assert result.stderr == (
        "theme: error: cannot write '\\xe7a/\\xe9.mid': the folder '\\xe7a' does not exist\n"
    )


def test_a_full_standard_output_still_writes_the_file(tmp_path: Path) -> None:
    expected = reference(tmp_path, "x.mid")
    with open("/dev/full", "w") as full:
        result = theme(
            "export", "tv-1966", "--bars", "2", "-o", "x.mid", cwd=tmp_path, stdout=full.fileno()
        )
    assert (
        result.stderr == "theme: error: cannot write to standard output: No space left on device\n"
    )
    assert result.returncode == 1
    assert (tmp_path / "x.mid").read_bytes() == expected


@pytest.mark.parametrize(
    "args", [["show", "tv-1966"], ["export", "tv-1966", "--bars", "2", "-o", "x.mid"]]
)
def test_a_pipe_whose_reader_has_gone(tmp_path: Path, args: list[str]) -> None:
    """``theme show | head -1``: the reader has what it wanted; no message, exit 1."""
    read, write = os.pipe()
    os.close(read)  # the reader is gone before the first write: a broken pipe for certain
    try:
        result = theme(*args, cwd=tmp_path, stdout=write)
    finally:
        os.close(write)
    assert (result.returncode, result.stderr) == (1, "")
    if "-o" in args:
        assert (tmp_path / "x.mid").read_bytes() == reference(tmp_path, "x.mid")


def test_head_reads_the_first_line(tmp_path: Path) -> None:
    shown = subprocess.run(
        f"{sys.executable} -m theme show tv-1966 | head -1",
        shell=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=ENV,
        timeout=300,
    )
    assert shown.stdout == "tv-1966: Mission: Impossible, the TV theme (1966): the rhythm\n"
    assert "Traceback" not in shown.stderr and shown.stderr.count("\n") <= 1


@pytest.mark.parametrize("name", ["ü.wav", "ü.flac", "ü.mid", "ü.html"])
def test_a_file_name_the_locale_cannot_spell(tmp_path: Path, name: str) -> None:
    """Under an ASCII locale a name typed in UTF-8 reaches Python as escapes (surrogates):
    its temporary file beside it and the audio library's open must spell it as bytes (was a
    UnicodeEncodeError traceback)."""
    ascii_locale = {"LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"}
    result = subprocess.run(
        [sys.executable, "-m", "theme", "export", "tv-1966", "--bars", "2", "-o", name],
        capture_output=True,
        cwd=tmp_path,
        env={**ENV, **ascii_locale},
        timeout=300,
    )
    assert (result.returncode, result.stderr) == (0, b"")
    assert result.stdout.startswith(b"wrote " + name.encode() + b" (2 bars, ")
    assert [p.name for p in tmp_path.iterdir()] == [name]
    expected = reference(tmp_path, "x" + name[1:])
    if name.endswith((".wav", ".flac", ".mid")):
        assert (tmp_path / name).read_bytes() == expected
