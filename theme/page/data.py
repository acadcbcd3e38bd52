"""What a page's scripts read about a timeline: JSON embedded beside each player.

Each section that plays music carries ``<script type="application/json" class="timeline">``
with :func:`timeline_data`. The page's scripts (the player, the beat light, the score
cursor, the conductor) all read it, so they and the library count from one timeline.

Positions are quarter notes from the start of the music, as numbers; a position that is
not a whole number of 1/1920 quarters is not made by any meter or rhythm of the library.
The sounds the events name are embedded once a page (:mod:`theme.page.sounds`).
"""

from __future__ import annotations

import json
from typing import Any

from theme.core.meter import AccentLevel
from theme.core.tempo import MAX_QPM, MIN_QPM, TempoMap
from theme.core.timeline import Event, Layer, Timeline
from theme.safe_text import page_data

__all__ = [
    "CLICK_VOICES",
    "bars_data",
    "events_data",
    "layers_data",
    "second_meter_clicks",
    "sound_key",
    "tempo_data",
    "timeline_data",
    "timeline_json",
]

CLICK_VOICES = ("click", "clicklow")
"""The voices whose events a page thins by accent level (downbeats only, group starts...)."""


def bars_data(timeline: Timeline) -> list[dict[str, Any]]:
    """Each bar: its number ``n``, ``start`` and length ``quarters`` (quarter notes), its
    ``meter`` (its label, ``'7/8 (2+2+3)'``: :attr:`~theme.core.meter.Meter.label`), ``groups`` (pulses),
    ``pulse`` (quarter notes a pulse), ``levels`` (an accent level per pulse: 0 the
    downbeat, 1 a group start, 2 a beat) and ``section`` (its form label, or empty).

    >>> from theme.core.meter import Meter
    >>> bars_data(Timeline.build(title="t", bars=[(Meter.parse("7/8"), "A")], tempo=120))
    [{'n': 1, 'start': 0.0, 'quarters': 3.5, 'meter': '7/8 (2+2+3)', 'groups': [2, 2, 3], 'pulse': 0.5, 'levels': [0, 2, 1, 2, 1, 2, 2], 'section': 'A'}]
    """
    return [
        {
            "n": bar.number,
            "start": float(bar.start),
            "quarters": float(bar.quarters),
            "meter": bar.meter.label,
            "groups": list(bar.meter.groups),
            "pulse": float(bar.meter.pulse_quarters),
            "levels": [int(level) for level in bar.meter.accent_levels()],
            "section": bar.section,
        }
        for bar in timeline.bars
    ]


def tempo_data(tempo_map: TempoMap) -> dict[str, Any]:
    """The tempo map as a page computes seconds from it, exactly as
    :meth:`~theme.core.tempo.TempoMap.seconds_at` does: ``segments``, each with its
    ``start`` (quarter notes), ``qpm`` (quarters a minute), ``length`` (quarter notes, null
    to the end), ``end`` (the qpm a ramp reaches, else null) and ``origin`` (seconds from
    the start of the music to the segment's start, computed exactly here); ``min`` and
    ``max``, the one tempo range (quarters a minute).

    >>> from fractions import Fraction
    >>> ramp = TempoMap.constant(120).then(Fraction(4), 120, ramp_quarters=Fraction(4), to=60)
    >>> [s["origin"] for s in tempo_data(ramp)["segments"]]
    [0.0, 2.0, 4.772588722239782]
    """
    origins = [tempo_map.seconds_at(s.start) for s in tempo_map.segments]
    return {
        "segments": [
            {
                "start": float(s.start),
                "qpm": float(s.qpm),
                "length": None if s.length is None else float(s.length),
                "end": float(s.end_qpm) if s.is_ramp and s.end_qpm is not None else None,
                "origin": float(origin),
            }
            for s, origin in zip(tempo_map.segments, origins)
        ],
        "min": float(MIN_QPM),
        "max": float(MAX_QPM),
    }


def layers_data(timeline: Timeline) -> list[dict[str, Any]]:
    """Each layer, in the order the events number them: ``name``, ``voice``, ``pan`` (-1
    left to 1 right), ``gain`` and ``click`` (true for a click voice, thinned by accent)."""
    return [
        {
            "name": layer.name,
            "voice": layer.voice,
            "pan": layer.pan,
            "gain": layer.gain,
            "click": layer.voice in CLICK_VOICES,
        }
        for layer in timeline.layers.values()
    ]


def sound_key(layer: Layer, event: Event) -> str:
    """The name of the sound an event makes, a key of the page's sounds; empty for a
    silent event. A click's sound follows its accent, a drum's or a bass's its pitch; a
    ``lead`` note is made by the page for its length (``'lead/74'``).

    >>> from fractions import Fraction
    >>> click = Layer("c", "click")
    >>> sound_key(click, Event(Fraction(0), Fraction(1), "c", 0, 112, AccentLevel.DOWNBEAT))
    'click/a0'
    >>> sound_key(Layer("b", "bass"), Event(Fraction(0), Fraction(1), "b", 38))
    'bass/38'
    """
    if event.accent == AccentLevel.SILENT or event.velocity <= 0:
        return ""
    if layer.voice in CLICK_VOICES:
        return f"{layer.voice}/a{min(int(event.accent), int(AccentLevel.SUBDIVISION))}"
    if layer.voice == "foot":
        return "foot"
    return f"{layer.voice}/{event.pitch}"


def events_data(timeline: Timeline) -> list[list[Any]]:
    """Every event of a layer the timeline has, in order, as
    ``[onset, duration, layer, accent, velocity, pitch, sound]``: quarter notes, the index
    of its layer in :func:`layers_data`, its accent level (0 downbeat ... 4 silent), MIDI
    velocity and pitch, and :func:`sound_key` (empty: it makes no sound)."""
    index = {name: i for i, name in enumerate(timeline.layers)}
    return [
        [
            float(e.onset),
            float(e.duration),
            index[e.layer],
            int(e.accent),
            e.velocity,
            e.pitch,
            sound_key(timeline.layers[e.layer], e),
        ]
        for e in timeline.events
        if e.layer in index
    ]


def timeline_data(timeline: Timeline) -> dict[str, Any]:
    """The timeline as the page's scripts read it: ``title``, ``quarters`` (its length),
    ``bars`` (:func:`bars_data`), ``tempo`` (:func:`tempo_data`), ``layers``
    (:func:`layers_data`) and ``events`` (:func:`events_data`)."""
    return {
        "title": timeline.title,
        "quarters": float(timeline.length),
        "bars": bars_data(timeline),
        "tempo": tempo_data(timeline.tempo_map),
        "layers": layers_data(timeline),
        "events": events_data(timeline),
    }


def timeline_json(timeline: Timeline) -> str:
    """:func:`timeline_data` as compact JSON, safe inside a ``<script>`` element (``<`` is
    escaped, so no text of the data can close the element).

    >>> from theme.core.meter import Meter
    >>> "</" in timeline_json(Timeline.build(title="</script>", bars=[(Meter.parse("5/4"), "")], tempo=120))
    False
    """
    return safe_json(timeline_data(timeline))


def safe_json(data: object) -> str:
    """``data`` as compact JSON that no text in it can end a ``<script>`` element with, its
    strings through :func:`~theme.safe_text.page_data` (no NUL, control character or
    bidirectional override for the page's script to show).

    >>> safe_json({"a": "</script>"})
    '{"a":"\\\\u003c/script>"}'
    """
    text = json.dumps(page_data(data), separators=(",", ":"), ensure_ascii=False)
    return text.replace("<", "\\u003c")


def second_meter_clicks(timeline: Timeline) -> tuple[list[Event], int] | None:
    """A metronome timeline's second meter: its clicks within the music, and how many of
    them make one bar; None without a second meter.

    Every bar of a metronome's layer has the same clicks, heard or silent (a gap bar), so
    the first bar, up to the next downbeat or the first silent click, is the pattern.

    >>> from theme.metronome import Metronome
    >>> clicks, size = second_meter_clicks(Metronome("5/4", vs="4/4", bars=2).timeline())
    >>> size, [int(e.accent) for e in clicks[:size]]
    (4, [0, 2, 1, 2])
    """
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
    return events, size
