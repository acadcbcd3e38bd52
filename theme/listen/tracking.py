"""Finding the beats of a recording: its onset strength and Ellis' dynamic-programming beat
tracker (:mod:`theme.listen.spectra`, :mod:`theme.listen.beat_tracker`: librosa's
definitions in plain numpy), then the project's own fitting of a steady-but-breathing pulse
to them.

The tracker alone (:func:`tracked_beats`) is good at the tempo and at most beats; what it
misses is mended by :func:`fitted_beats`: a beat dropped in a quiet spot or doubled on a
strong off-beat is put back or taken out (the intervals are made whole multiples of the
local beat), the music before the tracker's first beat and after its last is followed while
its onsets go on (the tracker trims them), and each beat is drawn to its onset (the
dynamic programme places beats on its frame grid, 11.6 ms here); a lag of the whole
recording (soft attacks, a room) is measured once and taken off. Everything runs on one
onset envelope (:class:`Envelope`) made once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from theme.core.meter import Meter
from theme.listen import spectra
from theme.listen.beat_tracker import track_beats
from theme.listen.recording import ANALYSIS_RATE

__all__ = ["HOP", "Envelope", "envelope", "fitted_beats", "tracked_beats"]

HOP = 128
"""Samples between two frames of the envelope at :data:`ANALYSIS_RATE`: 11.6 ms."""

N_FFT = 1024
"""Samples in one window of the spectrum at :data:`ANALYSIS_RATE`: 93 ms."""

MEL_BANDS = 64
"""Bands of the mel spectrogram whose flux is the onset strength."""

FINE = 32
"""Samples between two frames of the fine loudness (:attr:`Envelope.rise`): 2.9 ms."""

LOW_HZ = 200.0
"""The top of the low band whose onsets (a kick, a bass note) mark downbeats more often."""


@dataclass(frozen=True)
class Envelope:
    """The onset strength of a recording, frame by frame (:data:`HOP` samples apart):
    ``strength`` over all bands, ``low`` in the bands under :data:`LOW_HZ`, ``chroma`` the
    12 pitch classes' energy (for harmony changes), and ``rate`` (frames a second)."""

    strength: np.ndarray
    low: np.ndarray
    chroma: np.ndarray
    rate: float
    loudness: np.ndarray
    """The loudness every :data:`FINE` samples (dB): attacks to the millisecond, which the
    envelope's 93 ms window blurs."""
    rise_rate: float
    sharp: np.ndarray
    """The onset strength every :data:`SHARP_HOP` samples from a short window
    (:data:`SHARP_FFT` samples, 23 ms): where an onset starts, to a few milliseconds,
    blurred less by a soft attack or a room than :attr:`strength` is."""
    tempogram: np.ndarray
    """The autocorrelation tempogram of :attr:`strength` (lag by frame), made once for
    every tempo estimate."""

    @property
    def sharp_rate(self) -> float:
        """Frames a second of :attr:`sharp`."""
        return self.rate * HOP / SHARP_HOP

    def frame(self, seconds: float) -> int:
        """The frame nearest a time in seconds."""
        return round(seconds * self.rate)

    def seconds(self, frame: float) -> float:
        """The time of a frame, in seconds."""
        return frame / self.rate

    @property
    def duration(self) -> float:
        """The envelope's length in seconds."""
        return len(self.strength) / self.rate


SHARP_FFT = 256
"""Samples in one window of the sharp onset strength (:attr:`Envelope.sharp`): 23 ms."""

SHARP_HOP = 64
"""Samples between two frames of the sharp onset strength: 5.8 ms."""

SHARP_BANDS = 32
"""Mel bands of the sharp onset strength."""


def _sharp_strength(signal: np.ndarray, rate: int) -> np.ndarray:
    """The mean rise (dB) of a :data:`SHARP_BANDS`-band mel spectrogram from one frame to
    the next, frames :data:`SHARP_HOP` samples apart, windows :data:`SHARP_FFT` long."""
    mels = spectra.mel_spectrogram(signal, rate, SHARP_FFT, SHARP_HOP, SHARP_BANDS)
    decibels = spectra.power_to_db(mels)
    rise = np.maximum(np.diff(decibels, axis=1), 0.0).mean(axis=0)
    return np.concatenate([[0.0], rise]).astype(np.float32)


def envelope(signal: np.ndarray, rate: int = ANALYSIS_RATE) -> Envelope:
    """The onset envelope of a mono signal at ``rate`` samples a second: spectral flux of
    a 64-band mel spectrogram in dB, in all bands and in the low ones, and a chroma of
    each frame."""
    spectrum = spectra.power_spectrum(signal, N_FFT, HOP)
    decibels = spectra.power_to_db(spectra.mel_power(spectrum, rate, MEL_BANDS))
    strength = spectra.onset_strength(decibels, N_FFT, HOP)
    frequencies = spectra.mel_frequencies(MEL_BANDS, rate / 2)
    low = spectra.onset_strength(decibels[frequencies < LOW_HZ], N_FFT, HOP)
    chroma = spectra.chroma(spectrum, rate)
    frames = len(signal) // FINE
    power = np.square(signal[: frames * FINE].reshape(frames, FINE), dtype=np.float32).mean(axis=1)
    loudness = 10 * np.log10(power + 1e-10)
    return Envelope(
        strength.astype(np.float32),
        low.astype(np.float32),
        chroma,
        rate / HOP,
        loudness.astype(np.float32),
        rate / FINE,
        _sharp_strength(signal, rate),
        spectra.tempogram(strength),
    )


def tracked_beats(onsets: Envelope, *, bpm: float | None = None) -> np.ndarray:
    """The tracker on the envelope, as it is (librosa's ``beat_track`` defaults): beat
    times in seconds. ``bpm``, when known (a variant's tempo), is its starting guess of the
    tempo."""
    tempo = spectra.tempo(onsets.tempogram, onsets.rate, guess=bpm or 120.0)
    return track_beats(onsets.strength, onsets.rate, tempo).astype(float) / onsets.rate


def moving_mean(values: np.ndarray, size: int) -> np.ndarray:
    """The mean of the ``size`` values around each value, the ends mirrored (as
    ``scipy.ndimage.uniform_filter1d``).

    >>> moving_mean(np.array([0.0, 3.0, 0.0, 3.0]), 3).tolist()
    [1.0, 1.0, 2.0, 2.0]
    """
    before = size // 2
    after = size - 1 - before
    padded = np.pad(values.astype(float), (before, after), mode="symmetric")
    sums = np.concatenate([[0.0], np.cumsum(padded)])
    return np.asarray((sums[size:] - sums[:-size]) / size)


def _local_period(beats: np.ndarray, at: int, width: int = 8) -> float:
    """The median interval of the beats around index ``at``."""
    lo, hi = max(0, at - width), min(len(beats) - 1, at + width)
    gaps = np.diff(beats[lo : hi + 1])
    return float(np.median(gaps)) if len(gaps) else 0.5


def _mend(beats: np.ndarray) -> np.ndarray:
    """Intervals made whole multiples of the local beat: a gap of about k beats gets k - 1
    beats inside it, a beat closer than half a beat to the one before goes."""
    if len(beats) < 3:
        return beats
    kept = [float(beats[0])]
    for i in range(1, len(beats)):
        period = _local_period(beats, i)
        gap = beats[i] - kept[-1]
        if gap < 0.5 * period:
            continue
        steps = max(1, round(gap / period))
        kept.extend(kept[-1] + gap * k / steps for k in range(1, steps))
        kept.append(float(beats[i]))
    return np.asarray(kept)


def _extend(beats: np.ndarray, onsets: Envelope) -> np.ndarray:
    """The pulse carried on before the first beat and after the last while music sounds
    (the tracker trims weak beats at both ends)."""
    end = onsets.duration
    power = moving_mean(10 ** (onsets.loudness / 10), max(1, int(0.2 * onsets.rise_rate)))
    level = 10 * np.log10(power + 1e-10)
    loud_at_beats = float(
        np.median([level[min(len(level) - 1, round(t * onsets.rise_rate))] for t in beats])
    )

    strength = onsets.strength
    at_beats = [
        float(strength[max(0, onsets.frame(t) - 2) : onsets.frame(t) + 3].max(initial=0.0))
        for t in beats
    ]
    clear = 0.5 * float(np.median(at_beats))

    def onset_near(t: float, period: float) -> bool:
        lo = max(0, onsets.frame(t - 0.1 * period))
        hi = min(len(strength), onsets.frame(t + 0.1 * period) + 1)
        return hi > lo and float(strength[lo:hi].max()) > clear

    def sounding(t: float, period: float) -> bool:
        frame = round(t * onsets.rise_rate)
        return (
            0 <= t < end
            and 0 <= frame < len(level)
            and level[frame] > loud_at_beats - 8.0
            and onset_near(t, period)
        )

    first, last = 0, len(beats) - 1  # the tracker's beats in silence or noise go
    while first < last and not sounding(float(beats[first]), _local_period(beats, first)):
        first += 1
    while last > first and not sounding(float(beats[last]), _local_period(beats, last)):
        last -= 1
    beats = beats[first : last + 1]
    head: list[float] = []
    period = _local_period(beats, 0)
    t = float(beats[0]) - period
    while t >= 0 and sounding(t, period):
        head.append(t)
        t -= period
    tail: list[float] = []
    period = _local_period(beats, len(beats) - 1)
    t = float(beats[-1]) + period
    while sounding(t, period):
        tail.append(t)
        t += period
    return np.concatenate([np.asarray(head[::-1]), beats, np.asarray(tail)])


def _smooth(beats: np.ndarray, width: int = 4) -> np.ndarray:
    """Each beat moved to the straight line through its neighbours (``width`` each side):
    a pulse that breathes with the music's tempo but does not jitter."""
    if len(beats) < 2 * width + 1:
        return beats
    index = np.arange(len(beats), dtype=float)
    smoothed = beats.copy()
    for i in range(len(beats)):
        lo, hi = max(0, i - width), min(len(beats), i + width + 1)
        slope, intercept = np.polyfit(index[lo:hi], beats[lo:hi], 1)
        smoothed[i] = slope * i + intercept
    return np.asarray(smoothed)


def _to_onsets(beats: np.ndarray, onsets: Envelope, reach: float = 0.12) -> np.ndarray:
    """Each beat drawn to the strongest onset within ``reach`` of its interval, if that
    onset is a clear one (above the envelope's median), weighted by how clear it is."""
    strength = onsets.strength
    loud = float(np.percentile(strength, 95)) or 1.0
    floor = float(np.median(strength))
    moved = beats.copy()
    for i, t in enumerate(beats):
        period = _local_period(beats, i)
        lo = max(0, onsets.frame(t - reach * period))
        hi = min(len(strength), onsets.frame(t + reach * period) + 1)
        if hi <= lo:
            continue
        peak = lo + int(np.argmax(strength[lo:hi]))
        if strength[peak] <= floor:
            continue
        # a parabola through the peak and its neighbours places it between frames
        offset = 0.0
        if 0 < peak < len(strength) - 1:
            a, b, c = strength[peak - 1], strength[peak], strength[peak + 1]
            bend = a - 2 * b + c
            if bend < 0:
                offset = 0.5 * (a - c) / bend
        weight = min(1.0, float(strength[peak] - floor) / (loud - floor + 1e-9))
        moved[i] = t + weight * (onsets.seconds(peak + offset) - t)
    return np.asarray(moved)


def pulse_bpm(onsets: Envelope, *, guess: float) -> float:
    """The tempo of the pulse, in pulses a minute: the tempogram's choice under a prior
    centred on ``guess`` (a variant's tempo, or 120 quarters / 240 eighths a minute for a
    meter counted in quarters / eighths), so that the pulse the meter counts is chosen, not
    its double or half."""
    return spectra.tempo(onsets.tempogram, onsets.rate, guess=guess, spread=0.2, fastest=480.0)


def _to_attacks(
    beats: np.ndarray, onsets: Envelope, before: float = 0.08, after: float = 0.03
) -> np.ndarray:
    """Each beat moved to the sharpest rise of loudness from ``before`` seconds ahead of it
    to ``after`` seconds behind it, when that rise is a clear attack (over 6 dB a frame)."""
    rise = np.diff(onsets.loudness, prepend=onsets.loudness[:1])
    moved = beats.copy()
    for i, t in enumerate(beats):
        lo = max(0, round((t - before) * onsets.rise_rate))
        hi = min(len(rise), round((t + after) * onsets.rise_rate) + 1)
        if hi <= lo:
            continue
        peak = lo + int(np.argmax(rise[lo:hi]))
        if rise[peak] > 3.0:
            moved[i] = (peak - 0.5) / onsets.rise_rate
    return np.asarray(moved)


def _tempo_lags(onsets: Envelope) -> tuple[np.ndarray, np.ndarray]:
    """The tempogram's mean over the recording (by lag, in frames) and the onset
    envelope's autocorrelation, both scaled to 1 at their top (lag 0 for the second)."""
    mean = onsets.tempogram.mean(axis=1)
    centred = onsets.strength - onsets.strength.mean()
    repeat = spectra.autocorrelate(centred)
    return mean / (float(mean[1:].max()) or 1.0), repeat / (float(repeat[0]) or 1.0)


PULSE_CENTRE = {1: 50.0, 2: 70.0, 4: 100.0, 8: 240.0, 16: 400.0}
"""Where a meter's pulse is most often counted, in pulses a minute, by its note (the
denominator): quarters at 100, eighths at 240 (a 7/8 or a 9/8 counted in its eighths)."""

PULSE_SPREAD = 0.8
"""How far from :data:`PULSE_CENTRE` a pulse is still likely, in octaves (a standard
deviation)."""


def _usual(bpm: float, centre: float) -> float:
    """How usual a pulse of ``bpm`` a minute is for a note counted at ``centre`` a minute
    (1 there, a log-normal :data:`PULSE_SPREAD` octaves wide).

    >>> _usual(100.0, 100.0), round(_usual(200.0, 100.0), 3)
    (1.0, 0.458)
    """
    return float(np.exp(-0.5 * (np.log2(bpm / centre) / PULSE_SPREAD) ** 2))


WEAK_OFFBEAT = 0.5
"""How strong, at most, the onsets on every other beat of a pulse may be, over those on the
beats between, for the pulse to be a subdivision of a beat half as fast."""


def _every_other_weak(onsets: Envelope, bpm: float) -> bool:
    """Whether the tracker's beats at ``bpm`` alternate strong and weak: the onsets on
    every other beat under :data:`WEAK_OFFBEAT` of those on the beats between (the mean
    onset strength near each beat). A chorale's running eighths are such a pulse: its
    chords change on the quarters, the passing notes between them are quieter."""
    frames = track_beats(onsets.strength, onsets.rate, bpm, tightness=200, trim=False)
    strength = onsets.strength
    at_beats = np.array([float(strength[max(0, f - 2) : f + 3].max(initial=0.0)) for f in frames])
    if len(at_beats) < 8:
        return False
    even, odd = float(at_beats[0::2].mean()), float(at_beats[1::2].mean())
    return min(even, odd) < WEAK_OFFBEAT * max(even, odd)


def meter_guess(onsets: Envelope, meter: Meter) -> float:
    """Where to look for the pulse, in pulses a minute: of the tempogram's peaks at a pace
    the meter's note is counted at (60 to 220 quarters a minute, 120 to 440 eighths), the
    one whose bar (``meter.numerator`` pulses) repeats most, weighed by the peak's height
    and by how usual its pace is for the note (:data:`PULSE_CENTRE`, a log-normal prior):
    a 3+3+2 groove's uneven groups and a 5/4 ostinato's dotted quarters have peaks of their
    own, but their bars do not repeat at that pace, and a chorale's running eighths are
    less likely a quarter-note pulse than its quarters. The tracker's own tempo (doubled
    for eighths under 150) when no peak's bar repeats."""
    scale = meter.denominator / 4
    low, high = 60 * scale, min(480.0, 220 * scale)
    centre = PULSE_CENTRE.get(meter.denominator, 90 * scale)
    strength, repeat = _tempo_lags(onsets)
    best, best_score = 0.0, 0.0
    for lag in range(2, len(strength) - 1):
        bpm = 60 * onsets.rate / lag
        peak = strength[lag] >= strength[lag - 1] and strength[lag] >= strength[lag + 1]
        bar = meter.numerator * lag
        if not peak or not low <= bpm <= high or bar * 1.05 >= len(repeat):
            continue
        bars_repeat = float(repeat[int(bar * 0.95) : int(bar * 1.05) + 1].max())
        usual = _usual(bpm, centre)
        score = float(strength[lag]) * bars_repeat * usual
        if score > best_score:
            best, best_score = bpm, score
    if best:
        half = best / 2
        faster_than_usual = half >= low and _usual(half, centre) > _usual(best, centre)
        if faster_than_usual and _every_other_weak(onsets, best):
            return half
        return best
    found = spectra.tempo(onsets.tempogram, onsets.rate)
    while meter.denominator >= 8 and found < 150:
        found *= 2
    return found


STEP_HALF_RISE = -0.0105
"""Where the sharp onset strength (:attr:`Envelope.sharp`) averaged around onsets that
start at once (a click, a burst of noise, a struck tone) rises to half its peak, in seconds
from the onsets: its window reaches an onset half a window before the onset."""


def onset_lead(beats: np.ndarray, onsets: Envelope, reach: float = 0.15) -> float:
    """How far ahead of the beats their onsets start, in seconds (negative: after them):
    where the sharp onset strength (:attr:`Envelope.sharp`), averaged around every beat, first rises
    to half its peak looking back from the peak (up to ``reach`` seconds), less where it
    does so for an onset that starts at once (:data:`STEP_HALF_RISE`). A soft attack (an
    organ, a flute) or a room's reverberation makes :attr:`Envelope.strength` peak late,
    and the beats drawn to those peaks late by one amount all through the recording: that
    lag is measured once here, on all the beats together, which noise cannot sway as it
    sways each beat's own onset."""
    if len(beats) < 4:
        return 0.0
    sharp = onsets.sharp
    step = 1 / (2 * onsets.sharp_rate)  # half a frame
    lags = np.arange(-reach, 0.05 + step / 2, step)
    times = np.arange(len(sharp)) / onsets.sharp_rate
    shape = np.array([np.interp(beats + lag, times, sharp).mean() for lag in lags])
    peak = int(np.argmax(shape))
    floor = float(shape[: peak + 1].min())
    half = floor + 0.5 * (float(shape[peak]) - floor)
    below = np.flatnonzero(shape[: peak + 1] < half)
    if not len(below):
        return 0.0
    last = int(below[-1])  # the rise crosses half between ``last`` and ``last + 1``
    crossing = lags[last] + step * (half - shape[last]) / (shape[last + 1] - shape[last])
    return STEP_HALF_RISE - float(crossing)


def fitted_beats(onsets: Envelope, *, guess: float = 120.0) -> np.ndarray:
    """The project's beats: the tracker at the pulse the meter counts (:func:`pulse_bpm`),
    mended (whole multiples of the local beat), carried on to the music's ends, smoothed
    and drawn to their onsets, then all moved back together by the lag of soft attacks or
    a room (:func:`onset_lead`) when it is over a frame (:data:`HOP`); seconds."""
    bpm = pulse_bpm(onsets, guess=guess)
    frames = track_beats(onsets.strength, onsets.rate, bpm, tightness=200, trim=False)
    tracked = frames.astype(float) / onsets.rate
    if len(tracked) < 2:
        return tracked
    beats = _mend(tracked)
    beats = _extend(beats, onsets)
    smoothed = _smooth(beats)
    drawn = _to_attacks(_to_onsets(smoothed, onsets), onsets)
    # how late the drawn beats are on where their onsets start: how far the drawing moved
    # them, plus the onsets' lead on the smoothed beats (measured there, as the drawn beats
    # sit on the very peaks they were drawn to, which would hide where the onsets start)
    late = float(np.median(drawn - smoothed)) + onset_lead(smoothed, onsets)
    beats = drawn - late if late > HOP / ANALYSIS_RATE else drawn
    return beats[(beats >= 0) & (beats < onsets.duration)]
