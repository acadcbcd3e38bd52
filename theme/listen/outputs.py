"""What ``theme listen`` writes from a beat map: a MIDI file whose tempo map and time
signatures follow the recording, a click track aligned to it, and a page that plays the
recording with the count, beat light, conductor and bar number following it.

The kind of each output is known from its extension (:data:`KINDS`), checked before any
work is spent.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from theme.core.timeline import Timeline
from theme.errors import UsageError
from theme.listen.beatmap import BeatMap
from theme.listen.recording import RecordingInfo, ogg_bytes
from theme.output import Output, atomic_path, output_file, output_format
from theme.page.document import BeatRow, PageSection, page_html

__all__ = ["KINDS", "check_outputs", "lesson_html", "write_output"]

KINDS = ("mid", "midi", "wav", "flac", "ogg", "html", "htm")
"""The extensions ``theme listen -o`` writes."""

RECORDING_LAYER = {
    "name": "recording",
    "voice": "recording",
    "pan": 0.0,
    "gain": 1.0,
    "click": False,
}
"""The page's layer for the recording: muted and soloed like the click (``js/recording.js``
plays it)."""


def check_outputs(paths: list[str]) -> list[Output]:
    """Each output checked (its extension one of :data:`KINDS`, its folder writable),
    before the recording is read."""
    return [output_file(p, KINDS) for p in paths]


def lesson_html(beatmap: BeatMap, info: RecordingInfo, *, title: str) -> str:
    """The page: the recording (Ogg Vorbis, inside the page) played with the clicks in its
    meter, the count, the beat light, the conductor and the bar numbers following it.

    Raises:
        UsageError: a recording longer than a page holds (checked before it is encoded).
    """
    from theme.page.data import timeline_data
    from theme.page.document import MAX_PAGE_SECONDS

    if info.seconds > MAX_PAGE_SECONDS:
        raise UsageError(
            f"invalid recording for a page: {str(info.path)!r} lasts {info.seconds / 60:.1f} "
            f"minutes; a page holds at most {MAX_PAGE_SECONDS // 60} minutes (write .mid or "
            ".wav instead, or cut the part to teach)"
        )
    music = beatmap.timeline(title=title)
    assert isinstance(music, Timeline)
    section = PageSection.for_music(
        "Count along with the recording",
        music,
        paragraphs=[_summary(beatmap)],
    )
    section.notes = [_bar_times(beatmap)]
    data = timeline_data(music)
    # bar 1 is the beat map's: the lead-in's bars are numbered 0 and less, as the light's
    lead = sum(1 for bar in music.bars if bar.section == "lead-in")
    for bar in data["bars"]:
        bar["n"] -= lead
    section.lights = [BeatRow(row.label, _renumbered(row.bars, lead)) for row in section.lights]
    data["written"] = round(_bar_one_qpm(beatmap), 2)
    data["layers"].append(RECORDING_LAYER)
    data["recording"] = "recording-1"
    section.data = json.dumps(data, separators=(",", ":")).replace("<", "\\u003c")
    import base64

    encoded = ogg_bytes(info)
    section.audio = encoded  # not drawn (a section with data plays it): the policy's media-src
    sound = base64.b64encode(encoded).decode("ascii")
    section.markup = (
        f"<script type='application/octet-stream' id='recording-1'>{sound}</script>"
        "<p class='note'>The recording is inside this page only: it came from your own file."
        "</p>"
    )
    return page_html(
        title,
        [section],
        intro="Play: the count, the beat light, the conductor and the bar number follow the "
        "recording. Start at any bar, loop a bar, mute the clicks or the recording, slow it "
        "down (the pitch stays where the browser can keep it).",
    )


def _renumbered(bars: str, lead: int) -> str:
    """A beat light's bars (JSON) with each number less ``lead``."""
    rows = json.loads(bars)
    for row in rows:
        row["n"] -= lead
    return json.dumps(rows, separators=(",", ":"))


def _bar_one_qpm(beatmap: BeatMap) -> float:
    """The recording's own tempo, in quarter notes a minute: the median of its beats' from
    bar 1 on (the page's 100 %)."""
    start = beatmap.bar_starts[0]
    gaps = np.diff(np.asarray(beatmap.beats[start:] or beatmap.beats))
    pulse = float(beatmap.meters[0].pulse_quarters)
    return 60 * pulse / float(np.median(gaps)) if len(gaps) else 120.0


def _bar_times(beatmap: BeatMap) -> str:
    """Where each bar starts in the recording, for a teacher's printed page.

    >>> from theme.core.meter import Meter
    >>> five, four = Meter.parse("5/4"), Meter.parse("4/4")
    >>> beats = tuple(0.5 * k for k in range(1, 16))
    >>> _bar_times(BeatMap(beats, (1, 6, 11), (five, five, four), 8.0))
    'Where each bar starts in the recording: bar 1 (5/4) 0:01.0, 2 0:03.5, 3 (4/4) 0:06.0.'
    """
    said, meter = [], None
    for n, (start, bar_meter) in enumerate(zip(beatmap.bar_starts, beatmap.meters), start=1):
        seconds = beatmap.beats[start]
        when = f"{int(seconds // 60)}:{seconds % 60:04.1f}"
        label = f"bar {n}" if n == 1 else str(n)
        said.append(f"{label} ({bar_meter}) {when}" if bar_meter != meter else f"{label} {when}")
        meter = bar_meter
    return "Where each bar starts in the recording: " + ", ".join(said) + "."


def _summary(beatmap: BeatMap) -> str:
    """What the page says the analysis found, in plain words.

    >>> from theme.core.meter import Meter
    >>> five, four = Meter.parse("5/4"), Meter.parse("4/4")
    >>> beats = tuple(0.5 * k for k in range(1, 16))
    >>> print(_summary(BeatMap(beats, (1, 6, 11), (five, five, four), 8.0)))
    In 5/4 from bar 1 (at 1.0 s), then in 4/4 from bar 3 (at 6.0 s): 3 bars, 15 beats. 1 beat comes before bar 1.
    """
    changes = beatmap.changes()
    meters = ", then ".join(f"in {m} from bar {n} (at {t:.1f} s)" for n, t, m in changes)
    lead = beatmap.lead_beats
    before = {0: "", 1: " 1 beat comes before bar 1."}.get(
        lead, f" {lead} beats come before bar 1."
    )
    bars = len(beatmap.meters)
    return (
        f"{meters[0].upper()}{meters[1:]}: {bars} bar{'s' if bars != 1 else ''}, "
        f"{len(beatmap.beats)} beats.{before}"
    )


def write_output(
    beatmap: BeatMap, out: Output, *, info: RecordingInfo | None = None, title: str = "recording"
) -> Path:
    """Write one output of a beat map, by its kind: ``.mid`` (the tempo map, the time
    signatures and a click on the drum channel), ``.wav``/``.flac``/``.ogg`` (the click
    track alone, aligned to the recording) or ``.html`` (the page, which needs ``info``)."""
    kind = output_format(out, KINDS)
    music = beatmap.timeline(title=title)
    assert isinstance(music, Timeline)
    if kind in ("mid", "midi"):
        from theme.renderers.midi import write_midi

        return write_midi(music, out)
    if kind in ("wav", "flac", "ogg"):
        from theme.renderers.audiofile import write_audio

        return write_audio(music, out, rate=44100)
    if info is None:
        raise UsageError("a page needs the recording it plays")
    html = lesson_html(beatmap, info, title=title)
    with atomic_path(out) as tmp:
        tmp.write_text(html, encoding="utf-8")
    return Path(out)
