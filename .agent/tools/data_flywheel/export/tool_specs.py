"""Chat rows offer each workflow's tool schemas, inferred from every exported call of that workflow.

Rows are written as runs stream, each with the schemas its own calls show
(``writers/tool_schemas.py``). Meanwhile ``WorkflowSpecs`` gathers the calls
per workflow (bounded: ``tool_schemas.WorkflowEvidence``) and notes, per chat
file, which workflow each row belongs to (a 4-byte index per row). Before the
files close, every chat file is read once more and each inferred spec (one
whose ``parameters`` carry the inferred ``$comment``) gets its workflow's
schema; a real definition the run brought is left as it is. The rows are
checked, hashed and counted again as they are rewritten (``files.RecordFile.rewrite``).

Where each format keeps its tools: ``openai-chat`` ``tools`` (a list),
``openai-preference`` ``input.tools`` (a list), ``hf-chat`` and
``trl-preference`` ``tools`` (JSON text, ``"null"`` without tools).

The evidence of a run is the calls of its training conversation, or, for a
run that gives only preference pairs, the calls of its first pair's prompt
(every pair of a run shares that prompt).
"""
from __future__ import annotations

import json
from array import array
from typing import Any, Dict, List, Optional, Tuple

from ..writers.hf_chat import json_text
from ..writers.tool_schemas import WorkflowEvidence, is_inferred
from . import files

CHAT_FORMATS = ("openai-chat", "hf-chat", "openai-preference", "trl-preference")

Workflow = Tuple[str, str]


class WorkflowSpecs:
    def __init__(self) -> None:
        self.evidence = WorkflowEvidence()
        self._index: Dict[Workflow, int] = {}
        self._workflows: List[Workflow] = []
        self._rows: Dict[int, Tuple[files.RecordFile, array]] = {}

    def observe(self, workflow: Workflow, conversation) -> None:
        """The calls of one run's conversation (or pair prompt) are evidence for its workflow."""
        self.evidence.add(workflow, (call for message in conversation.messages
                                     for call in message.get("tool_calls", ())))

    def note(self, handle: files.RecordFile, workflow: Workflow) -> None:
        """One row was just written to ``handle`` (a chat format's file) for ``workflow``."""
        index = self._index.get(workflow)
        if index is None:
            index = self._index[workflow] = len(self._workflows)
            self._workflows.append(workflow)
        entry = self._rows.get(id(handle))
        if entry is None:
            entry = self._rows[id(handle)] = (handle, array("I"))
        entry[1].append(index)

    def rewrite(self) -> None:
        """Every chat file again, with each inferred spec replaced by its workflow's schema."""
        schemas: Dict[Tuple[int, str], Optional[Dict[str, Any]]] = {}

        def schema(index: int, name: str) -> Optional[Dict[str, Any]]:
            key = (index, name)
            if key not in schemas:
                schemas[key] = self.evidence.schema(self._workflows[index], name)
            return schemas[key]

        for handle, workflows in self._rows.values():
            handle.rewrite(lambda line, row: _with_workflow_specs(handle.format, row,
                                                                  lambda name: schema(workflows[line], name)))


def _with_workflow_specs(fmt: Optional[str], row: Dict[str, Any], schema) -> Dict[str, Any]:
    if fmt == "openai-chat":
        if "tools" in row:
            row["tools"] = _specs(row["tools"], schema)
    elif fmt == "openai-preference":
        if "tools" in row["input"]:
            row["input"]["tools"] = _specs(row["input"]["tools"], schema)
    elif row["tools"] != "null":  # hf-chat, trl-preference: the same JSON text form as hf_chat.tools_text
        row["tools"] = json_text(_specs(json.loads(row["tools"]), schema))
    return row


def _specs(tools: List[Dict[str, Any]], schema) -> List[Dict[str, Any]]:
    out = []
    for spec in tools:
        function = spec.get("function")
        if isinstance(function, dict) and is_inferred(function.get("parameters")):
            parameters = schema(function["name"])
            if parameters is not None:
                spec = {**spec, "function": {**function, "parameters": parameters}}
        out.append(spec)
    return out
