"""The sound engine: the sinks (the seam to the sound card), the devices, the player that
renders ahead, and the seam for what follows its clock (the companions)."""
