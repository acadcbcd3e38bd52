"""Hostile MIDI files: each is refused in one line naming the file, or read, in bounded time
and memory; text in any script is written and read back."""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import warnings
from fractions import Fraction
from pathlib import Path

import mido
import pytest

from tests.conftest import run_theme, varlen
from theme.core.meter import Meter
from theme.core.timeline import Event, Layer, Timeline
from theme.errors import InputFileError, OutputFileError
from theme.readers import MAX_FILE_BYTES, InputFileWarning
from theme.readers.midi import read_midi
from theme.renderers.midi import write_midi


def track(*events: tuple[int, bytes]) -> bytes:
    """An MTrk chunk of ``(delta ticks, event bytes)`` ending with end_of_track."""
    body = b"".join(varlen(delta) + data for delta, data in events) + b"\x00\xff\x2f\x00"
    return b"MTrk" + len(body).to_bytes(4, "big") + body


def smf(*tracks: bytes, kind: int = 1, division: int = 96, count: int | None = None) -> bytes:
    """A MIDI file of the tracks; ``count`` the tracks its header announces."""
    count = len(tracks) if count is None else count
    header = kind.to_bytes(2, "big") + count.to_bytes(2, "big") + division.to_bytes(2, "big")
    return b"MThd\x00\x00\x00\x06" + header + b"".join(tracks)


NOTE = ((0, b"\x90\x3c\x64"), (96, b"\x80\x3c\x00"))
"""A quarter note C4 at 96 ticks a quarter."""


def meta(kind: int, payload: bytes) -> bytes:
    return b"\xff" + bytes([kind]) + varlen(len(payload)) + payload


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (smf(track(*NOTE), division=0), r"not a valid MIDI file \(0 ticks a quarter note\)"),
        (smf(track(*NOTE), division=0xE728), "SMPTE frames"),
        (smf(track((0, meta(0x51, b"\x00\x00\x00")), *NOTE)), "a tempo of 0 µs a quarter note"),
        (smf(track((0, meta(0x51, b"\x00\x00")), *NOTE)), "a tempo event of 2 bytes"),
        (smf(track(*NOTE), kind=3), r"type 3; the types are 0, 1 and 2"),
        (smf(track(*NOTE), kind=2), "type 2 files are not supported"),
        (smf(track((0, meta(0x58, b"\x00\x02\x18\x08")), *NOTE)), "a time signature of 0/2"),
        (smf(track((0, meta(0x58, b"\x05\x09\x18\x08")), *NOTE)), "a time signature of 5/2"),
        (smf(track((0, b"\xf3\x01"), *NOTE)), "status byte 0xF3"),
        (smf(track((0, b"\x3c\x64"))), "a data byte without a status"),
        (smf(track((0, b"\x90\x3c\xc8"))), "a data byte over 127"),
        (smf(b"MTrk\x00\x00\x00\x08\xff\xff\xff\xff\x7f\x90\x3c\x64"), "longer than 4 bytes"),
        (smf(track(*NOTE), track(*NOTE))[:-3], r"track 2 ends early"),
        (smf(track(*NOTE), count=2), "2 tracks announced, 1 found"),
        (
            smf(track((0, b"\x90\x3c\x64"), (0xFFFFFFF, b"\x80\x3c\x00")), division=1),
            r"it lasts more than 10,000 bars \(268,435,455 quarter notes\)",
        ),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_hostile_midi_is_refused_naming_the_file(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "hostile.mid"
    path.write_bytes(content)
    with pytest.raises(InputFileError, match=rf"^cannot read MIDI file '{path}': .*{message}"):
        read_midi(path)


def test_a_key_signature_of_20_sharps_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "keys.mid"
    path.write_bytes(smf(track((0, meta(0x59, b"\x14\x00")), *NOTE)))
    assert [(e.onset, e.duration, e.pitch) for e in read_midi(path).events] == [(0, 1, 60)]


def test_markers_with_5000_digit_numbers_are_text(tmp_path: Path) -> None:
    huge = "9" * 5000
    path = tmp_path / "digits.mid"
    path.write_bytes(
        smf(
            track(
                (0, meta(0x58, b"\x05\x02\x18\x08")),
                (0, meta(0x06, f"meter {huge}+1/4".encode())),
                (0, meta(0x06, f"bar {huge}".encode())),
                *NOTE,
            )
        )
    )
    timeline = read_midi(path)
    assert timeline.bars[0].meter == Meter.parse("5/4")
    assert f"bar {huge}" in [m.text for m in timeline.markers]


def test_a_note_never_released_is_closed_at_the_track_end_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "held.mid"
    path.write_bytes(smf(track(*NOTE, (0, b"\x90\x40\x64"), (384, b"\xb0\x07\x64"))))
    with pytest.warns(InputFileWarning, match=r"1 note\(s\) never released"):
        timeline = read_midi(path)
    assert [(e.onset, e.duration, e.pitch) for e in timeline.events] == [(0, 1, 60), (1, 4, 64)]
    out = tmp_path / "out.mid"
    result = run_theme("remeter", str(path), "-o", str(out), "--strategy", "rebar", "--to", "4/4")
    assert result.returncode == 2 and not out.exists()  # in 4/4 already: a clean refusal
    five = tmp_path / "five.mid"
    five.write_bytes(smf(track((0, meta(0x58, b"\x05\x02\x18\x08")), *NOTE, (0, b"\x90\x40\x64"))))
    result = run_theme("remeter", str(five), "-o", str(out), "--strategy", "drop")
    assert result.returncode == 0, result.stderr
    assert f"note: '{five}': 1 note(s) never released, closed at the end of their track" in (
        result.stdout
    )


def test_a_refusal_names_the_file_not_the_title(tmp_path: Path) -> None:
    path = tmp_path / "four.mid"
    path.write_bytes(smf(track((0, meta(0x03, b"My Song")), *NOTE)))
    result = run_theme("remeter", str(path), "-o", str(tmp_path / "o.mid"), "--strategy", "drop")
    assert result.returncode == 2
    assert result.stderr == (
        f"theme: error: '{path}' is in 4/4: strategy 'drop' needs music in 5/4\n"
    )


def test_a_file_over_the_limit_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "huge.mid"
    with open(path, "wb") as file:
        file.write(smf(track(*NOTE)))
        file.truncate(MAX_FILE_BYTES + 1)
    with pytest.raises(InputFileError, match=rf"'{path}': it is larger than 16 MiB"):
        read_midi(path)


def test_an_os_error_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "file").write_bytes(b"")
    path = tmp_path / "file" / "in.mid"
    with pytest.raises(InputFileError, match=rf"^cannot read MIDI file '{path}': Not a directory$"):
        read_midi(path)


BOUNDED = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (600 * 2**20, 600 * 2**20))
resource.setrlimit(resource.RLIMIT_CPU, (10, 10))
from theme.errors import ThemeError
from theme.readers.midi import read_midi
try:
    read_midi(sys.argv[1])
except ThemeError as exc:
    print(exc)
"""


@pytest.mark.parametrize(
    ("events", "division", "expected"),
    [
        ([(0, b"\x90\x3c\x64"), (0xFFFFFFF, b"\x80\x3c\x00")] * 50, 1, "more than 10,000 bars"),
        ([(0, b"\x90\x3c\x64")] * 300_000, 96, ""),
        ([(0, b"\xff\x06\x00")] * 300_000 + list(NOTE), 96, ""),
        (  # as many tempo changes, each different: their seconds' Fractions stay small
            [
                (1, meta(0x51, (300_000 + i * 7919 % 200_000).to_bytes(3, "big")))
                for i in range(200_000)
            ]
            + list(NOTE),
            960,
            "",
        ),
    ],
)
def test_reading_is_bounded_in_time_and_memory(
    tmp_path: Path, events: list[tuple[int, bytes]], division: int, expected: str
) -> None:
    path = tmp_path / "big.mid"
    path.write_bytes(smf(track(*events), division=division))
    result = subprocess.run(
        [sys.executable, "-c", BOUNDED, str(path)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr[-500:]
    assert expected in result.stdout


TITLES = ["ミッション: インポッシブル", "Café à 5/4", "Ελληνικά", "emoji 🥁", "tab\there"]


def unicode_timeline(title: str) -> Timeline:
    return Timeline.build(
        title=title,
        bars=[(Meter.parse("5/4"), title)] * 2,
        tempo=132,
        layers=[Layer(f"{title} bass", "bass")],
        events=[Event(Fraction(0), Fraction(1), f"{title} bass", 40)],
    )


@pytest.mark.parametrize("title", TITLES)
def test_any_title_is_written_as_utf8_and_read_back(tmp_path: Path, title: str) -> None:
    path = write_midi(unicode_timeline(title), tmp_path / "u.mid")
    midi = mido.MidiFile(path, charset="utf-8")
    assert midi.tracks[0].name == title and midi.tracks[1].name == f"{title} bass"
    assert title in [m.text for m in midi.tracks[0] if m.type == "marker"]
    back = read_midi(path)
    assert back.title == title and list(back.layers) == [f"{title} bass"]
    assert title in [m.text for m in back.markers]


def test_latin1_text_of_older_files_is_still_read(tmp_path: Path) -> None:
    path = tmp_path / "old.mid"
    path.write_bytes(smf(track((0, meta(0x03, "Café".encode("latin-1"))), *NOTE)))
    assert read_midi(path).title == "Café"


@pytest.mark.external
def test_musescore_reads_the_utf8_title(tmp_path: Path) -> None:
    program = shutil.which("musescore3") or shutil.which("mscore3")
    if not program:
        pytest.skip("MuseScore 3 is not installed (apt-get install musescore3)")
    title = TITLES[0]
    path = write_midi(unicode_timeline(title), tmp_path / "u.mid")
    out = tmp_path / "out.musicxml"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_RUNTIME_DIR": str(tmp_path)}
    result = subprocess.run(
        [program, "-o", str(out), str(path)], capture_output=True, text=True, env=env, timeout=180
    )
    assert result.returncode == 0, result.stderr[-500:]
    assert f"{title} bass" in out.read_text(encoding="utf-8")


def test_warnings_module_is_quiet_by_default_in_the_library(tmp_path: Path) -> None:
    path = tmp_path / "ok.mid"
    path.write_bytes(smf(track(*NOTE)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(read_midi(path).events) == 1
    assert resource.getrlimit(resource.RLIMIT_AS)  # the limits above are the subprocess's


def test_a_title_from_an_undecodable_file_name_is_written(tmp_path: Path) -> None:
    title = b"caf\xe9".decode("utf-8", "surrogateescape")  # as Path.stem gives it
    path = write_midi(unicode_timeline(title), tmp_path / "s.mid")
    assert read_midi(path).title == "caf?"


def test_more_layers_than_the_limit_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "many.mid"
    path.write_bytes(smf(*[track(*NOTE)] * 257))
    with pytest.raises(InputFileError, match=rf"'{path}': it has more than 256 tracks"):
        read_midi(path)


def test_a_note_outside_midi_is_refused_before_writing(tmp_path: Path) -> None:
    timeline = unicode_timeline("t")
    bad = Timeline.build(
        title="t",
        bars=[(Meter.parse("4/4"), "")],
        tempo=100,
        layers=timeline.layers.values(),
        events=[Event(Fraction(0), Fraction(1), "t bass", 200)],
    )
    with pytest.raises(OutputFileError, match="cannot write note 200 of layer 't bass' to MIDI"):
        write_midi(bad, tmp_path / "bad.mid")
    assert not (tmp_path / "bad.mid").exists()
