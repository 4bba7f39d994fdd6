#!/usr/bin/env python3
"""What the export makes of a generated corpus: rows per format and split, duplicates, pairs.

Generates a few thousand varied approved runs with ``tests/corpus.py`` (chat
trajectories with tool calls, edited runs, rejected + accepted runs for one
input, sessions, exact and near duplicates, CJK, logs, code), exports them
with the real CLI and prints, from ``manifest.json`` and
``flywheel-metrics.json``: rows per training format and split, eval cases,
duplicates collapsed and cluster sizes, decontamination, preference pairs by
origin, and the export's wall time beside a parse-and-reserialize floor.

Usage: python3 bench/dataset_report.py [--runs 5000] [--seed 0] [--json]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ENTRY = os.path.join(ROOT, "tools", "data_flywheel_export.py")
sys.path.insert(0, os.path.join(ROOT, "tests"))

from corpus import write_corpus  # noqa: E402


def floor_seconds(path: str) -> float:
    started = time.perf_counter()
    with open(path, "rb") as src, open(os.devnull, "w") as dst:
        for raw in src:
            if raw.strip():
                dst.write(json.dumps(json.loads(raw), ensure_ascii=False) + "\n")
    return time.perf_counter() - started


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="flywheel-dataset-report-") as scratch:
        corpus = os.path.join(scratch, "approved-runs.jsonl")
        write_corpus(corpus, args.runs, seed=args.seed)
        out = os.path.join(scratch, "export")
        env = {**os.environ, "SOURCE_DATE_EPOCH": "1777104000", "NO_COLOR": "1"}
        floor = floor_seconds(corpus)
        started = time.perf_counter()
        subprocess.run([sys.executable, ENTRY, "export", "--approved-runs", corpus, "--out", out, "--project", "bench"],
                       check=True, env=env, stdout=subprocess.DEVNULL)
        wall = time.perf_counter() - started
        manifest = json.load(open(os.path.join(out, "manifest.json")))
        metrics = json.load(open(os.path.join(out, "flywheel-metrics.json")))
    table = {}
    for entry in manifest["files"]:
        if entry["kind"] == "training-example":
            table.setdefault(entry["format"], {})[entry["split"] or "all"] = entry["rows"]
    report = {
        "runs": args.runs,
        "corpus_bytes": os.path.getsize(corpus) if os.path.exists(corpus) else None,
        "export_seconds": round(wall, 2),
        "floor_seconds": round(floor, 3),
        "rows_by_format_and_split": table,
        "trainable_runs": metrics["trainable_traces"],
        "eval_cases": metrics["datasets"]["eval_cases"],
        "dedup": metrics["datasets"]["dedup"],
        "decontamination": metrics["datasets"]["decontamination"],
        "preference_pairs": metrics["datasets"]["preference_pairs"],
        "runs_by_split": metrics["datasets"]["runs_by_split"],
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(f"{args.runs} generated runs; export {wall:.1f} s (parse+reserialize floor {floor:.2f} s)")
    print(f"runs by split: {report['runs_by_split']}; trainable runs: {report['trainable_runs']}")
    print(f"{'format':<20}{'all':>7}{'train':>8}{'validation':>12}{'test':>7}")
    for fmt, splits in sorted(table.items()):
        print(f"{fmt:<20}{splits.get('all', ''):>7}{splits.get('train', 0):>8}{splits.get('validation', 0):>12}{splits.get('test', 0):>7}")
    dedup = report["dedup"]
    print(f"duplicates collapsed: {dedup['exact_duplicates']} exact, {dedup['near_duplicates']} near; "
          f"{dedup['clusters']} clusters, sizes {dedup['cluster_sizes']}")
    print(f"decontamination: {report['decontamination']}")
    print(f"preference pairs: {report['preference_pairs']}; held-out eval cases: {report['eval_cases']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
