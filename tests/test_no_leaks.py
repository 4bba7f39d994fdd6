"""Secrets never leave the redaction engine: plant hundreds of fake values, look for them everywhere.

Values come from tests/secret_factory.py, assembled at run time, so this
repository holds none. Each value sits in a realistic context (an env line, a
curl command, JSON tool output) in a different field of an approved run:
free text, chat messages, tool-call arguments and results, review notes,
rules, even a wrongly typed field whose schema message would quote it.
"""
import hashlib
import json
import os

from conftest import run_cli
from data_flywheel.redaction import RULES
from secret_factory import FAMILIES, planted_texts


def planted_runs():
    planted = planted_texts(seed=11, per_family=4)
    runs = []
    for index, (family, value, text) in enumerate(planted):
        slot = index % 7
        run = {
            "id": f"leak-{index}",
            "created_at": "2026-04-25T10:00:00Z",
            "domain": "ops",
            "workflow": "deploy",
            "input_redacted": "Deploy the service.",
            "output_approved": "Deployed.",
            "human_review": {"status": "accepted"},
            "redaction_status": "passed",
            "pii_level": "none",
        }
        if slot == 0:
            run["input_redacted"] = f"Here is the env dump:\n{text}\nplease deploy"
        elif slot == 1:
            run["output_approved"] = f"I ran it:\n{text}"
        elif slot == 2:
            run["messages"] = [
                {"role": "user", "content": "check the config"},
                {"role": "assistant", "content": "", "tool_calls": [
                    {"id": "c1", "type": "function", "function": {"name": "bash", "arguments": json.dumps({"cmd": text})}}]},
                {"role": "tool", "tool_call_id": "c1", "content": text},
                {"role": "assistant", "content": "done"},
            ]
        elif slot == 3:
            run["human_review"] = {"status": "edited", "review_notes": f"removed this: {text}"}
            run["output_original"] = text
        elif slot == 4:
            run["stable_rules"] = [f"Never paste {text}"]
            run["failure_modes"] = [text]
        elif slot == 5:
            run["input_summary"] = text
            run["instruction"] = text
        else:
            # A wrong type: the schema message would quote this value if it were not redacted first.
            run["context_tokens_before"] = text
        runs.append(run)
    return planted, runs


def test_no_planted_value_reaches_any_output_stdout_or_stderr(tmp_path):
    planted, runs = planted_runs()
    assert len(planted) >= 200 and len({family for family, _, _ in planted}) == len(FAMILIES)
    runs_path = tmp_path / "approved-runs.jsonl"
    runs_path.write_text("".join(json.dumps(run) + "\n" for run in runs), encoding="utf-8")
    text_path = tmp_path / "transcript.txt"
    text_path.write_text("\n".join(text for _, _, text in planted) + "\n", encoding="utf-8")
    out = tmp_path / "export"
    env = {"NO_COLOR": "1", "SOURCE_DATE_EPOCH": "1777104000"}

    results = [
        run_cli(["export", "--approved-runs", str(runs_path), "--out", str(out)], env=env),
        run_cli(["export", "--approved-runs", str(runs_path), "--out", str(tmp_path / "export-json"), "--json"], env=env),
        run_cli(["status", "--approved-runs", str(runs_path)], env=env),
        run_cli(["status", "--approved-runs", str(runs_path), "--json"], env=env),
        run_cli(["validate", "--kind", "approved-run", str(runs_path)], env=env),
        run_cli(["validate", "--kind", "approved-run", str(runs_path), "--json"], env=env),
        run_cli(["redact", "--check", str(text_path)], env=env),
        run_cli(["redact", "--check", "--json", str(text_path)], env=env),
        run_cli(["redact", str(text_path)], env=env),
    ]
    assert results[0].code == 0, results[0]
    assert results[4].code == 1  # the wrongly typed fields are invalid, and reported
    assert "context_tokens_before" in results[4].out
    assert results[6].code == 1  # findings

    written = []
    for folder in (out, tmp_path / "export-json"):
        for base, _dirs, names in os.walk(folder):
            for name in names:
                with open(os.path.join(base, name), encoding="utf-8") as fp:
                    written.append((os.path.join(base, name), fp.read()))
    streams = [(f"command {i} stdout", r.out) for i, r in enumerate(results)]
    streams += [(f"command {i} stderr", r.err) for i, r in enumerate(results)]
    leaks = []
    for family, value, _text in planted:
        for where, content in written + streams:
            if value in content:
                leaks.append(f"{family} in {where}")  # never the value itself, even in a failure message
    assert leaks == []

    metrics = json.loads((out / "flywheel-metrics.json").read_text())
    # Every planted run was caught; a run with a planted secret is not trainable,
    # one with personal data only trains with its placeholders.
    assert metrics["redaction"]["runs_affected"] >= len(runs) - len(runs) // 7 - 1
    secret_rules = {rule.id for rule in RULES if rule.severity == "secret"}
    traces = {t["source_run_id_hash"]: t for t in map(json.loads, (out / "trace-records.jsonl").read_text().splitlines())}
    wrong = []
    for (family, _value, _text), run in zip(planted, runs):
        trace = traces.get("sha256:" + hashlib.sha256(run["id"].encode()).hexdigest())  # None: an invalid line
        if trace is not None and FAMILIES[family] in secret_rules and trace["trainable"]:
            wrong.append(family)
    assert wrong == []
    assert 0 < metrics["trainable_traces"] < len(runs) // 2
