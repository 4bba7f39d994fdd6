"""Personal data: e-mail addresses, phone numbers, SSNs, cards, IBANs, IP addresses, home folders."""
from __future__ import annotations

import re
import string
from typing import Any, Tuple

from .. import validators as v
from .base import ALNUM, WORD, Rule


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
    if local.startswith('"'):
        local = "x"  # a quoted local part ("dana okafor"@host) is any text between the quotes
    elif not local.isascii():
        # "?" in the view stands for a letter of another script (j\u00fcrgen@): it must be one.
        if not all(ch.isalnum() or ch in "._%+-" for ch in local):
            return False
        local = "".join(ch if ch.isascii() else "x" for ch in local)
    if "?" in local:
        return False
    if domain.startswith("["):
        return v.ip_public(domain[1:-1]) or domain[1:-1].count(".") == 3  # dana@[203.0.113.9]
    if not domain.isascii():
        # An internationalised domain (m\u00fcller-bau.de): letters of any script in the labels.
        if not all(ch.isalnum() or ch in ".-" for ch in domain):
            return False
        domain = "".join(ch if ch.isascii() else "x" for ch in domain)
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


def digits_of(value: str) -> str:
    return "".join(char for char in value if char.isdigit())


def _ssn(c: Any) -> bool:
    return v.ssn_valid(digits_of(c.value))


_CARD_WORD_RE = re.compile(r"(?:card|visa|mastercard|cc|pan|payment)\b", re.IGNORECASE)


def _card(c: Any) -> bool:
    value = c.value
    separators = {char for char in value if not char.isdigit()}
    if len(separators) > 1:
        return False
    digits = digits_of(value)
    if not separators and len(digits) > 16 and not _CARD_WORD_RE.search(c.before(40)):
        return False  # 17-19 digits in one run: snowflake ids and timestamps, unless a card is named
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


# Before a dotted quad, words that make it a version or a section number, not an address.
# ("@" is not one: ssh deploy@34.12.200.7 is an address; npm versions have three parts.)
_VERSION_CONTEXT_RE = re.compile(
    r"(?:\b(?:version|ver|release|build|v|rev|python|node|section|sections|sec|clause|chapter|rfc|spec|step)|==|>=|<=|~=|\^|~|\u00a7)[ :=\"'.]{0,3}$",
    re.IGNORECASE,
)


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
    if len(octets[0]) == 1 and sum(len(o) == 1 for o in octets) >= 2 and max(int(o) for o in octets) < 64:
        return False  # 7.1.4.34, 4.10.22.7, 1.12.1.2: section and version numbers have small parts
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
    digits = digits_of(value)
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
    digits = digits_of(c.value)
    return 7 <= len(digits) <= 15 and len(set(digits)) >= 3 and not digits.startswith("000")


_PHONE_CONTEXT_WORDS = frozenset(
    """number no nr num phone phones mobile cell tel telephone fax whatsapp sms is at me on via home
    work office private direct contact my our his her their the a of or and call text main alt
    alternate personal business primary secondary me us back ring dial reach""".split()
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


_HOME_PREFIX_RE = re.compile(r"/var|/private|/mnt/[a-z]|/[a-z]|/usr|/Volumes/[^/]{1,64}|/System/Volumes/Data")


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
    if len(before) >= 2 and before[-2] == "\\" and before[-1] in "ntr\"":
        return True  # after an escaped newline or quote in a JSON string
    # The path may start higher up: /var, /private, WSL's /mnt/c, Git Bash's /c,
    # FreeBSD's /usr (/usr/home/NAME), a macOS volume (/Volumes/Data/Users/NAME).
    line = c.text[max(0, start - 96) : start]
    token = line[max(line.rfind(sep) for sep in " \t\n\"'`=(,;[{<>|\\") + 1 :]
    if token[:1] in ("n", "t", "r") and line.endswith("\\" + token):
        token = token[1:]  # a JSON escape (\n) before the path
    if token.startswith("file://"):
        token = token[7:]
    return bool(_HOME_PREFIX_RE.fullmatch(token))


def _tilde_user(c: Any) -> bool:
    """``~NAME/``: the home folder of user NAME (``~/`` and ``~+`` are not names)."""
    name = c.value
    return name.lower() not in _GENERIC_ACCOUNTS and not v.is_placeholder(name) and not name.isdigit()


def _prompt_user(c: Any) -> bool:
    """``NAME@host ~ %`` (zsh) and ``NAME@host:~/dir$`` (bash): keep the host, replace the user."""
    c.end = c.match.start()
    name = c.value
    return bool(name) and name.lower() not in _GENERIC_ACCOUNTS and not v.is_placeholder(name)


_SKIP_WINDOWS_HOME = frozenset({"public", "default", "all users", "default user"})


def _windows_user(c: Any) -> bool:
    if c.value.startswith("."):
        return False  # C:\\Users\\.codex: a dot folder, not a user
    return c.value.lower() not in _GENERIC_ACCOUNTS and c.value.lower() not in _SKIP_WINDOWS_HOME and not v.is_placeholder(c.value)


_EMAIL_LOCAL = "dana.okafor"
_HOST = "contoso-mail.net"


RULES: Tuple[Rule, ...] = (
    # --- Personal data ----------------------------------------------------------------
    Rule(
        id="email-address",
        description="E-mail address (documentation domains such as example.com and no-reply senders are kept).",
        kind="pii",
        label="EMAIL",
        view="lower",
        pattern=r"@(?:[a-z0-9?](?:[a-z0-9?-]{0,62}\.){1,8}[a-z?]{2,24}(?![a-z0-9?-])|\[[0-9.]{7,15}\])",
        left=r"[a-z0-9._%+?-]{1,64}|\"[^\"\\\r\n]{1,62}\"",
        left_max=64,
        left_boundary=ALNUM + "._%+-",
        right_boundary="",
        validator=_email,
        priority=3,
        examples=("Contact: " + _EMAIL_LOCAL + "@" + _HOST + ".", "From: <" + "ren+ci" + "@" + "bitwise.io>",
                  "Kontakt: j\u00fcrgen" + "@" + "m\u00fcller-bau.de", 'To: "dana okafor"' + "@" + _HOST,
                  "bounced: dana" + "@[" + "52.14.123.9]"),
        counterexamples=(
            "user@example.com",
            "git@github.com:org/repo.git",
            "@property",
            "npm i @types/node@18.11.9",
            "icon@2x.png",
            "https://user@host.io/path",
            "noreply@github.com",
            "what?@example.org",
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
        # Each keyword made of common letters costs a search of its own: the cue words are few.
        keywords=("phone", "mobile", "fax", "whatsapp", "call", "tel"),
        pattern=r"(?:phone|mobile|fax|whatsapp|call|tel)[a-z_ #.:=\"'()-]{0,30}?(?P<secret>\(?[0-9][0-9 ().-]{5,20}[0-9])",
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
        counterexamples=("078-05-1120", "666-12-3456", "000-12-3456", "912-34-5678", "536-00-4399", "1536-90-4399", "111-22-3333"),
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
        counterexamples=("127.0.0.1", "10.0.0.12", "192.168.1.20", "version 4.2.1.9", "v10.15.3.7", "1.2.3.4", "1.3.6.1.4.1", "8.8.8.8", "203.0.113.9",
                         "section 7.1.4.34", "see 4.10.22.7 and 1.12.1.2"),
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
    Rule(
        id="tilde-home-user",
        description="The user name in a ~NAME/ home folder (the shell's shorthand for another user's home).",
        kind="pii",
        label="HOME_USER",
        # No keyword: a one-character keyword would stand for every other keyword in the
        # engine's anchor passes; a pattern that starts with "~" is a fast literal scan.
        pattern=r"~(?P<secret>[A-Za-z_][A-Za-z0-9_.-]{0,31})/",
        left_boundary=WORD + "/.~-",
        right_boundary="",
        validator=_tilde_user,
        placeholder_check=False,
        priority=3,
        examples=("cp notes.txt ~" + "dkowalski/backup/", "ls ~" + "mfernandez/"),
        counterexamples=("cd ~/src", "~~strike~~", "approx ~200/s", "x~y/z", "ls ~root/"),
    ),
    Rule(
        id="shell-prompt-user",
        description="The user name in a shell prompt (zsh NAME@host ~ %, bash NAME@host:~/dir$).",
        kind="pii",
        label="HOME_USER",
        pattern=r"@[A-Za-z0-9][A-Za-z0-9.-]{0,63}(?::~|[ \t]~[^ \t\r\n]{0,64}[ \t]%)",
        left=r"[A-Za-z0-9._-]{1,32}",
        left_max=32,
        left_boundary=ALNUM + "._-",
        right_boundary="",
        validator=_prompt_user,
        placeholder_check=False,
        priority=3,
        examples=("dkowalski" + "@macbook ~ % npm test", "mfernandez" + "@build-host:~/repo$ make"),
        counterexamples=("root@box:~# ls", "git@github.com:org/repo.git", "user@example.com ~ fine", "a @b ~ %"),
    ),
)
