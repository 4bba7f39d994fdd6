"""Keyword values made ready once, when a schema is loaded: checked, and precomputed for the keyword functions.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Dict, Final

from .json_values import _FORMATS, _NUMBERS, _SKIP, _TYPE_ADMITS, _exact, _kind, _Parts

if TYPE_CHECKING:
    from .checker import Checker


# --------------------------------------------------------------------------
# Preparing keyword values: validate them once and precompute what the
# keyword function needs. Signature: (checker, value, schema, where, base).


def _prepare_as_is(checker: Checker, value: Any, schema: dict, where: _Parts, base: str) -> Any:
    return value


def _prepare_type(checker: Checker, value: Any, schema: dict, where: _Parts, base: str) -> Any:
    names = (value,) if isinstance(value, str) else value
    checker._expect(
        isinstance(names, (list, tuple)) and names and all(name in _TYPE_ADMITS for name in names),
        "type", where, f"one of {sorted(_TYPE_ADMITS)} or a non-empty array of them",
    )
    return tuple(names)


def _prepare_enum(checker: Checker, value: Any, schema: dict, where: _Parts, base: str) -> Any:
    checker._expect(isinstance(value, list), "enum", where, "an array")
    return value


def _prepare_names(keyword: str) -> Callable[..., Any]:
    def prepare(checker: Checker, value: Any, schema: dict, where: _Parts, base: str) -> Any:
        checker._expect(
            isinstance(value, list) and all(isinstance(name, str) for name in value),
            keyword, where, "an array of strings",
        )
        return value or _SKIP

    return prepare


def _prepare_properties(checker: Checker, value: Any, schema: dict, where: _Parts, base: str) -> Any:
    subschemas = {name: subschema for name, subschema in value.items() if subschema is not True}
    return subschemas or _SKIP


def _prepare_pattern_properties(checker: Checker, value: Any, schema: dict, where: _Parts, base: str) -> Any:
    compiled = tuple(
        (text, checker._regex(text, "patternProperties", where), subschema) for text, subschema in value.items()
    )
    return tuple(each for each in compiled if each[2] is not True) or _SKIP


def _prepare_additional_properties(checker: Checker, value: Any, schema: dict, where: _Parts, base: str) -> Any:
    if value is True:
        return _SKIP
    known = frozenset(schema.get("properties", ()))
    regexes = tuple(checker._regex(text, "patternProperties", where) for text in schema.get("patternProperties", ()))
    return value, known, regexes


def _prepare_subschema(checker: Checker, value: Any, schema: dict, where: _Parts, base: str) -> Any:
    return _SKIP if value is True else value


def _prepare_count(keyword: str, skip_at_zero: bool) -> Callable[..., Any]:
    def prepare(checker: Checker, value: Any, schema: dict, where: _Parts, base: str) -> Any:
        count = checker._count(schema, keyword, where)
        return _SKIP if skip_at_zero and count == 0 else count

    return prepare


def _prepare_dependent_required(checker: Checker, value: Any, schema: dict, where: _Parts, base: str) -> Any:
    checker._expect(
        isinstance(value, dict)
        and all(isinstance(names, list) and all(isinstance(n, str) for n in names) for names in value.values()),
        "dependentRequired", where, "an object of string arrays",
    )
    return value or _SKIP


def _prepare_dependent_schemas(checker: Checker, value: Any, schema: dict, where: _Parts, base: str) -> Any:
    return {name: subschema for name, subschema in value.items() if subschema is not True} or _SKIP


def _prepare_items(checker: Checker, value: Any, schema: dict, where: _Parts, base: str) -> Any:
    if value is True:
        return _SKIP
    return value, len(schema.get("prefixItems", ()))


def _prepare_contains(checker: Checker, value: Any, schema: dict, where: _Parts, base: str) -> Any:
    least = checker._count(schema, "minContains", where) if "minContains" in schema else 1
    most = checker._count(schema, "maxContains", where) if "maxContains" in schema else None
    if least == 0 and most is None:
        return _SKIP
    return value, least, most


def _prepare_unique_items(checker: Checker, value: Any, schema: dict, where: _Parts, base: str) -> Any:
    checker._expect(isinstance(value, bool), "uniqueItems", where, "a boolean")
    return value or _SKIP


def _prepare_pattern(checker: Checker, value: Any, schema: dict, where: _Parts, base: str) -> Any:
    return value, checker._regex(value, "pattern", where)


def _prepare_format(checker: Checker, value: Any, schema: dict, where: _Parts, base: str) -> Any:
    checker._expect(isinstance(value, str), "format", where, "a string")
    is_valid = _FORMATS.get(value)
    if not checker.format_assertion or is_valid is None:
        return _SKIP  # an annotation (2020-12 validation, section 7.2.1)
    return value, is_valid


def _prepare_number(keyword: str) -> Callable[..., Any]:
    def prepare(checker: Checker, value: Any, schema: dict, where: _Parts, base: str) -> Any:
        checker._expect(_kind(value) in _NUMBERS, keyword, where, "a number")
        return value

    return prepare


def _prepare_multiple_of(checker: Checker, value: Any, schema: dict, where: _Parts, base: str) -> Any:
    exact = _exact(value) if _kind(value) in _NUMBERS else None
    checker._expect(exact is not None and exact > 0, "multipleOf", where, "a number greater than 0")
    return value, exact


def _prepare_if(checker: Checker, value: Any, schema: dict, where: _Parts, base: str) -> Any:
    then, else_ = schema.get("then"), schema.get("else")
    if then in (None, True) and else_ in (None, True):
        return _SKIP  # `if` alone only annotates
    return value, then, else_


def _prepare_ref(checker: Checker, value: Any, schema: dict, where: _Parts, base: str) -> Any:
    checker._expect(isinstance(value, str), "$ref", where, "a string")
    return checker._resolve(value, where, base)


_PREPARE: Final[Dict[str, Callable[..., Any]]] = {
    "type": _prepare_type,
    "enum": _prepare_enum,
    "required": _prepare_names("required"),
    "properties": _prepare_properties,
    "additionalProperties": _prepare_additional_properties,
    "patternProperties": _prepare_pattern_properties,
    "propertyNames": _prepare_subschema,
    "minProperties": _prepare_count("minProperties", skip_at_zero=True),
    "maxProperties": _prepare_count("maxProperties", skip_at_zero=False),
    "dependentRequired": _prepare_dependent_required,
    "dependentSchemas": _prepare_dependent_schemas,
    "items": _prepare_items,
    "contains": _prepare_contains,
    "minItems": _prepare_count("minItems", skip_at_zero=True),
    "maxItems": _prepare_count("maxItems", skip_at_zero=False),
    "uniqueItems": _prepare_unique_items,
    "minLength": _prepare_count("minLength", skip_at_zero=True),
    "maxLength": _prepare_count("maxLength", skip_at_zero=False),
    "pattern": _prepare_pattern,
    "format": _prepare_format,
    "minimum": _prepare_number("minimum"),
    "maximum": _prepare_number("maximum"),
    "exclusiveMinimum": _prepare_number("exclusiveMinimum"),
    "exclusiveMaximum": _prepare_number("exclusiveMaximum"),
    "multipleOf": _prepare_multiple_of,
    "not": _prepare_as_is,
    "if": _prepare_if,
    "$ref": _prepare_ref,
}
