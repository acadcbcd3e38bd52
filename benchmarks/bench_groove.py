"""A groove's link and files, against peers; figures printed, nothing asserted.

Run:  uv run python benchmarks/bench_groove.py

- The link's length (characters after the ``#``) against the same groove as JSON in
  base64url (what a page would do without a format of its own), that JSON deflated first,
  and the variant file in base64url, for a small, a common and the largest groove.
- The time the page's MIDI writer (``groovemidi.js``, in Node) and the library's (mido)
  take for the same groove (median of 9 runs), and the time to read a link in each.
"""

from __future__ import annotations

import base64
import io
import json
import shutil
import statistics
import subprocess
import sys
import time
import zlib
from fractions import Fraction
from importlib.resources import files
from pathlib import Path

from theme.core.meter import Meter
from theme.renderers.midi import midi_file
from theme.variants.groove import VOICES, Groove

JS = Path(str(files("theme.page").joinpath("js")))


def grooves() -> dict[str, Groove]:
    seven = Meter.parse("2+2+3/8")
    rows = tuple((v, (1, 0, 2, 0, 1, 0, 0) * 2) for v in ("hihat", "snare", "kick", "bass"))
    big = Meter.parse("+".join(["2"] * 32) + "/16")
    return {
        "2 bars of 7/8, 4 rows": Groove(seven, bars=2, rows=rows),
        "2 bars of 7/8 in sixteenths against 3/4, 4 rows": Groove(
            seven,
            bars=2,
            subdivide=2,
            rows=tuple((v, r * 2) for v, r in rows),
            vs=Meter.parse("3/4"),
        ),
        "16 bars of 64/16 in 4 boxes a pulse, 8 rows": Groove(
            big,
            bars=16,
            subdivide=4,
            tempo=Fraction(400),
            rows=tuple((v, (1, 0, 2, 0) * 1024) for v in VOICES),
        ),
    }


def as_json(groove: Groove) -> str:
    return json.dumps(
        {
            "meter": list(groove.meter.groups),
            "unit": groove.meter.denominator,
            "bars": groove.bars,
            "subdivide": groove.subdivide,
            "tempo": float(groove.tempo),
            "rows": {voice: "".join(map(str, row)) for voice, row in groove.rows},
        },
        separators=(",", ":"),
    )


def b64(data: bytes) -> int:
    return len(base64.urlsafe_b64encode(data).rstrip(b"="))


NODE = r"""
for (const f of ['meters.js', 'groove.js', 'groovemidi.js']) require(process.argv[1] + '/' + f);
const cases = JSON.parse(process.argv[2]), out = {};
for (const name of Object.keys(cases)) {
  const g = globalThis.Theme.Groove.decode(cases[name]).groove, midi = [], read = [];
  for (let run = 0; run < 9; run++) {
    let t = process.hrtime.bigint();
    globalThis.Theme.GrooveMidi.bytes(g);
    midi.push(Number(process.hrtime.bigint() - t) / 1e6);
    t = process.hrtime.bigint();
    globalThis.Theme.Groove.decode(cases[name]);
    read.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  midi.sort((a, b) => a - b); read.sort((a, b) => a - b);
  out[name] = [midi[4], read[4]];
}
process.stdout.write(JSON.stringify(out));
"""


def main() -> int:
    cases = grooves()
    print("link length, characters after '#' (ratio to the groove's link):")
    for name, groove in cases.items():
        link = len(groove.link())
        text = as_json(groove).encode()
        peers = {
            "JSON": 4 + b64(text),
            "JSON deflated": 4 + b64(zlib.compress(text, 9)),
            "variant file": 4 + b64(groove.toml().encode()),
        }
        shown = ", ".join(f"{k} {v} ({v / link:.1f}x)" for k, v in peers.items())
        print(f"  {name}: link {link}; {shown}")
    node = shutil.which("node") or shutil.which("nodejs")
    if node is None:
        print("node is not installed (apt-get install nodejs)")
        return 1
    result = subprocess.run(
        [node, "-e", NODE, str(JS), json.dumps({k: g.link() for k, g in cases.items()})],
        capture_output=True,
        text=True,
    )
    if result.returncode:
        print(result.stderr[-2000:])
        return 1
    page = json.loads(result.stdout)
    print("MIDI file and link read, median ms (page in Node | library):")
    for name, groove in cases.items():
        timeline = groove.variant().timeline()
        midi, read = [], []
        for _ in range(9):
            start = time.perf_counter()
            midi_file(timeline).save(file=io.BytesIO())
            midi.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            Groove.from_link(groove.link())
            read.append((time.perf_counter() - start) * 1000)
        print(
            f"  {name}: MIDI {page[name][0]:.2f} | {statistics.median(midi):.2f} "
            f"(the library's makes the variant's timeline first: not counted); "
            f"link {page[name][1]:.3f} | {statistics.median(read):.3f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
