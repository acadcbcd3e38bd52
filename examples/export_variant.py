"""Build the 1966 variant and export it: MIDI for a DAW, MusicXML for MuseScore.

Run it as it is:  uv run python examples/export_variant.py [FOLDER]
"""

import sys
import tempfile
from pathlib import Path

from theme import variants
from theme.core.remeter import remeter
from theme.renderers.midi import write_midi

folder = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="theme-"))
folder.mkdir(parents=True, exist_ok=True)

tv = variants.load("tv-1966", intro_bars=2)
timeline = tv.timeline(tempo="q=150")
print(timeline)
onsets = [str(e.onset) for e in timeline.layer_events("bass")[:4]]
print("bass onsets in bar 1 (quarter notes):", onsets)

write_midi(timeline, folder / "tv-1966.mid")
write_midi(remeter(timeline, "drop"), folder / "tv-1966-drop.mid")

score = tv.to_score(tempo="q=150")  # a music21 Score: a Part per layer
score.write("musicxml", fp=folder / "tv-1966.musicxml")
print("wrote", sorted(p.name for p in folder.iterdir()), "in", folder)
