"""``theme quiz``: making a quiz, and writing it for a class, at 10 and 50 items.

Run:  uv run python benchmarks/bench_quiz.py

In process, the best of a few runs: making the items (:func:`make_quiz`: the gallery's
windows and each item's music) and writing the folder (:func:`write_quiz`: a WAV an item,
the page with its Ogg Vorbis, the worksheet and the key). Writing is linear in the items
when the seconds an item are about the same at 10 and 50 items (the ratio printed). The
folder's size is printed too. Takes about half a minute.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from theme.classroom.quiz.folder import write_quiz
from theme.classroom.quiz.items import make_quiz

COUNTS = (10, 50)


def main() -> None:
    print(
        f"{'items':>5}  {'make s':>7}  {'write s':>8}  {'s an item':>9}  {'MB':>6}  per item vs 10"
    )
    first = None
    for count in COUNTS:
        make = write = float("inf")
        size = 0
        for _ in range(2):
            start = time.perf_counter()
            quiz = make_quiz(seed=1, level=2, count=count)
            middle = time.perf_counter()
            with tempfile.TemporaryDirectory() as folder:
                files = write_quiz(quiz, Path(folder) / "quiz")
                end = time.perf_counter()
                size = sum(p.stat().st_size for p in files.page.parent.iterdir())
            make, write = min(make, middle - start), min(write, end - middle)
        per_item = (make + write) / count
        first = first or per_item
        print(
            f"{count:>5}  {make:>7.3f}  {write:>8.2f}  {per_item:>9.3f}  {size / 1e6:>6.1f}  "
            f"{per_item / first:.2f}"
        )


if __name__ == "__main__":
    main()
