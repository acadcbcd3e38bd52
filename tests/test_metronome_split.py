"""The metronome split by job: its exports unchanged, one bar of clicks for every layout, one
renderer and player for every sound, a frozen value, and live keys that change the live
tempo, never the metronome."""

from __future__ import annotations

import dataclasses
import hashlib
import heapq
import io
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from theme.core.meter import Meter
from theme.core.tempo import MAX_QPM, MIN_QPM, TempoMap
from theme.errors import UsageError
from theme.export import write
from theme.live.engine.sinks import ArraySink, SteppedSink
from theme.metronome import Metronome, click_sound
from theme.metronome.clicks import COUNT, MAIN, SECOND, bar_clicks
from theme.metronome.terminal import LiveMetronome, LiveTempo
from theme.renderers.audio import render
from theme.renderers.audiofile import write_blocks

# sha256 of `theme metronome ... -o FILE` as written before the metronome was split by job
# (the same files as the command's): the split changed no byte of a MIDI or WAV export.
BEFORE_THE_SPLIT = {
    "5/4": (
        {"meter": "5/4", "bars": 4},
        "c8db9e42297109f87837342cd097e52b49bfbd49053ee854190fa9dc176e189e",
        "db05cd8789550b09803f07719da6b014dc3beb079aacbe683037c696f1e66490",
    ),
    "7/8 swung": (
        {"meter": "7/8", "subdivide": 2, "swing": 0.6, "bars": 4},
        "9623079ce936708d1b954f675ebed3d9066ee3ee25f5a301761afec7c291e3d4",
        "8a4a3c45c625ab6000f3ab1e42bdaf175da50c1e3c22984acf80c7e870710a3e",
    ),
    "5/4 against 4/4 by the bar": (
        {"meter": "5/4", "vs": "4/4", "align": "bar", "bars": 4},
        "e2a44c1638f88d2df4906fcaa7d0dba2f2476fdce1b5abb336fa057e3d468a41",
        "a30d0fa1ed0932f96e203b594a9d38496a5512c805f7ffaf677629ba408b439a",
    ),
    "7/8 ramp in eighths": (
        {"meter": "7/8", "ramp": "e=200-280/4", "bars": 12},
        "606db1c61d6b694b1f6a46ebd2601c0b5d485c8b21926a4f71c7c2a4dfdb3766",
        "7e92d6682b0ab82954b229034e5b0dcc461cb988be5881eadaf3bbfa56864e0b",
    ),
    "5/4 accelerando": (
        {"meter": "5/4", "accel": "120-180/8", "bars": 10},
        "72af10d8d7f8062866064db3e1e124dcc7f635da8d5d81ab7a2b538f8638ea23",
        "54253eb51ea8fae46ff5baad007b985dc9ef00af9f3d4c1253e80d701ec7468b",
    ),
    "5/4 gap and count-in": (
        {"meter": "5/4", "gap": "3:1", "count_in": 1, "bars": 8},
        "14b351c010923d7179e97f365f75778f923610746ebcdef1bd5c27226077ad2c",
        "8ead02cee237ae237d774d3fcffdaaa7a63c41b6a6d4c70b24c87b769dc491af",
    ),
}


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("name", list(BEFORE_THE_SPLIT))
def test_exports_are_byte_identical_to_those_before_the_split(name: str, tmp_path: Path) -> None:
    options, midi_digest, wav_digest = BEFORE_THE_SPLIT[name]
    metronome = Metronome(**options)  # type: ignore[arg-type]
    write(metronome.timeline(), tmp_path / "m.mid")  # as `theme metronome -o m.mid`
    write_blocks(metronome.renderer(rate=48000), tmp_path / "m.wav", rate=48000)
    assert (_sha256(tmp_path / "m.mid"), _sha256(tmp_path / "m.wav")) == (midi_digest, wav_digest)


def test_a_metronome_is_its_bars_of_bar_clicks_laid_end_to_end() -> None:
    five, four = Meter.parse("5/4"), Meter.parse("4/4")
    metronome = Metronome("5/4", vs="4/4", count_in=1, bars=3, subdivide=2)
    by_hand = heapq.merge(
        bar_clicks(five, layer=COUNT, subdivide=2),
        *(bar_clicks(five, start=Fraction(5 * n), subdivide=2) for n in range(1, 4)),
        # every bar of the second meter that begins before the end is played whole
        *(bar_clicks(four, start=Fraction(5 + 4 * n), layer=SECOND, subdivide=2) for n in range(4)),
    )
    assert list(metronome.events()) == list(by_hand)
    assert metronome.timeline().layer_events(MAIN.name) == [
        e for e in metronome.events() if e.layer == MAIN.name
    ]


def test_a_metronome_is_a_frozen_value_changed_by_replace() -> None:
    m = Metronome("7/8", ramp="e=200-280/4", bars=12)
    with pytest.raises(dataclasses.FrozenInstanceError):
        m.bars = 8  # type: ignore[misc]
    longer = dataclasses.replace(m, bars=16)
    assert (longer.bars, m.bars, str(longer.tempo)) == (16, 12, "e=200")
    assert longer.tempo_map.segments == m.tempo_map.segments
    with pytest.raises(UsageError, match="invalid ramp with 4 bars: its first step is at bar 5"):
        dataclasses.replace(m, bars=4)  # checked as when it was built


def test_sound_and_file_come_from_the_one_renderer_and_player() -> None:
    m = Metronome("5/4", vs="4/4", bpm=150, count_in=1, bars=2)
    sink = ArraySink(blocksize=256)
    player = m.play(sink=sink)
    assert player.renderer.tempo_map == m.tempo_map
    played, rendered = sink.data, render(m.timeline())
    assert np.array_equal(played[: len(rendered)], rendered)
    assert not played[len(rendered) :].any()


def test_going_on_from_a_position_plays_the_rest_of_the_clicks_from_zero() -> None:
    m = Metronome("4/4", accel="120-180/4", bars=6)
    renderer = click_sound.renderer(m, from_quarter=Fraction(6))
    assert renderer.tempo_map.qpm_at(Fraction(0)) == m.tempo_map.qpm_at(Fraction(6))
    onsets = [e.onset for e in click_sound.events_after(m, Fraction(6), origin=Fraction(6))]
    assert onsets == [Fraction(n) for n in range(18)]


def test_live_keys_change_the_live_tempo_not_the_metronome() -> None:
    metronome = Metronome("4/4", bpm=120, bars=40)
    before = metronome.tempo_map
    session = LiveMetronome(metronome, sink=SteppedSink(blocksize=480), out=io.StringIO())
    session._start_player(Fraction(0))
    session.handle("+", 0.0)
    assert session.player is not None
    session.player.heard_frame()  # one block: the change is made between two blocks
    session.player.close()
    assert metronome.tempo_map is before and metronome.tempo_map.qpm_at(Fraction(8)) == 120
    assert session.tempo.tempo_map.qpm_at(Fraction(8)) == 124
    assert "now q=124" in session.frame.lines(Fraction(8))[0]


@given(
    start=st.integers(MIN_QPM, MAX_QPM),
    presses=st.lists(st.sampled_from([1, -1]), max_size=20),
    unit=st.sampled_from([Fraction(1), Fraction(1, 2), Fraction(3, 2)]),
)
def test_live_tempo_stays_in_the_one_tempo_range(
    start: int, presses: list[int], unit: Fraction
) -> None:
    live = LiveTempo(TempoMap.constant(start), unit=unit)
    for n, direction in enumerate(presses):
        at = Fraction(n)
        live.changed(at, live.stepped(at, direction))
    assert all(MIN_QPM <= qpm <= MAX_QPM for _, qpm in live.changes)
    assert len(live.tempo_map.segments) >= 1
