"""What a command's ``VARIANT`` names: a built-in variant, a variant file, or music of one's
own (MIDI, MusicXML, ABC), told apart by the extension and by the first bytes."""

from __future__ import annotations

import argparse
from pathlib import Path

from theme.errors import InputFileError, UsageError

TYPE_CHECKING = False  # importing typing costs start-up time
if TYPE_CHECKING:
    from theme.core.timeline import Timeline

__all__ = ["KINDS", "file_kind", "music_timeline", "sniff"]

KINDS = {
    ".mid": "MIDI",
    ".midi": "MIDI",
    ".musicxml": "MusicXML",
    ".xml": "MusicXML",
    ".mxl": "compressed MusicXML",
    ".abc": "ABC",
    ".toml": "variant",
}
"""The kind of file each extension names."""

_EXTENSIONS = {
    "MIDI": ".mid",
    "MusicXML": ".musicxml",
    "compressed MusicXML": ".mxl",
    "ABC": ".abc",
    "variant": ".toml",
}


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


def file_kind(name: str) -> str | None:
    """The kind of file ``name`` is ("MIDI", "MusicXML", "compressed MusicXML", "ABC" or
    "variant"), or None for a built-in variant's name. The extension says what it should be
    and the first bytes what it is; a file whose bytes show another kind than its extension
    is refused, named by what it is.

    Raises:
        InputFileError: the extension and the content disagree (``'song.toml' is a MIDI
            file``), or a file with another extension whose content is music.
    """
    from theme.variants import names

    if name in names():
        return None
    path = Path(name)
    expected = KINDS.get(path.suffix.lower())
    try:
        with open(path, "rb") as file:
            found = sniff(file.read(512))
    except (OSError, ValueError):  # no such file, a folder: the reader says so
        return expected or ("variant" if path.suffix else None)
    if found == "MusicXML" and expected in ("MusicXML", "compressed MusicXML"):
        return expected if expected == "MusicXML" else found
    if found is not None and found != expected:
        right = path.with_suffix(_EXTENSIONS[found]).name
        what = f"{_article(expected)} {expected} file" if expected else "a variant name or file"
        raise InputFileError(
            f"cannot read {name!r}: it is {_article(found)} {found} file, not {what}; "
            f"rename it {right!r}"
        )
    if expected is None:
        return "variant"  # an existing file without a music extension: the loader says why
    return expected


def _article(kind: str) -> str:
    return "an" if kind == "ABC" else "a"


def music_timeline(args: argparse.Namespace, *, remeter: bool = True) -> Timeline:
    """The timeline of a file of one's own with the options that make sense for one:
    ``--tempo``, ``--bars``/``--repeat``, ``--pitches`` (for layers it has), ``--strategy``
    (bars in other meters kept), ``--click``, ``--count-in``.

    Raises:
        UsageError: ``-p`` (a file has no parameters) or ``--pitches`` for a layer it lacks.
        InputFileError: the file cannot be read (the reader's message, naming it).
    """
    from theme.cli.timelines import cycled, with_pitches
    from theme.export import read

    name = args.variant
    if args.param:
        raise UsageError(
            f"-p/--param sets a built-in variant's parameters; {name!r} is a file of its own "
            "and has none (use --tempo, --bars, --repeat or --strategy)"
        )
    import warnings

    from theme.readers import InputFileWarning

    with warnings.catch_warnings(record=True) as mended:
        warnings.simplefilter("always", InputFileWarning)
        timeline = read(name)
    for warning in mended:  # what the reader mended, said once, as remeter says it
        if issubclass(warning.category, InputFileWarning):
            print(f"note: {warning.message}")
    if args.bars is not None or args.repeat != 1:
        timeline = cycled(timeline, bars=args.bars, repeat=args.repeat, name=name)
    if args.pitches is not None:
        from theme.core.rhythm import parse_pitches

        timeline = with_pitches(timeline, parse_pitches(args.pitches), name=name)
    if args.tempo is not None:
        timeline = timeline.with_tempo(args.tempo)
    if remeter and args.strategy is not None:
        from theme.core.remeter import remeter as remeter_timeline

        timeline = remeter_timeline(timeline, args.strategy, strict=False, source=repr(name))
    return timeline


def is_file_of_music(name: str) -> bool:
    """Whether ``name`` is a MIDI, MusicXML or ABC file (checked as :func:`file_kind`)."""
    return file_kind(name) not in (None, "variant")
