"""Every command in the README and the manual (``docs/``) runs as written, in an empty folder,
and says what the page shows.

A page's shell examples are the ``$ ...`` lines of its fenced blocks. They run in order in
one empty folder a page (an example may use a file an earlier one of its page wrote), with
no sound card: a ``uv run theme`` line that writes files or prints, split as the shell splits
it, by the command line in this process (``run_theme``); a line that plays live, or that the
shell must do more than split (a pipe, a redirection, a variable), through bash with this
interpreter's ``python -m theme`` for ``uv run theme``. The lines shown under a command are
its output: each shown line (``...`` marks an elision) must be in what the
command printed, and an example that shows ``theme: error:`` must fail with exactly that
line. A command that plays live ends, with no sound card, with the one line that says so.
"""

from __future__ import annotations

import functools
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from tests.conftest import ROOT, run_theme

LIVE_REFUSAL = "no audio output device found"
NO_SOUND_FALLBACK = "no sound here"


def plays_live(command: str) -> bool:
    """Whether a README command plays through the sound card (no output file named).

    >>> plays_live("uv run theme metronome 5/4 --bpm 100"), plays_live("uv run theme list")
    (True, False)
    >>> plays_live("uv run theme dance -o dance.wav"), plays_live("uv run theme tap 5/4 -o run.svg")
    (False, True)
    """
    words = command.split()
    if words[3:4] == ["tap"]:  # its -o is the picture of the run: it always plays
        return True
    live = {"play", "metronome", "dance", "demo"}
    return bool(live & set(words[3:4])) and not {"-o", "--out", "--html"} & set(words)


@dataclass
class Example:
    command: str
    shown: list[str] = field(default_factory=list)
    page: str = "README.md"


def readme_examples(text: str) -> list[Example]:
    """The ``$ `` lines of the README's fenced blocks, each with the lines shown under it."""
    examples: list[Example] = []
    for block in re.findall(r"^```[a-z]*\n(.*?)^```", text, flags=re.S | re.M):
        current: Example | None = None
        for line in block.splitlines():
            if line.startswith("$ "):
                current = Example(line[2:].strip())
                examples.append(current)
            elif current is not None:
                current.shown.append(line)
    return examples


def in_this_process(command: str) -> bool:
    """Whether a line is a ``uv run theme`` command that writes files or prints, with
    nothing for the shell to do but split it.

    >>> in_this_process("uv run theme export tv-1966 -o tv.mid")
    True
    >>> in_this_process("uv run theme play tv-1966"), in_this_process("printf '3' | uv run theme quiz")
    (False, False)
    """
    return (
        command.startswith("uv run theme ")
        and not any(sign in command for sign in "|<>&;$`\\")
        and not plays_live(command)
    )


def as_test_command(command: str) -> str:
    python = shlex.quote(sys.executable)
    command = re.sub(r"\buv run theme\b", f"{python} -m theme", command)
    return re.sub(r"\buv run python\b", python, command)


def documented_pages() -> list[str]:
    """The README and every Markdown page of the manual, the README first."""
    pages = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "docs").rglob("*.md"))
    return ["README.md", *pages]


def all_examples() -> list[Example]:
    examples = []
    for page in documented_pages():
        for example in readme_examples((ROOT / page).read_text(encoding="utf-8")):
            example.page = page
            examples.append(example)
    return examples


EXAMPLES = all_examples()


def test_the_readme_and_the_manual_have_shell_examples() -> None:
    assert len(EXAMPLES) >= 15
    assert sum(e.page == "README.md" for e in EXAMPLES) >= 8
    assert all(
        e.command.startswith(("uv run theme ", "uv run python ")) or not e.command.startswith("uv")
        for e in EXAMPLES
    )


Outcomes = Callable[[str], list[subprocess.CompletedProcess[str]]]


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> Outcomes:
    """What each example of a page did, the page's examples run in order in an empty folder
    of its own the first time a test asks for one of them (a page's tests are one xdist
    group, so each page runs once, and the pages beside each other)."""
    environment = {k: v for k, v in os.environ.items() if k != "THEME_AUDIO_DEVICE"}
    environment["JACK_NO_START_SERVER"] = "1"

    @functools.cache
    def of_page(page: str) -> list[subprocess.CompletedProcess[str]]:
        folder = tmp_path_factory.mktemp(page.replace("/", "-"))
        results = []
        for example in EXAMPLES:
            if example.page != page:
                continue
            if in_this_process(example.command):
                results.append(run_theme(*shlex.split(example.command)[3:], cwd=folder))
                continue
            results.append(
                subprocess.run(
                    ["bash", "-c", as_test_command(example.command)],
                    capture_output=True,
                    text=True,
                    cwd=folder,
                    env=environment,
                    timeout=300,
                    stdin=subprocess.DEVNULL,
                )
            )
        return results

    return of_page


@pytest.mark.parametrize(
    "index",
    [
        pytest.param(i, marks=pytest.mark.xdist_group(f"tests/test_readme_commands.py {e.page}"))
        for i, e in enumerate(EXAMPLES)
    ],
    ids=[f"{e.page}: {e.command}" for e in EXAMPLES],
)
def test_a_readme_example_runs_as_written(index: int, outcomes: Outcomes) -> None:
    example = EXAMPLES[index]
    result = outcomes(example.page)[sum(e.page == example.page for e in EXAMPLES[:index])]
    printed = (result.stdout + result.stderr).splitlines()
    errors = [line for line in example.shown if line.startswith("theme: error:")]
    if errors:
        assert result.returncode != 0
        assert result.stderr.strip().splitlines() == errors
        return
    if plays_live(example.command) and not any(NO_SOUND_FALLBACK in s for s in example.shown):
        # The README shows what a sound card plays; here there is none.
        if result.returncode == 3:
            assert LIVE_REFUSAL in result.stderr
            assert len(result.stderr.strip().splitlines()) == 1
        else:
            assert result.returncode == 0, result.stderr
        return
    assert result.returncode == 0, result.stderr
    printed_lines = {line.rstrip() for line in printed}
    for line in example.shown:
        if line.strip() and "..." not in line and not line.startswith(" ▄"):
            assert line.rstrip() in printed_lines, f"{line!r} not printed by {example.command!r}"
