"""The export pipeline: stream approved runs through the redaction gate into artifacts.

One pass over the input. Each run is read, redacted, normalised, placed by
the curator (split, duplicates, decontamination, preference pairs: see
``curate.py``), written to the JSONL artifacts at once and folded into small
per-workflow state; cards, metrics, the redaction report, the README and the
manifest are written at the end from that state. Memory depends on the number
of workflows and of distinct card statements, not on the number of runs (the
curator keeps its indexes on disk). ``status`` runs the same pass with
nothing written, so its counts are the export's.
"""
from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Tuple

from .. import __version__, jsonio
from ..config import Config
from ..errors import os_error
from ..records import normalize, schemas
from ..records.run import (
    EMPTY_TEXT,
    NOT_APPROVED,
    OPTED_OUT,
    RAW_INPUT_STORED,
    REDACTION_NOT_PASSED,
    Run,
    string_lists,
)
from ..sources.approved_runs import InputQuality, read_approved_runs
from ..tokens import estimate_tokens
from ..writers import PREFERENCE_FORMATS, SFT_FORMATS, Example
from . import cards, dataset_card, files, parallel, readiness, second_scanner, splits, tool_specs
from . import report as html_report
from .curate import Curator, Placement
from .gate import TOOL_CLAIMS, RedactionGate, accepted_secrets, redaction_block, stored_classes
from .staging import Staging, lock_wait
from .trajectories import TrajectoryFiles

CLASSES = ("secret", "personal")  # redaction.CLASSES, without compiling the rule table

PRIVACY_MODEL = "local_only_redacted_by_default"


def generated_at(env) -> str:
    """``SOURCE_DATE_EPOCH`` when set (reproducible builds), else now; always UTC."""
    epoch = env.get("SOURCE_DATE_EPOCH")
    if epoch is not None and epoch.strip().isdigit():
        moment = dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc)
    else:
        moment = dt.datetime.now(tz=dt.timezone.utc).replace(microsecond=0)
    return normalize.iso_z(moment)


@dataclass
class Totals:
    traces: int = 0
    approved: int = 0
    trainable: int = 0
    eval_cases: int = 0  # eval-cases.jsonl: every approved, clean run
    holdout_eval_cases: int = 0  # eval/holdout.jsonl: the held-out, decontaminated ones
    redaction_passed: int = 0
    tokens_before_sum: float = 0.0
    tokens_before_count: int = 0
    tokens_after_sum: float = 0.0
    tokens_after_count: int = 0
    tokens_estimated: int = 0
    not_trainable: Dict[str, int] = field(default_factory=dict)
    runs_with_findings: int = 0
    findings: int = 0
    findings_by_class: Dict[str, int] = field(default_factory=dict)
    # Runs by the worst class replaced in them, now or at harvest: secret, else personal.
    runs_by_class: Dict[str, int] = field(default_factory=dict)
    findings_by_rule: Dict[str, int] = field(default_factory=dict)
    findings_by_field: Dict[str, int] = field(default_factory=dict)
    findings_by_workflow: Dict[str, Dict[str, int]] = field(default_factory=dict)


def _bump(counter: Dict[str, int], key: str, amount: int = 1) -> None:
    counter[key] = counter.get(key, 0) + amount


class Aggregator:
    """Turns redacted records into ``Run``s and keeps the per-workflow and overall state."""

    def __init__(self, gate: RedactionGate, config: Config, project: str) -> None:
        self.gate = gate
        self.config = config
        self.project = project
        self.totals = Totals()
        self.workflows: Dict[str, cards.WorkflowStats] = {}

    def make_run(self, record: Dict[str, Any]) -> Run:
        clean, found = self.gate.redact_record(record)
        raw_id = record["id"]
        status = normalize.review_status(record)
        # The claim is written into trace records, so it is read from the redacted copy.
        claim = str(clean.get("redaction_status") or "needs_review")
        # What was replaced, by class: now, and earlier by the tool itself (harvest).
        by_class = dict(found.by_class)
        earlier = stored_classes(clean)
        for name, count in earlier.items():
            by_class[name] = by_class.get(name, 0) + count
        findings = found.as_record()
        if earlier:
            findings["harvested_by_class"] = dict(sorted(earlier.items()))
        if found.count or claim == "auto_redacted":
            final_status = "auto_redacted"
        else:
            final_status = claim
        reasons: List[str] = []
        if not normalize.is_approved(status):
            reasons.append(NOT_APPROVED)
        if claim not in TOOL_CLAIMS:
            reasons.append(REDACTION_NOT_PASSED)
        blocking = by_class
        if by_class.get("secret") and not found.by_class.get("secret") \
                and earlier.get("secret", 0) <= accepted_secrets(clean):
            # A reviewer saw these secrets' findings and accepted the run for training (its
            # placeholders train); a secret found now, by a newer rule, is not covered.
            blocking = {name: count for name, count in by_class.items() if name != "secret"}
        block = redaction_block(blocking, self.config)
        gate_ok = block is None
        if block is not None:
            reasons.append(block)
        if record.get("raw_input_stored") is True:
            reasons.append(RAW_INPUT_STORED)
        if record.get("trainable") is False:
            reasons.append(OPTED_OUT)
        if not clean.get("input_redacted") or not clean.get("output_approved"):
            reasons.append(EMPTY_TEXT)
        created = normalize.parse_time(record.get("created_at")) or normalize.parse_time(record.get("timestamp"))
        trace_id = clean.get("trace_id") if isinstance(clean.get("trace_id"), str) and clean.get("trace_id") else None
        before, after, estimated = context_tokens(clean)
        return Run(
            record=clean,
            raw_id=raw_id,
            project=str(clean.get("project") or self.project),
            domain=normalize.folder_name(clean.get("domain")),
            workflow=normalize.folder_name(clean.get("workflow")),
            trace_id=trace_id or f"trace_{normalize.sha256_hex(raw_id)[:16]}",
            created_at=normalize.iso_z(created) if created else "1970-01-01T00:00:00Z",
            review_status=status,
            claim=claim,
            redaction_status=final_status,
            findings=findings,
            classes=by_class,
            not_trainable_because=reasons,
            eval_ready=normalize.is_approved(status) and claim in TOOL_CLAIMS and gate_ok,
            lists=string_lists(clean),
            tokens_before=before,
            tokens_after=after,
            tokens_estimated=estimated,
        )

    def fold(self, run: Run, eval_id: Optional[str], holdout: bool = False) -> None:
        totals = self.totals
        key = f"{run.domain}/{run.workflow}"
        stats = self.workflows.get(key)
        if stats is None:
            stats = self.workflows[key] = cards.WorkflowStats(run.domain, run.workflow)
        stats.note_names(run.record.get("domain"), run.record.get("workflow"))
        stats.traces += 1
        totals.traces += 1
        status = run.review_status
        if status == "accepted":
            stats.accepted += 1
        elif status == "edited":
            stats.edited += 1
        elif status == "rejected":
            stats.rejected += 1
        elif status == "pending":
            stats.pending += 1
        if run.approved:
            totals.approved += 1
        if run.trainable:
            stats.trainable += 1
            totals.trainable += 1
        for reason in run.not_trainable_because:
            _bump(totals.not_trainable, reason)
        if run.redaction_status == "passed":
            totals.redaction_passed += 1
        if eval_id is not None:
            stats.add_eval_ref(eval_id, holdout)
            totals.eval_cases += 1
            totals.holdout_eval_cases += holdout
        findings = run.findings
        if run.classes:
            _bump(totals.runs_by_class, "secret" if run.classes.get("secret") else "personal")
        for name, count in findings["by_class"].items():
            _bump(totals.findings_by_class, name, count)
        if findings["findings"]:
            stats.auto_redacted += 1
            totals.runs_with_findings += 1
            totals.findings += findings["findings"]
            per_workflow = totals.findings_by_workflow.setdefault(key, {})
            for rule, count in findings["by_rule"].items():
                _bump(totals.findings_by_rule, rule, count)
                _bump(per_workflow, rule, count)
            for name, count in findings["by_field"].items():
                _bump(totals.findings_by_field, name, count)
        if run.tokens_estimated:
            totals.tokens_estimated += 1
        for attr in ("before", "after"):
            value = getattr(run, f"tokens_{attr}")
            if value is not None:
                setattr(totals, f"tokens_{attr}_sum", getattr(totals, f"tokens_{attr}_sum") + value)
                setattr(totals, f"tokens_{attr}_count", getattr(totals, f"tokens_{attr}_count") + 1)
                if attr == "after":
                    stats.tokens_after_sum += value
                    stats.tokens_after_count += 1
        stats.observe(run)  # card evidence: what people wrote and what the trajectory shows

    # --- end-of-run documents -------------------------------------------------

    def name_collisions(self) -> Dict[str, Dict[str, List[str]]]:
        """Cards that different raw names share (``Lead Intake`` and ``lead_intake``): key -> the raw names."""
        return {
            key: {part: list(names) for part, names in stats.raw_names.items()}
            for key, stats in sorted(self.workflows.items())
            if stats.merged_names()
        }

    def workflow_metrics(self, stats: cards.WorkflowStats) -> Dict[str, Any]:
        acceptance = round(stats.approved / stats.traces, 3) if stats.traces else 0
        candidate = stats.trainable >= 500 and acceptance >= 0.8
        return {
            "traces": stats.traces,
            "accepted": stats.accepted,
            "edited": stats.edited,
            "rejected": stats.rejected,
            "pending": stats.pending,
            "approved": stats.approved,
            "trainable": stats.trainable,
            "eval_cases": stats.eval_cases,
            "holdout_eval_cases": stats.holdout_eval_cases,
            "auto_redacted": stats.auto_redacted,
            "acceptance_rate": acceptance,
            "slm_candidate": candidate,
            "reason": "High-volume, high-acceptance, redacted workflow."
            if candidate
            else "Keep collecting approved, redacted examples before considering adapter work.",
            "readiness": readiness.readiness(stats.approved, stats.trainable, stats.rejected, stats.eval_cases),
            "card": readiness.card_status(stats.approved),
        }

    def redaction_summary(self, ruleset_version: str) -> Dict[str, Any]:
        totals = self.totals
        return {
            "ruleset_version": ruleset_version,
            "runs_scanned": totals.traces,
            "runs_affected": totals.runs_with_findings,
            "findings": totals.findings,
            "by_class": {name: totals.findings_by_class.get(name, 0) for name in CLASSES},
            "runs_by_class": {name: totals.runs_by_class.get(name, 0) for name in CLASSES},
            "by_rule": dict(sorted(totals.findings_by_rule.items())),
            "by_field": dict(sorted(totals.findings_by_field.items())),
        }

    def metrics(self, generated: str, quality: InputQuality, ruleset_version: str,
                datasets: Dict[str, Any]) -> Dict[str, Any]:
        totals = self.totals
        avg_before = round(totals.tokens_before_sum / totals.tokens_before_count, 2) if totals.tokens_before_count else None
        avg_after = round(totals.tokens_after_sum / totals.tokens_after_count, 2) if totals.tokens_after_count else None
        reduction = round((avg_before - avg_after) / avg_before * 100, 2) if avg_before and avg_after is not None else None
        return {
            "generated_at": generated,
            "privacy_model": PRIVACY_MODEL,
            "total_traces": totals.traces,
            "accepted_traces": totals.approved,
            "trainable_traces": totals.trainable,
            "eval_cases": totals.eval_cases,
            "holdout_eval_cases": totals.holdout_eval_cases,
            "redaction_pass_rate": round(totals.redaction_passed / totals.traces, 3) if totals.traces else 0,
            "avg_context_tokens_before": avg_before,
            "avg_context_tokens_after": avg_after,
            "context_reduction_pct": reduction,
            "thresholds": readiness.thresholds(),
            "workflows": {key: self.workflow_metrics(self.workflows[key]) for key in sorted(self.workflows)},
            "context_cards": readiness.card_counts(stats.approved for stats in self.workflows.values()),
            "name_collisions": self.name_collisions(),
            "input_quality": quality.as_metrics(),
            "not_trainable_because": dict(sorted(totals.not_trainable.items())),
            "redaction": self.redaction_summary(ruleset_version),
            "token_estimates": {
                "approximate": True,
                "runs_estimated": totals.tokens_estimated,
                "method": "a count of word pieces, digit groups and symbols that never undercounted "
                          "o200k on code, logs, JSON or CJK; used where a run has no context_tokens_*",
            },
            "datasets": datasets,
        }


def context_tokens(record: Dict[str, Any]):
    """``(before, after, estimated)``: a run's own context_tokens_*, else approximate estimates.

    ``before`` estimates the whole trajectory the agent worked through (every
    message and tool result, or the instruction, context, input and output);
    ``after`` the compact task a context card stands in for (instruction,
    context, input, output). Estimates are conservative upper bounds.
    """
    before = jsonio.finite_number(record.get("context_tokens_before"))
    after = jsonio.finite_number(record.get("context_tokens_after"))
    if before is not None and after is not None:
        return before, after, False
    compact = "\n".join(
        value for value in (record.get(key) for key in ("instruction", "context", "input_redacted", "output_approved"))
        if isinstance(value, str)
    )
    messages = record.get("messages")
    if before is None:
        whole = jsonio.dumps_document(messages) if isinstance(messages, list) else compact
        before = estimate_tokens(whole)
    if after is None:
        after = estimate_tokens(compact)
    return before, after, True


@dataclass
class ExportPlan:
    """Where an export reads from and writes to, resolved from the command line."""

    agent_root: str
    approved_runs: str
    out: str
    date: str
    project: str
    split_ratios: Dict[str, float] = field(default_factory=lambda: dict(splits.DEFAULT_RATIOS))
    max_tokens: Optional[int] = None
    second_scanner: Optional[str] = None  # a scanner that checks the staged files before they are published


@dataclass
class ExportResult:
    out: Optional[str]
    metrics: Dict[str, Any]
    files: List[files.FileEntry]
    quality: InputQuality
    aggregator: Aggregator


def run_pipeline(
    plan: ExportPlan,
    gate: RedactionGate,
    config: Config,
    ruleset_version: str,
    env,
    *,
    write: bool,
    report: Callable[[jsonio.LineProblem], None],
    progress=None,
    stdin=None,
    cache=None,
    processes: Optional[int] = None,
) -> ExportResult:
    """One pass over the approved runs; ``cache`` is a ``cache.RunCache`` (None: compute every run),
    ``processes`` how many may compute runs at once (None: one per core, see ``parallel.py``)."""
    quality = InputQuality(source=plan.approved_runs)
    aggregator = Aggregator(gate, config, plan.project)
    generated = generated_at(env)
    runs = parallel.prepared_runs(
        read_approved_runs(plan.approved_runs, quality, report=report, redact_value=gate.redact_value, stdin=stdin),
        aggregator, cache, processes,
    )
    staging: Optional[Staging] = None
    try:
        with Curator(plan.split_ratios, plan.max_tokens) as curator:
            if not write:  # status: the same pass, into a sink that writes nothing
                _place_runs(runs, aggregator, curator, _NoFiles(), progress)
                metrics = aggregator.metrics(generated, quality, ruleset_version, curator.metrics())
                return ExportResult(None, metrics, [], quality, aggregator)
            staging = Staging(plan.out, what="export", wait=lock_wait(env))
            writer: Optional[_DatasetFiles] = None
            try:
                writer = _DatasetFiles(staging)
                _place_runs(runs, aggregator, curator, writer, progress)
                entries = writer.close()
                datasets = curator.metrics()
                entries += _write_documents(staging, aggregator, quality, plan, generated, ruleset_version, entries,
                                            datasets)
                if plan.second_scanner:  # a second opinion on the finished files; any finding stops here
                    second_scanner.check(plan.second_scanner, staging.root, plan.out, env)
                staging.publish()
            except BaseException as error:
                if writer is not None:
                    writer.abandon()
                staging.discard()
                if isinstance(error, OSError):  # a full disk, a read-only folder, too many open files
                    raise os_error(error, "write the export", plan.out) from None
                raise
    finally:
        # Out of file descriptors, the staging folder cannot be removed while the input, the
        # curator's indexes and the workers are open: with them closed, try once more.
        close = getattr(runs, "close", None)
        if close is not None:
            close()
        if staging is not None and staging.root:
            staging.discard()
    metrics = aggregator.metrics(generated, quality, ruleset_version, datasets)
    return ExportResult(plan.out, metrics, entries, quality, aggregator)


def _place_runs(runs, aggregator: Aggregator, curator: Curator, sink, progress) -> None:
    """The one per-run loop of ``export`` and ``status``: place, hand to the sink, fold.

    ``runs`` are already made (redacted, normalised, with the curator's keys:
    ``parallel.prepared_runs``), from the cache or from worker processes.
    """
    for run, keys in runs:
        placement = curator.place(run, keys)
        run.split = placement.split
        case = run.eval_case(placement.eval_case)  # None unless approved and clean
        sink.write(run, placement, case)
        aggregator.fold(run, case["id"] if case is not None else None, placement.eval_case)
        if progress is not None:
            progress.tick()


class _NoFiles:
    """The sink of ``status``: every run is placed and counted, nothing is written."""

    def write(self, run: Run, placement: Placement, case: Optional[Dict[str, Any]]) -> None:
        pass


ALPACA_FILE = "training-examples.jsonl"
HOLDOUT_FILE = "eval/holdout.jsonl"
HOLDOUT_PROMPTFOO_FILE = "eval/holdout.promptfoo.jsonl"


class _DatasetFiles:
    """The JSONL files of an export. Training files open on their first row, so no split is an empty file.

    ``training-examples.jsonl`` (alpaca, agentic-stack's file, every split with
    ``metadata.split``), trace records and the eval files always exist; every
    other format is ``training/<format>/<split>.jsonl``. Two eval sets, named for
    what they are: ``eval-cases.jsonl`` is agentic-stack's regression suite (every
    approved, clean run, each with its ``split`` and ``holdout``), and
    ``eval/holdout.jsonl`` only the held-out, decontaminated cases, for
    evaluating a model trained on this export; each has a promptfoo form.
    """

    def __init__(self, staging: Staging) -> None:
        self.staging = staging
        self.traces = files.RecordFile(staging, "trace-records.jsonl", kind="trace-record", schema_kind="trace-record")
        self.evals = files.RecordFile(
            staging, "eval-cases.jsonl", kind="eval-case", schema_kind="eval-case", format="flywheel-eval"
        )
        self.promptfoo = files.RecordFile(
            staging, "eval-cases.promptfoo.jsonl", kind="eval-case", schema_kind="promptfoo-test", format="promptfoo"
        )
        self.holdout = files.RecordFile(
            staging, HOLDOUT_FILE, kind="holdout-eval-case", schema_kind="eval-case", format="flywheel-eval"
        )
        self.holdout_promptfoo = files.RecordFile(
            staging, HOLDOUT_PROMPTFOO_FILE, kind="holdout-eval-case", schema_kind="promptfoo-test", format="promptfoo"
        )
        self._training: Dict[Any, files.RecordFile] = {}
        self.specs = tool_specs.WorkflowSpecs()
        self.trajectories = TrajectoryFiles(staging)  # atif/<split>.jsonl
        self._alpaca: Optional[files.RecordFile] = None
        for fmt in SFT_FORMATS:
            if fmt.NAME == "alpaca":
                self._alpaca = files.RecordFile(
                    staging, ALPACA_FILE, kind="training-example", schema_kind=fmt.SCHEMA_KIND, format=fmt.NAME
                )

    def write(self, run: Run, placement: Placement, case: Optional[Dict[str, Any]]) -> None:
        """Every row one placed run gives: its trace record, eval case, trajectory, SFT rows and pairs."""
        self.traces.write(run.trace_record())
        if case is not None:
            test = promptfoo_test(case)
            self.evals.write(case)
            self.promptfoo.write(test)
            if placement.eval_case:
                self.holdout.write(case)
                self.holdout_promptfoo.write(test)
        if placement.example is not None or placement.eval_case:
            self.trajectories.write(run, placement.split, placement.eval_case)
        workflow = (run.domain, run.workflow)
        if placement.example is not None:
            self.specs.observe(workflow, placement.example)
        elif placement.pairs:
            self.specs.observe(workflow, placement.pairs[0].prompt)
        if placement.example is not None:
            example = Example(run=run, split=placement.split, conversation=placement.example)
            for fmt in SFT_FORMATS:
                for row in fmt.rows(example):
                    self._write(fmt, placement.split, row, workflow)
        for pair in placement.pairs:
            for fmt in PREFERENCE_FORMATS:
                for row in fmt.rows(pair):
                    self._write(fmt, pair.split, row, (pair.domain, pair.workflow))

    def _write(self, fmt, split: str, row: Dict[str, Any], workflow: Tuple[str, str]) -> None:
        handle = self.training(fmt, split)
        handle.write(row)
        if fmt.NAME in tool_specs.CHAT_FORMATS:
            self.specs.note(handle, workflow)

    def training(self, fmt, split: str) -> files.RecordFile:
        if fmt.NAME == "alpaca" and self._alpaca is not None:
            return self._alpaca
        handle = self._training.get((fmt.NAME, split))
        if handle is None:
            handle = self._training[(fmt.NAME, split)] = files.RecordFile(
                self.staging, f"training/{fmt.NAME}/{split}.jsonl", kind="training-example",
                schema_kind=fmt.SCHEMA_KIND, format=fmt.NAME, split=split,
            )
        return handle

    def _all(self) -> List[files.RecordFile]:
        fixed = [self.traces, self.evals, self.promptfoo, self.holdout, self.holdout_promptfoo] + ([self._alpaca] if self._alpaca is not None else [])
        return fixed + [self._training[key] for key in sorted(self._training)]

    def close(self) -> List[files.FileEntry]:
        self.specs.rewrite()  # each workflow's tool schemas, from every call it exported
        return [handle.close() for handle in self._all()] + self.trajectories.close()

    def abandon(self) -> None:
        for handle in self._all():
            handle.abandon()
        self.trajectories.abandon()


def promptfoo_test(case: Dict[str, Any]) -> Dict[str, Any]:
    """A promptfoo test (``tests: file://eval-cases.promptfoo.jsonl``) for one eval case.

    ``vars.input`` is the task; each expected behaviour becomes an
    ``llm-rubric`` assertion and each forbidden one an ``llm-rubric`` that it
    does not happen, since both are written as prose by people, not as strings to match.
    """
    meta = case["metadata"]
    assertions = [{"type": "llm-rubric", "value": text} for text in meta["expected_behavior"]]
    assertions += [{"type": "llm-rubric", "value": f"The answer does not do this: {text}"} for text in meta["forbidden_behavior"]]
    return {
        "description": f"{case['domain']}/{case['workflow']} {case['id']}",
        "vars": {"input": case["input"], "target": case["target"]},
        "assert": assertions,
        "metadata": {"id": case["id"], "domain": case["domain"], "workflow": case["workflow"], "split": meta["split"],
                     "holdout": meta["holdout"], "source_trace_ids": case["source_trace_ids"]},
    }


def _write_documents(
    staging: Staging,
    aggregator: Aggregator,
    quality: InputQuality,
    plan: ExportPlan,
    generated: str,
    ruleset_version: str,
    entries: List[files.FileEntry],
    datasets: Dict[str, Any],
) -> List[files.FileEntry]:
    written: List[files.FileEntry] = []
    all_cards = []
    markdowns = {}
    for key in sorted(aggregator.workflows):
        stats = aggregator.workflows[key]
        card, markdown = cards.build_card(stats)
        markdowns[key] = markdown
        files.check_document("context-card", card, f"context-cards/{stats.domain}/{stats.workflow}.json")
        all_cards.append(card)
        base = f"context-cards/{stats.domain}/{stats.workflow}"
        written.append(
            files.write_document(staging, base + ".json", jsonio.dumps_document(card), kind="context-card",
                                 schema_kind="context-card", format="context-card")
        )
        written.append(files.write_document(staging, base + ".md", markdown, kind="context-card", format="markdown"))
    written.append(
        files.write_document(staging, "context-cards.json", jsonio.dumps_document(all_cards), kind="context-card",
                             rows=len(all_cards), schema_kind="context-card", format="context-card")
    )
    metrics = aggregator.metrics(generated, quality, ruleset_version, datasets)
    files.check_document("flywheel-metrics", metrics, "flywheel-metrics.json")
    written.append(
        files.write_document(staging, "flywheel-metrics.json", jsonio.dumps_document(metrics), kind="flywheel-metrics",
                             schema_kind="flywheel-metrics")
    )
    report = redaction_report(aggregator, ruleset_version, generated)
    files.check_document("redaction-report", report, "redaction-report.json")
    written.append(
        files.write_document(staging, "redaction-report.json", jsonio.dumps_document(report), kind="redaction-report",
                             schema_kind="redaction-report")
    )
    everything = sorted(entries + written, key=lambda entry: entry.path)
    written.append(
        files.write_document(staging, "README.md", export_readme(metrics, everything, generated), kind="readme",
                             format="markdown")
    )
    everything = sorted(entries + written, key=lambda entry: entry.path)
    out = os.path.abspath(plan.out)
    page = html_report.render(metrics, report, all_cards, markdowns, [entry.as_manifest() for entry in everything],
                              html_report.history(os.path.dirname(out), (os.path.basename(out), metrics)),
                              project=plan.project)
    written.append(files.write_document(staging, html_report.REPORT_FILE, page, kind="report", format="html"))
    everything = sorted(entries + written, key=lambda entry: entry.path)
    manifest = {
        "manifest_version": 1,
        "tool": "data-flywheel",
        "tool_version": __version__,
        "generated_at": generated,
        "project": plan.project,
        "input": {
            "name": os.path.basename(plan.approved_runs) if plan.approved_runs != "-" else "-",
            "sha256": quality.sha256,
            "missing": quality.missing,
            "bytes": quality.bytes_read,
        },
        "schemas": {name: schemas.schema_id(name) for name in sorted(schemas.KINDS)},
        "files": [entry.as_manifest() for entry in everything],
    }
    files.check_document("manifest", manifest, "manifest.json")
    files.write_document(staging, "manifest.json", jsonio.dumps_document(manifest), kind="manifest",
                         schema_kind="manifest")
    return written


def redaction_report(aggregator: Aggregator, ruleset_version: str, generated: str) -> Dict[str, Any]:
    """``redaction-report.json``: the metrics' redaction summary plus findings by workflow."""
    by_workflow = aggregator.totals.findings_by_workflow
    return {
        "generated_at": generated,
        **aggregator.redaction_summary(ruleset_version),
        "by_workflow": {key: dict(sorted(value.items())) for key, value in sorted(by_workflow.items())},
        "auto_redacted_runs_trainable": aggregator.config.accept_auto_redacted,
        "personal_data_runs_trainable": aggregator.config.personal_data_trainable or aggregator.config.accept_auto_redacted,
        "note": "Counts only. Matched values are never stored; placeholders such as [EMAIL_1] stand in for them.",
    }


def export_readme(metrics: Dict[str, Any], entries: List[files.FileEntry], generated: str) -> str:
    """The export's README.md: a Hugging Face dataset card (``dataset_card.py``), then the file table."""
    lines = dataset_card.front_matter(metrics, entries) + [
        "# Data flywheel export",
        "",
        f"Generated: {generated}",
        "",
        f"- traces: {metrics['total_traces']} (human-approved: {metrics['accepted_traces']})",
        f"- trainable examples: {metrics['trainable_traces']}",
        f"- eval cases: {metrics['eval_cases']} in `eval-cases.jsonl` (the regression suite: every approved, clean run, "
        f"any split); {metrics['holdout_eval_cases']} of them held out in `{HOLDOUT_FILE}` (for evaluating a trained model)",
        f"- context cards: {metrics['context_cards']['ready']} ready, {metrics['context_cards']['draft']} draft "
        f"(a card is ready from {readiness.CARD_BAND.low} approved runs)",
        f"- runs the scanner redacted: {metrics['redaction']['runs_affected']}",
        f"- runs with a secret replaced: {metrics['redaction']['runs_by_class']['secret']}; "
        f"with personal data only: {metrics['redaction']['runs_by_class']['personal']}",
        f"- findings by class: {metrics['redaction']['by_class']['secret']} secret, "
        f"{metrics['redaction']['by_class']['personal']} personal",
        "",
    ]
    datasets = metrics["datasets"]
    if datasets:
        rows = datasets["sft_rows"]
        pairs = datasets["preference_rows"]
        dedup_counts = datasets["dedup"]
        lines += [
            "Training rows by split (every format has the same rows): "
            + ", ".join(f"{name} {rows[name]}" for name in splits.SPLITS)
            + "; preference pairs: " + ", ".join(f"{name} {pairs[name]}" for name in splits.SPLITS) + ".",
            f"Duplicates collapsed: {dedup_counts['exact_duplicates']} exact, {dedup_counts['near_duplicates']} near "
            f"(largest cluster {dedup_counts['largest_cluster']}). Held-out eval cases come from the validation and "
            "test splits only, and no held-out input appears in the training split.",
            "",
        ]
    lines += dataset_card.body(metrics, HOLDOUT_FILE) + ["## Files", ""]
    lines += [
        "| file | rows | kind | format |",
        "|---|---|---|---|",
    ]
    for entry in entries:
        rows = "" if entry.rows is None else str(entry.rows)
        lines.append(f"| `{entry.path}` | {rows} | {entry.kind} | {entry.format or ''} |")
    lines += [
        "| `report.html` |  | report | html |",
        "| `manifest.json` |  | manifest |  |",
        "",
        "Every file is listed in `manifest.json` with its sha256, rows, kind, format and split.",
        "`training/hf-chat/` rows keep tool-call arguments as objects: load them with `datasets>=4.7`.",
        "",
        "This export is local-only. Every text in it passed the redaction scanner; raw run ids are",
        "hashed. Every finding was replaced by a placeholder. Runs with a secret replaced are not",
        "trainable unless `accept_auto_redacted` is set in `.agent/flywheel/config.json`; runs with",
        "personal data only are trainable unless `personal_data_trainable` is false there.",
        "Review it before moving anything outside `.agent/flywheel/`.",
        "",
    ]
    return "\n".join(lines)
