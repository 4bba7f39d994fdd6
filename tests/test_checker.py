"""Hand-written tests for records/checker.py: exact messages, paths, refusals.

The official suite (test_checker_suite.py) proves valid/invalid; these pin
what a user reads: each keyword's message, the JSON path of the instance and
the schema path, and how the checker refuses what it cannot honour.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator, List, Tuple

import pytest

from data_flywheel.errors import FlywheelError, SchemaError
from data_flywheel.records.checker import _COMPILERS, KEYWORDS, Checker, SchemaIssue


def issues(schema: Any, instance: Any, **options: Any) -> List[Tuple[str, str, str]]:
    checker = Checker(schema, **options)
    found = [(issue.path, issue.message, issue.schema_path) for issue in checker.iter_issues(instance)]
    assert checker.is_valid(instance) is (not found)
    return found


def refusal(schema: Any, **options: Any) -> SchemaError:
    with pytest.raises(SchemaError) as caught:
        Checker(schema, **options)
    return caught.value


# -- one row per keyword: (schema, instance, [(path, message, schema_path)]) --

KEYWORD_CASES = [
    ({"type": "string"}, 5, [("$", "5 is not of type 'string'", "type")]),
    ({"type": ["string", "null"]}, 5, [("$", "5 is not of type 'string', 'null'", "type")]),
    ({"enum": ["a", "b"]}, "x", [("$", "'x' is not one of ['a', 'b']", "enum")]),
    ({"const": "x"}, "y", [("$", "'x' was expected", "const")]),
    ({"required": ["id", "kind"]}, {"kind": 1}, [("$", "'id' is a required property", "required")]),
    ({"properties": {"n": {"type": "integer"}}}, {"n": "1"},
     [("$.n", "'1' is not of type 'integer'", "properties/n/type")]),
    ({"additionalProperties": False}, {"foo": 1},
     [("$", "Additional properties are not allowed ('foo' was unexpected)", "additionalProperties")]),
    ({"properties": {"a": True}, "additionalProperties": False}, {"a": 1, "b": 2, "c": 3},
     [("$", "Additional properties are not allowed ('b', 'c' were unexpected)", "additionalProperties")]),
    ({"patternProperties": {"^x": True}, "additionalProperties": False}, {"x1": 1, "y": 2},
     [("$", "'y' does not match any of the regexes: '^x'", "additionalProperties")]),
    ({"additionalProperties": {"type": "string"}}, {"a": 1},
     [("$.a", "1 is not of type 'string'", "additionalProperties/type")]),
    ({"patternProperties": {"^n_": {"type": "integer"}}}, {"n_a": "x"},
     [("$.n_a", "'x' is not of type 'integer'", "patternProperties/^n_/type")]),
    ({"propertyNames": {"pattern": "^[a-z]+$"}}, {"Bad": 1},
     [("$", "'Bad' does not match '^[a-z]+$'", "propertyNames/pattern")]),
    ({"minProperties": 1}, {}, [("$", "{} should be non-empty", "minProperties")]),
    ({"minProperties": 2}, {"a": 1}, [("$", "{'a': 1} does not have enough properties", "minProperties")]),
    ({"maxProperties": 0}, {"a": 1}, [("$", "{'a': 1} is expected to be empty", "maxProperties")]),
    ({"maxProperties": 1}, {"a": 1, "b": 2}, [("$", "{'a': 1, 'b': 2} has too many properties", "maxProperties")]),
    ({"dependentRequired": {"card": ["billing"]}}, {"card": 1},
     [("$", "'billing' is a dependency of 'card'", "dependentRequired/card")]),
    ({"dependentSchemas": {"card": {"required": ["billing"]}}}, {"card": 1},
     [("$", "'billing' is a required property", "dependentSchemas/card/required")]),
    ({"prefixItems": [{"type": "string"}]}, [1], [("$[0]", "1 is not of type 'string'", "prefixItems/0/type")]),
    ({"items": {"type": "string"}}, ["a", 2], [("$[1]", "2 is not of type 'string'", "items/type")]),
    ({"prefixItems": [True], "items": False}, [1, 2, 3],
     [("$", "Expected at most 1 item but found 2 extra: [2, 3]", "items")]),
    ({"prefixItems": [True, True], "items": False}, [1, 2, 3],
     [("$", "Expected at most 2 items but found 1 extra: 3", "items")]),
    ({"contains": {"type": "string"}}, [1],
     [("$", "[1] does not contain items matching the given schema", "contains")]),
    ({"contains": {"type": "string"}, "minContains": 2}, ["a", 1],
     [("$", "Too few items match the given schema (expected at least 2 but only 1 matched)",
       "contains/minContains")]),
    ({"contains": {"type": "string"}, "maxContains": 1}, ["a", "b"],
     [("$", "Too many items match the given schema (expected at most 1)", "contains/maxContains")]),
    ({"minItems": 1}, [], [("$", "[] should be non-empty", "minItems")]),
    ({"minItems": 2}, [1], [("$", "[1] is too short", "minItems")]),
    ({"maxItems": 0}, [1], [("$", "[1] is expected to be empty", "maxItems")]),
    ({"maxItems": 1}, [1, 2], [("$", "[1, 2] is too long", "maxItems")]),
    ({"uniqueItems": True}, [1, 1.0], [("$", "[1, 1.0] has non-unique elements", "uniqueItems")]),
    ({"minLength": 1}, "", [("$", "'' should be non-empty", "minLength")]),
    ({"minLength": 3}, "ab", [("$", "'ab' is too short", "minLength")]),
    ({"maxLength": 0}, "a", [("$", "'a' is expected to be empty", "maxLength")]),
    ({"maxLength": 2}, "abc", [("$", "'abc' is too long", "maxLength")]),
    ({"pattern": "^x"}, "abc", [("$", "'abc' does not match '^x'", "pattern")]),
    ({"minimum": 5}, 3, [("$", "3 is less than the minimum of 5", "minimum")]),
    ({"maximum": 5}, 7.5, [("$", "7.5 is greater than the maximum of 5", "maximum")]),
    ({"exclusiveMinimum": 5}, 5, [("$", "5 is less than or equal to the minimum of 5", "exclusiveMinimum")]),
    ({"exclusiveMaximum": 5}, 5, [("$", "5 is greater than or equal to the maximum of 5", "exclusiveMaximum")]),
    ({"multipleOf": 2}, 7, [("$", "7 is not a multiple of 2", "multipleOf")]),
    ({"multipleOf": 0.01}, 0.075, [("$", "0.075 is not a multiple of 0.01", "multipleOf")]),
    ({"allOf": [{"type": "integer"}, {"minimum": 2}]}, 1,
     [("$", "1 is less than the minimum of 2", "allOf/1/minimum")]),
    ({"anyOf": [{"type": "string"}, {"type": "null"}]}, 1,
     [("$", "1 is not valid under any of the given schemas", "anyOf")]),
    ({"oneOf": [{"type": "string"}, {"type": "null"}]}, 1,
     [("$", "1 is not valid under any of the given schemas", "oneOf")]),
    ({"oneOf": [{"type": "integer"}, {"minimum": 0}, {"type": "number"}]}, 1,
     [("$", "1 is valid under more than one of the given schemas (oneOf/0 and oneOf/1)", "oneOf")]),
    ({"not": {"type": "string"}}, "x", [("$", "'x' should not be valid under {'type': 'string'}", "not")]),
    ({"if": {"properties": {"role": {"const": "tool"}}}, "then": {"required": ["tool_call_id"]}},
     {"role": "tool"}, [("$", "'tool_call_id' is a required property", "then/required")]),
    ({"if": {"type": "string"}, "then": True, "else": {"type": "null"}}, 1,
     [("$", "1 is not of type 'null'", "else/type")]),
    ({"$defs": {"id": {"type": "string"}}, "properties": {"id": {"$ref": "#/$defs/id"}}}, {"id": 1},
     [("$.id", "1 is not of type 'string'", "properties/id/$ref/type")]),
    (False, 1, [("$", "False schema does not allow 1", "")]),
    ({"properties": {"a": False}}, {"a": 1}, [("$.a", "False schema does not allow 1", "properties/a")]),
]


@pytest.mark.parametrize("schema, instance, expected", KEYWORD_CASES, ids=lambda v: str(v)[:60])
def test_keyword_messages(schema: Any, instance: Any, expected: list) -> None:
    assert issues(schema, instance) == expected


def _keys(value: Any) -> set:
    if isinstance(value, dict):
        return set(value).union(*(_keys(item) for item in value.values()))
    if isinstance(value, list):
        return set().union(*(_keys(item) for item in value))
    return set()


def test_every_keyword_has_a_message_case() -> None:
    covered = _keys([schema for schema, _, _ in KEYWORD_CASES])
    assert set(KEYWORDS) - covered == {"format"}  # format: see the format tests


def test_valid_instances_have_no_issues() -> None:
    for schema, instance in [
        (True, {"anything": [1]}),
        ({}, None),
        ({"type": "object", "required": ["a"], "properties": {"a": {"type": "string"}}}, {"a": "x", "b": 1}),
        ({"contains": {"const": 1}, "minContains": 0}, []),
        ({"if": {"type": "string"}}, 1),  # `if` alone only annotates
    ]:
        assert issues(schema, instance) == []


def test_issues_come_in_schema_order_and_all_of_them() -> None:
    schema = {"type": "object", "required": ["a", "b"], "properties": {"c": {"type": "string"}}}
    assert [message for _, message, _ in issues(schema, {"c": 1})] == [
        "'a' is a required property",
        "'b' is a required property",
        "1 is not of type 'string'",
    ]


def test_messages_bind_the_item_they_describe() -> None:
    # Messages are rendered lazily; each must keep its own loop variable.
    checker = Checker({"required": ["a", "b"], "dependentRequired": {"x": ["c", "d"]}})
    raw = list(checker._descend({"x": 1}, checker._root))
    assert [message() for _, message, _ in raw] == [
        "'a' is a required property",
        "'b' is a required property",
        "'c' is a dependency of 'x'",
        "'d' is a dependency of 'x'",
    ]


# -- JSON paths -------------------------------------------------------------


def test_nested_json_path() -> None:
    schema = {"properties": {"messages": {"items": {"properties": {"content": {"type": "string"}}}}}}
    instance = {"messages": [{}, {}, {}, {"content": 5}]}
    assert issues(schema, instance) == [
        ("$.messages[3].content", "5 is not of type 'string'", "properties/messages/items/properties/content/type")
    ]


@pytest.mark.parametrize("key, path", [
    ("odd key", "$['odd key']"),
    ("$ref", "$['$ref']"),
    ("a.b", "$['a.b']"),
    ("", "$['']"),
    ("it's", "$['it\\'s']"),
    ("back\\slash", "$['back\\\\slash']"),
    ("line\nbreak", "$['line\\u000abreak']"),
    ("é", "$['é']"),
    ("_ok9", "$._ok9"),
])
def test_keys_that_are_not_identifiers_are_bracket_quoted(key: str, path: str) -> None:
    assert issues({"additionalProperties": {"type": "string"}}, {key: 1})[0][0] == path


def test_schema_path_escapes_slashes_like_a_json_pointer() -> None:
    schema = {"properties": {"a/b~c": {"type": "string"}}}
    assert issues(schema, {"a/b~c": 1})[0][2] == "properties/a~1b~0c/type"


def test_property_names_issue_points_at_the_object() -> None:
    schema = {"properties": {"tags": {"propertyNames": {"maxLength": 3}}}}
    assert issues(schema, {"tags": {"long": 1}}) == [
        ("$.tags", "'long' is too long", "properties/tags/propertyNames/maxLength")
    ]


# -- bool is not a number; JSON equality -----------------------------------


@pytest.mark.parametrize("schema, instance, valid", [
    ({"type": "integer"}, True, False),
    ({"type": "number"}, False, False),
    ({"type": "boolean"}, 1, False),
    ({"type": "boolean"}, True, True),
    ({"type": "integer"}, 1.0, True),
    ({"type": "integer"}, 1.5, False),
    ({"type": "integer"}, float("inf"), False),
    ({"type": "number"}, 1, True),
    ({"minimum": 5}, True, True),  # not a number, so minimum does not apply
    ({"enum": [1]}, True, False),
    ({"enum": [True]}, 1, False),
    ({"enum": [1]}, 1.0, True),
    ({"const": 0}, False, False),
    ({"const": False}, 0, False),
    ({"const": {"a": [1, True]}}, {"a": [1.0, True]}, True),
    ({"const": {"a": [1, True]}}, {"a": [1, 1]}, False),
    ({"const": [1]}, {"0": 1}, False),
    ({"const": None}, 0, False),
    ({"uniqueItems": True}, [1, True], True),
    ({"uniqueItems": True}, [0, False], True),
    ({"uniqueItems": True}, [{"a": 1, "b": 2}, {"b": 2, "a": 1.0}], False),
    ({"uniqueItems": True}, [[1], [True]], True),
    ({"uniqueItems": True}, ["1", 1], True),
])
def test_json_types_and_equality(schema: Any, instance: Any, valid: bool) -> None:
    assert Checker(schema).is_valid(instance) is valid


def test_bool_message_reads_like_json_types() -> None:
    assert issues({"type": "integer"}, True) == [("$", "True is not of type 'integer'", "type")]


def test_multiple_of_uses_the_decimal_the_json_wrote() -> None:
    # float division says 0.07 / 0.01 == 7.000000000000001
    assert Checker({"multipleOf": 0.01}).is_valid(0.07)
    assert Checker({"multipleOf": 0.1}).is_valid(0.3)
    assert not Checker({"multipleOf": 0.1}).is_valid(0.35)
    assert not Checker({"multipleOf": 0.5}).is_valid(float("inf"))


# -- messages stay short -------------------------------------------------------


def test_long_strings_are_truncated_in_messages() -> None:
    (issue,) = issues({"maxLength": 3}, "x" * 1_000_000)
    message = issue[1]
    assert message == "'" + "x" * 76 + "... is too long"
    assert len(message) < 100


def test_long_and_deep_containers_are_truncated_in_messages() -> None:
    deep: Any = "bottom"
    for _ in range(10_000):
        deep = [deep]
    (issue,) = issues({"type": "object"}, deep)
    assert issue[1] == "[" * 77 + "... is not of type 'object'"
    (issue,) = issues({"type": "string"}, {f"key{n}": "v" * 50 for n in range(10_000)})
    assert issue[1].startswith("{'key0': 'vvv") and issue[1].endswith("... is not of type 'string'")
    assert len(issue[1]) <= 80 + len(" is not of type 'string'")


def test_long_keys_are_truncated_in_paths_and_messages() -> None:
    key = "k" * 10_000
    (issue,) = issues({"additionalProperties": False}, {key: 1})
    assert issue[1] == "Additional properties are not allowed ('" + "k" * 76 + "... was unexpected)"
    (issue,) = issues({"additionalProperties": {"type": "string"}}, {key: 1})
    assert issue[0] == "$['" + "k" * 77 + "...']"


def test_many_unexpected_properties_are_counted_not_listed() -> None:
    instance = {f"p{n}": n for n in range(7)}
    (issue,) = issues({"additionalProperties": False}, instance)
    assert issue[1] == (
        "Additional properties are not allowed ('p0', 'p1', 'p2', 'p3', 'p4', ... (7 in all) were unexpected)"
    )


def test_not_message_truncates_the_schema_too() -> None:
    schema = {"not": {"description": "d" * 500}}
    (issue,) = issues(schema, 1)
    assert issue[1].startswith("1 should not be valid under {'description': 'ddd") and issue[1].endswith("...")


# -- refusing what the checker cannot honour -----------------------------------


@pytest.mark.parametrize("schema, message", [
    ({"unevaluatedProperties": False},
     "schema uses keyword 'unevaluatedProperties' at $, which this checker does not implement"),
    ({"$defs": {"a": {"items": {"$dynamicRef": "#x"}}}},
     "schema uses keyword '$dynamicRef' at $['$defs'].a.items, which this checker does not implement"),
    ({"properties": {"x": {"x-extension": 1}}},
     "schema uses keyword 'x-extension' at $.properties.x, which this checker does not implement"),
    ({"allOf": [True, {"definitions": {}}]},
     "schema uses keyword 'definitions' at $.allOf[1], which this checker does not implement"),
    ({"if": True, "else": {"dependencies": {}}},
     "schema uses keyword 'dependencies' at $.else, which this checker does not implement"),
    ({"$defs": {"unused": {"unevaluatedItems": False}}},
     "schema uses keyword 'unevaluatedItems' at $['$defs'].unused, which this checker does not implement"),
])
def test_unimplemented_keywords_are_refused_with_their_location(schema: Any, message: str) -> None:
    error = refusal(schema, source="schemas/x.json")
    assert error.message == message
    assert error.source == "schemas/x.json"
    assert isinstance(error, FlywheelError) and error.remedy
    assert str(error).startswith("schemas/x.json: " + message)


def test_annotations_are_accepted_and_ignored() -> None:
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "urn:x", "$comment": "c",
        "title": "t", "description": "d", "default": 1, "examples": [{"unevaluatedProperties": 1}],
        "deprecated": True, "readOnly": True, "writeOnly": False, "$anchor": "top",
        "$vocabulary": {}, "contentMediaType": "application/json", "contentEncoding": "base64",
        "contentSchema": {"x-not-checked": True},
    }
    assert issues(schema, "anything") == []


def test_values_in_non_schema_positions_are_not_walked() -> None:
    # enum, const and examples hold data, not schemas: keywords there mean nothing.
    assert issues({"enum": [{"unevaluatedProperties": 1}], "const": {"$dynamicRef": 1}}, 1) != []


@pytest.mark.parametrize("schema, message", [
    ({"pattern": "("}, "schema keyword 'pattern' at $ has a pattern Python cannot compile: '(' "),
    ({"properties": {"a": {"pattern": "\\p{L}"}}},
     "schema keyword 'pattern' at $.properties.a has a pattern Python cannot compile: '\\\\p{L}' "),
    ({"patternProperties": {"[": True}},
     "schema keyword 'patternProperties' at $ has a pattern Python cannot compile: '[' "),
    ({"patternProperties": {"[": True}, "additionalProperties": False}, "schema keyword 'patternProperties' at $ "),
])
def test_bad_regex_is_refused(schema: Any, message: str) -> None:
    assert refusal(schema).message.startswith(message)


@pytest.mark.parametrize("schema, message", [
    ({"type": "strin"}, "schema keyword 'type' at $ must be one of"),
    ({"type": []}, "schema keyword 'type' at $ must be one of"),
    ({"minLength": -1}, "schema keyword 'minLength' at $ must be a non-negative integer"),
    ({"minLength": True}, "schema keyword 'minLength' at $ must be a non-negative integer"),
    ({"maxItems": 1.5}, "schema keyword 'maxItems' at $ must be a non-negative integer"),
    ({"contains": True, "minContains": "1"}, "schema keyword 'minContains' at $ must be a non-negative integer"),
    ({"required": "id"}, "schema keyword 'required' at $ must be an array of strings"),
    ({"enum": "a"}, "schema keyword 'enum' at $ must be an array"),
    ({"minimum": "1"}, "schema keyword 'minimum' at $ must be a number"),
    ({"multipleOf": 0}, "schema keyword 'multipleOf' at $ must be a number greater than 0"),
    ({"uniqueItems": 1}, "schema keyword 'uniqueItems' at $ must be a boolean"),
    ({"properties": []}, "schema keyword 'properties' at $ must be an object of schemas"),
    ({"allOf": []}, "schema keyword 'allOf' at $ must be a non-empty array of schemas"),
    ({"items": [{"type": "string"}]}, "schema at $.items must be an object or a boolean"),
    ({"not": 1}, "schema at $.not must be an object or a boolean"),
    ({"format": 1}, "schema keyword 'format' at $ must be a string"),
    ({"$ref": 1}, "schema keyword '$ref' at $ must be a string"),
    ({"$id": "http://x/y#frag"}, "schema keyword '$id' at $ must be a URI without a fragment"),
    ({"$anchor": "#a"}, "schema keyword '$anchor' at $ must be a plain name"),
    ("string", "schema at $ must be an object or a boolean"),
])
def test_malformed_keyword_values_are_refused(schema: Any, message: str) -> None:
    assert refusal(schema).message.startswith(message)


def test_minimum_counts_may_be_written_as_floats() -> None:
    assert issues({"minLength": 2.0}, "a") == [("$", "'a' is too short", "minLength")]


# -- $ref ---------------------------------------------------------------------


def test_refs_to_pointers_escapes_anchors_and_ids() -> None:
    schema = {
        "$id": "urn:data-flywheel:schema:test:1",
        "$defs": {
            "a/b": {"type": "string"},
            "t~x": {"type": "integer"},
            "sp ace": {"type": "null"},
            "anchored": {"$anchor": "flag", "type": "boolean"},
            "other": {"$id": "other.json", "type": "array"},
        },
        "properties": {
            "slash": {"$ref": "#/$defs/a~1b"},
            "tilde": {"$ref": "#/$defs/t~0x"},
            "space": {"$ref": "#/$defs/sp%20ace"},
            "anchor": {"$ref": "#flag"},
            "root": {"$ref": "#"},
        },
    }
    checker = Checker(schema)
    assert checker.is_valid({"slash": "s", "tilde": 1, "space": None, "anchor": True, "root": {}})
    assert [issue.path for issue in checker.iter_issues({"slash": 1, "tilde": "x", "space": 0, "anchor": 0})] == [
        "$.slash", "$.tilde", "$.space", "$.anchor",
    ]
    assert issues({"$id": "http://example.com/root.json", "$defs": {"o": {"$id": "o.json", "type": "null"}},
                   "$ref": "http://example.com/o.json"}, 1) == [("$", "1 is not of type 'null'", "$ref/type")]


def test_recursive_refs_work() -> None:
    schema = {"$defs": {"node": {"type": "object", "properties": {"children": {"items": {"$ref": "#/$defs/node"}}}}},
              "$ref": "#/$defs/node"}
    tree = {"children": [{"children": []}, {"children": [{"children": [1]}]}]}
    assert issues(schema, tree) == [(
        "$.children[1].children[0].children[0]", "1 is not of type 'object'",
        "$ref/properties/children/items/$ref/properties/children/items/$ref/properties/children/items/$ref/type",
    )]


@pytest.mark.parametrize("schema, message", [
    ({"$ref": "http://example.com/other.json"},
     "cannot resolve $ref 'http://example.com/other.json' at $: only references inside this schema are supported"),
    ({"properties": {"a": {"$ref": "other.json#/x"}}},
     "cannot resolve $ref 'other.json#/x' at $.properties.a: only references inside this schema are supported"),
    ({"$ref": "#/$defs/missing"}, "$ref '#/$defs/missing' at $ points at nothing"),
    ({"$ref": "#nowhere"}, "$ref '#nowhere' at $ names an unknown $anchor"),
    ({"$defs": {"a": {"type": "null"}}, "$ref": "#/$defs/a/type"},
     "schema at $['$ref'] must be an object or a boolean"),
    ({"examples": [{"unevaluatedItems": 1}], "$ref": "#/examples/0"},
     "schema uses keyword 'unevaluatedItems' at $['$ref'], which this checker does not implement"),
])
def test_unresolvable_refs_are_refused(schema: Any, message: str) -> None:
    assert refusal(schema).message == message


def test_ref_into_a_non_schema_location_is_checked_like_a_schema() -> None:
    assert issues({"examples": [{"type": "string"}], "$ref": "#/examples/0"}, 1) == [
        ("$", "1 is not of type 'string'", "$ref/type")
    ]


# -- format ---------------------------------------------------------------------


def test_format_is_an_annotation_by_default() -> None:
    assert issues({"format": "date-time"}, "2026-13-01") == []
    assert issues({"format": "no-such-format"}, "x") == []


def test_format_assertion_checks_date_time() -> None:
    assert issues({"format": "date-time"}, "2026-13-01", format_assertion=True) == [
        ("$", "'2026-13-01' is not a 'date-time'", "format")
    ]


def test_format_assertion_leaves_other_formats_as_annotations() -> None:
    assert issues({"format": "email"}, "not an email", format_assertion=True) == []
    assert issues({"format": "date-time"}, 20260101, format_assertion=True) == []


@pytest.mark.parametrize("text, valid", [
    ("2026-01-02T03:04:05Z", True),
    ("2026-01-02t03:04:05z", True),
    ("2026-01-02T03:04:05.123456+05:30", True),
    ("2026-01-02T03:04:05-00:00", True),
    ("2024-02-29T00:00:00Z", True),
    ("2000-02-29T00:00:00Z", True),
    ("2023-02-29T00:00:00Z", False),
    ("1900-02-29T00:00:00Z", False),
    ("2026-04-31T00:00:00Z", False),
    ("2026-00-10T00:00:00Z", False),
    ("2026-01-00T00:00:00Z", False),
    ("2026-01-02T24:00:00Z", False),
    ("2026-01-02T23:60:00Z", False),
    ("2016-12-31T23:59:60Z", True),
    ("2016-12-31T18:59:60-05:00", True),
    ("2016-12-31T23:58:60Z", False),
    ("2026-01-02T03:04:61Z", False),
    ("2026-01-02T03:04:05+24:00", False),
    ("2026-01-02T03:04:05", False),
    ("2026-01-02 03:04:05Z", False),
    ("2026-01-02T03:04:05Z\n", False),
    ("2026-01-02T03:04:05.Z", False),
    ("2026-1-02T03:04:05Z", False),
    ("２０２６-01-02T03:04:05Z", False),
])
def test_date_time(text: str, valid: bool) -> None:
    assert Checker({"format": "date-time"}, format_assertion=True).is_valid(text) is valid


# -- patterns ---------------------------------------------------------------------


def test_pattern_searches_and_dollar_means_end_of_input() -> None:
    checker = Checker({"pattern": "^sha256:[0-9a-f]{4}$"})
    assert checker.is_valid("sha256:abcd")
    assert not checker.is_valid("sha256:abcd\n")  # Python's $ alone would accept this
    assert Checker({"pattern": "b"}).is_valid("abc")  # not anchored
    assert Checker({"pattern": "^[$]\\$$"}).is_valid("$$")  # escaped and bracketed $ stay literal


def test_patterns_are_compiled_once() -> None:
    checker = Checker({"properties": {"a": {"pattern": "^x"}, "b": {"pattern": "^x"}},
                       "patternProperties": {"^x": True}, "additionalProperties": False})
    assert list(checker._patterns) == ["^x"]


# -- recursion ------------------------------------------------------------------


def _nested(depth: int) -> Any:
    value: Any = []
    for _ in range(depth):
        value = [value]
    return value


def test_too_deep_instance_is_an_issue_not_a_crash() -> None:
    checker = Checker({"items": {"$ref": "#"}})
    deep = _nested(100_000)
    assert list(checker.iter_issues(deep)) == [SchemaIssue("$", "nested too deep to check", "")]
    assert checker.is_valid(deep) is False
    assert checker.is_valid(_nested(50))  # ordinary depth is fine, and the checker still works


def test_deep_instance_under_a_shallow_schema_is_fine() -> None:
    assert Checker({"type": "array"}).is_valid(_nested(100_000))


def test_ref_cycle_without_progress_is_reported_not_raised() -> None:
    checker = Checker({"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"$ref": "#/$defs/a"}}, "$ref": "#/$defs/a"})
    assert [issue.message for issue in checker.iter_issues(1)] == ["nested too deep to check"]


# -- the public surface -----------------------------------------------------------


class CountingList(list):
    reads = 0

    def __getitem__(self, index: Any) -> Any:
        CountingList.reads += 1
        return super().__getitem__(index)


def test_is_valid_stops_at_the_first_issue() -> None:
    checker = Checker({"items": {"type": "string"}})
    CountingList.reads = 0
    assert checker.is_valid(CountingList(range(10_000))) is False
    assert CountingList.reads == 1


def test_iter_issues_is_lazy() -> None:
    checker = Checker({"items": {"type": "string"}})
    CountingList.reads = 0
    first = next(checker.iter_issues(CountingList(range(10_000))))
    assert first == SchemaIssue("$[0]", "0 is not of type 'string'", "items/type")
    assert CountingList.reads == 1


def test_schema_is_copied_at_construction() -> None:
    schema = {"properties": {"a": {"type": "string"}}}
    checker = Checker(schema)
    schema["properties"]["a"]["type"] = "integer"
    assert checker.is_valid({"a": "x"})


def test_schema_issue_is_frozen_and_prints_path_first() -> None:
    issue = SchemaIssue("$.a", "1 is not of type 'string'", "properties/a/type")
    assert str(issue) == "$.a: 1 is not of type 'string'"
    with pytest.raises(AttributeError):
        issue.path = "$"  # type: ignore[misc]


def test_keywords_table_names_functions_after_keywords() -> None:
    for keyword, function in KEYWORDS.items():
        assert function.__name__.rstrip("_") == keyword.lstrip("$")


def test_bundled_schemas_are_accepted() -> None:
    # The tool's own schemas must stay within what the checker implements.
    for path in sorted((Path(__file__).resolve().parent.parent / "schemas").glob("*.json")):
        Checker(json.loads(path.read_text(encoding="utf-8")), format_assertion=True, source=str(path))


# -- is_valid's compiled path agrees with iter_issues ------------------------------

SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"


def agreed(checker: Checker, instance: Any) -> bool:
    """``checker.is_valid(instance)``, after asserting that iter_issues gives the same answer."""
    valid = checker.is_valid(instance)
    first = next(iter(checker.iter_issues(instance)), None)
    assert valid is (first is None), (first, instance)
    return valid


# Values put in place of a value, one place at a time: every JSON type, the
# numbers where bool, int and float meet, date-times that are not quite.
WRONG_VALUES = (
    None, True, False, 0, -1, 1.0, 1.5, "", "x",
    "2026-02-30T10:00:00Z", "2026-03-14T10:00:00Z\n", "2026-03-14 10:00:00Z",
    [], ["x"], [1], {}, {"x": 1},
)


def mutations(value: Any) -> Iterator[Any]:
    """Copies of ``value`` with one change each: a value replaced, a key deleted or added, a list emptied."""
    for wrong in WRONG_VALUES:
        yield wrong
    if isinstance(value, dict):
        for key in value:
            yield {name: item for name, item in value.items() if name != key}
        yield {**value, "zz_unexpected": 1}
        for key, item in value.items():
            for mutated in mutations(item):
                yield {**value, key: mutated}
    elif isinstance(value, list):
        for index, item in enumerate(value):
            for mutated in mutations(item):
                yield value[:index] + [mutated] + value[index + 1:]


# Bundled schemas' patterns, each with a string it matches (for `example`).
PATTERN_EXAMPLES = {
    "^sha256:[0-9a-f]{64}$": "sha256:" + "0f" * 32,
    "^[^/\\\\.][^/\\\\]*$": "bug_triage",
    "^[^/].*$": "data/traces.jsonl",
    "^ep_[0-9a-f]{16,64}$": "ep_0123456789abcdef",
    "^[a-zA-Z0-9_-]{1,64}$": "read_file",
}


def example(schema: dict, root: dict) -> Any:
    """A valid instance of a bundled (sub)schema, with every property it names filled in."""
    if "$ref" in schema:
        return example(root["$defs"][schema["$ref"].rsplit("/", 1)[1]], root)  # they all read '#/$defs/name'
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema["type"] if isinstance(schema["type"], str) else schema["type"][0]
    if kind == "object":
        value = {name: example(subschema, root) for name, subschema in schema.get("properties", {}).items()}
        if isinstance(schema.get("additionalProperties"), dict):
            value["extra"] = example(schema["additionalProperties"], root)
        return value
    if kind == "array":
        return [example(schema["items"], root) for _ in range(min(2, schema.get("maxItems", 2)))]
    if kind == "string":
        if "pattern" in schema:
            return PATTERN_EXAMPLES[schema["pattern"]]
        return "2026-03-14T09:26:53Z" if schema.get("format") == "date-time" else "text"
    if kind == "integer":
        return schema.get("minimum", 0) + 1
    if kind == "number":
        return schema.get("minimum", 0) + 0.5
    return True if kind == "boolean" else None


def _approved_runs() -> List[dict]:
    code = "def load(user_id: int) -> dict:\n    return cache.get(user_id, {})\n"
    full = {
        "id": "run-00000042",
        "created_at": "2026-03-14T09:26:53Z",
        "project": "bench",
        "domain": "saas",
        "workflow": "bug_triage",
        "harness": "claude-code",
        "model_used": "claude-sonnet-4",
        "instruction": "Fix the failing test and explain the change.",
        "input_redacted": "Test failure in src/user/cache.py:\n" + code,
        "output_approved": "The key was rebuilt per item. Patch:\n" + code,
        "output_original": "Patch:\n" + code,
        "human_review": {"status": "edited", "reviewer": "maria", "reviewed_at": "2026-03-14T10:00:00+01:00",
                         "review_notes": ["Tightened wording.", "Removed a guess."]},
        "redaction_status": "passed",
        "pii_level": "none",
        "raw_input_stored": False,
        "trainable": True,
        "context_tokens_before": 4812,
        "context_tokens_after": 911.5,
        "stable_rules": ["Run the tests before claiming a fix."],
        "failure_modes": [],
        "eval_tags": "bug_triage",
        "messages": [
            {"role": "system", "content": "You are a careful coding agent."},
            {"role": "user", "content": "test_cache_hit fails; please fix it."},
            {"role": "assistant", "content": None, "tool_calls": [
                {"id": "call_1", "type": "function",
                 "function": {"name": "read_file", "arguments": "{\"path\": \"src/user/cache.py\"}"}},
                {"id": "call_2", "function": {"name": "run_tests", "arguments": {"filter": "cache"}}},
            ]},
            {"role": "tool", "tool_call_id": "call_1", "content": code},
            {"role": "tool", "tool_call_id": "call_2", "name": "run_tests", "content": "1 failed"},
            {"role": "assistant", "content": [{"type": "text", "text": "Found it."}], "reasoning_content": "..."},
        ],
        "tools": [{"type": "function", "function": {"name": "read_file", "description": "Read a file.",
                                                    "parameters": {"type": "object"}}}],
        "model_target": {"family": "qwen"},
    }
    minimal = {name: full[name] for name in (
        "id", "created_at", "domain", "workflow", "input_redacted", "output_approved", "human_review",
        "redaction_status", "pii_level")}
    odd = {**minimal, "human_review": {}, "timestamp": "2026-12-31T23:59:60Z", "context_tokens_before": None,
           "messages": [{"role": "developer", "content": []}], "future_field": {"kept": True}}
    return [full, minimal, odd]


def _bundled_cases() -> List[Any]:
    cases = []
    for path in sorted(SCHEMAS.glob("*.schema.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        records = [example(schema, schema)]
        if path.name == "approved-run.schema.json":
            records += _approved_runs()
        cases.append(pytest.param(path, records, id=path.name))
    return cases


@pytest.mark.parametrize("path, records", _bundled_cases())
def test_is_valid_agrees_with_iter_issues_on_bundled_schemas(path: Path, records: List[Any]) -> None:
    checker = Checker(json.loads(path.read_text(encoding="utf-8")), format_assertion=True, source=str(path))
    answers = []
    for record in records:
        assert agreed(checker, record), list(checker.iter_issues(record))
        answers += [agreed(checker, mutated) for mutated in mutations(record)]
    # The mutations must reach both answers, or they prove little.
    assert answers.count(True) > 10 and answers.count(False) > 100, (answers.count(True), answers.count(False))


_DELETE = object()


def _set(record: Any, where: Tuple[Any, ...], value: Any) -> Any:
    """A copy of ``record`` with the value at ``where`` replaced (or deleted, for _DELETE)."""
    record = json.loads(json.dumps(record))
    target = record
    for step in where[:-1]:
        target = target[step]
    if value is _DELETE:
        del target[where[-1]]
    else:
        target[where[-1]] = value
    return record


@pytest.mark.parametrize("where, value, valid", [
    (("created_at",), "2026-02-30T10:00:00Z", False),  # no such day
    (("created_at",), "2024-02-29T10:00:00z", True),  # a leap year; t and z in either case
    (("created_at",), "2026-03-14T10:00:00Z\n", False),
    (("created_at",), "2026-03-14T23:59:60+01:00", False),  # a leap second only ends a UTC day
    (("created_at",), 20260314, False),
    (("id",), "", False),  # minLength
    (("id",), _DELETE, False),  # required
    (("output_original",), _DELETE, True),  # optional
    (("context_tokens_before",), True, False),  # bool is not a number
    (("context_tokens_before",), -1, False),  # minimum
    (("context_tokens_before",), 1e300, True),
    (("raw_input_stored",), 0, False),  # an int is not a bool either
    (("eval_tags",), ["a", 1], False),
    (("human_review", "review_notes"), None, False),
    (("messages",), [], False),  # minItems
    (("messages", 1, "role"), "robot", False),  # enum
    (("messages", 3, "tool_call_id"), _DELETE, False),  # if role is tool, then tool_call_id is required
    (("messages", 2, "role"), "user", True),  # no tool_call_id needed but for a tool
    (("messages", 4, "name"), _DELETE, True),
    (("messages", 2, "tool_calls", 0, "function", "name"), "", False),
    (("messages", 2, "tool_calls", 0, "type"), "tool", False),  # const
    (("messages", 2, "tool_calls", 1, "function", "arguments"), ["x"], False),
    (("messages", 5, "content", 0, "type"), _DELETE, False),
    (("tools", 0, "function", "parameters"), "{}", False),
    (("model_target",), [], False),
    (("future_field",), {"anything": [1, None]}, True),  # additionalProperties: true
])
def test_is_valid_on_approved_run_mutations(where: Tuple[Any, ...], value: Any, valid: bool) -> None:
    checker = Checker(json.loads((SCHEMAS / "approved-run.schema.json").read_text(encoding="utf-8")),
                      format_assertion=True)
    assert agreed(checker, _set(_approved_runs()[0], where, value)) is valid


class Text(str):
    pass


class Count(int):
    pass


@pytest.mark.parametrize("schema, instance", [
    ({"type": "string", "minLength": 2}, Text("a")),
    ({"type": "string", "minLength": 2}, Text("ab")),
    ({"type": "integer", "minimum": 2}, Count(1)),
    ({"enum": ["a", 1]}, Count(1)),
    ({"type": "array", "items": {"type": "string"}}, ("a", "b")),
    ({"type": "array", "items": {"type": "string"}}, ("a", 2)),
    ({"properties": {"a": {"type": "string"}}}, {"a": Text("x")}),
    ({"items": {"type": "integer"}}, [1, Count(2), True]),
    ({"type": "object"}, {1, 2}),
    ({"not": {"type": "object"}}, {1, 2}),
])
def test_values_json_does_not_make_take_the_plan_path_and_agree(schema: Any, instance: Any) -> None:
    agreed(Checker(schema), instance)


@pytest.mark.parametrize("schema, instance, valid", [
    ({"minimum": 0}, float("nan"), True),  # the keyword functions test `nan < 0`: false, so no issue
    ({"exclusiveMaximum": 0}, float("nan"), True),
    ({"enum": [float("nan"), 1]}, float("nan"), False),  # NaN equals nothing, itself included
    ({"enum": [1.0]}, 1, True),
    ({"enum": [True, None]}, 1, False),
    ({"enum": [[1, {"a": True}]]}, [1.0, {"a": True}], True),
    ({"enum": [[1]]}, [True], False),
    ({"enum": [Text("a")]}, "a", True),  # a member that is no JSON type: checked by the keyword function
    ({"const": 10 ** 400}, 10 ** 400, True),
    ({"multipleOf": 3}, 10 ** 400 + 2, True),
    ({"multipleOf": 3}, 10 ** 400, False),
    ({"multipleOf": 0.1}, 10 ** 400, True),
    ({"type": "integer"}, 1e300, True),
    ({"anyOf": [{"type": "string"}, True]}, 1, True),
    ({"oneOf": [True, {"type": "integer"}]}, 1.5, True),
    ({"oneOf": [True, True]}, 1, False),
    ({"if": False, "then": False, "else": {"type": "string"}}, "x", True),
    ({"if": {"type": "string"}, "then": {"minLength": 2}, "else": {"minimum": 1}}, 0, False),
    ({"dependentSchemas": {"a": False}}, {"a": 1}, False),
    ({"propertyNames": False}, {}, True),
    ({"contains": {"type": "string"}, "minContains": 2, "maxContains": 2}, ["a", 1, "b"], True),
    ({"contains": {"type": "string"}, "maxContains": 1}, ["a", 1, "b"], False),
    ({"prefixItems": [{"type": "integer"}], "items": {"type": "string"}}, [1, "a", 2], False),
    ({"patternProperties": {"^x": {"type": "integer"}}, "additionalProperties": False}, {"x1": 1, "y": 1}, False),
    ({"uniqueItems": True}, [{"a": [1]}, {"a": [1.0]}], False),
], ids=lambda value: repr(value)[:40])
def test_fast_path_edges_agree(schema: Any, instance: Any, valid: bool) -> None:
    assert agreed(Checker(schema), instance) is valid


def test_recursive_schema_on_the_fast_path() -> None:
    node = {"type": "object", "required": ["id"],
            "properties": {"id": {"type": "integer"}, "children": {"items": {"$ref": "#/$defs/node"}}}}
    schema = {"$defs": {"node": node}, "$ref": "#/$defs/node"}
    checker = Checker(schema)
    tree: dict = {"id": 0, "children": []}
    for depth in range(1, 60):
        tree = {"id": depth, "children": [{"id": -depth}, tree]}
    assert agreed(checker, tree)
    tree["children"][1]["children"][1]["children"][0]["id"] = "x"
    assert not agreed(checker, tree)


def test_schema_too_deep_to_compile_is_still_checked() -> None:
    # Compiling spends more stack per level than the walk; such a schema keeps is_valid on the plan path.
    schema: Any = {"type": "string"}
    instance: Any = "x"
    for _ in range(200):
        schema, instance = {"properties": {"a": schema}}, {"a": instance}
    checker = Checker(schema)
    assert agreed(checker, instance)
    assert not agreed(checker, json.loads(json.dumps(instance).replace('"x"', "1")))


def test_every_keyword_has_a_compiler_named_after_it() -> None:
    assert list(_COMPILERS) == list(KEYWORDS)
    for keyword, compiler in _COMPILERS.items():
        assert compiler.__name__ == "_compile_" + keyword.lstrip("$")
