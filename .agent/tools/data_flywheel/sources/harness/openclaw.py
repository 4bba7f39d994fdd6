"""OpenClaw's legacy JSONL sessions: pi's format (OpenClaw embeds pi's SessionManager).

Only the harness name differs, so this reuses ``pi``. A file is OpenClaw's
when its pi header's ``cwd`` is under ``.openclaw`` or an early entry is
OpenClaw's ``model-snapshot`` custom entry. The SQLite store of 2026.x
(``agent/openclaw-agent.sqlite``) is not read here.
"""
# OpenClaw session format: shared/formats/harness-sessions.md section 3 (npm openclaw@2026.9.6,
# docs/reference/session-management-compaction/schema.md).
from __future__ import annotations

import functools
import json
from typing import List, Tuple

from . import pi

NAME = "openclaw"
DEFAULT_DIRS: Tuple[str, ...] = ("~/.openclaw/agents/*/sessions",)


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


read_session = functools.partial(pi.read_session, harness=NAME)
read = read_session
