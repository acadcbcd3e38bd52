"""The metronome's live picture in a terminal: pure functions from a position to text.

A frame shows, for each meter, its name and grouping, the bar counter, the beat as a large
number, and a row of pulses with the group boundaries (``|``) and the pulse now lit; when
the downbeats of two meters meet, the frame says so. The caller decides when to draw
(from the stream's clock) and where (a terminal, or a list in tests).

>>> print(big_number(5))
█▀▀
▀▀▄
▄▄▀
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

from theme.core.meter import Meter

__all__ = [
    "Frame",
    "big_number",
    "can_draw",
    "meter_row",
    "to_ascii",
]

_GLYPHS = "●▲△·█▀▄"
_ASCII = str.maketrans({"●": "O", "▲": "^", "△": "'", "·": ".", "█": "#", "▀": '"', "▄": "_"})
"""Each glyph's stand-in where the output cannot encode it (PYTHONIOENCODING=ascii)."""


def can_draw(out: object) -> bool:
    """Whether ``out`` can encode the frame's glyphs (a stream with no encoding, such as
    io.StringIO, takes any text).

    >>> import io
    >>> can_draw(io.StringIO()), can_draw(io.TextIOWrapper(io.BytesIO(), encoding="ascii"))
    (True, False)
    """
    encoding = getattr(out, "encoding", None)
    if not encoding:
        return True
    try:
        _GLYPHS.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def to_ascii(text: str) -> str:
    """``text`` with the frame's glyphs as ASCII.

    >>> to_ascii(meter_row(Meter.parse("5/4"), 3))
    '^ . . | O .'
    """
    return text.translate(_ASCII)


_DIGITS = {
    "0": ("█▀█", "█ █", "▀▀▀"),
    "1": (" ▄█", "  █", "  ▀"),
    "2": ("▀▀█", "█▀▀", "▀▀▀"),
    "3": ("▀▀█", " ▀█", "▀▀▀"),
    "4": ("█ █", "▀▀█", "  ▀"),
    "5": ("█▀▀", "▀▀▄", "▄▄▀"),
    "6": ("█▀▀", "█▀█", "▀▀▀"),
    "7": ("▀▀█", "  █", "  ▀"),
    "8": ("█▀█", "█▀█", "▀▀▀"),
    "9": ("█▀█", "▀▀█", "▀▀▀"),
}


def big_number(number: int) -> str:
    """``number`` in three-line block digits."""
    rows = ["", "", ""]
    for char in str(number):
        for i, part in enumerate(_DIGITS[char]):
            rows[i] += part + " "
    return "\n".join(row.rstrip() for row in rows)


def meter_row(meter: Meter, pulse: int) -> str:
    """The pulses of a bar, the one now as ``●``, downbeat ``▲``, group starts ``△``, the
    others ``·``, groups separated by ``|``.

    >>> meter_row(Meter.parse("5/4"), 3)
    '▲ · · | ● ·'
    """
    starts = set(meter.group_starts)
    marks = []
    for i in range(meter.numerator):
        if i in starts and i:
            marks.append("|")
        if i == pulse:
            marks.append("●")
        else:
            marks.append("▲" if i == 0 else "△" if i in starts else "·")
    return " ".join(marks)


class Frame:
    """What the screen shows at one position of a metronome; ``ascii`` draws it with ASCII
    stand-ins for the glyphs; ``tempo_now`` gives the tempo shown at a position (quarter
    notes), the metronome's own when None."""

    def __init__(
        self,
        metronome: object,
        *,
        ascii: bool = False,
        tempo_now: Callable[[Fraction], object] | None = None,
    ):
        self.metronome = metronome
        self.ascii = ascii
        self.tempo_now: Callable[[Fraction], object] = (
            tempo_now or metronome.tempo_now  # type: ignore[attr-defined]
        )
        """The tempo at a position (quarter notes), as shown: the live tempo's, when the
        keys change it; the metronome's own by default."""

    def lines(self, quarter: Fraction, *, paused: bool = False, big: bool = True) -> list[str]:
        """The lines of the frame at ``quarter`` (quarter notes from the start); ``big``
        adds the beat in large digits. The header says the tempo now in the unit given."""
        lines = self._lines(quarter, paused=paused, big=big)
        return [to_ascii(line) for line in lines] if self.ascii else lines

    def _lines(self, quarter: Fraction, *, paused: bool, big: bool) -> list[str]:
        m = self.metronome
        meter: Meter = m.meter  # type: ignore[attr-defined]
        start: Fraction = m.start  # type: ignore[attr-defined]
        header = f"{m.describe()}  now {self.tempo_now(quarter)}"  # type: ignore[attr-defined]
        if paused:
            header += "  [paused: space to go on]"
        lines = [header]
        position = quarter - start
        bars: int | None = m.bars  # type: ignore[attr-defined]
        if bars is not None and position >= bars * m.bar_quarters:  # type: ignore[attr-defined]
            # past the end (the output latency's tail): the last pulse stays lit
            position = bars * m.bar_quarters - meter.pulse_quarters  # type: ignore[attr-defined]
        if position < 0:
            bar_len = meter.bar_quarters
            count = int((quarter % bar_len) / meter.pulse_quarters) + 1
            lines.append("count-in")
            if big:
                lines += big_number(count).split("\n")
            lines.append(meter_row(meter, count - 1))
            return lines
        rows = [(meter, m.bar_quarters)]  # type: ignore[attr-defined]
        if m.vs is not None:  # type: ignore[attr-defined]
            rows.append((m.vs, m.second_bar_quarters))  # type: ignore[attr-defined]
        beats = []
        for row_meter, length in rows:
            bar, into = divmod(position, length)
            pulse = int(into / (length / row_meter.numerator))
            beats.append(pulse + 1)
            lines.append(
                f"{row_meter} ({'+'.join(map(str, row_meter.groups))})  bar {int(bar) + 1}  "
                f"beat {pulse + 1}"
            )
            lines.append(meter_row(row_meter, pulse))
        if big:
            digits = [big_number(b).split("\n") for b in beats]
            lines += ["      ".join(parts) for parts in zip(*digits)]
        every = m.meeting_every  # type: ignore[attr-defined]
        if every is not None:
            meetings, into = divmod(position, every)
            note = "  ** the downbeats meet **" if into < meter.pulse_quarters else ""
            lines.append(
                f"downbeats meet every {every} quarter notes: {int(meetings) + 1} so far{note}"
            )
        return lines
