"""A self-contained HTML page to project: notation, pictures, a player per example, words.

Everything is inside the one file (SVG inline, audio as Ogg Vorbis data URIs, one small
script of its own, no font, style or script from outside), so it works offline and from a
USB stick. Type is large, for the back of a classroom.

Under each player a beat light follows the music: the bar number and a row of the bar's
pulses (downbeat and group starts marked), the one sounding lit; a metronome of two meters
has a row for each. Before play the first pulse of bar 1 is lit, ready. It reads the
player's clock; a picture delay box at the top moves it later (or earlier, negative) to match a
projector's or a loudspeaker's lag.
"""

from __future__ import annotations

import base64
import itertools
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

from theme.classroom.pagedata import timeline_json
from theme.core.meter import DENOMINATORS, AccentLevel, Meter
from theme.core.timeline import Event, Timeline
from theme.errors import UsageError
from theme.output import Output, atomic_path, output_file
from theme.safe_text import clip

__all__ = [
    "MAX_PAGE_SECONDS",
    "NOTATION_BARS",
    "BeatRow",
    "PageSection",
    "audio_bytes",
    "beat_rows",
    "beats_json",
    "notation_svg",
    "page_html",
    "write_page",
]

NOTATION_BARS = 8
"""Bars of engraved notation shown with an example (a page's, a notebook's)."""


def notation_svg(timeline: Timeline, *, bars: int = NOTATION_BARS) -> str:
    """The first page of the engraved notation of the first ``bars`` bars, as inline SVG."""
    from theme.renderers.notation import svg

    return svg(timeline.head(bars))[0]


MAX_PAGE_SECONDS = 600
"""The longest sound a page's section holds, in seconds (10 minutes: about 5 MB of Ogg
Vorbis in the page, rendered in a few seconds)."""

STYLE = """
body { font-family: 'DejaVu Sans', Arial, sans-serif; font-size: 24px; line-height: 1.4;
       max-width: 1280px; margin: 0 auto; padding: 1em; color: #111; background: #fff; }
h1 { font-size: 2em; } h2 { font-size: 1.5em; border-top: 4px solid #0072B2; padding-top: .5em; }
section { margin-bottom: 2.5em; } figure { margin: 1em 0; overflow-x: auto; }
svg { max-width: 100%; height: auto; } audio { width: 100%; margin: .5em 0; }
pre { font-size: 18px; background: #f4f4f4; padding: .6em; overflow-x: auto; }
.note { color: #555; font-size: .8em; }
.beat { display: flex; align-items: center; gap: .8em; min-height: 2.4em; font-size: 1.4em; }
.beat .bar { min-width: 4.5em; font-weight: bold; }
.beat b { display: inline-block; width: 1.5em; height: 1.5em; border-radius: 50%;
          margin: 0 .2em; background: #ddd; border: 4px solid #ddd; }
.beat b.l0 { border-color: #D55E00; } .beat b.l1 { border-color: #E69F00; margin-left: 1em; }
.beat b.now { background: #0072B2; } .beat b.l0.now { background: #D55E00; }
.beat .meter { min-width: 3em; color: #555; }
.quiz button { font-size: 1em; margin: .2em .4em .2em 0; padding: .3em .8em; }
.quiz button.right { background: #009E73; color: #fff; } .quiz button.wrong { background: #D55E00; color: #fff; }
#quiz-score { position: sticky; top: 0; background: #fff; font-weight: bold; }
"""

SCRIPT_FILES = ("beatlight.js", "quiz.js")
"""The page's scripts, files of this package's ``js`` folder, inlined in this order."""


def page_script() -> str:
    """The page's JavaScript: every file of :data:`SCRIPT_FILES`, read from the package.

    >>> "requestAnimationFrame" in page_script()
    True
    """
    from importlib.resources import files

    folder = files("theme.classroom").joinpath("js")
    return "\n".join(folder.joinpath(name).read_text(encoding="utf-8") for name in SCRIPT_FILES)


DELAY_BOX = (
    "<p class='note'><label>Picture delay for the beat lights: <input id='picture-delay' "
    "type='number' value='0' step='10' style='width:5em;font-size:1em'> ms</label> "
    "(later if the sound comes late, as from Bluetooth speakers; negative if the projector "
    "lags)</p>"
)


@dataclass(frozen=True)
class BeatRow:
    """One row of a beat light: a label (the meter, or empty when the light has one row)
    and the bars as JSON (:func:`beats_json`)."""

    label: str
    bars: str


@dataclass
class PageSection:
    """One part of the page: a title, paragraphs, pictures (SVG text), an optional text
    grid, and the sound of a timeline (Ogg Vorbis bytes, made by :func:`audio_bytes`)."""

    title: str
    paragraphs: Sequence[str] = ()
    pictures: Sequence[str] = ()
    grid: str = ""
    audio: bytes | None = None
    notes: Sequence[str] = field(default_factory=list)
    lights: Sequence[BeatRow] = ()
    """The beat light's rows (:func:`beat_rows`); none without them."""
    data: str = ""
    """The music as the page's scripts read it (:func:`theme.classroom.pagedata.timeline_json`)."""
    markup: str = ""
    """HTML of the library's own making placed under the player (a quiz item's answer
    buttons, which the page's scripts score); never text from outside."""

    @classmethod
    def for_music(
        cls,
        title: str,
        music: Timeline,
        *,
        paragraphs: Sequence[str] = (),
        pictures: Sequence[str] = (),
        grid: str = "",
    ) -> PageSection:
        """A section that plays ``music``, with its beat light.

        Raises:
            UsageError: music longer than :data:`MAX_PAGE_SECONDS` (checked first).
        """
        check_page_seconds(music)
        return cls(
            title,
            paragraphs,
            pictures,
            grid=grid,
            audio=audio_bytes(music),
            lights=beat_rows(music),
            data=timeline_json(music),
        )


def check_page_seconds(timeline: Timeline) -> None:
    """Check that ``timeline`` fits on a page (at most :data:`MAX_PAGE_SECONDS`).

    Raises:
        UsageError: naming the music, its length and the limit.
    """
    seconds = timeline.duration_seconds
    if seconds > MAX_PAGE_SECONDS:
        raise UsageError(
            f"invalid length for a page: {clip(timeline.title)!r} lasts "
            f"{float(seconds) / 60:.1f} minutes; a page plays at most "
            f"{MAX_PAGE_SECONDS // 60} minutes a section (write .wav, .flac or .mid instead)"
        )


def audio_bytes(timeline: Timeline, *, rate: int = 44100) -> bytes:
    """The timeline as Ogg Vorbis at ``rate`` samples a second (about 8 kB a second),
    encoded block by block (one big Vorbis write crashes some libsndfile versions)."""
    from theme.renderers.audiofile import encode_audio

    return encode_audio(timeline, rate=rate, kind="ogg")


def beats_json(timeline: Timeline) -> str:
    """Each bar's number, the seconds of its pulses (from the tempo map, to a tenth of a
    millisecond) and their accent levels, as JSON for the page's beat light.

    >>> from theme.core.meter import Meter
    >>> beats_json(Timeline.build(title="t", bars=[(Meter.parse("5/4"), "")], tempo=120))
    '[{"n":1,"t":[0.0,0.5,1.0,1.5,2.0],"l":[0,2,2,1,2]}]'
    """
    bars = [
        {
            "n": bar.number,
            "t": [
                round(float(timeline.seconds_of(bar.number, beat)), 4)
                for beat in range(1, bar.meter.numerator + 1)
            ],
            "l": [int(level) for level in bar.meter.accent_levels()],
        }
        for bar in timeline.bars
    ]
    return json.dumps(bars, separators=(",", ":"))


def beat_rows(timeline: Timeline) -> tuple[BeatRow, ...]:
    """The rows of a timeline's beat light: its bars, and for a metronome of two meters
    the second meter's bars too (read from its clicks), each row labelled with its meter.

    >>> from theme.metronome import Metronome
    >>> [row.label for row in beat_rows(Metronome("5/4", vs="4/4", bars=2).timeline())]
    ['5/4', '4/4']
    >>> [row.label for row in beat_rows(Metronome("5/4", bars=2).timeline())]
    ['']
    """
    second = _second_meter(timeline)
    if second is None:
        return (BeatRow("", beats_json(timeline)),)
    label, bars = second
    return (
        BeatRow(str(timeline.bars[0].meter), beats_json(timeline)),
        BeatRow(label, json.dumps(bars, separators=(",", ":"))),
    )


def _second_meter(timeline: Timeline) -> tuple[str, list[dict[str, object]]] | None:
    """The second meter of a metronome timeline, from its clicks: its label and its bars
    (number, seconds of each pulse, accent levels), as :func:`beats_json` gives the first.

    Every bar of a metronome's layer has the same clicks, heard or silent (a gap bar), so
    the first bar (up to the next downbeat, or the first silent click) is the pattern:
    the clicks that are not subdivisions are the pulses."""
    from theme.metronome import SECOND

    events = [e for e in timeline.layer_events(SECOND.name) if e.onset < timeline.length]
    if not events:
        return None
    size = next(
        (
            i
            for i in range(1, len(events))
            if events[i].accent == AccentLevel.DOWNBEAT
            or (
                events[i].accent == AccentLevel.SILENT
                and events[i - 1].accent != AccentLevel.SILENT
            )
        ),
        len(events),
    )
    pattern = events[:size]
    keep = [j for j, e in enumerate(pattern) if e.accent != AccentLevel.SUBDIVISION]
    levels = [int(pattern[j].accent) for j in keep]
    bars: list[dict[str, object]] = []
    for n, first in enumerate(range(0, len(events), size), start=1):
        bar = events[first : first + size]
        seconds = [
            round(float(timeline.tempo_map.seconds_at(bar[j].onset)), 4)
            for j in keep
            if j < len(bar)
        ]
        bars.append({"n": n, "t": seconds, "l": levels[: len(seconds)]})
    return _meter_label(pattern, keep, levels), bars


def _meter_label(pattern: Sequence[Event], keep: list[int], levels: list[int]) -> str:
    """``'4/4'`` from a bar's pulses: their number, grouping and length; a bar stretched to
    another meter's length (``align='bar'``) is named by its grouping and pulses."""
    starts = [i for i, level in enumerate(levels) if level <= AccentLevel.GROUP] + [len(levels)]
    groups = "+".join(str(b - a) for a, b in itertools.pairwise(starts))
    if len(keep) > 1:
        pulse = pattern[keep[1]].onset - pattern[keep[0]].onset
        denominator = 4 / pulse
        if denominator.denominator == 1 and int(denominator) in DENOMINATORS:
            return str(Meter.parse(f"{groups}/{int(denominator)}"))
    return f"{groups} ({len(levels)} beats)"


def _section(section: PageSection, number: int) -> str:
    parts = [f"<section id='s{number}'><h2>{escape(section.title)}</h2>"]
    parts += [f"<p>{escape(p)}</p>" for p in section.paragraphs]
    if section.audio is not None:
        data = base64.b64encode(section.audio).decode("ascii")
        parts.append(f"<audio controls preload='auto' src='data:audio/ogg;base64,{data}'></audio>")
    if section.data:
        parts.append(f"<script type='application/json' class='timeline'>{section.data}</script>")
    parts.append(section.markup)
    parts += [_light(row) for row in section.lights]
    parts += [f"<figure>{svg}</figure>" for svg in section.pictures]
    if section.grid:
        parts.append(f"<pre>{escape(section.grid)}</pre>")
    parts += [f"<p class='note'>{escape(n)}</p>" for n in section.notes]
    return "".join(parts) + "</section>"


def _light(row: BeatRow) -> str:
    """A beat light's row as it stands before play: bar 1 with its first pulse lit."""
    bars: list[dict[str, Any]] = json.loads(row.bars)
    first: dict[str, Any] = bars[0] if bars else {"n": 1, "l": []}
    pulses = "".join(
        f"<b class='l{level}{' now' if i == 0 else ''}'></b>" for i, level in enumerate(first["l"])
    )
    label = f"<span class='meter'>{escape(row.label)}</span>" if row.label else ""
    return (
        f"<div class='beat ready' data-beats='{escape(row.bars)}' data-now='{first['n']}:1'>"
        f"{label}<span class='bar'>bar {first['n']}</span><span class='pulses'>{pulses}</span>"
        "</div>"
    )


def page_html(title: str, sections: Sequence[PageSection], *, intro: str = "") -> str:
    """The whole page as one HTML string."""
    body = "".join(_section(s, i) for i, s in enumerate(sections, start=1))
    lead = f"<p>{escape(intro)}</p>" if intro else ""
    lights = any(s.lights for s in sections)
    scripts = lights or any(s.markup for s in sections)
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{escape(title)}</title><style>{STYLE}</style></head>"
        f"<body><h1>{escape(title)}</h1>{lead}{DELAY_BOX if lights else ''}{body}"
        "<p class='note'>Made by theme. Rhythm, meter, accent and form only: the pitches are "
        "the project's own, not the theme's.</p>"
        f"{f'<script>{page_script()}</script>' if scripts else ''}</body></html>"
    )


def timeline_section(
    timeline: Timeline, *, title: str | None = None, notation_bars: int = 8
) -> PageSection:
    """A section for one timeline: notation of its first bars, its grid, its sound.

    Raises:
        UsageError: music longer than :data:`MAX_PAGE_SECONDS` (checked before any work).
    """
    from theme.renderers.text import section_grids

    check_page_seconds(timeline)

    return PageSection.for_music(
        title or timeline.title,
        timeline,
        paragraphs=[f"{len(timeline.bars)} bars, {float(timeline.duration_seconds):.1f} seconds."],
        pictures=[notation_svg(timeline, bars=notation_bars)],
        grid=section_grids(timeline),
    )


def write_page(timeline: Timeline, path: str | Path | Output, *, title: str | None = None) -> Path:
    """Write a page for one timeline (``theme export VARIANT -o page.html``).

    Raises:
        OutputFileError: not an ``.html`` path, a missing folder, no permission.
        UsageError: music longer than :data:`MAX_PAGE_SECONDS` (checked before any work).
    """
    out = output_file(path, ["html", "htm"])  # checked before the work
    html = page_html(title or timeline.title, [timeline_section(timeline)])
    with atomic_path(out) as tmp:
        tmp.write_text(html, encoding="utf-8")
    return Path(out)
