// Slides: a page made with <body data-slides> (the tour) shows one section a screen, in
// order, as a stage: its title, its words, and what follows the music (beat light, count,
// conductor, the score's system heard). Right, PageDown (a presenter's clicker) or N go on;
// Left, PageUp or P go back; Home and End go to the first and the last; Space or Enter
// plays and stops the step; F toggles full screen; C changes the count. The keys do
// nothing while typing in a field. A swipe left or right does the same on a phone.
//
// The teacher's drawer holds each step's player controls, Tap along, the count menu, the
// picture delay and these words on the keys: closed, it leaves the screen to the class; D
// or its button opens and closes it, Escape closes it, and so does going full screen.
// A button shows the long page again (and back); printed, every step gets a page. A page
// made with data-slides='long' (a variant's, a metronome's) opens as the long page, its
// stage a button or '#slide-1' away. Leaving a section stops its player and sends it
// 'theme:leave'; a change of step or of mode sends the document 'theme:slides'.
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
  const next = button('next', 'Next \u25B6', 'Next step', 'ArrowRight PageDown');
  const play = button('stage-play', 'Play', 'Play this step', 'Space Enter');
  play.setAttribute('aria-pressed', 'false');
  const drawer = button('drawer-button', 'Controls (D)', "Teacher's controls", 'D');
  drawer.setAttribute('aria-expanded', 'false');
  const full = button('full', 'Full screen', '', 'F');
  full.setAttribute('aria-pressed', 'false');
  const mode = button('mode', 'Long page', '', '');
  [prev, counter, next, play, drawer, full, mode].forEach(el => nav.appendChild(el));
  body.insertBefore(nav, slides[slides.length - 1].nextSibling);
  if (!root.requestFullscreen) {
    full.hidden = true;
  }
  const help = document.createElement('p');
  help.className = 'note slide-help';
  help.textContent = 'Keys: Right or PageDown for the next step, Left or PageUp for the one ' +
    'before, Home and End; Space or Enter plays and stops; C changes the count; D opens and ' +
    'closes these controls; F for full screen; on a phone, swipe.';
  const title = document.querySelector('body > h1');
  if (title) {
    title.insertAdjacentElement('afterend', help);
  }
  const delay = document.getElementById('picture-delay');
  const delayBox = delay && delay.closest('p');
  const delayHome = delayBox && delayBox.nextSibling;

  function on() {
    return root.classList.contains('slides-on');
  }

  function drawerOf(section) { // the section's drawer; one is made for a step without a player
    let box = section.querySelector('.drawer');
    if (!box) {
      box = document.createElement('div');
      box.className = 'drawer';
      box.id = (section.id || 'step') + '-drawer';
      box.setAttribute('role', 'region');
      box.setAttribute('aria-label', "Teacher's controls");
      const heading = section.querySelector('h2');
      section.insertBefore(box, heading ? heading.nextSibling : section.firstChild);
    }
    return box;
  }

  function openDrawer(wanted) {
    const inside = document.activeElement && document.activeElement.closest &&
      document.activeElement.closest('.drawer');
    root.classList.toggle('drawer-open', wanted);
    if (!wanted && inside && on()) { // the focus leaves the closed drawer: Space plays again
      document.activeElement.blur();
    }
    drawer.setAttribute('aria-expanded', String(wanted));
    const section = slides[current];
    if (section) {
      drawer.setAttribute('aria-controls', drawerOf(section).id);
    }
  }

  function placeTeachersThings() { // the help and the picture delay go with the step shown
    const section = slides[current];
    if (!section) {
      return;
    }
    if (on()) {
      const box = drawerOf(section);
      box.insertBefore(help, box.firstChild);
      if (delayBox) {
        box.appendChild(delayBox);
      }
    } else {
      if (title) {
        title.insertAdjacentElement('afterend', help);
      }
      if (delayBox && delayHome && delayHome.parentNode) {
        delayHome.parentNode.insertBefore(delayBox, delayHome);
      }
    }
  }

  function showPlaying() {
    const player = Theme.playerFor && slides[current] && Theme.playerFor(slides[current]);
    play.toggleAttribute('hidden', !on() || !player); // unchanged: not written again
    const playing = Boolean(player && player.playing);
    Theme.setText(play, playing ? 'Stop' : 'Play');
    Theme.setAttribute(play, 'aria-pressed', String(playing));
    Theme.setAttribute(play, 'aria-label', playing ? 'Stop this step' : 'Play this step');
  }

  function playOrStop() { // the step's own play button: its start bar, loop and checks
    const section = slides[current],
      own = section && section.querySelector('.player .play');
    if (!own) {
      return false;
    }
    if (Theme.context) {
      Theme.context();
    }
    own.click();
    return true;
  }

  function fit() { // the stage is the screen less the bar of buttons at its foot
    root.style.setProperty('--nav-height', (on() ? nav.offsetHeight : 0) + 'px');
  }
  window.addEventListener('resize', fit);

  function announce() {
    fit();
    document.dispatchEvent(new CustomEvent('theme:slides', {
      detail: {
        step: current,
        on: on()
      }
    }));
  }

  function grooveLink() { // '#g1=...': a groove for the editor of the step it is on
    const step = slides[current];
    return /^#g[0-9]+=/.test(location.hash) && Boolean(step && step.querySelector('[data-studio]'));
  }

  function remember() { // #slide-3: reloaded, the same step (on the stage)
    if (on() && window.history && history.replaceState && !grooveLink()) {
      try {
        history.replaceState(null, '', '#slide-' + (current + 1));
      } catch {
        /* sandboxed */
      }
    }
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
    prev.setAttribute('aria-disabled', String(index === 0));
    next.setAttribute('aria-disabled', String(index === slides.length - 1));
    remember();
    placeTeachersThings();
    if (root.classList.contains('drawer-open')) {
      openDrawer(true);
    }
    showPlaying();
    if (on()) {
      window.scrollTo(0, 0);
    }
    announce();
  }

  function setSlides(wanted) {
    root.classList.toggle('slides-on', wanted);
    mode.textContent = wanted ? 'Long page' : 'One step a screen';
    mode.setAttribute('aria-label', wanted ? 'Show every step on one long page' :
      'Show one step a screen');
    [prev, next, counter, drawer, full].forEach(el => {
      el.hidden = !wanted || (el === full && !root.requestFullscreen);
    });
    if (!wanted) {
      openDrawer(false);
    }
    placeTeachersThings();
    showPlaying();
    remember();
    if (wanted) {
      window.scrollTo(0, 0);
    } else if (slides[current] && slides.length > 1) {
      slides[current].scrollIntoView();
    }
    announce();
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
    if (on() && e.key === 'Escape' && root.classList.contains('drawer-open')) {
      openDrawer(false); // from a field of the drawer too
      return;
    }
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
    };
    if (e.key in moves) {
      go(current + moves[e.key]);
    } else if (e.key === 'Home') {
      go(0);
    } else if (e.key === 'End') {
      go(slides.length - 1);
    } else if (e.key === 'f' || e.key === 'F') {
      fullScreen();
    } else if (e.key === 'd' || e.key === 'D') {
      openDrawer(!root.classList.contains('drawer-open'));
    } else if (e.key === 'c' || e.key === 'C') {
      if (!Theme.nextCount || !Theme.nextCount(slides[current])) {
        return;
      }
    } else if (e.key === ' ' || e.key === 'Enter') {
      if (e.repeat || !playOrStop()) {
        return;
      }
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
  play.addEventListener('pointerdown', function () {
    if (Theme.context) {
      Theme.context();
    }
  });
  play.addEventListener('click', playOrStop);
  drawer.addEventListener('click', function () {
    openDrawer(!root.classList.contains('drawer-open'));
  });
  slides.forEach(function (section) {
    section.addEventListener('theme:position', function (event) {
      if (event.target === section && section === slides[current]) {
        showPlaying();
      }
    });
  });
  mode.addEventListener('click', function () {
    setSlides(!on());
  });
  document.addEventListener('fullscreenchange', function () {
    full.setAttribute('aria-pressed', String(Boolean(document.fullscreenElement)));
    if (document.fullscreenElement) { // full screen is for the class: the drawer closes
      openDrawer(false);
    }
  });

  function fromHash() { // '#slide-3' (or a section's id, '#s3'; a groove's link, the step of its editor): its index, else -1
    const match = /^#slide-([0-9]+)$/.exec(location.hash);
    if (match) {
      return Number(match[1]) - 1;
    }
    if (/^#g[0-9]+=/.test(location.hash)) {
      return slides.findIndex(s => s.querySelector('[data-studio]'));
    }
    return slides.findIndex(s => '#' + s.id === location.hash);
  }
  window.addEventListener('hashchange', function () {
    if (fromHash() >= 0) {
      go(fromHash());
    }
  });

  const opened = fromHash(),
    stage = body.getAttribute('data-slides') !== 'long' || opened >= 0;
  root.classList.toggle('slides-on', stage);
  go(Math.max(0, opened));
  setSlides(stage);
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
    drawer: openDrawer,
  };
})();
