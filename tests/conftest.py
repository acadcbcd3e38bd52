"""Shared helpers for the tests."""

from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from xdist.scheduler import LoadGroupScheduling

from tests.jackserver import server_words

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"


THOROUGH = 10
"""How many times more examples each property test tries in the "thorough" profile."""

settings.register_profile(
    "suite", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)  # a shared machine: no time limit on an example, nor on making one
settings.register_profile("thorough", settings.get_profile("suite"), max_examples=100 * THOROUGH)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "suite"))

# The tests' JACK servers run in real time where the machine allows it (tests/jackserver.py),
# without it elsewhere; the player's threads ask for no real-time scheduling here either
# way: a server without it must not be outranked by its clients (docs/sync.md), and with
# both real-time, two player processes crashed at exit beside CPU-burning processes (likely
# a close that outlasted the exit's wait, since handled: docs/development.md).
# tests/test_playback.py asks for it itself.
os.environ.setdefault("THEME_NO_REALTIME", "1")

# Where Python is told not to write bytecode (PYTHONDONTWRITEBYTECODE, as on the CI
# machine), each worker rewrote and compiled every test module again (pytest's assertion
# rewriting: 13 s of CPU a worker to collect the suite, 4.5 s with the compiled files kept),
# and each command the tests start compiled theme's modules again. The suite writes them,
# beside the sources in the __pycache__ folders git ignores, as Python does by default; the
# commands it starts keep the variable, and read what is there.
sys.dont_write_bytecode = False

# A suite started in the background by a shell (``uv run pytest &``) inherits Ctrl-C
# ignored, and so would every command it starts: the tests of Ctrl-C need it as a terminal
# gives it (a process started with it ignored keeps it so, as nohup's do).
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


def _thorough(config: pytest.Config, items: list[pytest.Item]) -> None:
    """With ``--hypothesis-profile thorough`` (or ``HYPOTHESIS_PROFILE=thorough``), a property
    test that names its own number of examples tries ten times as many."""
    profile = config.getoption("hypothesis_profile", None) or os.environ.get("HYPOTHESIS_PROFILE")
    if profile != "thorough":
        return
    for item in items:
        test = getattr(item, "function", None)
        own = getattr(test, "_hypothesis_internal_use_settings", None)
        if own is not None and own.max_examples < 100 * THOROUGH:
            test._hypothesis_internal_use_settings = settings(  # type: ignore[union-attr]
                own, max_examples=own.max_examples * THOROUGH
            )


def run_theme(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None, input: str = ""
) -> subprocess.CompletedProcess[str]:
    """Run ``theme ARGS`` in this process through :func:`theme.cli.main`, the way click's
    ``CliRunner`` runs a command: the same parser, work, printed lines and exit code, with
    ``input`` on standard input and standard output and error captured as pipes would be (UTF-8,
    not a terminal), ``env`` laid over ``os.environ`` and ``cwd`` the working folder for the
    run. It saves a new interpreter's start-up (0.3 s, over a second with music21): the
    suite's 491 ``python -m theme`` processes took a quarter of its CPU. What only a process
    shows (signals, the exit status, a closed or full standard output, start-up, an encoding
    from the environment, sound devices) is tested with :func:`run_theme_process`."""
    from theme.cli import main

    streams = (sys.stdin, sys.stdout, sys.stderr)
    sys.stdin = io.TextIOWrapper(io.BytesIO(input.encode()), encoding="utf-8")
    sys.stdout = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="strict")
    sys.stderr = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="backslashreplace")
    saved = dict(os.environ)
    os.environ.update({"JACK_NO_START_SERVER": "1", **(env or {})})
    folder = os.getcwd()
    try:
        if cwd is not None:
            os.chdir(cwd)
        code = main(list(args))
    except SystemExit as exit:  # --help, --version and argparse's usage errors
        code = exit.code if isinstance(exit.code, int) else 0 if exit.code is None else 1
        if isinstance(exit.code, str):
            print(exit.code, file=sys.stderr)
    finally:
        os.chdir(folder)
        os.environ.clear()
        os.environ.update(saved)
        printed = [_captured(stream) for stream in (sys.stdout, sys.stderr)]
        sys.stdin, sys.stdout, sys.stderr = streams
    return subprocess.CompletedProcess(["theme", *args], code, *printed)


def _captured(stream: object) -> str:
    """What a captured standard stream of :func:`run_theme` holds, as text read from a pipe."""
    try:
        stream.flush()  # type: ignore[attr-defined]
        raw: bytes = stream.buffer.getvalue()  # type: ignore[attr-defined]
    except (AttributeError, ValueError):  # replaced by the command (a closed output)
        return ""
    return raw.decode("utf-8").replace("\r\n", "\n")


def run_theme_process(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m theme ARGS`` as a user would, in a process of its own, with no sound
    server to find."""
    environment = {**os.environ, "JACK_NO_START_SERVER": "1", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "theme", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=environment,
        timeout=300,
    )


def theme_process(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.Popen[str]:
    """``python -X faulthandler -m theme ARGS`` started as a user starts it, its output and
    errors piped: see :func:`finished` for why faulthandler."""
    return subprocess.Popen(
        [sys.executable, "-X", "faulthandler", "-m", "theme", *args],
        env=env,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finished(command: subprocess.Popen[str], seconds: float = 60) -> tuple[str, str]:
    """The output and errors of a command (:func:`theme_process`) once it has ended; one
    that has not ended in ``seconds`` is aborted and the test fails with where each of its
    threads was (beside two CPU burners, a command that was to list the MIDI ports and exit
    3 had not ended after 60 s; in a loaded run, one waited in a JACK port's close)."""
    try:
        return command.communicate(timeout=seconds)
    except subprocess.TimeoutExpired:
        command.send_signal(signal.SIGABRT)
        _out, where = command.communicate(timeout=30)
        raise AssertionError(f"not ended in {seconds} s; it was at:\n{where}") from None


@pytest.fixture
def theme_cli():  # type: ignore[no-untyped-def]
    return run_theme


def varlen(value: int) -> bytes:
    """A MIDI variable-length number."""
    out = [value & 0x7F]
    value >>= 7
    while value:
        out.append(0x80 | (value & 0x7F))
        value >>= 7
    return bytes(reversed(out))


GOOD_VARIANT = """name = "f"
title = "F"
tempo = "q=120"
[layers.a]
voice = "bass"
pitches = ["C2"]
[[sections]]
name = "s"
meter = "5/4"
bars = 2
patterns = { a = "X..x..x.x." }
"""
"""A small, valid variant file: two bars of 5/4, one bass layer."""


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """Headless Chromium through selenium, one a test module; skipped, saying why, where
    Chromium or its driver is missing. Autoplay is allowed; console messages are kept."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    if not chromium or not driver_path:
        pytest.skip(
            "Chromium or chromedriver is not installed (apt-get install chromium chromium-driver)"
        )
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--autoplay-policy=no-user-gesture-required",
        "--window-size=1366,768",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(
        options=options, service=webdriver.ChromeService(executable_path=driver_path)
    )
    driver.set_script_timeout(60)
    yield driver
    driver.quit()


REAL_TIME_FILES = ("tests/test_link.py",)
"""Test files whose every test joins an Ableton Link session (which sees every other Link
program on the machine). Elsewhere a test that keeps time with a real clock is marked
``jack`` (it plays through a test's JACK server) or ``real_time``."""

LINK_FILE = "tests/test_link.py"
"""The tests that join Link sessions: a group of their own, one after another, so that no
two of them see each other's session."""

REAL_TIME_GROUP = "real-time"
"""The group of the tests that keep time with a real clock (JACK's dummy driver, a MIDI
clock), one after another on one worker: about 4 minutes alone here, 7 to 8 beside the
rest. Split in two (the MIDI files' and the others', each file naming its own JACK server)
it took 3 and 4 minutes side by side, but beside two CPU-burning processes the two groups'
JACK servers were starved: a player could not open its device, a recording underran, five
tests failed in one pass."""


def _shared_fixtures_key(item: pytest.Item) -> str | None:
    """Whether a test shares a module-scoped fixture with the other tests of its file (a
    browser, a JACK server, pages written once): "" if so, with the parameter of each such
    fixture that is parametrized (a corpus piece parsed once: `` with piece=3``); None when
    it shares none. No bracket: xdist takes a test's id that ends in "]" for one without a
    group (``LoadGroupScheduling._split_scope``), and a corpus piece was parsed again on
    each worker that had one of its tests."""
    info = getattr(item, "_fixtureinfo", None)
    if info is None:  # a doctest
        return None
    callspec = getattr(item, "callspec", None)
    shared, parameters = False, []
    for name in info.names_closure:
        definitions = info.name2fixturedefs.get(name)
        if not definitions or definitions[-1].scope not in ("module", "class", "package"):
            continue
        shared = True
        if callspec is not None and name in callspec.indices:
            parameters.append(f"{name}={callspec.indices[name]}")
    return f" with {','.join(sorted(parameters))}" if parameters else "" if shared else None


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Group the tests for pytest-xdist (``--dist loadgroup``): the tests of a file that share
    a module-scoped fixture (a browser, a JACK server, a corpus piece parsed once) run on one
    worker, so that it is made once; every other test goes to whichever worker is free. The
    tests that keep time with a real clock (JACK's dummy driver, a MIDI clock) run on one
    worker, one after another, and those that join Link sessions on another, so that no two
    of them load each other's clock or see each other's session; beside them the other
    workers compute, the load a busy laptop gives them too."""
    _thorough(config, items)
    for item in items:
        if item.get_closest_marker("xdist_group"):
            continue
        path = item.nodeid.split("::")[0]
        real_time = path in REAL_TIME_FILES or any(
            item.get_closest_marker(name) is not None for name in ("jack", "real_time")
        )
        if real_time:
            group = "link" if path == LINK_FILE else REAL_TIME_GROUP
            item.add_marker(pytest.mark.xdist_group(group))
            item.add_marker(pytest.mark.real_time)
            continue
        if path.startswith(("tests/test_listen", "theme/listen/")):
            item.add_marker(pytest.mark.xdist_group("listen"))  # CPU-heavy analyses, in turn
            continue
        shared = _shared_fixtures_key(item)
        if shared is not None:
            item.add_marker(pytest.mark.xdist_group(f"{path}{shared}"))
    if getattr(config.option, "loadgroup", False):  # a worker of --dist loadgroup
        for item in items:
            _name_the_group(item)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """A real-time test that fails shows, beside its own output, what its JACK server said
    (xruns, a client it found slow or dropped): a JACK stall beside a loaded run is told from
    a fault of the program under test by it."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if report.failed and item.get_closest_marker("real_time") is not None:
        said = server_words()
        if said:
            report.sections.append(("what the test's JACK server said", said))


def _name_the_group(item: pytest.Item) -> None:
    """pytest-xdist tells its scheduler a test's group by ending the test's id with
    ``@GROUP``; since pytest 9 gave a node a structured id (``item._id``), xdist 3.8's
    rewriting of the old string id does nothing, and every group was spread over all workers
    (reported upstream to pytest-xdist as #1386). Here the structured id is rewritten the same way, once."""
    try:
        from _pytest.nodeid import NodeId
    except ImportError:  # pytest 8: xdist's own suffix works
        return
    mark = item.get_closest_marker("xdist_group")
    if mark is None or not isinstance(getattr(item, "_id", None), NodeId):
        return
    grouped = grouped_id(item.nodeid, str(mark.args[0]))
    if grouped != item.nodeid:
        item._id = NodeId.parse(grouped)


def grouped_id(nodeid: str, group: str) -> str:
    """A test's id as pytest-xdist's scheduler reads its group from it: ending ``@GROUP``.

    >>> grouped_id("tests/test_x.py::t[a]", "g"), grouped_id("t@g", "g")
    ('tests/test_x.py::t[a]@g', 't@g')
    """
    return nodeid if nodeid.endswith(f"@{group}") else f"{nodeid}@{group}"


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """``-n auto``: a worker a core for the tests that compute, and one more for each of the
    groups handed out first (:data:`FIRST_GROUPS`), which mostly wait on a clock (with one
    worker fewer, a core stood idle for the first minutes: 6 min against 5 min 13 s here)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (cores or 1) + len(FIRST_GROUPS)


FIRST_GROUPS = (REAL_TIME_GROUP, "link")
"""The groups handed out first, in this order (the longest of the run)."""


class _FirstGroupsFirst(LoadGroupScheduling):
    """pytest-xdist's ``loadgroup`` scheduler, handing out :data:`FIRST_GROUPS` first: they
    are the longest groups of the run and mostly wait on a clock, so a worker starts on each
    at once while the others compute around them. After them, as xdist does, the groups
    with the most tests first (xdist orders every group by its number of tests, so the
    real-time group would wait behind a file of 80 quick ones)."""

    _ordered = False

    def _assign_work_unit(self, node: Any) -> None:
        if not self._ordered:
            self._ordered = True

            def rank(unit: tuple[str, dict[str, bool]]) -> tuple[int, int]:
                scope, tests = unit
                first = FIRST_GROUPS.index(scope) if scope in FIRST_GROUPS else len(FIRST_GROUPS)
                return first, -len(tests)

            units = sorted(self.workqueue.items(), key=rank)
            self.workqueue.clear()
            self.workqueue.update(units)
        super()._assign_work_unit(node)


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> LoadGroupScheduling | None:
    """The scheduler of ``--dist loadgroup`` (:class:`_FirstGroupsFirst`); xdist's own for
    any other ``--dist``."""
    if config.getvalue("dist") != "loadgroup":
        return None
    return _FirstGroupsFirst(config, log)


WRITES_WHILE_PLAYING = """
const [play, frames, done] = arguments;
const playing = () => Theme.players.some((p) => p.playing);
document.querySelector(play).click();
const until = Date.now() + 10000;
(function started() {
  if (!playing() && Date.now() < until) { setTimeout(started, 20); return; }
  const records = [];
  const seen = new MutationObserver((list) => records.push(...list));
  seen.observe(document.body, {subtree: true, attributes: true, attributeOldValue: true,
                               childList: true, characterData: true,
                               characterDataOldValue: true});
  const label = (node) => {
    const el = node.nodeType === 1 ? node : node.parentElement;
    return el.tagName.toLowerCase() + ' ' + (el.getAttribute('class') || '');
  };
  const markup = (nodes) => Array.from(nodes).map((n) => n.outerHTML || n.textContent).join('');
  let left = frames;
  (function frame() {
    if (--left > 0) { requestAnimationFrame(frame); return; }
    records.push(...seen.takeRecords());
    seen.disconnect();
    const throughout = playing();
    const after = new Map();  // each attribute's value after a record: the next one's old value
    const same = {};
    records.slice().reverse().forEach((r) => {
      let unchanged = false;
      if (r.type === 'attributes') {
        const values = after.get(r.target) || {};
        const now = r.attributeName in values ? values[r.attributeName]
          : r.target.getAttribute(r.attributeName);
        unchanged = now === r.oldValue;
        values[r.attributeName] = r.oldValue;
        after.set(r.target, values);
      } else if (r.type === 'childList') {
        unchanged = r.removedNodes.length > 0 && markup(r.removedNodes) === markup(r.addedNodes);
      } else {
        unchanged = r.target.data === r.oldValue;
      }
      if (unchanged) {
        const key = (r.attributeName || r.type) + ' of ' + label(r.target);
        same[key] = (same[key] || 0) + 1;
      }
    });
    Theme.players.forEach((p) => p.playing && p.stop());
    done({playing: throughout, writes: records.length, unchanged: same});
  })();
})();
"""
"""Play a page (a click on the CSS selector ``arguments[0]``) and watch what its scripts write
into the page over ``arguments[1]`` animation frames once it plays: ``writes``, the changes
made; ``unchanged``, those that wrote a value the page already had (an attribute set again,
a button's words written again), by what and where; ``playing``, whether it still played."""


def writes_while_playing(browser: Any, play: str, frames: int = 60) -> dict[str, Any]:
    """What a page's scripts write while it plays (:data:`WRITES_WHILE_PLAYING`), for
    ``frames`` animation frames after the click on ``play`` (a CSS selector) has started it.
    Every write makes Chromium lay the page out and paint it again: a value written again each
    frame (60 a second) kept a projector's laptop and a pupil's phone busy for nothing."""
    return browser.execute_async_script(WRITES_WHILE_PLAYING, play, frames)  # type: ignore[no-any-return]
