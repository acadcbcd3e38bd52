"""Bounds before work: hostile ABC, MusicXML, .mxl and MIDI files and FIFOs, each refused in
one line naming the file and the bound, read in a child process held to 3 GB and a CPU
ceiling (tests/limited.py), so a hang or a blow-up fails the test, not the machine."""

from __future__ import annotations

import os
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import run_theme
from tests.limited import LimitedReader, check_timeline
from tests.test_hostile_files_midi import meta, smf, track

HEAD = "X:1\nT:t\nM:4/4\nL:1/8\nK:C\n"


@pytest.fixture(scope="module")
def reader() -> Iterator[LimitedReader]:
    child = LimitedReader()
    yield child
    child.close()


def _refused(reader: LimitedReader, path: Path, *parts: str) -> str:
    """The one-line refusal of ``path`` (every part in it), timed."""
    began = time.monotonic()
    answer = reader.read(path)
    took = time.monotonic() - began
    assert "refused" in answer, f"{path.name} was read: {answer.get('bars', '')[:3]}"
    message = answer["refused"]
    assert "\n" not in message and repr(str(path)) in message, message
    for part in parts:
        assert part in message, message
    print(f"{path.name}: refused in {took:.3f} s: {message}")
    return message


ABC_CASES = [
    # found by tests/test_fuzz_abc.py: a unit of 9/14 took music21 more than a minute
    ("X:1\nT:t\nL:9/14\nK:C\nCDEF|\n", "a unit length 'L:9/14' on line 3: expected a fraction"),
    (
        "X:1\nT:t\nL:1/8\nK:C\nC/3DEF|\n",
        "a note length 'C/3' on line 5: expected a length over 1, 2",
    ),
    # (file text, what the refusal says): each hung, blew up or traced back in music21
    (
        "X:1\nT:t\nL:1/4\nK:C\nC99999999|\n",
        "a note length 'C99999999' on line 5 has a number of more than 4 digits",
    ),
    (
        "X:1\nT:t\nL:99999999/1\nK:C\nCDEF|\n",
        "a unit length 'L:99999999/1' on line 3 has a number of more than 4 digits",
    ),
    (
        "X:1\nT:t\nL:1/4096\nK:C\nCDEF|\n",
        "a unit length 'L:1/4096' on line 3: expected 1/1024 to 4",
    ),
    (
        "X:1\nT:t\nM:99999/1\nK:C\nCDEF|\n",
        "a meter 'M:99999/1' on line 3 has a number of more than 4 digits",
    ),
    ("X:1\nT:t\nM:999/4\nK:C\nCDEF|\n", "a meter 'M:999/4' on line 3: expected 1 to 64 beats"),
    (
        "X:1\nT:t\nQ:1/4=0\nK:C\nCDEF|\n",
        "a tempo 'Q:1/4=0' on line 3: expected 4 to 2000 quarter notes a minute",
    ),
    ("X:1\nT:t\nQ:1/4=-100\nK:C\nCDEF|\n", "a tempo 'Q:1/4=-100' on line 3: expected 4 to 2000"),
    ("X:1\nT:t\nK:C\nCDEF|[Q:1/0=60]CDEF|\n", "a tempo 'Q:1/0=60' on line 4 divides by 0"),
    ("X:1\nT:t\nL:1/4\nK:C\nC9999|\n", "a note on line 5 lasts more than 256 quarter notes"),
    (HEAD + "C|" * 10_001 + "\n", "more than 1,000 bars"),
    (HEAD + "C " * 20_001 + "|\n", "more than 20,000 notes"),
    (HEAD + "CDEF GABc " * 99_000 + "|\n", "its first tune is longer than 100,000 characters"),
    (
        "X:1\nT:t\nL:1\nQ:1/4=4\nK:C\n" + "C64|" * 12 + "\n",
        "it lasts more than 10 hours at its tempos",
    ),
    # found by tests/test_fuzz_abc.py: a bar of triplets longer than its meter took music21
    # 130 s (the rest of the bar as a meter of 871/24) before it was refused
    (
        "X:1\nT:t\nM:C\nL:1/8\nK:C\nCDEF GABc|C8 (3:2:2CD|C8|\n",
        "a bar ending on line 6 is 2/3 quarter note longer than its meter, and no meter "
        "holds the rest (music21 would make it 2/3",
    ),
    (
        "X:1\nT:t\nM:1/4\nL:1/16\nK:C\nC4|C1023|C4|\n",
        "a bar ending on line 6 is 1019/4 quarter notes longer than its meter",
    ),
]


@pytest.mark.parametrize(
    ("text", "message"), ABC_CASES, ids=[f"abc{i}" for i in range(len(ABC_CASES))]
)
def test_a_hostile_abc_tune_is_refused_before_music21_reads_it(
    reader: LimitedReader, tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "hostile.abc"
    path.write_text(text)
    _refused(reader, path, "cannot read ABC file", message)


def test_a_bar_music21_reads_longer_than_the_pre_read_foresaw_is_still_refused_in_seconds(
    reader: LimitedReader, tmp_path: Path
) -> None:
    """Found by tests/test_fuzz_abc.py: music21 reads the music before the first numbered
    voice as each voice's, and ``[2`` as a bar line, so voice 1's bar is the line before it
    and its own (73 quarter notes in 5/4), where the pre-read saw two voices of one bar each.
    The rest of it as a meter (391/6) took music21 more than five minutes; it is refused
    as music21 is about to make it."""
    path = tmp_path / "voices.abc"
    path.write_text("X:1\nT:t\nM:5/4\nL:1/4\nK:C\nC5:|[2 C5|\nV:1\n[A,8]8 (3a,8cc/4|]\nV:2\nC5|\n")
    message = _refused(reader, path, "cannot read ABC file", "music21 would make it 391/6")
    assert message.endswith("a meter has 1 to 64 beats of 1, 2, 4, 8, 16, 32)")


@pytest.mark.parametrize(
    ("text", "bars"),
    [  # as music21 reads them: the rest of a long bar is a bar in a meter of its own
        ("X:1\nT:t\nM:3/4\nL:1/8\nK:C\nC8 C8 C8 (3CDE|C6|C6|\n", ["3/4", "10/4", "3/4", "3/4"]),
        # no bar lines but the last (a motet of the corpus): one stretch in its meter
        ("X:1\nT:t\nM:2/4\nL:1/8\nK:C\nC8 (3CDE C3 C4 C4 C4 C4|]\n", ["2/4"] * 8),
    ],
)
def test_a_bar_longer_than_its_meter_is_read_as_music21_reads_it(
    tmp_path: Path, text: str, bars: list[str]
) -> None:
    import theme

    path = tmp_path / "long.abc"
    path.write_text(text)
    assert [str(bar.meter) for bar in theme.read(path).bars] == bars


def _score(measures: str, divisions: str = "1", time_signature: str = "3/4") -> str:
    beats, beat_type = time_signature.split("/")
    attributes = (
        f"<attributes><divisions>{divisions}</divisions><time><beats>{beats}</beats>"
        f"<beat-type>{beat_type}</beat-type></time></attributes>"
    )
    return (
        '<?xml version="1.0"?><score-partwise><part-list><score-part id="P1"><part-name>p'
        '</part-name></score-part></part-list><part id="P1">'
        + measures.replace("ATTR", attributes, 1)
        + "</part></score-partwise>"
    )


def _note(duration: str, step: str = "C") -> str:
    return f"<note><pitch><step>{step}</step><octave>4</octave></pitch><duration>{duration}</duration></note>"


MUSICXML_CASES = [
    (  # 717 bytes that were one bar of 50,000,000 s, 45 GB as WAV
        _score('<measure number="1">ATTR' + _note("5") + "</measure>", divisions="0.0000001"),
        "bar 1 lasts 50,000,000 quarter notes, more than 256 (the bar of 64/1)",
    ),
    (
        _score('<measure number="1">ATTR' + _note("-1") + "</measure>"),
        "a duration '-1' in measure 1 is negative: expected 0 or more",
    ),
    (
        _score('<measure number="1">ATTR' + _note("99999999999") + "</measure>"),
        "a duration '99999999999' in measure 1 is out of range: expected a decimal of at most 9",
    ),
    (
        _score('<measure number="1">ATTR' + _note("1") + "</measure>", divisions="-2"),
        "divisions '-2' in measure 1 is negative",
    ),
]


@pytest.mark.parametrize(
    ("text", "message"), MUSICXML_CASES, ids=["divisions", "negative", "long", "negative divisions"]
)
def test_a_hostile_musicxml_file_is_refused_saying_what_is_wrong(
    reader: LimitedReader, tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "hostile.musicxml"
    path.write_text(text)
    _refused(reader, path, "cannot read MusicXML file", message)


def test_an_mxl_whose_container_is_a_bomb_is_refused_in_bounded_memory(
    reader: LimitedReader, tmp_path: Path
) -> None:
    """300 MB of container.xml in 300 KB: it was read whole (3.1 GB, a MemoryError)."""
    path = tmp_path / "bomb.mxl"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("META-INF/container.xml", b"<container>" + b" " * (300 * 2**20))
        archive.writestr(
            "score.xml", _score('<measure number="1">ATTR' + _note("3") + "</measure>")
        )
    assert path.stat().st_size < 2**20
    _refused(reader, path, "its container.xml is larger than 65,536 bytes uncompressed")


def test_an_mxl_score_member_that_lies_about_its_size_is_cut_at_the_bound(
    reader: LimitedReader, tmp_path: Path
) -> None:
    path = tmp_path / "bomb.mxl"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("score.xml", b"<score-partwise>" + b" " * (17 * 2**20))
    _refused(reader, path, "its score is larger than 16 MiB uncompressed")


@pytest.mark.parametrize("suffix", [".mid", ".musicxml", ".mxl", ".abc", ".toml"])
def test_a_fifo_named_as_a_music_file_is_refused_unread(
    reader: LimitedReader, tmp_path: Path, suffix: str
) -> None:
    path = tmp_path / f"pipe{suffix}"
    os.mkfifo(path)
    _refused(reader, path, "not a regular file (a device, FIFO or socket)")


def test_a_device_named_as_a_music_file_is_refused_unread(tmp_path: Path) -> None:
    link = tmp_path / "zero.mid"
    link.symlink_to("/dev/zero")
    result = run_theme("show", str(link))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"theme: error: cannot read MIDI file {str(link)!r}: not a regular file (a device, FIFO or socket)"
    ]


def test_a_time_signature_after_the_last_note_lays_out_no_bars(
    reader: LimitedReader, tmp_path: Path
) -> None:
    """One note of two quarters, then a 3/4 time signature at quarter note 2,796,202: it was
    refused as 'more than 10,000 bars (8 quarter notes)'; it changes no bar that sounds."""
    notes = track((0, b"\x90\x3c\x64"), (192, b"\x80\x3c\x00"))
    late = track((0xFFFFFFF // 2, meta(0x58, bytes([3, 2, 24, 8]))))
    path = tmp_path / "late.mid"
    path.write_bytes(smf(late, notes, division=96))
    answer = reader.read(path)
    check_timeline(answer)
    assert answer["bars"] == [["0", "4", "4/4"]]


def test_theme_show_counts_on_in_a_measure_longer_than_its_meter(tmp_path: Path) -> None:
    """A <forward> of 40 quarters in a 5/4 measure: it was an IndexError in the text grid."""
    path = tmp_path / "long.musicxml"
    forward = "<forward><duration>40</duration></forward>"
    path.write_text(
        _score(
            '<measure number="1">ATTR' + _note("1") + forward + _note("1") + "</measure>"
            '<measure number="2">' + _note("5") + "</measure>",
            time_signature="5/4",
        )
    )
    result = run_theme("show", str(path))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "42 quarter" in result.stdout or "| " in result.stdout
