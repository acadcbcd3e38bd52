"""MIDI clock in: a master's clocks, Start, Stop, Continue and Song Position read as a time
line to follow (the arithmetic, with times given); a live metronome kept on a master that
plays in real time, each click held against the master's exact beat; the options that
cannot be. The path through a real JACK MIDI port is in tests/test_midi_out.py."""

from __future__ import annotations

import random
import threading
import time
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import run_theme
from theme.live.companions import Recorder
from theme.live.link import LinkCompanion
from theme.live.link_time import host_micros
from theme.live.loop import LiveMetronome
from theme.live.midi_clock_in import (
    MIN_FIT,
    PULSES_PER_QUARTER,
    TEMPO_STEADY_BPM,
    MidiClockSession,
    fit_line,
    metronome_clock_in,
)
from theme.live.sinks import ClockedSink
from theme.metronome import Metronome

RATE = 48000
T0 = 5e9  # microseconds of the host clock where the tests' masters begin


def clock_period(qpm: float) -> float:
    """Microseconds between two MIDI clocks at ``qpm`` quarter notes a minute."""
    return 60e6 / (qpm * PULSES_PER_QUARTER)


def session(bpm: float = 100) -> MidiClockSession:
    return MidiClockSession("master", bpm=bpm, quantum=Fraction(5))


def clocks(s: MidiClockSession, qpm: float, start: float, count: int, jitter=None):  # type: ignore[no-untyped-def]
    period = clock_period(qpm)
    for k in range(count):
        s.receive("clock", start + k * period + (jitter[k] if jitter else 0.0))
    return start + count * period


@given(st.floats(min_value=20, max_value=400))
def test_a_steady_master_gives_its_tempo_and_song_position(qpm: float) -> None:
    s = session()
    s.receive("start", T0 - 500)
    clocks(s, qpm, T0, 48)
    state = s.state
    assert abs(state.bpm - qpm) <= TEMPO_STEADY_BPM + 0.005
    assert state.playing and state.peers == 1
    # the first clock after Start is song position 0; the 48th is two quarter notes on
    assert state.beat == 47 / 24
    assert state.micros == pytest.approx(T0 + 47 * clock_period(qpm), abs=0.01)


@settings(max_examples=50)
@given(st.lists(st.floats(min_value=-1000, max_value=1000), min_size=96, max_size=96))
def test_arrivals_that_jitter_a_millisecond_are_fitted_to_a_straight_line(
    jitter: list[float],
) -> None:
    """A MIDI interface or a JACK period moves each clock's arrival by up to 1 ms (any
    pattern, the worst one too): the tempo stays within 0.5 BPM of 137, and the beat at
    the last clock within 1.6 ms of the master's."""
    s = session()
    s.receive("start", T0 - 500)
    clocks(s, 137, T0, 96, jitter)
    state = s.state
    assert abs(state.bpm - 137) < 0.5
    exact_last = T0 + 95 * clock_period(137)
    error_ms = (state.beat_at(exact_last) - 95 / 24) * 60e3 / 137
    assert abs(error_ms) < 1.6


def test_start_stop_song_position_and_continue_as_the_midi_spec_says() -> None:
    s = session(120)
    period = clock_period(120)
    at = clocks(s, 120, T0, 24)  # a master that sends clock while stopped
    assert not s.state.playing and s.state.bpm == 120
    s.receive("start", at)
    assert not s.state.playing  # until its first clock: song position 0
    at = clocks(s, 120, at + period, 30)
    assert s.state.playing and s.state.beat == 29 / 24
    s.receive("stop", at)
    assert not s.state.playing
    s.receive("songpos", at + 10, position=8)  # eight sixteenths: two quarter notes
    at = clocks(s, 120, at + period, 3)  # clocks while stopped move nothing
    s.receive("continue", at)
    clocks(s, 120, at + period, MIN_FIT)
    assert s.state.playing and s.state.beat == 2 + (MIN_FIT - 1) / 24


def test_every_message_that_is_not_clock_is_ignored() -> None:
    s = session()
    s.receive("start", T0)
    clocks(s, 120, T0 + 100, 24)
    before = s.state
    for kind in ("note_on", "note_off", "control_change", "active_sensing", "sysex", "reset"):
        s.receive(kind, T0 + 1e6)
    assert s.ignored == 6 and s.state is before


def test_a_tempo_change_of_the_master_is_taken_and_a_steady_one_is_one_tempo() -> None:
    s = session()
    s.receive("start", T0)
    at = clocks(s, 120, T0 + 100, 96)
    tempos = set()
    for _ in range(10):  # ten more quarter notes at the same tempo: no new tempo at each
        at = clocks(s, 120.04, at, 24)
        tempos.add(s.state.bpm)
    assert tempos == {120.0}
    clocks(s, 150, at, 96)  # within the steady band of 150: the phase follows the rest
    assert abs(s.state.bpm - 150) <= TEMPO_STEADY_BPM


def test_the_fit_is_least_squares() -> None:
    rng = random.Random(7)
    points = [(k, 1000.0 + 520.0 * k + rng.uniform(-1, 1)) for k in range(200)]
    at_zero, per_clock = fit_line(points)
    assert per_clock == pytest.approx(520, abs=0.01) and at_zero == pytest.approx(1000, abs=1)


def test_the_display_says_what_the_master_does() -> None:
    s = session(137)
    assert s.describe() == "MIDI clock in 'master': no clock coming"
    now = host_micros()
    s.receive("start", now - 1e6)
    clocks(s, 137, now - 0.9e6, 30)
    assert s.describe() == "MIDI clock in 'master': 137 BPM, playing"
    s.receive("stop", now)
    assert s.describe() == "MIDI clock in 'master': 137 BPM, waiting for its Start"


# -- a live metronome on a master playing in real time ----------------------------------------


class Master(threading.Thread):
    """A MIDI clock master in this process: clock at ``qpm`` from now on, Start after
    ``start_after`` seconds; each message handed to the session when its time comes (the
    thread's own wake-ups are the arrival jitter). ``first`` is the exact time of song
    position 0 (host microseconds)."""

    def __init__(self, target: MidiClockSession, qpm: float, start_after: float) -> None:
        super().__init__(daemon=True)
        self.target, self.period = target, clock_period(qpm)
        begin = host_micros() + 20e3
        self.starts_at = begin + round(start_after * 1e6 / self.period) * self.period
        self.first = self.starts_at  # the first clock after Start
        self.begin = begin
        self.done = threading.Event()

    def run(self) -> None:
        k, started = 0, False
        while not self.done.is_set():
            due = self.begin + k * self.period
            if not started and due >= self.starts_at:
                self.target.receive("start", host_micros())
                started = True
            wait = (due - host_micros()) / 1e6
            if wait > 0:
                self.done.wait(wait)
            self.target.receive("clock", host_micros())
            k += 1


def test_a_live_metronome_waits_for_the_masters_start_and_keeps_its_bars_ones() -> None:
    """Ours says 100 BPM; the master plays 137 and starts a second later: the first click
    comes after its Start, at its tempo, every click on its song position's phase (quantum
    5: the bar of 5/4) within a millisecond, heard when the sound card's clock says."""
    m = Metronome("5/4", bpm=100)
    s = session(100)
    link = LinkCompanion(s, start=m.start)  # the clock fitted to the (system's) sound card
    recorder = Recorder()
    sink = ClockedSink(rate=RATE)
    master = Master(s, 137, start_after=1.0)

    class Script:
        def poll(self, heard: float) -> str | None:
            return "q" if live.heard_quarter() >= 16 else None

    live = LiveMetronome(m, sink=sink, out=None, link=link, companions=[recorder], keys=Script())
    master.start()
    try:
        assert live.run(refresh_seconds=0.002) == 0
    finally:
        master.done.set()
        master.join(2)
    mono_to_raw = host_micros() - time.monotonic() * 1e6
    heard = [(sink.seconds_of(f) * 1e6 + mono_to_raw, p) for f, p in recorder.sounds]
    assert heard and heard[0][0] > master.starts_at  # nothing before its Start
    quarter = 60e6 / 137
    errors = []
    for micros, position in heard:
        beat = (micros - master.first) / quarter
        off = (beat - float(position - m.start)) % 5
        errors.append((off - 5 if off > 2.5 else off) * quarter / 1e3)
    steady = errors[2:]  # after the first catch-up
    assert len(steady) >= 8 and max(map(abs, steady)) < 1.0, errors
    assert s.state.bpm == pytest.approx(137, abs=TEMPO_STEADY_BPM)


# -- options that cannot be -----------------------------------------------------------------


def test_a_ramp_or_link_with_a_master_is_refused() -> None:
    from theme.errors import UsageError

    with pytest.raises(UsageError, match="a MIDI clock master sets the tempo"):
        metronome_clock_in(Metronome("5/4", ramp="100-120/2"), "x")
    with pytest.raises(UsageError, match="link and clock_in both set the tempo"):
        Metronome("5/4").play(link=True, clock_in="x")


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--link"], "--link and --clock-in both set the tempo: give one of them"),
        (["--bars", "2", "-o", "x.wav"], "--clock-in is for playing live, not for writing"),
        (["--accel", "100-120/4"], "a MIDI clock master sets the tempo"),
    ],
)
def test_the_cli_refuses_what_cannot_be_in_one_line(tmp_path, args: list[str], said: str) -> None:  # type: ignore[no-untyped-def]
    result = run_theme("metronome", "5/4", "--clock-in", "master", *args, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"theme: error: {said}") and result.stderr.count("\n") == 1
    assert list(tmp_path.iterdir()) == []
