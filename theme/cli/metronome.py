"""``theme metronome METER [--vs METER] ...``: live, or written to a file."""

from __future__ import annotations

import argparse

from theme.cli.common import (
    add_device_options,
    add_display_delay_option,
    add_midi_options,
    check_midi_options,
    display_delay_seconds,
    whole_number,
)

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the metronome command."""
    p = subparsers.add_parser(
        "metronome",
        help="a metronome that clicks in groups, and plays 5/4 against 4/4",
        description="Click any meter in its groups (5/4 as 3+2, 7/8 as 2+2+3, or --accent), "
        "alone (in the centre) or against a second meter (first left, second right). --bpm "
        "counts quarter notes (160 or q=160) unless a unit is given: e=300 counts eighths, "
        "q.=100 dotted quarters; --ramp and --accel write their tempos the same way "
        "(e=200-280/4) and set the tempo themselves, so they take no --bpm. Keys while "
        "playing: +/- tempo, space pause, t tap tempo, q quit. --midi-out sends the clicks to a "
        "MIDI port (channel 10, as a .mid file holds them), --clock sends MIDI clock: 24 a "
        "quarter note in every meter, following the ramp, the keys and the pauses. An option "
        "that would do nothing is refused, with the reason.",
        epilog="examples: theme metronome 5/4 --vs 4/4 --bpm 160 --align beat; "
        "theme metronome 7/8 --ramp e=200-280/4 --count-in 1; "
        "theme metronome 5/4 --bars 8 -o click.wav",
    )
    p.add_argument("meter", metavar="METER", help="5/4, 7/8, 3+2/4, 2+2+3/8 ...")
    p.add_argument("--vs", metavar="METER", help="a second meter to play against the first")
    p.add_argument("--bpm", help="tempo: 160 or q=160 (quarters), e=300, q.=100 (default 120)")
    p.add_argument(
        "--align",
        choices=("beat", "bar"),
        help="with --vs: beat, the same pulse (the default); bar, the same bar length",
    )
    p.add_argument("--accent", metavar="GROUPS", help="regroup the first meter, e.g. 2+3")
    p.add_argument(
        "--subdivide", type=whole_number, default=1, choices=(1, 2, 3, 4), help="clicks per pulse"
    )
    p.add_argument(
        "--swing", type=float, default=0.5, help="with --subdivide 2: 0.5 straight to 0.75"
    )
    p.add_argument(
        "--count-in",
        type=whole_number,
        default=0,
        metavar="BARS",
        help="bars of count-in, in the meter",
    )
    trainer = p.add_mutually_exclusive_group()
    trainer.add_argument(
        "--ramp",
        metavar="[U=]A-B/K",
        help="tempo trainer: from A to B, 4 BPM up every K bars (A-B/K+S: S BPM); the BPMs "
        "count quarters, or the unit U given: e=200-280/4 counts eighths",
    )
    trainer.add_argument(
        "--accel",
        metavar="[U=]A-B/N",
        help="gradual accelerando from A to B over N bars (quarters, or e=200-280/8 ...)",
    )
    p.add_argument("--gap", metavar="ON:OFF", help="bars heard and bars silent, e.g. 3:1")
    p.add_argument(
        "--bars",
        type=whole_number,
        metavar="N",
        help="stop after N bars (default: until q or Ctrl-C)",
    )
    p.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write .wav, .flac, .ogg, .mid or .html (a page to project) instead of playing "
        "(a sound or MIDI file needs --bars; a page, which loops, holds 8 bars, or as many "
        "as the two meters need to meet, unless --bars is given)",
    )
    p.add_argument(
        "--rate", type=whole_number, help="sample rate of the sound: 44100 or 48000 (default)"
    )
    add_device_options(p)
    p.add_argument(
        "--link",
        action="store_true",
        help="join an Ableton Link session: share its tempo (Link beats are quarter notes), "
        "put bar 1 on its phase (quantum: the bar, 5 for 5/4), start and stop with it; "
        "needs the optional package aalink (uv sync --extra sync)",
    )
    p.add_argument(
        "--no-link-start-stop",
        action="store_true",
        help="with --link: share the tempo and the phase only; start and stop are ours, and "
        "the other programs' start and stop do not pause or start the metronome",
    )
    p.add_argument(
        "--jack-transport",
        choices=("lead", "follow"),
        help="lead: make the metronome JACK's transport (its timebase master: bar, beat and "
        "tick in its meter, its tempo), started and stopped with it; follow: start, stop, "
        "locate and change tempo with JACK's transport (bar 1 on its frame 0); needs a JACK "
        "server and the optional package JACK-Client (uv sync --extra sync)",
    )
    p.add_argument(
        "--clock-in",
        metavar="PORT",
        help="follow the MIDI clock coming in at PORT (a DAW, a drum machine; see 'theme "
        "ports'): its tempo, bar 1 on its song position 0, start and stop with it; other "
        "messages are ignored; needs python-rtmidi (uv sync --extra sync)",
    )
    p.add_argument(
        "--clock-in-delay",
        metavar="MS",
        help="with --clock-in: how late the master's clock comes on its way, in milliseconds "
        "(-500 to 500; default 0): its beats are taken that much earlier, as a DAW's MIDI "
        "clock delay for a port",
    )
    add_display_delay_option(p)
    add_midi_options(p)
    p.add_argument(
        "--click-channel",
        metavar="N",
        help="with --midi-out: send the clicks on MIDI channel N (1 to 16; default 10, the "
        "drum channel, as a .mid file holds them)",
    )
    p.add_argument(
        "--click-notes",
        metavar="D,G,B",
        help="with --midi-out: the note numbers (0 to 127) of the downbeat, of a group's "
        "first pulse and of any other pulse (default 76,76,77: General MIDI's high and low "
        "woodblock); the second meter of --vs keeps its own",
    )
    p.set_defaults(func=run)


def _refuse_no_ops(args: argparse.Namespace, kind: str | None) -> None:
    """Refuse the options that would do nothing with the others given."""
    from theme.errors import UsageError

    if kind is None:
        if args.rate is not None:
            from theme.renderers.audio import check_rate

            check_rate(args.rate)
        return
    live_only = [
        (args.link, "--link"),
        (args.no_link_start_stop, "--no-link-start-stop"),
        (args.clock_in is not None, "--clock-in"),
        (args.clock_in_delay is not None, "--clock-in-delay"),
        (args.jack_transport is not None, "--jack-transport"),
        (args.device is not None, "--device"),
        (args.latency is not None, "--latency"),
        (args.display_delay != 0, "--display-delay"),
        (args.midi_out is not None, "--midi-out"),
        (args.clock, "--clock"),
        (args.no_audio, "--no-audio"),
        (args.click_channel is not None, "--click-channel"),
        (args.click_notes is not None, "--click-notes"),
    ]
    for given, name in live_only:
        if given:
            raise UsageError(f"{name} is for playing live, not for writing a file with -o")
    if kind in ("mid", "midi", "html") and args.rate is not None:
        raise UsageError(f"--rate is for sound, not for a .{kind} file: give -o FILE.wav")


def run(args: argparse.Namespace) -> int:

    from theme.errors import UsageError
    from theme.metronome import Metronome

    kind = out = None
    if args.output:
        from theme.output import output_file

        out = output_file(args.output, ["wav", "flac", "ogg", "mid", "midi", "html"])
        kind = out.kind
    _refuse_no_ops(args, kind)
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
    rate = args.rate or 48000
    if out is not None:
        import dataclasses

        from theme.export import write
        from theme.safe_text import counted

        if args.bars is None and kind == "html":  # a page loops: a few bars are enough
            metronome = dataclasses.replace(metronome, bars=metronome.page_bars())
        elif args.bars is None:
            raise UsageError(
                "-o needs --bars N for a sound or MIDI file: a file cannot hold an endless "
                "metronome (a page, .html, needs none)"
            )
        write(metronome, out, rate=rate)  # audio straight from the renderer, block by block
        bars = counted(args.count_in + (metronome.bars or 0), "bar")
        print(f"wrote {args.output} ({metronome.describe()}, {bars})")
        return 0
    from theme.metronome.terminal import click_notes, run_live, sync_follower

    follow = sync_follower(  # refuses a ramp, or no aalink; joins and opens nothing yet
        metronome,
        link=args.link,
        link_start_stop=not args.no_link_start_stop,
        clock_in=args.clock_in,
        clock_in_delay=args.clock_in_delay,
        jack_transport=args.jack_transport,
        audio=not args.no_audio,
        device=args.device,
    )
    display_delay = display_delay_seconds(args.display_delay)
    port, notes, clock = check_midi_options(args)
    clicks = click_notes(args.click_channel, args.click_notes, midi_out=notes)
    return run_live(
        metronome,
        follow,
        device=args.device,
        latency=args.latency,
        rate=rate,
        display_delay=display_delay,
        jack_lead=args.jack_transport == "lead",
        midi_port=port,
        midi_notes=notes,
        midi_clock=clock,
        clicks=clicks,
        audio=not args.no_audio,
    )
