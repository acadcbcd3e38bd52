"""Words for a class: every text the pages (the tour's steps, each variant's page, metronome
pages, step 8's repertoire) and ``theme show`` / ``theme list`` display for every built-in
entry, read and refused where a placeholder stands for a number, a count says "1 bars", a
meter is labelled in another style than ``9/8 (2+2+2+3)`` (``theme list``'s), or a title
does not read as one. And the command line's help for a mistyped name."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest

import theme
from tests.conftest import run_theme
from theme.classroom.elsewhere import EXTRA_STEPS
from theme.classroom.tour import STEPS, Step
from theme.cli import main
from theme.page.document import PageSection, page_html, timeline_section

NAMES = theme.names()

PLACEHOLDER = re.compile(
    r"\b[A-Z]\s+(?:bars?|beats?|pulses?|times|notes?|steps?|counts?|eighths?|quarters?|"
    r"groups?|seconds?|minutes?|ms)\b"  # 'an interlude of M bars'
    r"|\b(?:of|every|after|than|to|by)\s+(?!A\b|I\b)[A-Z]\b(?![.'\u2019])"  # 'every N', 'of K'
    r"|\b[A-Z]/\d|\b\d+/[A-Z]\b"  # 'N/4', '5/D'
    r"|\bTODO\b|\bXXX\b|\bFIXME\b|[{}]"
)
"""A letter or a marker standing where a number or a text should be."""
ALLOWED = ("bars A to B",)
"""Phrases that name things by a capital on purpose: a loop from point A to point B."""
ONE_MANY = re.compile(
    r"(?<![\d.])1 (?:bars|beats|pulses|notes|steps|times|clicks|eighths|quarters|groups|"
    r"seconds|minutes|taps|hits|items|layers|cells)\b"
)
OTHER_LABEL = re.compile(r"(?<![\w/])\d+(?:\+\d+)+/\d+\b")
"""A meter labelled ``2+2+2+3/8`` (the command line's way to type one), not ``9/8
(2+2+2+3)``."""
NOT_A_TITLE = re.compile(
    r"in the manner of[,:)]|, rhythm$|\bgroup(?:ed|ing)? by group(?:ed|ing)?\b"
)
"""A title or phrase left half made: 'in the manner of, rhythm', 'grouped by grouping'."""


def problems(texts: Iterator[str] | list[str]) -> list[str]:
    """Each text that a class should not read, with why."""
    found = []
    for text in texts:
        checked = text
        for phrase in ALLOWED:
            checked = checked.replace(phrase, "")
        for pattern, why in (
            (PLACEHOLDER, "a placeholder"),
            (ONE_MANY, "a plural after 1"),
            (OTHER_LABEL, "a meter not labelled as 9/8 (2+2+2+3)"),
            (NOT_A_TITLE, "a half-made title"),
        ):
            match = pattern.search(checked)
            if match:
                found.append(f"{why}: {match.group(0)!r} in {text!r}")
    return found


class _Visible(HTMLParser):
    """The text a page shows and says (labels for screen readers too), without its scripts,
    its styles and the commands written in ``<code>`` for the command line."""

    SKIPPED = ("script", "style", "code")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.skipping = 0
        self.texts: list[str] = []
        self.data: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIPPED:
            self.skipping += 1
        for name, value in attrs:
            if value and name in ("aria-label", "title", "alt", "placeholder"):
                self.texts.append(value)
            if value and name == "data-follow":
                self.data.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIPPED:
            self.skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self.skipping and data.strip():
            self.texts.append(" ".join(data.split()))


def page_texts(html: str) -> list[str]:
    """What a page shows: its visible text, and the texts its scripts show from the data
    they read (each bar's meter and section, the music's title)."""
    visible = _Visible()
    visible.feed(html)
    texts = list(visible.texts)
    for data in re.findall(
        r"<script type='application/json' class='timeline'>(.*?)</script>", html
    ):
        music = json.loads(data)
        texts.append(music["title"])
        texts += [bar["meter"] for bar in music["bars"]] + [bar["section"] for bar in music["bars"]]
        texts += [layer["name"] for layer in music["layers"]]
    return [t for t in texts if t]


def step_section(step: Step) -> PageSection:
    return PageSection.for_music(
        f"{step.number}. {step.title}",
        step.music(None),
        paragraphs=[" ".join(step.text)],
        pictures=[step.picture()],
    )


# -- the checks check ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "bad",
    [
        "A 4/4 rock body with an interlude of M bars in 5/4.",
        "every N beats",
        "b: 1 x 3+3+3  3+3+3/8  1 bars",
        "2+2+2+3/8",
        "1996 dance remix in the manner of, rhythm",
        "Two bars of each, grouped by grouping",
        "TODO",
        "{verse_bars} bars",
        "5/N",
    ],
)
def test_the_reading_refuses_what_a_class_should_not_read(bad: str) -> None:
    assert problems([bad]), bad


@pytest.mark.parametrize(
    "good",
    [
        "In Morse code that is M.I.: dash dash dot dot.",
        "9/8 (2+2+2+3)",
        "1 bar, 4 bars, 11 bars",
        "A 4/4 rock body built on the riff",
        "loop: bars A to B",
        "the & of 2",
        "Blue Rondo a la Turk (Brubeck), 9/8: three bars of 2+2+2+3, one of 3+3+3",
    ],
)
def test_the_reading_lets_plain_words_pass(good: str) -> None:
    assert problems([good]) == []


# -- what the command line shows ----------------------------------------------------------


def test_theme_list_reads_well(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list"]) == 0
    shown = capsys.readouterr().out
    assert problems(shown.splitlines()) == []
    assert "9/8 (2+2+2+3), 9/8 (3+3+3)" in shown  # Blue Rondo: one meter, two groupings


@pytest.mark.parametrize("name", NAMES)
def test_theme_show_reads_well(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", name]) == 0
    shown = capsys.readouterr().out
    prose = [line for line in shown.splitlines() if not re.match(r"\s{2}\S+\s{2,}[Xx>.\-' ]", line)]
    assert problems(prose) == []
    variant = theme.load(name)
    assert not variant.title[0].islower()  # a title starts as one
    for section in variant.sections:  # the form: each section's meter as theme list says it
        assert section.meter.label in shown


def test_a_section_of_one_bar_says_bar(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", "blue-rondo"]) == 0
    shown = capsys.readouterr().out
    assert "b: 1 x 3+3+3: bar 4, in 9/8 (3+3+3)" in shown
    assert "9/8 (3+3+3)    1 bar\n" in shown


def test_remix_2000_says_how_long_its_interlude_is(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", "remix-2000", "-p", "interlude_bars=6"]) == 0
    shown = capsys.readouterr().out
    assert "interlude (5/4)    5/4 (3+2)  6 bars" in shown
    assert " M bars" not in shown


# -- what the pages show ------------------------------------------------------------------


@pytest.mark.parametrize("step", [*STEPS, *EXTRA_STEPS], ids=lambda s: f"step-{s.number}")
def test_each_step_of_the_tour_reads_well(step: Step) -> None:
    assert problems([step.title, *step.text]) == []
    html = page_html("tour", [step_section(step)], slides=True)
    assert problems(page_texts(html)) == []


def test_step_8_labels_its_meters_one_way() -> None:
    (step,) = EXTRA_STEPS
    html = page_html("tour", [step_section(step)])
    labels = {
        bar["meter"]
        for bar in json.loads(re.findall(r"class='timeline'>(.*?)</script>", html)[0])["bars"]
    }
    assert labels == {
        "5/4 (3+2)",
        "5/4 (2+3)",
        "7/8 (2+2+3)",
        "7/8 (3+2+2)",
        "9/8 (2+2+2+3)",
        "9/8 (3+3+3)",
        "11/8 (2+2+3+2+2)",
    }
    counting = {unescape(m) for m in re.findall(r"<span class='meter'>([^<]*)</span>", html)}
    assert counting == labels  # the counting lines name each kind of bar the same way


@pytest.mark.parametrize("name", NAMES)
def test_each_variant_page_reads_well(name: str) -> None:
    timeline = theme.load(name).timeline().head(4)
    html = page_html(timeline.title, [timeline_section(timeline, notation_bars=4)])
    assert problems(page_texts(html)) == []


@pytest.mark.parametrize(
    "options",
    [
        {"meter": "5/4"},
        {"meter": "7/8", "vs": "4/4"},
        {"meter": "5/4", "vs": "4/4", "align": "bar"},
        {"meter": "2+2+2+3/8", "vs": "3+3+3/8", "count_in": 1},
        {"meter": "7/8", "subdivide": 2, "gap": "1:1"},
    ],
    ids=lambda o: " ".join(f"{k}={v}" for k, v in o.items()),
)
def test_each_metronome_page_reads_well(options: dict[str, object], tmp_path: Path) -> None:
    metronome = theme.Metronome(**options, bars=4)  # type: ignore[arg-type]
    path = theme.write(metronome, tmp_path / "m.html")
    assert problems(page_texts(path.read_text(encoding="utf-8"))) == []


# -- names mistyped -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["show", "take-five"], "unknown variant 'take-five' (did you mean take-five-vamp?)"),
        (["show", "blue-rondo-"], "(did you mean blue-rondo?)"),
        (["export", "tv1966", "-o", "x.mid"], "(did you mean tv-1966?)"),
        (
            ["show", "tv-1966", "-p", "intro_bar=2"],
            "unknown parameter 'intro_bar' (did you mean intro_bars?)",
        ),
        (["list", "--group", "dance"], "invalid group 'dance' (did you mean dances?)"),
        (["remeter", "tv-1966", "--strategy", "squeez", "-o", "x.mid"], "(did you mean squeeze?)"),
        (["tap", "tv-1966", "--pattern", "bongo"], "(did you mean bongos?)"),
    ],
)
def test_a_mistyped_name_is_answered_with_the_closest(
    args: list[str], said: str, tmp_path: Path
) -> None:
    result = run_theme(*args, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert said in result.stderr and result.stderr.count("\n") == 1
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_a_name_far_from_every_other_gets_the_list_only(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", "zzzz"]) == 2
    said = capsys.readouterr().err
    assert "did you mean" not in said and "take-five-vamp" in said


# -- a metronome page needs no --bars -----------------------------------------------------


@pytest.mark.parametrize(
    ("args", "bars"),
    [(["7/8", "--vs", "4/4"], 8), (["13/16", "--vs", "4/4"], 16), (["5/4"], 8)],
)
def test_a_metronome_page_needs_no_bars(args: list[str], bars: int, tmp_path: Path) -> None:
    result = run_theme("metronome", *args, "-o", "m.html", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f", {bars} bars)" in result.stdout
    html = (tmp_path / "m.html").read_text(encoding="utf-8")
    music = json.loads(re.findall(r"class='timeline'>(.*?)</script>", html)[0])
    assert len(music["bars"]) == bars
    second = theme.Metronome(args[0], vs=args[2] if len(args) > 2 else None)
    every = second.meeting_every
    if every is not None:  # a whole number of meetings of the downbeats: the loop joins
        assert (bars * second.bar_quarters) % every == 0


def test_a_sound_file_of_a_metronome_still_needs_bars(tmp_path: Path) -> None:
    result = run_theme("metronome", "7/8", "-o", "m.wav", cwd=tmp_path)
    assert result.returncode == 2
    assert "-o needs --bars N for a sound or MIDI file" in result.stderr
    assert list(tmp_path.iterdir()) == []


# -- the teacher's guide: every command in it is one the tool takes -----------------------

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "teacher-guide.md"


def guide_commands() -> list[list[str]]:
    """Each ``uv run theme ...`` of the guide, as its words: a line of a code block, or a
    span in backticks (which may wrap a line)."""
    text = GUIDE.read_text(encoding="utf-8")
    blocks = re.findall(r"```\n(.*?)```", text, re.S)
    found = [line for block in blocks for line in block.splitlines()]
    inline = re.sub(r"```\n.*?```", "", text, flags=re.S)
    found += re.findall(r"`([^`]+)`", " ".join(inline.split()))
    commands = [c.strip().split()[3:] for c in found if c.strip().startswith("uv run theme ")]
    return [list(words) for words in dict.fromkeys(map(tuple, commands))]


def test_the_guide_names_only_commands_the_tool_takes() -> None:
    from theme.cli import build_parser

    commands = guide_commands()
    assert len(commands) >= 8
    parser = build_parser()
    for words in commands:
        parser.parse_args(words)  # an unknown option or value exits here, naming it


@pytest.mark.parametrize(
    "words", [w for w in guide_commands() if w[0] in ("metronome", "show", "list", "export")]
)
def test_the_guides_quick_commands_run(words: list[str], tmp_path: Path) -> None:
    result = run_theme(*words, cwd=tmp_path)
    assert result.returncode == 0, (words, result.stderr)
