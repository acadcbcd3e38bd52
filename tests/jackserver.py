"""A JACK server of a test's own on the dummy driver: a clocked sound card and MIDI bus with
no hardware (48 kHz). Each test module names its own server, so no two share one."""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import subprocess
import tempfile
import threading
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

__all__ = [
    "XrunCount",
    "jack_missing",
    "jack_ports",
    "real_time_allowed",
    "server_words",
    "start_jack_server",
    "stop_jack_server",
    "transport_server",
]


def jack_missing(
    programs: tuple[str, ...] = ("jackd", "jack_lsp"),
    *,
    midi: bool = False,
    portaudio: bool = False,
) -> str | None:
    """Why a JACK test cannot run here (None: it can): one of ``programs`` is not
    installed; with ``midi``, python-rtmidi or its JACK API is missing; with ``portaudio``,
    PortAudio (the sound card's library) is."""
    for program in programs:
        if not shutil.which(program):
            package = "jackd2 jack-capture" if program == "jack_capture" else "jackd2"
            return f"{program} is not installed (apt-get install {package})"
    if midi:
        try:
            import rtmidi
        except ImportError:
            return "python-rtmidi is not installed (uv sync --extra sync)"
        if rtmidi.API_UNIX_JACK not in rtmidi.get_compiled_api():
            return "python-rtmidi has no JACK API"
    if portaudio:
        try:
            import sounddevice  # noqa: F401
        except OSError:
            return "PortAudio is not installed (apt-get install libportaudio2)"
    return None


@functools.cache
def real_time_allowed() -> bool:
    """Whether this machine lets a thread be scheduled in real time (``SCHED_FIFO``): asked
    on a thread of its own that ends at once. Where it does, the tests' JACK servers run in
    real time, as a studio runs its server (``jackd -R``): beside two CPU-burning processes
    a server without it misses its cycles for seconds, its clients' MIDI dropped and its
    sound card taken for lost. The player's threads stay ordinary all the same (conftest
    sets ``THEME_NO_REALTIME``). ``THEME_TEST_JACK_NO_REALTIME=1`` in the environment runs
    them without it, as a machine that refuses it would."""
    if os.environ.get("THEME_TEST_JACK_NO_REALTIME") == "1":
        return False
    fifo = getattr(os, "SCHED_FIFO", None)
    if fifo is None or not hasattr(os, "sched_setscheduler"):
        return False
    allowed: list[bool] = []

    def ask() -> None:
        try:
            os.sched_setscheduler(0, fifo, os.sched_param(os.sched_get_priority_min(fifo)))
        except OSError:
            allowed.append(False)
        else:
            allowed.append(True)

    thread = threading.Thread(target=ask, name="real-time probe")
    thread.start()
    thread.join()
    return allowed == [True]


def start_jack_server(
    env: dict[str, str], *, period: int = 1024, client_timeout_ms: int | None = None
) -> subprocess.Popen[bytes]:
    """Start ``jackd -d dummy -r 48000 -p PERIOD`` under the name in ``env``'s
    ``JACK_DEFAULT_SERVER``, in real time where the machine allows it
    (:func:`real_time_allowed`; ``--no-realtime`` elsewhere), and wait
    (:data:`START_SECONDS` at most) until ``jack_lsp`` reaches it; skip the test, saying
    what jackd said, if it does not start.

    A 1024-frame period (21 ms) is the default: on a shared machine without real-time
    scheduling a 256-frame period (5 ms) is sometimes missed by the scheduler, not by the
    program under test. ``client_timeout_ms`` (``-t``) keeps clients slow to answer on a busy
    machine from being dropped at once."""
    name = env["JACK_DEFAULT_SERVER"]
    timeout = ["-t", str(client_timeout_ms)] if client_timeout_ms else []
    dummy = ["-d", "dummy", "-r", "48000", "-p", str(period)]
    scheduling = "--realtime" if real_time_allowed() else "--no-realtime"
    handle, kept = tempfile.mkstemp(prefix=f"{name}-", suffix=".log")
    with open(handle, "wb") as said:  # what it says: why it did not start, or why a test failed
        server = subprocess.Popen(
            ["jackd", *timeout, scheduling, "-n", name, *dummy],
            env=env,
            stdout=said,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + START_SECONDS
    while not jack_ports(env):
        if time.monotonic() > deadline or server.poll() is not None:
            ended = server.poll()
            server.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                server.wait(30)
            lines = _read(kept).splitlines()
            os.unlink(kept)
            why = " / ".join([line for line in lines if line][-3:])
            how = f"ended with {ended}" if ended is not None else "not reached"
            pytest.skip(
                f"jackd did not start (jackd -n {name} -d dummy; {how} after "
                f"{time.monotonic() - deadline + START_SECONDS:.0f} s): {why}"
            )
        time.sleep(0.1)
    _SAID[server.pid] = (name, kept)
    return server


START_SECONDS = 30
"""How long a test's ``jackd`` has to answer ``jack_lsp`` before the test skips, saying
what it said (a busy machine takes its time)."""


def jack_ports(env: dict[str, str]) -> str:
    """What ``jack_lsp`` lists on the server ``env`` names (a server lists its own
    ``system`` ports at least); "" when it could not reach it or did not end in
    :data:`LIST_SECONDS` (it is killed then). Beside a loaded run a
    ``jack_lsp`` once waited forever in its own ``jack_client_close`` (a lock of libjack's
    that its other thread held), and its test with it: a test polling the ports polls on."""
    try:
        listed = subprocess.run(
            ["jack_lsp"], env=env, capture_output=True, text=True, timeout=LIST_SECONDS
        )
    except subprocess.TimeoutExpired:
        return ""
    return listed.stdout if listed.returncode == 0 else ""


LIST_SECONDS = 10
"""How long ``jack_lsp`` has to list the ports (1.3 s at most seen alone, 10 s once in a
loaded run)."""


_SAID: dict[int, tuple[str, str]] = {}
"""The servers this process started and has not stopped: pid -> (name, the file of what it
says)."""


def _read(path: str) -> str:
    with open(path, "rb") as said:
        return said.read().decode(errors="replace")


def server_words(lines: int = 40) -> str:
    """The last ``lines`` lines each running server of this process has said (its xruns,
    the clients it dropped or found slow): what a failing real-time test shows beside its
    own output (``tests/conftest.py``); "" when none runs."""
    told = []
    for pid, (name, path) in sorted(_SAID.items()):
        with contextlib.suppress(OSError):
            last = _read(path).splitlines()[-lines:]
            told.append(f"jackd -n {name} (pid {pid}):\n" + "\n".join(last))
    return "\n\n".join(told)


def stop_jack_server(server: subprocess.Popen[bytes], *, seconds: float = 60) -> None:
    """Stop a server and wait for it (a busy jackd takes its time; killed, it would leave its
    name registered), killing it only if it does not end within ``seconds``."""
    _, said = _SAID.pop(server.pid, ("", ""))
    if said:
        with contextlib.suppress(OSError):
            os.unlink(said)
    server.terminate()
    try:
        server.wait(seconds)
    except subprocess.TimeoutExpired:
        server.kill()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:  # the tests that start one next skip, saying so
            warnings.warn(f"jackd {server.pid} did not end when killed", stacklevel=2)


@contextmanager
def transport_server(name: str) -> Iterator[None]:
    """A server named ``name`` for a test of JACK transport: JACK-Client's clients in this
    process (ours, and the test's own that reads or leads the transport) reach it, as
    ``JACK_DEFAULT_SERVER`` names it while it runs (restored after); skips the test without
    jackd or JACK-Client."""
    missing = jack_missing()
    if missing:
        pytest.skip(missing)
    try:
        import jack  # noqa: F401
    except (ImportError, OSError):
        pytest.skip("JACK-Client is not installed (uv sync --extra sync)")
    env = {**os.environ, "JACK_DEFAULT_SERVER": name, "JACK_NO_AUDIO_RESERVATION": "1"}
    server = start_jack_server(env)
    saved = os.environ.get("JACK_DEFAULT_SERVER")
    os.environ["JACK_DEFAULT_SERVER"] = name
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("JACK_DEFAULT_SERVER", None)
        else:
            os.environ["JACK_DEFAULT_SERVER"] = saved
        stop_jack_server(server)


CLOSE_WAIT_SECONDS = 60.0
"""How long closing a test's own JACK client may take (seconds) before it is left behind."""


class XrunCount:
    """How many xruns the JACK server ``server`` has had since this was made: a cycle some
    client was late for. In its asynchronous mode JACK then moves on without that client,
    and the MIDI of the cycle it missed is lost to it: on a loaded machine a test that
    counts messages allows for what the server dropped, never for what we did. A JACK
    client of the test's own (JACK-Client, a dev dependency present where jackd is); a
    context manager, closing twice does nothing."""

    def __init__(self, name: str, server: str):
        import jack

        self.count = 0
        self._client: Any = jack.Client(name, no_start_server=True, servername=server)
        self._client.set_xrun_callback(self._xrun)
        self._client.activate()

    def _xrun(self, delay: float) -> None:
        self.count += 1

    def close(self) -> None:
        """Close the client, waiting for that :data:`CLOSE_WAIT_SECONDS` at most: beside two
        CPU burners, ``jack_client_close`` once waited on its server for good (the test
        hung); the server is stopped by its fixture after, and the client goes with it."""
        if self._client is not None:
            closing = threading.Thread(target=self._client.close, daemon=True)
            closing.start()
            closing.join(CLOSE_WAIT_SECONDS)
            self._client = None

    def __enter__(self) -> XrunCount:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
