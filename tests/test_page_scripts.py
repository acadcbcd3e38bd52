"""The page's JavaScript: files of the package, each valid for Node, all inlined in a page."""

from __future__ import annotations

import shutil
import subprocess
from importlib.resources import files
from pathlib import Path

import pytest

from theme.classroom.studio import STUDIO_SCRIPT_FILES
from theme.page.assets import inline_script
from theme.page.document import SCRIPT_FILES, page_script

JS_FOLDER = Path(str(files("theme.page").joinpath("js")))


def test_every_script_file_of_the_folder_is_inlined_and_every_listed_file_exists() -> None:
    on_disk = sorted(p.name for p in JS_FOLDER.glob("*.js"))
    assert sorted(SCRIPT_FILES + STUDIO_SCRIPT_FILES) == on_disk
    script = page_script()
    for name in SCRIPT_FILES:
        assert inline_script((JS_FOLDER / name).read_text(encoding="utf-8")) in script


@pytest.mark.parametrize("name", SCRIPT_FILES + STUDIO_SCRIPT_FILES)
def test_no_string_spans_two_lines_so_a_script_inlined_means_the_same(name: str) -> None:
    """A page holds each script without indentation and comment lines
    (:func:`~theme.page.assets.inline_script`): safe while no string, template or
    regular expression goes over a line's end; the script inlined is still valid."""
    text = (JS_FOLDER / name).read_text(encoding="utf-8")
    assert text.count("`") % 2 == 0
    for template in text.split("`")[1::2]:
        assert "\n" not in template, template
    assert not any(line.rstrip().endswith("\\") for line in text.splitlines())
    node = shutil.which("node") or shutil.which("nodejs")
    if node is None:
        pytest.skip("node is not installed (apt-get install nodejs)")
    result = subprocess.run(
        [node, "--check", "-"],
        input=inline_script(text),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("name", SCRIPT_FILES + STUDIO_SCRIPT_FILES)
def test_each_script_is_valid_javascript_for_node(name: str) -> None:
    node = shutil.which("node") or shutil.which("nodejs")
    if node is None:
        pytest.skip("node is not installed (apt-get install nodejs)")
    result = subprocess.run(
        [node, "--check", str(JS_FOLDER / name)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("name", SCRIPT_FILES + STUDIO_SCRIPT_FILES)
def test_no_script_evaluates_strings(name: str) -> None:
    text = (JS_FOLDER / name).read_text(encoding="utf-8")
    for banned in ("eval(", "new Function", "setTimeout('", 'setTimeout("'):
        assert banned not in text
