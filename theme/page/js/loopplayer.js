// A section's one looping player, shared by the scripts that make music in it: the meter
// builder's clicks (builder.js), the groove editor's groove (studio.js), the practice view
// (practice.js). Each script takes a part of it, with its own Play button:
//
//   const part = Theme.loopPlayer(section, {button, message, failed, position, ended});
//   part.start(data, first, last, fromBar, prepare)
//       plays data (the player's DATA) looped over bars first..last from fromBar,
//       prepare(player) called first if given (a tempo scale); the button is pressed
//       (aria-pressed) until the part ends; a failure to start is said in message,
//       after the words failed ('The groove could not start: ')
//   part.halt()      stops it: the part ends
//   part.on()        whether the part is on: started and not ended (sounding, or about to)
//   part.playing()   whether its music sounds now
//   part.player()    the section's Theme.Player (null before the first start)
//
// One part sounds at a time: starting one ends the other, and the section's player stops
// every other player of the page (Theme.players). position(detail) gets the section's
// theme:position details while the part's music plays; ended() is called when the part
// ends for any reason (halt, another part or player, the end of the music, a failure).
'use strict';
(function () {
  const Theme = window.Theme = window.Theme || {};

  function shared(section) {
    if (section.themeLoop) {
      return section.themeLoop;
    }
    const loop = {
      player: null,
      owner: null,
      switching: false
    };
    section.themeLoop = loop;
    section.addEventListener('theme:position', function (e) {
      if (e.target !== section || !loop.owner || loop.switching) {
        return;
      }
      if (e.detail.playing) {
        loop.owner.hooks.position(e.detail);
      } else if (!loop.player.playing) {
        loop.owner.end();
      }
    });
    return loop;
  }

  Theme.loopPlayer = function (section, hooks) {
    const loop = shared(section);
    let on = false;
    const part = {
      hooks: {
        position: hooks.position || function () {},
        ended: hooks.ended || function () {}
      }
    };

    part.end = function () {
      if (loop.owner === part) {
        loop.owner = null;
      }
      on = false;
      if (hooks.button) {
        hooks.button.setAttribute('aria-pressed', 'false');
      }
      part.hooks.ended();
    };

    function failed(err) {
      if (hooks.message) {
        hooks.message.textContent = (hooks.failed || 'The music could not start: ') + err.message;
      }
      part.halt();
    }

    part.start = function (data, first, last, fromBar, prepare) {
      if (!Theme.Player || !window.AudioContext) {
        failed(new Error('this page cannot play here: it needs a browser with Web Audio'));
        return;
      }
      const before = loop.owner;
      loop.owner = part;
      on = true;
      if (hooks.button) {
        hooks.button.setAttribute('aria-pressed', 'true');
      }
      if (before && before !== part) {
        before.end();
      }
      if (loop.player) {
        loop.switching = true; // the stop of the music before is no end of this part's
        try {
          loop.player.setData(data);
        } finally {
          loop.switching = false;
        }
      } else {
        loop.player = new Theme.Player(section, data); // in Theme.players: one sounds at a time
      }
      loop.player.setLoop(first, last);
      if (prepare) {
        prepare(loop.player);
      }
      Promise.resolve(loop.player.play(fromBar)).catch(failed);
    };
    part.halt = function () {
      if (loop.owner === part && loop.player && loop.player.playing) {
        loop.player.stop(); // its report ends this part
      } else if (on || loop.owner === part) {
        part.end();
      }
    };
    part.on = function () {
      return on;
    };
    part.playing = function () {
      return loop.owner === part && Boolean(loop.player) && loop.player.playing;
    };
    part.player = function () {
      return loop.player;
    };
    return part;
  };
})();
