"""Write music to a file, the format chosen by the file's extension (:data:`WRITERS`).

:func:`write` takes a timeline, a variant (laid out with its defaults) or a metronome of
so many bars; :func:`theme.read` (:mod:`theme.readers.files`, whose registry of the kinds
read is the other half of this one) gives a timeline from a MIDI, MusicXML or variant file.

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
from typing import Any, Protocol

from theme.core.timeline import Timeline, as_timeline
from theme.metronome import Metronome
from theme.output import Output, output_file

__all__ = ["FORMATS", "WRITERS", "Writer", "write"]

_AUDIO = ("wav", "flac", "ogg")


class Writer(Protocol):
    """A writer of one kind of file: ``timeline`` to the checked path ``out``; ``music`` is
    what :func:`write` was given (a metronome's page ends with the meter builder), ``rate``
    (samples a second) and ``soundfont`` are for audio."""

    def __call__(
        self,
        timeline: Timeline,
        out: Output,
        *,
        music: object,
        rate: int,
        soundfont: str | Path | None,
    ) -> None: ...


def _midi(timeline: Timeline, out: Output, **_: Any) -> None:
    from theme.renderers.midi import write_midi

    write_midi(timeline, out)


def _musicxml(timeline: Timeline, out: Output, **_: Any) -> None:
    from theme.renderers.notation import write_musicxml

    write_musicxml(timeline, out)


def _notation(timeline: Timeline, out: Output, **_: Any) -> None:
    from theme.renderers.notation import write_svg

    write_svg(timeline, out)


def _page(timeline: Timeline, out: Output, *, music: object, **_: Any) -> None:
    from theme.page.document import write_page

    if isinstance(music, Metronome):  # its page ends with the meter builder, filled in
        from theme.page.builder import builder_section

        write_page(timeline, out, more=[builder_section(music)])
    else:
        write_page(timeline, out)


def _audio(
    timeline: Timeline, out: Output, *, rate: int, soundfont: str | Path | None, **_: Any
) -> None:
    from theme.renderers.audiofile import write_audio

    write_audio(timeline, out, rate=rate, soundfont=soundfont)


WRITERS: dict[str, Writer] = {
    "mid": _midi,
    "midi": _midi,
    "musicxml": _musicxml,
    "xml": _musicxml,
    "svg": _notation,
    "png": _notation,
    "wav": _audio,
    "flac": _audio,
    "ogg": _audio,
    "html": _page,
}
"""The writer of each output extension (without its dot)."""

FORMATS = tuple(WRITERS)
"""The output extensions, without dots."""


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
    assert kind is not None  # output_file() refused a path without one of FORMATS
    WRITERS[kind](timeline, out, music=music, rate=rate, soundfont=soundfont)
    return Path(out)
