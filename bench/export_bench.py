#!/usr/bin/env python3
"""Export throughput and peak memory, beside a floor measured in the same run.

The floor is the least any exporter must do with the same file: read it,
parse every line and serialize it again once. Both run as child processes
so each has its own peak RSS (from wait4). Ratios, not absolute times, are
the result: the machines are shared and noisy.

A second reference, floor+scan, adds the redaction scan of every string
(which no export may skip); export / floor+scan is the pipeline's own cost.

Three more rows use the run cache (``export/cache.py``) in a private agent
folder: the full export above fills it; "incremental" exports the same file
with 1% more runs appended; "status" then reads that file with a warm cache.
Their ratios are to the floor of the whole (appended) file.

Targets: at 100k runs, peak RSS under 100 MB and wall time within
2x the floor; peak RSS flat (within 20%) from 10k to 1M runs; the incremental
export within 3x the floor, status with a warm cache within 2x (issue 12).

Usage: python3 bench/export_bench.py [--sizes 10000,100000] [--keep DIR]
       python3 bench/export_bench.py --sizes 10000,100000,1000000   (make bench-1m)
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ENTRY = os.path.join(ROOT, "tools", "data_flywheel_export.py")

WORKFLOWS = [(d, w) for d in ("saas", "platform", "data", "mobile") for w in ("bug_triage", "code_review", "refactor", "migration", "test_fix")]
RULES = ["Separate facts from assumptions.", "Run the tests before claiming a fix.", "Keep diffs minimal.",
         "Never edit generated files.", "Ask before deleting data.", "Quote the failing test name."]
IDENTS = ["user", "order", "invoice", "session", "config", "payload", "result", "items", "cache", "index"]

# The floor plus the one thing no export may skip: scanning every string with the redactor.
# export / scan-floor is the pipeline's own overhead (checks, records, cards, manifest).
SCAN_FLOOR = r"""
import json, sys
sys.path.insert(0, sys.argv[3])
from data_flywheel.redaction import Redactor
redactor = Redactor()
def walk(value, session):
    if type(value) is str:
        return session.redact(value)
    if type(value) is list:
        return [walk(item, session) for item in value]
    if type(value) is dict:
        return {key: walk(item, session) for key, item in value.items()}
    return value
with open(sys.argv[1], "rb") as src, open(sys.argv[2], "w", encoding="utf-8") as dst:
    for raw in src:
        if raw.strip():
            dst.write(json.dumps(walk(json.loads(raw), redactor.session()), ensure_ascii=False, separators=(",", ":")) + "\n")
"""

FLOOR = r"""
import json, sys
with open(sys.argv[1], "rb") as src, open(sys.argv[2], "w", encoding="utf-8") as dst:
    for raw in src:
        if raw.strip():
            dst.write(json.dumps(json.loads(raw), ensure_ascii=False, separators=(",", ":")) + "\n")
"""


def code_snippet(rng: random.Random, lines: int) -> str:
    out = []
    for _ in range(lines):
        a, b = rng.choice(IDENTS), rng.choice(IDENTS)
        kind = rng.randrange(5)
        if kind == 0:
            out.append(f"def load_{a}({b}_id: int) -> dict:")
        elif kind == 1:
            out.append(f"    {a} = {b}.get(\"{a}_{rng.randrange(100)}\", {{}})")
        elif kind == 2:
            out.append(f"    for {a} in {b}s:  # TODO: batch {rng.randrange(1000)}")
        elif kind == 3:
            out.append(f"        assert {a}.status == {rng.randrange(200, 599)}, f\"bad {{ {b} }}\"")
        else:
            out.append(f"    return {{'{a}': {b}, 'count': len({b}s)}}")
    return "\n".join(out)


def make_run(rng: random.Random, index: int) -> dict:
    domain, workflow = WORKFLOWS[index % len(WORKFLOWS)]
    status = "rejected" if index % 17 == 0 else ("edited" if index % 5 == 0 else "accepted")
    file_name = f"src/{rng.choice(IDENTS)}/{rng.choice(IDENTS)}.py"
    run = {
        "id": f"run-{index:08d}",
        "created_at": f"2026-0{1 + index % 9}-{1 + index % 28:02d}T{index % 24:02d}:{index % 60:02d}:00Z",
        "project": "bench",
        "domain": domain,
        "workflow": workflow,
        "harness": "claude-code",
        "instruction": f"Fix the failing test in {file_name} and explain the change.",
        "input_redacted": f"Test failure in {file_name}:\n" + code_snippet(rng, 18),
        "output_approved": "The loop re-read the config per item. Patch:\n" + code_snippet(rng, 16),
        "human_review": {"status": status, "review_notes": rng.choice(["Good.", "Tightened wording.", "Removed a guess."])},
        "redaction_status": "passed",
        "pii_level": "none",
        "raw_input_stored": False,
        "context_tokens_before": rng.randrange(2000, 9000),
        "context_tokens_after": rng.randrange(300, 1500),
        "stable_rules": rng.sample(RULES, 3),
        "failure_modes": [] if index % 7 else ["guessed_root_cause"],
        "eval_tags": [workflow],
    }
    if status == "edited":
        run["output_original"] = run["output_approved"] + "\n# also renamed variables"
    return run


def write_corpus(path: str, count: int, seed: int = 1234) -> int:
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8") as fp:
        for index in range(count):
            fp.write(json.dumps(make_run(rng, index), ensure_ascii=False) + "\n")
    return os.path.getsize(path)


def measure(argv, env=None) -> tuple:
    """Wall seconds, peak RSS (MB) and CPU seconds (user + system) of one child process.

    CPU seconds are the steadier figure on a shared machine; wall includes waiting for a core.
    """
    started = time.perf_counter()
    child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _pid, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    stderr = child.stderr.read().decode(errors="replace")
    child.stderr.close()
    if status != 0:
        raise SystemExit(f"failed: {' '.join(argv)}\n{stderr[-2000:]}")
    return wall, usage.ru_maxrss / 1024.0, usage.ru_utime + usage.ru_stime  # Linux reports KiB


def _floor(corpus: str, work: str) -> float:
    return measure([sys.executable, "-c", FLOOR, corpus, os.path.join(work, "floor.jsonl")])[0]


def _cached_rows(entry: str, agent: str, corpus: str, grown: str, work: str, size: int, env) -> dict:
    """Incremental export of ``grown`` and then status, both over the cache the full export of ``corpus`` filled."""
    rows = {}
    rows["incremental"] = measure([sys.executable, entry, "export", "--agent-root", agent, "--approved-runs", grown,
                                   "--out", os.path.join(work, f"export-{size}-grown")], env)
    rows["status"] = measure([sys.executable, entry, "status", "--agent-root", agent, "--approved-runs", grown], env)
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000", help="run counts, comma-separated")
    parser.add_argument("--repeat", type=int, default=1, help="take the best of N timings")
    parser.add_argument("--keep", metavar="DIR", help="keep corpora and exports in DIR")
    parser.add_argument("--no-scan", action="store_true", help="skip the floor+scan reference")
    parser.add_argument("--entry", default=ENTRY, help="the exporter to time (another checkout's "
                        "tools/data_flywheel_export.py, to compare before and after)")
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",")]
    work = args.keep or tempfile.mkdtemp(prefix="flywheel-bench-")
    os.makedirs(work, exist_ok=True)
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1777104000", "NO_COLOR": "1"}
    rows = []
    try:
        for size in sizes:
            corpus = os.path.join(work, f"runs-{size}.jsonl")
            megabytes = write_corpus(corpus, size) / 1e6
            grown = os.path.join(work, f"runs-{size}-grown.jsonl")
            write_corpus(grown, size + max(1, size // 100))  # the same runs first (same seed), then 1% more
            agent = os.path.join(work, f"agent-{size}")
            floor_times, scan_times, export_times, floor_rss, export_rss = [], [], [], 0.0, 0.0
            floor_cpus, scan_cpus, export_cpus = [], [], []
            for _ in range(args.repeat):
                wall, rss, cpu = measure([sys.executable, "-c", FLOOR, corpus, os.path.join(work, "floor.jsonl")])
                floor_times.append(wall)
                floor_cpus.append(cpu)
                floor_rss = max(floor_rss, rss)
                if not args.no_scan:
                    wall, _rss, cpu = measure([sys.executable, "-c", SCAN_FLOOR, corpus, os.path.join(work, "scan.jsonl"),
                                               os.path.join(ROOT, "tools")])
                    scan_times.append(wall)
                    scan_cpus.append(cpu)
                out = os.path.join(work, f"export-{size}")
                shutil.rmtree(agent, ignore_errors=True)
                os.makedirs(os.path.join(agent, "flywheel"))  # a cold cache each time
                wall, rss, cpu = measure([sys.executable, args.entry, "export", "--agent-root", agent,
                                          "--approved-runs", corpus, "--out", out], env)
                export_times.append(wall)
                export_cpus.append(cpu)
                export_rss = max(export_rss, rss)
            floor, export = min(floor_times), min(export_times)
            floor_cpu, export_cpu = min(floor_cpus), min(export_cpus)
            cached = _cached_rows(args.entry, agent, corpus, grown, work, size, env)
            rows.append((size, megabytes, floor, floor_rss, export, export_rss, floor_cpu, export_cpu))
            scan_part = ""
            if scan_times:
                scan, scan_cpu = min(scan_times), min(scan_cpus)
                scan_part = f" | floor+scan {scan:6.2f} s {scan_cpu:6.2f} CPU s"
            print(
                f"{size:>9,} runs {megabytes:7.1f} MB | floor {floor:6.2f} s {floor_cpu:6.2f} CPU s {floor_rss:5.1f} MB RSS"
                + scan_part +
                f" | export {export:6.2f} s {export_cpu:7.2f} CPU s {export_cpu / size * 1000:5.3f} CPU ms/run"
                f" {export_rss:5.1f} MB RSS | {export / floor:5.2f}x floor wall, {export_cpu / floor_cpu:5.2f}x floor CPU",
                flush=True,
            )
            grown_floor = _floor(grown, work)
            for name, (wall, rss, cpu) in cached.items():
                print(f"{'':>9}  {name:<11} {wall:6.2f} s {cpu:7.2f} CPU s {rss:5.1f} MB RSS | "
                      f"{wall / grown_floor:5.2f}x floor wall of the whole file ({grown_floor:.2f} s)", flush=True)
            rows[-1] += (cached, grown_floor)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print()
    by_size = {row[0]: row for row in rows}
    verdicts = []
    for size, row in by_size.items():
        cached, grown_floor = row[8], row[9]
        incremental, status = cached["incremental"][0] / grown_floor, cached["status"][0] / grown_floor
        verdicts.append((f"incremental export at {size:,} within 3x floor", f"{incremental:.2f}x", incremental <= 3.0))
        verdicts.append((f"status with a warm cache at {size:,} within 2x floor", f"{status:.2f}x", status <= 2.0))
    if 100_000 in by_size:
        _size, _mb, floor, _frss, export, export_rss, _fcpu, _ecpu = by_size[100_000][:8]
        verdicts.append(("peak RSS at 100k < 100 MB", f"{export_rss:.1f} MB", export_rss < 100))
        verdicts.append(("wall time at 100k within 2x floor", f"{export / floor:.2f}x", export / floor <= 2.0))
    if len(rows) > 1:
        smallest, largest = rows[0], rows[-1]
        growth = largest[5] / smallest[5] - 1
        verdicts.append((f"peak RSS flat {smallest[0]:,} -> {largest[0]:,} (within 20%)", f"{growth * 100:+.1f}%", growth <= 0.20))
        per_run = (largest[7] / largest[0]) / (smallest[7] / smallest[0]) - 1
        verdicts.append((f"CPU per run flat {smallest[0]:,} -> {largest[0]:,} (within 15%)", f"{per_run * 100:+.1f}%",
                         abs(per_run) <= 0.15))
    for name, value, ok in verdicts:
        print(f"{'PASS' if ok else 'MISS'}  {name}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
