"""The built-in variants (data files) and variant files of your own.

>>> v = load("tv-1966")
>>> v.meters[0], v.sections[0].patterns[0].rhythm.to_box()
(Meter(numerator=5, denominator=4, groups=(3, 2)), 'X..x..x.x.')
>>> "remix-1996" in names()
True
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from theme.errors import VariantError
from theme.safe_text import clip, did_you_mean
from theme.variants.groove import Groove, is_groove_link
from theme.variants.listing import catalog, grouped, parse_grouping
from theme.variants.loader import load_built_in, load_file, names
from theme.variants.model import GROUPS, Claim, LayerSpec, Parameter, Pattern, Section, Variant

__all__ = [
    "GROUPS",
    "Claim",
    "LayerSpec",
    "Parameter",
    "Pattern",
    "Section",
    "Variant",
    "catalog",
    "grouped",
    "load",
    "names",
    "parse_grouping",
]


def load(name: str | Path, **params: Any) -> Variant:
    """A built-in variant by name, a variant file by path, or a groove's link
    (``https://.../studio.html#g1=...``, :mod:`theme.variants.groove`), with parameter
    values.

    Raises:
        TypeError: ``name`` is neither a str nor a path.
        VariantError: an unknown name, an unknown parameter or a bad value.
        InputFileError: a file that cannot be read.

    >>> load("remix-1996", intro_bars=2).sections[0].bars
    2
    """
    if not isinstance(name, (str, os.PathLike)):
        raise TypeError(f"a variant is a name or a path, not {type(name).__name__}")
    text = os.fspath(name)
    if not isinstance(text, str):
        raise TypeError(f"a variant path must be text, not {type(text).__name__}")
    if text in names():
        return load_built_in(text, params)
    if isinstance(name, str) and is_groove_link(text):
        if params:
            raise VariantError(
                f"unknown parameter {next(iter(params))!r} for a groove link: it has none"
            )
        return Groove.from_link(text).variant()
    path = Path(text)
    try:
        exists = path.exists()
    except (OSError, ValueError):  # a name too long, or with a NUL: no such file
        exists = False
    if path.suffix.lower() == ".toml" or exists:
        return load_file(path, params)
    raise VariantError(
        f"unknown variant {clip(text)!r}{did_you_mean(text, names())}: expected one of "
        f"{', '.join(names())} or a path to a .toml file"
    )
