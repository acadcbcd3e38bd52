// A groove and its link: Theme.Groove, the same format as theme/variants/groove.py.
// A groove is {meter: {groups, denominator}, bars, subdivide, tempo (pulses a minute in
// hundredths: 12000 is 120), rows: [[voice, [cell, ...]], ...] (0 rest, 1 note, 2 accent,
// rows in the order of VOICES, each voice once), vs: null or {groups, denominator}, align:
// 'beat' or 'bar'}. encode(groove) gives 'g1=' and base64url of its bytes with a CRC-32;
// decode(text) gives {groove} or {error} for a link changed, cut short or out of range;
// toml(groove) the variant file `theme show/play/export` read, the library's text to the
// byte. Also runs in Node (no document needed).
'use strict';
(function (root) {
  const Theme = root.Theme = root.Theme || {};
  const M = Theme.Meters;
  const VERSION = 1,
    PREFIX = 'g1=',
    MAX_BARS = 16,
    MAX_SUBDIVIDE = 4,
    MAX_LINK_CHARS = 16384;
  const DENOMINATORS = [1, 2, 4, 8, 16, 32];
  const VOICES = ['hihat', 'snare', 'kick', 'bongo', 'conga', 'bass', 'lead', 'click'];
  const SOUND = { // voice: [drum, program, pitch, pan as the library writes it]
    hihat: [true, 0, 42, '0.3'],
    snare: [true, 0, 38, '-0.1'],
    kick: [true, 0, 36, '0.0'],
    bongo: [true, 0, 61, '0.45'],
    conga: [true, 0, 63, '-0.45'],
    bass: [false, 33, 40, '-0.25'],
    lead: [false, 56, 69, '0.2'],
    click: [true, 0, 76, '0.0'],
    clicklow: [true, 0, 77, '0.0']
  };
  const SECOND_LAYER = 'second';

  let crcTable = null;

  function crc32(bytes) { // zlib's CRC-32
    if (!crcTable) {
      crcTable = new Uint32Array(256);
      for (let n = 0; n < 256; n++) {
        let c = n;
        for (let k = 0; k < 8; k++) {
          c = c & 1 ? 0xEDB88320 ^ (c >>> 1) : c >>> 1;
        }
        crcTable[n] = c >>> 0;
      }
    }
    let crc = 0xFFFFFFFF;
    for (let i = 0; i < bytes.length; i++) {
      crc = crcTable[(crc ^ bytes[i]) & 0xFF] ^ (crc >>> 8);
    }
    return (crc ^ 0xFFFFFFFF) >>> 0;
  }

  function gcd(a, b) {
    while (b) {
      [a, b] = [b, a % b];
    }
    return a;
  }

  function sum(list) {
    return list.reduce((a, b) => a + b, 0);
  }

  // A meter as the library keeps it: one group is the meter's default grouping
  function canonical(meter) {
    const n = sum(meter.groups);
    return {
      groups: meter.groups.length === 1 ? M.defaultGroups(n, meter.denominator) : meter.groups.slice(),
      denominator: meter.denominator
    };
  }

  function meterProblem(meter, what) {
    const n = sum(meter.groups);
    if (DENOMINATORS.indexOf(meter.denominator) < 0) {
      return what + ': the unit must be one of ' + DENOMINATORS.join(', ');
    }
    if (!meter.groups.length || meter.groups.some(g => !Number.isInteger(g) || g < 1) || n > 64) {
      return what + ': from 1 to 64 pulses, in groups of at least one';
    }
    return '';
  }

  function cells(groove) {
    return groove.bars * sum(groove.meter.groups) * groove.subdivide;
  }

  // The second meter's pulse in quarter notes, [numerator, denominator]
  function secondUnit(groove) {
    const vs = groove.vs;
    let num = 4,
      den = vs.denominator;
    if (groove.align === 'bar') {
      num = sum(groove.meter.groups) * 4;
      den = groove.meter.denominator * sum(vs.groups);
    }
    const g = gcd(num, den);
    return [num / g, den / g];
  }

  // What is wrong with a groove ('' when nothing): the library's checks
  function problem(groove) {
    const intIn = (v, lo, hi) => Number.isInteger(v) && v >= lo && v <= hi;
    if (!intIn(groove.bars, 1, MAX_BARS)) {
      return 'The groove has 1 to ' + MAX_BARS + ' bars.';
    }
    if (!intIn(groove.subdivide, 1, MAX_SUBDIVIDE)) {
      return 'A pulse has 1 to ' + MAX_SUBDIVIDE + ' cells.';
    }
    const bad = meterProblem(groove.meter, 'The meter') || (groove.vs && meterProblem(groove.vs, 'The second meter'));
    if (bad) {
      return bad + '.';
    }
    const qpm = groove.tempo * 4 / groove.meter.denominator / 100;
    if (!Number.isInteger(groove.tempo) || qpm < 4 || qpm > 2000) {
      return 'The tempo must be from 4 to 2000 quarter notes a minute.';
    }
    if (groove.align !== 'beat' && groove.align !== 'bar') {
      return 'The second meter is aligned by beat or by bar.';
    }
    const second = groove.vs && groove.align === 'bar' && secondUnit(groove);
    if (second && (second[1] > 64 || second[0] > 16 * second[1] || 64 * second[0] < second[1])) {
      return 'The second meter\'s pulses do not fit this bar: align it by pulse.';
    }
    let last = -1;
    for (const row of groove.rows) {
      const at = VOICES.indexOf(row[0]);
      if (at <= last) {
        return 'Unknown or repeated voice ' + row[0] + '.';
      }
      last = at;
      if (row[1].length !== cells(groove) || row[1].some(c => c !== 0 && c !== 1 && c !== 2)) {
        return 'The row ' + row[0] + ' must have ' + cells(groove) + ' cells of 0, 1 or 2.';
      }
    }
    return '';
  }

  function bytesOf(groove) {
    const out = [];
    let flags = DENOMINATORS.indexOf(groove.meter.denominator) | (groove.subdivide - 1) << 3;
    if (groove.vs) {
      flags |= 1 << 5 | (groove.align === 'bar' ? 1 << 6 : 0);
    }
    out.push(VERSION, flags, groove.bars, (groove.tempo >> 16) & 255, (groove.tempo >> 8) & 255, groove.tempo & 255);
    out.push(groove.meter.groups.length, ...groove.meter.groups);
    if (groove.vs) {
      out.push(DENOMINATORS.indexOf(groove.vs.denominator), groove.vs.groups.length, ...groove.vs.groups);
    }
    out.push(groove.rows.length);
    groove.rows.forEach(function (row) {
      out.push(VOICES.indexOf(row[0]));
      const packed = new Array(Math.ceil(row[1].length / 4)).fill(0);
      row[1].forEach(function (cell, i) {
        packed[i >> 2] |= cell << (6 - 2 * (i % 4));
      });
      out.push(...packed);
    });
    const crc = crc32(out);
    out.push(crc >>> 24, (crc >>> 16) & 255, (crc >>> 8) & 255, crc & 255);
    return out;
  }

  function base64url(bytes) {
    let text = '';
    bytes.forEach(function (b) {
      text += String.fromCharCode(b);
    });
    return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }

  // The groove in the library's form (canonical meters); throws on a groove out of range
  function normal(groove) {
    const made = {
      meter: canonical(groove.meter),
      bars: groove.bars,
      subdivide: groove.subdivide,
      tempo: groove.tempo,
      rows: groove.rows.map(r => [r[0], r[1].slice()]),
      vs: groove.vs ? canonical(groove.vs) : null,
      align: groove.vs ? groove.align : 'beat'
    };
    const bad = problem(made);
    if (bad) {
      throw new Error(bad);
    }
    return made;
  }

  function encode(groove) {
    return PREFIX + base64url(bytesOf(normal(groove)));
  }

  function fail(message) {
    return {
      error: 'This groove link cannot be read: ' + message
    };
  }

  function decode(text) {
    text = String(text).trim();
    if (text.length > MAX_LINK_CHARS) {
      return fail('it is longer than ' + MAX_LINK_CHARS + ' characters.');
    }
    const match = /(?:^|#)g(\d{1,4})=([A-Za-z0-9_-]*)$/.exec(text);
    if (!match) {
      return fail('it does not end in #' + PREFIX + ' and letters, digits, - and _.');
    }
    if (match[1] !== String(VERSION)) {
      return fail('it is format g' + match[1] + ', and this page reads g' + VERSION + '.');
    }
    let binary;
    try {
      if (match[2].length % 4 === 1) {
        throw new Error('length');
      }
      binary = atob(match[2].replace(/-/g, '+').replace(/_/g, '/'));
    } catch {
      return fail('it was cut short or changed.');
    }
    const data = Array.from(binary, c => c.charCodeAt(0));
    const body = data.slice(0, -4),
      crc = crc32(body);
    const tail = [crc >>> 24, (crc >>> 16) & 255, (crc >>> 8) & 255, crc & 255];
    if (data.length < 12 || tail.some((b, i) => b !== data[data.length - 4 + i])) {
      return fail('its checksum does not match: the link was changed or cut short. Copy it again.');
    }
    let at = 0;
    const take = function (n) {
      if (at + n > body.length) {
        throw new Error('it was cut short.');
      }
      at += n;
      return body.slice(at - n, at);
    };
    const byte = () => take(1)[0];
    try {
      if (byte() !== VERSION) {
        throw new Error('an unknown version.');
      }
      const flags = byte();
      if (flags >> 7 || (flags & 7) >= DENOMINATORS.length || (!(flags >> 5 & 1) && flags >> 6 & 1)) {
        throw new Error('unknown settings.');
      }
      const bars = byte(),
        t = take(3);
      const meter = {
        groups: take(byte()),
        denominator: DENOMINATORS[flags & 7]
      };
      let vs = null;
      if (flags >> 5 & 1) {
        const unit = byte();
        if (unit >= DENOMINATORS.length) {
          throw new Error('an unknown unit.');
        }
        vs = {
          groups: take(byte()),
          denominator: DENOMINATORS[unit]
        };
      }
      const groove = {
        meter: meter,
        bars: bars,
        subdivide: (flags >> 3 & 3) + 1,
        tempo: t[0] * 65536 + t[1] * 256 + t[2],
        rows: [],
        vs: vs,
        align: flags >> 6 & 1 ? 'bar' : 'beat'
      };
      const bad = meterProblem(meter, 'the meter') || (vs && meterProblem(vs, 'the second meter'));
      if (bad) {
        throw new Error(bad + '.');
      }
      const n = cells(groove);
      for (let count = byte(), r = 0; r < count; r++) {
        const voice = VOICES[byte()];
        if (!voice) {
          throw new Error('an unknown voice.');
        }
        const packed = take(Math.ceil(n / 4)),
          row = [];
        for (let i = 0; i < n; i++) {
          row.push(packed[i >> 2] >> (6 - 2 * (i % 4)) & 3);
        }
        groove.rows.push([voice, row]);
      }
      if (at !== body.length) {
        throw new Error('bytes are left over.');
      }
      const made = normal(groove);
      if (bytesOf(made).some((b, i) => b !== data[i]) || bytesOf(made).length !== data.length) {
        throw new Error('it is not written as the studio writes it.');
      }
      if (encode(made) !== PREFIX + match[2]) { // bits after the last byte: another link
        throw new Error('it was cut short or changed.');
      }
      return {
        groove: made
      };
    } catch (e) {
      return fail(e.message.charAt(0).toLowerCase() + e.message.slice(1));
    }
  }

  function decimal(num, den) { // exact: den has only the factors 2 and 5
    const g = gcd(num, den);
    num /= g;
    den /= g;
    let digits = '',
      rest = num % den;
    while (rest) {
      rest *= 10;
      digits += String(Math.floor(rest / den));
      rest %= den;
    }
    return String(Math.floor(num / den)) + (digits ? '.' + digits : '');
  }

  function fraction(num, den) {
    const g = gcd(num, den);
    return den / g === 1 ? String(num / g) : (num / g) + '/' + (den / g);
  }

  function meterText(meter) {
    return meter.groups.join('+') + '/' + meter.denominator;
  }

  function title(groove) {
    const name = m => sum(m.groups) + '/' + m.denominator + ' (' + m.groups.join('+') + ')';
    return 'A groove in ' + name(groove.meter) + (groove.vs ? ' against ' + name(groove.vs) : '');
  }

  function toml(groove) {
    groove = normal(groove);
    if (!groove.rows.length) {
      throw new Error('The groove has no rows yet: set a note in a row first.');
    }
    const lines = [
      '# A groove made in the studio: theme show/play/export read this file.',
      'name = "groove"',
      'title = "' + title(groove) + '"',
      'tempo = "q=' + decimal(groove.tempo * 4, 100 * groove.meter.denominator) + '"',
      ''
    ];
    const layers = groove.rows.map(r => [r[0], r[0]]);
    if (groove.vs) {
      layers.push([SECOND_LAYER, 'clicklow']);
    }
    layers.forEach(function (pair) {
      const s = SOUND[pair[1]];
      lines.push('[layers.' + pair[0] + ']', 'voice = "' + pair[1] + '"', 'drum = ' + s[0],
        'program = ' + s[1], 'pan = ' + s[3], 'pitches = [' + s[2] + ']', '');
    });
    lines.push('[[sections]]', 'name = "groove"', 'meter = "' + meterText(groove.meter) + '"',
      'bars = ' + groove.bars, '[sections.patterns]');
    const unit = fraction(4, groove.meter.denominator * groove.subdivide);
    groove.rows.forEach(function (row) {
      lines.push(row[0] + ' = { box = "' + row[1].map(c => '-xX' [c]).join('') + '", grid = "' + unit + '" }');
    });
    if (groove.vs) {
      const box = groove.vs.groups.map((g, i) => (i === 0 ? 'X' : 'x') + 'x'.repeat(g - 1)).join('');
      const second = secondUnit(groove);
      lines.push(SECOND_LAYER + ' = { box = "' + box + '", grid = "' + fraction(second[0], second[1]) + '" }');
    }
    return lines.join('\n') + '\n';
  }

  Theme.Groove = {
    VOICES: VOICES,
    SOUND: SOUND,
    MAX_BARS: MAX_BARS,
    PREFIX: PREFIX,
    crc32: crc32,
    cells: cells,
    canonical: canonical,
    problem: problem,
    normal: normal,
    encode: encode,
    decode: decode,
    toml: toml,
    title: title,
    secondUnit: secondUnit,
  };
})(typeof window !== 'undefined' ? window : globalThis);
