"""The studio: a page where pupils make a groove of their own, hear it, share it by link
and take it home (MIDI, a variant file)."""

from __future__ import annotations

__all__ = ["STUDIO_SCRIPT_FILES"]

STUDIO_SCRIPT_FILES = ("groove.js",)
"""The studio's own scripts (files of this package's ``js`` folder), inlined after the
page's (:data:`theme.classroom.page.SCRIPT_FILES`)."""
