"""A tapping run, live: the music plays, the student taps, each tap is placed on the audio
stream's clock and scored (:class:`TapRun`); :func:`practise` plays runs one after another,
faster after each clean one.

A tap's time is the frame heard at the speaker when the tap arrives (the player's clock: the
stream's own time and its output latency, never the wall clock), less the calibration of
that way of tapping. Keys come through the terminal's key seam (:class:`~theme.terminal.KeySource`): any
key taps, ``q`` ends the run. Other inputs (a MIDI pad, :mod:`theme.practice.midi_taps`)
stamp each tap with the same clock as it arrives (:class:`TapInput`).

The gap trainer, scored: with ``drop_after`` N, after N good bars in a row (every onset of
the bar hit within the tolerance) the sound drops out from the next barline not yet played,
and the student keeps tapping in silence; the first bar that is not good brings it back.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Protocol, TextIO

from theme.core.meter import AccentLevel
from theme.errors import AudioDeviceError, ThemeError, UsageError
from theme.live.engine.playback import Player
from theme.live.engine.sinks import Sink, SoundDeviceSink, resolve_device
from theme.metronome import Metronome
from theme.practice.exercise import Exercise
from theme.practice.midi_taps import MidiTaps
from theme.practice.scoring import (
    DEFAULT_TOLERANCE,
    Score,
    Target,
    default_window,
    match_tap,
    position_label,
    score_taps,
)
from theme.renderers.audio import BlockRenderer
from theme.terminal import KeySource, ScriptedKeys, TerminalKeys, is_terminal

__all__ = [
    "DEFAULT_TOLERANCE_MS",
    "RunResult",
    "TapInput",
    "TapRun",
    "practise",
    "sound_card_sinks",
    "tap_in_terminal",
]

DEFAULT_TOLERANCE_MS = DEFAULT_TOLERANCE.good_ms
"""A good bar, and a clean run, has every onset hit within this many milliseconds."""
QUIT_KEYS = ("q", "\x1b")
"""Keys that end a run (q, Escape); any other key is a tap."""


class TapInput(Protocol):
    """Taps from somewhere other than the keys, stamped with the player's clock."""

    def taken(self) -> list[int]:
        """The frames heard when each tap since the last call arrived."""

    def check(self) -> None:
        """Raise a :class:`ThemeError` when the input has gone away."""

    def close(self) -> None:
        """Let go of the input (a second close does nothing)."""


@dataclass
class RunResult:
    """How a run went: its ``taps`` (seconds heard, before calibration), their ``score``,
    the bars played with the sound dropped out, and how it ended: ``'played'``,
    ``'quit'``, ``'interrupted'`` or ``'stopped'`` by an input that went away (``error``
    says how)."""

    exercise: Exercise
    taps: list[Fraction]
    score: Score
    ended: str
    silent_bars: list[int] = field(default_factory=list)
    error: ThemeError | None = None
    underruns: int = 0


class TapRun:
    """One run of an exercise: play it through ``sink``, take taps from ``keys`` and
    ``inputs``, write the live line to ``out`` (in place on a terminal, a line per tap
    elsewhere, nothing for None), and score it.

    ``calibration`` (seconds) is taken from every tap; ``window`` (seconds, default half
    the shortest gap between onsets, at most 150 ms) is how far a tap may be from its onset;
    ``drop_after`` and ``tolerance_ms`` are the gap trainer's (see the module docstring).
    """

    def __init__(
        self,
        exercise: Exercise,
        *,
        sink: Sink,
        keys: KeySource | None = None,
        inputs: list[TapInput] | None = None,
        out: TextIO | None = sys.stdout,
        calibration: Fraction = Fraction(0),
        window: Fraction | None = None,
        drop_after: int | None = None,
        tolerance_ms: float = DEFAULT_TOLERANCE_MS,
    ):
        self.exercise = exercise
        self.sink = sink
        self.keys = keys or ScriptedKeys([])
        self.inputs = inputs or []
        self.out: TextIO = io.StringIO() if out is None else out
        self.calibration = calibration
        self.window = default_window(exercise.targets) if window is None else window
        self.drop_after = drop_after
        self.tolerance_ms = tolerance_ms
        self.taps: list[Fraction] = []
        self.player: Player | None = None
        self._onsets = [t.seconds for t in exercise.targets]
        self._silent: set[int] = set()
        self._heard = Fraction(0)  # seconds heard at the last look
        self._dropped = False  # the sound is off from the next barline
        self._judged = 0
        self._good_in_a_row = 0
        self._line = ""

    # -- the clock ---------------------------------------------------------------------

    def heard_frame(self) -> int:
        """The frame heard now (the player's clock), 0 before it starts."""
        return 0 if self.player is None else self.player.heard_frame()

    def tap_at(self, frame: int) -> None:
        """A tap heard at ``frame``: kept, and shown on the live line."""
        tap = Fraction(frame, self.sink.rate)
        self.taps.append(tap)
        match = match_tap(self._onsets, tap - self.calibration, self.window)
        if match.target is None:
            said = "extra tap (no onset near it)"
        else:
            target = self.exercise.targets[match.target]
            ms = match.offset_ms or 0.0
            when = (
                "on time" if round(ms) == 0 else f"{abs(ms):.0f} ms {'late' if ms > 0 else 'early'}"
            )
            said = f"bar {target.bar}, {_short(target)}: {when}"
        if self._dropped:
            said += "  (sound off: keep going)"
        self._show(said)

    def _show(self, line: str) -> None:
        if is_terminal(self.out):
            self.out.write(f"\r\x1b[2K{line}")
        else:
            self.out.write(line + "\n")
        self.out.flush()
        self._line = line

    # -- the run -----------------------------------------------------------------------

    def run(self, *, refresh_seconds: float = 0.005) -> RunResult:
        """Play the exercise to its end (or ``q``, Ctrl-C, an input gone) and score the taps
        taken so far. An audio device lost mid-run raises, as the player does.

        Raises:
            AudioDeviceError: the audio device was lost.
        """
        ended, error = "played", None
        renderer = BlockRenderer.for_timeline(self.exercise.timeline, rate=self.sink.rate)
        try:
            self.player = Player(renderer, self.sink)
            self.player.start()
            while True:
                player = self.player
                if not player.active:
                    player.check()
                    break
                frame = player.heard_frame()
                key = self.keys.poll(frame / self.sink.rate)
                if key in QUIT_KEYS:
                    ended = "quit"
                    break
                if key is not None:
                    self.tap_at(frame)
                for source in self.inputs:
                    for tapped in source.taken():
                        self.tap_at(tapped)
                    source.check()
                self._train(frame)
                self._wait(refresh_seconds)
        except KeyboardInterrupt:
            ended = "interrupted"
        except ThemeError as err:
            if isinstance(err, AudioDeviceError):
                raise
            ended, error = "stopped", err
        finally:
            for source in self.inputs:
                for tapped in source.taken():  # taps that came while it stopped
                    self.tap_at(tapped)
            if self.player is not None:
                self.player.stop()
            if self._line and is_terminal(self.out):
                self.out.write("\n")
        score = score_taps(
            self.exercise.targets, self.taps, window=self.window, calibration=self.calibration
        )
        return RunResult(
            self.exercise,
            list(self.taps),
            score,
            ended,
            self._silent_bars_heard(),
            error,
            self.player.underruns if self.player is not None else 0,
        )

    def _wait(self, seconds: float) -> None:
        """Wait for the next look (the display's refresh, not the music's clock): on a
        terminal until a key comes, so that a key is stamped as it arrives."""
        assert self.player is not None
        keys = self.keys
        if isinstance(keys, TerminalKeys) and keys.wait_for_key(seconds):
            self.player.check()
        elif seconds > 0:
            self.player.wait(seconds)

    # -- the gap trainer ---------------------------------------------------------------

    def _silent_bars_heard(self) -> list[int]:
        """The bars played with the sound off, up to the last one begun."""
        tempo = self.exercise.timeline.tempo_map
        bars = self.exercise.scored_bars
        return [
            n for n in sorted(self._silent) if tempo.seconds_at(bars[n - 1].start) < self._heard
        ]

    def _train(self, frame: int) -> None:
        """Judge each bar once its last tap can no longer come; drop the sound after
        ``drop_after`` good bars in a row, bring it back after a bar that is not good."""
        bars = len(self.exercise.scored_bars)
        heard = self._heard = Fraction(frame, self.sink.rate)
        while (
            self._judged < bars
            and heard >= self.exercise.bar_end_seconds(self._judged + 1) + self.window
        ):
            self._judged += 1
            bar = self._judged
            if self.drop_after is None:
                continue
            score = score_taps(
                self.exercise.targets, self.taps, window=self.window, calibration=self.calibration
            )
            good = score.bar_is_good(bar, tolerance_ms=self.tolerance_ms)
            self._good_in_a_row = self._good_in_a_row + 1 if good else 0
            if not self._dropped and self._good_in_a_row >= self.drop_after:
                self._change_sound(silent=True)
            elif self._dropped and not good:
                self._change_sound(silent=False)

    def _change_sound(self, *, silent: bool) -> None:
        """From the next barline not yet rendered, the sound off (or on again)."""
        assert self.player is not None
        self._dropped = silent
        ex = self.exercise
        timeline = ex.timeline
        rate = self.sink.rate

        def change(renderer: BlockRenderer) -> None:
            now = timeline.tempo_map.quarter_at(Fraction(renderer.frame, rate))
            bars = ex.scored_bars
            first = next((n for n, b in enumerate(bars, 1) if b.start >= now), None)
            if first is None:
                return
            changed = set(range(first, len(bars) + 1))
            self._silent = self._silent | changed if silent else self._silent - changed
            quiet = [bars[n - 1] for n in sorted(self._silent)]
            events = [
                dataclasses.replace(e, accent=AccentLevel.SILENT)
                if any(b.start <= e.onset < b.end for b in quiet)
                else e
                for e in timeline.events
                if e.onset >= now
            ]
            renderer.replace_events(events, timeline.tempo_map, end_quarter=timeline.length)

        self.player.with_renderer(change)


def _short(target: object) -> str:
    assert isinstance(target, Target)
    return position_label(target.meter, target.position)


def practise(
    exercise: Exercise,
    *,
    make_sink: Callable[[], Sink],
    runs: int = 1,
    step_qpm: Fraction = Fraction(4),
    tolerance_ms: float = DEFAULT_TOLERANCE_MS,
    on_run: Callable[[int, RunResult], None] | None = None,
    on_start: Callable[[TapRun], None] | None = None,
    refresh_seconds: float = 0.005,
    **options: object,
) -> list[RunResult]:
    """Play ``runs`` runs of ``exercise``, each through a new sink from ``make_sink``; after
    a clean run (every onset hit within ``tolerance_ms``, no extra tap) the next is
    ``step_qpm`` quarter notes a minute faster. Stops early when a run does not play out.
    ``options`` go to :class:`TapRun`; ``on_start(run)`` is called as each run begins (a
    MIDI input's clock follows it), ``on_run(number, result)`` after each;
    ``refresh_seconds`` is each run's look at the keys and the display
    (:meth:`TapRun.run`; 0 with a simulated sound card, whose time moves only when looked at).
    """
    results: list[RunResult] = []
    for number in range(1, runs + 1):
        run = TapRun(exercise, sink=make_sink(), tolerance_ms=tolerance_ms, **options)  # type: ignore[arg-type]
        if on_start is not None:
            on_start(run)
        result = run.run(refresh_seconds=refresh_seconds)
        results.append(result)
        if on_run is not None:
            on_run(number, result)
        if result.ended != "played":
            break
        if result.score.clean(tolerance_ms=tolerance_ms):
            exercise = exercise.at_tempo(exercise.qpm + step_qpm)
    return results


CALIBRATION_BEATS = 8
"""Clicks tapped to measure the calibration (after a count-in of four)."""
CALIBRATION_HITS = 6
"""Of those, how many must be tapped for the measure to count."""


def calibration_exercise(*, bpm: int = 100) -> Exercise:
    """Plain clicks, all alike: four to listen to, then :data:`CALIBRATION_BEATS` to tap."""
    clicks = Metronome("1/4", bpm=bpm, bars=CALIBRATION_BEATS).timeline()
    return Exercise.build(clicks.with_title("calibration"), pattern="beats", count_in=4)


def measured_calibration(result: RunResult) -> Fraction:
    """The calibration a run of :func:`calibration_exercise` measures: the median time
    from a click to its tap (seconds), taps matched within half a beat.

    Raises:
        UsageError: fewer than :data:`CALIBRATION_HITS` clicks were tapped.
    """
    targets = result.exercise.targets
    half_beat = (targets[1].seconds - targets[0].seconds) / 2
    score = score_taps(targets, result.taps, window=half_beat)
    offsets = sorted(o for o in score.hit_offsets if o is not None)
    if len(offsets) < CALIBRATION_HITS:
        raise UsageError(
            f"only {len(offsets)} of {len(targets)} clicks were tapped: tap with every click "
            f"(at least {CALIBRATION_HITS}) to calibrate"
        )
    middle = len(offsets) // 2
    if len(offsets) % 2:
        return offsets[middle]
    return (offsets[middle - 1] + offsets[middle]) / 2


NO_DEVICE = "no audio output device found"


def sound_card_sinks(
    device: str | int | None, latency: float | None, rate: int
) -> Callable[[], SoundDeviceSink]:
    """What makes a sink of the sound card ``device`` for each run, checked now: no device,
    a bad device or a bad latency (seconds) is said before anything plays.

    Raises:
        AudioDeviceError: no device (a page's Tap along needs none: said so), no such
            device, or a latency it cannot give.
    """
    try:
        resolve_device(device)
    except AudioDeviceError as err:
        if NO_DEVICE not in str(err):
            raise
        raise AudioDeviceError(
            f"{NO_DEVICE}: connect or enable one (see 'theme devices'); theme tap plays "
            "along live (a page's Tap along needs only a browser: theme export VARIANT "
            "-o page.html)"
        ) from err

    def make_sink() -> SoundDeviceSink:
        return SoundDeviceSink(rate=rate, device=device, latency=latency)

    make_sink()
    return make_sink


def tap_in_terminal(
    exercise: Exercise,
    *,
    midi_in: str | None = None,
    device: str | int | None = None,
    latency: float | None = None,
    rate: int = 48000,
    ready: Callable[[str], None] | None = None,
    **options: Any,
) -> list[RunResult]:
    """Runs of ``exercise`` (:func:`practise`, given ``options``) on the sound card, tapped
    on the terminal's keys (``q`` ends) or on the MIDI input port ``midi_in``. The port and
    the sound card are checked first; then the terminal's keys are read one by one (from
    then on, no key is lost) and ``ready(what is tapped)`` is called (``"keys"``, or the
    port's name).

    Raises:
        AudioDeviceError: no device, no such device or latency.
        MidiDeviceError: no python-rtmidi, or no such MIDI port.
    """
    with contextlib.ExitStack() as stack:
        runs: list[TapRun] = []
        inputs = []
        if midi_in is not None:  # a port that is not there is said before the sound starts

            def clock() -> int:
                return runs[-1].heard_frame() if runs else 0

            inputs.append(stack.enter_context(MidiTaps(midi_in, clock, rate=rate)))
        make_sink = sound_card_sinks(device, latency, rate)
        keys = stack.enter_context(TerminalKeys(sys.stdin))  # keys read before "ready" shows
        if ready is not None:
            ready(inputs[0].name if inputs else "keys")
        return practise(
            exercise, make_sink=make_sink, on_start=runs.append, keys=keys, inputs=inputs, **options
        )
