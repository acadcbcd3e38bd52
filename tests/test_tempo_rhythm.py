"""Tempos and tempo maps (exact seconds, ramps against the integral), rhythms and pitches."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from theme.core.rhythm import Hit, Rhythm, note_number, parse_pitches
from theme.core.tempo import Tempo, TempoMap, TempoSegment, to_sample
from theme.errors import RhythmError, TempoError


@pytest.mark.parametrize(
    ("text", "qpm"),
    [
        ("160", 160),
        (160, 160),
        ("q=160", 160),
        ("e=300", 150),
        ("q.=100", 150),
        ("h=80", 160),
        ("s=480", 120),
        ("s.=160", 60),
        ("w.=10", 60),
        ("96.5", Fraction(193, 2)),
    ],
)
def test_tempo_counts_quarters_unless_told(text: str | int, qpm: Fraction) -> None:
    assert Tempo.parse(text).qpm == qpm


@pytest.mark.parametrize(
    "text",
    ["0", "q=0", "q=3", "-5", "fast", "x=120", "q=", "2001", "e=4001", "", "0/0", "q=1/0", "s.=1"],
)
def test_bad_tempos(text: str) -> None:
    with pytest.raises(TempoError, match=r"invalid tempo .*160, q=160, e=300 or q\.=100"):
        Tempo.parse(text)


def test_steady_map_is_exact() -> None:
    tm = TempoMap.constant(137)
    assert tm.seconds_at(Fraction(7, 2)) == Fraction(7, 2) * Fraction(60, 137)
    assert tm.sample_at(Fraction(1), 44100) == math.floor(
        Fraction(60, 137) * 44100 + Fraction(1, 2)
    )
    assert tm.quarter_at(tm.seconds_at(Fraction(1000))) == 1000


def test_steps_add_up_exactly() -> None:
    tm = TempoMap.constant(120).then(Fraction(8), 180).then(Fraction(20), 90)
    assert tm.seconds_at(Fraction(8)) == 4
    assert tm.seconds_at(Fraction(20)) == 4 + Fraction(12 * 60, 180)
    assert tm.seconds_at(Fraction(24)) == 8 + Fraction(4 * 60, 90)


def exact_ramp_seconds(a: Fraction, b: Fraction, length: Fraction, x: Fraction) -> float:
    """The integral of 60/(a + (b-a) t/length) dt from 0 to x, by Simpson's rule on 20000
    intervals: independent of the closed form the library uses."""
    n = 20000
    h = float(x) / n
    f = lambda t: 60.0 / (float(a) + float(b - a) * t / float(length))  # noqa: E731
    total = f(0) + f(float(x)) + sum((4 if i % 2 else 2) * f(i * h) for i in range(1, n))
    return total * h / 3


@pytest.mark.parametrize(("a", "b"), [(120, 180), (180, 90), (60, 61)])
def test_ramp_matches_the_integral_of_the_tempo(a: int, b: int) -> None:
    tm = TempoMap(
        [
            TempoSegment(Fraction(0), Fraction(a), Fraction(16), Fraction(b)),
            TempoSegment(Fraction(16), Fraction(b)),
        ]
    )
    for x in (Fraction(1), Fraction(15, 2), Fraction(16)):
        assert (
            abs(
                float(tm.seconds_at(x))
                - exact_ramp_seconds(Fraction(a), Fraction(b), Fraction(16), x)
            )
            < 1e-9
        )
    after = float(tm.seconds_at(Fraction(20))) - float(tm.seconds_at(Fraction(16)))
    assert after == pytest.approx(4 * 60 / b, abs=1e-12)
    assert tm.qpm_at(Fraction(8)) == Fraction(a + b, 2)


@settings(max_examples=60, deadline=None)
@given(q=st.fractions(min_value=0, max_value=500, max_denominator=64))
def test_quarter_at_inverts_seconds_at(q: Fraction) -> None:
    tm = (
        TempoMap.constant(100)
        .then(Fraction(10), 100, ramp_quarters=Fraction(40), to=170)
        .then(Fraction(200), 77)
    )
    assert abs(tm.quarter_at(tm.seconds_at(q)) - q) < Fraction(1, 10**9)


tempos = st.fractions(min_value=4, max_value=2000, max_denominator=48)


@given(
    first=tempos,
    changes=st.lists(
        st.tuples(
            st.fractions(min_value=Fraction(1, 48), max_value=64, max_denominator=48),
            tempos,
            st.one_of(st.none(), st.fractions(min_value=1, max_value=32, max_denominator=8)),
        ),
        max_size=4,
    ),
    q=st.fractions(min_value=-8, max_value=600, max_denominator=960),
    rate=st.sampled_from([8000, 22050, 44100, 48000, 96000, 192000]),
)
def test_sample_at_is_to_sample_of_seconds_at(
    first: Fraction,
    changes: list[tuple[Fraction, Fraction, Fraction | None]],
    q: Fraction,
    rate: int,
) -> None:
    """The renderer's whole-number path gives the sample the one rounding rule gives the
    exact seconds: in steady segments and ramps, before 0, at and between tempo changes."""
    tempo_map, at = TempoMap.constant(first), Fraction(0)
    for gap, qpm, ramp in changes:
        at += gap
        tempo_map = tempo_map.then(at, qpm, ramp_quarters=ramp, to=first if ramp else None)
    for quarter in (q, at, *(s.start for s in tempo_map.segments)):
        assert tempo_map.sample_at(quarter, rate) == to_sample(tempo_map.seconds_at(quarter), rate)


def test_to_sample_rounds_half_up() -> None:
    assert to_sample(Fraction(1, 96000), 48000) == 1
    assert to_sample(Fraction(3, 96000), 48000) == 2
    assert to_sample(Fraction(1, 3), 44100) == 14700


# -- rhythms -----------------------------------------------------------------------


def test_box_notation() -> None:
    r = Rhythm.from_box("X..x..x.x.")
    assert (r.onsets(), r.durations(), r.length, r.quarters) == ([0, 3, 6, 8], [3, 3, 2, 2], 10, 5)
    assert [h.accent for h in r.hits] == [True, False, False, False]
    assert Rhythm.from_box("x.-x | x---").hits == (Hit(0, 2), Hit(3, 1), Hit(4, 1))
    assert Rhythm.from_durations([3, 3, 2, 2, -6]).to_box() == "x..x..x.x.------"


@pytest.mark.parametrize("box", ["", "   ", "x..o", "xx.?", "|||"])
def test_bad_box_notation(box: str) -> None:
    with pytest.raises(RhythmError, match=r"invalid box notation .*expected x \(onset\)"):
        Rhythm.from_box(box)


@st.composite
def rhythms(draw: st.DrawFn) -> Rhythm:
    cells = draw(st.text(alphabet="xX.-", min_size=1, max_size=40))
    return Rhythm.from_box(
        cells, draw(st.sampled_from([Fraction(1, 2), Fraction(1, 4), Fraction(1, 3)]))
    )


@given(rhythm=rhythms())
def test_box_round_trip(rhythm: Rhythm) -> None:
    assert Rhythm.from_box(rhythm.to_box(), rhythm.unit) == rhythm
    assert sum(rhythm.durations()) <= rhythm.length


@pytest.mark.parametrize(
    ("name", "number"),
    [
        ("C4", 60),
        ("A4", 69),
        ("Bb2", 46),
        ("F#3", 54),
        ("C-1", 0),
        ("G9", 127),
        ("61", 61),
        (36, 36),
    ],
)
def test_note_numbers(name: str | int, number: int) -> None:
    assert note_number(name) == number


@pytest.mark.parametrize("name", ["H2", "C", "C#", "128", "G#9", "x", ""])
def test_bad_notes(name: str) -> None:
    with pytest.raises(RhythmError, match=r"invalid pitch"):
        note_number(name)


def test_parse_pitches() -> None:
    assert parse_pitches("bass=C2,C2,G2,G2; melody=E4") == {
        "bass": (36, 36, 43, 43),
        "melody": (64,),
    }
    with pytest.raises(RhythmError, match=r"invalid pitches 'bass': expected LAYER=NOTE"):
        parse_pitches("bass")


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: note_number("9" * 5000), RhythmError, r"invalid pitch '9{40}\.\.\.'"),
        (lambda: note_number("²"), RhythmError, r"invalid pitch '²': expected a note name"),
        (lambda: note_number(10**5000), RhythmError, "over 40 digits.*0 to 127"),
        (lambda: parse_pitches("bass=" + "1" * 5000), RhythmError, "invalid pitch"),
        (lambda: parse_pitches("bass=C2," * 5000), RhythmError, "at most 10000 characters"),
        (lambda: Rhythm.from_box("x" * 5000), RhythmError, "too long.*at most 4096 cells"),
        (lambda: Rhythm.from_box(5), TypeError, "box notation must be a str, not int"),
        (lambda: Rhythm.from_box("x.", "1/" + "2" * 5000), RhythmError, "invalid grid"),
        (lambda: Rhythm.from_box("x.", "0"), RhythmError, "invalid grid '0'"),
        (lambda: Rhythm((), 5.0), TypeError, "length must be an int, not float"),
        (lambda: note_number(60.0), TypeError, "a pitch must be a note name or an int, not float"),
    ],
)
def test_rhythm_inputs_are_bounded_and_typed(call, error, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(error, match=message):
        call()


def test_a_box_for_a_bar_must_fill_the_bar() -> None:
    from theme.core.rhythm import bar_from_box

    assert bar_from_box("X..x..x.x.", "5/4").onsets() == [0, 3, 6, 8]
    assert bar_from_box("x.x.x..", "7/8").length == 7
    with pytest.raises(RhythmError, match=r"invalid box 'x.x.x..' for 5/4: 7 cells .* 10 cells"):
        bar_from_box("x.x.x..", "5/4")


@pytest.mark.parametrize(
    ("durations", "error", "message"),
    [
        ([3, 3.5], TypeError, r"durations must be a list of ints, not \[3, 3.5\]"),
        ([10**9], RhythmError, "more than 4096 cells"),
        ("33", TypeError, "durations must be a list of ints"),
    ],
)
def test_durations_are_typed_and_bounded(durations: object, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        Rhythm.from_durations(durations)  # type: ignore[arg-type]
