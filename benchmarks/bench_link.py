"""Ableton Link: how close our clicks fall to another program's phase, and how fast a tempo
goes from one program to the other. Two Link peers in this process (the second stands for
another program); run with ``uv run python benchmarks/bench_link.py``.

- Phase, rendered ahead (ArraySink, frame 0 heard at a given time): every click of 40 bars
  of 5/4 against the other program's quantum-5 phase.
- Phase in real time: a sound card whose clock is the system's (ClockedSink) and a clock
  fitted to it, as with a real one; 5/4 for about a minute; the other program changes the
  tempo five times and we press ``+`` twice. Every click heard from the first one within
  0.5 ms after each change (so later slips count), measured with the sound card's own clock.
- Tempo: from the other program's change to our session seeing it (Link's own path), to our
  first block at the new tempo; from our ``+`` to the other program seeing it.
"""

from __future__ import annotations

import statistics
import threading
import time
from fractions import Fraction

from theme.live.engine.sinks import ArraySink, ClockedSink
from theme.live.sync.follow import SyncCompanion
from theme.live.sync.link import (
    FixedFrameClock,
    LinkSession,
    LinkState,
    host_micros,
)
from theme.live.sync.recorder import Recorder
from theme.metronome import Metronome
from theme.metronome.terminal import LiveMetronome

RATE = 48000
QUANTUM = Fraction(5)


def wait_for(condition, seconds: float = 5.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    pause = threading.Event()
    while not condition():
        if time.monotonic() > deadline:
            return False
        pause.wait(0.0005)
    return True


def error_ms(micros: float, position: Fraction, other: LinkState) -> float:
    """How late (ms) a click at ``position`` heard at ``micros`` (host) is on the other's
    phase."""
    beat = Fraction(other.beat_at(micros + other.offset))
    error = (beat - position + QUANTUM / 2) % QUANTUM - QUANTUM / 2
    return float(error) * 60e3 / other.bpm


def percentiles(values: list[float]) -> str:
    values = sorted(abs(v) for v in values)
    p99 = values[min(len(values) - 1, int(0.99 * len(values)))]
    return (
        f"p50 {statistics.median(values):.3f} ms, p99 {p99:.3f} ms, max {values[-1]:.3f} ms "
        f"({len(values)} clicks)"
    )


def join(other: LinkSession) -> LinkSession:
    session = LinkSession(100, quantum=QUANTUM).start()
    assert wait_for(lambda: session.state.peers >= 1), "the two peers did not find each other"
    assert wait_for(lambda: session.state.bpm == other.state.bpm)
    return session


def rendered_ahead(other: LinkSession) -> None:
    m = Metronome("5/4", bpm=120, bars=40)
    link = SyncCompanion(join(other), start=m.start, clock=FixedFrameClock)
    clicks = Recorder()
    LiveMetronome(m, sink=ArraySink(), out=None, link=link, companions=[clicks]).run()
    reading = other.state
    errors = [error_ms(link.clock.micros_at(f), p, reading) for f, p in clicks.sounds]
    print(f"phase, rendered ahead (40 bars of 5/4): {percentiles(errors)}")


def real_time(other: LinkSession) -> None:
    m = Metronome("5/4", bpm=100)
    session = join(other)
    link = SyncCompanion(session, start=m.start)
    clicks = Recorder()
    sink = ClockedSink(rate=RATE)
    plan = [(10, "other", 150), (30, "other", 90), (45, "ours", None), (60, "other", 200)]
    plan += [(80, "ours", None), (95, "other", 123), (110, "other", 100), (125, "quit", None)]
    changes: list[dict[str, float | Fraction]] = []
    readings: list[LinkState] = []

    class Script:
        def poll(self, heard: float) -> str | None:
            readings.append(other.state)
            at = live.heard_quarter()
            for change in changes:
                if "seen" not in change and session.state.qpm == change["qpm"]:
                    change["seen"] = host_micros()
                if "theirs" not in change and other.state.qpm == change["qpm"]:
                    change["theirs"] = host_micros()
            if plan and at >= plan[0][0]:
                _, who, qpm = plan.pop(0)
                if who == "quit":
                    return "q"
                now = host_micros()
                if who == "other":
                    changes.append({"who": 0, "at": now, "quarter": at, "qpm": Fraction(qpm)})
                    other.set_tempo(Fraction(qpm))
                    return None
                qpm_ours = session.state.qpm + 4
                changes.append({"who": 1, "at": now, "quarter": at, "qpm": qpm_ours})
                return "+"
            return None

    live = LiveMetronome(m, sink=sink, out=None, link=link, companions=[clicks], keys=Script())
    live.run(refresh_seconds=0.001)
    mono_to_raw = host_micros() - time.monotonic() * 1e6
    # the clicks heard after each catch-up, before the next change, on the reading of that
    # tempo (a straight line until the next change)
    heard = [(sink.seconds_of(f) * 1e6 + mono_to_raw, p) for f, p in clicks.sounds]
    errors: list[float] = []
    settle: list[float] = []
    for i, change in enumerate(changes):
        since = float(change["at"])
        until = float(changes[i + 1]["at"]) if i + 1 < len(changes) else float("inf")
        reading = next(r for r in reversed(readings) if r.qpm == change["qpm"])
        window = [(t, error_ms(t, p, reading)) for t, p in heard if since <= t < until]
        calm = next((t for t, e in window if abs(e) < 0.5), until)
        settle.append((calm - since) / 1e6)
        errors += [e for t, e in window if t >= calm]
    print(
        "phase in real time (ClockedSink, fitted clock, 7 tempo changes; every click from "
        f"the first within 0.5 ms after each change): {percentiles(errors)}"
    )
    print(
        "catch-up after a change (to the first click within 0.5 ms): "
        f"median {statistics.median(settle):.2f} s, max {max(settle):.2f} s"
    )
    theirs = [c for c in changes if c["who"] == 0]
    ours = [c for c in changes if c["who"] == 1]
    seen = [(float(c["seen"]) - float(c["at"])) / 1000 for c in theirs]
    first_block = []  # commit to the first block rendered at (toward) the new tempo
    for c in theirs:
        before = [q for t, _, q in clicks.blocks if t < float(c["at"])][-1]
        moved = next(t for t, _, q in clicks.blocks if t > float(c["at"]) and q != before)
        first_block.append((moved - float(c["at"])) / 1000)
    reached = [(float(c["theirs"]) - float(c["at"])) / 1000 for c in ours]
    print(
        "tempo, the other program to our session (Link): "
        + ", ".join(f"{v:.1f}" for v in seen)
        + " ms"
    )
    print(
        "tempo, the other program to our first block rendered toward it: "
        + ", ".join(f"{v:.1f}" for v in first_block)
        + " ms"
    )
    print("tempo, our '+' to the other program: " + ", ".join(f"{v:.1f}" for v in reached) + " ms")


def main() -> None:
    other = LinkSession(100, quantum=QUANTUM).start()
    other.set_playing(True)
    threading.Event().wait(1.5)  # the older session (by over half a second) is the one kept
    try:
        rendered_ahead(other)
        real_time(other)
    finally:
        other.close()


if __name__ == "__main__":
    main()
