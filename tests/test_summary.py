"""A candidate's facts at a glance: from the fields harvest records, else from the run itself."""
from data_flywheel.records.summary import summarize

MESSAGES = [
    {"role": "user", "content": "Mail [EMAIL_1] about /home/[HOME_USER_1]/x"},
    {"role": "assistant", "content": None, "tool_calls": [
        {"id": "c1", "type": "function", "function": {"name": "bash", "arguments": "{\"cmd\": \"ls\"}"}}]},
    {"role": "tool", "tool_call_id": "c1", "content": "a b"},
    {"role": "assistant", "content": "Sent to [EMAIL_1] and [EMAIL_2]."},
]


def test_facts_from_an_older_candidate_fall_back_to_the_run_itself():
    record = {"created_at": "2026-01-06T10:00:00Z", "harness": "pi", "messages": MESSAGES,
              "source": {"outcome": "aborted"}, "redaction_status": "auto_redacted"}
    facts = summarize(record, placeholders=True)
    assert (facts.project, facts.harness, facts.when, facts.outcome) == ("", "pi", "2026-01-06T10:00:00Z", "aborted")
    assert (facts.messages, facts.tool_calls, facts.characters) == (4, 1, 42 + 13 + 3 + 32)
    assert facts.redacted and facts.findings is None and facts.by_rule == {}
    assert facts.by_kind == {"EMAIL": 2, "HOME_USER": 1}  # distinct placeholders, not occurrences


def test_facts_recorded_by_harvest_win():
    record = {"created_at": "2026-01-06T10:00:00Z", "started_at": "2026-01-06T09:00:00Z", "project": "shop",
              "host": "codex", "outcome": "failed", "messages": MESSAGES,
              "size": {"messages": 2, "tool_calls": 0, "characters": 7, "context_messages": 2},
              "redaction": {"findings": 3, "by_rule": {"email-address": 2, "home-directory-user": 1}}}
    facts = summarize(record)
    assert (facts.project, facts.harness, facts.when, facts.outcome) == ("shop", "codex", "2026-01-06T09:00:00Z", "failed")
    assert (facts.messages, facts.tool_calls, facts.characters) == (2, 0, 7)
    assert facts.findings == 3 and facts.by_rule == {"email-address": 2, "home-directory-user": 1}
    assert facts.by_kind == {}  # the text is scanned for placeholders only when asked (--show)
    assert facts.as_json()["redaction"] == {"found": True, "findings": 3, "by_placeholder": {},
                                            "by_rule": {"email-address": 2, "home-directory-user": 1}}


def test_a_clean_run_and_malformed_facts():
    facts = summarize({"messages": "not a list", "size": {"messages": -1}, "redaction": {"findings": True},
                       "redaction_status": "passed", "harness": ""})
    assert (facts.harness, facts.messages, facts.redacted, facts.findings) == ("unknown", 0, False, None)
