#!/usr/bin/env python3
"""What the near-duplicate detector keeps: pair precision and recall on texts with known copies.

A seeded generator writes *originals* (Zipf-distributed words, half of them
opening with one of a few shared boilerplate paragraphs, lengths from a
one-line ticket to a long log) and, for each, *copies* edited at known rates
(each word substituted, deleted or followed by an inserted word with that
probability; rate 0 changes only case and spacing). The detector sees them as
the curator does: every original is looked up, then added; then every copy is
looked up (and not added, so each copy is judged against the originals alone).

- A *predicted pair* is a text and the entry ``find`` returned for it. It is
  correct when the two texts' true Jaccard similarity of word 3-grams (computed
  exactly, on the same normalised tokens) is at least the threshold.
- A *true pair* is a copy and its original at or above the threshold. It is
  recalled when the copy's lookup returned a correct match.

Usage: python3 bench/dedup_quality.py [--families 2000] [--seed 7] [--tools DIR]
       (--tools: another checkout's tools/ folder, to measure the detector before a change)
"""
from __future__ import annotations

import argparse
import os
import random
import sys
from typing import Dict, List, Optional, Sequence, Tuple

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

RATES = (0.0, 0.01, 0.02, 0.03, 0.05, 0.08, 0.12, 0.2, 0.35)
LENGTHS = (12, 40, 120, 300)  # words: a one-line ticket, a paragraph, a stack trace, a long log


def _vocabulary(rng: random.Random, size: int = 4000) -> Tuple[List[str], List[float]]:
    words = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randrange(2, 9))) + str(rank % 7)
             for rank in range(size)]
    return words, [1.0 / (rank + 1) for rank in range(size)]


def generate(families: int, seed: int) -> Tuple[List[str], List[Tuple[int, float, str]]]:
    """``(originals, copies)``; each copy is ``(original index, edit rate, text)``."""
    rng = random.Random(seed)
    words, weights = _vocabulary(rng)
    boilerplate = [" ".join(rng.choices(words, weights, k=rng.randrange(20, 60))) for _ in range(4)]
    originals: List[str] = []
    copies: List[Tuple[int, float, str]] = []
    for family in range(families):
        body = rng.choices(words, weights, k=LENGTHS[family % len(LENGTHS)])
        text = " ".join(body)
        if family % 2:
            text = rng.choice(boilerplate) + "\n" + text
        originals.append(text)
        for rate in RATES:
            copies.append((family, rate, edit(rng, text, rate, words, weights)))
    rng.shuffle(copies)
    return originals, copies


def edit(rng: random.Random, text: str, rate: float, words: Sequence[str], weights: Sequence[float]) -> str:
    if rate == 0:
        return "  ".join(word.upper() if rng.random() < 0.3 else word for word in text.split())
    out: List[str] = []
    for word in text.split():
        roll = rng.random()
        if roll >= rate:
            out.append(word)
            continue
        kind = rng.randrange(3)
        if kind == 0:
            out.append(rng.choices(words, weights)[0])
        elif kind == 2:
            out += [word, rng.choices(words, weights)[0]]
        # kind 1: deleted
    return " ".join(out)


def _grams(tokens: Sequence[str], shingle: int) -> set:
    if len(tokens) < shingle:
        return {tuple(tokens)}
    return {tuple(tokens[i: i + shingle]) for i in range(len(tokens) - shingle + 1)}


def jaccard(left: set, right: set) -> float:
    union = len(left | right)
    return len(left & right) / union if union else 1.0


def measure(dedup, families: int = 2000, seed: int = 7) -> Dict[str, object]:
    """Precision, recall and per-rate detection of ``dedup.DuplicateIndex`` on a generated set."""
    originals, copies = generate(families, seed)
    threshold = dedup.NEAR_DUPLICATE_THRESHOLD
    tokens = [dedup.tokens(text) for text in originals]
    grams = [_grams(found, dedup.SHINGLE) for found in tokens]
    entry_of: Dict[int, int] = {}
    predicted = correct = 0
    with dedup.DuplicateIndex() as index:

        if hasattr(dedup, "fingerprint"):
            def find(found):
                return index.find(0, dedup.fingerprint(found))

            def add(found):
                return index.add(0, dedup.fingerprint(found))
        else:  # the detector before fingerprints (kept so the bench can measure it)
            def find(found):
                return index.find(0, found, dedup.signature(found))

            def add(found):
                return index.add(0, found, dedup.signature(found))

        def lookup(found: List[str]) -> Optional[int]:
            match = find(found)
            return None if match is None else entry_of[match[1]]

        for position, found in enumerate(tokens):
            matched = lookup(found)
            if matched is not None:
                predicted += 1
                correct += jaccard(grams[position], grams[matched]) >= threshold
            entry_of[add(found)] = position
        true_pairs = recalled = 0
        by_rate: Dict[float, List[int]] = {rate: [0, 0, 0] for rate in RATES}  # copies, true, found
        for family, rate, text in copies:
            found = dedup.tokens(text)
            own = _grams(found, dedup.SHINGLE)
            is_true = jaccard(own, grams[family]) >= threshold
            matched = lookup(found)
            hit = matched is not None and jaccard(own, grams[matched]) >= threshold
            if matched is not None:
                predicted += 1
                correct += hit
            if is_true:
                true_pairs += 1
                recalled += hit
            tally = by_rate[rate]
            tally[0] += 1
            tally[1] += is_true
            tally[2] += matched is not None
    return {
        "families": families,
        "predicted_pairs": predicted,
        "true_pairs": true_pairs,
        "precision": correct / predicted if predicted else 1.0,
        "recall": recalled / true_pairs if true_pairs else 1.0,
        "by_rate": {rate: tuple(tally) for rate, tally in by_rate.items()},
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--families", type=int, default=2000, help="originals (each gets one copy per edit rate)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--tools", default=os.path.join(ROOT, "tools"), help="the tools/ folder whose detector to measure")
    args = parser.parse_args(argv)
    sys.path.insert(0, os.path.abspath(args.tools))
    from data_flywheel.export import dedup

    result = measure(dedup, args.families, args.seed)
    print(f"detector: {dedup.__file__}")
    print(f"{result['families']} originals, {result['families'] * len(RATES)} copies, "
          f"{result['true_pairs']} true pairs (Jaccard >= {dedup.NEAR_DUPLICATE_THRESHOLD}), "
          f"{result['predicted_pairs']} predicted")
    print(f"pair precision {result['precision'] * 100:.2f}%  recall {result['recall'] * 100:.2f}%")
    print("edit rate | copies | true pairs | flagged")
    for rate, (count, true, flagged) in result["by_rate"].items():
        print(f"{rate:9.2f} | {count:6} | {true:10} | {flagged:7}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
