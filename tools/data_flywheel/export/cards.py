"""Context cards with evidence, built from small per-workflow state.

Each workflow keeps counters and, per card section, the distinct statements
seen with how many runs state them and the first few trace ids that do.
That state grows with the number of distinct statements, not with the number
of runs; past ``EVIDENCE_LIMIT`` distinct statements a section stops taking
new ones and the card says so.

Rules, tool contracts and approval gates count approved runs only (a card is
the reusable knowledge of approved work); failure modes and review notes
count every run, because rejected work is where they come from. What people
wrote comes first in each section; what ``mining.py`` reads from the
trajectories and decisions follows, each statement saying what it is counted
out of. A card is ``ready`` from the first readiness band (10 approved runs)
and a ``draft`` below it (``readiness.card_status``), as status and the
metrics say too. Its token budget is its own size.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Tuple

from ..records import normalize
from ..terminal import plural
from ..tokens import estimate_tokens
from . import mining, readiness
from .evidence import CITED_TRACES, EVIDENCE_LIMIT, Evidence  # noqa: F401  (re-exported: cards.Evidence)

EVAL_REFS_LIMIT = 50
CARD_VERSION = "v1"
# Distinct raw names kept per card (a card that merged more than this says so by the count).
NAMES_KEPT = 20

# agentic-stack's defaults, used only when no approved run states any and none is mined; the card marks them.
DEFAULT_RULES = ("Use only supplied facts.", "Ask for missing required fields.", "Keep human approval gates explicit.")
DEFAULT_GATES = ("client-facing messages", "compliance-sensitive outputs", "PII-bearing outputs")

# Written by people in the runs (stable_rules, review notes...), counted per run.
SECTIONS = ("stable_rules", "tool_contracts", "human_approval_required_for", "failure_modes", "recurring_review_notes")
# Mined from the trajectories and decisions (export/mining.py); people's statements rank above them.
MINED_SECTIONS = ("corrections", "tools", "areas")


@dataclass
class WorkflowStats:
    domain: str
    workflow: str
    traces: int = 0
    accepted: int = 0
    edited: int = 0
    rejected: int = 0
    pending: int = 0
    trainable: int = 0
    eval_cases: int = 0  # eval-cases.jsonl: every approved, clean run (agentic-stack's regression suite)
    holdout_eval_cases: int = 0  # of those, the ones in eval/holdout.jsonl
    auto_redacted: int = 0
    tokens_after_sum: float = 0.0
    tokens_after_count: int = 0
    eval_refs: List[str] = field(default_factory=list)
    goals: Evidence = field(default_factory=Evidence)
    evidence: Dict[str, Evidence] = field(default_factory=lambda: {name: Evidence() for name in SECTIONS})
    miner: mining.Miner = field(default_factory=mining.Miner)
    raw_names: Dict[str, List[str]] = field(default_factory=lambda: {"domain": [], "workflow": []})

    @property
    def approved(self) -> int:
        return self.accepted + self.edited

    def note_names(self, domain: Any, workflow: Any) -> None:
        """Remember the raw names (as redacted) that led to this card's folder."""
        names = self.raw_names
        for part, value in (("domain", domain), ("workflow", workflow)):
            text = str(value if value is not None else "").strip()
            if text not in names[part] and len(names[part]) < NAMES_KEPT:
                names[part].append(text)

    def merged_names(self) -> bool:
        """Whether different raw names share this card (reported as a collision)."""
        return len(self.raw_names["domain"]) > 1 or len(self.raw_names["workflow"]) > 1

    def add_eval_ref(self, eval_id: str, holdout: bool = False) -> None:
        self.eval_cases += 1
        if holdout:
            self.holdout_eval_cases += 1
        if len(self.eval_refs) < EVAL_REFS_LIMIT:
            self.eval_refs.append(f"eval-cases.jsonl#{eval_id}")

    def observe(self, run) -> None:
        """Fold one run's card evidence: what people wrote, then what its trajectory shows."""
        evidence = self.evidence
        if run.approved:
            evidence["stable_rules"].add(run.list_field("stable_rules"), run.trace_id)
            evidence["tool_contracts"].add(run.list_field("tool_contracts"), run.trace_id)
            evidence["human_approval_required_for"].add(run.list_field("human_approval_required_for"), run.trace_id)
            goal = run.text("goal").strip()
            if goal:
                self.goals.add([goal], run.trace_id)
        evidence["failure_modes"].add(run.list_field("failure_modes"), run.trace_id)
        review = run.record.get("human_review")
        notes = normalize.unique_strings(normalize.as_list(review.get("review_notes") if isinstance(review, dict) else None))
        evidence["recurring_review_notes"].add(notes, run.trace_id)
        source = run.record.get("source")
        outcome = source.get("outcome") if isinstance(source, dict) else None
        self.miner.add(mining.observe(run.record), trace_id=run.trace_id, status=run.review_status,
                       outcome=outcome if isinstance(outcome, str) else "", notes=notes)


SECTION_TITLES = {
    "stable_rules": "rules",
    "tool_contracts": "tool contracts",
    "human_approval_required_for": "ask a human",
    "failure_modes": "failure modes",
    "recurring_review_notes": "reviewers",
    "corrections": "corrections",
    "tools": "tools",
    "areas": "where",
}


def _cite_runs(cited: List[Tuple[int, List[str]]]) -> List[str]:
    """``1-3 trace_a, trace_b; 4 trace_c``: consecutive items citing the same traces share one entry."""
    groups: List[Tuple[int, int, List[str]]] = []
    for number, ids in cited:
        if groups and groups[-1][2] == ids and groups[-1][1] == number - 1:
            groups[-1] = (groups[-1][0], number, ids)
        else:
            groups.append((number, number, ids))
    return [f"{first if first == last else f'{first}-{last}'} {', '.join(ids)}" for first, last, ids in groups]


def _person(items: List[Dict[str, Any]], of: int, unit: str) -> List[Dict[str, Any]]:
    return [{**item, "of": of, "unit": unit, "source": "person"} for item in items]


def _support(item: Dict[str, Any]) -> str:
    if item.get("source") == "default":
        return "default, no run states it yet"
    count = f"{item['support']} of {item['of']} {item['unit']}"
    return f"mined: {count}" if item.get("source") == "mined" else count


def _bullets(items: List[Dict[str, Any]]) -> List[str]:
    return [f"{number}. {item['text']} _({_support(item)})_" for number, item in enumerate(items, start=1)]


def build_card(stats: WorkflowStats) -> Tuple[Dict[str, Any], str]:
    """The card as JSON (agentic-stack fields first) and as Markdown.

    People's statements (``stable_rules`` and the rest, written in the runs, and
    review notes) come first in every section; mined ones follow, each passing
    the thresholds in ``mining.THRESHOLDS``, which the card states.
    """
    approved, traces = stats.approved, stats.traces
    person = {name: stats.evidence[name].ranked() for name in SECTIONS}
    # A review note is "recurring" when more than one run says it, or when it is all there is.
    notes = person["recurring_review_notes"]
    recurring = [item for item in notes if item["support"] > 1] or notes[:5]
    miner = stats.miner
    sections: Dict[str, List[Dict[str, Any]]] = {
        "stable_rules": _person(person["stable_rules"], approved, "approved runs") + miner.rules(),
        "tool_contracts": _person(person["tool_contracts"], approved, "approved runs"),
        "human_approval_required_for": _person(person["human_approval_required_for"], approved, "approved runs"),
        "failure_modes": _person(person["failure_modes"], traces, "runs") + miner.failure_modes(),
        "recurring_review_notes": _person(recurring, traces, "runs"),
        "corrections": miner.corrections(),
        "tools": miner.tools_used(),
        "areas": miner.areas_touched(),
    }
    defaults_used = []
    for name, defaults in (("stable_rules", DEFAULT_RULES), ("human_approval_required_for", DEFAULT_GATES)):
        if not sections[name]:
            sections[name] = [{"text": text, "support": 0, "of": approved, "unit": "approved runs", "trace_ids": [],
                               "source": "default"} for text in defaults]
            defaults_used.append(name)
    goals = stats.goals.ranked()
    goal = goals[0]["text"] if goals else f"Make {stats.workflow} reusable for {stats.domain} workflows."
    card: Dict[str, Any] = {
        "id": f"context_{stats.domain}_{stats.workflow}_{CARD_VERSION}",
        "domain": stats.domain,
        "workflow": stats.workflow,
        "goal": goal,
        "stable_rules": [item["text"] for item in sections["stable_rules"]],
        "tool_contracts": [item["text"] for item in sections["tool_contracts"]],
        "human_approval_required_for": [item["text"] for item in sections["human_approval_required_for"]],
        "source_trace_count": traces,
        "token_budget": 0,  # the card's own size, set below once it is written
        "eval_refs": list(stats.eval_refs),
        "version": CARD_VERSION,
        "status": readiness.card_status(approved),
        "approved_trace_count": approved,
        "eval_case_count": stats.eval_cases,
        "holdout_eval_case_count": stats.holdout_eval_cases,
        "failure_modes": [item["text"] for item in sections["failure_modes"]],
        "recurring_review_notes": [item["text"] for item in recurring],
        "evidence": sections,
        "defaults_used": defaults_used,
        "thresholds": dict(mining.THRESHOLDS),
    }
    if stats.merged_names() or any(
        normalize.slug(name) != stats_name for names, stats_name in ((stats.raw_names["domain"], stats.domain),
                                                           (stats.raw_names["workflow"], stats.workflow))
        for name in names
    ):
        # The folder name was disambiguated, or several raw names share it: say which names these are.
        card["names"] = {part: list(names) for part, names in stats.raw_names.items()}
    markdown = render_markdown(card, stats)  # sets token_budget and card_tokens_approx to the size it states
    return card, markdown


def _status_line(card: Dict[str, Any], stats: WorkflowStats) -> str:
    floor = readiness.CARD_BAND.low
    if card["status"] == readiness.CARD_READY:
        return f"Ready card: {stats.approved} approved runs (a card is ready from {floor})."
    return (f"**Draft card:** {stats.approved} approved runs of the {floor} a ready card needs; "
            "treat its statements as leads, not rules.")


def render_markdown(card: Dict[str, Any], stats: WorkflowStats) -> str:
    """A card small enough to paste into an agent's context; the evidence trail sits at the end."""
    evidence = card["evidence"]
    lines = [
        f"# {card['domain']} / {card['workflow']}",
        "",
        f"**Goal:** {card['goal']}",
        "",
        _status_line(card, stats),
        f"From {plural(stats.traces, 'trace')}: {stats.accepted} accepted, {stats.edited} edited by a reviewer, "
        f"{stats.rejected} rejected, {stats.pending} pending. Card `{card['id']}`, token budget TOKENS: "
        "this card's own size, about TOKENS tokens as written (an estimate that errs high).",
        "",
        "## Rules",
        "",
        *_bullets(evidence["stable_rules"]),
        "",
    ]
    if evidence["tools"]:
        tools = ", ".join(f"{item['text']} {item['support']}" for item in evidence["tools"])
        lines += ["## Tools", "", f"Used in approved runs (runs using each, of {evidence['tools'][0]['of']} with tool calls): {tools}.", ""]
    if evidence["tool_contracts"]:
        lines += ["## Tool contracts", "", *_bullets(evidence["tool_contracts"]), ""]
    lines += ["## Ask a human before", "", *_bullets(evidence["human_approval_required_for"]), ""]
    if evidence["failure_modes"]:
        lines += ["## Known failure modes (most frequent first)", "", *_bullets(evidence["failure_modes"]), ""]
    if evidence["corrections"]:
        lines += ["## What people corrected", "", *_bullets(evidence["corrections"]), ""]
    corrected = {item["text"] for item in evidence["corrections"]}
    said = [item for item in evidence["recurring_review_notes"] if item["text"] not in corrected]  # said once is enough
    if said:
        lines += ["## What reviewers keep saying", "", *_bullets(said), ""]
    if evidence["areas"]:
        lines += ["## Where the work happens", "", *_bullets(evidence["areas"]), ""]
    if card["eval_case_count"]:
        shown = ", ".join(ref.split("#", 1)[1] for ref in card["eval_refs"][:3])
        more = f" and {card['eval_case_count'] - 3} more" if card["eval_case_count"] > 3 else ""
        held = card["holdout_eval_case_count"]
        lines += ["## Regression evals", "", f"{plural(card['eval_case_count'], 'eval case')} in `eval-cases.jsonl`: {shown}{more}; "
                  f"{held} of them held out of training for evaluating a trained model (`eval/holdout.jsonl`).", ""]
    lines += [
        "---",
        "",
        "How to read the numbers: \"3 of 4 approved runs\" counts runs, each once, out of the runs named. "
        "Statements people wrote in the runs (stable_rules, review notes) come first; \"mined\" ones are read from "
        f"the trajectories and need at least {mining.MIN_SUPPORT} runs and {mining.MIN_SHARE:.0%} of the runs "
        f"they are counted over (tool failures: {mining.MIN_SUPPORT} runs; what rejected or failed runs share: "
        f"a gap of {mining.CONTRAST_GAP:.0%} over approved runs; files and folders: {mining.MIN_SUPPORT} runs, "
        f"the {mining.AREAS_SHOWN} most touched of each).",
        "",
        "Evidence (trace ids in `trace-records.jsonl`):",
        "",
    ]
    for section in SECTION_TITLES:
        cited = [(number, item["trace_ids"][:3]) for number, item in enumerate(evidence[section], start=1) if item["trace_ids"]]
        if cited:
            lines.append(f"- {SECTION_TITLES[section]}: " + "; ".join(_cite_runs(cited)))
    overflow = sum(stats.evidence[name].overflow for name in SECTIONS) + stats.miner.overflow()
    if overflow:
        lines.append(f"- {overflow} further statements were not tracked (over {EVIDENCE_LIMIT} distinct per section)")
    body = "\n".join(lines).rstrip() + "\n"
    # State the size in the card itself; writing the number barely changes the estimate, so settle it.
    approx = estimate_tokens(body)
    for _attempt in range(3):
        settled = estimate_tokens(body.replace("TOKENS", str(approx)))
        if settled == approx:
            break
        approx = settled
    card["card_tokens_approx"] = card["token_budget"] = approx
    return body.replace("TOKENS", str(approx))
