"""Options shared by several commands, and turning them into library calls."""

from __future__ import annotations

import argparse

from theme.errors import UsageError

TYPE_CHECKING = False  # importing typing costs start-up time
if TYPE_CHECKING:
    from typing import Any

    from theme.readers.files import Source


__all__ = [
    "add_display_delay_option",
    "add_midi_options",
    "add_practice_options",
    "add_variant_options",
    "check_midi_options",
    "display_delay_seconds",
    "param_values",
    "timeline_from_args",
    "whole_number",
]


def whole_number(text: str) -> int:
    """An option's whole number, at most 12 digits (argparse's ``type=``): the error is one
    short line, never Python's own for a number of thousands of digits.

    >>> whole_number("12")
    12
    """
    from theme.safe_text import bounded_int

    try:
        return bounded_int(text, "number")
    except UsageError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_variant_options(parser: argparse.ArgumentParser, *, optional: str | None = None) -> None:
    """``VARIANT``, ``--param``, ``--tempo``, ``--bars``, ``--repeat``, ``--pitches``,
    ``--strategy``; with ``optional``, ``VARIANT`` may be left out, and ``optional`` is its
    help."""
    if optional is not None:
        parser.add_argument("variant", metavar="VARIANT", nargs="?", help=optional)
    else:
        parser.add_argument(
            "variant",
            metavar="VARIANT",
            help="a built-in variant (see 'theme list'), a variant's .toml file, or music of "
            "your own: a .mid/.midi, .musicxml/.xml/.mxl or .abc file",
        )
    parser.add_argument(
        "-p",
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="set a parameter of the variant (see 'theme show VARIANT'); repeatable",
    )
    parser.add_argument(
        "--tempo",
        help="tempo: 160 or q=160 (quarters a minute), e=300, q.=100; default: the variant's",
    )
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--bars", type=whole_number, metavar="N", help="play N bars of the form (cut or cycled)"
    )
    group.add_argument(
        "--repeat", type=whole_number, default=1, metavar="N", help="play the whole form N times"
    )
    parser.add_argument(
        "--pitches",
        metavar="LAYER=NOTES",
        help="your own pitches for layers, e.g. 'bass=C2,C2,G2,G2;melody=E4'",
    )
    parser.add_argument(
        "--strategy",
        help="remeter first: squeeze, drop, stretch, rebar (5/4 to 4/4) or clave (4/4 to 5/4)",
    )


def add_practice_options(parser: argparse.ArgumentParser) -> None:
    """``--click`` and ``--count-in BARS``, for playing along."""
    parser.add_argument(
        "--click", action="store_true", help="add a click track that follows the meter"
    )
    parser.add_argument(
        "--count-in",
        type=whole_number,
        default=0,
        metavar="BARS",
        help="bars of clicks in the opening meter before the music (default 0)",
    )


def add_device_options(parser: argparse.ArgumentParser, *, latency: bool = True) -> None:
    """``--device`` (the sound card) and, with ``latency``, ``--latency`` (seconds, within
    :data:`theme.live.LATENCY_RANGE`)."""
    from theme.live import LATENCY_RANGE

    parser.add_argument(
        "--device", help="output device: a name (or part of one) or an index (see 'theme devices')"
    )
    if latency:
        low, high = LATENCY_RANGE
        parser.add_argument(
            "--latency",
            type=float,
            metavar="SECONDS",
            help=f"output latency in seconds, {low} to {high} (default: low)",
        )


def add_midi_options(parser: argparse.ArgumentParser) -> None:
    """``--midi-out [PORT]``, ``--clock`` and ``--no-audio``: playing to a MIDI port."""
    parser.add_argument(
        "--midi-out",
        nargs="?",
        const="",
        metavar="PORT",
        help="also send the notes to a MIDI output port (see 'theme ports'); without PORT, "
        "the one THEME_MIDI_OUT names",
    )
    parser.add_argument(
        "--clock",
        action="store_true",
        help="send MIDI clock to the port: 24 a quarter note, with Start, Stop, Continue "
        "and Song Position (alone, without --midi-out: clock only, to THEME_MIDI_OUT)",
    )
    parser.add_argument(
        "--no-audio",
        action="store_true",
        help="no sound card: the MIDI only, on the system's clock",
    )


def check_midi_options(args: argparse.Namespace) -> tuple[str | None, bool, bool]:
    """``(port name or None for THEME_MIDI_OUT, send notes, send clock)`` when MIDI is
    asked for, else ``(None, False, False)``; refuses ``--no-audio`` without MIDI and with
    ``--device`` or ``--latency``."""
    wanted = args.midi_out is not None or args.clock
    if args.no_audio:
        if not wanted:
            raise UsageError("--no-audio plays nothing without --midi-out PORT or --clock")
        for given, name in ((args.device, "--device"), (args.latency, "--latency")):
            if given is not None:
                raise UsageError(f"{name} is for the sound card, not for --no-audio")
    if not wanted:
        return None, False, False
    return args.midi_out or None, args.midi_out is not None, bool(args.clock)


MAX_DISPLAY_DELAY_MS = 2000


def add_display_delay_option(parser: argparse.ArgumentParser) -> None:
    """``--display-delay MS``: shift the picture against the sound."""
    parser.add_argument(
        "--display-delay",
        type=float,
        default=0.0,
        metavar="MS",
        help="show each beat MS milliseconds after it is heard (negative: before), to match "
        "a projector's or a Bluetooth speaker's lag (default 0)",
    )


def display_delay_seconds(milliseconds: float) -> float:
    """``--display-delay`` in seconds, checked.

    >>> display_delay_seconds(-120)
    -0.12
    """
    if not -MAX_DISPLAY_DELAY_MS <= milliseconds <= MAX_DISPLAY_DELAY_MS:  # NaN fails too
        raise UsageError(
            f"invalid display delay {milliseconds:g} ms: expected -{MAX_DISPLAY_DELAY_MS} "
            f"to {MAX_DISPLAY_DELAY_MS} milliseconds"
        )
    return milliseconds / 1000


def param_values(items: list[str]) -> dict[str, str]:
    """``['intro_bars=2']`` as ``{'intro_bars': '2'}``.

    >>> param_values(["intro_bars=2", "strategy = drop"])
    {'intro_bars': '2', 'strategy': 'drop'}
    """
    from theme.safe_text import clip

    values = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not value.strip() or len(item) > 200:
            raise UsageError(
                f"invalid parameter {clip(item)!r}: expected NAME=VALUE of at most 200 "
                "characters, such as intro_bars=2"
            )
        values[name.strip()] = value.strip()
    return values


def timeline_from_args(args: argparse.Namespace, opened: Source | None = None) -> Any:
    """The timeline the variant options describe (remetered when ``--strategy`` is given):
    of a variant, or of a file of one's own (:func:`theme.cli.sources.music_timeline`).
    ``opened`` is ``args.variant`` already opened (:func:`theme.readers.files.open_source`),
    so that its file is read once."""
    from theme.cli.sources import music_timeline
    from theme.readers.files import open_source

    source = open_source(args.variant) if opened is None else opened  # the file read once
    if source.is_music:
        timeline = music_timeline(args, source)
    else:
        from theme.core.rhythm import parse_pitches

        variant = source.variant(**param_values(args.param))
        timeline = variant.timeline(
            tempo=args.tempo,
            repeat=args.repeat,
            bars=args.bars,
            pitches=parse_pitches(args.pitches) if args.pitches is not None else None,
        )
        if args.strategy is not None:
            from theme.core.remeter import remeter

            timeline = remeter(timeline, args.strategy, strict=False)
    if getattr(args, "click", False):
        from theme.metronome import click_track

        timeline = click_track(timeline)
    if getattr(args, "count_in", 0):
        from theme.metronome import count_in

        timeline = count_in(timeline, args.count_in)
    return timeline
