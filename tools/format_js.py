"""Format the page's JavaScript (``theme/page/js/*.js``) as ruff formats the Python.

Run:  uv run python tools/format_js.py          (rewrite the files in place)
      uv run python tools/format_js.py --check  (CI: list the files it would change, exit 1)

The formatter is jsbeautifier (a dev dependency, pure Python: no Node needed); its options
are :data:`OPTIONS`: two spaces, each brace on the line it opens, a statement a line.
"""

from __future__ import annotations

import sys
from pathlib import Path

import jsbeautifier

ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT / "theme" / "page" / "js"

OPTIONS = {
    "indent_size": 2,
    "brace_style": "collapse",
    "space_after_anon_function": True,
    "max_preserve_newlines": 2,
    "wrap_line_length": 0,
    "end_with_newline": True,
}


def formatted(text: str) -> str:
    """``text`` as the formatter writes it."""
    options = jsbeautifier.default_options()
    for name, value in OPTIONS.items():
        setattr(options, name, value)
    return str(jsbeautifier.beautify(text, options))


def main(argv: list[str]) -> int:
    check = "--check" in argv
    changed = []
    for path in sorted(FOLDER.glob("*.js")):
        text = path.read_text(encoding="utf-8")
        new = formatted(text)
        if new != text:
            changed.append(path.relative_to(ROOT))
            if not check:
                path.write_text(new, encoding="utf-8")
    for path in changed:
        print(f"{'would reformat' if check else 'reformatted'} {path}")
    return 1 if check and changed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
