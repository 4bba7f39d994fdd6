"""Keys and tokens of any provider: PEM and PuTTY private keys, age keys, JSON Web Tokens."""
from __future__ import annotations

import base64
import binascii
import re
from typing import Any, Tuple

from .base import ALNUM, B64, DASHES, HEX, JWT_EXAMPLE, TOKEN, WORD, Rule, fake, pem


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


_PEM_BODY = fake(600, B64, 12)


# A Kubernetes Secret's data: map (kubectl get secret -o yaml): every value is base64 of
# a secret whatever its key is called. Lines of "key: base64", each ending in a newline
# or, inside a JSON string, in an escaped one.
_K8S_DATA_LINES_RE = re.compile(
    r"(?:(?:\r?\n|\\n)[ \t]{1,16}[A-Za-z0-9_.-]{1,253}:[ \t]{0,8}[\"']?[A-Za-z0-9+/]{4,8192}={0,2}[\"']?[ \t]{0,8})+"
)
_K8S_VALUE_RE = re.compile(r":[ \t]{0,8}[\"']?([A-Za-z0-9+/]{4,8192}={0,2})")
_K8S_KIND_SEARCH = 4096


def _kubernetes_secret_data(c: Any) -> bool:
    """Cover the values of a Secret's ``data:`` block (the keys between them go too: one span)."""
    lower = c.lower
    floor, ceiling = max(0, c.start - _K8S_KIND_SEARCH), c.end + _K8S_KIND_SEARCH
    window = lower[floor:ceiling]
    if b"kind: secret" not in window and b'"kind":"secret"' not in window and b'kind: "secret"' not in window:
        return False
    block = _K8S_DATA_LINES_RE.match(c.text, c.match.end("head"), c.match.end("head") + 65536)
    if block is None:
        return False
    values = list(_K8S_VALUE_RE.finditer(c.text, block.start(), block.end()))
    decodable = 0
    for value in values:
        try:
            base64.b64decode(value.group(1), validate=True)
            decodable += 1
        except (binascii.Error, ValueError):
            pass
    if not decodable:
        return False
    c.start, c.end = values[0].start(1), values[-1].end(1)
    return True


RULES: Tuple[Rule, ...] = (
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
            pem("RSA PRIVATE", _PEM_BODY),
            '{"private_key": "' + pem("PRIVATE", _PEM_BODY, "\\n") + '\\n", "client_email": "x"}',
            pem("OPENSSH PRIVATE", _PEM_BODY)[:400],
        ),
        counterexamples=(pem("RSA PRIVATE", "..."), DASHES + "BEGIN CERTIFICATE" + DASHES + "\n" + _PEM_BODY[:64]),
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
        examples=("  tls.key: " + base64.b64encode(pem("RSA PRIVATE", _PEM_BODY[:128]).encode()).decode(),),
        counterexamples=("  tls.crt: " + base64.b64encode((DASHES + "BEGIN CERTIFICATE" + DASHES + "\n" + _PEM_BODY[:128]).encode()).decode(),),
    ),
    Rule(
        id="age-secret-key",
        description="age encryption secret key (AGE-SECRET-KEY-1).",
        kind="secret",
        label="PRIVATE_KEY",
        keywords=("age-secret-key-1",),
        pattern=r"AGE-SECRET-KEY-1[0-9A-Z]{58}",
        examples=("AGE" + "-SECRET-KEY-1" + fake(58, "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L", 104),),
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
        examples=("PuTTY-User-Key-File-3: ssh-ed25519\nPublic-Lines: 2\nAAAAC3Nz\nPrivate-" + "Lines: 1\n" + fake(44, B64, 105) + "\nPrivate-MAC: " + fake(64, HEX, 106),),
        counterexamples=("Private-Lines: 1\nno mac here",),
    ),
    Rule(
        id="kubernetes-secret-data",
        description="The values of a Kubernetes Secret's data: map (base64, whatever the keys are called).",
        kind="secret",
        label="K8S_SECRET",
        view="lower",
        keywords=("data:",),
        pattern=r"(?P<head>data:)[ \t]{0,8}",
        left_boundary=WORD,
        right_boundary="",
        validator=_kubernetes_secret_data,
        placeholder_check=False,
        examples=(
            "apiVersion: v1\ndata:\n  DATABASE_URL: " + base64.b64encode(b"postgres://app:" + fake(14, ALNUM, 260).encode() + b"@db:5432/app").decode()
            + "\n  tls.key: " + fake(24, B64, 261) + "==\nkind: Secret\nmetadata:\n  name: app",
            '{"output": "apiVersion: v1\\ndata:\\n  config.json: ' + fake(40, B64, 262) + '\\nkind: Secret\\n"}',
        ),
        counterexamples=(
            "apiVersion: v1\ndata:\n  app.conf: " + fake(24, B64, 263) + "\nkind: ConfigMap",
            "kind: Secret\ndata: {}\n",
            "metadata:\n  data: ignored\nkind: Secret",
        ),
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
        examples=("Authorization: Bearer " + JWT_EXAMPLE, '{"id_token": "' + JWT_EXAMPLE + '"}'),
        counterexamples=("eyJhbGciOi.notajwt", "data.eyes.open"),
    ),
)
