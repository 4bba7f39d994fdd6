"""The export's README.md as a Hugging Face dataset card: YAML front matter, then the card body.

The front matter follows the Hub's dataset card metadata
(huggingface.co/docs/hub/datasets-cards, ``datasets``' ``DatasetCard``): one
``configs`` entry per training format, each with ``data_files`` per split, so
``datasets.load_dataset(EXPORT_DIR, "openai-chat")`` loads that format by
name. ``training-examples.jsonl`` (alpaca, agentic-stack's file) holds every
split in one file with ``metadata.split``, so it is no config: a config's
splits must be separate files. ``license`` is ``other`` with a placeholder
name: only the team that owns the runs can say how the data may be used.

Strings are written as JSON strings, which are valid YAML double-quoted
scalars, so no value can break the YAML.
"""
from __future__ import annotations

import json
from typing import Any, Dict, List, Sequence

from . import readiness, splits

LICENSE_PLACEHOLDER = "TODO-set-by-the-team"
WORKFLOWS_SHOWN = 20  # readiness lines in the card body; the rest are in flywheel-metrics.json

# The Hub's size buckets (huggingface.co/docs/hub/datasets-cards, size_categories).
_SIZES = ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M"),
          (10_000_000, "1M<n<10M"), (100_000_000, "10M<n<100M"), (1_000_000_000, "100M<n<1B"))


def size_category(rows: int) -> str:
    for limit, label in _SIZES:
        if rows < limit:
            return label
    return "n>1B"


def configs(entries: Sequence[Any]) -> List[Dict[str, Any]]:
    """``[{"config_name", "data_files": [{"split", "path"}]}]``: the per-split training files, by format.

    A split with no rows has no file (training files open on their first row), so it is not listed.
    """
    by_format: Dict[str, Dict[str, str]] = {}
    for entry in entries:
        if entry.kind == "training-example" and entry.path.startswith("training/") and entry.split and entry.rows:
            by_format.setdefault(entry.format, {})[entry.split] = entry.path
    return [
        {"config_name": name,
         "data_files": [{"split": split, "path": by_format[name][split]} for split in splits.SPLITS
                        if split in by_format[name]]}
        for name in sorted(by_format)
    ]


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def front_matter(metrics: Dict[str, Any], entries: Sequence[Any]) -> List[str]:
    found = configs(entries)
    rows = sum((metrics.get("datasets") or {}).get("sft_rows", {}).values())
    default = "openai-chat" if any(item["config_name"] == "openai-chat" for item in found) else None
    lines = [
        "---",
        "# Hugging Face dataset card metadata. Set the license before sharing this dataset.",
        "license: other",
        f"license_name: {_q(LICENSE_PLACEHOLDER)}",
        f"pretty_name: {_q('Data flywheel export')}",
        "task_categories:",
        "- text-generation",
        "tags:",
        "- agent-trajectories",
        "- tool-use",
        "- human-reviewed",
        "- data-flywheel",
        "size_categories:",
        f"- {size_category(rows)}",
    ]
    if found:
        lines.append("configs:")
    for item in found:
        lines.append(f"- config_name: {_q(item['config_name'])}")
        if item["config_name"] == default:
            lines.append("  default: true")
        lines.append("  data_files:")
        for files in item["data_files"]:
            lines += [f"  - split: {files['split']}", f"    path: {_q(files['path'])}"]
    lines += ["---", ""]
    return lines


def body(metrics: Dict[str, Any], holdout_file: str) -> List[str]:
    """What the data is, how it was made, its guarantees, readiness and known limits."""
    datasets = metrics.get("datasets") or {}
    decontamination = datasets.get("decontamination") or {}
    lines = [
        "## What this is",
        "",
        "Agent work that people reviewed: each row comes from one run of a coding or workflow agent that a",
        "person accepted or edited, as training conversations (with tool calls and results), preference pairs",
        "from human edits and rejections, ATIF trajectories (`atif/`) and two eval sets. Load a training format",
        "by name: `datasets.load_dataset(\"<this folder>\", \"openai-chat\")` (configs above; every config has the",
        "same runs, in the same splits).",
        "",
        "## How it was made",
        "",
        "`data-flywheel export` read the approved-runs file once, in approval order: every text went through the",
        "secret and personal-data scanner, runs were split by session (a session never spans two splits),",
        "exact and near-duplicate rows were collapsed, and preference pairs were taken only from human",
        "judgements. `flywheel-metrics.json` (`datasets`) counts every decision.",
        "",
        "## Redaction and review",
        "",
        "Only human-approved runs whose redaction passed are trainable; a run the scanner had to redact is",
        "not, unless the team set `accept_auto_redacted`. Matched values never appear: placeholders such as",
        "`[EMAIL_1]` stand in for them, raw run ids are hashed, reviewer names are hashed.",
        f"Runs the scanner redacted: {metrics['redaction']['runs_affected']} of {metrics['total_traces']}.",
        "",
        "## Eval sets",
        "",
        f"- `eval-cases.jsonl`: {metrics['eval_cases']} regression cases, one per approved, clean run in any split",
        "  (agentic-stack's meaning: what must keep working), each with `split` and `holdout`.",
        f"- `{holdout_file}`: {metrics['holdout_eval_cases']} held-out cases for evaluating a model trained on this",
        "  data: validation and test runs only, none whose input is the same as, nearly the same as, or shares",
        "  a span of 13 or more consecutive words with a training input"
        + (f" ({decontamination['eval_cases_overlapping_training']} left out for such a span)." if decontamination else "."),
        "",
        "## Readiness",
        "",
        "Bands from agentic-stack's planning thresholds (planning heuristics, not scientific cutoffs); the",
        "eval-set band counts the rows of `eval-cases.jsonl`.",
        "",
    ]
    workflows = metrics.get("workflows") or {}
    for key in list(workflows)[:WORKFLOWS_SHOWN]:
        place = workflows[key]["readiness"]["agentic_stack"]
        following = f"; next: {place['next']}" if place["next"] else ""
        lines.append(f"- `{key}`: {place['label']}{following}")
    if len(workflows) > WORKFLOWS_SHOWN:
        lines.append(f"- and {len(workflows) - WORKFLOWS_SHOWN} more workflows (`flywheel-metrics.json`)")
    if not workflows:
        lines.append("- no runs yet")
    lines += [
        "",
        "## Known limits",
        "",
        "- Token counts are estimates where a harness reported none (labelled approximate).",
        "- Tool schemas are inferred from observed calls where a run brought no definitions.",
        "- The scanner finds known secret and personal-data patterns; it cannot promise that nothing",
        "  sensitive remains. Review the data before it leaves the machine.",
        f"- Small workflows stay small: context cards are drafts below {readiness.CARD_BAND.low} approved runs, and",
        "  a workflow below the eval-set band has too few eval cases to measure much.",
        "- The language of the rows is whatever the runs were written in; it is not recorded.",
        "- `training-examples.jsonl` (alpaca) holds every split with `metadata.split`, so it is no config.",
        "",
    ]
    return lines
