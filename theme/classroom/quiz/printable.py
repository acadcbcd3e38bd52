"""Printable sheets: HTML with a print stylesheet, ten items a printed page.

A sheet is one HTML file with no script and nothing from outside. Each group of
:data:`ITEMS_PER_PAGE` items is a ``<section class='sheet'>``; in print every sheet after
the first starts a new page, so a sheet of 25 items prints on 3 pages.

>>> html = sheet_html("Quiz", [f"<p>{n}</p>" for n in range(25)])
>>> html.count("<section class='sheet'>")
3
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from theme.safe_text import page_text

__all__ = ["ITEMS_PER_PAGE", "PRINT_STYLE", "sheet_html"]

ITEMS_PER_PAGE = 10
PRINT_STYLE = """
body { font-family: 'DejaVu Sans', Arial, sans-serif; font-size: 14px; color: #000;
       max-width: 48em; margin: 1em auto; padding: 0 1em; }
h1 { font-size: 1.4em; margin: 0 0 .3em; } .who { margin: 0 0 1em; }
.item { margin: 0 0 .9em; break-inside: avoid; page-break-inside: avoid; }
.item p { margin: .1em 0; } .choices span { margin-right: 1.6em; white-space: nowrap; }
pre { font-family: 'DejaVu Sans Mono', monospace; font-size: 13px; margin: .2em 0; }
.answer { font-weight: bold; } .note { color: #444; font-size: .85em; }
@media print {
  @page { size: A4; margin: 12mm; }
  body { max-width: none; margin: 0; padding: 0; font-size: 11pt; }
  .sheet + .sheet { break-before: page; page-break-before: always; }
}
"""
"""The sheets' style: on paper, every sheet after the first begins a page."""


def sheet_html(
    title: str,
    items: Sequence[str],
    *,
    intro: str = "",
    who: bool = True,
    per_page: int = ITEMS_PER_PAGE,
) -> str:
    """A printable page of ``items`` (HTML of the library's own making, one a block),
    ``per_page`` to a printed page, each page headed by ``title`` (and a line for the
    name and date when ``who``)."""
    title, intro = page_text(title), page_text(intro)
    head = f"<h1>{escape(title)}</h1>"
    if who:
        head += "<p class='who'>Name: ______________________  Date: ____________</p>"
    sheets = []
    for first in range(0, max(1, len(items)), per_page):
        lead = f"<p class='note'>{escape(intro)}</p>" if intro and not first else ""
        body = "".join(
            f"<div class='item'>{item}</div>" for item in items[first : first + per_page]
        )
        sheets.append(f"<section class='sheet'>{head}{lead}{body}</section>")
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{escape(title)}</title><style>{PRINT_STYLE}</style></head>"
        f"<body>{''.join(sheets)}</body></html>"
    )
