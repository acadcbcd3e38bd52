"""Real scores of music21's corpus that were read or written wrong, each held to music21's
own reading of it: ABC meters, endings and ties; MusicXML ties across staves and in chords,
parts that disagree, rounded durations; writers that traced back."""

from __future__ import annotations

import re
import warnings
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

import theme
from tests.conftest import run_theme
from theme.errors import OutputFileError
from theme.readers import InputFileWarning

music21 = pytest.importorskip("music21")
CORPUS = Path(music21.__file__).parent / "corpus"


def _q(value: Any) -> Fraction:
    return value if isinstance(value, Fraction) else Fraction(value).limit_denominator(1 << 20)


def abc_tune(tmp_path: Path, book: str, number: int) -> Path:
    """Tune ``X:number`` of an ABC book of the corpus, alone in a file."""
    text = (CORPUS / book).read_text(encoding="utf-8", errors="replace")
    for tune in re.split(r"(?m)^(?=X:)", text):
        found = re.match(r"X:\s*(\d+)", tune)
        if found and int(found.group(1)) == number:
            path = tmp_path / f"{Path(book).stem}-{number}.abc"
            path.write_text(tune, encoding="utf-8")
            return path
    raise LookupError(f"no X:{number} in {book}")


def music21_notes(score: Any) -> list[tuple[Fraction, int]]:
    """``(onset, pitch)`` of every played note (no grace or cue notes, no chord symbols),
    from music21's own reading, a note tied on merged with the note of its pitch that ends
    where it starts (two voices may hold one pitch at once)."""
    from music21 import chord, harmony

    notes = []
    for part in score.parts:
        flat = part.flatten()
        held: dict[int, list[Fraction]] = {}  # pitch -> where its notes tied on end
        for element in flat.notes:
            if isinstance(element, harmony.Harmony) or element.duration.isGrace:
                continue
            if element.style.noteSize == "cue" or element.style.hideObjectOnPrint:
                continue  # a cue note (Dichterliebe's are <cue/>, unprinted): not played
            onset = _q(flat.elementOffset(element))
            end = onset + _q(element.duration.quarterLength)
            for n in element.notes if isinstance(element, chord.Chord) else [element]:
                pitch, tie = int(n.pitch.midi), n.tie or element.tie
                kind = tie.type if tie is not None else None
                ends = held.setdefault(pitch, [])
                if kind in ("stop", "continue") and onset in ends:
                    ends.remove(onset)  # the same note, held on
                else:
                    notes.append((onset, pitch))
                if kind in ("start", "continue"):
                    ends.append(end)
    return sorted(notes)


def music21_bars(score: Any) -> list[Fraction]:
    from music21 import stream

    part = score.parts[0]
    return [_q(part.elementOffset(m)) for m in part.getElementsByClass(stream.Measure)]


def test_an_abc_tune_with_no_bar_lines_keeps_its_5_4(tmp_path: Path) -> None:
    """Essen 'Prinz Eugen' (zuccal0 no. 65), M:5/4 with one bar line: music21 makes no
    measures; it was read as 8 bars of 4/4 'with no time signature'."""
    timeline = theme.read(abc_tune(tmp_path, "essenFolksong/zuccal0.abc", 65))
    assert [str(b.meter) for b in timeline.bars] == ["5/4"] * 6
    assert all(b.quarters == 5 for b in timeline.bars)
    assert not any("no time signature" in str(m.value) for m in timeline.markers)


def test_first_and_second_endings_follow_music21s_measures(tmp_path: Path) -> None:
    """Nottingham no. 81 ('Little Czech Number'), |1 and |2 endings: a bar was -25 quarter
    notes long (the second ending's offset read at 0) and theme show traced back."""
    path = abc_tune(tmp_path, "nottingham-dataset/reelsa-c.abc", 81)
    score = music21.converter.parse(path)
    timeline = theme.read(path)
    assert [b.start for b in timeline.bars] == music21_bars(score)
    assert all(b.quarters > 0 for b in timeline.bars)
    assert sorted((e.onset, e.pitch) for e in timeline.events) == music21_notes(score)
    result = run_theme("show", str(path))
    assert result.returncode == 0 and "Traceback" not in result.stderr


def test_a_tie_between_two_pitches_keeps_the_second(tmp_path: Path) -> None:
    """O'Neill's 1127 ('The Merry Tailor') opens G-| F: the tie joins no note (ABC ties
    one pitch), so the F sounds; music21's stripTies swallowed it into the G."""
    path = abc_tune(tmp_path, "oneills1850/1116-1135_mh.abc", 1127)
    timeline = theme.read(path)
    first = [(e.onset, e.duration, e.pitch) for e in timeline.events[:2]]
    assert first == [(0, Fraction(1, 2), 67), (Fraction(1, 2), Fraction(1, 2), 66)]
    assert sorted((e.onset, e.pitch) for e in timeline.events) == music21_notes(
        music21.converter.parse(path)
    )


def test_two_staves_tying_one_pitch_at_one_moment_each_hold_their_note() -> None:
    """Dichterliebe no. 2: both staves tie A4 at 1/4; the second tie struck again."""
    from collections import Counter
    from xml.etree.ElementTree import parse

    path = CORPUS / "schumann_robert/dichterliebe_no2.xml"
    timeline = theme.read(path)
    ours = Counter((e.onset, e.pitch) for e in timeline.events)
    theirs = Counter(music21_notes(music21.converter.parse(path)))
    # music21 plays the song's 4 unprinted <cue/> notes; a cue note is not played here
    cues = [n for n in parse(path).getroot().iter("note") if n.find("cue") is not None]
    assert not ours - theirs and sum((theirs - ours).values()) == 4 == len(cues)
    a4 = [(e.onset, e.duration) for e in timeline.events if e.pitch == 69 and e.onset < 1]
    assert a4 == [(Fraction(1, 4), Fraction(1))] * 2  # an eighth tied to an eighth, twice


def test_a_chord_note_with_its_own_length_keeps_its_tie() -> None:
    """Lindenbaum: a bass chord's B2 says 2 quarters where its chord lasts 3, tied on:
    1646 notes were read for music21's 1640."""
    path = CORPUS / "schubert/Lindenbaum.xml"
    timeline = theme.read(path)
    assert len(timeline.events) == 1640
    assert sorted((e.onset, e.pitch) for e in timeline.events) == music21_notes(
        music21.converter.parse(path)
    )


def test_parts_that_disagree_on_a_measure_are_said_to_be_the_files_fault() -> None:
    """Beethoven op. 18 no. 1, iii: measure 21 fills 2 quarter notes in the first violin
    and 3 in the others."""
    path = CORPUS / "beethoven/opus18no1/movement3.mxl"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        timeline = theme.read(path)
    said = [str(w.message) for w in caught if issubclass(w.category, InputFileWarning)]
    assert said == [
        f"{str(path)!r}: measure 21 lasts 3 quarter notes in part 2 but 2 in an earlier part: "
        "the file is at fault; the measure is read as 3 quarter notes long for every part"
    ]
    assert timeline.bars[20].quarters == 3


def test_durations_music21_rounded_do_not_move_the_bars(tmp_path: Path) -> None:
    """C. P. E. Bach H. 186 written by music21: its odd tuplets rounded to 1/10080 of a
    quarter note made bar 13 start 1/10080 late, and every bar after it."""
    score = music21.corpus.parse("cpebach/h186.mxl")
    path = tmp_path / "h186.musicxml"
    score.write("musicxml", fp=str(path))
    timeline = theme.read(path)
    assert [b.start for b in timeline.bars] == music21_bars(score)
    assert_near(sorted((e.onset, e.pitch) for e in timeline.events), music21_notes(score))


def assert_near(ours: list[tuple[Any, ...]], theirs: list[tuple[Any, ...]]) -> None:
    """The same notes, each pitch's onsets within 1/1000 of a quarter note."""
    assert len(ours) == len(theirs)
    for pitch in {n[1:] for n in theirs}:
        a = [n[0] for n in ours if n[1:] == pitch]
        b = [n[0] for n in theirs if n[1:] == pitch]
        assert len(a) == len(b) and all(abs(x - y) < Fraction(1, 1000) for x, y in zip(a, b))


@pytest.mark.parametrize(
    "source",
    ["schubert/Lindenbaum.xml", "abc:oneills1850/0201-0300.abc:264"],
)
def test_theme_export_to_musicxml_writes_what_music21_could_not(
    tmp_path: Path, source: str
) -> None:
    """Lindenbaum and O'Neill's 264 (a 1/8 measure) traced back 'Cannot convert
    inexpressible durations'."""
    if source.startswith("abc:"):
        _, book, number = source.split(":")
        path = abc_tune(tmp_path, book, int(number))
    else:
        path = CORPUS / source
    out = tmp_path / "out.musicxml"
    result = run_theme("export", str(path), "-o", str(out))
    assert result.returncode == 0, result.stderr
    again = theme.read(out)  # music21 writes odd tuplets rounded to 1/10080; a pitch
    # twice at one moment in one part (two voices) is one note of a written chord
    assert_near(
        sorted({(e.onset, e.pitch, e.layer) for e in again.events}),
        sorted({(e.onset, e.pitch, e.layer) for e in theme.read(path).events}),
    )


def test_a_length_no_notes_can_write_is_refused_in_one_line(tmp_path: Path) -> None:
    """Weber's clarinet concertino writes a triplet sixteenth as 171/1024 of a quarter note:
    no tied notes down to the 1024th write it; it traced back in music21."""
    timeline = theme.read(CORPUS / "weber/concertino_clarinet.mxl")
    out = tmp_path / "out.musicxml"
    with pytest.raises(
        OutputFileError,
        match=r"^cannot write bar 18 of 'Bb Clarinet' as notation: it holds a note or rest of 171/1024 quarter notes",
    ):
        theme.write(timeline, out)
    assert not out.exists()


def test_a_bar_longer_than_its_meter_survives_a_midi_round_trip(tmp_path: Path) -> None:
    """A 3/4 measure that holds 13 quarter notes (as a Haydn part in the corpus has) came
    back from our own MIDI file as a full bar and a short one."""
    note = "<note><pitch><step>C</step><octave>4</octave></pitch><duration>{}</duration></note>"
    measures = [note.format(3), note.format(13), note.format(3)]
    body = "".join(
        f'<measure number="{i + 1}">'
        + (
            "<attributes><divisions>1</divisions><time><beats>3</beats><beat-type>4</beat-type></time></attributes>"
            if i == 0
            else ""
        )
        + m
        + "</measure>"
        for i, m in enumerate(measures)
    )
    source = tmp_path / "long.musicxml"
    source.write_text(
        '<?xml version="1.0"?><score-partwise><part-list><score-part id="P1"><part-name>p'
        f'</part-name></score-part></part-list><part id="P1">{body}</part></score-partwise>'
    )
    timeline = theme.read(source)
    assert [b.quarters for b in timeline.bars] == [3, 13, 3]
    back = theme.read(theme.write(timeline, tmp_path / "long.mid"))
    assert [(b.start, b.quarters) for b in back.bars] == [
        (b.start, b.quarters) for b in timeline.bars
    ]
    assert [str(b.meter) for b in back.bars] == ["3/4", "13/4", "3/4"]


def test_clave_lenient_on_a_long_4_4_bar_says_why(tmp_path: Path) -> None:
    """A score whose one 4/4 measure holds 5 quarter notes: clave said 'needs music in
    4/4' of music in 4/4."""
    path = tmp_path / "five.musicxml"
    path.write_text(
        '<?xml version="1.0"?><score-partwise><part-list><score-part id="P1"><part-name>p'
        '</part-name></score-part></part-list><part id="P1"><measure number="1"><attributes>'
        "<divisions>1</divisions><time><beats>4</beats><beat-type>4</beat-type></time>"
        "</attributes><note><pitch><step>C</step><octave>4</octave></pitch><duration>5"
        "</duration></note></measure></part></score-partwise>"
    )
    result = run_theme(
        "remeter", str(path), "--strategy", "clave", "--lenient", "-o", str(tmp_path / "o.mid")
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"theme: error: {str(path)!r} has no full bar of 4/4: bar 1 is 5 quarter notes long, not 4 "
        "quarter notes; strategy 'clave' remeters only full bars"
    ]
