"""``theme remeter IN -o OUT --to 4/4 --strategy drop``."""

from __future__ import annotations

import argparse

TYPE_CHECKING = False  # importing typing costs start-up time

if TYPE_CHECKING:
    from theme.core.remeter import Strategy
    from theme.core.timeline import Timeline

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the remeter command."""
    p = subparsers.add_parser(
        "remeter",
        help="turn 5/4 into 4/4 (or back) with a named strategy",
        description="Remeter a variant, or a MIDI or MusicXML file of your own, bar by bar. "
        "Strategies from 5/4 to 4/4: squeeze (3+3+1+1), drop (3+3+2), stretch (3+3+2+2 and "
        "a rest over two 4/4 bars), rebar (the same notes barred in 4/4); from 4/4 to 5/4: "
        "clave (beats 1-4 onto eighths 0, 3, 6, 8).",
    )
    p.add_argument(
        "input",
        metavar="IN",
        help="a .mid/.midi, .musicxml/.xml/.mxl or .abc file, or a variant name or .toml file",
    )
    p.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="OUT",
        help="the file to write (.mid, .musicxml, .wav, ...)",
    )
    p.add_argument(
        "--to",
        default=None,
        metavar="METER",
        help="the target meter (checked against the strategy)",
    )
    p.add_argument("--strategy", required=True, help="squeeze, drop, stretch, rebar or clave")
    p.add_argument("--tempo", help="tempo of the result, e.g. q=132 (default: the input's)")
    p.add_argument(
        "--lenient",
        action="store_true",
        help="keep bars in other meters as they are instead of failing (rebar too)",
    )
    p.set_defaults(func=run)


def read_input(path: str) -> Timeline:
    """A timeline from a MIDI or MusicXML file, or from a variant name
    (:func:`theme.read`)."""
    from theme.readers.files import read

    return read(path)  # a file named as another kind is refused as what it is


def summary(source: Timeline, result: Timeline, strategy: Strategy) -> str:
    """What happened to every bar, counted by meter: ``'20 bars: 4 of 5/4 remetered to 4/4,
    16 of 4/4 kept; 20 bars out'``."""
    mapped = sum(1 for bar in source.bars if strategy.maps(bar))
    kept: dict[str, int] = {}
    short = 0
    for bar in source.bars:
        if strategy.matches(bar.meter) and not strategy.maps(bar):
            short += 1  # a pickup, a bar cut short: kept as it is
        elif not strategy.maps(bar):
            kept[str(bar.meter)] = kept.get(str(bar.meter), 0) + 1
    parts = [f"{mapped} of {strategy.source} remetered to {strategy.target}"]
    parts += [f"{count} of {meter} kept" for meter, count in kept.items()]
    if short:
        parts.append(f"{short} short bar{'s' if short > 1 else ''} (a pickup, a last bar) kept")
    return f"{len(source.bars)} bars: {', '.join(parts)}; {len(result.bars)} bars out"


def run(args: argparse.Namespace) -> int:
    import warnings

    from theme.core.meter import Meter
    from theme.core.remeter import dropped_notes, get_strategy, remeter
    from theme.errors import RemeterError
    from theme.export import FORMATS, write
    from theme.output import output_file
    from theme.readers import InputFileWarning

    strategy = get_strategy(args.strategy)
    if args.to is not None:
        target = Meter.parse(args.to)
        if (target.numerator, target.denominator) != (
            strategy.target.numerator,
            strategy.target.denominator,
        ):
            raise RemeterError(
                f"strategy {strategy.name!r} makes {strategy.target}, not {args.to}; "
                f"use --to {strategy.target} or another strategy"
            )
    out = output_file(args.output, FORMATS)  # checked once, before the work
    with warnings.catch_warnings(record=True) as mended:
        warnings.simplefilter("always", InputFileWarning)
        timeline = read_input(args.input)
    result = remeter(timeline, strategy, strict=not args.lenient, source=repr(args.input))
    said = summary(timeline, result, strategy)
    how = strategy.summary
    if strategy.drop_from is not None:
        beat = 1 + strategy.drop_from / strategy.source.pulse_quarters
        how = f"{dropped_notes(timeline, strategy)} notes on beat {beat} dropped; {how}"
    del timeline  # a million notes: the source's memory back before writing
    if args.tempo:
        result = result.with_tempo(args.tempo)
    write(result, out)
    print(f"wrote {args.output}: {said} ({strategy.name}: {how})")
    for warning in mended:
        if issubclass(warning.category, InputFileWarning):
            print(f"note: {warning.message}")
    return 0
