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
