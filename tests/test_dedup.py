"""Normalised tokens, MinHash signatures and the on-disk duplicate index."""
import random
import subprocess
import sys

import pytest
from conftest import TOOLS

from data_flywheel.export import dedup


def _jaccard(left, right):
    a = {tuple(left[i : i + 3]) for i in range(len(left) - 2)}
    b = {tuple(right[i : i + 3]) for i in range(len(right) - 2)}
    return len(a & b) / len(a | b)


def _text(rng, words, n):
    return " ".join(rng.choice(words) for _ in range(n))


def test_tokens_ignore_case_spacing_punctuation_and_width():
    assert dedup.tokens("Fix  the BUG,\tnow!") == dedup.tokens("fix the bug now")
    assert dedup.tokens("ＡＢＣ") == ["abc"]  # NFKC folds full-width letters


def test_cjk_characters_are_one_token_each():
    assert dedup.tokens("修复登录错误 ok") == ["修", "复", "登", "录", "错", "误", "ok"]


@pytest.mark.parametrize("length,changed", [(100, 3), (100, 10), (300, 15), (40, 2)])
def test_similarity_estimates_the_jaccard_of_word_3grams(length, changed):
    rng = random.Random(length * 31 + changed)
    words = [f"w{i}" for i in range(3000)]
    left = _text(rng, words, length).split()
    right = list(left)
    for position in rng.sample(range(length), changed):
        right[position] = "changed"
    estimate = dedup.similarity(dedup.signature(left), dedup.signature(right))
    assert abs(estimate - _jaccard(left, right)) < 0.12


def test_unrelated_texts_score_near_zero():
    rng = random.Random(7)
    words = [f"w{i}" for i in range(3000)]
    for _ in range(20):
        left, right = _text(rng, words, 80).split(), _text(rng, words, 80).split()
        assert dedup.similarity(dedup.signature(left), dedup.signature(right)) < 0.2


def test_signatures_do_not_depend_on_the_process_hash_seed():
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); from data_flywheel.export import dedup;"
        "print(dedup.signature(dedup.tokens('a short text about fixing the parser bug'))[:8])"
    )
    outputs = {
        subprocess.run([sys.executable, "-c", code, TOOLS], capture_output=True, text=True, check=True,
                       env={"PYTHONHASHSEED": seed}).stdout
        for seed in ("1", "2", "3")
    }
    assert len(outputs) == 1


def test_empty_text_has_no_signature_but_still_an_exact_digest():
    assert dedup.signature([]) is None
    with dedup.DuplicateIndex() as index:
        index.add(0, [], None)
        assert index.find(0, [], None) == ("exact", 1)


def test_index_finds_exact_then_near_and_keeps_namespaces_apart():
    rng = random.Random(3)
    words = [f"w{i}" for i in range(3000)]
    base = _text(rng, words, 120).split()
    near = list(base)
    near[10] = near[60] = "other"
    unrelated = _text(rng, words, 120).split()
    with dedup.DuplicateIndex() as index:
        first = index.add(0, base, dedup.signature(base))
        assert index.find(0, base, dedup.signature(base)) == ("exact", first)
        assert index.find(0, near, dedup.signature(near)) == ("near", first)
        assert index.find(0, unrelated, dedup.signature(unrelated)) is None
        assert index.find(1, base, dedup.signature(base)) is None
        index.join(first)
        index.join(first)
        assert index.cluster_sizes(0) == [(3, 1)]
        assert index.cluster_sizes(1) == []


def test_the_index_holds_many_texts_in_bounded_time():
    rng = random.Random(11)
    words = [f"w{i}" for i in range(5000)]
    with dedup.DuplicateIndex() as index:
        for _ in range(3000):
            found = _text(rng, words, 60).split()
            signature = dedup.signature(found)
            if index.find(0, found, signature) is None:
                index.add(0, found, signature)
        assert index.cluster_sizes(0) == []
