"""``theme listen RECORDING --meter 5/4 -o lesson.html -o beats.mid -o click.wav``; without
``-o`` it plays the recording with the count in the terminal; ``--tap`` takes bar 1 from the
teacher's taps."""

from __future__ import annotations

import argparse

from theme.cli.common import (
    add_device_options,
    add_display_delay_option,
    display_delay_seconds,
    whole_number,
)
from theme.errors import UsageError

TYPE_CHECKING = False  # importing typing costs start-up time
if TYPE_CHECKING:
    from theme.listen.beatmap import BeatMap
    from theme.listen.recording import RecordingInfo

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the listen command."""
    p = subparsers.add_parser(
        "listen",
        help="find the beats and bars of your own recording; write a page, MIDI, a click",
        description="Find the beats of a recording of your own (WAV, FLAC, Ogg, MP3) and fit "
        "bars of a meter or a form to them; then write a page that plays it with the count, "
        "beat light, conductor and bar numbers following the music (-o lesson.html), a MIDI "
        "file whose tempo and time signatures follow it (-o beats.mid) or a click track "
        "aligned to it (-o click.wav); without -o, play it through the sound card with the "
        "bar, the count and the beat light following the music (--click adds a click in the "
        "meter). --tap: tap the first beat of each bar for a few bars as it plays, and bar 1 "
        "is fitted to your taps. The recording stays yours: only your page holds it.",
        epilog="examples: theme listen take.flac --meter 5/4; theme listen remix.ogg --like "
        "remix-1996 --click; theme listen take.wav --meter 3+2/4 --tap -o lesson.html",
    )
    p.add_argument("recording", metavar="RECORDING", help="a sound file: WAV, FLAC, Ogg, MP3")
    p.add_argument("--meter", help="the meter of every bar: 5/4, 3+2/4, 7/8...")
    p.add_argument("--form", help="bars of meters in order: '4x5/4,16x4/4' (the last goes on)")
    p.add_argument("--like", metavar="VARIANT", help="the form of a variant: remix-1996...")
    p.add_argument(
        "--first-downbeat",
        type=float,
        metavar="SECONDS",
        help="where bar 1 starts, in seconds (default: found from the accents)",
    )
    p.add_argument(
        "--bpm",
        type=float,
        help="the beats a minute, roughly, in the meter's note, when the beats found are twice "
        "or half as fast as the music's (default: found; --like gives the variant's)",
    )
    p.add_argument(
        "--tap",
        action="store_true",
        help="tap the first beat of each bar (any key; Enter or q when done) as the recording "
        "plays, for two bars or more: bar 1 is fitted to your taps",
    )
    p.add_argument(
        "--calibration",
        type=float,
        metavar="MS",
        help="milliseconds to take from every tap (default: the one 'theme tap --calibrate' kept)",
    )
    p.add_argument("--click", action="store_true", help="mix a click in the meter into the playing")
    p.add_argument(
        "-o",
        "--output",
        action="append",
        default=[],
        metavar="FILE",
        help="a file to write: .html (the page), .mid (tempo map and meters), .wav/.flac/.ogg "
        "(the click track); give -o again for more",
    )
    add_device_options(p)
    p.add_argument(
        "--rate", type=whole_number, default=48000, help="sample rate: 44100 or 48000 (default)"
    )
    add_display_delay_option(p)
    p.set_defaults(func=run)


NO_DEVICE = "no audio output device found"
MIN_BPM, MAX_BPM = 20, 600
"""The --bpm hint's bounds, in beats a minute."""


def _check(args: argparse.Namespace, *, live: bool) -> None:
    """The options, before the recording is read."""
    from theme.renderers.audio import check_rate

    if args.tap and args.first_downbeat is not None:
        raise UsageError("--tap and --first-downbeat both place bar 1: give one of them")
    if args.click and not live:
        raise UsageError(
            "--click mixes a click into the playing, without -o (a page has its own click, "
            "and -o click.wav writes one)"
        )
    if args.bpm is not None and not MIN_BPM <= args.bpm <= MAX_BPM:  # NaN fails too
        raise UsageError(
            f"invalid bpm {args.bpm:g}: expected {MIN_BPM} to {MAX_BPM} beats a minute"
        )
    if args.calibration is not None and not -500 <= args.calibration <= 500:
        raise UsageError(f"invalid calibration {args.calibration:g} ms: expected -500 to 500 ms")
    check_rate(args.rate)
    display_delay_seconds(args.display_delay)


def _need_device(args: argparse.Namespace) -> None:
    """The sound card, before the analysis is spent (after the file's header: a file that
    cannot be read is said first)."""
    from theme.errors import AudioDeviceError
    from theme.live.engine.sinks import resolve_device

    try:
        resolve_device(args.device)
    except AudioDeviceError as err:
        if NO_DEVICE not in str(err):
            raise
        raise AudioDeviceError(
            f"{NO_DEVICE}: connect or enable one (see 'theme devices'); theme listen "
            "plays the recording live (a page plays it in a browser: -o lesson.html)"
        ) from err


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from theme.listen import analyse, form_of
    from theme.listen.outputs import check_outputs, write_output
    from theme.listen.recording import recording_info, require_listen_extra

    form = form_of(meter=args.meter, form=args.form, like=args.like)
    outputs = check_outputs(args.output)
    live = not outputs
    _check(args, live=live)
    require_listen_extra()
    info = recording_info(args.recording)
    if live or args.tap:
        _need_device(args)
    taps: list[float] = []
    if args.tap:
        taps = _taps(args, info)
    bpm = args.bpm
    if args.like and bpm is None:
        from theme.variants import load

        music = load(args.like).timeline()
        bpm = float(
            music.tempo_map.qpm_at(music.bars[0].start) / music.bars[0].meter.pulse_quarters
        )
    beatmap = analyse(args.recording, form, first_downbeat=args.first_downbeat, bpm=bpm, taps=taps)
    changes = ", then ".join(f"{m} from bar {n} at {t:.2f} s" for n, t, m in beatmap.changes())
    print(
        f"{len(beatmap.beats)} beats, {len(beatmap.meters)} bars: {changes}"
        + (f"; {beatmap.lead_beats} beats before bar 1" if beatmap.lead_beats else "")
    )
    title = Path(args.recording).stem
    for out in outputs:
        print(f"wrote {write_output(beatmap, out, info=info, title=title)}")
    if live:
        return _play(args, beatmap, info, title=title)
    return 0


def _taps(args: argparse.Namespace, info: RecordingInfo) -> list[float]:
    """The recording played from its start while the teacher taps the first beat of each
    bar on the keys: the taps, in seconds of the recording, less the calibration."""
    import sys
    from fractions import Fraction

    from theme.listen.live import RecordingRenderer, take_taps
    from theme.live.start import LiveMusic, start_music
    from theme.terminal import TerminalKeys

    if args.calibration is None:
        from theme.practice import config

        calibration = config.calibration("keys")
    else:
        calibration = Fraction(args.calibration).limit_denominator(1000) / 1000
    player = start_music(
        LiveMusic(lambda rate: RecordingRenderer(info, rate=rate)),
        rate=args.rate,
        device=args.device,
        latency=args.latency,
    )
    try:
        with TerminalKeys(sys.stdin) as keys:  # read one by one before the invitation shows
            print(
                "tap the first beat of each bar (the 1) for two bars or more: any key; Enter "
                f"or q when done (calibration {float(calibration * 1000):g} ms)",
                flush=True,
            )
            taps = take_taps(player, keys, out=sys.stdout, calibration=calibration)
    finally:
        player.close()
    print(f"{len(taps)} taps")
    return taps


def _play(args: argparse.Namespace, beatmap: BeatMap, info: RecordingInfo, *, title: str) -> int:
    """The recording through the sound card, the count following it (``theme play``'s way)."""
    from theme.core.timeline import Timeline
    from theme.listen.live import RecordingRenderer, count_line
    from theme.live.start import LiveMusic, start_music
    from theme.terminal import follow

    music = beatmap.timeline(title=title)
    assert isinstance(music, Timeline)
    player = start_music(
        LiveMusic(lambda rate: RecordingRenderer(info, rate=rate, music=music, click=args.click)),
        rate=args.rate,
        device=args.device,
        latency=args.latency,
    )
    line = count_line(beatmap, music)

    def lost(seconds: float) -> None:
        print(f"stopped at {' '.join(line(seconds).split())}")

    played = follow(
        player, line, display_delay=display_delay_seconds(args.display_delay), lost=lost
    )
    if not played:
        print("stopped" + (f"; {player.underruns} underruns" if player.underruns else ""))
        return 130
    print(f"played {len(beatmap.meters)} bars; underruns: {player.underruns}")
    return 0
