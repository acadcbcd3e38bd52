"""The page as an instrument: its own scheduler (``js/player.js``) heard in headless Chromium.

The page's player is handed an ``OfflineAudioContext`` at 48 kHz and pumped at every 25 ms
of audio time, as its timer does live: the same code path, rendered faster than real time.
Every sound it queues is compared with the library's sample for the same event
(``tempo_map.sample_at``), at the written tempo, at 0.75 of it, and in a loop after five
rounds; the sound itself is compared with ``theme.renderers.audio.render`` and with
``theme export``'s WAV. A live test plays the real-time context and checks that every
sound was queued ahead of its time on the exact grid. The page loads nothing from the
network and logs no error, under its Content-Security-Policy. Skipped, saying why, where
Chromium or its driver is missing.
"""

from __future__ import annotations

import base64
import dataclasses
import itertools
import json
import math
import re
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.conftest import run_theme
from theme.core.tempo import to_sample
from theme.core.timeline import Timeline

pytestmark = pytest.mark.browser

RATE = 48000

OFFLINE = """
const [index, fromBar, scale, loop, seconds, changes, setup, done] = arguments;
const section = document.querySelectorAll('section')[index];
const data = JSON.parse(section.querySelector('script.timeline').textContent);
const ctx = new OfflineAudioContext(2, Math.ceil(seconds * 48000), 48000);
const player = new Theme.Player(section, data,
    {context: ctx, timer: false, startDelay: 0, record: true, exclusive: false});
const pumps = [];
const cuts = [];
const failures = [];
for (let t = 0.025; t < seconds - 0.01; t += 0.025) {  // the look-ahead timer, in audio time
  const change = changes.find(c => Math.abs(c[0] - t) < 0.0125);
  ctx.suspend(t).then(() => {
    pumps.push(ctx.currentTime);
    if (change) { player.setTempoScale(change[1]); cuts.push(player.plan().frame, player.plan().q); }
    player.pump();
    ctx.resume();
  }).catch(err => failures.push(String(err)));
}
const encode = array => {
  const bytes = new Uint8Array(array.buffer);
  let text = '';
  for (let i = 0; i < bytes.length; i += 32768) {
    text += String.fromCharCode.apply(null, bytes.subarray(i, i + 32768));
  }
  return btoa(text);
};
try {
  player.setTempoScale(scale);
  if (loop) { player.setLoop(loop[0], loop[1]); }
  if (setup.thin !== undefined) { player.setThinning(setup.thin); }
  (setup.solo || []).forEach(i => player.setLayer(i, {solo: true}));
  (setup.mute || []).forEach(i => player.setLayer(i, {mute: true}));
  player.play(fromBar)
    .then(() => ctx.startRendering())
    .then(buffer => done({
      left: encode(buffer.getChannelData(0)), right: encode(buffer.getChannelData(1)),
      scheduled: player.scheduled, origin: player.plans[0].frame, pumps: pumps.length, cuts,
      failures,
    }))
    .catch(err => done({error: String(err)}));
} catch (err) { done({error: String(err)}); }
"""


def page_data(html: str, index: int = 0) -> dict[str, Any]:
    found = re.findall(r"<script type='application/json' class='timeline'>([^<]*)</script>", html)
    return json.loads(found[index])  # type: ignore[no-any-return]


def offline(
    browser: Any,
    page: Path,
    *,
    index: int = 0,
    from_bar: int = 1,
    scale: float = 1.0,
    loop: tuple[int, int] | None = None,
    seconds: float,
    changes: tuple[tuple[float, float], ...] = (),
    setup: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The page's section ``index`` played by its own player into an OfflineAudioContext:
    the stereo audio (frames, 2) and the sounds queued, ``[frame, quarter, round]``;
    ``changes`` sets the tempo scale to ``x`` at ``t`` seconds of audio, ``(t, x)``, while
    it plays (``cuts``: the frame and quarter each new tempo runs from); ``setup`` may give
    ``thin`` (the thinning level), ``solo`` and ``mute`` (layer indexes)."""
    if browser.current_url != page.as_uri():
        browser.get(page.as_uri())
    result = browser.execute_async_script(
        OFFLINE, index, from_bar, scale, list(loop) if loop else None, seconds, changes, setup or {}
    )
    assert "error" not in result, result
    left = np.frombuffer(base64.b64decode(result["left"]), dtype=np.float32)
    right = np.frombuffer(base64.b64decode(result["right"]), dtype=np.float32)
    result["audio"] = np.stack([left, right], axis=1)
    assert result["origin"] == 0 and result["pumps"] > 0 and result["failures"] == []
    return result


def heard_events(timeline: Timeline) -> list[Fraction]:
    """The onsets of the events that make a sound, in order (silent clicks make none)."""
    from theme.page.data import sound_key

    return [
        e.onset
        for e in timeline.events
        if e.layer in timeline.layers and sound_key(timeline.layers[e.layer], e)
    ]


def onsets(audio: np.ndarray, *, silence: int = 2000) -> list[int]:
    """The first sample of each sound that follows at least ``silence`` silent samples."""
    loud = np.flatnonzero(np.abs(audio).max(axis=1) > 1e-6)
    if not len(loud):
        return []
    starts = [int(loud[0])]
    starts += [int(b) for a, b in itertools.pairwise(loud) if b - a > silence]
    return starts


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("pages")
    made = run_theme("metronome", "5/4", "--vs", "4/4", "--bars", "4", "-o", "m.html", cwd=folder)
    assert made.returncode == 0, made.stderr
    made = run_theme("demo", "--step", "2", "--out", "tour", cwd=folder)
    assert made.returncode == 0, made.stderr
    made = run_theme(
        "metronome", "7/8", "--accel", "e=200-280/4", "--bars", "6", "-o", "a.html", cwd=folder
    )
    assert made.returncode == 0, made.stderr
    made = run_theme("export", "tv-1966", "-o", "tv.html", cwd=folder)
    assert made.returncode == 0, made.stderr
    made = run_theme("export", "tv-1966", "-o", "tv.wav", cwd=folder)
    assert made.returncode == 0, made.stderr
    return {
        "metronome": folder / "m.html",
        "accel": folder / "a.html",
        "step": folder / "tour" / "step-2.html",
        "tv": folder / "tv.html",
        "wav": folder / "tv.wav",
    }


def metronome_timeline() -> Timeline:
    from theme.metronome import Metronome

    return Metronome("5/4", vs="4/4", bars=4).timeline()


def step_timeline() -> Timeline:
    from theme.classroom.tour import steps

    return steps(2)[0].music(None)


def test_the_page_holds_the_timeline_the_library_plays(pages: dict[str, Path]) -> None:
    from theme.page.data import timeline_data

    for page, timeline in (
        (pages["metronome"], metronome_timeline()),
        (pages["step"], step_timeline()),
    ):
        data = page_data(page.read_text())
        assert data == json.loads(json.dumps(timeline_data(timeline)))
        assert len(data["events"]) == len(timeline.events)


@pytest.mark.parametrize("scale", [1.0, 0.75, 1.5])
@pytest.mark.parametrize("which", ["metronome", "step"])
def test_every_sound_starts_on_the_librarys_sample(
    browser: Any, pages: dict[str, Path], which: str, scale: float
) -> None:
    timeline = metronome_timeline() if which == "metronome" else step_timeline()
    qpm = timeline.tempo_map.segments[0].qpm * Fraction(scale)
    scaled = timeline.with_tempo(qpm)  # the same music at the tempo the page is set to
    seconds = float(scaled.duration_seconds) + 1.0
    result = offline(browser, pages[which], scale=scale, seconds=seconds)
    expected = [scaled.tempo_map.sample_at(q, RATE) for q in heard_events(timeline)]
    frames = [frame for frame, _, _ in result["scheduled"]]
    assert len(frames) == len(expected)
    assert frames == expected  # every one on its sample, none off by even one
    if which == "metronome":  # clicks with silence between: find them in the sound itself
        assert onsets(result["audio"]) == sorted(set(expected))


def accel_timeline() -> Timeline:
    from theme.metronome import Metronome

    return Metronome("7/8", accel="e=200-280/4", bars=6).timeline()


@pytest.mark.parametrize("scale", [1.0, 0.75])
def test_a_tempo_ramp_puts_every_sound_on_the_librarys_sample(
    browser: Any, pages: dict[str, Path], scale: float
) -> None:
    """An accelerando: the page integrates the ramp as the library does (a logarithm)."""
    timeline = accel_timeline()
    assert any(s.end_qpm for s in timeline.tempo_map.segments)
    seconds = float(timeline.duration_seconds) / scale + 0.5
    result = offline(browser, pages["accel"], scale=scale, seconds=seconds)
    exact = [timeline.tempo_map.seconds_at(q) / Fraction(scale) for q in heard_events(timeline)]
    frames = [frame for frame, _, _ in result["scheduled"]]
    assert frames == [to_sample(t, RATE) for t in exact]


def test_the_pages_sound_is_the_librarys(browser: Any, pages: dict[str, Path]) -> None:
    """At the written tempo the page's mix is the renderer's to within 16-bit rounding.

    Measured (2026-11-28, Chromium 156): against ``render``, max abs difference 4.3e-6
    (metronome), 9.2e-6 (tour step 2, lead included) and 8.8e-6 (tv-1966), correlation
    0.999999997 or more; against ``theme export``'s 16-bit WAV of tv-1966, 3.7e-5 (the
    WAV's own rounding, 1.5e-5, added). Why not 0: the page holds its waveforms as 16-bit
    samples (the renderer mixes float32 ones, up to 1.5e-5 apart before the gain), Web
    Audio multiplies gain and pan in float32 in another order, the lead is computed in the
    page, and the soft knee is a wave shaper's curve (exact below the knee at 0.8; these
    mixes peak at 0.27 to 0.42, so it never bends them). A sound one sample early or late
    would differ by 0.05 or more at its attack.
    """
    import soundfile

    from theme.renderers.audio import render

    for which, timeline in (("metronome", metronome_timeline()), ("step", step_timeline())):
        library = render(timeline, rate=RATE)
        result = offline(browser, pages[which], seconds=len(library) / RATE + 0.5)
        page = result["audio"][: len(library)]
        assert np.abs(page - library).max() < 3e-5, which
        assert np.corrcoef(page.ravel(), library.ravel())[0, 1] > 0.9999999
        assert np.abs(result["audio"][len(library) :]).max() < 1e-4  # nothing more after it
    # and theme export's WAV (16-bit PCM) of tv-1966, bongo, bass and lead
    wav, rate = soundfile.read(pages["wav"], dtype="float32")
    result = offline(browser, pages["tv"], seconds=len(wav) / rate + 0.5)
    page = result["audio"][: len(wav)]
    assert rate == RATE and np.abs(page - wav).max() < 6e-5
    assert np.corrcoef(page.ravel(), wav.ravel())[0, 1] > 0.9999999


def test_a_tempo_change_while_playing_moves_every_later_sound_once(
    browser: Any, pages: dict[str, Path]
) -> None:
    """Slower at 3.1 s, then faster at 6.05 s: sounds already queued before each change keep
    their sample, the later ones are taken back and queued again, each on its exact sample
    from the change; none is lost or doubled."""
    timeline = metronome_timeline()
    tempo = timeline.tempo_map
    result = offline(browser, pages["metronome"], seconds=14.0, changes=((3.1, 0.5), (6.05, 1.25)))
    (cut1, q1, cut2, q2) = result["cuts"]
    assert 0 < q1 < q2 < float(timeline.length)
    kept = {}  # the sounds queued last for each quarter position (taken back ones replaced)
    for frame, q, _ in result["scheduled"]:
        kept[q] = frame
    expected = {}
    for q in heard_events(timeline):
        seconds = tempo.seconds_at(q)
        if q < Fraction(q1).limit_denominator(10**9):
            expected[float(q)] = to_sample(seconds, RATE)
        elif q < Fraction(q2).limit_denominator(10**9):
            expected[float(q)] = cut1 + round((seconds - tempo.seconds_at(Fraction(q1))) * 2 * RATE)
        else:
            expected[float(q)] = cut2 + round(
                (seconds - tempo.seconds_at(Fraction(q2))) / Fraction(5, 4) * RATE
            )
    assert {q: f for q, f in kept.items() if q in expected} == expected
    assert onsets(result["audio"]) == sorted(set(expected.values()))  # heard once each


def test_a_loud_mix_bends_through_the_renderers_soft_knee(browser: Any, tmp_path: Path) -> None:
    """Kick, snare and bass at full gain on every beat: the mix goes past the knee (0.8) and
    the page's wave shaper bends it as ``soft_limit`` does."""
    from theme.core.events import Event, Layer
    from theme.core.meter import Meter
    from theme.page.document import write_page
    from theme.renderers.audio import KNEE, render

    layers = [
        Layer("kick", "kick", drum=True, gain=4.0),
        Layer("snare", "snare", drum=True, gain=4.0, pan=-0.5),
        Layer("bass", "bass", gain=4.0, pan=0.5),
    ]
    events = [
        Event(Fraction(beat), Fraction(1), layer.name, pitch, 127)
        for beat in range(8)
        for layer, pitch in zip(layers, (36, 38, 40))
    ]
    timeline = Timeline.build(
        title="loud", bars=[(Meter.parse("4/4"), "")] * 2, tempo=120, layers=layers, events=events
    )
    library = render(timeline, rate=RATE)
    assert np.abs(library).max() > KNEE + 0.1  # past the knee
    page = write_page(timeline, tmp_path / "loud.html")
    result = offline(browser, page, seconds=len(library) / RATE + 0.5)
    heard = result["audio"][: len(library)]
    assert np.abs(heard).max() < 0.999
    assert np.abs(heard - library).max() < 1e-4


@pytest.mark.parametrize("level", [0, 1, 2])
def test_thinning_keeps_the_clicks_up_to_an_accent_level(
    browser: Any, pages: dict[str, Path], level: int
) -> None:
    """0: downbeats only, 1: group starts too, 2: every beat (3, the default: subdivisions)."""
    timeline = metronome_timeline()
    seconds = float(timeline.duration_seconds) + 0.5
    result = offline(browser, pages["metronome"], seconds=seconds, setup={"thin": level})
    kept = [
        timeline.tempo_map.sample_at(e.onset, RATE)
        for e in timeline.events
        if e.velocity > 0 and int(e.accent) <= level
    ]
    assert [frame for frame, _, _ in result["scheduled"]] == kept
    assert onsets(result["audio"]) == sorted(set(kept))


@pytest.mark.parametrize(("setup", "heard"), [({"solo": [1]}, "vs"), ({"mute": [1]}, "click")])
def test_solo_and_mute_leave_the_layers_heard(
    browser: Any, pages: dict[str, Path], setup: dict[str, list[int]], heard: str
) -> None:
    from theme.renderers.audio import render

    timeline = metronome_timeline()
    assert list(timeline.layers) == ["click", "vs"]
    alone = dataclasses.replace(timeline, events=[e for e in timeline.events if e.layer == heard])
    library = render(alone, rate=RATE)
    result = offline(browser, pages["metronome"], seconds=len(library) / RATE + 0.5, setup=setup)
    assert np.abs(result["audio"][: len(library)] - library).max() < 3e-5


def test_a_loop_stays_on_the_grid_after_five_rounds(browser: Any, pages: dict[str, Path]) -> None:
    """Bar 2 of the metronome looped, played from bar 1: the page sums no durations, so the
    seventh round starts exactly where exact arithmetic puts it."""
    timeline = metronome_timeline()
    tempo = timeline.tempo_map
    bar = timeline.bars[1]
    rounds = 7
    first = tempo.seconds_at(bar.end)  # from bar 1: to the end of bar 2
    length = tempo.seconds_at(bar.end) - tempo.seconds_at(bar.start)
    seconds = float(first + (rounds - 1) * length) + 0.2
    result = offline(browser, pages["metronome"], loop=(2, 2), seconds=seconds)
    in_bar = [q for q in heard_events(timeline) if bar.start <= q < bar.end]
    expected = [tempo.sample_at(q, RATE) for q in heard_events(timeline) if q < bar.end]
    for k in range(1, rounds):
        start = first + (k - 1) * length - tempo.seconds_at(bar.start)
        expected += [to_sample(start + tempo.seconds_at(q), RATE) for q in in_bar]
    frames = [frame for frame, _, _ in result["scheduled"]]
    assert max(k for _, _, k in result["scheduled"]) >= rounds - 1  # queued ahead: maybe more
    assert frames[: len(expected)] == expected
    found = onsets(result["audio"])
    late = [f for f in expected if f >= to_sample(first + 4 * length, RATE)]  # after round 5
    assert len(late) >= 2 * len(set(in_bar)) // 2 and set(late) <= set(found)


def test_the_live_context_queues_every_sound_ahead_on_the_grid(
    browser: Any, pages: dict[str, Path]
) -> None:
    """The real-time AudioContext (headless Chromium's own output), 13 seconds of the
    metronome (10 seconds a round) looped: every sound on its exact sample from the start,
    those of the first look-ahead step planned ahead of the clock and every later one queued
    ahead of it (benchmarks/bench_page.py plays 10 minutes and counts any sound late).

    The first step runs in the press's own task, a buffer and 2 ms ahead of the clock (the
    press-to-sound budget, docs/benchmarks.md): a loaded machine that stops the page's
    thread longer than that between the plan and the queueing starts the first sound a few
    milliseconds late, so for that step the plan's lead is what is asserted; later steps
    queue half a second ahead, which no load seen here has delayed."""
    browser.get(pages["metronome"].as_uri())
    result = browser.execute_async_script(LIVE, 13)
    assert "error" not in result, result
    timeline = metronome_timeline()
    tempo = timeline.tempo_map
    length = tempo.seconds_at(timeline.length)
    expected = {
        (k, q): to_sample(k * length + tempo.seconds_at(Fraction(q).limit_denominator(1920)), RATE)
        for frame, q, k, _, _ in result["queued"]
    }
    rounds = [k for _, _, k, _, _ in result["queued"]]
    assert rounds.count(0) == len(timeline.events) and rounds.count(1) >= 8  # a second begun
    for frame, q, k, _, _ in result["queued"]:
        assert frame - result["origin"] == expected[(k, q)]
    later = [(frame, now) for frame, _, _, now, pump in result["queued"] if pump > 1]
    assert later and all(frame > now for frame, now in later)  # queued ahead of its sample
    # The clock moves a device buffer at a time, so the first sound (queued on a context
    # made by this press) is planned at least one such step ahead of the clock's reading
    # when it was planned: a buffer rendered while the first sounds are being queued leaves
    # them still ahead.
    step = math.ceil(result["baseLatency"] * RATE / 128) * 128
    first = result["queued"][0][0]
    assert result["clockAtPlan"] > 0  # planned once the new context's clock was running
    assert step >= 128 and first - result["clockAtPump"] >= step
    assert result["positions"] > 100 and result["monotonic"]


LIVE = """
const [seconds, done] = arguments;
const section = document.querySelector('section'), player = Theme.playerFor(section);
const queued = [];
let pumps = 0, clockAtPump = null;
const pump = player.pump;
player.pump = function () {
  if (this.playing) {
    pumps += 1;
    if (pumps === 1) { clockAtPump = Math.floor(this.context.currentTime * 48000); }
  }
  return pump.call(this);
};
const start = player.start;
player.start = function (event, frame, k) {
  queued.push([frame, event[0], k, Math.floor(this.context.currentTime * 48000), pumps]);
  return start.call(this, event, frame, k);
};
let positions = 0, last = -1, monotonic = true, jumps = 0;
section.addEventListener('theme:position', e => {
  positions += 1;
  if (e.detail.q < last) { jumps += 1; if (e.detail.q > 1) { monotonic = false; } }
  last = e.detail.q;
});
player.setLoop(1, player.bars.length);
let clockAtPlan = null;
const makePlan = player.makePlan;
player.makePlan = function (frame, q) {
  if (clockAtPlan === null) { clockAtPlan = this.context.currentTime; }
  return makePlan.call(this, frame, q);
};
player.play(1).then(() => setTimeout(() => {
  const origin = player.plans[0].frame;
  player.stop();
  done({queued, origin, positions, monotonic, jumps, clockAtPlan, clockAtPump,
        baseLatency: player.context.baseLatency});
}, seconds * 1000)).catch(err => done({error: String(err)}));
"""


CONTROLS = """
const done = arguments[arguments.length - 1];
const section = document.querySelector('section'), player = Theme.playerFor(section);
const panel = section.querySelector('.player'), $ = s => panel.querySelector(s);
const change = (input, value) => { input.value = value; input.dispatchEvent(new Event('change')); };
const out = {};
change($('.tempo-bpm'), '0');
out.tempo = [$('[id$=err-tempo]').textContent, player.scale];
change($('.tempo-bpm'), '120');
out.tempoGood = [$('[id$=err-tempo]').textContent, player.scale,
                 Array.from(section.querySelectorAll('g.tempo tspan')).map(t => t.textContent).join('')];
change($('.from'), '99');
out.from = [$('[id$=err-from]').textContent, player.cueQ];
change($('.from'), '2');
$('.loop-kind').value = 'range'; $('.loop-kind').dispatchEvent(new Event('change'));
change($('.loop-a'), '3'); change($('.loop-b'), '2');
out.loop = [$('[id$=err-loop]').textContent, player.loop];
change($('.loop-b'), '4');
out.loopGood = [$('[id$=err-loop]').textContent, player.loop];
out.light = section.querySelector('.beat').dataset.now;
out.labels = Array.from(panel.querySelectorAll('input, select, button')).map(
  e => (e.labels && e.labels.length) || e.getAttribute('aria-label') || e.textContent.trim() ? 1 : 0);
$('.play').focus();
out.focused = document.activeElement === $('.play');
$('.play').click();
setTimeout(() => {
  out.playing = [player.playing, $('.play').getAttribute('aria-pressed'), $('.play').textContent];
  $('.play').click();
  out.stopped = [player.playing, $('.play').textContent];
  done(out);
}, 400);
"""


def test_bad_input_is_refused_beside_its_control(browser: Any, pages: dict[str, Path]) -> None:
    browser.get(pages["tv"].as_uri())
    browser.get_log("browser")  # only this page's messages from here on
    out = browser.execute_async_script(CONTROLS)
    assert out["tempo"] == ["tempo 0 is not possible: 4 to 2000 quarter notes a minute", 1]
    message, scale, mark = out["tempoGood"]
    assert message == "" and scale == 0.75 and mark.endswith("120")  # q=160 * 0.75
    assert out["from"][0] == "bar 99 does not exist: this music has bars 1 to 12"
    assert out["from"][1] == 0  # still cued at the start
    assert out["loop"][0].startswith("a loop of bars 3 to 2 has no length")
    assert out["loop"][1] == [10, 60]  # the last good loop, bars 3 to 12, stays
    assert out["loopGood"] == ["", [10, 20]]  # bars 3-4 of 5/4: quarters 10 to 20
    assert out["light"] == "2:1"  # cued at bar 2: the beat light shows it
    assert all(out["labels"]) and out["focused"]
    assert out["playing"] == [True, "true", "Stop"] and out["stopped"] == [False, "Play"]
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []


CHOOSE = """
const done = arguments[arguments.length - 1];
const section = document.querySelector('section'), player = Theme.playerFor(section);
const panel = section.querySelector('.player'), $ = s => panel.querySelector(s);
const grid = Array.from(panel.querySelectorAll('.bar-grid .bar-pick'));
const hint = () => panel.querySelector('.bar-hint').textContent;
const pressed = () => grid.filter(b => b.getAttribute('aria-pressed') === 'true').map(b => Number(b.dataset.bar));
const kind = k => { $('.loop-kind').value = k; $('.loop-kind').dispatchEvent(new Event('change')); };
const measures = Array.from(section.querySelectorAll('g.measure[data-start]'));
const inside = m => m.querySelector('[data-on]').dispatchEvent(new MouseEvent('click', {bubbles: true}));
const out = {labels: grid.map(b => [b.textContent, b.getAttribute('aria-label')]),
             measures: measures.map(m => Number(m.dataset.start))};
grid[2].click();  // bar 3
out.start = [$('.from').value, player.cueQ, section.querySelector('.beat').dataset.now, pressed(),
             hint(), grid.map(b => b.classList.contains('now'))];
kind('range');
grid[5].click();  // the first click: A and B at bar 6
out.first = [player.loop, $('.loop-a').value, $('.loop-b').value, hint()];
grid[3].click();  // the next: B at bar 4, the two put in order
out.second = [player.loop, $('.loop-a').value, $('.loop-b').value, pressed(), hint()];
inside(measures[1]); inside(measures[2]);  // on the score: bars 2 to 3
out.score = [player.loop, $('.loop-a').value, $('.loop-b').value];
kind('off');
inside(measures[7]);
out.scoreStart = [$('.from').value, player.cueQ, player.loop];
kind('bar');
grid[4].click();  // a loop of the start bar follows the bar chosen
out.barLoop = [$('.from').value, player.loop];
player.play(1).then(() => {
  grid[9].click();  // while playing: it goes on from bar 10 at once
  return player.starting;
}).then(() => {
  out.jump = [player.playing, player.plan().q, $('.from').value];
  player.stop();
  done(out);
}).catch(err => done({error: String(err)}));
"""


def test_bars_are_chosen_on_the_grid_and_on_the_score(browser: Any, pages: dict[str, Path]) -> None:
    """A click on a bar of the grid, or on a measure of the engraved score, makes it the
    start bar; with the loop on bars A to B, two clicks choose the loop (in either order)."""
    browser.get(pages["tv"].as_uri())
    browser.get_log("browser")
    out = browser.execute_async_script(CHOOSE)
    assert "error" not in out, out
    assert len(out["labels"]) == 12 and out["labels"][:2] == [
        ["intro 1", "bar 1, section intro"],
        ["2", "bar 2, section intro"],
    ]
    assert out["measures"] == [5.0 * k for k in range(12)]  # the score: all 12 bars of 5/4
    assert out["start"][:5] == ["3", 10, "3:1", [3], "start: bar 3"]
    assert out["start"][5] == [k == 2 for k in range(12)]  # the bar heard now: 3, cued
    assert out["first"] == [[25, 30], "6", "6", "loop: bar 6; click the last bar of the loop"]
    assert out["second"] == [[15, 30], "4", "6", [4, 5, 6], "loop: bars 4 to 6"]
    assert out["score"] == [[5, 15], "2", "3"]
    assert out["scoreStart"] == ["8", 35, None]
    assert out["barLoop"] == ["5", [20, 25]]
    assert out["jump"] == [True, 45, "10"]
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []


NETWORK = """
const done = arguments[arguments.length - 1];
const player = Theme.players[0];
player.play(1).then(() => setTimeout(() => {
  player.stop();
  done({resources: performance.getEntriesByType('resource').map(e => e.name),
        policy: document.querySelector('meta[http-equiv]').content});
}, 300)).catch(err => done({error: String(err)}));
"""


@pytest.mark.parametrize("which", ["step", "metronome"])
def test_the_page_asks_the_network_for_nothing(
    browser: Any, pages: dict[str, Path], which: str
) -> None:
    browser.get_log("browser")  # earlier pages' messages are not this one's
    browser.execute_cdp_cmd("Network.enable", {})
    browser.execute_cdp_cmd("Network.setBlockedURLs", {"urls": ["*"]})
    try:
        browser.get(pages[which].as_uri())
        result = browser.execute_async_script(NETWORK)
    finally:
        browser.execute_cdp_cmd("Network.setBlockedURLs", {"urls": []})
    assert "error" not in result, result
    assert [r for r in result["resources"] if not r.startswith("data:")] == []  # its font only
    assert result["policy"].startswith("default-src 'none'; script-src 'sha256-")
    assert "unsafe" not in result["policy"]
    assert [e for e in browser.get_log("browser") if e["level"] in ("SEVERE", "WARNING")] == []


def test_the_content_policy_hashes_the_pages_own_script(pages: dict[str, Path]) -> None:
    from theme.page.document import base64_digest

    html = pages["tv"].read_text()
    policy = re.search(r'http-equiv=\'Content-Security-Policy\' content="([^"]*)"', html)
    assert policy is not None
    scripts = re.findall(r"<script>(.*?)</script>", html, re.DOTALL)
    assert len(scripts) == 1
    assert f"'sha256-{base64_digest(scripts[0])}'" in policy.group(1)
    assert "eval" not in scripts[0]


def test_the_player_is_played_from_the_keyboard(browser: Any, pages: dict[str, Path]) -> None:
    """Tab from the picture-delay box reaches the first Play button; Space plays, Space
    stops; the focused control is outlined."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    browser.get(pages["metronome"].as_uri())
    browser.get_log("browser")
    browser.find_element("id", "picture-delay").click()
    ActionChains(browser).send_keys(Keys.TAB).perform()
    focused = browser.switch_to.active_element
    assert focused.get_attribute("class") == "play" and focused.text.endswith("Play")
    outline = browser.execute_script("return getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"
    ActionChains(browser).send_keys(Keys.SPACE).perform()
    playing = browser.execute_async_script(
        "const done = arguments[0]; Theme.players[0].starting.then(() => done("
        "[Theme.players[0].playing, document.activeElement.getAttribute('aria-pressed')]));"
    )
    assert playing == [True, "true"]
    ActionChains(browser).send_keys(Keys.SPACE).perform()
    assert browser.execute_script("return Theme.players[0].playing") is False
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []
