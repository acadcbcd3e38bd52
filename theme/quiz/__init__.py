"""Listening quizzes and printable worksheets made by the engine, the same for a seed.

:mod:`~theme.classroom.quiz.items` makes the questions, :mod:`~theme.classroom.quiz.material`
what they play, :mod:`~theme.classroom.quiz.terminal` asks them in a terminal,
:mod:`~theme.classroom.quiz.folder` writes them for a projector and a printer, and
:mod:`~theme.classroom.quiz.writing` makes the worksheets of writing.
"""
