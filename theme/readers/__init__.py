"""Files of one's own read into a timeline: MIDI (:mod:`theme.readers.midi`) and MusicXML
(:mod:`theme.readers.musicxml`); :func:`theme.read` chooses the reader by the extension (and
reads a variant's TOML file too). Every reader works in time and memory
bounded by the file: a file over :data:`MAX_FILE_BYTES` is refused before it is read, and so
is music longer than :data:`~theme.core.timeline.MAX_BARS` bars or with more than
:data:`~theme.core.timeline.MAX_EVENTS` notes, before its bars and notes are made. Every problem is
one :class:`~theme.errors.InputFileError` that names the file (the cause kept with
``from``). What a reader mends on the way (a note never released, closed at the end of its
track) is an :class:`InputFileWarning`, which the CLI prints as a note.
"""

from __future__ import annotations

import os
from fractions import Fraction
from pathlib import Path

from theme.core.meter import Meter
from theme.core.timeline import MAX_BARS, MAX_EVENTS
from theme.errors import InputFileError

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_LAYERS",
    "InputFileWarning",
    "file_bytes",
    "lay_out_bars",
    "refuse",
]

MAX_FILE_BYTES = 16 * 1024 * 1024
"""The largest MIDI or MusicXML file read (16 MiB; an ``.mxl`` counts uncompressed)."""

MAX_LAYERS = 256
"""The most layers read from a file: a MIDI track's notes on one channel, a MusicXML part."""


class InputFileWarning(UserWarning):
    """Something in an input file that was mended on reading, said in one line."""


def refuse(kind: str, path: str | Path, reason: str) -> InputFileError:
    """The one-line error for an input file: ``cannot read KIND file 'PATH': REASON``."""
    return InputFileError(f"cannot read {kind} file {str(path)!r}: {reason}")


def file_bytes(
    path: str | Path, kind: str, *, limit: int = MAX_FILE_BYTES, magic: bytes = b""
) -> bytes:
    """The bytes of an input file, at most ``limit`` of them. A file that does not start
    with ``magic`` is "not a valid KIND file", whatever its size.

    Raises:
        InputFileError: no such file, a folder, unreadable, not starting with ``magic``, or
            larger than ``limit``.
    """
    path = Path(path)
    try:
        if path.is_dir():
            raise refuse(kind, path, "it is a folder")
        with open(path, "rb") as file:
            size = os.fstat(file.fileno()).st_size
            data = file.read(limit + 1)
    except FileNotFoundError as err:
        raise refuse(kind, path, "no such file") from err
    except OSError as err:
        raise refuse(kind, path, err.strerror or type(err).__name__) from err
    if not data.startswith(magic):
        raise refuse(kind, path, f"not a valid {kind} file (it does not start with {magic!r})")
    if max(size, len(data)) > limit:
        raise refuse(kind, path, f"it is larger than {limit // (1024 * 1024)} MiB")
    return data


def lay_out_bars(
    changes: list[tuple[Fraction, Meter]], end: Fraction, kind: str, path: str | Path
) -> list[tuple[Meter, str]]:
    """Bars from the meter changes ``(position in quarter notes, meter)`` until ``end``
    (quarter notes): a change takes effect at the first barline at or after it. At least
    one bar; at most :data:`MAX_BARS`, checked before any bar is made.

    >>> four, three = Meter.of(4, 4), Meter.of(3, 4)
    >>> [str(m) for m, _ in lay_out_bars([(Fraction(0), four), (Fraction(4), three)], 9, "", "")]
    ['4/4', '3/4', '3/4']

    Raises:
        InputFileError: the music lasts more than :data:`MAX_BARS` bars.
    """
    changes = sorted(changes, key=lambda change: change[0])
    if not changes or changes[0][0] > 0:
        changes.insert(0, (Fraction(0), Meter.of(4, 4)))
    # count first, from each change's span, so a huge length costs nothing to refuse
    count, position = 0, Fraction(0)
    for i, (_, meter) in enumerate(changes):
        stop = min(end, changes[i + 1][0]) if i + 1 < len(changes) else end
        if position < stop:
            step = -(-(stop - position) // meter.bar_quarters)
            count += step
            position += step * meter.bar_quarters
        if count > MAX_BARS:
            raise refuse(
                kind,
                path,
                f"it lasts more than {MAX_BARS:,} bars ({float(end):,.0f} quarter notes)",
            )
    bars: list[tuple[Meter, str]] = []
    position, i = Fraction(0), 0
    while position < end or not bars:
        while i + 1 < len(changes) and changes[i + 1][0] <= position:
            i += 1
        meter = changes[i][1]
        bars.append((meter, ""))
        position += meter.bar_quarters
    return bars


def check_notes(count: int, kind: str, path: str | Path) -> None:
    """Refuse a file with more than :data:`MAX_EVENTS` notes (call it as they are counted)."""
    if count > MAX_EVENTS:
        raise refuse(kind, path, f"it has more than {MAX_EVENTS:,} notes")
