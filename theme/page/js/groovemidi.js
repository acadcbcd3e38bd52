// A groove as a Standard MIDI file, written by the page: Theme.GrooveMidi.bytes(groove).
// The same bytes as `theme export LINK -o groove.mid` (theme/renderers/midi.py through the
// groove's variant): type 1, 960 ticks a quarter, a conductor track (title, tempo, time
// signature, the section's and the meter's markers), then a track a row (and the second
// meter's clicks), drums on channel 10. Every tick is floor(onset * 960 + 1/2) computed on
// whole numbers; a note is cut at the next onset of its pitch; running status as mido
// writes it. Also runs in Node.
'use strict';
(function (root) {
  const Theme = root.Theme = root.Theme || {};
  const G = Theme.Groove;
  const PPQ = 960,
    ACCENTED = 112,
    PLAIN = 84;
  const PAN_CC = { // theme.renderers.midi.pan_cc of each voice's pan
    hihat: 83,
    snare: 58,
    kick: 64,
    bongo: 93,
    conga: 35,
    bass: 48,
    lead: 77,
    click: 64,
    clicklow: 64
  };

  function varlen(value) {
    const out = [value & 0x7F];
    value = Math.floor(value / 128);
    while (value) {
      out.unshift(0x80 | (value & 0x7F));
      value = Math.floor(value / 128);
    }
    return out;
  }

  function utf8(text) {
    return Array.from(new TextEncoder().encode(text));
  }

  function meta(type, data) {
    return [0xFF, type].concat(varlen(data.length), data);
  }

  // floor(n / d * PPQ + 1/2): the tick of a position n/d quarter notes
  function tick(n, d) {
    return Math.floor((2 * PPQ * n + d) / (2 * d));
  }

  // round(60,000,000 / qpm) as Python rounds (half to even); qpm = tempo * 4 / (100 * den)
  function microseconds(groove) {
    const num = 60000000 * 100 * groove.meter.denominator,
      den = groove.tempo * 4;
    const q = Math.floor(num / den),
      twice = 2 * (num - q * den);
    return twice > den || (twice === den && q % 2 === 1) ? q + 1 : q;
  }

  function sum(list) {
    return list.reduce((a, b) => a + b, 0);
  }

  // A track from [tick, bytes of one message] in order, with running status as mido's
  function track(messages, endTick) {
    const data = [];
    let now = 0,
      running = null;
    messages.forEach(function (m) {
      data.push(...varlen(m[0] - now));
      now = m[0];
      const bytes = m[1];
      if (bytes[0] === 0xFF) {
        data.push(...bytes);
        running = null;
      } else {
        data.push(...(bytes[0] === running ? bytes.slice(1) : bytes));
        running = bytes[0] < 0xF0 ? bytes[0] : null;
      }
    });
    data.push(...varlen(Math.max(0, endTick - now)), 0xFF, 0x2F, 0x00);
    const n = data.length;
    return [0x4D, 0x54, 0x72, 0x6B, n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].concat(data);
  }

  // [onset n, onset d, duration n, duration d, velocity] of a layer's notes, in order
  function notesOf(groove, layer) {
    const n = sum(groove.meter.groups),
      den = groove.meter.denominator;
    if (layer !== 'second') {
      const row = groove.rows.find(r => r[0] === layer)[1],
        cell = den * groove.subdivide;
      const out = [];
      row.forEach(function (c, i) {
        if (c) {
          out.push([4 * i, cell, 4, cell, c === 2 ? ACCENTED : PLAIN]);
        }
      });
      return out;
    }
    const unit = G.secondUnit(groove),
      size = sum(groove.vs.groups),
      out = [];
    const lengthN = groove.bars * n * 4; // the music's length: lengthN / den quarter notes
    for (let k = 0; k * unit[0] * den < lengthN * unit[1]; k++) {
      out.push([k * unit[0], unit[1], unit[0], unit[1], k % size === 0 ? ACCENTED : PLAIN]);
    }
    return out;
  }

  function layerTrack(groove, layer, voice, index) {
    const sound = G.SOUND[voice],
      drum = sound[0],
      pitch = sound[2];
    const channel = drum ? 9 : index % 9;
    const messages = [
      [0, meta(0x03, utf8(layer))]
    ];
    if (!drum) {
      messages.push([0, [0xC0 | channel, sound[1]]]);
    }
    messages.push([0, [0xB0 | channel, 10, PAN_CC[voice]]]);
    const notes = notesOf(groove, layer),
      ons = notes.map(x => tick(x[0], x[1]));
    const events = [];
    notes.forEach(function (x, i) {
      const endN = x[0] * x[3] + x[2] * x[1],
        endD = x[1] * x[3];
      let off = Math.max(ons[i] + 1, tick(endN, endD));
      let next = i + 1;
      while (next < ons.length && ons[next] <= ons[i]) {
        next++;
      }
      if (next < ons.length) { // one channel cannot hold a pitch twice: cut it there
        off = Math.min(off, ons[next]);
      }
      events.push([ons[i], 2, x[4]], [off, 1, 0]);
    });
    events.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
    events.forEach(function (e) {
      messages.push([e[0],
        [(e[1] === 2 ? 0x90 : 0x80) | channel, pitch, e[2]]
      ]);
    });
    return track(messages, 0);
  }

  function bytes(groove) {
    groove = G.normal(groove);
    if (!groove.rows.length) {
      throw new Error('The groove has no rows yet: set a note in a row first.');
    }
    const n = sum(groove.meter.groups),
      den = groove.meter.denominator;
    const us = microseconds(groove),
      meterText = groove.meter.groups.join('+') + '/' + den;
    const conductor = track([
      [0, meta(0x03, utf8(G.title(groove)))],
      [0, meta(0x51, [us >>> 16, (us >>> 8) & 255, us & 255])],
      [0, meta(0x58, [n, Math.log2(den), Math.max(1, Math.floor(96 / den)), 8])],
      [0, meta(0x06, utf8('groove'))],
      [0, meta(0x06, utf8('meter ' + meterText))]
    ], tick(groove.bars * n * 4, den));
    const layers = groove.rows.map(r => [r[0], r[0]]);
    if (groove.vs) {
      layers.push(['second', 'clicklow']);
    }
    const tracks = layers.map((pair, i) => layerTrack(groove, pair[0], pair[1], i));
    const count = tracks.length + 1;
    let out = [0x4D, 0x54, 0x68, 0x64, 0, 0, 0, 6, 0, 1, count >> 8, count & 255, PPQ >> 8, PPQ & 255];
    [conductor].concat(tracks).forEach(function (t) {
      out = out.concat(t);
    });
    return out;
  }

  Theme.GrooveMidi = {
    bytes: bytes
  };
})(typeof window !== 'undefined' ? window : globalThis);
