"""``theme studio -o studio.html``: the page where pupils make, share and take home a groove;
``theme site -o DIR``: every page, as a folder a school can host."""

from __future__ import annotations

import argparse

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the studio command."""
    p = subparsers.add_parser(
        "studio",
        help="write the studio: a page to make a groove in any meter, share it by link, "
        "take it home as MIDI",
        description="Write the studio page: build a meter, click boxes to make a groove, hear "
        "it loop; its link (the page's address) holds the groove, and 'theme show', 'play', "
        "'export' and 'remeter' read that link or the variant file the page downloads.",
    )
    p.add_argument(
        "-o", "--output", required=True, metavar="FILE", help="the page to write (.html)"
    )
    p.add_argument(
        "--groove",
        metavar="LINK",
        help="open the page on this groove (a studio link, or a built-in variant's name)",
    )
    p.set_defaults(func=run)

    p = subparsers.add_parser(
        "site",
        help="write a site a school can host: the tour, the gallery, the studio, quizzes",
        description="Write a folder of static pages that works from the folder itself and "
        "from any web server: index.html (the home page), tour/, gallery/ (a page a "
        "variant), studio.html, practice.html (a groove on a phone) and quiz/level-1 to 4.",
    )
    p.add_argument("-o", "--output", required=True, metavar="DIR", help="the folder to write")
    p.set_defaults(func=run_site)


def run_site(args: argparse.Namespace) -> int:
    from theme.site import write_site

    files = write_site(args.output)
    print(f"wrote {len(files.pages)} pages into {args.output}: open {files.home}")
    return 0


def run(args: argparse.Namespace) -> int:
    from theme.classroom.studio import write_studio
    from theme.errors import UsageError
    from theme.output import output_file
    from theme.readers.files import open_source

    out = output_file(args.output, ["html", "htm"])  # checked before any work
    start = None
    if args.groove is not None:  # a groove link, a built-in variant's name or a variant file
        start = open_source(args.groove).groove()
        if start is None:
            raise UsageError(
                f"invalid groove {args.groove!r}: its first section does not fit a groove's "
                "grid (1 to 4 boxes a pulse, at most 4 bars)"
            )
    path = write_studio(out, start)
    print(f"wrote {path}")
    return 0
