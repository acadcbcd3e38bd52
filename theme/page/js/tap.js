// Tapping along on the page: under each music section's player, a Tap button (a touch, a
// click, or Space or Enter while it has the focus; the J key anywhere while that section
// plays). Each tap is placed on the AudioContext's clock, never on the page's timers: the
// moment of the key or touch (its event's timeStamp) is carried onto the context's time
// through getOutputTimestamp (what the speaker plays, output latency included), less the
// calibration in the box, then matched to the nearest onset of the pattern chosen (beats,
// groups, or a layer; the ostinato, offered only where a layer other than clicks plays) within
// a window: half the shortest gap between onsets, at most 150 ms. The live line shows each
// tap early or late; the table shows each position of the bar with its mean and spread, and
// says what comes early or late, as `theme tap` does, as strictly as the teacher chooses:
// tight (a musician's words, from 15 ms), normal (for beginners, from 35 ms; the default) or
// relaxed (from 60 ms), theme.practice.scoring.TOLERANCES.
//
// CONTRACT (for tests and other scripts):
//   Theme.tapTargets(data, pattern) -> [{q, bar, position, label}] in order (pure)
//   Theme.matchTap(onsetSeconds, seconds, window) -> {index, offset} or null (pure)
//   Theme.heardContextTime(context, eventTimeStamp) -> the context time heard then
//   Theme.tapperFor(section) -> {taps: [{time, q, index, offsetMs}], tap(timeStamp), ...}
//   Theme.TAP_TOLERANCES -> {tight|normal|relaxed: {good, lean}} (milliseconds)
//   Theme.tapAdvice(label, meanMs, spreadMs, level) -> the words of advice_line (pure)
'use strict';
(function () {
  const Theme = window.Theme;
  const MAX_WINDOW = 0.15,
    EPS = 1e-9;
  const TOLERANCES = { // theme.practice.scoring.TOLERANCES: good within, early or late from (ms)
    tight: {
      good: 30,
      lean: 15
    },
    normal: {
      good: 70,
      lean: 35
    },
    relaxed: {
      good: 120,
      lean: 60
    }
  };
  Theme.TAP_TOLERANCES = TOLERANCES;
  // One position early or late, as theme.practice.scoring.advice_line says it.
  Theme.tapAdvice = function (label, meanMs, spreadMs, level) {
    const early = meanMs < 0,
      ms = Math.abs(meanMs).toFixed(0),
      spread = Number(spreadMs).toFixed(0);
    if (level === 'tight') {
      return 'you ' + (early ? 'rush ' : 'drag ') + label + ': ' + ms + ' ms ' + (early ? 'early' : 'late') +
        ' on average (spread ' + spread + ' ms)';
    }
    return label + ' comes ' + (early ? 'early: ' : 'late: ') + ms + ' ms ' + (early ? 'ahead of' : 'behind') +
      ' the music on average (spread ' + spread + ' ms); ' + (early ? 'wait for it' : 'listen ahead');
  };
  const ORDINALS = ['first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth'];

  function fraction(x) { // a small fraction for a label: 1/3, 2/3, 1/4 ...
    for (let d = 2; d <= 16; d++) {
      const n = Math.round(x * d);
      if (Math.abs(n / d - x) < 1e-6) {
        return n + '/' + d;
      }
    }
    return x.toFixed(3);
  }
  // A position in a bar in words, as theme.practice.scoring.position_label says it.
  function positionLabel(bar, position) {
    const pulses = position / bar.pulse,
      beat = Math.floor(pulses + EPS),
      part = pulses - beat;
    if (Math.abs(part - 0.5) < 1e-6) {
      return 'the & of ' + (beat + 1);
    }
    if (part > 1e-6) {
      return 'beat ' + (beat + 1) + ' + ' + fraction(part);
    }
    if (beat === 0) {
      return 'beat 1, the downbeat';
    }
    const starts = [];
    bar.groups.reduce(function (at, g) {
      starts.push(at);
      return at + g;
    }, 0);
    const index = starts.indexOf(beat);
    if (index < 0) {
      return 'beat ' + (beat + 1);
    }
    const size = bar.groups[index];
    const same = bar.groups.map(function (g, i) {
        return g === size ? i : -1;
      })
      .filter(function (i) {
        return i >= 0;
      });
    const nth = same.indexOf(index);
    if (same.length === 1 || nth >= ORDINALS.length) {
      return 'beat ' + (beat + 1) + ', the start of the ' + size + ' group';
    }
    return 'beat ' + (beat + 1) + ', the start of the ' + ORDINALS[nth] + ' ' + size + ' group';
  }
  Theme.positionLabel = positionLabel;

  function ownLayers(data) {
    return data.layers.map(function (l, i) {
        return [l.name, i];
      })
      .filter(function (pair) {
        return pair[0] !== 'count-in';
      });
  }
  // The layer the ostinato is, as theme.practice.exercise.ostinato_layer: the first that is
  // not a click, the count-in or the dance's feet; none for a metronome.
  function ostinatoLayer(data) {
    return ownLayers(data).find(function (pair) {
      const layer = data.layers[pair[1]];
      return !layer.click && layer.voice !== 'foot';
    }) || null;
  }
  Theme.tapPatterns = function (data) {
    const layers = ownLayers(data).map(function (pair) {
        return pair[0];
      })
      .filter(function (name) {
        return name !== 'click';
      });
    return (ostinatoLayer(data) ? ['ostinato'] : []).concat(['groups', 'beats'], layers);
  };
  Theme.tapTargets = function (data, pattern) {
    const bars = data.bars.filter(function (bar) {
      return bar.section !== 'count-in';
    });
    const out = [];

    function add(q, bar) {
      const position = q - bar.start;
      out.push({
        q: q,
        bar: bars.indexOf(bar) + 1,
        position: position,
        label: positionLabel(bar, position)
      });
    }
    if (pattern === 'beats' || pattern === 'groups') {
      bars.forEach(function (bar) {
        let at = 0;
        const pulses = [];
        bar.groups.forEach(function (g) {
          for (let i = 0; i < (pattern === 'beats' ? g : 1); i++) {
            pulses.push(at + i);
          }
          at += g;
        });
        pulses.forEach(function (p) {
          if (p * bar.pulse < bar.quarters - EPS) {
            add(bar.start + p * bar.pulse, bar);
          }
        });
      });
      return out;
    }
    const own = ownLayers(data).filter(function (pair) {
      return pair[0] !== 'click';
    });
    const found = pattern === 'ostinato' ? ostinatoLayer(data) : own.find(function (pair) {
      return pair[0] === pattern;
    });
    if (!found) {
      throw new RangeError('no pattern ' + pattern + ': expected ' + Theme.tapPatterns(data).join(', '));
    }
    let last = null;
    data.events.forEach(function (e) {
      if (e[2] !== found[1] || e[3] === 4 || e[4] <= 0 || e[0] === last) {
        return;
      }
      const bar = bars.find(function (b) {
        return b.start - EPS <= e[0] && e[0] < b.start + b.quarters - EPS;
      });
      if (bar) {
        add(e[0], bar);
        last = e[0];
      }
    });
    return out;
  };
  Theme.matchTap = function (onsets, seconds, window) {
    let lo = 0,
      hi = onsets.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (onsets[mid] < seconds) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    let best = -1;
    [lo - 1, lo].forEach(function (j) {
      if (j >= 0 && j < onsets.length && (best < 0 || Math.abs(seconds - onsets[j]) < Math.abs(seconds - onsets[best]))) {
        best = j;
      }
    });
    if (best < 0 || Math.abs(seconds - onsets[best]) > window) {
      return null;
    }
    return {
      index: best,
      offset: seconds - onsets[best]
    };
  };
  Theme.heardContextTime = function (context, eventTimeStamp) {
    const stamp = context.getOutputTimestamp ? context.getOutputTimestamp() : null;
    if (stamp && stamp.performanceTime > 0) {
      return stamp.contextTime + (eventTimeStamp - stamp.performanceTime) / 1000;
    }
    return context.currentTime - (context.baseLatency || 0) - (context.outputLatency || 0);
  };

  function stats(values) {
    const mean = values.reduce(function (a, b) {
      return a + b;
    }, 0) / values.length;
    const spread = Math.sqrt(values.reduce(function (a, b) {
      return a + (b - mean) * (b - mean);
    }, 0) / values.length);
    return [mean, spread];
  }

  function said(ms) {
    const shown = Math.round(ms);
    return shown === 0 ? 'on time' : Math.abs(shown) + ' ms ' + (shown > 0 ? 'late' : 'early');
  }

  const tappers = [];
  Theme.tapperFor = function (section) {
    return tappers.find(function (t) {
      return t.section === section;
    }) || null;
  };

  function Tapper(section, player, box) {
    this.section = section;
    this.player = player;
    this.box = box;
    this.taps = [];
    this.playing = false;
    this.level = 'normal';
    this.choose(Theme.tapPatterns(player.data)[0]);
  }
  Tapper.prototype.strict = function (level) {
    this.level = TOLERANCES[level] ? level : 'normal';
    this.summarize();
  };
  Tapper.prototype.choose = function (pattern) {
    this.pattern = pattern;
    this.targets = Theme.tapTargets(this.player.data, pattern);
    this.reset();
  };
  Tapper.prototype.reset = function () {
    this.taps = [];
    this.ran = false; // nothing is missed before the music has played
    this.timeOnsets();
    this.hits = this.targets.map(function () {
      return null;
    });
    this.show('');
    this.summarize();
  };
  // The onsets in seconds at the tempo set now, and the window they give.
  Tapper.prototype.timeOnsets = function () {
    const player = this.player;
    this.scale = player.scale;
    this.onsets = this.targets.map(function (t) {
      return player.tempo.secondsAt(t.q) / player.scale;
    });
    let window = MAX_WINDOW;
    for (let i = 1; i < this.onsets.length; i++) {
      const gap = this.onsets[i] - this.onsets[i - 1];
      if (gap > EPS) {
        window = Math.min(window, gap / 2);
      }
    }
    this.window = window;
  };
  Tapper.prototype.calibration = function () {
    const value = Number(this.box.querySelector('.tap-calibration').value);
    return isFinite(value) && Math.abs(value) <= 500 ? value / 1000 : 0;
  };
  // A tap at an event's timeStamp (performance.now() time), placed on the context's clock.
  Tapper.prototype.tap = function (timeStamp) {
    const player = this.player;
    if (!player.playing || !player.context) {
      this.show('press play, then tap along');
      return null;
    }
    const time = Theme.heardContextTime(player.context, timeStamp) - this.calibration();
    const frame = time * player.rate;
    let plan = player.plans[0];
    player.plans.forEach(function (p) {
      if (p.frame <= frame) {
        plan = p;
      }
    });
    const q = player.positionAt(plan, frame).q;
    if (this.scale !== player.scale) {
      this.timeOnsets();
    } // the tempo was changed
    const match = Theme.matchTap(this.onsets, player.tempo.secondsAt(q) / player.scale, this.window);
    const tap = {
      time: time,
      q: q,
      index: match ? match.index : null,
      offsetMs: match ? match.offset * 1000 : null
    };
    this.taps.push(tap);
    if (!match) {
      this.show('extra tap (no onset near it)');
    } else {
      const target = this.targets[match.index];
      if (this.hits[match.index] === null) {
        this.hits[match.index] = tap.offsetMs;
      }
      const good = Math.abs(tap.offsetMs) <= TOLERANCES[this.level].good ? ', good' : '';
      this.show('bar ' + target.bar + ', ' + target.label + ': ' + said(tap.offsetMs) + good);
    }
    this.summarize();
    return tap;
  };
  Tapper.prototype.show = function (text) {
    this.box.querySelector('.tap-line').textContent = text;
  };
  Tapper.prototype.summarize = function () {
    const rows = new Map(),
      self = this;
    if (this.player.playing) {
      this.ran = true;
    }
    const heard = this.player.playing ? this.player.heardQ() : (this.ran ? Infinity : -Infinity);
    this.targets.forEach(function (t, i) {
      const key = t.label;
      if (!rows.has(key)) {
        rows.set(key, {
          label: t.label,
          offsets: [],
          missed: 0
        });
      }
      const row = rows.get(key);
      if (self.hits[i] !== null) {
        row.offsets.push(self.hits[i]);
      } else if (t.q < heard - 1) {
        row.missed += 1;
      }
    });
    const body = this.box.querySelector('.tap-table tbody'),
      words = [];
    body.textContent = '';
    rows.forEach(function (row) {
      const tr = document.createElement('tr');
      let mean = '',
        spread = '';
      if (row.offsets.length) {
        const s = stats(row.offsets);
        mean = said(s[0]);
        spread = Math.round(s[1]) + ' ms';
        if (Math.abs(s[0]) >= TOLERANCES[self.level].lean) {
          words.push(Theme.tapAdvice(row.label, s[0], s[1], self.level));
        }
      }
      [row.label, mean, spread, String(row.offsets.length), String(row.missed)].forEach(function (text) {
        const td = document.createElement('td');
        td.textContent = text;
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    const extras = this.taps.length - this.hits.filter(function (h) {
      return h !== null;
    }).length;
    this.box.querySelector('.tap-words').textContent =
      (words.length ? words.join('. ') : (this.taps.length ? 'steady so far: every position within ' +
        TOLERANCES[this.level].lean + ' ms on average (' + this.level + ')' : '')) +
      (extras ? ' (' + extras + ' extra tap' + (extras > 1 ? 's' : '') + ')' : '');
  };

  function panel(section, player) {
    const box = document.createElement('div');
    box.className = 'tap-along';
    const id = section.id || ('tap' + tappers.length);
    box.innerHTML =
      "<p><button type='button' class='tap-button' aria-describedby='" + id + "-tap-line'>Tap along (J)</button> " +
      "<label>pattern <select class='tap-pattern'></select></label> " +
      "<label>how strict <select class='tap-tolerance'><option value='tight'>tight (a musician)</option>" +
      "<option value='normal' selected>normal (a class)</option><option value='relaxed'>relaxed (a first try)</option>" +
      "</select></label> " +
      "<label>calibration <input class='tap-calibration' type='number' value='0' step='5' min='-500' max='500'> ms</label></p>" +
      "<p><output class='tap-line' id='" + id + "-tap-line' aria-live='polite'></output></p>" +
      "<table class='tap-table'><thead><tr><th>position</th><th>mean</th><th>spread</th><th>hits</th><th>missed</th></tr></thead><tbody></tbody></table>" +
      "<p class='tap-words'></p>";
    const select = box.querySelector('.tap-pattern');
    Theme.tapPatterns(player.data).forEach(function (name) {
      const option = document.createElement('option');
      option.value = name;
      option.textContent = name === 'vs' ? 'second click' : name; // the staff's name, not 'vs'
      select.appendChild(option);
    });
    const anchor = section.querySelector('.player');
    anchor.parentNode.insertBefore(box, anchor.nextSibling);
    const tapper = new Tapper(section, player, box);
    tappers.push(tapper);
    select.addEventListener('change', function () {
      tapper.choose(select.value);
    });
    const strictness = box.querySelector('.tap-tolerance');
    strictness.addEventListener('change', function () {
      tapper.strict(strictness.value);
    });
    const button = box.querySelector('.tap-button');
    button.addEventListener('pointerdown', function (e) {
      e.preventDefault();
      tapper.tap(e.timeStamp);
    });
    button.addEventListener('keydown', function (e) {
      if (e.key === ' ' || e.key === 'Enter') {
        e.preventDefault();
        if (!e.repeat) {
          tapper.tap(e.timeStamp);
        }
      }
    });
    section.addEventListener('theme:position', function (e) {
      if (e.detail.playing && !tapper.playing) {
        tapper.reset();
      } // a new run
      tapper.playing = e.detail.playing;
    });
  }

  document.addEventListener('keydown', function (e) {
    if (e.key !== 'j' && e.key !== 'J') {
      return;
    }
    if (e.repeat || /^(INPUT|SELECT|TEXTAREA)$/.test((e.target && e.target.tagName) || '')) {
      return;
    }
    const tapper = tappers.find(function (t) {
      return t.player.playing;
    });
    if (tapper) {
      e.preventDefault();
      tapper.tap(e.timeStamp);
    }
  });
  document.querySelectorAll('section').forEach(function (section) {
    const player = Theme.playerFor(section);
    if (player && section.querySelector('.player')) {
      panel(section, player);
    }
  });
})();
