"""``theme demo``, ``theme dance`` and ``theme picture``: what a teacher opens in class."""

from __future__ import annotations

import argparse

from theme.cli.common import (
    add_device_options,
    add_display_delay_option,
    display_delay_seconds,
)

TYPE_CHECKING = False  # importing typing costs start-up time
if TYPE_CHECKING:
    from pathlib import Path

    from theme.classroom.step import Step
    from theme.core.tempo import Tempo

__all__ = ["register"]

DEFAULT_FOLDER = "theme-tour"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the demo, dance and picture commands."""
    p = subparsers.add_parser(
        "demo",
        help="the guided tour: counting five, the ostinato, the remixes, the dance test",
        description="Seven steps, each with a short explanation, a picture and sound. Enter "
        "goes to the next step. With no sound card (or with --out/--html) the whole tour is "
        f"written to a folder ({DEFAULT_FOLDER}/ by default) with a page to project, "
        "index.html; one step (--step N) is written beside it as step-N.html. Step 8, where "
        "else you have heard these groupings, is optional: --step 8 alone, or --repertoire "
        "for the tour with it.",
    )
    p.add_argument(
        "--step", type=int, metavar="N", help="only step N (1-7, or the optional step 8)"
    )
    p.add_argument(
        "--repertoire",
        action="store_true",
        help="add step 8 to the tour: the same groupings in music you know",
    )
    p.add_argument(
        "--auto", action="store_true", help="go on to the next step without waiting for Enter"
    )
    p.add_argument("--tempo", help="one tempo for every step: 120, q=120, e=240 ...")
    p.add_argument(
        "--out",
        "--html",
        dest="out",
        metavar="DIR",
        help="write the tour (WAV, MIDI, SVG, index.html; with --step N only that step's "
        "files and step-N.html) here instead of playing",
    )
    add_device_options(p, latency=False)
    p.set_defaults(func=run_demo)

    p = subparsers.add_parser(
        "dance",
        help="the dance test: a four-count step against bars of five",
        description="A step pattern in four counts under music in 5/4 (or --meter): step one "
        "lands on beats 1, 5, 4, 3, 2 and on 1 again after 20 beats. Plays it, or writes it.",
    )
    p.add_argument("--meter", default="5/4", help="the music's meter (default 5/4; try 7/8)")
    p.add_argument(
        "--steps", type=int, default=4, help="counts in the step pattern, 1 to 16 (default 4)"
    )
    p.add_argument("--bpm", default="132", help="tempo: 132 or q=132, e=264 ... (default 132)")
    p.add_argument(
        "--bars",
        type=int,
        metavar="N",
        help="bars to play, 1 to 1000 and at most an hour (default: until step one is back on 1)",
    )
    p.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write .wav, .flac, .mid, .html or .svg (the picture) instead of playing",
    )
    add_device_options(p, latency=False)
    add_display_delay_option(p)
    p.set_defaults(func=run_dance)

    p = subparsers.add_parser(
        "picture",
        help="draw a meter contrast or rhythm necklaces (SVG, PNG)",
        description="contrast: two meters' pulses on one time line and where their downbeats "
        "meet. necklace: the 5/4 ostinato's pulses on a circle, beside its 4/4 strategies.",
    )
    p.add_argument("kind", choices=("contrast", "necklace"))
    p.add_argument("--meter", default="5/4", help="the first meter (default 5/4)")
    p.add_argument("--vs", default="4/4", help="contrast: the second meter (default 4/4)")
    p.add_argument("--align", choices=("beat", "bar"), default="beat")
    p.add_argument("--box", default="X..x..x.x.", help="necklace: the rhythm in box notation")
    p.add_argument("-o", "--output", required=True, metavar="FILE", help="a .svg or .png file")
    p.set_defaults(func=run_picture)


def _tempo(text: str | None) -> Tempo | None:
    from theme.core.tempo import Tempo

    return Tempo.parse(text) if text else None


def _write_tour(folder: str, args: argparse.Namespace) -> int:
    from theme.classroom.tour import terminal_text, write_tour
    from theme.terminal import output

    out = output()

    def say(text: str) -> None:
        print(terminal_text(out, text), file=out)

    def report(step: Step, files: list[Path]) -> None:
        say(f"{step.number}. {step.title}")
        for line in step.text:
            say(f"   {line}")
        say(f"   -> {', '.join(str(f) for f in files)}")

    page = write_tour(
        folder,
        tempo=_tempo(args.tempo),
        selected=args.step,
        extra=args.repertoire,
        on_step=report,
    )
    if args.step is None:
        say(f"\nthe tour is in {folder}/: open {page} in a browser to project it")
    else:
        say(
            f"\nstep {args.step} is in {folder}/: open {page} in a browser to project it "
            "(the folder's other files are left as they were)"
        )
    return 0


def run_demo(args: argparse.Namespace) -> int:
    import sys

    from theme.classroom.tour import play_tour, steps
    from theme.errors import AudioDeviceError
    from theme.terminal import is_terminal, output

    chosen = steps(args.step, extra=args.repertoire)
    tempo = _tempo(args.tempo)
    if args.out:
        return _write_tour(args.out, args)
    from theme.live.engine.sinks import resolve_device

    try:
        device = resolve_device(args.device)
    except AudioDeviceError as exc:
        if args.device is not None:  # a device asked for by name is not silently replaced
            raise
        what = (
            f"the tour to {DEFAULT_FOLDER}/"
            if args.step is None
            else f"step {args.step} to {DEFAULT_FOLDER}/step-{args.step}.html"
        )
        print(f"no sound here ({exc}).\nwriting {what} instead.\n", file=output())
        return _write_tour(DEFAULT_FOLDER, args)
    interactive = is_terminal(sys.stdin) and not args.auto

    def go_on(step: object) -> bool:
        if not interactive:
            return True
        try:
            return input("\n   Enter: next step, q: quit ").strip().lower() != "q"
        except EOFError:  # Ctrl-D, or standard input closed while waiting: the end
            return False

    play_tour(chosen, tempo=tempo, device=device, go_on=go_on)
    return 0


def run_dance(args: argparse.Namespace) -> int:
    from theme.classroom.dance import dance_bars, dance_timeline, landings, live_step_line
    from theme.output import output_file
    from theme.terminal import output

    display_delay = display_delay_seconds(args.display_delay)
    kind = target = None
    if args.output:
        target = output_file(
            args.output, ["wav", "flac", "ogg", "mid", "midi", "html", "svg", "png"]
        )
        kind = target.kind
    bars = dance_bars(args.meter, steps=args.steps, bpm=args.bpm, bars=args.bars)
    out = output()
    where = ", ".join(
        f"bar {bar} beat {beat}" for bar, beat in landings(args.meter, steps=args.steps)
    )
    if kind in ("svg", "png"):
        from theme.classroom.pictures import contrast_svg
        from theme.renderers.picture import write_picture

        labels = (f"the music, {args.meter}", f"the step, {args.steps} counts")
        svg = contrast_svg(args.meter, f"{args.steps}/4", labels=labels)
        print(f"step one lands on: {where}", file=out)
        write_picture(svg, target or args.output)
        print(f"wrote {args.output}", file=out)
        return 0
    timeline = dance_timeline(args.meter, steps=args.steps, bpm=args.bpm, bars=bars)
    if kind == "html":
        from theme.page.document import check_page_seconds

        check_page_seconds(timeline)
    print(f"step one lands on: {where}", file=out)
    if kind is not None:
        from theme.export import write

        write(timeline, target or args.output)
        print(f"wrote {args.output}", file=out)
        return 0
    from theme.live.start import play
    from theme.metronome.display import can_draw
    from theme.terminal import follow

    player = play(timeline, device=args.device, wait=False)
    line_at = live_step_line(timeline, args.meter, steps=args.steps, ascii_only=not can_draw(out))
    return 0 if follow(player, line_at, display_delay=display_delay, out=out) else 130


def run_picture(args: argparse.Namespace) -> int:
    from theme.classroom.pictures import contrast_svg, necklace_svg
    from theme.renderers.picture import write_picture

    if args.kind == "contrast":
        svg = contrast_svg(args.meter, args.vs, align=args.align)
    else:
        from theme.classroom.tour import STRATEGY_ORDER
        from theme.core.remeter import STRATEGIES, remeter_rhythm
        from theme.core.rhythm import bar_from_box

        rhythm = bar_from_box(args.box, args.meter)  # one bar of the meter, or an error
        shown = [(args.meter, rhythm)]
        if rhythm.quarters == STRATEGIES["squeeze"].source.bar_quarters:
            shown += [(s, remeter_rhythm(rhythm, s)) for s in STRATEGY_ORDER]
        svg = necklace_svg(shown, title=f"{args.box} in {args.meter}")
    from theme.terminal import output

    for path in write_picture(svg, args.output):
        print(f"wrote {path}", file=output())
    return 0
