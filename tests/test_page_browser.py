"""The page to project, in a real browser: headless Chromium loads the tour's page with no
console error, and every audio element decodes and plays. Skipped, saying why, where
Chromium or its driver is missing (.ci/run installs the Debian packages chromium and
chromium-driver). A screenshot is kept in the test's folder."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

PROBE = """
const done = arguments[arguments.length - 1];
const audios = Array.from(document.querySelectorAll('audio'));
Promise.all(audios.map(a => new Promise(resolve => {
  const report = () => a.play()
      .then(() => { const t = a.currentTime; a.pause(); resolve({ok: true, duration: a.duration, ready: a.readyState}); })
      .catch(e => resolve({ok: false, error: String(e), duration: a.duration}));
  if (a.readyState >= 1) { report(); }
  else {
    a.addEventListener('loadedmetadata', report, {once: true});
    a.addEventListener('error', () => resolve({ok: false, error: 'decode error ' + (a.error && a.error.code)}), {once: true});
    a.load();
  }
}))).then(done);
"""


def test_the_tour_page_loads_decodes_and_plays(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from theme.classroom.tour import write_tour

    page = write_tour(tmp_path / "tour")
    browser.get(page.resolve().as_uri())
    results = browser.execute_async_script(PROBE)
    assert len(results) == 7
    for result in results:
        assert result["ok"], result
        assert result["duration"] > 5
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
const audio = document.querySelector('audio'), light = document.querySelector('.beat');
const seek = (seconds, then) => {
  audio.addEventListener('seeked', () => setTimeout(then, 50), {once: true});
  audio.currentTime = seconds;
};
const start = () => audio.play().then(() => setTimeout(() => {
  const playing = light.dataset.now;
  audio.pause();
  seek(2.1, () => {
    const seeked = light.dataset.now, lit = light.querySelectorAll('b.now').length;
    const pulses = light.querySelectorAll('b').length;
    document.getElementById('picture-delay').value = 500;
    seek(2.1, () => done({playing, seeked, lit, pulses, delayed: light.dataset.now}));
  });
}, 700));
if (audio.readyState >= 1) { start(); } else { audio.addEventListener('loadedmetadata', start, {once: true}); }
"""


def test_the_beat_light_follows_the_player(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import run_theme

    assert run_theme("export", "tv-1966", "-o", "tv.html", cwd=tmp_path).returncode == 0
    browser.get((tmp_path / "tv.html").as_uri())
    result = browser.execute_async_script(BEAT_LIGHT)
    assert result["playing"].startswith("1:")  # lit while it plays (bar 1 lasts 1.875 s)
    # at q=160 a 5/4 bar lasts 1.875 s and a beat 0.375 s: 2.1 s is bar 2, beat 1
    assert result["seeked"] == "2:1" and result["lit"] == 1 and result["pulses"] == 5
    assert result["delayed"] == "1:5"  # 500 ms of picture delay: 1.6 s, bar 1, beat 5
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []


TWO_METERS = """
const done = arguments[arguments.length - 1];
const audio = document.querySelector('audio'), delay = document.getElementById('picture-delay');
const lights = Array.from(document.querySelectorAll('.beat'));
const state = () => lights.map(l => [l.dataset.now, l.querySelectorAll('b.now').length,
                                    l.querySelectorAll('b').length]);
const setDelay = ms => { delay.value = ms; delay.dispatchEvent(new Event('input')); };
const ready = state();
setDelay(500);  // before play, with a picture delay: still ready on bar 1
const readyDelayed = state();
setDelay(0);
const seek = (seconds, then) => {
  audio.addEventListener('seeked', () => setTimeout(then, 50), {once: true});
  audio.currentTime = seconds;
};
const start = () => seek(2.1, () => {
  const seeked = state();
  setDelay(500);
  done({ready, readyDelayed, seeked, delayed: state(),
        labels: lights.map(l => l.querySelector('.meter').textContent)});
});
if (audio.readyState >= 1) { start(); } else { audio.addEventListener('loadedmetadata', start, {once: true}); }
"""


def test_the_beat_light_of_a_metronome_page_lights_both_meters(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import run_theme

    made = run_theme("metronome", "5/4", "--vs", "4/4", "--bars", "4", "-o", "m.html", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    browser.get((tmp_path / "m.html").as_uri())
    result = browser.execute_async_script(TWO_METERS)
    assert result["labels"] == ["5/4", "4/4"]
    # before play each row stands on bar 1 with its first pulse lit, a picture delay or not
    assert result["ready"] == result["readyDelayed"] == [["1:1", 1, 5], ["1:1", 1, 4]]
    # q=120: 2.1 s is 4.2 quarter notes, beat 5 of the 5/4 bar and the 4/4 bar 2's downbeat
    assert result["seeked"] == [["1:5", 1, 5], ["2:1", 1, 4]]
    assert result["delayed"] == [["1:4", 1, 5], ["1:4", 1, 4]]  # 1.6 s: 3.2 quarter notes
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []
