"""HTML for Jupyter: engraved notation and an audio player, inline, with no network.

:func:`html` makes the HTML of a ``Variant``, ``Timeline``, ``Strategy`` or ``Metronome``.
``import theme`` registers it with IPython's HTML formatter for those classes (by name, so
nothing is imported for it), and a notebook cell that ends with one shows and plays it.
"""

from __future__ import annotations

import base64
from html import escape

from theme.core.remeter import Strategy
from theme.core.timeline import Timeline
from theme.metronome import Metronome
from theme.page.document import MAX_PAGE_SECONDS, NOTATION_BARS, audio_bytes, notation_svg
from theme.variants import Variant

__all__ = ["audio_tag", "html", "html_for", "playable_head"]

METRONOME_BARS = 16
"""The most bars of a metronome shown and played in a notebook (4 for an endless one)."""


def audio_tag(timeline: Timeline, *, rate: int = 44100) -> str:
    """An ``<audio controls>`` element holding the timeline as Ogg Vorbis (a data URI): its
    first bars up to ``MAX_PAGE_SECONDS`` (10 minutes), as a page would hold."""
    data = base64.b64encode(audio_bytes(playable_head(timeline), rate=rate)).decode("ascii")
    return f"<audio controls preload='auto' src='data:audio/ogg;base64,{data}'></audio>"


def playable_head(timeline: Timeline) -> Timeline:
    """The timeline's first bars that last at most ``MAX_PAGE_SECONDS`` (at least one bar).

    >>> from theme.metronome import Metronome
    >>> len(playable_head(Metronome("4/4", bpm=240, bars=1000).timeline()).bars)
    600
    """
    if timeline.duration_seconds <= MAX_PAGE_SECONDS:
        return timeline
    fits = sum(
        1 for bar in timeline.bars if timeline.tempo_map.seconds_at(bar.end) <= MAX_PAGE_SECONDS
    )
    return timeline.head(max(1, fits))


def html_for(timeline: Timeline, title: str, *, bars: int = NOTATION_BARS) -> str:
    """A block of HTML: the title, the notation of the first ``bars`` bars, a player."""
    shown = f" (the first {bars} of {len(timeline.bars)} bars)" if len(timeline.bars) > bars else ""
    heard = len(playable_head(timeline).bars)
    if heard < len(timeline.bars):
        shown += f"; the player holds the first {heard} bars"
    return (
        f"<div class='theme-example'><h3>{escape(title)}</h3>"
        f"<div style='max-width:100%;overflow-x:auto'>{notation_svg(timeline, bars=bars)}</div>"
        f"<p>{len(timeline.bars)} bars, {float(timeline.duration_seconds):.1f} s{escape(shown)}</p>"
        f"{audio_tag(timeline)}</div>"
    )


def html(music: Timeline | Variant | Strategy | Metronome) -> str:
    """A block of HTML that shows and plays ``music``: a timeline, a variant (laid out with
    its defaults), a strategy (:func:`~theme.classroom.examples.strategy_example`: two bars,
    then the same bars through it) or a metronome (its first bars, at most 16).

    Raises:
        TypeError: anything else.
    """
    if isinstance(music, Timeline):
        return html_for(music, music.title)
    if isinstance(music, Variant):
        return html_for(music.timeline(), f"{music.name}: {music.title}")
    if isinstance(music, Strategy):
        from theme.classroom.examples import strategy_example

        return html_for(strategy_example(music), f"{music.name}: {music.summary}")
    if isinstance(music, Metronome):
        bars = min(music.bars or 4, METRONOME_BARS)
        return html_for(music.timeline(bars=bars), music.describe())
    raise TypeError(
        "html() shows a Timeline, Variant, Strategy or Metronome, not " + type(music).__name__
    )
