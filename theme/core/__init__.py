"""The model: meters, rhythms, tempos, the timeline and the strategies' arithmetic.

Plain Python and exact :class:`~fractions.Fraction` quarter notes; nothing here imports a
floor above it (renderers, sound, variants, classroom, the CLI), nor music21 or numpy.
"""
