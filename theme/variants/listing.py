"""The built-in variants by group, meter and grouping: what ``theme list`` shows and filters.

A *grouping* is how a meter's pulses are grouped, written as whole numbers joined by ``+``
(``3+2+2``: seven eighths as long, short, short); a *meter* filter is a meter string (``7/8``
matches every grouping of seven eighths, ``3+2+2/8`` only that one).

>>> [v.name for v in catalog(grouping="3+2+2")]
['kalamatianos', 'lesnoto']
>>> [v.name for v in catalog(meter="9/8", group="repertoire")]
['blue-rondo']
"""

from __future__ import annotations

import re

from theme.core.meter import MAX_NUMERATOR, Meter
from theme.errors import UsageError
from theme.safe_text import clip, did_you_mean
from theme.variants.loader import names
from theme.variants.model import GROUPS, Variant

__all__ = ["catalog", "grouped", "parse_grouping"]

_GROUPING_RE = re.compile(r"^\s*[0-9]{1,2}(?:\s*\+\s*[0-9]{1,2})*\s*$")
_GROUPING_FORM = (
    f"whole numbers from 1 joined by +, such as 3+2+2, adding up to at most {MAX_NUMERATOR}"
)


def parse_grouping(text: str) -> tuple[int, ...]:
    """A grouping such as ``'3+2+2'`` as a tuple of pulses.

    Raises:
        TypeError: ``text`` is not a str.
        UsageError: not whole numbers joined by ``+``, a zero, or more than 64 pulses.

    >>> parse_grouping("2 + 2 + 3")
    (2, 2, 3)
    >>> parse_grouping("3+0")
    Traceback (most recent call last):
    ...
    theme.errors.UsageError: invalid grouping '3+0': expected whole numbers from 1 joined by +, such as 3+2+2, adding up to at most 64
    """
    if not isinstance(text, str):
        raise TypeError(f"a grouping must be a str such as '3+2+2', not {type(text).__name__}")
    if len(text) > 200 or not _GROUPING_RE.match(text):
        raise UsageError(f"invalid grouping {clip(text)!r}: expected {_GROUPING_FORM}")
    groups = tuple(int(part) for part in text.split("+"))
    if any(g < 1 for g in groups) or sum(groups) > MAX_NUMERATOR:
        raise UsageError(f"invalid grouping {clip(text)!r}: expected {_GROUPING_FORM}")
    return groups


def _meter_matches(wanted: Meter, grouped_filter: bool, variant: Variant) -> bool:
    for meter in variant.meters:
        same = (meter.numerator, meter.denominator) == (wanted.numerator, wanted.denominator)
        if same and (not grouped_filter or meter.groups == wanted.groups):
            return True
    return False


def catalog(
    *, meter: str | None = None, grouping: str | None = None, group: str | None = None
) -> list[Variant]:
    """The built-in variants (with their defaults) that have a section in ``meter`` and one
    grouped as ``grouping``, of ``group`` (one of :data:`~theme.variants.model.GROUPS`); each
    filter left out matches everything. In the order of :func:`~theme.variants.names`.

    Raises:
        TypeError: a filter that is not a str.
        UsageError: a meter, grouping or group that is not allowed (naming what is).
    """
    for label, value in (("meter", meter), ("grouping", grouping), ("group", group)):
        if value is not None and not isinstance(value, str):
            raise TypeError(f"{label} must be a str, not {type(value).__name__}")
    wanted = Meter.parse(meter) if meter is not None else None
    pulses = parse_grouping(grouping) if grouping is not None else None
    if group is not None and group not in GROUPS:
        raise UsageError(
            f"invalid group {clip(group)!r}{did_you_mean(group, list(GROUPS))}: expected one of "
            f"{', '.join(GROUPS)}"
        )
    chosen = []
    for variant in _built_ins():
        if wanted is not None and not _meter_matches(wanted, "+" in str(meter), variant):
            continue
        if pulses is not None and pulses not in variant.groupings:
            continue
        if group is not None and variant.group != group:
            continue
        chosen.append(variant)
    return chosen


def grouped(variants: list[Variant]) -> list[tuple[str, list[Variant]]]:
    """``variants`` under the heading of each group, the groups in the order of
    :data:`~theme.variants.model.GROUPS` (variants of no group last, under ``other``). The
    theme keeps its own order; the others go by their first meter (pulses, then the note
    value, then the grouping), then by name."""
    headings = [*GROUPS, ""]
    result = []
    for key in headings:
        members = [v for v in variants if v.group == key]
        if key != "theme":
            members.sort(key=_by_meter)
        if members:
            result.append((GROUPS.get(key, "other"), members))
    return result


def _by_meter(variant: Variant) -> tuple[object, ...]:
    first = variant.meters[0]
    return (first.numerator, first.denominator, first.groups, variant.name)


def _built_ins() -> list[Variant]:
    """Every built-in variant with its defaults, through :func:`theme.variants.load`."""
    import theme.variants

    return [theme.variants.load(name) for name in names()]
