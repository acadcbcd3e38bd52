// The score cursor: in each section's engraved notation, the notes sounding now are lit
// (class 'now': coloured, and a box drawn round the notehead, so colour is not the only cue).
// Each note carries its onset and end in quarter notes (data-on, data-off, from verovio's
// timemap); the player's 'theme:position' event gives the quarter note heard now (q, with
// tempo changes and loops applied), so a note is lit exactly when on <= q < off. A position
// past the engraved bars lights nothing.
//
// The page-turner: on the stage (slides on) the score shows only the system that sounds
// (verovio's g.system, found by its first measure's data-start), turned to the next as the
// music reaches it, with the bars it holds said above it; on the long page every system
// shows. Where the score is wider than its frame (a phone), the frame scrolls sideways to
// keep the bar heard in view.
'use strict';
(function () {
  const Theme = window.Theme = window.Theme || {};

  function boxFor(note) {
    let box = note.querySelector('.cursor-box');
    if (box) {
      return box;
    }
    const head = note.querySelector('.notehead') || note;
    const b = head.getBBox();
    const pad = Math.max(b.height, b.width) * 0.35;
    box = document.createElementNS('http://www.w3.org/2000/svg', 'rect');
    box.setAttribute('class', 'cursor-box');
    box.setAttribute('x', b.x - pad);
    box.setAttribute('y', b.y - pad);
    box.setAttribute('width', b.width + 2 * pad);
    box.setAttribute('height', b.height + 2 * pad);
    box.setAttribute('stroke-width', Math.max(b.height * 0.18, 1));
    note.appendChild(box);
    return box;
  }

  function cursor(section) {
    const notes = Array.from(section.querySelectorAll('[data-on][data-off]')).map(function (el) {
      return {
        el: el,
        on: Number(el.dataset.on),
        off: Number(el.dataset.off)
      };
    }).sort(function (a, b) {
      return a.on - b.on;
    });
    if (!notes.length) {
      return null;
    }
    let lit = new Set();

    function show(q) {
      const now = new Set();
      for (let i = 0; i < notes.length && notes[i].on <= q; i += 1) {
        if (q < notes[i].off) {
          now.add(notes[i].el);
        }
      }
      lit.forEach(function (el) {
        if (!now.has(el)) {
          el.classList.remove('now');
        }
      });
      now.forEach(function (el) {
        if (!lit.has(el)) {
          boxFor(el);
          el.classList.add('now');
        }
      });
      lit = now;
      Theme.setAttribute(section, 'data-cursor', String(now.size));
    }
    section.addEventListener('theme:position', function (event) {
      const q = Number(event.detail && event.detail.q);
      if (Number.isFinite(q)) {
        show(q);
      }
    });
    show(0); // ready on the first notes, as the beat light is on the first pulse
    return show;
  }

  Theme.cursors = [];
  document.querySelectorAll('section').forEach(function (section) {
    const show = cursor(section);
    if (show) {
      Theme.cursors.push(show);
    }
  });

  const printMedia = window.matchMedia ? window.matchMedia('print') : null;
  let printing = false; // printed, the whole score: every system

  function staged() {
    return document.documentElement.classList.contains('slides-on') && !printing &&
      !(printMedia && printMedia.matches);
  }

  function turner(section) {
    const frame = section.querySelector('.score-frame'),
      svg = frame && frame.querySelector('svg');
    const systems = svg ? Array.from(svg.querySelectorAll('g.system')) : [];
    if (!systems.length) {
      return null;
    }
    const full = svg.getAttribute('viewBox'),
      view = full.split(/[ ,]+/).map(Number);
    const measures = Array.from(svg.querySelectorAll('[data-start]'));
    const firsts = systems.map(function (g) { // the index of each system's first measure
      return measures.indexOf(g.querySelector('[data-start]'));
    });
    const starts = firsts.map(function (i) {
      return i >= 0 ? Number(measures[i].dataset.start) : Infinity;
    });
    const where = document.createElement('p');
    where.className = 'score-where';
    frame.parentNode.insertBefore(where, frame);
    svg.setAttribute('preserveAspectRatio', 'xMidYMin meet');
    const drawing = svg.querySelector('svg'); // verovio's own scale: sized to the full view,
    if (drawing) { // not to the view shown (100%, as it stands, would shrink it to fit)
      drawing.setAttribute('width', String(view[2]));
      drawing.setAttribute('height', String(view[3]));
    }
    let boxes = null,
      shownSystem = null,
      shownMeasure = -1,
      lastQ = 0;

    function measure() { // each system's top and height in the SVG's units, in the full view
      svg.setAttribute('viewBox', full);
      const r = svg.getBoundingClientRect();
      if (!r.width || !r.height) {
        return null;
      }
      const scale = Math.min(r.width / view[2], r.height / view[3]); // 'meet', from the top
      return systems.map(function (g) {
        const b = g.getBoundingClientRect();
        return [view[1] + (b.top - r.top) / scale, b.height / scale];
      });
    }

    function turn(q) {
      lastQ = q;
      let index = 0;
      starts.forEach(function (start, i) {
        if (start <= q + 1e-9) {
          index = i;
        }
      });
      const stage = staged() && section.classList.contains('current');
      if (stage && !boxes) {
        boxes = measure();
        shownSystem = null;
      }
      const wanted = stage && boxes ? index : -1;
      if (wanted !== shownSystem) {
        if (wanted < 0) {
          svg.setAttribute('viewBox', full);
        } else {
          const pad = view[2] * 0.01,
            box = boxes[wanted];
          svg.setAttribute('viewBox', [view[0], box[0] - pad, view[2], box[1] + 2 * pad].join(' '));
        }
        section.dataset.system = String(index + 1);
        const first = firsts[index] + 1,
          last = index + 1 < firsts.length ? firsts[index + 1] : measures.length;
        where.textContent = (first === last ? 'bar ' + first : 'bars ' + first + ' to ' + last) +
          ' of ' + measures.length + (systems.length > 1 ? ' (line ' + (index + 1) + ' of ' +
            systems.length + ')' : '');
        shownSystem = wanted;
      }
      if (frame.scrollWidth > frame.clientWidth + 1) { // sideways: keep the bar heard in view
        let m = 0;
        measures.forEach(function (el, i) {
          if (Number(el.dataset.start) <= q + 1e-9) {
            m = i;
          }
        });
        if (m !== shownMeasure) {
          const b = measures[m].getBoundingClientRect(),
            f = frame.getBoundingClientRect();
          if (b.left < f.left || b.right > f.right) {
            frame.scrollLeft += b.left - f.left - 8;
          }
          shownMeasure = m;
        }
      }
    }
    section.addEventListener('theme:position', function (event) {
      const q = Number(event.detail && event.detail.q);
      if (Number.isFinite(q) && event.target === section) {
        turn(q);
      }
    });
    document.addEventListener('theme:slides', function () {
      turn(lastQ);
    });
    turn(0);
    return turn;
  }

  Theme.turners = [];
  document.querySelectorAll('section').forEach(function (section) {
    const turn = turner(section);
    if (turn) {
      Theme.turners.push(turn);
    }
  });

  function printed(now) {
    printing = now;
    document.dispatchEvent(new CustomEvent('theme:slides'));
  }
  window.addEventListener('beforeprint', function () {
    printed(true);
  });
  window.addEventListener('afterprint', function () {
    printed(false);
  });
  if (printMedia && printMedia.addEventListener) {
    printMedia.addEventListener('change', function () {
      printed(printMedia.matches);
    });
  }
})();
