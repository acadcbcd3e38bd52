"""The beat tracker and its spectra in plain numpy: the block-wise dynamic programme equals
Ellis' recursion frame by frame, and the spectra find what a known signal holds."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from theme.listen import spectra
from theme.listen.beat_tracker import _best_paths, track_beats
from theme.listen.tracking import Envelope

RATE = 11025
HOP = 128


def _recursion(
    local: np.ndarray, frames_per_beat: int, tightness: float
) -> tuple[np.ndarray, np.ndarray]:
    """Ellis' recursion as written, one frame after another (as librosa's numba loop)."""
    cumulative = np.zeros(len(local))
    backlink = np.full(len(local), -1)
    threshold = 0.01 * local.max()
    first_beat = True
    for i, score in enumerate(local):
        best, where = -np.inf, -1
        for loc in range(i - round(frames_per_beat / 2), i - 2 * frames_per_beat - 1, -1):
            if loc < 0:
                break
            candidate = (
                cumulative[loc] - tightness * (np.log(i - loc) - np.log(frames_per_beat)) ** 2
            )
            if candidate > best:
                best, where = candidate, loc
        cumulative[i] = score + best if where >= 0 else score
        if first_beat and score < threshold:
            backlink[i] = -1
        else:
            backlink[i] = where
            first_beat = False
    return cumulative, backlink


@settings(max_examples=40, deadline=None)
@given(
    values=st.lists(st.floats(0, 10, allow_nan=False), min_size=5, max_size=200),
    frames_per_beat=st.integers(2, 40),
    tightness=st.sampled_from([1.0, 100.0, 200.0, 680.0]),
)
def test_the_blockwise_programme_equals_the_recursion(
    values: list[float], frames_per_beat: int, tightness: float
) -> None:
    local = np.array(values)
    cumulative, backlink = _best_paths(local, frames_per_beat, tightness)
    expected_cumulative, expected_backlink = _recursion(local, frames_per_beat, tightness)
    np.testing.assert_allclose(cumulative, expected_cumulative, rtol=1e-12, atol=1e-9)
    assert backlink.tolist() == expected_backlink.tolist()


def test_beats_of_a_wavering_click_track_land_on_its_clicks() -> None:
    """Clicks 120 a minute, each up to 2 frames early or late, after a second of silence:
    every beat on its click, but for the first and the last, which the tracker trims as
    weak ends (so does librosa's; the fitting carries the pulse back to the ends)."""
    frame_rate = RATE / HOP
    rng = np.random.default_rng(3)
    clicks = 86 + np.arange(40) * 43 + rng.integers(-2, 3, 40)
    strength = np.zeros(clicks[-1] + 100)
    strength[clicks] = 1.0 + rng.random(40)
    beats = track_beats(strength, frame_rate, 120.0)
    assert beats.tolist() == clicks[1:-1].tolist()


def test_silence_has_no_beat() -> None:
    assert track_beats(np.zeros(500), RATE / HOP, 120.0).tolist() == []


def test_a_sine_peaks_in_its_bin_its_mel_band_and_its_pitch_class() -> None:
    seconds = np.arange(RATE) / RATE
    a440 = np.sin(2 * np.pi * 440.0 * seconds).astype(np.float32)
    spectrum = spectra.power_spectrum(a440, 1024, HOP)
    assert spectrum.shape == (513, 1 + RATE // HOP)
    assert int(np.argmax(spectrum[:, 40])) == round(440 * 1024 / RATE)
    bands = spectra.mel_frequencies(66, RATE / 2)
    top = int(np.argmax(spectra.mel_power(spectrum, RATE, 64)[:, 40]))
    assert bands[top] < 440.0 < bands[top + 2]
    assert int(np.argmax(spectra.chroma(spectrum, RATE)[:, 40])) == 9  # C, C#, ... A


def test_the_tempogram_and_the_tempo_find_a_pulse_period() -> None:
    """Onsets every 36 frames (143.6 a minute): the tempogram's mean peaks at lag 36."""
    strength = np.zeros(2000)
    strength[50::36] = 1.0
    grams = spectra.tempogram(strength)
    assert grams.shape == (spectra.TEMPOGRAM_FRAMES, 2000)
    assert int(np.argmax(grams.mean(axis=1)[10:60])) + 10 == 36
    assert spectra.tempo(grams, RATE / HOP, guess=140.0) == 60 * RATE / HOP / 36


def _envelope(strength: np.ndarray, sharp: np.ndarray | None = None) -> Envelope:
    """An envelope of a known onset strength (and sharp onset strength, every 64 samples)."""
    strength = strength.astype(np.float32)
    if sharp is None:
        sharp = np.repeat(strength, HOP // 64)
    return Envelope(
        strength,
        strength,
        np.zeros((12, len(strength)), dtype=np.float32),
        RATE / HOP,
        np.zeros(len(strength) * HOP // 32, dtype=np.float32),
        RATE / 32,
        sharp.astype(np.float32),
        spectra.tempogram(strength),
    )


def test_running_eighths_with_weak_offbeats_are_counted_in_quarters() -> None:
    """Chords on the quarters, quieter passing notes on the eighths between, at 84
    quarters a minute: given 4/4, the pulse is the quarters, not the eighths (168)."""
    from theme.core.meter import Meter
    from theme.listen.tracking import meter_guess

    rate = RATE / HOP
    strength = np.zeros(int(30 * rate))
    eighth = 60 / 168
    for k in range(int(29 / eighth)):
        strength[round((0.5 + k * eighth) * rate)] = 1.0 if k % 2 == 0 else 0.3
    guess = meter_guess(_envelope(strength), Meter.parse("4/4"))
    assert 80 <= guess <= 88, guess


def test_onset_lead_is_where_the_onsets_rise_to_half() -> None:
    """Onsets whose sharp strength takes 20 frames (116 ms) to rise to its peak: beats on
    the peaks are late by the time from half the rise to the peak, less the half rise of an
    onset that starts at once; beats well ahead of the onsets get a lead under 0."""
    from theme.listen.tracking import STEP_HALF_RISE, onset_lead

    fine_rate = RATE / 64
    sharp = np.zeros(int(20 * fine_rate))
    shape = np.concatenate([np.arange(1.0, 21.0), np.arange(19.0, 0.0, -1.0)])
    peaks = []
    for k in range(30):
        start = round((1.0 + 0.6 * k) * fine_rate)
        sharp[start : start + len(shape)] = shape
        peaks.append((start + 19) / fine_rate)
    onsets = _envelope(np.zeros(len(sharp) // 2), sharp)
    beats = np.array(peaks)
    # half of the peak (20) is 10, reached 9 frames after the start: 10 frames before the peak
    expected = 10 / fine_rate + STEP_HALF_RISE
    assert abs(onset_lead(beats, onsets) - expected) < 0.5 / fine_rate
    assert onset_lead(beats - 0.1, onsets) < 0
