"""Normalised tokens, MinHash signatures and the on-disk duplicate index."""
import os
import random
import subprocess
import sys

import pytest
from conftest import ROOT, TOOLS

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
        index.add(0, dedup.fingerprint([]))
        assert index.find(0, dedup.fingerprint([])) == ("exact", 1)


def test_index_finds_exact_then_near_and_keeps_namespaces_apart():
    rng = random.Random(3)
    words = [f"w{i}" for i in range(3000)]
    base = _text(rng, words, 120).split()
    near = list(base)
    near[10] = near[60] = "other"
    unrelated = _text(rng, words, 120).split()
    with dedup.DuplicateIndex() as index:
        first = index.add(0, dedup.fingerprint(base))
        assert index.find(0, dedup.fingerprint(base)) == ("exact", first)
        assert index.find(0, dedup.fingerprint(near)) == ("near", first)
        assert index.find(0, dedup.fingerprint(unrelated)) is None
        assert index.find(1, dedup.fingerprint(base)) is None
        index.join(first)
        index.join(first)
        assert index.cluster_sizes(0) == [(3, 1)]
        assert index.cluster_sizes(1) == []


def test_the_index_holds_many_texts_in_bounded_time():
    rng = random.Random(11)
    words = [f"w{i}" for i in range(5000)]
    with dedup.DuplicateIndex() as index:
        for _ in range(3000):
            found = dedup.fingerprint(_text(rng, words, 60).split())
            if index.find(0, found) is None:
                index.add(0, found)
        assert index.cluster_sizes(0) == []


def test_a_lookup_compares_at_most_one_candidate_per_band_however_much_boilerplate_is_shared():
    rng = random.Random(5)
    words = [f"w{i}" for i in range(5000)]
    boilerplate = _text(rng, words, 200)
    with dedup.DuplicateIndex() as index:
        texts = [dedup.fingerprint((boilerplate + " " + _text(rng, words, 40)).split()) for _ in range(300)]
        for text in texts:
            index.add(0, text)
        # Every text shares 5/6 of its 3-grams with all the others, so each of its bands is
        # held by many entries; the index keeps only the first holder of each key.
        assert max(len(index.candidates(0, text)) for text in texts) <= 2 * dedup.BANDS
        assert index._db.execute("SELECT COUNT(*) FROM band").fetchone()[0] <= 300 * dedup.BANDS


def test_pair_precision_and_recall_on_copies_edited_at_known_rates():
    # The small version of bench/dedup_quality.py (2,000 originals: precision 96.5%, recall 96.7%).
    sys.path.insert(0, os.path.join(ROOT, "bench"))
    import dedup_quality

    result = dedup_quality.measure(dedup, families=48, seed=3)
    assert result["true_pairs"] > 200
    assert result["precision"] >= 0.93 and result["recall"] >= 0.93  # 96.3% and 94.3% here
    assert result["by_rate"][0.0][2] == 48  # every case-and-spacing copy is found


def test_band_keys_waiting_in_memory_and_on_disk_give_the_same_answers(monkeypatch):
    rng = random.Random(9)
    words = [f"w{i}" for i in range(400)]
    texts = []
    for _ in range(120):
        base = _text(rng, words, 50).split()
        texts.append(base)
        copy = list(base)
        copy[rng.randrange(50)] = "edited"
        texts.append(copy)
    rng.shuffle(texts)

    def answers():
        out = []
        with dedup.DuplicateIndex() as index:
            for found in texts:
                text = dedup.fingerprint(found)
                match = index.find(0, text)
                out.append(match)
                if match is None:
                    index.add(0, text)
            on_disk = index._db.execute("SELECT COUNT(*) FROM band").fetchone()[0]
        return out, on_disk

    in_memory, none_on_disk = answers()
    monkeypatch.setattr(dedup, "_PENDING_KEYS", 1)  # every key goes to disk at once
    flushed, on_disk = answers()
    assert none_on_disk == 0 and on_disk > 1000
    assert flushed == in_memory
    assert sum(1 for match in in_memory if match is not None and match[0] == "near") > 50
