"""Variant files of one's own: every field checked when the file is loaded (one line naming
the file, the field and what is allowed), hostile files refused within their limits, and the
built-in files' claims citing the project's own sources page."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest

import theme
from tests.conftest import GOOD_VARIANT
from theme.core.timeline import MAX_BARS
from theme.errors import InputFileError, ThemeError, VariantError, VariantFileError
from theme.variants.loader import DATA, MAX_CELLS_PER_BAR, MAX_FILE_BYTES, MAX_NESTING

GOOD = GOOD_VARIANT


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "v.toml"
    path.write_text(text)
    return path


def section(i: int, bars: int) -> str:
    return f'[[sections]]\nname = "s{i}"\nmeter = "5/4"\nbars = {bars}\npatterns = {{ a = "x" }}\n'


@pytest.mark.parametrize(
    ("text", "field", "message"),
    [
        ("claims = [5]\n" + GOOD, r"claims\[0\]", "got 5; expected a table (claims)"),
        ("claims = 5\n" + GOOD, "claims", "got 5; expected a list"),
        ('claims = "many"\n' + GOOD, "claims", "got 'many'; expected a list"),
        ("claims = [[1]]\n" + GOOD, r"claims\[0\]", "got [1]; expected a table"),
        (
            GOOD.replace('[layers.a]\nvoice = "bass"\npitches = ["C2"]', "layers = [1]"),
            "layers",
            "a table",
        ),
        ("parameters = 3\n" + GOOD, "parameters", "got 3; expected a table"),
        ("parameters.n = 3\n" + GOOD, r"parameters\.n", "got 3; expected a table"),
        (GOOD.replace('"bass"', '"tuba"'), r"layers\.a\.voice", "unknown voice 'tuba'"),
        (GOOD.replace('"bass"', '"bass"\ngain = nan'), r"layers\.a\.gain", "invalid gain nan"),
        (GOOD.replace('"bass"', '"bass"\ngain = inf'), r"layers\.a\.gain", "invalid gain inf"),
        (GOOD.replace('"bass"', '"bass"\npan = nan'), r"layers\.a\.pan", "invalid pan nan"),
        (GOOD.replace('"bass"', '"bass"\nprogram = 1e3'), r"layers\.a\.program", "an int"),
        (GOOD.replace('tempo = "q=120"', 'tempo = "q=120"\ngrid = "1e-9"'), "grid", "grid"),
        (GOOD.replace('tempo = "q=120"', 'tempo = "q=120"\ngrid = 0.5'), "grid", "a str"),
        (
            GOOD.replace('tempo = "q=120"', 'tempo = "q=120"\ngrid = "1/1000"'),
            "grid",
            "from 1/64 to 16",
        ),
        (
            GOOD.replace('tempo = "q=120"', 'tempo = "q=120"\ngrid = "1/64"').replace(
                '"5/4"', '"64/1"'
            ),
            r"sections\[0\]\.patterns\.a\.grid",
            f"expected at most {MAX_CELLS_PER_BAR}",
        ),
        (GOOD.replace("bars = 2", "bars = " + "9" * 4000), r"sections\[0\]\.bars", "4000 digits"),
        (GOOD.replace('"5/4"', '"5/3"'), r"sections\[0\]\.meter", "invalid meter '5/3'"),
        (GOOD + "colour = 1\n", r"sections\[0\]\.colour", "unknown field; expected one of name"),
        ("colour = 1\n" + GOOD, "colour", "unknown field; expected one of name, title"),
        (GOOD.replace("patterns = {", "patterns = 3 #"), r"sections\[0\]\.patterns", "a table"),
        (
            GOOD.replace('{ a = "X..x..x.x." }', "{ a = [1] }"),
            r"sections\[0\]\.patterns\.a",
            "got [1]",
        ),
        (GOOD.replace('["C2"]', "[[60]]"), r"layers\.a\.pitches", "got [60]; expected a note"),
        (GOOD.replace('["C2"]', "[1.5]"), r"layers\.a\.pitches", "got 1.5; expected a note"),
        (GOOD.replace('name = "s"', 'name = "s\\u001b[2J"'), r"sections\[0\]\.name", "printable"),
        (
            GOOD.replace("bars = 2", "bars = 1000") + "".join(section(i, 1000) for i in range(19)),
            r"sections\[10\]\.bars",
            f"at most {MAX_BARS} in all the sections",
        ),
    ],
)
def test_every_field_is_checked_when_the_file_is_loaded(
    tmp_path: Path, text: str, field: str, message: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(
        VariantFileError, match=rf"^{re.escape(str(path))}: {field}: .*{re.escape(message)}"
    ):
        theme.load(path)


@pytest.mark.parametrize(
    "text",
    [
        "x = " + "[" * 1000 + "]" * 1000 + "\n" + GOOD,
        "x = " + "{ a = " * 1000 + "1" + " }" * 1000 + "\n" + GOOD,
        "x = " + "[" * (MAX_NESTING + 1) + "]" * (MAX_NESTING + 1) + "\n" + GOOD,
        "x." + ".".join(["a"] * 500) + " = 1\n" + GOOD,
    ],
)
def test_deep_nesting_is_refused(tmp_path: Path, text: str) -> None:
    with pytest.raises(InputFileError, match=f"nested too deep: expected at most {MAX_NESTING}"):
        theme.load(write(tmp_path, text))


def test_a_file_too_long_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "long.toml"
    with path.open("wb") as f:
        f.truncate(MAX_FILE_BYTES + 1)
    with pytest.raises(InputFileError, match=r"longer than 1048576 bytes \(1 MiB\)"):
        theme.load(path)


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/null"])
def test_devices_are_refused(device: str) -> None:
    with pytest.raises(InputFileError, match="not a regular file"):
        theme.load(device)


def test_a_fifo_is_refused_without_waiting(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    start = time.monotonic()
    with pytest.raises(InputFileError, match="not a regular file"):
        theme.load(fifo)
    assert time.monotonic() - start < 5


def test_parameters_cannot_grow_a_file_past_the_limit(tmp_path: Path) -> None:
    text = GOOD.replace('"X..x..x.x."', '"' + "{p}" * 5000 + '"')
    text += '[parameters.p]\ndefault = "x"\nchoices = { x = "' + "x" * 4000 + '" }\n'
    with pytest.raises(VariantFileError, match="longer than 1048576 characters"):
        theme.load(write(tmp_path, text))


def test_a_bad_file_exits_1_and_names_the_file(tmp_path: Path, theme_cli) -> None:  # type: ignore[no-untyped-def]
    path = write(tmp_path, GOOD.replace('"5/4"', '"5/3"'))
    result = theme_cli("show", str(path))
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith(f"theme: error: {path}: sections[0].meter: invalid meter")
    assert result.stdout == "" and result.stderr.count("\n") == 1


def test_a_bad_parameter_value_is_still_a_usage_error(theme_cli) -> None:  # type: ignore[no-untyped-def]
    result = theme_cli("show", "tv-1966", "-p", "intro_bars=999")
    assert result.returncode == 2 and "invalid value '999'" in result.stderr
    with pytest.raises(VariantError) as caught:
        theme.load("tv-1966", intro_bars=999)
    assert not isinstance(caught.value, InputFileError)


HOSTILE_TITLE = "\u001b]0;PWNED\u0007\u001b[31mred"


def test_text_from_a_file_reaches_the_terminal_made_visible(tmp_path: Path, theme_cli) -> None:  # type: ignore[no-untyped-def]
    escaped = HOSTILE_TITLE.encode("unicode_escape").decode().replace("\\x", "\\u00")
    text = GOOD.replace('title = "F"', f'title = "{escaped}"\ndescription = "a\\nb"')
    text += '[[claims]]\nclaim = "\\u001b[2J"\nconfidence = "our-choice"\nsource = "\\u0007"\n'
    path = write(tmp_path, text)
    result = theme_cli("show", str(path))
    assert result.returncode == 0, result.stderr
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert "\r" not in result.stdout
    assert "f: \\x1b]0;PWNED\\x07\\x1b[31mred" in result.stdout
    assert "\na\nb\n" in result.stdout  # a description's lines stay lines
    assert "[our-choice] \\x1b[2J (\\x07)" in result.stdout


def test_list_prints_titles_made_visible(monkeypatch: pytest.MonkeyPatch, capsys) -> None:  # type: ignore[no-untyped-def]
    import theme.variants as variants
    from theme.cli import main

    real = variants.load

    def hostile(name: str, **params: object) -> theme.Variant:
        from dataclasses import replace

        return replace(real(name, **params), title=HOSTILE_TITLE)

    monkeypatch.setattr(variants, "load", hostile)
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\\x1b]0;PWNED" in out


# -- the built-in files ----------------------------------------------------------------

SOURCES = (Path(__file__).parent.parent / "docs" / "sources.md").read_text()
KEYS = set(re.findall(r"^\| `([a-z0-9-]+)` \|", SOURCES, re.MULTILINE))


@pytest.mark.parametrize("path", sorted(DATA.glob("*.toml")), ids=lambda p: p.stem)
def test_built_in_files_cite_the_projects_own_sources(path: Path) -> None:
    text = path.read_text()
    assert set(re.findall(r"[\w./-]+\.md\b", text)) <= {"docs/sources.md"}  # no other notes
    assert not re.search(r"issue \d|\.\./", text, re.IGNORECASE)
    for claim in theme.load(path).claims:
        if claim.confidence == "verified" or (
            claim.confidence == "hypothesis" and not claim.source.startswith("unknown")
        ):
            cited = re.match(r"docs/sources\.md: ([a-z0-9-]+(?:[ ,]+[a-z0-9-]+)*)", claim.source)
            assert cited, (path.name, claim.source)
            keys = {k for k in re.split(r"[ ,]+", cited.group(1)) if k}
            assert keys <= KEYS, (path.name, keys - KEYS)


def test_take_five_vamp_says_what_it_plays() -> None:
    vamp = theme.load("take-five-vamp")
    assert "the same cross accents" not in vamp.description and "unswung" in vamp.description
    pattern = next(c for c in vamp.claims if c.claim.startswith("The pattern"))
    assert pattern.confidence == "our-choice" and "not swung" in pattern.claim
    timeline = vamp.timeline(bars=1)
    drum = timeline.layer_events("drum")
    assert [e.onset for e in drum] == [0, 1, 2, 3, 4]  # every beat
    assert [e.velocity > 100 for e in drum] == [True, False, False, True, False]  # 1 and 4
    shaker = [e.onset * 2 for e in timeline.layer_events("shaker")]
    assert shaker == [0, 2, 3, 4, 6, 7, 8]  # straight eighths, 1 2 2& 3 4 4& 5


def test_no_file_error_is_anything_but_a_theme_error(tmp_path: Path) -> None:
    """The structural fuzz test's seed cases, kept as examples."""
    for text in ("sections = [[]]", "sections = [{}]", "layers = { a = [] }", "[[sections]]"):
        with pytest.raises(ThemeError):
            theme.load(write(tmp_path, GOOD.split("[layers.a]")[0] + text))


@pytest.mark.parametrize(
    ("name", "error", "message"),
    [
        ("x" * 5000, VariantError, r"unknown variant 'x{40}\.\.\.': expected one of tv-1966"),
        ("a\x00b", VariantError, r"unknown variant 'a\\x00b'"),
        ("a\x00.toml", InputFileError, r"cannot read variant file 'a\\x00.toml': no such file"),
        ("x" * 5000 + ".toml", InputFileError, "File name too long"),
        ("/tmp/" + "a/" * 3000, VariantError, "unknown variant '/tmp/a/a/"),
        (5, TypeError, "a variant is a name or a path, not int"),
        (None, TypeError, "a variant is a name or a path, not NoneType"),
    ],
)
def test_names_that_cannot_be_files(name: object, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        theme.load(name)  # type: ignore[arg-type]


def test_a_file_of_too_many_notes_is_refused_when_loaded(tmp_path: Path) -> None:
    dense = GOOD.replace("bars = 2", "bars = 9000").replace(
        '{ a = "X..x..x.x." }', '{ a = { box = "' + "x" * 160 + '", grid = "1/32" } }'
    )
    with pytest.raises(VariantFileError, match=r"sections: 9000 bars make up to 1440000 notes"):
        theme.load(write(tmp_path, dense))
