"""theme: hear, see and teach odd meters.

The 1966 *Mission: Impossible* TV theme's 5/4 rhythm (the 3+3+2+2 ostinato and its layers)
and its 4/4 remix variants as data, built into music21 streams and exact timelines, and
rendered as MIDI, MusicXML, SVG, audio files and live sound.

A map of the API:

- :class:`Meter` parses ``'5/4'``, ``'3+2/4'``, ``'2+2+3/8'`` and gives accent levels.
- :class:`Rhythm` is a pattern on a grid, in and out of box notation ``'x..x..x.x.'``.
- :class:`Tempo` and :class:`TempoMap`: BPM strings and exact quarter-note-to-seconds maps.
- :class:`Timeline`: the exact events every sounding output is made from.
- :func:`load` a built-in variant by name (:func:`names`) or a TOML file of your own;
  ``variant.timeline()`` lays it out, ``variant.to_score()`` makes a music21 Score.
- ``timeline.remeter(strategy)`` with a named strategy (:data:`STRATEGIES`): squeeze, drop,
  stretch, rebar, clave (module :mod:`theme.remeter`).
- :func:`write` a timeline (or a variant, laid out with its defaults) to .mid, .musicxml, .svg, .wav/.flac/.ogg or .html;
  :func:`read_midi` reads one back.
- :func:`render` to a numpy array and :func:`play` through the sound card;
  :class:`Metronome` clicks one meter or two against each other.

Every name is imported on first use, and heavy libraries (music21, sounddevice, verovio)
only by the functions that need them: ``import theme`` and ``theme --help`` start at once.
"""

from __future__ import annotations

__version__ = "0.1.0"

TYPE_CHECKING = False  # typing itself costs 6 ms at start-up
if TYPE_CHECKING:
    from typing import Any

    from theme.errors import ThemeError
    from theme.export import write
    from theme.meter import AccentLevel, Meter
    from theme.metronome import Metronome, click_track, count_in
    from theme.playback import play
    from theme.remeter import STRATEGIES
    from theme.renderers.audio import render, write_audio
    from theme.renderers.midi import read_midi, write_midi
    from theme.rhythm import Rhythm
    from theme.score import to_score
    from theme.tempo import Tempo, TempoMap
    from theme.timeline import Event, Layer, Timeline
    from theme.variants import Variant, load, names

_HOMES = {
    "ThemeError": "theme.errors",
    "write": "theme.export",
    "AccentLevel": "theme.meter",
    "Meter": "theme.meter",
    "Metronome": "theme.metronome",
    "click_track": "theme.metronome",
    "count_in": "theme.metronome",
    "play": "theme.playback",
    "STRATEGIES": "theme.remeter",
    "render": "theme.renderers.audio",
    "write_audio": "theme.renderers.audio",
    "read_midi": "theme.renderers.midi",
    "write_midi": "theme.renderers.midi",
    "Rhythm": "theme.rhythm",
    "to_score": "theme.score",
    "Tempo": "theme.tempo",
    "TempoMap": "theme.tempo",
    "Event": "theme.timeline",
    "Layer": "theme.timeline",
    "Timeline": "theme.timeline",
    "Variant": "theme.variants",
    "load": "theme.variants",
    "names": "theme.variants",
}
"""Where each public name lives. Every one is imported on first use, so that ``import
theme`` and ``theme --help`` start at once (the CLI is a module of this package)."""

__all__ = [
    "STRATEGIES",
    "AccentLevel",
    "Event",
    "Layer",
    "Meter",
    "Metronome",
    "Rhythm",
    "Tempo",
    "TempoMap",
    "ThemeError",
    "Timeline",
    "Variant",
    "__version__",
    "click_track",
    "count_in",
    "load",
    "names",
    "play",
    "read_midi",
    "render",
    "to_score",
    "write",
    "write_audio",
    "write_midi",
]


_TAKE_MUSIC = frozenset(
    {"write", "render", "play", "write_midi", "write_audio", "to_score", "click_track", "count_in"}
)
"""The functions whose first argument is the music: a Timeline, or a Variant laid out with
its defaults (``theme.write(theme.load("tv-1966"), "x.mid")``)."""


def _taking_music(function: Any) -> Any:
    """``function`` accepting a Variant where it expects a Timeline (see ``_TAKE_MUSIC``)."""
    import functools

    from theme.timeline import as_timeline

    @functools.wraps(function)
    def wrapper(music: Any, *args: Any, **kwargs: Any) -> Any:
        return function(
            as_timeline(music, f"{function.__name__}()'s first argument"), *args, **kwargs
        )

    return wrapper


def __getattr__(name: str) -> Any:
    import importlib  # here, not at the top: the command line's start stays minimal

    if name in _HOMES:
        value = getattr(importlib.import_module(_HOMES[name]), name)
        if name in _TAKE_MUSIC:
            value = _taking_music(value)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'theme' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
