"""A page's player controls: the markup under each music section's title that
``js/playercontrols.js`` brings to life (play, start bar, tempo, loop, thinning, layers)."""

from __future__ import annotations

from html import escape
from typing import Any

__all__ = ["THINNING", "player_controls"]

THINNING = (
    ("3", "every click (subdivisions too)"),
    ("2", "beats"),
    ("1", "group starts"),
    ("0", "downbeats only"),
)
"""The thinning menu: the highest accent level of a click still heard, and its words."""


def player_controls(number: int, data: dict[str, Any]) -> str:
    """A section's player controls (``js/playercontrols.js`` brings them to life): play,
    start bar, tempo (slider, box, tap), loop, click thinning, mute and solo per layer, each
    labelled, with a place for a message beside each group. ``number`` makes the ids.

    >>> from theme.page.data import timeline_data
    >>> from theme.metronome import Metronome
    >>> html = player_controls(1, timeline_data(Metronome("5/4", vs="4/4", bars=2).timeline()))
    >>> html.count("<button"), html.count("role='status'"), "max='2'" in html
    (6, 3, True)
    """
    p = f"s{number}-"
    bars = len(data.get("bars", ())) or 1
    first = data["bars"][0]["n"] if data.get("bars") else 1  # 0 and less: a lead-in
    last = first + bars - 1
    qpm = data["tempo"]["segments"][0]["qpm"] if data.get("tempo") else 120
    qpm = data.get("written") or qpm  # a recording's own tempo is its 100 %
    layers = data.get("layers", [])
    field = "<span class='err' id='{0}err-{1}' role='status' aria-live='polite'></span>"
    parts = [
        f"<div class='player' role='group' aria-label='Player: {escape(data.get('title', ''))}'>",
        f"<button type='button' class='play' aria-pressed='false' id='{p}play'>Play</button>",
        f"<label>from bar <input class='from narrow' type='number' min='{first}' max='{last}' "
        f"value='{first}' step='1' aria-describedby='{p}err-from'></label>",
        field.format(p, "from"),
        "<label>tempo <input class='tempo-range' type='range' min='25' max='200' step='1' "
        "value='100' aria-valuetext='100 percent of the written tempo'></label>",
        f"<label>q = <input class='tempo-bpm' type='number' step='any' value='{qpm:g}' "
        f"aria-describedby='{p}err-tempo'></label><span class='note'>a minute</span>",
        "<button type='button' class='tap'>Tap the beat</button>",
        field.format(p, "tempo"),
        "<label>loop <select class='loop-kind'><option value='off'>off</option>"
        "<option value='bar'>the start bar</option><option value='section'>its section"
        "</option><option value='range'>bars A to B</option></select></label>",
        f"<label>A <input class='loop-a narrow' type='number' min='{first}' max='{last}' "
        f"value='{first}' step='1' aria-describedby='{p}err-loop'></label>",
        f"<label>B <input class='loop-b narrow' type='number' min='{first}' max='{last}' "
        f"value='{last}' step='1' aria-describedby='{p}err-loop'></label>",
        field.format(p, "loop"),
    ]
    if any(layer.get("click") for layer in layers):
        options = "".join(f"<option value='{v}'>{words}</option>" for v, words in THINNING)
        parts.append(f"<label>clicks heard <select class='thin'>{options}</select></label>")
    if len(layers) > 1:
        parts.append("<fieldset class='layers'><legend>layers</legend>")
        for i, layer in enumerate(layers):
            name = escape(layer["name"])
            parts.append(
                f"<span>{name} <button type='button' class='mute' data-layer='{i}' "
                f"aria-pressed='false' aria-label='mute {name}'>mute</button>"
                f"<button type='button' class='solo' data-layer='{i}' aria-pressed='false' "
                f"aria-label='solo {name}'>solo</button></span>"
            )
        parts.append("</fieldset>")
    return "".join(parts) + "</div>"
