"""A self-contained HTML page to project: notation, pictures, a player per example, words.

Everything is inside the one file (SVG inline, audio as Ogg Vorbis data URIs, one small
script of its own, no font, style or script from outside), so it works offline and from a
USB stick. Type is large, for the back of a classroom.

Under each player a beat light follows the music: the bar number and a row of the bar's
pulses (downbeat and group starts marked), the one sounding lit. It reads the player's
clock; a picture delay box at the top moves it later (or earlier, negative) to match a
projector's or a loudspeaker's lag.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from theme.output import atomic_path, output_format
from theme.timeline import Timeline

__all__ = ["PageSection", "beats_json", "page_html", "write_page"]

STYLE = """
body { font-family: 'DejaVu Sans', Arial, sans-serif; font-size: 24px; line-height: 1.4;
       max-width: 1280px; margin: 0 auto; padding: 1em; color: #111; background: #fff; }
h1 { font-size: 2em; } h2 { font-size: 1.5em; border-top: 4px solid #0072B2; padding-top: .5em; }
section { margin-bottom: 2.5em; } figure { margin: 1em 0; overflow-x: auto; }
svg { max-width: 100%; height: auto; } audio { width: 100%; margin: .5em 0; }
pre { font-size: 18px; background: #f4f4f4; padding: .6em; overflow-x: auto; }
.note { color: #555; font-size: .8em; }
.beat { display: flex; align-items: center; gap: .8em; min-height: 2.4em; font-size: 1.4em; }
.beat .bar { min-width: 4.5em; font-weight: bold; }
.beat b { display: inline-block; width: 1.5em; height: 1.5em; border-radius: 50%;
          margin: 0 .2em; background: #ddd; border: 4px solid #ddd; }
.beat b.l0 { border-color: #D55E00; } .beat b.l1 { border-color: #E69F00; margin-left: 1em; }
.beat b.now { background: #0072B2; } .beat b.l0.now { background: #D55E00; }
"""

SCRIPT = """
(function () {
  const delay = document.getElementById('picture-delay');
  document.querySelectorAll('section').forEach(function (section) {
    const audio = section.querySelector('audio'), light = section.querySelector('.beat');
    if (!audio || !light) { return; }
    const pulses = [];
    JSON.parse(light.dataset.beats).forEach(function (bar) {
      bar.t.forEach(function (t, i) { pulses.push([t, bar, i]); });
    });
    const barText = light.querySelector('.bar'), row = light.querySelector('.pulses');
    let shown = null;
    function draw() {
      const t = audio.currentTime - (Number(delay && delay.value) || 0) / 1000;
      let lo = 0, hi = pulses.length - 1, k = -1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (pulses[mid][0] <= t) { k = mid; lo = mid + 1; } else { hi = mid - 1; }
      }
      if (k >= 0) {
        const bar = pulses[k][1], now = pulses[k][2];
        if (bar !== shown) {
          row.innerHTML = bar.l.map(function (l) { return '<b class="l' + l + '"></b>'; }).join('');
          barText.textContent = 'bar ' + bar.n;
          shown = bar;
        }
        row.querySelectorAll('b').forEach(function (b, j) { b.classList.toggle('now', j === now); });
        light.dataset.now = bar.n + ':' + (now + 1);
      }
      if (!audio.paused && !audio.ended) { requestAnimationFrame(draw); }
    }
    audio.addEventListener('play', function () { requestAnimationFrame(draw); });
    audio.addEventListener('seeked', draw);
    draw();
  });
})();
"""

DELAY_BOX = (
    "<p class='note'><label>Picture delay for the beat lights: <input id='picture-delay' "
    "type='number' value='0' step='10' style='width:5em;font-size:1em'> ms</label> "
    "(later if the sound comes late, as from Bluetooth speakers; negative if the projector "
    "lags)</p>"
)


@dataclass
class PageSection:
    """One part of the page: a title, paragraphs, pictures (SVG text), an optional text
    grid, and the sound of a timeline (Ogg Vorbis bytes, made by :func:`audio_bytes`)."""

    title: str
    paragraphs: Sequence[str] = ()
    pictures: Sequence[str] = ()
    grid: str = ""
    audio: bytes | None = None
    notes: Sequence[str] = field(default_factory=list)
    beats: str = ""
    """The beat light's data (:func:`beats_json`); none without it."""

    @classmethod
    def for_music(
        cls,
        title: str,
        music: Timeline,
        *,
        paragraphs: Sequence[str] = (),
        pictures: Sequence[str] = (),
        grid: str = "",
    ) -> PageSection:
        """A section that plays ``music``, with its beat light."""
        return cls(
            title,
            paragraphs,
            pictures,
            grid=grid,
            audio=audio_bytes(music),
            beats=beats_json(music),
        )


def audio_bytes(timeline: Timeline) -> bytes:
    """The timeline as Ogg Vorbis at 44.1 kHz (about 8 kB a second)."""
    from theme.renderers.audio import encode_audio

    return encode_audio(timeline, rate=44100, kind="ogg")


def beats_json(timeline: Timeline) -> str:
    """Each bar's number, the seconds of its pulses (from the tempo map, to a tenth of a
    millisecond) and their accent levels, as JSON for the page's beat light.

    >>> from theme.meter import Meter
    >>> beats_json(Timeline.build(title="t", bars=[(Meter.parse("5/4"), "")], tempo=120))
    '[{"n":1,"t":[0.0,0.5,1.0,1.5,2.0],"l":[0,2,2,1,2]}]'
    """
    bars = [
        {
            "n": bar.number,
            "t": [
                round(float(timeline.seconds_of(bar.number, beat)), 4)
                for beat in range(1, bar.meter.numerator + 1)
            ],
            "l": [int(level) for level in bar.meter.accent_levels()],
        }
        for bar in timeline.bars
    ]
    return json.dumps(bars, separators=(",", ":"))


def _section(section: PageSection, number: int) -> str:
    parts = [f"<section id='s{number}'><h2>{escape(section.title)}</h2>"]
    parts += [f"<p>{escape(p)}</p>" for p in section.paragraphs]
    if section.audio is not None:
        data = base64.b64encode(section.audio).decode("ascii")
        parts.append(f"<audio controls preload='auto' src='data:audio/ogg;base64,{data}'></audio>")
    if section.beats:
        parts.append(
            f"<div class='beat' data-beats='{escape(section.beats)}'>"
            "<span class='bar'>bar 1</span><span class='pulses'></span></div>"
        )
    parts += [f"<figure>{svg}</figure>" for svg in section.pictures]
    if section.grid:
        parts.append(f"<pre>{escape(section.grid)}</pre>")
    parts += [f"<p class='note'>{escape(n)}</p>" for n in section.notes]
    return "".join(parts) + "</section>"


def page_html(title: str, sections: Sequence[PageSection], *, intro: str = "") -> str:
    """The whole page as one HTML string."""
    body = "".join(_section(s, i) for i, s in enumerate(sections, start=1))
    lead = f"<p>{escape(intro)}</p>" if intro else ""
    lights = any(s.beats for s in sections)
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{escape(title)}</title><style>{STYLE}</style></head>"
        f"<body><h1>{escape(title)}</h1>{lead}{DELAY_BOX if lights else ''}{body}"
        "<p class='note'>Made by theme. Rhythm, meter, accent and form only: the pitches are "
        "the project's own, not the theme's.</p>"
        f"{f'<script>{SCRIPT}</script>' if lights else ''}</body></html>"
    )


def timeline_section(
    timeline: Timeline, *, title: str | None = None, notation_bars: int = 8
) -> PageSection:
    """A section for one timeline: notation of its first bars, its grid, its sound."""
    from theme.classroom.notebook import notation_svg
    from theme.renderers.text import section_grids

    return PageSection.for_music(
        title or timeline.title,
        timeline,
        paragraphs=[f"{len(timeline.bars)} bars, {float(timeline.duration_seconds):.1f} seconds."],
        pictures=[notation_svg(timeline, bars=notation_bars)],
        grid=section_grids(timeline),
    )


def write_page(timeline: Timeline, path: str | Path, *, title: str | None = None) -> Path:
    """Write a page for one timeline (``theme export VARIANT -o page.html``).

    Raises:
        OutputFileError: not an ``.html`` path, a missing folder, no permission.
    """
    output_format(path, ["html", "htm"])
    html = page_html(title or timeline.title, [timeline_section(timeline)])
    with atomic_path(path) as tmp:
        tmp.write_text(html, encoding="utf-8")
    return Path(path)
