"""Scanning and replacement: ``Redactor``, ``Session`` and ``Finding``.

The order of work is the cheap-first order of gitleaks (STYLE.md, practice 7):

1. **Views.** The text is encoded to ASCII with one byte per character (anything
   else becomes ``?``), so offsets in every view are offsets in the original.
   ``lower`` is that, lower-cased (``bytes.lower`` is ASCII-only and ten times
   faster than ``str.lower`` on non-ASCII text); ``shape`` maps digits to ``0``
   and letters to ``A``/``a`` so that card numbers, IBANs and SSNs become
   literal searches.
2. **Keywords.** All rules' keywords are found in three passes. A keyword is
   found through one rare character, its *anchor*: every anchor of a pass is
   translated to one byte, so a single fast literal search visits every place a
   keyword could be, and a trie of literals decides which one it is (rare
   letters, rare punctuation, and the reversed text for keywords such as
   ``npm_`` that end in their anchor). Keywords made only of common letters
   (``secret``, ``pass``) get a literal search each. A rule's pattern is then
   tried only where one of its keywords starts.
3. **Rules without keywords** (personal data on frequent characters: ``@``,
   ``.``, ``+``, digits in the shape view) scan the whole view with patterns that
   begin with a literal, so ``re``'s fast literal search does the filtering.
4. **Python checks**: left extension, boundaries, entropy, placeholders,
   validators; then the user's allow-list; then spans inside known non-secrets
   (``data:...;base64,`` payloads, ``sha512-`` digests) are dropped.
5. **Overlaps** are merged: the union of overlapping spans is replaced once,
   named after the most specific rule, so no fragment of a secret survives.

Long input is scanned in windows (``CHUNK`` characters plus an overlap longer
than any match), so memory stays bounded and a 100 MB line takes linear time.
Short texts (the export redacts every field of every run) skip the windowing,
test each rule's literal with ``in`` first, and are remembered when clean.

The matched value never leaves this module: a ``Finding`` holds the rule, the
place and the placeholder; the session maps values to placeholders through a
keyed BLAKE2 digest with a per-session random key, so not even the session holds
a plain value or an unsalted hash of one.
"""
from __future__ import annotations

import bisect
import hashlib
import os
import re
import string
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

from . import denylist, validators
from .denylist import DenyMatcher
from .rules import RULES, Rule, severity

# Window sizes for long input. OVERLAP must exceed the longest possible match
# (the PEM rule searches 32 KB for its END line; tests check every pattern's bound).
CHUNK = 1 << 22
OVERLAP = 1 << 17
LEFT_CONTEXT = 4096
# Below this many characters a text is "short": each rule is first checked with
# one ``in`` test of its literal, which is cheaper than starting a search.
_SHORT = 4096
# How many clean texts of at most _CLEAN_TEXT characters a redactor remembers
# (see ``Session.redact``): a few megabytes at most.
_CLEAN_CACHE = 20000
_CLEAN_TEXT = 256

_ANCHOR = b"\x01"
# Characters that may anchor keywords: rare letters, then rare punctuation (one
# pass each). A keyword with none of them gets a literal search of its own.
_ANCHOR_CLASSES = (b"jqxzkvwyg", b"_-.~;\\=/@+#")
_SHAPE = bytes.maketrans(
    (string.digits + string.ascii_uppercase + string.ascii_lowercase).encode(),
    b"0" * 10 + b"A" * 26 + b"a" * 26,
)

# Frequency (per mille) of bytes in lower-cased transcripts (code, JSON, logs,
# prose; measured on the benchmark corpus). Only used to choose the anchor
# characters of the keyword search: a wrong guess costs speed, never a finding.
_FREQUENCY = dict.fromkeys(range(256), 0.5)
_FREQUENCY.update(
    {ord(k): f for k, f in {
        " ": 134, "e": 74, "t": 63, "r": 53, "o": 47, "s": 44, "n": 42, "a": 40, "i": 36, '"': 32,
        "u": 30, "l": 29, "d": 25, "c": 24, "p": 24, "h": 22, "f": 20, ":": 20, "m": 17, "\n": 15,
        "b": 12, "1": 11, "-": 10, "/": 10, "2": 9, "0": 9, "y": 8, "g": 8, "5": 8, ".": 8, "v": 8,
        "_": 7, "3": 7, ",": 7, "w": 7, "7": 6, "4": 6, "9": 6, "6": 5, "|": 5, "8": 5, "{": 5,
        "}": 5, "(": 4, ")": 4, "'": 4, "q": 4, "x": 3, "=": 3, "k": 3, ">": 2, "z": 2, "j": 2,
        "+": 2, "[": 1, "]": 1, "?": 1, "#": 0.3, "@": 0.2, "\\": 0.1,
    }.items()}
)


@dataclass(frozen=True)
class Finding:
    """Where a rule found something; never what it found.

    ``line`` and ``column`` are 1-based (columns count characters). ``offset`` and
    ``end`` are character offsets of the replaced span in the scanned text or
    stream (not shown in ``repr``); ``placeholder`` is what replaced it, when
    the finding came from a session.
    """

    rule_id: str
    kind: str
    label: str
    field: Optional[str]
    line: int
    column: int
    placeholder: Optional[str] = None
    offset: int = field(default=0, repr=False, compare=False)
    end: int = field(default=0, repr=False, compare=False)

    @property
    def severity(self) -> str:
        """``secret`` or ``personal``: what the finding means for training (``rules.CLASSES``)."""
        return severity(self.kind)

    def to_dict(self) -> Dict[str, Any]:
        document: Dict[str, Any] = {
            "rule_id": self.rule_id,
            "kind": self.kind,
            "class": self.severity,
            "label": self.label,
            "line": self.line,
            "column": self.column,
        }
        if self.field is not None:
            document["field"] = self.field
        if self.placeholder is not None:
            document["placeholder"] = self.placeholder
        return document


class _Views:
    """The three byte views of one window of text (see the module docstring)."""

    __slots__ = ("text", "text_view", "lower", "_shape")

    def __init__(self, text: str) -> None:
        self.text = text
        self.text_view = text.encode("ascii", "replace")
        self.lower = self.text_view.lower()
        self._shape: Optional[bytes] = None

    def get(self, name: str) -> bytes:
        if name == "lower":
            return self.lower
        if name == "text":
            return self.text_view
        if self._shape is None:
            self._shape = self.text_view.translate(_SHAPE)
        return self._shape


class Candidate:
    """A match under consideration, as validators see it (``rules/``).

    ``start``/``end`` is the span to replace; a validator may narrow or extend it.
    ``value`` is the original text of the span: validators may read it, nothing
    may store it.
    """

    __slots__ = ("rule", "text", "view", "lower", "match", "start", "end", "_cache")

    def __init__(self, rule: Rule, views: _Views, view: bytes, match: "re.Match[bytes]", start: int, end: int, cache: Dict[Any, Any]) -> None:
        self.rule = rule
        self.text = views.text
        self.view = view
        self.lower = views.lower
        self.match = match
        self.start = start
        self.end = end
        self._cache = cache

    def __repr__(self) -> str:  # never the value
        return f"Candidate({self.rule.id}, {self.start}:{self.end})"

    @property
    def value(self) -> str:
        return self.text[self.start : self.end]

    def group(self, name: str) -> Optional[str]:
        try:
            start, end = self.match.span(name)
        except IndexError:
            return None
        return None if start < 0 else self.text[start:end]

    def before(self, n: int) -> str:
        return self.text[max(0, self.start - n) : self.start]

    def after(self, n: int) -> str:
        return self.text[self.end : self.end + n]

    def line_before(self, limit: int = 1024) -> str:
        """The text from the start of the line (at most ``limit`` characters back) to the match."""
        start = self.match.start()
        floor = max(0, start - limit)
        newline = self.lower.rfind(b"\n", floor, start)
        return self.text[(newline + 1 if newline >= 0 else floor) : start]

    def find_next(self, needle: bytes, start: int, stop: int) -> int:
        """First ``needle`` in ``lower[start:stop]``, amortised over the window.

        Many headers in a row (adversarial input) must not each rescan the same
        32 KB, so the last answer is remembered per needle.
        """
        cached = self._cache.get(needle)
        if cached is not None:
            searched_from, found, searched_to = cached
            if searched_from <= start:
                if found >= start:
                    return found if found + len(needle) <= stop else -1
                if found < 0 and searched_to >= stop:
                    return -1
                if found < 0:
                    resume = max(start, searched_to - len(needle) + 1)
                    hit = self.lower.find(needle, resume, stop)
                    self._cache[needle] = (searched_from, hit, stop)
                    return hit
        hit = self.lower.find(needle, start, stop)
        self._cache[needle] = (start, hit, stop)
        return hit


class _Mask:
    """A span of known non-secret data (``base64,`` payloads, digests) that suppresses findings inside it."""

    __slots__ = ("compiled", "id", "prefix")

    def __init__(self, mask_id: str, prefix: str, pattern: str) -> None:
        self.id = mask_id
        self.prefix = prefix.encode("ascii")
        self.compiled = re.compile(pattern.encode("ascii"))


# Scanned on the lower-case view; each pattern starts with a literal.
_MASKS = (
    # data:image/png;base64,... and other base64 payloads: unbounded, they can be megabytes.
    _Mask("base64-payload", ";base64,", r";base64,[a-z0-9+/=]*"),
    # npm integrity (sha512-), OCI digests (sha256:), pip --hash=sha256:, wheel RECORD (sha256=).
    _Mask("digest", "sha", r"sha(?:1|256|384|512)[-:=][a-z0-9+/=_-]{16,200}"),
    # go.sum: h1:<base64>=
    _Mask("go-sum", "h1:", r"h1:[a-z0-9+/]{40,50}="),
)
_BASE64_RUN = re.compile(rb"[a-z0-9+/=]*")


def _literal_prefix(pattern: bytes) -> bytes:
    """The literal text every match of ``pattern`` starts with (empty if none)."""
    try:
        from re import _parser as parser  # type: ignore[attr-defined]  # Python 3.11+
    except ImportError:  # pragma: no cover - Python 3.9/3.10
        import sre_parse as parser  # type: ignore[no-redef]
    prefix = bytearray()
    try:
        for op, value in parser.parse(pattern):
            if str(op) != "LITERAL":
                break
            prefix.append(value)
    except Exception:  # pragma: no cover - a private module changed: no shortcut, still correct
        return b""
    return bytes(prefix)


class _Hit:
    __slots__ = ("start", "end", "priority", "order", "rule_id", "kind", "label")

    def __init__(self, start: int, end: int, priority: int, order: int, rule_id: str, kind: str, label: str) -> None:
        self.start = start
        self.end = end
        self.priority = priority
        self.order = order
        self.rule_id = rule_id
        self.kind = kind
        self.label = label


class _Compiled:
    """A rule set compiled for scanning: keyword finders, full-scan rules, masks."""

    def __init__(self, rules: Sequence[Rule], deny: Optional[DenyMatcher] = None) -> None:
        self.rules = tuple(rules)
        self.deny = deny if deny else None
        # Rules without keywords scan their whole view; their literal prefix lets a
        # short text skip them with one ``in`` test.
        self.full_scan: List[Tuple[int, bytes, str]] = [
            (i, _literal_prefix(rule.compiled.pattern), rule.view) for i, rule in enumerate(self.rules) if not rule.keywords
        ]
        # Most specific rules first (see ``_scan_window``).
        self.rank: List[Tuple[int, int]] = [(rule.priority, i) for i, rule in enumerate(self.rules)]
        # Keyword -> the rules to try where it starts.
        targets: Dict[bytes, List[int]] = {}
        for index, rule in enumerate(self.rules):
            for keyword in rule.keywords:
                targets.setdefault(keyword.encode("ascii"), []).append(index)
        self.passes, self.plain_finders = self._build_finders(targets)

    @staticmethod
    def _build_finders(targets: Dict[bytes, List[int]]):
        """Regexes that find every keyword in three passes, plus literal passes for the rest.

        Each keyword is found through one of its characters, its *anchor*. In a
        pass, all of that pass's anchor characters are translated to one byte
        (``bytes.translate``), so one fast literal search visits every place a
        keyword could be; there a look-ahead holds a trie of literals (the rest
        of the keyword) and, when the anchor is not the keyword's first
        character, a look-behind for the part before it. Rare letters and rare
        punctuation are separate passes, so ``ghp_`` still differs from ``ghp-``.
        Keywords whose only anchor is their last character (``npm_``, ``hf_``)
        are found in the reversed text, where they start with it: tries of
        literals reject a place in a few nanoseconds, look-behinds do not. A
        keyword with no rare character at all gets a literal search of its own.
        """
        keywords = sorted(targets, key=lambda k: (-len(k), k))
        # Keywords with upper-case letters are matched as written, on the text view.
        exact = [keyword for keyword in keywords if keyword != keyword.lower()]
        keywords = [keyword for keyword in keywords if keyword == keyword.lower()]
        forward: Dict[int, List[Tuple[bytes, int]]] = {0: [], 1: []}
        backward: List[bytes] = []
        plain: List[bytes] = []
        letters, punctuation = _ANCHOR_CLASSES
        for keyword in keywords:
            inner = [i for i in range(len(keyword) - 1) if keyword[i] in letters]
            if inner:
                forward[0].append((keyword, min(inner, key=lambda i: (_FREQUENCY[keyword[i]], i))))
                continue
            inner = [i for i in range(len(keyword) - 1) if keyword[i] in punctuation]
            if inner:
                forward[1].append((keyword, min(inner, key=lambda i: (_FREQUENCY[keyword[i]], i))))
            elif keyword[-1] in letters or keyword[-1] in punctuation:
                backward.append(keyword)
            else:
                plain.append(keyword)
        # A pass translates only the anchors its keywords use: fewer places to visit.
        passes = []
        for index in (0, 1):
            if forward[index]:
                used = bytes(sorted({keyword[i] for keyword, i in forward[index]}))
                passes.append(_build_pass(used, forward[index], targets, reverse=False))
        if backward:
            used = bytes(sorted({keyword[-1] for keyword in backward}))
            passes.append(_build_pass(used, [(k[::-1], 0) for k in backward], {k[::-1]: targets[k] for k in backward}, reverse=True))
        plain_finders = [(keyword, re.compile(re.escape(keyword)), "lower", targets[keyword]) for keyword in plain]
        plain_finders += [(keyword, re.compile(re.escape(keyword)), "text", targets[keyword]) for keyword in exact]
        return passes, plain_finders


def _build_pass(anchors: bytes, keywords: List[Tuple[bytes, int]], targets: Dict[bytes, List[int]], *, reverse: bool):
    """One pass: (translation table, regex, group -> triggers, reverse?).

    With ``reverse`` the keywords (given reversed) are searched in the reversed
    view; a trigger's ``rel`` then counts back from the end of the view (see
    ``Redactor._scan_window``).
    """
    table = bytes.maketrans(anchors, _ANCHOR * len(anchors))
    trie: Dict[Any, Any] = {}
    for keyword, i in keywords:
        node = trie
        for byte in keyword[i + 1 :].translate(table):
            node = node.setdefault(byte, {})
        # The regex reports one place per anchor; every keyword that could start
        # there (alike once anchors are translated) is triggered, and each is
        # checked against the real text. ``rel`` is its start relative to the anchor.
        triggers = []
        mine = keyword.translate(table)
        for other, j in keywords:
            delta = i - j  # ``other`` would start at keyword start + delta
            lo, hi = max(0, delta), min(len(keyword), delta + len(other))
            if mine[lo:hi] == other.translate(table)[lo - delta : hi - delta]:
                original = other[::-1] if reverse else other
                rel = (delta - i + len(other)) if reverse else (delta - i)
                triggers.extend((rel, target, original) for target in targets[other])
        # After the anchor and the rest of the keyword, a look-behind checks the
        # part before the anchor (it spans the whole keyword: it looks back from the end).
        node.setdefault(None, []).append((mine if i > 0 else b"", triggers))
    groups: List[Any] = [None]  # group number -> [(rel, target, keyword)]

    def emit(node: Dict[Any, Any]) -> str:
        # Children first (longer keywords), then the keywords ending here. Ending
        # keywords whose look-behinds have the same width share one look-behind
        # of literal alternatives and one group. (sre skips a literal-first
        # alternative in a few nanoseconds; a character class in front was measured
        # and does not help.)
        children = sorted((k, v) for k, v in node.items() if k is not None)
        parts = [re.escape(chr(byte)) + emit(child) for byte, child in children]
        by_width: Dict[int, List[Tuple[bytes, list]]] = {}
        for before, triggers in node.get(None, ()):
            by_width.setdefault(len(before), []).append((before, triggers))
        for width in sorted(by_width, reverse=True):
            leaves = by_width[width]
            groups.append(sorted({t for _, triggers in leaves for t in triggers}))
            if width:
                looks = sorted({re.escape(before.decode("latin-1")) for before, _ in leaves})
                parts.append("(?<=" + "|".join(looks) + ")()")
            else:
                parts.append("()")
        return parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"

    # The look-ahead keeps matches one character wide, so keywords that overlap
    # (``secret_access_key`` and ``key``) are all seen.
    pattern = re.escape(_ANCHOR.decode("latin-1")) + "(?=" + emit(trie) + ")"
    return table, re.compile(pattern.encode("latin-1")), groups, reverse


class Redactor:
    """Finds secrets and personal data and replaces them with typed placeholders.

    ``config`` is what ``load_config`` returns (deny-list, allow-list, disabled
    rules) or ``None`` for the built-in rules only. ``rules`` replaces the
    built-in table (tests use it to run one rule alone).
    """

    def __init__(self, config: Any = None, *, rules: Optional[Sequence[Rule]] = None) -> None:
        chosen = list(RULES if rules is None else rules)
        deny: Optional[DenyMatcher] = None
        self._allow_literals: frozenset = frozenset()
        self._allow_patterns: Tuple[Any, ...] = ()
        if config is not None:
            disabled = set(getattr(config, "disable", ()) or ())
            chosen = [rule for rule in chosen if rule.id not in disabled]
            # The whole deny-list is one matcher, however long (denylist.py).
            deny = DenyMatcher(getattr(config, "deny", ()) or ())
            self._allow_literals = frozenset(literal.lower() for literal in getattr(config, "allow_literals", ()) or ())
            self._allow_patterns = tuple(getattr(config, "allow_patterns", ()) or ())
        self._compiled = _Compiled(chosen, deny)
        # Short texts already scanned and found clean (keys, labels, repeated values):
        # holding them is safe, they contain nothing to redact.
        self._clean: set = set()

    @property
    def rules(self) -> Tuple[Rule, ...]:
        return self._compiled.rules

    def session(self) -> "Session":
        """A new session: placeholders are numbered per session (one per approved run)."""
        return Session(self)

    def scan(self, text: str, field: Optional[str] = None) -> List[Finding]:
        """Findings in ``text`` without replacing anything."""
        session = Session(self)
        for _ in session._stream([text], field, emit=False):
            pass
        return session.findings

    # -- internals ----------------------------------------------------------

    def _allowed(self, value: str) -> bool:
        if self._allow_literals and value.lower() in self._allow_literals:
            return True
        return any(pattern.search(value) for pattern in self._allow_patterns)

    def _scan_window(self, views: _Views, lo: int, hi: int, state: Dict[str, Any]) -> List[_Hit]:
        """Spans to replace that start in ``[lo, hi)`` of this window, merged and sorted.

        Candidates starting at or after ``hi`` still take part in merging, so a
        union that begins before ``hi`` is complete; the next window rescans the rest.
        """
        compiled = self._compiled
        lower = views.lower
        hits: List[_Hit] = []
        cache: Dict[Any, Any] = {}
        positions: Dict[int, set] = {}
        mask_spans: List[Tuple[int, int]] = []
        if state.pop("mask_carry", False):
            run = _BASE64_RUN.match(lower, 0)
            if run.end() > 0:
                mask_spans.append((0, run.end()))
        short = len(lower) < _SHORT
        for mask in _MASKS:
            if not short or mask.prefix in lower:
                mask_spans.extend(m.span() for m in mask.compiled.finditer(lower))
        size = len(lower)
        for table, finder, groups, reverse in compiled.passes:
            for m in finder.finditer((lower[::-1] if reverse else lower).translate(table)):
                # In the reversed view a keyword found at r starts at size - r - rel.
                anchor = size - m.start() if reverse else m.start()
                for rel, target, keyword in groups[m.lastindex]:
                    at = anchor - rel if reverse else anchor + rel
                    if lower.startswith(keyword, at):
                        positions.setdefault(target, set()).add(at)
        text_view = views.text_view
        for keyword, finder, view_name, plain_targets in compiled.plain_finders:
            view = lower if view_name == "lower" else text_view
            if short and keyword not in view:
                continue
            for m in finder.finditer(view):
                for target in plain_targets:
                    positions.setdefault(target, set()).add(m.start())
        open_masks = [start for start, end in mask_spans if end >= len(lower)]
        state["open_mask"] = min(open_masks) if open_masks else None
        rules = compiled.rules
        covered = _Covered()
        work = list(positions)
        if short:
            for index, prefix, view_name in compiled.full_scan:
                view = lower if view_name == "lower" else text_view if view_name == "text" else views.get("shape")
                if prefix in view:
                    work.append(index)
        else:
            work.extend(index for index, _, _ in compiled.full_scan)
        # Most specific rules first, so a generic rule's candidate that lies inside
        # an accepted span is dropped before its (costlier) validation.
        work.sort(key=compiled.rank.__getitem__)
        for index in work:
            rule = rules[index]
            view = views.get(rule.view)
            if rule.keywords:
                match = rule.compiled.match
                matches: Iterable[Any] = filter(None, (match(view, at) for at in sorted(positions[index])))
            else:
                matches = rule.compiled.finditer(view)
            for m in matches:
                self._consider(rule, index, views, view, m, lo, cache, hits, covered)
        if compiled.deny is not None:
            for start, end, order, rule_id, label in compiled.deny.spans(views.text):
                if lo <= start:
                    hits.append(_Hit(start, end, denylist.PRIORITY, len(rules) + order, rule_id, denylist.KIND, label))
        if mask_spans and hits:
            hits = _outside_masks(hits, mask_spans)
        return [hit for hit in _merge(hits) if hit.start < hi]

    def _consider(self, rule: Rule, index: int, views: _Views, view: bytes, m: "re.Match[bytes]",
                  lo: int, cache: Dict[Any, Any], hits: List[_Hit], covered: "_Covered") -> None:
        # The left boundary is checked where the match (with its left extension)
        # begins; the right boundary where the replaced part ends.
        match_start = m.start()
        if rule.compiled_left is not None:
            floor = max(0, match_start - rule.left_max)
            left = rule.compiled_left.match(view[floor:match_start][::-1])
            if left is None:
                return
            match_start -= left.end()
        start, end = _secret_span(m, match_start)
        if rule.strip_bytes:
            while end > start and view[end - 1] in rule.strip_bytes:
                end -= 1
        if start < lo or end <= start:
            return
        if match_start > 0 and view[match_start - 1] in rule.left_forbidden and not _after_escape(view, match_start):
            return
        if end < len(view) and view[end] in rule.right_forbidden:
            return
        if rule.first_bytes and views.text_view[start] not in rule.first_bytes:
            return
        if covered.contains(start, end, index):
            return  # already replaced: by a more specific rule, or by this rule from an earlier keyword
        candidate = Candidate(rule, views, view, m, start, end, cache)
        if rule.validator is not None and not rule.validator(candidate):
            return
        start, end = candidate.start, candidate.end
        if end <= start:
            return
        value = views.text[start:end]
        if rule.entropy is not None and validators.shannon_entropy(value) <= rule.entropy:
            return
        if rule.kind == "secret" and rule.placeholder_check and validators.is_placeholder(value):
            return
        if rule.kind != "custom" and (self._allow_literals or self._allow_patterns) and self._allowed(value):
            return
        hits.append(_Hit(start, end, rule.priority, index, rule.id, rule.kind, rule.label))
        covered.add(start, end, index)


class _Covered:
    """Accepted spans, to skip candidates before their validation.

    A candidate is skipped when an accepted span contains it, or when it starts
    inside a span of its own rule: repeated keywords (``password=password=...``)
    would otherwise each validate a value that mostly overlaps the last one.
    """

    __slots__ = ("starts", "ends", "rules")

    def __init__(self) -> None:
        self.starts: List[int] = []
        self.ends: List[int] = []
        self.rules: List[int] = []

    def add(self, start: int, end: int, rule: int) -> None:
        i = bisect.bisect_right(self.starts, start)
        self.starts.insert(i, start)
        self.ends.insert(i, end)
        self.rules.insert(i, rule)

    def contains(self, start: int, end: int, rule: int) -> bool:
        i = bisect.bisect_right(self.starts, start) - 1
        # Spans may nest; the few before ``start`` are enough in practice, and a
        # miss only costs a validation.
        for j in range(i, max(-1, i - 4), -1):
            if self.ends[j] >= end or (self.rules[j] == rule and self.ends[j] > start):
                return True
        return False


def _after_escape(view: bytes, start: int) -> bool:
    """Whether ``start`` follows an escape such as ``\\n`` in a JSON string: a boundary, not a letter."""
    return start >= 2 and view[start - 1] in b"ntr" and view[start - 2] == 0x5C  # backslash


def _secret_span(m: "re.Match[bytes]", match_start: int) -> Tuple[int, int]:
    """The part to replace: the ``secret``/``secret_bare`` group, else the whole (extended) match."""
    groups = m.re.groupindex
    if groups:
        for name in ("secret", "secret_bare"):
            if name in groups:
                start, end = m.span(name)
                if start >= 0:
                    return start, end
    return match_start, m.end()


def _outside_masks(hits: List[_Hit], spans: List[Tuple[int, int]]) -> List[_Hit]:
    spans.sort()
    starts = [start for start, _ in spans]
    kept = []
    for hit in hits:
        i = bisect.bisect_right(starts, hit.start) - 1
        if i >= 0 and spans[i][0] <= hit.start and hit.end <= spans[i][1] and hit.kind != "custom":
            continue
        kept.append(hit)
    return kept


def _merge(hits: List[_Hit]) -> List[_Hit]:
    """Union overlapping spans; each union is named after its most specific rule."""
    if len(hits) <= 1:
        return hits
    hits.sort(key=lambda h: (h.start, h.priority, h.order))
    merged = [hits[0]]
    for hit in hits[1:]:
        last = merged[-1]
        if hit.start < last.end:
            best = last if (last.priority, last.order) <= (hit.priority, hit.order) else hit
            merged[-1] = _Hit(last.start, max(last.end, hit.end), best.priority, best.order, best.rule_id, best.kind, best.label)
        else:
            merged.append(hit)
    return merged


class Session:
    """Redaction state for one approved run: the placeholder numbering and the findings.

    The same value gets the same placeholder everywhere in a session
    (``[EMAIL_1]`` in the input and in the output); numbers follow the order of
    first appearance, per label.
    """

    def __init__(self, redactor: Redactor) -> None:
        self._redactor = redactor
        self._key = os.urandom(32)
        self._placeholders: Dict[bytes, str] = {}
        self._counters: Dict[str, int] = {}
        self.findings: List[Finding] = []

    def __repr__(self) -> str:
        return f"<Session findings={len(self.findings)}>"

    def redact(self, text: str, field: Optional[str] = None) -> str:
        """``text`` with every finding replaced by its placeholder; findings are recorded."""
        redactor = self._redactor
        if len(text) <= _SHORT:
            # The export calls this for every key and value of every run: short
            # texts skip the windowing, and texts already seen clean are not rescanned.
            if text in redactor._clean:
                return text
            before = len(self.findings)
            out, _ = self._process(redactor, text, 0, len(text), True, field, 0, 1, 1, {}, True)
            if len(self.findings) == before and len(text) <= _CLEAN_TEXT and len(redactor._clean) < _CLEAN_CACHE:
                redactor._clean.add(text)
            return out
        return "".join(self._stream([text], field, emit=True))

    def redact_stream(self, pieces: Iterable[str], field: Optional[str] = None) -> Iterator[str]:
        """Redact text that arrives in pieces (lines, blocks); yields redacted text.

        Memory stays bounded by the window size whatever the length of a line.
        Findings are recorded in ``findings`` as each piece is yielded.
        """
        return self._stream(pieces, field, emit=True)

    def scan_stream(self, pieces: Iterable[str], field: Optional[str] = None) -> Iterator[Finding]:
        """Findings in text that arrives in pieces, yielded as they are found and not kept
        (``findings`` stays empty), so memory stays bounded however many there are."""
        mark = len(self.findings)
        for _ in self._stream(pieces, field, emit=False):
            yield from self.findings[mark:]
            del self.findings[mark:]
        yield from self.findings[mark:]
        del self.findings[mark:]

    def counts(self) -> Dict[str, int]:
        """Findings so far by rule id."""
        counts: Dict[str, int] = {}
        for finding in self.findings:
            counts[finding.rule_id] = counts.get(finding.rule_id, 0) + 1
        return counts

    def _placeholder(self, label: str, value: str) -> str:
        digest = hashlib.blake2b(value.encode("utf-8", "surrogatepass"), key=self._key, digest_size=16).digest()
        placeholder = self._placeholders.get(digest)
        if placeholder is None:
            number = self._counters.get(label, 0) + 1
            self._counters[label] = number
            placeholder = f"[{label}_{number}]"
            self._placeholders[digest] = placeholder
        return placeholder

    def _stream(self, pieces: Iterable[str], field: Optional[str], *, emit: bool) -> Iterator[str]:
        redactor = self._redactor
        buffer: List[str] = []
        size = 0
        window = ""
        keep = 0  # window[:keep] is left context, already emitted
        base_offset = 0  # absolute offset of window[0]
        line, column = 1, 1  # position of window[0]
        state: Dict[str, Any] = {}
        for piece in pieces:
            if not piece:
                continue
            buffer.append(piece)
            size += len(piece)
            if len(window) - keep + size < CHUNK + OVERLAP:
                continue
            window = window + "".join(buffer)
            buffer, size = [], 0
            while len(window) - keep >= CHUNK + OVERLAP:
                # Scan at most CHUNK new characters plus the overlap, however big the pieces.
                limit = keep + CHUNK + OVERLAP
                cut = _cut_point(window, limit - OVERLAP, keep + CHUNK // 2)
                out, commit = self._process(redactor, window[:limit], keep, cut, False, field, base_offset, line, column, state, emit)
                if out or not emit:
                    yield out
                drop = max(0, commit - LEFT_CONTEXT)
                open_mask = state.pop("open_mask", None)
                state["mask_carry"] = open_mask is not None and open_mask <= drop
                line, column = _advance(window, drop, line, column)
                base_offset += drop
                window = window[drop:]
                keep = commit - drop
        if buffer:
            window = window + "".join(buffer)
        if len(window) > keep:
            out, _ = self._process(redactor, window, keep, len(window), True, field, base_offset, line, column, state, emit)
            if out:
                yield out

    def _process(self, redactor: Redactor, window: str, keep: int, cut: int, final: bool, field: Optional[str],
                 base_offset: int, line: int, column: int, state: Dict[str, Any], emit: bool) -> Tuple[str, int]:
        """Scan one window; emit ``window[keep:commit]`` redacted. Returns (text, commit)."""
        hits = redactor._scan_window(_Views(window), keep, cut, state) if window else []
        commit = cut
        if hits:
            commit = max(commit, hits[-1].end)
        pieces: List[str] = []
        position = keep
        scan_pos, scan_line, scan_col = 0, line, column
        for hit in hits:
            # Only a redaction needs a placeholder (and so the value's keyed digest).
            placeholder = self._placeholder(hit.label, window[hit.start : hit.end]) if emit else None
            scan_line, scan_col = _advance(window, hit.start, scan_line, scan_col, scan_pos)
            scan_pos = hit.start
            self.findings.append(
                Finding(hit.rule_id, hit.kind, hit.label, field, scan_line, scan_col, placeholder,
                        base_offset + hit.start, base_offset + hit.end)
            )
            if emit:
                pieces.append(window[position : hit.start])
                pieces.append(placeholder)
            position = hit.end
        if emit:
            pieces.append(window[position:commit])
        return "".join(pieces), commit


def _advance(text: str, to: int, line: int, column: int, start: int = 0) -> Tuple[int, int]:
    """Line and column of ``text[to]`` given those of ``text[start]``."""
    newlines = text.count("\n", start, to)
    if newlines:
        return line + newlines, to - text.rfind("\n", start, to)
    return line, column + (to - start)


def _cut_point(window: str, near: int, floor: int) -> int:
    """Where to end a window: after a newline if one is close, else after whitespace, else at ``near``.

    Never before ``floor``, so every window makes progress.
    """
    floor = max(floor, near - (1 << 16))
    newline = window.rfind("\n", floor, near)
    if newline >= 0:
        return newline + 1
    for separator in (" ", "\t", ",", '"'):
        found = window.rfind(separator, floor, near)
        if found >= 0:
            return found + 1
    return near
