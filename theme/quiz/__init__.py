"""Listening quizzes and printable worksheets made by the engine, the same for a seed.

:mod:`~theme.quiz.items` makes the questions, :mod:`~theme.quiz.material`
what they play, :mod:`~theme.quiz.terminal` asks them in a terminal,
:mod:`~theme.quiz.folder` writes them for a projector and a printer, and
:mod:`~theme.quiz.writing` makes the worksheets of writing.
"""
