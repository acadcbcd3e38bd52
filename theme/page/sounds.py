"""The sounds a page plays, embedded once a page: the synthesizer's own waveforms.

A page plays its music itself (``js/player.js``): every event names a sound
(:func:`theme.page.data.sound_key`), and the waveforms those names need are made
by :func:`theme.renderers.voices.waveform` at 48 kHz, exactly as the library's renderer
uses them, then stored once for the whole page however many sections use them, as 16-bit
samples (``round(sample * 32767)``) packed losslessly the way FLAC and Shorten pack sound
(:func:`pack_samples`): in blocks of :data:`BLOCK` samples, each block predicted from the
samples before it (nothing, the one before, or the line through the two before), and what
the prediction missed written as a Rice code, the block's own parameter chosen to make it
shortest. It is a third smaller than the samples' differences deflated (a page of the
groove editor's eight instruments has 0.11 MB less), because a Rice code follows each
block's loudness as a sound dies away. The page unpacks it (``js/sounds.js``,
``unpackSamples``), ``/ 32767``.

A ``lead`` note's waveform depends on its length, so the page makes it itself for the
length a note has at the tempo chosen, with the same formula as the library's voice
(``player.js``, ``leadWave``); only its name is listed.

The mix is the renderer's (:class:`theme.renderers.audio.BlockRenderer`): each event's
waveform times ``master * layer gain * (velocity / 127) ** 1.4``, placed left and right by
the equal-power law of its layer's pan, summed, then the soft knee above ``knee``.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from theme.core.meter import AccentLevel
from theme.page.data import CLICK_VOICES

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "ALWAYS",
    "BLOCK",
    "PAGE_RATE",
    "pack_samples",
    "sound_names",
    "sounds_data",
    "unpack_samples",
]

PAGE_RATE = 48000
"""The sample rate of a page's sounds and of the audio context it asks for, samples a second."""

ALWAYS = tuple(
    f"{voice}/a{level}" for voice in CLICK_VOICES for level in range(AccentLevel.SUBDIVISION + 1)
)
"""Sounds every playing page holds, so that a page's own scripts can make clicks in any
meter: each click voice at each accent level, downbeat (a0) to subdivision (a3)."""


BLOCK = 256
"""Samples a block of the packed sounds: each block has its own prediction and Rice
parameter (:func:`pack_samples`)."""

_ORDER_BITS = 2
_K_BITS = 5
_MAX_K = 20  # u < 2**19 (a residual of the line through two int16 samples): q <= 1 at 20
_MAX_QUOTIENT = 40  # a code of at most 40 + 1 + 20 bits fits one int64 field


def _residuals(samples: np.ndarray) -> list[np.ndarray]:
    """What each prediction misses, sample by sample: order 0 (the sample), 1 (its
    difference from the one before), 2 (from the line through the two before); the
    samples before the first are 0."""
    import numpy as np

    x = samples.astype(np.int64)
    one = np.concatenate([[0], x])[: len(x)]
    two = np.concatenate([[0, 0], x])[: len(x)]
    return [x, x - one, x - 2 * one + two]


def pack_samples(samples: np.ndarray) -> bytes:
    """int16 ``samples`` packed: for each block of :data:`BLOCK` samples a header (2 bits:
    the prediction's order 0-2; 5 bits: the Rice parameter k), then for each sample its
    residual r mapped to u = 2r (r >= 0) or -2r - 1 (r < 0) and written as ``u >> k`` one
    bits, a zero bit, and the low k bits of u, highest first; bits fill each byte from its
    highest bit, the last byte padded with zeros. The prediction runs on over block
    boundaries.

    >>> import numpy as np
    >>> pack_samples(np.array([0, 1, 2, 3], dtype=np.int16)).hex()
    '80c0'
    >>> [int(x) for x in unpack_samples(pack_samples(np.array([5, -7, 32767, -32768], np.int16)), 4)]
    [5, -7, 32767, -32768]
    """
    import numpy as np

    n = len(samples)
    if n == 0:
        return b""
    blocks = -(-n // BLOCK)
    pad = blocks * BLOCK - n
    best_cost = np.full(blocks, np.iinfo(np.int64).max)
    best_order = np.zeros(blocks, np.int64)
    best_k = np.zeros(blocks, np.int64)
    mapped = []
    for order, residual in enumerate(_residuals(samples)):
        u = np.where(residual >= 0, 2 * residual, -2 * residual - 1)
        mapped.append(u)
        grid = np.concatenate([u, np.zeros(pad, np.int64)]).reshape(blocks, BLOCK)
        counts = np.full(blocks, BLOCK)
        counts[-1] = BLOCK - pad
        for rice in range(_MAX_K + 1):
            quotients = grid >> rice
            cost = quotients.sum(axis=1) + counts * (1 + rice)
            cost[quotients.max(axis=1) > _MAX_QUOTIENT] = np.iinfo(np.int64).max
            better = cost < best_cost
            best_cost[better], best_order[better], best_k[better] = cost[better], order, rice
    block_of = np.arange(n) // BLOCK
    u = np.choose(best_order[block_of], mapped)
    k = best_k[block_of]
    q = u >> k
    codes = (((np.int64(1) << q) - 1) << (k + 1)) | (u & ((np.int64(1) << k) - 1))
    # the fields in order: a header, then its block's samples
    values = np.zeros(blocks * (BLOCK + 1), np.int64)
    widths = np.zeros(blocks * (BLOCK + 1), np.int64)
    heads = np.arange(blocks) * (BLOCK + 1)
    values[heads] = (best_order << _K_BITS) | best_k
    widths[heads] = _ORDER_BITS + _K_BITS
    places = heads[block_of] + 1 + np.arange(n) % BLOCK
    values[places] = codes
    widths[places] = q + 1 + k
    total = int(widths.sum())
    starts = np.cumsum(widths) - widths
    field = np.repeat(np.arange(len(widths)), widths)
    within = np.arange(total) - starts[field]
    bits = (values[field] >> (widths[field] - 1 - within)) & 1
    return np.packbits(bits.astype(np.uint8)).tobytes()


def unpack_samples(data: bytes, count: int) -> np.ndarray:
    """The ``count`` int16 samples :func:`pack_samples` packed into ``data`` (as the page
    unpacks them, ``js/sounds.js``).

    >>> [int(x) for x in unpack_samples(bytes.fromhex('80c0'), 4)]
    [0, 1, 2, 3]
    """
    import numpy as np

    bits = np.unpackbits(np.frombuffer(data, np.uint8))
    out = np.zeros(count, np.int64)
    pos = 0

    def read(width: int) -> int:
        nonlocal pos
        value = 0
        for bit in bits[pos : pos + width]:
            value = value * 2 + int(bit)
        pos += width
        return value

    before = [0, 0]
    for first in range(0, count, BLOCK):
        head = read(_ORDER_BITS + _K_BITS)
        order, k = head >> _K_BITS, head & ((1 << _K_BITS) - 1)
        for i in range(first, min(count, first + BLOCK)):
            q = 0
            while bits[pos]:
                q += 1
                pos += 1
            pos += 1
            u = (q << k) | read(k)
            residual = u >> 1 if u % 2 == 0 else -((u + 1) >> 1)
            guess = (0, before[0], 2 * before[0] - before[1])[order]
            out[i] = guess + residual
            before = [int(out[i]), before[0]]
    return out.astype(np.int16)


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
    """The sounds ``names`` (:func:`sound_names`) as a page holds them: ``rate`` (samples
    a second), ``master`` and ``knee`` (the renderer's master gain and soft-knee
    threshold), ``sounds`` (each name's first sample and length in samples in the PCM, or
    ``null`` for a lead made by the page), ``samples`` (the PCM's length) and ``pcm`` (the
    base64 of :func:`pack_samples` of them all, one after the other).

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
    return {
        "rate": PAGE_RATE,
        "master": MASTER_GAIN,
        "knee": KNEE,
        "sounds": sounds,
        "samples": len(pcm),
        "pcm": base64.b64encode(pack_samples(pcm)).decode("ascii"),
    }
