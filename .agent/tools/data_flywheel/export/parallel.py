"""Each run's pure work, on both cores and from the run cache, handed back in file order.

``prepare`` is everything about one run that depends on nothing but its line
(and the rules, configuration and tool, which the cache's context covers):
the redaction gate and normalisation (``Aggregator.make_run``) and the
curator's keys (``curate.run_keys``: tokens, MinHash, the pair key). Its
result is one JSON text, deflated (a third of its size on code-heavy runs,
which keeps the cache near the size of the input; the worker pays for it),
which is at once what a worker sends back, what the cache stores and what the
main process decodes, so a run decoded from the cache is the run a fresh pass makes.

``prepared_runs`` yields ``(Run, RunKeys)`` in input order. Lines are taken
in chunks of ``CHUNK`` runs; the cache answers a chunk at once; the misses go
to a pool of worker processes, at most ``IN_FLIGHT`` chunks per worker ahead
of the main process, so memory stays bounded whatever the input. Workers
only compute: every file, index and cache write stays in the main process
(one writer). The pool starts only once a pass has more than
``PARALLEL_AFTER`` runs to compute (2,000 runs take about 1.5 s in one process;
starting workers and shipping records to them does not pay below that), and never
where ``fork`` is unavailable or there is one core: then the same work runs in
this process, with the same result.
"""
from __future__ import annotations

import collections
import dataclasses
import json
import multiprocessing
import os
import signal
import sys
import zlib
from typing import Any, Dict, Iterable, Iterator, List, Optional, Tuple

from ..records.run import Run
from .curate import RunKeys, run_keys
from .dedup import Fingerprint

CHUNK = 256
IN_FLIGHT = 2
PARALLEL_AFTER = 2000  # runs to compute before a pool is worth starting

# Every field of a Run but its split (the curator sets it): a field added to Run is stored too.
_RUN_FIELDS = tuple(name.name for name in dataclasses.fields(Run) if name.name != "split")


def _fingerprint_json(found: Optional[Fingerprint]) -> Optional[List[Any]]:
    return None if found is None else [found.digest.hex(), list(found.bins), list(found.bands)]


def _fingerprint_of(stored: Optional[List[Any]]) -> Optional[Fingerprint]:
    if stored is None:
        return None
    digest, bins, bands = stored
    return Fingerprint(bytes.fromhex(digest), tuple(bins), tuple(bands))


def encode(run: Run, keys: RunKeys) -> bytes:
    """One run's prepared work as deflated JSON (ASCII JSON, so lone surrogates survive)."""
    value = {name: getattr(run, name) for name in _RUN_FIELDS}
    value["keys"] = [_fingerprint_json(keys.input), _fingerprint_json(keys.row), keys.judgement, keys.draft_differs]
    return zlib.compress(json.dumps(value, separators=(",", ":")).encode("ascii"), 1)


def decode(data: bytes) -> Tuple[Run, RunKeys]:
    value = json.loads(zlib.decompress(data))
    stored_input, stored_row, judgement, differs = value.pop("keys")
    keys = RunKeys(_fingerprint_of(stored_input), _fingerprint_of(stored_row), judgement, differs)
    return Run(**value), keys


def prepare(aggregator, record: Dict[str, Any]) -> bytes:
    run = aggregator.make_run(record)
    return encode(run, run_keys(run))


_WORKER_AGGREGATOR = None  # each worker's own, set once by ``_start_worker``


def _start_worker(aggregator) -> None:
    global _WORKER_AGGREGATOR
    _WORKER_AGGREGATOR = aggregator
    # Ctrl-C reaches the whole process group: the main process handles it (and ends the
    # pool); a worker printing its own traceback would only bury "interrupted".
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _prepare_chunk(records: List[Dict[str, Any]]) -> List[bytes]:
    return [prepare(_WORKER_AGGREGATOR, record) for record in records]


def default_processes() -> int:
    return os.cpu_count() or 1


def _fork_context():
    """``fork`` on Linux only: a worker then starts with the gate already built and needs no
    importable ``__main__`` (``spawn`` would re-import the entry script); macOS offers
    ``fork`` but its system libraries are not fork-safe, so it gets one process."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return multiprocessing.get_context("fork")
    except (AttributeError, ValueError):  # a Python built without it
        return None


def _chunks(runs: Iterable[Tuple[int, Dict[str, Any]]]) -> Iterator[List[Dict[str, Any]]]:
    chunk: List[Dict[str, Any]] = []
    for _line, record in runs:
        chunk.append(record)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class _Chunk:
    """One chunk on its way: the runs the cache had (None where it had none) and the misses' work."""

    def __init__(self, done: List[Optional[Tuple[Run, RunKeys]]], misses: List[Dict[str, Any]],
                 miss_keys: List[Optional[bytes]]) -> None:
        self.done = done
        self.misses = misses
        self.miss_keys = miss_keys
        self.pending = None  # an AsyncResult, when a worker computes the misses


def _cached(data: Optional[bytes]) -> Optional[Tuple[Run, RunKeys]]:
    if data is None:
        return None
    try:
        return decode(data)
    except (ValueError, TypeError, KeyError, zlib.error):
        return None  # a damaged entry is a miss: computed again and stored over


def prepared_runs(runs: Iterable[Tuple[int, Dict[str, Any]]], aggregator, cache=None,
                  processes: Optional[int] = None) -> Iterator[Tuple[Run, RunKeys]]:
    """``(Run, RunKeys)`` for each ``(line, record)`` of ``runs``, in order, from the cache or computed."""
    from .cache import line_key

    processes = default_processes() if processes is None else processes
    context = _fork_context() if processes > 1 else None
    pool = None
    computed = 0
    waiting: "collections.deque[_Chunk]" = collections.deque()
    try:
        for records in _chunks(runs):
            if cache is not None:
                keys: List[Optional[bytes]] = [line_key(record) for record in records]
                found = cache.get_many(keys)
                done = [_cached(found.get(key)) for key in keys]
            else:
                keys, done = [None] * len(records), [None] * len(records)
            missing = [index for index, item in enumerate(done) if item is None]
            chunk = _Chunk(done, [records[index] for index in missing], [keys[index] for index in missing])
            computed += len(missing)
            if pool is None and context is not None and computed > PARALLEL_AFTER:
                pool = context.Pool(processes, initializer=_start_worker, initargs=(aggregator,))
            if pool is not None and chunk.misses:
                chunk.pending = pool.apply_async(_prepare_chunk, (chunk.misses,))
            waiting.append(chunk)
            while len(waiting) > (IN_FLIGHT * processes if pool is not None else 0):
                yield from _finish(waiting.popleft(), aggregator, cache)
        while waiting:
            yield from _finish(waiting.popleft(), aggregator, cache)
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()


def _finish(chunk: _Chunk, aggregator, cache) -> Iterator[Tuple[Run, RunKeys]]:
    if chunk.pending is not None:
        fresh = chunk.pending.get()
    else:
        fresh = [prepare(aggregator, record) for record in chunk.misses]
    made = zip(chunk.miss_keys, fresh)
    for item in chunk.done:
        if item is None:
            key, text = next(made)
            if cache is not None and key is not None:
                cache.put(key, text)
            item = decode(text)
        yield item
