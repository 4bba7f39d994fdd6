"""The small named predicates the rules use: checksums, validity rules, heuristics."""
from __future__ import annotations

import math

import pytest

from data_flywheel.redaction import validators as v


@pytest.mark.parametrize(
    "digits, valid",
    [("45391488" "03436467", True), ("54252334" "30109903", True), ("3468274" "60112344", True), ("45391488" "03436468", False), ("0", True), ("12a4", False)],
)
def test_luhn(digits, valid):
    assert v.luhn_valid(digits) is valid


@pytest.mark.parametrize(
    "digits, plausible",
    [
        ("45391488" "03436467", True),  # Visa
        ("54252334" "30109903", True),  # Mastercard
        ("2223003122003222", False),  # a published test number
        ("3468274" "60112344", True),  # American Express
        ("1700000000000", False),  # a millisecond timestamp: no issuer starts with 1
        ("4111111111111111", False),  # the famous test number
        ("45391488034364", False),  # Visa with 14 digits
    ],
)
def test_card_brand_plausible(digits, plausible):
    assert v.card_brand_plausible(digits) is plausible


@pytest.mark.parametrize(
    "iban, valid",
    [("DE893704004" "40532013000", True), ("GB82WEST123" "45698765432", True), ("DE893704004" "40532013001", False), ("DE89370400" "44053201300", False), ("XX893704004" "40532013000", False), ("de893704004" "40532013000", False)],
)
def test_iban(iban, valid):
    assert v.iban_valid(iban) is valid


@pytest.mark.parametrize(
    "ssn, valid",
    [("5369" "04399", True), ("078051120", False), ("666123456", False), ("000123456", False), ("912345678", False), ("536004399", False), ("536900000", False), ("111111111", False), ("12345678", False)],
)
def test_ssn(ssn, valid):
    assert v.ssn_valid(ssn) is valid


@pytest.mark.parametrize(
    "address, public",
    [
        ("52.14" ".123.9", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("192.168.0.4", False),
        ("100.64.0.1", False),
        ("203.0.113.9", False),
        ("224.0.0.1", False),
        ("2606:4700:" "4700::1111", True),
        ("2001:db8::1", False),
        ("fe80::1", False),
        ("::1", False),
        ("3fff::1", False),
        ("not an address", False),
    ],
)
def test_ip_public(address, public):
    assert v.ip_public(address) is public


def test_entropy_matches_the_textbook_formula():
    assert v.shannon_entropy("") == 0.0
    assert v.shannon_entropy("aaaa") == 0.0
    assert v.shannon_entropy("abcd") == pytest.approx(2.0)
    text = "the quick brown fox"
    counts = {c: text.count(c) for c in set(text)}
    expected = -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())
    assert v.shannon_entropy(text) == pytest.approx(expected)


@pytest.mark.parametrize(
    "value",
    ["${TOKEN}", "$TOKEN", "<your-token>", "{{ secrets.X }}", "***", "xxxxxxxx", "changeme", "YOUR_API_KEY", "your-password-here",
     "AKIA" + "IOSFODNN7" + "EXAMPLE", "sk-ant-...", "%s", "%(password)s", "%DB_PASSWORD%", "[EMAIL_1]", "[REDACTED]", "12345678", "abcdefgh", "  "],
)
def test_placeholders(value):
    assert v.is_placeholder(value)


@pytest.mark.parametrize("value", ["Tr0ub4dor&3", "aB3dE5fG7hJ9kL1m", "hunter2x!", "c0rrect-h0rse"])
def test_real_looking_values_are_not_placeholders(value):
    assert not v.is_placeholder(value)


@pytest.mark.parametrize("value, reference", [("os.environ", True), ("self.password", True), ("config.API_KEY", True), ("get_token(", True), ("$X", True), ("args.password2", True), ("_4kKNUhraR57LDqibq.i9", False), ("hunter2", False)])
def test_code_references(value, reference):
    assert v.is_code_reference(value) is reference


@pytest.mark.parametrize("value, wordlike", [("LlamaTokenizerFast", True), ("bearer_auth", True), ("session-key-v2", True), ("qZkXvBnMwRtP", False), ("aB3dE5fG7hJ9", False)])
def test_wordlike(value, wordlike):
    assert v.is_wordlike(value) is wordlike


def test_hard_negative_recognizers():
    assert v.is_git_sha("3f786850e387550fdab836ed7e6dc881de23001b")
    assert v.is_git_sha("3f78685")
    assert not v.is_git_sha("3f78")
    assert v.is_uuid("550e8400-e29b-41d4-a716-446655440000")
    assert v.is_digest("sha256:2cf24dba5fb0a30e") and v.is_digest("sha512-v2kDEe57") and v.is_digest("h1:zTwKpTd2")
    assert v.is_version("1.2.3") and v.is_version("v10.15.3-rc.1") and not v.is_version("1")
    assert v.is_file_reference("/run/secrets/db") and v.is_file_reference("creds.json") and not v.is_file_reference("hunter2")


def test_predicates_stay_linear_on_long_input():
    # Values reach these predicates from the rules' bounded patterns, but they must
    # not backtrack badly on long ones either.
    import time

    long_value = "a" * 20000 + "!"
    started = time.perf_counter()
    for predicate in (v.is_placeholder, v.is_code_reference, v.is_file_reference, v.is_wordlike, v.is_templated, v.is_masked):
        predicate(long_value)
        predicate("a_" * 10000 + "(")
        predicate("a." * 10000 + "!")
    assert time.perf_counter() - started < 2.0
