"""Ableton Link: the arithmetic, and two peers in one process (the second stands for another
program, such as a sequencer): tempo both ways, our bars' ones on its phase, start and stop.

Link peers on one machine find each other by multicast (the loopback interface carries it
when no other does); where they cannot, the network tests skip, saying so.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import run_theme
from tests.jackserver import start_jack_server, stop_jack_server
from theme.core.meter import Meter
from theme.core.tempo import MAX_QPM, MIN_QPM
from theme.errors import UsageError
from theme.live.engine.sinks import ArraySink, ClockedSink
from theme.live.sync.follow import LinkFollower, SyncCompanion
from theme.live.sync.link import (
    CATCH_UP_RATIO,
    FixedFrameClock,
    FrameClock,
    LinkSession,
    LinkState,
    catch_up,
    host_micros,
    lead_in,
    link_quantum,
    phase_error,
    quantized,
    session_qpm,
)
from theme.live.sync.recorder import Recorder
from theme.metronome import Metronome
from theme.metronome.terminal import LiveMetronome

pytest.importorskip("aalink", reason="aalink is not installed (uv sync --extra sync)")

RATE = 48000
quarters = st.fractions(min_value=-100, max_value=100, max_denominator=64)
quanta = st.sampled_from([Fraction(q) for q in (2, 3, 4, 5, 6, 7, 20)] + [Fraction(7, 2)])


def wrapped(value: Fraction, quantum: Fraction) -> Fraction:
    return (value + quantum / 2) % quantum - quantum / 2


# -- the arithmetic ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("meter", "vs", "align", "quantum"),
    [
        ("5/4", None, None, Fraction(5)),
        ("7/8", None, None, Fraction(7, 2)),
        ("6/8", None, None, Fraction(3)),
        ("2/2", None, None, Fraction(4)),
        ("5/4", "4/4", "beat", Fraction(20)),
        ("5/4", "4/4", "bar", Fraction(5)),
        ("7/8", "3/4", "beat", Fraction(21)),
    ],
)
def test_the_quantum_is_a_bar_or_a_cycle_of_both_meters(
    meter: str, vs: str | None, align: str | None, quantum: Fraction
) -> None:
    m = Metronome(meter, vs=vs, align=align)
    assert link_quantum(m.bar_quarters, m.meeting_every) == quantum


@given(st.integers(min_value=int(MIN_QPM), max_value=int(MAX_QPM)))
def test_a_whole_tempo_comes_back_whole_through_links_microseconds(qpm: int) -> None:
    sent = 60e6 / round(60e6 / qpm)  # Link sends a tempo as whole microseconds a beat
    assert session_qpm(sent) == qpm


@given(st.integers(min_value=400, max_value=40000))
def test_a_tempo_in_hundredths_comes_back_up_to_400(hundredths: int) -> None:
    """Above, a third can fall within Link's rounding of a hundredth (633.33 and 1900/3)."""
    qpm = Fraction(hundredths, 100)
    assert session_qpm(60e6 / round(60e6 / float(qpm))) == qpm


@given(st.floats(min_value=4, max_value=2000))
def test_any_session_tempo_is_read_within_links_own_rounding(bpm: float) -> None:
    micros = round(60e6 / bpm)
    qpm = session_qpm(60e6 / micros)
    assert round(60e6 / float(qpm)) == micros


@given(quarters, st.floats(min_value=-1e6, max_value=1e6), quanta)
def test_a_phase_error_is_within_half_a_cycle_and_congruent(
    position: Fraction, beat: float, quantum: Fraction
) -> None:
    error = phase_error(position, beat, quantum)
    assert -quantum / 2 <= error < quantum / 2
    assert (position - quantized(beat) - error) % quantum == 0


@given(quarters, st.floats(min_value=-1e5, max_value=1e5), quanta, st.fractions(0, 10))
def test_a_lead_in_ends_on_the_positions_phase(
    position: Fraction, beat: float, quantum: Fraction, least: Fraction
) -> None:
    wait = lead_in(position, beat, quantum, least)
    assert least <= wait < least + quantum
    assert phase_error(position, beat + float(wait), quantum) == 0 or abs(
        phase_error(position, beat + float(wait), quantum)
    ) < Fraction(1, 1 << 20)  # the float sum of beat and wait, not the arithmetic


@given(st.fractions(min_value=-2, max_value=2, max_denominator=1 << 24), st.integers(20, 2000))
def test_a_catch_up_ends_exactly_on_the_session_and_stays_near_its_tempo(
    error: Fraction, qpm: int
) -> None:
    span, tempo = catch_up(error, Fraction(qpm))
    # the span takes as long as the session takes for span + error beats
    assert 60 * span / tempo == 60 * (span + error) / qpm or tempo in (MIN_QPM, MAX_QPM)
    assert abs(tempo / qpm - 1) <= CATCH_UP_RATIO + Fraction(1, 10**9)


def test_a_reading_of_the_session_is_a_straight_line() -> None:
    s = LinkState(micros=5e6, beat=100.0, bpm=90.0)
    assert s.beat_at(s.micros_at(123.25)) == pytest.approx(123.25)
    assert s.next_downbeat(Fraction(7, 2), after=5e6 + 1) == pytest.approx(s.micros_at(101.5))
    assert s.qpm == 90


def test_a_fitted_clock_follows_a_sound_card_that_runs_fast() -> None:
    clock = FrameClock(RATE, start=0.0)
    fast = 1e6 / RATE * (1 - 50e-6)  # 50 ppm fast: 3 ms a minute
    for frame in range(256, 5 * RATE, 256):
        jitter = ((frame // 256) % 7 - 3) * 20.0  # +-60 us of reading jitter
        clock.observe(frame, 1000.0 + frame * fast + jitter)
    assert clock.micros_at(10 * RATE) == pytest.approx(1000.0 + 10 * RATE * fast, abs=30)


class StillSession:
    """A session that never changes: a reading given."""

    def __init__(self, state: LinkState) -> None:
        self.state = state


def test_the_follower_leaves_a_player_on_the_session_alone_and_catches_up_one_off_it() -> None:
    # the session: 120 BPM, beat 0 at 1 s; frame 0 heard at 1 s
    session = StillSession(LinkState(micros=1e6, beat=0.0, bpm=120.0))
    clock = FixedFrameClock(RATE, start=1e6)
    follower = LinkFollower(session, quantum=Fraction(5), start=Fraction(0), clock=clock)
    assert follower.block(RATE, Fraction(2), Fraction(120)) is None  # 1 s: beat 2
    nudge = follower.block(RATE, Fraction(201, 100), Fraction(120))  # 1/100 ahead
    assert nudge is not None
    (at, slower), (end, steady) = nudge.changes
    assert at == Fraction(201, 100) and slower < 120 and steady == 120
    # where the catch-up ends, the player is back on the session's line
    seconds = 1 + 60 * (end - at) / slower
    assert float(end) == pytest.approx(session.state.beat_at(1e6 + seconds * 1e6), abs=1e-9)
    assert follower.block(RATE + 256, Fraction(202, 100), slower) is None  # catching up


def test_the_follower_takes_the_sessions_new_tempo_at_once() -> None:
    session = StillSession(LinkState(micros=1e6, beat=0.0, bpm=120.0))
    follower = LinkFollower(
        session, quantum=Fraction(5), start=Fraction(0), clock=FixedFrameClock(RATE, start=1e6)
    )
    session.state = LinkState(micros=1e6, beat=0.0, bpm=150.0)  # 150 since 1 s
    nudge = follower.block(RATE, Fraction(5, 2), Fraction(120))  # beat 2.5 at 2 s: on it
    assert nudge is not None and nudge.changes == ((Fraction(5, 2), Fraction(150)),)


# -- two peers --------------------------------------------------------------------------------


def wait_for(condition: Callable[[], bool], seconds: float = 5.0) -> bool:
    """Wait (looking every millisecond) until ``condition()``, at most ``seconds``."""
    deadline = time.monotonic() + seconds
    pause = threading.Event()
    while not condition():
        if time.monotonic() > deadline:
            return False
        pause.wait(0.001)
    return True


LOOK_SECONDS = 1.0
"""How long the look for another Link program waits for one to answer, after the second
its peer waits on starting (seconds): Link's peers announce themselves several times a
second."""


@pytest.fixture(scope="module")
def no_other_link_program() -> None:
    """Skip, saying why, the tests that join a Link session where another Link program is on
    the network (a DAW, a phone app, a second ``theme``): our peers would change its tempo
    and start it, and its tempo and phase would be ours. Link keeps the older of two
    sessions, and a program left alone founds a new one, so an app that our last test
    peer left is younger than our next one. Looked for once, before any of our peers plays,
    by one that sets nothing and shares no start or stop."""
    probe = LinkSession(120, quantum=Fraction(4), start_stop=False).start()
    try:
        wait_for(lambda: probe.state.peers > 0, seconds=LOOK_SECONDS)
        found = probe.state.peers
    finally:
        probe.close()
    if found:
        pytest.skip(
            f"another Link program is on this network ({found} found): these tests would "
            "change its tempo and start it; close it to run them"
        )


@pytest.fixture
def other(no_other_link_program: None) -> Iterator[LinkSession]:
    """The other program: a Link peer at 100 BPM with quantum 5, on its own for a moment
    (so that its session is the one a newcomer joins), playing."""
    peer = LinkSession(100, quantum=Fraction(5)).start()
    peer.set_playing(True)
    threading.Event().wait(1.5)  # the older session (by over half a second) is the one kept
    if peer.state.peers:  # a Link app open on the network: its tempo and phase would be ours
        peer.close()
        pytest.skip(
            "another Link program is on this network: these tests need a session of their own"
        )
    yield peer
    peer.close()


def join(bpm: float, quantum: Fraction, other: LinkSession) -> LinkSession:
    session = LinkSession(bpm, quantum=quantum).start()
    if not wait_for(lambda: session.state.peers >= 1 and other.state.peers >= 1):
        session.close()
        pytest.skip("two Link peers on this machine did not find each other (no multicast?)")
    assert wait_for(lambda: session.state.bpm == other.state.bpm)
    return session


def phase_errors_ms(
    clicks: list[tuple[int, Fraction]],
    micros_of: Callable[[int], float],
    other: LinkState,
    *,
    start: Fraction,
    quantum: Fraction,
) -> list[float]:
    """For each click: how far (ms) it is from where the other peer's phase says its
    position falls (positive: late)."""
    errors = []
    for frame, position in clicks:
        beat = other.beat_at(micros_of(frame) + other.offset)
        error = wrapped(Fraction(beat) - (position - start), quantum)
        errors.append(float(error) * 60e3 / other.bpm)
    return errors


def test_our_bars_ones_fall_on_the_other_programs_phase(other: LinkSession) -> None:
    m = Metronome("5/4", bpm=120, bars=6, count_in=1)
    session = join(120, Fraction(5), other)
    assert session.state.qpm == 100  # who joins takes the session's tempo
    link = SyncCompanion(session, start=m.start, clock=FixedFrameClock)
    clicks = Recorder()
    live = LiveMetronome(m, sink=ArraySink(), out=None, link=link, companions=[clicks])
    assert live.run() == 0
    reading = other.state
    errors = phase_errors_ms(
        clicks.sounds, link.clock.micros_at, reading, start=m.start, quantum=Fraction(5)
    )
    downbeats = [p for _, p in clicks.sounds if (p - m.start) % 5 == 0]
    assert len(downbeats) == 7 * 1 and len(clicks.sounds) == 35  # count-in and 6 bars
    assert max(map(abs, errors)) < 1.0, errors
    assert live.tempo.now(m.start) == m.tempo.__class__(Fraction(100))


def test_seven_eight_runs_on_quarter_beats_with_quantum_three_and_a_half(
    other: LinkSession,
) -> None:
    m = Metronome("7/8", bpm="e=280", bars=4)
    session = join(140, Fraction(7, 2), other)
    link = SyncCompanion(session, start=m.start, clock=FixedFrameClock)
    clicks = Recorder()
    live = LiveMetronome(m, sink=ArraySink(), out=None, link=link, companions=[clicks])
    live.run()
    reading = other.state  # the other's beat line; our phase is of 3.5 beats
    errors = phase_errors_ms(
        clicks.sounds, link.clock.micros_at, reading, start=m.start, quantum=Fraction(7, 2)
    )
    assert len(clicks.sounds) == 28 and max(map(abs, errors)) < 1.0
    assert str(live.tempo.now(Fraction(0))) == "e=200"  # the session's q=100, in eighths


def test_in_real_time_tempo_both_ways_and_phase_within_a_millisecond(
    other: LinkSession,
) -> None:
    """A sound card whose clock is the system's (ClockedSink), a clock fitted to it: the other
    program goes to 150 BPM; then our '+' takes the session to 154."""
    m = Metronome("5/4", bpm=100)
    session = join(100, Fraction(5), other)
    link = SyncCompanion(session, start=m.start)  # the fitted clock, as with a sound card
    clicks = Recorder()
    sink = ClockedSink(rate=RATE)
    seen: dict[str, float] = {}
    readings: list[LinkState] = []

    class Script:
        def poll(self, heard: float) -> str | None:
            readings.append(other.state)
            at = live.heard_quarter()
            if at >= 4 and "changed" not in seen:  # bar 1, beat 5
                seen["changed"] = host_micros()
                other.set_tempo(Fraction(150))
            if "changed" in seen and "seen" not in seen and session.state.bpm == 150:
                seen["seen"] = host_micros()
            if at >= 15 and "plus" not in seen:
                seen["plus"] = host_micros()
                return "+"
            if "plus" in seen and "theirs" not in seen and other.state.qpm == 154:
                seen["theirs"] = host_micros()
            return "q" if at >= 25 else None

    live = LiveMetronome(m, sink=sink, out=None, link=link, companions=[clicks], keys=Script())
    live.run(refresh_seconds=0.002)
    assert {"changed", "seen", "plus", "theirs"} <= set(seen), seen
    # ours: of the blocks rendered once the session said 150, the first may have been
    # decided before (a block's tempo is decided as the one before it is rendered); the next
    # plays toward 150 (catching up what the blocks rendered ahead at 100 put behind)
    after = [q for t, _, q in clicks.blocks if t > seen["seen"]]
    assert after[1] != 100 and abs(after[1] / 150 - 1) <= CATCH_UP_RATIO
    assert live.tempo_changes[0][1] == 150 and live.tempo_changes[-1][1] == 154
    # every click once a catch-up is over is on the other's phase, within 1 ms, heard when
    # the sound card's clock says
    mono_to_raw = host_micros() - time.monotonic() * 1e6
    for qpm, since, until in ((150, 9, 15), (154, 19, 25)):
        steady = [c for c in clicks.sounds if since <= c[1] < until]
        errors = phase_errors_ms(
            steady,
            lambda f: sink.seconds_of(f) * 1e6 + mono_to_raw,
            next(r for r in reversed(readings) if r.qpm == qpm),
            start=m.start,
            quantum=Fraction(5),
        )
        assert len(steady) >= 3 and max(map(abs, errors)) < 1.0, (qpm, errors)


def test_start_and_stop_are_shared(other: LinkSession) -> None:
    m = Metronome("5/4", bpm=100)
    session = join(100, Fraction(5), other)
    link = SyncCompanion(session, start=m.start, clock=FixedFrameClock)
    events: list[str] = []

    class Script:
        def poll(self, heard: float) -> str | None:
            if not events:
                events.append("stop")
                other.set_playing(False)  # the other program stops: we pause
                return None
            if events == ["stop"] and live.paused:
                events.append("paused")
                other.set_playing(True)  # it starts again: we go on
                return None
            if events == ["stop", "paused"] and not live.paused:
                events.append("going on")
                return " "  # our pause stops the other
            if events[-1] == "going on" and live.paused:
                events.append("ours")
                wait_for(lambda: not other.state.playing)
                return "q"
            return None

    out = io.StringIO()
    live = LiveMetronome(m, sink=ClockedSink(rate=RATE), out=out, link=link, keys=Script())
    live.run(refresh_seconds=0.002)
    assert events == ["stop", "paused", "going on", "ours"]
    assert not other.state.playing
    assert re.search(r"Link: \d+ other programs?, quantum 5\n", out.getvalue())


def test_without_start_stop_sync_only_the_tempo_and_phase_are_shared(other: LinkSession) -> None:
    """``start_stop=False`` (``--no-link-start-stop``): the other program stops and we play
    on; our pause does not stop it; its tempo is still ours."""
    m = Metronome("5/4", bpm=120)
    session = LinkSession(120, quantum=Fraction(5), start_stop=False).start()
    if not wait_for(lambda: session.state.peers >= 1 and other.state.peers >= 1):
        session.close()
        pytest.skip("two Link peers on this machine did not find each other (no multicast?)")
    assert wait_for(lambda: session.state.bpm == other.state.bpm == 100)
    link = SyncCompanion(session, start=m.start, clock=FixedFrameClock)
    events: list[str] = []

    class Script:
        def poll(self, heard: float) -> str | None:
            if not events and live.heard_quarter() > 0:
                events.append("other stops")
                other.set_playing(False)
                return None
            if events == ["other stops"]:
                threading.Event().wait(0.3)  # long enough for Link to have told us
                events.append("still playing" if not live.paused else "paused")
                other.set_playing(True)
                return " "  # our pause
            if events and events[-1] in ("still playing", "paused") and live.paused:
                threading.Event().wait(0.3)
                events.append("other playing" if other.state.playing else "other stopped")
                return "q"
            return None

    live = LiveMetronome(m, sink=ClockedSink(rate=RATE), out=None, link=link, keys=Script())
    live.run(refresh_seconds=0.002)
    assert events == ["other stops", "still playing", "other playing"]


def test_alone_in_a_session_the_metronome_starts_at_once(no_other_link_program: None) -> None:
    m = Metronome("7/8", bpm="e=280", bars=2)
    with LinkSession(140, quantum=Fraction(7, 2)) as session:
        if session.state.peers:
            pytest.skip("another Link program is on this network")
        link = SyncCompanion(session, start=m.start, clock=FixedFrameClock)
        clicks = Recorder()
        live = LiveMetronome(m, sink=ArraySink(), out=None, link=link, companions=[clicks])
        assert live.run() == 0
        first = clicks.sounds[0][0] / RATE
        assert 1.0 <= first <= 1.3  # the lead-in, not a wait for the next bar
        assert link.status(Fraction(0)) == "Link: no other program, quantum 7/2"
        assert link.status(Fraction(-1)).endswith("(waiting for the session's beat)")
        assert session.state.qpm == 140


def test_a_meter_of_its_own_quantum() -> None:
    assert link_quantum(Meter.parse("3+3+2/8").bar_quarters) == 4


# -- the library and the command line -----------------------------------------------------------


def onsets(data: np.ndarray) -> list[int]:
    """The first frame of each sound after a silence (the clicks are apart)."""
    sounding = np.flatnonzero(np.abs(data).sum(axis=1) > 0)
    return [int(f) for i, f in enumerate(sounding) if i == 0 or f - sounding[i - 1] > 2000]


def test_a_metronome_plays_with_link_from_the_library(other: LinkSession) -> None:
    m = Metronome("5/4", bpm=120, bars=2)
    sink = ArraySink()
    player = m.play(link=True, sink=sink)
    link = player.companions[-1]
    assert isinstance(link, SyncCompanion) and link.session.state.qpm == 100
    frames = onsets(sink.data)
    assert len(frames) == 10
    positions = [Fraction(i) for i in range(10)]
    errors = phase_errors_ms(
        list(zip(frames, positions)),
        link.clock.micros_at,
        other.state,
        start=Fraction(0),
        quantum=Fraction(5),
    )
    assert max(map(abs, errors)) < 1.0, errors
    player.close()
    assert link.session._closed  # closing the player leaves the session


def test_a_timeline_plays_with_link_and_one_that_changes_tempo_is_refused(
    other: LinkSession,
) -> None:
    import theme

    timeline = theme.load("tv-1966", intro_bars=1, melody_bars=1).timeline(tempo=130)
    sink = ArraySink()
    player = theme.play(timeline, link=True, sink=sink)
    link = player.companions[-1]
    assert isinstance(link, SyncCompanion) and link.quantum == 5
    heard = float(player.renderer.tempo_map.seconds_at(-player.origin))  # bar 1 in the sound
    assert 1.0 <= heard < 1.0 + 5 * 60 / 100  # a lead-in to the next bar of the session
    first = onsets(sink.data)[0]
    errors = phase_errors_ms(
        [(first, Fraction(0))],
        link.clock.micros_at,
        other.state,
        start=Fraction(0),
        quantum=Fraction(5),
    )
    assert abs(errors[0]) < 1.0
    ramped = timeline.with_tempo(timeline.tempo_map.then(Fraction(5), 150))
    with pytest.raises(UsageError, match="Link shares one tempo"):
        theme.play(ramped, link=True, sink=ArraySink())


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["metronome", "5/4", "--link", "--bars", "2", "-o", "x.wav"], "--link is for playing"),
        (["metronome", "5/4", "--link", "--ramp", "100-120/2"], "a Link session sets the tempo"),
        (
            ["metronome", "5/4", "--no-link-start-stop"],
            "--no-link-start-stop is for a Link session: give --link",
        ),
    ],
)
def test_link_options_that_would_do_nothing_are_refused(
    args: list[str], said: str, tmp_path: Path
) -> None:
    result = run_theme(*args, cwd=tmp_path)
    assert result.returncode == 2 and said in result.stderr and not list(tmp_path.iterdir())


def test_without_aalink_one_line_says_how_to_get_it() -> None:
    code = (
        "import sys\nsys.modules['aalink'] = None\nfrom theme.cli import main\n"
        "sys.exit(main(sys.argv[1:]))"
    )
    for args in (["metronome", "5/4", "--link"], ["play", "tv-1966", "--link"]):
        result = subprocess.run(
            [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=60
        )
        assert result.returncode == 3
        assert result.stderr == (
            "theme: error: Ableton Link needs the optional package aalink: uv sync --extra sync\n"
        )


# -- a real sound card's clock: JACK's dummy driver -------------------------------------------

JACK_PLAYER = """
import io, json
from fractions import Fraction
from theme.live.sync.link import host_micros, metronome_link
from theme.metronome.terminal import LiveMetronome
from theme.metronome import Metronome

class Clicks:
    clicks = []
    def transport(self, event, *, frame, quarter, clock): pass
    def block(self, block):
        self.clicks += [(f, str(e.onset + block.origin)) for f, e in block.events if e.velocity]
    def check(self): pass
    def close(self): pass

class Clock:  # the sound card's clock read with the host's, on the main thread
    pairs = []
    def poll(self, heard):
        player = live.player
        if player is not None:
            before = host_micros(); frame = player.heard_frame(); after = host_micros()
            if frame and after - before < 300:
                self.pairs.append((frame, (before + after) / 2))
        return None

m = Metronome("5/4", bpm=120, bars=3)
link = metronome_link(m)
clicks = Clicks()
out = io.StringIO()
live = LiveMetronome(m, device="system", out=out, link=link, companions=[clicks], keys=Clock())
link.session.start()
code = live.run(refresh_seconds=0.005)
print(json.dumps({"code": code, "clicks": clicks.clicks, "pairs": Clock.pairs,
                  "underruns": live.underruns, "out": out.getvalue()}))
"""


@pytest.fixture(scope="module")
def jack() -> Iterator[dict[str, str]]:
    """A JACK server of its own on the dummy driver (48 kHz, 1024-frame periods)."""
    import os
    import shutil

    if not shutil.which("jackd") or not shutil.which("jack_lsp"):
        pytest.skip("jackd is not installed (apt-get install jackd2)")
    name = f"theme-link-{os.getpid()}"
    env = {**os.environ, "JACK_DEFAULT_SERVER": name, "JACK_NO_START_SERVER": "1"}
    env["JACK_NO_AUDIO_RESERVATION"] = "1"
    server = start_jack_server(env)
    yield env
    stop_jack_server(server)


@pytest.mark.jack
def test_through_jack_another_process_plays_on_the_other_programs_phase(
    jack: dict[str, str], other: LinkSession
) -> None:
    """``theme``'s live metronome in another process, on JACK's dummy driver through
    PortAudio, its clock fitted to the sound card's: the clicks from bar 2 on the other
    program's phase (median within 1 ms, every one within 5 ms), when the sound card's own
    clock says it is heard."""
    import json

    result = subprocess.run(
        [sys.executable, "-c", JACK_PLAYER], env=jack, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    said = json.loads(result.stdout)
    assert said["code"] == 0
    if said["underruns"]:  # the dummy driver without real-time scheduling, on a busy machine
        pytest.skip(
            f"{said['underruns']} underruns on JACK's dummy driver: this machine is too busy "
            "to tell the phase from the load"
        )
    assert re.search(r"Link: \d+ other programs?, quantum 5\n", said["out"])
    # the sound card's clock: a line through its readings
    frames = np.array([f for f, _ in said["pairs"]], dtype=float)
    micros = np.array([m for _, m in said["pairs"]])
    slope, intercept = np.polyfit(frames, micros, 1)
    clicks = [(f, Fraction(p)) for f, p in said["clicks"]]
    assert len(clicks) == 15
    # from bar 2: the first bar may still be catching up the first estimate of when the sound
    # card plays (PortAudio opening a JACK stream on a busy machine can take most of a second)
    errors = phase_errors_ms(
        clicks[5:],
        lambda f: slope * f + intercept,
        other.state,
        start=Fraction(0),
        quantum=Fraction(5),
    )
    # The milliseconds are a figure (benchmarks/bench_link.py: p99 0.02-0.035 ms); here what
    # load cannot break: on the phase, a few readings of a busy machine's clock aside.
    assert abs(float(np.median(errors))) < 1.0, errors
    assert max(map(abs, errors)) < 5.0, errors


@pytest.mark.parametrize("command", [["metronome", "5/4"], ["play", "tv-1966"]])
def test_with_no_sound_card_link_says_so_in_one_line_before_joining(
    command: list[str], tmp_path: Path
) -> None:
    result = run_theme(
        *command, "--link", cwd=tmp_path, env={"JACK_DEFAULT_SERVER": "theme-no-server-here"}
    )
    assert result.returncode == 3
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "no audio output device found" in lines[0]
