"""theme listen's page in headless Chromium: the recording inside it decodes where it was,
and the page's count (its tempo map, the pulses the beat light and the conductor follow)
and its clicks land on the recording's true beats within 10 ms, also when playing from a
later bar (the recording then starts where that bar is in it)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.browser

PROBE = """
const done = arguments[arguments.length - 1];
const player = Theme.players[0];
const started = [];
const start = AudioBufferSourceNode.prototype.start;
AudioBufferSourceNode.prototype.start = function (when, offset) {
  if (this.buffer === player.recordingBuffer) { started.push([when, offset || 0]); }
  return start.apply(this, arguments);
};
player.record = true;
const bar = arguments[0];
player.play(bar).then(() => setTimeout(() => {
  const plan = player.plans[0], rate = player.rate;
  const data = player.recordingBuffer.getChannelData(0);
  let first = 0;
  while (first < data.length && Math.abs(data[first]) < 0.05) { first += 1; }
  const pulses = [];
  player.bars.forEach(b => {
    for (let k = 0; k < b.quarters / b.pulse - 1e-9; k += 1) {
      pulses.push(player.tempo.secondsAt(b.start + k * b.pulse));
    }
  });
  const clicks = player.scheduled.map(([frame, q]) => [(frame - plan.frame) / rate, q]);
  player.stop();
  done({started: started, frame: plan.frame / rate, q: plan.q,
        from: player.tempo.secondsAt(plan.q), pulses: pulses, clicks: clicks,
        firstSound: first / player.recordingBuffer.sampleRate});
}, 1500)).catch(e => done({error: String(e)}));
"""


def test_the_page_counts_on_the_recordings_beats(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import soundfile

    from theme.listen import analyse, form_of
    from theme.listen.outputs import write_output
    from theme.listen.recording import recording_info
    from theme.listen.trials import TRIALS, make_trial
    from theme.output import output_file

    trial = make_trial(TRIALS[1], rate=44100)
    wav = tmp_path / "take.wav"
    soundfile.write(wav, trial.signal, 44100)
    beatmap = analyse(wav, form_of(form=trial.form))
    page = write_output(
        beatmap, output_file(tmp_path / "lesson.html"), info=recording_info(wav), title="take"
    )
    browser.get(page.resolve().as_uri())
    result = browser.execute_async_script(PROBE, 3)  # bar 3 of the beat map: the lead-in is 0
    assert "error" not in result, result
    truth = np.array(trial.beats)
    # the recording decodes where it was: its first drum at the first true beat
    assert abs(result["firstSound"] - truth[0]) < 0.010
    # every true beat has a pulse of the page's count within 10 ms (a few may be 30 ms)
    pulses = np.array(result["pulses"])
    misses = np.array([np.min(np.abs(pulses - t)) for t in truth])
    assert np.mean(misses < 0.010) >= 0.9, np.round(misses * 1000, 1)
    assert np.max(misses) < 0.035
    # played from bar 3: the recording starts at that bar's place in it, with the plan
    when, offset = result["started"][0]
    assert abs(when - result["frame"]) < 1e-6
    assert abs(offset - result["from"]) < 1e-6
    assert abs(offset - trial.downbeats[2]) < 0.010
    # and each click heard lands on a true beat: the recording's time of the click
    heard = [offset + seconds for seconds, _ in result["clicks"]]
    assert heard
    near = [np.min(np.abs(truth - t)) for t in heard if t < truth[-1]]
    assert np.mean(np.array(near) < 0.010) >= 0.9


SLOWED = """
const done = arguments[arguments.length - 1];
const player = Theme.players[0];
const buffers = [];
const start = AudioBufferSourceNode.prototype.start;
AudioBufferSourceNode.prototype.start = function () {
  if (this.buffer === player.recordingBuffer) { buffers.push(true); }
  return start.apply(this, arguments);
};
player.setTempoScale(0.75);
player.play(1).then(() => {
  const looks = [];
  const look = () => {
    const element = player.recordingElement;
    looks.push(element ? [element.currentTime, player.recordingSecondsNow(), element.paused]
                       : null);
  };
  [1500, 2500, 3500].forEach(ms => setTimeout(look, ms));
  setTimeout(() => {
    const element = player.recordingElement;
    const result = {mode: player.recordingMode, buffers: buffers.length, looks: looks,
                    pitch: element && element.preservesPitch, rate: element && element.playbackRate,
                    seeks: player.recordingSeeks || 0, refused: player.recordingError || null};
    player.stop();
    result.pausedAfterStop = element && element.paused;
    done(result);
  }, 3700);
}).catch(e => done({error: String(e)}));
"""


def test_slowed_down_the_recording_keeps_its_pitch_and_the_players_clock(
    browser, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """At 3/4 speed the page plays the recording through an <audio> element with
    preservesPitch (no buffer at a lower pitch), and it stays within 60 ms of where the
    player's clock says it should be."""
    import soundfile

    from theme.listen import analyse, form_of
    from theme.listen.outputs import write_output
    from theme.listen.recording import recording_info
    from theme.listen.trials import TRIALS, make_trial
    from theme.output import output_file

    trial = make_trial(TRIALS[0], rate=44100)
    wav = tmp_path / "tv.wav"
    soundfile.write(wav, trial.signal, 44100)
    beatmap = analyse(wav, form_of(form=trial.form))
    page = write_output(
        beatmap, output_file(tmp_path / "slow.html"), info=recording_info(wav), title="tv"
    )
    browser.get(page.resolve().as_uri())
    result = browser.execute_async_script(SLOWED)
    assert "error" not in result and result["refused"] is None, result
    assert result["mode"] == "media" and result["buffers"] == 0
    assert result["pitch"] is True and result["rate"] == pytest.approx(0.75)
    for at, want, paused in result["looks"]:
        assert not paused and abs(at - want) < 0.06, result
    assert result["pausedAfterStop"] is True
