"""The live metronome: a player, a display and keys, driven by the stream's clock.

Keys come through a seam, :class:`KeySource`: :class:`TerminalKeys` reads a terminal in
cbreak mode (restored on exit), :class:`ScriptedKeys` plays a script in tests.

=====  ==================================================
key    what it does
=====  ==================================================
``+``  4 BPM faster (``=`` too)
``-``  4 BPM slower
space  pause; again to go on (at the tempo of the moment)
``t``  tap the tempo: two taps or more set it
``q``  quit
=====  ==================================================
"""

from __future__ import annotations

import dataclasses
import os
import sys
import time
from collections.abc import Iterator
from fractions import Fraction
from typing import Protocol, TextIO

from theme.display import Frame
from theme.metronome import Metronome
from theme.playback import Player
from theme.sinks import Sink, SoundDeviceSink
from theme.tempo import Tempo
from theme.timeline import Event

__all__ = ["KeySource", "LiveMetronome", "ScriptedKeys", "TerminalKeys"]

TEMPO_STEP = Fraction(4)


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
    """Keys from a terminal, one at a time, without Enter (cbreak mode, restored on exit)."""

    def __init__(self, stream: TextIO = sys.stdin):
        self.stream = stream
        self._saved: list | None = None

    def __enter__(self) -> TerminalKeys:
        if self.stream.isatty():
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
        if self._saved is None:
            return None
        import select

        ready, _, _ = select.select([self.stream], [], [], 0)
        return os.read(self.stream.fileno(), 1).decode(errors="ignore") if ready else None


class LiveMetronome:
    """Plays a metronome, draws its frame in step with what is heard, and obeys keys.

    ``sink`` defaults to the sound card; ``out`` receives the frames (a terminal gets the
    frame redrawn in place, anything else one line per beat). ``display_delay`` (seconds)
    draws each beat that long after it is heard (negative: before), for a projector's or a
    Bluetooth speaker's lag; the keys still act on what is heard.
    """

    def __init__(
        self,
        metronome: Metronome,
        *,
        sink: Sink | None = None,
        keys: KeySource | None = None,
        out: TextIO = sys.stdout,
        device: str | int | None = None,
        latency: float | None = None,
        rate: int = 48000,
        display_delay: float = 0.0,
    ):
        self.metronome = metronome
        self.display_delay = display_delay
        self._sink_factory = (
            (lambda: sink)
            if sink is not None
            else (lambda: SoundDeviceSink(rate=rate, device=device, latency=latency))
        )
        self.keys = keys or ScriptedKeys([])
        self.out = out
        self.rate = rate
        self.frame = Frame(metronome)
        self.offset = Fraction(0)  # quarter notes played before the current player began
        self.paused = False
        self.taps: list[float] = []
        self.player: Player | None = None
        self.tempo_changes: list[tuple[Fraction, Fraction]] = []
        """``(position in quarter notes, new quarter notes a minute)`` for each key change."""

    # -- the clock ---------------------------------------------------------------------

    def heard_quarter(self, *, shift_seconds: float = 0.0) -> Fraction:
        """The position heard now (``shift_seconds`` ago), in quarter notes from the start of
        the metronome."""
        if self.player is None:
            return self.offset
        seconds = max(0.0, self.player.heard_seconds() - shift_seconds)
        return self.offset + self._player_map.quarter_at(seconds)

    def shown_quarter(self) -> Fraction:
        """The position the display shows now: heard, ``display_delay`` seconds later."""
        return self.heard_quarter(shift_seconds=self.display_delay)

    def _start_player(self, from_quarter: Fraction) -> None:
        m = self.metronome
        if from_quarter == 0:
            self._player_map = m.tempo_map
            events: Iterator[Event] = m.events()
        else:  # go on from a pause: the music restarts at 0 seconds, its ramps still ahead
            self._player_map = m.tempo_map.after(from_quarter)
            events = (
                dataclasses.replace(e, onset=e.onset - from_quarter)
                for e in m.events(from_quarter=from_quarter)
            )
        from theme.renderers.audio import BlockRenderer

        end = None if m.bars is None else m.start + m.bars * m.bar_quarters - from_quarter
        renderer = BlockRenderer(
            events, layers=m.layers, tempo_map=self._player_map, rate=self.rate, end_quarter=end
        )
        self.offset = from_quarter
        self.player = Player(renderer, self._sink_factory()).start()

    # -- keys --------------------------------------------------------------------------

    def set_tempo(self, qpm: Fraction) -> None:
        """From the next block on, play at ``qpm`` quarter notes a minute."""
        qpm = max(Fraction(20), min(Fraction(600), qpm))
        player = self.player
        if player is None or self.paused:
            return
        m = self.metronome

        def change(renderer: object) -> None:
            frame = renderer.frame  # type: ignore[attr-defined]
            at = self._player_map.quarter_at(Fraction(frame, self.rate))
            self._player_map = self._player_map.then(at, Tempo(qpm))
            absolute = self.offset + at
            m.tempo_map = m.tempo_map.then(absolute, Tempo(qpm))
            self.tempo_changes.append((absolute, qpm))
            events = (
                dataclasses.replace(e, onset=e.onset - self.offset)
                for e in m.events(from_quarter=absolute)
            )
            renderer.replace_events(events, self._player_map, from_frame=frame)  # type: ignore[attr-defined]

        player.with_renderer(change)

    def handle(self, key: str, now: float) -> bool:
        """Obey one key; False to quit."""
        m = self.metronome
        if key == "q":
            return False
        if key in "+=":
            self.set_tempo(m.tempo_map.qpm_at(self.heard_quarter()) + TEMPO_STEP)
        elif key == "-":
            self.set_tempo(m.tempo_map.qpm_at(self.heard_quarter()) - TEMPO_STEP)
        elif key == " ":
            if self.paused:
                self.paused = False
                self._start_player(self.offset)
            else:
                self.paused = True
                at = self.heard_quarter()
                assert self.player is not None
                self.player.stop()
                self.player = None
                self.offset = at
        elif key == "t":
            self.taps = [t for t in self.taps if now - t < 2.0] + [now]
            if len(self.taps) >= 2:
                gaps = [b - a for a, b in zip(self.taps, self.taps[1:])]
                beat_seconds = sum(gaps) / len(gaps)
                beats = Fraction(60 / beat_seconds).limit_denominator(100)
                self.set_tempo(beats * m.meter.pulse_quarters)
        return True

    # -- the loop ----------------------------------------------------------------------

    def run(self, *, refresh_seconds: float = 0.01) -> int:
        """Play until the bars are done or ``q``; return an exit code (130 on Ctrl-C)."""
        tty = self.out.isatty()
        drawn: list[str] = []
        heard = 0.0
        self._start_player(Fraction(0))
        try:
            while True:
                player = self.player
                if player is not None and not player.active:
                    break
                if player is not None:  # while paused, the time heard stands still
                    heard = player.heard_seconds()
                key = self.keys.poll(heard)
                if key is not None and not self.handle(key, time.monotonic()):
                    break
                lines = self.frame.lines(self.shown_quarter(), paused=self.paused)
                if lines != drawn:
                    self._draw(lines, drawn, tty)
                    drawn = lines
                if player is not None:
                    player.wait(refresh_seconds)  # the picture's refresh, not the music's clock
                else:
                    time.sleep(refresh_seconds)
        except KeyboardInterrupt:
            self._finish()
            return 130
        self._finish()
        return 0

    def _draw(self, lines: list[str], before: list[str], tty: bool) -> None:
        if tty:
            if before:
                self.out.write(f"\x1b[{len(before)}F")
            self.out.write("".join(f"\x1b[2K{line}\n" for line in lines))
        else:
            self.out.write(
                " | ".join(line for line in lines if "█" not in line and "▀" not in line) + "\n"
            )
        self.out.flush()

    def _finish(self) -> None:
        if self.player is not None:
            self.player.stop()
            underruns = self.player.underruns
            if underruns:
                self.out.write(f"{underruns} underruns\n")
