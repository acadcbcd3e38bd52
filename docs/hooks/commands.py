"""mkdocs hook: the command reference, written from the command line's own parsers.

The page ``reference/commands.md`` holds one marker line, ``<!-- theme commands -->``; at
build time it is replaced by each command's usage, description and options as ``theme
COMMAND --help`` prints them, so the reference is never written twice and never drifts.
"""

from __future__ import annotations

import argparse
import os
from typing import Any

MARKER = "<!-- theme commands -->"


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def command_reference() -> str:
    """Markdown for ``theme --help`` and every ``theme COMMAND --help``, at 88 columns."""
    from theme.cli import build_parser

    os.environ["COLUMNS"] = "88"
    parser = build_parser()
    parts = ["## `theme`", "", "```text", parser.format_help().rstrip(), "```", ""]
    for name, sub in _subcommands(parser).items():
        parts += [f"## `theme {name}`", "", "```text", sub.format_help().rstrip(), "```", ""]
    return "\n".join(parts)


def on_page_markdown(markdown: str, page: Any, **_: Any) -> str:
    if MARKER in markdown:
        return markdown.replace(MARKER, command_reference())
    return markdown


class _DoctestFences:
    """A Markdown preprocessor: a docstring's doctest (``>>>`` lines and the output under
    them, up to a blank line) is shown as a Python console block, not read as prose (where
    a list such as ``['1', '2']`` would look like a link)."""

    def run(self, lines: list[str]) -> list[str]:
        out: list[str] = []
        inside = False
        fence = False
        for line in lines:
            stripped = line.lstrip()
            if stripped.startswith("```"):
                fence = not fence
            if not fence and not inside and stripped.startswith(">>> "):
                indent = line[: len(line) - len(stripped)]
                out += ["", f"{indent}```pycon"]
                inside = True
            elif inside and not stripped:
                out += [f"{indent}```", ""]
                inside = False
            out.append(line)
        if inside:
            out.append(f"{indent}```")
        return out


def on_config(config: Any, **_: Any) -> Any:
    from markdown import Extension
    from markdown.preprocessors import Preprocessor

    fences = _DoctestFences()

    class _Pre(Preprocessor):
        def run(self, lines: list[str]) -> list[str]:
            return fences.run(lines)

    class DoctestExtension(Extension):
        def extendMarkdown(self, md: Any) -> None:
            md.preprocessors.register(_Pre(md), "theme_doctests", 40)

    config.markdown_extensions.append(DoctestExtension())
    return config
