"""Which runs become training rows, preference pairs and eval cases, in which split.

The curator sees the runs in file order (the order they were approved, since
the approved-runs file is only ever appended to) and decides each one at
once, so nothing earlier is ever revisited and the export stays one
streaming pass. The rules:

1. **Split.** The run's group (its session, else itself) picks the split
   (``splits.py``). Every row a run contributes is in that split.
2. **Duplicates.** A trainable run whose conversation is an exact or near
   duplicate of an earlier training row is collapsed into that row's cluster
   and gives no row of its own. Each cluster therefore has one row, in one
   split, and a newer run never displaces an older row.
3. **Held-out eval cases.** Every approved, clean run is an eval case in
   ``eval-cases.jsonl`` (agentic-stack's regression suite, see the pipeline);
   it is *held out* (``eval/holdout.jsonl``, ``Placement.eval_case``) only in
   the validation or test split, and only if its input is not already
   (exactly or nearly) the input of a training-split row or of an earlier
   held-out case, and shares no span of 13 consecutive words with a
   training-split row's input (``overlap.py``).
4. **Decontamination.** A train-split row (SFT or preference) whose input is
   (exactly or nearly) an earlier held-out case's input, or shares a 13-word
   span with one, is dropped. With rule 3, no held-out input appears in the
   training split, and none shares a 13-word span with a training input,
   whichever came first.
5. **Preference pairs come only from human judgements.** An edited run
   gives (its approved output chosen, the agent's draft ``output_original``
   rejected). A rejected run gives (the first approved output for the same
   workflow, instruction and input chosen, the rejected output rejected),
   whether the approval came before or after the rejection. Pairs take the
   split of their chosen run. Nothing is synthesized.
6. **Length.** With ``max_tokens``, a row whose conversation is estimated
   (conservatively, see ``tokens.py``) above it is dropped and counted.

Counts of every decision go to ``flywheel-metrics.json`` under ``datasets``.
"""
from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, NamedTuple, Optional

from ..records.run import Run
from ..seen import SeenSet, scratch_sqlite
from ..tokens import estimate_tokens
from ..writers import PreferencePair
from ..writers.conversation import Conversation, conversation_of, prompt_from
from . import dedup, splits
from .overlap import NGRAM, OverlapIndex

# DuplicateIndex namespaces.
ROWS = 0  # the text of every training row kept
TRAIN_INPUTS = 1  # the input of every train-split row (SFT or preference) kept
EVAL_INPUTS = 2  # the input of every eval case written


def conversation_text(conversation: Conversation) -> str:
    """The words of a conversation (contents, tool names and arguments), for comparing rows.

    System messages are left out: a workflow's standing instruction is shared by
    all its runs and is no evidence that two of them are the same example.
    """
    return "\n".join(conversation_parts(conversation))


def conversation_parts(conversation: Conversation) -> List[str]:
    """``conversation_text`` before the parts are joined by newlines."""
    parts: List[str] = []
    for message in conversation.messages:
        if message.get("role") == "system":
            continue
        parts.append(message.get("content") or "")
        for call in message.get("tool_calls") or ():
            parts.append(call.get("name") or "")
            parts.append(json.dumps(call.get("arguments"), sort_keys=True, ensure_ascii=False))
    return parts


def own_part(conversation: Conversation, request: str) -> Conversation:
    """The conversation from its request on: what a row adds, without the earlier context it carries.

    A harvested candidate is one request of a session and carries the requests
    before it, so that its row shows what the model saw. Two requests of one
    session share that context; compared whole, every later request would look
    like a near-duplicate of the one before. Duplicates are judged on the last
    user message that is the request, and everything after it (the whole
    conversation when no user message is the request).
    """
    messages = conversation.messages
    if request:
        for index in range(len(messages) - 1, -1, -1):
            if messages[index].get("role") == "user" and messages[index].get("content") == request:
                return Conversation(messages=messages[index:], tools=conversation.tools)
    return conversation


def conversation_tokens(conversation: Conversation) -> int:
    """Approximate tokens of a conversation as a trainer sees it: the messages and tools as JSON."""
    text = json.dumps(conversation.messages, ensure_ascii=False) + json.dumps(conversation.tools, ensure_ascii=False)
    return estimate_tokens(text)


@dataclass
class Placement:
    split: str
    example: Optional[Conversation] = None  # the SFT conversation, when the run gives a training row
    eval_case: bool = False  # held out: in eval/holdout.jsonl (every eval_ready run is in eval-cases.jsonl)
    pairs: List[PreferencePair] = field(default_factory=list)


@dataclass
class CurationCounts:
    ratios: Dict[str, float]
    max_tokens: Optional[int]
    sft_rows: Dict[str, int] = field(default_factory=lambda: dict.fromkeys(splits.SPLITS, 0))
    pair_rows: Dict[str, int] = field(default_factory=lambda: dict.fromkeys(splits.SPLITS, 0))
    eval_cases: Dict[str, int] = field(default_factory=lambda: dict.fromkeys(splits.HELD_OUT, 0))
    runs_by_split: Dict[str, int] = field(default_factory=lambda: dict.fromkeys(splits.SPLITS, 0))
    exact_duplicates: int = 0
    near_duplicates: int = 0
    training_rows_decontaminated: int = 0
    training_rows_overlapping: int = 0  # of those, dropped for a shared 13-word span only
    eval_cases_already_in_training: int = 0
    eval_cases_overlapping_training: int = 0
    eval_case_duplicates: int = 0
    pairs_by_origin: Dict[str, int] = field(default_factory=lambda: {"edited": 0, "rejected_vs_accepted": 0})
    pair_duplicates: int = 0
    pairs_decontaminated: int = 0
    pairs_overlapping: int = 0
    rejected_without_approved_match: int = 0
    over_max_tokens: int = 0


class Curator:
    def __init__(self, ratios: Mapping[str, float], max_tokens: Optional[int] = None) -> None:
        self.ratios = dict(ratios)
        self.max_tokens = max_tokens
        self.counts = CurationCounts(ratios=self.ratios, max_tokens=max_tokens)
        self._index = dedup.DuplicateIndex()
        self._overlap = OverlapIndex()  # 13-word windows of held-out inputs and training inputs
        self._pair_keys = SeenSet()
        self._judgements = _Judgements()

    # --- one run -------------------------------------------------------------

    def place(self, run: Run, keys: Optional["RunKeys"] = None) -> Placement:
        """Decide one run. ``keys`` are its ``run_keys`` when computed elsewhere (a worker, the cache)."""
        split = splits.assign(splits.group_key(run.record, run.trace_id), self.ratios)
        counts = self.counts
        counts.runs_by_split[split] += 1
        placement = Placement(split=split)
        texts = _RunTexts(keys if keys is not None else run_keys(run), run.text("input_redacted"))

        if run.eval_ready and split in splits.HELD_OUT:
            if self._index.find(TRAIN_INPUTS, texts.input) is not None:
                counts.eval_cases_already_in_training += 1
            elif self._index.find(EVAL_INPUTS, texts.input) is not None:
                counts.eval_case_duplicates += 1
            elif self._overlap.shares(TRAIN_INPUTS, texts.input_tokens):
                counts.eval_cases_overlapping_training += 1
            else:
                self._index.add(EVAL_INPUTS, texts.input)
                self._overlap.add(EVAL_INPUTS, texts.input_tokens)
                counts.eval_cases[split] += 1
                placement.eval_case = True

        # Built once: the training row, and the prompt of any pair this run completes.
        conversation = conversation_of(run) if run.trainable else None
        if conversation is not None:
            placement.example = self._admit_example(conversation, split, texts)
        pairs = self._pairs_of(run, split, conversation, texts)
        placement.pairs = [pair for pair in pairs if self._admit_pair(pair, texts)]
        return placement

    def _admit_example(self, conversation: Conversation, split: str, texts: "_RunTexts") -> Optional[Conversation]:
        counts = self.counts
        if self.max_tokens is not None and conversation_tokens(conversation) > self.max_tokens:
            counts.over_max_tokens += 1
            return None
        row = texts.keys.row
        match = self._index.find(ROWS, row)
        if match is not None:
            kind, cluster = match
            self._index.join(cluster)
            if kind == "exact":
                counts.exact_duplicates += 1
            else:
                counts.near_duplicates += 1
            return None
        if split == "train" and not self._clean_for_training(texts):
            counts.training_rows_decontaminated += 1
            counts.training_rows_overlapping += texts.overlapping
            return None
        self._index.add(ROWS, row)
        if split == "train":
            self._train_input(texts)
        counts.sft_rows[split] += 1
        return conversation

    def _clean_for_training(self, texts: "_RunTexts") -> bool:
        # Asked once per run: the eval inputs cannot change between its row and its
        # pairs, since a run in the train split is never an eval case.
        if texts.clean is None:
            texts.clean = self._index.find(EVAL_INPUTS, texts.input) is None
            if texts.clean and self._overlap.shares(EVAL_INPUTS, texts.input_tokens):
                texts.clean, texts.overlapping = False, True
        return texts.clean

    def _train_input(self, texts: "_RunTexts") -> None:
        """Index a run's input as a training input, once however many rows and pairs it gives."""
        if not texts.indexed:
            self._index.add(TRAIN_INPUTS, texts.input)
            self._overlap.add(TRAIN_INPUTS, texts.input_tokens)
            texts.indexed = True

    # --- preference pairs ----------------------------------------------------

    def _pairs_of(self, run: Run, split: str, conversation: Optional[Conversation],
                  texts: "_RunTexts") -> List[PreferencePair]:
        status = run.review_status
        if conversation is not None and status == "edited":
            prompt = prompt_from(conversation)
            pairs = []
            if texts.keys.draft_differs:
                approved, draft = run.text("output_approved"), run.text("output_original")
                pairs.append(self._pair(prompt, approved, draft, split, "edited", run, [run.trace_id]))
            pairs += self._judgements.approved(self, run, split, prompt, texts.keys.judgement)
            return pairs
        if conversation is not None and status == "accepted":
            return self._judgements.approved(self, run, split, prompt_from(conversation), texts.keys.judgement)
        if status == "rejected" and _judged_clean(run):
            return self._judgements.rejected(self, run, texts.keys.judgement)
        return []

    def _pair(self, prompt: Conversation, chosen: str, rejected: str, split: str, origin: str, run: Run,
              trace_ids: List[str]) -> PreferencePair:
        return PreferencePair(
            prompt=prompt, chosen=chosen, rejected=rejected, split=split, origin=origin,
            domain=run.domain, workflow=run.workflow, source_trace_ids=trace_ids,
        )

    def _admit_pair(self, pair: PreferencePair, texts: "_RunTexts") -> bool:
        counts = self.counts
        if self.max_tokens is not None:
            longest = max(estimate_tokens(pair.chosen), estimate_tokens(pair.rejected))
            if conversation_tokens(pair.prompt) + longest > self.max_tokens:
                counts.over_max_tokens += 1
                return False
        key = json.dumps([conversation_text(pair.prompt), pair.chosen, pair.rejected], ensure_ascii=False)
        if self._pair_keys.first_seen(key, 0) is not None:
            counts.pair_duplicates += 1
            return False
        if pair.split == "train":
            # A pair's prompt holds the same input as the run that completed it (same judgement key).
            if not self._clean_for_training(texts):
                counts.pairs_decontaminated += 1
                counts.pairs_overlapping += texts.overlapping
                return False
            self._train_input(texts)
        counts.pairs_by_origin[pair.origin] += 1
        counts.pair_rows[pair.split] += 1
        return True

    # --- the end -------------------------------------------------------------

    def metrics(self) -> Dict[str, Any]:
        counts = self.counts
        sizes = self._index.cluster_sizes(ROWS)
        counts.rejected_without_approved_match = self._judgements.unmatched()
        return {
            "split_ratios": {name: round(counts.ratios[name], 6) for name in splits.SPLITS},
            "runs_by_split": dict(counts.runs_by_split),
            "sft_rows": dict(counts.sft_rows),
            "preference_rows": dict(counts.pair_rows),
            "eval_cases": dict(counts.eval_cases),
            "dedup": {
                "exact_duplicates": counts.exact_duplicates,
                "near_duplicates": counts.near_duplicates,
                "near_duplicate_threshold": dedup.NEAR_DUPLICATE_THRESHOLD,
                "method": f"MinHash ({dedup.BINS} one-permutation bins, {dedup.BANDS} LSH bands) over word "
                          f"{dedup.SHINGLE}-grams of normalised text",
                "clusters": sum(count for _size, count in sizes),
                "cluster_sizes": {str(size): count for size, count in sizes},
                "largest_cluster": max((size for size, _count in sizes), default=0),
            },
            "decontamination": {
                "training_rows_dropped": counts.training_rows_decontaminated,
                "preference_pairs_dropped": counts.pairs_decontaminated,
                "eval_cases_already_in_training": counts.eval_cases_already_in_training,
                "eval_case_duplicates": counts.eval_case_duplicates,
                "eval_cases_overlapping_training": counts.eval_cases_overlapping_training,
                "training_rows_dropped_by_overlap": counts.training_rows_overlapping,
                "preference_pairs_dropped_by_overlap": counts.pairs_overlapping,
                "overlap_rule": f"a shared span of {NGRAM} or more consecutive words (normalised as for "
                                "duplicates) between a held-out eval input and a training-split input, as in the "
                                "GPT-3 decontamination report",
                "near_duplicate_rule": f"the same input, or estimated word-{dedup.SHINGLE}-gram Jaccard at least "
                                       f"{dedup.NEAR_DUPLICATE_THRESHOLD}",
            },
            "preference_pairs": {
                **counts.pairs_by_origin,
                "duplicates": counts.pair_duplicates,
                "rejected_without_approved_match": counts.rejected_without_approved_match,
            },
            "max_tokens": counts.max_tokens,
            "over_max_tokens": counts.over_max_tokens,
        }

    def close(self) -> None:
        self._index.close()
        self._overlap.close()
        self._pair_keys.close()
        self._judgements.close()

    def __enter__(self) -> "Curator":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def _judged_clean(run: Run) -> bool:
    """A rejected run may be the rejected side of a pair only if nothing but its rejection bars it."""
    return run.not_trainable_because == ["not_approved"] and bool(run.text("output_approved").strip())


class RunKeys(NamedTuple):
    """What the curator compares of one run: a pure function of the redacted run (``run_keys``).

    Computing these (tokenising, MinHash) is most of curation's CPU; deciding
    with them (index lookups, in file order) is the part that must stay
    sequential. So they are computed in worker processes and kept in the run
    cache (``export/parallel.py``, ``export/cache.py``), and ``place`` only replays
    the decisions. Only digests, hashes and a flag: never text.
    """

    input: dedup.Fingerprint  # of the redacted input
    row: Optional[dedup.Fingerprint]  # of the SFT conversation, for a trainable run
    judgement: int  # the prompt's key for preference pairs (``_judgement_key``)
    draft_differs: bool  # an edited run's draft differs in words from its approved output


def run_keys(run: Run) -> RunKeys:
    known: Dict[str, List[str]] = {}  # each of the run's texts tokenised once

    def tokens_of(text: str) -> List[str]:
        found = known.get(text)
        if found is None:
            found = known[text] = dedup.tokens(text)
        return found

    input_tokens = tokens_of(run.text("input_redacted"))
    row = None
    if run.trainable:
        # ``dedup.tokens("\\n".join(parts))``, each part tokenised once per run: a newline is
        # never part of a token and NFKC composes nothing across it, so the tokens of the
        # joined text are the parts' tokens one after another (tests/test_curate.py checks it).
        # Compared on its own part only (``own_part``): a harvested request carries its session's earlier context.
        parts = conversation_parts(own_part(conversation_of(run), run.text("input_redacted")))
        row = dedup.fingerprint([token for part in parts for token in tokens_of(part)])
    draft, approved = run.text("output_original"), run.text("output_approved")
    differs = bool(draft.strip()) and draft != approved and dedup.tokens(draft) != tokens_of(approved)
    return RunKeys(dedup.fingerprint(input_tokens), row, _judgement_key(run, input_tokens), differs)


class _RunTexts:
    """One run's keys, and what was decided about its input, during ``place``."""

    def __init__(self, keys: RunKeys, input_text: str) -> None:
        self.keys = keys
        self.input = keys.input
        self._input_text = input_text
        self._input_tokens: Optional[List[str]] = None
        self.clean: Optional[bool] = None  # not the input of an earlier held-out case (asked once)
        self.overlapping = False  # not clean only because it shares a 13-word span with one
        self.indexed = False  # already added to TRAIN_INPUTS

    @property
    def input_tokens(self) -> List[str]:
        """The input's words, for the 13-word overlap index, tokenised here when first asked.

        Not part of ``RunKeys``: a window key per word would make cache entries as large as
        the input; the windows could be keyed there instead (what is left of issue 12).
        """
        if self._input_tokens is None:
            self._input_tokens = dedup.tokens(self._input_text)
        return self._input_tokens


def _judgement_key(run: Run, input_tokens: List[str]) -> int:
    """A signed 64-bit key of the prompt: SQLite's own integer, so the key index stays small
    enough for the page cache while each approved output is appended in arrival order."""
    # The tokens of the joined prompt, with the input's tokens reused: no token spans
    # the \x1e separators (not word characters, and NFKC composes nothing across them).
    head = dedup.tokens("\x1e".join((run.domain, run.workflow, run.text("instruction")))) + input_tokens
    text = "\x1f".join(head) + "|" + run.domain + "|" + run.workflow
    return int.from_bytes(hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()[:8], "big", signed=True)


class _Judgements:
    """Approved and rejected outputs per prompt, on disk, until both sides of a pair are known.

    For each prompt key: the first approved run's prompt, output, split and
    trace id; and the rejected outputs still waiting for an approved one. The
    keys with a waiting rejection are also kept in memory (a rejection is rare
    and leaves the set once matched), so an approval asks the disk about waiting
    rows only when there are some.
    """

    def __init__(self) -> None:
        self._folder, self._db = scratch_sqlite("data-flywheel-pairs-")
        self._db.executescript(
            """
            CREATE TABLE approved (id INTEGER PRIMARY KEY, key INTEGER UNIQUE, prompt TEXT, output TEXT, split TEXT,
                                   trace_id TEXT);
            CREATE TABLE waiting (id INTEGER PRIMARY KEY, key INTEGER, output TEXT, trace_id TEXT);
            CREATE INDEX waiting_key ON waiting (key);
            """
        )
        self._db.execute("BEGIN")
        self._waiting: set = set()

    def approved(self, curator: Curator, run: Run, split: str, prompt: Conversation, key: int) -> List[PreferencePair]:
        output = run.text("output_approved")
        added = self._db.execute(
            "INSERT OR IGNORE INTO approved (key, prompt, output, split, trace_id) VALUES (?, ?, ?, ?, ?)",
            (key, json.dumps({"messages": prompt.messages, "tools": prompt.tools}), output, split, run.trace_id),
        ).rowcount
        if not added or key not in self._waiting:
            return []
        self._waiting.discard(key)
        waiting = self._db.execute("SELECT output, trace_id FROM waiting WHERE key = ? ORDER BY id", (key,)).fetchall()
        self._db.execute("DELETE FROM waiting WHERE key = ?", (key,))
        return [
            curator._pair(prompt, output, rejected, split, "rejected_vs_accepted", run, [run.trace_id, rejected_trace])
            for rejected, rejected_trace in waiting
            if dedup.tokens(rejected) != dedup.tokens(output)
        ]

    def rejected(self, curator: Curator, run: Run, key: int) -> List[PreferencePair]:
        found = self._db.execute("SELECT prompt, output, split, trace_id FROM approved WHERE key = ?", (key,)).fetchone()
        output = run.text("output_approved")
        if found is None:
            self._db.execute("INSERT INTO waiting (key, output, trace_id) VALUES (?, ?, ?)", (key, output, run.trace_id))
            self._waiting.add(key)
            return []
        prompt_json, chosen, split, chosen_trace = found
        if dedup.tokens(chosen) == dedup.tokens(output):
            return []
        stored = json.loads(prompt_json)
        prompt = Conversation(messages=stored["messages"], tools=stored["tools"])
        return [curator._pair(prompt, chosen, output, split, "rejected_vs_accepted", run, [chosen_trace, run.trace_id])]

    def unmatched(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM waiting").fetchone()[0]

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
            shutil.rmtree(self._folder, ignore_errors=True)
