"""The rule table as data: every rule catches its examples and none of its counterexamples.

After gitleaks: a rule cannot be added without evidence, and the evidence is
checked here, one rule at a time (so another rule cannot hide a miss) and with
the whole table (so the merged result still replaces the secret).
"""
from __future__ import annotations

import hashlib
import re

import pytest

from data_flywheel.redaction import RULES, RULESET_VERSION, Redactor
from data_flywheel.redaction.engine import OVERLAP
from data_flywheel.redaction.rules import COMMON_COUNTEREXAMPLES, Rule

try:  # the parser is private; tests that need it skip if it moves
    from re import _parser as sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - Python 3.9/3.10
    import sre_parse  # type: ignore[no-redef]

RULE_IDS = [rule.id for rule in RULES]
SINGLE = {rule.id: Redactor(rules=[rule]) for rule in RULES}
FULL = Redactor()


def _examples():
    for rule in RULES:
        for index, example in enumerate(rule.examples):
            yield pytest.param(rule, example, id=f"{rule.id}-{index}")


def _counterexamples():
    for rule in RULES:
        for index, example in enumerate(rule.counterexamples + COMMON_COUNTEREXAMPLES):
            yield pytest.param(rule, example, id=f"{rule.id}-{index}")


@pytest.mark.parametrize("rule, example", list(_examples()))
def test_rule_catches_its_example(rule, example):
    found = SINGLE[rule.id].scan(example)
    assert [f.rule_id for f in found] and all(f.rule_id == rule.id for f in found), f"{rule.id} missed its example"
    # With the whole table, something still replaces it.
    assert FULL.scan(example)


@pytest.mark.parametrize("rule, example", list(_counterexamples()))
def test_rule_ignores_its_counterexample(rule, example):
    assert SINGLE[rule.id].scan(example) == [], f"{rule.id} flagged a counterexample"


@pytest.mark.parametrize("rule, example", list(_counterexamples()))
def test_counterexamples_survive_the_whole_table(rule, example):
    session = FULL.session()
    assert session.redact(example) == example, [f.rule_id for f in session.findings]


def test_rule_ids_are_unique_and_shaped_provider_kind():
    assert len(RULE_IDS) == len(set(RULE_IDS))
    for rule_id in RULE_IDS:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)+", rule_id), rule_id


@pytest.mark.parametrize("rule", RULES, ids=RULE_IDS)
def test_rule_is_well_formed(rule):
    assert rule.kind in ("secret", "pii")
    assert re.fullmatch(r"[A-Z][A-Z0-9_]*", rule.label)
    assert rule.description.endswith(".") and len(rule.description) > 12
    assert rule.examples, "every rule ships examples"
    assert rule.view in ("text", "lower", "shape")
    for keyword in rule.keywords:
        assert keyword and keyword.isascii()
        if rule.view != "text":
            assert keyword == keyword.lower()
    if rule.view == "lower":
        assert not re.search(r"(?<!\\)[A-Z]", re.sub(r"\\[A-Za-z]|\(\?P<\w+>|\(\?P=\w+\)", "", rule.pattern)), "lower view: lower-case pattern"


def test_a_malformed_rule_is_refused_when_built():
    with pytest.raises(ValueError, match="rule Bad: id must look like provider-kind"):
        Rule(id="Bad", description="x", kind="secret", label="X", pattern="x", examples=("x",))
    with pytest.raises(ValueError, match="pattern does not compile"):
        Rule(id="bad-rule", description="x", kind="secret", label="X", pattern="(", examples=("x",))
    with pytest.raises(ValueError, match="needs at least one example"):
        Rule(id="bad-rule", description="x", kind="secret", label="X", pattern="x")
    with pytest.raises(ValueError, match="upper case, which means case-sensitive"):
        Rule(id="bad-rule", description="x", kind="secret", label="X", view="lower", keywords=("AB",), pattern="ab", examples=("ab",))


@pytest.mark.parametrize("rule", RULES, ids=RULE_IDS)
def test_every_match_has_a_bounded_length(rule):
    # Bounded matches keep each attempt cheap and let the engine scan a stream in
    # windows: the overlap between windows must exceed the longest match.
    low, high = sre_parse.parse(rule.pattern).getwidth()
    assert high < OVERLAP // 2, f"{rule.id}: unbounded or too long ({high})"
    if rule.left is not None:
        assert sre_parse.parse(rule.left).getwidth()[1] <= rule.left_max


@pytest.mark.parametrize("rule", [r for r in RULES if not r.keywords], ids=[r.id for r in RULES if not r.keywords])
def test_rules_without_keywords_start_with_a_literal(rule):
    # A leading class or \b makes re try every position (secret-and-pii-formats.md, section 3).
    first_op = str(sre_parse.parse(rule.pattern)[0][0])
    assert first_op == "LITERAL", f"{rule.id} starts with {first_op}"


# The token-format table of shared/formats/secret-and-pii-formats.md, section 4,
# and the issue's list: every family has at least these rules.
FAMILIES = {
    "AWS": ["aws-access-key-id", "aws-secret-access-key", "aws-bedrock-api-key"],
    "GitHub": ["github-pat", "github-oauth-token", "github-user-token", "github-refresh-token", "github-app-token", "github-fine-grained-pat"],
    "GitLab": ["gitlab-pat", "gitlab-token", "gitlab-runner-registration-token", "gitlab-session-cookie"],
    "Slack": ["slack-token", "slack-app-token", "slack-webhook-url"],
    "Stripe": ["stripe-secret-key", "stripe-webhook-secret"],
    "OpenAI": ["openai-api-key"],
    "Anthropic": ["anthropic-api-key", "anthropic-oauth-token"],
    "Google": ["google-api-key", "google-oauth-client-secret", "google-oauth-access-token"],
    "JWT": ["json-web-token"],
    "Kubernetes": ["kubernetes-secret-data"],
    "Private keys": ["private-key", "private-key-base64", "age-secret-key", "putty-private-key"],
    "Package registries": ["npm-access-token", "pypi-upload-token", "rubygems-api-key", "nuget-api-key", "nuget-config-password", "clojars-deploy-token"],
    "Hugging Face": ["huggingface-token", "huggingface-org-token"],
    "Twilio": ["twilio-api-key"],
    "SendGrid": ["sendgrid-api-key"],
    "Azure": ["azure-ad-client-secret", "azure-storage-account-key", "azure-sas-token"],
    "AI vendors": ["openrouter-api-key", "groq-api-key", "xai-api-key", "perplexity-api-key", "replicate-api-token"],
    "Infra and SaaS": [
        "vault-token", "terraform-cloud-token", "digitalocean-token", "doppler-token", "databricks-token", "shopify-token",
        "linear-api-key", "notion-token", "postman-api-key", "pulumi-access-token", "grafana-token", "sentry-token",
        "heroku-api-key", "onepassword-service-token", "onepassword-secret-key", "artifactory-token", "alibaba-access-key-id",
        "square-token", "dynatrace-token", "flyio-token", "docker-pat", "docker-config-auth", "vercel-token", "supabase-token",
        "tailscale-key", "mailchimp-api-key",
    ],
    "More providers (prefixed tokens, after gitleaks and TruffleHog)": [
        "airtable-pat", "atlassian-api-token", "cloudflare-origin-ca-key", "contentful-pat", "defined-networking-token",
        "duffel-api-token", "easypost-api-key", "facebook-access-token", "flutterwave-secret-key", "frameio-api-token",
        "grafana-api-key", "harness-api-key", "infracost-api-token", "intra42-client-secret", "maxmind-license-key",
        "new-relic-key", "octopus-deploy-api-key", "openshift-user-token", "planetscale-token", "prefect-api-token",
        "readme-api-token", "scalingo-api-token", "sendinblue-api-key", "settlemint-token", "shippo-api-token",
        "sourcegraph-token", "sonarqube-token", "typeform-api-token", "yandex-api-key", "buildkite-token",
        "circleci-pat", "deno-deploy-token", "render-api-key", "netlify-pat", "langsmith-api-key", "pinecone-api-key",
        "cerebras-api-key", "fireworks-api-key", "elevenlabs-api-key", "mapbox-secret-token", "plaid-access-token",
        "mailgun-api-key", "notion-legacy-token", "twitter-bearer-token", "tencent-secret-id", "aws-session-token",
        "dropbox-token", "zapier-webhook-url",
    ],
    "Webhooks": ["slack-webhook-url", "discord-webhook-url", "teams-webhook-url", "telegram-bot-token"],
    "Credentials in URLs": ["url-credential", "url-token"],
    "Context rules": ["http-authorization-header", "http-bearer-token", "curl-basic-auth", "sql-password", "generic-password", "generic-secret"],
    "Personal data": [
        "email-address", "phone-number-international", "phone-number-nanp", "phone-number-nanp-parenthesized",
        "phone-number-context", "us-ssn", "us-ssn-context", "credit-card-number", "iban-account-number",
        "ipv4-address", "ipv6-address", "home-directory-user", "windows-home-directory-user",
        "tilde-home-user", "shell-prompt-user",
    ],
}


def test_every_family_of_the_format_table_is_covered():
    missing = [rule_id for ids in FAMILIES.values() for rule_id in ids if rule_id not in RULE_IDS]
    assert missing == []
    unlisted = set(RULE_IDS) - {rule_id for ids in FAMILIES.values() for rule_id in ids}
    assert unlisted == set(), "add new rules to FAMILIES"


def _redact(text):
    return FULL.session().redact(text)


# The shapes the issue names, end to end (built by concatenation: no scannable literal here).
BODY36 = "aB3dE5fG7hJ9kL1mN3pQ5rS7tV9wX1yZ3bC5"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("GITHUB_TOKEN=" + "gh" + "p_" + BODY36, "GITHUB_TOKEN=[GITHUB_TOKEN_1]"),
        ("GH_TOKEN=" + "github" + "_pat_" + BODY36 + "_" + BODY36 + "xY9zQ1wE3", "GH_TOKEN=[GITHUB_TOKEN_1]"),
        ("token: " + "gh" + "s_" + "1234567_" + "eyJhbGciOiJSUzI1NiJ9." + "eyJpc3MiOjEyMzR9." + BODY36 * 3, "token: [GITHUB_TOKEN_1]"),
        ("export CLAUDE_CODE_OAUTH_TOKEN=" + "sk-ant-" + "oat01-" + BODY36 * 2 + "AA", "export CLAUDE_CODE_OAUTH_TOKEN=[ANTHROPIC_TOKEN_1]"),
        ('"refreshToken": "' + "sk-ant-" + "ort01-" + BODY36 * 2 + '"', '"refreshToken": "[ANTHROPIC_TOKEN_1]"'),
        ("OPENAI_API_KEY=" + "sk-" + "proj-" + BODY36 + "T3Blbk" + "FJ" + BODY36, "OPENAI_API_KEY=[OPENAI_KEY_1]"),
        ("DATABASE_URL=postgres://app:" + "Qm9xT4" + "zLp2@db.internal:5432/app", "DATABASE_URL=postgres://app:[PASSWORD_1]@db.internal:5432/app"),
        ("git clone https://" + BODY36 + "@github.com/o/r.git", "git clone https://[URL_TOKEN_1]@github.com/o/r.git"),
        ('curl -H "Authorization: Bearer ' + BODY36 + '" https://api.acme.dev', 'curl -H "Authorization: Bearer [AUTH_TOKEN_1]" https://api.acme.dev'),
        ("Authorization: Basic " + "a2ltOnMzY3JldFBhc3N3MHJk", "Authorization: Basic [AUTH_TOKEN_1]"),
        ("curl -u kim:" + "Tr0ub4" + "dor3x https://x.dev", "curl -u kim:[PASSWORD_1] https://x.dev"),
        ("password=" + "Tr0ub4" + "dor&3", "password=[PASSWORD_1]"),
        ("api_key: " + BODY36, "api_key: [SECRET_1]"),
        ('"secret": "' + BODY36 + '"', '"secret": "[SECRET_1]"'),
        ("export AWS_SECRET_ACCESS_KEY=" + BODY36 + "abcd", "export AWS_SECRET_ACCESS_KEY=[AWS_SECRET_KEY_1]"),
        ("open /home/" + "dkowalski/src/app.py", "open /home/[HOME_USER_1]/src/app.py"),
        ("C:\\Users\\" + "mfernandez\\AppData", "C:\\Users\\[HOME_USER_1]\\AppData"),
        ("mail " + "dana.okafor" + "@" + "contoso-mail.net.", "mail [EMAIL_1]."),
    ],
)
def test_the_shapes_the_issue_names(text, expected):
    assert _redact(text) == expected


def test_a_pem_block_is_replaced_whole_also_when_json_escaped():
    body = "\\n".join(["MIIEvQIBADANBgkqhkiG9w0BAQEFAASC" + str(i) * 30 for i in range(6)])
    dashes = "-" * 5
    key = dashes + "BEGIN PRIVATE" + " KEY" + dashes + "\\n" + body + "\\n" + dashes + "END PRIVATE" + " KEY" + dashes
    text = '{"type": "service_account", "private_key": "' + key + '\\n", "project_id": "demo"}'
    assert _redact(text) == '{"type": "service_account", "private_key": "[PRIVATE_KEY_1]\\n", "project_id": "demo"}'
    real = key.replace("\\n", "\n")
    assert _redact("$ cat id\n" + real + "\ndone") == "$ cat id\n[PRIVATE_KEY_1]\ndone"


@pytest.mark.parametrize(
    "placeholder",
    ["${GITHUB_TOKEN}", "$TOKEN", "<token>", "***", "changeme", "AKIA" + "IOSFODNN7" + "EXAMPLE", "{{ .Values.token }}", "your_api_key", "xxxxxxxxxxxx", "%s"],
)
def test_placeholders_are_kept(placeholder):
    for text in ("token=" + placeholder, "password: " + placeholder, "Authorization: Bearer " + placeholder, "https://user:" + placeholder + "@host.dev/x"):
        assert _redact(text) == text


def test_ruleset_version_changes_with_the_rules():
    # Pin the table: changing a rule without bumping RULESET_VERSION fails here.
    digest = hashlib.sha256()
    for rule in RULES:
        digest.update(repr((rule.id, rule.kind, rule.label, rule.view, rule.keywords, rule.pattern, rule.left, rule.entropy, rule.priority)).encode())
    assert (RULESET_VERSION, digest.hexdigest()[:16]) == (RULESET_VERSION, PINNED_DIGEST), (
        f"the rules changed: bump RULESET_VERSION in rules/__init__.py and set PINNED_DIGEST = {digest.hexdigest()[:16]!r}"
    )


PINNED_DIGEST = "2f7617289ec29d6d"  # the table of RULESET_VERSION 2026.06.1


def test_this_repository_holds_no_scannable_value():
    # Examples and fake values are assembled from pieces at run time; the files
    # themselves must pass their own pre-commit check.
    import glob
    import os

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    paths = glob.glob(os.path.join(root, "tools", "data_flywheel", "redaction", "*.py"))
    paths += [os.path.join(root, "tools", "data_flywheel", "commands", "redact.py"), os.path.join(root, "bench", "redact_bench.py")]
    paths += glob.glob(os.path.join(root, "tests", "test_redact*.py")) + [os.path.join(root, "tests", "secret_factory.py")]
    paths += [os.path.join(root, "tests", "fixtures", "redaction", "hard_negatives.txt")]
    found = []
    for path in paths:
        with open(path, encoding="utf-8") as fp:
            found += [f"{os.path.relpath(path, root)}:{f.line}: {f.rule_id}" for f in FULL.scan(fp.read())]
    assert found == []


# --- the generic layer: every format, in every context ------------------------------


def test_every_secret_value_is_found_in_every_keyed_context_and_named_tokens_in_prose():
    from context_corpus import KEYED, secret_cases, secret_values

    keyless = {rule_id: flag for rule_id, _value, flag in secret_values()}
    assert len(keyless) >= 70 and sum(keyless.values()) >= 60
    missed = []
    for rule_id, context, value, text in secret_cases():
        if context not in KEYED and not keyless[rule_id]:
            continue  # a value that does not name itself cannot be found without its name
        if value in FULL.session().redact(text):
            missed.append((rule_id, context))
    # A session cookie is only a secret under a cookie header, not as a variable.
    assert [m for m in missed if m[0] != "gitlab-session-cookie"] == []


def test_formats_no_rule_names_are_found_next_to_a_credential_name():
    from context_corpus import unnamed_cases

    missed = [(name, context) for name, context, value, text in unnamed_cases(seed=3)
              if value in FULL.session().redact(text)]
    assert missed == []
