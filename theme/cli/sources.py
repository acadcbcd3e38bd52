"""What a command's ``VARIANT`` names: a built-in variant, a variant file, or music of one's
own (MIDI, MusicXML, ABC; told apart by :func:`theme.readers.files.open_source`), with the options
that make sense for it."""

from __future__ import annotations

import argparse

from theme.errors import UsageError

TYPE_CHECKING = False  # importing typing costs start-up time
if TYPE_CHECKING:
    from theme.core.timeline import Timeline
    from theme.readers.files import Source

__all__ = ["music_timeline"]


def music_timeline(args: argparse.Namespace, source: Source, *, remeter: bool = True) -> Timeline:
    """The timeline of a file of one's own with the options that make sense for one:
    ``--tempo``, ``--bars``/``--repeat``, ``--pitches`` (for layers it has), ``--strategy``
    (bars in other meters kept), ``--click``, ``--count-in``. ``source`` is the file, opened
    once (:func:`theme.readers.files.open_source`).

    Raises:
        UsageError: ``-p`` (a file has no parameters) or ``--pitches`` for a layer it lacks.
        InputFileError: the file cannot be read (the reader's message, naming it).
    """
    from theme.core.arrange import cycled, with_pitches

    name = args.variant
    if args.param:
        raise UsageError(
            f"-p/--param sets a built-in variant's parameters; {name!r} is a file of its own "
            "and has none (use --tempo, --bars, --repeat or --strategy)"
        )
    import warnings

    from theme.readers import InputFileWarning

    with warnings.catch_warnings(record=True) as mended:
        warnings.simplefilter("always", InputFileWarning)
        timeline = source.timeline()
    for warning in mended:  # what the reader mended, said once, as remeter says it
        if issubclass(warning.category, InputFileWarning):
            print(f"note: {warning.message}")
    if args.bars is not None or args.repeat != 1:
        timeline = cycled(timeline, bars=args.bars, repeat=args.repeat, name=name)
    if args.pitches is not None:
        from theme.core.rhythm import parse_pitches

        timeline = with_pitches(timeline, parse_pitches(args.pitches), name=name)
    if args.tempo is not None:
        timeline = timeline.with_tempo(args.tempo)
    if remeter and args.strategy is not None:
        from theme.core.remeter import remeter as remeter_timeline

        timeline = remeter_timeline(timeline, args.strategy, strict=False, source=repr(name))
    return timeline
