"""The record command: building one judged run from flags, files, stdin or a trajectory; redaction; refusals."""
import json

import pytest

from conftest import read_jsonl, run_cli
from secret_factory import planted_texts

from data_flywheel import project

ENV = {"NO_COLOR": "1", "SOURCE_DATE_EPOCH": "1777104000", "DATA_FLYWHEEL_REVIEWER": "dana"}
WHEN = "2026-04-25T08:00:00Z"
TRAJECTORY = [
    {"role": "system", "content": "You are a careful coding agent."},
    {"role": "user", "content": "Add a test for parse_date."},
    {"role": "assistant", "content": "", "tool_calls": [
        {"id": "call_1", "type": "function", "function": {"name": "write_file", "arguments": "{\"path\": \"tests/test_dates.py\"}"}}
    ]},
    {"role": "tool", "tool_call_id": "call_1", "content": "written"},
    {"role": "assistant", "content": "Added tests/test_dates.py."},
]
TOOLS = [{"type": "function", "function": {"name": "write_file", "parameters": {"type": "object"}}}]


def record(tmp_path, *args, stdin=None, env=None):
    runs = tmp_path / "runs.jsonl"
    result = run_cli(["record", "--approved-runs", str(runs), "--agent-root", str(tmp_path / ".agent"), *args],
                     stdin=stdin, env=ENV if env is None else env)
    return result, (read_jsonl(runs) if runs.exists() else [])


BASIC = ["--domain", "saas", "--workflow", "bug_triage", "--status", "accepted",
         "--input", "Import fails after adding a custom field.", "--output", "Regression in the import validator."]


def test_record_writes_one_valid_approved_run_with_provenance(tmp_path):
    result, rows = record(tmp_path, *BASIC, "--instruction", "Triage the ticket.", "--note", "Right call.",
                          "--harness", "claude-code", "--model", "claude-sonnet-4-5", "--project", "shop")
    assert result.code == 0, result
    [run] = rows
    assert run["id"].startswith("rec_") and len(run["id"]) == 28
    assert run["created_at"] == WHEN
    assert (run["project"], run["domain"], run["workflow"]) == ("shop", "saas", "bug_triage")
    assert (run["harness"], run["model_used"], run["instruction"]) == ("claude-code", "claude-sonnet-4-5", "Triage the ticket.")
    assert run["input_redacted"] == "Import fails after adding a custom field."
    assert run["output_approved"] == "Regression in the import validator."
    assert run["human_review"] == {"status": "accepted", "reviewer": "dana", "reviewed_at": WHEN, "review_notes": "Right call."}
    assert (run["redaction_status"], run["pii_level"], run["raw_input_stored"]) == ("passed", "unknown", False)
    assert "messages" not in run and "output_original" not in run
    assert result.out.splitlines() == [
        f"recorded {run['id']} (accepted, saas/bug_triage) by dana",
        f"written to {tmp_path / 'runs.jsonl'}",
        "next: run status to see readiness, or export to rebuild the datasets",
    ]
    assert run_cli(["validate", "--kind", "approved-run", str(tmp_path / "runs.jsonl")]).code == 0


def test_the_default_store_is_under_the_agent_root_and_labels_become_slugs(tmp_path):
    result = run_cli(["record", "--agent-root", str(tmp_path / ".agent"), "--domain", "Real Estate", "--workflow",
                      "Lead Intake", "--status", "rejected", "--input", "a", "--output", "b"], env=ENV)
    assert result.code == 0, result
    [run] = read_jsonl(tmp_path / ".agent" / "flywheel" / "approved-runs.jsonl")
    assert (run["domain"], run["workflow"], run["human_review"]["status"]) == ("real_estate", "lead_intake", "rejected")


def test_json_report(tmp_path):
    result, [run] = record(tmp_path, *BASIC, "--json")
    assert result.code == 0
    assert result.json() == {
        "id": run["id"], "status": "accepted", "domain": "saas", "workflow": "bug_triage", "reviewer": "dana",
        "created_at": WHEN, "redaction_status": "passed", "redaction": {"values": 0, "rules": []},
        "already_recorded": False, "approved_runs": str(tmp_path / "runs.jsonl"),
        "next": "run status to see readiness, or export to rebuild the datasets",
    }


def test_the_same_content_twice_is_already_recorded_whenever_and_by_whoever(tmp_path):
    first, _ = record(tmp_path, *BASIC)
    later = {**ENV, "SOURCE_DATE_EPOCH": "1777190400"}  # a day later, someone else
    second, rows = record(tmp_path, *BASIC, "--reviewer", "lee", env=later)
    assert first.code == second.code == 0
    assert len(rows) == 1
    assert second.out == (f"already recorded: {rows[0]['id']} is in {tmp_path / 'runs.jsonl'}:1 "
                          f"(accepted by dana at {WHEN}); nothing written\n")
    as_json, rows = record(tmp_path, *BASIC, "--json", env=later)
    assert as_json.json()["already_recorded"] is True and len(rows) == 1
    assert as_json.json()["recorded"] == {"status": "accepted", "reviewer": "dana", "reviewed_at": WHEN, "line": 1}
    # Judged differently this time: still the same run; the way to change the judgement is named.
    rejected, rows = record(tmp_path, *[arg if arg != "accepted" else "rejected" for arg in BASIC], env=later)
    assert rejected.code == 0 and len(rows) == 1
    assert rejected.out.splitlines()[1] == (f"next: nothing written; to change how it was judged: review --undo {rows[0]['id']}, "
                                            "then record again or review --accept/--edit/--reject it")
    other, rows = record(tmp_path, *BASIC[:-1], "Regression in the import validator, fixed.")
    assert other.code == 0 and len(rows) == 2 and rows[0]["id"] != rows[1]["id"]


def test_input_and_output_from_files_and_stdin(tmp_path):
    (tmp_path / "task.md").write_text("Explain the flaky test.\n")
    result, [run] = record(tmp_path, "--domain", "coding", "--workflow", "flaky", "--status", "accepted",
                           "--input-file", str(tmp_path / "task.md"), "--output-file", "-", stdin=b"A race on the port.\n")
    assert result.code == 0, result
    assert (run["input_redacted"], run["output_approved"]) == ("Explain the flaky test.", "A race on the port.")


def test_only_one_file_can_read_stdin(tmp_path):
    result, rows = record(tmp_path, "--domain", "c", "--workflow", "w", "--status", "accepted",
                          "--input-file", "-", "--output-file", "-")
    assert result.code == 2 and "only one of --input-file, --output-file can read stdin" in result.err and rows == []


def test_a_trajectory_gives_input_output_messages_and_tools(tmp_path):
    (tmp_path / "chat.json").write_text(json.dumps({"messages": TRAJECTORY, "tools": TOOLS}))
    result, [run] = record(tmp_path, "--domain", "coding", "--workflow", "add_tests", "--status", "accepted",
                           "--messages-file", str(tmp_path / "chat.json"))
    assert result.code == 0, result
    assert run["input_redacted"] == "Add a test for parse_date."
    assert run["output_approved"] == "Added tests/test_dates.py."
    assert run["messages"] == TRAJECTORY and run["tools"] == TOOLS


def test_a_trajectory_as_a_list_on_stdin_with_content_parts(tmp_path):
    messages = [{"role": "user", "content": [{"type": "text", "text": "Rename foo."}, {"type": "text", "text": "Keep tests."}]},
                {"role": "assistant", "content": "Renamed foo to bar."}]
    result, [run] = record(tmp_path, "--domain", "coding", "--workflow", "rename", "--status", "accepted",
                           "--messages-file", "-", stdin=json.dumps(messages).encode())
    assert result.code == 0, result
    assert run["input_redacted"] == "Rename foo.\nKeep tests." and "tools" not in run


def test_an_edited_trajectory_ends_in_the_users_answer_and_keeps_the_draft(tmp_path):
    (tmp_path / "chat.json").write_text(json.dumps(TRAJECTORY))
    result, [run] = record(tmp_path, "--domain", "coding", "--workflow", "add_tests", "--status", "edited",
                           "--messages-file", str(tmp_path / "chat.json"), "--output", "Added tests/test_dates.py with 3 cases.")
    assert result.code == 0, result
    assert run["output_approved"] == "Added tests/test_dates.py with 3 cases."
    assert run["output_original"] == "Added tests/test_dates.py."
    assert run["messages"][:-1] == TRAJECTORY[:-1]
    assert run["messages"][-1] == {"role": "assistant", "content": "Added tests/test_dates.py with 3 cases."}


def test_original_file_keeps_the_draft(tmp_path):
    result, [run] = record(tmp_path, "--domain", "ops", "--workflow", "rollback", "--status", "edited", "--input", "Roll back?",
                           "--output", "Run ./deploy rollback.", "--original-file", "-", stdin=b"Restart the pods.\n")
    assert result.code == 0, result
    assert run["output_original"] == "Restart the pods." and run["human_review"]["status"] == "edited"


@pytest.mark.parametrize("argv, message", [
    (["--status", "pending"], "--status pending is not a judgement (record is for results the user accepted, edited or rejected"),
    (["--status", "great"], "--status 'great' is not one of accepted, edited, rejected"),
    (["--status", "accepted", "--original-file", "x.md"], "--original-file goes with --status edited"),
    (["--status", "accepted", "--domain", " "], "--domain is empty"),
    (["--status", "accepted", "--approved-runs", "-"], "record appends to a real file, not stdout"),
])
def test_usage_mistakes_are_refused(tmp_path, argv, message):
    base = ["--domain", "saas", "--workflow", "w", "--input", "in", "--output", "out"]
    result, rows = record(tmp_path, *base, *argv)
    assert result.code == 2 and message in result.err, result
    assert rows == [] and "Traceback" not in result.err


def test_required_flags(tmp_path):
    result, _ = record(tmp_path, "--workflow", "w", "--status", "accepted")
    assert result.code == 2 and "the following arguments are required: --domain" in result.err


@pytest.mark.parametrize("argv, message", [
    (["--input", "  ", "--output", "b"], "the input is empty"),
    (["--input", "a", "--output", ""], "the output is empty"),
    (["--output", "b"], "the input is empty (pass --input TEXT or --input-file F, or a --messages-file with a user message)"),
])
def test_empty_input_or_output_is_refused(tmp_path, argv, message):
    result, rows = record(tmp_path, "--domain", "d", "--workflow", "w", "--status", "accepted", *argv)
    assert result.code == 2 and message in result.err and rows == []


def test_an_edit_identical_to_its_draft_is_refused(tmp_path):
    result, rows = record(tmp_path, "--domain", "d", "--workflow", "w", "--status", "edited", "--input", "a",
                          "--output", "same", "--original-file", "-", stdin=b"same\n")
    assert result.code == 2 and "the draft (--original-file) is the same as the output" in result.err and rows == []


@pytest.mark.parametrize("document, message", [
    ("{\"messages\": [", "not valid JSON: Expecting value at column 15"),
    ("[1, NaN]", "NaN is not valid JSON"),
    ("42", "no chat messages found"),
    ("{\"messages\": []}", "no chat messages found"),
    ("{\"messages\": [{\"role\": \"user\", \"content\": \"a\"}], \"tools\": {}}", "\"tools\" is not a list"),
])
def test_an_unreadable_trajectory_is_refused(tmp_path, document, message):
    (tmp_path / "chat.json").write_text(document)
    result, rows = record(tmp_path, "--domain", "d", "--workflow", "w", "--status", "accepted",
                          "--messages-file", str(tmp_path / "chat.json"))
    assert result.code == 2 and message in result.err, result
    assert f"{tmp_path / 'chat.json'}" in result.err and rows == []


def test_a_bad_json_line_is_named(tmp_path):
    (tmp_path / "chat.json").write_text("[\n{\"role\": \"user\",\n\"content\": }\n]")
    result, _ = record(tmp_path, "--domain", "d", "--workflow", "w", "--status", "accepted",
                       "--messages-file", str(tmp_path / "chat.json"))
    assert result.code == 2 and f"{tmp_path / 'chat.json'}:3: not valid JSON" in result.err


@pytest.mark.parametrize("messages, path", [
    ([{"role": "robot", "content": "hi"}, {"role": "assistant", "content": "x"}], "$.messages[0].role"),
    ([{"role": "user", "content": "a"}, {"role": "assistant", "content": None,
      "tool_calls": [{"function": {"name": "f"}}]}, {"role": "assistant", "content": "b"}], "$.messages[1].tool_calls[0]"),
    ([{"role": "user", "content": "a"}, {"role": "tool", "content": "r"}, {"role": "assistant", "content": "b"}], "$.messages[1]"),
    ([{"role": "user", "content": 5}, {"role": "assistant", "content": "b"}], "$.messages[0].content"),
])
def test_an_invalid_record_is_refused_with_the_reason_and_json_path(tmp_path, messages, path):
    (tmp_path / "chat.json").write_text(json.dumps(messages))
    result, rows = record(tmp_path, "--domain", "d", "--workflow", "w", "--status", "accepted", "--input", "task",
                          "--messages-file", str(tmp_path / "chat.json"))
    assert result.code == 1, result
    assert result.err.startswith("error: the record is not a valid approved run: " + path)
    assert "nothing was written" in result.err
    assert rows == [] and not (tmp_path / "runs.jsonl").exists()


def test_secrets_in_every_text_are_redacted_before_writing_and_never_printed(tmp_path):
    planted = {family: (value, text) for family, value, text in planted_texts(seed=21)}
    pat, pat_text = planted["github-pat"]
    key, key_text = planted["openai-api-key"]
    email, email_text = planted["email-address"]
    phone, phone_text = planted["phone-number-international"]
    (tmp_path / "chat.json").write_text(json.dumps([
        {"role": "user", "content": f"Deploy with {pat_text}"},
        {"role": "assistant", "content": "", "tool_calls": [
            {"id": "c1", "type": "function", "function": {"name": "bash", "arguments": json.dumps({"cmd": key_text})}}]},
        {"role": "tool", "tool_call_id": "c1", "content": "ok"},
        {"role": "assistant", "content": f"Deployed; told {email_text}."},
    ]))
    args = ["--domain", "ops", "--workflow", "deploy", "--status", "accepted", "--messages-file", str(tmp_path / "chat.json"),
            "--note", f"call {phone_text}", "--instruction", f"Use {pat_text}"]
    text, rows = record(tmp_path, *args)
    as_json, _ = record(tmp_path, *args, "--json", env={**ENV, "SOURCE_DATE_EPOCH": "1777104999"})
    assert text.code == as_json.code == 0, (text, as_json)
    written = (tmp_path / "runs.jsonl").read_text()
    for value in (pat, key, email, phone):
        for where in (written, text.out, text.err, as_json.out, as_json.err):
            assert value not in where
    # Each replacement counts: the token in the instruction, the input and the first message; the e-mail twice.
    rules = ["email-address", "github-pat", "openai-api-key", "phone-number-international"]
    assert f"redacted 7 values ({', '.join(rules)}) before writing; the run is marked auto_redacted" in text.out
    assert as_json.json()["redaction"] == {"values": 7, "rules": rules}
    assert as_json.json()["redaction_status"] == "auto_redacted"
    [run] = rows
    assert run["redaction_status"] == "auto_redacted"
    assert run["instruction"] == "Use " + run["input_redacted"][len("Deploy with "):]
    assert "[GITHUB_TOKEN_1]" in run["input_redacted"] and "[EMAIL_1]" in run["output_approved"]
    assert "[PHONE_1]" in run["human_review"]["review_notes"]


def test_a_label_the_scanner_flags_is_refused_without_printing_it(tmp_path):
    pat = next(value for family, value, _t in planted_texts(seed=8) if family == "github-pat")
    result, rows = record(tmp_path, "--domain", "ops", "--workflow", pat, "--status", "accepted", "--input", "a", "--output", "b")
    assert result.code == 2 and "--workflow holds what the scanner redacts (github-pat)" in result.err
    assert pat not in result.err and rows == []


def test_a_recorded_secret_run_is_exported_but_not_trained_on(tmp_path):
    pat_text = next(text for family, _v, text in planted_texts(seed=4) if family == "github-pat")
    assert record(tmp_path, *BASIC)[0].code == 0
    assert record(tmp_path, "--domain", "saas", "--workflow", "bug_triage", "--status", "accepted",
                  "--input", f"Why does {pat_text} fail?", "--output", "It expired.")[0].code == 0
    result = run_cli(["export", "--approved-runs", str(tmp_path / "runs.jsonl"), "--out", str(tmp_path / "out"),
                      "--project", "p"], env=ENV)
    assert result.code == 0, result
    metrics = json.loads((tmp_path / "out" / "flywheel-metrics.json").read_text())
    assert (metrics["total_traces"], metrics["trainable_traces"]) == (2, 1)


def test_a_recorded_run_says_what_it_replaced_by_class_and_personal_data_trains(tmp_path):
    pat_text = next(text for family, _v, text in planted_texts(seed=4) if family == "github-pat")
    email = "dana.k" + "@" + "example-shop.com"
    assert record(tmp_path, "--domain", "saas", "--workflow", "bug_triage", "--status", "accepted",
                  "--input", f"Mail {email} about the import.", "--output", "Sent.")[0].code == 0
    assert record(tmp_path, "--domain", "saas", "--workflow", "bug_triage", "--status", "accepted",
                  "--input", f"Why does {pat_text} fail?", "--output", "It expired.")[0].code == 0
    rows = read_jsonl(tmp_path / "runs.jsonl")
    assert [row["redaction_findings"] for row in rows] == [{"personal": 1}, {"secret": 1}]
    assert email not in json.dumps(rows)
    result = run_cli(["export", "--approved-runs", str(tmp_path / "runs.jsonl"), "--out", str(tmp_path / "out"),
                      "--project", "p"], env=ENV)
    assert result.code == 0, result
    metrics = json.loads((tmp_path / "out" / "flywheel-metrics.json").read_text())
    assert (metrics["total_traces"], metrics["trainable_traces"]) == (2, 1)
    assert metrics["redaction"]["runs_by_class"] == {"personal": 1, "secret": 1}


def test_a_torn_last_line_in_the_store_does_not_swallow_the_record(tmp_path):
    (tmp_path / "runs.jsonl").write_text('{"id": "torn", "crea')
    result = run_cli(["record", "--approved-runs", str(tmp_path / "runs.jsonl"), *BASIC], env=ENV)
    assert result.code == 0, result
    lines = (tmp_path / "runs.jsonl").read_text().splitlines()
    assert lines[0] == '{"id": "torn", "crea' and json.loads(lines[1])["id"].startswith("rec_")


def test_without_a_reviewer_anywhere_the_account_name_is_used(tmp_path):
    """USER is often unset in containers: the --help example (no --reviewer) must still work as written."""
    result, [run] = record(tmp_path, *BASIC, env={"SOURCE_DATE_EPOCH": "1777104000"})
    assert result.code == 0, result
    assert run["human_review"]["reviewer"] == project.account_name() != ""
    result, rows = record(tmp_path, *BASIC[:-1], "Another answer.", "--reviewer", "lee", env={"SOURCE_DATE_EPOCH": "1777104000"})
    assert rows[-1]["human_review"]["reviewer"] == "lee"


def test_the_first_help_example_works_as_written(tmp_path, monkeypatch):
    import shlex

    from data_flywheel.commands import record as record_command

    line = next(line.strip() for line in record_command.__doc__.splitlines() if "record --domain" in line)
    argv = shlex.split(line)[2:]  # after "python3 .agent/tools/data_flywheel_export.py"
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    result = run_cli(argv, env={"SOURCE_DATE_EPOCH": "1777104000"})  # no USER, no reviewer, no git on the PATH
    assert result.code == 0, result
    assert len(read_jsonl(tmp_path / ".agent" / "flywheel" / "approved-runs.jsonl")) == 1
