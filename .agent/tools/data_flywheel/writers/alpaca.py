"""``alpaca``: instruction/context/input/output rows, agentic-stack's ``training-examples.jsonl`` as it was."""
from __future__ import annotations

from typing import Any, Dict, Iterator

NAME = "alpaca"
FILENAME = "training-examples.jsonl"
SCHEMA_KIND = "training-example"


def rows(run) -> Iterator[Dict[str, Any]]:
    yield {
        "instruction": run.text("instruction") or "Complete this approved workflow using the provided context card.",
        "context": run.text("context") or f"Use the {run.domain}_{run.workflow} context card.",
        "input": run.text("input_redacted"),
        "output": run.text("output_approved"),
        "metadata": {
            "domain": run.domain,
            "workflow": run.workflow,
            "source_trace_ids": [run.trace_id],
            "split": run.split,
            "pii_level": run.pii_level,
            "trainable": True,
            "project": run.project,
            "harness": run.harness,
        },
    }
