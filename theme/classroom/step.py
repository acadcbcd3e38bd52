"""A step of a lesson: its title, what a teacher would say, a picture and music, each made
when needed (the tour's steps, and the optional ones of :mod:`theme.classroom.elsewhere`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from theme.core.tempo import Tempo
from theme.core.timeline import Timeline

__all__ = ["Step"]


@dataclass(frozen=True)
class Step:
    """One step of the tour: ``music(tempo)`` and ``picture()`` are made when needed. With
    ``notation`` the picture is the music's score, every bar, which the page turns as it
    plays; ``count`` is the count the page shows first, the one the step's words speak
    (:data:`theme.page.follow.COUNTS`)."""

    number: int
    title: str
    text: tuple[str, ...]
    music: Callable[[Tempo | None], Timeline]
    picture: Callable[[], str]
    notation: bool = False
    count: str = "bar"
