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

Three modules beside this one hold its parts: ``json_values`` (kinds of JSON
values, equality, short renderings and paths, formats), ``checker_prepare``
(keyword values made ready when the schema is loaded) and ``checker_fast``
(the boolean fast path of ``is_valid``). This module has the keywords, the
tables that say where they apply, ``$ref`` resolution and ``Checker``.

Keyword reference: https://json-schema.org/draft/2020-12/json-schema-validation
and https://json-schema.org/draft/2020-12/json-schema-core (sections cited below).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Dict, Final, Iterable, Iterator, List, Set, Tuple
from urllib.parse import unquote, urljoin, urlsplit

from ..errors import SchemaError
from .checker_fast import _COMPILERS, _FALSE_SCHEMA, _TRUE_SCHEMA, _Compiled, _every
from .checker_prepare import _PREPARE, _prepare_as_is
from .json_values import (
    _ALL_KINDS,
    _KIND_OF,
    _NUMBERS,
    _SKIP,
    _TYPE_ADMITS,
    _equal,
    _exact,
    _is_type,
    _json_path,
    _kind,
    _Parts,
    _RawIssue,
    _schema_path,
    _short,
    _unique_key,
)

__all__ = ["Checker", "KEYWORDS", "SchemaIssue"]

# A relative issue as keyword functions yield it: (instance path parts,
# message, schema path parts). Parts are str (object keys, keywords) or int.

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
