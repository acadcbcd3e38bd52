"""What a page's scripts read about a timeline: JSON embedded beside each player.

Each section that plays music carries ``<script type="application/json" class="timeline">``
with :func:`timeline_data`. The page's scripts (the player, the beat light, the score
cursor, the conductor) all read it, so they and the library count from one timeline.

Positions are quarter notes from the start of the music, as numbers; a position that is
not a whole number of 1/1920 quarters is not made by any meter or rhythm of the library.
"""

from __future__ import annotations

import json
from typing import Any

from theme.core.timeline import Timeline

__all__ = ["bars_data", "timeline_data", "timeline_json"]


def bars_data(timeline: Timeline) -> list[dict[str, Any]]:
    """Each bar: its number ``n``, ``start`` and length ``quarters`` (quarter notes), its
    ``meter`` (``'3+2/4'`` style when the grouping is not the default), ``groups`` (pulses),
    ``pulse`` (quarter notes a pulse) and ``levels`` (an accent level per pulse: 0 the
    downbeat, 1 a group start, 2 a beat).

    >>> from theme.core.meter import Meter
    >>> bars_data(Timeline.build(title="t", bars=[(Meter.parse("7/8"), "")], tempo=120))
    [{'n': 1, 'start': 0.0, 'quarters': 3.5, 'meter': '7/8', 'groups': [2, 2, 3], 'pulse': 0.5, 'levels': [0, 2, 1, 2, 1, 2, 2]}]
    """
    return [
        {
            "n": bar.number,
            "start": float(bar.start),
            "quarters": float(bar.quarters),
            "meter": str(bar.meter),
            "groups": list(bar.meter.groups),
            "pulse": float(bar.meter.pulse_quarters),
            "levels": [int(level) for level in bar.meter.accent_levels()],
        }
        for bar in timeline.bars
    ]


def timeline_data(timeline: Timeline) -> dict[str, Any]:
    """The timeline as the page's scripts read it: ``title``, ``quarters`` (its length) and
    ``bars`` (:func:`bars_data`)."""
    return {
        "title": timeline.title,
        "quarters": float(timeline.length),
        "bars": bars_data(timeline),
    }


def timeline_json(timeline: Timeline) -> str:
    """:func:`timeline_data` as compact JSON, safe inside a ``<script>`` element (``<`` is
    escaped, so no text of the data can close the element).

    >>> from theme.core.meter import Meter
    >>> "</" in timeline_json(Timeline.build(title="</script>", bars=[(Meter.parse("5/4"), "")], tempo=120))
    False
    """
    text = json.dumps(timeline_data(timeline), separators=(",", ":"), ensure_ascii=False)
    return text.replace("<", "\\u003c")
