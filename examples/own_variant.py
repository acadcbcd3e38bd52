"""Load a variant file of your own, show its grid, play it or write it to files.

Run it as it is:  uv run python examples/own_variant.py [FOLDER]
"""

import sys
import tempfile
from pathlib import Path

import theme
from theme import variants
from theme.renderers.midi import write_midi
from theme.renderers.text import section_grids

here = Path(__file__).parent
folder = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="theme-"))
folder.mkdir(parents=True, exist_ok=True)

mine = variants.load(here / "my-variant.toml", bars=2)
timeline = mine.timeline()
print(section_grids(timeline))
write_midi(timeline, folder / "my-groove.mid")
theme.write(timeline, folder / "my-groove.wav")  # the built-in synthesizer
theme.write(timeline, folder / "my-groove.musicxml")  # for MuseScore
print("wrote", sorted(p.name for p in folder.iterdir()), "in", folder)
