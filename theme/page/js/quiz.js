// The listening quiz page (theme/classroom/quiz/stage.py): one item a screen, each played
// by the page's own player (player.js) from its timeline. Does nothing on another page.
//
// Each item's answer, music and why (a beat light and a count) come packed as base64 JSON
// in its script.secret: unpacked here at load, before beatlight.js and conductor.js bind
// to what they find, so the page's text never spells an answer out.
//
// Class mode (body[data-mode=class]): the teacher plays an item, the class answers by hands
// or cards, the teacher may count the hands (a click on an answer, or its number key) and
// shows the answer and why (R). Practice mode: a click (or 1-4) answers at once, marked
// right or wrong with the why, and the score counts.
// Keys: PageDown, Right, N next; PageUp, Left, P back; Home, End; Space play or stop;
// R show the answer; 1-4 an answer (or a hand); F full screen; T the teacher's drawer;
// M the mode. None while typing in a field.
'use strict';
(function () {
  const Theme = window.Theme = window.Theme || {};
  const body = document.body;
  if (!body || !body.classList.contains('quizpage')) {
    return;
  }
  const items = Array.from(document.querySelectorAll('section.item'));
  const score = document.getElementById('quiz-score');
  const counter = document.querySelector('.quizbar .counter');
  const drawer = document.getElementById('drawer');
  const teacher = document.querySelector('.quizbar .teacher');
  const countHands = document.querySelector('.drawer .count-hands');
  let current = -1;

  function unpack(section) {
    const packed = section.querySelector('script.secret');
    const text = atob(packed.textContent.trim());
    packed.remove();
    return JSON.parse(text);
  }

  const states = items.map(function (section) {
    const secret = unpack(section);
    const why = section.querySelector('.why');
    why.innerHTML = secret.why; // the library's own HTML: a beat light, a count, words
    const state = {
      section: section,
      answer: secret.answer,
      choices: Array.from(section.querySelectorAll('button.choice')),
      hands: Array.from(section.querySelectorAll('.tally')),
      verdict: section.querySelector('.verdict'),
      why: why,
      play: section.querySelector('button.play'),
      player: new Theme.Player(section, secret.music),
      chosen: null,
      revealed: false
    };
    section.addEventListener('theme:position', function (event) {
      if (event.target === section) {
        const on = Boolean(event.detail.playing);
        Theme.setText(state.play, on ? 'Stop' : (state.played ? 'Play again' : 'Play'));
        Theme.setAttribute(state.play, 'aria-pressed', String(on));
        state.played = state.played || on;
      }
    });
    return state;
  });

  function mode() {
    return body.dataset.mode === 'class' ? 'class' : 'practice';
  }

  function tally() {
    let right = 0,
      answered = 0;
    states.forEach(function (s) {
      if (s.chosen !== null) {
        answered += 1;
        right += s.chosen === s.answer ? 1 : 0;
      }
    });
    score.textContent = 'Score: ' + right + ' of ' + states.length + ' right' +
      (answered < states.length ? ' (' + answered + ' answered)' : '');
    score.dataset.right = String(right);
    score.dataset.answered = String(answered);
  }

  function reveal(state, shown) {
    state.revealed = shown;
    state.section.classList.toggle('revealed', shown);
    state.why.hidden = !shown;
    state.section.querySelector('button.reveal').textContent = shown ? 'Hide the answer' :
      'Show the answer';
    state.choices.forEach(function (button, i) {
      button.classList.toggle('right', shown && i === state.answer);
    });
    if (mode() === 'class') {
      state.verdict.textContent = shown ? 'The answer: ' + 'ABCD' [state.answer] : '';
    }
  }

  function choose(state, i) {
    if (mode() === 'class') {
      if (countHands.checked) {
        const box = state.hands[i].querySelector('.hands');
        box.value = box.textContent = String(Number(box.textContent) + 1);
      }
      return;
    }
    if (state.chosen !== null) {
      return; // one answer an item
    }
    state.chosen = i;
    const good = i === state.answer;
    state.choices[i].classList.add(good ? 'picked' : 'wrong');
    state.choices.forEach(function (b) {
      b.setAttribute('aria-disabled', 'true');
    });
    reveal(state, true);
    state.verdict.textContent = good ? 'Right!' : 'Not quite: it is ' +
      state.choices[state.answer].querySelector('.text').textContent + '.';
    tally();
  }

  states.forEach(function (state) {
    state.choices.forEach(function (button, i) {
      button.addEventListener('click', function () {
        choose(state, i);
      });
    });
    state.hands.forEach(function (span) {
      span.querySelector('.less').addEventListener('click', function () {
        const box = span.querySelector('.hands');
        box.value = box.textContent = String(Math.max(0, Number(box.textContent) - 1));
      });
    });
    state.play.addEventListener('click', function () {
      toggle(state);
    });
    state.section.querySelector('button.reveal').addEventListener('click', function () {
      reveal(state, !state.revealed);
    });
  });

  function toggle(state) {
    if (state.player.playing) {
      state.player.stop();
    } else {
      state.player.play(1).catch(function (err) {
        state.verdict.textContent = 'No sound: ' + err.message;
      });
    }
  }

  function show(index) {
    index = Math.max(0, Math.min(states.length - 1, index));
    if (index === current) {
      return;
    }
    if (current >= 0) {
      const leaving = states[current];
      leaving.player.stop();
      leaving.section.classList.remove('current');
    }
    current = index;
    const state = states[current];
    state.section.classList.add('current');
    counter.textContent = (current + 1) + ' / ' + states.length;
    document.querySelector('.quizbar .prev').disabled = current === 0;
    document.querySelector('.quizbar .next').disabled = current === states.length - 1;
    if (location.hash !== '#item-' + (current + 1)) {
      history.replaceState(null, '', '#item-' + (current + 1));
    }
  }

  function setMode(name) {
    body.dataset.mode = name;
    document.querySelectorAll('.drawer [data-mode]').forEach(function (b) {
      b.setAttribute('aria-pressed', String(b.dataset.mode === name));
    });
    states.forEach(function (s) {
      if (name === 'practice') {
        reveal(s, s.chosen !== null);
        s.verdict.textContent = s.chosen === null ? '' : (s.chosen === s.answer ? 'Right!' :
          'Not quite: it is ' + s.choices[s.answer].querySelector('.text').textContent + '.');
      } else {
        s.verdict.textContent = '';
        reveal(s, false);
      }
    });
    showHands();
  }

  function showHands() {
    const on = mode() === 'class' && countHands.checked;
    states.forEach(function (s) {
      s.hands.forEach(function (span) {
        span.hidden = !on;
      });
    });
  }

  function openDrawer(open) {
    drawer.hidden = !open;
    teacher.setAttribute('aria-expanded', String(open));
    if (open) {
      drawer.querySelector('button').focus();
    }
  }

  function fullScreen() {
    if (document.fullscreenElement) {
      document.exitFullscreen();
    } else if (document.documentElement.requestFullscreen) {
      document.documentElement.requestFullscreen().catch(function () {});
      openDrawer(false);
    }
  }

  document.querySelector('.quizbar .prev').addEventListener('click', function () {
    show(current - 1);
  });
  document.querySelector('.quizbar .next').addEventListener('click', function () {
    show(current + 1);
  });
  document.querySelector('.quizbar .full').addEventListener('click', fullScreen);
  teacher.addEventListener('click', function () {
    openDrawer(drawer.hidden);
  });
  drawer.querySelector('.close').addEventListener('click', function () {
    openDrawer(false);
    teacher.focus();
  });
  drawer.querySelectorAll('[data-mode]').forEach(function (b) {
    b.addEventListener('click', function () {
      setMode(b.dataset.mode);
    });
  });
  countHands.addEventListener('change', showHands);

  document.addEventListener('keydown', function (event) {
    const target = event.target;
    if (event.altKey || event.ctrlKey || event.metaKey || (target && target.matches &&
        target.matches('input, select, textarea'))) {
      return;
    }
    const state = states[current];
    const key = event.key;
    let done = true;
    if (key === 'PageDown' || key === 'ArrowRight' || key === 'n' || key === 'N') {
      show(current + 1);
    } else if (key === 'PageUp' || key === 'ArrowLeft' || key === 'p' || key === 'P') {
      show(current - 1);
    } else if (key === 'Home') {
      show(0);
    } else if (key === 'End') {
      show(states.length - 1);
    } else if (key === ' ' || key === 'Spacebar') {
      toggle(state);
    } else if (key === 'r' || key === 'R') {
      if (mode() === 'class') {
        reveal(state, !state.revealed);
      }
    } else if (/^[1-4]$/.test(key) && Number(key) <= state.choices.length) {
      choose(state, Number(key) - 1);
    } else if (key === 'f' || key === 'F') {
      fullScreen();
    } else if (key === 't' || key === 'T') {
      openDrawer(drawer.hidden);
    } else if (key === 'm' || key === 'M') {
      setMode(mode() === 'class' ? 'practice' : 'class');
    } else if (key === 'Escape' && !drawer.hidden) {
      openDrawer(false);
    } else {
      done = false;
    }
    if (done) {
      event.preventDefault();
    }
  });

  Theme.quiz = {
    show: show,
    reveal: function (i) {
      reveal(states[i], true);
    },
    current: function () {
      return current;
    },
    states: states
  };
  setMode(mode());
  tally();
  const asked = /^#item-(\d+)$/.exec(location.hash);
  show(asked ? Number(asked[1]) - 1 : 0);
})();
