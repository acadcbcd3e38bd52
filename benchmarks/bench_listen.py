"""theme listen on recordings with known beats: beat and downbeat F-measure (mir_eval, ±70
ms) of the tracker alone, untouched (downbeats: every n-th of its beats from its first),
and of the project's fitting, in the same run; whether librosa's own tracker (numba),
given the same envelope and tempo, chooses the very same beats as the project's numpy
port; and the speed of the analysis on a 5-minute recording, as a multiple of real time,
and of the two trackers on its envelope.

Two sets: the project's own renders of its variants (tempo drift, noise, the remix's switch
from 5/4 to 4/4), and FluidSynth renders of music21's corpus with General MIDI instruments
(rubato, swing, reverb, 3/4, 4/4, 9/8, 7/8, 5/4). Needs the dev dependencies, the FluidSynth
library and fluid-soundfont-gm.

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
    from theme.listen.trials import CORPUS_TRIALS, TRIALS, make_corpus_trial, make_trial

    print(
        f"{'trial':42s} {'beats raw':>9s} {'fitted':>7s} {'downb. raw':>10s} {'fitted':>7s}"
        "  librosa  switch"
    )
    recordings = [("own", lambda t=t: make_trial(t, rate=ANALYSIS_RATE)) for t in TRIALS] + [
        ("corpus", lambda t=t: make_corpus_trial(t, rate=ANALYSIS_RATE)) for t in CORPUS_TRIALS
    ]
    totals: dict[str, list[tuple[float, ...]]] = {"own": [], "corpus": []}
    for kind, make in recordings:
        made = make()
        form = parse_form(made.form)
        found = analyse_signal(made.signal, form)
        ref, down = np.array(made.beats), np.array(made.downbeats)
        raw = np.array(found.tracked)
        same = "same" if _librosa_agrees(made.signal, raw) else "DIFFERS"
        row = (
            mir_eval.beat.f_measure(ref, raw),
            mir_eval.beat.f_measure(ref, np.array(found.beats)),
            mir_eval.beat.f_measure(down, raw[:: form[0][1].numerator]),
            mir_eval.beat.f_measure(down, np.array(found.downbeats)),
        )
        totals[kind].append(row)
        switch = ""
        if made.switch is not None:
            changes = found.changes()
            off = changes[1][1] - made.switch if len(changes) > 1 else float("nan")
            switch = f"{off * 1000:+.0f} ms"
        name = f"{made.name} ({made.form.split('x')[-1] if ',' not in made.form else '5/4, 4/4'})"
        print(
            f"{name:42s} {row[0]:9.3f} {row[1]:7.3f} {row[2]:10.3f} {row[3]:7.3f}  {same:7s}"
            f"  {switch}"
        )
    for kind, rows in totals.items():
        mean = np.mean(np.array(rows), axis=0)
        print(f"{'mean, ' + kind:42s} {mean[0]:9.3f} {mean[1]:7.3f} {mean[2]:10.3f} {mean[3]:7.3f}")
    made = make_trial(TRIALS[0], rate=ANALYSIS_RATE)
    five = np.tile(made.signal, int(np.ceil(300 * ANALYSIS_RATE / len(made.signal))))
    five = five[: 300 * ANALYSIS_RATE]
    start = time.perf_counter()
    analyse_signal(five, parse_form("5/4"))
    elapsed = time.perf_counter() - start
    print(f"5-minute recording analysed in {elapsed:.1f} s: {300 / elapsed:.0f}x real time")
    _race_the_trackers(five)


def _librosa_agrees(signal: np.ndarray, tracked: np.ndarray) -> bool:
    """librosa's beat_track (numba), on the project's envelope at the tempo the project's
    tracker used, chooses the same frames."""
    import librosa

    from theme.listen import spectra
    from theme.listen.tracking import envelope

    onsets = envelope(signal)
    tempo = spectra.tempo(onsets.tempogram, onsets.rate)
    _, frames = librosa.beat.beat_track(
        onset_envelope=onsets.strength, sr=int(onsets.rate * 128), hop_length=128, bpm=tempo
    )
    return bool(np.array_equal(np.asarray(frames) / onsets.rate, tracked))


def _race_the_trackers(signal: np.ndarray) -> None:
    """The two trackers on one envelope (librosa's compiled already), best of three."""
    import librosa

    from theme.listen import spectra
    from theme.listen.beat_tracker import track_beats
    from theme.listen.tracking import envelope

    onsets = envelope(signal)
    tempo = spectra.tempo(onsets.tempogram, onsets.rate)
    times = {}
    for name, track in (
        ("numpy", lambda: track_beats(onsets.strength, onsets.rate, tempo)),
        (
            "librosa",
            lambda: librosa.beat.beat_track(
                onset_envelope=onsets.strength, sr=int(onsets.rate * 128), hop_length=128, bpm=tempo
            ),
        ),
    ):
        track()
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            track()
            best = min(best, time.perf_counter() - start)
        times[name] = best
    print(
        f"beat tracking of the 5-minute envelope: numpy {times['numpy'] * 1000:.0f} ms, "
        f"librosa (numba) {times['librosa'] * 1000:.0f} ms: "
        f"{times['numpy'] / times['librosa']:.1f}x librosa's time"
    )


if __name__ == "__main__":
    sys.path.insert(0, ".")
    main()
