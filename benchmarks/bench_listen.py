"""theme listen on recordings with known beats (the project's renders of its variants, with
tempo drift and noise): beat and downbeat F-measure (mir_eval) of librosa's tracker alone,
untouched (downbeats: every n-th of its beats from its first), and of the project's fitting,
in the same run; and the speed of the analysis on a 5-minute recording, as a multiple of
real time.

    uv run python benchmarks/bench_listen.py
"""

from __future__ import annotations

import sys
import time

import numpy as np


def main() -> None:
    import mir_eval

    from theme.listen import ANALYSIS_RATE, analyse_signal
    from theme.listen.beatmap import parse_form
    from theme.listen.trials import TRIALS, make_trial

    print(
        f"{'trial':42s} {'beats raw':>9s} {'fitted':>7s} {'downb. raw':>10s} {'fitted':>7s}  switch"
    )
    totals = []
    for trial in TRIALS:
        made = make_trial(trial, rate=ANALYSIS_RATE)
        form = parse_form(made.form)
        found = analyse_signal(made.signal, form)
        ref, down = np.array(made.beats), np.array(made.downbeats)
        raw = np.array(found.tracked)
        row = (
            mir_eval.beat.f_measure(ref, raw),
            mir_eval.beat.f_measure(ref, np.array(found.beats)),
            mir_eval.beat.f_measure(down, raw[:: form[0][1].numerator]),
            mir_eval.beat.f_measure(down, np.array(found.downbeats)),
        )
        totals.append(row)
        switch = ""
        if made.switch is not None:
            changes = found.changes()
            off = changes[1][1] - made.switch if len(changes) > 1 else float("nan")
            switch = f"{off * 1000:+.0f} ms"
        print(f"{made.name:42s} {row[0]:9.3f} {row[1]:7.3f} {row[2]:10.3f} {row[3]:7.3f}  {switch}")
    mean = np.mean(np.array(totals), axis=0)
    print(f"{'mean':42s} {mean[0]:9.3f} {mean[1]:7.3f} {mean[2]:10.3f} {mean[3]:7.3f}")
    made = make_trial(TRIALS[0], rate=ANALYSIS_RATE)
    five = np.tile(made.signal, int(np.ceil(300 * ANALYSIS_RATE / len(made.signal))))
    five = five[: 300 * ANALYSIS_RATE]
    analyse_signal(made.signal[: 10 * ANALYSIS_RATE], parse_form(made.form))  # numba's compile
    start = time.perf_counter()
    analyse_signal(five, parse_form("5/4"))
    elapsed = time.perf_counter() - start
    print(f"5-minute recording analysed in {elapsed:.1f} s: {300 / elapsed:.0f}x real time")


if __name__ == "__main__":
    sys.path.insert(0, ".")
    main()
