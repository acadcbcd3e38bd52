"""``theme list``, ``theme show`` and ``theme export``."""

from __future__ import annotations

import argparse

from theme.cli.common import (
    add_practice_options,
    add_variant_options,
    param_values,
    timeline_from_args,
    whole_number,
)

TYPE_CHECKING = False  # importing typing costs start-up time
if TYPE_CHECKING:
    from theme.variants import Variant

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the list, show and export commands."""
    p = subparsers.add_parser(
        "list",
        help="list the built-in variants, by group",
        description="List the built-in variants under their groups: the theme and its remixes, "
        "the repertoire (odd meters in music you know) and the dances. --meter and --grouping "
        "keep those with a section in that meter or grouping, --group those of one group.",
    )
    p.add_argument(
        "--meter",
        metavar="METER",
        help="only those with a section in this meter: 7/8 (any grouping) or 3+2+2/8",
    )
    p.add_argument(
        "--grouping",
        metavar="G+G",
        help="only those with a section grouped so, in pulses of its meter: 3+2, 2+2+3 ...",
    )
    p.add_argument("--group", metavar="GROUP", help="only one group: theme, repertoire or dances")
    p.set_defaults(func=run_list)

    p = subparsers.add_parser(
        "show",
        help="the form, provenance and a box-notation grid per layer",
        description="Show a variant: its form, what is verified and what is a hypothesis, its "
        "parameters, and a grid per section (count, accents, one row per layer). Show a file "
        "of your own (.mid, .musicxml, .xml, .mxl, .abc): its title, meters with their bars, "
        "layers with their notes, tempos and a grid per meter. With --strategy S --diff: "
        "where each onset of the first bar in the strategy's meter goes.",
    )
    add_variant_options(p)
    p.add_argument(
        "--diff",
        action="store_true",
        help="with --strategy: the original and the result, beat by beat",
    )
    p.add_argument(
        "--diff-bars",
        type=whole_number,
        default=1,
        metavar="N",
        help="bars to compare with --diff (default 1)",
    )
    p.set_defaults(func=run_show)

    p = subparsers.add_parser(
        "export",
        help="write a variant to .mid, .musicxml, .svg/.png, .wav/.flac/.ogg or .html",
        description="Write a variant to a file; the format follows the extension.",
    )
    add_variant_options(p)
    p.add_argument("-o", "--output", required=True, metavar="FILE", help="the file to write")
    add_practice_options(p)
    p.add_argument(
        "--rate",
        type=whole_number,
        default=48000,
        help="audio sample rate: 44100 or 48000 (default 48000)",
    )
    p.add_argument(
        "--soundfont",
        metavar="FILE.sf2",
        help="render audio through FluidSynth with this SoundFont",
    )
    p.set_defaults(func=run_export)


def run_list(args: argparse.Namespace) -> int:
    """Every filter is checked before anything is printed: a bad one prints one line; no
    match says so, with the meters and groupings there are."""
    from theme.variants import catalog

    chosen = catalog(meter=args.meter, grouping=args.grouping, group=args.group)
    print(_listing(chosen) if chosen else _no_match(args.meter, args.grouping, args.group))
    return 0


def _listing(chosen: list[Variant]) -> str:
    """The variants under their groups' headings, one row each, the columns aligned."""
    from theme.safe_text import counted, printable
    from theme.variants import grouped

    sections: list[tuple[str, list[tuple[str, ...]]]] = []
    for heading, members in grouped(chosen):
        rows: list[tuple[str, ...]] = []
        for v in members:
            meters = ", ".join(m.label for m in v.meters)
            rows.append(
                (v.name, meters, counted(v.total_bars, "bar"), str(v.tempo), printable(v.title))
            )
        sections.append((heading, rows))
    every = [row for _, rows in sections for row in rows]
    widths = [max(len(row[i]) for row in every) for i in range(4)]
    lines: list[str] = []
    for heading, rows in sections:
        lines += [""] if lines else []
        lines.append(f"{heading}:")
        for row in rows:
            cells = "  ".join(cell.ljust(width) for cell, width in zip(row, widths))
            lines.append(f"  {cells}  {row[4]}")
    return "\n".join(lines)


def _no_match(meter: str | None, grouping: str | None, group: str | None) -> str:
    from theme.safe_text import printable
    from theme.variants import catalog

    wanted = " and ".join(
        f"{label} {value}"
        for label, value in (("meter", meter), ("grouping", grouping))
        if value is not None
    )
    which = f"variant in {group}" if group is not None else "built-in variant"
    every = catalog(group=group)
    meters = sorted({(m.numerator, m.denominator) for v in every for m in v.meters})
    groupings = sorted({g for v in every for g in v.groupings}, key=lambda g: (sum(g), g))
    return "\n".join(
        [
            f"no {which} has a section in {printable(wanted)}",
            "meters: " + ", ".join(f"{n}/{d}" for n, d in meters),
            "groupings: " + ", ".join("+".join(map(str, g)) for g in groupings),
        ]
    )


def run_show(args: argparse.Namespace) -> int:
    """Everything is built and checked first (the variant, the tempo, the strategy, the
    grids); the page is printed only when it is whole, so a bad value prints one line."""
    from theme.core.tempo import Tempo
    from theme.errors import UsageError
    from theme.readers.files import open_source
    from theme.renderers.text import diff, section_grids
    from theme.safe_text import counted, printable

    if args.diff and args.strategy is None:
        raise UsageError("--diff needs --strategy S (squeeze, drop, stretch, rebar or clave)")
    opened = open_source(args.variant)  # the file read once, for all that follows
    own = opened.is_music
    kind = opened.kind.name if opened.kind is not None else "variant"
    if not own:
        variant = opened.variant(**param_values(args.param))
        tempo = Tempo.parse(args.tempo) if args.tempo is not None else variant.tempo
    strategy, args.strategy = args.strategy, None
    try:
        timeline = timeline_from_args(args, opened)
    finally:
        args.strategy = strategy
    if strategy is not None and args.diff:
        body = ["", diff(timeline, strategy, bars=args.diff_bars, source=repr(args.variant))]
    else:
        body = [""]
        if strategy is not None:
            from theme.core.remeter import remeter

            timeline = remeter(timeline, strategy, strict=False, source=repr(args.variant))
            body = ["", f"remetered with {strategy}:", ""]
        body += [
            section_grids(timeline),
            "",
            "X accented onset, x onset, . held; accents: > bar downbeat, - group start, ' beat",
        ]
    if own:
        from theme.renderers.text import file_summary

        print(file_summary(timeline, f"{args.variant} ({kind} file)") + "\n".join(body))
        return 0
    page = [printable(f"{variant.name}: {variant.title}")]
    page += [printable(line) for line in variant.description.splitlines()]
    page += [f"tempo {tempo} (quarter notes a minute unless a unit is given)", "", "form:"]
    width = max((len(s.meter.label) for s in variant.sections), default=0)
    for s in variant.sections:
        page.append(f"  {printable(s.name):<18} {s.meter.label:<{width}}  {counted(s.bars, 'bar')}")
    if variant.parameters:
        page += ["", "parameters (set with -p NAME=VALUE):"]
        for p in variant.parameters:
            allowed = (
                " | ".join(p.choices) if p.choices is not None else f"{p.minimum} to {p.maximum}"
            )
            page.append(printable(f"  {p.name} = {variant.values[p.name]}  ({allowed}): {p.help}"))
    if variant.group:
        from theme.variants import GROUPS

        page.insert(1, f"group: {GROUPS[variant.group]}")
    if variant.claims:
        page += ["", "what we know:"]
        for c in variant.claims:
            source = f" ({c.source})" if c.source else ""
            page.append(printable(f"  [{c.confidence}] {c.claim}{source}"))
    print("\n".join(page + body))
    return 0


def run_export(args: argparse.Namespace) -> int:
    from theme.export import FORMATS, write
    from theme.output import output_file

    out = output_file(args.output, FORMATS)  # checked once, before the work
    timeline = timeline_from_args(args)
    path = write(timeline, out, rate=args.rate, soundfont=args.soundfont)
    seconds = float(timeline.duration_seconds)
    from theme.safe_text import counted

    print(f"wrote {path} ({counted(len(timeline.bars), 'bar')}, {seconds:.1f} s)")
    return 0
