"""``theme list``, ``theme show`` and ``theme export``."""

from __future__ import annotations

import argparse

from theme.cli.common import (
    add_practice_options,
    add_variant_options,
    param_values,
    timeline_from_args,
)

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the list, show and export commands."""
    p = subparsers.add_parser("list", help="list the built-in variants")
    p.set_defaults(func=run_list)

    p = subparsers.add_parser(
        "show",
        help="the form, provenance and a box-notation grid per layer",
        description="Show a variant: its form, what is verified and what is a hypothesis, its "
        "parameters, and a grid per section (count, accents, one row per layer). With "
        "--strategy S --diff: where each onset of the 5/4 bar goes.",
    )
    add_variant_options(p)
    p.add_argument(
        "--diff",
        action="store_true",
        help="with --strategy: the original and the result, beat by beat",
    )
    p.add_argument(
        "--diff-bars",
        type=int,
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
        "--rate", type=int, default=48000, help="audio sample rate: 44100 or 48000 (default 48000)"
    )
    p.add_argument(
        "--soundfont",
        metavar="FILE.sf2",
        help="render audio through FluidSynth with this SoundFont",
    )
    p.set_defaults(func=run_export)


def run_list(args: argparse.Namespace) -> int:
    from theme.variants import load, names

    rows = []
    for name in names():
        v = load(name)
        meters = ", ".join(
            f"{m.numerator}/{m.denominator} ({'+'.join(map(str, m.groups))})" for m in v.meters
        )
        rows.append((name, meters, f"{v.total_bars} bars", str(v.tempo), v.title))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths)) + "  " + row[4])
    return 0


def run_show(args: argparse.Namespace) -> int:
    from theme.renderers.text import diff, section_grids
    from theme.variants import load

    variant = load(args.variant, **param_values(args.param))
    print(f"{variant.name}: {variant.title}")
    if variant.description:
        print(variant.description)
    print(f"tempo {args.tempo or variant.tempo} (quarter notes a minute unless a unit is given)")
    print("\nform:")
    for s in variant.sections:
        print(f"  {s.name:<18} {s.meter.explicit:<12} {s.bars} bars")
    if variant.parameters:
        print("\nparameters (set with -p NAME=VALUE):")
        for p in variant.parameters:
            allowed = (
                " | ".join(p.choices) if p.choices is not None else f"{p.minimum} to {p.maximum}"
            )
            print(f"  {p.name} = {variant.values[p.name]}  ({allowed}): {p.help}")
    if variant.claims:
        print("\nwhat we know:")
        for c in variant.claims:
            print(f"  [{c.confidence}] {c.claim}" + (f" ({c.source})" if c.source else ""))
    if args.diff and not args.strategy:
        from theme.errors import UsageError

        raise UsageError("--diff needs --strategy S (squeeze, drop, stretch, rebar or clave)")
    original_strategy, args.strategy = args.strategy, None
    timeline = timeline_from_args(args)
    args.strategy = original_strategy
    if args.strategy and args.diff:
        print()
        print(diff(timeline, args.strategy, bars=args.diff_bars))
        return 0
    if args.strategy:
        from theme.remeter import remeter

        timeline = remeter(timeline, args.strategy, strict=False)
        print(f"\nremetered with {args.strategy}:")
    print()
    print(section_grids(timeline))
    print("\nX accented onset, x onset, . held; accents: > bar downbeat, - group start, ' beat")
    return 0


def run_export(args: argparse.Namespace) -> int:
    from theme.export import write

    timeline = timeline_from_args(args)
    path = write(timeline, args.output, rate=args.rate, soundfont=args.soundfont)
    seconds = float(timeline.duration_seconds)
    print(f"wrote {path} ({len(timeline.bars)} bars, {seconds:.1f} s)")
    return 0
