"""The one error family the command line catches.

Every user-facing problem is a ``FlywheelError``: it names the source (a file,
or ``-`` for stdin), the line when there is one, what is wrong and how to fix
it. Anything else that escapes is a bug and may show a traceback.
"""
from __future__ import annotations

import errno
import os
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


def os_fix(error: OSError) -> str:
    """How to fix an OS error, by its errno (the remedy part of an error line)."""
    code = error.errno
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", -1), errno.EFBIG):
        return "free some space (or raise the quota) and run again"
    if code in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "choose a folder you can write, or fix its permissions"
    if code == errno.ENAMETOOLONG:
        return "choose a shorter path"
    if code in (errno.EMFILE, errno.ENFILE):
        return "raise the open-files limit (ulimit -n) or close other programs, then run again"
    return "check the folder and run again"


def os_error(error: OSError, doing: str, path: Optional[str], *, kept: str = "the previous output is unchanged") -> OutputError:
    """One line for an OS error while writing: what failed, where, the fix, and what was kept.

    Full disk, read-only folder, permission, path too long, too many open
    files: the errors an operator's machine produces, each with its own fix.
    """
    fix = os_fix(error)
    message = f"cannot {doing}: {error.strerror or error}"
    if path is None and isinstance(error.filename, (str, bytes)):
        path = os.fsdecode(error.filename)
    elif isinstance(error.filename, str) and path is not None and os.path.abspath(error.filename) != os.path.abspath(path):
        message += f" ({error.filename})"
    return OutputError(message, source=path, remedy=f"{fix}; {kept}")
