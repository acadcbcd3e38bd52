"""A groove of one's own and its link (theme.variants.groove, js/groove.js): the library and
the page write and read the same bytes; a link changed or cut short is refused by both; a
groove is a variant whose events are its cells, to the exact quarter note."""

from __future__ import annotations

import base64
import io
import itertools
import json
import shutil
import subprocess
from collections.abc import Callable, Iterator
from fractions import Fraction
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from theme.core.meter import DENOMINATORS, Meter
from theme.errors import VariantError
from theme.renderers.midi import midi_file
from theme.variants import load
from theme.variants.groove import MAX_BARS, VOICES, Groove, is_groove_link

JS = Path(str(files("theme.page").joinpath("js")))
NODE_DRIVER = r"""
for (const name of process.argv.slice(1)) { require(name); }
const G = Object.assign({}, globalThis.Theme.Groove, {midi: globalThis.Theme.GrooveMidi.bytes,
                        conductor: globalThis.Theme.GrooveConductor.kind});
require('readline').createInterface({input: process.stdin}).on('line', function (line) {
  const call = JSON.parse(line);
  let out;
  try { out = {value: G[call.fn].apply(null, call.args)}; } catch (e) { out = {error: String(e)}; }
  process.stdout.write(JSON.stringify(out) + '\n');
});
"""
SCRIPTS = ("meters.js", "groove.js", "groovemidi.js", "grooveconductor.js")
PROPERTY = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
JsCall = Callable[..., Any]


@pytest.fixture(scope="module")
def js() -> Iterator[JsCall]:
    """Call a function of ``Theme.Groove`` in one Node process (meters.js loaded first)."""
    node = shutil.which("node") or shutil.which("nodejs")
    if node is None:
        pytest.skip("node is not installed (apt-get install nodejs)")
    process = subprocess.Popen(
        [node, "-e", NODE_DRIVER, *(str(JS / name) for name in SCRIPTS)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdin is not None and process.stdout is not None
    stdin, stdout = process.stdin, process.stdout

    def call(fn: str, *args: Any) -> Any:
        stdin.write(json.dumps({"fn": fn, "args": args}) + "\n")
        stdin.flush()
        answer = json.loads(stdout.readline())
        assert "error" not in answer, answer
        return answer["value"]

    yield call
    stdin.close()
    process.wait(timeout=10)


@st.composite
def meters(draw: st.DrawFn, *, most: int = 64) -> Meter:
    numerator = draw(st.integers(1, most))
    starts = sorted(draw(st.sets(st.integers(1, numerator - 1))) if numerator > 1 else set())
    groups = tuple(b - a for a, b in itertools.pairwise([0, *starts, numerator]))
    return Meter(numerator, draw(st.sampled_from(DENOMINATORS)), groups)


def cell_row(cells: int) -> st.SearchStrategy[tuple[int, ...]]:
    """A row of ``cells`` cells, each 0 (silent), 1 or 2 (accented), drawn as bytes in one
    draw: a list of as many integers drawn one by one took most of these tests' time."""
    return st.binary(min_size=cells, max_size=cells).map(lambda row: tuple(b % 3 for b in row))


@st.composite
def grooves(draw: st.DrawFn) -> Groove:
    """Any groove the studio can make (kept small enough to be quick)."""
    meter = draw(meters(most=13))
    bars = draw(st.integers(1, 4))
    subdivide = draw(st.integers(1, 4))
    qpm_low = 4 * meter.denominator // 4  # pulses a minute, kept within 4 to 2000 q a minute
    low, high = max(1, qpm_low) * 100, 2000 * meter.denominator // 4 * 100
    tempo = Fraction(draw(st.integers(low, min(high, 2**24 - 1))), 100)
    vs = draw(st.none() | meters(most=13))
    align = draw(st.sampled_from(["beat", "bar"])) if vs is not None else "beat"
    if vs is not None and align == "bar":
        unit = meter.bar_quarters / vs.numerator
        if unit.denominator > 64 or not Fraction(1, 64) <= unit <= 16:
            align = "beat"
    voices = sorted(draw(st.sets(st.sampled_from(VOICES))), key=VOICES.index)
    cells = bars * meter.numerator * subdivide
    rows = tuple((voice, draw(cell_row(cells))) for voice in voices)
    return Groove(meter, bars, subdivide, tempo, rows, vs, align)


def as_json(groove: Groove) -> dict[str, Any]:
    """A groove as the page holds it (tempo in hundredths of a pulse a minute)."""

    def meter(m: Meter) -> dict[str, Any]:
        return {"groups": list(m.groups), "denominator": m.denominator}

    return {
        "meter": meter(groove.meter),
        "bars": groove.bars,
        "subdivide": groove.subdivide,
        "tempo": int(groove.tempo * 100),
        "rows": [[voice, list(row)] for voice, row in groove.rows],
        "vs": meter(groove.vs) if groove.vs else None,
        "align": groove.align,
    }


# -- the same bytes in the library and the page ---------------------------------------------


@PROPERTY
@given(groove=grooves())
def test_a_link_the_library_writes_the_page_reads_and_writes_again_to_the_byte(
    js: JsCall, groove: Groove
) -> None:
    link = groove.link()
    read = js("decode", "file:///site/studio.html#" + link)
    assert read == {"groove": as_json(groove)}
    assert js("encode", read["groove"]) == link


@PROPERTY
@given(groove=grooves())
def test_a_link_the_page_writes_the_library_reads_back_equal(js: JsCall, groove: Groove) -> None:
    link = js("encode", as_json(groove))
    assert Groove.from_link("https://school.example/theme/studio.html#" + link) == groove
    assert Groove.from_link(link).link() == link


@PROPERTY
@given(groove=grooves())
def test_the_pages_variant_file_is_the_librarys_to_the_byte(js: JsCall, groove: Groove) -> None:
    if not groove.rows:
        with pytest.raises(VariantError, match="no rows yet"):
            groove.toml()
        return
    assert js("toml", as_json(groove)) == groove.toml()


@PROPERTY
@given(groove=grooves())
def test_the_pages_midi_file_is_theme_exports_to_the_byte(js: JsCall, groove: Groove) -> None:
    if not groove.rows:
        return  # nothing to write: the page's button is off
    written = io.BytesIO()
    midi_file(groove.variant().timeline()).save(file=written)
    assert bytes(js("midi", as_json(groove))) == written.getvalue()


@PROPERTY
@given(meter=meters())
def test_the_studios_conductor_is_the_pages_conductor(js: JsCall, meter: Meter) -> None:
    """The studio draws its conductor for any meter built; the pattern is the one the
    library draws for a page (theme.page.follow), beat for beat."""
    from theme.page.follow import BarKind

    page = js("conductor", {"groups": list(meter.groups), "denominator": meter.denominator})
    del page["moves"]
    assert page == BarKind.of_meter(meter).data()


@PROPERTY
@given(groove=grooves(), data=st.data())
def test_a_changed_or_cut_link_is_refused_by_both(
    js: JsCall, groove: Groove, data: st.DataObject
) -> None:
    raw = bytearray(groove.to_bytes())
    how = data.draw(st.sampled_from(["flip", "cut", "grow"]))
    if how == "flip":
        at = data.draw(st.integers(0, len(raw) - 1))
        raw[at] ^= 1 << data.draw(st.integers(0, 7))
    elif how == "cut":
        raw = raw[: data.draw(st.integers(0, len(raw) - 1))]
    else:
        raw += bytes([data.draw(st.integers(0, 255))])
    link = "g1=" + base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")
    with pytest.raises(VariantError, match="invalid groove link"):
        Groove.from_link(link)
    answer = js("decode", link)
    assert set(answer) == {"error"} and answer["error"].startswith("This groove link cannot")


@pytest.mark.parametrize(
    "link",
    [
        "g1=",
        "g1=A",
        "g1=!!!!",
        "#g2=AQID",
        "studio.html",
        "g1=" + "A" * 17000,
        "g1=AAAAAAAAAAAAAAAA",
    ],
)
def test_links_that_are_no_groove_are_refused_in_one_line(js: JsCall, link: str) -> None:
    with pytest.raises(VariantError) as caught:
        Groove.from_link(link)
    assert "\n" not in str(caught.value) and len(str(caught.value)) < 200
    assert "error" in js("decode", link)


def test_a_link_whose_last_letter_changes_only_bits_after_the_last_byte_is_refused(
    js: JsCall,
) -> None:
    link = "g1=AQMCAG1gAwICAwIBhEIRAAJAAAAAfdpn0Q"
    assert Groove.from_link(link).link() == link
    changed = link[:-1] + "R"  # the same bytes in base64, with a stray bit set after them
    with pytest.raises(VariantError, match="cut short or changed"):
        Groove.from_link(changed)
    assert "error" in js("decode", changed)


def test_a_link_that_passes_its_checksum_but_breaks_a_rule_is_refused() -> None:
    """A link of right checksum with a cell of 3, or bits after the last cell: refused."""
    import zlib

    good = Groove(Meter.parse("3/4"), bars=1, rows=(("kick", (1, 0, 0)),)).to_bytes()[:-4]
    for body in (good[:-1] + bytes([0b11000000]), good[:-1] + bytes([0b01000001])):
        raw = body + zlib.crc32(body).to_bytes(4, "big")
        with pytest.raises(VariantError, match="invalid groove link"):
            Groove.from_bytes(raw)


# -- a groove is a variant ---------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(groove=grooves())
def test_a_grooves_variant_plays_its_cells_at_their_exact_quarters(groove: Groove) -> None:
    if not groove.rows:
        return  # refused: see test_the_pages_variant_file_is_the_librarys_to_the_byte
    timeline = groove.variant().timeline()
    assert [bar.meter for bar in timeline.bars] == [groove.meter] * groove.bars
    assert timeline.tempo_map.qpm_at(Fraction(0)) == groove.qpm
    expected = sorted(
        (i * groove.unit, voice, 112 if cell == 2 else 84)
        for voice, row in groove.rows
        for i, cell in enumerate(row)
        if cell
    )
    got = sorted((e.onset, e.layer, e.velocity) for e in timeline.events if e.layer != "second")
    assert got == expected
    if groove.vs is not None:
        second = [e.onset for e in timeline.events if e.layer == "second"]
        step = groove.second_unit
        assert second == [i * step for i in range(len(second))]
        assert len(second) == -(-groove.bars * groove.meter.bar_quarters // step)


def test_a_grooves_variant_file_loads_as_any_variant_file(tmp_path: Path) -> None:
    groove = Groove(
        Meter.parse("2+2+3/8"),
        bars=2,
        tempo=Fraction(28050, 100),
        rows=(("snare", (2, 0, 1, 0, 1, 0, 0) * 2), ("kick", (1,) + (0,) * 13)),
        vs=Meter.parse("3/4"),
    )
    path = tmp_path / "groove.toml"
    path.write_text(groove.toml(), encoding="utf-8")
    assert load(path).timeline().events == groove.variant().timeline().events
    from_link, made = load(groove.link()).timeline(), groove.variant().timeline()
    assert (from_link.events, from_link.bars) == (made.events, made.bars)
    assert from_link.tempo_map.qpm_at(Fraction(0)) == Fraction(561, 4)  # 280.5 eighths


def test_a_two_bar_groove_in_seven_of_four_rows_makes_a_short_link() -> None:
    meter = Meter.parse("2+2+3/8")
    rows = tuple((voice, (1, 0, 2, 0, 1, 0, 0) * 2) for voice in ("hihat", "snare", "kick", "bass"))
    link = Groove(meter, bars=2, rows=rows).link()
    assert len(link) <= 60, link
    sixteenths = Groove(meter, bars=2, subdivide=2, rows=tuple((v, r * 2) for v, r in rows)).link()
    assert len(sixteenths) <= 80


def test_a_groove_is_checked_before_it_is_made() -> None:
    meter = Meter.parse("5/4")
    with pytest.raises(VariantError, match="invalid bars 17: expected 1 to 16"):
        Groove(meter, bars=MAX_BARS + 1)
    with pytest.raises(VariantError, match="invalid row kick: expected 10 cells"):
        Groove(meter, rows=(("kick", (1, 0)),))
    with pytest.raises(VariantError, match="in the order"):
        Groove(meter, rows=(("kick", (0,) * 10), ("hihat", (0,) * 10)))
    with pytest.raises(VariantError, match="invalid tempo"):
        Groove(meter, tempo=Fraction(1, 1000))
    assert is_groove_link("https://x.org/s.html#g1=AQ") and not is_groove_link("tv-1966.toml")


# -- the QR code of a link (js/qr.js), read by a real reader --------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "g1=AQMCAG1gAwICAwIBhEIRAAJAAAAAfdpn0Q",
        "http://192.168.1.20:8000/studio.html#g1=AQoBAD6AAgMCAgOBBEAFgQRALeX6iQ",
        "https://school.example.org/music/theme-site/studio.html#g1="
        + Groove(
            Meter.parse("3+3+2+2+2/8"),
            bars=4,
            subdivide=2,
            rows=tuple((v, (1, 0, 2) * 32) for v in VOICES[:6]),
        ).link()[3:],
    ],
)
def test_the_pages_qr_code_is_read_back_by_zbar(text: str, tmp_path: Path) -> None:
    """The page draws the QR code itself; zbarimg (ZBar, a reader nobody here wrote) reads
    the link back from a picture of it."""
    node = shutil.which("node") or shutil.which("nodejs")
    zbar = shutil.which("zbarimg")
    if node is None or zbar is None:
        pytest.skip("node or zbarimg is missing (apt-get install nodejs zbar-tools)")
    script = (
        f"require({json.dumps(str(JS / 'qr.js'))});"
        "process.stdout.write(JSON.stringify(globalThis.Theme.QR.matrix(process.argv[1])));"
    )
    result = subprocess.run(
        [node, "-e", script, text], capture_output=True, text=True, timeout=60, check=True
    )
    modules = json.loads(result.stdout)
    scale, quiet = 6, 4
    size = (len(modules) + 2 * quiet) * scale
    rows = []
    for y in range(size):
        my = y // scale - quiet
        row = bytearray(
            0
            if 0 <= my < len(modules)
            and 0 <= x // scale - quiet < len(modules)
            and modules[my][x // scale - quiet]
            else 255
            for x in range(size)
        )
        rows.append(bytes(row))
    picture = tmp_path / "qr.pgm"
    picture.write_bytes(f"P5 {size} {size} 255\n".encode() + b"".join(rows))
    read = subprocess.run(
        [zbar, "--raw", "-q", str(picture)], capture_output=True, text=True, timeout=60
    )
    assert read.returncode == 0, read.stderr
    assert read.stdout.strip() == text


# -- the command line reads a link ------------------------------------------------------------

FIVE = Groove(
    Meter.parse("3+2/4"),
    bars=1,
    subdivide=2,
    tempo=Fraction(160),
    rows=(("bongo", (2, 0, 0, 1, 0, 0, 1, 0, 1, 0)),),
)


def test_the_command_line_exports_and_remeters_a_link(tmp_path: Path) -> None:
    from tests.conftest import run_theme
    from theme.readers.files import read

    address = "https://school.example/theme/studio.html#" + FIVE.link()
    result = run_theme("export", address, "-o", str(tmp_path / "g.musicxml"))
    assert result.returncode == 0, result.stderr
    assert read(str(tmp_path / "g.musicxml")).bars[0].meter.numerator == 5
    result = run_theme("remeter", address, "-o", str(tmp_path / "r.mid"), "--strategy", "drop")
    assert result.returncode == 0, result.stderr
    remetered = read(str(tmp_path / "r.mid"))
    assert [str(bar.meter) for bar in remetered.bars] == ["4/4"]
    assert [e.onset for e in remetered.events] == [0, Fraction(3, 2), 3]  # 3+3+2


@pytest.mark.parametrize("command", ["show", "export", "remeter", "play", "studio"])
def test_a_changed_link_is_one_line_and_exit_2_for_every_command(
    command: str, tmp_path: Path
) -> None:
    from tests.conftest import run_theme

    link = FIVE.link()
    bad = "#" + link[:10] + ("B" if link[10] == "A" else "A") + link[11:]
    out = str(tmp_path / ("x.html" if command == "studio" else "x.mid"))
    args = {
        "show": ["show", bad],
        "export": ["export", bad, "-o", out],
        "remeter": ["remeter", bad, "-o", out, "--strategy", "drop"],
        "play": ["play", bad],
        "studio": ["studio", "-o", out, "--groove", bad],
    }[command]
    result = run_theme(*args)
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and "invalid groove link" in result.stderr
    assert not list(tmp_path.iterdir())


def test_the_studio_opens_on_a_groove_given(tmp_path: Path) -> None:
    from tests.conftest import run_theme

    page = tmp_path / "s.html"
    result = run_theme("studio", "-o", str(page), "--groove", "money")
    assert result.returncode == 0, result.stderr
    money = Groove.from_variant(load("money"))
    assert money is not None and f"value='{money.link()}'" in page.read_text(encoding="utf-8")


def test_a_groove_is_named_as_every_command_names_music(tmp_path: Path) -> None:
    """The studio's --groove reads through the one resolver (theme.readers.files): a link
    keeps its own groove, a built-in name and a variant file give their first section's."""
    from theme.readers.files import open_source

    address = "https://school.example/theme/studio.html#" + FIVE.link()
    assert open_source(address).groove() == FIVE
    money = Groove.from_variant(load("money"))
    assert money is not None and open_source("money").groove() == money
    path = tmp_path / "five.toml"
    path.write_text(FIVE.toml(), encoding="utf-8")
    assert open_source(str(path)).groove() == Groove.from_variant(FIVE.variant())
