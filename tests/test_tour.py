"""The tour: written whole or not at all, one step beside a tour, the same dance as
``theme dance``, what it says, and a terminal that is closed or cannot show every glyph."""

from __future__ import annotations

import argparse
import io
import re
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import run_theme
from theme.classroom.dance import dance_timeline
from theme.classroom.tour import STEPS, STRATEGY_ORDER, Step, play_tour, steps, write_tour
from theme.core.meter import Meter
from theme.core.remeter import STRATEGIES
from theme.core.timeline import Timeline
from theme.errors import OutputFileError

OLD_TOUR = {"index.html": "the old tour", "step-1.wav": "old sound", "step-7.svg": "old picture"}


def old_tour(folder: Path) -> Path:
    folder.mkdir()
    for name, text in OLD_TOUR.items():
        (folder / name).write_text(text)
    return folder


def contents(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text(errors="replace") for p in sorted(folder.iterdir())}


def fail_on_call(n: int) -> Callable[..., Path]:
    """A MIDI writer that writes the first ``n - 1`` files and fails on the ``n``-th."""
    from theme.renderers.midi import write_midi

    calls = []

    def writer(music: Timeline, path: Path) -> Path:
        calls.append(path)
        if len(calls) == n:
            raise OutputFileError(f"cannot write {str(path)!r}: disk full")
        return write_midi(music, path)

    return writer


@pytest.mark.parametrize("selected", [None, 2])
def test_a_tour_that_fails_half_way_leaves_the_old_one_and_no_temporary_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, selected: int | None
) -> None:
    folder = old_tour(tmp_path / "tour")
    monkeypatch.setattr("theme.renderers.midi.write_midi", fail_on_call(1 if selected else 3))
    with pytest.raises(OutputFileError, match="disk full"):
        write_tour(folder, selected=selected)
    assert contents(folder) == OLD_TOUR
    assert [p.name for p in tmp_path.iterdir()] == ["tour"]


def test_a_failure_names_the_folder_given_not_the_hidden_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("theme.renderers.midi.write_midi", fail_on_call(1))
    with pytest.raises(OutputFileError) as failure:
        write_tour(tmp_path / "tour")
    assert str(tmp_path / "tour" / "step-1.mid") in str(failure.value)
    assert ".tmp" not in str(failure.value)


def test_a_folder_of_other_files_is_never_replaced_by_a_tour(tmp_path: Path) -> None:
    folder = tmp_path / "documents"
    folder.mkdir()
    (folder / "thesis.odt").write_text("years of work")
    with pytest.raises(OutputFileError, match=r"holds other files \('thesis\.odt'"):
        write_tour(folder)
    assert contents(folder) == {"thesis.odt": "years of work"}
    assert [p.name for p in tmp_path.iterdir()] == ["documents"]


def test_one_step_is_written_beside_the_tour_and_never_replaces_its_page(tmp_path: Path) -> None:
    folder = old_tour(tmp_path / "tour")
    page = write_tour(folder, selected=2)
    assert page == folder / "step-2.html"
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [*OLD_TOUR, "step-2.html", "step-2.mid", "step-2.svg", "step-2.wav"]
    )
    assert all((folder / name).read_text() == text for name, text in OLD_TOUR.items())
    html = page.read_text()
    assert html.count("<section") == 1 and "2. The ostinato over the count" in html


def test_demo_of_one_step_with_no_sound_card_says_where_and_keeps_the_tour(
    tmp_path: Path,
) -> None:
    old_tour(tmp_path / "theme-tour")
    result = run_theme("demo", "--step", "2", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "writing step 2 to theme-tour/step-2.html instead" in result.stdout
    assert "open theme-tour/step-2.html in a browser" in result.stdout
    assert (tmp_path / "theme-tour" / "index.html").read_text() == "the old tour"
    assert (tmp_path / "theme-tour" / "step-2.html").exists()


def test_the_tour_dances_to_the_music_of_theme_dance_with_a_groove_in_every_bar() -> None:
    tour = STEPS[6].music(None)
    dance = dance_timeline("5/4")
    assert tour.events == dance.events and len(tour.bars) == len(dance.bars) == 5
    bass_bars = {tour.position(e.onset)[0] for e in tour.layer_events("bass")}
    assert bass_bars == {1, 2, 3, 4, 5}


def test_step_twos_words_are_stressed_on_one_and_four_as_the_count_is() -> None:
    text = " ".join(STEPS[1].text)
    assert "hip-po" not in text.lower()
    words = re.search(r": ((?:[A-Za-z]+-)+[A-Za-z]+ (?:[A-Za-z]+-)*[A-Za-z]+)", text)
    assert words is not None, text
    syllables = re.split(r"[- ]", words[1])
    stressed = [i for i, s in enumerate(syllables) if s.isupper()]
    assert len(syllables) == 5 and stressed == list(Meter.parse("5/4").group_starts)


def test_step_five_draws_the_strategies_it_names() -> None:
    text = " ".join(STEPS[4].text)
    named = [name for name in STRATEGIES if re.search(rf"\b{name}\b", text)]
    labels = re.findall(r"<text [^>]*font-weight='bold'[^>]*>([^<]+)</text>", STEPS[4].picture())
    drawn = [label for label in labels if label in STRATEGIES]
    assert sorted(named) == sorted(drawn) == sorted(STRATEGY_ORDER)
    assert "four strategies" in labels[0]


def test_a_tempo_too_slow_for_the_page_is_refused_before_any_file(tmp_path: Path) -> None:
    result = run_theme("demo", "--tempo", "4", "--out", "tour", cwd=tmp_path)
    assert result.returncode == 2
    assert re.fullmatch(
        r"theme: error: invalid tempo 'q=4' for the tour: step \d would last "
        r"(\d+ h )?(\d+ min)?( [\d.]+ s)?; "
        r"a step lasts at most 10 minutes \(a tempo of at least q=\d+\)\n",
        result.stderr,
    )
    assert list(tmp_path.iterdir()) == []


class Recorder:
    """``play_tour`` in place of the real one: asks ``go_on`` before each step after the first."""

    def __init__(self) -> None:
        self.asked = 0

    def __call__(self, chosen: list[Step], *, go_on: Callable[[Step], bool], **_: object) -> int:
        for step in chosen[1:]:
            self.asked += 1
            if not go_on(step):
                break
        return len(chosen)


def parsed(*argv: str) -> argparse.Namespace:
    from theme.cli import build_parser

    return build_parser().parse_args(argv)


@pytest.mark.parametrize("stdin", [None, "closed"])
def test_the_demo_with_standard_input_closed_goes_on_without_waiting(
    monkeypatch: pytest.MonkeyPatch, stdin: str | None
) -> None:
    from theme.cli.classroom import run_demo

    stream = None
    if stdin == "closed":
        stream = io.StringIO()
        stream.close()
    monkeypatch.setattr(sys, "stdin", stream)
    monkeypatch.setattr("theme.live.engine.sinks.resolve_device", lambda device: 0)
    recorder = Recorder()
    monkeypatch.setattr("theme.classroom.tour.play_tour", recorder)
    assert run_demo(parsed("demo")) == 0
    assert recorder.asked == len(STEPS) - 1


class EndedTerminal(io.StringIO):
    """A terminal whose input ends (Ctrl-D) at the first question."""

    def isatty(self) -> bool:
        return True

    def readline(self, *args: object) -> str:
        return ""


def test_ctrl_d_at_the_question_ends_the_tour(monkeypatch: pytest.MonkeyPatch) -> None:
    from theme.cli.classroom import run_demo

    monkeypatch.setattr(sys, "stdin", EndedTerminal())
    monkeypatch.setattr("theme.live.engine.sinks.resolve_device", lambda device: 0)
    recorder = Recorder()
    monkeypatch.setattr("theme.classroom.tour.play_tour", recorder)
    assert run_demo(parsed("demo")) == 0 and recorder.asked == 1


def test_the_tour_plays_with_standard_output_closed(monkeypatch: pytest.MonkeyPatch) -> None:
    from theme.live.engine.sinks import ArraySink

    monkeypatch.setattr(sys, "stdout", None)
    assert play_tour(steps(6), sink=ArraySink) == 1


def test_text_from_files_is_shown_with_its_control_characters_visible() -> None:
    from theme.live.engine.sinks import ArraySink

    music = Timeline.build(
        title="t", bars=[(Meter.parse("5/4"), "intro\x1b]0;owned\x07")], tempo=600
    )
    step = Step(1, "A title\x1b[2J", ("said",), lambda tempo: music, lambda: "")
    out = io.StringIO()
    play_tour([step], sink=ArraySink, out=out)
    shown = out.getvalue()
    assert "\x1b" not in shown and "\x07" not in shown
    assert "A title\\x1b[2J" in shown and "intro\\x1b]0;owned\\x07" in shown


def test_the_tour_in_ascii_where_the_terminal_cannot_show_more() -> None:
    from theme.live.engine.sinks import ArraySink

    music = Timeline.build(title="t", bars=[(Meter.parse("5/4"), "intro \u2014 A")], tempo=600)
    step = Step(1, "Count \u25cf five", ("said",), lambda tempo: music, lambda: "")
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding="ascii")
    play_tour([step], sink=ArraySink, out=out)
    out.flush()
    shown = raw.getvalue().decode("ascii")
    assert "Count \\u25cf five" in shown and "intro \\u2014 A" in shown


def test_the_dance_line_in_ascii_where_the_terminal_cannot_show_its_glyphs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from theme.cli.classroom import run_dance

    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding="ascii")
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr("theme.live.start.play", lambda timeline, **options: None)

    def follow(player: object, line_at: Callable[[float], str], **options: object) -> bool:
        for seconds in (0.0, 0.5):
            print(line_at(seconds), file=options.get("out") or sys.stdout)
        return True

    monkeypatch.setattr("theme.terminal.follow", follow)
    assert run_dance(parsed("dance", "--bpm", "120", "--bars", "2")) == 0
    out.flush()
    lines = raw.getvalue().decode("ascii").splitlines()
    assert lines[-2:] == [
        "bar   1  O . . | ' .   step 1  <- step one on beat 1",
        "bar   1  ^ O . | ' .   step 2",
    ]
