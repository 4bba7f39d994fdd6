#!/usr/bin/env python3
"""Harvest throughput and peak memory on synthetic pi sessions, beside a floor in the same run.

The corpus is pi v3 session files (a header, then user / assistant-with-tool-calls /
tool-result entries with code-heavy text) adding up to --megabytes. The floor
reads, parses and re-serializes every line of the same files once. Both run as
child processes; peak RSS comes from wait4. Report ratios: machines are noisy.

Usage: python3 bench/harvest_bench.py [--megabytes 100] [--session-kb 1000]
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from export_bench import ENTRY, code_snippet, measure  # noqa: E402

FLOOR = r"""
import json, os, sys
with open(sys.argv[2], "w", encoding="utf-8") as dst:
    for name in sorted(os.listdir(sys.argv[1])):
        with open(os.path.join(sys.argv[1], name), "rb") as src:
            for raw in src:
                if raw.strip():
                    dst.write(json.dumps(json.loads(raw), ensure_ascii=False, separators=(",", ":")) + "\n")
"""


def write_session(path: str, rng: random.Random, index: int, target_bytes: int) -> int:
    entries = [{"type": "session", "version": 3, "id": f"bench-{index:06d}", "timestamp": "2026-05-01T10:00:00.000Z",
                "cwd": "/work/project"}]
    size = 0
    parent = None
    turn = 0
    with open(path, "w", encoding="utf-8") as fp:
        def emit(entry):
            nonlocal size, parent
            line = json.dumps(entry) + "\n"
            fp.write(line)
            size += len(line)
            parent = entry.get("id", parent)

        emit(entries[0])
        while size < target_bytes:
            turn += 1
            stamp = f"2026-05-01T10:{turn // 60 % 60:02d}:{turn % 60:02d}.000Z"
            emit({"type": "message", "id": f"u{turn}", "parentId": parent, "timestamp": stamp,
                  "message": {"role": "user", "content": [{"type": "text", "text": f"Fix the failing test number {turn}."}]}})
            for step in range(3):
                call = f"call_{turn}_{step}"
                emit({"type": "message", "id": f"a{turn}_{step}", "parentId": parent, "timestamp": stamp,
                      "message": {"role": "assistant", "model": "bench-model", "provider": "bench", "stopReason": "toolUse",
                                  "content": [{"type": "thinking", "thinking": "Look at the code first."},
                                              {"type": "toolCall", "id": call, "name": "read",
                                               "arguments": {"path": f"src/mod_{step}.py"}}],
                                  "usage": {"input": 1200, "output": 80, "cacheRead": 0, "cacheWrite": 0, "totalTokens": 1280}}})
                emit({"type": "message", "id": f"r{turn}_{step}", "parentId": parent, "timestamp": stamp,
                      "message": {"role": "toolResult", "toolCallId": call, "toolName": "read", "isError": False,
                                  "content": [{"type": "text", "text": code_snippet(rng, 60)}]}})
            emit({"type": "message", "id": f"f{turn}", "parentId": parent, "timestamp": stamp,
                  "message": {"role": "assistant", "model": "bench-model", "provider": "bench", "stopReason": "stop",
                              "content": [{"type": "text", "text": "Fixed:\n" + code_snippet(rng, 12)}],
                              "usage": {"input": 2000, "output": 300, "cacheRead": 0, "cacheWrite": 0, "totalTokens": 2300}}})
    return size


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--megabytes", type=float, default=100.0)
    parser.add_argument("--session-kb", type=int, default=1000)
    args = parser.parse_args(argv)
    work = tempfile.mkdtemp(prefix="flywheel-harvest-bench-")
    try:
        sessions = os.path.join(work, "sessions")
        os.makedirs(sessions)
        rng = random.Random(99)
        total = 0
        index = 0
        while total < args.megabytes * 1e6:
            total += write_session(os.path.join(sessions, f"s{index:05d}.jsonl"), rng, index, args.session_kb * 1000)
            index += 1
        megabytes = total / 1e6
        floor, floor_rss, _cpu = measure([sys.executable, "-c", FLOOR, sessions, os.path.join(work, "floor.jsonl")])
        env = {**os.environ, "SOURCE_DATE_EPOCH": "1777104000", "NO_COLOR": "1", "HOME": work}
        wall, rss, _cpu = measure([sys.executable, ENTRY, "harvest", "--path", sessions, "--out", os.path.join(work, "out"),
                             "--agent-root", os.path.join(work, ".agent")], env)
        manifest = json.load(open(os.path.join(work, "out", "manifest.json")))
        print(f"{index} sessions, {megabytes:.1f} MB: floor {floor:.2f} s ({megabytes / floor:.1f} MB/s, {floor_rss:.1f} MB RSS)"
              f" | harvest {wall:.2f} s ({megabytes / wall:.1f} MB/s, {rss:.1f} MB RSS) | {wall / floor:.2f}x floor")
        print(f"rows: {manifest['rows']}; tool calls {manifest['tool_calls']:,}; characters {manifest['characters']:,}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
