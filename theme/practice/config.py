"""The user's config file and the tap calibration kept in it.

The file is ``$XDG_CONFIG_HOME/theme/config.toml`` (``~/.config/theme/config.toml`` when
``XDG_CONFIG_HOME`` is not set). The calibration is the time between hearing a click and
the tap arriving, measured by ``theme tap --calibrate``, one value for each way of tapping
(``keys``, ``midi``), in milliseconds::

    [calibration]
    keys = 38.5
    midi = 6.0

The file is written aside and renamed (never half written); keys of other tables are kept.
"""

from __future__ import annotations

import math
import os
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any

from theme.errors import InputFileError, OutputFileError, UsageError
from theme.input_files import read_regular
from theme.output import atomic_path, check_output, quoted
from theme.safe_text import shown

__all__ = [
    "INPUTS",
    "MAX_CALIBRATION_MS",
    "calibration",
    "check_writable",
    "config_path",
    "save_calibration",
]

INPUTS = ("keys", "midi")
"""The ways of tapping, each calibrated on its own."""
MAX_CALIBRATION_MS = 500.0
"""The largest calibration kept, in milliseconds either way."""
MAX_CONFIG_BYTES = 64 * 1024


def config_path() -> Path:
    """Where the config file is: under ``XDG_CONFIG_HOME``, else ``~/.config``."""
    base = os.environ.get("XDG_CONFIG_HOME", "").strip()
    root = Path(base) if base and Path(base).is_absolute() else Path.home() / ".config"
    return root / "theme" / "config.toml"


def _read() -> dict[str, Any]:
    """The config file's tables; empty when there is no file. A FIFO, a device or a folder
    is refused without waiting on it (:func:`theme.input_files.read_regular`)."""
    path = config_path()
    data = read_regular(path, "config file", MAX_CONFIG_BYTES, limit="64 KiB", missing_ok=True)
    if data is None:
        return {}
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    try:
        parsed: dict[str, Any] = tomllib.loads(data.decode("utf-8"))
        return parsed
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise InputFileError(f"cannot read {quoted(str(path))}: not valid TOML: {err}") from err


ALLOWED = (
    f"milliseconds, -{MAX_CALIBRATION_MS:g} to {MAX_CALIBRATION_MS:g} (theme tap --calibrate "
    "measures it)"
)


def _calibrations(data: dict[str, Any]) -> dict[str, Any]:
    """The ``[calibration]`` table of the config file's ``data`` (empty when there is none).

    Raises:
        InputFileError: ``calibration`` is not a table (``calibration = 5``).
    """
    table = data.get("calibration", {})
    if not isinstance(table, dict):
        raise InputFileError(
            f"invalid calibration {shown(table)} in {quoted(str(config_path()))}: expected a "
            f"table of {' and '.join(INPUTS)} in milliseconds, -{MAX_CALIBRATION_MS:g} to "
            f"{MAX_CALIBRATION_MS:g}, such as [calibration] keys = 38.5 (theme tap --calibrate "
            "measures them)"
        )
    return table


def calibration(kind: str) -> Fraction:
    """The calibration of tapping by ``kind`` (``keys`` or ``midi``), in seconds; 0 when
    none has been measured.

    Raises:
        InputFileError: the config file cannot be read (a FIFO, a device, larger than 64
            KiB) or is not TOML, ``calibration`` is not a table, or its value is not a
            number of milliseconds within :data:`MAX_CALIBRATION_MS`.
    """
    value = _calibrations(_read()).get(kind, 0)
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not math.isfinite(value)
        or abs(value) > MAX_CALIBRATION_MS
    ):
        raise InputFileError(
            f"invalid calibration.{kind} {shown(value)} in {quoted(str(config_path()))}: "
            f"expected {ALLOWED}"
        )
    return Fraction(value).limit_denominator(10**6) / 1000


def check_writable() -> Path:
    """The config file, once it is known that it can be read and written (before a
    calibration is measured, so that a run is not spent on a calibration that cannot be
    kept): the folder is made if missing.

    Raises:
        InputFileError: the file cannot be read or is not a valid config file.
        OutputFileError: the file or its folder cannot be written.
    """
    _calibrations(_read())
    path = config_path()
    _make_folder(path)
    return check_output(path)


def _make_folder(path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise OutputFileError(
            f"cannot write {quoted(str(path))}: cannot make its folder "
            f"{quoted(str(path.parent))}: {err.strerror or err}"
        ) from err


def save_calibration(kind: str, seconds: Fraction) -> Path:
    """Keep ``seconds`` as the calibration of tapping by ``kind``; returns the file.

    Raises:
        UsageError: an unknown kind, or a calibration beyond :data:`MAX_CALIBRATION_MS`.
        OutputFileError: the file cannot be written.
    """
    if kind not in INPUTS:
        raise UsageError(f"invalid input {kind!r}: expected {' or '.join(INPUTS)}")
    ms = round(float(seconds * 1000), 1)
    if abs(ms) > MAX_CALIBRATION_MS:
        raise UsageError(
            f"invalid calibration {ms:g} ms: expected -{MAX_CALIBRATION_MS:g} to "
            f"{MAX_CALIBRATION_MS:g} ms; tap with the clicks and calibrate again"
        )
    data = _read()
    data["calibration"] = {**_calibrations(data), kind: ms}
    path = config_path()
    _make_folder(path)
    with atomic_path(path) as tmp:
        tmp.write_text(_toml(data), encoding="utf-8")
    return path


def _toml(data: dict[str, Any]) -> str:
    """TOML for a table of plain values and tables of them (what this file holds).

    >>> print(_toml({"calibration": {"keys": 38.5}, "name": "x"}), end="")
    name = "x"
    <BLANKLINE>
    [calibration]
    keys = 38.5
    """

    def value(v: Any) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, (int, float)):
            return repr(v)
        if isinstance(v, str):
            import json

            return json.dumps(v)
        if isinstance(v, list):
            return "[" + ", ".join(value(x) for x in v) + "]"
        raise UsageError(f"cannot keep {type(v).__name__} values in the config file")

    def key(k: str) -> str:
        import json
        import re

        return k if re.fullmatch(r"[A-Za-z0-9_-]+", k) else json.dumps(k)

    plain = [f"{key(k)} = {value(v)}\n" for k, v in data.items() if not isinstance(v, dict)]
    tables = [
        f"\n[{key(k)}]\n" + "".join(f"{key(kk)} = {value(vv)}\n" for kk, vv in v.items())
        for k, v in data.items()
        if isinstance(v, dict)
    ]
    return "".join(plain) + "".join(tables)
