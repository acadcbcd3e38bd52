"""``theme ports``: the MIDI inputs and outputs (the audio devices are ``theme devices``)."""

from __future__ import annotations

import argparse

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ports command."""
    p = subparsers.add_parser(
        "ports",
        help="list the MIDI ports (for --midi-out and --clock)",
        description="List the MIDI outputs (where --midi-out and --clock send) and inputs. "
        "THEME_MIDI_API chooses the MIDI API: alsa or jack (default: the system's); "
        "THEME_MIDI_OUT names the output used when --midi-out names none. The audio output "
        "devices are listed by 'theme devices'.",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import os

    from theme.live.sync.midiports import OUT_ENV, port_names

    ports = port_names()
    chosen = os.environ.get(OUT_ENV) or None
    print("MIDI outputs:" if ports.outputs else "MIDI outputs: none")
    for name in ports.outputs:
        print(f"{'*' if name == chosen else ' '} {name}")
    print("MIDI inputs:" if ports.inputs else "MIDI inputs: none")
    for name in ports.inputs:
        print(f"  {name}")
    if chosen is not None and chosen not in ports.outputs:
        print(f"{OUT_ENV} names {chosen!r}, which is not among the outputs")
    elif chosen is not None:
        print(f"* the default output ({OUT_ENV}); audio devices: 'theme devices'")
    else:
        print(
            f"send to one with --midi-out PORT (or set {OUT_ENV}); audio devices: 'theme devices'"
        )
    return 0
