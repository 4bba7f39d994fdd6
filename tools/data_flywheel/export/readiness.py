"""Readiness bands: where a workflow stands and what the next band needs.

Two scales, as data. agentic-stack's planning heuristics (docs/data-flywheel.md
in agentic-stack v0.13.0) count approved runs for the early bands and
trainable (high-quality) examples for the adapter and corpus bands; its top
band also needs negative cases, which here are rejected runs. The eval-set
band counts what agentic-stack's eval set held: the rows of
``eval-cases.jsonl``, one per approved run whose redaction passed (its
regression suite, every split), not the smaller held-out set in
``eval/holdout.jsonl``, which depends on the split ratios. The
distillation scale counts trainable rows. Both are planning thresholds, not
scientific cutoffs, and the metrics say so.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Optional, Tuple


UNITS = {
    "approved": "approved runs",
    "eval_cases": "eval cases",  # rows of eval-cases.jsonl: approved runs whose redaction passed
    "trainable": "trainable examples",
}


@dataclass(frozen=True)
class Band:
    id: str
    label: str
    counts: str  # a key of UNITS
    low: int
    high: Optional[int]
    needs_negatives: bool = False

    def reached(self, counts: Dict[str, int]) -> bool:
        if counts[self.counts] < self.low:
            return False
        return not self.needs_negatives or counts["rejected"] > 0

    def describe(self) -> str:
        unit = UNITS[self.counts]
        span = f"{self.low:,}+" if self.high is None else f"{self.low:,}-{self.high:,}"
        extra = " plus negative cases (rejected runs)" if self.needs_negatives else ""
        return f"{span} {unit}{extra}: {self.label}"


AGENTIC_STACK: Tuple[Band, ...] = (
    Band("context_card", "first context card", "approved", 10, 25),
    Band("eval_set", "first eval set and repeated failure modes", "eval_cases", 25, 100),
    Band("measurement", "compression and routing measurement", "approved", 100, 300),
    Band("narrow_adapter_candidate", "narrow adapter candidate", "trainable", 500, 1500),
    Band("workflow_family_corpus", "workflow-family corpus", "trainable", 2000, 10000),
    Band("serious_vertical_corpus", "serious vertical corpus", "trainable", 10000, None, needs_negatives=True),
)

DISTILLATION: Tuple[Band, ...] = (
    Band("pilot", "distillation pilot", "trainable", 500, None),
    Band("v1", "distillation v1 dataset", "trainable", 5000, 20000),
    Band("strong", "strong distillation dataset", "trainable", 50000, None),
)

SCALES = {"agentic_stack": AGENTIC_STACK, "distillation": DISTILLATION}


def _shortfall(band: Band, counts: Dict[str, int]) -> str:
    have = counts[band.counts]
    unit = UNITS[band.counts]
    parts = []
    if have < band.low:
        parts.append(f"{band.low - have:,} more {unit} ({have:,} of {band.low:,})")
    if band.needs_negatives and counts["rejected"] == 0:
        parts.append("some rejected runs kept as negative cases")
    return f"{' and '.join(parts)} for {band.label}"


def _progress(current: Optional[Band], upcoming: Optional[Band], counts: Dict[str, int]) -> Optional[Dict[str, Any]]:
    """How far from the band reached (or from zero) to the next band's floor, for a bar.

    The span is measured in the next band's own unit: from the current band's
    floor when both count the same thing, else from zero (the step from
    approved runs to trainable examples starts a new count). A next band that
    only lacks negative cases is at its floor already, so the bar is full.
    """
    if upcoming is None:
        return None
    have = counts[upcoming.counts]
    start = current.low if current is not None and current.counts == upcoming.counts else 0
    span = max(upcoming.low - start, 1)
    fraction = min(max((have - start) / span, 0.0), 1.0)
    return {"next_band": upcoming.id, "counts": upcoming.counts, "have": have, "from": start,
            "to": upcoming.low, "fraction": round(fraction, 4)}


def place(scale: Tuple[Band, ...], counts: Dict[str, int]) -> Dict[str, Any]:
    """The highest band reached on ``scale``, what the next one needs, and how far along it is."""
    current: Optional[Band] = None
    upcoming: Optional[Band] = None
    for band in scale:
        if band.reached(counts):
            current = band
        elif upcoming is None:
            upcoming = band
    return {
        "band": current.id if current else None,
        "label": current.label if current else "collecting",
        "next": _shortfall(upcoming, counts) if upcoming else None,
        "progress": _progress(current, upcoming, counts),
    }


def readiness(approved: int, trainable: int, rejected: int, eval_cases: int) -> Dict[str, Dict[str, Any]]:
    counts = {"approved": approved, "trainable": trainable, "rejected": rejected, "eval_cases": eval_cases}
    return {name: place(scale, counts) for name, scale in SCALES.items()}


# When a workflow "has a context card": export, status, the metrics and the report
# all ask this one function. agentic-stack writes a card for every workflow, so an
# export still does; below the first band's floor the card is a draft and says so.
CARD_BAND = AGENTIC_STACK[0]
CARD_READY = "ready"
CARD_DRAFT = "draft"


def card_status(approved: int) -> str:
    """``ready`` from the first band's floor (10 approved runs), else ``draft``."""
    return CARD_READY if approved >= CARD_BAND.low else CARD_DRAFT


def card_counts(approved_by_workflow: Iterable[int]) -> Dict[str, int]:
    """``{"ready": N, "draft": M}`` over the workflows' approved-run counts."""
    counts = {CARD_READY: 0, CARD_DRAFT: 0}
    for approved in approved_by_workflow:
        counts[card_status(approved)] += 1
    return counts


def thresholds() -> Dict[str, Any]:
    """``flywheel-metrics.json`` ``thresholds``: agentic-stack's strings, then both scales in full."""
    scales: Dict[str, List[Dict[str, Any]]] = {
        name: [
            {"band": band.id, "counts": band.counts, "min": band.low, "max": band.high,
             "needs_negatives": band.needs_negatives, "meaning": band.describe()}
            for band in scale
        ]
        for name, scale in SCALES.items()
    }
    return {
        "context_card": "10-25 approved runs",
        "eval_set": "25-100 approved runs",
        "measurement": "100-300 approved runs",
        "narrow_adapter_candidate": "500-1500 high-quality examples",
        "workflow_family_corpus": "2000-10000+ clean examples",
        "serious_vertical_corpus": "10000+ clean examples plus negative cases",
        "distillation": "pilot 500+ rows; v1 5k-20k; strong 50k+",
        "note": "planning thresholds, not scientific cutoffs",
        "scales": scales,
    }
