"""The meter builder: a metronome panel of the page where a meter is built by clicking.

Choose the number of pulses and their unit (/4, /8, /16 ...), press a pulse to start a group
there (5 as 3+2 or 2+3, 7 as 2+2+3, 3+2+2 or 2+3+2), set a tempo (pulses a minute), add a
second meter against it (the same pulse, or the same bar length, as ``theme metronome --vs
--align`` does) and hear both at once through the page's player, each lit on its row of
pulses. The page counts accents as the library does (its ``meters.js`` mirrors
:meth:`theme.core.meter.Meter.accent_levels` and :mod:`theme.metronome.clicks`); bad input
(a grouping that does not add up, 0 pulses, a tempo of 0) is refused beside the field, with
a message. The panel shows the ``theme metronome`` command that clicks the same.

This module writes the panel's markup, filled in from a :class:`~theme.metronome.Metronome`
or from the defaults; the page's ``builder.js`` makes it work. A page's section of it
(:func:`builder_section`) has the groove editor under the panel, folded away
(:mod:`theme.page.grooveeditor`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from html import escape

from theme.core.meter import DENOMINATORS, Meter
from theme.metronome import Metronome
from theme.page.document import PageSection
from theme.page.grooveeditor import (
    EDITOR_SCRIPT_FILES,
    EDITOR_SOUNDS,
    EDITOR_STYLE_FILES,
    editor_beside,
    starting_grooves,
)

__all__ = ["BuilderSettings", "builder_panel", "builder_section"]

BUILDER_TITLE = "Build a meter"
BUILDER_TEXT = (
    "Choose how many pulses a bar has and what note a pulse is, then press a pulse to start "
    "a group there: five as 3+2 or 2+3, seven as 2+2+3, 3+2+2 or 2+3+2. Add a second meter "
    "to hear one against the other. The bigger square marks the downbeat, the smaller squares "
    "the start of each group, the circles the other pulses."
)
_UNIT_WORDS = {1: "whole", 2: "half", 4: "quarter", 8: "eighth", 16: "sixteenth", 32: "32nd"}


@dataclass(frozen=True)
class BuilderSettings:
    """What the panel shows first: the meters (with their groupings), ``align`` (``'beat'``
    or ``'bar'``), the tempo in pulses of the first meter a minute, clicks a pulse."""

    meter: Meter
    vs: Meter | None = None
    align: str = "beat"
    pulses_a_minute: Fraction = Fraction(120)
    subdivide: int = 1

    @classmethod
    def of(cls, metronome: Metronome) -> BuilderSettings:
        """The settings of a metronome: its meters, alignment, starting tempo (in pulses of
        its first meter a minute) and subdivision.

        >>> BuilderSettings.of(Metronome("7/8", bpm="e=280")).pulses_a_minute
        Fraction(280, 1)
        """
        qpm = metronome.tempo_map.qpm_at(metronome.start)
        return cls(
            metronome.meter,
            metronome.vs,
            metronome.align or "beat",
            qpm / metronome.meter.pulse_quarters,
            metronome.subdivide,
        )


def _number(value: Fraction) -> str:
    """A tempo as typed: ``'120'``, ``'133.33'``."""
    return str(value.numerator) if value.denominator == 1 else f"{float(value):.2f}"


def _meter_row(
    kind: str, legend: str, meter: Meter, *, extra: str = "", hidden: bool = False
) -> str:
    units = "".join(
        f"<option value='{d}'{' selected' if d == meter.denominator else ''}>"
        f"/{d} ({_UNIT_WORDS[d]})</option>"
        for d in DENOMINATORS
    )
    error = f"builder-{kind}-error"
    return (
        f"<fieldset class='meter-row {kind}'{' hidden' if hidden else ''}><legend>{legend}</legend>"
        "<div class='fields'>"
        f"<label>Pulses <input class='pulses' type='number' autocomplete='off' min='1' max='64' step='1' "
        f"inputmode='numeric' value='{meter.numerator}' aria-describedby='{error}'></label>"
        f"<label>Pulse unit <select class='unit' autocomplete='off' aria-describedby='{error}'>{units}</select></label>"
        f"<label>Grouping <input class='grouping' type='text' spellcheck='false' "
        f"autocomplete='off' value='{escape(meter.explicit.split('/')[0])}' "
        f"aria-describedby='{error}'></label>{extra}</div>"
        "<div class='pulse-row' role='group' aria-label='Pulses of a bar: press one to start "
        "a group there, or to join it to the group before'></div>"
        "<div class='presets' role='group' aria-label='Groupings in twos and threes'></div>"
        f"<p class='error' id='{error}' role='alert'></p></fieldset>"
    )


def builder_panel(settings: BuilderSettings | None = None) -> str:
    """The panel's markup (a ``div`` for a section of the page), filled in from
    ``settings`` (default: 5/4 as 3+2, alone, 120 pulses a minute).

    >>> html = builder_panel(BuilderSettings(Meter.parse("2+2+3/8")))
    >>> "value='2+2+3'" in html and "<option value='8' selected>" in html
    True
    """
    settings = settings or BuilderSettings(Meter.parse("5/4"))
    vs = settings.vs or Meter.parse("4/4")
    aligns = "".join(
        f"<option value='{value}'{' selected' if value == settings.align else ''}>{words}</option>"
        for value, words in (("beat", "beat: the same pulse"), ("bar", "bar: the same bar length"))
    )
    align = f"<label>Align <select class='align' autocomplete='off'>{aligns}</select></label>"
    subdivisions = "".join(
        f"<option value='{n}'{' selected' if n == settings.subdivide else ''}>{n}</option>"
        for n in range(1, 5)
    )
    return (
        "<div class='builder' data-builder>"
        + _meter_row("first", "Meter", settings.meter)
        + "<p class='against-row'><label><input class='against' type='checkbox' autocomplete='off'"
        + (" checked" if settings.vs else "")
        + "> Against a second meter</label></p>"
        + _meter_row("second", "Second meter", vs, extra=align, hidden=settings.vs is None)
        + "<fieldset class='sound'><legend>Sound</legend><div class='fields'>"
        "<label>Tempo <input class='tempo' type='number' autocomplete='off' min='1' step='any' inputmode='decimal' "
        f"value='{_number(settings.pulses_a_minute)}' aria-describedby='builder-sound-error'> "
        "<span class='tempo-unit'>pulses a minute</span></label>"
        f"<label>Clicks a pulse <select class='subdivide' autocomplete='off'>{subdivisions}</select></label>"
        "<button type='button' class='play'>Play</button>"
        "<button type='button' class='stop'>Stop</button></div>"
        "<p class='error' id='builder-sound-error' role='alert'></p></fieldset>"
        "<p class='summary' aria-live='polite'></p>"
        "<p class='note'>The same clicks from the command line: <code class='command'></code> "
        "<span class='command-limit'></span></p>"
        "<noscript><p class='note'>The meter builder needs JavaScript.</p></noscript>"
        "</div>"
    )


def builder_section(
    metronome: Metronome | None = None, *, grooves: Sequence[str] = ()
) -> PageSection:
    """The page's section holding the panel, filled in from ``metronome`` (its meters,
    alignment, tempo and subdivision) or from the defaults, with the groove editor under
    it, folded away (:func:`theme.page.grooveeditor.editor_beside`); its grooves to
    start from are the built-in variants, those named in ``grooves`` (the page's own)
    first."""
    settings = BuilderSettings.of(metronome) if metronome is not None else None
    return PageSection(
        BUILDER_TITLE,
        paragraphs=[BUILDER_TEXT],
        markup=editor_beside(builder_panel(settings), starting_grooves(grooves)),
        kind="builder",
        scripts=EDITOR_SCRIPT_FILES,
        styles=EDITOR_STYLE_FILES,
        sounds=EDITOR_SOUNDS,
    )
