"""Finding harness session files and deciding which reader owns each one.

Without ``--path`` each reader's ``default_dirs(env)`` are searched (``~``
expanded, globs allowed). Every file found is sniffed from its first few
lines, each cut at ``HEAD_BYTES`` except the first, which is read up to
``FIRST_LINE_BYTES``: Codex writes its whole system prompt into its first line,
and a first line cut short would not parse ("unknown format"). SQLite
databases are recognised by their header and offered to ``sniff_path``. A file no reader claims is skipped with a
reason that says what was seen, so a user can tell a wrong path from an
unsupported format.
"""
from __future__ import annotations

import glob
import json
import os
from dataclasses import dataclass
from types import ModuleType
from typing import Iterable, Iterator, List, Mapping, Optional, Sequence, Tuple

from .harness.base import read_head

HEAD_LINES = 8
HEAD_BYTES = 1 << 16
FIRST_LINE_BYTES = 16 << 20
SQLITE_MAGIC = b"SQLite format 3\x00"
SESSION_SUFFIXES = (".jsonl", ".json", ".db", ".sqlite", ".sqlite3", ".jsonl.zst")


@dataclass(frozen=True)
class Found:
    path: str
    reader: Optional[ModuleType]
    skipped: Optional[str] = None  # why no reader reads it


def expand_home(path: str, env: Mapping[str, str]) -> str:
    """``~`` as the given environment's HOME (tests and hooks pass their own), else the user's."""
    if path == "~" or path.startswith("~/"):
        home = env.get("HOME") or os.path.expanduser("~")
        return home + path[1:]
    return os.path.expanduser(path)


def default_dirs(reader: ModuleType, env: Mapping[str, str]) -> List[str]:
    """The reader's default places that exist: folders to walk, or single database files."""
    patterns = list(reader.default_dirs(env))
    found: List[str] = []
    for pattern in patterns:
        expanded = expand_home(pattern, env)
        found.extend(sorted(glob.glob(expanded)) if glob.has_magic(expanded) else [expanded])
    return [place for place in found if os.path.exists(place)]  # a folder, or a database file (Hermes)


def _claims_folder(folder: str, readers: Sequence[ModuleType]) -> Optional[ModuleType]:
    """A reader whose sessions are a whole folder (OpenCode's legacy ``storage/`` tree)."""
    for reader in readers:
        if reader.sniff_path(folder):
            return reader
    return None


def walk_files(root: str, readers: Sequence[ModuleType] = ()) -> Iterator[str]:
    """Session-like files under ``root`` (or ``root`` itself), in a stable order, symlinks not followed.

    A folder a reader claims as a whole is yielded itself and not walked into:
    its thousands of part files are that reader's business, not separate sessions.
    """
    if os.path.isfile(root) or _claims_folder(root, readers):
        yield root
        return
    for folder, dirnames, filenames in os.walk(root):
        dirnames.sort()
        claimed = [name for name in dirnames if _claims_folder(os.path.join(folder, name), readers)]
        dirnames[:] = [name for name in dirnames if name not in claimed]
        for name in sorted(filenames):
            if name.endswith(SESSION_SUFFIXES):
                yield os.path.join(folder, name)
        for name in claimed:
            yield os.path.join(folder, name)


def head_lines(path: str) -> Tuple[List[str], bytes]:
    """The first lines of a file as text (the first up to FIRST_LINE_BYTES, others cut at HEAD_BYTES) and its first bytes."""
    with open(path, "rb") as fp:
        start = fp.read(len(SQLITE_MAGIC))
        fp.seek(0)
        if start == SQLITE_MAGIC:
            return [], start
        raw_lines = read_head(fp, HEAD_LINES, HEAD_BYTES, FIRST_LINE_BYTES)
    return [raw.decode("utf-8", "replace").rstrip("\r\n") for raw in raw_lines], start


def describe_head(lines: Sequence[str], start: bytes) -> str:
    """What a file looked like, for 'unknown format' messages (key names only, never values)."""
    if not lines or not any(line.strip() for line in lines):
        return "the file is empty"
    first = next(line for line in lines if line.strip()).lstrip("\ufeff")
    try:
        value = json.loads(first)
    except ValueError:
        return "its first line is not JSON" if len(first) < FIRST_LINE_BYTES else "its first line is not JSON (or longer than 16 MB)"
    if isinstance(value, dict):
        keys = sorted(value)[:6]
        return "its first line is a JSON object with keys " + ", ".join(keys) + (", ..." if len(value) > 6 else "")
    return f"its first line is JSON but not an object ({type(value).__name__})"


def classify(path: str, readers: Sequence[ModuleType]) -> Found:
    """Which of ``readers`` owns ``path``, or why none does."""
    for reader in readers:
        reason = reader.skip_reason(path)
        if reason:
            return Found(path, None, f"{reader.NAME}: {reason}")
    if os.path.isdir(path):
        reader = _claims_folder(path, readers)
        return Found(path, reader, None if reader else "a folder no selected reader recognises")
    try:
        lines, start = head_lines(path)
    except OSError as error:
        return Found(path, None, f"unreadable: {error.strerror}")
    if start == SQLITE_MAGIC:
        for reader in readers:
            if reader.sniff_path(path):
                return Found(path, reader)
        return Found(path, None, "an SQLite database no selected reader recognises")
    for reader in readers:
        if reader.sniff(lines):
            return Found(path, reader)
    names = ", ".join(reader.NAME for reader in readers)
    return Found(path, None, f"unknown format for {names}: {describe_head(lines, start)}")


def discover(
    readers: Sequence[ModuleType], paths: Iterable[str], env: Mapping[str, str], *, since: Optional[float] = None
) -> Iterator[Found]:
    """Every candidate file under ``paths`` (or the readers' default folders), classified.

    ``since`` (a POSIX time) skips files not modified since then, without opening them.
    """
    roots = list(paths)
    if not roots:
        seen = set()
        for reader in readers:
            for folder in default_dirs(reader, env):
                if folder not in seen:
                    seen.add(folder)
                    roots.append(folder)
    for root in roots:
        if not os.path.exists(root):
            yield Found(root, None, "no such file or folder")
            continue
        for path in walk_files(root, readers):
            if since is not None:
                try:
                    if os.path.getmtime(path) < since:
                        continue
                except OSError:
                    pass
            yield classify(path, readers)
