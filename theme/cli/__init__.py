"""The ``theme`` command: argument parsing and printing only; the work is the library's.

Each sub-command lives in its own module of this package with a ``register(subparsers)``
function that adds its parser and sets ``func``. Command modules import only light parts of
the library at the top; heavy libraries (music21, sounddevice, verovio) are imported inside
the functions that need them, so ``theme --help`` and ``theme metronome`` start at once.

Exit codes: 0 success, 1 failure (a file), 2 usage (a bad value), 3 audio device, 130 Ctrl-C.
"""

from __future__ import annotations

import argparse
import importlib
import re
import sys
from collections.abc import Sequence

from theme import __version__
from theme.errors import ThemeError

TYPE_CHECKING = False  # importing typing costs start-up time
if TYPE_CHECKING:
    from typing import Any

__all__ = ["main"]

COMMANDS = (
    "theme.cli.variants",
    "theme.cli.remeter",
    "theme.cli.audio",
    "theme.cli.metronome",
    "theme.cli.classroom",
)
"""Command modules, in the order their commands are listed in ``theme --help``."""

EPILOG = """\
tempo: a BPM counts quarter notes, as in MIDI files: 160 or q=160; give a unit to count
  another note: e=300 (eighths), q.=100 (dotted quarters), h=80 (halves).
exit codes: 0 success, 1 a file could not be read or written, 2 a bad value,
  3 no audio device, 130 interrupted."""


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage error as one line and exit code 2.

    A value that starts with a minus and a digit (``-5/4``, ``-3``) is a value, never an
    option, so that its own parser can say what is wrong with it.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._negative_number_matcher = re.compile(r"^-\.?\d")

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    """The parser of every command (imports each command module, all of them light)."""
    parser = _Parser(
        prog="theme",
        description="Hear, see and teach odd meters: the 5/4 Mission: Impossible rhythm "
        "(3+3+2+2) and its 4/4 remixes.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"theme {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMANDS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except ThemeError as exc:
        print(f"theme: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("theme: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 1


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
