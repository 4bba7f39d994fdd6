"""The OpenCode reader against SQLite databases and legacy storage trees built from hand-written fixtures.

Each fixture ``tests/fixtures/opencode/<name>.json`` describes sessions with
their messages and parts (``data`` as OpenCode stores it; ``data_text`` for a
corrupt row). The tests build ``opencode.db`` from the documented schema
(anomalyco/opencode:packages/opencode/src/session/session.sql.ts) in a
temporary directory, so no binary database is committed, and compare every
episode with ``<name>.episodes.jsonl``. After an intended change:

    REGENERATE_GOLDEN=1 python3 -m pytest tests/test_harness_opencode.py
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
from data_flywheel.sources.harness import gemini, opencode, pi

OPENCODE = os.path.join(FIXTURES, "opencode")
NAMES = ("bad-rows", "compaction", "errors", "subagent", "tool-calls")

# session.sql.ts as SQL (drizzle's Timestamps are time_created/time_updated integers, in ms).
SCHEMA = """
CREATE TABLE project (id TEXT PRIMARY KEY, worktree TEXT NOT NULL, time_created INTEGER NOT NULL, time_updated INTEGER NOT NULL);
CREATE TABLE session (
  id TEXT PRIMARY KEY, project_id TEXT NOT NULL REFERENCES project(id) ON DELETE CASCADE, workspace_id TEXT,
  parent_id TEXT, slug TEXT NOT NULL, directory TEXT NOT NULL, path TEXT, title TEXT NOT NULL, version TEXT NOT NULL,
  share_url TEXT, summary_additions INTEGER, summary_deletions INTEGER, summary_files INTEGER, summary_diffs TEXT,
  cost REAL NOT NULL DEFAULT 0, tokens_input INTEGER NOT NULL DEFAULT 0, tokens_output INTEGER NOT NULL DEFAULT 0,
  tokens_reasoning INTEGER NOT NULL DEFAULT 0, tokens_cache_read INTEGER NOT NULL DEFAULT 0,
  tokens_cache_write INTEGER NOT NULL DEFAULT 0, revert TEXT, permission TEXT, goal TEXT, agent TEXT, model TEXT,
  time_created INTEGER NOT NULL, time_updated INTEGER NOT NULL, time_compacting INTEGER, time_archived INTEGER);
CREATE INDEX session_project_idx ON session (project_id);
CREATE INDEX session_parent_idx ON session (parent_id);
CREATE TABLE message (
  id TEXT PRIMARY KEY, session_id TEXT NOT NULL REFERENCES session(id) ON DELETE CASCADE,
  time_created INTEGER NOT NULL, time_updated INTEGER NOT NULL, data TEXT NOT NULL);
CREATE INDEX message_session_time_created_id_idx ON message (session_id, time_created, id);
CREATE TABLE part (
  id TEXT PRIMARY KEY, message_id TEXT NOT NULL REFERENCES message(id) ON DELETE CASCADE, session_id TEXT NOT NULL,
  time_created INTEGER NOT NULL, time_updated INTEGER NOT NULL, data TEXT NOT NULL);
CREATE INDEX part_message_id_id_idx ON part (message_id, id);
CREATE INDEX part_session_idx ON part (session_id);
"""


def load(name):
    with open(os.path.join(OPENCODE, name + ".json"), encoding="utf-8") as fp:
        return json.load(fp)["sessions"]


def _data(item):
    return item["data_text"] if "data_text" in item else json.dumps(item["data"])


def build_db(folder, sessions, wal=True):
    path = os.path.join(str(folder), "opencode.db")
    db = sqlite3.connect(path)
    if wal:
        db.execute("PRAGMA journal_mode=WAL")
    db.executescript(SCHEMA)
    for entry in sessions:
        row = entry["session"]
        db.execute("INSERT OR IGNORE INTO project VALUES (?, ?, ?, ?)", (row["project_id"], row["directory"], 0, 0))
        columns = ", ".join(row)
        db.execute(f"INSERT INTO session ({columns}) VALUES ({', '.join('?' * len(row))})", tuple(row.values()))
        for message in entry["messages"]:
            created = message["time_created"]
            db.execute("INSERT INTO message VALUES (?, ?, ?, ?, ?)", (message["id"], row["id"], created, created, _data(message)))
            for part in message["parts"]:
                db.execute("INSERT INTO part VALUES (?, ?, ?, ?, ?, ?)",
                           (part["id"], message["id"], row["id"], created, created, _data(part)))
    db.commit()
    db.close()
    return path


def build_storage(folder, sessions):
    """The legacy (<= 1.1) tree: storage/{session/<project>/<ses>, message/<ses>/<msg>, part/<msg>/<prt>}.json."""
    root = os.path.join(str(folder), "storage")

    def put(path, value):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as fp:
            fp.write(value if isinstance(value, str) else json.dumps(value, indent=2))

    for entry in sessions:
        row = entry["session"]
        info = {"id": row["id"], "projectID": row["project_id"], "directory": row["directory"], "title": row["title"],
                "version": "1.1.0", "time": {"created": row["time_created"], "updated": row["time_updated"]}}
        if row.get("parent_id"):
            info["parentID"] = row["parent_id"]
        put(os.path.join(root, "session", row["project_id"], row["id"] + ".json"), info)
        for message in entry["messages"]:
            data = message.get("data_text") or dict(message["data"], id=message["id"], sessionID=row["id"])
            put(os.path.join(root, "message", row["id"], message["id"] + ".json"), data)
            for part in message["parts"]:
                data = part.get("data_text") or dict(part["data"], id=part["id"], sessionID=row["id"], messageID=message["id"])
                put(os.path.join(root, "part", message["id"], part["id"] + ".json"), data)
    return root


def harvest(path, **kwargs):
    problems = []
    records = [e.to_record() for e in opencode.read_session(path, problems.append, **kwargs)]
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
    check_golden(os.path.join(OPENCODE, name + ".episodes.jsonl"), "".join(jsonio.dumps_line(r) for r in records))


@pytest.mark.parametrize("name", NAMES)
def test_legacy_storage_tree_reads_like_the_database(tmp_path, name):
    from_db, _ = harvest(build_db(tmp_path, load(name)))
    from_tree, _ = harvest(build_storage(tmp_path, load(name)))
    assert from_tree == from_db


def test_episode_counts_by_kind(tmp_path):
    counts = {}
    for name in NAMES:
        folder = tmp_path / name
        folder.mkdir()
        counts[name] = dict(Counter(r["kind"] for r in harvest_fixture(folder, name)[0]))
    assert counts == {
        "bad-rows": {"task": 1, "turn": 1},
        "compaction": {"task": 3, "compact_summary": 2, "turn": 3},
        "errors": {"task": 3, "turn": 3},
        "subagent": {"task": 2, "turn": 2},
        "tool-calls": {"task": 1, "turn": 2},
    }


def test_steps_become_separate_assistant_messages_with_their_results(tmp_path):
    records, problems = harvest_fixture(tmp_path, "tool-calls")
    assert problems == []
    task = records[0]
    assert [m["role"] for m in task["messages"]] == ["system", "user", "assistant", "tool", "tool", "assistant", "user", "assistant"]
    assert task["messages"][0]["content"] == "Answer in one sentence."
    first = task["messages"][2]
    assert first["content"] == "Reading the config and running the tests."
    assert [c["id"] for c in first["tool_calls"]] == ["toolu_01", "toolu_02"]
    assert json.loads(first["tool_calls"][1]["function"]["arguments"]) == {"command": "pytest -q", "description": "Run tests"}
    assert task["messages"][4] == {"role": "tool", "content": "Error: 2 tests failed", "tool_call_id": "toolu_02", "name": "bash"}
    assert task["messages"][6]["content"] == "What is in this screenshot?\n[Attached image/png: screen.png]"
    assert (task["model"], task["provider"]) == ("claude-sonnet-4-5", "anthropic")
    # Usage from the step-finish parts: three steps of 100 in / 20 out.
    assert task["usage"] == {"input_tokens": 300, "output_tokens": 60, "reasoning_tokens": 15,
                             "cache_read_tokens": 120, "cache_write_tokens": 0}
    assert task["started_at"] == "2026-03-02T09:00:00Z"


def test_reasoning_only_with_keep_reasoning(tmp_path):
    records, _ = harvest_fixture(tmp_path, "tool-calls")
    assert "config.toml." not in json.dumps([m for m in records[0]["messages"] if m["role"] == "assistant"])
    kept, _ = harvest(os.path.join(str(tmp_path), "opencode.db"), keep_reasoning=True)
    assert kept[0]["messages"][2]["reasoning_content"] == "The port is probably in config.toml."


def test_compactions_split_segments_and_pair_their_summaries(tmp_path):
    records, problems = harvest_fixture(tmp_path, "compaction")
    assert problems == []
    kinds = [(r["kind"], r["segment"]) for r in records]
    assert kinds[:5] == [("task", 0), ("compact_summary", 0), ("task", 1), ("compact_summary", 1), ("task", 2)]
    task0, summary0, task1, summary1, task2 = records[:5]
    for task, summary in ((task0, summary0), (task1, summary1)):
        assert task["pair_id"] == summary["id"] and summary["pair_id"] == task["id"]
        assert summary["messages"][-2]["content"] == ep.SUMMARIZATION_INSTRUCTION
    assert task2["pair_id"] is None
    assert summary0["messages"][-1]["content"].startswith("## Goal\nAdd a /health route to main.py.")
    # The pruned tool output (state.time.compacted) is kept: the model saw it when it made its next call.
    assert task0["messages"][2]["content"] == "main.py\nsetup.cfg"
    # Segment 1 opens with the wrapped summary; the compaction request and summary message are gone.
    assert task1["messages"][0]["content"] == ep.COMPACTION_SUMMARY_PREFIX + load("compaction")[0]["messages"][3]["parts"][1]["data"]["text"] + ep.COMPACTION_SUMMARY_SUFFIX
    assert "What did we do so far?" not in json.dumps(records)
    # The second compaction kept its tail (tail_start_id): not summarized, and carried into segment 2.
    summarized = [m["content"] for m in summary1["messages"]]
    assert summarized[0].startswith(ep.COMPACTION_SUMMARY_PREFIX)
    assert "Now add a test for it." not in summarized and "Add the /health route." in summarized
    assert [m["content"] for m in task2["messages"][1:]] == [
        "Now add a test for it.", "Added tests/test_health.py.",
        "Continue if you have next steps, or stop and ask for clarification if you are unsure how to proceed.",
        "All done: route and test are in place."]
    # Segment 2's own usage is the one call after the compaction.
    assert task2["usage"]["input_tokens"] == 100
    # The synthetic "Continue" prompt is no person's request: it starts no turn.
    assert [r["messages"][0]["content"] for r in records if r["kind"] == "turn"] == [
        "Look at the app layout.", "Add the /health route.", "Now add a test for it."]


def test_failed_aborted_and_unanswered_sessions_are_kept_and_labelled(tmp_path):
    records, _ = harvest_fixture(tmp_path, "errors")
    tasks = [r for r in records if r["kind"] == "task"]
    assert [t["outcome"] for t in tasks] == ["failed", "aborted", "completed"]
    # The API error produced nothing; it marks the step before it.
    assert tasks[0]["messages"][-2]["tool_calls"][0]["id"] == "toolu_21"
    assert tasks[0]["messages"][-1]["tool_call_id"] == "toolu_21"  # its result, before the error, is kept
    assert tasks[1]["messages"][-1]["content"] == "The build uses setuptools and"
    assert tasks[2]["unanswered_tool_calls"] == 1
    assert [c["id"] for c in tasks[2]["messages"][1]["tool_calls"]] == ["toolu_31", "toolu_32"]


def test_subagent_sessions_are_read_as_their_own_sessions(tmp_path):
    records, _ = harvest_fixture(tmp_path, "subagent")
    tasks = [r for r in records if r["kind"] == "task"]
    assert [t["session_hash"] for t in tasks] == [
        "sha256:" + hashlib.sha256(s.encode()).hexdigest() for s in ("ses_3a1f00000006", "ses_3a1f00000007")]
    assert tasks[1]["messages"][0]["content"] == "Search the repo for the server port."


def test_bad_rows_are_reported_and_unusable_sessions_counted(tmp_path):
    records, problems = harvest_fixture(tmp_path, "bad-rows")
    assert [(p.reason, p.message) for p in problems] == [
        ("not_usable", "session ses_3a1f00000008 task segment 0 is not usable: no messages"),
        ("not_usable", "session ses_3a1f00000009 task segment 0 is not usable: no user message"),
        ("invalid_json", "message msg_3a1f0000e102: not valid JSON: Unterminated string starting at at column 32"),
        ("invalid_json", "part prt_3a1f0000e103: not valid JSON: Unterminated string starting at at column 26"),
    ]
    assert all(p.source.endswith("opencode.db") and p.line > 0 for p in problems)
    # The corrupt rows are skipped; the session is still harvested.
    assert [m["content"] for m in records[0]["messages"]] == ["Say hello.", "Hello."]


def test_very_large_tool_output_is_kept_whole(tmp_path):
    sessions = load("errors")[2:]
    output = "line of build output\n" * 60000
    sessions[0]["messages"][1]["parts"][1]["data"]["state"]["output"] = output
    records, _ = harvest(build_db(tmp_path, sessions))
    assert records[0]["messages"][2]["content"] == output


def test_a_database_another_process_is_writing_opens_read_only(tmp_path):
    path = build_db(tmp_path, load("tool-calls"))
    writer = sqlite3.connect(path)
    try:
        assert writer.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE message SET data = '{}' WHERE id = 'msg_3a1f0000a004'")
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
    connection = opencode._connect(path)
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        connection.execute("DELETE FROM message")
    connection.close()


def test_a_path_with_uri_characters_opens(tmp_path):
    folder = tmp_path / "odd ?name#1"
    folder.mkdir()
    records, problems = harvest(build_db(folder, load("tool-calls")))
    assert problems == [] and records


def test_not_a_database_is_reported(tmp_path):
    path = tmp_path / "opencode.db"
    path.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    records, problems = harvest(str(path))
    assert records == [] and [p.reason for p in problems] == [opencode.UNREADABLE_DATABASE]


def test_one_legacy_session_file(tmp_path):
    root = build_storage(tmp_path, load("subagent"))
    session_file = os.path.join(root, "session", "4b825dc642cb6eb9a060e54bf8d69288fbee4904", "ses_3a1f00000007.json")
    records, _ = harvest(session_file)
    assert [r["kind"] for r in records] == ["task", "turn"]
    assert records[0]["session_hash"] == "sha256:" + hashlib.sha256(b"ses_3a1f00000007").hexdigest()


def test_sniff_path_and_sniff(tmp_path):
    db = build_db(tmp_path, load("tool-calls"))
    root = build_storage(tmp_path, load("tool-calls"))
    assert opencode.sniff_path(db) and opencode.sniff_path(root)
    assert opencode.sniff_path(os.path.join(root, "session", "4b825dc642cb6eb9a060e54bf8d69288fbee4904", "ses_3a1f00000001.json"))
    other = tmp_path / "other.db"
    sqlite3.connect(str(other)).executescript("CREATE TABLE sessions (id TEXT); CREATE TABLE messages (id TEXT);")
    for path in (str(other), os.path.join(FIXTURES, "pi", "compaction.jsonl"), os.path.join(OPENCODE, "tool-calls.json"),
                 os.path.join(root, "message")):
        assert not opencode.sniff_path(path), path
    with open(db, "rb") as fp:
        head = fp.read(400).decode("latin-1").splitlines()
    assert not opencode.sniff(head) and not pi.sniff(head) and not gemini.sniff(head)
    with open(os.path.join(FIXTURES, "pi", "compaction.jsonl"), encoding="utf-8") as fp:
        assert not opencode.sniff(fp.readlines()[:5])
    for name in NAMES:
        with open(os.path.join(OPENCODE, name + ".json"), encoding="utf-8") as fp:
            head = fp.readlines()[:5]
        assert not pi.sniff(head) and not gemini.sniff(head) and not opencode.sniff(head)


def test_module_surface():
    assert opencode.NAME == "opencode"
    assert opencode.DEFAULT_DIRS == ("~/.local/share/opencode",)


def test_episodes_know_the_folder_the_session_ran_in(tmp_path):
    sessions = load("tool-calls")
    folders = {s["session"]["directory"] for s in sessions}
    db_episodes = list(opencode.read_session(build_db(tmp_path, sessions), lambda p: None))
    tree_episodes = list(opencode.read_session(build_storage(tmp_path, sessions), lambda p: None))
    assert db_episodes and tree_episodes and folders == {"/home/dev/app"}
    assert {e.cwd for e in db_episodes} == {e.cwd for e in tree_episodes} == folders
