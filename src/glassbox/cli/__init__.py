"""The ``glassbox`` command line (typer + rich, from the ``cli`` extra)."""

from __future__ import annotations

import sys


def main() -> None:
    """Entry point of the ``glassbox`` command."""
    try:
        from glassbox.cli.app import app
    except ImportError as error:  # typer or rich missing
        sys.stderr.write(
            f"The glassbox command needs the 'cli' extra ({error.name} is missing): "
            "pip install 'glassbox[cli]'\n"
        )
        raise SystemExit(2) from error
    app()
