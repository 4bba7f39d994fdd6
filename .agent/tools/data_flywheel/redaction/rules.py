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

Examples are assembled from pieces at import time (``_fake`` gives deterministic
filler) so this file never holds a string a scanner would flag.
"""
from __future__ import annotations

import base64
import binascii
import re
import string
from dataclasses import dataclass, field
from typing import Any, Callable, FrozenSet, Optional, Tuple

from . import validators as v

RULESET_VERSION = "2026.05.1"

KINDS = ("secret", "pii", "custom")
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


def _fake(n: int, alphabet: str = ALNUM, seed: int = 1) -> str:
    state = (seed * 2654435761 + n * 40503 + len(alphabet)) & 0xFFFFFFFF or 1
    out = []
    for _ in range(n):
        state ^= (state << 13) & 0xFFFFFFFF
        state ^= state >> 17
        state ^= (state << 5) & 0xFFFFFFFF
        out.append(alphabet[state % len(alphabet)])
    return "".join(out)


def _b64url(data: str) -> str:
    return base64.urlsafe_b64encode(data.encode()).decode().rstrip("=")


_DASHES = "-" * 5


def _pem(kind: str, body: str, newline: str = "\n") -> str:
    head = _DASHES + "BEGIN " + kind + " KEY" + _DASHES
    tail = _DASHES + "END " + kind + " KEY" + _DASHES
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return newline.join([head, *lines, tail])


_JWT = _b64url('{"alg":"HS256","typ":"JWT"}') + "." + _b64url('{"sub":"1234567890","name":"Kim","iat":1516239022}') + "." + _fake(43, ALNUM + "-_", 7)


# ---------------------------------------------------------------------------
# Validators: adapters from a candidate (see engine.Candidate) to validators.py.


def _has_digit(c: Any) -> bool:
    return v.has_digit(c.value)


def _openai_key(c: Any) -> bool:
    value = c.value
    if value.startswith(("sk-ant-", "sk-or-")):
        return False
    # T3BlbkFJ is base64 of "openai"; CredSweeper also accepts the shifted forms.
    if "T3BlbkFJ" in value or "9wZW5BS" in value or "PcGVuQU" in value:
        return True
    return value.startswith(("sk-proj-", "sk-svcacct-", "sk-admin-")) and len(value) >= 48


def _jwt(c: Any) -> bool:
    parts = c.value.split(".")
    if len(parts) < 3 or not parts[0].startswith("eyJ") or len(parts[0]) < 10 or len(parts[1]) < 10:
        return False
    try:
        header = base64.urlsafe_b64decode(parts[0] + "=" * (-len(parts[0]) % 4))
    except (binascii.Error, ValueError):
        return False
    return header.startswith(b"{")


_PEM_END_SEARCH = 32768
_PEM_BODY_RE = re.compile(rb"[a-z0-9+/=\s\\:,.-]{0,32768}")


def _pem_block(c: Any) -> bool:
    """Extend a private-key header to the end of its block (real or ``\\n``-escaped newlines)."""
    lower = c.lower
    end = c.find_next(b"-----end", c.end, c.end + _PEM_END_SEARCH)
    if end >= 0:
        close = lower.find(b"-----", end + 8, end + 120)
        if close < 0:
            return False
        body = lower[c.end : end]
        c.end = close + 5
    else:
        # A truncated block (a transcript cut it): redact the header and what follows it.
        body_end = _PEM_BODY_RE.match(lower, c.end).end()
        body = lower[c.end : body_end]
        c.end = body_end
    # A placeholder block ("-----BEGIN ... KEY-----\n...\n-----END ...") holds no key.
    return len(body.translate(None, b" \t\r\n\\")) >= 64


_PUTTY_MAC_RE = re.compile(rb"private-mac: {0,4}[0-9a-f]{0,128}")


def _putty_private(c: Any) -> bool:
    """Extend ``Private-Lines: N`` to the end of the ``Private-MAC:`` line (the public part stays)."""
    mac = c.find_next(b"private-mac:", c.end, c.end + _PEM_END_SEARCH)
    if mac < 0:
        return False
    c.end = _PUTTY_MAC_RE.match(c.lower, mac).end()
    return True


def _base64_private_key(c: Any) -> bool:
    value = c.value
    head = value[: (min(len(value), 120) // 4) * 4]
    try:
        decoded = base64.b64decode(head)
    except (binascii.Error, ValueError):
        return False
    return b"PRIVATE KEY" in decoded


def _azure_sas(c: Any) -> bool:
    return "sv=" in c.before(600).lower()


def _curl_user(c: Any) -> bool:
    line = c.line_before().lower()
    return any(tool in line for tool in ("curl", "wget", "http ", "https ", "httpie"))


def _url_token(c: Any) -> bool:
    value = c.value
    return len(value) >= 16 and v.has_digit(value) and v.has_letter(value) and v.shannon_entropy(value) > 3.0


def _bearer(c: Any) -> bool:
    value = c.value
    if not (v.has_digit(value) and v.has_letter(value)) or v.is_code_reference(value):
        return False
    return v.shannon_entropy(value) > 3.0


def _auth_header(c: Any) -> bool:
    value = c.value
    return not v.is_code_reference(value) and not (value.isalpha() and v.is_wordlike(value))


def _aws_secret(c: Any) -> bool:
    value = c.value
    return v.has_digit(value) and value != value.lower() and v.shannon_entropy(value) > 3.5


def _sql_password(c: Any) -> bool:
    return len(c.value) >= 3


# --- Generic "NAME = value" assignments (gitleaks generic-api-key, with CredSweeper's filters).

_CAMEL_RE = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")
# Name parts that make an assignment a description of a secret, not the secret:
# secret_name, token_count, password_file, public_key, key_id, next_page_token.
_NAME_EXCLUDE = frozenset(
    """
    id ids uuid guid name names type types file files path paths dir folder url uri urls endpoint
    host hostname count counts limit limits length len size max min usage used total ttl expiry
    expires expiration expire expired lifetime timeout header headers prefix suffix format field
    fields label labels hint hints ref refs reference arn version env var vars policy policies
    regex pattern hash hashed digest checksum sha md5 public pub fingerprint kid algorithm alg
    encoding location manager provider schema class tokenizer tokens tokenize tokenized
    next page cursor continuation pagination placeholder example sample mock fake dummy enabled
    enable disabled required mode method strength reset forgot changed input prompt question rules
    rule validator validation error errors message msg text description desc help title budget rate
    index idx position pos offset stream kind source target backend helper handler callback fn func
    function getter setter chars bytes bits rotation created updated at date time timestamp last
    status state valid invalid revoked scope scopes audience issuer claims mount ssm keyring
    keychain num split
    """.split()
)
_SECRET_WORDS = frozenset(
    """secret token credential credentials creds apikey accesstoken refreshtoken authtoken apitoken
    bearertoken sessiontoken secretkey privatekey accesskey clientsecret signingkey encryptionkey
    masterkey passkey""".split()
)
_KEY_QUALIFIERS = frozenset(
    """api access secret private auth signing encryption encrypt master license client app session
    service account storage admin consumer shared webhook subscription x sas hmac jwt""".split()
)
_PASSWORD_WORDS = ("password", "passwd", "passphrase")


_NAME_LEFT_RE = re.compile(rb"[A-Za-z0-9_.$@-]{0,64}")


def _assignment_name(c: Any) -> Tuple[str, bool]:
    """The full identifier before the operator and whether it is a command-line flag."""
    start = c.match.start()
    floor = max(0, start - 64)
    left = _NAME_LEFT_RE.match(c.view[floor:start][::-1]).end()
    name = c.text[start - left : c.match.end("name")]
    return name.lstrip("-$@"), name.startswith("-")


def _name_parts(name: str) -> Tuple[str, ...]:
    parts = []
    for chunk in re.split(r"[_.\-]+", name):
        parts.extend(word.lower() for word in _CAMEL_RE.findall(chunk))
    return tuple(part for part in parts if part)


def _operator_ok(c: Any, flag: bool) -> bool:
    """``name value`` (a space for an operator) counts only for ``--flag value`` and ``.netrc``."""
    if c.group("op") not in (" ", "\t"):
        return True
    if flag:
        return True
    line = c.line_before().lower()
    return " login " in line or line.startswith("login ")


_CONCATENATION_RE = re.compile(r"^\s*[+,%)]\s|\s[+(,%]\s*$")


def _value_ok(c: Any, name: str, *, minimum: int) -> bool:
    value = c.value
    quoted = c.group("q") is not None
    if quoted and _CONCATENATION_RE.search(value):
        return False  # "password: " + other: the quotes close one literal and open the next
    if len(value) < minimum or value.lower() == name.lower():
        return False
    if v.is_placeholder(value) or v.is_file_reference(value) or v.is_digest(value):
        return False
    if "://" in value or value.startswith(("http:", "https:")):
        return False  # a URL: the url-credential rules look inside it
    if not quoted and (v.is_code_reference(value) or c.after(1) in ("(", "[", ".")):
        return False  # code: a call, an index or an attribute chain
    if value.isdigit() and len(value) < 20:
        return False
    return not v.is_version(value)


def _generic_password(c: Any) -> bool:
    value = c.value
    if value.lower() in v.PLACEHOLDER_WORDS:
        return False  # the cheapest rejection first: password=password, pass: none
    name, flag = _assignment_name(c)
    if name.upper() in ("PWD", "OLDPWD"):
        return False  # the shell's working directory
    parts = _name_parts(name)
    if not any(p in ("pass", "pwd", "passphrase") or any(w in p for w in _PASSWORD_WORDS) for p in parts):
        return False
    if any(p in _NAME_EXCLUDE for p in parts) or not _operator_ok(c, flag):
        return False
    if not _value_ok(c, name, minimum=4):
        return False
    value = c.value
    quoted = c.group("q") is not None
    if " " in value and (value.replace(" ", "").isalpha() or value.count(" ") > 3):
        return False  # prose ("Enter your password"), not a password
    bare = value.rstrip(".:,")
    if not quoted and c.group("op") in ("=", ":=") and re.fullmatch(r"[a-z_][a-z0-9_]*", bare) and "_" in bare:
        return False  # password = db_password: a variable
    if not quoted and c.group("op") == ":" and bare.isalpha() and bare.islower() and len(bare) < 12:
        return False  # "password: required" reads as prose; YAML passwords have digits or quotes
    if not quoted and c.group("op") == "=" and c.before(1) != "" and value.isidentifier() and not v.has_digit(value):
        spaced = c.text[c.match.start("op") - 1 : c.match.start("op")] == " "
        if spaced:
            return False  # code: password = other_name
    return True


def _generic_secret(c: Any) -> bool:
    value = c.value
    if value.lower() in v.PLACEHOLDER_WORDS or (value.isdigit() and len(value) < 20):
        return False
    name, flag = _assignment_name(c)
    parts = _name_parts(name)
    if not parts:
        return False
    qualified = False
    for index, part in enumerate(parts):
        if part in _SECRET_WORDS or part.endswith(("token", "secret", "apikey", "accesskey", "secretkey", "privatekey")):
            qualified = True
        elif part in ("key", "keys") and index > 0 and parts[index - 1] in _KEY_QUALIFIERS:
            qualified = True
    if not qualified or any(p in _NAME_EXCLUDE for p in parts) or not _operator_ok(c, flag):
        return False
    if not _value_ok(c, name, minimum=8):
        return False
    value = c.value
    if any(char.isspace() for char in value):
        return False
    strong = any(w in p for p in parts for w in ("secret", "password", "apikey", "api", "private"))
    if (v.is_uuid(value) or v.is_git_sha(value)) and not strong:
        return False  # ids and commit hashes under token/key names; api_key: <uuid> stays a secret
    if value.isalpha():
        if len(value) < 20 or v.is_wordlike(value) or v.shannon_entropy(value) < 3.5:
            return False
    threshold = 3.0 if len(value) >= 12 else 2.5
    return v.shannon_entropy(value) > threshold and not v.is_sequential(value)


# --- PII


_EMAIL_SKIP_DOMAINS = ("example.com", "example.org", "example.net", "localhost")
_EMAIL_SKIP_TLDS = frozenset(
    "example test invalid localhost local internal png jpg jpeg gif svg webp ico js mjs ts tsx jsx json css scss "
    "html htm lock yaml yml toml txt log py rb go java kt c h cpp md rst ini cfg conf map wasm".split()
)
_DOMAIN_LABEL_RE = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")


def _email(c: Any) -> bool:
    text = c.text
    at = c.match.start()
    local = text[c.start : at]
    domain = text[at + 1 : c.end].lower()
    labels = domain.split(".")
    if len(labels) < 2 or not all(_DOMAIN_LABEL_RE.fullmatch(label) for label in labels):
        return False
    tld = labels[-1]
    if not tld.isalpha() or len(tld) < 2 or tld in _EMAIL_SKIP_TLDS:
        return False
    if any(domain == skip or domain.endswith("." + skip) for skip in _EMAIL_SKIP_DOMAINS):
        return False
    if local.startswith(".") or local.endswith(".") or ".." in local:
        return False
    if local.lower() in ("git", "noreply", "no-reply", "donotreply", "do-not-reply", "mailer-daemon", "postmaster"):
        return False
    before = text[max(0, c.start - 3) : c.start]
    if before.endswith("/"):
        return False  # https://user@host: a URL's user, not an address
    token = text[max(0, c.start - 256) : c.start].split()
    if token and "://" in token[-1]:
        return False  # https://user:password@host: the url-credential rules look at it
    return True


def _digits(value: str) -> str:
    return "".join(char for char in value if char.isdigit())


def _ssn(c: Any) -> bool:
    return v.ssn_valid(_digits(c.value))


def _card(c: Any) -> bool:
    value = c.value
    separators = {char for char in value if not char.isdigit()}
    if len(separators) > 1:
        return False
    digits = _digits(value)
    if not separators and len(digits) > 16:
        return False  # 17-19 digits in one run: snowflake ids and timestamps, not cards
    return v.card_brand_plausible(digits) and v.luhn_valid(digits)


def _iban(c: Any) -> bool:
    value = c.value
    compact = value.replace(" ", "")
    expected = v.IBAN_LENGTHS.get(compact[:2])
    if expected is None or len(compact) < expected:
        return False
    if len(compact) > expected:
        # The pattern's groups of four ran into the next word: cut at the country's length.
        seen = 0
        for index, char in enumerate(value):
            if char != " ":
                seen += 1
            if seen == expected:
                c.end = c.start + index + 1
                break
        compact = compact[:expected]
        after = c.after(1)
        if after and after.isalnum():
            return False
    return v.iban_valid(compact)


_VERSION_CONTEXT_RE = re.compile(r"(?:\b(?:version|ver|release|build|v|rev|python|node)|==|>=|<=|~=|\^|~|@)[ :=\"']{0,3}$", re.IGNORECASE)


_PRIVATE_FIRST_OCTETS = frozenset({"0", "10", "127", "224", "225", "226", "227", "228", "229", "230", "231", "232", "233", "234", "235", "236", "237", "238", "239", "240", "255"})


def _ipv4(c: Any) -> bool:
    value = c.value
    octets = value.split(".")
    if len(octets) != 4 or octets[0] in _PRIVATE_FIRST_OCTETS or value.startswith(("192.168.", "169.254.")):
        return False  # the common private, loopback and multicast blocks, before parsing
    if any(len(o) > 1 and o[0] == "0" for o in octets):
        return False
    if all(len(o) == 1 for o in octets) or octets[3] in ("0", "255"):
        return False  # 1.2.3.4-style versions, well-known resolvers, network/broadcast addresses
    after = c.after(2)
    if len(after) == 2 and after[0] == "." and after[1].isdigit():
        return False  # a fifth component: an OID or a long version
    if _VERSION_CONTEXT_RE.search(c.before(12)):
        return False
    return v.ip_public(value)


def _ipv6(c: Any) -> bool:
    value = c.value
    while value and value[-1] in ".:":
        value = value[:-1]
    c.end = c.start + len(value)
    if value.count(":") < 2:
        return False
    return v.ip_public(value)


def _phone_international(c: Any) -> bool:
    value = c.value
    digits = _digits(value)
    if not 9 <= len(digits) <= 15 or len(set(digits)) < 3 or value[1] == "0":
        return False
    if digits[0] == "1" and len(digits) != 11:
        return False  # +1 (North America): country code and ten digits
    # Separators one at a time (") " and " (" aside), parentheses once and balanced.
    if value.count("(") != value.count(")") or value.count("(") > 1:
        return False
    squeezed = value.replace(") ", ")").replace(" (", "(")
    if any(a in " .-" and b in " .-" for a, b in zip(squeezed, squeezed[1:])):
        return False
    separators = sum(1 for char in value if char in " .-()")
    return separators > 0 or len(digits) >= 11


def _phone_digits(c: Any) -> bool:
    digits = _digits(c.value)
    return 7 <= len(digits) <= 15 and len(set(digits)) >= 3 and not digits.startswith("000")


_PHONE_CONTEXT_WORDS = frozenset(
    """number no nr num phone phones mobile cell tel telephone fax whatsapp sms is at me on via home
    work office private direct contact my our his her their the a of or and call text main alt
    alternate personal business primary secondary""".split()
)


_PHONE_WORD_PREFIXES = ("", "tele", "cell", "home", "work", "office", "business", "private", "contact")


def _phone_context(c: Any) -> bool:
    if not _phone_digits(c):
        return False
    start = c.match.start()
    prefix = c.text[max(0, start - 12) : start].lower()
    letters = len(prefix) - len(prefix.rstrip(string.ascii_lowercase))
    word = prefix[len(prefix) - letters :]
    if word[:1] in ("n", "t", "r") and prefix[: len(prefix) - letters].endswith("\\"):
        word = word[1:]  # an escaped newline or tab in a JSON string: "\nfax ..."
    if word not in _PHONE_WORD_PREFIXES:
        return False  # iphone, headphones: not a phone number's label
    between = c.text[start : c.start].lower()
    words = re.findall(r"[a-z]+", between)
    return all(word in _PHONE_CONTEXT_WORDS for word in words)


_GENERIC_ACCOUNTS = frozenset(
    """runner runneradmin ubuntu root admin administrator user users username ec2-user vagrant node app
    circleci jenkins travis docker git www-data nobody guest shared public default defaultuser0
    all default user me you your_name yourname your-name name vscode codespace codespaces coder dev
    developer build builder ci test tester linuxbrew runner-user github gitlab-runner buildkite-agent
    azureuser opc centos fedora debian alpine pi ubuntu-user steam""".split()
)


def _home_user(c: Any) -> bool:
    name = c.value
    if name.lower() in _GENERIC_ACCOUNTS or name.startswith(".") or set(name) <= set("._-"):
        return False
    if v.is_placeholder(name) or v.is_templated(name):
        return False
    start = c.match.start()
    before = c.text[max(0, start - 8) : start]
    if not before or before[-1] in " \t\r\n\"'`=:(,;[{<>|" or before.endswith("file://"):
        return True
    return before.endswith(("/var", "/mnt/c", "/mnt/d", "/private"))


_SKIP_WINDOWS_HOME = frozenset({"public", "default", "all users", "default user"})


def _windows_user(c: Any) -> bool:
    return c.value.lower() not in _GENERIC_ACCOUNTS and c.value.lower() not in _SKIP_WINDOWS_HOME and not v.is_placeholder(c.value)


# ---------------------------------------------------------------------------
# Example pieces (assembled, so no scannable literal lives in this file).

_AWS_ID = "AK" + "IA" + _fake(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 3)
_AWS_SECRET = _fake(40, B64, 4)
_GH_BODY = _fake(36, ALNUM, 5)
_ANTHROPIC_BODY = _fake(93, ALNUM + "-_", 6) + "AA"
_OPENAI_BODY = _fake(20, ALNUM, 8) + "T3Blbk" + "FJ" + _fake(20, ALNUM, 9)
_OPENAI_PROJ = "sk-" + "proj-" + _fake(74, ALNUM + "-_", 10) + "T3Blbk" + "FJ" + _fake(74, ALNUM + "-_", 11)
_PEM_BODY = _fake(600, B64, 12)
_EMAIL_LOCAL = "dana.okafor"
_HOST = "contoso-mail.net"

# Strings that must survive every rule (each rule's counterexamples add their own).
COMMON_COUNTEREXAMPLES = (
    "commit 3f786850e387550fdab836ed7e6dc881de23001b",
    '{"id": "550e8400-e29b-41d4-a716-446655440000"}',
    "sha256:" + "a" * 8 + _fake(56, HEX, 13),
)


RULES: Tuple[Rule, ...] = (
    # --- Cloud providers -------------------------------------------------------------
    Rule(
        id="aws-access-key-id",
        description="AWS access key id (AKIA long-term, ASIA temporary, ABIA/ACCA, A3T).",
        kind="secret",
        label="AWS_ACCESS_KEY",
        pattern=r"(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}",
        entropy=3.0,
        examples=("aws_access_key_id = " + _AWS_ID, '"AccessKeyId": "' + "AS" + "IA" + _fake(16, UPPER_DIGITS[:26] + "234567", 14) + '"'),
        counterexamples=("AKIA" + "IOSFODNN7" + "EXAMPLE", "XAKIA" + _fake(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 3), "AKIA" + "A" * 16),
    ),
    Rule(
        id="aws-secret-access-key",
        description="AWS secret access key: 40 base64 characters after a secret-access-key name.",
        kind="secret",
        label="AWS_SECRET_KEY",
        view="lower",
        keywords=("secret_access_key", "secretaccesskey", "secret-access-key", "aws_secret_key"),
        pattern=r"""(?:secret[_-]?access[_-]?key|aws_secret_key)\\{0,3}["'`]?\]?[ \t]{0,8}(?::=|=>|=|:|[ \t])[ \t]{0,8}\\{0,3}["'`]?(?P<secret>[a-z0-9/+]{40})(?![a-z0-9/+=])""",
        left_boundary="",
        right_boundary="",
        validator=_aws_secret,
        priority=1,
        examples=("export AWS_SECRET_ACCESS_KEY=" + _AWS_SECRET, "aws_secret_access_key = " + _AWS_SECRET),
        counterexamples=("AWS_SECRET_ACCESS_KEY=" + "wJalrXUtnFEMI/K7MDENG/bPxRfi" + "CYEXAMPLEKEY", "aws_secret_access_key = ${AWS_SECRET}"),
    ),
    Rule(
        id="aws-bedrock-api-key",
        description="Amazon Bedrock API key (long-term ABSK, short-term bedrock-api-key-).",
        kind="secret",
        label="AWS_BEDROCK_KEY",
        keywords=("absk", "bedrock-api-key-"),
        pattern=r"(?:ABSK[A-Za-z0-9+/]{109,269}={0,2}|bedrock-api-key-[A-Za-z0-9+/=]{40,2000})",
        entropy=3.5,
        examples=("AWS_BEARER_TOKEN_BEDROCK=" + "AB" + "SK" + _fake(132, B64, 15),),
        counterexamples=("ABSK" + "short",),
    ),
    Rule(
        id="google-api-key",
        description="Google API key (also Gemini keys): AIza plus 35 characters.",
        kind="secret",
        label="GOOGLE_API_KEY",
        keywords=("aiza",),
        pattern=r"AIza[A-Za-z0-9_-]{35}",
        entropy=3.5,
        examples=("GEMINI_API_KEY=" + "AI" + "za" + _fake(35, ALNUM + "-_", 16),),
        counterexamples=("AIza" + "x" * 35, "AIza" + _fake(20, ALNUM, 16)),
    ),
    Rule(
        id="google-oauth-client-secret",
        description="Google OAuth client secret (GOCSPX-).",
        kind="secret",
        label="GOOGLE_OAUTH_SECRET",
        keywords=("gocspx-",),
        pattern=r"GOCSPX-[A-Za-z0-9_-]{28}",
        entropy=3.0,
        examples=('"client_secret": "' + "GOC" + "SPX-" + _fake(28, ALNUM + "-_", 17) + '"',),
        counterexamples=("GOCSPX-" + "short",),
    ),
    Rule(
        id="google-oauth-access-token",
        description="Google OAuth access token (ya29.).",
        kind="secret",
        label="GOOGLE_OAUTH_TOKEN",
        keywords=("ya29.",),
        pattern=r"ya29\.[A-Za-z0-9_-]{20,2048}",
        entropy=3.0,
        strip="-_",
        examples=("Authorization: Bearer " + "ya" + "29." + _fake(120, ALNUM + "-_", 18),),
        counterexamples=("ya29." + "abc",),
    ),
    Rule(
        id="azure-ad-client-secret",
        description="Microsoft Entra ID (Azure AD) client secret: 3 characters, a digit, Q~, 31-34 more.",
        kind="secret",
        label="AZURE_CLIENT_SECRET",
        keywords=("q~",),
        pattern=r"Q~[A-Za-z0-9_~.-]{31,34}",
        left=r"[0-9][A-Za-z0-9_~.]{3}",
        left_max=4,
        left_boundary=ALNUM + "_~.",
        right_boundary=ALNUM + "_~.-",
        entropy=3.0,
        examples=("AZURE_CLIENT_SECRET=" + "abc8" + "Q~" + _fake(34, ALNUM + "_~.-", 19),),
        counterexamples=("Q~" + _fake(34, ALNUM, 19),),
    ),
    Rule(
        id="azure-storage-account-key",
        description="Azure storage account key inside a connection string (AccountKey=).",
        kind="secret",
        label="AZURE_STORAGE_KEY",
        view="lower",
        keywords=("accountkey=",),
        pattern=r"accountkey=(?P<secret>[a-z0-9+/]{86}==)",
        left_boundary="",
        right_boundary="",
        examples=("DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=" + _fake(86, B64, 20) + "==;EndpointSuffix=core.windows.net",),
        counterexamples=("AccountKey=<key>",),
    ),
    Rule(
        id="azure-sas-token",
        description="Azure shared access signature (sig= in a SAS URL with sv=).",
        kind="secret",
        label="AZURE_SAS",
        view="lower",
        keywords=("sig=",),
        pattern=r"sig=(?P<secret>[a-z0-9%+/]{30,120}(?:%3d|=){0,2})",
        left_boundary=ALNUM,
        right_boundary="",
        validator=_azure_sas,
        examples=("https://acme.blob.core.windows.net/c/f.txt?sv=2022-11-02&ss=b&sp=r&sig=" + _fake(43, ALNUM, 21) + "%3D",),
        counterexamples=("https://example.org/?sig=" + _fake(43, ALNUM, 21),),
    ),
    # --- Source forges and package registries -----------------------------------------
    Rule(
        id="github-pat",
        description="GitHub personal access token, classic (ghp_).",
        kind="secret",
        label="GITHUB_TOKEN",
        keywords=("ghp_",),
        pattern=r"ghp_[A-Za-z0-9]{36,255}",
        entropy=3.0,
        examples=("GITHUB_TOKEN=" + "gh" + "p_" + _GH_BODY, "git remote set-url origin https://" + "gh" + "p_" + _GH_BODY + "@github.com/o/r.git"),
        counterexamples=("ghp_" + "x" * 36, "ghp_" + _GH_BODY[:20], "xghp_" + _GH_BODY),
    ),
    Rule(
        id="github-oauth-token",
        description="GitHub OAuth access token (gho_).",
        kind="secret",
        label="GITHUB_TOKEN",
        keywords=("gho_",),
        pattern=r"gho_[A-Za-z0-9]{36,255}",
        entropy=3.0,
        examples=("oauth_token: " + "gh" + "o_" + _fake(36, ALNUM, 22),),
        counterexamples=("gho_" + "short",),
    ),
    Rule(
        id="github-user-token",
        description="GitHub user-to-server token (ghu_).",
        kind="secret",
        label="GITHUB_TOKEN",
        keywords=("ghu_",),
        pattern=r"ghu_[A-Za-z0-9]{36,255}",
        entropy=3.0,
        examples=("token=" + "gh" + "u_" + _fake(36, ALNUM, 23),),
        counterexamples=("ghu_" + "short",),
    ),
    Rule(
        id="github-refresh-token",
        description="GitHub refresh token (ghr_).",
        kind="secret",
        label="GITHUB_TOKEN",
        keywords=("ghr_",),
        pattern=r"ghr_[A-Za-z0-9]{36,255}",
        entropy=3.0,
        examples=('"refresh_token": "' + "gh" + "r_" + _fake(76, ALNUM, 24) + '"',),
        counterexamples=("ghr_" + "short",),
    ),
    Rule(
        id="github-app-token",
        description="GitHub App installation token (ghs_), including the 2026 long form ghs_<APPID>_<JWT>.",
        kind="secret",
        label="GITHUB_TOKEN",
        keywords=("ghs_",),
        pattern=r"ghs_[A-Za-z0-9_.-]{36,1024}",
        entropy=3.0,
        strip="._-",
        examples=(
            "GITHUB_TOKEN: " + "gh" + "s_" + _fake(36, ALNUM, 25),
            "token " + "gh" + "s_" + "123456_" + _JWT + ".",
        ),
        counterexamples=("ghs_" + "short",),
    ),
    Rule(
        id="github-fine-grained-pat",
        description="GitHub fine-grained personal access token (github_pat_).",
        kind="secret",
        label="GITHUB_TOKEN",
        keywords=("github_pat_",),
        pattern=r"github_pat_[A-Za-z0-9_]{50,255}",
        entropy=3.0,
        examples=("GH_TOKEN=" + "github" + "_pat_" + _fake(22, ALNUM, 26) + "_" + _fake(59, ALNUM, 27),),
        counterexamples=("github_pat_" + "short_name",),
    ),
    Rule(
        id="gitlab-pat",
        description="GitLab personal, project or group access token (glpat-, also the routable form).",
        kind="secret",
        label="GITLAB_TOKEN",
        keywords=("glpat-",),
        pattern=r"glpat-[A-Za-z0-9_-]{20,300}(?:\.[A-Za-z0-9]{2}\.[A-Za-z0-9]{7,9})?",
        entropy=3.0,
        examples=("PRIVATE-TOKEN: " + "gl" + "pat-" + _fake(20, ALNUM + "-_", 28), "glpat-" + _fake(27, ALNUM, 29) + ".01.171" + _fake(6, HEX, 30)),
        counterexamples=("glpat-" + "x" * 20,),
    ),
    Rule(
        id="gitlab-token",
        description="Other GitLab tokens: pipeline trigger, runner, CI build, deploy, SCIM/OAuth, feed, incoming mail, agent.",
        kind="secret",
        label="GITLAB_TOKEN",
        keywords=("glptt-", "glrt-", "glrtr-", "glcbt-", "gldt-", "glsoat-", "glft-", "glimt-", "glagent-", "gloas-"),
        pattern=r"gl(?:ptt|rtr?|cbt|dt|soat|ft|imt|agent|oas)-[A-Za-z0-9_.-]{20,300}",
        entropy=3.0,
        strip="._-",
        examples=("trigger token " + "gl" + "ptt-" + _fake(40, HEX, 31), "runner: " + "gl" + "rt-" + _fake(20, ALNUM, 32)),
        counterexamples=("glrt-" + "short",),
    ),
    Rule(
        id="gitlab-runner-registration-token",
        description="Legacy GitLab runner registration token (GR1348941).",
        kind="secret",
        label="GITLAB_TOKEN",
        keywords=("gr1348941",),
        pattern=r"GR1348941[A-Za-z0-9_-]{20,50}",
        entropy=3.0,
        examples=("--registration-token " + "GR1348" + "941" + _fake(20, ALNUM, 33),),
        counterexamples=("GR1348941" + "short",),
    ),
    Rule(
        id="gitlab-session-cookie",
        description="GitLab session cookie (_gitlab_session=).",
        kind="secret",
        label="GITLAB_SESSION",
        view="lower",
        keywords=("_gitlab_session=",),
        pattern=r"_gitlab_session=(?P<secret>[0-9a-z]{32})",
        left_boundary="",
        examples=("Cookie: _gitlab_session=" + _fake(32, HEX, 34),),
        counterexamples=("_gitlab_session=" + "abc",),
    ),
    Rule(
        id="npm-access-token",
        description="npm access token (npm_).",
        kind="secret",
        label="NPM_TOKEN",
        keywords=("npm_",),
        pattern=r"npm_[A-Za-z0-9]{36}",
        entropy=3.0,
        examples=("//registry.npmjs.org/:_authToken=" + "np" + "m_" + _fake(36, ALNUM, 35),),
        counterexamples=("npm_" + "config_cache", "npm_" + _fake(36, ALNUM, 35) + "x"),
    ),
    Rule(
        id="pypi-upload-token",
        description="PyPI (and TestPyPI) upload token: a macaroon starting pypi-AgE.",
        kind="secret",
        label="PYPI_TOKEN",
        keywords=("pypi-age",),
        pattern=r"pypi-AgE[A-Za-z0-9_-]{50,1000}",
        entropy=3.0,
        examples=("password = " + "py" + "pi-AgEIcHlwaS5vcmc" + _fake(70, ALNUM + "-_", 36),),
        counterexamples=("pypi-AgE" + "short",),
    ),
    Rule(
        id="rubygems-api-key",
        description="RubyGems API key (rubygems_).",
        kind="secret",
        label="RUBYGEMS_KEY",
        keywords=("rubygems_",),
        pattern=r"rubygems_[a-f0-9]{48}",
        examples=("GEM_HOST_API_KEY: " + "ruby" + "gems_" + _fake(48, HEX, 37),),
        counterexamples=("rubygems_" + "org",),
    ),
    Rule(
        id="clojars-deploy-token",
        description="Clojars deploy token (CLOJARS_).",
        kind="secret",
        label="CLOJARS_TOKEN",
        view="lower",
        keywords=("clojars_",),
        pattern=r"clojars_[a-z0-9]{60}",
        examples=("CLOJARS_PASSWORD=" + "CLO" + "JARS_" + _fake(60, HEX, 38),),
        counterexamples=("clojars_" + "username",),
    ),
    Rule(
        id="nuget-api-key",
        description="NuGet API key (oy2 plus 43 characters).",
        kind="secret",
        label="NUGET_KEY",
        keywords=("oy2",),
        pattern=r"oy2[a-z0-9]{43}",
        entropy=3.0,
        examples=("dotnet nuget push pkg.nupkg -k " + "oy" + "2" + _fake(43, "abcdefghijklmnopqrstuvwxyz0123456789", 39),),
        counterexamples=("toy2" + _fake(43, HEX, 39),),
    ),
    Rule(
        id="nuget-config-password",
        description="Clear-text password in a nuget.config packageSourceCredentials entry.",
        kind="secret",
        label="PASSWORD",
        view="lower",
        keywords=("cleartextpassword",),
        pattern=r"""cleartextpassword\\{0,3}"[ \t]{1,8}value=\\{0,3}"(?P<secret>[^"\\\r\n]{1,256})\\{0,3}\"""",
        left_boundary="",
        right_boundary="",
        priority=1,
        examples=('<add key="ClearText' + 'Password" value="' + _fake(14, ALNUM, 40) + '" />',),
        counterexamples=('<add key="ClearTextPassword" value="%NUGET_PASSWORD%" />',),
    ),
    Rule(
        id="huggingface-token",
        description="Hugging Face user access token (hf_).",
        kind="secret",
        label="HUGGINGFACE_TOKEN",
        keywords=("hf_",),
        pattern=r"hf_[A-Za-z0-9]{34,40}",
        entropy=3.0,
        examples=("HF_TOKEN=" + "h" + "f_" + _fake(34, ALNUM, 41),),
        counterexamples=("hf_" + "hub_cache_dir", "self_hf_" + _fake(34, ALNUM, 41)),
    ),
    Rule(
        id="huggingface-org-token",
        description="Hugging Face organization API token (api_org_).",
        kind="secret",
        label="HUGGINGFACE_TOKEN",
        keywords=("api_org_",),
        pattern=r"api_org_[A-Za-z0-9]{34}",
        entropy=3.0,
        examples=("token: " + "api" + "_org_" + _fake(34, ALNUM, 42),),
        counterexamples=("api_org_" + "name",),
    ),
    # --- Chat, payments, e-mail ------------------------------------------------------
    Rule(
        id="slack-token",
        description="Slack bot, user, workspace, app-config and legacy tokens (xoxb-, xoxp-, xoxe-, xoxa-, xoxo-, xoxs-, xoxr-).",
        kind="secret",
        label="SLACK_TOKEN",
        keywords=("xoxb-", "xoxp-", "xoxe-", "xoxe.", "xoxa-", "xoxo-", "xoxs-", "xoxr-"),
        pattern=r"xox[abeoprs][.-](?:xox[bp]-)?[A-Za-z0-9-]{8,300}",
        entropy=2.5,
        strip="-",
        validator=_has_digit,
        examples=("SLACK_BOT_TOKEN=" + "xo" + "xb-" + "1234567890123-1234567890123-" + _fake(24, ALNUM, 43), "xo" + "xp-" + "123456789012-123456789012-123456789012-" + _fake(32, HEX, 44)),
        counterexamples=("xoxb-" + "your-token", "xoxp-" + "xxxxxxxxxxxx"),
    ),
    Rule(
        id="slack-app-token",
        description="Slack app-level token (xapp-).",
        kind="secret",
        label="SLACK_TOKEN",
        keywords=("xapp-",),
        pattern=r"xapp-[0-9]-[A-Z0-9]{8,15}-[0-9]{8,15}-[a-z0-9]{20,80}",
        examples=("SLACK_APP_TOKEN=" + "xa" + "pp-1-A0" + _fake(9, UPPER_DIGITS, 45) + "-" + "1234567890123-" + _fake(64, HEX, 46),),
        counterexamples=("xapp-" + "1-short",),
    ),
    Rule(
        id="slack-webhook-url",
        description="Slack incoming webhook, workflow or trigger URL (the secret path).",
        kind="secret",
        label="SLACK_WEBHOOK",
        view="lower",
        keywords=("hooks.slack.com/",),
        pattern=r"hooks\.slack\.com/(?:services|workflows|triggers)/(?P<secret>[a-z0-9+/]{20,120})",
        left_boundary="",
        right_boundary="",
        examples=("https://" + "hooks.slack" + ".com/services/T0" + _fake(8, UPPER_DIGITS, 47) + "/B0" + _fake(8, UPPER_DIGITS, 48) + "/" + _fake(24, ALNUM, 49),),
        counterexamples=("https://hooks.slack.com/services/",),
    ),
    Rule(
        id="stripe-secret-key",
        description="Stripe secret or restricted key (sk_/rk_ live, test or prod); pk_ keys are public.",
        kind="secret",
        label="STRIPE_KEY",
        keywords=("sk_live_", "sk_test_", "sk_prod_", "rk_live_", "rk_test_", "rk_prod_"),
        pattern=r"[sr]k_(?:live|test|prod)_[A-Za-z0-9]{10,247}",
        entropy=3.0,
        examples=("STRIPE_SECRET_KEY=" + "sk" + "_live_" + _fake(99, ALNUM, 50), "stripe.api_key = '" + "rk" + "_test_" + _fake(24, ALNUM, 51) + "'"),
        counterexamples=("pk_live_" + _fake(24, ALNUM, 51), "sk_test_" + "xxxxxxxxxxxx"),
    ),
    Rule(
        id="stripe-webhook-secret",
        description="Stripe webhook signing secret (whsec_).",
        kind="secret",
        label="STRIPE_KEY",
        keywords=("whsec_",),
        pattern=r"whsec_[A-Za-z0-9+/=]{24,100}",
        entropy=3.0,
        examples=("STRIPE_WEBHOOK_SECRET=" + "wh" + "sec_" + _fake(32, ALNUM, 52),),
        counterexamples=("whsec_" + "short",),
    ),
    Rule(
        id="square-token",
        description="Square access token and OAuth secret (EAAA, sq0atp-, sq0csp-).",
        kind="secret",
        label="SQUARE_TOKEN",
        keywords=("sq0atp-", "sq0csp-", "EAAA"),
        pattern=r"(?:sq0atp-[A-Za-z0-9_-]{22}|sq0csp-[A-Za-z0-9_-]{43}|EAAA[A-Za-z0-9_+=-]{60})",
        entropy=3.0,
        examples=("SQUARE_ACCESS_TOKEN=" + "EA" + "AA" + _fake(60, ALNUM, 53),),
        counterexamples=("EAAA" + "short",),
    ),
    Rule(
        id="sendgrid-api-key",
        description="SendGrid API key (SG. plus 22 and 43 characters).",
        kind="secret",
        label="SENDGRID_KEY",
        keywords=("sg.",),
        pattern=r"SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}",
        entropy=3.0,
        examples=("SENDGRID_API_KEY=" + "S" + "G." + _fake(22, ALNUM, 54) + "." + _fake(43, ALNUM, 55),),
        counterexamples=("SG.name.value",),
    ),
    Rule(
        id="mailchimp-api-key",
        description="Mailchimp API key (32 hex and a -usN data-centre suffix).",
        kind="secret",
        label="MAILCHIMP_KEY",
        view="lower",
        pattern=r"-us[0-9]{1,2}",
        left=r"[0-9a-f]{32}",
        left_max=32,
        examples=("MAILCHIMP_KEY=" + _fake(32, HEX, 56) + "-" + "us21",),
        counterexamples=("lang=en-us1", "locale en-us"),
    ),
    Rule(
        id="twilio-api-key",
        description="Twilio API key SID (SK plus 32 hex).",
        kind="secret",
        label="TWILIO_KEY",
        pattern=r"SK[0-9a-fA-F]{32}",
        entropy=3.0,
        validator=lambda c: v.has_digit(c.value[2:]) and v.has_letter(c.value[2:]),
        examples=("TWILIO_API_KEY=" + "S" + "K" + _fake(32, HEX, 57),),
        counterexamples=("TASK" + _fake(32, HEX, 57), "SK" + "0" * 32),
    ),
    Rule(
        id="telegram-bot-token",
        description="Telegram bot token (numeric bot id, colon, AA and 32-33 characters).",
        kind="secret",
        label="TELEGRAM_TOKEN",
        keywords=(":aa",),
        pattern=r":AA[A-Za-z0-9_-]{32,33}",
        left=r"[0-9]{5,16}",
        left_max=16,
        right_boundary=TOKEN,
        entropy=3.0,
        examples=("TELEGRAM_BOT_TOKEN=" + "110201543" + ":AA" + _fake(32, ALNUM, 58),),
        counterexamples=("time 12:AA" + _fake(32, ALNUM, 58),),
    ),
    # --- AI providers -----------------------------------------------------------------
    Rule(
        id="anthropic-oauth-token",
        description="Claude Code OAuth access and refresh tokens (sk-ant-oat01-, sk-ant-ort01-).",
        kind="secret",
        label="ANTHROPIC_TOKEN",
        keywords=("sk-ant-o",),
        pattern=r"sk-ant-o[ar]t[0-9]{2}-[A-Za-z0-9_-]{20,400}",
        entropy=3.0,
        examples=("CLAUDE_CODE_OAUTH_TOKEN=" + "sk-" + "ant-oat01-" + _ANTHROPIC_BODY, '"refreshToken":"' + "sk-" + "ant-ort01-" + _ANTHROPIC_BODY + '"'),
        counterexamples=("sk-ant-oat01-" + "x" * 30,),
    ),
    Rule(
        id="anthropic-api-key",
        description="Anthropic API and admin keys (sk-ant-api03-, sk-ant-admin01-, and future sk-ant-<kind>NN-).",
        kind="secret",
        label="ANTHROPIC_KEY",
        keywords=("sk-ant-",),
        pattern=r"sk-ant-[a-z]{2,6}[0-9]{2}-[A-Za-z0-9_-]{20,400}",
        entropy=3.0,
        examples=("ANTHROPIC_API_KEY=" + "sk-" + "ant-api03-" + _ANTHROPIC_BODY, "x-api-key: " + "sk-" + "ant-admin01-" + _ANTHROPIC_BODY),
        counterexamples=("sk-ant-api03-" + "your-key-here-" + "x" * 10,),
    ),
    Rule(
        id="openai-api-key",
        description="OpenAI API key: project, service-account, admin and legacy user keys (the T3BlbkFJ marker).",
        kind="secret",
        label="OPENAI_KEY",
        keywords=("sk-",),
        pattern=r"sk-[A-Za-z0-9_-]{20,300}",
        entropy=3.5,
        validator=_openai_key,
        examples=("OPENAI_API_KEY=" + _OPENAI_PROJ, "openai.api_key = 'sk-" + _OPENAI_BODY + "'"),
        counterexamples=("task-" + _fake(40, ALNUM, 59), "sk-" + _fake(48, ALNUM, 59), "risk-assessment-for-the-quarter-report"),
    ),
    Rule(
        id="openrouter-api-key",
        description="OpenRouter API key (sk-or-v1-).",
        kind="secret",
        label="OPENROUTER_KEY",
        keywords=("sk-or-v1-",),
        pattern=r"sk-or-v1-[0-9a-f]{64}",
        examples=("OPENROUTER_API_KEY=" + "sk-" + "or-v1-" + _fake(64, HEX, 60),),
        counterexamples=("sk-or-v1-" + "abc",),
    ),
    Rule(
        id="groq-api-key",
        description="Groq API key (gsk_).",
        kind="secret",
        label="GROQ_KEY",
        keywords=("gsk_",),
        pattern=r"gsk_[A-Za-z0-9]{48,56}",
        entropy=3.5,
        examples=("GROQ_API_KEY=" + "gs" + "k_" + _fake(20, ALNUM, 61) + "WGdyb3FY" + _fake(24, ALNUM, 62),),
        counterexamples=("gsk_" + "short",),
    ),
    Rule(
        id="xai-api-key",
        description="xAI (Grok) API key (xai-).",
        kind="secret",
        label="XAI_KEY",
        keywords=("xai-",),
        pattern=r"xai-[A-Za-z0-9]{70,90}",
        entropy=3.5,
        examples=("XAI_API_KEY=" + "xa" + "i-" + _fake(80, ALNUM, 63),),
        counterexamples=("xai-" + "grok-2-latest",),
    ),
    Rule(
        id="perplexity-api-key",
        description="Perplexity API key (pplx-).",
        kind="secret",
        label="PERPLEXITY_KEY",
        keywords=("pplx-",),
        pattern=r"pplx-[A-Za-z0-9]{40,56}",
        entropy=3.5,
        examples=("PERPLEXITY_API_KEY=" + "pp" + "lx-" + _fake(48, ALNUM, 64),),
        counterexamples=("pplx-" + "api",),
    ),
    Rule(
        id="replicate-api-token",
        description="Replicate API token (r8_).",
        kind="secret",
        label="REPLICATE_TOKEN",
        keywords=("r8_",),
        pattern=r"r8_[A-Za-z0-9]{37,40}",
        entropy=3.5,
        examples=("REPLICATE_API_TOKEN=" + "r" + "8_" + _fake(37, ALNUM, 65),),
        counterexamples=("r8_" + "short", "car8_" + _fake(37, ALNUM, 65)),
    ),
    # --- Infrastructure and SaaS ------------------------------------------------------
    Rule(
        id="vault-token",
        description="HashiCorp Vault service and batch tokens (hvs., hvb.).",
        kind="secret",
        label="VAULT_TOKEN",
        keywords=("hvs.", "hvb."),
        pattern=r"hv[sb]\.[A-Za-z0-9_-]{24,300}",
        entropy=3.0,
        examples=("VAULT_TOKEN=" + "hv" + "s." + _fake(95, ALNUM + "_-", 66),),
        counterexamples=("hvs.short",),
    ),
    Rule(
        id="terraform-cloud-token",
        description="Terraform Cloud / HCP Terraform API token (<14>.atlasv1.<60-70>).",
        kind="secret",
        label="TERRAFORM_TOKEN",
        keywords=(".atlasv1.",),
        pattern=r"\.atlasv1\.[A-Za-z0-9_=-]{60,70}",
        left=r"[A-Za-z0-9]{14}",
        left_max=14,
        entropy=3.0,
        examples=('token = "' + _fake(14, ALNUM, 67) + ".atlas" + "v1." + _fake(67, ALNUM, 68) + '"',),
        counterexamples=("x.atlasv1." + _fake(67, ALNUM, 68),),
    ),
    Rule(
        id="digitalocean-token",
        description="DigitalOcean personal, OAuth and refresh tokens (dop_v1_, doo_v1_, dor_v1_).",
        kind="secret",
        label="DIGITALOCEAN_TOKEN",
        keywords=("dop_v1_", "doo_v1_", "dor_v1_"),
        pattern=r"do[por]_v1_[a-f0-9]{64}",
        examples=("DIGITALOCEAN_TOKEN=" + "do" + "p_v1_" + _fake(64, HEX, 69),),
        counterexamples=("dop_v1_" + "abc",),
    ),
    Rule(
        id="doppler-token",
        description="Doppler tokens (dp.pt., dp.st., dp.sa., dp.ct., dp.scim., dp.audit.).",
        kind="secret",
        label="DOPPLER_TOKEN",
        keywords=("dp.pt.", "dp.st.", "dp.sa.", "dp.ct.", "dp.scim.", "dp.audit."),
        pattern=r"dp\.(?:pt|st|sa|ct|scim|audit)\.[A-Za-z0-9]{40,44}",
        entropy=3.0,
        examples=("DOPPLER_TOKEN=" + "dp" + ".pt." + _fake(43, ALNUM, 70),),
        counterexamples=("dp.pt.short",),
    ),
    Rule(
        id="databricks-token",
        description="Databricks personal access token (dapi plus 32 hex).",
        kind="secret",
        label="DATABRICKS_TOKEN",
        keywords=("dapi",),
        pattern=r"dapi[a-f0-9]{32}(?:-[0-9])?",
        entropy=3.0,
        examples=("DATABRICKS_TOKEN=" + "da" + "pi" + _fake(32, HEX, 71),),
        counterexamples=("dapi" + "0" * 32, "xdapi" + _fake(32, HEX, 71)),
    ),
    Rule(
        id="shopify-token",
        description="Shopify access, custom-app, private-app tokens and shared secrets (shpat_, shpca_, shppa_, shpss_).",
        kind="secret",
        label="SHOPIFY_TOKEN",
        keywords=("shpat_", "shpca_", "shppa_", "shpss_"),
        pattern=r"shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}",
        entropy=3.0,
        examples=("X-Shopify-Access-Token: " + "shp" + "at_" + _fake(32, HEX, 72),),
        counterexamples=("shpat_" + "abc",),
    ),
    Rule(
        id="linear-api-key",
        description="Linear API key (lin_api_).",
        kind="secret",
        label="LINEAR_KEY",
        keywords=("lin_api_",),
        pattern=r"lin_api_[A-Za-z0-9]{40}",
        entropy=3.0,
        examples=("LINEAR_API_KEY=" + "lin" + "_api_" + _fake(40, ALNUM, 73),),
        counterexamples=("lin_api_" + "key",),
    ),
    Rule(
        id="notion-token",
        description="Notion integration token (ntn_).",
        kind="secret",
        label="NOTION_TOKEN",
        keywords=("ntn_",),
        pattern=r"ntn_[A-Za-z0-9]{40,50}",
        entropy=3.0,
        examples=("NOTION_TOKEN=" + "nt" + "n_" + _fake(46, ALNUM, 74),),
        counterexamples=("ntn_" + "short",),
    ),
    Rule(
        id="postman-api-key",
        description="Postman API key (PMAK-).",
        kind="secret",
        label="POSTMAN_KEY",
        keywords=("pmak-",),
        pattern=r"PMAK-[a-fA-F0-9]{24}-[a-fA-F0-9]{34}",
        entropy=3.0,
        examples=("X-Api-Key: " + "PM" + "AK-" + _fake(24, HEX, 75) + "-" + _fake(34, HEX, 76),),
        counterexamples=("PMAK-" + "short",),
    ),
    Rule(
        id="pulumi-access-token",
        description="Pulumi access token (pul-).",
        kind="secret",
        label="PULUMI_TOKEN",
        keywords=("pul-",),
        pattern=r"pul-[a-f0-9]{40}",
        entropy=3.0,
        examples=("PULUMI_ACCESS_TOKEN=" + "pu" + "l-" + _fake(40, HEX, 77),),
        counterexamples=("pul-" + "abc", "rapul-" + _fake(40, HEX, 77)),
    ),
    Rule(
        id="grafana-token",
        description="Grafana service-account token (glsa_) and Grafana Cloud token (glc_).",
        kind="secret",
        label="GRAFANA_TOKEN",
        keywords=("glsa_", "glc_"),
        pattern=r"gl(?:sa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}|c_[A-Za-z0-9+/]{32,400}={0,2})",
        entropy=3.0,
        examples=("GRAFANA_TOKEN=" + "gl" + "sa_" + _fake(32, ALNUM, 78) + "_" + _fake(8, HEX, 79), "glc_" + _fake(80, B64, 80)),
        counterexamples=("glc_" + "short",),
    ),
    Rule(
        id="sentry-token",
        description="Sentry organization and user auth tokens (sntrys_, sntryu_).",
        kind="secret",
        label="SENTRY_TOKEN",
        keywords=("sntrys_", "sntryu_"),
        pattern=r"sntry(?:s_[A-Za-z0-9_=+/-]{50,400}|u_[a-f0-9]{64})",
        entropy=3.0,
        examples=("SENTRY_AUTH_TOKEN=" + "snt" + "rys_" + "eyJ" + _fake(120, ALNUM, 81),),
        counterexamples=("sntrys_" + "short",),
    ),
    Rule(
        id="heroku-api-key",
        description="Heroku API key, new format (HRKU-).",
        kind="secret",
        label="HEROKU_KEY",
        keywords=("hrku-",),
        pattern=r"HRKU-[A-Za-z0-9_-]{40,80}",
        entropy=3.0,
        examples=("HEROKU_API_KEY=" + "HR" + "KU-AA" + _fake(58, ALNUM + "_-", 82),),
        counterexamples=("HRKU-" + "short",),
    ),
    Rule(
        id="onepassword-service-token",
        description="1Password service account token (ops_eyJ).",
        kind="secret",
        label="ONEPASSWORD_TOKEN",
        keywords=("ops_eyj",),
        pattern=r"ops_eyJ[A-Za-z0-9_=+/-]{100,4000}",
        entropy=3.0,
        examples=("OP_SERVICE_ACCOUNT_TOKEN=" + "op" + "s_eyJ" + _fake(200, ALNUM, 83),),
        counterexamples=("ops_eyJ" + "short",),
    ),
    Rule(
        id="onepassword-secret-key",
        description="1Password account secret key (A3-...).",
        kind="secret",
        label="ONEPASSWORD_KEY",
        keywords=("a3-",),
        pattern=r"A3-[A-Z0-9]{6}-(?:[A-Z0-9]{11}|[A-Z0-9]{6}-[A-Z0-9]{5})-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}",
        entropy=3.0,
        examples=("Secret Key: " + "A" + "3-" + _fake(6, UPPER_DIGITS, 84) + "-" + _fake(11, UPPER_DIGITS, 85) + "-" + _fake(5, UPPER_DIGITS, 86) + "-" + _fake(5, UPPER_DIGITS, 87) + "-" + _fake(5, UPPER_DIGITS, 88),),
        counterexamples=("A3-PAPER-SIZE",),
    ),
    Rule(
        id="artifactory-token",
        description="JFrog Artifactory API key (AKCp) and reference token (cmVmd).",
        kind="secret",
        label="ARTIFACTORY_TOKEN",
        keywords=("akcp", "cmvmd"),
        pattern=r"(?:AKCp[A-Za-z0-9]{69}|cmVmd[A-Za-z0-9]{59})",
        entropy=3.0,
        examples=("ARTIFACTORY_API_KEY=" + "AK" + "Cp" + _fake(69, ALNUM, 89),),
        counterexamples=("AKCp" + "short",),
    ),
    Rule(
        id="alibaba-access-key-id",
        description="Alibaba Cloud AccessKey id (LTAI).",
        kind="secret",
        label="ALIBABA_KEY",
        keywords=("LTAI",),
        pattern=r"LTAI[A-Za-z0-9]{20}",
        entropy=3.0,
        examples=("ALIBABA_CLOUD_ACCESS_KEY_ID=" + "LT" + "AI" + _fake(20, ALNUM, 90),),
        counterexamples=("LTAI" + "short", "VOLTAI" + _fake(20, ALNUM, 90)),
    ),
    Rule(
        id="dynatrace-token",
        description="Dynatrace API token (dt0c01.).",
        kind="secret",
        label="DYNATRACE_TOKEN",
        keywords=("dt0c01.",),
        pattern=r"dt0c01\.[A-Z0-9]{24}\.[A-Z0-9]{64}",
        examples=("DT_API_TOKEN=" + "dt0" + "c01." + _fake(24, UPPER_DIGITS, 91) + "." + _fake(64, UPPER_DIGITS, 92),),
        counterexamples=("dt0c01.short",),
    ),
    Rule(
        id="flyio-token",
        description="Fly.io access and macaroon tokens (fo1_, fm1a_, fm1r_, fm2_).",
        kind="secret",
        label="FLYIO_TOKEN",
        keywords=("fo1_", "fm1a_", "fm1r_", "fm2_"),
        pattern=r"(?:fo1_[A-Za-z0-9_-]{43}|fm[12][ar]?_[A-Za-z0-9_=+/-]{100,4000})",
        entropy=3.0,
        examples=("FLY_API_TOKEN=" + "fm" + "2_" + _fake(180, B64, 93),),
        counterexamples=("fm2_" + "short",),
    ),
    Rule(
        id="docker-pat",
        description="Docker Hub personal access token (dckr_pat_).",
        kind="secret",
        label="DOCKER_TOKEN",
        keywords=("dckr_pat_",),
        pattern=r"dckr_pat_[A-Za-z0-9_-]{27,40}",
        entropy=3.0,
        examples=("echo " + "dckr" + "_pat_" + _fake(27, ALNUM, 94) + " | docker login -u kim --password-stdin",),
        counterexamples=("dckr_pat_" + "short",),
    ),
    Rule(
        id="vercel-token",
        description="Vercel access token (vcp_).",
        kind="secret",
        label="VERCEL_TOKEN",
        keywords=("vcp_",),
        pattern=r"vcp_[A-Za-z0-9]{24,64}",
        entropy=3.0,
        examples=("VERCEL_TOKEN=" + "vc" + "p_" + _fake(40, ALNUM, 95),),
        counterexamples=("vcp_" + "short",),
    ),
    Rule(
        id="supabase-token",
        description="Supabase personal access token (sbp_) and secret key (sb_secret_).",
        kind="secret",
        label="SUPABASE_TOKEN",
        keywords=("sbp_", "sb_secret_"),
        pattern=r"(?:sbp_[a-f0-9]{40}|sb_secret_[A-Za-z0-9_-]{20,64})",
        entropy=3.0,
        examples=("SUPABASE_ACCESS_TOKEN=" + "sb" + "p_" + _fake(40, HEX, 96),),
        counterexamples=("sbp_" + "abc",),
    ),
    Rule(
        id="tailscale-key",
        description="Tailscale auth, API and OAuth client keys (tskey-).",
        kind="secret",
        label="TAILSCALE_KEY",
        keywords=("tskey-",),
        pattern=r"tskey-[A-Za-z0-9-]{20,120}",
        entropy=3.0,
        strip="-",
        validator=_has_digit,
        examples=("TS_AUTHKEY=" + "ts" + "key-auth-" + _fake(12, ALNUM, 97) + "CNTRL-" + _fake(30, ALNUM, 98),),
        counterexamples=("tskey-" + "auth-your-key-here-abc",),
    ),
    Rule(
        id="discord-webhook-url",
        description="Discord webhook URL (the token part).",
        kind="secret",
        label="DISCORD_WEBHOOK",
        view="lower",
        keywords=("discord.com/api/webhooks/", "discordapp.com/api/webhooks/"),
        pattern=r"discord(?:app)?\.com/api/webhooks/[0-9]{16,22}/(?P<secret>[a-z0-9_-]{40,100})",
        left_boundary="",
        right_boundary="",
        examples=("https://" + "discord.com/api/" + "webhooks/123456789012345678/" + _fake(68, ALNUM + "-_", 99),),
        counterexamples=("https://discord.com/api/webhooks/",),
    ),
    Rule(
        id="teams-webhook-url",
        description="Microsoft Teams incoming webhook URL (the path after webhookb2/).",
        kind="secret",
        label="TEAMS_WEBHOOK",
        view="lower",
        keywords=("webhook.office.com/webhookb2/",),
        pattern=r"webhook\.office\.com/webhookb2/(?P<secret>[a-z0-9@/_-]{40,400})",
        left_boundary="",
        right_boundary="",
        examples=("https://acme." + "webhook.office.com/" + "webhookb2/" + _fake(36, HEX, 100) + "@" + _fake(36, HEX, 101) + "/IncomingWebhook/" + _fake(32, HEX, 102) + "/" + _fake(36, HEX, 103),),
        counterexamples=("https://acme.webhook.office.com/webhookb2/",),
    ),
    # --- Keys and tokens of any provider ---------------------------------------------
    Rule(
        id="private-key",
        description="PEM private key block (RSA, EC, DSA, OpenSSH, PKCS#8, encrypted, PGP), also JSON-escaped.",
        kind="secret",
        label="PRIVATE_KEY",
        view="lower",
        keywords=("-----begin",),
        pattern=r"-----begin[ a-z0-9_-]{0,40}private key(?: block)?-----",
        left_boundary="",
        right_boundary="",
        validator=_pem_block,
        placeholder_check=False,
        examples=(
            _pem("RSA PRIVATE", _PEM_BODY),
            '{"private_key": "' + _pem("PRIVATE", _PEM_BODY, "\\n") + '\\n", "client_email": "x"}',
            _pem("OPENSSH PRIVATE", _PEM_BODY)[:400],
        ),
        counterexamples=(_pem("RSA PRIVATE", "..."), _DASHES + "BEGIN CERTIFICATE" + _DASHES + "\n" + _PEM_BODY[:64]),
    ),
    Rule(
        id="private-key-base64",
        description="A base64-encoded PEM private key (Kubernetes tls.key, CI variables).",
        kind="secret",
        label="PRIVATE_KEY",
        keywords=("ls0tls1crudjtib",),
        pattern=r"LS0tLS1CRUdJTiB[A-Za-z0-9+/]{20,32768}={0,2}",
        left_boundary=B64,
        right_boundary=B64,
        validator=_base64_private_key,
        placeholder_check=False,
        examples=("  tls.key: " + base64.b64encode(_pem("RSA PRIVATE", _PEM_BODY[:128]).encode()).decode(),),
        counterexamples=("  tls.crt: " + base64.b64encode((_DASHES + "BEGIN CERTIFICATE" + _DASHES + "\n" + _PEM_BODY[:128]).encode()).decode(),),
    ),
    Rule(
        id="age-secret-key",
        description="age encryption secret key (AGE-SECRET-KEY-1).",
        kind="secret",
        label="PRIVATE_KEY",
        keywords=("age-secret-key-1",),
        pattern=r"AGE-SECRET-KEY-1[0-9A-Z]{58}",
        examples=("AGE" + "-SECRET-KEY-1" + _fake(58, "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L", 104),),
        counterexamples=("AGE-SECRET-KEY-1" + "SHORT",),
    ),
    Rule(
        id="putty-private-key",
        description="PuTTY private key file (from Private-Lines to Private-MAC).",
        kind="secret",
        label="PRIVATE_KEY",
        view="lower",
        keywords=("private-lines:",),
        pattern=r"private-lines: {0,4}[0-9]{1,4}",
        left_boundary=ALNUM + "-",
        right_boundary="",
        validator=_putty_private,
        placeholder_check=False,
        examples=("PuTTY-User-Key-File-3: ssh-ed25519\nPublic-Lines: 2\nAAAAC3Nz\nPrivate-" + "Lines: 1\n" + _fake(44, B64, 105) + "\nPrivate-MAC: " + _fake(64, HEX, 106),),
        counterexamples=("Private-Lines: 1\nno mac here",),
    ),
    Rule(
        id="json-web-token",
        description="JSON Web Token (eyJ header, payload, signature): session and API bearer tokens.",
        kind="secret",
        label="JWT",
        keywords=(".ey",),
        pattern=r"\.ey[A-Za-z0-9_-]{8,8000}(?:\.[A-Za-z0-9_-]{0,2000})?",
        left=r"[A-Za-z0-9_-]{10,4000}",
        left_max=4000,
        left_boundary=TOKEN,
        right_boundary=TOKEN,
        entropy=3.0,
        validator=_jwt,
        examples=("Authorization: Bearer " + _JWT, '{"id_token": "' + _JWT + '"}'),
        counterexamples=("eyJhbGciOi.notajwt", "data.eyes.open"),
    ),
    # --- Credentials in context -------------------------------------------------------
    Rule(
        id="docker-config-auth",
        description='Registry credentials in a Docker config.json ("auth": base64 of user:password).',
        kind="secret",
        label="DOCKER_AUTH",
        view="lower",
        keywords=("auth",),
        pattern=r"""auth\\{0,3}"[ \t]{0,8}:[ \t]{0,8}\\{0,3}"(?P<secret>[a-z0-9+/]{12,1024}={0,2})\\{0,3}\"""",
        left_boundary=WORD,
        right_boundary="",
        entropy=3.0,
        priority=1,
        examples=('{"auths": {"ghcr.io": {"auth": "' + base64.b64encode(b"kim:" + _fake(16, ALNUM, 120).encode()).decode() + '"}}}',),
        counterexamples=('{"auth": "none"}', '"auth": true'),
    ),
    Rule(
        id="url-credential",
        description="A password in a URL or connection string (postgres://user:pass@host, https://user:token@github.com).",
        kind="secret",
        label="PASSWORD",
        pattern=r"""://(?P<user>[^\s/?#@:'"`<>\\]{0,128}):(?P<secret>[^\s/?#'"`<>\\]{1,256})@(?=[A-Za-z0-9\[])""",
        left_boundary="",
        right_boundary="",
        priority=1,
        examples=(
            "DATABASE_URL=postgres://app:" + "Qm9" + "xT4z-Lp2@db.internal:5432/app",
            "https://x-access-token:" + _fake(30, ALNUM, 107) + "@github.com/o/r.git",
            "redis://:" + _fake(16, ALNUM, 108) + "@cache:6379/0",
        ),
        counterexamples=("postgres://user:password@localhost/db", "https://${USER}:${TOKEN}@github.com", "mysql://root:***@db", "http://host:8080/path@x"),
    ),
    Rule(
        id="url-token",
        description="A token used as the user part of a URL (https://TOKEN@github.com, Sentry DSN keys).",
        kind="secret",
        label="URL_TOKEN",
        pattern=r"""://(?P<secret>[A-Za-z0-9_.~+=-]{16,256})@(?=[A-Za-z0-9\[])""",
        left_boundary="",
        right_boundary="",
        validator=_url_token,
        priority=1,
        examples=("git clone https://" + _fake(40, HEX, 109) + "@github.com/o/r.git",),
        counterexamples=("https://john.smith.junior@example.org", "ssh://git@github.com/o/r"),
    ),
    Rule(
        id="http-authorization-header",
        description="The credential in an Authorization header (Bearer, Basic, Token, Digest, raw).",
        kind="secret",
        label="AUTH_TOKEN",
        view="lower",
        keywords=("authorization",),
        pattern=r"""authorization\\{0,3}["'`]?[ \t]{0,8}[:=][ \t]{0,8}\\{0,3}["'`]?(?:(?:bearer|basic|token|digest|apikey|api-key|sso-key|negotiate|ntlm)[ \t]{1,8})?(?P<secret>[^\s"'`,;\\]{8,4096})""",
        left_boundary=ALNUM,
        right_boundary="",
        validator=_auth_header,
        priority=1,
        examples=(
            'curl -H "Authorization: Bearer ' + _fake(32, ALNUM, 110) + '" https://api.acme.dev',
            "Authorization: Basic " + base64.b64encode(b"kim:" + _fake(12, ALNUM, 111).encode()).decode(),
            '{"headers": {"Authorization": "token ' + _fake(40, HEX, 112) + '"}}',
        ),
        counterexamples=('"Authorization": f"Bearer {token}"', "Authorization: Bearer $TOKEN", "Authorization: Bearer ${{ secrets.GH }}", "authorization: required"),
    ),
    Rule(
        id="http-bearer-token",
        description="A bearer token outside an Authorization header (Bearer <token>).",
        kind="secret",
        label="AUTH_TOKEN",
        view="lower",
        keywords=("bearer",),
        pattern=r"bearer[ \t]{1,8}(?P<secret>[a-z0-9._~+/=-]{16,4096})",
        left_boundary=ALNUM,
        right_boundary="",
        strip=".",
        validator=_bearer,
        priority=1,
        examples=("headers = {'x': 'Bearer " + _fake(40, ALNUM, 113) + "'}",),
        counterexamples=("bearer authentication is described in RFC 6750", "Bearer tokenization-strategy"),
    ),
    Rule(
        id="curl-basic-auth",
        description="curl/wget -u user:password.",
        kind="secret",
        label="PASSWORD",
        view="lower",
        keywords=("-u ", "--user"),
        pattern=r"""(?:-u|--user)(?:[ \t]{1,8}|=)\\{0,3}["']?(?P<user>[^\s:"'\\]{1,128}):(?P<secret>[^\s"'\\]{1,256})""",
        left_boundary=ALNUM + "-",
        right_boundary="",
        strip=".",
        validator=_curl_user,
        priority=1,
        examples=("curl -u kim:" + _fake(14, ALNUM, 114) + " https://api.acme.dev/v1",),
        counterexamples=("git push -u origin main", "curl -u $USER:$PASS https://x", "python -u script.py a:b"),
    ),
    Rule(
        id="sql-password",
        description="A password in SQL (IDENTIFIED BY '...', WITH PASSWORD '...').",
        kind="secret",
        label="PASSWORD",
        view="lower",
        keywords=("identified by", "password '", 'password "'),
        pattern=r"""(?:identified[ \t]{1,8}by(?:[ \t]{1,8}password)?|password)[ \t]{1,8}(?P<q>'|")(?P<secret>[^'"\r\n]{1,256})(?P=q)""",
        left_boundary=ALNUM + "_",
        right_boundary="",
        validator=_sql_password,
        priority=1,
        examples=("CREATE USER app IDENTIFIED BY '" + "Tr0ub4" + "dor&3';", "ALTER ROLE app WITH PASSWORD '" + "s3cr" + "etPW!x';"),
        counterexamples=("IDENTIFIED BY '***'", "ALTER ROLE app WITH PASSWORD '<password>';"),
    ),
    Rule(
        id="generic-password",
        description="A value assigned to a password-like name (password=, DB_PASS:, --password, \"passwd\": \"...\").",
        kind="secret",
        label="PASSWORD",
        view="lower",
        keywords=("pass", "pwd"),
        pattern=(
            r"(?P<name>p(?:ass(?:word|wd|phrase)?|wd)[a-z0-9_.-]{0,40})"
            r"""(?P<close>\\{0,3}["'`]?\]?)[ \t]{0,8}(?P<op>:=|=>|=|:|[ \t])[ \t]{0,8}"""
            r"""(?:(?P<q>\\{0,3}["'`])(?P<secret>[^"'`\r\n]{4,256}?)(?P=q)|(?P<secret_bare>(?!\$)[^\s"'`,;(){}\[\]<>\\]{4,256}))"""
        ),
        left_boundary="",
        right_boundary="",
        validator=_generic_password,
        placeholder_check=False,
        priority=2,
        examples=(
            "DB_PASSWORD=" + "Xy7" + "-rq2!pz",
            'passwd: "' + "c0rrect" + '-h0rse"',
            "mysqldump --password " + "p4ss" + "W0rd9 db",
            '"password": "' + "hunter" + '2x!"',
            "machine api.acme.dev login kim password " + "wq9" + "Zk2",
            'cmd: "export PGPASSWORD=\\"' + "Lm3" + 'x9Qa\\" && psql"',
        ),
        counterexamples=(
            'password = os.environ["DB_PASSWORD"]',
            "password: ${DB_PASSWORD}",
            "password = get_password()",
            "PASSWORD=changeme",
            "password: str",
            "password_file: /run/secrets/db",
            "pass_through = True",
            "5 passed, 2 skipped in 0.12s",
            "password = db_password",
            '"password": "<your-password>"',
            "password: Optional[str] = None",
            "Enter your password:",
            "the password is required",
            "self.password = password",
        ),
    ),
    Rule(
        id="generic-secret",
        description="A high-entropy value assigned to a secret-like name (api_key=, \"secret\": \"...\", X-API-Key:, client_secret:).",
        kind="secret",
        label="SECRET",
        view="lower",
        keywords=("secret", "token", "key"),
        pattern=(
            r"(?P<name>(?:secret(?!s\b|_?name|_?ref)|token(?!s\b|iz|is|_?type|_?count|_?url|_?usage|_?limit)|key(?!s\b|_?ids?\b|word|board|ring|chain|frame|stroke|code|press))[a-z0-9_.-]{0,40})"
            r"""(?P<close>\\{0,3}["'`]?\]?)[ \t]{0,8}(?P<op>:=|=>|=|:|[ \t])[ \t]{0,8}"""
            r"""(?:(?P<q>\\{0,3}["'`])(?P<secret>[^"'`\r\n]{8,256}?)(?P=q)|(?P<secret_bare>(?!\$)[^\s"'`,;(){}\[\]<>\\]{8,256}))"""
        ),
        left_boundary="",
        right_boundary="",
        validator=_generic_secret,
        placeholder_check=False,
        priority=2,
        examples=(
            "api_key = '" + _fake(32, ALNUM, 115) + "'",
            '"client_secret": "' + _fake(24, ALNUM + "-_", 116) + '"',
            "X-API-Key: " + _fake(40, HEX, 117),
            "SECRET_KEY=" + "django-insecure-" + _fake(40, ALNUM + "!@#%^&*-_=+", 118),
            "--auth-token " + _fake(32, ALNUM, 119),
        ),
        counterexamples=(
            "max_tokens = 4096",
            '"input_tokens": 1234',
            'tokenizer = AutoTokenizer.from_pretrained("gpt2")',
            'secret_name: "my-app-secret"',
            'api_key = os.getenv("OPENAI_API_KEY")',
            '"token_type": "bearer"',
            "public_key: " + _fake(40, B64, 121),
            '"key": "value"',
            'token: "' + "550e8400-e29b-41d4-a716-446655440000" + '"',
            "session_token = 3f786850e387550fdab836ed7e6dc881de23001b",
            'token_url = "https://oauth2.example.org/token"',
            'secretKeyRef: {name: db, key: password}',
            "key_id = " + _fake(20, HEX, 122),
            'next_page_token: "' + _fake(40, ALNUM, 123) + '"',
            '"tokenizer_class": "LlamaTokenizerFast"',
            "api_key: ${{ secrets.OPENAI_API_KEY }}",
            "secret = hashlib.sha256(data).hexdigest()",
            "auth: true",
        ),
    ),
    # --- Personal data ----------------------------------------------------------------
    Rule(
        id="email-address",
        description="E-mail address (documentation domains such as example.com and no-reply senders are kept).",
        kind="pii",
        label="EMAIL",
        view="lower",
        pattern=r"@[a-z0-9](?:[a-z0-9-]{0,62}\.){1,8}[a-z]{2,24}(?![a-z0-9-])",
        left=r"[a-z0-9._%+-]{1,64}",
        left_max=64,
        left_boundary=ALNUM + "._%+-",
        right_boundary="",
        validator=_email,
        priority=3,
        examples=("Contact: " + _EMAIL_LOCAL + "@" + _HOST + ".", "From: <" + "ren+ci" + "@" + "bitwise.io>"),
        counterexamples=(
            "user@example.com",
            "git@github.com:org/repo.git",
            "@property",
            "npm i @types/node@18.11.9",
            "icon@2x.png",
            "https://user@host.io/path",
            "noreply@github.com",
        ),
    ),
    Rule(
        id="phone-number-international",
        description="Phone number in international format (+CC ...), 9-15 digits (+1: exactly 11).",
        kind="pii",
        label="PHONE",
        view="shape",
        pattern=r"\+0[0 ().-]{6,24}0",
        left_boundary=ALNUM + "+",
        right_boundary=ALNUM,
        validator=_phone_international,
        priority=3,
        examples=("call +44 20 " + "7946 0958 tomorrow", '"phone": "+1415' + '5552671"', "Tel. +49 (30) " + "901820-11"),
        counterexamples=("x = a +1", "+1.2.3", "offset +0530", "sha512-abc+4412345678"),
    ),
    Rule(
        id="phone-number-nanp",
        description="North American phone number written area-exchange-line (ten digits, dashes).",
        kind="pii",
        label="PHONE",
        view="shape",
        pattern=r"000-000-0000",
        left_boundary=ALNUM + "-.+",
        right_boundary=ALNUM + "-",
        validator=_phone_digits,
        priority=3,
        examples=("Call 415-555-" + "0134 after 5", "mobile 415-555-" + "0199"),
        counterexamples=("2024-01-15", "id 123-45-6789", "v1-123-456-7890-x"),
    ),
    Rule(
        id="phone-number-nanp-parenthesized",
        description="North American phone number with the area code in parentheses.",
        kind="pii",
        label="PHONE",
        view="shape",
        pattern=r"\(000\)[ .-]?000[-. ]0000",
        left_boundary=ALNUM,
        right_boundary=ALNUM + "-",
        validator=_phone_digits,
        priority=3,
        examples=("Call (415) 555-" + "0134 after 5", "tel (212)555-" + "0187"),
        counterexamples=("f(123) 456-7890-1", "(000) 000-0000"),
    ),
    Rule(
        id="phone-number-context",
        description="Phone number after a phone word (phone, telephone, mobile, fax, WhatsApp).",
        kind="pii",
        label="PHONE",
        view="lower",
        keywords=("phone", "mobile", "fax", "whatsapp"),
        pattern=r"(?:phone|mobile|fax|whatsapp)[a-z_ #.:=\"'()-]{0,30}?(?P<secret>\(?[0-9][0-9 ().-]{5,20}[0-9])",
        left_boundary="",
        right_boundary="",
        validator=_phone_context,
        priority=3,
        examples=("Phone: 020 " + "7946 0958", "mobile_number = '06 12 34 " + "56 78'", "fax 415.555." + "0123", "Telephone: 030 " + "901820"),
        counterexamples=("phone_id = 123456789", "telemetry events 1234567", "hotel 2024 room 12", "iphone 15 pro 256"),
    ),
    Rule(
        id="us-ssn",
        description="US Social Security number (ddd-dd-dddd) that follows the issuance rules.",
        kind="pii",
        label="SSN",
        view="shape",
        pattern=r"000-00-0000",
        left_boundary=ALNUM + "-.",
        right_boundary=ALNUM + "-",
        validator=_ssn,
        priority=3,
        examples=("SSN 536-90-" + "4399", '"ssn": "412-73-' + '1190"'),
        counterexamples=("078-05-1120", "666-12-3456", "000-12-3456", "912-34-5678", "536-00-4399", "1536-90-4399"),
    ),
    Rule(
        id="us-ssn-context",
        description="US Social Security number without dashes after 'SSN' or 'social security'.",
        kind="pii",
        label="SSN",
        view="lower",
        keywords=("ssn", "social security"),
        pattern=r"""(?:ssn|social security(?: number| no\.?)?)[a-z_]{0,10}\\{0,3}["']?[ \t]{0,4}[:=#]?[ \t]{0,4}\\{0,3}["']?(?P<secret>[0-9]{9}|[0-9]{3} [0-9]{2} [0-9]{4})""",
        left_boundary=ALNUM,
        right_boundary=ALNUM,
        validator=_ssn,
        priority=3,
        examples=("ssn: 5369" + "04399", "Social Security Number 536 90 " + "4399"),
        counterexamples=("ssn: 078051120", "ssn_count: 123456789012"),
    ),
    Rule(
        id="credit-card-number",
        description="Payment card number (Visa, Mastercard, Amex, Discover, JCB, Diners, UnionPay, Maestro) with a valid Luhn check.",
        kind="pii",
        label="CARD",
        view="shape",
        first="23456",
        pattern=r"0000(?:0{8,15}|[ -]0000[ -]0000[ -]0{1,7}(?:[ -]000)?|[ -]000000[ -]0{4,5})",
        left_boundary=ALNUM + "-.+",
        right_boundary=ALNUM,
        validator=_card,
        priority=3,
        examples=("card 4539 1488 " + "0343 6467 exp 12/29", "5425" + "233430109903", "amex 3468-274601-" + "12344"),
        counterexamples=("1700000000000", "4539 1488 0343 6468", "order 4539-1488 0343-6467", "ts=1716239022123456", "4111 1111 1111 1111", "4242424242424242", "378282246310005"),
    ),
    Rule(
        id="iban-account-number",
        description="International bank account number with the country's length and a valid mod-97 check.",
        kind="pii",
        label="IBAN",
        view="shape",
        pattern=r"AA00(?: ?[A0]{4}){2,7}(?: ?[A0]{1,3})?",
        left_boundary=ALNUM,
        right_boundary=ALNUM,
        validator=_iban,
        priority=3,
        examples=("IBAN: DE89 3704 0044 " + "0532 0130 00", "GB82WEST" + "12345698765432", "to DE89 3704 0044 " + "0532 0130 00 EUR"),
        counterexamples=("DE89 3704 0044 0532 0130 01", "XX12 3456 7890 1234", "AB12CDEF"),
    ),
    Rule(
        id="ipv4-address",
        description="Public IPv4 address (private, loopback, documentation ranges and version strings are kept).",
        kind="pii",
        label="IP_ADDRESS",
        pattern=r"\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}",
        left=r"[0-9]{1,3}",
        left_max=3,
        left_boundary=WORD + ".",
        right_boundary=WORD,
        validator=_ipv4,
        priority=3,
        examples=("Connection from 52.14." + "123.9 port 22", '"client_ip": "185.199.' + '108.153"'),
        counterexamples=("127.0.0.1", "10.0.0.12", "192.168.1.20", "version 4.2.1.9", "v10.15.3.7", "1.2.3.4", "1.3.6.1.4.1", "8.8.8.8", "203.0.113.9"),
    ),
    Rule(
        id="ipv6-address",
        description="Public IPv6 address (global unicast 2000::/3; documentation and local ranges are kept).",
        kind="pii",
        label="IP_ADDRESS",
        view="lower",
        pattern=r":(?<=[23][0-9a-f]{3}:)[0-9a-f:.]{2,45}",
        left=r"[0-9a-f]{4}",
        left_max=4,
        left_boundary=WORD + ":.",
        right_boundary=WORD,
        validator=_ipv6,
        priority=3,
        examples=("from 2606:" + "4700:4700::1111 via", "[2a00:" + "1450:4001:82b::200e]:443"),
        counterexamples=("::1", "fe80::1", "2001:db8::1", "2024:12:31", "at 2023:01:02:03"),
    ),
    Rule(
        id="home-directory-user",
        description="The user name in a home directory path (/home/NAME, /Users/NAME); the path is kept.",
        kind="pii",
        label="HOME_USER",
        keywords=("/home/", "/users/"),
        pattern=r"""/(?:home|Users)/(?P<secret>[^/\\\s"'`:;,<>|*?(){}\[\]$%!#&=]{1,64})""",
        left_boundary="",
        right_boundary="",
        validator=_home_user,
        placeholder_check=False,
        priority=3,
        examples=("open /home/" + "dkowalski/src/app.py", 'cwd: "/Users/' + 'mfernandez/work"', "file:///home/" + "dkowalski/notes.md"),
        counterexamples=("/home/runner/work/repo", "/Users/Shared/x", "/home/$USER/x", "https://api.acme.dev/home/about", "/home/[HOME_USER_1]/x", "/home/"),
    ),
    Rule(
        id="windows-home-directory-user",
        description="The user name in a Windows profile path (C:\\Users\\NAME, also JSON-escaped and with /).",
        kind="pii",
        label="HOME_USER",
        view="lower",
        keywords=("\\users\\", "/users/"),
        pattern=r"""(?:\\users\\{1,4}|/users/)(?P<secret>[^/\\\s"'`:;,<>|*?(){}\[\]$%!#&=]{1,64})""",
        left=r"\\{0,3}:[a-z]",
        left_max=5,
        left_boundary=ALNUM,
        right_boundary="",
        validator=_windows_user,
        placeholder_check=False,
        priority=3,
        examples=("C:\\Users\\" + "mfernandez\\AppData", '{"cwd": "C:\\\\Users\\\\' + 'dkowalski\\\\src"}', "c:/users/" + "dkowalski/x"),
        counterexamples=("C:\\Users\\Public\\Desktop", "C:\\Users\\%USERNAME%\\x", "C:\\Users\\Default"),
    ),
)


def rules_by_id() -> dict:
    return {rule.id: rule for rule in RULES}
