"""Export approved runs to redacted trace records, context cards, eval cases and training JSONL.

Reads <agent-root>/flywheel/approved-runs.jsonl (one JSON object per line), scans
and redacts every text, and writes <agent-root>/flywheel/exports/<date>/
atomically: trace-records.jsonl, training-examples.jsonl (alpaca),
training/<format>/<split>.jsonl (openai-chat, hf-chat, openai-preference,
trl-preference), eval-cases.jsonl (every approved, clean run: the regression
suite), eval/holdout.jsonl (the held-out, decontaminated cases for evaluating
a trained model), each with a .promptfoo.jsonl form, context-cards.json, context-cards/<domain>/<workflow>.{md,json},
flywheel-metrics.json, redaction-report.json, README.md and manifest.json.
Runs are split by session (train/validation/test, --split-ratios), duplicates
and near-duplicates are collapsed, and no held-out input reaches the
training split; flywheel-metrics.json "datasets" counts every decision.
Bad lines are reported as warnings (file:line: what is wrong), skipped and
counted; they do not stop the export. A missing input file exports zero traces.
With --second-scanner NAME (or config.json "second_scanner"), an installed
secret scanner checks the redacted files before they are published; any
finding stops the export with file, line and rule, and nothing is replaced.

Examples:
  python3 .agent/tools/data_flywheel_export.py
  python3 .agent/tools/data_flywheel_export.py export --approved-runs examples/flywheel/approved-runs.jsonl --out /tmp/fw
  SOURCE_DATE_EPOCH=0 python3 .agent/tools/data_flywheel_export.py export --date 2026-04-25 --json
  python3 .agent/tools/data_flywheel_export.py export --split-ratios 70,15,15 --max-tokens 8192
  python3 .agent/tools/data_flywheel_export.py export --second-scanner detect-secrets
"""
from __future__ import annotations

import os

from ..export import readiness
from ..terminal import Painter, colour_enabled, plural
from . import common

NAME = "export"
SUMMARY = "approved runs -> redacted traces, context cards, eval cases, training JSONL (the default)"


def add_arguments(parser) -> None:
    common.add_input_flags(parser)
    common.add_dataset_flags(parser)
    parser.add_argument("--out", default="", metavar="DIR", help="export folder (default: <agent-root>/flywheel/exports/<date>)")
    parser.add_argument(
        "--second-scanner", default=None, metavar="NAME",
        help="before publishing, run this installed secret scanner over the redacted files and stop on any finding "
        "(file, line, rule; never the value): detect-secrets, gitleaks, betterleaks, trufflehog, kingfisher; "
        "none runs none (default: config.json second_scanner, else none)",
    )
    parser.add_argument("--date", default=None, type=common.iso_date, metavar="YYYY-MM-DD", help="names the default export folder (default: today)")
    common.add_json_flag(parser)


def run(args, streams) -> int:
    plan, settings, result = common.run_over_approved_runs(args, streams, write=True, label="exporting runs")
    metrics = result.metrics
    warn = Painter(colour_enabled(streams.stderr, streams.env))("warning:", "yellow")
    for key, names in metrics["name_collisions"].items():
        shown = ", ".join(repr(name) for part in names.values() if len(part) > 1 for name in part)
        streams.stderr.write(
            f"{warn} card {key} pools runs of different names ({shown}); "
            "give them distinct domain/workflow names if they are different work\n"
        )
    next_step = next_step_for(metrics, plan)
    if args.json:
        streams.json(
            {
                "out": plan.out,
                "metrics": os.path.join(plan.out, "flywheel-metrics.json"),
                "total_traces": metrics["total_traces"],
                "accepted_traces": metrics["accepted_traces"],
                "trainable_traces": metrics["trainable_traces"],
                "eval_cases": metrics["eval_cases"],
                "holdout_eval_cases": metrics["holdout_eval_cases"],
                "context_cards": metrics["context_cards"]["ready"],
                "context_card_drafts": metrics["context_cards"]["draft"],
                "input_quality": {k: v for k, v in metrics["input_quality"].items() if k != "problems"},
                "redaction": metrics["redaction"],
                "datasets": metrics["datasets"],
                "report": os.path.join(plan.out, "report.html"),
                "files": [entry.as_manifest() for entry in result.files],
                "next": next_step,
            }
        )
        return 0
    out = streams.stdout
    paint_out = Painter(colour_enabled(out, streams.env))
    # The first two lines are agentic-stack's, for scripts that read them.
    out.write(f"data flywheel export: {plan.out}\n")
    out.write(f"metrics={os.path.join(plan.out, 'flywheel-metrics.json')}\n")
    out.write(
        f"{metrics['total_traces']} traces, {metrics['accepted_traces']} human-approved, "
        f"{paint_out(str(metrics['trainable_traces']), 'green')} trainable, {metrics['eval_cases']} eval cases, "
        f"{_cards_summary(metrics['context_cards'])}\n"
    )
    datasets = metrics["datasets"]
    if datasets["sft_rows"] and metrics["trainable_traces"]:
        rows, pairs, dedup = datasets["sft_rows"], datasets["preference_rows"], datasets["dedup"]
        out.write(
            "training rows: " + ", ".join(f"{name} {count}" for name, count in rows.items())
            + f"; preference pairs: {sum(pairs.values())}; duplicates collapsed: "
            f"{dedup['exact_duplicates'] + dedup['near_duplicates']}\n"
        )
    quality = metrics["input_quality"]
    if quality["missing"]:
        out.write(f"input: {plan.approved_runs} does not exist (exported zero traces)\n")
    elif quality["skipped_lines"]:
        reasons = ", ".join(f"{count} {reason}" for reason, count in quality["by_reason"].items())
        out.write(paint_out(f"input: {quality['skipped_lines']} lines skipped ({reasons})", "yellow") + "\n")
    line = redaction_line(metrics["redaction"], settings)
    if line:
        out.write(paint_out(line, "yellow") + "\n")
    out.write(f"report: {os.path.join(plan.out, 'report.html')} (open it in a browser, or: report --open)\n")
    out.write(f"next: {next_step}\n")
    return 0


def _cards_summary(counts) -> str:
    """``2 context cards (1 draft below 10 approved runs)``: the count status and the metrics use."""
    text = plural(counts["ready"], "context card")
    if counts["draft"]:
        text += f" ({plural(counts['draft'], 'draft')} below {readiness.CARD_BAND.low} approved runs)"
    return text


def redaction_line(redaction, settings) -> str:
    """What the scanner replaced, by class, and what that means for training ("" when nothing)."""
    runs = redaction["runs_by_class"]
    if not redaction["findings"] and not runs["secret"] and not runs["personal"]:
        return ""
    by_class = redaction["by_class"]
    top = sorted(redaction["by_rule"].items(), key=lambda kv: (-kv[1], kv[0]))[:5]
    rules = f" ({', '.join(f'{rule} {count}' for rule, count in top)})" if top else ""
    parts = []
    if runs["secret"]:
        verdict = "kept trainable (accept_auto_redacted)" if settings.accept_auto_redacted else "not trainable until a person accepts them"
        parts.append(f"{plural(runs['secret'], 'run')} with a secret replaced, {verdict}")
    if runs["personal"]:
        trainable = settings.personal_data_trainable or settings.accept_auto_redacted
        verdict = "trainable with placeholders" if trainable else "not trainable (personal_data_trainable is false)"
        parts.append(f"{plural(runs['personal'], 'run')} with personal data only, {verdict}")
    return (f"redaction: {by_class['secret']} secret and {by_class['personal']} personal "
            f"finding{'s' * (redaction['findings'] != 1)}{rules}; " + "; ".join(parts))


def next_step_for(metrics, plan) -> str:
    quality = metrics["input_quality"]
    if quality["missing"]:
        return f"put approved runs in {plan.approved_runs} (one JSON object per line), then export again"
    if quality["skipped_lines"]:
        return "fix the skipped lines shown above (or in input_quality), then export again"
    runs = metrics["redaction"]["runs_by_class"]
    if runs["secret"]:
        return ("check redaction-report.json: runs with a secret replaced wait for a person; fix the source runs "
                "or set accept_auto_redacted in .agent/flywheel/config.json")
    if not metrics["total_traces"]:
        return "no runs yet: approve some agent work and record it"
    upcoming = [
        workflow["readiness"]["agentic_stack"]["next"]
        for workflow in metrics["workflows"].values()
        if workflow["readiness"]["agentic_stack"]["next"]
    ]
    if upcoming:
        return f"run 'status' for each workflow's next band; e.g. {upcoming[0]}"
    return "every workflow has reached the top band; see 'status'"
