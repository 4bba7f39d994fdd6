"""Deterministic mutators for the fault suite: hostile approved-run lines and configuration files.

Shared by tests/test_faults.py (a few dozen cases) and bench/faults.py
(hundreds). Every case is ``(name, bytes)``; the same seed gives the same cases.
"""
from __future__ import annotations

import json
import random
from typing import Any, Iterator, List, Tuple

# Values that have broken JSON tools: numbers past a float, signed zero, lone
# surrogates, NUL, a BOM in the middle, deep nesting, control characters.
HOSTILE_VALUES = [
    "9" * 5000, "1" + "0" * 400, "1e400", "-1e400", "1.5e308", "-0", "-0.0", "0.0000000000000000000001",
    '"\\ud800"', '"a\\udfffb"', '"\\udc00\\ud800"', '"\\ud83d\\ude00"', '"\\u0000"', '"x\\u0000y"',
    '"x\\ufeffy"', '"\\ufeff"', '"\\u202e\\u2066"', '"' + "\\n" * 50 + '"', "[" * 40 + "]" * 40,
    '{"\\ud800": 1}', '["\\udc00", 1e400]', "true", "null", '""', '"' + "é" * 300 + '"', "{}", "[]",
    '"../../etc/passwd"', '"CON"', '"．．／．．／x"',
]
KEYS = [
    "id", "created_at", "project", "domain", "workflow", "harness", "instruction", "input_redacted",
    "output_approved", "human_review", "redaction_status", "pii_level", "raw_input_stored", "stable_rules",
    "context_tokens_before", "context_tokens_after", "messages", "tools", "trace_id", "trainable", "timestamp",
]
REGEX_PIECES = ["(a+)+$", "(a|ab)*c", "a{99999999999}", "(?:x*)*", "[", "\\", "(?P<x>", "((((((((((a))))))))))",
                "(?:a{1000}){1000}", ".*.*.*=.*", "\\d{99999}", "(?=a)*", "\\x00", "\\ud800"]


def base_run(index: int) -> dict:
    return {
        "id": f"fuzz-{index:05d}", "created_at": "2026-04-25T10:00:00Z", "project": "demo", "domain": "saas",
        "workflow": "bug_triage", "harness": "codex", "instruction": "Triage the ticket.",
        "input_redacted": f"Ticket {index}: the import fails.", "output_approved": f"Regression (ticket {index}).",
        "human_review": {"status": "accepted", "review_notes": "ok"}, "redaction_status": "passed",
        "pii_level": "none", "raw_input_stored": False, "stable_rules": ["Separate facts from assumptions."],
    }


def _set_value(line: str, key: str, value: str) -> str:
    """A JSON line with ``key`` set to the raw JSON text ``value`` (which json.dumps could not write)."""
    record = json.loads(line)
    record.pop(key, None)
    body = json.dumps(record)
    return body[:-1] + (", " if len(body) > 2 else "") + json.dumps(key) + ": " + value + "}"


def mutate_line(rng: random.Random, line: str) -> Tuple[str, bytes]:
    kind = rng.choice(["value", "value", "value", "bytes", "truncate", "duplicate", "nested", "insert"])
    if kind == "value":
        key, value = rng.choice(KEYS), rng.choice(HOSTILE_VALUES)
        return f"{key}={value[:12]}", _set_value(line, key, value).encode("utf-8")
    data = bytearray(line.encode("utf-8"))
    if kind == "bytes":
        for _ in range(rng.randint(1, 4)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        return "bytes", bytes(data)
    if kind == "truncate":
        return "truncate", bytes(data[: rng.randrange(1, len(data))])
    if kind == "duplicate":
        key = rng.choice(KEYS)
        return f"duplicate {key}", _set_value(line, key, '"one"')[:-1].encode() + (', "%s": "two"}' % key).encode()
    if kind == "nested":
        depth = rng.choice([100, 300, 5000])
        return f"nested {depth}", _set_value(line, "messages", "[" * depth + "]" * depth).encode()
    at = rng.randrange(len(data))
    piece = rng.choice([b"\x00", b"\xef\xbb\xbf", b"\xff", b"\\ud800", b'"', b"{", b"\r", b"\xe2\x80\xa8"])
    return "insert", bytes(data[:at]) + piece + bytes(data[at:])


def fuzzed_lines(seed: int, count: int) -> Iterator[Tuple[str, bytes]]:
    rng = random.Random(seed)
    for index in range(count):
        yield mutate_line(rng, json.dumps(base_run(index)))


VALID_REDACTION = json.dumps({
    "version": 1,
    "deny": ["Acme Corp", {"literal": "bluebird", "label": "PROJECT"},
             {"regex": "build-[0-9]+\\.corp\\.internal", "label": "HOST", "ignore_case": True}],
    "allow": ["support@example.com", {"regex": "@ourco\\.dev$"}],
    "disable": ["ipv4-address"],
}, indent=2)
VALID_CONFIG = json.dumps({"accept_auto_redacted": False, "capture_hook": False,
                           "split_ratios": {"train": 0.8, "validation": 0.1, "test": 0.1}}, indent=2)


def mutate_config(rng: random.Random, text: str) -> Tuple[str, bytes]:
    kind = rng.choice(["bytes", "truncate", "value", "regex", "regex", "nested", "duplicate", "number"])
    if kind == "regex":
        piece = rng.choice(REGEX_PIECES)
        return f"regex {piece[:16]}", text.replace("build-[0-9]+", piece.replace("\\", "\\\\"), 1).encode("utf-8")
    if kind == "value":
        value = rng.choice(HOSTILE_VALUES)
        target = rng.choice(['"Acme Corp"', "false", "0.8", '"PROJECT"', "1", '"ipv4-address"', "true"])
        return f"value {value[:12]}", text.replace(target, value, 1).encode("utf-8")
    if kind == "nested":
        depth = rng.choice([33, 1000, 100000])
        return f"nested {depth}", text.replace("[", "[" * depth, 1).replace("]", "]" * depth, 1).encode("utf-8")
    if kind == "duplicate":
        first_key = text.split('"', 2)[1]
        return "duplicate", text.replace("{", '{"%s": 0,' % first_key, 1).encode("utf-8")
    if kind == "number":
        return "number", text.replace("0.8", rng.choice(["1" + "0" * 5000, "1e400", "-0", "1e-400", "8" * 99]), 1).encode()
    data = bytearray(text.encode("utf-8"))
    if kind == "bytes":
        for _ in range(rng.randint(1, 6)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        return "bytes", bytes(data)
    return "truncate", bytes(data[: rng.randrange(1, len(data))])


def fuzzed_configs(seed: int, count: int) -> Iterator[Tuple[str, str, bytes]]:
    """``(file name, mutation, bytes)``: alternately redaction.json and config.json."""
    rng = random.Random(seed)
    for index in range(count):
        name, text = ("redaction.json", VALID_REDACTION) if index % 2 == 0 else ("config.json", VALID_CONFIG)
        mutation, data = mutate_config(rng, text)
        yield name, mutation, data


def split_lines(cases: List[Tuple[str, bytes]]) -> bytes:
    """The cases as one JSONL file (a case holding a newline becomes two lines, as in a real file)."""
    return b"".join(data.replace(b"\n", b" ") + b"\n" for _name, data in cases)
