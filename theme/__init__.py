"""theme: hear, see and teach odd meters.

The 1966 *Mission: Impossible* TV theme's 5/4 rhythm (the 3+3+2+2 ostinato and its layers)
and its 4/4 remix variants as data, built into music21 streams and exact timelines, and
rendered as MIDI, MusicXML, SVG, audio files and live sound.

A map of the API:

- :class:`Meter` parses ``'5/4'``, ``'3+2/4'``, ``'2+2+3/8'`` and gives accent levels.
- :class:`Rhythm` is a pattern on a grid, in and out of box notation ``'x..x..x.x.'``.
- :class:`Tempo` and :class:`TempoMap`: BPM strings and exact quarter-note-to-seconds maps.
- :class:`Timeline`: the exact events every sounding output is made from.

Heavy libraries (music21, sounddevice, verovio) are imported only by the functions that need
them; ``import theme`` stays fast.
"""

from __future__ import annotations

__version__ = "0.1.0"

from theme.errors import ThemeError
from theme.meter import AccentLevel, Meter
from theme.rhythm import Rhythm
from theme.tempo import Tempo, TempoMap
from theme.timeline import Event, Layer, Timeline

__all__ = [
    "AccentLevel",
    "Event",
    "Layer",
    "Meter",
    "Rhythm",
    "Tempo",
    "TempoMap",
    "ThemeError",
    "Timeline",
    "__version__",
]
