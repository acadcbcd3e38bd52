"""Fault injection for every writer: a full disk, the file-size limit, a standard output that
cannot be written, signals. Whatever happens the command ends with one line on stderr and a
documented exit code, the file that was there is intact and no temporary file is left."""

from __future__ import annotations

import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import finished, run_theme, theme_process

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="Linux limits and signals")

OLD = b"the file that was there\n"
LIMIT = 16 * 1024
"""Bytes: the file-size limit, and about the free space left on the small tmpfs."""

WRITERS = [
    pytest.param(["export", "tv-1966", "--bars", "2", "-o", "{out}"], "x.wav", id="wav"),
    pytest.param(["export", "tv-1966", "--bars", "4", "-o", "{out}"], "x.flac", id="flac"),
    pytest.param(["export", "tv-1966", "--bars", "6", "-o", "{out}"], "x.ogg", id="ogg"),
    pytest.param(["export", "tv-1966", "--repeat", "20", "-o", "{out}"], "x.mid", id="mid"),
    pytest.param(["export", "tv-1966", "-o", "{out}"], "x.musicxml", id="musicxml"),
    pytest.param(["export", "tv-1966", "--bars", "4", "-o", "{out}"], "x.svg", id="svg"),
    pytest.param(["export", "tv-1966", "--bars", "4", "-o", "{out}"], "x.html", id="html"),
    pytest.param(["picture", "necklace", "-o", "{out}"], "x.png", id="png"),
    pytest.param(["metronome", "7/8", "--bars", "16", "-o", "{out}"], "x.flac", id="metronome"),
]


def theme(
    *args: str,
    cwd: Path,
    fsize: int | None = None,
    stdout: int | None = subprocess.PIPE,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """``theme ARGS``: in a process of its own (``python -m theme``) under a file-size limit
    (``ulimit -f``) or with standard output given, else in the test's process
    (:func:`run_theme`: the same parser, work, printed lines and exit code)."""
    if fsize is None and stdout == subprocess.PIPE:
        return run_theme(*args, cwd=cwd, env={"JACK_NO_START_SERVER": "1", **(env or {})})

    def limit() -> None:
        if fsize is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))

    environment = {
        **os.environ,
        "JACK_NO_START_SERVER": "1",
        "PYTHONDONTWRITEBYTECODE": "1",  # no .pyc write may meet the limit before the CLI
        **(env or {}),
    }
    return subprocess.run(
        [sys.executable, "-m", "theme", *args],
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        cwd=cwd,
        env=environment,
        preexec_fn=limit,
        timeout=300,
    )


def hidden(folder: Path) -> list[str]:
    """Temporary files (``.name.XXXX``) left in ``folder``."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def assert_one_line_failure(result: subprocess.CompletedProcess[str], code: int = 1) -> None:
    assert result.returncode == code, result.stderr
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("theme: "), result.stderr
    assert "Traceback" not in result.stderr


def needs_converter(args: list[str]) -> None:
    if "picture" in args and not (shutil.which("rsvg-convert") or shutil.which("convert")):
        pytest.skip("no SVG converter (apt-get install librsvg2-bin)")


@pytest.mark.parametrize(("args", "name"), WRITERS)
def test_file_size_limit(tmp_path: Path, args: list[str], name: str) -> None:
    needs_converter(args)
    out = tmp_path / name
    out.write_bytes(OLD)
    result = theme(*[a.format(out=name) for a in args], cwd=tmp_path, fsize=LIMIT)
    assert_one_line_failure(result)
    assert f"cannot write '{name}'" in result.stderr or f"cannot make '{name}'" in result.stderr
    assert out.read_bytes() == OLD
    assert hidden(tmp_path) == []


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A tmpfs with about :data:`LIMIT` bytes free (skipped where mounting is not allowed)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=128k", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip() or done.returncode}")
    try:
        free = os.statvfs(mount).f_bavail * os.statvfs(mount).f_frsize
        (mount / "filler").write_bytes(b"\0" * (free - LIMIT))
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


@pytest.mark.parametrize(("args", "name"), WRITERS)
def test_disk_full(small_disk: Path, args: list[str], name: str) -> None:
    needs_converter(args)
    out = small_disk / name
    out.write_bytes(OLD)
    result = theme(*[a.format(out=name) for a in args], cwd=small_disk)
    assert_one_line_failure(result)
    assert name in result.stderr
    assert out.read_bytes() == OLD
    assert hidden(small_disk) == []


def test_disk_full_names_the_cause(small_disk: Path) -> None:
    result = theme("export", "tv-1966", "-o", "x.wav", cwd=small_disk)
    assert result.stderr == "theme: error: cannot write 'x.wav': no space left on the device\n"


def test_file_size_limit_names_the_cause(tmp_path: Path) -> None:
    result = theme("export", "tv-1966", "--repeat", "5", "-o", "full.wav", cwd=tmp_path, fsize=4096)
    assert result.stderr == (
        "theme: error: cannot write 'full.wav': the file is larger than the file-size limit "
        "(ulimit -f)\n"
    )


def test_a_tour_folder_under_the_file_size_limit(tmp_path: Path) -> None:
    tour = tmp_path / "tour"
    tour.mkdir()
    (tour / "index.html").write_bytes(OLD)
    result = theme("demo", "--out", "tour", cwd=tmp_path, fsize=LIMIT)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "cannot write" in result.stderr
    assert (tour / "index.html").read_bytes() == OLD
    assert hidden(tmp_path) == [] and hidden(tour) == []


@pytest.mark.parametrize("args", [["show", "tv-1966"], ["list"], ["--help"]], ids=" ".join)
def test_standard_output_on_a_full_device(tmp_path: Path, args: list[str]) -> None:
    with open("/dev/full", "w") as full:
        result = theme(*args, cwd=tmp_path, stdout=full.fileno())
    assert result.stderr == (
        "theme: error: cannot write to standard output: No space left on device\n"
    )
    assert result.returncode == 1


@pytest.mark.parametrize(("args", "name"), WRITERS[:3] + WRITERS[-1:])
def test_minutes_of_audio_in_every_format(tmp_path: Path, args: list[str], name: str) -> None:
    """A single write of a minute of Ogg Vorbis crashed libvorbis; now every format and every
    writer (file, page, metronome) writes in slices."""
    import soundfile

    if args[0] == "metronome":
        args = ["metronome", "5/4", "--bpm", "400", "--bars", "240", "-o", "{out}"]  # 3 min
    else:
        args = ["export", "tv-1966", "--repeat", "8", "--rate", "44100", "-o", "{out}"]  # 3 min
    result = theme(*[a.format(out=name) for a in args], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    info = soundfile.info(str(tmp_path / name))
    assert info.duration > 170


def test_a_page_with_minutes_of_music(tmp_path: Path) -> None:
    result = theme("export", "tv-1966", "--repeat", "3", "-o", "x.html", cwd=tmp_path)
    assert result.returncode == 0, result.stderr  # was killed by SIGSEGV (exit 139)
    html = (tmp_path / "x.html").read_text()  # the page plays it: events, not a recording
    assert "id='theme-sounds'" in html and "<audio" not in html


# --- names and what is there -------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        ["export", "tv-1966"],
        ["remeter", "tv-1966", "--strategy", "drop"],
        ["metronome", "5/4", "--bars", "2"],
        ["dance"],
        ["picture", "necklace"],
    ],
    ids=lambda c: c[0],
)
def test_an_unknown_extension_is_a_bad_value(tmp_path: Path, command: list[str]) -> None:
    result = theme(*command, "-o", "x.mp3", cwd=tmp_path)
    assert_one_line_failure(result, code=2)
    assert "unknown output format 'x.mp3'" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_trailing_slash_names_a_folder(tmp_path: Path) -> None:
    result = theme("export", "tv-1966", "--bars", "1", "-o", "x.mid/", cwd=tmp_path)
    assert_one_line_failure(result, code=2)
    assert "'x.mid/': a name ending in '/' is a folder" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_name_over_the_limit(tmp_path: Path) -> None:
    name = "a" * 300 + ".mid"
    result = theme("export", "tv-1966", "--bars", "1", "-o", name, cwd=tmp_path)
    assert_one_line_failure(result)
    assert "the name is 304 bytes; the file system allows 255" in result.stderr
    assert len(result.stderr) < 240  # the name is shown by its start and its end
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("suffix", [".mid", ".wav"])
def test_a_legal_name_of_255_bytes(tmp_path: Path, suffix: str) -> None:
    name = "é" * ((255 - len(suffix)) // 2) + "x" * ((255 - len(suffix)) % 2) + suffix
    assert len(os.fsencode(name)) == 255
    result = theme("export", "tv-1966", "--bars", "1", "-o", name, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert [p.name for p in tmp_path.iterdir()] == [name]


def test_a_symlink_is_written_through_and_keeps_the_mode(tmp_path: Path) -> None:
    real = tmp_path / "real" / "song.mid"
    real.parent.mkdir()
    real.write_bytes(OLD)
    real.chmod(0o640)
    (tmp_path / "link.mid").symlink_to(real)
    result = theme("export", "tv-1966", "--bars", "1", "-o", "link.mid", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "link.mid").is_symlink()
    assert real.read_bytes()[:4] == b"MThd"
    assert real.stat().st_mode & 0o777 == 0o640
    assert hidden(tmp_path) == [] and hidden(real.parent) == []


def test_a_dangling_symlink_makes_its_target(tmp_path: Path) -> None:
    (tmp_path / "link.mid").symlink_to("new.mid")
    result = theme("export", "tv-1966", "--bars", "1", "-o", "link.mid", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "new.mid").read_bytes()[:4] == b"MThd"


def test_a_new_file_gets_the_umask_mode(tmp_path: Path) -> None:
    result = theme("export", "tv-1966", "--bars", "1", "-o", "x.mid", cwd=tmp_path)
    assert result.returncode == 0
    mask = os.umask(0)
    os.umask(mask)
    assert (tmp_path / "x.mid").stat().st_mode & 0o777 == 0o666 & ~mask


def test_a_file_with_hard_links_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a.mid").write_bytes(OLD)
    os.link(tmp_path / "a.mid", tmp_path / "b.mid")
    result = theme("export", "tv-1966", "--bars", "1", "-o", "b.mid", cwd=tmp_path)
    assert_one_line_failure(result)
    assert "'b.mid': it has 2 hard links" in result.stderr
    assert (tmp_path / "a.mid").read_bytes() == OLD and (tmp_path / "b.mid").read_bytes() == OLD


def test_a_symlink_loop(tmp_path: Path) -> None:
    (tmp_path / "a.mid").symlink_to("b.mid")
    (tmp_path / "b.mid").symlink_to("a.mid")
    result = theme("export", "tv-1966", "--bars", "1", "-o", "a.mid", cwd=tmp_path)
    assert_one_line_failure(result)
    assert "'a.mid': it is a symlink loop" in result.stderr


def test_a_pipe_is_not_replaced(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "x.mid")
    result = theme("export", "tv-1966", "--bars", "1", "-o", "x.mid", cwd=tmp_path)
    assert_one_line_failure(result)
    assert "not a regular file" in result.stderr


# --- pictures ------------------------------------------------------------------------------


def fake_converter(folder: Path, body: str) -> dict[str, str]:
    """An ``rsvg-convert`` on PATH that runs ``body`` (sh), and the environment to use it."""
    folder.mkdir()
    program = folder / "rsvg-convert"
    program.write_text(f"#!/bin/sh\n{body}\n")
    program.chmod(0o755)
    return {"PATH": str(folder)}


def test_a_png_leaves_the_svg_beside_it_alone(tmp_path: Path) -> None:
    needs_converter(["picture"])
    (tmp_path / "pic.svg").write_bytes(OLD)
    result = theme("picture", "necklace", "-o", "pic.png", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "pic.svg").read_bytes() == OLD
    assert (tmp_path / "pic.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pic.png", "pic.svg"]


def test_no_converter_touches_nothing(tmp_path: Path) -> None:
    (tmp_path / "pic.svg").write_bytes(OLD)
    empty = tmp_path / "bin"
    empty.mkdir()
    result = theme("picture", "necklace", "-o", "pic.png", cwd=tmp_path, env={"PATH": str(empty)})
    assert_one_line_failure(result)
    assert "no SVG converter" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bin", "pic.svg"]
    assert (tmp_path / "pic.svg").read_bytes() == OLD


@pytest.mark.parametrize(
    "body", ["exit 0", '/bin/rm -f "$4"', 'echo "<svg/>" > "$4"'], ids=["nothing", "removed", "svg"]
)
def test_a_converter_that_writes_no_png(tmp_path: Path, body: str) -> None:
    env = fake_converter(tmp_path / "bin", body)
    (tmp_path / "pic.png").write_bytes(OLD)
    result = theme("picture", "necklace", "-o", "pic.png", cwd=tmp_path, env=env)
    assert_one_line_failure(result)
    assert result.stderr == "theme: error: cannot make 'pic.png': rsvg-convert wrote no PNG\n"
    assert (tmp_path / "pic.png").read_bytes() == OLD and hidden(tmp_path) == []


def test_a_converter_that_fails_is_named(tmp_path: Path) -> None:
    env = fake_converter(tmp_path / "bin", "echo 'out of cheese' >&2; exit 3")
    result = theme("picture", "contrast", "-o", "pic.png", cwd=tmp_path, env=env)
    assert result.stderr == (
        "theme: error: cannot make 'pic.png': rsvg-convert failed (exit code 3): out of cheese\n"
    )


def test_a_converter_that_hangs_is_stopped(tmp_path: Path) -> None:
    env = fake_converter(tmp_path / "bin", "exec /bin/sleep 30")
    env["THEME_CONVERT_TIMEOUT"] = "0.5"
    started = time.monotonic()
    result = theme("picture", "necklace", "-o", "pic.png", cwd=tmp_path, env=env)
    assert time.monotonic() - started < 20
    assert result.stderr == (
        "theme: error: cannot make 'pic.png': rsvg-convert did not finish in 0.5 s "
        "(THEME_CONVERT_TIMEOUT=SECONDS waits longer)\n"
    )
    assert result.returncode == 1 and sorted(p.name for p in tmp_path.iterdir()) == ["bin"]


LONG = ["--repeat", "100", "--tempo", "40"]
"""An export of 1200 bars, 2.5 hours of audio: writing it takes minutes."""
EXPORT_LONG = [*LONG, "-o", "long.flac"]

# --- signals -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143), (signal.SIGHUP, 129)]
)
def test_a_signal_during_a_long_export(tmp_path: Path, sig: int, code: int) -> None:
    out = tmp_path / "long.flac"
    out.write_bytes(OLD)
    process = theme_process("export", "tv-1966", *EXPORT_LONG, cwd=tmp_path)
    try:
        started = time.monotonic()
        while not hidden(tmp_path) and process.poll() is None and time.monotonic() < started + 120:
            time.sleep(0.05)
        if not hidden(tmp_path):
            waited = time.monotonic() - started
            if process.poll() is None:  # where each of its threads was
                process.send_signal(signal.SIGABRT)
            _, said = process.communicate(timeout=30)
            pytest.fail(
                f"the export never started writing: after {waited:.1f} s it had ended with "
                f"{process.returncode}, saying:\n{said}"
            )
        time.sleep(0.3)  # well inside the writing
        process.send_signal(sig)
        _, err = finished(process)
    finally:
        process.kill()
    assert process.returncode == code, err
    name = signal.Signals(sig).name
    assert err == ("theme: interrupted\n" if code == 130 else f"theme: stopped ({name})\n")
    assert out.read_bytes() == OLD and hidden(tmp_path) == []


@pytest.mark.parametrize("delay", [0.0, 0.01, 0.02, 0.03, 0.04, 0.06, 0.1])
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_right_after_start(tmp_path: Path, delay: float, sig: int) -> None:
    """No traceback from the package however early the signal comes (Python's own start-up,
    before any of the package's code runs, is outside its reach)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "theme", "export", "tv-1966", "-o", "x.mid"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(delay)
    process.send_signal(sig)
    _, err = process.communicate(timeout=60)
    assert not re.search(r'File ".*[/\\]theme[/\\](?!__init__)', err), err
    assert process.returncode in (0, 130, 143, -signal.SIGINT, -signal.SIGTERM, 1), err
    assert hidden(tmp_path) == []


@pytest.mark.parametrize(
    ("sig", "code", "said"), [(15, 143, "stopped (SIGTERM)"), (2, 130, "interrupted")]
)
def test_a_signal_that_lands_where_python_cannot_raise_still_stops_the_program(
    sig: int, code: int, said: str
) -> None:
    """A signal handled inside a weakref callback (as the import system's module locks
    have, so a SIGTERM 30 ms after the start can land there): Python would print the
    exception as "ignored", with a traceback, and go on. It is raised again just after."""
    script = (
        "import os, sys, time, weakref\n"
        "import theme.cli as cli\n"
        "import theme.errors\n"
        "def early(argv=None):\n"
        "    class X: pass\n"
        "    x = X()\n"
        "    def callback(ref):\n"
        f"        os.kill(os.getpid(), {sig})\n"
        "        for _ in range(1000): pass\n"
        "    ref = weakref.ref(x, callback)\n"
        "    del x\n"
        "    time.sleep(5)\n"
        "    return 0\n"
        "cli.main = early\ncli.run()\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert (result.returncode, result.stderr) == (code, f"theme: {said}\n")


@pytest.mark.parametrize("where", ["start-up", "command"])
@pytest.mark.parametrize(
    ("sig", "code", "said"), [(15, 143, "stopped (SIGTERM)"), (2, 130, "interrupted")]
)
def test_a_signal_while_a_class_is_made_stops_the_program_without_a_traceback(
    where: str, sig: int, code: int, said: str
) -> None:
    """A signal that lands while a module being imported makes a class (in a descriptor's
    ``__set_name__``: ``ipaddress``, imported by ``pathlib``, once beside two CPU burners)
    reaches the program wrapped in a RuntimeError: it still ends with one line and 143 or
    130, before the command (the entry point) or in it (the command line's own handler)."""
    script = (
        "import argparse, os, sys\n"
        "import theme.cli as cli\n"
        "def work(args=None):\n"
        "    class Named:\n"
        "        def __set_name__(self, owner, name):\n"
        f"            os.kill(os.getpid(), {sig})\n"
        "            for _ in range(1000): pass\n"
        "    class Owner:\n"
        "        named = Named()\n"
        "    return 0\n"
        "def parser():\n"
        "    made = argparse.ArgumentParser()\n"
        "    made.set_defaults(func=work, command='work')\n"
        "    return made\n"
        + ("cli.main = work\n" if where == "start-up" else "cli.build_parser = parser\n")
        + "cli.run()\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert (result.returncode, result.stderr) == (code, f"theme: {said}\n")


def test_a_signal_while_the_errors_module_is_half_imported() -> None:
    """The handler imports nothing: a SIGTERM that lands while ``theme.errors`` is being
    imported (it is in sys.modules, still without ``Terminated``) ends with exit 143 too."""
    code = (
        "import os, signal, sys, types\n"
        "import theme.cli as cli\n"
        "sys.modules['theme.errors'] = types.ModuleType('theme.errors')  # half imported\n"
        "def early(argv=None):\n    os.kill(os.getpid(), signal.SIGTERM)\n    return 0\n"
        "cli.main = early\ncli.run()\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert (result.returncode, result.stderr) == (143, "theme: stopped (SIGTERM)\n")


def test_the_entry_point_catches_an_early_ctrl_c() -> None:
    """A Ctrl-C before ``main`` has its handler (while the command modules load)."""
    code = (
        "import theme.cli as cli\n"
        "def early(argv=None):\n    raise KeyboardInterrupt\n"
        "cli.main = early\ncli.run()\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert (result.returncode, result.stderr) == (130, "theme: interrupted\n")


@pytest.mark.parametrize(
    ("ending", "code", "stderr"),
    [
        ("return 0", 0, ""),
        ("raise UsageError('invalid x: expected y')", 2, "theme: error: invalid x: expected y\n"),
    ],
)
def test_only_the_error_line_reaches_stderr(
    tmp_path: Path, ending: str, code: int, stderr: str
) -> None:
    """Python warnings (numpy's among them), music21's sys.stderr writes and FluidSynth's
    fd-2 writes around a command: the command's one line is all that is printed."""
    program = (
        "import os, sys, warnings, theme.cli as cli, theme.cli.variants as v\n"
        "from theme.errors import UsageError\n"
        "from theme.renderers.fluid import quiet_stderr\n"
        "def noisy(args):\n"
        "    warnings.warn('deprecated thing', DeprecationWarning)\n"
        "    warnings.warn('overflow in cast', RuntimeWarning)\n"
        "    sys.stderr.write('music21: WARNING: a measure is short\\n')\n"
        "    with quiet_stderr():\n"
        "        os.write(2, b'fluidsynth: warning: no preset\\n')\n"
        f"    {ending}\n"
        "v.run_list = noisy\n"
        "sys.exit(cli.main(['list']))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, cwd=tmp_path
    )
    assert (result.returncode, result.stderr) == (code, stderr)


SOUNDFONT = Path("/usr/share/sounds/sf2/FluidR3_GM.sf2")


def needs_fluidsynth() -> None:
    import importlib.util

    if importlib.util.find_spec("fluidsynth") is None:
        pytest.skip("the optional pyfluidsynth is not installed (uv pip install pyfluidsynth)")


def test_fluidsynth_messages_stay_out_of_the_error(tmp_path: Path) -> None:
    needs_fluidsynth()
    (tmp_path / "bad.sf2").write_text("not a font")
    result = theme("export", "tv-1966", "--soundfont", "bad.sf2", "-o", "x.wav", cwd=tmp_path)
    assert_one_line_failure(result)
    assert result.stderr.startswith("theme: error: cannot read SoundFont 'bad.sf2': not a")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.sf2"]


def test_fluidsynth_renders_minutes_in_slices(tmp_path: Path) -> None:
    """A long rest used to be one block of all its frames."""
    import soundfile

    needs_fluidsynth()
    if not SOUNDFONT.is_file():
        pytest.skip("no General MIDI SoundFont (apt-get install fluid-soundfont-gm)")
    args = ["export", "tv-1966", "--repeat", "4", "--rate", "44100", "-o", "x.ogg"]
    result = theme(*args, "--soundfont", str(SOUNDFONT), cwd=tmp_path)
    assert (result.returncode, result.stderr) == (0, "")
    assert soundfile.info(str(tmp_path / "x.ogg")).duration > 85


@pytest.mark.parametrize(
    "args",
    [
        ["export", "no-such-variant", "-o", "missing/x.wav"],
        ["remeter", "no-such-file.mid", "--strategy", "drop", "-o", "missing/x.mid"],
        ["metronome", "5/4", "--bars", "0", "-o", "missing/x.wav"],
        ["dance", "--meter", "5/0", "-o", "missing/x.wav"],
    ],
    ids=lambda a: a[0],
)
def test_the_output_is_checked_before_the_work(tmp_path: Path, args: list[str]) -> None:
    result = theme(*args, cwd=tmp_path)
    assert_one_line_failure(result)
    assert "the folder 'missing' does not exist" in result.stderr


def test_a_read_only_file_system(tmp_path: Path) -> None:
    mount = tmp_path / "ro"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip() or done.returncode}")
    try:
        result = theme("export", "tv-1966", "--bars", "1", "-o", "ro/x.mid", cwd=tmp_path)
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)
    assert_one_line_failure(result)
    assert "'ro/x.mid': the file system of 'ro' is read-only" in result.stderr


def test_a_closed_stderr_keeps_the_error_off_stdout(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "theme", "export", "tv-1966", "-o", "x.mp3"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=tmp_path,
        close_fds=True,
        preexec_fn=lambda: os.close(2),
    )
    assert (result.returncode, result.stdout) == (2, "")


def test_a_folder_name_over_the_limit(tmp_path: Path) -> None:
    result = theme("export", "tv-1966", "--bars", "1", "-o", "d" * 300 + "/x.mid", cwd=tmp_path)
    assert_one_line_failure(result)
    assert result.stderr.endswith("/x.mid': the name is longer than the file system allows\n")


def test_a_bad_converter_timeout_is_a_bad_value(tmp_path: Path) -> None:
    env = {**fake_converter(tmp_path / "bin", "exit 0"), "THEME_CONVERT_TIMEOUT": "soon"}
    result = theme("picture", "necklace", "-o", "pic.png", cwd=tmp_path, env=env)
    assert_one_line_failure(result, code=2)
    assert "invalid THEME_CONVERT_TIMEOUT 'soon': expected seconds" in result.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["bin"]
