"""The pi session reader against real and hand-made sessions, with golden outputs.

Golden files sit beside each session in ``tests/fixtures/pi/``:
``<name>.episodes.jsonl`` holds every episode record the reader yields for a
hand-made session; for the two real sessions (megabytes of tool output),
``<name>.episodes.digest.jsonl`` holds one line per episode with its id, kind,
segment, pair, outcome, counts and the sha256 of its full record line, so a
change to any byte still fails the test. After an intended change, regenerate
them and review the diff:

    REGENERATE_GOLDEN=1 python3 -m pytest tests/test_harness_pi.py
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
from data_flywheel.sources import harness
from data_flywheel.sources.harness import openclaw, pi

PI = os.path.join(FIXTURES, "pi")
REAL = ("before-compaction", "large-session")
HAND_MADE = ("branch", "compaction", "corrupt-middle", "empty", "only-tool-output", "thinking",
             "truncated-last", "unanswered-tool-call", "version-2")


def harvest(name, **kwargs):
    problems = []
    episodes = list(pi.read_session(os.path.join(PI, name + ".jsonl"), problems.append, **kwargs))
    records = [e.to_record() for e in episodes]
    for record in records:
        assert [str(i) for i in checker_for("episode").iter_issues(record)] == []
    return records, problems


def digest_line(record):
    line = jsonio.dumps_line(record)
    return jsonio.dumps_line({
        "id": record["id"], "kind": record["kind"], "segment": record["segment"], "pair_id": record["pair_id"],
        "outcome": record["outcome"], "messages": len(record["messages"]),
        "unanswered_tool_calls": record["unanswered_tool_calls"], "model": record["model"],
        "sha256": hashlib.sha256(line.encode("utf-8")).hexdigest(),
    })


def check_golden(path, text):
    if os.environ.get("REGENERATE_GOLDEN") == "1":
        with open(path, "w", encoding="utf-8", newline="\n") as fp:
            fp.write(text)
    with open(path, encoding="utf-8", newline="") as fp:
        assert fp.read() == text, f"{path} differs: run REGENERATE_GOLDEN=1 pytest {__file__} and review the diff"


@pytest.mark.parametrize("name", HAND_MADE)
def test_golden_hand_made(name):
    records, _ = harvest(name)
    check_golden(os.path.join(PI, name + ".episodes.jsonl"), "".join(jsonio.dumps_line(r) for r in records))


@pytest.mark.parametrize("name", REAL)
def test_golden_real(name):
    records, problems = harvest(name)
    assert problems == []
    check_golden(os.path.join(PI, name + ".episodes.digest.jsonl"), "".join(digest_line(r) for r in records))


def test_two_compactions_yield_three_tasks_and_two_paired_summaries():
    records, _ = harvest("before-compaction")
    assert Counter(r["kind"] for r in records) == {"task": 3, "compact_summary": 2, "turn": 54}
    tasks = [r for r in records if r["kind"] == "task"]
    summaries = [r for r in records if r["kind"] == "compact_summary"]
    assert [t["segment"] for t in tasks] == [0, 1, 2]
    for summary in summaries:
        task = tasks[summary["segment"]]
        assert summary["pair_id"] == task["id"] and task["pair_id"] == summary["id"]
        assert summary["messages"][-2]["content"] == ep.SUMMARIZATION_INSTRUCTION
        assert summary["messages"][-1]["content"].startswith("# Context Checkpoint")
    assert tasks[2]["pair_id"] is None
    # Segments after a compaction open with the wrapped summary, as pi rebuilds the context.
    for task in tasks[1:]:
        assert task["messages"][0]["content"].startswith(ep.COMPACTION_SUMMARY_PREFIX)
    # The second summary's prompt starts from the first summary, which it updates.
    assert summaries[1]["messages"][0]["content"].startswith(ep.COMPACTION_SUMMARY_PREFIX)


def test_v1_first_kept_entry_index_counts_the_header():
    records, _ = harvest("before-compaction")
    task = [r for r in records if r["kind"] == "task"][1]
    # firstKeptEntryIndex 293 is file line 294 (index 0 is the header): the first kept message.
    with open(os.path.join(PI, "before-compaction.jsonl"), encoding="utf-8") as fp:
        line_294 = json.loads(fp.readlines()[293])
    assert task["messages"][1] == {"role": "user", "content": line_294["message"]["content"][0]["text"]}


def test_thinking_blocks_never_reach_content():
    records, _ = harvest("before-compaction")
    with open(os.path.join(PI, "before-compaction.jsonl"), encoding="utf-8") as fp:
        thoughts = [block["thinking"] for line in fp for block in json.loads(line).get("message", {}).get("content", [])
                    if isinstance(block, dict) and block.get("type") == "thinking" and len(block["thinking"]) > 40]
    assert len(thoughts) > 10
    answers = [m["content"] for r in records for m in r["messages"] if m["role"] == "assistant"]
    assert not any(thought in answer for thought in thoughts for answer in answers)
    records, _ = harvest("thinking")
    assert [m.get("reasoning_content") for m in records[0]["messages"]] == [None, None, None, None]
    kept, _ = harvest("thinking", keep_reasoning=True)
    assert kept[0]["messages"][1]["reasoning_content"] == "91 = 7 * 13."
    assert kept[0]["messages"][3]["reasoning_content"] == "No divisor up to 9."
    assert kept[0]["messages"][3]["content"] == "Yes, 97 is prime."


def test_corrupt_middle_line_is_reported_and_the_session_still_harvested():
    records, problems = harvest("corrupt-middle")
    assert [(p.line, p.reason) for p in problems] == [(4, jsonio.INVALID_JSON)]
    assert problems[0].source.endswith("corrupt-middle.jsonl")
    task = records[0]
    # The entry after the bad line names it as parent: bridged to the line before, history kept.
    assert [m["role"] for m in task["messages"]] == ["user", "assistant", "assistant"]
    assert task["unanswered_tool_calls"] == 1


def test_truncated_last_line_is_reported_as_unfinished():
    records, problems = harvest("truncated-last")
    assert [(p.line, p.reason) for p in problems] == [(5, pi.TRUNCATED_LAST_LINE)]
    assert [m["content"] for m in records[0]["messages"]] == ["What is 2 + 2?", "4."]


@pytest.mark.parametrize("name, why", [("empty", "no messages"), ("only-tool-output", "no user message")])
def test_unusable_sessions_yield_nothing_and_are_reported(name, why):
    records, problems = harvest(name)
    assert records == []
    assert [(p.line, p.reason, p.message) for p in problems] == [
        (1, pi.NOT_USABLE, f"task segment 0 is not usable: {why}")]


def test_tool_call_with_no_result_is_kept_and_marked():
    records, _ = harvest("unanswered-tool-call")
    task = records[0]
    assert [c["id"] for c in task["messages"][1]["tool_calls"]] == ["call_a", "call_b"]
    assert task["unanswered_tool_calls"] == 1
    assert task["outcome"] == "aborted"


def test_branch_follows_the_live_path_with_its_summary():
    records, _ = harvest("branch")
    task = records[0]
    contents = [m["content"] for m in task["messages"]]
    assert contents[0] == "Rename foo to bar in app.py."
    assert contents[2] == ep.BRANCH_SUMMARY_PREFIX + "Renamed the variable foo to bar in app.py." + ep.BRANCH_SUMMARY_SUFFIX
    assert "The variable." not in contents  # the abandoned branch
    assert [r["kind"] for r in records] == ["task", "turn", "turn"]


def test_summary_of_nothing_new_is_not_exported_and_its_task_stays_unpaired():
    records, _ = harvest("compaction")
    assert [(r["kind"], r["segment"]) for r in records[:4]] == [
        ("task", 0), ("compact_summary", 0), ("task", 1), ("task", 2)]
    assert records[0]["pair_id"] == records[1]["id"]
    assert records[2]["pair_id"] is None and records[3]["pair_id"] is None
    # The summary's prompt is what was compacted: the messages before firstKeptEntryId.
    assert [m["content"] for m in records[1]["messages"][:2]] == ["Set up the project.", "Created pyproject.toml."]
    # A segment counts only its own usage: segment 1 made one assistant call.
    assert records[2]["usage"]["total_tokens"] == 15


def test_version_2_hook_message_becomes_a_user_message():
    records, _ = harvest("version-2")
    assert records[0]["messages"][0] == {"role": "user", "content": "Remember the style guide."}
    assert records[0]["outcome"] == "failed"


def test_every_message_content_is_a_string():
    for name in REAL + HAND_MADE:
        records, _ = harvest(name)
        assert all(isinstance(m["content"], str) for r in records for m in r["messages"])


def test_sniff_and_registry():
    with open(os.path.join(PI, "before-compaction.jsonl"), encoding="utf-8") as fp:
        head = [fp.readline() for _ in range(5)]
    assert pi.sniff(head) and not openclaw.sniff(head)
    assert harness.sniff(head) is pi
    assert harness.sniff(['{"type":"session_meta"}']) is None
    assert harness.sniff(["", "not json"]) is None
    claw = ['{"type":"session","version":3,"id":"ec31","timestamp":"2026-02-01T22:02:17.040Z","cwd":"/Users/m/.openclaw/workspace"}']
    assert harness.sniff(claw) is openclaw
    for reader in harness.READERS:
        assert reader.NAME and reader.DEFAULT_DIRS and callable(reader.read_session) and callable(reader.sniff)


def test_openclaw_reuses_the_pi_reader_with_its_own_name():
    records = [e.to_record() for e in openclaw.read_session(os.path.join(PI, "thinking.jsonl"), lambda p: None)]
    assert {r["harness"] for r in records} == {"openclaw"}
