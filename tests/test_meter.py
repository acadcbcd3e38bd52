"""Meters: parsing, groupings, accent levels, music21 time signatures."""

from __future__ import annotations

import re
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from theme.core.meter import DENOMINATORS, AccentLevel, Meter
from theme.errors import MeterError


@pytest.mark.parametrize(
    ("text", "numerator", "denominator", "groups"),
    [
        ("5/4", 5, 4, (3, 2)),
        ("4/4", 4, 4, (2, 2)),
        ("3/4", 3, 4, (3,)),
        ("7/8", 7, 8, (2, 2, 3)),
        ("6/8", 6, 8, (3, 3)),
        ("9/8", 9, 8, (3, 3, 3)),
        ("11/8", 11, 8, (2, 2, 3, 2, 2)),
        ("3+2/4", 5, 4, (3, 2)),
        ("2+3/4", 5, 4, (2, 3)),
        ("2+2+3/8", 7, 8, (2, 2, 3)),
        ("3+3+2+2/8", 10, 8, (3, 3, 2, 2)),
        (" 3 + 2 / 4 ", 5, 4, (3, 2)),
    ],
)
def test_parse(text: str, numerator: int, denominator: int, groups: tuple[int, ...]) -> None:
    meter = Meter.parse(text)
    assert (meter.numerator, meter.denominator, meter.groups) == (numerator, denominator, groups)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("5/0", "denominator must be"),
        ("0/4", "expected N/D"),
        ("3+/4", "expected N/D"),
        ("5/3", "denominator must be"),
        ("abc", "expected N/D"),
        ("1000/4", "expected N/D"),
        ("-5/4", "expected N/D"),
        ("", "expected N/D"),
        ("5/4/4", "expected N/D"),
    ],
)
def test_bad_meters_name_the_value_and_the_form(text: str, reason: str) -> None:
    with pytest.raises(MeterError, match=rf"invalid meter '{re.escape(text)}': .*{reason}.*3\+2/4"):
        Meter.parse(text)


def test_override_grouping() -> None:
    assert Meter.parse("5/4").with_groups("2+3").groups == (2, 3)
    with pytest.raises(MeterError, match=r"invalid grouping '2\+2' for 5/4: .*add up to 5"):
        Meter.parse("5/4").with_groups("2+2")
    with pytest.raises(MeterError, match=r"invalid grouping 'x'"):
        Meter.parse("5/4").with_groups("x")


@pytest.mark.parametrize(
    ("text", "subdivide", "levels"),
    [
        ("5/4", 1, [0, 2, 2, 1, 2]),
        ("2+3/4", 1, [0, 2, 1, 2, 2]),
        ("7/8", 1, [0, 2, 1, 2, 1, 2, 2]),
        ("5/4", 2, [0, 3, 2, 3, 2, 3, 1, 3, 2, 3]),
        ("3/4", 3, [0, 3, 3, 2, 3, 3, 2, 3, 3]),
    ],
)
def test_accent_levels(text: str, subdivide: int, levels: list[int]) -> None:
    assert [int(a) for a in Meter.parse(text).accent_levels(subdivide)] == levels
    assert AccentLevel.DOWNBEAT < AccentLevel.SUBDIVISION


def test_lengths() -> None:
    assert Meter.parse("5/4").bar_quarters == 5
    assert Meter.parse("7/8").bar_quarters == Fraction(7, 2)
    assert Meter.parse("7/8").pulse_quarters == Fraction(1, 2)
    assert Meter.parse("3+3+2+2/8").group_starts == (0, 3, 6, 8)


@pytest.mark.parametrize(
    ("text", "beats", "beams"),
    [
        ("5/4", "{3/4+2/4}", "{3/4+2/4}"),
        ("2+3/4", "{2/4+3/4}", "{2/4+3/4}"),
        ("3+3+2+2/8", "{3/8+3/8+2/8+2/8}", "{3/8+3/8+2/8+2/8}"),
        ("7/8", "{2/8+2/8+3/8}", "{2/8+2/8+3/8}"),
    ],
)
def test_music21_time_signature_follows_the_grouping(text: str, beats: str, beams: str) -> None:
    ts = Meter.parse(text).to_music21()
    assert ts.ratioString == f"{Meter.parse(text).numerator}/{Meter.parse(text).denominator}"
    assert str(ts.beatSequence) == beats
    assert str(ts.beamSequence) == beams


def test_music21_default_five_four_is_not_ours() -> None:
    from music21 import meter as m21meter

    assert str(m21meter.TimeSignature("5/4").beamSequence) != str(
        Meter.parse("5/4").to_music21().beamSequence
    )


groupings = st.lists(st.integers(min_value=1, max_value=9), min_size=1, max_size=7).filter(
    lambda g: sum(g) <= 64
)


@given(groups=groupings, denominator=st.sampled_from(DENOMINATORS))
def test_format_parse_round_trip(groups: list[int], denominator: int) -> None:
    meter = Meter(sum(groups), denominator, tuple(groups))
    if len(groups) == 1:  # N/D always reads back with the default grouping
        meter = Meter.of(sum(groups), denominator)
    assert Meter.parse(str(meter)) == meter
    assert Meter.parse(meter.explicit) == meter


@given(numerator=st.integers(1, 64), denominator=st.sampled_from(DENOMINATORS))
def test_default_groups_add_up(numerator: int, denominator: int) -> None:
    meter = Meter.of(numerator, denominator)
    assert sum(meter.groups) == numerator
    assert Meter.parse(f"{numerator}/{denominator}") == meter


# -- bounds and types --------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["5" * 5000 + "/4", "5/" + "4" * 5000, "3+" * 3000 + "2/4", "99999/4", "٣/4"],
)
def test_meters_too_long_to_convert_are_refused(text: str) -> None:
    with pytest.raises(MeterError, match=r"^invalid meter '.{0,40}(\.\.\.)?': expected N/D"):
        Meter.parse(text)


def test_groupings_too_long_to_convert_are_refused() -> None:
    with pytest.raises(MeterError, match=r"invalid grouping '9{40}\.\.\.': expected numbers"):
        Meter.parse("5/4").with_groups("9" * 5000)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((5.0, 4, (3, 2)), "numerator must be an int, not float"),
        ((5, "4", (3, 2)), "denominator must be an int, not str"),
        ((5, 4, [3, 2]), "groups must be a tuple of ints, not list"),
        ((5, 4, (3.0, 2)), "groups must be a tuple of ints, not tuple holding float, int"),
        ((True, 4, (1,)), "numerator must be an int, not bool"),
    ],
)
def test_meters_of_the_wrong_type(args: tuple, message: str) -> None:
    with pytest.raises(TypeError, match=message):
        Meter(*args)


def test_meter_of_a_huge_number() -> None:
    with pytest.raises(MeterError, match="invalid meter with a number over 1000000"):
        Meter(10**5000, 4, (10**5000,))
    with pytest.raises(TypeError, match="must be ints, not float"):
        Meter.of(5.0, 4)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("subdivide", "error", "message"),
    [
        (10**9, MeterError, "invalid subdivision 1000000000: expected 1 to 64"),
        (0, MeterError, "invalid subdivision 0: expected 1 to 64"),
        (2.0, TypeError, "subdivide must be an int, not float"),
    ],
)
def test_subdivisions_are_bounded(subdivide: object, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        Meter.parse("5/4").accent_levels(subdivide)  # type: ignore[arg-type]
