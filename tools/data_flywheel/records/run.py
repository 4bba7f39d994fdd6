"""One approved-runs line, redacted and normalised: what every export artifact is built from.

``Run`` holds only redacted text (the gate ran before it was made) and the
decisions about it: its review status, its final redaction status, whether it
is trainable and why not. ``trace_record`` and ``eval_case`` shape it into
agentic-stack's records with our additions.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from . import normalize

# Why a run is not trainable, as codes in trace records and counts in metrics.
NOT_APPROVED = "not_approved"
REDACTION_NOT_PASSED = "redaction_not_passed"
AUTO_REDACTED = "auto_redacted"  # a secret was replaced and nobody accepted the run
PERSONAL_REDACTED = "personal_data_redacted"  # personal data was replaced and config.json is strict
RAW_INPUT_STORED = "raw_input_stored"
OPTED_OUT = "opted_out"
EMPTY_TEXT = "empty_text"

DEFAULT_RUBRIC = (
    "Use only redacted/supplied facts.",
    "Separate facts from assumptions.",
    "Do not invent missing details.",
    "Respect the workflow's human approval gates.",
)


# Fields agentic-stack reads as "a string or a list of strings".
LIST_FIELDS = (
    "eval_tags", "failure_modes", "stable_rules", "tool_contracts", "human_approval_required_for",
    "expected_behavior", "forbidden_behavior", "rubric", "target_use",
)


def string_lists(record: Dict[str, Any]) -> Dict[str, List[str]]:
    """Each list field as distinct, non-empty strings, read once per run."""
    lists = {}
    for name in LIST_FIELDS:
        value = record.get(name)
        lists[name] = normalize.unique_strings(normalize.as_list(value)) if value else []
    return lists


@dataclass
class Run:
    record: Dict[str, Any]  # redacted copy of the input line
    raw_id: str
    project: str
    domain: str
    workflow: str
    trace_id: str
    created_at: str
    review_status: str
    claim: str
    redaction_status: str
    findings: Dict[str, Any]
    # Replaced values by class (secret, personal), found now or at harvest: the redaction verdict's input.
    classes: Dict[str, int] = field(default_factory=dict)
    not_trainable_because: List[str] = field(default_factory=list)
    eval_ready: bool = False
    lists: Dict[str, List[str]] = field(default_factory=dict)
    split: str = "train"  # set by the curator from the run's group (export/splits.py)
    # context_tokens_before/after: the run's own numbers, else the tool's approximate estimate.
    tokens_before: Optional[float] = None
    tokens_after: Optional[float] = None
    tokens_estimated: bool = False

    @property
    def trainable(self) -> bool:
        return not self.not_trainable_because

    @property
    def approved(self) -> bool:
        return normalize.is_approved(self.review_status)

    def text(self, key: str) -> str:
        value = self.record.get(key)
        return value if isinstance(value, str) else ""

    @property
    def harness(self) -> str:
        return self.text("harness") or self.text("host") or "unknown"

    @property
    def skill(self) -> str:
        return self.text("skill") or self.text("agent_skill") or "data-flywheel"

    @property
    def pii_level(self) -> str:
        return self.text("pii_level") or "unknown"

    def list_field(self, key: str) -> List[str]:
        return self.lists[key]

    def tool_call_count(self) -> int:
        messages = self.record.get("messages")
        if not isinstance(messages, list):
            return 0
        return sum(len(m.get("tool_calls") or []) for m in messages if isinstance(m, dict))

    def trace_record(self) -> Dict[str, Any]:
        record = self.record
        review = dict(record["human_review"]) if isinstance(record.get("human_review"), dict) else {}
        review["status"] = self.review_status
        # Reviewer names are personal data; the export keeps who-approved as a hash.
        reviewer = review.pop("reviewer", None)
        if isinstance(reviewer, str) and reviewer:
            review["reviewer_hash"] = normalize.hashed_id(reviewer)
        model_target = record.get("model_target")
        trace = {
            "id": self.trace_id,
            "created_at": self.created_at,
            "project": self.project,
            "domain": self.domain,
            "workflow": self.workflow,
            "skill": self.skill,
            "host": self.harness,
            "model_used": self.text("model_used") or "unknown",
            "input_summary": self.text("input_summary"),
            "input_hash": "sha256:" + normalize.sha256_hex(self.text("input_redacted")),
            "raw_input_stored": False,
            "pii_level": self.pii_level,
            "redaction_status": self.redaction_status,
            "redaction_claim": self.claim,
            "redaction": self.findings,
            "context_tokens_before": self.tokens_before,
            "context_tokens_after": self.tokens_after,
            "context_tokens_estimated": self.tokens_estimated,
            "output_summary": self.text("output_summary"),
            "human_review": review,
            "review_status": self.review_status,
            "eval_tags": self.lists["eval_tags"],
            "failure_modes": self.lists["failure_modes"],
            "trainable": self.trainable,
            "not_trainable_because": list(self.not_trainable_because),
            "target_use": self.lists["target_use"] or ["retrieval", "eval"],
            "model_target": model_target
            if isinstance(model_target, dict)
            else {"family": "open_weight_model_agnostic", "size_class": "unknown", "method": "unknown"},
            "source_run_id_hash": normalize.hashed_id(self.raw_id),
            "has_messages": isinstance(record.get("messages"), list),
            "tool_call_count": self.tool_call_count(),
            "split": self.split,
        }
        return trace

    def eval_case(self, holdout: bool = False) -> Optional[Dict[str, Any]]:
        """agentic-stack's eval case (every approved, clean run, whatever its split), with our additions.

        ``holdout`` says whether the curator also kept it in the held-out,
        decontaminated set (``eval/holdout.jsonl``): a validation or test run
        whose input no training row shares.
        """
        if not self.eval_ready:
            return None
        expected = self.list_field("expected_behavior") or normalize.unique_strings(
            [self.text("output_summary") or "Match the human-approved output intent."]
        )
        case_id = self.text("eval_id") or f"eval_{normalize.sha256_hex(self.trace_id)[:16]}"
        forbidden = normalize.unique_strings(self.lists["forbidden_behavior"] + self.lists["failure_modes"])
        rubric = self.lists["rubric"] or list(DEFAULT_RUBRIC)
        tags = normalize.unique_strings(self.lists["eval_tags"] + [self.domain, self.workflow])
        return {
            "id": case_id,
            "domain": self.domain,
            "workflow": self.workflow,
            "input_redacted": self.text("input_redacted"),
            "expected_behavior": expected,
            "forbidden_behavior": forbidden,
            "rubric": rubric,
            "tags": tags,
            "source_trace_ids": [self.trace_id],
            "split": self.split,
            "holdout": holdout,
            # What eval runners read (inspect_ai's FieldSpec, OpenAI evals): the task as the
            # input, the human-approved answer as the target, everything else as metadata.
            # Never top-level files, setup or sandbox: runners execute those.
            "input": self.instruction_and_input(),
            "target": self.text("output_approved"),
            "metadata": {
                "domain": self.domain,
                "workflow": self.workflow,
                "split": self.split,
                "holdout": holdout,
                "expected_behavior": expected,
                "forbidden_behavior": forbidden,
                "rubric": rubric,
                "tags": tags,
                "source_trace_ids": [self.trace_id],
            },
        }

    def instruction_and_input(self) -> str:
        """The task as one prompt: the workflow instruction, then the redacted input."""
        instruction = self.text("instruction").strip()
        task = self.text("input_redacted")
        return f"{instruction}\n\n{task}" if instruction else task
