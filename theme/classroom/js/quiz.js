// The listening quiz on a page: each item's buttons take one answer, say right or wrong,
// and the score at the top counts them. Does nothing on a page without a quiz.
'use strict';
(function () {
  const items = Array.from(document.querySelectorAll('.quiz'));
  if (!items.length) {
    return;
  }
  const score = document.createElement('p');
  score.id = 'quiz-score';
  const heading = document.querySelector('h1');
  if (heading) {
    heading.after(score);
  } else {
    document.body.prepend(score);
  }

  function count() {
    const answered = items.filter(function (q) {
      return q.dataset.chosen !== undefined;
    });
    const right = answered.filter(function (q) {
      return q.dataset.chosen === q.dataset.answer;
    });
    score.textContent = 'Score: ' + right.length + ' of ' + items.length + ' right' +
      (answered.length < items.length ? ' (' + answered.length + ' answered)' : '');
    score.dataset.right = String(right.length);
    score.dataset.answered = String(answered.length);
  }
  items.forEach(function (quiz) {
    const buttons = Array.from(quiz.querySelectorAll('button[data-choice]'));
    const verdict = quiz.querySelector('.verdict');
    buttons.forEach(function (button) {
      button.addEventListener('click', function () {
        if (quiz.dataset.chosen !== undefined) {
          return;
        } // one answer an item
        quiz.dataset.chosen = button.dataset.choice;
        const good = button.dataset.choice === quiz.dataset.answer;
        buttons.forEach(function (b) {
          b.disabled = true;
          if (b.dataset.choice === quiz.dataset.answer) {
            b.classList.add('right');
          }
        });
        if (!good) {
          button.classList.add('wrong');
        }
        if (verdict) {
          verdict.textContent = good ? 'right' : 'wrong: it is ' +
            buttons[Number(quiz.dataset.answer)].dataset.text;
        }
        count();
      });
    });
  });
  count();
})();
