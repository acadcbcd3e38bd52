"""Pictures to files: an SVG, or a PNG of it where a converter is installed (``rsvg-convert``
from librsvg2-bin, or ImageMagick's ``convert``), checked to be a PNG."""

from __future__ import annotations

import math
import os
import re
import shutil
import subprocess
from pathlib import Path

from theme.errors import OutputFileError, UsageError
from theme.output import Output, atomic_path, output_file, quoted

__all__ = ["convert_timeout", "without_smufl_text", "write_picture"]

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


CONVERTERS = ("rsvg-convert", "convert")
"""The programs that can turn an SVG into a PNG, in the order they are tried."""

CONVERT_TIMEOUT = 60.0
"""Seconds a converter may take before it is stopped; the environment variable
``THEME_CONVERT_TIMEOUT`` (seconds) overrides it."""

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def write_picture(svg: str, path: str | Path | Output) -> list[Path]:
    """Write an SVG picture to ``.svg``, or a PNG of it to ``.png`` (made by
    ``rsvg-convert`` or ImageMagick's ``convert``; the SVG it is made from is a temporary
    file, so no ``.svg`` beside it is touched). Returns the files written.

    Raises:
        OutputFormatError: another extension.
        OutputFileError: no converter installed, a converter that fails, times out or
            writes no PNG; a missing folder, no permission, a full disk.
    """
    out = output_file(path, ["svg", "png"])
    if out.kind == "svg":
        with atomic_path(out) as tmp:
            tmp.write_text(svg, encoding="utf-8")
        return [Path(out)]
    program = next((p for p in CONVERTERS if shutil.which(p)), None)
    if program is None:
        raise OutputFileError(
            f"cannot make {quoted(str(out))}: no SVG converter (install librsvg2-bin for "
            "rsvg-convert), or write a .svg file instead"
        )
    timeout = convert_timeout()  # a bad THEME_CONVERT_TIMEOUT is found before the work
    with atomic_path(out) as tmp:
        plain = tmp.with_name(tmp.name[: -len(tmp.suffix)] + ".svg")
        try:
            plain.write_text(without_smufl_text(svg), encoding="utf-8")
            _convert(program, plain, tmp, out, timeout=timeout)
        finally:
            plain.unlink(missing_ok=True)
    return [Path(out)]


def convert_timeout() -> float:
    """Seconds a converter may run: ``THEME_CONVERT_TIMEOUT`` or :data:`CONVERT_TIMEOUT`.

    Raises:
        UsageError: ``THEME_CONVERT_TIMEOUT`` is not a positive number of seconds.
    """
    text = os.environ.get("THEME_CONVERT_TIMEOUT", "").strip()
    if not text:
        return CONVERT_TIMEOUT
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not 0 < seconds <= 86400:  # NaN fails too
        raise UsageError(
            f"invalid THEME_CONVERT_TIMEOUT {quoted(text)}: expected seconds, more than 0"
        )
    return seconds


def _convert(program: str, svg_file: Path, png_file: Path, out: Output, *, timeout: float) -> None:
    """Run ``program`` to turn ``svg_file`` into ``png_file``; check that a PNG came out."""
    args = (
        [program, "-b", "white", "-o", str(png_file), str(svg_file)]
        if program == "rsvg-convert"
        else [program, "-background", "white", str(svg_file), f"png:{png_file}"]
    )
    try:
        done = subprocess.run(args, capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise OutputFileError(
            f"cannot make {quoted(str(out))}: {program} did not finish in {timeout:g} s "
            "(THEME_CONVERT_TIMEOUT=SECONDS waits longer)"
        ) from None
    except OSError as exc:
        raise OutputFileError(f"cannot make {quoted(str(out))}: {program}: {exc.strerror}") from exc
    if done.returncode != 0:
        said = done.stderr.decode("utf-8", "replace").strip().splitlines()
        if done.returncode < 0:
            how = f"was stopped by {_signal_name(-done.returncode)}"
        else:
            how = f"failed (exit code {done.returncode})"
        detail = f": {said[0][:200]}" if said else ""
        raise OutputFileError(f"cannot make {quoted(str(out))}: {program} {how}{detail}")
    try:
        with png_file.open("rb") as made:
            start = made.read(len(PNG_MAGIC))
    except FileNotFoundError:  # a converter that removed its output file
        start = b""
    if start != PNG_MAGIC:
        raise OutputFileError(f"cannot make {quoted(str(out))}: {program} wrote no PNG")


def _signal_name(number: int) -> str:
    """``'SIGXFSZ (the file-size limit)'`` for 25; the number for an unknown signal.

    >>> _signal_name(9)
    'SIGKILL'
    """
    import signal

    try:
        name = signal.Signals(number).name
    except ValueError:
        return f"signal {number}"
    return name + (" (the file-size limit)" if name == "SIGXFSZ" else "")
