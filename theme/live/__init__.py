"""Live sound: the sinks (the seam to the sound card), the devices, the player that renders
ahead, the live loop with its key seam, and the terminal picture."""
