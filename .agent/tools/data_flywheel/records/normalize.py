"""Reading an approved run the way agentic-stack v0.13.0 does, field by field.

The compat facts (shared/compat/agentic-stack-v0.13.0/README.md): domain and
workflow are lowercase slugs, at most 80 characters, default ``general``; the
review status is ``human_review_status`` or ``human_review.status``; a run is
human-approved when that status is ``accepted`` or ``edited``; raw run ids are
hashed with sha256. Where agentic-stack accepted a string or a list, so do we.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from typing import Any, Dict, Iterable, List, Optional

APPROVED_STATUSES = ("accepted", "edited")
REVIEW_STATUSES = ("accepted", "edited", "rejected", "pending")
SLUG_MAX = 80


def sha256_hex(text: str) -> str:
    # surrogatepass: a lone surrogate (from a JSON \\ud800 escape) hashes instead of crashing.
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def hashed_id(raw_id: str) -> str:
    """The ``sha256:<hex>`` form that stands for a raw id in every export."""
    return "sha256:" + sha256_hex(raw_id)


def slug(value: Any, fallback: str = "general") -> str:
    """Lowercase, non-alphanumerics collapsed to one ``_``, trimmed, at most 80 characters.

    The result is also a safe single path component: ``../../etc`` becomes
    ``etc``, ``/abs/path`` becomes ``abs_path``; it can never be empty, ``.``
    or ``..``, nor contain a separator.
    """
    text = str(value or "").strip().lower()
    out: List[str] = []
    last_sep = False
    for char in text:
        if char.isalnum():
            out.append(char)
            last_sep = False
        elif not last_sep:
            out.append("_")
            last_sep = True
    cleaned = "".join(out).strip("_")
    return cleaned[:SLUG_MAX] or fallback


# Characters that make a name look like a path once NFKC has folded fullwidth and
# small forms (U+FF0F, U+FE68) to ASCII: separators, parent references, home,
# and slash look-alikes NFKC leaves alone (division, fraction and big solidus,
# set minus, reverse solidus operators).
_PATH_CHARACTERS = frozenset("/\\~\u2215\u2044\u29f8\u2216\u29f5\u29f9\u2afd\u2cc6")
# Device names Windows refuses as a file name, whatever the extension or case.
WINDOWS_RESERVED = frozenset(
    ["con", "prn", "aux", "nul"]
    + [f"{device}{suffix}" for device in ("com", "lpt") for suffix in "0123456789\u00b9\u00b2\u00b3"]
)
# A card is <domain>/<workflow>.json: the longest component plus ".json" must
# stay under the 255-byte limit of ext4, APFS and NTFS (which counts UTF-16 units; fewer).
NAME_BYTES_MAX = 240
NAME_HASH = 8


def folder_name(value: Any, fallback: str = "general") -> str:
    """The domain or workflow folder for a raw name: ``slug(value)`` unless that would mislead.

    Ordinary names keep agentic-stack's slug (``"Lead  Intake"`` -> ``lead_intake``).
    A name that looks like a path (``../../x``, ``．．／x``, ``..∕x``, ``\\x``, ``~``),
    that slugs to nothing (``.``, ``!!``), that is a Windows device name
    (``CON``, ``com1``) or that is too long in bytes gets the slug plus ``_``
    and 8 hex digits of the raw name's sha256, so two different raw names
    never share a folder (or a card) and none becomes plain ``x`` or ``general``.
    A missing or blank name stays ``general``.
    """
    raw = str(value if value is not None else "").strip()
    base = slug(raw, fallback)
    if not raw:
        return base
    folded = unicodedata.normalize("NFKC", raw)
    odd = (
        ".." in folded
        or not _PATH_CHARACTERS.isdisjoint(folded)
        or not slug(raw, "")
        or base in WINDOWS_RESERVED
        or len(base.encode("utf-8")) > NAME_BYTES_MAX
    )
    if not odd:
        return base
    suffix = "_" + sha256_hex(raw)[:NAME_HASH]
    encoded = base.encode("utf-8")[: NAME_BYTES_MAX - len(suffix)]
    return encoded.decode("utf-8", "ignore").rstrip("_") + suffix


def as_list(value: Any) -> List[Any]:
    if isinstance(value, list):
        return value
    if value in (None, ""):
        return []
    return [value]


def unique_strings(values: Iterable[Any]) -> List[str]:
    seen = set()
    out = []
    for value in values:
        text = str(value or "").strip()
        if text and text not in seen:
            seen.add(text)
            out.append(text)
    return out


def is_correction(record: Dict[str, Any]) -> bool:
    """A line that replaces its run's earlier line (``human_review.corrects``: an undo, a relabel, a new decision).

    ``review`` and ``record`` only ever append; the latest line of a run is
    the one that counts, and the earlier ones stay as the record of what was
    decided before.
    """
    review = record.get("human_review")
    return isinstance(review, dict) and isinstance(review.get("corrects"), dict)


def review_status(record: Dict[str, Any]) -> str:
    review = record.get("human_review")
    review = review if isinstance(review, dict) else {}
    status = str(record.get("human_review_status") or review.get("status") or "unknown").strip().lower()
    return status if status in REVIEW_STATUSES else "unknown"


def is_approved(status: str) -> bool:
    return status in APPROVED_STATUSES


_RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))?\Z"
)


def parse_time(value: Any) -> Optional[dt.datetime]:
    """An RFC 3339 date-time in UTC, or None.

    Written out rather than ``datetime.fromisoformat`` because before Python
    3.11 that rejects valid forms such as one or seven fraction digits. A
    missing offset is read as UTC (agentic-stack did the same). A leap second
    (``:60``) is clamped to ``:59``.
    """
    if not isinstance(value, str):
        return None
    match = _RFC3339.match(value.strip())
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(match.group(i)) for i in range(1, 7))
    fraction = match.group(7) or ""
    micro = int((fraction + "000000")[:6]) if fraction else 0
    offset = dt.timedelta(0)
    if match.group(9):
        offset = dt.timedelta(hours=int(match.group(10)), minutes=int(match.group(11)))
        if match.group(9) == "-":
            offset = -offset
    try:
        moment = dt.datetime(year, month, day, hour, minute, min(second, 59), micro, tzinfo=dt.timezone(offset))
    except ValueError:
        return None
    return moment.astimezone(dt.timezone.utc)


def iso_z(moment: dt.datetime) -> str:
    """RFC 3339 in UTC with a ``Z``; whole seconds unless the moment has a fraction."""
    m = moment.astimezone(dt.timezone.utc)
    text = f"{m.year:04d}-{m.month:02d}-{m.day:02d}T{m.hour:02d}:{m.minute:02d}:{m.second:02d}"
    return f"{text}.{m.microsecond:06d}Z" if m.microsecond else text + "Z"
