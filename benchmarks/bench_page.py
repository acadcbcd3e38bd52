"""The page as an instrument, measured in headless Chromium; figures printed, nothing asserted.

Run:  uv run python benchmarks/bench_page.py [MINUTES]

1. The tour page's size (goal: at most 1.4 MB; the waveforms are embedded once, not
   recordings of each step).
2. Time from pressing play to the first sound: from the click on the play button to the
   moment the first sound reaches the output (the context's output timestamp maps the
   sound's context time to the page's clock), median of 10 presses (goal: at most 50 ms).
3. Frames a second while playing (requestAnimationFrame timestamps over 10 seconds, with the
   beat light and the position events running), and the longest frame.
4. Drift: the metronome page (5/4 against 4/4, looped) played by the real-time context for
   MINUTES (default 10): every sound queued checked against its exact sample from the
   start (0 expected), and how many were queued late (after their sample had passed).
"""

from __future__ import annotations

import itertools
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from fractions import Fraction
from pathlib import Path
from typing import Any

from _common import ROOT, compile_bytecode

RATE = 48000

PRESS = """
const done = arguments[arguments.length - 1];
const section = document.querySelector('section'), player = Theme.playerFor(section);
const button = section.querySelector('.play');
const delays = [];
const once = k => {
  if (k >= 10) { done(delays); return; }
  const first = player.start;
  let pressed = 0, firstFrame = null;
  player.start = function (event, frame, round) {
    if (firstFrame === null) { firstFrame = frame; }
    return first.call(this, event, frame, round);
  };
  Theme.sounds.then(() => {
    pressed = performance.now();
    button.click();
    setTimeout(() => {
      // read once the clock runs (before its first move, a new context has no timestamp yet)
      const ts = player.context.getOutputTimestamp();
      const heard = ts.performanceTime + (firstFrame / player.context.sampleRate - ts.contextTime) * 1000;
      player.start = first;
      button.click();  // stop
      delays.push(heard - pressed);
      setTimeout(() => once(k + 1), 200);
    }, 400);
  });
};
once(0);
"""

FRAMES = """
const done = arguments[arguments.length - 1];
const player = Theme.players[0], times = [];
const step = t => { times.push(t); if (times.length < 600) { requestAnimationFrame(step); } else {
  player.stop(); done(times); } };
player.setLoop(1, player.bars.length);
player.play(1).then(() => requestAnimationFrame(step));
"""

DRIFT = """
const section = document.querySelector('section'), player = Theme.playerFor(section);
window.queued = [];
const start = player.start;
player.start = function (event, frame, k) {
  queued.push([frame, event[0], k, Math.floor(this.context.currentTime * 48000)]);
  return start.call(this, event, frame, k);
};
player.setLoop(1, player.bars.length);
player.play(1);
"""

WAIT = """
const [seconds, done] = arguments;
setTimeout(() => done(Theme.players[0].context.currentTime), seconds * 1000);
"""

DRIFT_END = """
const player = Theme.players[0], origin = player.plans[0].frame, now = player.context.currentTime;
player.stop();
return {queued: window.queued, origin, now};
"""


def browser() -> Any:
    from selenium import webdriver

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "chromium"
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--autoplay-policy=no-user-gesture-required",
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
        "--window-size=1280,2000",
    ):
        options.add_argument(flag)
    service = webdriver.ChromeService(executable_path=shutil.which("chromedriver"))
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_script_timeout(3600)
    return driver


def theme(*args: str, cwd: Path) -> None:
    subprocess.run([sys.executable, "-m", "theme", *args], cwd=cwd, check=True, capture_output=True)


def main() -> None:
    minutes = float(sys.argv[1]) if len(sys.argv) > 1 else 10.0
    compile_bytecode()
    from theme.core.tempo import to_sample
    from theme.metronome import Metronome

    folder = Path(tempfile.mkdtemp(prefix="bench-page-"))
    theme("demo", "--out", "tour", cwd=folder)
    theme("metronome", "5/4", "--vs", "4/4", "--bars", "4", "-o", "m.html", cwd=folder)
    size = (folder / "tour" / "index.html").stat().st_size
    print(f"tour page: {size / 1e6:.3f} MB ({size:,} bytes; goal at most 1.4 MB)")

    driver = browser()
    try:
        driver.get((folder / "m.html").as_uri())
        delays = driver.execute_async_script(PRESS)
        print(
            f"press play to first sound: median {statistics.median(delays):.1f} ms, "
            f"max {max(delays):.1f} ms over {len(delays)} presses (goal at most 50 ms; "
            "includes the context's output latency)"
        )
        times = driver.execute_async_script(FRAMES)
        gaps = [b - a for a, b in itertools.pairwise(times)]
        fps = 1000 * len(gaps) / (times[-1] - times[0])
        print(
            f"frames while playing: {fps:.1f} a second over {len(gaps)} frames, "
            f"median frame {statistics.median(gaps):.2f} ms, longest {max(gaps):.1f} ms"
        )
        driver.get((folder / "m.html").as_uri())
        driver.execute_script(DRIFT)
        for _ in range(math.ceil(minutes)):  # a minute at a time: the driver's calls time out
            driver.execute_async_script(WAIT, 60 * min(1.0, minutes))
        result = driver.execute_script(DRIFT_END)
    finally:
        driver.quit()
    timeline = Metronome("5/4", vs="4/4", bars=4).timeline()
    tempo = timeline.tempo_map
    length = tempo.seconds_at(timeline.length)
    off = 0
    late = []
    for frame, q, k, now in result["queued"]:
        exact = to_sample(k * length + tempo.seconds_at(Fraction(q).limit_denominator(1920)), RATE)
        off += frame - result["origin"] != exact
        if frame <= now:
            late.append((now - frame) / RATE * 1000)
    print(
        f"drift over {result['now'] / 60:.1f} minutes of the real-time context: "
        f"{len(result['queued'])} sounds, {off} off their exact sample, {len(late)} queued "
        f"after their time had passed{f' (at most {max(late):.0f} ms)' if late else ''}; "
        f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores"
    )
    shutil.rmtree(folder)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
