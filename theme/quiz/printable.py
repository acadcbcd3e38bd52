"""Printable sheets: HTML with a print stylesheet for A4 or US Letter, an item a box.

A sheet is one HTML file with no script and nothing from outside. Each item is a box that
a printed page never splits. Each group of ``per_page`` items (:data:`ITEMS_PER_PAGE` by
default; 0: all, the pages breaking where they fill) is a ``<section class='sheet'>``; in
print every sheet after the first starts a new page, so a sheet of 25 items prints on 3
pages. Boxes to write in (``.cell``) are :data:`CELL_MM` millimetres wide on paper, with a
gap between each two to draw a bar line in.

>>> html = sheet_html("Quiz", [f"<p>{n}</p>" for n in range(25)])
>>> html.count("<section class='sheet'>")
3
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from theme.errors import UsageError
from theme.safe_text import clip, page_text

__all__ = [
    "CELL_MM",
    "ITEMS_PER_PAGE",
    "PAPERS",
    "PRINT_STYLE",
    "check_paper",
    "print_style",
    "sheet_html",
]

ITEMS_PER_PAGE = 10
PAPERS = {"a4": "A4", "letter": "letter"}
"""The papers a sheet prints on: the name given, and the CSS ``@page`` size."""
CELL_MM = 7.2
"""A box's width on paper, millimetres (at least 7: room for a pupil's pencil)."""
GAP_MM = 1.4
"""The gap between two boxes, millimetres: room to draw a bar line."""
MARGIN_MM = 10
"""The printed page's margins, millimetres: 20 boxes and a label fit across A4 and Letter."""
PRINT_STYLE = f"""
body {{ font-family: 'DejaVu Sans', Arial, sans-serif; font-size: 14px; color: #000;
       max-width: 52em; margin: 1em auto; padding: 0 1em; }}
h1 {{ font-size: 1.4em; margin: 0 0 .3em; }} .who {{ margin: 0 0 .8em; font-size: 1.1em; }}
.item {{ margin: 0 0 3mm; padding: 2mm 2.5mm; border: .4mm solid #000; border-radius: 1.5mm;
        break-inside: avoid; page-break-inside: avoid; }}
.item p {{ margin: .1em 0 .3em; }}
.choices > span {{ margin-right: 1.6em; white-space: nowrap; font-size: 1.15em; }}
.choices .tick {{ font-size: 1.5em; vertical-align: -.1em; }}
.answer {{ font-weight: bold; }} .note {{ color: #333; font-size: .85em; }}
.row {{ white-space: nowrap; margin: 1mm 0 2.5mm; line-height: 1; }}
.row .label {{ display: inline-block; width: 12mm; font-size: 10pt; font-weight: bold;
               vertical-align: middle; }}
.row .label.wide {{ width: 17mm; }}
.cell {{ display: inline-block; box-sizing: border-box; width: {CELL_MM}mm; height: 9mm;
        margin-right: {GAP_MM}mm; border: .35mm solid #000; vertical-align: middle;
        text-align: center; line-height: 8.3mm; font-size: 14pt; font-weight: bold; }}
.barline {{ display: inline-block; width: .8mm; height: 12mm; background: #000;
           vertical-align: middle; margin: 0 .3mm 0 -1.1mm; }}
.legend {{ border: .6mm solid #000; padding: 2mm 3mm; margin: 0 0 3mm; line-height: 1.3; }}
.legend .sym {{ display: inline-block; margin: 1mm 5mm 1mm 0; white-space: nowrap; }}
.legend .cell {{ margin-right: 1.5mm; }}
.blank {{ margin-top: 2mm; font-size: 1.1em; }}
.blank .write {{ display: inline-block; min-width: 50mm; border-bottom: .4mm solid #000;
                min-height: 7mm; font-weight: bold; }}
@media print {{
  body {{ max-width: none; margin: 0; padding: 0; font-size: 11pt; }}
  .sheet + .sheet {{ break-before: page; page-break-before: always; }}
}}
"""
"""The sheets' style: on paper, every sheet after the first begins a page."""


def print_style(paper: str = "a4") -> str:
    """:data:`PRINT_STYLE` with the page size and margins of ``paper`` (one of :data:`PAPERS`)."""
    return PRINT_STYLE + f"@page {{ size: {PAPERS[paper]}; margin: {MARGIN_MM}mm; }}\n"


def check_paper(paper: object) -> str:
    """A paper name: ``a4`` or ``letter`` (any case).

    >>> check_paper("Letter")
    'letter'

    Raises:
        UsageError: anything else, named.
    """
    text = str(paper).strip().lower()
    if text not in PAPERS:
        raise UsageError(f"invalid paper {clip(str(paper))!r}: expected one of {', '.join(PAPERS)}")
    return text


def sheet_html(
    title: str,
    items: Sequence[str],
    *,
    intro: str = "",
    lead: str = "",
    who: bool = True,
    per_page: int = ITEMS_PER_PAGE,
    paper: str = "a4",
) -> str:
    """A printable page of ``items`` (HTML of the library's own making, one a box),
    ``per_page`` to a printed page (0: as many as fit), each page headed by ``title`` (and
    a line for the name and date when ``who``); the first by ``intro`` (text) and ``lead``
    (HTML of the library's own making: a legend)."""
    title, intro = page_text(title), page_text(intro)
    head = f"<h1>{escape(title)}</h1>"
    if who:
        head += "<p class='who'>Name: ______________________  Date: ____________</p>"
    size = per_page or max(1, len(items))
    sheets = []
    for first in range(0, max(1, len(items)), size):
        opening = (f"<p class='note'>{escape(intro)}</p>" if intro else "") + lead
        body = "".join(f"<div class='item'>{item}</div>" for item in items[first : first + size])
        sheets.append(f"<section class='sheet'>{head}{'' if first else opening}{body}</section>")
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{escape(title)}</title><style>{print_style(paper)}</style></head>"
        f"<body>{''.join(sheets)}</body></html>"
    )
