// The page's sounds and its tempo map, for the player (player.js): the synthesizer's
// waveforms unpacked once at load (see theme/classroom/pagesounds.py), the lead voice made
// for each length, the renderer's soft knee as a wave shaper's curve, and seconds of a
// quarter position exactly as theme.core.tempo.TempoMap.seconds_at computes them.
'use strict';
(function () {
  const Theme = window.Theme = window.Theme || {};
  const LEAD_STEP = 0.01,
    KNEE_RANGE = 4,
    CURVE_POINTS = 32769;
  Theme.KNEE_RANGE = KNEE_RANGE;

  // ----- the tempo map: seconds of a quarter position and back --------------------------
  function TempoMap(tempo) {
    this.segments = tempo.segments;
    this.min = tempo.min || 4;
    this.max = tempo.max || 2000;
  }
  TempoMap.prototype.index = function (key, value) {
    const s = this.segments;
    let lo = 0,
      hi = s.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (s[mid][key] <= value) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo;
  };
  TempoMap.prototype.secondsAt = function (q) {
    const s = this.segments[this.index('start', q)],
      offset = q - s.start;
    if (s.end === null || s.end === undefined) {
      return s.origin + 60 * offset / s.qpm;
    }
    const slope = (s.end - s.qpm) / s.length;
    return s.origin + 60 / slope * Math.log((s.qpm + slope * offset) / s.qpm);
  };
  TempoMap.prototype.quarterAt = function (seconds) {
    const s = this.segments[this.index('origin', seconds)],
      t = seconds - s.origin;
    if (s.end === null || s.end === undefined) {
      return s.start + t * s.qpm / 60;
    }
    const slope = (s.end - s.qpm) / s.length;
    return s.start + s.qpm * (Math.exp(t * slope / 60) - 1) / slope;
  };
  Theme.TempoMap = TempoMap;
  Theme.steadyTempo = function (qpm) {
    return {
      segments: [{
        start: 0,
        qpm: qpm,
        length: null,
        end: null,
        origin: 0
      }],
      min: 4,
      max: 2000
    };
  };

  // ----- the page's sounds: decoded once, at load ---------------------------------------
  function roundHalfEven(x) {
    const r = Math.round(x);
    return (Math.abs(x % 1) === 0.5 && r % 2 !== 0) ? r - 1 : r;
  }
  // The library's lead voice (theme/renderers/voices.py _lead and _finish), sample for sample.
  function leadWave(pitch, seconds, rate) {
    const n = Math.max(1, Math.floor((seconds + 0.08) * rate));
    const f = 440 * Math.pow(2, (pitch - 69) / 12);
    const phase = new Float64Array(n),
      wave = new Float64Array(n);
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const t = i / rate;
      sum += 1 + 0.004 * Math.sin(2 * Math.PI * 5.5 * t) * Math.min(Math.max(t * 3, 0), 1);
      phase[i] = 2 * Math.PI * f * sum / rate;
    }
    for (let k = 1; k < 13 && k * f <= rate / 2.5; k++) {
      const weight = Math.pow(k, k < 4 ? 1.1 : 1.6);
      for (let i = 0; i < n; i++) {
        wave[i] += Math.cos(k * phase[i]) / weight;
      }
    }
    const last = (n - 1) / rate;
    const rise = Math.min(n, Math.max(1, Math.floor(0.025 * (last ? n / last : 1))));
    for (let i = 0; i < n; i++) {
      const t = i / rate;
      const release = Math.min(Math.max((seconds + 0.08 - t) / 0.08, 0), 1);
      const swell = 0.75 + 0.25 * Math.min(Math.max(t / 0.12, 0), 1);
      wave[i] = wave[i] * (i < rise ? (i + 1) / rise : 1) * release * swell;
    }
    const fade = Math.min(n, Math.max(1, Math.floor(rate / 200)));
    for (let j = 0; j < fade; j++) {
      wave[n - fade + j] *= fade > 1 ? (j === fade - 1 ? 0 : j * (-1 / (fade - 1)) + 1) : 1;
    }
    let peak = 0;
    for (let i = 0; i < n; i++) {
      peak = Math.max(peak, Math.abs(wave[i]));
    }
    peak = peak || 1;
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      out[i] = wave[i] / peak;
    }
    if (out[0] === 0) {
      out[0] = 1e-3;
    }
    return out;
  }
  Theme.leadWave = leadWave;

  // The page's int16 samples from their packing (theme/classroom/pagesounds.py
  // pack_samples): blocks of BLOCK samples, each a header (2 bits: the prediction's order,
  // 5 bits: the Rice parameter k) and for each sample u >> k one bits, a zero, the low k
  // bits of u; the residual is u / 2 (u even) or -(u + 1) / 2, added to the prediction
  // (0, the sample before, or the line through the two before).
  const BLOCK = 256;

  function unpackSamples(bytes, count) {
    const out = new Int16Array(count);
    let pos = 0,
      last = 0,
      before = 0;

    function bit() {
      const b = (bytes[pos >> 3] >> (7 - (pos & 7))) & 1;
      pos++;
      return b;
    }

    function read(width) {
      let value = 0;
      for (let j = 0; j < width; j++) {
        value = value * 2 + bit();
      }
      return value;
    }
    for (let first = 0; first < count; first += BLOCK) {
      const head = read(7),
        order = head >> 5,
        k = head & 31,
        scale = Math.pow(2, k);
      const end = Math.min(count, first + BLOCK);
      for (let i = first; i < end; i++) {
        let q = 0;
        while (bit()) {
          q++;
        }
        const u = q * scale + read(k);
        const residual = u % 2 === 0 ? u / 2 : -(u + 1) / 2;
        const x = (order === 0 ? 0 : order === 1 ? last : 2 * last - before) + residual;
        out[i] = x;
        before = last;
        last = x;
      }
    }
    return out;
  }
  Theme.unpackSamples = unpackSamples;

  function readSounds() {
    const element = document.getElementById('theme-sounds');
    if (!element) {
      return Promise.resolve(null);
    }
    const table = JSON.parse(element.textContent);
    const text = atob(table.pcm),
      bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) {
      bytes[i] = text.charCodeAt(i);
    }
    return Promise.resolve(unpackSamples(bytes, table.samples)).then(function (packed) {
      const samples = new Float32Array(packed.length);
      for (let i = 0; i < packed.length; i++) {
        samples[i] = packed[i] / 32767;
      }
      const buffers = {};
      Object.keys(table.sounds).forEach(function (name) {
        const place = table.sounds[name];
        if (!place) {
          return;
        }
        const buffer = new AudioBuffer({
          length: place[1],
          sampleRate: table.rate,
          numberOfChannels: 1
        });
        buffer.copyToChannel(samples.subarray(place[0], place[0] + place[1]), 0);
        buffers[name] = buffer;
      });
      return {
        rate: table.rate,
        master: table.master,
        knee: table.knee,
        buffers: buffers,
        leads: {}
      };
    });
  }
  Theme.sounds = (function () {
    try {
      return readSounds();
    } catch (err) {
      return Promise.reject(new Error('this browser cannot unpack the page\'s sounds (' + err.message + ')'));
    }
  })();
  Theme.sounds.catch(function () {}); // said beside Play when it is pressed

  function soundBuffer(sounds, name, pitch, seconds) {
    if (name.lastIndexOf('lead/', 0) !== 0) {
      return sounds.buffers[name] || null;
    }
    const held = Math.max(roundHalfEven(seconds / LEAD_STEP) * LEAD_STEP, 0.05);
    const key = pitch + '/' + held;
    if (!sounds.leads[key]) {
      const wave = leadWave(pitch, held, sounds.rate);
      const buffer = new AudioBuffer({
        length: wave.length,
        sampleRate: sounds.rate,
        numberOfChannels: 1
      });
      buffer.copyToChannel(wave, 0);
      sounds.leads[key] = buffer;
    }
    return sounds.leads[key];
  }

  // The renderer's soft knee (theme/renderers/audio.py soft_limit) as a wave shaper curve
  // over -KNEE_RANGE..KNEE_RANGE (the mix is scaled down by KNEE_RANGE before it).
  function kneeCurve(knee) {
    const curve = new Float32Array(CURVE_POINTS),
      headroom = 1 - knee - 1e-3;
    for (let i = 0; i < CURVE_POINTS; i++) {
      const x = (2 * i / (CURVE_POINTS - 1) - 1) * KNEE_RANGE,
        a = Math.abs(x);
      curve[i] = a <= knee ? x : Math.sign(x) * (knee + headroom * Math.tanh((a - knee) / headroom));
    }
    return curve;
  }

  Theme.soundBuffer = soundBuffer;
  Theme.kneeCurve = kneeCurve;
})();
