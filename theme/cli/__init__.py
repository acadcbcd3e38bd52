"""The ``theme`` command: argument parsing and printing only; the work is the library's.

Each sub-command lives in its own module of this package with a ``register(subparsers)``
function that adds its parser and sets ``func``. Command modules import only light parts of
the library at the top; heavy libraries (music21, sounddevice, verovio) are imported inside
the functions that need them, so ``theme --help`` and ``theme metronome`` start at once.

Exit codes: 0 success, 1 failure (a file), 2 usage (a bad value), 3 audio device, 130 Ctrl-C,
143 SIGTERM (129 SIGHUP). Whatever goes wrong, the command prints one line on standard
error: warnings of the libraries it uses are silenced (Python's unless asked for with
``python -W``; what music21 writes to ``sys.stderr`` while a command runs is dropped), and a
standard output that cannot be written (a full disk, ``> /dev/full``) is an error like any
file's, after the files the command writes are written; one whose reader has gone (``| head
-1``) ends the command with exit code 1 and no message; a closed one (``>&-``) is an error
for the commands whose product is what they print (:data:`PRINTING`), and takes the others'
reports nowhere; text it cannot encode (``PYTHONIOENCODING=ascii``) is printed as ``\\xe9``
escapes. See docs/safety.md.

The console script imports this module and calls :func:`run`; this module imports only
``sys`` at its top, and :func:`run` sets the signal handlers before the rest is imported, so
a Ctrl-C from the moment the package starts loading ends in one line, never a traceback
(only Python's own start-up, before any of the package runs, is out of its reach).
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False  # importing typing costs start-up time
if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence
    from typing import Any

__all__ = ["main", "run"]

COMMANDS = (
    "theme.cli.variants",
    "theme.cli.remeter",
    "theme.cli.audio",
    "theme.cli.ports",
    "theme.cli.metronome",
    "theme.cli.classroom",
    "theme.cli.quiz",
    "theme.cli.tap",
    "theme.cli.listen",
    "theme.cli.studio",
)
"""Command modules, in the order their commands are listed in ``theme --help``."""

PRINTING = ("list", "show", "devices", "ports")
"""Commands whose product is the text they print: a closed standard output (``>&-``) is an
error for them (and for ``--help`` and ``--version``). The others write files or play, and
print a report of it, which a closed standard output takes nowhere."""

EPILOG = """\
tempo: a BPM counts quarter notes, as in MIDI files: 160 or q=160; give a unit to count
  another note: e=300 (eighths), q.=100 (dotted quarters), h=80 (halves).
exit codes: 0 success, 1 a file could not be read or written, 2 a bad value,
  3 no audio device or MIDI port, 130 interrupted (Ctrl-C), 143 stopped (SIGTERM)."""


def _help_width() -> int:
    """The width of the help, as argparse finds it (``shutil.get_terminal_size``'s columns,
    less 2) without importing shutil, whose compression modules were a tenth of the time
    ``theme --help`` takes."""
    import os

    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return (columns or 80) - 2


def _translate_once() -> None:
    """argparse looks each of its words up in gettext's catalogues at every use, a search of
    the file system each time (about 3.5 ms of CPU of ``theme --help`` on a quiet machine,
    more under load: ``benchmarks/bench_startup.py``); the language does not change while a
    command runs, so each word is looked up once. Only argparse's own lookup is cached, and
    only when it is still gettext's."""
    import argparse
    import functools
    import gettext

    if argparse._ is gettext.gettext:  # type: ignore[attr-defined]
        argparse._ = functools.lru_cache(maxsize=None)(gettext.gettext)  # type: ignore[attr-defined]


def _parser_class() -> type[argparse.ArgumentParser]:
    import argparse
    import re

    _translate_once()

    width = _help_width()  # once, not again for every formatter argparse makes

    class _Parser(argparse.ArgumentParser):
        """argparse that reports a usage error as one line and exit code 2.

        A value that starts with a minus and a digit (``-5/4``, ``-3``) is a value, never an
        option, so that its own parser can say what is wrong with it.
        """

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._negative_number_matcher = re.compile(r"^-\.?\d")

        def _get_formatter(self) -> argparse.HelpFormatter:
            return self.formatter_class(prog=self.prog, width=width)  # type: ignore[call-arg]

        def _print_message(self, message: str, file: Any = None) -> None:
            if message:  # argparse's own swallows a failed write: --help > /dev/full
                (file or sys.stderr).write(message)

        def error(self, message: str) -> None:  # type: ignore[override]
            self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")

    return _Parser


def build_parser() -> argparse.ArgumentParser:
    """The parser of every command (imports each command module, all of them light)."""
    import argparse
    import importlib

    from theme import __version__

    parser_class = _parser_class()
    parser = parser_class(
        prog="theme",
        description="Hear, see and teach odd meters: the 5/4 Mission: Impossible rhythm "
        "(3+3+2+2) and its 4/4 remixes.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"theme {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=parser_class)
    for name in COMMANDS:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code. Every error is one line on stderr."""
    import warnings

    from theme.errors import ThemeError

    _standard_output()
    try:
        with warnings.catch_warnings():
            if not sys.warnoptions:  # python -W still shows them
                warnings.simplefilter("ignore")
            parser = build_parser()
            try:
                args = parser.parse_args(argv)
            except SystemExit:  # --help, --version: their text must get out
                sys.stdout.flush()
                _check_closed_output()
                raise
            if not getattr(args, "func", None):
                parser.print_help()
                return 2
            stderr, sys.stderr = sys.stderr, _Discard()  # music21 writes its warnings there
            try:
                code = int(args.func(args) or 0)
            finally:
                sys.stderr = stderr
            sys.stdout.flush()  # a full disk under stdout is found here, not at exit
            if args.command in PRINTING:
                _check_closed_output()
            return 128 + _stopped_by if _stopped_by else code
    except ThemeError as exc:
        _say(f"theme: error: {exc}")
        return exc.exit_code
    except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM/SIGHUP as Terminated
        return _interrupted(exc)
    except RuntimeError as exc:  # a signal in a class's making (Python wraps it)
        return _interrupted(_signal_within(exc))
    except BrokenPipeError:  # 'theme show | head': the reader has what it wanted
        _quiet_stdout()
        return 1
    except OSError as exc:  # no command lets one through with a file name; stdout can
        if exc.filename is not None:
            _say(f"theme: error: {exc.filename!r}: {exc.strerror or exc}")
            return 1
        _quiet_stdout()  # standard output: a full disk, /dev/full, a closed terminal
        _say(f"theme: error: cannot write to standard output: {exc.strerror or exc}")
        return 1


def _standard_output() -> None:
    """Standard output as the command prints to it: text it cannot encode (a file name with
    an accent under ``PYTHONIOENCODING=ascii``, a name that is not UTF-8) is written as
    ``\\xe9`` escapes instead of failing, and a closed one (``>&-``: Python then has None)
    takes what is printed nowhere (:class:`_ClosedOutput`), instead of an AttributeError."""
    if sys.stdout is None:
        sys.stdout = _ClosedOutput()
    elif getattr(sys.stdout, "errors", None) == "strict":
        import contextlib

        with contextlib.suppress(AttributeError, ValueError, OSError):
            sys.stdout.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]


class _ClosedOutput:
    """Standard output when the command was started with it closed: what is written goes
    nowhere, and is remembered (:func:`_check_closed_output`)."""

    encoding = "utf-8"
    errors = "strict"
    lost = False
    """Whether anything was written."""

    def write(self, text: str) -> int:
        if text:
            self.lost = True
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        import io

        raise io.UnsupportedOperation("standard output is closed")


def _check_closed_output() -> None:
    """Raise when the command's text went to a closed standard output (for a command whose
    product is that text: :data:`PRINTING`).

    Raises:
        OSError: EBADF, 'it is closed' (the command's error line says so).
    """
    if isinstance(sys.stdout, _ClosedOutput) and sys.stdout.lost:
        import errno

        raise OSError(errno.EBADF, "it is closed")


def _standard_descriptors() -> None:
    """Open /dev/null on a standard descriptor (0, 1, 2) the command was started without, so
    that no file it opens gets that number: a library that writes to descriptor 2 (or 1)
    would write into the file. Python itself has None for such a stream (see
    :func:`_standard_output`)."""
    import os

    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            try:
                null = os.open(os.devnull, os.O_RDWR)
            except OSError:
                return
            if null != fd:  # the lowest free number: fd itself unless a lower one was closed
                os.dup2(null, fd)
                os.close(null)


class _Discard:
    """A standard error for the libraries while a command runs (music21 writes its warnings
    straight to ``sys.stderr``): the command's own error line is printed after it."""

    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


def _say(line: str) -> None:
    import contextlib

    if sys.stderr is None:  # started with stderr closed: print() would use stdout
        return
    with contextlib.suppress(OSError, ValueError):
        print(line, file=sys.stderr, flush=True)


def _quiet_stdout() -> None:
    """Point standard output at /dev/null so that Python's flush at exit does not fail again
    and print a second message."""
    import os

    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
    except (OSError, ValueError, AttributeError):
        pass


_stopped_by = 0
_pending = 0  # a signal to raise again (see _unraisable)
"""The signal (SIGTERM, SIGHUP) that stopped the command, if one did: the exit code is then
128 + its number even if the command caught the exception (a player fading out)."""


def _signal_within(exc: RuntimeError) -> KeyboardInterrupt:
    """The Ctrl-C or stopping signal that ``exc`` was raised from: Python 3.11 wraps what
    is raised while a class is made (``__set_name__``, as a module being imported makes
    its classes) in a RuntimeError. Anything else is raised again as it was."""
    cause = exc.__cause__
    if isinstance(cause, KeyboardInterrupt):
        return cause
    raise exc


def _interrupted(exc: BaseException) -> int:
    """Print the line for Ctrl-C or a stopping signal; return the exit code (130, 143...)."""
    code = int(getattr(exc, "exit_code", 0) or (128 + _stopped_by if _stopped_by else 130))
    if code == 130:
        _say("theme: interrupted")
    else:
        import signal

        _say(f"theme: stopped ({signal.Signals(code - 128).name})")
    return code


def _on_signal(signum: int, frame: object) -> None:
    global _stopped_by
    if not _stopped_by:  # a second signal while cleaning up does not cut the clean-up short
        _stopped_by = signum
        # No import here: the signal may come while theme.errors itself is being imported.
        terminated = getattr(sys.modules.get("theme.errors"), "Terminated", None)
        raise terminated(signum) if terminated else KeyboardInterrupt


def _unraisable(unraisable: Any) -> None:
    """Python's hook for an exception it cannot raise (in a ``__del__``, a weakref callback,
    as the import system's own module locks have): it would print a traceback and go on.
    A Ctrl-C or a SIGTERM that landed there is raised again a millisecond later (an alarm:
    not from inside this hook, where it would be lost the same way), to stop the program
    where it can; anything else goes to Python's own hook."""
    global _stopped_by, _pending
    signal = sys.modules.get("signal")
    stop = isinstance(unraisable.exc_value, KeyboardInterrupt)
    if not stop or signal is None or not hasattr(signal, "setitimer"):  # none on Windows
        sys.__unraisablehook__(unraisable)
        return
    _pending = _stopped_by or signal.SIGINT  # SIGINT: Python's own Ctrl-C handler raised it
    _stopped_by = 0
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, 0.001)


def _on_alarm(signum: int, frame: object) -> None:
    _on_signal(_pending, frame)


def _install_signals() -> None:
    """SIGTERM and SIGHUP (the terminal closed) raise :class:`~theme.errors.Terminated`, so
    clean-up runs as for Ctrl-C; SIGXFSZ (a write past ``ulimit -f``) is ignored, so the write
    fails with EFBIG and is reported as an error instead of killing the process. A signal
    that lands where Python cannot raise is sent again (:func:`_unraisable`)."""
    import signal

    sys.unraisablehook = _unraisable
    signal.signal(signal.SIGTERM, _on_signal)
    for name in ("SIGHUP", "SIGXFSZ"):
        if hasattr(signal, name):
            handler = _on_signal if name == "SIGHUP" else signal.SIG_IGN
            signal.signal(getattr(signal, name), handler)


def run() -> None:
    """Console-script entry point: exits with :func:`main`'s code."""
    try:
        _install_signals()
        _standard_descriptors()
        code = main()
    except KeyboardInterrupt as exc:  # before main's own handler, during start-up
        code = _interrupted(exc)
    except RuntimeError as exc:  # the same, in a class's making
        code = _interrupted(_signal_within(exc))
    _ignore_signals()  # the work is done: a late Ctrl-C must not interrupt the exit
    sinks = sys.modules.get("theme.live.engine.sinks")
    if sinks is not None:  # sound was played: a stream still closing at exit leaves with it
        sinks.exit_status(code)
    sys.exit(code)


def _ignore_signals() -> None:
    import signal

    for name in ("SIGINT", "SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_IGN)
