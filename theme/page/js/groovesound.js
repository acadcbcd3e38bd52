// A groove as the page's player plays it: Theme.GrooveSound.data(groove, countIn) gives the
// player's DATA (see player.js) for a groove in the link's form (Theme.Groove): its rows,
// the second meter's low clicks, and with countIn a bar of clicks before it (bar 1; the
// groove is then bars 2 on). The same events as the groove's variant (theme export), as
// the numbers the page plays; each note's sound as theme.page.data.sound_key names it.
'use strict';
(function () {
  const Theme = window.Theme = window.Theme || {};
  const M = Theme.Meters,
    G = Theme.Groove;
  const COUNT_VELOCITY = [112, 100, 84, 68];

  function sum(list) {
    return list.reduce((a, b) => a + b, 0);
  }

  function barQuarters(g) {
    return sum(g.meter.groups) * 4 / g.meter.denominator;
  }

  function data(g, countIn) {
    const lead = countIn ? 1 : 0,
      per = sum(g.meter.groups) * g.subdivide;
    const unit = 4 / (g.meter.denominator * g.subdivide),
      shift = lead * barQuarters(g);
    const levels = M.accentLevels(g.meter.groups, g.subdivide);
    const layers = [],
      events = [];
    g.rows.forEach(function (row, index) {
      const voice = row[0],
        sound = G.SOUND[voice];
      layers.push({
        name: voice,
        voice: voice,
        pan: Number(sound[3]),
        gain: 1,
        click: voice === 'click'
      });
      row[1].forEach(function (c, i) {
        if (!c) {
          return;
        }
        const level = levels[i % per];
        const name = voice === 'click' ? 'click/a' + Math.min(level, 3) : voice + '/' + sound[2];
        events.push([shift + i * unit, unit, index, level, c === 2 ? 112 : 84, sound[2], name]);
      });
    });
    const length = g.bars * barQuarters(g);
    if (g.vs) {
      const su = G.secondUnit(g),
        step = su[0] / su[1],
        vsLevels = M.accentLevels(g.vs.groups, 1);
      layers.push({
        name: 'second',
        voice: 'clicklow',
        pan: 0,
        gain: 1,
        click: true
      });
      for (let k = 0; k * step < length - 1e-9; k++) {
        const level = vsLevels[k % vsLevels.length];
        events.push([shift + k * step, step, layers.length - 1, level, level === 0 ? 112 : 84, 77,
          'clicklow/a' + level
        ]);
      }
    }
    if (lead) {
      layers.push({
        name: 'count-in',
        voice: 'click',
        pan: 0,
        gain: 1,
        click: true
      });
      M.accentLevels(g.meter.groups, 1).forEach(function (level, p) {
        events.push([p * 4 / g.meter.denominator, 4 / g.meter.denominator, layers.length - 1, level,
          COUNT_VELOCITY[level], 76, 'click/a' + level
        ]);
      });
    }
    events.sort((a, b) => a[0] - b[0] || a[2] - b[2]);
    return {
      title: G.title(g),
      quarters: shift + length,
      bars: M.barsData(g.meter, g.bars + lead),
      tempo: Theme.steadyTempo(g.tempo / 100 * 4 / g.meter.denominator),
      layers: layers,
      events: events
    };
  }

  // The quarter positions of the groove's notes in one time round (for tapping along)
  function onsets(g) {
    const unit = 4 / (g.meter.denominator * g.subdivide),
      found = new Set();
    g.rows.forEach(row => row[1].forEach((c, i) => {
      if (c) {
        found.add(i);
      }
    }));
    return Array.from(found).sort((a, b) => a - b).map(i => i * unit);
  }

  Theme.GrooveSound = {
    data: data,
    onsets: onsets,
    barQuarters: barQuarters
  };
})();
