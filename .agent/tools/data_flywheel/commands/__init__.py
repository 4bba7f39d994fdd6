"""The command registry: one module per command, in the order ``--help`` lists them."""
from __future__ import annotations

from . import export, harvest, hook, install, record, redact, report, review, status, uninstall, validate

DEFAULT_COMMAND = "export"

COMMANDS = (export, validate, redact, status, report, harvest, hook, review, record, install, uninstall)
