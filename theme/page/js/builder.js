// The meter builder ([data-builder], made by theme.page.builder): choose the pulses and
// their unit, press a pulse to start a group there, set a tempo, add a second meter against
// the first (the same pulse, or the same bar length), play both through the page's player,
// each lit on its row of pulses. Counts with Theme.Meters (meters.js), as the library does.
// Bad input is refused beside its field with a message; what was good before stays.
'use strict';
(function () {
  const Theme = window.Theme = window.Theme || {};
  const M = Theme.Meters;
  const MAX_PRESET_PULSES = 9;
  const VELOCITY = [112, 100, 84, 68, 1]; // theme.core.events.velocity_for
  const PITCHES = {
    click: [76, 77],
    vs: [67, 68]
  }; // theme.metronome.clicks.CLICK_PITCHES
  const VOICES = {
    click: 'click',
    vs: 'clicklow'
  };

  // The clicks as the page's player reads music (its file's header: DATA): one meter in
  // the centre, or the first left and the second right, as theme.metronome lays them
  function playerData(music) {
    const two = music.events.some(e => e.layer === 'vs');
    const layers = [{
      name: 'click',
      voice: 'click',
      pan: two ? -1 : 0,
      gain: 1,
      click: true
    }];
    if (two) {
      layers.push({
        name: 'vs',
        voice: 'clicklow',
        pan: 1,
        gain: 1,
        click: true
      });
    }
    return {
      title: music.data.title,
      quarters: music.data.quarters,
      bars: music.data.bars,
      tempo: Theme.steadyTempo(music.qpm),
      layers: layers,
      events: music.events.map(e => [M.value(e.q), M.value(e.duration), e.layer === 'vs' ? 1 : 0,
        e.level, VELOCITY[e.level], PITCHES[e.layer][e.level > 1 ? 1 : 0],
        VOICES[e.layer] + '/a' + e.level
      ]),
    };
  }

  // Every way to cut n pulses into twos and threes, in order (3+2, 2+3 for five)
  function twosAndThrees(n) {
    if (n === 0) {
      return [
        []
      ];
    }
    const out = [];
    [3, 2].forEach(function (g) {
      if (n >= g) {
        twosAndThrees(n - g).forEach(rest => out.push([g].concat(rest)));
      }
    });
    return out;
  }

  function groupsFromStarts(starts, n) {
    const sorted = Array.from(starts).sort((a, b) => a - b),
      groups = [];
    sorted.forEach(function (s, i) {
      groups.push((i + 1 < sorted.length ? sorted[i + 1] : n) - s);
    });
    return groups;
  }

  // One meter's fieldset: its fields, its row of pulse buttons, its presets, its message
  function MeterRow(fieldset, changed) {
    const pulses = fieldset.querySelector('.pulses'),
      unit = fieldset.querySelector('.unit');
    const grouping = fieldset.querySelector('.grouping'),
      error = fieldset.querySelector('.error');
    const row = fieldset.querySelector('.pulse-row'),
      presets = fieldset.querySelector('.presets');
    const self = {
      fieldset: fieldset,
      meter: null,
      buttons: [],
      errors: {}
    };

    function show() {
      const lines = Object.keys(self.errors).map(k => self.errors[k]).filter(Boolean);
      error.textContent = lines.join(' ');
      [
        ['pulses', pulses],
        ['unit', unit],
        ['grouping', grouping]
      ].forEach(function (pair) {
        if (self.errors[pair[0]]) {
          pair[1].setAttribute('aria-invalid', 'true');
        } else {
          pair[1].removeAttribute('aria-invalid');
        }
      });
    }

    function draw() {
      const groups = self.meter.groups,
        n = groups.reduce((a, b) => a + b, 0);
      const levels = M.accentLevels(groups, 1),
        starts = M.groupStarts(groups);
      row.textContent = '';
      self.buttons = levels.map(function (level, i) {
        const b = document.createElement('button');
        const group = starts.filter(s => s <= i).length,
          count = i - starts[group - 1] + 1;
        b.type = 'button';
        b.className = 'l' + level;
        b.textContent = String(count);
        b.setAttribute('aria-pressed', level < 2 ? 'true' : 'false');
        b.setAttribute('aria-label', 'pulse ' + (i + 1) + ' of ' + n +
          (level === 0 ? ', the downbeat' : level === 1 ? ', starts group ' + group : ''));
        b.addEventListener('click', function () {
          toggle(i);
        });
        row.appendChild(b);
        return b;
      });
      presets.textContent = '';
      if (n <= MAX_PRESET_PULSES && n > 1) {
        twosAndThrees(n).forEach(function (choice) {
          const b = document.createElement('button'),
            name = choice.join('+');
          b.type = 'button';
          b.textContent = name;
          b.setAttribute('aria-label', 'group as ' + name);
          b.setAttribute('aria-pressed', String(choice.join() === groups.join()));
          b.addEventListener('click', function () {
            grouping.value = name;
            set(choice);
            const again = presets.querySelector('[aria-label="group as ' + name + '"]');
            if (again) {
              again.focus();
            } // the row is drawn anew: the focus stays put
          });
          presets.appendChild(b);
        });
      }
    }

    function set(groups) {
      self.meter = {
        groups: groups,
        denominator: Number(unit.value)
      };
      delete self.errors.grouping;
      show();
      draw();
      changed();
    }

    function toggle(i) {
      if (!self.meter || self.errors.pulses || self.errors.unit) {
        return;
      }
      const n = self.meter.groups.length && self.meter.groups.reduce((a, b) => a + b, 0);
      if (i === 0) {
        self.errors.grouping = 'The first pulse is the downbeat: it always starts a group.';
        show();
        return;
      }
      const starts = new Set(M.groupStarts(self.meter.groups));
      if (starts.has(i)) {
        starts.delete(i);
      } else {
        starts.add(i);
      }
      const groups = groupsFromStarts(starts, n);
      grouping.value = groups.join('+');
      set(groups);
      if (self.buttons[i]) {
        self.buttons[i].focus();
      }
    }

    function readCount() {
      self.errors.pulses = M.checkPulses(pulses.value);
      self.errors.unit = M.checkUnit(unit.value);
      if (self.errors.pulses || self.errors.unit) {
        show();
        changed();
        return;
      }
      const n = Number(pulses.value),
        d = Number(unit.value);
      const keep = self.meter && self.meter.groups.reduce((a, b) => a + b, 0) === n;
      const groups = keep ? self.meter.groups : M.defaultGroups(n, d);
      grouping.value = groups.join('+');
      set(groups);
    }

    function readGrouping() {
      if (M.checkPulses(pulses.value)) {
        return;
      }
      const parsed = M.parseGrouping(grouping.value, Number(pulses.value));
      if (parsed.error) {
        self.errors.grouping = parsed.error;
        show();
        changed();
        return;
      }
      set(parsed.groups);
    }

    pulses.addEventListener('input', readCount);
    unit.addEventListener('change', readCount);
    grouping.addEventListener('input', readGrouping);
    self.valid = function () {
      return !Object.keys(self.errors).some(k => self.errors[k]);
    };
    self.problem = function () {
      return error.textContent;
    };
    self.light = function (index) {
      self.buttons.forEach(function (b, j) {
        b.classList.toggle('now', j === index);
      });
    };
    const first = M.parseGrouping(grouping.value, Number(pulses.value));
    self.meter = {
      groups: first.groups || M.defaultGroups(Number(pulses.value) || 1, Number(unit.value)),
      denominator: Number(unit.value)
    };
    readCount();
    return self;
  }

  function setUp(panel) {
    const section = panel.closest('section') || panel;
    const against = panel.querySelector('.against'),
      align = panel.querySelector('.align');
    const tempo = panel.querySelector('.tempo'),
      subdivide = panel.querySelector('.subdivide');
    const soundError = panel.querySelector('.sound .error'),
      summary = panel.querySelector('.summary');
    const command = panel.querySelector('.command'),
      unitText = panel.querySelector('.tempo-unit');
    const limit = panel.querySelector('.command-limit');
    const play = panel.querySelector('.play'),
      stop = panel.querySelector('.stop');
    let ready = false,
      heardBar = 1;
    const rows = [];
    const sound = Theme.loopPlayer(section, { // the section's one player, shared with the groove editor
      button: play,
      message: soundError,
      failed: 'The clicks could not start: ',
      position: function (detail) {
        heardBar = detail.bar;
        light(detail.q);
      },
      ended: () => light(-1)
    });

    function settings() {
      const first = rows[0].meter,
        vs = against.checked ? rows[1].meter : null;
      return {
        meter: first,
        vs: vs,
        align: align.value,
        bpm: Number(tempo.value),
        subdivide: Number(subdivide.value)
      };
    }

    function problems() {
      const found = [rows[0].valid() ? '' : rows[0].problem()];
      if (against.checked && !rows[1].valid()) {
        found.push(rows[1].problem());
      }
      const badTempo = M.checkTempo(tempo.value, rows[0].meter.denominator);
      const sound = [badTempo, M.checkSubdivide(subdivide.value)].filter(Boolean);
      soundError.textContent = sound.join(' ');
      if (badTempo) {
        tempo.setAttribute('aria-invalid', 'true');
      } else {
        tempo.removeAttribute('aria-invalid');
      }
      return found.concat(sound).filter(Boolean);
    }

    function describe(s) {
      let text = M.meterLabel(s.meter.groups, s.meter.denominator);
      if (s.vs) {
        const first = M.barQuarters(s.meter);
        const second = s.align === 'bar' ? first : M.barQuarters(s.vs);
        const every = M.lcmQuarters(first, second);
        const pulses = M.value(M.div(every, M.frac(4, s.meter.denominator)));
        text += ' against ' + M.meterLabel(s.vs.groups, s.vs.denominator) +
          (s.align === 'bar' ? ', the same bar length' : ', the same pulse') +
          ': the downbeats meet every ' + pulses + ' pulses';
      }
      return text + '.';
    }

    function changed() {
      if (!ready) {
        return;
      }
      rows[1].fieldset.hidden = !against.checked;
      unitText.textContent = M.UNIT_NAMES[rows[0].meter.denominator] + ' a minute';
      const found = problems();
      if (found.length) {
        return;
      } // refused: the messages stand beside the fields
      const s = settings();
      summary.textContent = describe(s);
      command.textContent = M.command(s.meter, s);
      limit.textContent = M.commandLimit(s);
      if (sound.on()) {
        start();
      } // heard at once
    }

    // Enough bars for the downbeats to meet again (at least two, at most 64), looped
    function music(s) {
      const first = M.barQuarters(s.meter);
      let bars = 2;
      if (s.vs) {
        const second = s.align === 'bar' ? first : M.barQuarters(s.vs);
        bars = Math.max(2, Math.min(64, M.value(M.div(M.lcmQuarters(first, second), first))));
      }
      const events = M.clickEvents(s.meter, {
        vs: s.vs,
        align: s.align,
        subdivide: s.subdivide,
        bars: bars
      });
      const data = {
        title: describe(s),
        quarters: M.value(M.mul(M.frac(bars), first)),
        bars: M.barsData(s.meter, bars)
      };
      return {
        bars: bars,
        events: events,
        data: data,
        qpm: s.bpm * 4 / s.meter.denominator
      };
    }

    function light(q) {
      const s = settings();
      [
        [rows[0], s.meter, M.barQuarters(s.meter)],
        [rows[1], s.vs, s.vs && (s.align === 'bar' ? M.barQuarters(s.meter) : M.barQuarters(s.vs))]
      ]
      .forEach(function (item) {
        const row = item[0],
          meter = item[1],
          length = item[2] && M.value(item[2]);
        if (!meter) {
          row.light(-1);
          return;
        }
        const n = meter.groups.reduce((a, b) => a + b, 0);
        const within = ((q % length) + length) % length;
        row.light(q < 0 ? -1 : Math.min(n - 1, Math.floor(within / length * n + 1e-9)));
      });
    }

    function start() {
      const found = problems();
      if (found.length) {
        soundError.textContent = found.join(' ');
        return;
      }
      const made = music(settings());
      const from = sound.on() ? Math.min(heardBar, made.bars) : 1; // a change: from the bar heard
      sound.start(playerData(made), 1, made.bars, from);
    }

    rows.push(MeterRow(panel.querySelector('.meter-row.first'), changed));
    rows.push(MeterRow(panel.querySelector('.meter-row.second'), changed));
    [against, align, subdivide].forEach(el => el.addEventListener('change', changed));
    tempo.addEventListener('input', changed);
    play.addEventListener('click', start);
    stop.addEventListener('click', sound.halt);
    section.addEventListener('theme:leave', sound.halt);
    panel.builder = {
      settings: settings,
      problems: problems,
      music: music,
      light: light,
      start: start,
      stop: sound.halt,
      playerData: playerData,
      player: sound.player,
      playing: sound.on
    };
    ready = true;
    changed();
  }

  document.querySelectorAll('[data-builder]').forEach(setUp);
})();
