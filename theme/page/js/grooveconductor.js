// A conductor for a meter built on the page (the studio): Theme.GrooveConductor.kind(meter)
// gives what theme.page.follow.BarKind.data gives for a bar of it (pulses, conducted
// beats, the points of the pattern, the length), by theme.core.counting's rules: a beat a
// pulse in quarters (or longer), a beat a group in eighths (or shorter); down, in for the
// rest of the first group, out from the second, up on the last. .draw(svg, kind) draws the
// pattern and .move(svg, kind, offset) puts the baton where conductor.js puts it, offset
// quarter notes into the bar. .view(root) finds a groove's beat light, count and conductor
// in root (the studio's, the practice view's: '.studio-beat', '.studio-count',
// '.studio-conductor'); .drawView(view, meter) draws them for a meter and
// .showView(view, meter, q, on, lead) lights the pulse heard q quarter notes from the
// start (lead: the count-in's length, 0 without one), moves the baton and names the bar
// ('ready' when not on, 'count-in', 'bar 2'). Also runs in Node (kind only).
'use strict';
(function (root) {
  const Theme = root.Theme = root.Theme || {};
  const M = Theme.Meters;
  const DOWN = [100, 135],
    UP = [112, 45],
    PLANE = 112;

  function gestures(groups) {
    const beats = groups.reduce((a, b) => a + b, 0);
    if (beats === 1) {
      return ['down'];
    }
    if (groups.length === 1) {
      return ['down'].concat(new Array(beats - 2).fill('out'), ['up']);
    }
    const moves = ['down'].concat(new Array(groups[0] - 1).fill('in'), new Array(beats - groups[0]).fill('out'));
    moves[moves.length - 1] = 'up';
    return moves;
  }

  function points(moves) {
    const ins = moves.filter(m => m === 'in').length,
      outs = moves.filter(m => m === 'out').length;
    let seenIn = 0,
      seenOut = 0;
    return moves.map(function (m) {
      if (m === 'down') {
        return DOWN.slice();
      }
      if (m === 'up') {
        return UP.slice();
      }
      if (m === 'in') {
        seenIn++;
        return [100 - Math.floor(75 * seenIn / ins), PLANE];
      }
      seenOut++;
      return [100 + Math.floor(75 * seenOut / outs), PLANE];
    });
  }

  function kind(meter) {
    const n = meter.groups.reduce((a, b) => a + b, 0),
      pulse = 4 / meter.denominator;
    const sizes = pulse >= 1 ? new Array(n).fill(1) : meter.groups.slice();
    const beats = [];
    let at = 0;
    sizes.forEach(function (size) {
      beats.push(at);
      at += size;
    });
    const moves = beats.length === n ? gestures(meter.groups) : gestures(M.defaultGroups(beats.length, 4));
    const pulses = [];
    for (let k = 0; k < n; k++) {
      pulses.push(k * pulse);
    }
    return {
      pulses: pulses,
      beats: beats,
      points: points(moves),
      length: n * pulse,
      moves: moves
    };
  }

  const NS = 'http://www.w3.org/2000/svg';

  function draw(svg, k) {
    svg.textContent = '';
    const p = k.points,
      parts = ['M' + p[0][0] + ',' + p[0][1]];
    p.forEach(function (a, i) {
      const b = i + 1 < p.length ? p[i + 1] : DOWN;
      parts.push('Q' + Math.floor((a[0] + b[0]) / 2) + ',' + (Math.min(a[1], b[1]) - 40) + ' ' + b[0] + ',' + b[1]);
    });
    const path = document.createElementNS(NS, 'path');
    path.setAttribute('d', parts.join(' '));
    svg.appendChild(path);
    p.forEach(function (a, i) {
      const g = document.createElementNS(NS, 'g'),
        c = document.createElementNS(NS, 'circle'),
        t = document.createElementNS(NS, 'text');
      g.setAttribute('class', 'beat-mark');
      c.setAttribute('cx', a[0]);
      c.setAttribute('cy', a[1]);
      c.setAttribute('r', 11);
      t.setAttribute('x', a[0]);
      t.setAttribute('y', a[1] + 5);
      t.textContent = String(i + 1);
      g.appendChild(c);
      g.appendChild(t);
      svg.appendChild(g);
    });
    const dot = document.createElementNS(NS, 'circle');
    dot.setAttribute('class', 'baton');
    dot.setAttribute('cx', DOWN[0]);
    dot.setAttribute('cy', DOWN[1]);
    dot.setAttribute('r', 9);
    svg.appendChild(dot);
  }

  function move(svg, k, offset) {
    let pulse = 0;
    k.pulses.forEach((p, i) => {
      if (p <= offset + 1e-9) {
        pulse = i;
      }
    });
    let beat = 0;
    k.beats.forEach((b, i) => {
      if (b <= pulse) {
        beat = i;
      }
    });
    const from = k.pulses[k.beats[beat]],
      last = beat + 1 >= k.beats.length;
    const to = last ? k.length : k.pulses[k.beats[beat + 1]];
    const u = to > from ? Math.min(Math.max((offset - from) / (to - from), 0), 1) : 0;
    const where = Theme.baton(k.points[beat], last ? DOWN : k.points[beat + 1], u); // conductor.js's
    const dot = svg.querySelector('.baton');
    Theme.setAttribute(dot, 'cx', where[0].toFixed(2));
    Theme.setAttribute(dot, 'cy', where[1].toFixed(2));
    svg.querySelectorAll('.beat-mark').forEach((g, i) => g.classList.toggle('now', i === beat && offset >= 0));
  }

  function view(root) {
    return {
      light: root.querySelector('.studio-beat'),
      count: root.querySelector('.studio-count'),
      conductor: root.querySelector('.studio-conductor'),
      kind: null
    };
  }

  function drawView(v, meter) {
    const levels = M.accentLevels(meter.groups, 1),
      starts = M.groupStarts(meter.groups);
    v.light.querySelector('.pulses').innerHTML = levels.map(l => '<b class="l' + l + '"></b>').join('');
    v.count.innerHTML = levels.map(function (l, p) {
      const group = starts.filter(s => s <= p).length;
      return '<span class="syl">' + (p - starts[group - 1] + 1) + '</span>';
    }).join(' ');
    v.kind = kind(meter);
    draw(v.conductor, v.kind);
  }

  function showView(v, meter, q, on, lead) {
    const pulses = meter.groups.reduce((a, b) => a + b, 0),
      pulse = 4 / meter.denominator;
    const bar = pulses * pulse,
      inBar = ((q % bar) + bar) % bar,
      music = q - lead;
    const p = on && q >= 0 ? Math.min(pulses - 1, Math.floor(inBar / pulse + 1e-9)) : -1;
    v.light.querySelectorAll('b').forEach((b, j) => b.classList.toggle('now', j === p));
    v.count.querySelectorAll('.syl').forEach((s, j) => s.classList.toggle('now', j === p));
    move(v.conductor, v.kind, on && q >= 0 ? inBar : -1);
    Theme.setText(v.light.querySelector('.bar'), !on ? 'ready' : music < 0 ? 'count-in' :
      'bar ' + (Math.floor(music / bar) + 1));
  }

  Theme.GrooveConductor = {
    kind: kind,
    draw: draw,
    move: move,
    view: view,
    drawView: drawView,
    showView: showView
  };
})(typeof window !== 'undefined' ? window : globalThis);
