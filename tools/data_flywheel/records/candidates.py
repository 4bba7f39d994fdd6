"""Candidate runs: harvested task episodes waiting for a human decision.

Each usable task episode becomes one pending candidate in
``.agent/flywheel/candidates.jsonl`` (schema ``candidate-run``): the first
user request as ``input_redacted``, the agent's final answer as
``output_approved`` (what a reviewer accepts, edits or rejects), and the whole
redacted trajectory as ``messages``. Harvested sessions have no domain or
workflow of their own; candidates get ``coding`` / ``<harness>_session``
until a reviewer says otherwise.

Appending is idempotent: a candidate's id is a digest of its session hash,
segment and content, so harvesting the same sessions again adds nothing,
while a session that grew since adds its new version. Appends happen under a
lock, one whole line at a time (cut back if a write fails), so a concurrent
reviewer or harvester never sees half a line.
"""
from __future__ import annotations

import hashlib
import json
import os
from typing import Any, Dict, Iterable

from .. import jsonio
from ..locking import locked
from ..seen import SeenSet
from . import normalize

CANDIDATES_FILE = "candidates.jsonl"


def content_digest(record: Dict[str, Any]) -> str:
    body = json.dumps(record["messages"], sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def candidate_from_episode(
    record: Dict[str, Any], *, findings: int, project: str, harvested_at: str
) -> Dict[str, Any]:
    """A pending candidate run from a redacted ``task`` episode record."""
    messages = record["messages"]
    first_user = next((m.get("content") or "" for m in messages if m["role"] == "user"), "")
    final = next((m.get("content") or "" for m in reversed(messages) if m["role"] == "assistant"), "")
    key = f"{record['session_hash']}|{record['segment']}|{content_digest(record)}"
    candidate: Dict[str, Any] = {
        "id": "cand_" + normalize.sha256_hex(key)[:24],
        "created_at": record.get("started_at") or harvested_at,
        "project": project,
        "domain": "coding",
        "workflow": normalize.slug(f"{record['harness']}_session"),
        "harness": record["harness"],
        "input_redacted": first_user if isinstance(first_user, str) else "",
        "output_approved": final if isinstance(final, str) else "",
        "messages": messages,
        "tools": record.get("tools") or [],
        "human_review": {"status": "pending"},
        # The tool scanned and redacted this text itself; "passed" is its own finding, not a claim.
        "redaction_status": "auto_redacted" if findings else "passed",
        "pii_level": "unknown",
        "raw_input_stored": False,
        "source": {
            "episode_id": record["id"],
            "session_hash": record["session_hash"],
            "segment": record["segment"],
            "outcome": record["outcome"],
            "unanswered_tool_calls": record.get("unanswered_tool_calls", 0),
        },
    }
    if record.get("model"):
        candidate["model_used"] = record["model"]
    return candidate


def append_new(path: str, candidates: Iterable[Dict[str, Any]]) -> int:
    """Append the candidates whose id is not in ``path`` yet; return how many were added.

    Written one line at a time as they come (a candidate carries its whole
    trajectory, so holding them all would grow with the harvest), under the
    lock, so no other writer interleaves. A reader may see the last line
    still being written; every reader here treats a torn last line as unfinished.
    """
    added = 0
    with locked(path), SeenSet() as seen:
        if os.path.exists(path):
            with open(path, "rb") as fp:
                for _line, existing in jsonio.read_json_lines(fp, path, lambda _problem: None):
                    if isinstance(existing.get("id"), str):
                        seen.first_seen(existing["id"], 0)
        with jsonio.LineAppender(path, what="the candidates") as store:  # each line whole or absent
            for candidate in candidates:
                if seen.first_seen(candidate["id"], 0) is not None:
                    continue
                store.append(jsonio.dumps_line(candidate).encode("utf-8"))
                added += 1
    return added
