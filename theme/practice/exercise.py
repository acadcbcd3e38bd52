"""What a tapping exercise plays and which onsets the student taps (:class:`Exercise`).

The music is any timeline: a variant's groove, or a metronome's clicks in any meter. The
pattern to tap is ``beats`` (every pulse of each bar), ``groups`` (the first pulse of each
group: 5/4 as 3+2 is tapped on 1 and 4), ``ostinato`` (a variant's first layer that is not
a click: tv-1966's 3+3+2+2 bass; music of clicks only has none) or the name of a layer. A count-in of clicks in the opening meter comes first
and is not scored. The expected onsets are seconds from the timeline's exact positions.

>>> from theme.metronome import Metronome
>>> ex = Exercise.build(Metronome("3+2/4", bpm=120, bars=2).timeline(), pattern="groups")
>>> [(t.bar, str(t.position), str(t.seconds)) for t in ex.targets]
[(1, '0', '0'), (1, '3', '3/2'), (2, '0', '5/2'), (2, '3', '4')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from theme.core.meter import AccentLevel
from theme.core.tempo import Tempo, clamp_qpm
from theme.core.timeline import Bar, Timeline
from theme.errors import UsageError
from theme.metronome import Metronome
from theme.metronome import count_in as with_count_in
from theme.metronome.clicks import COUNT
from theme.practice.scoring import Target
from theme.safe_text import clip, did_you_mean

__all__ = [
    "METER_BARS",
    "NOT_AN_OSTINATO",
    "PATTERNS",
    "Exercise",
    "is_meter",
    "meter_exercise",
    "ostinato_layer",
    "step_qpm",
    "targets_for",
]

PATTERNS = ("ostinato", "groups", "beats")
"""The patterns named by what they are; any layer's name is a pattern too."""
COUNT_IN_SECTION = "count-in"


@dataclass(frozen=True)
class Exercise:
    """What is played (``timeline``, count-in included) and the onsets to tap
    (``targets``, in order, bars numbered from 1 after the count-in); ``music`` is the
    timeline without the count-in, kept to build the same exercise at another tempo."""

    music: Timeline
    pattern: str
    count_in: int
    timeline: Timeline
    targets: tuple[Target, ...]
    unit: Fraction = Fraction(1)
    """The note its tempo is said in, in quarter notes (1/2: ``e=280``)."""

    @classmethod
    def build(
        cls,
        music: Timeline,
        *,
        pattern: str = "beats",
        count_in: int = 0,
        unit: Fraction = Fraction(1),
    ) -> Exercise:
        """The exercise of tapping ``pattern`` along with ``music`` after ``count_in`` bars;
        its tempo is said in ``unit`` (quarter notes).

        Raises:
            UsageError: an unknown pattern, ``ostinato`` for music with no layer of its
                own (a metronome), a pattern with no onset at all, a bad count-in.
        """
        timeline = with_count_in(music, count_in)
        targets = targets_for(timeline, pattern)
        if not targets:
            raise UsageError(f"invalid pattern {clip(pattern)!r}: it has no onset to tap")
        return cls(music, pattern, count_in, timeline, targets, unit)

    @property
    def qpm(self) -> Fraction:
        """The opening tempo of the music, in quarter notes a minute."""
        return self.music.tempo_map.qpm_at(Fraction(0))

    def at_tempo(self, qpm: Fraction) -> Exercise:
        """The same exercise at ``qpm`` quarter notes a minute throughout (kept within the
        tempo range)."""
        music = self.music.with_tempo(Tempo(clamp_qpm(qpm)))
        return Exercise.build(music, pattern=self.pattern, count_in=self.count_in, unit=self.unit)

    @property
    def scored_bars(self) -> list[Bar]:
        return [b for b in self.timeline.bars if b.section != COUNT_IN_SECTION]

    def bar_end_seconds(self, bar: int) -> Fraction:
        """Where scored bar ``bar`` (from 1) ends, in seconds from the start."""
        return self.timeline.tempo_map.seconds_at(self.scored_bars[bar - 1].end)

    def bar_start_quarter(self, bar: int) -> Fraction:
        """Where scored bar ``bar`` (from 1) begins, in quarter notes from the start."""
        return self.scored_bars[bar - 1].start

    @property
    def tempo(self) -> Tempo:
        """The opening tempo, in its unit."""
        return Tempo(self.qpm / self.unit, self.unit)

    def describe(self) -> str:
        """One line: the music, the pattern, the tempo in its unit."""
        return f"{self.music.title}: tap the {self.pattern}, {self.tempo}"


def _layer_name(timeline: Timeline, pattern: str) -> str | None:
    """The layer ``pattern`` names, or None for beats and groups."""
    if pattern in ("beats", "groups"):
        return None
    own = [name for name in timeline.layers if name != COUNT.name]
    if pattern == "ostinato":
        played = ostinato_layer(timeline)
        if played is None:
            raise UsageError(
                "invalid pattern 'ostinato': a click has no ostinato; choose beats or groups, "
                "or tap a variant's ostinato (theme tap tv-1966 --pattern ostinato)"
            )
        return played
    if pattern not in own:
        raise UsageError(
            f"invalid pattern {clip(pattern)!r}{did_you_mean(pattern, [*PATTERNS, *own])}: "
            f"expected {', '.join(PATTERNS)} or a layer "
            f"({', '.join(own) if own else 'none here'})"
        )
    return pattern


NOT_AN_OSTINATO = ("click", "clicklow", "foot")
"""The voices that keep the count or the step, never an ostinato: clicks, the dance's feet."""


def ostinato_layer(timeline: Timeline) -> str | None:
    """The layer ``ostinato`` taps: the first that plays music of its own (not a click, a
    count-in or the dance's feet), or None: a metronome has no ostinato, of one meter or two.

    >>> from theme.metronome import Metronome
    >>> ostinato_layer(Metronome("5/4", vs="4/4", bars=1).timeline()) is None
    True
    >>> from theme.variants import load
    >>> ostinato_layer(load("tv-1966").timeline())
    'bass'
    """
    return next(
        (
            name
            for name, layer in timeline.layers.items()
            if name != COUNT.name and layer.voice not in NOT_AN_OSTINATO
        ),
        None,
    )


def targets_for(timeline: Timeline, pattern: str) -> tuple[Target, ...]:
    """The onsets to tap in ``timeline`` (bars of the count-in left out), exact seconds.

    Raises:
        UsageError: an unknown pattern (see :class:`Exercise`).
    """
    layer = _layer_name(timeline, pattern)
    tempo = timeline.tempo_map
    scored = [b for b in timeline.bars if b.section != COUNT_IN_SECTION]
    numbers = {bar.number: n for n, bar in enumerate(scored, start=1)}
    positions: list[tuple[Fraction, Bar]] = []
    if layer is None:
        for bar in scored:
            pulse = bar.meter.pulse_quarters
            pulses = range(bar.meter.numerator) if pattern == "beats" else bar.meter.group_starts
            positions.extend(
                (bar.start + p * pulse, bar) for p in pulses if p * pulse < bar.quarters
            )
    else:
        onsets = sorted(
            {
                e.onset
                for e in timeline.events
                if e.layer == layer and e.accent != AccentLevel.SILENT and e.velocity > 0
            }
        )
        positions = [
            (q, bar) for q in onsets if (bar := timeline.bar_at(q)).section != COUNT_IN_SECTION
        ]
    return tuple(
        Target(tempo.seconds_at(q), numbers[bar.number], q - bar.start, bar.meter)
        for q, bar in positions
    )


METER_BARS = 8
"""Bars of a meter's clicks to tap when no number of bars is given."""


def is_meter(text: str) -> bool:
    """Whether ``text`` names a meter (``5/4``, ``2+2+3/8``) rather than a variant or a file.

    >>> is_meter("2+2+3/8"), is_meter("tv-1966")
    (True, False)
    """
    return bool(re.fullmatch(r"\s*\d+(\s*\+\s*\d+)*\s*/\s*\d+\s*", text))


def meter_exercise(
    meter: str,
    *,
    tempo: str | None = None,
    bars: int | None = None,
    pattern: str | None = None,
    count_in: int = 1,
) -> Exercise:
    """Clicks in ``meter`` to tap along with: ``bars`` bars (:data:`METER_BARS` when None)
    at ``tempo`` (a metronome's tempo text: ``160``, ``e=300``), tapped as ``pattern``
    (``beats``, every pulse, when None), after ``count_in`` bars of count-in.

    >>> ex = meter_exercise("3+2/4", tempo="120", bars=2, pattern="groups")
    >>> ex.music.title, [str(t.seconds) for t in ex.targets]
    ('5/4 (3+2)', ['5/2', '4', '5', '13/2'])
    """
    clicks = Metronome(meter, bpm=tempo, bars=bars or METER_BARS)
    music = clicks.timeline().with_title(
        f"{clicks.meter} ({'+'.join(map(str, clicks.meter.groups))})"
    )
    return Exercise.build(
        music, pattern=pattern or "beats", count_in=count_in, unit=clicks.tempo.unit
    )


def step_qpm(text: str, unit: Fraction) -> Fraction:
    """A tempo step in quarter notes a minute: a bare number counts the tempo's own note
    (``unit`` quarter notes), as the metronome's ramps do; ``q=4`` or ``e=8`` name theirs.

    Raises:
        UsageError: not a step such as 4, q=4 or e=8.

    >>> [str(step_qpm(t, Fraction(1, 2))) for t in ("8", "q=4", "0")]
    ['4', '4', '0']
    """
    bare = re.fullmatch(r"\s*(\d{1,4}(\.\d{1,3})?)\s*", text)
    if bare:
        return Fraction(bare[1]) * unit
    try:
        step = Tempo.parse(text).qpm
    except UsageError as err:
        raise UsageError(f"invalid step {text!r}: expected BPM such as 4, q=4 or e=8") from err
    return step
