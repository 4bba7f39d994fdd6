"""The decisions store: finding decided ids, appending once under the lock, building a decision, reading candidates."""
import json
import os
import shutil
import subprocess
import sys
import time
import types

import pytest

from conftest import FIXTURES, TOOLS, read_jsonl, run_cli
from secret_factory import planted_texts

from data_flywheel.commands.common import make_gate
from data_flywheel.errors import InputError
from data_flywheel.records import decisions

ENV = {"NO_COLOR": "1", "SOURCE_DATE_EPOCH": "1777104000", "HOME": "/nonexistent-home"}
CLAUDE, CODEX, GEMINI = "cand_8762d7d3ff6df4616ed22e88", "cand_a1076b106ec3e671e9afbad3", "cand_8b75174c42bda9f4b6d496f2"


def harvested(tmp_path):
    """Three pending candidates (a frozen harvest of real session fixtures, see test_review.repo); the agent root."""
    root = tmp_path / ".agent"
    (root / "flywheel").mkdir(parents=True)
    shutil.copy(os.path.join(FIXTURES, "review", "candidates.jsonl"), root / "flywheel" / "candidates.jsonl")
    return root


def gate_for(root):
    return make_gate(types.SimpleNamespace(agent_root=str(root)))[0]


def candidate(**overrides):
    record = {
        "id": "cand_1",
        "created_at": "2026-04-25T10:00:00Z",
        "domain": "coding",
        "workflow": "pi_session",
        "input_redacted": "Fix the test.",
        "output_approved": "Fixed it.",
        "messages": [
            {"role": "user", "content": "Fix the test."},
            {"role": "assistant", "content": "Fixed it."},
        ],
        "human_review": {"status": "pending"},
        "redaction_status": "passed",
        "pii_level": "unknown",
        "source": {"episode_id": "ep_1", "outcome": "completed"},
    }
    record.update(overrides)
    return record


def decided_line(run_id, status="accepted", **extra):
    record = candidate(id=run_id, human_review={"status": status, "reviewer": "dana", "reviewed_at": "2026-04-25T08:00:00Z"})
    record.update(extra)
    return json.dumps(record)


# --- paths, time ----------------------------------------------------------------


def test_paths_default_under_the_agent_root_and_yield_to_overrides():
    assert decisions.approved_runs_path(".agent") == os.path.join(".agent", "flywheel", "approved-runs.jsonl")
    assert decisions.candidates_path("x") == os.path.join("x", "flywheel", "candidates.jsonl")
    assert decisions.approved_runs_path(".agent", "runs.jsonl") == "runs.jsonl"


def test_now_is_source_date_epoch_in_rfc3339_utc():
    assert decisions.now({"SOURCE_DATE_EPOCH": "1777104000"}) == "2026-04-25T08:00:00Z"
    assert decisions.now({}).endswith("Z") and len(decisions.now({})) == 20


# --- finding decisions ------------------------------------------------------------


def test_find_decided_by_id_or_by_source_candidate_id(tmp_path):
    path = tmp_path / "runs.jsonl"
    path.write_text(
        decided_line("cand_a", "rejected") + "\n"
        + decided_line("rec_x", "accepted", source={"candidate_id": "cand_b"}) + "\n"
    )
    found = decisions.find_decided(str(path), ["cand_a", "cand_b", "cand_c"])
    assert set(found) == {"cand_a", "cand_b"}
    assert found["cand_a"].status == "rejected" and found["cand_a"].line == 1
    assert found["cand_b"].line == 2
    assert found["cand_a"].describe() == "rejected by dana at 2026-04-25T08:00:00Z"


def test_find_decided_ignores_nested_ids_bad_lines_and_a_missing_file(tmp_path):
    path = tmp_path / "runs.jsonl"
    nested = candidate(id="rec_other", messages=[{"role": "assistant", "content": None,
                                                  "tool_calls": [{"id": "cand_a", "function": {"name": "x"}}]}])
    path.write_text('{"id": "cand_a", broken\n' + json.dumps(nested) + "\n[1, 2]\n")
    assert decisions.find_decided(str(path), ["cand_a"]) == {}
    assert decisions.find_decided(str(tmp_path / "missing.jsonl"), ["cand_a"]) == {}


def test_a_repeated_id_is_a_duplicate_and_a_correction_replaces_the_decision(tmp_path):
    path = tmp_path / "runs.jsonl"
    path.write_text(decided_line("cand_a", "accepted") + "\n" + decided_line("cand_a", "rejected") + "\n")
    assert decisions.find_decided(str(path), ["cand_a"])["cand_a"].status == "accepted"  # a plain repeat: the first wins
    undo = json.loads(decided_line("cand_a", "pending"))
    undo["human_review"]["corrects"] = {"action": "undo", "line": 1, "status": "accepted"}
    with open(path, "a") as fp:
        fp.write(json.dumps(undo) + "\n")
    latest = decisions.find_decided(str(path), ["cand_a"])["cand_a"]
    assert (latest.status, latest.line, latest.final) == ("pending", 3, False)
    assert decisions.read_line(str(path), 3)["human_review"]["corrects"]["action"] == "undo"


# --- appending ---------------------------------------------------------------------


def test_append_decision_writes_one_line_and_refuses_a_second_decision(tmp_path):
    path = str(tmp_path / "flywheel" / "runs.jsonl")
    first = decisions.decision_record(candidate(), status="accepted", reviewer="dana", reviewed_at="2026-04-25T08:00:00Z")
    assert decisions.append_decision(path, first) is None
    second = decisions.decision_record(candidate(), status="rejected", reviewer="lee", reviewed_at="2026-04-25T09:00:00Z")
    earlier = decisions.append_decision(path, second)
    assert earlier is not None and earlier.status == "accepted" and earlier.reviewer == "dana"
    rows = read_jsonl(path)
    assert [row["human_review"]["status"] for row in rows] == ["accepted"]
    assert os.path.exists(path + ".lock")


def test_a_torn_last_line_does_not_swallow_the_new_one(tmp_path):
    path = tmp_path / "runs.jsonl"
    path.write_text(decided_line("cand_z") + '\n{"id": "cand_torn", "creat')
    record = decisions.decision_record(candidate(), status="accepted", reviewer="dana", reviewed_at="2026-04-25T08:00:00Z")
    assert decisions.append_decision(str(path), record) is None
    lines = path.read_text().splitlines()
    assert len(lines) == 3 and lines[1] == '{"id": "cand_torn", "creat'
    assert json.loads(lines[2])["id"] == "cand_1"


def test_append_decision_checks_every_key_and_the_expected_latest_line(tmp_path):
    path = str(tmp_path / "runs.jsonl")
    assert decisions.append_decision(path, {"id": "rec_1"}) is None
    assert decisions.append_decision(path, {"id": "rec_1"}).id == "rec_1"
    assert decisions.append_decision(path, {"id": "rec_2", "source": {"candidate_id": "rec_1"}}).id == "rec_1"
    first = decisions.find_decided(path, ["rec_1"])["rec_1"]
    correction = {"id": "rec_1", "human_review": {"status": "pending", "corrects": {"action": "undo", "line": 1}}}
    assert decisions.append_decision(path, correction, expect=first) is None
    # A second correction made on the same (now stale) view is refused and told the latest line.
    stale = decisions.append_decision(path, correction, expect=first)
    assert stale is not None and stale.line == 2
    assert len(read_jsonl(path)) == 2


WORKER = r"""
import json, os, sys, time
sys.path.insert(0, sys.argv[1])
from data_flywheel.records import decisions
path, name, ids, go = sys.argv[2], sys.argv[3], sys.argv[4].split(","), sys.argv[5]
open(go + "." + name, "w").close()
while not os.path.exists(go):  # start together, so the appends really overlap
    time.sleep(0.001)
for run_id in ids:
    record = {"id": run_id, "created_at": "2026-04-25T08:00:00Z", "human_review": {"status": "accepted", "reviewer": name},
              "padding": "x" * 2000}
    earlier = decisions.append_decision(path, record)
    print(run_id, "lost" if earlier else "won")
"""


WORKERS = 6


def test_processes_deciding_at_once_never_lose_or_duplicate_a_decision(tmp_path):
    """Six processes race over the same 150 ids, in the same order, and 20 ids of their own each."""
    path = str(tmp_path / "approved-runs.jsonl")
    go = tmp_path / "go"
    shared = [f"cand_{n:03d}" for n in range(150)]
    workers = []
    for index in range(WORKERS):
        order = shared
        own = [f"own_{index}_{n}" for n in range(20)]
        ids = [x for pair in zip(order, own + [None] * len(order)) for x in pair if x]
        workers.append(subprocess.Popen(
            [sys.executable, "-c", WORKER, TOOLS, path, f"reviewer{index}", ",".join(ids), str(go)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        ))
    deadline = time.monotonic() + 60
    while not all(os.path.exists(f"{go}.reviewer{index}") for index in range(WORKERS)) and time.monotonic() < deadline:
        time.sleep(0.01)
    go.write_text("")
    outcomes = []
    for worker in workers:
        out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err
        outcomes += out.split("\n")
    rows = read_jsonl(path)  # every line parses: no interleaved writes
    ids = [row["id"] for row in rows]
    assert len(ids) == len(set(ids)) == 150 + WORKERS * 20
    assert sum(line.endswith(" won") for line in outcomes) == len(rows)
    assert sum(line.endswith(" lost") for line in outcomes) == (WORKERS - 1) * 150


def test_the_check_for_an_earlier_decision_happens_under_the_lock(tmp_path):
    """Deterministic: while this test holds the lock and writes a decision, two deciders of the same id wait, then lose."""
    from data_flywheel.locking import locked

    path = str(tmp_path / "approved-runs.jsonl")
    go = str(tmp_path / "go")
    open(go, "w").close()
    with locked(path):
        workers = [
            subprocess.Popen([sys.executable, "-c", WORKER, TOOLS, path, f"reviewer{index}", "cand_same", go],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for index in range(2)
        ]
        deadline = time.monotonic() + 60
        while not all(os.path.exists(f"{go}.reviewer{index}") for index in range(2)) and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.5)  # both have read the (empty) file by now, were it read outside the lock
        assert not os.path.exists(path) or os.path.getsize(path) == 0  # nobody wrote past the lock
        with open(path, "a", encoding="utf-8") as fp:
            fp.write(decided_line("cand_same", "rejected") + "\n")
    outputs = [worker.communicate(timeout=60) for worker in workers]
    assert [out.strip() for out, _err in outputs] == ["cand_same lost", "cand_same lost"], outputs
    assert len(read_jsonl(path)) == 1


# --- building a decision -------------------------------------------------------------


def test_an_accepted_decision_copies_the_candidate_with_provenance():
    original = candidate(human_review_status="pending")
    before = json.dumps(original, sort_keys=True)
    record = decisions.decision_record(
        original, status="accepted", reviewer="dana", reviewed_at="2026-04-25T08:00:00Z", note="Good."
    )
    assert json.dumps(original, sort_keys=True) == before  # the candidate is left as it was
    assert record["id"] == "cand_1"
    assert record["human_review"] == {
        "status": "accepted", "reviewer": "dana", "reviewed_at": "2026-04-25T08:00:00Z", "review_notes": "Good."
    }
    assert "human_review_status" not in record and "output_original" not in record
    assert record["source"] == {"episode_id": "ep_1", "outcome": "completed", "candidate_id": "cand_1"}
    assert record["messages"] == original["messages"]


def test_an_edit_keeps_the_draft_and_ends_the_trajectory_with_the_new_answer():
    record = decisions.decision_record(
        candidate(), status="edited", reviewer="dana", reviewed_at="2026-04-25T08:00:00Z", output="Fixed it properly.",
        domain="python", workflow="fix_tests",
    )
    assert record["output_original"] == "Fixed it."
    assert record["output_approved"] == "Fixed it properly."
    assert record["messages"][-1] == {"role": "assistant", "content": "Fixed it properly."}
    assert len(record["messages"]) == 2
    assert (record["domain"], record["workflow"]) == ("python", "fix_tests")


def test_with_final_answer_appends_after_a_tool_call_or_its_result():
    call = {"role": "assistant", "content": "", "tool_calls": [{"id": "c1", "function": {"name": "Bash"}}]}
    result = {"role": "tool", "content": "ok", "tool_call_id": "c1"}
    assert decisions.with_final_answer([call], "Done.")[-1] == {"role": "assistant", "content": "Done."}
    assert decisions.with_final_answer([call, result], "Done.") == [call, result, {"role": "assistant", "content": "Done."}]
    assert decisions.with_final_answer([{"role": "assistant", "content": "a", "name": "x"}], "b") == [
        {"role": "assistant", "content": "b", "name": "x"}
    ]


def test_a_decision_must_be_a_judgement():
    with pytest.raises(ValueError):
        decisions.decision_record(candidate(), status="pending", reviewer="d", reviewed_at="2026-04-25T08:00:00Z")


def test_check_record_refuses_with_the_json_path_and_exit_1(tmp_path):
    gate = gate_for(tmp_path)
    bad = candidate(messages=[{"role": "robot", "content": "hi"}])
    with pytest.raises(decisions.InvalidRecord) as caught:
        decisions.check_record(bad, gate)
    assert caught.value.exit_code == 1
    assert "$.messages[0].role" in str(caught.value)
    decisions.check_record(candidate(), gate)  # a valid one passes


# --- the reviewer ---------------------------------------------------------------------


def test_reviewer_comes_from_the_flag_the_environment_git_then_the_account(tmp_path):
    gate = gate_for(tmp_path)
    nobody = lambda: ""  # noqa: E731
    env = {"DATA_FLYWHEEL_REVIEWER": "flywheel", "USER": "user", "LOGNAME": "logname", "USERNAME": "username"}
    assert decisions.reviewer_name("flag", env, gate) == "flag"
    assert decisions.reviewer_name(None, env, gate) == "flywheel"
    assert decisions.reviewer_name(None, {"USER": "user", "LOGNAME": "l"}, gate) == "user"
    assert decisions.reviewer_name(None, {"LOGNAME": "l", "USERNAME": "u"}, gate) == "l"
    assert decisions.reviewer_name(None, {"USERNAME": "u"}, gate) == "u"
    # USER unset (a container): the account's name from the password database.
    assert decisions.reviewer_name(None, {}, gate, account=lambda: "appuser") == "appuser"
    with pytest.raises(InputError) as caught:
        decisions.reviewer_name("  ", {}, gate, account=nobody)
    assert "--reviewer NAME" in str(caught.value) and "DATA_FLYWHEEL_REVIEWER" in str(caught.value)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_git_user_name_comes_before_the_login_name(tmp_path):
    (tmp_path / ".gitconfig").write_text("[user]\n\tname = Dana Reviewer\n")
    env = {"HOME": str(tmp_path), "PATH": os.environ["PATH"], "GIT_CONFIG_NOSYSTEM": "1", "USER": "root"}
    assert decisions.reviewer_name(None, env, gate_for(tmp_path), cwd=str(tmp_path)) == "Dana Reviewer"
    assert decisions.reviewer_name(None, {**env, "DATA_FLYWHEEL_REVIEWER": "lee"}, gate_for(tmp_path)) == "lee"


def test_a_reviewer_name_the_scanner_redacts_is_refused_without_quoting_it(tmp_path):
    email = next(value for family, value, _ in planted_texts(seed=3) if family == "email-address")
    with pytest.raises(InputError) as caught:
        decisions.reviewer_name(email, {}, gate_for(tmp_path))
    assert "email-address" in str(caught.value) and email not in str(caught.value)


def test_redaction_note_counts_and_names_rules_only(tmp_path):
    text = next(text for family, _v, text in planted_texts(seed=5) if family == "github-pat")
    _clean, found = gate_for(tmp_path).redact_record({"output_approved": text, "review_notes": "fine"})
    assert decisions.redaction_note(found) == "redacted 1 value (github-pat)"
    _clean, nothing = gate_for(tmp_path).redact_record({"output_approved": "fine"})
    assert decisions.redaction_note(nothing) == ""


# --- the candidates file ---------------------------------------------------------------


def test_candidates_are_indexed_and_loaded_back_from_their_offset(tmp_path):
    root = harvested(tmp_path)
    path = decisions.candidates_path(str(root))
    problems = []
    candidates = decisions.Candidates.read(path, problems.append)
    assert problems == []
    assert list(candidates.entries) == [CLAUDE, CODEX, GEMINI]
    entry = candidates.entries[CODEX]
    assert (entry.line, entry.status, entry.harness, entry.workflow) == (2, "pending", "codex", "codex_session")
    assert entry.task == "Fix the failing test in tests/test_math.py."
    assert candidates.load(entry) == read_jsonl(path)[1]


def test_a_corrupt_line_is_reported_and_the_rest_stay_reviewable(tmp_path):
    root = harvested(tmp_path)
    path = decisions.candidates_path(str(root))
    lines = open(path, encoding="utf-8").read().splitlines(keepends=True)
    not_a_run = json.dumps({"id": "cand_bad", "domain": "x"}) + "\n"
    with open(path, "w", encoding="utf-8") as fp:
        fp.write(lines[0] + '{"id": "cand_broken", \n' + not_a_run + lines[0] + lines[1] + lines[2].rstrip("\n")[:-5])
    problems = []
    candidates = decisions.Candidates.read(path, problems.append)
    assert [(p.line, p.reason) for p in problems] == [
        (2, "invalid_json"), (3, "schema_violation"), (4, "duplicate_id"), (6, "invalid_json")
    ]
    assert "not a candidate run: $: 'created_at' is a required property" in problems[1].message
    assert "repeats the candidate id of line 1" in problems[2].message
    assert "unfinished last line" in problems[3].message
    assert list(candidates.entries) == [CLAUDE, CODEX]
    assert candidates.load(candidates.entries[CODEX])["id"] == CODEX


def test_a_missing_candidates_file_says_to_harvest_first(tmp_path):
    with pytest.raises(InputError) as caught:
        decisions.Candidates.read(str(tmp_path / "candidates.jsonl"), lambda p: None)
    assert "no candidates file" in str(caught.value) and "run harvest first" in str(caught.value)
    with pytest.raises(InputError) as caught:
        decisions.Candidates.read(str(tmp_path), lambda p: None)
    assert "is a folder" in str(caught.value)


def test_resolve_takes_an_id_or_a_unique_prefix(tmp_path):
    root = harvested(tmp_path)
    candidates = decisions.Candidates.read(decisions.candidates_path(str(root)), lambda p: None)
    assert candidates.resolve(CODEX, {}, "runs").id == CODEX
    assert candidates.resolve("cand_a1", {}, "runs").id == CODEX
    with pytest.raises(InputError) as caught:
        candidates.resolve("cand_8", {}, "runs")
    assert f"'cand_8' matches 2 candidates: {CLAUDE}, {GEMINI}" in str(caught.value)
    with pytest.raises(InputError) as caught:
        candidates.resolve("cand_ffff", {}, "runs")
    assert "no candidate with id 'cand_ffff'" in str(caught.value) and "review --list" in str(caught.value)


def test_resolve_refuses_a_decided_or_not_pending_candidate(tmp_path):
    root = harvested(tmp_path)
    path = decisions.candidates_path(str(root))
    candidates = decisions.Candidates.read(path, lambda p: None)
    decided = {CODEX: decisions.Decided(CODEX, 7, "rejected", "dana", "2026-04-25T08:00:00Z")}
    with pytest.raises(InputError) as caught:
        candidates.resolve("cand_a107", decided, "runs.jsonl")
    assert str(caught.value).startswith(f"runs.jsonl:7: {CODEX} was already decided: rejected by dana at 2026-04-25T08:00:00Z")
    assert [entry.id for entry in candidates.pending(decided)] == [CLAUDE, GEMINI]
    candidates.entries[GEMINI].status = "accepted"
    with pytest.raises(InputError) as caught:
        candidates.resolve(GEMINI, {}, "runs.jsonl")
    assert "is not pending: its status is accepted" in str(caught.value)


# --- the one path ---------------------------------------------------------------------


def test_the_ledger_redacts_the_whole_run_marks_it_and_refuses_an_invalid_one(tmp_path):
    pat_text = next(text for family, _v, text in planted_texts(seed=7) if family == "github-pat")
    ledger = decisions.Ledger(str(tmp_path / "runs.jsonl"), gate_for(tmp_path), "dana", {})
    record = decisions.decision_record(candidate(output_approved=f"Use {pat_text}"), status="accepted", reviewer="dana",
                                       reviewed_at="2026-04-25T08:00:00Z")
    clean, found = ledger.clean(record)
    assert found.count == 1 and clean["redaction_status"] == "auto_redacted" and "[GITHUB_TOKEN_1]" in clean["output_approved"]
    assert ledger.append(clean, what="the decision") is None
    with pytest.raises(decisions.InvalidRecord):
        ledger.append({**clean, "created_at": "yesterday"}, what="the decision", expect=None)
    assert len(read_jsonl(tmp_path / "runs.jsonl")) == 1
