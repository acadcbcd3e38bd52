"""The studio: a page where pupils make a groove of their own, hear it, share it by link
and take it home (MIDI, a variant file).

The page is the meter builder (:mod:`theme.page.builder`) with a groove editor under
it (``js/studio.js``): a row a voice, a box a pulse or part of one, for every bar. The groove
travels in the page's address (:mod:`theme.variants.groove`), so the page works from a
file, a USB stick or any static web server; the command line reads the same link. The
built-in grooves are on the page as links, to start from.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from theme.core.meter import Meter
from theme.output import Output, atomic_path, output_file
from theme.page.builder import BuilderSettings, builder_panel
from theme.page.document import PageSection, page_html
from theme.variants import load, names
from theme.variants.groove import SOUNDS, Groove

__all__ = [
    "STUDIO_SCRIPT_FILES",
    "STUDIO_SOUNDS",
    "STUDIO_STYLE_FILES",
    "practice_html",
    "starting_grooves",
    "studio_html",
    "write_studio",
]

STUDIO_SCRIPT_FILES = (
    "groove.js",
    "groovemidi.js",
    "groovesound.js",
    "grooveconductor.js",
    "qr.js",
    "studio.js",
    "practice.js",
)
"""The studio's own scripts (files of this package's ``js`` folder), inlined after the
page's (:data:`theme.page.document.SCRIPT_FILES`)."""

STUDIO_STYLE_FILES = ("studio.css",)
"""The studio's own style (files of this package's ``css`` folder)."""

STUDIO_SOUNDS = tuple(
    f"{voice}/{pitch}" for voice, (_, _, pitch, _) in SOUNDS.items() if voice != "click"
)
"""The sounds a groove's rows make (the clicks are on every page)."""

STUDIO_TITLE = "Studio: make your own groove"
STUDIO_INTRO = (
    "Build a meter, then click the boxes to make a groove in it. Press Play to hear it go "
    "round. The address of this page holds your groove: copy it to share it, or download it "
    "to take home."
)


FOLLOW = (
    "<div class='studio-follow'><p class='studio-count' aria-hidden='true'></p>"
    "<svg class='conductor studio-conductor' viewBox='0 0 200 160' role='img' "
    "aria-label='conducting pattern'></svg></div>"
)
"""The count and a conductor's pattern with its baton, drawn by the scripts."""


def starting_grooves() -> list[dict[str, str]]:
    """The built-in variants a groove can start from: name, title and link, in the order
    ``theme list`` gives them (those whose first section fits a groove's grid)."""
    found = []
    for name in names():
        variant = load(name)
        groove = Groove.from_variant(variant)
        if groove is not None:
            found.append({"name": name, "title": variant.title, "link": groove.link()})
    return found


def _panel(starts: list[dict[str, str]], settings: BuilderSettings, practice: bool) -> str:
    options = "".join(
        f"<option value='{escape(s['link'])}'>{escape(s['title'])}</option>" for s in starts
    )
    return (
        "<div class='studio' data-studio>"
        "<p class='studio-error' role='alert'></p>"
        "<div class='start'><label>Start from <select class='start-from' autocomplete='off'>"
        f"{options}</select></label>"
        "<button type='button' class='edit-this'>Edit this groove</button></div>"
        + builder_panel(settings)
        + "<fieldset class='groove-sound'><legend>Your groove</legend><div class='fields'>"
        "<label>Bars <input class='groove-bars' type='number' min='1' max='16' step='1' "
        "inputmode='numeric' value='2' autocomplete='off'></label>"
        "<label><input class='count-in' type='checkbox' autocomplete='off'> Count in one "
        "bar</label>"
        "<button type='button' class='groove-play' aria-pressed='false'>Play</button>"
        "<button type='button' class='groove-stop'>Stop</button>"
        "<button type='button' class='clear'>Clear all boxes</button></div></fieldset>"
        "<div class='studio-beat' aria-hidden='true'><span class='bar'>ready</span>"
        "<span class='pulses'></span></div>"
        "<div class='studio-beat second-light' aria-hidden='true' hidden><span class='bar'>"
        "</span><span class='pulses'></span></div>"
        + FOLLOW
        + "<p class='note'>Click or tap a box: once for a note (x), twice for an accent (X), a "
        "third time for a rest. With the keys: the arrows move, Space or Enter sets a box. "
        "The coloured edge marks where each group of pulses starts.</p>"
        "<p class='note swipe-hint'>Swipe the boxes sideways to see the whole bar.</p>"
        "<div class='groove-grid' role='grid' aria-label='The groove: a row for each "
        "instrument, a box for each pulse'></div>"
        "<h3>Box notation</h3><pre class='box-notation'></pre>"
        "<h3>Share it</h3><p>This link plays your groove on any computer or phone:</p>"
        "<div class='share-row'><input class='groove-link' type='text' readonly "
        "aria-label='Link to your groove' autocomplete='off'>"
        "<button type='button' class='copy-link'>Copy link</button></div>"
        + (
            "<p><a class='practice-link' href='practice.html'>Practise it on a phone</a>: a big "
            "beat light, a count-in and a button to tap along.</p>"
            if practice
            else ""
        )
        + "<div class='groove-qr' hidden><p>Scan it with a phone:</p><div class='code'></div></div>"
        "<h3>Take it home</h3><div class='share-row'>"
        "<button type='button' class='download-midi'>Download MIDI (.mid)</button>"
        "<button type='button' class='download-toml'>Download a variant file (.toml)</button>"
        "</div><p class='note'>With theme on a computer: <code class='groove-command'></code> "
        "(or -o groove.musicxml for MuseScore).</p>"
        "<noscript><p>The studio needs JavaScript.</p></noscript></div>"
    )


def studio_html(start: Groove | None = None, *, practice: bool = False) -> str:
    """The studio page as one HTML string; it opens on ``start`` (default: the first
    built-in groove) unless its address holds a groove's link; with ``practice`` it links
    to the practice view beside it (``practice.html``, :func:`practice_html`)."""
    starts = starting_grooves()
    if start is not None:
        starts.insert(0, {"name": "start", "title": start.title(), "link": start.link()})
    meter = Meter.parse(Groove.from_link(starts[0]["link"]).meter.explicit)
    section = PageSection(
        "Make a groove", markup=_panel(starts, BuilderSettings(meter), practice), kind="studio"
    )
    return page_html(
        STUDIO_TITLE,
        [section],
        intro=STUDIO_INTRO,
        scripts=STUDIO_SCRIPT_FILES,
        styles=STUDIO_STYLE_FILES,
        sounds=STUDIO_SOUNDS,
    )


PRACTICE_TITLE = "Practise a groove"


def practice_html(default: Groove) -> str:
    """The practice view as one HTML string, sized for a phone: the groove its address
    holds (a studio link; ``default`` without one), played looped with a count-in, a big
    beat light and the count, a tempo slider, and a button to tap along that says how near
    each tap is to the groove's notes."""
    markup = (
        f"<div class='practice' data-practice data-groove='{escape(default.link())}'>"
        "<p class='studio-error' role='alert'></p>"
        "<p class='practice-title'></p>"
        "<div class='studio-beat practice-light' aria-hidden='true'><span class='bar'>ready"
        "</span><span class='pulses'></span></div>" + FOLLOW + "<div class='practice-controls'>"
        "<button type='button' class='groove-play' aria-pressed='false'>Play</button>"
        "<button type='button' class='groove-stop'>Stop</button>"
        "<label><input class='count-in' type='checkbox' checked autocomplete='off'> Count in "
        "one bar</label>"
        "<label>Tempo <input class='practice-tempo' type='range' min='50' max='150' step='5' "
        "value='100' autocomplete='off'> <output class='tempo-out'>100%</output></label></div>"
        "<button type='button' class='tap'>Tap</button>"
        "<p class='tap-result' aria-live='polite'>Press Play, then tap with the notes you hear "
        "(or press T).</p>"
        "<pre class='box-notation'></pre>"
        "<p><a class='edit-link' href='studio.html'>Edit this groove in the studio</a></p>"
        "</div>"
    )
    section = PageSection("Play along", markup=markup, kind="studio practice-view")
    return page_html(
        PRACTICE_TITLE,
        [section],
        scripts=STUDIO_SCRIPT_FILES,
        styles=STUDIO_STYLE_FILES,
        sounds=STUDIO_SOUNDS,
    )


def write_studio(path: str | Path | Output, start: Groove | None = None) -> Path:
    """Write the studio page (``theme studio -o studio.html``).

    Raises:
        OutputFileError: not an ``.html`` path, a missing folder, no permission.
    """
    out = output_file(path, ["html", "htm"])
    html = studio_html(start)
    with atomic_path(out) as tmp:
        tmp.write_text(html, encoding="utf-8")
    return Path(out)
