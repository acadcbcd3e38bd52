"""The studio: a page where pupils make a groove of their own, hear it, share it by link
and take it home (MIDI, a variant file).

The page is the meter builder (:mod:`theme.page.builder`) with the groove editor
(:mod:`theme.page.grooveeditor`, ``js/studio.js``) under it: a row a voice, a box a pulse or part of one, for every bar. The groove
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
from theme.page.grooveeditor import (
    EDITOR_SCRIPT_FILES,
    EDITOR_SOUNDS,
    EDITOR_STYLE_FILES,
    ERROR,
    FOLLOW,
    editor_parts,
    start_row,
    starting_grooves,
)
from theme.variants.groove import Groove

__all__ = [
    "STUDIO_SCRIPT_FILES",
    "STUDIO_SOUNDS",
    "STUDIO_STYLE_FILES",
    "practice_html",
    "starting_grooves",
    "studio_html",
    "write_studio",
]

STUDIO_SCRIPT_FILES = (*EDITOR_SCRIPT_FILES, "practice.js")
"""The studio's own scripts (files of this package's ``js`` folder), inlined after the
page's (:data:`theme.page.document.SCRIPT_FILES`): the editor's and the practice view's."""

STUDIO_STYLE_FILES = EDITOR_STYLE_FILES
"""The studio's own style (files of this package's ``css`` folder)."""

STUDIO_SOUNDS = EDITOR_SOUNDS
"""The sounds a groove's rows make (the clicks are on every page)."""

STUDIO_TITLE = "Studio: make your own groove"
STUDIO_INTRO = (
    "Build a meter, then click the boxes to make a groove in it. Press Play to hear it go "
    "round. The address of this page holds your groove: copy it to share it, or download it "
    "to take home."
)


def _panel(starts: list[dict[str, str]], settings: BuilderSettings, practice: bool) -> str:
    return (
        "<div class='studio own-page' data-studio>"
        + ERROR
        + start_row(starts)
        + builder_panel(settings)
        + editor_parts(practice=practice)
        + "<noscript><p>The studio needs JavaScript.</p></noscript></div>"
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
