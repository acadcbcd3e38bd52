"""A Link session on a thread of its own: aalink runs there, with its own asyncio loop; the
audio side reads :attr:`LinkSession.state`, a frozen snapshot (:class:`LinkState`), and
never calls aalink. aalink is imported only when a session starts (:func:`require_aalink`).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import threading
import time
from fractions import Fraction
from typing import Any

from theme.errors import DeviceError
from theme.live.sync.link_time import LinkState, host_micros

__all__ = [
    "DISCOVERY_SECONDS",
    "FIND_SECONDS",
    "NO_AALINK",
    "REFRESH_SECONDS",
    "LinkError",
    "LinkSession",
    "require_aalink",
]

NO_AALINK = "Ableton Link needs the optional package aalink: uv sync --extra sync"
FIND_SECONDS = 1.0
"""How long a session that starts looks for other programs before it goes on alone
(seconds)."""
DISCOVERY_SECONDS = 1.5
"""How long, at most, it then waits for the sessions to become one (seconds): the session
found is joined before anything is played."""
SETTLED_SECONDS = 0.4
"""A session found is taken as joined once it has not changed for this long (seconds): joining takes a
few measurements of the other's clock."""
REFRESH_SECONDS = 0.05
"""How often the session thread reads the session again (seconds): Link's clock estimate
moves a little; the tempo, peers and start/stop also come through Link's callbacks."""
_MICROSECOND = datetime.timedelta(microseconds=1)


class LinkError(DeviceError):
    """Link is not available (aalink is not installed) or its session failed to start."""


def require_aalink() -> None:
    """Check that aalink can be imported (imported here, and only here, before a session).

    Raises:
        LinkError: aalink is not installed.
    """
    try:
        import aalink  # noqa: F401
    except ImportError as err:
        raise LinkError(NO_AALINK) from err


# -- the session -----------------------------------------------------------------------------


class LinkSession:
    """A peer of the Link session on the network, run by aalink on a thread of its own with
    its own asyncio loop. ``bpm`` (quarter notes a minute) is the tempo if no other program
    is there; one that is gives its own (Link's rule: who joins takes the session's tempo).
    ``quantum`` is in quarter notes (:func:`link_quantum`). Start and stop are shared with
    the programs that share them (Link's start/stop sync) unless ``start_stop`` is False:
    then only the tempo and the phase are shared, and our start and stop are our own.

    :attr:`state` is the latest :class:`LinkState`, replaced whole (never changed in place):
    what the audio side reads. The session re-reads Link on each of its callbacks (tempo,
    peers, start/stop), after each change of ours, and every :data:`REFRESH_SECONDS`.
    No other program in the session is not an error: the session is then ours alone.
    A context manager; :meth:`close` twice does nothing.

    Raises:
        LinkError: (from :meth:`start`) aalink is not installed, or Link did not start.
    """

    def __init__(self, bpm: Fraction | float, *, quantum: Fraction, start_stop: bool = True):
        self.bpm = float(bpm)
        self.quantum = quantum
        self.start_stop = start_stop
        self.state = LinkState(micros=host_micros(), beat=0.0, bpm=self.bpm)
        self.tempo_changes = 0
        """Tempo changes seen from the session (ours and the other programs')."""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._link: Any = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._found = threading.Event()  # another program is in the session
        self._failed: BaseException | None = None
        self._closed = False

    @property
    def started(self) -> bool:
        """Whether :meth:`start` has run."""
        return self._thread is not None

    def start(self) -> LinkSession:
        """Join (or open) the session; returns once Link runs.

        Raises:
            LinkError: aalink is not installed, or Link did not start.
        """
        require_aalink()
        self._thread = threading.Thread(target=self._run, name="link-session", daemon=True)
        self._thread.start()
        self._ready.wait(10)
        if self._failed is not None:
            raise LinkError(f"Ableton Link did not start: {self._failed}") from self._failed
        if not self._ready.is_set():
            raise LinkError("Ableton Link did not start within 10 seconds")
        if self._found.wait(FIND_SECONDS):
            self._settle()
        return self

    def _settle(self) -> None:
        """Once another program is found, wait for the sessions to become one (the time line
        jumps, or the tempo changes, when ours takes another's; with several programs it may
        take more than one step): until the session has not changed for
        :data:`SETTLED_SECONDS`, at most :data:`DISCOVERY_SECONDS` more."""
        last, changes = self.state, self.tempo_changes
        deadline = time.monotonic() + DISCOVERY_SECONDS
        quiet_since = time.monotonic()
        look = threading.Event()
        while time.monotonic() < deadline and time.monotonic() - quiet_since < SETTLED_SECONDS:
            look.wait(0.005)
            state = self.state
            jumped = abs(state.beat - last.beat_at(state.micros)) > 1e-3
            if jumped or self.tempo_changes != changes or state.bpm != last.bpm:
                quiet_since = time.monotonic()
            last, changes = state, self.tempo_changes

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._main())
        except BaseException as err:  # reported to the starting thread, not lost
            self._failed = err
            self._ready.set()
        finally:
            loop.close()

    async def _main(self) -> None:
        import warnings

        from aalink import Link

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # the loop argument, in 0.2
            link = Link(self.bpm, asyncio.get_running_loop())
        self._link = link
        link.quantum = float(self.quantum)
        link.start_stop_sync_enabled = self.start_stop
        link.set_tempo_callback(self._on_tempo)
        link.set_num_peers_callback(lambda peers: self.refresh())
        link.set_start_stop_callback(lambda playing: self.refresh())
        link.enabled = True
        self.refresh()
        self._stop = asyncio.Event()
        self._ready.set()
        while not self._stop.is_set():
            try:  # a poll of the session: the music's clock is the sound card's
                await asyncio.wait_for(self._stop.wait(), REFRESH_SECONDS)
            except asyncio.TimeoutError:
                self.refresh()
        link.enabled = False

    def _on_tempo(self, bpm: float) -> None:
        self.tempo_changes += 1
        self.refresh()

    def refresh(self) -> None:
        """Read the session again (on the session's thread)."""
        link = self._link
        before = host_micros()
        micros = link.time / _MICROSECOND
        beat = link.beat
        after = host_micros()
        if after - before > 500:  # preempted between the readings: keep the last state
            return
        self.state = LinkState(
            micros=micros,
            beat=beat,
            bpm=link.tempo,
            peers=link.num_peers,
            playing=link.playing,
            offset=micros - (before + after) / 2,
        )
        if self.state.peers:
            self._found.set()

    def _call(self, change: Any) -> None:
        """Run ``change(link)`` on the session's thread, then read the session again, and
        wait for it (a change from the main thread, never from the audio side)."""
        loop = self._loop
        if loop is None or self._closed:
            return
        done = threading.Event()

        def run() -> None:
            try:
                change(self._link)
                self.refresh()
            finally:
                done.set()

        loop.call_soon_threadsafe(run)
        done.wait(2)

    def set_tempo(self, qpm: Fraction) -> None:
        """Change the session's tempo (quarter notes a minute): every program follows."""
        self._call(lambda link: setattr(link, "tempo", float(qpm)))

    def set_playing(self, playing: bool) -> None:
        """Start or stop the session (the programs that share start and stop follow)."""
        self._call(lambda link: setattr(link, "playing", playing))

    def request_beat(self, beat: float) -> None:
        """Ask for ``beat`` now: alone in the session this moves its phase at once; with
        other programs Link keeps theirs (and so ours follows theirs)."""
        self._call(lambda link: link.request_beat(beat))

    def describe(self, *, waiting: bool = False) -> str:
        """One line for the display: the other programs and the quantum; ``waiting``: the
        player's silent lead-in waits for the session's phase."""
        peers = self.state.peers
        who = "no other program" if peers == 0 else f"{peers} other program" + "s" * (peers > 1)
        line = f"Link: {who}, quantum {self.quantum}"
        return line + "  (waiting for the session's beat)" if waiting else line

    def check(self) -> None:
        """A session has no device to lose (no other program is not an error)."""

    def close(self) -> None:
        """Leave the session (a second close does nothing)."""
        if self._closed:
            return
        self._closed = True
        loop, stop = self._loop, getattr(self, "_stop", None)
        if loop is not None and stop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop has already ended
                loop.call_soon_threadsafe(stop.set)
        if self._thread is not None:
            self._thread.join(5)

    def __enter__(self) -> LinkSession:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()
