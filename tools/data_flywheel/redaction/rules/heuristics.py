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
    if not quoted and (v.is_code_reference(value) or c.after(1) in ("(", "[", ".")):
        return False  # code: a call, an index or an attribute chain
    if value.isdigit() and len(value) < 20:
        return False
    return not v.is_version(value)


