"""``theme listen RECORDING --meter 5/4 -o lesson.html -o beats.mid -o click.wav``."""

from __future__ import annotations

import argparse

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the listen command."""
    p = subparsers.add_parser(
        "listen",
        help="find the beats and bars of your own recording; write a page, MIDI, a click",
        description="Find the beats of a recording of your own (WAV, FLAC, Ogg, MP3) and fit "
        "bars of a meter or a form to them; then write a page that plays it with the count, "
        "beat light, conductor and bar numbers following the music (-o lesson.html), a MIDI "
        "file whose tempo and time signatures follow it (-o beats.mid) or a click track "
        "aligned to it (-o click.wav). The recording stays yours: only your page holds it.",
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
        "-o",
        "--output",
        action="append",
        default=[],
        metavar="FILE",
        help="a file to write: .html (the page), .mid (tempo map and meters), .wav/.flac/.ogg "
        "(the click track); give -o again for more",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from theme.listen import analyse, form_of
    from theme.listen.outputs import check_outputs, write_output
    from theme.listen.recording import recording_info, require_listen_extra

    form = form_of(meter=args.meter, form=args.form, like=args.like)
    outputs = check_outputs(args.output)
    require_listen_extra()
    info = recording_info(args.recording)
    bpm = None
    if args.like:
        from theme.variants import load

        music = load(args.like).timeline()
        bpm = float(
            music.tempo_map.qpm_at(music.bars[0].start) / music.bars[0].meter.pulse_quarters
        )
    beatmap = analyse(args.recording, form, first_downbeat=args.first_downbeat, bpm=bpm)
    changes = ", then ".join(f"{m} from bar {n} at {t:.2f} s" for n, t, m in beatmap.changes())
    print(
        f"{len(beatmap.beats)} beats, {len(beatmap.meters)} bars: {changes}"
        + (f"; {beatmap.lead_beats} beats before bar 1" if beatmap.lead_beats else "")
    )
    title = Path(args.recording).stem
    for out in outputs:
        print(f"wrote {write_output(beatmap, out, info=info, title=title)}")
    return 0
