"""Context cards with evidence, built from small per-workflow state.

Each workflow keeps counters and, per card section, the distinct statements
seen with how many runs state them and the first few trace ids that do.
That state grows with the number of distinct statements, not with the number
of runs; past ``EVIDENCE_LIMIT`` distinct statements a section stops taking
new ones and the card says so.

Rules, tool contracts and approval gates count approved runs only (a card is
the reusable knowledge of approved work); failure modes and review notes
count every run, because rejected work is where they come from.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Tuple

from ..records.normalize import slug
from ..terminal import plural
from ..tokens import estimate_tokens

EVIDENCE_LIMIT = 2000
CITED_TRACES = 5
EVAL_REFS_LIMIT = 50
CARD_VERSION = "v1"
# Distinct raw names kept per card (a card that merged more than this says so by the count).
NAMES_KEPT = 20

# agentic-stack's defaults, used only when no approved run states any; the card marks them.
DEFAULT_RULES = ("Use only supplied facts.", "Ask for missing required fields.", "Keep human approval gates explicit.")
DEFAULT_GATES = ("client-facing messages", "compliance-sensitive outputs", "PII-bearing outputs")

SECTIONS = ("stable_rules", "tool_contracts", "human_approval_required_for", "failure_modes", "recurring_review_notes")


@dataclass
class Evidence:
    """Distinct statements in one card section, with support counts and cited trace ids."""

    items: Dict[str, List[Any]] = field(default_factory=dict)  # text -> [support, [trace ids]]
    overflow: int = 0

    def add(self, texts: Iterable[str], trace_id: str) -> None:
        for text in texts:
            entry = self.items.get(text)
            if entry is None:
                if len(self.items) >= EVIDENCE_LIMIT:
                    self.overflow += 1
                    continue
                entry = self.items[text] = [0, []]
            entry[0] += 1
            if len(entry[1]) < CITED_TRACES:
                entry[1].append(trace_id)

    def ranked(self, min_support: int = 1) -> List[Dict[str, Any]]:
        """Most supported first; ties keep first-seen order (dicts keep insertion order)."""
        order = sorted(enumerate(self.items.items()), key=lambda item: (-item[1][1][0], item[0]))
        return [
            {"text": text, "support": entry[0], "trace_ids": list(entry[1])}
            for _index, (text, entry) in order
            if entry[0] >= min_support
        ]


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
    eval_cases: int = 0
    auto_redacted: int = 0
    tokens_after_sum: float = 0.0
    tokens_after_count: int = 0
    eval_refs: List[str] = field(default_factory=list)
    goals: Evidence = field(default_factory=Evidence)
    evidence: Dict[str, Evidence] = field(default_factory=lambda: {name: Evidence() for name in SECTIONS})
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

    def add_eval_ref(self, eval_id: str) -> None:
        self.eval_cases += 1
        if len(self.eval_refs) < EVAL_REFS_LIMIT:
            self.eval_refs.append(f"eval-cases.jsonl#{eval_id}")


SECTION_TITLES = {
    "stable_rules": "rules",
    "tool_contracts": "tool contracts",
    "human_approval_required_for": "ask a human",
    "failure_modes": "failure modes",
    "recurring_review_notes": "reviewers",
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


def _bullets(items: List[Dict[str, Any]], denominator: int, unit: str) -> List[str]:
    lines = []
    for number, item in enumerate(items, start=1):
        support = f"{item['support']} of {plural(denominator, unit)}" if item["support"] else "default, no run states it yet"
        lines.append(f"{number}. {item['text']} _({support})_")
    return lines


def build_card(stats: WorkflowStats) -> Tuple[Dict[str, Any], str]:
    """The card as JSON (agentic-stack fields first) and as Markdown."""
    sections = {name: stats.evidence[name].ranked() for name in SECTIONS}
    # A review note is "recurring" when more than one run says it, or when it is all there is.
    notes = sections["recurring_review_notes"]
    recurring = [item for item in notes if item["support"] > 1] or notes[:5]
    sections["recurring_review_notes"] = recurring
    defaults_used = []
    if not sections["stable_rules"]:
        sections["stable_rules"] = [{"text": text, "support": 0, "trace_ids": []} for text in DEFAULT_RULES]
        defaults_used.append("stable_rules")
    if not sections["human_approval_required_for"]:
        sections["human_approval_required_for"] = [
            {"text": text, "support": 0, "trace_ids": []} for text in DEFAULT_GATES
        ]
        defaults_used.append("human_approval_required_for")
    goals = stats.goals.ranked()
    goal = goals[0]["text"] if goals else f"Make {stats.workflow} reusable for {stats.domain} workflows."
    token_budget = int(stats.tokens_after_sum / stats.tokens_after_count) if stats.tokens_after_count else 1000
    card: Dict[str, Any] = {
        "id": f"context_{stats.domain}_{stats.workflow}_{CARD_VERSION}",
        "domain": stats.domain,
        "workflow": stats.workflow,
        "goal": goal,
        "stable_rules": [item["text"] for item in sections["stable_rules"]],
        "tool_contracts": [item["text"] for item in sections["tool_contracts"]],
        "human_approval_required_for": [item["text"] for item in sections["human_approval_required_for"]],
        "source_trace_count": stats.traces,
        "token_budget": token_budget,
        "eval_refs": list(stats.eval_refs),
        "version": CARD_VERSION,
        "approved_trace_count": stats.approved,
        "eval_case_count": stats.eval_cases,
        "failure_modes": [item["text"] for item in sections["failure_modes"]],
        "recurring_review_notes": [item["text"] for item in recurring],
        "evidence": sections,
        "defaults_used": defaults_used,
    }
    if stats.merged_names() or any(
        slug(name) != stats_name for names, stats_name in ((stats.raw_names["domain"], stats.domain),
                                                           (stats.raw_names["workflow"], stats.workflow))
        for name in names
    ):
        # The folder name was disambiguated, or several raw names share it: say which names these are.
        card["names"] = {part: list(names) for part, names in stats.raw_names.items()}
    markdown = render_markdown(card, stats)
    card["card_tokens_approx"] = estimate_tokens(markdown)
    return card, markdown


def render_markdown(card: Dict[str, Any], stats: WorkflowStats) -> str:
    """A card small enough to paste into an agent's context; the evidence trail sits at the end."""
    evidence = card["evidence"]
    approved = stats.approved
    lines = [
        f"# {card['domain']} / {card['workflow']}",
        "",
        f"**Goal:** {card['goal']}",
        "",
        f"From {plural(stats.traces, 'trace')} ({approved} human-approved, {stats.rejected} rejected). "
        f"Card `{card['id']}`, token budget {card['token_budget']}.",
        "",
        "## Rules",
        "",
        *_bullets(evidence["stable_rules"], approved, "approved run"),
        "",
    ]
    if evidence["tool_contracts"]:
        lines += ["## Tool contracts", "", *_bullets(evidence["tool_contracts"], approved, "approved run"), ""]
    lines += [
        "## Ask a human before",
        "",
        *_bullets(evidence["human_approval_required_for"], approved, "approved run"),
        "",
    ]
    if evidence["failure_modes"]:
        lines += ["## Known failure modes (most frequent first)", "",
                  *_bullets(evidence["failure_modes"], stats.traces, "run"), ""]
    if evidence["recurring_review_notes"]:
        lines += ["## What reviewers keep saying", "",
                  *_bullets(evidence["recurring_review_notes"], stats.traces, "run"), ""]
    if card["eval_case_count"]:
        shown = ", ".join(ref.split("#", 1)[1] for ref in card["eval_refs"][:3])
        more = f" and {card['eval_case_count'] - 3} more" if card["eval_case_count"] > 3 else ""
        lines += ["## Regression evals", "", f"{plural(card['eval_case_count'], 'eval case')} in `eval-cases.jsonl`: {shown}{more}.", ""]
    lines += ["---", "", "Evidence (trace ids in `trace-records.jsonl`):", ""]
    for section in SECTIONS:
        cited = [(number, item["trace_ids"][:3]) for number, item in enumerate(evidence[section], start=1) if item["trace_ids"]]
        if cited:
            lines.append(f"- {SECTION_TITLES[section]}: " + "; ".join(_cite_runs(cited)))
    overflow = sum(stats.evidence[name].overflow for name in SECTIONS)
    if overflow:
        lines.append(f"- {overflow} further statements were not tracked (over {EVIDENCE_LIMIT} distinct per section)")
    body = "\n".join(lines).rstrip() + "\n"
    # State the size in the card itself; the statement barely changes the estimate.
    approx = estimate_tokens(body)
    approx = estimate_tokens(body.replace("token budget", f"about {approx} tokens as written, token budget", 1))
    return body.replace("token budget", f"about {approx} tokens as written, token budget", 1)
