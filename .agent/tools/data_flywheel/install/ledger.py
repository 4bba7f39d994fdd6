"""The install ledger, ``<target>/.agent/install.json``: what the installer added or changed.

It lets ``uninstall`` remove exactly what was added and put every changed file
back, and lets a later install update its own files (and only those). One
entry per file, with the sha256 of the bytes the installer last wrote, so a
file a person edited since is recognised and left alone. ``origin`` is
``created`` (the installer made it), ``adopted`` (it was already there,
byte-identical: kept by uninstall), ``changed`` (the user's file with our
entries merged in; ``undo`` says how to take them out) or ``replaced``
(``--replace``: the user's file, backed up whole). Backups of changed files
are under ``.agent/flywheel/install-backup/``, which is private like the rest
of ``.agent/flywheel/``: settings files can hold secrets, and the ledger is
committed. The ledger holds no time stamps and no absolute paths (except a
``--hermes-home`` the user named), so installing twice writes the same bytes.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Set, Tuple

from ..errors import ConfigError

LEDGER = ".agent/install.json"
KIND = "data-flywheel-install"
VERSION = 1
TARGET = "target"
HERMES = "hermes_home"
ORIGINS = ("created", "adopted", "changed", "replaced")


@dataclass
class Entry:
    path: str  # relative to its root, with "/"
    part: str  # "tool", a harness name, "hooks:<harness>", "gitignore" or "config"
    origin: str
    sha256: str
    root: str = TARGET
    backup: Optional[str] = None  # relative to the target
    before_sha256: Optional[str] = None
    undo: Optional[Dict[str, Any]] = None

    @property
    def key(self) -> Tuple[str, str]:
        return (self.root, self.path)

    def as_json(self) -> Dict[str, Any]:
        document: Dict[str, Any] = {"path": self.path}
        if self.root != TARGET:
            document["root"] = self.root
        document.update(part=self.part, origin=self.origin, sha256=self.sha256)
        if self.backup is not None:
            document["backup"] = self.backup
            document["before_sha256"] = self.before_sha256
        if self.undo is not None:
            document["undo"] = self.undo
        return document


@dataclass
class Ledger:
    files: Dict[Tuple[str, str], Entry] = field(default_factory=dict)
    dirs: Set[Tuple[str, str]] = field(default_factory=set)  # folders the installer created
    harnesses: Set[str] = field(default_factory=set)
    hooks: Set[str] = field(default_factory=set)
    hermes_home: Optional[str] = None
    tool_version: str = ""

    def dumps(self) -> bytes:
        document: Dict[str, Any] = {
            "kind": KIND,
            "version": VERSION,
            "tool_version": self.tool_version,
            "harnesses": sorted(self.harnesses),
            "hooks": sorted(self.hooks),
        }
        if self.hermes_home is not None:
            document["hermes_home"] = self.hermes_home
        document["files"] = [self.files[key].as_json() for key in sorted(self.files)]
        document["dirs"] = {root: sorted(path for where, path in self.dirs if where == root)
                            for root in sorted({root for root, _path in self.dirs})}
        return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def safe_relative(path: Any) -> bool:
    """A path inside its root: relative, ``/``-separated, no ``..`` and no empty parts."""
    if not isinstance(path, str) or not path or path.startswith("/") or "\\" in path or ":" in path.split("/")[0]:
        return False
    return all(part not in ("", ".", "..") for part in path.split("/"))


def _fail(path: str, what: str) -> ConfigError:
    return ConfigError(what, source=path, remedy="restore it from version control; nothing was changed")


def read(path: str) -> Optional[Ledger]:
    """The ledger at ``path``, ``None`` if there is none, ``ConfigError`` if it cannot be trusted."""
    if not os.path.exists(path):
        return None
    try:
        with open(path, "rb") as fp:
            document = json.loads(fp.read().decode("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise _fail(path, f"the install ledger cannot be read ({type(error).__name__})") from None
    if not isinstance(document, dict) or document.get("kind") != KIND:
        raise _fail(path, f'not an install ledger (no "kind": "{KIND}")')
    if document.get("version") != VERSION:
        raise _fail(path, f"install ledger version {document.get('version')!r} is not {VERSION}")
    ledger = Ledger(
        harnesses=set(_strings(document.get("harnesses"), path, "harnesses")),
        hooks=set(_strings(document.get("hooks"), path, "hooks")),
        tool_version=str(document.get("tool_version", "")),
    )
    home = document.get("hermes_home")
    if home is not None and not (isinstance(home, str) and os.path.isabs(home)):
        raise _fail(path, '"hermes_home" must be an absolute path')
    ledger.hermes_home = home
    for item in _list(document.get("files"), path, "files"):
        entry = _entry(item, path)
        ledger.files[entry.key] = entry
    dirs = document.get("dirs")
    if not isinstance(dirs, dict) or not set(dirs) <= {TARGET, HERMES}:
        raise _fail(path, f'"dirs" must be an object with "{TARGET}" and "{HERMES}" lists')
    for root, folders in dirs.items():
        for folder in _strings(folders, path, "dirs"):
            if not safe_relative(folder):
                raise _fail(path, f"folder entry {json.dumps(folder)[:80]} is not a path inside the target")
            ledger.dirs.add((root, folder))
    return ledger


def _list(value: Any, path: str, name: str) -> List[Any]:
    if not isinstance(value, list):
        raise _fail(path, f'"{name}" must be a list')
    return value


def _strings(value: Any, path: str, name: str) -> List[str]:
    items = _list(value, path, name)
    if not all(isinstance(item, str) for item in items):
        raise _fail(path, f'"{name}" must be a list of strings')
    return items


def _entry(item: Any, path: str) -> Entry:
    if not isinstance(item, dict):
        raise _fail(path, "a file entry is not an object")
    shown = json.dumps(item.get("path"))[:80]
    root = item.get("root", TARGET)
    if not safe_relative(item.get("path")) or root not in (TARGET, HERMES):
        raise _fail(path, f"file entry {shown} is not a path inside the target")
    if item.get("origin") not in ORIGINS or not isinstance(item.get("sha256"), str) or not isinstance(item.get("part"), str):
        raise _fail(path, f"file entry {shown} needs part, origin ({', '.join(ORIGINS)}) and sha256")
    backup = item.get("backup")
    if backup is not None and not safe_relative(backup):
        raise _fail(path, f"file entry {shown} has a backup outside the target")
    undo = item.get("undo")
    if undo is not None and not isinstance(undo, dict):
        raise _fail(path, f"file entry {shown} has an undo that is not an object")
    return Entry(
        path=item["path"], part=item["part"], origin=item["origin"], sha256=item["sha256"], root=root,
        backup=backup, before_sha256=item.get("before_sha256"), undo=undo,
    )
