"""The beat map of a recording: every beat's time, which beats start bars and each bar's
meter; bars fitted to the beats from a meter or a form, and the map as a timeline whose
tempo follows the recording beat by beat.

A form is bars of meters in order: ``'4x5/4,16x4/4'`` (or a variant's sections). Bar 1 is
placed where the beats' accents fit the form best (:func:`place_bars`): each beat gets an
accent from the recording (its onset, its low onset, the change of harmony at it) and each
place of the form's first downbeat a score, the accents weighed by the meters' accent
levels (downbeat, group start, beat); or bar 1 is given in seconds. Beats before bar 1 make
a lead-in; after the form's bars the last meter goes on.

>>> form = parse_form("2x2+3/4,1x4/4")
>>> [str(m) for m in form_meters(form, 4)]
['2+3/4', '2+3/4', '4/4', '4/4']
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from theme.core.meter import AccentLevel, Meter
from theme.errors import UsageError

__all__ = [
    "BeatMap",
    "accents",
    "beat_features",
    "entry_beat",
    "fit_taps",
    "form_meters",
    "meters_from",
    "parse_form",
    "place_bars",
    "tapped_beats",
]

MAX_FORM_BARS = 10_000
"""The most bars a form may name."""

_PART = re.compile(r"^\s*(\d{1,5})\s*[x×*]\s*(\S+)\s*$")


def parse_form(text: str) -> tuple[tuple[int, Meter], ...]:
    """``'4x5/4,16x4/4'`` as ((4, 5/4), (16, 4/4)); a meter alone is one bar of it, and
    repeats to the end like the last meter of any form.

    >>> [(n, str(m)) for n, m in parse_form("4x5/4, 16x4/4")]
    [(4, '5/4'), (16, '4/4')]
    >>> parse_form("4x5/3")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    theme.errors.MeterError: invalid meter '5/3': the denominator must be 1, 2, 4, 8, 16 or 32 ...
    """
    parts = []
    for piece in str(text).split(","):
        found = _PART.match(piece)
        if found:
            count, meter = int(found.group(1)), Meter.parse(found.group(2))
        elif piece.strip():
            count, meter = 1, Meter.parse(piece.strip())
        else:
            raise UsageError(
                f"invalid form {text[:60]!r}: expected bars of meters such as '4x5/4,16x4/4'"
            )
        if count < 1:
            raise UsageError(f"invalid form {text[:60]!r}: every part needs 1 bar or more")
        parts.append((count, meter))
    if sum(n for n, _ in parts) > MAX_FORM_BARS:
        raise UsageError(f"invalid form {text[:60]!r}: at most {MAX_FORM_BARS} bars")
    return tuple(parts)


def form_meters(form: Sequence[tuple[int, Meter]], bars: int) -> list[Meter]:
    """The meter of each of ``bars`` bars: the form's, then its last meter on."""
    meters = [meter for count, meter in form for _ in range(count)][:bars]
    return meters + [form[-1][1]] * (bars - len(meters))


def accents(beats: np.ndarray, onsets: object) -> np.ndarray:
    """How strongly each beat is marked in the recording, each measure scaled to its own
    spread and added: the onset strength at the beat, the onset of the low band (a kick, a
    bass note) and how much the harmony (chroma) changes from the beat before to the one
    after."""
    from theme.listen.tracking import Envelope

    assert isinstance(onsets, Envelope)
    frames = [onsets.frame(t) for t in beats]

    def near(values: np.ndarray, frame: int) -> float:
        return float(values[max(0, frame - 2) : frame + 3].max(initial=0.0))

    strength = np.array([near(onsets.strength, f) for f in frames])
    low = np.array([near(onsets.low, f) for f in frames])
    chroma = onsets.chroma
    change = np.zeros(len(frames))
    for i in range(1, len(frames) - 1):
        before = chroma[:, frames[i - 1] : max(frames[i - 1] + 1, frames[i])].mean(axis=1)
        after = chroma[:, frames[i] : max(frames[i] + 1, frames[i + 1])].mean(axis=1)
        norm = float(np.linalg.norm(before) * np.linalg.norm(after)) or 1.0
        change[i] = 1.0 - float(before @ after) / norm

    def scaled(values: np.ndarray) -> np.ndarray:
        spread = float(values.std())
        return (values - values.mean()) / spread if spread > 1e-9 else np.zeros_like(values)

    return np.asarray(scaled(strength) + scaled(low) + scaled(change))


def beat_features(beats: np.ndarray, onsets: object) -> np.ndarray:
    """What each beat sounds like, one row a beat, each column scaled to its spread: the
    loudness over the beat (dB), the mean onset strength over it in all bands and in the
    low ones, and its 12 pitch classes' energy. Bars that repeat have rows that repeat."""
    from theme.listen.tracking import Envelope

    assert isinstance(onsets, Envelope)
    frames = [onsets.frame(t) for t in beats] + [len(onsets.strength)]
    power = 10 ** (onsets.loudness / 10)
    ends = [*beats[1:], beats[-1] + (beats[-1] - beats[-2] if len(beats) > 1 else 0.5)]
    rows = []
    for i, (t, end) in enumerate(zip(beats, ends)):
        lo, hi = frames[i], max(frames[i] + 1, frames[i + 1])
        a = round(t * onsets.rise_rate)
        b = max(a + 1, round(end * onsets.rise_rate))
        span = power[a:b]
        loud = 10 * np.log10(float(span.mean()) + 1e-10) if len(span) else -100.0
        rows.append(
            np.concatenate(
                [
                    [loud, onsets.strength[lo:hi].mean(), onsets.low[lo:hi].mean()],
                    onsets.chroma[:, lo:hi].mean(axis=1),
                ]
            )
        )
    table = np.nan_to_num(np.array(rows, dtype=float))
    return np.asarray((table - table.mean(axis=0)) / (table.std(axis=0) + 1e-9))


ENTRY_RISE_DB = 6.0
"""How much louder than the beat before a beat must be for the music to enter there."""


def entry_beat(beats: np.ndarray, onsets: object) -> int | None:
    """The beat where the music enters (from silence, noise, or a thinner texture): the
    beat whose loudness rises most over the beat before (over the half second before the
    first beat for the first), among the first :data:`MAX_LEAD_BEATS`, if it rises by
    :data:`ENTRY_RISE_DB` or more; a section starts there, so a bar does."""
    from theme.listen.tracking import Envelope

    assert isinstance(onsets, Envelope)
    if len(beats) < 2:
        return None
    power = 10 ** (onsets.loudness / 10)
    rate = onsets.rise_rate

    def level(a: float, b: float) -> float:
        lo = max(0, round(a * rate))
        hi = min(len(power), max(lo + 1, round(b * rate)))
        return 10 * float(np.log10(power[lo:hi].mean() + 1e-10)) if hi > lo else -100.0

    ends = [*beats[1:], beats[-1] + (beats[-1] - beats[-2])]
    loud = np.array([level(a, b) for a, b in zip(beats, ends)])
    before = level(beats[0] - 0.5, beats[0]) if beats[0] >= 0.2 else loud[0]
    rise = (loud - np.concatenate([[before], loud[:-1]]))[:MAX_LEAD_BEATS]
    at = int(np.argmax(rise))
    return at if rise[at] >= ENTRY_RISE_DB else None


MAX_LEAD_BEATS = 128
"""The most beats before bar 1 that :func:`place_bars` tries."""

WEIGHTS = {AccentLevel.DOWNBEAT: 1.0, AccentLevel.GROUP: 0.4, AccentLevel.BEAT: 0.0}
"""What an accent counts for at each level of the meter when bars are placed."""

REPEAT_WEIGHT = 4.0
"""What the likeness of consecutive bars counts for (a cosine, -1 to 1), against the mean
accent a beat, when a form changes meter."""

ENTRY_WEIGHT = 0.5
"""What a bar line where the music enters counts for, against the mean accent a beat."""

TAP_WEIGHT = 100.0
"""What each tapped beat on a bar line counts for: taps outweigh everything heard."""


def _weights(meters: Sequence[Meter]) -> np.ndarray:
    return np.array(
        [WEIGHTS.get(level, 0.0) for meter in meters for level in meter.accent_levels()]
    )


def _bar_lines(start: int, beats: int, form: Sequence[tuple[int, Meter]]) -> list[int]:
    """Where each bar starts with bar 1 on beat ``start``: the lead-in's bars of the first
    meter counted back, then the form's."""
    first = form[0][1].numerator
    lines = list(range(start % first, start, first))
    for meter in meters_from(start, beats, form):
        lines.append(start)
        start += meter.numerator
    return [*lines, start]


def repeats(features: np.ndarray, lines: Sequence[int]) -> float:
    """How alike consecutive whole bars of the same length are (the mean cosine of their
    beats' features): bars placed across a change of meter repeat less."""
    alike = []
    for a, b, c in zip(lines, lines[1:], lines[2:]):
        if b - a != c - b or c > len(features):
            continue
        x, y = features[a:b].ravel(), features[b:c].ravel()
        alike.append(float(x @ y) / (float(np.linalg.norm(x) * np.linalg.norm(y)) + 1e-9))
    return float(np.mean(alike)) if alike else 0.0


def place_bars(
    accent: np.ndarray,
    form: Sequence[tuple[int, Meter]],
    *,
    features: np.ndarray | None = None,
    entry: int | None = None,
    tapped: Sequence[int] = (),
) -> tuple[int, list[Meter]]:
    """The beat bar 1 starts on and the meter of every bar from it: the place that scores
    most, tried up to :data:`MAX_LEAD_BEATS` (the earliest of equals). A place scores the
    beats' ``accent`` weighed by the form's accent levels (beats before bar 1 weighed as
    bars of the first meter, counted back), a beat's mean; and, when the form changes meter
    and the beats' ``features`` are given (:func:`beat_features`), how alike its
    consecutive bars are (:func:`repeats`: a five-beat pattern repeats every five beats
    until the music turns to four), times :data:`REPEAT_WEIGHT`; and :data:`ENTRY_WEIGHT`
    if a bar starts where the music enters (``entry``, :func:`entry_beat`). So a form's
    change of meter falls where the music changes, even when no accent marks its bars
    (four kicks a bar, claps on 2 and 4). Each beat in ``tapped`` (indices: the beats a
    teacher tapped as firsts of bars, :func:`tapped_beats`) that starts a bar adds
    :data:`TAP_WEIGHT`: the taps decide, the sound chooses among the places they allow."""
    count = len(accent)
    first = form[0][1]
    changes = len({meter for _, meter in form}) > 1 and features is not None
    scores = []
    for start in range(min(count, MAX_LEAD_BEATS)):
        meters = meters_from(start, count, form)
        weights = _weights(meters)[: count - start]
        lead = _weights([first] * (start // first.numerator + 1))[-start:] if start else np.zeros(0)
        score = (float(accent[start:] @ weights) + float(np.dot(accent[:start], lead))) / count
        if changes or entry is not None or tapped:
            lines = _bar_lines(start, count, form)
            if changes:
                assert features is not None
                score += REPEAT_WEIGHT * repeats(features, lines)
            if entry is not None and entry in lines:
                score += ENTRY_WEIGHT
            if tapped:
                score += TAP_WEIGHT * len(set(tapped) & set(lines))
        scores.append(score)
    best = int(np.flatnonzero(np.array(scores) >= max(scores) - 1e-9)[0])
    return best, meters_from(best, count, form)


def tapped_beats(beats: Sequence[float] | np.ndarray, taps: Sequence[float]) -> list[int]:
    """The beat each tap (seconds) falls on: the nearest, if the tap is within 40 % of a
    beat of it (a tap between two beats falls on none); each beat once, in order.

    >>> tapped_beats([1.0, 1.5, 2.0, 2.5], [0.98, 1.27, 2.03, 2.06, 9.0])
    [0, 2]
    """
    times = np.asarray(beats, dtype=float)
    if len(times) < 2:
        return []
    found = set()
    for tap in taps:
        at = int(np.argmin(np.abs(times - tap)))
        period = float(times[min(at + 1, len(times) - 1)] - times[max(at - 1, 0)]) / (
            min(at + 1, len(times) - 1) - max(at - 1, 0)
        )
        if abs(times[at] - tap) <= 0.4 * period:
            found.add(at)
    return sorted(found)


def fit_taps(
    beats: Sequence[float] | np.ndarray,
    taps: Sequence[float],
    form: Meter | Sequence[tuple[int, Meter]],
) -> int | None:
    """The beat bar 1 starts on, fitted to a teacher's ``taps`` (seconds) on the first beat
    of some bars: the earliest place, up to :data:`MAX_LEAD_BEATS`, whose bars of ``form``
    (a meter, or bars of meters) start on the most tapped beats (:func:`tapped_beats`);
    None when fewer than two taps fall on beats. (:func:`place_bars` weighs the taps with
    the sound.)

    >>> beats = [0.5 * k for k in range(20)]
    >>> fit_taps(beats, [1.52, 4.0, 6.47], Meter.parse("5/4"))
    3
    >>> fit_taps(beats, [0.5, 2.0, 3.0], parse_form("1x3/4,4x2/4"))  # 3/4, then 2/4 bars
    1
    """
    tapped = tapped_beats(beats, taps)
    if len(tapped) < 2:
        return None
    shape = ((1, form),) if isinstance(form, Meter) else tuple(form)
    start, _ = place_bars(np.zeros(len(beats)), shape, tapped=tapped)
    return start


def meters_from(start: int, beats: int, form: Sequence[tuple[int, Meter]]) -> list[Meter]:
    """The bars of the form from beat ``start`` that the beats after it fill (the last
    one may be cut short)."""
    meters: list[Meter] = []
    covered = start
    for meter in form_meters(form, MAX_FORM_BARS):
        if covered >= beats:
            break
        meters.append(meter)
        covered += meter.numerator
    return meters


@dataclass(frozen=True)
class BeatMap:
    """Where a recording's beats and bars are.

    ``beats`` are seconds from the recording's start, increasing; ``bar_starts`` the index
    in ``beats`` of each bar's first beat (bar 1 first: beats before it are a lead-in) and
    ``meters`` each bar's meter; the last bar may hold fewer beats than its meter (the
    recording ends). ``seconds`` is the recording's length, ``tracked`` what the beat
    tracker found alone, for comparison."""

    beats: tuple[float, ...]
    bar_starts: tuple[int, ...]
    meters: tuple[Meter, ...]
    seconds: float
    tracked: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        if len(self.bar_starts) != len(self.meters) or not self.bar_starts:
            raise UsageError("a beat map needs one meter for each bar, and one bar or more")
        if any(b <= a for a, b in zip(self.beats, self.beats[1:])):
            raise UsageError("a beat map's beats must increase")

    @property
    def downbeats(self) -> tuple[float, ...]:
        """The time of each bar's first beat, in seconds."""
        return tuple(self.beats[i] for i in self.bar_starts)

    @property
    def lead_beats(self) -> int:
        """Beats before bar 1."""
        return self.bar_starts[0]

    def changes(self) -> list[tuple[int, float, Meter]]:
        """Each change of meter: the bar number (bar 1 the first of the form), its time in
        seconds and the new meter; the first bar's meter first."""
        found: list[tuple[int, float, Meter]] = []
        for n, (start, meter) in enumerate(zip(self.bar_starts, self.meters), start=1):
            if not found or found[-1][2] != meter:
                found.append((n, self.beats[start], meter))
        return found

    def timeline(self, *, title: str = "recording", click: bool = True) -> object:
        """The map as a :class:`~theme.core.timeline.Timeline`, quarter 0 at the
        recording's start: a tempo segment for every beat (the tempo map lands each beat on
        its time, to the microsecond), a lead-in bar (section ``lead-in``) before bar 1
        when bar 1 does not start the recording, and a click layer following the meters
        (:func:`theme.metronome.clicks.click_track`) when ``click``.

        The lead-in's pulses are the beats before bar 1, and whole pulses from the start
        at the first beat's pace; a first beat within half a beat of the start is drawn
        at the start."""
        from theme.core.tempo import TempoMap, TempoSegment
        from theme.core.timeline import Timeline

        times = [_micro(t) for t in self.beats]
        first_meter = self.meters[0]
        period = times[1] - times[0] if len(times) > 1 else Fraction(1, 2)
        lead_pulses = round(times[0] / period) if times[0] > 0 else 0
        lead_times = [times[0] - k * period for k in range(lead_pulses, 0, -1)]
        lead_times = [max(Fraction(0), t) for t in lead_times]
        if lead_times:
            lead_times[0] = Fraction(0)
        else:
            times[0] = Fraction(0)
        grid = lead_times + times
        # the last bar ends on a beat: complete it at the last pace
        last_start = self.bar_starts[-1]
        missing = last_start + self.meters[-1].numerator - len(self.beats)
        pace = times[-1] - times[-2] if len(times) > 1 else period
        grid += [times[-1] + k * pace for k in range(1, missing + 1)]
        grid.append(grid[-1] + pace)  # the end of the last beat
        # each pulse's length in quarter notes, by the bar it is in
        lead = self.bar_starts[0] + lead_pulses
        pulse_q = [first_meter.pulse_quarters] * lead
        bars: list[tuple[Meter, str] | tuple[Meter, str, Fraction | None]] = []
        if lead:
            rest = lead % first_meter.numerator
            if rest:
                bars.append((Meter.of(rest, first_meter.denominator), "lead-in"))
            bars += [(first_meter, "lead-in")] * (lead // first_meter.numerator)
        for meter in self.meters:
            bars.append((meter, ""))
            pulse_q += [meter.pulse_quarters] * meter.numerator
        segments = []
        position = Fraction(0)
        for k, quarters in enumerate(pulse_q):
            span = grid[k + 1] - grid[k]
            segments.append(TempoSegment(position, 60 * quarters / span, quarters))
            position += quarters
        segments[-1] = TempoSegment(segments[-1].start, segments[-1].qpm)
        music = Timeline.build(title=title, bars=bars, tempo=TempoMap(segments))
        if not click:
            return music
        from theme.metronome.clicks import click_track

        return click_track(music)


def _micro(seconds: float) -> Fraction:
    """Seconds to the microsecond, exactly."""
    return Fraction(round(seconds * 1_000_000), 1_000_000)
