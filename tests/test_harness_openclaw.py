"""OpenClaw: pi's entries in JSONL files and in the 2026.x SQLite store (transcript_events)."""
import json
import os
import sqlite3

from conftest import FIXTURES, run_cli

from data_flywheel.records.schemas import checker_for
from data_flywheel.sources import discover
from data_flywheel.sources.harness import READERS, openclaw, pi

PI = os.path.join(FIXTURES, "pi")
# The columns OpenClaw's DDL gives transcript_events (shared/formats/harness-sessions.md section 3).
SCHEMA = """
CREATE TABLE transcript_events (session_id TEXT NOT NULL, seq INTEGER NOT NULL, event_json TEXT,
  event_zstd BLOB, created_at INTEGER, navigation_json TEXT, PRIMARY KEY (session_id, seq));
CREATE TABLE session_windows (session_id TEXT, session_key TEXT, previous_session_id TEXT, reason TEXT);
"""


def build_store(path, sessions, wal=True):
    """``sessions``: [(session_id, [event json text or None for a zstd-only row])]."""
    db = sqlite3.connect(str(path))
    if wal:
        db.execute("PRAGMA journal_mode=WAL")
    db.executescript(SCHEMA)
    for session_id, events in sessions:
        for seq, text in enumerate(events):
            db.execute("INSERT INTO transcript_events VALUES (?, ?, ?, ?, ?, NULL)",
                       (session_id, seq, text, None if text is not None else b"\x28\xb5\x2f\xfd", seq))
    db.commit()
    db.close()
    return str(path)


def fixture_lines(name):
    with open(os.path.join(PI, name), encoding="utf-8") as fp:
        return [line.rstrip("\n") for line in fp if line.strip()]


def records(episodes):
    return [episode.to_record() for episode in episodes]


def test_the_store_reads_like_the_jsonl_file(tmp_path):
    store = build_store(tmp_path / "openclaw-agent.sqlite", [("s-compaction", fixture_lines("compaction.jsonl")),
                                                               ("s-branch", fixture_lines("branch.jsonl"))])
    assert openclaw.sniff_path(store) and not pi.sniff(["SQLite format 3"])
    assert discover.classify(store, READERS).reader is openclaw
    problems = []
    from_db = records(openclaw.read_session(store, problems.append))
    from_files = records(pi.read_session(os.path.join(PI, "compaction.jsonl"), problems.append, harness="openclaw"))
    from_files += records(pi.read_session(os.path.join(PI, "branch.jsonl"), problems.append, harness="openclaw"))
    assert from_db == from_files and problems == []
    checker = checker_for("episode")
    assert all(checker.is_valid(record) for record in from_db)
    assert {record["harness"] for record in from_db} == {"openclaw"}


def test_zstd_rows_and_corrupt_events_are_reported_and_the_rest_is_read(tmp_path):
    lines = fixture_lines("thinking.jsonl")
    events = lines[:2] + [None, "{broken"] + lines[2:]
    store = build_store(tmp_path / "store.sqlite", [("s1", events)])
    problems = []
    episodes = records(openclaw.read_session(store, problems.append))
    assert [record["kind"] for record in episodes][:1] == ["task"]
    reasons = [problem.reason for problem in problems]
    assert reasons == ["zstd_row", "invalid_json"]
    assert "zstd-compressed" in problems[0].message


def test_the_store_is_never_written_and_opens_while_openclaw_writes(tmp_path):
    store = build_store(tmp_path / "store.sqlite", [("s1", fixture_lines("thinking.jsonl"))])
    before = open(store, "rb").read()
    writer = sqlite3.connect(store)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO transcript_events VALUES ('s2', 0, '{}', NULL, 0, NULL)")
    try:
        assert records(openclaw.read_session(store, lambda problem: None))
    finally:
        writer.rollback()
        writer.close()
    assert open(store, "rb").read() == before


def test_harvest_finds_the_store_of_one_agent(tmp_path):
    home = tmp_path / "home"
    for agent in ("main", "other"):
        folder = home / ".openclaw" / "agents" / agent / "agent"
        folder.mkdir(parents=True)
        build_store(folder / "openclaw-agent.sqlite", [(f"s-{agent}", fixture_lines("thinking.jsonl"))])
    env = {"NO_COLOR": "1", "SOURCE_DATE_EPOCH": "1777104000", "HOME": str(home)}
    out = tmp_path / "out"
    # OpenClaw runs in its own workspace, never in a project: only --all-projects takes it.
    result = run_cli(["harvest", "--source", "openclaw", "--agent", "main", "--all-projects", "--out", str(out),
                      "--agent-root", str(tmp_path / ".agent")], env=env)
    assert result.code == 0, result
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["sessions_found"] == 1 and manifest["rows"] == {"openclaw": {"task": 1, "turn": 2}}
