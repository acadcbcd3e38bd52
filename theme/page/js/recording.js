// A recording played along with a player's timeline (theme listen's page): the timeline's
// seconds are the recording's, so the recording starts, jumps, loops and slows down with
// every plan of the player, on the same AudioContext frames as its clicks.
//
// DATA: a timeline whose `recording` names an element holding the sound (base64 of a file
// the browser decodes: Ogg Vorbis), and a layer of voice 'recording' (muted and soloed as
// the others).
//
// At the written tempo the recording is an AudioBuffer started on the plan's frame: sample-
// aligned with the clicks. Slower or faster, Web Audio could only play it lower or higher
// (as a tape does), so an audio element plays it instead, with preservesPitch (the
// browser's time stretch keeps the pitch), routed through the same gate; it is started at
// each plan from the plan's position and rate, and pulled back to the player's clock
// whenever it drifts more than DRIFT seconds (checked at every pump of the player). A
// browser without preservesPitch plays it lower, through the buffer.
'use strict';
(function () {
  const Theme = window.Theme = window.Theme || {};
  const Player = Theme.Player;
  if (!Player) {
    return;
  }

  const DRIFT = 0.04; // seconds the slowed recording may stray from the player's clock
  const SETTLE = 0.3; // seconds left to a seek before the drift is looked at again

  function pitchKept() {
    const proto = window.HTMLMediaElement && HTMLMediaElement.prototype;
    return !!proto && ('preservesPitch' in proto || 'webkitPreservesPitch' in proto);
  }

  function bytesOf(id) {
    const element = document.getElementById(id);
    const text = element ? element.textContent.trim() : '';
    const raw = atob(text);
    const bytes = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i += 1) {
      bytes[i] = raw.charCodeAt(i);
    }
    return bytes.buffer;
  }

  // The recording decoded once for a context (a page's, or a test's offline one).
  Player.prototype.loadRecording = function (ctx) {
    if (!this.data.recording) {
      return Promise.resolve(null);
    }
    if (this.recordingBuffer && this.recordingContext === ctx) {
      return Promise.resolve(this.recordingBuffer);
    }
    const self = this;
    return ctx.decodeAudioData(bytesOf(this.data.recording)).then(function (buffer) {
      self.recordingBuffer = buffer;
      self.recordingContext = ctx;
      return buffer;
    });
  };

  const play = Player.prototype.play;
  Player.prototype.play = function (fromBar) {
    if (!this.data.recording) {
      return play.call(this, fromBar);
    }
    const self = this;
    const ctx = this.givenContext || Theme.context();
    return this.loadRecording(ctx).then(function () {
      return play.call(self, fromBar);
    });
  };

  Player.prototype.recordingLayer = function () {
    return this.data.layers.findIndex(function (layer) {
      return layer.voice === 'recording';
    });
  };

  const applyLayers = Player.prototype.applyLayers;
  Player.prototype.applyLayers = function () {
    applyLayers.call(this);
    const index = this.recordingLayer();
    if (this.recordingGate && index >= 0) {
      const on = !this.muted.has(index) && (this.soloed.size === 0 || this.soloed.has(index));
      this.recordingGate.gain.setValueAtTime(on ? 1 : 0, this.context.currentTime);
    }
  };

  // The audio element that plays the recording slowed with its pitch kept, made once
  // for a context and routed through the recording's gate.
  Player.prototype.recordingMedia = function () {
    if (this.recordingElement && this.recordingElementContext === this.context) {
      return this.recordingElement;
    }
    const holder = document.getElementById(this.data.recording);
    const element = new Audio();
    // a data: address, not a blob: one (a page opened from a file may not play blob: media)
    element.src = 'data:audio/ogg;base64,' + holder.textContent.trim();
    element.preload = 'auto';
    element.preservesPitch = true;
    element.webkitPreservesPitch = true;
    this.context.createMediaElementSource(element).connect(this.recordingGate);
    this.recordingElement = element;
    this.recordingElementContext = this.context;
    return element;
  };

  // Where the recording should be now (its seconds), by the plan in force at the
  // context's clock; null before the first plan starts.
  Player.prototype.recordingSecondsNow = function () {
    const frame = this.context.currentTime * this.rate;
    let plan = null;
    this.plans.forEach(function (p) {
      if (p.frame <= frame) {
        plan = p;
      }
    });
    return plan ? this.tempo.secondsAt(this.positionAt(plan, frame).q) : null;
  };

  // The slowed recording kept on the player's clock: sought again when it strays.
  Player.prototype.followRecording = function () {
    const element = this.recordingMode === 'media' ? this.recordingElement : null;
    if (!element || !this.playing) {
      return;
    }
    const now = this.context.currentTime;
    const want = this.recordingSecondsNow();
    if (want === null) {
      return;
    }
    if (element.paused) {
      element.currentTime = want;
      const self = this;
      element.play().catch(function (error) {
        self.recordingError = String(error);
      });
      this.recordingSettled = now + SETTLE;
      return;
    }
    if (now >= (this.recordingSettled || 0) && Math.abs(element.currentTime - want) > DRIFT) {
      element.currentTime = want;
      this.recordingSettled = now + SETTLE;
      this.recordingSeeks = (this.recordingSeeks || 0) + 1;
    }
  };

  const pump = Player.prototype.pump;
  Player.prototype.pump = function () {
    pump.call(this);
    this.followRecording();
  };

  // A new plan: the recording from the plan's position, at its frame, at its speed, round
  // its loop (the plan's passes and the buffer's loop are the same seconds).
  Player.prototype.planned = function () {
    if (!this.recordingBuffer || !this.graph) {
      return;
    }
    const ctx = this.context,
      plan = this.plan(),
      tempo = this.tempo;
    const when = plan.frame / this.rate;
    this.stopped(when);
    if (!this.recordingGate || this.recordingGate.context !== ctx) {
      this.recordingGate = ctx.createGain();
      this.recordingGate.connect(ctx.destination);
    }
    this.applyLayers();
    if (Math.abs(plan.scale - 1) > 1e-9 && pitchKept() && ctx.createMediaElementSource) {
      const element = this.recordingMedia();
      this.recordingMode = 'media';
      element.pause();
      element.playbackRate = plan.scale;
      element.currentTime = Math.min(tempo.secondsAt(plan.q), this.recordingBuffer.duration);
      this.recordingSettled = 0;
      return; // started by followRecording once the plan's frame is reached
    }
    this.recordingMode = 'buffer';
    const source = ctx.createBufferSource();
    source.buffer = this.recordingBuffer;
    source.playbackRate.value = plan.scale;
    if (plan.loop) {
      source.loop = true;
      source.loopStart = tempo.secondsAt(plan.a);
      source.loopEnd = tempo.secondsAt(plan.b);
    }
    source.connect(this.recordingGate);
    source.start(when, Math.min(tempo.secondsAt(plan.q), this.recordingBuffer.duration));
    this.recordingSource = source;
  };

  Player.prototype.stopped = function (when) {
    if (this.recordingElement) {
      this.recordingElement.pause();
    }
    if (this.recordingSource) {
      this.recordingSource.stop(Math.max(when, this.context.currentTime));
      this.recordingSource = null;
    }
  };
})();
