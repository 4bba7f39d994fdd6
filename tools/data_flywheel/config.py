"""``.agent/flywheel/config.json``: the team's local settings, checked key by key.

Every key is optional; an unknown key or a wrong type is refused with the
file, the line the key is on and the fix, because a silently ignored setting
is worse than an error. Keys:

- ``accept_auto_redacted`` (bool, default false): let runs in which the
  scanner replaced a *secret* (a credential, key, token or connection string)
  become training examples and eval cases. Off by default: such a run is not
  trainable (fail closed).
- ``personal_data_trainable`` (bool, default true): runs whose only findings
  are *personal* data (e-mail addresses, phone numbers, IPs, home-folder names,
  deny-list entries) are trainable after replacement: the placeholder is what
  trains. ``false`` makes them wait like secrets (strict).
- ``capture_hook`` (bool, default false): let the ``hook`` command harvest the
  session a harness hook names. Off by default: nothing is captured unless the
  team opts in.
- ``split_ratios`` (object, default ``{"train": 0.8, "validation": 0.1,
  "test": 0.1}``): how groups of runs are spread over the splits; any positive
  scale, normalised to sum to 1. ``export --split-ratios`` overrides it.
- ``second_scanner`` (string, default none): a secret scanner the user has
  installed (``detect-secrets``, ``gitleaks``, ``betterleaks``, ``trufflehog``,
  ``kingfisher``) that ``export`` runs over the redacted files before
  publishing them; any finding stops the export. ``export --second-scanner``
  overrides it (``none`` runs none).
"""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from typing import Any, Dict, Mapping, Optional

from . import jsonio
from .errors import ConfigError, FlywheelError

CONFIG_FILE = "config.json"


@dataclass(frozen=True)
class Config:
    accept_auto_redacted: bool = False
    personal_data_trainable: bool = True
    capture_hook: bool = False
    split_ratios: Optional[Mapping[str, float]] = None  # None: the default ratios
    second_scanner: Optional[str] = None  # None: no second scanner


_EXPECTED_WORDS = {bool: "true or false", dict: 'an object, e.g. {"train": 0.8, "validation": 0.1, "test": 0.1}',
                   str: 'a scanner name, e.g. "detect-secrets"'}
_KEYS: Dict[str, type] = {
    "accept_auto_redacted": bool, "capture_hook": bool, "personal_data_trainable": bool, "split_ratios": dict,
    "second_scanner": str,
}


def key_line(text: str, key: str) -> Optional[int]:
    """The 1-based line where ``"key"`` first appears in a JSON text, for error messages."""
    index = text.find(json.dumps(key))
    return text.count("\n", 0, index) + 1 if index >= 0 else None


def last_key_line(text: str, key: str) -> Optional[int]:
    """The line of the last ``"key":`` in a JSON text (where a duplicate is found)."""
    found = [m.start() for m in re.finditer(re.escape(json.dumps(key)) + r"\s*:", text)]
    return text.count("\n", 0, found[-1]) + 1 if found else None


def read_json_object(path: str, what: str) -> Any:
    """Read a small JSON configuration file, or raise ``ConfigError`` naming the line."""
    try:
        with open(path, encoding="utf-8-sig") as fp:
            text = fp.read()
    except OSError as error:
        raise ConfigError(f"cannot read the {what}: {error.strerror}", source=path) from None
    except UnicodeDecodeError:
        raise ConfigError(f"the {what} is not UTF-8", source=path, remedy="save it as UTF-8") from None
    try:
        document = jsonio.loads_document(text)
    except jsonio.DocumentError as error:
        line = error.line if error.key is None else last_key_line(text, error.key)
        remedy = "keep one of them" if error.key is not None else "fix the JSON"
        raise ConfigError(error.message, source=path, line=line, remedy=remedy) from None
    if not isinstance(document, dict):
        raise ConfigError(f"the {what} must be a JSON object", source=path, line=1, remedy='start it with "{"')
    return document, text


def load_config(flywheel_dir: str, path: Optional[str] = None) -> Config:
    path = path or os.path.join(flywheel_dir, CONFIG_FILE)
    if not os.path.exists(path):
        return Config()
    document, text = read_json_object(path, "flywheel configuration")
    values: Dict[str, Any] = {}
    for key, value in document.items():
        expected = _KEYS.get(key)
        if expected is None:
            raise ConfigError(
                f"unknown key {key!r}",
                source=path,
                line=key_line(text, key),
                remedy=f"known keys: {', '.join(sorted(_KEYS))}",
            )
        if not isinstance(value, expected):
            raise ConfigError(
                f"{key!r} must be {_EXPECTED_WORDS[expected]}",
                source=path,
                line=key_line(text, key),
            )
        if key == "split_ratios":
            from .export.splits import parse_ratios

            value = parse_ratios(value, source=path, line=key_line(text, key))
        if key == "second_scanner":
            from .export.second_scanner import OFF, scanner_named

            if value.strip().lower() != OFF:
                try:
                    value = scanner_named(value, source=path).name
                except FlywheelError as error:
                    raise ConfigError(error.message, source=path, line=key_line(text, key), remedy=error.remedy) from None
        values[key] = value
    return Config(**values)
