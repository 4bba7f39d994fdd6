"""Distinct statements with how many runs support them and which traces show it, bounded.

A card section, a mined habit or a failure mode is an ``Evidence`` table: the
state grows with the number of distinct statements, not with the number of
runs; past ``EVIDENCE_LIMIT`` distinct statements a table stops taking new
ones and counts what it turned away (``overflow``), which the card reports.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List

EVIDENCE_LIMIT = 2000
CITED_TRACES = 5


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

    def support(self, text: str) -> int:
        entry = self.items.get(text)
        return entry[0] if entry else 0

    def ranked(self, min_support: int = 1) -> List[Dict[str, Any]]:
        """Most supported first; ties keep first-seen order (dicts keep insertion order)."""
        order = sorted(enumerate(self.items.items()), key=lambda item: (-item[1][1][0], item[0]))
        return [
            {"text": text, "support": entry[0], "trace_ids": list(entry[1])}
            for _index, (text, entry) in order
            if entry[0] >= min_support
        ]
