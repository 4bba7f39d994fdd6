"""``export --second-scanner``: a scanner someone else wrote checks the staged export before it is published.

The parsers are checked on outputs written from each tool's documented format
(gitleaks/Betterleaks JSON report, TruffleHog JSONL, Kingfisher JSON,
detect-secrets baseline JSON); the pipeline with small stand-in executables on
PATH (findings, a crash, a timeout, garbage, a missing tool); and end to end
with the real detect-secrets 1.5 in a throwaway virtualenv (``tests/consumers.py``;
skipped with the reason when the package registry cannot be reached, except
under ``CI=true``, where it must run).
"""
import hashlib
import json
import os
import stat
import sys

import pytest
from conftest import EXAMPLE_RUNS, make_run, run_cli, tree_bytes, write_runs
from consumers import consumer_python

from data_flywheel.config import load_config
from data_flywheel.errors import ConfigError
from data_flywheel.export import second_scanner as sc

# Built by concatenation so this file does not trip scanners; our redaction catches it unless github-pat is disabled.
FAKE_TOKEN = "ghp_" + "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A"
HASHED_ID = "sha256:" + hashlib.sha256(b"run-1").hexdigest()
# Tool-call ids in the shapes the harnesses mint (Anthropic, Bedrock, OpenAI, Gemini CLI): ids, not secrets.
TOOL_CALL_IDS = ("toolu_01" + "A1b2C3d4E5f6G7h8J9k0LmNp", "toolu_bdrk_01" + "Q2w3E4r5T6y7U8i9O0pAsDf",
                 "call_" + "Zx1Cv2Bn3Mq4Wd5Ef6Rg7Th8", "search_file_content-1767884532110-" + "4kq9z1x0b7m2c")


# --- parsers, on each tool's documented output --------------------------------------------


def test_detect_secrets_results_become_file_line_type_without_a_value():
    text = json.dumps({"version": "1.5.0", "results": {"./eval-cases.jsonl": [
        {"type": "GitHub Token", "filename": "./eval-cases.jsonl", "hashed_secret": "0" * 40, "line_number": 4}]}})
    assert list(sc.parse_detect_secrets(text)) == [("./eval-cases.jsonl", 4, "GitHub Token", None)]


def test_gitleaks_report_gives_rule_file_start_line_and_the_secret_for_the_allow_list():
    text = json.dumps([{"Description": "Generic API Key", "StartLine": 7, "EndLine": 7, "File": "/x/a.jsonl",
                        "Secret": "s3cr3t", "Match": "key=s3cr3t", "RuleID": "generic-api-key", "Fingerprint": ""}])
    assert list(sc.parse_gitleaks(text)) == [("/x/a.jsonl", 7, "generic-api-key", "s3cr3t")]
    assert list(sc.parse_gitleaks("")) == [] and list(sc.parse_gitleaks("[]")) == []


def test_trufflehog_jsonl_gives_detector_file_and_line():
    line = {"SourceMetadata": {"Data": {"Filesystem": {"file": "/x/b.jsonl", "line": 12}}}, "SourceName":
            "trufflehog - filesystem", "DetectorName": "Github", "Verified": False, "Raw": "r", "Redacted": ""}
    assert list(sc.parse_trufflehog(json.dumps(line) + "\n\n")) == [("/x/b.jsonl", 12, "Github", "r")]
    with pytest.raises(sc.ScannerOutputError):
        list(sc.parse_trufflehog(json.dumps({"DetectorName": "Github"})))


def test_kingfisher_envelopes_give_rule_id_path_and_line():
    envelope = {"findings": [{"rule": {"name": "AWS Access Token", "id": "kingfisher.aws.1"},
                              "finding": {"snippet": "v", "line": 5, "path": "/x/c.md", "confidence": "medium"}}]}
    text = json.dumps(envelope) + "\n" + json.dumps({"findings": []}) + "\n"
    assert list(sc.parse_kingfisher(text)) == [("/x/c.md", 5, "kingfisher.aws.1", "v")]


@pytest.mark.parametrize("parse, text", [
    (sc.parse_detect_secrets, "Traceback: boom"),
    (sc.parse_detect_secrets, "{}"),
    (sc.parse_gitleaks, '{"not": "a list"}'),
    (sc.parse_gitleaks, '[{"File": "a", "RuleID": "r"}]'),  # no line: not the documented format
    (sc.parse_kingfisher, "[1]"),
])
def test_output_that_is_not_the_documented_format_is_an_error_not_a_pass(parse, text):
    with pytest.raises(sc.ScannerOutputError):
        list(parse(text))


def test_every_scanner_runs_offline_and_says_how_to_install_it():
    offline = {"detect-secrets": "--no-verify", "gitleaks": "--report-path", "betterleaks": "--report-path",
               "trufflehog": "--no-verification", "kingfisher": "--no-validate"}
    assert sc.NAMES == tuple(offline)
    for scanner in sc.SCANNERS:
        assert offline[scanner.name] in scanner.arguments and "{dir}" in scanner.arguments
        assert "install" in scanner.install


def test_the_allow_list_is_our_own_shapes_only():
    for value in (HASHED_ID, "[GITHUB_TOKEN_1]") + TOOL_CALL_IDS:
        assert sc._ALLOWED.fullmatch(value), value
    for value in (FAKE_TOKEN, hashlib.sha256(b"x").hexdigest(), HASHED_ID + "0", "[token]", "x" + HASHED_ID,
                  "call_" + "x" * 40, "sk-" + TOOL_CALL_IDS[0]):
        assert not sc._ALLOWED.fullmatch(value), value


def test_chosen_prefers_the_flag_and_none_turns_it_off():
    assert sc.chosen(None, None) is None
    assert sc.chosen(None, "gitleaks") == "gitleaks"
    assert sc.chosen("trufflehog", "gitleaks") == "trufflehog"
    assert sc.chosen("none", "gitleaks") is None and sc.chosen(None, "None") is None


# --- the pipeline, with stand-in scanners on PATH -------------------------------------------


def fake_scanner(folder, name, body):
    """An executable NAME in ``folder`` running ``body`` (Python; ``args`` is its argv after the name)."""
    path = folder / name
    path.write_text(f"#!{sys.executable}\nimport json, os, sys, time\nargs = sys.argv[1:]\n{body}\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(folder)


@pytest.fixture
def project(tmp_path):
    agent = tmp_path / "agent"
    (agent / "flywheel").mkdir(parents=True)
    runs = write_runs(tmp_path / "runs.jsonl", [make_run(1), make_run(2)])
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    return agent, runs, tmp_path / "out", bin_dir


def export(agent, runs, out, env, *flags):
    return run_cli(["export", "--agent-root", str(agent), "--approved-runs", runs, "--out", str(out), *flags],
                   env={"NO_COLOR": "1", "SOURCE_DATE_EPOCH": "0", **env})


GITLEAKS_FINDS = ("print(json.dumps([{'File': os.path.join(args[1], 'training-examples.jsonl'), 'StartLine': 3,"
                  " 'RuleID': 'generic-api-key', 'Secret': os.environ.get('SECRET', 'hunter2-value')}]))")


def test_a_finding_stops_the_export_naming_file_line_rule_never_the_value(project):
    agent, runs, out, bin_dir = project
    assert export(agent, runs, out, {}).code == 0
    before = tree_bytes(out)
    path = fake_scanner(bin_dir, "gitleaks", GITLEAKS_FINDS)
    result = export(agent, runs, out, {"PATH": path}, "--second-scanner", "gitleaks")
    assert result.code == 2, result
    assert result.err.splitlines()[0] == (
        f"error: {out}: second scanner gitleaks found 1 possible secret in the redacted export; nothing was "
        'published and the previous export is unchanged (name the values in redaction.json "deny" or fix the '
        "source runs, then export again)")
    assert result.err.splitlines()[1] == "  training-examples.jsonl:3: generic-api-key"
    assert "hunter2-value" not in result.out + result.err
    assert tree_bytes(out) == before
    assert sorted(os.listdir(out.parent)) == ["agent", "bin", "out", "runs.jsonl"]  # no staging left behind


def test_a_finding_on_our_own_hashed_id_is_not_a_leak(project):
    agent, runs, out, bin_dir = project
    path = fake_scanner(bin_dir, "gitleaks", GITLEAKS_FINDS)
    result = export(agent, runs, out, {"PATH": path, "SECRET": HASHED_ID}, "--second-scanner", "gitleaks")
    assert result.code == 0, result
    assert "second scanner" not in result.out + result.err and os.path.isfile(out / "manifest.json")


@pytest.mark.parametrize("body, said", [
    ("sys.stderr.write('panic near ' + os.environ['SECRET'] + '\\n'); sys.exit(3)", "second scanner gitleaks failed "
     "(exit 3); nothing was published (to see why, run it by hand on an earlier export: gitleaks dir FOLDER "
     "--report-format json --report-path - --exit-code 0 --no-banner --log-level error)"),
    ("print('this is not json')", "second scanner gitleaks failed; nothing was published: its output is not JSON"),
    ("print(json.dumps(['not an object']))", "second scanner gitleaks failed; nothing was published: a finding is "
     "not a JSON object"),
])
def test_a_scanner_that_crashes_or_prints_garbage_is_an_error_not_a_pass(project, body, said):
    agent, runs, out, bin_dir = project
    result = export(agent, runs, out, {"PATH": fake_scanner(bin_dir, "gitleaks", body), "SECRET": "hunter2-value"},
                    "--second-scanner", "gitleaks")
    assert result.code == 2 and said in result.err, result
    assert "hunter2-value" not in result.err  # a scanner's own error may quote what it read: never shown
    assert not out.exists()


def test_a_scanner_that_hangs_is_stopped_after_the_timeout(project):
    agent, runs, out, bin_dir = project
    path = fake_scanner(bin_dir, "trufflehog", "time.sleep(30)")
    result = export(agent, runs, out, {"PATH": path, sc.TIMEOUT_VARIABLE: "0.5"}, "--second-scanner", "trufflehog")
    assert result.code == 2 and "second scanner trufflehog did not finish in 0.5 s; nothing was published" in result.err
    assert f"set {sc.TIMEOUT_VARIABLE} to wait longer" in result.err and not out.exists()


def test_a_named_scanner_that_is_not_installed_says_how_to_install_it(project):
    agent, runs, out, bin_dir = project
    result = export(agent, runs, out, {"PATH": str(bin_dir)}, "--second-scanner", "Detect-Secrets")
    assert result.code == 2
    assert result.err == (f"error: {out}: second scanner detect-secrets is not installed (not on PATH); nothing was "
                          "published (pip install detect-secrets (or pipx install detect-secrets), or drop "
                          "--second-scanner / second_scanner)\n")
    assert not out.exists()


def test_an_unknown_scanner_is_refused_before_anything_is_read(project):
    agent, runs, out, _bin = project
    result = export(agent, runs, out, {}, "--second-scanner", "gitleak")
    assert result.code == 2 and not out.exists()
    assert result.err == ("error: --second-scanner: unknown second scanner 'gitleak' (use one of: detect-secrets, "
                          "gitleaks, betterleaks, trufflehog, kingfisher (or none to run none))\n")


def test_config_json_names_the_scanner_and_the_flag_none_turns_it_off(project):
    agent, runs, out, bin_dir = project
    (agent / "flywheel" / "config.json").write_text('{"second_scanner": "gitleaks"}\n')
    path = fake_scanner(bin_dir, "gitleaks", GITLEAKS_FINDS)
    refused = export(agent, runs, out, {"PATH": path})
    assert refused.code == 2 and "  training-examples.jsonl:3: generic-api-key" in refused.err
    assert export(agent, runs, out, {"PATH": path}, "--second-scanner", "none").code == 0
    # status reads the same config and never runs the scanner
    status = run_cli(["status", "--agent-root", str(agent), "--approved-runs", runs],
                     env={"NO_COLOR": "1", "PATH": path})
    assert status.code == 0 and "second scanner" not in status.out + status.err


def test_config_json_refuses_an_unknown_scanner_on_its_line(tmp_path):
    (tmp_path / "config.json").write_text('{\n  "capture_hook": false,\n  "second_scanner": "trufflehogg"\n}\n')
    with pytest.raises(ConfigError) as error:
        load_config(str(tmp_path))
    assert str(error.value) == (f"{tmp_path / 'config.json'}:3: unknown second scanner 'trufflehogg' (use one of: "
                                "detect-secrets, gitleaks, betterleaks, trufflehog, kingfisher (or none to run none))")
    (tmp_path / "config.json").write_text('{"second_scanner": true}')
    with pytest.raises(ConfigError, match="'second_scanner' must be a scanner name"):
        load_config(str(tmp_path))
    (tmp_path / "config.json").write_text('{"second_scanner": "Kingfisher"}')
    assert load_config(str(tmp_path)).second_scanner == "kingfisher"


# --- the real detect-secrets ----------------------------------------------------------------


@pytest.fixture(scope="module")
def detect_secrets_bin():
    try:
        python = consumer_python("detect-secrets", ["detect-secrets==1.5.0"])
    except Exception as error:  # no registry: skipped with the reason, except in CI where it must run
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"could not install detect-secrets into a throwaway virtualenv: {str(error)[-300:]}")
    return os.path.dirname(python)


def test_detect_secrets_refuses_a_token_our_redaction_was_told_to_miss(project, detect_secrets_bin):
    agent, _runs, out, _bin = project
    (agent / "flywheel" / "redaction.json").write_text('{"disable": ["github-pat"]}')
    runs = write_runs(out.parent / "leaky.jsonl", [make_run(1), make_run(2, output_approved=f"Use {FAKE_TOKEN} here.")])
    result = export(agent, runs, out, {"PATH": detect_secrets_bin}, "--second-scanner", "detect-secrets")
    assert result.code == 2, result
    shown = result.err.splitlines()[1:]
    assert "  training-examples.jsonl:2: GitHub Token" in shown and "  eval-cases.jsonl:2: GitHub Token" in shown
    assert all(line.endswith(": GitHub Token") for line in shown), shown
    assert FAKE_TOKEN not in result.out + result.err and FAKE_TOKEN[4:20] not in result.out + result.err
    assert not out.exists()


def test_detect_secrets_passes_the_example_export_with_our_hashes_in_it(project, detect_secrets_bin):
    agent, _runs, out, _bin = project
    result = export(agent, EXAMPLE_RUNS, out, {"PATH": detect_secrets_bin}, "--second-scanner", "detect-secrets")
    assert result.code == 0, result
    assert "second scanner" not in result.out + result.err
    assert HASHED_ID[:7] in (out / "trace-records.jsonl").read_text()  # hashed ids are in what it scanned


def test_detect_secrets_takes_our_ids_for_secrets_unless_allowed(tmp_path, detect_secrets_bin):
    """Why the allow-list exists: detect-secrets 1.5 flags our hashed ids and the harnesses' tool-call ids."""
    lines = [json.dumps({"secret": HASHED_ID}), json.dumps({"token": "[API_KEY_1]"})]
    lines += [json.dumps({"tool_calls": [{"id": value, "type": "function"}]}) for value in TOOL_CALL_IDS[:3]]
    (tmp_path / "x.jsonl").write_text("\n".join(lines) + "\n")
    scanner = sc.scanner_named("detect-secrets", source="test")
    bare = sc.Scanner(**{**scanner.__dict__, "arguments": ("scan", "--all-files", "--no-verify", "{dir}")})
    env = {"PATH": detect_secrets_bin}
    assert sc.run(bare, str(tmp_path), "out", env) == [sc.Finding("x.jsonl", 1, "Secret Keyword")] + [
        sc.Finding("x.jsonl", line, "Base64 High Entropy String") for line in (3, 4, 5)]
    assert sc.run(scanner, str(tmp_path), "out", env) == []
