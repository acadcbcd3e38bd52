"""MIDI files: every onset on its exact tick, read back by mido; our reader round trip."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import mido
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

import theme
from theme.core.meter import Meter
from theme.core.rhythm import Rhythm
from theme.core.tempo import TempoMap
from theme.core.timeline import Event, Layer, Timeline
from theme.errors import InputFileError, OutputFileError
from theme.readers.midi import read_midi
from theme.renderers.midi import midi_file, write_midi

PPQ = 960
CASES = (
    [(name, None) for name in theme.names()]
    + [
        (name, s)
        for name in ("tv-1966", "remix-1996")
        for s in ("squeeze", "drop", "stretch", "rebar")
    ]
    + [("remix-2000", "clave")]
)


def notes_by_track(midi: mido.MidiFile) -> dict[str, list[tuple[int, int, int, int]]]:
    """``{track name: [(tick, channel, note, velocity)]}`` of the note_on messages."""
    result = {}
    for track in midi.tracks[1:]:
        now, notes = 0, []
        for message in track:
            now += message.time
            if message.type == "note_on" and message.velocity:
                notes.append((now, message.channel, message.note, message.velocity))
        result[track.name] = notes
    return result


def conductor(midi: mido.MidiFile) -> list[tuple[int, mido.MetaMessage]]:
    now, found = 0, []
    for message in midi.tracks[0]:
        now += message.time
        found.append((now, message))
    return found


@pytest.mark.parametrize(("name", "strategy"), CASES)
def test_every_onset_on_its_tick(tmp_path: Path, name: str, strategy: str | None) -> None:
    timeline = theme.load(name).timeline()
    if strategy:
        timeline = timeline.remeter(strategy, strict=False)
    path = write_midi(timeline, tmp_path / "out.mid")
    midi = mido.MidiFile(path)
    assert midi.type == 1 and midi.ticks_per_beat == PPQ
    assert len(midi.tracks) == 1 + len(timeline.layers)
    found = notes_by_track(midi)
    for layer in timeline.layers.values():
        expected = [
            (int(e.onset * PPQ), 9 if layer.drum else layer.channel, e.pitch, e.velocity)
            for e in timeline.layer_events(layer.name)
        ]
        assert all((e.onset * PPQ).denominator == 1 for e in timeline.layer_events(layer.name))
        assert sorted(found[layer.name]) == sorted(expected)
        if layer.drum:
            assert {n for _, _, n, _ in expected} <= set(range(35, 82))
    signatures = [
        (t, m.numerator, m.denominator) for t, m in conductor(midi) if m.type == "time_signature"
    ]
    assert signatures == [
        (int(at * PPQ), m.numerator, m.denominator) for at, m in timeline.meter_changes()
    ]
    markers = [m.text for _, m in conductor(midi) if m.type == "marker"]
    assert all(f"meter {m.explicit}" in markers for _, m in timeline.meter_changes())
    # a MIDI tempo is whole microseconds a quarter: at most 0.5 us off per quarter note
    assert midi.length == pytest.approx(
        float(timeline.duration_seconds), abs=0.5e-6 * float(timeline.length) + 1e-9
    )


def test_sections_and_grouping_as_markers(tmp_path: Path) -> None:
    midi = midi_file(theme.load("remix-1996", intro_bars=2).timeline())
    markers = [(t, m.text) for t, m in conductor(midi) if m.type == "marker"]
    assert markers == [
        (0, "intro (5/4)"),
        (0, "meter 3+2/4"),
        (10 * PPQ, "body (4/4)"),
        (10 * PPQ, "meter 2+2/4"),
    ]
    programs = {m.channel: m.program for t in midi.tracks for m in t if m.type == "program_change"}
    assert 9 not in programs and programs[0] == 38


def test_ramp_seconds_match_the_tempo_map() -> None:
    tempo = TempoMap.constant(100).then(Fraction(10), 100, ramp_quarters=Fraction(10), to=150)
    timeline = theme.load("tv-1966", intro_bars=6, melody_bars=0).timeline(tempo=100)
    timeline = timeline.with_tempo(tempo)
    midi = midi_file(timeline)
    seconds, now, tempo_us = 0.0, 0, 500000
    for tick, message in conductor(midi):
        seconds += mido.tick2second(tick - now, PPQ, tempo_us)
        now = tick
        if message.type == "set_tempo":
            assert seconds == pytest.approx(float(tempo.seconds_at(Fraction(tick, PPQ))), abs=1e-6)
            tempo_us = message.tempo
    assert sum(1 for _, m in conductor(midi) if m.type == "set_tempo") == 1 + 40 + 1


boxes = st.text(alphabet="xX.-", min_size=1, max_size=24)
meters = st.sampled_from(["5/4", "4/4", "7/8", "3+3+2+2/8", "2+3/4", "6/8", "11/8", "3/4"])


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@example(box="XXXXXXXXXXXXXXXXXX.", meter="7/8", unit="1/5", bars=2)  # runs over a bar
@given(
    box=boxes,
    meter=meters,
    unit=st.sampled_from(["1/2", "1/4", "1/3", "1/5"]),
    bars=st.integers(1, 3),
)
def test_random_rhythms_timeline_equals_midi(
    tmp_path: Path, box: str, meter: str, unit: str, bars: int
) -> None:
    rhythm = Rhythm.from_box(box, unit)
    assume(rhythm.hits and rhythm.hits[0].start * rhythm.unit < Meter.parse(meter).bar_quarters)
    m = Meter.parse(meter)
    events = [
        Event(bar * m.bar_quarters + h.start * rhythm.unit, h.length * rhythm.unit, "r", 60)
        for bar in range(bars)
        for h in rhythm.hits
        if h.start * rhythm.unit < m.bar_quarters
    ]
    timeline = Timeline.build(
        title="r", bars=[(m, "")] * bars, tempo=97, layers=[Layer("r", "bass")], events=events
    )
    midi = mido.MidiFile(write_midi(timeline, tmp_path / "r.mid"))
    assert [Fraction(t, PPQ) for t, *_ in notes_by_track(midi)["r"]] == [
        e.onset for e in timeline.events
    ]
    back = read_midi(tmp_path / "r.mid")
    onsets = [e.onset for e in timeline.events]
    # a note held past the next onset of its pitch is cut there: a MIDI channel holds a
    # pitch once (here a hit from the end of one bar running into the next)
    assert [(e.onset, e.duration) for e in back.events] == [
        (e.onset, min([e.duration] + [later - e.onset for later in onsets if later > e.onset]))
        for e in timeline.events
    ]


@pytest.mark.parametrize("name", ["tv-1966", "remix-1996", "balkan-7", "limping-waltz"])
def test_read_midi_round_trip(tmp_path: Path, name: str) -> None:
    timeline = theme.load(name).timeline()
    back = read_midi(write_midi(timeline, tmp_path / "x.mid"))
    assert [b.meter for b in back.bars] == [b.meter for b in timeline.bars]
    assert [(e.onset, e.duration, e.layer, e.pitch, e.velocity) for e in back.events] == [
        (e.onset, e.duration, e.layer, e.pitch, e.velocity) for e in timeline.events
    ]
    assert back.tempo_map.seconds_at(timeline.length) == timeline.tempo_map.seconds_at(
        timeline.length
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "not a valid MIDI file"),
        (
            b"MThd\x00\x00\x00\x06\x00\x01\x00\x01\x03\xc0MTrk\x00\x00\x00\x10\x00\x90",
            "not a valid MIDI file",
        ),
        (b"hello world, not midi", "not a valid MIDI file"),
        (b"MThd\x00\x00\x00\x06\x00\x01\x00\x00\x01\xe0", "it has no notes"),
    ],
)
def test_bad_midi_files(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.mid"
    path.write_bytes(content)
    with pytest.raises(InputFileError, match=rf"cannot read MIDI file '{path}': {message}"):
        read_midi(path)


def test_missing_and_folder(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="no such file"):
        read_midi(tmp_path / "none.mid")
    with pytest.raises(InputFileError, match="it is a folder"):
        read_midi(tmp_path)
    with pytest.raises(OutputFileError, match=r"unknown output format .*\.mid, \.midi"):
        write_midi(theme.load("tv-1966").timeline(), tmp_path / "x.wav")
