// Slides: a page made with <body data-slides> (the tour) shows one section a screen, in
// order. Right, Space, PageDown (a presenter's clicker) or N go on; Left, Shift+Space,
// PageUp or P go back; Home and End go to the first and the last; F toggles full screen.
// The keys do nothing while typing in a field. A swipe left or right does the same on a
// phone. A button shows the long page again (and back); printed, every step gets a page.
// Leaving a section stops its player and sends it 'theme:leave'.
'use strict';
(function () {
  const Theme = window.Theme = window.Theme || {};
  const body = document.body,
    root = document.documentElement;
  if (!body || !body.hasAttribute('data-slides')) {
    return;
  }
  const slides = Array.from(document.querySelectorAll('body > section'));
  if (!slides.length) {
    return;
  }
  let current = -1;

  function button(className, text, label, keys) {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = className;
    b.textContent = text;
    if (label) {
      b.setAttribute('aria-label', label);
    }
    if (keys) {
      b.setAttribute('aria-keyshortcuts', keys);
    }
    return b;
  }
  const nav = document.createElement('nav');
  nav.className = 'slide-nav';
  nav.setAttribute('aria-label', 'Steps');
  const prev = button('prev', '\u25C0 Back', 'Previous step', 'ArrowLeft PageUp');
  const counter = document.createElement('span');
  counter.className = 'counter';
  counter.setAttribute('role', 'status'); // read out: 'Step 3 of 8: The 1966 TV theme'
  const shown = document.createElement('span'),
    said = document.createElement('span');
  shown.setAttribute('aria-hidden', 'true');
  said.className = 'sr-only';
  counter.appendChild(shown);
  counter.appendChild(said);
  const next = button('next', 'Next \u25B6', 'Next step', 'ArrowRight PageDown Space');
  const full = button('full', 'Full screen', '', 'F');
  full.setAttribute('aria-pressed', 'false');
  const mode = button('mode', 'Long page', '', '');
  [prev, counter, next, full, mode].forEach(el => nav.appendChild(el));
  body.insertBefore(nav, slides[slides.length - 1].nextSibling);
  if (!root.requestFullscreen) {
    full.hidden = true;
  }
  const help = document.createElement('p');
  help.className = 'note slide-help';
  help.textContent = 'One step a screen: Right, Space or PageDown for the next, Left or PageUp ' +
    'for the one before, Home and End, F for full screen; on a phone, swipe.';
  const title = document.querySelector('body > h1');
  if (title) {
    title.insertAdjacentElement('afterend', help);
  }

  function on() {
    return root.classList.contains('slides-on');
  }

  function go(index) {
    index = Math.max(0, Math.min(slides.length - 1, index));
    if (index === current) {
      return;
    }
    const leaving = slides[current];
    if (leaving) {
      leaving.classList.remove('current');
      const player = Theme.playerFor && Theme.playerFor(leaving);
      if (player && player.playing) {
        player.stop();
      }
      leaving.dispatchEvent(new CustomEvent('theme:leave'));
    }
    current = index;
    const section = slides[index],
      heading = section.querySelector('h2');
    section.classList.add('current');
    shown.textContent = (index + 1) + ' / ' + slides.length;
    said.textContent = 'Step ' + (index + 1) + ' of ' + slides.length +
      (heading ? ': ' + heading.textContent : '');
    help.hidden = index !== 0; // the keys are told on the first step; later steps get the room
    prev.setAttribute('aria-disabled', String(index === 0));
    next.setAttribute('aria-disabled', String(index === slides.length - 1));
    if (window.history && history.replaceState) { // #slide-3: reloaded, the same step
      try {
        history.replaceState(null, '', '#slide-' + (index + 1));
      } catch {
        /* sandboxed */
      }
    }
    if (on()) {
      window.scrollTo(0, 0);
    }
  }

  function setSlides(wanted) {
    root.classList.toggle('slides-on', wanted);
    mode.textContent = wanted ? 'Long page' : 'One step a screen';
    mode.setAttribute('aria-label', wanted ? 'Show every step on one long page' :
      'Show one step a screen');
    [prev, next, counter, full].forEach(el => {
      el.hidden = !wanted || (el === full && !root.requestFullscreen);
    });
    if (wanted) {
      window.scrollTo(0, 0);
    } else if (slides[current]) {
      slides[current].scrollIntoView();
    }
  }

  function fullScreen() {
    if (document.fullscreenElement) {
      document.exitFullscreen().catch(function () {});
    } else if (root.requestFullscreen) {
      root.requestFullscreen().catch(function () {});
    }
  }

  function typing(target) {
    if (!target || !target.closest) {
      return false;
    }
    return Boolean(target.closest('input, select, textarea, audio, video, [contenteditable]'));
  }

  document.addEventListener('keydown', function (e) {
    if (!on() || e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || typing(e.target)) {
      return;
    }
    const onButton = e.target && e.target.closest && e.target.closest('button, a, summary');
    if (onButton && (e.key === ' ' || e.key === 'Enter')) {
      return;
    } // the button's own
    const moves = {
      ArrowRight: 1,
      PageDown: 1,
      n: 1,
      N: 1,
      ArrowLeft: -1,
      PageUp: -1,
      p: -1,
      P: -1,
      ' ': e.shiftKey ? -1 : 1,
    };
    if (e.key in moves) {
      go(current + moves[e.key]);
    } else if (e.key === 'Home') {
      go(0);
    } else if (e.key === 'End') {
      go(slides.length - 1);
    } else if (e.key === 'f' || e.key === 'F') {
      fullScreen();
    } else {
      return;
    }
    e.preventDefault();
  });

  let touch = null;
  document.addEventListener('touchstart', function (e) {
    const t = e.touches[0],
      inside = e.target.closest && e.target.closest('figure, pre, input, select, .pulse-row');
    touch = e.touches.length === 1 && !inside ? {
      x: t.clientX,
      y: t.clientY
    } : null;
  }, {
    passive: true
  });
  document.addEventListener('touchend', function (e) {
    if (!touch || !on()) {
      return;
    }
    const t = e.changedTouches[0],
      dx = t.clientX - touch.x,
      dy = t.clientY - touch.y;
    touch = null;
    if (Math.abs(dx) > 60 && Math.abs(dx) > 2 * Math.abs(dy)) {
      go(current + (dx < 0 ? 1 : -1));
    }
  });

  prev.addEventListener('click', function () {
    go(current - 1);
  });
  next.addEventListener('click', function () {
    go(current + 1);
  });
  full.addEventListener('click', fullScreen);
  mode.addEventListener('click', function () {
    setSlides(!on());
  });
  document.addEventListener('fullscreenchange', function () {
    full.setAttribute('aria-pressed', String(Boolean(document.fullscreenElement)));
  });

  function fromHash() { // '#slide-3' (or a section's id, '#s3'): its index, else -1
    const match = /^#slide-([0-9]+)$/.exec(location.hash);
    if (match) {
      return Number(match[1]) - 1;
    }
    return slides.findIndex(s => '#' + s.id === location.hash);
  }
  window.addEventListener('hashchange', function () {
    if (fromHash() >= 0) {
      go(fromHash());
    }
  });

  root.classList.add('slides-on');
  go(Math.max(0, fromHash()));
  setSlides(true);
  window.addEventListener('load', function () {
    if (on()) {
      window.scrollTo(0, 0);
    }
  });
  Theme.Slides = {
    go: go,
    count: slides.length,
    setSlides: setSlides,
    current: function () {
      return current;
    },
    on: on,
  };
})();
