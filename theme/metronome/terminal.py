"""The live metronome: a player, a display and keys, driven by the stream's clock.

Keys come through a seam, :class:`theme.terminal.KeySource`: a terminal's keys in cbreak
mode (:class:`~theme.terminal.TerminalKeys`), or a script in tests.

=====  ==================================================
key    what it does
=====  ==================================================
``+``  4 BPM faster, in the unit the tempo is shown in (``=`` too)
``-``  4 BPM slower (both stay within the tempo range)
space  pause; again to go on (at the tempo of the moment)
``t``  tap the tempo: two taps or more set it
``q``  quit
=====  ==================================================
"""

from __future__ import annotations

import io
import itertools
import math
import signal
import sys
import time
from collections.abc import Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, TextIO

from theme.core.tempo import Tempo, TempoMap, clamp_qpm
from theme.errors import AudioDeviceError, UsageError
from theme.live.engine.companions import Companion, Transport
from theme.live.engine.playback import FOLLOW_RING_BLOCKS, RING_BLOCKS, Player
from theme.live.engine.priority import ORDINARY, raised_priority
from theme.live.engine.sinks import ClockedSink, Sink, SoundDeviceSink, resolve_device
from theme.live.sync.follow import LEAD_IN_SECONDS, SyncCompanion
from theme.live.sync.jack_transport import metronome_transport, metronome_transport_follow
from theme.live.sync.link import metronome_link
from theme.live.sync.midi_clock_in import MAX_DELAY_MS, MidiClockSession, metronome_clock_in
from theme.live.sync.midi_out import ClickNotes, MidiOut
from theme.metronome.clicks import COUNT, MAIN, SECOND
from theme.metronome.display import Frame, can_draw
from theme.safe_text import clip
from theme.terminal import KeySource, ScriptedKeys, TerminalKeys, is_terminal

if TYPE_CHECKING:
    from theme.live.sync.follow import Nudge
    from theme.metronome import Metronome
    from theme.renderers.audio import BlockRenderer

__all__ = [
    "LiveMetronome",
    "LiveTempo",
    "click_notes",
    "clock_in_delay_ms",
    "run_live",
    "sync_follower",
]

TEMPO_STEP = Fraction(4)
"""BPM a ``+`` or ``-`` moves, in the unit the tempo is shown in."""
TAP_SECONDS = 2.0
"""Taps further apart than this (seconds) start a new count."""
LOG_STATUS_SECONDS = 1.0
"""Where the display is not a terminal (a pipe, a log file), a line whose only change is the
followed session's status is written at most this often (seconds): a master's tempo, read
to the hundredth, wobbles with its clock, and a line for each wobble was twenty a second
while the metronome waited for the master's Start. Every other change is written at once."""

RESUME_MARGIN_SECONDS = 0.2
"""Going on with a session that says where it will be: its position this long after the
lead-in's least silence and the sound's latency (seconds), so the lead-in ends on it."""


class LiveTempo:
    """The tempo of a live metronome: its own tempo map (quarter notes from the start),
    which begins as the metronome's and which the keys change, always within the one tempo
    range (:func:`theme.core.tempo.clamp_qpm`). The metronome itself never changes.

    >>> live = LiveTempo(TempoMap.constant(120), unit=Fraction(1, 2))
    >>> [str(s.qpm) for s in live.changed(Fraction(8), live.stepped(Fraction(8), 1)).segments]
    ['120', '122']
    >>> str(live.now(Fraction(9)))
    'e=244'
    """

    def __init__(self, tempo_map: TempoMap, *, unit: Fraction = Fraction(1)):
        self.tempo_map = tempo_map
        self.unit = unit
        """The note the tempo is shown in and stepped by, in quarter notes."""
        self.changes: list[tuple[Fraction, Fraction]] = []
        """``(position in quarter notes, new quarter notes a minute)`` for each change."""

    def qpm_at(self, quarter: Fraction) -> Fraction:
        """Quarter notes a minute at ``quarter``."""
        return self.tempo_map.qpm_at(quarter)

    def now(self, quarter: Fraction) -> Tempo:
        """The tempo at ``quarter``, in the unit shown."""
        return Tempo(self.qpm_at(quarter) / self.unit, self.unit)

    def stepped(self, quarter: Fraction, direction: int) -> Fraction:
        """The tempo a ``+`` (``direction`` 1) or ``-`` (-1) at ``quarter`` asks for:
        :data:`TEMPO_STEP` BPM of the unit shown (e=200 goes to e=204), in quarter notes a
        minute, kept within the tempo range."""
        return clamp_qpm(self.qpm_at(quarter) + direction * TEMPO_STEP * self.unit)

    @staticmethod
    def tapped(taps: list[float], pulse_quarters: Fraction) -> Fraction | None:
        """The tempo (quarter notes a minute, within the tempo range) of taps at ``taps``
        seconds, one a pulse of ``pulse_quarters``; None for fewer than two taps."""
        if len(taps) < 2:
            return None
        gaps = [b - a for a, b in itertools.pairwise(taps)]
        beat_seconds = sum(gaps) / len(gaps)
        beats = Fraction(60 / beat_seconds).limit_denominator(100)
        return clamp_qpm(beats * pulse_quarters)

    def changed(self, at: Fraction, qpm: Fraction) -> TempoMap:
        """The map with ``qpm`` (kept within the tempo range) from ``at`` on; it becomes
        this tempo's map and the change is kept in :attr:`changes`."""
        qpm = clamp_qpm(qpm)
        self.tempo_map = self.tempo_map.then(at, Tempo(qpm))
        self.changes.append((at, qpm))
        return self.tempo_map


class LiveMetronome:
    """Plays a metronome, draws its frame in step with what is heard, and obeys keys.

    ``sink`` defaults to the sound card (``device`` and ``latency`` are checked at once);
    ``out`` receives the frames (a terminal gets the frame redrawn in place, anything else one
    line per beat, nothing when it is None; ASCII stand-ins for the glyphs where it cannot
    encode them) and a last line with the underruns. ``display_delay`` (seconds) draws each
    beat that long after it is heard (negative: before), for a projector's or a Bluetooth
    speaker's lag; the keys still act on what is heard. ``companions`` follow the clock of
    every player (:mod:`theme.live.engine.companions`): told START, then PAUSE and CONTINUE at each
    pause, and STOP; they are closed when the run ends.

    Raises:
        AudioDeviceError: (from :meth:`run`) no device, or the device lost while playing.
    """

    def __init__(
        self,
        metronome: Metronome,
        *,
        sink: Sink | None = None,
        keys: KeySource | None = None,
        out: TextIO | None = sys.stdout,
        device: str | int | None = None,
        latency: float | None = None,
        rate: int = 48000,
        display_delay: float = 0.0,
        companions: Sequence[Companion] = (),
        link: SyncCompanion | None = None,
    ):
        self.metronome = metronome
        self.link = link
        self.companions = (*companions, link) if link is not None else tuple(companions)
        if link is not None:
            link.retempo = self._retempo
        self.display_delay = display_delay
        if sink is None:  # made now, so that a bad device or latency fails before playing
            sink = SoundDeviceSink(rate=rate, device=device, latency=latency)
        self.sink = sink
        self.keys = keys or ScriptedKeys([])
        self.out: TextIO = io.StringIO() if out is None else out  # closed stdout: nowhere
        self.rate = rate
        self.tempo = LiveTempo(metronome.tempo_map, unit=metronome.tempo.unit)
        """The tempo the keys change (the metronome's map to begin with)."""
        self.frame = Frame(metronome, ascii=not can_draw(self.out), tempo_now=self.tempo.now)
        self.underruns = 0
        """Underruns of every player so far (a pause starts a new one)."""
        self.scheduling = ORDINARY
        """How the thread that runs :meth:`run` was scheduled while it played."""
        self._played_out = False
        self.offset = Fraction(0)  # quarter notes played before the current player began
        self.paused = False
        self.taps: list[float] = []
        self.player: Player | None = None
        self._locates = 0 if link is None else getattr(link.session, "locates", 0)

    @property
    def tempo_changes(self) -> list[tuple[Fraction, Fraction]]:
        """``(position in quarter notes, new quarter notes a minute)`` for each key change."""
        return self.tempo.changes

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

    def _start_player(self, from_quarter: Fraction, *, resumed: bool = False) -> None:
        # going on from a pause: the music restarts at 0 seconds, its ramps still ahead
        tempo_map = self.tempo.tempo_map
        if self.link is not None:  # a silent lead-in to the session's phase, at its tempo
            from_quarter, qpm = self.link.prepare(
                from_quarter, rate=self.rate, latency_seconds=self.sink.latency_seconds
            )
            tempo_map = TempoMap.constant(qpm)
            if self.tempo.qpm_at(self.link.silent_until) != qpm:
                self.tempo.changed(max(Fraction(0), self.link.silent_until), qpm)
        renderer = self.metronome.renderer(
            rate=self.rate, from_quarter=from_quarter, tempo_map=tempo_map
        )
        self._player_map = renderer.tempo_map
        self.offset = from_quarter
        # set first: whatever happens, it is stopped
        self.player = Player(
            renderer,
            self.sink,
            companions=self.companions,
            origin=from_quarter,
            resumed=resumed,
            ring_blocks=RING_BLOCKS if self.link is None else FOLLOW_RING_BLOCKS,
        )
        self.player.start()

    # -- keys --------------------------------------------------------------------------

    def set_tempo(self, qpm: Fraction) -> None:
        """From the next block on, play at ``qpm`` quarter notes a minute, kept within the
        tempo range (:func:`theme.core.tempo.clamp_qpm`)."""
        qpm = clamp_qpm(qpm)
        player = self.player
        if player is None or self.paused:
            return
        if self.link is not None:  # the session's tempo: the next block follows it
            self.link.session.set_tempo(qpm)
            return

        def change(renderer: BlockRenderer) -> None:
            frame = renderer.frame
            at = self._player_map.quarter_at(Fraction(frame, self.rate))
            self._player_map = self._player_map.then(at, Tempo(qpm))
            absolute = self.offset + at
            self.tempo.changed(absolute, qpm)
            events = self.metronome.events_after(absolute, origin=self.offset)
            end = self.metronome.end_quarter
            renderer.replace_events(
                events,
                self._player_map,
                from_frame=frame,
                end_quarter=None if end is None else end - self.offset,
            )

        player.with_renderer(change)

    def _retempo(self, nudge: Nudge) -> None:
        """Apply a change the Link session asks for, from the renderer's next block (called
        by the session's companion on the producer thread, between two blocks)."""
        assert self.player is not None
        renderer = self.player.renderer
        player_map = self._player_map
        for at, qpm in nudge.changes:
            player_map = player_map.then(at - self.offset, Tempo(qpm))
        self._player_map = player_map
        at, qpm = nudge.changes[0][0], nudge.changes[-1][1]
        if self.tempo.qpm_at(at) != qpm:
            self.tempo.changed(max(Fraction(0), at), qpm)
        end = self.metronome.end_quarter
        renderer.replace_events(
            self.metronome.events_after(at, origin=self.offset),
            player_map,
            from_frame=renderer.frame,
            end_quarter=None if end is None else end - self.offset,
        )

    def follow_session(self) -> None:
        """Start and stop with the Link session: a pause when it stops, going on when it
        starts again. A session that says where it is (a JACK transport: ``resume_at``) is
        gone on with from there, and one that jumps while playing (``locates``) is followed
        to where it jumped."""
        if self.link is None:
            return
        session = self.link.session
        playing = session.state.playing
        locates = getattr(session, "locates", 0)
        if playing and not self.paused and locates != self._locates:
            self.handle(" ", time.monotonic())  # a pause, and on at once from where it is
        self._locates = locates
        if playing == self.paused:
            resume = self._resume_position()
            if resume is not None and self.paused:
                self.offset = resume
            self.handle(" ", time.monotonic())

    def _resume_position(self) -> Fraction | None:
        """Where to go on from, for a session that says where it will be (quarter notes
        from the metronome's start): its position once the lead-in is over, or None."""
        if self.link is None:
            return None
        session = self.link.session
        resume_at = getattr(session, "resume_at", None)
        if resume_at is None or not session.state.playing:
            return None
        ahead = float(LEAD_IN_SECONDS) + self.sink.latency_seconds + RESUME_MARGIN_SECONDS
        position: Fraction = self.metronome.start + resume_at(ahead)
        return position

    def handle(self, key: str, now: float) -> bool:
        """Obey one key; False to quit."""
        if key == "q":
            return False
        if key in "+=":
            self.set_tempo(self.tempo.stepped(self.heard_quarter(), 1))
        elif key == "-":
            self.set_tempo(self.tempo.stepped(self.heard_quarter(), -1))
        elif key == " ":
            if self.paused:
                self.paused = False
                self._start_player(self.offset, resumed=True)
            else:
                self.paused = True
                assert self.player is not None
                frame = self.player.heard_frame()  # one look: the pause and the companions'
                at = self.offset + self._player_map.quarter_at(Fraction(frame, self.rate))
                if self.link is not None:  # paused in the lead-in: go on where it would begin
                    at = max(at, self.link.silent_until)
                self.player.stop(transport=Transport.PAUSE, frame=frame)
                self.underruns += self.player.underruns
                self.player = None
                self.offset = at
        elif key == "t":
            self.taps = [t for t in self.taps if now - t < TAP_SECONDS] + [now]
            tapped = self.tempo.tapped(self.taps, self.metronome.meter.pulse_quarters)
            if tapped is not None:
                self.set_tempo(tapped)
        return True

    # -- the loop ----------------------------------------------------------------------

    def run(self, *, refresh_seconds: float = 0.01) -> int:
        """Play until the bars are done or ``q``; return an exit code (130 on Ctrl-C). The
        player stops and the last line is written whatever the way out (an exception, or
        SystemExit from a SIGTERM handler, passes on after it).

        This thread's priority is raised while it plays (real time where the system allows:
        :func:`~theme.live.engine.priority.raised_priority`): the display holds Python's lock
        while it draws, and the producer that renders ahead waits for it; on a loaded machine
        an ordinary thread holding it can wait for a core for hundreds of milliseconds.

        Raises:
            AudioDeviceError: the device was lost while playing.
        """
        with raised_priority() as self.scheduling:
            return self._run(refresh_seconds)

    def _run(self, refresh_seconds: float) -> int:
        tty = is_terminal(self.out)
        drawn: list[str] = []
        written = -math.inf  # when a line was last written (time.monotonic())
        heard = 0.0
        code = 0
        self._played_out = False
        try:
            # inside: a Ctrl-C just after it opened stops it
            self._start_player(self._resume_position() or Fraction(0))
            while True:
                player = self.player
                if player is not None and not player.active:
                    player.check()  # ended by a lost device, not by the last bar
                    self._played_out = True
                    break
                if player is not None:  # while paused, the time heard stands still
                    heard = player.heard_seconds()
                key = self.keys.poll(heard)
                if key is not None and not self.handle(key, time.monotonic()):
                    break
                self.follow_session()
                shown = self.shown_quarter()
                lines = self.frame.lines(shown, paused=self.paused, big=tty)
                if self.link is not None:  # the silent lead-in shows the header only
                    if shown < self.link.silent_until:
                        lines = lines[:1]
                    lines.append(self.link.status(shown))
                if lines != drawn:
                    now = time.monotonic()
                    status_only = self.link is not None and lines[:-1] == drawn[:-1]
                    if tty or not status_only or now - written >= LOG_STATUS_SECONDS:
                        self._draw(lines, drawn, tty)
                        drawn, written = lines, now
                if player is not None:
                    player.wait(refresh_seconds)  # the picture's refresh, not the music's clock
                else:
                    time.sleep(refresh_seconds)
        except KeyboardInterrupt as exc:  # Ctrl-C; SIGTERM too, where it raises one (143)
            code = getattr(exc, "exit_code", 130)
        finally:
            self._finish()
        return code

    def _draw(self, lines: list[str], before: list[str], tty: bool) -> None:
        if tty:
            if before:
                self.out.write(f"\x1b[{len(before)}F")
            self.out.write("".join(f"\x1b[2K{line}\n" for line in lines))
        else:
            self.out.write(" | ".join(lines) + "\n")
        self.out.flush()

    def _finish(self) -> None:
        """Stop the player and say how it went: bars heard and underruns, as theme play."""
        m = self.metronome
        try:
            at = self.heard_quarter()
        except AudioDeviceError:  # a lost device's clock: where the last pause left off
            at = self.offset
        if self.link is not None:  # the lead-in is silence before where it begins
            at = max(at, self.link.silent_until)
        if self.player is not None:
            self.player.stop()
            self.underruns += self.player.underruns
        for companion in reversed(self.companions):  # the last opened first
            companion.close()
        if self._played_out:
            said = f"played {m.bars} bars"
        elif at < m.start:
            said = "stopped in the count-in"
        else:
            said = f"stopped in bar {int((at - m.start) // m.bar_quarters) + 1}"
        self.out.write(f"{said}; underruns: {self.underruns}\n")
        self.out.flush()


# -- the app: what ``theme metronome`` plays live ----------------------------------------


def click_notes(channel: str | None, notes: str | None, *, midi_out: bool) -> ClickNotes | None:
    """The ``--click-channel`` (``channel``: 1 to 16) and ``--click-notes`` (``notes``:
    three note numbers, ``"76,76,77"``) as a :class:`~theme.live.sync.midi_out.ClickNotes`
    (None when neither is given); ``midi_out``: the clicks go to a MIDI port.

    Raises:
        UsageError: a channel not 1 to 16, notes not three numbers of 0 to 127, or either
            without --midi-out.
    """
    if channel is None and notes is None:
        return None
    for given, name in ((channel, "--click-channel"), (notes, "--click-notes")):
        if given is not None and not midi_out:
            raise UsageError(f"{name} is for the clicks sent to a MIDI port: give --midi-out")
    channel_number = None
    if channel is not None:
        text = channel.strip()
        if not text.isdigit() or not 1 <= int(text) <= 16:
            raise UsageError(
                f"invalid --click-channel {clip(channel)!r}: expected a MIDI channel from 1 to 16"
            )
        channel_number = int(text) - 1
    numbers = None
    if notes is not None:
        parts = [part.strip() for part in notes.split(",")]
        if len(parts) != 3 or not all(p.isdigit() and int(p) <= 127 for p in parts):
            raise UsageError(
                f"invalid --click-notes {clip(notes)!r}: expected three note "
                "numbers from 0 to 127, the downbeat's, a group's first and the others' "
                "(e.g. 36,38,42)"
            )
        numbers = (int(parts[0]), int(parts[1]), int(parts[2]))
    return ClickNotes(
        channel=channel_number,
        notes=numbers,
        channel_layers=frozenset({MAIN.name, COUNT.name, SECOND.name}),
        note_layers=frozenset({MAIN.name, COUNT.name}),
    )


def clock_in_delay_ms(text: str | None) -> float:
    """The ``--clock-in-delay`` in milliseconds (0 when not given).

    Raises:
        UsageError: not a number from -500 to 500.

    >>> clock_in_delay_ms("12.5"), clock_in_delay_ms(None)
    (12.5, 0.0)
    """
    if text is None:
        return 0.0
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or abs(value) > MAX_DELAY_MS:
        raise UsageError(
            f"invalid --clock-in-delay {clip(text)!r}: expected milliseconds from "
            f"-{MAX_DELAY_MS} to {MAX_DELAY_MS}"
        )
    return value


def sync_follower(
    metronome: Metronome,
    *,
    link: bool = False,
    link_start_stop: bool = True,
    clock_in: str | None = None,
    clock_in_delay: str | None = None,
    jack_transport: str | None = None,
    audio: bool = True,
    device: str | int | None = None,
) -> SyncCompanion | None:
    """The session the live metronome follows, made but not joined: a Link session
    (``link``; ``link_start_stop`` False shares the tempo and the phase only), the MIDI clock
    coming in at the port ``clock_in`` (``clock_in_delay``: milliseconds, as text), or JACK's
    transport (``jack_transport="follow"``); None for none. With a session and ``audio``,
    the sound card ``device`` is looked for now, before anything opens.

    Raises:
        UsageError: two of them given, or an option for one that is not; a ramp or an
            accelerando with a session.
        LinkError: ``link`` and aalink is not installed.
        AudioDeviceError: no such sound card.
    """
    if jack_transport == "follow" and (link or clock_in is not None):
        raise UsageError(
            "--jack-transport follow takes the transport's tempo: leave out --link and --clock-in"
        )
    if jack_transport == "lead" and (link or clock_in is not None):
        raise UsageError(
            "--jack-transport lead follows the metronome's own tempo: leave out --link and "
            "--clock-in"
        )
    if link and clock_in is not None:
        raise UsageError("--link and --clock-in both set the tempo: give one of them")
    follow = None
    if link:  # aalink is imported only when the session starts, checked here
        # refuses a ramp, or no aalink; joins nothing yet
        follow = metronome_link(metronome, start_stop=link_start_stop)
    elif clock_in is not None:
        delay = clock_in_delay_ms(clock_in_delay)
        # refuses a ramp; opens nothing
        follow = metronome_clock_in(metronome, clock_in, delay_ms=delay)
    elif jack_transport == "follow":
        follow = metronome_transport_follow(metronome)  # refuses a ramp; opens nothing
    elif clock_in_delay is not None:
        raise UsageError("--clock-in-delay is for a clock coming in: give --clock-in PORT")
    if not link_start_stop and not link:
        raise UsageError("--no-link-start-stop is for a Link session: give --link")
    if follow is not None and audio:  # no sound card: said before anything opens
        resolve_device(device)
    return follow


def run_live(
    metronome: Metronome,
    follow: SyncCompanion | None = None,
    *,
    device: str | int | None = None,
    latency: float | None = None,
    rate: int = 48000,
    display_delay: float = 0.0,
    jack_lead: bool = False,
    midi_port: str | None = None,
    midi_notes: bool = False,
    midi_clock: bool = False,
    clicks: ClickNotes | None = None,
    audio: bool = True,
) -> int:
    """Play ``metronome`` live in the terminal until its bars are done, ``q``, Ctrl-C or
    SIGTERM, with the keys of standard input and the frame drawn on standard output; return
    the exit code. ``follow`` (from :func:`sync_follower`) is the session it follows;
    ``jack_lead`` makes it JACK's transport; ``midi_notes`` and ``midi_clock`` send the
    clicks (as ``clicks`` says) and MIDI clock to ``midi_port``; ``audio=False`` plays on a
    clocked sink, no sound card. What was opened is closed whatever the way out.

    Raises:
        AudioDeviceError: no such device or latency, or the device lost while playing.
        MidiDeviceError: no such MIDI port.
        DeviceError: ``jack_lead`` and no JACK server.
    """
    companions: list[Companion] = []
    sink = None
    try:
        if jack_lead:
            companions.append(metronome_transport(metronome))
        if midi_notes or midi_clock:  # the ports before the sound card
            companions.append(
                MidiOut.open(midi_port, notes=midi_notes, clock=midi_clock, clicks=clicks)
            )
        if follow is not None and isinstance(follow.session, MidiClockSession):
            follow.session.start()  # the input last: JACK's clients are not opened while
            # its messages call Python back
        if not audio:
            sink = ClockedSink(rate=rate)
        # the device and the latency are checked here, before the terminal is touched
        live = LiveMetronome(
            metronome,
            device=device,
            latency=latency,
            rate=rate,
            out=sys.stdout,
            display_delay=display_delay,
            sink=sink,
            companions=companions,
            link=follow,
        )
        if follow is not None and not follow.session.started:
            follow.session.start()
    except BaseException:
        for companion in (follow, *reversed(companions)):  # the last opened first
            if companion is not None:
                companion.close()
        raise

    def terminated(signum: int, frame: object) -> None:
        raise SystemExit(143)  # unwinds through the finally blocks: the terminal is restored

    previous = signal.signal(signal.SIGTERM, terminated)
    try:
        with TerminalKeys(sys.stdin) as keys:
            live.keys = keys
            return live.run()
    finally:
        signal.signal(signal.SIGTERM, previous)
