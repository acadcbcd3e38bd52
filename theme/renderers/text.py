"""Plain-text pictures of a timeline: box-notation grids with counts and accents, and the
beat-by-beat difference a remetering strategy makes.

Grid rows (one cell a grid step, eighths by default)::

    count   1 & 2 & 3 & 4 & 5 &
    accent  > . . . . . - . . .      > bar downbeat, - group start, ' beat
    bass    X . . x . . x . x .      X accented onset, x onset, . held, space silent
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from theme.core.events import ACCENTED_VELOCITY
from theme.core.meter import AccentLevel, Meter
from theme.core.remeter import Strategy, get_strategy, remeter, remetered_starts
from theme.core.rhythm import fraction_gcd
from theme.core.timeline import Bar, Timeline
from theme.errors import UsageError
from theme.safe_text import counted, printable

__all__ = ["beat_label", "diff", "file_summary", "grid", "section_grids"]

ACCENT_MARKS = {AccentLevel.DOWNBEAT: ">", AccentLevel.GROUP: "-", AccentLevel.BEAT: "'"}
SUBDIVISION_NAMES = {Fraction(1, 2): "&", Fraction(1, 4): "e", Fraction(3, 4): "a"}


def beat_label(meter: Meter, offset: Fraction) -> str:
    """A counting label for a position in a bar (quarter notes): ``'1'``, ``'2&'``, ``'4e'``.

    >>> m = Meter.parse("5/4")
    >>> beat_label(m, Fraction(0)), beat_label(m, Fraction(3, 2)), beat_label(m, Fraction(17, 4))
    ('1', '2&', '5e')
    >>> beat_label(m, Fraction(1, 3))
    '1+1/3'
    """
    pulse, rest = divmod(Fraction(offset) / meter.pulse_quarters, 1)
    label = str(int(pulse) + 1)
    if rest:
        label += SUBDIVISION_NAMES.get(rest, f"+{rest}")
    return label


def _cell(timeline: Timeline, bars: Sequence[Bar]) -> Fraction:
    """The coarsest grid that holds every onset and note end in ``bars`` (at most an eighth)."""
    values = [Fraction(1, 2)]
    for bar in bars:
        for event in timeline.bar_events(bar):
            values += [event.onset - bar.start, event.duration]
    return fraction_gcd(values)


def grid(timeline: Timeline, bar_numbers: Sequence[int]) -> str:
    """Rows of box notation for the given bars (numbered from 1), all layers, with the count
    and the accents of the meter above them; bars are separated by ``|``."""
    bars = [timeline.bars[n - 1] for n in bar_numbers]
    cell = _cell(timeline, bars)
    names = {name: printable(name) for name in timeline.layers}
    width = max([len(n) for n in names.values()] + [6])
    wide = max(b.meter.numerator for b in bars) >= 10
    count_row, accent_row = [], []
    rows: dict[str, list[str]] = {name: [] for name in timeline.layers}

    def join(marks: list[str]) -> str:
        return " ".join(m.ljust(2) if wide else m for m in marks)

    for bar in bars:
        cells = int(bar.quarters / cell)
        counts, accents = [], []
        levels = bar.meter.accent_levels()
        lead = _lead(timeline, bar)
        for i in range(cells):
            pulse, rest = divmod(lead + i * cell, bar.meter.pulse_quarters)
            counts.append(str(int(pulse) + 1) if not rest else SUBDIVISION_NAMES.get(rest, "."))
            level = levels[int(pulse) % len(levels)] if not rest else AccentLevel.SUBDIVISION
            accents.append(ACCENT_MARKS.get(level, "."))
        count_row.append(join(counts))
        accent_row.append(join(accents))
        in_bar = timeline.bar_events(bar)
        for name in timeline.layers:
            marks = [" "] * cells
            for event in in_bar:
                if event.layer != name:
                    continue
                first = int((event.onset - bar.start) / cell)
                last = min(cells, int((event.onset - bar.start + event.duration) / cell))
                for i in range(first + 1, last):
                    if marks[i] == " ":
                        marks[i] = "."
                marks[first] = "X" if event.velocity >= ACCENTED_VELOCITY else "x"
            rows[name].append(join(marks))
    lines = [f"  {'count':<{width}}  " + " | ".join(count_row)]
    lines.append(f"  {'accent':<{width}}  " + " | ".join(accent_row))
    lines += [
        f"  {names[name]:<{width}}  " + " | ".join(cells)
        for name, cells in rows.items()
        if any(c.strip() for c in cells)
    ]
    return "\n".join(line.rstrip() for line in lines)


def _lead(timeline: Timeline, bar: Bar) -> Fraction:
    """Where a bar starts in its meter (quarter notes): a pickup ends where the meter ends,
    every other bar starts at its downbeat."""
    if bar.number == 1 and timeline.starts_with_pickup and bar.quarters < bar.meter.bar_quarters:
        return bar.meter.bar_quarters - bar.quarters
    return Fraction(0)


def section_grids(timeline: Timeline, *, max_bars: int = 4) -> str:
    """A grid for each section of the timeline: its first bars, up to where its patterns
    repeat (at most ``max_bars``), with the number of bars and the meter's grouping."""
    out = []
    sections: list[list[Bar]] = []
    for bar in timeline.bars:
        if (
            sections
            and sections[-1][0].section == bar.section
            and sections[-1][-1].number == bar.number - 1
            and (bar.section or _same_run(sections[-1][-1], bar))  # unnamed: by meter
        ):
            sections[-1].append(bar)
        else:
            sections.append([bar])
    for bars in sections:
        first = bars[0]
        shown = _period(timeline, bars, max_bars)
        meters = ", ".join(sorted({b.meter.label for b in bars}))
        if len(bars) == 1:
            where = f"bar {first.number}, in {meters}"
        else:
            where = f"bars {first.number}-{bars[-1].number}, {_bars(len(bars))} of {meters}"
        heading = f"{printable(first.section) or 'bars'}: {where}"
        if len(shown) < len(bars):
            heading += "; the grid shows " + (
                "its first bar" if len(shown) == 1 else f"the first {_bars(len(shown))}"
            )
        out.append(heading)
        out.append(grid(timeline, [b.number for b in shown]))
    return "\n".join(out)


def _period(timeline: Timeline, bars: list[Bar], max_bars: int) -> list[Bar]:
    """The first bars of a section up to its period: the fewest bars after which every bar
    repeats (at most ``max_bars``)."""

    def signature(bar: Bar) -> tuple[object, ...]:
        return tuple(
            (e.onset - bar.start, e.duration, e.layer, e.velocity) for e in timeline.bar_events(bar)
        )

    signatures = [signature(bar) for bar in bars]
    for period in range(1, max_bars + 1):
        if all(signatures[i] == signatures[i + period] for i in range(len(bars) - period)):
            return bars[:period]
    return bars[:max_bars]


def diff(
    timeline: Timeline, strategy: str | Strategy, *, bars: int = 1, source: str | None = None
) -> str:
    """The first ``bars`` bars in the strategy's source meter, note by note: where each onset
    was and where it is now, and whether it was kept, moved or dropped. ``source`` is what
    an error calls the music (a file's name; the title by default)."""
    if not isinstance(bars, int) or isinstance(bars, bool):
        raise TypeError(f"bars must be an int, not {type(bars).__name__}")
    if bars < 1:
        raise UsageError(f"invalid bars to compare {bars}: expected 1 or more")
    s = get_strategy(strategy)
    result = remeter(timeline, s, strict=False, source=source)
    source_bars = [b for b in timeline.bars if s.maps(b)][:bars]
    lines = [f"{s.name}: {s.source} -> {s.target}, {s.summary}"]
    starts = remetered_starts(timeline, s)  # where each source bar starts in the result
    for bar in source_bars:
        before = starts[bar.number]
        lines.append(f"bar {bar.number}, {bar.meter.label}")
        for name in timeline.layers:
            events = [e for e in timeline.layer_events(name) if bar.start <= e.onset < bar.end]
            if not events:
                continue
            lines.append(f"  {printable(name)}")
            for event in events:
                offset = event.onset - bar.start
                was = f"bar {bar.number} beat {beat_label(bar.meter, offset)}"
                if s.drop_from is not None and offset >= s.drop_from:
                    lines.append(f"    {was:<20} -> {'':<20} dropped")
                    continue
                target = event.onset if s.is_rebar else before + s.map_position(offset)
                new_bar = result.bar_at(target)
                now = (
                    f"bar {new_bar.number} beat {beat_label(new_bar.meter, target - new_bar.start)}"
                )
                same = beat_label(bar.meter, offset) == beat_label(
                    new_bar.meter, target - new_bar.start
                )
                lines.append(f"    {was:<20} -> {now:<20} {'kept' if same else 'moved'}")
    return "\n".join(lines)


MAX_SUMMARY_ROWS = 12
"""The most meter runs and tempo changes :func:`file_summary` lists one by one."""


def file_summary(timeline: Timeline, name: str) -> str:
    """What a file of one's own holds: its title, its meters with their bars, its layers with
    their note counts and its tempo or tempos (quarter notes a minute), one fact a line.

    >>> five = Meter.parse("5/4")
    >>> tl = Timeline.build(title="Mine", bars=[(five, "")] * 3 + [(Meter.parse("4/4"), "")],
    ...                     tempo=132)
    >>> print(file_summary(tl, "mine.mid (MIDI file)"))
    Mine
    mine.mid (MIDI file): 4 bars, 8.6 s
    meters:
      5/4 (3+2)  bars 1-3 (3 bars)
      4/4 (2+2)  bar 4
    layers: none with notes
    tempo: q=132
    <BLANKLINE>
    """
    from theme.core.events import NO_METER
    from theme.core.tempo import format_bpm

    unmetered = any(m.value == NO_METER for m in timeline.markers if m.at == 0)
    lines = [
        printable(timeline.title),
        printable(name)
        + f": {_bars(len(timeline.bars))}, {float(timeline.duration_seconds):.1f} s",
        f"meters: ({NO_METER}, MIDI's rule)" if unmetered else "meters:",
    ]
    runs: list[list[Bar]] = []
    for bar in timeline.bars:
        if runs and _same_run(runs[-1][-1], bar):
            runs[-1].append(bar)
        else:
            runs.append([bar])
    shown = runs if len(runs) <= MAX_SUMMARY_ROWS else runs[: MAX_SUMMARY_ROWS - 1]

    def named(meter: Meter) -> str:
        return meter.label

    width = max(len(named(run[0].meter)) for run in shown)
    for run in shown:
        first, last = run[0], run[-1]
        where = (
            f"bar {first.number}"
            if len(run) == 1
            else f"bars {first.number}-{last.number} ({_bars(len(run))})"
        )
        short = " (a pickup)" if first.number == 1 and timeline.starts_with_pickup else ""
        if first.length is not None and not short:
            short = f" ({first.quarters} quarter notes long)"
        lines.append(f"  {named(first.meter):<{width}}  {where}{short}")
    if len(shown) < len(runs):
        lines.append(f"  ... {len(runs) - len(shown)} more meter changes")
    counts: dict[str, int] = dict.fromkeys(timeline.layers, 0)
    for event in timeline.events:
        counts[event.layer] = counts.get(event.layer, 0) + 1
    counts = {layer: n for layer, n in counts.items() if n}
    if counts:
        lines.append("layers:")
        width = max(len(printable(layer)) for layer in counts)
        lines += [
            f"  {printable(layer):<{width}}  {n} note{'s' if n != 1 else ''}"
            for layer, n in counts.items()
        ]
    else:
        lines.append("layers: none with notes")
    segments = timeline.tempo_map.segments
    if len(segments) == 1 and not segments[0].is_ramp:
        lines.append(f"tempo: q={format_bpm(segments[0].qpm)}")
    else:
        lines.append(f"tempos: {len(segments)}")
        for segment in segments[:MAX_SUMMARY_ROWS]:
            at = timeline.bar_at(segment.start)
            end = segment.end_qpm
            ramp = f" to q={format_bpm(end)}" if segment.is_ramp and end is not None else ""
            where = f"bar {at.number} beat {beat_label(at.meter, segment.start - at.start)}"
            lines.append(f"  {where:<18} q={format_bpm(segment.qpm)}{ramp}")
        if len(segments) > MAX_SUMMARY_ROWS:
            lines.append(f"  ... {len(segments) - MAX_SUMMARY_ROWS} more")
    return "\n".join(lines) + "\n"


def _same_run(a: Bar, b: Bar) -> bool:
    """Whether two bars, one after the other, belong to one run: one meter, full length."""
    return a.meter == b.meter and a.length is None and b.length is None


def _bars(count: int) -> str:
    """``'1 bar'``, ``'3 bars'``."""
    return counted(count, "bar")
