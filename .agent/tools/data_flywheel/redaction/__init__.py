"""Redaction: find secrets and personal data in text and replace them with typed placeholders.

Public names::

    from data_flywheel.redaction import Redactor, load_config, RULESET_VERSION, Finding
    redactor = Redactor(config=None)        # or Redactor(load_config(path))
    session = redactor.session()            # one per approved run
    clean = session.redact(text, field="output_approved")
    session.findings                        # [Finding(rule_id, kind, label, field, line, column, placeholder)]
    finding.severity                        # "secret" or "personal" (CLASSES)
    redactor.scan(text)                     # findings only, nothing replaced

The same value becomes the same placeholder within a session (``[EMAIL_1]``);
a ``Finding`` never holds the matched value. ``RULES`` is the rule table
(the ``rules`` package), ``RedactionConfig`` what ``load_config`` returns.
"""
from __future__ import annotations

from .config import DEFAULT_CONFIG_PATH, RedactionConfig, load_config
from .engine import Finding, Redactor, Session
from .rules import CLASSES, RULES, RULESET_VERSION, Rule, severity

__all__ = [
    "CLASSES",
    "DEFAULT_CONFIG_PATH",
    "Finding",
    "RULES",
    "RULESET_VERSION",
    "RedactionConfig",
    "Redactor",
    "Rule",
    "Session",
    "load_config",
    "severity",
]
