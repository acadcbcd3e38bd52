"""The manual: the README is short and leads to every page of ``docs/``, the site's navigation
lists every page, and the command reference is written from the parsers themselves."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import ROOT

DOCS = ROOT / "docs"
LINK = re.compile(r"\]\(([^)#\s]+\.md)(?:#[^)]*)?\)")


def _pages() -> set[Path]:
    return {p.resolve() for p in DOCS.rglob("*.md")}


def _reachable_from(start: Path) -> set[Path]:
    seen: set[Path] = set()
    todo = [start.resolve()]
    while todo:
        page = todo.pop()
        if page in seen or not page.exists():
            continue
        seen.add(page)
        for target in LINK.findall(page.read_text(encoding="utf-8")):
            if "://" not in target:
                todo.append((page.parent / target).resolve())
    return seen


def test_the_readme_is_short() -> None:
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert 100 <= len(lines) <= 200


def test_every_page_of_the_manual_is_reachable_from_the_readme() -> None:
    unreachable = _pages() - _reachable_from(ROOT / "README.md")
    assert not unreachable, sorted(str(p.relative_to(DOCS)) for p in unreachable)


def test_every_link_of_the_readme_and_the_manual_leads_to_a_file() -> None:
    for page in [ROOT / "README.md", *DOCS.rglob("*.md")]:
        for target in LINK.findall(page.read_text(encoding="utf-8")):
            if "://" not in target:
                assert (page.parent / target).exists(), f"{page.name}: {target}"


def test_the_sites_navigation_lists_every_page() -> None:
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    nav = set(re.findall(r":\s*(\S+\.md)\s*$", config, flags=re.M))
    pages = {p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md")}
    assert pages == nav


def test_the_command_reference_is_every_parsers_help() -> None:
    hooks = pytest.importorskip("docs.hooks.commands")
    reference = hooks.command_reference()
    from theme.cli import build_parser

    parser = build_parser()
    for name in hooks._subcommands(parser):
        assert f"## `theme {name}`" in reference
        assert f"usage: theme {name}" in reference


def test_a_docstrings_doctest_is_shown_as_a_console_block() -> None:
    hooks = pytest.importorskip("docs.hooks.commands")
    lines = ["Some prose.", "", ">>> [str(x) for x in (1, 2)]", "['1', '2']", "", "More."]
    assert hooks._DoctestFences().run(lines) == [
        "Some prose.",
        "",
        "",
        "```pycon",
        ">>> [str(x) for x in (1, 2)]",
        "['1', '2']",
        "```",
        "",
        "",
        "More.",
    ]
