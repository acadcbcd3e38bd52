// Meters as the library counts them, for the page's meter builder: Theme.Meters.
// The same rules as theme.core.meter (default_groups, Meter.accent_levels, str(Meter)) and
// theme.metronome (bar_clicks, click_events), so what the page lights and plays agrees with
// what `theme metronome` clicks. Positions are exact: a fraction of a quarter note as
// [numerator, denominator], never a sum of floats. Also runs in Node (no document needed).
'use strict';
(function (root) {
  const Theme = root.Theme = root.Theme || {};
  const DENOMINATORS = [1, 2, 4, 8, 16, 32];
  const MAX_NUMERATOR = 64,
    MAX_SUBDIVIDE = 64,
    MIN_QPM = 4,
    MAX_QPM = 2000;
  const LEVEL = {
    DOWNBEAT: 0,
    GROUP: 1,
    BEAT: 2,
    SUBDIVISION: 3
  };
  const UNIT_NAMES = {
    1: 'wholes',
    2: 'halves',
    4: 'quarters',
    8: 'eighths',
    16: 'sixteenths',
    32: 'thirty-seconds'
  };
  const UNIT_LETTERS = {
    1: 'w',
    2: 'h',
    4: 'q',
    8: 'e',
    16: 's'
  };

  // -- exact fractions: [n, d], d > 0, in lowest terms --------------------------------------
  function gcd(a, b) {
    a = Math.abs(a);
    b = Math.abs(b);
    while (b) {
      const r = a % b;
      a = b;
      b = r;
    }
    return a;
  }

  function frac(n, d) {
    if (d === undefined) {
      d = 1;
    }
    if (d < 0) {
      n = -n;
      d = -d;
    }
    const g = gcd(n, d) || 1;
    return [n / g, d / g];
  }

  function add(a, b) {
    return frac(a[0] * b[1] + b[0] * a[1], a[1] * b[1]);
  }

  function mul(a, b) {
    return frac(a[0] * b[0], a[1] * b[1]);
  }

  function div(a, b) {
    return frac(a[0] * b[1], a[1] * b[0]);
  }

  function cmp(a, b) {
    return a[0] * b[1] - b[0] * a[1];
  }

  function value(a) {
    return a[0] / a[1];
  }

  function lcmQuarters(a, b) { // bar_layout.lcm_quarters
    const d = a[1] * b[1] / gcd(a[1], b[1]);
    const x = a[0] * (d / a[1]),
      y = b[0] * (d / b[1]);
    return frac(x * y / gcd(x, y), d);
  }

  // -- theme.core.meter ---------------------------------------------------------------------
  function defaultGroups(n, denominator) {
    const quarter = {
      1: [1],
      2: [2],
      3: [3],
      4: [2, 2],
      5: [3, 2],
      6: [3, 3],
      7: [4, 3]
    };
    const eighth = {
      1: [1],
      2: [2],
      3: [3],
      4: [2, 2],
      5: [3, 2],
      7: [2, 2, 3],
      8: [3, 3, 2],
      10: [3, 3, 2, 2],
      11: [2, 2, 3, 2, 2]
    };
    const repeat = (g, k) => Array(k).fill(g);
    if (denominator <= 4) {
      if (quarter[n]) {
        return quarter[n].slice();
      }
    } else if (eighth[n]) {
      return eighth[n].slice();
    } else if (n % 3 === 0) {
      return repeat(3, n / 3);
    }
    if (n % 2 === 0) {
      return repeat(2, n / 2);
    }
    return repeat(2, (n - 3) / 2).concat([3]);
  }

  function groupStarts(groups) {
    const starts = [];
    let at = 0;
    groups.forEach(function (g) {
      starts.push(at);
      at += g;
    });
    return starts;
  }

  function accentLevels(groups, subdivide) { // Meter.accent_levels
    subdivide = subdivide || 1;
    const starts = new Set(groupStarts(groups));
    const total = groups.reduce((a, b) => a + b, 0),
      levels = [];
    for (let pulse = 0; pulse < total; pulse++) {
      levels.push(pulse === 0 ? LEVEL.DOWNBEAT : starts.has(pulse) ? LEVEL.GROUP : LEVEL.BEAT);
      for (let s = 1; s < subdivide; s++) {
        levels.push(LEVEL.SUBDIVISION);
      }
    }
    return levels;
  }

  function sameGroups(a, b) {
    return a.length === b.length && a.every((g, i) => g === b[i]);
  }

  function meterName(groups, denominator) { // str(Meter): the grouping only when not the default
    const n = groups.reduce((a, b) => a + b, 0);
    if (sameGroups(groups, defaultGroups(n, denominator))) {
      return n + '/' + denominator;
    }
    return groups.join('+') + '/' + denominator;
  }

  function meterLabel(groups, denominator) { // Meter.label: the time signature, then its grouping
    const n = groups.reduce((a, b) => a + b, 0);
    if (groups.length === 1) {
      return n + '/' + denominator;
    }
    return n + '/' + denominator + ' (' + groups.join('+') + ')';
  }

  // Checks: '' when good, else one line naming the bad value and what is allowed.
  function checkPulses(text) {
    const n = Number(text);
    if (!/^\s*[0-9]{1,4}\s*$/.test(String(text)) || n < 1 || n > MAX_NUMERATOR) {
      return 'invalid number of pulses ' + JSON.stringify(String(text).trim()) +
        ': expected a whole number from 1 to ' + MAX_NUMERATOR;
    }
    return '';
  }

  function checkUnit(denominator) {
    return DENOMINATORS.indexOf(Number(denominator)) >= 0 ? '' :
      'invalid pulse unit ' + JSON.stringify(String(denominator)) + ': expected one of ' +
      DENOMINATORS.map(d => '/' + d).join(', ');
  }

  function parseGrouping(text, numerator) { // Meter.with_groups: {groups} or {error}
    text = String(text);
    const name = JSON.stringify(text.trim().slice(0, 40));
    if (text.length > 200 || !/^\s*[0-9]{1,4}(\s*\+\s*[0-9]{1,4})*\s*$/.test(text)) {
      return {
        error: 'invalid grouping ' + name + ': expected numbers joined by + that add up to ' +
          numerator + ', such as ' + defaultGroups(Math.max(numerator, 1), 4).join('+')
      };
    }
    const groups = text.split('+').map(g => parseInt(g, 10));
    const sum = groups.reduce((a, b) => a + b, 0);
    if (groups.some(g => g < 1) || sum !== numerator) {
      return {
        error: 'invalid grouping ' + name + ': the groups must be 1 or more and add up to ' +
          numerator + (groups.every(g => g >= 1) ? ' (these add up to ' + sum + ')' : '')
      };
    }
    return {
      groups: groups
    };
  }
  // The tempo in pulses a minute; the library's range is 4 to 2000 quarters a minute.
  function checkTempo(text, denominator) {
    const bpm = Number(text),
      low = MIN_QPM * denominator / 4,
      high = MAX_QPM * denominator / 4;
    if (!/^\s*[0-9]{1,6}(\.[0-9]{1,6})?\s*$/.test(String(text)) || bpm < low || bpm > high) {
      return 'invalid tempo ' + JSON.stringify(String(text).trim().slice(0, 40)) + ': expected ' +
        low + ' to ' + high + ' ' + UNIT_NAMES[denominator] + ' a minute';
    }
    return '';
  }

  function checkSubdivide(text) {
    return ['1', '2', '3', '4'].indexOf(String(text)) >= 0 ? '' :
      'invalid subdivide ' + JSON.stringify(String(text)) + ': expected 1, 2, 3 or 4';
  }

  // -- theme.metronome ----------------------------------------------------------------------
  function barQuarters(meter) {
    return frac(4 * meter.groups.reduce((a, b) => a + b, 0), meter.denominator);
  }

  // bar_clicks: one bar of clicks from `start`, its pulses spread over `length` quarter notes
  function barClicks(meter, options) {
    const o = options || {},
      subdivide = o.subdivide || 1;
    const length = o.length || barQuarters(meter),
      start = o.start || frac(0);
    const levels = accentLevels(meter.groups, subdivide);
    const pulse = div(length, frac(levels.length / subdivide));
    const step = div(pulse, frac(subdivide));
    return levels.map(function (level, i) {
      const beat = Math.floor(i / subdivide),
        sub = i % subdivide;
      const offset = add(mul(frac(beat), pulse), mul(frac(sub), step));
      return {
        q: add(start, offset),
        duration: step,
        layer: o.layer || 'click',
        level: level
      };
    });
  }

  // click_events (no count-in, no gap): `bars` bars of the first meter, and of the second
  // against it ('beat': its own bar; 'bar': stretched to the first's), in time order
  function clickEvents(meter, options) {
    const o = options || {},
      bars = o.bars,
      subdivide = o.subdivide || 1;
    const first = barQuarters(meter),
      end = mul(frac(bars), first);

    function stream(of, layer, length) {
      const out = [];
      for (let start = frac(0); cmp(start, end) < 0; start = add(start, length)) {
        barClicks(of, {
            start: start,
            length: length,
            layer: layer,
            subdivide: subdivide
          })
          .forEach(e => out.push(e));
      }
      return out;
    }
    let events = stream(meter, 'click', first);
    if (o.vs) {
      const second = o.align === 'bar' ? first : barQuarters(o.vs);
      events = events.concat(stream(o.vs, 'vs', second));
      events.sort((a, b) => cmp(a.q, b.q) || (a.layer < b.layer ? -1 : a.layer > b.layer ? 1 : 0));
    }
    return events;
  }

  // The bars of the first meter as a page's timeline data (theme.page.data)
  function barsData(meter, bars) {
    const quarters = barQuarters(meter),
      out = [];
    for (let n = 1; n <= bars; n++) {
      out.push({
        n: n,
        start: value(mul(frac(n - 1), quarters)),
        quarters: value(quarters),
        meter: meterLabel(meter.groups, meter.denominator),
        groups: meter.groups.slice(),
        pulse: 4 / meter.denominator,
        levels: accentLevels(meter.groups, 1)
      });
    }
    return out;
  }

  // A meter as the command line reads it: '3+2/4'; one group is read as the default
  // grouping, so a flat bar that is not the default needs --accent (the first meter only)
  function flat(meter) {
    const n = meter.groups[0];
    return meter.groups.length === 1 && !sameGroups(meter.groups, defaultGroups(n, meter.denominator));
  }

  function commandLimit(options) {
    const vs = options && options.vs;
    if (!vs || !flat(vs)) {
      return '';
    }
    return 'The command line cannot give the second meter one group of ' + vs.groups[0] +
      ': it clicks ' + defaultGroups(vs.groups[0], vs.denominator).join('+') + '.';
  }

  // `theme metronome ...` for the same clicks; the tempo in the pulse's unit
  function command(meter, options) {
    const o = options || {},
      d = meter.denominator;
    const words = ['theme', 'metronome', meter.groups.join('+') + '/' + d];
    if (flat(meter)) {
      words.push('--accent', String(meter.groups[0]));
    }
    if (o.vs) {
      words.push('--vs', o.vs.groups.join('+') + '/' + o.vs.denominator, '--align', o.align || 'beat');
    }
    const bpm = Number(o.bpm),
      letter = UNIT_LETTERS[d];
    const whole = Number.isInteger(bpm) ? String(bpm) : String(Math.round(bpm * 100) / 100);
    if (letter) {
      words.push('--bpm', (d === 4 ? '' : letter + '=') + whole);
    } else {
      words.push('--bpm', Number.isInteger(bpm) ? bpm + '/' + (d / 4) : String(bpm * 4 / d));
    }
    if ((o.subdivide || 1) > 1) {
      words.push('--subdivide', String(o.subdivide));
    }
    return words.join(' ');
  }

  Theme.Meters = {
    DENOMINATORS: DENOMINATORS,
    MAX_NUMERATOR: MAX_NUMERATOR,
    MAX_SUBDIVIDE: MAX_SUBDIVIDE,
    UNIT_NAMES: UNIT_NAMES,
    frac: frac,
    add: add,
    mul: mul,
    div: div,
    cmp: cmp,
    value: value,
    lcmQuarters: lcmQuarters,
    defaultGroups: defaultGroups,
    groupStarts: groupStarts,
    accentLevels: accentLevels,
    meterName: meterName,
    meterLabel: meterLabel,
    checkPulses: checkPulses,
    checkUnit: checkUnit,
    parseGrouping: parseGrouping,
    checkTempo: checkTempo,
    checkSubdivide: checkSubdivide,
    barQuarters: barQuarters,
    barClicks: barClicks,
    clickEvents: clickEvents,
    barsData: barsData,
    command: command,
    commandLimit: commandLimit,
  };
})(typeof window !== 'undefined' ? window : globalThis);
