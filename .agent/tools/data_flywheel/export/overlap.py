"""Long n-gram overlap between texts, standard library only, in bounded memory.

Decontamination by similarity (``dedup.py``) compares whole texts, so an eval
input that shares its first 200 characters with a training input but goes on
differently (two overlapping windows of one file) passes it. Training-data
practice also drops any overlap of a long enough span: the GPT-3 report
(Brown et al. 2020, appendix C) uses 13-grams of words, BigCode 50 tokens. We
take **13 consecutive words**, on the same normalised words as ``dedup``
(Unicode NFKC, case-folded, punctuation dropped, a CJK character one word),
since the tool has no model tokenizer: a span that long is almost never
shared by chance. A text shorter than 13 words has no 13-gram; the exact and
near-duplicate rule covers it.

Each 13-word window is hashed to a 63-bit key with a rolling polynomial hash
over the words' CRC-32s (plain arithmetic, never Python's salted ``hash()``),
so a text of n words costs n steps. Keys live in a namespace (the held-out
eval inputs, the training inputs) in an SQLite table in a private temporary
folder; a fixed 8 MB bit filter in memory answers most "was this key ever
stored?" questions without a disk read, and new keys go to disk in sorted
batches. Memory stays flat however many texts are indexed; only hashes are
stored, never text.
"""
from __future__ import annotations

import shutil
import zlib
from typing import List, Sequence, Set

from ..seen import scratch_sqlite

NGRAM = 13  # words in a shared span that counts as overlap (GPT-3's decontamination rule)

_MASK = (1 << 64) - 1
_BASE = 0x100000001B3  # the 64-bit FNV prime: odd, so the rolling hash loses no bits
_TOP = pow(_BASE, NGRAM - 1, 1 << 64)  # the weight of the word leaving the window
_MIX = 0x9E3779B97F4A7C15
_NAMESPACE_SALT = 0x2545F4914F6CDD1D
_KEY_MASK = (1 << 63) - 1  # SQLite's integers are signed 64-bit
_FILTER_BITS = 1 << 26  # 8 MB, two bits per key: at 3 million keys one absent key in ~100 passes by chance
_FILTER_MASK = _FILTER_BITS - 1
_PENDING_KEYS = 1 << 16  # keys waiting in memory before one sorted batch goes to disk
_QUERY_CHUNK = 500  # bound parameters per query, under every SQLite's limit


def _word_code(word: str) -> int:
    return zlib.crc32(word.encode("utf-8", "surrogatepass")) + 1  # never 0, so a word always counts


def window_keys(words: Sequence[str], namespace: int = 0) -> List[int]:
    """One 63-bit key per window of ``NGRAM`` consecutive words (none for a shorter text), in order."""
    if len(words) < NGRAM:
        return []
    codes = [_word_code(word) for word in words]
    salt = namespace * _NAMESPACE_SALT & _MASK
    value = 0
    for code in codes[:NGRAM]:
        value = (value * _BASE + code) & _MASK
    keys = []
    for index in range(NGRAM, len(codes) + 1):
        mixed = ((value ^ salt) * _MIX) & _MASK
        keys.append((mixed ^ (mixed >> 29)) & _KEY_MASK)
        if index < len(codes):
            value = ((value - codes[index - NGRAM] * _TOP) * _BASE + codes[index]) & _MASK
    return keys


class OverlapIndex:
    """The 13-word windows of indexed texts, per namespace, on disk."""

    def __init__(self) -> None:
        self._folder, self._db = scratch_sqlite("data-flywheel-overlap-")
        self._db.execute("CREATE TABLE gram (key INTEGER PRIMARY KEY)")
        self._db.execute("BEGIN")  # one transaction: nothing here outlives the export
        self._filter = bytearray(_FILTER_BITS // 8)
        self._pending: Set[int] = set()

    def _maybe(self, key: int) -> bool:
        bits = self._filter
        low, high = key & _FILTER_MASK, key >> 30 & _FILTER_MASK
        return bool(bits[low >> 3] >> (low & 7) & 1 and bits[high >> 3] >> (high & 7) & 1)

    def shares(self, namespace: int, words: Sequence[str]) -> bool:
        """Whether the text has a window of ``NGRAM`` words that an indexed text of ``namespace`` has."""
        keys = [key for key in window_keys(words, namespace) if self._maybe(key)]
        if not keys:
            return False
        pending = self._pending
        if any(key in pending for key in keys):
            return True
        unique = sorted(set(keys))
        for start in range(0, len(unique), _QUERY_CHUNK):
            chunk = unique[start:start + _QUERY_CHUNK]
            marks = ",".join("?" * len(chunk))
            if self._db.execute(f"SELECT 1 FROM gram WHERE key IN ({marks}) LIMIT 1", chunk).fetchone():
                return True
        return False

    def add(self, namespace: int, words: Sequence[str]) -> None:
        bits = self._filter
        pending = self._pending
        for key in window_keys(words, namespace):
            low, high = key & _FILTER_MASK, key >> 30 & _FILTER_MASK
            bits[low >> 3] |= 1 << (low & 7)
            bits[high >> 3] |= 1 << (high & 7)
            pending.add(key)
        if len(pending) >= _PENDING_KEYS:
            self._flush()

    def _flush(self) -> None:
        # Sorted: a B-tree takes ordered keys a page at a time.
        self._db.executemany("INSERT OR IGNORE INTO gram (key) VALUES (?)", ((key,) for key in sorted(self._pending)))
        self._pending = set()

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
        shutil.rmtree(self._folder, ignore_errors=True)

    def __enter__(self) -> "OverlapIndex":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
