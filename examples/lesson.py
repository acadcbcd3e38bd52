"""A lesson on odd meters, ready to run: writes a folder with a page to project, the sound of
every example, MIDI for a DAW and MusicXML for MuseScore, and prints what to say.

Run it as it is:  uv run python examples/lesson.py [FOLDER]    (default: ./lesson)
"""

import sys
from pathlib import Path

import theme
from theme.classroom.dance import landings
from theme.classroom.pictures import contrast_svg
from theme.metronome import Metronome
from theme.page.document import PageSection, page_html, timeline_section

folder = Path(sys.argv[1] if len(sys.argv) > 1 else "lesson")
folder.mkdir(parents=True, exist_ok=True)

# 1. Count five: a metronome grouped 3+2, then the same five beats grouped 2+3.
three_two = Metronome("5/4", bpm=100, bars=4)
two_three = Metronome("5/4", accent="2+3", bpm=100, bars=4)

# 2. The ostinato, and what the remixes may have done with it.
tv = theme.load("tv-1966", intro_bars=2, melody_bars=4)
remix = theme.load("remix-1996", intro_bars=2, body_bars=4, strategy="drop")

# 3. The contrast and the dance test.
versus = Metronome("5/4", vs="4/4", bpm=132, bars=8)
steps = ", ".join(f"bar {b} beat {n}" for b, n in landings("5/4"))

for name, timeline in [("tv-1966", tv.timeline()), ("remix-1996-drop", remix.timeline())]:
    theme.write(timeline, folder / f"{name}.mid")
    theme.write(timeline, folder / f"{name}.musicxml")

sections = [
    PageSection.for_music(
        "Five beats: 3+2, then 2+3",
        theme.Timeline.join([three_two.timeline(), two_three.timeline()], title="3+2 then 2+3"),
        paragraphs=["Clap on the loud clicks. Which one limps?"],
    ),
    timeline_section(tv.timeline(), title="The 1966 theme's rhythm"),
    timeline_section(remix.timeline(), title="The 1996 remix, the 'drop' guess"),
    PageSection.for_music(
        "5/4 against 4/4",
        versus.timeline(),
        paragraphs=[f"Step one of a four-count step lands on: {steps}."],
        pictures=[contrast_svg("5/4", "4/4")],
    ),
]
page = folder / "lesson.html"
page.write_text(page_html("A lesson on odd meters", sections), encoding="utf-8")
print(f"open {page} on the projector; MIDI and MusicXML are beside it in {folder}/")
