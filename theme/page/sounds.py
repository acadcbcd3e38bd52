"""The sounds a page plays, embedded once a page: the synthesizer's own waveforms.

A page plays its music itself (``js/player.js``): every event names a sound
(:func:`theme.page.data.sound_key`), and the waveforms those names need are made
by :func:`theme.renderers.voices.waveform` at 48 kHz, exactly as the library's renderer
uses them, then stored once for the whole page however many sections use them:
16-bit samples (``round(sample * 32767)``), each the difference from the one before
(wrapping, as int16 does), compressed with raw deflate and written as base64. The page
undoes the three steps (``DecompressionStream('deflate-raw')``, a running sum, ``/ 32767``).

A ``lead`` note's waveform depends on its length, so the page makes it itself for the
length a note has at the tempo chosen, with the same formula as the library's voice
(``player.js``, ``leadWave``); only its name is listed.

The mix is the renderer's (:class:`theme.renderers.audio.BlockRenderer`): each event's
waveform times ``master * layer gain * (velocity / 127) ** 1.4``, placed left and right by
the equal-power law of its layer's pan, summed, then the soft knee above ``knee``.
"""

from __future__ import annotations

import base64
import zlib
from collections.abc import Iterable, Mapping
from typing import Any

from theme.core.meter import AccentLevel
from theme.page.data import CLICK_VOICES

__all__ = ["ALWAYS", "PAGE_RATE", "sound_names", "sounds_data"]

PAGE_RATE = 48000
"""The sample rate of a page's sounds and of the audio context it asks for, samples a second."""

ALWAYS = tuple(
    f"{voice}/a{level}" for voice in CLICK_VOICES for level in range(AccentLevel.SUBDIVISION + 1)
)
"""Sounds every playing page holds, so that a page's own scripts can make clicks in any
meter: each click voice at each accent level, downbeat (a0) to subdivision (a3)."""


def sound_names(sections: Iterable[Mapping[str, Any]]) -> list[str]:
    """The sounds the events of the sections' data (:func:`timeline_data`) name, with
    :data:`ALWAYS`, sorted and once each.

    >>> from theme.page.data import timeline_data
    >>> from theme.metronome import Metronome
    >>> names = sound_names([timeline_data(Metronome("3/4", bars=1).timeline())])
    >>> names[:3], len(names)
    (['click/a0', 'click/a1', 'click/a2'], 8)
    """
    names = set(ALWAYS)
    for data in sections:
        names.update(event[6] for event in data.get("events", ()))
    names.discard("")
    return sorted(names)


def _wave(name: str) -> Any:
    """The waveform a sound name stands for (mono float32 at :data:`PAGE_RATE`)."""
    from theme.renderers.voices import waveform

    voice, _, detail = name.partition("/")
    if detail.startswith("a"):
        return waveform(voice, 0, PAGE_RATE, accent=int(detail[1:]))
    return waveform(voice, int(detail or 0), PAGE_RATE)


def sounds_data(names: Iterable[str]) -> dict[str, Any]:
    """The sounds ``names`` (:func:`sound_names`) as a page holds them: ``rate`` (samples a second), ``master`` and ``knee`` (the
    renderer's master gain and soft-knee threshold), ``sounds`` (each name's first sample
    and length in samples in the PCM, or ``null`` for a lead made by the page) and ``pcm``
    (see the module docstring).

    >>> data = sounds_data(ALWAYS)
    >>> data["rate"], data["sounds"]["click/a0"], data["sounds"]["clicklow/a0"][1]
    (48000, [0, 2880], 2880)
    """
    import numpy as np

    from theme.renderers.audio import KNEE, MASTER_GAIN

    sounds: dict[str, list[int] | None] = {}
    parts = []
    offset = 0
    for name in names:
        if name.startswith("lead/"):
            sounds[name] = None
            continue
        samples = np.round(_wave(name).astype(np.float64) * 32767).astype(np.int16)
        sounds[name] = [offset, len(samples)]
        parts.append(samples)
        offset += len(samples)
    pcm = np.concatenate(parts) if parts else np.zeros(0, np.int16)
    deltas = np.diff(pcm, prepend=np.int16(0)).astype("<i2")  # wraps as int16 does
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    packed = packer.compress(deltas.tobytes()) + packer.flush()
    return {
        "rate": PAGE_RATE,
        "master": MASTER_GAIN,
        "knee": KNEE,
        "sounds": sounds,
        "pcm": base64.b64encode(packed).decode("ascii"),
    }
