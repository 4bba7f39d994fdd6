"""Mined card statements: on the real sessions in ../shared/fixtures and on the generated corpus."""
import copy
import hashlib
import re
import json
import os

import pytest

from conftest import ROOT, read_jsonl, run_cli, write_runs
from corpus import generate_runs
from data_flywheel.export import cards, mining
from data_flywheel.export.evidence import EVIDENCE_LIMIT

SHARED = os.path.join(ROOT, "..", "shared", "fixtures")
needs_shared = pytest.mark.skipif(not os.path.isdir(SHARED), reason="../shared/fixtures is not beside the checkout")


@pytest.fixture(scope="module")
def harvested(tmp_path_factory):
    """Candidates harvested from real Claude Code, Codex and Pi sessions, by harness."""
    root = tmp_path_factory.mktemp("agent")
    for path in ("claude-code", "codex", "pi"):
        result = run_cli(["harvest", "--agent-root", str(root), "--path", os.path.join(SHARED, path), "--all-projects", "--json"])
        assert result.code == 0, result
    found = {}
    for candidate in read_jsonl(root / "flywheel" / "candidates.jsonl"):
        found.setdefault(candidate["harness"], []).append(candidate)
    return found


@pytest.mark.parametrize("command, kinds", [
    ("cd packages/coding-agent && npm run build 2>&1 | tail -3", ["build"]),
    ("npm test -- --run src/a.test.ts", ["test"]),
    ("FOO=1 uv run pytest -q tests/ && ruff check .", ["test", "lint"]),
    ("go test ./... && go vet ./...", ["test", "typecheck"]),
    ("npx tsc --noEmit", ["typecheck"]),
    ("npm run check 2>&1 | tail -20", ["lint"]),
    ("git status --short", []),
    ("grep -r pytest docs/", []),
    ("echo make test", []),
])
def test_check_commands_by_kind(command, kinds):
    assert mining.check_kinds_of(command) == kinds


@pytest.mark.parametrize("text, kind", [
    # As the harnesses write them (from the shared fixtures).
    ("Exit code 1\n(eval):1: no matches found: /tmp/x*", "nonzero_exit"),
    ("<tool_use_error>File does not exist.</tool_use_error>", "file_not_found"),
    ("Could not find the exact text in /a/b.ts. The old text must match exactly", "edit_mismatch"),
    ("grep: a.ts: No such file or directory\n\n\nCommand exited with code 2", "file_not_found"),
    ("(no output)\n\nCommand exited with code 1", "nonzero_exit"),
    ("Command aborted", "aborted"),
    ("The user doesn't want to proceed with this tool use. The tool use was rejected", "rejected_by_user"),
    ("Chunk ID: de4b53\nWall time: 4.1 seconds\nProcess exited with code 2\nOutput:\nrg: x", "nonzero_exit"),
    ("write_stdin failed: stdin is closed for this session", "tool_error"),
    # Successes, including ones that mention errors.
    ("Chunk ID: 1\nWall time: 0.0 seconds\nProcess exited with code 0\nOutput:\nerror: nothing", None),
    ("Successfully replaced text in src/theme.ts.", None),
    ("def handle(error):\n    return error", None),
])
def test_tool_failures_by_kind(text, kind):
    assert mining.error_kind(text) == kind


def test_paths_are_made_repository_relative():
    assert mining.relative_path("/Users/[HOME_USER_1]/repo/src/agents/core/a.ts") == "src/agents/core/a.ts"
    assert mining.relative_path("./packages/x/y.ts") == "packages/x/y.ts"
    assert mining.relative_path("/home/u/notes/todo.md") == "notes/todo.md"


def test_draft_differences_are_plain():
    draft = "I think the bug is probably in the parser, maybe. " * 4
    assert mining.draft_differences(draft, "The bug is in `src/parser.py`:\n\n- line 12\n- line 40") == [
        "shorter", "added_list", "added_paths", "removed_hedges"]
    assert mining.draft_differences("Same answer.", "Same answer.") == []


@needs_shared
def test_real_sessions_show_their_checks_failures_and_order(harvested):
    # One candidate per request: only a request's own part counts, not the earlier context it carries.
    codex = [mining.observe(c) for c in harvested["codex"]]
    assert len(codex) == 5
    [facts] = [f for f in codex if f.checks]
    # The Codex request that fixes the test runs the focused test file, then builds, after its last patch.
    assert facts.checks["test"][0].startswith("npm test -- --run src/agents/plugins/__tests__/codemie-code-reasoning.test.ts")
    assert facts.checks["build"] == ["npm run build"]
    assert facts.checks_after_last_edit == {"test", "build"}
    assert facts.read_before_edit is True and facts.last_check_failed is False
    assert facts.test_read_before_edit is True  # `sed -n ... codemie-code-reasoning.test.ts` before its first patch
    assert any(("exec_command", "nonzero_exit") in f.failures for f in codex)
    pi = [mining.observe(c) for c in harvested["pi"]]
    assert len(pi) == 124
    assert sum("npm run check" in f.checks.get("lint", []) for f in pi) == 22
    assert sum(("bash", "nonzero_exit") in f.failures for f in pi) == 11
    claude = [mining.observe(c) for c in harvested["claude-code"]]
    assert sum(("Read", "file_not_found") in f.failures for f in claude) == 2
    assert any("src/agents/core" in f.areas for f in claude)


@needs_shared
def test_a_card_mined_from_real_sessions(harvested):
    stats = cards.WorkflowStats("coding", "sessions")
    runs = harvested["pi"] + harvested["codex"]
    for number, candidate in enumerate(runs):
        record = copy.deepcopy(candidate)
        record["human_review"] = {"status": "rejected" if number == 0 else "accepted"}
        if number == 0:
            record["human_review"]["review_notes"] = "Ran no tests."
        stats.accepted += record["human_review"]["status"] == "accepted"
        stats.rejected += record["human_review"]["status"] == "rejected"
        stats.traces += 1
        stats.observe(_Run(record, f"trace_{number:02d}"))
    card, markdown = cards.build_card(stats)
    rules = card["evidence"]["stable_rules"]
    # Checks count over the approved requests that change files: a question has nothing to test.
    assert rules[0]["source"] == "mined" and rules[0]["text"].startswith("Builds before answering: `npm run build` (40)")
    assert (rules[0]["support"], rules[0]["of"], rules[0]["unit"]) == (40, 80, "approved runs that change files or run a check")
    failures = [item["text"] for item in card["evidence"]["failure_modes"]]
    assert failures[0] == "`bash` fails with a non-zero exit code: 20 of 392 calls"
    assert "`edit` fails with the text to replace was not found: 3 of 263 calls" in failures
    assert card["evidence"]["corrections"][0]["text"] == "Ran no tests." and card["evidence"]["corrections"][0]["source"] == "person"
    assert card["status"] == "ready" and "128 accepted" in markdown
    assert card["token_budget"] == card["card_tokens_approx"] and f"token budget {card['token_budget']}: this card's own size" in markdown
    assert "at least 2 runs and 50% of the runs" in markdown


class _Run:
    """The parts of ``records.run.Run`` a card reads."""

    def __init__(self, record, trace_id):
        self.record = record
        self.trace_id = trace_id
        self.review_status = record["human_review"]["status"]
        self.approved = self.review_status in ("accepted", "edited")

    def list_field(self, key):
        value = self.record.get(key)
        return [value] if isinstance(value, str) else list(value or [])

    def text(self, key):
        value = self.record.get(key)
        return value if isinstance(value, str) else ""


def _with_check(record, command, result):
    record = copy.deepcopy(record)
    messages = record.setdefault("messages", [{"role": "user", "content": record["input_redacted"]},
                                              {"role": "assistant", "content": record["output_approved"]}])
    call = {"id": f"call_check_{record['id']}", "type": "function",
            "function": {"name": "run_command", "arguments": json.dumps({"command": command})}}
    messages[-1:-1] = [{"role": "assistant", "content": None, "tool_calls": [call]},
                       {"role": "tool", "tool_call_id": call["id"], "content": result}]
    return record


def test_generated_corpus_a_rule_every_run_follows_is_found_and_none_is_invented(tmp_path):
    runs = []
    for record in generate_runs(120, seed=7):
        if record["workflow"] == "ci_failure" and record["human_review"]["status"] != "rejected":
            record = _with_check(record, "go test ./...", "ok  \texample.com/pkg\t0.01s")
        elif record["workflow"] == "ci_failure":
            record = _with_check(record, "go test ./...", "--- FAIL: TestX\nexit status 1")
        runs.append(record)
    path = write_runs(tmp_path / "runs.jsonl", runs)
    out = tmp_path / "out"
    assert run_cli(["export", "--approved-runs", path, "--out", str(out)], env={"SOURCE_DATE_EPOCH": "0"}).code == 0
    card = json.loads((out / "context-cards" / "infra" / "ci_failure.json").read_text())
    approved = card["approved_trace_count"]
    rules = {item["text"]: item for item in card["evidence"]["stable_rules"]}
    [rule] = [item for text, item in rules.items() if text.startswith("Runs the tests before answering: `go test ./...` (%d)" % approved)]
    assert (rule["support"], rule["of"], rule["source"]) == (approved, approved, "mined")
    everything = json.dumps([json.loads(p.read_text()) for p in (out / "context-cards").rglob("*.json")])
    assert "cargo" not in everything and "Type-checks" not in everything and "Lints" not in everything
    # The corpus's random commands (pytest -q, npm test, make build) fall below the thresholds elsewhere.
    other = json.loads((out / "context-cards" / "saas" / "bug_triage.json").read_text())
    assert all(item["source"] != "mined" or item["support"] / item["of"] >= mining.MIN_SHARE
               for item in other["evidence"]["stable_rules"])


def test_miner_state_is_bounded_by_distinct_statements_not_runs():
    miner = mining.Miner()
    facts = mining.RunFacts(calls=1, tools=["bash"], order=["shell"], checks={"test": ["pytest"]},
                            calls_by_tool={"bash": 1})
    for number in range(3000):
        facts.files_edited = [f"src/file_{number}.py"]
        miner.add(facts, trace_id=f"t{number}", status="accepted", outcome="completed", notes=[])
    assert len(miner.files.items) == EVIDENCE_LIMIT and miner.files.overflow == 3000 - EVIDENCE_LIMIT
    assert len(miner.tools.items) == 1 and miner.tools.support("bash") == 3000
    assert all(len(entry[1]) <= 5 for entry in miner.checks.items.values())
    assert miner.overflow() == 3000 - EVIDENCE_LIMIT


def test_what_rejected_runs_share_that_approved_ones_do_not():
    miner = mining.Miner()
    tested = mining.RunFacts(calls=2, tools=["bash"], checks={"test": ["pytest"]}, calls_by_tool={"bash": 2})
    untested = mining.RunFacts(calls=2, tools=["bash"], calls_by_tool={"bash": 2})
    for number in range(6):
        miner.add(tested, trace_id=f"a{number}", status="accepted", outcome="completed", notes=[])
    miner.add(untested, trace_id="a6", status="accepted", outcome="completed", notes=[])
    for number in range(3):
        miner.add(untested, trace_id=f"r{number}", status="rejected", outcome="completed", notes=["Ran no tests."])
    contrasts = [item["text"] for item in miner.contrasts()]
    assert contrasts == ["Rejected or failed runs ran no tests: 3 of 3, against 1 of 7 approved runs",
                         "Rejected or failed runs ran no test, lint, type-check or build: 3 of 3, against 1 of 7 approved runs"]
    assert miner.corrections()[0] == {"text": "Ran no tests.", "support": 3, "of": 3, "unit": "rejected runs",
                                      "trace_ids": ["r0", "r1", "r2"], "source": "person"}


@needs_shared
def test_the_readme_card_is_what_the_pi_fixtures_give(harvested):
    """The README quotes a card mined from the real Pi sessions; its statements must stay true."""
    readme = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    block = next(b for b in re.findall(r"```text\n(.*?)```", readme, re.S) if b.startswith("# coding / pi_session"))
    stats = cards.WorkflowStats("coding", "pi_session")
    for candidate in harvested["pi"]:
        record = {**candidate, "human_review": {"status": "accepted"}}
        stats.accepted += 1
        stats.traces += 1
        # The export's trace id (so the card, and its size, is the exported one).
        stats.observe(_Run(record, "trace_" + hashlib.sha256(candidate["id"].encode()).hexdigest()[:16]))
    _card, markdown = cards.build_card(stats)
    quoted = [line for line in block.splitlines() if re.match(r"^\d+\. ", line) and "..." not in line]
    assert len(quoted) >= 5
    for line in quoted:
        assert line in markdown, line
    budget = re.search(r"token budget (\d+)", block).group(1)
    assert f"token budget {budget}:" in markdown


def test_what_people_wrote_ranks_above_what_is_mined():
    stats = cards.WorkflowStats("infra", "ci_failure")
    for number in range(3):
        record = _with_check({"id": f"r{number}", "input_redacted": "Fix CI.", "output_approved": "Fixed.",
                              "human_review": {"status": "accepted"}, "stable_rules": ["Quote the failing job."]},
                             "go test ./...", "ok")
        stats.accepted += 1
        stats.traces += 1
        stats.observe(_Run(record, f"trace_{number}"))
    card, markdown = cards.build_card(stats)
    rules = card["evidence"]["stable_rules"]
    assert [(item["source"], item["support"], item["of"]) for item in rules] == [("person", 3, 3), ("mined", 3, 3)]
    assert card["stable_rules"][1] == "Runs the tests before answering: `go test ./...` (3)"  # no edit: no "after" clause
    assert markdown.index("Quote the failing job.") < markdown.index("Runs the tests")
    assert card["defaults_used"] == ["human_approval_required_for"]
