"""The redaction gate: every string an export writes from passes through the scanner first.

A run's ``redaction_status`` is a claim. The gate redacts every string of the
record (keys too: free-form objects such as tool arguments can carry a
secret in a key) with one redaction session per run, so the same value gets
the same placeholder everywhere in that run. What it found is kept as counts
by rule and by field, never as values.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Tuple

_INDEX = re.compile(r"\[\d+\]")

# Not free text: hashed or parsed before use, never written as they are.
_UNSCANNED_TOP_LEVEL = ("id", "created_at", "timestamp")


@dataclass
class RunFindings:
    count: int = 0
    by_rule: Dict[str, int] = field(default_factory=dict)
    by_field: Dict[str, int] = field(default_factory=dict)

    def as_record(self) -> Dict[str, Any]:
        return {
            "findings": self.count,
            "by_rule": dict(sorted(self.by_rule.items())),
            "by_field": dict(sorted(self.by_field.items())),
        }


def field_name(path: str) -> str:
    """``messages[3].tool_calls[0].function.arguments`` -> ``messages.tool_calls.function.arguments``."""
    return _INDEX.sub("", path)


class RedactionGate:
    def __init__(self, redactor) -> None:
        self.redactor = redactor

    def redact_record(self, record: Dict[str, Any]) -> Tuple[Dict[str, Any], RunFindings]:
        session = self.redactor.session()
        clean: Dict[str, Any] = {}
        for key, value in record.items():
            if key in _UNSCANNED_TOP_LEVEL:
                clean[key] = value
            else:
                clean[session.redact(key, field="(key)")] = self._redact(value, key, session)
        found = RunFindings()
        for finding in session.findings:
            found.count += 1
            found.by_rule[finding.rule_id] = found.by_rule.get(finding.rule_id, 0) + 1
            name = field_name(finding.field or "")
            found.by_field[name] = found.by_field.get(name, 0) + 1
        return clean, found

    def _redact(self, value: Any, path: str, session) -> Any:
        # Iterative over depth would be faster to write recursively; inputs are schema-checked
        # and JSON-parsed, so their depth is bounded by the parser's own limit.
        if isinstance(value, str):
            return session.redact(value, field=path)
        if isinstance(value, list):
            return [self._redact(item, f"{path}[{index}]", session) for index, item in enumerate(value)]
        if isinstance(value, dict):
            return {
                session.redact(key, field=f"{path}.(key)"): self._redact(item, f"{path}.{key}", session)
                for key, item in value.items()
            }
        return value

    def redact_value(self, value: Any) -> Any:
        """A redacted copy of any JSON value, for describing a bad record without quoting its secrets.

        Schema messages quote values, cut at 80 characters; a secret cut in two
        might no longer look like one to the scanner, so messages are made from
        the redacted copy instead of being redacted afterwards.
        """
        return self._redact(value, "$", self.redactor.session())
