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

from theme.errors import InputFileError, UsageError
from theme.output import atomic_path, quoted

__all__ = ["INPUTS", "MAX_CALIBRATION_MS", "calibration", "config_path", "save_calibration"]

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
    path = config_path()
    try:
        with path.open("rb") as f:
            data = f.read(MAX_CONFIG_BYTES + 1)
    except FileNotFoundError:
        return {}
    except OSError as err:
        raise InputFileError(f"cannot read {quoted(str(path))}: {err.strerror}") from err
    if len(data) > MAX_CONFIG_BYTES:
        raise InputFileError(f"cannot read {quoted(str(path))}: larger than 64 KiB")
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    try:
        return tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise InputFileError(f"cannot read {quoted(str(path))}: not valid TOML: {err}") from err


def calibration(kind: str) -> Fraction:
    """The calibration of tapping by ``kind`` (``keys`` or ``midi``), in seconds; 0 when
    none has been measured.

    Raises:
        InputFileError: the config file cannot be read or is not TOML, or its value is not
            a number of milliseconds within :data:`MAX_CALIBRATION_MS`.
    """
    value = _read().get("calibration", {}).get(kind, 0)
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not math.isfinite(value)
        or abs(value) > MAX_CALIBRATION_MS
    ):
        raise InputFileError(
            f"invalid calibration.{kind} {value!r} in {quoted(str(config_path()))}: expected "
            f"milliseconds, -{MAX_CALIBRATION_MS:g} to {MAX_CALIBRATION_MS:g} (theme tap "
            "--calibrate measures it)"
        )
    return Fraction(value).limit_denominator(10**6) / 1000


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
    data.setdefault("calibration", {})[kind] = ms
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
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
