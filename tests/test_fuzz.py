"""Bad input of every kind, tried with hypothesis: always a ThemeError (one clear line and a
documented exit code from the CLI), never another exception, never a partial file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import theme
from tests.conftest import GOOD_VARIANT
from theme.cli import main
from theme.core.meter import Meter
from theme.core.rhythm import Rhythm, parse_pitches
from theme.core.tempo import Tempo
from theme.errors import AudioDeviceError, ThemeError, UsageError
from theme.renderers.audio import check_rate

FAST = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=30)
near_meter = st.from_regex(r"\A-?[0-9+ ]{0,8}/?-?[0-9 ]{0,4}\Z")
near_tempo = st.from_regex(r"\A[whqes.=]{0,3}-?[0-9./]{0,7}\Z")


@pytest.mark.parametrize(
    ("parse", "strategy"),
    [
        (Meter.parse, text),
        (Meter.parse, near_meter),
        (Tempo.parse, text),
        (Tempo.parse, near_tempo),
        (Rhythm.from_box, text),
        (parse_pitches, text),
    ],
)
@FAST
@given(data=st.data())
def test_parsers_raise_only_theme_errors(parse, strategy, data) -> None:  # type: ignore[no-untyped-def]
    value = data.draw(strategy)
    try:
        parse(value)
    except ThemeError as exc:
        message = str(exc)
        assert "\n" not in message
        assert message.startswith("invalid ")  # names the bad value, quoted, then what is allowed
        assert "'" in message or '"' in message
        assert "expected" in message or "must" in message


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    try:
        code = main(args)
    except SystemExit as exc:  # argparse usage errors
        code = int(exc.code or 0)
    return code, capsys.readouterr().err


@FAST
@given(meter=st.one_of(near_meter, text), tempo=st.one_of(near_tempo, text))
def test_metronome_and_export_options_fail_cleanly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], meter: str, tempo: str
) -> None:
    out = tmp_path / "x.mid"
    code, err = run_cli(["export", "tv-1966", "--tempo", tempo, "-o", str(out)], capsys)
    assert code in (0, 2)
    if code:
        assert err.count("\n") == 1 and err.startswith("theme")
        assert not out.exists()
    out.unlink(missing_ok=True)
    code, err = run_cli(
        ["remeter", "tv-1966", "--to", meter, "--strategy", "drop", "-o", str(out)], capsys
    )
    assert code in (0, 2)
    if code:
        assert err.count("\n") == 1 and not out.exists()
    assert list(tmp_path.iterdir()) in ([], [out])
    out.unlink(missing_ok=True)


BROKEN_MIDI = [
    b"",
    b"MThd",
    b"MThd\x00\x00\x00\x06\x00\x01\x00\x02\x03\xc0",
    b"MThd\x00\x00\x00\x06\x00\x01\x00\x01\x03\xc0MTrk\x00\x00\x00\x10\x00\x90",
    b"RIFF....WAVEfmt ",
    bytes(range(256)) * 4,
]


@pytest.mark.parametrize("content", BROKEN_MIDI)
@pytest.mark.parametrize("suffix", [".mid", ".musicxml"])
def test_broken_input_files_fail_cleanly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, suffix: str
) -> None:
    if suffix == ".musicxml":
        pytest.importorskip(
            "theme.renderers.notation", reason="the MusicXML reader is not written yet"
        )
    broken = tmp_path / f"in{suffix}"
    broken.write_bytes(content)
    out = tmp_path / "out.mid"
    code, err = run_cli(["remeter", str(broken), "-o", str(out), "--strategy", "drop"], capsys)
    assert code == 1
    assert err.startswith("theme: error: cannot read") and err.count("\n") == 1
    assert not out.exists()


@FAST
@given(data=st.binary(max_size=400))
def test_random_bytes_as_midi_fail_cleanly(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "random.mid"
    path.write_bytes(b"MThd" + data)
    try:
        theme.read_midi(path)
    except ThemeError as exc:
        assert str(path) in str(exc)


@pytest.mark.parametrize(
    ("output", "message", "exit_code"),
    [
        ("missing-folder/x.mid", "does not exist", 1),
        ("x.doc", "unknown output format", 2),  # a bad value, as the README says
        (".", "unknown output format", 2),
        ("folder.mid", "it is a folder", 1),
    ],
)
def test_bad_output_paths(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    output: str,
    message: str,
    exit_code: int,
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "folder.mid").mkdir()
    code, err = run_cli(["export", "tv-1966", "-o", output], capsys)
    assert code == exit_code
    assert message in err and err.count("\n") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder.mid"]


def test_read_only_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import os

    if os.geteuid() == 0:  # root writes anywhere on disk; sysfs refuses even root
        target = Path("/sys/theme-test.mid")
    else:
        folder = tmp_path / "ro"
        folder.mkdir()
        folder.chmod(0o500)
        target = folder / "x.mid"
    code, err = run_cli(["export", "tv-1966", "-o", str(target)], capsys)
    assert code == 1
    assert err.startswith(f"theme: error: cannot write '{target}'") and err.count("\n") == 1
    assert not target.exists()


def test_failed_export_keeps_the_old_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "keep.mid"
    out.write_bytes(b"precious")
    code, _ = run_cli(["export", "tv-1966", "--tempo", "fast", "-o", str(out)], capsys)
    assert code == 2
    assert out.read_bytes() == b"precious"
    code, _ = run_cli(["export", "tv-1966", "-p", "intro_bars=999", "-o", str(out)], capsys)
    assert code == 2
    assert out.read_bytes() == b"precious"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.mid"]


VALUES = ['"q=120"', '"bass"', '["C2"]', '"s"', '"5/4"', "2", '{ a = "X..x..x.x." }', '"F"', '"f"']


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    which=st.sampled_from(VALUES),
    replacement=st.one_of(
        text.map(lambda t: '"' + t.replace('"', "").replace("\\\\", "") + '"'),
        st.integers(-5, 5).map(str),
        text,
    ),
)
def test_mutated_variant_files_fail_cleanly(tmp_path: Path, which: str, replacement: str) -> None:
    path = tmp_path / "fuzz.toml"
    path.write_text(GOOD_VARIANT.replace(which, replacement, 1))
    try:
        theme.load(path).timeline()
    except ThemeError as exc:
        assert "\n" not in str(exc) and str(path) in str(exc)


@given(rate=st.integers(-(10**9), 10**9))
def test_sample_rates(rate: int) -> None:
    if rate in (44100, 48000):
        assert check_rate(rate) == rate
    else:
        with pytest.raises(
            UsageError, match=rf"invalid sample rate {rate}: expected 44100 or 48000"
        ):
            check_rate(rate)


@given(name=text)
def test_device_names(name: str) -> None:
    import theme.live.engine.sinks as sinks

    fake = [
        sinks.Device(0, "Built-in Output", "ALSA", 2, True),
        sinks.Device(3, "USB Speaker", "ALSA", 2, False),
    ]
    original = sinks.devices
    sinks.devices = lambda: fake  # type: ignore[assignment]
    try:
        chosen = sinks.resolve_device(name)
        assert chosen in (None, 0, 3)
    except AudioDeviceError as exc:
        assert "unknown output device" in str(exc) and "\n" not in str(exc)
    finally:
        sinks.devices = original  # type: ignore[assignment]


def test_a_huge_file_that_is_not_midi(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    huge = tmp_path / "huge.mid"
    with huge.open("wb") as f:
        f.truncate(50 * 1024 * 1024)
    code, err = run_cli(
        ["remeter", str(huge), "-o", str(tmp_path / "o.mid"), "--strategy", "drop"], capsys
    )
    assert code == 1 and "not a valid MIDI file" in err and not (tmp_path / "o.mid").exists()


def test_a_musicxml_file_in_the_wrong_meter(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    four = tmp_path / "four.musicxml"
    assert run_cli(["export", "remix-2000", "--bars", "2", "-o", str(four)], capsys)[0] == 0
    code, err = run_cli(
        ["remeter", str(four), "-o", str(tmp_path / "o.mid"), "--strategy", "squeeze"], capsys
    )
    assert code == 2 and "needs music in 5/4" in err and not (tmp_path / "o.mid").exists()


@FAST
@given(
    option=st.sampled_from(
        [
            ("export", "tv-1966", "--count-in"),
            ("export", "tv-1966", "--bars"),
            ("export", "tv-1966", "--repeat"),
            ("export", "tv-1966", "--rate"),
            ("export", "tv-1966", "--pitches"),
            ("export", "tv-1966", "-p"),
            ("export", "tv-1966", "--strategy"),
            ("metronome", "5/4", "--bars", "2", "--gap"),
            ("metronome", "5/4", "--bars", "2", "--ramp"),
            ("metronome", "5/4", "--bars", "2", "--accel"),
            ("metronome", "5/4", "--bars", "2", "--accent"),
            ("metronome", "5/4", "--bars", "2", "--swing"),
            ("metronome", "5/4", "--bars", "2", "--count-in"),
            ("metronome", "5/4", "--bars", "2", "--vs"),
            ("dance", "--meter"),
            ("dance", "--steps"),
        ]
    ),
    value=st.one_of(text, st.integers(-(10**6), 10**6).map(str), near_tempo),
)
def test_every_option_value_fails_cleanly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], option: tuple[str, ...], value: str
) -> None:
    out = tmp_path / ("x.mid" if option[0] != "dance" else "x.svg")
    code, err = run_cli([*option, value, "-o", str(out)], capsys)
    assert code in (0, 1, 2)
    if code:
        assert err.count("\n") == 1 and err.startswith("theme"), err
        assert list(tmp_path.iterdir()) == []
    for made in tmp_path.iterdir():
        made.unlink()


@FAST
@given(value=st.one_of(text, st.floats(allow_nan=True, allow_infinity=True).map(str)))
def test_display_delays(value: str) -> None:
    from theme.cli.common import display_delay_seconds

    try:
        seconds = display_delay_seconds(float(value))
    except ValueError as exc:  # what argparse's float() refuses, argparse reports
        assert isinstance(exc, UsageError) or "could not convert" in str(exc)
    else:
        assert -2.0 <= seconds <= 2.0


# -- variant files of any shape ------------------------------------------------------------


def toml_key(key: str) -> str:
    """A TOML key: bare when it can be, else a quoted string."""
    import re

    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else toml_value(key)


def toml_value(value: object) -> str:
    """A tiny TOML emitter for the shapes generated here: strings, ints, floats (nan and inf
    too), booleans, lists as arrays and dicts as inline tables, nested to any depth."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value:
            return "nan"
        if value in (float("inf"), float("-inf")):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        escaped = "".join(
            f"\\u{ord(c):04x}" if ord(c) < 0x20 or ord(c) == 0x7F or c in '"\\' else c
            for c in value
        )
        return f'"{escaped}"'
    if isinstance(value, Nested):
        return "[" * value.depth + toml_value(value.value) + "]" * value.depth
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{toml_key(k)} = {toml_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(type(value))


def toml_document(data: dict) -> str:
    """A TOML document of ``key = value`` lines (every table inline)."""
    return "".join(f"{toml_key(k)} = {toml_value(v)}\n" for k, v in data.items())


GOOD_DATA: dict = {
    "name": "f",
    "title": "F",
    "tempo": "q=120",
    "grid": "1/2",
    "parameters": {"bars": {"default": 2, "min": 1, "max": 8, "help": "bars"}},
    "layers": {"a": {"voice": "bass", "pitches": ["C2", 40]}, "b": {"voice": "bongo"}},
    "sections": [
        {"name": "s", "meter": "5/4", "bars": "{bars}", "patterns": {"a": "X..x..x.x."}},
        {
            "name": "t",
            "meter": "7/8",
            "bars": 1,
            "patterns": {"a": {"box": "x.x.x..", "pitches": [36]}},
        },
    ],
    "claims": [{"claim": "c", "confidence": "our-choice", "source": "s"}],
}
GOOD_DATA["layers"]["b"]["pitches"] = [60]
WORDS = ["5/4", "3+2/4", "1/2", "1/64", "1e-9", "X..x..x.x.", "x", "bass", "tuba", "q=120",
         "{bars}", "{nope}", "verified", "squeeze", "clave", "C2", "\u001b[31m", ""]  # fmt: skip
scalars = st.one_of(
    st.sampled_from(WORDS),
    text,
    st.integers(-(10**6), 10**6),
    st.integers(-(10**200), 10**200),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
)
keys = st.one_of(
    st.sampled_from(["name", "meter", "bars", "patterns", "box", "voice", "pitches", "a", "s"]),
    text.filter(bool),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=4)),
    max_leaves=12,
)


@dataclass(frozen=True)
class Nested:
    """``value`` inside ``depth`` lists, written as such without building them (so that
    neither the emitter nor hypothesis's report recurses)."""

    value: object
    depth: int


@st.composite
def shapes(draw: st.DrawFn) -> dict:
    """A variant document whose structure is changed: at random paths a value is dropped,
    replaced by a value of any shape (a list where a table belongs, a number where a list
    belongs...), wrapped in deep lists, or an extra key is added."""
    import copy

    data = copy.deepcopy(GOOD_DATA)
    for _ in range(draw(st.integers(1, 4))):
        parent: object = data
        path = []
        while isinstance(parent, (dict, list)) and parent and draw(st.booleans()):
            key = draw(
                st.sampled_from(sorted(parent) if isinstance(parent, dict) else range(len(parent)))
            )
            path.append((parent, key))
            parent = parent[key]  # type: ignore[index]
        if not path:
            path.append((data, draw(st.sampled_from(sorted(data)))))
        holder, key = path[-1]
        action = draw(st.sampled_from(["drop", "replace", "nest", "extra"]))
        if action == "drop" and isinstance(holder, dict):
            del holder[key]
        elif action == "nest":
            holder[key] = Nested(holder[key], draw(st.sampled_from([1, 2, 9, 40, 1100])))
        elif action == "extra" and isinstance(holder, dict):
            holder[draw(keys)] = draw(values)
        else:
            holder[key] = draw(values)
    return data


class TookTooLong(Exception):
    pass


def within_seconds(seconds: float, call):  # type: ignore[no-untyped-def]
    """``call()`` run with a timer that interrupts it after ``seconds``."""
    import signal

    def interrupt(signum, frame):  # type: ignore[no-untyped-def]
        raise TookTooLong(f"more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return call()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.one_of(shapes(), st.dictionaries(keys, values, max_size=6)))
def test_variant_files_of_any_shape_load_or_fail_cleanly(tmp_path: Path, data: dict) -> None:
    path = tmp_path / "shape.toml"
    path.write_text(toml_document(data), encoding="utf-8")

    def load_and_lay_out() -> None:
        variant = theme.load(path)
        timeline = variant.timeline()
        assert timeline.bars and len(timeline.bars) == variant.total_bars

    try:
        within_seconds(10, load_and_lay_out)
    except ThemeError as exc:
        message = str(exc)
        assert "\n" not in message and len(message) < 2000
        assert str(path) in message or "parameter" in message, message
