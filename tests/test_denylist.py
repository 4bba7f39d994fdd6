"""The deny-list is one matcher: literals share one trie pattern, whatever their number."""
import json
import random

from data_flywheel.redaction import Redactor
from data_flywheel.redaction.config import parse_config
from data_flywheel.redaction.denylist import DenyMatcher


def redactor(deny):
    return Redactor(parse_config(json.dumps({"deny": deny})))


def redact(deny, text):
    session = redactor(deny).session()
    return session.redact(text), [finding.rule_id for finding in session.findings]


def test_the_longest_entry_wins_and_a_shorter_one_still_matches_alone():
    deny = ["Acme", {"literal": "Acme Corp", "label": "CLIENT"}]
    assert redact(deny, "ACME CORP and acme, not acmex") == ("[CLIENT_1] and [CUSTOM_1], not acmex", ["deny-list-2", "deny-list-1"])


def test_a_failed_whole_word_match_falls_back_to_a_shorter_entry():
    assert redact(["acme", "acme corp"], "acme corpse") == ("[CUSTOM_1] corpse", ["deny-list-1"])


def test_whole_words_only_when_the_entry_starts_or_ends_with_a_letter_or_digit():
    deny = ["bluebird", "-x-", "écru"]
    text = "bluebirds xbluebird bluebird_1 a-x-b \\nbluebird Écru écrus"
    assert redact(deny, text) == (
        "bluebirds xbluebird [CUSTOM_1]_1 a[CUSTOM_2]b \\n[CUSTOM_1] [CUSTOM_3] écrus",
        ["deny-list-1", "deny-list-2", "deny-list-1", "deny-list-3"])


def test_regex_entries_run_beside_the_literals():
    deny = ["acme", {"regex": "build-[0-9]+", "label": "HOST"}]
    assert redact(deny, "acme on build-12") == ("[CUSTOM_1] on [HOST_1]", ["deny-list-1", "deny-list-2"])


def test_thousands_of_literals_are_one_pattern_and_each_is_found():
    rng = random.Random(6)
    words = sorted({"".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(4, 10))) for _ in range(3000)})
    matcher = DenyMatcher(parse_config(json.dumps({"deny": words})).deny)
    assert matcher._patterns == [] and matcher._trie is not None  # one search per text, not one per entry
    for index in range(0, len(words), 301):
        spans = list(matcher.spans(f"see {words[index].upper()}."))
        assert [(start, end, order) for start, end, order, _, _ in spans] == [(4, 4 + len(words[index]), index)]


def test_a_long_chain_of_prefixes_compiles():
    chain = ["a" * length for length in range(1, 400)]
    assert redact(chain, "x " + "a" * 399 + " y")[0] == "x [CUSTOM_1] y"
