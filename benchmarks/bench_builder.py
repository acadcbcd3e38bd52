"""The meter builder's counting, measured in Node; figures printed, nothing asserted.

Run:  uv run python benchmarks/bench_builder.py

The builder makes its clicks anew on every change (a pulse pressed, a tempo typed), with the
page's ``meters.js``: the time that takes (median of 9 runs) for a small meter, a common
pair and the largest loop the builder plays (64 bars of 64/16 against 63/16, subdivided in
4), and the bytes the builder, the slides and their style add to a page.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from importlib.resources import files
from pathlib import Path

JS = Path(str(files("theme.page").joinpath("js")))
CSS = Path(str(files("theme.page").joinpath("css")))

CASES = {
    "5/4 against 4/4, 4 bars": (
        {"groups": [3, 2], "denominator": 4},
        {"bars": 4, "vs": {"groups": [2, 2], "denominator": 4}, "align": "beat"},
    ),
    "7/8 against 3/4, subdivided in 2, 6 bars": (
        {"groups": [2, 2, 3], "denominator": 8},
        {"bars": 6, "subdivide": 2, "vs": {"groups": [3], "denominator": 4}, "align": "beat"},
    ),
    "64/16 against 63/16, subdivided in 4, 64 bars": (
        {"groups": [2] * 32, "denominator": 16},
        {"bars": 64, "subdivide": 4, "vs": {"groups": [3] * 21, "denominator": 16}},
    ),
}

TIMER = r"""
require(process.argv[1]);
const M = globalThis.Theme.Meters, cases = JSON.parse(process.argv[2]), out = {};
for (const name of Object.keys(cases)) {
  const [meter, options] = cases[name], times = [];
  let count = 0;
  for (let run = 0; run < 9; run++) {
    const start = process.hrtime.bigint();
    count = M.clickEvents(meter, options).length;
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  out[name] = [count, times[4]];
}
process.stdout.write(JSON.stringify(out));
"""


def main() -> int:
    node = shutil.which("node") or shutil.which("nodejs")
    if node is None:
        print("node is not installed (apt-get install nodejs)")
        return 1
    result = subprocess.run(
        [node, "-e", TIMER, str(JS / "meters.js"), json.dumps(CASES)],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    print("the builder's clicks made anew (meters.js in Node, median of 9):")
    for name, (count, ms) in json.loads(result.stdout).items():
        print(f"  {name}: {count} clicks in {ms:.2f} ms")
    sizes = {name: (JS / name).stat().st_size for name in ("meters.js", "builder.js", "slides.js")}
    sizes["lesson.css"] = (CSS / "lesson.css").stat().st_size
    shown = ", ".join(f"{name} {size / 1000:.1f} kB" for name, size in sizes.items())
    print(f"bytes added to a page: {sum(sizes.values()) / 1000:.1f} kB ({shown})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
