"""A self-contained HTML page to project: notation, pictures, a player per example, words.

Everything is inside the one file (SVG inline, audio as Ogg Vorbis data URIs, no script,
no font or style from outside), so it works offline and from a USB stick. Type is large,
for the back of a classroom.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from theme.output import atomic_path, output_format
from theme.timeline import Timeline

__all__ = ["PageSection", "page_html", "write_page"]

STYLE = """
body { font-family: 'DejaVu Sans', Arial, sans-serif; font-size: 24px; line-height: 1.4;
       max-width: 1280px; margin: 0 auto; padding: 1em; color: #111; background: #fff; }
h1 { font-size: 2em; } h2 { font-size: 1.5em; border-top: 4px solid #0072B2; padding-top: .5em; }
section { margin-bottom: 2.5em; } figure { margin: 1em 0; overflow-x: auto; }
svg { max-width: 100%; height: auto; } audio { width: 100%; margin: .5em 0; }
pre { font-size: 18px; background: #f4f4f4; padding: .6em; overflow-x: auto; }
.note { color: #555; font-size: .8em; }
"""


@dataclass
class PageSection:
    """One part of the page: a title, paragraphs, pictures (SVG text), an optional text
    grid, and the sound of a timeline (Ogg Vorbis bytes, made by :func:`audio_bytes`)."""

    title: str
    paragraphs: Sequence[str] = ()
    pictures: Sequence[str] = ()
    grid: str = ""
    audio: bytes | None = None
    notes: Sequence[str] = field(default_factory=list)


def audio_bytes(timeline: Timeline) -> bytes:
    """The timeline as Ogg Vorbis at 44.1 kHz (about 8 kB a second)."""
    from theme.renderers.audio import encode_audio

    return encode_audio(timeline, rate=44100, kind="ogg")


def _section(section: PageSection, number: int) -> str:
    parts = [f"<section id='s{number}'><h2>{escape(section.title)}</h2>"]
    parts += [f"<p>{escape(p)}</p>" for p in section.paragraphs]
    if section.audio is not None:
        data = base64.b64encode(section.audio).decode("ascii")
        parts.append(f"<audio controls preload='auto' src='data:audio/ogg;base64,{data}'></audio>")
    parts += [f"<figure>{svg}</figure>" for svg in section.pictures]
    if section.grid:
        parts.append(f"<pre>{escape(section.grid)}</pre>")
    parts += [f"<p class='note'>{escape(n)}</p>" for n in section.notes]
    return "".join(parts) + "</section>"


def page_html(title: str, sections: Sequence[PageSection], *, intro: str = "") -> str:
    """The whole page as one HTML string."""
    body = "".join(_section(s, i) for i, s in enumerate(sections, start=1))
    lead = f"<p>{escape(intro)}</p>" if intro else ""
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{escape(title)}</title><style>{STYLE}</style></head>"
        f"<body><h1>{escape(title)}</h1>{lead}{body}"
        "<p class='note'>Made by theme. Rhythm, meter, accent and form only: the pitches are "
        "the project's own, not the theme's.</p></body></html>"
    )


def timeline_section(
    timeline: Timeline, *, title: str | None = None, notation_bars: int = 8
) -> PageSection:
    """A section for one timeline: notation of its first bars, its grid, its sound."""
    from theme.classroom.notebook import notation_svg
    from theme.renderers.text import section_grids

    return PageSection(
        title=title or timeline.title,
        paragraphs=[f"{len(timeline.bars)} bars, {float(timeline.duration_seconds):.1f} seconds."],
        pictures=[notation_svg(timeline, bars=notation_bars)],
        grid=section_grids(timeline),
        audio=audio_bytes(timeline),
    )


def write_page(timeline: Timeline, path: str | Path, *, title: str | None = None) -> Path:
    """Write a page for one timeline (``theme export VARIANT -o page.html``).

    Raises:
        OutputFileError: not an ``.html`` path, a missing folder, no permission.
    """
    output_format(path, ["html", "htm"])
    html = page_html(title or timeline.title, [timeline_section(timeline)])
    with atomic_path(path) as tmp:
        tmp.write_text(html, encoding="utf-8")
    return Path(path)
