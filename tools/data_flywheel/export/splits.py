"""Train / validation / test splits that never leak and never move.

A run's split is decided by its *group*, never by the run alone: every run
from one harvested session shares the group ``session:<session_hash>``, so a
session cannot be half in train and half in test. A run with no session is
its own group (``run:<trace id>``). The group key is hashed to a number in
[0, 1) and placed against the cumulative ratios, so:

- the same corpus always gives the same splits (no randomness, no clock);
- adding runs never moves an existing row: a group's key, and so its split,
  depends on nothing else in the corpus. Only changing the ratios moves rows.

A ``split`` field written in an input run is not honoured: one pinned run
could put its session in two splits.

Near-duplicate clusters are kept in one split by the curator
(``export/curate.py``), which collapses each cluster to its first row.
"""
from __future__ import annotations

import hashlib
from typing import Any, Dict, Mapping, Optional

from ..errors import ConfigError

SPLITS = ("train", "validation", "test")
DEFAULT_RATIOS: Dict[str, float] = {"train": 0.8, "validation": 0.1, "test": 0.1}
HELD_OUT = ("validation", "test")

_SALT = b"data-flywheel split v1\0"


def group_key(record: Mapping[str, Any], trace_id: str) -> str:
    """The key every run of one session shares; a run without a session is alone.

    A subagent's runs go with the session that launched it (``parent_session_hash``):
    its answer is in the parent's trajectory, so the two must never straddle the
    train / held-out line.
    """
    source = record.get("source")
    if isinstance(source, dict):
        session = source.get("parent_session_hash") or source.get("session_hash") or source.get("session_id")
        if isinstance(session, str) and session:
            return "session:" + session
    session = record.get("session_id")
    if isinstance(session, str) and session:
        return "session:" + session
    return "run:" + trace_id


def position(key: str) -> float:
    """Where a group falls in [0, 1): the first 8 bytes of a salted SHA-256."""
    digest = hashlib.sha256(_SALT + key.encode("utf-8", "surrogatepass")).digest()
    return int.from_bytes(digest[:8], "big") / 2.0**64


def assign(key: str, ratios: Mapping[str, float]) -> str:
    point = position(key)
    upper = 0.0
    for name in SPLITS:
        upper += ratios[name]
        if point < upper:
            return name
    return SPLITS[-1]  # rounding in the sum can leave a sliver at the top


def parse_ratios(value: Any, *, source: str, line: Optional[int] = None) -> Dict[str, float]:
    """Ratios from ``--split-ratios 80,10,10`` (a string) or config.json (an object).

    Any positive scale works (80,10,10 or 0.8,0.1,0.1); they are normalised to sum to 1.
    A zero is allowed (no test split); all zero, a negative or a missing name is refused.
    """
    remedy = 'give three non-negative numbers for train, validation and test, e.g. "80,10,10"'
    if isinstance(value, str):
        parts = [part.strip() for part in value.split(",")]
        if len(parts) != 3:
            raise ConfigError(f"split ratios need three numbers, got {len(parts)}", source=source, line=line, remedy=remedy)
        try:
            numbers = [float(part) for part in parts]
        except ValueError:
            raise ConfigError(f"split ratios must be numbers: {value!r}", source=source, line=line, remedy=remedy) from None
        raw = dict(zip(SPLITS, numbers))
    elif isinstance(value, dict):
        unknown = sorted(set(value) - set(SPLITS))
        if unknown:
            raise ConfigError(f"unknown split {unknown[0]!r}", source=source, line=line, remedy=remedy)
        raw = {}
        for name in SPLITS:
            number = value.get(name, 0)
            if isinstance(number, bool) or not isinstance(number, (int, float)):
                raise ConfigError(f"the {name} ratio must be a number", source=source, line=line, remedy=remedy)
            raw[name] = float(number)
    else:
        raise ConfigError("split ratios must be an object or a string", source=source, line=line, remedy=remedy)
    if any(number < 0 or number != number or number == float("inf") for number in raw.values()):
        raise ConfigError("split ratios cannot be negative or infinite", source=source, line=line, remedy=remedy)
    total = sum(raw.values())
    if total <= 0:
        raise ConfigError("at least one split ratio must be above zero", source=source, line=line, remedy=remedy)
    return {name: raw[name] / total for name in SPLITS}
