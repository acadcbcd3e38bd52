"""Standard MIDI files from a timeline with mido (read back by :mod:`theme.readers.midi`).

Written files are type 1 with 960 ticks a quarter note (divisible by 2, 3, 4, 5, 6, 8...):
a conductor track with the title, tempo, time signatures and markers, then one track per
layer. Every tick is computed from the event's exact position, ``round(onset * ppq)``; on a
960 grid the onsets of this project's rhythms are whole numbers of ticks, so nothing rounds.

- Drums play on channel 10 with General MIDI drum notes; pitched layers get a program change.
- A note held past the next onset of the same pitch in its layer is cut at that onset: a
  MIDI channel cannot sound one pitch twice at once.
- A MIDI time signature holds only N/D, so the grouping is written as a marker
  (``meter 3+2/4``) where the meter is set, with the section names.
- Text (the title, layer names, section names, markers) is written as UTF-8 bytes, as
  MuseScore, DAWs and mido with ``charset='utf-8'`` read it: any title can be written.
- A MIDI tempo counts quarter notes. A gradual tempo change is written as a set_tempo every
  sixteenth note, each chosen so that the seconds at every step equal the exact integral.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterator, Sequence
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

from theme.core.tempo import TempoMap
from theme.core.timeline import Event, Timeline
from theme.errors import OutputFileError
from theme.output import Output, atomic_path, output_file

if TYPE_CHECKING:
    import mido

__all__ = ["DEFAULT_PPQ", "midi_file", "pan_cc", "tick_of", "write_midi"]

DEFAULT_PPQ = 960
MAX_TRACKS = 32767
"""The most tracks a MIDI file written by mido holds (its header's count is a signed short)."""
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
    name: str,
    messages: list[tuple[int, int, mido.Message | mido.MetaMessage]],
    end_tick: int = 0,
    *,
    notes: Sequence[tuple[int, int, int, int]] = (),
    channel: int = 0,
) -> mido.MidiTrack:
    """A track from ``(tick, order, message)`` triples and ``(tick, 1 off or 2 on, note,
    velocity)`` notes on ``channel``: absolute ticks made into deltas, ending at
    ``end_tick`` or its last message, whichever is later. Each note message is made once,
    with its delta."""
    import mido

    track = mido.MidiTrack()
    track.append(mido.MetaMessage("track_name", name=_utf8(name), time=0))
    now = 0
    for tick, _, message in sorted(messages, key=lambda m: (m[0], m[1])):
        track.append(message.copy(time=tick - now))
        now = tick
    make = mido.Message
    for tick, order, note, velocity in notes:  # sorted, all at or after the messages
        kind = "note_on" if order == 2 else "note_off"
        track.append(  # values checked in _notes: mido's own checks would double the time
            make(
                kind,
                skip_checks=True,
                channel=channel,
                note=note,
                velocity=velocity,
                time=tick - now,
            )
        )
        now = tick
    track.append(mido.MetaMessage("end_of_track", time=max(0, end_tick - now)))
    return track


def _notes(events: list[Event], ppq: int) -> list[tuple[int, int, int, int]]:
    """``(tick, 1 for off or 2 for on, note, velocity)`` of a layer's events, sorted: a note
    is cut at the next onset of its pitch (a channel holds a pitch once). Ticks are
    :func:`tick_of`'s, computed on the Fractions' integers (a million notes)."""
    twice = 2 * ppq
    ons: list[int] = []
    onsets: dict[int, list[int]] = {}  # ticks of each pitch's onsets, in order
    for event in events:
        if not 0 <= event.pitch <= 127:
            raise OutputFileError(
                f"cannot write note {event.pitch!r} of layer {event.layer!r} to MIDI: "
                "expected 0 to 127"
            )
        n, d = event.onset.numerator, event.onset.denominator
        on = (twice * n + d) // (2 * d)  # floor(onset * ppq + 1/2)
        ons.append(on)
        onsets.setdefault(event.pitch, []).append(on)
    notes = []
    for event, on in zip(events, ons):
        n, d = event.onset.numerator, event.onset.denominator
        dn, dd = event.duration.numerator, event.duration.denominator
        end_n, end_d = n * dd + dn * d, d * dd  # onset + duration, unreduced
        off = max(on + 1, (twice * end_n + end_d) // (2 * end_d))
        later = onsets[event.pitch]
        following = bisect.bisect_right(later, on)
        if following < len(later):  # one channel cannot hold a pitch twice: cut it there
            off = min(off, later[following])
        notes.append((on, 2, event.pitch, max(1, min(127, event.velocity))))
        notes.append((off, 1, event.pitch, 0))
    notes.sort()
    return notes


def time_signatures(timeline: Timeline) -> list[tuple[Fraction, tuple[int, int]]]:
    """``(position in quarter notes, (numerator, denominator))`` of the time signatures a
    MIDI file of the timeline holds: where the meter is set or changes, after a bar of
    another length (a pickup), and for a bar longer than its meter one of its own length
    (a 3/4 bar 13 quarter notes long is written 13/4), so a reader finds its bars again.

    >>> from theme.core.meter import Meter
    >>> three = Meter.of(3, 4)
    >>> bars = [(three, "", None), (three, "", Fraction(13)), (three, "", None)]
    >>> tl = Timeline.build(title="", bars=bars, tempo=TempoMap.constant(100))
    >>> time_signatures(tl)
    [(Fraction(0, 1), (3, 4)), (Fraction(3, 1), (13, 4)), (Fraction(16, 1), (3, 4))]
    """
    changes: list[tuple[Fraction, tuple[int, int]]] = []
    previous: tuple[int, int] | None = None
    previous_full, previous_meter = True, None
    for bar in timeline.bars:
        written = (bar.meter.numerator, bar.meter.denominator)
        if bar.quarters > bar.meter.bar_quarters:
            written = _long_signature(bar.quarters) or written
        if written != previous or bar.meter != previous_meter or not previous_full:
            changes.append((bar.start, written))  # a new grouping too (its marker goes along)
        previous, previous_meter = written, bar.meter
        previous_full = bar.quarters == Fraction(4 * written[0], written[1])
    return changes


def _long_signature(quarters: Fraction) -> tuple[int, int] | None:
    """The time signature of a bar ``quarters`` quarter notes long (at most 64 beats of a
    quarter note or shorter), or None.

    >>> _long_signature(Fraction(13)), _long_signature(Fraction(13, 2)), _long_signature(Fraction(1, 3))
    ((13, 4), (13, 8), None)
    """
    for denominator in (4, 8, 16, 32, 64):
        numerator = quarters * denominator / 4
        if numerator.denominator == 1 and 1 <= numerator <= 64:
            return int(numerator), denominator
    return None


def midi_file(timeline: Timeline, *, ppq: int = DEFAULT_PPQ) -> mido.MidiFile:
    """A type 1 MidiFile of the timeline (see the module docstring).

    Raises:
        OutputFileError: ``ppq`` outside 24 to 32767.
    """
    import mido

    if not 24 <= ppq <= 32767:
        raise OutputFileError(f"invalid ticks per quarter {ppq!r}: expected 24 to 32767")
    if len(timeline.layers) >= MAX_TRACKS:
        raise OutputFileError(
            f"{len(timeline.layers):,} layers: a MIDI file holds at most {MAX_TRACKS - 1:,} "
            "(a track each, and the conductor track)"
        )
    end_tick = tick_of(timeline.length, ppq)
    conductor: list[tuple[int, int, mido.Message | mido.MetaMessage]] = []
    for position, (numerator, denominator) in time_signatures(timeline):
        conductor.append(
            (
                tick_of(position, ppq),
                1,
                mido.MetaMessage(
                    "time_signature",
                    numerator=numerator,
                    denominator=denominator,
                    clocks_per_click=max(1, 96 // denominator),
                    notated_32nd_notes_per_beat=8,
                ),
            )
        )
    for position, microseconds in _tempo_points(timeline.tempo_map, timeline.length):
        conductor.append(
            (tick_of(position, ppq), 0, mido.MetaMessage("set_tempo", tempo=microseconds))
        )
    for marker in timeline.markers:
        conductor.append(
            (tick_of(marker.at, ppq), 2, mido.MetaMessage("marker", text=_utf8(marker.midi_text())))
        )
    midi = mido.MidiFile(type=1, ticks_per_beat=ppq, charset="utf-8")
    midi.tracks.append(_track(timeline.title, conductor, end_tick))

    by_layer: dict[str, list[Event]] = {name: [] for name in timeline.layers}
    for event in timeline.events:
        by_layer.setdefault(event.layer, []).append(event)
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
                    "control_change", channel=channel, control=10, value=pan_cc(layer.pan)
                ),
            )
        )
        notes = _notes(by_layer[layer.name], ppq)
        midi.tracks.append(_track(layer.name, messages, notes=notes, channel=channel))
    return midi


def _utf8(text: str) -> str:
    """``text`` that encodes as UTF-8: a lone surrogate (a file name's undecodable byte)
    becomes ``?``, so that no title fails to be written.

    >>> _utf8("caf\\udce9"), _utf8("ミッション")
    ('caf?', 'ミッション')
    """
    return text.encode("utf-8", "replace").decode("utf-8")


def pan_cc(pan: float) -> int:
    """MIDI controller 10 value (0 left, 64 centre, 127 right) of a pan from -1 to 1."""
    return max(0, min(127, round(64 + pan * 63.5)))


def write_midi(timeline: Timeline, path: str | Path | Output, *, ppq: int = DEFAULT_PPQ) -> Path:
    """Write the timeline as a ``.mid`` file (safely: a temporary file, then renamed).

    Raises:
        OutputFileError: not a ``.mid``/``.midi`` path, or the folder is missing or read-only.
    """
    out = output_file(path, ["mid", "midi"])  # checked before the work
    midi = midi_file(timeline, ppq=ppq)
    with atomic_path(out) as tmp:
        midi.save(str(tmp))
    return Path(out)
