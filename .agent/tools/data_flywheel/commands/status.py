"""Show each workflow's readiness: runs, approved, trainable, eval cases, band, and what's next.

Reads the approved runs the same way export does (scanned and redacted, bad
lines skipped and counted) and writes nothing. The card column says whether the
workflow's context card is ready (10+ approved runs) or a draft, as export
counts it. evals counts eval-cases.jsonl (every approved, clean run: the
regression suite, which the eval-set band counts); held-out counts the ones
also in eval/holdout.jsonl, kept out of training to evaluate a trained model. On a terminal a bar shows the way to the next band. The band is agentic-stack's
scale (10-25 approved runs: first context card ... 10,000+ clean examples plus
negative cases: serious vertical corpus); --json adds the distillation scale
(pilot 500+ rows, v1 5k-20k, strong 50k+), redaction findings and input quality.

Examples:
  python3 .agent/tools/data_flywheel_export.py status
  python3 .agent/tools/data_flywheel_export.py status --approved-runs examples/flywheel/approved-runs.jsonl --json
"""
from __future__ import annotations

from ..terminal import Painter, colour_enabled, is_terminal, plural
from . import common
from .export import redaction_line

NAME = "status"
SUMMARY = "readiness per domain/workflow: counts, band, what the next band needs"

COLUMNS = ("workflow", "runs", "approved", "trainable", "evals", "held-out", "card", "band", "next")
BAR_WIDTH = 20  # cells of the progress bar drawn on a terminal


def add_arguments(parser) -> None:
    common.add_input_flags(parser)
    common.add_dataset_flags(parser)
    common.add_json_flag(parser)


def run(args, streams) -> int:
    plan, settings, result = common.run_over_approved_runs(args, streams, write=False, label="reading runs")
    metrics = result.metrics
    next_step = _next_step(metrics, plan)
    if args.json:
        streams.json(
            {
                "approved_runs": plan.approved_runs,
                "total_traces": metrics["total_traces"],
                "accepted_traces": metrics["accepted_traces"],
                "trainable_traces": metrics["trainable_traces"],
                "eval_cases": metrics["eval_cases"],
                "holdout_eval_cases": metrics["holdout_eval_cases"],
                "context_cards": metrics["context_cards"],
                "workflows": metrics["workflows"],
                "redaction": metrics["redaction"],
                "not_trainable_because": metrics["not_trainable_because"],
                "input_quality": metrics["input_quality"],
                "next": next_step,
            }
        )
        return 0
    paint = Painter(colour_enabled(streams.stdout, streams.env))
    bars = is_terminal(streams.stdout)  # a drawing for people; pipes get the plain table
    rows = [COLUMNS]
    for key, workflow in metrics["workflows"].items():
        band = workflow["readiness"]["agentic_stack"]
        following = band["next"] or "top band reached"
        if bars:
            following = f"{progress_bar(band['progress'], paint)}  {following}"
        rows.append(
            (
                key,
                str(workflow["traces"]),
                str(workflow["approved"]),
                str(workflow["trainable"]),
                str(workflow["eval_cases"]),
                str(workflow["holdout_eval_cases"]),
                workflow["card"],
                band["band"] or "collecting",
                following,
            )
        )
    out = streams.stdout
    if len(rows) == 1:
        out.write(f"no runs in {plan.approved_runs}\n")
    else:
        widths = [max(len(row[index]) for row in rows) for index in range(len(COLUMNS) - 1)]
        for number, row in enumerate(rows):
            cells = [row[index].ljust(widths[index]) if index == 0 else row[index].rjust(widths[index])
                     for index in range(len(COLUMNS) - 1)]
            line = "  ".join(cells) + "  " + row[-1]
            out.write((paint(line, "bold") if number == 0 else line) + "\n")
    line = redaction_line(metrics["redaction"], settings)
    if line:
        out.write(paint(line, "yellow") + "\n")
    skipped = metrics["input_quality"]["skipped_lines"]
    if skipped:
        out.write(paint(f"input: {skipped} lines skipped (warnings above)", "yellow") + "\n")
    out.write(f"next: {next_step}\n")
    return 0


def progress_bar(progress, paint, width: int = BAR_WIDTH) -> str:
    """``█████░░░░░ 8/10``: the way from the band reached to the next band's floor (full at the top band)."""
    if progress is None:
        return paint("█" * width, "green") + " top"
    filled = int(round(progress["fraction"] * width))
    have = progress["have"] - progress["from"]
    span = progress["to"] - progress["from"]
    return paint("█" * filled, "green") + paint("░" * (width - filled), "dim") + f" {have:,}/{span:,}"


def _next_step(metrics, plan) -> str:
    from .export import next_step_for

    if metrics["total_traces"] and not metrics["input_quality"]["skipped_lines"] and not metrics["redaction"]["runs_by_class"]["secret"]:
        return "export to refresh the artifacts: python3 .agent/tools/data_flywheel_export.py export"
    return next_step_for(metrics, plan)
