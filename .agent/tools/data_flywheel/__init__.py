"""The data flywheel: human-approved coding-agent work into reusable, redacted artifacts.

Public names: ``main`` (the command line), ``__version__``, ``FlywheelError``.
Everything else in the package is private to the tool.
"""
from __future__ import annotations

from .errors import FlywheelError

__version__ = "0.1.0"

__all__ = ["FlywheelError", "__version__", "main"]


def main(argv=None, **streams) -> int:
    # Imported late so that ``import data_flywheel`` stays cheap and side-effect free.
    from .cli import main as cli_main

    return cli_main(argv, **streams)
