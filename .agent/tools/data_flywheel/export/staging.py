"""Build an export in a hidden folder beside the target, then swap it in.

A reader of ``exports/<date>/`` sees the previous complete export or the new
complete one, never a mix: files are written into ``.<name>.staging-*`` next
to the target, and only a finished export is renamed into place. Any error
(or Ctrl-C) before that leaves the previous export untouched and removes the
staging folder. The swap is two renames (old aside, new in); if the second
fails the old one is put back.
"""
from __future__ import annotations

import os
import shutil
import tempfile

from ..errors import OutputError


class Staging:
    def __init__(self, target: str) -> None:
        self.target = os.path.abspath(target)
        if os.path.exists(self.target) and not os.path.isdir(self.target):
            raise OutputError(
                "the output path exists and is not a folder",
                source=target,
                remedy="pass --out a folder path, or move the file away",
            )
        parent = os.path.dirname(self.target)
        try:
            os.makedirs(parent, exist_ok=True)
            self.root = tempfile.mkdtemp(prefix=f".{os.path.basename(self.target)}.staging-", dir=parent)
        except OSError as error:
            raise OutputError(
                f"cannot write the export folder: {error.strerror}",
                source=target,
                remedy="choose a writable --out folder",
            ) from None
        # mkdtemp makes the folder 0700; an export should get the user's usual permissions.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(self.root, 0o777 & ~umask)

    def path(self, relative: str) -> str:
        """An absolute path inside the staging folder; refuses anything that would escape it."""
        full = os.path.normpath(os.path.join(self.root, relative))
        if os.path.commonpath([full, self.root]) != self.root or os.path.isabs(relative):
            raise OutputError(f"refusing to write outside the export folder: {relative!r}")
        os.makedirs(os.path.dirname(full), exist_ok=True)
        return full

    def publish(self) -> None:
        previous = None
        try:
            if os.path.isdir(self.target):
                previous = tempfile.mkdtemp(
                    prefix=f".{os.path.basename(self.target)}.previous-", dir=os.path.dirname(self.target)
                )
                os.rmdir(previous)  # only the unique name was wanted
                os.rename(self.target, previous)
            os.rename(self.root, self.target)
        except OSError as error:
            if previous is not None and not os.path.exists(self.target):
                os.rename(previous, self.target)
                previous = None
            self.discard()
            raise OutputError(
                f"cannot put the export in place: {error.strerror}", source=self.target
            ) from None
        if previous is not None:
            shutil.rmtree(previous, ignore_errors=True)

    def discard(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)
