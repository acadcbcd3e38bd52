"""44 more pieces of music21's corpus, none of those tests/test_corpus.py reads, each
read by theme straight from the corpus file and held to music21's own reading of the same
file: the bars start where music21's measures do, the meters are music21's, and every
played note is at music21's onset (ties merged pitch by pitch; no grace or cue notes, no
chord symbols). Chosen for two staves, chords with ties, ABC endings and meters, and
irregular measures (each reason said below)."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

import theme
from tests.test_corpus_cases import CORPUS, abc_tune, music21_bars, music21_notes

music21 = pytest.importorskip("music21")

MUSICXML = [
    ("schoenberg/opus19/movement2.mxl", "two staves, chords tied over barlines"),
    ("beach/prayer_of_a_tired_child.musicxml", "voice and piano: two staves, 6 parts"),
    ("liliuokalani/aloha_oe.mxl", "two staves, chords, 7 parts"),
    ("johnson_j_r/lift_every_voice.mxl", "two staves, chords with ties"),
    ("schumann_clara/opus17/movement3.xml", "piano trio: two staves, chords, 2175 notes"),
    ("webern/webern_dormi_jesu_op_16_no_2.mxl", "irregular measures, tuplets, meter changes"),
    ("demos/incorrect_time_signature_pv.mxl", "measures that do not fill their meter"),
    ("demos/two-parts.xml", "two parts"),
    ("demos/layoutTest.xml", "three parts, a short score"),
    ("leadSheet/berlinAlexandersRagtime.mxl", "chord symbols (not notes), ties"),
    ("monteverdi/madrigal.3.1.mxl", "5 voices, long tied notes"),
]

ABC = [
    *[
        ("essenFolksong/zuccal0.abc", n, "5/4, 3/2, 6/4 or a meter change")
        for n in (12, 16, 21, 26, 43, 56, 64, 72, 75, 79, 90, 103, 110)
    ],
    *[("oneills1850/0001-0050.abc", n, "ties") for n in range(1, 11)],
    *[
        ("oneills1850/1276-1375.abc", n, "first and second endings")
        for n in (1281, 1283, 1285, 1296, 1298, 1300, 1310, 1315, 1316, 1317)
    ],
]


def meters(score: object) -> list[str | None]:
    """The meter music21 gives each measure of the first part where it sets one."""
    from music21 import stream

    found: list[str | None] = []
    for measure in score.parts[0].getElementsByClass(stream.Measure):  # type: ignore[attr-defined]
        signature = measure.timeSignature
        found.append(signature.ratioString if signature is not None else None)
    return found


def held_to_music21(path: Path) -> None:
    score = music21.converter.parse(path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        timeline = theme.read(path)
    assert [b.start for b in timeline.bars] == music21_bars(score)
    shown = [str(b.meter) for b in timeline.bars]
    assert [m for m, want in zip(shown, meters(score)) if want] == [m for m in meters(score) if m]
    assert sorted((e.onset, e.pitch) for e in timeline.events) == music21_notes(score)


@pytest.mark.parametrize("name", [n for n, _ in MUSICXML])
def test_a_musicxml_piece_reads_as_music21_reads_it(name: str) -> None:
    held_to_music21(CORPUS / name)


@pytest.mark.parametrize(
    ("book", "number"), [(b, n) for b, n, _ in ABC], ids=[f"{Path(b).stem}-{n}" for b, n, _ in ABC]
)
def test_an_abc_tune_reads_as_music21_reads_it(tmp_path: Path, book: str, number: int) -> None:
    held_to_music21(abc_tune(tmp_path, book, number))


def test_none_of_these_is_a_piece_the_other_corpus_tests_read() -> None:
    from tests.test_corpus import ABC_TUNES, PIECES

    used = {name for name, _ in PIECES} | {name for name, _ in ABC_TUNES}
    used |= {"schumann_robert/dichterliebe_no2.xml", "schubert/Lindenbaum.xml"}
    mine = {name for name, _ in MUSICXML} | {f"{b}:{n}" for b, n, _ in ABC}
    assert len(mine) == 44 and not mine & used
