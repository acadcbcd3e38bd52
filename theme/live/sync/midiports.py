"""MIDI ports: listing them and opening one, through mido's rtmidi backend.

python-rtmidi (the optional extra ``sync``: ``uv sync --extra sync`` or ``pip install
'theme[sync]'``) and mido's backend are imported only when a port is listed or opened, so
``theme --help`` and the metronome start without them.

The MIDI API is the backend's default (ALSA on Linux) unless ``THEME_MIDI_API`` says
``alsa`` or ``jack``; the tests use JACK, whose dummy driver is a clock with no hardware.
A port is named as the API lists it (``theme ports``), or by a part of that name in any case;
a name that matches nothing raises :class:`MidiDeviceError` listing the ports there are.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from theme.errors import MidiDeviceError, MidiPortLostError, UsageError
from theme.live.engine.priority import raise_priority
from theme.safe_text import clip, did_you_mean

__all__ = [
    "APIS",
    "API_ENV",
    "NO_RTMIDI",
    "OUT_ENV",
    "POLL_SECONDS",
    "WATCH_SECONDS",
    "Ports",
    "StampedInput",
    "WatchedInput",
    "api_name",
    "backend",
    "close_input",
    "close_port",
    "find_port",
    "open_input",
    "open_output",
    "port_names",
]

NO_RTMIDI = (
    "no MIDI support: install python-rtmidi with 'uv sync --extra sync' "
    "(or pip install 'theme[sync]')"
)
API_ENV = "THEME_MIDI_API"
"""The environment variable that chooses the MIDI API: ``alsa`` or ``jack``."""
OUT_ENV = "THEME_MIDI_OUT"
"""The environment variable that names the default MIDI output port."""
APIS = {"alsa": "LINUX_ALSA", "jack": "UNIX_JACK"}
"""The APIs offered, by the name ``THEME_MIDI_API`` takes, to rtmidi's name for each."""


def api_name(value: str | None = None) -> str | None:
    """rtmidi's name of the API ``value`` names (default: ``THEME_MIDI_API``), or None for
    the backend's default.

    Raises:
        UsageError: a name other than alsa or jack.

    >>> api_name("JACK"), api_name("")
    ('UNIX_JACK', None)
    """
    text = (os.environ.get(API_ENV, "") if value is None else value).strip().lower()
    if not text:
        return None
    if text not in APIS:
        raise UsageError(f"invalid MIDI API {clip(text)!r} in {API_ENV}: expected alsa or jack")
    return APIS[text]


def backend() -> Any:
    """mido's rtmidi backend on the chosen API (see :func:`api_name`).

    Raises:
        MidiDeviceError: python-rtmidi is not installed, or the API is not compiled in.
        UsageError: a bad ``THEME_MIDI_API``.
    """
    api = api_name()
    try:
        import rtmidi
    except ImportError:
        raise MidiDeviceError(NO_RTMIDI) from None
    import mido

    if api is not None and getattr(rtmidi, f"API_{api}") not in rtmidi.get_compiled_api():
        raise MidiDeviceError(f"this python-rtmidi has no {api} MIDI API")
    name = "mido.backends.rtmidi" + (f"/{api}" if api else "")
    try:
        return mido.Backend(name, load=True)
    except ImportError:
        raise MidiDeviceError(NO_RTMIDI) from None


def _no_midi_system(err: BaseException) -> MidiDeviceError:
    if api_name() == "UNIX_JACK":
        return MidiDeviceError(f"no JACK server to reach ({err}): start one, or unset {API_ENV}")
    return MidiDeviceError(
        f"no MIDI system to reach ({err}): the ALSA sequencer needs /dev/snd/seq "
        f"(modprobe snd-seq); for a JACK server, set {API_ENV}=jack"
    )


@contextlib.contextmanager
def _quiet_c_stderr() -> Iterator[None]:
    """Silence what the C libraries (ALSA's, JACK's) print on standard error themselves
    while a client opens: the error that follows says it in one line."""
    try:
        saved = os.dup(2)
    except OSError:  # no standard error at all
        yield
        return
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(null)


@dataclass(frozen=True)
class Ports:
    """The MIDI ports there are now: ``inputs`` (to read from) and ``outputs`` (to send
    to), by the names the API gives them."""

    inputs: list[str]
    outputs: list[str]


def port_names() -> Ports:
    """The MIDI inputs and outputs there are now.

    Raises:
        MidiDeviceError: no python-rtmidi, or the API failed (a JACK server that is not
            running).
    """
    midi = backend()
    try:
        with _quiet_c_stderr():
            return Ports(list(midi.get_input_names()), list(midi.get_output_names()))
    except (OSError, RuntimeError, SystemError) as err:
        raise _no_midi_system(err) from err


def find_port(name: str, names: list[str], *, kind: str = "output") -> str:
    """The port of ``names`` that ``name`` names: the exact name, else the first containing
    it (any case).

    Raises:
        MidiDeviceError: none matches; the message lists the ports there are.

    >>> find_port("synth", ["Midi Through:0", "FluidSynth:midi"])
    'FluidSynth:midi'
    """
    text = name.strip()
    if name in names:
        return name
    if text:
        for candidate in names:
            if text.lower() in candidate.lower():
                return candidate
    there = ", ".join(repr(n) for n in names) if names else "none"
    raise MidiDeviceError(
        f"unknown MIDI {kind} {clip(name)!r}{did_you_mean(str(name), list(names))}: expected one "
        f"of {there} (see 'theme ports')"
    )


def open_output(name: str | None = None) -> Any:
    """Open the MIDI output ``name`` (default: ``THEME_MIDI_OUT``): a mido output port.

    Raises:
        UsageError: no port named, and no ``THEME_MIDI_OUT``.
        MidiDeviceError: no python-rtmidi, or no such port (the ports there are are listed).
    """
    if name is None:
        name = os.environ.get(OUT_ENV) or None
    if name is None:
        raise UsageError(f"no MIDI output named: give --midi-out PORT or set {OUT_ENV}")
    midi = backend()
    port = find_port(name, port_names().outputs, kind="output")
    try:
        with _quiet_c_stderr():
            return midi.open_output(port)
    except (OSError, RuntimeError, SystemError) as err:
        raise MidiDeviceError(f"the MIDI output {port!r} could not be opened: {err}") from err


def open_input(name: str, callback: Callable[[Any], None] | None = None) -> Any:
    """Open the MIDI input ``name``: a mido input port, which calls ``callback(message)``
    for each message when one is given (on rtmidi's thread).

    Raises:
        MidiDeviceError: no python-rtmidi, or no such port (the ports there are are listed).
    """
    midi = backend()
    port = find_port(name, port_names().inputs, kind="input")
    try:
        with _quiet_c_stderr():
            return midi.open_input(port, callback=callback)
    except (OSError, RuntimeError, SystemError) as err:
        raise MidiDeviceError(f"the MIDI input {port!r} could not be opened: {err}") from err


def close_port(close: Callable[[], None]) -> None:
    """Run ``close``, a port's closing (nothing it raises is passed on: a port whose
    server has gone may fail to close), unless the port is JACK's and a close is already
    waiting for a server that does not answer
    (:func:`~theme.live.engine.sinks.a_close_is_unanswered`): python-rtmidi closes holding
    Python's lock, so a close the server never answered would keep the whole program
    waiting, signals too. Such a port is left open; the server lets it go when the program
    ends."""
    sinks = sys.modules.get("theme.live.engine.sinks")  # not imported: no close waits (and
    # ``theme ports`` does not import numpy for it)
    if sinks is not None and api_name() == APIS["jack"] and sinks.a_close_is_unanswered():
        return
    with contextlib.suppress(Exception):
        close()


def _close_client(rt: Any) -> None:
    """Close a python-rtmidi port, then its client."""
    rt.close_port()
    rt.delete()


def close_input(port: Any) -> None:
    """Close a MIDI input opened with a callback, without waiting on it for good.

    python-rtmidi closes a port holding Python's lock, and with JACK closing waits for the
    client's process cycle, which may itself wait for that lock to call back into Python:
    so the callback is taken away first, and a callback already under way given a moment
    to finish (not a clock: nothing is timed by it), before the port closes."""
    rt = getattr(port, "_rt", None)
    if rt is None or port.closed:
        close_port(port.close)
        return

    def close() -> None:
        rt.cancel_callback()
        time.sleep(0.05)  # the GIL let go: a callback already waiting for it runs
        _close_client(rt)

    close_port(close)
    port.closed = True  # closed here: mido's close would give it a callback again first


WATCH_SECONDS = 0.5
"""How often a :class:`WatchedInput` looks for its port among those there are (a watchdog,
not a clock)."""


class WatchedInput:
    """The MIDI input ``name`` (a name or a part of one) opened with ``callback(message)``
    (on the MIDI library's thread), which :meth:`check` looks for every
    :data:`WATCH_SECONDS`. ``name`` is then the port's full name. A context manager;
    closing twice does nothing.

    Raises:
        MidiDeviceError: no python-rtmidi, or no such port (the ports there are are listed).
    """

    def __init__(self, name: str, callback: Callable[[Any], None]):
        self._port: Any = open_input(name, callback=callback)
        self.name: str = self._port.name
        self._looked = time.monotonic()

    def check(self) -> None:
        """Raise if the port has gone away (looked for every :data:`WATCH_SECONDS`).

        Raises:
            MidiPortLostError: the port went away (unplugged, its program or server ended).
        """
        now = time.monotonic()
        if self._port is None or now - self._looked < WATCH_SECONDS:
            return
        self._looked = now
        if not self._still_there():
            raise MidiPortLostError(f"the MIDI input {self.name!r} went away during the run")

    def _still_there(self) -> bool:
        """Whether the port is still listed, asked of the client already open: opening
        another one while the sound card's callback waits for Python would hang a JACK
        server."""
        rt = getattr(self._port, "_rt", None)
        if rt is None:
            return True
        try:
            return bool(self.name in rt.get_ports())
        except Exception:  # the API itself failed: the server is gone
            return False

    def close(self) -> None:
        """Close the port (:func:`close_input`)."""
        port, self._port = self._port, None
        if port is not None:
            close_input(port)

    def __enter__(self) -> WatchedInput:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


POLL_SECONDS = 0.005
"""How often a :class:`StampedInput` reads the messages its MIDI library has queued (a
wake-up, not a clock: each message carries the time the library stamped it with)."""
QUEUE_MESSAGES = 65536
"""The messages a :class:`StampedInput`'s MIDI library keeps until they are read: 9 minutes
of clocks at 300 BPM, 50 seconds of a flood of 1,300 messages a second, should the reader
be kept from running that long (about 2 MB, allocated when the port opens). A message
that finds the queue full is dropped (the library says so on standard error)."""


class StampedInput:
    """The MIDI input ``name`` (a name or a part of one), read with the time the MIDI
    library stamped each message with as it came in (JACK's clock in its process cycle,
    ALSA's sequencer queue): the delays of a Python thread that was not scheduled do not
    move the stamps. No Python runs on the MIDI library's thread (it only queues): a
    reader thread of its own takes the queue every :data:`POLL_SECONDS` and calls
    ``on_messages(messages, read_micros)`` with ``(bytes, stamp microseconds)`` for each
    message, in order, and the :func:`~theme.live.sync.link_time.host_micros` after the read.
    The reader asks for real-time scheduling
    (:func:`~theme.live.engine.priority.raise_priority`).

    The stamps count whole microseconds from the first message on the library's own
    clock (the sum of the deltas it gives, kept as integers). A message the library drops
    (its queue full) takes its delta with it; :class:`StampMap` heals that. Nothing is
    filtered by the library: every message is read (a filter there would drop the
    deltas of what it filters).

    The reader looks for the port every :data:`WATCH_SECONDS` (:attr:`gone`, and
    :meth:`check` raises), and calls ``on_messages([], read_micros)`` then too, so that
    its owner sees time pass without messages. A context manager; closing twice does
    nothing.

    Raises:
        MidiDeviceError: no python-rtmidi, or no such port (the ports there are are listed).
    """

    def __init__(
        self,
        name: str,
        on_messages: Callable[[list[tuple[list[int], int]], float], None],
    ):
        backend()  # the refusals: no rtmidi, a bad API
        import rtmidi

        port = find_port(name, port_names().inputs, kind="input")
        api = api_name()
        rtapi = getattr(rtmidi, f"API_{api}") if api else rtmidi.API_UNSPECIFIED
        try:
            with _quiet_c_stderr():
                rt = rtmidi.MidiIn(rtapi=rtapi, queue_size_limit=QUEUE_MESSAGES)
                rt.ignore_types(False, False, False)
                rt.open_port(rt.get_ports().index(port))
        except (OSError, RuntimeError, SystemError, ValueError) as err:
            raise MidiDeviceError(f"the MIDI input {port!r} could not be opened: {err}") from err
        self.name = port
        self.gone = False
        self._rt: Any = rt
        self._on_messages = on_messages
        self._stamp = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="midi-in", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        from theme.live.sync.link_time import host_micros

        raise_priority()  # an ordinary reader starved under load holds Python's lock
        rt, stop = self._rt, self._stop
        looked = time.monotonic()
        while not stop.wait(POLL_SECONDS):
            messages = []
            while True:
                got = rt.get_message()
                if got is None:
                    break
                data, delta = got
                self._stamp += round(delta * 1e6)
                messages.append((data, self._stamp))
            if messages:
                self._on_messages(messages, host_micros())
            if time.monotonic() - looked >= WATCH_SECONDS:
                looked = time.monotonic()
                if not self._still_there():
                    self.gone = True
                self._on_messages([], host_micros())
                if self.gone:
                    return

    def _still_there(self) -> bool:
        try:
            return bool(self.name in self._rt.get_ports())
        except Exception:  # the API itself failed: the server is gone
            return False

    def check(self) -> None:
        """Raise if the reader has seen the port go (it looks every :data:`WATCH_SECONDS`).

        Raises:
            MidiPortLostError: the port went away (unplugged, its program or server ended).
        """
        if self.gone:
            raise MidiPortLostError(f"the MIDI input {self.name!r} went away during the run")

    def close(self) -> None:
        """Stop the reader, then close the port (nothing of Python runs on the library's
        thread, so nothing waits on anything)."""
        rt, self._rt = self._rt, None
        if rt is None:
            return
        self._stop.set()
        if self._thread is not threading.current_thread():
            self._thread.join(2)
        close_port(functools.partial(_close_client, rt))

    def __enter__(self) -> StampedInput:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
