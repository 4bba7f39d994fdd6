"""``atif/<split>.jsonl`` links: a subagent's trajectory names its parent, the parent's launching call refers to it.

On the real Claude Code sessions of codemie-code (``shared/fixtures/claude-code/codemie``):
a 2.x session with a ``<session>/subagents/agent-<id>.jsonl`` subagent launched by a
``Task`` call, and a 1.x session with two ``agent-<id>.jsonl`` sidechains that no call
launched (Claude Code's "Warmup" agents): their episodes are linked by session only, and
they give no candidates (a "Warmup" ping is not a request).
"""
import json
import os
import shutil

from conftest import ROOT, read_jsonl, run_cli

from data_flywheel.records import schemas

CODEMIE = os.path.join(ROOT, "..", "shared", "fixtures", "claude-code", "codemie")
ENV = {"NO_COLOR": "1", "SOURCE_DATE_EPOCH": "1777104000", "HOME": "/nonexistent-home"}
LAUNCH = "toolu_bdrk_019PUUtqzQg8U5ogfuyQ7yLV"  # the Task call in incremental-subagents/turn-2.jsonl


def export_codemie(tmp_path, *split_args):
    """Harvest the codemie folder (every project), accept every candidate, export; the atif rows by split."""
    root = tmp_path / ".agent"
    result = run_cli(["harvest", "--path", CODEMIE, "--all-projects", "--out", str(tmp_path / "h"),
                      "--agent-root", str(root)], env=ENV)
    assert result.code == 0, result
    candidates = read_jsonl(root / "flywheel" / "candidates.jsonl")
    with open(root / "flywheel" / "approved-runs.jsonl", "w", encoding="utf-8") as fp:
        for candidate in candidates:
            candidate.update(human_review={"status": "accepted"}, redaction_status="passed")
            fp.write(json.dumps(candidate) + "\n")
    (root / "flywheel" / "config.json").write_text('{"accept_auto_redacted": true}')
    export = tmp_path / "export"
    result = run_cli(["export", "--agent-root", str(root), "--out", str(export), *split_args], env=ENV)
    assert result.code == 0, result
    rows = {name[:-len(".jsonl")]: read_jsonl(export / "atif" / name) for name in os.listdir(export / "atif")}
    return candidates, rows, export


def test_subagent_candidates_name_their_parent_session_and_launching_call(tmp_path):
    candidates, rows, _ = export_codemie(tmp_path, "--split-ratios", "100,0,0")
    episodes = read_jsonl(tmp_path / "h" / "episodes.jsonl")
    sessions = {e["session_hash"] for e in episodes if "parent_session_hash" not in e}
    links = sorted((e.get("parent_tool_call_id", ""), e["parent_session_hash"] in sessions)
                   for e in episodes if "parent_session_hash" in e)
    assert links == [("", True), ("", True), (LAUNCH, True)]  # the two Warmup sidechains, the Task subagent
    children = [c for c in candidates if "parent_session_hash" in c["source"]]
    assert [c["source"]["parent_tool_call_id"] for c in children] == [LAUNCH]
    launched = children[0]
    parent = launched["source"]["parent_session_hash"]
    parent_calls = [call["id"] for c in candidates if c["source"]["session_hash"] == parent
                    for m in c["messages"] for call in m.get("tool_calls") or ()]
    assert LAUNCH in parent_calls
    assert set(rows) == {"train"}


def test_the_parents_observation_refers_to_the_subagent_and_the_subagent_to_its_parent(tmp_path):
    # Everything held out: a subagent goes with the session that launched it (splits.group_key),
    # so the reference names the file they share.
    _, rows, _ = export_codemie(tmp_path, "--split-ratios", "0,50,50")
    everything = [(split, row) for split, split_rows in rows.items() for row in split_rows]
    checker = schemas.checker_for("atif-trajectory")
    assert all(checker.is_valid(row) for _, row in everything)
    child_split, child = next((split, row) for split, row in everything
                              if row["extra"]["flywheel"].get("parent_tool_call_id") == LAUNCH)
    refs = [(row, result["subagent_trajectory_ref"]) for _, row in everything for step in row["steps"]
            for result in step.get("observation", {}).get("results", ()) if "subagent_trajectory_ref" in result]
    assert refs  # the parent's rows that carry the Task call's result
    assert {row["extra"]["flywheel"]["split"] for row, _ in refs} == {child_split}  # never across the split line
    for parent, ref in refs:
        assert ref == [{"trajectory_id": child["trajectory_id"], "trajectory_path": f"{child_split}.jsonl"}]
        assert parent["session_id"] == child["extra"]["flywheel"]["parent_session_hash"]
        result = next(r for s in parent["steps"] for r in s.get("observation", {}).get("results", ())
                      if "subagent_trajectory_ref" in r)
        assert result["source_call_id"] == LAUNCH
    assert sum("parent_session_hash" in row["extra"]["flywheel"] for _, row in everything) == 1
