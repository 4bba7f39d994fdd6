"""A small JSON Schema (draft 2020-12) checker, written by hand.

Public names: ``Checker``, ``SchemaIssue`` and ``KEYWORDS`` (keyword name ->
the function that checks it). Everything else here is private.

The design follows python-jsonschema (``jsonschema/_keywords.py``): one
function per keyword, named like the keyword (``type_``, ``not_``, ``if_`` and
``format_`` only dodge Python names), each a generator of issues. What it adds:

* The schema is walked once, when the ``Checker`` is built. A keyword it does
  not implement is refused there (``SchemaError``) rather than ignored, because
  a checker that silently skips ``unevaluatedProperties`` passes records the
  schema's author meant to reject.
* Each subschema is compiled into a *plan*: for every kind of JSON value, the
  keywords that can say something about it, with their values prepared
  (patterns compiled, ``$ref`` resolved, ``multipleOf`` made exact). A
  ``properties`` keyword never runs on a string, and ``"type": "string"`` does
  not run at all on a string: the plan for strings simply leaves it out.
* Issues are built lazily. Keyword functions yield ``(path, message,
  schema_path)`` with paths as tuples *relative* to the value they were given;
  callers prepend their own step while the issue bubbles up, messages are
  rendered only when ``iter_issues`` hands an issue out. A valid record costs
  no path or message bookkeeping at all.
* ``is_valid`` has a path of its own, because the export asks it about every
  record and nearly always hears yes. Each plan is compiled a second time,
  one compiler per keyword (``_COMPILERS``), into plain closures that return
  a bool: no generators, no paths, and whatever the schema settles in advance
  folded away. ``iter_issues`` keeps the plan path; the tests hold the two to
  the same answer.

Patterns are ECMA-262 in the spec and run on Python's ``re`` here (``search``,
compiled once). ``$`` is translated to keep its ECMA meaning (see
``_python_pattern``); ``\\d`` and ``\\w`` still match non-ASCII digits and letters.

Keyword reference: https://json-schema.org/draft/2020-12/json-schema-validation
and https://json-schema.org/draft/2020-12/json-schema-core (sections cited below).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Callable, Dict, Final, FrozenSet, Iterable, Iterator, List, Optional, Set, Tuple
from urllib.parse import unquote, urljoin, urlsplit

from ..errors import SchemaError

__all__ = ["Checker", "KEYWORDS", "SchemaIssue"]

# A relative issue as keyword functions yield it: (instance path parts,
# message, schema path parts). Parts are str (object keys, keywords) or int.
_Parts = Tuple[Any, ...]
_RawIssue = Tuple[_Parts, Callable[[], str], _Parts]

_SHORT_LIMIT: Final = 80
_REMEDY_KEYWORD: Final = "remove the keyword or express the rule with keywords this checker implements"
_REMEDY_VALUE: Final = "fix the schema; see https://json-schema.org/draft/2020-12/json-schema-validation"


@dataclass(frozen=True)
class SchemaIssue:
    """One way an instance breaks the schema.

    ``path`` is a JSON path into the instance (``$``, ``$.messages[3].content``,
    ``$['odd key']``); ``schema_path`` the keywords that led there, joined by
    ``/`` (``properties/messages/items/$ref/type``).
    """

    path: str
    message: str
    schema_path: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


# --------------------------------------------------------------------------
# Kinds of JSON values. Python's json module only makes these exact types, so
# one dict lookup classifies a value; subclasses take the slow path.

_KIND_OF: Final[Dict[type, str]] = {
    str: "string",
    dict: "object",
    list: "array",
    int: "integer",
    float: "number",
    bool: "boolean",
    type(None): "null",
}
# "other" is anything that is not JSON at all (a set, a datetime): only the
# keywords that apply to every value (type, enum, const, ...) can see it.
_ALL_KINDS: Final = ("null", "boolean", "integer", "number", "string", "array", "object", "other")
_NUMBERS: Final = ("integer", "number")

# Which kinds a `type` name admits without further checks. "integer" also
# admits floats with no fractional part (1.0), which needs a look at the value.
_TYPE_ADMITS: Final[Dict[str, Tuple[str, ...]]] = {
    "null": ("null",),
    "boolean": ("boolean",),
    "integer": ("integer",),
    "number": _NUMBERS,
    "string": ("string",),
    "array": ("array",),
    "object": ("object",),
}


def _kind(value: Any) -> str:
    kind = _KIND_OF.get(type(value))
    if kind is not None:
        return kind
    # bool before int: True is an int to Python but never a number to JSON.
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (list, tuple)):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "other"


# The JSON type name of a decoded value, for code outside the checker (tool schemas inferred from calls).
json_kind = _kind


def _is_type(value: Any, name: str) -> bool:
    kind = _kind(value)
    if kind in _TYPE_ADMITS[name]:
        return True
    return name == "integer" and kind == "number" and value.is_integer()


def _equal(one: Any, other: Any) -> bool:
    """JSON equality: 1 == 1.0, but true != 1; arrays and objects compared deeply by the same rule."""
    kind, other_kind = _kind(one), _kind(other)
    if kind in _NUMBERS and other_kind in _NUMBERS:
        return one == other
    if kind != other_kind:
        return False
    if kind == "array":
        return len(one) == len(other) and all(_equal(a, b) for a, b in zip(one, other))
    if kind == "object":
        return one.keys() == other.keys() and all(_equal(one[key], other[key]) for key in one)
    return one == other


def _unique_key(value: Any) -> Any:
    """A hashable stand-in that is equal exactly when the values are JSON-equal (for uniqueItems)."""
    kind = _kind(value)
    if kind in _NUMBERS:
        return ("number", value)  # 1 == 1.0 and hash(1) == hash(1.0)
    if kind == "array":
        return ("array", tuple(_unique_key(item) for item in value))
    if kind == "object":
        return ("object", frozenset((key, _unique_key(item)) for key, item in value.items()))
    if kind == "other":
        return ("other", id(value))
    return (kind, value)


# --------------------------------------------------------------------------
# Rendering: messages and paths stay short however big the record is.


def _short(value: Any, limit: int = _SHORT_LIMIT) -> str:
    """A repr-like rendering of a JSON value, cut at ``limit`` characters with '...'.

    Records can carry megabytes of text, so this never renders more than about
    ``limit`` characters of the value, whatever its size or depth.
    """
    out: List[str] = []
    _render(value, out, limit + 1)
    text = "".join(out)
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return text


def _render(value: Any, out: List[str], budget: int) -> int:
    # Returns the budget left; every container costs at least one character,
    # so recursion depth is bounded by the budget, not by the value.
    if budget <= 0:
        return budget
    kind = _kind(value)
    if kind == "string":
        text = repr(value[:budget])
    elif kind == "array":
        out.append("[")
        budget -= 1
        for index, item in enumerate(value):
            if budget <= 0:
                return budget
            if index:
                out.append(", ")
                budget -= 2
            budget = _render(item, out, budget)
        text = "]"
    elif kind == "object":
        out.append("{")
        budget -= 1
        for index, (key, item) in enumerate(value.items()):
            if budget <= 0:
                return budget
            if index:
                out.append(", ")
                budget -= 2
            budget = _render(key, out, budget)
            out.append(": ")
            budget = _render(item, out, budget - 2)
        text = "}"
    else:
        try:
            text = repr(value)
        except ValueError:  # an int past sys.get_int_max_str_digits()
            text = "<a very large integer>"
    out.append(text)
    return budget - len(text)


_IDENTIFIER: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f]")


def _quote_key(key: str) -> str:
    # A key is untrusted data too: cut it like a value, and escape what would
    # break a one-line message.
    if len(key) > _SHORT_LIMIT:
        key = key[: _SHORT_LIMIT - 3] + "..."
    key = key.replace("\\", "\\\\").replace("'", "\\'")
    key = _CONTROL.sub(lambda match: f"\\u{ord(match.group()):04x}", key)
    return f"['{key}']"


def _json_path(parts: _Parts) -> str:
    """``('messages', 3, 'content')`` -> ``$.messages[3].content``; odd keys bracket-quoted."""
    out = ["$"]
    for part in parts:
        if isinstance(part, int):
            out.append(f"[{part}]")
        elif len(part) <= _SHORT_LIMIT and _IDENTIFIER.match(part):
            out.append("." + part)
        else:
            out.append(_quote_key(part))
    return "".join(out)


def _schema_path(parts: _Parts) -> str:
    # JSON-pointer escaping keeps a property named "a/b" unambiguous.
    return "/".join(str(part).replace("~", "~0").replace("/", "~1") for part in parts)


# --------------------------------------------------------------------------
# Formats. Only checked with Checker(format_assertion=True); by default
# `format` is an annotation (2020-12 validation, section 7.2.1).

# RFC 3339 section 5.6, each field's range written into the pattern (month
# 01-12, hour 00-23, second up to 60, ...), so that a match leaves only the
# day of the month and the leap second to Python. No groups: the fields sit
# at fixed offsets, and slicing them is cheaper than capturing. A run carries
# two or three date-times, and this is on the export's path for each.
# [0-9], not \d: \d also matches other scripts' digits.
_DATE_TIME: Final = re.compile(
    r"[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])"
    r"[Tt](?:[01][0-9]|2[0-3]):[0-5][0-9]:(?:[0-5][0-9]|60)(?:\.[0-9]+)?"
    r"(?:[Zz]|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])"
)
_DAYS_IN_MONTH: Final = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _days_in_month(year: int, month: int) -> int:
    if month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
        return 29
    return _DAYS_IN_MONTH[month - 1]


def _is_date_time(text: str) -> bool:
    """RFC 3339 ``date-time``: ``YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)``, T and Z in either case."""
    if _DATE_TIME.fullmatch(text) is None:  # fullmatch: `$` would let a trailing newline through
        return False
    # YYYY-MM-DDTHH:MM:SS: year [0:4], month [5:7], day [8:10], hour [11:13], minute [14:16], second [17:19].
    day = text[8:10]
    if day > "28" and int(day) > _days_in_month(int(text[0:4]), int(text[5:7])):
        return False
    if text[17:19] != "60":
        return True
    # RFC 3339 section 5.7: a leap second ends a UTC day, so in UTC it is 23:59:60.
    offset = 0
    if text[-1] not in "Zz":  # then it ends in +HH:MM or -HH:MM
        offset = int(text[-5:-3]) * 60 + int(text[-2:])
        if text[-6] == "-":
            offset = -offset
    return (int(text[11:13]) * 60 + int(text[14:16]) - offset) % 1440 == 23 * 60 + 59


_FORMATS: Final[Dict[str, Callable[[str], bool]]] = {"date-time": _is_date_time}


# --------------------------------------------------------------------------
# The keywords. Each takes (checker, value, instance, schema): `value` is the
# keyword's value as _PREPARE made it, `schema` the raw schema object the
# keyword sits in. Each runs only on the kinds of value _APPLIES_TO lists.
#
# Each yields (path, message, schema_path): paths relative to `instance`,
# schema paths starting with the keyword itself. Messages are lambdas
# (loop variables bound as defaults): the failing branches of anyOf, oneOf,
# not and if are checked all the time and nobody reads why, and rendering a
# value costs more than checking it.


def _false_schema(instance: Any) -> Iterator[_RawIssue]:
    yield (), lambda: f"False schema does not allow {_short(instance)}", ()


def type_(checker: Checker, types: Tuple[str, ...], instance: Any, schema: dict) -> Iterator[_RawIssue]:
    if not any(_is_type(instance, name) for name in types):
        yield (), lambda: f"{_short(instance)} is not of type {', '.join(repr(name) for name in types)}", ("type",)


def enum(checker: Checker, enums: list, instance: Any, schema: dict) -> Iterator[_RawIssue]:
    # A string or null equals only itself under ==, so `in` is exact for them.
    if isinstance(instance, str) or instance is None:
        found = instance in enums
    else:
        found = any(_equal(each, instance) for each in enums)
    if not found:
        yield (), lambda: f"{_short(instance)} is not one of {_short(enums)}", ("enum",)


def const(checker: Checker, value: Any, instance: Any, schema: dict) -> Iterator[_RawIssue]:
    if not _equal(value, instance):
        yield (), lambda: f"{_short(value)} was expected", ("const",)


def required(checker: Checker, names: List[str], instance: dict, schema: dict) -> Iterator[_RawIssue]:
    for name in names:
        if name not in instance:
            yield (), lambda name=name: f"{_short(name)} is a required property", ("required",)


def properties(checker: Checker, subschemas: Dict[str, Any], instance: dict, schema: dict) -> Iterator[_RawIssue]:
    descend = checker._descend
    for name, subschema in subschemas.items():
        if name in instance:
            for path, message, schema_path in descend(instance[name], subschema):
                yield (name,) + path, message, ("properties", name) + schema_path


def _names(names: List[str], most: int = 5) -> str:
    shown = ", ".join(_short(name) for name in names[:most])
    if len(names) > most:
        shown += f", ... ({len(names)} in all)"
    return shown


def additionalProperties(checker: Checker, prepared: tuple, instance: dict, schema: dict) -> Iterator[_RawIssue]:
    subschema, known, regexes = prepared  # `properties` names, compiled `patternProperties`
    extras = [name for name in instance if name not in known and not any(r.search(name) for r in regexes)]
    if not extras:
        return
    if subschema is False:
        if regexes:
            yield (), lambda: (
                f"{_names(sorted(extras))} {'does' if len(extras) == 1 else 'do'} not match any of the regexes: "
                + ", ".join(_short(text) for text in sorted(schema["patternProperties"]))
            ), ("additionalProperties",)
        else:
            yield (), lambda: (
                f"Additional properties are not allowed "
                f"({_names(extras)} {'was' if len(extras) == 1 else 'were'} unexpected)"
            ), ("additionalProperties",)
        return
    for name in extras:
        for path, message, schema_path in checker._descend(instance[name], subschema):
            yield (name,) + path, message, ("additionalProperties",) + schema_path


def patternProperties(checker: Checker, prepared: tuple, instance: dict, schema: dict) -> Iterator[_RawIssue]:
    descend = checker._descend
    for name, value in instance.items():
        for text, regex, subschema in prepared:
            if regex.search(name):
                for path, message, schema_path in descend(value, subschema):
                    yield (name,) + path, message, ("patternProperties", text) + schema_path


def propertyNames(checker: Checker, subschema: Any, instance: dict, schema: dict) -> Iterator[_RawIssue]:
    # The name is the instance here, so issues point at the object that holds it.
    for name in instance:
        for _, message, schema_path in checker._descend(name, subschema):
            yield (), message, ("propertyNames",) + schema_path


def minProperties(checker: Checker, least: int, instance: dict, schema: dict) -> Iterator[_RawIssue]:
    if len(instance) < least:
        problem = "should be non-empty" if least == 1 else "does not have enough properties"
        yield (), lambda: f"{_short(instance)} {problem}", ("minProperties",)


def maxProperties(checker: Checker, most: int, instance: dict, schema: dict) -> Iterator[_RawIssue]:
    if len(instance) > most:
        problem = "is expected to be empty" if most == 0 else "has too many properties"
        yield (), lambda: f"{_short(instance)} {problem}", ("maxProperties",)


def dependentRequired(checker: Checker, dependencies: dict, instance: dict, schema: dict) -> Iterator[_RawIssue]:
    for name, needed in dependencies.items():
        if name in instance:
            for each in needed:
                if each not in instance:
                    yield (), lambda each=each, name=name: (
                        f"{_short(each)} is a dependency of {_short(name)}"
                    ), ("dependentRequired", name)


def dependentSchemas(checker: Checker, dependencies: dict, instance: dict, schema: dict) -> Iterator[_RawIssue]:
    for name, subschema in dependencies.items():
        if name in instance:
            for path, message, schema_path in checker._descend(instance, subschema):
                yield path, message, ("dependentSchemas", name) + schema_path


def prefixItems(checker: Checker, subschemas: list, instance: list, schema: dict) -> Iterator[_RawIssue]:
    descend = checker._descend
    for index, (item, subschema) in enumerate(zip(instance, subschemas)):
        for path, message, schema_path in descend(item, subschema):
            yield (index,) + path, message, ("prefixItems", index) + schema_path


def items(checker: Checker, prepared: tuple, instance: list, schema: dict) -> Iterator[_RawIssue]:
    subschema, prefix = prepared  # `items` covers what `prefixItems` does not
    extra = len(instance) - prefix
    if extra <= 0:
        return
    if subschema is False:
        rest = instance[prefix:] if extra != 1 else instance[prefix]
        word = "item" if prefix == 1 else "items"
        yield (), lambda: f"Expected at most {prefix} {word} but found {extra} extra: {_short(rest)}", ("items",)
        return
    descend = checker._descend
    for index in range(prefix, len(instance)):
        for path, message, schema_path in descend(instance[index], subschema):
            yield (index,) + path, message, ("items",) + schema_path


def contains(checker: Checker, prepared: tuple, instance: list, schema: dict) -> Iterator[_RawIssue]:
    subschema, least, most = prepared  # minContains (default 1), maxContains (or None)
    valid = checker._valid
    matched = 0
    for item in instance:
        if valid(item, subschema):
            matched += 1
            if most is None and matched >= least:
                return
            if most is not None and matched > most:
                yield (), lambda: (
                    f"Too many items match the given schema (expected at most {most})"
                ), ("contains", "maxContains")
                return
    if matched >= least:
        return
    if least == 1:
        yield (), lambda: f"{_short(instance)} does not contain items matching the given schema", ("contains",)
    else:
        yield (), lambda: (
            f"Too few items match the given schema (expected at least {least} but only {matched} matched)"
        ), ("contains", "minContains")


def minItems(checker: Checker, least: int, instance: list, schema: dict) -> Iterator[_RawIssue]:
    if len(instance) < least:
        problem = "should be non-empty" if least == 1 else "is too short"
        yield (), lambda: f"{_short(instance)} {problem}", ("minItems",)


def maxItems(checker: Checker, most: int, instance: list, schema: dict) -> Iterator[_RawIssue]:
    if len(instance) > most:
        problem = "is expected to be empty" if most == 0 else "is too long"
        yield (), lambda: f"{_short(instance)} {problem}", ("maxItems",)


def uniqueItems(checker: Checker, unique: bool, instance: list, schema: dict) -> Iterator[_RawIssue]:
    # A set of hashable stand-ins makes this linear, not quadratic.
    seen = set()
    for item in instance:
        key = _unique_key(item)
        if key in seen:
            yield (), lambda: f"{_short(instance)} has non-unique elements", ("uniqueItems",)
            return
        seen.add(key)


def minLength(checker: Checker, least: int, instance: str, schema: dict) -> Iterator[_RawIssue]:
    # len() counts code points, as the spec asks (not UTF-16 units).
    if len(instance) < least:
        problem = "should be non-empty" if least == 1 else "is too short"
        yield (), lambda: f"{_short(instance)} {problem}", ("minLength",)


def maxLength(checker: Checker, most: int, instance: str, schema: dict) -> Iterator[_RawIssue]:
    if len(instance) > most:
        problem = "is expected to be empty" if most == 0 else "is too long"
        yield (), lambda: f"{_short(instance)} {problem}", ("maxLength",)


def pattern(checker: Checker, prepared: tuple, instance: str, schema: dict) -> Iterator[_RawIssue]:
    text, regex = prepared
    # search, not match: JSON Schema patterns are not anchored.
    if not regex.search(instance):
        yield (), lambda: f"{_short(instance)} does not match {_short(text)}", ("pattern",)


def format_(checker: Checker, prepared: tuple, instance: str, schema: dict) -> Iterator[_RawIssue]:
    name, is_valid = prepared
    if not is_valid(instance):
        yield (), lambda: f"{_short(instance)} is not a {name!r}", ("format",)


def minimum(checker: Checker, least: Any, instance: Any, schema: dict) -> Iterator[_RawIssue]:
    # int/float comparisons are exact in Python, bignums included.
    if instance < least:
        yield (), lambda: f"{_short(instance)} is less than the minimum of {_short(least)}", ("minimum",)


def maximum(checker: Checker, most: Any, instance: Any, schema: dict) -> Iterator[_RawIssue]:
    if instance > most:
        yield (), lambda: f"{_short(instance)} is greater than the maximum of {_short(most)}", ("maximum",)


def exclusiveMinimum(checker: Checker, least: Any, instance: Any, schema: dict) -> Iterator[_RawIssue]:
    if instance <= least:
        yield (), lambda: (
            f"{_short(instance)} is less than or equal to the minimum of {_short(least)}"
        ), ("exclusiveMinimum",)


def exclusiveMaximum(checker: Checker, most: Any, instance: Any, schema: dict) -> Iterator[_RawIssue]:
    if instance >= most:
        yield (), lambda: (
            f"{_short(instance)} is greater than or equal to the maximum of {_short(most)}"
        ), ("exclusiveMaximum",)


def _exact(number: Any) -> Optional[Fraction]:
    # A float's repr is the shortest text that reads back as it, i.e. what the
    # JSON said: 0.07 is 7/100 here, where float division would give
    # 0.07 / 0.01 == 7.000000000000001 and call it no multiple.
    if isinstance(number, int):
        return Fraction(number)
    if number != number or number in (float("inf"), float("-inf")):
        return None
    return Fraction(repr(number))


def multipleOf(checker: Checker, prepared: tuple, instance: Any, schema: dict) -> Iterator[_RawIssue]:
    divisor, exact_divisor = prepared
    if isinstance(instance, int) and isinstance(divisor, int):
        failed = instance % divisor != 0
    else:
        exact = _exact(instance)
        failed = exact is None or (exact / exact_divisor).denominator != 1
    if failed:
        yield (), lambda: f"{_short(instance)} is not a multiple of {_short(divisor)}", ("multipleOf",)


def allOf(checker: Checker, subschemas: list, instance: Any, schema: dict) -> Iterator[_RawIssue]:
    descend = checker._descend
    for index, subschema in enumerate(subschemas):
        for path, message, schema_path in descend(instance, subschema):
            yield path, message, ("allOf", index) + schema_path


def anyOf(checker: Checker, subschemas: list, instance: Any, schema: dict) -> Iterator[_RawIssue]:
    valid = checker._valid
    if not any(valid(instance, subschema) for subschema in subschemas):
        yield (), lambda: f"{_short(instance)} is not valid under any of the given schemas", ("anyOf",)


def oneOf(checker: Checker, subschemas: list, instance: Any, schema: dict) -> Iterator[_RawIssue]:
    valid = checker._valid
    matched = [index for index, subschema in enumerate(subschemas) if valid(instance, subschema)]
    if not matched:
        yield (), lambda: f"{_short(instance)} is not valid under any of the given schemas", ("oneOf",)
    elif len(matched) > 1:
        yield (), lambda: (
            f"{_short(instance)} is valid under more than one of the given schemas "
            f"(oneOf/{matched[0]} and oneOf/{matched[1]})"
        ), ("oneOf",)


def not_(checker: Checker, subschema: Any, instance: Any, schema: dict) -> Iterator[_RawIssue]:
    if checker._valid(instance, subschema):
        yield (), lambda: f"{_short(instance)} should not be valid under {_short(subschema)}", ("not",)


def if_(checker: Checker, prepared: tuple, instance: Any, schema: dict) -> Iterator[_RawIssue]:
    # `then` and `else` are read here, and their issues carry their own name
    # (`then/required`), since that is where the failing rule is written.
    condition, then, else_ = prepared  # then/else: None when absent
    branch, subschema = ("then", then) if checker._valid(instance, condition) else ("else", else_)
    if subschema is not None:
        for path, message, schema_path in checker._descend(instance, subschema):
            yield path, message, (branch,) + schema_path


def ref(checker: Checker, target: Any, instance: Any, schema: dict) -> Iterator[_RawIssue]:
    # `target` was resolved when the checker was built; $ref applies alongside
    # its sibling keywords in 2020-12 (core, section 8.2.3.1).
    for path, message, schema_path in checker._descend(instance, target):
        yield path, message, ("$ref",) + schema_path


KEYWORDS: Final[Dict[str, Callable[..., Iterator[_RawIssue]]]] = {
    "type": type_,
    "enum": enum,
    "const": const,
    "required": required,
    "properties": properties,
    "additionalProperties": additionalProperties,
    "patternProperties": patternProperties,
    "propertyNames": propertyNames,
    "minProperties": minProperties,
    "maxProperties": maxProperties,
    "dependentRequired": dependentRequired,
    "dependentSchemas": dependentSchemas,
    "prefixItems": prefixItems,
    "items": items,
    "contains": contains,
    "minItems": minItems,
    "maxItems": maxItems,
    "uniqueItems": uniqueItems,
    "minLength": minLength,
    "maxLength": maxLength,
    "pattern": pattern,
    "format": format_,
    "minimum": minimum,
    "maximum": maximum,
    "exclusiveMinimum": exclusiveMinimum,
    "exclusiveMaximum": exclusiveMaximum,
    "multipleOf": multipleOf,
    "allOf": allOf,
    "anyOf": anyOf,
    "oneOf": oneOf,
    "not": not_,
    "if": if_,
    "$ref": ref,
}

# Keywords read by another keyword's function (or, for $defs, by $ref): accepted, no function of their own.
COMPANIONS: Final = frozenset({"then", "else", "minContains", "maxContains", "$defs"})

# Annotation-only keywords: accepted and ignored. `contentSchema` is not
# walked: it describes decoded content, which this checker never decodes.
ANNOTATIONS: Final = frozenset({
    "$schema", "$id", "$comment", "$anchor", "$vocabulary",
    "title", "description", "default", "examples", "deprecated", "readOnly", "writeOnly",
    "contentMediaType", "contentEncoding", "contentSchema",
})

_OBJECT: Final = ("object",)
_ARRAY: Final = ("array",)
_STRING: Final = ("string",)
_APPLIES_TO: Final[Dict[str, Tuple[str, ...]]] = {
    "required": _OBJECT, "properties": _OBJECT, "additionalProperties": _OBJECT,
    "patternProperties": _OBJECT, "propertyNames": _OBJECT, "minProperties": _OBJECT,
    "maxProperties": _OBJECT, "dependentRequired": _OBJECT, "dependentSchemas": _OBJECT,
    "prefixItems": _ARRAY, "items": _ARRAY, "contains": _ARRAY, "minItems": _ARRAY,
    "maxItems": _ARRAY, "uniqueItems": _ARRAY,
    "minLength": _STRING, "maxLength": _STRING, "pattern": _STRING, "format": _STRING,
    "minimum": _NUMBERS, "maximum": _NUMBERS, "exclusiveMinimum": _NUMBERS,
    "exclusiveMaximum": _NUMBERS, "multipleOf": _NUMBERS,
}

# Where subschemas sit, for the walk (2020-12 core, section 10).
_ONE_SCHEMA: Final = ("additionalProperties", "propertyNames", "items", "contains", "not", "if", "then", "else")
_SCHEMA_MAP: Final = ("properties", "patternProperties", "dependentSchemas", "$defs")
_SCHEMA_LIST: Final = ("prefixItems", "allOf", "anyOf", "oneOf")

# Keyword value prepared for a plan: _SKIP means "cannot fail, leave it out".
_SKIP: Final = object()


# --------------------------------------------------------------------------
# The boolean fast path, for is_valid. The export asks "is this record
# valid?" four times per run and the answer is nearly always yes, while the
# keyword functions above answer with generators and issue tuples that a yes
# never reads. So each subschema's plan is compiled once more, into plain
# closures that return a bool, one compiler per keyword (_COMPILERS).
#
# An *outcome* is what a subschema says about values of one exact Python
# type: True (nothing can fail there: "type": "string" for a str), False
# (something always fails: "type": "string" for an int), or a function
# instance -> bool. Compilers fold the constants when the checker is built,
# so the closures only run the checks that can go either way.
#
# Only the exact types json.loads makes are compiled. Anything else (a str
# subclass, a tuple, a set) takes the plan path through Checker._valid, so
# the two paths agree on it by construction. Elsewhere they agree because
# each compiler mirrors its keyword function; test_checker_suite.py and
# test_checker.py hold every case to both.

_Outcome = Any  # True, False or Callable[[Any], bool]
_NONE_TYPE: Final = type(None)
_MISSING: Final = object()


def _accept(instance: Any) -> bool:
    return True


def _reject(instance: Any) -> bool:
    return False


def _as_function(outcome: _Outcome) -> Callable[[Any], bool]:
    if outcome is True:
        return _accept
    if outcome is False:
        return _reject
    return outcome


def _every(outcomes: List[_Outcome]) -> _Outcome:
    """The outcome of keywords that must all pass (one subschema's plan, ``allOf``)."""
    # A False wins without running the others. The plan path would run them
    # first, but they can only fail or recurse too deep, and both say False.
    if any(outcome is False for outcome in outcomes):
        return False
    functions = tuple(outcome for outcome in outcomes if outcome is not True)
    if not functions:
        return True
    if len(functions) == 1:
        return functions[0]
    # Unrolled for the usual sizes (a message: required, properties, allOf).
    if len(functions) == 2:
        first, second = functions
        return lambda instance: first(instance) and second(instance)
    if len(functions) == 3:
        first, second, third = functions
        return lambda instance: first(instance) and second(instance) and third(instance)

    def every(instance: Any) -> bool:
        for function in functions:
            if not function(instance):
                return False
        return True

    return every


class _Checks(dict):
    """Exact JSON type -> None (always valid there) or the function that checks a value of that type.

    One per subschema. A caller holding a value looks its type up here
    itself, ``checks[type(value)]``, so that no call goes to dispatching and
    none at all to the record's many plain strings. Other types (a str
    subclass, a set) are missing, and ``__missing__`` sends them to the plan
    path.
    """

    __slots__ = ("slow",)

    def __init__(self, slow: Callable[[Any], bool]) -> None:
        super().__init__()
        self.slow = slow

    def __missing__(self, python_type: type) -> Callable[[Any], bool]:
        return self.slow


class _Compiled:
    """One subschema on the fast path: ``checks`` for callers holding a value,
    ``outcomes`` (per exact type) for compilers that know the type already
    (allOf, $ref, not, if), ``valid`` for any value."""

    __slots__ = ("checks", "outcomes", "trivial", "valid", "_done")

    def __init__(self, slow: Callable[[Any], bool]) -> None:
        checks = self.checks = _Checks(slow)
        self.outcomes: Dict[type, _Outcome] = {}
        self.trivial: FrozenSet[type] = frozenset()  # the types whose outcome is True
        self._done = False

        def valid(instance: Any) -> bool:
            check = checks[type(instance)]
            return check is None or check(instance)

        self.valid = valid

    def outcome(self, python_type: type) -> _Outcome:
        if self._done:
            return self.outcomes[python_type]
        # Asked while this subschema is still being compiled: a $ref cycle.
        # `valid` reads `checks` when it runs, and finish() fills it in place.
        return self.valid

    def finish(self, outcomes: Dict[type, _Outcome]) -> None:
        self.outcomes.update(outcomes)
        self.checks.update({
            python_type: None if outcome is True else _as_function(outcome) for python_type, outcome in outcomes.items()
        })
        self.trivial = frozenset(python_type for python_type, outcome in outcomes.items() if outcome is True)
        self._done = True


def _constant(outcome: bool) -> _Compiled:
    compiled = _Compiled(_accept if outcome else _reject)
    compiled.finish({python_type: outcome for python_type in _KIND_OF})
    return compiled


_TRUE_SCHEMA: Final = _constant(True)
_FALSE_SCHEMA: Final = _constant(False)


def _by_keyword_function(checker: Checker, function: Callable[..., Iterator[_RawIssue]], value: Any) -> _Outcome:
    # For values the compilers do not model (an enum member that is no JSON
    # type, from a schema built in Python): ask the keyword function itself.
    def check(instance: Any) -> bool:
        for _ in function(checker, value, instance, {}):
            return False
        return True

    return check


def _members(candidates: List[Any], python_type: type) -> _Outcome:
    """Whether a value of ``python_type`` is JSON-equal to one of ``candidates``; None if they are not all JSON."""
    if any(type(each) not in _KIND_OF for each in candidates):
        return None
    if python_type is list or python_type is dict:
        containers = tuple(each for each in candidates if type(each) is python_type)
        if not containers:
            return False

        def equal_to_one(instance: Any) -> bool:
            for each in containers:
                if _equal(each, instance):
                    return True
            return False

        return equal_to_one
    if python_type is int or python_type is float:
        # bool is left out (true != 1), NaN too (NaN equals nothing, but a
        # set would find it by identity); 1 == 1.0 and they hash alike.
        same = frozenset(each for each in candidates if type(each) in (int, float) and each == each)
    else:
        same = frozenset(each for each in candidates if type(each) is python_type)
    if not same:
        return False
    if python_type is _NONE_TYPE:
        return True
    return same.__contains__


# The compilers. Each takes (checker, value, python_type): `value` is the
# keyword's value as _PREPARE made it, `python_type` the exact type of the
# values the outcome is for (a keyword only meets the types _APPLIES_TO
# lets it). Each returns an outcome. Subschemas come from checker._compile.


def _compile_type(checker: Checker, types: Tuple[str, ...], python_type: type) -> _Outcome:
    # The plan holds `type` only for kinds none of its names admit; only
    # "integer" can still pass there, for a float like 1.0.
    if python_type is float and "integer" in types:
        return float.is_integer
    return False


def _compile_enum(checker: Checker, enums: list, python_type: type) -> _Outcome:
    outcome = _members(enums, python_type)
    return _by_keyword_function(checker, enum, enums) if outcome is None else outcome


def _compile_const(checker: Checker, value: Any, python_type: type) -> _Outcome:
    outcome = _members([value], python_type)
    return _by_keyword_function(checker, const, value) if outcome is None else outcome


def _compile_required(checker: Checker, names: List[str], python_type: type) -> _Outcome:
    needed = frozenset(names)
    if len(needed) == 1:
        (name,) = needed  # "required": ["role"]: `in` is half the cost of a set comparison
        return lambda instance: name in instance
    return lambda instance: instance.keys() >= needed


def _compile_properties(checker: Checker, subschemas: Dict[str, Any], python_type: type) -> _Outcome:
    by_name = {name: checker._compile(subschema).checks for name, subschema in subschemas.items()}
    pairs = tuple(by_name.items())
    if len(pairs) == 1:
        # As in the usual `if` condition ("properties": {"role": {"const": "tool"}}): no loop.
        ((name, checks),) = pairs

        def check_one(instance: dict) -> bool:
            value = instance.get(name, _MISSING)
            if value is _MISSING:
                return True
            value_check = checks[type(value)]
            return value_check is None or value_check(value)

        return check_one

    def check(instance: dict) -> bool:
        # Walk whichever is shorter: a run with 20 of approved-run's 43 properties costs 20 lookups.
        if len(instance) < len(pairs):
            find = by_name.get
            for name, value in instance.items():
                checks = find(name)
                if checks is not None:
                    value_check = checks[type(value)]
                    if value_check is not None and not value_check(value):
                        return False
            return True
        get = instance.get
        for name, checks in pairs:
            value = get(name, _MISSING)
            if value is not _MISSING:
                value_check = checks[type(value)]
                if value_check is not None and not value_check(value):
                    return False
        return True

    return check


def _compile_additionalProperties(checker: Checker, prepared: tuple, python_type: type) -> _Outcome:
    subschema, known, regexes = prepared
    if subschema is False and not regexes:
        # A set comparison in C: every name must be a known one.
        return lambda instance: instance.keys() <= known
    checks = checker._compile(subschema).checks
    searches = tuple(regex.search for regex in regexes)

    def check(instance: dict) -> bool:
        for name, value in instance.items():
            if name in known or _found_by_any(searches, name):
                continue
            value_check = checks[type(value)]
            if value_check is not None and not value_check(value):
                return False
        return True

    return check


def _found_by_any(searches: Tuple[Callable[[str], Any], ...], name: str) -> bool:
    for search in searches:
        if search(name):
            return True
    return False


def _compile_patternProperties(checker: Checker, prepared: tuple, python_type: type) -> _Outcome:
    rules = tuple((regex.search, checker._compile(subschema).checks) for _, regex, subschema in prepared)

    def check(instance: dict) -> bool:
        for name, value in instance.items():
            for search, checks in rules:
                if search(name):
                    value_check = checks[type(value)]
                    if value_check is not None and not value_check(value):
                        return False
        return True

    return check


def _compile_propertyNames(checker: Checker, subschema: Any, python_type: type) -> _Outcome:
    checks = checker._compile(subschema).checks

    def check(instance: dict) -> bool:
        for name in instance:
            name_check = checks[type(name)]
            if name_check is not None and not name_check(name):
                return False
        return True

    return check


def _compile_minProperties(checker: Checker, least: int, python_type: type) -> _Outcome:
    return lambda instance: len(instance) >= least


def _compile_maxProperties(checker: Checker, most: int, python_type: type) -> _Outcome:
    return lambda instance: len(instance) <= most


def _compile_dependentRequired(checker: Checker, dependencies: dict, python_type: type) -> _Outcome:
    rules = tuple((name, frozenset(needed)) for name, needed in dependencies.items())

    def check(instance: dict) -> bool:
        for name, needed in rules:
            if name in instance and not instance.keys() >= needed:
                return False
        return True

    return check


def _compile_dependentSchemas(checker: Checker, dependencies: dict, python_type: type) -> _Outcome:
    # The subschema applies to the object itself, whose type is known: no dispatch.
    outcomes = [(name, checker._compile(subschema).outcome(python_type)) for name, subschema in dependencies.items()]
    rules = tuple((name, _as_function(outcome)) for name, outcome in outcomes if outcome is not True)
    if not rules:
        return True

    def check(instance: dict) -> bool:
        for name, valid in rules:
            if name in instance and not valid(instance):
                return False
        return True

    return check


def _compile_prefixItems(checker: Checker, subschemas: list, python_type: type) -> _Outcome:
    by_index = tuple(checker._compile(subschema).checks for subschema in subschemas)

    def check(instance: list) -> bool:
        for item, checks in zip(instance, by_index):
            item_check = checks[type(item)]
            if item_check is not None and not item_check(item):
                return False
        return True

    return check


def _compile_items(checker: Checker, prepared: tuple, python_type: type) -> _Outcome:
    subschema, prefix = prepared
    if subschema is False:
        return lambda instance: len(instance) <= prefix
    compiled = checker._compile(subschema)
    checks, trivial = compiled.checks, compiled.trivial

    if prefix:
        def check_rest(instance: list) -> bool:
            for index in range(prefix, len(instance)):
                item = instance[index]
                item_check = checks[type(item)]
                if item_check is not None and not item_check(item):
                    return False
            return True

        return check_rest

    def check(instance: list) -> bool:
        # map() and issuperset() run in C: a list of strings under
        # "type": "string" costs no Python-level loop at all.
        if trivial and trivial.issuperset(map(type, instance)):
            return True
        for item in instance:
            item_check = checks[type(item)]
            if item_check is not None and not item_check(item):
                return False
        return True

    return check


def _compile_contains(checker: Checker, prepared: tuple, python_type: type) -> _Outcome:
    subschema, least, most = prepared
    checks = checker._compile(subschema).checks

    def check(instance: list) -> bool:
        matched = 0
        for item in instance:
            item_check = checks[type(item)]
            if item_check is None or item_check(item):
                matched += 1
                if most is None:
                    if matched >= least:
                        return True
                elif matched > most:
                    return False
        return matched >= least

    return check


def _compile_minItems(checker: Checker, least: int, python_type: type) -> _Outcome:
    return lambda instance: len(instance) >= least


def _compile_maxItems(checker: Checker, most: int, python_type: type) -> _Outcome:
    return lambda instance: len(instance) <= most


def _compile_uniqueItems(checker: Checker, unique: bool, python_type: type) -> _Outcome:
    return lambda instance: len({_unique_key(item) for item in instance}) == len(instance)


def _compile_minLength(checker: Checker, least: int, python_type: type) -> _Outcome:
    return lambda instance: len(instance) >= least


def _compile_maxLength(checker: Checker, most: int, python_type: type) -> _Outcome:
    return lambda instance: len(instance) <= most


def _compile_pattern(checker: Checker, prepared: tuple, python_type: type) -> _Outcome:
    search = prepared[1].search
    return lambda instance: search(instance) is not None


def _compile_format(checker: Checker, prepared: tuple, python_type: type) -> _Outcome:
    return prepared[1]  # already a function str -> bool


# `not x < least` rather than `x >= least`: NaN compares false both ways, and
# the keyword functions let it through (they test for the failing comparison).


def _compile_minimum(checker: Checker, least: Any, python_type: type) -> _Outcome:
    return lambda instance: not instance < least


def _compile_maximum(checker: Checker, most: Any, python_type: type) -> _Outcome:
    return lambda instance: not instance > most


def _compile_exclusiveMinimum(checker: Checker, least: Any, python_type: type) -> _Outcome:
    return lambda instance: not instance <= least


def _compile_exclusiveMaximum(checker: Checker, most: Any, python_type: type) -> _Outcome:
    return lambda instance: not instance >= most


def _compile_multipleOf(checker: Checker, prepared: tuple, python_type: type) -> _Outcome:
    divisor, exact_divisor = prepared
    if python_type is int and isinstance(divisor, int):
        return lambda instance: instance % divisor == 0

    def check(instance: Any) -> bool:
        exact = _exact(instance)
        return exact is not None and (exact / exact_divisor).denominator == 1

    return check


def _compile_allOf(checker: Checker, subschemas: list, python_type: type) -> _Outcome:
    return _every([checker._compile(subschema).outcome(python_type) for subschema in subschemas])


def _compile_anyOf(checker: Checker, subschemas: list, python_type: type) -> _Outcome:
    outcomes = []
    for subschema in subschemas:
        outcome = checker._compile(subschema).outcome(python_type)
        if outcome is not False:
            outcomes.append(outcome)
        if outcome is True:
            break  # the plan path's any() stops here too; functions before it still run, as there
    if not outcomes:
        return False
    if outcomes[0] is True:
        return True
    functions = tuple(_as_function(outcome) for outcome in outcomes)
    if len(functions) == 1:
        return functions[0]

    def any_of(instance: Any) -> bool:
        for function in functions:
            if function(instance):
                return True
        return False

    return any_of


def _compile_oneOf(checker: Checker, subschemas: list, python_type: type) -> _Outcome:
    outcomes = [checker._compile(subschema).outcome(python_type) for subschema in subschemas]
    sure = sum(outcome is True for outcome in outcomes)
    functions = tuple(outcome for outcome in outcomes if outcome is not True and outcome is not False)
    if sure > 1:
        return False
    if not functions:
        return sure == 1

    def one_of(instance: Any) -> bool:
        matched = sure
        for function in functions:
            if function(instance):
                matched += 1
                if matched > 1:
                    return False
        return matched == 1

    return one_of


def _compile_not(checker: Checker, subschema: Any, python_type: type) -> _Outcome:
    outcome = checker._compile(subschema).outcome(python_type)
    if outcome is True or outcome is False:
        return not outcome
    return lambda instance: not outcome(instance)


def _compile_if(checker: Checker, prepared: tuple, python_type: type) -> _Outcome:
    condition, then, else_ = prepared  # then/else: None when absent
    test = checker._compile(condition).outcome(python_type)
    then_outcome = True if then is None else checker._compile(then).outcome(python_type)
    else_outcome = True if else_ is None else checker._compile(else_).outcome(python_type)
    if test is True or test is False:
        return then_outcome if test else else_outcome
    then_function, else_function = _as_function(then_outcome), _as_function(else_outcome)
    if else_outcome is True:  # the usual "if this, then also that"
        return lambda instance: not test(instance) or then_function(instance)
    return lambda instance: then_function(instance) if test(instance) else else_function(instance)


def _compile_ref(checker: Checker, target: Any, python_type: type) -> _Outcome:
    # The target's own outcome: a subschema that is only a $ref costs nothing of its own.
    return checker._compile(target).outcome(python_type)


_COMPILERS: Final[Dict[str, Callable[[Checker, Any, type], _Outcome]]] = {
    "type": _compile_type,
    "enum": _compile_enum,
    "const": _compile_const,
    "required": _compile_required,
    "properties": _compile_properties,
    "additionalProperties": _compile_additionalProperties,
    "patternProperties": _compile_patternProperties,
    "propertyNames": _compile_propertyNames,
    "minProperties": _compile_minProperties,
    "maxProperties": _compile_maxProperties,
    "dependentRequired": _compile_dependentRequired,
    "dependentSchemas": _compile_dependentSchemas,
    "prefixItems": _compile_prefixItems,
    "items": _compile_items,
    "contains": _compile_contains,
    "minItems": _compile_minItems,
    "maxItems": _compile_maxItems,
    "uniqueItems": _compile_uniqueItems,
    "minLength": _compile_minLength,
    "maxLength": _compile_maxLength,
    "pattern": _compile_pattern,
    "format": _compile_format,
    "minimum": _compile_minimum,
    "maximum": _compile_maximum,
    "exclusiveMinimum": _compile_exclusiveMinimum,
    "exclusiveMaximum": _compile_exclusiveMaximum,
    "multipleOf": _compile_multipleOf,
    "allOf": _compile_allOf,
    "anyOf": _compile_anyOf,
    "oneOf": _compile_oneOf,
    "not": _compile_not,
    "if": _compile_if,
    "$ref": _compile_ref,
}
# Plans hold keyword functions; this finds a function's compiler.
_COMPILER_OF: Final = {KEYWORDS[keyword]: compiler for keyword, compiler in _COMPILERS.items()}


# --------------------------------------------------------------------------
# URI handling for $ref, $id and $anchor (core, sections 8.2).


def _join(base: str, reference: str) -> str:
    if not base:
        return reference
    if reference.startswith("#"):
        # urljoin leaves URNs alone ("urn:x" + "#/a" -> "#/a"), so fragments are added by hand.
        return base.partition("#")[0] + reference
    if urlsplit(reference).scheme:
        return reference
    return urljoin(base, reference)


def _without_empty_fragment(uri: str) -> str:
    return uri[:-1] if uri.endswith("#") else uri


_ANCHOR: Final = re.compile(r"[A-Za-z_][-A-Za-z0-9._]*\Z")


def _python_pattern(text: str) -> str:
    """An ECMA-262 pattern as Python's ``re`` should see it.

    Only ``$`` needs help: ECMA-262's ``$`` (no multiline flag) is the end of
    the input, Python's also matches before a final newline, which would let
    ``"sha256:...\\n"`` through ``^sha256:[0-9a-f]{64}$``. So a ``$`` outside
    a character class becomes ``\\Z``. Other differences stay: Python's
    ``\\d`` and ``\\w`` also match non-ASCII digits and letters, and ECMA-only
    syntax (``\\p{L}``, ``\\cC``) does not compile, so such a schema is refused.
    """
    if "$" not in text:
        return text
    out = []
    index, in_class = 0, False
    while index < len(text):
        char = text[index]
        if char == "\\":
            out.append(text[index : index + 2])
            index += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "$":
            char = "\\Z"
        out.append(char)
        index += 1
    return "".join(out)


class Checker:
    """Checks JSON values against one draft 2020-12 schema.

    >>> checker = Checker({"type": "object", "required": ["id"]})
    >>> [str(issue) for issue in checker.iter_issues({})]
    ["$: 'id' is a required property"]

    Building a checker walks the whole schema once and raises ``SchemaError``
    for anything it cannot honour: a keyword it does not implement, a malformed
    keyword value, a pattern Python's ``re`` cannot compile, a ``$ref`` outside
    this document. ``format`` is an annotation unless ``format_assertion`` is
    true; then ``date-time`` is checked (other formats stay annotations).
    """

    def __init__(self, schema: Any, *, format_assertion: bool = False, source: str = "<schema>") -> None:
        self.format_assertion = format_assertion
        self.source = source
        self._patterns: Dict[str, Any] = {}
        self._resources: Dict[str, Any] = {}
        self._anchors: Dict[Tuple[str, str], Any] = {}
        # id(subschema) -> {kind or Python type: [(keyword function, prepared value), ...]}
        self._plans: Dict[int, Dict[Any, List[Tuple[Callable[..., Iterator[_RawIssue]], Any]]]] = {}
        self._pending: List[Tuple[dict, _Parts, str]] = []
        self._walked: Set[int] = set()
        # id(subschema) -> its closures for is_valid (see "The boolean fast path").
        self._compiled: Dict[int, _Compiled] = {}
        try:
            # A private copy: ids stay unique and stable, and a caller mutating
            # its schema afterwards cannot make the plans stale.
            self._root = _copy(schema)
            self._resources[""] = self._root
            self._walk(self._root, (), "")
            # Plans come after the walk so that every $id and $anchor is known
            # when a $ref is resolved; resolving can walk more (a $ref into `examples`).
            while self._pending:
                subschema, where, base = self._pending.pop()
                self._plans[id(subschema)] = self._plan(subschema, where, base)
            self._fast_valid = self._fast_path()
        except RecursionError:
            raise SchemaError(
                "schema is nested too deep to check", source=source, remedy="flatten it with $defs and $ref"
            ) from None

    # -- public ----------------------------------------------------------

    def iter_issues(self, instance: Any) -> Iterator[SchemaIssue]:
        """Yield every ``SchemaIssue`` of ``instance``, in schema order."""
        try:
            for path, message, schema_path in self._descend(instance, self._root):
                yield SchemaIssue(_json_path(path), message(), _schema_path(schema_path))
        except RecursionError:
            # Deep enough to exhaust the stack: report it, never crash or pass it.
            yield SchemaIssue("$", "nested too deep to check", "")

    def is_valid(self, instance: Any) -> bool:
        """True when ``instance`` has no issue; stops at the first one.

        The same answer as ``not any(self.iter_issues(instance))``, several
        times faster: it runs the compiled closures, not the keyword functions.
        """
        try:
            return self._fast_valid(instance)
        except RecursionError:
            pass
        # The closures ran out of stack. The plan path spends its frames
        # differently, and it is the one iter_issues reports from: let it
        # decide, so that the two answers agree. (The other way round is left:
        # a few hundred levels down a recursive schema, the closures can finish
        # where the plan path, with more frames per level, gives up "nested too
        # deep". Where the stack ends depends on the caller's depth anyway.)
        try:
            return self._valid(instance, self._root)
        except RecursionError:
            return False

    # -- the hot path ------------------------------------------------------

    def _descend(self, instance: Any, schema: Any) -> Iterable[_RawIssue]:
        """The issues of ``instance`` under ``schema``.

        A plain function, not a generator: most values meet a plan with one
        keyword or none (a string under ``"type": "string"`` meets none), and
        those cost no generator of their own here.
        """
        if schema is True:
            return ()
        if schema is False:
            return _false_schema(instance)
        plans = self._plans[id(schema)]
        plan = plans.get(type(instance))
        if plan is None:
            plan = plans[_kind(instance)]
        if len(plan) == 1:
            function, value = plan[0]
            return function(self, value, instance, schema)
        if not plan:
            return ()
        return self._run(plan, instance, schema)

    def _run(self, plan: list, instance: Any, schema: Any) -> Iterator[_RawIssue]:
        for function, value in plan:
            yield from function(self, value, instance, schema)

    def _valid(self, instance: Any, schema: Any) -> bool:
        for _ in self._descend(instance, schema):
            return False
        return True

    # -- building ------------------------------------------------------------

    def _fast_path(self) -> Callable[[Any], bool]:
        try:
            return self._compile(self._root).valid
        except RecursionError:
            # Compiling takes a few frames per level of schema where the walk
            # took one: a schema deep enough to exhaust the stack here is
            # still checked, by is_valid on the plan path.
            self._compiled.clear()
            return lambda instance: self._valid(instance, self._root)

    def _compile(self, schema: Any) -> _Compiled:
        """``schema``'s closures for is_valid, compiled from its plan on first use."""
        if schema is True:
            return _TRUE_SCHEMA
        if schema is False:
            return _FALSE_SCHEMA
        compiled = self._compiled.get(id(schema))
        if compiled is None:
            # Registered before its keywords are compiled, so that a $ref back
            # to it finds it (and gets its dispatcher) instead of looping.
            compiled = self._compiled[id(schema)] = _Compiled(lambda instance: self._valid(instance, schema))
            plans = self._plans[id(schema)]
            compiled.finish({
                python_type: _every([_COMPILER_OF[function](self, value, python_type)
                                     for function, value in plans[python_type]])
                for python_type in _KIND_OF
            })
        return compiled

    def _fail(self, message: str, remedy: str = _REMEDY_VALUE) -> SchemaError:
        return SchemaError(message, source=self.source, remedy=remedy)

    def _walk(self, schema: Any, where: _Parts, base: str) -> None:
        if isinstance(schema, bool):
            return
        if not isinstance(schema, dict):
            raise self._fail(f"schema at {_json_path(where)} must be an object or a boolean")
        if id(schema) in self._walked:
            return
        self._walked.add(id(schema))
        for keyword in schema:
            if keyword not in KEYWORDS and keyword not in COMPANIONS and keyword not in ANNOTATIONS:
                raise self._fail(
                    f"schema uses keyword {_short(keyword)} at {_json_path(where)}, "
                    "which this checker does not implement",
                    _REMEDY_KEYWORD,
                )
        if "$id" in schema:
            identifier = schema["$id"]
            if not isinstance(identifier, str) or "#" in identifier.rstrip("#"):
                raise self._fail(f"schema keyword '$id' at {_json_path(where)} must be a URI without a fragment")
            base = _without_empty_fragment(_join(base, identifier))
            self._resources.setdefault(base, schema)
        if "$anchor" in schema:
            anchor = schema["$anchor"]
            if not isinstance(anchor, str) or not _ANCHOR.match(anchor):
                raise self._fail(f"schema keyword '$anchor' at {_json_path(where)} must be a plain name")
            self._anchors.setdefault((base, anchor), schema)
        self._pending.append((schema, where, base))
        for keyword in _ONE_SCHEMA:
            if keyword in schema:
                self._walk(schema[keyword], where + (keyword,), base)
        for keyword in _SCHEMA_MAP:
            if keyword in schema:
                self._expect(isinstance(schema[keyword], dict), keyword, where, "an object of schemas")
                for name, subschema in schema[keyword].items():
                    self._walk(subschema, where + (keyword, name), base)
        for keyword in _SCHEMA_LIST:
            if keyword in schema:
                subschemas = schema[keyword]
                self._expect(
                    isinstance(subschemas, list) and subschemas, keyword, where, "a non-empty array of schemas"
                )
                for index, subschema in enumerate(subschemas):
                    self._walk(subschema, where + (keyword, index), base)

    def _expect(self, condition: Any, keyword: str, where: _Parts, what: str) -> None:
        if not condition:
            raise self._fail(f"schema keyword {keyword!r} at {_json_path(where)} must be {what}")

    def _count(self, schema: dict, keyword: str, where: _Parts) -> int:
        value = schema[keyword]
        # 2020-12 counts 2.0 as an integer, so "minLength": 2.0 is allowed.
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        self._expect(_kind(value) == "integer" and value >= 0, keyword, where, "a non-negative integer")
        return value

    def _regex(self, text: Any, keyword: str, where: _Parts) -> Any:
        self._expect(isinstance(text, str), keyword, where, "a regular expression string")
        compiled = self._patterns.get(text)
        if compiled is None:
            try:
                compiled = self._patterns[text] = re.compile(_python_pattern(text))
            except re.error as error:
                raise self._fail(
                    f"schema keyword {keyword!r} at {_json_path(where)} has a pattern Python cannot compile: "
                    f"{_short(text)} ({error})",
                    "rewrite it in the common subset of ECMA-262 and Python regular expressions",
                ) from None
        return compiled

    def _plan(self, schema: dict, where: _Parts, base: str) -> Dict[Any, list]:
        for keyword in ("minContains", "maxContains"):
            if keyword in schema:
                self._count(schema, keyword, where)
        plan: Dict[Any, list] = {kind: [] for kind in _ALL_KINDS}
        for keyword, value in schema.items():
            function = KEYWORDS.get(keyword)
            if function is None:
                continue
            prepared = _PREPARE.get(keyword, _prepare_as_is)(self, value, schema, where, base)
            if prepared is _SKIP:
                continue
            if keyword == "type":
                # The plan for a kind that `type` admits leaves `type` out: it cannot fail there.
                admitted = {kind for name in prepared for kind in _TYPE_ADMITS[name]}
                kinds = tuple(kind for kind in _ALL_KINDS if kind not in admitted)
            else:
                kinds = _APPLIES_TO.get(keyword, _ALL_KINDS)
            for kind in kinds:
                plan[kind].append((function, prepared))
        # Keyed by Python type too, so that the hot path finds a JSON value's
        # plan with one lookup; kind names remain for subclasses and non-JSON.
        plan.update({python_type: plan[kind] for python_type, kind in _KIND_OF.items()})
        return plan

    def _resolve(self, reference: str, where: _Parts, base: str) -> Any:
        uri = _join(base, reference)
        resource_uri, _, fragment = uri.partition("#")
        resource = self._resources.get(resource_uri)
        if resource is None:
            raise self._fail(
                f"cannot resolve $ref {_short(reference)} at {_json_path(where)}: "
                "only references inside this schema are supported",
                "copy the referenced schema under $defs and refer to it with '#/$defs/...'",
            )
        fragment = unquote(fragment)
        if not fragment:
            return resource
        if not fragment.startswith("/"):
            target = self._anchors.get((resource_uri, fragment))
            if target is None:
                raise self._fail(f"$ref {_short(reference)} at {_json_path(where)} names an unknown $anchor")
            return target
        target = resource
        for token in fragment[1:].split("/"):
            token = token.replace("~1", "/").replace("~0", "~")  # RFC 6901: ~1 first
            if isinstance(target, dict) and token in target:
                target = target[token]
            elif isinstance(target, list) and token.isdigit() and int(token) < len(target):
                target = target[int(token)]
            else:
                raise self._fail(f"$ref {_short(reference)} at {_json_path(where)} points at nothing")
        # A pointer can lead where the walk did not go (into `examples`, say):
        # walk it now. Already walked schemas return at once.
        self._walk(target, where + ("$ref",), resource_uri)
        return target


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _copy(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_copy(item) for item in value]
    return value


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
