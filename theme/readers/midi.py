"""A Standard MIDI File read into a timeline, in time and memory bounded by its size.

The file's bytes are parsed here, event by event, keeping only what a timeline needs (notes,
tempos, time signatures, markers, track names, programs) and skipping every other event by
its length; so a malformed event the timeline never uses (a key signature of 20 sharps)
costs nothing, and nothing of a MIDI library's can escape. The file is refused, in one line
naming it, when it is over :data:`~theme.readers.MAX_FILE_BYTES`, not a MIDI file of type 0
or 1, timed in SMPTE frames, with 0 ticks a quarter note, a tempo or time signature out of
range, a broken event, more than :data:`~theme.core.timeline.MAX_EVENTS` notes, or music longer
than :data:`~theme.core.timeline.MAX_BARS` bars.

- Text (track names, markers) is read as UTF-8, as this project writes it and as most
  programs do; text that is not UTF-8 is read as Latin-1, the older convention.
- The grouping comes from this project's ``meter 3+2/4`` markers, where one stands with a
  time signature of the same N/D.
- A note never released is closed at the end of its track, with an
  :class:`~theme.readers.InputFileWarning` that counts them.
"""

from __future__ import annotations

import warnings
from collections import deque
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from theme.core.meter import DENOMINATORS, AccentLevel, Meter
from theme.core.tempo import MAX_QPM, MIN_QPM, TempoMap, TempoSegment
from theme.core.timeline import Event, Layer, Marker, MarkerKind, Timeline
from theme.readers import (
    MAX_FILE_BYTES,
    MAX_LAYERS,
    NO_METER,
    InputFile,
    InputFileWarning,
    check_notes,
    checked_bytes,
    lay_out_bars,
    open_input,
    refuse,
    timeline_of,
)

__all__ = ["midi_timeline", "read_midi"]

KIND = "MIDI"
_SLOWEST = round(60_000_000 / MIN_QPM)  # microseconds a quarter note
_FASTEST = round(60_000_000 / MAX_QPM)
SIMPLE_TEMPOS = 1000
"""Up to this many tempo changes, each reads as the simplest tempo that rounds to it (132,
not 60000000/454545); past it, exactly: the seconds of thousands of simple tempos add up to
Fractions whose size grows with their count, and reading would grow faster than the file."""


class _Broken(Exception):
    """The file is not what it says: the reason, for the one-line error."""


@dataclass
class _Found:
    """What the tracks hold, positions in ticks."""

    title: str = ""
    signatures: dict[int, tuple[int, int]] = field(default_factory=dict)
    tempos: dict[int, int] = field(default_factory=dict)
    markers: list[tuple[int, str]] = field(default_factory=list)
    layers: dict[tuple[int, int], Layer] = field(default_factory=dict)
    names: set[str] = field(default_factory=set)
    notes: list[tuple[int, int, str, int, int]] = field(default_factory=list)
    started: int = 0
    last_track: int = -1
    unreleased: int = 0


def _text(data: bytes) -> str:
    """Meta event text: UTF-8, or Latin-1 when it is not UTF-8."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _varlen(data: bytes, pos: int, end: int) -> tuple[int, int]:
    """A variable-length number (at most 4 bytes) at ``pos``, and the position after it."""
    value = 0
    for _ in range(4):
        if pos >= end:
            raise _Broken("a track ends inside an event")
        byte = data[pos]
        pos += 1
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            return value, pos
    raise _Broken("a variable-length number longer than 4 bytes")


def _layer(found: _Found, index: int, channel: int, track_name: str, program: int) -> str:
    """The name of the layer of ``channel`` in track ``index`` (made on its first note)."""
    key = (index, channel)
    if key not in found.layers:
        if len(found.layers) >= MAX_LAYERS:
            raise _Broken(f"it has more than {MAX_LAYERS} tracks and channels with notes")
        base = track_name or f"track {index + 1}"
        if found.last_track == index:  # a second channel in this track
            base = f"{base} ch{channel + 1}"
        found.last_track = index
        name, n = base, 1
        while name in found.names:
            n += 1
            name = f"{base} {n}"
        found.names.add(name)
        found.layers[key] = Layer(
            name=name,
            voice="bongo" if channel == 9 else "bass",
            program=program,
            drum=channel == 9,
            channel=channel,
        )
    return found.layers[key].name


def _meta(found: _Found, index: int, now: int, kind: int, payload: bytes) -> str | None:
    """Take in one meta event; the track's name if it is one."""
    if kind == 0x03:
        name = _text(payload)
        if index == 0 and not found.title:
            found.title = name
        return name
    if kind == 0x51:
        if len(payload) != 3:
            raise _Broken(f"a tempo event of {len(payload)} bytes at tick {now} (expected 3)")
        microseconds = int.from_bytes(payload, "big")
        if not _FASTEST <= microseconds <= _SLOWEST:
            raise _Broken(
                f"a tempo of {microseconds} µs a quarter note at tick {now}: expected "
                f"{_FASTEST} to {_SLOWEST} ({MIN_QPM} to {MAX_QPM} quarter notes a minute)"
            )
        found.tempos[now] = microseconds
    elif kind == 0x58:
        if len(payload) != 4:
            raise _Broken(f"a time signature of {len(payload)} bytes at tick {now} (expected 4)")
        numerator, power = payload[0], payload[1]
        if power > 6 or 2**power not in DENOMINATORS or not 1 <= numerator <= 64:
            raise _Broken(
                f"a time signature of {numerator}/2^{power} at tick {now}: expected 1 to 64 "
                f"over {', '.join(map(str, DENOMINATORS))}"
            )
        found.signatures[now] = (numerator, 2**power)
    elif kind == 0x06:
        found.markers.append((now, _text(payload)))
    return None


def _track(found: _Found, data: bytes, pos: int, end: int, index: int, path: Path) -> None:
    """Take in the events of track ``index``, the bytes ``data[pos:end]``."""
    now = 0
    status = 0
    track_name = ""
    programs: dict[int, int] = {}
    started: dict[tuple[int, int], deque[tuple[int, int]]] = {}
    while pos < end:
        delta, pos = _varlen(data, pos, end)
        now += delta
        if pos >= end:
            raise _Broken(f"track {index + 1} ends inside an event")
        byte = data[pos]
        if byte == 0xFF:  # meta event
            if pos + 2 > end:
                raise _Broken(f"track {index + 1} ends inside an event")
            kind = data[pos + 1]
            length, pos = _varlen(data, pos + 2, end)
            if pos + length > end:
                raise _Broken(f"track {index + 1} ends inside an event")
            if kind == 0x2F:
                break  # end of track
            name = _meta(found, index, now, kind, data[pos : pos + length])
            track_name = track_name or (name or "")
            pos += length
            continue
        if byte in (0xF0, 0xF7):  # system exclusive: skipped
            length, pos = _varlen(data, pos + 1, end)
            pos += length
            status = 0
            continue
        if byte >= 0xF0:
            raise _Broken(f"status byte 0x{byte:02X} in track {index + 1} (not allowed in a file)")
        if byte >= 0x80:
            status = byte
            pos += 1
        elif not status:
            raise _Broken(f"a data byte without a status in track {index + 1}")
        size = 1 if 0xC0 <= status < 0xE0 else 2
        if pos + size > end:
            raise _Broken(f"track {index + 1} ends inside an event")
        first, second = data[pos], data[pos + size - 1]
        if first > 127 or second > 127:
            raise _Broken(f"a data byte over 127 in track {index + 1}")
        pos += size
        kind, channel = status & 0xF0, status & 0x0F
        if kind == 0xC0:
            programs[channel] = first
        elif kind == 0x90 and second:
            started.setdefault((channel, first), deque()).append((now, second))
            found.started += 1
            check_notes(found.started, KIND, path)
        elif kind in (0x80, 0x90) and started.get((channel, first)):
            start, velocity = started[(channel, first)].popleft()
            name = _layer(found, index, channel, track_name, programs.get(channel, 0))
            found.notes.append((start, max(1, now - start), name, first, velocity))
    for (channel, note), waiting in started.items():
        for start, velocity in waiting:  # never released: closed at the end of the track
            name = _layer(found, index, channel, track_name, programs.get(channel, 0))
            found.notes.append((start, max(1, now - start), name, note, velocity))
            found.unreleased += 1


def _parse(data: bytes, path: Path) -> tuple[int, _Found]:
    """The ticks a quarter note and what the tracks hold."""
    if len(data) < 14 or data[:4] != b"MThd":
        raise _Broken("not a valid MIDI file (no MThd header)")
    length = int.from_bytes(data[4:8], "big")
    if length < 6 or 8 + length > len(data):
        raise _Broken("not a valid MIDI file (a broken header)")
    kind = int.from_bytes(data[8:10], "big")
    tracks = int.from_bytes(data[10:12], "big")
    division = int.from_bytes(data[12:14], "big")
    if kind == 2:
        raise _Broken("type 2 files are not supported")
    if kind not in (0, 1):
        raise _Broken(f"not a valid MIDI file (type {kind}; the types are 0, 1 and 2)")
    if division & 0x8000:
        raise _Broken("its time is in SMPTE frames, not ticks a quarter note (not supported)")
    if division == 0:
        raise _Broken("not a valid MIDI file (0 ticks a quarter note)")
    found = _Found()
    pos, index = 8 + length, 0
    while index < tracks and pos + 8 <= len(data):
        size = int.from_bytes(data[pos + 4 : pos + 8], "big")
        start, pos = pos + 8, pos + 8 + size
        if pos > len(data):
            raise _Broken(f"not a valid MIDI file (track {index + 1} ends early)")
        if data[start - 8 : start - 4] == b"MTrk":  # other chunks are skipped
            _track(found, data, start, pos, index, path)
            index += 1
    if index < tracks:
        raise _Broken(f"not a valid MIDI file ({tracks} tracks announced, {index} found)")
    return division, found


def read_midi(path: str | Path) -> Timeline:
    """Read a MIDI file into a timeline: bars from its time signatures (grouping from this
    project's ``meter`` markers where present), a layer per track and channel, tempo
    changes as steps. Positions are exact: ``Fraction(tick, ticks a quarter)``. A time
    signature starts a bar where it stands: the bar before it is cut short there (a
    pickup). A file with no time signature is read in 4/4, with a text marker
    :data:`~theme.readers.NO_METER` at 0 that says so.

    Raises:
        InputFileError: missing, a folder, too large, not a MIDI file of type 0 or 1, SMPTE
            time, a bad event or value, no notes, too many notes or bars (see the module).
    """
    return midi_timeline(open_input(path, f"{KIND} file", MAX_FILE_BYTES))


def midi_timeline(file: InputFile) -> Timeline:
    """The MIDI file ``file``, read once already (:func:`~theme.readers.open_input`), as a
    timeline: :func:`read_midi` on its bytes.

    Raises:
        InputFileError: as :func:`read_midi`.
    """
    path = file.path
    data = checked_bytes(file, KIND, magic=b"MThd")
    try:
        ppq, found = _parse(data, path)
    except _Broken as err:
        raise refuse(KIND, path, str(err)) from err
    if not found.notes:
        raise refuse(KIND, path, "it has no notes")
    if found.unreleased:
        warnings.warn(
            f"{str(path)!r}: {found.unreleased} note(s) never released, "
            "closed at the end of their track",
            InputFileWarning,
            stacklevel=2,
        )
    groupings: dict[int, Meter] = {}  # this project's meter markers, by tick
    markers: list[Marker] = []
    for tick, text in found.markers:
        marker = Marker.from_midi_text(Fraction(tick, ppq), text)
        if isinstance(marker.value, Meter):
            groupings[tick] = marker.value
        else:
            markers.append(marker)
    meters: dict[int, Meter] = {}
    for tick, (numerator, denominator) in found.signatures.items():
        meter = Meter.of(numerator, denominator)
        grouped = groupings.get(tick, meter)
        if (grouped.numerator, grouped.denominator) == (numerator, denominator):
            meter = grouped
        meters[tick] = meter
    end = max(start + length for start, length, *_ in found.notes)
    bars = lay_out_bars(
        [(Fraction(tick, ppq), meter) for tick, meter in meters.items()],
        Fraction(end, ppq),
        KIND,
        path,
    )
    simple = _qpm if len(found.tempos) <= SIMPLE_TEMPOS else _exact_qpm
    segments = [
        TempoSegment(Fraction(tick, ppq), simple(microseconds))
        for tick, microseconds in sorted(found.tempos.items())
    ]
    if not segments or segments[0].start != 0:
        segments.insert(0, TempoSegment(Fraction(0), Fraction(120)))
    if not found.signatures:
        markers.append(Marker(Fraction(0), MarkerKind.TEXT, NO_METER))
    timeline = timeline_of(
        title=found.title or path.stem,
        bars=bars,
        tempo=TempoMap(segments),
        layers=found.layers.values(),
        markers=markers,
        kind=KIND,
        path=path,
    )
    return timeline.with_events(_events(timeline, found.notes, ppq), in_order=True)


def _events(
    timeline: Timeline, notes: list[tuple[int, int, str, int, int]], ppq: int
) -> tuple[Event, ...]:
    """The notes as events, in order: sorted as integers first (so that sorting the events
    costs a pass); each onset's Fraction and accent made once, walking the bars in step,
    and each length's Fraction once."""
    notes.sort()
    lengths: dict[int, Fraction] = {}
    events = []
    bars, b = timeline.bars, 0
    last = -1
    onset, accent = Fraction(0), timeline.accent_at(Fraction(0))
    for start, length, layer, note, velocity in notes:
        if start != last:
            last, onset = start, Fraction(start, ppq)
            while b + 1 < len(bars) and bars[b + 1].start <= onset:
                b += 1
            pulse, rest = divmod(onset - bars[b].start, bars[b].meter.pulse_quarters)
            levels = bars[b].meter.accent_levels()
            accent = levels[pulse] if not rest and pulse < len(levels) else AccentLevel.SUBDIVISION
        duration = lengths.get(length)
        if duration is None:
            duration = lengths[length] = Fraction(length, ppq)
        events.append(Event(onset, duration, layer, note, velocity, accent))
    return tuple(events)


def _exact_qpm(microseconds: int) -> Fraction:
    """Quarter notes a minute of a MIDI tempo, exactly: its seconds a quarter note divide a
    microsecond, so a sum of many of them stays a Fraction of bounded size."""
    return Fraction(60_000_000, microseconds)


def _qpm(microseconds: int) -> Fraction:
    """Quarter notes a minute of a MIDI tempo: the simplest tempo that rounds to it, so that
    132 written as 454545 us reads back as 132.

    >>> _qpm(454545), _qpm(500000), _qpm(428571)
    (Fraction(132, 1), Fraction(120, 1), Fraction(140, 1))
    """
    exact = Fraction(60_000_000, microseconds)
    for limit in (1, 10, 100, 1000):
        simple = exact.limit_denominator(limit)
        if round(60_000_000 / simple) == microseconds:
            return simple
    return exact
