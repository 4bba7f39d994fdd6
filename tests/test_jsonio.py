import io
import json

from data_flywheel import jsonio


def read(data: bytes, objects_only=True):
    problems = []
    blanks = []
    values = list(jsonio.read_json_lines(io.BytesIO(data), "runs.jsonl", problems.append, objects_only=objects_only,
                                         on_blank=blanks.append))
    return values, problems, blanks


def test_bom_crlf_and_blank_lines_are_tolerated():
    values, problems, blanks = read(b'\xef\xbb\xbf{"a": 1}\r\n\r\n   \n{"b": 2}\r\n')
    assert values == [(1, {"a": 1}), (4, {"b": 2})]
    assert problems == []
    assert blanks == [2, 3]


def test_each_bad_line_is_reported_with_its_line_and_reason_and_the_rest_is_read():
    data = b'{"ok": 1}\n{broken\n[1, 2]\n"text"\n{"x": NaN}\n{"y": -Infinity}\n\xff\xfe{"z": 1}\n{"ok": 2}\n'
    values, problems, _ = read(data)
    assert values == [(1, {"ok": 1}), (8, {"ok": 2})]
    assert [(p.line, p.reason) for p in problems] == [
        (2, "invalid_json"),
        (3, "not_an_object"),
        (4, "not_an_object"),
        (5, "non_standard_number"),
        (6, "non_standard_number"),
        (7, "invalid_utf8"),
    ]
    assert str(problems[1]) == "runs.jsonl:3: expected a JSON object, got an array"
    assert str(problems[2]) == "runs.jsonl:4: expected a JSON object, got a string"
    assert problems[3].message == "NaN is not valid JSON (use null or a string instead)"
    assert problems[5].message == "invalid UTF-8 at byte 1 of the line (save the file as UTF-8)"


def test_problem_messages_never_quote_the_line():
    secretish = b'{"token": "abc' + b"Z" * 30 + b'"'  # unterminated: invalid JSON
    _, problems, _ = read(secretish + b"\n")
    assert problems and "ZZZZ" not in problems[0].message


def test_json_nested_ten_thousand_deep_is_a_reported_line_not_a_crash():
    deep = b'{"a": ' + b"[" * 10_000 + b"]" * 10_000 + b"}\n"
    values, problems, _ = read(deep + b'{"after": true}\n')
    assert values == [(2, {"after": True})]
    assert [(p.line, p.reason) for p in problems] == [(1, "too_deep")]


def test_depth_limit_is_the_same_on_every_python():
    at_limit = b'{"a": ' + b"[" * (jsonio.MAX_DEPTH - 1) + b"]" * (jsonio.MAX_DEPTH - 1) + b"}\n"
    over = b'{"a": ' + b"[" * jsonio.MAX_DEPTH + b"]" * jsonio.MAX_DEPTH + b"}\n"
    wide = b'{"a": [' + b"[], " * 5000 + b"[]]}\n"  # many brackets, shallow
    values, problems, _ = read(at_limit + over + wide)
    assert [line for line, _ in values] == [1, 3]
    assert [(p.line, p.reason, p.message) for p in problems] == [
        (2, "too_deep", "JSON nested deeper than 256 levels (flatten the record)")]
    assert jsonio.depth({"a": [1, {"b": []}]}) == 4 and jsonio.depth(5) == 0


def test_any_json_value_is_accepted_when_objects_are_not_required():
    values, problems, _ = read(b'1\n"s"\n[1]\nnull\n', objects_only=False)
    assert [value for _line, value in values] == [1, "s", [1], None]
    assert problems == []


def test_a_50_mb_line_is_read():
    big = json.dumps({"id": "big", "text": "x" * (50 * 1024 * 1024)}).encode()
    values, problems, _ = read(big + b"\n")
    assert problems == [] and len(values[0][1]["text"]) == 50 * 1024 * 1024


def test_dumps_line_is_compact_and_keeps_unicode():
    assert jsonio.dumps_line({"a": "é", "b": [1, 2]}) == '{"a":"é","b":[1,2]}\n'


def test_finite_number_rejects_bools_strings_and_nan():
    assert jsonio.finite_number(3) == 3
    assert jsonio.finite_number(2.5) == 2.5
    assert jsonio.finite_number(True) is None
    assert jsonio.finite_number("4") is None
    assert jsonio.finite_number(float("nan")) is None


# --- appends whole or absent; repair only on request ------------------------------------

import errno  # noqa: E402
import os  # noqa: E402

import pytest  # noqa: E402

from data_flywheel.errors import OutputError  # noqa: E402


def test_an_append_that_fails_part_way_is_cut_back(tmp_path, monkeypatch):
    path = tmp_path / "runs.jsonl"
    path.write_bytes(b'{"id": "a"}\n')
    real_write = os.write

    def half_then_full(fd, data):
        if len(data) > 10:
            return real_write(fd, bytes(data[: len(data) // 2]))  # the disk takes half...
        raise OSError(errno.ENOSPC, "No space left on device")  # ...then is full

    with jsonio.LineAppender(str(path), what="the approved runs") as store:
        store.append(b'{"id": "b"}\n')
        monkeypatch.setattr(os, "write", half_then_full)
        with pytest.raises(OutputError) as caught:
            store.append(b'{"id": "c", "text": "' + b"x" * 100 + b'"}\n')
    assert path.read_bytes() == b'{"id": "a"}\n{"id": "b"}\n'
    assert str(caught.value) == (f"{path}: cannot write the approved runs: No space left on device "
                                 "(free some space (or raise the quota) and run again; the file is as it was before this line)")


def test_a_torn_last_line_is_kept_and_the_new_line_starts_on_its_own(tmp_path):
    path = tmp_path / "runs.jsonl"
    path.write_bytes(b'{"id": "a"}\n{"id": "to')
    with jsonio.LineAppender(str(path)) as store:
        store.append(b'{"id": "b"}\n')
        store.append(b'{"id": "c"}\n')
    assert path.read_bytes() == b'{"id": "a"}\n{"id": "to\n{"id": "b"}\n{"id": "c"}\n'


def test_repair_removes_only_lines_that_are_not_json_and_keeps_a_backup(tmp_path):
    path = tmp_path / "runs.jsonl"
    original = b'{"id": "a"}\n\xff\xfe\n[1]\n{"id": "to\n{"id": "b"}\n{"id": "tail'
    path.write_bytes(original)
    removed, backup = jsonio.repair_lines(str(path), "T")
    assert [(p.line, p.reason) for p in removed] == [(2, "invalid_utf8"), (4, "invalid_json"), (6, "invalid_json")]
    assert path.read_bytes() == b'{"id": "a"}\n[1]\n{"id": "b"}\n'
    assert backup == f"{path}.bak-T" and (tmp_path / "runs.jsonl.bak-T").read_bytes() == original
    assert jsonio.repair_lines(str(path), "U") == ([], None)
    assert not (tmp_path / "runs.jsonl.bak-U").exists()


# --- hostile values are data -------------------------------------------------------------


def test_lone_surrogates_are_replaced_and_counted_valid_pairs_kept():
    replaced = []
    lines = b'{"a": "x\\ud800y", "b": ["\\udc00"], "\\udfff": 1}\n{"c": "\\ud83d\\ude00"}\n'
    values = list(jsonio.read_json_lines(io.BytesIO(lines), "f", lambda p: None,
                                         on_replaced=lambda line, n: replaced.append((line, n))))
    assert values == [(1, {"a": "x\ufffdy", "b": ["\ufffd"], "\ufffd": 1}), (2, {"c": "\U0001f600"})]
    assert replaced == [(1, 3)]
    assert jsonio.dumps_line(values[0][1]).encode("utf-8")


def test_numbers_beyond_a_float_are_reported_not_exported():
    values, problems, _ = read(b'{"a": 1e400}\n{"a": -1e400}\n{"a": -0.0, "b": -0}\n')
    assert [(p.line, p.reason, p.message) for p in problems] == [
        (1, "non_standard_number", "1e400 is beyond the range of a number (use null or a string instead)"),
        (2, "non_standard_number", "-1e400 is beyond the range of a number (use null or a string instead)")]
    assert values == [(3, {"a": -0.0, "b": 0})]


def test_implausibly_large_numbers_are_not_numbers():
    assert jsonio.finite_number(10 ** 400) is None
    assert jsonio.finite_number(1.5e308) is None
    assert jsonio.finite_number(1_700_000_000_000) == 1_700_000_000_000  # a timestamp in ms
