"""Renderers of a timeline: MIDI, audio (the synthesizer), notation, text."""
