"""Exact and near-duplicate detection, standard library only, in bounded memory.

Texts are compared on a normalised form: Unicode NFKC, case-folded, reduced
to word tokens (CJK characters are one token each, since CJK text has no
spaces), so whitespace, punctuation and case never make two texts differ.

- **Exact duplicates** share the SHA-256 of the normalised token sequence.
- **Near-duplicates** have an estimated Jaccard similarity of their word
  3-gram sets of at least ``NEAR_DUPLICATE_THRESHOLD``. The estimate is a
  MinHash signature made with one-permutation hashing (each 3-gram is hashed
  once into one of ``BINS`` bins; empty bins are filled from their neighbour,
  "densification"), which costs one hash per 3-gram instead of one per
  3-gram and permutation. Candidates are found by locality-sensitive hashing
  (``BANDS`` bands of ``ROWS`` bins) and confirmed on the whole signature.
  With 16 bands of 4 a pair at similarity 0.7 is found 99% of the time, one
  at 0.3 almost never.

Every hash here is plain arithmetic or SHA-256, never Python's ``hash()``
(salted per process), so the same corpus gives the same decisions on every
run and every Python. Signatures and band keys live in an SQLite file in a
private temporary folder with a capped page cache, and a fixed 8 MB bit
filter in memory answers most "was this band key ever stored?" questions
without a disk read, so memory stays flat however many texts are indexed;
only digests and hashes are stored, never text.

Texts live in *namespaces* (the training rows, the training inputs, the
eval inputs), so one index answers "is this row a duplicate of an earlier
row?" and "is this eval input already in the training split?".
"""
from __future__ import annotations

import hashlib
import operator
import re
import shutil
import struct
import unicodedata
import zlib
from typing import Dict, List, NamedTuple, Optional, Sequence, Tuple

from ..seen import scratch_sqlite

NEAR_DUPLICATE_THRESHOLD = 0.7
SHINGLE = 3
BINS = 64
BANDS = 16
ROWS = BINS // BANDS

_MASK = (1 << 64) - 1
_MIX = 0x9E3779B97F4A7C15  # an odd 64-bit constant (the golden ratio), the usual multiplicative mixer
_P1 = 0xFF51AFD7ED558CCD
_P2 = 0xC4CEB9FE1A85EC53
# A 3-gram's hash keeps the top 30 bits of a 64-bit multiplicative hash (the well-mixed
# ones): 6 pick one of 64 bins, 24 are the value. 30 bits make a one-digit Python int, which
# CPython sorts and shifts several times faster than the multi-digit ints of a 64-bit value;
# two different 3-grams tie within a bin once in 16.7 million, which moves no estimate.
_HASH_SHIFT = 64 - 30
_VALUE_BITS = 24
_VALUE_MASK = (1 << _VALUE_BITS) - 1
_MIN_VALUES = 2 * BINS
# ((a * P1 + b) * P2 + c) * MIX mod 2**64, with the products of the constants taken once.
_KA = _P1 * _P2 * _MIX & _MASK
_KB = _P2 * _MIX & _MASK
_COPY_SALTS = [(copy * _P1) & _MASK for copy in range(_MIN_VALUES + 1)]

# CJK ideographs, kana and hangul one character at a time; other letters and digits in runs.
_TOKEN = re.compile(
    r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]|[^\W_]+"
)


def tokens(text: str) -> List[str]:
    return _TOKEN.findall(unicodedata.normalize("NFKC", text).casefold())


def exact_digest(token_list: Sequence[str]) -> bytes:
    return hashlib.sha256("\x1f".join(token_list).encode("utf-8", "surrogatepass")).digest()[:16]


# Each token's three terms (as the first, second and third word of a 3-gram), remembered for
# the commonest tokens: code and prose repeat a small vocabulary, so most tokens of a text
# are found here and cost one dictionary lookup. A memo of a pure function, bounded, so it
# changes no result and no memory bound.
_TERMS: Dict[str, Tuple[int, int, int]] = {}
_TERMS_KEPT = 1 << 16


def _terms(token: str) -> Tuple[int, int, int]:
    crc = zlib.crc32(token.encode("utf-8", "surrogatepass"))
    terms = (crc * _KA, crc * _KB, crc * _MIX)
    if len(_TERMS) < _TERMS_KEPT:
        _TERMS[token] = terms
    return terms


def _mix(value: int) -> int:
    value = (value * _MIX) & _MASK
    return value ^ (value >> 31)


def signature(token_list: Sequence[str]) -> Optional[Tuple[int, ...]]:
    """A ``BINS``-value MinHash signature of the 3-gram set, or None for a text with no words."""
    if not token_list:
        return None
    known = _TERMS.get
    terms = [known(token) or _terms(token) for token in token_list]
    terms += [(0, 0, 0)] * (SHINGLE - len(terms))
    firsts, seconds, thirds = zip(*terms)
    # One 64-bit multiplicative hash per 3-gram, ((a * P1 + b) * P2 + c) * MIX, as the sum of
    # each token's term for its place: its top bits pick the bin (they are the well-mixed
    # ones), the next the value. Sorting high to low and keeping the last value written per
    # bin leaves each bin's minimum, at C speed.
    values = [(a + b + c & _MASK) >> _HASH_SHIFT for a, b, c in zip(firsts, seconds[1:], thirds[2:])]
    if len(values) < _MIN_VALUES:
        # A short text has too few 3-grams to fill 64 bins. Each 3-gram stands in for
        # ``copies`` distinct derived values, which leaves the Jaccard similarity of two
        # texts unchanged while filling the bins, so short texts are estimated as well as long.
        copies = -(-_MIN_VALUES // len(values))
        values += [((value ^ salt) * _MIX & _MASK) >> _HASH_SHIFT for salt in _COPY_SALTS[1:copies] for value in values]
    values.sort(reverse=True)
    bins = {value >> _VALUE_BITS: value & _VALUE_MASK for value in values}
    if len(bins) == BINS:
        return tuple(bins[slot] for slot in range(BINS))
    # Densification: an empty bin borrows the next filled bin's value, moved by the
    # distance, so two similar short texts fill their empty bins alike.
    out = []
    for slot in range(BINS):
        if slot in bins:
            out.append(bins[slot])
            continue
        distance = next(d for d in range(1, BINS) if (slot + d) % BINS in bins)
        out.append(_mix(bins[(slot + distance) % BINS] + distance) & _VALUE_MASK)
    return tuple(out)


def similarity(left: Sequence[int], right: Sequence[int]) -> float:
    return sum(map(operator.eq, left, right)) / BINS


class Fingerprint(NamedTuple):
    """What the index needs of one text, computed once from its tokens (a pure function of the text).

    ``digest`` decides exact duplicates; ``bins`` are the signature's bins cut
    to their low 16 bits (two different 24-bit bin values agree there by chance
    once in 65,536, which moves a similarity estimate by about 0.00002); ``bands``
    are one 63-bit key per LSH band before the namespace is mixed in.
    """

    digest: bytes
    bins: Tuple[int, ...]
    bands: Tuple[int, ...]


def fingerprint(token_list: Sequence[str]) -> Fingerprint:
    sig = signature(token_list) or _NO_WORDS
    bands = []
    for band in range(BANDS):
        key = (band + 1) * _P2 & _MASK
        for value in sig[band * ROWS : (band + 1) * ROWS]:
            key = ((key ^ value) * _MIX) & _MASK
            key ^= key >> 29
        bands.append(key >> 1)
    return Fingerprint(exact_digest(token_list), tuple(value & 0xFFFF for value in sig), tuple(bands))


_PACK = struct.Struct(f"<{BINS}H")
# The in-memory filter of band keys on disk: 2**26 bits (8 MB, whatever the corpus), two
# bits per key. At 3 million keys (100k runs) one key in 140 passes by chance; at 30 million
# one in 3, so lookups slow down gracefully and memory never grows.
_FILTER_BITS = 1 << 26
# New band keys wait in memory and go to disk in key order, this many at a time: a B-tree
# takes sorted keys a page at a time, where one key at a time reads and writes a random page
# for each (the cost that grew with the corpus). About 8 MB at most, sorting included.
_PENDING_KEYS = 1 << 16
_FILTER_MASK = _FILTER_BITS - 1
_KEY_MASK = (1 << 63) - 1
_NAMESPACE_SALT = 0x2545F4914F6CDD1D  # another odd 64-bit mixer, so namespaces never share a band key


def _marks(count: int) -> str:
    return ",".join("?" * count)


# Texts without words share one signature, so they meet each other (and only each other) in the bands.
_NO_WORDS = (0,) * BINS


class DuplicateIndex:
    """Exact digests and MinHash signatures of indexed texts, per namespace, on disk.

    Each band key remembers only the *first* entry that had it. A lookup is
    therefore at most ``BANDS`` point reads returning at most ``2 * BANDS``
    candidates (see ``candidates``), however large the corpus and however much boilerplate its texts
    share: a key shared by thousands of texts is evidence of boilerplate, not of
    a duplicate, and a later text that is truly near another one shares several
    bands with it (a pair at similarity 0.7 shares four on average), so it is
    still found through a band nobody else holds. ``bench/dedup_quality.py``
    measures what this keeps. An exact duplicate has the same signature, so one
    query finds both kinds.
    """

    def __init__(self) -> None:
        self._folder, self._db = scratch_sqlite("data-flywheel-dedup-")
        # INTEGER PRIMARY KEY is the table's own B-tree key: one seek per band, no second index.
        self._db.executescript(
            """
            CREATE TABLE entry (id INTEGER PRIMARY KEY, namespace INTEGER, digest BLOB, sig BLOB, members INTEGER);
            CREATE TABLE band (key INTEGER PRIMARY KEY, entry INTEGER);
            """
        )
        self._db.execute("BEGIN")  # one transaction: nothing here outlives the export
        self._next = 1
        self._filter = bytearray(_FILTER_BITS // 8)  # two bits per key: bits 0-25 and 27-52 of it
        self._pending: Dict[int, int] = {}  # band key -> first entry, not yet on disk

    @staticmethod
    def _keys(namespace: int, text: Fingerprint) -> List[int]:
        salt = namespace * _NAMESPACE_SALT & _KEY_MASK
        return [key ^ salt for key in text.bands]

    def candidates(self, namespace: int, text: Fingerprint) -> List[Tuple[int, bytes, bytes]]:
        """``(entry, digest, packed bins)`` of the entries holding one of the text's band keys, oldest first.

        Only the keys the filter has seen go to disk: most keys of a new text are new,
        and a lookup with none costs no disk read at all.
        """
        bits = self._filter
        keys = [
            key for key in self._keys(namespace, text)
            if bits[(key & _FILTER_MASK) >> 3] >> (key & 7) & 1 and bits[(key >> 27 & _FILTER_MASK) >> 3] >> (key >> 27 & 7) & 1
        ]
        if not keys:
            return []
        pending = self._pending
        # A key both on disk and pending offers both entries (a key's first entry on disk can
        # be joined by a newer one while waiting): at most two per band.
        found = {pending[key] for key in keys if key in pending}
        found.update(row[0] for row in self._db.execute(f"SELECT entry FROM band WHERE key IN ({_marks(len(keys))})", keys))
        if not found:
            return []
        return self._db.execute(
            f"SELECT id, digest, sig FROM entry WHERE id IN ({_marks(len(found))}) ORDER BY id", sorted(found)
        ).fetchall()

    def find(self, namespace: int, text: Fingerprint) -> Optional[Tuple[str, int]]:
        """``("exact", entry)`` or else ``("near", entry)`` for the earliest match in ``namespace``, else None."""
        near = None
        for entry_id, entry_digest, packed in self.candidates(namespace, text):
            if entry_digest == text.digest:
                return "exact", entry_id
            if near is None and similarity(text.bins, _PACK.unpack(packed)) >= NEAR_DUPLICATE_THRESHOLD:
                near = entry_id
        return None if near is None else ("near", near)

    def add(self, namespace: int, text: Fingerprint) -> int:
        entry_id = self._next
        self._next += 1
        self._db.execute(
            "INSERT INTO entry (id, namespace, digest, sig, members) VALUES (?, ?, ?, ?, 1)",
            (entry_id, namespace, text.digest, _PACK.pack(*text.bins)),
        )
        bits = self._filter
        pending = self._pending
        for key in self._keys(namespace, text):
            pending.setdefault(key, entry_id)
            bits[(key & _FILTER_MASK) >> 3] |= 1 << (key & 7)
            bits[(key >> 27 & _FILTER_MASK) >> 3] |= 1 << (key >> 27 & 7)
        if len(pending) >= _PENDING_KEYS:
            self._flush()
        return entry_id

    def _flush(self) -> None:
        # OR IGNORE: a key already on disk keeps its older entry.
        self._db.executemany("INSERT OR IGNORE INTO band (key, entry) VALUES (?, ?)", sorted(self._pending.items()))
        self._pending = {}

    def join(self, entry_id: int) -> None:
        """Count one more member collapsed into ``entry_id``'s cluster."""
        self._db.execute("UPDATE entry SET members = members + 1 WHERE id = ?", (entry_id,))

    def cluster_sizes(self, namespace: int) -> List[Tuple[int, int]]:
        """``(size, clusters of that size)`` for every cluster with more than one member."""
        return self._db.execute(
            "SELECT members, COUNT(*) FROM entry WHERE namespace = ? AND members > 1 GROUP BY members ORDER BY members",
            (namespace,),
        ).fetchall()

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
        shutil.rmtree(self._folder, ignore_errors=True)

    def __enter__(self) -> "DuplicateIndex":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
