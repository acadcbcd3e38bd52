"""Counting along with a recording of one's own: its beats found, its bars fitted to a
meter or a form, and the count, beat light, conductor and bar numbers laid over it
(``theme listen RECORDING``).

>>> [(n, m.explicit) for n, m in form_of(meter="2+3/4")]
[(1, '2+3/4')]
>>> [(n, str(m)) for n, m in form_of(like="remix-1996")]
[(4, '5/4'), (16, '4/4')]
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from theme.core.meter import Meter
from theme.errors import UsageError
from theme.listen.beatmap import (
    BeatMap,
    accents,
    beat_features,
    entry_beat,
    meters_from,
    parse_form,
    place_bars,
    tapped_beats,
)
from theme.listen.recording import (
    ANALYSIS_RATE,
    MAX_RECORDING_SECONDS,
    analysis_signal,
    recording_info,
    require_listen_extra,
)

__all__ = [
    "ANALYSIS_RATE",
    "MAX_RECORDING_SECONDS",
    "BeatMap",
    "analyse",
    "analyse_signal",
    "form_of",
]

Form = Sequence[tuple[int, Meter]]


def form_of(
    *, meter: str | Meter | None = None, form: str | None = None, like: str | None = None
) -> tuple[tuple[int, Meter], ...]:
    """The form to fit, from exactly one of ``meter`` (every bar), ``form``
    (``'4x5/4,16x4/4'``) or ``like`` (a variant: its sections' bars and meters).

    Raises:
        UsageError: none or more than one given, or a bad meter, form or variant name.
    """
    given = [name for name, value in (("meter", meter), ("form", form), ("like", like)) if value]
    if len(given) != 1:
        raise UsageError(
            "theme listen needs one of --meter (such as 5/4 or 3+2/4), --form (such as "
            f"'4x5/4,16x4/4') or --like VARIANT; {'none' if not given else ' and '.join(given)} given"
        )
    if meter:
        return ((1, Meter.parse(meter)),)
    if form:
        return parse_form(form)
    from theme.variants import load

    variant = load(str(like))
    music = variant.timeline()
    parts: list[tuple[int, Meter]] = []
    for bar in music.bars:
        if parts and parts[-1][1] == bar.meter:
            parts[-1] = (parts[-1][0] + 1, bar.meter)
        else:
            parts.append((1, bar.meter))
    return tuple(parts)


def _guess(onsets: object, form: Form, bpm: float | None) -> float:
    from theme.listen.tracking import Envelope, meter_guess

    assert isinstance(onsets, Envelope)
    if bpm:
        return bpm
    return meter_guess(onsets, form[0][1])


def analyse_signal(
    signal: np.ndarray,
    form: Form,
    *,
    rate: int = ANALYSIS_RATE,
    first_downbeat: float | None = None,
    bpm: float | None = None,
    taps: Sequence[float] = (),
) -> BeatMap:
    """The beat map of a mono signal at ``rate`` samples a second, its bars fitted to
    ``form``; ``first_downbeat`` (seconds) places bar 1 on the beat nearest it; ``taps``
    (seconds: a teacher's taps on the first beat of some bars) fit the bars to them
    (:func:`~theme.listen.beatmap.fit_taps`); ``bpm`` (pulses a minute) is a hint of the
    tempo.

    Raises:
        UsageError: no beat found (silence), ``first_downbeat`` outside the recording,
            fewer than two taps on beats, or the extra ``listen`` (soxr) not installed.
    """
    require_listen_extra()
    from theme.listen.tracking import envelope, fitted_beats, tracked_beats

    seconds = len(signal) / rate
    if first_downbeat is not None and not 0 <= first_downbeat < seconds:
        raise UsageError(
            f"invalid --first-downbeat {first_downbeat:g}: expected 0 to {seconds:.1f} seconds "
            "(the recording's length)"
        )
    onsets = envelope(signal, rate)
    tracked = tracked_beats(onsets, bpm=bpm)
    beats = fitted_beats(onsets, guess=_guess(onsets, form, bpm))
    if len(beats) < 2:
        raise UsageError("no beat found in the recording: is it silent, or has it no pulse?")
    tapped = tapped_beats(beats, taps) if taps else []
    if taps and len(tapped) < 2:
        raise UsageError(
            f"{len(tapped)} of {len(taps)} taps fell on a beat: tap the first beat of each "
            "bar (the 1) for two bars or more"
        )
    if first_downbeat is None:
        start, meters = place_bars(
            accents(beats, onsets),
            form,
            features=beat_features(beats, onsets),
            entry=entry_beat(beats, onsets),
            tapped=tapped,
        )
    else:
        start = int(np.argmin(np.abs(beats - first_downbeat)))
        meters = meters_from(start, len(beats), form)
    bar_starts, at = [], start
    for meter in meters:
        bar_starts.append(at)
        at += meter.numerator
    return BeatMap(
        beats=tuple(float(t) for t in beats),
        bar_starts=tuple(bar_starts),
        meters=tuple(meters),
        seconds=seconds,
        tracked=tuple(float(t) for t in tracked),
    )


def analyse(
    path: str | Path,
    form: Form,
    *,
    first_downbeat: float | None = None,
    bpm: float | None = None,
    taps: Sequence[float] = (),
) -> BeatMap:
    """The beat map of a sound file (read as a stream at :data:`ANALYSIS_RATE`); the
    options as :func:`analyse_signal`'s.

    Raises:
        InputFileError: the file cannot be read as sound.
        UsageError: longer than :data:`MAX_RECORDING_SECONDS`, silent, a bad ``first_downbeat``.
    """
    info = recording_info(path)
    if first_downbeat is not None and not 0 <= first_downbeat < info.seconds:
        raise UsageError(
            f"invalid --first-downbeat {first_downbeat:g}: expected 0 to {info.seconds:.1f} "
            "seconds (the recording's length)"
        )
    signal = analysis_signal(info)
    return analyse_signal(signal, form, first_downbeat=first_downbeat, bpm=bpm, taps=taps)
