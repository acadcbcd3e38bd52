"""ABC tunes built by structure (header fields, note lengths, bars, repeats, endings, ties,
chords, tuplets, inline fields, voices), from the ordinary to the hostile, read by a child
process held to 3 GB of memory and a CPU ceiling (tests/limited.py) with a wall-clock bound a
tune: each is a clean refusal (a ThemeError of one line naming the file) or a timeline whose
bars follow each other and hold its notes."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.limited import LimitedReader, check_timeline

FUZZ = settings(
    max_examples=60,
    deadline=None,  # the child's own bound: LimitedReader.read's wall clock
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def mostly(
    plain: st.SearchStrategy[str], hostile: st.SearchStrategy[str], odds: int = 10
) -> st.SearchStrategy[str]:
    """``hostile`` once in ``odds`` draws, else ``plain``."""
    return st.integers(1, odds).flatmap(lambda k: hostile if k == odds else plain)


# numbers from the plain to the hostile: 0, huge, many digits, negative
NUMBERS = mostly(
    st.integers(1, 16).map(str),
    st.sampled_from(["0", "99999999", "9" * 40, "-3", "1024", "257"]),
)
PLAIN_LENGTHS = st.sampled_from(["", "", "2", "3", "4", "/", "//", "3/2", "/4", "8"])
LENGTHS = mostly(
    PLAIN_LENGTHS,
    st.sampled_from(["16", "0", "/0", "99999"])
    | st.builds(lambda a, b: f"{a}/{b}", NUMBERS, NUMBERS),
)
NOTES = st.builds(
    lambda acc, letter, octave, length: f"{acc}{letter}{octave}{length}",
    st.sampled_from(["", "^", "_", "="]),
    st.sampled_from(list("CDEFGABcdefgabz")),
    st.sampled_from(["", ",", "'", ",,"]),
    LENGTHS,
)
PLAIN_NOTES = st.builds(
    lambda acc, letter, octave, length: f"{acc}{letter}{octave}{length}",
    st.sampled_from(["", "^", "_", "="]),
    st.sampled_from(list("CDEFGABcdefgabz")),
    st.sampled_from(["", ",", "'", ",,"]),
    PLAIN_LENGTHS,
)


@st.composite
def chords(draw: st.DrawFn, plain: bool = False) -> str:
    members = draw(st.lists(PLAIN_NOTES if plain else NOTES, min_size=1, max_size=3))
    return "[" + "".join(members) + "]" + draw(PLAIN_LENGTHS if plain else LENGTHS)


BARLINES = st.sampled_from(
    ["|", "|", "|", "||", "|]", "|:", ":|", "::", "|1", ":|2", "[1", "[2", "|[1", ":|[2"]
)
PLAIN_ITEMS = st.one_of(
    PLAIN_NOTES,
    PLAIN_NOTES,
    PLAIN_NOTES.map(lambda n: n + "-"),  # a tie to whatever comes next, of its pitch or not
    chords(plain=True),
    st.builds(lambda notes: "(3" + "".join(notes), st.lists(PLAIN_NOTES, min_size=3, max_size=3)),
    st.builds(lambda g: "{" + g + "}", PLAIN_NOTES),
    st.sampled_from(['"Am"', "!trill!", "~", ".", "> ", "< ", " ", "[M:5/4]", "[L:1/16]"]),
)
HOSTILE_ITEMS = st.one_of(
    st.builds(
        lambda p, notes: f"({p}" + "".join(notes),
        st.sampled_from(["2", "5", "0", "9999"]),
        st.lists(NOTES, min_size=1, max_size=5),
    ),
    st.builds(lambda n: f"[M:{n}/4]", NUMBERS),
    st.builds(lambda n: f"[L:1/{n}]", NUMBERS),
    st.builds(lambda n: f"[Q:1/4={n}]", NUMBERS),
    st.builds(lambda n: f"Z{n}", NUMBERS),
)
ITEMS = mostly(PLAIN_ITEMS, HOSTILE_ITEMS, odds=60)


@st.composite
def bars(draw: st.DrawFn, plain: bool = False) -> str:
    items = PLAIN_ITEMS if plain else ITEMS
    return "".join(draw(st.lists(items, min_size=1, max_size=8))) + draw(BARLINES)


@st.composite
def tunes(draw: st.DrawFn, plain: bool = False) -> str:
    """A tune; ``plain``: only plain bars (the header may still be hostile)."""
    fields = ["X:1", "T:fuzz"]
    if draw(st.booleans()):
        meters = mostly(
            st.sampled_from(["C", "C|", "none", "(2+3)/8", "5/4", "7/8", "6/8", "3/4", "4/4"]),
            st.builds(lambda a, b: f"{a}/{b}", NUMBERS, st.sampled_from(["2", "16", "3", "0"])),
        )
        fields.append("M:" + draw(meters))
    if draw(st.booleans()):
        units = mostly(
            st.sampled_from(["1/4", "1/8", "1/16", "1/2"]),
            st.builds(lambda a, b: f"{a}/{b}", NUMBERS, NUMBERS),
        )
        fields.append("L:" + draw(units))
    if draw(st.booleans()):
        beat = draw(st.sampled_from(["1/4=", "3/8=", "", "1/2 1/4=", '"Allegro" 1/4=']))
        fields.append("Q:" + beat + draw(mostly(st.integers(40, 240).map(str), NUMBERS)))
    fields.append(f"K:{draw(st.sampled_from(['C', 'G', 'Dm', 'Amix', 'none']))}")
    lines = []
    for _ in range(draw(st.integers(1, 4))):
        voice = draw(st.sampled_from(["", "V:1\n", "V:2\n"]))
        lines.append(voice + "".join(draw(st.lists(bars(plain), min_size=1, max_size=6))))
    return "\n".join(fields + lines) + "\n"


@pytest.fixture(scope="module")
def reader() -> Iterator[LimitedReader]:
    child = LimitedReader()
    yield child
    child.close()


def _check(reader: LimitedReader, text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "tune.abc"
        path.write_text(text, encoding="utf-8")
        answer = reader.read(path)  # a hang: the CPU ceiling, then the wall clock
    if "refused" in answer:
        message = answer["refused"]
        assert "\n" not in message and message.startswith(f"cannot read ABC file {str(path)!r}: ")
        event("refused: " + message.split(": ", 1)[1][:40])
    else:
        check_timeline(answer)
        event("read")


@FUZZ
@given(text=tunes())
def test_any_abc_tune_is_a_timeline_or_one_clean_line(reader: LimitedReader, text: str) -> None:
    _check(reader, text)


@FUZZ
@given(text=tunes(plain=True))
def test_a_plain_abc_tune_is_a_timeline_or_one_clean_line(reader: LimitedReader, text: str) -> None:
    """Bars of plain notes, ties, chords, triplets, grace notes and endings: most are read
    (music21 reads them), and each reading is a valid timeline."""
    _check(reader, text)
