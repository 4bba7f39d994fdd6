"""The official JSON-Schema-Test-Suite (draft 2020-12) against records/checker.py.

Every case whose schema uses only keywords the checker implements must pass:
no xfail. The rest are collected as skips that say why, so ``pytest -rs``
lists them. Where the files come from: json-schema-test-suite/README.md.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

import pytest

from data_flywheel.errors import SchemaError
from data_flywheel.records import checker as checker_module
from data_flywheel.records.checker import Checker
from test_checker import mutations

SUITE = Path(__file__).resolve().parent / "json-schema-test-suite" / "draft2020-12"

# Run with format_assertion=True; everything else with `format` as an annotation.
FORMAT_ASSERTION = {"optional/format/date-time.json"}

# Groups left out by hand: they need something outside the schema document.
# (Groups that use an unimplemented keyword are found by _unimplemented below.)
NEEDS_OUTSIDE: Dict[Tuple[str, str], str] = {
    ("ref.json", "remote ref, containing refs itself"):
        "needs the draft 2020-12 metaschema, a remote $ref",
    ("vocabulary.json", "schema that uses custom metaschema with with no validation vocabulary"):
        "needs a remote metaschema whose $vocabulary turns validation off",
}

# The suite may not shrink unnoticed: 1043 cases ran when it was vendored.
FLOOR = 1000

IMPLEMENTED = frozenset(checker_module.KEYWORDS) | checker_module.COMPANIONS | checker_module.ANNOTATIONS

# Where subschemas sit among the implemented keywords (2020-12 core, section 10).
# Written out here, not borrowed from the checker, so that a checker that
# refused a schema it should accept makes a case fail instead of vanish.
_ONE = ("additionalProperties", "propertyNames", "items", "contains", "not", "if", "then", "else")
_MAP = ("properties", "patternProperties", "dependentSchemas", "$defs")
_LIST = ("prefixItems", "allOf", "anyOf", "oneOf")


def _unimplemented(schema: Any) -> Optional[str]:
    """The first keyword in ``schema`` (or its subschemas) that the checker does not implement."""
    if not isinstance(schema, dict):
        return None
    for keyword in schema:
        if keyword not in IMPLEMENTED:
            return keyword
    subschemas: List[Any] = [schema[k] for k in _ONE if k in schema]
    subschemas += [each for k in _MAP if k in schema for each in schema[k].values()]
    subschemas += [each for k in _LIST if k in schema for each in schema[k]]
    for subschema in subschemas:
        found = _unimplemented(subschema)
        if found:
            return found
    return None


def _groups() -> Iterator[Tuple[str, dict]]:
    for path in sorted(SUITE.rglob("*.json")):
        name = path.relative_to(SUITE).as_posix()
        for group in json.loads(path.read_text(encoding="utf-8")):
            yield name, group


def _collect() -> Tuple[list, list, int]:
    cases, refusals, ran = [], [], 0
    for name, group in _groups():
        keyword = _unimplemented(group["schema"])
        reason = NEEDS_OUTSIDE.get((name, group["description"]))
        if keyword is not None:
            reason = f"uses {keyword!r}, which the checker does not implement"
            refusals.append(pytest.param(group["schema"], id=f"{name}::{group['description']}"))
        for test in group["tests"]:
            marks = [pytest.mark.skip(reason=reason)] if reason else []
            ran += not reason
            cases.append(pytest.param(
                name, group["schema"], test["data"], test["valid"],
                id=f"{name}::{group['description']}::{test['description']}", marks=marks,
            ))
    return cases, refusals, ran


CASES, REFUSALS, RAN = _collect()
_CHECKERS: Dict[str, Checker] = {}


def _checker(name: str, schema: Any) -> Checker:
    # One checker per group, built on first use: building is the costly part.
    key = name + json.dumps(schema, sort_keys=True)
    if key not in _CHECKERS:
        _CHECKERS[key] = Checker(schema, format_assertion=name in FORMAT_ASSERTION, source=name)
    return _CHECKERS[key]


@pytest.mark.parametrize("name, schema, data, valid", CASES)
def test_case(name: str, schema: Any, data: Any, valid: bool) -> None:
    # Both paths: is_valid runs compiled closures, iter_issues the keyword functions.
    checker = _checker(name, schema)
    issues = list(checker.iter_issues(data))
    assert checker.is_valid(data) is valid, issues
    assert (not issues) is valid, issues


def _groups_that_ran() -> List[Any]:
    return [
        pytest.param(name, group["schema"], [test["data"] for test in group["tests"]],
                     id=f"{name}::{group['description']}")
        for name, group in _groups()
        if _unimplemented(group["schema"]) is None and (name, group["description"]) not in NEEDS_OUTSIDE
    ]


@pytest.mark.parametrize("name, schema, datas", _groups_that_ran())
def test_is_valid_agrees_with_iter_issues_on_mutated_data(name: str, schema: Any, datas: List[Any]) -> None:
    # The suite's expected answers cover what its authors thought of; the two
    # paths must also agree on everything one change away from their data.
    checker = _checker(name, schema)
    for data in datas:
        for mutated in mutations(data):
            first = next(iter(checker.iter_issues(mutated)), None)
            assert checker.is_valid(mutated) is (first is None), (mutated, first)


@pytest.mark.parametrize("schema", REFUSALS)
def test_unimplemented_keyword_is_refused(schema: Any) -> None:
    with pytest.raises(SchemaError) as caught:
        Checker(schema)
    message = caught.value.message
    assert re.fullmatch(r"schema uses keyword '([^']+)' at \$\S*, which this checker does not implement", message)
    # The checker may meet another unimplemented keyword first; it must still be one.
    assert message.split("'")[1] not in IMPLEMENTED


def test_suite_did_not_shrink() -> None:
    assert RAN >= FLOOR, f"only {RAN} suite cases ran"


def test_hand_exclusions_still_exist() -> None:
    present = {(name, group["description"]) for name, group in _groups()}
    assert set(NEEDS_OUTSIDE) <= present
