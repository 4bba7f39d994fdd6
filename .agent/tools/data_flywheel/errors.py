"""The one error family the command line catches.

Every user-facing problem is a ``FlywheelError``: it names the source (a file,
or ``-`` for stdin), the line when there is one, what is wrong and how to fix
it. Anything else that escapes is a bug and may show a traceback.
"""
from __future__ import annotations

from typing import Optional


class FlywheelError(Exception):
    """A problem the user can fix. ``exit_code`` follows the contract: 2 for usage or unreadable input."""

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        source: Optional[str] = None,
        line: Optional[int] = None,
        remedy: Optional[str] = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.source = source
        self.line = line
        self.remedy = remedy

    def location(self) -> str:
        if self.source is None:
            return ""
        if self.line is None:
            return f"{self.source}: "
        return f"{self.source}:{self.line}: "

    def __str__(self) -> str:
        text = self.location() + self.message
        if self.remedy:
            text += f" ({self.remedy})"
        return text


class InputError(FlywheelError):
    """Input that cannot be read or understood (a missing file, bad bytes, a bad flag value)."""


class SchemaError(FlywheelError):
    """A schema the checker cannot use, or a record that breaks one where that is fatal."""


class ConfigError(FlywheelError):
    """A local configuration file (``.agent/flywheel/*.json``) that is malformed."""


class OutputError(FlywheelError):
    """An output location that cannot be written; the previous output is left as it was."""
