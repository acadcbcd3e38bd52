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
  :func:`catalog` lists the built-ins by meter, grouping and group (the theme, the
  repertoire of odd meters in music you know, the dances): ``catalog(grouping="3+2+2")``.
- ``timeline.remeter(strategy)`` with a named strategy (:data:`STRATEGIES`): squeeze, drop,
  stretch, rebar, clave (module :mod:`theme.core.remeter`).
- :func:`write` a timeline (or a variant, laid out with its defaults, or a metronome) to
  .mid, .musicxml, .svg, .wav/.flac/.ogg or .html; :func:`read` a .mid, .musicxml or .toml
  file back into a timeline (:func:`read_midi` a MIDI file).
- :func:`strategy_example`: two bars of the 1966 groove, then the same bars through a
  strategy (what a lesson shows and plays).
- :func:`render` to a numpy array and :func:`play` through the sound card;
  :class:`Metronome` clicks one meter or two against each other.

Every name is imported on first use, and heavy libraries (music21, sounddevice, verovio)
only by the functions that need them: ``import theme`` and ``theme --help`` start at once.
In IPython or Jupyter, ``import theme`` registers the HTML of a Timeline, Variant, Strategy
and Metronome (:func:`theme.classroom.notebook.html`): a cell ending with one shows and plays
it.
"""

from __future__ import annotations

import sys

__version__ = "0.1.0"

TYPE_CHECKING = False  # typing itself costs 6 ms at start-up
if TYPE_CHECKING:
    from typing import Any

    from theme.classroom.examples import strategy_example
    from theme.core.meter import AccentLevel, Meter
    from theme.core.remeter import STRATEGIES
    from theme.core.rhythm import Rhythm
    from theme.core.tempo import Tempo, TempoMap
    from theme.core.timeline import Event, Layer, Timeline
    from theme.errors import ThemeError
    from theme.export import write
    from theme.live.start import play
    from theme.metronome import Metronome, click_track, count_in
    from theme.readers.files import read
    from theme.readers.midi import read_midi
    from theme.renderers.audio import render
    from theme.renderers.audiofile import write_audio
    from theme.renderers.midi import write_midi
    from theme.renderers.score import to_score
    from theme.variants import Variant, catalog, load, names

_HOMES = {
    "ThemeError": "theme.errors",
    "read": "theme.readers.files",
    "write": "theme.export",
    "strategy_example": "theme.classroom.examples",
    "AccentLevel": "theme.core.meter",
    "Meter": "theme.core.meter",
    "Metronome": "theme.metronome",
    "click_track": "theme.metronome",
    "count_in": "theme.metronome",
    "play": "theme.live.start",
    "STRATEGIES": "theme.core.remeter",
    "render": "theme.renderers.audio",
    "write_audio": "theme.renderers.audiofile",
    "read_midi": "theme.readers.midi",
    "write_midi": "theme.renderers.midi",
    "Rhythm": "theme.core.rhythm",
    "to_score": "theme.renderers.score",
    "Tempo": "theme.core.tempo",
    "TempoMap": "theme.core.tempo",
    "Event": "theme.core.timeline",
    "Layer": "theme.core.timeline",
    "Timeline": "theme.core.timeline",
    "Variant": "theme.variants",
    "catalog": "theme.variants",
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
    "catalog",
    "click_track",
    "count_in",
    "load",
    "names",
    "play",
    "read",
    "read_midi",
    "render",
    "strategy_example",
    "to_score",
    "write",
    "write_audio",
    "write_midi",
]


_TAKE_MUSIC = frozenset(
    {"render", "play", "write_midi", "write_audio", "to_score", "click_track", "count_in"}
)
"""The functions whose first argument is the music: a Timeline, or a Variant laid out with
its defaults (``theme.render(theme.load("tv-1966"))``); :func:`write` takes a Metronome too
and does this itself."""


def _taking_music(function: Any) -> Any:
    """``function`` accepting a Variant where it expects a Timeline (see ``_TAKE_MUSIC``)."""
    import functools

    from theme.core.timeline import as_timeline

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


def _html(music: Any) -> str:
    """The notebook HTML of ``music`` (:func:`theme.classroom.notebook.html`), the notebook
    module imported on first use."""
    from theme.classroom.notebook import html

    return html(music)


def _register_notebook_html() -> None:
    """In IPython (already imported and running a shell), show a Timeline, Variant, Strategy
    and Metronome as HTML: registered by class name, so nothing is imported until one is
    shown."""
    ipython = sys.modules.get("IPython")
    get_ipython = getattr(ipython, "get_ipython", None)
    shell = get_ipython() if callable(get_ipython) else None
    if shell is None:
        return
    formatter = shell.display_formatter.formatters["text/html"]
    for module, name in (
        ("theme.core.timeline", "Timeline"),
        ("theme.variants.model", "Variant"),
        ("theme.core.remeter", "Strategy"),
        ("theme.metronome", "Metronome"),
    ):
        formatter.for_type_by_name(module, name, _html)


_register_notebook_html()
