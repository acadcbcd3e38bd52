"""The spectra the beat tracking reads, in plain numpy: a short-time Fourier transform, a
mel spectrogram in dB, its onset strength (spectral flux), a chroma, the autocorrelation
tempogram and the tempo it prefers.

They follow librosa 0.11's definitions (``stft``, ``filters.mel`` with Slaney's scale and
norm, ``power_to_db``, ``onset.onset_strength``, ``filters.chroma``, ``feature.tempogram``,
``feature.tempo``) and agree with them to float rounding; they are written here so that
``theme listen`` runs no numba-compiled code (see docs/listen.md, "Why no librosa").
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

__all__ = [
    "autocorrelate",
    "chroma",
    "mel_frequencies",
    "mel_power",
    "onset_strength",
    "power_spectrum",
    "power_to_db",
    "tempo",
    "tempogram",
]

TEMPOGRAM_FRAMES = 384
"""Frames in one window of the tempogram (4.5 s at 86 frames a second)."""


def periodic_hann(length: int) -> np.ndarray:
    """A Hann window of ``length`` points for spectra (periodic: its zero is not repeated).

    >>> periodic_hann(4).round(12).tolist()
    [0.0, 0.5, 1.0, 0.5]
    """
    n = np.arange(length)
    return np.asarray(0.5 - 0.5 * np.cos(2 * np.pi * n / length))


def _power_blocks(
    signal: np.ndarray, n_fft: int, hop: int
) -> Iterator[tuple[int, int, np.ndarray]]:
    """``|STFT|²`` a block of frames at a time (see :func:`power_spectrum`): the first and
    past-the-last frame of each block and its power, shape ``(1 + n_fft // 2, frames)``."""
    padded = np.pad(np.asarray(signal, dtype=np.float32), n_fft // 2)
    count = 1 + (len(padded) - n_fft) // hop
    window = periodic_hann(n_fft).astype(np.float32)
    block = 4096  # frames a pass: a 5-minute recording needs no 100 MB of frames at once
    for start in range(0, count, block):
        stop = min(count, start + block)
        index = np.arange(start, stop)[:, None] * hop + np.arange(n_fft)[None, :]
        frames = padded[index] * window
        yield start, stop, (np.abs(np.fft.rfft(frames, axis=1)) ** 2).T


def frame_count(samples: int, n_fft: int, hop: int) -> int:
    """Frames of a spectrum of ``samples`` samples (centred frames, ``hop`` apart).

    >>> frame_count(1024, 256, 128)
    9
    """
    return 1 + (samples + 2 * (n_fft // 2) - n_fft) // hop


def power_spectrum(signal: np.ndarray, n_fft: int, hop: int) -> np.ndarray:
    """``|STFT|²`` of a mono signal: frames centred every ``hop`` samples (the signal padded
    with ``n_fft // 2`` zeros each side), a periodic Hann window; shape
    ``(1 + n_fft // 2, 1 + len(signal) // hop)``, float32.

    >>> power_spectrum(np.ones(1024, dtype=np.float32), 256, 128).shape
    (129, 9)
    """
    spectra = np.empty((1 + n_fft // 2, frame_count(len(signal), n_fft, hop)), dtype=np.float32)
    for start, stop, power in _power_blocks(signal, n_fft, hop):
        spectra[:, start:stop] = power
    return spectra


def mel_spectrogram(signal: np.ndarray, rate: int, n_fft: int, hop: int, bands: int) -> np.ndarray:
    """The power of ``bands`` mel bands (:func:`mel_power` of :func:`power_spectrum`),
    made a block of frames at a time: the whole power spectrum is never held (at a small
    ``hop`` it would be 4 bytes x (1 + n_fft / 2) a frame); float32.

    >>> mel_spectrogram(np.ones(1024, dtype=np.float32), 11025, 256, 128, 8).shape
    (8, 9)
    """
    filters = mel_filters(rate, n_fft, bands)
    mels = np.empty((bands, frame_count(len(signal), n_fft, hop)), dtype=np.float32)
    for start, stop, power in _power_blocks(signal, n_fft, hop):
        mels[:, start:stop] = filters @ power
    return mels


def hz_to_mel(frequencies: np.ndarray) -> np.ndarray:
    """Slaney's mel scale: linear (200/3 Hz a mel) under 1 kHz, logarithmic above.

    >>> hz_to_mel(np.array([0.0, 1000.0])).tolist()
    [0.0, 15.0]
    """
    frequencies = np.asarray(frequencies, dtype=float)
    mels = frequencies / (200.0 / 3)
    log_step = np.log(6.4) / 27.0
    above = frequencies >= 1000.0
    mels[above] = 15.0 + np.log(frequencies[above] / 1000.0) / log_step
    return mels


def mel_to_hz(mels: np.ndarray) -> np.ndarray:
    """The inverse of :func:`hz_to_mel`.

    >>> mel_to_hz(np.array([15.0])).tolist()
    [1000.0]
    """
    mels = np.asarray(mels, dtype=float)
    frequencies = mels * (200.0 / 3)
    log_step = np.log(6.4) / 27.0
    above = mels >= 15.0
    frequencies[above] = 1000.0 * np.exp(log_step * (mels[above] - 15.0))
    return frequencies


def mel_frequencies(bands: int, top: float) -> np.ndarray:
    """``bands`` frequencies (Hz) evenly spaced on the mel scale from 0 to ``top``."""
    return mel_to_hz(np.linspace(0.0, float(hz_to_mel(np.array([top]))[0]), bands))


def mel_filters(rate: int, n_fft: int, bands: int) -> np.ndarray:
    """Triangular mel filters from 0 Hz to half the rate, each of unit area (Slaney's
    norm); shape ``(bands, 1 + n_fft // 2)``."""
    bins = np.linspace(0, rate / 2, 1 + n_fft // 2)
    edges = mel_frequencies(bands + 2, rate / 2)
    widths = np.diff(edges)
    ramps = np.subtract.outer(edges, bins)
    weights = np.zeros((bands, len(bins)))
    for i in range(bands):
        rising = -ramps[i] / widths[i]
        falling = ramps[i + 2] / widths[i + 1]
        weights[i] = np.maximum(0, np.minimum(rising, falling))
    weights *= (2.0 / (edges[2 : bands + 2] - edges[:bands]))[:, None]
    return weights.astype(np.float32)


def mel_power(spectrum: np.ndarray, rate: int, bands: int) -> np.ndarray:
    """The power of each mel band of a power spectrum (from :func:`power_spectrum`)."""
    n_fft = 2 * (spectrum.shape[0] - 1)
    return np.asarray(mel_filters(rate, n_fft, bands) @ spectrum)


def power_to_db(power: np.ndarray, floor_db: float = 80.0) -> np.ndarray:
    """Power in dB under its own maximum (0 dB), nothing lower than ``floor_db`` under it.

    >>> power_to_db(np.array([1.0, 0.1, 0.0])).round(3).tolist()
    [0.0, -10.0, -80.0]
    """
    amin = 1e-10
    decibels = 10.0 * np.log10(np.maximum(amin, power))
    decibels -= 10.0 * np.log10(max(amin, float(np.max(power))))
    return np.asarray(np.maximum(decibels, decibels.max() - floor_db))


def onset_strength(decibels: np.ndarray, n_fft: int, hop: int) -> np.ndarray:
    """Spectral flux: the rise of each band's level from the frame before (falls count 0),
    averaged over the bands, and delayed so that a frame's value is at its centre (as
    librosa's ``onset_strength``); one value a frame.

    >>> onset_strength(np.array([[0.0, 2.0, 2.0, 3.0, 0.0, 0.0]]), n_fft=2, hop=2).tolist()
    [0.0, 2.0, 0.0, 1.0, 0.0, 0.0]
    >>> onset_strength(np.array([[0.0, 0.0, 2.0, 1.0]]), n_fft=4, hop=2).tolist()
    [0.0, 0.0, 0.0, 2.0]
    """
    rise = np.maximum(0.0, decibels[:, 1:] - decibels[:, :-1]).mean(axis=0)
    delay = 1 + n_fft // (2 * hop)
    return np.concatenate([np.zeros(delay, dtype=rise.dtype), rise])[: decibels.shape[1]]


def normalize_columns(values: np.ndarray) -> np.ndarray:
    """Each column divided by its largest magnitude (a column of zeros stays zeros)."""
    top = np.abs(values).max(axis=0, keepdims=True)
    tiny = np.finfo(values.dtype if values.dtype.kind == "f" else float).tiny
    return np.asarray(values / np.where(top < tiny, 1.0, top))


def chroma(spectrum: np.ndarray, rate: int) -> np.ndarray:
    """The energy of the 12 pitch classes (C first) in each frame of a power spectrum,
    each frame scaled to 1 at its strongest class: Ellis' chroma filters (a Gaussian of a
    bin's width around each pitch class, weighted towards the octaves around C5), tuned
    to A = 440 Hz."""
    n_fft = 2 * (spectrum.shape[0] - 1)
    frequencies = np.linspace(0, rate, n_fft, endpoint=False)[1:]
    bins = 12 * np.log2(frequencies / (440.0 / 16))
    bins = np.concatenate(([bins[0] - 18.0], bins))
    widths = np.concatenate((np.maximum(bins[1:] - bins[:-1], 1.0), [1.0]))
    distance = np.subtract.outer(bins, np.arange(12, dtype=float)).T
    distance = np.remainder(distance + 6 + 120, 12) - 6
    weights = np.exp(-0.5 * (2 * distance / widths[None, :]) ** 2)
    weights /= np.sqrt((weights**2).sum(axis=0, keepdims=True))
    weights *= np.exp(-0.5 * ((bins / 12 - 5.0) / 2) ** 2)[None, :]
    weights = np.roll(weights, -3, axis=0)[:, : 1 + n_fft // 2].astype(np.float32)
    return normalize_columns(weights @ spectrum)


def autocorrelate(values: np.ndarray, size: int | None = None, axis: int = -1) -> np.ndarray:
    """The autocorrelation of ``values`` along ``axis`` at lags 0 to ``size - 1`` (all
    lags by default), through the FFT.

    >>> autocorrelate(np.array([1.0, 2.0, 3.0])).round(6).tolist()
    [14.0, 8.0, 3.0]
    """
    length = values.shape[axis]
    size = length if size is None else min(size, length)
    padded = 1 << int(np.ceil(np.log2(2 * length - 1))) if length > 1 else 1
    power = np.abs(np.fft.rfft(values, n=padded, axis=axis)) ** 2
    lags = np.fft.irfft(power, n=padded, axis=axis)
    return np.asarray(np.take(lags, np.arange(size), axis=axis))


def tempogram(strength: np.ndarray, frames: int = TEMPOGRAM_FRAMES) -> np.ndarray:
    """The autocorrelation tempogram of an onset envelope: for each frame, the Hann-windowed
    autocorrelation of the ``frames`` around it (the ends ramped to zero), scaled to 1 at
    lag 0; shape ``(frames, len(strength))``, lag by frame, float32."""
    count = len(strength)
    half = frames // 2
    padded = np.pad(strength.astype(np.float32), half, mode="linear_ramp", end_values=0)
    windows = np.lib.stride_tricks.sliding_window_view(padded, frames)  # a view: no copy
    hann = periodic_hann(frames).astype(np.float32)
    grams = np.empty((frames, count), dtype=np.float32)
    block = 4096  # frames a pass: a 20-minute recording needs no gigabyte at once
    for start in range(0, count, block):
        stop = min(count, start + block)
        windowed = windows[start:stop].T * hann[:, None]
        grams[:, start:stop] = normalize_columns(autocorrelate(windowed, axis=0))
    return grams


def tempo(
    grams: np.ndarray,
    frame_rate: float,
    *,
    guess: float = 120.0,
    spread: float = 1.0,
    fastest: float = 320.0,
) -> float:
    """The tempo a tempogram prefers, in beats a minute: the lag whose mean strength over
    the recording, under a log-normal prior centred on ``guess`` (``spread`` octaves wide),
    is highest, no faster than ``fastest`` (librosa's ``feature.tempo``)."""
    mean = grams.mean(axis=1)
    lags = np.arange(len(mean))
    with np.errstate(divide="ignore"):
        bpms = 60.0 * frame_rate / lags.astype(float)
        prior = -0.5 * ((np.log2(bpms) - np.log2(guess)) / spread) ** 2
        score = np.log1p(1e6 * mean) + prior
    score[bpms >= fastest] = -np.inf  # also lag 0 (an infinite tempo)
    return float(bpms[int(np.argmax(score))])
