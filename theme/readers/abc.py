"""An ABC file (``.abc``) read into a timeline through music21 (imported here only).

music21 parses the tune; its parts become layers, its measures the bars (at music21's own
offsets, so a pickup keeps its length), its notes and chords the events (ties merged, grace
notes and chord symbols left out), its metronome marks the tempo. A file holding several
tunes gives its first (only it is parsed). Every problem is one :class:`~theme.errors.InputFileError` naming the
file: not ABC (a MIDI or MusicXML file named ``.abc``), a tune music21 cannot parse, no notes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from fractions import Fraction
from pathlib import Path
from typing import Any

from theme.core.meter import DENOMINATORS, MAX_NUMERATOR, Meter
from theme.core.tempo import MAX_QPM, MIN_QPM, TempoMap, TempoSegment
from theme.core.timeline import MAX_BARS, Event, Layer, Marker, MarkerKind, Timeline
from theme.errors import MeterError
from theme.readers import (
    MAX_FILE_BYTES,
    MAX_LAYERS,
    NO_METER,
    InputFile,
    check_notes,
    checked_bytes,
    file_kind,
    lay_out_bars,
    misnamed,
    open_input,
    refuse,
    timeline_of,
)
from theme.readers.abc_text import TuneBound, bound

__all__ = ["abc_timeline", "from_music21", "read_abc"]

KIND = "ABC"


def _quarters(value: Any) -> Fraction:
    """A music21 offset or length (a float or a Fraction, in quarter notes) exactly."""
    return value if isinstance(value, Fraction) else Fraction(value).limit_denominator(1 << 20)


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
    return abc_timeline(open_input(path, f"{KIND} file", MAX_FILE_BYTES))


def abc_timeline(file: InputFile) -> Timeline:
    """The ABC file ``file``, read once already (:func:`~theme.readers.open_input`), as a
    timeline: :func:`read_abc` on its bytes.

    Raises:
        InputFileError: as :func:`read_abc`.
    """
    path = file.path
    data = checked_bytes(file, KIND)
    if file_kind(data) != KIND:
        raise refuse(KIND, path, misnamed(data, KIND) + ": no 'X:' or 'K:' header line")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    text = first_tune(text)
    try:
        bound(text)  # every bound, before music21 spends a moment on it
    except TuneBound as err:
        raise refuse(KIND, path, str(err)) from None
    from music21 import converter, stream

    try:
        with _meters_held_to_bounds():
            parsed = converter.parse(text, format="abc")
    except _UnboundedMeter as err:
        raise refuse(KIND, path, str(err)) from None
    except Exception as err:  # music21 raises many kinds for a bad tune
        raise refuse(KIND, path, f"music21 cannot parse it ({type(err).__name__}: {err})") from err
    if isinstance(parsed, stream.Opus):
        scores = list(parsed.scores)
        if not scores:
            raise refuse(KIND, path, "it has no tune")
        parsed = scores[0]
    return from_music21(parsed, path, KIND)


class _UnboundedMeter(Exception):
    """music21 was about to make a meter that no :class:`~theme.core.meter.Meter` reads."""


_FRACTION = re.compile(r"\s*(\d+)\s*/\s*(\d+)\s*")


@contextmanager
def _meters_held_to_bounds() -> Iterator[None]:
    """While music21 reads a tune, a meter of more than
    :data:`~theme.core.meter.MAX_NUMERATOR` beats is refused before music21 makes it
    (:class:`_UnboundedMeter`, made the file's one-line refusal by :func:`abc_timeline`),
    since making one takes it time that grows with the beats: the rest of a bar longer than
    its meter, which music21 gives a meter of its own length, took it more than five
    minutes as 1651/24. The pre-read
    (:func:`~theme.readers.abc_text.bound`) refuses what it foresees, naming the line; this
    holds where music21's bars are not the ones it foresaw (a fuzzed tune: the music before
    the first numbered voice is read as each voice's, and a repeat's ``[2`` as a bar line).
    Such a meter, in the first part, would be refused once made anyway (:func:`_meter`); an
    odd beat (1/24) costs music21 nothing and is left to that. music21's meters are made in
    ``TimeSignature.load``, which is wrapped for the read and restored after."""
    from music21 import meter

    load = meter.TimeSignature.load

    def bounded(self: Any, value: Any, *args: Any, **kwargs: Any) -> Any:
        fraction = _FRACTION.fullmatch(value) if isinstance(value, str) else None
        if fraction is not None:
            beats, beat = int(fraction[1]), int(fraction[2])
            if beats > MAX_NUMERATOR:
                raise _UnboundedMeter(
                    f"a bar is longer than its meter, and no meter holds the rest (music21 "
                    f"would make it {beats}/{beat}; a meter has 1 to {MAX_NUMERATOR} beats of "
                    f"{', '.join(str(d) for d in DENOMINATORS)})"
                )
        return load(self, value, *args, **kwargs)

    meter.TimeSignature.load = bounded
    try:
        yield
    finally:
        meter.TimeSignature.load = load


def from_music21(score: Any, path: Path, kind: str) -> Timeline:
    """A music21 score as a timeline: its measures (the first part's, at their offsets in
    the part and their lengths), a layer per part, its notes (ties merged pitch by pitch, as
    ABC and MusicXML define a tie: between two notes of one pitch; no grace notes, no chord
    symbols), its metronome marks as tempo steps. A part music21 made no measures of is laid
    out in bars of its time signatures (4/4 where it has none)."""
    from music21 import meter, stream

    parts = list(score.parts) or [score]
    if len(parts) > MAX_LAYERS:
        raise refuse(kind, path, f"it has {len(parts):,} parts, more than {MAX_LAYERS}")
    first = parts[0]
    measures = list(first.getElementsByClass(stream.Measure))
    if len(measures) > MAX_BARS:
        raise refuse(kind, path, f"it has {len(measures):,} measures, more than {MAX_BARS:,}")
    # offsets in the part, read now: a copy of the part (flatten, stripTies) moves a
    # measure's own .offset to the copy (second endings read at 0)
    starts = [_quarters(first.elementOffset(m)) for m in measures]
    layers: list[Layer] = []
    notes: list[list[Any]] = []
    for index, part in enumerate(parts):
        name = (part.partName or "").strip() or f"part {index + 1}"
        if any(layer.name == name for layer in layers):
            name = f"{name} {index + 1}"
        layers.append(Layer(name, "bass", channel=index % 9))
        _part_notes(part, name, notes, kind, path)
    if not notes:
        raise refuse(kind, path, "it has no notes")
    end = max(onset + length for onset, length, *_ in notes)
    current: Meter | None = None
    bars: list[tuple[Meter, Fraction]] = []
    for i, measure in enumerate(measures):
        signature = measure.timeSignature
        if isinstance(signature, meter.TimeSignature):
            current = _meter(signature, f"in measure {measure.number}", kind, path)
        shown = current or Meter.of(4, 4)
        stop = starts[i + 1] if i + 1 < len(starts) else None
        length = stop - starts[i] if stop is not None else _quarters(measure.duration.quarterLength)
        if length < 0:
            raise refuse(
                kind, path, f"measure {measure.number} starts after the next one (music21)"
            )
        bars.append((shown, length or shown.bar_quarters))
    if not bars:  # no measures: bars of the part's time signatures, where they stand
        flat = first.flatten()
        changes = []
        for signature in flat.getElementsByClass(meter.TimeSignature):
            found = _meter(signature, "", kind, path)
            changes.append((_quarters(flat.elementOffset(signature)), found))
            current = current or found
        bars = lay_out_bars(changes, end, kind, path)
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


def _meter(signature: Any, where: str, kind: str, path: Path) -> Meter:
    try:
        return Meter.of(signature.numerator, signature.denominator)
    except MeterError as err:
        raise refuse(kind, path, f"{where + ': ' if where else ''}{err}") from err


def _part_notes(part: Any, layer: str, notes: list[list[Any]], kind: str, path: Path) -> None:
    """A part's notes ``[onset, length, layer, pitch, velocity]`` into ``notes``: a note
    tied from one of its pitch that ends where it starts lengthens that one (a tie between
    two pitches, ``G-|F``, ties nothing); grace notes and chord symbols left out."""
    from music21 import chord, harmony

    flat = part.flatten()
    held: dict[int, list[Any]] = {}  # pitch -> its note, while tied on
    for element in flat.notes:
        if isinstance(element, harmony.Harmony) or element.duration.isGrace:
            continue
        onset = _quarters(flat.elementOffset(element))
        length = _quarters(element.duration.quarterLength)
        velocity = element.volume.velocity or 90
        members = element.notes if isinstance(element, chord.Chord) else [element]
        for member in members:
            pitch = member.pitch
            if not 0 <= pitch.midi <= 127:
                raise refuse(kind, path, f"a pitch {pitch} is outside MIDI's 0 to 127")
            midi = int(pitch.midi)
            tie = member.tie or element.tie
            kind_of_tie = tie.type if tie is not None else None
            note = held.pop(midi, None)
            if (
                kind_of_tie in ("stop", "continue")
                and note is not None
                and (note[0] + note[1] == onset)
            ):
                note[1] += length
            else:
                note = [onset, length, layer, midi, int(velocity)]
                notes.append(note)
            if kind_of_tie in ("start", "continue"):
                held[midi] = note
        check_notes(len(notes), kind, path)


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
