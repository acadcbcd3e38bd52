"""The worksheets printed by Chromium on A4 and US Letter: boxes of at least 7 mm, nothing
wider than the paper (Chromium would shrink the page), the legend on the pupil's sheet, an
exercise a box that no page splits, the key on its own pages and none of it on the sheet."""

from __future__ import annotations

import base64
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from theme.quiz.folder import write_quiz
from theme.quiz.items import make_quiz
from theme.quiz.printable import MARGIN_MM
from theme.quiz.writing import LEGEND, make_writing, write_writing

PAPER_MM = {"a4": (210.0, 297.0), "letter": (215.9, 279.4)}
PX_PER_MM = 96 / 25.4


def pdf_of(browser, page: Path) -> bytes:  # type: ignore[no-untyped-def]
    browser.get(page.resolve().as_uri())
    printed = browser.execute_cdp_cmd(
        "Page.printToPDF", {"preferCSSPageSize": True, "printBackground": True}
    )
    return base64.b64decode(printed["data"])


def pages_text(pdf: bytes, tmp_path: Path) -> list[str]:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext is not installed (apt-get install poppler-utils)")
    path = tmp_path / "sheet.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return text.split("\f")[:-1]


def media_mm(pdf: bytes) -> tuple[float, float]:
    box = re.search(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    assert box is not None
    return float(box.group(1)) / 72 * 25.4, float(box.group(2)) / 72 * 25.4


MEASURE = """
const cells = Array.from(document.querySelectorAll('.cell')).map(c => c.getBoundingClientRect());
return {cells: cells.map(r => [r.width, r.height]),
        wide: document.documentElement.scrollWidth,
        items: Array.from(document.querySelectorAll('.item')).map(i => [
          i.querySelectorAll('p > b').length, getComputedStyle(i).breakInside,
          parseFloat(getComputedStyle(i).borderTopWidth)]),
        legend: (document.querySelector('.legend') || {innerText: ''}).innerText};
"""


@pytest.mark.browser
@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_the_worksheet_and_key_print_as_sheets_pupils_write_on(  # type: ignore[no-untyped-def]
    browser, tmp_path: Path, paper: str
) -> None:
    writing = make_writing(seed=7, count=12, paper=paper)
    sheet, key = write_writing(writing, tmp_path / "w")
    width_mm, height_mm = PAPER_MM[paper]
    inner_px = round((width_mm - 2 * MARGIN_MM) * PX_PER_MM)
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": inner_px, "height": 1000, "deviceScaleFactor": 1, "mobile": False},
    )
    try:
        for page, pupils in ((sheet, True), (key, False)):
            browser.get(page.resolve().as_uri())
            found = browser.execute_script(MEASURE)
            assert found["wide"] <= inner_px  # nothing wider than the paper: no shrinking
            assert found["cells"] and all(w / PX_PER_MM >= 7 for w, _ in found["cells"])
            assert all(h / PX_PER_MM >= 7 for _, h in found["cells"])
            assert len(found["items"]) == len(writing.exercises)
            assert all(
                n == 1 and side == "avoid" and border > 0 for n, side, border in found["items"]
            )
            if pupils:
                for _symbol, words in LEGEND:
                    assert words in found["legend"]
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})

    sheet_pdf, key_pdf = pdf_of(browser, sheet), pdf_of(browser, key)
    for pdf in (sheet_pdf, key_pdf):
        got = media_mm(pdf)
        assert abs(got[0] - width_mm) < 0.5 and abs(got[1] - height_mm) < 0.5
    sheet_pages, key_pages = pages_text(sheet_pdf, tmp_path), pages_text(key_pdf, tmp_path)
    text = "\n".join(sheet_pages)
    assert "How to read the boxes" in sheet_pages[0] and "a loud note (an accent)" in text
    assert "Name:" in sheet_pages[0] and "theme worksheet" not in text
    assert key_pages[0].lstrip().startswith("Answer key")
    for exercise in writing.exercises:
        assert exercise.answer[:30] not in text  # no answer on the pupil's sheet
        # an exercise a box that no page splits: its number and its answer on one page
        starts = [
            i for i, p in enumerate(key_pages) if re.search(rf"^\s*{exercise.number}\. ", p, re.M)
        ]
        assert len(starts) == 1
        assert exercise.answer[:30] in re.sub(r"\s+", " ", key_pages[starts[0]])


@pytest.mark.browser
def test_the_quiz_worksheet_and_key_print_on_letter(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    quiz = make_quiz(seed=15, count=25)
    files = write_quiz(quiz, tmp_path / "quiz", paper="letter")
    for page in (files.worksheet, files.key):
        pdf = pdf_of(browser, page)
        assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 3
        width, height = media_mm(pdf)
        assert abs(width - 215.9) < 0.5 and abs(height - 279.4) < 0.5
    text = "\n".join(pages_text(pdf_of(browser, files.worksheet), tmp_path))
    assert "theme quiz" not in text and "made from" not in text
