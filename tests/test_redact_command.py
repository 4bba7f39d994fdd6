"""``redact``: exact output and exit codes, bad input, and no leak of a planted value anywhere."""
from __future__ import annotations

import argparse
import io
import json

import pytest

from conftest import run_cli
from data_flywheel.commands import redact
from data_flywheel.terminal import Streams
from secret_factory import planted_texts

TOKEN = "gh" + "p_" + "aB3dE5fG7hJ9kL1mN3pQ5rS7tV9wX1yZ3bC5"
EMAIL = "dana.okafor" + "@" + "contoso-mail.net"
USER = "dkowal" + "ski"
SAMPLE = f"deploy with {TOKEN}\nmail {EMAIL} about /home/{USER}/notes\nnothing here\n"


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_redact_prints_the_text_with_placeholders(in_tmp):
    (in_tmp / "notes.txt").write_text(SAMPLE, encoding="utf-8")
    result = run_cli(["redact", "notes.txt"])
    assert result.code == 0
    assert result.out == "deploy with [GITHUB_TOKEN_1]\nmail [EMAIL_1] about /home/[HOME_USER_1]/notes\nnothing here\n"
    assert result.err == "redact: replaced 3 values (2 pii, 1 secret)\n"


def test_check_lists_findings_without_values_and_exits_1(in_tmp):
    (in_tmp / "notes.txt").write_text(SAMPLE, encoding="utf-8")
    result = run_cli(["redact", "--check", "notes.txt"])
    assert result.code == 1
    assert result.out == (
        "notes.txt:1:13: secret github-pat (GITHUB_TOKEN)\n"
        "notes.txt:2:6: pii email-address (EMAIL)\n"
        "notes.txt:2:47: pii home-directory-user (HOME_USER)\n"
    )
    assert result.err == "redact: 3 findings (2 pii, 1 secret)\n"


def test_check_on_clean_text_exits_0(in_tmp):
    (in_tmp / "clean.txt").write_text("commit 3f786850e387550fdab836ed7e6dc881de23001b\n", encoding="utf-8")
    result = run_cli(["redact", "--check", "clean.txt"])
    assert (result.code, result.out, result.err) == (0, "", "redact: no findings\n")


def test_check_json_is_one_object(in_tmp):
    (in_tmp / "notes.txt").write_text(SAMPLE, encoding="utf-8")
    result = run_cli(["redact", "--check", "--json", "notes.txt"])
    assert result.code == 1 and result.err == ""
    document = json.loads(result.out)
    assert document["findings"] == [
        {"source": "notes.txt", "line": 1, "column": 13, "rule_id": "github-pat", "kind": "secret", "class": "secret", "label": "GITHUB_TOKEN"},
        {"source": "notes.txt", "line": 2, "column": 6, "rule_id": "email-address", "kind": "pii", "class": "personal", "label": "EMAIL"},
        {"source": "notes.txt", "line": 2, "column": 47, "rule_id": "home-directory-user", "kind": "pii", "class": "personal", "label": "HOME_USER"},
    ]
    assert document["total"] == 3
    assert document["counts"] == {"email-address": 1, "github-pat": 1, "home-directory-user": 1}
    assert document["kinds"] == {"pii": 2, "secret": 1}
    assert document["classes"] == {"personal": 2, "secret": 1}
    assert document["ruleset_version"]


def test_json_without_check_reports_and_exits_0():
    result = run_cli(["redact", "--json", "-"], stdin=SAMPLE.encode())
    assert result.code == 0 and json.loads(result.out)["total"] == 3
    clean = run_cli(["redact", "--json"], stdin=b"nothing to see\n")
    assert clean.code == 0 and json.loads(clean.out) == {"ruleset_version": json.loads(result.out)["ruleset_version"], "findings": [], "total": 0, "counts": {}, "kinds": {}, "classes": {}}


def test_standard_input_with_dash_or_no_path():
    for argv in (["redact", "-"], ["redact"]):
        result = run_cli(argv, stdin=SAMPLE.encode())
        assert result.code == 0
        assert result.out.startswith("deploy with [GITHUB_TOKEN_1]\n")
    result = run_cli(["redact", "--check"], stdin=SAMPLE.encode())
    assert result.out.splitlines()[0] == "-:1:13: secret github-pat (GITHUB_TOKEN)"


def test_several_files_are_checked_with_their_names(in_tmp):
    (in_tmp / "a.txt").write_text(f"{TOKEN}\n", encoding="utf-8")
    (in_tmp / "b.txt").write_text(f"\n\n{EMAIL}\n", encoding="utf-8")
    result = run_cli(["redact", "--check", "a.txt", "b.txt"])
    assert result.out == "a.txt:1:1: secret github-pat (GITHUB_TOKEN)\nb.txt:3:1: pii email-address (EMAIL)\n"
    assert result.code == 1


# --- bad input ----------------------------------------------------------------------------


def test_invalid_utf8_is_replaced_and_reported_with_its_line():
    data = b"fine\nbad \xff\xfe bytes " + TOKEN.encode() + b"\nfine again\n"
    result = run_cli(["redact"], stdin=data)
    assert result.code == 0
    assert result.out == "fine\nbad \ufffd\ufffd bytes [GITHUB_TOKEN_1]\nfine again\n"
    assert result.err == "warning: -:2: invalid UTF-8, replaced with U+FFFD\nredact: replaced 1 value (1 secret)\n"


def test_many_invalid_lines_are_summarised():
    result = run_cli(["redact", "--check"], stdin=b"\xff\n" * 30)
    warnings = [line for line in result.err.splitlines() if line.startswith("warning:")]
    assert warnings[:2] == ["warning: -:1: invalid UTF-8, replaced with U+FFFD", "warning: -:2: invalid UTF-8, replaced with U+FFFD"]
    assert warnings[-1] == "warning: -: 20 more places with invalid UTF-8"
    assert result.code == 0


def test_a_character_split_across_reads_is_not_invalid(monkeypatch):
    monkeypatch.setattr(redact, "_PIECE", 7)
    text = "\u00e9t\u00e9 \u2014 \U0001f600 " * 50 + TOKEN + "\n"
    out, err = io.StringIO(), io.StringIO()
    stdin = io.TextIOWrapper(io.BytesIO(text.encode("utf-8")), encoding="utf-8")
    parser = argparse.ArgumentParser()
    redact.add_arguments(parser)
    code = redact.run(parser.parse_args([]), Streams(stdin, out, err, {}))
    assert code == 0
    assert out.getvalue() == text.replace(TOKEN, "[GITHUB_TOKEN_1]")
    assert "invalid" not in err.getvalue()


def test_binary_input_is_refused_without_a_traceback(in_tmp):
    (in_tmp / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    result = run_cli(["redact", "--check", "image.png"])
    assert result.code == 2
    assert result.err == "error: image.png: binary input (a NUL byte near the start) (redact reads text; leave binary files out (pre-commit: types: [text]))\n"
    assert "Traceback" not in result.err


def test_a_missing_file_or_a_directory_exits_2(in_tmp):
    result = run_cli(["redact", "missing.txt"])
    assert (result.code, result.err) == (2, "error: missing.txt: cannot read: no such file or directory (check the path and its permissions)\n")
    (in_tmp / "folder").mkdir()
    result = run_cli(["redact", "folder"])
    assert (result.code, result.err) == (2, "error: folder: is a directory (pass a file, or - for standard input)\n")


def test_an_invalid_config_stops_before_anything_is_printed(in_tmp):
    (in_tmp / "bad.json").write_text('{\n  "deny": [\n    ""\n  ]\n}', encoding="utf-8")
    result = run_cli(["redact", "--config", "bad.json", "-"], stdin=SAMPLE.encode())
    assert result.code == 2 and result.out == ""
    assert result.err == "error: bad.json:3: deny[0]: an entry must not be empty (remove it, or write the text it stands for)\n"


def test_config_from_flag_and_from_the_default_place(in_tmp):
    (in_tmp / "mine.json").write_text('{"deny": [{"literal": "Acme Corp", "label": "CLIENT"}]}', encoding="utf-8")
    result = run_cli(["redact", "--config", "mine.json"], stdin=b"call Acme Corp today\n")
    assert result.out == "call [CLIENT_1] today\n"
    (in_tmp / ".agent" / "flywheel").mkdir(parents=True)
    (in_tmp / ".agent" / "flywheel" / "redaction.json").write_text('{"deny": ["bluebird"]}', encoding="utf-8")
    result = run_cli(["redact"], stdin=b"project Bluebird ships\n")
    assert result.out == "project [CUSTOM_1] ships\n"


def test_list_rules(in_tmp):
    result = run_cli(["redact", "--list-rules"])
    assert result.code == 0
    assert any(line.startswith("github-fine-grained-pat ") for line in result.out.splitlines())
    document = json.loads(run_cli(["redact", "--list-rules", "--json"]).out)
    assert {"id": "email-address", "kind": "pii", "class": "personal", "label": "EMAIL"}.items() <= next(r for r in document["rules"] if r["id"] == "email-address").items()


def test_help_has_an_example_and_the_pre_commit_hook():
    result = run_cli(["redact", "--help"])
    assert result.code == 0
    assert "Examples:" in result.out and "redact --check" in result.out
    assert "pre-commit" in result.out and "entry: python3 .agent/tools/data_flywheel_export.py redact --check" in result.out


def test_a_long_single_line_is_read_in_pieces(in_tmp, monkeypatch):
    monkeypatch.setattr(redact, "_PIECE", 1 << 16)
    line = ("word " * 600_000) + TOKEN + " end"
    (in_tmp / "long.txt").write_text(line + "\n", encoding="utf-8")
    result = run_cli(["redact", "--check", "long.txt"])
    assert result.out == f"long.txt:1:{len('word ') * 600_000 + 1}: secret github-pat (GITHUB_TOKEN)\n"


# --- no leaks -----------------------------------------------------------------------------


PLANTED = planted_texts(seed=17, per_family=3)


def test_the_leak_corpus_has_hundreds_of_values_of_every_family():
    assert len(PLANTED) >= 300
    assert len({family for family, _, _ in PLANTED}) >= 100


def _corpus():
    return "\n".join(text for _, _, text in PLANTED) + "\n"


def test_no_planted_value_survives_redaction(in_tmp):
    (in_tmp / "leaks.txt").write_text(_corpus(), encoding="utf-8")
    result = run_cli(["redact", "leaks.txt"])
    assert result.code == 0
    leaked = [family for family, value, _ in PLANTED if value in result.out or value in result.err]
    assert leaked == []


@pytest.mark.parametrize("flags", [["--check"], ["--check", "--json"], ["--json"]])
def test_check_never_prints_a_planted_value(in_tmp, flags):
    (in_tmp / "leaks.txt").write_text(_corpus(), encoding="utf-8")
    result = run_cli(["redact", *flags, "leaks.txt"])
    assert result.code == (1 if "--check" in flags else 0)
    leaked = [family for family, value, _ in PLANTED if value in result.out or value in result.err]
    assert leaked == []
    # And every planted text was reported.
    reported_lines = {int(line.split(":")[1]) for line in result.out.splitlines() if line.startswith("leaks.txt:")} if "--json" not in flags else {
        finding["line"] for finding in json.loads(result.out)["findings"]
    }
    line = 1
    missed = []
    for family, _, text in PLANTED:
        span = set(range(line, line + text.count("\n") + 1))
        if not span & reported_lines:
            missed.append(family)
        line += text.count("\n") + 1
    assert missed == []


def test_no_planted_value_in_stdin_output_or_warnings():
    data = _corpus().encode() + b"\xff trailing invalid byte\n"
    for argv in (["redact"], ["redact", "--check"], ["redact", "--check", "--json"]):
        result = run_cli(argv, stdin=data)
        assert [family for family, value, _ in PLANTED if value in result.out or value in result.err] == []
