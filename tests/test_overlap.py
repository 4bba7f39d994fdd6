"""The 13-word overlap index: windows, namespaces, the disk spill, and a known key."""
from data_flywheel.export import dedup, overlap


def words(prefix, count):
    return [f"{prefix}{k}" for k in range(count)]


def test_one_key_per_13_word_window_and_none_below():
    assert overlap.NGRAM == 13
    assert overlap.window_keys(words("a", 12)) == []
    assert len(overlap.window_keys(words("a", 13))) == 1
    keys = overlap.window_keys(words("a", 40))
    assert len(keys) == 28 and len(set(keys)) == 28 and all(0 <= key < 1 << 63 for key in keys)
    # The rolling hash equals hashing each window from scratch.
    assert keys == [overlap.window_keys(words("a", 40)[start:start + 13])[0] for start in range(28)]
    # Plain arithmetic over CRC-32s: the same key on every run and every Python.
    assert overlap.window_keys(dedup.tokens("the quick brown fox jumps over the lazy dog and runs far away"))[0] == (
        overlap.window_keys(dedup.tokens("The quick, brown fox jumps over the LAZY dog and runs far away!"))[0])
    assert overlap.window_keys(words("a", 13), 1) != overlap.window_keys(words("a", 13), 2)


def test_a_shared_span_is_found_in_its_namespace_only():
    with overlap.OverlapIndex() as index:
        index.add(1, words("x", 5) + words("s", 13) + words("y", 5))
        assert index.shares(1, words("z", 3) + words("s", 13))
        assert not index.shares(1, words("z", 3) + words("s", 12) + ["other"])
        assert not index.shares(2, words("s", 13))
        assert not index.shares(1, words("s", 12))  # too short to have a window


def test_keys_spilled_to_disk_are_still_found(monkeypatch):
    monkeypatch.setattr(overlap, "_PENDING_KEYS", 50)
    with overlap.OverlapIndex() as index:
        for text in range(20):
            index.add(0, words(f"t{text}w", 30))  # 18 windows each: flushed every third text
        assert len(index._pending) < 50
        assert index._db.execute("SELECT COUNT(*) FROM gram").fetchone()[0] >= 300
        assert all(index.shares(0, words(f"t{text}w", 30)[5:20]) for text in range(20))
        assert not index.shares(0, words("t3w", 30)[:12] + words("t4w", 30)[:12])
