"""Practice plans for the metronome: tempo ramps, accelerandos and gap bars, from strings.

``--ramp 120-180/4``    a tempo trainer: start at 120 and go up one step every 4 bars until
                        180 (like klick's ``80-120/10``); the step is 4 BPM, or give it:
                        ``120-180/4+10``. Going down works too: ``180-120/4``.
``--accel 120-180/8``   a gradual accelerando from 120 to 180 over 8 bars, then steady.
``--gap 3:1``           three bars heard, one silent (counted on screen, not heard), repeated.

BPMs here count the same note as ``--bpm`` (quarter notes unless a unit is given there).

>>> Ramp.parse("120-180/4")
Ramp(start=Fraction(120, 1), end=Fraction(180, 1), every=4, step=Fraction(4, 1))
>>> [str(Ramp.parse("120-130/2+5").bpm_at_bar(b)) for b in range(7)]
['120', '120', '125', '125', '130', '130', '130']
>>> Gap.parse("3:1").heard(2), Gap.parse("3:1").heard(3)
(True, False)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from theme.errors import UsageError

__all__ = ["Accel", "Gap", "Ramp"]

_NUMBER = r"\d+(?:\.\d+)?"
_RAMP_RE = re.compile(rf"^\s*({_NUMBER})\s*-\s*({_NUMBER})\s*/\s*(\d+)\s*(?:\+\s*({_NUMBER}))?\s*$")
_GAP_RE = re.compile(r"^\s*(\d+)\s*:\s*(\d+)\s*$")
MAX_BPM = 2000


def _bpm(text: str, whole: str, form: str) -> Fraction:
    value = Fraction(text)
    if not 1 <= value <= MAX_BPM:
        raise UsageError(f"invalid {form} {whole!r}: tempos must be 1 to {MAX_BPM} BPM")
    return value


@dataclass(frozen=True)
class Ramp:
    """Start at ``start`` BPM; every ``every`` bars move ``step`` BPM toward ``end``."""

    start: Fraction
    end: Fraction
    every: int
    step: Fraction = Fraction(4)

    @classmethod
    def parse(cls, text: str) -> Ramp:
        """Parse ``'A-B/K'`` or ``'A-B/K+S'``.

        Raises:
            UsageError: another form, K below 1, a step of 0, a tempo out of range.
        """
        match = _RAMP_RE.match(text)
        if not match:
            raise UsageError(
                f"invalid ramp {text!r}: expected START-END/BARS or START-END/BARS+STEP, "
                "such as 120-180/4 (up 4 BPM every 4 bars)"
            )
        start, end, every, step = match.groups()
        if int(every) < 1:
            raise UsageError(f"invalid ramp {text!r}: the bars between steps must be 1 or more")
        size = Fraction(step) if step else Fraction(4)
        if size <= 0:
            raise UsageError(f"invalid ramp {text!r}: the step must be more than 0 BPM")
        return cls(_bpm(start, text, "ramp"), _bpm(end, text, "ramp"), int(every), size)

    def bpm_at_bar(self, bar: int) -> Fraction:
        """The tempo of bar ``bar`` (from 0), in BPM."""
        steps = bar // self.every
        if self.end >= self.start:
            return min(self.end, self.start + steps * self.step)
        return max(self.end, self.start - steps * self.step)

    @property
    def last_change_bar(self) -> int:
        """The first bar (from 0) at the end tempo."""
        steps = -(-abs(self.end - self.start) // self.step)
        return int(steps) * self.every


@dataclass(frozen=True)
class Accel:
    """A gradual change from ``start`` to ``end`` BPM over ``bars`` bars, then steady."""

    start: Fraction
    end: Fraction
    bars: int

    @classmethod
    def parse(cls, text: str) -> Accel:
        """Parse ``'A-B/N'``.

        Raises:
            UsageError: another form, N below 1, a tempo out of range.
        """
        match = _RAMP_RE.match(text)
        if not match or match.group(4):
            raise UsageError(
                f"invalid accelerando {text!r}: expected START-END/BARS such as 120-180/8 "
                "(from 120 to 180 BPM over 8 bars)"
            )
        start, end, bars = match.groups()[:3]
        if int(bars) < 1:
            raise UsageError(f"invalid accelerando {text!r}: the bars must be 1 or more")
        return cls(_bpm(start, text, "accelerando"), _bpm(end, text, "accelerando"), int(bars))


@dataclass(frozen=True)
class Gap:
    """``heard`` bars with sound, then ``silent`` bars without, over and over."""

    heard_bars: int
    silent_bars: int

    @classmethod
    def parse(cls, text: str) -> Gap:
        """Parse ``'3:1'``.

        Raises:
            UsageError: another form, or no heard bar.
        """
        match = _GAP_RE.match(text)
        if not match or int(match.group(1)) < 1:
            raise UsageError(
                f"invalid gap {text!r}: expected HEARD:SILENT bars such as 3:1 (HEARD 1 or more)"
            )
        return cls(int(match.group(1)), int(match.group(2)))

    def heard(self, bar: int) -> bool:
        """Whether bar ``bar`` (from 0) is heard."""
        return bar % (self.heard_bars + self.silent_bars) < self.heard_bars
