"""The model floor: a frozen timeline, typed markers, imports that only look down, the
notebook's HTML registered from above, and exports that stay byte for byte what they were."""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import subprocess
import sys
import types
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import theme
from theme.core.events import Marker, MarkerKind
from theme.core.meter import Meter
from theme.core.remeter import STRATEGIES, remeter, remetered_starts
from theme.core.tempo import TempoMap
from theme.core.timeline import Timeline

MIDI_SHA256 = {
    ("balkan-11", None): "3e33c08c175cd8f16d1b7424bdbe67e69fc8e34c9a543e10ec269308b6922389",
    ("balkan-7", None): "3df847b781eb4099546ab3c5a86f6de1f6b973b49188079a368ae9150a16d8e5",
    ("balkan-9", None): "10d81a82c2a7e6fb3ac89b8470e6ea2928704dcf9a5dab83a6b2d3af3f1d0c99",
    ("film", None): "9195aab3ef12c2460b95bf932520d888c6ec4f3c7c4269c54259004ed5a89e1b",
    ("limping-waltz", None): "60dcd5665d9a908fe0ff98042954617033b18be39b1dfe7d8d96839ff299bd91",
    ("remix-1996", None): "930d7286184a256acd9ebb886e3fccbe7ab75a05f592232de76f42d1a5c60cf2",
    ("remix-2000", None): "a1a8b7dafb353a40baca5a230809bb6329c126a6881d35b01a80d765733eaeb3",
    ("take-five-vamp", None): "471acb2e237c5ad6548a61881269f4cd7a7c6f903a3b6c1ecc38eb07ec3b601d",
    ("tv-1966", None): "d92bd0e5c3230568a787d4eed99e1252d5350e3624ec23f29478acc0ba6113c7",
    ("tv-1966", "drop"): "15b1e90679bc9a8533f0e1baaadad39b84987ec27f9897adfe32a1b45cc6e07a",
    ("tv-1966", "rebar"): "038ed7069fe06d7f0f74f2185f831ac0972cf3ada51f401ed9a085edc03f400f",
    ("tv-1966", "squeeze"): "71cbe17416e71eb27880123f40c234378c39c59457e03e6465981a7f997f40fc",
    # The repertoire and the dances, as they were first written:
    ("blue-rondo", None): "dc4b2070025ffbec35c1bd6f64436430a82c15bc0338cf21d3dbcbac90bc913c",
    ("daychovo", None): "27222a07f374193c0b23b62146d4452fd0ee8a5422ad2b7b91bb69e0c1c925a4",
    ("fifteen-step", None): "6164b1a5fba2ef051c5b24f2f09430ea4d18af4f15f2a9a368c5886debf55924",
    ("kalamatianos", None): "61616e085c90a1da8e32fdc81d8cb39e8ec84d9ab668099d6c66019dd225c8b2",
    ("kopanitsa", None): "80f875f3a5ec33d85887645d2d2895ac3c6359b859342cacd501588204231fe9",
    ("lesnoto", None): "861878064079d6ea2721189096e880bd741e7d8e38cc14e010059ef74fd81ddb",
    (
        "living-in-the-past",
        None,
    ): "934cb6cfcc66f51694749e60aba82c0bf3b1f835223fda7623affabfdf52f04c",
    ("mars", None): "4b0093732b0846ffb7efb71ad76be871bbfd5aa8e6a57dd50bf0ddcf1c9b0673",
    ("money", None): "158ac7461b4d3d9b65d1f536761b619f97409755df710a2e4c5fc8ab5952824a",
    ("paidushko", None): "068f39015715983d4e3294842cfd8bcfd5013bfaec4cf17057b23fc0a20be65f",
    ("rachenitsa", None): "c396afdf96e7e343ba6729e706044c523c0028862e172988f14315abe923cc09",
    ("seven-days", None): "f393c50c9dce45c4cef4bf17239248ffb77163c6c5534653a2d41c92c6a984b7",
    ("solsbury-hill", None): "f48fda8dadc5e26e5c51c3c9a88af93699a5965a1517886d9ffbf80a2ae9cafd",
    ("unsquare-dance", None): "1ece0c9f9bcf21f963849b9e32de7df59cb639be01e1ce31fa01d4ec1aff9470",
    ("whipping-post", None): "ca056c3d7b151b52df8c3a073780fa27926ee22415363d165161de120f9468e2",
}
"""The MIDI export of every built-in variant (and of tv-1966 through three strategies), as
it was before the model was made frozen, typed and layered (the repertoire and the dances:
as they were first written), with the titles retitled to read as titles: written with their
old titles, the files are those bytes as they were."""

MODEL = ("core", "errors", "safe_text")
"""The model floor (``theme.core``) and the two modules below it. Which floor may import
which is ``lint-imports``'s contract (pyproject.toml), checked in CI; this test checks what
importing the model loads when it runs."""


def test_every_built_in_variant_is_recorded() -> None:
    assert {name for name, _ in MIDI_SHA256} == set(theme.names())


@pytest.mark.parametrize(("name", "strategy"), sorted(MIDI_SHA256, key=str))
def test_midi_exports_stay_byte_identical(tmp_path: Path, name: str, strategy: str | None) -> None:
    timeline = theme.load(name).timeline()
    if strategy is not None:
        timeline = remeter(timeline, strategy, strict=False)
    out = theme.write(timeline, tmp_path / "x.mid")
    assert hashlib.sha256(out.read_bytes()).hexdigest() == MIDI_SHA256[(name, strategy)]


@pytest.mark.parametrize("field", ["title", "bars", "tempo_map", "layers", "events", "markers"])
def test_a_timeline_is_frozen(field: str) -> None:
    timeline = theme.load("tv-1966").timeline()
    with pytest.raises(dataclasses.FrozenInstanceError, match=field):
        setattr(timeline, field, getattr(timeline, field))


def test_with_tempo_makes_a_new_timeline_and_leaves_the_old_one() -> None:
    timeline = theme.load("tv-1966").timeline(tempo=120)
    faster = timeline.with_tempo(TempoMap.constant(150))
    assert [s.qpm for s in faster.tempo_map.segments] == [150]
    assert [s.qpm for s in timeline.tempo_map.segments] == [120]
    assert faster.events == timeline.events and faster.bars == timeline.bars


def test_events_given_out_of_order_are_sorted() -> None:
    timeline = theme.load("balkan-7").timeline()
    shuffled = Timeline.build(
        title="t",
        bars=[(b.meter, b.section) for b in timeline.bars],
        tempo=120,
        layers=timeline.layers.values(),
    ).with_events(timeline.events[::-1])
    assert shuffled.events == timeline.events
    assert shuffled.events_between(Fraction(0), Fraction(7, 2)) == timeline.bar_events(
        timeline.bars[0]
    )


meters = st.lists(st.integers(1, 9), min_size=1, max_size=6).flatmap(
    lambda groups: st.sampled_from([4, 8, 16]).map(
        lambda d: Meter.parse("+".join(map(str, groups)) + f"/{d}")
    )
)


@given(meter=meters, at=st.fractions(min_value=0, max_value=1000))
def test_a_meter_marker_reads_back_as_the_meter_it_holds(meter: Meter, at: Fraction) -> None:
    marker = Marker(at, MarkerKind.METER, meter)
    assert marker.midi_text() == f"meter {meter.explicit}"
    assert Marker.from_midi_text(at, marker.midi_text()) == marker


@given(text=st.text(max_size=300))
def test_any_other_marker_text_reads_back_as_text_or_a_meter(text: str) -> None:
    marker = Marker.from_midi_text(Fraction(0), text)
    assert marker.midi_text() == text or marker.kind is MarkerKind.METER


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        (MarkerKind.METER, "3+2/4", "a meter marker holds a Meter, not '3\\+2/4'"),
        (MarkerKind.SECTION, Meter.parse("5/4"), "a section marker holds a str"),
        ("meter", "x", "a marker's kind must be a MarkerKind"),
    ],
)
def test_a_marker_holds_the_value_its_kind_says(kind: object, value: object, message: str) -> None:
    with pytest.raises(TypeError, match=message):
        Marker(Fraction(0), kind, value)  # type: ignore[arg-type]


def test_a_timeline_marks_meters_and_sections_by_kind() -> None:
    timeline = theme.load("remix-1996").timeline()
    meters = [m.value for m in timeline.markers if m.kind is MarkerKind.METER]
    assert meters == [meter for _, meter in timeline.meter_changes()]
    sections = [m.value for m in timeline.markers if m.kind is MarkerKind.SECTION]
    assert sections and all(isinstance(name, str) for name in sections)


def test_importing_the_model_loads_no_module_above_it() -> None:
    code = (
        "import sys, theme.core.timeline, theme.core.remeter\n"
        "print(' '.join(m for m in sys.modules if m.startswith('theme.')))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert {m.split(".")[1] for m in loaded} <= set(MODEL), loaded


class _Formatter:
    def __init__(self) -> None:
        self.registered: dict[tuple[str, str], object] = {}

    def for_type_by_name(self, module: str, name: str, function: object) -> None:
        self.registered[(module, name)] = function


def test_import_theme_registers_the_notebook_html_with_ipython(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    formatter = _Formatter()
    shell = types.SimpleNamespace(
        display_formatter=types.SimpleNamespace(formatters={"text/html": formatter})
    )
    fake = types.ModuleType("IPython")
    fake.get_ipython = lambda: shell  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "IPython", fake)
    importlib.reload(theme)
    assert set(formatter.registered) == {
        ("theme.core.timeline", "Timeline"),
        ("theme.variants.model", "Variant"),
        ("theme.core.remeter", "Strategy"),
        ("theme.metronome", "Metronome"),
    }
    # registered by the module each class is defined in, as IPython looks it up
    assert all(
        getattr(importlib.import_module(m), n).__module__ == m for m, n in formatter.registered
    )
    show = formatter.registered[("theme.core.remeter", "Strategy")]
    html = show(theme.STRATEGIES["drop"])  # type: ignore[operator]
    assert "drop: 3+3+2 (tresillo)" in html and "<svg" in html and "<audio" in html


def test_without_a_running_ipython_nothing_is_registered(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = types.ModuleType("IPython")
    fake.get_ipython = lambda: None  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "IPython", fake)
    importlib.reload(theme)  # no shell: no error, nothing to register with
    assert theme.read is not None


@pytest.mark.parametrize("suffix", [".mid", ".musicxml"])
def test_read_gives_back_what_write_wrote(tmp_path: Path, suffix: str) -> None:
    timeline = theme.load("balkan-7").timeline()
    back = theme.read(theme.write(timeline, tmp_path / f"x{suffix}"))
    assert [b.meter for b in back.bars] == [b.meter for b in timeline.bars]
    assert [e.onset for e in back.events] == [e.onset for e in timeline.events]


def test_read_takes_a_variant_file_and_a_name(tmp_path: Path) -> None:
    assert len(theme.read("tv-1966").bars) == len(theme.load("tv-1966").timeline().bars)
    with pytest.raises(theme.ThemeError, match=r"cannot read '.*x\.txt': expected a \.mid"):
        theme.read(tmp_path / "x.txt")


@pytest.mark.parametrize("suffix", [".wav", ".mid"])
def test_write_takes_a_metronome(tmp_path: Path, suffix: str) -> None:
    from theme.metronome import Metronome

    metronome = Metronome("5/4", bpm=160, bars=2)
    out = theme.write(metronome, tmp_path / f"m{suffix}")
    if suffix == ".mid":
        expected = theme.write(metronome.timeline(), tmp_path / "t.mid")
        assert out.read_bytes() == expected.read_bytes()
    else:
        assert out.stat().st_size > 48000 * 2 * 60 / 160 * 5  # two bars of 16-bit stereo


@pytest.mark.parametrize("name", ["squeeze", "drop", "stretch", "rebar"])
def test_each_bar_lands_on_a_barline_of_the_remetered_timeline(name: str) -> None:
    timeline = theme.load("remix-1996").timeline()
    result = remeter(timeline, name, strict=False)
    starts = [remetered_starts(timeline, name)[bar.number] for bar in timeline.bars]
    assert starts == sorted(starts) and starts[0] == 0
    barlines = [bar.start for bar in result.bars]
    assert set(starts) <= set(barlines) or name == "rebar"  # rebar: bars cross the old lines
    kept = [bar for bar in timeline.bars if not STRATEGIES[name].matches(bar.meter)]
    assert all(result.bar_at(starts[bar.number - 1]).meter == bar.meter for bar in kept)
