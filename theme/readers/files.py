"""The one registry of the kinds of file read, and :func:`read`: a name becomes a timeline,
each file opened once.

:data:`READERS` maps an extension to its :class:`FileKind` (the kind's name, the words that
name such a file in a message, the most bytes read, and its reader); the built-in variants'
names and a groove's link (``studio.html#g1=...``) are read by kinds of their own. The CLI
and the library both read through :func:`open_source`: the extension says what a file should
be, and the first bytes of the same read (:func:`~theme.readers.sniff`) what it is; a file
whose bytes show another kind is refused, named by what it is, and the bytes already read
are what its reader reads. (The writers, by extension too, are
:data:`theme.export.WRITERS`.)

=================  ====================  ============================================
extension          kind                  read by
=================  ====================  ============================================
.mid .midi         MIDI                  :func:`theme.readers.midi.midi_timeline`
.musicxml .xml     MusicXML              :func:`theme.readers.musicxml.musicxml_timeline`
.mxl               compressed MusicXML   :func:`theme.readers.musicxml.musicxml_timeline`
.abc               ABC                   :func:`theme.readers.abc.abc_timeline`
.toml              variant               :func:`theme.variants.loader.load_bytes`
(none)             built-in variant      :func:`theme.variants.load` (``tv-1966``)
(a link)           groove link           :func:`theme.variants.load` (``...#g1=...``)
=================  ====================  ============================================
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from theme.errors import InputFileError
from theme.readers import MAX_FILE_BYTES, InputFile, open_input, sniff
from theme.variants.reading import MAX_FILE_BYTES as VARIANT_BYTES

if TYPE_CHECKING:
    from theme.core.timeline import Timeline
    from theme.variants import Variant
    from theme.variants.groove import Groove

__all__ = [
    "BUILT_IN",
    "GROOVE_LINK",
    "KINDS",
    "MUSIC",
    "READERS",
    "READ_SUFFIXES",
    "VARIANT",
    "FileKind",
    "Source",
    "kind_of_file",
    "open_source",
    "read",
]


@dataclass(frozen=True)
class FileKind:
    """A kind of input: its ``name`` (``'MIDI'``), the ``suffixes`` that name it (the first
    is the one a misnamed file is told to take), the words for such a file in a message
    (``what``), the most bytes read of it (``limit``) and its ``reader`` (a source, opened
    once, to a timeline)."""

    name: str
    suffixes: tuple[str, ...]
    what: str
    limit: int
    reader: Callable[[Source], Timeline]


def _midi(source: Source) -> Timeline:
    from theme.readers.midi import midi_timeline

    return midi_timeline(source.opened())


def _musicxml(source: Source) -> Timeline:
    from theme.readers.musicxml import musicxml_timeline

    return musicxml_timeline(source.opened())


def _abc(source: Source) -> Timeline:
    from theme.readers.abc import abc_timeline

    return abc_timeline(source.opened())


def _variant(source: Source) -> Timeline:
    return source.variant().timeline()


MIDI = FileKind("MIDI", (".mid", ".midi"), "MIDI file", MAX_FILE_BYTES, _midi)
MUSICXML = FileKind("MusicXML", (".musicxml", ".xml"), "MusicXML file", MAX_FILE_BYTES, _musicxml)
COMPRESSED_MUSICXML = FileKind(
    "compressed MusicXML", (".mxl",), "MusicXML file", MAX_FILE_BYTES, _musicxml
)
ABC = FileKind("ABC", (".abc",), "ABC file", MAX_FILE_BYTES, _abc)
VARIANT = FileKind("variant", (".toml",), "variant file", VARIANT_BYTES, _variant)
BUILT_IN = FileKind("built-in variant", (), "variant", 0, _variant)
GROOVE_LINK = FileKind("groove link", (), "groove link", 0, _variant)

MUSIC = (MIDI, MUSICXML, COMPRESSED_MUSICXML, ABC)
"""The kinds of music of one's own (a variant's options make no sense for them)."""
KINDS = (*MUSIC, VARIANT, BUILT_IN, GROOVE_LINK)
"""Every kind :func:`read` reads."""
READERS = {suffix: kind for kind in KINDS for suffix in kind.suffixes}
"""The kind each extension (lower case, with its dot) names."""
READ_SUFFIXES = tuple(READERS)
"""The extensions :func:`read` reads (a path without one names a built-in variant)."""
_BY_NAME = {kind.name: kind for kind in KINDS}

_HEAD = 512
"""The bytes whose kind :func:`~theme.readers.sniff` tells."""


@dataclass(frozen=True)
class Source:
    """What a name given to :func:`read` names, its file (if any) opened once: a
    ``kind`` of :data:`KINDS`, or None for a name that is no file and no variant's (the
    variant loader says why) or a file with an extension read by no reader. ``file`` is what
    was read of it, ``refused`` why it could not be opened (raised when it is read)."""

    name: str | Path
    kind: FileKind | None
    file: InputFile | None = None
    refused: InputFileError | None = None

    @property
    def is_music(self) -> bool:
        """A file of music of one's own (MIDI, MusicXML, ABC), not a variant."""
        return self.kind in MUSIC

    def opened(self) -> InputFile:
        """What was read of the file.

        Raises:
            InputFileError: the file could not be opened (no such file, a folder, a FIFO).
        """
        if self.refused is not None:
            raise self.refused
        assert self.file is not None  # a source of a file kind holds one or the other
        return self.file

    def variant(self, **params: Any) -> Variant:
        """The variant it names, with parameter values: a built-in name, a groove's link, or
        a variant file (the bytes already read, :func:`theme.variants.loader.load_bytes`).

        Raises:
            VariantError: an unknown name, parameter or value.
            InputFileError: a variant file that cannot be read or is not valid.
        """
        from theme.variants import load
        from theme.variants.loader import load_bytes

        if self.refused is not None:
            raise self.refused
        if self.file is not None:
            return load_bytes(self.file.data, self.file.path, params)
        return load(self.name, **params)

    def groove(self) -> Groove | None:
        """The groove it names, to edit: a groove link's own groove, as the link has it, or
        the groove of a variant's first section (:meth:`Groove.from_variant
        <theme.variants.groove.Groove.from_variant>`; None when that section does not fit a
        groove's grid).

        Raises:
            VariantError: an unknown name, or a groove link that is not a good one.
            InputFileError: a variant file that cannot be read or is not valid.
        """
        from theme.variants.groove import Groove

        if self.kind is GROOVE_LINK:
            return Groove.from_link(str(self.name))
        return Groove.from_variant(self.variant())

    def timeline(self) -> Timeline:
        """The timeline it holds, by its kind's reader.

        Raises:
            InputFileError: the file cannot be read, or has an extension no reader reads.
            VariantError: an unknown variant name, or a variant file with a mistake.
        """
        if self.kind is not None:
            return self.kind.reader(self)
        if Path(self.name).suffix:
            raise InputFileError(
                f"cannot read {str(self.name)!r}: expected a .mid, .midi, .musicxml, .xml, "
                ".mxl or .abc file, or a variant"
            )
        return self.variant().timeline()  # no such variant: the loader says so


def open_source(name: str | Path) -> Source:
    """What ``name`` names, its file opened and read once: a built-in variant's name, a
    groove's link, or a file of a kind of :data:`READERS` by its extension. The extension
    says what the file should be and its first bytes what it is; a file whose bytes show
    another kind is refused, named by what it is. A file that cannot be opened is refused
    when it is read (:meth:`Source.timeline`), so that a command checks its options first.

    Raises:
        InputFileError: the extension and the content disagree (``'song.toml' is a MIDI
            file``), or a file with another extension whose content is music.
    """
    from theme.variants import names
    from theme.variants.groove import is_groove_link

    text = str(name)
    if text in names():
        return Source(name, BUILT_IN)
    if is_groove_link(text):
        return Source(name, GROOVE_LINK if isinstance(name, str) else None)
    path = Path(text)
    expected = READERS.get(path.suffix.lower())
    if expected is None:  # a variant name that is no file, or read as a variant file
        try:
            exists = path.exists()
        except (OSError, ValueError):  # a name too long, or with a NUL: no such file
            exists = False
        if not exists:
            return Source(name, None)
    what, limit = (expected.what, expected.limit) if expected else (VARIANT.what, VARIANT.limit)
    kind = expected or (VARIANT if not path.suffix else None)
    try:
        file = open_input(path, what, limit)
    except InputFileError as refused:  # a folder, a FIFO, no such file: refused when read
        return Source(name, kind, refused=refused)
    found = _BY_NAME.get(sniff(file.data[:_HEAD]) or "")
    if found is MUSICXML and expected in (MUSICXML, COMPRESSED_MUSICXML):
        return Source(name, found, file)  # a .mxl file of plain MusicXML is read as one
    if found is not None and found is not expected:
        right = path.with_suffix(found.suffixes[0]).name
        said = f"{_article(expected.name)} {expected.name} file" if expected else ""
        raise InputFileError(
            f"cannot read {text!r}: it is {_article(found.name)} {found.name} file, not "
            f"{said or 'a variant name or file'}; rename it {right!r}"
        )
    return Source(name, kind, file)


def _article(kind: str) -> str:
    return "an" if kind == "ABC" else "a"


def kind_of_file(name: str) -> str | None:
    """The kind of file ``name`` is (``'MIDI'``, ``'MusicXML'``, ``'compressed MusicXML'``,
    ``'ABC'`` or ``'variant'``), or None for a built-in variant's name, a groove's link or a
    name that is no file (:func:`open_source`).

    Raises:
        InputFileError: the extension and the content disagree.
    """
    source = open_source(name)
    if source.kind in (BUILT_IN, GROOVE_LINK):
        return None
    if source.kind is None:
        return "variant" if Path(name).suffix else None
    return source.kind.name


def read(path: str | Path) -> Timeline:
    """A timeline from a ``.mid``/``.midi``, ``.musicxml``/``.xml``/``.mxl`` or ``.abc`` file
    (the readers of :mod:`theme.readers`; ABC through music21), or a variant: a ``.toml``
    file, a built-in name or a groove's link (``studio.html#g1=...``). The file is opened
    once (:func:`open_source`). The bars are the file's bars: a pickup or a bar cut short
    keeps its length (``bar.end - bar.start``); a file with no time signature is read in 4/4
    with the marker :data:`theme.readers.NO_METER` at 0.

    Raises:
        InputFileError: the file cannot be read (see each reader), or has another extension.
        VariantError: an unknown variant name, or a variant file with a mistake.
    """
    return open_source(path).timeline()
