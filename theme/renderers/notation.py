"""Notation: MusicXML through music21, engraved SVG through verovio, and MusicXML back in.

- :func:`write_musicxml` writes MusicXML 4.0 that MuseScore opens with the right meters and
  beaming (the grouping is written as beams; a MusicXML ``<time>`` holds only N/D).
- :func:`svg` engraves the timeline with verovio, one SVG string a page, sized for a
  projector; :func:`write_svg` writes ``name.svg`` (and ``name-2.svg``... for more pages).
- :func:`read_musicxml` reads a MusicXML file of your own into a timeline.

music21 and verovio are imported only when these functions run.
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction
from pathlib import Path

from theme.errors import InputFileError, OutputFileError
from theme.meter import Meter
from theme.output import atomic_path, output_format
from theme.tempo import TempoMap, TempoSegment
from theme.timeline import Event, Layer, Timeline

__all__ = ["musicxml_string", "read_musicxml", "svg", "write_musicxml", "write_svg"]


def musicxml_string(timeline: Timeline) -> str:
    """The timeline as a MusicXML document (a str)."""
    from music21.musicxml.m21ToXml import GeneralObjectExporter

    from theme.score import to_score

    data = GeneralObjectExporter(to_score(timeline)).parse()
    return data.decode("utf-8")


def write_musicxml(timeline: Timeline, path: str | Path) -> Path:
    """Write ``.musicxml`` (or ``.xml``), safely: a temporary file, then renamed.

    Raises:
        OutputFileError: another extension, a missing folder, no permission.
    """
    output_format(path, ["musicxml", "xml"])
    text = musicxml_string(timeline)
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


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


def write_svg(timeline: Timeline, path: str | Path) -> list[Path]:
    """Write the engraving: ``path`` for the first page, ``stem-2.svg``... for the others.
    For a ``.png`` path, each page's SVG and a PNG of it (see
    :func:`theme.renderers.picture.write_picture`). Returns the files written.

    Raises:
        OutputFileError: not a ``.svg`` or ``.png`` path, a missing folder, no permission,
            no PNG converter.
    """
    from theme.renderers.picture import write_picture

    output_format(path, ["svg", "png"])
    target = Path(path)
    written: list[Path] = []
    for number, page in enumerate(svg(timeline), start=1):
        name = target if number == 1 else target.with_name(f"{target.stem}-{number}{target.suffix}")
        written += write_picture(page, name)
    return written


def read_musicxml(path: str | Path) -> Timeline:
    """A MusicXML file (``.musicxml``, ``.xml``, ``.mxl``) as a timeline: its measures and
    meters, a layer per part, notes at exact quarter-note positions, the first tempo mark.

    Raises:
        InputFileError: missing, a folder, empty, not MusicXML, or no measures.
    """
    from music21 import converter, instrument, meter, note, stream, tempo

    path = Path(path)
    if path.is_dir():
        raise InputFileError(f"cannot read MusicXML file {str(path)!r}: it is a folder")
    if not path.exists():
        raise InputFileError(f"cannot read MusicXML file {str(path)!r}: no such file")
    try:
        parsed = converter.parse(str(path), format="musicxml")
    except Exception as exc:  # music21 raises many kinds of errors for broken files
        reason = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
        raise InputFileError(
            f"cannot read MusicXML file {str(path)!r}: not valid MusicXML ({reason})"
        ) from None
    parts = list(parsed.parts) if isinstance(parsed, stream.Score) else [parsed]
    measures = list(parts[0].getElementsByClass(stream.Measure)) if parts else []
    if not measures:
        raise InputFileError(f"cannot read MusicXML file {str(path)!r}: it has no measures")

    bars: list[tuple[Meter, str]] = []
    current: Meter | None = None
    for measure in measures:
        ts = measure.getElementsByClass(meter.TimeSignature).first()
        if ts is not None:
            current = Meter.of(ts.numerator, ts.denominator)
        current = current or Meter.of(4, 4)
        bars.append((current, ""))
    mark = parsed.recurse().getElementsByClass(tempo.MetronomeMark).first()
    qpm = Fraction(mark.getQuarterBPM()).limit_denominator(1000) if mark else Fraction(120)

    layers: list[Layer] = []
    events: list[Event] = []
    for index, part in enumerate(parts):
        inst = part.getInstrument(returnDefault=True)
        drum = isinstance(inst, instrument.UnpitchedPercussion) or inst.midiChannel == 9
        name = part.partName or f"part {index + 1}"
        if any(layer.name == name for layer in layers):
            name = f"{name} {index + 1}"
        layers.append(
            Layer(name, "bongo" if drum else "bass", inst.midiProgram or 0, drum, channel=index % 9)
        )
        tied: dict[tuple[int, ...], list[int]] = {}  # pitches -> indexes of the notes they extend
        for n in part.flatten().notes:
            pitches = (38,) if isinstance(n, note.Unpitched) else tuple(p.midi for p in n.pitches)
            length = Fraction(n.quarterLength).limit_denominator(960)
            kind = n.tie.type if n.tie is not None else None
            if kind in ("stop", "continue") and pitches in tied:
                for k in tied[pitches]:
                    events[k] = dataclasses.replace(events[k], duration=events[k].duration + length)
                if kind == "stop":
                    del tied[pitches]
                continue
            onset = Fraction(n.getOffsetInHierarchy(part)).limit_denominator(960)
            velocity = int(n.volume.velocity or 90)
            if kind == "start":
                tied[pitches] = list(range(len(events), len(events) + len(pitches)))
            events += [Event(onset, length, name, p, velocity) for p in pitches]
    timeline = Timeline.build(
        title=parsed.metadata.title if parsed.metadata and parsed.metadata.title else path.stem,
        bars=bars,
        tempo=TempoMap([TempoSegment(Fraction(0), qpm)]),
        layers=layers,
    )
    timeline.events = tuple(
        sorted(
            e.__class__(
                e.onset, e.duration, e.layer, e.pitch, e.velocity, timeline.accent_at(e.onset)
            )
            for e in events
        )
    )
    return timeline
