"""An exact "seen before?" set whose memory stays small however many keys it holds.

Export must notice a run id it has already exported without keeping every id
in memory (the benchmark's bar: peak RSS flat from 10k to 1M runs). Keys are
reduced to 16-byte BLAKE2b digests (a collision needs ~2^64 keys) and kept in
a dict until there are ``spill_after`` of them; past that they move to an
SQLite table in a private temporary folder, whose page cache is capped, so
the process holds a few MB whatever the input size. Only digests of ids are
stored, never the ids.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from typing import Dict, Optional

try:  # a Python built without SQLite still works, keeping every digest in memory
    import sqlite3
except ImportError:  # pragma: no cover - every CPython this project tests has it
    sqlite3 = None  # type: ignore[assignment]


def _digest(key: str) -> bytes:
    return hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def scratch_sqlite(prefix: str):
    """``(folder, connection)``: a throwaway SQLite database in a private temporary folder.

    Tuned for scratch state that never outlives the process: no journal, no
    fsync, a 4 MB page cache (so memory stays flat), one open transaction.
    The caller removes the folder when done.
    """
    folder = tempfile.mkdtemp(prefix=prefix)
    db = sqlite3.connect(os.path.join(folder, "scratch.sqlite3"), isolation_level=None)
    for pragma in ("journal_mode=OFF", "synchronous=OFF", "cache_size=-4096", "temp_store=FILE"):
        db.execute(f"PRAGMA {pragma}")
    return folder, db


class SeenSet:
    def __init__(self, spill_after: int = 20_000) -> None:
        self._memory: Dict[bytes, int] = {}
        self._spill_after = spill_after
        self._folder: Optional[str] = None
        self._db = None

    def first_seen(self, key: str, line: int) -> Optional[int]:
        """Record ``key`` at ``line``; return the line it was first seen on, or None if it is new."""
        digest = _digest(key)
        if self._db is None:
            earlier = self._memory.get(digest)
            if earlier is not None:
                return earlier
            self._memory[digest] = line
            if len(self._memory) >= self._spill_after and sqlite3 is not None:
                self._spill()
            return None
        cursor = self._db.execute("INSERT OR IGNORE INTO seen (digest, line) VALUES (?, ?)", (digest, line))
        if cursor.rowcount == 1:
            return None
        row = self._db.execute("SELECT line FROM seen WHERE digest = ?", (digest,)).fetchone()
        return int(row[0])

    def _spill(self) -> None:
        self._folder, self._db = scratch_sqlite("data-flywheel-seen-")
        self._db.execute("CREATE TABLE seen (digest BLOB PRIMARY KEY, line INTEGER NOT NULL) WITHOUT ROWID")
        self._db.execute("BEGIN")  # one transaction: no per-insert commit cost, nothing to keep on a crash
        self._db.executemany("INSERT INTO seen (digest, line) VALUES (?, ?)", self._memory.items())
        self._memory = {}

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None

    def __enter__(self) -> "SeenSet":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
