"""Write music to a file and read it back, the format chosen by the file's extension.

:func:`write` takes a timeline, a variant (laid out with its defaults) or a metronome of
so many bars; :func:`read` gives a timeline from a MIDI, MusicXML or variant file.

=================  ===========================================  ====================
extension          what is written                              made by
=================  ===========================================  ====================
.mid .midi         Standard MIDI file, type 1, 960 ticks/quarter  theme.renderers.midi
.musicxml .xml     MusicXML 4.0 (MuseScore, Finale, Dorico...)   theme.renderers.notation
.svg .png          engraved notation (verovio; PNG by rsvg)      theme.renderers.notation
.wav .flac .ogg    audio from the built-in synthesizer           theme.renderers.audio
.html              a self-contained page to project              theme.page.document
=================  ===========================================  ====================

The path is checked once, before any work (:func:`theme.output.output_file`), and every
writer goes through :func:`theme.output.atomic_path`: an error leaves no partial file and
never damages a file that was there.
"""

from __future__ import annotations

from pathlib import Path

from theme.core.timeline import Timeline, as_timeline
from theme.errors import InputFileError
from theme.metronome import Metronome
from theme.output import Output, output_file

__all__ = ["FORMATS", "KINDS", "READ_SUFFIXES", "kind_of_file", "read", "write"]

FORMATS = ("mid", "midi", "musicxml", "xml", "svg", "png", "wav", "flac", "ogg", "html")
"""The output extensions, without dots."""

READ_SUFFIXES = (".mid", ".midi", ".musicxml", ".xml", ".mxl", ".abc", ".toml")
"""The extensions :func:`read` reads (a path without one names a built-in variant)."""

_AUDIO = ("wav", "flac", "ogg")


def write(
    music: Timeline | Metronome | object,
    path: str | Path | Output,
    *,
    rate: int = 48000,
    soundfont: str | Path | None = None,
) -> Path:
    """Write ``music`` to ``path`` in the format its extension names: a Timeline, a Variant
    (laid out with its defaults) or a Metronome of so many bars (an audio file of clicks is
    made block by block: an hour needs no more memory than a minute).

    ``rate`` (samples a second) and ``soundfont`` (an .sf2 file for FluidSynth) are for
    audio files only.

    Raises:
        OutputFormatError: an unknown extension (a UsageError, exit code 2).
        OutputFileError: a missing folder, no permission, a full disk.
        UsageError: a sample rate other than 44100 or 48000; an endless metronome.
        TypeError: ``music`` is none of these.
    """
    out = output_file(path, FORMATS)
    kind = out.kind
    if isinstance(music, Metronome) and kind in _AUDIO and soundfont is None:
        from theme.renderers.audiofile import write_blocks

        write_blocks(music.renderer(rate=rate), out, rate=rate)
        return Path(out)
    timeline = as_timeline(music, "write()'s first argument")
    if kind in ("mid", "midi"):
        from theme.renderers.midi import write_midi

        write_midi(timeline, out)
    elif kind in ("musicxml", "xml"):
        from theme.renderers.notation import write_musicxml

        write_musicxml(timeline, out)
    elif kind in ("svg", "png"):
        from theme.renderers.notation import write_svg

        write_svg(timeline, out)
    elif kind == "html":
        from theme.page.document import write_page

        if isinstance(music, Metronome):  # its page ends with the meter builder, filled in
            from theme.page.builder import builder_section

            write_page(timeline, out, more=[builder_section(music)])
        else:
            write_page(timeline, out)
    else:
        from theme.renderers.audiofile import write_audio

        write_audio(timeline, out, rate=rate, soundfont=soundfont)
    return Path(out)


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


def kind_of_file(name: str) -> str | None:
    """The kind of file ``name`` is ("MIDI", "MusicXML", "compressed MusicXML", "ABC" or
    "variant"), or None for a built-in variant's name or a groove's link. The extension says what it should be
    and the first bytes what it is; a file whose bytes show another kind than its extension
    is refused, named by what it is.

    Raises:
        InputFileError: the extension and the content disagree (``'song.toml' is a MIDI
            file``), or a file with another extension whose content is music.
    """
    from theme.input_files import read_at_most
    from theme.readers import sniff
    from theme.variants import names
    from theme.variants.groove import is_groove_link

    if name in names() or is_groove_link(name):
        return None
    path = Path(name)
    expected = KINDS.get(path.suffix.lower())
    try:  # the one sniffer (theme.readers.sniff), on a regular file opened without blocking
        found = sniff(read_at_most(path, "file", 511)[0])
    except InputFileError:  # no such file, a folder, a FIFO: the reader says so
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


def read(path: str | Path) -> Timeline:
    """A timeline from a ``.mid``/``.midi``, ``.musicxml``/``.xml``/``.mxl`` or ``.abc`` file
    (the readers of :mod:`theme.readers`; ABC through music21), or a variant: a ``.toml``
    file, a built-in name or a groove's link (``studio.html#g1=...``). The bars are the file's bars: a pickup or a bar cut short keeps
    its length (``bar.end - bar.start``); a file with no time signature is read in 4/4 with
    the marker :data:`theme.readers.NO_METER` at 0.

    Raises:
        InputFileError: the file cannot be read (see each reader), or has another extension.
        VariantError: an unknown variant name, or a variant file with a mistake.
    """
    from theme.variants.groove import is_groove_link

    if isinstance(path, str) and is_groove_link(path):  # a groove's link: its variant
        from theme.variants import load

        return load(path).timeline()
    kind_of_file(str(path))  # a file named as another kind is refused as what it is
    suffix = Path(path).suffix.lower()
    if suffix in (".mid", ".midi"):
        from theme.readers.midi import read_midi

        return read_midi(path)
    if suffix in (".musicxml", ".xml", ".mxl"):
        from theme.readers.musicxml import read_musicxml

        return read_musicxml(path)
    if suffix == ".abc":
        from theme.readers.abc import read_abc

        return read_abc(path)
    if suffix == ".toml" or not suffix:
        from theme.variants import load

        return load(path).timeline()
    raise InputFileError(
        f"cannot read {str(path)!r}: expected a .mid, .midi, .musicxml, .xml, .mxl or .abc "
        "file, or a variant"
    )
