"""The rule table: one frozen ``Rule`` per kind of secret or personal data.

A rule is data (after gitleaks' ``config/gitleaks.toml``): an id ``provider-kind``,
a description, literal ``keywords`` for the prefilter, a ``pattern``, an optional
entropy floor and validator, and the ``examples`` it must catch and
``counterexamples`` it must not. ``tests/test_redaction_rules.py`` proves both for
every rule, so a rule cannot be added without its evidence.

How a rule is run (``engine.py`` does it; the fields say what it may rely on):

- ``view`` is the text the pattern sees, always one byte per character so offsets
  match the original: ``"text"`` (ASCII, other characters as ``?``), ``"lower"``
  (the same, ASCII-lowercased; patterns are written in lower case) or
  ``"shape"`` (digits as ``0``, ASCII upper-case letters as ``A``, lower-case as
  ``a``: card numbers, IBANs, SSNs and phone numbers become literal searches).
- ``keywords`` are literals, matched case-insensitively when written in lower
  case; a keyword with upper-case letters (``EAAA``) is matched as written, which
  is cheaper for prefixes that are always upper case. A rule with keywords runs
  only where one of them occurs, and its pattern is matched *starting at* the keyword. A rule without
  keywords scans the whole view; its pattern must then begin with a literal,
  because a leading character class or ``\\b`` makes CPython's ``re`` dozens of
  times slower (shared/formats/secret-and-pii-formats.md, section 3).
- ``left`` extends a match to the left (e-mail local parts, JWT headers): it is
  matched against the reversed text before the match, up to ``left_max`` characters.
- ``left_boundary``/``right_boundary``: characters that may not touch the span,
  checked in Python instead of with ``\\b`` (same reason). ``strip`` characters are
  trimmed from the end of the span (a sentence's full stop after a token).
  ``first``, when set, lists the characters the span may start with: a check
  that costs nothing before the validator (card numbers start with 2-6, so
  millisecond timestamps never reach the Luhn check).
- A named group ``secret`` (or ``secret_*``) marks the part to replace; otherwise
  the whole match (after ``left``) is replaced.
- ``entropy``: Shannon bits per character the value must exceed (gitleaks semantics).
- ``validator(candidate) -> bool`` runs last and may narrow ``candidate.start``/``end``.

Every pattern has a bounded length (no ``+`` or ``*`` without an upper limit), so
each match attempt costs at most a few hundred steps and the engine can scan a
stream in windows: a test checks the bound.

Examples are assembled from pieces at import time (``base.fake`` gives deterministic
filler) so no file here holds a string a scanner would flag.

The package: ``base`` (the ``Rule`` type), ``heuristics`` (shared predicates),
and one module per family group, each with its ``RULES`` and the validators
only it uses; ``RULES`` here is their concatenation.
"""
from __future__ import annotations

from typing import Dict, Tuple

from . import ai, cloud, context, forges, infra, keys, messaging, personal, providers
from .base import CLASSES, HEX, KINDS, Rule, fake, severity

RULESET_VERSION = "2026.06.1"

# Strings that must survive every rule (each rule's counterexamples add their own).
COMMON_COUNTEREXAMPLES = (
    "commit 3f786850e387550fdab836ed7e6dc881de23001b",
    '{"id": "550e8400-e29b-41d4-a716-446655440000"}',
    "sha256:" + "a" * 8 + fake(56, HEX, 13),
)

# The order is the tie-break between rules of equal priority when spans overlap.
RULES: Tuple[Rule, ...] = (
    cloud.RULES + forges.RULES + messaging.RULES + ai.RULES + infra.RULES + providers.RULES + keys.RULES + context.RULES
    + personal.RULES
)


def rules_by_id() -> Dict[str, Rule]:
    return {rule.id: rule for rule in RULES}


__all__ = ["CLASSES", "COMMON_COUNTEREXAMPLES", "KINDS", "RULES", "RULESET_VERSION", "Rule", "rules_by_id", "severity"]
