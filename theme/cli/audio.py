"""``theme play VARIANT`` and ``theme devices``."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from theme.cli.common import (
    add_device_options,
    add_display_delay_option,
    add_midi_options,
    add_practice_options,
    add_variant_options,
    check_midi_options,
    display_delay_seconds,
    timeline_from_args,
    whole_number,
)

TYPE_CHECKING = False  # importing typing costs start-up time
if TYPE_CHECKING:
    from theme.core.timeline import Timeline
    from theme.live.sync.midi_out import SongJump
    from theme.readers.files import Source

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the play and devices commands."""
    p = subparsers.add_parser(
        "play",
        help="play a variant through the sound card, showing bar and beat",
        description="Play a variant live. The line shows the section, bar and beat heard now "
        "(the stream's clock plus the output latency). Ctrl-C fades out and stops. The default "
        "device comes from THEME_AUDIO_DEVICE (a name or an index) or the system. A device "
        "lost while playing (unplugged, its sound server stopped) ends it at once: exit 3. "
        "--midi-out sends the notes to a MIDI port as a .mid file of them holds them (drums on "
        "channel 10), --clock sends MIDI clock; a port lost while playing ends it: exit 1.",
    )
    add_variant_options(p)
    add_device_options(p)
    p.add_argument(
        "--rate",
        type=whole_number,
        default=48000,
        help="sample rate: 44100 or 48000 (default 48000)",
    )
    add_practice_options(p)
    add_display_delay_option(p)
    add_midi_options(p)
    p.add_argument(
        "--link",
        action="store_true",
        help="join an Ableton Link session: its tempo, bar 1 on its phase (quantum: the bar), "
        "start and stop; music of one bar length and one tempo; needs the optional package "
        "aalink (uv sync --extra sync)",
    )
    p.set_defaults(func=run_play)

    p = subparsers.add_parser("devices", help="list the audio output devices")
    p.set_defaults(func=run_devices)


def run_devices(args: argparse.Namespace) -> int:
    from theme.live.engine.sinks import devices

    outputs = devices()
    if not outputs:
        print("no audio output device found; write files instead with -o FILE.wav")
        return 3
    for d in outputs:
        mark = "*" if d.default else " "
        print(f"{mark} {d.index:>3}  {d.name}  ({d.hostapi}, {d.channels} channels)")
    print("* the default; choose another with --device NAME|INDEX or THEME_AUDIO_DEVICE")
    return 0


def run_play(args: argparse.Namespace) -> int:
    from theme.live.start import play
    from theme.readers.files import open_source
    from theme.terminal import follow, position_line

    display_delay = display_delay_seconds(args.display_delay)
    port, notes, clock = check_midi_options(args)
    source = open_source(args.variant)
    timeline = timeline_from_args(args, source)
    companions = []
    if notes or clock:
        from theme.live.sync.midi_out import MidiOut

        jumps = _loops(args, timeline, source) if clock else ()
        companions.append(MidiOut.open(port, notes=notes, clock=clock, jumps=jumps))
    player = play(
        timeline,
        device=args.device,
        latency=args.latency,
        rate=args.rate,
        wait=False,
        audio=not args.no_audio,
        companions=companions,
        link=args.link,
    )
    line = position_line(timeline)
    if args.link:
        from theme.live.sync.link import linked_line

        line = linked_line(player, timeline)
    if not follow(player, line, display_delay=display_delay, lost=_stopped_at(line)):
        print("stopped" + (f"; {player.underruns} underruns" if player.underruns else ""))
        return 130
    print(f"played {len(timeline.bars)} bars; underruns: {player.underruns}")
    return 0


def _loops(args: argparse.Namespace, timeline: Timeline, source: Source) -> tuple[SongJump, ...]:
    """Where the form goes back to its start (after the count-in), for the MIDI clock's Song
    Position: at each end but the last of ``--repeat N``, and of the form cut or cycled to
    ``--bars N`` (the form's bars counted on the form made again with neither, from the file
    already read); none with ``--link`` (the session's time)."""
    from theme.core.arrange import cycled_form, repeated_form
    from theme.live.sync.midi_out import loop_jumps

    count_in = getattr(args, "count_in", 0)
    if args.link or (args.repeat < 2 and args.bars is None):
        return ()
    if args.bars is None:
        form = repeated_form(timeline, args.repeat, after_bars=count_in)
    else:
        import contextlib
        import io

        once = argparse.Namespace(**{**vars(args), "bars": None, "repeat": 1, "count_in": 0})
        with contextlib.redirect_stdout(io.StringIO()):  # a file's notes were said once
            form_bars = len(timeline_from_args(once, source).bars)
        form = cycled_form(timeline, form_bars, after_bars=count_in)
    return () if form is None else loop_jumps(form[0], form[1], timeline.length)


def _stopped_at(line: Callable[[float], str]) -> Callable[[float], None]:
    """Print where the music was when a device was lost (seconds heard)."""

    def lost(seconds: float) -> None:
        print(f"stopped at {' '.join(line(seconds).split())}")

    return lost
