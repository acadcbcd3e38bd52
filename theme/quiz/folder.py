"""A quiz written to a folder: a page to project, an audio file an item, a printable
worksheet and its answer key.

==================  ================================================================
file                what it holds
==================  ================================================================
``index.html``      the page to project (:mod:`~theme.quiz.stage`): an item a
                    screen, played by the page's own player; class and practice modes
``item-NN.wav``     each item's sound (``.flac`` with ``audio='flac'``)
``worksheet.html``  the printable worksheet: ten items a printed page, a box a choice
``key.html``        the answer key, with what each item is made from, on its own pages
==================  ================================================================

The folder is made aside and put in place only when complete
(:func:`theme.output.folder.folder_aside`): a failure leaves no part of a quiz and an
earlier quiz as it was; a folder holding anything else is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape
from pathlib import Path

from theme.quiz.items import Item, Quiz
from theme.quiz.material import LEVELS
from theme.quiz.printable import check_paper, sheet_html

__all__ = ["AUDIO_KINDS", "QUIZ_FILES", "QuizFiles", "item_file", "write_quiz"]

AUDIO_KINDS = ("wav", "flac")
QUIZ_FILES = re.compile(r"index\.html|worksheet\.html|key\.html|item-\d+\.(wav|flac)")
"""The files a quiz folder holds: a folder with only these may be replaced by a new quiz."""


@dataclass(frozen=True)
class QuizFiles:
    """The paths of a written quiz."""

    page: Path
    worksheet: Path
    key: Path
    audio: tuple[Path, ...]


def item_file(item: Item, audio: str = "wav") -> str:
    """The name of an item's audio file: ``item-01.wav``; it names nothing of the answer."""
    return f"item-{item.number:02d}.{audio}"


def _buttons(item: Item) -> str:
    buttons = "".join(
        f"<button type='button' data-choice='{i}' data-text='{escape(choice)}'>"
        f"{i + 1}) {escape(choice)}</button>"
        for i, choice in enumerate(item.choices)
    )
    return f"<div class='quiz' data-answer='{item.answer}'>{buttons}<span class='verdict'></span></div>"


def _intro(quiz: Quiz) -> str:
    return (
        f"Level {quiz.level}: {LEVELS[quiz.level]}. Listen to each item, count along, then "
        "tick one box."
    )


def worksheet_html(quiz: Quiz, *, audio: str = "wav", paper: str = "a4") -> str:
    """The printable worksheet: each item's question and its choices, a box each; the
    items as the page numbers them (no command line: that is in the key)."""
    blocks = [
        f"<p><b>{item.number}.</b> {escape(item.question)}</p><p class='choices'>"
        + "".join(
            f"<span><span class='tick'>&#9744;</span> {'ABCD'[i]}) {escape(c)}</span>"
            for i, c in enumerate(item.choices)
        )
        + "</p>"
        for item in quiz.items
    ]
    return sheet_html(quiz.title, blocks, intro=_intro(quiz), paper=paper)


def key_html(quiz: Quiz, *, audio: str = "wav", paper: str = "a4") -> str:
    """The answer key: each item's answer, its kind, what its music is made from and its
    sound file; the command that makes the same quiz again."""
    blocks = [
        f"<p><b>{item.number}.</b> <span class='answer'>{'ABCD'[item.answer]}) "
        f"{escape(item.answer_text)}</span> <span class='note'>{item.kind}; made from "
        f"{escape(item.source)}; {item_file(item, audio)}</span></p>"
        for item in quiz.items
    ]
    intro = f"{_intro(quiz)} The same quiz again: {quiz.command}."
    return sheet_html(f"Answer key: {quiz.title}", blocks, intro=intro, who=False, paper=paper)


def write_quiz(
    quiz: Quiz,
    folder: str | Path,
    *,
    audio: str = "wav",
    mode: str = "practice",
    paper: str = "a4",
) -> QuizFiles:
    """Write the quiz into ``folder`` (see the module docstring) and return the paths.

    Raises:
        UsageError: an audio kind other than wav or flac.
        OutputFileError: the folder cannot be made or written, or holds other files.
    """
    from theme.errors import UsageError
    from theme.output import atomic_path
    from theme.output.folder import folder_aside
    from theme.page.document import check_page_seconds
    from theme.quiz.stage import MODES, quiz_page
    from theme.renderers.audiofile import write_audio

    if audio not in AUDIO_KINDS:
        raise UsageError(f"invalid audio {audio!r}: expected one of {', '.join(AUDIO_KINDS)}")
    if mode not in MODES:
        raise UsageError(f"invalid mode {mode!r}: expected one of {', '.join(MODES)}")
    paper = check_paper(paper)
    for item in quiz.items:
        check_page_seconds(item.music)
    root = Path(folder)
    with folder_aside(root, whole=True, replaceable=QUIZ_FILES) as aside:
        for item in quiz.items:
            write_audio(item.music, aside / item_file(item, audio))
        pages = {
            "index.html": quiz_page(quiz, mode=mode),
            "worksheet.html": worksheet_html(quiz, audio=audio, paper=paper),
            "key.html": key_html(quiz, audio=audio, paper=paper),
        }
        for name, html in pages.items():
            with atomic_path(aside / name) as tmp:
                tmp.write_text(html, encoding="utf-8")
    return QuizFiles(
        root / "index.html",
        root / "worksheet.html",
        root / "key.html",
        tuple(root / item_file(item, audio) for item in quiz.items),
    )
