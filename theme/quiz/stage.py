"""The quiz page: one item a screen, played by the page's own player, in two modes.

*Class mode* is for a projector: the teacher plays an item (again), the class answers by
hands or cards (A to D), the teacher counts the hands if wanted and reveals the answer and
why: the accents, the grouping or where step one lands, on the item's own beat light and
count, which follow the music when it plays again. *Practice mode* is for one pupil: a
choice is marked right or wrong at once, with the why, and the score counts.

Each item plays its own timeline through ``js/player.js`` (the page data contract of
:mod:`theme.page.data` and :mod:`theme.page.sounds`), every sound on its
sample. What would give the answer away (the timeline's bars and meters, the beat light,
the answer and the why) is not spelled out in the page's text: it is one base64 block an
item, which ``js/quiz.js`` unpacks when the page opens. The page is the same bytes for the
same quiz.

Keys (as on the tour, for a presenter's clicker): PageDown, Right or N the next item;
PageUp, Left or P the one before; Home, End; Space plays and stops; R reveals (class mode);
1 to 4 count a hand for A to D (class mode) or answer (practice mode); F full screen; T the
teacher's drawer; M switches the mode.
"""

from __future__ import annotations

import base64
import json
from html import escape
from typing import Any

from theme.core.meter import AccentLevel, Meter
from theme.quiz.items import STEPS, Item, Quiz
from theme.quiz.material import LEVELS
from theme.quiz.writing import WHAT_IT_DOES

__all__ = ["MODES", "SCRIPT_FILES", "STYLE_FILES", "quiz_page", "why_lines"]

MODES = ("practice", "class")
"""The page's modes: the first is for one pupil, the second for a class."""
SCRIPT_FILES = ("sounds.js", "player.js", "quiz.js", "beatlight.js", "conductor.js")
"""The page's scripts (files of ``theme/page/js``), inlined in this order: the quiz's
unpacks each item's beat light and count before the beat light's and the counting's bind."""
STYLE_FILES = ("quiz.css",)
"""The quiz page's own style (``theme/page/css``), after the pages' style."""
LETTERS = "ABCD"
WIDE_CHOICE = 3
"""Choices longer than this many characters (11/8, 2+2+3) get wider boxes in smaller type."""
LONG_QUESTION = 60
"""A question longer than this many characters is set smaller, to fit the screen."""


def _meter_text(meter: Meter) -> str:
    return f"{meter.numerator}/{meter.denominator}"


def _pulse_word(meter: Meter) -> str:
    """What a pulse of the meter is called in a class: beats, or quick beats for eighths.

    >>> _pulse_word(Meter.parse("5/4")), _pulse_word(Meter.parse("7/8"))
    ('beats', 'quick beats (eighth notes)')
    """
    return "beats" if meter.denominator <= 4 else "quick beats (eighth notes)"


def spoken_count(meter: Meter) -> str:
    """The bar counted aloud, the accented pulses (a group's first) in capitals.

    >>> spoken_count(Meter.parse("3+2/4"))
    'ONE two three FOUR five'
    >>> spoken_count(Meter.parse("2+2+3/8"))
    'ONE two THREE four FIVE six seven'
    """
    words = [
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
    ]
    out = []
    for n, level in enumerate(meter.accent_levels()):
        word = words[n] if n < len(words) else str(n + 1)
        out.append(word.upper() if level <= AccentLevel.GROUP else word)
    return " ".join(out)


def _starts(meter: Meter) -> str:
    """The pulses that start a group, in words: ``'1 and 4'``.

    >>> _starts(Meter.parse("2+2+3/8"))
    '1, 3 and 5'
    """
    starts = [str(s + 1) for s in meter.group_starts]
    return starts[0] if len(starts) == 1 else ", ".join(starts[:-1]) + " and " + starts[-1]


def why_lines(item: Item) -> list[str]:
    """Why the answer is the answer, in words a class reads: a line each.

    >>> from theme.quiz.items import make_quiz
    >>> why_lines(make_quiz(seed=7, count=1).items[0])[0]
    'It is 7/4: 7 beats in each bar.'
    """
    meter = item.music.bars[0].meter
    groups = "+".join(map(str, meter.groups))
    count = spoken_count(meter)
    accents = (
        f"The loud beats (the accents) start each group of {groups}: "
        f"{_pulse_word(meter).split(' (')[0]} {_starts(meter)}."
    )
    if item.kind == "meter":
        return [
            f"It is {item.answer_text}: {meter.numerator} {_pulse_word(meter)} in each bar.",
            accents if len(meter.groups) > 1 else "The loudest beat is beat 1 of each bar.",
            f"Count along: {count}",
        ]
    if item.kind == "grouping":
        return [
            f"It is {item.answer_text}: the {meter.numerator} pulses go in groups of {groups}.",
            f"The accents fall on pulses {_starts(meter)}.",
            f"Count along: {count}",
        ]
    if item.kind == "remix":
        name, _, rest = item.source.partition(" remetered to 4/4 by ")
        where = item.source.rsplit(", ", 1)[-1]
        if rest:
            strategy = rest.split(",")[0]
            how = (
                f"It is {_plain_title(name)} ({where}) made into 4/4 by the computer "
                f"({strategy}: {WHAT_IT_DOES[strategy]})."
            )
        else:
            how = f"It comes from {_plain_title(item.source.split(',')[0])}, {where}."
        return [
            f"It is {item.answer_text}: {meter.numerator} beats in each bar.",
            how,
            f"Count along: {count}",
        ]
    bars = len(item.music.bars)
    from theme.classroom.dance import landings

    landed = landings(meter, steps=STEPS, cycles=bars * meter.numerator // STEPS + 1)
    by_bar: dict[int, list[int]] = {}
    for bar, beat in landed:
        if bar < bars or (bar == bars and not by_bar.get(bars)):
            by_bar.setdefault(bar, []).append(beat)
    path = "; ".join(
        f"bar {bar}, {'beats' if len(beats) > 1 else 'beat'} {' and '.join(map(str, beats))}"
        for bar, beats in by_bar.items()
    )
    return [
        f"Step one first lands on beat {item.answer_text} of bar {bars}.",
        f"{STEPS} counts a step, {meter.numerator} {_pulse_word(meter)} a bar: step one moves "
        "along the bar.",
        f"Where step one lands: {path}.",
    ]


def _plain_title(name: str) -> str:
    """A gallery entry's title as a class reads it: ``'the 1996 dance remix'``."""
    from theme.variants import load

    title = load(name).title
    for end in (" (", " in the manner", ", rhythm"):
        title = title.split(end)[0]
    return f"the {title}"


def _light(label: str, bars_json: str) -> str:
    """A beat light as ``js/beatlight.js`` reads it: bar 1 ready on its first pulse."""
    bars: list[dict[str, Any]] = json.loads(bars_json)
    first: dict[str, Any] = bars[0] if bars else {"n": 1, "l": []}
    pulses = "".join(
        f"<b class='l{level}{' now' if i == 0 else ''}'></b>" for i, level in enumerate(first["l"])
    )
    meter = f"<span class='meter'>{escape(label)}</span>" if label else ""
    return (
        f"<div class='beat ready' data-beats='{escape(bars_json)}' data-now='{first['n']}:1'>"
        f"{meter}<span class='bar'>bar {first['n']}</span><span class='pulses'>{pulses}</span>"
        "</div>"
    )


def _secret(item: Item) -> str:
    """What the page unpacks for an item: its answer, its music as the player reads it and
    the why (a beat light and count that follow the music), as base64 of the JSON."""
    from theme.page.data import timeline_data
    from theme.page.document import beat_rows
    from theme.page.follow import follow_html

    rows = beat_rows(item.music)
    lines = why_lines(item)
    why = (
        f"<p class='said'>{escape(lines[0])}</p>"
        + "".join(f"<p>{escape(line)}</p>" for line in lines[1:])
        + "".join(_light(row.label, row.bars) for row in rows)
        + follow_html(item.music, [row.label for row in rows])
    )
    data = {"answer": item.answer, "music": timeline_data(item.music), "why": why}
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=True)
    return base64.b64encode(text.encode("ascii")).decode("ascii")


def _item_html(item: Item, total: int) -> str:
    choices = "".join(
        f"<li><button type='button' class='choice' data-choice='{i}' "
        f"aria-keyshortcuts='{i + 1}'><span class='letter'>{LETTERS[i]}</span> "
        f"<span class='text'>{escape(choice)}</span></button>"
        f"<span class='tally' hidden><button type='button' class='less' "
        f"aria-label='one hand fewer for {LETTERS[i]}'>&minus;</button>"
        f"<output class='hands'>0</output> hands</span></li>"
        for i, choice in enumerate(item.choices)
    )
    wide = " wide" if max(map(len, item.choices)) > WIDE_CHOICE else ""
    return (
        f"<section class='item' id='item-{item.number}' data-item='{item.number}'>"
        f"<p class='kicker'>Item {item.number} of {total}</p>"
        f"<h2{' class=long' if len(item.question) > LONG_QUESTION else ''}>"
        f"{escape(item.question)}</h2>"
        "<div class='do'><button type='button' class='play' aria-keyshortcuts='Space'>"
        "Play</button><button type='button' class='reveal' aria-keyshortcuts='R'>"
        "Show the answer</button><span class='verdict' role='status'></span></div>"
        f"<ol class='choices n{len(item.choices)}{wide}'>{choices}</ol>"
        "<div class='why' hidden></div>"
        f"<script type='application/octet-stream' class='secret'>{_secret(item)}</script>"
        "</section>"
    )


def _drawer(quiz: Quiz) -> str:
    return (
        "<aside class='drawer' id='drawer' hidden aria-label='For the teacher'>"
        "<h2>For the teacher</h2>"
        "<p class='modes'><span>Mode:</span> <button type='button' data-mode='class'>Class: "
        "one screen for the room</button> <button type='button' data-mode='practice'>"
        "Practice: one pupil, marked at once</button></p>"
        "<p><label><input type='checkbox' class='count-hands'> Count hands for each answer "
        "(click an answer, or press 1 to 4)</label></p>"
        "<p><label>Picture delay for the beat light: <input id='picture-delay' class='delay' "
        "type='number' value='0' step='10'> ms</label></p>"
        f"<p>Level {quiz.level}: {escape(LEVELS[quiz.level])}.</p>"
        "<p>The answers and what each item is made from: key.html, beside this page.</p>"
        f"<p>The same quiz again: <code>{escape(quiz.command)}</code></p>"
        "<p class='keys'>Keys: Page Down or &rarr; next, Page Up or &larr; back, Space play "
        "or stop, R show the answer, 1-4 a hand for A-D, F full screen, T this drawer, "
        "M the mode.</p>"
        "<button type='button' class='close'>Close</button></aside>"
    )


def quiz_page(quiz: Quiz, *, mode: str = "practice") -> str:
    """The quiz page as one HTML string, opening in ``mode`` (one of :data:`MODES`).

    Raises:
        UsageError: a page section's music longer than a page plays; a mode not in
            :data:`MODES`.
    """
    from theme.errors import UsageError
    from theme.page.assets import script_text, style_text
    from theme.page.data import safe_json, timeline_data
    from theme.page.document import check_page_seconds, html_document, page_style
    from theme.page.sounds import sound_names, sounds_data

    if mode not in MODES:
        raise UsageError(f"invalid mode {mode!r}: expected one of {', '.join(MODES)}")
    for item in quiz.items:
        check_page_seconds(item.music)
    script = script_text(SCRIPT_FILES)
    style = page_style() + style_text(STYLE_FILES)
    sounds = safe_json(sounds_data(sound_names(timeline_data(i.music) for i in quiz.items)))
    total = len(quiz.items)
    head = f"<title>{escape(quiz.title)}</title><style>{style}</style>"
    body = (
        f"<body class='quizpage' data-mode='{mode}'>"
        "<header class='quizbar'>"
        f"<span class='title'>{escape(quiz.title)}</span>"
        "<span id='quiz-score' role='status'></span>"
        "<span class='nav'><button type='button' class='prev' aria-keyshortcuts='PageUp'>"
        "&#9664; Back</button><span class='counter'></span><button type='button' "
        "class='next' aria-keyshortcuts='PageDown'>Next &#9654;</button>"
        "<button type='button' class='full' aria-keyshortcuts='F'>Full screen</button>"
        "<button type='button' class='teacher' aria-keyshortcuts='T' aria-controls='drawer' "
        "aria-expanded='false'>Teacher</button></span></header>"
        f"{_drawer(quiz)}<main>{''.join(_item_html(i, total) for i in quiz.items)}</main>"
        f"<script type='application/json' id='theme-sounds'>{sounds}</script>"
        f"<script>{script}</script></body>"
    )
    return html_document(head, body, script)
