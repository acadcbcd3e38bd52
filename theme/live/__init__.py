"""Live sound: ``engine/`` (the sinks, the seam to the sound card; the devices; the player
that renders ahead; the companions' seam) and ``sync/`` (playing with other programs: MIDI
ports, MIDI out and clock, MIDI clock in, Ableton Link, JACK transport), joined by
``start.py``, the one way music starts live.

This module itself holds only what the command line's help needs, so that ``theme --help``
does not load the live modules."""

LATENCY_RANGE = (0.001, 2.0)
"""The output latencies a stream may ask for, in seconds."""
