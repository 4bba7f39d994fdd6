"""The harvest command end to end on Pi sessions: episodes, manifest, candidates, redaction, bad input."""
import json
import os
import shutil

import pytest

from conftest import FIXTURES, read_jsonl, run_cli

from data_flywheel.sources.harness import READERS

PI = os.path.join(FIXTURES, "pi")
ENV = {"NO_COLOR": "1", "SOURCE_DATE_EPOCH": "1777104000", "HOME": "/nonexistent-home"}


def harvest(tmp_path, *args, env=None):
    root = tmp_path / ".agent"
    out = tmp_path / "out"
    # These sessions ran in pi-mono, not in tmp_path: scoping has its own tests (test_harvest_scope.py).
    result = run_cli(["harvest", "--agent-root", str(root), "--out", str(out), "--all-projects", *args], env=env or ENV)
    return result, out, root / "flywheel" / "candidates.jsonl"


def sessions(tmp_path, *names):
    folder = tmp_path / "sessions"
    folder.mkdir(exist_ok=True)
    for name in names:
        shutil.copy(os.path.join(PI, name), folder / name)
    return folder


def test_two_compactions_give_task_and_compact_summary_pairs(tmp_path):
    folder = sessions(tmp_path, "before-compaction.jsonl")
    result, out, candidates = harvest(tmp_path, "--path", str(folder))
    assert result.code == 0, result
    rows = read_jsonl(out / "episodes.jsonl")
    kinds = [row["kind"] for row in rows]
    assert (kinds.count("task"), kinds.count("compact_summary"), kinds.count("turn")) == (3, 2, 54)
    by_id = {row["id"]: row for row in rows}
    for summary in (row for row in rows if row["kind"] == "compact_summary"):
        task = by_id[summary["pair_id"]]
        assert task["kind"] == "task" and task["pair_id"] == summary["id"]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["rows"] == {"pi": {"compact_summary": 2, "task": 3, "turn": 54}}
    assert manifest["sessions_found"] == manifest["sessions_processed"] == 1
    assert manifest["tool_calls"] > 0 and manifest["characters"] > 0
    assert manifest["files"][0]["rows"] == len(rows)
    # One pending candidate per answered request (not per task episode): 54 turns, of which
    # 6 have no answer with text (an aborted empty turn, tool calls only).
    found = read_jsonl(candidates)
    assert len(found) == 48 and "candidates: 48 added" in result.out
    assert {c["source"]["episode_id"] for c in found} == {r["id"] for r in rows if r["kind"] == "task"}


def test_every_episode_and_candidate_is_valid_and_harvest_is_idempotent(tmp_path, cli):
    folder = sessions(tmp_path, "before-compaction.jsonl", "large-session.jsonl", "branch.jsonl", "thinking.jsonl")
    first, out, candidates = harvest(tmp_path, "--path", str(folder))
    assert first.code == 0, first
    assert cli(["validate", "--kind", "episode", str(out / "episodes.jsonl")]).code == 0
    assert cli(["validate", "--kind", "candidate-run", str(candidates)]).code == 0
    before = candidates.read_bytes()
    second, _, _ = harvest(tmp_path, "--path", str(folder))
    assert second.code == 0
    assert candidates.read_bytes() == before
    assert "candidates: 0 added" in second.out and "already there" in second.out


def test_the_manifest_counts_the_candidates_really_added(tmp_path):
    folder = sessions(tmp_path, "thinking.jsonl", "branch.jsonl")
    first, out, candidates = harvest(tmp_path, "--path", str(folder))
    assert first.code == 0, first
    added = len(read_jsonl(candidates))
    manifest = json.loads((out / "manifest.json").read_text())
    assert added > 0
    assert (manifest["candidates_added"], manifest["candidates_already_present"]) == (added, 0)
    again, out, _ = harvest(tmp_path, "--path", str(folder))
    assert again.code == 0, again
    manifest = json.loads((out / "manifest.json").read_text())
    assert (manifest["candidates_added"], manifest["candidates_already_present"]) == (0, added)


def test_candidates_are_pending_and_carry_the_trajectory(tmp_path):
    folder = sessions(tmp_path, "unanswered-tool-call.jsonl")
    result, out, candidates = harvest(tmp_path, "--path", str(folder), "--project", "shop")
    candidate = read_jsonl(candidates)[0]
    assert candidate["human_review"] == {"status": "pending"}
    # --all-projects: a session of another project keeps the name of the folder it ran in.
    assert candidate["project"] == "project" and candidate["harness"] == "pi"
    assert candidate["domain"] == "coding" and candidate["workflow"] == "pi_session"
    assert candidate["messages"][0]["role"] in ("system", "user")
    assert candidate["source"]["unanswered_tool_calls"] >= 1
    task = next(row for row in read_jsonl(out / "episodes.jsonl") if row["kind"] == "task")
    assert candidate["source"]["episode_id"] == task["id"]


def test_home_folder_user_names_and_secrets_never_reach_the_output(tmp_path):
    from secret_factory import planted_texts

    planted = planted_texts(seed=5, per_family=1)
    header = {"type": "session", "version": 3, "id": "sess-secrets", "timestamp": "2026-04-25T10:00:00.000Z",
              "cwd": "/home/" + "mariana/src/shop"}
    lines = [header]
    parent = None
    for index, (_family, _value, text) in enumerate(planted):
        user = {"type": "message", "id": f"u{index}", "parentId": parent, "timestamp": "2026-04-25T10:00:01.000Z",
                "message": {"role": "user", "content": [{"type": "text", "text": "see /home/" + "mariana/notes and " + text}]}}
        reply = {"type": "message", "id": f"a{index}", "parentId": f"u{index}", "timestamp": "2026-04-25T10:00:02.000Z",
                 "message": {"role": "assistant", "content": [{"type": "text", "text": "noted: " + text}],
                             "model": "m", "provider": "p", "stopReason": "stop"}}
        lines += [user, reply]
        parent = f"a{index}"
    folder = tmp_path / "sessions"
    folder.mkdir()
    (folder / "s.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines))
    result, out, candidates = harvest(tmp_path, "--path", str(folder))
    assert result.code == 0, result
    written = (out / "episodes.jsonl").read_text() + candidates.read_text() + (out / "manifest.json").read_text()
    assert "mariana" not in written and "mariana" not in result.out + result.err
    leaks = [family for family, value, _ in planted if value in written or value in result.out + result.err]
    assert leaks == []
    assert "[HOME_USER_1]" in written
    # What was replaced is stored by class, so the export can judge it (the text holds only placeholders).
    stored = [c for c in read_jsonl(candidates) if c["redaction_status"] == "auto_redacted"]
    assert stored and all(c["redaction_findings"].get("personal", 0) >= 1 for c in stored)
    assert any(c["redaction_findings"].get("secret", 0) >= 1 for c in stored)


def test_bad_input_is_reported_and_the_rest_is_harvested(tmp_path):
    folder = sessions(tmp_path, "corrupt-middle.jsonl", "truncated-last.jsonl", "only-tool-output.jsonl", "empty.jsonl")
    (folder / "notes.jsonl").write_text('{"hello": "world"}\n')
    (folder / "garbage.jsonl").write_text("this is not json\n")
    os.symlink(str(folder / "vanished.jsonl"), str(folder / "dangling.jsonl"))
    result, out, _ = harvest(tmp_path, "--path", str(folder))
    assert result.code == 0, result
    err = result.err
    assert f"{folder / 'corrupt-middle.jsonl'}:4: not valid JSON" in err
    assert "the last line is unfinished (the session may still be being written) (the rest of the session is kept)" in err
    assert "is not usable: no user message (not harvested)" in err
    readers = ", ".join(reader.NAME for reader in READERS)
    assert f"skipped: {folder / 'notes.jsonl'}: unknown format for {readers}: its first line is a JSON object with keys hello" in err
    assert f"skipped: {folder / 'garbage.jsonl'}: unknown format for {readers}: its first line is not JSON" in err
    assert f"skipped: {folder / 'dangling.jsonl'}: unreadable: No such file or directory" in err
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["rows"]["pi"]["task"] == 2  # corrupt-middle and truncated-last are still harvested
    assert manifest["line_problems"]["not_usable"] == 2
    assert "Traceback" not in err


def test_since_skips_older_files(tmp_path):
    folder = sessions(tmp_path, "branch.jsonl", "thinking.jsonl")
    os.utime(folder / "branch.jsonl", (0, 0))  # 1970
    result, out, _ = harvest(tmp_path, "--path", str(folder), "--since", "2020-01-01")
    assert result.code == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["sessions_found"] == 1
    bad = run_cli(["harvest", "--since", "soon", "--path", str(folder), "--out", str(tmp_path / "x")], env=ENV)
    assert bad.code == 2 and "--since 'soon' is not a date" in bad.err


def test_audit_log_rows(tmp_path):
    audit = tmp_path / "audit.jsonl"
    audit.write_text('{"event": "deploy", "by": "ci", "token": "abc"}\n{broken\n{"event": "rollback"}\n')
    result, out, _ = harvest(tmp_path, "--path", str(sessions(tmp_path)), "--include-audit", str(audit))
    assert result.code == 0, result
    rows = read_jsonl(out / "episodes.jsonl")
    assert [row["event"]["event"] for row in rows] == ["deploy", "rollback"]
    assert all(row["kind"] == "ops_event" and row["messages"] == [] for row in rows)
    assert f"{audit}:2: not valid JSON" in result.err


def test_json_summary_and_no_sessions_anywhere(tmp_path):
    result, out, _ = harvest(tmp_path, "--json")
    assert result.code == 0
    summary = json.loads(result.out)
    assert summary["sessions_found"] == 0
    assert summary["next"].startswith("no session folders found for")
    assert (out / "episodes.jsonl").read_text() == ""


def test_default_folders_come_from_the_home_folder(tmp_path):
    home = tmp_path / "home"
    sessions_dir = home / ".pi" / "agent" / "sessions" / "--work--"
    sessions_dir.mkdir(parents=True)
    shutil.copy(os.path.join(PI, "thinking.jsonl"), sessions_dir / "t.jsonl")
    env = {**ENV, "HOME": str(home)}
    result, out, _ = harvest(tmp_path, "--source", "pi", env=env)
    assert result.code == 0, result
    assert json.loads((out / "manifest.json").read_text())["rows"] == {"pi": {"task": 1, "turn": 2}}


def test_pi_coding_agent_dir_overrides_the_default_folder(tmp_path):
    base = tmp_path / "pi-home"
    (base / "sessions").mkdir(parents=True)
    shutil.copy(os.path.join(PI, "thinking.jsonl"), base / "sessions" / "t.jsonl")
    result, out, _ = harvest(tmp_path, "--source", "pi", env={**ENV, "PI_CODING_AGENT_DIR": str(base)})
    assert result.code == 0
    assert json.loads((out / "manifest.json").read_text())["sessions_found"] == 1


def test_every_registered_reader_is_found_by_sniffing_its_own_fixtures(tmp_path):
    """Each harness's fixtures are claimed by its own reader and no other (no sniff overlaps)."""
    from data_flywheel.sources import discover

    for reader in READERS:
        folder = os.path.join(FIXTURES, reader.NAME if reader.NAME != "openclaw" else "pi")
        # OpenCode's and Hermes' fixtures are descriptions their own tests turn into databases (and check sniffing there).
        if reader.NAME in ("openclaw", "opencode", "hermes") or not os.path.isdir(folder):
            continue
        sessions = [os.path.join(folder, name) for name in sorted(os.listdir(folder))
                    if name.endswith(".jsonl") and ".episodes." not in name and os.path.getsize(os.path.join(folder, name))]
        if reader.NAME == "atif":  # Harbor trial folders, claimed whole, and the trajectory.json in each
            trials = [os.path.join(folder, name) for name in sorted(os.listdir(folder))
                      if os.path.isdir(os.path.join(folder, name))]
            sessions += trials + [os.path.join(trial, "agent", "trajectory.json") for trial in trials]
        assert sessions, reader.NAME
        for path in sessions:
            found = discover.classify(path, READERS)
            assert found.reader is reader, (path, found)


def test_codex_zstd_rollouts_are_skipped_with_the_reason(tmp_path):
    folder = tmp_path / "sessions"
    folder.mkdir()
    shutil.copy(os.path.join(FIXTURES, "codex", "compressed.jsonl.zst"), folder / "rollout-1.jsonl.zst")
    result, out, _ = harvest(tmp_path, "--path", str(folder))
    assert result.code == 0
    skipped = json.loads((out / "manifest.json").read_text())["skipped"]
    assert skipped == [{"path": str(folder / "rollout-1.jsonl.zst"),
                        "reason": "codex: zstd-compressed rollout (the standard library reads zstd only from Python 3.14)"}]


def test_opencode_database_and_legacy_storage_folder_are_found_whole(tmp_path):
    """XDG_DATA_HOME/opencode holds opencode.db and a legacy storage/ tree; each is one source."""
    import test_harness_opencode as opencode_tests

    data = tmp_path / "xdg" / "opencode"
    (data / "db").mkdir(parents=True)
    opencode_tests.build_db(data / "db", opencode_tests.load("tool-calls"))
    opencode_tests.build_storage(data / "legacy", opencode_tests.load("subagent"))
    result, out, _ = harvest(tmp_path, "--source", "opencode", env={**ENV, "XDG_DATA_HOME": str(tmp_path / "xdg")})
    assert result.code == 0, result
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["sessions_found"] == 2 and manifest["skipped"] == []
    assert manifest["rows"] == {"opencode": {"task": 3, "turn": 4}}


def test_candidates_after_a_torn_last_line_start_on_a_line_of_their_own(tmp_path):
    from data_flywheel.records import candidates

    path = tmp_path / "candidates.jsonl"
    path.write_text('{"id": "cand_old"}\n{"id": "cand_torn", "inpu')
    added = candidates.append_new(str(path), [{"id": "cand_old"}, {"id": "cand_new"}, {"id": "cand_new"}])
    assert added == 1
    assert path.read_text().splitlines()[-1] == '{"id":"cand_new"}'


def test_hermes_state_db_is_found_from_hermes_home(tmp_path):
    import test_harness_hermes as hermes_tests

    home = tmp_path / "hermes-home"
    home.mkdir()
    hermes_tests.build_db(home, hermes_tests.load("tool-calls"))  # writes home/state.db
    (home / "skills").mkdir()
    (home / "skills" / "notes.json").write_text("{}")  # never walked: only state.db is read
    result, out, _ = harvest(tmp_path, "--source", "hermes", env={**ENV, "HERMES_HOME": str(home)})
    assert result.code == 0, result
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["sessions_found"] == 1 and manifest["skipped"] == []
    assert manifest["rows"] == {"hermes": {"task": 1, "turn": 2}}


# --- project scope ---------------------------------------------------------------------------

SHARED = os.path.join(os.path.dirname(FIXTURES), "..", "..", "shared", "fixtures")


def pi_session(folder, name, cwd):
    """A copy of the hand-made pi session ``thinking.jsonl`` that ran in ``cwd`` (None: no cwd recorded)."""
    with open(os.path.join(PI, "thinking.jsonl"), encoding="utf-8") as fp:
        lines = fp.readlines()
    header = json.loads(lines[0])
    header["id"] = name
    if cwd is None:
        del header["cwd"]
    else:
        header["cwd"] = str(cwd)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.jsonl").write_text(json.dumps(header) + "\n" + "".join(lines[1:]), encoding="utf-8")


def scoped_harvest(tmp_path, *args, env):
    repo = tmp_path / "shop"
    root = repo / ".agent"
    out = tmp_path / "out"
    result = run_cli(["harvest", "--agent-root", str(root), "--out", str(out), "--json", *args], env=env)
    assert result.code == 0, result
    return result.json(), read_jsonl(root / "flywheel" / "candidates.jsonl") if (root / "flywheel" / "candidates.jsonl").exists() else []


def test_by_default_only_sessions_of_this_project_are_taken(tmp_path):
    home = tmp_path / "home"
    sessions_dir = home / ".pi" / "agent" / "sessions"
    pi_session(sessions_dir / "a", "here", tmp_path / "shop")
    pi_session(sessions_dir / "b", "below", tmp_path / "shop" / "src")
    pi_session(sessions_dir / "c", "elsewhere", tmp_path / "shopping")
    pi_session(sessions_dir / "d", "nowhere", None)
    env = {**ENV, "HOME": str(home)}
    summary, candidates = scoped_harvest(tmp_path, "--source", "pi", env=env)
    assert summary["scope"] == "project"
    assert (summary["sessions_found"], summary["sessions_processed"], summary["sessions_outside_project"]) == (4, 2, 2)
    assert summary["rows"] == {"pi": {"task": 2, "turn": 4}}
    assert {c["project"] for c in candidates} == {"shop"} and len(candidates) == 4  # two requests each
    every, candidates = scoped_harvest(tmp_path, "--source", "pi", "--all-projects", env=env)
    assert every["scope"] == "all-projects" and every["sessions_processed"] == 4
    assert (every["candidates_added"], every["candidates_already_present"]) == (4, 4)
    # Each keeps its own project: the folder it ran in, "unknown" when it records none.
    assert sorted(c["project"] for c in candidates) == ["shop"] * 4 + ["shopping"] * 2 + ["unknown"] * 2


def test_a_session_with_no_folder_is_taken_when_named_with_path(tmp_path):
    pi_session(tmp_path / "named", "nowhere", None)
    pi_session(tmp_path / "named", "elsewhere", "/somewhere/else")
    summary, candidates = scoped_harvest(tmp_path, "--path", str(tmp_path / "named"), env=ENV)
    assert summary["sessions_processed"] == 1 and summary["sessions_outside_project"] == 1
    assert [c["project"] for c in candidates] == ["shop", "shop"]


def test_the_text_summary_says_what_was_left_out(tmp_path):
    pi_session(tmp_path / "s", "elsewhere", "/somewhere/else")
    root = tmp_path / "shop" / ".agent"
    result = run_cli(["harvest", "--agent-root", str(root), "--out", str(tmp_path / "out"), "--path", str(tmp_path / "s")],
                     env=ENV)
    assert f"  1 session of other projects left out (this project: {tmp_path / 'shop'}; --all-projects takes them)\n" in result.out
    assert result.out.endswith("next: no session ran in this project: run harvest from the project folder, or pass --all-projects\n")


@pytest.mark.skipif(not os.path.isdir(SHARED), reason="../shared/fixtures is not beside the checkout")
def test_gemini_sessions_are_matched_by_the_hash_of_the_project_folder(tmp_path):
    import hashlib

    source = os.path.join(SHARED, "gemini-cli", "codemie", "session-2025-12-01T21-45-5b959dae.json")
    with open(source, encoding="utf-8") as fp:
        document = json.load(fp)
    chats = tmp_path / "chats"
    chats.mkdir()
    (chats / "other.json").write_text(json.dumps(document), encoding="utf-8")
    document["sessionId"] += "-here"
    document["projectHash"] = hashlib.sha256(str(tmp_path / "shop").encode("utf-8")).hexdigest()
    (chats / "here.json").write_text(json.dumps(document), encoding="utf-8")
    summary, candidates = scoped_harvest(tmp_path, "--path", str(chats), env=ENV)
    assert summary["sessions_processed"] == 1 and summary["sessions_outside_project"] == 1
    assert len(candidates) == 3 and {c["harness"] for c in candidates} == {"gemini-cli"}
    first = candidates[0]
    for key in ("project", "harness", "started_at", "outcome", "size", "redaction"):
        assert key in first, key
    assert first["size"]["messages"] >= 2 and isinstance(first["redaction"]["findings"], int)
