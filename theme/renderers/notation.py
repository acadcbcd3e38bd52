"""Notation: MusicXML through music21, engraved SVG through verovio, and MusicXML back in.

- :func:`write_musicxml` writes MusicXML 4.0 that MuseScore opens with the right meters and
  beaming (the grouping is written as beams; a MusicXML ``<time>`` holds only N/D).
- :func:`svg` engraves the timeline with verovio, one SVG string a page, sized for a
  projector; :func:`write_svg` writes ``name.svg`` (and ``name-2.svg``... for more pages).
- :func:`engrave` gives the pages and, from verovio's timemap, each engraved note's onset
  and length in quarter notes (:class:`NoteTime`, keyed by the note's SVG id);
  :func:`timed_svg` writes them on the notes (``data-on``, ``data-off``) for a page's
  score cursor, and each bar's start on its measure (``data-start``), where a click on the
  score chooses a bar.
- a MusicXML file of your own is read into a timeline by
  :func:`theme.readers.musicxml.read_musicxml`.

music21 and verovio are imported only when these functions run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

from theme.core.timeline import Timeline
from theme.errors import OutputFileError
from theme.output import Output, atomic_path, output_file

__all__ = [
    "Engraving",
    "NoteTime",
    "compact_svg",
    "engrave",
    "measure_starts",
    "musicxml_string",
    "note_times",
    "svg",
    "timed_svg",
    "with_staff_names",
    "write_musicxml",
    "write_svg",
]

QUARTER_GRID = 1920
"""Every position the library makes is a whole number of 1/1920 quarter notes; verovio's
float quarter stamps are read back onto this grid."""


def musicxml_string(timeline: Timeline) -> str:
    """The timeline as a MusicXML document (a str)."""
    from music21.musicxml.m21ToXml import GeneralObjectExporter

    from theme.renderers.score import to_score

    exporter = GeneralObjectExporter(to_score(timeline))
    exporter.makeNotation = False  # the score is made complete, bar by bar (theme.renderers.score)
    data = exporter.parse()
    return with_staff_names(data.decode("utf-8"))


_PART_NAME = re.compile(r"(<part-name>)([^<]*)(</part-name>)")


def with_staff_names(text: str) -> str:
    """MusicXML ``text`` with the name each staff shows (``<part-name-display>``: ``Click``,
    ``Bongos``) after each part's name, which stays the layer's name (read back as it).

    >>> with_staff_names("<part-name>vs</part-name>")
    '<part-name>vs</part-name><part-name-display><display-text>Second click</display-text></part-name-display>'
    """
    from xml.sax.saxutils import escape, unescape

    from theme.renderers.score import staff_name

    def named(match: re.Match[str]) -> str:
        shown = escape(staff_name(unescape(match.group(2))))
        return (
            f"{match.group(0)}<part-name-display><display-text>{shown}</display-text>"
            "</part-name-display>"
        )

    return _PART_NAME.sub(named, text)


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


@dataclass(frozen=True)
class NoteTime:
    """When an engraved note sounds: ``onset`` and ``duration`` in quarter notes from the
    start of the music. A note tied on is its own note here (the written note, as the eye
    reads it), so a long note split at a group or a barline is several."""

    onset: Fraction
    duration: Fraction

    @property
    def end(self) -> Fraction:
        """Where the note stops, in quarter notes."""
        return self.onset + self.duration


@dataclass(frozen=True)
class Engraving:
    """verovio's engraving of a timeline: one SVG document a page, the time of each
    note and the start of each measure (quarter notes), keyed by its id in the SVG (the ids
    are verovio's, made afresh each time)."""

    pages: tuple[str, ...]
    notes: dict[str, NoteTime]
    measures: dict[str, Fraction] = field(default_factory=dict)


def engrave(
    timeline: Timeline, *, width: int = 2100, scale: int = 45, header: bool = True
) -> Engraving:
    """Engraved notation and the time of every note (see :func:`svg` for the options);
    without ``header`` no title is engraved over the first system (a page's section has
    its own).

    Raises:
        OutputFileError: verovio could not read the MusicXML made from the timeline.
    """
    import verovio

    verovio.enableLog(verovio.LOG_OFF)  # its [Warning] lines went to stderr past our own
    toolkit = verovio.toolkit()
    toolkit.setOptions(
        {
            "pageWidth": width,
            "pageHeight": 60000,
            "adjustPageHeight": True,
            "scale": scale,
            "breaks": "auto",
            "header": "auto" if header else "none",
            "footer": "none",
            "svgViewBox": True,
            "svgAdditionalAttribute": ["staff@n"],  # each staff says which part it is
        }
    )
    if not toolkit.loadData(_with_title_that_fits(musicxml_string(timeline))):
        raise OutputFileError(f"verovio could not engrave {timeline.title!r}")
    pages = tuple(toolkit.renderToSVG(page) for page in range(1, toolkit.getPageCount() + 1))
    timemap = toolkit.renderToTimemap({"includeMeasures": True, "includeRests": False})
    notes, measures = note_times(timemap), measure_starts(timemap)
    if any(layer.meter is not None for layer in timeline.layers.values()):
        notes, measures = _staff_times(timeline, toolkit.getMEI(), notes, measures)
    return Engraving(pages, notes, measures)


TITLE_CHARACTERS = 56
"""The most characters of a title verovio's engraving shows in a line across the page (the
default width and scale): a longer title is shortened to its head (:func:`score_title`)."""


def score_title(title: str, most: int = TITLE_CHARACTERS) -> str:
    """The title an engraving shows: ``title``, or when longer than ``most`` characters its
    head before the last ``': '`` or ``', '`` that leaves a head short enough, else its
    words up to ``most`` characters and an ellipsis.

    >>> score_title("Blue Rondo a la Turk (Brubeck), 9/8: three bars of 2+2+2+3, one of 3+3+3")
    'Blue Rondo a la Turk (Brubeck), 9/8'
    >>> score_title("A limping waltz in 5/4 (2+3), in the style of Tchaikovsky's Sixth")
    'A limping waltz in 5/4 (2+3)'
    >>> score_title("word " * 20)
    'word word word word word word word word word word word…'
    """
    title = title.strip()
    if len(title) <= most:
        return title
    for mark in (": ", ", "):
        cut = title.rfind(mark, 0, most + 1)
        if cut > 0:
            return title[:cut]
    words = title[:most].rsplit(" ", 1)[0]
    return words.rstrip(" ,:;") + "…"


def _with_title_that_fits(text: str) -> str:
    """MusicXML ``text`` with its movement title (the one verovio writes over the score)
    shortened to :func:`score_title`; the work title keeps the whole title."""
    from xml.sax.saxutils import escape, unescape

    def shortened(match: re.Match[str]) -> str:
        return f"{match.group(1)}{escape(score_title(unescape(match.group(2))))}{match.group(3)}"

    return re.sub(r"(<movement-title>)([^<]*)(</movement-title>)", shortened, text, count=1)


_MEI = "{http://www.music-encoding.org/ns/mei}"
_XML_ID = "{http://www.w3.org/XML/1998/namespace}id"


def _staff_times(
    timeline: Timeline, mei: str, notes: dict[str, NoteTime], measures: dict[str, Fraction]
) -> tuple[dict[str, NoteTime], dict[str, Fraction]]:
    """The notes' and measures' times when a staff has bars of its own meter
    (:attr:`~theme.core.events.Layer.meter`): verovio lays the staves' measures side by side
    and times each measure by its longest staff, so each note is moved by how far its own
    staff's bar starts from verovio's measure (quarter notes), and each measure starts
    where the timeline's bar does (the first staff's; past its last bar, where the bar of
    the staff that goes on starts)."""
    import xml.etree.ElementTree as ET

    from theme.renderers.score import staff_bars

    bars = [
        staff_bars(timeline, layer, timeline.layer_events(layer.name))
        for layer in timeline.layers.values()
    ]
    retimed: dict[str, NoteTime] = {}
    starts: dict[str, Fraction] = {}
    root = ET.fromstring(mei)
    for index, measure in enumerate(root.iter(f"{_MEI}measure")):
        engraved = measures.get(measure.get(_XML_ID, ""))
        if engraved is None:
            continue
        own = [staff for staff in bars if index < len(staff)]  # past the first's: another's
        if own:
            first = timeline.bars[index] if index < len(timeline.bars) else own[0][index]
            starts[measure.get(_XML_ID, "")] = first.start
        for staff in measure.iter(f"{_MEI}staff"):
            number = int(staff.get("n", "1")) - 1
            if not 0 <= number < len(bars) or index >= len(bars[number]):
                continue
            shift = bars[number][index].start - engraved
            for note in staff.iter(f"{_MEI}note"):
                time = notes.get(note.get(_XML_ID, ""))
                if time is not None:
                    retimed[note.get(_XML_ID, "")] = NoteTime(time.onset + shift, time.duration)
    ordered = dict(sorted(retimed.items(), key=lambda item: (item[1].onset, item[0])))
    return ordered, starts


def note_times(timemap: list[dict[str, Any]]) -> dict[str, NoteTime]:
    """Each note's onset and duration from verovio's timemap: entries in time order, each
    with ``qstamp`` (its position in quarter notes, a float), the ids of the notes that
    start (``on``) and stop (``off``) there. The quarter stamp is used, not ``tstamp`` (the
    milliseconds at the score's own metronome marks), so a tempo change or a ramp changes
    nothing. A stamp is read back as the nearest Fraction with a denominator of at most
    1920: exactly the position, for every position the library makes. A note with no length
    (a grace note) or no end is left out: no time is heard for it.

    >>> note_times([{"qstamp": 0, "on": ["a", "b"]}, {"qstamp": 1.5, "off": ["a"], "on": ["c"]},
    ...             {"qstamp": 2.0, "off": ["b"]}, {"qstamp": 2.3333333333333335, "off": ["c"]}])
    {'a': NoteTime(onset=Fraction(0, 1), duration=Fraction(3, 2)), \
'b': NoteTime(onset=Fraction(0, 1), duration=Fraction(2, 1)), \
'c': NoteTime(onset=Fraction(3, 2), duration=Fraction(5, 6))}
    """
    onsets: dict[str, Fraction] = {}
    times: dict[str, NoteTime] = {}
    for entry in timemap:
        position = Fraction(entry.get("qstamp", 0)).limit_denominator(QUARTER_GRID)
        for note in entry.get("off", ()):
            onset = onsets.pop(note, None)
            if onset is not None and position > onset:
                times[note] = NoteTime(onset, position - onset)
        for note in entry.get("on", ()):
            onsets[note] = position
    return dict(sorted(times.items(), key=lambda item: (item[1].onset, item[0])))


def measure_starts(timemap: list[dict[str, Any]]) -> dict[str, Fraction]:
    """Each measure's start in quarter notes, from the entries of verovio's timemap that
    open one (``measureOn``, with ``includeMeasures``), read back as :func:`note_times`
    reads its stamps.

    >>> measure_starts([{"qstamp": 0, "measureOn": "m1", "on": ["a"]}, {"qstamp": 1.5, "on": ["b"]},
    ...                 {"qstamp": 3.5, "measureOn": "m2"}])
    {'m1': Fraction(0, 1), 'm2': Fraction(7, 2)}
    """
    return {
        entry["measureOn"]: Fraction(entry.get("qstamp", 0)).limit_denominator(QUARTER_GRID)
        for entry in timemap
        if "measureOn" in entry
    }


_ID = re.compile(r' id="([^"]+)"')


def timed_svg(
    page: str, notes: dict[str, NoteTime], measures: dict[str, Fraction] | None = None
) -> str:
    """The SVG ``page`` with each timed note's onset and end written on its element, in
    quarter notes (``data-on``, ``data-off``, as decimals), for the page's score cursor, and
    each measure's start (``data-start``), for choosing a bar by clicking the score.

    >>> timed_svg('<g id="n1" class="note"/><g id="m1"/>', {"n1": NoteTime(Fraction(1, 3), Fraction(1))},
    ...           {"m1": Fraction(5)})
    '<g id="n1" data-on="0.3333333333333333" data-off="1.3333333333333333" class="note"/><g id="m1" data-start="5.0"/>'
    """
    starts = measures or {}

    def with_time(match: re.Match[str]) -> str:
        start = starts.get(match.group(1))
        if start is not None:
            return f'{match.group(0)} data-start="{float(start)!r}"'
        time = notes.get(match.group(1))
        if time is None:
            return match.group(0)
        return f'{match.group(0)} data-on="{float(time.onset)!r}" data-off="{float(time.end)!r}"'

    return _ID.sub(with_time, page)


_INDENT = re.compile(r">\n\s*<")


def compact_svg(page: str) -> str:
    """verovio's SVG without the line breaks and indentation between its tags (a fifth of
    its size). Its texts keep their look: the whitespace dropped lies in ``<text>``
    elements of font size 0, whose words are in ``<tspan>`` elements of their own.

    >>> compact_svg('<g>\\n   <text font-size="0px">\\n      <tspan> = </tspan>\\n   </text>\\n</g>')
    '<g><text font-size="0px"><tspan> = </tspan></text></g>'
    """
    return _INDENT.sub("><", page)


def svg(timeline: Timeline, *, width: int = 2100, scale: int = 45) -> list[str]:
    """Engraved notation, one SVG document a page.

    ``width`` is the page width in verovio units (tenths of a millimetre at scale 100);
    ``scale`` the zoom in percent. The defaults fit about four 5/4 bars a system, readable
    from the back of a classroom.

    Raises:
        OutputFileError: verovio could not read the MusicXML made from the timeline.
    """
    return list(engrave(timeline, width=width, scale=scale).pages)


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
