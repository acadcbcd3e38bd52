"""File benchmarks: export and reading at three sizes each, printed with the ratios that show
the time is linear in the size (a rate that stays the same as the size triples).

Run:  uv run python benchmarks/bench_files.py [SCALE]

1. MusicXML export of tv-1966 (the score through music21): bars a second.
2. MIDI export of tv-1966: bars a second.
3. Reading a MIDI file of our own making (6 layers of sixteenths in 5/4): notes a second.
4. Reading a MusicXML file (2 parts, 5 notes a bar): measures a second.
5. A real score with chords (Schubert's Lindenbaum from music21's corpus: 82 bars, two
   staves of piano and voice) read and written as MusicXML, against music21's own parse and
   write of the same file, in the same run.

Each size is three times the one before; ``SCALE`` (default 1) multiplies them all: at 1
the largest are 900 bars of MusicXML, 9000 bars of MIDI, 432,000 MIDI notes and 9000
measures, and the whole run takes about a minute. In process, after one warm-up each, so
that music21's import is not counted.
"""

from __future__ import annotations

import io
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from _common import compile_bytecode


def rate(work: Callable[[int], object], sizes: list[int]) -> list[tuple[int, float]]:
    """``(size, units a second)`` of ``work(size)`` at each size (one run each)."""
    work(sizes[0])  # warm-up: imports, caches
    rates = []
    for size in sizes:
        start = time.perf_counter()
        work(size)
        rates.append((size, size / (time.perf_counter() - start)))
    return rates


def show(title: str, unit: str, rates: list[tuple[int, float]]) -> None:
    """One line a size: its rate, and the rate against the smallest size's (1.00 is linear;
    under 1 means each unit costs more as the size grows)."""
    print(title)
    first = rates[0][1]
    for size, per_second in rates:
        print(
            f"  {size:>9,} {unit}: {per_second:>12,.0f} {unit}/s   ratio {per_second / first:.2f}"
        )


def varlen(value: int) -> bytes:
    out = [value & 0x7F]
    value >>= 7
    while value:
        out.append(0x80 | (value & 0x7F))
        value >>= 7
    return bytes(reversed(out))


def midi_bytes(notes: int, layers: int = 6, ppq: int = 960) -> bytes:
    """A type 1 MIDI file in 5/4: ``layers`` tracks of sixteenth notes, ``notes`` in all."""
    conductor = b"\x00\xff\x58\x04\x05\x02\x18\x08\x00\xff\x51\x03\x06\xef\x91\x00\xff\x2f\x00"
    chunks = [conductor]
    per_layer = notes // layers
    step = varlen(ppq // 4)
    for layer in range(layers):
        body = bytearray(f"\x00\xff\x03\x02t{layer}".encode("latin-1"))
        for i in range(per_layer):
            pitch = 40 + (i * 7 + layer) % 40
            body += (
                bytes([0, 0x90 | layer, pitch, 64 + i % 60])
                + step
                + bytes([0x80 | layer, pitch, 0])
            )
        body += b"\x00\xff\x2f\x00"
        chunks.append(bytes(body))
    header = (
        b"MThd\x00\x00\x00\x06\x00\x01" + len(chunks).to_bytes(2, "big") + ppq.to_bytes(2, "big")
    )
    return header + b"".join(b"MTrk" + len(c).to_bytes(4, "big") + c for c in chunks)


def musicxml_text(measures: int) -> str:
    note = "<note><pitch><step>C</step><octave>4</octave></pitch><duration>2</duration></note>"
    time_ = "<attributes><divisions>2</divisions><time><beats>5</beats><beat-type>4</beat-type></time></attributes>"
    body = "".join(
        f'<measure number="{n}">{time_ if n == 1 else ""}{note * 5}</measure>'
        for n in range(1, measures + 1)
    )
    parts = "".join(f'<part id="P{i}">{body}</part>' for i in range(2))
    head = "".join(
        f'<score-part id="P{i}"><part-name>p{i}</part-name></score-part>' for i in range(2)
    )
    return f'<score-partwise version="4.0"><part-list>{head}</part-list>{parts}</score-partwise>'


def main() -> None:
    import theme
    from theme.readers.midi import read_midi
    from theme.readers.musicxml import read_musicxml
    from theme.renderers.midi import midi_file
    from theme.renderers.notation import musicxml_string

    scale = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0

    def sizes(first: int) -> list[int]:
        return [max(1, round(first * scale * 3**k)) for k in range(3)]

    variant = theme.load("tv-1966")
    show(
        "1. MusicXML export of tv-1966",
        "bars",
        rate(lambda bars: musicxml_string(variant.timeline(bars=bars)), sizes(100)),
    )
    show(
        "2. MIDI export of tv-1966",
        "bars",
        rate(
            lambda bars: midi_file(variant.timeline(bars=bars)).save(file=io.BytesIO()), sizes(1000)
        ),
    )
    with tempfile.TemporaryDirectory() as folder:
        files: dict[int, Path] = {}

        def midi_file_of(notes: int) -> Path:
            if notes not in files:
                files[notes] = Path(folder) / f"{notes}.mid"
                files[notes].write_bytes(midi_bytes(notes))
            return files[notes]

        midi_sizes = sizes(48_000)
        for notes in midi_sizes:
            midi_file_of(notes)  # written before the clock starts
        show("3. Reading MIDI", "notes", rate(lambda n: read_midi(midi_file_of(n)), midi_sizes))

        xml_sizes = sizes(1000)
        for measures in [*xml_sizes, xml_sizes[0] // 3 or 1]:
            (Path(folder) / f"{measures}.musicxml").write_text(musicxml_text(measures))
        show(
            "4. Reading MusicXML (2 parts)",
            "measures",
            rate(lambda m: read_musicxml(Path(folder) / f"{m}.musicxml"), xml_sizes),
        )
    real_score_with_chords()


def real_score_with_chords() -> None:
    """Item 5: seconds of CPU for theme's read and export of Lindenbaum (each chord's
    spelling searched once, ``_chord_spelling``, its cache emptied first), the same with the
    search made at every chord (as before the cache), and music21's own parse and write (from
    the file each time, not music21's pickle of it); best of three each."""
    import music21
    from music21.musicxml.m21ToXml import GeneralObjectExporter

    import theme
    from theme.renderers import score
    from theme.renderers.notation import musicxml_string
    from theme.renderers.score import _chord_spelling

    path = music21.corpus.getWork("schubert/Lindenbaum.xml")

    def ours() -> str:
        _chord_spelling.cache_clear()
        return musicxml_string(theme.read(path))

    def searched_each_time() -> str:  # as before the cache: music21's search at every chord
        score._chord_spelling = _chord_spelling.__wrapped__
        try:
            return musicxml_string(theme.read(path))
        finally:
            score._chord_spelling = _chord_spelling

    def music21s() -> str:  # parsed from the file each time, as a new file is, not its pickle
        parsed = music21.converter.parse(path, forceSource=True)
        return GeneralObjectExporter(parsed).parse().decode("utf-8")  # type: ignore[no-any-return]

    chords = ours().count("<chord")
    best = {}
    for name, work in (("theme", ours), ("before", searched_each_time), ("music21", music21s)):
        times = []
        for _ in range(3):
            start = time.process_time()
            work()
            times.append(time.process_time() - start)
        best[name] = min(times)
    print(f"5. Lindenbaum ({chords} chord notes) read and written as MusicXML, CPU")
    print(
        f"   theme {best['theme']:.2f} s; each chord's spelling searched, as before: "
        f"{best['before']:.2f} s ({best['before'] / best['theme']:.2f}x); "
        f"music21's parse and write: {best['music21']:.2f} s ({best['music21'] / best['theme']:.2f}x)"
    )


if __name__ == "__main__":
    compile_bytecode()
    main()
