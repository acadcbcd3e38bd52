"""Files of one's own wherever a variant goes: show, play, export, remeter; the file's kind
told by its name and its bytes; each strategy's promise on random timelines."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import theme
from tests.conftest import run_theme
from theme.core.arrange import cycled, with_pitches
from theme.core.meter import Meter
from theme.core.remeter import STRATEGIES, dropped_notes, remeter, remetered_starts
from theme.core.tempo import TempoMap
from theme.core.timeline import Event, Layer, Timeline
from theme.errors import InputFileError, UsageError
from theme.readers import sniff
from theme.readers.files import kind_of_file

MIDI_HEAD = b"MThd\x00\x00\x00\x06\x00\x01\x00\x01\x01\xe0"
XML_HEAD = b'<?xml version="1.0" encoding="UTF-8"?>\n<score-partwise version="4.0">'
ABC_TEXT = b"X:1\nT:Tune\nM:3/4\nL:1/8\nK:C\nCDE FGA|\n"


@pytest.fixture(scope="module")
def remix_xml(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The remix (5/4 intro, 4/4 after) as a MusicXML file of one's own."""
    path = tmp_path_factory.mktemp("own") / "remix.musicxml"
    theme.write(theme.load("remix-1996"), path)
    return path


# -- what kind of file ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (MIDI_HEAD, "MIDI"),
        (XML_HEAD, "MusicXML"),
        (b"\xef\xbb\xbf" + XML_HEAD, "MusicXML"),
        (b"<score-partwise>", "MusicXML"),
        (b"PK\x03\x04rest", "compressed MusicXML"),
        (ABC_TEXT, "ABC"),
        (b"% a comment\nX: 2\nT:t\n", "ABC"),
        (b'name = "mine"\n', None),
        (b"", None),
    ],
)
def test_sniff_tells_each_kind_by_its_first_bytes(head: bytes, kind: str | None) -> None:
    assert sniff(head) == kind


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("song.mid", MIDI_HEAD, "MIDI"),
        ("song.MIDI", MIDI_HEAD, "MIDI"),
        ("song.musicxml", XML_HEAD, "MusicXML"),
        ("song.xml", XML_HEAD, "MusicXML"),
        ("song.mxl", b"PK\x03\x04", "compressed MusicXML"),
        ("song.abc", ABC_TEXT, "ABC"),
        ("mine.toml", b'name = "mine"\n', "variant"),
    ],
)
def test_a_file_of_each_kind_is_taken_as_that_kind(
    tmp_path: Path, name: str, content: bytes, kind: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    assert kind_of_file(str(path)) == kind


@pytest.mark.parametrize(
    ("name", "content", "said"),
    [
        ("song.toml", MIDI_HEAD, "it is a MIDI file, not a variant file; rename it 'song.mid'"),
        ("song.mid", XML_HEAD, "it is a MusicXML file, not a MIDI file"),
        ("song.musicxml", MIDI_HEAD, "it is a MIDI file, not a MusicXML file"),
        ("song.abc", MIDI_HEAD, "it is a MIDI file, not an ABC file"),
        ("song.mid", ABC_TEXT, "it is an ABC file, not a MIDI file; rename it 'song.abc'"),
        ("song", MIDI_HEAD, "it is a MIDI file, not a variant name or file"),
        ("song.mxl", MIDI_HEAD, "it is a MIDI file, not a compressed MusicXML file"),
    ],
)
def test_a_file_of_another_kind_is_named_as_what_it_is(
    tmp_path: Path, name: str, content: bytes, said: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputFileError, match=f"'{path}'.*{said}"):
        kind_of_file(str(path))


def test_a_variant_name_is_no_file() -> None:
    assert kind_of_file("tv-1966") is None


def test_the_cli_names_a_midi_file_called_toml(tmp_path: Path) -> None:
    song = tmp_path / "song.toml"
    song.write_bytes(MIDI_HEAD)
    result = run_theme("show", str(song))
    assert result.returncode == 1
    assert "it is a MIDI file" in result.stderr
    assert "UTF" not in result.stderr and "TOML" not in result.stderr
    assert "Traceback" not in result.stderr


# -- show, export, remeter a file ----------------------------------------------------------


def test_show_a_file_prints_what_it_found(remix_xml: Path) -> None:
    result = run_theme("show", str(remix_xml))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "(MusicXML file): 20 bars" in out
    assert "5/4 (3+2)  bars 1-4 (4 bars)" in out and "4/4 (2+2)  bars 5-20 (16 bars)" in out
    assert "bass  80 notes" in out
    assert "tempo: q=132" in out
    assert "bars: bars 1-4, 4 bars of 5/4 (3+2)" in out  # a grid a meter
    assert "  count   1 & 2 & 3 & 4 & 5 &" in out


def test_show_a_file_remetered(remix_xml: Path) -> None:
    result = run_theme("show", str(remix_xml), "--strategy", "squeeze", "--tempo", "100")
    assert result.returncode == 0, result.stderr
    assert "remetered with squeeze:" in result.stdout
    assert "tempo: q=100" in result.stdout
    assert "3+2/4" not in result.stdout.split("remetered")[1]


@pytest.mark.parametrize(
    ("options", "said"),
    [
        (["-p", "intro_bars=2"], "is a file of its own and has none"),
        (["--pitches", "tuba=C2"], "has no such layer; its layers are 'bass', 'lead'"),
    ],
)
def test_options_for_variants_only_are_refused_with_a_reason(
    remix_xml: Path, tmp_path: Path, options: list[str], said: str
) -> None:
    out = tmp_path / "out.mid"
    result = run_theme("export", str(remix_xml), "-o", str(out), *options)
    assert result.returncode == 2
    assert said in result.stderr
    assert not out.exists()


def test_export_a_file_with_the_practice_options(remix_xml: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.wav"
    result = run_theme(
        "export", str(remix_xml), "-o", str(out), "--bars", "3", "--tempo", "120",
        "--click", "--count-in", "1",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "(4 bars, 10.0 s)" in result.stdout  # a 5/4 count-in, three 5/4 bars: q=120
    assert out.stat().st_size > 1000


def test_export_a_file_with_pitches_for_its_layer(remix_xml: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.mid"
    result = run_theme("export", str(remix_xml), "-o", str(out), "--pitches", "bass=C2,G2")
    assert result.returncode == 0, result.stderr
    assert {e.pitch for e in theme.read(out).layer_events("bass")} == {36, 43}


def test_remeter_a_file_counts_the_notes_drop_dropped(remix_xml: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.mid"
    result = run_theme("remeter", str(remix_xml), "-o", str(out), "--strategy", "drop", "--lenient")
    assert result.returncode == 0, result.stderr
    assert "20 bars: 4 of 5/4 remetered to 4/4, 16 of 4/4 kept" in result.stdout
    assert "20 bars out (drop: 8 notes on beat 5 dropped; 3+3+2" in result.stdout


def test_remeter_strict_names_the_file_and_the_bar(remix_xml: Path, tmp_path: Path) -> None:
    result = run_theme(
        "remeter", str(remix_xml), "-o", str(tmp_path / "o.mid"), "--strategy", "drop"
    )
    assert result.returncode == 2
    assert f"'{remix_xml}' is in 4/4 at bar 5" in result.stderr


# -- cycling and pitches -------------------------------------------------------------------


def _timeline(meters: list[str], notes: list[tuple[int, Fraction, Fraction]]) -> Timeline:
    """Bars of these meters (``'5/4:1'``: a bar of 5/4 one quarter long, as a file's
    pickup); notes (bar index, offset, length) in quarter notes."""
    from theme.core.timeline import Timeline

    bars = []
    for m in meters:
        meter, _, length = m.partition(":")
        bars.append((Meter.parse(meter), "", Fraction(length) if length else None))
    tl = Timeline.build(
        title="t", bars=bars, tempo=TempoMap.constant(120), layers=[Layer("a", voice="bass")],
        events=(), markers=(),
    )  # fmt: skip
    events = [
        Event(tl.bars[b].start + offset, length, "a", 60 + i % 12)
        for i, (b, offset, length) in enumerate(notes)
    ]
    return tl.with_events(events)


def test_cycled_keeps_each_copys_tempo_changes() -> None:
    tl = _timeline(["3/4", "3/4"], [(0, Fraction(0), Fraction(1))])
    from theme.core.tempo import TempoMap, TempoSegment

    tl = tl.with_tempo(TempoMap([TempoSegment(Fraction(0), Fraction(90)),
                                 TempoSegment(Fraction(3), Fraction(60))]))  # fmt: skip
    twice = cycled(tl, bars=None, repeat=2, name="t")
    assert [s.start for s in twice.tempo_map.segments] == [0, 3, 6, 9]
    assert [e.onset for e in twice.events] == [0, 6]


@pytest.mark.parametrize(("bars", "repeat"), [(0, 1), (None, 0), (None, 100_000)])
def test_cycled_refuses_a_bad_count(bars: int | None, repeat: int) -> None:
    tl = _timeline(["3/4"], [])
    with pytest.raises(UsageError, match=r"invalid (bars|repeat)"):
        cycled(tl, bars=bars, repeat=repeat, name="t")


def test_with_pitches_cycles_the_notes_of_a_layer() -> None:
    tl = _timeline(["4/4"], [(0, Fraction(k), Fraction(1)) for k in range(3)])
    assert [e.pitch for e in with_pitches(tl, {"a": (40, 41)}, name="t").events] == [40, 41, 40]


# -- each strategy's promise, on random timelines ------------------------------------------

METERS = ["5/4", "4/4", "3/4", "3+2/4"]


@st.composite
def timelines(draw: st.DrawFn) -> Timeline:
    """Bars in several meters, maybe a pickup first; notes on a sixteenth grid, some
    crossing their barline."""
    meters = draw(st.lists(st.sampled_from(METERS), min_size=1, max_size=6))
    if draw(st.booleans()):  # a pickup: a bar of its own meter, or a short bar of the next
        meters = [draw(st.sampled_from(["1/4", "2/4", meters[0] + ":1"])), *meters]
    notes = []
    for b, m in enumerate(meters):
        meter, _, length = m.partition(":")
        quarters = Fraction(length) if length else Meter.parse(meter).bar_quarters
        offsets = draw(st.sets(st.integers(0, int(quarters * 4) - 1), max_size=8))
        for o in sorted(offsets):
            notes.append((b, Fraction(o, 4), Fraction(draw(st.integers(1, 12)), 4)))
    return _timeline(meters, notes)


def _needs(tl: Timeline, name: str) -> bool:
    return any(STRATEGIES[name].maps(b) for b in tl.bars)


@settings(max_examples=60, deadline=None)
@given(timelines(), st.sampled_from(sorted(STRATEGIES)))
def test_every_strategy_keeps_its_promise(tl: Timeline, name: str) -> None:
    if not _needs(tl, name):
        return
    result = remeter(tl, name, strict=False)
    if name == "drop":
        assert len(result.events) == len(tl.events) - dropped_notes(tl, name)
    else:  # squeeze, stretch, rebar, clave: every note kept
        assert len(result.events) == len(tl.events)
    assert all(e.duration > 0 for e in result.events)
    assert result.events[-1].onset < result.length if result.events else True


@settings(max_examples=60, deadline=None)
@given(timelines(), st.sampled_from(sorted(STRATEGIES)))
def test_bars_in_other_meters_are_kept_as_they_are(tl: Timeline, name: str) -> None:
    if not _needs(tl, name):
        return
    s = STRATEGIES[name]
    result = remeter(tl, name, strict=False)
    starts = remetered_starts(tl, name)
    for bar in tl.bars:
        if s.maps(bar):
            continue
        landed = result.bar_at(starts[bar.number])
        assert landed.start == starts[bar.number] and landed.meter == bar.meter
        assert landed.quarters == bar.quarters
        before = [(e.onset - bar.start, e.duration, e.pitch) for e in tl.bar_events(bar)]
        after = [(e.onset - landed.start, e.duration, e.pitch) for e in result.bar_events(landed)]
        assert after == before


@settings(max_examples=40, deadline=None)
@given(timelines(), st.sampled_from(sorted(STRATEGIES)))
def test_a_pickup_stays_a_pickup_even_when_strict(tl: Timeline, name: str) -> None:
    s = STRATEGIES[name]
    body = tl.bars[1:]
    if tl.bars[0].quarters >= 3 or not body or not all(s.maps(b) for b in body):
        return
    result = remeter(tl, name)  # strict: the pickup is no bar in another meter
    assert result.bars[0].meter == tl.bars[0].meter
    assert result.bars[1].start == tl.bars[0].quarters


@pytest.mark.parametrize("diff", [[], ["--diff"]])
def test_a_strategy_that_finds_nothing_to_remeter_names_the_file(
    remix_xml: Path, tmp_path: Path, diff: list[str]
) -> None:
    song = tmp_path / "song.musicxml"
    theme.write(theme.read(remix_xml).remeter("rebar", strict=False), song)
    result = run_theme("show", str(song), "--strategy", "drop", *diff)
    assert result.returncode == 2
    assert f"'{song}' is in 4/4: strategy 'drop' needs music in 5/4" in result.stderr


def test_play_takes_a_file(remix_xml: Path) -> None:
    """Read, laid out, and on to the sound card (a device that is not there: exit 3)."""
    result = run_theme("play", str(remix_xml), "--bars", "1", "--device", " ")
    assert result.returncode == 3, result.stderr
    assert "unknown output device" in result.stderr


def test_play_names_a_file_it_cannot_read(tmp_path: Path) -> None:
    song = tmp_path / "song.mid"
    song.write_bytes(b"MThd")
    result = run_theme("play", str(song), "--bars", "1")
    assert result.returncode == 1
    assert f"'{song}'" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("strategy", "said"),
    [
        ("squeeze", "4 of 5/4 remetered to 4/4, 16 of 4/4 kept; 20 bars out"),
        ("drop", "4 of 5/4 remetered to 4/4, 16 of 4/4 kept; 20 bars out"),
        ("stretch", "4 of 5/4 remetered to 4/4, 16 of 4/4 kept; 24 bars out"),
        ("rebar", "4 of 5/4 remetered to 4/4, 16 of 4/4 kept; 21 bars out"),
        ("clave", "16 of 4/4 remetered to 5/4, 4 of 5/4 kept; 20 bars out"),
    ],
)
def test_lenient_keeps_the_other_bars_for_every_strategy(
    remix_xml: Path, tmp_path: Path, strategy: str, said: str
) -> None:
    out = tmp_path / "out.musicxml"
    result = run_theme(
        "remeter", str(remix_xml), "-o", str(out), "--strategy", strategy, "--lenient"
    )
    assert result.returncode == 0, result.stderr
    assert f": 20 bars: {said}" in result.stdout
    source, written = theme.read(remix_xml), theme.read(out)
    target = STRATEGIES[strategy].target
    assert {(b.meter.numerator, b.meter.denominator) for b in written.bars} == {
        (target.numerator, target.denominator)
    }  # the bars kept were in the target meter already
    if strategy != "drop":
        assert len(written.events) == len(source.events)


def test_show_marks_a_pickup() -> None:
    from theme.renderers.text import file_summary

    tl = _timeline(["1/4", "4/4", "4/4"], [(0, Fraction(0), Fraction(1))])
    assert "  1/4        bar 1 (a pickup)\n  4/4 (2+2)  bars 2-3 (2 bars)" in file_summary(tl, "f")


def test_a_pickup_as_a_short_bar_is_kept_and_counted_from_its_beat(tmp_path: Path) -> None:
    """A pickup read from a file: a bar of 4/4 one quarter long, on beat 4."""
    from theme.core.timeline import Timeline
    from theme.renderers.text import file_summary, grid

    four = Meter.parse("4/4")
    tl = Timeline.build(
        title="t", bars=[(four, "", Fraction(1)), (four, "", None), (four, "", None)],
        tempo=TempoMap.constant(90), layers=[Layer("a", voice="bass")],
        events=[Event(Fraction(k), Fraction(1), "a", 60) for k in range(9)], markers=(),
    )  # fmt: skip
    assert "4/4 (2+2)  bar 1 (a pickup)\n  4/4 (2+2)  bars 2-3 (2 bars)" in file_summary(tl, "f")
    assert grid(tl, [1, 2]).splitlines()[0] == "  count   4 & | 1 & 2 & 3 & 4 &"
    five = remeter(tl, "clave")  # strict: the pickup is no bar in another meter
    assert [(b.meter.numerator, b.quarters) for b in five.bars] == [(4, 1), (5, 5), (5, 5)]
    assert len(five.events) == 9
    cycled_twice = cycled(tl, bars=None, repeat=2, name="t")
    assert [b.quarters for b in cycled_twice.bars] == [1, 4, 4, 1, 4, 4]
    song = tmp_path / "song.mid"
    theme.write(tl, song)
    result = run_theme("remeter", str(song), "-o", str(tmp_path / "o.mid"), "--strategy", "clave")
    assert result.returncode == 0, result.stderr
    assert "2 of 4/4 remetered to 5/4, 1 short bar (a pickup, a last bar) kept" in result.stdout


def test_show_an_abc_file(tmp_path: Path) -> None:
    tune = tmp_path / "tune.abc"
    tune.write_text("X:1\nT:Little tune\nM:3/4\nL:1/8\nQ:1/4=100\nK:C\nC2 D2 E2|F2 G2 A2|B2 c4|]\n")
    result = run_theme("show", str(tune))
    assert result.returncode == 0, result.stderr
    assert "(ABC file): 3 bars" in result.stdout
    assert "3/4  bars 1-3 (3 bars)" in result.stdout and "tempo: q=100" in result.stdout
    assert "8 notes" in result.stdout


def test_show_says_what_the_reader_mended(tmp_path: Path) -> None:
    from tests.conftest import varlen

    track = varlen(0) + bytes([0x90, 60, 100]) + varlen(96) + bytes([0xFF, 0x2F, 0])
    song = tmp_path / "song.mid"
    song.write_bytes(
        MIDI_HEAD[:8] + b"\x00\x00\x00\x01\x00\x60" + b"MTrk" + len(track).to_bytes(4, "big")
        + track
    )  # fmt: skip
    result = run_theme("show", str(song))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"note: '{song}': 1 note(s) never released")
    assert "(MIDI file): 1 bar," in result.stdout


def test_show_says_a_file_without_a_time_signature_is_read_in_four(tmp_path: Path) -> None:
    import mido

    song = mido.MidiFile()
    track = mido.MidiTrack()
    song.tracks.append(track)
    for _ in range(8):
        track.append(mido.Message("note_on", note=60, velocity=90, time=0))
        track.append(mido.Message("note_off", note=60, velocity=0, time=480))
    song.save(str(tmp_path / "plain.mid"))
    result = run_theme("show", "plain.mid", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[2] == "meters: (no time signature: read in 4/4, MIDI's rule)"
    assert lines[3].split() == ["4/4", "(2+2)", "bars", "1-2", "(2", "bars)"]
