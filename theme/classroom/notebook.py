"""HTML for Jupyter: engraved notation and an audio player, inline, with no network.

``Variant``, ``Timeline`` and ``Metronome`` have ``_repr_html_`` methods that call
:func:`html_for`, so a notebook cell that ends with one shows and plays it.
"""

from __future__ import annotations

import base64
from html import escape

from theme.timeline import Timeline

__all__ = ["audio_tag", "html_for", "notation_svg"]

NOTATION_BARS = 8


def audio_tag(timeline: Timeline, *, rate: int = 44100) -> str:
    """An ``<audio controls>`` element holding the timeline as Ogg Vorbis (a data URI)."""
    from theme.renderers.audio import encode_audio

    data = base64.b64encode(encode_audio(timeline, rate=rate)).decode("ascii")
    return f"<audio controls preload='auto' src='data:audio/ogg;base64,{data}'></audio>"


def notation_svg(timeline: Timeline, *, bars: int = NOTATION_BARS) -> str:
    """The first page of the engraved notation of the first ``bars`` bars, as inline SVG."""
    from theme.renderers.notation import svg

    return svg(timeline.head(bars))[0]


def html_for(timeline: Timeline, title: str, *, bars: int = NOTATION_BARS) -> str:
    """A block of HTML: the title, the notation of the first ``bars`` bars, a player."""
    shown = f" (the first {bars} of {len(timeline.bars)} bars)" if len(timeline.bars) > bars else ""
    return (
        f"<div class='theme-example'><h3>{escape(title)}</h3>"
        f"<div style='max-width:100%;overflow-x:auto'>{notation_svg(timeline, bars=bars)}</div>"
        f"<p>{len(timeline.bars)} bars, {float(timeline.duration_seconds):.1f} s{escape(shown)}</p>"
        f"{audio_tag(timeline)}</div>"
    )
