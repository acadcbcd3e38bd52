// The beat light: under each player, the bar number and its pulses, the one sounding lit.
// Follows the player's 'theme:position' events (the quarter position heard, the picture
// delay box already taken into account); before play, bar 1's first pulse stands ready.
'use strict';
(function () {
  const Theme = window.Theme;
  document.querySelectorAll('section').forEach(function (section) {
    section.querySelectorAll('.beat').forEach(function (light) {
      const pulses = [];
      JSON.parse(light.dataset.beats).forEach(function (bar) {
        bar.q.forEach(function (q, i) {
          pulses.push([q, bar, i]);
        });
      });
      if (!pulses.length) {
        return;
      }
      const barText = light.querySelector('.bar'),
        row = light.querySelector('.pulses');
      let shown = null;

      function draw(q, playing) {
        let lo = 0,
          hi = pulses.length - 1,
          k = 0; // before the first pulse: ready on it
        while (lo <= hi) {
          const mid = (lo + hi) >> 1;
          if (pulses[mid][0] <= q + 1e-9) {
            k = mid;
            lo = mid + 1;
          } else {
            hi = mid - 1;
          }
        }
        const bar = pulses[k][1],
          now = pulses[k][2];
        if (bar !== shown) {
          row.innerHTML = bar.l.map(function (l) {
            return '<b class="l' + l + '"></b>';
          }).join('');
          barText.textContent = bar.n < 1 ? 'lead-in' : 'bar ' + bar.n; // before bar 1: a lead-in
          shown = bar;
        }
        row.querySelectorAll('b').forEach(function (b, j) {
          b.classList.toggle('now', j === now);
        });
        Theme.setAttribute(light, 'data-now', bar.n + ':' + (now + 1));
        light.classList.toggle('ready', !playing && q < pulses[0][0] + 1e-9);
      }
      section.addEventListener('theme:position', function (event) {
        if (event.target === section) {
          draw(event.detail.q, event.detail.playing);
        }
      });
      draw(-Infinity, false);
    });
  });
})();
