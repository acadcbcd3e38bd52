"""A music21 Score from a timeline: what a musician, a notebook or MusicXML gets.

One Part per layer, each with a named instrument (MuseScore wants one); measures that follow
the timeline's bars, a time signature wherever the meter changes, beamed and accented by the
meter's grouping (5/4 beamed 3+2, not music21's default 2+3); notes split and tied across
barlines; rests in the gaps; accent marks on accented notes; the tempo as metronome marks;
section names as rehearsal marks. music21 is imported when a score is made, never before.

Positions and durations are exact quarter-note Fractions throughout.
"""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from theme.timeline import Bar, Event, Layer, Timeline

if TYPE_CHECKING:
    from music21.stream import Measure, Part, Score

__all__ = ["ACCENT_VELOCITY", "to_score"]

ACCENT_VELOCITY = 100
"""Notes at or above this MIDI velocity get an accent mark (the box notation's ``X``)."""

DRUM_NAMES = {
    35: "Bass Drum",
    36: "Bass Drum",
    37: "Side Stick",
    38: "Snare",
    39: "Hand Clap",
    41: "Low Tom",
    42: "Closed Hi-Hat",
    46: "Open Hi-Hat",
    49: "Crash",
    60: "High Bongo",
    61: "Low Bongo",
    63: "High Conga",
    64: "Low Conga",
    70: "Maracas",
    75: "Claves",
    76: "High Woodblock",
    77: "Low Woodblock",
}


def _instrument(layer: Layer) -> Any:
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
    inst.partName = layer.name
    inst.partAbbreviation = layer.name[:4]
    inst.instrumentName = inst.instrumentName or layer.name
    return inst


def _pieces(
    events: list[Event], bar: Bar
) -> Iterator[tuple[Fraction, Fraction, list[Event], bool, bool]]:
    """``(offset in bar, length, events of the chord, tied from before, tied on)`` for every
    note sounding in ``bar``: notes are cut at the next onset and at the barline."""
    onsets = sorted({e.onset for e in events})
    for i, onset in enumerate(onsets):
        chord = [e for e in events if e.onset == onset]
        end = max(e.onset + e.duration for e in chord)
        if i + 1 < len(onsets):
            end = min(end, onsets[i + 1])
        start = max(onset, bar.start)
        stop = min(end, bar.end)
        if stop <= start:
            continue
        yield start - bar.start, stop - start, chord, onset < bar.start, end > bar.end


def _note(chord: list[Event], length: Fraction, drum: bool) -> Any:
    from music21 import chord as m21chord
    from music21 import note

    if drum:
        n = note.Unpitched(quarterLength=length)
        n.displayStep, n.displayOctave = ("C", 5) if chord[0].pitch in (42, 46, 70) else ("E", 4)
        n.storedInstrument = None
    elif len({e.pitch for e in chord}) > 1:
        n = m21chord.Chord(sorted({e.pitch for e in chord}), quarterLength=length)
    else:
        n = note.Note(chord[0].pitch, quarterLength=length)
    for p in n.pitches:
        if p.accidental is not None and p.accidental.alter == 0:
            p.accidental = None  # music21 marks MIDI-made naturals; no key asks for them
    n.volume.velocity = max(e.velocity for e in chord)
    return n


def _measure(
    timeline: Timeline, layer: Layer, bar: Bar, events: list[Event], first_part: bool
) -> Measure:
    from music21 import articulations, clef, expressions, note, stream, tempo, tie

    measure = stream.Measure(number=bar.number)
    previous = timeline.bars[bar.number - 2] if bar.number > 1 else None
    if previous is None:  # the clef for the whole part: its first bar may be a rest
        whole = timeline.layer_events(layer.name)
        measure.insert(0, clef.PercussionClef() if layer.drum else clef.bestClef(_probe(whole)))
    if previous is None or previous.meter != bar.meter:
        measure.insert(0, bar.meter.to_music21())
    if first_part and (previous is None or previous.section != bar.section) and bar.section:
        measure.insert(0, expressions.RehearsalMark(bar.section))
    for segment in timeline.tempo_map.segments if first_part else ():
        if bar.start <= segment.start < bar.end:
            unit = bar.meter.counted_quarters  # e=280 in 7/8, q.=100 in 6/8, q=160 in 5/4
            mark = tempo.MetronomeMark(number=float(segment.qpm / unit), referent=float(unit))
            measure.insert(segment.start - bar.start, mark)
            if segment.is_ramp and first_part:
                measure.insert(segment.start - bar.start, expressions.TextExpression("accel."))
    position = Fraction(0)
    for offset, length, chord, tied_from, tied_on in _pieces(events, bar):
        if offset > position:
            measure.insert(position, note.Rest(quarterLength=offset - position))
        n = _note(chord, length, layer.drum)
        if tied_from or tied_on:
            n.tie = tie.Tie(
                "continue" if tied_from and tied_on else "stop" if tied_from else "start"
            )
        if not tied_from and max(e.velocity for e in chord) >= ACCENT_VELOCITY:
            n.articulations.append(articulations.Accent())
        measure.insert(offset, n)
        position = offset + length
    bar_length = bar.meter.bar_quarters
    if position < bar_length:
        measure.insert(position, note.Rest(quarterLength=bar_length - position))
    return measure


def _probe(events: list[Event]) -> Any:
    """A few notes for music21's clef choice."""
    from music21 import note, stream

    probe = stream.Stream()
    for e in events[:32]:
        probe.append(note.Note(e.pitch))
    if not events:
        probe.append(note.Note(60))
    return probe


def _part(timeline: Timeline, layer: Layer, first_part: bool) -> Part:
    from music21 import stream

    part = stream.Part(id=layer.name)
    part.partName = layer.name
    part.insert(0, _instrument(layer))
    events = timeline.layer_events(layer.name)
    for bar in timeline.bars:
        sounding = [e for e in events if e.onset < bar.end and e.onset + e.duration > bar.start]
        measure = _measure(timeline, layer, bar, sounding, first_part)
        part.insert(bar.start, measure)
    for measure in part.getElementsByClass(stream.Measure):
        measure.makeBeams(inPlace=True)
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
    score.metadata.title = title or timeline.title
    score.metadata.composer = "rhythm: theme (no pitches of the original)"
    layers = [layer for layer in timeline.layers.values()]
    for i, layer in enumerate(layers):
        score.insert(0, _part(timeline, layer, first_part=i == 0))
    return score
