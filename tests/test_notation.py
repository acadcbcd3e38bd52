"""The music21 Score, MusicXML (read back, schema-valid, opened by MuseScore), SVG."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from fractions import Fraction
from pathlib import Path

import mido
import pytest

import theme
from tests.conftest import DATA, run_theme
from theme.errors import InputFileError
from theme.readers.musicxml import read_musicxml
from theme.renderers.notation import (
    musicxml_string,
    svg,
    write_musicxml,
    write_svg,
)
from theme.renderers.score import to_score

SCHEMA = DATA / "musicxml-4.0" / "musicxml.xsd"
CASES = [(name, None) for name in theme.names()] + [
    ("tv-1966", s) for s in ("squeeze", "drop", "stretch", "rebar")
]


def timeline_of(name: str, strategy: str | None) -> theme.Timeline:
    variant = theme.load(name)
    timeline = variant.timeline(bars=min(variant.total_bars, 12))
    return timeline.remeter(strategy) if strategy else timeline


@pytest.fixture(scope="module")
def exported(
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[tuple[str, str | None], tuple[theme.Timeline, Path]]:
    folder = tmp_path_factory.mktemp("xml")
    files = {}
    for name, strategy in CASES:
        timeline = timeline_of(name, strategy)
        files[(name, strategy)] = (
            timeline,
            write_musicxml(timeline, folder / f"{name}-{strategy}.musicxml"),
        )
    return files


@pytest.mark.parametrize(("name", "strategy"), CASES)
def test_musicxml_read_back_by_music21(exported, name: str, strategy: str | None) -> None:  # type: ignore[no-untyped-def]
    from music21 import converter, stream

    timeline, path = exported[(name, strategy)]
    score = converter.parse(path)
    assert [p.partName for p in score.parts] == list(timeline.layers)
    for part in score.parts:
        assert part.getInstrument(returnDefault=False) is not None
        measures = list(part.getElementsByClass(stream.Measure))
        assert len(measures) == len(timeline.bars)
        assert [Fraction(m.barDuration.quarterLength) for m in measures] == [
            b.meter.bar_quarters for b in timeline.bars
        ]
        signatures = [
            (m.number, f"{m.timeSignature.numerator}/{m.timeSignature.denominator}")
            for m in measures
            if m.timeSignature
        ]
        assert signatures == [
            (timeline.bar_at(at).number, f"{mt.numerator}/{mt.denominator}")
            for at, mt in timeline.meter_changes()
        ]
        for m in measures:
            assert sum(Fraction(n.quarterLength) for n in m.notesAndRests) == Fraction(
                m.barDuration.quarterLength
            )
    back = read_musicxml(path)
    for layer in timeline.layers:
        assert [(e.onset, e.duration) for e in back.layer_events(layer)] == [
            (
                e.onset,
                min(
                    e.duration,
                    next(
                        (o.onset for o in timeline.layer_events(layer) if o.onset > e.onset),
                        e.onset + e.duration,
                    )
                    - e.onset,
                ),
            )
            for e in timeline.layer_events(layer)
        ]


def test_five_four_is_beamed_three_plus_two() -> None:
    score = to_score(theme.load("take-five-vamp").timeline(bars=1).with_events([], layers=[]))
    ts = score.parts[0].getElementsByClass("Measure")[0].timeSignature
    assert str(ts.beamSequence) == "{3/4+2/4}"
    melody = to_score(theme.load("tv-1966", intro_bars=0, melody_bars=4).timeline()).parts[2]
    cadence = list(melody.getElementsByClass("Measure")[3].notes)
    starts = [n.beams.getByNumber(1).type for n in cadence if n.beams and n.beams.getByNumber(1)]
    assert starts == [
        "start",
        "continue",
        "continue",
        "continue",
        "continue",
        "stop",
        "start",
        "stop",
    ]


def test_accents_ties_and_rehearsal_marks() -> None:
    score = to_score(theme.load("tv-1966", intro_bars=1, melody_bars=4).timeline())
    bass = list(score.parts[0].recurse().notes)
    assert [bool(n.articulations) for n in bass[:4]] == [True, False, False, False]
    marks = [m.content for m in score.recurse().getElementsByClass("RehearsalMark")]
    assert marks == ["intro", "melody"]
    rebarred = to_score(
        theme.load("tv-1966", intro_bars=0, melody_bars=4).timeline().remeter("rebar")
    )
    ties = [(n.measureNumber, n.tie.type) for n in rebarred.parts[2].recurse().notes if n.tie]
    assert ties[:3] == [
        (1, "start"),
        (1, "continue"),
        (2, "stop"),
    ]  # the long note from beat 2 shows beat 3 of 4/4 and crosses the barline


@pytest.mark.external
@pytest.mark.parametrize(("name", "strategy"), CASES)
def test_musicxml_is_valid_against_the_schema(exported, name: str, strategy: str | None) -> None:  # type: ignore[no-untyped-def]
    if not shutil.which("xmllint"):
        pytest.skip("xmllint is not installed (apt-get install libxml2-utils)")
    _, path = exported[(name, strategy)]
    result = subprocess.run(
        ["xmllint", "--noout", "--nonet", "--schema", str(SCHEMA), str(path)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-2000:]


@pytest.mark.parametrize(("name", "strategy"), CASES)
def test_verovio_engraves_every_file(exported, name: str, strategy: str | None) -> None:  # type: ignore[no-untyped-def]
    timeline, _ = exported[(name, strategy)]
    pages = svg(timeline)
    assert pages and all(p.startswith("<?xml") or p.startswith("<svg") for p in pages)
    assert sum(p.count('class="measure"') for p in pages) == len(timeline.bars)


def test_write_svg(tmp_path: Path) -> None:
    written = write_svg(theme.load("tv-1966").timeline(), tmp_path / "tv.svg")
    assert written[0] == tmp_path / "tv.svg" and "<svg" in written[0].read_text()


def test_a_count_in_keeps_each_part_in_its_own_clef() -> None:
    timeline = theme.count_in(theme.load("tv-1966").timeline(bars=2), 1)
    score = to_score(timeline)
    clefs = [type(p.recurse().getElementsByClass("Clef")[0]).__name__ for p in score.parts]
    assert clefs == ["PercussionClef", "BassClef", "PercussionClef", "TrebleClef"]
    assert score.parts[0].partName == "count-in"
    assert len(score.parts[1].getElementsByClass("Measure")) == 3


def test_engraving_to_png_keeps_the_tempo_mark(tmp_path: Path) -> None:
    from theme.renderers.picture import without_smufl_text

    if not (shutil.which("rsvg-convert") or shutil.which("convert")):
        pytest.skip("no SVG converter (apt-get install librsvg2-bin)")
    result = run_theme("export", "tv-1966", "--bars", "2", "-o", "tv.png", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tv.png"]  # no tv.svg made or touched
    assert (tmp_path / "tv.png").read_bytes()[:4] == b"\x89PNG"
    assert (
        run_theme("export", "tv-1966", "--bars", "2", "-o", "tv.svg", cwd=tmp_path).returncode == 0
    )
    page = (tmp_path / "tv.svg").read_text()
    assert 'font-family="Leipzig"' in page  # the SVG keeps the music font for browsers
    plain = without_smufl_text(page)
    assert 'font-family="Leipzig"' not in plain and "\u2669" in plain  # the PNG gets a ♩


@pytest.mark.external
@pytest.mark.parametrize("name", ["tv-1966", "remix-1996", "remix-2000", "balkan-11"])
def test_musescore_opens_and_converts(exported, tmp_path: Path, name: str) -> None:  # type: ignore[no-untyped-def]
    program = shutil.which("musescore3") or shutil.which("mscore3")
    if not program:
        pytest.skip("MuseScore 3 is not installed (apt-get install musescore3)")
    timeline, path = exported[(name, None)]
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_RUNTIME_DIR": str(tmp_path)}
    for suffix in (".pdf", ".mid"):
        out = tmp_path / f"out{suffix}"
        result = subprocess.run(
            [program, "-o", str(out), str(path)],
            capture_output=True,
            text=True,
            env=env,
            timeout=180,
        )
        log = [
            line
            for line in (result.stdout + result.stderr).splitlines()
            if "error" in line.lower() or "warning" in line.lower()
        ]
        assert result.returncode == 0 and out.stat().st_size > 0 and log == []
    midi = mido.MidiFile(tmp_path / "out.mid")
    signatures = [
        (m.numerator, m.denominator) for t in midi.tracks for m in t if m.type == "time_signature"
    ]
    assert signatures == [(mt.numerator, mt.denominator) for _, mt in timeline.meter_changes()]
    assert midi.length == pytest.approx(float(timeline.duration_seconds), rel=1e-3)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "not valid MusicXML"),
        (b"<score-partwise><part", "not valid MusicXML"),
        (b"\x00\x01binary", "not valid MusicXML"),
    ],
)
def test_bad_musicxml(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.musicxml"
    path.write_bytes(content)
    with pytest.raises(InputFileError, match=rf"cannot read MusicXML file '{path}': {message}"):
        read_musicxml(path)
    with pytest.raises(InputFileError, match="no such file"):
        read_musicxml(tmp_path / "none.musicxml")
    with pytest.raises(InputFileError, match="it is a folder"):
        read_musicxml(tmp_path)


@pytest.mark.parametrize(
    ("meter", "tempo", "unit", "per_minute"),
    [
        ("5/4", "q=160", "quarter", "160"),
        ("7/8", "e=280", "eighth", "280"),
        ("6/8", "q.=100", "quarter", "100"),  # dotted: <beat-unit-dot/>
        ("2/2", "h=80", "half", "80"),
    ],
)
def test_the_tempo_mark_counts_what_musicians_count(
    tmp_path: Path, meter: str, tempo: str, unit: str, per_minute: str
) -> None:
    from theme.core.meter import Meter
    from theme.core.timeline import Event, Layer, Timeline

    timeline = Timeline.build(
        title="t",
        bars=[(Meter.parse(meter), "")] * 2,
        tempo=tempo,
        layers=[Layer("bass", "bass")],
        events=[Event(Fraction(0), Fraction(1, 2), "bass", 40)],
    )
    path = write_musicxml(timeline, tmp_path / "t.musicxml")
    text = path.read_text()
    assert f"<beat-unit>{unit}</beat-unit>" in text
    assert ("<beat-unit-dot" in text) == (meter == "6/8")
    assert f"<per-minute>{per_minute}</per-minute>" in text
    assert read_musicxml(path).tempo_map.segments[0].qpm == timeline.tempo_map.segments[0].qpm


def measure_of(path: Path, part_name: str, number: int) -> list[tuple[str, int, list[str]]]:
    """``(note or rest, duration in divisions, tie types)`` of one measure of the MusicXML."""
    import xml.etree.ElementTree as ET

    root = ET.parse(path).getroot()
    ids = {sp.get("id"): sp.findtext("part-name") for sp in root.iter("score-part")}
    part = next(p for p in root.iter("part") if ids[p.get("id")] == part_name)
    measure = part.findall("measure")[number - 1]
    return [
        (
            "rest" if n.find("rest") is not None else "note",
            int(n.findtext("duration") or 0),
            [t.get("type") or "" for t in n.findall("tie")],
        )
        for n in measure.iter("note")
    ]


def test_a_grouping_other_than_the_default_is_written_and_read_back(tmp_path: Path) -> None:
    waltz = theme.load("limping-waltz").timeline(bars=2)
    assert str(waltz.bars[0].meter) == "2+3/4"
    path = write_musicxml(waltz, tmp_path / "waltz.musicxml")
    text = path.read_text()
    assert "<beats>2+3</beats>" in text and "<beat-type>4</beat-type>" in text
    assert read_musicxml(path).bars[0].meter == waltz.bars[0].meter
    assert str(read_musicxml(path).bars[0].meter) == "2+3/4"
    tv = write_musicxml(theme.load("tv-1966").timeline(bars=1), tmp_path / "tv.musicxml")
    assert "<beats>5</beats>" in tv.read_text()  # the default 3+2 is written plainly
    assert str(read_musicxml(tv).bars[0].meter) == "5/4"


def test_a_note_across_a_group_is_two_tied_notes(tmp_path: Path) -> None:
    timeline = theme.load("tv-1966", intro_bars=0, melody_bars=1).timeline()
    long_note = [e for e in timeline.layer_events("melody") if e.duration == 4]
    assert long_note and long_note[0].onset == 1  # from beat 2 across the 3+2 groups
    path = write_musicxml(timeline, tmp_path / "tv.musicxml")
    notes = measure_of(path, "melody", 1)
    divisions = 4 if notes[0][1] == 2 else notes[0][1] * 2  # an eighth is the first note
    assert [(kind, d * 4 // divisions, ties) for kind, d, ties in notes] == [
        ("note", 2, []),
        ("note", 2, []),
        ("note", 8, ["start"]),  # beats 2-3: to the end of the group of three
        ("note", 8, ["stop"]),  # beats 4-5: the group of two
    ]
    assert [(e.onset, e.duration) for e in read_musicxml(path).layer_events("melody")] == [
        (e.onset, e.duration) for e in timeline.layer_events("melody")
    ]


def test_rests_show_the_beats(tmp_path: Path) -> None:
    remix = theme.load("remix-1996", intro_bars=0, body_bars=1).timeline()
    path = write_musicxml(remix, tmp_path / "remix.musicxml")
    clap = measure_of(path, "clap", 1)  # '--x---x-' in 4/4
    eighth = clap[1][1]  # the second element is the clap on beat 2, an eighth
    assert [(kind, d / eighth) for kind, d, _ in clap] == [
        ("rest", 2),
        ("note", 1),
        ("rest", 1),  # to beat 3, which a dotted quarter rest would hide
        ("rest", 2),
        ("note", 1),
        ("rest", 1),
    ]


def test_staff_names_are_written_in_full_where_there_is_room(tmp_path: Path) -> None:
    path = write_musicxml(theme.load("tv-1966").timeline(bars=1), tmp_path / "tv.musicxml")
    text = path.read_text()
    assert re.findall(r"<part-name>(.*?)</part-name>", text) == ["bass", "bongos", "melody"]
    shown = re.findall(r"<part-name-display><display-text>(.*?)</display-text>", text)
    assert shown == ["Bass", "Bongos", "Melody"]
    assert re.findall(r"<part-abbreviation>(.*?)</part-abbreviation>", text) == shown
    assert [layer for layer in read_musicxml(path).layers] == ["bass", "bongos", "melody"]
    clicks = theme.count_in(theme.load("tv-1966").timeline(bars=1), 1)
    assert "<display-text>Count-in</display-text>" in musicxml_string(clicks)
    long_name = theme.Timeline.build(
        title="t",
        bars=[(theme.Meter.parse("4/4"), "")],
        tempo=120,
        layers=[theme.Layer("tenor saxophone one", "bass")],
    )
    assert "<part-abbreviation>Ten.</part-abbreviation>" in musicxml_string(long_name)


def test_the_same_music_is_written_the_same_byte_for_byte(tmp_path: Path) -> None:
    """Parts and instruments get MuseScore's ids (``P1``, ``P1-I1``) where music21 would draw
    random ones, so two exports of the same music are the same file (a diff shows only what
    changed, a build is reproducible)."""
    first = run_theme("export", "remix-1996", "-o", str(tmp_path / "a.musicxml"))
    again = run_theme("export", "remix-1996", "-o", str(tmp_path / "b.musicxml"))
    assert first.returncode == again.returncode == 0, first.stderr + again.stderr
    text = (tmp_path / "a.musicxml").read_text()
    assert (tmp_path / "b.musicxml").read_text() == text
    parts = re.findall(r'<score-part id="([^"]*)">', text)
    assert parts == [f"P{n}" for n in range(1, len(parts) + 1)] and len(parts) >= 3
    assert re.findall(r'<part id="([^"]*)">', text) == parts
    assert set(re.findall(r'<score-instrument id="([^"]*)">', text)) <= {f"{p}-I1" for p in parts}


def _staff_texts(svg_page: str) -> set[str]:
    return set(re.findall(r">([A-Za-z][A-Za-z .-]*)</tspan>", svg_page))


def test_a_metronome_of_two_meters_has_a_staff_in_each_meter_and_no_ties(
    tmp_path: Path,
) -> None:
    from theme.renderers.notation import engrave

    metronome = theme.Metronome("7/8", vs="4/4", bars=8)
    timeline = metronome.timeline()
    path = write_musicxml(timeline, tmp_path / "m.musicxml")
    text = path.read_text()
    assert "<tie " not in text and "<tied " not in text  # no note tied across a barline
    shown = re.findall(r"<part-name-display><display-text>(.*?)</display-text>", text)
    assert shown == ["Click", "Second click"]
    parts = re.findall(r"<part id=[^>]*>(.*?)</part>", text, re.S)
    signatures = [re.findall(r"<beats>(\d+)</beats>\s*<beat-type>(\d+)", part) for part in parts]
    assert signatures == [[("7", "8")], [("4", "4")]]  # each staff its own time signature
    assert [len(re.findall(r"<measure ", part)) for part in parts] == [8, 7]  # 28 quarters
    back = read_musicxml(path)
    for layer in ("click", "vs"):
        assert [e.onset for e in back.layer_events(layer)] == [
            e.onset for e in timeline.layer_events(layer)
        ]
    # the score the page follows: each engraved note at the onset of its click
    engraving = engrave(timeline)
    assert sorted(n.onset for n in engraving.notes.values()) == sorted(
        e.onset for e in timeline.events
    )
    assert sorted(engraving.measures.values()) == [bar.start for bar in timeline.bars]
    assert {"Click", "Second click"} <= _staff_texts(engraving.pages[0])
    assert not {"Cl.", "vs"} & _staff_texts(engraving.pages[0])


def test_a_count_in_before_two_meters_rests_in_the_first_meter(tmp_path: Path) -> None:
    timeline = theme.Metronome("5/4", vs="4/4", bars=4, count_in=1).timeline()
    text = write_musicxml(timeline, tmp_path / "m.musicxml").read_text()
    second = re.findall(r"<part id=[^>]*>(.*?)</part>", text, re.S)[1]
    assert re.findall(r"<beats>(\d+)</beats>", second) == ["5", "4"]  # rests, then its own
    assert "<tie " not in text
    back = read_musicxml(tmp_path / "m.musicxml")
    assert [e.onset for e in back.layer_events("vs")] == [
        e.onset for e in timeline.layer_events("vs")
    ]


def test_a_bar_regrouped_in_its_meter_is_not_shown_as_a_new_time_signature(
    tmp_path: Path,
) -> None:
    rondo = theme.load("blue-rondo").timeline()
    text = write_musicxml(rondo, tmp_path / "rondo.musicxml").read_text()
    first_part = re.findall(r"<part id=[^>]*>(.*?)</part>", text, re.S)[0]
    times = re.findall(r"<time([^>]*)>\s*<beats>([^<]*)</beats>", first_part)
    assert times[0] == ("", "2+2+2+3")  # shown once, at the start
    assert all('print-object="no"' in attributes for attributes, _ in times[1:])
    back = read_musicxml(tmp_path / "rondo.musicxml")
    assert [b.meter for b in back.bars] == [b.meter for b in rondo.bars]  # the grouping kept


@pytest.mark.external
def test_musescore_reads_the_composite_time_signature(tmp_path: Path) -> None:
    program = shutil.which("musescore3") or shutil.which("mscore3")
    if not program:
        pytest.skip("MuseScore 3 is not installed (apt-get install musescore3)")
    path = write_musicxml(theme.load("limping-waltz").timeline(bars=2), tmp_path / "w.musicxml")
    out = tmp_path / "w.mid"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_RUNTIME_DIR": str(tmp_path)}
    result = subprocess.run(
        [program, "-o", str(out), str(path)], capture_output=True, text=True, env=env, timeout=180
    )
    assert result.returncode == 0, result.stderr[-500:]
    signatures = [
        (m.numerator, m.denominator)
        for t in mido.MidiFile(out).tracks
        for m in t
        if m.type == "time_signature"
    ]
    assert signatures == [(5, 4)]


@pytest.mark.parametrize("name", ["bwv1.6.mxl", "bwv10.7.mxl", "bwv112.5.mxl"])
def test_our_reader_agrees_with_music21_on_real_scores(name: str) -> None:
    """Bach chorales from music21's corpus (four voices, chords, ties, pickups): every
    note at the same measure and offset as music21 reads it."""
    from collections import Counter

    from music21 import corpus, stream

    path = next(p for p in corpus.getComposer("bach") if p.name == name)
    score = corpus.parse(path)
    theirs: Counter[tuple[int, int, Fraction]] = Counter()
    for index, part in enumerate(score.parts):
        numbers = [m.number for m in part.getElementsByClass(stream.Measure)]
        for m in part.getElementsByClass(stream.Measure):
            for n in m.recurse().notes:
                if n.tie is None or n.tie.type == "start":
                    offset = Fraction(n.getOffsetInHierarchy(m)).limit_denominator(960)
                    theirs[(index, m.number - numbers[0] + 1, offset)] += len(n.pitches)
    ours = read_musicxml(path)
    layers = list(ours.layers)
    mine: Counter[tuple[int, int, Fraction]] = Counter()
    for e in ours.events:
        bar = ours.bar_at(e.onset)
        mine[(layers.index(e.layer), bar.number, e.onset - bar.start)] += 1
    assert mine == theirs


@pytest.mark.parametrize(
    ("name", "written"),
    [
        ("ミッション", "ミッション"),
        ("Café à 5/4", "Café à 5/4"),
        ("bad\x01\x1b[31m", "bad??[31m"),
        (b"caf\xe9".decode("utf-8", "surrogateescape"), "caf?"),
    ],
)
def test_any_name_makes_well_formed_musicxml(tmp_path: Path, name: str, written: str) -> None:
    from theme.core.meter import Meter
    from theme.core.timeline import Event, Layer, Timeline

    timeline = Timeline.build(
        title=name,
        bars=[(Meter.parse("5/4"), name)],
        tempo=100,
        layers=[Layer(name, "bass")],
        events=[Event(Fraction(0), Fraction(1), name, 40)],
    )
    path = write_musicxml(timeline, tmp_path / "n.musicxml")
    back = read_musicxml(path)
    assert back.title == written and list(back.layers) == [written]
    if not shutil.which("xmllint"):
        pytest.skip("xmllint is not installed (apt-get install libxml2-utils)")
    result = subprocess.run(
        ["xmllint", "--noout", "--nonet", "--schema", str(SCHEMA), str(path)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-500:]
