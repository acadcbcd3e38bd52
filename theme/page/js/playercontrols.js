// The player's controls under each music section's title: play and stop, start bar,
// tempo (slider, box, tap), loop, click thinning, mute and solo, and the bars chosen on
// the grid or the score. Bad input is refused with a message beside its control; the
// player keeps playing as it was.
//
// Choosing bars: a row of bar buttons (the grid: bar numbers, section letters, the bar
// heard lit) and every measure of the engraved score (its data-start, in quarter notes).
// A click makes the bar the start bar (a loop of the start bar or its section follows it);
// with the loop on "bars A to B", the first click sets A and B to the bar, the next sets B
// (the two in either order): a loop chosen by two clicks, on a phone too.
'use strict';
(function () {
  const Theme = window.Theme;

  function say(box, text) {
    if (box) {
      box.textContent = text;
    }
  }

  document.querySelectorAll('section').forEach(function (section) {
    const json = section.querySelector('script.timeline'),
      panel = section.querySelector('.player');
    if (!json || !panel) {
      return;
    }
    const data = JSON.parse(json.textContent);
    const player = new Theme.Player(section, data);
    const $ = function (selector) {
      return panel.querySelector(selector);
    };
    const play = $('.play'),
      from = $('.from'),
      range = $('.tempo-range'),
      bpm = $('.tempo-bpm');
    const tap = $('.tap'),
      loopKind = $('.loop-kind'),
      loopA = $('.loop-a'),
      loopB = $('.loop-b');
    const thin = $('.thin');
    const errors = {
      from: $('[id$=err-from]'),
      tempo: $('[id$=err-tempo]'),
      loop: $('[id$=err-loop]')
    };
    // the tempo shown as 100 %: the written one, or a recording's own (data.written)
    const written = data.written || data.tempo.segments[0].qpm;

    // The notation's tempo marks follow the tempo set: every number of a g.tempo text.
    const marks = [];
    section.querySelectorAll('g.tempo tspan').forEach(function (span) {
      if (!span.children.length && /^\s*\d+(\.\d+)?\s*$/.test(span.textContent)) {
        marks.push([span, Number(span.textContent)]);
      }
    });

    function showTempo(scale) {
      const q = +(written * scale).toFixed(2);
      if (document.activeElement !== bpm) {
        bpm.value = q;
      }
      range.value = Math.round(scale * 100);
      range.setAttribute('aria-valuetext', Math.round(scale * 100) + ' percent of the written tempo, q = ' + q);
      marks.forEach(function (mark) {
        mark[0].textContent = String(Math.round(mark[1] * scale));
      });
    }

    function setScale(scale) {
      try {
        player.setTempoScale(scale);
        say(errors.tempo, '');
        showTempo(scale);
        return true;
      } catch (err) {
        say(errors.tempo, err.message);
        return false;
      }
    }

    function fromBar() {
      const n = Number(from.value);
      player.checkBar(n);
      return n;
    }

    function applyLoop() {
      const kind = loopKind.value;
      loopA.toggleAttribute('disabled', kind !== 'range'); // unchanged: not written again
      loopB.toggleAttribute('disabled', kind !== 'range');
      try {
        if (kind === 'off') {
          player.setLoop(null);
        } else if (kind === 'bar') {
          const n = fromBar();
          player.setLoop(n, n);
        } else if (kind === 'section') {
          const n = fromBar(),
            label = player.checkBar(n).section;
          const first = player.firstBar(),
            last = first + data.bars.length - 1;
          let a = n,
            b = n;
          if (!label) {
            a = first;
            b = last;
          }
          while (a > first && player.checkBar(a - 1).section === label) {
            a -= 1;
          }
          while (b < last && player.checkBar(b + 1).section === label) {
            b += 1;
          }
          player.setLoop(a, b);
        } else {
          player.setLoop(Number(loopA.value), Number(loopB.value));
        }
        say(errors.loop, '');
        return true;
      } catch (err) {
        say(errors.loop, err.message);
        return false;
      }
    }

    function showPlaying(on) {
      Theme.setAttribute(play, 'aria-pressed', on ? 'true' : 'false');
      Theme.setText(play, on ? 'Stop' : 'Play');
    }
    section.addEventListener('theme:position', function (event) {
      if (event.target === section) {
        showPlaying(event.detail.playing);
      }
    });

    // The sound starts sooner if the context is already running when play is clicked: make
    // it on the press itself (a user's gesture, so the browser lets it start).
    play.addEventListener('pointerdown', function () {
      Theme.context();
    });
    play.addEventListener('keydown', function () {
      Theme.context();
    });
    play.addEventListener('click', function () {
      if (player.playing) {
        player.stop();
        return;
      }
      let n;
      try {
        n = fromBar();
      } catch (err) {
        say(errors.from, err.message);
        return;
      }
      say(errors.from, '');
      if (!applyLoop()) {
        return;
      }
      player.play(n).catch(function (err) {
        say(errors.from, err.message);
      });
    });
    from.addEventListener('change', function () {
      try {
        const n = fromBar();
        say(errors.from, '');
        if (loopKind.value === 'bar' || loopKind.value === 'section') {
          applyLoop();
        }
        if (!player.playing) {
          player.cue(n);
        }
      } catch (err) {
        say(errors.from, err.message);
      }
    });
    range.addEventListener('input', function () {
      setScale(Number(range.value) / 100);
    });
    bpm.addEventListener('change', function () {
      if (!setScale(Number(bpm.value) / written)) {
        return;
      }
      showTempo(player.scale);
    });
    let taps = [];
    tap.addEventListener('click', function () {
      const now = performance.now();
      taps = taps.filter(function (t) {
        return now - t < 2500;
      }).concat([now]).slice(-5);
      if (taps.length < 2) {
        say(errors.tempo, 'tap again, on each beat');
        return;
      }
      const beat = (taps[taps.length - 1] - taps[0]) / (taps.length - 1) / 1000;
      const pulse = data.bars.length ? data.bars[0].pulse : 1;
      setScale(60 / beat * pulse / written);
    });
    loopKind.addEventListener('change', function () {
      applyLoop();
      showChosen();
    });
    loopA.addEventListener('change', function () {
      applyLoop();
      showChosen();
    });
    loopB.addEventListener('change', function () {
      applyLoop();
      showChosen();
    });
    loopA.disabled = loopB.disabled = true;

    // ----- bars chosen on the grid or the score -----
    const grid = document.createElement('div'),
      hint = document.createElement('span');
    grid.className = 'bar-grid';
    hint.className = 'bar-hint';
    hint.setAttribute('role', 'status');
    hint.setAttribute('aria-live', 'polite');
    grid.setAttribute('role', 'group');
    grid.setAttribute('aria-label', 'bars: a click starts there; with the loop on bars A to B, ' +
      'click the first bar and then the last');
    const buttons = data.bars.map(function (bar, i) {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'bar-pick' + (i && bar.section !== data.bars[i - 1].section ? ' new-section' : '');
      button.dataset.bar = String(bar.n);
      button.textContent = (bar.section && (!i || bar.section !== data.bars[i - 1].section) ? bar.section + ' ' : '') + bar.n;
      button.setAttribute('aria-label', 'bar ' + bar.n + (bar.section ? ', section ' + bar.section : ''));
      button.addEventListener('click', function () {
        choose(bar.n);
      });
      grid.appendChild(button);
      return button;
    });
    if (buttons.length > 1) {
      grid.appendChild(hint);
      panel.appendChild(grid);
    }
    let pending = false; // "bars A to B": the next click sets B
    function choose(n) {
      if (loopKind.value === 'range') {
        if (!pending) {
          loopA.value = loopB.value = String(n);
        } else {
          const a = Number(loopA.value);
          loopA.value = String(Math.min(a, n));
          loopB.value = String(Math.max(a, n));
        }
        pending = !pending;
        if (applyLoop()) {
          say(hint, pending ? 'loop: bar ' + n + '; click the last bar of the loop' :
            'loop: bars ' + loopA.value + ' to ' + loopB.value);
        }
      } else {
        from.value = String(n);
        from.dispatchEvent(new Event('change'));
        say(hint, 'start: bar ' + n);
        if (player.playing) { // playing: it goes on from there at once
          player.play(n).catch(function (err) {
            say(errors.from, err.message);
          });
        }
      }
      showChosen();
    }

    function showChosen() {
      const start = Number(from.value),
        loop = player.loop;
      buttons.forEach(function (button, i) {
        const bar = data.bars[i];
        const inLoop = !!loop && bar.start >= loop[0] - 1e-9 && bar.start < loop[1] - 1e-9;
        button.classList.toggle('in-loop', inLoop);
        const started = loopKind.value !== 'range' && bar.n === start;
        button.setAttribute('aria-pressed', started || inLoop ? 'true' : 'false');
      });
    }
    // a click on a measure of the score: the bar it starts (pickups and meter changes too)
    section.querySelectorAll('[data-start]').forEach(function (measure) {
      measure.classList.add('pickable');
      measure.addEventListener('click', function () {
        const q = Number(measure.dataset.start);
        if (Number.isFinite(q) && data.bars.length) {
          choose(data.bars[player.barIndex(q)].n);
        }
      });
    });
    from.addEventListener('change', showChosen);
    section.addEventListener('theme:position', function (event) {
      if (event.target !== section || !data.bars.length) {
        return;
      }
      const now = player.barIndex(event.detail.q);
      buttons.forEach(function (button, i) {
        button.classList.toggle('now', i === now);
      });
    });
    showChosen();
    if (thin) {
      thin.addEventListener('change', function () {
        player.setThinning(Number(thin.value));
      });
    }
    panel.querySelectorAll('button.mute, button.solo').forEach(function (button) {
      button.addEventListener('click', function () {
        const on = button.getAttribute('aria-pressed') !== 'true',
          state = {};
        state[button.classList.contains('mute') ? 'mute' : 'solo'] = on;
        player.setLayer(Number(button.dataset.layer), state);
        button.setAttribute('aria-pressed', on ? 'true' : 'false');
        const verb = button.classList.contains('mute') ? 'mute' : 'solo';
        button.textContent = on ? (verb === 'mute' ? 'muted' : 'solo on') : verb;
      });
    });
  });
})();
