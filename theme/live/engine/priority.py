"""A better chance for the threads that keep the sound ahead of its clock: the player's
producer and a clock of our own (:class:`~theme.live.engine.sinks.ClockedSink`).

On a loaded machine an ordinary thread can wait hundreds of milliseconds for a core, far
longer than the blocks rendered ahead; a thread scheduled in real time (the lowest
``SCHED_FIFO`` priority, below a sound server's own threads) runs as soon as it is ready. Many
systems and containers refuse it: the thread then asks for a higher niceness, and if that
is refused too it stays as it was. Nothing is raised or printed: :func:`raise_priority`
says which of the three it got, and :func:`raised_priority` gives a thread that goes on
afterwards (the live metronome's display, whose hold on Python's lock the producer waits
for) its old scheduling back.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

__all__ = ["ORDINARY", "PRIORITY_NICE", "REAL_TIME", "raise_priority", "raised_priority"]

REAL_TIME = "real-time"
"""The thread is scheduled in real time (SCHED_FIFO, the lowest priority)."""
PRIORITY_NICE = "nice"
"""Real time was refused; the thread's niceness was lowered."""
ORDINARY = "ordinary"
"""Both were refused: an ordinary thread."""
NICENESS = -10
"""The niceness asked for when real time is refused."""


def raise_priority() -> str:
    """Raise the calling thread's scheduling priority as far as the system allows (on Linux
    each thread has its own): real time, else a lower niceness, else nothing. Returns
    :data:`REAL_TIME`, :data:`PRIORITY_NICE` or :data:`ORDINARY`; never raises. With
    ``THEME_NO_REALTIME`` set in the environment it asks for nothing (for a sound server
    that is not real-time itself, which real-time threads would outrank)."""
    if os.environ.get("THEME_NO_REALTIME"):
        return ORDINARY
    fifo = getattr(os, "SCHED_FIFO", None)
    if fifo is not None and hasattr(os, "sched_setscheduler"):
        try:
            lowest = os.sched_get_priority_min(fifo)
            os.sched_setscheduler(0, fifo, os.sched_param(lowest))
        except OSError:
            pass
        else:
            return REAL_TIME
    try:
        os.setpriority(os.PRIO_PROCESS, 0, NICENESS)  # this thread's, on Linux
    except (OSError, AttributeError):
        return ORDINARY
    return PRIORITY_NICE


@contextlib.contextmanager
def raised_priority() -> Iterator[str]:
    """The calling thread's priority raised (:func:`raise_priority`, whose answer is given)
    for the block, and its scheduling and niceness as they were afterwards (going back to
    less is always allowed)."""
    try:
        before: tuple[int, os.sched_param] | None = (
            os.sched_getscheduler(0),
            os.sched_getparam(0),
        )
    except (OSError, AttributeError):
        before = None
    try:
        niceness: int | None = os.getpriority(os.PRIO_PROCESS, 0)
    except (OSError, AttributeError):
        niceness = None
    got = raise_priority()
    try:
        yield got
    finally:
        if got == REAL_TIME and before is not None:
            with contextlib.suppress(OSError):
                os.sched_setscheduler(0, *before)
        if got == PRIORITY_NICE and niceness is not None:
            with contextlib.suppress(OSError):
                os.setpriority(os.PRIO_PROCESS, 0, niceness)
