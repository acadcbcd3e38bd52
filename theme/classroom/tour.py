"""The guided tour: seven steps from counting five to the dance test.

Each :class:`Step` has a title, what a teacher would say, a picture, and music. The tour is
played step by step through the sound card (:func:`play_tour`, a box-notation grid of each
step on screen), or written to a folder with a page to project (:func:`write_tour`) when
there is no sound card or when asked: the whole tour as ``index.html``, one step as
``step-N.html`` beside it. The folder is made aside and moved into place only when
complete, so a failure half-way leaves an earlier tour as it was.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from theme.classroom.elsewhere import EXTRA_STEPS
from theme.classroom.step import Step
from theme.core.rhythm import Rhythm
from theme.core.tempo import Tempo, length_words
from theme.core.timeline import Timeline
from theme.errors import UsageError

if TYPE_CHECKING:
    from theme.live.engine.sinks import Sink

__all__ = ["STEPS", "TOUR_FILES", "Step", "play_tour", "steps", "write_tour"]

OSTINATO = "X..x..x.x."
STRATEGY_ORDER = ("squeeze", "drop", "stretch", "rebar")
"""The strategies step 5 plays, draws and names, in this order."""
TOUR_FILES = re.compile(r"index\.html|step-[0-9]+\.(?:wav|mid|svg|html)")
"""The files a tour folder holds: a folder with only these may be replaced by a new tour."""
PAGE_TITLE = "Odd meters: the Mission: Impossible theme in 5/4 and 4/4"


def _count(tempo: Tempo | None) -> Timeline:
    from theme.metronome import Metronome

    return Metronome("5/4", bpm=tempo or 120, bars=4).timeline()


TOUR_GROOVES = ("tv-1966", "remix-1996")
"""The variants the tour plays, first among the grooves its groove editor starts from."""


def _ostinato(tempo: Tempo | None) -> Timeline:
    from theme.metronome import click_track
    from theme.variants import load

    return click_track(load("tv-1966", intro_bars=4, melody_bars=0).timeline(tempo=tempo or 120))


def _tv(tempo: Tempo | None) -> Timeline:
    from theme.variants import load

    return load("tv-1966", intro_bars=2, melody_bars=8).timeline(tempo=tempo)


def _remix(tempo: Tempo | None) -> Timeline:
    from theme.variants import load

    return load("remix-1996", intro_bars=4, body_bars=8).timeline(tempo=tempo)


def _strategies(tempo: Tempo | None) -> Timeline:
    from theme.classroom.examples import strategy_example

    return Timeline.join(
        [strategy_example(name, tempo=tempo) for name in STRATEGY_ORDER],
        title="5/4, then each strategy's 4/4",
    )


def _versus(tempo: Tempo | None) -> Timeline:
    from theme.metronome import Metronome

    return Metronome("5/4", vs="4/4", bpm=tempo or 144, align="beat", bars=8).timeline()


def _dance(tempo: Tempo | None) -> Timeline:
    from theme.classroom.dance import dance_timeline

    return dance_timeline("5/4", bpm=tempo or 132)  # the music theme dance plays


def _count_picture() -> str:
    from theme.classroom.pictures import necklace_svg

    return necklace_svg(
        [("5/4 (3+2): loud on 1 and 4", Rhythm.from_box("XxxXx", "1"))],
        title="Five beats round the bar",
    )


def _ostinato_picture() -> str:
    from theme.classroom.pictures import necklace_svg

    return necklace_svg(
        [("long, long, short, short", Rhythm.from_box(OSTINATO))],
        title="The ostinato: dash dash dot dot",
    )


STRATEGY_WORDS = {
    "squeeze": "the short notes shorter",
    "drop": "the last note left out",
    "stretch": "spread over two bars",
    "rebar": "the same notes, new barlines",
}
"""What each strategy does, in a few words under its name (step 5's picture)."""


def _strategy_picture() -> str:
    """One bar of the 5/4 ostinato, then each strategy's 4/4 bar by bar: rebar takes five
    bars of 4/4 to come back to the start of a bar."""
    from theme.classroom.pictures import strip_svg
    from theme.core.remeter import remeter_rhythm

    ostinato = Rhythm.from_box(OSTINATO)
    rows = [("5/4", "the ostinato", ostinato, 10)]
    rows += [(s, STRATEGY_WORDS[s], remeter_rhythm(ostinato, s), 8) for s in STRATEGY_ORDER]
    return strip_svg(rows, title="Five into four: the ostinato, then four strategies in 4/4")


def _versus_picture() -> str:
    from theme.classroom.pictures import contrast_svg

    return contrast_svg("5/4", "4/4")


def _dance_picture() -> str:
    from theme.classroom.pictures import contrast_svg

    return contrast_svg("5/4", "4/4", labels=("the music, 5/4", "the step, 4 counts"))


def _notation_picture(make: Callable[[Tempo | None], Timeline]) -> Callable[[], str]:
    def picture() -> str:
        from theme.page.document import notation_svg

        return notation_svg(make(None))

    return picture


STEPS: tuple[Step, ...] = (
    Step(
        1,
        "Count five",
        (
            "Clap and count with the clicks: ONE two three FOUR five.",
            "The loud clicks fall on 1 and 4: five beats grouped 3+2. Conduct it: down, in, in, out, up.",
            "Lalo Schifrin's joke: 4/4 is for people with two legs, 5/4 for people with five.",
        ),
        _count,
        _count_picture,
    ),
    Step(
        2,
        "The ostinato over the count: dash dash dot dot",
        (
            "Over the count the bass plays long, long, short, short: 3+3+2+2 eighth notes,",
            "on 1, 2-and, 4 and 5. In Morse code that is M.I.: dash dash dot dot.",
            "Say five syllables with the clicks, loud on 1 and 4: PINE-ap-ple AP-ple (3+2).",
        ),
        _ostinato,
        _ostinato_picture,
        count="words",  # PINE-ap-ple AP-ple
    ),
    Step(
        3,
        "The 1966 TV theme",
        (
            "The groove on bass and bongos, then the melody's rhythm above it: short, short, long.",
            "The melody's rhythm is a hypothesis (where its barline falls is not known),",
            "and every pitch here is our own: this project never spells out the theme's notes.",
        ),
        _tv,
        _notation_picture(_tv),
        True,
    ),
    Step(
        4,
        "The 1996 remix: from 5/4 to 4/4",
        (
            "Four bars in 5/4, then the dance floor: a kick on every beat of 4/4.",
            "Listen for the switch. How the remix fits five beats into four is not known;",
            "here the ostinato is squeezed (3+3+1+1), one of the candidate strategies.",
        ),
        _remix,
        _notation_picture(_remix),
        True,
    ),
    Step(
        5,
        "Five into four: the strategies side by side",
        (
            "Each strategy follows two bars of the original 5/4:",
            "squeeze (3+3+1+1), drop (3+3+2, the tresillo), stretch (3+3+2+2 and a rest: two bars",
            "of 4/4), and rebar (the same notes with barlines every four beats).",
        ),
        _strategies,
        _strategy_picture,
    ),
    Step(
        6,
        "5/4 against 4/4, beat by beat",
        (
            "Left ear: 5/4. Right ear: 4/4. The same beat for both.",
            "Their downbeats meet only every 20 beats: count them, and raise a hand when they meet.",
        ),
        _versus,
        _versus_picture,
    ),
    Step(
        7,
        "The dance test",
        (
            "Step-touch in four while the music goes in five: the low thud is your step one.",
            "It lands on beat 1, then 5, 4, 3, 2, and only after 20 beats on 1 again.",
            "That is what threw the dancers off when the 5/4 single was played on American Bandstand",
            "(the story comes from informal sources).",
        ),
        _dance,
        _dance_picture,
    ),
)


def steps(selected: int | None = None, *, extra: bool = False) -> list[Step]:
    """All the steps (with the optional ones of :mod:`theme.classroom.elsewhere` when
    ``extra``), or only step ``selected`` (from 1; an optional step may always be chosen by
    its number).

    Raises:
        UsageError: no such step.
    """
    if selected is None:
        return list(STEPS + EXTRA_STEPS) if extra else list(STEPS)
    every = STEPS + EXTRA_STEPS
    if not 1 <= selected <= len(every):
        raise UsageError(
            f"invalid step {selected!r}: the tour has steps 1 to {len(STEPS)}, and an optional "
            f"step {len(every)}"
        )
    return [every[selected - 1]]


def play_tour(
    chosen: Sequence[Step],
    *,
    tempo: Tempo | None = None,
    device: str | int | None = None,
    sink: Callable[[], Sink] | None = None,
    out: TextIO | None = None,
    go_on: Callable[[Step], bool] = lambda step: True,
) -> int:
    """Play the ``chosen`` steps one after the other: for each, its title, what to say and a
    box-notation grid of its music on ``out`` (standard output; nothing is shown when it is
    closed), then its sound, with a line that follows the section, bar and beat heard (on a
    terminal). Text the terminal cannot show is written in ASCII.

    ``go_on(step)`` is asked before each step after the first; False ends the tour (the
    command line waits for Enter there, or ``q``). ``sink`` makes the sink for each step
    instead of the sound card ``device``. Returns the number of steps played.

    Raises:
        AudioDeviceError: no PortAudio, no output device, a device error.
        KeyboardInterrupt: Ctrl-C, after a 30 ms fade.
    """
    from theme.live.start import play
    from theme.renderers.text import section_grids
    from theme.terminal import follow, output, position_line

    out = out or output()
    played = 0
    for step in chosen:
        if played and not go_on(step):
            break
        music = step.music(tempo)
        lines = [f"\n{step.number}. {step.title}", *(f"   {line}" for line in step.text), ""]
        lines += [f"   {line}" for line in section_grids(music, max_bars=2).splitlines()]
        for line in lines:
            print(terminal_text(out, line), file=out)
        out.flush()
        player = play(music, device=device, sink=sink() if sink else None, wait=False)
        if not follow(player, position_line(music), out=out):
            raise KeyboardInterrupt
        played += 1
    return played


def terminal_text(out: TextIO | None, text: str) -> str:
    """``text`` as it may be printed on ``out``: control characters (from a file) made
    visible but its lines kept, and in ASCII where ``out`` cannot encode it.

    >>> import io
    >>> print(terminal_text(io.TextIOWrapper(io.BytesIO(), encoding="ascii"), "bar 1 \u2014 beat \x1b[2"))
    bar 1 \\u2014 beat \\x1b[2
    """
    from theme.safe_text import printable
    from theme.terminal import can_show

    text = "\n".join(printable(line) for line in text.split("\n"))
    if can_show(out, text):
        return text
    return text.encode("ascii", "backslashreplace").decode("ascii")


def check_tour_tempo(chosen: Sequence[Step], musics: Sequence[Timeline], tempo: Tempo) -> None:
    """Check that each step's music, at ``tempo``, fits on the page.

    Raises:
        UsageError: naming the tempo, the longest step and the limit.
    """
    from theme.page.document import MAX_PAGE_SECONDS

    longest, step = max(zip(musics, chosen), key=lambda pair: pair[0].duration_seconds)
    if longest.duration_seconds > MAX_PAGE_SECONDS:
        slowest = tempo.qpm * longest.duration_seconds / MAX_PAGE_SECONDS
        raise UsageError(
            f"invalid tempo {str(tempo)!r} for the tour: step {step.number} would last "
            f"{length_words(longest.duration_seconds)}; a step lasts at most "
            f"{MAX_PAGE_SECONDS // 60} minutes (a tempo of at least q={float(slowest):.0f})"
        )


def write_tour(
    folder: str | Path,
    *,
    tempo: Tempo | None = None,
    selected: int | None = None,
    extra: bool = False,
    on_step: Callable[[Step, list[Path]], None] | None = None,
) -> Path:
    """Write each step's audio (WAV), MIDI and picture (SVG) into ``folder`` with a page
    holding everything, and return the page's path: ``index.html`` for the whole tour,
    ``step-N.html`` for step ``selected`` alone (the folder's other files are left as they
    are, so one step never overwrites a whole tour's page); ``extra`` adds the optional
    steps to the whole tour. ``on_step(step, files)`` is
    called as each step is made, with the paths its files will have.

    Everything is made in a folder beside ``folder`` and moved into place only when
    complete: on an error an earlier tour is left as it was, and no temporary folder stays.

    Raises:
        UsageError: no such step; a tempo at which a step would not fit on the page.
        OutputFileError: the folder cannot be made or written, or (a whole tour) it holds
            files other than a tour's.
    """
    from theme.output import atomic_path
    from theme.output.folder import folder_aside
    from theme.page.document import PageSection, page_html
    from theme.renderers.audiofile import write_audio
    from theme.renderers.midi import write_midi

    root = Path(folder)
    chosen = steps(selected, extra=extra)
    musics = [step.music(tempo) for step in chosen]  # cheap: events, no sound yet
    if tempo is not None:
        check_tour_tempo(chosen, musics, tempo)
    name = "index.html" if selected is None else f"step-{selected}.html"
    with folder_aside(root, whole=selected is None, replaceable=TOUR_FILES) as aside:
        sections = []
        for step, music in zip(chosen, musics):
            stem = f"step-{step.number}"
            picture = step.picture()
            write_audio(music, aside / f"{stem}.wav")
            write_midi(music, aside / f"{stem}.mid")
            with atomic_path(aside / f"{stem}.svg") as tmp:
                tmp.write_text(picture, encoding="utf-8")
            sections.append(
                PageSection.for_music(
                    f"{step.number}. {step.title}",
                    music,
                    paragraphs=[" ".join(step.text)],
                    pictures=[] if step.notation else [picture],
                    score=picture if step.notation else "",
                    count=step.count,
                )
            )
            if on_step is not None:
                on_step(step, [root / f"{stem}.{ext}" for ext in ("wav", "mid", "svg")])
        intro = (
            "Seven steps for a class: press play on each, count along, then try the dance test"
            " and build meters of your own."
            if selected is None
            else f"Step {selected} of the seven-step tour (index.html holds them all)."
        )
        if selected is None and extra:
            intro += " Then step 8: where else you have heard these groupings."
        elif selected is not None and selected > len(STEPS):
            intro = f"Step {selected}, an optional step after the seven-step tour."
        if selected is None:  # the whole tour: one step a screen, the meter builder last
            from theme.page.builder import builder_section

            sections.append(builder_section(grooves=TOUR_GROOVES))
        html = page_html(PAGE_TITLE, sections, intro=intro, slides=selected is None)
        with atomic_path(aside / name) as tmp:
            tmp.write_text(html, encoding="utf-8")
    return root / name
