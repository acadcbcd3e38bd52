"""The classroom: pictures, the dance test, the tour with no sound card, the page, notebooks."""

from __future__ import annotations

import ast
import base64
import io
import json
import math
import re
from collections.abc import Callable
from html import unescape
from pathlib import Path

import numpy as np
import pytest
import soundfile
from hypothesis import given, settings
from hypothesis import strategies as st

import theme
from tests.conftest import ROOT, run_theme
from theme.classroom.dance import dance_timeline, landings, realign_beats
from theme.classroom.pictures import contrast_svg, necklace_points, necklace_svg
from theme.classroom.tour import STEPS, Step, play_tour, steps, write_tour
from theme.core.remeter import remeter_rhythm
from theme.core.rhythm import Rhythm
from theme.core.timeline import Timeline
from theme.errors import UsageError
from theme.page.document import PageSection, page_html, write_page
from theme.renderers.voices import waveform


def test_necklace_vertices_sit_on_the_onsets() -> None:
    ostinato = Rhythm.from_box("X..x..x.x.")
    points = necklace_points(ostinato)
    angles = [math.degrees(math.atan2(x, -y)) % 360 for x, y in points]
    assert [round(a) for a in angles] == [0, 108, 216, 288]
    svg = necklace_svg([("5/4", ostinato), ("squeeze", remeter_rhythm(ostinato, "squeeze"))])
    polygons = re.findall(r"<polygon points='([^']+)'", svg)
    assert len(polygons) == 2 and len(polygons[0].split()) == 4 and len(polygons[1].split()) == 4
    assert "notes 3, 3, 1 and 1 eighths long" in svg
    numbers = [unescape(n) for n in re.findall(r"font-size=.18.[^>]*>([^<]+)</text>", svg)]
    assert numbers[:10] == ["1", "&", "2", "&", "3", "&", "4", "&", "5", "&"]  # counted from 1


@pytest.mark.parametrize(
    ("first", "second", "align", "meets"),
    [("5/4", "4/4", "beat", 3), ("7/8", "4/4", "beat", 3), ("5/4", "4/4", "bar", 3)],
)
def test_contrast_marks_where_downbeats_meet(
    first: str, second: str, align: str, meets: int
) -> None:
    svg = contrast_svg(first, second, align=align)
    assert svg.count("class='meet'") == meets
    assert svg.startswith("<svg") and "http://" not in svg.replace("http://www.w3.org/2000/svg", "")


def test_dance_lands_on_one_five_four_three_two() -> None:
    assert [beat for _, beat in landings("5/4")] == [1, 5, 4, 3, 2, 1]
    assert landings("5/4")[-1] == (5, 1) and realign_beats("5/4") == 20
    assert [beat for _, beat in landings("7/8")][:3] == [1, 5, 2]
    timeline = dance_timeline("5/4")
    feet = timeline.layer_events("feet")
    # four bars until step one is back on a downbeat, and the bar where it is
    assert len(timeline.bars) == 5 and len(feet) == 25
    assert [f.onset for f in feet if f.velocity == 120] == [0, 4, 8, 12, 16, 20, 24]
    with pytest.raises(UsageError, match="invalid steps 0"):
        landings("5/4", steps=0)


def test_the_tour_written_with_no_sound_card(tmp_path: Path) -> None:
    page = write_tour(tmp_path / "tour")
    names = sorted(p.name for p in (tmp_path / "tour").iterdir())
    assert names == sorted(
        ["index.html"] + [f"step-{n}.{ext}" for n in range(1, 8) for ext in ("wav", "mid", "svg")]
    )
    html = page.read_text()
    assert html.count("<div class='player'") == 7 and html.count("<section") == 8
    assert "<section id='s8' class='builder'>" in html  # the steps, then the meter builder
    assert "<body data-slides>" in html  # shown one step a screen
    assert html.count("id='theme-sounds'") == 1  # the sounds, once for every step
    assert all(step.title.split(":")[0] in html for step in STEPS)


def test_the_tour_played_step_by_step_with_a_grid_on_screen() -> None:
    import numpy as np

    from theme.live.engine.sinks import ArraySink
    from theme.renderers.audio import render

    sinks: list[ArraySink] = []
    asked: list[int] = []

    def sink() -> ArraySink:
        sinks.append(ArraySink())
        return sinks[-1]

    def go_on(step: Step) -> bool:  # Enter before step 5, then q before step 6
        asked.append(step.number)
        return step.number < 6

    out = io.StringIO()
    played = play_tour(steps()[3:], sink=sink, out=out, go_on=go_on)
    assert played == 2 and asked == [5, 6]
    shown = out.getvalue()
    assert "4. The 1996 remix: from 5/4 to 4/4" in shown and "6. " not in shown
    assert "intro (5/4): bars 1-4" in shown and "body (4/4): bars 5-12" in shown
    assert "squeeze: bars 3-4, 2 bars of 4/4 (2+2)" in shown  # step 5 names each strategy
    assert "  bass    X . . x . . x x" in shown  # squeezed: 3+3+1+1
    for step, played_sink in zip(steps()[3:5], sinks):
        expected = render(step.music(None))
        assert np.array_equal(played_sink.data[: len(expected)], expected)


def page_sounds(html: str) -> dict[str, np.ndarray]:
    """The page's embedded sounds, decoded as the page decodes them: base64, the blocks of
    Rice codes (:func:`~theme.page.sounds.unpack_samples`), / 32767."""
    from theme.page.sounds import unpack_samples

    found = re.search(r"<script type='application/json' id='theme-sounds'>([^<]*)</script>", html)
    assert found is not None
    table = json.loads(found.group(1))
    packed = unpack_samples(base64.b64decode(table["pcm"]), table["samples"])
    samples = packed.astype(np.float64) / 32767
    return {
        name: samples[place[0] : place[0] + place[1]]
        for name, place in table["sounds"].items()
        if place is not None
    }


NODE_UNPACK = """
global.window = {}; global.document = {getElementById: () => null};
require(process.argv[1]);
const data = Buffer.from(process.argv[2], 'base64');
process.stdout.write(JSON.stringify(Array.from(window.Theme.unpackSamples(new Uint8Array(data),
  Number(process.argv[3])))));
"""


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.integers(-32768, 32767), max_size=700),
    st.sampled_from(["", "hihat/42", "bass/40", "click/a0", "snare/39"]),
)
def test_the_pages_packed_sounds_unpack_to_the_same_samples_here_and_in_the_page(
    noise: list[int], sound: str
) -> None:
    """Packed by the library, unpacked by the library and by the page's own script (in
    Node): the same int16 samples, for random samples and for the synthesizer's own."""
    import shutil
    import subprocess

    from theme.page.sounds import _wave, pack_samples, unpack_samples

    node = shutil.which("node") or shutil.which("nodejs")
    if node is None:
        pytest.skip("node is not installed (apt-get install nodejs)")
    samples = np.array(noise, dtype=np.int16)
    if sound:
        wave = np.round(_wave(sound).astype(np.float64) * 32767).astype(np.int16)
        samples = np.concatenate([samples, wave])
    packed = pack_samples(samples)
    assert np.array_equal(unpack_samples(packed, len(samples)), samples)
    script = Path(theme.__file__).parent / "page" / "js" / "sounds.js"
    result = subprocess.run(
        [
            node,
            "-e",
            NODE_UNPACK,
            str(script),
            base64.b64encode(packed).decode(),
            str(len(samples)),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert json.loads(result.stdout) == samples.tolist()


def test_the_page_is_self_contained_and_its_audio_decodes(tmp_path: Path) -> None:
    path = write_page(
        theme.load("remix-1996", intro_bars=1, body_bars=2).timeline(), tmp_path / "p.html"
    )
    html = path.read_text()
    assert not re.search(r"(src|href)=['\"]?(https?:)?//", html)
    assert html.count("<script>") == 1  # its own code, inline
    assert html.count("<script type='application/json' class='timeline'>") == 1  # its data
    assert "<audio" not in html  # the page plays its music itself
    sounds = page_sounds(html)
    voices = {"bass", "kick", "snare", "hihat", "click", "clicklow"}
    assert {name.split("/")[0] for name in sounds} == voices  # the lead is made by the page
    for name, samples in sounds.items():
        voice, _, detail = name.partition("/")
        if detail.startswith("a"):
            wave = waveform(voice, 0, 48000, accent=int(detail[1:]))
        else:
            wave = waveform(voice, int(detail), 48000)
        assert len(samples) == len(wave)
        assert np.abs(samples - wave).max() <= 0.5 / 32767 + 1e-7  # 16 bits, rounded
    assert "<svg" in html and "  bass" in html
    assert page_html("t", []).startswith("<!DOCTYPE html>")
    assert "<script" not in page_html("t", [])  # no player, no beat light, no script


def test_the_beat_light_knows_every_pulse() -> None:
    from html import unescape

    from theme.page.document import beats_json

    timeline = theme.load("remix-1996", intro_bars=1, body_bars=2).timeline()
    html = page_html("t", [PageSection.for_music("remix", timeline)])
    data = re.search(r"data-beats='([^']*)'", html)
    assert data is not None
    bars = json.loads(unescape(data[1]))
    assert json.loads(beats_json(timeline)) == bars
    assert [len(b["t"]) for b in bars] == [5, 4, 4]  # 5/4, then 4/4
    assert [b["l"] for b in bars[:2]] == [[0, 2, 2, 1, 2], [0, 2, 1, 2]]
    for bar in bars:
        for pulse, seconds in enumerate(bar["t"]):
            n = bar["n"]
            assert seconds == round(float(timeline.seconds_of(n, pulse + 1)), 4)


def test_demo_from_the_command_line_with_no_sound_card(tmp_path: Path) -> None:
    result = run_theme("demo", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "writing the tour to theme-tour/ instead" in result.stdout
    assert "1. Count five" in result.stdout and "7. The dance test" in result.stdout
    assert (tmp_path / "theme-tour" / "index.html").exists()
    step = run_theme("demo", "--step", "6", "--out", "six", cwd=tmp_path)
    assert step.returncode == 0 and sorted(p.name for p in (tmp_path / "six").iterdir()) == [
        "step-6.html",
        "step-6.mid",
        "step-6.svg",
        "step-6.wav",
    ]


@pytest.mark.parametrize(
    ("args", "made"),
    [
        (["picture", "contrast", "-o", "c.svg"], ["c.svg"]),
        (["picture", "necklace", "-o", "n.svg"], ["n.svg"]),
        (["dance", "-o", "d.mid"], ["d.mid"]),
        (["dance", "--meter", "7/8", "-o", "d.svg"], ["d.svg"]),
    ],
)
def test_picture_and_dance_commands(tmp_path: Path, args: list[str], made: list[str]) -> None:
    result = run_theme(*args, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == made


def test_png_where_a_converter_exists(tmp_path: Path) -> None:
    import shutil

    result = run_theme("picture", "contrast", "-o", "c.png", cwd=tmp_path)
    if shutil.which("rsvg-convert") or shutil.which("convert"):
        assert result.returncode == 0 and (tmp_path / "c.png").read_bytes()[:4] == b"\x89PNG"
    else:
        assert result.returncode == 1 and "no SVG converter" in result.stderr


def test_notebook_reprs() -> None:
    from theme.classroom.notebook import html as notebook_html

    html = notebook_html(theme.load("balkan-7"))
    assert "<svg" in html and "data:audio/ogg;base64," in html
    html = notebook_html(theme.STRATEGIES["drop"])
    assert "drop: 3+3+2 (tresillo)" in html and "<svg" in html and "data:audio/ogg" in html
    from theme.metronome import Metronome

    assert "<audio" in notebook_html(Metronome("5/4", vs="4/4", bars=2))


def test_the_lesson_notebook_runs() -> None:
    from theme.classroom.notebook import html as notebook_html

    notebook = json.loads((ROOT / "examples" / "lesson.ipynb").read_text())
    namespace: dict[str, object] = {}
    shown = []
    for cell in notebook["cells"]:
        if cell["cell_type"] != "code":
            continue
        tree = ast.parse("".join(cell["source"]))
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        exec(compile(tree, "cell", "exec"), namespace)
        if last is not None:
            value = eval(compile(ast.Expression(last.value), "cell", "eval"), namespace)
            if type(value).__name__ in ("Timeline", "Variant", "Strategy", "Metronome"):
                shown.append(notebook_html(value))
    assert len(shown) == 4  # a variant, a remetered timeline, a strategy, a metronome
    assert all("<svg" in h and "<audio" in h for h in shown)
    assert "clave: the &#x27;5/4 clave&#x27;" in shown[2]


def test_the_lesson_script_runs(tmp_path: Path) -> None:
    import subprocess
    import sys

    subprocess.run(
        [sys.executable, str(ROOT / "examples" / "lesson.py"), str(tmp_path)],
        check=True,
        capture_output=True,
    )
    assert {p.suffix for p in tmp_path.iterdir()} == {".html", ".mid", ".musicxml"}


@pytest.mark.parametrize("script", ["export_variant.py", "own_variant.py"])
def test_the_example_scripts_run(tmp_path: Path, script: str) -> None:
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / script), str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert any(p.suffix == ".mid" for p in tmp_path.iterdir())


class Terminal(io.StringIO):
    """A terminal for the live line: it says it is one."""

    def isatty(self) -> bool:
        return True


def test_the_live_dance_line_follows_what_is_heard() -> None:
    from theme.classroom.dance import live_step_line
    from theme.live.engine.playback import Player
    from theme.live.engine.sinks import SteppedSink
    from theme.renderers.audio import BlockRenderer
    from theme.terminal import follow

    timeline = dance_timeline("5/4", bpm=600, bars=4)  # a pulse every 0.1 s
    sink = SteppedSink(blocksize=480)  # each look at the clock plays 10 ms
    player = Player(BlockRenderer.for_timeline(timeline), sink).start()
    heard: list[float] = []
    dance_line = live_step_line(timeline, "5/4")

    def line_at(seconds: float) -> str:
        heard.append(seconds)
        return dance_line(seconds)

    out = Terminal()
    assert follow(player, line_at, out=out, refresh_seconds=0)
    drawn = [line.strip() for line in out.getvalue().split("\r") if line.strip()]
    assert len(drawn) == 20  # one line per pulse heard, each drawn once
    ones = [line.rsplit(" ", 1)[-1] for line in drawn if "<- step one" in line]
    assert ones == ["1", "5", "4", "3", "2"]
    assert heard == sorted(heard) and heard[-1] >= 1.9  # the stream's clock, to the end


def test_the_dance_groove_covers_every_bar_asked_for() -> None:
    timeline = dance_timeline("5/4", bars=100)
    bass_bars = {timeline.position(e.onset)[0] for e in timeline.layer_events("bass")}
    feet_bars = {timeline.position(e.onset)[0] for e in timeline.layer_events("feet")}
    assert len(timeline.bars) == 100 and bass_bars == feet_bars == set(range(1, 101))


def test_theme_dance_writes_the_groove_to_the_last_bar(tmp_path: Path) -> None:
    import mido

    result = run_theme("dance", "--bars", "100", "-o", "d.mid", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    midi = mido.MidiFile(tmp_path / "d.mid")
    last_bass = max(
        sum(msg.time for msg in track[: i + 1])
        for track in midi.tracks
        for i, msg in enumerate(track)
        if msg.type == "note_on" and msg.velocity and msg.channel != 9
    )
    bar_ticks = 5 * midi.ticks_per_beat
    assert last_bass >= 99 * bar_ticks  # a bass note in bar 100


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["dance", "--bars", "1000", "-o", "d.html"], "a page plays at most 10 minutes"),
        (["dance", "--bars", "1001", "-o", "d.mid"], "invalid bars 1001: expected 1 to 1000"),
        (["dance", "--bpm", "4", "--bars", "1000", "-o", "d.wav"], "at most 60 minutes"),
        (["dance", "--steps", "17", "-o", "d.mid"], "invalid steps 17: expected 1 to 16"),
        (["dance", "--steps", "1000000", "-o", "d.svg"], "expected 1 to 16 counts"),
        (
            ["picture", "necklace", "--meter", "50/4", "--box", "x" * 100, "-o", "n.svg"],
            "a necklace shows 1 to 64",
        ),
        (["picture", "contrast", "--meter", "63/4", "--vs", "64/4", "-o", "c.svg"], "1 to 400"),
    ],
)
def test_every_costly_option_is_bounded_before_work_starts(
    tmp_path: Path, args: list[str], message: str
) -> None:
    result = run_theme(*args, cwd=tmp_path)
    assert result.returncode == 2 and message in result.stderr
    assert result.stderr.count("\n") == 1 and result.stdout == ""
    assert list(tmp_path.iterdir()) == []


def test_a_long_notebook_sound_does_not_crash_the_encoder(tmp_path: Path) -> None:
    """libsndfile's Vorbis encoder crashes on one write of about a minute: a notebook's
    sound is encoded block by block."""
    from theme.page.document import audio_bytes

    music = dance_timeline("5/4", bpm=200, bars=60)  # 90 seconds
    data, rate = soundfile.read(io.BytesIO(audio_bytes(music)))
    assert float(music.duration_seconds) <= len(data) / rate < float(music.duration_seconds) + 1


CHAR_EM = {"normal": 0.62, "bold": 0.7}
"""A conservative width of a character of DejaVu Sans or Arial, in ems (their widest digits
are 0.64 and 0.7: most letters are narrower)."""


def texts_outside_the_picture(svg: str) -> list[str]:
    """Each <text> of ``svg`` that runs out of its viewBox, given ``CHAR_EM``."""
    import xml.etree.ElementTree as ET

    root = ET.fromstring(svg)
    left, top, width, height = map(float, root.attrib["viewBox"].split())
    outside = []
    for text in root.iter("{http://www.w3.org/2000/svg}text"):
        size = float(text.attrib["font-size"])
        x, y = float(text.attrib["x"]), float(text.attrib["y"])
        length = len(text.text or "") * size * CHAR_EM[text.attrib.get("font-weight", "normal")]
        start = {"start": x, "middle": x - length / 2, "end": x - length}[
            text.attrib.get("text-anchor", "start")
        ]
        if start < left or start + length > left + width or y - size < top or y > top + height:
            outside.append(text.text or "")
    return outside


def _tour_picture(number: int) -> str:
    from theme.classroom.tour import steps

    return steps(number)[0].picture()


@pytest.mark.parametrize(
    "svg",
    [
        pytest.param(lambda: contrast_svg("5/4", "4/4"), id="contrast"),
        pytest.param(
            lambda: contrast_svg("5/4", "4/4", labels=("the music, 5/4", "the step, 4 counts")),
            id="dance",
        ),
        pytest.param(
            lambda: contrast_svg("7/8", "4/4", labels=("the music, 7/8", "the step, 16 counts")),
            id="dance-7/8",
        ),
        pytest.param(lambda: contrast_svg("2+2+3/8", "3+3+2+2/8", align="bar"), id="bar"),
        pytest.param(lambda: contrast_svg("13/16", "4/4"), id="long-meet"),
        pytest.param(
            lambda: necklace_svg([("x", Rhythm.from_box("x" * 64))], title="T" * 60), id="n64"
        ),
    ]
    + [pytest.param(lambda n=n: _tour_picture(n), id=f"step-{n}") for n in (1, 2, 5, 6, 7, 8)],
)
def test_every_label_lies_inside_its_picture(svg) -> None:  # type: ignore[no-untyped-def]
    assert texts_outside_the_picture(svg()) == []


def test_the_beat_light_stands_ready_on_bar_one_before_play() -> None:
    timeline = theme.load("tv-1966", intro_bars=1, melody_bars=0).timeline()
    html = page_html("t", [PageSection.for_music("tv", timeline)])
    light = re.search(r"<div class='beat[^>]*>.*?</div>", html)
    assert light is not None
    assert "data-now='1:1'" in light[0] and "<span class='bar'>bar 1</span>" in light[0]
    assert re.findall(r"<b class='([^']*)'>", light[0]) == ["l0 now", "l2", "l2", "l1", "l2"]


@pytest.mark.parametrize(
    ("make", "labels", "second_bars"),
    [
        (lambda: STEPS[5].music(None), ["5/4 (3+2)", "4/4 (2+2)"], 10),  # step 6: 8 bars of 5/4
        (
            lambda: theme.Metronome("5/4", vs="4/4", bars=4).timeline(),
            ["5/4 (3+2)", "4/4 (2+2)"],
            5,
        ),
        (
            lambda: theme.Metronome(
                "5/4", vs="4/4", bars=4, subdivide=2, gap="1:1", count_in=1
            ).timeline(),
            ["5/4 (3+2)", "4/4 (2+2)"],
            5,
        ),
        (lambda: theme.Metronome("7/8", vs="3/4", bars=6).timeline(), ["7/8 (2+2+3)", "3/4"], 7),
    ],
)
def test_the_beat_light_of_two_meters_lights_both(
    make: Callable[[], Timeline], labels: list[str], second_bars: int
) -> None:
    from html import unescape

    from theme.page.document import beats_json

    timeline = make()
    html = page_html("t", [PageSection.for_music("m", timeline)])
    rows = re.findall(
        r"<div class='beat[^>]*data-beats='([^']*)'[^>]*><span class='meter'>([^<]*)<", html
    )
    assert [label for _, label in rows] == labels
    first, second = (json.loads(unescape(data)) for data, _ in rows)
    assert first == json.loads(beats_json(timeline))
    numbers, groups = re.fullmatch(r"(\d+/\d+)(?: \((.*)\))?", labels[1]).groups()  # type: ignore[union-attr]
    meter = (
        theme.Meter.parse(numbers)
        if groups is None
        else theme.Meter.parse(numbers).with_groups(groups)
    )
    assert [b["n"] for b in second] == list(range(1, second_bars + 1))
    assert all(b["l"] == [int(x) for x in meter.accent_levels()][: len(b["t"])] for b in second)
    # the second meter's bar 2 starts one of its bars after bar 1 of the music
    bar_one = next(b for b in timeline.bars if b.section != "count-in").start
    bar_two = timeline.tempo_map.seconds_at(bar_one + meter.bar_quarters)
    assert second[1]["t"][0] == round(float(bar_two), 4)


def test_a_page_too_long_is_refused_before_the_notation_is_engraved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def engrave(*args: object, **kwargs: object) -> str:
        raise AssertionError("engraved before the length was checked")

    monkeypatch.setattr("theme.page.document.notation_svg", engrave)
    long = theme.load("tv-1966").timeline(repeat=30)  # 30 x 22.5 s
    with pytest.raises(UsageError, match="a page plays at most 10 minutes a section"):
        write_page(long, tmp_path / "p.html")
    assert list(tmp_path.iterdir()) == []
