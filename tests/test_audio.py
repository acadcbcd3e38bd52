"""The synthesizer: every event on its exact sample, block sizes, no clipping, files."""

from __future__ import annotations

import functools
import math
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import soundfile
from hypothesis import given, settings
from hypothesis import strategies as st

import theme
import theme.renderers.audio as audio
from theme.core.meter import AccentLevel
from theme.core.tempo import TempoMap
from theme.core.timeline import Event, Layer, Timeline
from theme.errors import OutputFileError, ThemeError, UsageError
from theme.renderers.audio import BlockRenderer, render
from theme.renderers.audiofile import write_audio
from theme.renderers.voices import VOICES, waveform

IMPULSE = np.array([0.001], dtype=np.float32)


def expected_sample(tempo: TempoMap, onset: Fraction, rate: int) -> int:
    """The exact rounding, computed here from the tempo map's seconds: floor(t * rate + 1/2)."""
    return math.floor(Fraction(tempo.seconds_at(onset)) * rate + Fraction(1, 2))


@pytest.fixture
def impulses(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every voice becomes a one-sample impulse, so each event marks its own sample."""
    monkeypatch.setattr(audio, "waveform", lambda *args, **kwargs: IMPULSE)


def onsets_in(rendered: np.ndarray) -> set[int]:
    return set(np.flatnonzero(np.abs(rendered).sum(axis=1)).tolist())


@pytest.mark.parametrize("rate", [44100, 48000])
@pytest.mark.parametrize("name", theme.names())
def test_every_event_on_its_exact_sample(impulses: None, name: str, rate: int) -> None:
    timeline = theme.load(name).timeline()
    expected = {expected_sample(timeline.tempo_map, e.onset, rate) for e in timeline.events}
    assert onsets_in(render(timeline, rate=rate)) == expected


@pytest.mark.parametrize("rate", [44100, 48000])
def test_exact_samples_through_a_tempo_ramp(impulses: None, rate: int) -> None:
    timeline = theme.load("remix-1996", intro_bars=4, body_bars=8).timeline()
    timeline = timeline.with_tempo(
        TempoMap.constant(96).then(Fraction(10), 96, ramp_quarters=Fraction(30), to=171)
    )
    expected = {expected_sample(timeline.tempo_map, e.onset, rate) for e in timeline.events}
    assert onsets_in(render(timeline, rate=rate)) == expected


def test_silent_events_make_no_sound(impulses: None) -> None:
    from theme.metronome import Metronome

    timeline = Metronome("4/4", gap="1:1", bars=2).timeline()
    heard = {
        expected_sample(timeline.tempo_map, e.onset, 48000)
        for e in timeline.events
        if e.accent != AccentLevel.SILENT
    }
    assert onsets_in(render(timeline)) == heard
    assert len(heard) == 4


@pytest.mark.parametrize("voice", VOICES)
def test_voices_start_on_their_first_sample(voice: str) -> None:
    wave = waveform(voice, 60, 48000, seconds=0.5)
    assert wave.dtype == np.float32 and wave[0] != 0
    assert 0 < np.abs(wave).max() <= 1.0


def test_unknown_voice() -> None:
    with pytest.raises(UsageError, match=r"unknown voice 'tuba': expected one of bass, lead"):
        waveform("tuba", 60, 48000)


@functools.cache
def remix_in_one_go() -> tuple[Timeline, np.ndarray]:
    """Two bars of the 1996 remix and their sound rendered whole (4.9 s, 235,854 frames)."""
    timeline = theme.load("remix-1996", intro_bars=1, body_bars=1).timeline()
    return timeline, render(timeline)


CALLBACK_FRAMES = 4096
"""Frames: a sound card's block, played after each turn of the sizes a test draws."""


@settings(max_examples=25, deadline=None)
@given(sizes=st.lists(st.integers(1, 5000), min_size=1, max_size=40))
def test_block_sizes_do_not_change_the_sound(sizes: list[int]) -> None:
    """Blocks of the sizes drawn, in turn and then a sound card's block, again and again to
    the end, sound as the whole rendered at once: every size, from one frame, falls at
    every place in the music (a whole piece in blocks of one frame took 15 s)."""
    timeline, whole = remix_in_one_go()
    turn = [*sizes, CALLBACK_FRAMES]
    renderer = BlockRenderer.for_timeline(timeline)
    parts, i = [], 0
    while not renderer.finished:
        block = np.empty((turn[i % len(turn)], 2), np.float32)
        written = renderer.fill(block)
        parts.append(block[:written])
        i += 1
    assert np.array_equal(np.concatenate(parts), whole)


@pytest.mark.parametrize("name", theme.names())
def test_the_mix_never_clips(name: str) -> None:
    rendered = render(theme.load(name).timeline(), rate=44100)
    assert 0.05 < np.abs(rendered).max() < 1.0


def test_a_pile_of_notes_stays_inside() -> None:
    events = [Event(Fraction(0), Fraction(1), f"l{i}", 36) for i in range(40)]
    layers = [Layer(f"l{i}", "kick", drum=True, gain=3.0) for i in range(40)]
    timeline = Timeline.build(
        title="pile", bars=[(theme.Meter.parse("4/4"), "")], tempo=120, layers=layers, events=events
    )
    assert np.abs(render(timeline)).max() < 1.0


def test_length_is_the_music_and_its_ring() -> None:
    timeline = theme.load("tv-1966", intro_bars=1, melody_bars=0).timeline()
    rendered = render(timeline)
    end = timeline.tempo_map.sample_at(timeline.length, 48000)
    assert end <= len(rendered) < end + 48000


@pytest.mark.parametrize(
    ("suffix", "subtype"), [(".wav", "PCM_16"), (".flac", "PCM_16"), (".ogg", "VORBIS")]
)
@pytest.mark.parametrize("rate", [44100, 48000])
def test_audio_files(tmp_path: Path, suffix: str, subtype: str, rate: int) -> None:
    timeline = theme.load("tv-1966", intro_bars=1, melody_bars=1).timeline()
    path = write_audio(timeline, tmp_path / f"out{suffix}", rate=rate)
    info = soundfile.info(path)
    assert (info.samplerate, info.channels, info.subtype) == (rate, 2, subtype)
    data, _ = soundfile.read(path, dtype="float32")
    reference = render(timeline, rate=rate)
    assert abs(len(data) - len(reference)) <= (2048 if suffix == ".ogg" else 0)
    if suffix != ".ogg":
        assert np.abs(data - reference).max() <= 1 / 32767


def test_bad_audio_outputs(tmp_path: Path) -> None:
    timeline = theme.load("tv-1966").timeline()
    with pytest.raises(UsageError, match="invalid sample rate 22050: expected 44100 or 48000"):
        write_audio(timeline, tmp_path / "x.wav", rate=22050)
    with pytest.raises(OutputFileError, match=r"unknown output format .*\.wav, \.flac, \.ogg"):
        write_audio(timeline, tmp_path / "x.mp3")
    assert list(tmp_path.iterdir()) == []


def test_soundfont_needs_pyfluidsynth(tmp_path: Path) -> None:
    try:
        import fluidsynth  # noqa: F401
    except (ImportError, OSError):
        with pytest.raises(ThemeError, match="--soundfont needs pyfluidsynth"):
            write_audio(
                theme.load("tv-1966").timeline(), tmp_path / "x.wav", soundfont=tmp_path / "x.sf2"
            )
        assert list(tmp_path.iterdir()) == []
    else:  # pragma: no cover - only where pyfluidsynth is installed
        with pytest.raises(
            theme.errors.InputFileError if hasattr(theme, "errors") else ThemeError,
            match="SoundFont",
        ):
            write_audio(
                theme.load("tv-1966").timeline(), tmp_path / "x.wav", soundfont=tmp_path / "x.sf2"
            )


def test_library_render_function() -> None:
    assert theme.render(theme.load("balkan-7").timeline()).shape[1] == 2
