"""``python -m theme``: the same as the ``theme`` command."""

import sys

try:
    from theme.cli import run
except KeyboardInterrupt:  # Ctrl-C while the command line loads: one line, no traceback
    sys.stderr.write("theme: interrupted\n")
    sys.exit(130)

if __name__ == "__main__":
    run()
