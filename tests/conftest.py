"""Shared test helpers: the package on sys.path, a CLI runner with captured streams, run builders."""
from __future__ import annotations

import io
import json
import os
import sys
from typing import Any, Dict, List, Optional

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOOLS = os.path.join(ROOT, "tools")
ENTRY = os.path.join(TOOLS, "data_flywheel_export.py")
EXAMPLE_RUNS = os.path.join(ROOT, "examples", "flywheel", "approved-runs.jsonl")
FIXTURES = os.path.join(ROOT, "tests", "fixtures")
sys.path.insert(0, TOOLS)

from data_flywheel.cli import main  # noqa: E402


class Result:
    def __init__(self, code: int, out: str, err: str) -> None:
        self.code = code
        self.out = out
        self.err = err

    def json(self) -> Any:
        return json.loads(self.out)

    def __repr__(self) -> str:
        return f"Result(code={self.code}, out={self.out[:2000]!r}, err={self.err[:2000]!r})"


def run_cli(argv: List[str], stdin: Optional[bytes] = None, env: Optional[Dict[str, str]] = None) -> Result:
    out, err = io.StringIO(), io.StringIO()
    stdin_stream = io.TextIOWrapper(io.BytesIO(stdin or b""), encoding="utf-8")
    environment = {"NO_COLOR": "1"} if env is None else env
    code = main(argv, stdin=stdin_stream, stdout=out, stderr=err, env=environment)
    return Result(code, out.getvalue(), err.getvalue())


@pytest.fixture
def cli():
    return run_cli


def make_run(index: int = 1, **overrides: Any) -> Dict[str, Any]:
    """A valid approved run; keyword arguments replace fields (None removes one)."""
    run: Dict[str, Any] = {
        "id": f"run-{index:05d}",
        "created_at": "2026-04-25T10:00:00Z",
        "project": "demo",
        "domain": "saas",
        "workflow": "bug_triage",
        "harness": "codex",
        "instruction": "Triage the ticket.",
        "input_redacted": f"Ticket {index}: the import fails after adding a custom field.",
        "output_approved": f"Likely regression in the import validator (ticket {index}).",
        "human_review": {"status": "accepted", "review_notes": "Looks good."},
        "redaction_status": "passed",
        "pii_level": "none",
        "raw_input_stored": False,
        "stable_rules": ["Separate facts from assumptions."],
    }
    for key, value in overrides.items():
        if value is None:
            run.pop(key, None)
        else:
            run[key] = value
    return run


def write_runs(path, runs: List[Any]) -> str:
    with open(path, "w", encoding="utf-8") as fp:
        for run in runs:
            fp.write((run if isinstance(run, str) else json.dumps(run)) + "\n")
    return str(path)


def read_jsonl(path) -> List[Any]:
    with open(path, encoding="utf-8") as fp:
        return [json.loads(line) for line in fp if line.strip()]


def tree_bytes(folder) -> Dict[str, bytes]:
    """Every file under ``folder`` by relative path, for byte-for-byte comparisons."""
    found = {}
    for base, _dirs, names in os.walk(folder):
        for name in names:
            full = os.path.join(base, name)
            with open(full, "rb") as fp:
                found[os.path.relpath(full, folder)] = fp.read()
    return found
