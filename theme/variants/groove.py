"""A groove of one's own: a grid of notes on the pulses of a meter, shared as a link.

A :class:`Groove` is what a pupil makes in the studio page: a meter with its grouping (and
an optional second meter clicked against it), a number of bars, cells a pulse, a tempo in
pulses a minute, and a row of cells for each of the synthesizer's voices it uses. A cell is
0 (a rest), 1 (a note) or 2 (an accented note). It becomes a variant (:meth:`Groove.variant`,
the same data as the TOML file of :meth:`Groove.toml`), so every command that plays,
shows, exports or remeters a variant takes a groove too.

The link format
---------------
A groove travels in a page address's fragment: ``studio.html#g1=`` followed by base64url
(no padding) of these bytes (integers big-endian)::

    0      1            the format version
    1      flags        bits 0-2: the unit (index of 1, 2, 4, 8, 16, 32); bits 3-4: cells a
                        pulse minus 1; bit 5: a second meter follows; bit 6: it is aligned
                        by bar (else by pulse); bit 7: 0
    2      bars         1 to MAX_BARS
    3-5    tempo        pulses a minute, in hundredths (12000 is 120)
    6      G            groups of the meter, then G bytes: each group's pulses
    [a second meter: a byte with its unit index, a byte of its groups' count, its groups]
    L                   rows, then for each: the voice's index in VOICES, then its cells,
                        four a byte, two bits each, the first cell in the high bits; the
                        bits after the last cell are 0
    CRC-32              of every byte before it (zlib's), 4 bytes

Anything else (a byte too many or too few, a value out of range, a changed byte) is refused
with one line. ``theme/page/js/groove.js`` reads and writes the same bytes.

>>> g = Groove(Meter.parse("2+2+3/8"), bars=2, tempo=Fraction(280),
...            rows=(("snare", (2, 0, 1, 0, 1, 0, 0) * 2), ("kick", (1,) + (0,) * 13)))
>>> link = g.link()
>>> link
'g1=AQMCAG1gAwICAwIBhEIRAAJAAAAAfdpn0Q'
>>> Groove.from_link("https://example.org/studio.html#" + link) == g
True
"""

from __future__ import annotations

import base64
import binascii
import re
import sys
import zlib
from dataclasses import dataclass
from fractions import Fraction

from theme.core.meter import DENOMINATORS, Meter
from theme.core.tempo import MAX_QPM, MIN_QPM
from theme.errors import ThemeError, VariantError
from theme.safe_text import clip, shown
from theme.variants.loader import parse_variant
from theme.variants.model import Variant

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = [
    "LINK_PREFIX",
    "MAX_BARS",
    "MAX_LINK_CHARS",
    "SOUNDS",
    "VOICES",
    "Groove",
    "is_groove_link",
]

VERSION = 1
LINK_PREFIX = f"g{VERSION}="
"""What a groove's fragment starts with (after the ``#``)."""

MAX_BARS = 16
"""The most bars a groove holds."""

MAX_SUBDIVIDE = 4
"""The most cells a pulse may be cut into."""

MAX_LINK_CHARS = 16384
"""The longest link read, the address before the ``#`` included (the largest groove, 16
bars of 64 pulses in 4 boxes each on all 8 rows, is 11,126 characters after the ``#``)."""

ACCENT = 2
"""The cell value of an accented note (1 is a plain note, 0 a rest)."""

VOICES = ("hihat", "snare", "kick", "bongo", "conga", "bass", "lead", "click")
"""The voices a groove's rows may have, in the order the rows are kept and shown (their
index is their number in a link)."""

SOUNDS = {
    # voice: (drum, General MIDI program, pitch, pan); drums on General MIDI drum notes
    "hihat": (True, 0, 42, 0.3),
    "snare": (True, 0, 38, -0.1),
    "kick": (True, 0, 36, 0.0),
    "bongo": (True, 0, 61, 0.45),
    "conga": (True, 0, 63, -0.45),
    "bass": (False, 33, 40, -0.25),
    "lead": (False, 56, 69, 0.2),
    "click": (True, 0, 76, 0.0),
}
"""How each row sounds: the project's own neutral pitches, one a row."""

SECOND_LAYER = "second"
"""The name of the second meter's layer of clicks in a groove's variant."""

_LINK_RE = re.compile(r"(?:^|#)g(\d{1,4})=([A-Za-z0-9_-]*)$")


@dataclass(frozen=True)
class Groove:
    """A groove: ``rows`` of cells (a voice of :data:`VOICES` and a cell for each of the
    ``bars * meter.numerator * subdivide`` cells, 0 rest, 1 note, 2 accent), in the order
    of :data:`VOICES`, each voice once; ``tempo`` is pulses of ``meter`` a minute (a
    whole number of hundredths); ``vs`` a second meter clicked against the first, aligned
    by pulse (``align='beat'``: its own note values) or by bar (``'bar'``: its bar as
    long as the first's).

    Raises:
        VariantError: any value out of range, naming it and what is allowed.
    """

    meter: Meter
    bars: int = 2
    subdivide: int = 1
    tempo: Fraction = Fraction(120)
    rows: tuple[tuple[str, tuple[int, ...]], ...] = ()
    vs: Meter | None = None
    align: str = "beat"

    def __post_init__(self) -> None:
        _check_int("bars", self.bars, 1, MAX_BARS)
        _check_int("cells a pulse", self.subdivide, 1, MAX_SUBDIVIDE)
        if not isinstance(self.meter, Meter) or (
            self.vs is not None and not isinstance(self.vs, Meter)
        ):
            raise TypeError("a groove's meters must be Meter values")
        object.__setattr__(self, "meter", Meter.parse(self.meter.explicit))
        if self.vs is not None:
            object.__setattr__(self, "vs", Meter.parse(self.vs.explicit))
        if self.align not in ("beat", "bar"):
            raise VariantError(f"invalid align {shown(self.align)}: expected beat or bar")
        tempo = Fraction(self.tempo)
        qpm = tempo * self.meter.pulse_quarters
        if (tempo * 100).denominator != 1 or not MIN_QPM <= qpm <= MAX_QPM:
            raise VariantError(
                f"invalid tempo {shown(float(tempo))} pulses a minute: expected hundredths, "
                f"from {MIN_QPM} to {MAX_QPM} quarter notes a minute"
            )
        object.__setattr__(self, "tempo", tempo)
        if self.vs is not None and self.align == "bar" and not _fits(self.second_unit):
            raise VariantError(
                f"invalid second meter {self.vs}: its pulses do not fit a bar of {self.meter} "
                "(each from 1/64 to 16 quarter notes, on a grid of 1/64); align it by pulse"
            )
        cells = self.cells
        order = [voice for voice, _ in self.rows]
        for voice, row in self.rows:
            if voice not in VOICES:
                raise VariantError(
                    f"unknown voice {shown(voice)}: expected one of {', '.join(VOICES)}"
                )
            if not isinstance(row, tuple) or len(row) != cells:
                raise VariantError(
                    f"invalid row {voice}: expected {cells} cells ({self.bars} bars of "
                    f"{self.meter.numerator} pulses, {self.subdivide} a pulse)"
                )
            if any(
                not isinstance(c, int) or isinstance(c, bool) or not 0 <= c <= ACCENT for c in row
            ):
                raise VariantError(
                    f"invalid cell in row {voice}: expected 0 (rest), 1 (note) or 2 (accent)"
                )
        if order != sorted(set(order), key=VOICES.index):
            raise VariantError(
                f"invalid rows {', '.join(order)}: expected each voice once, in the order {', '.join(VOICES)}"
            )

    @property
    def cells(self) -> int:
        """The cells of a row: ``bars * pulses * subdivide``."""
        return self.bars * self.meter.numerator * self.subdivide

    @property
    def unit(self) -> Fraction:
        """A cell's length in quarter notes.

        >>> Groove(Meter.parse("7/8"), subdivide=2).unit
        Fraction(1, 4)
        """
        return self.meter.pulse_quarters / self.subdivide

    @property
    def second_unit(self) -> Fraction:
        """The length of a pulse of the second meter in quarter notes (by bar: the first
        meter's bar shared among its pulses)."""
        if self.vs is None:
            raise VariantError("this groove has no second meter")
        if self.align == "bar":
            return self.meter.bar_quarters / self.vs.numerator
        return self.vs.pulse_quarters

    @property
    def qpm(self) -> Fraction:
        """The tempo in quarter notes a minute."""
        return self.tempo * self.meter.pulse_quarters

    # -- the variant -----------------------------------------------------------------------

    def title(self) -> str:
        """``'A groove in 7/8 (2+2+3)'``, with the second meter if there is one."""
        text = f"A groove in {self.meter.numerator}/{self.meter.denominator} ({'+'.join(map(str, self.meter.groups))})"
        if self.vs is not None:
            text += f" against {self.vs.numerator}/{self.vs.denominator} ({'+'.join(map(str, self.vs.groups))})"
        return text

    def toml(self) -> str:
        """The groove as a variant file (the same text the studio page downloads).

        Raises:
            VariantError: a groove of no rows (nothing to play).

        >>> print(Groove(Meter.parse("3/4"), bars=1, rows=(("kick", (2, 0, 1)),)).toml())
        # A groove made in the studio: theme show/play/export read this file.
        name = "groove"
        title = "A groove in 3/4 (3)"
        tempo = "q=120"
        <BLANKLINE>
        [layers.kick]
        voice = "kick"
        drum = true
        program = 0
        pan = 0.0
        pitches = [36]
        <BLANKLINE>
        [[sections]]
        name = "groove"
        meter = "3/4"
        bars = 1
        [sections.patterns]
        kick = { box = "X-x", grid = "1" }
        <BLANKLINE>
        """
        if not self.rows:
            raise VariantError("invalid groove: it has no rows yet; set a note in a row first")
        lines = [
            "# A groove made in the studio: theme show/play/export read this file.",
            'name = "groove"',
            f'title = "{self.title()}"',
            f'tempo = "q={_decimal(self.qpm)}"',
            "",
        ]
        layers = [(voice, voice) for voice, _ in self.rows]
        if self.vs is not None:
            layers.append((SECOND_LAYER, "clicklow"))
        for name, voice in layers:
            drum, program, pitch, pan = SOUNDS.get(voice, (True, 0, 77, 0.0))
            lines += [
                f"[layers.{name}]",
                f'voice = "{voice}"',
                f"drum = {'true' if drum else 'false'}",
                f"program = {program}",
                f"pan = {pan!r}",
                f"pitches = [{pitch}]",
                "",
            ]
        meter = self.meter.explicit
        lines += [
            "[[sections]]",
            'name = "groove"',
            f'meter = "{meter}"',
            f"bars = {self.bars}",
            "[sections.patterns]",
        ]
        for voice, row in self.rows:
            lines.append(f'{voice} = {{ box = "{_box(row)}", grid = "{_fraction(self.unit)}" }}')
        if self.vs is not None:
            box = "".join("X" if i == 0 else "x" for i in range(self.vs.numerator))
            lines.append(
                f'{SECOND_LAYER} = {{ box = "{box}", grid = "{_fraction(self.second_unit)}" }}'
            )
        return "\n".join(lines) + "\n"

    def variant(self) -> Variant:
        """The groove as a :class:`~theme.variants.model.Variant` (read from :meth:`toml`,
        as a file would be)."""
        return parse_variant(tomllib.loads(self.toml()), {}, label="groove link", source="link")

    @classmethod
    def from_variant(cls, variant: Variant, *, most_bars: int = 4) -> Groove | None:
        """The groove of a variant's first section, to edit: the smallest number of bars
        (at most ``most_bars``) after which every pattern starts again, on a grid of 1 to 4
        cells a pulse that every note starts on; a layer a row (two layers of one voice in
        one row; voices a groove has not, such as ``foot``, left out). None when the
        section does not fit (a note off the grid, patterns longer than ``most_bars``).

        >>> from theme.variants import load
        >>> g = Groove.from_variant(load("tv-1966"))
        >>> g.meter, g.bars, [voice for voice, _ in g.rows], g.rows[0][1][:10]
        (Meter(numerator=5, denominator=4, groups=(3, 2)), 1, ['bongo', 'bass'], (2, 0, 0, 1, 0, 0, 1, 0, 1, 0))
        """
        section = variant.sections[0]
        meter = section.meter
        voices = {spec.layer.name: spec.layer.voice for spec in variant.layers}
        patterns = [p for p in section.patterns if voices[p.layer] in VOICES]
        if not patterns:
            return None
        bars = next(
            (
                n
                for n in range(1, most_bars + 1)
                if all((n * meter.bar_quarters) % p.rhythm.quarters == 0 for p in patterns)
            ),
            None,
        )
        subdivide = next(
            (
                s
                for s in range(1, MAX_SUBDIVIDE + 1)
                if all(
                    (hit.start * p.rhythm.unit / (meter.pulse_quarters / s)).denominator == 1
                    for p in patterns
                    for hit in p.rhythm.hits
                )
            ),
            None,
        )
        if bars is None or subdivide is None:
            return None
        unit = meter.pulse_quarters / subdivide
        cells = bars * meter.numerator * subdivide
        rows: dict[str, list[int]] = {}
        for p in patterns:
            row = rows.setdefault(voices[p.layer], [0] * cells)
            period = p.rhythm.quarters
            for copy in range(int(bars * meter.bar_quarters / period)):
                for hit in p.rhythm.hits:
                    at = int((copy * period + hit.start * p.rhythm.unit) / unit)
                    row[at] = max(row[at], ACCENT if hit.accent else 1)
        hundredths = round(variant.tempo.qpm / meter.pulse_quarters * 100)
        return cls(
            meter,
            bars,
            subdivide,
            Fraction(hundredths, 100),
            tuple((v, tuple(rows[v])) for v in VOICES if v in rows),
        )

    # -- the link --------------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        """The bytes of the link (see the module docstring), checksum included."""
        flags = DENOMINATORS.index(self.meter.denominator) | (self.subdivide - 1) << 3
        if self.vs is not None:
            flags |= 1 << 5 | (1 << 6 if self.align == "bar" else 0)
        hundredths = int(self.tempo * 100)
        data = bytearray([VERSION, flags, self.bars, *hundredths.to_bytes(3, "big")])
        data += bytes([len(self.meter.groups), *self.meter.groups])
        if self.vs is not None:
            data += bytes(
                [DENOMINATORS.index(self.vs.denominator), len(self.vs.groups), *self.vs.groups]
            )
        data.append(len(self.rows))
        for voice, row in self.rows:
            data.append(VOICES.index(voice))
            data += _pack(row)
        return bytes(data) + zlib.crc32(data).to_bytes(4, "big")

    def link(self) -> str:
        """The fragment that holds the groove, without the ``#``: ``'g1=...'``."""
        return LINK_PREFIX + base64.urlsafe_b64encode(self.to_bytes()).decode("ascii").rstrip("=")

    @classmethod
    def from_link(cls, text: str) -> Groove:
        """The groove of a link: a whole address (``https://.../studio.html#g1=...``), a
        fragment (``#g1=...``) or ``g1=...``.

        Raises:
            VariantError: not a groove link, a link of another version, not base64url, a
                checksum that does not match (a link changed or cut short), or a value out of
                range; one line naming what is wrong.
        """
        if not isinstance(text, str):
            raise TypeError(f"a groove link is a str, not {type(text).__name__}")
        text = text.strip()
        if len(text) > MAX_LINK_CHARS:
            raise VariantError(f"invalid groove link: longer than {MAX_LINK_CHARS} characters")
        match = _LINK_RE.search(text)
        if match is None:
            raise VariantError(
                f"invalid groove link {clip(text)!r}: expected an address ending in "
                f"#{LINK_PREFIX} and letters, digits, - and _"
            )
        if match.group(1) != str(VERSION):
            raise VariantError(
                f"invalid groove link: format g{match.group(1)}, but this version reads only "
                f"g{VERSION}"
            )
        body = match.group(2)
        if len(body) % 4 == 1:
            raise VariantError("invalid groove link: cut short or changed (not base64url)")
        try:
            data = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        except (binascii.Error, ValueError):
            raise VariantError(
                "invalid groove link: cut short or changed (not base64url)"
            ) from None
        groove = cls.from_bytes(data)
        if groove.link() != LINK_PREFIX + body:  # bits after the last byte: another link
            raise VariantError("invalid groove link: cut short or changed (not base64url)")
        return groove

    @classmethod
    def from_bytes(cls, data: bytes) -> Groove:
        """The groove of a link's bytes (see :meth:`from_link`)."""
        if len(data) < 12 or zlib.crc32(data[:-4]).to_bytes(4, "big") != data[-4:]:
            raise VariantError(
                "invalid groove link: its checksum does not match (the link was changed or cut "
                "short; copy it again)"
            )
        reader = _Reader(data[:-4])
        if reader.byte() != VERSION:
            raise VariantError(f"invalid groove link: expected format version {VERSION}")
        flags = reader.byte()
        if flags >> 7 or flags & 7 >= len(DENOMINATORS):
            raise VariantError("invalid groove link: unknown settings")
        bars = reader.byte()
        tempo = Fraction(int.from_bytes(reader.take(3), "big"), 100)
        try:
            meter = _meter(reader, DENOMINATORS[flags & 7])
            vs = None
            if flags >> 5 & 1:
                unit = reader.byte()
                if unit >= len(DENOMINATORS):
                    raise VariantError("invalid groove link: unknown unit of the second meter")
                vs = _meter(reader, DENOMINATORS[unit])
            elif flags >> 6 & 1:
                raise VariantError("invalid groove link: unknown settings")
            subdivide = (flags >> 3 & 3) + 1
            cells = bars * meter.numerator * subdivide
            rows = []
            for _ in range(reader.byte()):
                voice = reader.byte()
                if voice >= len(VOICES):
                    raise VariantError(f"invalid groove link: unknown voice number {voice}")
                rows.append((VOICES[voice], _unpack(reader.take((cells + 3) // 4), cells)))
            if not reader.done():
                raise VariantError("invalid groove link: bytes left over")
            groove = cls(
                meter, bars, subdivide, tempo, tuple(rows), vs, "bar" if flags >> 6 & 1 else "beat"
            )
        except VariantError as exc:
            message = str(exc)
            raise VariantError(
                message
                if message.startswith("invalid groove link")
                else f"invalid groove link: {message}"
            ) from None
        except ThemeError as exc:  # a meter out of range
            raise VariantError(f"invalid groove link: {exc}") from None
        if groove.to_bytes() != data:  # one groove, one link: nothing else is read
            raise VariantError("invalid groove link: not written as the studio writes it")
        return groove


def is_groove_link(text: object) -> bool:
    """Whether ``text`` looks like a groove link (an address or fragment with ``#g1=``, or
    ``g1=...``); whether it is a good one, :meth:`Groove.from_link` says.

    >>> is_groove_link("studio.html#g1=AQ"), is_groove_link("tv-1966"), is_groove_link("#g2=x")
    (True, False, True)
    """
    return isinstance(text, str) and bool(
        re.search(r"(?:^|#)g\d{1,4}=", text.strip()[:MAX_LINK_CHARS])
    )


class _Reader:
    def __init__(self, data: bytes):
        self.data, self.at = data, 0

    def take(self, n: int) -> bytes:
        if self.at + n > len(self.data):
            raise VariantError("invalid groove link: cut short")
        chunk = self.data[self.at : self.at + n]
        self.at += n
        return chunk

    def byte(self) -> int:
        return self.take(1)[0]

    def done(self) -> bool:
        return self.at == len(self.data)


def _meter(reader: _Reader, denominator: int) -> Meter:
    """A meter of the link: its groups (one group: the meter's default grouping)."""
    groups = tuple(reader.take(reader.byte()))
    if not groups:
        raise VariantError("invalid groove link: a meter without pulses")
    return Meter.parse(f"{'+'.join(map(str, groups))}/{denominator}")


def _pack(row: tuple[int, ...]) -> bytes:
    """Four cells a byte, two bits each, the first in the high bits.

    >>> _pack((2, 0, 1, 0, 1)).hex()
    '8440'
    """
    out = bytearray((len(row) + 3) // 4)
    for i, cell in enumerate(row):
        out[i // 4] |= cell << (6 - 2 * (i % 4))
    return bytes(out)


def _unpack(data: bytes, cells: int) -> tuple[int, ...]:
    row = tuple(data[i // 4] >> (6 - 2 * (i % 4)) & 3 for i in range(cells))
    if any(cell > ACCENT for cell in row):
        raise VariantError("invalid groove link: a cell that is not 0, 1 or 2")
    if _pack(row) != data:
        raise VariantError("invalid groove link: bits set after the last cell")
    return row


def _box(row: tuple[int, ...]) -> str:
    """Box notation of a row, each note one cell long.

    >>> _box((2, 0, 1, 1))
    'X-xx'
    """
    return "".join("-xX"[cell] for cell in row)


def _fraction(value: Fraction) -> str:
    return (
        str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"
    )


def _decimal(value: Fraction) -> str:
    """An exact decimal of a fraction whose denominator has only the factors 2 and 5.

    >>> _decimal(Fraction(13333, 200)), _decimal(Fraction(140))
    ('66.665', '140')
    """
    whole, rest = divmod(value.numerator, value.denominator)
    digits = ""
    while rest:
        rest *= 10
        digit, rest = divmod(rest, value.denominator)
        digits += str(digit)
    return f"{whole}.{digits}" if digits else str(whole)


def _fits(unit: Fraction) -> bool:
    """Whether a second meter's pulse (quarter notes) is a grid a variant file allows:
    1/64 to 16, its denominator at most 64."""
    return unit.denominator <= 64 and Fraction(1, 64) <= unit <= 16


def _check_int(name: str, value: object, low: int, high: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise VariantError(f"invalid {name} {shown(value)}: expected {low} to {high}")
