"""Files of one's own read into a timeline: MIDI (:mod:`theme.readers.midi`), MusicXML
(:mod:`theme.readers.musicxml`) and ABC (:mod:`theme.readers.abc`); :func:`theme.read`
(:mod:`theme.readers.files`, the one registry of the kinds read) chooses the reader by the
extension, reads a variant's TOML file too, and opens each file once. Every reader works in
time and memory bounded by the file: a file over :data:`MAX_FILE_BYTES` is refused before it
is read, and so is music longer than :data:`~theme.core.timeline.MAX_BARS` bars or with more
than :data:`~theme.core.timeline.MAX_EVENTS` notes, before its bars and notes are made. Every
problem is one :class:`~theme.errors.InputFileError` that names the file (the cause kept with
``from``). What a reader mends on the way (a note never released, closed at the end of its
track) is an :class:`InputFileWarning`, which the CLI prints as a note.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

from theme.core.events import NO_METER
from theme.core.meter import Meter
from theme.core.timeline import MAX_BARS, MAX_EVENTS, Marker, Timeline
from theme.errors import InputFileError
from theme.input_files import read_at_most

if TYPE_CHECKING:
    from theme.core.tempo import TempoMap
    from theme.core.timeline import Layer

__all__ = [
    "MAX_BAR_QUARTERS",
    "MAX_FILE_BYTES",
    "MAX_LAYERS",
    "MAX_SECONDS",
    "NO_METER",
    "InputFile",
    "InputFileWarning",
    "checked_bytes",
    "file_bytes",
    "file_kind",
    "lay_out_bars",
    "misnamed",
    "open_input",
    "quarter_notes",
    "refuse",
    "sniff",
    "timeline_of",
]

MAX_FILE_BYTES = 16 * 1024 * 1024
"""The largest MIDI or MusicXML file read (16 MiB; an ``.mxl`` counts uncompressed)."""

MAX_LAYERS = 256
"""The most layers read from a file: a MIDI track's notes on one channel, a MusicXML part."""

MAX_BAR_QUARTERS = Fraction(256)
"""The longest bar read, in quarter notes: 64 whole notes, the bar of the largest meter
(64/1). A longer bar (a MusicXML ``<divisions>`` of 0.0000001 makes one note fifty million
quarter notes long) is refused before its notes are read."""

MAX_SECONDS = 36_000
"""The longest music read, in seconds at its own tempos (10 hours): checked once the bars
and tempos are laid out, before a note is placed."""


class InputFileWarning(UserWarning):
    """Something in an input file that was mended on reading, said in one line."""


def sniff(head: bytes) -> str | None:
    """The kind of file its first bytes show, or None when they show none.

    >>> sniff(b"MThd\\x00\\x00\\x00\\x06"), sniff(b"PK\\x03\\x04"), sniff(b"X:1\\nT:Air\\n")
    ('MIDI', 'compressed MusicXML', 'ABC')
    >>> sniff(b'\\xef\\xbb\\xbf<?xml version="1.0"?>'), sniff(b"<score-partwise>")
    ('MusicXML', 'MusicXML')
    >>> sniff(b'name = "mine"\\n') is None
    True
    """
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if head.startswith(b"MThd"):
        return "MIDI"
    if head.startswith(b"PK\x03\x04"):
        return "compressed MusicXML"
    if text.startswith((b"<?xml", b"<score-partwise", b"<score-timewise", b"<!DOCTYPE")):
        return "MusicXML"
    for line in text.splitlines()[:40]:
        line = line.strip()
        if line.startswith(b"X:") and line[2:].strip().isdigit():
            return "ABC"
        if line and not line.startswith((b"%", b"#")):
            break
    return None


def file_kind(data: bytes) -> str:
    """What a file's first bytes say it is: ``MIDI``, ``MusicXML``, ``ABC`` or ``""``
    (:func:`sniff`, a compressed MusicXML file counted as MusicXML).

    >>> file_kind(b"MThd..."), file_kind(b"<?xml ...><score-partwise"), file_kind(b"X:1")
    ('MIDI', 'MusicXML', 'ABC')
    """
    found = sniff(data[:4096])
    return {"compressed MusicXML": "MusicXML"}.get(found or "", found or "")


def misnamed(data: bytes, kind: str) -> str:
    """The reason for a file that is not of ``kind``, naming what it is when known:
    ``not a MIDI file (it is a MusicXML file)``."""
    found = file_kind(data)
    other = f" (it is {_a(found)} file)" if found and found != kind else ""
    return f"not a valid {kind} file{other}"


def _a(kind: str) -> str:
    """``a MIDI``, ``an ABC``."""
    return f"{'an' if kind[:1] in 'AEIOU' else 'a'} {kind}"


def refuse(kind: str, path: str | Path, reason: str) -> InputFileError:
    r"""The one-line error for an input file: ``cannot read KIND file 'PATH': REASON``, the
    reason's line breaks (a library's message over several lines) made spaces.

    >>> str(refuse("ABC", "t.abc", "cannot parse it (no default\nnote length)"))
    "cannot read ABC file 't.abc': cannot parse it (no default note length)"
    """
    return InputFileError(f"cannot read {kind} file {str(path)!r}: {' '.join(reason.split())}")


@dataclass(frozen=True)
class InputFile:
    """A file read once: its ``path``, at most ``limit + 1`` of its bytes (``data``) and its
    size in bytes (``size``), as :func:`open_input` read them."""

    path: Path
    data: bytes
    size: int


def open_input(path: str | Path, what: str, limit: int) -> InputFile:
    """The file ``path`` opened once and read (at most ``limit + 1`` bytes;
    :func:`~theme.input_files.read_at_most`: a FIFO, socket or device is refused unread).
    ``what`` names it in the error (``'MIDI file'``).

    Raises:
        InputFileError: no such file, a folder, not a regular file, unreadable.
    """
    path = Path(path)
    data, size = read_at_most(path, what, limit)
    return InputFile(path, data, size)


def file_bytes(
    path: str | Path, kind: str, *, limit: int = MAX_FILE_BYTES, magic: bytes = b""
) -> bytes:
    """The bytes of an input file, at most ``limit`` of them (:func:`~theme.input_files.read_at_most`: a FIFO,
    socket or device is refused unread). A file that does not start with ``magic`` is "not
    a valid KIND file", whatever its size.

    Raises:
        InputFileError: no such file, a folder, not a regular file, unreadable, not starting
            with ``magic``, or larger than ``limit``.
    """
    return checked_bytes(open_input(path, f"{kind} file", limit), kind, limit=limit, magic=magic)


def checked_bytes(
    file: InputFile, kind: str, *, limit: int = MAX_FILE_BYTES, magic: bytes = b""
) -> bytes:
    """The bytes of a file read once (:func:`open_input`), checked as :func:`file_bytes`
    checks them: starting with ``magic``, at most ``limit`` bytes.

    Raises:
        InputFileError: not starting with ``magic``, or larger than ``limit``.
    """
    path, data, size = file.path, file.data, file.size
    if not data.startswith(magic):
        found = file_kind(data)
        why = f"it is {_a(found)} file" if found else f"it does not start with {magic!r}"
        raise refuse(kind, path, f"not a valid {kind} file ({why})")
    if max(size, len(data)) > limit:
        raise refuse(kind, path, f"it is larger than {limit // (1024 * 1024)} MiB")
    return data


def lay_out_bars(
    changes: list[tuple[Fraction, Meter]], end: Fraction, kind: str, path: str | Path
) -> list[tuple[Meter, Fraction]]:
    """Bars ``(meter, length in quarter notes)`` from the meter changes ``(position in
    quarter notes, meter)`` until ``end`` (quarter notes): a change starts a bar where it
    stands, so the bar before it is cut short there (a pickup before the first full bar). At
    least one bar; at most :data:`MAX_BARS`, checked before any bar is made.

    >>> four, three = Meter.of(4, 4), Meter.of(3, 4)
    >>> [(str(m), n) for m, n in lay_out_bars([(Fraction(0), four), (Fraction(4), three)], 9, "", "")]
    [('4/4', Fraction(4, 1)), ('3/4', Fraction(3, 1)), ('3/4', Fraction(3, 1))]
    >>> [(str(m), n) for m, n in lay_out_bars([(Fraction(0), four), (Fraction(1), four)], 5, "", "")]
    [('4/4', Fraction(1, 1)), ('4/4', Fraction(4, 1))]

    Raises:
        InputFileError: the music lasts more than :data:`MAX_BARS` bars.
    """
    # a time signature after the last note ends changes no bar that sounds: left out (a
    # late one would otherwise lay out empty bars up to it)
    changes = sorted((c for c in changes if c[0] < end), key=lambda change: change[0])
    if not changes or changes[0][0] > 0:
        changes.insert(0, (Fraction(0), Meter.of(4, 4)))
    # count first, from each change's span, so a huge length costs nothing to refuse
    spans = []
    count = 0
    for i, (at, meter) in enumerate(changes):
        stop = max(end, at + meter.bar_quarters) if i + 1 == len(changes) else changes[i + 1][0]
        if at < stop:
            count += -(-(stop - at) // meter.bar_quarters)
            spans.append((at, stop, meter))
        if count > MAX_BARS:
            raise refuse(
                kind,
                path,
                f"it lasts more than {MAX_BARS:,} bars ({float(end):,.0f} quarter notes)",
            )
    bars: list[tuple[Meter, Fraction]] = []
    for i, (at, stop, meter) in enumerate(spans):
        full = meter.bar_quarters
        last = i + 1 == len(spans)  # the last bar keeps its full length past the notes
        while at < stop:
            bars.append((meter, full if last else min(full, stop - at)))
            at += full
    return bars


def timeline_of(
    *,
    title: str,
    bars: Iterable[tuple[Meter, Fraction]],
    tempo: TempoMap,
    layers: Iterable[Layer],
    markers: Iterable[Marker] = (),
    kind: str = "music",
    path: str | Path = "",
) -> Timeline:
    """A timeline of bars ``(meter, length in quarter notes)`` laid end to end, each keeping
    its length (a pickup, a bar cut short), with a meter marker where the meter changes, as
    :meth:`Timeline.build` makes them.

    Raises:
        InputFileError: a bar longer than :data:`MAX_BAR_QUARTERS` (checked before the bars
            are laid out) or music longer than :data:`MAX_SECONDS`.
    """
    bars = list(bars)
    for number, (_, length) in enumerate(bars, start=1):
        check_bar(length, number, kind, path)
    timeline = Timeline.build(
        title=title,
        bars=[(meter, "", length) for meter, length in bars],
        tempo=tempo,
        layers=layers,
        markers=markers,
    )
    seconds = timeline.duration_seconds
    if seconds > MAX_SECONDS:
        raise refuse(
            kind,
            path,
            f"it lasts {float(seconds) / 3600:,.1f} hours at its tempos, more than "
            f"{MAX_SECONDS // 3600} hours",
        )
    return timeline


def check_bar(quarters: Fraction, number: int, kind: str, path: str | Path) -> None:
    """Refuse a bar (numbered from 1) longer than :data:`MAX_BAR_QUARTERS` quarter notes."""
    if quarters > MAX_BAR_QUARTERS:
        raise refuse(
            kind,
            path,
            f"bar {number} lasts {_amount(quarters)} quarter notes, more than "
            f"{MAX_BAR_QUARTERS} (the bar of 64/1)",
        )


def _amount(quarters: Fraction) -> str:
    """A number of quarter notes for a message: ``50,000,000``, ``300.5``."""
    if quarters >= 10**15:
        return f"{float(quarters):.3g}"
    return f"{float(quarters):,.6g}" if quarters.denominator != 1 else f"{int(quarters):,}"


def check_notes(count: int, kind: str, path: str | Path) -> None:
    """Refuse a file with more than :data:`MAX_EVENTS` notes (call it as they are counted)."""
    if count > MAX_EVENTS:
        raise refuse(kind, path, f"it has more than {MAX_EVENTS:,} notes")


def quarter_notes(length: Fraction | int) -> str:
    """A length in quarter notes, in words.

    >>> quarter_notes(1), quarter_notes(Fraction(2, 3)), quarter_notes(Fraction(871, 24))
    ('1 quarter note', '2/3 quarter note', '871/24 quarter notes')
    """
    return f"{length} quarter note" + ("" if length <= 1 else "s")
