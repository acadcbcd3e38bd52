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
from pathlib import Path
from typing import Any

import numpy as np

from theme.core.tempo import TempoMap
from theme.core.timeline import Timeline

__all__ = [
    "CORPUS_TRIALS",
    "TRIALS",
    "CorpusTrial",
    "Trial",
    "TrialRecording",
    "corpus_timeline",
    "form_text",
    "make_corpus_trial",
    "make_trial",
    "trial_timeline",
]

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
    return _recording(music, sound, rate, trial.name, trial.noise, seed, form=trial.form)


def form_text(music: Timeline) -> str:
    """The music's bars as a form ``theme listen --form`` takes: ``'4x5/4,8x4/4'``."""
    parts: list[list[Any]] = []
    for bar in music.bars:
        if parts and parts[-1][1] == str(bar.meter):
            parts[-1][0] += 1
        else:
            parts.append([1, str(bar.meter)])
    return ",".join(f"{n}x{meter}" for n, meter in parts)


def _recording(
    music: Timeline,
    sound: np.ndarray,
    rate: int,
    name: str,
    noise: float,
    seed: int,
    *,
    form: str | None = None,
) -> TrialRecording:
    """A trial from its music and its mono sound at ``rate``: :data:`LEAD_SECONDS` of
    silence first, ``noise`` added (its RMS over the music's), and the truth from the
    timeline: every pulse of every bar, each bar's first, and where the meter changes."""
    lead = np.zeros(round(LEAD_SECONDS * rate), dtype=np.float32)
    signal = np.concatenate([lead, sound])
    if noise:
        level = float(np.sqrt(np.mean(sound**2)))
        hiss = np.random.default_rng(seed).standard_normal(len(signal)).astype(np.float32)
        signal = signal + noise * level * hiss
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
            if bar.start + k * pulse < bar.end
        ]
        if meters and str(bar.meter) != meters[-1]:
            switch = downbeats[-1]
        if not meters or str(bar.meter) != meters[-1]:
            meters.append(str(bar.meter))
    return TrialRecording(
        name,
        form or form_text(music),
        signal,
        rate,
        tuple(beats),
        tuple(downbeats),
        tuple(meters),
        switch,
    )


SOUNDFONT = Path("/usr/share/sounds/sf2/FluidR3_GM.sf2")
"""The General MIDI SoundFont FluidSynth renders the corpus trials with (Debian's
``fluid-soundfont-gm``)."""

RUBATO_BARS = 4
"""Bars in one cycle of a rubato trial's tempo: faster, back, slower, back."""


@dataclass(frozen=True)
class CorpusTrial:
    """How to make a trial recording from a piece of music21's corpus, played by FluidSynth
    with General MIDI instruments: ``piece`` (a corpus path) and ``number`` (a tune of an
    ABC collection), ``bars`` kept (from its first full bar: a pickup is left out), ``qpm``
    (quarter notes a minute), ``program`` (the General MIDI program of every part),
    ``repeats`` (the bars played this many times), and what is done to it: ``rubato`` (the
    tempo swings by this fraction either way, a cycle every :data:`RUBATO_BARS` bars),
    ``swing`` (each off-beat eighth is this fraction of an eighth late: 1/3 is a triplet
    swing), ``reverb`` (a room's reverberation time, RT60 in seconds; 0 dry) and ``noise``."""

    piece: str
    bars: int
    qpm: int
    number: int | None = None
    program: int = 0
    repeats: int = 1
    rubato: float = 0.0
    swing: float = 0.0
    reverb: float = 0.0
    noise: float = 0.0

    @property
    def name(self) -> str:
        base = self.piece.split("/")[-1].split(".abc")[0].split(".mxl")[0]
        said = [f"{base}#{self.number}" if self.number is not None else base]
        if self.rubato:
            said.append(f"rubato {self.rubato:.0%}")
        if self.swing:
            said.append("swing")
        if self.reverb:
            said.append(f"reverb {self.reverb:g} s")
        if self.noise:
            said.append(f"noise {self.noise:.0%}")
        return ", ".join(said)


CORPUS_TRIALS = (
    CorpusTrial("bach/bwv349.mxl", 12, 90),
    CorpusTrial("bach/bwv227.1.mxl", 12, 84, rubato=0.08),
    CorpusTrial("bach/bwv227.1.mxl", 12, 84, program=19, reverb=1.5),
    CorpusTrial("essenFolksong/erk10.abc", 12, 110, number=395, program=73, swing=1 / 3),
    CorpusTrial("oneills1850/0001-0050.abc", 8, 140, number=39, program=21, reverb=0.8),
    CorpusTrial("essenFolksong/han1.abc", 4, 100, number=213, program=24, repeats=2),
    CorpusTrial("essenFolksong/ballad40.abc", 4, 100, number=203, program=0, repeats=3),
)
"""The corpus trials: a Bach chorale in 3/4 on the piano, one in 4/4 with rubato and on a
church organ in a reverberant room, a German folk song in 4/4 swung on a flute, an Irish
slip jig in 9/8 on an accordion in a room, a Chinese folk song in 7/8 on a guitar and a
German ballad in 5/4 on the piano; the folk songs are melodies alone."""


def _from_first_full_bar(music: Timeline) -> Timeline:
    """The music without a pickup: from its first bar of its meter's full length."""
    from dataclasses import replace

    first = next((i for i, bar in enumerate(music.bars) if bar.length is None), 0)
    if not first:
        return music
    start = music.bars[first].start
    bars = [(bar.meter, bar.section, bar.length) for bar in music.bars[first:]]
    events = [replace(e, onset=e.onset - start) for e in music.events if e.onset >= start]
    return Timeline.build(
        title=music.title, bars=bars, tempo=music.tempo_map, layers=music.layers.values()
    ).with_events(events)


def _rubato(music: Timeline, qpm: int, depth: float) -> TempoMap:
    """A tempo that swings ``depth`` either way of ``qpm``: at each bar line it ramps to
    the next bar's tempo, a cycle every :data:`RUBATO_BARS` bars."""
    import math

    from theme.core.tempo import TempoSegment

    def at(n: int) -> Fraction:
        swing = depth * math.sin(2 * math.pi * n / RUBATO_BARS)
        return Fraction(qpm) * Fraction(1 + swing).limit_denominator(1000)

    segments = [
        TempoSegment(bar.start, at(n), bar.end - bar.start, at(n + 1))
        for n, bar in enumerate(music.bars)
    ]
    return TempoMap([*segments, TempoSegment(music.length, at(len(music.bars)))])


def _swung(music: Timeline, late: float) -> Timeline:
    """Each note on an off-beat eighth (half a quarter after a quarter) ``late`` of an
    eighth later, and the one before it as much longer."""
    from dataclasses import replace

    shift = Fraction(late).limit_denominator(96) / 2
    events = []
    for event in music.events:
        if event.onset % 1 == Fraction(1, 2):
            events.append(
                replace(event, onset=event.onset + shift, duration=event.duration - shift)
            )
        elif (event.onset + event.duration) % 1 == Fraction(1, 2):
            events.append(replace(event, duration=event.duration + shift))
        else:
            events.append(event)
    return music.with_events(sorted(events, key=lambda e: (e.onset, e.layer, e.pitch)))


def corpus_timeline(trial: CorpusTrial) -> Timeline:
    """The trial's music: the corpus piece from its first full bar, cut to its bars (a
    short last bar left out), repeated, played by one General MIDI program, at its tempo (with rubato) and swing."""
    from dataclasses import replace

    from music21 import corpus

    from theme.readers.abc import from_music21

    score = (
        corpus.parse(trial.piece, number=trial.number)
        if trial.number
        else corpus.parse(trial.piece)
    )
    music = _from_first_full_bar(from_music21(score, Path(trial.piece), "corpus")).head(trial.bars)
    while len(music.bars) > 1 and music.bars[-1].length is not None:  # a short last bar
        music = music.head(len(music.bars) - 1)
    if trial.repeats > 1:
        music = Timeline.join([music] * trial.repeats, title=music.title)
    music = music.with_layers(
        [replace(layer, program=trial.program) for layer in music.layers.values()]
    )
    tempo = (
        _rubato(music, trial.qpm, trial.rubato) if trial.rubato else TempoMap.constant(trial.qpm)
    )
    music = music.with_tempo(tempo)
    return _swung(music, trial.swing) if trial.swing else music


def _room(sound: np.ndarray, rate: int, rt60: float, seed: int) -> np.ndarray:
    """``sound`` in a room: convolved with decaying noise (its level down 60 dB after
    ``rt60`` seconds), the wet sound as loud as the dry."""
    frames = int(rt60 * rate)
    decay = np.exp(-6.9 * np.arange(frames) / frames).astype(np.float32)
    tail = np.random.default_rng(seed).standard_normal(frames).astype(np.float32) * decay
    size = 1 << int(np.ceil(np.log2(len(sound) + frames - 1)))
    wet = np.fft.irfft(np.fft.rfft(sound, size) * np.fft.rfft(tail, size), size)[: len(sound)]
    wet = wet.astype(np.float32)
    wet *= float(np.sqrt(np.mean(sound**2)) / (np.sqrt(np.mean(wet**2)) + 1e-12))
    return np.asarray((sound + wet), dtype=np.float32)


def make_corpus_trial(trial: CorpusTrial, *, rate: int = 44100, seed: int = 1966) -> TrialRecording:
    """Render ``trial`` with FluidSynth and :data:`SOUNDFONT`, mixed to mono at ``rate``
    after :data:`LEAD_SECONDS` of silence, in its room and noise; the truth from the same
    timeline (every pulse of every bar).

    Raises:
        ThemeError: pyfluidsynth or the FluidSynth library is missing.
        InputFileError: the SoundFont is not there.
    """
    from theme.listen.recording import require_listen_extra
    from theme.renderers.fluid import fluid_blocks

    require_listen_extra()
    import soxr

    music = corpus_timeline(trial)
    sound = np.concatenate(list(fluid_blocks(music, SOUNDFONT, rate=44100))).mean(axis=1)
    if trial.reverb:
        sound = _room(sound, 44100, trial.reverb, seed)
    peak = float(np.max(np.abs(sound))) or 1.0
    sound = (0.8 * sound / peak).astype(np.float32)
    if rate != 44100:
        sound = soxr.resample(sound, 44100, rate).astype(np.float32)
    return _recording(music, sound, rate, trial.name, trial.noise, seed)
