"""Variant files (TOML) in, validated :class:`~theme.variants.model.Variant` out.

The schema is documented in the README ("Your own variant file"). Every error names the
file, the field and what is allowed, in one line::

    my.toml: sections[1].meter: invalid meter '5/3': the denominator must be ...
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from fractions import Fraction
from pathlib import Path
from typing import Any

from theme.errors import InputFileError, ThemeError, VariantError
from theme.meter import Meter
from theme.remeter import get_strategy, remeter_rhythm
from theme.rhythm import Rhythm, note_number
from theme.tempo import Tempo
from theme.timeline import Layer
from theme.variants.model import (
    CONFIDENCES,
    Claim,
    LayerSpec,
    Parameter,
    Pattern,
    Section,
    Variant,
)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = ["DATA", "load_file", "names", "parse_variant"]

DATA = Path(__file__).with_name("data")
"""The folder of the built-in variant files."""

_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


def names() -> list[str]:
    """The names of the built-in variants, in the order they are listed."""
    order = ["tv-1966", "film", "remix-1996", "remix-2000"]
    found = sorted(p.stem for p in DATA.glob("*.toml"))
    return [n for n in order if n in found] + [n for n in found if n not in order]


def load_file(path: str | Path, params: Mapping[str, Any] | None = None) -> Variant:
    """Read and validate a variant file.

    Raises:
        InputFileError: the file is missing, a folder, unreadable or not TOML.
        VariantError: a field is missing or has a value that is not allowed.
    """
    path = Path(path)
    if path.is_dir():
        raise InputFileError(f"cannot read variant file {str(path)!r}: it is a folder")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputFileError(f"cannot read variant file {str(path)!r}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputFileError(f"cannot read variant file {str(path)!r}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputFileError(f"{path}: not valid TOML: {exc}") from None
    source = "built-in" if path.parent == DATA else str(path)
    label = path.name if source == "built-in" else str(path)
    return parse_variant(data, params or {}, label=label, source=source)


class _Fields:
    """Reads fields of a TOML table, naming the file and field in every error."""

    def __init__(self, label: str):
        self.label = label

    def fail(self, field: str, message: str) -> VariantError:
        return VariantError(f"{self.label}: {field}: {message}")

    def get(
        self, table: Mapping[str, Any], key: str, where: str, kind: type | tuple, default: Any = ...
    ) -> Any:
        field = f"{where}.{key}" if where else key
        if key not in table:
            if default is ...:
                raise self.fail(field, "missing; this field is required")
            return default
        value = table[key]
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            expected = (
                kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
            )
            raise self.fail(field, f"got {value!r}; expected a {expected}")
        return value

    def convert(self, field: str, func: Any, value: Any) -> Any:
        try:
            return func(value)
        except ThemeError as exc:
            raise self.fail(field, str(exc)) from None


def _substitute(value: Any, values: Mapping[str, Any]) -> Any:
    """Replace ``"{name}"`` placeholders by parameter values, recursively."""
    if isinstance(value, str):
        whole = _PLACEHOLDER.fullmatch(value)
        if whole and whole.group(1) in values:
            return values[whole.group(1)]
        return _PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), m.group(0))), value)
    if isinstance(value, list):
        return [_substitute(v, values) for v in value]
    if isinstance(value, dict):
        return {k: _substitute(v, values) for k, v in value.items()}
    return value


def _parameters(data: Mapping[str, Any], f: _Fields) -> list[Parameter]:
    table = f.get(data, "parameters", "", dict, {})
    params = []
    for name, spec in table.items():
        where = f"parameters.{name}"
        if not isinstance(spec, dict):
            raise f.fail(where, "expected a table with default and help")
        choices = f.get(spec, "choices", where, dict, None)
        default = spec.get("default")
        if default is None:
            raise f.fail(f"{where}.default", "missing; this field is required")
        parameter = Parameter(
            name=name,
            default=default,
            help=f.get(spec, "help", where, str, ""),
            choices=choices,
            minimum=f.get(spec, "min", where, int, None),
            maximum=f.get(spec, "max", where, int, None),
        )
        f.convert(f"{where}.default", parameter.resolve, default)
        params.append(parameter)
    return params


def parse_variant(
    data: Mapping[str, Any], params: Mapping[str, Any], *, label: str, source: str
) -> Variant:
    """Build a Variant from parsed TOML and parameter values given by name.

    Raises:
        VariantError: naming ``label``, the field and what is allowed.
    """
    f = _Fields(label)
    parameters = _parameters(data, f)
    known = {p.name: p for p in parameters}
    for key in params:
        if key not in known:
            allowed = ", ".join(known) or "none"
            raise VariantError(
                f"unknown parameter {key!r} for {label}: its parameters are {allowed}"
            )
    given = {p.name: params.get(p.name, p.default) for p in parameters}
    values = {name: known[name].resolve(value) for name, value in given.items()}
    data = _substitute(dict(data), values)

    name = f.get(data, "name", "", str)
    if not _NAME_RE.match(name):
        raise f.fail("name", f"invalid name {name!r}: expected lower-case letters, digits and -")
    tempo = f.convert("tempo", Tempo.parse, f.get(data, "tempo", "", (str, int, float)))
    grid = f.convert("grid", _grid, f.get(data, "grid", "", str, "1/2"))

    layers: list[LayerSpec] = []
    for layer_name, spec in f.get(data, "layers", "", dict).items():
        where = f"layers.{layer_name}"
        if not isinstance(spec, dict):
            raise f.fail(where, "expected a table with voice and pitches")
        drum = f.get(spec, "drum", where, bool, False)
        program = f.get(spec, "program", where, int, 0)
        if not 0 <= program <= 127:
            raise f.fail(f"{where}.program", f"invalid program {program}: expected 0 to 127")
        pan = float(f.get(spec, "pan", where, (int, float), 0.0))
        if not -1 <= pan <= 1:
            raise f.fail(f"{where}.pan", f"invalid pan {pan}: expected -1 (left) to 1 (right)")
        pitches = f.get(spec, "pitches", where, list)
        if not pitches:
            raise f.fail(f"{where}.pitches", "expected at least one pitch")
        layers.append(
            LayerSpec(
                Layer(
                    name=layer_name,
                    voice=f.get(spec, "voice", where, str),
                    program=program,
                    drum=drum,
                    pan=pan,
                    gain=float(f.get(spec, "gain", where, (int, float), 1.0)),
                    channel=len(layers) % 9,
                ),
                tuple(f.convert(f"{where}.pitches", note_number, p) for p in pitches),
                role=f.get(spec, "role", where, str, ""),
            )
        )
    layer_names = {spec.layer.name for spec in layers}

    sections = []
    for i, spec in enumerate(f.get(data, "sections", "", list)):
        where = f"sections[{i}]"
        if not isinstance(spec, dict):
            raise f.fail(where, "expected a table with name, meter, bars and patterns")
        meter = f.convert(f"{where}.meter", Meter.parse, f.get(spec, "meter", where, str))
        bars = f.get(spec, "bars", where, int)
        if not 0 <= bars <= 1000:
            raise f.fail(f"{where}.bars", f"invalid bars {bars}: expected 0 to 1000")
        patterns = []
        for layer_name, pattern in f.get(spec, "patterns", where, dict).items():
            pwhere = f"{where}.patterns.{layer_name}"
            if layer_name not in layer_names:
                raise f.fail(
                    pwhere,
                    f"no layer {layer_name!r}; the layers are {', '.join(sorted(layer_names))}",
                )
            patterns.append(_pattern(f, pwhere, layer_name, pattern, grid, meter))
        if bars:
            sections.append(Section(f.get(spec, "name", where, str), meter, bars, tuple(patterns)))
    if not sections:
        raise f.fail("sections", "expected at least one section with bars")

    claims = []
    for i, spec in enumerate(f.get(data, "claims", "", list, [])):
        where = f"claims[{i}]"
        confidence = f.get(spec, "confidence", where, str)
        if confidence not in CONFIDENCES:
            raise f.fail(
                f"{where}.confidence",
                f"invalid confidence {confidence!r}: expected one of {', '.join(CONFIDENCES)}",
            )
        claims.append(
            Claim(
                f.get(spec, "claim", where, str), confidence, f.get(spec, "source", where, str, "")
            )
        )

    return Variant(
        name=name,
        title=f.get(data, "title", "", str),
        description=f.get(data, "description", "", str, ""),
        tempo=tempo,
        layers=tuple(layers),
        sections=tuple(sections),
        claims=tuple(claims),
        parameters=tuple(parameters),
        values=given,
        source=source,
    )


def _grid(text: str) -> Fraction:
    """A grid cell length in quarter notes: ``'1/2'`` for eighths."""
    try:
        value = Fraction(text)
    except (ValueError, ZeroDivisionError):
        value = Fraction(0)
    if value <= 0:
        raise VariantError(f"invalid grid {text!r}: expected a length in quarter notes such as 1/2")
    return value


def _pattern(
    f: _Fields, where: str, layer: str, spec: Any, grid: Fraction, meter: Meter
) -> Pattern:
    if isinstance(spec, str):
        spec = {"box": spec}
    if not isinstance(spec, dict):
        raise f.fail(where, "expected box notation such as 'x..x..x.x.' or a table with box")
    box = f.get(spec, "box", where, str)
    cell = f.convert(f"{where}.grid", _grid, f.get(spec, "grid", where, str, str(grid)))
    rhythm = f.convert(f"{where}.box", lambda b: Rhythm.from_box(b, cell), box)
    strategy = f.get(spec, "strategy", where, str, None)
    if strategy:
        s = f.convert(f"{where}.strategy", get_strategy, strategy)
        if (s.target.numerator, s.target.denominator) != (meter.numerator, meter.denominator):
            raise f.fail(
                f"{where}.strategy",
                f"strategy {s.name!r} makes {s.target}, but this section is in {meter}",
            )
        rhythm = f.convert(f"{where}.box", lambda r: remeter_rhythm(r, s), rhythm)
    pitches = f.get(spec, "pitches", where, list, None)
    return Pattern(
        layer,
        rhythm,
        tuple(f.convert(f"{where}.pitches", note_number, p) for p in pitches) if pitches else None,
        strategy,
    )
