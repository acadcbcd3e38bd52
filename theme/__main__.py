"""``python -m theme``: the same as the ``theme`` command."""

from theme.cli import run

if __name__ == "__main__":
    run()
