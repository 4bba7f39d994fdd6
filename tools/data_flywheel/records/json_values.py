"""JSON values as the schema checker sees them: their kinds, equality, short renderings, paths, formats.

Shared by ``checker`` (the keywords and their messages), ``checker_fast`` (the
boolean fast path) and ``checker_prepare`` (keyword values made ready once).
"""
from __future__ import annotations

import re
from fractions import Fraction
from typing import Any, Callable, Dict, Final, List, Optional, Tuple



_Parts = Tuple[Any, ...]  # a path: keys and indexes
_RawIssue = Tuple[_Parts, Callable[[], str], _Parts]  # (path, message maker, schema path)
_SHORT_LIMIT: Final = 80
_SKIP: Final = object()  # a prepared keyword value that makes the keyword a no-op

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


def _exact(number: Any) -> Optional[Fraction]:
    # A float's repr is the shortest text that reads back as it, i.e. what the
    # JSON said: 0.07 is 7/100 here, where float division would give
    # 0.07 / 0.01 == 7.000000000000001 and call it no multiple.
    if isinstance(number, int):
        return Fraction(number)
    if number != number or number in (float("inf"), float("-inf")):
        return None
    return Fraction(repr(number))
