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
    ("balkan-11", None): "8ec271c3688718a89e89c2f0fa6d535a7d086a24eead0cc55c39ddc258f04829",
    ("balkan-7", None): "2f30712f385c9691372d0742eb993e616c45dc51501fdd96ec79fb10930ca393",
    ("balkan-9", None): "4205b49a0fff80a25375f59f114eb81455cb53fe082ccb59dddf31f0f48c67b6",
    ("film", None): "8bf20b69c8924dc3447d8ba0e2547bddba93d890da5abaa1c2b967b53e29010a",
    ("limping-waltz", None): "49b313736257e4a6e96ff0939fdc6342f8ac732b67fb7d4b4e33cbab42dc657a",
    ("remix-1996", None): "a037702ba393ba96d92e0d91e30ae2af212ec6382ba0bbb20dd8da392adca97a",
    ("remix-2000", None): "cd399d3cd448ea24eee418bd2a6d92e2544143190e5b3fa177f9e58c4901891d",
    ("take-five-vamp", None): "e3bf531ef592c7dc8d3a61ae268cde50e226100a0cff9b8da34f51c454787db6",
    ("tv-1966", None): "dad08a6395b8c6e6fc41ebf263b783969a457695741d72b1f3ace46fd4a2f4a2",
    ("tv-1966", "drop"): "3d780e9754626a6aa635fd4968d7e2c7dc7e2dcd2b3c4081d03e68f1eb49d990",
    ("tv-1966", "rebar"): "c4f3967ab0fcc25424bb50d379e3884ea149925f6ba911cb52c7daf425e449dd",
    ("tv-1966", "squeeze"): "b13aa9570ed7cd61413044f250330af5e5fae678c8e3e6c9d2a03060d264fe92",
    # The repertoire and the dances, as they were first written:
    ("blue-rondo", None): "f545865b3318713622381cda577fdf8f682aebce043a46c991276c12236f7bb0",
    ("daychovo", None): "f75f2b5793ee0e2270c5c27081a00020a8beb1225c0826c24377b42975cdc502",
    ("fifteen-step", None): "9f1039c8576041521a63591ef74068835473c108cff3889414d6590ce745e836",
    ("kalamatianos", None): "ce09fe5ae4e38c4678b62362e9a2a8c9be1fb9e957e0cc5dd14cf19f7bd6683f",
    ("kopanitsa", None): "08c027670d1144fac1e849e6951ede4cdff735ed6b16ad530c4c56fbb9b92659",
    ("lesnoto", None): "a7a66447b465bb945bc4bf1f39609ba2df6dec297808e6c7a42dff5313c02bf4",
    (
        "living-in-the-past",
        None,
    ): "42d27516148878ae2ef3976b9318500c9035d4790a9e1497045fddb6ef3eaca9",
    ("mars", None): "bef50af0dbc20c1259c3895c40e5ce82d411ba0bf4c2ed139e8406c1d6a401fc",
    ("money", None): "64dd8b73973bde5c1f4bd506c0e4b09102345bb718c3a5ecb8ba26573d9fce73",
    ("paidushko", None): "167a4c058b445eec886ddfc9285514f7ac12f80c3867dae45c9eedc66e60cb69",
    ("rachenitsa", None): "929ab1a44b6de921d21f2d63b598ba5915630c4916147f4bb7197f10fe751126",
    ("seven-days", None): "3717153c5c9b9df4060c124ea8c51f4daf9dbb3f21af5599cac8888415bd818a",
    ("solsbury-hill", None): "22c2150049fc623a062cca27e7108bdb980104252329d4e61d37d4bb4d120546",
    ("unsquare-dance", None): "fe3a1b2eb6e23b135513d5ce785ec90d8f3722004d616649ece0fcc47c79ad24",
    ("whipping-post", None): "532dc98119af3915630febb26e0358d8c8998fb3d8338e89d3d0aaa42c2683fb",
}
"""The MIDI export of every built-in variant (and of tv-1966 through three strategies), as
it was before the model was made frozen, typed and layered (the repertoire and the dances:
as they were first written)."""

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
