"""The ATIF reader on trajectories Harbor's own converters made from real sessions, and the round trip.

``tests/fixtures/atif/`` (see its README): five ``agent/trajectory.json``
files Harbor 0.26.0 wrote from the real Claude Code, Codex and Gemini CLI
sessions in ``../shared/fixtures/``, and ``segments-and-subagents.jsonl``,
written by hand from Harbor's models (a continuation and an embedded
subagent, which none of Harbor's outputs for those sessions has).
"""
import json
import os
import shutil

import pytest
from conftest import FIXTURES, read_jsonl, run_cli

from data_flywheel.sources import discover
from data_flywheel.sources.harness import READERS, atif

ATIF = os.path.join(FIXTURES, "atif")
SEGMENTS = os.path.join(ATIF, "segments-and-subagents.jsonl")
TRIALS = ("claude-code-session-9eda1058", "claude-code-turn-2-subagents", "codex-3724b5ddb799",
          "gemini-37b7abef", "gemini-5b959dae")
ENV = {"NO_COLOR": "1", "SOURCE_DATE_EPOCH": "1777104000", "HOME": "/nonexistent-home"}


def trajectory(name):
    with open(os.path.join(ATIF, name, "agent", "trajectory.json"), encoding="utf-8") as fp:
        return json.load(fp)


def episodes(path, keep_reasoning=True):
    problems = []
    found = [episode.to_record() for episode in atif.read_session(path, problems.append, keep_reasoning=keep_reasoning)]
    return found, problems


def expected_messages(document):
    """What the reader must make of a trajectory: a message per step, a tool message per result."""
    out = []
    for step in document["steps"]:
        out.append({"system": "system", "user": "user", "agent": "assistant"}[step["source"]])
        out += ["tool"] * len((step.get("observation") or {}).get("results") or ())
    while out and out[-1] != "assistant":
        out.pop()
    return out


# --- sniffing -------------------------------------------------------------------------


def test_sniff_knows_an_indented_trajectory_and_a_jsonl_line_and_nothing_else():
    with open(os.path.join(ATIF, TRIALS[0], "agent", "trajectory.json"), encoding="utf-8") as fp:
        head = [fp.readline().rstrip("\n") for _ in range(8)]
    assert head[0] == "{" and atif.sniff(head)
    with open(SEGMENTS, encoding="utf-8") as fp:
        assert atif.sniff([fp.readline()])
    assert not atif.sniff(['{"type": "session", "id": "x", "version": 3}'])
    assert not atif.sniff(["{", '  "sessionId": "x",', '  "projectHash": "y",'])
    assert not atif.sniff(['{"schema_version": "1.0", "steps": []}'])
    assert not atif.sniff([])


def test_a_trial_folder_is_claimed_whole_and_a_continuation_file_is_left_to_its_trajectory(tmp_path):
    trial = os.path.join(ATIF, TRIALS[0])
    assert discover.classify(trial, READERS).reader is atif
    agent = tmp_path / "agent"
    agent.mkdir()
    (agent / "trajectory.json").write_text("{}")
    (agent / "trajectory.cont-1.json").write_text("{}")
    assert atif.skip_reason(str(agent / "trajectory.cont-1.json")) == "a continuation, read with the trajectory.json beside it"
    assert atif.skip_reason(str(agent / "trajectory.json")) is None


# --- reading Harbor's files -----------------------------------------------------------


@pytest.mark.parametrize("name", TRIALS)
def test_every_step_tool_call_and_result_of_harbors_trajectories_is_read(name):
    document = trajectory(name)
    found, problems = episodes(os.path.join(ATIF, name))
    assert problems == []
    assert [row["kind"] for row in found] == ["task"]
    row = found[0]
    assert [message["role"] for message in row["messages"]] == expected_messages(document)
    calls = [(call["tool_call_id"], call["function_name"], call["arguments"])
             for step in document["steps"] for call in step.get("tool_calls") or ()]
    assert [(call["id"], call["function"]["name"], json.loads(call["function"]["arguments"]))
            for message in row["messages"] for call in message.get("tool_calls", ())] == calls
    results = [result.get("source_call_id") or "" for step in document["steps"]
               for result in (step.get("observation") or {}).get("results") or ()]
    assert [message["tool_call_id"] for message in row["messages"] if message["role"] == "tool"] == results
    assert row["harness"] == document["agent"]["name"]
    assert row["model"] == document["agent"]["model_name"]


def test_usage_counts_keep_atifs_names():
    found, _ = episodes(os.path.join(ATIF, "gemini-37b7abef"))
    assert found[0]["usage"] == {"prompt_tokens": 87418, "completion_tokens": 4355, "cached_tokens": 62117}


def test_continuations_are_segments_of_one_session_and_subagents_their_own_conversations():
    found, problems = episodes(SEGMENTS)
    assert problems == []
    first, second, subagent = found
    assert (first["segment"], second["segment"]) == (0, 1) and first["session_hash"] == second["session_hash"]
    assert subagent["session_hash"] != first["session_hash"] and subagent["harness"] == "terminus-2-search"
    assert [m["role"] for m in first["messages"]] == ["system", "user", "assistant", "tool", "tool", "assistant"]
    assert first["messages"][2]["reasoning_content"] == "Start by reproducing the failure."
    # The copied context is in the messages; tokens and times come from the segment's own steps.
    assert [m["role"] for m in second["messages"]] == ["user", "user", "assistant", "tool", "tool", "assistant"]
    assert second["messages"][4] == {"role": "tool", "content": "terminal: the shell printed a warning", "tool_call_id": ""}
    assert second["usage"] == {"prompt_tokens": 2000, "completion_tokens": 90}
    assert second["started_at"] == "2026-03-01T10:01:00Z"
    assert second["unanswered_tool_calls"] == 1
    # The definition the trajectory brought, then the tool it called without one.
    assert [tool["function"]["name"] for tool in first["tools"]] == ["bash", "delegate"]
    assert first["tools"][0]["function"]["parameters"]["required"] == ["command"]


def test_a_terminus_continuation_file_is_the_next_segment(tmp_path):
    first, second = (json.loads(line) for line in open(SEGMENTS, encoding="utf-8"))
    first["continued_trajectory_ref"] = "trajectory.cont-1.json"
    agent = tmp_path / "trial-1" / "agent"
    agent.mkdir(parents=True)
    (agent / "trajectory.json").write_text(json.dumps(first, indent=2))
    (agent / "trajectory.cont-1.json").write_text(json.dumps(second, indent=2))
    found, problems = episodes(str(tmp_path / "trial-1"))
    assert problems == [] and [row["segment"] for row in found if row["harness"] == "terminus-2"] == [0, 1]


def test_harvest_of_a_harbor_job_reads_each_trial_once(tmp_path):
    job = tmp_path / "jobs" / "2026-03-01__10-00-00"
    for name in TRIALS[:2]:
        shutil.copytree(os.path.join(ATIF, name), job / name)
        (job / name / "result.json").write_text('{"trial_name": "x"}')
    (job / "config.json").write_text('{"job_name": "x"}')
    out = tmp_path / "out"
    result = run_cli(["harvest", "--source", "atif", "--path", str(tmp_path / "jobs"), "--out", str(out),
                      "--agent-root", str(tmp_path / ".agent")], env=ENV)
    assert result.code == 0, result
    manifest = json.loads((out / "manifest.json").read_text())
    assert (manifest["sessions_found"], manifest["rows"]) == (2, {"atif": {"task": 2}})
    assert [item["path"] for item in manifest["skipped"]] == [str(job / "config.json")]


# --- the round trip -------------------------------------------------------------------


def test_atif_harvested_and_exported_keeps_every_step_tool_call_and_result(tmp_path):
    """Harvest ATIF, approve every candidate, export: each trajectory comes back step for step."""
    sessions = tmp_path / "in"
    shutil.copytree(os.path.join(ATIF, TRIALS[0]), sessions / TRIALS[0])
    shutil.copy(SEGMENTS, sessions / "segments.jsonl")
    root = tmp_path / ".agent"
    result = run_cli(["harvest", "--path", str(sessions), "--keep-reasoning", "--out", str(tmp_path / "h"),
                      "--agent-root", str(root)], env=ENV)
    assert result.code == 0, result
    candidates = read_jsonl(root / "flywheel" / "candidates.jsonl")
    # One candidate per request: the Claude Code trial asks three times, the continued segment
    # carries on the request of the segment before, the others ask once.
    assert len(candidates) == 6
    with open(root / "flywheel" / "approved-runs.jsonl", "w", encoding="utf-8") as fp:
        for candidate in candidates:
            candidate.update(human_review={"status": "accepted"}, redaction_status="passed")
            fp.write(json.dumps(candidate) + "\n")
    (root / "flywheel" / "config.json").write_text('{"accept_auto_redacted": true}')
    export = tmp_path / "export"
    result = run_cli(["export", "--agent-root", str(root), "--out", str(export), "--split-ratios", "100,0,0"], env=ENV)
    assert result.code == 0, result
    out = read_jsonl(export / "atif" / "train.jsonl")
    manifest = json.loads((export / "manifest.json").read_text())
    assert {"path": "atif/train.jsonl", "rows": 6, "kind": "trajectory", "format": "atif", "split": "train",
            "schema": "urn:data-flywheel:schema:atif-trajectory:1"}.items() <= next(
        entry for entry in manifest["files"] if entry["path"] == "atif/train.jsonl").items()

    def shape(document):
        return [(step["source"], step["message"], step.get("reasoning_content"),
                 [(c["tool_call_id"], c["function_name"], c["arguments"]) for c in step.get("tool_calls") or ()],
                 [(r.get("source_call_id"), r["content"]) for r in (step.get("observation") or {}).get("results") or ()])
                for step in document["steps"]]

    first, second = (json.loads(line) for line in open(SEGMENTS, encoding="utf-8"))
    originals = [trajectory(TRIALS[0]), first, second, first["subagent_trajectories"][0]]
    for original in originals:
        # Each comes back whole as the row of its last request, which carries the earlier requests
        # as context (they fit the context budget here); the other rows are its prefixes.
        matches = [row for row in out if shape(row) == shape(original)]
        assert len(matches) == 1, original.get("trajectory_id") or original["session_id"]
    segments = sorted((row for row in out if row["agent"]["name"] == "terminus-2"),
                      key=lambda row: row["extra"]["flywheel"]["segment"])
    assert segments[0]["continued_trajectory_ref"] == segments[1]["trajectory_id"]
    assert "continued_trajectory_ref" not in segments[1]
    assert segments[0]["session_id"] == segments[1]["session_id"]
    assert segments[1]["final_metrics"] == {"total_steps": 4, "total_prompt_tokens": 2000, "total_completion_tokens": 90,
                                            "extra": {"usage": {"completion_tokens": 90, "prompt_tokens": 2000}}}
