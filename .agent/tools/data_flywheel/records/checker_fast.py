"""The schema checker's boolean fast path: each subschema compiled into closures that return a bool.

``Checker.is_valid`` uses it; ``Checker.iter_issues`` walks the keyword functions
in ``checker``. Both must agree: see the comment below.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Dict, Final, FrozenSet, Iterator, List, Tuple

from .json_values import _KIND_OF, _RawIssue, _equal, _exact, _unique_key

if TYPE_CHECKING:
    from .checker import Checker


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
    from .checker import enum  # the keyword function; checker imports this module, so not at the top

    return _by_keyword_function(checker, enum, enums) if outcome is None else outcome


def _compile_const(checker: Checker, value: Any, python_type: type) -> _Outcome:
    outcome = _members([value], python_type)
    from .checker import const  # see _compile_enum

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
