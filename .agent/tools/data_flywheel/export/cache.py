"""The run cache: each approved-runs line's expensive, pure work, kept between exports.

A run's redaction, normalisation and curation keys (``parallel.prepare``)
depend only on its line, the redaction rules, the configuration and the
tool's code. So they are stored under ``.agent/flywheel/cache/runs.sqlite3``
keyed by the SHA-256 of the line, and the next ``export`` or ``status`` after
appending runs does that work for the new lines only. The output is the same
bytes as a pass without the cache (``--no-cache``), because what is stored is
exactly what the pass would have computed.

What is *not* cached, and why (measured on 3,000 generated runs, 2.6 s): the
curator's decisions (1.2 s, of which computing the keys is 1.0 s and is
cached, the index lookups 0.2 s) depend on every earlier run, so they are
replayed in file order; writing rows (0.6 s: rendering, schema checks,
``json.dumps``) depends on those decisions; folding into cards and metrics
(0.2 s) is cheap. The cached part is the part that is both costly and pure.

Safety:

- Only post-redaction values are stored (the redacted record, counts of
  findings, digests and hashes), and the key is a hash of the line: never a
  value the scanner would have redacted. The run's raw id is kept, as the
  gate keeps it: an identifier, hashed in every output, never scanned text.
- **Invalidation.** Every entry belongs to a *context*: the tool version, a
  hash of the tool's own source files, the rule-set version, the redaction
  configuration, ``config.json`` and the default project name (the split
  ratios and ``--max-tokens`` change only decisions, which are never cached).
  A different context empties the cache.
- **Crashes.** SQLite in WAL mode: an entry is committed whole or not at all,
  and a value that does not parse is treated as missing.
- **Bounded.** Entries not used by the last ``KEEP_PASSES`` passes are
  deleted at the end of a pass, so the cache holds about the runs of the
  input, however often it is exported (values are deflated: 10,000 generated
  runs of 25 MB make a cache of about the same size); a file over ``MAX_BYTES`` is emptied.
- **Not yet:** replaying the decisions still costs about half a full pass
  (``bench/export_bench.py``). Reaching a few times the floor needs a
  checkpoint of the whole pass state (curator indexes, pair store, card
  counters, the reader's seen ids) resumed when the input only grew.
- **Safe to delete.** ``rm -r .agent/flywheel/cache`` costs one full pass.
  Any SQLite error turns the cache off for the pass (it is never needed).
"""
from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from .. import __version__

CACHE_FILE = "runs.sqlite3"
FORMAT = 2  # of the stored values (``parallel.encode``); part of the context
KEEP_PASSES = 3
MAX_BYTES = 2 << 30  # 2 GB: far above the runs of any real project (about 3 KB per run)
_BATCH = 512  # keys looked up per query, entries written per transaction


def source_digest() -> str:
    """SHA-256 of the tool's own ``.py`` files, so a changed tool never reuses an entry."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    digest = hashlib.sha256()
    for folder, dirs, names in os.walk(package):
        dirs[:] = sorted(name for name in dirs if name != "__pycache__")
        for name in sorted(names):
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                digest.update(os.path.relpath(path, package).encode("utf-8", "surrogateescape") + b"\0")
                with open(path, "rb") as fp:
                    digest.update(fp.read())
    return digest.hexdigest()


def context_key(*parts: object) -> str:
    """One hash of everything a cached value depends on besides its line."""
    text = json.dumps([FORMAT, __version__, source_digest(), *parts], sort_keys=True, default=repr)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def line_key(record: Dict) -> bytes:
    """The key of one input record: its JSON in its own key order (which the output keeps)."""
    text = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()


class RunCache:
    """Lookups and stores of one pass; ``close`` commits and prunes. Never raises ``sqlite3`` errors."""

    def __init__(self, folder: str, context: str) -> None:
        self.folder = folder
        self.context = context
        self.hits = 0
        self.stored = 0
        self._pending: List[Tuple[bytes, bytes]] = []
        self._touched: List[bytes] = []
        self._db: Optional[sqlite3.Connection] = None
        try:
            self._db = self._open()
        except (OSError, sqlite3.Error):
            self._give_up(reset=True)

    def _open(self) -> sqlite3.Connection:
        os.makedirs(self.folder, mode=0o700, exist_ok=True)
        path = os.path.join(self.folder, CACHE_FILE)
        if os.path.exists(path) and os.path.getsize(path) > MAX_BYTES:
            _remove(path)
        db = sqlite3.connect(path, timeout=10, isolation_level=None)
        # 64 KB pages (for a new file only, so before WAL): values of about 2 KB waste little of them.
        db.execute("PRAGMA page_size=65536")
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("PRAGMA cache_size=-4096")  # 4 MB, so memory stays flat
        db.executescript(
            """
            CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT);
            DROP TABLE IF EXISTS run;  -- the first format's table
            -- A rowid table: a 2 KB value per row fills WITHOUT ROWID pages half empty (47 MB for 20 MB).
            CREATE TABLE IF NOT EXISTS entry (key BLOB PRIMARY KEY, value BLOB, pass INTEGER);
            """
        )
        meta = dict(db.execute("SELECT name, value FROM meta"))
        db.execute("BEGIN IMMEDIATE")
        if meta.get("context") != self.context:
            db.execute("DELETE FROM entry")
            db.execute("INSERT OR REPLACE INTO meta VALUES ('context', ?)", (self.context,))
        self.pass_number = int(meta.get("pass") or 0) + 1 if meta.get("context") == self.context else 1
        db.execute("INSERT OR REPLACE INTO meta VALUES ('pass', ?)", (str(self.pass_number),))
        db.execute("COMMIT")
        return db

    def _give_up(self, reset: bool = False) -> None:
        """Turn the cache off for this pass; a database that cannot even be opened is removed."""
        if self._db is not None:
            try:
                self._db.close()
            except sqlite3.Error:
                pass
            self._db = None
        if reset:
            _remove(os.path.join(self.folder, CACHE_FILE))

    def get_many(self, keys: Sequence[bytes]) -> Dict[bytes, bytes]:
        if self._db is None or not keys:
            return {}
        found: Dict[bytes, bytes] = {}
        try:
            for start in range(0, len(keys), _BATCH):
                batch = keys[start:start + _BATCH]
                marks = ",".join("?" * len(batch))
                for key, value, seen in self._db.execute(f"SELECT key, value, pass FROM entry WHERE key IN ({marks})", batch):
                    found[key] = value
                    if seen != self.pass_number:
                        self._touched.append(key)
        except sqlite3.Error:
            self._give_up()
            return {}
        self.hits += len(found)
        if len(self._touched) >= _BATCH:
            self._flush()
        return found

    def put(self, key: bytes, value: bytes) -> None:
        if self._db is None:
            return
        self._pending.append((key, value))
        if len(self._pending) >= _BATCH:
            self._flush()

    def _flush(self) -> None:
        if self._db is None:
            return
        try:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.executemany(
                "INSERT OR REPLACE INTO entry (key, value, pass) VALUES (?, ?, ?)",
                [(key, value, self.pass_number) for key, value in self._pending],
            )
            self._db.executemany("UPDATE entry SET pass = ? WHERE key = ?", [(self.pass_number, key) for key in self._touched])
            self._db.execute("COMMIT")
        except sqlite3.Error:
            self._give_up()
            return
        self.stored += len(self._pending)
        self._pending, self._touched = [], []

    def close(self, complete: bool = True) -> None:
        """Commit what is pending; after a ``complete`` pass, forget entries no recent pass used."""
        self._flush()
        if self._db is None:
            return
        try:
            if complete:
                self._db.execute("DELETE FROM entry WHERE pass <= ?", (self.pass_number - KEEP_PASSES,))
            self._db.close()
        except sqlite3.Error:
            pass
        self._db = None

    def __enter__(self) -> "RunCache":
        return self

    def __exit__(self, exc_type, *_rest) -> None:
        self.close(complete=exc_type is None)


def _remove(path: str) -> None:
    for suffix in ("", "-wal", "-shm"):
        try:
            os.remove(path + suffix)
        except OSError:
            pass


def entries(folder: str) -> Iterable[Tuple[bytes, bytes]]:
    """Every stored ``(key, value)`` (the value deflated JSON, ``parallel.encode``): for tests and for looking inside."""
    db = sqlite3.connect(os.path.join(folder, CACHE_FILE))
    try:
        yield from db.execute("SELECT key, value FROM entry ORDER BY key")
    finally:
        db.close()
