"""The review command: listing, the non-interactive decisions, the terminal loop, bad input, leaks, and the export after."""
import io
import json
import os
import shutil
import subprocess
import sys
import types

import pytest

from conftest import ENTRY, FIXTURES, read_jsonl, run_cli
from secret_factory import planted_texts

from data_flywheel import project
from data_flywheel.cli import main
from data_flywheel.commands import review
from data_flywheel.commands.common import make_gate
from data_flywheel.errors import InputError
from data_flywheel.records import decisions

ENV = {"NO_COLOR": "1", "SOURCE_DATE_EPOCH": "1777104000", "HOME": "/nonexistent-home", "DATA_FLYWHEEL_REVIEWER": "dana"}
WHEN = "2026-04-25T08:00:00Z"
CLAUDE, CODEX, GEMINI = "cand_8762d7d3ff6df4616ed22e88", "cand_a1076b106ec3e671e9afbad3", "cand_8b75174c42bda9f4b6d496f2"
CLAUDE_ANSWER = "Created tests/__init__.py."


@pytest.fixture
def repo(tmp_path):
    """An agent root with three pending candidates, one from each of Claude Code, Codex and Gemini CLI.

    tests/fixtures/review/candidates.jsonl is a frozen harvest of the three tool-calls.jsonl
    fixtures (one candidate per session, as harvest wrote them before it split sessions into
    requests): review is tested on fixed input, whatever harvest's splitting does next.
    """
    root = tmp_path / ".agent"
    (root / "flywheel").mkdir(parents=True)
    shutil.copy(os.path.join(FIXTURES, "review", "candidates.jsonl"), root / "flywheel" / "candidates.jsonl")
    return types.SimpleNamespace(
        tmp=tmp_path, root=root,
        candidates=root / "flywheel" / "candidates.jsonl",
        approved=root / "flywheel" / "approved-runs.jsonl",
    )


def rev(repo, *args, stdin=None, env=None):
    return run_cli(["review", "--agent-root", str(repo.root), *args], stdin=stdin, env=env or ENV)


def decided(repo):
    return read_jsonl(repo.approved) if repo.approved.exists() else []


# --- --list ---------------------------------------------------------------------------


def test_list_shows_the_pending_candidates(repo):
    result = rev(repo, "--list")
    assert result.code == 0, result
    lines = result.out.splitlines()
    assert lines[0] == f"3 pending candidates in {repo.candidates}"
    assert lines[1].split() == ["ID", "PROJECT", "HARNESS", "WHEN", "OUTCOME", "SIZE", "REDACTED", "TASK"]
    row = lines[2].split("  ")
    assert [cell.strip() for cell in row if cell.strip()][:7] == [
        CLAUDE, "shop", "claude-code", "2026-01-06 10:00", "completed", "9 msg, 3 tools", "no"]
    assert lines[2].endswith("Count the lines in app.py and list the tests folder.")
    assert lines[3].startswith(CODEX) and lines[4].startswith(GEMINI)
    assert lines[5].startswith("next: review --show ID, then review --accept ID")


def test_list_json_and_decided_ones_drop_out(repo):
    assert rev(repo, "--accept", CODEX).code == 0
    result = rev(repo, "--list", "--json")
    assert result.code == 0, result
    document = result.json()
    assert document["count"] == 2 and document["decided"] == 1 and document["skipped_lines"] == 0
    assert [row["id"] for row in document["pending"]] == [CLAUDE, GEMINI]
    assert document["pending"][1] == {
        "id": GEMINI, "domain": "coding", "workflow": "gemini_cli_session", "harness": "gemini-cli",
        "created_at": "2026-03-02T09:00:00Z", "task": "Which port does the server use, and do the tests pass?", "line": 3,
        "project": "shop", "when": "2026-03-02T09:00:00Z", "outcome": "completed",
        "size": {"messages": 6, "tool_calls": 2, "characters": 208}, "redaction": {"found": False, "findings": None},
    }


def test_list_when_everything_is_decided(repo):
    for run_id in (CLAUDE, CODEX, GEMINI):
        assert rev(repo, "--reject", run_id, "--note", "no").code == 0
    result = rev(repo, "--list")
    assert result.code == 0
    assert result.out.startswith(f"no pending candidates in {repo.candidates} (3 decided)")


def test_a_corrupt_candidate_line_is_reported_and_the_rest_stay_reviewable(repo):
    lines = repo.candidates.read_text(encoding="utf-8").splitlines(keepends=True)
    repo.candidates.write_text(lines[0] + "{not json\n" + lines[1] + lines[2], encoding="utf-8")
    result = rev(repo, "--list", "--json")
    assert result.code == 0
    assert f"warning: {repo.candidates}:2: not valid JSON" in result.err
    assert [row["id"] for row in result.json()["pending"]] == [CLAUDE, CODEX, GEMINI]
    assert result.json()["skipped_lines"] == 1
    accepted = rev(repo, "--accept", GEMINI)
    assert accepted.code == 0 and f"{repo.candidates}:2:" in accepted.err


def test_a_missing_candidates_file_is_an_error_with_the_fix(tmp_path):
    result = run_cli(["review", "--agent-root", str(tmp_path / ".agent"), "--list"], env=ENV)
    assert result.code == 2
    assert "no candidates file (run harvest first to collect candidates, or pass --candidates PATH)" in result.err
    assert "Traceback" not in result.err


def test_candidates_and_approved_runs_paths_can_be_given(repo):
    other = repo.tmp / "elsewhere.jsonl"
    shutil.copy(repo.candidates, repo.tmp / "cands.jsonl")
    result = run_cli(["review", "--candidates", str(repo.tmp / "cands.jsonl"), "--approved-runs", str(other),
                      "--accept", CLAUDE], env=ENV)
    assert result.code == 0, result
    assert [row["id"] for row in read_jsonl(other)] == [CLAUDE]
    assert not repo.approved.exists()


# --- --accept / --reject / --edit ------------------------------------------------------


def test_accept_writes_the_candidate_with_provenance_and_leaves_the_candidates_alone(repo):
    before = repo.candidates.read_bytes()
    result = rev(repo, "--accept", CLAUDE, "--note", "Correct and minimal.")
    assert result.code == 0, result
    assert result.out.splitlines() == [
        f"accepted {CLAUDE} (coding/claude_code_session) by dana at {WHEN}",
        f"written to {repo.approved}",
        "next: 2 candidates still pending (review --list); run export when you are ready",
    ]
    [record] = decided(repo)
    candidate = read_jsonl(repo.candidates)[0]
    assert record["id"] == CLAUDE
    assert record["human_review"] == {"status": "accepted", "reviewer": "dana", "reviewed_at": WHEN,
                                      "review_notes": "Correct and minimal."}
    assert record["source"] == {**candidate["source"], "candidate_id": CLAUDE}
    assert record["messages"] == candidate["messages"] and record["output_approved"] == CLAUDE_ANSWER
    assert "output_original" not in record and record["redaction_status"] == "passed"
    assert repo.candidates.read_bytes() == before
    assert run_cli(["validate", "--kind", "approved-run", str(repo.approved)]).code == 0


def test_ids_may_be_unique_prefixes(repo):
    assert rev(repo, "--accept", "cand_a1").code == 0
    assert decided(repo)[0]["id"] == CODEX


def test_an_ambiguous_prefix_lists_its_matches(repo):
    result = rev(repo, "--accept", "cand_8")
    assert result.code == 2
    assert f"'cand_8' matches 2 candidates: {CLAUDE}, {GEMINI} (give more of the id)" in result.err
    assert not repo.approved.exists()


def test_an_unknown_id_is_an_error_and_writes_nothing(repo):
    result = rev(repo, "--accept", "cand_nope")
    assert result.code == 2
    assert "no candidate with id 'cand_nope' (review --list shows the pending ones; a recorded run needs its whole id)" \
        in result.err
    assert not repo.approved.exists()


def test_an_already_decided_id_says_how_and_when(repo):
    assert rev(repo, "--reject", CODEX, "--note", "Wrong fix.", "--reviewer", "lee").code == 0
    before = repo.approved.read_bytes()
    result = rev(repo, "--accept", CODEX)
    assert result.code == 2
    assert f"{repo.approved}:1: {CODEX} was already decided: rejected by lee at {WHEN}" in result.err
    assert repo.approved.read_bytes() == before


def test_reject_needs_a_note_and_keeps_the_run_as_a_negative_case(repo):
    result = rev(repo, "--reject", CODEX)
    assert result.code == 2 and "--reject needs --note TEXT" in result.err
    assert rev(repo, "--reject", CODEX, "--note", "   ").code == 2
    assert not repo.approved.exists()
    assert rev(repo, "--reject", CODEX, "--note", "Changed the test, not the code.").code == 0
    [record] = decided(repo)
    assert record["human_review"]["status"] == "rejected"
    assert record["human_review"]["review_notes"] == "Changed the test, not the code."
    assert record["output_approved"] == read_jsonl(repo.candidates)[1]["output_approved"]


def test_edit_from_a_file_keeps_the_draft_as_output_original(repo):
    answer = repo.tmp / "answer.md"
    answer.write_text("Created tests/__init__.py (empty) so pytest finds the package.\n")
    result = rev(repo, "--edit", CLAUDE, "--output-file", str(answer), "--note", "Say why.")
    assert result.code == 0, result
    [record] = decided(repo)
    assert record["human_review"]["status"] == "edited"
    assert record["output_original"] == CLAUDE_ANSWER
    assert record["output_approved"] == "Created tests/__init__.py (empty) so pytest finds the package."
    assert record["messages"][-1] == {"role": "assistant", "content": record["output_approved"]}
    assert len(record["messages"]) == len(read_jsonl(repo.candidates)[0]["messages"])


def test_edit_from_stdin(repo):
    result = rev(repo, "--edit", GEMINI, "--output-file", "-", stdin=b"Port 8080; 12 tests pass.\n")
    assert result.code == 0, result
    assert decided(repo)[0]["output_approved"] == "Port 8080; 12 tests pass."


@pytest.mark.parametrize("text", [b"", b"\n\n", b"   \n"])
def test_an_edit_that_leaves_the_answer_empty_is_refused(repo, text):
    result = rev(repo, "--edit", GEMINI, "--output-file", "-", stdin=text)
    assert result.code == 2
    assert "the edited answer is empty" in result.err
    assert not repo.approved.exists()


def test_an_unchanged_edit_is_refused(repo):
    result = rev(repo, "--edit", CLAUDE, "--output-file", "-", stdin=(CLAUDE_ANSWER + "\n").encode())
    assert result.code == 2 and "unchanged (accept it instead (--accept ID))" in result.err
    assert not repo.approved.exists()


def test_edit_file_problems_are_errors(repo):
    result = rev(repo, "--edit", CLAUDE, "--output-file", str(repo.tmp / "missing.md"))
    assert result.code == 2 and "missing.md: no such file" in result.err
    (repo.tmp / "latin1.md").write_bytes(b"caf\xe9\n")
    result = rev(repo, "--edit", CLAUDE, "--output-file", str(repo.tmp / "latin1.md"))
    assert result.code == 2 and "not UTF-8 (byte 4)" in result.err


@pytest.mark.parametrize("argv, message", [
    (["--edit", CLAUDE], "--edit needs --output-file F"),
    (["--accept", CLAUDE, "--output-file", "x.md"], "--output-file goes with --edit ID"),
    (["--list", "--workflow", "x"], "--note, --domain and --workflow set a decision"),
    (["--accept", "  "], "--accept needs a candidate id"),
    (["--accept", CLAUDE, "--approved-runs", "-"], "review reads and appends real files, not stdin"),
    (["--accept", CLAUDE, "--reject", CODEX], "not allowed with argument"),
    (["--accept", CLAUDE, "--domain", " "], "--domain is empty"),
])
def test_flag_mistakes_are_usage_errors(repo, argv, message):
    result = rev(repo, *argv)
    assert result.code == 2 and message in result.err, result
    assert not repo.approved.exists()


def test_domain_and_workflow_are_set_as_slugs(repo):
    result = rev(repo, "--accept", CODEX, "--domain", "Python", "--workflow", "Fix failing tests")
    assert result.code == 0, result
    record = decided(repo)[0]
    assert (record["domain"], record["workflow"]) == ("python", "fix_failing_tests")
    assert "(python/fix_failing_tests)" in result.out


def test_reviewer_flag_environment_and_login_fallbacks(repo):
    env = {k: v for k, v in ENV.items() if k != "DATA_FLYWHEEL_REVIEWER"}
    assert rev(repo, "--accept", CLAUDE, env={**env, "LOGNAME": "logname"}).code == 0
    assert rev(repo, "--accept", CODEX, "--reviewer", "flag", env={**env, "USER": "user"}).code == 0
    result = rev(repo, "--accept", GEMINI, env=env)  # USER unset, as in a container: the account's name
    assert result.code == 0, result
    assert [row["human_review"]["reviewer"] for row in decided(repo)] == ["logname", "flag", project.account_name()]


def test_json_report_of_a_decision(repo):
    result = rev(repo, "--reject", GEMINI, "--note", "Guessed the port.", "--json")
    assert result.code == 0, result
    assert result.json() == {
        "id": GEMINI, "status": "rejected", "domain": "coding", "workflow": "gemini_cli_session", "reviewer": "dana",
        "reviewed_at": WHEN, "approved_runs": str(repo.approved), "redaction": {"values": 0, "rules": []},
        "pending": 2, "next": "2 candidates still pending (review --list); run export when you are ready",
    }


def test_without_a_terminal_and_without_an_action_it_says_which_flags_to_use(repo):
    result = rev(repo)
    assert result.code == 2
    assert "review is interactive only on a terminal (without one, use --list, --show ID, --accept ID, " \
           "--reject ID --note TEXT, or --edit ID --output-file F)" in result.err


def test_an_invalid_decision_is_refused_with_exit_1(repo):
    """A candidate line that breaks its schema is skipped when read; one that breaks the approved run when decided is refused."""
    desk = desk_for(repo)
    candidate = desk.candidates.load(desk.candidates.entries[CODEX])
    candidate["created_at"] = "yesterday"
    with pytest.raises(decisions.InvalidRecord) as caught:
        desk.decide(candidate, review.Decision("accepted"))
    assert caught.value.exit_code == 1
    assert "the decision on cand_a1076b106ec3e671e9afbad3 is not a valid approved run: $.created_at:" in str(caught.value)
    assert not repo.approved.exists()


# --- secrets --------------------------------------------------------------------------------


def secrets(seed=11):
    planted = {family: (value, text) for family, value, text in planted_texts(seed=seed)}
    return planted["github-pat"], planted["stripe-secret-key"], planted["email-address"]


def test_secrets_typed_in_an_edit_and_a_note_are_redacted_and_never_printed(repo):
    (pat, pat_text), (stripe, stripe_text), (email, email_text) = secrets()
    answer = repo.tmp / "answer.md"
    answer.write_text(f"Set the token first:\n{pat_text}\nThen ask {email_text}.\n")
    result = rev(repo, "--edit", CLAUDE, "--output-file", str(answer), "--note", f"leaked {stripe_text}")
    assert result.code == 0, result
    written = repo.approved.read_text()
    for value in (pat, stripe, email):
        assert value not in written and value not in result.out and value not in result.err
    # The edited answer is also the trajectory's final message: each place it went counts.
    assert "redacted 5 values (email-address, github-pat, stripe-secret-key) before writing" in result.out
    record = decided(repo)[0]
    assert record["redaction_status"] == "auto_redacted"
    assert "[GITHUB_TOKEN_1]" in record["output_approved"] and "[EMAIL_1]" in record["output_approved"]
    assert "[STRIPE_KEY_1]" in record["human_review"]["review_notes"]
    json_result = rev(repo, "--reject", CODEX, "--note", f"see {email_text}", "--json")
    assert json_result.code == 0 and email not in json_result.out
    assert json_result.json()["redaction"] == {"values": 1, "rules": ["email-address"]}


def test_a_reviewer_email_is_refused_without_printing_it(repo):
    (_pat, _t), (_s, _st), (email, _et) = secrets()
    result = rev(repo, "--accept", CLAUDE, "--reviewer", email)
    assert result.code == 2 and "email-address" in result.err and email not in result.err
    assert not repo.approved.exists()


def test_a_workflow_the_scanner_redacts_is_refused(repo):
    (pat, _text), _, _ = secrets()
    result = rev(repo, "--accept", CLAUDE, "--workflow", pat)
    assert result.code == 2 and "--workflow holds what the scanner redacts (github-pat)" in result.err
    assert pat not in result.err


# --- the terminal loop -------------------------------------------------------------------------


def desk_for(repo, reviewer="dana"):
    gate = make_gate(types.SimpleNamespace(agent_root=str(repo.root)))[0]
    desk = review.Desk(gate=gate, env=ENV, approved_runs=str(repo.approved), reviewer=reviewer)
    desk.candidates = decisions.Candidates.read(str(repo.candidates), lambda p: None)
    desk.refresh()
    return desk


class FakeEditor:
    """Stands in for $EDITOR: returns the scripted texts in turn and remembers what it was shown."""

    def __init__(self, *texts):
        self.texts = list(texts)
        self.shown = []

    def __call__(self, text):
        self.shown.append(text)
        result = self.texts.pop(0)
        if isinstance(result, Exception):
            raise result
        return result


def loop(repo, keys, editor=None, desk=None):
    desk = desk or desk_for(repo)
    out = io.StringIO()
    tally = review.review_loop(desk, desk.pending(), stdin=io.StringIO(keys), stdout=out, editor=editor or FakeEditor())
    return tally, out.getvalue(), desk


def test_the_loop_accepts_edits_and_rejects(repo):
    editor = FakeEditor("The fix: expected sum 3.\n")
    tally, out, desk = loop(repo, "a\ne\nOnly the test was wrong.\nr\n\nGuessed the port.\n", editor)
    assert tally.counts == {"accepted": 1, "edited": 1, "rejected": 1}
    rows = decided(repo)
    assert [(row["id"], row["human_review"]["status"]) for row in rows] == [
        (CLAUDE, "accepted"), (CODEX, "edited"), (GEMINI, "rejected")
    ]
    assert editor.shown == [read_jsonl(repo.candidates)[1]["output_approved"]]
    assert rows[1]["output_approved"] == "The fix: expected sum 3."
    assert rows[1]["human_review"]["review_notes"] == "Only the test was wrong."
    assert rows[2]["human_review"]["review_notes"] == "Guessed the port."  # the empty note was asked again
    assert out.count("why is it wrong? (required) ") == 2
    assert f"[1/3] {CLAUDE}" in out and f"[3/3] {GEMINI}" in out
    assert "task:\n  Count the lines in app.py and list the tests folder.\n" in out
    assert f"final answer:\n  {CLAUDE_ANSWER}\n" in out
    assert "tool calls: Bash (2), Write (1)  ([t] unfolds them)" in out
    assert "harness claude-code \u00b7 model claude-sonnet-4-5-20250929 \u00b7 2026-01-06T10:00:14.518000Z \u00b7 outcome completed" in out
    assert desk.pending() == []


def test_skip_and_quit_decide_nothing(repo):
    tally, out, desk = loop(repo, "s\nq\n")
    assert tally.skipped == 1 and sum(tally.counts.values()) == 0
    assert not repo.approved.exists()
    assert f"[2/3] {CODEX}" in out and GEMINI not in out
    assert "nothing decided; skipped 1" in tally.summary(desk)


def test_end_of_input_quits_and_decisions_so_far_are_kept(repo):
    tally, _out, _desk = loop(repo, "a\n")
    assert tally.counts["accepted"] == 1 and [row["id"] for row in decided(repo)] == [CLAUDE]


def test_tools_unfold_with_their_results(repo):
    _tally, out, _desk = loop(repo, "t\nq\n")
    assert '  1. Bash {"command": "wc -l app.py", "description": "Count lines"}' in out
    assert "     -> 42 app.py" in out
    assert "  3. Write " in out


def test_workflow_sets_domain_and_workflow_for_the_candidate(repo):
    _tally, out, _desk = loop(repo, "w\nPython\nAdd tests\na\nq\n")
    assert "this candidate will be recorded as python/add_tests" in out
    record = decided(repo)[0]
    assert (record["domain"], record["workflow"]) == ("python", "add_tests")


def test_an_empty_edit_is_refused_and_the_candidate_offered_again(repo):
    editor = FakeEditor("\n\n", "A real answer.")
    tally, out, _desk = loop(repo, "e\ne\n\nq\n", editor)
    assert "refused: the edited answer is empty; the candidate is offered again" in out
    assert tally.counts["edited"] == 1 and decided(repo)[0]["output_approved"] == "A real answer."


def test_an_unchanged_edit_or_a_failing_editor_reoffers_the_candidate(repo):
    editor = FakeEditor(CLAUDE_ANSWER + "\n", InputError("editor 'nano' not found", remedy="set VISUAL or EDITOR"))
    tally, out, _desk = loop(repo, "e\n\ne\nq\n", editor)
    assert "the edited answer is the agent's answer unchanged" in out
    assert "error: editor 'nano' not found (set VISUAL or EDITOR)" in out
    assert sum(tally.counts.values()) == 0 and not repo.approved.exists()


def test_a_candidate_decided_elsewhere_meanwhile_is_passed_over(repo):
    desk = desk_for(repo)
    assert rev(repo, "--accept", CLAUDE, "--reviewer", "lee").code == 0  # another reviewer, after the list was made
    tally, out, _desk = loop(repo, "a\nq\n", desk=desk)
    assert f"{CLAUDE} was already decided: accepted by lee" in out
    assert f"[2/3] {CODEX}" in out  # moved on; the next one is offered
    assert tally.counts["accepted"] == 0
    assert [row["id"] for row in decided(repo)] == [CLAUDE]


def test_an_unknown_key_shows_the_keys(repo):
    _tally, out, _desk = loop(repo, "x\nq\n")
    assert "a accept, e edit the answer, r reject with a note" in out


def test_long_tasks_are_cut_with_a_note(repo):
    lines = read_jsonl(repo.candidates)
    lines[0]["input_redacted"] = "\n".join(f"line {n}" for n in range(100))
    repo.candidates.write_text("".join(json.dumps(line) + "\n" for line in lines))
    _tally, out, _desk = loop(repo, "q\n")
    assert "  line 19\n" in out and "line 20\n" not in out
    assert "more characters not shown)" in out


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_on_a_terminal_review_runs_the_loop_with_the_real_editor(repo):
    editor = repo.tmp / "editor.py"
    editor.write_text("import sys\nopen(sys.argv[1], 'w').write('Edited in the editor.\\n')\n")
    editor.chmod(0o755)
    out, err = Terminal(), io.StringIO()
    env = {**ENV, "EDITOR": f"{sys.executable} {editor}", "PATH": os.environ.get("PATH", "")}
    code = main(["review", "--agent-root", str(repo.root)], stdin=Terminal("e\n\ns\nq\n"), stdout=out, stderr=err, env=env)
    assert code == 0, err.getvalue()
    text = out.getvalue()
    assert text.startswith(f"3 pending candidates in {repo.candidates}; each decision is written at once to {repo.approved}")
    assert text.rstrip().endswith("next: 2 candidates still pending (review --list); run export when you are ready")
    assert "decided 1 (edited 1)" in text and "\033[" not in text  # NO_COLOR
    assert decided(repo)[0]["output_approved"] == "Edited in the editor."
    coloured = Terminal()
    env.pop("NO_COLOR")
    assert main(["review", "--agent-root", str(repo.root)], stdin=Terminal("q\n"), stdout=coloured, stderr=err, env=env) == 0
    assert "\033[1m" in coloured.getvalue()


def test_a_missing_editor_is_an_error_naming_the_fix(repo):
    edit = review.system_editor({"EDITOR": "no-such-editor-xyz", "PATH": os.environ.get("PATH", "")})
    with pytest.raises(InputError) as caught:
        edit("text")
    assert "editor 'no-such-editor-xyz' not found (set VISUAL or EDITOR to an editor on your PATH)" in str(caught.value)
    assert review.system_editor({"VISUAL": "true", "EDITOR": "no-such", "PATH": os.environ.get("PATH", "")})("kept") == "kept\n"


def test_interactive_json_or_note_flags_are_refused(repo):
    out, err = Terminal(), io.StringIO()
    assert main(["review", "--agent-root", str(repo.root), "--json"], stdin=Terminal(), stdout=out, stderr=err, env=ENV) == 2
    assert "--json needs an action" in err.getvalue()


# --- two reviewers at once, and the export afterwards ----------------------------------------


def test_two_review_processes_deciding_one_id_at_once(repo):
    """Both race for each candidate: for each, exactly one wins and the other is told it was decided."""
    env = {**os.environ, **ENV}
    for run_id in (CLAUDE, CODEX, GEMINI):
        procs = [
            subprocess.Popen([sys.executable, ENTRY, "review", "--agent-root", str(repo.root), verb, run_id, "--note", "n",
                              "--reviewer", name], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
            for verb, name in (("--accept", "ann"), ("--reject", "bob"))
        ]
        results = [(proc.wait(timeout=60), proc.stderr.read()) for proc in procs]
        assert sorted(code for code, _err in results) == [0, 2], results
        assert any("was already decided" in err for code, err in results if code == 2)
    ids = [row["id"] for row in decided(repo)]
    assert sorted(ids) == sorted([CLAUDE, CODEX, GEMINI])


def test_the_export_counts_the_decisions_and_trains_on_the_edited_answer(repo):
    assert rev(repo, "--accept", CLAUDE).code == 0
    assert rev(repo, "--edit", CODEX, "--output-file", "-", stdin=b"Fixed the expected value: add(1, 2) is 3.").code == 0
    assert rev(repo, "--reject", GEMINI, "--note", "Guessed the port.").code == 0
    out = repo.tmp / "export"
    result = run_cli(["export", "--agent-root", str(repo.root), "--out", str(out), "--project", "demo"], env=ENV)
    assert result.code == 0, result
    metrics = json.loads((out / "flywheel-metrics.json").read_text())
    assert metrics["input_quality"]["skipped_lines"] == 0
    assert metrics["total_traces"] == 3 and metrics["accepted_traces"] == 2
    by_status = {key: metrics["workflows"][key] for key in metrics["workflows"]}
    assert by_status["coding/codex_session"]["edited"] == 1
    assert by_status["coding/gemini_cli_session"]["rejected"] == 1
    assert by_status["coding/claude_code_session"]["accepted"] == 1
    examples = read_jsonl(out / "training-examples.jsonl")
    outputs = [row["output"] for row in examples]
    assert "Fixed the expected value: add(1, 2) is 3." in outputs
    draft = read_jsonl(repo.candidates)[1]["output_approved"]
    assert draft not in outputs and len(examples) == 2  # the rejected run is counted, never trained on
    edited = next(row for row in decided(repo) if row["id"] == CODEX)
    assert edited["output_original"] == draft
    # The edit is a real preference pair: the approved answer chosen, the agent's draft rejected.
    manifest = json.loads((out / "manifest.json").read_text())
    [pairs] = [entry for entry in manifest["files"] if entry.get("format") == "trl-preference"]
    [pair] = read_jsonl(out / pairs["path"])
    assert pair["chosen"] == [{"role": "assistant", "content": "Fixed the expected value: add(1, 2) is 3."}]
    assert pair["rejected"] == [{"role": "assistant", "content": draft}]


# --- --show ----------------------------------------------------------------------------------

SHARED = os.path.join(os.path.dirname(FIXTURES), "..", "..", "shared", "fixtures")
GEMINI_REAL = os.path.join(SHARED, "gemini-cli", "codemie", "session-2026-01-16T11-01-file-ops-37b7abef.json")


def test_show_prints_one_candidate_in_full(repo):
    result = rev(repo, "--show", "cand_876")
    assert result.code == 0, result
    lines = result.out.splitlines()
    assert lines[:4] == [
        f"{CLAUDE}  coding/claude_code_session  pending",
        "  project shop \u00b7 harness claude-code \u00b7 model claude-sonnet-4-5-20250929 \u00b7 2026-01-06T10:00:14.518000Z"
        " \u00b7 outcome completed",
        "  size: 9 messages, 3 tool calls, 446 characters",
        f"  from: {repo.candidates}:1 \u00b7 session sha256:78ce2f3758af4f77\u2026 \u00b7 segment 0",
    ]
    text = result.out
    assert "task:\n  Count the lines in app.py and list the tests folder.\nfinal answer:\n  Created tests/__init__.py.\n" in text
    assert "tool calls: Bash (2), Write (1)\n  1. Bash {\"command\": \"wc -l app.py\"" in text
    assert "     -> 42 app.py\n" in text
    assert "redaction:\n  nothing found: no value was replaced\n" in text
    assert ("trainable:\n  yes, if accepted: it passes every check the export makes for a training row (or an eval case, "
            "if its session falls in a held-out split)\n") in text
    assert lines[-1] == f"next: review --accept {CLAUDE} | --edit {CLAUDE} --output-file F | --reject {CLAUDE} --note TEXT"
    assert not repo.approved.exists()  # showing decides nothing


def test_show_json_is_the_whole_candidate_for_an_agent(repo):
    result = rev(repo, "--show", CLAUDE, "--json")
    assert result.code == 0, result
    document = result.json()
    assert {key: document[key] for key in ("id", "status", "project", "harness", "outcome", "size", "task", "answer")} == {
        "id": CLAUDE, "status": "pending", "project": "shop", "harness": "claude-code", "outcome": "completed",
        "size": {"messages": 9, "tool_calls": 3, "characters": 446},
        "task": "Count the lines in app.py and list the tests folder.", "answer": CLAUDE_ANSWER,
    }
    assert document["tool_counts"] == {"Bash": 2, "Write": 1}
    assert document["tool_calls"][0] == {"name": "Bash", "arguments": '{"command": "wc -l app.py", "description": "Count lines"}',
                                         "result": "42 app.py"}
    assert document["source"]["file"] == str(repo.candidates) and document["source"]["line"] == 1
    assert document["source"]["session_hash"].startswith("sha256:") and document["decision"] is None
    assert document["redaction"] == {"found": False, "findings": None, "by_rule": {}, "by_placeholder": {}}
    assert document["trainability"] == {"status": "accepted", "trainable": True, "eval_case_eligible": True,
                                        "because": [], "meaning": []}


def test_show_on_a_real_session_says_what_redaction_means_for_training(tmp_path):
    """A real Gemini CLI session (codemie-code): its home-folder paths and e-mail addresses were redacted at harvest."""
    sessions = tmp_path / "sessions"
    sessions.mkdir()
    shutil.copy(GEMINI_REAL, sessions)
    root = tmp_path / ".agent"
    assert run_cli(["harvest", "--agent-root", str(root), "--out", str(tmp_path / "h"), "--path", str(sessions),
                    "--all-projects"], env=ENV).code == 0
    listed = run_cli(["review", "--agent-root", str(root), "--list", "--json"], env=ENV).json()
    assert listed["count"] >= 1
    # Each request of the session is a candidate; take one whose text the scanner changed.
    row = next(r for r in listed["pending"] if r["redaction"]["found"] and r["size"]["tool_calls"] >= 1)
    assert (row["project"], row["harness"], row["when"][:13]) == ("gemini-907f20644716", "gemini-cli", "2026-01-16T11")
    [text] = [line for line in run_cli(["review", "--agent-root", str(root), "--list"], env=ENV).out.splitlines()
              if line.startswith(row["id"])]
    assert [cell.strip() for cell in text.split("  ") if cell.strip()][1:3] == ["gemini-907f20644716", "gemini-cli"]
    shown = run_cli(["review", "--agent-root", str(root), "--show", row["id"]], env=ENV)
    assert shown.code == 0, shown
    assert shown.out.splitlines()[1].startswith("  project gemini-907f20644716 \u00b7 harness gemini-cli \u00b7 model gemini-3-pro")
    redaction = shown.out.split("redaction:\n", 1)[1].split("trainable:\n", 1)[0]
    assert "[HOME_USER_n] \u00d7" in redaction or "[EMAIL_n] \u00d7" in redaction
    # Personal data only (an e-mail address, a home folder): it trains with its placeholders.
    assert ("trainable:\n  yes, if accepted: it passes every check the export makes") in shown.out
    document = run_cli(["review", "--agent-root", str(root), "--show", row["id"], "--json"], env=ENV).json()
    assert document["trainability"]["because"] == [] and document["trainability"]["trainable"] is True
    # What --show predicted is what the export then decides.
    assert run_cli(["review", "--agent-root", str(root), "--accept", row["id"]], env=ENV).code == 0
    assert run_cli(["export", "--agent-root", str(root), "--out", str(tmp_path / "out")], env=ENV).code == 0
    [trace] = read_jsonl(tmp_path / "out" / "trace-records.jsonl")
    assert trace["not_trainable_because"] == document["trainability"]["because"]
    assert sum(document["tool_counts"].values()) == len(document["tool_calls"]) >= document["size"]["tool_calls"] > 0


def test_show_uses_the_facts_harvest_records_when_a_candidate_has_them(repo):
    """Newer harvests write project, started_at, outcome, size and redaction by rule on each candidate."""
    lines = read_jsonl(repo.candidates)
    lines[0].update({"project": "api", "started_at": "2026-01-06T09:59:00Z", "outcome": "failed",
                     "size": {"messages": 4, "tool_calls": 1, "characters": 99, "context_messages": 3},
                     "redaction": {"findings": 2, "by_rule": {"email-address": 2}}, "redaction_status": "auto_redacted"})
    repo.candidates.write_text("".join(json.dumps(line) + "\n" for line in lines))
    shown = rev(repo, "--show", CLAUDE)
    assert shown.code == 0, shown
    assert " \u00b7 2026-01-06T09:59:00Z \u00b7 outcome failed" in shown.out and "  project api \u00b7" in shown.out
    assert "  size: 4 messages, 1 tool call, 99 characters\n" in shown.out
    assert "redaction:\n  2 values replaced when it was harvested: email-address (2)\n" in shown.out
    row = rev(repo, "--list", "--json").json()["pending"][0]
    assert row["redaction"] == {"found": True, "findings": 2} and row["outcome"] == "failed"
    listed = rev(repo, "--list").out.splitlines()[2]
    assert [cell.strip() for cell in listed.split("  ") if cell.strip()][1:7] == [
        "api", "claude-code", "2026-01-06 09:59", "failed", "4 msg, 1 tool", "yes (2)"]


def test_show_an_unknown_id_is_an_error(repo):
    result = rev(repo, "--show", "cand_nope")
    assert result.code == 2 and "no candidate with id 'cand_nope'" in result.err


# --- correcting a decision: --undo, --relabel ------------------------------------------------


def corrects(row):
    return row["human_review"].get("corrects")


def test_undo_appends_a_pending_line_and_the_candidate_can_be_decided_again(repo):
    assert rev(repo, "--accept", CLAUDE, "--reviewer", "lee").code == 0
    before = repo.approved.read_bytes()
    undone = rev(repo, "--undo", CLAUDE, "--note", "Accepted too fast.")
    assert undone.code == 0, undone
    assert undone.out.splitlines() == [
        f"undone {CLAUDE}: pending again (was accepted by lee at {WHEN}, line 1) by dana at {WHEN}",
        f"written to {repo.approved}",
        f"next: review --show {CLAUDE}, then --accept, --edit or --reject it",
    ]
    assert repo.approved.read_bytes().startswith(before)  # appended, nothing rewritten
    first, undo = decided(repo)
    assert undo["human_review"] == {"status": "pending", "reviewer": "dana", "reviewed_at": WHEN,
                                    "review_notes": "Accepted too fast.",
                                    "corrects": {"action": "undo", "line": 1, "status": "accepted", "reviewed_at": WHEN}}
    assert CLAUDE in [row["id"] for row in rev(repo, "--list", "--json").json()["pending"]]
    again = rev(repo, "--reject", CLAUDE, "--note", "Never ran the tests.")
    assert again.code == 0, again
    third = decided(repo)[2]
    assert third["human_review"]["status"] == "rejected"
    assert corrects(third) == {"action": "decision", "line": 2, "status": "pending", "reviewed_at": WHEN}
    shown = rev(repo, "--show", CLAUDE).out
    assert f"  decided: accepted, by lee at {WHEN} ({repo.approved}:1)\n" in shown
    assert f"  undone: pending again, by dana at {WHEN} ({repo.approved}:2)\n" in shown
    assert f"  decided again: rejected, by dana at {WHEN} ({repo.approved}:3)\n" in shown
    assert shown.splitlines()[-1] == (f"next: review --undo {CLAUDE} withdraws the decision; "
                                      f"review --relabel {CLAUDE} --workflow NAME files it elsewhere")


def test_undo_of_an_edit_gives_the_agents_answer_back(repo):
    assert rev(repo, "--edit", CODEX, "--output-file", "-", stdin=b"Fixed the expected value.").code == 0
    assert rev(repo, "--undo", CODEX).code == 0
    _edit, undo = decided(repo)
    draft = read_jsonl(repo.candidates)[1]["output_approved"]
    assert undo["output_approved"] == draft and "output_original" not in undo
    assert undo["messages"][-1]["content"] == draft


def test_undo_needs_a_decision(repo):
    result = rev(repo, "--undo", GEMINI)
    assert result.code == 2 and f"{GEMINI} is not decided: it is pending (nothing to undo; decide it first)" in result.err
    assert rev(repo, "--accept", GEMINI).code == 0 and rev(repo, "--undo", GEMINI).code == 0
    twice = rev(repo, "--undo", GEMINI)
    assert twice.code == 2 and "is not decided: it is pending again (undo by dana)" in twice.err
    assert len(decided(repo)) == 2


def test_relabel_files_an_accepted_run_elsewhere_and_the_export_follows(repo):
    assert rev(repo, "--accept", CLAUDE, "--note", "Good.").code == 0
    result = rev(repo, "--relabel", CLAUDE, "--domain", "Python", "--workflow", "Add tests")
    assert result.code == 0, result
    assert result.out.splitlines()[0] == f"relabelled {CLAUDE} as python/add_tests (accepted stands) by dana at {WHEN}"
    relabelled = decided(repo)[1]
    assert (relabelled["domain"], relabelled["workflow"]) == ("python", "add_tests")
    assert relabelled["human_review"]["review_notes"] == "Good."  # the decision's reason still holds
    assert corrects(relabelled) == {"action": "relabel", "line": 1, "status": "accepted", "reviewed_at": WHEN}
    same = rev(repo, "--relabel", CLAUDE, "--workflow", "add_tests")
    assert same.code == 2 and f"{CLAUDE} is already python/add_tests (nothing was written)" in same.err
    out = repo.tmp / "export"
    exported = run_cli(["export", "--agent-root", str(repo.root), "--out", str(out)], env=ENV)
    assert exported.code == 0, exported
    metrics = json.loads((out / "flywheel-metrics.json").read_text())
    assert list(metrics["workflows"]) == ["python/add_tests"] and metrics["total_traces"] == 1
    assert metrics["input_quality"]["superseded_lines"] == 1 and metrics["input_quality"]["skipped_lines"] == 0


@pytest.mark.parametrize("argv, message", [
    (["--relabel", CLAUDE], "--relabel needs --domain NAME or --workflow NAME"),
    (["--undo", CLAUDE, "--workflow", "x"], "--undo takes no --domain or --workflow"),
    (["--show", CLAUDE, "--note", "x"], "--note, --domain and --workflow set a decision"),
    (["--undo", " "], "--undo needs a candidate id"),
])
def test_correction_flag_mistakes_are_usage_errors(repo, argv, message):
    result = rev(repo, *argv)
    assert result.code == 2 and message in result.err, result


def test_relabel_needs_a_decided_run(repo):
    result = rev(repo, "--relabel", CODEX, "--workflow", "x")
    assert result.code == 2 and "is not decided: it is pending (nothing to relabel; decide it first)" in result.err


def test_a_correction_on_a_stale_view_is_refused(repo):
    assert rev(repo, "--accept", CLAUDE).code == 0
    desk = desk_for(repo)
    assert rev(repo, "--undo", CLAUDE, "--reviewer", "lee").code == 0  # someone else, after this desk read the file
    with pytest.raises(InputError) as caught:
        desk.relabel(CLAUDE, review.Labels(workflow="other"), None)
    assert f"{CLAUDE} changed meanwhile: it is now pending by lee at {WHEN}" in str(caught.value)
    assert len(decided(repo)) == 2


def test_an_already_decided_id_names_the_undo(repo):
    assert rev(repo, "--accept", CODEX).code == 0
    result = rev(repo, "--reject", CODEX, "--note", "no")
    assert result.code == 2 and f"(to change it, review --undo {CODEX} first;" in result.err


def test_a_recorded_run_can_be_undone_and_decided_again(repo):
    recorded = run_cli(["record", "--agent-root", str(repo.root), "--domain", "saas", "--workflow", "triage",
                        "--status", "accepted", "--input", "Why does import fail?", "--output", "A bad header.", "--json"],
                       env=ENV)
    assert recorded.code == 0, recorded
    run_id = recorded.json()["id"]
    shown = rev(repo, "--show", run_id)
    assert shown.code == 0 and "  from: recorded with the record command\n" in shown.out
    assert f"{run_id}  saas/triage  accepted" == shown.out.splitlines()[0]
    assert rev(repo, "--undo", run_id).code == 0
    again = rev(repo, "--reject", run_id, "--note", "The header was fine.")
    assert again.code == 0, again
    rows = [row for row in decided(repo) if row["id"] == run_id]
    assert [row["human_review"]["status"] for row in rows] == ["accepted", "pending", "rejected"]
    assert corrects(rows[2])["line"] == 2
    already = run_cli(["record", "--agent-root", str(repo.root), "--domain", "saas", "--workflow", "triage",
                       "--status", "accepted", "--input", "Why does import fail?", "--output", "A bad header."], env=ENV)
    assert already.out.startswith(f"already recorded: {run_id} is in {repo.approved}:3 (rejected by dana at {WHEN})")


def test_the_loop_offers_an_undone_candidate_again_and_keeps_its_labels(repo):
    assert rev(repo, "--accept", CLAUDE).code == 0
    assert rev(repo, "--relabel", CLAUDE, "--workflow", "add_tests").code == 0
    assert rev(repo, "--undo", CLAUDE).code == 0
    tally, out, desk = loop(repo, "r\nNever ran them.\nq\n")
    assert f"[1/3] {CLAUDE}  coding/add_tests" in out and tally.counts["rejected"] == 1
    last = decided(repo)[-1]
    assert (last["workflow"], last["human_review"]["status"]) == ("add_tests", "rejected")
    assert corrects(last) == {"action": "decision", "line": 3, "status": "pending", "reviewed_at": WHEN}
    assert desk.decided[CLAUDE].status == "rejected" and desk.decided[CLAUDE].line == 4


def test_recorded_runs_are_shown_and_corrected_before_any_harvest(tmp_path):
    root = tmp_path / ".agent"
    recorded = run_cli(["record", "--agent-root", str(root), "--domain", "ops", "--workflow", "rollback", "--status",
                        "accepted", "--input", "Roll back?", "--output", "Run ./deploy rollback.", "--json"], env=ENV)
    run_id = recorded.json()["id"]
    assert run_cli(["review", "--agent-root", str(root), "--show", run_id], env=ENV).code == 0
    assert run_cli(["review", "--agent-root", str(root), "--relabel", run_id, "--workflow", "deploys"], env=ENV).code == 0
    missing = run_cli(["review", "--agent-root", str(root), "--show", "cand_1"], env=ENV)
    assert missing.code == 2 and "no candidate with id 'cand_1' (there is no candidates file: run harvest first" in missing.err
    assert not (root / "flywheel" / "candidates.jsonl").exists()


# --- a run with a replaced secret trains only once a person accepts it --------------------


def _with_a_replaced_secret(repo, candidate_id):
    """The candidate as harvest writes one whose text held a token: a placeholder, and the findings by class."""
    lines = read_jsonl(repo.candidates)
    for line in lines:
        if line["id"] == candidate_id:
            line["input_redacted"] += " The deploy token is [GITHUB_TOKEN_1]."
            line["messages"][0 if line["messages"][0]["role"] == "user" else 1]["content"] += " [GITHUB_TOKEN_1]"
            line.update({"redaction_status": "auto_redacted", "redaction_findings": {"secret": 1},
                         "redaction": {"findings": 1, "by_rule": {"github-pat": 1}}})
    repo.candidates.write_text("".join(json.dumps(line) + "\n" for line in lines))


def _trainable(repo):
    out = repo.tmp / "out"
    result = run_cli(["export", "--agent-root", str(repo.root), "--out", str(out)], env=ENV)
    assert result.code == 0, result
    return {t["trainable"]: t["not_trainable_because"] for t in read_jsonl(out / "trace-records.jsonl")}


def test_a_replaced_secret_trains_only_after_a_person_accepts_it_and_that_is_recorded(repo):
    _with_a_replaced_secret(repo, CLAUDE)
    shown = rev(repo, "--show", CLAUDE)
    assert "review --accept ID --accept-secrets" in shown.out
    assert rev(repo, "--accept", CLAUDE).code == 0
    assert _trainable(repo) == {False: ["auto_redacted"]}
    assert rev(repo, "--undo", CLAUDE).code == 0
    accepted = rev(repo, "--accept", CLAUDE, "--accept-secrets")
    assert accepted.code == 0, accepted
    latest = decided(repo)[-1]
    assert latest["human_review"]["redaction_accepted"] == {"secret": 1, "by_rule": {"github-pat": 1}}
    assert _trainable(repo) == {True: []}


def test_accept_secrets_needs_a_secret_and_an_accepting_decision(repo):
    refused = rev(repo, "--accept", CODEX, "--accept-secrets")
    assert refused.code == 2 and "has no replaced secret to accept" in refused.err
    rejected = rev(repo, "--reject", CODEX, "--note", "wrong", "--accept-secrets")
    assert rejected.code == 2 and "--accept-secrets goes with --accept or --edit" in rejected.err
    assert decided(repo) == []
