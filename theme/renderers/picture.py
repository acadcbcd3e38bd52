"""Pictures to files: an SVG always, and a PNG of it where a converter is installed
(``rsvg-convert`` from librsvg2-bin, or ImageMagick's ``convert``)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from theme.errors import OutputFileError
from theme.output import atomic_path, output_format

__all__ = ["without_smufl_text", "write_picture"]

SMUFL_TEXT_GLYPHS = {
    "\ueca3": "\U0001d15e",  # metNoteHalfUp
    "\ueca5": "\u2669",  # metNoteQuarterUp
    "\ueca7": "\u266a",  # metNote8thUp
    "\uecb7": ".",  # metAugmentationDot
}
_SMUFL_TSPAN = re.compile(r'<tspan font-family="Leipzig" font-size="(\d+)px">([^<]*)</tspan>')


def without_smufl_text(svg: str) -> str:
    """The SVG with verovio's music-font text (the note in a tempo mark) in plain Unicode.

    verovio embeds that font as a web font, which browsers read and ``rsvg-convert`` does
    not: without this the PNG loses the note and shifts the mark.

    >>> without_smufl_text('<tspan font-family="Leipzig" font-size="720px">\ueca5</tspan>')
    '<tspan font-family="serif" font-size="480px">♩</tspan>'
    """

    def plain(match: re.Match[str]) -> str:
        text = "".join(SMUFL_TEXT_GLYPHS.get(c, c) for c in match[2])
        return f'<tspan font-family="serif" font-size="{int(match[1]) * 2 // 3}px">{text}</tspan>'

    return _SMUFL_TSPAN.sub(plain, svg)


def write_picture(svg: str, path: str | Path) -> list[Path]:
    """Write an SVG picture; for ``.png``, the SVG beside it and a PNG made by
    ``rsvg-convert`` or ImageMagick when one is installed.

    Raises:
        OutputFileError: another extension, or ``.png`` with no converter installed.
    """
    kind = output_format(path, ["svg", "png"])
    target = Path(path)
    svg_path = target.with_suffix(".svg")
    with atomic_path(svg_path) as tmp:
        tmp.write_text(svg, encoding="utf-8")
    if kind == "svg":
        return [svg_path]
    for command in (["rsvg-convert", "-b", "white", "-o"], ["convert", "-background", "white"]):
        if shutil.which(command[0]):
            with atomic_path(target) as tmp:
                plain = tmp.with_name(tmp.name + ".svg")
                plain.write_text(without_smufl_text(svg), encoding="utf-8")
                args = (
                    [*command, str(tmp), str(plain)]
                    if command[0] == "rsvg-convert"
                    else [*command, str(plain), f"png:{tmp}"]
                )
                try:
                    done = subprocess.run(args, capture_output=True, timeout=60)
                finally:
                    plain.unlink()
                if done.returncode != 0:
                    raise OutputFileError(f"cannot make {str(path)!r}: {command[0]} failed")
            return [svg_path, target]
    raise OutputFileError(
        f"cannot make {str(path)!r}: no SVG converter (install librsvg2-bin for rsvg-convert); "
        f"the picture is in {str(svg_path)!r}"
    )
