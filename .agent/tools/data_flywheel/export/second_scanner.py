"""A second, independent opinion: a well-known secret scanner over the staged export, before it is published.

Our own redaction is one engine with one rule list; a scanner someone else
wrote fails differently. When the user names one (``export --second-scanner
NAME`` or ``"second_scanner"`` in ``config.json``), it runs over the redacted
staging folder after every file is written and before the swap; any finding
stops the export (exit 2), naming file, line and rule, never the value, and
the previous export stays as it was. Nothing is said when none is named.

Each scanner is data: the executables to look for on ``PATH``, the command
line that scans a folder offline and prints machine-readable findings, the
exit codes that mean "scanned" and a parser from its output to
``(file, line, rule, value)``. The commands follow each tool's documented CLI:

- detect-secrets (Yelp, 1.x): ``detect-secrets scan --all-files --no-verify``;
  JSON ``results`` per file: ``type``, ``line_number``, ``hashed_secret``
  (never the value).
- gitleaks 8.19+ and Betterleaks (its successor, same CLI): ``gitleaks dir
  DIR --report-format json --report-path -`` (``-`` is stdout); a JSON array of
  ``RuleID``, ``File``, ``StartLine``, ``Secret``. ``--exit-code 0`` so that
  exit 1 means only "failed".
- TruffleHog 3: ``trufflehog filesystem DIR --json --no-verification
  --no-update``; one JSON object per line, ``DetectorName``, ``Raw`` and
  ``SourceMetadata.Data.Filesystem.file``/``line``.
- Kingfisher (MongoDB): ``kingfisher scan DIR --format json --no-validate
  --git-history=none --no-update-check``; ``{"findings": [{"rule": {"id"},
  "finding": {"path", "line", "snippet"}}]}``; exit 200/205 mean findings.

Verification is always off: the export is local-only and must not send a
candidate credential to a provider to ask whether it works.

Our own output holds values that look like secrets to an entropy check and are
not: placeholders and hashes the tool writes itself. ``ALLOWED_VALUES`` lists
their exact shapes; a finding whose value has one of them is ours, not a leak.
detect-secrets reports only a hash of the value, so the same shapes are passed
to it as ``--exclude-secrets``; the other scanners report the value, which is
matched here in memory and never printed.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from typing import Callable, FrozenSet, Iterator, List, Mapping, Optional, Sequence, Tuple

from ..errors import OutputError

CONFIG_KEY = "second_scanner"
OFF = "none"
TIMEOUT_VARIABLE = "DATA_FLYWHEEL_SCANNER_TIMEOUT"
TIMEOUT_DEFAULT = 600.0
MAX_SHOWN = 50

# Values our own export writes that a scanner may take for a secret (full matches, see the module docstring).
# Measured with detect-secrets 1.5 on an export of every real session in ../shared/fixtures (166 runs, 38 MB):
# 109 findings, all Base64 High Entropy String, all on tool-call ids the harnesses mint (2,064 values:
# toolu_ 1,627, toolu_bdrk_ 410, call_ 26, one Gemini CLI id); with this list, none. It also flags a hashed
# run id after a credential-like key ("secret": "sha256:<64 hex>", Secret Keyword). It skips placeholders by
# itself (its templated-secret filter); other scanners' generic rules may not. A bare 64-hex value is
# deliberately absent: a hex API key has that shape too.
ALLOWED_VALUES: Tuple[Tuple[str, str], ...] = (
    (r"sha256:[0-9a-f]{64}", "a hashed run id or content hash the export writes"),
    (r"\[[A-Z][A-Z0-9_]*_[0-9]+\]", "a redaction placeholder such as [GITHUB_TOKEN_1]"),
    (r"toolu_(?:bdrk_|vrtx_)?[A-Za-z0-9]{20,40}", "an Anthropic tool-call id (API, Bedrock, Vertex)"),
    (r"call_[A-Za-z0-9]{24}", "an OpenAI tool-call id"),
    (r"[a-z][a-z_]*-[0-9]{13}-[0-9a-z]{8,16}", "a Gemini CLI tool-call id: tool name, epoch milliseconds, random"),
)
_ALLOWED = re.compile("|".join(f"(?:{pattern})" for pattern, _why in ALLOWED_VALUES))


@dataclass(frozen=True)
class Finding:
    """One scanner finding: a path relative to the export folder, a 1-based line and the scanner's rule name."""

    file: str
    line: int
    rule: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.rule}"


# A parser yields (file as the scanner printed it, line, rule, value or None when the scanner hides it).
Parsed = Tuple[str, int, str, Optional[str]]


class ScannerOutputError(ValueError):
    """The scanner printed something that is not the documented format."""


def _json(text: str):
    try:
        return json.loads(text)
    except ValueError:
        raise ScannerOutputError("its output is not JSON") from None


def _int(value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).isdigit():
        raise ScannerOutputError(f"a finding has no line number ({value!r})")
    return int(value)


def parse_detect_secrets(text: str) -> Iterator[Parsed]:
    document = _json(text)
    results = document.get("results") if isinstance(document, dict) else None
    if not isinstance(results, dict):
        raise ScannerOutputError('no "results" object')
    for filename, items in results.items():
        for item in items if isinstance(items, list) else ():
            yield filename, _int(item.get("line_number")), str(item.get("type", "?")), None


def parse_gitleaks(text: str) -> Iterator[Parsed]:
    document = _json(text) if text.strip() else []
    if not isinstance(document, list):
        raise ScannerOutputError("the report is not a JSON array")
    for item in document:
        yield str(item.get("File", "?")), _int(item.get("StartLine")), str(item.get("RuleID", "?")), item.get("Secret")


def parse_trufflehog(text: str) -> Iterator[Parsed]:
    for raw in text.splitlines():
        if not raw.strip():
            continue
        item = _json(raw)
        location = (((item.get("SourceMetadata") or {}).get("Data") or {}).get("Filesystem") or {}) if isinstance(item, dict) else {}
        if not location:
            raise ScannerOutputError("a result has no SourceMetadata.Data.Filesystem")
        yield str(location.get("file", "?")), _int(location.get("line")), str(item.get("DetectorName", "?")), item.get("Raw")


def parse_kingfisher(text: str) -> Iterator[Parsed]:
    # One JSON envelope, or one per line when Kingfisher scans several repositories in parallel.
    for raw in text.splitlines():
        if not raw.strip():
            continue
        envelope = _json(raw)
        if not isinstance(envelope, dict) or not isinstance(envelope.get("findings", []), list):
            raise ScannerOutputError('no "findings" list')
        for item in envelope.get("findings", []):
            rule, finding = item.get("rule") or {}, item.get("finding") or {}
            yield str(finding.get("path", "?")), _int(finding.get("line")), str(rule.get("id") or rule.get("name") or "?"), finding.get("snippet")


@dataclass(frozen=True)
class Scanner:
    """How to run one scanner over a folder, offline, and read what it found."""

    name: str
    executables: Tuple[str, ...]  # looked up on PATH in this order
    arguments: Tuple[str, ...]  # after the executable; {dir} is the folder
    scanned: FrozenSet[int]  # exit codes that mean the scan ran (with or without findings)
    parse: Callable[[str], Iterator[Parsed]]
    install: str  # how to get it, for the error when it is missing
    cwd_is_dir: bool = False  # run inside the folder and pass "." (paths come out relative)


def _detect_secrets_arguments() -> Tuple[str, ...]:
    excludes: List[str] = []
    for pattern, _why in ALLOWED_VALUES:
        excludes += ["--exclude-secrets", f"^(?:{pattern})$"]
    return ("scan", "--all-files", "--no-verify", *excludes, "{dir}")


_GITLEAKS_ARGUMENTS = ("dir", "{dir}", "--report-format", "json", "--report-path", "-", "--exit-code", "0",
                       "--no-banner", "--log-level", "error")

SCANNERS: Tuple[Scanner, ...] = (
    Scanner("detect-secrets", ("detect-secrets",), _detect_secrets_arguments(), frozenset({0}), parse_detect_secrets,
            "pip install detect-secrets (or pipx install detect-secrets)", cwd_is_dir=True),
    Scanner("gitleaks", ("gitleaks",), _GITLEAKS_ARGUMENTS, frozenset({0}), parse_gitleaks,
            "install gitleaks 8.19 or later: brew install gitleaks, or a release from github.com/gitleaks/gitleaks"),
    Scanner("betterleaks", ("betterleaks",), _GITLEAKS_ARGUMENTS, frozenset({0}), parse_gitleaks,
            "install Betterleaks: a release from github.com/betterleaks/betterleaks"),
    Scanner("trufflehog", ("trufflehog",),
            ("filesystem", "{dir}", "--json", "--no-verification", "--no-update"), frozenset({0}), parse_trufflehog,
            "install TruffleHog 3: brew install trufflehog, or a release from github.com/trufflesecurity/trufflehog"),
    Scanner("kingfisher", ("kingfisher",),
            ("scan", "{dir}", "--format", "json", "--no-validate", "--git-history=none", "--no-update-check"),
            frozenset({0, 200, 205}), parse_kingfisher,
            "install Kingfisher: brew install kingfisher, or a release from github.com/mongodb/kingfisher"),
)
NAMES = tuple(scanner.name for scanner in SCANNERS)


class SecondScannerFindings(OutputError):
    """The second scanner found something in the redacted export: nothing was published."""

    def __init__(self, scanner: str, findings: Sequence[Finding], out: str) -> None:
        count = len(findings)
        super().__init__(
            f"second scanner {scanner} found {count} possible secret{'s' * (count != 1)} in the redacted export; "
            "nothing was published and the previous export is unchanged",
            source=out,
            remedy='name the values in redaction.json "deny" or fix the source runs, then export again',
        )
        self.findings = list(findings)

    def __str__(self) -> str:
        lines = [super().__str__()]
        lines += [f"  {finding}" for finding in self.findings[:MAX_SHOWN]]
        if len(self.findings) > MAX_SHOWN:
            lines.append(f"  ... and {len(self.findings) - MAX_SHOWN} more")
        return "\n".join(lines)


def scanner_named(name: str, *, source: str) -> Scanner:
    """The registry entry for NAME (case-insensitive), or a ``OutputError`` listing the known names."""
    for scanner in SCANNERS:
        if scanner.name == name.strip().lower():
            return scanner
    raise OutputError(f"unknown second scanner {name!r}", source=source,
                      remedy=f"use one of: {', '.join(NAMES)} (or {OFF} to run none)")


def chosen(flag: Optional[str], configured: Optional[str]) -> Optional[str]:
    """The scanner to run: the flag over config.json; ``none`` (either place) runs none."""
    name = flag if flag is not None else configured
    if name is None or name.strip().lower() == OFF:
        return None
    return name


def timeout(env: Mapping[str, str]) -> float:
    try:
        return max(0.1, float(env.get(TIMEOUT_VARIABLE, TIMEOUT_DEFAULT)))
    except ValueError:
        return TIMEOUT_DEFAULT


def check(name: str, folder: str, out: str, env: Mapping[str, str]) -> None:
    """Run scanner NAME over ``folder`` (the staging folder of ``out``); raise on any finding or failure."""
    scanner = scanner_named(name, source="--second-scanner")
    findings = run(scanner, folder, out, env)
    if findings:
        raise SecondScannerFindings(scanner.name, findings, out)


def run(scanner: Scanner, folder: str, out: str, env: Mapping[str, str]) -> List[Finding]:
    executable = next((found for found in (shutil.which(name, path=env.get("PATH")) for name in scanner.executables)
                       if found), None)
    if executable is None:
        raise OutputError(f"second scanner {scanner.name} is not installed (not on PATH); nothing was published",
                          source=out, remedy=f"{scanner.install}, or drop --second-scanner / {CONFIG_KEY}")
    root = os.path.realpath(folder)
    arguments = [executable] + [part.replace("{dir}", "." if scanner.cwd_is_dir else root) for part in scanner.arguments]
    limit = timeout(env)
    failed = f"second scanner {scanner.name} failed; nothing was published"
    try:
        result = subprocess.run(arguments, cwd=root if scanner.cwd_is_dir else None, env={**os.environ, **env},
                                stdin=subprocess.DEVNULL, capture_output=True, timeout=limit)
    except subprocess.TimeoutExpired:
        raise OutputError(f"second scanner {scanner.name} did not finish in {limit:g} s; nothing was published",
                          source=out, remedy=f"set {TIMEOUT_VARIABLE} to wait longer") from None
    except OSError as error:
        raise OutputError(f"{failed}: cannot run {executable}: {error.strerror or error}", source=out,
                          remedy=scanner.install) from None
    if result.returncode not in scanner.scanned:
        # A crash is not a pass. Its own words are not shown: a scanner's error may quote the line it choked on.
        by_hand = " ".join([scanner.name] + [part.replace("{dir}", "FOLDER") for part in scanner.arguments])
        raise OutputError(f"second scanner {scanner.name} failed (exit {result.returncode}); nothing was published",
                          source=out, remedy=f"to see why, run it by hand on an earlier export: {by_hand}")
    try:
        parsed = list(scanner.parse(result.stdout.decode("utf-8", "replace")))
    except (ScannerOutputError, AttributeError) as error:
        reason = error if isinstance(error, ScannerOutputError) else "a finding is not a JSON object"
        raise OutputError(f"{failed}: {reason}", source=out,
                          remedy="check that its version prints the documented JSON format") from None
    findings = {
        Finding(_relative(path, root), line, rule)
        for path, line, rule, value in parsed
        if not (isinstance(value, str) and _ALLOWED.fullmatch(value))
    }
    return sorted(findings, key=lambda f: (f.file, f.line, f.rule))


def _relative(path: str, root: str) -> str:
    """A scanner's path as a path inside the export folder."""
    full = os.path.realpath(path if os.path.isabs(path) else os.path.join(root, path))
    relative = os.path.relpath(full, root)
    return relative.replace(os.sep, "/")
