"""redaction.json: deny-list, allow-list, disabled rules, and clear errors for a bad file."""
from __future__ import annotations

import json

import pytest

from data_flywheel.errors import ConfigError
from data_flywheel.redaction import Redactor, load_config
from data_flywheel.redaction.config import parse_config

EMAIL = "support" + "@" + "ourco.dev"
OTHER_EMAIL = "dana" + "@" + "contoso-mail.net"
IP_A, IP_B = "52.14." + "123.9", "81.2." + "69.142"
TOKEN = "gh" + "p_" + "aB3dE5fG7hJ9kL1mN3pQ5rS7tV9wX1yZ3bC5"


def write(tmp_path, document, name="redaction.json"):
    path = tmp_path / name
    path.write_text(document if isinstance(document, str) else json.dumps(document, indent=2), encoding="utf-8")
    return path


def redact(config, text):
    return Redactor(config).session().redact(text)


# --- what a valid file does -------------------------------------------------------------


def test_deny_literals_are_redacted_case_insensitively_as_whole_words(tmp_path):
    config = load_config(write(tmp_path, {"deny": ["Acme Corp", {"literal": "bluebird", "label": "PROJECT"}]}))
    assert redact(config, "ACME corp ships Project BlueBird; acme corporate") == "[CUSTOM_1] ships Project [PROJECT_1]; acme corporate"


def test_deny_regex_with_label_and_ignore_case(tmp_path):
    config = load_config(write(tmp_path, {"deny": [{"regex": r"build-\d+\.corp\.internal", "label": "HOST", "ignore_case": True}]}))
    assert redact(config, "ssh BUILD-17.corp.internal and build-2.corp.internal") == "ssh [HOST_1] and [HOST_2]"


def test_deny_literal_with_non_ascii_text(tmp_path):
    config = load_config(write(tmp_path, {"deny": ["M\u00fcller GmbH"]}))
    assert redact(config, "Invoice for m\u00fcller gmbh, not M\u00fcller GmbHx") == "Invoice for [CUSTOM_1], not M\u00fcller GmbHx"


def test_deny_findings_name_the_entry_not_the_text(tmp_path):
    config = load_config(write(tmp_path, {"deny": ["first", "Acme Corp"]}))
    session = Redactor(config).session()
    session.redact("Acme Corp")
    assert [(f.rule_id, f.kind, f.label) for f in session.findings] == [("deny-list-2", "custom", "CUSTOM")]
    assert "Acme" not in repr(config)


def test_allow_list_keeps_listed_values_but_not_deny_entries(tmp_path):
    config = load_config(write(tmp_path, {"allow": [EMAIL, {"regex": "^52\\.14\\."}], "deny": ["ourco"]}))
    text = f"write to {EMAIL} or {OTHER_EMAIL} from {IP_A} and {IP_B}"
    assert redact(config, text) == f"write to support@[CUSTOM_1].dev or [EMAIL_1] from {IP_A} and [IP_ADDRESS_1]"


def test_disabled_rules_do_not_run(tmp_path):
    config = load_config(write(tmp_path, {"disable": ["ipv4-address", "github-pat"]}))
    assert redact(config, f"from {IP_B} with {TOKEN}") == f"from {IP_B} with {TOKEN}"


def test_an_empty_file_object_is_the_built_in_rules(tmp_path):
    config = load_config(write(tmp_path, {}))
    assert redact(config, TOKEN) == "[GITHUB_TOKEN_1]"


def test_version_one_and_a_byte_order_mark_are_accepted(tmp_path):
    path = tmp_path / "redaction.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps({"version": 1, "deny": ["zeta"]}).encode())
    assert redact(load_config(path), "zeta") == "[CUSTOM_1]"


# --- errors name the file, the line of the key or entry, and the remedy --------------------


def error_of(tmp_path, text):
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text))
    return str(caught.value).replace(str(tmp_path) + "/", "")


@pytest.mark.parametrize(
    "text, expected",
    [
        ('{\n  "deny": [\n    "ok",\n    ""\n  ]\n}', "redaction.json:4: deny[1]: an entry must not be empty (remove it, or write the text it stands for)"),
        ('{\n  "deny": ["   "]\n}', "redaction.json:2: deny[0]: an entry must not be empty (remove it, or write the text it stands for)"),
        ('{\n  "deny": [\n    {"regex": "(unclosed"}\n  ]\n}',
         "redaction.json:3: deny[0].regex does not compile: missing ), unterminated subpattern at position 0 (fix the regular expression (Python syntax))"),
        ('{"deny": [{"regex": "a*"}]}', "redaction.json:1: deny[0].regex matches the empty string (make it match at least one character)"),
        ('{\n  "deny": [],\n  "denny": []\n}', "redaction.json:3: unknown key 'denny' (allowed keys: version, deny, allow, disable)"),
        ('{\n  "deny": "Acme"\n}', "redaction.json:2: 'deny' must be a list (write \"deny\": [...])"),
        ('{"deny": [{"literal": "x", "regex": "y"}]}', "redaction.json:1: deny[0] needs exactly one of 'literal' and 'regex' (write {\"literal\": \"...\"} or {\"regex\": \"...\"})"),
        ('{"deny": [{"literal": "x",\n "label": "client"}]}', "redaction.json:2: deny[0].label must be upper-case letters, digits and _ (at most 32) (for example \"CLIENT\")"),
        ('{"deny": [{"literal": "x", "colour": "red"}]}', "redaction.json:1: deny[0]: unknown key 'colour' (allowed keys: literal, regex, label, ignore_case)"),
        ('{"deny": [{"regex": "x", "ignore_case": "yes"}]}', "redaction.json:1: deny[0].ignore_case must be true or false (use a JSON boolean)"),
        ('{"deny": [42]}', "redaction.json:1: deny[0] must be a string or an object (write \"text\" or {\"regex\": \"...\"})"),
        ('{\n"disable": [\n"no-such-rule"]}', "redaction.json:3: disable[0]: no rule named 'no-such-rule' (see redact --list-rules)"),
        ('{"version": 2}', "redaction.json:1: 'version' must be 1 (this tool reads version 1)"),
        ('["deny"]', "redaction.json:1: the top level must be a JSON object (write {\"deny\": [...], \"allow\": [...]})"),
        ('{\n  "deny": [\n    "a",\n  ]\n}', "redaction.json:3: not valid JSON: Illegal trailing comma before end of array (fix the JSON syntax)"),
        ('{\n  "deny": [],\n  "deny": ["b"]\n}', "redaction.json:3: duplicate key 'deny' (keep one of them)"),
        ('{"allow": [""]}', "redaction.json:1: allow[0]: an entry must not be empty (remove it, or write the text it stands for)"),
    ],
)
def test_errors_name_the_line_and_the_remedy(tmp_path, text, expected):
    import sys

    if "trailing comma" in expected and sys.version_info < (3, 13):
        expected = "redaction.json:4: not valid JSON: Expecting value (fix the JSON syntax)"
    assert error_of(tmp_path, text) == expected


def test_a_missing_or_unreadable_file(tmp_path):
    with pytest.raises(ConfigError, match=r"missing.json: file not found \(create it or pass --config with an existing file\)"):
        load_config(tmp_path / "missing.json")
    with pytest.raises(ConfigError, match="redaction.json:2: not UTF-8 text"):
        path = tmp_path / "redaction.json"
        path.write_bytes(b'{\n"deny": ["\xff"]}')
        load_config(path)


def test_errors_never_quote_a_deny_entry(tmp_path):
    message = error_of(tmp_path, '{"deny": ["Acme Secret Client", {"literal": "Bluebird", "regex": "x"}]}')
    assert "Acme" not in message and "Bluebird" not in message


def test_parse_config_takes_text_and_a_name():
    config = parse_config('{"deny": ["zeta"]}', "inline")
    assert config.source == "inline" and len(config.deny) == 1
    with pytest.raises(ConfigError, match="^inline:1: "):
        parse_config("{", "inline")


# --- patterns and documents that could hang or crash are refused ------------------------------

SLOW = "on some text it would run for hours (flatten it (e.g. a+ instead of (a+)+), or list the literal texts as separate entries)"


@pytest.mark.parametrize("regex, expected", [
    ("(a+)+$", f"deny[0].regex nests one repetition inside another: {SLOW}"),
    ("(?:x?)*y", f"deny[0].regex nests one repetition inside another: {SLOW}"),
    ("(a|ab)*c", f"deny[0].regex repeats alternatives that can start alike: {SLOW}"),
    (".*.*.*=.*", f"deny[0].regex repeats more than one broad class without limit (like .*.*): {SLOW}"),
    ("a{99999999999}", "deny[0].regex does not compile: the repetition number is too large (use smaller counts and fewer nested groups)"),
    ("x" * 2001, "deny[0].regex is longer than 2000 characters (use a shorter pattern, or several entries)"),
])
def test_patterns_that_backtrack_without_bound_are_refused(tmp_path, regex, expected):
    assert error_of(tmp_path, json.dumps({"deny": [{"regex": regex}]})) == "redaction.json:1: " + expected


@pytest.mark.parametrize("regex", ["(foo|bar)+x", r"\w+@\w+", r"build-[0-9]+\.corp", "(?:ab){2,5}", ".*secret"])
def test_ordinary_patterns_are_still_accepted(regex):
    assert parse_config(json.dumps({"allow": [{"regex": regex}]})).allow_patterns[0].pattern == regex


def test_deep_nesting_and_huge_numbers_are_refused_in_their_words(tmp_path):
    assert error_of(tmp_path, '{"deny": ' + "[" * 50000 + "]" * 50000 + "}") == (
        "redaction.json: nested deeper than 32 levels (fix the JSON syntax)")
    assert error_of(tmp_path, '{"version": 1' + "0" * 5000 + "}") == (
        "redaction.json: a number with more than 100 digits (fix the JSON syntax)")
