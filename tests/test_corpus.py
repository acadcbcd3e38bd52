"""Pieces of music21's bundled corpus, written to MusicXML and MIDI by music21 and read back
by theme.read: the bars start where music21's measures do, the meters are kept, and every
note (ties merged, grace notes and chord symbols left out) is at its onset.

Chosen once by inspecting the corpus with music21 (each reason said below). What music21's
own MIDI files cannot carry is not asked of them: its MIDI writer puts one time signature
at the start and none after a pickup or a short measure (so no reader can find those
barlines), plays repeats out, and plays chord symbols as notes; a MIDI file also ends with
its last note (an empty last measure leaves no trace). The MIDI checks keep to what the file
holds: the notes always, the bars where the piece has neither pickup nor short measure.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

import theme

music21 = pytest.importorskip("music21")

# (corpus path, why it is here)
PIECES = [
    # pickups (a short first measure) and short last measures, 4 voices
    ("bach/bwv298.mxl", "pickup, short last measure"),
    ("bach/bwv253.mxl", "pickup, 4 parts"),
    ("bach/bwv40.3.mxl", "pickup"),
    ("bach/bwv393.mxl", "pickup"),
    ("bach/bwv248.46-5.mxl", "pickup"),
    ("bach/bwv244.46.mxl", "pickup"),
    ("bach/bwv285.mxl", "pickup"),
    ("bach/bwv382.mxl", "pickup"),
    ("bach/bwv341.mxl", "pickup"),
    ("bach/bwv431.mxl", "pickup"),
    ("bach/bwv24.6.mxl", "pickup"),
    ("bach/bwv135.6.mxl", "pickup"),
    ("bach/bwv194.12.mxl", "pickup"),
    ("bach/bwv418.mxl", "pickup"),
    ("bach/bwv273.mxl", "pickup"),
    ("bach/bwv66.6", "pickup, the chorale music21's docs use"),
    # repeats (music21's MIDI plays them out: checked in MusicXML only)
    ("bach/bwv123.6.mxl", "repeat barlines"),
    ("bach/bwv301.mxl", "repeat barlines"),
    ("bach/bwv194.6.mxl", "repeat barlines"),
    ("bach/bwv55.5.mxl", "repeat barlines"),
    ("bach/bwv334.mxl", "repeats and a pickup"),
    # meter changes, full measures
    ("bach/bwv27.6.mxl", "meter change 4/4 and 3/2, 5 parts"),
    ("bach/bwv227.1.mxl", "full measures, 4 parts"),
    ("bach/bwv245.15.mxl", "full measures"),
    ("bach/bwv323.mxl", "full measures"),
    ("bach/bwv349.mxl", "3/4"),
    ("bach/bwv124.6.mxl", "5 parts"),
    # Palestrina from Humdrum: 3/2 and 4/2 breves, long tied notes across barlines, 5-6 parts
    ("palestrina/Gloria_70_c.krn", "3/2"),
    ("palestrina/Gloria_14_b.krn", "4/2, 5 parts"),
    ("palestrina/Credo_16_f.krn", "3/2, 6 parts"),
    ("palestrina/Gloria_16_i.krn", "4/2"),
    ("palestrina/Sanctus_32.krn", "4/2, ties across barlines"),
    ("palestrina/Credo_55_d.krn", "4/2, 6 parts"),
    ("palestrina/Agnus_II_66_b.krn", "3/2"),
    ("palestrina/Gloria_17_i.krn", "4/2"),
    # small demos: tuplets, chords in voices, no time signature, mensural
    ("demos/nested_tuplet_finale_test.xml", "nested tuplets (exact thirds and fifths)"),
    ("demos/nested_tuplet_finale_test2.xml", "nested tuplets, no time signature"),
    ("demos/voices_with_chords.xml", "two voices with chords (backup), no time signature"),
    ("demos/two-voices.xml", "two voices, an empty last measure"),
    ("demos/multiple-verses.xml", "lyrics in several verses"),
    ("demos/chorale_with_parallels.mxl", "chords in a 4-part chorale"),
    ("theoryExercises/TriadExercise.mxl", "block chords, 2 parts"),
    ("theoryExercises/checker_demo.mxl", "4 parts, whole notes"),
    ("ciconia/quod_jactatur.xml", "mensural canon, 35 measures"),
    ("leadSheet/fosterBrownHair.mxl", "chord symbols (not notes), repeats"),
    ("demos/chord_realization_exercise.mxl", "chord symbols over a bass"),
    ("schoenberg/opus19/movement6.mxl", "chords tied on over barlines, a pickup"),
    # (schubert/Lindenbaum.xml, with grace notes, is left out: music21 writes its odd
    # durations rounded to 1/10080 of a quarter, so its own offsets are not in the file)
]

MIDI_STRUCK_AGAIN = {"schoenberg/opus19/movement6.mxl"}
"""Pieces whose chords tied on music21's MIDI file strikes again (its stripTies leaves them):
the MIDI file has more notes than the score."""


def _q(value: Any) -> Fraction:
    """A music21 offset (float or Fraction, in quarter notes) exactly."""
    return value if isinstance(value, Fraction) else Fraction(value).limit_denominator(1 << 20)


@dataclass
class Piece:
    name: str
    midi: Path
    musicxml: Path
    starts: list[Fraction]
    meters: list[str | None]
    notes: list[tuple[Fraction, int]]
    short: bool  # a measure of another length than its meter's (a pickup)
    repeats: bool
    chord_symbols: bool
    sounding_end: Fraction


def _notes(part: Any) -> list[tuple[Fraction, int]]:
    """``(onset, MIDI pitch)`` of a part's notes, a tied note once, without grace notes and
    chord symbols (ties merged here, pitch by pitch: music21's stripTies leaves some chords'
    ties)."""
    from music21 import chord, harmony

    held: dict[int, Fraction] = {}  # pitch -> where its tied note ends
    notes = []
    for element in part.flatten().notes:
        if isinstance(element, harmony.Harmony) or element.duration.isGrace:
            continue
        onset, length = _q(element.offset), _q(element.duration.quarterLength)
        members = element.notes if isinstance(element, chord.Chord) else [element]
        for n in members:
            pitch, tie = int(n.pitch.midi), n.tie or element.tie
            kind = tie.type if tie is not None else None
            if kind in ("stop", "continue") and held.get(pitch) == onset:
                pass  # the same note, held on
            else:
                notes.append((onset, pitch))
            if kind in ("start", "continue"):
                held[pitch] = onset + length
            else:
                held.pop(pitch, None)
    return notes


def written_by_music21(
    config: pytest.Config, name: str, score: Any, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Path]:
    """The MIDI and MusicXML files music21 writes of the corpus piece ``name`` (``score``):
    written once for each version of music21 and kept in pytest's cache folder (writing them
    took two thirds of these tests' time), written afresh where there is no cache
    (``-p no:cacheprovider``)."""
    cache = getattr(config, "cache", None)
    if cache is None:
        folder = tmp_path_factory.mktemp("corpus")
    else:
        key = re.sub(r"[^A-Za-z0-9.]+", "-", f"corpus-music21-{music21.__version__}-{name}")
        folder = cache.mkdir(key)
    midi, musicxml = folder / "piece.mid", folder / "piece.musicxml"
    for path, kind in ((midi, "midi"), (musicxml, "musicxml")):
        if not path.is_file():
            fresh = path.with_name(f".{os.getpid()}.{path.name}")
            score.write(kind, fp=str(fresh))
            os.replace(fresh, path)  # whole or not there, should two runs write at once
    return midi, musicxml


@pytest.fixture(scope="module", params=PIECES, ids=[p for p, _ in PIECES])
def piece(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Piece:
    """A corpus piece parsed once, written by music21 to .mid and .musicxml."""
    from music21 import bar, corpus, harmony, stream

    name = request.param[0]
    score = corpus.parse(name)
    midi, musicxml = written_by_music21(request.config, name, score, tmp_path_factory)
    parts = list(score.parts)
    measures = list(parts[0].getElementsByClass(stream.Measure))
    meters: list[str | None] = []
    current = None
    for m in measures:
        if m.timeSignature is not None:
            current = f"{m.timeSignature.numerator}/{m.timeSignature.denominator}"
        meters.append(current)
    notes = sorted(n for part in parts for n in _notes(part))
    ends = [
        _q(n.offset) + _q(n.duration.quarterLength)
        for part in parts
        for n in part.flatten().notes
        if not isinstance(n, harmony.Harmony)
    ]
    return Piece(
        name=name,
        midi=midi,
        musicxml=musicxml,
        starts=[_q(m.offset) for m in measures],
        meters=meters,
        notes=notes,
        short=any(m.duration.quarterLength != m.barDuration.quarterLength for m in measures),
        repeats=bool(score.recurse().getElementsByClass(bar.Repeat)),
        chord_symbols=bool(score.recurse().getElementsByClass(harmony.Harmony)),
        sounding_end=max(ends),
    )


def _meters(timeline: theme.Timeline) -> list[str]:
    return [f"{b.meter.numerator}/{b.meter.denominator}" for b in timeline.bars]


def test_musicxml_keeps_the_bars_meters_and_notes(piece: Piece) -> None:
    timeline = theme.read(piece.musicxml)
    assert [b.start for b in timeline.bars] == piece.starts
    meters = _meters(timeline)
    assert [m for m, want in zip(meters, piece.meters) if want] == [m for m in piece.meters if m]
    assert sorted((e.onset, e.pitch) for e in timeline.events) == piece.notes


def _midi_notes(path: Path) -> list[tuple[Fraction, int]]:
    """Every note-on of a MIDI file as (quarter notes, pitch), read with mido: a second,
    independent reading of the same bytes."""
    import mido

    song = mido.MidiFile(str(path))
    notes = []
    for track in song.tracks:
        tick = 0
        for message in track:
            tick += message.time
            if message.type == "note_on" and message.velocity > 0:
                notes.append((Fraction(tick, song.ticks_per_beat), message.note))
    return sorted(notes)


def test_midi_keeps_the_notes_and_the_bars_it_holds(piece: Piece) -> None:
    timeline = theme.read(piece.midi)
    read = sorted((e.onset, e.pitch) for e in timeline.events)
    if piece.repeats or piece.chord_symbols or piece.name in MIDI_STRUCK_AGAIN:
        # music21's MIDI file plays repeats out and writes chord symbols and some tied
        # chords as notes: it is not the score, so the reading is held against the file.
        assert read == _midi_notes(piece.midi)
        return
    assert read == piece.notes
    if not piece.short:
        sounding = [s for s in piece.starts if s < piece.sounding_end]
        assert [b.start for b in timeline.bars] == sounding
        assert _meters(timeline)[: len(sounding)] == [
            m or "4/4" for m in piece.meters[: len(sounding)]
        ]


FINK_TUNE = 252
"""The number (``X:``) of 'Koenig Christian lebe wohl' among the 570 tunes of the corpus's
``essenFolksong/fink0.abc``: parsed alone, not the whole collection (3 s against 35 here)."""


def fink_tune(corpus: Any) -> Any:
    """The Essen folksong with a 5/4 bar among its 4/4 bars, as music21 parses it."""
    tune = corpus.parse("essenFolksong/fink0", number=FINK_TUNE)
    assert tune.metadata.title == "KOENIG CHRISTIAN LEBE WOHL"
    return tune


def test_a_5_4_bar_in_midi_starts_at_its_time_signature(tmp_path: Path) -> None:
    """Essen folksong 'Koenig Christian lebe wohl' (fink0): a pickup of two quarters, then
    4/4 with a 5/4 bar at quarters 34 to 39. music21's MIDI file holds 4/4 at 0 and 5/4 at
    34 (no pickup): the bar before the 5/4 is cut short there, the 5/4 bar is 34 to 39; its
    MusicXML holds the pickup, so every bar is where music21's measures are."""
    from music21 import converter, corpus, stream

    tune = fink_tune(corpus)
    musicxml, midi = tmp_path / "fink.musicxml", tmp_path / "fink.mid"
    tune.write("musicxml", fp=str(musicxml))
    # music21 cannot write this tune of an opus to MIDI straight (a StreamException): its
    # MusicXML, parsed again, it can
    converter.parse(musicxml).write("midi", fp=str(midi))
    measures = tune.parts[0].getElementsByClass(stream.Measure)
    assert [b.start for b in theme.read(musicxml).bars] == [_q(m.offset) for m in measures]
    bars = {(b.start, b.end): str(b.meter) for b in theme.read(midi).bars}
    assert bars[(34, 39)] == "5/4"
    assert bars[(32, 34)] == "4/4"  # cut short by the 5/4


ABC_TUNES = [
    ("ryansMammoth/OldJoeSifesReel.abc", "chord symbols and grace notes"),
    ("ryansMammoth/IndianRiverHornpipe.abc", "chord symbols and grace notes"),
    ("ryansMammoth/PaddyMilesFricasseeReel.abc", "triplets"),
    ("ryansMammoth/RedLionHornpipe.abc", "triplets"),
    ("ryansMammoth/BarneyBrallagansJig.abc", "3/4"),
    ("ryansMammoth/DrinkOfBrandySlipjig.abc", "9/8"),
    ("ryansMammoth/TwoPennyPostmansJig.abc", "6/8, a short tune"),
]


@pytest.mark.parametrize("name", [n for n, _ in ABC_TUNES])
def test_an_abc_tune_keeps_music21s_measures_and_notes(name: str) -> None:
    from music21 import corpus, stream

    path = corpus.getWork(name)
    score = corpus.parse(name)
    timeline = theme.read(path)
    measures = score.parts[0].getElementsByClass(stream.Measure)
    assert [b.start for b in timeline.bars] == [_q(m.offset) for m in measures]
    notes = sorted(n for part in score.parts for n in _notes(part))
    assert sorted((e.onset, e.pitch) for e in timeline.events) == notes


# -- every strategy on the pieces in its source meter ------------------------------------

SOURCE_METERS = {"clave": "4/4"}
"""clave takes 4/4 to 5/4; the others take 5/4 to 4/4 (fink0's 5/4 bar, below)."""


def test_clave_on_every_piece_in_four_keeps_every_note(piece: Piece) -> None:
    """Bars in 4/4 become 5/4 (the other meters, a pickup and a short last bar are kept as
    they are); no note is lost."""
    from theme.core.remeter import remeter
    from theme.errors import RemeterError

    timeline = theme.read(piece.musicxml)
    if not any(str(bar.meter) == "4/4" for bar in timeline.bars):  # 3/2, 3/4, 4/2...
        with pytest.raises(RemeterError, match="needs music in 4/4"):
            remeter(timeline, "clave", strict=False)
        return
    five = remeter(timeline, "clave", strict=False)
    assert len(five.events) == len(timeline.events)
    assert sorted(e.pitch for e in five.events) == sorted(e.pitch for e in timeline.events)
    assert {str(b.meter) for b in five.bars} - {str(b.meter) for b in timeline.bars} <= {"5/4"}


@pytest.fixture(scope="module")
def fink(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Essen folksong with a 5/4 bar among its 4/4 bars, as MusicXML."""
    from music21 import corpus

    tune = fink_tune(corpus)
    path = tmp_path_factory.mktemp("fink") / "fink.musicxml"
    tune.write("musicxml", fp=str(path))
    return path


@pytest.mark.parametrize("strategy", ["squeeze", "drop", "stretch", "rebar"])
def test_five_to_four_on_a_folksong_keeps_its_promise(fink: Path, strategy: str) -> None:
    from theme.core.remeter import dropped_notes, remeter

    timeline = theme.read(fink)
    four = remeter(timeline, strategy, strict=False)
    assert "5/4" not in {str(b.meter) for b in four.bars}
    assert len(four.events) == len(timeline.events) - dropped_notes(timeline, strategy)
    if strategy != "drop":
        assert dropped_notes(timeline, strategy) == 0


REAL_PROGRAM_CASES = [
    ("bach/bwv66.6", "clave"),
    ("bach/bwv253.mxl", "clave"),
    *[("essenFolksong/fink0", strategy) for strategy in ("squeeze", "drop", "stretch", "rebar")],
]


@pytest.mark.external
@pytest.mark.parametrize(("name", "strategy"), REAL_PROGRAM_CASES)
def test_fluidsynth_and_musescore_open_a_remetered_piece(
    name: str, strategy: str, tmp_path: Path, fink: Path
) -> None:
    """A corpus piece remetered (two chorales to 5/4 by clave, the folksong's 5/4 bar to 4/4
    by each other strategy) and written by theme: FluidSynth renders the MIDI file and
    MuseScore converts the MusicXML, neither with a warning or an error."""
    import os
    import shutil
    import subprocess

    from music21 import corpus

    from theme.core.remeter import remeter

    fluidsynth, musescore = shutil.which("fluidsynth"), shutil.which("musescore3")
    soundfont = Path("/usr/share/sounds/sf2/FluidR3_GM.sf2")
    if not (fluidsynth and musescore and soundfont.exists()):
        pytest.skip("needs fluidsynth, fluid-soundfont-gm and musescore3 (apt-get install)")
    source = fink
    if name != "essenFolksong/fink0":
        source = tmp_path / "chorale.musicxml"
        corpus.parse(name).write("musicxml", fp=str(source))
    remetered = remeter(theme.read(source), strategy, strict=False)
    midi = theme.write(remetered, tmp_path / "out.mid")
    xml = theme.write(remetered, tmp_path / "out.musicxml")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_RUNTIME_DIR": str(tmp_path)}
    runs = [
        [fluidsynth, "-ni", "-F", str(tmp_path / "out.wav"), str(soundfont), str(midi)],
        [musescore, "-o", str(tmp_path / "out.pdf"), str(xml)],
    ]
    for command in runs:
        result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=180)
        log = [
            line
            for line in (result.stdout + result.stderr).splitlines()
            if "error" in line.lower() or "warn" in line.lower()
        ]
        assert result.returncode == 0 and log == [], (command[0], log)
    assert (tmp_path / "out.wav").stat().st_size > 0
    assert (tmp_path / "out.pdf").stat().st_size > 0
