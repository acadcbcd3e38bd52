"""JACK transport led by theme: the arithmetic of bars, beats and ticks as JACK defines
them, and a client of the test's own reading them from a JACK server on the dummy driver."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.jackserver import jack_missing, transport_server
from theme.core.tempo import TempoMap
from theme.live.engine.companions import Transport
from theme.live.sync.jack_transport import TICKS_PER_BEAT, BarSpan, JackTransportLead, bbt_at
from theme.live.sync.link_time import FixedFrameClock

SERVER = f"theme-test-transport-{os.getpid()}"


@given(st.integers(min_value=0, max_value=10**6), st.sampled_from([(5, 4), (7, 8), (3, 4)]))
def test_bar_beat_and_tick_count_the_meters_beats(ticks: int, meter: tuple[int, int]) -> None:
    """A position ``ticks`` ticks of the meter's beat from the start comes back as JACK's
    bar, beat and tick (and the ticks before the bar)."""
    numerator, denominator = meter
    quarter = Fraction(ticks, TICKS_PER_BEAT) * Fraction(4, denominator)
    at = bbt_at(quarter, [BarSpan(Fraction(0), numerator, denominator)], Fraction(120))
    beats, tick = divmod(ticks, TICKS_PER_BEAT)
    bar, beat = divmod(beats, numerator)
    assert (at.bar, at.beat, at.tick) == (bar + 1, beat + 1, tick)
    assert at.bar_start_tick == bar * numerator * TICKS_PER_BEAT
    assert (at.beats_per_bar, at.beat_type) == (numerator, denominator)
    assert at.beats_per_minute == 120 * denominator / 4


def test_a_change_of_meter_starts_its_bar_with_its_own_beats() -> None:
    bars = [BarSpan(Fraction(0), 5, 4), BarSpan(Fraction(5), 5, 4), BarSpan(Fraction(10), 7, 8)]
    at = bbt_at(Fraction(10), bars, Fraction(100))
    assert (at.bar, at.beat, at.tick, at.beat_type, at.beats_per_bar) == (3, 1, 0, 8, 7)
    assert at.bar_start_tick == 10 * TICKS_PER_BEAT and at.beats_per_minute == 200
    at = bbt_at(Fraction(10) + Fraction(7, 2), bars, Fraction(100))  # the 7/8 goes on
    assert (at.bar, at.beat, at.tick) == (4, 1, 0)
    assert at.bar_start_tick == (10 + 7) * TICKS_PER_BEAT


@pytest.fixture(scope="module")
def jack_server() -> Iterator[None]:
    with transport_server(SERVER):
        yield


def frame_quarter(frame: int) -> Fraction:
    """Quarter notes at a frame at q=150, 48 kHz."""
    return Fraction(frame, 48000) * 150 / 60


def query(reader, predicate, seconds: float = 10.0):  # type: ignore[no-untyped-def]
    """The transport's state and position once ``predicate(state, position)`` holds."""
    deadline = time.monotonic() + seconds
    while True:
        state, position = reader.transport_query()
        if predicate(state, position) or time.monotonic() > deadline:
            return state, position
        time.sleep(0.02)


@pytest.mark.jack
def test_a_client_of_our_own_reads_our_bars_in_five_four(jack_server: None) -> None:
    """Led at q=150, two bars of 5/4 then 7/8: a reader sees the transport roll from frame
    0 and, at each frame it reads, the bar, beat and tick that frame is on our tempo (or, at
    a cycle's turn, the cycle's before); our stop stops it; a locate into the 7/8 bar reads
    as that bar's beats, eighths at 300 a minute."""
    import jack

    bars = [BarSpan(Fraction(0), 5, 4), BarSpan(Fraction(5), 5, 4), BarSpan(Fraction(10), 7, 8)]
    tempo = TempoMap.constant(Fraction(150))
    lead = JackTransportLead.open(bars, tempo)
    reader = jack.Client("reader", no_start_server=True)
    reader.activate()
    try:
        clock = FixedFrameClock(lead.rate, start=0.0)
        lead.transport(Transport.START, frame=0, quarter=Fraction(0), clock=clock)
        state, position = query(reader, lambda s, p: s == jack.ROLLING and p["frame"] > 4096)
        # bars 1 and 2 are 5/4 here (the 7/8 is looked at by a locate below)
        assert state == jack.ROLLING
        period = reader.blocksize
        exact = 0
        for _ in range(20):
            state, position = reader.transport_query()
            read = (position["bar"], position["beat"], position["tick"])
            # the frame's own position; at a cycle's turn, the one the cycle before wrote
            frames = (position["frame"], position["frame"] - period)
            expected = [bbt_at(frame_quarter(f), bars, Fraction(150)) for f in frames]
            assert read in [(e.bar, e.beat, e.tick) for e in expected]
            exact += read == (expected[0].bar, expected[0].beat, expected[0].tick)
            assert position["beats_per_bar"] == 5 and position["beat_type"] == 4
            assert position["beats_per_minute"] == 150
            assert (
                position["bar_start_tick"] == expected[0].bar_start_tick
                or position["bar_start_tick"] == expected[1].bar_start_tick
            )
            time.sleep(0.03)
        assert exact >= 10
        lead.transport(Transport.STOP, frame=0, quarter=Fraction(0), clock=clock)
        state, position = query(reader, lambda s, p: s == jack.STOPPED)
        assert state == jack.STOPPED
        in_seven = round(Fraction(12) * 60 / 150 * lead.rate)  # 2 quarters into the 7/8
        reader.transport_frame = in_seven
        state, position = query(reader, lambda s, p: p["frame"] == in_seven and "bar" in p)
        assert (position["bar"], position["beat"], position["tick"]) == (3, 5, 0)
        assert (position["beats_per_bar"], position["beat_type"]) == (7, 8)
        assert position["bar_start_tick"] == 10 * TICKS_PER_BEAT
        assert position["beats_per_minute"] == 300
    finally:
        reader.deactivate()
        reader.close()
        lead.close()


@pytest.mark.jack
def test_theme_metronome_leads_the_transport_from_the_command_line(jack_server: None) -> None:
    """``theme metronome 7/8 --bpm e=280 --bars 3 --jack-transport lead``: while it plays, a
    reader sees the transport roll in 7/8 (seven eighth beats at 280 a minute); when it has
    played its bars, the transport stops."""
    import subprocess
    import sys

    import jack

    from tests.test_midi_out import Dump

    if jack_missing(("jack_midi_dump",), midi=True):
        pytest.skip(jack_missing(("jack_midi_dump",), midi=True))
    env = {**os.environ, "JACK_DEFAULT_SERVER": SERVER, "THEME_MIDI_API": "jack"}
    reader = jack.Client("reader-cli", no_start_server=True)
    reader.activate()
    try:
        with Dump("transport-clicks", env=env):
            command = subprocess.Popen(
                [sys.executable, "-m", "theme", "metronome", "7/8", "--bpm", "e=280",
                 "--bars", "3", "--jack-transport", "lead", "--midi-out", "transport-clicks",
                 "--no-audio"],
                env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                stderr=subprocess.PIPE, text=True,
            )  # fmt: skip
            state, position = query(reader, lambda s, p: s == jack.ROLLING and "bar" in p, 30)
            assert state == jack.ROLLING, command.stderr
            assert (position["beats_per_bar"], position["beat_type"]) == (7, 8)
            assert position["beats_per_minute"] == 280
            assert 1 <= position["bar"] <= 3 and 1 <= position["beat"] <= 7
            out, err = command.communicate(timeout=60)
        assert command.returncode == 0 and "played 3 bars" in out, err
        state, _ = query(reader, lambda s, p: s == jack.STOPPED)
        assert state == jack.STOPPED
    finally:
        reader.deactivate()
        reader.close()


def test_jack_transport_with_a_tempo_from_elsewhere_is_refused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import run_theme

    result = run_theme("metronome", "5/4", "--jack-transport", "lead", "--link", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith(
        "theme: error: --jack-transport lead follows the metronome's own tempo"
    )
