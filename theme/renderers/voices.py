"""The synthesizer's voices: short numpy waveforms, made once and cached.

Every waveform is mono float32 at full scale (peak 1.0) and starts with a non-zero sample,
so its first sample is where the event starts: exactly ``round(onset_seconds * rate)``.
Velocity and stereo place are applied when the waveform is mixed (see :mod:`audio`).

=========  ============================================================================
voice      sound
=========  ============================================================================
bass       a plucked string: decaying harmonics, the upper ones dying first
lead       a brass-like tone: bright harmonics, soft attack, held for the note's length
bongo      a small hand drum: a quick pitch drop and a slap of noise (GM 60-61 high/low)
conga      a larger hand drum (GM 62-64)
kick       a sine sweeping down from 150 to 50 Hz
snare      filtered noise over a 180 Hz body (GM 39: a hand clap, 3 quick bursts)
hihat      high noise; GM 46 (open) rings longer; GM 70 (maracas) is soft and short
click      a woodblock whose pitch and level follow the accent: downbeat high and loud,
           group start, beat, subdivision softer and lower; silent clicks make no sound
clicklow   the same woodblock a fifth lower, for a second meter
foot       a soft low thud: a foot on a wooden floor, for the dance test
=========  ============================================================================
"""

from __future__ import annotations

import functools
import math

import numpy as np

from theme.core.meter import AccentLevel
from theme.core.timeline import VOICES  # the one list of voice names, checked by Layer
from theme.errors import UsageError
from theme.safe_text import did_you_mean

__all__ = ["VOICES", "waveform"]

CLICK_HZ = {
    AccentLevel.DOWNBEAT: 2093.0,
    AccentLevel.GROUP: 1568.0,
    AccentLevel.BEAT: 1319.0,
    AccentLevel.SUBDIVISION: 988.0,
}
CLICK_LEVEL = {
    AccentLevel.DOWNBEAT: 1.0,
    AccentLevel.GROUP: 0.75,
    AccentLevel.BEAT: 0.5,
    AccentLevel.SUBDIVISION: 0.3,
}


def _hz(pitch: int) -> float:
    return 440.0 * 2 ** ((pitch - 69) / 12)


def _time(seconds: float, rate: int) -> np.ndarray:
    return np.arange(max(1, int(seconds * rate)), dtype=np.float64) / rate


def _noise(n: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-1.0, 1.0, n)


def _finish(wave: np.ndarray, rate: int) -> np.ndarray:
    """Normalise to peak 1, fade the last 5 ms out, and make the first sample non-zero."""
    fade = min(len(wave), max(1, rate // 200))
    wave[-fade:] *= np.linspace(1.0, 0.0, fade)
    peak = float(np.max(np.abs(wave))) or 1.0
    wave = wave / peak
    if wave[0] == 0:
        wave[0] = 1e-3
    return wave.astype(np.float32)


def _attack(t: np.ndarray, seconds: float) -> np.ndarray:
    """A rise from 1/n to 1 over ``seconds`` (never 0, so the first sample is heard)."""
    n = len(t)
    rise = np.ones(n)
    k = min(n, max(1, int(seconds * (n / t[-1] if t[-1] else 1))))
    rise[:k] = np.arange(1, k + 1) / k
    return rise


def _bass(pitch: int, rate: int) -> np.ndarray:
    t = _time(0.9, rate)
    f = _hz(pitch)
    wave = np.zeros_like(t)
    for k in range(1, 9):
        if k * f > rate / 2.5:
            break
        wave += np.cos(2 * math.pi * k * f * t) * np.exp(-t * (3.0 + 2.5 * k)) / k**1.2
    return np.asarray(wave * _attack(t, 0.002))


def _lead(pitch: int, seconds: float, rate: int) -> np.ndarray:
    t = _time(seconds + 0.08, rate)
    f = _hz(pitch)
    vibrato = 1 + 0.004 * np.sin(2 * math.pi * 5.5 * t) * np.clip(t * 3, 0, 1)
    phase = 2 * math.pi * f * np.cumsum(vibrato) / rate
    wave = np.zeros_like(t)
    for k in range(1, 13):
        if k * f > rate / 2.5:
            break
        wave += np.cos(k * phase) / k ** (1.1 if k < 4 else 1.6)
    release = np.clip((seconds + 0.08 - t) / 0.08, 0, 1)
    swell = 0.75 + 0.25 * np.clip(t / 0.12, 0, 1)
    return np.asarray(wave * _attack(t, 0.025) * release * swell)


def _drum(
    start_hz: float, end_hz: float, drop: float, decay: float, noise: float, rate: int, seed: int
) -> np.ndarray:
    t = _time(min(1.0, 7 / decay), rate)
    freq = end_hz + (start_hz - end_hz) * np.exp(-t * drop)
    phase = 2 * math.pi * np.cumsum(freq) / rate
    body = np.cos(phase) * np.exp(-t * decay)
    slap = _noise(len(t), seed) * np.exp(-t * decay * 6) * noise
    return body + slap


def _snare(pitch: int, rate: int) -> np.ndarray:
    t = _time(0.25, rate)
    noise = _noise(len(t), pitch)
    bright = np.diff(noise, prepend=0.0)
    if pitch == 39:  # hand clap: three quick bursts
        bursts = sum(np.exp(-np.clip(t - d, 0, None) * 60) * (t >= d) for d in (0.0, 0.011, 0.022))
        return bright * bursts
    return np.asarray(
        0.8 * bright * np.exp(-t * 22) + 0.6 * np.cos(2 * math.pi * 180 * t) * np.exp(-t * 30)
    )


def _hihat(pitch: int, rate: int) -> np.ndarray:
    ring = {46: 0.35, 70: 0.05}.get(pitch, 0.07)
    t = _time(ring * 3, rate)
    noise = _noise(len(t), pitch)
    bright = np.diff(np.diff(noise, prepend=0.0), prepend=0.0)
    return bright * np.exp(-t / ring) * (0.5 if pitch == 70 else 1.0)


def _click(level: AccentLevel, low: bool, rate: int) -> np.ndarray:
    hz = CLICK_HZ[level] * (2 / 3 if low else 1.0)
    t = _time(0.06, rate)
    wave = np.cos(2 * math.pi * hz * t) + 0.3 * np.cos(2 * math.pi * hz * 2.76 * t)
    return np.asarray(wave * np.exp(-t * 70))


def _foot(rate: int) -> np.ndarray:
    t = _time(0.2, rate)
    return np.asarray(
        np.cos(2 * math.pi * (60 + 40 * np.exp(-t * 40)) * t) * np.exp(-t * 25)
        + 0.15 * _noise(len(t), 7) * np.exp(-t * 80)
    )


@functools.lru_cache(maxsize=1024)
def waveform(
    voice: str, pitch: int, rate: int, *, seconds: float = 0.0, accent: int = 2
) -> np.ndarray:
    """The waveform of one note, cached: mono float32, peak 1, first sample non-zero.

    ``pitch`` is a MIDI note (a General MIDI drum note for drums); ``seconds`` is the held
    length of a ``lead`` note (rounded by the caller to a 10 ms step so the cache stays
    small); ``accent`` picks the click's sound (an :class:`AccentLevel`).

    Raises:
        UsageError: an unknown voice.

    >>> w = waveform("click", 0, 48000, accent=0)
    >>> w.dtype.name, float(abs(w).max()), len(w)
    ('float32', 1.0, 2880)
    """
    level = AccentLevel(min(int(accent), 3))
    if voice == "bass":
        wave = _bass(pitch, rate)
    elif voice == "lead":
        wave = _lead(pitch, max(seconds, 0.05), rate)
    elif voice == "bongo":
        high = pitch % 2 == 0
        wave = _drum(620 if high else 420, 380 if high else 260, 30, 28, 0.35, rate, pitch)
    elif voice == "conga":
        hz = {62: 330.0, 63: 290.0, 64: 200.0}.get(pitch, 250.0)
        wave = _drum(hz * 1.5, hz, 25, 14, 0.25, rate, pitch)
    elif voice == "kick":
        wave = (
            _drum(150, 48, 28, 9, 0.05, rate, pitch)
            if pitch != 41
            else _drum(160, 90, 12, 6, 0.1, rate, 41)
        )
    elif voice == "snare":
        wave = _snare(pitch, rate)
    elif voice == "hihat":
        wave = _hihat(pitch, rate)
    elif voice in ("click", "clicklow"):
        wave = _click(level, voice == "clicklow", rate)
    elif voice == "foot":
        wave = _foot(rate)
    else:
        raise UsageError(
            f"unknown voice {voice!r}{did_you_mean(voice, list(VOICES))}: expected one of "
            f"{', '.join(VOICES)}"
        )
    result = _finish(wave, rate)
    if voice in ("click", "clicklow"):
        result *= CLICK_LEVEL[level]
    result.flags.writeable = False
    return result
