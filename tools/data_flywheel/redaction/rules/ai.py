"""AI providers: Anthropic, OpenAI, OpenRouter, Groq, xAI, Perplexity, Replicate."""
from __future__ import annotations

from typing import Any, Tuple

from .base import ALNUM, HEX, Rule, fake


def _openai_key(c: Any) -> bool:
    value = c.value
    if value.startswith(("sk-ant-", "sk-or-")):
        return False
    # T3BlbkFJ is base64 of "openai"; CredSweeper also accepts the shifted forms.
    if "T3BlbkFJ" in value or "9wZW5BS" in value or "PcGVuQU" in value:
        return True
    return value.startswith(("sk-proj-", "sk-svcacct-", "sk-admin-")) and len(value) >= 48


_ANTHROPIC_BODY = fake(93, ALNUM + "-_", 6) + "AA"
_OPENAI_BODY = fake(20, ALNUM, 8) + "T3Blbk" + "FJ" + fake(20, ALNUM, 9)
_OPENAI_PROJ = "sk-" + "proj-" + fake(74, ALNUM + "-_", 10) + "T3Blbk" + "FJ" + fake(74, ALNUM + "-_", 11)


RULES: Tuple[Rule, ...] = (
    # --- AI providers -----------------------------------------------------------------
    Rule(
        id="anthropic-oauth-token",
        description="Claude Code OAuth access and refresh tokens (sk-ant-oat01-, sk-ant-ort01-).",
        kind="secret",
        label="ANTHROPIC_TOKEN",
        keywords=("sk-ant-o",),
        pattern=r"sk-ant-o[ar]t[0-9]{2}-[A-Za-z0-9_-]{20,400}",
        entropy=3.0,
        examples=("CLAUDE_CODE_OAUTH_TOKEN=" + "sk-" + "ant-oat01-" + _ANTHROPIC_BODY, '"refreshToken":"' + "sk-" + "ant-ort01-" + _ANTHROPIC_BODY + '"'),
        counterexamples=("sk-ant-oat01-" + "x" * 30,),
    ),
    Rule(
        id="anthropic-api-key",
        description="Anthropic API and admin keys (sk-ant-api03-, sk-ant-admin01-, and future sk-ant-<kind>NN-).",
        kind="secret",
        label="ANTHROPIC_KEY",
        keywords=("sk-ant-",),
        pattern=r"sk-ant-[a-z]{2,6}[0-9]{2}-[A-Za-z0-9_-]{20,400}",
        entropy=3.0,
        examples=("ANTHROPIC_API_KEY=" + "sk-" + "ant-api03-" + _ANTHROPIC_BODY, "x-api-key: " + "sk-" + "ant-admin01-" + _ANTHROPIC_BODY),
        counterexamples=("sk-ant-api03-" + "your-key-here-" + "x" * 10,),
    ),
    Rule(
        id="openai-api-key",
        description="OpenAI API key: project, service-account, admin and legacy user keys (the T3BlbkFJ marker).",
        kind="secret",
        label="OPENAI_KEY",
        keywords=("sk-",),
        pattern=r"sk-[A-Za-z0-9_-]{20,300}",
        entropy=3.5,
        validator=_openai_key,
        examples=("OPENAI_API_KEY=" + _OPENAI_PROJ, "openai.api_key = 'sk-" + _OPENAI_BODY + "'"),
        counterexamples=("task-" + fake(40, ALNUM, 59), "sk-" + fake(48, ALNUM, 59), "risk-assessment-for-the-quarter-report"),
    ),
    Rule(
        id="openrouter-api-key",
        description="OpenRouter API key (sk-or-v1-).",
        kind="secret",
        label="OPENROUTER_KEY",
        keywords=("sk-or-v1-",),
        pattern=r"sk-or-v1-[0-9a-f]{64}",
        examples=("OPENROUTER_API_KEY=" + "sk-" + "or-v1-" + fake(64, HEX, 60),),
        counterexamples=("sk-or-v1-" + "abc",),
    ),
    Rule(
        id="groq-api-key",
        description="Groq API key (gsk_).",
        kind="secret",
        label="GROQ_KEY",
        keywords=("gsk_",),
        pattern=r"gsk_[A-Za-z0-9]{48,56}",
        entropy=3.5,
        examples=("GROQ_API_KEY=" + "gs" + "k_" + fake(20, ALNUM, 61) + "WGdyb3FY" + fake(24, ALNUM, 62),),
        counterexamples=("gsk_" + "short",),
    ),
    Rule(
        id="xai-api-key",
        description="xAI (Grok) API key (xai-).",
        kind="secret",
        label="XAI_KEY",
        keywords=("xai-",),
        pattern=r"xai-[A-Za-z0-9]{70,90}",
        entropy=3.5,
        examples=("XAI_API_KEY=" + "xa" + "i-" + fake(80, ALNUM, 63),),
        counterexamples=("xai-" + "grok-2-latest",),
    ),
    Rule(
        id="perplexity-api-key",
        description="Perplexity API key (pplx-).",
        kind="secret",
        label="PERPLEXITY_KEY",
        keywords=("pplx-",),
        pattern=r"pplx-[A-Za-z0-9]{40,56}",
        entropy=3.5,
        examples=("PERPLEXITY_API_KEY=" + "pp" + "lx-" + fake(48, ALNUM, 64),),
        counterexamples=("pplx-" + "api",),
    ),
    Rule(
        id="replicate-api-token",
        description="Replicate API token (r8_).",
        kind="secret",
        label="REPLICATE_TOKEN",
        keywords=("r8_",),
        pattern=r"r8_[A-Za-z0-9]{37,40}",
        entropy=3.5,
        examples=("REPLICATE_API_TOKEN=" + "r" + "8_" + fake(37, ALNUM, 65),),
        counterexamples=("r8_" + "short", "car8_" + fake(37, ALNUM, 65)),
    ),
)
