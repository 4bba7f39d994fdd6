"""The Codex CLI rollout reader against hand-made rollouts, with golden outputs.

The rollouts in ``tests/fixtures/codex/`` are written by hand from the format
in shared/formats/harness-sessions.md section 2 (openai/codex
codex-rs/protocol/src/protocol.rs and models.rs). ``<name>.episodes.jsonl``
beside each holds every episode record the reader yields. After an intended
change, regenerate them and review the diff:

    REGENERATE_GOLDEN=1 python3 -m pytest tests/test_harness_codex.py
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter

import pytest

from conftest import FIXTURES, ROOT
from data_flywheel import jsonio
from data_flywheel.records import episode as ep
from data_flywheel.records.normalize import hashed_id
from data_flywheel.records.schemas import checker_for
from data_flywheel.sources.harness import codex, openclaw, pi

CODEX = os.path.join(FIXTURES, "codex")
ROLLOUTS = ("aborted", "compaction", "corrupt-middle", "empty", "legacy", "only-tool-output", "rollback",
            "tool-calls", "truncated-last")
EXPECTED_KINDS = {
    "aborted": {"task": 1, "turn": 1},
    "compaction": {"task": 3, "compact_summary": 2, "turn": 4},
    "corrupt-middle": {"task": 1, "turn": 2},
    "empty": {},
    "legacy": {"task": 1, "turn": 1},
    "only-tool-output": {},
    "rollback": {"task": 1, "turn": 2},
    "tool-calls": {"task": 1, "turn": 2},
    "truncated-last": {"task": 1, "turn": 1},
}


def harvest_path(path, **kwargs):
    problems = []
    records = [e.to_record() for e in codex.read_session(path, problems.append, **kwargs)]
    for record in records:
        assert [str(i) for i in checker_for("episode").iter_issues(record)] == []
    return records, problems


def harvest(name, **kwargs):
    return harvest_path(os.path.join(CODEX, name + ".jsonl"), **kwargs)


def head_of(path, lines=5):
    with open(path, encoding="utf-8", errors="replace") as fp:
        return [fp.readline() for _ in range(lines)]


def check_golden(path, text):
    if os.environ.get("REGENERATE_GOLDEN") == "1":
        with open(path, "w", encoding="utf-8", newline="\n") as fp:
            fp.write(text)
    with open(path, encoding="utf-8", newline="") as fp:
        assert fp.read() == text, f"{path} differs: run REGENERATE_GOLDEN=1 pytest {__file__} and review the diff"


@pytest.mark.parametrize("name", ROLLOUTS)
def test_golden(name):
    records, _ = harvest(name)
    check_golden(os.path.join(CODEX, name + ".episodes.jsonl"), "".join(jsonio.dumps_line(r) for r in records))


@pytest.mark.parametrize("name", ROLLOUTS)
def test_episode_kinds(name):
    records, _ = harvest(name)
    assert Counter(r["kind"] for r in records) == EXPECTED_KINDS[name]
    assert {r["harness"] for r in records} <= {"codex"}
    assert all(isinstance(m["content"], str) for r in records for m in r["messages"])


def test_tool_calls_are_joined_by_call_id_and_the_event_copy_is_not_read_twice():
    records, problems = harvest("tool-calls")
    assert problems == []
    task = records[0]
    roles = [m["role"] for m in task["messages"]]
    assert roles == ["system", "user", "assistant", "tool", "assistant", "tool", "assistant", "tool", "tool",
                     "assistant", "user", "assistant"]
    # Only the response_item copy: each request once, though event_msg user_message repeats it.
    assert [m["content"] for m in task["messages"] if m["role"] == "user"] == [
        "Fix the failing test in tests/test_math.py.", "Thanks. What did you change?\n[image]"]
    assert task["messages"][0] == {"role": "system", "content": "You are Codex, a coding agent running in a terminal."}
    calls = {c["id"]: c["function"] for m in task["messages"] for c in m.get("tool_calls", [])}
    outputs = {m["tool_call_id"]: m for m in task["messages"] if m["role"] == "tool"}
    assert set(calls) == set(outputs) == {"call_run1", "call_patch1", "call_run2", "call_run3"}
    assert all(outputs[i]["name"] == calls[i]["name"] for i in calls)
    # A custom tool's free-form input becomes JSON arguments; a list output becomes its text.
    assert json.loads(calls["call_patch1"]["arguments"])["input"].startswith("*** Begin Patch\n")
    assert outputs["call_run3"]["content"] == " M tests/test_math.py"
    # A failing command's output is kept verbatim (exit code inside), as the model saw it.
    assert '"exit_code":1' in outputs["call_run1"]["content"]
    assert task["tools"] == [{"type": "function", "function": {"name": "shell"}},
                             {"type": "function", "function": {"name": "apply_patch"}}]
    assert (task["model"], task["provider"], task["outcome"]) == ("gpt-5-codex", "openai", "completed")


def test_injected_context_is_left_out():
    for name in ROLLOUTS:
        records, _ = harvest(name)
        for record in records:
            for message in record["messages"]:
                for marker in ("<environment_context>", "<user_instructions>", "AGENTS.md instructions",
                               "<permissions instructions>", "<turn_aborted>", "CONTEXT CHECKPOINT COMPACTION"):
                    assert marker not in message["content"], (name, message)


def test_usage_sums_each_request_once():
    records, _ = harvest("tool-calls")
    # The repeated token_count (same running total, new rate limits) is counted once:
    # the task's sum equals the session's final running total.
    assert records[0]["usage"] == {"cache_read_tokens": 4100, "input_tokens": 6000, "output_tokens": 200,
                                   "reasoning_tokens": 16, "total_tokens": 6200}
    assert [r["usage"]["total_tokens"] for r in records[1:]] == [4380, 1820]


def test_compaction_segments_pairs_and_summaries():
    records, problems = harvest("compaction")
    assert problems == []
    assert [(r["kind"], r["segment"]) for r in records[:5]] == [
        ("task", 0), ("compact_summary", 0), ("task", 1), ("compact_summary", 1), ("task", 2)]
    tasks = [r for r in records if r["kind"] == "task"]
    summaries = [r for r in records if r["kind"] == "compact_summary"]
    for summary in summaries:
        task = tasks[summary["segment"]]
        assert summary["pair_id"] == task["id"] and task["pair_id"] == summary["id"]
        assert summary["messages"][-2]["content"] == ep.SUMMARIZATION_INSTRUCTION
    assert tasks[2]["pair_id"] is None
    # The recorded compaction turn (Codex's prompt and the summary) is not part of the task.
    assert tasks[0]["messages"][-1]["content"] == "Added --utc."
    assert summaries[0]["messages"][-1]["content"] == "cli.py prints the date; a --utc flag was added. Next: tests."
    assert summaries[0]["usage"]["total_tokens"] == 210  # the compaction request's own usage
    # replacement_history: the kept user messages, then the summary rewrapped the shared way.
    wrapped = ep.COMPACTION_SUMMARY_PREFIX + "cli.py prints the date; a --utc flag was added. Next: tests." + \
        ep.COMPACTION_SUMMARY_SUFFIX
    assert [m["content"] for m in tasks[1]["messages"][:4]] == [
        "Create a CLI that prints the date.", "Add a --utc flag.", wrapped, "Now add tests."]
    assert not any("Another language model" in m["content"] for r in records for m in r["messages"])
    # No replacement_history (older builds): the real user messages so far, then the summary.
    assert [m["content"] for m in tasks[2]["messages"][:3]] == [
        "Create a CLI that prints the date.", "Add a --utc flag.", "Now add tests."]
    assert tasks[2]["messages"][3]["content"].startswith(ep.COMPACTION_SUMMARY_PREFIX)
    # A segment counts only its own usage and model.
    assert [t["usage"]["total_tokens"] for t in tasks] == [400, 205, 65]
    assert [t["model"] for t in tasks] == ["gpt-5-codex", "gpt-5.1-codex", "gpt-5.1-codex"]


def test_rollback_drops_the_rolled_back_turn():
    records, _ = harvest("rollback")
    contents = [m["content"] for m in records[0]["messages"]]
    assert contents == ["Write hello.py that prints a greeting.", "hello.py prints Hello.",
                        "Make it print in German.", "It now prints Hallo."]
    assert not any("Bonjour" in m["content"] for r in records for m in r["messages"])


def test_aborted_turn_keeps_the_unanswered_call():
    records, _ = harvest("aborted")
    task = records[0]
    assert task["outcome"] == "aborted"
    assert task["unanswered_tool_calls"] == 1
    assert [c["id"] for c in task["messages"][-1]["tool_calls"]] == ["call_b"]


def test_reasoning_only_with_keep_reasoning():
    records, _ = harvest("aborted")
    assert all("reasoning_content" not in m for r in records for m in r["messages"])
    assert not any("rm -rf build, then make" in m["content"] for r in records for m in r["messages"])
    kept, _ = harvest("aborted", keep_reasoning=True)
    # The raw reasoning text when the rollout has it, else the summary.
    assert kept[0]["messages"][1]["reasoning_content"] == "The user wants a clean rebuild: rm -rf build, then make."
    legacy, _ = harvest("legacy", keep_reasoning=True)
    assert legacy[0]["messages"][3] == {"role": "assistant", "content": "There are two entries: README.md and src.",
                                        "reasoning_content": "Two entries."}


def test_legacy_layout():
    records, problems = harvest("legacy")
    assert problems == []
    task = records[0]
    assert task["session_hash"] == hashed_id("5973b6c0-94b8-487b-a530-2aeb6098ae0e")
    call = task["messages"][1]["tool_calls"][0]
    assert call["id"] == "call_ls" and call["function"]["name"] == "local_shell"
    assert json.loads(call["function"]["arguments"])["command"] == ["ls"]
    assert task["messages"][2]["name"] == "local_shell"


def test_corrupt_middle_line_is_reported_and_the_session_still_harvested():
    records, problems = harvest("corrupt-middle")
    assert [(p.line, p.reason) for p in problems] == [(5, jsonio.INVALID_JSON)]
    assert problems[0].source.endswith("corrupt-middle.jsonl")
    task = records[0]
    assert [m["role"] for m in task["messages"]] == ["user", "assistant", "assistant", "user", "assistant"]
    assert task["unanswered_tool_calls"] == 1


def test_truncated_last_line_is_reported_as_unfinished():
    records, problems = harvest("truncated-last")
    assert [(p.line, p.reason) for p in problems] == [(6, codex.TRUNCATED_LAST_LINE)]
    assert [m["content"] for m in records[0]["messages"]] == ["What is 2 + 2?", "4."]


@pytest.mark.parametrize("name, why", [("empty", "no messages"), ("only-tool-output", "no user message")])
def test_unusable_sessions_yield_nothing_and_are_reported(name, why):
    records, problems = harvest(name)
    assert records == []
    assert [(p.line, p.reason, p.message) for p in problems] == [
        (1, codex.NOT_USABLE, f"task segment 0 is not usable: {why}")]


def test_zstd_rollouts_are_skipped_with_a_reason():
    path = os.path.join(CODEX, "compressed.jsonl.zst")
    assert codex.SKIPPED_SUFFIXES == (".jsonl.zst",)
    assert codex.SKIPPED_REASON == "zstd-compressed rollout (the standard library reads zstd only from Python 3.14)"
    assert codex.skip_reason(path) == codex.SKIPPED_REASON
    assert codex.skip_reason(os.path.join(CODEX, "legacy.jsonl")) is None
    assert not codex.sniff(head_of(path))
    records, problems = harvest_path(path)
    assert records == []
    assert [(p.line, p.reason, p.message) for p in problems] == [(1, codex.SKIPPED, codex.SKIPPED_REASON)]


def test_zstd_bytes_under_a_plain_name_are_skipped_too(tmp_path):
    path = tmp_path / "rollout-2026-01-12T08-00-00-0199a000-0000-7000-8000-000000000003.jsonl"
    with open(os.path.join(CODEX, "compressed.jsonl.zst"), "rb") as fp:
        path.write_bytes(fp.read())
    records, problems = harvest_path(str(path))
    assert records == [] and [p.reason for p in problems] == [codex.SKIPPED]


def test_very_large_tool_output_is_kept_whole(tmp_path):
    big = "".join(f"line {i:07d} of the build log\n" for i in range(80000))  # about 2.4 MB
    lines = [
        {"timestamp": "2026-01-18T10:00:00Z", "type": "session_meta", "payload": {"id": "big-1", "model_provider": "openai"}},
        {"timestamp": "2026-01-18T10:00:01Z", "type": "response_item",
         "payload": {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "Show the log."}]}},
        {"timestamp": "2026-01-18T10:00:02Z", "type": "response_item",
         "payload": {"type": "function_call", "name": "shell", "arguments": "{}", "call_id": "call_big"}},
        {"timestamp": "2026-01-18T10:00:03Z", "type": "response_item",
         "payload": {"type": "function_call_output", "call_id": "call_big", "output": big}},
        {"timestamp": "2026-01-18T10:00:04Z", "type": "response_item",
         "payload": {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "80000 lines."}]}},
    ]
    path = tmp_path / "rollout-big.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    records, problems = harvest_path(str(path))
    assert problems == []
    assert records[0]["messages"][2]["content"] == big


def test_output_without_its_call_is_dropped_and_the_id_falls_back_to_the_file_name(tmp_path):
    lines = [
        {"type": "response_item", "payload": {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "Hi."}]}},
        {"type": "response_item", "payload": {"type": "function_call_output", "call_id": "call_lost", "output": "orphan"}},
        {"type": "response_item", "payload": {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "Hello."}]}},
    ]
    name = "rollout-2026-01-19T10-00-00-0199a000-0000-7000-8000-0000000000aa.jsonl"
    path = tmp_path / name
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    records, _ = harvest_path(str(path))
    assert [m["content"] for m in records[0]["messages"]] == ["Hi.", "Hello."]
    assert records[0]["session_hash"] == hashed_id("0199a000-0000-7000-8000-0000000000aa")


def test_sniff_claims_codex_rollouts_only():
    for name in ROLLOUTS:
        head = head_of(os.path.join(CODEX, name + ".jsonl"))
        assert codex.sniff(head), name
        assert not pi.sniff(head) and not openclaw.sniff(head), name
    assert not codex.sniff(head_of(os.path.join(FIXTURES, "pi", "compaction.jsonl")))
    for head in (
        [],
        ["", "not json"],
        ['{"type":"session","version":3,"id":"x","timestamp":"2026-01-05T10:00:00.000Z","cwd":"/p"}'],
        ['{"sessionId":"s","projectHash":"h","startTime":"2026-01-05T10:00:00.000Z","lastUpdated":"x","kind":"main"}'],
        ['{"type":"user","uuid":"u","parentUuid":null,"sessionId":"s","timestamp":"2026-01-05T10:00:00.000Z",'
         '"message":{"role":"user","content":"hi"}}'],
        ['{"id":"m1","timestamp":"2026-01-05T10:00:00.000Z","type":"user","content":"hi"}'],
        ['{"type":"session_meta"}'],
    ):
        assert not codex.sniff(head), head


def test_reader_interface():
    assert codex.NAME == "codex"
    assert codex.DEFAULT_DIRS == ("~/.codex/sessions", "~/.codex/archived_sessions")
    assert codex.HOME_ENV == "CODEX_HOME"


def test_module_imports_on_python_3_9():
    python = os.path.expanduser("~/.pyenv/versions/3.9.18/bin/python")
    if not os.path.exists(python):
        pytest.skip("Python 3.9 is not installed here")
    code = ("import sys; sys.path.insert(0, 'tools'); from data_flywheel.sources.harness import codex; "
            "print(sum(1 for _ in codex.read_session('tests/fixtures/codex/compaction.jsonl', lambda p: None)))")
    result = subprocess.run([python, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False)
    assert (result.returncode, result.stdout.strip()) == (0, "9"), result.stderr
    assert sys.version_info >= (3, 9)


# --- real rollouts (../shared/fixtures/codex/codemie): nothing lost ------------------------------

REAL = os.path.join(ROOT, "..", "shared", "fixtures", "codex", "codemie")
CLI_ROLLOUT = os.path.join(REAL, "rollout-2026-05-11T11-26-55-019e1625-789d-76c0-80ab-3724b5ddb799.jsonl")
DESKTOP_ROLLOUT = os.path.join(REAL, "rollout-2026-05-11T13-28-45-019e1695-0522-7c83-8b39-0dd379793f80.jsonl")
needs_shared = pytest.mark.skipif(not os.path.isdir(REAL), reason="../shared/fixtures is not beside the checkout")


def _raw(path, kind):
    with open(path, encoding="utf-8") as fp:
        return [json.loads(line)["payload"] for line in fp if json.loads(line)["type"] == kind]


@needs_shared
def test_web_search_calls_are_kept_as_tool_calls_with_their_query():
    task = next(e for e in codex.read_session(CLI_ROLLOUT, lambda p: None) if e.kind == "task").to_record()
    calls = [c for m in task["messages"] for c in m.get("tool_calls") or () if c["function"]["name"] == "web_search"]
    searches = [p["action"] for p in _raw(CLI_ROLLOUT, "response_item") if p.get("type") == "web_search_call"]
    assert len(calls) == len(searches) == 3
    assert [json.loads(c["function"]["arguments"])["query"] for c in calls] == [s["query"] for s in searches]
    assert json.loads(calls[0]["function"]["arguments"])["queries"] == searches[0]["queries"]
    assert len({c["id"] for c in calls}) == 3
    # Answered server-side: no output item, so each is counted unanswered rather than given an invented result.
    assert task["unanswered_tool_calls"] == 3


@needs_shared
def test_codex_desktop_prompts_kept_only_as_user_message_events_are_read():
    prompts = [p["message"] for p in _raw(DESKTOP_ROLLOUT, "event_msg") if p.get("type") == "user_message"]
    assert len(prompts) == 3 and not any(
        p.get("role") == "user" for p in _raw(DESKTOP_ROLLOUT, "response_item") if p.get("type") == "message")
    episodes = [e.to_record() for e in codex.read_session(DESKTOP_ROLLOUT, lambda p: None)]
    task = next(e for e in episodes if e["kind"] == "task")
    assert [m["content"] for m in task["messages"] if m["role"] == "user"] == prompts
    assert sum(1 for e in episodes if e["kind"] == "turn") == 3
    calls = sum(1 for p in _raw(DESKTOP_ROLLOUT, "response_item") if p.get("type") == "function_call")
    assert sum(len(m.get("tool_calls") or ()) for m in task["messages"]) == calls


@needs_shared
def test_cli_rollouts_do_not_read_the_event_copy_of_their_prompts():
    task = next(e for e in codex.read_session(CLI_ROLLOUT, lambda p: None) if e.kind == "task").to_record()
    assert [m["content"] for m in task["messages"] if m["role"] == "user"] == [
        "show tools", "let's update the defailt context compart to 90 in env var"]


@needs_shared
def test_episodes_know_the_folder_the_session_ran_in():
    assert {e.cwd for e in codex.read_session(DESKTOP_ROLLOUT, lambda p: None)} == {"/Users/Sample_User/naya"}
