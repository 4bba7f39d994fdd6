"""Edits to the user's own files, each with its exact inverse: hook entries in JSON settings,
lines in ``.gitignore``, one key in ``.agent/flywheel/config.json``.

The rules (harness-install-targets notes, "Non-clobbering install rules"): parse
JSON with ``json`` and refuse the file if that fails; keep every key we do not
own; append one group per event and never reassign an event's list; find our
entries by the command they run; add no other keys. A file whose harness allows
comments (JSONC) is never rewritten, because ``json`` would drop them.
"""
from __future__ import annotations

import copy
import json
import re
from typing import Any, Dict, List, Optional, Sequence, Tuple

from ..errors import ConfigError
from .targets import HookSpec

GITIGNORE_COMMENT = "# data flywheel: private state (approved runs, candidates, exports, install backups)"


class JsoncFile(Exception):
    """The file is valid only with comments or trailing commas: leave it alone and print a snippet."""


def _strip_jsonc(text: str) -> str:
    """``text`` without ``//`` and ``/* */`` comments or trailing commas (strings left intact)."""
    out = []
    index, length = 0, len(text)
    while index < length:
        char = text[index]
        if char == '"':
            end = index + 1
            while end < length and text[end] != '"':
                end += 2 if text[end] == "\\" else 1
            out.append(text[index:end + 1])
            index = end + 1
        elif text.startswith("//", index):
            end = text.find("\n", index)
            index = length if end < 0 else end
        elif text.startswith("/*", index):
            end = text.find("*/", index + 2)
            index = length if end < 0 else end + 2
        else:
            out.append(char)
            index += 1
    # A trailing comma follows a value; "{,}" stays as broken as it was.
    return re.sub(r'([\]}"\w])(\s*),(?=\s*[}\]])', r"\1\2", "".join(out))


def parse_object(text: str, source: str, *, comments_allowed: bool = False) -> Dict[str, Any]:
    """A JSON object from a settings file, or ``ConfigError`` naming the line (``JsoncFile`` for JSONC)."""
    try:
        document = json.loads(text) if text.strip() else {}
    except json.JSONDecodeError as error:
        if comments_allowed:
            try:
                json.loads(_strip_jsonc(text))
            except json.JSONDecodeError:
                pass
            else:
                raise JsoncFile(source) from None
        raise ConfigError(f"not valid JSON: {error.msg}", source=source, line=error.lineno,
                          remedy="nothing was changed: fix the JSON and run the command again") from None
    if not isinstance(document, dict):
        raise ConfigError("not a JSON object", source=source, line=1,
                          remedy="nothing was changed: it must be one JSON object, {...}")
    return document


def indent_of(text: str) -> Any:
    """The indentation a JSON text already uses (so a rewrite keeps its look): a width, a tab, or 2."""
    match = re.search(r"\n([ \t]+)\S", text)
    if not match:
        return 2
    unit = match.group(1)
    return "\t" if unit.startswith("\t") else len(unit)


def dump_object(document: Dict[str, Any], indent: Any = 2) -> bytes:
    return (json.dumps(document, indent=indent, ensure_ascii=False) + "\n").encode("utf-8")


# --- hooks ------------------------------------------------------------------------


def _handler(spec: HookSpec, event: str, timeout: int) -> Dict[str, Any]:
    handler: Dict[str, Any] = {}
    if spec.handler_name:
        handler["name"] = "data-flywheel-capture"
    if spec.shape == "groups":
        handler["type"] = "command"
    handler["command"] = spec.command()
    handler["timeout"] = timeout
    return handler


def _is_ours(handler: Any, marker: str) -> bool:
    return isinstance(handler, dict) and isinstance(handler.get("command"), str) and marker in handler["command"]


def _event_lists(document: Dict[str, Any], spec: HookSpec, source: str) -> Optional[Dict[str, Any]]:
    hooks = document.get("hooks")
    if hooks is None:
        return None
    if not isinstance(hooks, dict):
        raise ConfigError('"hooks" is not an object', source=source,
                          remedy="nothing was changed: fix the file and run the command again")
    for event in spec.events:
        entries = hooks.get(event.name)
        if entries is not None and not isinstance(entries, list):
            raise ConfigError(f'"hooks.{event.name}" is not a list', source=source,
                              remedy="nothing was changed: fix the file and run the command again")
    return hooks


def _handlers(entries: List[Any], spec: HookSpec) -> List[Any]:
    if spec.shape == "flat":
        return list(entries)
    found = []
    for group in entries:
        if isinstance(group, dict) and isinstance(group.get("hooks"), list):
            found.extend(group["hooks"])
    return found


def add_hooks(document: Dict[str, Any], spec: HookSpec, source: str, marker: str) -> Tuple[Dict[str, Any], Dict[str, Any]]:
    """``document`` with our handler appended for each event that has none; and how to undo it."""
    hooks = _event_lists(document, spec, source)
    result = copy.deepcopy(document)
    undo: Dict[str, Any] = {"events_added": [], "hooks_added": hooks is None}
    if hooks is None:
        result["hooks"] = {}
    for event in spec.events:
        entries = result["hooks"].get(event.name)
        if entries is None:
            entries = result["hooks"][event.name] = []
            undo["events_added"].append(event.name)
        if any(_is_ours(handler, marker) for handler in _handlers(entries, spec)):
            continue
        handler = _handler(spec, event.name, event.timeout)
        entries.append(handler if spec.shape == "flat" else {"hooks": [handler]})
    return result, undo


def remove_hooks(document: Dict[str, Any], spec: HookSpec, source: str, marker: str, undo: Dict[str, Any]) -> Dict[str, Any]:
    """``document`` without our handlers; groups, events and ``hooks`` we added are pruned once empty."""
    hooks = _event_lists(document, spec, source)
    result = copy.deepcopy(document)
    if hooks is None:
        return result
    for event in spec.events:
        entries = result["hooks"].get(event.name)
        if not isinstance(entries, list):
            continue
        kept = []
        for entry in entries:
            if spec.shape == "flat":
                if not _is_ours(entry, marker):
                    kept.append(entry)
                continue
            if isinstance(entry, dict) and isinstance(entry.get("hooks"), list):
                handlers = [handler for handler in entry["hooks"] if not _is_ours(handler, marker)]
                if not handlers and len(handlers) != len(entry["hooks"]):
                    continue  # a group that held only our handler
                entry = dict(entry, hooks=handlers)
            kept.append(entry)
        if kept or event.name not in undo.get("events_added", ()):
            result["hooks"][event.name] = kept
        else:
            del result["hooks"][event.name]
    if undo.get("hooks_added") and not result["hooks"]:
        del result["hooks"]
    return result


def hooks_snippet(spec: HookSpec, marker: str) -> str:
    """What to merge by hand into a settings file the installer does not rewrite."""
    document, _undo = add_hooks(dict(spec.new_file), spec, spec.settings, marker)
    return dump_object(document).decode("utf-8")


# --- .gitignore -------------------------------------------------------------------


def _ignore_variants(line: str) -> Sequence[str]:
    bare = line.strip("/")
    return (bare, bare + "/", "/" + bare, "/" + bare + "/", bare + "/*", "/" + bare + "/*", bare + "/**", "/" + bare + "/**")


def gitignore_missing(text: str, lines: Sequence[str]) -> List[str]:
    present = {raw.strip() for raw in text.splitlines()}
    return [line for line in lines if not any(variant in present for variant in _ignore_variants(line))]


def gitignore_append(text: str, lines: Sequence[str]) -> str:
    if not lines:
        return text
    block = "\n".join([GITIGNORE_COMMENT, *lines]) + "\n"
    if text and not text.endswith("\n"):
        text += "\n"
    return text + block


def gitignore_remove(text: str, lines: Sequence[str]) -> str:
    """``text`` without our comment and the lines we appended (the first occurrence of each)."""
    pending = [GITIGNORE_COMMENT, *lines]
    kept = []
    for raw in text.splitlines(keepends=True):
        if raw.rstrip("\r\n") in pending:
            pending.remove(raw.rstrip("\r\n"))
            continue
        kept.append(raw)
    return "".join(kept)


# --- .agent/flywheel/config.json ---------------------------------------------------


def set_key(document: Dict[str, Any], key: str, value: Any) -> Tuple[Dict[str, Any], Dict[str, Any]]:
    result = dict(document)
    undo = {"key": key, "had_key": key in document, "previous": document.get(key)}
    result[key] = value
    return result, undo


def unset_key(document: Dict[str, Any], undo: Dict[str, Any]) -> Dict[str, Any]:
    result = dict(document)
    key = undo["key"]
    if undo.get("had_key"):
        result[key] = undo.get("previous")
    else:
        result.pop(key, None)
    return result
