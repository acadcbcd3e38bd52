"""A self-contained HTML page to project: notation, pictures, a player per example, words.

Everything is inside the one file (SVG inline, the synthesizer's waveforms once a page,
the page's own scripts, no font, style or script from outside), so it works offline and
from a USB stick; a Content-Security-Policy lets the page load nothing else. Type is
large, for the back of a classroom.

Each example is an instrument, not a recording: the page plays its timeline with Web Audio
(``js/player.js``), every sound on its exact sample, with controls under the title: play
and stop, start from any bar, a tempo slider, box and tap, loops (a bar, a section, bars A
to B), thinning of the clicks and mute or solo for each layer.

Under each player a beat light follows the music: the bar number and a row of the bar's
pulses (downbeat and group starts marked), the one sounding lit; a metronome of two meters
has a row for each. Before play the first pulse of bar 1 is lit, ready. It follows the
player's heard position; a picture delay box at the top moves it later (or earlier,
negative) to match a projector's or a loudspeaker's lag.

The same position lights the notes heard in the engraved notation (``js/cursor.js``: each
note carries its onset and end in quarter notes, from verovio's timemap), the syllable
counted now and a conductor's baton for each meter (``js/conductor.js``,
:mod:`theme.page.follow`).
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

from theme.core.meter import DENOMINATORS, AccentLevel, Meter
from theme.core.tempo import length_words
from theme.core.timeline import Event, Timeline
from theme.errors import UsageError
from theme.output import Output, atomic_path, output_file
from theme.page.assets import script_text, style_text
from theme.page.controls import player_controls
from theme.page.data import safe_json, second_meter_clicks, timeline_json
from theme.safe_text import clip, counted, page_text

__all__ = [
    "MAX_PAGE_SECONDS",
    "NOTATION_BARS",
    "SCORE_BARS",
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
"""Bars of engraved notation shown with an example in a notebook."""
SCORE_BARS = 48
"""The most bars a page's score engraves: longer music gets its first ``SCORE_BARS``, and
the page says it is an excerpt (:func:`score_note`)."""


def notation_svg(timeline: Timeline, *, bars: int | None = None) -> str:
    """The engraved notation of every bar (or the first ``bars``) as inline SVG, in
    systems (verovio's ``g.system``) a page turns as the music plays, each note carrying
    its onset and end in quarter notes for the score cursor and each measure its start, for
    choosing a bar on the score (:func:`theme.renderers.notation.timed_svg`)."""
    from theme.renderers.notation import compact_svg, engrave, timed_svg

    shown = timeline if bars is None or bars >= len(timeline.bars) else timeline.head(bars)
    engraving = engrave(shown, header=False)
    return compact_svg(timed_svg(engraving.pages[0], engraving.notes, engraving.measures))


def score_note(timeline: Timeline, bars: int) -> str:
    """What a score of the first ``bars`` bars says of itself: nothing when it holds every
    bar, else that it is an excerpt.

    >>> from theme.core.meter import Meter
    >>> music = Timeline.build(title="t", bars=[(Meter.parse("5/4"), "")] * 60, tempo=120)
    >>> score_note(music, 48), score_note(music, 60)
    ('An excerpt: the score shows bars 1 to 48 of the 60 heard.', '')
    """
    if bars >= len(timeline.bars):
        return ""
    return f"An excerpt: the score shows bars 1 to {bars} of the {len(timeline.bars)} heard."


MAX_PAGE_SECONDS = 600
"""The longest music a page's section holds, in seconds (10 minutes)."""

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
          margin: 0 .2em; background: #ddd; border: 4px solid #ddd; vertical-align: middle; }
.beat b.l0 { border-color: #D55E00; border-radius: 12%; width: 1.9em; height: 1.9em; }
.beat b.l1 { border-color: #E69F00; margin-left: 1em; border-radius: 12%; }
.beat b.now { background: #0072B2; } .beat b.l0.now { background: #D55E00; }
.beat .meter { min-width: 3em; color: #555; }
.player { display: flex; flex-wrap: wrap; gap: .4em 1.2em; align-items: center; margin: .6em 0;
          padding: .5em; border: 2px solid #555; border-radius: .3em; font-size: .8em; }
.player button, .player input, .player select { font-size: 1em; padding: .15em .4em; }
.player input[type=number] { width: 5em; } .player .narrow { width: 3.5em; }
.player button[aria-pressed=true] { background: #111; color: #fff; font-weight: bold; }
.player button[aria-pressed=true]::before { content: '\u2713 '; }
.player button.play::before { content: '\u25b6 '; }
.player button.play[aria-pressed=true]::before { content: '\u25a0 '; }
.player :focus-visible { outline: 4px solid #0072B2; outline-offset: 2px; }
.player fieldset { border: 1px solid #999; display: flex; gap: .4em; flex-wrap: wrap; }
.player .err { font-weight: bold; } .player .err:not(:empty)::before { content: '\u26a0 '; }
.player .err:not(:empty) { border: 2px dashed #D55E00; padding: 0 .3em; }
.delay { width: 5em; font-size: 1em; }
svg .note.now, svg .note.now * { fill: #D55E00; color: #D55E00; }
svg .note .cursor-box { fill: none; stroke: #D55E00; visibility: hidden; }
svg .note.now .cursor-box { visibility: visible; }
.conductor { width: 11em; flex: none; }
.conductor .off { display: none; }
.conductor path { fill: none; stroke: #bbb; stroke-width: 3; }
.conductor .beat-mark circle { fill: #fff; stroke: #555; stroke-width: 2; }
.conductor .beat-mark text { font-size: 15px; text-anchor: middle; fill: #111; }
.conductor .beat-mark.now circle { fill: #0072B2; stroke: #111; stroke-width: 4; }
.conductor .beat-mark.now text { fill: #fff; font-weight: bold; }
.conductor .baton { fill: #D55E00; stroke: #111; stroke-width: 2; }
.quiz button { font-size: 1em; margin: .2em .4em .2em 0; padding: .3em .8em; }
.quiz button.right { background: #009E73; color: #fff; } .quiz button.wrong { background: #D55E00; color: #fff; }
#quiz-score { position: sticky; top: 0; background: #fff; font-weight: bold; }
audio { width: 100%; margin: .5em 0; }
"""

SCRIPT_FILES = (
    "sounds.js",
    "player.js",
    "loopplayer.js",
    "playercontrols.js",
    "tap.js",
    "beatlight.js",
    "cursor.js",
    "conductor.js",
    "recording.js",
    "quiz.js",
    "meters.js",
    "builder.js",
    "slides.js",
)
"""The page's scripts, files of the ``js`` folder (:mod:`theme.page.assets`), inlined in this order."""


def page_script(more: Sequence[str] = ()) -> str:
    """The page's JavaScript: every file of :data:`SCRIPT_FILES`, then those of ``more``,
    read from the package.

    >>> "requestAnimationFrame" in page_script()
    True
    """
    return script_text((*SCRIPT_FILES, *more))


STYLE_FILES = ("lesson.css",)
"""More of the page's style, files of this package's ``css`` folder, after :data:`STYLE`."""


def page_style(more: Sequence[str] = ()) -> str:
    """The page's CSS: :data:`STYLE` and every file of :data:`STYLE_FILES`, then ``more``.

    >>> "@media print" in page_style()
    True
    """
    return STYLE + style_text((*STYLE_FILES, *more))


DELAY_BOX = (
    "<p class='note controls'><label>Picture delay for the beat lights: <input id='picture-delay' "
    "class='delay' type='number' value='0' step='10'> ms</label> "
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
    grid, and music the page plays (its ``data``)."""

    title: str
    paragraphs: Sequence[str] = ()
    pictures: Sequence[str] = ()
    grid: str = ""
    notes: Sequence[str] = field(default_factory=list)
    lights: Sequence[BeatRow] = ()
    """The beat light's rows (:func:`beat_rows`); none without them."""
    data: str = ""
    """The music as the page's scripts read and play it
    (:func:`theme.page.data.timeline_json`); a section with data has a player."""
    follow: Sequence[str] = ()
    """Counting lines and a conductor for each meter, a row each
    (:func:`theme.page.follow.rows_html`), beside its beat light."""
    count: str = ""
    """The count shown first (:data:`theme.page.follow.COUNTS`; empty: the default)."""
    score: str = ""
    """The engraved score (:func:`notation_svg`), which the page turns as the music plays."""
    score_note: str = ""
    """Words under the score: that it is an excerpt (:func:`score_note`), else empty."""
    markup: str = ""
    """HTML of the library's own making placed under the player (a quiz item's answer
    buttons, which the page's scripts score; the meter builder's panel); never text from
    outside."""
    kind: str = ""
    """A class for the section element (``'builder'``), for the page's style and scripts."""
    audio: bytes | None = None
    """A recording (Ogg Vorbis, :func:`audio_bytes`) in an audio element, for a section
    whose music the page must not spell out (a quiz item: no timeline data to read the
    answer from); a section with ``data`` plays through the page's own player instead."""
    scripts: Sequence[str] = ()
    """More script files (of the package's ``js`` folder) the section's markup needs (the
    groove editor's), inlined once a page after the page's own."""
    styles: Sequence[str] = ()
    """More style files (of the package's ``css`` folder) the section's markup needs."""
    sounds: Sequence[str] = ()
    """More sounds (names of :func:`theme.page.sounds.sounds_data`) the section's
    scripts play (a groove's instruments)."""

    @classmethod
    def for_music(
        cls,
        title: str,
        music: Timeline,
        *,
        paragraphs: Sequence[str] = (),
        pictures: Sequence[str] = (),
        grid: str = "",
        score: str = "",
        score_note: str = "",
        count: str = "",
    ) -> PageSection:
        """A section that plays ``music``, with its beat light, its counting and conducting
        (``count`` shown first), and its ``score`` if it has one.

        Raises:
            UsageError: music longer than :data:`MAX_PAGE_SECONDS` (checked first).
        """
        from theme.page.follow import rows_html

        check_page_seconds(music)
        lights = beat_rows(music)
        return cls(
            title,
            paragraphs,
            pictures,
            grid=grid,
            lights=lights,
            data=timeline_json(music),
            follow=rows_html(music, [row.label for row in lights]),
            count=count,
            score=score,
            score_note=score_note,
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
            f"{length_words(seconds)}; a page plays at most "
            f"{MAX_PAGE_SECONDS // 60} minutes a section (write .wav, .flac or .mid instead)"
        )


def audio_bytes(timeline: Timeline, *, rate: int = 44100) -> bytes:
    """The timeline as Ogg Vorbis at ``rate`` samples a second (about 8 kB a second),
    encoded block by block (one big Vorbis write crashes some libsndfile versions); a
    notebook's player uses it (a page plays its music itself)."""
    from theme.renderers.audiofile import encode_audio

    return encode_audio(timeline, rate=rate, kind="ogg")


def beats_json(timeline: Timeline) -> str:
    """Each bar's number, the quarter positions (``q``) and seconds (``t``, from the tempo
    map, to a tenth of a millisecond) of its pulses and their accent levels, as JSON for the
    page's beat light.

    >>> from theme.core.meter import Meter
    >>> beats_json(Timeline.build(title="t", bars=[(Meter.parse("5/4"), "")], tempo=120))
    '[{"n":1,"q":[0.0,1.0,2.0,3.0,4.0],"t":[0.0,0.5,1.0,1.5,2.0],"l":[0,2,2,1,2]}]'
    """
    bars = []
    for bar in timeline.bars:
        pulses = [
            timeline.quarter_of(bar.number, beat) for beat in range(1, bar.meter.numerator + 1)
        ]
        bars.append(
            {
                "n": bar.number,
                "q": [float(q) for q in pulses],
                "t": [round(float(timeline.tempo_map.seconds_at(q)), 4) for q in pulses],
                "l": [int(level) for level in bar.meter.accent_levels()],
            }
        )
    return json.dumps(bars, separators=(",", ":"))


def beat_rows(timeline: Timeline) -> tuple[BeatRow, ...]:
    """The rows of a timeline's beat light: its bars, and for a metronome of two meters
    the second meter's bars too (read from its clicks), each row labelled with its meter.

    >>> from theme.metronome import Metronome
    >>> [row.label for row in beat_rows(Metronome("5/4", vs="4/4", bars=2).timeline())]
    ['5/4 (3+2)', '4/4 (2+2)']
    >>> [row.label for row in beat_rows(Metronome("5/4", bars=2).timeline())]
    ['']
    """
    second = _second_meter(timeline)
    if second is None:
        return (BeatRow("", beats_json(timeline)),)
    label, bars = second
    return (
        BeatRow(timeline.bars[0].meter.label, beats_json(timeline)),
        BeatRow(label, json.dumps(bars, separators=(",", ":"))),
    )


def _second_meter(timeline: Timeline) -> tuple[str, list[dict[str, object]]] | None:
    """The second meter of a metronome timeline, from its clicks: its label and its bars
    (number, quarter position and seconds of each pulse, accent levels), as
    :func:`beats_json` gives the first.

    Every bar of a metronome's layer has the same clicks, heard or silent (a gap bar), so
    the first bar (up to the next downbeat, or the first silent click) is the pattern:
    the clicks that are not subdivisions are the pulses."""
    second = second_meter_clicks(timeline)
    if second is None:
        return None
    events, size = second
    pattern = events[:size]
    keep = [j for j, e in enumerate(pattern) if e.accent != AccentLevel.SUBDIVISION]
    levels = [int(pattern[j].accent) for j in keep]
    bars: list[dict[str, object]] = []
    for n, first in enumerate(range(0, len(events), size), start=1):
        bar = events[first : first + size]
        onsets = [bar[j].onset for j in keep if j < len(bar)]
        bars.append(
            {
                "n": n,
                "q": [float(q) for q in onsets],
                "t": [round(float(timeline.tempo_map.seconds_at(q)), 4) for q in onsets],
                "l": levels[: len(onsets)],
            }
        )
    return _meter_label(pattern, keep, levels), bars


def _meter_label(pattern: Sequence[Event], keep: list[int], levels: list[int]) -> str:
    """``'4/4 (2+2)'`` from a bar's pulses: their number, grouping and length; a bar stretched to
    another meter's length (``align='bar'``) is named by its grouping and pulses."""
    starts = [i for i, level in enumerate(levels) if level <= AccentLevel.GROUP] + [len(levels)]
    groups = "+".join(str(b - a) for a, b in itertools.pairwise(starts))
    if len(keep) > 1:
        pulse = pattern[keep[1]].onset - pattern[keep[0]].onset
        denominator = 4 / pulse
        if denominator.denominator == 1 and int(denominator) in DENOMINATORS:
            return Meter.parse(f"{groups}/{int(denominator)}").label
    return f"{counted(len(levels), 'beat')} ({groups})"


def _section(section: PageSection, number: int) -> str:
    """A section as the page shows it: its title and words; the teacher's drawer (the
    player's controls and the count menu, which slides fold away); the stage (a row a
    meter: beat light, count and conductor); the score; the pictures; the grid and notes."""
    from theme.page.follow import DEFAULT_COUNT, count_menu

    kind = f" class='{escape(section.kind)}'" if section.kind else ""
    count = section.count or DEFAULT_COUNT
    counted = f" data-count='{escape(count)}'" if section.follow else ""
    parts = [f"<section id='s{number}'{kind}{counted}><h2>{escape(section.title)}</h2>"]
    if section.paragraphs:
        parts.append(
            "<div class='words'>" + "".join(f"<p>{escape(p)}</p>" for p in section.paragraphs)
        )
        parts.append("</div>")
    if section.data:
        parts.append(
            f"<div class='drawer' id='s{number}-drawer' role='region' "
            'aria-label="Teacher\'s controls">'
            + player_controls(number, json.loads(section.data))
            + (count_menu(number, count) if section.follow else "")
            + "</div>"
        )
        parts.append(f"<script type='application/json' class='timeline'>{section.data}</script>")
    if section.audio is not None and not section.data:  # a recording: a quiz item's
        sound = base64.b64encode(section.audio).decode("ascii")
        parts.append(f"<audio controls preload='auto' src='data:audio/ogg;base64,{sound}'></audio>")
    parts.append(section.markup)
    rows = [
        "<div class='meter-row'>" + light + follow + "</div>"
        for light, follow in itertools.zip_longest(
            [_light(row) for row in section.lights], section.follow, fillvalue=""
        )
    ]
    if rows:
        parts.append("<div class='stage'>" + "".join(rows) + "</div>")
    if section.score:
        note = (
            f"<figcaption>{escape(section.score_note)}</figcaption>" if section.score_note else ""
        )
        parts.append(
            f"<figure class='score'><div class='score-frame'>{section.score}</div>{note}</figure>"
        )
    parts += [f"<figure class='picture'>{svg}</figure>" for svg in section.pictures]
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


def sounds_element(sections: Sequence[PageSection], more: Sequence[str] = ()) -> str:
    """The page's sounds, once for all its sections
    (:func:`theme.page.sounds.sounds_data`), and the sounds ``more`` names, as a
    JSON element; empty when no section plays."""
    from theme.page.sounds import sound_names, sounds_data

    music = [json.loads(s.data) for s in sections if s.data]
    if not music and not any(s.markup for s in sections):  # a panel may make clicks
        return ""
    data = safe_json(sounds_data(sorted({*sound_names(music), *more})))
    return f"<script type='application/json' id='theme-sounds'>{data}</script>"


def _sha256(text: str) -> str:
    return "'sha256-" + base64_digest(text) + "'"


def base64_digest(text: str) -> str:
    """The base64 of the SHA-256 of ``text`` (UTF-8), as a Content-Security-Policy names it.

    >>> base64_digest("")
    '47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='
    """
    return base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


NONE = "'none'"
_STYLE_ELEMENT = re.compile(r"<style[^>]*>(.*?)</style>", re.DOTALL)


def html_document(head: str, body: str, script: str = "", *, recordings: bool = False) -> str:
    """A whole page: ``head``'s elements and ``body`` (the ``<body>`` element, holding
    ``script``, the page's one inline script) under the :func:`content_policy` they need,
    for any width of screen.

    >>> html_document("<title>T</title>", "<body>hi</body>").endswith(
    ...     "initial-scale=1'><title>T</title></head><body>hi</body></html>"
    ... )
    True
    """
    policy = content_policy(head + body, script, recordings=recordings)
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<meta http-equiv='Content-Security-Policy' content=\"{policy}\">"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"{head}</head>{body}</html>"
    )


def content_policy(body: str, script: str, *, recordings: bool = False) -> str:
    """The page's Content-Security-Policy: nothing from anywhere (``default-src 'none'``)
    but its own script (by its hash), its style elements (by their hashes, the notation's
    too), its notation font and pictures from ``data:`` URIs (and its ``recordings``'
    sound); no form, no base URL."""
    styles = sorted({_sha256(m) for m in _STYLE_ELEMENT.findall(body)})
    scripts = [_sha256(script)] if script else []
    return "; ".join(
        [
            "default-src 'none'",
            f"script-src {' '.join(scripts) or NONE}",
            f"style-src {' '.join(styles) or NONE}",
            "font-src data:",
            "img-src data:",
            *(["media-src data:"] if recordings else []),
            "base-uri 'none'",
            "form-action 'none'",
        ]
    )


def page_html(
    title: str,
    sections: Sequence[PageSection],
    *,
    intro: str = "",
    slides: bool = False,
    scripts: Sequence[str] = (),
    styles: Sequence[str] = (),
    sounds: Sequence[str] = (),
) -> str:
    """The whole page as one HTML string; with ``slides`` its sections are shown one a
    screen, a stage (keys, a clicker or a swipe move on; printed, every section gets a
    page). A page that plays music without ``slides`` opens as one long page, its stage a
    button (or ``#slide-1``) away. Text from outside in it (a title from a file, in the
    headings, the notation, the player's label) goes through
    :func:`~theme.safe_text.page_text`: no NUL, control character or bidirectional override
    reaches the page. ``scripts``, ``styles`` and ``sounds``: more script and style files
    (of the package's ``js`` and ``css`` folders) and sounds (names of
    :func:`theme.page.sounds.sounds_data`) a page of its own needs (the studio)."""
    body = "".join(_section(s, i) for i, s in enumerate(sections, start=1))
    scripts = _once([*scripts, *(name for s in sections for name in s.scripts)])
    styles = _once([*styles, *(name for s in sections for name in s.styles)])
    sounds = _once([*sounds, *(name for s in sections for name in s.sounds)])
    lead = f"<p>{escape(intro)}</p>" if intro else ""
    playing = any(s.data or s.lights for s in sections)
    scripted = playing or slides or any(s.markup for s in sections)
    script = page_script(scripts) if scripted else ""
    head = f"<title>{escape(title)}</title><style>{page_style(styles)}</style>"
    staged = " data-slides" if slides else " data-slides='long'" if playing else ""
    body = (
        f"<body{staged}><h1>{escape(title)}</h1>{lead}"
        f"{DELAY_BOX if playing else ''}{body}"
        "<p class='note'>Made by theme. Rhythm, meter, accent and form only: the pitches are "
        "the project's own, not the theme's.</p>"
        f"{sounds_element(sections, sounds)}{f'<script>{script}</script>' if script else ''}</body>"
    )
    head, body, script = page_text(head), page_text(body), page_text(script)
    return html_document(head, body, script, recordings=any(s.audio for s in sections))


def _once(names: Sequence[str]) -> list[str]:
    """``names`` in their order, each once.

    >>> _once(["a.js", "b.js", "a.js"])
    ['a.js', 'b.js']
    """
    return list(dict.fromkeys(names))


def timeline_section(
    timeline: Timeline, *, title: str | None = None, notation_bars: int = SCORE_BARS
) -> PageSection:
    """A section for one timeline: its score (every bar, up to ``notation_bars``, saying so
    when it is an excerpt), its grid, its sound.

    Raises:
        UsageError: music longer than :data:`MAX_PAGE_SECONDS` (checked before any work).
    """
    from theme.renderers.text import section_grids

    check_page_seconds(timeline)

    return PageSection.for_music(
        title or timeline.title,
        timeline,
        paragraphs=[
            f"{counted(len(timeline.bars), 'bar')}, {float(timeline.duration_seconds):.1f} seconds."
        ],
        score=notation_svg(timeline, bars=notation_bars),
        score_note=score_note(timeline, notation_bars),
        grid=section_grids(timeline),
    )


def write_page(
    timeline: Timeline,
    path: str | Path | Output,
    *,
    title: str | None = None,
    more: Sequence[PageSection] = (),
) -> Path:
    """Write a page for one timeline (``theme export VARIANT -o page.html``), and the
    sections ``more`` after it (a metronome's page: the meter builder).

    Raises:
        OutputFileError: not an ``.html`` path, a missing folder, no permission.
        UsageError: music longer than :data:`MAX_PAGE_SECONDS` (checked before any work).
    """
    out = output_file(path, ["html", "htm"])  # checked before the work
    html = page_html(title or timeline.title, [timeline_section(timeline), *more])
    with atomic_path(out) as tmp:
        tmp.write_text(html, encoding="utf-8")
    return Path(out)
