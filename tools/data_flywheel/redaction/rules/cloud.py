"""Cloud providers: AWS, Google, Azure."""
from __future__ import annotations

from typing import Any, Tuple

from .. import validators as v
from .base import ALNUM, B64, UPPER_DIGITS, Rule, fake


def _aws_secret(c: Any) -> bool:
    value = c.value
    return v.has_digit(value) and value != value.lower() and v.shannon_entropy(value) > 3.5


def _azure_sas(c: Any) -> bool:
    return "sv=" in c.before(600).lower()


_AWS_ID = "AK" + "IA" + fake(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 3)
_AWS_SECRET = fake(40, B64, 4)


RULES: Tuple[Rule, ...] = (
    # --- Cloud providers -------------------------------------------------------------
    Rule(
        id="aws-access-key-id",
        description="AWS access key id (AKIA long-term, ASIA temporary, ABIA/ACCA, A3T).",
        kind="secret",
        label="AWS_ACCESS_KEY",
        pattern=r"(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}",
        entropy=3.0,
        examples=("aws_access_key_id = " + _AWS_ID, '"AccessKeyId": "' + "AS" + "IA" + fake(16, UPPER_DIGITS[:26] + "234567", 14) + '"'),
        counterexamples=("AKIA" + "IOSFODNN7" + "EXAMPLE", "XAKIA" + fake(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 3), "AKIA" + "A" * 16),
    ),
    Rule(
        id="aws-secret-access-key",
        description="AWS secret access key: 40 base64 characters after a secret-access-key name.",
        kind="secret",
        label="AWS_SECRET_KEY",
        view="lower",
        keywords=("secret_access_key", "secretaccesskey", "secret-access-key", "aws_secret_key"),
        pattern=r"""(?:secret[_-]?access[_-]?key|aws_secret_key)\\{0,3}["'`]?\]?[ \t]{0,8}(?::=|=>|=|:|[ \t])[ \t]{0,8}\\{0,3}["'`]?(?P<secret>[a-z0-9/+]{40})(?![a-z0-9/+=])""",
        left_boundary="",
        right_boundary="",
        validator=_aws_secret,
        priority=1,
        examples=("export AWS_SECRET_ACCESS_KEY=" + _AWS_SECRET, "aws_secret_access_key = " + _AWS_SECRET),
        counterexamples=("AWS_SECRET_ACCESS_KEY=" + "wJalrXUtnFEMI/K7MDENG/bPxRfi" + "CYEXAMPLEKEY", "aws_secret_access_key = ${AWS_SECRET}"),
    ),
    Rule(
        id="aws-bedrock-api-key",
        description="Amazon Bedrock API key (long-term ABSK, short-term bedrock-api-key-).",
        kind="secret",
        label="AWS_BEDROCK_KEY",
        keywords=("absk", "bedrock-api-key-"),
        pattern=r"(?:ABSK[A-Za-z0-9+/]{109,269}={0,2}|bedrock-api-key-[A-Za-z0-9+/=]{40,2000})",
        entropy=3.5,
        examples=("AWS_BEARER_TOKEN_BEDROCK=" + "AB" + "SK" + fake(132, B64, 15),),
        counterexamples=("ABSK" + "short",),
    ),
    Rule(
        id="google-api-key",
        description="Google API key (also Gemini keys): AIza plus 35 characters.",
        kind="secret",
        label="GOOGLE_API_KEY",
        keywords=("aiza",),
        pattern=r"AIza[A-Za-z0-9_-]{35}",
        entropy=3.5,
        examples=("GEMINI_API_KEY=" + "AI" + "za" + fake(35, ALNUM + "-_", 16),),
        counterexamples=("AIza" + "x" * 35, "AIza" + fake(20, ALNUM, 16)),
    ),
    Rule(
        id="google-oauth-client-secret",
        description="Google OAuth client secret (GOCSPX-).",
        kind="secret",
        label="GOOGLE_OAUTH_SECRET",
        keywords=("gocspx-",),
        pattern=r"GOCSPX-[A-Za-z0-9_-]{28}",
        entropy=3.0,
        examples=('"client_secret": "' + "GOC" + "SPX-" + fake(28, ALNUM + "-_", 17) + '"',),
        counterexamples=("GOCSPX-" + "short",),
    ),
    Rule(
        id="google-oauth-access-token",
        description="Google OAuth access token (ya29.).",
        kind="secret",
        label="GOOGLE_OAUTH_TOKEN",
        keywords=("ya29.",),
        pattern=r"ya29\.[A-Za-z0-9_-]{20,2048}",
        entropy=3.0,
        strip="-_",
        examples=("Authorization: Bearer " + "ya" + "29." + fake(120, ALNUM + "-_", 18),),
        counterexamples=("ya29." + "abc",),
    ),
    Rule(
        id="azure-ad-client-secret",
        description="Microsoft Entra ID (Azure AD) client secret: 3 characters, a digit, Q~, 31-34 more.",
        kind="secret",
        label="AZURE_CLIENT_SECRET",
        keywords=("q~",),
        pattern=r"Q~[A-Za-z0-9_~.-]{31,34}",
        left=r"[0-9][A-Za-z0-9_~.]{3}",
        left_max=4,
        left_boundary=ALNUM + "_~.",
        right_boundary=ALNUM + "_~.-",
        entropy=3.0,
        examples=("AZURE_CLIENT_SECRET=" + "abc8" + "Q~" + fake(34, ALNUM + "_~.-", 19),),
        counterexamples=("Q~" + fake(34, ALNUM, 19),),
    ),
    Rule(
        id="azure-storage-account-key",
        description="Azure storage account key inside a connection string (AccountKey=).",
        kind="secret",
        label="AZURE_STORAGE_KEY",
        view="lower",
        keywords=("accountkey=",),
        pattern=r"accountkey=(?P<secret>[a-z0-9+/]{86}==)",
        left_boundary="",
        right_boundary="",
        examples=("DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=" + fake(86, B64, 20) + "==;EndpointSuffix=core.windows.net",),
        counterexamples=("AccountKey=<key>",),
    ),
    Rule(
        id="azure-sas-token",
        description="Azure shared access signature (sig= in a SAS URL with sv=).",
        kind="secret",
        label="AZURE_SAS",
        view="lower",
        keywords=("sig=",),
        pattern=r"sig=(?P<secret>[a-z0-9%+/]{30,120}(?:%3d|=){0,2})",
        left_boundary=ALNUM,
        right_boundary="",
        validator=_azure_sas,
        examples=("https://acme.blob.core.windows.net/c/f.txt?sv=2022-11-02&ss=b&sp=r&sig=" + fake(43, ALNUM, 21) + "%3D",),
        counterexamples=("https://example.org/?sig=" + fake(43, ALNUM, 21),),
    ),
)
