"""Remetering strategies: the ostinato exactly, properties on random rhythms, timelines."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import theme
from tests.conftest import run_theme
from theme.classroom.examples import strategy_example
from theme.core.meter import Meter
from theme.core.remeter import STRATEGIES, get_strategy, remeter, remeter_rhythm
from theme.core.rhythm import Rhythm
from theme.core.tempo import TempoMap
from theme.core.timeline import Event, Layer, Timeline
from theme.errors import RemeterError

OSTINATO = Rhythm.from_box("X..x..x.x.")


@pytest.mark.parametrize(
    ("strategy", "box"),
    [
        ("squeeze", "X..x..xx"),
        ("drop", "X..x..x."),
        ("stretch", "X..x..x.x.------"),
        ("rebar", "X..x..x.x.X..x..x.x.X..x..x.x.X..x..x.x."),
    ],
)
def test_the_ostinato_under_each_strategy(strategy: str, box: str) -> None:
    result = remeter_rhythm(OSTINATO, strategy)
    assert result.to_box() == box
    assert result.unit == Fraction(1, 2)
    assert result.quarters % 4 == 0


def test_clave_puts_four_beats_on_the_five_four_onsets() -> None:
    assert remeter_rhythm(Rhythm.from_box("x.x.x.x."), "clave").onsets() == [0, 3, 6, 8]


def test_squeeze_finer_grid_when_needed() -> None:
    result = remeter_rhythm(Rhythm.from_box("x.......xx"), "squeeze")
    assert result.unit == Fraction(1, 4)
    assert [o * result.unit for o in result.onsets()] == [0, Fraction(7, 2), Fraction(15, 4)]


five_four_bars = st.integers(1, 3).flatmap(
    lambda bars: st.text(alphabet="xX.-", min_size=10 * bars, max_size=10 * bars).map(
        Rhythm.from_box
    )
)
filled_bars = st.sets(st.integers(1, 9)).map(
    lambda cuts: [b - a for a, b in zip([0, *sorted(cuts)], [*sorted(cuts), 10])]
)


@given(rhythm=five_four_bars)
def test_squeeze_keeps_the_onset_count(rhythm: Rhythm) -> None:
    result = remeter_rhythm(rhythm, "squeeze")
    assert len(result.onsets()) == len(rhythm.onsets())
    assert result.quarters == rhythm.quarters / 5 * 4


@given(durations=filled_bars)
def test_drop_keeps_the_bar_full(durations: list[int]) -> None:
    result = remeter_rhythm(Rhythm.from_durations(durations), "drop")
    assert sum(result.durations()) * result.unit == 4
    assert result.hits[0].start == 0


@given(rhythm=five_four_bars)
def test_stretch_keeps_every_onset(rhythm: Rhythm) -> None:
    result = remeter_rhythm(rhythm, "stretch")
    assert len(result.onsets()) == len(rhythm.onsets())
    bars = int(rhythm.quarters / 5)
    expected = [o * rhythm.unit + (o * rhythm.unit // 5) * 3 for o in rhythm.onsets()]
    assert [o * result.unit for o in result.onsets()] == expected
    assert result.quarters == 8 * bars


def test_not_whole_bars() -> None:
    with pytest.raises(
        RemeterError, match=r"cannot remeter 'x\.\.' with 'squeeze': .*5 quarters each"
    ):
        remeter_rhythm(Rhythm.from_box("x.."), "squeeze")


def test_unknown_strategy() -> None:
    with pytest.raises(
        RemeterError,
        match=r"unknown strategy 'fold': expected one of squeeze, drop, stretch, rebar, clave",
    ):
        get_strategy("fold")


@pytest.mark.parametrize("strategy", ["squeeze", "drop", "stretch", "rebar"])
@pytest.mark.parametrize("name", ["tv-1966", "film", "take-five-vamp"])
def test_remeter_five_four_variants(name: str, strategy: str) -> None:
    timeline = theme.load(name).timeline()
    result = remeter(timeline, strategy)
    assert {str(b.meter) for b in result.bars} == {"4/4"}
    assert all(
        result.bar_at(e.onset).start <= e.onset < result.bar_at(e.onset).end for e in result.events
    )
    s = STRATEGIES[strategy]
    if strategy == "drop":
        assert len(result.events) < len(timeline.events)
    else:
        assert len(result.events) == len(timeline.events)
    if not s.is_rebar:
        assert len(result.bars) == len(timeline.bars) * s.target_bars


def test_remeter_keeps_other_meters_when_lenient() -> None:
    remix = theme.load("remix-1996", intro_bars=2, body_bars=2).timeline()
    with pytest.raises(
        RemeterError, match=r"is in 4/4 at bar 3: strategy 'drop' needs every bar in 5/4"
    ):
        remeter(remix, "drop")
    result = remeter(remix, "drop", strict=False)
    assert [str(b.meter) for b in result.bars] == ["4/4"] * 4
    # the 4/4 body is kept as it was, two quarters earlier (two 5/4 bars became 4/4 bars)
    assert [e.onset for e in result.layer_events("kick")] == [
        e.onset - 2 for e in remix.layer_events("kick")
    ]


def test_clave_on_four_four_material() -> None:
    rock = theme.load("remix-2000", verse_bars=2, interlude_bars=0, outro_bars=0).timeline()
    result = remeter(rock, "clave")
    assert {str(b.meter) for b in result.bars} == {"5/4"}
    kick = [e.onset - result.bars[0].start for e in result.layer_events("kick") if e.onset < 5]
    assert kick == [0, 3, 4]  # 4/4 kick on beats 1, 3, 3& lands on 5/4 eighths 0, 6, 8


@settings(max_examples=30, deadline=None)
@given(rhythm=five_four_bars, strategy=st.sampled_from(["squeeze", "stretch", "rebar"]))
def test_timeline_and_rhythm_agree(rhythm: Rhythm, strategy: str) -> None:
    from theme.core.meter import Meter
    from theme.core.timeline import Event, Layer, Timeline

    bars = int(rhythm.quarters / 5)
    timeline = Timeline.build(
        title="t",
        bars=[(Meter.parse("5/4"), "")] * bars,
        tempo=120,
        layers=[Layer("a", "bass")],
        events=[Event(h.start * rhythm.unit, h.length * rhythm.unit, "a", 40) for h in rhythm.hits],
    )
    by_timeline = [e.onset for e in remeter(timeline, strategy).events]
    expected = remeter_rhythm(rhythm, strategy)
    onsets = [o * expected.unit for o in expected.onsets()]
    assert by_timeline == onsets[: len(by_timeline)]
    assert len(by_timeline) == len(rhythm.onsets())


@pytest.mark.parametrize("name", sorted(STRATEGIES))
def test_each_strategy_has_an_example_to_show_and_play(name: str) -> None:
    strategy = STRATEGIES[name]
    example = strategy_example(strategy, bars=2)
    sections = [bar.section for bar in example.bars]
    source = str(strategy.source)
    assert sections[:2] == [source, source] and set(sections[2:]) == {name}
    assert {bar.meter.explicit for bar in example.bars[2:]} == {strategy.target.explicit}
    start = example.bars[2].start
    before = [e for e in example.layer_events("bass") if e.onset < start]
    after = [e for e in example.layer_events("bass") if e.onset >= start]
    original = example.head(2)
    expected = remeter(original, strategy).layer_events("bass")
    assert [e.onset - start for e in after] == [e.onset for e in expected]
    assert len(before) == 8  # four notes a bar: the ostinato, or the four beats


def test_the_clave_example_turns_four_beats_into_the_ostinato() -> None:
    example = strategy_example("clave", bars=2)
    start = example.bars[2].start
    bass = [e.onset - start for e in example.layer_events("bass") if e.onset >= start]
    eighths = [onset * 2 for onset in bass]
    assert eighths == [0, 3, 6, 8, 10, 13, 16, 18]  # 3+3+2+2 in each bar of 5/4


def _in_five(tempo: TempoMap, bars: int = 4) -> Timeline:
    five = Meter.parse("5/4")
    return Timeline.build(
        title="t",
        bars=[(five, "A")] * bars,
        tempo=tempo,
        layers=[Layer("bass", "bass")],
        events=[
            Event(Fraction(5 * b + k), Fraction(1, 2), "bass", 40)
            for b in range(bars)
            for k in (0, 3)
        ],
    )


@given(
    bar=st.integers(1, 3),
    qpm=st.integers(40, 300),
    name=st.sampled_from(["squeeze", "drop", "stretch"]),
)
def test_a_tempo_change_at_a_barline_moves_with_its_bar(bar: int, qpm: int, name: str) -> None:
    music = _in_five(TempoMap.constant(120).then(Fraction(5 * bar), qpm))
    result = remeter(music, name)
    target_bar = result.bars[bar * STRATEGIES[name].target_bars]
    assert [(s.start, s.qpm) for s in result.tempo_map.segments] == [
        (0, 120),
        (target_bar.start, qpm),
    ]


def test_a_ramp_spans_the_remetered_bars_and_rebar_keeps_the_map() -> None:
    ramp = TempoMap.constant(100).then(Fraction(0), 100, ramp_quarters=Fraction(20), to=140)
    music = _in_five(ramp)
    squeezed = remeter(music, "squeeze")
    first = squeezed.tempo_map.segments[0]
    assert (first.start, first.qpm, first.length, first.end_qpm) == (0, 100, 16, 140)
    assert squeezed.tempo_map.qpm_at(Fraction(16)) == 140
    assert remeter(music, "rebar").tempo_map is music.tempo_map


def test_a_tempo_change_inside_a_dropped_beat_lands_where_the_beat_went() -> None:
    music = _in_five(TempoMap.constant(120).then(Fraction(9, 2), 90))  # on beat 5&
    dropped = remeter(music, "drop")
    assert [(s.start, s.qpm) for s in dropped.tempo_map.segments] == [(0, 120), (4, 90)]


def test_lenient_rebar_keeps_the_bars_in_other_meters() -> None:
    remix = theme.load("remix-1996", intro_bars=3, body_bars=2).timeline()
    result = remeter(remix, "rebar", strict=False)
    # 3 bars of 5/4 (15 quarters) barred as 4 of 4/4 (the last ends with a quarter's rest);
    # the two 4/4 bars of the body are kept as they were, a quarter later
    assert [str(b.meter) for b in result.bars] == ["4/4"] * 6
    assert [b.section for b in result.bars] == [b.section for b in remix.bars[:1]] * 4 + [
        b.section for b in remix.bars[3:]
    ]
    body = remix.bars[3].start
    assert [e.onset for e in result.events if e.onset >= 16] == [
        e.onset + 1 for e in remix.events if e.onset >= body
    ]
    assert [e.onset for e in result.events if e.onset < 16] == [
        e.onset for e in remix.events if e.onset < body
    ]
    mixed = Timeline.build(
        title="m",
        bars=[(Meter.parse("3/4"), "a"), (Meter.parse("5/4"), "b"), (Meter.parse("3/4"), "c")],
        tempo=100,
    )
    assert [(str(b.meter), b.section) for b in remeter(mixed, "rebar", strict=False).bars] == [
        ("3/4", "a"),
        ("4/4", "b"),
        ("4/4", "b"),
        ("3/4", "c"),
    ]


def test_the_summary_counts_every_meter(tmp_path: Path) -> None:
    out = tmp_path / "r.mid"
    result = run_theme("remeter", "remix-1996", "-o", str(out), "--strategy", "drop", "--lenient")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(
        f"wrote {out}: 20 bars: 4 of 5/4 remetered to 4/4, 16 of 4/4 kept; 20 bars out (drop: "
    )
    result = run_theme("remeter", "tv-1966", "-o", str(out), "--strategy", "stretch")
    assert result.stdout.startswith(f"wrote {out}: 12 bars: 12 of 5/4 remetered to 4/4; 24 bars")


def test_clave_keeps_eighths_on_the_eighth_grid() -> None:
    four = remeter(theme.load("tv-1966").timeline(), "drop")
    five = remeter(four, "clave")
    assert all(e.onset % Fraction(1, 2) == 0 for e in four.events)
    assert all(e.onset % Fraction(1, 2) == 0 for e in five.events)  # 9/4 before
    assert remeter_rhythm(Rhythm.from_box("xxxxxxxx"), "clave").to_box() == "x.xx.xxxxx"
    assert "off-beat eighth onto the eighth before the next beat's" in STRATEGIES["clave"].summary
