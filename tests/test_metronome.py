"""The metronome: exact clicks for a day, two meters, count-in, trainers, keys, the CLI."""

from __future__ import annotations

import io
import itertools
import math
import re
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import mido
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import run_theme
from theme.core.meter import AccentLevel, Meter
from theme.core.tempo import TempoMap
from theme.core.timeline import Timeline
from theme.errors import UsageError
from theme.live.engine.sinks import ManualSink, SteppedSink
from theme.metronome import Metronome, click_track
from theme.metronome.terminal import LiveMetronome
from theme.metronome.trainer import Accel, Gap, Ramp
from theme.renderers.audio import schedule
from theme.terminal import ScriptedKeys


@pytest.mark.parametrize(("rate", "hours"), [(48000, 24), (44100, 2)])
def test_a_day_of_clicks_at_137_in_seven_eight(rate: int, hours: int) -> None:
    """Every click of a day at 48 kHz (of two hours at 44.1 kHz) lands on the sample exact
    arithmetic puts it: nothing accumulates."""
    metronome = Metronome("7/8", bpm=137)
    clicks = hours * 60 * 137 * 2  # eighths in those hours at 137 quarters a minute
    seconds_per_quarter = Fraction(60, 137)
    count = 0
    for n, (sample, event) in enumerate(
        itertools.islice(schedule(metronome.events(), metronome.tempo_map, rate), clicks)
    ):
        # in whole numbers: onset n/2 quarters; sample floor(n/2 * 60/137 * rate + 1/2)
        assert event.onset.numerator * 2 == n * event.onset.denominator
        assert sample == (120 * n * rate + 274) // 548
        count += 1
    assert count == clicks
    assert sample == hours * 3600 * rate + math.floor(
        -seconds_per_quarter / 2 * rate + Fraction(1, 2)
    )


def test_clicks_follow_the_grouping() -> None:
    clicks = list(Metronome("7/8", bars=1).events())
    assert [int(c.accent) for c in clicks] == [0, 2, 1, 2, 1, 2, 2]
    assert [c.velocity for c in clicks][:3] == [112, 84, 100]
    regrouped = list(Metronome("7/8", accent="3+2+2", bars=1).events())
    assert [int(c.accent) for c in regrouped] == [0, 2, 2, 1, 2, 1, 2]


@pytest.mark.parametrize(
    ("swing", "second"), [(0.5, Fraction(1, 2)), (0.6, Fraction(3, 5)), (2 / 3, Fraction(2, 3))]
)
def test_subdivision_and_swing(swing: float, second: Fraction) -> None:
    clicks = list(Metronome("5/4", subdivide=2, swing=swing, bars=1).events())
    assert [c.onset for c in clicks][:4] == [0, second, 1, 1 + second]
    assert clicks[1].accent == AccentLevel.SUBDIVISION
    triplets = list(Metronome("4/4", subdivide=3, bars=1).events())
    assert [c.onset for c in triplets][:4] == [0, Fraction(1, 3), Fraction(2, 3), 1]


def test_beat_aligned_contrast_meets_every_twenty_beats() -> None:
    m = Metronome("5/4", vs="4/4", bpm=160, bars=8)
    clicks = list(m.events())
    downbeats = {
        layer: {c.onset for c in clicks if c.layer == layer and c.accent == AccentLevel.DOWNBEAT}
        for layer in ("click", "vs")
    }
    assert sorted(downbeats["click"] & downbeats["vs"]) == [0, 20]
    assert m.meetings(3) == [0, 20, 40]
    markers = [(mk.at, mk.text) for mk in m.timeline().markers if "meet" in mk.text]
    assert markers == [(0, "downbeats meet (1)"), (20, "downbeats meet (2)")]
    assert Metronome("7/8", vs="4/4").meeting_every == 28


def test_bar_aligned_contrast_is_five_against_four() -> None:
    clicks = list(Metronome("5/4", vs="4/4", align="bar", bars=1).events())
    assert [c.onset for c in clicks if c.layer == "vs"] == [
        0,
        Fraction(5, 4),
        Fraction(5, 2),
        Fraction(15, 4),
    ]
    assert [c.onset for c in clicks if c.layer == "click"] == [0, 1, 2, 3, 4]


def test_count_in_follows_the_meter() -> None:
    m = Metronome("5/4", count_in=2, bars=1)
    count = [c for c in m.events() if c.layer == "count-in"]
    assert [c.onset for c in count] == list(range(10))
    assert [int(c.accent) for c in count[:5]] == [0, 2, 2, 1, 2]
    assert m.start == 10 and next(c.onset for c in m.events() if c.layer == "click") == 10


def test_gap_bars_are_counted_not_heard() -> None:
    clicks = list(Metronome("4/4", gap="3:1", bars=8).events())
    silent_bars = sorted({int(c.onset // 4) for c in clicks if c.accent == AccentLevel.SILENT})
    assert silent_bars == [3, 7]
    assert len(clicks) == 32


def test_ramp_steps_every_k_bars() -> None:
    m = Metronome("4/4", bpm=100, ramp="100-112/2", bars=10)
    assert [m.tempo_map.qpm_at(Fraction(4 * bar)) for bar in range(10)] == [
        100,
        100,
        104,
        104,
        108,
        108,
        112,
        112,
        112,
        112,
    ]
    exact = sum(Fraction(60 * 8, q) for q in (100, 104, 108)) + Fraction(60 * 16, 112)
    assert m.tempo_map.seconds_at(Fraction(40)) == exact


def test_ramp_counts_in_the_unit_written_in_it() -> None:
    m = Metronome("7/8", ramp="e=200-240/1+20", bars=3)
    assert [m.tempo_map.qpm_at(Fraction(7, 2) * bar) for bar in range(3)] == [100, 110, 120]


def test_accelerando_against_the_integral() -> None:
    m = Metronome("4/4", accel="120-180/4", count_in=1, bars=6)
    # 4 quarters at 120, then a linear ramp over 16 quarters from 120 to 180: 60/b*ln(180/120) s
    ramp = 60 / (60 / 16) * math.log(180 / 120)
    assert float(m.tempo_map.seconds_at(Fraction(20))) == pytest.approx(2 + ramp, abs=1e-12)
    assert float(
        m.tempo_map.seconds_at(Fraction(28)) - m.tempo_map.seconds_at(Fraction(20))
    ) == pytest.approx(8 * 60 / 180, abs=1e-12)


@pytest.mark.parametrize(
    ("parse", "text", "message"),
    [
        (Ramp.parse, "120-180", "invalid ramp '120-180': expected START-END/BARS"),
        (Ramp.parse, "120-180/0", "the bars between steps must be 1 or more"),
        (Ramp.parse, "120-180/4+0", "the step must be more than 0 BPM"),
        (Ramp.parse, "0-180/4", "0 is outside the tempo range, 4 to 2000 quarters a minute"),
        (Accel.parse, "120-180/4+2", "invalid accelerando '120-180/4\\+2'"),
        (Gap.parse, "0:3", "invalid gap '0:3'"),
        (Gap.parse, "3-1", "invalid gap '3-1'"),
    ],
)
def test_bad_trainer_strings(parse, text: str, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UsageError, match=message):
        parse(text)


@given(st.text(max_size=20))
def test_trainer_parsers_fail_cleanly(text: str) -> None:
    for parse in (Ramp.parse, Accel.parse, Gap.parse):
        try:
            parse(text)
        except UsageError as exc:
            assert repr(text) in str(exc) and "\n" not in str(exc)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"subdivide": 5}, "invalid subdivide 5"),
        ({"swing": 0.9}, "invalid swing 0.9"),
        ({"align": "side"}, "invalid align 'side'"),
        ({"ramp": "100-120/2", "accel": "100-120/2"}, "either a ramp or an accelerando"),
        ({"count_in": 40}, "invalid count-in 40"),
    ],
)
def test_bad_options(options: dict, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        Metronome("5/4", **options)


def test_endless_metronome_stays_lazy() -> None:
    clicks = Metronome("5/4", vs="4/4").events()
    million = next(itertools.islice(clicks, 10**5, None))
    assert million.onset > 40000
    with pytest.raises(UsageError, match="endless metronome has no timeline"):
        Metronome("5/4").timeline()


def test_click_track_under_a_variant() -> None:
    import theme

    timeline = click_track(theme.load("remix-1996", intro_bars=1, body_bars=1).timeline())
    clicks = timeline.layer_events("click")
    assert [c.onset for c in clicks] == [0, 1, 2, 3, 4, 5, 6, 7, 8]
    assert [int(c.accent) for c in clicks] == [0, 2, 2, 1, 2, 0, 2, 1, 2]


def test_midi_export_velocity_per_level_and_markers(tmp_path: Path) -> None:
    result = run_theme(
        "metronome", "5/4", "--vs", "4/4", "--bars", "8", "-o", str(tmp_path / "c.mid")
    )
    assert result.returncode == 0, result.stderr
    midi = mido.MidiFile(tmp_path / "c.mid")
    notes = [m for t in midi.tracks for m in t if m.type == "note_on" and m.velocity]
    assert {m.channel for m in notes} == {9}
    assert sorted({m.velocity for m in notes}) == [84, 100, 112]
    first, second = ([m for m in t if m.type == "note_on" and m.velocity] for t in midi.tracks[1:])
    # 5/4 on the woodblocks (3+2: two strong clicks a bar), 4/4 on the agogo (2+2: two too)
    assert [m.note for m in first[:5]] == [76, 77, 77, 76, 77]
    assert [m.note for m in second[:4]] == [67, 68, 67, 68]
    markers = [(m.time, m.text) for m in midi.tracks[0] if m.type == "marker"]
    texts = [text for _, text in markers]
    assert "meter 3+2/4" in texts and "downbeats meet (2)" in texts
    # one marker names the grouping, where the meter starts
    assert [text for time, text in markers if "3+2" in text] == ["meter 3+2/4"]


def test_audio_export_is_the_render(tmp_path: Path) -> None:
    import soundfile

    result = run_theme(
        "metronome",
        "7/8",
        "--bpm",
        "e=280",
        "--bars",
        "2",
        "--count-in",
        "1",
        "-o",
        str(tmp_path / "c.flac"),
    )
    assert result.returncode == 0, result.stderr
    data, rate = soundfile.read(tmp_path / "c.flac", dtype="float32")
    reference = Metronome("7/8", bpm="e=280", bars=2, count_in=1).render()
    assert rate == 48000 and np.abs(data - reference).max() <= 1 / 32767


def test_the_metronome_path_does_not_load_music21(tmp_path: Path) -> None:
    code = (
        "import sys\nfrom theme.cli import main\n"
        f"main(['metronome', '5/4', '--vs', '4/4', '--bars', '2', '-o', {str(tmp_path / 'x.wav')!r}])\n"
        "print(' '.join(m for m in ('music21', 'verovio', 'matplotlib') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.splitlines()[-1] == ""


# -- live, through the key seam and a simulated sound card ------------------------------


def live(
    metronome: Metronome, script: list[tuple[float, str]]
) -> tuple[LiveMetronome, SteppedSink, str]:
    sink = SteppedSink(blocksize=480)
    out = io.StringIO()
    session = LiveMetronome(metronome, sink=sink, keys=ScriptedKeys(script), out=out)
    assert session.run(refresh_seconds=0) == 0
    return session, sink, out.getvalue()


def test_keys_quit() -> None:
    _, sink, _ = live(Metronome("5/4"), [(2.0, "q")])
    assert 2.0 <= len(sink.data) / 48000 < 2.2


def test_keys_change_the_tempo_from_the_next_block() -> None:
    session, sink, printed = live(
        Metronome("4/4", bpm=120, bars=8), [(1.0, "+"), (1.0, "+"), (3.0, "-")]
    )
    (at1, q1), (at2, q2), (at3, q3) = session.tempo_changes
    assert (q1, q2, q3) == (124, 128, 124)
    assert 2 <= at1 <= at2 < at3
    onsets = np.flatnonzero(np.abs(sink.data).sum(axis=1) > 0)
    starts = onsets[np.insert(np.diff(onsets) > 100, 0, True)]
    gaps = np.diff(starts)
    assert gaps[0] == 24000  # 120 BPM
    assert 24000 * 120 // 128 - 1 <= gaps[-3] <= 24000 * 120 // 124 + 1
    assert "now q=124" in printed


def test_keys_pause_and_go_on() -> None:
    session, _, printed = live(Metronome("4/4", bpm=120, bars=4), [(1.0, " "), (1.0, " ")])
    assert "[paused: space to go on]" in printed
    assert session.player is not None and not session.paused


def test_tap_tempo() -> None:
    m = Metronome("4/4", bpm=120, bars=4)
    sink = SteppedSink(blocksize=480)
    session = LiveMetronome(m, sink=sink, out=io.StringIO())
    session._start_player(Fraction(0))
    for t in (0.0, 0.5, 1.0, 1.5):  # taps every half second: 120 quarter notes a minute...
        session.handle("t", t * 0.8)  # ...made every 0.4 s: 150
    assert session.tempo_changes[-1][1] == 150


@pytest.mark.parametrize(("delay", "shown"), [(0.25, Fraction(3, 2)), (-0.25, Fraction(5, 2))])
def test_display_delay_shifts_the_picture_not_the_sound(delay: float, shown: Fraction) -> None:
    sink = ManualSink(blocksize=480)  # the test is the sound card's clock
    session = LiveMetronome(
        Metronome("4/4", bpm=120, bars=4), sink=sink, out=io.StringIO(), display_delay=delay
    )
    session._start_player(Fraction(0))
    assert session.player is not None
    block = np.empty((480, 2), np.float32)
    for _ in range(100):  # one second heard: two quarter notes
        sink.callback(block)
    assert session.heard_quarter() == 2
    assert session.shown_quarter() == shown
    session.player.close()


def test_display_delay_out_of_range_is_refused() -> None:
    result = run_theme("metronome", "5/4", "--display-delay", "5000")
    assert result.returncode == 2
    assert result.stderr.strip().endswith(
        "invalid display delay 5000 ms: expected -2000 to 2000 milliseconds"
    )


# -- a count-in before a variant -------------------------------------------------------


@given(
    bars=st.integers(0, 16),
    meter=st.sampled_from(["5/4", "7/8", "3+3+2+2/8", "6/8", "4/4"]),
    ramp=st.booleans(),
)
def test_count_in_moves_everything_later_by_whole_bars_of_the_opening_tempo(
    bars: int, meter: str, ramp: bool
) -> None:
    from theme.core.timeline import Event, Layer
    from theme.metronome import count_in

    tempo = TempoMap.constant(100)
    if ramp:  # the count-in stays steady at the opening tempo, the ramp moves along
        tempo = TempoMap.constant(100).then(Fraction(0), 100, ramp_quarters=Fraction(8), to=140)
    music = Timeline.build(
        title="t",
        bars=[(Meter.parse(meter), "A")] * 3,
        tempo=tempo,
        layers=[Layer("bass", "bass")],
        events=[Event(Fraction(k, 3), Fraction(1, 3), "bass", 40) for k in range(12)],
    )
    counted = count_in(music, bars)
    length = bars * music.bars[0].meter.bar_quarters
    assert [b.number for b in counted.bars] == list(range(1, bars + 4))
    assert [b.section for b in counted.bars] == ["count-in"] * bars + ["A"] * 3
    clicks = counted.layer_events("count-in")
    assert len(clicks) == bars * Meter.parse(meter).numerator
    if bars:
        assert [c.accent for c in clicks[: Meter.parse(meter).numerator]] == list(
            Meter.parse(meter).accent_levels(1)
        )
    lead = counted.tempo_map.seconds_at(length)
    assert lead == Fraction(60 * length, 100)
    for before, after in zip(music.layer_events("bass"), counted.layer_events("bass")):
        assert after.onset == before.onset + length
        assert counted.tempo_map.seconds_at(after.onset) - lead == pytest.approx(
            float(music.tempo_map.seconds_at(before.onset)), abs=1e-9
        )
    if not ramp:  # steady: one tempo segment, exact to the fraction
        assert len(counted.tempo_map.segments) == 1


def test_export_with_a_count_in(tmp_path: Path) -> None:
    plain, counted = tmp_path / "plain.mid", tmp_path / "counted.mid"
    assert run_theme("export", "tv-1966", "--bars", "2", "-o", str(plain)).returncode == 0
    result = run_theme("export", "tv-1966", "--bars", "2", "--count-in", "1", "-o", str(counted))
    assert result.returncode == 0, result.stderr

    def onsets(path: Path) -> list[tuple[int, int, int]]:
        midi = mido.MidiFile(path)
        found = []
        for track in midi.tracks:
            tick = 0
            for message in track:
                tick += message.time
                if message.type == "note_on" and message.velocity:
                    found.append((tick, message.channel, message.note))
        return sorted(found)

    bar = 5 * 960
    count = [(t, c, n) for t, c, n in onsets(counted) if t < bar]
    assert count == [(k * 960, 9, 76 if k in (0, 3) else 77) for k in range(5)]  # 3+2
    assert [(t + bar, c, n) for t, c, n in onsets(plain)] == onsets(counted)[5:]
    markers = [m.text for m in mido.MidiFile(counted).tracks[0] if m.type == "marker"]
    assert markers[0] == "count-in" and "intro" in markers
    result = run_theme("export", "tv-1966", "--count-in", "17", "-o", str(tmp_path / "x.mid"))
    assert result.returncode == 2 and "invalid count-in 17: expected 0 to 16 bars" in result.stderr
    assert not (tmp_path / "x.mid").exists()


def test_a_pause_in_an_accelerando_goes_on_with_the_rest_of_it() -> None:
    metronome = Metronome("4/4", bpm=120, accel="120-180/4", bars=6)
    session, _, printed = live(metronome, [(2.0, " "), (2.0, " ")])
    assert "[paused: space to go on]" in printed
    paused_at = session.offset  # quarter notes heard when space was pressed
    assert 0 < paused_at < 16  # inside the four bars of the accelerando
    ahead = session._player_map  # the resumed player's map, from the pause on
    whole = metronome.tempo_map
    assert ahead.qpm_at(Fraction(0)) == whole.qpm_at(paused_at)
    assert ahead.qpm_at(16 - paused_at) == 180  # the ramp still ends at bar 5, at 180
    left = float(whole.seconds_at(16) - whole.seconds_at(paused_at))
    assert float(ahead.seconds_at(16 - paused_at)) == pytest.approx(left, abs=1e-9)


def test_a_metronome_page_to_project(tmp_path: Path) -> None:
    page = tmp_path / "five-four.html"
    result = run_theme("metronome", "5/4", "--vs", "4/4", "--bars", "4", "-o", str(page))
    assert result.returncode == 0, result.stderr
    html = page.read_text()
    # a beat light for each meter (its class is 'beat ready' until play starts)
    assert html.count("<div class='player'") == 1 and html.count("<div class='beat") == 2
    markup = re.sub(r"<script>.*?</script>", "", html, flags=re.S)
    assert "<svg" in markup and "<audio" not in markup  # the page plays the clicks itself
    result = run_theme("metronome", "5/4", "-o", str(tmp_path / "looped.html"))
    assert result.returncode == 0 and "8 bars)" in result.stdout  # a page loops: no --bars
    result = run_theme("metronome", "5/4", "-o", str(tmp_path / "endless.wav"))
    assert result.returncode == 2 and "-o needs --bars N" in result.stderr


# -- stereo: one meter in the centre, two on their own sides -----------------------------


def _energy(samples: np.ndarray) -> tuple[float, float]:
    return float(np.square(samples[:, 0]).sum()), float(np.square(samples[:, 1]).sum())


def test_one_meter_sounds_in_the_centre() -> None:
    left, right = _energy(Metronome("5/4", bars=2).render())
    assert left > 0 and left == pytest.approx(right, rel=1e-6)


def test_two_meters_each_on_its_own_side() -> None:
    # bar-aligned 5 against 4 at q=60: the 5/4 alone at 1 s, the 4/4 alone at 1.25 s
    audio = Metronome("5/4", vs="4/4", align="bar", bpm=60, bars=1).render()
    first = audio[48000 : 48000 + 4800]
    second = audio[60000 : 60000 + 4800]
    (left, right), (left2, right2) = _energy(first), _energy(second)
    assert left > 0 and right < 1e-12 * left  # left ear: 5/4 (cos(pi/2) is 6e-17, not 0)
    assert right2 > 0 and left2 < 1e-12 * right2  # right ear: 4/4
