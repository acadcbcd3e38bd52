"""``theme metronome METER [--vs METER] ...``: live, or written to a file."""

from __future__ import annotations

import argparse

from theme.cli.common import add_display_delay_option, display_delay_seconds

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the metronome command."""
    p = subparsers.add_parser(
        "metronome",
        help="a metronome that clicks in groups, and plays 5/4 against 4/4",
        description="Click any meter in its groups (5/4 as 3+2, 7/8 as 2+2+3, or --accent), "
        "alone or against a second meter. --bpm counts quarter notes (160 or q=160) unless a "
        "unit is given: e=300 counts eighths, q.=100 dotted quarters. Keys while playing: "
        "+/- tempo, space pause, t tap tempo, q quit.",
        epilog="examples: theme metronome 5/4 --vs 4/4 --bpm 160 --align beat; "
        "theme metronome 7/8 --bpm e=280 --ramp 200-280/4 --count-in 1; "
        "theme metronome 5/4 --bars 8 -o click.wav",
    )
    p.add_argument("meter", metavar="METER", help="5/4, 7/8, 3+2/4, 2+2+3/8 ...")
    p.add_argument("--vs", metavar="METER", help="a second meter to play against the first")
    p.add_argument(
        "--bpm", default="120", help="tempo: 160 or q=160 (quarters), e=300, q.=100 (default 120)"
    )
    p.add_argument(
        "--align",
        choices=("beat", "bar"),
        default="beat",
        help="beat: same pulse; bar: same bar length",
    )
    p.add_argument("--accent", metavar="GROUPS", help="regroup the first meter, e.g. 2+3")
    p.add_argument(
        "--subdivide", type=int, default=1, choices=(1, 2, 3, 4), help="clicks per pulse"
    )
    p.add_argument(
        "--swing", type=float, default=0.5, help="with --subdivide 2: 0.5 straight to 0.75"
    )
    p.add_argument(
        "--count-in", type=int, default=0, metavar="BARS", help="bars of count-in, in the meter"
    )
    trainer = p.add_mutually_exclusive_group()
    trainer.add_argument(
        "--ramp",
        metavar="A-B/K",
        help="tempo trainer: from A to B, 4 BPM up every K bars (A-B/K+S: S BPM)",
    )
    trainer.add_argument(
        "--accel", metavar="A-B/N", help="gradual accelerando from A to B over N bars"
    )
    p.add_argument("--gap", metavar="ON:OFF", help="bars heard and bars silent, e.g. 3:1")
    p.add_argument(
        "--bars", type=int, metavar="N", help="stop after N bars (default: until q or Ctrl-C)"
    )
    p.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write .wav, .flac, .ogg, .mid or .html (a page to project) instead of playing "
        "(needs --bars)",
    )
    p.add_argument("--rate", type=int, default=48000, help="sample rate: 44100 or 48000")
    p.add_argument("--device", help="output device: a name or an index (see 'theme devices')")
    p.add_argument("--latency", type=float, metavar="SECONDS", help="output latency in seconds")
    add_display_delay_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import sys

    from theme.errors import UsageError
    from theme.metronome import Metronome

    metronome = Metronome(
        args.meter,
        vs=args.vs,
        bpm=args.bpm,
        align=args.align,
        accent=args.accent,
        subdivide=args.subdivide,
        swing=args.swing,
        count_in=args.count_in,
        ramp=args.ramp,
        accel=args.accel,
        gap=args.gap,
        bars=args.bars,
    )
    if args.output:
        from theme.export import write
        from theme.output import output_format

        kind = output_format(args.output, ["wav", "flac", "ogg", "mid", "midi", "html"])
        if args.bars is None:
            raise UsageError("-o needs --bars N: a file cannot hold an endless metronome")
        if kind in ("mid", "midi", "html"):
            write(metronome.timeline(), args.output)
        else:  # straight from the renderer: an hour of clicks needs no more memory than a minute
            from theme.renderers.audio import write_blocks

            write_blocks(metronome.renderer(rate=args.rate).blocks(), args.output, rate=args.rate)
        print(f"wrote {args.output} ({metronome.describe()}, {args.count_in + args.bars} bars)")
        return 0
    from theme.live import LiveMetronome, TerminalKeys

    display_delay = display_delay_seconds(args.display_delay)

    with TerminalKeys() as keys:
        live = LiveMetronome(
            metronome,
            keys=keys,
            device=args.device,
            latency=args.latency,
            rate=args.rate,
            out=sys.stdout,
            display_delay=display_delay,
        )
        return live.run()
