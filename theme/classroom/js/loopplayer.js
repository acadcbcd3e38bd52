// A section's one looping player, shared by the scripts that make music in it: the meter
// builder's clicks (builder.js), the groove editor's groove (studio.js), the practice view
// (practice.js). Each script takes a part of it:
//
//   const part = Theme.loopPlayer(section, {position(detail), ended()});
//   part.play(data, first, last, fromBar, prepare)
//                                          plays data (the player's DATA) looped over bars
//                                          first..last from fromBar, prepare(player) called
//                                          first if given (a tempo scale); a promise
//                                          (rejected, with a message, where the page
//                                          cannot play)
//   part.stop()                            stops it, if this part is the one playing
//   part.playing()                         whether this part's music sounds now
//   part.player()                          the section's Theme.Player (null before a play)
//
// One part sounds at a time: playing one ends the other (its ended() is called), as the
// section's player stops every other player of the page (Theme.players). position(detail)
// gets the section's theme:position details while this part's music plays; ended() is
// called once when it stops for any reason (stop, another part or player, a new setData).
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
      const owner = loop.owner;
      if (e.detail.playing) {
        owner.hooks.position(e.detail);
      } else if (!loop.player.playing) {
        loop.owner = null;
        owner.hooks.ended();
      }
    });
    return loop;
  }

  Theme.loopPlayer = function (section, hooks) {
    const loop = shared(section);
    const part = {
      hooks: {
        position: hooks.position || function () {},
        ended: hooks.ended || function () {}
      }
    };
    part.play = function (data, first, last, fromBar, prepare) {
      if (!Theme.Player || !window.AudioContext) {
        return Promise.reject(new Error('this page cannot play here: it needs a browser with Web Audio'));
      }
      const before = loop.owner;
      loop.owner = part;
      if (before && before !== part) {
        before.hooks.ended();
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
      return Promise.resolve(loop.player.play(fromBar));
    };
    part.stop = function () {
      if (loop.owner === part && loop.player && loop.player.playing) {
        loop.player.stop(); // its report ends this part
      } else if (loop.owner === part) {
        loop.owner = null;
        part.hooks.ended();
      }
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
