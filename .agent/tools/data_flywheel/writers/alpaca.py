"""``alpaca``: instruction/context/input/output rows, agentic-stack's ``training-examples.jsonl`` as it was.

One row per example whatever its trajectory: the run's own fields, not its
conversation (agentic-stack and Axolotl's ``alpaca`` type read these four).
``metadata.split`` is the example's split; the file holds every split.
"""
from __future__ import annotations

from typing import Any, Dict, Iterator

from .conversation import DEFAULT_INSTRUCTION

NAME = "alpaca"
SCHEMA_KIND = "training-example"


def rows(example) -> Iterator[Dict[str, Any]]:
    run = example.run
    yield {
        "instruction": run.text("instruction") or DEFAULT_INSTRUCTION,
        "context": run.text("context") or f"Use the {run.domain}_{run.workflow} context card.",
        "input": run.text("input_redacted"),
        "output": run.text("output_approved"),
        "metadata": {
            "domain": run.domain,
            "workflow": run.workflow,
            "source_trace_ids": [run.trace_id],
            "split": example.split,
            "pii_level": run.pii_level,
            "trainable": True,
            "project": run.project,
            "harness": run.harness,
        },
    }
