"""The tour's optional step 8, "Where else you have heard it": the groupings of the tour
heard in music a class may know, two bars of each from the built-in repertoire and dances.

Not part of the seven-step tour unless asked (``theme demo --step 8``, or ``--repertoire``
for the whole tour with it): see :func:`theme.classroom.tour.steps`.
"""

from __future__ import annotations

from theme.classroom.step import Step
from theme.core.rhythm import Rhythm
from theme.core.tempo import Tempo
from theme.core.timeline import Timeline

__all__ = ["EXTRA_STEPS", "REPERTOIRE_EXAMPLES"]

REPERTOIRE_EXAMPLES = (
    ("3+2", "take-five-vamp", "Take Five", 2),
    ("2+3", "limping-waltz", "Tchaikovsky's Sixth", 2),
    ("2+2+3", "rachenitsa", "the rachenitsa", 2),
    ("3+2+2", "kalamatianos", "the kalamatianos", 2),
    ("2+2+2+3", "blue-rondo", "Blue Rondo a la Turk", 4),
    ("2+2+3+2+2", "kopanitsa", "the kopanitsa", 2),
)
"""Step 8's examples: a grouping, the built-in entry that plays it, what it is heard in, and
how many bars (Blue Rondo's four: three of 2+2+2+3, then its bar of 3+3+3)."""


def _repertoire(tempo: Tempo | None) -> Timeline:
    """Each example's bars, each section named by its grouping and where it is heard, all at
    one tempo (the first example's unless ``tempo`` is given): the pulse goes on unchanged."""
    from dataclasses import replace

    from theme.variants import load

    parts = []
    for _, name, heard, bars in REPERTOIRE_EXAMPLES:
        variant = load(name)
        named = tuple(
            replace(s, name=f"{'+'.join(map(str, s.meter.groups))}: {heard}")
            for s in variant.sections
        )
        parts.append(replace(variant, sections=named).timeline(tempo=tempo, bars=bars))
    return Timeline.join(parts, title="Where else you have heard it")


def _repertoire_picture() -> str:
    """A bar of each example, each group one long note over its pulses, counted from 1."""
    from theme.classroom.pictures import strip_svg
    from theme.variants import load

    rows = []
    for grouping, name, heard, _ in REPERTOIRE_EXAMPLES:
        meter = load(name).sections[0].meter
        groups = [int(g) for g in grouping.split("+")]
        rhythm = Rhythm.from_durations(groups, accents=(0,), unit=meter.pulse_quarters)
        rows.append((heard[0].upper() + heard[1:], meter.label, rhythm, meter.numerator))
    return strip_svg(rows, title="The same groupings elsewhere: one bar of each", beat_cells=1)


EXTRA_STEPS: tuple[Step, ...] = (
    Step(
        8,
        "Where else you have heard it",
        (
            "Two bars of each, one grouping after another: 3+2 in Take Five, 2+3 in Tchaikovsky's Sixth,",
            "2+2+3 in the rachenitsa, 3+2+2 in the kalamatianos, 2+2+2+3 in Blue Rondo a la Turk",
            "(three bars, then one of 3+3+3) and 2+2+3+2+2 in the kopanitsa.",
            "Clap on the loud notes: each group starts with one.",
            "Every groove is our own, drums only; 'theme list' has more and 'theme show' the sources.",
        ),
        _repertoire,
        _repertoire_picture,
    ),
)
"""Steps a teacher may add to the tour (``theme demo --step 8``, or ``--repertoire`` for
the whole tour with them): not played unless asked."""
