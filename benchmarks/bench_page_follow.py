"""What following the music costs a page: the notes' times, the markup, and each frame.

Run:  uv run python benchmarks/bench_page_follow.py

1. Engraving the page's notation (8 bars of tv-1966) with verovio's timemap, against the
   engraving alone: the timemap's share, best of 5 runs each.
2. The bytes the counting lines, conductors and the notes' times add to a page.
3. In headless Chromium (skipped, saying so, without it): the time the score cursor and the
   conductor take for one ``theme:position`` event (what the player sends every animation
   frame), the mean of 20 batches of 100 events at positions across the music (the
   browser's clock is too coarse for one event), and the slowest batch, for the notation of
   tv-1966 (84 notes on 3 staves) and for a metronome of two meters (two rows).
Takes about half a minute.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

from theme.metronome import Metronome
from theme.page.document import beat_rows, write_page
from theme.page.follow import follow_html
from theme.renderers.notation import engrave, musicxml_string
from theme.variants import load

FRAMES = """
const [batches, size, length] = arguments;
const section = document.querySelector('section');
const means = [];
let i = 0;
for (let b = 0; b < batches; b += 1) {
  const start = performance.now();
  for (let k = 0; k < size; k += 1, i += 1) {
    section.dispatchEvent(new CustomEvent('theme:position', {bubbles: true,
      detail: {q: (i * 0.37) % length, seconds: 0, bar: 1, playing: true}}));
  }
  means.push((performance.now() - start) / size);
}
const total = means.reduce((a, m) => a + m, 0) / means.length;
return [total, Math.max.apply(null, means)];
"""


def engraving_seconds(runs: int = 5) -> tuple[float, float]:
    """The best seconds of engraving alone, and of engraving with the timemap."""
    import verovio

    timeline = load("tv-1966").timeline().head(8)
    alone = timed = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        toolkit = verovio.toolkit()
        toolkit.setOptions({"pageWidth": 2100, "scale": 45, "adjustPageHeight": True})
        toolkit.loadData(musicxml_string(timeline))
        toolkit.renderToSVG(1)
        alone = min(alone, time.perf_counter() - start)
        start = time.perf_counter()
        engrave(timeline)
        timed = min(timed, time.perf_counter() - start)
    return alone, timed


def browser_frames(pages: dict[str, tuple[Path, float]]) -> None:
    chromium, driver_path = shutil.which("chromium"), shutil.which("chromedriver")
    if not chromium or not driver_path:
        print("per event: skipped (Chromium or chromedriver is not installed)")
        return
    from selenium import webdriver

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,2000"):
        options.add_argument(flag)
    driver = webdriver.Chrome(
        options=options, service=webdriver.ChromeService(executable_path=driver_path)
    )
    try:
        for name, (page, length) in pages.items():
            driver.get(page.as_uri())
            driver.execute_script(FRAMES, 2, 100, length)  # warm up: the boxes are made
            mean, worst = driver.execute_script(FRAMES, 20, 100, length)
            print(
                f"per event, {name}: {mean * 1000:.0f} µs on average, {worst * 1000:.0f} µs in "
                f"the slowest batch of 100 ({mean / 16.7 * 100:.2f}% of a 60 Hz frame; "
                "painting not included)"
            )
    finally:
        driver.quit()


def main() -> None:
    alone, timed = engraving_seconds()
    print(
        f"engraving 8 bars of tv-1966: {alone:.3f} s alone, {timed:.3f} s with the notes' "
        f"times ({timed / alone:.2f}x)"
    )
    variant = load("tv-1966").timeline()
    metronome = Metronome("5/4", vs="4/4", bars=16).timeline()
    for name, music in (("tv-1966", variant), ("metronome 5/4 vs 4/4", metronome)):
        labels = [row.label for row in beat_rows(music)]
        markup = len(follow_html(music, labels).encode("utf-8"))
        engraving = engrave(music.head(8))
        attributes = sum(
            len(f' data-on="{float(t.onset)!r}" data-off="{float(t.end)!r}"')
            for t in engraving.notes.values()
        )
        print(
            f"bytes added, {name}: counting and conductor {markup:,}, notes' times {attributes:,}"
        )
    with tempfile.TemporaryDirectory() as folder:
        pages = {
            "tv-1966 (84 notes, one row)": (Path(folder) / "tv.html", float(variant.length)),
            "metronome 5/4 vs 4/4 (80 notes, two rows)": (
                Path(folder) / "m.html",
                float(metronome.length),
            ),
        }
        write_page(variant, pages["tv-1966 (84 notes, one row)"][0])
        write_page(metronome, pages["metronome 5/4 vs 4/4 (80 notes, two rows)"][0])
        browser_frames(pages)


if __name__ == "__main__":
    main()
