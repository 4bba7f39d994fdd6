"""Chat rows offer each workflow's tool schemas, inferred from every exported call of that workflow."""
import hashlib
import json

from conftest import make_run, read_jsonl, run_cli, write_runs

EPOCH = {"NO_COLOR": "1", "SOURCE_DATE_EPOCH": "1777104000"}


def _run(index, workflow, arguments, tools=None):
    words = " ".join(f"r{index}w{k}" for k in range(10))  # texts that share no words: no duplicate collapsing
    run = make_run(index, workflow=workflow, input_redacted=f"Ticket {words}", output_approved=f"Answer {words[::-1]}",
                   messages=[{"role": "user", "content": f"Ticket {words}"},
                             {"role": "assistant", "content": None, "tool_calls": [
                                 {"id": "c1", "type": "function",
                                  "function": {"name": "Read", "arguments": arguments}}]},
                             {"role": "tool", "tool_call_id": "c1", "content": "text"},
                             {"role": "assistant", "content": "done"}])
    if tools is not None:
        run["tools"] = tools
    return run


def _export(tmp_path, runs):
    out = tmp_path / "out"
    result = run_cli(["export", "--approved-runs", write_runs(tmp_path / "runs.jsonl", runs), "--out", str(out),
                      "--split-ratios", "1,0,0"], env=EPOCH)
    assert result.code == 0, result
    return out


def _user(row):
    return [message["content"] for message in row["messages"] if message["role"] == "user"][0]


def _read_specs(out):
    """Per run (its first user message), the Read spec of its openai-chat and its hf-chat row."""
    found = {}
    for path in sorted((out / "training" / "openai-chat").glob("*.jsonl")):
        for row in read_jsonl(path):
            found.setdefault(_user(row), []).append(
                [spec for spec in row["tools"] if spec["function"]["name"] == "Read"][0])
    for path in sorted((out / "training" / "hf-chat").glob("*.jsonl")):
        for row in read_jsonl(path):
            found.setdefault(_user(row), []).append(
                [spec for spec in json.loads(row["tools"]) if spec["function"]["name"] == "Read"][0])
    return found


def test_one_schema_per_workflow_from_every_call_real_definitions_kept(tmp_path):
    real = {"type": "object", "properties": {"path": {"type": "string", "description": "a file"}}}
    runs = [
        _run(1, "triage", {"path": "a.py", "limit": 10}),
        _run(2, "triage", {"path": "b.py", "offset": "x"}),
        _run(3, "triage", {"path": "c.py", "other": 1}, tools=[{"type": "function", "function": {
            "name": "Read", "description": "Read a file.", "parameters": real}}]),
        _run(4, "release", {"file": "d.py"}),
    ]
    out = _export(tmp_path, runs)
    specs = {text.split()[1][:2]: found for text, found in _read_specs(out).items()}
    assert sorted(specs) == ["r1", "r2", "r3", "r4"]
    triage = {"$comment": "inferred from 3 observed calls", "type": "object",
              "properties": {"limit": {"type": "integer"}, "offset": {"type": "string"}, "other": {"type": "integer"},
                             "path": {"type": "string"}},
              "required": ["path"]}
    for run in ("r1", "r2"):  # both runs' rows, in both formats, carry the workflow's one schema
        assert [spec["function"]["parameters"] for spec in specs[run]] == [triage, triage]
    assert [spec["function"] for spec in specs["r3"]] == [{"name": "Read", "description": "Read a file.",
                                                           "parameters": real}] * 2
    release = {"$comment": "inferred from 1 observed call", "type": "object",
               "properties": {"file": {"type": "string"}}, "required": ["file"]}
    assert [spec["function"]["parameters"] for spec in specs["r4"]] == [release, release]
    manifest = json.loads((out / "manifest.json").read_text())
    for entry in manifest["files"]:  # the rewritten files are hashed and counted as they are on disk
        data = (out / entry["path"]).read_bytes()
        assert entry["sha256"] == "sha256:" + hashlib.sha256(data).hexdigest(), entry["path"]
        assert entry["bytes"] == len(data)
        if entry["path"].endswith(".jsonl"):
            assert entry["rows"] == len(data.splitlines())
    assert not list(out.rglob("*.before-rewrite"))
