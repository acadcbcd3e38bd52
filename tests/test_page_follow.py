"""A page follows the music: the score cursor, the counting line and the conductor.

- The time of every engraved note (verovio's timemap, read as exact quarter notes) agrees
  with the timeline's events, for a variant and a metronome of two meters, and with
  verovio's own milliseconds at the score's tempo.
- In Chromium, a ``theme:position`` event at a chosen quarter note lights exactly the notes
  with ``onset <= q < end`` (both staves of two meters), also after a tempo change and a
  loop's jump back, and nothing past the engraved bars; the syllable of that pulse is lit
  and the conductor's baton is on the pattern's point of that beat.
- The syllables and gestures of any grouping (hypothesis).
"""

from __future__ import annotations

import itertools
import json
import re
import xml.etree.ElementTree as ET
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from theme.core.counting import (
    SCHEMES,
    Gesture,
    conducted_beats,
    counting_line,
    gestures,
    pattern_points,
    syllables,
)
from theme.core.meter import Meter
from theme.core.timeline import Timeline
from theme.page.follow import BarKind, follow_html, follow_rows
from theme.renderers.notation import NoteTime, engrave, note_times, timed_svg

SVG = "{http://www.w3.org/2000/svg}"


def _classes(element: ET.Element) -> list[str]:
    return element.get("class", "").split()


def staff_notes(svg: str) -> dict[int, list[str]]:
    """The ids of the notes of each staff (0 the first part's), in the SVG's order."""
    staves: dict[int, list[str]] = {}
    for measure in ET.fromstring(svg).iter(f"{SVG}g"):
        if "measure" not in _classes(measure):
            continue
        for k, staff in enumerate(s for s in measure if "staff" in _classes(s)):
            k = int(staff.get("data-n", k + 1)) - 1  # a staff of its own meter may end first
            for note in staff.iter(f"{SVG}g"):
                if "note" in _classes(note):
                    staves.setdefault(k, []).append(note.get("id", ""))
    return staves


def sounding(timeline: Timeline, layer: str) -> list[tuple[Fraction, Fraction]]:
    """What the score writes for a layer: each chord from its onset to its end, cut at the
    next onset and at the end of the music (quarter notes)."""
    onsets: dict[Fraction, Fraction] = {}
    for e in timeline.layer_events(layer):
        if e.onset < timeline.length:
            onsets[e.onset] = max(onsets.get(e.onset, e.onset), e.onset + e.duration)
    starts = sorted(onsets)
    return [
        (a, min(onsets[a], b, timeline.length))
        for a, b in zip(starts, [*starts[1:], timeline.length], strict=True)
    ]


def written(notes: list[NoteTime], onsets: set[Fraction]) -> list[tuple[Fraction, Fraction]]:
    """The written notes of a staff joined into what sounds: a note that starts where no
    event starts continues the one before it (a tie), and must start where that one ends."""
    chains: list[tuple[Fraction, Fraction]] = []
    for note in sorted(set((n.onset, n.end) for n in notes)):
        if note[0] in onsets:
            if chains and chains[-1][0] == note[0]:
                assert chains[-1][1] == note[1], note  # a chord's notes end together
                continue
            chains.append(note)
        else:
            assert chains and chains[-1][1] == note[0], f"a note at {note[0]} continues nothing"
            chains[-1] = (chains[-1][0], note[1])
    return chains


def music(name: str) -> Timeline:
    from theme.metronome import Metronome
    from theme.variants import load

    if name == "metronome":
        return Metronome("5/4", vs="4/4", bars=4).timeline()
    if name == "ramp":
        return Metronome("7/8", bpm=200, ramp="200-280/2", bars=4).timeline()
    return load(name).timeline().head(8)


@pytest.mark.parametrize("name", ["tv-1966", "remix-1996", "balkan-7", "metronome", "ramp"])
def test_each_engraved_note_has_the_time_of_its_event(name: str) -> None:
    timeline = music(name)
    engraving = engrave(timeline)
    staves = staff_notes(engraving.pages[0])
    assert len(staves) == len(timeline.layers)
    for k, layer in enumerate(timeline.layers):
        notes = [engraving.notes[i] for i in staves[k]]
        expected = sounding(timeline, layer)
        assert written(notes, {a for a, _ in expected}) == expected, layer
    assert set(engraving.notes) == {i for ids in staves.values() for i in ids}


@pytest.mark.parametrize("name", ["tv-1966", "balkan-7", "metronome"])
def test_the_quarter_stamps_agree_with_verovio_milliseconds_at_the_tempo(name: str) -> None:
    import verovio

    from theme.renderers.notation import musicxml_string

    timeline = music(name)
    toolkit = verovio.toolkit()
    toolkit.loadData(musicxml_string(timeline))
    timemap = toolkit.renderToTimemap({"includeRests": False})
    qpm = timeline.tempo_map.segments[0].qpm  # a steady tempo
    for entry in timemap:  # verovio's milliseconds are whole: 562.5 ms is written 563
        exact_ms = Fraction(entry["qstamp"]) * 60000 / qpm
        assert abs(Fraction(entry["tstamp"]) - exact_ms) <= Fraction(1, 2)
    times = note_times(timemap)
    onsets = {e.onset for e in timeline.events}
    assert {t.onset for t in times.values()} <= onsets | {t.end for t in times.values()}


def measure_ids(svg: str) -> list[str]:
    """The ids of the engraving's measures, in the SVG's order."""
    return [g.get("id", "") for g in ET.fromstring(svg).iter(f"{SVG}g") if "measure" in _classes(g)]


@pytest.mark.parametrize(
    "name", ["tv-1966", "balkan-7", "metronome", "bach/bwv66.6", "bach/bwv27.6.mxl"]
)
def test_each_engraved_measure_starts_where_its_bar_starts(name: str) -> None:
    """The start a click on the score reads (``data-start``) is its bar's: with a pickup
    (bwv66.6) and a change from 4/4 to 3/2 (bwv27.6) from music21's corpus too."""
    if "/" in name:
        music21 = pytest.importorskip("music21")
        import theme

        whole = theme.read(music21.corpus.getWork(name))
        timeline = whole.head(len(whole.bars))
    else:
        timeline = music(name)
    engraving = engrave(timeline)
    starts = [engraving.measures[i] for page in engraving.pages for i in measure_ids(page)]
    assert starts[: len(timeline.bars)] == [bar.start for bar in timeline.bars]
    if name == "metronome":  # 20 quarters: four bars of 5/4, the 4/4 staff's fifth bar last
        assert starts[len(timeline.bars) :] == [16]
    else:
        assert len(starts) == len(timeline.bars)
    page = timed_svg(engraving.pages[0], engraving.notes, engraving.measures)
    marked = [
        Fraction(g.get("data-start", "nan"))
        for g in ET.fromstring(page).iter(f"{SVG}g")
        if "measure" in _classes(g)
    ]
    assert marked == starts[: len(marked)]
    meters = {str(bar.meter) for bar in timeline.bars}
    if name == "bach/bwv27.6.mxl":
        assert len(meters) > 1
    if name == "bach/bwv66.6":
        assert timeline.bars[0].quarters < timeline.bars[1].quarters  # a pickup


def test_timed_svg_marks_only_the_timed_notes() -> None:
    page = '<svg><g id="a" class="note"/><g id="b" class="rest"/><g id="ab" class="note"/></svg>'
    out = timed_svg(page, {"a": NoteTime(Fraction(3, 2), Fraction(1, 3))})
    assert out == (
        '<svg><g id="a" data-on="1.5" data-off="1.8333333333333333" class="note"/>'
        '<g id="b" class="rest"/><g id="ab" class="note"/></svg>'
    )


def test_note_times_leave_out_a_note_of_no_length() -> None:
    timemap = [{"qstamp": 0, "on": ["grace", "a"]}, {"qstamp": 0, "off": ["grace"]},
               {"qstamp": 1, "off": ["a"]}]  # fmt: skip
    assert note_times(timemap) == {"a": NoteTime(Fraction(0), Fraction(1))}


# The counting and the conducting, pure.

groupings = st.lists(st.integers(min_value=1, max_value=9), min_size=1, max_size=8)


@settings(deadline=None)  # a shared machine: no time limit
@given(groupings, st.sampled_from(SCHEMES))
def test_one_syllable_a_pulse_and_each_group_starts_on_its_first(
    groups: list[int], scheme: str
) -> None:
    words = syllables(groups, scheme=scheme)
    assert [len(w) for w in words] == groups
    first = {"group": ["1"] * len(groups), "solkattu": ["ta"] * len(groups)}
    flat = [w for group in words for w in group]
    if scheme == "bar":
        assert flat == [str(i) for i in range(1, sum(groups) + 1)]
    elif scheme == "words":  # a word a group, said loud on its first syllable
        assert all(w[0].isupper() and (len(w) == 1 or w[1].islower()) for w in words)
    else:
        assert [w[0] for w in words] == first[scheme]
    line = counting_line(groups, scheme=scheme)
    assert line.split(" ") == ["-".join(w) for w in words]


@pytest.mark.parametrize(
    ("meter", "group", "solkattu", "words"),
    [
        ("5/4", "1-2-3 1-2", "ta-ki-ta ta-ka", "PINE-ap-ple AP-ple"),
        ("2+3/4", "1-2 1-2-3", "ta-ka ta-ki-ta", "AP-ple PINE-ap-ple"),
        ("7/8", "1-2 1-2 1-2-3", "ta-ka ta-ka ta-ki-ta", "AP-ple AP-ple PINE-ap-ple"),
        (
            "2+2+2+3/8",
            "1-2 1-2 1-2 1-2-3",
            "ta-ka ta-ka ta-ka ta-ki-ta",
            "AP-ple AP-ple AP-ple PINE-ap-ple",
        ),
        (
            "11/8",
            "1-2 1-2 1-2-3 1-2 1-2",
            "ta-ka ta-ka ta-ki-ta ta-ka ta-ka",
            "AP-ple AP-ple PINE-ap-ple AP-ple AP-ple",
        ),
        ("4/4", "1-2 1-2", "ta-ka ta-ka", "AP-ple AP-ple"),
    ],
)
def test_the_counting_of_a_meter(meter: str, group: str, solkattu: str, words: str) -> None:
    groups = Meter.parse(meter).groups
    assert counting_line(groups) == group
    assert counting_line(groups, scheme="solkattu") == solkattu
    assert counting_line(groups, scheme="words") == words


@settings(deadline=None)  # a shared machine: no time limit
@given(groupings)
def test_a_pattern_goes_down_on_one_and_up_at_the_end(groups: list[int]) -> None:
    moves = gestures(groups)
    assert len(moves) == sum(groups)
    assert moves[0] is Gesture.DOWN
    if len(moves) > 1:
        assert moves[-1] is Gesture.UP
        assert Gesture.DOWN not in moves[1:]
    points = pattern_points(moves)
    assert len(points) == len(moves)
    ins = [x for (x, _), m in zip(points, moves, strict=True) if m is Gesture.IN]
    outs = [x for (x, _), m in zip(points, moves, strict=True) if m is Gesture.OUT]
    assert ins == sorted(ins, reverse=True) and all(x < 100 for x in ins)  # further in
    assert outs == sorted(outs) and all(x > 100 for x in outs)  # further out
    assert len(set(points)) == len(points) or len(moves) == 1


def test_bad_groups_and_schemes_are_refused() -> None:
    with pytest.raises(ValueError, match="invalid counting scheme 'abc': expected one of"):
        syllables((3, 2), scheme="abc")
    with pytest.raises(ValueError, match=r"invalid groups \[3, 0\]"):
        gestures([3, 0])
    with pytest.raises(ValueError, match=r"invalid groups \[\]"):
        conducted_beats((), Fraction(1))


def test_an_eighth_meter_is_conducted_in_its_groups() -> None:
    seven = BarKind.of_meter(Meter.parse("7/8"))
    assert seven.conducted == (0, 2, 4)
    assert [m.value for m in seven.moves()] == ["down", "out", "up"]
    five = BarKind.of_meter(Meter.parse("5/4"))
    assert five.conducted == (0, 1, 2, 3, 4)
    assert [m.value for m in five.moves()] == ["down", "in", "in", "out", "up"]


def test_a_remix_has_a_kind_for_each_meter_and_a_metronome_a_row_for_each() -> None:
    from theme.variants import load

    (row,) = follow_rows(load("remix-1996").timeline())
    assert [k.groups for k in row.kinds] == [(3, 2), (2, 2)]
    assert [k for _, k in row.bars[3:6]] == [0, 1, 1]
    html = follow_html(music("metronome"), ["5/4 (3+2)", "4/4 (2+2)"])  # as beat_rows names them
    assert html.count("class='follow'") == 2
    assert "<span class='meter'>5/4 (3+2)</span>" in html
    assert "<span class='meter'>4/4 (2+2)</span>" in html


# In the browser: synthetic positions, as the player sends them.

SEND = """
const [index, q] = arguments;
const section = document.querySelectorAll('section')[index];
section.dispatchEvent(new CustomEvent('theme:position', {bubbles: true,
  detail: {q: q, seconds: 0, bar: 1, playing: true}}));
const rows = Array.from(section.querySelectorAll('.follow')).map(row => {
  const dot = row.querySelector('.baton');
  return {now: row.dataset.now, dot: [Number(dot.getAttribute('cx')), Number(dot.getAttribute('cy'))],
          syllables: Array.from(row.querySelectorAll('.counting:not([hidden]) :is(.count.group, .count.solkattu) .syl.now')).map(s => s.textContent),
          counts: Object.fromEntries(Array.from(row.querySelectorAll('.counting:not([hidden]) .count')).map(
            c => [c.classList[1], Array.from(c.querySelectorAll('.syl.now')).map(s => s.textContent).join('')])),
          mark: Array.from(row.querySelectorAll('.pattern:not(.off) .beat-mark')).findIndex(m => m.classList.contains('now')),
          shown: Array.from(row.querySelectorAll('.counting')).findIndex(p => !p.hidden),
          move: Array.from(row.querySelectorAll('.counting:not([hidden]) .move.now')).map(m => m.textContent)};
});
const lit = Array.from(section.querySelectorAll('.note.now'));
return {lit: lit.map(n => n.id), boxes: lit.filter(n => n.querySelector('.cursor-box')).length, rows};
"""


def page_notes(browser, index: int = 0) -> dict[str, tuple[float, float]]:  # type: ignore[no-untyped-def]
    found = browser.execute_script(
        "return Array.from(document.querySelectorAll('section')[arguments[0]]"
        ".querySelectorAll('[data-on]')).map(n => [n.id, Number(n.dataset.on), Number(n.dataset.off)])",
        index,
    )
    return {i: (on, off) for i, on, off in found}


def sounding_ids(notes: dict[str, tuple[float, float]], q: float) -> list[str]:
    return sorted(i for i, (on, off) in notes.items() if on <= q < off)


def severe(browser) -> list[object]:  # type: ignore[no-untyped-def]
    return [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]


def test_the_cursor_lights_the_sounding_notes_of_both_meters(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import run_theme

    made = run_theme("metronome", "5/4", "--vs", "4/4", "--bars", "4", "-o", "m.html", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    html = (tmp_path / "m.html").read_text(encoding="utf-8")
    figure = re.search(r"<figure class='score'>(.*?)</figure>", html, re.S)
    assert figure is not None
    staves = staff_notes(figure.group(1))
    browser.get((tmp_path / "m.html").as_uri())
    notes = page_notes(browser)
    assert len(notes) == 4 * 5 * 2  # four bars of five clicks, two staves
    for q in (0, 0.5, 4.999, 5, 6.25, 19.99):
        got = browser.execute_script(SEND, 0, q)
        assert sorted(got["lit"]) == sounding_ids(notes, q), q
        assert got["boxes"] == len(got["lit"])  # a shape, not colour alone
        assert {k for k, ids in staves.items() if set(got["lit"]) & set(ids)} == {0, 1}
    # q = 6.25: bar 2, pulse 2 of 5/4; the 4/4 meter's bar 2 started at 4: its pulse 3
    got = browser.execute_script(SEND, 0, 6.25)
    assert [row["now"] for row in got["rows"]] == ["5:2:2", "4:3:3"]
    assert [row["syllables"] for row in got["rows"]] == [["2", "ki"], ["1", "ta"]]
    assert browser.execute_script(SEND, 0, 20)["lit"] == []  # the end: nothing stays lit
    assert severe(browser) == []


def test_the_cursor_after_a_tempo_change_a_loop_and_past_the_engraved_bars(
    browser, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    from theme.page.document import SCORE_BARS, write_page
    from theme.variants import load

    timeline = load("tv-1966").timeline(repeat=5)  # 60 bars: an excerpt of 48 engraved
    write_page(timeline, tmp_path / "tv.html")
    html = (tmp_path / "tv.html").read_text(encoding="utf-8")
    assert "An excerpt: the score shows bars 1 to 48 of the 60 heard." in html
    browser.get((tmp_path / "tv.html").as_uri())
    notes = page_notes(browser)
    engraved_end = float(timeline.bars[SCORE_BARS].start)
    assert max(off for _, off in notes.values()) == engraved_end
    # a tempo change: the player's positions come faster; a loop of bars 3-4 jumps back
    positions = [0.0, 0.75, 1.5, 2.9, 10.0, 11.2, 13.6, 14.95, 10.0, 10.4, 37.5, 39.99]
    for q in positions:
        got = browser.execute_script(SEND, 0, q)
        assert sorted(got["lit"]) == sounding_ids(notes, q), q
        assert got["lit"], q
    for q in (engraved_end, engraved_end + 5, engraved_end + 19.9):  # past the engraved bars
        assert browser.execute_script(SEND, 0, q)["lit"] == []
    got = browser.execute_script(SEND, 0, 10.0)  # and back: exactly bar 3's first notes
    assert sorted(got["lit"]) == sounding_ids(notes, 10.0)
    assert severe(browser) == []


@pytest.mark.parametrize(
    ("variant", "q", "now", "syllables", "beat"),
    [
        ("tv-1966", 0, "0:1:1", ["1", "ta"], 0),
        ("tv-1966", 8, "5:4:4", ["1", "ta"], 3),  # bar 2, beat 4: the group of two
        ("tv-1966", 9, "5:5:5", ["2", "ka"], 4),  # beat 5: up
        ("balkan-7", 7 + 2.0, "7:5:3", ["1", "ta"], 2),  # 7/8 in three: pulse 5 is beat 3
        ("balkan-7", 7 + 2.5, "7:6:3", ["2", "ki"], 2),
        ("remix-1996", 20 + 2, "20:3:3", ["1", "ta"], 2),  # the 4/4 bars: 1-2 1-2
    ],
)
def test_the_conductor_is_on_the_point_of_the_beat(
    browser, tmp_path: Path, variant, q, now, syllables, beat
) -> None:  # type: ignore[no-untyped-def]
    from theme.page.document import PageSection, page_html
    from theme.variants import load

    timeline = load(variant).timeline().head(8)
    page = tmp_path / "p.html"
    page.write_text(page_html("t", [PageSection.for_music("t", timeline)]), encoding="utf-8")
    browser.get(page.as_uri())
    (row,) = browser.execute_script(SEND, 0, q)["rows"]
    assert (row["now"], row["syllables"], row["mark"]) == (now, syllables, beat)
    (follow,) = follow_rows(timeline)
    start = float(now.split(":")[0])
    index = next(k for s, k in follow.bars if float(s) == start)
    assert row["shown"] == index  # the remix's 4/4 bars show the count of 4/4
    kind = follow.kinds[index]
    point = list(pattern_points(kind.moves())[beat])
    assert row["move"] == [kind.moves()[beat].value]
    pulse = int(now.split(":")[1]) - 1
    if pulse in kind.conducted:  # on the beat: on its point
        assert row["dot"] == point
    else:  # a pulse inside a beat: on the way
        assert row["dot"] != point
    # half way to the next beat the baton is between, above the beat plane
    half = q + (kind.pulses[1] - kind.pulses[0]) * (kind.conducted[1] - kind.conducted[0]) / 2
    (between,) = browser.execute_script(SEND, 0, float(half))["rows"]
    assert between["dot"] != row["dot"] and between["dot"][1] < 135
    assert severe(browser) == []


def test_the_tour_step_of_two_meters_counts_and_conducts_both(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from theme.classroom.tour import write_tour

    page = write_tour(tmp_path / "tour", selected=6)
    browser.get(page.resolve().as_uri())
    rows = browser.execute_script(SEND, 0, 0)["rows"]
    assert [r["syllables"] for r in rows] == [["1", "ta"], ["1", "ta"]]
    rows = browser.execute_script(SEND, 0, 4)["rows"]  # 5/4 beat 5; 4/4 bar 2's downbeat
    assert [r["syllables"] for r in rows] == [["2", "ka"], ["1", "ta"]]
    assert [r["dot"] for r in rows] == [[112, 45], [100, 135]]
    data = json.loads(
        browser.execute_script("return document.querySelectorAll('.follow')[1].dataset.follow")
    )
    assert data["bars"][:3] == [[0, 0], [4, 0], [8, 0]]
    assert severe(browser) == []


PLAY = """
const done = arguments[arguments.length - 1];
const section = document.querySelector('section');
const player = Theme.playerFor(section);
const seen = [];
section.addEventListener('theme:position', e => seen.push({
  q: e.detail.q, playing: e.detail.playing,
  lit: Array.from(section.querySelectorAll('.note.now')).map(n => n.id),
  rows: Array.from(section.querySelectorAll('.follow')).map(r => r.dataset.now),
  lights: Array.from(section.querySelectorAll('.beat')).map(l => l.dataset.now)}));
player.setLoop(1, 1);  // bar 1 again and again
player.play(1);
setTimeout(() => player.setTempoScale(3), 400);  // three times as fast: 360 a minute
setTimeout(() => { player.stop(); done(seen); }, 2400);
"""


def expected_now(row, q: float) -> str:  # type: ignore[no-untyped-def]
    """What a row's script shows at ``q``: its bar's start, the pulse and the beat (from 1)."""
    b = max([i for i, (start, _) in enumerate(row.bars) if start <= q] or [0])
    start, index = row.bars[b]
    kind = row.kinds[index]
    offset = q - float(start)
    pulse = max([i for i, p in enumerate(kind.pulses) if p <= offset] or [0])
    beat = max(i for i, p in enumerate(kind.conducted) if p <= pulse)
    return f"{float(start):g}:{pulse + 1}:{beat + 1}"


def test_with_the_player_the_cursor_and_the_count_follow_a_tempo_change_and_a_loop(
    browser, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    from theme.page.document import write_page

    timeline = music("metronome")
    write_page(timeline, tmp_path / "m.html")
    browser.get((tmp_path / "m.html").as_uri())
    notes = page_notes(browser)
    seen = browser.execute_async_script(PLAY)
    qs = [event["q"] for event in seen]
    assert len(seen) > 30 and max(qs) > 3  # it played, into the fourth beat at least
    assert any(b < a for a, b in itertools.pairwise(qs))  # the loop jumped back
    assert max(qs) < 5  # never past the loop's bar
    rows = follow_rows(timeline, ["5/4", "4/4"])
    for event in seen:
        assert sorted(event["lit"]) == sounding_ids(notes, event["q"]), event["q"]
        assert event["rows"] == [expected_now(row, event["q"]) for row in rows], event["q"]
        # in step with the beat light: the same pulse of each meter
        pulses = [now.split(":")[1] for now in event["rows"]]
        assert pulses == [light.split(":")[1] for light in event["lights"]], event
    assert severe(browser) == []


grid_positions = st.integers(min_value=0, max_value=1920 * 2000).map(lambda k: Fraction(k, 1920))
grid_lengths = st.integers(min_value=1, max_value=1920 * 16).map(lambda k: Fraction(k, 1920))


@settings(deadline=None)  # a shared machine: no time limit
@given(st.lists(st.tuples(grid_positions, grid_lengths), min_size=1, max_size=40))
def test_float_quarter_stamps_read_back_exactly(spans: list[tuple[Fraction, Fraction]]) -> None:
    """Any position on the 1/1920 grid, written by verovio as a float, is read back exactly."""
    entries: dict[Fraction, dict[str, list[str]]] = {}
    for i, (onset, length) in enumerate(spans):
        entries.setdefault(onset, {"on": [], "off": []})["on"].append(f"n{i}")
        entries.setdefault(onset + length, {"on": [], "off": []})["off"].append(f"n{i}")
    timemap = [{"qstamp": float(q), **entries[q]} for q in sorted(entries)]
    times = note_times(timemap)
    assert times == {f"n{i}": NoteTime(onset, length) for i, (onset, length) in enumerate(spans)}
