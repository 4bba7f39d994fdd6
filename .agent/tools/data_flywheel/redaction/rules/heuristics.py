"""Shared predicates over candidates: how an assignment's name and value are read.

The generic rules (``context.py``) and any rule that needs to know "is this a
credential name, is that a real value" use these; each is small and named for
what it decides (after detect-secrets' heuristic filters).
"""
from __future__ import annotations

import re
from typing import Any, Tuple

from .. import validators as v


def value_has_digit(c: Any) -> bool:
    return v.has_digit(c.value)


# --- Generic "NAME = value" assignments (gitleaks generic-api-key, with CredSweeper's filters).

CAMEL_RE = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")
# Name parts that make an assignment a description of a secret, not the secret:
# secret_name, token_count, password_file, public_key, key_id, next_page_token.
NAME_EXCLUDE = frozenset(
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
    cache sort partition primary foreign idempotency object lookup dedup row group shard bucket commit
    csrf xsrf nonce etag revision rev build run job trace span correlation request upload download
    signature map dict mgr
    """.split()
)
SECRET_WORDS = frozenset(
    """secret token credential credentials creds apikey accesstoken refreshtoken authtoken apitoken
    bearertoken sessiontoken secretkey privatekey accesskey clientsecret signingkey encryptionkey
    masterkey passkey""".split()
)
KEY_QUALIFIERS = frozenset(
    """api access secret private auth signing encryption encrypt master license client app session
    service account storage admin consumer shared webhook subscription x sas hmac jwt""".split()
)
PASSWORD_WORDS = ("password", "passwd", "passphrase")

# How sure a name is that its value is a credential (see ``credential_name``).
STRONG = 2
WEAK = 1
# Words before "token" that make it an id rather than a credential.
_TOKEN_NOT_CREDENTIAL = frozenset("session sync cancel cancellation continuation page next csrf xsrf request".split())
_STRONG_LAST = frozenset("secret secrets apikey password passwd pat auth credential credentials creds accesskey secretkey privatekey".split())


NAME_LEFT_RE = re.compile(rb"[A-Za-z0-9_.$@-]{0,64}")


def assignment_name(c: Any) -> Tuple[str, bool]:
    """The full identifier before the operator and whether it is a command-line flag."""
    start = c.match.start()
    floor = max(0, start - 64)
    left = NAME_LEFT_RE.match(c.view[floor:start][::-1]).end()
    name = c.text[start - left : c.match.end("name")]
    return name.lstrip("-$@"), name.startswith("-")


def name_parts(name: str) -> Tuple[str, ...]:
    parts = []
    for chunk in re.split(r"[_.\-]+", name):
        parts.extend(word.lower() for word in CAMEL_RE.findall(chunk))
    return tuple(part for part in parts if part)


def operator_ok(c: Any, flag: bool) -> bool:
    """``name value`` (a space for an operator) counts only for ``--flag value`` and ``.netrc``."""
    if c.group("op") not in (" ", "\t"):
        return True
    if flag:
        return True
    line = c.line_before().lower()
    return " login " in line or line.startswith("login ")


CONCATENATION_RE = re.compile(r"^\s*[+,%)]\s|\s[+(,%]\s*$")


def value_ok(c: Any, name: str, *, minimum: int) -> bool:
    value = c.value
    quoted = c.group("q") is not None
    if quoted and CONCATENATION_RE.search(value):
        return False  # "password: " + other: the quotes close one literal and open the next
    if len(value) < minimum or value.lower() == name.lower():
        return False
    if v.is_placeholder(value) or v.is_file_reference(value) or v.is_digest(value):
        return False
    if "://" in value or value.startswith(("http:", "https:")):
        return False  # a URL: the url-credential rules look inside it
    if not quoted and (v.is_code_reference(value) or c.after(1) in ("(", "[", ".", ")")):
        return False  # code: a call, an index or an attribute chain
    if value.isdigit() and len(value) < 20:
        return False
    return not v.is_version(value)




def credential_name(parts: Tuple[str, ...]) -> int:
    """Whether a name's parts say its value is a credential: ``STRONG``, ``WEAK`` or 0.

    ``STRONG``: the name is about the credential itself (``api_key``, ``SNYK_TOKEN``,
    ``client_secret``, ``AZURE_DEVOPS_PAT``, ``X-Auth-Token``); an id- or hash-shaped
    value (UUID, 40 hex) counts there. ``WEAK``: a key of something unknown
    (``MAILGUN_KEY``), which needs a token-shaped value. 0: not a credential, or a
    description of one (``secret_name``, ``token_count``, ``public_key``, ``key_id``).
    """
    if not parts or any(p in NAME_EXCLUDE for p in parts if p != "id"):
        return 0
    if "id" in parts:
        # access_id (Sumo Logic) is half a credential; other *_id names are identifiers.
        index = parts.index("id")
        return STRONG if index > 0 and parts[index - 1] == "access" else 0
    best = 0
    for index, part in enumerate(parts):
        before = parts[index - 1] if index else ""
        if part in _STRONG_LAST or part in SECRET_WORDS and part not in ("token", "sessiontoken"):
            best = STRONG
        elif part.endswith(("secret", "apikey", "accesskey", "secretkey", "privatekey")):
            best = STRONG
        elif part == "token" or part.endswith("token"):
            if part != "token" or (before and before not in _TOKEN_NOT_CREDENTIAL):
                best = STRONG
            elif not before:
                best = max(best, WEAK)
        elif part in ("key", "keys") and before:
            best = max(best, STRONG if before in KEY_QUALIFIERS else WEAK)
    return best
