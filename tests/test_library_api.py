"""The library's doors: a Variant accepted where a Timeline is expected, wrong types as
TypeError and wrong values as ValueError (UsageError), each message naming the value and
what is allowed; and ``theme show``'s work linear in the bars."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

import theme
from theme.core.timeline import MAX_EVENTS, Layer, as_timeline
from theme.errors import UsageError, VariantError


@pytest.fixture(scope="module")
def variant() -> theme.Variant:
    return theme.load("tv-1966", intro_bars=1, melody_bars=1)


def test_write_takes_a_variant(tmp_path: Path, variant: theme.Variant) -> None:
    path = theme.write(variant, tmp_path / "x.mid")
    assert theme.read_midi(path).length == variant.timeline().length
    assert theme.write_midi(variant, tmp_path / "y.mid").exists()


def test_render_takes_a_variant(variant: theme.Variant) -> None:
    assert (
        theme.render(variant, rate=44100).shape
        == theme.render(variant.timeline(), rate=44100).shape
    )


def test_play_takes_a_variant(variant: theme.Variant) -> None:
    from theme.live.engine.sinks import ArraySink

    sink = ArraySink(rate=48000)
    theme.play(variant, sink=sink, wait=True)
    assert len(sink.data) >= 48000 * float(variant.timeline().duration_seconds)


@pytest.mark.parametrize("music", [5, "tv-1966", None, [1, 2]])
def test_music_of_another_type_is_a_type_error(tmp_path: Path, music: object) -> None:
    with pytest.raises(TypeError, match=r"must be a Timeline or a Variant .*not "):
        theme.write(music, tmp_path / "x.mid")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"must be a Timeline or a Variant"):
        as_timeline(music)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"repeat": "2"}, TypeError, "repeat must be an int, not str"),
        ({"repeat": 2.0}, TypeError, "repeat must be an int, not float"),
        ({"bars": True}, TypeError, "bars must be an int, not bool"),
        ({"bars": 10**5000}, VariantError, "invalid bars an int of 5001 digits: expected 1 to"),
        ({"repeat": 10**9}, VariantError, "invalid repeat 1000000000: expected 1 to"),
        ({"tempo": 1.5}, TypeError, "tempo must be a str, an int, a Fraction or a Tempo"),
        ({"pitches": {"bass": (200,)}}, VariantError, r"\(200,\); expected .* 0 to 127"),
        ({"pitches": {"bass": (-1, 40)}}, VariantError, "MIDI note numbers 0 to 127"),
        ({"pitches": {"bass": ()}}, VariantError, "one or more MIDI note numbers"),
        ({"pitches": {"bass": ("C2",)}}, TypeError, "must be a tuple of ints"),
        ({"pitches": {"bass": 36}}, TypeError, "must be a tuple of ints, not 36"),
        ({"pitches": [("bass", (36,))]}, TypeError, "pitches must be a dict"),
        ({"pitches": {"tuba": (36,)}}, VariantError, "invalid pitches for layer 'tuba'"),
    ],
)
def test_timeline_checks_its_arguments_at_the_door(
    variant: theme.Variant, options: dict, error: type, message: str
) -> None:
    with pytest.raises(error, match=message):
        variant.timeline(**options)


def test_wrong_values_are_value_errors(variant: theme.Variant) -> None:
    with pytest.raises(ValueError, match="0 to 127"):
        variant.timeline(pitches={"bass": (128,)})


def test_notes_are_counted_before_they_are_made() -> None:
    from dataclasses import replace

    busy = theme.load("balkan-7")
    fast = replace(busy.sections[0].patterns[0], rhythm=theme.Rhythm.from_box("x" * 4096, "1/64"))
    section = replace(busy.sections[0], patterns=(fast,), bars=10_000)
    with pytest.raises(VariantError, match=f"expected at most {MAX_EVENTS}"):
        replace(busy, sections=(section,)).timeline()


@pytest.mark.parametrize(
    ("fields", "error", "message"),
    [
        ({"voice": "tuba"}, UsageError, "unknown voice 'tuba': expected one of bass, lead"),
        ({"gain": float("nan")}, UsageError, "invalid gain nan: expected 0"),
        ({"gain": 5}, UsageError, "invalid gain 5: expected 0 \\(silent\\) to 4"),
        ({"pan": float("nan")}, UsageError, "invalid pan nan"),
        ({"program": 128}, UsageError, "invalid program 128: expected 0 to 127"),
        ({"program": 1.0}, TypeError, "program must be int, not 1.0"),
        ({"gain": "1"}, TypeError, "gain must be a number, not '1'"),
        ({"channel": 16}, UsageError, "invalid MIDI channel 16"),
    ],
)
def test_layers_are_checked_when_made(fields: dict, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        Layer(**{"name": "a", "voice": "bass", **fields})


def test_every_voice_a_layer_may_name_has_a_sound() -> None:
    from theme.renderers.voices import VOICES, waveform

    for voice in VOICES:
        assert waveform(voice, 60, 48000, seconds=0.25).size


def _show_seconds(bars: int) -> float:
    from theme.renderers.text import section_grids

    variant = theme.load("tv-1966")
    best = float("inf")
    for _ in range(3):  # the CPU of this thread: beside other work the clock's time was 3x
        start = time.thread_time()
        section_grids(variant.timeline(bars=bars))
        best = min(best, time.thread_time() - start)
    return best


def test_show_is_linear_in_the_bars() -> None:
    """Eight times the bars takes about eight times as long (it took 64 times: every bar's
    grid scanned every event of the timeline)."""
    ratio = _show_seconds(800) / _show_seconds(100)
    assert ratio < 24, ratio
