"""The Claude Code session reader against hand-made sessions, with golden outputs.

The sessions in ``tests/fixtures/claude-code/`` are written from the documented
format (shared/formats/harness-sessions.md section 1; tree shapes from
daaain/claude-code-log's test data). Each ``<name>.episodes.jsonl`` beside them
holds every episode record the reader yields. After an intended change,
regenerate them and review the diff:

    REGENERATE_GOLDEN=1 python3 -m pytest tests/test_harness_claude_code.py
"""
from __future__ import annotations

import hashlib
import json
import os
from collections import Counter

import pytest

from conftest import FIXTURES
from data_flywheel import jsonio
from data_flywheel.records import episode as ep
from data_flywheel.records.schemas import checker_for
from data_flywheel.sources.harness import claude_code, pi

CC = os.path.join(FIXTURES, "claude-code")
SESSIONS = ("agent-a4000002", "api-error", "compaction", "corrupt-middle", "empty", "only-tool-output", "rewind",
            "sidechain", "tool-calls", "truncated-last", "unanswered-tool-call")

# What each fixture yields, by kind.
EXPECTED_KINDS = {
    "agent-a4000002": {"task": 1},
    "api-error": {"task": 1, "turn": 1},
    "compaction": {"task": 2, "compact_summary": 1, "turn": 3},
    "corrupt-middle": {"task": 1, "turn": 1},
    "empty": {},
    "only-tool-output": {},
    "rewind": {"task": 1, "turn": 2},
    "sidechain": {"task": 2, "turn": 1},
    "tool-calls": {"task": 1, "turn": 2},
    "truncated-last": {"task": 1, "turn": 1},
    "unanswered-tool-call": {"task": 1, "turn": 2},
}


def harvest_path(path, **kwargs):
    problems = []
    records = [e.to_record() for e in claude_code.read_session(path, problems.append, **kwargs)]
    for record in records:
        assert [str(i) for i in checker_for("episode").iter_issues(record)] == []
    return records, problems


def harvest(name, **kwargs):
    return harvest_path(os.path.join(CC, name + ".jsonl"), **kwargs)


def check_golden(path, text):
    if os.environ.get("REGENERATE_GOLDEN") == "1":
        with open(path, "w", encoding="utf-8", newline="\n") as fp:
            fp.write(text)
    with open(path, encoding="utf-8", newline="") as fp:
        assert fp.read() == text, f"{path} differs: run REGENERATE_GOLDEN=1 pytest {__file__} and review the diff"


def contents(record):
    return [m["content"] for m in record["messages"]]


@pytest.mark.parametrize("name", SESSIONS)
def test_golden(name):
    records, _ = harvest(name)
    check_golden(os.path.join(CC, name + ".episodes.jsonl"), "".join(jsonio.dumps_line(r) for r in records))


@pytest.mark.parametrize("name", SESSIONS)
def test_episode_kinds(name):
    records, _ = harvest(name)
    assert Counter(r["kind"] for r in records) == EXPECTED_KINDS[name]
    assert all(r["harness"] == "claude-code" for r in records)
    assert all(isinstance(m["content"], str) for r in records for m in r["messages"])


def test_lines_of_one_response_are_merged_and_results_follow_their_calls():
    records, problems = harvest("tool-calls")
    assert problems == []
    task = records[0]
    assert [m["role"] for m in task["messages"]] == [
        "user", "assistant", "tool", "tool", "assistant", "user", "assistant", "tool", "assistant"]
    first = task["messages"][1]
    # Four lines share message.id: thinking, text and two tool_use blocks become one message.
    assert first["content"] == "I'll check both."
    assert [c["id"] for c in first["tool_calls"]] == ["toolu_01AAAAAAAAAAAAAAAAAAAAAAA1", "toolu_01AAAAAAAAAAAAAAAAAAAAAAA2"]
    assert json.loads(first["tool_calls"][0]["function"]["arguments"]) == {"command": "wc -l app.py", "description": "Count lines"}
    # The first result hangs off a sibling branch (parallel tool flow): still found, by id.
    assert task["messages"][2] == {"role": "tool", "content": "42 app.py",
                                   "tool_call_id": "toolu_01AAAAAAAAAAAAAAAAAAAAAAA1", "name": "Bash"}
    assert task["messages"][3]["content"] == "ls: cannot access 'tests': No such file or directory"
    assert task["unanswered_tool_calls"] == 0
    assert task["tools"] == [{"type": "function", "function": {"name": "Bash"}}, {"type": "function", "function": {"name": "Write"}}]
    # Usage repeats on every line of a response: counted once per message.id (4 responses).
    assert task["usage"] == {"input_tokens": 48, "output_tokens": 160, "cache_read_tokens": 8000,
                             "cache_write_tokens": 1200, "total_tokens": 9408}
    assert task["model"] == "claude-sonnet-4-5-20250929" and task["provider"] == "anthropic"
    assert task["started_at"] == "2026-01-06T10:00:14.518000Z"


def test_injected_meta_content_is_left_out():
    records, _ = harvest("tool-calls")
    assert not any("Caveat" in c for r in records for c in contents(r))
    records, _ = harvest("api-error")
    assert contents(records[0])[0] == "Summarize README.md."  # the local command's output is not a request


def test_thinking_is_reasoning_only_when_asked():
    records, _ = harvest("tool-calls")
    assert not any("independent reads" in c for r in records for c in contents(r))
    assert all("reasoning_content" not in m for r in records for m in r["messages"])
    kept, _ = harvest("tool-calls", keep_reasoning=True)
    assert kept[0]["messages"][1]["reasoning_content"] == "Two independent reads: run both at once."
    assert kept[0]["messages"][1]["content"] == "I'll check both."


def test_rewind_follows_the_live_branch():
    records, _ = harvest("rewind")
    assert contents(records[0]) == ["Suggest a name for the CLI.", "How about `flyer`?", "Something about wheels.", "`spoke`."]
    assert not any("Shorter" in c or "`fly`." == c for r in records for c in contents(r))
    assert [contents(r) for r in records[1:]] == [
        ["Suggest a name for the CLI.", "How about `flyer`?"], ["Something about wheels.", "`spoke`."]]


def test_compaction_gives_segments_and_a_paired_summary():
    records, _ = harvest("compaction")
    assert [(r["kind"], r["segment"]) for r in records[:3]] == [("task", 0), ("compact_summary", 0), ("task", 1)]
    task0, summary, task1 = records[:3]
    assert task0["pair_id"] == summary["id"] and summary["pair_id"] == task0["id"]
    assert task1["pair_id"] is None
    text = "The user is migrating storage to SQLite. schema.sql is written; moving the reads is next."
    # The response is the summary without Claude Code's lead-in sentence.
    assert summary["messages"][-1] == {"role": "assistant", "content": text}
    assert summary["messages"][-2]["content"] == ep.SUMMARIZATION_INSTRUCTION
    assert summary["messages"][:-2] == task0["messages"]
    assert summary["usage"] == {} and summary["started_at"] == summary["ended_at"] == "2026-01-06T10:00:49.813000Z"
    # The next segment opens with the wrapped summary, then what came after the boundary.
    assert contents(task1) == [ep.COMPACTION_SUMMARY_PREFIX + text + ep.COMPACTION_SUMMARY_SUFFIX,
                               "Now step 2.", "Moved the reads to SQLite."]
    # A segment counts only its own usage: one response after the compaction.
    assert task1["usage"]["output_tokens"] == 40
    # Turns never contain the injected summary.
    turns = [r for r in records if r["kind"] == "turn"]
    assert [contents(t)[0] for t in turns] == ["Plan the migration to SQLite.", "Do step 1.", "Now step 2."]


def test_summary_without_anything_compacted_is_not_exported(tmp_path):
    # A session that starts with a compaction (continued elsewhere): one task, no summary episode.
    with open(os.path.join(CC, "compaction.jsonl"), encoding="utf-8") as fp:
        lines = fp.readlines()[6:]
    path = tmp_path / "continued.jsonl"
    path.write_text("".join(lines), encoding="utf-8")
    records, problems = harvest_path(str(path))
    assert problems == []
    assert [(r["kind"], r["segment"], r["pair_id"]) for r in records] == [("task", 0, None), ("turn", 0, None)]
    assert records[0]["messages"][0]["content"].startswith(ep.COMPACTION_SUMMARY_PREFIX)


def test_subagents_are_their_own_episodes():
    records, _ = harvest("sidechain")
    main, turn, agent = records
    assert contents(main)[0] == "Find where the retry limit is set."
    assert main["messages"][2]["name"] == "Task"
    assert contents(agent) == ["Search the code for the retry limit.", "", "src/net.py:12:MAX_RETRIES = 5",
                               "The retry limit is MAX_RETRIES = 5 in src/net.py, line 12."]
    assert agent["session_hash"] != main["session_hash"]
    assert len({main["id"], turn["id"], agent["id"]}) == 3
    # Its parent: the main chain's session, and the Task call whose result names its agent id.
    launch = main["messages"][1]["tool_calls"][0]["id"]
    assert (agent["parent_session_hash"], agent["parent_tool_call_id"]) == (main["session_hash"], launch)
    assert "parent_session_hash" not in main and "parent_session_hash" not in turn
    # A 2.x subagent file: every line is a sidechain line of the same session.
    records, _ = harvest("agent-a4000002")
    assert [(r["kind"], r["model"]) for r in records] == [("task", "claude-haiku-4-5-20251001")]
    assert records[0]["session_hash"] != agent["session_hash"]
    # Its parent's file is not beside it: linked by session only.
    assert records[0]["parent_session_hash"] == ep.hashed_id("5e550000-0000-4000-8000-000000000004")
    assert "parent_tool_call_id" not in records[0]


def test_corrupt_middle_line_is_reported_and_the_session_still_harvested():
    records, problems = harvest("corrupt-middle")
    assert [(p.line, p.reason) for p in problems] == [(3, jsonio.INVALID_JSON)]
    assert problems[0].source.endswith("corrupt-middle.jsonl")
    assert [m["role"] for m in records[0]["messages"]] == ["user", "assistant", "assistant"]
    assert records[0]["unanswered_tool_calls"] == 1


def test_truncated_last_line_is_reported_as_unfinished():
    records, problems = harvest("truncated-last")
    assert [(p.line, p.reason) for p in problems] == [(4, claude_code.TRUNCATED_LAST_LINE)]
    assert contents(records[0]) == ["What is 2 + 2?", "4."]


@pytest.mark.parametrize("name, why", [("empty", "no messages"), ("only-tool-output", "no user message")])
def test_unusable_sessions_yield_nothing_and_are_reported(name, why):
    records, problems = harvest(name)
    assert records == []
    assert [(p.line, p.reason, p.message) for p in problems] == [
        (1, claude_code.NOT_USABLE, f"task segment 0 is not usable: {why}")]


def test_tool_call_with_no_result_is_kept_and_marked_and_the_interrupt_labels_aborted():
    records, _ = harvest("unanswered-tool-call")
    task, first, second = records
    assert [c["function"]["name"] for c in task["messages"][1]["tool_calls"]] == ["Bash", "Bash"]
    assert task["unanswered_tool_calls"] == 1 and task["outcome"] == "completed"
    assert not any("Request interrupted" in c for c in contents(task))
    # The interrupted turn ends on the cancelled calls and is labelled aborted, not dropped.
    # The rejected call's result ends the turn and is kept (a trailing result is the model's input).
    assert first["outcome"] == "aborted" and first["unanswered_tool_calls"] == 1
    assert first["messages"][-1]["role"] == "tool"
    assert second["outcome"] == "completed"


def test_api_error_is_kept_and_labelled_failed():
    records, _ = harvest("api-error")
    assert {r["outcome"] for r in records} == {"failed"}
    assert records[0]["model"] is None  # "<synthetic>" is the CLI, not a model


def test_very_large_tool_output_is_carried_whole(tmp_path):
    big = "".join(f"line {i:07d} of the build log\n" for i in range(200_000))  # about 6 MB
    lines = [
        {"type": "user", "uuid": "u1", "parentUuid": None, "sessionId": "big", "isSidechain": False,
         "timestamp": "2026-01-06T10:00:00Z", "message": {"role": "user", "content": "Build it."}},
        {"type": "assistant", "uuid": "a1", "parentUuid": "u1", "sessionId": "big", "isSidechain": False,
         "timestamp": "2026-01-06T10:00:01Z", "message": {"id": "msg_big1", "role": "assistant", "model": "claude-sonnet-4-5",
                                                          "content": [{"type": "tool_use", "id": "t1", "name": "Bash", "input": {"command": "make"}}]}},
        {"type": "user", "uuid": "r1", "parentUuid": "a1", "sessionId": "big", "isSidechain": False,
         "timestamp": "2026-01-06T10:01:00Z", "message": {"role": "user", "content": [
             {"type": "tool_result", "tool_use_id": "t1", "content": [{"type": "text", "text": big}]}]}},
        {"type": "assistant", "uuid": "a2", "parentUuid": "r1", "sessionId": "big", "isSidechain": False,
         "timestamp": "2026-01-06T10:01:01Z", "message": {"id": "msg_big2", "role": "assistant", "model": "claude-sonnet-4-5",
                                                          "content": [{"type": "text", "text": "Built."}], "stop_reason": "end_turn"}},
    ]
    path = tmp_path / "big.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    records, problems = harvest_path(str(path))
    assert problems == []
    tool = records[0]["messages"][2]
    assert tool["role"] == "tool" and hashlib.sha256(tool["content"].encode()).digest() == hashlib.sha256(big.encode()).digest()


def test_sniff_claims_claude_code_files_only():
    for name in SESSIONS:
        if name == "empty":
            continue
        with open(os.path.join(CC, name + ".jsonl"), encoding="utf-8") as fp:
            head = [fp.readline() for _ in range(5)]
        assert claude_code.sniff(head), name
        assert not pi.sniff(head), name
    with open(os.path.join(FIXTURES, "pi", "compaction.jsonl"), encoding="utf-8") as fp:
        assert not claude_code.sniff([fp.readline() for _ in range(5)])
    codex = ['{"timestamp":"2025-10-29T00:59:38.317Z","type":"session_meta","payload":{"id":"019a2d7a","cwd":"/w"}}',
             '{"timestamp":"2025-10-29T00:59:49.783Z","type":"response_item","payload":{"type":"message","role":"user","content":[]}}']
    gemini = ['{"sessionId":"9cea53d4","projectHash":"ab12","startTime":"2026-01-01T00:00:00Z","lastUpdated":"2026-01-01T00:00:00Z","kind":"main"}',
              '{"id":"m1","timestamp":"2026-01-01T00:00:01Z","type":"user","content":"hi"}']
    for head in (codex, gemini, [], ["", "not json"], ['{"type":"user","uuid":"u1"}']):
        assert not claude_code.sniff(head)
    # A file whose first line is a legacy title or a file snapshot is still Claude Code's.
    assert claude_code.sniff(['{"type":"summary","summary":"Title","leafUuid":"u9"}'])


def test_module_surface_and_config_dir():
    assert claude_code.NAME == "claude-code"
    assert claude_code.DEFAULT_DIRS == ("~/.claude/projects",)
    assert claude_code.default_dirs({}) == ("~/.claude/projects",)
    assert claude_code.default_dirs({"CLAUDE_CONFIG_DIR": "/cfg"}) == (os.path.join("/cfg", "projects"),)


# --- nothing lost, on a real session (../shared/fixtures): compactions cut into it -------------

REAL_CC = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "..", "shared", "fixtures",
                       "claude-code", "codemie")
needs_shared = pytest.mark.skipif(not os.path.isdir(REAL_CC), reason="../shared/fixtures is not beside the checkout")


def _compacted(lines, at, keep_from=0):
    """The real session's lines[keep_from:], with a compaction (boundary and summary) before line ``at``,
    as Claude Code writes an auto-compaction in the middle of a tool loop."""
    before, after = lines[keep_from:at], lines[at:]
    last = json.loads(before[-1])
    boundary = {"type": "system", "subtype": "compact_boundary", "uuid": "cb-1", "parentUuid": None,
                "logicalParentUuid": last["uuid"], "sessionId": last["sessionId"], "cwd": last["cwd"],
                "timestamp": last["timestamp"], "isSidechain": False}
    summary = {"type": "user", "isCompactSummary": True, "uuid": "cs-1", "parentUuid": "cb-1",
               "sessionId": last["sessionId"], "cwd": last["cwd"], "timestamp": last["timestamp"], "isSidechain": False,
               "message": {"role": "user", "content": "This session is being continued from a previous conversation "
                                                     "that ran out of context. The conversation is summarized below:\nWe read the todos."}}
    first_after = json.loads(after[0])
    first_after["parentUuid"] = "cs-1"
    return before + [json.dumps(boundary) + "\n", json.dumps(summary) + "\n", json.dumps(first_after) + "\n"] + after[1:]


def _real_lines():
    with open(os.path.join(REAL_CC, "session-196820da.jsonl"), encoding="utf-8") as fp:
        return fp.readlines()


@needs_shared
def test_the_tool_result_right_before_a_compaction_is_kept(tmp_path):
    lines = _real_lines()
    assert json.loads(lines[56])["message"]["content"][0]["type"] == "tool_result"
    path = tmp_path / "compacted.jsonl"
    path.write_text("".join(_compacted(lines, 57)), encoding="utf-8")
    problems = []
    tasks = [e.to_record() for e in claude_code.read_session(str(path), problems.append) if e.kind == "task"]
    first, second = tasks[0], tasks[1]
    results = [json.loads(lines[i])["message"]["content"][0]["tool_use_id"] for i in (55, 56)]
    assert [m.get("tool_call_id") for m in first["messages"][-2:]] == results
    assert first["unanswered_tool_calls"] == 0
    assert second["messages"][0]["content"].startswith(ep.COMPACTION_SUMMARY_PREFIX) and second["context_messages"] == 1


@needs_shared
def test_a_file_starting_mid_session_with_an_orphan_tool_result_keeps_its_first_segment(tmp_path):
    lines = _real_lines()
    assert json.loads(lines[9])["message"]["content"][0]["type"] == "tool_result"
    path = tmp_path / "continued.jsonl"
    path.write_text("".join(_compacted(lines, 57, keep_from=9)), encoding="utf-8")
    problems = []
    tasks = [e.to_record() for e in claude_code.read_session(str(path), problems.append) if e.kind == "task"]
    assert [t["segment"] for t in tasks] == [0, 1] and problems == []
    first = tasks[0]
    assert first["messages"][0]["role"] == "tool"  # the orphan result: its call is in an earlier file
    assert sum(len(m.get("tool_calls") or ()) for m in first["messages"]) == sum(
        1 for line in lines[9:57] for block in json.loads(line).get("message", {}).get("content") or ()
        if isinstance(block, dict) and block.get("type") == "tool_use")


@needs_shared
def test_work_that_carries_on_after_a_compaction_is_a_candidate_of_the_request_before(tmp_path):
    from data_flywheel.records import candidates

    lines = _real_lines()
    path = tmp_path / "compacted.jsonl"
    path.write_text("".join(_compacted(lines, 57)), encoding="utf-8")
    episodes = [e for e in claude_code.read_session(str(path), lambda p: None) if e.kind == "task"]
    found, earlier = [], None
    for episode in episodes:
        record = episode.to_record()
        found.extend(candidates.candidates_from_episode(
            record, candidates.facts_of(episode.messages), placeholders={}, project="p",
            harvested_at="2026-01-01T00:00:00Z", earlier_request=earlier))
        earlier = candidates.last_request(record) or earlier
    after = [c for c in found if c["source"]["segment"] == 1]
    assert after[0]["input_redacted"].startswith("ultrathink there is logic that tracks files")
    assert after[0]["messages"][0]["content"].startswith(ep.COMPACTION_SUMMARY_PREFIX)  # what the model had
    assert after[0]["output_approved"].startswith("## Summary")  # the real final answer, after the compaction
    assert found[0]["input_redacted"] == after[0]["input_redacted"] and found[0]["source"]["segment"] == 0


@needs_shared
@pytest.mark.parametrize("parent, child, call", [
    ("incremental-subagents/turn-2.jsonl", "incremental-subagents/turn-2/subagents/agent-a485154.jsonl",
     "toolu_bdrk_019PUUtqzQg8U5ogfuyQ7yLV"),  # 2.x: <session>/subagents/, launched by a Task call
    ("-tmp-private/4c2ddfdc-b619-4525-8d03-1950fb1b0257.jsonl", "-tmp-private/agent-36541525.jsonl", None),  # 1.x Warmup
])
def test_a_real_subagent_names_its_parent_session_and_launching_call(parent, child, call):
    parents, _ = harvest_path(os.path.join(REAL_CC, parent))
    children, _ = harvest_path(os.path.join(REAL_CC, child))
    assert {r["session_hash"] for r in parents} == {r["parent_session_hash"] for r in children}
    assert [r.get("parent_tool_call_id") for r in children] == [call]
    if call is not None:
        assert call in [c["id"] for r in parents for m in r["messages"] for c in m.get("tool_calls", ())]
