"""``theme quiz``: making a quiz, and writing it for a class, at 10 and 50 items; the
page's size against the recordings it no longer carries.

Run:  uv run python benchmarks/bench_quiz.py

In process, the best of a few runs: making the items (:func:`make_quiz`: the gallery's
windows, cached for the gallery's state, and each item's music) and writing the folder
(:func:`write_quiz`: a WAV an item, the page, the worksheet and the key). Writing is linear
in the items when the seconds an item are about the same at 10 and 50 items (the ratio
printed). The page plays each item's timeline with the page's own player (the sounds once a
page, the timelines as JSON); its peer is the same items as Ogg Vorbis in base64, as a page
with ``<audio>`` elements held them (:func:`theme.page.document.audio_bytes`): the ratio
printed is the page's bytes over the peer's. Takes about a minute.
"""

from __future__ import annotations

import base64
import tempfile
import time
from pathlib import Path

from theme.page.document import audio_bytes
from theme.quiz.folder import write_quiz
from theme.quiz.items import make_quiz

COUNTS = (10, 50)


def main() -> None:
    print(
        f"{'items':>5}  {'make s':>7}  {'write s':>8}  {'s an item':>9}  {'MB':>6}  "
        f"{'page kB':>8}  {'Ogg kB':>7}  {'page/Ogg':>8}  per item vs 10"
    )
    first = None
    for count in COUNTS:
        make = write = float("inf")
        size = page = 0
        for _ in range(2):
            start = time.perf_counter()
            quiz = make_quiz(seed=1, level=2, count=count)
            middle = time.perf_counter()
            with tempfile.TemporaryDirectory() as folder:
                files = write_quiz(quiz, Path(folder) / "quiz")
                end = time.perf_counter()
                size = sum(p.stat().st_size for p in files.page.parent.iterdir())
                page = files.page.stat().st_size
            make, write = min(make, middle - start), min(write, end - middle)
        ogg = sum(len(base64.b64encode(audio_bytes(item.music))) for item in quiz.items)
        per_item = (make + write) / count
        first = first or per_item
        print(
            f"{count:>5}  {make:>7.3f}  {write:>8.2f}  {per_item:>9.3f}  {size / 1e6:>6.1f}  "
            f"{page / 1e3:>8.0f}  {ogg / 1e3:>7.0f}  {page / ogg:>8.2f}  {per_item / first:.2f}"
        )


if __name__ == "__main__":
    main()
