"""The options of a quiz and a worksheet, checked: seed, level, kinds, count.

>>> check_seed("42"), check_level("3"), check_kinds("meter, landing"), check_count(10)
(42, 3, ('meter', 'landing'), 10)
"""

from __future__ import annotations

from collections.abc import Sequence

from theme.errors import UsageError
from theme.safe_text import bounded_int, clip

__all__ = [
    "KINDS",
    "LEVEL_NAMES",
    "MAX_ITEMS",
    "MAX_SEED",
    "check_count",
    "check_kinds",
    "check_level",
    "check_seed",
]

KINDS = ("meter", "grouping", "remix", "landing")
"""The kinds of question, in the order they take turns in a quiz."""
LEVEL_NAMES = (1, 2, 3, 4)
"""The levels (what each plays: :data:`theme.quiz.material.LEVELS`)."""
MAX_ITEMS = 50
"""The most items in a quiz (and exercises in a worksheet)."""
MAX_SEED = 10**12 - 1
"""The largest seed (a seed is a whole number from 0)."""


def check_seed(seed: object) -> int:
    """A seed: a whole number from 0 to :data:`MAX_SEED` (text or int).

    >>> check_seed("42")
    42

    Raises:
        UsageError: anything else, named.
    """
    allowed = f"a whole number from 0 to {MAX_SEED}"
    if isinstance(seed, str):
        seed = bounded_int(seed, "seed", allowed=allowed)
    if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed <= MAX_SEED:
        raise UsageError(f"invalid seed {clip(str(seed))!r}: expected {allowed}")
    return seed


def check_level(level: object) -> int:
    """A level: 1 to 4 (text or int; see :data:`~theme.quiz.material.LEVELS`).

    Raises:
        UsageError: anything else, named.
    """
    allowed = f"one of {', '.join(str(k) for k in LEVEL_NAMES)}"
    text = str(level).strip()
    if isinstance(level, bool) or text not in {str(k) for k in LEVEL_NAMES}:
        raise UsageError(f"invalid level {clip(str(level))!r}: expected {allowed}")
    return int(text)


def check_kinds(
    kinds: str | Sequence[str] | None, allowed: tuple[str, ...] = KINDS
) -> tuple[str, ...]:
    """Kinds of question (or of another list, ``allowed``), as a comma-separated text or a
    sequence, each once, in the order given; None or ``all`` for all of ``allowed``.

    >>> check_kinds("meter, landing")
    ('meter', 'landing')
    >>> check_kinds("b,a,b", ("a", "b", "c"))
    ('b', 'a')

    Raises:
        UsageError: an empty list, or a kind that is not one of ``allowed``.
    """
    if kinds is None:
        return allowed
    given = [k.strip() for k in kinds.split(",")] if isinstance(kinds, str) else list(kinds)
    if given == ["all"]:
        return allowed
    expected = f"one or more of {', '.join(allowed)} (comma-separated), or all"
    for kind in given:
        if kind not in allowed:
            raise UsageError(f"invalid kind {clip(str(kind))!r}: expected {expected}")
    if not given:
        raise UsageError(f"invalid kind '': expected {expected}")
    return tuple(dict.fromkeys(given))


def check_count(count: object, what: str = "items") -> int:
    """A number of items (or exercises): 1 to :data:`MAX_ITEMS`.

    Raises:
        UsageError: anything else, named.
    """
    if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= MAX_ITEMS:
        raise UsageError(f"invalid count {clip(str(count))!r}: expected 1 to {MAX_ITEMS} {what}")
    return count
