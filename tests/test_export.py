"""The export command end to end: agentic-stack compatibility, artifacts, bad input, atomicity, reproducibility."""
import json
import os
import shutil

import pytest

from conftest import FIXTURES, make_run, read_jsonl, run_cli, tree_bytes, write_runs
from data_flywheel.records import normalize

AGENTIC_RUNS = os.path.join(FIXTURES, "agentic-stack", "approved-runs.redacted.jsonl")
EPOCH = {"NO_COLOR": "1", "SOURCE_DATE_EPOCH": "1777104000"}


def export(tmp_path, runs, *extra, env=None):
    path = write_runs(tmp_path / "runs.jsonl", runs) if not isinstance(runs, str) else runs
    out = tmp_path / "out"
    result = run_cli(["export", "--approved-runs", path, "--out", str(out), *extra], env=env or EPOCH)
    return result, out


# --- agentic-stack compatibility ------------------------------------------------


def test_plain_invocation_exports_with_agentic_stack_defaults(tmp_path, monkeypatch):
    agent = tmp_path / ".agent" / "flywheel"
    agent.mkdir(parents=True)
    shutil.copy(AGENTIC_RUNS, agent / "approved-runs.jsonl")
    monkeypatch.chdir(tmp_path)
    result = run_cli(["--date", "2026-04-25"])
    assert result.code == 0, result
    out = tmp_path / ".agent" / "flywheel" / "exports" / "2026-04-25"
    assert result.out.splitlines()[:2] == [f"data flywheel export: {os.path.join('.agent', 'flywheel', 'exports', '2026-04-25')}",
                                           f"metrics={os.path.join('.agent', 'flywheel', 'exports', '2026-04-25', 'flywheel-metrics.json')}"]
    for name in ("trace-records.jsonl", "training-examples.jsonl", "eval-cases.jsonl", "context-cards.json",
                 "flywheel-metrics.json", "README.md", "manifest.json", "redaction-report.json",
                 "context-cards/real_estate/lead_intake.md", "context-cards/real_estate/lead_intake.json",
                 "context-cards/saas/bug_triage.md", "context-cards/saas/bug_triage.json"):
        assert (out / name).is_file(), name


def test_same_flags_as_agentic_stack(tmp_path, monkeypatch):
    root = tmp_path / "custom-root"
    (root / "flywheel").mkdir(parents=True)
    shutil.copy(AGENTIC_RUNS, root / "flywheel" / "approved-runs.jsonl")
    monkeypatch.chdir(tmp_path)
    result = run_cli(["--agent-root", str(root), "--date", "2026-01-02", "--project", "proj"], env=EPOCH)
    assert result.code == 0, result
    traces = read_jsonl(root / "flywheel" / "exports" / "2026-01-02" / "trace-records.jsonl")
    assert len(traces) == 2


def test_agentic_stack_behaviours(tmp_path):
    """The facts listed in shared/compat/agentic-stack-v0.13.0/README.md, one by one."""
    def distinct(index, **fields):
        # Texts that share no words, so duplicate collapsing keeps every run apart.
        words = " ".join(f"t{index}w{k}" for k in range(10))
        return make_run(index, input_redacted=f"Ticket {words}", output_approved=f"Answer {words[::-1]}", **fields)

    runs = [
        distinct(1, id="raw-run-123", domain="Real Estate!", workflow="Lead  Intake"),
        distinct(2, id="rejected-run", human_review={"status": "rejected"}),
        distinct(3, id="edited-run", human_review={"status": "edited"}),
        distinct(4, id="claim-needs-review", redaction_status="needs_review"),
        distinct(5, id="opted-out", trainable=False),
        distinct(6, id="no-domain", domain="", workflow=""),
        "{broken",
        "[1, 2, 3]",
    ]
    # Eval cases are held out: with everything in the test split every eligible run is one.
    result, out = export(tmp_path, runs, "--split-ratios", "0,0,1")
    assert result.code == 0, result
    traces = read_jsonl(out / "trace-records.jsonl")
    training = read_jsonl(out / "training-examples.jsonl")
    evals = read_jsonl(out / "eval-cases.jsonl")
    metrics = json.loads((out / "flywheel-metrics.json").read_text())

    # Every input run becomes one trace record, rejected ones too.
    assert len(traces) == 6
    # Trainable: approved, redaction passed, not opted out.
    assert len(training) == 3
    # Eval case: approved and redaction passed (opting out of training does not remove the eval case).
    assert len(evals) == 4
    # Slugs: lowercase, non-alphanumerics collapsed, default general.
    assert traces[0]["domain"] == "real_estate" and traces[0]["workflow"] == "lead_intake"
    assert traces[5]["domain"] == "general" and traces[5]["workflow"] == "general"
    # Raw ids never appear; trace ids and hashes have agentic-stack's shape.
    everything = "".join(p.read_text() for p in out.rglob("*") if p.is_file())
    for raw in ("raw-run-123", "rejected-run", "edited-run", "claim-needs-review", "opted-out"):
        assert raw not in everything
    import hashlib

    digest = hashlib.sha256(b"raw-run-123").hexdigest()
    assert traces[0]["source_run_id_hash"] == "sha256:" + digest
    assert traces[0]["id"] == "trace_" + digest[:16]
    # Metrics keys and meanings.
    assert metrics["privacy_model"] == "local_only_redacted_by_default"
    assert metrics["total_traces"] == 6
    assert metrics["accepted_traces"] == 5  # accepted + edited
    assert metrics["trainable_traces"] == 3
    assert metrics["input_quality"]["malformed_lines"] == 2
    assert metrics["input_quality"]["missing"] is False
    workflow = metrics["workflows"]["saas/bug_triage"]
    for key in ("traces", "accepted", "edited", "rejected", "trainable", "eval_cases", "acceptance_rate", "slm_candidate", "reason"):
        assert key in workflow
    assert workflow["rejected"] == 1 and workflow["edited"] == 1
    assert traces[2]["not_trainable_because"] == []
    assert traces[1]["not_trainable_because"] == ["not_approved"]
    assert traces[3]["not_trainable_because"] == ["redaction_not_passed"]
    assert traces[4]["not_trainable_because"] == ["opted_out"]


def test_a_missing_default_input_is_success_with_zero_traces(tmp_path):
    """agentic-stack's behaviour, kept for the default file only: a new project has no approved runs yet."""
    agent_root = tmp_path / ".agent"
    result = run_cli(["export", "--agent-root", str(agent_root), "--out", str(tmp_path / "out")], env=EPOCH)
    out = tmp_path / "out"
    assert result.code == 0, result
    metrics = json.loads((out / "flywheel-metrics.json").read_text())
    assert metrics["input_quality"]["missing"] is True
    assert metrics["total_traces"] == 0
    assert (out / "trace-records.jsonl").read_text() == ""
    assert "does not exist" in result.out
    assert result.out.rstrip().splitlines()[-1].startswith("next: put approved runs in")


def test_a_named_input_that_does_not_exist_is_an_error_and_replaces_nothing(tmp_path):
    result, out = export(tmp_path, [make_run(1)])
    assert result.code == 0, result
    before = tree_bytes(out)
    for command in (["export", "--out", str(out)], ["status"]):
        typo = run_cli([*command, "--approved-runs", str(tmp_path / "aproved-runs.jsonl")], env=EPOCH)
        assert typo.code == 2, typo
        assert typo.err == (f"error: {tmp_path / 'aproved-runs.jsonl'}: no such file (check the --approved-runs path: "
                            "only the default file may be missing; nothing was changed)\n")
    assert tree_bytes(out) == before


def correction(run, line, action="undo", **changes):
    fixed = dict(run, **changes)
    fixed["human_review"] = {**fixed["human_review"], "corrects": {"action": action, "line": line, "status": "accepted"}}
    return fixed


@pytest.mark.parametrize("from_stdin", [False, True])
def test_the_latest_correction_of_a_run_is_the_one_exported(tmp_path, from_stdin):
    first, second = make_run(1), make_run(2)
    undone = correction(first, 1, human_review={"status": "pending", "reviewer": "dana"})
    rejected = correction(first, 3, action="decision", human_review={"status": "rejected", "review_notes": "Wrong."})
    relabelled = correction(second, 2, action="relabel", workflow="import_triage")
    runs = [first, second, undone, rejected, relabelled, make_run(2)]  # the last: a plain repeat, still a duplicate
    path = write_runs(tmp_path / "runs.jsonl", runs)
    out = tmp_path / "out"
    if from_stdin:
        result = run_cli(["export", "--approved-runs", "-", "--out", str(out)], stdin=open(path, "rb").read(), env=EPOCH)
    else:
        result, out = export(tmp_path, path)
    assert result.code == 0, result
    traces = read_jsonl(out / "trace-records.jsonl")
    assert [(trace["workflow"], trace["review_status"]) for trace in traces] == [("bug_triage", "rejected"),
                                                                                  ("import_triage", "accepted")]
    assert traces[0]["human_review"]["corrects"] == {"action": "decision", "line": 3, "status": "accepted"}
    quality = json.loads((out / "flywheel-metrics.json").read_text())["input_quality"]
    assert (quality["superseded_lines"], quality["duplicate_ids"], quality["records_read"]) == (3, 1, 2)
    assert "line 6" not in result.err and "duplicate run id (first seen on line 5" in result.err


def test_an_invalid_correction_replaces_nothing(tmp_path):
    first = make_run(1)
    broken = correction(first, 1, created_at="yesterday")
    result, out = export(tmp_path, [first, broken])
    assert result.code == 0, result
    [trace] = read_jsonl(out / "trace-records.jsonl")
    assert trace["review_status"] == "accepted"
    quality = json.loads((out / "flywheel-metrics.json").read_text())["input_quality"]
    assert (quality["superseded_lines"], quality["schema_violations"]) == (0, 1)


def test_output_validates_under_agentic_stack_schemas_with_our_additions_allowed(tmp_path):
    """Every field agentic-stack defines is present with its type; extra fields are ours."""
    from data_flywheel.records.checker import Checker

    result, out = export(tmp_path, AGENTIC_RUNS, "--split-ratios", "0,0,1")
    assert result.code == 0, result

    def relaxed(name):
        schema = json.loads(open(os.path.join(FIXTURES, "agentic-stack", "schemas", name)).read())
        schema["additionalProperties"] = True
        return Checker(schema, format_assertion=True)

    pairs = [
        ("trace-record.schema.json", read_jsonl(out / "trace-records.jsonl")),
        ("training-example.schema.json", read_jsonl(out / "training-examples.jsonl")),
        ("eval-case.schema.json", read_jsonl(out / "eval-cases.jsonl")),
        ("context-card.schema.json", json.loads((out / "context-cards.json").read_text())),
        ("flywheel-metrics.schema.json", [json.loads((out / "flywheel-metrics.json").read_text())]),
    ]
    for name, records in pairs:
        checker = relaxed(name)
        assert records, name
        for record in records:
            assert list(checker.iter_issues(record)) == [], (name, record)


# --- artifacts -------------------------------------------------------------------


def test_every_written_record_is_valid_under_its_own_schema(tmp_path, cli):
    from conftest import EXAMPLE_RUNS

    varied = [
        make_run(1),
        make_run(2, human_review={"status": "edited", "reviewer": "ana", "reviewed_at": "2026-04-25T11:00:00+02:00"},
                 output_original="draft"),
        make_run(3, human_review={"status": "rejected", "review_notes": ["too long", "wrong tone"]}),
        make_run(4, stable_rules="A single rule as a string.", eval_tags="tag", context_tokens_before=10, context_tokens_after=2.5),
        make_run(5, domain="日本語", workflow="レビュー"),
        make_run(6, messages=[{"role": "user", "content": "hi"},
                              {"role": "assistant", "content": None, "tool_calls": [
                                  {"id": "c1", "type": "function", "function": {"name": "ls", "arguments": {"path": "."}}}]},
                              {"role": "tool", "tool_call_id": "c1", "content": "a.py"},
                              {"role": "assistant", "content": [{"type": "text", "text": "done"}]}]),
        make_run(7, input_redacted="", output_approved=""),
    ]
    for runs in (varied, EXAMPLE_RUNS):
        result, out = export(tmp_path, runs)
        assert result.code == 0, result
        checks = {
            "trace-records.jsonl": "trace-record",
            "training-examples.jsonl": "training-example",
            "eval-cases.jsonl": "eval-case",
            "context-cards.json": "context-card",
            "flywheel-metrics.json": "flywheel-metrics",
            "manifest.json": "manifest",
            "redaction-report.json": "redaction-report",
        }
        for path in (out / "context-cards").rglob("*.json"):
            checks[str(path.relative_to(out))] = "context-card"
        for name, kind in checks.items():
            checked = cli(["validate", "--kind", kind, str(out / name)])
            assert checked.code == 0, (name, checked)
            assert " 0 invalid" in checked.out


def test_manifest_lists_every_file_with_its_hash_rows_kind_format_and_split(tmp_path):
    import hashlib

    result, out = export(tmp_path, [make_run(i) for i in range(1, 6)])
    assert result.code == 0, result
    manifest = json.loads((out / "manifest.json").read_text())
    listed = {entry["path"]: entry for entry in manifest["files"]}
    on_disk = {str(p.relative_to(out)).replace(os.sep, "/") for p in out.rglob("*") if p.is_file()}
    assert set(listed) == on_disk - {"manifest.json"}
    for path, entry in listed.items():
        data = (out / path).read_bytes()
        assert entry["sha256"] == "sha256:" + hashlib.sha256(data).hexdigest()
        assert entry["bytes"] == len(data)
        if path.endswith(".jsonl"):
            assert entry["rows"] == len(data.splitlines())
    assert listed["training-examples.jsonl"]["format"] == "alpaca"
    assert listed["trace-records.jsonl"]["split"] is None
    assert manifest["input"]["sha256"] == "sha256:" + hashlib.sha256((tmp_path / "runs.jsonl").read_bytes()).hexdigest()
    assert manifest["tool_version"]
    assert manifest["schemas"]["trace-record"].startswith("urn:data-flywheel:schema:trace-record:")


def test_context_card_cites_evidence_and_ranks_by_support(tmp_path):
    runs = [
        make_run(1, stable_rules=["Rule A", "Rule B"], failure_modes=["guessing"]),
        make_run(2, stable_rules=["Rule B"], failure_modes=["guessing", "too_long"]),
        make_run(3, stable_rules=["Rule B", "Rule C"]),
        make_run(4, stable_rules=["Rule Z"], human_review={"status": "rejected", "review_notes": "Guessed."},
                 failure_modes=["guessing"]),
    ]
    result, out = export(tmp_path, runs)
    assert result.code == 0, result
    card = json.loads((out / "context-cards" / "saas" / "bug_triage.json").read_text())
    traces = read_jsonl(out / "trace-records.jsonl")
    assert card["stable_rules"] == ["Rule B", "Rule A", "Rule C"]  # rejected run's rule is not a rule
    rules = card["evidence"]["stable_rules"]
    assert [(item["text"], item["support"]) for item in rules] == [("Rule B", 3), ("Rule A", 1), ("Rule C", 1)]
    assert rules[0]["trace_ids"] == [traces[0]["id"], traces[1]["id"], traces[2]["id"]]
    assert card["failure_modes"][0] == "guessing"
    assert card["evidence"]["failure_modes"][0]["support"] == 3
    assert card["source_trace_count"] == 4 and card["approved_trace_count"] == 3
    markdown = (out / "context-cards" / "saas" / "bug_triage.md").read_text()
    assert "1. Rule B _(3 of 3 approved runs)_" in markdown
    assert f"tokens as written" in markdown and card["card_tokens_approx"] > 0
    assert traces[0]["id"] in markdown


def test_card_defaults_are_marked_as_defaults(tmp_path):
    result, out = export(tmp_path, [make_run(1, stable_rules=None)])
    card = json.loads((out / "context-cards" / "saas" / "bug_triage.json").read_text())
    assert card["defaults_used"] == ["stable_rules", "human_approval_required_for"]
    assert "default, no run states it yet" in (out / "context-cards" / "saas" / "bug_triage.md").read_text()


# --- bad input ------------------------------------------------------------------


def test_bad_lines_are_reported_with_file_and_line_skipped_and_counted(tmp_path):
    runs = [
        make_run(1),
        "",
        "not json",
        '"a string"',
        make_run(2, created_at="yesterday"),
        make_run(3, pii_level=5),
        make_run(1),  # duplicate id
        '{"id": "n", "x": NaN}',
        make_run(4),
    ]
    result, out = export(tmp_path, runs)
    assert result.code == 0, result
    source = str(tmp_path / "runs.jsonl")
    assert f"warning: {source}:3: not valid JSON: Expecting value at column 1 (line skipped)" in result.err
    assert f"warning: {source}:4: expected a JSON object, got a string (line skipped)" in result.err
    assert f"warning: {source}:5: $.created_at: 'yesterday' is not a 'date-time' (line skipped)" in result.err
    assert f"warning: {source}:6: $.pii_level: 5 is not of type 'string' (line skipped)" in result.err
    assert f"warning: {source}:7: duplicate run id (first seen on line 1; exported once) (line skipped)" in result.err
    assert f"warning: {source}:8: NaN is not valid JSON (use null or a string instead) (line skipped)" in result.err
    quality = json.loads((out / "flywheel-metrics.json").read_text())["input_quality"]
    assert quality["by_reason"] == {"duplicate_id": 1, "invalid_json": 1, "non_standard_number": 1,
                                    "not_an_object": 1, "schema_violation": 2}
    assert quality["malformed_lines"] == 3 and quality["blank_lines"] == 1 and quality["records_read"] == 2
    assert len(read_jsonl(out / "trace-records.jsonl")) == 2
    assert "Traceback" not in result.err


def test_empty_and_blank_only_files_export_zero_traces(tmp_path):
    for content in ("", "\n\n  \n\r\n"):
        path = tmp_path / "runs.jsonl"
        path.write_text(content)
        result, out = export(tmp_path, str(path))
        assert result.code == 0, result
        metrics = json.loads((out / "flywheel-metrics.json").read_text())
        assert metrics["total_traces"] == 0 and metrics["input_quality"]["missing"] is False


def test_invalid_utf8_costs_one_line(tmp_path):
    path = tmp_path / "runs.jsonl"
    good = json.dumps(make_run(1)).encode()
    path.write_bytes(good + b"\n" + b'{"id": "\xff\xfe"}\n' + json.dumps(make_run(2)).encode() + b"\n")
    result, out = export(tmp_path, str(path))
    assert result.code == 0
    assert ":2: invalid UTF-8 at byte 9 of the line" in result.err
    assert len(read_jsonl(out / "trace-records.jsonl")) == 2


def test_deeply_nested_json_is_reported_not_a_traceback(tmp_path):
    deep = '{"id": "d", "x": ' + "[" * 10000 + "]" * 10000 + "}"
    result, out = export(tmp_path, [deep, make_run(1)])
    assert result.code == 0, result
    assert ":1: JSON nested deeper than 256 levels (flatten the record)" in result.err
    assert "Traceback" not in result.err


def test_a_line_longer_than_two_scanner_windows_is_exported(tmp_path):
    # Two windows and a part are what the windowing needs; bench/faults.py exports a 20 MB string.
    from data_flywheel.redaction.engine import CHUNK

    big = make_run(1, output_approved="ok " * ((2 * CHUNK + (1 << 20)) // 3))
    result, out = export(tmp_path, [big, make_run(2)])
    assert result.code == 0, result
    assert len(read_jsonl(out / "trace-records.jsonl")) == 2


@pytest.mark.parametrize("hostile", ["../../etc", "/etc/passwd", "..", "a/../../b", "C:\\Windows\\System32", "\x00"])
def test_domain_and_workflow_never_escape_the_export_folder(tmp_path, hostile):
    result, out = export(tmp_path, [make_run(1, domain=hostile, workflow=hostile)])
    assert result.code == 0, result
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert all(str(p).startswith(str(out)) or p.name == "runs.jsonl" for p in written)
    cards = list((out / "context-cards").iterdir())
    assert len(cards) == 1 and cards[0].name not in ("..", ".", "")


def test_date_must_be_a_date(tmp_path):
    result = run_cli(["export", "--date", "2026-13-45", "--approved-runs", str(tmp_path / "x"), "--out", str(tmp_path / "o")])
    assert result.code == 2
    assert "'2026-13-45' is not a date: use YYYY-MM-DD" in result.err
    assert not (tmp_path / "o").exists()


def test_output_path_that_is_a_file_is_a_clear_error(tmp_path):
    target = tmp_path / "out"
    target.write_text("not a folder")
    result, _ = export(tmp_path, [make_run(1)])
    assert result.code == 2
    assert result.err == f"error: {target}: the output path exists and is not a folder (pass --out a folder path, or move the file away)\n"
    assert target.read_text() == "not a folder"


def test_unwritable_parent_is_exit_2_and_the_previous_export_survives(tmp_path):
    result, out = export(tmp_path, [make_run(1)])
    assert result.code == 0
    before = tree_bytes(out)
    # A parent that is a file cannot hold the staging folder: same failure path as a read-only folder.
    blocker = tmp_path / "blocked"
    blocker.write_text("x")
    failed = run_cli(["export", "--approved-runs", str(tmp_path / "runs.jsonl"), "--out", str(blocker / "out")], env=EPOCH)
    assert failed.code == 2
    assert failed.err.startswith(f"error: {blocker / 'out'}: cannot write the export folder:")
    assert tree_bytes(out) == before


def test_a_failure_mid_export_leaves_the_previous_export_intact(tmp_path, monkeypatch):
    result, out = export(tmp_path, [make_run(1), make_run(2)])
    before = tree_bytes(out)
    from data_flywheel.export import cards

    def explode(stats):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(cards, "build_card", explode)
    failed, _ = export(tmp_path, [make_run(3)])
    assert failed.code == 2
    assert failed.err == (f"error: {out}: cannot write the export: No space left on device "
                          "(free some space (or raise the quota) and run again; the previous output is unchanged)\n")
    assert tree_bytes(out) == before
    assert [p.name for p in tmp_path.iterdir() if ".staging-" in p.name] == []


def test_reexport_replaces_the_previous_export_whole(tmp_path):
    export(tmp_path, [make_run(1, domain="old")])
    result, out = export(tmp_path, [make_run(2, domain="new")])
    assert result.code == 0
    assert [p.name for p in (out / "context-cards").iterdir()] == ["new"]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out.")] == []


# --- reproducibility, privacy, network -----------------------------------------------


def test_source_date_epoch_makes_exports_byte_identical(tmp_path):
    from conftest import EXAMPLE_RUNS

    first, out = export(tmp_path, EXAMPLE_RUNS)
    snapshot = tree_bytes(out)
    second, _ = export(tmp_path, EXAMPLE_RUNS)
    assert first.code == second.code == 0
    assert tree_bytes(out) == snapshot
    text = b"".join(snapshot.values()).decode()
    assert str(tmp_path) not in text  # no absolute path of this machine
    assert '"generated_at": "2026-04-25T08:00:00Z"' in text


def test_reviewer_names_are_hashed_in_exports(tmp_path):
    result, out = export(tmp_path, [make_run(1, human_review={"status": "accepted", "reviewer": "Ana Lima"})])
    trace = read_jsonl(out / "trace-records.jsonl")[0]
    assert "reviewer" not in trace["human_review"]
    assert trace["human_review"]["reviewer_hash"].startswith("sha256:")
    assert "Ana Lima" not in "".join(p.read_text() for p in out.rglob("*") if p.is_file())


def test_export_opens_no_socket(tmp_path):
    import sys

    from conftest import EXAMPLE_RUNS

    opened = []

    def audit(event, args):
        if event.startswith("socket.") or event in ("urllib.Request",):
            opened.append(event)

    sys.addaudithook(audit)  # audit hooks cannot be removed; this one only records
    result, out = export(tmp_path, EXAMPLE_RUNS)
    status = run_cli(["status", "--approved-runs", EXAMPLE_RUNS])
    assert result.code == 0 and status.code == 0
    assert opened == []


def test_json_summary_is_one_object(tmp_path):
    result, out = export(tmp_path, [make_run(1), "bad"], "--json")
    assert result.code == 0
    summary = result.json()
    assert summary["total_traces"] == 1
    assert summary["input_quality"]["skipped_lines"] == 1
    assert summary["out"] == str(out)
    assert {entry["path"] for entry in summary["files"]} >= {"trace-records.jsonl", "manifest.json"} - {"manifest.json"}
    assert "warning:" in result.err  # diagnostics stay on stderr


def test_stdin_input(tmp_path):
    data = (json.dumps(make_run(1)) + "\n").encode()
    result = run_cli(["export", "--approved-runs", "-", "--out", str(tmp_path / "o")], stdin=data, env=EPOCH)
    assert result.code == 0, result
    assert len(read_jsonl(tmp_path / "o" / "trace-records.jsonl")) == 1


# --- local configuration ----------------------------------------------------------


def _agent_root_with(tmp_path, name, text):
    flywheel = tmp_path / ".agent" / "flywheel"
    flywheel.mkdir(parents=True, exist_ok=True)
    write_runs(flywheel / "approved-runs.jsonl", [make_run(1)])
    (flywheel / name).write_text(text)
    return tmp_path / ".agent"


def test_invalid_redaction_config_stops_the_export_before_anything_is_written(tmp_path):
    root = _agent_root_with(tmp_path, "redaction.json", '{\n  "version": 1,\n  "deny": [""]\n}\n')
    result = run_cli(["export", "--agent-root", str(root), "--date", "2026-04-25"], env=EPOCH)
    assert result.code == 2
    assert result.err.startswith(f"error: {root / 'flywheel' / 'redaction.json'}:3: ")
    assert not (root / "flywheel" / "exports").exists()


def test_invalid_config_json_names_the_key_and_line(tmp_path):
    root = _agent_root_with(tmp_path, "config.json", '{\n  "accept_auto_redacted": "yes"\n}\n')
    result = run_cli(["export", "--agent-root", str(root)], env=EPOCH)
    assert result.code == 2
    assert result.err == f"error: {root / 'flywheel' / 'config.json'}:2: 'accept_auto_redacted' must be true or false\n"
    assert not (root / "flywheel" / "exports").exists()


def test_runs_with_a_secret_are_not_trainable_unless_the_team_accepts_them(tmp_path):
    token = "gh" + "p_" + "a1B2c3D4e5F6g7H8i9J0" + "kLmNoPqRsTuVwXyZ12"
    secret_run = make_run(1, input_redacted="deploy with " + token)
    result, out = export(tmp_path, [secret_run, make_run(2)])
    traces = read_jsonl(out / "trace-records.jsonl")
    assert traces[0]["redaction_status"] == "auto_redacted"
    assert traces[0]["redaction"] == {
        "findings": 1, "by_class": {"secret": 1}, "by_rule": {"github-pat": 1}, "by_field": {"input_redacted": 1},
    }
    assert traces[0]["not_trainable_because"] == ["auto_redacted"]
    assert len(read_jsonl(out / "training-examples.jsonl")) == 1
    report = json.loads((out / "redaction-report.json").read_text())
    assert report["by_workflow"] == {"saas/bug_triage": {"github-pat": 1}}
    assert report["runs_affected"] == 1 and report["ruleset_version"]
    assert report["by_class"] == {"secret": 1, "personal": 0}
    assert report["runs_by_class"] == {"secret": 1, "personal": 0}
    assert ("redaction: 1 secret and 0 personal finding (github-pat 1); 1 run with a secret replaced, "
            "not trainable until a person accepts them") in result.out
    readme = (out / "README.md").read_text()
    assert "- runs with a secret replaced: 1; with personal data only: 0" in readme
    assert "- findings by class: 1 secret, 0 personal" in readme

    root = _agent_root_with(tmp_path / "team", "config.json", '{"accept_auto_redacted": true}')
    write_runs(root / "flywheel" / "approved-runs.jsonl", [secret_run, make_run(2)])
    accepted = run_cli(["export", "--agent-root", str(root), "--out", str(tmp_path / "team-out")], env=EPOCH)
    assert accepted.code == 0, accepted
    rows = read_jsonl(tmp_path / "team-out" / "training-examples.jsonl")
    assert len(rows) == 2
    assert rows[0]["input"] == "deploy with [GITHUB_TOKEN_1]"


def test_runs_with_only_personal_data_train_with_placeholders_unless_config_is_strict(tmp_path):
    personal_run = make_run(1, input_redacted="logs in /home/" + "dana/app.log")
    result, out = export(tmp_path, [personal_run, make_run(2)])
    traces = read_jsonl(out / "trace-records.jsonl")
    assert traces[0]["redaction_status"] == "auto_redacted"
    assert traces[0]["redaction"]["by_class"] == {"personal": 1}
    assert traces[0]["not_trainable_because"] == []
    rows = read_jsonl(out / "training-examples.jsonl")
    assert rows[0]["input"] == "logs in /home/[HOME_USER_1]/app.log"
    assert "1 run with personal data only, trainable with placeholders" in result.out
    report = json.loads((out / "redaction-report.json").read_text())
    assert report["runs_by_class"] == {"secret": 0, "personal": 1}
    assert report["personal_data_runs_trainable"] is True

    root = _agent_root_with(tmp_path / "strict", "config.json", '{"personal_data_trainable": false}')
    write_runs(root / "flywheel" / "approved-runs.jsonl", [personal_run, make_run(2)])
    strict = run_cli(["export", "--agent-root", str(root), "--out", str(tmp_path / "strict-out")], env=EPOCH)
    assert strict.code == 0, strict
    traces = read_jsonl(tmp_path / "strict-out" / "trace-records.jsonl")
    assert traces[0]["not_trainable_because"] == ["personal_data_redacted"]
    assert "not trainable (personal_data_trainable is false)" in strict.out


def test_harvested_claims_are_judged_by_class_and_config_not_by_the_claim(tmp_path):
    """Harvest stores auto_redacted and what it replaced; config decides, not the claim."""
    personal = make_run(1, redaction_status="auto_redacted", redaction_findings={"personal": 2})
    secret = make_run(2, redaction_status="auto_redacted", redaction_findings={"secret": 1, "personal": 1})
    unknown = make_run(3, redaction_status="auto_redacted")  # an older harvest: which class is unknown
    result, out = export(tmp_path, [personal, secret, unknown])
    traces = read_jsonl(out / "trace-records.jsonl")
    assert [t["not_trainable_because"] for t in traces] == [[], ["auto_redacted"], ["auto_redacted"]]
    assert traces[1]["redaction"]["harvested_by_class"] == {"personal": 1, "secret": 1}
    report = json.loads((out / "redaction-report.json").read_text())
    assert report["runs_by_class"] == {"secret": 2, "personal": 1}
    assert report["findings"] == 0 and report["by_class"] == {"secret": 0, "personal": 0}

    root = _agent_root_with(tmp_path / "team", "config.json", '{"accept_auto_redacted": true}')
    write_runs(root / "flywheel" / "approved-runs.jsonl", [personal, secret, unknown])
    accepted = run_cli(["export", "--agent-root", str(root), "--out", str(tmp_path / "team-out")], env=EPOCH)
    assert accepted.code == 0, accepted
    traces = read_jsonl(tmp_path / "team-out" / "trace-records.jsonl")
    assert [t["trainable"] for t in traces] == [True, True, True]


# --- workflow and domain names ----------------------------------------------------


def test_path_like_workflow_names_get_cards_of_their_own_with_the_raw_name(tmp_path):
    names = ["x", "../../x", "．．／．．／x", "..∕..∕x", "\\..\\..\\x", ".", "~", "CON", "\U0001d400" * 80]
    runs = [make_run(i, workflow=name) for i, name in enumerate(names, start=1)]
    result, out = export(tmp_path, runs)
    assert result.code == 0, result
    cards = json.loads((out / "context-cards.json").read_text())
    assert len(cards) == len(names)
    by_raw = {card.get("names", {"workflow": [card["workflow"]]})["workflow"][0]: card for card in cards}
    assert sorted(by_raw) == sorted(names)
    assert by_raw["x"]["workflow"] == "x" and "names" not in by_raw["x"]
    assert by_raw["../../x"]["workflow"].startswith("x_") and by_raw["."]["workflow"].startswith("general_")
    for card in cards:
        assert (out / "context-cards" / card["domain"] / (card["workflow"] + ".json")).is_file()
    assert json.loads((out / "flywheel-metrics.json").read_text())["name_collisions"] == {}
    assert "pools runs of different names" not in result.err


def test_ordinary_names_that_share_a_card_are_reported(tmp_path):
    runs = [make_run(1, workflow="Lead  Intake"), make_run(2, workflow="lead_intake"), make_run(3)]
    result, out = export(tmp_path, runs)
    assert result.code == 0, result
    metrics = json.loads((out / "flywheel-metrics.json").read_text())
    assert metrics["name_collisions"] == {"saas/lead_intake": {"domain": ["saas"], "workflow": ["Lead  Intake", "lead_intake"]}}
    assert ("warning: card saas/lead_intake pools runs of different names ('Lead  Intake', 'lead_intake')"
            in result.err)
    card = json.loads((out / "context-cards" / "saas" / "lead_intake.json").read_text())
    assert card["names"] == {"domain": ["saas"], "workflow": ["Lead  Intake", "lead_intake"]}


def test_hostile_values_are_exported_handled_or_skipped_with_their_line(tmp_path):
    base = json.dumps(make_run(1))
    lines = [
        base[:-1] + ', "context_tokens_before": 1' + "0" * 400 + ', "context_tokens_after": 1.5e308}',
        json.dumps(make_run(2))[:-1] + ', "context_tokens_after": 1e400}',
        # Words of its own, so duplicate collapsing keeps it as a row.
        json.dumps(make_run(3, instruction="x", input_redacted="Surrogates, NUL and a BOM inside an instruction.",
                            output_approved="They are data: replaced, kept and counted."))[:-1]
        .replace('"x"', '"a\\ud800b\\u0000c\\ufeffd"') + "}",
        json.dumps(make_run(4, workflow="x"))[:-1].replace('"x"', '"\\udc00"') + "}",
    ]
    result, out = export(tmp_path, write_runs(tmp_path / "runs.jsonl", lines))
    assert result.code == 0, result
    assert f"runs.jsonl:2: 1e400 is beyond the range of a number" in result.err
    traces = read_jsonl(out / "trace-records.jsonl")
    assert len(traces) == 3
    # The run with a lone surrogate is kept with U+FFFD in its place (whichever split it falls in).
    written = [json.dumps(row, ensure_ascii=False) for path in sorted(out.rglob("*.jsonl")) for row in read_jsonl(path)]
    assert any("a\ufffdb\\u0000c\ufeffd" in row for row in written)  # NUL kept (JSON writes it \\u0000)
    assert not any("\\ud800" in row or "\ud800" in row for row in written)
    metrics = json.loads((out / "flywheel-metrics.json").read_text())
    assert metrics["input_quality"]["replaced_surrogates"] == 2
    assert metrics["avg_context_tokens_before"] is not None
    assert traces[2]["workflow"] == "general_" + normalize.sha256_hex("\ufffd")[:8]


def test_a_one_run_export_keeps_its_regression_case_as_agentic_stack_does(tmp_path):
    # agentic-stack writes one eval case per approved, clean run, whatever the split; a
    # one-run export (a train-split run) must not lose it. It is not held out.
    from data_flywheel.export import splits

    session = next(f"s{n}" for n in range(100) if splits.assign(f"session:s{n}", splits.DEFAULT_RATIOS) == "train")
    result, out = export(tmp_path, [make_run(1, session_id=session)])
    assert result.code == 0, result
    cases = read_jsonl(out / "eval-cases.jsonl")
    assert [(case["split"], case["holdout"], case["metadata"]["holdout"]) for case in cases] == [("train", False, False)]
    assert (out / "eval" / "holdout.jsonl").read_text() == ""
    metrics = json.loads((out / "flywheel-metrics.json").read_text())
    assert (metrics["eval_cases"], metrics["holdout_eval_cases"]) == (1, 0)
    workflow = metrics["workflows"]["saas/bug_triage"]
    assert (workflow["eval_cases"], workflow["holdout_eval_cases"]) == (1, 0)
    card = json.loads((out / "context-cards" / "saas" / "bug_triage.json").read_text())
    assert (card["eval_case_count"], card["holdout_eval_case_count"]) == (1, 0)
    assert card["eval_refs"] == [f"eval-cases.jsonl#{cases[0]['id']}"]
    readme = (out / "README.md").read_text()
    assert "- eval cases: 1 in `eval-cases.jsonl`" in readme and "0 of them held out in `eval/holdout.jsonl`" in readme
