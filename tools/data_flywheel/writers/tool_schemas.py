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

**Per workflow, in the chat formats.** ``with_inferred`` infers from one
conversation's calls (what ATIF keeps, and what a chat row is first written
with). While runs stream, ``WorkflowEvidence`` gathers every exported call per
workflow (domain, workflow) and tool, in bounded memory: per key its JSON
types, how many calls had it, and at most ``ENUM_MAX_VALUES + 1`` short
values; at most ``MAX_TOOLS`` tools per workflow and ``MAX_KEYS`` keys per
tool (a tool past either cap keeps each row's own schema). At the end the
chat files are rewritten (``export/tool_specs.py``): each inferred spec (one
with the ``$comment``) gets its workflow's schema; real definitions are kept.
"""
from __future__ import annotations

from typing import Any, Dict, Iterable, List, Optional

from ..records.json_values import json_kind

ENUM_MAX_VALUES = 4
ENUM_MIN_CALLS = 8
ENUM_MAX_LENGTH = 40
COMMENT = "inferred from {count} observed call{s}"


MAX_TOOLS = 256  # distinct tool names kept per workflow
MAX_KEYS = 128  # distinct argument keys kept per tool


class ToolEvidence:
    """What the calls of one tool showed, in bounded memory: see the module docstring."""

    def __init__(self) -> None:
        self.calls = 0
        self.types: Dict[str, set] = {}
        self.seen: Dict[str, int] = {}
        self.values: Dict[str, set] = {}
        self.overflow = False  # more than MAX_KEYS keys: no schema from this evidence

    def add(self, call: Dict[str, Any]) -> None:
        self.calls += 1
        for key, value in call.items():
            if key not in self.types and len(self.types) >= MAX_KEYS:
                self.overflow = True
                continue
            self.types.setdefault(key, set()).add(json_kind(value))
            self.seen[key] = self.seen.get(key, 0) + 1
            if isinstance(value, str) and len(value) <= ENUM_MAX_LENGTH:
                bucket = self.values.setdefault(key, set())
                if None not in bucket and len(bucket) <= ENUM_MAX_VALUES:
                    bucket.add(value)
            else:
                self.values[key] = {None}  # a long or non-string value: never an enum

    def schema(self) -> Dict[str, Any]:
        properties: Dict[str, Any] = {}
        for key in sorted(self.types):
            kinds = self.types[key]
            if {"integer", "number"} <= kinds:
                kinds = kinds - {"integer"}
            spec: Dict[str, Any] = {"type": sorted(kinds)[0] if len(kinds) == 1 else sorted(kinds)}
            choices = self.values.get(key, set())
            if (kinds == {"string"} and self.seen[key] >= ENUM_MIN_CALLS and None not in choices
                    and len(choices) <= ENUM_MAX_VALUES):
                spec["enum"] = sorted(choices)
            properties[key] = spec
        count = self.calls
        schema: Dict[str, Any] = {"$comment": COMMENT.format(count=count, s="" if count == 1 else "s"),
                                  "type": "object", "properties": properties}
        required = [key for key in sorted(self.seen) if self.seen[key] == count]
        if required:
            schema["required"] = required
        return schema


def infer_parameters(arguments: List[Dict[str, Any]]) -> Dict[str, Any]:
    """A JSON Schema for the argument objects of one tool's calls (at least one)."""
    evidence = ToolEvidence()
    for call in arguments:
        evidence.add(call)
    return evidence.schema()


def is_inferred(parameters: Any) -> bool:
    """Whether a spec's ``parameters`` were inferred here (they carry our ``$comment``)."""
    comment = parameters.get("$comment") if isinstance(parameters, dict) else None
    return isinstance(comment, str) and comment.startswith("inferred from ")


class WorkflowEvidence:
    """Every exported call per workflow and tool; ``schema(workflow, name)`` is the workflow's schema."""

    def __init__(self) -> None:
        self._tools: Dict[Any, Dict[str, ToolEvidence]] = {}

    def add(self, workflow: Any, calls: Iterable[Dict[str, Any]]) -> None:
        tools = self._tools.setdefault(workflow, {})
        for call in calls:
            evidence = tools.get(call["name"])
            if evidence is None:
                if len(tools) >= MAX_TOOLS:
                    continue
                evidence = tools[call["name"]] = ToolEvidence()
            evidence.add(call["arguments"])

    def schema(self, workflow: Any, name: str) -> Optional[Dict[str, Any]]:
        evidence = self._tools.get(workflow, {}).get(name)
        if evidence is None or evidence.overflow:
            return None
        return evidence.schema()


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
