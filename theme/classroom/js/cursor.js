// The score cursor: in each section's engraved notation, the notes sounding now are lit
// (class 'now': coloured, and a box drawn round the notehead, so colour is not the only cue).
// Each note carries its onset and end in quarter notes (data-on, data-off, from verovio's
// timemap); the player's 'theme:position' event gives the quarter note heard now (q, with
// tempo changes and loops applied), so a note is lit exactly when on <= q < off. A position
// past the engraved bars lights nothing.
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
      section.dataset.cursor = String(now.size);
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
})();
