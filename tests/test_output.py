"""theme.output, the one place where output paths are checked and written, and the audio
file decisions (RF64) that go with it."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import theme
from theme.errors import OutputFileError, OutputFormatError, OutputNameError, UsageError
from theme.output import atomic_path, output_file, output_format, quoted, write_failed
from theme.renderers import audiofile

FORMATS = ["mid", "midi", "wav", "musicxml", "xml"]


@given(name=st.text(max_size=40))
def test_an_output_name_has_a_known_format_or_is_a_bad_value(name: str) -> None:
    try:
        kind = output_format(name, FORMATS)
    except OutputNameError as exc:
        assert exc.exit_code == 2 and isinstance(exc, UsageError)
        assert "\n" not in str(exc) and quoted(name) in str(exc)  # a long name by its ends
    else:
        assert kind in FORMATS and name.lower().endswith("." + kind)
        assert not name.endswith("/")


@pytest.mark.parametrize("name", ["x.mp3", ".mid", "mid", "x.mid/", ""])
def test_bad_names(name: str) -> None:
    with pytest.raises(OutputNameError, match=r"unknown output format|ending in '/'"):
        output_format(name, FORMATS)


def test_an_unknown_extension_is_a_format_error_with_exit_code_2() -> None:
    with pytest.raises(OutputFormatError, match=r"unknown output format 'x\.mp3'") as info:
        output_file("x.mp3", ["mid"])
    assert info.value.exit_code == 2 and isinstance(info.value, OutputFileError)


def test_a_nul_in_a_name() -> None:
    with pytest.raises(OutputNameError, match=r"invalid output name 'x\\x00\.mid'"):
        output_file("x\0.mid", ["mid"])


@pytest.mark.parametrize("path", [b"x.mid", 3, None])
def test_a_path_of_the_wrong_type(path: object) -> None:
    with pytest.raises(TypeError, match="invalid output path"):
        output_file(path, ["mid"])  # type: ignore[arg-type]


def test_a_checked_output_is_not_checked_again(tmp_path: Path) -> None:
    out = output_file(tmp_path / "x.mid", ["mid", "wav"])
    assert (out.kind, out.target, os.fspath(out)) == ("mid", tmp_path / "x.mid", str(out))
    (tmp_path / "x.mid").mkdir()  # would fail a new check
    assert output_file(out, ["mid"]) is out
    with pytest.raises(OutputFormatError, match=r"expected a file ending in \.wav"):
        output_file(out, ["wav"])


def test_the_temporary_name_fits_the_file_system(tmp_path: Path) -> None:
    target = tmp_path / ("n" * 251 + ".wav")
    with atomic_path(target) as tmp:
        assert len(os.fsencode(tmp.name)) <= 255
        assert tmp.name.startswith(".n") and tmp.suffix == ".wav"
        tmp.write_bytes(b"data")
    assert target.read_bytes() == b"data"
    assert [p.name for p in tmp_path.iterdir()] == [target.name]


def test_an_error_while_writing_names_the_file_and_leaves_the_old_one(tmp_path: Path) -> None:
    target = tmp_path / "x.mid"
    target.write_bytes(b"old")
    with (
        pytest.raises(OutputFileError, match=r"cannot write '.*x\.mid': no space left"),
        atomic_path(target) as tmp,
    ):
        tmp.write_bytes(b"half")
        raise OSError(errno.ENOSPC, "No space left on device")
    assert target.read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == ["x.mid"]


def test_ctrl_c_while_writing_leaves_no_temporary_file(tmp_path: Path) -> None:
    with pytest.raises(KeyboardInterrupt), atomic_path(tmp_path / "x.mid") as tmp:
        tmp.write_bytes(b"half")
        raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("code", "text"),
    [
        (errno.EFBIG, "the file is larger than the file-size limit (ulimit -f)"),
        (errno.ENOSPC, "no space left on the device"),
        (errno.ENAMETOOLONG, "the name is longer than the file system allows"),
        (errno.EACCES, "Permission denied"),
    ],
)
def test_write_failed_names_the_cause(code: int, text: str) -> None:
    error = write_failed("out.wav", OSError(code, os.strerror(code)))
    assert str(error) == f"cannot write 'out.wav': {text}"


def test_a_library_error_gets_its_first_line() -> None:
    error = write_failed("out.wav", RuntimeError("Error writing: System error.\nmore"))
    assert str(error) == "cannot write 'out.wav': Error writing: System error"


# --- audio files ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "frames", "container"),
    [
        ("wav", None, "WAV"),
        ("wav", audiofile.wav_max_frames(), "WAV"),
        ("wav", audiofile.wav_max_frames() + 1, "RF64"),
        ("flac", 10**10, "FLAC"),
        ("ogg", 10**10, "OGG"),
    ],
)
def test_the_audio_container(kind: str, frames: int | None, container: str) -> None:
    assert audiofile.audio_container(kind, frames) == container


def test_a_wav_past_the_limit_is_rf64(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import soundfile

    monkeypatch.setattr(audiofile, "WAV_MAX_BYTES", 4 * 1000)  # 1000 frames stand for 4 GiB
    timeline = theme.load("tv-1966").timeline(bars=1)
    path = audiofile.write_audio(timeline, tmp_path / "long.wav", rate=44100)
    assert path.read_bytes()[:4] == b"RF64"
    assert soundfile.info(str(path)).frames > 1000
    short = audiofile.write_blocks([np.zeros((500, 2), np.float32)], tmp_path / "s.wav", rate=44100)
    assert short.read_bytes()[:4] == b"RIFF"


def test_a_wav_of_unknown_length_past_the_limit_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(audiofile, "WAV_MAX_BYTES", 4 * 1000)
    blocks = (np.zeros((400, 2), np.float32) for _ in range(5))
    (tmp_path / "x.wav").write_bytes(b"old")
    with pytest.raises(OutputFileError, match=r"write '\S*/x\.wav': longer than a WAV file holds"):
        audiofile.write_blocks(blocks, tmp_path / "x.wav", rate=48000)
    assert (tmp_path / "x.wav").read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["x.wav"]


def test_big_blocks_reach_libsndfile_in_slices(tmp_path: Path) -> None:
    """A block of a minute (FluidSynth's long rests used to make them) is written in
    slices: one write of it crashed libvorbis."""
    import soundfile

    minute = np.zeros((44100 * 60, 2), np.float32)
    out = output_file(tmp_path / "m.ogg", ["ogg"])
    path = audiofile.write_blocks([minute], out, rate=44100)
    assert soundfile.info(str(path)).frames == 44100 * 60


def test_encoded_audio_of_minutes() -> None:
    data = audiofile.encode_audio(theme.load("tv-1966").timeline(repeat=3), kind="ogg")
    assert data[:4] == b"OggS"


def test_what_c_libraries_print_on_stderr_is_captured() -> None:
    code = (
        "import os, sys\nfrom theme.renderers.fluid import quiet_stderr\n"
        "with quiet_stderr() as said:\n    os.write(2, b'fluidsynth: warning: no audio\\n')\n"
        "print(said)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert (done.stdout, done.stderr) == ("['fluidsynth: warning: no audio']\n", "")


def test_a_metronome_wav_past_the_limit_is_rf64(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A renderer with an end knows its length, so a WAV too long for a WAV header is RF64
    from the first byte (theme metronome -o x.wav hands its renderer over)."""
    monkeypatch.setattr(audiofile, "WAV_MAX_BYTES", 4 * 1000)
    renderer = theme.Metronome("5/4", bars=2).renderer(rate=44100)
    path = audiofile.write_blocks(renderer, tmp_path / "click.wav", rate=44100)
    assert path.read_bytes()[:4] == b"RF64"


@pytest.mark.parametrize(
    ("module", "function", "name"),
    [
        ("theme.renderers.notation", "write_musicxml", "x.musicxml"),
        ("theme.renderers.notation", "write_svg", "x.png"),
        ("theme.page.document", "write_page", "x.html"),
        ("theme.renderers.midi", "write_midi", "x.mid"),
        ("theme.renderers.audiofile", "write_audio", "x.wav"),
        ("theme", "write", "x.svg"),
    ],
)
def test_the_library_checks_the_output_before_the_work(
    tmp_path: Path, module: str, function: str, name: str
) -> None:
    """A wrong folder fails at once: music21 (seconds of work for a score) is not loaded."""
    code = (
        "import sys, importlib, theme\nfrom theme.errors import OutputFileError\n"
        f"write = getattr(importlib.import_module({module!r}), {function!r})\n"
        "try:\n"
        f"    write(theme.load('tv-1966').timeline(), {str(tmp_path / 'no' / name)!r})\n"
        "except OutputFileError as exc:\n    print('music21' in sys.modules, exc)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.startswith("False cannot write") and "does not exist" in done.stdout
