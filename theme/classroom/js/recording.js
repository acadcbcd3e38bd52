// A recording played along with a player's timeline (theme listen's page): the timeline's
// seconds are the recording's, so the recording starts, jumps, loops and slows down with
// every plan of the player, on the same AudioContext frames as its clicks.
//
// DATA: a timeline whose `recording` names an element holding the sound (base64 of a file
// the browser decodes: Ogg Vorbis), and a layer of voice 'recording' (muted and soloed as
// the others). A slower tempo plays the recording slower and lower, as a tape does.
'use strict';
(function () {
  const Theme = window.Theme = window.Theme || {};
  const Player = Theme.Player;
  if (!Player) {
    return;
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
    if (this.recordingSource) {
      this.recordingSource.stop(Math.max(when, this.context.currentTime));
      this.recordingSource = null;
    }
  };
})();
