// The practice view ([data-practice], made by theme.classroom.studio): a groove from the
// page's address (a studio link), played looped with a count-in, a big beat light and the
// count, a tempo slider, and a Tap button (or the T key) that says how near each tap is to
// the groove's nearest note: on time within 60 ms, else early or late by so many ms.
'use strict';
(function () {
  const Theme = window.Theme = window.Theme || {};
  const M = Theme.Meters,
    G = Theme.Groove,
    S = Theme.GrooveSound;
  const ON_TIME_MS = 60;

  function setUp(root) {
    const section = root.closest('section') || root;
    const $ = s => root.querySelector(s);
    const message = $('.studio-error'),
      title = $('.practice-title'),
      follow = Theme.GrooveConductor.view(root);
    const play = $('.groove-play'),
      stop = $('.groove-stop'),
      countIn = $('.count-in');
    const tempo = $('.practice-tempo'),
      tempoOut = $('.tempo-out'),
      tap = $('.tap'),
      result = $('.tap-result');
    const box = $('.box-notation'),
      edit = $('.edit-link');
    let groove = null,
      hits = 0,
      taps = 0;

    function load() {
      const hash = location.hash;
      const read = G.decode(/g\d+=/.test(hash) ? hash : root.dataset.groove);
      if (read.error) {
        message.textContent = read.error;
        const fallback = G.decode(root.dataset.groove);
        groove = fallback.groove;
      } else {
        message.textContent = '';
        groove = read.groove;
      }
      title.textContent = G.title(groove) + ', ' + (groove.tempo / 100) + ' ' + M.UNIT_NAMES[groove.meter.denominator] + ' a minute';
      edit.href = 'studio.html#' + G.encode(groove);
      Theme.GrooveConductor.drawView(follow, groove.meter);
      const per = M.accentLevels(groove.meter.groups, groove.subdivide).length;
      box.textContent = groove.rows.map(function (row) {
        const bars = [];
        for (let b = 0; b < groove.bars; b++) {
          bars.push(row[1].slice(b * per, (b + 1) * per).map(c => '-xX' [c]).join(''));
        }
        return row[0].padEnd(6) + ' ' + bars.join(' | ');
      }).join('\n');
    }

    function lead() {
      return countIn.checked ? S.barQuarters(groove) : 0;
    }

    function begin() {
      const first = countIn.checked ? 2 : 1;
      hits = 0;
      taps = 0;
      result.textContent = 'Tap with the notes you hear.';
      sound.start(S.data(groove, countIn.checked), first, first + groove.bars - 1, 1,
        player => player.setTempoScale(Number(tempo.value) / 100));
    }

    function show(q, on) {
      Theme.GrooveConductor.showView(follow, groove.meter, q, on, lead());
    }

    function tapped() {
      const player = sound.player();
      if (!sound.playing()) {
        result.textContent = 'Press Play first, then tap with the notes you hear.';
        return;
      }
      const music = player.heardQ() - lead();
      if (music < -0.25) {
        result.textContent = 'Wait for the count-in to end.';
        return;
      }
      const length = groove.bars * S.barQuarters(groove),
        at = ((music % length) + length) % length;
      let best = Infinity;
      S.onsets(groove).forEach(function (q) {
        [q - length, q, q + length].forEach(function (near) {
          if (Math.abs(at - near) < Math.abs(best)) {
            best = at - near;
          }
        });
      });
      if (best === Infinity) {
        result.textContent = 'This groove has no notes to tap with.';
        return;
      }
      const qpm = groove.tempo / 100 * 4 / groove.meter.denominator * Number(tempo.value) / 100;
      const ms = Math.round(best * 60000 / qpm);
      taps++;
      if (Math.abs(ms) <= ON_TIME_MS) {
        hits++;
      }
      result.textContent = (Math.abs(ms) <= ON_TIME_MS ? 'On time!' : ms < 0 ? 'Early by ' + -ms + ' ms' :
        'Late by ' + ms + ' ms') + ' (' + hits + ' of ' + taps + ' taps on time)';
    }

    const sound = Theme.loopPlayer(section, {
      button: play,
      message: message,
      failed: 'The groove could not start: ',
      position: detail => show(detail.q, true),
      ended: () => show(-1, false)
    });
    play.addEventListener('click', begin);
    stop.addEventListener('click', sound.halt);
    tap.addEventListener('pointerdown', function (e) {
      e.preventDefault();
      tapped();
    });
    tap.addEventListener('keydown', function (e) {
      if (e.key === ' ' || e.key === 'Enter') {
        e.preventDefault();
        tapped();
      }
    });
    document.addEventListener('keydown', function (e) {
      if ((e.key === 't' || e.key === 'T') && !e.target.closest('input, select, textarea')) {
        tapped();
      }
    });
    tempo.addEventListener('input', function () {
      tempoOut.textContent = tempo.value + '%';
      if (sound.playing()) {
        sound.player().setTempoScale(Number(tempo.value) / 100);
      }
    });
    countIn.addEventListener('change', function () {
      if (sound.playing()) {
        begin();
      }
    });
    window.addEventListener('hashchange', function () {
      sound.halt();
      load();
    });
    load();
    root.practice = {
      groove: () => groove,
      tap: tapped
    };
  }

  document.querySelectorAll('[data-practice]').forEach(setUp);
})();
