"""The groove editor beside the meter builder, in headless Chromium, on the two pages that
have a builder: the tour's page (its last step) and a metronome's page. A meter built in
the builder is the editor's grid; a groove clicked in it is read by the command line from
its link (the same events, as exact fractions), and the page's MIDI file is, byte for byte,
what ``theme export`` writes of that link. The builder's clicks and the groove play through
the section's one player: starting one stops the other. Folded away, the editor leaves the
class's view where it was; on a 390 px phone every box and its button are 44 px at least.
Screenshots at 1366x768, 1024x768 and 390x844 in the test's folder (docs/ with
THEME_SCREENSHOTS=1)."""

from __future__ import annotations

import os
import time
from fractions import Fraction
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_theme
from tests.test_studio_browser import errors, set_field
from theme.core.meter import Meter
from theme.variants import load
from theme.variants.groove import Groove

pytestmark = pytest.mark.browser

EDITOR = "[data-beside]"


@pytest.fixture(scope="module")
def metronome_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    page = tmp_path_factory.mktemp("metronome") / "metronome.html"
    result = run_theme("metronome", "5/4", "--vs", "4/4", "-o", str(page))
    assert result.returncode == 0, result.stderr
    return page


@pytest.fixture(scope="module")
def tour_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("tour") / "tour"
    result = run_theme("demo", "--out", str(folder))
    assert result.returncode == 0, result.stderr
    return folder / "index.html"


@pytest.fixture(params=["metronome", "tour"])
def page(request: pytest.FixtureRequest) -> Path:
    return Path(request.getfixturevalue(f"{request.param}_page"))


def address(page: Path) -> str:
    """The builder's step on the stage: the tour's last, the metronome page's second."""
    return page.as_uri() + ("#slide-8" if page.name == "index.html" else "#slide-2")


def cell(driver, voice: str, index: int):  # type: ignore[no-untyped-def]
    return driver.find_element(
        "css selector",
        f"{EDITOR} .groove-grid button.cell[data-voice='{voice}'][data-index='{index}']",
    )


def open_editor(driver, page: Path) -> None:  # type: ignore[no-untyped-def]
    driver.get("about:blank")
    driver.get(address(page))
    time.sleep(0.3)
    summary = driver.find_element("css selector", f"{EDITOR} details.groove-editor > summary")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", summary)
    summary.click()
    time.sleep(0.2)
    assert driver.execute_script("return document.querySelector('details.groove-editor').open"), (
        "the summary opens the editor"
    )


def make_groove(driver, page: Path) -> str:  # type: ignore[no-untyped-def]
    """Build 2+2+3/8 against 3/4 in the page's builder, 280 eighths a minute, and click a
    groove in the editor's grid; the link the editor then shows."""
    open_editor(driver, page)
    first = f"{EDITOR} .builder .meter-row.first"
    set_field(driver, f"{first} .unit", "8", "change")
    set_field(driver, f"{first} .pulses", "7")
    set_field(driver, f"{first} .grouping", "2+2+3")
    against = driver.find_element("css selector", f"{EDITOR} .builder .against")
    if not against.is_selected():
        driver.execute_script("arguments[0].click()", against)
    second = f"{EDITOR} .builder .meter-row.second"
    set_field(driver, f"{second} .unit", "4", "change")
    set_field(driver, f"{second} .pulses", "3")
    set_field(driver, f"{second} .grouping", "3")
    set_field(driver, f"{EDITOR} .builder .tempo", "280")
    set_field(driver, f"{EDITOR} .builder .subdivide", "1", "change")
    set_field(driver, f"{EDITOR} .groove-bars", "2")
    time.sleep(0.2)
    for voice, index, presses in (("kick", 0, 1), ("snare", 4, 2), ("bass", 7, 1)):
        target = cell(driver, voice, index)
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", target)
        for _ in range(presses):
            target.click()
    driver.switch_to.active_element.send_keys("\ue014")  # ArrowRight: to bass, box 8
    driver.switch_to.active_element.send_keys(" ")  # Space: a note
    time.sleep(0.1)
    link = driver.find_element("css selector", f"{EDITOR} .groove-link").get_attribute("value")
    assert link.startswith(page.as_uri() + "#g1=")
    return str(link)


def test_a_groove_made_beside_the_builder_is_read_by_the_command_line_exactly(
    browser, page: Path
) -> None:  # type: ignore[no-untyped-def]
    link = make_groove(browser, page)
    assert not errors(browser)
    groove = Groove.from_link(link)
    assert groove.meter == Meter.parse("2+2+3/8") and groove.vs == Meter.parse("3/4")
    assert groove.bars == 2 and groove.tempo == 280
    timeline = load(link).timeline()
    heard = sorted((e.onset, e.layer, e.velocity) for e in timeline.events if e.layer != "second")
    half = Fraction(1, 2)
    assert heard == [
        (0, "kick", 84),
        (4 * half, "snare", 112),
        (7 * half, "bass", 84),
        (8 * half, "bass", 84),
    ]
    assert [bar.meter for bar in timeline.bars] == [Meter.parse("2+2+3/8")] * 2
    assert [e.onset for e in timeline.events if e.layer == "second"] == [0, 1, 2, 3, 4, 5, 6]
    shown = run_theme("show", link)
    assert shown.returncode == 0, shown.stderr
    assert "7/8 (2+2+3)" in shown.stdout and "kick    x" in shown.stdout
    # the page's own address is left alone (the tour's is its step's)
    assert "g1=" not in browser.execute_script("return location.hash")


def test_the_pages_midi_download_is_theme_export(browser, page: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    browser.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
    )
    link = make_groove(browser, page)
    button = browser.find_element("css selector", f"{EDITOR} .download-midi")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
    button.click()
    for _ in range(100):
        if (downloads / "groove.mid").exists():
            break
        time.sleep(0.1)
    exported = tmp_path / "x.mid"
    result = run_theme("export", link, "-o", str(exported))
    assert result.returncode == 0, result.stderr
    assert (downloads / "groove.mid").read_bytes() == exported.read_bytes()


def test_edit_this_puts_the_pages_groove_in_the_builder_and_the_grid(browser, page: Path) -> None:  # type: ignore[no-untyped-def]
    open_editor(browser, page)
    chosen = browser.execute_script(
        f"const s = document.querySelector('{EDITOR} .start-from'); return s.options[0].value"
    )
    browser.find_element("css selector", f"{EDITOR} .edit-this").click()
    time.sleep(0.2)
    shown = browser.find_element("css selector", f"{EDITOR} .groove-link").get_attribute("value")
    assert shown.endswith("#" + chosen)
    groove = Groove.from_link(chosen)
    first = f"{EDITOR} .builder .meter-row.first"
    assert browser.find_element("css selector", f"{first} .pulses").get_attribute("value") == str(
        groove.meter.numerator
    )
    assert browser.find_element("css selector", f"{first} .grouping").get_attribute(
        "value"
    ) == "+".join(map(str, groove.meter.groups))
    if page.name == "index.html":  # the tour's own grooves come first
        assert groove.title() == Groove.from_variant(load("tv-1966")).title()  # type: ignore[union-attr]
    assert not errors(browser)


def test_a_link_to_a_groove_opens_the_editor_on_it(browser, page: Path) -> None:  # type: ignore[no-untyped-def]
    link = Groove(Meter.parse("3+2+2/8"), bars=1, rows=(("kick", (2, 0, 0, 1, 0, 1, 0)),)).link()
    browser.get("about:blank")
    browser.get(page.as_uri() + "#" + link)
    time.sleep(0.4)
    assert browser.execute_script("return document.querySelector('details.groove-editor').open")
    assert browser.execute_script(
        f"return document.querySelector('{EDITOR}').studio.link()"
    ) == link.removeprefix("#")
    assert cell(browser, "kick", 0).text == "X" and cell(browser, "kick", 3).text == "x"
    if page.name == "index.html":  # on the stage: the builder's step
        assert browser.execute_script("return Theme.Slides.current()") == 7
    assert not errors(browser)


ONE_PLAYER = """
const done = arguments[arguments.length - 1];
const root = document.querySelector('[data-beside]');
const clicks = root.querySelector('.builder .play'), groove = root.querySelector('.groove-play');
const sounding = () => Theme.players.filter(p => p.playing).length;
const state = () => ({clicks: clicks.getAttribute('aria-pressed'),
                      groove: groove.getAttribute('aria-pressed'), sounding: sounding(),
                      layers: Theme.players.filter(p => p.playing).map(p => p.data.layers.map(l => l.name))});
const seen = [];
clicks.click();
setTimeout(() => {
  seen.push(state());
  groove.click();
  setTimeout(() => {
    seen.push(state());
    clicks.click();
    setTimeout(() => {
      seen.push(state());
      root.querySelector('.builder .stop').click();
      setTimeout(() => { seen.push(state()); done(seen); }, 100);
    }, 400);
  }, 400);
}, 400);
"""


def test_the_clicks_and_the_groove_share_the_sections_one_player(browser, page: Path) -> None:  # type: ignore[no-untyped-def]
    open_editor(browser, page)
    browser.find_element("css selector", f"{EDITOR} .edit-this").click()
    time.sleep(0.2)
    seen = browser.execute_async_script(ONE_PLAYER)
    clicks, groove, clicks_again, stopped = seen
    assert clicks["clicks"] == "true" and clicks["groove"] == "false" and clicks["sounding"] == 1
    assert groove["clicks"] == "false" and groove["groove"] == "true" and groove["sounding"] == 1
    chosen = Groove.from_link(
        browser.execute_script(f"return document.querySelector('{EDITOR} .start-from').value")
    )
    assert clicks["layers"][0][0] == "click"  # the builder's clicks, then the groove's rows
    assert [row[0] for row in chosen.rows] == groove["layers"][0][: len(chosen.rows)]
    assert clicks_again["clicks"] == "true" and clicks_again["groove"] == "false"
    assert clicks_again["sounding"] == 1
    assert stopped == {"clicks": "false", "groove": "false", "sounding": 0, "layers": []}
    assert browser.execute_script(
        "return new Set(Theme.players.map(p => p.element)).size === Theme.players.length"
    )  # one player a section
    assert not errors(browser)


def _bottom(browser, selector: str) -> float:  # type: ignore[no-untyped-def]
    return float(
        browser.execute_script(
            "return document.querySelector(arguments[0]).getBoundingClientRect().bottom", selector
        )
    )


def _keep() -> bool:
    """Screenshots are written to docs/ only when asked (THEME_SCREENSHOTS=1)."""
    return os.environ.get("THEME_SCREENSHOTS") == "1"


@pytest.mark.parametrize(("width", "height"), [(1366, 768), (1024, 768), (390, 844)])
def test_the_editor_on_a_projector_and_a_phone(
    browser, page: Path, tmp_path: Path, width: int, height: int
) -> None:  # type: ignore[no-untyped-def]
    """Folded, the editor is one button under the builder, and what the class watches
    stays where it was: the metronome's step, the builder's first row of pulses on its
    step. Opened, every box and the button are 44 px at least, and nothing is
    wider than the screen."""
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 500},
    )
    try:
        if page.name != "index.html":  # the metronome's own step, first
            browser.get("about:blank")
            browser.get(page.as_uri() + "#slide-1")
            time.sleep(0.4)
            assert _bottom(browser, "#s1 .stage") <= height
        browser.get("about:blank")
        browser.get(address(page))
        time.sleep(0.4)
        assert _bottom(browser, ".builder .meter-row.first .pulse-row") <= height
        summary = browser.find_element("css selector", "details.groove-editor > summary")
        assert summary.size["height"] >= 44
        kind = "tour" if page.name == "index.html" else "metronome"
        browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", summary)
        summary.click()
        time.sleep(0.4)
        browser.find_element("css selector", f"{EDITOR} .edit-this").click()
        browser.execute_script(
            "document.querySelector('details.groove-editor').scrollIntoView({block: 'start'})"
        )
        time.sleep(0.3)
        sizes = browser.execute_script(
            "return Array.from(document.querySelectorAll('.groove-grid button.cell'))"
            ".map(b => [b.getBoundingClientRect().width, b.getBoundingClientRect().height])"
        )
        assert sizes and min(min(s) for s in sizes) >= 44
        wide = browser.execute_script("return document.documentElement.scrollWidth")
        assert wide <= width  # (a phone would zoom out: the layout as wide as the page)
        name = f"editor-{kind}{'-phone' if width < 500 else ''}-{width}.png"
        assert browser.save_screenshot(str(tmp_path / name))
        if _keep() and name in ("editor-tour-1366.png", "editor-metronome-phone-390.png"):
            shown = ROOT / "docs" / name.replace("-1366", "").replace("-390", "")
            assert browser.save_screenshot(str(shown))  # docs/studio.md shows these two
        assert not errors(browser)
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def test_the_arrow_keys_move_in_the_grid_not_between_the_tours_steps(
    browser, tour_page: Path
) -> None:  # type: ignore[no-untyped-def]
    """On the stage the arrow keys move between steps; in the grid they move between boxes
    (and the second meter's fields stay hidden until it is ticked)."""
    open_editor(browser, tour_page)
    assert (
        browser.execute_script(
            "return document.querySelector('.builder .meter-row.second').getClientRects().length"
        )
        == 0
    )
    first = cell(browser, "hihat", 0)
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", first)
    first.click()
    browser.switch_to.active_element.send_keys("\ue014")  # ArrowRight
    browser.switch_to.active_element.send_keys("\ue015")  # ArrowDown
    focused = browser.execute_script(
        "const b = document.activeElement; return [b.dataset.voice, b.dataset.index]"
    )
    assert focused == ["snare", "1"]
    assert browser.execute_script("return Theme.Slides.current()") == 7
    assert not errors(browser)
