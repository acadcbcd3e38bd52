"""A site a school can host: a folder of static pages, from the folder itself (``file://``,
a USB stick) or from any static web server.

::

    index.html            the home page: a link to everything below
    tour/index.html       the guided tour (and its WAV, MIDI and SVG files)
    gallery/NAME.html     a page for every built-in variant, each with "Edit this groove"
    studio.html           make a groove, share it by link, take it home
    practice.html         a groove on a phone: big beat light, count-in, tempo, tap along
    favicon.ico           the site's icon
    quiz/level-N/         a quiz at each level (index.html, worksheet.html, key.html, audio)

Every link is relative, every page is one file with nothing from outside (its
Content-Security-Policy allows nothing else), and each page stays within
:data:`PAGE_BUDGET_BYTES`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape
from pathlib import Path

from theme.classroom.studio import practice_html, studio_html
from theme.errors import OutputFileError
from theme.output import atomic_path
from theme.page.document import PageSection, html_document, page_style, write_page
from theme.variants import catalog, grouped, load
from theme.variants.groove import Groove

__all__ = ["PAGE_BUDGET_BYTES", "QUIZ_LEVELS", "SITE_FILES", "SiteFiles", "write_site"]

PAGE_BUDGET_BYTES = 1_000_000
"""The most bytes one page of the site may have (the tour's page is about 0.86 MB)."""

QUIZ_LEVELS = {
    1: "clicks with accents",
    2: "grooves",
    3: "clicks with no accents",
    4: "no accents, and faster",
}
"""The quiz levels the site holds (``theme quiz --level N``), each with what it plays."""

SITE_FILES = re.compile(r"index\.html|studio\.html|practice\.html|favicon\.ico|tour|gallery|quiz")
"""What a site's folder holds: a folder with only these may be replaced by a new site."""

HOME_TITLE = "Odd meters: hear them, count them, make them"


@dataclass(frozen=True)
class SiteFiles:
    """The pages written (paths), the home page first."""

    pages: tuple[Path, ...]

    @property
    def home(self) -> Path:
        return self.pages[0]


def _gallery_extra(groove: Groove | None) -> PageSection:
    edit = (
        f"<a class='edit-groove' href='../studio.html#{escape(groove.link())}'>Edit this groove "
        "in the studio</a> or <a href='../practice.html#"
        f"{escape(groove.link())}'>practise it on a phone</a>. "
        if groove is not None
        else ""
    )
    return PageSection(
        "Make it your own",
        markup=f"<p>{edit}<a href='../index.html'>Back to the home page</a></p>",
    )


def favicon() -> bytes:
    """The site's icon (``favicon.ico``, which browsers ask a server for): 16 by 16 pixels,
    a beat light's downbeat, a vermilion square with a blue pulse beside it.

    >>> icon = favicon()
    >>> icon[:4], len(icon)
    (b'\\x00\\x00\\x01\\x00', 1150)
    """
    import struct

    pixels = bytearray()
    for row in range(15, -1, -1):  # bottom-up
        for column in range(16):
            if 2 <= row <= 9 and 1 <= column <= 8:
                pixels += bytes((0x00, 0x5E, 0xD5, 0xFF))  # #D55E00, as BGRA
            elif (row - 11) ** 2 + (column - 12) ** 2 <= 9:
                pixels += bytes((0xB2, 0x72, 0x00, 0xFF))  # #0072B2
            else:
                pixels += bytes((0xFF, 0xFF, 0xFF, 0x00))
    image = struct.pack("<IiiHHIIiiII", 40, 16, 32, 1, 32, 0, 0, 0, 0, 0, 0)
    image += bytes(pixels) + bytes(16 * 4)  # the colours, then an AND mask of nothing
    return (
        struct.pack("<HHH", 0, 1, 1)
        + struct.pack("<BBBBHHII", 16, 16, 0, 0, 1, 32, len(image), 22)
        + image
    )


def home_html(entries: list[tuple[str, str, str, str]]) -> str:
    """The home page: the tour, the studio, the gallery (``(heading of its group, name,
    title, description)`` each) and the quizzes, as links; no script."""
    parts = [
        f"<h1>{escape(HOME_TITLE)}</h1>",
        "<p>Pages for a class: a guided tour to project, music in odd meters to hear and "
        "count, a studio to make grooves of your own, and quizzes. Everything works from this "
        "folder or from a school's web server, with no connection to the internet.</p>",
        "<h2>The tour</h2><p><a href='tour/index.html'>Seven steps</a>: counting five, the "
        "3+3+2+2 rhythm of the Mission: Impossible theme, its 4/4 remixes and the dance test.</p>",
        "<h2>Make your own groove</h2><p><a href='studio.html'>The studio</a>: build a meter, "
        "click a groove into it, hear it, share it by link and take it home as MIDI. "
        "<a href='practice.html'>Practise a groove</a> on a phone: a big beat light, a "
        "count-in and a button to tap along.</p>",
        "<h2>The gallery</h2>",
    ]
    group = None
    for entry_group, name, title, description in entries:
        if entry_group != group:
            if group is not None:
                parts.append("</ul>")
            heading = entry_group
            parts.append(f"<h3>{escape(heading[0].upper() + heading[1:])}</h3><ul>")
            group = entry_group
        parts.append(
            f"<li><a href='gallery/{escape(name)}.html'>{escape(title)}</a>: "
            f"{escape(description)}</li>"
        )
    parts.append("</ul><h2>Quizzes</h2><ul>")
    for level, words in QUIZ_LEVELS.items():
        folder = f"quiz/level-{level}"
        parts.append(
            f"<li><a href='{folder}/index.html'>Level {level}</a>: {escape(words)} "
            f"(<a href='{folder}/worksheet.html'>worksheet to print</a>, "
            f"<a href='{folder}/key.html'>answer key</a>)</li>"
        )
    parts.append("</ul><p class='note'>Made by theme. Rhythm, meter, accent and form only.</p>")
    head = f"<title>{escape(HOME_TITLE)}</title><style>{page_style()}</style>"
    body = "<body>" + "".join(parts) + "</body>"
    return html_document(head, body)


def write_site(folder: str | Path) -> SiteFiles:
    """Write the site into ``folder`` (made aside, put in place when complete) and return
    its pages.

    Raises:
        OutputFileError: the folder cannot be made or written, holds other files, or a
            page grew past :data:`PAGE_BUDGET_BYTES`.
    """
    from theme.classroom.tour import write_tour
    from theme.output.folder import folder_aside
    from theme.quiz.folder import write_quiz
    from theme.quiz.items import make_quiz

    root = Path(folder)
    pages: list[str] = ["index.html"]
    with folder_aside(root, whole=True, replaceable=SITE_FILES) as aside:
        write_tour(aside / "tour")
        pages.append("tour/index.html")
        (aside / "gallery").mkdir()
        entries = []
        for heading, variants in grouped(catalog()):
            for variant in variants:
                full = load(variant.name)
                write_page(
                    full.timeline(),
                    aside / "gallery" / f"{variant.name}.html",
                    more=[_gallery_extra(Groove.from_variant(full))],
                )
                pages.append(f"gallery/{variant.name}.html")
                entries.append((heading, variant.name, full.title, full.description))
        first = Groove.from_variant(load("tv-1966"))
        assert first is not None  # the theme's ostinato fits a groove's grid
        for name, html in (
            ("studio.html", studio_html(practice=True)),
            ("practice.html", practice_html(first)),
            ("index.html", home_html(entries)),
        ):
            with atomic_path(aside / name) as tmp:
                tmp.write_text(html, encoding="utf-8")
        pages[1:1] = ["studio.html", "practice.html"]
        with atomic_path(aside / "favicon.ico") as tmp:
            tmp.write_bytes(favicon())
        (aside / "quiz").mkdir()
        for level in QUIZ_LEVELS:
            quiz = make_quiz(seed=0, level=str(level), kinds="all", count=10)
            write_quiz(quiz, aside / "quiz" / f"level-{level}", audio="flac")
            pages += [
                f"quiz/level-{level}/{page}"
                for page in ("index.html", "worksheet.html", "key.html")
            ]
        for page in pages:
            size = (aside / page).stat().st_size
            if size > PAGE_BUDGET_BYTES:
                raise OutputFileError(
                    f"cannot write the site: {page} has {size:,} bytes, more than the budget "
                    f"of {PAGE_BUDGET_BYTES:,}"
                )
    return SiteFiles(tuple(root / page for page in pages))
