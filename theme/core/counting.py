"""Counting and conducting a grouping: the syllables a class says and the gestures a
conductor beats, for any meter's groups (pure functions, no I/O).

**Counting** (:func:`syllables`, :func:`counting_line`), one syllable a pulse, in one of
:data:`SCHEMES`:

- ``"group"``: numbers that start again at each group, ``1-2-3 1-2`` for 3+2: the count
  that makes the grouping heard, the usual way an additive meter is counted in class.
- ``"bar"``: numbers through the bar, ``1-2-3 4-5``: the count of the time signature.
- ``"words"``: a word a group, as classes clap rhythms: ``PEAR`` (1), ``AP-ple`` (2),
  ``PINE-ap-ple`` (3), ``WA-ter-mel-on`` (4), ``HIP-po-pot-a-mus`` (5), the first syllable
  (the group's accent) in capitals; a longer group is said as four and the rest, as
  solkattu does (our own choice).
- ``"solkattu"``: the spoken syllables of Carnatic (South Indian) rhythm, solkattu, as
  konnakol says them, one word a group: ``ta-ka`` (2), ``ta-ki-ta`` (3), ``ta-ka-di-mi``
  (4), ``ta-di-ki-na-thom`` (5). A group longer than five is said as ``ta-ka-di-mi`` and
  the rest (6 as 4+2): our own choice.

**Conducting** (:func:`conducted_beats`, :func:`gestures`, :func:`pattern_points`). Which
pulses get a gesture: every pulse of a quarter-note (or longer) meter; in an eighth-note (or
shorter) meter one gesture a group, as a fast 7/8 (2+2+3) is beaten in three with a long
last beat. The gestures of the beats, from their grouping:

- one beat: down; one group: down, then out, and up on its last beat (two: down-up;
  three: down-out-up);
- otherwise the first beat goes down and the other beats of the first group go in
  (towards the body: left for the right hand); from the second group on the beats go out
  (to the right), each further out; the last beat of the bar goes up, to prepare the next
  downbeat.

This gives the patterns of two, three and four beats as conducting textbooks draw them
(down-up; down-out-up; down-in-out-up) and five as 3+2 as step 1 of the tour teaches it
(down-in-in-out-up; 2+3 is down-in-out-out-up). For three groups or more (7 as 2+2+3 a
pulse: down-in-out-out-out-out-up) and for the choice of one gesture a group in eighth-note
meters, the rule is this project's own, not a cited convention.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from fractions import Fraction

from theme.safe_text import did_you_mean

__all__ = [
    "SCHEMES",
    "Gesture",
    "conducted_beats",
    "counting_line",
    "gestures",
    "pattern_points",
    "syllables",
]

SCHEMES = ("group", "bar", "words", "solkattu")
"""The counting schemes of :func:`syllables`."""

SOLKATTU = {
    1: ("ta",),
    2: ("ta", "ka"),
    3: ("ta", "ki", "ta"),
    4: ("ta", "ka", "di", "mi"),
    5: ("ta", "di", "ki", "na", "thom"),
}
"""The solkattu word of a group of one to five pulses."""

WORDS = {
    1: ("PEAR",),
    2: ("AP", "ple"),
    3: ("PINE", "ap", "ple"),
    4: ("WA", "ter", "mel", "on"),
    5: ("HIP", "po", "pot", "a", "mus"),
}
"""The word said for a group of one to five pulses, a syllable a pulse."""


def _check_groups(groups: Sequence[int]) -> None:
    if not groups or any(not isinstance(g, int) or isinstance(g, bool) or g < 1 for g in groups):
        raise ValueError(
            f"invalid groups {list(groups)!r}: expected whole numbers of pulses, 1 or more"
        )


def _solkattu(size: int, words: dict[int, tuple[str, ...]] = SOLKATTU) -> tuple[str, ...]:
    """The syllables of a group of ``size`` pulses, from ``words`` (one to five pulses).

    >>> _solkattu(7)
    ('ta', 'ka', 'di', 'mi', 'ta', 'ki', 'ta')
    >>> _solkattu(6, WORDS)
    ('WA', 'ter', 'mel', 'on', 'AP', 'ple')
    """
    if size in words:
        return words[size]
    return words[4] + _solkattu(size - 4, words)


def syllables(groups: Sequence[int], *, scheme: str = "group") -> list[list[str]]:
    """The syllables of a bar grouped ``groups`` (pulses a group), one list a group, one
    syllable a pulse.

    >>> syllables((3, 2))
    [['1', '2', '3'], ['1', '2']]
    >>> syllables((3, 2), scheme="bar")
    [['1', '2', '3'], ['4', '5']]
    >>> syllables((2, 2, 3), scheme="solkattu")
    [['ta', 'ka'], ['ta', 'ka'], ['ta', 'ki', 'ta']]
    >>> syllables((3, 2), scheme="words")
    [['PINE', 'ap', 'ple'], ['AP', 'ple']]

    Raises:
        ValueError: an unknown scheme; groups that are not whole numbers of 1 or more.
    """
    _check_groups(groups)
    if scheme == "group":
        return [[str(i) for i in range(1, g + 1)] for g in groups]
    if scheme == "bar":
        words, count = [], 0
        for g in groups:
            words.append([str(count + i) for i in range(1, g + 1)])
            count += g
        return words
    if scheme == "solkattu":
        return [list(_solkattu(g)) for g in groups]
    if scheme == "words":
        return [list(_solkattu(g, WORDS)) for g in groups]
    raise ValueError(
        f"invalid counting scheme {scheme!r}{did_you_mean(str(scheme), list(SCHEMES))}: expected "
        f"one of {', '.join(SCHEMES)}"
    )


def counting_line(groups: Sequence[int], *, scheme: str = "group") -> str:
    """The bar's count as a class reads it: the syllables of a group joined by ``-``, the
    groups by a space.

    >>> counting_line((3, 2)), counting_line((3, 2), scheme="bar")
    ('1-2-3 1-2', '1-2-3 4-5')
    >>> counting_line((2, 2, 3)), counting_line((2, 2, 3), scheme="solkattu")  # 7/8
    ('1-2 1-2 1-2-3', 'ta-ka ta-ka ta-ki-ta')
    >>> counting_line((2, 2, 2, 3)), counting_line((2, 2, 2, 3), scheme="bar")  # 9/8
    ('1-2 1-2 1-2 1-2-3', '1-2 3-4 5-6 7-8-9')
    >>> counting_line((2, 2, 3, 2, 2), scheme="solkattu")  # 11/8
    'ta-ka ta-ka ta-ki-ta ta-ka ta-ka'

    Raises:
        ValueError: as :func:`syllables`.
    """
    return " ".join("-".join(group) for group in syllables(groups, scheme=scheme))


class Gesture(enum.Enum):
    """Where a conductor's beat goes."""

    DOWN = "down"
    IN = "in"
    OUT = "out"
    UP = "up"


def conducted_beats(groups: Sequence[int], pulse_quarters: Fraction) -> tuple[int, ...]:
    """Pulses a conducted beat: one each in a meter of quarter notes (or longer), one a group
    in a meter of eighths (or shorter).

    >>> conducted_beats((3, 2), Fraction(1)), conducted_beats((2, 2, 3), Fraction(1, 2))
    ((1, 1, 1, 1, 1), (2, 2, 3))

    Raises:
        ValueError: groups that are not whole numbers of 1 or more.
    """
    _check_groups(groups)
    if pulse_quarters >= 1:
        return (1,) * sum(groups)
    return tuple(groups)


def gestures(groups: Sequence[int]) -> list[Gesture]:
    """The gesture of each beat of a bar whose beats are grouped ``groups`` (the rule is in
    the module's docstring).

    >>> def show(groups): return "-".join(g.value for g in gestures(groups))
    >>> show((2, 2)), show((3,)), show((2,)), show((1,))
    ('down-in-out-up', 'down-out-up', 'down-up', 'down')
    >>> show((3, 2)), show((2, 3)), show((3, 3))
    ('down-in-in-out-up', 'down-in-out-out-up', 'down-in-in-out-out-up')
    >>> show((2, 2, 3))
    'down-in-out-out-out-out-up'

    Raises:
        ValueError: groups that are not whole numbers of 1 or more.
    """
    _check_groups(groups)
    beats = sum(groups)
    if beats == 1:
        return [Gesture.DOWN]
    if len(groups) == 1:
        return [Gesture.DOWN] + [Gesture.OUT] * (beats - 2) + [Gesture.UP]
    first = groups[0]
    moves = [Gesture.DOWN] + [Gesture.IN] * (first - 1) + [Gesture.OUT] * (beats - first)
    moves[-1] = Gesture.UP
    return moves


PATTERN_BOX = (200, 160)
"""The conductor's picture, width and height in SVG units (y grows downwards)."""
DOWN_POINT = (100, 135)
UP_POINT = (112, 45)
BEAT_PLANE = 112
"""The height of the in and out beats (SVG units)."""


def pattern_points(moves: Sequence[Gesture]) -> list[tuple[int, int]]:
    """Where each beat's ictus is in the conductor's picture (:data:`PATTERN_BOX`, y
    downwards): down at the bottom centre, the in beats spread to the left and the out
    beats to the right on the beat plane, each further from the centre, up above the centre.

    >>> pattern_points(gestures((2, 2)))
    [(100, 135), (25, 112), (175, 112), (112, 45)]
    >>> pattern_points(gestures((3, 2)))
    [(100, 135), (63, 112), (25, 112), (175, 112), (112, 45)]
    """
    ins = sum(1 for m in moves if m is Gesture.IN)
    outs = sum(1 for m in moves if m is Gesture.OUT)
    points, seen_in, seen_out = [], 0, 0
    for move in moves:
        if move is Gesture.DOWN:
            points.append(DOWN_POINT)
        elif move is Gesture.UP:
            points.append(UP_POINT)
        elif move is Gesture.IN:
            seen_in += 1
            points.append((100 - (75 * seen_in) // ins, BEAT_PLANE))
        else:
            seen_out += 1
            points.append((100 + (75 * seen_out) // outs, BEAT_PLANE))
    return points
