"""Argument schemas for tools a run called but brought no definition for, inferred from its calls.

Most harnesses store tool names only, so a chat row would offer the model
``{"name": "Bash"}`` and never show what the arguments look like. For each
such tool the calls the row trains on are the evidence:

- ``properties``: every argument key seen, with the JSON types its values had
  (``integer`` and ``number`` together are ``number``; a key seen with two
  types lists both);
- ``required``: the keys present in every call;
- ``enum``: only for a key whose values are a few short strings seen in many
  calls (at most ``ENUM_MAX_VALUES`` values over at least ``ENUM_MIN_CALLS``
  calls), since an enum from three calls would forbid the fourth value;
- ``$comment``: ``"inferred from N observed calls"``, the JSON Schema keyword
  for notes that validators ignore, so the schema says it is inferred;
- ``description`` ``""`` where the tool had none: gpt-oss's chat template
  writes every tool's description and fails on a missing one.

A definition the run brought (API-captured runs, ATIF's ``tool_definitions``)
is kept as it is: inference only fills a missing ``parameters``.

**Per run, not per workflow.** Training rows are written as runs stream
through the export, so a schema from every call in the workflow would need a
first pass over the whole input before the first row (the input can be stdin,
and reading and redacting it is most of an export's time). Each run's schema
comes from that run's own calls: deterministic, one pass, memory bounded by
one run, and consistent with the calls in the same row.
"""
from __future__ import annotations

from typing import Any, Dict, Iterable, List

from ..records.checker import json_kind

ENUM_MAX_VALUES = 4
ENUM_MIN_CALLS = 8
ENUM_MAX_LENGTH = 40
COMMENT = "inferred from {count} observed call{s}"


def infer_parameters(arguments: List[Dict[str, Any]]) -> Dict[str, Any]:
    """A JSON Schema for the argument objects of one tool's calls (at least one)."""
    types: Dict[str, set] = {}
    seen: Dict[str, int] = {}
    values: Dict[str, set] = {}
    for call in arguments:
        for key, value in call.items():
            types.setdefault(key, set()).add(json_kind(value))
            seen[key] = seen.get(key, 0) + 1
            if isinstance(value, str) and len(value) <= ENUM_MAX_LENGTH:
                bucket = values.setdefault(key, set())
                if len(bucket) <= ENUM_MAX_VALUES:
                    bucket.add(value)
            else:
                values[key] = {None}  # a long or non-string value: never an enum
    properties: Dict[str, Any] = {}
    for key in sorted(types):
        kinds = types[key]
        if {"integer", "number"} <= kinds:
            kinds = kinds - {"integer"}
        spec: Dict[str, Any] = {"type": sorted(kinds)[0] if len(kinds) == 1 else sorted(kinds)}
        choices = values.get(key, set())
        if (kinds == {"string"} and seen[key] >= ENUM_MIN_CALLS and None not in choices
                and len(choices) <= ENUM_MAX_VALUES):
            spec["enum"] = sorted(choices)
        properties[key] = spec
    count = len(arguments)
    schema: Dict[str, Any] = {"$comment": COMMENT.format(count=count, s="" if count == 1 else "s"),
                              "type": "object", "properties": properties}
    required = [key for key in sorted(seen) if seen[key] == count]
    if required:
        schema["required"] = required
    return schema


def with_inferred(tools: List[Dict[str, Any]], calls: Iterable[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """``tools`` (OpenAI function specs) with ``parameters`` inferred where missing, plus a spec for
    every called tool not listed; ``calls`` are ``{"name", "arguments": dict}`` in trajectory order."""
    observed: Dict[str, List[Dict[str, Any]]] = {}
    for call in calls:
        observed.setdefault(call["name"], []).append(call["arguments"])
    out: List[Dict[str, Any]] = []
    listed = set()
    for spec in tools:
        function = spec["function"]
        listed.add(function["name"])
        if "parameters" not in function and function["name"] in observed:
            spec = {**spec, "function": {"description": "", **function,
                                         "parameters": infer_parameters(observed[function["name"]])}}
        out.append(spec)
    for name, arguments in observed.items():
        if name not in listed:
            out.append({"type": "function",
                        "function": {"name": name, "description": "", "parameters": infer_parameters(arguments)}})
    return out
