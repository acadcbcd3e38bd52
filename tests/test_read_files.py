"""theme.read on people's own files: the file's bars (pickups, bars cut short by a time
signature), chords, tuplets, ties, grace notes, drums, tempos, ABC files, misnamed files;
and a round trip of random timelines through theme.write and theme.read."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import mido
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import theme
from theme.core.meter import Meter
from theme.core.tempo import TempoMap
from theme.core.timeline import Event, Layer
from theme.errors import InputFileError
from theme.readers import NO_METER, timeline_of

PART = '<score-part id="P1"><part-name>Flute</part-name></score-part>'


def musicxml(*measures: str) -> str:
    """A one-part score-partwise document of these measures (their inner XML)."""
    body = "".join(f'<measure number="{n}">{m}</measure>' for n, m in enumerate(measures, 1))
    return (
        '<?xml version="1.0"?><score-partwise><part-list>'
        f'{PART}</part-list><part id="P1">{body}</part></score-partwise>'
    )


def note(step: str = "C", duration: int = 1, extra: str = "") -> str:
    return (
        f"<note>{extra}<pitch><step>{step}</step><octave>4</octave></pitch>"
        f"<duration>{duration}</duration></note>"
    )


def time(beats: int, beat_type: int = 4, divisions: int = 1) -> str:
    return (
        f"<attributes><divisions>{divisions}</divisions><time><beats>{beats}</beats>"
        f"<beat-type>{beat_type}</beat-type></time></attributes>"
    )


def starts(timeline: theme.Timeline) -> list[Fraction]:
    return [bar.start for bar in timeline.bars]


def test_a_musicxml_pickup_keeps_its_length_and_the_barlines_after_it(tmp_path: Path) -> None:
    path = tmp_path / "pickup.musicxml"
    path.write_text(
        musicxml(
            time(3) + note("G"),
            note() * 3,
            note() * 2 + "<note><rest/><duration>1</duration></note>",
        )
    )
    timeline = theme.read(path)
    assert starts(timeline) == [0, 1, 4]
    assert [bar.end - bar.start for bar in timeline.bars] == [1, 3, 3]
    assert [e.onset for e in timeline.events] == [0, 1, 2, 3, 4, 5]


def test_joined_timelines_keep_a_pickup(tmp_path: Path) -> None:
    path = tmp_path / "pickup.musicxml"
    path.write_text(musicxml(time(3) + note("G"), note() * 3))
    timeline = theme.read(path)
    joined = theme.Timeline.join([timeline, timeline], title="twice")
    assert starts(joined) == [0, 1, 4, 5]
    assert [e.onset for e in joined.events] == [0, 1, 2, 3, 4, 5, 6, 7]


def test_a_musicxml_measure_is_as_long_as_its_longest_voice(tmp_path: Path) -> None:
    # voice 1 fills two quarters, voice 2 (after a backup) three: the measure is three long
    two_voices = note(duration=2) + "<backup><duration>2</duration></backup>" + note("E", 3)
    path = tmp_path / "voices.musicxml"
    path.write_text(musicxml(time(4) + two_voices, note(duration=4)))
    timeline = theme.read(path)
    assert starts(timeline) == [0, 3]
    assert [(e.onset, e.pitch) for e in timeline.events] == [(0, 60), (0, 64), (3, 60)]


def test_musicxml_chords_triplets_ties_and_grace_notes(tmp_path: Path) -> None:
    chord = note("C", 3) + note("E", 3, "<chord/>") + note("G", 3, "<chord/>")
    triplet = note("D", 2) * 3  # a triplet of quarter notes: 2 of 3 divisions a quarter each
    tie_start = note("F", 3).replace("</duration>", '</duration><tie type="start"/>')
    tie_stop = note("F", 6).replace("</duration>", '</duration><tie type="stop"/>')
    grace = "<note><grace/><pitch><step>B</step><octave>4</octave></pitch></note>"
    path = tmp_path / "mix.musicxml"
    path.write_text(
        musicxml(
            time(4, divisions=3) + chord + triplet + grace + tie_start,
            tie_stop + note("A", 6),
        )
    )
    events = [(e.onset, e.duration, e.pitch) for e in theme.read(path).events]
    third = Fraction(2, 3)
    assert events == [
        (0, 1, 60),
        (0, 1, 64),
        (0, 1, 67),
        (1, third, 62),
        (1 + third, third, 62),
        (1 + 2 * third, third, 62),
        (3, 3, 65),  # tied over the barline: one note
        (6, 2, 69),
    ]


def midi_file(path: Path, events: list[tuple[int, mido.Message | mido.MetaMessage]]) -> Path:
    """A type-0 MIDI file of 480 ticks a quarter from ``(absolute tick, message)``."""
    file = mido.MidiFile(type=0, ticks_per_beat=480)
    track = mido.MidiTrack()
    now = 0
    for tick, message in sorted(events, key=lambda e: e[0]):
        track.append(message.copy(time=tick - now))
        now = tick
    file.tracks.append(track)
    file.save(path)
    return path


def notes_at(*quarters: Fraction | int, length: int = 240) -> list:
    out: list = []
    for q in quarters:
        tick = int(q * 480)
        out.append((tick, mido.Message("note_on", note=60, velocity=80)))
        out.append((tick + length, mido.Message("note_off", note=60)))
    return out


def signature(tick: int, numerator: int, denominator: int = 4) -> tuple[int, mido.MetaMessage]:
    return tick, mido.MetaMessage("time_signature", numerator=numerator, denominator=denominator)


def test_a_midi_time_signature_after_a_pickup_starts_a_bar_there(tmp_path: Path) -> None:
    # as music21 writes a pickup: 4/4 at the start, 4/4 again after one quarter
    path = midi_file(
        tmp_path / "pickup.mid", [signature(0, 4), signature(480, 4), *notes_at(0, 1, 5)]
    )
    timeline = theme.read(path)
    assert starts(timeline) == [0, 1, 5]
    assert [str(bar.meter) for bar in timeline.bars] == ["4/4"] * 3


def test_a_bar_of_one_quarter_between_two_signatures_is_kept(tmp_path: Path) -> None:
    path = midi_file(
        tmp_path / "short.mid",
        [signature(0, 1), signature(480, 5), signature(480 * 6, 4), *notes_at(0, 1, 6)],
    )
    timeline = theme.read(path)
    assert starts(timeline) == [0, 1, 6]
    assert [str(bar.meter) for bar in timeline.bars] == ["1/4", "5/4", "4/4"]


def test_a_midi_file_with_no_time_signature_is_4_4_and_says_so(tmp_path: Path) -> None:
    timeline = theme.read(midi_file(tmp_path / "plain.mid", notes_at(0, 5)))
    assert starts(timeline) == [0, 4]
    assert [m.value for m in timeline.markers if m.value == NO_METER] == [NO_METER]


def test_a_midi_file_with_a_time_signature_has_no_such_marker(tmp_path: Path) -> None:
    timeline = theme.read(midi_file(tmp_path / "s.mid", [signature(0, 3), *notes_at(0)]))
    assert NO_METER not in [m.value for m in timeline.markers]


def test_a_musicxml_file_with_no_time_signature_says_so(tmp_path: Path) -> None:
    path = tmp_path / "free.musicxml"
    path.write_text(musicxml("<attributes><divisions>1</divisions></attributes>" + note()))
    assert NO_METER in [m.value for m in theme.read(path).markers]


def test_midi_drums_chords_and_tempo_changes_are_kept(tmp_path: Path) -> None:
    drums = [
        (0, mido.Message("note_on", channel=9, note=36, velocity=100)),
        (240, mido.Message("note_off", channel=9, note=36)),
    ]
    chord = [(0, mido.Message("note_on", note=n, velocity=80)) for n in (60, 64, 67)]
    chord += [(480, mido.Message("note_off", note=n)) for n in (60, 64, 67)]
    tempos = [
        (0, mido.MetaMessage("set_tempo", tempo=500000)),
        (960, mido.MetaMessage("set_tempo", tempo=600000)),
    ]
    timeline = theme.read(midi_file(tmp_path / "d.mid", [signature(0, 4), *drums, *chord, *tempos]))
    assert [(e.onset, e.pitch) for e in timeline.events] == [(0, 36), (0, 60), (0, 64), (0, 67)]
    assert [layer.drum for layer in timeline.layers.values()] == [True, False]
    assert [(s.start, s.qpm) for s in timeline.tempo_map.segments] == [(0, 120), (2, 100)]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("song.abc", b"MThd\x00\x00\x00\x06", r"'.*song\.abc'.*it is a MIDI file, not an ABC"),
        ("song.mid", musicxml(note()).encode(), r"'.*song\.mid'.*it is a MusicXML file, not a"),
        ("song.musicxml", b"MThd\x00\x00\x00\x06", r"'.*song\.musicxml'.*it is a MIDI file"),
        ("song.mid", b"X:1\nT:tune\nK:C\nCDEF|\n", r"'.*song\.mid'.*it is an ABC file"),
    ],
)
def test_a_file_of_another_kind_is_named_as_such(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputFileError, match=message):
        theme.read(path)


ABC_TUNE = """X:1
T:Exercise
M:3/4
L:1/8
Q:1/4=90
K:C
G2|c2 e2 g2|(3cde f2 [ceg]2|{B}c6-|c6|]
"""


def test_an_abc_file_is_read_with_its_pickup_triplet_chord_tie_and_tempo(tmp_path: Path) -> None:
    path = tmp_path / "exercise.abc"
    path.write_text(ABC_TUNE)
    timeline = theme.read(path)
    assert timeline.title == "Exercise"
    assert starts(timeline) == [0, 1, 4, 7, 10]
    assert [str(bar.meter) for bar in timeline.bars] == ["3/4"] * 5
    third = Fraction(1, 3)
    assert [(e.onset, e.duration, e.pitch) for e in timeline.events] == [
        (0, 1, 67),
        (1, 1, 72),
        (2, 1, 76),
        (3, 1, 79),
        (4, third, 72),
        (4 + third, third, 74),
        (4 + 2 * third, third, 76),
        (5, 1, 77),
        (6, 1, 72),
        (6, 1, 76),
        (6, 1, 79),
        (7, 6, 72),  # the grace note left out, the tie merged
    ]
    assert [(s.start, s.qpm) for s in timeline.tempo_map.segments] == [(0, 90)]


def test_an_abc_file_of_several_tunes_gives_its_first(tmp_path: Path) -> None:
    path = tmp_path / "book.abc"
    path.write_text(ABC_TUNE + "\nX:2\nT:Second\nM:2/4\nL:1/4\nK:C\nCD|EF|]\n")
    timeline = theme.read(path)
    assert timeline.title == "Exercise"
    assert len(timeline.bars) == 5


def test_a_text_that_is_not_abc_is_refused_as_such(tmp_path: Path) -> None:
    path = tmp_path / "notes.abc"
    path.write_text("just some words\n")
    with pytest.raises(InputFileError, match=r"'.*notes\.abc': not a valid ABC file: no 'X:'"):
        theme.read(path)


def test_an_abc_tune_music21_cannot_read_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.abc"
    path.write_text("X:1\nT:nothing\nK:C\n")
    with pytest.raises(InputFileError, match=r"'.*bad\.abc'"):
        theme.read(path)


METERS = ["2/4", "3/4", "4/4", "5/4", "6/8", "7/8", "3+2/4", "12/8"]


@st.composite
def timelines(draw: st.DrawFn) -> theme.Timeline:
    """A random one-layer timeline: random meters, maybe a pickup (a short first bar), notes
    and chords on a grid of sixteenths, one after another, the last reaching the end."""
    meters = [
        Meter.parse(m) for m in draw(st.lists(st.sampled_from(METERS), min_size=1, max_size=5))
    ]
    bars = [(m, m.bar_quarters) for m in meters]
    if draw(st.booleans()):
        sixteenths = int(meters[0].bar_quarters * 4)
        bars.insert(0, (meters[0], Fraction(draw(st.integers(1, sixteenths - 1)), 4)))
    end = sum(length for _, length in bars)
    cuts = sorted(set(draw(st.lists(st.integers(0, int(end * 4) - 1), min_size=1, max_size=30))))
    onsets = [Fraction(c, 4) for c in cuts]
    events = []
    for i, onset in enumerate(onsets):
        stop = onsets[i + 1] if i + 1 < len(onsets) else end
        duration = (
            stop - onset
            if i + 1 == len(onsets)
            else Fraction(draw(st.integers(1, int((stop - onset) * 4))), 4)
        )
        for pitch in draw(st.sets(st.integers(36, 96), min_size=1, max_size=3)):
            events.append(Event(onset, duration, "melody", pitch))
    timeline = timeline_of(
        title="random",
        bars=bars,
        tempo=TempoMap.constant(100),
        layers=[Layer("melody", "lead")],
    )
    return timeline.with_events(events)


def shape(timeline: theme.Timeline) -> tuple[list, list]:
    """What a file keeps of a timeline: bars (start, meter with grouping, length), notes."""
    bars = [(b.start, b.meter.explicit, b.end - b.start) for b in timeline.bars]
    notes = sorted((e.onset, e.duration, e.pitch) for e in timeline.events)
    return bars, notes


@pytest.mark.parametrize("suffix", [".mid", ".musicxml"])
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(timeline=timelines())
def test_a_timeline_written_and_read_back_is_the_same(
    tmp_path: Path, suffix: str, timeline: theme.Timeline
) -> None:
    path = theme.write(timeline, tmp_path / f"random{suffix}")
    assert shape(theme.read(path)) == shape(timeline)


def test_a_bad_pitch_is_named_with_its_file_measure_and_beat(tmp_path: Path) -> None:
    path = tmp_path / "high.musicxml"
    high = note("C", 1).replace("<octave>4", "<octave>11")
    path.write_text(musicxml(time(6, 8, divisions=2) + note(duration=1) + high))
    with pytest.raises(
        InputFileError, match=r"'.*high\.musicxml'.*C11 in measure 1, beat 2 is outside MIDI"
    ):
        theme.read(path)


def test_a_cue_note_takes_its_time_but_is_not_played(tmp_path: Path) -> None:
    path = tmp_path / "cue.musicxml"
    path.write_text(musicxml(time(2) + note("D", extra="<cue/>") + note("E")))
    assert [(e.onset, e.pitch) for e in theme.read(path).events] == [(1, 64)]
