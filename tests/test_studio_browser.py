"""The studio in headless Chromium: a groove made by clicks and keys, its link read by the
command line (the same events, meters and tempo, as exact fractions), the page's MIDI file
byte for byte what ``theme export`` writes, its variant file loaded and played, a changed
link refused with a message. Screenshots at 1366x768 and 390x844 for docs/."""

from __future__ import annotations

import time
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import ROOT, run_theme, writes_while_playing
from theme.core.meter import Meter
from theme.variants import load
from theme.variants.groove import Groove

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def studio(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("studio")
    result = run_theme("studio", "-o", str(folder / "studio.html"))
    assert result.returncode == 0, result.stderr
    return folder / "studio.html"


def set_field(driver, selector: str, value: str, event: str = "input") -> None:  # type: ignore[no-untyped-def]
    driver.execute_script(
        "const el = document.querySelector(arguments[0]); el.value = arguments[1];"
        "el.dispatchEvent(new Event(arguments[2], {bubbles: true}));",
        selector,
        value,
        event,
    )
    time.sleep(0.05)


def cell(driver, voice: str, index: int):  # type: ignore[no-untyped-def]
    return driver.find_element(
        "css selector", f".groove-grid button.cell[data-voice='{voice}'][data-index='{index}']"
    )


def errors(driver) -> list[str]:  # type: ignore[no-untyped-def]
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def make_groove(driver, studio: Path) -> str:  # type: ignore[no-untyped-def]
    """Build 2+2+3/8 against 3/4, two bars, 280 eighths a minute, and click a groove; the
    link the address then holds."""
    driver.get(studio.as_uri())
    driver.find_element("css selector", ".clear").click()
    first = ".builder .meter-row.first"
    set_field(driver, f"{first} .unit", "8", "change")
    set_field(driver, f"{first} .pulses", "7")
    set_field(driver, f"{first} .grouping", "2+2+3")
    driver.find_element("css selector", ".builder .against").click()
    second = ".builder .meter-row.second"
    set_field(driver, f"{second} .unit", "4", "change")
    set_field(driver, f"{second} .pulses", "3")
    set_field(driver, ".builder .tempo", "280")
    set_field(driver, ".builder .subdivide", "1", "change")
    set_field(driver, ".groove-bars", "2")
    time.sleep(0.2)
    cell(driver, "kick", 0).click()  # a note
    for _ in range(2):
        cell(driver, "snare", 4).click()  # an accent
    for i in range(14):
        cell(driver, "hihat", i).click()
    for _ in range(2):
        cell(driver, "hihat", 13).click()  # on round: accent, then a rest
    cell(driver, "bass", 7).click()  # the keys: right, then Space for a note
    driver.switch_to.active_element.send_keys("\ue014")  # ArrowRight
    driver.switch_to.active_element.send_keys(" ")
    time.sleep(0.1)
    fragment = driver.execute_script("return location.hash")
    assert fragment.startswith("#g1=")
    return str(fragment[1:])


def test_a_groove_made_by_clicks_is_read_by_the_command_line_exactly(
    browser, studio: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    link = make_groove(browser, studio)
    assert not errors(browser)
    address = studio.as_uri() + "#" + link
    groove = Groove.from_link(address)
    assert groove.meter == Meter.parse("2+2+3/8") and groove.vs == Meter.parse("3/4")
    assert groove.bars == 2 and groove.tempo == 280 and groove.qpm == 140
    timeline = load(address).timeline()
    heard = sorted((e.onset, e.layer, e.velocity) for e in timeline.events if e.layer != "second")
    half = Fraction(1, 2)
    expected = sorted(
        [(Fraction(0), "kick", 84), (4 * half, "snare", 112)]
        + [(i * half, "hihat", 84) for i in range(13)]
        + [(7 * half, "bass", 84), (8 * half, "bass", 84)]
    )
    assert heard == expected
    assert [bar.meter for bar in timeline.bars] == [Meter.parse("2+2+3/8")] * 2
    assert [e.onset for e in timeline.events if e.layer == "second"] == [0, 1, 2, 3, 4, 5, 6]
    assert timeline.tempo_map.qpm_at(Fraction(3)) == 140
    shown = run_theme("show", address)
    assert shown.returncode == 0, shown.stderr
    assert "7/8 (2+2+3)" in shown.stdout and "kick    x" in shown.stdout
    page_box = browser.find_element("css selector", ".box-notation").text
    assert "Snare   ----X-- | -------" in page_box
    # and opening the link restores it exactly
    browser.get(studio.as_uri())
    browser.get(address)
    browser.refresh()
    time.sleep(0.3)
    assert browser.execute_script("return location.hash") == "#" + link
    assert (
        browser.execute_script("return document.querySelector('[data-studio]').studio.link()")
        == link
    )
    assert cell(browser, "snare", 4).text == "X"


def test_the_pages_downloads_are_theme_exports_and_load(
    browser, studio: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    browser.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
    )
    link = make_groove(browser, studio)
    browser.find_element("css selector", ".download-midi").click()
    browser.find_element("css selector", ".download-toml").click()
    for _ in range(100):
        if (downloads / "groove.mid").exists() and (downloads / "groove.toml").exists():
            break
        time.sleep(0.1)
    exported = tmp_path / "x.mid"
    result = run_theme("export", studio.as_uri() + "#" + link, "-o", str(exported))
    assert result.returncode == 0, result.stderr
    assert (downloads / "groove.mid").read_bytes() == exported.read_bytes()

    from theme.live.engine.sinks import ArraySink
    from theme.live.start import play
    from theme.renderers.audio import render

    variant = load(downloads / "groove.toml")
    assert variant.timeline().events == Groove.from_link(link).variant().timeline().events
    sink = ArraySink()
    play(variant.timeline(), sink=sink)
    expected = render(variant.timeline())
    assert np.array_equal(sink.data[: len(expected)], expected) and np.abs(expected).max() > 0.1
    for path in (downloads / "groove.toml", downloads / "groove.mid"):
        shown = run_theme("show", str(path))
        assert shown.returncode == 0 and "7/8 (2+2+3)" in shown.stdout, shown.stderr


@pytest.mark.parametrize("change", ["flip", "cut"])
def test_a_changed_link_is_refused_on_the_page_and_by_the_command_line(
    browser, studio: Path, change: str
) -> None:  # type: ignore[no-untyped-def]
    good = Groove(Meter.parse("5/4"), bars=1, rows=(("kick", (2, 0, 1, 0, 0)),)).link()
    bad = (
        good[:-3] + ("A" if good[-3] != "A" else "B") + good[-2:] if change == "flip" else good[:-5]
    )
    browser.get(studio.as_uri() + "#" + bad)
    time.sleep(0.3)
    message = browser.find_element("css selector", ".studio-error").text
    assert message.startswith("This groove link cannot be read")
    assert not errors(browser)
    result = run_theme("export", "#" + bad, "-o", str(studio.parent / "bad.mid"))
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "invalid groove link" in result.stderr
    assert not (studio.parent / "bad.mid").exists()


def test_the_studio_on_a_projector_and_a_phone(browser, studio: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Screenshots for docs/; on a 390 px phone the page is no wider than the screen and
    every box is at least 44 px a side."""
    for width, height, name in ((1366, 768, "studio.png"), (390, 844, "studio-phone.png")):
        browser.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 500},
        )
        browser.get(studio.as_uri())
        time.sleep(0.3)
        browser.execute_script(
            "document.querySelector('.groove-sound').scrollIntoView({block: 'start'})"
        )
        sizes = browser.execute_script(
            "return Array.from(document.querySelectorAll('.groove-grid button.cell'))"
            ".map(b => [b.getBoundingClientRect().width, b.getBoundingClientRect().height])"
        )
        assert sizes and min(min(s) for s in sizes) >= 44
        overflow = browser.execute_script(
            "return document.documentElement.scrollWidth - window.innerWidth"
        )
        assert overflow <= 0
        browser.save_screenshot(str((ROOT / "docs" if _keep() else tmp_path) / name))
    browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    assert not errors(browser)


STAGE_IN_VIEW = """
const done = arguments[arguments.length - 1];
const stage = document.querySelector('.groove-stage'), seen = {};
const inView = () => { const r = stage.getBoundingClientRect();
  return r.top >= 0 && r.bottom <= innerHeight && r.height > 0; };
const places = [['top', () => scrollTo(0, 0)],
  ['play', () => document.querySelector('.groove-sound').scrollIntoView({block: 'start'})],
  ['end', () => scrollTo(0, document.documentElement.scrollHeight)]];
const play = document.querySelector('.groove-play');
const until = (pressed, then) => {  // the button says whether it plays; a loaded machine is slow
  const given = performance.now();
  (function poll() {
    if (play.getAttribute('aria-pressed') === pressed || performance.now() - given > 5000) {
      then();
    } else {
      setTimeout(poll, 20);
    }
  })();
};
scrollTo(0, 0);
seen.stoppedAtTop = inView();
play.click();
let i = 0;
until('true', function next() {
  if (i === places.length) {
    document.querySelector('.groove-stop').click();
    scrollTo(0, 0);
    until('false', () => { seen.afterStopAtTop = inView(); done(seen); });
    return;
  }
  const [name, go] = places[i++];
  go();
  seen[name] = inView();  // the box is laid out as it is read: no wait
  next();
});
"""


@pytest.mark.parametrize("width, height", [(1366, 768), (1024, 768), (390, 844)])
def test_while_it_plays_the_beat_light_stays_on_the_screen(  # type: ignore[no-untyped-def]
    browser, studio: Path, width: int, height: int
) -> None:
    """On a projector the beat light sits under the meter, below the fold, and the boxes
    under it: while the groove plays it stays on the screen wherever the page is scrolled
    (stuck to the top or the foot), and goes back to its place when it stops."""
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 500},
    )
    try:
        browser.get(studio.as_uri())
        time.sleep(0.3)
        seen = browser.execute_async_script(STAGE_IN_VIEW)
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    assert seen == {
        "stoppedAtTop": False,  # the page as it was: below the fold at the top
        "top": True,
        "play": True,
        "end": True,
        "afterStopAtTop": False,
    }
    assert not errors(browser)


def test_printed_the_groove_shows_its_boxes_and_nothing_that_plays(  # type: ignore[no-untyped-def]
    browser, studio: Path
) -> None:
    """On paper a pupil keeps the groove: the grid's boxes with their x and X (a page hides
    its buttons in print), not the Play row or the beat light."""
    browser.get(studio.as_uri())
    time.sleep(0.3)
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        seen = browser.execute_script(
            "const shown = el => el.getClientRects().length > 0;"
            "const cells = Array.from(document.querySelectorAll('.groove-grid button.cell'));"
            "return {cells: cells.filter(shown).length, all: cells.length,"
            " marks: cells.filter(c => shown(c) && /x/i.test(c.textContent)).length,"
            " play: shown(document.querySelector('.groove-sound')),"
            " light: shown(document.querySelector('.groove-stage'))};"
        )
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    assert seen["all"] > 0 and seen["cells"] == seen["all"], seen
    assert seen["marks"] > 0 and not seen["play"] and not seen["light"], seen


def _keep() -> bool:
    """Screenshots are written to docs/ only when asked (THEME_SCREENSHOTS=1)."""
    import os

    return os.environ.get("THEME_SCREENSHOTS") == "1"


PLAYING = """
const done = arguments[arguments.length - 1];
const studio = document.querySelector('[data-studio]'), section = studio.closest('section');
const seen = [];
section.addEventListener('theme:position', e => seen.push(e.detail));
document.querySelector('.count-in').click();
document.querySelector('.groove-play').click();
setTimeout(() => {
  document.querySelector(".groove-grid .cell[data-voice='conga'][data-index='2']").click();
  setTimeout(() => {
    const data = studio.studio.playerData();
    document.querySelector('.groove-stop').click();
    done({seen: seen.filter(d => d.playing).map(d => d.q), playing: studio.studio.playing(),
          conga: data.events.filter(e => data.layers[e[2]].name === 'conga').map(e => e[0]),
          lit: document.querySelectorAll('.studio-beat b.now').length});
  }, 400);
}, 600);
"""


def test_the_groove_plays_with_a_count_in_and_an_edit_is_heard_while_it_plays(
    browser, studio: Path
) -> None:  # type: ignore[no-untyped-def]
    browser.get(studio.as_uri())
    time.sleep(0.3)
    result = browser.execute_async_script(PLAYING)
    assert len(result["seen"]) > 5 and result["seen"][-1] > result["seen"][0]
    assert not result["playing"] and result["lit"] == 0  # stopped: nothing lit
    # the first groove is tv-1966 in 5/4, two boxes a pulse; a count-in bar of 5 quarters
    assert result["conga"] == [5 + 2 * 0.5]
    assert not errors(browser)


def test_a_playing_groove_writes_only_what_changes(browser, studio: Path) -> None:  # type: ignore[no-untyped-def]
    browser.get(studio.as_uri())
    seen = writes_while_playing(browser, "button.groove-play")
    assert seen["playing"] and seen["writes"] > 0, seen
    assert seen["unchanged"] == {}, seen  # the column heard is lit once, not every frame


def test_bars_out_of_range_are_refused_beside_the_grid_and_the_groove_kept(
    browser, studio: Path
) -> None:  # type: ignore[no-untyped-def]
    browser.get(studio.as_uri())
    time.sleep(0.3)
    link = browser.execute_script("return location.hash")
    set_field(browser, ".groove-bars", "17")
    assert browser.find_element("css selector", ".studio-error").text.endswith(
        "Bars: a whole number from 1 to 16."
    )
    assert browser.execute_script("return location.hash") == link  # the groove as it was
    set_field(browser, ".groove-bars", "3")
    assert browser.find_element("css selector", ".studio-error").text == ""
    assert len(browser.find_elements("css selector", ".groove-bar")) == 3
    # the bars added repeat the bar before them: the groove's box notation shows it
    assert (
        "X--x--x-x- | X--x--x-x- | X--x--x-x-"
        in browser.find_element("css selector", ".box-notation").text
    )
