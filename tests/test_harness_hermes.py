"""The Hermes reader against ``state.db`` databases built from hand-written fixtures.

Each fixture ``tests/fixtures/hermes/<name>.json`` describes sessions (``sessions``
columns) with their ``messages`` rows as Hermes writes them (``tool_calls`` as a
list, stored as JSON; ``tool_calls_text`` for a corrupt value, ``content_hex`` for
bytes that are not UTF-8). The tests build ``state.db`` from the documented schema
(NousResearch hermes-agent 0.19.0 hermes_state.py SCHEMA_SQL, the two tables read
here) in a temporary directory, so no binary database is committed, and compare
every episode with ``<name>.episodes.jsonl``. After an intended change:

    REGENERATE_GOLDEN=1 python3 -m pytest tests/test_harness_hermes.py
"""
from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections import Counter

import pytest

from conftest import FIXTURES
from data_flywheel import jsonio
from data_flywheel.records import episode as ep
from data_flywheel.records.schemas import checker_for
from data_flywheel.sources.harness import hermes, opencode, pi

HERMES = os.path.join(FIXTURES, "hermes")
NAMES = ("bad-rows", "compaction", "errors", "tool-calls")

# hermes_state.py SCHEMA_SQL, the sessions and messages tables.
SCHEMA = """
CREATE TABLE schema_version (version INTEGER NOT NULL);
CREATE TABLE sessions (
  id TEXT PRIMARY KEY, source TEXT NOT NULL, user_id TEXT, session_key TEXT, chat_id TEXT, chat_type TEXT,
  thread_id TEXT, display_name TEXT, origin_json TEXT, expiry_finalized INTEGER DEFAULT 0, model TEXT,
  model_config TEXT, system_prompt TEXT, parent_session_id TEXT, started_at REAL NOT NULL, ended_at REAL,
  end_reason TEXT, message_count INTEGER DEFAULT 0, tool_call_count INTEGER DEFAULT 0,
  input_tokens INTEGER DEFAULT 0, output_tokens INTEGER DEFAULT 0, cache_read_tokens INTEGER DEFAULT 0,
  cache_write_tokens INTEGER DEFAULT 0, reasoning_tokens INTEGER DEFAULT 0, cwd TEXT, git_branch TEXT,
  git_repo_root TEXT, billing_provider TEXT, billing_base_url TEXT, billing_mode TEXT, estimated_cost_usd REAL,
  actual_cost_usd REAL, cost_status TEXT, cost_source TEXT, pricing_version TEXT, title TEXT,
  api_call_count INTEGER DEFAULT 0, profile_name TEXT, rewind_count INTEGER NOT NULL DEFAULT 0,
  archived INTEGER NOT NULL DEFAULT 0, FOREIGN KEY (parent_session_id) REFERENCES sessions(id));
CREATE TABLE messages (
  id INTEGER PRIMARY KEY AUTOINCREMENT, session_id TEXT NOT NULL REFERENCES sessions(id), role TEXT NOT NULL,
  content TEXT, tool_call_id TEXT, tool_calls TEXT, tool_name TEXT, effect_disposition TEXT,
  timestamp REAL NOT NULL, token_count INTEGER, finish_reason TEXT, reasoning TEXT, reasoning_content TEXT,
  reasoning_details TEXT, codex_reasoning_items TEXT, codex_message_items TEXT, platform_message_id TEXT,
  observed INTEGER DEFAULT 0, active INTEGER NOT NULL DEFAULT 1, compacted INTEGER NOT NULL DEFAULT 0,
  api_content TEXT);
CREATE INDEX idx_sessions_parent ON sessions(parent_session_id);
CREATE INDEX idx_messages_session ON messages(session_id, timestamp);
"""


def load(name):
    with open(os.path.join(HERMES, name + ".json"), encoding="utf-8") as fp:
        return json.load(fp)["sessions"]


def _message_row(session_id, message):
    row = dict(message, session_id=session_id)
    if "tool_calls" in row:
        row["tool_calls"] = json.dumps(row["tool_calls"])
    if "tool_calls_text" in row:
        row["tool_calls"] = row.pop("tool_calls_text")
    if "content_hex" in row:
        row["content"] = bytes.fromhex(row.pop("content_hex"))
    return row


def build_db(folder, sessions, wal=True):
    path = os.path.join(str(folder), "state.db")
    db = sqlite3.connect(path)
    if wal:
        db.execute("PRAGMA journal_mode=WAL")
    db.executescript(SCHEMA)
    for entry in sessions:
        rows = [("sessions", entry["session"])] + [("messages", _message_row(entry["session"]["id"], m)) for m in entry["messages"]]
        for table, row in rows:
            db.execute(f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})", tuple(row.values()))
    db.commit()
    db.close()
    return path


def harvest(path, **kwargs):
    problems = []
    records = [e.to_record() for e in hermes.read_session(path, problems.append, **kwargs)]
    for record in records:
        assert [str(i) for i in checker_for("episode").iter_issues(record)] == []
    return records, problems


def harvest_fixture(tmp_path, name, **kwargs):
    return harvest(build_db(tmp_path, load(name)), **kwargs)


def check_golden(path, text):
    if os.environ.get("REGENERATE_GOLDEN") == "1":
        with open(path, "w", encoding="utf-8", newline="\n") as fp:
            fp.write(text)
    with open(path, encoding="utf-8", newline="") as fp:
        assert fp.read() == text, f"{path} differs: run REGENERATE_GOLDEN=1 pytest {__file__} and review the diff"


@pytest.mark.parametrize("name", NAMES)
def test_golden(tmp_path, name):
    records, _ = harvest_fixture(tmp_path, name)
    check_golden(os.path.join(HERMES, name + ".episodes.jsonl"), "".join(jsonio.dumps_line(r) for r in records))


def test_episode_counts_by_kind(tmp_path):
    counts = {}
    for name in NAMES:
        folder = tmp_path / name
        folder.mkdir()
        counts[name] = dict(Counter(r["kind"] for r in harvest_fixture(folder, name)[0]))
    assert counts == {
        "bad-rows": {"task": 1, "turn": 1},
        "compaction": {"task": 5, "compact_summary": 3, "turn": 7},
        "errors": {"task": 3, "turn": 3},
        "tool-calls": {"task": 1, "turn": 2},
    }


def test_tool_calls_results_system_prompt_and_usage(tmp_path):
    records, problems = harvest_fixture(tmp_path, "tool-calls")
    assert problems == []
    task = records[0]
    assert [m["role"] for m in task["messages"]] == ["system", "user", "assistant", "tool", "tool", "assistant", "user", "assistant"]
    assert task["messages"][0]["content"] == "You are Hermes, a coding agent. Answer briefly."
    first = task["messages"][2]
    assert [c["id"] for c in first["tool_calls"]] == ["call_01", "call_02"]
    assert json.loads(first["tool_calls"][1]["function"]["arguments"]) == {"command": "pytest -q"}
    assert task["messages"][3] == {"role": "tool", "content": "[server]\nport = 8080", "tool_call_id": "call_01", "name": "read_file"}
    # Multimodal content is stored as "\x00json:" + parts; the image becomes a marker.
    assert task["messages"][6]["content"] == "What is in this screenshot?\n[Attached image]"
    assert (task["model"], task["provider"]) == ("anthropic/claude-sonnet-4.5", "openrouter")
    assert task["usage"] == {"input_tokens": 2400, "output_tokens": 310, "cache_read_tokens": 1800, "reasoning_tokens": 40}
    assert (task["started_at"], task["ended_at"]) == ("2026-03-02T09:00:00Z", "2026-03-02T09:00:40Z")
    assert all("reasoning_content" not in m for m in task["messages"])
    kept, _ = harvest(os.path.join(str(tmp_path), "state.db"), keep_reasoning=True)
    assert kept[0]["messages"][2]["reasoning_content"] == "The port is probably in config.toml."


def test_in_place_compactions_split_segments_and_pair_their_summaries(tmp_path):
    records, problems = harvest_fixture(tmp_path, "compaction")
    assert problems == []
    first = [r for r in records if r["session_hash"] == "sha256:" + hashlib.sha256(b"20260302_100000_c0ffee").hexdigest()]
    assert [(r["kind"], r["segment"]) for r in first[:5]] == [
        ("task", 0), ("compact_summary", 0), ("task", 1), ("compact_summary", 1), ("task", 2)]
    task0, summary0, task1, summary1, task2 = first[:5]
    for task, summary in ((task0, summary0), (task1, summary1)):
        assert task["pair_id"] == summary["id"] and summary["pair_id"] == task["id"]
        assert summary["messages"][-2]["content"] == ep.SUMMARIZATION_INSTRUCTION
    assert task2["pair_id"] is None
    # The summary without Hermes's handoff prefix and end marker.
    s1 = "## Goal\nAdd a /health route to main.py.\n## Progress\nThe route is added and returns 200."
    assert summary0["messages"][-1]["content"] == s1
    assert task1["messages"][2]["content"] == ep.COMPACTION_SUMMARY_PREFIX + s1 + ep.COMPACTION_SUMMARY_SUFFIX
    # The kept tail is not summarized; segment 0's trailing request is carried into segment 1.
    assert "Now run the tests." not in [m["content"] for m in summary0["messages"]]
    assert [m["content"] for m in task2["messages"][3:5]] == ["Add a test for /health.", "Added tests/test_health.py."]
    assert "Add a test for /health." not in [m["content"] for m in summary1["messages"]]
    # Rows taken back by /undo (active = 0, compacted = 0) are not read.
    assert "Delete the tests folder." not in json.dumps(records)
    # Copies written by a compaction and the todo snapshot start no turn; a turn runs across a compaction.
    turns = [r for r in first if r["kind"] == "turn"]
    assert [t["messages"][1]["content"] for t in turns] == ["Add a /health route to main.py.", "Now run the tests.",
                                                            "Add a test for /health.", "Commit it."]
    assert turns[1]["messages"][-1]["content"] == "All 12 tests pass."


def test_rotation_continuation_is_one_conversation(tmp_path):
    records, _ = harvest_fixture(tmp_path, "compaction")
    chain = [r for r in records if r["session_hash"] == "sha256:" + hashlib.sha256(b"20260302_110000_0a0b0c").hexdigest()]
    assert [(r["kind"], r["segment"]) for r in chain] == [
        ("task", 0), ("compact_summary", 0), ("task", 1), ("turn", 0), ("turn", 1), ("turn", 2)]
    task0, summary0, task1 = chain[:3]
    assert task0["pair_id"] == summary0["id"]
    # The summary merged into the first kept tail message: summary first, then that message.
    assert [m["content"] for m in task1["messages"][3:5]] == [
        ep.COMPACTION_SUMMARY_PREFIX + "## Goal\nFix the timeout in logs/app.log line 12." + ep.COMPACTION_SUMMARY_SUFFIX,
        "Fix the first error."]
    assert task1["messages"][0]["content"].endswith("handoff summary.]")  # the continuation's own system prompt
    # Each session's token totals go to the one segment it holds.
    assert task0["usage"] == {"input_tokens": 5000, "output_tokens": 400}
    assert task1["usage"] == {"input_tokens": 3000, "output_tokens": 200}


def test_failed_unanswered_and_subagent_sessions_are_kept_and_labelled(tmp_path):
    records, _ = harvest_fixture(tmp_path, "errors")
    tasks = [r for r in records if r["kind"] == "task"]
    assert [t["outcome"] for t in tasks] == ["completed", "completed", "failed"]
    assert tasks[0]["unanswered_tool_calls"] == 1
    assert tasks[0]["messages"][-1]["tool_calls"][0]["id"] == "call_31"
    # The delegated subagent is read as its own session.
    assert tasks[1]["session_hash"] == "sha256:" + hashlib.sha256(b"20260302_130500_e3e3e3").hexdigest()
    assert tasks[1]["messages"][1]["content"] == "Find the migration file."


def test_bad_rows_are_reported_and_unusable_sessions_counted(tmp_path):
    records, problems = harvest_fixture(tmp_path, "bad-rows")
    assert [(p.line, p.reason, p.message) for p in problems] == [
        (83, "invalid_json", "message 83 tool_calls: not valid JSON: Unterminated string starting at at column 41"),
        (84, "invalid_utf8", "message 84 content: invalid UTF-8"),
        (2, "not_usable", "session 20260302_141000_b1b1b1 task segment 0 is not usable: no messages"),
        (91, "not_usable", "session 20260302_142000_b2b2b2 task segment 0 is not usable: no user message"),
    ]
    assert all(p.source.endswith("state.db") for p in problems)
    # The corrupt rows (and the session_meta row) are skipped; the session is still harvested.
    assert [m["content"] for m in records[0]["messages"][1:]] == ["Say hello.", "Hello."]


def test_very_large_tool_output_is_kept_whole(tmp_path):
    sessions = load("tool-calls")
    output = "line of build output\n" * 60000
    sessions[0]["messages"][2]["content"] = output
    records, _ = harvest(build_db(tmp_path, sessions))
    assert records[0]["messages"][3]["content"] == output


def test_a_database_another_process_is_writing_opens_read_only(tmp_path):
    path = build_db(tmp_path, load("tool-calls"))
    writer = sqlite3.connect(path)
    try:
        assert writer.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE messages SET content = 'changed' WHERE id = 7")
        writer.execute("INSERT INTO messages (session_id, role, content, timestamp) VALUES ('20260302_090000_a1b2c3', 'user', 'x', 1)")
        records, problems = harvest(path)  # sees the last committed state, is not blocked
        assert problems == [] and [r["kind"] for r in records] == ["task", "turn", "turn"]
        assert records[0]["messages"][-1]["content"] == "A failing test report."
    finally:
        writer.rollback()
        writer.close()


def test_the_reader_never_writes(tmp_path):
    path = build_db(tmp_path, load("tool-calls"), wal=False)
    before = open(path, "rb").read()
    harvest(path)
    assert open(path, "rb").read() == before
    assert sorted(os.listdir(str(tmp_path))) == ["state.db"]
    connection = hermes._connect(path)
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        connection.execute("DELETE FROM messages")
    connection.close()


def test_a_path_with_uri_characters_opens(tmp_path):
    folder = tmp_path / "odd ?name#1"
    folder.mkdir()
    records, problems = harvest(build_db(folder, load("tool-calls")))
    assert problems == [] and records


def test_not_a_database_is_reported(tmp_path):
    path = tmp_path / "state.db"
    path.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    records, problems = harvest(str(path))
    assert records == [] and [p.reason for p in problems] == [hermes.UNREADABLE_DATABASE]


def test_sniff_path_and_sniff(tmp_path):
    db = build_db(tmp_path, load("tool-calls"))
    assert hermes.sniff_path(db)
    other = tmp_path / "other.db"
    sqlite3.connect(str(other)).executescript("CREATE TABLE sessions (id TEXT); CREATE TABLE messages (id TEXT);")
    opencode_db = tmp_path / "opencode.db"
    sqlite3.connect(str(opencode_db)).executescript(
        "CREATE TABLE session (id TEXT); CREATE TABLE message (id TEXT); CREATE TABLE part (id TEXT);")
    for path in (str(other), str(opencode_db), os.path.join(FIXTURES, "pi", "compaction.jsonl"),
                 os.path.join(HERMES, "tool-calls.json"), str(tmp_path / "missing.db")):
        assert not hermes.sniff_path(path), path
    assert not opencode.sniff_path(db)
    with open(db, "rb") as fp:
        head = fp.read(400).decode("latin-1").splitlines()
    assert not hermes.sniff(head) and not pi.sniff(head)
    with open(os.path.join(FIXTURES, "pi", "compaction.jsonl"), encoding="utf-8") as fp:
        assert not hermes.sniff(fp.readlines()[:5])
    for name in NAMES:
        with open(os.path.join(HERMES, name + ".json"), encoding="utf-8") as fp:
            assert not pi.sniff(fp.readlines()[:5])


def test_module_surface():
    assert hermes.NAME == "hermes"
    assert hermes.DEFAULT_DIRS == ("~/.hermes/state.db",)
    assert hermes.default_dirs({}) == ("~/.hermes/state.db",)
    assert hermes.default_dirs({"HERMES_HOME": "/srv/hermes"}) == (os.path.join("/srv/hermes", "state.db"),)
