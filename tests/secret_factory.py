"""Fake secrets and personal data for tests and the benchmark, made at run time.

Every value is assembled from pieces and random characters, so this repository
never holds a string a secret scanner would flag. Reuse it for leak tests::

    from secret_factory import planted_texts, planted_values, hard_negatives

    for family, value, text in planted_texts(seed=7):
        ...  # put ``text`` into a field; assert ``value`` never comes out

- ``planted_texts(seed, per_family)`` -> ``[(family, value, text)]``: ``text``
  holds ``value`` in a realistic context (an env line, JSON tool output, YAML,
  a curl command, code) in which the redactor must find it. Context-bound
  families (a password after ``password=``) are only secret in their text.
- ``planted_values(seed, per_family)`` -> ``[(family, value)]``: the same values.
- ``FAMILIES``: family name -> the rule id expected to find it (one family per rule,
  plus variants such as the JSON-escaped private key).
- ``hard_negatives(seed, count)``: lines that must come out unchanged (git SHAs,
  UUIDs, digests, base64 images, versions, placeholders, private addresses, code).

Values are unique within one call (random bodies), so "value not in output" is a
meaningful assertion.
"""
from __future__ import annotations

import base64
import hashlib
import ipaddress
import json
import random
import re
import string
import uuid
from typing import Any, Callable, Dict, List, Tuple

ALNUM = string.ascii_letters + string.digits
HEX = "0123456789abcdef"
B64 = ALNUM + "+/"
URLSAFE = ALNUM + "-_"
UPPER = string.ascii_uppercase
UPPER_DIGITS = UPPER + string.digits


def rand(rng: random.Random, n: int, alphabet: str = ALNUM) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def _varied(rng: random.Random, n: int, alphabet: str = ALNUM) -> str:
    """Random characters with at least one digit and one letter of each case (real tokens have them)."""
    while True:
        value = rand(rng, n, alphabet)
        kinds = [any(c.isdigit() for c in value), any(c.islower() for c in value), any(c.isupper() for c in value)]
        wanted = [any(c.isdigit() for c in alphabet), any(c.islower() for c in alphabet), any(c.isupper() for c in alphabet)]
        if kinds == wanted:
            return value


def _b64url(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


# ---------------------------------------------------------------------------
# Contexts: how a value shows up in an agent transcript.


def _context(rng: random.Random, name: str, value: str) -> str:
    """``value`` assigned to ``name`` in one of the usual transcript shapes."""
    return rng.choice(
        [
            f"{name}={value}",
            f"export {name}={value}",
            f'{name}: "{value}"',
            f'{{"tool": "bash", "output": "{name}={value}\\n"}}',
            f'  {name.lower()}: {value}',
            f'os.environ["{name}"] = "{value}"',
            f'{{"env": {{"{name}": "{value}"}}}}',
        ]
    )


def _bare(rng: random.Random, value: str) -> str:
    """A self-identifying token in prose, a command or JSON."""
    return rng.choice(
        [
            f"using token {value} for the request",
            f'{{"type": "tool_result", "content": "token: {value}"}}',
            f"curl -s -H 'X-Token: {value}' https://api.internal.test/v1",
            f"Found credential `{value}` in config",
            f'client = Client("{value}")',
            f"{value}",
        ]
    )


# ---------------------------------------------------------------------------
# One generator per family: rng -> (value, text).

Generator = Callable[[random.Random], Tuple[str, str]]


def _token(prefix_parts: Tuple[str, ...], body: Callable[[random.Random], str], name: str) -> Generator:
    def make(rng: random.Random) -> Tuple[str, str]:
        value = "".join(prefix_parts) + body(rng)
        return value, (_context(rng, name, value) if rng.random() < 0.5 else _bare(rng, value))

    return make


def _aws_secret(rng):
    value = _varied(rng, 40, B64)
    return value, _context(rng, rng.choice(["AWS_SECRET_ACCESS_KEY", "aws_secret_access_key"]), value)


def _azure_client_secret(rng):
    value = rand(rng, 3, ALNUM) + str(rng.randrange(10)) + "Q" + "~" + _varied(rng, 34, ALNUM + "_~.-")
    while value[-1] in ".-~_":
        value = value[:-1] + rng.choice(ALNUM)
    return value, _context(rng, "AZURE_CLIENT_SECRET", value)


def _azure_storage(rng):
    value = _varied(rng, 86, B64) + "=="
    return value, f"DefaultEndpointsProtocol=https;AccountName=acct{rng.randrange(999)};AccountKey={value};EndpointSuffix=core.windows.net"


def _azure_sas(rng):
    value = _varied(rng, 43, ALNUM) + "%3D"
    return value, f"https://acct.blob.core.windows.net/c/blob.bin?sv=2022-11-02&ss=b&srt=o&sp=r&se=2026-01-01&sig={value}"


def _slack_webhook(rng):
    value = "T0" + rand(rng, 8, UPPER_DIGITS) + "/B0" + rand(rng, 8, UPPER_DIGITS) + "/" + _varied(rng, 24)
    return value, f"SLACK_WEBHOOK_URL=https://hooks.slack" + f".com/services/{value}"


def _slack_token(rng):
    value = "xo" + "x" + rng.choice("bp") + "-" + "".join(rng.choice(string.digits) for _ in range(12)) + "-" + "".join(rng.choice(string.digits) for _ in range(13)) + "-" + _varied(rng, 24)
    return value, _context(rng, "SLACK_BOT_TOKEN", value)


def _slack_app(rng):
    value = "xa" + "pp-1-A0" + rand(rng, 9, UPPER_DIGITS) + "-" + "".join(rng.choice(string.digits) for _ in range(13)) + "-" + rand(rng, 64, HEX)
    return value, _context(rng, "SLACK_APP_TOKEN", value)


def _openai(rng):
    if rng.random() < 0.6:
        value = "sk-" + rng.choice(["proj", "svcacct", "admin"]) + "-" + _varied(rng, 74, URLSAFE) + "T3Blbk" + "FJ" + _varied(rng, 74, URLSAFE)
    else:
        value = "sk-" + _varied(rng, 20) + "T3Blbk" + "FJ" + _varied(rng, 20)
    while value[-1] in "-_":
        value = value[:-1] + "A"
    return value, _context(rng, "OPENAI_API_KEY", value) if rng.random() < 0.6 else _bare(rng, value)


def _anthropic(kind: str) -> Generator:
    def make(rng):
        value = "sk-" + "ant-" + kind + "-" + _varied(rng, 93, URLSAFE) + "AA"
        name = "ANTHROPIC_API_KEY" if "api" in kind or "admin" in kind else "CLAUDE_CODE_OAUTH_TOKEN"
        return value, _context(rng, name, value) if rng.random() < 0.6 else _bare(rng, value)

    return make


def _github_app(rng):
    if rng.random() < 0.5:
        value = "gh" + "s_" + _varied(rng, 36)
    else:
        header = _b64url('{"alg":"RS256","typ":"JWT"}')
        payload = _b64url(json.dumps({"iss": rng.randrange(10**6), "exp": rng.randrange(10**9), "r": rand(rng, 300)}))
        value = "gh" + "s_" + str(rng.randrange(10**5, 10**7)) + "_" + header + "." + payload + "." + _varied(rng, 86, URLSAFE)
        while value[-1] in "-_":
            value = value[:-1] + "Q"
    return value, _context(rng, "GITHUB_TOKEN", value) if rng.random() < 0.6 else _bare(rng, value)


def _jwt(rng):
    header = _b64url(json.dumps({"alg": rng.choice(["HS256", "RS256", "ES256"]), "typ": "JWT"}))
    payload = _b64url(json.dumps({"sub": str(uuid.UUID(int=rng.getrandbits(128))), "iat": rng.randrange(10**9, 2 * 10**9), "name": rand(rng, 8)}))
    value = header + "." + payload + "." + _varied(rng, 43, URLSAFE)
    while value[-1] in "-_":
        value = value[:-1] + "Q"
    return value, rng.choice([f"Authorization: Bearer {value}", f'{{"id_token": "{value}"}}', f"session={value}; Path=/"])


def _pem(kind: str, escaped: bool) -> Generator:
    def make(rng):
        body = rand(rng, rng.choice([600, 1200, 1700]), B64)
        lines = [body[i : i + 64] for i in range(0, len(body), 64)]
        dashes = "-" * 5
        newline = "\\n" if escaped else "\n"
        value = newline.join([dashes + "BEGIN " + kind + " KEY" + dashes, *lines, dashes + "END " + kind + " KEY" + dashes])
        if escaped:
            text = '{"type": "service_account", "private_key_id": "' + rand(rng, 40, HEX) + '", "private_key": "' + value + '\\n", "client_id": "1' + rand(rng, 20, string.digits) + '"}'
        else:
            text = "$ cat ~/.ssh/id_rsa\n" + value + "\n"
        return value, text

    return make


def _pem_base64(rng):
    dashes = "-" * 5
    pem = dashes + "BEGIN PRIVATE" + " KEY" + dashes + "\n" + rand(rng, 256, B64) + "\n" + dashes + "END PRIVATE" + " KEY" + dashes + "\n"
    value = base64.b64encode(pem.encode()).decode()
    return value, f"data:\n  tls.key: {value}\nkind: Secret"


def _age(rng):
    value = "AGE" + "-SECRET-KEY-1" + rand(rng, 58, "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L")
    return value, f"# created: 2025-01-01\n{value}"


def _putty(rng):
    private = rand(rng, 64, B64)
    mac = rand(rng, 64, HEX)
    value = "Private-" + "Lines: 1\n" + private + "\nPrivate-MAC: " + mac
    return private, "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nPublic-Lines: 2\nAAAAC3NzaC1lZDI1NTE5\n" + value + "\n"


def _url_credential(rng):
    password = _varied(rng, rng.randrange(10, 24), ALNUM + "!-._~")
    scheme = rng.choice(["postgres", "postgresql", "mysql", "mongodb+srv", "redis", "amqp", "https"])
    user = rng.choice(["app", "svc_" + rand(rng, 4, string.ascii_lowercase), "deploy", ""]) if scheme == "redis" else rng.choice(["app", "deploy", "svc_" + rand(rng, 4, string.ascii_lowercase)])
    host = rng.choice(["db.internal", "cluster0.ab1cd.mongodb.net", "10.1.2.3", "cache", "github.com"])
    return password, rng.choice([f"DATABASE_URL={scheme}://{user}:{password}@{host}/app", f"conn = connect('{scheme}://{user}:{password}@{host}:5432/db')"])


def _url_token(rng):
    value = _varied(rng, 40, ALNUM)
    return value, f"git clone https://{value}@github.com/acme/private-repo.git"


def _auth_header(rng):
    scheme = rng.choice(["Bearer", "Basic", "Token", ""])
    if scheme == "Basic":
        value = base64.b64encode((rand(rng, 6, string.ascii_lowercase) + ":" + _varied(rng, 14)).encode()).decode()
    else:
        value = _varied(rng, rng.randrange(24, 48), ALNUM + "._-")
        while value[-1] in "._-":
            value = value[:-1] + "Z"
    header = f"Authorization: {scheme} {value}" if scheme else f"Authorization: {value}"
    return value, rng.choice([f'curl -H "{header}" https://api.acme.dev/v2/items', header, '{"headers": {"' + header.replace(": ", '": "', 1) + '"}}'])


def _bearer(rng):
    value = _varied(rng, 40, ALNUM)
    return value, f"headers = {{'X-Auth': 'Bearer {value}'}}"


def _curl_user(rng):
    value = _varied(rng, 16, ALNUM + "!._")
    return value, f"curl -u {rand(rng, 5, string.ascii_lowercase)}:{value} https://api.acme.dev/v1/report"


def _sql(rng):
    value = _varied(rng, 14, ALNUM + "!#%&")
    return value, rng.choice([f"CREATE USER app IDENTIFIED BY '{value}';", f"ALTER ROLE app WITH PASSWORD '{value}';"])


def _nuget(rng):
    value = _varied(rng, 16, ALNUM)
    return value, f'<add key="ClearTextPassword" value="{value}" />'


def _generic_password(rng):
    value = _varied(rng, rng.randrange(8, 20), ALNUM + "!@#%^&*-_=+.")
    name = rng.choice(["DB_PASSWORD", "password", "PGPASSWORD", "admin_pass", "smtpPassword", "REDIS_PASSWD"])
    text = rng.choice(
        [
            f"{name}={value}",
            f'"{name}": "{value}"',
            f"{name}: '{value}'",
            f"mysqldump --password {value} db > dump.sql",
            f'{{"command": "export {name}=\\"{value}\\" && ./run.sh"}}',
        ]
    )
    return value, text


def _generic_secret(rng):
    value = _varied(rng, rng.randrange(20, 48), ALNUM)
    name = rng.choice(["api_key", "API_KEY", "client_secret", "apiKey", "SECRET_KEY", "x-api-key", "auth_token", "webhookSecret", "DEEPSEEK_API_KEY"])
    text = rng.choice([f"{name} = '{value}'", f'"{name}": "{value}"', f"{name}: {value}", f"-H '{name}: {value}'", f"{name}={value}"])
    return value, text


def _mailchimp(rng):
    value = rand(rng, 32, HEX) + "-us" + str(rng.randrange(1, 22))
    return value, _context(rng, "MAILCHIMP_API_KEY", value)


def _telegram(rng):
    value = str(rng.randrange(10**8, 10**10)) + ":AA" + _varied(rng, 33, ALNUM)
    return value, _context(rng, "TELEGRAM_BOT_TOKEN", value)


def _terraform(rng):
    value = _varied(rng, 14) + ".atlas" + "v1." + _varied(rng, 67)
    return value, f'credentials "app.terraform.io" {{\n  token = "{value}"\n}}'


# --- PII


_FIRST = ["dana", "mateo", "aiko", "olu", "priya", "lars", "ines", "kwame", "noor", "tomasz", "yuki", "femi"]
_LAST = ["okafor", "fernandez", "tanaka", "adeyemi", "sharma", "nilsson", "moreau", "mensah", "haddad", "kowalski"]


def _person(rng) -> str:
    return rng.choice(_FIRST) + rng.choice(["", ".", "_"]) + rng.choice(_LAST) + str(rng.randrange(10, 9999))


def _email(rng):
    value = _person(rng) + "@" + rng.choice(["gmail.com", "outlook.com", "acme-corp.io", "mail.contoso.de", "proton.me", "uni-bonn.de"])
    return value, rng.choice([f"From: Dana <{value}>", f'{{"email": "{value}"}}', f"git config user.email {value}", f"contact {value} for access."])


def _luhn_complete(rng, prefix: str, length: int) -> str:
    body = prefix + "".join(rng.choice(string.digits) for _ in range(length - len(prefix) - 1))
    total = 0
    for index, char in enumerate(reversed(body)):
        n = int(char)
        if index % 2 == 0:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return body + str((10 - total % 10) % 10)


def _card(rng):
    kind = rng.choice(["visa", "mc", "amex", "discover"])
    if kind == "amex":
        digits = _luhn_complete(rng, rng.choice(["34", "37"]), 15)
        grouped = f"{digits[:4]} {digits[4:10]} {digits[10:]}"
    else:
        prefix = {"visa": "4", "mc": str(rng.randrange(51, 56)), "discover": "6011"}[kind]
        digits = _luhn_complete(rng, prefix, 16)
        sep = rng.choice([" ", "-", ""])
        grouped = sep.join(digits[i : i + 4] for i in range(0, 16, 4))
    return grouped, rng.choice([f"card number: {grouped}", f'{{"card": "{grouped}", "exp": "12/29"}}', f"charged {grouped} successfully"])


_IBAN_COUNTRIES = {"DE": 22, "GB": 22, "FR": 27, "NL": 18, "ES": 24, "IT": 27, "CH": 21, "BE": 16}


def _iban(rng):
    country = rng.choice(sorted(_IBAN_COUNTRIES))
    length = _IBAN_COUNTRIES[country]
    if country in ("GB", "NL"):
        bban = rand(rng, 4, UPPER) + "".join(rng.choice(string.digits) for _ in range(length - 8))
    else:
        bban = "".join(rng.choice(string.digits) for _ in range(length - 4))
    number = int("".join(str(int(c, 36)) for c in bban + country + "00"))
    check = 98 - number % 97
    compact = f"{country}{check:02d}{bban}"
    value = " ".join(compact[i : i + 4] for i in range(0, len(compact), 4)) if rng.random() < 0.5 else compact
    return value, rng.choice([f"IBAN: {value}", f'{{"iban": "{value}"}}', f"please transfer to {value} by Friday"])


def _ssn(rng):
    while True:
        area = rng.randrange(1, 900)
        if area != 666:
            break
    value = f"{area:03d}-{rng.randrange(1, 100):02d}-{rng.randrange(1, 10000):04d}"
    return value, rng.choice([f"SSN: {value}", f'{{"ssn": "{value}"}}', f"applicant ssn {value} verified"])


def _ssn_context(rng):
    value = f"{rng.randrange(100, 600):03d}{rng.randrange(10, 100):02d}{rng.randrange(1000, 10000):04d}"
    return value, f"ssn: {value}"


def _phone_international(rng):
    value = rng.choice(
        [
            f"+44 20 {rng.randrange(1000, 9999)} {rng.randrange(1000, 9999)}",
            f"+1-{rng.randrange(201, 989)}-{rng.randrange(200, 999)}-{rng.randrange(1000, 9999)}",
            f"+49 30 {rng.randrange(100000, 99999999)}",
            f"+33 {rng.randrange(1, 9)} {rng.randrange(10, 99)} {rng.randrange(10, 99)} {rng.randrange(10, 99)} {rng.randrange(10, 99)}",
            f"+1{rng.randrange(201, 989)}{rng.randrange(200, 999)}{rng.randrange(1000, 9999)}",
        ]
    )
    return value, rng.choice([f"call me on {value}", f'{{"phone": "{value}"}}', f"Tel: {value}"])


def _phone_nanp(rng):
    value = f"{rng.randrange(201, 989)}-{rng.randrange(200, 999)}-{rng.randrange(1000, 9999)}"
    return value, f"reach the owner at {value} after 6pm"


def _phone_nanp_parenthesized(rng):
    value = f"({rng.randrange(201, 989)}) {rng.randrange(200, 999)}-{rng.randrange(1000, 9999)}"
    return value, rng.choice([f"Call {value} today", f'{{"phone": "{value}"}}'])


def _docker_auth(rng):
    value = base64.b64encode((rand(rng, 6, string.ascii_lowercase) + ":" + _varied(rng, 18)).encode()).decode()
    return value, '{"auths": {"registry.acme.dev": {"auth": "' + value + '"}}}'


def _phone_context(rng):
    value = rng.choice([f"0{rng.randrange(20, 99)} {rng.randrange(1000, 9999)} {rng.randrange(1000, 9999)}", f"06 {rng.randrange(10, 99)} {rng.randrange(10, 99)} {rng.randrange(10, 99)} {rng.randrange(10, 99)}"])
    return value, rng.choice([f"Phone: {value}", f"mobile_number = '{value}'", f"fax {value}"])


_PUBLIC_FIRST_OCTETS = [23, 34, 35, 44, 52, 54, 63, 81, 91, 104, 128, 151, 162, 185, 195, 212]


def _ipv4(rng):
    while True:
        value = f"{rng.choice(_PUBLIC_FIRST_OCTETS)}.{rng.randrange(0, 256)}.{rng.randrange(0, 256)}.{rng.randrange(1, 255)}"
        if ipaddress.ip_address(value).is_global:
            break
    return value, rng.choice([f"Accepted publickey for deploy from {value} port 51234 ssh2", f'{{"client_ip": "{value}"}}', f"curl http://{value}:8080/health"])


def _ipv6(rng):
    prefix = rng.choice(["2a00:1450", "2606:4700", "2001:4860", "2a03:2880"])
    value = prefix + ":" + ":".join(f"{rng.randrange(1, 0xFFFF):x}" for _ in range(2)) + "::" + f"{rng.randrange(1, 0xFFFF):x}"
    return value, rng.choice([f"connect to [{value}]:443", f"from {value} via eth0", f'"remote_addr": "{value}"'])


def _home_user(rng):
    value = rng.choice(_FIRST) + rng.choice(_LAST) + str(rng.randrange(10, 999))
    return value, rng.choice([f"/home/{value}/src/app/main.py", f'"cwd": "/Users/{value}/work/repo"', f"Traceback: File \"/home/{value}/.venv/lib/x.py\", line 3"])


def _windows_user(rng):
    value = rng.choice(_FIRST).capitalize() + rng.choice(_LAST).capitalize() + str(rng.randrange(10, 99))
    return value, rng.choice([f"C:\\Users\\{value}\\AppData\\Local", '{"path": "C:\\\\Users\\\\' + value + '\\\\src"}'])


def _tilde_user(rng):
    value = rng.choice(_FIRST) + rng.choice(["_", "."]) + rng.choice(_LAST) + str(rng.randrange(10, 99))
    return value, rng.choice([f"cp notes.txt ~{value}/backup/", f"ls -la ~{value}/.ssh"])


def _prompt_user(rng):
    value = rng.choice(_FIRST) + rng.choice(_LAST) + str(rng.randrange(10, 99))
    return value, rng.choice([f"{value}@macbook-pro ~ % npm test", f"{value}@build-7:~/repo$ make"])


def _k8s_secret(rng):
    value = base64.b64encode(("postgres://app:" + _varied(rng, 16) + "@db:5432/app").encode()).decode()
    return value, f"apiVersion: v1\ndata:\n  DATABASE_URL: {value}\nkind: Secret\nmetadata:\n  name: app-{rng.randrange(100)}"


# family -> (rule id that should find it, generator)
_GENERATORS: Dict[str, Tuple[str, Generator]] = {
    "aws-access-key-id": ("aws-access-key-id", _token(("AK", "IA"), lambda r: _varied(r, 16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"), "AWS_ACCESS_KEY_ID")),
    "aws-secret-access-key": ("aws-secret-access-key", _aws_secret),
    "aws-bedrock-api-key": ("aws-bedrock-api-key", _token(("AB", "SK"), lambda r: _varied(r, 132, B64), "AWS_BEARER_TOKEN_BEDROCK")),
    "google-api-key": ("google-api-key", _token(("AI", "za"), lambda r: _varied(r, 35, URLSAFE), "GOOGLE_API_KEY")),
    "google-oauth-client-secret": ("google-oauth-client-secret", _token(("GOC", "SPX-"), lambda r: _varied(r, 28, ALNUM), "GOOGLE_CLIENT_SECRET")),
    "google-oauth-access-token": ("google-oauth-access-token", _token(("ya", "29."), lambda r: _varied(r, 150, ALNUM), "GOOGLE_ACCESS_TOKEN")),
    "azure-ad-client-secret": ("azure-ad-client-secret", _azure_client_secret),
    "azure-storage-account-key": ("azure-storage-account-key", _azure_storage),
    "azure-sas-token": ("azure-sas-token", _azure_sas),
    "github-pat": ("github-pat", _token(("gh", "p_"), lambda r: _varied(r, 36), "GITHUB_TOKEN")),
    "github-oauth-token": ("github-oauth-token", _token(("gh", "o_"), lambda r: _varied(r, 36), "GH_OAUTH_TOKEN")),
    "github-user-token": ("github-user-token", _token(("gh", "u_"), lambda r: _varied(r, 36), "GH_USER_TOKEN")),
    "github-refresh-token": ("github-refresh-token", _token(("gh", "r_"), lambda r: _varied(r, 76), "GH_REFRESH_TOKEN")),
    "github-app-token": ("github-app-token", _github_app),
    "github-fine-grained-pat": ("github-fine-grained-pat", _token(("github", "_pat_"), lambda r: _varied(r, 22) + "_" + _varied(r, 59), "GH_TOKEN")),
    "gitlab-pat": ("gitlab-pat", _token(("gl", "pat-"), lambda r: _varied(r, 20), "GITLAB_TOKEN")),
    "gitlab-token": ("gitlab-token", _token(("gl", "ptt-"), lambda r: rand(r, 40, HEX), "CI_TRIGGER_TOKEN")),
    "gitlab-runner-registration-token": ("gitlab-runner-registration-token", _token(("GR1348", "941"), lambda r: _varied(r, 20), "REGISTRATION_TOKEN")),
    "gitlab-session-cookie": ("gitlab-session-cookie", lambda r: (lambda v: (v, f"Cookie: _gitlab_session={v}; path=/"))(rand(r, 32, HEX))),
    "npm-access-token": ("npm-access-token", _token(("np", "m_"), lambda r: _varied(r, 36), "NPM_TOKEN")),
    "pypi-upload-token": ("pypi-upload-token", _token(("py", "pi-AgEIcHlwaS5vcmc"), lambda r: _varied(r, 120, URLSAFE), "TWINE_PASSWORD")),
    "rubygems-api-key": ("rubygems-api-key", _token(("ruby", "gems_"), lambda r: rand(r, 48, HEX), "GEM_HOST_API_KEY")),
    "clojars-deploy-token": ("clojars-deploy-token", _token(("CLO", "JARS_"), lambda r: rand(r, 60, HEX), "CLOJARS_TOKEN")),
    "nuget-api-key": ("nuget-api-key", _token(("oy", "2"), lambda r: _varied(r, 43, string.ascii_lowercase + string.digits), "NUGET_API_KEY")),
    "nuget-config-password": ("nuget-config-password", _nuget),
    "huggingface-token": ("huggingface-token", _token(("h", "f_"), lambda r: _varied(r, 34), "HF_TOKEN")),
    "huggingface-org-token": ("huggingface-org-token", _token(("api", "_org_"), lambda r: _varied(r, 34), "HF_ORG_TOKEN")),
    "slack-token": ("slack-token", _slack_token),
    "slack-app-token": ("slack-app-token", _slack_app),
    "slack-webhook-url": ("slack-webhook-url", _slack_webhook),
    "stripe-secret-key": ("stripe-secret-key", _token(("sk", "_live_"), lambda r: _varied(r, 99), "STRIPE_SECRET_KEY")),
    "stripe-webhook-secret": ("stripe-webhook-secret", _token(("wh", "sec_"), lambda r: _varied(r, 32), "STRIPE_WEBHOOK_SECRET")),
    "square-token": ("square-token", _token(("EA", "AA"), lambda r: _varied(r, 60), "SQUARE_ACCESS_TOKEN")),
    "sendgrid-api-key": ("sendgrid-api-key", _token(("S", "G."), lambda r: _varied(r, 22) + "." + _varied(r, 43), "SENDGRID_API_KEY")),
    "mailchimp-api-key": ("mailchimp-api-key", _mailchimp),
    "twilio-api-key": ("twilio-api-key", _token(("S", "K"), lambda r: _varied(r, 32, "0123456789abcdef"), "TWILIO_API_KEY")),
    "telegram-bot-token": ("telegram-bot-token", _telegram),
    "anthropic-oauth-token": ("anthropic-oauth-token", _anthropic("oat01")),
    "anthropic-oauth-refresh-token": ("anthropic-oauth-token", _anthropic("ort01")),
    "anthropic-api-key": ("anthropic-api-key", _anthropic("api03")),
    "openai-api-key": ("openai-api-key", _openai),
    "openrouter-api-key": ("openrouter-api-key", _token(("sk-", "or-v1-"), lambda r: rand(r, 64, HEX), "OPENROUTER_API_KEY")),
    "groq-api-key": ("groq-api-key", _token(("gs", "k_"), lambda r: _varied(r, 20) + "WGdyb3FY" + _varied(r, 24), "GROQ_API_KEY")),
    "xai-api-key": ("xai-api-key", _token(("xa", "i-"), lambda r: _varied(r, 80), "XAI_API_KEY")),
    "perplexity-api-key": ("perplexity-api-key", _token(("pp", "lx-"), lambda r: _varied(r, 48), "PPLX_API_KEY")),
    "replicate-api-token": ("replicate-api-token", _token(("r", "8_"), lambda r: _varied(r, 37), "REPLICATE_API_TOKEN")),
    "vault-token": ("vault-token", _token(("hv", "s."), lambda r: _varied(r, 95), "VAULT_TOKEN")),
    "terraform-cloud-token": ("terraform-cloud-token", _terraform),
    "digitalocean-token": ("digitalocean-token", _token(("do", "p_v1_"), lambda r: rand(r, 64, HEX), "DIGITALOCEAN_TOKEN")),
    "doppler-token": ("doppler-token", _token(("dp", ".st."), lambda r: _varied(r, 43), "DOPPLER_TOKEN")),
    "databricks-token": ("databricks-token", _token(("da", "pi"), lambda r: rand(r, 32, HEX), "DATABRICKS_TOKEN")),
    "shopify-token": ("shopify-token", _token(("shp", "at_"), lambda r: rand(r, 32, HEX), "SHOPIFY_TOKEN")),
    "linear-api-key": ("linear-api-key", _token(("lin", "_api_"), lambda r: _varied(r, 40), "LINEAR_API_KEY")),
    "notion-token": ("notion-token", _token(("nt", "n_"), lambda r: _varied(r, 46), "NOTION_TOKEN")),
    "postman-api-key": ("postman-api-key", _token(("PM", "AK-"), lambda r: rand(r, 24, HEX) + "-" + rand(r, 34, HEX), "POSTMAN_API_KEY")),
    "pulumi-access-token": ("pulumi-access-token", _token(("pu", "l-"), lambda r: rand(r, 40, HEX), "PULUMI_ACCESS_TOKEN")),
    "grafana-token": ("grafana-token", _token(("gl", "sa_"), lambda r: _varied(r, 32) + "_" + rand(r, 8, HEX), "GRAFANA_TOKEN")),
    "sentry-token": ("sentry-token", _token(("snt", "rys_eyJ"), lambda r: _varied(r, 120), "SENTRY_AUTH_TOKEN")),
    "heroku-api-key": ("heroku-api-key", _token(("HR", "KU-AA"), lambda r: _varied(r, 58), "HEROKU_API_KEY")),
    "onepassword-service-token": ("onepassword-service-token", _token(("op", "s_eyJ"), lambda r: _varied(r, 200), "OP_SERVICE_ACCOUNT_TOKEN")),
    "onepassword-secret-key": ("onepassword-secret-key", lambda r: (lambda v: (v, f"Secret Key: {v}"))("A" + "3-" + "-".join(_varied(r, n, UPPER_DIGITS) for n in (6, 11, 5, 5, 5)))),
    "artifactory-token": ("artifactory-token", _token(("AK", "Cp"), lambda r: _varied(r, 69), "ARTIFACTORY_API_KEY")),
    "alibaba-access-key-id": ("alibaba-access-key-id", _token(("LT", "AI"), lambda r: _varied(r, 20), "ALIBABA_CLOUD_ACCESS_KEY_ID")),
    "dynatrace-token": ("dynatrace-token", _token(("dt0", "c01."), lambda r: _varied(r, 24, UPPER_DIGITS) + "." + _varied(r, 64, UPPER_DIGITS), "DT_API_TOKEN")),
    "flyio-token": ("flyio-token", _token(("fm", "2_"), lambda r: _varied(r, 180, B64), "FLY_API_TOKEN")),
    "docker-pat": ("docker-pat", _token(("dckr", "_pat_"), lambda r: _varied(r, 27), "DOCKER_TOKEN")),
    "vercel-token": ("vercel-token", _token(("vc", "p_"), lambda r: _varied(r, 40), "VERCEL_TOKEN")),
    "supabase-token": ("supabase-token", _token(("sb", "p_"), lambda r: rand(r, 40, HEX), "SUPABASE_ACCESS_TOKEN")),
    "tailscale-key": ("tailscale-key", _token(("ts", "key-auth-"), lambda r: _varied(r, 12) + "CNTRL-" + _varied(r, 30), "TS_AUTHKEY")),
    "discord-webhook-url": ("discord-webhook-url", lambda r: (lambda v: (v, f"https://discord.com/api/" + f"webhooks/{r.randrange(10**17, 10**18)}/{v}"))(_varied(r, 68, ALNUM))),
    "teams-webhook-url": ("teams-webhook-url", lambda r: (lambda v: (v, f"https://acme.webhook.office.com/" + f"webhookb2/{v}"))(str(uuid.UUID(int=r.getrandbits(128))) + "@" + str(uuid.UUID(int=r.getrandbits(128))) + "/IncomingWebhook/" + rand(r, 32, HEX))),
    "private-key": ("private-key", _pem("RSA PRIVATE", escaped=False)),
    "private-key-openssh": ("private-key", _pem("OPENSSH PRIVATE", escaped=False)),
    "private-key-json-escaped": ("private-key", _pem("PRIVATE", escaped=True)),
    "private-key-base64": ("private-key-base64", _pem_base64),
    "age-secret-key": ("age-secret-key", _age),
    "putty-private-key": ("putty-private-key", _putty),
    "json-web-token": ("json-web-token", _jwt),
    "kubernetes-secret-data": ("kubernetes-secret-data", _k8s_secret),
    "docker-config-auth": ("docker-config-auth", _docker_auth),
    "url-credential": ("url-credential", _url_credential),
    "url-token": ("url-token", _url_token),
    "http-authorization-header": ("http-authorization-header", _auth_header),
    "http-bearer-token": ("http-bearer-token", _bearer),
    "curl-basic-auth": ("curl-basic-auth", _curl_user),
    "sql-password": ("sql-password", _sql),
    "generic-password": ("generic-password", _generic_password),
    "generic-secret": ("generic-secret", _generic_secret),
    "email-address": ("email-address", _email),
    "phone-number-international": ("phone-number-international", _phone_international),
    "phone-number-nanp": ("phone-number-nanp", _phone_nanp),
    "phone-number-nanp-parenthesized": ("phone-number-nanp-parenthesized", _phone_nanp_parenthesized),
    "phone-number-context": ("phone-number-context", _phone_context),
    "us-ssn": ("us-ssn", _ssn),
    "us-ssn-context": ("us-ssn-context", _ssn_context),
    "credit-card-number": ("credit-card-number", _card),
    "iban-account-number": ("iban-account-number", _iban),
    "ipv4-address": ("ipv4-address", _ipv4),
    "ipv6-address": ("ipv6-address", _ipv6),
    "home-directory-user": ("home-directory-user", _home_user),
    "windows-home-directory-user": ("windows-home-directory-user", _windows_user),
    "tilde-home-user": ("tilde-home-user", _tilde_user),
    "shell-prompt-user": ("shell-prompt-user", _prompt_user),
}

def _shuffled_like(rng: random.Random, value: str, keep: Tuple[int, int]) -> str:
    """``value`` with every letter and digit outside ``keep`` replaced by a random one of its class.

    Classes follow token alphabets (a-f stays hex, g-h stays in a-h, 0-9 stays a digit), so the
    result still has the shape the rule's pattern asks for.
    """
    out = []
    # Literal parts of a format (TEST, live, tkn, the X at the end) are short runs: only runs
    # of eight or more letters and digits are filler.
    filler = set()
    for run in re.finditer(r"[A-Za-z0-9]{8,}", value):
        filler.update(range(run.start(), run.end()))
    for index, char in enumerate(value):
        if keep[0] <= index < keep[1] or index not in filler:
            out.append(char)
            continue
        for group in ("0123456789", "abcdef", "gh", "ijklmnopqrstuvwxyz", "ABCDEF", "GHIJKLMNOPQRSTUVWXYZ"):
            if char in group:
                out.append(rng.choice(group))
                break
    return "".join(out)


def _from_rule_example(rule_id: str) -> Generator:
    """Random values shaped like a prefixed-token rule's own example (rules/providers.py)."""

    cache: Dict[str, Any] = {}

    def make(rng: random.Random) -> Tuple[str, str]:
        if not cache:
            from data_flywheel.redaction import Redactor, rules

            rule = rules.rules_by_id()[rule_id]
            single = Redactor(rules=[rule])
            example = rule.examples[0]
            found = single.scan(example)[0]
            base = example[found.offset : found.end]
            lowered = base.lower()
            keyword = max((k for k in rule.keywords if k.lower() in lowered), key=len)
            at = lowered.index(keyword.lower())
            # The keyword and the character after it (EAA + M|C|G|B) stay as the example has them.
            keep = (0, at + len(keyword) + 1) if "://" not in base else (0, base.rindex("/") + 1)
            if at > 0:
                keep = (at, at + len(keyword))
            cache.update(label=rule.label, base=base, keep=keep)
        value = _shuffled_like(rng, cache["base"], cache["keep"])
        return value, (_context(rng, cache["label"], value) if rng.random() < 0.5 else _bare(rng, value))

    return make


def _provider_generators() -> Dict[str, Tuple[str, Generator]]:
    from data_flywheel.redaction.rules import providers

    return {rule.id: (rule.id, _from_rule_example(rule.id)) for rule in providers.RULES}


_GENERATORS.update(_provider_generators())

FAMILIES: Dict[str, str] = {family: rule_id for family, (rule_id, _) in _GENERATORS.items()}


def planted_texts(seed: int = 0, per_family: int = 3) -> List[Tuple[str, str, str]]:
    """``[(family, value, text)]``: ``per_family`` values of every family, each in a context."""
    rng = random.Random(seed)
    out: List[Tuple[str, str, str]] = []
    seen = set()
    for family, (_, make) in _GENERATORS.items():
        made = 0
        while made < per_family:
            value, text = make(rng)
            if value in seen:
                continue
            seen.add(value)
            out.append((family, value, text))
            made += 1
    return out


def planted_values(seed: int = 0, per_family: int = 3) -> List[Tuple[str, str]]:
    """``[(family, value)]``: the values of ``planted_texts`` (see there for contexts)."""
    return [(family, value) for family, value, _ in planted_texts(seed, per_family)]


# ---------------------------------------------------------------------------
# Hard negatives: text that must survive redaction unchanged.


def _sha1(rng) -> str:
    return hashlib.sha1(rng.getrandbits(64).to_bytes(8, "big")).hexdigest()


def _uuid(rng) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


_HARD_NEGATIVE_MAKERS: List[Callable[[random.Random], str]] = [
    lambda r: f"commit {_sha1(r)}",
    lambda r: f"{_sha1(r)[:7]} Fix flaky test in parser ({_sha1(r)[:10]})",
    lambda r: f"Merge: {_sha1(r)[:7]} {_sha1(r)[:7]}",
    lambda r: f'{{"sha": "{_sha1(r)}", "node_id": "C_kwDO{rand(r, 20)}", "tree": {{"sha": "{_sha1(r)}"}}}}',
    lambda r: f'{{"id": "{_uuid(r)}", "request_id": "{_uuid(r)}", "tool_use_id": "toolu_{rand(r, 24)}"}}',
    lambda r: f'"integrity": "sha512-{base64.b64encode(hashlib.sha512(r.getrandbits(64).to_bytes(8, "big")).digest()).decode()}",',
    lambda r: f'  resolved "https://registry.yarnpkg.com/lodash/-/lodash-4.17.{r.randrange(30)}.tgz#{_sha1(r)}"',
    lambda r: f'hash = "sha256:{hashlib.sha256(r.getrandbits(64).to_bytes(8, "big")).hexdigest()}"',
    lambda r: f"image: ghcr.io/acme/api@sha256:{hashlib.sha256(r.getrandbits(64).to_bytes(8, 'big')).hexdigest()}",
    lambda r: f"pkg/__init__.py,sha256={base64.urlsafe_b64encode(hashlib.sha256(r.getrandbits(64).to_bytes(8, 'big')).digest()).decode().rstrip('=')},{r.randrange(100, 9999)}",
    lambda r: f"golang.org/x/net v0.{r.randrange(30)}.0 h1:{base64.b64encode(hashlib.sha256(r.getrandbits(64).to_bytes(8, 'big')).digest()).decode()}",
    lambda r: f"pip install requests==2.31.0 --hash=sha256:{hashlib.sha256(r.getrandbits(64).to_bytes(8, 'big')).hexdigest()}",
    lambda r: f'<img src="data:image/png;base64,{base64.b64encode(bytes(r.getrandbits(8) for _ in range(300))).decode()}">',
    lambda r: f'checksum = "{hashlib.sha256(r.getrandbits(64).to_bytes(8, "big")).hexdigest()}"',
    lambda r: f"Python 3.{r.randrange(8, 14)}.{r.randrange(20)} / node v{r.randrange(14, 23)}.{r.randrange(20)}.{r.randrange(10)} / version {r.randrange(1, 9)}.{r.randrange(10)}.{r.randrange(10)}.{r.randrange(10)}",
    lambda r: f'"version": "{r.randrange(1, 20)}.{r.randrange(30)}.{r.randrange(30)}", "build": "{r.randrange(10**6)}"',
    lambda r: f"listening on 127.0.0.1:{r.randrange(1024, 65535)} and 10.{r.randrange(256)}.{r.randrange(256)}.{r.randrange(1, 255)} and 192.168.{r.randrange(256)}.{r.randrange(1, 255)}",
    lambda r: "inet6 ::1/128 scope host; fe80::" + f"{r.randrange(1, 0xFFFF):x}:{r.randrange(1, 0xFFFF):x}/64",
    lambda r: f"    max_tokens = {r.randrange(256, 8192)}",
    lambda r: f'{{"usage": {{"input_tokens": {r.randrange(10**5)}, "output_tokens": {r.randrange(10**4)}, "cache_read_input_tokens": {r.randrange(10**5)}}}}}',
    lambda r: 'password = os.environ["DB_PASSWORD"]',
    lambda r: 'api_key = os.getenv("OPENAI_API_KEY")',
    lambda r: f"export GITHUB_TOKEN=${{GITHUB_TOKEN}}  # set in CI, run {r.randrange(1000)}",
    lambda r: "AWS_ACCESS_KEY_ID=AKIA" + "IOSFODNN7" + "EXAMPLE",
    lambda r: "password: <your-password>  # replace me",
    lambda r: "Authorization: Bearer $TOKEN",
    lambda r: "token: ***",
    lambda r: "DB_PASSWORD=changeme",
    lambda r: f"git clone git@github.com:acme/repo-{r.randrange(100)}.git",
    lambda r: f"Author: CI Bot <ci-bot@example.com>  Date: 2025-0{r.randrange(1, 9)}-1{r.randrange(9)}",
    lambda r: f"npm i @types/node@{r.randrange(14, 22)}.{r.randrange(20)}.{r.randrange(20)}",
    lambda r: f"/home/runner/work/repo/repo/src/mod_{r.randrange(100)}.py:{r.randrange(1, 500)}: in test_x",
    lambda r: f"ts={r.randrange(1_600_000_000_000, 1_800_000_000_000)} span_id={rand(r, 16, HEX)} trace_id={rand(r, 32, HEX)}",
    lambda r: f"color: #{rand(r, 6, HEX)}; margin: {r.randrange(20)}px",
    lambda r: f"2025-0{r.randrange(1, 9)}-{r.randrange(10, 28)}T{r.randrange(10, 23)}:{r.randrange(10, 59)}:{r.randrange(10, 59)}.{r.randrange(100, 999)}Z INFO worker {r.randrange(100)} ready",
    lambda r: f"mac {':'.join(rand(r, 2, HEX) for _ in range(6))} on eth{r.randrange(4)}",
    lambda r: f"def tokenize(text: str, secret_name: str = 'default') -> list[str]:  # {r.randrange(100)}",
    lambda r: f'tokenizer = AutoTokenizer.from_pretrained("meta-llama/Llama-3.{r.randrange(4)}-8B")',
    lambda r: f"    self.password = password  # line {r.randrange(500)}",
    lambda r: f"5 passed, {r.randrange(10)} skipped in {r.randrange(1, 99)}.{r.randrange(10, 99)}s",
    lambda r: f"ERROR at 0x{rand(r, 12, HEX)} in frame {r.randrange(100)}",
    lambda r: f"ISBN 978-{r.randrange(0, 9)}-{r.randrange(100, 999)}-{r.randrange(10000, 99999)}-{r.randrange(10)}",
    lambda r: f"order #{r.randrange(10**7, 10**8)} shipped {r.randrange(1, 28)}/0{r.randrange(1, 9)}/2025",
    lambda r: f"- uses: actions/checkout@{_sha1(r)}  # v4",
    lambda r: f"Cargo: checksum = \"{hashlib.sha256(r.getrandbits(64).to_bytes(8, 'big')).hexdigest()}\"",
    lambda r: f"etag: W/\"{rand(r, 32, HEX)}\"",
    lambda r: f"{{\"kind\": \"Deployment\", \"metadata\": {{\"uid\": \"{_uuid(r)}\", \"resourceVersion\": \"{r.randrange(10**6)}\"}}}}",
]


def hard_negatives(seed: int = 0, count: int = 200) -> List[str]:
    """Lines that contain no secret and no personal data and must survive unchanged."""
    rng = random.Random(seed)
    return [rng.choice(_HARD_NEGATIVE_MAKERS)(rng) for _ in range(count)]
