// The studio ([data-studio], made by theme.classroom.studio): a groove editor under the
// meter builder. A row a voice, a box a pulse (or a part of one) of the meter built above,
// for every bar; a click, a tap or Space/Enter cycles a box rest -> note -> accent -> rest;
// the arrow keys move between boxes. The groove is heard at once through the page's player,
// looped (a bar of count-in clicks first if asked), with a big beat light and the count;
// the box notation follows; the address holds the groove's link (opening it restores the
// groove), a QR code of it when the page is served over http(s); MIDI and a variant file
// to take home, written here (Theme.GrooveMidi, Theme.Groove.toml).
'use strict';
(function () {
  const Theme = window.Theme = window.Theme || {};
  const M = Theme.Meters,
    G = Theme.Groove;
  const NAMES = {
    hihat: 'Hi-hat',
    snare: 'Snare',
    kick: 'Kick',
    bongo: 'Bongo',
    conga: 'Conga',
    bass: 'Bass',
    lead: 'Lead',
    click: 'Click'
  };
  const WORDS = ['rest', 'note', 'accent'];

  function sum(list) {
    return list.reduce((a, b) => a + b, 0);
  }

  function setUp(root) {
    const section = root.closest('section') || root;
    const builderPanel = root.querySelector('[data-builder]');
    const $ = s => root.querySelector(s);
    const grid = $('.groove-grid'),
      box = $('.box-notation'),
      message = $('.studio-error');
    const barsBox = $('.groove-bars'),
      countIn = $('.count-in'),
      play = $('.groove-play'),
      stop = $('.groove-stop');
    const linkBox = $('.groove-link'),
      copy = $('.copy-link'),
      command = $('.groove-command');
    const follow = Theme.GrooveConductor.view(root),
      second = $('.second-light'),
      start = $('.start-from');
    const midiButton = $('.download-midi'),
      tomlButton = $('.download-toml'),
      qr = $('.groove-qr');
    const beside = root.hasAttribute('data-beside'); // under a page's meter builder, folded
    const details = root.querySelector('details.groove-editor');
    let groove = null,
      applying = false,
      focus = [0, 0],
      heardBar = 1;
    const cells = {}; // voice: [button, ...]

    // In the studio the builder's own sound buttons are the studio's: its clicks a pulse
    // are boxes here; beside a page's builder, a box is a click of the meter built
    if (!beside) {
      const subLabel = builderPanel.querySelector('.subdivide').parentNode;
      subLabel.firstChild.textContent = 'Boxes a pulse ';
    }

    function fromBuilder() {
      const b = builderPanel.builder;
      if (!b || b.problems().length) {
        return null;
      }
      const s = b.settings();
      return { // one group is counted in the meter's default grouping, as the link keeps it
        meter: G.canonical(s.meter),
        vs: s.vs ? G.canonical(s.vs) : null,
        align: s.vs ? s.align : 'beat',
        tempo: Math.round(s.bpm * 100),
        subdivide: Number(s.subdivide)
      };
    }

    function perBar(g) {
      return sum(g.meter.groups) * g.subdivide;
    }

    // Every row laid on a new grid: a box keeps its note where the old grid had a box at
    // the same time of the bar; bars added repeat the bars before them
    function regrid(old, made) {
      const oldPer = perBar(old),
        newPer = perBar(made);
      const oldCell = old.meter.denominator * old.subdivide,
        newCell = made.meter.denominator * made.subdivide;
      const rows = {};
      G.VOICES.forEach(function (voice) {
        const before = old.rows[voice] || [],
          row = [];
        for (let bar = 0; bar < made.bars; bar++) {
          for (let j = 0; j < newPer; j++) {
            const at = j * oldCell / newCell; // the same time in the old bar's boxes
            const ok = Number.isInteger(at) && at < oldPer;
            row.push(ok ? before[(bar % old.bars) * oldPer + at] || 0 : 0);
          }
        }
        rows[voice] = row;
      });
      made.rows = rows;
      return made;
    }

    function asGroove(g) { // the link's form: rows with a note, in the voices' order
      return {
        meter: g.meter,
        bars: g.bars,
        subdivide: g.subdivide,
        tempo: g.tempo,
        vs: g.vs,
        align: g.align,
        rows: G.VOICES.filter(v => g.rows[v].some(c => c)).map(v => [v, g.rows[v].slice()])
      };
    }

    function fromLinkForm(g) {
      const rows = {};
      G.VOICES.forEach(function (voice) {
        const found = g.rows.find(r => r[0] === voice);
        rows[voice] = found ? found[1].slice() : new Array(G.cells(g)).fill(0);
      });
      return Object.assign({}, g, {
        rows: rows
      });
    }

    // -- the grid ---------------------------------------------------------------------------
    function cellLabel(voice, i) {
      const per = perBar(groove),
        bar = Math.floor(i / per) + 1,
        j = i % per;
      const pulse = Math.floor(j / groove.subdivide) + 1,
        part = j % groove.subdivide;
      return NAMES[voice] + ', bar ' + bar + ', pulse ' + pulse +
        (groove.subdivide > 1 ? ' part ' + (part + 1) : '') + ': ' + WORDS[groove.rows[voice][i]];
    }

    function drawCell(voice, i) {
      const b = cells[voice][i],
        v = groove.rows[voice][i];
      b.className = 'cell v' + v + ' ' + b.dataset.kind;
      b.textContent = v === 2 ? 'X' : v === 1 ? 'x' : '';
      b.setAttribute('aria-label', cellLabel(voice, i));
    }

    function drawGrid() {
      grid.textContent = '';
      const per = perBar(groove),
        levels = M.accentLevels(groove.meter.groups, groove.subdivide);
      G.VOICES.forEach(v => {
        cells[v] = [];
      });
      for (let bar = 0; bar < groove.bars; bar++) {
        const block = document.createElement('div');
        block.className = 'groove-bar';
        block.setAttribute('role', 'group');
        block.setAttribute('aria-label', 'Bar ' + (bar + 1));
        const head = document.createElement('div');
        head.className = 'row head';
        head.innerHTML = '<span class="voice">Bar ' + (bar + 1) + '</span>';
        const counts = M.groupStarts(groove.meter.groups);
        levels.forEach(function (level, j) {
          const s = document.createElement('span');
          const pulse = Math.floor(j / groove.subdivide);
          const group = counts.filter(c => c <= pulse).length;
          s.className = 'count l' + level;
          s.textContent = level < 3 ? String(pulse - counts[group - 1] + 1) : '+';
          head.appendChild(s);
        });
        block.appendChild(head);
        G.VOICES.forEach(function (voice, r) {
          const row = document.createElement('div');
          row.className = 'row';
          row.setAttribute('role', 'row');
          const name = document.createElement('span');
          name.className = 'voice';
          name.textContent = NAMES[voice];
          row.appendChild(name);
          for (let j = 0; j < per; j++) {
            const i = bar * per + j,
              b = document.createElement('button');
            b.type = 'button';
            b.dataset.kind = 'l' + levels[j];
            b.dataset.voice = voice;
            b.dataset.index = String(i);
            b.tabIndex = r === focus[0] && i === focus[1] ? 0 : -1;
            cells[voice].push(b);
            row.appendChild(b);
          }
          block.appendChild(row);
        });
        grid.appendChild(block);
      }
      G.VOICES.forEach(v => cells[v].forEach((_, i) => drawCell(v, i)));
      if (!cells[G.VOICES[focus[0]]][focus[1]]) {
        focus = [0, 0];
        cells[G.VOICES[0]][0].tabIndex = 0;
      }
    }

    function moveFocus(r, i) {
      const voice = G.VOICES[r],
        b = cells[voice] && cells[voice][i];
      if (!b) {
        return;
      }
      const old = cells[G.VOICES[focus[0]]][focus[1]];
      if (old) {
        old.tabIndex = -1;
      }
      focus = [r, i];
      b.tabIndex = 0;
      b.focus();
    }

    grid.addEventListener('click', function (e) {
      const b = e.target.closest('button.cell');
      if (!b) {
        return;
      }
      const voice = b.dataset.voice,
        i = Number(b.dataset.index);
      groove.rows[voice][i] = (groove.rows[voice][i] + 1) % 3;
      drawCell(voice, i);
      moveFocus(G.VOICES.indexOf(voice), i);
      changed(false);
    });
    grid.addEventListener('keydown', function (e) {
      const step = {
        ArrowLeft: [0, -1],
        ArrowRight: [0, 1],
        ArrowUp: [-1, 0],
        ArrowDown: [1, 0]
      } [e.key];
      if (!step || !e.target.closest('button.cell')) {
        return;
      }
      e.preventDefault();
      const total = G.cells(groove),
        per = perBar(groove);
      let r = focus[0],
        i = focus[1];
      if (step[1]) {
        i = Math.max(0, Math.min(total - 1, i + step[1]));
      } else {
        // up and down move between rows, and past the top or bottom row to the bar before or after
        r += step[0];
        if (r < 0 && i >= per) {
          r = G.VOICES.length - 1;
          i -= per;
        } else if (r >= G.VOICES.length && i + per < total) {
          r = 0;
          i += per;
        }
        r = Math.max(0, Math.min(G.VOICES.length - 1, r));
      }
      moveFocus(r, i);
    });

    // -- what the groove says: box notation, link, downloads -------------------------------
    function boxText() {
      const per = perBar(groove),
        lines = [];
      const made = asGroove(groove);
      const width = Math.max(...made.rows.map(r => NAMES[r[0]].length), 5);
      made.rows.forEach(function (row) {
        const bars = [];
        for (let b = 0; b < groove.bars; b++) {
          bars.push(row[1].slice(b * per, (b + 1) * per).map(c => '-xX' [c]).join(''));
        }
        lines.push(NAMES[row[0]].padEnd(width) + '  ' + bars.join(' | '));
      });
      return lines.length ? lines.join('\n') : '(no notes yet: click a box)';
    }

    function linkNow() {
      return G.encode(asGroove(groove));
    }

    function address(link) {
      return location.href.split('#')[0] + '#' + link;
    }

    function showLink() {
      const link = linkNow();
      if (!beside) { // beside a builder the address is the page's own (its slides')
        try {
          history.replaceState(null, '', '#' + link);
        } catch {
          location.replace('#' + link);
        }
      }
      linkBox.value = address(link);
      const practice = root.querySelector('.practice-link');
      if (practice) {
        practice.href = 'practice.html#' + link;
      }
      command.textContent = "theme export '" + address(link) + "' -o groove.mid";
      const empty = !asGroove(groove).rows.length;
      midiButton.disabled = empty;
      tomlButton.disabled = empty;
      if (qr && Theme.QR && /^https?:$/.test(location.protocol)) {
        qr.hidden = false;
        try {
          qr.querySelector('.code').innerHTML = Theme.QR.svg(address(link));
        } catch {
          qr.querySelector('.code').textContent = 'This groove is too long for a QR code: copy the link instead.';
        }
      }
    }

    function changed(structural) {
      box.textContent = boxText();
      showLink();
      if (sound.on()) {
        if (structural) {
          begin(heardBar);
        } else {
          const data = playerData(),
            player = sound.player();
          player.data = data;
          player.events = data.events;
          player.replan(); // the sounds not yet heard are queued again: heard at once
        }
      }
    }

    function download(bytes, name, type) {
      const url = URL.createObjectURL(new Blob([bytes], {
        type: type
      }));
      const a = document.createElement('a');
      a.href = url;
      a.download = name;
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60000);
    }

    midiButton.addEventListener('click', function () {
      download(new Uint8Array(Theme.GrooveMidi.bytes(asGroove(groove))), 'groove.mid', 'audio/midi');
    });
    tomlButton.addEventListener('click', function () {
      download(G.toml(asGroove(groove)), 'groove.toml', 'application/toml');
    });
    copy.addEventListener('click', function () {
      linkBox.select();
      const done = () => {
        copy.textContent = 'Copied';
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(linkBox.value).then(done, () => document.execCommand('copy'));
      } else {
        document.execCommand('copy');
        done();
      }
    });

    // -- sound ------------------------------------------------------------------------------
    function barQuarters() {
      return sum(groove.meter.groups) * 4 / groove.meter.denominator;
    }

    function playerData() {
      return Theme.GrooveSound.data(asGroove(groove), countIn.checked);
    }

    function begin(fromBar) {
      const lead = countIn.checked ? 1 : 0;
      const from = fromBar === undefined ? 1 : Math.min(fromBar + lead, groove.bars + lead);
      sound.start(playerData(), 1 + lead, groove.bars + lead, from);
    }

    // -- the beat light, the count and the column heard ------------------------------------
    function drawLight() {
      Theme.GrooveConductor.drawView(follow, groove.meter);
      second.hidden = !groove.vs;
      if (groove.vs) {
        second.querySelector('.bar').textContent = M.meterName(groove.vs.groups, groove.vs.denominator);
        second.querySelector('.pulses').innerHTML = M.accentLevels(groove.vs.groups, 1)
          .map(l => '<b class="l' + l + '"></b>').join('');
      }
    }

    function showPosition(q, on) {
      const lead = countIn.checked && sound.player() ? barQuarters() : 0;
      const music = q - lead,
        unit = 4 / groove.meter.denominator / groove.subdivide;
      Theme.GrooveConductor.showView(follow, groove.meter, q, on, lead);
      if (groove.vs) { // the second meter's pulse heard, from the groove's start
        const su = G.secondUnit(groove),
          step = su[0] / su[1],
          n = sum(groove.vs.groups);
        const k = on && music >= 0 ? Math.floor(music / step + 1e-9) % n : -1;
        second.querySelectorAll('b').forEach((b, j) => b.classList.toggle('now', j === k));
      }
      const col = on && music >= 0 ? Math.floor(music / unit + 1e-9) : -1;
      const lit = G.VOICES.map(v => (col >= 0 && cells[v][col]) || null).filter(Boolean);
      grid.querySelectorAll('.cell.now').forEach(b => lit.includes(b) || b.classList.remove('now'));
      lit.forEach(b => b.classList.toggle('now', true)); // written once a column, not every frame
    }

    const sound = Theme.loopPlayer(section, { // the section's one player (the builder's too)
      button: play,
      message: message,
      failed: 'The groove could not start: ',
      position: function (detail) {
        const lead = countIn.checked ? 1 : 0;
        heardBar = Math.max(1, detail.bar - lead);
        showPosition(detail.q, true);
      },
      ended: () => showPosition(-1, false)
    });
    section.addEventListener('theme:leave', sound.halt);

    // -- the builder and the bars: the grid follows ------------------------------------------
    // The bars' and the grid's own message, cleared when they are right again; a message
    // about the link stays until another groove is opened.
    let said = '';

    function say(text) {
      if (text || message.textContent === said) {
        message.textContent = text;
      }
      said = text;
    }

    function rebuild() {
      if (applying) {
        return;
      }
      const made = fromBuilder();
      const bars = Number(barsBox.value);
      if (!made) {
        return;
      } // the builder says what is wrong beside its field
      if (!(Number.isInteger(bars) && bars >= 1 && bars <= G.MAX_BARS)) {
        barsBox.setAttribute('aria-invalid', 'true');
        say('Bars: a whole number from 1 to ' + G.MAX_BARS + '.');
        return;
      }
      barsBox.removeAttribute('aria-invalid');
      made.bars = bars;
      const bad = G.problem(Object.assign({}, made, {
        rows: []
      }));
      if (bad) {
        say(bad);
        return;
      }
      say('');
      const same = groove && JSON.stringify([groove.meter, groove.vs, groove.align, groove.subdivide,
        groove.bars, groove.tempo
      ]) === JSON.stringify([made.meter, made.vs, made.align, made.subdivide, made.bars, made.tempo]);
      if (same) {
        return;
      }
      const grown = regrid(groove || Object.assign({}, made, {
        rows: {}
      }), made);
      const redraw = !groove || G.cells(groove) !== G.cells(grown) ||
        JSON.stringify(groove.meter) !== JSON.stringify(grown.meter) || groove.subdivide !== grown.subdivide;
      groove = grown;
      if (redraw) {
        drawGrid();
      }
      drawLight();
      changed(true);
    }

    function fire(el, type) {
      el.dispatchEvent(new Event(type, {
        bubbles: true
      }));
    }

    function setMeterRow(fieldset, meter) {
      const unit = fieldset.querySelector('.unit');
      unit.value = String(meter.denominator);
      fire(unit, 'change');
      const pulses = fieldset.querySelector('.pulses');
      pulses.value = String(sum(meter.groups));
      fire(pulses, 'input');
      const grouping = fieldset.querySelector('.grouping');
      grouping.value = meter.groups.join('+');
      fire(grouping, 'input');
    }

    // Show a groove (in the link's form) in the builder and the grid
    function load(g) {
      applying = true;
      try {
        setMeterRow(builderPanel.querySelector('.meter-row.first'), g.meter);
        const against = builderPanel.querySelector('.against');
        against.checked = !!g.vs;
        fire(against, 'change');
        if (g.vs) {
          setMeterRow(builderPanel.querySelector('.meter-row.second'), g.vs);
          const align = builderPanel.querySelector('.align');
          align.value = g.align;
          fire(align, 'change');
        }
        const tempo = builderPanel.querySelector('.tempo');
        tempo.value = String(g.tempo / 100);
        fire(tempo, 'input');
        const sub = builderPanel.querySelector('.subdivide');
        sub.value = String(g.subdivide);
        fire(sub, 'change');
        barsBox.value = String(g.bars);
      } finally {
        applying = false;
      }
      groove = fromLinkForm(g);
      drawGrid();
      drawLight();
      changed(true);
    }

    function fromAddress() {
      const hash = location.hash;
      if (!/g\d+=/.test(hash)) {
        return false;
      }
      const read = G.decode(hash);
      if (details) { // a link to a groove opens the editor, on the stage at its step
        details.open = true;
        if (Theme.Slides && Theme.Slides.on()) {
          Theme.Slides.go(Array.from(document.querySelectorAll('body > section')).indexOf(section));
        } else {
          setTimeout(() => details.scrollIntoView());
        }
      }
      if (read.error) {
        message.textContent = read.error + ' You can start again from a groove below.';
        return false;
      }
      message.textContent = '';
      load(read.groove);
      return true;
    }

    $('.edit-this').addEventListener('click', function () {
      const read = G.decode(start.value);
      if (read.groove) {
        message.textContent = '';
        load(read.groove);
        if (sound.on()) {
          begin(1);
        }
      }
    });
    builderPanel.addEventListener('input', () => setTimeout(rebuild));
    builderPanel.addEventListener('change', () => setTimeout(rebuild));
    builderPanel.addEventListener('click', () => setTimeout(rebuild));
    barsBox.addEventListener('input', rebuild);
    countIn.addEventListener('change', function () {
      if (sound.on()) {
        begin(heardBar);
      }
    });
    play.addEventListener('click', () => begin(1));
    stop.addEventListener('click', sound.halt);
    $('.clear').addEventListener('click', function () {
      G.VOICES.forEach(v => groove.rows[v].fill(0));
      G.VOICES.forEach(v => cells[v].forEach((_, i) => drawCell(v, i)));
      changed(false);
    });
    if (details) { // opened: the editor comes up to the top of the screen
      details.addEventListener('toggle', function () {
        if (details.open) {
          details.scrollIntoView({
            block: 'start'
          });
        } else {
          sound.halt();
        }
      });
    }
    window.addEventListener('hashchange', function () {
      if (location.hash.slice(1) !== linkNow()) {
        fromAddress();
      }
    });
    if (!fromAddress()) {
      const first = G.decode(start.options.length ? start.options[0].value : '');
      if (beside) {
        rebuild(); // an empty groove in the meter the page's builder holds
      } else if (first.groove) {
        load(first.groove);
      }
    }
    root.studio = {
      groove: () => asGroove(groove),
      link: linkNow,
      midi: () => Theme.GrooveMidi.bytes(asGroove(groove)),
      toml: () => G.toml(asGroove(groove)),
      playerData: playerData,
      playing: sound.on
    };
  }

  document.querySelectorAll('[data-studio]').forEach(setUp);
})();
