"""Build an export in a hidden folder beside the target, then swap it in.

A reader of ``exports/<date>/`` sees the previous complete export or the new
complete one, never a mix: files are written into ``.<name>.staging-*`` next
to the target, and only a finished export is renamed into place. Any error
(or Ctrl-C) before that leaves the previous export untouched and removes the
staging folder. The swap is two renames (old aside, new in); if the second
fails the old one is put back.

``--out`` may name anything, so before anything is written the target is
checked: it may be missing, an empty folder, or a folder this tool wrote (its
``manifest.json`` names the tool and lists every file in it). Anything else
(a project, ``.agent/flywheel`` itself, a folder a person added a file to) is
refused and left untouched. A symlink is followed: the folder it points at is
checked and replaced, the link itself stays.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from typing import Optional

from ..errors import OutputError

MANIFEST = "manifest.json"
TOOL = "data-flywheel"
# A manifest larger than this is not one of ours (ours list one line per file).
MANIFEST_MAX_BYTES = 64 * 1024 * 1024


class Staging:
    def __init__(self, target: str) -> None:
        self.shown = target
        # A symlink is followed, never replaced: the export goes where the link points.
        self.target = os.path.realpath(os.path.abspath(target))
        if os.path.lexists(target) and not os.path.exists(target):
            raise OutputError(
                "the output path is a symlink to nothing",
                source=target,
                remedy="remove the broken link or pass --out another folder",
            )
        if os.path.exists(self.target) and not os.path.isdir(self.target):
            raise OutputError(
                "the output path exists and is not a folder",
                source=target,
                remedy="pass --out a folder path, or move the file away",
            )
        refuse_foreign_folder(self.target, target)
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
        # Checked again: something may have been put there while the export ran.
        try:
            refuse_foreign_folder(self.target, self.shown)
        except OutputError:
            self.discard()
            raise
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


def refuse_foreign_folder(folder: str, shown: str) -> None:
    """Raise ``OutputError`` unless ``folder`` is missing, empty, or wholly an output of this tool."""
    if not os.path.isdir(folder):
        return
    try:
        names = os.listdir(folder)
    except OSError as error:
        raise OutputError(f"cannot read the output folder: {error.strerror}", source=shown,
                          remedy="pass --out a folder you can read and write") from None
    if not names:
        return
    reason = _foreign_reason(folder, names)
    if reason is not None:
        raise OutputError(
            f"refusing to replace a folder this tool did not write ({reason})",
            source=shown,
            remedy="pass --out a new or empty folder, or a previous export or harvest folder",
        )


def _foreign_reason(folder: str, names) -> Optional[str]:
    manifest_path = os.path.join(folder, MANIFEST)
    if MANIFEST not in names or not os.path.isfile(manifest_path) or os.path.islink(manifest_path):
        return "it has no manifest.json of an export or harvest"
    try:
        if os.path.getsize(manifest_path) > MANIFEST_MAX_BYTES:
            return "its manifest.json is not one of this tool's"
        with open(manifest_path, encoding="utf-8") as fp:
            manifest = json.load(fp)
    except (OSError, ValueError, RecursionError):
        return "its manifest.json cannot be read"
    if not isinstance(manifest, dict) or manifest.get("tool") != TOOL or not isinstance(manifest.get("files"), list):
        return "its manifest.json is not one of this tool's"
    listed = {MANIFEST}
    for entry in manifest["files"]:
        if isinstance(entry, dict) and isinstance(entry.get("path"), str):
            listed.add(os.path.normpath(entry["path"]))
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for name in sorted(files) + [d for d in dirs if os.path.islink(os.path.join(root, d))]:
            relative = os.path.relpath(os.path.join(root, name), folder)
            if os.path.normpath(relative) not in listed:
                return f"{relative} is not listed in its manifest.json"
    return None
