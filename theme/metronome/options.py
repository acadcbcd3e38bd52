"""Checks of the metronome's options: whole numbers in range, clicks a pulse, swing, the
alignment of two meters, and the tempo that runs beside a practice plan.

Each check returns the value it accepts (in the type the metronome keeps) or raises one
clear error: ``TypeError`` for a wrong type, :class:`UsageError` for a value out of range
or one that would do nothing (the message names it and says what is allowed).

>>> check_swing(0.6, 2)
Fraction(3, 5)
>>> check_align(None, two_meters=True)
'beat'
"""

from __future__ import annotations

from fractions import Fraction

from theme.core.tempo import Tempo
from theme.errors import UsageError
from theme.metronome.trainer import Accel, Ramp
from theme.safe_text import clip

__all__ = [
    "ALIGNS",
    "DEFAULT_BPM",
    "MAX_COUNT_IN",
    "STRAIGHT",
    "SUBDIVISIONS",
    "check_align",
    "check_int",
    "check_subdivide",
    "check_swing",
    "running_tempo",
]

ALIGNS = ("beat", "bar")
"""How two meters line up: the same pulse, or the same bar length."""
DEFAULT_BPM = 120
"""Quarter notes a minute when no tempo is given."""
SUBDIVISIONS = (1, 2, 3, 4)
"""Clicks a pulse may be divided into."""
MAX_COUNT_IN = 16
"""The most bars of count-in."""
STRAIGHT = Fraction(1, 2)
"""Swing that places the second of two clicks half way: straight."""


def check_int(value: object, name: str, low: int, high: int) -> int:
    """``value`` when it is an int from ``low`` to ``high``.

    Raises:
        TypeError: not an int (a bool is not one).
        UsageError: out of range.

    >>> check_int(3, "subdivide", 1, 4)
    3
    """
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    if not low <= value <= high:
        raise UsageError(f"invalid {name} {value!r}: expected {low} to {high}")
    return value


def check_subdivide(value: object) -> int:
    """``value`` when it is one of :data:`SUBDIVISIONS` (TypeError, UsageError)."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"subdivide must be an int, not {type(value).__name__}")
    if value not in SUBDIVISIONS:
        raise UsageError(f"invalid subdivide {value!r}: expected 1, 2, 3 or 4")
    return value


def check_swing(swing: object, subdivide: int) -> Fraction:
    """``swing`` (0.5 straight to 0.75, a fraction of the pulse) as a Fraction; anything but
    straight needs ``subdivide`` 2 (it places the second of two clicks).

    Raises:
        TypeError: not a real number.
        UsageError: out of range, or swung without two clicks a pulse.
    """
    if not isinstance(swing, (int, float, Fraction)) or isinstance(swing, bool):
        raise TypeError(f"swing must be a number, not {type(swing).__name__}")
    if not 0.5 <= swing <= 0.75:  # NaN fails too
        raise UsageError(f"invalid swing {swing!r}: expected 0.5 (straight) to 0.75")
    value = Fraction(swing).limit_denominator(100)
    if value != STRAIGHT and subdivide != 2:
        raise UsageError(
            f"invalid swing {swing!r} with subdivide {subdivide}: swing moves the second of "
            "two clicks a pulse, so it needs subdivide 2"
        )
    return value


def check_align(align: object, *, two_meters: bool) -> str | None:
    """How two meters line up: ``align`` (``'beat'`` when None) with two meters; None with
    one.

    Raises:
        TypeError: not a str.
        UsageError: not one of :data:`ALIGNS`, or given for one meter (it would do nothing).
    """
    if align is None:
        return "beat" if two_meters else None
    if not isinstance(align, str):
        raise TypeError(f"align must be a str, not {type(align).__name__}")
    if align not in ALIGNS:
        raise UsageError(f"invalid align {clip(align)!r}: expected beat or bar")
    if not two_meters:
        raise UsageError(
            f"invalid align {align!r} without a second meter: align says how two "
            "meters line up, so it needs vs"
        )
    return align


def running_tempo(
    bpm: str | int | Fraction | Tempo | None, ramp: Ramp | None, accel: Accel | None
) -> Tempo:
    """The tempo the metronome starts at: a plan's first tempo (in its unit), else ``bpm``
    (default :data:`DEFAULT_BPM` quarters a minute).

    Raises:
        UsageError: a ``bpm`` that is not the first tempo of the plan (the plan sets the
            tempo, so it is refused, never dropped).
        TempoError: ``bpm`` is not a tempo.

    >>> str(running_tempo(None, Ramp.parse("e=200-280/4"), None))
    'e=200'
    """
    plan = ramp or accel
    if plan is None:
        return Tempo.parse(DEFAULT_BPM if bpm is None else bpm)
    tempo = Tempo(plan.start, plan.unit)
    if bpm is not None and Tempo.parse(bpm).qpm != tempo.qpm:
        shown = clip(bpm) if isinstance(bpm, str) else str(bpm)
        kind = "ramp" if ramp else "accelerando"
        raise UsageError(
            f"invalid bpm {shown!r} with {'a' if ramp else 'an'} {kind} that starts "
            f"at {tempo}: the "
            f"{kind} sets the tempo, so leave bpm out (a unit goes in the {kind}, "
            "such as e=200-280/4)"
        )
    return tempo
