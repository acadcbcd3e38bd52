// Counting and conducting along: for each meter of a section, the syllable of the pulse heard
// now is lit, and a baton moves over the conductor's pattern, on each beat's point exactly
// at that beat and over a rebound curve between. Reads the player's 'theme:position' event
// (q: the quarter note heard now, tempo changes and loops applied) and the row's bars
// (data-follow: each bar's start in quarter notes and its kind; each kind's pulses, the
// pulses conducted, the points of its pattern and its length).
//
// A section shows one count at a time, the one its data-count names (through the bar, by
// group, words or solkattu; every count is written into the page by
// theme.page.follow): its count menu chooses, and Theme.nextCount(section) moves to the
// next (the C key of the slides).
'use strict';
(function () {
  const Theme = window.Theme = window.Theme || {};
  const DOWN = [100, 135];

  // The last index i with list[i] <= x (0 when x is before them all).
  function lastAtOrBefore(list, x, key) {
    let lo = 0,
      hi = list.length - 1,
      k = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (key(list[mid]) <= x) {
        k = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return k;
  }

  // Where the baton is a fraction u (0 to 1) of the way from point a to point b: on the
  // curve over the rebound (as theme.page.follow.rebound draws it), fast off the beat
  // and into the next, slow at the top.
  function baton(a, b, u) {
    const t = u + 0.8 * Math.sin(2 * Math.PI * u) / (2 * Math.PI);
    const c = [Math.floor((a[0] + b[0]) / 2), Math.min(a[1], b[1]) - 40];
    const s = 1 - t;
    return [s * s * a[0] + 2 * s * t * c[0] + t * t * b[0], s * s * a[1] + 2 * s * t * c[1] + t * t * b[1]];
  }

  Theme.baton = baton; // the studio's conductor (grooveconductor.js) moves its baton the same

  function follower(row) {
    const data = JSON.parse(row.dataset.follow);
    if (!data.bars.length) {
      return null;
    }
    const dot = row.querySelector('.baton');
    const counts = row.querySelectorAll('.counting');
    const patterns = row.querySelectorAll('.pattern');
    let shownKind = 0,
      litSyllables = [],
      litMark = null,
      litMove = null,
      litAt = null;

    function showKind(k) {
      if (k === shownKind) {
        return;
      }
      counts.forEach(function (p) {
        p.hidden = Number(p.dataset.kind) !== k;
      });
      patterns.forEach(function (g) {
        g.classList.toggle('off', Number(g.dataset.kind) !== k);
      });
      shownKind = k;
    }

    function show(q) {
      const b = lastAtOrBefore(data.bars, q, function (bar) {
        return bar[0];
      });
      const start = data.bars[b][0],
        kind = data.kinds[data.bars[b][1]];
      const offset = Math.min(Math.max(q - start, 0), kind.length);
      showKind(data.bars[b][1]);
      const pulse = lastAtOrBefore(kind.pulses, offset, function (p) {
        return p;
      });
      if (litAt !== b + ':' + pulse) { // a new pulse: light its syllables
        litSyllables.forEach(function (s) {
          s.classList.remove('now');
        });
        litSyllables = [];
        counts[shownKind].querySelectorAll('.count').forEach(function (line) {
          const syllable = line.querySelectorAll('.syl')[pulse];
          if (syllable) {
            syllable.classList.add('now');
            litSyllables.push(syllable);
          }
        });
        litAt = b + ':' + pulse;
      }
      const beat = lastAtOrBefore(kind.beats, pulse, function (p) {
        return p;
      });
      const from = kind.pulses[kind.beats[beat]];
      const last = beat + 1 >= kind.beats.length;
      const to = last ? kind.length : kind.pulses[kind.beats[beat + 1]];
      const u = to > from ? Math.min(Math.max((offset - from) / (to - from), 0), 1) : 0;
      const where = baton(kind.points[beat], last ? DOWN : kind.points[beat + 1], u);
      Theme.setAttribute(dot, 'cx', where[0].toFixed(2));
      Theme.setAttribute(dot, 'cy', where[1].toFixed(2));
      const mark = patterns[shownKind].querySelectorAll('.beat-mark')[beat];
      if (mark !== litMark) {
        if (litMark) {
          litMark.classList.remove('now');
        }
        mark.classList.add('now');
        litMark = mark;
      }
      const move = counts[shownKind].querySelectorAll('.move')[beat];
      if (move !== litMove) {
        if (litMove) {
          litMove.classList.remove('now');
        }
        if (move) {
          move.classList.add('now');
        }
        litMove = move;
      }
      Theme.setAttribute(row, 'data-now', data.bars[b][0] + ':' + (pulse + 1) + ':' + (beat + 1));
    }
    show(0); // ready on the downbeat of the first bar
    return show;
  }

  Theme.followers = [];
  document.querySelectorAll('section').forEach(function (section) {
    const rows = Array.from(section.querySelectorAll('.follow')).map(follower).filter(Boolean);
    if (!rows.length) {
      return;
    }
    section.addEventListener('theme:position', function (event) {
      const q = Number(event.detail && event.detail.q);
      if (Number.isFinite(q)) {
        rows.forEach(function (show) {
          show(q);
        });
      }
    });
    Theme.followers.push.apply(Theme.followers, rows);
  });

  function setCount(section, scheme) {
    const menu = section.querySelector('.count-mode');
    section.dataset.count = scheme;
    if (menu && menu.value !== scheme) {
      menu.value = scheme;
    }
  }
  Theme.setCount = setCount;
  Theme.nextCount = function (section) {
    const menu = section && section.querySelector('.count-mode');
    if (!menu) {
      return '';
    }
    const schemes = Array.from(menu.options).map(function (o) {
      return o.value;
    });
    const next = schemes[(schemes.indexOf(section.dataset.count) + 1) % schemes.length];
    setCount(section, next);
    return next;
  };
  document.querySelectorAll('section .count-mode').forEach(function (menu) {
    const section = menu.closest('section');
    menu.addEventListener('change', function () {
      setCount(section, menu.value);
    });
  });
})();
