"""``atif``: an exported run as an ATIF-v1.8 trajectory, one per line of ``atif/<split>.jsonl``.

ATIF (Agent Trajectory Interchange Format) is Harbor's (``harbor`` on PyPI,
``harbor/models/trajectories/``); the Agent Data Protocol's pipeline and NeMo
Relay read and write it. Unlike the training formats this is the run's whole
redacted trajectory, not the training conversation: every message, every tool
call (answered or not), every tool result, and reasoning where the run kept
it, so a trajectory harvested from ATIF comes back with every step
(``sources/harness/atif.py`` reads these files too).

- ``system``/``developer`` -> a ``system`` step, ``user`` -> ``user``,
  ``assistant`` -> ``agent`` (``tool_calls`` with ``arguments`` as objects;
  arguments that are not a JSON object are kept as text in the call's
  ``extra.arguments_text``, with ``{}``); each ``tool`` message becomes an
  observation result of the step before it, ``source_call_id`` naming the
  call when that step made it (ATIF requires it) and ``extra.tool_call_id``
  otherwise;
- a human edit replaces the last agent message (the agent's draft is kept in
  that step's ``extra.original_message``); a run with no trajectory is a
  system, user and agent step;
- ``agent.tool_definitions``: the run's own definitions, with parameters
  inferred from its calls where it brought none (``tool_schemas.py``);
- ``final_metrics``: ``total_steps``, and the token counts a harvested run's
  harness reported (``source.usage``): completion and cached tokens where the
  harness names them, everything as reported in ``final_metrics.extra.usage``
  (harnesses disagree on whether input counts include cached tokens);
- provenance in ``extra.flywheel`` (trace id, review status, split, holdout,
  domain, workflow, source run id hash, session and segment) and ``notes``;
- ``session_id`` is the harvested session's hash (segments of one session
  share it), ``trajectory_id`` the trace id; the export links a segment to the
  next one of the same session with ``continued_trajectory_ref`` (that
  trajectory's id, in the same file: a session's runs share a split).
- a subagent's trajectory names its parent in ``extra.flywheel``
  (``parent_session_hash``: the parent trajectories' ``session_id``, and
  ``parent_tool_call_id``: the call that launched it, when the harness said);
  the export puts the matching ``subagent_trajectory_ref`` on the parent's
  observation result of that call (``export/trajectories.py``).

One trajectory per line, not one file per trajectory: ``datasets`` loads a
split as one JSON Lines file, Harbor's validator takes each line's object,
and Harbor's own trace exporter wants whole trial folders (results, verifier
output) that an export does not have, so single files would buy nothing.
"""
from __future__ import annotations

from typing import Any, Dict, Iterator, List, Optional

from ..jsonio import parse_json_text
from ..records.episode import text_of
from ..records.normalize import hashed_id
from . import tool_schemas

NAME = "atif"
SCHEMA_KIND = "atif-trajectory"
SCHEMA_VERSION = "ATIF-v1.8"
_SOURCES = {"system": "system", "developer": "system", "user": "user", "assistant": "agent"}


def rows(run, split: str, eval_case: bool) -> Iterator[Dict[str, Any]]:
    yield trajectory(run, split, eval_case)


def trajectory(run, split: str, eval_case: bool) -> Dict[str, Any]:
    """The ATIF trajectory of one redacted run (see the module docstring)."""
    steps = _steps(run.record.get("messages")) or _plain_steps(run)
    _approved_answer(steps, run.text("output_approved"))
    steps = [{"step_id": number, **step} for number, step in enumerate(steps, 1)]
    source = run.record.get("source") if isinstance(run.record.get("source"), dict) else {}
    session = source.get("session_hash") if isinstance(source.get("session_hash"), str) else None
    agent: Dict[str, Any] = {"name": run.harness, "version": "unknown"}
    if run.text("model_used"):
        agent["model_name"] = run.text("model_used")
    tools = tool_definitions(run.record.get("tools"), steps)
    if tools:
        agent["tool_definitions"] = tools
    provenance: Dict[str, Any] = {
        "trace_id": run.trace_id, "review_status": run.review_status, "split": split, "holdout": split != "train",
        "trainable": run.trainable, "eval_case": eval_case, "domain": run.domain, "workflow": run.workflow,
        "harness": run.harness, "redaction_status": run.redaction_status,
        "source_run_id_hash": hashed_id(run.raw_id),
    }
    if session:
        provenance["session_hash"] = session
    if isinstance(source.get("segment"), int) and not isinstance(source.get("segment"), bool):
        provenance["segment"] = source["segment"]
    for key in ("parent_session_hash", "parent_tool_call_id"):
        if isinstance(source.get(key), str) and source[key]:
            provenance[key] = source[key]
    return {
        "schema_version": SCHEMA_VERSION,
        "session_id": session or run.trace_id,
        "trajectory_id": run.trace_id,
        "agent": agent,
        "steps": steps,
        "notes": (f"Exported by data-flywheel from a human-{run.review_status} run ({run.domain}/{run.workflow}), "
                  f"{split} split{', held out' if split != 'train' else ''}; every text redacted. "
                  "Provenance in extra.flywheel."),
        "final_metrics": final_metrics(source.get("usage"), len(steps)),
        "extra": {"flywheel": provenance},
    }


def _steps(messages: Any) -> List[Dict[str, Any]]:
    steps: List[Dict[str, Any]] = []
    for message in messages if isinstance(messages, list) else ():
        if not isinstance(message, dict):
            continue
        role = message.get("role")
        text = text_of(message.get("content"))
        if role == "tool":
            _observe(steps, message, text)
            continue
        source = _SOURCES.get(role)  # type: ignore[arg-type]
        if source is None:
            continue
        step: Dict[str, Any] = {"source": source, "message": text}
        if source == "agent":
            reasoning = message.get("reasoning_content")
            if isinstance(reasoning, str) and reasoning:
                step["reasoning_content"] = reasoning
            calls = [_call(call, index) for index, call in enumerate(message.get("tool_calls") or ())]
            calls = [call for call in calls if call is not None]
            if calls:
                step["tool_calls"] = calls
        steps.append(step)
    return steps


def _call(raw: Any, index: int) -> Optional[Dict[str, Any]]:
    function = raw.get("function") if isinstance(raw, dict) else None
    name = function.get("name") if isinstance(function, dict) else None
    if not isinstance(name, str) or not name:
        return None
    call_id = raw.get("id") if isinstance(raw.get("id"), str) and raw.get("id") else f"call_{index}"
    call: Dict[str, Any] = {"tool_call_id": call_id, "function_name": name, "arguments": {}}
    value = function.get("arguments")  # type: ignore[union-attr]
    if isinstance(value, dict):
        call["arguments"] = value
    elif isinstance(value, str) and value.strip() and value.strip() != "null":
        parsed, problem = parse_json_text(value)
        if problem is None and isinstance(parsed, dict):
            call["arguments"] = parsed
        else:
            call["extra"] = {"arguments_text": value}  # the model's broken output, kept, never invented
    return call


def _observe(steps: List[Dict[str, Any]], message: Dict[str, Any], text: str) -> None:
    """A tool message as an observation result of the step before it."""
    if not steps:
        steps.append({"source": "system", "message": ""})
    step = steps[-1]
    call_id = message.get("tool_call_id") if isinstance(message.get("tool_call_id"), str) else ""
    result: Dict[str, Any] = {"content": text}
    if call_id and any(call["tool_call_id"] == call_id for call in step.get("tool_calls", ())):
        result = {"source_call_id": call_id, "content": text}
    elif call_id:
        result["extra"] = {"tool_call_id": call_id}
    step.setdefault("observation", {"results": []})["results"].append(result)


def _plain_steps(run) -> List[Dict[str, Any]]:
    system = "\n\n".join(text for text in (run.text("instruction"), run.text("context")) if text)
    steps = [{"source": "system", "message": system}] if system else []
    return steps + [{"source": "user", "message": run.text("input_redacted")},
                    {"source": "agent", "message": run.text("output_approved")}]


def _approved_answer(steps: List[Dict[str, Any]], approved: str) -> None:
    last = next((step for step in reversed(steps) if step["source"] == "agent"), None)
    if last is None:
        steps.append({"source": "agent", "message": approved})
    elif approved and last["message"] != approved:
        last["extra"] = {"original_message": last["message"]}
        last["message"] = approved


def tool_definitions(raw_tools: Any, steps: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The run's tool specs (well-formed ones), parameters inferred from its calls where missing."""
    tools: List[Dict[str, Any]] = []
    seen = set()
    for spec in raw_tools if isinstance(raw_tools, list) else ():
        function = spec.get("function") if isinstance(spec, dict) else None
        name = function.get("name") if isinstance(function, dict) else None
        if isinstance(name, str) and name and name not in seen:
            seen.add(name)
            tools.append({"type": "function", "function": dict(function)})  # type: ignore[arg-type]
    calls = [{"name": call["function_name"], "arguments": call["arguments"]}
             for step in steps for call in step.get("tool_calls", ())]
    return tool_schemas.with_inferred(tools, calls)


def final_metrics(usage: Any, steps: int) -> Dict[str, Any]:
    metrics: Dict[str, Any] = {"total_steps": steps}
    counts = {key: value for key, value in usage.items() if isinstance(value, int) and not isinstance(value, bool)} \
        if isinstance(usage, dict) else {}
    for total, keys in (("total_prompt_tokens", ("prompt_tokens",)),
                        ("total_completion_tokens", ("completion_tokens", "output_tokens")),
                        ("total_cached_tokens", ("cached_tokens", "cache_read_tokens"))):
        found = next((counts[key] for key in keys if key in counts), None)
        if found is not None:
            metrics[total] = found
    if counts:
        metrics["extra"] = {"usage": dict(sorted(counts.items()))}
    return metrics
