// The beat light: under each player, the bar number and its pulses, the one sounding lit.
// Reads the player's clock; the picture delay box moves it later or earlier.
'use strict';
(function () {
  const delay = document.getElementById('picture-delay');
  const redraws = [];
  document.querySelectorAll('section').forEach(function (section) {
    const audio = section.querySelector('audio');
    if (!audio) { return; }
    section.querySelectorAll('.beat').forEach(function (light) {
      const pulses = [];
      JSON.parse(light.dataset.beats).forEach(function (bar) {
        bar.t.forEach(function (t, i) { pulses.push([t, bar, i]); });
      });
      if (!pulses.length) { return; }
      const barText = light.querySelector('.bar'), row = light.querySelector('.pulses');
      let shown = null;
      function draw() {
        const t = audio.currentTime - (Number(delay && delay.value) || 0) / 1000;
        let lo = 0, hi = pulses.length - 1, k = 0;  // before the first pulse: ready on it
        while (lo <= hi) {
          const mid = (lo + hi) >> 1;
          if (pulses[mid][0] <= t) { k = mid; lo = mid + 1; } else { hi = mid - 1; }
        }
        const bar = pulses[k][1], now = pulses[k][2];
        if (bar !== shown) {
          row.innerHTML = bar.l.map(function (l) { return '<b class="l' + l + '"></b>'; }).join('');
          barText.textContent = 'bar ' + bar.n;
          shown = bar;
        }
        row.querySelectorAll('b').forEach(function (b, j) { b.classList.toggle('now', j === now); });
        light.dataset.now = bar.n + ':' + (now + 1);
        light.classList.toggle('ready', audio.paused && t < pulses[0][0] + 0.001);
      }
      function run() { draw(); if (!audio.paused && !audio.ended) { requestAnimationFrame(run); } }
      audio.addEventListener('play', function () { requestAnimationFrame(run); });
      audio.addEventListener('seeked', draw);
      audio.addEventListener('pause', draw);
      redraws.push(draw);
      draw();
    });
  });
  if (delay) {
    delay.addEventListener('input', function () { redraws.forEach(function (d) { d(); }); });
  }
})();
