"""What a reviewer sees of a candidate at a glance: where it came from, when, how it ended, how big, what was redacted.

Harvest writes these facts on each candidate (``project``, ``harness``,
``started_at``, ``outcome``, ``size``, ``redaction``); candidates harvested
by an earlier version lack some of them, so each fact falls back to what the
run itself shows (``created_at``, ``source.outcome``, the trajectory, the
placeholders left in its text) and says so rather than guessing.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Dict, Optional

from . import candidates

# A placeholder the scanner leaves where it removed a value: [EMAIL_1], [GITHUB_TOKEN_2], [HOME_USER_1].
PLACEHOLDER = re.compile(r"\[([A-Z][A-Z0-9_]*?)_(\d+)\]")


@dataclass
class Summary:
    project: str = ""
    harness: str = "unknown"
    when: str = ""
    outcome: str = ""
    messages: int = 0
    tool_calls: int = 0
    characters: int = 0
    # What the scanner replaced: by rule id when harvest recorded it, else by placeholder kind.
    redacted: bool = False
    findings: Optional[int] = None  # None: the count is not known
    by_rule: Dict[str, int] = field(default_factory=dict)
    by_kind: Dict[str, int] = field(default_factory=dict)

    def as_json(self) -> Dict[str, Any]:
        return {
            "project": self.project,
            "harness": self.harness,
            "when": self.when,
            "outcome": self.outcome,
            "size": {"messages": self.messages, "tool_calls": self.tool_calls, "characters": self.characters},
            "redaction": {"found": self.redacted, "findings": self.findings, "by_rule": dict(self.by_rule),
                          "by_placeholder": dict(self.by_kind)},
        }


def _text(value: Any, default: str = "") -> str:
    return value if isinstance(value, str) and value else default


def _count(value: Any) -> Optional[int]:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def summarize(record: Dict[str, Any], *, placeholders: bool = False) -> Summary:
    """The facts of ``record``; with ``placeholders``, also the kinds of value its text lost (a scan of it all)."""
    source = record.get("source") if isinstance(record.get("source"), dict) else {}
    summary = Summary(
        project=_text(record.get("project")),
        harness=_text(record.get("harness")) or _text(record.get("host"), "unknown"),
        when=_text(record.get("started_at")) or _text(record.get("created_at")) or _text(record.get("timestamp")),
        outcome=_text(record.get("outcome")) or _text(source.get("outcome")),
    )
    _size(record, summary)
    _redaction(record, summary, placeholders)
    return summary


def _size(record: Dict[str, Any], summary: Summary) -> None:
    size = record.get("size") if isinstance(record.get("size"), dict) else {}
    messages = record.get("messages") if isinstance(record.get("messages"), list) else []
    counted = [_count(size.get(key)) for key in ("messages", "tool_calls", "characters")]
    if None not in counted:
        summary.messages, summary.tool_calls, summary.characters = counted
        return
    # A candidate from before harvest counted its size: count it the way harvest does.
    summary.messages = len(messages)
    summary.characters, summary.tool_calls = candidates.characters_and_calls(messages)


def _redaction(record: Dict[str, Any], summary: Summary, placeholders: bool) -> None:
    redaction = record.get("redaction") if isinstance(record.get("redaction"), dict) else {}
    by_rule = redaction.get("by_rule")
    if isinstance(by_rule, dict):
        summary.by_rule = {str(rule): count for rule, count in sorted(by_rule.items()) if _count(count)}
    summary.findings = _count(redaction.get("findings"))
    if summary.findings is None and summary.by_rule:
        summary.findings = sum(summary.by_rule.values())
    if placeholders:  # what kind of value went, even without the harvest's count
        kinds: Dict[str, set] = {}
        text = json.dumps([record.get("input_redacted"), record.get("output_approved"), record.get("messages")],
                          ensure_ascii=False)
        for kind, number in PLACEHOLDER.findall(text):
            kinds.setdefault(kind, set()).add(number)
        summary.by_kind = {kind: len(numbers) for kind, numbers in sorted(kinds.items())}
    summary.redacted = bool(summary.findings or summary.by_kind or record.get("redaction_status") == "auto_redacted")
