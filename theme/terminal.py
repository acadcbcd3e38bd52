"""The terminal: keys in, lines out, for the metronome, the tap run, the quiz and the
tour.

Keys come through a seam, :class:`KeySource`: :class:`TerminalKeys` reads a terminal in
cbreak mode (restored on exit), :class:`LineKeys` reads lines of a pipe, :class:`ScriptedKeys`
plays a script in tests. :func:`follow` redraws a status line in place while a player plays.

A command may run with standard output closed (``theme demo >&-``, from a service, a cron
job or a pipeline): Python then sets ``sys.stdout`` to None. A terminal may also not show
every character (``PYTHONIOENCODING=ascii``, an old Windows console). These helpers answer
without failing on either.

>>> can_show(None, "bar 1")
False
"""

from __future__ import annotations

import os
import select
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol, TextIO

from theme.errors import AudioDeviceError, DeviceError

if TYPE_CHECKING:
    from theme.core.timeline import Timeline

__all__ = [
    "END",
    "KeySource",
    "LineKeys",
    "Playing",
    "ScriptedKeys",
    "TerminalKeys",
    "can_show",
    "follow",
    "is_terminal",
    "output",
    "position_line",
]

END = "\x04"
"""The key a source gives when it has no more (Ctrl-D, the end of a pipe): as ``q``."""


def can_show(stream: TextIO | None, text: str) -> bool:
    """Whether ``stream`` can write ``text`` in its encoding (False for None).

    >>> import io
    >>> ascii_out = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
    >>> can_show(ascii_out, "bar 1"), can_show(ascii_out, "▲ · ·")
    (True, False)
    """
    if stream is None:
        return False
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        text.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def output() -> TextIO:
    """Standard output, or a stream that discards what it is given when there is none
    (``sys.stdout`` is None when the command runs with standard output closed)."""
    if sys.stdout is not None:
        return sys.stdout
    return open(os.devnull, "w", encoding="utf-8")  # open while the command runs


def is_terminal(stream: object) -> bool:
    """Whether ``stream`` is an open terminal (None, a closed stream or a pipe is not).

    >>> import io
    >>> is_terminal(None), is_terminal(io.StringIO())
    (False, False)
    """
    try:
        return bool(stream is not None and stream.isatty())  # type: ignore[attr-defined]
    except (ValueError, OSError, AttributeError):  # closed, or not a stream at all
        return False


class KeySource(Protocol):
    """Where key presses come from."""

    def poll(self, heard_seconds: float) -> str | None:
        """The next key pressed, or None; ``heard_seconds`` is the time heard now."""


class ScriptedKeys:
    """Keys at given heard times (seconds), for tests: ``[(1.0, '+'), (2.5, 'q')]``."""

    def __init__(self, script: list[tuple[float, str]]):
        self.script = sorted(script)

    def poll(self, heard_seconds: float) -> str | None:
        if self.script and self.script[0][0] <= heard_seconds:
            return self.script.pop(0)[1]
        return None


class TerminalKeys:
    """Keys from a terminal, one at a time, without Enter (cbreak mode, restored on exit,
    whatever the way out). No terminal (a pipe, a file, a closed stdin): no keys."""

    def __init__(self, stream: TextIO | None = None):
        self.stream = sys.stdin if stream is None else stream
        self._saved: list[Any] | None = None

    def __enter__(self) -> TerminalKeys:
        if is_terminal(self.stream):
            import termios
            import tty

            self._saved = termios.tcgetattr(self.stream)
            tty.setcbreak(self.stream)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._saved is not None:
            import termios

            termios.tcsetattr(self.stream, termios.TCSADRAIN, self._saved)
            self._saved = None

    def poll(self, heard_seconds: float) -> str | None:
        if self._saved is None or self.stream is None:
            return None
        ready, _, _ = select.select([self.stream], [], [], 0)
        return os.read(self.stream.fileno(), 1).decode(errors="ignore") if ready else None

    def wait_for_key(self, seconds: float) -> bool:
        """Wait until a key comes or ``seconds`` pass, so that a key is stamped as it
        arrives; False at once when no terminal is read (nothing to wait on)."""
        if self._saved is None or self.stream is None:
            return False
        select.select([self.stream], [], [], seconds)
        return True


class LineKeys:
    """Answers from lines of a file or a pipe (``printf '1\\nb\\n' | theme quiz``): each
    line is one key, without its spaces; the end of the input is :data:`END`."""

    def __init__(self, stream: TextIO):
        self.stream = stream

    def poll(self, heard_seconds: float) -> str | None:
        line = self.stream.readline()
        return line.strip() if line else END


class Playing(Protocol):
    """What :func:`follow` watches: a player (:class:`theme.live.engine.playback.Player`)."""

    @property
    def active(self) -> bool: ...

    def heard_seconds(self) -> float: ...

    def wait(self, timeout: float | None = ...) -> bool: ...

    def check(self) -> None: ...

    def stop(self) -> None: ...

    def close(self) -> None: ...


def follow(
    player: Playing,
    line_at: Callable[[float], str],
    *,
    display_delay: float = 0.0,
    out: TextIO | None = None,
    refresh_seconds: float = 0.02,
    lost: Callable[[float], None] | None = None,
) -> bool:
    """Redraw one status line, ``line_at(seconds heard)``, in place while ``player`` plays:
    on a terminal only (elsewhere nothing is drawn). The time is the stream's clock, moved
    ``display_delay`` seconds later (negative: earlier). Returns True when the music played
    out, False on Ctrl-C (after a 30 ms fade).

    ``lost(seconds heard)`` is called when a device (the sound card, a MIDI port) is lost,
    after the player stopped.

    Raises:
        DeviceError: a device was lost while playing (the player has stopped).
    """
    out = out or sys.stdout
    tty = is_terminal(out)
    last = ""
    try:
        while player.active:
            line = line_at(max(0.0, player.heard_seconds() - display_delay))
            if tty and line != last:
                out.write("\r" + line.ljust(len(last)))
                out.flush()
                last = line
            player.wait(refresh_seconds)  # the picture's refresh, not the music's clock
        player.check()  # ended by a lost device, not by the music's end
    except DeviceError:
        try:
            heard = player.heard_seconds()
        except AudioDeviceError:
            heard = None
        player.stop()
        if tty:
            out.write("\n")
        if lost is not None and heard is not None:
            lost(heard)
        raise
    except KeyboardInterrupt:
        player.stop()
        if tty:
            out.write("\n")
        return False
    player.close()
    if tty:
        out.write("\n")
    return True


def position_line(timeline: Timeline) -> Callable[[float], str]:
    """The line that follows a timeline as it plays: from the seconds heard to its section,
    bar and beat (``theme play``, the tour).

    >>> from theme.core.meter import Meter
    >>> from theme.core.timeline import Timeline
    >>> line = position_line(Timeline.build(title="t", bars=[(Meter.parse("5/4"), "A")] * 2, tempo=60))
    >>> line(6.5)
    'A                  bar   2/2  beat 2'
    """

    def line_at(seconds: float) -> str:
        bar, beat = timeline.bar_beat_at_seconds(seconds)
        section = timeline.bars[bar - 1].section
        return f"{section:<18} bar {bar:>3}/{len(timeline.bars)}  beat {int(beat)}"

    return line_at
