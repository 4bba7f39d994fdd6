"""The Gemini CLI reader against hand-made chat recordings, with golden outputs.

Fixtures in ``tests/fixtures/gemini-cli/`` are written from the recorder's
types (google-gemini/gemini-cli:packages/core/src/services/chatRecordingTypes.ts);
``<name>.episodes.jsonl`` beside each holds every episode record the reader
yields. After an intended change, regenerate them and review the diff:

    REGENERATE_GOLDEN=1 python3 -m pytest tests/test_harness_gemini.py
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
from data_flywheel.sources.harness import gemini, pi

GEMINI = os.path.join(FIXTURES, "gemini-cli")
SESSIONS = ("compaction.jsonl", "content-parts.jsonl", "corrupt-middle.jsonl", "empty.jsonl", "legacy.json",
            "only-tool-output.jsonl", "rewind.jsonl", "subagent.jsonl", "tool-calls.jsonl", "truncated-last.jsonl",
            "unanswered-tool-call.jsonl")
META = {"sessionId": "5b1e0c2a-0000-4000-8000-0000000000ff", "projectHash": "9f2c4e1a7b3d5f60",
        "startTime": "2026-03-02T09:00:00.000Z", "lastUpdated": "2026-03-02T09:00:00.000Z"}


def harvest(path, **kwargs):
    problems = []
    if not os.path.isabs(path):
        path = os.path.join(GEMINI, path)
    records = [e.to_record() for e in gemini.read_session(path, problems.append, **kwargs)]
    for record in records:
        assert [str(i) for i in checker_for("episode").iter_issues(record)] == []
    return records, problems


def head_of(path, n=5):
    with open(path, encoding="utf-8") as fp:
        return [fp.readline() for _ in range(n)]


def write_session(path, lines):
    with open(path, "w", encoding="utf-8", newline="\n") as fp:
        for line in lines:
            fp.write((line if isinstance(line, str) else json.dumps(line)) + "\n")
    return str(path)


def check_golden(path, text):
    if os.environ.get("REGENERATE_GOLDEN") == "1":
        with open(path, "w", encoding="utf-8", newline="\n") as fp:
            fp.write(text)
    with open(path, encoding="utf-8", newline="") as fp:
        assert fp.read() == text, f"{path} differs: run REGENERATE_GOLDEN=1 pytest {__file__} and review the diff"


@pytest.mark.parametrize("name", SESSIONS)
def test_golden(name):
    records, _ = harvest(name)
    golden = os.path.join(GEMINI, name.rsplit(".", 1)[0] + ".episodes.jsonl")
    check_golden(golden, "".join(jsonio.dumps_line(r) for r in records))


def test_episode_counts_by_kind():
    counts = {name: dict(Counter(r["kind"] for r in harvest(name)[0])) for name in SESSIONS}
    assert counts == {
        "compaction.jsonl": {"task": 2, "compact_summary": 1, "turn": 3},
        "content-parts.jsonl": {"task": 1, "turn": 1},
        "corrupt-middle.jsonl": {"task": 1, "turn": 1},
        "empty.jsonl": {},
        "legacy.json": {"task": 1, "turn": 1},
        "only-tool-output.jsonl": {},
        "rewind.jsonl": {"task": 1, "turn": 2},
        "subagent.jsonl": {"task": 1, "turn": 1},
        "tool-calls.jsonl": {"task": 1, "turn": 1},
        "truncated-last.jsonl": {"task": 1, "turn": 1},
        "unanswered-tool-call.jsonl": {"task": 1, "turn": 2},
    }


def test_tool_calls_errors_and_last_write_wins():
    records, problems = harvest("tool-calls.jsonl")
    assert problems == []
    task = records[0]
    assert [m["role"] for m in task["messages"]] == ["user", "assistant", "tool", "assistant", "tool", "assistant"]
    # The tool's error is its result, linked by the call id embedded in toolCalls[].
    assert task["messages"][4] == {"role": "tool", "content": "Error: 2 tests failed",
                                   "tool_call_id": "run_shell_command-1772442061000-b2", "name": "run_shell_command"}
    assert json.loads(task["messages"][1]["tool_calls"][0]["function"]["arguments"]) == {
        "absolute_path": "/home/dev/app/config.toml"}
    # g-0001 was written twice (the second time with its tokens): counted once, from the last write.
    assert task["usage"]["total_tokens"] == 3 * 162
    assert (task["model"], task["provider"]) == ("gemini-2.5-pro", "google")
    assert task["tools"] == [{"type": "function", "function": {"name": "read_file"}},
                             {"type": "function", "function": {"name": "run_shell_command"}}]


def test_slash_commands_info_records_and_injected_context_never_reach_the_model():
    records, _ = harvest("tool-calls.jsonl")
    contents = [m["content"] for m in records[0]["messages"]]
    assert "/stats" not in contents and "Session stats shown." not in contents
    records, _ = harvest("subagent.jsonl")
    assert records[0]["messages"][0] == {"role": "user", "content": "Find where the port is configured."}


def test_rewind_drops_the_message_and_everything_after_it():
    records, _ = harvest("rewind.jsonl")
    contents = [m["content"] for m in records[0]["messages"]]
    assert contents == ["Name a prime number.", "7.", "Name the only even prime.", "2."]
    assert [r["messages"][0]["content"] for r in records[1:]] == ["Name a prime number.", "Name the only even prime."]


def test_rewind_to_an_unknown_id_clears_the_history(tmp_path):
    path = write_session(tmp_path / "s.jsonl", [
        META,
        {"id": "u1", "timestamp": "2026-03-02T09:00:00Z", "type": "user", "content": "Old question."},
        {"id": "g1", "timestamp": "2026-03-02T09:01:00Z", "type": "gemini", "content": "Old answer."},
        {"$rewindTo": "no-such-id"},
        {"id": "u2", "timestamp": "2026-03-02T09:02:00Z", "type": "user", "content": "New question."},
        {"id": "g2", "timestamp": "2026-03-02T09:03:00Z", "type": "gemini", "content": "New answer."},
    ])
    records, _ = harvest(path)
    assert [m["content"] for m in records[0]["messages"]] == ["New question.", "New answer."]


def test_compression_checkpoint_splits_the_session_into_paired_segments():
    records, problems = harvest("compaction.jsonl")
    assert problems == []
    assert [(r["kind"], r["segment"]) for r in records[:3]] == [("task", 0), ("compact_summary", 0), ("task", 1)]
    task0, summary, task1 = records[:3]
    assert task0["pair_id"] == summary["id"] and summary["pair_id"] == task0["id"] and task1["pair_id"] is None
    # The summary's prompt is what was dropped (the kept tail is not summarized), then the instruction.
    assert [m["content"] for m in summary["messages"][:1]] == ["Look at the app layout."]
    assert "Add a /health route." not in [m["content"] for m in summary["messages"]]
    assert summary["messages"][-2]["content"] == ep.SUMMARIZATION_INSTRUCTION
    assert summary["messages"][-1]["content"].startswith("<state_snapshot>")
    # The next segment opens with the wrapped summary; the harness's fixed acknowledgement is dropped.
    assert task1["messages"][0]["content"].startswith(ep.COMPACTION_SUMMARY_PREFIX + "<state_snapshot>")
    assert [m["content"] for m in task1["messages"][1:]] == [
        "Add a /health route.", "Added a /health route returning 200.", "Now add a test for it.", "Added tests/test_health.py."]
    # A segment counts only its own usage: after the checkpoint, one model call.
    assert task1["usage"]["total_tokens"] == 162
    assert [r["messages"][0]["content"] for r in records if r["kind"] == "turn"] == [
        "Look at the app layout.", "Add a /health route.", "Now add a test for it."]


def test_checkpoint_without_a_snapshot_only_replaces_the_history(tmp_path):
    path = write_session(tmp_path / "s.jsonl", [
        META,
        {"id": "u1", "timestamp": "2026-03-02T09:00:00Z", "type": "user", "content": "Q1"},
        {"id": "g1", "timestamp": "2026-03-02T09:01:00Z", "type": "gemini", "content": "A1"},
        {"id": "u2", "timestamp": "2026-03-02T09:02:00Z", "type": "user", "content": "Q2 (aborted)"},
        # An aborted request: the recorder rolls the history back with a $set.messages checkpoint.
        {"$set": {"messages": [
            {"id": "u1", "timestamp": "2026-03-02T09:00:00Z", "type": "user", "content": "Q1"},
            {"id": "g1", "timestamp": "2026-03-02T09:01:00Z", "type": "gemini", "content": "A1"}]}},
    ])
    records, _ = harvest(path)
    assert [r["kind"] for r in records] == ["task", "turn"]
    assert [m["content"] for m in records[0]["messages"]] == ["Q1", "A1"]


def test_content_parts_tool_results_are_not_doubled_and_thoughts_stay_out_of_content():
    records, _ = harvest("content-parts.jsonl")
    task = records[0]
    # The result is both in toolCalls[] and in its own user-type functionResponse record: one tool message.
    assert [m["role"] for m in task["messages"]] == ["user", "assistant", "tool", "assistant"]
    assert all("reasoning_content" not in m for m in task["messages"])
    assert "should be" not in json.dumps(task["messages"])
    kept, _ = harvest("content-parts.jsonl", keep_reasoning=True)
    assert kept[0]["messages"][1]["reasoning_content"] == "Search for the definition first."
    assert kept[0]["messages"][3]["reasoning_content"] == "It should be in main.py."
    # The error record after the model's turn marks the run failed.
    assert task["outcome"] == "failed"


def test_legacy_thoughts_array_is_reasoning():
    records, _ = harvest("tool-calls.jsonl", keep_reasoning=True)
    assert records[0]["messages"][1]["reasoning_content"] == "**Locating config** The port lives in config.toml."


def test_legacy_single_json_session_is_read_whole():
    records, problems = harvest("legacy.json")
    assert problems == []
    assert [m["role"] for m in records[0]["messages"]] == ["user", "assistant", "tool", "assistant"]
    assert records[0]["session_hash"] == "sha256:" + hashlib.sha256(
        b"5b1e0c2a-0000-4000-8000-00000000000b").hexdigest()


def test_corrupt_middle_line_is_reported_and_the_session_still_harvested():
    records, problems = harvest("corrupt-middle.jsonl")
    assert [(p.line, p.reason) for p in problems] == [(3, jsonio.INVALID_JSON)]
    assert problems[0].source.endswith("corrupt-middle.jsonl")
    assert [m["content"] for m in records[0]["messages"]] == ["Say hello.", "Hello."]


def test_truncated_last_line_is_reported_as_unfinished():
    records, problems = harvest("truncated-last.jsonl")
    assert [(p.line, p.reason) for p in problems] == [(5, gemini.TRUNCATED_LAST_LINE)]
    # The unanswered last request is trimmed: the trajectory ends on the model's turn.
    assert [m["content"] for m in records[0]["messages"]] == ["What is 2 + 2?", "4."]


def test_broken_legacy_json_is_reported(tmp_path):
    path = tmp_path / "session-2026-03-02T09-00-5b1e0c2a.json"
    path.write_text('{\n  "sessionId": "x",\n  "projectHash": "y",\n  "messages": [\n', encoding="utf-8")
    records, problems = harvest(str(path))
    assert records == []
    assert [(p.line, p.reason, p.message) for p in problems] == [
        (5, jsonio.INVALID_JSON, "not valid JSON: Expecting value at line 5 column 1"),
        (1, gemini.NOT_USABLE, "task segment 0 is not usable: no messages")]


@pytest.mark.parametrize("name, why", [("empty.jsonl", "no messages"), ("only-tool-output.jsonl", "no user message")])
def test_unusable_sessions_yield_nothing_and_are_reported(name, why):
    records, problems = harvest(name)
    assert records == []
    assert [(p.line, p.reason, p.message) for p in problems] == [
        (1, gemini.NOT_USABLE, f"task segment 0 is not usable: {why}")]


def test_tool_call_with_no_result_is_kept_and_marked():
    records, _ = harvest("unanswered-tool-call.jsonl")
    task, turn0, turn1 = records
    assert [c["id"] for c in task["messages"][1]["tool_calls"]] == [
        "read_file-1772442060000-e1", "read_file-1772442060000-e2"]
    assert task["unanswered_tool_calls"] == 1 and task["outcome"] == "completed"
    # The cancelled call ends its turn: aborted (its answered sibling is trimmed as trailing output).
    assert turn0["outcome"] == "aborted" and turn0["unanswered_tool_calls"] == 1  # the trailing result is kept
    assert turn1["messages"][-1]["content"] == "a.txt says alpha."


def test_very_large_tool_output_is_kept_whole(tmp_path):
    output = "line of build output\n" * 60000  # about 1.2 MB
    call = {"id": "run_shell_command-1", "name": "run_shell_command", "args": {"command": "make"}, "status": "success",
            "timestamp": "2026-03-02T09:01:00Z",
            "result": [{"functionResponse": {"id": "run_shell_command-1", "name": "run_shell_command",
                                             "response": {"output": output}}}]}
    path = write_session(tmp_path / "big.jsonl", [
        META,
        {"id": "u1", "timestamp": "2026-03-02T09:00:00Z", "type": "user", "content": "Build it."},
        {"id": "g1", "timestamp": "2026-03-02T09:01:00Z", "type": "gemini", "content": "", "toolCalls": [call]},
        {"id": "g2", "timestamp": "2026-03-02T09:02:00Z", "type": "gemini", "content": "Built."},
    ])
    records, problems = harvest(path)
    assert problems == []
    assert records[0]["messages"][2]["content"] == output


def test_media_parts_become_markers_never_data(tmp_path):
    path = write_session(tmp_path / "s.jsonl", [
        META,
        {"id": "u1", "timestamp": "2026-03-02T09:00:00Z", "type": "user",
         "content": [{"text": "What is in this picture? "}, {"inlineData": {"mimeType": "image/png", "data": "iVBORw0KGgo="}}]},
        {"id": "g1", "timestamp": "2026-03-02T09:01:00Z", "type": "gemini", "content": "A cat."},
    ])
    records, _ = harvest(path)
    assert records[0]["messages"][0]["content"] == "What is in this picture? [Image: image/png]"


def test_sniff_accepts_both_layouts_and_rejects_other_harnesses():
    for name in SESSIONS:
        head = head_of(os.path.join(GEMINI, name))
        assert gemini.sniff(head), name
        assert not pi.sniff(head), name
    assert not gemini.sniff(head_of(os.path.join(FIXTURES, "pi", "compaction.jsonl")))
    claude = ['{"parentUuid":null,"sessionId":"a1","type":"user","message":{"role":"user","content":"hi"}}']
    codex = ['{"timestamp":"2026-01-01T00:00:00Z","type":"session_meta","payload":{"id":"a1"}}']
    checkpoint = ['[', '  {', '    "role": "user",']  # chats/checkpoint-<tag>.json: a Content[] list
    for head in (claude, codex, checkpoint, [], ["", "not json"], ["{", '  "sessionId": "a1",', '  "kind": "x"']):
        assert not gemini.sniff(head)


def test_module_surface():
    assert gemini.NAME == "gemini-cli"
    assert gemini.DEFAULT_DIRS == ("~/.gemini/tmp/*/chats",)


REAL = os.path.join(os.path.dirname(FIXTURES), "..", "..", "shared", "fixtures", "gemini-cli", "codemie")


@pytest.mark.skipif(not os.path.isdir(REAL), reason="../shared/fixtures is not beside the checkout")
def test_real_gemini_cli_sessions_keep_every_request_call_and_result():
    """The two real sessions (codemie-code): 8 user requests, 24 tool calls, each with its result."""
    problems = []
    requests = answers = calls = results = 0
    for name in sorted(os.listdir(REAL)):
        records = [e.to_record() for e in gemini.read_session(os.path.join(REAL, name), problems.append)]
        for record in records:
            if record["kind"] != "task":
                continue
            messages = record["messages"][record.get("context_messages", 0):]
            requests += sum(m["role"] == "user" for m in messages)
            answers += sum(m["role"] == "assistant" and bool(m.get("content")) for m in messages)
            calls += sum(len(m.get("tool_calls") or ()) for m in messages)
            results += sum(m["role"] == "tool" for m in messages)
    assert problems == []
    assert (requests, calls, results) == (8, 24, 24) and answers >= 8
