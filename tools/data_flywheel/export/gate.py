"""The redaction gate: every string an export writes from passes through the scanner first.

A run's ``redaction_status`` is a claim. The gate redacts every string of the
record (keys too: free-form objects such as tool arguments can carry a
secret in a key) with one redaction session per run, so the same value gets
the same placeholder everywhere in that run. What it found is kept as counts
by rule and by field, never as values.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, Optional, Tuple

from ..records.run import AUTO_REDACTED, PERSONAL_REDACTED

# Not free text: hashed or parsed before use, never written as they are.
_UNSCANNED_TOP_LEVEL = ("id", "created_at", "timestamp")

# Keys that are the schemas' own words (field names, chat-message keys) hold no
# secret; any other key (tool arguments, free-form objects) is scanned like text.
_KNOWN_KEYS = frozenset(
    """id created_at timestamp project domain workflow harness host skill agent_skill model_used instruction
    context goal input_redacted output_approved output_original input_summary output_summary messages tools
    human_review human_review_status redaction_status pii_level raw_input_stored trainable context_tokens_before
    context_tokens_after trace_id eval_id split eval_tags failure_modes stable_rules tool_contracts
    human_approval_required_for expected_behavior forbidden_behavior rubric target_use model_target input_hash
    role content name tool_calls tool_call_id reasoning_content type text function arguments parameters
    description properties required status reviewer reviewed_at review_notes edit_distance_estimate family
    size_class method""".split()
)


@dataclass
class RunFindings:
    count: int = 0
    by_rule: Dict[str, int] = field(default_factory=dict)
    by_field: Dict[str, int] = field(default_factory=dict)
    # Which rule and class each placeholder stands for (placeholders are not secrets): lets a
    # part of the record (one request of a harvested episode) say what was found in it.
    placeholders: Dict[str, Tuple[str, str]] = field(default_factory=dict)
    # ``secret`` and ``personal`` (redaction.CLASSES): what the findings mean for training.
    by_class: Dict[str, int] = field(default_factory=dict)

    def as_record(self) -> Dict[str, Any]:
        return {
            "findings": self.count,
            "by_class": dict(sorted(self.by_class.items())),
            "by_rule": dict(sorted(self.by_rule.items())),
            "by_field": dict(sorted(self.by_field.items())),
        }


# The claims a run may carry that the tool itself wrote: "passed" (it scanned and
# found nothing) and "auto_redacted" (it replaced something; the classes are in
# ``redaction_findings``). Anything else ("needs_review", "failed") blocks training.
TOOL_CLAIMS = ("passed", "auto_redacted")


def stored_classes(record: Dict[str, Any]) -> Dict[str, int]:
    """The findings by class a run says the tool already replaced (harvest writes them).

    A run that claims ``auto_redacted`` without saying what was replaced (written
    by an older version, or by hand) counts as one secret: fail closed.
    """
    stored = record.get("redaction_findings")
    counts: Dict[str, int] = {}
    if isinstance(stored, dict):
        for name in ("secret", "personal"):
            value = stored.get(name)
            if type(value) is int and value > 0:
                counts[name] = value
    if not counts and record.get("redaction_status") == "auto_redacted":
        counts["secret"] = 1
    return counts


def accepted_secrets(record: Dict[str, Any]) -> int:
    """How many replaced secrets a reviewer accepted for training (``review --accept-secrets``), else 0."""
    review = record.get("human_review") if isinstance(record.get("human_review"), dict) else {}
    accepted = review.get("redaction_accepted") if isinstance(review.get("redaction_accepted"), dict) else {}
    count = accepted.get("secret")
    return count if type(count) is int and count > 0 else 0


def redaction_block(by_class: Dict[str, int], config: Any) -> Optional[str]:
    """Why these findings keep a run out of training, or ``None``.

    Everything found is always replaced. A secret blocks until the team accepts
    such runs (``accept_auto_redacted``); personal data alone does not, unless
    ``personal_data_trainable`` is false.
    """
    if config.accept_auto_redacted:
        return None
    if by_class.get("secret"):
        return AUTO_REDACTED
    if by_class.get("personal") and not config.personal_data_trainable:
        return PERSONAL_REDACTED
    return None


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
                clean[self._key(key, "", session)] = self._redact(value, key, session)
        found = RunFindings()
        for finding in session.findings:
            found.count += 1
            found.by_rule[finding.rule_id] = found.by_rule.get(finding.rule_id, 0) + 1
            found.by_class[finding.severity] = found.by_class.get(finding.severity, 0) + 1
            name = finding.field or ""
            found.by_field[name] = found.by_field.get(name, 0) + 1
            if finding.placeholder:
                found.placeholders[finding.placeholder] = (finding.rule_id, finding.severity)
        return clean, found

    @staticmethod
    def _key(key: str, path: str, session) -> str:
        return key if key in _KNOWN_KEYS else session.redact(key, field=f"{path}(key)")

    def _redact(self, value: Any, path: str, session) -> Any:
        """A redacted copy of ``value``; ``path`` names the field without list indexes
        (``messages.tool_calls.function.arguments``), which is how findings are counted.

        Recursive: inputs were JSON-parsed, so their depth is bounded by the parser's own limit.
        """
        if type(value) is str:
            return session.redact(value, field=path)
        if type(value) is list:
            return [self._redact(item, path, session) for item in value]
        if type(value) is dict:
            redact, key_of = self._redact, self._key
            return {key_of(key, path + ".", session): redact(item, f"{path}.{key}", session) for key, item in value.items()}
        return value

    def redact_value(self, value: Any) -> Any:
        """A redacted copy of any JSON value, for describing a bad record without quoting its secrets.

        Schema messages quote values, cut at 80 characters; a secret cut in two
        might no longer look like one to the scanner, so messages are made from
        the redacted copy instead of being redacted afterwards.
        """
        return self._redact(value, "$", self.redactor.session())
