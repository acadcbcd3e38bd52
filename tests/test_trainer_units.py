"""The tempo trainer's units, the one tempo range, options that would do nothing, bounded work
and the library's argument checks."""

from __future__ import annotations

import io
import itertools
import re
from fractions import Fraction

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from tests.conftest import run_theme
from theme.core.meter import Meter
from theme.core.tempo import MAX_QPM, MIN_QPM, Tempo
from theme.core.timeline import Timeline
from theme.errors import TempoError, UsageError
from theme.live.engine.sinks import SteppedSink
from theme.metronome import Metronome, bar_clicks, click_track, count_in
from theme.metronome.terminal import LiveMetronome
from theme.metronome.trainer import MAX_RAMP_STEPS, Accel, Ramp

# -- units: a ramp's tempos are written as --bpm writes them -----------------------------


@pytest.mark.parametrize(
    ("ramp", "first", "last"),
    [
        ("200-280/4", 200, 280),  # a bare number counts quarters, as --bpm's does
        ("e=200-280/4", 100, 140),  # a unit counts that note
        ("q.=60-80/4", 90, 120),
    ],
)
def test_a_ramp_counts_the_unit_written_in_it(ramp: str, first: int, last: int) -> None:
    m = Metronome("7/8", ramp=ramp, bars=81)
    assert m.tempo_map.qpm_at(Fraction(0)) == first
    assert m.tempo_map.qpm_at(Fraction(7, 2) * 80) == last  # 20 steps of 4 bars


def test_a_ramp_in_eighths_steps_in_eighths() -> None:
    m = Metronome("7/8", ramp="e=200-208/1", bars=3)
    assert [m.tempo_map.qpm_at(Fraction(7, 2) * b) for b in range(3)] == [100, 102, 104]


def test_an_accelerando_counts_its_unit() -> None:
    m = Metronome("7/8", accel="e=200-280/2", bars=4)
    assert m.tempo_map.qpm_at(Fraction(0)) == 100
    assert m.tempo_map.qpm_at(Fraction(7)) == 140


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            {"bpm": "e=280", "ramp": "120-180/4"},
            "invalid bpm 'e=280' with a ramp that starts at q=120",
        ),
        (
            {"bpm": 90, "accel": "e=200-280/4"},
            "invalid bpm '90' with an accelerando that starts at e=200",
        ),
    ],
)
def test_a_bpm_that_disagrees_with_the_plan_is_refused(options: dict, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        Metronome("7/8", **options)


def test_a_bpm_equal_to_the_ramp_start_is_the_same_tempo() -> None:
    m = Metronome("7/8", bpm="e=200", ramp="e=200-240/1", bars=2)
    assert m.tempo == Tempo(Fraction(200), Fraction(1, 2))


@pytest.mark.parametrize(
    ("options", "said"),
    [
        ({"ramp": "e=200-280/4"}, "metronome 7/8 (2+2+3), ramp e=200-280, +4 every 4 bars"),
        ({"accel": "e=200-280/8"}, "metronome 7/8 (2+2+3), accelerando e=200-280 over 8 bars"),
        ({"bpm": "e=280"}, "metronome 7/8 (2+2+3), e=280"),
        ({"ramp": "180-120/2+10"}, "metronome 7/8 (2+2+3), ramp q=180-120, -10 every 2 bars"),
    ],
)
def test_the_summary_says_what_runs_in_the_unit_given(options: dict, said: str) -> None:
    assert Metronome("7/8", **options).describe() == said


def test_the_cli_summary_says_the_ramp(tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "r.wav"
    result = run_theme("metronome", "7/8", "--ramp", "e=200-280/4", "--bars", "5", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert "ramp e=200-280, +4 every 4 bars" in result.stdout and "q=120" not in result.stdout


def test_the_live_header_says_the_tempo_in_the_unit_given() -> None:
    session = LiveMetronome(
        Metronome("7/8", ramp="e=200-240/1+20", bars=2),
        sink=SteppedSink(blocksize=480),
        out=(out := io.StringIO()),
    )
    session.run(refresh_seconds=0)
    assert "now e=200" in out.getvalue() and "now e=220" in out.getvalue()
    assert "now q=" not in out.getvalue()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1-3/1", "invalid ramp '1-3/1': 1 is outside the tempo range, 4 to 2000 quarters"),
        ("e=4-300/1", "invalid ramp 'e=4-300/1': e=4 is outside the tempo range"),
        ("120-120/4", "it starts and ends at 120, so it never changes"),
    ],
)
def test_ramp_errors_quote_what_was_typed(text: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        Ramp.parse(text)


def test_the_one_tempo_range() -> None:
    assert (MIN_QPM, MAX_QPM) == (4, 2000)
    Tempo.parse(2000)
    Ramp.parse("4-2000/1+100")
    Accel.parse("h=2-1000/4")
    with pytest.raises(TempoError, match="4 to 2000 quarters a minute"):
        Tempo.parse(2001)
    with pytest.raises(UsageError, match="4 to 2000 quarters a minute"):
        Accel.parse("3-100/4")


@pytest.mark.parametrize(
    ("start", "key", "after"), [(800, "+", 804), (1998, "+", 2000), (6, "-", 4)]
)
def test_live_keys_stay_in_the_tempo_range_and_never_jump(start: int, key: str, after: int) -> None:
    session = LiveMetronome(
        Metronome("4/4", bpm=start, bars=400), sink=SteppedSink(blocksize=480), out=io.StringIO()
    )
    session._start_player(Fraction(0))
    session.handle(key, 0.0)
    assert session.player is not None
    session.player.heard_frame()  # one block: the change is made between two blocks
    assert session.tempo_changes[-1][1] == after
    session.player.close()


# -- options that would do nothing are refused ----------------------------------------------


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"swing": 0.6}, "invalid swing 0.6 with subdivide 1: .* needs subdivide 2"),
        ({"swing": 0.6, "subdivide": 3}, "needs subdivide 2"),
        ({"align": "bar"}, "invalid align 'bar' without a second meter"),
        ({"gap": "3:0"}, "invalid gap '3:0'"),
        ({"accent": "2+2"}, "add up to 5"),
        ({"ramp": "120-120/4"}, "never changes"),
        ({"ramp": "120-180/8", "bars": 8}, "its first step is at bar 9, after the last"),
        ({"gap": "3:1", "bars": 3}, "invalid gap 3:1 with 3 bars: its first silent bar is bar 4"),
    ],
)
def test_an_option_that_would_do_nothing_is_refused(options: dict, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        Metronome("5/4", **options)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--swing", "0.6"], "needs subdivide 2"),
        (["--align", "bar"], "without a second meter"),
        (["--display-delay", "100", "-o", "x.wav", "--bars", "1"], "--display-delay is for"),
        (["--device", "system", "-o", "x.wav", "--bars", "1"], "--device is for playing live"),
        (["--latency", "0.1", "-o", "x.wav", "--bars", "1"], "--latency is for playing live"),
        (["--rate", "44100", "-o", "x.mid", "--bars", "1"], "--rate is for sound, not for a .mid"),
        (["--latency", "nan"], "invalid latency nan seconds: expected 0.001 to 2.0 seconds"),
        (["--latency", "-1"], "invalid latency -1 seconds"),
        (["--latency", "1e9"], "invalid latency 1e\\+09 seconds"),
        (["--rate", "1000"], "invalid sample rate 1000: expected 44100 or 48000"),
    ],
)
def test_the_cli_refuses_no_ops_and_bad_values_in_one_line(
    tmp_path, args: list[str], message: str
) -> None:  # type: ignore[no-untyped-def]
    result = run_theme("metronome", "5/4", *args, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("theme: error: ")
    assert re.search(message, result.stderr), result.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_blank_device_is_refused_before_playing() -> None:
    result = run_theme("metronome", "5/4", "--device", " ")
    assert result.returncode == 3
    assert result.stderr == (
        "theme: error: unknown output device ' ': a blank name names no device; expected a "
        "name or an index (see 'theme devices')\n"
    )


# -- work a value can ask for is bounded before it starts -----------------------------------


def test_a_ramp_of_too_many_steps_is_refused_at_once() -> None:
    with pytest.raises(UsageError, match=f"199600000 steps .* at most {MAX_RAMP_STEPS} steps"):
        Ramp.parse("4-2000/1+0.00001")
    Ramp.parse("4-2000/1+0.2")  # 9980 steps: allowed, and made at once
    assert len(Metronome("4/4", ramp="4-2000/1+0.2").tempo_map.segments) == 9981


HUGE = "1" * 5000


@pytest.mark.parametrize(
    "args",
    [
        ["--bpm", HUGE],
        ["--ramp", f"1-{HUGE}/4"],
        ["--ramp", f"1-2/{HUGE}"],
        ["--accel", f"{HUGE}-2/4"],
        ["--gap", f"{HUGE}:1"],
        ["--gap", f"1:{HUGE}"],
        ["--accent", f"{HUGE}+2"],
        ["--subdivide", HUGE],
        ["--bars", HUGE],
        ["--count-in", HUGE],
        ["--rate", HUGE],
    ],
)
def test_numbers_too_long_to_convert_fail_in_one_short_line(args: list[str]) -> None:
    result = run_theme("metronome", "5/4", *args, "--bars", "1", "-o", "never.wav")
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1 and len(result.stderr) < 400, result.stderr[:300]
    assert "Traceback" not in result.stderr


@given(st.text(max_size=30))
def test_ramp_and_accel_parsers_fail_in_one_line(text: str) -> None:
    for parse in (Ramp.parse, Accel.parse):
        try:
            parse(text)
        except UsageError as exc:
            assert "\n" not in str(exc)


# -- the library checks types and values ----------------------------------------------------


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"subdivide": 2.5}, TypeError, "subdivide must be an int, not float"),
        ({"subdivide": True}, TypeError, "subdivide must be an int, not bool"),
        ({"subdivide": 5}, UsageError, "invalid subdivide 5: expected 1, 2, 3 or 4"),
        ({"bars": 2.0}, TypeError, "bars must be an int, not float"),
        ({"bars": 0}, UsageError, "invalid bars 0: expected 1 to 1000000"),
        ({"count_in": "2"}, TypeError, "count-in must be an int, not str"),
        ({"bpm": [120]}, TypeError, "a tempo must be a str or a number, not list"),
        ({"swing": "0.6"}, TypeError, "swing must be a number, not str"),
        ({"ramp": 120}, TypeError, "ramp must be a str or a Ramp, not int"),
        ({"gap": (3, 1)}, TypeError, "gap must be a str or a Gap, not tuple"),
        ({"accent": 23}, TypeError, "accent must be a str, not int"),
        ({"vs": "4/4", "align": 1}, TypeError, "align must be a str, not int"),
    ],
)
def test_the_library_checks_types_and_values(options: dict, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        Metronome("5/4", **options)
    assert issubclass(UsageError, ValueError)


@pytest.mark.parametrize(
    ("bars", "error", "message"),
    [(0, UsageError, "invalid bars 0 for a MIDI file"), (2.0, TypeError, "bars must be an int")],
)
def test_a_timeline_checks_its_bars(bars: object, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        Metronome("5/4", bars=4).timeline(bars=bars)  # type: ignore[arg-type]


def test_click_track_and_count_in_check_their_arguments() -> None:
    timeline = Timeline.build(title="t", bars=[(Meter.parse("5/4"), "A")], tempo=120)
    with pytest.raises(TypeError, match="subdivide must be an int, not float"):
        click_track(timeline, subdivide=2.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="count-in must be an int, not float"):
        count_in(timeline, 1.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="needs a Timeline, not str"):
        click_track("5/4")  # type: ignore[arg-type]


def test_one_bar_of_clicks_is_the_same_everywhere() -> None:
    meter = Meter.parse("3+2/4")
    m = Metronome(meter, subdivide=2, swing=0.6, bars=2)
    second_bar = [e for e in m.events() if e.onset >= 5]
    made = list(bar_clicks(meter, start=Fraction(5), subdivide=2, swing=Fraction(3, 5)))
    assert second_bar == made
    track = click_track(Timeline.build(title="t", bars=[(meter, "A")] * 2, tempo=120))
    assert track.layer_events("click") == [
        *bar_clicks(meter),
        *bar_clicks(meter, start=Fraction(5)),
    ]


def test_live_keys_step_in_the_unit_shown() -> None:
    session = LiveMetronome(
        Metronome("7/8", bpm="e=200", bars=40), sink=SteppedSink(blocksize=480), out=io.StringIO()
    )
    session._start_player(Fraction(0))
    session.handle("+", 0.0)
    assert session.player is not None
    session.player.heard_frame()
    assert session.tempo_changes[-1][1] == 102  # e=204: four eighths a minute more
    session.player.close()


@given(
    unit=st.sampled_from(["", "e=", "q.=", "h="]),
    start=st.integers(10, 900),
    end=st.integers(10, 900),
    every=st.integers(1, 4),
    step=st.integers(1, 50),
)
def test_a_ramp_moves_in_steps_from_start_to_end_in_its_unit(
    unit: str, start: int, end: int, every: int, step: int
) -> None:
    assume(start != end)
    ramp = Ramp.parse(f"{unit}{start}-{end}/{every}+{step}")
    m = Metronome("5/4", ramp=ramp, bars=ramp.last_change_bar + 1)
    qpms = [m.tempo_map.qpm_at(5 * bar) / ramp.unit for bar in range(ramp.last_change_bar + 1)]
    assert qpms[0] == start and qpms[-1] == end
    assert all(min(start, end) <= q <= max(start, end) for q in qpms)
    changes = [b - a for a, b in itertools.pairwise(qpms) if a != b]
    assert all(0 < abs(c) <= step for c in changes)
