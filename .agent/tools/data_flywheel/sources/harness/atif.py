"""ATIF trajectories (Harbor's Agent Trajectory Interchange Format) as episodes.

Harbor converts the native logs of Claude Code, Codex, Gemini CLI, OpenCode,
pi, Terminus and other agents to ATIF and writes one ``agent/trajectory.json``
per trial of a job (``jobs/<job>/<trial>/``); NeMo Relay exports it too, and our
own export writes ``atif/<split>.jsonl`` (one trajectory per line). This
reader takes any of these:

- a trial folder (it holds ``agent/trajectory.json``): claimed whole, so the
  trial's ``result.json`` and ``config.json`` are not offered to other readers;
- a ``trajectory.json`` (one JSON document, indented as Harbor writes it);
- a JSON Lines file of trajectories.

A trajectory becomes a ``task`` episode: ``system``/``user`` steps become
those messages, an ``agent`` step an assistant message (``tool_calls`` with
``arguments`` as JSON text, ``reasoning_content`` with ``--keep-reasoning``,
the step's model and token counts), followed by one ``tool`` message per
observation result (``source_call_id`` as ``tool_call_id``; a result that
answers no call keeps an empty one). Steps marked ``is_copied_context`` are
context the model saw, so they are messages, but their tokens and times belong
to the earlier trajectory. ``agent.tool_definitions`` become the episode's
``tools`` (real schemas, which the export prefers to inferred ones).

Continuations (``continued_trajectory_ref``: a file beside the trajectory, as
Terminus writes ``trajectory.cont-1.json``, or in a JSON Lines file the
``trajectory_id`` of another line, as our export writes) are the next
segments of the same session. Embedded ``subagent_trajectories`` and
subagent refs that name a local file are read as conversations of their own,
like Claude Code's sidechains. No ``turn`` episodes: ATIF has no marker for
where one request ends, and task episodes are what become candidates.
"""
# ATIF: harbor 0.26.0 (PyPI) harbor/models/trajectories/*.py (ATIF-v1.8) and
# harbor/utils/trajectory_validator.py; Harbor's trial layout: harbor/models/trial/paths.py;
# continuation file names: harbor/agents/terminus_2/terminus_2.py.
from __future__ import annotations

import json
import os
import re
from typing import Any, Callable, Dict, Iterator, List, Optional, Set, Tuple

from ... import jsonio
from ...records import episode as ep
from ...records.normalize import parse_time
from .base import NOT_USABLE

NAME = "atif"
# Harbor's default ``jobs_dir`` (harbor/models/job/config.py), relative to where it ran.
DEFAULT_DIRS: Tuple[str, ...] = ("jobs",)
TRIAL_TRAJECTORY = os.path.join("agent", "trajectory.json")

NOT_ATIF = "not_atif"
MAX_SEGMENTS = 1000  # a continuation chain longer than this is a loop
_VERSION = re.compile(r'"schema_version"\s*:\s*"ATIF-v\d')
_CONTINUATION_FILE = re.compile(r"\.cont-\d+\.json\Z")
# ATIF metrics -> episode usage keys: ATIF's own names, since harnesses disagree on
# whether "input" includes cached tokens and ATIF says prompt_tokens does.
_USAGE_KEYS = (("prompt_tokens", "prompt_tokens"), ("completion_tokens", "completion_tokens"),
               ("cached_tokens", "cached_tokens"))
_ROLES = {"system": "system", "user": "user", "agent": "assistant"}


def default_dirs(env) -> Tuple[str, ...]:
    return DEFAULT_DIRS


def sniff(head: List[str]) -> bool:
    """A JSON Lines trajectory, or the first lines of an indented ``trajectory.json``."""
    lines = [line.lstrip("\ufeff").strip() for line in head]
    lines = [line for line in lines if line]
    if not lines:
        return False
    if lines[0] == "{":
        return any(_VERSION.match(line) for line in lines[1:4])
    value, problem = jsonio.parse_json_text(lines[0])
    return (problem is None and isinstance(value, dict) and isinstance(value.get("schema_version"), str)
            and value["schema_version"].startswith("ATIF-") and isinstance(value.get("steps"), list))


def sniff_path(path: str) -> bool:
    """A Harbor trial folder: it holds ``agent/trajectory.json``."""
    return os.path.isdir(path) and os.path.isfile(os.path.join(path, TRIAL_TRAJECTORY))


def skip_reason(path: str) -> Optional[str]:
    """``trajectory.cont-N.json`` beside its ``trajectory.json`` is read with it, not alone."""
    if _CONTINUATION_FILE.search(os.path.basename(path)) and os.path.isfile(
        os.path.join(os.path.dirname(path), "trajectory.json")
    ):
        return "a continuation, read with the trajectory.json beside it"
    return None


# --- reading ----------------------------------------------------------------------------


def read_session(
    path: str,
    on_problem: Callable[[jsonio.LineProblem], None],
    *,
    keep_reasoning: bool = False,
) -> Iterator[ep.Episode]:
    """Yield the episodes of one trial folder, trajectory file or JSON Lines file of trajectories."""
    if os.path.isdir(path):
        path = os.path.join(path, TRIAL_TRAJECTORY)
    with open(path, "rb") as fp:
        data = fp.read()
    # One document (trajectory.json), else JSON Lines: parsing a JSON Lines file whole stops
    # at the end of its first line ("extra data"), so trying costs one line.
    document, problem = jsonio.parse_json_text(data.decode("utf-8", "replace").lstrip("\ufeff"))
    if problem is None and isinstance(document, dict):
        yield from _from_document(path, document, on_problem, keep_reasoning)
        return
    yield from _from_lines(path, data, on_problem, keep_reasoning)



def _from_document(path, document, on_problem, keep_reasoning) -> Iterator[ep.Episode]:
    if not _is_trajectory(document):
        on_problem(jsonio.LineProblem(path, 1, NOT_ATIF, "not an ATIF trajectory (no agent or steps)"))
        return
    folder = os.path.dirname(path)
    chain = [document]
    seen = {os.path.abspath(path)}
    while len(chain) < MAX_SEGMENTS:
        ref = chain[-1].get("continued_trajectory_ref")
        target = os.path.abspath(os.path.join(folder, ref)) if isinstance(ref, str) and ref else None
        if target is None or target in seen or not os.path.isfile(target):
            break
        seen.add(target)
        try:
            with open(target, "rb") as fp:
                following, problem = jsonio.parse_json_text(fp.read().decode("utf-8", "replace"))
        except OSError:
            break
        if problem is not None or not _is_trajectory(following):
            on_problem(jsonio.LineProblem(target, 1, NOT_ATIF, "the continuation is not an ATIF trajectory"))
            break
        chain.append(following)
    fallback = os.path.basename(os.path.dirname(folder)) if os.path.basename(path) == "trajectory.json" else \
        os.path.splitext(os.path.basename(path))[0]
    yield from _chain_episodes(path, 1, chain, fallback, on_problem, keep_reasoning, folder=folder, seen=seen)


def _from_lines(path, data: bytes, on_problem, keep_reasoning) -> Iterator[ep.Episode]:
    """Each line a trajectory; a line another line continues is read as that line's next segment."""
    by_id: Dict[str, Tuple[int, Dict[str, Any]]] = {}
    continued: Set[str] = set()
    documents: List[Tuple[int, Dict[str, Any]]] = []
    for number, value in jsonio.read_json_lines(data.splitlines(keepends=True), path, on_problem):
        if not _is_trajectory(value):
            on_problem(jsonio.LineProblem(path, number, NOT_ATIF, "not an ATIF trajectory (no agent or steps)"))
            continue
        documents.append((number, value))
        if isinstance(value.get("trajectory_id"), str):
            by_id.setdefault(value["trajectory_id"], (number, value))
        ref = value.get("continued_trajectory_ref")
        if isinstance(ref, str) and ref:
            continued.add(ref)
    stem = os.path.splitext(os.path.basename(path))[0]
    for number, document in documents:
        if document.get("trajectory_id") in continued:
            continue  # read as a segment of the trajectory that continues into it
        chain = [document]
        while len(chain) < MAX_SEGMENTS:
            ref = chain[-1].get("continued_trajectory_ref")
            following = by_id.get(ref) if isinstance(ref, str) else None
            if following is None or any(item is following[1] for item in chain):
                break
            chain.append(following[1])
        yield from _chain_episodes(path, number, chain, f"{stem}:{number}", on_problem, keep_reasoning)


def _is_trajectory(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get("agent"), dict) and isinstance(value.get("steps"), list)


def _chain_episodes(path, line, chain, fallback_id, on_problem, keep_reasoning, *, folder=None,
                    seen=None) -> Iterator[ep.Episode]:
    root = chain[0]
    session_id = next((doc.get(key) for doc in chain for key in ("session_id", "trajectory_id")
                       if isinstance(doc.get(key), str) and doc.get(key)), fallback_id)
    harness = _agent_name(root)
    for segment, document in enumerate(chain):
        episode = _episode(document, harness, session_id, segment, keep_reasoning)
        if episode is None:
            on_problem(jsonio.LineProblem(path, line, NOT_USABLE, f"task segment {segment} is not usable: "
                                          "it needs a user step and an agent step"))
        else:
            yield episode
    for document in chain:
        for sub in _subagents(document, folder, seen):
            sub_id = sub.get("trajectory_id") or sub.get("session_id") or "subagent"
            episode = _episode(sub, _agent_name(sub, harness), f"{session_id}:subagent-{sub_id}", 0, keep_reasoning)
            if episode is not None:
                yield episode


def _agent_name(document: Dict[str, Any], default: str = NAME) -> str:
    name = document["agent"].get("name")
    return name if isinstance(name, str) and name.strip() else default


def _subagents(document: Dict[str, Any], folder: Optional[str], seen: Optional[Set[str]]) -> Iterator[Dict[str, Any]]:
    """Embedded subagent trajectories, then those a ref names as a local file beside this one."""
    for sub in document.get("subagent_trajectories") or ():
        if _is_trajectory(sub):
            yield sub
    if folder is None or seen is None:
        return
    for step in document["steps"]:
        observation = step.get("observation") if isinstance(step, dict) else None
        for result in (observation or {}).get("results") or ():
            for ref in (result or {}).get("subagent_trajectory_ref") or ():
                target = ref.get("trajectory_path") if isinstance(ref, dict) else None
                if not isinstance(target, str) or "://" in target:
                    continue
                target = os.path.abspath(os.path.join(folder, target))
                if target in seen or not os.path.isfile(target):
                    continue
                seen.add(target)
                with open(target, "rb") as fp:
                    sub, problem = jsonio.parse_json_text(fp.read().decode("utf-8", "replace"))
                if problem is None and _is_trajectory(sub):
                    yield sub


# --- steps to messages ------------------------------------------------------------------


def _episode(document, harness, session_id, segment, keep_reasoning) -> Optional[ep.Episode]:
    model = document["agent"].get("model_name") if isinstance(document["agent"].get("model_name"), str) else None
    messages: List[ep.Message] = []
    own: List[ep.Message] = []
    for step in document["steps"]:
        if not isinstance(step, dict):
            continue
        produced = _messages(step, model)
        messages.extend(produced)
        if not step.get("is_copied_context"):
            own.extend(produced)
    episode = ep.build_episode("task", harness, session_id, segment, messages, own=own, keep_reasoning=keep_reasoning)
    if episode is not None:
        episode.tools = _tool_definitions(document["agent"].get("tool_definitions"))
    return episode


def _messages(step: Dict[str, Any], default_model: Optional[str]) -> List[ep.Message]:
    role = _ROLES.get(step.get("source"))  # type: ignore[arg-type]
    if role is None:
        return []
    when = parse_time(step.get("timestamp"))
    text = ep.text_of(step.get("message"))
    names: Dict[str, str] = {}
    out: List[ep.Message] = []
    if role == "assistant":
        calls = []
        for call in step.get("tool_calls") or ():
            if not isinstance(call, dict) or not isinstance(call.get("function_name"), str):
                continue
            call_id = call.get("tool_call_id") if isinstance(call.get("tool_call_id"), str) else f"call_{len(calls)}"
            names[call_id] = call["function_name"]
            calls.append(ep.ToolCall(call_id, call["function_name"], ep.arguments_json(call.get("arguments"))))
        reasoning = step.get("reasoning_content")
        model = step.get("model_name") if isinstance(step.get("model_name"), str) else default_model
        out.append(ep.Message(
            "assistant", text, tool_calls=tuple(calls), reasoning=reasoning if isinstance(reasoning, str) else "",
            timestamp=when, model=model, usage=ep.usage_counts(step.get("metrics"), _USAGE_KEYS),
        ))
    else:
        out.append(ep.Message(role, text, timestamp=when))
    observation = step.get("observation")
    for result in (observation.get("results") or ()) if isinstance(observation, dict) else ():
        if not isinstance(result, dict):
            continue
        call_id = result.get("source_call_id") if isinstance(result.get("source_call_id"), str) else ""
        out.append(ep.Message("tool", ep.text_of(result.get("content")), tool_call_id=call_id,
                              name=names.get(call_id), timestamp=when))
    return out


def _tool_definitions(raw: Any) -> List[Dict[str, Any]]:
    """OpenAI-style function specs from ``agent.tool_definitions`` (a bare function object is wrapped)."""
    tools: List[Dict[str, Any]] = []
    for spec in raw if isinstance(raw, list) else ():
        function = spec.get("function") if isinstance(spec, dict) and isinstance(spec.get("function"), dict) else spec
        if not isinstance(function, dict) or not isinstance(function.get("name"), str) or not function["name"]:
            continue
        out: Dict[str, Any] = {"name": function["name"]}
        if isinstance(function.get("description"), str):
            out["description"] = function["description"]
        if isinstance(function.get("parameters"), dict):
            out["parameters"] = function["parameters"]
        tools.append({"type": "function", "function": out})
    return tools
