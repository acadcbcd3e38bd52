"""``theme tap VARIANT|METER``: tap along and see how early or late; ``--calibrate``."""

from __future__ import annotations

import argparse

from theme.cli.common import add_device_options, add_variant_options, whole_number
from theme.errors import UsageError

TYPE_CHECKING = False  # importing typing costs start-up time
if TYPE_CHECKING:
    from fractions import Fraction

    from theme.practice.exercise import Exercise
    from theme.practice.session import RunResult

__all__ = ["register"]

MAX_RUNS = 100
MAX_DROP_AFTER = 1000


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the tap command."""
    p = subparsers.add_parser(
        "tap",
        help="tap along with a groove or a click and see how early or late each tap is",
        description="Play a variant's groove or a click in any meter and tap along: any key "
        "of the terminal (q ends), or a MIDI pad or keyboard with --midi-in. Each tap is "
        "placed on the sound's own clock (what the speaker plays now), less your "
        "calibration ('theme tap --calibrate' measures it once and keeps it in "
        "~/.config/theme/config.toml), and matched to the nearest onset of the pattern. A "
        "live line shows the last tap early or late; at the end, each position of the bar "
        "with its mean and spread, in words (you rush beat 4 ...), and with -o a picture.",
        epilog="examples: theme tap tv-1966 --pattern ostinato; theme tap 7/8 --pattern "
        "groups --tempo e=240; theme tap 5/4 --runs 5 --step 4; theme tap 5/4 --drop-after 2; "
        "theme tap --calibrate",
    )
    p.set_defaults(variant=None)
    add_variant_options(  # optional with --calibrate
        p, optional="a variant (see 'theme list'), a file of music, or a meter: 5/4, 2+2+3/8"
    )
    p.add_argument(
        "--pattern",
        help="what to tap: ostinato (a variant's first layer; its default), groups (the first "
        "pulse of each group), beats (every pulse; a meter's default) or a layer's name",
    )
    p.add_argument(
        "--count-in",
        type=whole_number,
        default=1,
        metavar="BARS",
        help="bars of clicks before the music, not scored (default 1)",
    )
    p.add_argument("--click", action="store_true", help="add a click track under a variant")
    p.add_argument(
        "--midi-in", metavar="PORT", help="tap on a MIDI pad or keyboard (see 'theme ports')"
    )
    p.add_argument(
        "--calibrate",
        action="store_true",
        help="tap 8 plain clicks to measure and keep your calibration (keys, or --midi-in)",
    )
    p.add_argument(
        "--calibration",
        type=float,
        metavar="MS",
        help="milliseconds to take from every tap (default: the one kept by --calibrate)",
    )
    p.add_argument(
        "--window",
        type=float,
        metavar="MS",
        help="how far a tap may be from its onset (default: half the shortest gap, at most 150 ms)",
    )
    p.add_argument(
        "--runs", type=whole_number, default=1, metavar="N", help="runs in a row (default 1)"
    )
    p.add_argument(
        "--step",
        default="4",
        metavar="BPM",
        help="after a clean run the next is this much faster, in the tempo's own note (4), "
        "or another's (q=4, e=8) (default 4; 0 keeps the tempo)",
    )
    p.add_argument(
        "--tolerance",
        default="normal",
        metavar="LEVEL",
        help="how strict: tight (30 ms; early or late from 15 ms, a musician's words), "
        "normal (70 ms; from 35 ms; for beginners, the default), relaxed (120 ms; from 60 "
        "ms), or a number of ms; a clean run and a good bar have every onset hit within it",
    )
    p.add_argument(
        "--drop-after",
        type=whole_number,
        metavar="BARS",
        help="the gap trainer: after this many good bars in a row the sound drops out until "
        "a bar is not good (default: never)",
    )
    p.add_argument("-o", "--output", metavar="FILE", help="a picture of the last run: .svg or .png")
    add_device_options(p)
    p.add_argument(
        "--rate", type=whole_number, default=48000, help="sample rate: 44100 or 48000 (default)"
    )
    p.set_defaults(func=run)


def _milliseconds(value: float | None, name: str, low: float, high: float) -> float | None:
    """An option in milliseconds, checked (NaN fails too)."""
    if value is not None and not low <= value <= high:
        raise UsageError(f"invalid {name} {value:g} ms: expected {low:g} to {high:g} ms")
    return value


def _check(args: argparse.Namespace) -> None:
    """Every option's value, before anything plays: one line, exit 2."""
    from theme.renderers.audio import check_rate

    check_rate(args.rate)
    if not 1 <= args.runs <= MAX_RUNS:
        raise UsageError(f"invalid runs {args.runs}: expected 1 to {MAX_RUNS}")
    if args.drop_after is not None and not 1 <= args.drop_after <= MAX_DROP_AFTER:
        raise UsageError(
            f"invalid drop-after {args.drop_after}: expected 1 to {MAX_DROP_AFTER} bars"
        )
    from theme.practice.scoring import tolerance

    args.strictness = tolerance(args.tolerance)
    _milliseconds(args.window, "window", 1, 1000)
    _milliseconds(args.calibration, "calibration", -500, 500)
    if args.calibrate:
        given = [
            name
            for name, value in (
                ("VARIANT", args.variant),
                ("--pattern", args.pattern),
                ("-o", args.output),
                ("--calibration", args.calibration),
                ("--drop-after", args.drop_after),
            )
            if value is not None
        ]
        if given or args.runs != 1:
            raise UsageError(
                f"--calibrate taps plain clicks: leave out {given[0] if given else '--runs'}"
            )
    elif args.variant is None:
        raise UsageError("give a VARIANT or a METER to tap along with (or --calibrate)")
    if args.output is not None:
        from theme.output import output_file

        output_file(args.output, ["svg", "png"])


def _exercise(args: argparse.Namespace) -> Exercise:
    from fractions import Fraction

    from theme.practice.exercise import Exercise, is_meter, meter_exercise

    if is_meter(args.variant):
        for name, given in (("-p", args.param), ("--pitches", args.pitches)):
            if given:
                raise UsageError(f"{name} is for a variant, not for a meter's clicks")
        if args.strategy is not None or args.repeat != 1:
            raise UsageError("--strategy and --repeat are for a variant, not a meter's clicks")
        return meter_exercise(
            args.variant,
            tempo=args.tempo,
            bars=args.bars,
            pattern=args.pattern,
            count_in=args.count_in,
        )
    from theme.cli.common import timeline_from_args
    from theme.core.tempo import Tempo

    music = timeline_from_args(args)  # --click comes with it
    unit = Tempo.parse(args.tempo).unit if args.tempo is not None else Fraction(1)
    return Exercise.build(
        music, pattern=args.pattern or "ostinato", count_in=args.count_in, unit=unit
    )


def run(args: argparse.Namespace) -> int:
    from fractions import Fraction

    from theme.practice import config
    from theme.practice.exercise import step_qpm
    from theme.practice.session import tap_in_terminal

    _check(args)
    step_qpm(args.step, Fraction(1))  # a bad step is refused before the music is made
    kind = "midi" if args.midi_in else "keys"
    if args.calibrate:
        from theme.practice.session import calibration_exercise

        config.check_writable()  # before the run: a calibration that cannot be kept is lost
        exercise = calibration_exercise()
        step = Fraction(0)
        calibration = Fraction(0)
    else:
        exercise = _exercise(args)
        step = step_qpm(args.step, exercise.unit)
        calibration = (
            config.calibration(kind)
            if args.calibration is None
            else Fraction(args.calibration).limit_denominator(1000) / 1000
        )

    def ready(tapped: str) -> None:
        if args.calibrate:
            print(f"calibration ({kind}): listen to 4 clicks, then tap with the next 8")
        else:
            print(f"{exercise.describe()}; calibration {float(calibration * 1000):g} ms ({kind})")
        print("tap along: any key (q ends)" if kind == "keys" else f"tap on {tapped}")

    results = tap_in_terminal(
        exercise,
        midi_in=args.midi_in,
        device=args.device,
        latency=args.latency,
        rate=args.rate,
        ready=ready,
        runs=args.runs,
        step_qpm=step,
        tolerance_ms=args.strictness.good_ms,
        on_run=None if args.calibrate else lambda n, result: _report(args, step, n, result),
        calibration=calibration,
        window=_seconds(args.window),
        drop_after=args.drop_after,
    )
    last = results[-1]
    if args.calibrate:
        from theme.practice.session import measured_calibration

        if last.ended != "played":
            print("calibration stopped before the end: the one kept is unchanged")
            if last.error is not None:
                raise last.error
            if last.ended == "interrupted":
                raise KeyboardInterrupt
            return 0
        measured = measured_calibration(last)
        path = config.save_calibration(kind, measured)
        spread = last.score.spread_ms or 0.0
        print(
            f"tapped {last.score.hits} of {len(last.exercise.targets)} clicks; calibration "
            f"({kind}): {float(measured * 1000):.1f} ms (the median; spread {spread:.0f} ms), "
            f"kept in {path}"
        )
        return 0
    if args.output is not None:
        from theme.practice.picture import score_svg
        from theme.renderers.picture import write_picture

        write_picture(
            score_svg(last.score, title=exercise.describe(), strictness=args.strictness),
            args.output,
        )
        print(f"wrote {args.output}")
    if last.error is not None:
        raise last.error
    if last.ended == "interrupted":
        raise KeyboardInterrupt
    return 0


def _seconds(milliseconds: float | None) -> Fraction | None:
    from fractions import Fraction

    if milliseconds is None:
        return None
    return Fraction(milliseconds).limit_denominator(1000) / 1000


def _report(args: argparse.Namespace, step: Fraction, number: int, result: RunResult) -> None:
    """What a run did: its score, the bars with the sound off, whether the next is faster."""
    head = f"run {number} at {result.exercise.tempo}" if args.runs > 1 else "run"
    print(f"{head} ({result.ended}):")
    for line in result.score.summary(args.strictness):
        print("  " + line)
    if result.silent_bars:
        print(f"  bars played with the sound off: {_ranges(result.silent_bars)}")
    if number < args.runs and result.ended == "played":
        clean = result.score.clean(tolerance_ms=args.strictness.good_ms)
        print("  clean: faster next run" if clean and step else "  not clean: same tempo")


def _ranges(bars: list[int]) -> str:
    """``'3-5, 8'`` for bars 3, 4, 5 and 8.

    >>> _ranges([3, 4, 5, 8])
    '3-5, 8'
    """
    spans: list[list[int]] = []
    for bar in bars:
        if spans and bar == spans[-1][1] + 1:
            spans[-1][1] = bar
        else:
            spans.append([bar, bar])
    return ", ".join(f"{a}-{b}" if a != b else str(a) for a, b in spans)
