"""What a user reads: a refusal says the real length and the limit, no library's log line
reaches the terminal, and no text from a file (a title) brings NUL or a right-to-left
override onto a page."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import run_theme

EVIL = "Evil\x00\u202eTITLE\x1b[31m\u2066"
"""A title with a NUL, a right-to-left override, an escape and a bidirectional isolate."""


def evil_abc(folder: Path) -> Path:
    path = folder / "evil.abc"
    path.write_bytes(f"X:1\nT:{EVIL}\nM:5/4\nL:1/4\nK:C\nCDEFG|CDEFG|\n".encode())
    return path


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (
            ["--bars", "241", "--tempo", "120"],
            "lasts 10 min 2.5 s; a page plays at most 10 minutes",
        ),
        (["--bars", "240", "--tempo", "100"], "lasts 12 min; a page plays at most 10 minutes"),
    ],
)
def test_a_page_too_long_says_its_real_length(tmp_path: Path, args: list[str], said: str) -> None:
    """241 bars of 5/4 at q=120 (602.5 s) were refused as lasting '10.0 minutes' against a
    10-minute limit."""
    result = run_theme("export", "tv-1966", *args, "-o", "x.html", cwd=tmp_path)
    assert result.returncode == 2
    assert said in result.stderr and result.stderr.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


def test_a_dance_too_long_says_hours_and_minutes(tmp_path: Path) -> None:
    result = run_theme("dance", "--bpm", "4", "--bars", "1000", "-o", "d.wav", cwd=tmp_path)
    assert result.returncode == 2
    assert "invalid bars 1000 at q=4: 20 h 50 min; a dance lasts at most 60 minutes" in (
        result.stderr
    )


def test_verovio_says_nothing_on_stderr(tmp_path: Path) -> None:
    """verovio writes its ``[Warning]`` lines to the process's stderr itself (past Python's
    sys.stderr): MusicXML it does not fully understand is engraved without them."""
    program = """
import theme.renderers.notation as notation
import theme
notation.musicxml_string = lambda timeline: '''<?xml version="1.0"?>
<score-partwise version="3.1"><part-list><score-part id="P1"><part-name>x</part-name>
</score-part></part-list><part id="P1"><measure number="1"><attributes><divisions>1
</divisions><time><beats>5</beats><beat-type>4</beat-type></time></attributes><note><pitch>
<step>C</step><octave>4</octave></pitch><duration>5</duration><type>bogus</type></note>
</measure></part></score-partwise>'''
print(len(notation.engrave(theme.load("tv-1966").timeline(bars=1)).pages))
"""
    result = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert (result.stdout, result.stderr) == ("1\n", "")


def test_our_own_messages_still_reach_stderr(tmp_path: Path) -> None:
    result = run_theme("export", "tv-1966", "-o", "x.mp3", cwd=tmp_path)
    assert result.returncode == 2 and result.stderr.startswith("theme: error: unknown output")


def test_a_title_from_a_file_reaches_the_page_without_its_controls(tmp_path: Path) -> None:
    result = run_theme("export", str(evil_abc(tmp_path)), "-o", "evil.html", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "evil.html").read_text(encoding="utf-8")
    for bad in ("\x00", "\u202e", "\x1b", "\u2066", "\\u0000", "\\u001b"):
        assert bad not in page, repr(bad)
    assert "<title>EvilTITLE[31m</title>" in page
    assert "<h1>EvilTITLE[31m</h1>" in page
    data = page.split("<script type='application/json' class='timeline'>")[1].split("</script>")
    assert json.loads(data[0])["title"] == "EvilTITLE[31m"


def test_a_page_keeps_what_is_text() -> None:
    """Accents, Hebrew, a dash, a newline: kept."""
    from theme.page.document import PageSection, page_html

    text = "Café — שלום\n5/4"
    html = page_html(text, [PageSection(text, paragraphs=[text])])
    assert html.count("Café — שלום\n5/4") == 4  # <title>, <h1>, <h2>, <p>


def test_a_worksheet_title_without_controls() -> None:
    from theme.quiz.printable import sheet_html

    html = sheet_html("Quiz\u202e\x00", ["<p>1</p>"], intro="in\x07tro")
    assert "\u202e" not in html and "\x00" not in html and "\x07" not in html
    assert "<title>Quiz</title>" in html and "intro" in html


def test_page_data_and_the_terminal_show_a_title_each_their_way(tmp_path: Path) -> None:
    """A terminal shows the controls made visible (theme show); a page drops them."""
    result = run_theme("show", str(evil_abc(tmp_path)))
    assert result.returncode == 0
    assert result.stdout.splitlines()[0] == "Evil\\x00\\u202eTITLE\\x1b[31m\\u2066"
