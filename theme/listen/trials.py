"""Recordings whose beats are known: the project's own renders of its variants (the
built-in synthesizer, drums and all), played with a tempo that drifts, after a silence,
with noise added if asked. The tests and the benchmark measure the beat finding on them
against the truth, which comes from the same exact timeline the sound was rendered from.

>>> trial = make_trial(TRIALS[0], rate=11025)
>>> trial.name, trial.meters, len(trial.downbeats), round(trial.downbeats[0], 3)
('tv-1966 5/4, +5% drift', ('5/4',), 12, 0.8)
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from theme.core.tempo import TempoMap
from theme.core.timeline import Timeline

__all__ = ["TRIALS", "Trial", "TrialRecording", "make_trial", "trial_timeline"]

LEAD_SECONDS = 0.8
"""Silence before the music of every trial: bar 1 is never at the file's start."""


@dataclass(frozen=True)
class Trial:
    """How to make one trial recording: a ``variant`` (a built-in name),
    ``intro_bars`` (remix-1996's parameter: 0 for its 4/4 body alone), ``bars`` (cut or cycled to), ``qpm`` (quarters a minute at
    the start), ``drift`` (the tempo at the end over the tempo at the start, minus 1: a
    steady ramp), ``noise`` (its level over the music's, RMS; 0: none) and ``form`` (the
    form as ``theme listen --form`` takes it)."""

    variant: str
    form: str
    qpm: int
    drift: float = 0.0
    noise: float = 0.0
    intro_bars: int | None = None
    bars: int | None = None

    @property
    def name(self) -> str:
        parts = [self.variant, self.form.split("x")[-1] if "," not in self.form else "5/4 to 4/4"]
        if self.drift:
            parts[-1] += f", {self.drift:+.0%} drift"
        if self.noise:
            parts[-1] += f", noise {self.noise:.0%}"
        return " ".join(parts)


TRIALS = (
    Trial("tv-1966", "12x5/4", 160, drift=0.05),
    Trial("take-five-vamp", "10x5/4", 150, drift=-0.05, noise=0.3, bars=10),
    Trial("balkan-7", "12x7/8", 95, drift=0.04, bars=12),
    Trial("rachenitsa", "10x7/8", 100, noise=0.3, bars=10),
    Trial("remix-1996", "10x4/4", 132, drift=-0.05, intro_bars=0, bars=10),
    Trial("remix-1996", "4x5/4,8x4/4", 132, drift=0.05, bars=12),
    Trial("remix-1996", "4x5/4,8x4/4", 128, noise=0.3, bars=12),
    Trial("tv-1966", "6x5/4", 140, bars=6),
)
"""The trial set: 5/4, 7/8 and 4/4, and the switch from 5/4 to 4/4; each 10 to 25 s. The
steady tv-1966 is the hardest pulse: its ostinato's dotted quarters are as strong a tempo
as its beats."""


@dataclass(frozen=True)
class TrialRecording:
    """A rendered trial: its ``signal`` (mono float32 at ``rate``), the true ``beats`` and
    ``downbeats`` (seconds), its ``meters`` in order and the second its meter changes
    (``switch``, None for one meter)."""

    name: str
    form: str
    signal: np.ndarray
    rate: int
    beats: tuple[float, ...]
    downbeats: tuple[float, ...]
    meters: tuple[str, ...]
    switch: float | None


def trial_timeline(trial: Trial) -> Timeline:
    """The trial's music: the variant, cut to its bars, with the drifting tempo."""
    from theme.variants import load

    params = {} if trial.intro_bars is None else {"intro_bars": trial.intro_bars}
    music = load(trial.variant, **params).timeline(bars=trial.bars)
    start = Fraction(trial.qpm)
    end = start * Fraction(1 + trial.drift).limit_denominator(1000)
    tempo = TempoMap.constant(start)
    if trial.drift:
        tempo = tempo.then(Fraction(0), start, ramp_quarters=music.length, to=end)
    return music.with_tempo(tempo)


def make_trial(trial: Trial, *, rate: int = 44100, seed: int = 1966) -> TrialRecording:
    """Render ``trial`` with the built-in synthesizer and mix it to mono at ``rate``, after
    :data:`LEAD_SECONDS` of silence, noise added; its truth from the same timeline."""
    from theme.listen.recording import require_listen_extra
    from theme.renderers.audio import render

    require_listen_extra()
    import soxr

    music = trial_timeline(trial)
    sound = render(music, rate=44100).mean(axis=1).astype(np.float32)
    if rate != 44100:
        sound = soxr.resample(sound, 44100, rate).astype(np.float32)
    lead = np.zeros(round(LEAD_SECONDS * rate), dtype=np.float32)
    signal = np.concatenate([lead, sound])
    if trial.noise:
        level = float(np.sqrt(np.mean(sound**2)))
        noise = np.random.default_rng(seed).standard_normal(len(signal)).astype(np.float32)
        signal = signal + trial.noise * level * noise
    beats: list[float] = []
    downbeats: list[float] = []
    meters: list[str] = []
    switch = None
    for bar in music.bars:
        pulse = bar.meter.pulse_quarters
        downbeats.append(LEAD_SECONDS + float(music.tempo_map.seconds_at(bar.start)))
        beats += [
            LEAD_SECONDS + float(music.tempo_map.seconds_at(bar.start + k * pulse))
            for k in range(bar.meter.numerator)
        ]
        if meters and str(bar.meter) != meters[-1]:
            switch = downbeats[-1]
        if not meters or str(bar.meter) != meters[-1]:
            meters.append(str(bar.meter))
    return TrialRecording(
        trial.name, trial.form, signal, rate, tuple(beats), tuple(downbeats), tuple(meters), switch
    )
