"""Named strategies that turn 5/4 material into 4/4, and 4/4 into 5/4.

How the 4/4 remixes fit five beats into four is not known (see the rhythm facts); each
candidate is offered by name. A strategy is a piecewise-linear map of positions inside one
source bar (quarter notes) onto positions in the target, with an optional point after which
onsets are dropped. Positions are exact :class:`~fractions.Fraction` quarter notes.

============  =====================  ==================================================
strategy      the ostinato becomes   what happens to a 5/4 bar
============  =====================  ==================================================
``squeeze``   3+3+1+1 (one 4/4 bar)  beats 1-3 kept, beats 4-5 squeezed into beat 4
``drop``      3+3+2   (one 4/4 bar)  beat 5 dropped; the last note kept fills the bar
``stretch``   3+3+2+2 + 6 rest       the bar kept whole, followed by three beats' rest
``rebar``     the same notes         barred in 4/4: phrases cross the barlines
``clave``     4/4 to 5/4             beats 1, 2, 3, 4 onto eighths 0, 3, 6, 8 of 5/4,
                                     off-beats onto eighths 2, 5, 7, 9 (on the grid)
============  =====================  ==================================================

>>> from theme.core.rhythm import Rhythm
>>> ostinato = Rhythm.from_box("X..x..x.x.")
>>> [remeter_rhythm(ostinato, s).durations() for s in ("squeeze", "drop", "stretch")]
[[3, 3, 1, 1], [3, 3, 2], [3, 3, 2, 2]]
>>> remeter_rhythm(ostinato, "stretch").to_box()
'X..x..x.x.------'
>>> remeter_rhythm(Rhythm.from_box("x.x.x.x."), "clave").to_box()
'x..x..x.x.'
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from itertools import pairwise

from theme.core.events import Bar, Event, MarkerKind
from theme.core.meter import Meter
from theme.core.rhythm import Hit, Rhythm, fraction_gcd
from theme.core.tempo import TempoMap, TempoSegment
from theme.errors import RemeterError
from theme.safe_text import did_you_mean

TYPE_CHECKING = False
if TYPE_CHECKING:
    from theme.core.timeline import Timeline

__all__ = [
    "STRATEGIES",
    "Strategy",
    "dropped_notes",
    "get_strategy",
    "remeter",
    "remeter_rhythm",
    "remetered_starts",
]

F = Fraction


@dataclass(frozen=True)
class Strategy:
    """Map each bar of ``source`` onto ``target_bars`` bars of ``target``.

    ``points`` are ``(source position, target position)`` pairs in quarter notes, from
    ``(0, 0)`` to the end of the source bar; positions between are interpolated linearly.
    Onsets at or after ``drop_from`` (quarter notes into the source bar) are dropped.
    ``rebar`` has no points: the music is left as it is and barred again.
    """

    name: str
    source: Meter
    target: Meter
    summary: str
    points: tuple[tuple[Fraction, Fraction], ...] = ()
    drop_from: Fraction | None = None
    target_bars: int = 1

    @property
    def is_rebar(self) -> bool:
        return not self.points

    def matches(self, meter: Meter) -> bool:
        """Whether bars in ``meter`` are remetered (its N/D is the source's, any grouping)."""
        return _same_meter(meter, self.source)

    def maps(self, bar: Bar) -> bool:
        """Whether ``bar`` is remetered: in the source meter and of its full length (a
        pickup or a bar cut short is kept as it is, as a bar in another meter is)."""
        return _same_meter(bar.meter, self.source) and bar.quarters == self.source.bar_quarters

    def map_position(self, position: Fraction) -> Fraction:
        """Where a position inside a source bar (quarter notes) lands in the target.

        >>> STRATEGIES["squeeze"].map_position(Fraction(9, 2))
        Fraction(15, 4)
        """
        if self.is_rebar:
            return position
        landed = _interpolate(self.points, position)
        if landed is None:
            raise RemeterError(f"position {position} is outside the {self.source} bar")
        return landed


STRATEGIES: dict[str, Strategy] = {
    s.name: s
    for s in (
        Strategy(
            "squeeze",
            Meter.parse("5/4"),
            Meter.parse("4/4"),
            "3+3+1+1: all four onsets kept, the two short ones halved",
            ((F(0), F(0)), (F(3), F(3)), (F(5), F(4))),
        ),
        Strategy(
            "drop",
            Meter.parse("5/4"),
            Meter.parse("4/4"),
            "3+3+2 (tresillo): the onset on beat 5 dropped",
            ((F(0), F(0)), (F(4), F(4)), (F(5), F(4))),
            drop_from=F(4),
        ),
        Strategy(
            "stretch",
            Meter.parse("5/4"),
            Meter.parse("4/4"),
            "3+3+2+2 and a rest of 6 eighths: two 4/4 bars (an '8/4 variation')",
            ((F(0), F(0)), (F(5), F(5))),
            target_bars=2,
        ),
        Strategy(
            "rebar",
            Meter.parse("5/4"),
            Meter.parse("4/4"),
            "the same notes barred in 4/4: the phrase crosses the barlines",
        ),
        Strategy(
            "clave",
            Meter.parse("4/4"),
            Meter.parse("5/4"),
            "the '5/4 clave': 4/4 beats 1, 2, 3, 4 onto eighths 0, 3, 6, 8 of a 5/4 bar, each "
            "off-beat eighth onto the eighth before the next beat's (eighths stay eighths)",
            tuple((F(x, 2), F(y, 2)) for x, y in enumerate((0, 2, 3, 5, 6, 7, 8, 9, 10))),
        ),
    )
}
"""The named strategies, by name."""


def get_strategy(name: str | Strategy) -> Strategy:
    """The strategy of that name.

    Raises:
        RemeterError: an unknown name (the message lists the known ones).
    """
    if isinstance(name, Strategy):
        return name
    try:
        return STRATEGIES[name]
    except KeyError:
        raise RemeterError(
            f"unknown strategy {name!r}{did_you_mean(str(name), list(STRATEGIES))}: expected one "
            f"of {', '.join(STRATEGIES)}"
        ) from None


@functools.lru_cache(maxsize=4096)  # a rhythm's positions repeat bar after bar
def _interpolate(
    points: tuple[tuple[Fraction, Fraction], ...], position: Fraction
) -> Fraction | None:
    """``position`` mapped by the piecewise-linear ``points``; None outside them."""
    for (x0, y0), (x1, y1) in pairwise(points):
        if x0 <= position <= x1:
            return y0 + (position - x0) * (y1 - y0) / (x1 - x0)
    return None


def _same_meter(a: Meter, b: Meter) -> bool:
    return (a.numerator, a.denominator) == (b.numerator, b.denominator)


@dataclass(frozen=True)
class _Note:
    start: Fraction
    end: Fraction
    payload: object


def _map_bar(notes: list[_Note], strategy: Strategy, bar_len: Fraction) -> list[_Note | None]:
    """Map notes that start in one source bar (positions relative to it); None = dropped."""
    mapped: list[_Note | None] = []
    last_kept: int | None = None
    dropped_any = False
    for note in notes:
        if strategy.drop_from is not None and note.start >= strategy.drop_from:
            mapped.append(None)
            dropped_any = True
            continue
        end = min(note.end, bar_len)
        if strategy.drop_from is not None:
            end = min(end, strategy.drop_from)
        start, end = strategy.map_position(note.start), strategy.map_position(end)
        if end <= start:  # a grace-length note at a squeezed point keeps a sliver
            end = start + (note.end - note.start) / 2
        mapped.append(_Note(start, end, note.payload))
        last_kept = len(mapped) - 1
    if dropped_any and last_kept is not None:
        kept = mapped[last_kept]
        assert kept is not None
        mapped[last_kept] = _Note(kept.start, strategy.map_position(bar_len), kept.payload)
    return mapped


def remeter_rhythm(rhythm: Rhythm, strategy: str | Strategy) -> Rhythm:
    """Remeter a rhythm of whole source bars (10 eighths a bar for 5/4).

    The result's grid is the finest one its positions need (eighths stay eighths where
    they can). ``rebar`` repeats the rhythm until it fills whole target bars.

    Raises:
        RemeterError: the rhythm is not a whole number of source bars.
    """
    s = get_strategy(strategy)
    src_len, dst_len = s.source.bar_quarters, s.target.bar_quarters
    if (rhythm.quarters / src_len).denominator != 1:
        raise RemeterError(
            f"cannot remeter {rhythm.to_box()!r} with {s.name!r}: it lasts {rhythm.quarters} "
            f"quarter notes, not a whole number of {s.source} bars ({src_len} quarters each)"
        )
    notes = [
        _Note(h.start * rhythm.unit, (h.start + h.length) * rhythm.unit, h.accent)
        for h in rhythm.hits
    ]
    if s.is_rebar:
        repeats = int(math.lcm(int(rhythm.quarters * 4), int(dst_len * 4)) / (rhythm.quarters * 4))
        total = rhythm.quarters * repeats
        out = [
            _Note(n.start + k * rhythm.quarters, n.end + k * rhythm.quarters, n.payload)
            for k in range(repeats)
            for n in notes
        ]
    else:
        bars = int(rhythm.quarters / src_len)
        out = []
        for b in range(bars):
            in_bar = [
                _Note(n.start - b * src_len, n.end - b * src_len, n.payload)
                for n in notes
                if b * src_len <= n.start < (b + 1) * src_len
            ]
            offset = b * dst_len * s.target_bars
            out += [
                _Note(m.start + offset, m.end + offset, m.payload)
                for m in _map_bar(in_bar, s, src_len)
                if m is not None
            ]
        total = bars * dst_len * s.target_bars
    unit = fraction_gcd([rhythm.unit, total] + [v for n in out for v in (n.start, n.end)])
    hits = tuple(
        Hit(int(n.start / unit), int((n.end - n.start) / unit), bool(n.payload)) for n in out
    )
    return Rhythm(hits, int(total / unit), unit)


def remeter(
    timeline: Timeline, strategy: str | Strategy, *, strict: bool = True, source: str | None = None
) -> Timeline:
    """Remeter a whole timeline, bar by bar.

    Bars in the strategy's source meter are mapped; with ``strict`` any other bar is an
    error, otherwise it is kept as it is (the 5/4 intro of a remix, say). Notes crossing a
    source barline are cut at it. ``rebar`` keeps every event and bars each run of source
    bars again in the target meter (a run that does not fill its last bar ends with a rest).
    ``source`` is what the errors call the music (a file's name; the title by default).

    Raises:
        RemeterError: a bar is not in the source meter (with ``strict``), or none is.
    """
    s = get_strategy(strategy)
    _check_meters(timeline, s, strict, source or repr(timeline.title))
    new_bars, starts, dst_start = _layout(timeline, s)
    events: list[Event] = []
    by_bar: dict[int, list[Event]] = {}
    bars, b = timeline.bars, 0
    for event in timeline.events:  # in order: the bars walked in step, not searched
        while b + 1 < len(bars) and bars[b + 1].start <= event.onset:
            b += 1
        by_bar.setdefault(bars[b].number, []).append(event)
    for bar in bars:
        in_bar = by_bar.get(bar.number, [])
        start = starts[bar.number]
        if s.is_rebar or not s.maps(bar):  # moved as they are
            shift = start - bar.start
            events += [_moved(e, e.onset + shift) for e in in_bar]
            continue
        notes = [_Note(e.onset - bar.start, e.onset - bar.start + e.duration, e) for e in in_bar]
        for mapped in _map_bar(notes, s, bar.quarters):
            if mapped is not None:
                assert isinstance(mapped.payload, Event)
                events.append(
                    _moved(mapped.payload, start + mapped.start, mapped.end - mapped.start)
                )

    def landing(position: Fraction) -> Fraction:
        """Where a position of the source (quarter notes) lands in the result."""
        if position >= timeline.length:
            return dst_start + position - timeline.length
        bar = timeline.bar_at(position)
        offset = position - bar.start
        if s.maps(bar):
            return starts[bar.number] + s.map_position(offset)
        return starts[bar.number] + offset

    markers = [
        m.moved(landing(m.at) if s.is_rebar else starts[timeline.bar_at(m.at).number])
        for m in timeline.markers
        if m.kind is not MarkerKind.METER
    ]
    return timeline.build(
        title=f"{timeline.title} ({s.name})",
        bars=new_bars,
        tempo=_mapped_tempo(timeline.tempo_map, landing),
        layers=timeline.layers.values(),
        events=events,
        markers=markers,
    )


def remetered_starts(timeline: Timeline, strategy: str | Strategy) -> dict[int, Fraction]:
    """Where each bar of ``timeline`` (by number) starts once remetered by ``strategy``
    (quarter notes from the start); bars in other meters are kept, as ``strict=False`` does.

    >>> from theme.core.timeline import Timeline
    >>> five = Timeline.build(title="t", bars=[(Meter.parse("5/4"), "")] * 3, tempo=120)
    >>> remetered_starts(five, "stretch")
    {1: Fraction(0, 1), 2: Fraction(8, 1), 3: Fraction(16, 1)}
    """
    return _layout(timeline, get_strategy(strategy))[1]


def _layout(
    timeline: Timeline, s: Strategy
) -> tuple[list[tuple[Meter, str, Fraction | None]], dict[int, Fraction], Fraction]:
    """The bars of the result ``(meter, section)``, where each source bar starts in it, and
    its length (quarter notes). ``rebar`` bars each run of source bars again in the target
    meter (a run that does not fill its last bar ends with a rest)."""
    new_bars: list[tuple[Meter, str, Fraction | None]] = []
    starts: dict[int, Fraction] = {}
    dst_start = Fraction(0)
    bars, i = timeline.bars, 0
    while i < len(bars):
        bar = bars[i]
        starts[bar.number] = dst_start
        if not s.maps(bar):
            new_bars.append((bar.meter, bar.section, bar.length))
            dst_start += bar.quarters
        elif s.is_rebar:  # the run of source bars from here, barred again
            j = i
            while j < len(bars) and s.maps(bars[j]):
                starts[bars[j].number] = dst_start + bars[j].start - bar.start
                j += 1
            target = s.target.bar_quarters
            count = math.ceil((bars[j - 1].end - bar.start) / target)
            new_bars += [
                (s.target, timeline.bar_at(bar.start + k * target).section, None)
                for k in range(count)
            ]
            dst_start += count * target
            i = j
            continue
        else:
            new_bars += [(s.target, bar.section, None)] * s.target_bars
            dst_start += s.target.bar_quarters * s.target_bars
        i += 1
    return new_bars, starts, dst_start


def _moved(event: Event, onset: Fraction, duration: Fraction | None = None) -> Event:
    """The event at ``onset`` (and lasting ``duration``): ``dataclasses.replace`` without its
    cost, for a million notes."""
    e = event
    return Event(
        onset, e.duration if duration is None else duration, e.layer, e.pitch, e.velocity, e.accent
    )


def _mapped_tempo(tempo_map: TempoMap, landing: Callable[[Fraction], Fraction]) -> TempoMap:
    """The tempo map with each change moved to where its position lands; a ramp spans the
    mapped length of its span (a span mapped to nothing becomes a change at its end)."""
    segments: list[TempoSegment] = []
    for segment in tempo_map.segments:
        start = landing(segment.start)
        length = None
        if segment.length is not None:
            length = landing(segment.start + segment.length) - start
        qpm, end_qpm = segment.qpm, segment.end_qpm
        if length == 0:  # a span that the strategy dropped: only its outcome is left
            assert segment.length is not None
            qpm, end_qpm, length = segment.qpm_at(segment.length), None, None
        if segments and segments[-1].start == start:
            segments.pop()  # two changes landing on one position: the later one holds
        segments.append(TempoSegment(start, qpm, length, end_qpm))
    if segments == list(tempo_map.segments):
        return tempo_map  # nothing moved (rebar, or changes before the first mapped bar)
    return TempoMap(segments)


def dropped_notes(timeline: Timeline, strategy: str | Strategy) -> int:
    """How many notes ``strategy`` drops from ``timeline`` (those at or after its
    ``drop_from`` in bars of its source meter; 0 for a strategy that keeps them all).

    >>> from theme.core.timeline import Timeline
    >>> five = Timeline.build(title="t", bars=[(Meter.parse("5/4"), "")], tempo=120)
    >>> dropped_notes(five.with_events([Event(F(k), F(1), "x", 60) for k in range(5)]), "drop")
    1
    """
    s = get_strategy(strategy)
    if s.drop_from is None:
        return 0
    return sum(
        1
        for bar in timeline.bars
        if s.maps(bar)
        for e in timeline.bar_events(bar)
        if e.onset - bar.start >= s.drop_from
    )


def _quarters_text(quarters: Fraction) -> str:
    """A length in words: ``5 quarter notes``, ``1 quarter note``, ``7/2 quarter notes``.

    >>> _quarters_text(Fraction(5)), _quarters_text(Fraction(1)), _quarters_text(Fraction(7, 2))
    ('5 quarter notes', '1 quarter note', '7/2 quarter notes')
    """
    return f"{quarters} quarter note{'' if quarters == 1 else 's'}"


def _check_meters(timeline: Timeline, s: Strategy, strict: bool, name: str) -> None:
    matching = [b for b in timeline.bars if s.maps(b)]
    if not matching:
        odd = [b for b in timeline.bars if _same_meter(b.meter, s.source)]
        if odd:  # bars in the meter, none of its length: a pickup, a bar longer than its meter
            lengths = ", ".join(
                f"bar {b.number} is {_quarters_text(b.quarters)}" for b in odd[:3]
            ) + (", ..." if len(odd) > 3 else "")
            raise RemeterError(
                f"{name} has no full bar of {s.source}: {lengths} long, not "
                f"{_quarters_text(s.source.bar_quarters)}; strategy {s.name!r} remeters "
                "only full bars"
            )
        found = ", ".join(sorted({str(b.meter) for b in timeline.bars}))
        raise RemeterError(f"{name} is in {found}: strategy {s.name!r} needs music in {s.source}")
    if strict:
        pickup = timeline.starts_with_pickup  # a pickup is kept as a pickup, a short last bar too
        for bar in timeline.bars[1:] if pickup else timeline.bars:
            if not _same_meter(bar.meter, s.source):
                raise RemeterError(
                    f"{name} is in {bar.meter} at bar {bar.number}: strategy "
                    f"{s.name!r} needs every bar in {s.source} (--lenient keeps the others)"
                )
