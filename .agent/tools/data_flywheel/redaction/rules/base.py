"""The ``Rule`` type, validated when built, and the deterministic filler rule examples are made of.

See the package docstring (``rules/__init__.py``) for what each field means to the engine.
"""
from __future__ import annotations

import base64
import re
import string
from dataclasses import dataclass, field
from typing import Any, Callable, FrozenSet, Optional, Tuple

KINDS = ("secret", "pii", "custom")
# Severity classes (what a finding means for training): a ``secret`` (credential,
# key, token, connection string) keeps a run out of training until a person
# accepts it; ``personal`` data (the ``pii`` rules and the user's deny-list) is
# replaced and the placeholder trains.
CLASSES = ("secret", "personal")


def severity(kind: str) -> str:
    """The class of a rule kind: ``secret`` stays ``secret``; ``pii`` and ``custom`` are ``personal``."""
    return "secret" if kind == "secret" else "personal"
VIEWS = ("text", "lower", "shape")

ALNUM = string.ascii_letters + string.digits
WORD = ALNUM + "_"
TOKEN = WORD + "-"
B64 = ALNUM + "+/"

Validator = Callable[[Any], bool]

_ID_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)+")
_LABEL_RE = re.compile(r"[A-Z][A-Z0-9_]{0,31}")


@dataclass(frozen=True)
class Rule:
    """One detector. See the module docstring for what each field means to the engine."""

    id: str
    description: str
    kind: str
    label: str
    pattern: str
    keywords: Tuple[str, ...] = ()
    view: str = "text"
    left: Optional[str] = None
    left_max: int = 64
    left_boundary: str = WORD
    right_boundary: str = ALNUM
    strip: str = ""
    first: str = ""
    entropy: Optional[float] = None
    validator: Optional[Validator] = None
    placeholder_check: bool = True
    priority: int = 0
    examples: Tuple[str, ...] = ()
    counterexamples: Tuple[str, ...] = ()
    compiled: Any = field(default=None, init=False, repr=False, compare=False)
    compiled_left: Any = field(default=None, init=False, repr=False, compare=False)
    left_forbidden: FrozenSet[int] = field(default=frozenset(), init=False, repr=False, compare=False)
    right_forbidden: FrozenSet[int] = field(default=frozenset(), init=False, repr=False, compare=False)
    strip_bytes: bytes = field(default=b"", init=False, repr=False, compare=False)
    first_bytes: FrozenSet[int] = field(default=frozenset(), init=False, repr=False, compare=False)

    @property
    def severity(self) -> str:
        """``secret`` or ``personal`` (see ``CLASSES``)."""
        return severity(self.kind)

    def __post_init__(self) -> None:
        problem = _rule_problem(self)
        if problem:
            raise ValueError(f"rule {self.id}: {problem}")
        object.__setattr__(self, "compiled", re.compile(self.pattern.encode("ascii")))
        if self.left is not None:
            object.__setattr__(self, "compiled_left", re.compile(self.left.encode("ascii")))
        object.__setattr__(self, "left_forbidden", frozenset(self.left_boundary.encode("ascii")))
        object.__setattr__(self, "right_forbidden", frozenset(self.right_boundary.encode("ascii")))
        object.__setattr__(self, "strip_bytes", self.strip.encode("ascii"))
        object.__setattr__(self, "first_bytes", frozenset(self.first.encode("ascii")))


def _rule_problem(rule: Rule) -> str:
    """Why a rule is malformed, or ``""``: rules are validated when they are built."""
    if not _ID_RE.fullmatch(rule.id):
        return "id must look like provider-kind (lower case, dash-separated)"
    if rule.kind not in KINDS:
        return f"kind must be one of {', '.join(KINDS)}"
    if not _LABEL_RE.fullmatch(rule.label):
        return "label must be upper case letters, digits and underscores"
    if rule.view not in VIEWS:
        return f"view must be one of {', '.join(VIEWS)}"
    for keyword in rule.keywords:
        if not keyword or not keyword.isascii():
            return f"keyword {keyword!r} must be a non-empty ASCII literal"
        if keyword != keyword.lower() and rule.view != "text":
            return f"keyword {keyword!r} has upper case, which means case-sensitive: only for view 'text'"
    if not rule.pattern.isascii():
        return "pattern must be ASCII (the views are ASCII)"
    try:
        re.compile(rule.pattern.encode("ascii"))
        if rule.left is not None:
            re.compile(rule.left.encode("ascii"))
    except re.error as error:
        return f"pattern does not compile: {error}"
    if rule.kind != "custom" and not rule.examples:
        return "a rule needs at least one example it catches"
    return ""


# ---------------------------------------------------------------------------
# Deterministic filler for examples (xorshift32): reproducible, never a real secret.

HEX = "0123456789abcdef"
UPPER_DIGITS = string.ascii_uppercase + string.digits


def fake(n: int, alphabet: str = ALNUM, seed: int = 1) -> str:
    state = (seed * 2654435761 + n * 40503 + len(alphabet)) & 0xFFFFFFFF or 1
    out = []
    for _ in range(n):
        state ^= (state << 13) & 0xFFFFFFFF
        state ^= state >> 17
        state ^= (state << 5) & 0xFFFFFFFF
        out.append(alphabet[state % len(alphabet)])
    return "".join(out)


def b64url(data: str) -> str:
    return base64.urlsafe_b64encode(data.encode()).decode().rstrip("=")


DASHES = "-" * 5


def pem(kind: str, body: str, newline: str = "\n") -> str:
    head = DASHES + "BEGIN " + kind + " KEY" + DASHES
    tail = DASHES + "END " + kind + " KEY" + DASHES
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return newline.join([head, *lines, tail])


JWT_EXAMPLE = b64url('{"alg":"HS256","typ":"JWT"}') + "." + b64url('{"sub":"1234567890","name":"Kim","iat":1516239022}') + "." + fake(43, ALNUM + "-_", 7)


