"""Write a timeline to a file, the format chosen by the file's extension.

=================  ===========================================  ====================
extension          what is written                              made by
=================  ===========================================  ====================
.mid .midi         Standard MIDI file, type 1, 960 ticks/quarter  theme.renderers.midi
.musicxml .xml     MusicXML 4.0 (MuseScore, Finale, Dorico...)   theme.renderers.notation
.svg .png          engraved notation (verovio; PNG by rsvg)      theme.renderers.notation
.wav .flac .ogg    audio from the built-in synthesizer           theme.renderers.audio
.html              a self-contained page to project              theme.classroom.page
=================  ===========================================  ====================

The path is checked once, before any work (:func:`theme.output.output_file`), and every
writer goes through :func:`theme.output.atomic_path`: an error leaves no partial file and
never damages a file that was there.
"""

from __future__ import annotations

from pathlib import Path

from theme.output import Output, output_file
from theme.timeline import Timeline

__all__ = ["FORMATS", "write"]

FORMATS = ("mid", "midi", "musicxml", "xml", "svg", "png", "wav", "flac", "ogg", "html")
"""The output extensions, without dots."""

AUDIO_RATES = (44100, 48000)


def write(
    timeline: Timeline,
    path: str | Path | Output,
    *,
    rate: int = 48000,
    soundfont: str | Path | None = None,
) -> Path:
    """Write ``timeline`` to ``path`` in the format its extension names.

    ``rate`` (samples a second) and ``soundfont`` (an .sf2 file for FluidSynth) are for
    audio files only.

    Raises:
        OutputFormatError: an unknown extension (a UsageError, exit code 2).
        OutputFileError: a missing folder, no permission, a full disk.
        UsageError: a sample rate other than 44100 or 48000.
    """
    out = output_file(path, FORMATS)
    kind = out.kind
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
        from theme.classroom.page import write_page

        write_page(timeline, out)
    else:
        from theme.renderers.audio import write_audio

        write_audio(timeline, out, rate=rate, soundfont=soundfont)
    return Path(out)
