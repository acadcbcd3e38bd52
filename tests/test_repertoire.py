"""The repertoire beside the theme: odd meters in music people know and in dances, each entry
with its meter, grouping and sources; ``theme list`` grouped and filtered; step 8 of the tour.

The rule that keeps every entry of the repertoire and the dances from copying a piece:
**drums only**. Every layer is a General MIDI percussion layer (notes 35 to 81, the drum
kit), no section gives a pattern pitches of its own, and the file names no note (``"D2"``).
A groove made so has no melody or bass-line pitch for a piece to be recognised by: only its
meter, grouping and accents.
"""

from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import theme
from tests.conftest import ROOT, run_theme
from theme.classroom.elsewhere import EXTRA_STEPS
from theme.classroom.tour import STEPS, steps, write_tour
from theme.errors import UsageError
from theme.variants import GROUPS, catalog, grouped, parse_grouping
from theme.variants.loader import DATA
from theme.variants.model import CONFIDENCES

SOURCES = (ROOT / "docs" / "sources.md").read_text()
KEYS = set(re.findall(r"^\| `([a-z0-9-]+)` \|", SOURCES, re.MULTILINE))
EVERY = {v.name: v for v in catalog()}
OURS = sorted(name for name, v in EVERY.items() if v.group in ("repertoire", "dances"))
NEW = [
    "blue-rondo",
    "daychovo",
    "fifteen-step",
    "kalamatianos",
    "kopanitsa",
    "lesnoto",
    "living-in-the-past",
    "mars",
    "money",
    "paidushko",
    "rachenitsa",
    "seven-days",
    "solsbury-hill",
    "unsquare-dance",
    "whipping-post",
]
COMMON_GROUPINGS = {
    5: [(3, 2), (2, 3)],
    7: [(2, 2, 3), (3, 2, 2)],
    9: [(2, 2, 2, 3), (3, 3, 3)],
    11: [(2, 2, 3, 2, 2)],
}
"""The common groupings of 5, 7, 9 and 11 pulses that a verified claim of some entry covers
(7 as 2+3+2, and 11 grouped otherwise, have no entry: no source we could check)."""
CITED = re.compile(r"docs/sources\.md: ([a-z0-9-]+(?:, [a-z0-9-]+)*)")
NOTE_NAME = re.compile(r"\"[A-Ga-g][#b]?-?[0-9]\"")


def cited_keys(source: str) -> set[str]:
    match = CITED.match(source)
    return set(match.group(1).split(", ")) if match else set()


# -- every entry ------------------------------------------------------------------------


def test_fifteen_new_entries_in_the_repertoire_and_the_dances() -> None:
    assert set(NEW) <= set(EVERY)
    assert {EVERY[name].group for name in NEW} == {"repertoire", "dances"}
    assert len(EVERY) == 9 + len(NEW)
    assert all(v.group in GROUPS for v in EVERY.values())
    assert [v.name for v in EVERY.values() if v.group == "theme"] == [
        "tv-1966",
        "film",
        "remix-1996",
        "remix-2000",
    ]


@pytest.mark.parametrize("name", OURS)
def test_an_entry_loads_and_its_groupings_add_up_to_its_meters(name: str) -> None:
    variant = theme.load(name)
    timeline = variant.timeline()
    assert len(timeline.bars) == variant.total_bars
    for section in variant.sections:
        meter = section.meter
        assert sum(meter.groups) == meter.numerator
        assert meter.numerator in (4, 5, 7, 9, 11)
        assert "+".join(map(str, meter.groups)) in section.meter.explicit
    odd = [m for m in variant.meters if m.numerator % 2]
    assert odd, "every entry is heard in an odd meter"
    if name in NEW:
        assert str(odd[0].numerator) in variant.title


@pytest.mark.parametrize("name", OURS)
def test_every_claim_has_a_confidence_and_a_source_that_exists(name: str) -> None:
    variant = theme.load(name)
    assert any(
        c.confidence == "demo-default" and c.claim.startswith("Tempo") for c in variant.claims
    )
    for claim in variant.claims:
        assert claim.confidence in CONFIDENCES
        assert claim.source, claim
        if claim.confidence in ("verified", "hypothesis"):
            keys = cited_keys(claim.source)
            assert keys, (name, claim.source)
            assert keys <= KEYS, (name, keys - KEYS)
    assert any(c.confidence == "verified" or c.confidence == "hypothesis" for c in variant.claims)


@pytest.mark.parametrize("name", NEW)
def test_a_new_entry_says_where_its_grouping_comes_from_or_that_it_is_ours(name: str) -> None:
    variant = theme.load(name)
    about_grouping = [c for c in variant.claims if "rouping" in c.claim]
    assert about_grouping, "say the grouping's source, or that none was found"
    for claim in about_grouping:
        if claim.confidence == "our-choice":
            assert re.search(r"name[s]? none|no source|disagree|name no", claim.claim), claim


def test_a_verified_claim_is_never_backed_by_informal_sources_alone() -> None:
    for variant in EVERY.values():
        for claim in variant.claims:
            if claim.confidence == "verified":
                assert cited_keys(claim.source) - {"informal"}, (variant.name, claim)


def test_every_source_the_entries_cite_is_on_the_sources_page_and_every_key_is_unique() -> None:
    rows = re.findall(r"^\| `([a-z0-9-]+)` \|", SOURCES, re.MULTILINE)
    assert len(rows) == len(set(rows))
    cited = {k for v in EVERY.values() for c in v.claims for k in cited_keys(c.source)}
    assert cited <= KEYS
    for name in [*NEW, "take-five-vamp", "limping-waltz"]:
        assert f"| `{name}` |" in SOURCES, f"{name} has no row in the page's repertoire table"


@pytest.mark.parametrize(
    ("pulses", "grouping"), [(n, g) for n, gs in COMMON_GROUPINGS.items() for g in gs]
)
def test_every_common_grouping_is_heard_in_an_entry_with_a_verified_claim(
    pulses: int, grouping: tuple[int, ...]
) -> None:
    written = "+".join(map(str, grouping))
    assert sum(grouping) == pulses
    heard_in = [
        v.name
        for v in EVERY.values()
        if grouping in v.groupings
        and any(
            c.confidence == "verified" and "rouping" in c.claim and written in c.claim
            for c in v.claims
        )
    ]
    assert heard_in, f"no entry with a verified claim for {written}"


# -- the rule against copying a piece -----------------------------------------------------


@pytest.mark.parametrize("name", OURS)
def test_drums_only_no_pitch_of_any_piece(name: str) -> None:
    variant = theme.load(name)
    for spec in variant.layers:
        assert spec.layer.drum, f"{name}: layer {spec.layer.name} is pitched"
        assert all(35 <= p <= 81 for p in spec.pitches), (name, spec.pitches)
    assert all(p.pitches is None for s in variant.sections for p in s.patterns)
    assert not NOTE_NAME.search((DATA / f"{name}.toml").read_text())
    notes = {e.pitch for e in variant.timeline().events}
    assert notes <= set(range(35, 82))


def test_the_rule_would_catch_a_pitched_layer(tmp_path: Path) -> None:
    text = (
        (DATA / "rachenitsa.toml")
        .read_text()
        .replace('[layers.drum]\nvoice = "conga"\ndrum = true', '[layers.drum]\nvoice = "bass"')
    )
    text = text.replace("pitches = [64, 63]", 'pitches = ["D2", "A2"]')
    mine = tmp_path / "mine.toml"
    mine.write_text(text)
    variant = theme.load(mine)
    assert not all(spec.layer.drum for spec in variant.layers)
    assert NOTE_NAME.search(text)


# -- what the entries play --------------------------------------------------------------


def drum_starts(name: str, layer: str, **params: object) -> list[list[Fraction]]:
    """The onsets of ``layer`` in each bar, in pulses of that bar's meter."""
    timeline = theme.load(name, **params).timeline()
    bars = []
    for bar in timeline.bars:
        pulse = bar.meter.pulse_quarters
        bars.append(
            [
                (e.onset - bar.start) / pulse
                for e in timeline.layer_events(layer)
                if bar.start <= e.onset < bar.end
            ]
        )
    return bars


@pytest.mark.parametrize(
    "name", ["rachenitsa", "daychovo", "kopanitsa", "lesnoto", "kalamatianos", "paidushko"]
)
def test_a_dance_steps_on_each_group_start_loud_on_one(name: str) -> None:
    timeline = theme.load(name).timeline()
    meter = timeline.bars[0].meter
    assert drum_starts(name, "drum") == [list(meter.group_starts)] * len(timeline.bars)
    bar = [e for e in timeline.layer_events("drum") if e.onset < timeline.bars[0].end]
    assert bar[0].velocity > max(e.velocity for e in bar[1:])


def test_blue_rondo_is_three_bars_of_2223_then_one_of_333_twice() -> None:
    timeline = theme.load("blue-rondo").timeline()
    groupings = [bar.meter.groups for bar in timeline.bars]
    assert groupings == ([(2, 2, 2, 3)] * 3 + [(3, 3, 3)]) * 2
    assert drum_starts("blue-rondo", "drum")[2:4] == [[0, 2, 4, 6], [0, 3, 6]]
    assert all(bar.meter.bar_quarters == Fraction(9, 2) for bar in timeline.bars)


def test_solsbury_hill_ends_its_bars_of_seven_with_two_of_four() -> None:
    timeline = theme.load("solsbury-hill", seven_bars=3).timeline()
    assert [str(bar.meter) for bar in timeline.bars] == ["7/4"] * 3 + ["4/4"] * 2
    assert [bar.meter.groups for bar in timeline.bars][:1] == [(4, 3)]


def test_money_goes_to_four_for_the_solo_and_back_to_seven() -> None:
    timeline = theme.load("money", verse_bars=2, solo_bars=3).timeline()
    assert [str(bar.meter) for bar in timeline.bars] == ["7/4"] * 2 + ["4/4"] * 3 + ["7/4"] * 2


def test_seven_days_hi_hat_comes_round_every_two_bars() -> None:
    timeline = theme.load("seven-days").timeline()
    accented = [e.onset for e in timeline.layer_events("hats") if e.velocity > 100]
    assert accented[:6] == [0, 2, 4, 6, 8, 10]  # every second beat, across the barline at 5
    assert [e.onset % 10 for e in timeline.layer_events("hats") if e.velocity > 100][:5] == [
        0,
        2,
        4,
        6,
        8,
    ]


def test_living_in_the_past_plays_the_themes_long_long_short_short() -> None:
    beats = drum_starts("living-in-the-past", "drum")[0]
    assert [b * 2 for b in beats] == [0, 3, 6, 8]  # in eighths: 3+3+2+2


@pytest.mark.parametrize(
    ("feel", "eighths"),
    [
        ("straight", [0, 1, Fraction(3, 2), 2, 3, Fraction(7, 2), 4]),
        ("swung", [0, 1, Fraction(5, 3), 2, 3, Fraction(11, 3), 4]),
    ],
)
def test_take_five_swings_when_asked(feel: str, eighths: list[Fraction]) -> None:
    timeline = theme.load("take-five-vamp", feel=feel).timeline(bars=1)
    assert [e.onset for e in timeline.layer_events("shaker")] == eighths


# -- catalog and the command line -------------------------------------------------------


@pytest.mark.parametrize(
    ("filters", "names"),
    [
        ({"meter": "7/8"}, ["balkan-7", "kalamatianos", "lesnoto", "rachenitsa"]),
        ({"meter": "3+2+2/8"}, ["kalamatianos", "lesnoto"]),
        ({"grouping": "3+2+2"}, ["kalamatianos", "lesnoto"]),
        ({"grouping": "2 + 3"}, ["limping-waltz", "paidushko"]),
        ({"meter": "9/8", "grouping": "3+3+3"}, ["blue-rondo"]),
        ({"meter": "7/4", "group": "repertoire"}, ["money", "solsbury-hill", "unsquare-dance"]),
        ({"meter": "13/8"}, []),
    ],
)
def test_catalog_filters_by_meter_grouping_and_group(
    filters: dict[str, str], names: list[str]
) -> None:
    assert sorted(v.name for v in theme.variants.catalog(**filters)) == names


@pytest.mark.parametrize(
    ("filters", "error", "message"),
    [
        ({"grouping": "3+x"}, UsageError, r"invalid grouping '3\+x': expected whole numbers"),
        ({"grouping": "0+7"}, UsageError, r"invalid grouping '0\+7'"),
        ({"grouping": "60+9"}, UsageError, "adding up to at most 64"),
        ({"meter": "7/3"}, UsageError, "invalid meter '7/3'"),
        ({"group": "songs"}, UsageError, "invalid group 'songs': expected one of theme, "),
        ({"grouping": 7}, TypeError, "grouping must be a str, not int"),
    ],
)
def test_catalog_refuses_a_bad_filter_naming_it(
    filters: dict[str, object], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        catalog(**filters)  # type: ignore[arg-type]


@given(st.lists(st.integers(min_value=1, max_value=9), min_size=1, max_size=7))
def test_a_grouping_reads_back_as_written(groups: list[int]) -> None:
    assert parse_grouping("+".join(map(str, groups))) == tuple(groups)


@given(st.text(max_size=30))
def test_any_text_is_a_grouping_or_one_usage_error(text: str) -> None:
    try:
        groups = parse_grouping(text)
    except UsageError as err:
        assert str(err).startswith("invalid grouping ") and "\n" not in str(err)
    else:
        assert all(g >= 1 for g in groups) and sum(groups) <= 64


def test_grouped_keeps_the_theme_first_then_the_repertoire_then_the_dances() -> None:
    headings = [heading for heading, _ in grouped(catalog())]
    assert headings == list(GROUPS.values())


def test_theme_list_shows_the_groups_with_headings_and_aligned_columns() -> None:
    result = run_theme("list")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    headings = [line for line in lines if line and not line.startswith(" ")]
    assert headings == [f"{h}:" for h in GROUPS.values()]
    rows = [line for line in lines if line.startswith("  ")]
    assert len(rows) == len(EVERY)
    starts = {re.search(r"\b\d+ bars", row).start() for row in rows}  # type: ignore[union-attr]
    tempos = {re.search(r"\b[qe]=\d+", row).start() for row in rows}  # type: ignore[union-attr]
    assert len(starts) == 1 and len(tempos) == 1  # the columns line up across the groups
    kopanitsa = next(row for row in rows if row.split()[0] == "kopanitsa")
    assert kopanitsa.split()[1:3] == ["11/8", "(2+2+3+2+2)"]


@pytest.mark.parametrize(
    ("args", "names"),
    [
        (["--meter", "7/8"], ["balkan-7", "rachenitsa", "kalamatianos", "lesnoto"]),
        (["--grouping", "3+2+2"], ["kalamatianos", "lesnoto"]),
        (["--grouping", "2+2+2+3"], ["blue-rondo", "balkan-9", "daychovo"]),
        (["--meter", "9/8", "--grouping", "3+3+3"], ["blue-rondo"]),
        (["--group", "repertoire", "--meter", "7/4"], ["unsquare-dance", "money", "solsbury-hill"]),
        (["--group", "theme", "--grouping", "2+2"], ["remix-1996", "remix-2000"]),
    ],
)
def test_theme_list_filters(args: list[str], names: list[str]) -> None:
    result = run_theme("list", *args)
    assert result.returncode == 0, result.stderr
    assert [
        line.split()[0] for line in result.stdout.splitlines() if line.startswith("  ")
    ] == names


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["--grouping", "3+x"], "theme: error: invalid grouping '3+x': expected whole numbers"),
        (["--grouping", ""], "theme: error: invalid grouping '': expected whole numbers"),
        (["--meter", "7/3"], "theme: error: invalid meter '7/3': the denominator must be"),
        (["--meter", "seven"], "theme: error: invalid meter 'seven': expected N/D"),
        (["--group", "songs"], "theme: error: invalid group 'songs': expected one of theme, "),
    ],
)
def test_theme_list_with_a_bad_filter_says_so_in_one_line_and_exits_2(
    args: list[str], line: str
) -> None:
    result = run_theme("list", *args)
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1 and result.stderr.startswith(line)


def test_theme_list_with_no_match_says_so_and_what_there_is() -> None:
    result = run_theme("list", "--meter", "13/8", "--grouping", "3+3+3+2+2")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "no built-in variant has a section in meter 13/8 and grouping 3+3+3+2+2"
    assert lines[1] == "meters: 4/4, 5/4, 5/8, 7/4, 7/8, 9/8, 11/8"
    assert "2+2+3+2+2" in lines[2] and lines[2].startswith("groupings: 2+2, 2+3, 3+2")
    dances = run_theme("list", "--group", "dances", "--grouping", "3+2").stdout.splitlines()
    assert dances == [
        "no variant in dances has a section in grouping 3+2",
        "meters: 5/8, 7/8, 9/8, 11/8",
        "groupings: 2+3, 2+2+3, 3+2+2, 2+2+2+3, 2+2+3+2+2",
    ]


def test_theme_show_gives_the_group_form_and_sources() -> None:
    result = run_theme("show", "blue-rondo")
    assert result.returncode == 0, result.stderr
    shown = result.stdout
    assert "group: repertoire (odd meters in music you know)" in shown.splitlines()[1]
    assert "  a: 3 x 2+2+2+3     9/8 (2+2+2+3)  3 bars" in shown
    assert "  b: 1 x 3+3+3       9/8 (3+3+3)    1 bar" in shown  # the same meter, regrouped
    assert (
        "[verified] Grouping and bar pattern: a cycle of three bars of 2+2+2+3, then one bar of "
        "3+3+3 (docs/sources.md: herald-courier-2020, brubeck-1959)"
    ) in shown


# -- step 8 of the tour ---------------------------------------------------------------


def test_the_seven_steps_are_as_they_were_and_step_8_is_optional() -> None:
    assert [s.title for s in STEPS] == [
        "Count five",
        "The ostinato over the count: dash dash dot dot",
        "The 1966 TV theme",
        "The 1996 remix: from 5/4 to 4/4",
        "Five into four: the strategies side by side",
        "5/4 against 4/4, beat by beat",
        "The dance test",
    ]
    assert [s.number for s in steps()] == list(range(1, 8))
    assert [s.number for s in steps(extra=True)] == list(range(1, 9))
    assert steps(8) == list(EXTRA_STEPS)
    with pytest.raises(
        UsageError, match="invalid step 9: the tour has steps 1 to 7, and an optional step 8"
    ):
        steps(9)


def test_step_8_plays_each_grouping_in_turn() -> None:
    (step,) = EXTRA_STEPS
    assert step.title == "Where else you have heard it"
    music = step.music(None)
    groupings = [bar.meter.groups for bar in music.bars]
    assert groupings == (
        [(3, 2)] * 2
        + [(2, 3)] * 2
        + [(2, 2, 3)] * 2
        + [(3, 2, 2)] * 2
        + [(2, 2, 2, 3)] * 3
        + [(3, 3, 3)]
        + [(2, 2, 3, 2, 2)] * 2
    )
    sections = list(dict.fromkeys(bar.section for bar in music.bars))
    assert sections == [
        "3+2: Take Five",
        "2+3: Tchaikovsky's Sixth",
        "2+2+3: the rachenitsa",
        "3+2+2: the kalamatianos",
        "2+2+2+3: Blue Rondo a la Turk",
        "3+3+3: Blue Rondo a la Turk",
        "2+2+3+2+2: the kopanitsa",
    ]
    assert {s.qpm for s in music.tempo_map.segments} == {168}  # one pulse for them all
    text = " ".join(step.text)
    for grouping in ("3+2", "2+3", "2+2+3", "3+2+2", "2+2+2+3", "3+3+3", "2+2+3+2+2"):
        assert f"{grouping} " in text or f"{grouping})" in text
    assert "<svg" in step.picture() and "Blue Rondo" in step.picture()


def test_step_8_alone_is_written_beside_the_tour(tmp_path: Path) -> None:
    page = write_tour(tmp_path / "tour", selected=8)
    assert page.name == "step-8.html"
    assert sorted(p.name for p in page.parent.iterdir()) == [
        "step-8.html",
        "step-8.mid",
        "step-8.svg",
        "step-8.wav",
    ]
    html = page.read_text()
    assert "8. Where else you have heard it" in html
    assert "an optional step after the seven-step tour" in html


def test_the_demo_adds_step_8_only_when_asked(tmp_path: Path) -> None:
    plain = run_theme("demo", "--out", str(tmp_path / "plain"), "--tempo", "200")
    assert plain.returncode == 0, plain.stderr
    assert "8. Where else" not in plain.stdout
    assert not (tmp_path / "plain" / "step-8.wav").exists()
    more = run_theme("demo", "--repertoire", "--out", str(tmp_path / "more"), "--tempo", "200")
    assert more.returncode == 0, more.stderr
    assert "\n8. Where else you have heard it\n" in more.stdout
    html = (tmp_path / "more" / "index.html").read_text()
    assert "8. Where else you have heard it" in html
    assert "Then step 8: where else you have heard these groupings." in html
    one = run_theme("demo", "--step", "8", "--out", str(tmp_path / "one"))
    assert one.returncode == 0, one.stderr
    assert (tmp_path / "one" / "step-8.html").exists()
    assert not (tmp_path / "one" / "index.html").exists()


@pytest.mark.parametrize(("value", "message"), [('"songs"', "invalid group 'songs'"), ("3", "")])
def test_a_file_of_ones_own_may_name_a_group_and_only_a_known_one(
    tmp_path: Path, value: str, message: str
) -> None:
    text = (DATA / "paidushko.toml").read_text().replace('group = "dances"', f"group = {value}")
    mine = tmp_path / "mine.toml"
    mine.write_text(text)
    with pytest.raises(theme.errors.VariantFileError, match=f"mine.toml: group: {message}"):
        theme.load(mine)
    mine.write_text(text.replace(f"group = {value}\n", ""))
    assert theme.load(mine).group == ""
    mine.write_text(text.replace(f"group = {value}", 'group = "repertoire"'))
    assert theme.load(mine).group == "repertoire"
