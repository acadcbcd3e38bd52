"""Fuzzing the readers by structure: MIDI files built from messages of every kind and any
header, MusicXML trees with elements in odd orders, missing or extra children and odd
numbers. Each file is read within :data:`CPU_SECONDS` of the process's CPU time (the readers
are bounded by the file's size; CPU time, not the wall clock, which a loaded machine
stretches: 4.7 s for a file read in 1 ms once the machine was free): the answer is one clean
ThemeError naming the file, or a valid timeline that writes back to MIDI."""

from __future__ import annotations

import io
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import mido
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.conftest import varlen
from theme.core.timeline import MAX_BARS, Timeline
from theme.errors import ThemeError
from theme.readers.midi import read_midi
from theme.readers.musicxml import read_musicxml
from theme.renderers.midi import midi_file

FUZZ = settings(
    max_examples=150,
    deadline=None,  # the bound is on CPU time (check)
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
CPU_SECONDS = 3.0
"""The CPU time a file's reading and writing back may take (seconds)."""


data7 = st.integers(0, 127)
channels = st.integers(0, 15)
channel_messages = st.one_of(
    st.builds(
        lambda c, n, v: mido.Message("note_on", channel=c, note=n, velocity=v),
        channels,
        data7,
        data7,
    ),
    st.builds(
        lambda c, n, v: mido.Message("note_off", channel=c, note=n, velocity=v),
        channels,
        data7,
        data7,
    ),
    st.builds(
        lambda c, n, v: mido.Message("polytouch", channel=c, note=n, value=v),
        channels,
        data7,
        data7,
    ),
    st.builds(
        lambda c, n, v: mido.Message("control_change", channel=c, control=n, value=v),
        channels,
        data7,
        data7,
    ),
    st.builds(lambda c, p: mido.Message("program_change", channel=c, program=p), channels, data7),
    st.builds(lambda c, v: mido.Message("aftertouch", channel=c, value=v), channels, data7),
    st.builds(
        lambda c, v: mido.Message("pitchwheel", channel=c, pitch=v),
        channels,
        st.integers(-8192, 8191),
    ),
    st.builds(lambda d: mido.Message("sysex", data=d), st.lists(data7, max_size=8)),
).map(
    lambda message: (
        bytes(message.bytes())
        if message.type != "sysex"
        else b"\xf0" + varlen(len(message.data) + 1) + bytes(message.data) + b"\xf7"
    )
)
meta_events = st.builds(
    lambda kind, payload: b"\xff" + bytes([kind]) + varlen(len(payload)) + payload,
    st.sampled_from([0x01, 0x03, 0x06, 0x2F, 0x51, 0x54, 0x58, 0x59, 0x7F, 0x20, 0x21]),
    st.one_of(
        st.binary(max_size=6),
        st.sampled_from([b"meter 3+2/4", b"meter 2+3/4", b"meter 99999999999/4", "ミ".encode()]),
        st.text(max_size=12).map(str.encode),
    ),
)
events = st.tuples(
    st.one_of(st.integers(0, 960), st.integers(0, 0x0FFFFFFF)),
    st.one_of(channel_messages, channel_messages, meta_events, st.binary(min_size=1, max_size=4)),
)
note_pairs = st.builds(
    lambda c, n, length: (0, bytes([0x90 | c, n, 100]) + varlen(length) + bytes([0x80 | c, n, 0])),
    channels,
    data7,
    st.integers(1, 2000),
)
tracks = st.lists(st.one_of(note_pairs, events), max_size=30).map(
    lambda evs: b"".join(varlen(delta) + data for delta, data in evs) + b"\x00\xff\x2f\x00"
)


@st.composite
def midi_files(draw: st.DrawFn) -> bytes:
    chunks = draw(st.lists(tracks, min_size=0, max_size=4))
    kind = draw(st.one_of(st.sampled_from([0, 1, 1, 1]), st.integers(0, 5)))
    division = draw(st.one_of(st.sampled_from([96, 480, 960, 1]), st.integers(0, 0xFFFF)))
    count = draw(st.one_of(st.just(len(chunks)), st.integers(0, 8)))
    header = b"MThd\x00\x00\x00\x06" + b"".join(
        n.to_bytes(2, "big") for n in (kind, count, division)
    )
    body = b"".join(b"MTrk" + len(c).to_bytes(4, "big") + c for c in chunks)
    cut = draw(st.one_of(st.none(), st.integers(0, len(header) + len(body))))
    return (header + body)[:cut]


def check(read: object, path: Path) -> None:
    """A clean error naming the file, or a valid timeline that writes to MIDI, within
    :data:`CPU_SECONDS`."""
    began = time.process_time()
    try:
        timeline = read(path)  # type: ignore[operator]
    except ThemeError as exc:
        event(f"refused: {str(exc).split(': ', 1)[-1][:30]}")
        assert str(exc).startswith("cannot read") and f"'{path}'" in str(exc), exc
        assert "\n" not in str(exc)
    else:
        assert isinstance(timeline, Timeline)
        event("read")
        assert 1 <= len(timeline.bars) <= MAX_BARS
        for e in timeline.events:
            assert 0 <= e.onset < timeline.length and e.duration > 0, e
            assert 0 <= e.pitch <= 127 and 1 <= e.velocity <= 127 and e.layer in timeline.layers
        midi_file(timeline).save(file=io.BytesIO())
    assert time.process_time() - began < CPU_SECONDS


@pytest.mark.filterwarnings("ignore::theme.readers.InputFileWarning")
@FUZZ
@given(content=midi_files())
def test_midi_files_built_from_any_messages(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "fuzz.mid"
    path.write_bytes(content)
    check(read_midi, path)


SOUND = st.integers(1, 8).map(str)
"""Numbers MusicXML allows (so that the odd orders and missing children are what is tried)."""
HOSTILE = st.one_of(
    st.integers(1, 8).map(str),
    st.integers(-3, 12).map(str),
    st.integers(0, 10**12).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["", " 2 ", "x", "1e300", "0.0001", "-0", "2+3", "3+2", "½"]),
)


words = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=10)


def element(tag: str, text: str | None = None, *children: ET.Element, **attrs: str) -> ET.Element:
    node = ET.Element(tag, attrs)
    node.text = text
    node.extend(children)
    return node


@st.composite
def note_elements(draw: st.DrawFn, numbers: st.SearchStrategy[str]) -> ET.Element:
    children = []
    if draw(st.booleans()):
        children.append(element("chord"))
    kind = draw(st.sampled_from(["pitch", "rest", "unpitched", "none"]))
    if kind == "pitch":
        parts = [
            element("step", draw(st.sampled_from([*"CDEFGABH", ""]))),
            element("octave", draw(numbers)),
        ]
        if draw(st.booleans()):
            parts.append(element("alter", draw(numbers)))
        children.append(element("pitch", None, *draw(st.permutations(parts))))
    elif kind != "none":
        children.append(element(kind))
    if draw(st.integers(0, 4)):
        children.append(element("duration", draw(numbers)))
    for _ in range(draw(st.integers(0, 2))):
        children.append(element("tie", type=draw(st.sampled_from(["start", "stop", "x"]))))
    if draw(st.integers(0, 5)) == 0:
        children.append(element("grace"))
    attrs = {"dynamics": draw(numbers)} if draw(st.booleans()) else {}
    return element("note", None, *draw(st.permutations(children)), **attrs)


@st.composite
def measure_children(draw: st.DrawFn, numbers: st.SearchStrategy[str]) -> ET.Element:
    choice = draw(st.integers(0, 6))
    if choice == 0 and numbers is HOSTILE:  # beats and beat-types in any number and order
        time = element(
            "time",
            None,
            *[
                element(draw(st.sampled_from(["beats", "beat-type"])), draw(numbers))
                for _ in range(draw(st.integers(0, 4)))
            ],
        )
        return element("attributes", None, element("divisions", draw(numbers)), time)
    if choice == 0:
        beats = draw(st.sampled_from(["2", "3", "5", "7", "2+3", "3+2", "2+2+3"]))
        time = element(
            "time",
            None,
            element("beats", beats),
            element("beat-type", draw(st.sampled_from(["2", "4", "8"]))),
        )
        return element("attributes", None, element("divisions", draw(numbers)), time)
    if choice in (1, 2):
        return element(
            draw(st.sampled_from(["backup", "forward"])), None, element("duration", draw(numbers))
        )
    if choice == 3:
        hostile = numbers is HOSTILE
        tempos = numbers if hostile else st.integers(40, 300).map(str)
        units = 5 if hostile else 3
        mark = element(
            "metronome",
            None,
            element(
                "beat-unit", draw(st.sampled_from(["quarter", "eighth", "half", "x", ""][:units]))
            ),
            element("per-minute", draw(tempos)),
        )
        sound = [element("sound", tempo=draw(tempos))] if draw(st.booleans()) else []
        return element("direction", None, element("direction-type", None, mark), *sound)
    return draw(note_elements(numbers))


@st.composite
def musicxml_files(draw: st.DrawFn) -> bytes:
    numbers = draw(st.sampled_from([SOUND, HOSTILE]))
    root = element(draw(st.sampled_from(["score-partwise"] * 12 + ["score-timewise", "x"])))
    part_count = draw(st.integers(1, 3))
    part_list = element("part-list")
    for i in range(part_count):
        name = [element("part-name", draw(words))] if draw(st.booleans()) else []
        midi = element(
            "midi-instrument",
            None,
            element("midi-channel", draw(numbers)),
            element("midi-program", draw(numbers)),
        )
        part_list.append(element("score-part", None, *name, midi, id=f"P{i}"))
    root.append(part_list)
    for i in range(part_count):
        part = element("part", id=draw(st.sampled_from([f"P{i}", "other"])))
        for number in range(draw(st.integers(0, 6))):
            children = draw(st.lists(measure_children(numbers), max_size=10))
            part.append(element("measure", None, *children, number=str(number + 1)))
        root.append(part)
    if draw(st.booleans()):
        root.insert(0, element("work", None, element("work-title", draw(words))))
    return ET.tostring(root, encoding="utf-8")


@FUZZ
@given(content=musicxml_files())
def test_musicxml_trees_with_odd_elements_and_numbers(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "fuzz.musicxml"
    path.write_bytes(content)
    check(read_musicxml, path)
