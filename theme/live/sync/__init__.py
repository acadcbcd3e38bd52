"""Playing with other programs, as companions of the player: MIDI ports, notes and clock
sent out, a MIDI clock master followed, an Ableton Link session, JACK's transport."""
