"""The stage: every step of the tour, and a metronome's, a variant's and a repertoire
piece's page, shown one step a screen and played in headless Chromium at a projector's
sizes (1024x768, 1366x768, 1920x1080) and a phone's (390x844). What follows the music (the
beat light, the count, the conductor and the system of the score that sounds) lies inside
the screen with nothing to scroll, at the least sizes docs/stage.md states; on a phone the
score scrolls sideways in its own frame. Printed, a page holds no control's words. The
page's counts are the library's (theme.core.counting)."""

from __future__ import annotations

import base64
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_theme, writes_while_playing
from theme.classroom.tour import STEPS
from theme.core.counting import syllables
from theme.page.follow import COUNTS, follow_rows

MIN_COUNT_PX = 32
"""The least font size of a count's syllable on a projector (CSS px; the accented ones are
larger); 22 on a phone."""
MIN_PULSE_PX = 44
"""The least width of a beat light's pulse on a projector (CSS px); 20 on a phone."""
MIN_CONDUCTOR_PX = 95
"""The least height of a conductor's picture on a projector (CSS px); 70 on a phone."""
MIN_STAFF_PX = 20
"""The least height of a staff of the score (top line to bottom line, CSS px), everywhere."""
PHONE = {"count": 22, "pulse": 20, "conductor": 70}

SIZES = [(1024, 768), (1366, 768), (1920, 1080), (390, 844)]


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The tour, and a metronome's, a variant's and a repertoire piece's page."""
    from theme.classroom.tour import write_tour

    folder = tmp_path_factory.mktemp("stage")
    tour = write_tour(folder / "tour")
    commands = {
        "metronome": ("metronome", "7/8", "--vs", "4/4", "--bars", "8", "-o", "metronome.html"),
        "variant": ("export", "tv-1966", "-o", "variant.html"),
        "repertoire": ("export", "money", "-o", "repertoire.html"),
    }
    made = {"tour": tour}
    for name, command in commands.items():
        done = run_theme(*command, cwd=folder)
        assert done.returncode == 0, done.stderr
        made[name] = folder / command[-1]
    return made


# -- without a browser -------------------------------------------------------------------------


def test_every_bar_of_a_step_is_engraved(pages: dict[str, Path]) -> None:
    html = pages["tour"].read_text(encoding="utf-8")
    sections = re.findall(r"<section id='s(\d+)'.*?</section>", html, re.S)
    bodies = re.split(r"<section id='s\d+'", html)[1:]
    for number, body in zip(sections, bodies, strict=True):
        step = STEPS[int(number) - 1] if int(number) <= len(STEPS) else None
        if step is None or not step.notation:
            continue
        music = step.music(None)
        starts = [float(s) for s in re.findall(r'data-start="([0-9.]+)"', body)]
        assert starts == [float(bar.start) for bar in music.bars], step.title  # 10 and 12 bars
        assert "An excerpt" not in body
        assert "class='score'" in body


def test_each_step_shows_first_the_count_its_words_speak(pages: dict[str, Path]) -> None:
    html = pages["tour"].read_text(encoding="utf-8")
    counts = dict(re.findall(r"<section id='s(\d+)'[^>]* data-count='(\w+)'", html))
    assert counts == {str(step.number): step.count for step in STEPS}
    assert counts["1"] == "bar"  # "count ONE two three FOUR five"
    assert counts["2"] == "words"  # "PINE-ap-ple AP-ple"
    assert "ONE two three FOUR five" in " ".join(STEPS[0].text)


# -- in the browser ----------------------------------------------------------------------------

browser_test = pytest.mark.browser

PAGE_COUNTS = """
return Array.from(document.querySelectorAll('body > section')).map(section =>
  Array.from(section.querySelectorAll('.follow')).map(row =>
    Array.from(row.querySelectorAll('.counting')).map(line => {
      const counts = {};
      line.querySelectorAll('.count').forEach(count => {
        counts[count.classList[1]] = {
          groups: Array.from(count.querySelectorAll('.group')).map(g =>
            Array.from(g.querySelectorAll('.syl')).map(s => s.textContent)),
          levels: Array.from(count.querySelectorAll('.syl')).map(s => s.className.replace(' now', '')),
          text: count.textContent};
      });
      return counts;
    })));
"""


@browser_test
def test_the_pages_counts_are_the_librarys(browser: Any, pages: dict[str, Path]) -> None:
    browser.get(pages["tour"].resolve().as_uri())
    shown = browser.execute_script(PAGE_COUNTS)
    for step, section in zip(STEPS, shown, strict=False):
        music = step.music(None)
        labels = ["", ""] if len(section) > 1 else [""]
        for row, lines in zip(follow_rows(music, labels), section, strict=True):
            assert len(lines) == len(row.kinds)
            for kind, counts in zip(row.kinds, lines, strict=True):
                assert set(counts) == {scheme for scheme, _ in COUNTS}
                for scheme, count in counts.items():
                    assert count["groups"] == syllables(kind.groups, scheme=scheme), (step, scheme)
                    starts = [0] + [sum(kind.groups[:i]) for i in range(1, len(kind.groups))]
                    levels = [
                        0 if i == 0 else 1 if i in starts else 2 for i in range(sum(kind.groups))
                    ]
                    assert count["levels"] == [f"syl a{level}" for level in levels]
    one = shown[0][0][0]["bar"]
    assert one["text"] == "1 2 3 4 5"  # through the bar: ONE two three FOUR five
    assert one["levels"] == ["syl a0", "syl a2", "syl a2", "syl a1", "syl a2"]
    four = next(c["bar"] for c in shown[3][0] if c["bar"]["groups"] == [["1", "2"], ["3", "4"]])
    assert four["text"] == "1 2 3 4"  # 4/4 through the bar
    assert shown[0][0][0]["group"]["text"] == "1-2-3 1-2"


MEASURE = """
const done = arguments[arguments.length - 1];
const [patience] = arguments;
const section = document.querySelector('body > section.current');
function until(ready) {  // resolves once ready() holds, two frames later, or after patience ms
  const given = performance.now();
  return new Promise(resolve => {
    (function poll() {
      if (ready() || performance.now() - given > patience) {
        requestAnimationFrame(() => requestAnimationFrame(resolve));
      } else {
        setTimeout(poll, 20);
      }
    })();
  });
}
const visible = el => el && el.getClientRects().length > 0 && getComputedStyle(el).display !== 'none';
const box = el => { const r = el.getBoundingClientRect();
  return {top: r.top, bottom: r.bottom, left: r.left, right: r.right, width: r.width, height: r.height}; };
function staffHeight(system) {  // top line to bottom line of the system's first staff
  const staff = system.querySelector('g.staff');
  const lines = Array.from(staff ? staff.children : []).filter(el => el.tagName === 'path')
    .map(p => p.getBoundingClientRect());
  if (lines.length < 2) { return 0; }
  return Math.max(...lines.map(r => r.top)) - Math.min(...lines.map(r => r.top));
}
function look() {
  const frame = section.querySelector('.score-frame');
  const systems = frame ? Array.from(frame.querySelectorAll('g.system')) : [];
  const sounding = systems[Number(section.dataset.system || 1) - 1];
  const nav = document.querySelector('.slide-nav');
  return {
    scroll: [document.documentElement.scrollWidth, document.documentElement.scrollHeight],
    view: [innerWidth, innerHeight], nav: nav.getBoundingClientRect().top,
    navScroll: [nav.scrollWidth, nav.clientWidth],
    navButtons: Array.from(nav.querySelectorAll('button')).filter(visible).map(b => [b.textContent, box(b)]),
    drawer: visible(section.querySelector('.drawer')),
    lights: Array.from(section.querySelectorAll('.beat')).map(el => ({box: box(el),
      pulse: Math.min(...Array.from(el.querySelectorAll('b')).map(b => b.getBoundingClientRect().width)),
      now: el.dataset.now})),
    counts: Array.from(section.querySelectorAll('.counting:not([hidden]) .count')).filter(visible)
      .map(el => ({box: box(el), size: Math.min(...Array.from(el.querySelectorAll('.syl'))
        .map(syl => parseFloat(getComputedStyle(syl).fontSize)))})),
    conductors: Array.from(section.querySelectorAll('svg.conductor')).map(box),
    system: sounding ? {box: box(sounding), staff: staffHeight(sounding), index: section.dataset.system,
                        of: systems.length, where: section.querySelector('.score-where').textContent} : null,
    frame: frame ? {box: box(frame), scroll: frame.scrollWidth, client: frame.clientWidth,
                    overflow: getComputedStyle(frame).overflowX,
                    notes: Array.from(frame.querySelectorAll('.note.now')).map(box)} : null,
    lit: section.querySelectorAll('.syl.now').length,
  };
}
const player = Theme.playerFor(section);
const last = player.data.bars.length;
const lit = () => player.playing && section.querySelectorAll('.syl.now').length > 0;
const lastSystem = () => {
  const frame = section.querySelector('.score-frame');
  const systems = frame ? frame.querySelectorAll('g.system').length : 0;
  return !systems || Number(section.dataset.system) === systems;
};
document.querySelector('.slide-nav .stage-play').click();
until(lit).then(() => {
  const playing = look();
  // the last bar: the last system sounds
  return player.play(last).then(() => until(() => lit() && lastSystem())).then(() => {
    const end = look();
    player.stop();
    done({playing, end, bars: last, heard: player.playing, step: Theme.Slides ? Theme.Slides.current() + 1 : 1});
  });
});
"""

PATIENCE_MS = 5000
"""How long the page is given to light what the music plays, once played (ms): the looks
are taken as soon as it has, or after this whatever it shows (a loaded machine takes a
second where a quiet one takes a frame)."""


GO_TO_STEP = """
const [hash, index, done] = arguments;
location.hash = hash;
(function shown() {
  if (Theme.Slides.current() === index) {
    requestAnimationFrame(() => done());
  } else {
    setTimeout(shown, 10);
  }
})();
"""


def stage_page(
    browser: Any, page: Path, step: int, size: tuple[int, int], *, already_open: bool = False
) -> None:
    """Show step ``step`` of ``page`` on a screen of ``size`` (CSS px): the page opened
    there, or, when this test has it ``already_open`` at that size, gone to as a teacher
    goes to a step."""
    width, height = size
    url = page.resolve().as_uri()
    if already_open:
        browser.execute_async_script(GO_TO_STEP, f"#slide-{step}", step - 1)
        return
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 500},
    )
    browser.get("about:blank")
    browser.get(f"{url}#slide-{step}")


def inside(box: dict[str, float], width: float, bottom: float, *, sideways: bool = False) -> bool:
    across = sideways or (box["left"] >= -0.5 and box["right"] <= width + 0.5)
    return across and box["top"] >= -0.5 and box["bottom"] <= bottom + 0.5


def check_stage(seen: dict[str, Any], size: tuple[int, int], name: str) -> None:
    width, height = size
    phone = width < 500
    assert seen["view"] == [width, height], (name, "wider than the screen", seen["scroll"])
    assert seen["scroll"][0] <= width and seen["scroll"][1] <= height, (name, "scrolls", seen)
    assert not seen["drawer"]  # the teacher's drawer is closed
    bottom = seen["nav"]  # above the bar of buttons at the foot
    # every button of that bar whole on the screen (on a phone in two rows), none to scroll to
    assert seen["navScroll"][0] <= seen["navScroll"][1], (name, "the buttons scroll", seen)
    assert len(seen["navButtons"]) >= 6, (name, seen["navButtons"])
    for word, button in seen["navButtons"]:
        assert inside(button, width, height), (name, "button", word, button)
    least = PHONE if phone else {"count": MIN_COUNT_PX, "pulse": MIN_PULSE_PX}
    assert seen["lights"], name
    for light in seen["lights"]:
        assert inside(light["box"], width, bottom), (name, "beat light", light)
        assert light["pulse"] >= least["pulse"], (name, light)
    assert seen["counts"], name
    for count in seen["counts"]:
        assert inside(count["box"], width, bottom), (name, "count", count)
        assert count["size"] >= least["count"], (name, count)
    assert seen["conductors"], name
    tall = PHONE["conductor"] if phone else MIN_CONDUCTOR_PX
    for conductor in seen["conductors"]:
        assert inside(conductor, width, bottom), (name, "conductor", conductor)
        assert conductor["height"] >= tall, (name, conductor)
    assert seen["lit"] >= 1  # a syllable lit: it follows the music
    system = seen["system"]
    if system is not None:
        assert inside(system["box"], width, bottom, sideways=phone), (name, "score", system)
        assert system["staff"] >= MIN_STAFF_PX, (name, system)
        frame = seen["frame"]
        assert inside(frame["box"], width, bottom), (name, "score frame", frame)
        if phone:  # the score keeps its size and scrolls sideways in its own frame
            assert frame["overflow"] in ("auto", "scroll") and frame["scroll"] > frame["client"]
        across = frame["box"]  # the notes heard are lit where the class sees them
        seen_notes = [n for n in frame["notes"] if n["width"] > 0]
        in_frame = [
            n["left"] >= across["left"] - 0.5 and n["right"] <= across["right"] + 0.5
            for n in seen_notes
        ]
        if phone:
            # A phone's frame follows the first meter's bar; a second meter in bars of its
            # own length is engraved a bar a column, so its bar heard may lie to the side.
            assert all(inside(n, width, bottom, sideways=True) for n in seen_notes), (
                name,
                seen_notes,
            )
            assert not seen_notes or any(in_frame), (name, "no note lit in the frame", seen_notes)
            return
        assert all(inside(n, width, bottom) for n in seen_notes), (name, "notes lit", seen_notes)
        assert all(in_frame), (name, "notes lit outside the score's frame", seen_notes, across)


def stage_cases() -> list[tuple[str, int]]:
    tour = [("tour", step.number) for step in STEPS]
    return [*tour, ("metronome", 1), ("variant", 1), ("repertoire", 1)]


@browser_test
@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_each_step_is_one_screen_with_what_follows_the_music_in_it(
    browser: Any, pages: dict[str, Path], size: tuple[int, int]
) -> None:
    try:
        shown = None
        for page, step in stage_cases():
            stage_page(browser, pages[page], step, size, already_open=shown == page)
            shown = page
            name = f"{page} step {step} at {size[0]}x{size[1]}"
            result = browser.execute_async_script(MEASURE, PATIENCE_MS)
            assert result["step"] == step, (name, "the page shows another step", result["step"])
            check_stage(result["playing"], size, name)
            check_stage(result["end"], size, name + ", its last bar")
            end = result["end"]["system"]
            if end is not None:  # the score turned to the system of the last bar
                assert end["index"] == str(end["of"]), (name, end)
                assert f"to {result['bars']} of {result['bars']}" in end["where"] or (
                    f"bar {result['bars']} of" in end["where"]
                ), end
            assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


@browser_test
@pytest.mark.parametrize(
    ("page", "address", "play"),
    [
        ("tour", "#slide-5", ".slide-nav .stage-play"),  # the conductor, the count and the light
        ("metronome", "", ".player .play"),  # two meters' lights and counts
        ("variant", "", ".player .play"),  # the score's cursor
    ],
)
def test_a_playing_page_writes_only_what_changes(
    browser: Any, pages: dict[str, Path], page: str, address: str, play: str
) -> None:
    browser.get("about:blank")
    browser.get(pages[page].resolve().as_uri() + address)
    seen = writes_while_playing(browser, play)
    assert seen["playing"] and seen["writes"] > 0, seen  # the baton and the lights moved
    assert seen["unchanged"] == {}, seen  # nothing written again that had not changed


DRAWER = """
const section = document.querySelector('body > section.current');
const drawer = section.querySelector('.drawer');
return {open: drawer.getClientRects().length > 0, count: section.dataset.count,
        shown: Array.from(section.querySelectorAll('.count')).filter(c => c.getClientRects().length)
          .map(c => c.classList[1]),
        playing: Theme.playerFor(section).playing,
        button: document.querySelector('.slide-nav .drawer-button').getAttribute('aria-expanded'),
        step: Theme.Slides.current()};
"""


@browser_test
def test_the_teachers_drawer_and_the_keys_of_the_stage(
    browser: Any, pages: dict[str, Path]
) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    def press(*keys: str) -> dict[str, Any]:
        ActionChains(browser).send_keys(*keys).perform()
        return browser.execute_script(DRAWER)  # type: ignore[no-any-return]

    browser.get("about:blank")
    browser.get(pages["tour"].resolve().as_uri() + "#slide-1")
    state = browser.execute_script(DRAWER)
    assert (state["open"], state["button"], state["count"], state["shown"]) == (
        False,
        "false",
        "bar",
        ["bar"],
    )
    assert press("d")["open"] is True  # D opens the drawer: the controls, the delay, Tap along
    inside = browser.execute_script(
        "const d = document.querySelector('section.current .drawer');"
        "return [!!d.querySelector('.player .play'), !!d.querySelector('#picture-delay'),"
        " !!d.querySelector('.tap-along'), !!d.querySelector('.count-mode'),"
        " !!d.querySelector('.slide-help')]"
    )
    assert inside == [True, True, True, True, True]
    browser.find_element("id", "picture-delay").click()
    assert press(Keys.ARROW_RIGHT)["step"] == 0  # typing in a field moves nothing
    assert press(Keys.ESCAPE)["open"] is False  # Escape closes it, from a field too
    assert browser.execute_script("return document.activeElement === document.body")
    assert press("d", "d")["open"] is False
    assert press("c")["shown"] == ["group"]  # C: the next count
    assert press("c", "c", "c")["shown"] == ["bar"]
    assert press(Keys.SPACE)["playing"] is True  # the clicker's play
    assert (
        press(Keys.PAGE_DOWN)["step"] == 1
        and browser.execute_script("return Theme.players.some(p => p.playing)") is False
    )  # leaving a step stops it
    assert press(Keys.ENTER)["playing"] is True
    assert press(Keys.ENTER)["playing"] is False
    assert press(Keys.PAGE_UP)["step"] == 0
    browser.find_element("css selector", ".slide-nav .drawer-button").click()
    assert browser.execute_script(DRAWER)["open"] is True
    browser.find_element("css selector", ".slide-nav .full").click()  # full screen closes it
    if browser.execute_script("return !!document.fullscreenElement"):
        assert browser.execute_script(DRAWER)["open"] is False
        browser.execute_script("document.exitFullscreen()")
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []


CONTROL_WORDS = (
    "Tap along",
    "calibration",
    "Picture delay",
    "from bar",
    "Tap the beat",
    "Controls (D)",
    "Full screen",
    "Long page",
    "Next",
    "Back",
    "mute",
    "clicks heard",
    "mean spread hits missed",
    "through the bar (1 2 3 4 5)",
    "(line 1 of",
)
"""Words only a control says (a button, a label, a menu, the tap table's head, the score's
place on the stage)."""

PRINT_STYLE = """
const lit = document.querySelector('section.current .syl.now');
const box = document.querySelector('section.current .cursor-box');
return {syllable: lit ? getComputedStyle(lit).backgroundColor : null,
        cursor: box ? getComputedStyle(box).visibility : null,
        tables: Array.from(document.querySelectorAll('table')).filter(t => t.getClientRects().length).length};
"""


@browser_test
@pytest.mark.parametrize("page", ["tour", "metronome", "variant", "repertoire"])
def test_printed_a_page_holds_no_controls_words(
    browser: Any, pages: dict[str, Path], page: str, tmp_path: Path
) -> None:
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.skip("pdftotext (poppler-utils) is not installed: the PDF's words cannot be read")
    browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    browser.get("about:blank")
    browser.get(pages[page].resolve().as_uri() + "#slide-1")
    browser.execute_async_script(  # played a little: a syllable and a note lit, a tap table made
        "const done = arguments[0]; const s = document.querySelector('section.current');"
        "Theme.playerFor(s).play(1).then(() => setTimeout(() => { Theme.playerFor(s).stop(); "
        "s.dispatchEvent(new CustomEvent('theme:position', {bubbles: true, detail: "
        "{q: 0.1, seconds: 0, bar: 1, playing: false}})); done(); }, 600));"
    )
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        style = browser.execute_script(PRINT_STYLE)
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    assert style["syllable"] in ("rgba(0, 0, 0, 0)", "transparent")  # no lit syllable
    assert style["cursor"] in (None, "hidden")  # no cursor's box
    assert style["tables"] == 0  # no Tap along table
    from selenium.webdriver.common.print_page_options import PrintOptions

    options = PrintOptions()
    options.page_width, options.page_height = 21.0, 29.7  # A4, in centimetres
    pdf = tmp_path / f"{page}.pdf"
    pdf.write_bytes(base64.b64decode(browser.print_page(options)))
    text = subprocess.run(
        [pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert len(text) > 100  # the words are there
    found = [words for words in CONTROL_WORDS if words in text]
    assert found == [], found
    if page == "tour":
        assert all(step.title in text for step in STEPS)
        assert text.count("\f") >= len(STEPS)  # a page a step
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []
