"""Text from outside (files, the command line) made safe to convert and to print.

- :func:`bounded_int` turns a string of digits into an int, refusing strings too long to
  convert quickly (Python's ``int()`` refuses more than 4,300 digits with a ValueError of
  its own; a user's value gets one clear line instead).
- :func:`printable` shows text from a file on a terminal with its control characters made
  visible, so a title cannot move the cursor, retitle the window or change colours.
- :func:`page_text` is text from outside as a page shows it: control characters, NUL and
  the bidirectional overrides dropped, so a title cannot hide or reverse what follows it.
- :func:`counted` writes a number with its noun, singular for one (``1 bar``, ``4 bars``);
  :func:`did_you_mean` names the closest of the known names to a mistyped one.

>>> bounded_int("42", "bars")
42
>>> printable("tv\\x1b[31m")
'tv\\\\x1b[31m'
"""

from __future__ import annotations

import re

from theme.errors import UsageError

__all__ = [
    "MAX_DIGITS",
    "bounded_int",
    "clip",
    "counted",
    "did_you_mean",
    "page_data",
    "page_text",
    "printable",
    "shown",
]

MAX_DIGITS = 12
"""The most digits a whole number typed by a user or written in a file may have."""


IRREGULAR_PLURALS = {"foot": "feet"}
"""Nouns whose plural is not the singular and an ``s``."""


def counted(number: int, noun: str) -> str:
    """``number`` and ``noun``, the noun plural unless the number is one.

    >>> counted(1, "bar"), counted(4, "bar"), counted(0, "beat"), counted(2, "foot")
    ('1 bar', '4 bars', '0 beats', '2 feet')
    """
    if number == 1:
        return f"{number} {noun}"
    return f"{number} {IRREGULAR_PLURALS.get(noun, noun + 's')}"


def did_you_mean(wanted: str, known: list[str] | tuple[str, ...]) -> str:
    """``' (did you mean NAME?)'`` for the known names closest to ``wanted`` (a mistyped
    name, or the start of one), or ``''`` when none is close; for an error message.

    >>> did_you_mean("take-five", ["tv-1966", "take-five-vamp", "mars"])
    ' (did you mean take-five-vamp?)'
    >>> did_you_mean("balkan", ["balkan-7", "balkan-9", "mars"])
    ' (did you mean balkan-7 or balkan-9?)'
    >>> did_you_mean("zzz", ["tv-1966"])
    ''
    """
    import difflib

    if not isinstance(wanted, str) or not wanted or len(wanted) > 200:
        return ""
    folded = wanted.lower()
    close = [name for name in known if name.lower().startswith(folded)]
    if not close:
        close = difflib.get_close_matches(folded, [k.lower() for k in known], n=3, cutoff=0.6)
        close = [next(k for k in known if k.lower() == c) for c in close]
    if not close:
        return ""
    close = close[:3]
    named = close[0] if len(close) == 1 else ", ".join(close[:-1]) + " or " + close[-1]
    return f" (did you mean {named}?)"


def clip(text: str, limit: int = 40) -> str:
    """``text`` cut to ``limit`` characters (with ``...``) for quoting in an error message.

    >>> clip("12345", 3)
    '123...'
    """
    return text if len(text) <= limit else text[:limit] + "..."


def shown(value: object, limit: int = 40) -> str:
    """``repr(value)`` cut to ``limit`` characters, for an error message; safe for ints too
    long for ``str()`` and for containers that hold them.

    >>> shown(5.0), shown("x" * 50, 10), shown(10**5000)
    ('5.0', "'xxxxxxxxx...", 'an int of 5001 digits')
    """
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**limit:
        return f"an int of {_digits(value)} digits"
    try:
        return clip(repr(value), limit)
    except ValueError:  # a container holding a huge int
        return f"a {type(value).__name__}"


def _digits(value: int) -> int:
    """How many decimal digits ``value`` has, without converting it to a str."""
    import math

    estimate = int(abs(value).bit_length() * math.log10(2)) + 1
    return estimate if abs(value) >= 10 ** (estimate - 1) else estimate - 1


def bounded_int(
    text: str,
    what: str,
    *,
    max_digits: int = MAX_DIGITS,
    allowed: str = "a whole number",
    error: type[UsageError] = UsageError,
) -> int:
    """The int written in ``text`` (ASCII digits with an optional sign and spaces around),
    with at most ``max_digits`` digits.

    ``what`` names the value in the error (``'bars'``); ``allowed`` says what is allowed;
    ``error`` is the UsageError subclass raised.

    Raises:
        TypeError: ``text`` is not a str.
        UsageError: (or ``error``) not a whole number, or longer than ``max_digits`` digits.

    >>> bounded_int(" -7 ", "steps")
    -7
    >>> bounded_int("9" * 5000, "bars")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    theme.errors.UsageError: invalid bars '9999999999999999999999999999999999999999...': \
expected a whole number of at most 12 digits
    >>> bounded_int("²", "bars")
    Traceback (most recent call last):
    ...
    theme.errors.UsageError: invalid bars '²': expected a whole number
    """
    if not isinstance(text, str):
        raise TypeError(f"{what} must be a str, not {type(text).__name__}")
    body = text.strip()
    digits = body[1:] if body[:1] in "+-" else body
    if not digits or not digits.isascii() or not digits.isdigit():
        raise error(f"invalid {what} {clip(text)!r}: expected {allowed}")
    if len(digits) > max_digits:
        raise error(
            f"invalid {what} {clip(text)!r}: expected {allowed} of at most {max_digits} digits"
        )
    return int(body)


def printable(text: str) -> str:
    """``text`` with every control character (escape, bell, carriage return, newline,
    backspace, the C1 controls and the bidirectional overrides) written as a visible escape
    such as ``\\x1b``, so that text from a file prints as text and nothing else.

    >>> printable("Mission\\x1b]0;PWNED\\x07\\x1b[31m")
    'Mission\\\\x1b]0;PWNED\\\\x07\\\\x1b[31m'
    >>> print(printable("5/4, grouped 3+2 \\u2014 caf\\u00e9"))
    5/4, grouped 3+2 \u2014 caf\u00e9
    >>> printable("two\\nlines\\u202e")
    'two\\\\nlines\\\\u202e'
    """
    if not isinstance(text, str):
        text = str(text)
    if text.isprintable():
        return text
    out = []
    for char in text:
        if char.isprintable() or char == " ":
            out.append(char)
        else:
            out.append(repr(char)[1:-1])
    return "".join(out)


_NOT_ON_A_PAGE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"  # controls but tab, newline, carriage return
    "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"  # bidirectional marks and overrides
    "\ufff9-\ufffb\ufffe\uffff]"  # interlinear annotations, noncharacters
)
_SURROGATE = re.compile("[\ud800-\udfff]")


def page_text(text: str) -> str:
    r"""``text`` from outside (a title from a file, a name typed) as a page shows it: NUL, the
    other control characters but tab and newline, the bidirectional marks and overrides
    (U+202E turns what follows backwards) and noncharacters dropped; a lone surrogate (a
    file name that is not UTF-8) becomes U+FFFD, which UTF-8 can write.

    >>> page_text("Evil\x00\u202eTITLE\x1b[31m")
    'EvilTITLE[31m'
    >>> page_text("Caf\u00e9 5/4\n\u05e9\u05dc\u05d5\u05dd") == "Café 5/4\nשלום"
    True
    >>> page_text("x\udcff") == "x\ufffd"
    True
    """
    if not isinstance(text, str):
        text = str(text)
    text = _NOT_ON_A_PAGE.sub("", text)
    return _SURROGATE.sub("\ufffd", text)


def page_data(data: object) -> object:
    r"""``data`` (JSON-like: dicts, lists, strings, numbers) with every string, key or value,
    through :func:`page_text`: data a page's script shows.

    >>> page_data({"title": "a\u202eb", "bars": [1, "\x00"]})
    {'title': 'ab', 'bars': [1, '']}
    """
    if isinstance(data, str):
        return page_text(data)
    if isinstance(data, dict):
        return {page_data(key): page_data(value) for key, value in data.items()}
    if isinstance(data, (list, tuple)):
        return [page_data(item) for item in data]
    return data
