"""One exception hierarchy for the whole library, with the CLI's exit codes.

Every error a user can cause is a :class:`ThemeError`. Its message is one line that names
the bad value and says what is allowed; the CLI prints it and exits with ``exit_code``.

Exit codes (documented in the README):

====  ==========================================================
0     success
1     a failure: a file could not be read or written
2     usage: a bad value (meter, tempo, variant, option, path)
3     a device: no PortAudio, no output device or MIDI port, or the device failed
130   interrupted with Ctrl-C (SIGINT)
143   stopped by SIGTERM (129 by SIGHUP, the terminal closed)
====  ==========================================================
"""

from __future__ import annotations

__all__ = [
    "AudioDeviceError",
    "DeviceError",
    "InputFileError",
    "MeterError",
    "MidiDeviceError",
    "MidiPortLostError",
    "OutputFileError",
    "OutputFormatError",
    "OutputNameError",
    "RemeterError",
    "RhythmError",
    "TempoError",
    "Terminated",
    "ThemeError",
    "UsageError",
    "VariantError",
    "VariantFileError",
]


class ThemeError(Exception):
    """Base class of every error this library raises on purpose."""

    exit_code = 1


class UsageError(ThemeError, ValueError):
    """A value given by the user is not one of the allowed ones."""

    exit_code = 2


class MeterError(UsageError):
    """A meter string such as ``'5/3'`` that cannot be parsed."""


class TempoError(UsageError):
    """A tempo string such as ``'q=0'`` that cannot be parsed."""


class RhythmError(UsageError):
    """A rhythm (box notation, durations, pitches) that cannot be parsed."""


class VariantError(UsageError):
    """An unknown variant name, or a variant file with a bad field."""


class RemeterError(UsageError):
    """A remetering strategy that does not apply to the given material."""


class InputFileError(ThemeError):
    """An input file (MIDI, MusicXML, TOML) that is missing, unreadable or corrupt."""


class VariantFileError(InputFileError, VariantError):
    """A variant file with a field that is not allowed (a bad meter, a table where a number
    belongs): the file is at fault, so exit code 1, as for a file that cannot be read."""

    exit_code = 1


class OutputFileError(ThemeError):
    """An output file that cannot be written (missing folder, no permission, bad extension)."""


class OutputNameError(OutputFileError, UsageError):
    """An output name that cannot be a file this command writes, whatever is on disk: a name
    ending in ``/`` (a folder). A bad value, so exit code 2."""

    exit_code = 2


class OutputFormatError(OutputNameError):
    """An output file's extension that names no format the command writes (``-o x.mp3``)."""


class Terminated(KeyboardInterrupt):
    """Raised by the CLI in the main thread when the process is sent SIGTERM (or SIGHUP), so
    that the clean-up of Ctrl-C runs (no temporary file left, the old output intact); the CLI
    exits with 128 + the signal's number: 143 for SIGTERM, 129 for SIGHUP. Not a
    :class:`ThemeError`: like Ctrl-C it passes through ``except Exception``."""

    exit_code = 143

    def __init__(self, signal_number: int = 15) -> None:
        super().__init__(signal_number)
        self.exit_code = 128 + signal_number


class DeviceError(ThemeError):
    """A device that is missing or failed: a sound card, a MIDI port."""

    exit_code = 3


class AudioDeviceError(DeviceError):
    """No PortAudio library, no output device, or an error from the sound card."""


class MidiDeviceError(DeviceError):
    """No MIDI library (python-rtmidi), or a MIDI port that is not there."""


class MidiPortLostError(MidiDeviceError):
    """A MIDI port that went away while playing (its program or its server ended): the
    playing stops cleanly, so exit code 1, as for a failure."""

    exit_code = 1
