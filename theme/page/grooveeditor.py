"""The groove editor's markup: a row a voice, a box a pulse (or part of one) of the meter the
builder beside it holds, the groove's sound, its beat light, count and conductor, its link
and its downloads. ``js/studio.js`` makes it work.

It stands in two places: the studio's page (:mod:`theme.classroom.studio`), where it is the
page, and beside the meter builder of every page that has one (the tour's last step, a
metronome's page: :func:`theme.page.builder.builder_section`), folded away in a
``<details>`` until it is opened, so that what a class watches stays where it was.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from theme.variants import load, names
from theme.variants.groove import SOUNDS, Groove

__all__ = [
    "EDITOR_SCRIPT_FILES",
    "EDITOR_SOUNDS",
    "EDITOR_STYLE_FILES",
    "FOLLOW",
    "editor_beside",
    "editor_parts",
    "start_row",
    "starting_grooves",
]

EDITOR_SCRIPT_FILES = (
    "groove.js",
    "groovemidi.js",
    "groovesound.js",
    "grooveconductor.js",
    "qr.js",
    "studio.js",
)
"""The editor's scripts (files of this package's ``js`` folder), inlined after the page's
(:data:`theme.page.document.SCRIPT_FILES`)."""

EDITOR_STYLE_FILES = ("studio.css",)
"""The editor's style (files of this package's ``css`` folder)."""

EDITOR_SOUNDS = tuple(
    f"{voice}/{pitch}" for voice, (_, _, pitch, _) in SOUNDS.items() if voice != "click"
)
"""The sounds a groove's rows make (the clicks are on every page)."""

ERROR = "<p class='studio-error' role='alert'></p>"

FOLLOW = (
    "<div class='studio-follow'><p class='studio-count' aria-hidden='true'></p>"
    "<svg class='conductor studio-conductor' viewBox='0 0 200 160' role='img' "
    "aria-label='conducting pattern'></svg></div>"
)
"""The count and a conductor's pattern with its baton, drawn by the scripts."""


def starting_grooves(first: Sequence[str] = ()) -> list[dict[str, str]]:
    """The built-in variants a groove can start from: name, title and link, those named in
    ``first`` (a page's own grooves) first, then the others in the order ``theme list``
    gives them (those whose first section fits a groove's grid)."""
    found = []
    order = [*first, *(name for name in names() if name not in first)]
    for name in order:
        variant = load(name)
        groove = Groove.from_variant(variant)
        if groove is not None:
            found.append({"name": name, "title": variant.title, "link": groove.link()})
    return found


def start_row(starts: Sequence[dict[str, str]]) -> str:
    """The menu of grooves to start from and its *Edit this groove* button."""
    options = "".join(
        f"<option value='{escape(s['link'])}'>{escape(s['title'])}</option>" for s in starts
    )
    return (
        "<div class='start'><label>Start from <select class='start-from' autocomplete='off'>"
        f"{options}</select></label>"
        "<button type='button' class='edit-this'>Edit this groove</button></div>"
    )


def editor_parts(*, practice: bool = False) -> str:
    """The editor under the builder: bars and sound, the beat light, the count and the
    conductor, the grid, the box notation, the link, the downloads; with ``practice`` a
    link to the practice view (``practice.html``)."""
    return (
        "<fieldset class='groove-sound'><legend>Your groove</legend><div class='fields'>"
        "<label>Bars <input class='groove-bars' type='number' min='1' max='16' step='1' "
        "inputmode='numeric' value='2' autocomplete='off'></label>"
        "<label><input class='count-in' type='checkbox' autocomplete='off'> Count in one "
        "bar</label>"
        "<button type='button' class='groove-play' aria-pressed='false'>Play</button>"
        "<button type='button' class='groove-stop'>Stop</button>"
        "<button type='button' class='clear'>Clear all boxes</button></div></fieldset>"
        "<div class='groove-stage'><div class='studio-beat' aria-hidden='true'>"
        "<span class='bar'>ready</span><span class='pulses'></span></div>"
        "<div class='studio-beat second-light' aria-hidden='true' hidden><span class='bar'>"
        "</span><span class='pulses'></span></div>"
        + FOLLOW
        + "</div><p class='note'>Click or tap a box: once for a note (x), twice for an accent (X), a "
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
    )


EDITOR_SUMMARY = "Make a groove in this meter"
EDITOR_TEXT = (
    "A row for each instrument, a box for each click of the meter above: click the boxes to "
    "make a groove, press Play to hear it go round. A change to the meter above changes the "
    "boxes."
)


def editor_beside(builder: str, starts: Sequence[dict[str, str]]) -> str:
    """The meter builder's panel (its markup, ``builder``) with the groove editor under it,
    folded away until opened: the grid follows the meter built; the groove starts empty,
    or from one of ``starts`` (*Edit this groove*)."""
    return (
        "<div class='studio beside' data-studio data-beside>"
        + builder
        + "<details class='groove-editor'>"
        f"<summary>{escape(EDITOR_SUMMARY)}</summary>"
        + ERROR
        + f"<p class='note'>{escape(EDITOR_TEXT)}</p>"
        + start_row(starts)
        + editor_parts()
        + "</details></div>"
    )
