#!/usr/bin/env python3
"""Harvest every real session fixture and compare it with a count of its raw lines.

For each harness folder under ../shared/fixtures (real sessions from public
repositories, see SOURCES.md) this counts, with a small reader of its own (not
the tool's readers, so a reader bug cannot hide itself):

- user requests (a person's prompt: not a tool result, command tag, caveat,
  interruption marker, compaction summary or "Warmup" ping; a slash command's
  prompt counts once), and how many of them got an answer with text;
- assistant messages with text, tool calls, tool results;

then harvests the same files (``harvest --all-projects``) and counts the same
things in the episodes it wrote (each task episode's own messages, after its
``context_messages``), the candidates, the candidates whose task is one (or a
run of back-to-back) raw requests, and the answered requests no candidate has.
Losses are raw counts the harvest fell short of. Targets: zero losses, every
candidate's task a real request, every answered request a candidate.

Usage: python3 bench/real_sessions.py [--fixtures DIR] [--json]
"""
from __future__ import annotations

import argparse
import io
import json
import os
import re
import sys
import tempfile
from collections import Counter
from typing import Any, Dict, Iterator, List, Tuple

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))

FIXTURES = os.path.join(ROOT, "..", "shared", "fixtures")
HARNESSES = {"claude-code": "claude-code", "codex": "codex", "gemini-cli": "gemini-cli", "pi": "pi"}
COUNTS = ("requests", "assistant", "tool_calls", "tool_results")

_NOT_SAID = re.compile(r"\s*(<command-|<local-command-|<bash-|\[Request interrupted|Caveat: The messages below|Ran `[^`\n]*`\n)")
_HOUSEKEEPING = re.compile(r"\s*/(clear|exit|quit|compact|compress|new|reset|resume|model|cost|status|help|mode)\b")
_CODEX_INJECTED = ("<environment_context>", "<user_instructions>", "# agents.md instructions for ",
                   "<permissions instructions>", "<turn_aborted>")


def said(text: Any) -> bool:
    """A person's words (the bench's own test, kept apart from the tool's)."""
    if not isinstance(text, str) or not text.strip() or text.strip() == "Warmup":
        return False
    if _NOT_SAID.match(text) or _HOUSEKEEPING.match(text) or re.fullmatch(r"\s*/[\w:.-]+\s*", text):
        return False
    return not text.lstrip().lower().startswith(_CODEX_INJECTED)


class Raw:
    """Counts and request texts of one harness's files, in reading order."""

    def __init__(self) -> None:
        self.counts: Counter = Counter()
        self.requests: List[str] = []
        self.answered: List[bool] = []

    def request(self, text: str) -> None:
        self.counts["requests"] += 1
        self.requests.append(text)
        self.answered.append(False)

    def answer(self) -> None:
        self.counts["assistant"] += 1
        if self.answered:
            self.answered[-1] = True


def lines(path: str) -> Iterator[Dict[str, Any]]:
    with open(path, "rb") as fp:
        for raw in fp:
            try:
                value = json.loads(raw)
            except ValueError:
                continue
            if isinstance(value, dict):
                yield value


def texts(content: Any, kinds=("text",)) -> str:
    if isinstance(content, str):
        return content
    if not isinstance(content, list):
        return ""
    return "\n".join(p.get("text") or "" for p in content if isinstance(p, dict) and p.get("type") in kinds)


def raw_claude(path: str, raw: Raw) -> None:
    responses_with_text = set()
    tags = set()
    for line in lines(path):
        kind, message = line.get("type"), line.get("message") or {}
        content = message.get("content")
        if kind == "user":
            blocks = content if isinstance(content, list) else []
            raw.counts["tool_results"] += sum(1 for b in blocks if isinstance(b, dict) and b.get("type") == "tool_result")
            text = texts(content)
            if line.get("isMeta"):
                if line.get("parentUuid") in tags and text.strip():
                    raw.request(text)  # a slash command's prompt: what the model was asked
            elif text.lstrip().startswith(("<command-name>", "<command-message>")):
                tags.add(line.get("uuid"))
            elif said(text) and not line.get("isCompactSummary"):
                raw.request(text)
        elif kind == "assistant":
            blocks = content if isinstance(content, list) else []
            raw.counts["tool_calls"] += sum(1 for b in blocks if isinstance(b, dict) and b.get("type") == "tool_use")
            if any(isinstance(b, dict) and b.get("type") == "text" and (b.get("text") or "").strip() for b in blocks):
                if message.get("id") not in responses_with_text:
                    responses_with_text.add(message.get("id"))
                    raw.answer()


def raw_codex(path: str, raw: Raw) -> None:
    items = list(lines(path))
    prompts_in_items = any(
        i.get("type") == "response_item" and (i.get("payload") or {}).get("role") == "user"
        and said(texts((i["payload"]).get("content"), ("input_text",))) for i in items)
    for item in items:
        payload = item.get("payload") or {}
        kind = payload.get("type")
        if item.get("type") == "response_item":
            if kind == "message" and payload.get("role") == "user":
                text = texts(payload.get("content"), ("input_text",))
                if said(text):
                    raw.request(text)
            elif kind == "message" and payload.get("role") == "assistant":
                if texts(payload.get("content"), ("output_text",)).strip():
                    raw.answer()
            elif kind in ("function_call", "custom_tool_call", "local_shell_call", "web_search_call"):
                raw.counts["tool_calls"] += 1
            elif kind in ("function_call_output", "custom_tool_call_output"):
                raw.counts["tool_results"] += 1
        elif item.get("type") == "event_msg" and kind == "user_message" and not prompts_in_items:
            if said(payload.get("message")):
                raw.request(payload["message"])


def raw_pi(path: str, raw: Raw) -> None:
    for line in lines(path):
        message = line.get("message") or {}
        role = message.get("role")
        if line.get("type") != "message":
            continue
        if role == "user" and said(texts(message.get("content"))):
            raw.request(texts(message.get("content")))
        elif role == "assistant":
            parts = message.get("content") if isinstance(message.get("content"), list) else []
            raw.counts["tool_calls"] += sum(1 for p in parts if isinstance(p, dict) and p.get("type") == "toolCall")
            if texts(parts).strip():
                raw.answer()
        elif role == "toolResult":
            raw.counts["tool_results"] += 1


def raw_gemini(path: str, raw: Raw) -> None:
    with open(path, encoding="utf-8") as fp:
        document = json.load(fp)
    for message in document.get("messages") or []:
        content = message.get("content")
        text = content if isinstance(content, str) else texts(content)
        if message.get("type") == "user" and said(text):
            raw.request(text)
        elif message.get("type") == "gemini":
            calls = message.get("toolCalls") or []
            raw.counts["tool_calls"] += len(calls)
            raw.counts["tool_results"] += sum(1 for c in calls if c.get("result") is not None)
            if isinstance(text, str) and text.strip():
                raw.answer()


RAW_READERS = {"claude-code": raw_claude, "codex": raw_codex, "pi": raw_pi, "gemini-cli": raw_gemini}


def session_files(folder: str) -> List[str]:
    found = []
    for base, dirs, names in os.walk(folder):
        dirs.sort()
        found.extend(os.path.join(base, n) for n in sorted(names) if n.endswith((".jsonl", ".json")))
    return found


def harvested(folder: str, work: str) -> Tuple[Counter, List[Dict[str, Any]], List[str]]:
    """Counts from the tool's own output, its candidates, and its skip messages."""
    from data_flywheel import cli

    out, agent = os.path.join(work, "out"), os.path.join(work, ".agent")
    stdout, stderr = io.StringIO(), io.StringIO()
    code = cli.main(["harvest", "--path", folder, "--out", out, "--agent-root", agent, "--all-projects", "--json"],
                    stdout=stdout, stderr=stderr, env={"HOME": "/nonexistent-home", "SOURCE_DATE_EPOCH": "1777104000"})
    if code != 0:
        raise SystemExit(f"harvest failed ({code}): {stderr.getvalue()}")
    summary = json.loads(stdout.getvalue())
    counts: Counter = Counter()
    with open(os.path.join(out, "episodes.jsonl"), encoding="utf-8") as fp:
        for line in fp:
            record = json.loads(line)
            if record["kind"] != "task":
                continue
            for message in record["messages"][record.get("context_messages") or 0:]:
                role, content = message["role"], message.get("content")
                if role == "user" and said(content):
                    counts["requests"] += 1
                elif role == "assistant":
                    counts["tool_calls"] += len(message.get("tool_calls") or ())
                    counts["assistant"] += 1 if isinstance(content, str) and content.strip() else 0
                elif role == "tool":
                    counts["tool_results"] += 1
    candidates = []
    path = os.path.join(agent, "flywheel", "candidates.jsonl")
    if os.path.exists(path):
        with open(path, encoding="utf-8") as fp:
            candidates = [json.loads(line) for line in fp]
        counts["candidate_bytes"] = os.path.getsize(path)
    return counts, candidates, [f"{s['path']}: {s['reason']}" for s in summary.get("skipped", [])]


_PLACEHOLDER = re.compile(r"\[[A-Z][A-Z0-9_]*_\d+\]")


def matches(task: str, text: str) -> bool:
    """The candidate's (redacted) task is this raw text, placeholders standing for anything."""
    pattern = ".+?".join(re.escape(piece) for piece in _PLACEHOLDER.split(task))
    return re.fullmatch(pattern, text, re.DOTALL) is not None


def covered(task: str, requests: List[str], seen: set) -> List[int]:
    """The raw requests (one, or a run of up to 4 back to back) this task is, not yet covered if possible
    ("continue" is asked many times: each candidate covers the next one)."""
    hits = [list(range(i, i + k)) for i in range(len(requests)) for k in range(1, 5)
            if i + k <= len(requests) and matches(task, "\n\n".join(requests[i:i + k]))]
    return next((hit for hit in hits if not seen.intersection(hit)), hits[0] if hits else [])


def measure(name: str, folder: str) -> Dict[str, Any]:
    raw = Raw()
    for path in session_files(folder):
        RAW_READERS[name](path, raw)
    with tempfile.TemporaryDirectory() as work:
        counts, candidates, skipped = harvested(folder, work)
    real, seen = 0, set()
    for candidate in candidates:
        hit = covered(candidate["input_redacted"], raw.requests, seen)
        real += bool(hit)
        seen.update(hit)
    answered = [i for i, ok in enumerate(raw.answered) if ok]
    missing = [raw.requests[i][:60] for i in answered if i not in seen]
    losses = {key: max(0, raw.counts[key] - counts[key]) for key in COUNTS}
    return {
        "harness": name, "files": len(session_files(folder)),
        "session_bytes": sum(os.path.getsize(p) for p in session_files(folder)), "candidate_bytes": counts["candidate_bytes"], "raw": {k: raw.counts[k] for k in COUNTS},
        "harvested": {k: counts[k] for k in COUNTS}, "losses": losses, "answered_requests": len(answered),
        "candidates": len(candidates), "real_request_tasks": real, "answered_without_candidate": missing,
        "negative_candidates": sum(1 for c in candidates if c.get("outcome") != "completed"), "skipped": skipped,
    }


def table(rows: List[Dict[str, Any]]) -> str:
    head = ("harness", "files", "requests raw/harv", "assistant raw/harv", "tool calls raw/harv",
            "results raw/harv", "losses", "answered", "candidates", "real tasks", "uncovered", "negative")
    body = []
    for r in rows:
        pair = lambda key: f"{r['raw'][key]}/{r['harvested'][key]}"  # noqa: E731
        body.append((r["harness"], str(r["files"]), pair("requests"), pair("assistant"), pair("tool_calls"),
                     pair("tool_results"), str(sum(r["losses"].values())), str(r["answered_requests"]),
                     str(r["candidates"]), str(r["real_request_tasks"]), str(len(r["answered_without_candidate"])),
                     str(r["negative_candidates"])))
    widths = [max(len(x) for x in column) for column in zip(head, *body)]
    render = lambda cells: "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"  # noqa: E731
    return "\n".join([render(head), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(render, body)])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fixtures", default=FIXTURES, help="the real fixtures folder (default: ../shared/fixtures)")
    parser.add_argument("--json", action="store_true", help="print the measurements as JSON")
    args = parser.parse_args(argv)
    rows = [measure(name, os.path.join(args.fixtures, folder))
            for folder, name in sorted(HARNESSES.items()) if os.path.isdir(os.path.join(args.fixtures, folder))]
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        print(table(rows))
        print(f"session files {sum(r['session_bytes'] for r in rows):,} bytes; "
              f"candidates.jsonl {sum(r['candidate_bytes'] for r in rows):,} bytes")
        for r in rows:
            for text in r["answered_without_candidate"]:
                print(f"{r['harness']}: answered request without a candidate: {text!r}")
            for text in r["skipped"]:
                print(f"{r['harness']}: skipped {text}")
    met = all(not sum(r["losses"].values()) and r["real_request_tasks"] == r["candidates"]
              and not r["answered_without_candidate"] for r in rows)
    print("targets met" if met else "targets NOT met")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
