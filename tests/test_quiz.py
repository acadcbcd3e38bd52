"""The listening quiz and the worksheets: made by the engine, the same for a seed, every
answer read back from the music; the terminal quiz with scripted keys; the CLI as a user
runs it; the folder written whole or not at all; the printed pages; the page in Chromium."""

from __future__ import annotations

import math
import os
import re
import subprocess
import sys
from fractions import Fraction
from html import escape
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import run_theme
from tests.jackserver import start_jack_server, stop_jack_server
from theme.classroom.dance import landings
from theme.core.meter import AccentLevel
from theme.core.rhythm import Rhythm
from theme.errors import OutputFileError, UsageError
from theme.metronome.clicks import MAIN
from theme.quiz.folder import write_quiz
from theme.quiz.items import (
    KINDS,
    MAX_SEED,
    Item,
    answer_in,
    check_kinds,
    check_level,
    check_seed,
    make_quiz,
)
from theme.quiz.material import FLAT_VELOCITY, STEP_LAYER, period_pulses, windows
from theme.quiz.printable import ITEMS_PER_PAGE, sheet_html
from theme.quiz.terminal import answer_index, run_quiz
from theme.quiz.writing import make_writing, shown_version, write_writing
from theme.terminal import END, LineKeys, ScriptedKeys

# -- the items -------------------------------------------------------------------------


def signature(item: Item) -> tuple:
    return (item.kind, item.question, item.choices, item.answer, item.source, item.music.events)


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, MAX_SEED),
    level=st.integers(1, 4),
    kinds=st.lists(st.sampled_from(KINDS), min_size=1, max_size=4, unique=True),
)
def test_a_seed_makes_the_same_valid_quiz_whose_answers_the_music_holds(
    seed: int, level: int, kinds: list[str]
) -> None:
    quiz = make_quiz(seed=seed, level=level, kinds=kinds, count=len(kinds) + 1)
    again = make_quiz(seed=str(seed), level=str(level), kinds=",".join(kinds), count=len(kinds) + 1)
    assert [signature(i) for i in quiz.items] == [signature(i) for i in again.items]
    assert [i.kind for i in quiz.items] == [*kinds, kinds[0]]
    for item in quiz.items:
        assert 2 <= len(item.choices) <= 4
        assert len(set(item.choices)) == len(item.choices)
        assert 0 <= item.answer < len(item.choices)
        assert answer_in(item) == item.answer_text
        assert 0 < item.music.duration_seconds <= 16
        assert item.music.title == f"Item {item.number}"  # the title tells nothing


def test_the_levels_checked_are_the_levels_played() -> None:
    from theme.quiz.material import LEVELS
    from theme.quiz.options import LEVEL_NAMES

    assert tuple(LEVELS) == LEVEL_NAMES


def test_seeds_differ() -> None:
    quizzes = {tuple(signature(i)[:4] for i in make_quiz(seed=s, count=8).items) for s in range(6)}
    assert len(quizzes) > 1


def meters_of(item: Item) -> set[str]:
    return {f"{b.meter.numerator}/{b.meter.denominator}" for b in item.music.bars}


@pytest.mark.parametrize("level", [1, 2, 3, 4])
@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_each_kind_s_answer_is_what_the_timeline_says(seed: int, level: int) -> None:
    for item in make_quiz(seed=seed, level=level, count=8).items:
        bars = item.music.bars
        if item.kind in ("meter", "remix"):
            assert meters_of(item) == {item.answer_text}
            # the bar is heard: its sounds do not repeat within it
            assert period_pulses(item.music) == bars[0].meter.numerator
        if item.kind == "remix":
            assert item.choices == ("4/4", "5/4")
        if item.kind == "grouping":
            assert {"+".join(map(str, b.meter.groups)) for b in bars} == {item.answer_text}
            assert all(sum(map(int, c.split("+"))) == bars[0].meter.numerator for c in item.choices)
            if level == 1:  # the clicks accent exactly the group starts
                pulse = bars[0].meter.pulse_quarters
                accented = [
                    int(e.onset / pulse) + 1
                    for e in item.music.bar_events(bars[0])
                    if e.accent <= AccentLevel.GROUP
                ]
                groups = [int(g) for g in item.answer_text.split("+")]
                assert accented == [1 + sum(groups[:i]) for i in range(len(groups))]
        if item.kind == "landing":
            meter = bars[0].meter
            # the dance test's own arithmetic: where each step one lands, bar by bar
            where = [beat for bar, beat in landings(meter, cycles=40) if bar == len(bars)]
            assert item.answer_text == str(where[0])
            assert not set(item.choices) - {item.answer_text} & {str(b) for b in where}


def test_the_levels_play_what_they_say() -> None:
    one, two, three, four = (
        make_quiz(seed=11, level=n, count=8, kinds="meter,remix") for n in (1, 2, 3, 4)
    )
    for item in one.items:
        assert any(e.layer == MAIN.name for e in item.music.events)  # clicks
        assert len({e.velocity for e in item.music.events}) > 1  # accents
    for item in two.items:
        assert MAIN.name not in item.music.layers  # the groove alone
    for a, b in zip(three.items, four.items):
        assert {e.velocity for e in a.music.events if e.layer != STEP_LAYER} == {FLAT_VELOCITY}
        assert {int(e.accent) for e in a.music.events} <= {int(AccentLevel.BEAT)}
        assert signature(a)[:4] == signature(b)[:4]  # level 4 is level 3, faster
        assert b.music.duration_seconds == a.music.duration_seconds * Fraction(2, 3)


def test_the_dance_keeps_its_loud_step_at_every_level() -> None:
    for level in (3, 4):
        for item in make_quiz(seed=5, level=level, count=3, kinds="landing").items:
            feet = item.music.layer_events(STEP_LAYER)
            assert len({e.velocity for e in feet}) == 2


def test_the_gallery_feeds_the_quiz() -> None:
    from theme.variants import names

    found = {w.name.split(" ")[0] for w in windows()}
    assert found == set(names())  # every variant of the gallery has a window
    sources = {
        i.source.split(",")[0] for s in range(12) for i in make_quiz(seed=s, level=2, count=8).items
    }
    assert len(sources & set(names())) >= 4
    assert any(" by " in s for s in sources)  # remetered music too


# -- bad input --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: check_seed("abc"), r"invalid seed 'abc': expected a whole number from 0 to"),
        (lambda: check_seed(-1), r"invalid seed '-1'"),
        (lambda: check_level("5"), r"invalid level '5': expected one of 1, 2, 3, 4"),
        (lambda: check_level(True), r"invalid level 'True'"),
        (
            lambda: check_kinds("meter,tempo"),
            r"invalid kind 'tempo': expected one or more of meter",
        ),
        (lambda: check_kinds(""), r"invalid kind ''"),
        (lambda: make_quiz(count=0), r"invalid count '0': expected 1 to 50"),
    ],
)
def test_bad_values_are_named(call, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UsageError, match=message):
        call()


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["quiz", "--seed", "abc", "--out", "q"], "invalid seed 'abc': expected a whole number"),
        (["quiz", "--level", "7", "--out", "q"], "invalid level '7': expected one of 1, 2, 3, 4"),
        (
            ["quiz", "--kind", "tempo", "--out", "q"],
            "invalid kind 'tempo': expected one or more of",
        ),
        (
            ["quiz", "--count", "0", "--out", "q"],
            "invalid count '0': expected a whole number of items",
        ),
        (
            ["quiz", "--audio", "mp3", "--out", "q"],
            "invalid audio 'mp3': expected one of wav, flac",
        ),
        (
            ["worksheet", "--kind", "spelling"],
            "invalid kind 'spelling': expected one or more of accents",
        ),
        (["worksheet", "--seed", "1.5"], "invalid seed '1.5'"),
    ],
)
def test_the_cli_refuses_a_bad_value_in_one_line(
    tmp_path: Path, args: list[str], named: str
) -> None:
    result = run_theme(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1 and result.stderr.startswith("theme: error: ")
    assert named in result.stderr and "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []  # nothing written


# -- the terminal quiz ------------------------------------------------------------------


def right_keys(quiz) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(item.answer + 1) for item in quiz.items]


class Played:
    """The play seam, through the real player into an array sink: records what it played."""

    def __init__(self) -> None:
        self.played: list[object] = []
        self.stopped = 0

    def __call__(self, music):  # type: ignore[no-untyped-def]
        from theme.live.engine.sinks import ArraySink
        from theme.live.start import play

        self.played.append(music)
        player = play(music, sink=ArraySink(), wait=False)
        stop = player.stop

        def counted() -> None:
            self.stopped += 1
            stop()

        player.stop = counted  # type: ignore[method-assign]
        return player


def test_scripted_keys_answer_replay_and_score() -> None:
    import io

    quiz = make_quiz(seed=3, count=4)
    keys = right_keys(quiz)
    wrong = next(str(i + 1) for i in range(len(quiz.items[1].choices)) if i != quiz.items[1].answer)
    letter = "abcd"[quiz.items[2].answer]
    script = ["r", "r", keys[0], wrong, "x", letter.upper(), keys[3]]
    out = io.StringIO()
    sound = Played()
    result = run_quiz(
        quiz, keys=ScriptedKeys([(n * 1e-9, k) for n, k in enumerate(script)]), out=out, play=sound
    )
    text = out.getvalue()
    assert result.right == 3 and result.replays == 2
    assert result.answers == [
        quiz.items[0].answer,
        int(wrong) - 1,
        quiz.items[2].answer,
        quiz.items[3].answer,
    ]
    assert text.rstrip().endswith("score: 3 of 4 right")
    assert f"wrong: it is {quiz.items[1].answer_text}" in text
    assert "invalid answer 'x' to item 3" in text  # said, and the item waited on
    assert sound.played == [quiz.items[0].music] * 3 + [i.music for i in quiz.items[1:]]
    assert sound.stopped == len(sound.played)  # every playing stopped


def test_q_stops_and_the_score_counts_what_was_answered() -> None:
    import io

    quiz = make_quiz(seed=8, count=5)
    out = io.StringIO()
    result = run_quiz(quiz, keys=ScriptedKeys([(0.0, right_keys(quiz)[0]), (1e-9, "q")]), out=out)
    assert result.answers == [quiz.items[0].answer, None, None, None, None]
    assert out.getvalue().rstrip().endswith("score: 1 of 5 right (1 of 5 answered)")


def test_answers_from_a_pipe_are_strict() -> None:
    import io

    quiz = make_quiz(seed=2, count=3)
    keys = LineKeys(io.StringIO(f"{right_keys(quiz)[0]}\n\n"))
    with pytest.raises(UsageError, match=r"invalid answer '' to item 2: expected 1 (to|or) "):
        run_quiz(quiz, keys=keys, out=io.StringIO(), strict=True)
    assert LineKeys(io.StringIO("")).poll(0) == END


@pytest.mark.parametrize(
    ("key", "choices", "index"),
    [("1", 4, 0), ("d", 4, 3), ("B", 2, 1), ("3", 2, None), ("", 4, None), ("12", 4, None)],
)
def test_answer_keys(key: str, choices: int, index: int | None) -> None:
    assert answer_index(key, choices) == index


def run_piped(args: list[str], answers: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return run_theme(*args, cwd=cwd, input=answers)


def test_the_cli_with_no_sound_card_writes_the_quiz_and_asks_it(tmp_path: Path) -> None:
    quiz = make_quiz(seed=21, level=2, count=3)
    result = run_piped(
        ["quiz", "--seed", "21", "--level", "2", "--count", "3"],
        "\n".join(right_keys(quiz)) + "\n",
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("no sound here (")
    assert "writing the quiz to theme-quiz/ instead." in result.stdout
    assert "hear it: theme-quiz/item-01.wav" in result.stdout
    assert result.stdout.rstrip().endswith("score: 3 of 3 right")
    assert sorted(p.name for p in (tmp_path / "theme-quiz").iterdir()) == [
        "index.html",
        "item-01.wav",
        "item-02.wav",
        "item-03.wav",
        "key.html",
        "worksheet.html",
    ]


def test_the_cli_refuses_an_empty_answer(tmp_path: Path) -> None:
    result = run_piped(["quiz", "--count", "2"], "\n", tmp_path)
    assert result.returncode == 2
    assert (
        result.stderr
        == "theme: error: invalid answer '' to item 1: expected "
        + (result.stderr.split("expected ", 1)[1])
    )
    assert "Traceback" not in result.stderr and len(result.stderr.splitlines()) == 1


def test_a_bad_piped_answer_is_asked_again_and_the_score_still_printed(tmp_path: Path) -> None:
    quiz = make_quiz(seed=2, count=3)
    first = right_keys(quiz)[0]
    result = run_piped(["quiz", "--seed", "2", "--count", "3"], f"x\n{first}\n", tmp_path)
    lines = result.stdout.splitlines()
    said = next(i for i, line in enumerate(lines) if "invalid answer 'x' to item 1" in line)
    assert lines[said].endswith("; again:") and lines[said + 1] == "   right"
    assert lines[-1] == "score: 1 of 3 right (1 of 3 answered)"  # the input ended: its score
    assert result.returncode == 2 and result.stderr.startswith("theme: error: invalid answer 'x'")
    assert len(result.stderr.splitlines()) == 1


def test_an_ended_quiz_prints_the_score_of_the_items_answered() -> None:
    import io

    quiz = make_quiz(seed=8, count=4)
    out = io.StringIO()
    keys = right_keys(quiz)
    result = run_quiz(quiz, keys=LineKeys(io.StringIO(f"{keys[0]}\n{keys[1]}\n")), out=out)
    assert result.answers[2:] == [None, None]
    assert out.getvalue().rstrip().endswith("score: 2 of 4 right (2 of 4 answered)")

    class Interrupted:
        def poll(self, heard_seconds: float) -> str | None:
            raise KeyboardInterrupt

    out = io.StringIO()
    with pytest.raises(KeyboardInterrupt):
        run_quiz(quiz, keys=Interrupted(), out=out)  # type: ignore[arg-type]
    assert out.getvalue().rstrip().endswith("score: 0 of 4 right (0 of 4 answered)")


def test_a_missing_device_asked_for_is_an_error(tmp_path: Path) -> None:
    result = run_piped(["quiz", "--device", "no-such-card", "--count", "1"], "1\n", tmp_path)
    assert result.returncode == 3 and len(result.stderr.splitlines()) == 1
    assert not (tmp_path / "theme-quiz").exists()


# -- the folder -------------------------------------------------------------------------


def test_out_writes_page_audio_worksheet_and_key(tmp_path: Path) -> None:
    import soundfile

    result = run_theme(
        "quiz", "--seed", "4", "--count", "12", "--audio", "flac", "--out", "q", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    quiz = make_quiz(seed=4, count=12)
    folder = tmp_path / "q"
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["index.html", "worksheet.html", "key.html", *(f"item-{n:02d}.flac" for n in range(1, 13))]
    )
    for item in quiz.items:
        info = soundfile.info(str(folder / f"item-{item.number:02d}.flac"))
        assert info.duration >= float(item.music.duration_seconds) - 1 / info.samplerate
    page = (folder / "index.html").read_text()
    assert page.count("<section class='item'") == 12
    for item in quiz.items:  # the page does not give the answer away
        assert item.source not in page
    assert "class='timeline'" not in page and "class='beat" not in page
    key = (folder / "key.html").read_text()
    for item in quiz.items:
        assert (
            f"<b>{item.number}.</b> <span class='answer'>{'ABCD'[item.answer]}) {item.answer_text}</span>"
            in key
        )
    sheet = (folder / "worksheet.html").read_text()
    assert "class='answer'" not in sheet and sheet.count("&#9744;") == sum(
        len(i.choices) for i in quiz.items
    )


def test_the_same_seed_writes_the_same_files(tmp_path: Path) -> None:
    quiz = make_quiz(seed=9, count=3)
    write_quiz(quiz, tmp_path / "a")
    write_quiz(make_quiz(seed=9, count=3), tmp_path / "b")
    for name in ("index.html", "worksheet.html", "key.html", "item-01.wav", "item-03.wav"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_a_failure_leaves_no_partial_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from theme.renderers import audiofile

    written: list[str] = []
    real = audiofile.write_audio

    def failing(music, path, **kw):  # type: ignore[no-untyped-def]
        if len(written) == 2:
            raise OutputFileError("cannot write the file: No space left on device")
        written.append(str(path))
        return real(music, path, **kw)

    monkeypatch.setattr(audiofile, "write_audio", failing)
    quiz = make_quiz(seed=1, count=4)
    with pytest.raises(OutputFileError, match="No space left"):
        write_quiz(quiz, tmp_path / "quiz")
    assert list(tmp_path.iterdir()) == []  # no folder, no hidden one
    monkeypatch.setattr(audiofile, "write_audio", real)
    write_quiz(make_quiz(seed=2, count=2), tmp_path / "quiz")
    before = sorted(p.name for p in (tmp_path / "quiz").iterdir())
    monkeypatch.setattr(audiofile, "write_audio", failing)
    written.clear()
    with pytest.raises(OutputFileError):
        write_quiz(quiz, tmp_path / "quiz")
    assert sorted(p.name for p in (tmp_path / "quiz").iterdir()) == before  # the old quiz stays
    assert [p.name for p in tmp_path.iterdir()] == ["quiz"]


def test_a_folder_of_other_files_is_refused(tmp_path: Path) -> None:
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.txt").write_text("keep me")
    result = run_theme("quiz", "--count", "1", "--out", "mine", cwd=tmp_path)
    assert result.returncode == 1 and "holds other files ('thesis.txt')" in result.stderr
    assert [p.name for p in (tmp_path / "mine").iterdir()] == ["thesis.txt"]
    result = run_theme("worksheet", "--out", "mine", cwd=tmp_path)
    assert result.returncode == 1


@pytest.mark.parametrize("items", [1, 10, 11, 25, 50])
def test_the_print_css_gives_a_page_per_ten_items(items: int) -> None:
    html = sheet_html("t", [f"<p>{n}</p>" for n in range(items)])
    sheets = html.count("<section class='sheet'>")
    assert sheets == math.ceil(items / ITEMS_PER_PAGE)
    css = re.search(r"@media print \{(.*)\}", html, re.S)
    assert (
        css and ".sheet + .sheet { break-before: page; page-break-before: always; }" in css.group(1)
    )
    # each sheet after the first is a page break: sheets - 1 breaks
    assert len(re.findall(r"</section><section class='sheet'>", html)) == sheets - 1


def test_the_quiz_worksheet_has_a_sheet_per_ten_items() -> None:
    from theme.quiz.folder import key_html, worksheet_html

    quiz = make_quiz(seed=6, count=23)
    assert worksheet_html(quiz).count("<section class='sheet'>") == 3
    assert key_html(quiz).count("<section class='sheet'>") == 3


# -- writing ----------------------------------------------------------------------------


def barred(rhythm: Rhythm) -> str:
    """A 4/4 rhythm's box with a bar line every 4 quarter notes."""
    box, per_bar = rhythm.to_box(), int(4 / rhythm.unit)
    return "|".join(box[i : i + per_bar] for i in range(0, len(box), per_bar))


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, MAX_SEED))
def test_writing_exercises_are_the_engine_s(seed: int) -> None:
    from theme.core.meter import Meter

    sheet = make_writing(seed=seed, count=9)
    assert sheet == make_writing(seed=seed, count=9)
    rhythms = [e.rhythm for e in sheet.exercises if e.rhythm]
    assert len(set(rhythms)) == len(rhythms)  # no two alike, none answers another
    prompts = [(e.prompt, tuple(e.lines)) for e in sheet.exercises]
    assert len(set(prompts)) == len(prompts)
    for exercise in sheet.exercises:
        rows = exercise.rows
        assert len({len(r.cells) for r in rows}) <= 2 and all(not r.bars for r in rows[:1])
        if exercise.kind == "accents":
            found = re.search(r"The bar of \d+/(\d+) is grouped ([\d+]+)\.", exercise.prompt)
            assert found is not None
            m = Meter.parse(f"{found.group(2)}/{found.group(1)}")
            marks = list(exercise.key[1].cells)
            assert marks == [
                ">" if level <= AccentLevel.GROUP else "" for level in m.accent_levels()
            ]
            assert set(exercise.rows[1].cells) == {""}
        elif exercise.kind == "barring":
            five, four = (row.text.split()[1] for row in exercise.key)
            assert [len(bar) for bar in five.split("|")] == [10, 10]
            assert [len(bar) for bar in four.split("|")] == [8, 8, 4]
            assert five.replace("|", "") == four.replace("|", "") == exercise.lines[0].split()[1]
            assert exercise.lines[0] == exercise.lines[1].replace("4/4", "5/4")  # no line drawn
            assert "|" not in exercise.lines[0]
        else:
            source = Rhythm.from_box(exercise.rows[0].text.split()[1])
            name = exercise.blank
            shown = Rhythm.from_box(exercise.rows[1].text.split()[1], source.unit)
            made = {
                s: shown_version(Rhythm.from_box(exercise.rhythm), s).to_box()
                for s in ("squeeze", "drop", "stretch", "rebar")
            }
            assert len(set(made.values())) == 4  # one answer
            if source.unit == Fraction(1, 2):
                assert made[name] == shown.to_box()
            assert name in ("squeeze", "drop", "stretch", "rebar")


def test_theme_worksheet_writes_the_sheet_and_its_key(tmp_path: Path) -> None:
    result = run_theme(
        "worksheet",
        "--seed",
        "12",
        "--count",
        "15",
        "--paper",
        "letter",
        "--out",
        "w",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "Writing worksheet 12: 15 exercises (accents, barring, strategy)",
        "wrote w/worksheet.html (to print) and w/key.html (the key)",
    ]
    sheet = (tmp_path / "w" / "worksheet.html").read_text()
    key = (tmp_path / "w" / "key.html").read_text()
    assert "@page { size: letter;" in sheet and "@page { size: letter;" in key
    writing = make_writing(seed=12, count=15)
    for exercise in writing.exercises:
        assert escape(exercise.answer) in key and escape(exercise.answer) not in sheet
    assert "theme worksheet" not in sheet and "theme worksheet --seed 12" in key
    assert "How to read the boxes" in sheet
    bad = run_theme("worksheet", "--paper", "a3", "--out", "x", cwd=tmp_path)
    assert bad.returncode == 2 and bad.stderr == (
        "theme: error: invalid paper 'a3': expected one of a4, letter\n"
    )


def test_write_writing_is_whole_or_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from theme.quiz import writing as module

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OutputFileError("cannot write: disk full")

    sheet = make_writing(seed=3, count=2)
    monkeypatch.setattr(module, "sheet_html", broken)
    with pytest.raises(OutputFileError):
        write_writing(sheet, tmp_path / "w")
    assert list(tmp_path.iterdir()) == []


# -- in the browser ---------------------------------------------------------------------


@pytest.mark.browser
def test_the_worksheet_prints_a_page_per_ten_items(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import base64

    quiz = make_quiz(seed=15, count=25)
    folder = tmp_path / "quiz"
    folder.mkdir()
    from theme.quiz.folder import key_html, worksheet_html

    for name, html in (("worksheet.html", worksheet_html(quiz)), ("key.html", key_html(quiz))):
        (folder / name).write_text(html, encoding="utf-8")
        browser.get((folder / name).as_uri())
        pdf = base64.b64decode(browser.print_page())
        assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 3, name


WALTZ = """name = "waltz-test"
title = "A waltz of the tests"
tempo = "q=150"
[layers.bass]
voice = "bass"
pitches = ["C2"]
[layers.hats]
voice = "hihat"
drum = true
pitches = [42]
[[sections]]
name = "a"
meter = "3/4"
bars = 8
patterns = { bass = "X.....", hats = "--x-x-" }
"""


def test_a_new_gallery_entry_joins_the_quiz(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    from theme.variants import loader

    data = tmp_path / "data"
    shutil.copytree(loader.DATA, data)
    (data / "waltz-test.toml").write_text(WALTZ)
    monkeypatch.setattr(loader, "DATA", data)
    assert "waltz-test" in {w.name for w in windows()}
    seen = set()
    for seed in range(40):
        for item in make_quiz(seed=seed, level=2, count=4, kinds="meter,landing").items:
            assert answer_in(item) == item.answer_text
            if item.source.startswith("waltz-test"):
                seen.add(item.kind)
                if item.kind == "landing":  # 3/4 under a four-count step: 1, 2, 3, -, 1
                    where = [
                        b for bar, b in landings("3/4", cycles=40) if bar == len(item.music.bars)
                    ]
                    assert item.answer_text == str(where[0])
    assert seen == {"meter", "landing"}


# -- live sound -------------------------------------------------------------------------

JACK_SERVER = f"theme-quiz-{os.getpid()}"
JACK_ENV = {
    **os.environ,
    "JACK_DEFAULT_SERVER": JACK_SERVER,
    "JACK_NO_AUDIO_RESERVATION": "1",
    "JACK_NO_START_SERVER": "1",
}


@pytest.fixture(scope="module")
def jack_server():  # type: ignore[no-untyped-def]
    import shutil

    for program in ("jackd", "jack_lsp"):
        if not shutil.which(program):
            pytest.skip(f"{program} is not installed (apt-get install jackd2)")
    try:
        import sounddevice  # noqa: F401
    except OSError:
        pytest.skip("PortAudio is not installed (apt-get install libportaudio2)")
    server = start_jack_server(JACK_ENV)
    yield
    stop_jack_server(server)


@pytest.mark.jack
def test_the_quiz_plays_live_and_replays(jack_server: None, tmp_path: Path) -> None:
    quiz = make_quiz(seed=5, count=2)
    answers = f"r\n{right_keys(quiz)[0]}\n{right_keys(quiz)[1]}\n"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "theme",
            "quiz",
            "--seed",
            "5",
            "--count",
            "2",
            "--device",
            "system",
        ],
        input=answers,
        env=JACK_ENV,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "no sound here" not in result.stdout and not result.stderr
    assert result.stdout.count("   playing (") == 2 and result.stdout.count("again: playing (") == 1
    assert result.stdout.rstrip().endswith("score: 2 of 2 right")
    assert list(tmp_path.iterdir()) == []  # played, not written
