"""``theme site -o DIR``: a folder of static pages a school can host, built once, served by
Python's http.server on 127.0.0.1, every page opened in headless Chromium with no console
error and no request outside the site, each within the page budget; the studio shows a QR
code of its link when served, the practice view plays a groove and scores a tap, and the
home page works from the folder itself (file://)."""

from __future__ import annotations

import functools
import http.server
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import run_theme
from theme.site import PAGE_BUDGET_BYTES, QUIZ_LEVELS
from theme.variants import names

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("site") / "site"
    result = run_theme("site", "-o", str(folder))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"wrote {len(pages_of(folder))} pages")
    return folder


@pytest.fixture(scope="module")
def server(site: Path) -> Iterator[str]:
    """The site on a static web server on the loopback address: its base URL."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(site))
    )
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


def pages_of(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*.html"))


def test_the_site_holds_every_page_within_the_budget(site: Path) -> None:
    pages = pages_of(site)
    expected = {"index.html", "studio.html", "practice.html", "tour/index.html"}
    expected |= {f"gallery/{name}.html" for name in names()}
    expected |= {
        f"quiz/level-{n}/{p}"
        for n in QUIZ_LEVELS
        for p in ("index.html", "worksheet.html", "key.html")
    }
    assert set(pages) == expected
    sizes = {page: (site / page).stat().st_size for page in pages}
    assert max(sizes.values()) <= PAGE_BUDGET_BYTES, max(sizes.items(), key=lambda kv: kv[1])
    home = (site / "index.html").read_text(encoding="utf-8")
    for link in re.findall(r"href='([^'#]+)", home):
        assert (site / link).is_file(), link  # every link of the home page is in the folder


def test_every_page_opens_served_with_no_error_and_nothing_from_outside(
    browser, site: Path, server: str
) -> None:  # type: ignore[no-untyped-def]
    browser.get_log("browser")
    for page in pages_of(site):
        browser.get(server + page)
        time.sleep(0.15)
        problems = [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]
        assert not problems, (page, problems)
        requested = browser.execute_script(
            "return performance.getEntriesByType('navigation').concat("
            "performance.getEntriesByType('resource')).map(e => e.name)"
        )
        outside = [u for u in requested if not u.startswith(server) and not u.startswith("data:")]
        assert not outside, (page, outside)
        assert browser.execute_script("return document.title"), page


def test_the_studio_shows_a_qr_code_of_its_link_when_served(browser, server: str) -> None:  # type: ignore[no-untyped-def]
    browser.get(server + "studio.html")
    time.sleep(0.3)
    assert browser.execute_script("return !document.querySelector('.groove-qr').hidden")
    assert (
        browser.execute_script("return document.querySelectorAll('.groove-qr svg path').length")
        == 1
    )
    practice = browser.execute_script("return document.querySelector('.practice-link').href")
    assert practice == server + "practice.html" + browser.execute_script("return location.hash")


TAP = """
const done = arguments[arguments.length - 1];
const view = document.querySelector('[data-practice]');
document.querySelector('.groove-play').click();
setTimeout(() => {
  view.practice.tap();
  const said = document.querySelector('.tap-result').textContent;
  const lit = document.querySelectorAll('.practice-light b.now').length;
  document.querySelector('.groove-stop').click();
  done({said: said, lit: lit, title: document.querySelector('.practice-title').textContent});
}, 2500);
"""


def test_the_practice_view_plays_a_link_and_scores_a_tap(browser, site: Path, server: str) -> None:  # type: ignore[no-untyped-def]
    studio = (site / "studio.html").read_text(encoding="utf-8")
    link = re.search(r"value='(g1=[^']+)'", studio).group(1)  # the first built-in groove
    browser.set_window_size(390, 844)
    browser.get(server + "practice.html#" + link)
    time.sleep(0.3)
    result = browser.execute_async_script(TAP)
    assert result["title"].startswith("A groove in 5/4 (3+2)")
    assert result["lit"] == 1
    assert re.fullmatch(
        r"(On time!|Early by \d+ ms|Late by \d+ ms) \(\d of 1 taps on time\)", result["said"]
    )
    browser.set_window_size(1280, 2000)


def test_the_home_page_and_its_links_work_from_the_folder(browser, site: Path) -> None:  # type: ignore[no-untyped-def]
    browser.get((site / "index.html").as_uri())
    browser.find_element("link text", "The studio").click()
    time.sleep(0.3)
    assert browser.current_url.startswith((site / "studio.html").as_uri() + "#g1=")
    assert browser.execute_script("return document.querySelector('.groove-qr').hidden")  # file://
    browser.get((site / "gallery" / "money.html").as_uri())
    browser.find_element("css selector", "a.edit-groove").click()
    time.sleep(0.3)
    assert (
        browser.execute_script("return document.querySelector('.studio-error').textContent") == ""
    )
    assert (
        browser.execute_script(
            "return document.querySelector('.builder .meter-row.first .pulses').value"
        )
        == "7"
    )
    problems = [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert not problems
