"""An ABC file (``.abc``) read into a timeline through music21 (imported here only).

music21 parses the tune; its parts become layers, its measures the bars (at music21's own
offsets, so a pickup keeps its length), its notes and chords the events (ties merged, grace
notes and chord symbols left out), its metronome marks the tempo. A file holding several
tunes gives its first (only it is parsed). Every problem is one :class:`~theme.errors.InputFileError` naming the
file: not ABC (a MIDI or MusicXML file named ``.abc``), a tune music21 cannot parse, no notes.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

from theme.core.meter import Meter
from theme.core.tempo import MAX_QPM, MIN_QPM, TempoMap, TempoSegment
from theme.core.timeline import MAX_BARS, Event, Layer, Marker, MarkerKind, Timeline
from theme.errors import MeterError
from theme.readers import (
    MAX_LAYERS,
    NO_METER,
    check_notes,
    file_bytes,
    file_kind,
    misnamed,
    refuse,
    timeline_of,
)

__all__ = ["from_music21", "read_abc"]

KIND = "ABC"


def _quarters(value: Any) -> Fraction:
    """A music21 offset or length (a float or a Fraction, in quarter notes) exactly."""
    return value if isinstance(value, Fraction) else Fraction(value).limit_denominator(1 << 20)


MAX_TUNE_CHARS = 1_000_000
"""The longest tune handed to music21 (whose ABC reading is slow: about a second for 50 KB)."""


def first_tune(text: str) -> str:
    """The file's header and its first tune: the lines before the second ``X:`` line (a
    book of tunes is read for its first; music21 would parse them all).

    >>> first_tune("%abc\\nX:1\\nK:C\\nC|\\nX:2\\nK:D\\nD|\\n").splitlines()
    ['%abc', 'X:1', 'K:C', 'C|']
    """
    lines = text.splitlines(keepends=True)
    tunes = [i for i, line in enumerate(lines) if line.startswith("X:")]
    return "".join(lines[: tunes[1]]) if len(tunes) > 1 else text


def read_abc(path: str | Path) -> Timeline:
    """An ABC file as a timeline (see the module docstring).

    Raises:
        InputFileError: missing, a folder, too large, not ABC, not parsed by music21, no
            notes, too many bars or notes.
    """
    path = Path(path)
    data = file_bytes(path, KIND)
    if file_kind(data) != KIND:
        raise refuse(KIND, path, misnamed(data, KIND) + ": no 'X:' or 'K:' header line")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    text = first_tune(text)
    if len(text) > MAX_TUNE_CHARS:
        raise refuse(KIND, path, f"its first tune is longer than {MAX_TUNE_CHARS:,} characters")
    from music21 import converter, stream

    try:
        parsed = converter.parse(text, format="abc")
    except Exception as err:  # music21 raises many kinds for a bad tune
        raise refuse(KIND, path, f"music21 cannot parse it ({type(err).__name__}: {err})") from err
    if isinstance(parsed, stream.Opus):
        scores = list(parsed.scores)
        if not scores:
            raise refuse(KIND, path, "it has no tune")
        parsed = scores[0]
    return from_music21(parsed, path, KIND)


def from_music21(score: Any, path: Path, kind: str) -> Timeline:
    """A music21 score as a timeline: its measures (the first part's, at their own offsets
    and lengths), a layer per part, its notes (ties merged; no grace notes, no chord
    symbols), its metronome marks as tempo steps."""
    from music21 import harmony, meter, stream

    parts = list(score.parts) or [score]
    if len(parts) > MAX_LAYERS:
        raise refuse(kind, path, f"it has {len(parts):,} parts, more than {MAX_LAYERS}")
    first = parts[0]
    measures = list(first.getElementsByClass(stream.Measure))
    if len(measures) > MAX_BARS:
        raise refuse(kind, path, f"it has {len(measures):,} measures, more than {MAX_BARS:,}")
    layers: list[Layer] = []
    notes: list[tuple[Fraction, Fraction, str, int, int]] = []
    for index, part in enumerate(parts):
        name = (part.partName or "").strip() or f"part {index + 1}"
        if any(layer.name == name for layer in layers):
            name = f"{name} {index + 1}"
        layers.append(Layer(name, "bass", channel=index % 9))
        for element in part.stripTies().flatten().notes:
            if isinstance(element, harmony.Harmony) or element.duration.isGrace:
                continue
            onset = _quarters(element.offset)
            length = _quarters(element.duration.quarterLength)
            velocity = element.volume.velocity or 90
            for pitch in element.pitches:
                if not 0 <= pitch.midi <= 127:
                    raise refuse(kind, path, f"a pitch {pitch} is outside MIDI's 0 to 127")
                notes.append((onset, length, name, int(pitch.midi), int(velocity)))
            check_notes(len(notes), kind, path)
    if not notes:
        raise refuse(kind, path, "it has no notes")
    end = max(onset + length for onset, length, *_ in notes)
    current: Meter | None = None
    bars: list[tuple[Meter, Fraction]] = []
    starts = [_quarters(m.offset) for m in measures]
    for i, measure in enumerate(measures):
        signature = measure.timeSignature
        if isinstance(signature, meter.TimeSignature):
            try:
                current = Meter.of(signature.numerator, signature.denominator)
            except MeterError as err:
                raise refuse(kind, path, f"in measure {measure.number}: {err}") from err
        shown = current or Meter.of(4, 4)
        stop = starts[i + 1] if i + 1 < len(starts) else None
        length = stop - starts[i] if stop is not None else _quarters(measure.duration.quarterLength)
        bars.append((shown, length or shown.bar_quarters))
    if not bars:
        bars = [(Meter.of(4, 4), Fraction(4))] * max(1, -(-end // 4))
    markers = [] if current else [Marker(Fraction(0), MarkerKind.TEXT, NO_METER)]
    title = str(score.metadata.title or "") if score.metadata is not None else ""
    timeline = timeline_of(
        title=title.strip() or path.stem,
        bars=bars,
        tempo=_tempo_map(score),
        layers=layers,
        markers=markers,
        kind=kind,
        path=path,
    )
    notes.sort(key=lambda n: (n[0], n[2], n[3]))
    events = [
        Event(onset, length, layer, pitch, velocity, timeline.accent_at(onset))
        for onset, length, layer, pitch, velocity in notes
        if onset < timeline.length
    ]
    return timeline.with_events(events)


def _tempo_map(score: Any) -> TempoMap:
    """The score's metronome marks as tempo steps in quarter notes a minute (120 before the
    first)."""
    steps: dict[Fraction, Fraction] = {}
    try:
        boundaries = score.metronomeMarkBoundaries()
    except Exception:  # no marks, or music21 cannot place them
        boundaries = []
    for start, _, mark in boundaries:
        qpm = mark.getQuarterBPM()
        if qpm and MIN_QPM <= qpm <= MAX_QPM:
            steps.setdefault(_quarters(start), Fraction(qpm).limit_denominator(1000))
    steps.setdefault(Fraction(0), Fraction(120))
    return TempoMap([TempoSegment(at, qpm) for at, qpm in sorted(steps.items())])
