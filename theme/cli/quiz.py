"""``theme quiz`` (listen and answer) and ``theme worksheet`` (worksheets of writing)."""

from __future__ import annotations

import argparse

from theme.cli.common import add_device_options

TYPE_CHECKING = False  # importing typing costs start-up time
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import TextIO

    from theme.core.timeline import Timeline
    from theme.quiz.items import Item, Quiz
    from theme.quiz.terminal import Stoppable

__all__ = ["register"]

DEFAULT_FOLDER = "theme-quiz"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the quiz and worksheet commands."""
    p = subparsers.add_parser(
        "quiz",
        help="a listening quiz: which meter, which grouping, 4/4 or 5/4, where step one lands",
        description="Items made from the gallery, remetered music and the metronome, the same "
        "for the same --seed. Each item plays; answer with 1-4 or a-d, r plays it again, q "
        "stops; the score comes at the end. With --out (or no sound card) the quiz is written "
        f"to a folder ({DEFAULT_FOLDER}/ by default): index.html to project (it scores the "
        "answers), an audio file an item, worksheet.html to print and key.html.",
    )
    p.add_argument(
        "--seed", default="0", help="a whole number: the same seed, the same quiz (default 0)"
    )
    p.add_argument(
        "--level",
        default="1",
        help="1 clicks with accents, 2 grooves, 3 no accents, 4 no accents and faster (default 1)",
    )
    p.add_argument(
        "--kind",
        default="all",
        help="meter, grouping, remix, landing, comma-separated, or all (default all)",
    )
    p.add_argument("--count", default="10", help="items, 1 to 50 (default 10)")
    p.add_argument(
        "--out", metavar="DIR", help="write the quiz to this folder instead of asking it"
    )
    p.add_argument(
        "--audio", default="wav", help="the items' audio files: wav or flac (default wav)"
    )
    p.add_argument(
        "--paper", default="a4", help="the worksheet's and key's paper: a4 or letter (default a4)"
    )
    p.add_argument(
        "--class",
        dest="class_mode",
        action="store_true",
        help="write the quiz for a class (to --out, or theme-quiz/): its page opens in class "
        "mode, an item a screen for the projector, the answer shown when the teacher asks",
    )
    add_device_options(p, latency=False)
    p.set_defaults(func=run_quiz)

    p = subparsers.add_parser(
        "worksheet",
        help="a printable worksheet of writing: accents, bar lines, strategies (with a key)",
        description="Exercises made by the engine, the same for the same --seed: write the "
        "accents of a grouping, bar a rhythm in 5/4 and in 4/4, fill in the strategy that "
        "made a 4/4 bar. Writes worksheet.html (boxes to write in, a legend of the symbols) and "
        "key.html, to print on A4 or US Letter (--paper).",
    )
    p.add_argument("--seed", default="0", help="a whole number (default 0)")
    p.add_argument(
        "--kind", default="all", help="accents, barring, strategy, comma-separated, or all"
    )
    p.add_argument("--count", default="10", help="exercises, 1 to 50 (default 10)")
    p.add_argument("--paper", default="a4", help="a4 or letter (default a4)")
    p.add_argument(
        "--out",
        metavar="DIR",
        default="theme-worksheet",
        help="the folder (default theme-worksheet)",
    )
    p.set_defaults(func=run_worksheet)


def _count(text: str, what: str) -> int:
    from theme.errors import UsageError
    from theme.quiz.options import MAX_ITEMS
    from theme.safe_text import bounded_int

    allowed = f"a whole number of {what} from 1 to {MAX_ITEMS}"
    count = bounded_int(text, "count", allowed=allowed)
    if not 1 <= count <= MAX_ITEMS:
        raise UsageError(f"invalid count {text!r}: expected {allowed}")
    return count


def run_quiz(args: argparse.Namespace) -> int:
    import sys

    from theme.errors import UsageError
    from theme.quiz.folder import AUDIO_KINDS
    from theme.quiz.items import make_quiz
    from theme.quiz.printable import check_paper
    from theme.terminal import output

    if args.audio not in AUDIO_KINDS:
        raise UsageError(f"invalid audio {args.audio!r}: expected one of {', '.join(AUDIO_KINDS)}")
    paper = check_paper(args.paper)
    count = _count(args.count, "items")
    quiz = make_quiz(seed=args.seed, level=args.level, kinds=args.kind, count=count)
    if args.out or args.class_mode:
        _write(quiz, args.out or DEFAULT_FOLDER, args.audio, paper, class_mode=args.class_mode)
        return 0
    play = _player(args.device)
    if play is None:
        _write(quiz, DEFAULT_FOLDER, args.audio, paper)
    if sys.stdin is None:  # standard input closed: the quiz is written, nothing to ask
        return 0
    _ask(quiz, play, args.audio, output())
    return 0


def _player(device: str | None) -> Callable[[Timeline], Stoppable] | None:
    """A function that starts playing music on the device, or None (said so) with no sound
    card at all; a device asked for by name that is missing is an error (exit 3)."""
    from theme.errors import AudioDeviceError
    from theme.live.engine.sinks import resolve_device
    from theme.terminal import output

    try:
        index = resolve_device(device)
    except AudioDeviceError as exc:
        if device is not None:
            raise
        print(
            f"no sound here ({exc}).\nwriting the quiz to {DEFAULT_FOLDER}/ instead.", file=output()
        )
        return None
    from theme.live.start import play

    def start(music: Timeline) -> Stoppable:
        return play(music, device=index, wait=False)

    return start


def _ask(quiz: Quiz, play: Callable[[Timeline], Stoppable] | None, audio: str, out: TextIO) -> None:
    """Ask the quiz: keys from a terminal, or answers a line each from a pipe (strict)."""
    import sys

    from theme.quiz.folder import item_file
    from theme.quiz.terminal import run_quiz
    from theme.terminal import LineKeys, TerminalKeys, is_terminal

    def files(item: Item) -> str:
        return f"{DEFAULT_FOLDER}/{item_file(item, audio)}"

    if is_terminal(sys.stdin):
        with TerminalKeys() as keys:
            run_quiz(quiz, keys=keys, out=out, play=play, files=files)
    else:
        run_quiz(quiz, keys=LineKeys(sys.stdin), out=out, play=play, files=files, strict=True)


def _write(quiz: Quiz, folder: str, audio: str, paper: str, *, class_mode: bool = False) -> None:
    from theme.quiz.folder import write_quiz
    from theme.terminal import output

    mode = "class" if class_mode else "practice"
    files = write_quiz(quiz, folder, audio=audio, mode=mode, paper=paper)
    said = "class mode: open it on the projector" if class_mode else "to project"
    print(
        f"{quiz.title}: {len(quiz.items)} items ({', '.join(quiz.kinds)})\n"
        f"wrote {files.page} ({said}), {files.worksheet} (to print), {files.key} (the key) "
        f"and {len(files.audio)} audio files ({files.audio[0].name} ...)",
        file=output(),
    )


def run_worksheet(args: argparse.Namespace) -> int:
    from theme.quiz.writing import make_writing, write_writing
    from theme.terminal import output

    writing = make_writing(
        seed=args.seed, kinds=args.kind, count=_count(args.count, "exercises"), paper=args.paper
    )
    sheet, key = write_writing(writing, args.out)
    kinds = ", ".join(writing.kinds)
    print(
        f"{writing.title}: {len(writing.exercises)} exercises ({kinds})\nwrote {sheet} (to print) and {key} (the key)",
        file=output(),
    )
    return 0
