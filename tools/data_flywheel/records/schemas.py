"""The bundled JSON Schemas, one per record kind, and cached checkers for them.

Where the schemas are: in a repository checkout they are the top-level
``schemas/`` folder (the one copy humans edit); in an install they sit beside
the tool as ``.agent/tools/schemas/``. Either way they are a sibling or a
cousin of the package, so copying ``.agent/tools/`` brings them along.
"""
from __future__ import annotations

import functools
import json
import os
from dataclasses import dataclass
from typing import Any, Dict, Iterator, Optional, Tuple

from ..errors import SchemaError, os_fix

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_TOOLS_DIR = os.path.dirname(_PACKAGE_DIR)


def schema_dir() -> str:
    for candidate in (os.path.join(_TOOLS_DIR, "schemas"), os.path.join(os.path.dirname(_TOOLS_DIR), "schemas")):
        if os.path.isfile(os.path.join(candidate, "approved-run.schema.json")):
            return candidate
    raise SchemaError(
        "the bundled schemas are missing",
        source=os.path.join(_TOOLS_DIR, "schemas"),
        remedy="copy the whole .agent/tools/ folder, schemas/ included",
    )


@dataclass(frozen=True)
class Kind:
    name: str
    filename: str
    # Export files whose name tells their kind, for `validate FILE` without --kind.
    export_names: Tuple[str, ...] = ()
    # A JSON document that is an array of records of this kind (context-cards.json).
    array_names: Tuple[str, ...] = ()


KINDS: Dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind("approved-run", "approved-run.schema.json", ("approved-runs.jsonl",)),
        Kind("candidate-run", "candidate-run.schema.json", ("candidates.jsonl",)),
        Kind("trace-record", "trace-record.schema.json", ("trace-records.jsonl",)),
        Kind("context-card", "context-card.schema.json", (), ("context-cards.json",)),
        Kind("eval-case", "eval-case.schema.json", ("eval-cases.jsonl", "holdout.jsonl")),
        Kind("promptfoo-test", "promptfoo-test.schema.json", ("eval-cases.promptfoo.jsonl", "holdout.promptfoo.jsonl")),
        Kind("training-example", "training-example.schema.json", ("training-examples.jsonl",)),
        Kind("training-example-openai-chat", "training-example-openai-chat.schema.json"),
        Kind("training-example-hf-chat", "training-example-hf-chat.schema.json"),
        Kind("training-example-openai-preference", "training-example-openai-preference.schema.json"),
        Kind("training-example-trl-preference", "training-example-trl-preference.schema.json"),
        Kind("atif-trajectory", "atif-trajectory.schema.json"),
        Kind("episode", "episode.schema.json", ("episodes.jsonl",)),
        Kind("flywheel-metrics", "flywheel-metrics.schema.json", ("flywheel-metrics.json",)),
        Kind("manifest", "manifest.schema.json", ("manifest.json",)),
        Kind("redaction-report", "redaction-report.schema.json", ("redaction-report.json",)),
    )
}


def kind_for_filename(path: str) -> Optional[Tuple[Kind, bool]]:
    """The kind an export file's name implies, and whether the file is an array of such records."""
    name = os.path.basename(path)
    for kind in KINDS.values():
        if name in kind.export_names:
            return kind, False
        if name in kind.array_names:
            return kind, True
    # context-cards/<domain>/<workflow>.json holds one card.
    parent = os.path.basename(os.path.dirname(os.path.dirname(os.path.abspath(path))))
    if parent == "context-cards" and name.endswith(".json"):
        return KINDS["context-card"], False
    # atif/<split>.jsonl holds ATIF trajectories.
    if os.path.basename(os.path.dirname(os.path.abspath(path))) == "atif" and name.endswith(".jsonl"):
        return KINDS["atif-trajectory"], False
    # training/<format>/<split>.jsonl holds rows of that format's kind.
    if parent == "training" and name.endswith(".jsonl"):
        fmt = os.path.basename(os.path.dirname(os.path.abspath(path)))
        if "training-example-" + fmt in KINDS:
            return KINDS["training-example-" + fmt], False
    return None


def load_schema_file(path: str) -> Dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as fp:
            document = json.load(fp)
    except OSError as error:
        raise SchemaError(f"cannot read the schema: {error.strerror}", source=path, remedy=os_fix(error)) from None
    except (ValueError, RecursionError) as error:
        raise SchemaError(f"the schema is not valid JSON: {error}", source=path, remedy="fix the JSON") from None
    if not isinstance(document, (dict, bool)):
        raise SchemaError("a schema must be a JSON object or a boolean", source=path)
    return document


@functools.lru_cache(maxsize=None)
def bundled_schema(kind: str) -> Dict[str, Any]:
    return load_schema_file(os.path.join(schema_dir(), KINDS[kind].filename))


@functools.lru_cache(maxsize=None)
def checker_for(kind: str):
    """A checker for a bundled kind; the tool's own schemas assert ``format: date-time``."""
    from .checker import Checker

    path = os.path.join(schema_dir(), KINDS[kind].filename)
    return Checker(bundled_schema(kind), format_assertion=True, source=path)


def schema_id(kind: str) -> str:
    return str(bundled_schema(kind).get("$id", kind))


def issues_for(kind: str, record: Any) -> Iterator[Any]:
    return checker_for(kind).iter_issues(record)
