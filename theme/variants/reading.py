"""Reading a variant file safely: at most :data:`MAX_FILE_BYTES` bytes of a regular file,
tables nested at most :data:`MAX_NESTING` deep, and every field read through
:class:`Fields`, which checks its kind and names the file and the field in every error.

>>> Fields("my.toml").get({"bars": "2"}, "bars", "sections[0]", int)
Traceback (most recent call last):
...
theme.errors.VariantFileError: my.toml: sections[0].bars: got '2'; expected an int
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from theme.errors import InputFileError, ThemeError, VariantFileError
from theme.input_files import read_regular
from theme.safe_text import clip, printable, shown

__all__ = ["MAX_FILE_BYTES", "MAX_NESTING", "Fields", "decode_text", "depth", "read_text"]

MAX_FILE_BYTES = 1 << 20
"""The most bytes read from a variant file (1 MiB); a longer file is refused unread."""
LIMIT_WORDS = f"{MAX_FILE_BYTES} bytes (1 MiB)"
"""The bound in words, in the message that refuses a longer file."""

MAX_NESTING = 8
"""The deepest tables and lists may nest in a variant file (a pattern's pitches are 4 deep:
sections, a section, its patterns, a pattern, its pitches)."""

_KEYS = {
    "": (
        "name",
        "title",
        "description",
        "group",
        "tempo",
        "grid",
        "claims",
        "parameters",
        "layers",
        "sections",
    ),
    "parameters": ("default", "help", "choices", "min", "max"),
    "layers": ("voice", "program", "drum", "pan", "gain", "pitches", "role"),
    "sections": ("name", "meter", "bars", "patterns"),
    "patterns": ("box", "grid", "strategy", "pitches"),
    "claims": ("claim", "confidence", "source"),
}
"""The keys each kind of table may have."""


def read_text(path: Path, what: str = "variant file") -> str:
    """The text of a regular file of at most :data:`MAX_FILE_BYTES` bytes, as UTF-8.

    A FIFO, a device (``/dev/zero``), a socket or a folder is refused without reading: the
    file is opened without blocking and checked first.

    Raises:
        InputFileError: missing, not a regular file, too long, unreadable or not UTF-8.
    """
    data = read_regular(path, what, MAX_FILE_BYTES, limit=LIMIT_WORDS)
    assert data is not None  # missing_ok is not given
    return decode_text(data, path, what)


def decode_text(data: bytes, path: Path, what: str = "variant file") -> str:
    """The bytes ``data`` read from the file ``path`` (at most :data:`MAX_FILE_BYTES` and one
    more) as UTF-8 text: the checks of :func:`read_text` on a file already read.

    >>> decode_text(b'name = "mine"', Path("mine.toml"))
    'name = "mine"'

    Raises:
        InputFileError: more than :data:`MAX_FILE_BYTES` bytes, or not UTF-8.
    """
    name = clip(str(path), 300)
    if len(data) > MAX_FILE_BYTES:
        raise InputFileError(f"cannot read {what} {name!r}: longer than {LIMIT_WORDS}")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputFileError(
            f"cannot read {what} {name!r}: not UTF-8 text (byte {exc.start})"
        ) from None


class Fields:
    """Reads fields of a TOML table, naming the file and field in every error."""

    def __init__(self, label: str):
        self.label = label

    def fail(self, field: str, message: str) -> VariantFileError:
        return VariantFileError(f"{printable(self.label)}: {printable(field)}: {message}")

    def table(self, value: Any, field: str, kind: str) -> dict[str, Any]:
        """``value`` as a table whose keys are those of ``kind`` (see ``_KEYS``)."""
        if not isinstance(value, dict):
            raise self.fail(field, f"got {shown(value)}; expected a table ({kind})")
        unknown = [key for key in value if key not in _KEYS[kind]]
        if unknown:
            raise self.fail(
                f"{field}.{unknown[0]}" if field else unknown[0],
                f"unknown field; expected one of {', '.join(_KEYS[kind])}",
            )
        return value

    def get(
        self,
        table: Mapping[str, Any],
        key: str,
        where: str,
        kind: type | tuple[type, ...],
        default: Any = ...,
    ) -> Any:
        field = f"{where}.{key}" if where else key
        if key not in table:
            if default is ...:
                raise self.fail(field, "missing; this field is required")
            return default
        value = table[key]
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            kinds = kind if isinstance(kind, tuple) else (kind,)
            expected = " or ".join(_KIND_NAMES.get(k, k.__name__) for k in kinds)
            raise self.fail(field, f"got {shown(value)}; expected {expected}")
        return value

    def tables(
        self, table: Mapping[str, Any], key: str, where: str, kind: str
    ) -> list[dict[str, Any]]:
        """A list of tables (``[[claims]]``, ``[[sections]]``), each checked."""
        items = self.get(table, key, where, list, [] if kind == "claims" else ...)
        return [self.table(item, f"{key}[{i}]", kind) for i, item in enumerate(items)]

    def named_tables(
        self, table: Mapping[str, Any], key: str, kind: str
    ) -> dict[str, dict[str, Any]]:
        """A table of named tables (``[layers.bass]``), each checked, the names too."""
        items = self.get(table, key, "", dict, {} if kind == "parameters" else ...)
        for name, item in items.items():
            if not name.isprintable() or not 1 <= len(name) <= 40:
                raise self.fail(
                    f"{key}.{name}", "invalid name: expected 1 to 40 printable characters"
                )
            self.table(item, f"{key}.{name}", kind)
        return dict(items)

    def convert(self, field: str, func: Any, value: Any) -> Any:
        try:
            return func(value)
        except ThemeError as exc:
            raise self.fail(field, str(exc)) from None


_KIND_NAMES = {
    str: "a str",
    int: "an int",
    float: "a float",
    bool: "true or false",
    list: "a list",
    dict: "a table",
}


def depth(data: Any) -> int:
    """How deep tables and lists nest in ``data`` (a scalar is 0), found without recursion.

    >>> depth({"a": [1, {"b": 2}]}), depth(3)
    (3, 0)
    """
    deepest, stack = 0, [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            stack += [(v, depth + 1) for v in value.values()]
        elif isinstance(value, list):
            stack += [(v, depth + 1) for v in value]
        else:
            deepest = max(deepest, depth)
            continue
        deepest = max(deepest, depth + 1)
        if deepest > MAX_NESTING:
            break
    return deepest
