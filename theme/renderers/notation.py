"""Notation: MusicXML through music21, engraved SVG through verovio, and MusicXML back in.

- :func:`write_musicxml` writes MusicXML 4.0 that MuseScore opens with the right meters and
  beaming (the grouping is written as beams; a MusicXML ``<time>`` holds only N/D).
- :func:`svg` engraves the timeline with verovio, one SVG string a page, sized for a
  projector; :func:`write_svg` writes ``name.svg`` (and ``name-2.svg``... for more pages).
- :func:`read_musicxml` reads a MusicXML file of your own into a timeline (it lives in
  :mod:`theme.readers.musicxml`).

music21 and verovio are imported only when these functions run.
"""

from __future__ import annotations

from pathlib import Path

from theme.core.timeline import Timeline
from theme.errors import OutputFileError
from theme.output import Output, atomic_path, output_file
from theme.readers.musicxml import read_musicxml

__all__ = ["musicxml_string", "read_musicxml", "svg", "write_musicxml", "write_svg"]


def musicxml_string(timeline: Timeline) -> str:
    """The timeline as a MusicXML document (a str)."""
    from music21.musicxml.m21ToXml import GeneralObjectExporter

    from theme.renderers.score import to_score

    exporter = GeneralObjectExporter(to_score(timeline))
    exporter.makeNotation = False  # the score is made complete, bar by bar (theme.renderers.score)
    data = exporter.parse()
    return data.decode("utf-8")


def write_musicxml(timeline: Timeline, path: str | Path | Output) -> Path:
    """Write ``.musicxml`` (or ``.xml``), safely: a temporary file, then renamed.

    Raises:
        OutputFileError: another extension, a missing folder, no permission.
    """
    out = output_file(path, ["musicxml", "xml"])  # checked before the work
    text = musicxml_string(timeline)
    with atomic_path(out) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(out)


def svg(timeline: Timeline, *, width: int = 2100, scale: int = 45) -> list[str]:
    """Engraved notation, one SVG document a page.

    ``width`` is the page width in verovio units (tenths of a millimetre at scale 100);
    ``scale`` the zoom in percent. The defaults fit about four 5/4 bars a system, readable
    from the back of a classroom.
    """
    import verovio

    toolkit = verovio.toolkit()
    toolkit.setOptions(
        {
            "pageWidth": width,
            "pageHeight": 60000,
            "adjustPageHeight": True,
            "scale": scale,
            "breaks": "auto",
            "header": "auto",
            "footer": "none",
            "svgViewBox": True,
        }
    )
    if not toolkit.loadData(musicxml_string(timeline)):
        raise OutputFileError(f"verovio could not engrave {timeline.title!r}")
    return [toolkit.renderToSVG(page) for page in range(1, toolkit.getPageCount() + 1)]


def write_svg(timeline: Timeline, path: str | Path | Output) -> list[Path]:
    """Write the engraving: ``path`` for the first page, ``stem-2.svg``... for the others.
    For a ``.png`` path, a PNG of each page (see
    :func:`theme.renderers.picture.write_picture`). Returns the files written.

    Raises:
        OutputFileError: not a ``.svg`` or ``.png`` path, a missing folder, no permission,
            no PNG converter.
    """
    from theme.renderers.picture import write_picture

    out = output_file(path, ["svg", "png"])  # checked before the work
    target = Path(out)
    written: list[Path] = []
    for number, page in enumerate(svg(timeline), start=1):
        name = out if number == 1 else target.with_name(f"{target.stem}-{number}{target.suffix}")
        written += write_picture(page, name)
    return written
