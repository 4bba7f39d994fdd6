import json

from conftest import make_run, run_cli, write_runs


def test_valid_file_exits_0(tmp_path):
    path = write_runs(tmp_path / "approved-runs.jsonl", [make_run(1), make_run(2)])
    result = run_cli(["validate", path])  # kind from the file name
    assert result.code == 0
    assert result.out == "2 valid, 0 invalid (approved-run)\n"


def test_every_invalid_line_is_reported_with_line_and_json_path(tmp_path):
    path = write_runs(tmp_path / "x.jsonl", [
        make_run(1),
        make_run(2, human_review={"status": 3}),
        "",
        "not json",
        make_run(4, created_at=None),
        "[1]",
    ])
    result = run_cli(["validate", "--kind", "approved-run", path])
    assert result.code == 1
    assert result.out.splitlines() == [
        f"{path}:2: $.human_review.status: 3 is not of type 'string'",
        f"{path}:4: $: not valid JSON: Expecting value at column 1",
        f"{path}:5: $: 'created_at' is a required property",
        f"{path}:6: $: [1] is not of type 'object'",
        "1 valid, 4 invalid (approved-run)",
        f"next: fix the lines above and run validate again; 'validate --repair {path}' removes lines that are not JSON",
    ]


def test_json_results(tmp_path):
    path = write_runs(tmp_path / "x.jsonl", [make_run(1), make_run(2, pii_level=None)])
    result = run_cli(["validate", "--kind", "approved-run", path, "--json"])
    assert result.code == 1
    document = json.loads(result.out)
    assert document["results"] == [
        {"line": 1, "valid": True, "errors": []},
        {"line": 2, "valid": False, "errors": [{"path": "$", "message": "'pii_level' is a required property"}]},
    ]
    assert (document["valid"], document["invalid"]) == (1, 1)


def test_own_schema_and_a_json_document(tmp_path):
    schema = tmp_path / "s.json"
    schema.write_text(json.dumps({"type": "object", "required": ["a"], "properties": {"a": {"type": "integer"}}}))
    doc = tmp_path / "d.json"
    doc.write_text('{\n  "a": "x"\n}\n')
    result = run_cli(["validate", "--schema", str(schema), str(doc)])
    assert result.code == 1
    assert result.out.splitlines()[0] == f"{doc}:1: $.a: 'x' is not of type 'integer'"


def test_schema_with_an_unimplemented_keyword_is_refused(tmp_path):
    schema = tmp_path / "s.json"
    schema.write_text(json.dumps({"unevaluatedProperties": False}))
    data = write_runs(tmp_path / "d.jsonl", [{}])
    result = run_cli(["validate", "--schema", str(schema), data])
    assert result.code == 2
    assert result.err.startswith("error: ") and "unevaluatedProperties" in result.err


def test_unknown_kind_and_missing_file_are_usage_errors(tmp_path):
    data = write_runs(tmp_path / "mystery.jsonl", [{}])
    result = run_cli(["validate", data])
    assert result.code == 2
    assert "cannot tell what kind of records this is (pass --kind" in result.err
    missing = run_cli(["validate", "--kind", "eval-case", str(tmp_path / "nope.jsonl")])
    assert missing.code == 2 and missing.err == f"error: {tmp_path / 'nope.jsonl'}: no such file (check the path)\n"


def test_stdin(tmp_path):
    result = run_cli(["validate", "--kind", "eval-case", "-"], stdin=b'{"id": 1}\n')
    assert result.code == 1 and result.out.startswith("-:1: $: 'domain' is a required property") or "is not of type" in result.out


def test_repair_removes_a_torn_last_line_on_request_only(tmp_path):
    path = tmp_path / "approved-runs.jsonl"
    good = json.dumps(make_run(1))
    path.write_text(good + '\n{"id": "run-2", "crea')
    checked = run_cli(["validate", "--kind", "approved-run", str(path)])
    assert checked.code == 1
    assert f"{path}:2: $: not valid JSON: Unterminated string" in checked.out
    assert checked.out.endswith(f"'validate --repair {path}' removes lines that are not JSON\n")
    assert path.read_text().endswith('"crea')  # validating changes nothing
    repaired = run_cli(["validate", "--repair", str(path)])
    assert repaired.code == 0, repaired
    backup = next(p for p in tmp_path.iterdir() if p.name.startswith("approved-runs.jsonl.bak-"))
    assert repaired.out == (f"{path}:2: not valid JSON: Unterminated string starting at at column 17 (removed)\n"
                            f"repaired: 1 line(s) removed; the original is kept as {backup}\n")
    assert path.read_text() == good + "\n"
    assert run_cli(["validate", "--kind", "approved-run", str(path)]).code == 0
