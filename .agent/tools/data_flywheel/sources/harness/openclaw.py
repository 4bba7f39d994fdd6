"""OpenClaw sessions: pi's entries, in legacy JSONL files or in the 2026.x SQLite store.

OpenClaw embeds pi's SessionManager and writes the same v3 entries, so both
storages reuse ``pi``'s reader with another harness name:

- legacy JSONL, ``~/.openclaw/agents/<agent>/sessions/<sessionId>.jsonl``: a
  file is OpenClaw's when its pi header's ``cwd`` is under ``.openclaw`` or an
  early entry is OpenClaw's ``model-snapshot`` custom entry;
- SQLite, ``~/.openclaw/agents/<agent>/agent/openclaw-agent.sqlite``, opened
  read-only: ``transcript_events(session_id, seq, event_json, event_zstd, ...)``
  holds the same entry JSON, one row per entry, in ``seq`` order. Rows kept only
  as zstd (``event_zstd``) cannot be decoded by the standard library before
  Python 3.14; they are reported with their row and the rest of the session is read.
"""
# OpenClaw session format: shared/formats/harness-sessions.md section 3 (npm openclaw@2026.9.6,
# docs/reference/session-management-compaction/schema.md).
from __future__ import annotations

import json
import sqlite3
from typing import Callable, Iterator, List, Optional, Tuple

from ... import jsonio
from ...records import episode as ep
from .. import readonly_sqlite
from . import pi
from .base import nothing_to_skip

# OpenClaw runs in its own agent workspace (under ~/.openclaw), not in a project:
# its sessions carry that folder as cwd, so project scoping takes them only with
# --all-projects or when named with --path.
skip_reason = nothing_to_skip

NAME = "openclaw"
DEFAULT_DIRS: Tuple[str, ...] = ("~/.openclaw/agents/*/sessions", "~/.openclaw/agents/*/agent/openclaw-agent.sqlite")
ZSTD_ROW = "zstd_row"


def default_dirs(env) -> Tuple[str, ...]:
    """``DEFAULT_DIRS`` (OpenClaw has no environment variable for its home)."""
    return DEFAULT_DIRS


UNREADABLE_DATABASE = "unreadable_database"


def sniff(head: List[str]) -> bool:
    if not pi.sniff(head):
        return False
    for line in head:
        try:
            entry = json.loads(line.lstrip("\ufeff"))
        except ValueError:
            continue
        if not isinstance(entry, dict):
            continue
        cwd = entry.get("cwd") if entry.get("type") == "session" else None
        if isinstance(cwd, str) and "/.openclaw/" in cwd.replace("\\", "/") + "/":
            return True
        if entry.get("type") == "custom" and entry.get("customType") == "model-snapshot":
            return True
    return False


def sniff_path(path: str) -> bool:
    """True for an SQLite database with OpenClaw's ``transcript_events`` table."""
    return readonly_sqlite.has_tables(path, {"transcript_events": ("session_id", "seq", "event_json")})


def read_session(
    path: str, on_problem: Callable[[jsonio.LineProblem], None], *, keep_reasoning: bool = False
) -> Iterator[ep.Episode]:
    """Episodes of a JSONL session file, or of every session in an OpenClaw SQLite store."""
    if not readonly_sqlite.is_sqlite(path):
        return pi.read_session(path, on_problem, keep_reasoning=keep_reasoning, harness=NAME)
    return _read_database(path, on_problem, keep_reasoning)



def _read_database(path: str, on_problem, keep_reasoning: bool) -> Iterator[ep.Episode]:
    try:
        connection = readonly_sqlite.connect(path)
        session_ids = [row[0] for row in connection.execute(
            "SELECT session_id FROM transcript_events GROUP BY session_id ORDER BY MIN(rowid)")]
    except sqlite3.Error as error:
        on_problem(jsonio.LineProblem(path, 1, UNREADABLE_DATABASE, f"cannot read the database: {error}"))
        return
    try:
        for session_id in session_ids:
            lines = _event_lines(connection, path, session_id, on_problem)
            yield from pi.read_lines(lines, path, on_problem, str(session_id), keep_reasoning=keep_reasoning, harness=NAME)
    finally:
        connection.close()


def _event_lines(connection, path: str, session_id, on_problem) -> Iterator[bytes]:
    """One session's entries as JSON lines, in ``seq`` order (what the JSONL file would hold)."""
    has_zstd = "event_zstd" in readonly_sqlite.table_columns(connection, "transcript_events")
    columns = "rowid, event_json" + (", event_zstd IS NOT NULL AS zstd" if has_zstd else ", 0 AS zstd")
    for row in connection.execute(
        f"SELECT {columns} FROM transcript_events WHERE session_id = ? ORDER BY seq", (session_id,)
    ):
        text: Optional[str] = row["event_json"]
        if text is None:
            if row["zstd"]:
                on_problem(jsonio.LineProblem(
                    path, row["rowid"], ZSTD_ROW,
                    "event stored zstd-compressed (the standard library reads zstd only from Python 3.14); left out"))
            continue
        yield (text if isinstance(text, str) else bytes(text).decode("utf-8", "replace")).replace("\n", " ").encode("utf-8") + b"\n"
