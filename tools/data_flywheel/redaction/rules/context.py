"""Credentials recognised by where they stand: URLs, Authorization headers, curl -u, SQL, assignments."""
from __future__ import annotations

import base64
import re
from typing import Any, Tuple

from .. import validators as v
from .base import ALNUM, B64, HEX, WORD, Rule, fake
from .heuristics import STRONG, WEAK, credential_name, assignment_name, name_parts, operator_ok, value_ok, NAME_EXCLUDE, SECRET_WORDS, KEY_QUALIFIERS, PASSWORD_WORDS


def _curl_user(c: Any) -> bool:
    line = c.line_before().lower()
    return any(tool in line for tool in ("curl", "wget", "http ", "https ", "httpie"))


def _url_token(c: Any) -> bool:
    value = c.value
    return len(value) >= 16 and v.has_digit(value) and v.has_letter(value) and v.shannon_entropy(value) > 3.0


def _bearer(c: Any) -> bool:
    value = c.value
    if not (v.has_digit(value) and v.has_letter(value)) or v.is_code_reference(value):
        return False
    return v.shannon_entropy(value) > 3.0


def _auth_header(c: Any) -> bool:
    value = c.value
    return not v.is_code_reference(value) and not (value.isalpha() and v.is_wordlike(value))


def _sql_password(c: Any) -> bool:
    return len(c.value) >= 3


def _generic_password(c: Any) -> bool:
    value = c.value
    if value.lower() in v.PLACEHOLDER_WORDS:
        return False  # the cheapest rejection first: password=password, pass: none
    name, flag = assignment_name(c)
    if name.upper() in ("PWD", "OLDPWD"):
        return False  # the shell's working directory
    # The password word must name the last attribute: _PassArg.context is not a password.
    parts = name_parts(name.rsplit(".", 1)[-1])
    if not any(p in ("pass", "pwd", "passphrase") or any(w in p for w in PASSWORD_WORDS) for p in parts):
        return False
    if any(p in NAME_EXCLUDE for p in parts) or not operator_ok(c, flag):
        return False
    if not value_ok(c, name, minimum=4):
        return False
    value = c.value
    quoted = c.group("q") is not None
    if " " in value and (value.replace(" ", "").isalpha() or value.count(" ") > 3):
        return False  # prose ("Enter your password"), not a password
    bare = value.rstrip(".:,")
    if not quoted and c.group("op") in ("=", ":=") and re.fullmatch(r"[a-z_][a-z0-9_]*", bare) and "_" in bare:
        return False  # password = db_password: a variable
    if not quoted and c.group("op") in (":", " ", "\t") and bare.isalpha():
        # Prose and test output: "password: required", "--- PASS: TestFoo (0.04s)",
        # "// FIRST PASS: Build ...", "the --password options"; a YAML or command-line
        # password with letters only is the price (see README, "not detected").
        return False
    if not quoted and v.is_name_shaped(bare):
        return False  # password: DB_PASSWORD_VALUE, --password secret-from-vault: names
    if not quoted and c.group("op") == "=" and c.before(1) != "" and value.isidentifier() and not v.has_digit(value):
        spaced = c.text[c.match.start("op") - 1 : c.match.start("op")] == " "
        if spaced:
            return False  # code: password = other_name
    return True


_UUID = "3f2b" + "9c1e-8d4a-4b7e-a1c2-" + "9e8d7c6b5a41"
_LINE_NUMBER_RE = re.compile(r"[0-9]{1,7}:")
_ATTRIBUTE_CHAIN_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+")


def _generic_secret(c: Any) -> bool:
    """A credential-named key, header, flag or variable with a token-shaped value (the generic layer)."""
    value = c.value
    if value.lower() in v.PLACEHOLDER_WORDS or (value.isdigit() and len(value) < 20):
        return False
    name, flag = assignment_name(c)
    parts = name_parts(name)
    strength = credential_name(parts)
    if not strength or not operator_ok(c, flag):
        return False
    if not value_ok(c, name, minimum=8):
        return False
    value = c.value
    if any(char.isspace() or char in "[]{}()" for char in value):
        return False  # prose, code, or a pattern that describes tokens (`ya29.[a-z-_]{100,}`)
    if c.group("q") is None and _ATTRIBUTE_CHAIN_RE.fullmatch(value):
        return False  # RegOpenKeyEx = win32api.RegOpenKeyEx: code
    if c.group("op") == ":" and _LINE_NUMBER_RE.match(value):
        return False  # grep -n output: src/utils/auth.ts:9:import ...
    bare = value.rstrip(".,:;")
    if v.is_name_shaped(bare) or (bare.isidentifier() and not v.has_digit(bare)):
        # ACCESS_KEY = 'AWS_ACCESS_KEY_ID', token = TOKEN_BLOCK_BEGIN, "test-key",
        # private_key: "_RSAPrivateKey", refresh_token: REQUIRED.: names and prose
        return False
    if v.is_uuid(value) or v.is_git_sha(value):
        # ids and commit hashes under token-ish names (request_token, token: <uuid>) are
        # not credentials; under a credential's name (HEROKU_API_KEY, SNYK_TOKEN, *_KEY=<40 hex>) they are.
        return strength == STRONG
    if value.isalpha():
        if len(value) < 20 or v.is_wordlike(value) or v.shannon_entropy(value) < 3.5:
            return False
    if strength == WEAK and (len(value) < 16 or not v.has_digit(value)):
        return False  # a key named after something unknown (cache_key, sort_key) needs a token-shaped value
    threshold = 3.0 if len(value) >= 12 else 2.5
    return v.shannon_entropy(value) > threshold and not v.is_sequential(value)


RULES: Tuple[Rule, ...] = (
    # --- Credentials in context -------------------------------------------------------
    Rule(
        id="docker-config-auth",
        description='Registry credentials in a Docker config.json ("auth": base64 of user:password).',
        kind="secret",
        label="DOCKER_AUTH",
        view="lower",
        keywords=("auth",),
        pattern=r"""auth\\{0,3}"[ \t]{0,8}:[ \t]{0,8}\\{0,3}"(?P<secret>[a-z0-9+/]{12,1024}={0,2})\\{0,3}\"""",
        left_boundary=WORD,
        right_boundary="",
        entropy=3.0,
        priority=1,
        examples=('{"auths": {"ghcr.io": {"auth": "' + base64.b64encode(b"kim:" + fake(16, ALNUM, 120).encode()).decode() + '"}}}',),
        counterexamples=('{"auth": "none"}', '"auth": true'),
    ),
    Rule(
        id="url-credential",
        description="A password in a URL or connection string (postgres://user:pass@host, https://user:token@github.com).",
        kind="secret",
        label="PASSWORD",
        pattern=r"""://(?P<user>[^\s/?#@:'"`<>\\]{0,128}):(?P<secret>[^\s/?#'"`<>\\]{1,256})@(?=[A-Za-z0-9\[])""",
        left_boundary="",
        right_boundary="",
        priority=1,
        examples=(
            "DATABASE_URL=postgres://app:" + "Qm9" + "xT4z-Lp2@db.internal:5432/app",
            "https://x-access-token:" + fake(30, ALNUM, 107) + "@github.com/o/r.git",
            "redis://:" + fake(16, ALNUM, 108) + "@cache:6379/0",
        ),
        counterexamples=("postgres://user:password@localhost/db", "https://${USER}:${TOKEN}@github.com", "mysql://root:***@db", "http://host:8080/path@x"),
    ),
    Rule(
        id="url-token",
        description="A token used as the user part of a URL (https://TOKEN@github.com, Sentry DSN keys).",
        kind="secret",
        label="URL_TOKEN",
        pattern=r"""://(?P<secret>[A-Za-z0-9_.~+=-]{16,256})@(?=[A-Za-z0-9\[])""",
        left_boundary="",
        right_boundary="",
        validator=_url_token,
        priority=1,
        examples=("git clone https://" + fake(40, HEX, 109) + "@github.com/o/r.git",),
        counterexamples=("https://john.smith.junior@example.org", "ssh://git@github.com/o/r"),
    ),
    Rule(
        id="http-authorization-header",
        description="The credential in an Authorization header (Bearer, Basic, Token, Digest, raw).",
        kind="secret",
        label="AUTH_TOKEN",
        view="lower",
        keywords=("authorization",),
        pattern=r"""authorization\\{0,3}["'`]?[ \t]{0,8}[:=][ \t]{0,8}\\{0,3}["'`]?(?:(?:bearer|basic|token|digest|apikey|api-key|sso-key|negotiate|ntlm)[ \t]{1,8})?(?P<secret>[^\s"'`,;\\]{8,4096})""",
        left_boundary=ALNUM,
        right_boundary="",
        validator=_auth_header,
        priority=1,
        examples=(
            'curl -H "Authorization: Bearer ' + fake(32, ALNUM, 110) + '" https://api.acme.dev',
            "Authorization: Basic " + base64.b64encode(b"kim:" + fake(12, ALNUM, 111).encode()).decode(),
            '{"headers": {"Authorization": "token ' + fake(40, HEX, 112) + '"}}',
        ),
        counterexamples=('"Authorization": f"Bearer {token}"', "Authorization: Bearer $TOKEN", "Authorization: Bearer ${{ secrets.GH }}", "authorization: required",
                         "'authorization': 'Bearer REDACTED_TOKEN'"),
    ),
    Rule(
        id="http-bearer-token",
        description="A bearer token outside an Authorization header (Bearer <token>).",
        kind="secret",
        label="AUTH_TOKEN",
        view="lower",
        keywords=("bearer",),
        pattern=r"bearer[ \t]{1,8}(?P<secret>[a-z0-9._~+/=-]{16,4096})",
        left_boundary=ALNUM,
        right_boundary="",
        strip=".",
        validator=_bearer,
        priority=1,
        examples=("headers = {'x': 'Bearer " + fake(40, ALNUM, 113) + "'}",),
        counterexamples=("bearer authentication is described in RFC 6750", "Bearer tokenization-strategy"),
    ),
    Rule(
        id="curl-basic-auth",
        description="curl/wget -u user:password.",
        kind="secret",
        label="PASSWORD",
        view="lower",
        keywords=("-u ", "--user"),
        pattern=r"""(?:-u|--user)(?:[ \t]{1,8}|=)\\{0,3}["']?(?P<user>[^\s:"'\\]{1,128}):(?P<secret>[^\s"'\\]{1,256})""",
        left_boundary=ALNUM + "-",
        right_boundary="",
        strip=".",
        validator=_curl_user,
        priority=1,
        examples=("curl -u kim:" + fake(14, ALNUM, 114) + " https://api.acme.dev/v1",),
        counterexamples=("git push -u origin main", "curl -u $USER:$PASS https://x", "python -u script.py a:b"),
    ),
    Rule(
        id="sql-password",
        description="A password in SQL (IDENTIFIED BY '...', WITH PASSWORD '...').",
        kind="secret",
        label="PASSWORD",
        view="lower",
        keywords=("identified by", "password '", 'password "'),
        pattern=r"""(?:identified[ \t]{1,8}by(?:[ \t]{1,8}password)?|password)[ \t]{1,8}(?P<q>'|")(?P<secret>[^'"\r\n]{1,256})(?P=q)""",
        left_boundary=ALNUM + "_",
        right_boundary="",
        validator=_sql_password,
        priority=1,
        examples=("CREATE USER app IDENTIFIED BY '" + "Tr0ub4" + "dor&3';", "ALTER ROLE app WITH PASSWORD '" + "s3cr" + "etPW!x';"),
        counterexamples=("IDENTIFIED BY '***'", "ALTER ROLE app WITH PASSWORD '<password>';"),
    ),
    Rule(
        id="generic-password",
        description="A value assigned to a password-like name (password=, DB_PASS:, --password, \"passwd\": \"...\").",
        kind="secret",
        label="PASSWORD",
        view="lower",
        keywords=("pass", "pwd"),
        pattern=(
            r"(?P<name>p(?:ass(?:word|wd|phrase)?|wd)[a-z0-9_.-]{0,40})"
            r"""(?P<close>\\{0,3}["'`]?\]?)[ \t]{0,8}(?P<op>:=|=>|=|:|[ \t])[ \t]{0,8}"""
            r"""(?:(?P<q>\\{0,3}["'`])(?P<secret>[^"'`\r\n]{4,256}?)(?P=q)|(?P<secret_bare>(?!\$)[^\s"'`,;(){}\[\]<>\\]{4,256}))"""
        ),
        left_boundary="",
        right_boundary="",
        validator=_generic_password,
        placeholder_check=False,
        priority=2,
        examples=(
            "DB_PASSWORD=" + "Xy7" + "-rq2!pz",
            'passwd: "' + "c0rrect" + '-h0rse"',
            "mysqldump --password " + "p4ss" + "W0rd9 db",
            '"password": "' + "hunter" + '2x!"',
            "machine api.acme.dev login kim password " + "wq9" + "Zk2",
            'cmd: "export PGPASSWORD=\\"' + "Lm3" + 'x9Qa\\" && psql"',
        ),
        counterexamples=(
            'password = os.environ["DB_PASSWORD"]',
            "password: ${DB_PASSWORD}",
            "password = get_password()",
            "PASSWORD=changeme",
            "password: str",
            "password_file: /run/secrets/db",
            "pass_through = True",
            "5 passed, 2 skipped in 0.12s",
            "password = db_password",
            '"password": "<your-password>"',
            "password: Optional[str] = None",
            "Enter your password:",
            "the password is required",
            "self.password = password",
            "--- PASS: TestFoo (0.04s)",
            "// FIRST PASS: Build tool_result map",
            "See the --password options below",
            "_PassArg.context = ctx",
            '"parse-passwd": "^1.0.0",',
        ),
    ),
    Rule(
        id="generic-secret",
        description="A high-entropy value assigned to a secret-like name (api_key=, \"secret\": \"...\", X-API-Key:, client_secret:).",
        kind="secret",
        label="SECRET",
        view="lower",
        keywords=("secret", "token", "key", "auth", "cred", "pat", "access_id", "access-id"),
        pattern=(
            r"(?P<name>(?:secret(?!s\b|_?name|_?ref)|token(?!s\b|iz|is|_?type|_?count|_?url|_?usage|_?limit)"
            r"|key(?!s\b|_?ids?\b|word|board|ring|chain|frame|stroke|code|press)|auth(?!or|en|ori|z)|cred(?!it)|pat(?![a-z])|access[_-]?id(?![a-z]))"
            r"[a-z0-9_.-]{0,40})"
            r"""(?P<close>\\{0,3}["'`]?\]?)[ \t]{0,8}(?P<op>:=|=>|=|:|[ \t])[ \t]{0,8}"""
            # A bare value ends at & (the next query parameter) as well as at spaces and quotes.
            r"""(?:(?P<q>\\{0,3}["'`])(?P<secret>[^"'`\r\n]{8,256}?)(?P=q)|(?P<secret_bare>(?!\$)[^\s"'`,;&(){}\[\]<>\\]{8,256}))"""
        ),
        left_boundary="",
        right_boundary="",
        validator=_generic_secret,
        placeholder_check=False,
        priority=2,
        examples=(
            "api_key = '" + fake(32, ALNUM, 115) + "'",
            '"client_secret": "' + fake(24, ALNUM + "-_", 116) + '"',
            "X-API-Key: " + fake(40, HEX, 117),
            "SECRET_KEY=" + "django-insecure-" + fake(40, ALNUM + "!@#%^&*-_=+", 118),
            "--auth-token " + fake(32, ALNUM, 119),
            "HEROKU_API_KEY=" + _UUID,
            "export SNYK_TOKEN=" + _UUID,
            "DATADOG_APP_KEY=" + fake(40, HEX, 124),
            "api_key=" + fake(24, ALNUM, 125) + "/" + fake(15, ALNUM, 126) + "=",
            "AUTH_TOKEN: " + fake(32, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 127),
            "AZURE_DEVOPS_PAT=" + fake(52, "abcdefghijklmnopqrstuvwxyz234567", 128),
            "GET /v1/items?access_token=" + fake(30, ALNUM, 129) + "&limit=10",
            'curl -H "PRIVATE-TOKEN: ' + fake(20, ALNUM, 130) + '" https://gitlab.acme.dev/api/v4/projects',
            "SUMOLOGIC_ACCESS_ID=su" + fake(12, ALNUM, 131),
            '{"credentials": "' + fake(36, ALNUM, 132) + '"}',
        ),
        counterexamples=(
            "max_tokens = 4096",
            '"input_tokens": 1234',
            'tokenizer = AutoTokenizer.from_pretrained("gpt2")',
            'secret_name: "my-app-secret"',
            'api_key = os.getenv("OPENAI_API_KEY")',
            '"token_type": "bearer"',
            "public_key: " + fake(40, B64, 121),
            '"key": "value"',
            'token: "' + "550e8400-e29b-41d4-a716-446655440000" + '"',
            "session_token = 3f786850e387550fdab836ed7e6dc881de23001b",
            'token_url = "https://oauth2.example.org/token"',
            'secretKeyRef: {name: db, key: password}',
            "key_id = " + fake(20, HEX, 122),
            'next_page_token: "' + fake(40, ALNUM, 123) + '"',
            '"tokenizer_class": "LlamaTokenizerFast"',
            "api_key: ${{ secrets.OPENAI_API_KEY }}",
            "secret = hashlib.sha256(data).hexdigest()",
            "auth: true",
            "self._secret_key = secret_key",
            "ACCESS_KEY = 'AWS_ACCESS_KEY_ID'",
            "token = TOKEN_BLOCK_BEGIN",
            "apiKey: 'REDACTED_API_KEY',",
            'api_key = "test-key"',
            '"x-api-key": "proxy-handled"',
            "cache_key = " + fake(40, HEX, 133),
            "request_token: " + _UUID,
            "src/utils/auth.ts:9:import type { Profile }",
            "- Google OAuth: `ya29.[alphanumeric-_]{100,}`",
            "RegOpenKeyEx = win32api.RegOpenKeyEx",
            'private_key: "_RSAPrivateKey",',
            ":param refresh_token: REQUIRED.",
            "client_id = 1204" + "567890123456",
        ),
    ),
)
