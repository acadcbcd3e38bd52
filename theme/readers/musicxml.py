"""A MusicXML file (``.musicxml``, ``.xml``, ``.mxl``) read into a timeline.

The document is parsed with the standard library's ElementTree (expat: no entity is fetched,
and entity expansion is bounded), then every measure of every part is walked twice: first
for its length (what its contents fill in the fullest part: a pickup is short, an empty
measure its meter's length), then for its notes; so the time is linear in the file's size; music21 is not used (its reading grows with the square
of the measures). What a timeline holds is read: the measures' meters (a composite
``<beats>2+3</beats>`` is the grouping 2+3), a layer per part, the notes (chords, ties,
``<backup>`` and ``<forward>``, velocities from ``dynamics``), and every tempo
(``<sound tempo>``, else a ``<metronome>`` mark, counted in quarter notes a minute).

Every odd thing is one :class:`~theme.errors.InputFileError` naming the file (and the
measure, and for a note its beat): not MusicXML, no measures, more than :data:`~theme.core.timeline.MAX_BARS` measures or
:data:`~theme.core.timeline.MAX_EVENTS` notes, a number that is not one (a duration ``'x'``, a
tempo of 0, of ``1e300`` or ``'fast'``), a pitch outside MIDI's 0 to 127.
"""

from __future__ import annotations

import contextlib
import warnings
import zipfile
import zlib
from fractions import Fraction
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, Any

from theme.core.meter import Meter
from theme.core.tempo import TempoMap, TempoSegment
from theme.core.timeline import MAX_BARS, Event, Layer, Marker, MarkerKind, Timeline
from theme.readers import (
    MAX_FILE_BYTES,
    MAX_LAYERS,
    NO_METER,
    InputFile,
    InputFileWarning,
    check_bar,
    check_notes,
    checked_bytes,
    file_kind,
    misnamed,
    open_input,
    quarter_notes,
    refuse,
    timeline_of,
)
from theme.readers.musicxml_values import (
    NUMBER,
    Bad,
    beat_text,
    decimal,
    meter_of,
    pitch_of,
    program_channel,
    tempos_at,
)
from theme.safe_text import clip

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

__all__ = ["musicxml_timeline", "read_musicxml"]

KIND = "MusicXML"
_SNARE = 38


def divisions_of(attributes: Element, divisions: Fraction, where: str) -> Fraction:
    """The divisions of a quarter note an ``<attributes>`` element sets, or ``divisions``
    (those in force) where it sets none.

    Raises:
        Bad: not a number, or 0.
    """
    text = attributes.findtext("divisions")
    if text is None:
        return divisions
    found = decimal(text, "divisions", where)
    if not found:
        raise Bad(f"divisions '0' {where}: expected 1 or more")
    return found


SNAP_QUARTERS = Fraction(1, 1000)
"""A measure that fills its meter's bar to within this many quarter notes is read as the
meter's length: a program that writes durations rounded (music21 rounds odd tuplets to
1/10080 of a quarter note) would otherwise move every later bar by the rounding. The notes
keep their positions in the measure as written."""

MAX_CONTAINER_BYTES = 65_536
"""The largest ``META-INF/container.xml`` read from an ``.mxl`` (it names the score: a few
hundred bytes)."""


def _member(archive: zipfile.ZipFile, name: str, limit: int, what: str) -> bytes:
    """A member of a zip archive, read in chunks of 64 KiB and refused as soon as it passes
    ``limit`` bytes uncompressed (whatever its header claims): a bomb costs ``limit``."""
    chunks: list[bytes] = []
    size = 0
    with archive.open(name) as member:
        while chunk := member.read(65_536):
            size += len(chunk)
            if size > limit:
                shown = f"{limit // 2**20} MiB" if limit >= 2**20 else f"{limit:,} bytes"
                raise Bad(f"its {what} is larger than {shown} uncompressed")
            chunks.append(chunk)
    return b"".join(chunks)


def _unzipped(data: bytes, path: Path) -> bytes:
    """The score inside a compressed ``.mxl`` (its container names it), at most
    :data:`MAX_FILE_BYTES` uncompressed; its container at most :data:`MAX_CONTAINER_BYTES`."""
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            name = None
            if "META-INF/container.xml" in archive.namelist():
                container = _parse(
                    _member(archive, "META-INF/container.xml", MAX_CONTAINER_BYTES, "container.xml")
                )
                rootfile = container.find(".//rootfile")
                name = rootfile.get("full-path") if rootfile is not None else None
            if name is None:
                name = next(n for n in archive.namelist() if n.endswith((".xml", ".musicxml")))
            return _member(archive, name, MAX_FILE_BYTES, "score")
    except (zipfile.BadZipFile, KeyError, StopIteration, OSError, EOFError) as err:
        raise Bad(f"not a valid .mxl file ({type(err).__name__})") from err
    except (zlib.error, NotImplementedError, RuntimeError) as err:  # a bad or odd compression
        raise Bad(f"not a valid .mxl file ({type(err).__name__}: {clip(str(err), 60)})") from err


def _parse(data: bytes) -> Element:
    from xml.etree.ElementTree import ParseError, fromstring

    try:
        return fromstring(data)
    except ParseError as err:
        raise Bad(f"not valid MusicXML ({err})") from err


def read_musicxml(path: str | Path) -> Timeline:
    """A MusicXML file as a timeline: its measures and meters, a layer per part, notes at
    exact quarter-note positions, its tempos (see the module docstring).

    Raises:
        InputFileError: missing, a folder, too large, not MusicXML, no measures, too many
            measures or notes, a value that is not allowed (named with its measure).
    """
    return musicxml_timeline(open_input(path, f"{KIND} file", MAX_FILE_BYTES))


def musicxml_timeline(file: InputFile) -> Timeline:
    """The MusicXML or compressed MusicXML file ``file``, read once already
    (:func:`~theme.readers.open_input`), as a timeline: :func:`read_musicxml` on its bytes.

    Raises:
        InputFileError: as :func:`read_musicxml`.
    """
    path = file.path
    data = checked_bytes(file, KIND)
    if file_kind(data) not in (KIND, ""):
        raise refuse(KIND, path, misnamed(data, KIND))
    try:
        if data[:2] == b"PK":
            data = _unzipped(data, path)
        return _timeline(_parse(data), path)
    except Bad as err:
        raise refuse(KIND, path, str(err)) from err
    except RecursionError as err:  # elements nested thousands deep
        raise refuse(KIND, path, "not valid MusicXML (nested too deep)") from err


def _timeline(root: Element, path: Path) -> Timeline:
    if root.tag == "score-timewise":
        raise Bad("score-timewise MusicXML is not supported (score-partwise is)")
    if root.tag != "score-partwise":
        raise Bad(f"not valid MusicXML (the document is <{clip(root.tag, 30)}>)")
    parts = root.findall("part")
    if len(parts) > MAX_LAYERS:
        raise Bad(f"it has {len(parts):,} parts, more than {MAX_LAYERS}")
    counts = [len(part.findall("measure")) for part in parts]
    if not counts or not max(counts):
        raise Bad("it has no measures")
    if max(counts) > MAX_BARS:
        raise Bad(f"it has {max(counts):,} measures, more than {MAX_BARS:,}")
    infos = {sp.get("id"): sp for sp in root.iterfind("part-list/score-part")}
    meters, lengths, timed, own = _measures(parts, max(counts), path)
    for number, length in enumerate(lengths, start=1):
        check_bar(length, number, KIND, path)
    starts = [Fraction(0)]
    for length in lengths:
        starts.append(starts[-1] + length)
    tempos: dict[Fraction, Fraction] = {}
    layers: list[Layer] = []
    notes: list[list[Any]] = []  # [onset, duration, layer, pitch, velocity]
    for index, part in enumerate(parts):
        info = infos.get(part.get("id"))
        name = (info.findtext("part-name") if info is not None else None) or f"part {index + 1}"
        name = name.strip() or f"part {index + 1}"
        if any(layer.name == name for layer in layers):
            name = f"{name} {index + 1}"
        before = len(notes)
        drum = _walk(part, name, own.get(index, starts), meters, tempos, notes, info, path)
        program, channel = program_channel(info)
        drum = drum or channel == 9
        layers.append(Layer(name, "bongo" if drum else "bass", program, drum, channel=index % 9))
        if drum:
            for note in notes[before:]:
                note[3] = note[3] if note[3] >= 0 else _SNARE
    timeline = timeline_of(
        title=(root.findtext("work/work-title") or root.findtext("movement-title") or "").strip()
        or path.stem,
        bars=zip(meters, lengths),
        tempo=_tempo_map(tempos),
        layers=layers,
        markers=() if timed else [Marker(Fraction(0), MarkerKind.TEXT, NO_METER)],
        kind=KIND,
        path=path,
    )
    end = timeline.length
    events = []
    for onset, duration, layer, pitch, velocity in sorted(n for n in notes if n[0] < end):
        events.append(Event(onset, duration, layer, pitch, velocity, timeline.accent_at(onset)))
    return timeline.with_events(events, in_order=True)


def _tempo_map(tempos: dict[Fraction, Fraction]) -> TempoMap:
    """The tempo changes as steps, from q=120 unless one is at the start. Past
    :data:`~theme.readers.midi.SIMPLE_TEMPOS` changes, each is made the nearest whole
    microseconds a quarter note, as in a MIDI file: the seconds of thousands of tempos add up
    to Fractions whose size would grow with their count."""
    from theme.readers.midi import SIMPLE_TEMPOS

    steps = sorted({Fraction(0): Fraction(120), **tempos}.items())
    if len(steps) > SIMPLE_TEMPOS:
        steps = [(at, Fraction(60_000_000, round(60_000_000 / qpm))) for at, qpm in steps]
    return TempoMap([TempoSegment(at, qpm) for at, qpm in steps])


def _measures(
    parts: list[Element], count: int, path: Path
) -> tuple[list[Meter], list[Fraction], bool, dict[int, list[Fraction]]]:
    """Each measure's meter (the first part's time signatures) and length in quarter notes:
    what its contents fill, the furthest any part's notes, rests, ``<forward>`` and
    ``<backup>`` reach (a pickup is short); the meter's length for a measure with nothing in
    it. And whether the first part has a time signature. And where each measure starts
    (quarter notes) in a part with bars of its own: one whose time signature gives a bar
    of another length than the first part's (a metronome's second meter, beat against beat,
    as this library writes it), read in its own bars. Other parts that fill a measure to
    different lengths are said in an :class:`~theme.readers.InputFileWarning` (the first
    such measure): the file is at fault. A fill within :data:`SNAP_QUARTERS` of the meter's
    bar is the meter's bar."""
    meters: list[Meter] = []
    timed = False
    reach = [Fraction(0)] * count
    by_part: list[tuple[list[Meter], list[Fraction]]] = []
    odd: list[tuple[int, int, Fraction, Fraction]] = []  # the first measure parts disagree on
    for index, part in enumerate(parts):
        divisions = Fraction(1)
        meter = Meter.of(4, 4)
        own_meters: list[Meter] = []
        own_reach: list[Fraction] = []
        for number, measure in enumerate(part.iterfind("measure"), start=1):
            where = f"in measure {number}"
            cursor = furthest = Fraction(0)
            for element in measure:
                tag = element.tag
                if tag == "attributes":
                    divisions = divisions_of(element, divisions, where)
                    for time in element.findall("time"):
                        if index == 0:
                            meter = meter_of(time, where) or meter
                            timed = True
                        else:  # another part's own meter, if it reads as one
                            with contextlib.suppress(Bad):
                                meter = meter_of(time, where) or meter
                elif tag in ("backup", "forward"):
                    length = decimal(element.findtext("duration"), "a duration", where)
                    length /= divisions
                    cursor = max(Fraction(0), cursor + (length if tag == "forward" else -length))
                elif tag == "note" and element.find("grace") is None:
                    chord = element.find("chord") is not None
                    length = decimal(element.findtext("duration"), "a duration", where)
                    cursor += 0 if chord else length / divisions
                furthest = max(furthest, cursor)
            own_meters.append(meter)
            own_reach.append(furthest)
            if index == 0:
                meters.append(meter)
        by_part.append((own_meters, own_reach))
    while len(meters) < count:
        meters.append(meters[-1] if meters else Meter.of(4, 4))
    own: dict[int, list[Fraction]] = {}
    for index, (own_meters, own_reach) in enumerate(by_part):
        if index and any(
            m.bar_quarters != meters[k].bar_quarters for k, m in enumerate(own_meters)
        ):
            starts = [Fraction(0)]
            for m, r in zip(own_meters, own_reach):
                starts.append(starts[-1] + (r or m.bar_quarters))
            own[index] = starts
            continue
        for k, r in enumerate(own_reach):
            if r and reach[k] and r != reach[k] and not odd:
                odd.append((k + 1, index, r, reach[k]))
            reach[k] = max(reach[k], r)
    lengths = [
        m.bar_quarters if not r or abs(r - m.bar_quarters) <= SNAP_QUARTERS else r
        for r, m in zip(reach, meters)
    ]
    if odd:
        number, index, one, other = odd[0]
        warnings.warn(
            f"{str(path)!r}: measure {number} lasts {quarter_notes(one)} in part {index + 1} "
            f"but {other} in an earlier part: the file is at fault; the measure is read as "
            f"{quarter_notes(lengths[number - 1])} long for every part",
            InputFileWarning,
            stacklevel=2,
        )
    return meters, lengths, timed, own


def _walk(
    part: Element,
    layer: str,
    starts: list[Fraction],
    meters: list[Meter],
    tempos: dict[Fraction, Fraction],
    notes: list[list[Any]],
    info: Element | None,
    path: Path,
) -> bool:
    """Read one part's measures, starting at ``starts`` (quarter notes), in ``meters``,
    into ``notes``; whether it has unpitched notes."""
    unpitched: dict[str, int] = {}
    if info is not None:
        for mi in info.findall("midi-instrument"):
            text = mi.findtext("midi-unpitched")
            match = NUMBER.fullmatch(text or "")
            if match and "." not in match.group(1) and 1 <= int(match.group(1)) <= 128:
                unpitched[mi.get("id") or ""] = int(match.group(1)) - 1
    divisions = Fraction(1)
    open_ties: dict[int, list[tuple[list[Any], Fraction]]] = {}
    drum = False
    for number, measure in enumerate(part.iterfind("measure"), start=1):
        where = f"in measure {number}"
        start = starts[number - 1]
        cursor = onset = chord_end = Fraction(0)
        for element in measure:
            tag = element.tag
            if tag == "attributes":
                divisions = divisions_of(element, divisions, where)
            elif tag in ("backup", "forward"):
                length = decimal(element.findtext("duration"), "a duration", where) / divisions
                cursor = max(Fraction(0), cursor + (length if tag == "forward" else -length))
            elif tag in ("direction", "sound"):
                tempos_at(element, start + cursor, tempos, where)
            elif tag == "note":
                if element.find("grace") is not None:
                    continue  # an ornament, not a note of its own
                length = decimal(element.findtext("duration"), "a duration", where) / divisions
                if element.find("chord") is None:
                    onset = cursor
                    cursor += length
                    chord_end = cursor  # a chord's notes may say other lengths of their own
                if element.find("rest") is not None or element.find("cue") is not None:
                    continue  # a cue note takes its time but is not played
                if not length:
                    continue
                try:
                    pitch = pitch_of(element, where, unpitched)
                    span = (start + onset, length, start + chord_end)
                    _note(notes, open_ties, element, span, layer, pitch, where)
                except Bad as err:  # said with its beat
                    at = beat_text(onset / meters[number - 1].pulse_quarters)
                    raise Bad(str(err).replace(where, f"{where}, beat {at}")) from err
                drum = drum or pitch < 0 or element.find("unpitched") is not None
                check_notes(len(notes), KIND, path)
    return drum


def _note(
    notes: list[list[Any]],
    open_ties: dict[int, list[tuple[list[Any], Fraction]]],
    element: Element,
    at: tuple[Fraction, Fraction, Fraction],
    layer: str,
    pitch: int,
    where: str,
) -> None:
    """Add a note at ``at``: ``(onset, length, where its chord ends)`` in quarter notes, or
    lengthen the note it is tied from: one of its pitch tied on that ends at its onset, by
    its own length or by its chord's (a chord note that says a length of its own other than
    its chord's, as music21 reads it)."""
    onset, length, chord_end = at
    ties = {tie.get("type") for tie in element.findall("tie")}
    held = None
    if "stop" in ties:  # two staves may tie the same pitch at the same moment: each goes
        # on with its own
        waiting = open_ties.get(pitch, [])
        found = next((w for w in waiting if onset in (w[0][0] + w[0][1], w[1])), None)
        if found is not None:
            waiting.remove(found)
            held = found[0]
    if held is not None:
        held[1] = onset + length - held[0]
    else:
        dynamics = element.get("dynamics")
        velocity = 90
        if dynamics is not None:
            velocity = max(1, min(127, round(decimal(dynamics, "dynamics", where) * 90 / 100)))
        held = [onset, length, layer, pitch, velocity]
        notes.append(held)
    if "start" in ties:
        open_ties.setdefault(pitch, []).append((held, max(chord_end, onset + length)))
