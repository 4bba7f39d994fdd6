"""The user's redaction settings: ``.agent/flywheel/redaction.json``.

Names of people, clients, internal hosts and project code names cannot be found
by a pattern; the deny-list names them. The allow-list keeps values the rules
would otherwise replace. The file is optional; when present it must be valid,
and an invalid file stops the command (nothing is exported with half a config).

Format (every key optional)::

    {
      "version": 1,
      "deny": [
        "Acme Corp",
        {"literal": "bluebird", "label": "PROJECT"},
        {"regex": "build-[0-9]+\\\\.corp\\\\.internal", "label": "HOST", "ignore_case": true}
      ],
      "allow": [
        "support@example.com",
        {"regex": "@ourco\\\\.dev$"}
      ],
      "disable": ["ipv4-address"]
    }

- ``deny``: text to redact wherever it appears. A string is a literal, matched
  case-insensitively and as a whole word when it starts or ends with a letter or
  digit. ``{"regex": ...}`` is a Python regular expression (it must not match the
  empty string; ``"ignore_case": true`` adds ``re.IGNORECASE``). ``label`` names
  the placeholder (``[PROJECT_1]``; upper case, default ``CUSTOM``). Deny entries
  are always redacted; the allow-list does not apply to them. A regex is run as
  written: keep it simple (no nested repetition), it runs on every text exported.
- ``allow``: a finding whose value equals a literal (case-insensitive) or in which
  a regex finds a match is not redacted.
- ``disable``: rule ids (``redact --list-rules``) that are not run at all.

Errors are ``ConfigError`` with the file, the line of the offending key or entry
and what to do.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from json.decoder import scanstring  # type: ignore[attr-defined]
from pathlib import Path
from typing import Any, Dict, FrozenSet, List, Optional, Tuple, Union

from .. import jsonio
from ..config import last_key_line
from ..errors import ConfigError
from .rules import RULES

DEFAULT_CONFIG_PATH = ".agent/flywheel/redaction.json"

_KEYS = ("version", "deny", "allow", "disable")
_DENY_KEYS = ("literal", "regex", "label", "ignore_case")
_ALLOW_KEYS = ("literal", "regex", "ignore_case")
_LABEL_RE = re.compile(r"[A-Z][A-Z0-9_]{0,31}")
# A deny or allow pattern longer than this is not a name a pattern can find; literals have no limit.
REGEX_MAX_LENGTH = 2000

Path_ = Tuple[Union[str, int], ...]


@dataclass(frozen=True)
class DenyEntry:
    """One deny-list entry: a literal or a compiled pattern, and its placeholder label."""

    index: int
    label: str
    literal: Optional[str] = field(default=None, repr=False)
    pattern: Optional["re.Pattern[str]"] = field(default=None, repr=False)


@dataclass(frozen=True)
class RedactionConfig:
    """What ``load_config`` read. ``repr`` hides the entries: a deny-list names clients."""

    source: Optional[str] = None
    deny: Tuple[DenyEntry, ...] = field(default=(), repr=False)
    allow_literals: Tuple[str, ...] = field(default=(), repr=False)
    allow_patterns: Tuple["re.Pattern[str]", ...] = field(default=(), repr=False)
    disable: FrozenSet[str] = frozenset()


def load_config(path: Union[str, Path]) -> RedactionConfig:
    """Read and check a ``redaction.json``; raise ``ConfigError`` naming the line at fault."""
    source = str(path)
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise ConfigError("file not found", source=source, remedy="create it or pass --config with an existing file") from None
    except OSError as error:
        raise ConfigError(f"cannot read: {error.strerror}", source=source, remedy="check the path and its permissions") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise ConfigError("not UTF-8 text", source=source, line=line, remedy="save the file as UTF-8") from None
    return parse_config(text, source)


def parse_config(text: str, source: str = "redaction.json") -> RedactionConfig:
    """Check the text of a ``redaction.json`` (see the module docstring for the format)."""
    try:
        document = jsonio.loads_document(text)
    except jsonio.DocumentError as error:
        if error.key is not None:
            raise ConfigError(error.message, source=source, line=last_key_line(text, error.key), remedy="keep one of them") from None
        raise ConfigError(error.message, source=source, line=error.line, remedy="fix the JSON syntax") from None
    where = _Locator(text, source)
    if not isinstance(document, dict):
        raise where.error((), "the top level must be a JSON object", 'write {"deny": [...], "allow": [...]}')
    for key in document:
        if key not in _KEYS:
            raise where.error((key,), f"unknown key {key!r}", "allowed keys: " + ", ".join(_KEYS))
    version = document.get("version", 1)
    if version != 1 or isinstance(version, bool):
        raise where.error(("version",), "'version' must be 1", "this tool reads version 1")
    deny = tuple(_deny_entry(where, index, entry) for index, entry in enumerate(_list(where, document, "deny")))
    allow_literals: List[str] = []
    allow_patterns: List["re.Pattern[str]"] = []
    for index, entry in enumerate(_list(where, document, "allow")):
        literal, pattern, _ = _entry(where, ("allow", index), entry, _ALLOW_KEYS)
        if literal is not None:
            allow_literals.append(literal)
        else:
            allow_patterns.append(pattern)
    known = {rule.id for rule in RULES}
    disabled = []
    for index, rule_id in enumerate(_list(where, document, "disable")):
        if not isinstance(rule_id, str):
            raise where.error(("disable", index), f"disable[{index}] must be a rule id (a string)", "see redact --list-rules")
        if rule_id not in known:
            raise where.error(("disable", index), f"disable[{index}]: no rule named {rule_id!r}", "see redact --list-rules")
        disabled.append(rule_id)
    return RedactionConfig(source, deny, tuple(allow_literals), tuple(allow_patterns), frozenset(disabled))


def _deny_entry(where: "_Locator", index: int, entry: Any) -> DenyEntry:
    literal, pattern, label = _entry(where, ("deny", index), entry, _DENY_KEYS)
    return DenyEntry(index + 1, label or "CUSTOM", literal, pattern)


def _entry(where: "_Locator", path: Path_, entry: Any, allowed: Tuple[str, ...]):
    """(literal, compiled pattern, label) of one deny or allow entry."""
    name = f"{path[0]}[{path[1]}]"
    if isinstance(entry, str):
        if not entry.strip():
            raise where.error(path, f"{name}: an entry must not be empty", "remove it, or write the text it stands for")
        return entry, None, None
    if not isinstance(entry, dict):
        raise where.error(path, f"{name} must be a string or an object", 'write "text" or {"regex": "..."}')
    for key in entry:
        if key not in allowed:
            raise where.error(path + (key,), f"{name}: unknown key {key!r}", "allowed keys: " + ", ".join(allowed))
    if ("literal" in entry) == ("regex" in entry):
        raise where.error(path, f"{name} needs exactly one of 'literal' and 'regex'", 'write {"literal": "..."} or {"regex": "..."}')
    ignore_case = entry.get("ignore_case", False)
    if not isinstance(ignore_case, bool):
        raise where.error(path + ("ignore_case",), f"{name}.ignore_case must be true or false", "use a JSON boolean")
    label = entry.get("label")
    if label is not None and (not isinstance(label, str) or not _LABEL_RE.fullmatch(label)):
        raise where.error(path + ("label",), f"{name}.label must be upper-case letters, digits and _ (at most 32)", 'for example "CLIENT"')
    if "literal" in entry:
        literal = entry["literal"]
        if not isinstance(literal, str) or not literal.strip():
            raise where.error(path + ("literal",), f"{name}.literal must be a non-empty string", "remove the entry, or write the text it stands for")
        return literal, None, label
    source = entry["regex"]
    if not isinstance(source, str) or not source:
        raise where.error(path + ("regex",), f"{name}.regex must be a non-empty string", "write a regular expression")
    if len(source) > REGEX_MAX_LENGTH:
        raise where.error(path + ("regex",), f"{name}.regex is longer than {REGEX_MAX_LENGTH} characters", "use a shorter pattern, or several entries")
    try:
        pattern = re.compile(source, re.IGNORECASE if ignore_case else 0)
    except re.error as error:
        raise where.error(path + ("regex",), f"{name}.regex does not compile: {error}", "fix the regular expression (Python syntax)") from None
    except (OverflowError, RecursionError, ValueError) as error:  # a{99999999999}, deep groups
        raise where.error(path + ("regex",), f"{name}.regex does not compile: {error}", "use smaller counts and fewer nested groups") from None
    risk = _backtracking_risk(pattern)
    if risk is not None:
        raise where.error(path + ("regex",), f"{name}.regex {risk}: on some text it would run for hours",
                          "flatten it (e.g. a+ instead of (a+)+), or list the literal texts as separate entries")
    if _matches_empty(pattern):
        raise where.error(path + ("regex",), f"{name}.regex matches the empty string", "make it match at least one character")
    return None, pattern, label


def _backtracking_risk(pattern: "re.Pattern[str]") -> Optional[str]:
    """Why ``pattern`` could backtrack exponentially, or None.

    The shapes that do: a repetition of variable length inside another
    ((a+)+, (a*b?)*), and alternatives that can start alike under a repetition
    ((a|ab)*). Alternatives that each start with a different literal
    character ((foo|bar)+) are fine. Unbounded repetitions of a broad class
    (``.*``, ``\\w+``, ``[^,]*``) one after another make a search polynomial
    of that degree on one long line (``.*.*.*=`` is quartic), so one is the
    most allowed between two literal characters (``\\w+@\\w+`` is fine). Bounded work is what "no input can hang a command" needs, and
    Python's re has no time limit of its own.
    """
    try:
        from re import _constants as constants, _parser as parser  # type: ignore[attr-defined]  # Python 3.11+
    except ImportError:  # pragma: no cover - Python 3.9/3.10
        import sre_constants as constants  # type: ignore[no-redef]
        import sre_parse as parser  # type: ignore[no-redef]
    repeats = (constants.MAX_REPEAT, constants.MIN_REPEAT)
    broad_seen = [0]

    def broad(body) -> bool:
        if len(body) != 1:
            return False
        op, value = body[0]
        if op is constants.ANY:
            return True
        return op is constants.IN and any(item[0] in (constants.NEGATE, constants.CATEGORY) for item in value)

    def walk(items, inside: bool) -> Optional[str]:
        for op, value in items:
            if op is constants.LITERAL:
                broad_seen[0] = 0  # a required character in between: the repetitions cannot trade characters
            if op in repeats:
                low, high, body = value
                if low != high and inside:
                    return "nests one repetition inside another"
                if high == constants.MAXREPEAT and broad(body):
                    broad_seen[0] += 1
                    if broad_seen[0] > 1:
                        return "repeats more than one broad class without limit (like .*.*)"
                found = walk(body, inside or (low != high and high > 1))
            elif op is constants.SUBPATTERN:
                found = walk(value[-1], inside)
            elif op is constants.BRANCH:
                branches = value[1]
                if inside:
                    firsts = [branch[0] for branch in branches if len(branch)]
                    literal = all(first[0] is constants.LITERAL for first in firsts) and len(firsts) == len(branches)
                    if not literal or len({first[1] for first in firsts}) != len(firsts):
                        return "repeats alternatives that can start alike"
                found = next(filter(None, (walk(branch, inside) for branch in branches)), None)
            elif op in (constants.ASSERT, constants.ASSERT_NOT):
                found = walk(value[1], inside)
            else:
                found = None
            if found is not None:
                return found
        return None

    try:
        return walk(parser.parse(pattern.pattern, pattern.flags), False)
    except Exception:  # pragma: no cover - a private module changed: the pattern compiled, let it run
        return None


def _matches_empty(pattern: "re.Pattern[str]") -> bool:
    try:
        from re import _parser as parser  # type: ignore[attr-defined]  # Python 3.11+
    except ImportError:  # pragma: no cover - Python 3.9/3.10
        import sre_parse as parser  # type: ignore[no-redef]
    try:
        return parser.parse(pattern.pattern, pattern.flags).getwidth()[0] == 0
    except Exception:  # pragma: no cover - a private module changed: fall back to a probe
        return pattern.search("") is not None


def _list(where: "_Locator", document: Dict[str, Any], key: str) -> List[Any]:
    value = document.get(key, [])
    if not isinstance(value, list):
        raise where.error((key,), f"'{key}' must be a list", f'write "{key}": [...]')
    return value


class _Locator:
    """Line numbers of the keys and elements of an already-valid JSON document.

    ``json`` gives positions only for syntax errors, so errors about content
    re-walk the text (with the decoder's own string and scalar scanners).
    """

    _WS = re.compile(r"[ \t\n\r]*")

    def __init__(self, text: str, source: str) -> None:
        self.text = text
        self.source = source
        self._positions: Optional[Dict[Path_, int]] = None

    def error(self, path: Path_, message: str, remedy: str) -> ConfigError:
        return ConfigError(message, source=self.source, line=self.line(path), remedy=remedy)

    def line(self, path: Path_) -> Optional[int]:
        if self._positions is None:
            self._positions = {}
            try:
                self._walk(0, ())
            except (ValueError, IndexError):  # pragma: no cover - the text parsed as JSON above
                pass
        while path not in self._positions and path:
            path = path[:-1]
        position = self._positions.get(path)
        return None if position is None else self.text.count("\n", 0, position) + 1

    def _skip(self, i: int) -> int:
        return self._WS.match(self.text, i).end()

    def _walk(self, i: int, path: Path_) -> int:
        text = self.text
        i = self._skip(i)
        self._positions.setdefault(path, i)
        if text[i] == "{":
            i = self._skip(i + 1)
            if text[i] == "}":
                return i + 1
            while True:
                i = self._skip(i)
                key, after = scanstring(text, i + 1)
                self._positions[path + (key,)] = i
                colon = self._skip(after)
                i = self._skip(self._walk(colon + 1, path + (key,)))
                if text[i] == ",":
                    i += 1
                    continue
                return i + 1
        if text[i] == "[":
            i = self._skip(i + 1)
            if text[i] == "]":
                return i + 1
            index = 0
            while True:
                i = self._skip(self._walk(i, path + (index,)))
                index += 1
                if text[i] == ",":
                    i += 1
                    continue
                return i + 1
        _, end = json.JSONDecoder().raw_decode(text, i)
        return end
