"""A music21 Score from a timeline: what a musician, a notebook or MusicXML gets.

One Part per layer, each with a named instrument (MuseScore wants one); measures that follow
the timeline's bars, a time signature wherever the meter changes, beamed and accented by the
meter's grouping (5/4 beamed 3+2, not music21's default 2+3); notes split and tied across
barlines; rests in the gaps; accent marks on accented notes; the tempo as metronome marks;
section names as rehearsal marks. music21 is imported when a score is made, never before.

Positions and durations are exact quarter-note Fractions throughout.
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_right
from collections.abc import Iterator
from fractions import Fraction
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from theme.core.events import ACCENTED_VELOCITY
from theme.core.meter import Meter
from theme.core.tempo import TempoSegment
from theme.core.timeline import Bar, Event, Layer, Timeline
from theme.errors import OutputFileError
from theme.safe_text import printable

if TYPE_CHECKING:
    from music21.stream import Measure, Part, Score

__all__ = [
    "ABBREVIATIONS",
    "STAFF_NAMES",
    "abbreviation",
    "staff_bars",
    "staff_name",
    "to_score",
    "xml_text",
]

STAFF_NAMES = {
    "bass": "Bass",
    "bongo": "Bongo",
    "bongos": "Bongos",
    "conga": "Conga",
    "congas": "Congas",
    "drum": "Drum",
    "drums": "Drums",
    "melody": "Melody",
    "lead": "Lead",
    "strings": "Strings",
    "guitar": "Guitar",
    "shaker": "Shaker",
    "hats": "Hi-hat",
    "hihat": "Hi-hat",
    "kick": "Kick",
    "snare": "Snare",
    "clap": "Clap",
    "hits": "Hits",
    "click": "Click",
    "vs": "Second click",
    "count-in": "Count-in",
    "feet": "Feet",
}
"""The name on the staff of each layer name this project uses, in full: ``Click``, never
``Cl.`` (a clarinet, to a musician); ``Second click`` for a metronome's second meter."""
ROOMY_NAME = 14
"""The longest staff name written in full on every system; a longer one is shortened
after the first."""

ABBREVIATIONS = {name: full for name, full in STAFF_NAMES.items() if len(full) <= ROOMY_NAME}
"""The staff label after the first system of each layer name this project uses: its full
name, for which there is room."""


_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    """``text`` with each character XML 1.0 cannot hold (control characters, a file name's
    undecodable byte) made ``?``, so that any title or name makes a well-formed document.

    >>> xml_text("bad\\x01 caf\\udce9"), xml_text("ミッション")
    ('bad? caf?', 'ミッション')
    """
    return _NOT_XML.sub("?", text)


def staff_name(name: str) -> str:
    """The name a staff of layer ``name`` shows on the first system: a known one in full,
    else the layer's name with a capital.

    >>> staff_name("bongos"), staff_name("vs"), staff_name("tenor sax")
    ('Bongos', 'Second click', 'Tenor sax')
    """
    known = STAFF_NAMES.get(name.lower())
    if known:
        return known
    return name[:1].upper() + name[1:]


def abbreviation(name: str) -> str:
    """The label of a staff after the first system: its name in full where there is room
    (up to :data:`ROOMY_NAME` characters), else its first three characters and a full stop.

    >>> abbreviation("bongos"), abbreviation("click"), abbreviation("vs"), abbreviation("Tenor saxophone one")
    ('Bongos', 'Click', 'Second click', 'Ten.')
    """
    full = staff_name(name)
    return full if len(full) <= ROOMY_NAME else full[:3].rstrip() + "."


def _instrument(layer: Layer, number: int) -> Any:
    """The layer's instrument as music21 writes it in MusicXML: its part ``P<number>`` and
    the instrument ``P<number>-I1`` (MuseScore's own ids), so that the same music is written
    the same, byte for byte, where music21 would draw random ids."""
    from music21 import instrument

    if layer.drum:
        inst = instrument.Percussion()
        inst.midiChannel = 9
    else:
        try:
            inst = instrument.instrumentFromMidiProgram(layer.program)
        except Exception:  # music21 raises its own errors for unknown programs
            inst = instrument.Instrument()
            inst.midiProgram = layer.program
        inst.midiChannel = layer.channel
    inst.partName = xml_text(layer.name)
    inst.partAbbreviation = xml_text(abbreviation(layer.name))
    inst.instrumentName = inst.instrumentName or xml_text(layer.name)
    inst.partId = f"P{number}"
    inst.instrumentId = f"P{number}-I1"
    return inst


def _pieces(
    events: list[Event], bar: Bar
) -> Iterator[tuple[Fraction, Fraction, list[Event], bool, bool]]:
    """``(offset in bar, length, events of the chord, tied from before, tied on)`` for every
    note sounding in ``bar`` (``events`` in onset order): notes are cut at the next onset and
    at the barline, and split where they cross a group of the meter (:func:`_split`)."""
    chords: list[list[Event]] = []
    for e in events:
        if chords and chords[-1][0].onset == e.onset:
            chords[-1].append(e)
        else:
            chords.append([e])
    starts = _group_starts(bar)
    for i, chord in enumerate(chords):
        onset = chord[0].onset
        end = max(e.onset + e.duration for e in chord)
        if i + 1 < len(chords):
            end = min(end, chords[i + 1][0].onset)
        start, stop = max(onset, bar.start) - bar.start, min(end, bar.end) - bar.start
        if stop <= start:
            continue
        pieces = _split(start, stop, starts, whole_groups=onset >= bar.start)
        for k, (a, b) in enumerate(pieces):
            tied_from = k > 0 or onset < bar.start
            tied_on = k + 1 < len(pieces) or end > bar.end
            yield a, b - a, chord, tied_from, tied_on


def _group_starts(bar: Bar) -> list[Fraction]:
    """Where each group of the bar's meter starts, and the barline (quarter notes)."""
    pulse = bar.meter.pulse_quarters
    return [g * pulse for g in bar.meter.group_starts] + [bar.meter.bar_quarters]


def _split(
    start: Fraction, stop: Fraction, starts: list[Fraction], *, whole_groups: bool
) -> list[tuple[Fraction, Fraction]]:
    """``[start, stop)`` (quarter notes in a bar) split at the group starts inside it, as an
    engraver writes a note that crosses a group: tied notes, each within a group. A span from
    one group start to another (``whole_groups``) stays whole.

    >>> starts = [Fraction(0), Fraction(3), Fraction(5)]  # 3+2/4
    >>> _split(Fraction(1), Fraction(5), starts, whole_groups=True)
    [(Fraction(1, 1), Fraction(3, 1)), (Fraction(3, 1), Fraction(5, 1))]
    >>> _split(Fraction(0), Fraction(5), starts, whole_groups=True)
    [(Fraction(0, 1), Fraction(5, 1))]
    """
    if whole_groups and start in starts and stop in starts:
        return [(start, stop)]
    cuts = [start, *(s for s in starts if start < s < stop), stop]
    return list(pairwise(cuts))


def _rests(start: Fraction, stop: Fraction, bar: Bar) -> list[tuple[Fraction, Fraction]]:
    """A gap ``[start, stop)`` (quarter notes in a bar) as rests that show the meter: a
    whole bar's rest is one; otherwise split at each group and, where a rest starts off the
    beat, at the next beat (a rest never hides a beat that starts a group, nor the beat
    after an off-beat).

    >>> from theme.core.meter import Meter
    >>> four = Bar(1, Fraction(0), Meter.parse("4/4"))
    >>> [(str(a), str(b)) for a, b in _rests(Fraction(3, 2), Fraction(4), four)]
    [('3/2', '2'), ('2', '4')]
    >>> [(str(a), str(b)) for a, b in _rests(Fraction(1, 2), Fraction(2), four)]
    [('1/2', '1'), ('1', '2')]
    """
    if start >= stop or (start == 0 and stop == bar.meter.bar_quarters):
        return [(start, stop)] if start < stop else []
    pulse = bar.meter.pulse_quarters
    rests = []
    for a, b in _split(start, stop, _group_starts(bar), whole_groups=False):
        beat = -(-a // pulse) * pulse  # the first beat at or after a
        if a < beat < b:
            rests.append((a, beat))
            a = beat
        rests.append((a, b))
    return rests


@functools.lru_cache(maxsize=4096)
def _chord_spelling(pitches: tuple[int, ...]) -> tuple[str, ...]:
    """The names music21 spells a chord of these MIDI ``pitches`` with (its search for the
    most consonant spelling, tens of milliseconds a chord): made once for each chord, which a
    piece plays again and again.

    >>> _chord_spelling((60, 64, 68)), _chord_spelling((61, 65, 68))
    (('C4', 'E4', 'G#4'), ('C#4', 'E#4', 'G#4'))
    """
    from music21 import chord as m21chord

    return tuple(p.nameWithOctave for p in m21chord.Chord(list(pitches)).pitches)


def _note(chord: list[Event], length: Fraction, drum: bool) -> Any:
    from music21 import chord as m21chord
    from music21 import note

    if drum:
        n = note.Unpitched(quarterLength=length)
        n.displayStep, n.displayOctave = ("C", 5) if chord[0].pitch in (42, 46, 70) else ("E", 4)
        n.storedInstrument = None
    elif len(pitches := {e.pitch for e in chord}) > 1:
        n = m21chord.Chord(list(_chord_spelling(tuple(sorted(pitches)))), quarterLength=length)
    else:
        n = note.Note(chord[0].pitch, quarterLength=length)
    for p in n.pitches:
        if p.accidental is not None and p.accidental.alter == 0:
            p.accidental = None  # music21 marks MIDI-made naturals; no key asks for them
    n.volume.velocity = max(e.velocity for e in chord)
    return n


def _measure(
    timeline: Timeline,
    layer: Layer,
    bar: Bar,
    previous: Bar | None,
    events: list[Event],
    first_part: bool,
    signatures: dict[Meter, Any],
    tempos: list[TempoSegment],
) -> Measure:
    from music21 import articulations, clef, expressions, stream, tempo, tie

    measure = stream.Measure(number=bar.number)
    if previous is None:  # the clef for the whole part: its first bar may be a rest
        whole = [e for e in timeline.events if e.layer == layer.name][:32]
        measure.insert(0, clef.PercussionClef() if layer.drum else clef.bestClef(_probe(whole)))
    if previous is None or previous.meter != bar.meter:
        signature = _time_signature(bar.meter)
        if previous is not None and _same_time(previous.meter, bar.meter):
            signature.style.hideObjectOnPrint = True  # regrouped, not a new meter: kept, unseen
        measure.insert(0, signature)
    if first_part and (previous is None or previous.section != bar.section) and bar.section:
        measure.insert(0, expressions.RehearsalMark(xml_text(bar.section)))
    for segment in tempos:
        if bar.start <= segment.start < bar.end:
            unit = bar.meter.counted_quarters  # e=280 in 7/8, q.=100 in 6/8, q=160 in 5/4
            mark = tempo.MetronomeMark(number=float(segment.qpm / unit), referent=float(unit))
            measure.insert(segment.start - bar.start, mark)
            if segment.is_ramp and first_part:
                measure.insert(segment.start - bar.start, expressions.TextExpression("accel."))
    position = Fraction(0)
    for offset, length, chord, tied_from, tied_on in _pieces(events, bar):
        for a, b in _rests(position, offset, bar) if offset > position else ():
            _insert_rest(measure, a, b, bar)
        accent = not tied_from and max(e.velocity for e in chord) >= ACCENTED_VELOCITY
        durations = _durations(length)
        for k, (start, piece) in enumerate(durations):  # a length no one note can write: tied
            n = _note(chord, piece, layer.drum)
            tie_from, tie_on = tied_from or k > 0, tied_on or k + 1 < len(durations)
            if tie_from or tie_on:
                n.tie = tie.Tie(
                    "continue" if tie_from and tie_on else "stop" if tie_from else "start"
                )
            if accent and k == 0:
                n.articulations.append(articulations.Accent())
            measure.insert(offset + start, n)
        position = offset + length
    for a, b in _rests(position, bar.end - bar.start, bar):  # a pickup's length, not its meter's
        _insert_rest(measure, a, b, bar)
    _finish(measure, signatures[bar.meter])
    return measure


_WRITTEN = (
    "maxima", "longa", "breve", "whole", "half", "quarter", "eighth", "16th", "32nd", "64th",
    "128th", "256th", "512th", "1024th",
)  # fmt: skip
"""The note values MusicXML writes (music21 knows a 2048th, MusicXML does not)."""


class Unwritable(ValueError):
    """A length no tied notes of MusicXML's values can write exactly: the length."""


def _durations(length: Fraction) -> list[tuple[Fraction, Fraction]]:
    """``(start, length)`` of the notes that write ``length`` quarter notes: one where one
    note value (dotted or in a tuplet) can, else music21's split (5 quarters: 4 and 1), else
    tied notes of plain and triplet values down to the 1024th (:func:`_tied_values`).

    >>> _durations(Fraction(3, 2)), _durations(Fraction(5))
    ([(Fraction(0, 1), Fraction(3, 2))], [(Fraction(0, 1), Fraction(4, 1)), (Fraction(4, 1), Fraction(1, 1))])

    Raises:
        Unwritable: no such notes write it exactly (171/1024 of a quarter note).
    """
    from music21 import duration

    d = duration.Duration(length)
    if d.type in _WRITTEN:
        return [(Fraction(0), length)]
    pieces, start = [], Fraction(0)
    if d.type == "complex" and all(c.type in _WRITTEN for c in d.components):
        for component in d.components:
            piece = Fraction(component.quarterLength)
            pieces.append((start, piece))
            start += piece
        if start == length:
            return pieces
    return _tied_values(length)


def _writable(length: Fraction) -> bool:
    """Whether ``length`` is 0 or a sum of 1024ths (1/256) and triplet 1024ths (1/384):
    ``3a + 2b`` 768ths, every count of 768ths but one.

    >>> _writable(Fraction(1, 768)), _writable(Fraction(1, 384)), _writable(Fraction(171, 1024))
    (False, True, False)
    """
    return length == 0 or (768 % length.denominator == 0 and length * 768 >= 2)


def _tied_values(length: Fraction) -> list[tuple[Fraction, Fraction]]:
    """``length`` as tied notes of plain and triplet values (a whole note to a 1024th, in
    quarter notes 4 to 1/256 and 8/3 to 1/384), the longest first.

    >>> [str(piece) for _, piece in _tied_values(Fraction(1, 3) + Fraction(1, 256))]
    ['1/3', '1/256']

    Raises:
        Unwritable: ``length`` is not a sum of them (its denominator does not divide 768).
    """
    if not _writable(length):
        raise Unwritable(length)
    values = sorted(
        {Fraction(2) ** k / t for k in range(-8, 6) for t in (1, 3)} - {Fraction(1, 768)},
        reverse=True,
    )
    pieces, start, rest = [], Fraction(0), length
    while rest:  # the longest value that leaves a rest of plain and triplet values
        piece = next(v for v in values if v <= rest and _writable(rest - v))
        pieces.append((start, piece))
        start += piece
        rest -= piece
    return pieces


def _insert_rest(measure: Measure, start: Fraction, stop: Fraction, bar: Bar) -> None:
    """Rests from ``start`` to ``stop`` (quarter notes in the bar), each saying whether it
    fills the bar (else music21 looks the meter up in the whole part for every rest)."""
    from music21 import note

    full = stop - start == bar.meter.bar_quarters
    for offset, length in [(Fraction(0), stop - start)] if full else _durations(stop - start):
        rest = note.Rest(quarterLength=length)
        rest.fullMeasure = full
        measure.insert(start + offset, rest)


def _finish(measure: Measure, signature: Any) -> None:
    """What music21's makeNotation does, done on the measure alone before it joins its part
    (in the part, each step looks up the meter and key through the whole part, which grows
    with the square of the bars): accidentals, tuplet brackets, beams by the meter's
    grouping."""
    from music21 import beam
    from music21.stream import makeNotation

    measure.makeAccidentals(inPlace=True)
    makeNotation.makeTupletBrackets(measure, inPlace=True)
    notes = list(measure.notesAndRests)
    if len(notes) < 2:
        return
    for n, beams in zip(notes, signature.getBeams(notes, measureStartOffset=0)):
        n.beams = beams if beams is not None else beam.Beams()


def _same_time(a: Meter, b: Meter) -> bool:
    """Whether two meters have one time signature (``9/8`` grouped 2+2+2+3 and 3+3+3).

    >>> _same_time(Meter.parse("2+2+2+3/8"), Meter.parse("9/8")), _same_time(Meter.parse("6/8"), Meter.parse("3/4"))
    (True, False)
    """
    return (a.numerator, a.denominator) == (b.numerator, b.denominator)


def _time_signature(meter: Meter) -> Any:
    """The music21 TimeSignature of a meter, beamed by its grouping; a grouping other than
    the default is written in the numerator, ``<beats>2+3</beats>`` (MusicXML's composite
    time signature), so that it reads back."""
    from music21 import meter as m21meter

    if "+" not in str(meter):
        return meter.to_music21()
    ts = m21meter.TimeSignature(str(meter))
    partition = [f"{g}/{meter.denominator}" for g in meter.groups]
    ts.beatSequence.partitionByList(partition)
    ts.beamSequence.partitionByList(partition)
    ts.accentSequence.partitionByList(partition)
    return ts


def _probe(events: list[Event]) -> Any:
    """A few notes for music21's clef choice."""
    from music21 import note, stream

    probe = stream.Stream()
    for e in events[:32]:
        probe.append(note.Note(e.pitch))
    if not events:
        probe.append(note.Note(60))
    return probe


def staff_bars(timeline: Timeline, layer: Layer, events: list[Event]) -> list[Bar]:
    """The bars of a layer's staff: the timeline's; for a layer with a meter of its own
    (:attr:`Layer.meter`), the timeline's up to the bar where its first event sounds, then
    bars of its meter to the end of the music, the last cut short where the music ends.

    >>> from theme.metronome import Metronome
    >>> seven = Metronome("7/8", vs="4/4", bars=3).timeline()
    >>> [(b.number, str(b.start), str(b.meter), str(b.quarters)) for b in staff_bars(seven, seven.layers["vs"], seven.layer_events("vs"))]
    [(1, '0', '4/4', '4'), (2, '4', '4/4', '4'), (3, '8', '4/4', '5/2')]
    """
    if layer.meter is None or not events:
        return list(timeline.bars)
    first = timeline.bar_at(events[0].onset)
    bars = list(timeline.bars[: first.number - 1])
    meter, start, number = layer.meter, first.start, first.number
    while start < timeline.length:
        left = timeline.length - start
        length = None if left >= meter.bar_quarters else left
        bars.append(
            Bar(number, start, meter, first.section if number == first.number else "", length)
        )
        start += meter.bar_quarters
        number += 1
    return bars


def _part(timeline: Timeline, layer: Layer, number: int, events: list[Event]) -> Part:
    """The staff of ``layer``, the score's ``number``-th (from 1): the first also carries
    the tempo marks and the sections' names."""
    from music21 import stream

    first_part = number == 1
    part = stream.Part(id=xml_text(layer.name))
    part.partName = xml_text(layer.name)
    part.insert(0, _instrument(layer, number))
    bars = staff_bars(timeline, layer, events)
    starts = [bar.start for bar in bars]
    sounding: list[list[Event]] = [[] for _ in bars]  # the events heard in each bar
    for e in events:
        if e.onset >= timeline.length:
            continue
        k = bisect_right(starts, e.onset) - 1
        while k < len(sounding) and bars[k].start < e.onset + e.duration:
            sounding[k].append(e)
            k += 1
    signatures = {meter: _time_signature(meter) for meter in {b.meter for b in bars}}
    tempos: list[list[TempoSegment]] = [[] for _ in bars]  # the changes in each bar
    for segment in timeline.tempo_map.segments if first_part else ():
        if segment.start < timeline.length:
            tempos[bisect_right(starts, segment.start) - 1].append(segment)
    measures = []
    for i, bar in enumerate(bars):
        try:
            measures.append(
                _measure(
                    timeline,
                    layer,
                    bar,
                    bars[i - 1] if i else None,
                    sounding[i],
                    first_part,
                    signatures,
                    tempos[i],
                )
            )
        except Unwritable as err:
            raise OutputFileError(
                f"cannot write bar {bar.number} of {printable(layer.name)!r} as notation: it "
                f"holds a note or rest of {err.args[0]} quarter notes, which no tied notes "
                "down to the 1024th (plain or triplet) write exactly"
            ) from None
    part.append(measures)  # in order: one append, not a sorted insert a bar
    return part


def to_score(timeline: Timeline, *, title: str | None = None) -> Score:
    """A music21 Score of the timeline: a Part per layer (see the module docstring).

    >>> from theme.variants import load
    >>> score = to_score(load("tv-1966", intro_bars=1, melody_bars=0).timeline())
    >>> [p.partName for p in score.parts], len(score.parts[0].getElementsByClass("Measure"))
    (['bass', 'bongos', 'melody'], 1)
    """
    from music21 import metadata, stream

    score = stream.Score()
    score.metadata = metadata.Metadata()
    score.metadata.title = xml_text(title or timeline.title)
    score.metadata.composer = "rhythm: theme (no pitches of the original)"
    by_layer: dict[str, list[Event]] = {name: [] for name in timeline.layers}
    for e in timeline.events:
        by_layer.setdefault(e.layer, []).append(e)
    for number, layer in enumerate(timeline.layers.values(), start=1):
        score.insert(0, _part(timeline, layer, number, by_layer[layer.name]))
    return score
