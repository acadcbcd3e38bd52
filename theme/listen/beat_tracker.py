"""Ellis' dynamic-programming beat tracker (2007), in plain numpy.

Given an onset envelope and a tempo, it chooses the beats that together score best: each
beat earns the onset strength around it, and each interval between two beats is fined by
how far it strays from the tempo's beat (``tightness`` times the square of the log of their
ratio). It follows librosa 0.11's ``beat.beat_track`` step for step (and chooses the same
beats), with no numba-compiled code; the frames of a block half a beat long are scored at
once, since none of them can be another's predecessor.
"""

from __future__ import annotations

import numpy as np

__all__ = ["track_beats"]


def _local_score(strength: np.ndarray, frames_per_beat: int) -> np.ndarray:
    """The envelope, scaled to unit deviation, smoothed by a Gaussian a sixteenth of a beat
    wide (the window spans a beat either side)."""
    scaled = strength / (strength.std(ddof=1) + np.finfo(float).tiny)
    offsets = np.arange(-frames_per_beat, frames_per_beat + 1)
    window = np.exp(-0.5 * (offsets * 32.0 / frames_per_beat) ** 2)
    return np.asarray(np.convolve(scaled, window, mode="same"))


def _best_paths(
    local: np.ndarray, frames_per_beat: int, tightness: float
) -> tuple[np.ndarray, np.ndarray]:
    """For each frame, the best score of a chain of beats ending there and the beat before
    it in that chain (-1: none, before the first clear onset)."""
    count = len(local)
    cumulative = np.zeros(count)
    backlink = np.full(count, -1, dtype=np.int64)
    nearest = max(1, round(frames_per_beat / 2))  # the closest a predecessor may be
    steps = np.arange(nearest, 2 * frames_per_beat + 1)  # the predecessor's distance back
    penalty = tightness * (np.log(steps) - np.log(frames_per_beat)) ** 2
    clear = np.flatnonzero(local >= 0.01 * local.max())
    first = int(clear[0]) if len(clear) else count
    for start in range(0, count, nearest):
        frames = np.arange(start, min(count, start + nearest))
        rows = np.arange(len(frames))
        before = frames[:, None] - steps[None, :]
        scores = np.where(
            before >= 0, cumulative[np.maximum(before, 0)] - penalty[None, :], -np.inf
        )
        best = np.argmax(scores, axis=1)  # the nearest of equal predecessors, as librosa
        found = before[rows, best] >= 0
        cumulative[frames] = local[frames] + np.where(found, scores[rows, best], 0.0)
        backlink[frames] = np.where(found & (frames >= first), before[rows, best], -1)
    return cumulative, backlink


def _last_beat(cumulative: np.ndarray) -> int:
    """The last frame that is a local peak of the cumulative score and reaches half the
    median of those peaks."""
    peaks = np.zeros(len(cumulative), dtype=bool)
    if len(cumulative) > 2:
        peaks[1:-1] = (cumulative[1:-1] > cumulative[:-2]) & (cumulative[1:-1] >= cumulative[2:])
    if len(cumulative) > 1:
        peaks[-1] = cumulative[-1] > cumulative[-2]
    if not peaks.any():
        return len(cumulative) - 1
    threshold = 0.5 * float(np.median(cumulative[peaks]))
    good = np.flatnonzero(peaks & (cumulative >= threshold))
    return int(good[-1]) if len(good) else len(cumulative) - 1


def _trimmed(beats: np.ndarray, local: np.ndarray, trim: bool) -> np.ndarray:
    """The beats less those in the quiet frames at either end: frames whose local score is
    at most half the RMS of the beats' smoothed scores (``trim``), or zero."""
    threshold = 0.0
    if trim and len(beats):
        smooth = np.convolve(local[beats], np.hanning(5))[2 : len(local) + 2]
        threshold = 0.5 * float(np.sqrt(np.mean(smooth**2)))
    loud = np.flatnonzero(local > threshold)
    if not len(loud):
        return beats[:0]
    return np.asarray(beats[(beats >= loud[0]) & (beats <= loud[-1])])


def track_beats(
    strength: np.ndarray,
    frame_rate: float,
    bpm: float,
    *,
    tightness: float = 100.0,
    trim: bool = True,
) -> np.ndarray:
    """The frames of the beats Ellis' tracker chooses in an onset envelope (``frame_rate``
    frames a second) at ``bpm`` beats a minute; ``trim`` leaves out beats in the weak
    onsets at the ends. An envelope with no onset has no beat.

    >>> pulse = np.zeros(400); pulse[10::43] = 1.0
    >>> track_beats(pulse, frame_rate=86.0, bpm=120.0)[:4].tolist()
    [10, 53, 96, 139]
    """
    if bpm <= 0 or tightness <= 0:
        raise ValueError(f"bpm {bpm} and tightness {tightness} must be positive")
    if not strength.any():
        return np.array([], dtype=np.int64)
    frames_per_beat = max(1, round(frame_rate * 60.0 / bpm))
    local = _local_score(np.asarray(strength, dtype=float), frames_per_beat)
    cumulative, backlink = _best_paths(local, frames_per_beat, tightness)
    chain = []
    frame = _last_beat(cumulative)
    while frame >= 0:
        chain.append(frame)
        frame = int(backlink[frame])
    return _trimmed(np.asarray(chain[::-1], dtype=np.int64), local, trim)
