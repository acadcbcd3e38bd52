"""Hostile MusicXML files: each is refused in one line naming the file, or read, in time
linear in its size."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import run_theme
from theme.errors import InputFileError
from theme.readers.musicxml import read_musicxml


def score(measures: str, *, parts: int = 1, head: str = "") -> str:
    """A score-partwise document with the same measures in each part."""
    part_list = "".join(
        f'<score-part id="P{i}"><part-name>p{i}</part-name></score-part>' for i in range(parts)
    )
    body = "".join(f'<part id="P{i}">{measures}</part>' for i in range(parts))
    return (
        f'<?xml version="1.0"?><score-partwise version="4.0">{head}'
        f"<part-list>{part_list}</part-list>{body}</score-partwise>"
    )


ATTRIBUTES = "<attributes><divisions>2</divisions><time><beats>5</beats><beat-type>4</beat-type></time></attributes>"
NOTE = "<note><pitch><step>C</step><octave>4</octave></pitch><duration>2</duration></note>"
FILL = "<note><rest/><duration>8</duration></note>"  # four quarter notes' rest


def measure(number: int, content: str = NOTE, attributes: str = "") -> str:
    return f'<measure number="{number}">{attributes}{content}</measure>'


def tempo_mark(per_minute: str) -> str:
    return (
        "<direction><direction-type><metronome><beat-unit>quarter</beat-unit>"
        f"<per-minute>{per_minute}</per-minute></metronome></direction-type></direction>"
    )


@pytest.mark.parametrize(
    ("per_minute", "message"),
    [
        ("0", "a tempo of '0' in measure 1: expected 4 to 2000 quarter notes a minute"),
        ("-120", "a tempo of '-120' in measure 1: expected 4"),
        ("fast", "a tempo 'fast' in measure 1 is not a number of beats a minute"),
        ("0.0001", "a tempo of '0.0001' in measure 1: expected 4"),
        ("1e300", "a tempo of '1e300' in measure 1: expected 4"),
        ("9" * 5000, "a tempo '99999999999999999999...' in measure 1 is not a number"),
    ],
)
def test_a_tempo_out_of_range_is_refused(tmp_path: Path, per_minute: str, message: str) -> None:
    path = tmp_path / "t.musicxml"
    path.write_text(score(measure(1, tempo_mark(per_minute) + NOTE, ATTRIBUTES)))
    with pytest.raises(InputFileError, match=rf"^cannot read MusicXML file '{path}': {message}"):
        read_musicxml(path)


@pytest.mark.parametrize("tempo", ["0", "-5", "1e300", "x", ""])
def test_a_sound_tempo_out_of_range_is_refused(tmp_path: Path, tempo: str) -> None:
    path = tmp_path / "t.musicxml"
    path.write_text(score(measure(1, f'<sound tempo="{tempo}"/>' + NOTE, ATTRIBUTES)))
    with pytest.raises(InputFileError, match=rf"'{path}': a tempo .*in measure 1"):
        read_musicxml(path)


def test_the_cli_refuses_a_tempo_of_1e300_before_writing(tmp_path: Path) -> None:
    path = tmp_path / "t.musicxml"
    path.write_text(score(measure(1, tempo_mark("1e300") + NOTE, ATTRIBUTES)))
    out = tmp_path / "out.mid"
    result = run_theme("remeter", str(path), "-o", str(out), "--strategy", "drop")
    assert result.returncode == 1 and not out.exists()
    assert result.stderr.startswith(f"theme: error: cannot read MusicXML file '{path}': a tempo")
    assert result.stderr.count("\n") == 1


def test_tempos_in_range_are_read_as_quarter_notes_a_minute(tmp_path: Path) -> None:
    dotted = (
        "<direction><direction-type><metronome><beat-unit>quarter</beat-unit><beat-unit-dot/>"
        "<per-minute>c. 100</per-minute></metronome></direction-type></direction>"
    )
    path = tmp_path / "t.musicxml"
    path.write_text(
        score(
            measure(1, dotted + NOTE + FILL, ATTRIBUTES)  # a full 5/4 measure: the tempo at 5
            + measure(2, '<sound tempo="132.5"/>' + NOTE)
        )
    )
    segments = read_musicxml(path).tempo_map.segments
    assert [(s.start, s.qpm) for s in segments] == [(0, 150), (5, 265 / 2)]


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (
            score(measure(1, NOTE, "<attributes><divisions>0</divisions></attributes>")),
            "divisions '0'",
        ),
        (
            score(measure(1, NOTE, "<attributes><divisions>x</divisions></attributes>")),
            "divisions 'x'",
        ),
        (score(measure(1, NOTE.replace("<duration>2", "<duration>-2"))), "a duration '-2'"),
        (score(measure(1, NOTE.replace("<octave>4", "<octave>99"))), "outside MIDI's 0 to 127"),
        (score(measure(1, NOTE.replace("<step>C", "<step>H"))), "a pitch step 'H'"),
        (
            score(
                measure(
                    1,
                    NOTE,
                    "<attributes><time><beats>0</beats><beat-type>4</beat-type></time></attributes>",
                )
            ),
            "a time signature '0/4'",
        ),
        (
            score(
                measure(
                    1,
                    NOTE,
                    "<attributes><time><beats>3</beats><beat-type>4</beat-type><beats>1</beats><beat-type>8</beat-type></time></attributes>",
                )
            ),
            "a time signature '3/4\\+1/8' in measure 1 is not supported",
        ),
        (score(""), "it has no measures"),
        ("<score-timewise/>", "score-timewise MusicXML is not supported"),
        ("<html><body/></html>", r"not valid MusicXML \(the document is <html>\)"),
        ("<a>" * 100_000 + "</a>" * 100_000, "not valid MusicXML"),
        (
            score("".join(measure(n) for n in range(1, 20_001))),
            "it has 20,000 measures, more than 10,000",
        ),
        (
            '<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY a "aaaaaaaaaa">'
            + "".join(
                f'<!ENTITY {c}{i} "' + f"&{c}{i - 1};" * 10 + '">' if i else ""
                for c in "a"
                for i in range(1, 9)
            )
            + "]><score-partwise>&a8;</score-partwise>",
            "not valid MusicXML",
        ),
    ],
    ids=lambda value: value[-40:] if isinstance(value, str) else "",
)
def test_odd_documents_are_refused_naming_the_file(
    tmp_path: Path, document: str, message: str
) -> None:
    path = tmp_path / "odd.musicxml"
    path.write_text(document)
    with pytest.raises(InputFileError, match=rf"^cannot read MusicXML file '{path}': .*{message}"):
        read_musicxml(path)


def test_compressed_mxl_is_read_and_a_zip_bomb_refused(tmp_path: Path) -> None:
    good = tmp_path / "good.mxl"
    with zipfile.ZipFile(good, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "META-INF/container.xml",
            '<container><rootfiles><rootfile full-path="s.musicxml"/></rootfiles></container>',
        )
        archive.writestr("s.musicxml", score(measure(1, NOTE, ATTRIBUTES)))
    assert [(e.onset, e.duration, e.pitch) for e in read_musicxml(good).events] == [(0, 1, 60)]
    bomb = tmp_path / "bomb.mxl"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("s.musicxml", b"<score-partwise>" + b" " * (20 * 2**20))
    with pytest.raises(InputFileError, match=r"larger than 16 MiB uncompressed"):
        read_musicxml(bomb)
    broken = tmp_path / "broken.mxl"
    broken.write_bytes(good.read_bytes()[:40])
    with pytest.raises(InputFileError, match=rf"'{broken}': not a valid .mxl file"):
        read_musicxml(broken)


LINEAR = """
import resource, sys, time
resource.setrlimit(resource.RLIMIT_AS, (1500 * 2**20, 1500 * 2**20))
from theme.readers.musicxml import read_musicxml
start = time.process_time()  # CPU seconds: a busy machine does not count
timeline = read_musicxml(sys.argv[1])
print(len(timeline.bars), len(timeline.events), time.process_time() - start)
"""


def test_ten_thousand_measures_are_read_in_seconds(tmp_path: Path) -> None:
    path = tmp_path / "long.musicxml"
    body = measure(1, NOTE * 5, ATTRIBUTES) + "".join(
        measure(n, NOTE * 5) for n in range(2, 10_001)
    )
    path.write_text(score(body, parts=2))
    result = subprocess.run(
        [sys.executable, "-c", LINEAR, str(path)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-500:]
    bars, events, seconds = result.stdout.split()
    assert (int(bars), int(events)) == (10_000, 100_000)
    assert float(seconds) < 30  # music21 took over 400 s for 20,000 measures


def test_more_parts_than_the_limit_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "parts.musicxml"
    path.write_text(score(measure(1, NOTE, ATTRIBUTES), parts=257))
    with pytest.raises(InputFileError, match=rf"'{path}': it has 257 parts, more than 256"):
        read_musicxml(path)


def test_thousands_of_tempo_changes_stay_linear(tmp_path: Path) -> None:
    body = measure(1, NOTE, ATTRIBUTES) + "".join(
        measure(k, f'<sound tempo="{100 + (k * 7919) % 997}.{k % 7}"/>' + NOTE)
        for k in range(2, 9002)
    )
    path = tmp_path / "tempos.musicxml"
    path.write_text(score(body))
    timeline = read_musicxml(path)
    segments = timeline.tempo_map.segments
    assert len(segments) == 9001
    # past 1,000 changes each is whole microseconds a quarter note, as in a MIDI file
    assert all((60_000_000 / s.qpm).denominator == 1 for s in segments)
    assert timeline.duration_seconds.denominator < 10**12
