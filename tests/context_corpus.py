"""Every secret format in eight transcript contexts, and personal data in the shapes people write it.

Used by ``bench/redact_bench.py`` (recall per family and context) and by
``tests/test_corpus.py`` (a small sample, asserted). Values are never literals
here: a secret rule's value is cut out of its own examples (which are
assembled from pieces in the rule modules), personal data comes from
``secret_factory`` or is assembled below.

- ``secret_values()`` -> ``[(rule_id, value, keyless)]``: ``keyless`` when the
  value names its own kind (a prefix such as ``ghp_``), so it must be found in
  prose too; other values (40 base64 characters of an AWS secret key) can only
  be found next to a name.
- ``CONTEXTS``: context name -> ``(name, value) -> text``; ``KEYED`` are the
  ones that put a credential-like name next to the value.
- ``secret_cases(seed)`` -> ``[(rule_id, context, value, text)]``.
- ``personal_cases(seed)`` -> ``[(type, value, text)]``: e-mails, cards, IBANs,
  IPs, phones and home folders, including the shapes issue 11 found missing.
"""
from __future__ import annotations

import random
import re
from typing import Callable, Dict, List, Tuple

from secret_factory import planted_texts

# --- contexts -------------------------------------------------------------------------


def _title(name: str) -> str:
    return "-".join(part.capitalize() for part in re.split(r"[_\-]+", name) if part)


CONTEXTS: Dict[str, Callable[[str, str], str]] = {
    "env": lambda name, value: f"export {name}={value}",
    "json": lambda name, value: '{"tool": "bash", "output": {"%s": "%s"}}' % (name.lower(), value),
    "yaml": lambda name, value: f"env:\n  {name.lower()}: {value}\n  region: eu-west-1",
    "code": lambda name, value: f'client = Client(base_url=BASE, {name.lower()}="{value}", timeout=30)',
    "curl-header": lambda name, value: f'curl -sS -H "X-{_title(name)}: {value}" https://api.service.test/v1/me',
    "url": lambda name, value: f"GET https://api.service.test/v1/items?{name.lower()}={value}&limit=10 HTTP/1.1",
    "traceback": lambda name, value: (
        "Traceback (most recent call last):\n"
        '  File "/srv/app/deploy.py", line 88, in main\n'
        f'    client = connect({name.lower()}="{value}")\n'
        "PermissionError: 401 Unauthorized"
    ),
    "prose": lambda name, value: f"I rotated it; the new one is {value} and the deploy works now.",
}
KEYED = tuple(name for name in CONTEXTS if name != "prose")


# --- secret values, cut out of each rule's own examples --------------------------------

_URL_RE = re.compile(r"https?://[^\s\"'<>]+")


# Rules named after a mechanism rather than a credential: the variable a person would use.
_NAMES = {"http-authorization-header": "AUTH_TOKEN", "http-bearer-token": "BEARER_TOKEN", "url-credential": "DB_PASSWORD",
          "url-token": "GIT_TOKEN", "curl-basic-auth": "BASIC_AUTH_PASSWORD", "docker-config-auth": "DOCKER_AUTH",
          "gitlab-session-cookie": "GITLAB_SESSION_COOKIE", "sql-password": "DB_PASSWORD"}


def _name_for(rule_id: str) -> str:
    """A credential-like variable name for a rule: ``stripe-secret-key`` -> ``STRIPE_SECRET_KEY``."""
    if rule_id in _NAMES:
        return _NAMES[rule_id]
    name = rule_id.upper().replace("-", "_")
    if not any(word in name for word in ("KEY", "TOKEN", "SECRET", "PASSWORD", "PAT", "AUTH", "CREDENTIAL", "WEBHOOK")):
        name += "_TOKEN"
    return name


def secret_values() -> List[Tuple[str, str, bool]]:
    """``[(rule_id, value, keyless)]`` for every secret rule whose example has a standalone value."""
    from data_flywheel.redaction import RULES, Redactor

    out = []
    for rule in RULES:
        if rule.severity != "secret":
            continue
        single = Redactor(rules=[rule])
        for example in rule.examples:
            found = single.scan(example)
            if not found:
                continue
            value = example[found[0].offset : found[0].end]
            if rule.id.endswith("webhook-url"):
                match = _URL_RE.search(example)
                value = match.group(0) if match else value
            if "\n" in value or " " in value:
                continue  # a multi-line block (PEM, PuTTY) is its own context
            keyless = bool(single.scan(f"the new one is {value} and it works"))
            out.append((rule.id, value, keyless))
            break
    return out


def secret_cases(seed: int = 0) -> List[Tuple[str, str, str, str]]:
    """``[(rule_id, context, value, text)]``: each secret value in each of the eight contexts."""
    del seed  # the values are the rules' own; kept for a uniform signature
    cases = []
    for rule_id, value, _keyless in secret_values():
        name = _name_for(rule_id)
        for context, make in CONTEXTS.items():
            cases.append((rule_id, context, value, make(name, value)))
    return cases


# --- personal data in more shapes ---------------------------------------------------------


def _luhn(prefix: str, length: int, rng: random.Random) -> str:
    body = prefix + "".join(rng.choice("0123456789") for _ in range(length - len(prefix) - 1))
    total = 0
    for index, char in enumerate(reversed(body)):
        n = int(char)
        if index % 2 == 0:
            n = n * 2 - 9 if n * 2 > 9 else n * 2
        total += n
    return body + str((10 - total % 10) % 10)


_USERS = ["dkowalski", "mfernandez", "aiko.tanaka", "priya_s", "lars-n", "okafor7"]


def personal_cases(seed: int = 0) -> List[Tuple[str, str, str]]:
    """``[(type, value, text)]``: types are email, card, iban, ip, phone, home, ssn."""
    rng = random.Random(seed)
    out: List[Tuple[str, str, str]] = []
    by_family = {"email-address": "email", "credit-card-number": "card", "iban-account-number": "iban",
                 "ipv4-address": "ip", "ipv6-address": "ip", "phone-number-international": "phone",
                 "phone-number-nanp": "phone", "phone-number-nanp-parenthesized": "phone", "phone-number-context": "phone",
                 "home-directory-user": "home", "windows-home-directory-user": "home", "us-ssn": "ssn"}
    for family, value, text in planted_texts(seed, per_family=6):
        if family in by_family:
            out.append((by_family[family], value, text))
    for _ in range(4):
        user = rng.choice(_USERS) + str(rng.randrange(10, 99))
        out += [
            ("home", user, f"ls /Volumes/Data/Users/{user}/Projects"),
            ("home", user, f"cd /c/Users/{user}/src && git status"),
            ("home", user, f"cp notes.txt ~{user}/backup/"),
            ("home", user, f"/usr/home/{user}/.cshrc: line 3"),
            ("home", user, f"{user}@macbook ~ % npm test"),
            ("home", user, f"{user}@build-host:~/repo$ make"),
        ]
        octets = f"{rng.choice([34, 52, 81, 104, 151, 185])}.{rng.randrange(1, 255)}.{rng.randrange(1, 255)}.{rng.randrange(1, 254)}"
        out += [
            ("ip", octets, f"ssh deploy@{octets} 'systemctl restart api'"),
            ("ip", octets, f"allow from {octets}/32 to any port 22"),
            ("ip", "::ffff:" + octets, f"client ::ffff:{octets} connected"),
        ]
        local = rng.choice(["dana", "j\u00fcrgen.wei\u00df", "\u674e\u96f7", "o'brien"]) + str(rng.randrange(10, 99))
        plain = f"dana{rng.randrange(10, 99)}"
        out += [
            ("email", f"{local}@m\u00fcller-bau.de", f"Kontakt: {local}@m\u00fcller-bau.de"),
            ("email", f"{plain}@[{octets}]", f"mail {plain}@[{octets}] bounced"),
            ("email", f'"dana okafor{plain}"@contoso-mail.net', f'To: "dana okafor{plain}"@contoso-mail.net'),
            ("email", f"{plain}@xn--mller-kva.de", f"reply to {plain}@xn--mller-kva.de"),
        ]
        out += [
            ("card", _luhn("3530", 16, rng), ""),  # JCB
            ("card", _luhn("6759", 16, rng), ""),  # Maestro
            ("card", _luhn("6212", 16, rng), ""),  # UnionPay
            ("card", _luhn("4", 19, rng), ""),  # 19-digit Visa
        ]
        out += [
            ("phone", f"020 7946 {rng.randrange(1000, 9999)}", ""),  # UK national
            ("phone", f"030 {rng.randrange(1000000, 9999999)}", ""),  # German national
            ("phone", f"06 {rng.randrange(10, 99)} {rng.randrange(10, 99)} {rng.randrange(10, 99)} {rng.randrange(10, 99)}", ""),  # French mobile
            ("phone", f"0{rng.randrange(400, 499)} {rng.randrange(100, 999)} {rng.randrange(100, 999)}", ""),  # Australian mobile
        ]
    # Fill the texts of the bare values above: a card or phone in a sentence.
    filled = []
    for kind, value, text in out:
        if not text:
            cue = rng.choice(["call me on", "Tel.", "phone:", "mobile", "call us at"])
            text = f"card on file: {value}, thanks" if kind == "card" else f"{cue} {value} tomorrow"
        filled.append((kind, value, text))
    return filled


# --- formats no rule names: found only by the generic layer, next to a credential name ----

_HEXD = "0123456789abcdef"
_AN = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def _r(rng: random.Random, n: int, alphabet: str = _AN) -> str:
    while True:
        value = "".join(rng.choice(alphabet) for _ in range(n))
        if any(c.isdigit() for c in value) or not any(c.isdigit() for c in alphabet):
            return value


def _uuid(rng: random.Random) -> str:
    h = _r(rng, 32, _HEXD)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"


# (variable name, value maker): shapes from gitleaks' and TruffleHog's keyed rules
# (a provider's name next to a hex, base64, base32 or UUID value).
UNNAMED: Tuple[Tuple[str, Callable[[random.Random], str]], ...] = (
    ("DATADOG_API_KEY", lambda r: _r(r, 32, _HEXD)),
    ("DATADOG_APP_KEY", lambda r: _r(r, 40, _HEXD)),
    ("HEROKU_API_KEY", _uuid),
    ("SNYK_TOKEN", _uuid),
    ("RAILWAY_TOKEN", _uuid),
    ("SUMOLOGIC_ACCESS_ID", lambda r: "su" + _r(r, 12)),
    ("SUMOLOGIC_ACCESS_KEY", lambda r: _r(r, 64)),
    ("CONFLUENT_API_SECRET", lambda r: _r(r, 64, _AN + "+/")),
    ("ASANA_CLIENT_SECRET", lambda r: _r(r, 32)),
    ("DISCORD_CLIENT_SECRET", lambda r: _r(r, 32, _AN + "-_")),
    ("CLOUDFLARE_API_TOKEN", lambda r: _r(r, 40, _AN + "-_")),
    ("TWILIO_AUTH_TOKEN", lambda r: _r(r, 32, _HEXD)),
    ("MAILGUN_API_KEY", lambda r: "key-" + _r(r, 32, _HEXD)),
    ("OKTA_API_TOKEN", lambda r: "00" + _r(r, 40, _AN + "-_")),
    ("AZURE_DEVOPS_PAT", lambda r: _r(r, 52, "abcdefghijklmnopqrstuvwxyz234567")),
    ("GITHUB_CLIENT_SECRET", lambda r: _r(r, 40, _HEXD)),
    ("NEW_RELIC_LICENSE_KEY", lambda r: _r(r, 40, _HEXD)),
    ("FASTLY_API_TOKEN", lambda r: _r(r, 32, _AN + "-_")),
    ("API_KEY", lambda r: _r(r, 40, _AN + "+/") + "="),
    ("AUTH_TOKEN", lambda r: _r(r, 32, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")),
    ("AUTH_TOKEN", lambda r: _r(r, 40, _HEXD)),
    ("PAT", lambda r: _r(r, 40, _HEXD)),
    ("LAUNCHDARKLY_ACCESS_TOKEN", lambda r: "api-" + _uuid(r)),
    ("ALGOLIA_ADMIN_KEY", lambda r: _r(r, 32, _HEXD)),
    ("CONTENTFUL_DELIVERY_TOKEN", lambda r: _r(r, 43, _AN + "-_")),
    ("PLAID_SECRET", lambda r: _r(r, 30, _HEXD)),
    ("ZENDESK_API_TOKEN", lambda r: _r(r, 40)),
    ("ATLASSIAN_API_TOKEN", lambda r: _r(r, 24)),
    ("BITBUCKET_CLIENT_SECRET", lambda r: _r(r, 64, _AN + "-_")),
    ("MISTRAL_API_KEY", lambda r: _r(r, 32)),
    ("COHERE_API_KEY", lambda r: _r(r, 40)),
    ("TOGETHER_API_KEY", lambda r: _r(r, 64, _HEXD)),
    ("SECRET_KEY_BASE", lambda r: _r(r, 128, _HEXD)),
    ("JWT_SECRET", lambda r: _r(r, 64, _AN + "+/")),
    ("ENCRYPTION_KEY", lambda r: _r(r, 43, _AN + "+/") + "="),
    ("WEBHOOK_SECRET", lambda r: _r(r, 32)),
    ("SESSION_SECRET", lambda r: _r(r, 48)),
    ("DB_PASSWORD", lambda r: _r(r, 12) + "!" + _r(r, 4)),
    ("PRIVATE_TOKEN", lambda r: _r(r, 20, _AN + "-_")),
    ("CREDENTIALS", lambda r: _r(r, 36)),
)


def unnamed_cases(seed: int = 0) -> List[Tuple[str, str, str, str]]:
    """``[(name, context, value, text)]``: each unnamed format in each keyed context."""
    rng = random.Random(seed)
    cases = []
    for name, make in UNNAMED:
        for context in KEYED:
            value = make(rng)
            cases.append((name, context, value, CONTEXTS[context](name, value)))
    return cases
