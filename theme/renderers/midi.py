"""Standard MIDI files from a timeline with mido, and back.

Written files are type 1 with 960 ticks a quarter note (divisible by 2, 3, 4, 5, 6, 8...):
a conductor track with the title, tempo, time signatures and markers, then one track per
layer. Every tick is computed from the event's exact position, ``round(onset * ppq)``; on a
960 grid the onsets of this project's rhythms are whole numbers of ticks, so nothing rounds.

- Drums play on channel 10 with General MIDI drum notes; pitched layers get a program change.
- A note held past the next onset of the same pitch in its layer is cut at that onset: a
  MIDI channel cannot sound one pitch twice at once.
- A MIDI time signature holds only N/D, so the grouping is written as a marker
  (``meter 3+2/4``) where the meter is set, with the section names.
- A MIDI tempo counts quarter notes. A gradual tempo change is written as a set_tempo every
  sixteenth note, each chosen so that the seconds at every step equal the exact integral.
"""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

from theme.errors import InputFileError, OutputFileError
from theme.meter import Meter
from theme.output import atomic_path, output_format
from theme.tempo import TempoMap, TempoSegment
from theme.timeline import Event, Layer, Marker, Timeline

if TYPE_CHECKING:
    import mido

__all__ = ["DEFAULT_PPQ", "midi_file", "read_midi", "tick_of", "write_midi"]

DEFAULT_PPQ = 960
RAMP_STEP = Fraction(1, 4)
"""Quarter notes between the set_tempo events of a gradual tempo change."""


def tick_of(quarter: Fraction, ppq: int = DEFAULT_PPQ) -> int:
    """The MIDI tick of a position in quarter notes (rounded half up if off the grid).

    >>> tick_of(Fraction(3, 2)), tick_of(Fraction(1, 3)), tick_of(Fraction(1, 5))
    (1440, 320, 192)
    """
    return math.floor(Fraction(quarter) * ppq + Fraction(1, 2))


def _tempo_points(tempo_map: TempoMap, end: Fraction) -> Iterator[tuple[Fraction, int]]:
    """``(position, microseconds a quarter)`` for each set_tempo event up to ``end``."""
    for segment in tempo_map.segments:
        if segment.start > end:
            break
        if not segment.is_ramp:
            yield segment.start, round(60_000_000 / segment.qpm)
            continue
        assert segment.length is not None
        position = segment.start
        stop = min(segment.start + segment.length, end)
        while position < stop:
            step = min(RAMP_STEP, stop - position)
            seconds = tempo_map.seconds_at(position + step) - tempo_map.seconds_at(position)
            yield position, round(seconds / step * 1_000_000)
            position += step


def _track(
    name: str, messages: list[tuple[int, int, mido.Message | mido.MetaMessage]], end_tick: int = 0
) -> mido.MidiTrack:
    """A track from ``(tick, order, message)`` triples: absolute ticks made into deltas,
    ending at ``end_tick`` or its last message, whichever is later."""
    import mido

    track = mido.MidiTrack()
    track.append(mido.MetaMessage("track_name", name=name, time=0))
    now = 0
    for tick, _, message in sorted(messages, key=lambda m: (m[0], m[1])):
        track.append(message.copy(time=tick - now))
        now = tick
    track.append(mido.MetaMessage("end_of_track", time=max(0, end_tick - now)))
    return track


def midi_file(timeline: Timeline, *, ppq: int = DEFAULT_PPQ) -> mido.MidiFile:
    """A type 1 MidiFile of the timeline (see the module docstring).

    Raises:
        OutputFileError: ``ppq`` outside 24 to 32767.
    """
    import mido

    if not 24 <= ppq <= 32767:
        raise OutputFileError(f"invalid ticks per quarter {ppq!r}: expected 24 to 32767")
    end_tick = tick_of(timeline.length, ppq)
    conductor: list[tuple[int, int, mido.Message | mido.MetaMessage]] = []
    for position, meter in timeline.meter_changes():
        conductor.append(
            (
                tick_of(position, ppq),
                1,
                mido.MetaMessage(
                    "time_signature",
                    numerator=meter.numerator,
                    denominator=meter.denominator,
                    clocks_per_click=max(1, 96 // meter.denominator),
                    notated_32nd_notes_per_beat=8,
                ),
            )
        )
    for position, microseconds in _tempo_points(timeline.tempo_map, timeline.length):
        conductor.append(
            (tick_of(position, ppq), 0, mido.MetaMessage("set_tempo", tempo=microseconds))
        )
    for marker in timeline.markers:
        conductor.append((tick_of(marker.at, ppq), 2, mido.MetaMessage("marker", text=marker.text)))
    midi = mido.MidiFile(type=1, ticks_per_beat=ppq)
    midi.tracks.append(_track(timeline.title, conductor, end_tick))

    for layer in timeline.layers.values():
        channel = layer.midi_channel
        messages: list[tuple[int, int, mido.Message | mido.MetaMessage]] = []
        if not layer.drum:
            messages.append(
                (0, 0, mido.Message("program_change", channel=channel, program=layer.program))
            )
        messages.append(
            (
                0,
                0,
                mido.Message(
                    "control_change", channel=channel, control=10, value=_pan_cc(layer.pan)
                ),
            )
        )
        events = timeline.layer_events(layer.name)
        onsets: dict[int, list[int]] = {}  # ticks of each pitch's onsets, in order
        for event in events:
            onsets.setdefault(event.pitch, []).append(tick_of(event.onset, ppq))
        for event in events:
            on = tick_of(event.onset, ppq)
            off = max(on + 1, tick_of(event.onset + event.duration, ppq))
            later = onsets[event.pitch]
            following = bisect.bisect_right(later, on)
            if following < len(later):  # one channel cannot hold a pitch twice: cut it there
                off = min(off, later[following])
            velocity = max(1, min(127, event.velocity))
            messages.append(
                (
                    on,
                    2,
                    mido.Message("note_on", channel=channel, note=event.pitch, velocity=velocity),
                )
            )
            messages.append(
                (off, 1, mido.Message("note_off", channel=channel, note=event.pitch, velocity=0))
            )
        midi.tracks.append(_track(layer.name, messages))
    return midi


def _pan_cc(pan: float) -> int:
    """MIDI controller 10 value (0 left, 64 centre, 127 right) of a pan from -1 to 1."""
    return max(0, min(127, round(64 + pan * 63.5)))


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


def write_midi(timeline: Timeline, path: str | Path, *, ppq: int = DEFAULT_PPQ) -> Path:
    """Write the timeline as a ``.mid`` file (safely: a temporary file, then renamed).

    Raises:
        OutputFileError: not a ``.mid``/``.midi`` path, or the folder is missing or read-only.
    """
    output_format(path, ["mid", "midi"])
    midi = midi_file(timeline, ppq=ppq)
    with atomic_path(path) as tmp:
        midi.save(str(tmp))
    return Path(path)


_METER_MARKER = re.compile(r"^meter (\d+(?:\+\d+)*/\d+)$")


def read_midi(path: str | Path) -> Timeline:
    """Read a MIDI file into a timeline: bars from its time signatures (grouping from this
    project's ``meter`` markers where present), notes per track and channel, tempo changes
    as steps.

    Raises:
        InputFileError: the file is missing, a folder, empty, corrupt, or has no notes.
    """
    import mido

    path = Path(path)
    if path.is_dir():
        raise InputFileError(f"cannot read MIDI file {str(path)!r}: it is a folder")
    try:
        midi = mido.MidiFile(str(path))
    except FileNotFoundError:
        raise InputFileError(f"cannot read MIDI file {str(path)!r}: no such file") from None
    except (OSError, EOFError, ValueError, KeyError, IndexError, TypeError) as exc:
        raise InputFileError(
            f"cannot read MIDI file {str(path)!r}: not a valid MIDI file ({exc})"
        ) from None
    if midi.type == 2:
        raise InputFileError(f"cannot read MIDI file {str(path)!r}: type 2 files are not supported")
    ppq = midi.ticks_per_beat

    signatures: dict[int, Meter] = {}
    groupings: dict[int, str] = {}
    tempos: dict[int, int] = {}
    markers: list[Marker] = []
    layers: dict[tuple[int, int], Layer] = {}
    notes: list[tuple[int, int, tuple[int, int], int, int]] = []
    title = path.stem
    for index, track in enumerate(midi.tracks):
        now = 0
        open_notes: dict[tuple[int, int], list[tuple[int, int]]] = {}
        track_name = ""
        programs: dict[int, int] = {}
        for message in track:
            now += message.time
            if message.type == "track_name":
                track_name = message.name
                if index == 0:
                    title = message.name or title
            elif message.type == "time_signature":
                signatures[now] = Meter.of(message.numerator, message.denominator)
            elif message.type == "set_tempo":
                tempos[now] = message.tempo
            elif message.type == "marker":
                match = _METER_MARKER.match(message.text)
                if match:
                    groupings[now] = match.group(1)
                else:
                    markers.append(Marker(Fraction(now, ppq), message.text))
            elif message.type == "program_change":
                programs[message.channel] = message.program
            elif message.type == "note_on" and message.velocity > 0:
                open_notes.setdefault((message.channel, message.note), []).append(
                    (now, message.velocity)
                )
            elif message.type in ("note_off", "note_on"):
                started = open_notes.get((message.channel, message.note))
                if started:
                    start, velocity = started.pop(0)
                    key = (index, message.channel)
                    if key not in layers:
                        name = track_name or f"track {index + 1}"
                        if any(k[0] == index for k in layers):
                            name = f"{name} ch{message.channel + 1}"
                        layers[key] = Layer(
                            name=name,
                            voice="bongo" if message.channel == 9 else "bass",
                            program=programs.get(message.channel, 0),
                            drum=message.channel == 9,
                            channel=message.channel,
                        )
                    notes.append((start, max(1, now - start), key, message.note, velocity))
    if not notes:
        raise InputFileError(f"cannot read MIDI file {str(path)!r}: it has no notes")

    for tick, grouping in groupings.items():
        meter = Meter.parse(grouping)
        if tick in signatures and (signatures[tick].numerator, signatures[tick].denominator) == (
            meter.numerator,
            meter.denominator,
        ):
            signatures[tick] = meter
    signatures.setdefault(0, Meter.of(4, 4))
    end = max(start + length for start, length, *_ in notes)
    bars: list[tuple[Meter, str]] = []
    position = 0
    changes = sorted(signatures.items())
    while position < end:
        meter = [m for t, m in changes if t <= position][-1]
        bars.append((meter, ""))
        position += int(meter.bar_quarters * ppq)
    segments = [
        TempoSegment(Fraction(tick, ppq), _qpm(microseconds))
        for tick, microseconds in sorted(tempos.items())
    ]
    if not segments or segments[0].start != 0:
        segments.insert(0, TempoSegment(Fraction(0), Fraction(120)))
    events = [
        Event(Fraction(start, ppq), Fraction(length, ppq), layers[key].name, note, velocity)
        for start, length, key, note, velocity in notes
    ]
    timeline = Timeline.build(
        title=title, bars=bars, tempo=TempoMap(segments), layers=layers.values(), markers=markers
    )
    timeline.events = tuple(
        sorted(
            Event(e.onset, e.duration, e.layer, e.pitch, e.velocity, timeline.accent_at(e.onset))
            for e in events
        )
    )
    return timeline
