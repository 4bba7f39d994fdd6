"""Checks that run after a rule's regex matched: checksums, validity rules, heuristics.

Each is a small named predicate over one value (a string), so a rule's table
entry can say *why* a match is kept or dropped. The rule table (``rules/``)
wires them to candidates; nothing here knows about rules or regex matches.

Sources: Luhn and the IBAN mod-97 check as used by Presidio's validators; IBAN
lengths from the SWIFT IBAN registry; SSN validity from the SSA's rules
(area 000/666/900-999, group 00 and serial 0000 were never issued) plus the
published sample numbers Presidio rejects; placeholder and template heuristics
after detect-secrets' ``is_templated_secret``/``is_prefixed_with_dollar_sign``
filters and gitleaks' global allowlist.
"""
from __future__ import annotations

import ipaddress
import math
import re
from collections import Counter
from typing import FrozenSet

# ---------------------------------------------------------------------------
# Entropy


_N_LOG_N = [0.0] + [n * math.log2(n) for n in range(1, 4097)]


def shannon_entropy(value: str) -> float:
    """Bits per character, the formula gitleaks and detect-secrets use.

    Computed as log2(L) - sum(n log2 n) / L over the character counts, with
    ``n log2 n`` from a table: this runs on every candidate value.
    """
    length = len(value)
    if length == 0:
        return 0.0
    if length > 4096:
        value = value[:4096]
        length = 4096
    table = _N_LOG_N
    return math.log2(length) - sum(table[n] for n in Counter(value).values()) / length


# ---------------------------------------------------------------------------
# Checksums and validity rules (PII)


def luhn_valid(digits: str) -> bool:
    """The Luhn mod-10 check of payment card numbers (digits only)."""
    if not digits.isdigit():
        return False
    total = 0
    for index, char in enumerate(reversed(digits)):
        n = ord(char) - 48
        if index % 2:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return total % 10 == 0


# Networks' published test numbers (Stripe, Braintree, PayPal docs): not anyone's card.
TEST_CARD_NUMBERS: FrozenSet[str] = frozenset(
    """4111111111111111 4242424242424242 4012888888881881 4000056655665556 4222222222222
    5555555555554444 5105105105105100 2223003122003222 378282246310005 371449635398431
    378734493671000 6011111111111117 6011000990139424 3530111333300000 3566002020360505
    30569309025904 38520000023237 6200000000000005""".split()
)


def card_brand_plausible(digits: str) -> bool:
    """Issuer prefix and length of the major card networks.

    Luhn alone passes one random number in ten; requiring a real issuer range
    keeps millisecond timestamps (13 digits starting with 1) and snowflake ids out.
    """
    n = len(digits)
    if n < 13 or n > 19 or len(set(digits)) < 3 or digits in TEST_CARD_NUMBERS:
        return False
    two, four, six = int(digits[:2]), int(digits[:4]), int(digits[:6])
    if digits[0] == "4":  # Visa
        return n in (13, 16, 19)
    if 51 <= two <= 55 or 222100 <= six <= 272099:  # Mastercard
        return n == 16
    if two in (34, 37):  # American Express
        return n == 15
    if digits.startswith("6011") or two == 65 or 644 <= int(digits[:3]) <= 649:  # Discover
        return n in (16, 19)
    if 3528 <= four <= 3589:  # JCB
        return 16 <= n <= 19
    if 300 <= int(digits[:3]) <= 305 or two in (36, 38, 39):  # Diners Club
        return 14 <= n <= 19
    if two == 62:  # UnionPay
        return 16 <= n <= 19
    if two in (50, 56, 57, 58) or digits[0] == "6":  # Maestro
        return 12 <= n <= 19
    return False


# SWIFT IBAN registry: country code -> total length.
IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22,
    "BH": 22, "BI": 27, "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24,
    "DE": 22, "DJ": 27, "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18,
    "FK": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27,
    "GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27,
    "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20,
    "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MN": 20, "MR": 27,
    "MT": 31, "MU": 30, "NI": 28, "NL": 18, "NO": 15, "OM": 23, "PK": 24, "PL": 28,
    "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33, "SA": 24, "SC": 31,
    "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25, "SV": 28,
    "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}


def iban_valid(compact: str) -> bool:
    """Country length and the ISO 7064 mod-97 check of an IBAN without spaces."""
    if IBAN_LENGTHS.get(compact[:2]) != len(compact) or not compact[2:4].isdigit():
        return False
    if not compact.isalnum() or not compact.isascii() or compact != compact.upper():
        return False
    rearranged = compact[4:] + compact[:4]
    number = "".join(str(int(char, 36)) for char in rearranged)
    return int(number) % 97 == 1


# Published or advertised sample numbers that are not anyone's SSN.
_SAMPLE_SSNS: FrozenSet[str] = frozenset({"078051120", "219099999", "123456789", "457555462", "111223333"})


def ssn_valid(digits: str) -> bool:
    """US Social Security number issuance rules (nine digits, no separators)."""
    if len(digits) != 9 or not digits.isdigit() or digits in _SAMPLE_SSNS:
        return False
    area, group, serial = int(digits[:3]), int(digits[3:5]), int(digits[5:])
    if area == 0 or area == 666 or area >= 900 or group == 0 or serial == 0:
        return False
    if len(set(digits[:3])) == len(set(digits[3:5])) == len(set(digits[5:])) == 1:
        return False  # 111-22-3333, 222-33-4444: documentation samples, one digit per group
    return len(set(digits)) > 1


def ip_public(text: str) -> bool:
    """A global (public) unicast address: not private, loopback, link-local, reserved or documentation."""
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return False
    if address.is_multicast or address.is_unspecified or address.is_reserved:
        return False
    if address.version == 6:
        # Only the global unicast block 2000::/3; Python versions disagree about
        # some special ranges inside it, so documentation ranges are named here too.
        if not (0x2000 <= int(address) >> 112 <= 0x3FFF):
            return False
        if int(address) >> 96 == 0x20010DB8 or int(address) >> 108 == 0x3FFF0:
            return False
    return bool(address.is_global)


# ---------------------------------------------------------------------------
# Hard-negative recognizers: shapes that look random but are not secrets.

_HEX_RE = re.compile(r"[0-9a-fA-F]+")
_UUID_RE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_DIGEST_PREFIX_RE = re.compile(r"(?:sha(?:1|224|256|384|512)|md5|blake2b?|h1)[-:=]", re.IGNORECASE)
_VERSION_RE = re.compile(r"v?\d+(?:\.\d+){1,4}(?:[-+][\w.]+)?")


def is_git_sha(value: str) -> bool:
    """A full or abbreviated git object id (7-40 hex, or 64 for SHA-256 repositories)."""
    return (7 <= len(value) <= 40 or len(value) == 64) and bool(_HEX_RE.fullmatch(value))


def is_uuid(value: str) -> bool:
    return bool(_UUID_RE.fullmatch(value))


def is_digest(value: str) -> bool:
    """``sha256:...``, ``sha512-...`` (npm integrity), ``h1:...`` (go.sum) and friends."""
    return bool(_DIGEST_PREFIX_RE.match(value))


def is_version(value: str) -> bool:
    """``1.2.3``, ``v2.0.1-rc1``, and version ranges (``^1.0.0``, ``~=2.1``, ``>=3.4``)."""
    return bool(_VERSION_RE.fullmatch(value.lstrip("^~=<>! ")))


# ---------------------------------------------------------------------------
# Placeholders, templates and references: values that stand for a secret.

PLACEHOLDER_WORDS: FrozenSet[str] = frozenset(
    """
    changeme change_me change-me changeit changethis changeme123 example examples sample
    placeholder dummy fake mock test testing tests secret secrets password passwd pass pwd
    token tokens apikey api_key api-key key keys value redacted removed hidden masked
    none null nil undefined true false yes no on off todo tbd fixme xxx xxxx tbc
    str string int integer bool boolean bytes any optional required default env
    postgres mysql root admin guest user username demo letmein qwerty 123456 12345678
    password123 hunter2 foobar foo bar baz abc abc123 secret123 mysecret mypassword
    mytoken yoursecret yourtoken yourpassword notasecret not_a_secret insert_here
    replace_me replaceme your_token_here your_api_key_here
    """.split()
)

_OUR_PLACEHOLDER_RE = re.compile(r"\[[A-Z][A-Z0-9_]*\]")
_PLACEHOLDER_IN_RE = re.compile(r"\[[A-Z][A-Z0-9_]*\]")
_ESCAPES_RE = re.compile(r"\\+[nrt]")
_TEMPLATE_RE = re.compile(
    r"""\$\{|\$\(|\{\{|\}\}|\{%|<%|%\(\w+\)[sd]|%[sdr]\b|%[A-Z_][A-Z0-9_]*%|^\$[A-Za-z_]\w*$|^<[^<>]{1,80}>$|^\{[\w.-]{1,80}\}$"""
)
_MASK_RE = re.compile(r"[*xX\u2022._#-]{3,}")
_YOUR_RE = re.compile(
    r"(?:your|my|the|an?|some|insert|enter|put|paste|replace)[_ -]?(?:own[_ -]?)?"
    r"(?:[a-z]+[_ -])?(?:api[_ -]?)?(?:key|token|secret|password|pass|pwd|pat|credential)",
    re.IGNORECASE,
)


# Filler inside an otherwise token-shaped value: sk-ant-api03-your-key-here, ghp_xxxxxx, sk-ant-...
_FILLER_RE = re.compile(r"x{6,}|\*{3,}|\.\.\.|\u2026|(?:your|my|insert|put)[_-]?(?:own[_-]?)?(?:api[_-]?)?(?:key|token|secret|password)|[_-]here(?:[_-]|$)")


def is_our_placeholder(value: str) -> bool:
    """``[EMAIL_1]``-style placeholders (ours) and ``[REDACTED]``: never re-detected."""
    return bool(_OUR_PLACEHOLDER_RE.fullmatch(value))


def is_templated(value: str) -> bool:
    """``${VAR}``, ``$VAR``, ``{{ var }}``, ``<token>``, ``%s``, ``%VAR%``, ``{token}``."""
    return bool(_TEMPLATE_RE.search(value))


def is_masked(value: str) -> bool:
    """``***``, ``xxxx``, ``••••``: a value someone already hid."""
    return bool(_MASK_RE.fullmatch(value)) or "***" in value or "\u2022\u2022\u2022" in value


def is_sequential(value: str) -> bool:
    """``abcdefgh``, ``12345678``, ``aaaaaaaa``: keyboard filler, not a secret."""
    lowered = value.lower()
    if len(set(lowered)) <= 2:
        return True
    for run in ("abcdefghijklmnopqrstuvwxyz", "0123456789", "qwertyuiop", "asdfghjkl", "9876543210"):
        if lowered in run * 2:
            return True
    return False


_TEMPLATE_CHARS = frozenset("${}<>%")
# Names, not values: AWS_ACCESS_KEY_ID, REDACTED_API_KEY, test-key, proxy-handled,
# your.api.key: words of letters joined by separators (a secret has digits or a random mix).
_NAME_SHAPED_RE = re.compile(r"[A-Za-z]{1,40}(?:[_.-][A-Za-z]{1,40}){1,8}")
_UPPER_NAME_RE = re.compile(r"[A-Z][A-Z]{0,40}(?:_[A-Z]{1,40}){1,8}")


def is_name_shaped(value: str) -> bool:
    """``AWS_ACCESS_KEY_ID``, ``test-key``, ``secret_key``: an identifier or a label, not a secret."""
    return bool(_NAME_SHAPED_RE.fullmatch(value))


def is_placeholder(value: str) -> bool:
    """A value that names or stands in for a secret rather than being one.

    Cheap checks first: this runs on every candidate a rule accepts.
    """
    stripped = value.strip("'\"` \t")
    if not stripped:
        return True
    lowered = stripped.lower()
    if lowered in PLACEHOLDER_WORDS:
        return True
    if "redacted" in lowered or lowered.startswith(("removed", "masked", "hidden")):
        return True  # REDACTED_API_KEY, [redacted], <redacted>: someone already hid it
    if "_" in stripped and _UPPER_NAME_RE.fullmatch(stripped):
        return True  # Bearer ACCESS_TOKEN: the name of a variable standing for the value
    # AWS documents its keys as AKIAIOSFODNN7EXAMPLE / ...EXAMPLEKEY; gitleaks allowlists .+EXAMPLE$.
    if "example" in lowered and ("EXAMPLE" in stripped or lowered.endswith("example") or "example" in lowered.split("_")):
        return True
    if not _TEMPLATE_CHARS.isdisjoint(stripped) and is_templated(stripped):
        return True
    if "[" in stripped and not _ESCAPES_RE.sub("", _PLACEHOLDER_IN_RE.sub("", stripped)).strip():
        return True  # only our placeholders (and escapes such as a JSON \n) are left
    if is_masked(stripped) or _FILLER_RE.search(lowered):
        return True
    if len(lowered) <= 48 and _YOUR_RE.match(lowered):
        return True
    return len(stripped) <= 12 and is_sequential(stripped)


# Attribute chains such as self.token or process.env.X are names, not random strings
# (a token with dots has digits inside its segments).
_DOTTED_NAME_RE = re.compile(r"[A-Za-z_$][A-Za-z_$]*[0-9]{0,2}(?:(?:\.|::|->)[A-Za-z_$][A-Za-z_$]*[0-9]{0,2})+")
_REFERENCE_PREFIXES = ("os.environ", "os.getenv", "process.env", "env.", "env[", "secrets.", "vars.", "self.", "this.")


def is_code_reference(value: str) -> bool:
    """An unquoted value that is code, not data: a call, an index, an attribute chain, an env lookup."""
    if not value:
        return True
    if value[0] == "$" or value.lower().startswith(_REFERENCE_PREFIXES):
        return True
    if value[0] in "&*@" and value[1:].isidentifier():
        return True  # &buffer, *pointer, @Value
    if any(char in value for char in "()[]{}"):
        return True
    return bool(_DOTTED_NAME_RE.fullmatch(value))


_FILE_LIKE_RE = re.compile(
    r"(?:[\w.-]*[/\\])+[\w.-]*|~[/\\].*|[\w.-]+\.(?:json|ya?ml|toml|ini|env|txt|pem|key|crt|cer|p12|pfx|jks|gpg|asc|pub|cfg|conf|properties|xml|csv|sh|py|js|ts)",
    re.IGNORECASE,
)


_BASE64ISH_RE = re.compile(r"[A-Za-z0-9+/]{20,}={0,2}")


def is_file_reference(value: str) -> bool:
    """A path or file name (``/run/secrets/db``, ``./creds.json``): a pointer to a secret, not one.

    Base64 has slashes too: a value of base64 characters with upper case, lower
    case and digits all present is a key, not a path (``api_key=3rR/RJgZ...``).
    """
    if not _FILE_LIKE_RE.fullmatch(value):
        return False
    if _BASE64ISH_RE.fullmatch(value) and has_digit(value) and value != value.lower() and value != value.upper():
        return False
    return True


_WORD_TOKEN_RE = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+|[_\-. ]")
_CONSONANT_RUN_RE = re.compile(r"[bcdfghjklmnpqrstvwxz]{5,}")


def is_wordlike(value: str) -> bool:
    """``LlamaTokenizerFast``, ``bearer_auth``, ``session-key-v2``: identifiers made of words.

    Splits into camel-case and separator-delimited words without backtracking,
    then asks each word to look pronounceable (a vowel, no five consonants in a row).
    """
    words = _WORD_TOKEN_RE.findall(value)
    if "".join(words) != value:
        return False
    for index, word in enumerate(words):
        if word.isdigit() or word in "_-. ":
            continue
        lowered = word.lower()
        if len(word) == 1 and index + 1 < len(words) and words[index + 1].isdigit():
            continue  # v2, x64
        if len(word) < 2 or not any(vowel in lowered for vowel in "aeiouy"):
            return False
        if _CONSONANT_RUN_RE.search(lowered):
            return False
    return True


def has_digit(value: str) -> bool:
    return any(char.isdigit() for char in value)


def has_letter(value: str) -> bool:
    return any(char.isalpha() for char in value)
