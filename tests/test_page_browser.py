"""The page to project, in a real browser: headless Chromium loads the tour's page with no
console error, and every section's player plays (the page's own Web Audio scheduler, see
tests/test_page_player.py for its timing). Skipped, saying why, where Chromium or its
driver is missing (.ci/run installs the Debian packages chromium and chromium-driver). A
screenshot is kept in the test's folder."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

PROBE = """
const done = arguments[arguments.length - 1];
const results = [];
const next = i => {
  if (i >= Theme.players.length) { done(results); return; }
  const player = Theme.players[i], seen = [];
  const listen = e => seen.push(e.detail);
  player.element.addEventListener('theme:position', listen);
  // Played until its position has moved three times past the start (a loaded machine draws
  // fewer frames: 6 s at most, within the driver's 60 s for all seven), then stopped.
  const moved = () => seen.filter(d => d.playing && d.q > 0).length > 2;
  const until = Date.now() + 6000;
  const check = () => {
    if (!moved() && Date.now() < until) { setTimeout(check, 50); return; }
    player.stop();
    player.element.removeEventListener('theme:position', listen);
    results.push({ok: moved(), stopped: !seen[seen.length - 1].playing,
                  quarters: player.data.quarters});
    next(i + 1);
  };
  player.play(1).then(() => setTimeout(check, 300))
    .catch(e => { results.push({ok: false, error: String(e)}); next(i + 1); });
};
next(0);
"""


def test_the_tour_page_loads_and_every_step_plays(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from theme.classroom.tour import write_tour

    page = write_tour(tmp_path / "tour")
    browser.get(page.resolve().as_uri())
    results = browser.execute_async_script(PROBE)
    assert len(results) == 7
    for result in results:
        assert result["ok"] and result["stopped"], result
        assert result["quarters"] > 5
    errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert errors == []
    shot = tmp_path / "page.png"
    assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 10_000
    assert browser.execute_script("return document.querySelectorAll('section figure').length") == 7


def test_an_exported_page_in_the_browser(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import run_theme

    assert run_theme("export", "tv-1966", "-o", "tv.html", cwd=tmp_path).returncode == 0
    browser.get((tmp_path / "tv.html").as_uri())
    results = browser.execute_async_script(PROBE)
    assert [r["ok"] for r in results] == [True]
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []


BEAT_LIGHT = """
const done = arguments[arguments.length - 1];
const section = document.querySelector('section'), player = Theme.playerFor(section);
const light = section.querySelector('.beat'), delay = document.getElementById('picture-delay');
player.play(1).then(() => setTimeout(() => {
  const playing = light.dataset.now;
  delay.value = 0;
  const now = player.heardQ();
  delay.value = 500;
  const delayed = player.heardQ();
  delay.value = 0;
  player.stop();
  player.cue(2);
  done({playing, seeked: light.dataset.now, lit: light.querySelectorAll('b.now').length,
        pulses: light.querySelectorAll('b').length, late: now - delayed});
}, 700));
"""


def test_the_beat_light_follows_the_player(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import run_theme

    assert run_theme("export", "tv-1966", "-o", "tv.html", cwd=tmp_path).returncode == 0
    browser.get((tmp_path / "tv.html").as_uri())
    result = browser.execute_async_script(BEAT_LIGHT)
    assert result["playing"].startswith("1:")  # lit while it plays (bar 1 lasts 1.875 s)
    assert result["seeked"] == "2:1" and result["lit"] == 1 and result["pulses"] == 5
    # 500 ms of picture delay at q=160: the light shows 4/3 of a quarter note earlier
    assert result["late"] == pytest.approx(4 / 3, abs=0.1)  # the clock moves between reads
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []


TWO_METERS = """
const done = arguments[arguments.length - 1];
const section = document.querySelector('section');
const lights = Array.from(document.querySelectorAll('.beat'));
const state = () => lights.map(l => [l.dataset.now, l.querySelectorAll('b.now').length,
                                    l.querySelectorAll('b').length]);
const at = (q, playing) => section.dispatchEvent(new CustomEvent('theme:position',
    {bubbles: true, detail: {q: q, seconds: q / 2, bar: 1, playing: playing}}));
const ready = state();
at(4.2, true);
const heard = state();
at(3.2, true);
const earlier = state();
Theme.playerFor(section).cue(2);
done({ready, heard, earlier, cued: state(),
      labels: lights.map(l => l.querySelector('.meter').textContent)});
"""


def test_the_beat_light_of_a_metronome_page_lights_both_meters(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import run_theme

    made = run_theme("metronome", "5/4", "--vs", "4/4", "--bars", "4", "-o", "m.html", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    browser.get((tmp_path / "m.html").as_uri())
    result = browser.execute_async_script(TWO_METERS)
    assert result["labels"] == ["5/4 (3+2)", "4/4 (2+2)"]
    # before play each row stands on bar 1 with its first pulse lit
    assert result["ready"] == [["1:1", 1, 5], ["1:1", 1, 4]]
    # 4.2 quarter notes: beat 5 of the 5/4 bar and the 4/4 bar 2's downbeat
    assert result["heard"] == [["1:5", 1, 5], ["2:1", 1, 4]]
    assert result["earlier"] == [["1:4", 1, 5], ["1:4", 1, 4]]  # 3.2 quarter notes
    assert result["cued"] == [["2:1", 1, 5], ["2:2", 1, 4]]  # bar 2 of 5/4 is quarter 5
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []
