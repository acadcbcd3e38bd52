"""Practice with timing feedback: the student taps along with a groove or a click, and
each tap is scored against the onsets the timeline says (exact positions, the audio
stream's clock).

- :mod:`theme.practice.scoring`: one pure function from onsets and taps to a score.
- :mod:`theme.practice.exercise`: what is played and which onsets are tapped.
- :mod:`theme.practice.config`: the calibration, kept in the user's config file.
- :mod:`theme.practice.session`: the live run: a player, keys or MIDI taps, the live line.
- :mod:`theme.practice.picture`: the bar as a necklace, each position's mean and spread.
"""
