"""Live sound: the sinks (the seam to the sound card), the devices, the player that renders
ahead, the live loop with its key seam, and the terminal picture.

This module itself holds only what the command line's help needs, so that ``theme --help``
does not load the live modules."""

LATENCY_RANGE = (0.001, 2.0)
"""The output latencies a stream may ask for, in seconds."""
