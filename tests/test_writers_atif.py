"""The ``atif`` writer: each run as an ATIF-v1.8 trajectory, checked by our schema and by Harbor's own validator.

The validator check installs ``harbor`` 0.26 with ``--no-deps`` and ``pydantic``
(all that ``harbor.utils.trajectory_validator`` imports) into a throwaway
Python 3.12+ virtualenv (``tests/consumers.py``; Harbor needs 3.12). Without a
3.12+ interpreter or a reachable registry the test is skipped with the reason,
except under ``CI=true``, where it must run.
"""
import json
import os
import subprocess
import sys

import pytest
from conftest import ENTRY, make_run
from consumers import consumer_python, python_at_least
from corpus import write_corpus
from test_trajectories import export_codemie

from data_flywheel.config import Config
from data_flywheel.export.gate import RedactionGate
from data_flywheel.export.pipeline import Aggregator
from data_flywheel.records import schemas
from data_flywheel.redaction import Redactor
from data_flywheel.writers import atif

AGGREGATOR = Aggregator(RedactionGate(Redactor()), Config(), "demo")
HARBOR_REQUIREMENTS = ["pydantic>=2.14,<3"]
HARBOR = "harbor==0.26.0"


def run_of(**fields):
    return AGGREGATOR.make_run(make_run(1, **fields))


def call(call_id, name, arguments):
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}


def check(row):
    checker = schemas.checker_for("atif-trajectory")
    assert checker.is_valid(row), [issue.message for issue in checker.iter_issues(row)]
    return row


def test_a_run_without_a_trajectory_is_system_user_agent_with_provenance():
    run = run_of(instruction="Triage it.", context="Rules.")
    row = check(atif.trajectory(run, "test", True))
    assert [(step["step_id"], step["source"]) for step in row["steps"]] == [(1, "system"), (2, "user"), (3, "agent")]
    assert row["steps"][0]["message"] == "Triage it.\n\nRules."
    assert row["steps"][2]["message"] == run.text("output_approved")
    assert row["extra"]["flywheel"] == {
        "trace_id": run.trace_id, "review_status": run.review_status, "split": "test", "holdout": True,
        "trainable": True, "eval_case": True, "domain": run.domain, "workflow": run.workflow, "harness": run.harness,
        "redaction_status": "passed", "source_run_id_hash": run.trace_record()["source_run_id_hash"]}
    assert row["session_id"] == row["trajectory_id"] == run.trace_id
    assert row["final_metrics"] == {"total_steps": 3}


def test_every_call_and_result_is_kept_answered_or_not():
    messages = [
        {"role": "developer", "content": "Be brief."},
        {"role": "user", "content": [{"type": "text", "text": "Fix it."}]},
        {"role": "assistant", "content": None, "reasoning_content": "Look first.",
         "tool_calls": [call("c1", "read", '{"path": "a.py"}'), call("c2", "grep", "{broken"), call("c3", "ls", None)]},
        {"role": "tool", "tool_call_id": "c1", "content": "print(1)"},
        {"role": "tool", "tool_call_id": "zz", "content": "an orphan"},
        {"role": "assistant", "content": "Draft."},
    ]
    run = run_of(messages=messages, output_approved="Approved.", tools=[{"type": "function", "function": {"name": "read"}}])
    row = check(atif.trajectory(run, "train", False))
    agent = row["steps"][2]
    assert agent["reasoning_content"] == "Look first."
    assert agent["tool_calls"] == [
        {"tool_call_id": "c1", "function_name": "read", "arguments": {"path": "a.py"}},
        {"tool_call_id": "c2", "function_name": "grep", "arguments": {}, "extra": {"arguments_text": "{broken"}},
        {"tool_call_id": "c3", "function_name": "ls", "arguments": {}},
    ]
    assert agent["observation"] == {"results": [{"source_call_id": "c1", "content": "print(1)"},
                                                {"content": "an orphan", "extra": {"tool_call_id": "zz"}}]}
    assert row["steps"][3] == {"step_id": 4, "source": "agent", "message": "Approved.",
                               "extra": {"original_message": "Draft."}}
    assert [tool["function"]["name"] for tool in row["agent"]["tool_definitions"]] == ["read", "grep", "ls"]
    assert row["agent"]["tool_definitions"][0]["function"]["parameters"]["required"] == ["path"]


def test_harvested_usage_becomes_final_metrics():
    run = run_of(source={"session_hash": "sha256:" + "a" * 64, "segment": 2,
                         "usage": {"input_tokens": 10, "output_tokens": 5, "cache_read_tokens": 3}})
    row = check(atif.trajectory(run, "train", False))
    assert row["final_metrics"] == {"total_steps": 3, "total_completion_tokens": 5, "total_cached_tokens": 3,
                                    "extra": {"usage": {"cache_read_tokens": 3, "input_tokens": 10, "output_tokens": 5}}}
    assert row["session_id"] == "sha256:" + "a" * 64 and row["extra"]["flywheel"]["segment"] == 2


# --- Harbor's own validator ------------------------------------------------------------


VALIDATE = r'''
import json, sys
from harbor.utils.trajectory_validator import TrajectoryValidator
report = {"lines": 0, "errors": []}
for path in sys.argv[1:]:
    with open(path, encoding="utf-8") as fp:
        for number, line in enumerate(fp, 1):
            validator = TrajectoryValidator()
            report["lines"] += 1
            if not validator.validate(json.loads(line)):
                report["errors"].append([path, number, validator.errors[:3]])
print(json.dumps(report))
'''


@pytest.fixture(scope="module")
def harbor_python():
    base = python_at_least(12)
    try:
        if base is None:
            raise RuntimeError("no Python 3.12 or newer to install harbor into (it needs 3.12)")
        return consumer_python("harbor", HARBOR_REQUIREMENTS, base=base, no_deps=[HARBOR])
    except (RuntimeError, subprocess.SubprocessError) as error:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"Harbor's validator could not be installed: {str(error).splitlines()[0]}")


def test_every_exported_trajectory_passes_harbors_validator(tmp_path, harbor_python):
    runs = write_corpus(str(tmp_path / "approved-runs.jsonl"), 150, seed=5)
    out = tmp_path / "out"
    env = dict(os.environ, NO_COLOR="1", SOURCE_DATE_EPOCH="1777104000")
    result = subprocess.run([sys.executable, ENTRY, "export", "--approved-runs", runs, "--out", str(out)],
                            capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    manifest = json.loads((out / "manifest.json").read_text())
    entries = [entry for entry in manifest["files"] if entry["format"] == "atif"]
    assert sorted(entry["split"] for entry in entries) == ["test", "train", "validation"]
    paths = [str(out / entry["path"]) for entry in entries]
    # The round-trip fixture too: continuations and an embedded subagent, as Harbor's models define them.
    paths.append(os.path.join(os.path.dirname(__file__), "fixtures", "atif", "segments-and-subagents.jsonl"))
    checked = subprocess.run([harbor_python, "-c", VALIDATE, *paths], capture_output=True, text=True, timeout=300)
    assert checked.returncode == 0, checked.stderr[-3000:]
    report = json.loads(checked.stdout)
    assert report["errors"] == []
    assert report["lines"] == sum(entry["rows"] for entry in entries) + 2
    rows = [json.loads(line) for path in paths[:-1] for line in open(path, encoding="utf-8")]
    assert any(step.get("tool_calls") for row in rows for step in row["steps"])  # the corpus has tool calls


def test_subagent_references_pass_harbors_validator(tmp_path, harbor_python):
    """Real Claude Code sessions with a subagent, parent and subagent in different split files."""
    _, rows, export = export_codemie(tmp_path, "--split-ratios", "0,50,50")
    paths = [str(export / "atif" / f"{split}.jsonl") for split in sorted(rows)]
    checked = subprocess.run([harbor_python, "-c", VALIDATE, *paths], capture_output=True, text=True, timeout=300)
    assert checked.returncode == 0, checked.stderr[-3000:]
    report = json.loads(checked.stdout)
    assert report == {"lines": sum(len(split_rows) for split_rows in rows.values()), "errors": []}
    assert any("subagent_trajectory_ref" in result for split_rows in rows.values() for row in split_rows
               for step in row["steps"] for result in step.get("observation", {}).get("results", ()))
