// The player: the page plays each timeline itself with Web Audio, to the sample.
//
// window.Theme.Player(element, data, options) plays `data` (a section's timeline JSON, or
// data another script made in the same form) and reports where the music is to `element`.
//
// DATA (what theme/classroom/pagedata.py writes; a script may make its own):
//   quarters  the music's length in quarter notes
//   bars      [{n, start, quarters, ...}]: bar number, start and length in quarter notes
//   tempo     {segments: [{start, qpm, length, end, origin}], min, max}: from `start`
//             (quarter notes) `qpm` quarter notes a minute, ramping linearly to `end`
//             over `length` quarter notes when `end` is not null; `origin` = seconds from
//             the music's start to `start`. Theme.steadyTempo(qpm) makes one steady tempo.
//   layers    [{name, voice, pan, gain, click}]: pan -1 (left) to 1 (right); click: true
//             if its events are thinned by accent level
//   events    [[q, duration, layer, accent, velocity, pitch, sound], ...] sorted by q:
//             q and duration in quarter notes from the start, layer an index of `layers`,
//             accent 0 downbeat, 1 group start, 2 beat, 3 subdivision, 4 silent; velocity
//             and pitch as in MIDI; sound a name of the page's sounds ('click/a0' ..
//             'click/a3', 'clicklow/a0' .. 'clicklow/a3' are on every page; 'bass/38',
//             'lead/74' ... those its music uses; '' for silence).
//   Each event sounds at the sample round(seconds(q) / tempoScale * rate) after the
//   start (seconds(q) from the tempo map, exactly as theme.core.tempo.TempoMap.seconds_at),
//   never by adding durations up; its level is master * layer gain * (velocity/127)^1.4,
//   placed by the layer's pan (equal power), through the renderer's soft knee.
//
// CONTRACT (other page scripts rely on it):
//   new Theme.Player(element, data, {context, timer, exclusive, startDelay})
//   .play(fromBar) .stop() .setTempoScale(x) .setLoop(a, b) (bars, inclusive; null: off)
//   .setData(data) (play other music: the meter builder's clicks) .cue(bar) (stopped)
//   .setThinning(level) .setLayer(index, {mute, solo}) .pump() (the look-ahead's step)
//   While playing, every animation frame, and once on stop, cue, start and loop jump, the
//   element gets a bubbling CustomEvent('theme:position', {detail: {q, seconds, bar,
//   playing}}): q the quarter position HEARD now (the context's output latency and the
//   page's picture delay box taken off), seconds the seconds from the music's start at
//   the tempo now set, bar the bar number. A follower writes into the page through
//   Theme.setAttribute(element, name, value) and Theme.setText(element, text), which write
//   only a value that changed: every write makes the browser lay the page out again.
//   Theme.players: the section players; Theme.playerFor(section): a section's player.
//   Hooks, for a script that plays along with the player (a recording page's): set
//   player.planned = function () {...} to be called after each new plan is queued (play,
//   and every re-plan: tempo, loop, thinning, a change of the events); set
//   player.stopped = function (when) {...} to be called when the sound stops, `when` in
//   the context's seconds (stop, the end of the music). Both do nothing unless set.
//   Theme.loopPlayer(section, ...) (loopplayer.js): the section's one looping player,
//   shared by the meter builder, the groove editor and the practice view.
// Timing: a 25 ms timer (and each animation frame) queues sounds up to 0.5 s ahead (1.5 s
// while the page is hidden) at exact AudioContext times; a change of tempo, loop or
// thinning takes back the sounds queued after 10 ms and one step of the clock from now
// and queues them again; play starts 2 ms and one step of the clock ahead of it.
// Nothing times sound with setTimeout. A player can be handed an OfflineAudioContext
// ({context, timer: false}) and pumped by hand: the tests hear the page's own code path.
'use strict';
(function () {
  const Theme = window.Theme = window.Theme || {};
  Theme.setAttribute = function (element, name, value) {
    if (element.getAttribute(name) !== value) {
      element.setAttribute(name, value);
    }
  };
  Theme.setText = function (element, text) {
    if (element.textContent !== text) {
      element.textContent = text;
    }
  };
  const RATE = 48000,
    KNEE_RANGE = Theme.KNEE_RANGE,
    TempoMap = Theme.TempoMap;
  const soundBuffer = Theme.soundBuffer,
    kneeCurve = Theme.kneeCurve;

  let sharedContext = null,
    planCount = 0;
  Theme.context = function () {
    if (!sharedContext) {
      sharedContext = new AudioContext({
        sampleRate: RATE,
        latencyHint: 'interactive'
      });
    }
    return sharedContext;
  };
  Theme.players = [];
  Theme.playerFor = function (element) {
    return Theme.players.find(function (p) {
      return p.element === element;
    }) || null;
  };
  // A real-time context's clock starts a moment after it is made or resumed, and its first
  // move is two device buffers at once: a player waits for it to run before planning (at
  // most a quarter second, should the browser hold it suspended). Offline: nothing to wait.
  function clockRunning(ctx) {
    if (typeof ctx.startRendering === 'function') {
      return Promise.resolve();
    }
    const until = performance.now() + 250;
    return new Promise(function (resolve) {
      (function look() {
        if ((ctx.state === 'running' && ctx.currentTime > 0) || performance.now() > until) {
          resolve();
        } else {
          setTimeout(look, 1);
        }
      })();
    });
  }

  function pictureDelay() {
    const box = document.getElementById('picture-delay');
    const ms = box ? Number(box.value) : 0;
    return isFinite(ms) ? ms / 1000 : 0;
  }

  // ----- the player -----------------------------------------------------------------------
  function Player(element, data, options) {
    options = options || {};
    this.element = element;
    this.givenContext = options.context || null;
    this.timer = options.timer !== false;
    this.exclusive = options.exclusive !== false;
    this.startDelay = options.startDelay === undefined ? 0.002 : options.startDelay;
    this.lookahead = options.lookahead || 0.5;
    this.scale = 1;
    this.loop = null;
    this.thin = 3;
    this.muted = new Set();
    this.soloed = new Set();
    this.playing = false;
    this.queued = [];
    this.scheduled = []; // [frame, q] of every sound started, kept for the tests
    this.record = Boolean(options.record);
    this.setData(data);
    Theme.players.push(this);
  }
  Theme.Player = Player;

  Player.prototype.setData = function (data) {
    if (this.playing) {
      this.stop();
    }
    this.data = data;
    this.tempo = new TempoMap(data.tempo);
    this.bars = data.bars;
    this.events = data.events;
    this.cueQ = this.bars.length ? this.bars[0].start : 0;
  };
  Player.prototype.barIndex = function (q) {
    let lo = 0,
      hi = this.bars.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.bars[mid].start <= q + 1e-9) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo;
  };
  // The number of the first bar: 1, or 0 and less when bars before bar 1 lead in (a
  // recording's beats before its first downbeat).
  Player.prototype.firstBar = function () {
    return this.bars.length ? this.bars[0].n : 1;
  };
  Player.prototype.checkBar = function (n) {
    const first = this.firstBar(),
      last = first + this.bars.length - 1;
    if (!(Number.isInteger(n) && n >= first && n <= last)) {
      throw new RangeError('bar ' + n + ' does not exist: this music has bars ' + first + ' to ' + last);
    }
    return this.bars[n - first];
  };
  Player.prototype.firstEvent = function (q) {
    let lo = 0,
      hi = this.events.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.events[mid][0] < q) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  };

  // A plan: from context frame `frame` the music plays from quarter `q` at `scale`; with a
  // loop [a, b) it goes round it. Pass 0 runs from q, pass k >= 1 from a; `offset(k)` is
  // the seconds (at the written tempo) from the plan's start to pass k's start.
  Player.prototype.makePlan = function (frame, q) {
    const loop = this.loop,
      tempo = this.tempo;
    if (loop && q >= loop[1]) {
      q = loop[0];
    } // past the loop: go round it from its start
    const plan = {
      frame: frame,
      q: q,
      scale: this.scale,
      loop: loop,
      from: tempo.secondsAt(q),
      id: ++planCount
    };
    if (loop) {
      plan.a = loop[0];
      plan.b = loop[1];
      plan.first = tempo.secondsAt(plan.b) - plan.from;
      plan.round = tempo.secondsAt(plan.b) - tempo.secondsAt(plan.a);
    }
    return plan;
  };

  function passOffset(plan, k) {
    return k === 0 ? 0 : plan.first + (k - 1) * plan.round;
  }
  Player.prototype.frameOf = function (plan, q, k) {
    const start = k === 0 ? plan.from : this.tempo.secondsAt(plan.a);
    const seconds = (passOffset(plan, k) + this.tempo.secondsAt(q) - start) / plan.scale;
    return plan.frame + Math.floor(seconds * this.rate + 0.5);
  };
  // The quarter position (and pass) at a context frame under a plan.
  Player.prototype.positionAt = function (plan, frame) {
    const elapsed = Math.max(0, frame - plan.frame) / this.rate * plan.scale;
    if (!plan.loop || elapsed < plan.first) {
      return {
        q: Math.min(this.tempo.quarterAt(plan.from + elapsed), plan.loop ? plan.b : Infinity),
        k: 0
      };
    }
    const k = 1 + Math.floor((elapsed - plan.first) / plan.round);
    const into = elapsed - passOffset(plan, k);
    return {
      q: Math.min(this.tempo.quarterAt(this.tempo.secondsAt(plan.a) + into), plan.b),
      k: k
    };
  };

  Player.prototype.ensureGraph = function (sounds) {
    const ctx = this.context;
    this.rate = ctx.sampleRate;
    const input = ctx.createGain();
    input.gain.value = 1 / KNEE_RANGE;
    const shaper = ctx.createWaveShaper();
    shaper.curve = kneeCurve(sounds.knee);
    const out = ctx.createGain();
    input.connect(shaper).connect(out).connect(ctx.destination);
    const layers = this.data.layers.map(function (layer) {
      const gate = ctx.createGain(),
        pan = ctx.createStereoPanner();
      pan.pan.value = layer.pan;
      gate.connect(pan).connect(input);
      return gate;
    });
    this.graph = {
      input: input,
      out: out,
      layers: layers
    };
    this.applyLayers();
  };
  Player.prototype.applyLayers = function () {
    if (!this.graph) {
      return;
    }
    const muted = this.muted,
      soloed = this.soloed,
      now = this.context.currentTime;
    this.graph.layers.forEach(function (gate, i) {
      const on = !muted.has(i) && (soloed.size === 0 || soloed.has(i));
      gate.gain.setValueAtTime(on ? 1 : 0, now);
    });
  };

  Player.prototype.play = function (fromBar) {
    const bar = this.checkBar(fromBar === undefined ? this.bars[this.barIndex(this.cueQ)].n : fromBar);
    const self = this;
    if (this.exclusive) {
      Theme.players.forEach(function (p) {
        if (p !== self && p.playing) {
          p.stop();
        }
      });
    }
    if (this.playing) {
      this.halt();
    }
    this.context = this.givenContext || Theme.context();
    if (this.context.state === 'suspended' && this.context.resume) {
      this.context.resume();
    }
    this.cueQ = bar.start;
    const token = this.token = (this.token || 0) + 1; // a later play or stop wins
    this.starting = Promise.all([Theme.sounds, clockRunning(this.context)]).then(function (got) {
      const sounds = got[0];
      if (!sounds) {
        throw new Error('this page holds no sounds');
      }
      if (token !== self.token) {
        return self;
      }
      self.sounds = sounds;
      self.ensureGraph(sounds);
      const frame = self.earliestFrame(self.startDelay);
      self.plans = [self.makePlan(frame, bar.start)];
      self.cursor = {
        k: 0,
        index: self.firstEvent(self.plans[0].q)
      };
      self.fresh = true;
      self.playing = true;
      self.pump();
      self.planned();
      if (self.timer) {
        self.interval = setInterval(function () {
          self.pump();
        }, 25);
      }
      self.report(true);
      if (self.timer) {
        self.frameLoop();
      }
      return self;
    });
    return this.starting;
  };

  Player.prototype.plan = function () {
    return this.plans[this.plans.length - 1];
  };

  // The earliest frame a sound queued now surely starts on: `margin` seconds (the script's
  // own slack) past the clock, plus one step of the clock, which moves a device buffer
  // (baseLatency, in 128-frame render quanta) at a time. An OfflineAudioContext has no step.
  Player.prototype.earliestFrame = function (margin) {
    const ctx = this.context,
      quantum = 128;
    const step = Math.ceil((ctx.baseLatency || 0) * this.rate / quantum) * quantum;
    return Math.ceil((ctx.currentTime + margin) * this.rate) + step;
  };

  // The look-ahead's step: queue every sound that starts before now + lookahead.
  Player.prototype.pump = function () {
    if (!this.playing) {
      return;
    }
    const ctx = this.context,
      events = this.events;
    if (this.fresh) { // the first step: a start already behind the clock begins just ahead
      this.fresh = false; // of it instead (the clock moves a whole render block at a time)
      const earliest = this.earliestFrame(this.startDelay);
      if (this.plan().frame < earliest) {
        this.plans = [this.makePlan(earliest, this.plan().q)];
      }
    }
    const plan = this.plan();
    // a hidden page's timers may run late: it queues further ahead (changes re-plan anyway)
    const ahead = document.hidden ? Math.max(this.lookahead, 1.5) : this.lookahead;
    const horizon = (ctx.currentTime + ahead) * this.rate;
    const end = this.data.quarters;
    for (;;) {
      const c = this.cursor;
      const stopQ = plan.loop ? plan.b : Infinity;
      if (c.index >= events.length || events[c.index][0] >= stopQ) {
        if (!plan.loop) {
          break;
        }
        c.k += 1;
        c.index = this.firstEvent(plan.a);
        if (this.frameOf(plan, plan.a, c.k) >= horizon) {
          break;
        }
        continue;
      }
      const event = events[c.index],
        frame = this.frameOf(plan, event[0], c.k);
      if (frame >= horizon) {
        break;
      }
      this.start(event, frame, c.k);
      c.index += 1;
    }
    this.queued = this.queued.filter(function (entry) {
      return entry.until > ctx.currentTime;
    });
    if (!plan.loop && this.cursor.index >= events.length && this.heardQ() >= end) {
      this.finish();
    }
  };

  Player.prototype.start = function (event, frame, k) {
    const layer = this.data.layers[event[2]];
    if (!event[6] || !layer || (layer.click && event[3] > this.thin)) {
      return;
    }
    const tempo = this.tempo;
    const held = (tempo.secondsAt(event[0] + event[1]) - tempo.secondsAt(event[0])) / this.plan().scale;
    const buffer = soundBuffer(this.sounds, event[6], event[5], held);
    if (!buffer) {
      return;
    }
    const ctx = this.context,
      source = ctx.createBufferSource(),
      level = ctx.createGain();
    source.buffer = buffer;
    level.gain.value = this.sounds.master * layer.gain * Math.pow(event[4] / 127, 1.4);
    source.connect(level).connect(this.graph.layers[event[2]]);
    const when = frame / this.rate;
    source.start(when);
    this.queued.push({
      source: source,
      plan: this.plan().id,
      k: k,
      q: event[0],
      until: when + buffer.duration
    });
    if (this.record) {
      this.scheduled.push([frame, event[0], k]);
    }
  };

  // Re-plan from just ahead of now (a new tempo or loop while playing): sounds not yet
  // started from there on are taken back and queued again under the new plan.
  Player.prototype.replan = function () {
    if (!this.playing) {
      return;
    }
    const old = this.plan();
    const cut = this.earliestFrame(0.01);
    const at = this.positionAt(old, cut);
    const mark = at;
    // Only the current plan's sounds can start after the cut (older ones started before it).
    this.queued = this.queued.filter(function (entry) {
      const later = entry.plan === old.id &&
        (entry.k > mark.k || (entry.k === mark.k && entry.q >= mark.q));
      if (later) {
        entry.source.stop();
        entry.source.disconnect();
      }
      return !later;
    });
    const plan = this.makePlan(cut, at.q),
      jumped = plan.q !== at.q;
    this.plans.push(plan);
    if (this.plans.length > 4) {
      this.plans.shift();
    }
    this.cursor = {
      k: 0,
      index: this.firstEvent(plan.q)
    };
    this.pump();
    this.planned();
    if (jumped) {
      this.report(true);
    }
  };

  // Hooks for a script that plays along with the plans (js/recording.js): called after
  // each new plan is queued, and when the sound stops (at `when`, context seconds).
  Player.prototype.planned = function () {};
  Player.prototype.stopped = function () {};

  Player.prototype.halt = function () {
    this.playing = false;
    this.token = (this.token || 0) + 1;
    if (this.interval) {
      clearInterval(this.interval);
      this.interval = null;
    }
    if (this.graph) {
      const out = this.graph.out,
        now = this.context.currentTime;
      out.gain.setValueAtTime(out.gain.value, now);
      out.gain.linearRampToValueAtTime(0, now + 0.015); // no click when sound is cut off
      this.queued.forEach(function (entry) {
        entry.source.stop(now + 0.02);
      });
      this.release(out, 0.05);
      this.stopped(now + 0.02);
    }
    this.queued = [];
  };
  // Let go of a finished graph (tidying only: no sound is timed by it).
  Player.prototype.release = function (out, seconds) {
    this.graph = null;
    setTimeout(function () {
      out.disconnect();
    }, seconds * 1000);
  };
  Player.prototype.stop = function () {
    if (this.playing) {
      this.cueQ = this.heardQ();
    }
    this.halt();
    this.report(false);
  };
  Player.prototype.finish = function () {
    this.playing = false;
    if (this.interval) {
      clearInterval(this.interval);
      this.interval = null;
    }
    const last = this.queued.reduce(function (t, entry) {
      return Math.max(t, entry.until);
    }, 0);
    if (this.graph && this.timer) {
      this.release(this.graph.out, Math.max(0, last - this.context.currentTime) + 0.1);
    }
    this.stopped(this.context.currentTime);
    this.queued = [];
    this.cueQ = this.bars.length ? this.bars[0].start : 0;
    this.report(false, this.data.quarters);
  };
  Player.prototype.cue = function (n) {
    const bar = this.checkBar(n);
    if (this.playing) {
      this.halt();
    }
    this.cueQ = bar.start;
    this.report(false);
  };

  Player.prototype.setTempoScale = function (x) {
    const qpm = this.tempo.segments[0].qpm * x;
    if (!(typeof x === 'number' && isFinite(x) && x > 0 && qpm >= this.tempo.min - 1e-9 &&
        qpm <= this.tempo.max + 1e-9)) {
      throw new RangeError('tempo ' + (isFinite(qpm) ? +qpm.toFixed(2) : x) + ' is not possible: ' +
        this.tempo.min + ' to ' + this.tempo.max + ' quarter notes a minute');
    }
    this.scale = x;
    this.replan();
  };
  Player.prototype.setLoop = function (a, b) {
    if (a === null || a === undefined) {
      this.loop = null;
      this.replan();
      return;
    }
    const first = this.checkBar(a),
      last = this.checkBar(b);
    const start = first.start,
      end = last.start + last.quarters;
    if (!(end > start)) {
      throw new RangeError('a loop of bars ' + a + ' to ' + b + ' has no length: give bar A up to bar B');
    }
    this.loop = [start, end];
    this.replan();
  };
  Player.prototype.setThinning = function (level) {
    this.thin = level;
    this.replan();
  };
  Player.prototype.setLayer = function (index, state) {
    if (state.mute !== undefined) {
      if (state.mute) {
        this.muted.add(index);
      } else {
        this.muted.delete(index);
      }
    }
    if (state.solo !== undefined) {
      if (state.solo) {
        this.soloed.add(index);
      } else {
        this.soloed.delete(index);
      }
    }
    this.applyLayers();
  };

  // ----- where the music is heard ----------------------------------------------------------
  Player.prototype.heardQ = function () {
    if (!this.playing) {
      return this.cueQ;
    }
    const ctx = this.context;
    const seconds = ctx.currentTime - (ctx.baseLatency || 0) - (ctx.outputLatency || 0) - pictureDelay();
    const frame = seconds * this.rate;
    let plan = this.plans[0];
    this.plans.forEach(function (p) {
      if (p.frame <= frame) {
        plan = p;
      }
    });
    return this.positionAt(plan, frame).q;
  };
  Player.prototype.report = function (playing, at) {
    const q = at === undefined ? this.heardQ() : at;
    const bar = this.bars.length ? this.bars[this.barIndex(q)].n : 1;
    const seconds = this.tempo.secondsAt(q) / this.scale;
    this.element.dispatchEvent(new CustomEvent('theme:position', {
      bubbles: true,
      detail: {
        q: q,
        seconds: seconds,
        bar: bar,
        playing: playing
      },
    }));
  };
  Player.prototype.frameLoop = function () {
    const self = this;

    function step() {
      if (!self.playing) {
        return;
      }
      self.pump(); // a second chance to queue, should the timer run late
      if (!self.playing) {
        return;
      }
      self.report(true);
      requestAnimationFrame(step);
    }
    requestAnimationFrame(step);
  };
})();
