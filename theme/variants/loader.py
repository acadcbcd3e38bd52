"""Variant files (TOML) in, validated :class:`~theme.variants.model.Variant` out.

The schema is documented in the README ("Your own variant file"). Every error names the
file, the field and what is allowed, in one line::

    my.toml: sections[1].meter: invalid meter '5/3': the denominator must be ...
"""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Mapping
from fractions import Fraction
from pathlib import Path
from types import MappingProxyType
from typing import Any

from theme.core.meter import Meter
from theme.core.remeter import get_strategy, remeter_rhythm
from theme.core.rhythm import Rhythm, grid_unit, note_number
from theme.core.tempo import Tempo
from theme.core.timeline import MAX_BARS, MAX_EVENTS, Layer
from theme.errors import InputFileError, ThemeError, VariantError, VariantFileError
from theme.safe_text import did_you_mean, printable, shown
from theme.variants.model import (
    CONFIDENCES,
    GROUPS,
    Claim,
    LayerSpec,
    Parameter,
    Pattern,
    Section,
    Variant,
    most_notes,
)
from theme.variants.reading import (
    MAX_FILE_BYTES,
    MAX_NESTING,
    Fields,
    decode_text,
    depth,
    read_text,
)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = [
    "DATA",
    "MAX_CELLS_PER_BAR",
    "MAX_FILE_BYTES",
    "MAX_GRID_DENOMINATOR",
    "MAX_NESTING",
    "load_bytes",
    "load_file",
    "names",
    "parse_variant",
]

DATA = Path(__file__).with_name("data")
"""The folder of the built-in variant files."""

MAX_CELLS_PER_BAR = 1024
"""The most grid cells a bar may hold: ``grid`` at least 1/1024 of the bar."""

MAX_GRID_DENOMINATOR = 64
"""The largest denominator a ``grid`` may have (1/64: a 256th note; 1/3, 1/6, 1/12...)."""

_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


def names() -> list[str]:
    """The names of the built-in variants, in the order they are listed."""
    return list(_names_in(DATA, DATA.stat().st_mtime_ns))


@functools.lru_cache(maxsize=4)
def _names_in(folder: Path, changed_ns: int) -> tuple[str, ...]:
    """The variant files of ``folder`` as it was when last changed (``changed_ns``, its
    modification time in nanoseconds: a file added or taken away changes it)."""
    order = ["tv-1966", "film", "remix-1996", "remix-2000"]
    found = sorted(p.stem for p in folder.glob("*.toml"))
    return tuple([n for n in order if n in found] + [n for n in found if n not in order])


def load_built_in(name: str, params: Mapping[str, Any]) -> Variant:
    """The built-in variant ``name`` (one of :func:`names`) with parameter values, read from
    its file the first time it is asked for with those values: the same frozen
    :class:`Variant` after that (a quiz asks for the same few variants hundreds of times,
    and each reading of a file took 6 ms).

    Raises:
        VariantError: as :func:`load_file`.
    """
    path = DATA / f"{name}.toml"
    try:
        key = tuple(sorted((str(k), _typed(v)) for k, v in params.items()))
    except TypeError:  # a value of another kind: read afresh (and refused, most likely)
        return load_file(path, params)
    stat = path.stat()
    return _built_in(path, stat.st_mtime_ns, stat.st_size, key, tuple(params.items()))


def _typed(value: Any) -> tuple[Any, ...]:
    """A parameter value with its type, and the types of what it holds, to tell apart in a
    cache's key the values Python finds equal (``1``, ``1.0`` and ``True``).

    >>> _typed(1) == _typed(1.0), _typed((1, "a")) == _typed((1, "a"))
    (False, True)

    Raises:
        TypeError: a value other than None, a bool, a number, a string or a tuple of them.
    """
    if value is None or isinstance(value, (bool, int, float, Fraction, str)):
        return (type(value), value)
    if isinstance(value, tuple):
        return (tuple, tuple(_typed(v) for v in value))
    raise TypeError(type(value).__name__)


@functools.lru_cache(maxsize=256)
def _built_in(
    path: Path, changed_ns: int, size: int, key: tuple[Any, ...], params: tuple[Any, ...]
) -> Variant:
    """The variant file ``path`` as it was when last changed (``changed_ns``, ``size``) with
    the parameter values ``params`` (their typed ``key`` is what the cache compares)."""
    return load_file(path, dict(params))


def load_file(path: str | Path, params: Mapping[str, Any] | None = None) -> Variant:
    """Read and validate a variant file (at most :data:`MAX_FILE_BYTES` bytes, tables nested
    at most :data:`MAX_NESTING` deep).

    Raises:
        InputFileError: the file is missing, a folder, not a regular file, too long,
            unreadable or not TOML; :class:`VariantFileError` (also an InputFileError): a
            field is missing or has a value that is not allowed.
        VariantError: a parameter value given in ``params`` that is not allowed.
    """
    path = Path(path)
    return _variant_of_text(read_text(path), path, params)


def load_bytes(data: bytes, path: str | Path, params: Mapping[str, Any] | None = None) -> Variant:
    """The variant file ``path`` whose bytes were read already (at most
    :data:`MAX_FILE_BYTES` and one more; :func:`theme.readers.files.open_source` reads a file
    once, to tell its kind and to read it): the checks and validation of :func:`load_file`.

    Raises:
        InputFileError, VariantFileError, VariantError: as :func:`load_file`.
    """
    path = Path(path)
    return _variant_of_text(decode_text(data, path), path, params)


def _variant_of_text(text: str, path: Path, params: Mapping[str, Any] | None) -> Variant:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputFileError(f"{printable(str(path))}: not valid TOML: {exc}") from None
    except RecursionError:
        raise InputFileError(
            f"{printable(str(path))}: tables or lists nested too deep: expected at most "
            f"{MAX_NESTING} levels"
        ) from None
    except ValueError as exc:  # an integer of more than 4,300 digits
        raise InputFileError(f"{printable(str(path))}: not valid TOML: {exc}") from None
    source = "built-in" if path.parent == DATA else str(path)
    label = path.name if source == "built-in" else str(path)
    return parse_variant(data, params or {}, label=label, source=source)


def _substitute(value: Any, values: Mapping[str, Any], f: Fields, where: str = "") -> Any:
    """Replace ``"{name}"`` placeholders by parameter values, recursively (the file's
    nesting is checked first); a string may grow to at most :data:`MAX_FILE_BYTES`."""
    if isinstance(value, str):
        whole = _PLACEHOLDER.fullmatch(value)
        if whole and whole.group(1) in values:
            return values[whole.group(1)]
        grown = sum(
            len(str(values[m.group(1)]))
            for m in _PLACEHOLDER.finditer(value)
            if m.group(1) in values
        )
        if len(value) + grown > MAX_FILE_BYTES:
            raise f.fail(where, f"longer than {MAX_FILE_BYTES} characters once parameters are set")
        return _PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), m.group(0))), value)
    if isinstance(value, list):
        return [_substitute(v, values, f, f"{where}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, dict):
        return {
            k: _substitute(v, values, f, f"{where}.{k}" if where else k) for k, v in value.items()
        }
    return value


_MAX_PARAMETER = 10**6
"""The largest magnitude of a parameter's ``min``, ``max`` or number."""


def _parameters(data: Mapping[str, Any], f: Fields) -> list[Parameter]:
    params = []
    for name, spec in f.named_tables(data, "parameters", "parameters").items():
        where = f"parameters.{name}"
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
            raise f.fail(where, "invalid name: expected lower-case letters, digits and _")
        choices = f.get(spec, "choices", where, dict, None)
        for key, value in (choices or {}).items():
            if (
                not key.isprintable()
                or not isinstance(value, (str, int))
                or isinstance(value, bool)
            ):
                raise f.fail(
                    f"{where}.choices.{key}", f"got {shown(value)}; expected a str or an int"
                )
            if len(str(value) if isinstance(value, str) else "") > 4096 or (
                isinstance(value, int) and abs(value) > _MAX_PARAMETER
            ):
                raise f.fail(
                    f"{where}.choices.{key}",
                    f"expected at most 4096 characters or a number up to {_MAX_PARAMETER}",
                )
        if choices == {}:
            raise f.fail(f"{where}.choices", "expected at least one choice")
        limits = [f.get(spec, key, where, int, None) for key in ("min", "max")]
        for key, limit in zip(("min", "max"), limits):
            if limit is not None and abs(limit) > _MAX_PARAMETER:
                raise f.fail(
                    f"{where}.{key}",
                    f"got {shown(limit)}; expected -{_MAX_PARAMETER} to {_MAX_PARAMETER}",
                )
        parameter = Parameter(
            name=name,
            default=f.get(spec, "default", where, (int, str)),
            help=f.get(spec, "help", where, str, ""),
            choices=choices,
            minimum=limits[0],
            maximum=limits[1],
        )
        f.convert(f"{where}.default", parameter.resolve, parameter.default)
        params.append(parameter)
    return params


def parse_variant(
    data: Mapping[str, Any], params: Mapping[str, Any], *, label: str, source: str
) -> Variant:
    """Build a Variant from parsed TOML and parameter values given by name. The structure
    is checked first (nesting, the kind of every table and its keys), then every field.

    Raises:
        VariantFileError: naming ``label``, the field and what is allowed.
        VariantError: a parameter in ``params`` that the file does not have, or a value
            that is not allowed.
    """
    f = Fields(label)
    if depth(data) > MAX_NESTING:
        raise VariantFileError(
            f"{printable(label)}: tables or lists nested too deep: expected at most "
            f"{MAX_NESTING} levels"
        )
    f.table(data, "", "")
    parameters = _parameters(data, f)
    known = {p.name: p for p in parameters}
    for key in params:
        if key not in known:
            allowed = ", ".join(known) or "none"
            raise VariantError(
                f"unknown parameter {shown(key)}{did_you_mean(key, list(known))} for "
                f"{printable(label)}: its parameters are {allowed}"
            )
    given = {p.name: params.get(p.name, p.default) for p in parameters}
    values = {name: known[name].resolve(value) for name, value in given.items()}
    data = _substitute(dict(data), values, f)

    name = f.get(data, "name", "", str)
    if not _NAME_RE.match(name) or len(name) > 40:
        raise f.fail(
            "name", f"invalid name {shown(name)}: expected lower-case letters, digits and -"
        )
    tempo = f.convert("tempo", Tempo.parse, f.get(data, "tempo", "", (str, int, float)))
    grid = f.convert("grid", _grid, f.get(data, "grid", "", str, "1/2"))

    layers: list[LayerSpec] = []
    for layer_name, spec in f.named_tables(data, "layers", "layers").items():
        where = f"layers.{layer_name}"
        pitches = f.get(spec, "pitches", where, list)
        if not pitches:
            raise f.fail(f"{where}.pitches", "expected at least one pitch")
        layer = _layer(
            f,
            where,
            dict(
                name=layer_name,
                voice=f.get(spec, "voice", where, str),
                program=f.get(spec, "program", where, int, 0),
                drum=f.get(spec, "drum", where, bool, False),
                pan=float(f.get(spec, "pan", where, (int, float), 0.0)),
                gain=float(f.get(spec, "gain", where, (int, float), 1.0)),
                channel=len(layers) % 9,
            ),
        )
        layers.append(
            LayerSpec(
                layer,
                _pitches(f, f"{where}.pitches", pitches),
                role=f.get(spec, "role", where, str, ""),
            )
        )
    layer_names = {spec.layer.name for spec in layers}

    sections = []
    total_bars = 0
    for i, spec in enumerate(f.tables(data, "sections", "", "sections")):
        where = f"sections[{i}]"
        meter = f.convert(f"{where}.meter", Meter.parse, f.get(spec, "meter", where, str))
        bars = f.get(spec, "bars", where, int)
        total_bars += bars if bars > 0 else 0
        if not 0 <= bars <= MAX_BARS or total_bars > MAX_BARS:
            raise f.fail(
                f"{where}.bars",
                f"invalid bars {shown(bars)}: expected 0 to {MAX_BARS} bars, and at most "
                f"{MAX_BARS} in all the sections",
            )
        patterns = []
        for layer_name, pattern in f.get(spec, "patterns", where, dict).items():
            pwhere = f"{where}.patterns.{layer_name}"
            if layer_name not in layer_names:
                raise f.fail(
                    pwhere,
                    f"no layer {shown(layer_name)}; the layers are "
                    + ", ".join(sorted(layer_names)),
                )
            patterns.append(_pattern(f, pwhere, layer_name, pattern, grid, meter))
        section_name = f.get(spec, "name", where, str)
        if not section_name.isprintable() or len(section_name) > 40:
            raise f.fail(f"{where}.name", "invalid name: expected at most 40 printable characters")
        if bars:
            sections.append(Section(section_name, meter, bars, tuple(patterns)))
    if not sections:
        raise f.fail("sections", "expected at least one section with bars")
    notes = sum(section.bars * most_notes(section) for section in sections)
    if notes > MAX_EVENTS:
        raise f.fail(
            "sections",
            f"{total_bars} bars make up to {notes} notes; expected at most {MAX_EVENTS}",
        )

    claims = []
    for i, spec in enumerate(f.tables(data, "claims", "", "claims")):
        where = f"claims[{i}]"
        confidence = f.get(spec, "confidence", where, str)
        if confidence not in CONFIDENCES:
            raise f.fail(
                f"{where}.confidence",
                f"invalid confidence {shown(confidence)}: expected one of {', '.join(CONFIDENCES)}",
            )
        claims.append(
            Claim(
                f.get(spec, "claim", where, str), confidence, f.get(spec, "source", where, str, "")
            )
        )

    group = f.get(data, "group", "", str, "")
    if group and group not in GROUPS:
        raise f.fail(
            "group",
            f"invalid group {shown(group)}{did_you_mean(str(group), list(GROUPS))}: expected one "
            f"of {', '.join(GROUPS)}",
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
        values=MappingProxyType(dict(given)),
        source=source,
        group=group,
    )


def _pitches(f: Fields, where: str, pitches: list[Any]) -> tuple[int, ...]:
    """MIDI note numbers from a list of note names (``"D2"``) and numbers."""
    for pitch in pitches:
        if not isinstance(pitch, (str, int)) or isinstance(pitch, bool):
            raise f.fail(where, f"got {shown(pitch)}; expected a note name such as D2 or 0 to 127")
    return tuple(f.convert(where, note_number, p) for p in pitches)


def _layer(f: Fields, where: str, fields: dict[str, Any]) -> Layer:
    """A Layer from checked fields; its own checks (voice, program, pan, gain) name the
    field that fails."""
    try:
        return Layer(**fields)
    except ThemeError as exc:
        message = str(exc)
        key = next((k for k in ("voice", "program", "pan", "gain") if k in message), "")
        raise f.fail(f"{where}.{key}" if key else where, message) from None


def _grid(text: str) -> Fraction:
    """A grid cell length in quarter notes: ``'1/2'`` for eighths, at least 1/64 and at most
    16, its denominator at most :data:`MAX_GRID_DENOMINATOR`.

    >>> _grid("1/3")
    Fraction(1, 3)
    """
    value = grid_unit(text)
    if value.denominator > MAX_GRID_DENOMINATOR or not Fraction(1, 64) <= value <= 16:
        raise VariantError(
            f"invalid grid {shown(text)}: expected a length in quarter notes from 1/64 to 16 "
            f"such as 1/2 (eighths) or 1/3 (eighth triplets), with a denominator up to "
            f"{MAX_GRID_DENOMINATOR}"
        )
    return value


def _pattern(f: Fields, where: str, layer: str, spec: Any, grid: Fraction, meter: Meter) -> Pattern:
    if isinstance(spec, str):
        spec = {"box": spec}
    if not isinstance(spec, dict):
        raise f.fail(
            where,
            f"got {shown(spec)}; expected box notation such as 'x..x..x.x.' or a table with box",
        )
    f.table(spec, where, "patterns")
    box = f.get(spec, "box", where, str)
    cell = f.convert(f"{where}.grid", _grid, f.get(spec, "grid", where, str, str(grid)))
    if meter.bar_quarters / cell > MAX_CELLS_PER_BAR:
        raise f.fail(
            f"{where}.grid",
            f"a grid of {cell} quarter note makes {meter.bar_quarters / cell} cells in a bar of "
            f"{meter}; expected at most {MAX_CELLS_PER_BAR}",
        )
    rhythm = f.convert(f"{where}.box", lambda b: Rhythm.from_box(b, cell), box)
    strategy = f.get(spec, "strategy", where, str, None)
    if strategy is not None:
        s = f.convert(f"{where}.strategy", get_strategy, strategy)
        if (s.target.numerator, s.target.denominator) != (meter.numerator, meter.denominator):
            raise f.fail(
                f"{where}.strategy",
                f"strategy {s.name!r} makes {s.target}, but this section is in {meter}",
            )
        rhythm = f.convert(f"{where}.box", lambda r: remeter_rhythm(r, s), rhythm)
    pitches = f.get(spec, "pitches", where, list, None)
    if pitches == []:
        raise f.fail(f"{where}.pitches", "expected at least one pitch")
    return Pattern(
        layer,
        rhythm,
        _pitches(f, f"{where}.pitches", pitches) if pitches else None,
        strategy,
    )
