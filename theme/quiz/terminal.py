"""A quiz in the terminal: each item plays, a key answers, the score comes at the end
(also when the quiz is stopped, the input ends or Ctrl-C is pressed: the items answered).

Keys come through the terminal's seam (:class:`theme.terminal.KeySource`): a terminal
(:class:`~theme.terminal.TerminalKeys`), lines from a pipe (:class:`~theme.terminal.LineKeys`)
or a script in tests (:class:`~theme.terminal.ScriptedKeys`). Sound comes through ``play``, a function
from music to a started :class:`~theme.live.engine.playback.Player` (the one path to a sink);
without it each item names its audio file instead.

=========  ===========================================================
key        what it does
=========  ===========================================================
``1``-``4``  the answer by number (``a``-``d`` by letter)
``r``      play the item again
``q``      stop; the score of the items answered so far
=========  ===========================================================
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, TextIO

from theme.errors import UsageError
from theme.quiz.items import Item, Quiz
from theme.safe_text import clip
from theme.terminal import END

if TYPE_CHECKING:
    from theme.core.timeline import Timeline
    from theme.terminal import KeySource

__all__ = ["LETTERS", "Result", "Stoppable", "answer_index", "run_quiz"]

LETTERS = "abcd"
WAIT_SECONDS = 0.02
"""How often the keys are looked at while nothing is pressed (the screen's refresh, not a
clock of the music)."""


class Stoppable(Protocol):
    """What ``play`` returns: something playing that can be stopped (a Player)."""

    def stop(self) -> None: ...


@dataclass
class Result:
    """What was answered: an index into each item's choices, None where skipped by ``q``."""

    answers: list[int | None] = field(default_factory=list)
    replays: int = 0
    right: int = 0
    invalid: str = ""
    """The first answer that named no choice, said (empty: none)."""

    def line(self, total: int) -> str:
        answered = sum(a is not None for a in self.answers)
        rest = "" if answered == total else f" ({answered} of {total} answered)"
        return f"score: {self.right} of {total} right{rest}"


def answer_index(key: str, choices: int) -> int | None:
    """The choice a key names: ``'1'`` or ``'a'`` is 0; None for any other key.

    >>> answer_index("2", 4), answer_index("C", 4), answer_index("4", 2)
    (1, 2, None)
    """
    key = key.strip().lower()
    for names in ("1234", LETTERS):
        if len(key) == 1 and key in names[:choices]:
            return names.index(key)
    return None


def _allowed(choices: int) -> str:
    """What a key may be.

    >>> _allowed(2), _allowed(4)
    ('1 or 2 (a or b), r (replay) or q (quit)', '1 to 4 (a to d), r (replay) or q (quit)')
    """
    word = "or" if choices == 2 else "to"
    return f"1 {word} {choices} (a {word} {LETTERS[choices - 1]}), r (replay) or q (quit)"


def run_quiz(
    quiz: Quiz,
    *,
    keys: KeySource,
    out: TextIO,
    play: Callable[[Timeline], Stoppable] | None = None,
    files: Callable[[Item], str] | None = None,
    strict: bool = False,
    feedback: bool = True,
) -> Result:
    """Ask each item: show it, play it (``play``) or name its file (``files``), and read
    keys until an answer, ``q`` or :data:`END`; print the score of the items answered,
    however the quiz ends (Ctrl-C too).

    A key that names no choice is said (what is allowed) and the item is asked again.
    ``strict`` (answers from a pipe): when the quiz has ended and its score is printed, the
    first such answer is an error. ``feedback`` says right or wrong after each answer.

    Raises:
        UsageError: (``strict``) an answer that named no choice (an empty line too).
    """
    result = Result()
    total = len(quiz.items)
    try:
        for item in quiz.items:
            index = _ask(
                item,
                total,
                keys=keys,
                out=out,
                play=play,
                files=files,
                result=result,
            )
            if index is None:
                break
            result.answers.append(index)
            if index == item.answer:
                result.right += 1
            if feedback:
                said = "right" if index == item.answer else f"wrong: it is {item.answer_text}"
                print(f"   {said}", file=out)
    finally:
        result.answers += [None] * (total - len(result.answers))
        print(result.line(total), file=out, flush=True)
    if strict and result.invalid:
        raise UsageError(result.invalid)
    return result


def _ask(
    item: Item,
    total: int,
    *,
    keys: KeySource,
    out: TextIO,
    play: Callable[[Timeline], Stoppable] | None,
    files: Callable[[Item], str] | None,
    result: Result,
) -> int | None:
    choices = "   ".join(f"{i + 1}) {c}" for i, c in enumerate(item.choices))
    print(f"\nItem {item.number} of {total} ({item.kind}): {item.question}\n   {choices}", file=out)
    playing = _start(item, out=out, play=play, files=files)
    started = time.monotonic()
    try:
        print(f"   answer: {_allowed(len(item.choices))}", file=out, flush=True)
        while True:
            key = keys.poll(time.monotonic() - started)
            if key is None:
                time.sleep(WAIT_SECONDS)
                continue
            if key in ("q", END):
                return None
            if key == "r":
                result.replays += 1
                if playing is not None:
                    playing.stop()
                playing = _start(item, out=out, play=play, files=files, again=True)
                continue
            index = answer_index(key, len(item.choices))
            if index is not None:
                return index
            bad = "" if key in ("", "\n", "\r") else key
            line = f"invalid answer {clip(bad)!r} to item {item.number}: expected {_allowed(len(item.choices))}"
            result.invalid = result.invalid or line
            print(f"   {line}; again:", file=out, flush=True)
    finally:
        if playing is not None:
            playing.stop()


def _start(
    item: Item,
    *,
    out: TextIO,
    play: Callable[[Timeline], Stoppable] | None,
    files: Callable[[Item], str] | None,
    again: bool = False,
) -> Stoppable | None:
    if play is not None:
        print(
            f"   {'again: ' if again else ''}playing ({float(item.music.duration_seconds):.0f} s)",
            file=out,
            flush=True,
        )
        return play(item.music)
    if files is not None:
        print(f"   {'again: ' if again else ''}hear it: {files(item)}", file=out, flush=True)
    return None
