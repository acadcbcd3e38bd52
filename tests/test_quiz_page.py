"""The quiz page: one item a screen, played by the page's own player; class mode and
practice mode in headless Chromium at a projector's 1366x768; the same bytes for the same
seed; the page's text never spells an answer out."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path

import pytest

from tests.conftest import run_theme, writes_while_playing
from theme.page.data import timeline_data
from theme.quiz.folder import write_quiz
from theme.quiz.items import make_quiz
from theme.quiz.stage import quiz_page, why_lines

SHOTS = Path(__file__).resolve().parent.parent / "docs"


def secrets(page: str) -> list[dict]:  # type: ignore[type-arg]
    packed = re.findall(
        r"<script type='application/octet-stream' class='secret'>([^<]*)</script>", page
    )
    return [json.loads(base64.b64decode(p)) for p in packed]


def test_the_page_plays_each_item_s_own_timeline_and_spells_no_answer() -> None:
    quiz = make_quiz(seed=7, level=2, count=8)
    page = quiz_page(quiz)
    assert "<audio" not in page and "data:audio" not in page  # the page's own player
    found = secrets(page)
    assert [s["answer"] for s in found] == [i.answer for i in quiz.items]
    assert [s["music"] for s in found] == [
        json.loads(json.dumps(timeline_data(i.music))) for i in quiz.items
    ]
    text = re.sub(r"<script[^>]*>.*?</script>", "", page, flags=re.S)
    for item in quiz.items:
        assert item.source not in page
        assert why_lines(item)[0] not in text
    assert "data-answer" not in page and "class='beat" not in text
    assert "theme quiz --seed 7" in page.split("<aside", 1)[1].split("</aside>")[0]  # the drawer
    assert "theme quiz --seed" not in page.split("</aside>", 1)[1]  # nowhere a pupil sees


def test_two_runs_write_the_same_bytes(tmp_path: Path) -> None:
    for folder, audio in (("a", "wav"), ("b", "wav"), ("c", "flac"), ("d", "flac")):
        result = run_theme(
            "quiz", "--seed", "11", "--count", "4", "--audio", audio, "--out", folder, cwd=tmp_path
        )
        assert result.returncode == 0, result.stderr

    def digests(folder: str) -> dict[str, str]:
        return {
            p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted((tmp_path / folder).iterdir())
        }

    assert digests("a") == digests("b") and len(digests("a")) == 7
    assert digests("c") == digests("d")


def test_class_mode_on_the_command_line(tmp_path: Path) -> None:
    result = run_theme("quiz", "--seed", "3", "--count", "2", "--class", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "theme-quiz/index.html" in result.stdout and "class mode" in result.stdout
    page = (tmp_path / "theme-quiz" / "index.html").read_text()
    assert "<body class='quizpage' data-mode='class'>" in page


# -- in the browser ---------------------------------------------------------------------

FITS = """
const inside = (el) => { const r = el.getBoundingClientRect();
  return r.width > 0 && r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight + 0.5
         && r.right <= innerWidth + 0.5; };
const section = document.querySelector('section.item.current');
return {n: Theme.quiz.current(), scroll: document.documentElement.scrollHeight,
  wide: document.documentElement.scrollWidth, fits: inside(section),
  visible: Array.from(document.querySelectorAll('section.item')).filter(s => s.offsetParent).length,
  right: section.querySelectorAll('.choice.right').length,
  why: !section.querySelector('.why').hidden, whyText: section.querySelector('.why').innerText,
  verdict: section.querySelector('.verdict').textContent,
  question: parseFloat(getComputedStyle(section.querySelector('h2')).fontSize),
  choice: parseFloat(getComputedStyle(section.querySelector('.choice')).fontSize),
  light: section.querySelectorAll('.why .beat').length};
"""


def viewport(browser, width: int, height: int) -> None:  # type: ignore[no-untyped-def]
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
    )


def press(browser, key: str) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.action_chains import ActionChains

    ActionChains(browser).send_keys(key).perform()


@pytest.mark.browser
@pytest.mark.parametrize(("seed", "level"), [(7, 2), (7, 1), (21, 4)])
def test_class_mode_an_item_a_screen_the_answer_only_when_shown(  # type: ignore[no-untyped-def]
    browser, tmp_path: Path, seed: int, level: int
) -> None:
    from selenium.webdriver.common.keys import Keys

    quiz = make_quiz(seed=seed, level=level, count=10)
    files = write_quiz(quiz, tmp_path / "quiz", mode="class")
    viewport(browser, 1366, 768)
    try:
        browser.get(files.page.resolve().as_uri())
        for n, item in enumerate(quiz.items):
            before = browser.execute_script(FITS)
            assert before["n"] == n and before["visible"] == 1
            assert before["scroll"] <= 768 and before["wide"] <= 1366
            assert before["right"] == 0 and not before["why"] and before["verdict"] == ""
            assert before["question"] >= 30 and before["choice"] >= 30  # read from the back row
            press(browser, "r")
            after = browser.execute_script(FITS)
            assert after["right"] == 1 and after["why"] and after["light"] >= 1
            assert after["fits"] and after["scroll"] <= 768, (n, after)
            assert why_lines(item)[0] in after["whyText"]
            assert after["verdict"] == f"The answer: {'ABCD'[item.answer]}"
            if n == 1 and seed == 7 and level == 2:
                browser.save_screenshot(str(tmp_path / "class.png"))
            press(browser, Keys.PAGE_DOWN if n % 2 else Keys.ARROW_RIGHT)
        assert browser.execute_script(FITS)["n"] == len(quiz.items) - 1  # stays on the last
        press(browser, Keys.PAGE_UP)
        assert browser.execute_script(FITS)["n"] == len(quiz.items) - 2
        press(browser, Keys.HOME)
        assert browser.execute_script(FITS)["n"] == 0
        assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []
    finally:
        viewport(browser, 1280, 2000)


PLAYED = """
const done = arguments[arguments.length - 1];
const section = document.querySelector('section.item.current');
const player = Theme.playerFor(section);
const positions = [];
section.addEventListener('theme:position', e => positions.push(e.detail));
section.querySelector('button.play').click();
setTimeout(() => {
  const playing = player.playing, label = section.querySelector('button.play').textContent;
  section.querySelector('button.play').click();
  done({playing, label, after: player.playing, moved: positions.some(p => p.playing && p.q > 0),
        scheduled: player.scheduled.length, events: player.data.events.length,
        lit: section.querySelector('.why .beat').dataset.now});
}, 1500);
"""


@pytest.mark.browser
def test_space_plays_the_item_through_the_page_s_player(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    quiz = make_quiz(seed=5, level=1, count=2)
    files = write_quiz(quiz, tmp_path / "quiz", mode="class")
    browser.get(files.page.resolve().as_uri())
    result = browser.execute_async_script(PLAYED)
    assert result["playing"] and result["label"] == "Stop" and not result["after"]
    assert result["moved"] and result["events"] == len(
        [e for e in quiz.items[0].music.events if e.layer in quiz.items[0].music.layers]
    )
    assert result["lit"] != "1:1"  # the beat light followed the music, hidden or not


@pytest.mark.browser
def test_a_playing_item_writes_only_what_changes(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    files = write_quiz(make_quiz(seed=5, level=1, count=2), tmp_path / "quiz", mode="class")
    browser.get(files.page.resolve().as_uri())
    seen = writes_while_playing(browser, "section.current button.play")
    assert seen["playing"] and seen["writes"] > 0, seen
    assert seen["unchanged"] == {}, seen  # its button's words are not written every frame


PRACTICE = """
const picks = arguments[0];
const states = Theme.quiz.states;
const out = {before: document.getElementById('quiz-score').textContent, verdicts: []};
picks.forEach((pick, i) => {
  if (pick === null) { return; }
  Theme.quiz.show(i);
  states[i].choices[pick].click();
  states[i].choices[(pick + 1) % states[i].choices.length].click();  // a second changes nothing
  out.verdicts.push(states[i].verdict.textContent);
});
out.after = document.getElementById('quiz-score').textContent;
out.marked = states.map(s => s.section.querySelectorAll('.choice.right').length);
out.why = states.map(s => !s.why.hidden);
return out;
"""


@pytest.mark.browser
def test_practice_mode_marks_at_once_and_scores(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    quiz = make_quiz(seed=14, count=4)
    files = write_quiz(quiz, tmp_path / "quiz")
    viewport(browser, 1366, 768)
    try:
        browser.get(files.page.resolve().as_uri())
        wrong = (quiz.items[1].answer + 1) % len(quiz.items[1].choices)
        picks = [quiz.items[0].answer, wrong, quiz.items[2].answer, None]
        result = browser.execute_script(PRACTICE, picks)
        assert result["before"] == "Score: 0 of 4 right (0 answered)"
        assert result["after"] == "Score: 2 of 4 right (3 answered)"
        assert result["verdicts"] == [
            "Right!",
            f"Not quite: it is {quiz.items[1].answer_text}.",
            "Right!",
        ]
        assert result["marked"] == [1, 1, 1, 0] and result["why"] == [True, True, True, False]
        browser.execute_script("Theme.quiz.show(3)")
        press(browser, str(quiz.items[3].answer + 1))  # a number key answers
        assert browser.execute_script(
            "return document.getElementById('quiz-score').textContent"
        ) == ("Score: 3 of 4 right")
        assert browser.execute_script(FITS)["scroll"] <= 768
        browser.save_screenshot(str(tmp_path / "practice.png"))
    finally:
        viewport(browser, 1280, 2000)


@pytest.mark.browser
def test_hands_are_counted_and_the_drawer_holds_the_command(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    quiz = make_quiz(seed=2, count=2)
    files = write_quiz(quiz, tmp_path / "quiz", mode="class")
    browser.get(files.page.resolve().as_uri())
    assert browser.execute_script("return document.getElementById('drawer').hidden")
    press(browser, "t")
    assert not browser.execute_script("return document.getElementById('drawer').hidden")
    browser.execute_script("document.querySelector('.count-hands').click()")
    press(browser, "\ue00c")  # Escape closes the drawer
    for key in "1121":
        press(browser, key)
    hands = browser.execute_script(
        "return Array.from(document.querySelectorAll('section.item.current .hands'))"
        ".map(h => h.textContent)"
    )
    assert hands[:2] == ["3", "1"]
    assert browser.execute_script(FITS)["right"] == 0  # counting hands shows no answer
