"""The page as an instrument: the tour as slides, the meter builder, phones, keyboards, print.

The page's own meter counting (``meters.js``) runs in Node against the library on meters,
groupings and subdivisions hypothesis makes; the pages run in headless Chromium (the
``browser`` fixture): keys and a clicker move through the slides, print shows every step
and no player, the builder lights what the library accents and refuses bad input beside
its field, a phone's width scrolls nothing sideways, the keyboard reaches every control.
"""

from __future__ import annotations

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

from tests.conftest import run_theme
from theme.core.meter import DENOMINATORS, Meter, default_groups
from theme.errors import UsageError
from theme.metronome import Metronome
from theme.page.builder import BuilderSettings, builder_panel, builder_section
from theme.page.document import page_html, page_style

METERS_JS = Path(str(files("theme.page").joinpath("js"))) / "meters.js"
NODE_DRIVER = r"""
require(process.argv[1]);
const M = globalThis.Theme.Meters;
require('readline').createInterface({input: process.stdin}).on('line', function (line) {
  const call = JSON.parse(line);
  let out;
  try { out = {value: M[call.fn].apply(null, call.args)}; } catch (e) { out = {error: String(e)}; }
  process.stdout.write(JSON.stringify(out) + '\n');
});
"""
PROPERTY = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

JsCall = Callable[..., Any]


@pytest.fixture(scope="module")
def js() -> Iterator[JsCall]:
    """Call a function of ``Theme.Meters`` in one Node process: ``js('accentLevels', [3, 2], 1)``."""
    node = shutil.which("node") or shutil.which("nodejs")
    if node is None:
        pytest.skip("node is not installed (apt-get install nodejs)")
    process = subprocess.Popen(
        [node, "-e", NODE_DRIVER, str(METERS_JS)],
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
    """Any meter of the library: 1 to ``most`` pulses, any unit, any grouping."""
    numerator = draw(st.integers(1, most))
    starts = sorted(draw(st.sets(st.integers(1, numerator - 1))) if numerator > 1 else set())
    cuts = [0, *starts, numerator]
    groups = tuple(b - a for a, b in itertools.pairwise(cuts))
    return Meter(numerator, draw(st.sampled_from(DENOMINATORS)), groups)


def exact(q: list[int]) -> Fraction:
    return Fraction(q[0], q[1])


# -- the page counts as the library counts (Node) ---------------------------------------------


@PROPERTY
@given(meter=meters(), subdivide=st.integers(1, 64))
def test_the_pages_accent_levels_are_the_librarys(js: JsCall, meter: Meter, subdivide: int) -> None:
    levels = js("accentLevels", list(meter.groups), subdivide)
    assert levels == [int(level) for level in meter.accent_levels(subdivide)]


@PROPERTY
@given(meter=meters())
def test_the_pages_meter_names_and_default_groupings_are_the_librarys(
    js: JsCall, meter: Meter
) -> None:
    assert js("meterName", list(meter.groups), meter.denominator) == str(meter)
    assert js("meterLabel", list(meter.groups), meter.denominator) == meter.label
    assert js("defaultGroups", meter.numerator, meter.denominator) == list(
        default_groups(meter.numerator, meter.denominator)
    )
    assert js("groupStarts", list(meter.groups)) == list(meter.group_starts)


def library_clicks(metronome: Metronome) -> list[tuple[Fraction, Fraction, str, int]]:
    return sorted((e.onset, e.duration, e.layer, int(e.accent)) for e in metronome.events())


def page_clicks(events: list[dict[str, Any]]) -> list[tuple[Fraction, Fraction, str, int]]:
    return sorted((exact(e["q"]), exact(e["duration"]), e["layer"], e["level"]) for e in events)


@PROPERTY
@given(
    meter=meters(most=13),
    vs=st.none() | meters(most=13),
    align=st.sampled_from(["beat", "bar"]),
    subdivide=st.integers(1, 4),
    bars=st.integers(1, 3),
)
def test_the_pages_clicks_are_the_metronomes_to_the_exact_quarter(
    js: JsCall, meter: Meter, vs: Meter | None, align: str, subdivide: int, bars: int
) -> None:
    options = {"subdivide": subdivide, "bars": bars, "align": align}
    if vs is not None:
        options["vs"] = {"groups": list(vs.groups), "denominator": vs.denominator}
    events = js(
        "clickEvents", {"groups": list(meter.groups), "denominator": meter.denominator}, options
    )
    metronome = Metronome(meter, vs=vs, align=align if vs else None, subdivide=subdivide, bars=bars)
    assert page_clicks(events) == library_clicks(metronome)
    onsets = [exact(e["q"]) for e in events]
    assert onsets == sorted(onsets)  # in time order, as the page's player reads them


GROUPING_TEXT = st.one_of(
    st.lists(st.integers(0, 9), min_size=1, max_size=6).map(lambda gs: "+".join(map(str, gs))),
    st.text(alphabet="0123456789+ x-.", max_size=10),
)


@PROPERTY
@given(numerator=st.integers(1, 20), text=GROUPING_TEXT)
def test_the_page_refuses_a_grouping_exactly_when_the_library_does(
    js: JsCall, numerator: int, text: str
) -> None:
    answer = js("parseGrouping", text, numerator)
    try:
        groups = list(Meter.of(numerator, 4).with_groups(text).groups)
    except UsageError:
        assert "groups" not in answer and answer["error"].startswith("invalid grouping")
    else:
        assert answer == {"groups": groups}


@PROPERTY
@given(
    bpm=st.integers(0, 9000) | st.decimals(0, 100, places=2).map(str),
    denominator=st.sampled_from(DENOMINATORS),
)
def test_the_page_refuses_a_tempo_exactly_when_the_library_does(
    js: JsCall, bpm: int | str, denominator: int
) -> None:
    """The builder's tempo counts pulses a minute; the library's range is in quarters."""
    message = js("checkTempo", str(bpm), denominator)
    try:
        Metronome(f"4/{denominator}", bpm=Fraction(str(bpm)) * 4 / denominator)
    except UsageError:
        assert message.startswith(f"invalid tempo '{bpm}'".replace("'", '"'))
    else:
        assert message == ""


@PROPERTY
@given(
    meter=meters(most=12),
    vs=st.none() | meters(most=12),
    align=st.sampled_from(["beat", "bar"]),
    subdivide=st.integers(1, 4),
    bpm=st.integers(40, 300),
)
def test_the_command_the_page_shows_clicks_what_the_page_plays(
    js: JsCall, meter: Meter, vs: Meter | None, align: str, subdivide: int, bpm: int
) -> None:
    from theme.cli import build_parser

    first = {"groups": list(meter.groups), "denominator": meter.denominator}
    options: dict[str, Any] = {"subdivide": subdivide, "bars": 2, "align": align, "bpm": bpm}
    if vs is not None:
        options["vs"] = {"groups": list(vs.groups), "denominator": vs.denominator}
    words = js("command", first, options).split()
    assert words[:2] == ["theme", "metronome"]
    args = build_parser().parse_args(words[1:])
    metronome = Metronome(
        args.meter,
        vs=args.vs,
        bpm=args.bpm,
        align=args.align,
        accent=args.accent,
        subdivide=args.subdivide,
        bars=2,
    )
    assert metronome.meter == meter
    limit = js("commandLimit", options)
    if vs is not None and len(vs.groups) == 1 and vs != Meter.of(vs.numerator, vs.denominator):
        # one group that is not the default: the command line's --vs cannot say it; said so
        assert metronome.vs == Meter.of(vs.numerator, vs.denominator) and "cannot" in limit
        return
    assert metronome.vs == vs and limit == ""
    assert library_clicks(metronome) == page_clicks(js("clickEvents", first, options))
    assert metronome.tempo_map.qpm_at(Fraction(0)) == Fraction(bpm) * 4 / meter.denominator


@pytest.mark.parametrize(
    ("text", "numerator", "message"),
    [
        (
            "3+3",
            5,
            'invalid grouping "3+3": the groups must be 1 or more and add up to 5 (these add up to 6)',
        ),
        ("3+0+2", 5, 'invalid grouping "3+0+2": the groups must be 1 or more and add up to 5'),
        (
            "three",
            5,
            'invalid grouping "three": expected numbers joined by + that add up to 5, such as 3+2',
        ),
    ],
)
def test_a_bad_grouping_is_named_with_what_is_allowed(
    js: JsCall, text: str, numerator: int, message: str
) -> None:
    assert js("parseGrouping", text, numerator) == {"error": message}


@pytest.mark.parametrize(
    ("fn", "args", "message"),
    [
        (
            "checkPulses",
            ["0"],
            'invalid number of pulses "0": expected a whole number from 1 to 64',
        ),
        (
            "checkPulses",
            ["65"],
            'invalid number of pulses "65": expected a whole number from 1 to 64',
        ),
        ("checkPulses", [""], 'invalid number of pulses "": expected a whole number from 1 to 64'),
        ("checkTempo", ["0", 8], 'invalid tempo "0": expected 8 to 4000 eighths a minute'),
        ("checkTempo", ["3", 4], 'invalid tempo "3": expected 4 to 2000 quarters a minute'),
        ("checkPulses", ["7"], ""),
        ("checkTempo", ["280", 8], ""),
    ],
)
def test_pulses_and_tempo_are_checked_with_the_librarys_ranges(
    js: JsCall, fn: str, args: list[Any], message: str
) -> None:
    assert js(fn, *args) == message


# -- the markup ---------------------------------------------------------------------------------


def test_the_builder_is_filled_in_from_a_metronome() -> None:
    settings_ = BuilderSettings.of(
        Metronome("7/8", vs="3+3/8", bpm="e=280", align="bar", subdivide=2)
    )
    assert settings_ == BuilderSettings(
        Meter.parse("7/8"), Meter.parse("3+3/8"), "bar", Fraction(280), 2
    )
    html = builder_panel(settings_)
    assert "value='2+2+3'" in html and "value='3+3'" in html and " checked>" in html
    assert "<option value='bar' selected>" in html and "value='280'" in html
    assert "<option value='2' selected>2</option>" in html
    alone = builder_panel()
    assert (
        "value='3+2'" in alone and " checked" not in alone and "meter-row second' hidden" in alone
    )


def test_the_builder_section_and_the_slides_are_written_into_the_page() -> None:
    html = page_html("t", [builder_section()], slides=True)
    assert "<body data-slides>" in html and "<section id='s1' class='builder'>" in html
    for name in ("Theme.Meters", "Theme.Slides", "data-builder", "@media print"):
        assert name in html
    assert "<body>" in page_html("t", [builder_section()])
    assert page_style().count("@media print") == 1


# -- in the browser -------------------------------------------------------------------------------

browser_test = pytest.mark.browser


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The tour's page and a metronome's page, written once for the module."""
    from theme.classroom.tour import write_tour

    folder = tmp_path_factory.mktemp("pages")
    tour = write_tour(folder / "tour")
    made = run_theme(
        "metronome",
        "7/8",
        "--vs",
        "3+3/8",
        "--bpm",
        "e=280",
        "--bars",
        "4",
        "-o",
        "m.html",
        cwd=folder,
    )
    assert made.returncode == 0, made.stderr
    return {"tour": tour.resolve().as_uri(), "metronome": (folder / "m.html").as_uri()}


def load(browser: Any, url: str) -> None:
    """Open ``url`` afresh (not a jump within the page the last test left)."""
    browser.get("about:blank")
    browser.get(url)


def no_console_error(browser: Any) -> None:
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []


def shown_slides(browser: Any) -> list[str]:
    return browser.execute_script(
        "return Array.from(document.querySelectorAll('body > section'))"
        ".filter(s => getComputedStyle(s).display !== 'none').map(s => s.id)"
    )


def counter(browser: Any) -> str:
    return browser.execute_script(
        "return document.querySelector('.slide-nav .counter [aria-hidden]').textContent"
    )


def press(browser: Any, *keys: str) -> None:
    from selenium.webdriver.common.action_chains import ActionChains

    ActionChains(browser).send_keys(*keys).perform()


@browser_test
def test_the_tour_is_one_step_a_screen_and_the_keys_of_a_clicker_move_through_it(
    browser: Any, pages: dict[str, str]
) -> None:
    from selenium.webdriver.common.keys import Keys

    load(browser, pages["tour"])
    assert shown_slides(browser) == ["s1"] and counter(browser) == "1 / 8"
    moves = [
        (Keys.PAGE_DOWN, "2 / 8"),
        (Keys.ARROW_RIGHT, "3 / 8"),
        (Keys.PAGE_UP, "2 / 8"),
        ("n", "3 / 8"),
        (Keys.ARROW_LEFT, "2 / 8"),
        (Keys.END, "8 / 8"),
        (Keys.PAGE_DOWN, "8 / 8"),  # the last stays the last
        (Keys.HOME, "1 / 8"),
        (Keys.PAGE_UP, "1 / 8"),
    ]
    for key, shown in moves:
        press(browser, key)
        assert counter(browser) == shown, key
        assert len(shown_slides(browser)) == 1
    assert browser.execute_script("return location.hash") == "#slide-1"
    said = browser.execute_script(
        "return document.querySelector('.slide-nav .counter .sr-only').textContent"
    )
    assert said == "Step 1 of 8: 1. Count five"  # what a screen reader says
    # typing in a field moves nothing (the picture delay is in the teacher's drawer)
    press(browser, "d")
    delay = browser.find_element("id", "picture-delay")
    delay.click()
    press(browser, Keys.ARROW_RIGHT, Keys.PAGE_DOWN, Keys.SPACE, Keys.END, "f")
    assert counter(browser) == "1 / 8"
    assert browser.execute_script("return document.fullscreenElement") is None
    no_console_error(browser)


@browser_test
def test_the_buttons_toggle_the_long_page_and_f_asks_for_full_screen(
    browser: Any, pages: dict[str, str]
) -> None:
    load(browser, pages["tour"] + "#slide-4")
    assert shown_slides(browser) == ["s4"] and counter(browser) == "4 / 8"
    browser.find_element("css selector", ".slide-nav .next").click()
    assert counter(browser) == "5 / 8"
    mode = browser.find_element("css selector", ".slide-nav .mode")
    mode.click()
    assert shown_slides(browser) == [f"s{n}" for n in range(1, 9)]
    assert mode.text == "One step a screen"
    mode.click()
    assert shown_slides(browser) == ["s5"]
    press(browser, "f")
    full = browser.execute_script(
        "return [!!document.fullscreenElement, "
        "document.querySelector('.slide-nav .full').getAttribute('aria-pressed')]"
    )
    assert full in ([True, "true"], [False, "false"])  # asked; a headless window may say no
    browser.execute_script("if (document.fullscreenElement) { document.exitFullscreen(); }")
    no_console_error(browser)


PRINTED = """
const visible = el => getComputedStyle(el).display !== 'none' && el.getClientRects().length > 0;
const sections = Array.from(document.querySelectorAll('body > section'));
return {
  steps: sections.filter(visible).map(s => s.id),
  breaks: sections.filter(visible).map(s => getComputedStyle(s).breakBefore),
  players: Array.from(document.querySelectorAll('audio, .beat, .player')).filter(visible).length,
  controls: Array.from(document.querySelectorAll('button, input, select, nav')).filter(visible).length,
  figures: Array.from(document.querySelectorAll('section figure')).filter(visible)
    .filter(f => Array.from(f.querySelectorAll('svg')).some(visible)).length,
};
"""


@browser_test
def test_printed_every_step_has_its_page_with_its_pictures_and_no_player(
    browser: Any, pages: dict[str, str]
) -> None:
    load(browser, pages["tour"] + "#slide-3")
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        printed = browser.execute_script(PRINTED)
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    assert printed["steps"] == [f"s{n}" for n in range(1, 8)]  # the builder is not printed
    assert printed["breaks"] == ["auto"] + ["page"] * 6
    assert printed["players"] == 0 and printed["controls"] == 0
    assert printed["figures"] == 7
    assert shown_slides(browser) == ["s3"]  # on screen again: one step
    no_console_error(browser)


BUILDER = "document.querySelector('[data-builder]')"


def builder_state(browser: Any) -> dict[str, Any]:
    return browser.execute_script(
        f"const panel = {BUILDER};"
        "const row = k => Array.from(panel.querySelectorAll('.meter-row.' + k + ' .pulse-row button'));"
        "return {first: row('first').map(b => Number(b.className.slice(1, 2))),"
        " second: row('second').map(b => Number(b.className.slice(1, 2))),"
        " grouping: panel.querySelector('.first .grouping').value,"
        " errors: Array.from(panel.querySelectorAll('.error')).map(e => e.textContent),"
        " invalid: Array.from(panel.querySelectorAll('[aria-invalid=true]')).map(e => e.className),"
        " summary: panel.querySelector('.summary').textContent,"
        " command: panel.querySelector('.command').textContent,"
        " problems: panel.builder.problems()};"
    )


def field(browser: Any, selector: str, text: str) -> None:
    from selenium.webdriver.common.keys import Keys

    element = browser.find_element("css selector", f"[data-builder] {selector}")
    element.send_keys(Keys.CONTROL, "a")
    element.send_keys(text)


def pulse(browser: Any, row: str, index: int) -> None:
    browser.find_elements("css selector", f"[data-builder] .{row} .pulse-row button")[index].click()


def levels(meter: str) -> list[int]:
    return [int(level) for level in Meter.parse(meter).accent_levels()]


@browser_test
def test_a_meter_built_by_clicking_lights_the_librarys_accents(
    browser: Any, pages: dict[str, str]
) -> None:
    load(browser, pages["tour"] + "#slide-8")
    state = builder_state(browser)
    assert (
        state["first"] == levels("3+2/4") and state["command"] == "theme metronome 3+2/4 --bpm 120"
    )
    pulse(browser, "first", 3)  # 3+2 joined: one group of five
    pulse(browser, "first", 2)  # 2+3
    assert builder_state(browser)["grouping"] == "2+3"
    browser.find_element("css selector", "[data-builder] .first .unit option[value='8']").click()
    field(browser, ".first .pulses", "7")
    assert builder_state(browser)["first"] == levels("2+2+3/8")  # the default grouping of 7/8
    for index in (2, 3, 4, 5):  # 2+2+3 -> 3+2+2, a pulse at a time
        pulse(browser, "first", index)
    state = builder_state(browser)
    assert state["grouping"] == "3+2+2" and state["first"] == levels("3+2+2/8")
    assert state["command"] == "theme metronome 3+2+2/8 --bpm e=120"
    browser.find_element(
        "css selector", "[data-builder] .first .presets button[aria-label='group as 2+3+2']"
    ).click()
    assert builder_state(browser)["first"] == levels("2+3+2/8")
    browser.find_element("css selector", "[data-builder] .against").click()
    field(browser, ".second .pulses", "3")
    browser.find_element("css selector", "[data-builder] .second .unit option[value='4']").click()
    state = builder_state(browser)
    assert state["second"] == levels("3/4")
    assert state["summary"] == (
        "7/8 (2+3+2) against 3/4, the same pulse: the downbeats meet every 42 pulses."
    )
    assert state["command"] == "theme metronome 2+3+2/8 --vs 3/4 --align beat --bpm e=120"
    # what the page would play is what the library clicks, to the exact quarter
    music = browser.execute_script(
        f"const b = {BUILDER}.builder, m = b.music(b.settings());"
        "return {bars: m.bars, events: m.events, sounds: b.playerData(m).events.slice(0, 3)};"
    )
    metronome = Metronome("2+3+2/8", vs="3/4", bars=music["bars"])
    assert music["bars"] == 6  # 7/8 against 3/4 meet every 42 eighths: 6 bars of 7/8
    assert page_clicks(music["events"]) == library_clicks(metronome)
    assert music["sounds"] == [
        [0, 0.5, 0, 0, 112, 76, "click/a0"],
        [0, 1, 1, 0, 112, 67, "clicklow/a0"],
        [0.5, 0.5, 0, 2, 84, 77, "click/a2"],
    ]
    no_console_error(browser)


@browser_test
def test_the_builder_refuses_bad_input_in_place_and_keeps_what_was_good(
    browser: Any, pages: dict[str, str]
) -> None:
    load(browser, pages["tour"] + "#slide-8")
    field(browser, ".first .grouping", "3+3")
    state = builder_state(browser)
    assert state["errors"][0] == (
        'invalid grouping "3+3": the groups must be 1 or more and add up to 5 (these add up to 6)'
    )
    assert state["invalid"] == ["grouping"] and state["first"] == levels("3+2/4")
    assert state["command"] == "theme metronome 3+2/4 --bpm 120"  # the last good meter stands
    browser.find_element("css selector", "[data-builder] .play").click()
    assert not browser.execute_script(f"return {BUILDER}.builder.playing()")
    field(browser, ".first .grouping", "2+3")
    assert builder_state(browser)["invalid"] == [] and builder_state(browser)["errors"][0] == ""
    field(browser, ".first .pulses", "0")
    state = builder_state(browser)
    assert (
        state["errors"][0] == 'invalid number of pulses "0": expected a whole number from 1 to 64'
    )
    assert state["invalid"] == ["pulses"] and state["first"] == levels("2+3/4")
    field(browser, ".first .pulses", "5")
    field(browser, ".tempo", "0")
    state = builder_state(browser)
    assert state["errors"][-1] == 'invalid tempo "0": expected 4 to 2000 quarters a minute'
    assert state["invalid"] == ["tempo"] and state["problems"] == [state["errors"][-1]]
    field(browser, ".tempo", "96")
    assert builder_state(browser)["problems"] == []
    assert builder_state(browser)["command"] == "theme metronome 2+3/4 --bpm 96"
    pulse(browser, "first", 0)  # the downbeat always starts a group: said, nothing changed
    assert "always starts a group" in builder_state(browser)["errors"][0]
    assert builder_state(browser)["first"] == levels("2+3/4")
    no_console_error(browser)


@browser_test
def test_a_metronome_page_ends_with_the_builder_filled_in_from_its_meters(
    browser: Any, pages: dict[str, str]
) -> None:
    load(browser, pages["metronome"])
    state = builder_state(browser)
    assert state["first"] == levels("2+2+3/8") and state["second"] == levels("3+3/8")
    assert state["command"] == "theme metronome 2+2+3/8 --vs 3+3/8 --align beat --bpm e=280"
    assert shown_slides(browser) == ["s1", "s2"]  # it opens as one long page
    assert browser.execute_script("return Theme.Slides.on()") is False
    no_console_error(browser)


WIDTHS = "return [document.documentElement.scrollWidth, document.body.scrollWidth, innerWidth]"
SMALL_CONTROLS = """
return Array.from(document.querySelectorAll('button, select, input'))
  .filter(b => b.getClientRects().length)
  .map(b => [b.className || b.type, b.getBoundingClientRect().height, b.getBoundingClientRect().width])
  .filter(c => Math.min(c[1], c[2]) < (c[0] === 'against' ? 32 : 44));
"""


@browser_test
def test_a_phone_scrolls_nothing_sideways_has_big_controls_and_swipes_between_steps(
    browser: Any, pages: dict[str, str]
) -> None:
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True},
    )
    browser.execute_cdp_cmd(
        "Emulation.setTouchEmulationEnabled", {"enabled": True, "maxTouchPoints": 5}
    )
    try:
        load(browser, pages["tour"])
        widths, small = [], []
        for step in range(1, 9):
            browser.execute_script(f"Theme.Slides.go({step - 1})")
            widths.append(browser.execute_script(WIDTHS))
            small += browser.execute_script(SMALL_CONTROLS)
        assert all(
            width <= 390 and body <= 390 and inner == 390 for width, body, inner in widths
        ), widths
        assert small == []  # on every step: controls a finger can hit
        browser.execute_script("Theme.Slides.go(1)")
        top = browser.execute_script(
            "return document.querySelector('#s2 h2').getBoundingClientRect().top + 10"
        )

        def swipe(start: int, end: int) -> None:
            for kind, x in (
                ("touchStart", start),
                ("touchMove", (start + end) // 2),
                ("touchMove", end),
            ):
                browser.execute_cdp_cmd(
                    "Input.dispatchTouchEvent", {"type": kind, "touchPoints": [{"x": x, "y": top}]}
                )
            browser.execute_cdp_cmd(
                "Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []}
            )

        swipe(330, 60)  # to the left: the next step
        assert counter(browser) == "3 / 8"
        swipe(60, 330)
        swipe(60, 330)
        assert counter(browser) == "1 / 8"
    finally:
        browser.execute_cdp_cmd("Emulation.setTouchEmulationEnabled", {"enabled": False})
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    no_console_error(browser)


CONTROLS = """
const visible = el => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
return Array.from(document.querySelectorAll('button, input, select, a[href]'))
  .filter(el => visible(el) && !el.disabled)
  .map(el => el.dataset.probe = String(Math.random()).slice(2)).length;
"""
FOCUSED = """
const el = document.activeElement, label = el.closest('label');
const name = el.getAttribute('aria-label') || (label && label.textContent.trim()) || el.textContent.trim();
const style = getComputedStyle(el);
return {probe: el.dataset.probe || '', tag: el.tagName, name: name,
        outline: style.outlineStyle, width: parseFloat(style.outlineWidth)};
"""


@browser_test
@pytest.mark.parametrize("slide", [1, 8])
def test_the_keyboard_reaches_every_control_each_named_with_a_visible_focus(
    browser: Any, pages: dict[str, str], slide: int
) -> None:
    from selenium.webdriver.common.keys import Keys

    load(browser, pages["tour"] + f"#slide-{slide}")
    browser.execute_script(f"{BUILDER}.querySelector('.against').click()")  # more controls
    count = browser.execute_script(CONTROLS)
    reached: dict[str, dict[str, Any]] = {}
    for _ in range(count + 10):
        press(browser, Keys.TAB)
        focused = browser.execute_script(FOCUSED)
        if focused["probe"]:
            reached[focused["probe"]] = focused
    assert len(reached) == count >= (25 if slide == 8 else 5)
    for focused in reached.values():
        assert focused["name"], focused
        assert focused["outline"] != "none" and focused["width"] >= 3, focused
    assert counter(browser) == f"{slide} / 8"  # tabbing moves no slide
    no_console_error(browser)


SHAPES = """
const style = el => { const s = getComputedStyle(el);
  return [s.borderTopLeftRadius, Math.round(el.getBoundingClientRect().width)]; };
const beat = document.querySelector('#s1 .beat');
const row = document.querySelector('[data-builder] .first .pulse-row');
return {
  light: ['b.l0', 'b.l1', 'b.l2'].map(s => style(beat.querySelector(s))),
  builder: ['.l0', '.l1', '.l2'].map(s => style(row.querySelector(s))),
  pressed: Array.from(row.querySelectorAll('button')).map(b => b.getAttribute('aria-pressed')),
};
"""


@browser_test
def test_the_downbeat_and_group_marks_differ_by_shape_and_size_not_colour_alone(
    browser: Any, pages: dict[str, str]
) -> None:
    load(browser, pages["tour"])
    browser.find_element("css selector", ".slide-nav .mode").click()  # the long page: all shown
    shapes = browser.execute_script(SHAPES)
    for marks in (shapes["light"], shapes["builder"]):
        downbeat, group, beat = marks
        assert downbeat[0] != beat[0] and group[0] != beat[0]  # squares, not circles
        assert downbeat[1] > group[1] and downbeat[1] > beat[1]  # the downbeat is bigger
    assert shapes["pressed"] == ["true", "false", "false", "true", "false"]  # said, too
    no_console_error(browser)


HEAR = """
const done = arguments[arguments.length - 1];
const panel = document.querySelector('[data-builder]'), section = panel.closest('section');
const lit = () => ['first', 'second'].map(row => Array.from(panel.querySelectorAll('.' + row + ' .pulse-row button'))
  .map((b, i) => b.classList.contains('now') ? i : -1).filter(i => i >= 0));
const heard = [];
section.addEventListener('theme:position', function listen(e) {
  if (e.target !== section || !e.detail.playing) { return; }
  heard.push(e.detail.q);
  if (e.detail.q > 1.2 && heard.length > 3) {
    section.removeEventListener('theme:position', listen);
    const player = panel.builder.player();
    const playing = {lit: lit(), q: e.detail.q, pressed: panel.querySelector('.play').getAttribute('aria-pressed'),
                     levels: player.events.filter(ev => ev[2] === 0).slice(0, 5).map(ev => ev[3])};
    const grouping = panel.querySelector('.first .grouping');
    grouping.value = '2+3';
    grouping.dispatchEvent(new Event('input'));
    const regrouped = {playing: panel.builder.playing(),
                       levels: player.events.filter(ev => ev[2] === 0).slice(0, 5).map(ev => ev[3])};
    panel.querySelector('.stop').click();
    done({playing: playing, regrouped: regrouped, stopped: {lit: lit(), on: player.playing,
          pressed: panel.querySelector('.play').getAttribute('aria-pressed')}});
  }
});
panel.querySelector('.against').click();  // 3+2/4 against 4/4, the same pulse
panel.querySelector('.play').click();
"""


@browser_test
def test_the_built_meter_is_heard_through_the_pages_player_and_lit_as_it_plays(
    browser: Any, pages: dict[str, str]
) -> None:
    load(browser, pages["tour"] + "#slide-8")
    result = browser.execute_async_script(HEAR)
    playing = result["playing"]
    assert playing["pressed"] == "true"
    assert playing["levels"] == levels("3+2/4")  # the player's clicks, accented as 3+2
    # a pulse is a quarter note: the pulse lit on each row is the one heard at that moment
    assert playing["lit"] == [[int(playing["q"]) % 5], [int(playing["q"]) % 4]]
    assert playing["q"] > 1.2
    assert result["regrouped"] == {"playing": True, "levels": levels("2+3/4")}  # at once
    assert result["stopped"] == {"lit": [[], []], "on": False, "pressed": "false"}
    no_console_error(browser)


@browser_test
def test_pulses_and_groupings_are_pressed_with_the_keyboard_and_keep_the_focus(
    browser: Any, pages: dict[str, str]
) -> None:
    from selenium.webdriver.common.keys import Keys

    load(browser, pages["tour"] + "#slide-8")
    browser.execute_script(f"{BUILDER}.querySelectorAll('.first .pulse-row button')[3].focus()")
    focused = "return [document.activeElement.getAttribute('aria-label'), document.activeElement.getAttribute('aria-pressed')]"
    press(browser, Keys.SPACE)  # the button's own: 3+2 joined into one group, no slide moved
    assert builder_state(browser)["grouping"] == "5" and counter(browser) == "8 / 8"
    assert browser.execute_script(focused) == ["pulse 4 of 5", "false"]
    press(browser, Keys.ENTER)
    assert builder_state(browser)["grouping"] == "3+2"
    assert browser.execute_script(focused) == ["pulse 4 of 5, starts group 2", "true"]
    browser.execute_script(f"{BUILDER}.querySelector('.first .presets button').focus()")
    press(browser, Keys.TAB, Keys.ENTER)  # the second way in twos and threes
    assert builder_state(browser)["grouping"] == "2+3"
    assert browser.execute_script(focused) == ["group as 2+3", "true"]
    no_console_error(browser)


def test_a_metronome_page_holds_the_builder_and_a_variants_page_does_not(tmp_path: Path) -> None:
    made = run_theme(
        "metronome", "3+2+2/8", "--bpm", "e=200", "--bars", "2", "-o", "m.html", cwd=tmp_path
    )
    assert made.returncode == 0, made.stderr
    html = (tmp_path / "m.html").read_text(encoding="utf-8")
    assert (
        html.count("<div class='builder' data-builder>") == 1
        and "value='3+2+2'" in html
        and "value='200'" in html
    )
    assert "<body data-slides='long'>" in html  # one long page first, its stage a button away
    assert run_theme("export", "tv-1966", "-o", "tv.html", cwd=tmp_path).returncode == 0
    assert "<div class='builder'" not in (tmp_path / "tv.html").read_text(encoding="utf-8")
