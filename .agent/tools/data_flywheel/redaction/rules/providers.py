"""More providers whose tokens name themselves by a prefix, as public scanners document them.

Formats from the documentation of gitleaks' default rule set and TruffleHog's
detectors (read, not copied: each pattern here is written for this engine, with
its keyword as the literal it starts with). A token with a prefix is found in
prose too; formats without one (a provider's 32 hex characters) are left to the
generic layer in ``context.py``, which finds them next to a credential's name.

``_token`` builds one rule from a row: the example is the prefix plus
deterministic filler, the counterexample the prefix with a short body.
"""
from __future__ import annotations

from typing import Any, Optional, Tuple

from .. import validators as v
from .base import ALNUM, HEX, TOKEN, UPPER_DIGITS, Rule, fake

_LOWER_DIGITS = "abcdefghijklmnopqrstuvwxyz0123456789"
_URLSAFE = ALNUM + "-_"


def _mixed(c: Any) -> bool:
    """A random body has digits and letters; a word with a prefix (API-REFERENCE...) does not."""
    value = c.value
    return v.has_digit(value) and v.has_letter(value)


def _token(
    id: str,
    label: str,
    description: str,
    keywords: Tuple[str, ...],
    pattern: str,
    example: str,
    *,
    entropy: Optional[float] = 3.0,
    left: Optional[str] = None,
    left_max: int = 64,
    view: str = "text",
) -> Rule:
    return Rule(
        id=id,
        description=description,
        kind="secret",
        label=label,
        keywords=keywords,
        pattern=pattern,
        view=view,
        left=left,
        left_max=left_max,
        right_boundary=TOKEN if left is None else ALNUM,
        entropy=entropy,
        validator=_mixed,
        examples=("TOKEN=" + example, "the new one is " + example + " and it works"),
        counterexamples=(example[: max(4, len(example) // 4)] + " is the prefix",),
    )


_UUID = fake(8, HEX, 300) + "-" + fake(4, HEX, 301) + "-4" + fake(3, HEX, 302) + "-a" + fake(3, HEX, 303) + "-" + fake(12, HEX, 304)

RULES: Tuple[Rule, ...] = (
    _token("airtable-pat", "AIRTABLE_TOKEN", "Airtable personal access token (pat<14>.<64 hex>).",
           ("pat",), r"pat[A-Za-z0-9]{14}\.[a-f0-9]{64}", "pat" + fake(14, ALNUM, 201) + "." + fake(64, HEX, 202)),
    _token("atlassian-api-token", "ATLASSIAN_TOKEN", "Atlassian (Jira, Confluence) API token (ATATT3, ATCTT3).",
           ("ATATT3",), r"AT[AC]TT3[A-Za-z0-9_=-]{180,200}", "ATA" + "TT3" + fake(186, _URLSAFE, 203)),
    _token("cloudflare-origin-ca-key", "CLOUDFLARE_KEY", "Cloudflare Origin CA key (v1.0-<24 hex>-<146 hex>).",
           ("v1.0-",), r"v1\.0-[a-f0-9]{24}-[a-f0-9]{146}", "v1.0-" + fake(24, HEX, 204) + "-" + fake(146, HEX, 205)),
    _token("contentful-pat", "CONTENTFUL_TOKEN", "Contentful personal access token (CFPAT-).",
           ("cfpat-",), r"CFPAT-[A-Za-z0-9_-]{43}", "CFP" + "AT-" + fake(43, _URLSAFE, 206)),
    _token("defined-networking-token", "DNKEY_TOKEN", "Defined Networking API token (dnkey-).",
           ("dnkey-",), r"dnkey-[a-z0-9=_-]{26}-[a-z0-9=_-]{52}", "dn" + "key-" + fake(26, _LOWER_DIGITS, 207) + "-" + fake(52, _LOWER_DIGITS, 208)),
    _token("duffel-api-token", "DUFFEL_TOKEN", "Duffel API token (duffel_test_, duffel_live_).",
           ("duffel_test_", "duffel_live_"), r"duffel_(?:test|live)_[A-Za-z0-9_=-]{43}", "duffel" + "_live_" + fake(43, _URLSAFE, 209)),
    _token("easypost-api-key", "EASYPOST_KEY", "EasyPost production and test API keys (EZAK, EZTK).",
           ("ezak", "eztk"), r"EZ[AT]K[A-Za-z0-9]{54}", "EZ" + "AK" + fake(54, ALNUM, 210)),
    _token("facebook-access-token", "FACEBOOK_TOKEN", "Facebook page and user access tokens (EAAM, EAAC, EAAG, EAAB).",
           ("EAA",), r"EAA[MCGB][A-Za-z0-9]{100,400}", "EA" + "AG" + fake(150, ALNUM, 211)),
    _token("flutterwave-secret-key", "FLUTTERWAVE_KEY", "Flutterwave secret and encryption keys (FLWSECK).",
           ("flwseck",), r"FLWSECK(?:_TEST)?-[a-h0-9]{32}-X|FLWSECK(?:_TEST)?-[a-h0-9]{12}", "FLW" + "SECK_TEST-" + fake(32, "abcdefgh0123456789", 212) + "-X"),
    _token("frameio-api-token", "FRAMEIO_TOKEN", "Frame.io API token (fio-u-).",
           ("fio-u-",), r"fio-u-[A-Za-z0-9_=-]{64}", "fio" + "-u-" + fake(64, _URLSAFE, 213)),
    _token("grafana-api-key", "GRAFANA_TOKEN", "Grafana API key (base64 JSON starting eyJrIjoi).",
           ("eyjrijoi",), r"eyJrIjoi[A-Za-z0-9]{70,400}={0,3}", "eyJr" + "Ijoi" + fake(90, ALNUM, 214)),
    _token("harness-api-key", "HARNESS_TOKEN", "Harness personal and service-account tokens (pat., sat.).",
           ("pat.", "sat."), r"[ps]at\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9]{24}\.[A-Za-z0-9]{20}",
           "pa" + "t." + fake(22, _URLSAFE, 215) + "." + fake(24, ALNUM, 216) + "." + fake(20, ALNUM, 217)),
    _token("infracost-api-token", "INFRACOST_TOKEN", "Infracost API token (ico-).",
           ("ico-",), r"ico-[A-Za-z0-9]{32}", "ic" + "o-" + fake(32, ALNUM, 218)),
    _token("intra42-client-secret", "INTRA42_SECRET", "42 intra client secret (s-s4t2ud-, s-s4t2af-).",
           ("s-s4t2",), r"s-s4t2(?:ud|af)-[a-f0-9]{64}", "s-s4" + "t2ud-" + fake(64, HEX, 219)),
    _token("maxmind-license-key", "MAXMIND_KEY", "MaxMind license key (<6>_<29>_mmk).",
           ("_mmk",), r"_mmk", fake(6, ALNUM, 220) + "_" + fake(29, ALNUM, 221) + "_m" + "mk",
           left=r"[A-Za-z0-9]{29}_[A-Za-z0-9]{6}", left_max=36),
    _token("new-relic-key", "NEW_RELIC_KEY", "New Relic user API key (NRAK-) and insert key (NRII-).",
           ("nrak-", "nrii-"), r"NR(?:AK-[A-Z0-9]{27}|II-[A-Za-z0-9-]{32})", "NR" + "AK-" + fake(27, UPPER_DIGITS, 222)),
    _token("octopus-deploy-api-key", "OCTOPUS_KEY", "Octopus Deploy API key (API-<26>).",
           ("api-",), r"API-[A-Z0-9]{26}", "AP" + "I-" + fake(26, UPPER_DIGITS, 223)),
    _token("openshift-user-token", "OPENSHIFT_TOKEN", "OpenShift user token (sha256~).",
           ("sha256~",), r"sha256~[A-Za-z0-9_-]{43}", "sha" + "256~" + fake(43, _URLSAFE, 224)),
    _token("planetscale-token", "PLANETSCALE_TOKEN", "PlanetScale API token, OAuth token and password (pscale_tkn_, pscale_oauth_, pscale_pw_).",
           ("pscale_",), r"pscale_(?:tkn|oauth|pw)_[A-Za-z0-9_=.-]{32,64}", "psc" + "ale_tkn_" + fake(43, _URLSAFE, 225)),
    _token("prefect-api-token", "PREFECT_TOKEN", "Prefect API token (pnu_).",
           ("pnu_",), r"pnu_[A-Za-z0-9]{36}", "pn" + "u_" + fake(36, ALNUM, 226)),
    _token("readme-api-token", "README_TOKEN", "ReadMe API token (rdme_).",
           ("rdme_",), r"rdme_[a-z0-9]{70}", "rd" + "me_" + fake(70, _LOWER_DIGITS, 227)),
    _token("scalingo-api-token", "SCALINGO_TOKEN", "Scalingo API token (tk-us-).",
           ("tk-us-",), r"tk-us-[A-Za-z0-9_-]{48}", "tk" + "-us-" + fake(48, _URLSAFE, 228)),
    _token("sendinblue-api-key", "BREVO_KEY", "Brevo (Sendinblue) API key (xkeysib-).",
           ("xkeysib-",), r"xkeysib-[a-f0-9]{64}-[A-Za-z0-9]{16}", "xkey" + "sib-" + fake(64, HEX, 229) + "-" + fake(16, ALNUM, 230)),
    _token("settlemint-token", "SETTLEMINT_TOKEN", "SettleMint personal, application and service tokens (sm_pat_, sm_aat_, sm_sat_).",
           ("sm_pat_", "sm_aat_", "sm_sat_"), r"sm_[pas]at_[A-Za-z0-9]{16}", "sm" + "_pat_" + fake(16, ALNUM, 231)),
    _token("shippo-api-token", "SHIPPO_TOKEN", "Shippo API token (shippo_live_, shippo_test_).",
           ("shippo_",), r"shippo_(?:live|test)_[a-fA-F0-9]{40}", "ship" + "po_live_" + fake(40, HEX, 232)),
    _token("sourcegraph-token", "SOURCEGRAPH_TOKEN", "Sourcegraph access token (sgp_).",
           ("sgp_",), r"sgp_(?:(?:[a-fA-F0-9]{16}|local)_)?[a-fA-F0-9]{40}", "sg" + "p_" + fake(16, HEX, 233) + "_" + fake(40, HEX, 234)),
    _token("sonarqube-token", "SONAR_TOKEN", "SonarQube user, project and analysis tokens (squ_, sqp_, sqa_).",
           ("squ_", "sqp_", "sqa_"), r"sq[upa]_[a-f0-9]{40}", "sq" + "u_" + fake(40, HEX, 235)),
    _token("typeform-api-token", "TYPEFORM_TOKEN", "Typeform personal access token (tfp_).",
           ("tfp_",), r"tfp_[A-Za-z0-9_.=-]{59}", "tf" + "p_" + fake(59, _URLSAFE, 236)),
    _token("yandex-api-key", "YANDEX_KEY", "Yandex Cloud API key (AQVN).",
           ("aqvn",), r"AQVN[A-Za-z0-9_-]{35,38}", "AQ" + "VN" + fake(36, _URLSAFE, 237)),
    _token("buildkite-token", "BUILDKITE_TOKEN", "Buildkite user access token (bkua_).",
           ("bkua_",), r"bkua_[a-f0-9]{40}", "bk" + "ua_" + fake(40, HEX, 238)),
    _token("circleci-pat", "CIRCLECI_TOKEN", "CircleCI personal API token (CCIPAT_).",
           ("ccipat_",), r"CCIPAT_[A-Za-z0-9]{22}_[a-f0-9]{40}", "CCI" + "PAT_" + fake(22, ALNUM, 239) + "_" + fake(40, HEX, 240)),
    _token("deno-deploy-token", "DENO_TOKEN", "Deno Deploy personal and organization tokens (ddp_, ddw_).",
           ("ddp_", "ddw_"), r"dd[pw]_[A-Za-z0-9]{36}", "dd" + "p_" + fake(36, ALNUM, 241)),
    _token("render-api-key", "RENDER_KEY", "Render API key (rnd_).",
           ("rnd_",), r"rnd_[A-Za-z0-9]{32}", "rn" + "d_" + fake(32, ALNUM, 242)),
    _token("netlify-pat", "NETLIFY_TOKEN", "Netlify personal access token (nfp_).",
           ("nfp_",), r"nfp_[A-Za-z0-9]{36}", "nf" + "p_" + fake(36, ALNUM, 243)),
    _token("langsmith-api-key", "LANGSMITH_KEY", "LangSmith API key (lsv2_pt_, lsv2_sk_).",
           ("lsv2_",), r"lsv2_(?:pt|sk)_[a-f0-9]{32}_[a-f0-9]{10}", "lsv" + "2_pt_" + fake(32, HEX, 244) + "_" + fake(10, HEX, 245)),
    _token("pinecone-api-key", "PINECONE_KEY", "Pinecone API key (pcsk_).",
           ("pcsk_",), r"pcsk_[A-Za-z0-9]{5,6}_[A-Za-z0-9]{50,80}", "pc" + "sk_" + fake(6, ALNUM, 246) + "_" + fake(63, ALNUM, 247)),
    _token("cerebras-api-key", "CEREBRAS_KEY", "Cerebras API key (csk-).",
           ("csk-",), r"csk-[a-z0-9]{48}", "cs" + "k-" + fake(48, _LOWER_DIGITS, 248)),
    _token("fireworks-api-key", "FIREWORKS_KEY", "Fireworks AI API key (fw_).",
           ("fw_",), r"fw_[A-Za-z0-9]{24}", "f" + "w_" + fake(24, ALNUM, 249)),
    _token("elevenlabs-api-key", "ELEVENLABS_KEY", "ElevenLabs API key (sk_ and 48 hex).",
           ("sk_",), r"sk_[a-f0-9]{48}", "s" + "k_" + fake(48, HEX, 250)),
    _token("mapbox-secret-token", "MAPBOX_TOKEN", "Mapbox secret token (sk.eyJ).",
           ("sk.eyj",), r"sk\.eyJ[A-Za-z0-9_-]{50,300}\.[A-Za-z0-9_-]{20,30}", "sk" + ".eyJ" + fake(60, _URLSAFE, 251) + "." + fake(22, _URLSAFE, 252)),
    _token("plaid-access-token", "PLAID_TOKEN", "Plaid access token (access-sandbox-, access-development-, access-production- and a UUID).",
           ("access-sandbox-", "access-development-", "access-production-"),
           r"access-(?:sandbox|development|production)-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
           "access" + "-production-" + _UUID, entropy=None),
    _token("mailgun-api-key", "MAILGUN_KEY", "Mailgun private API key (key- and 32 hex).",
           ("key-",), r"key-[a-f0-9]{32}", "ke" + "y-" + fake(32, HEX, 253)),
    _token("notion-legacy-token", "NOTION_TOKEN", "Notion integration token, legacy format (secret_ and 43 characters).",
           ("secret_",), r"secret_[A-Za-z0-9]{43}", "sec" + "ret_" + fake(43, ALNUM, 254)),
    _token("twitter-bearer-token", "TWITTER_TOKEN", "Twitter/X app bearer token (a run of A and URL-encoded base64).",
           ("AAAAAAAAAAAAAAAAAAAAA",), r"A{21}[A-Za-z0-9%]{30,120}", "A" * 21 + "M" + fake(90, ALNUM, 255)),
    _token("tencent-secret-id", "TENCENT_KEY", "Tencent Cloud SecretId (AKID).",
           ("akid",), r"AKID[A-Za-z0-9]{32}", "AK" + "ID" + fake(32, ALNUM, 256)),
    _token("aws-session-token", "AWS_SESSION_TOKEN", "AWS STS session token (FwoGZXIvYXdz, IQoJb3JpZ2luX2Vj).",
           ("fwogzxivyxdz", "iqojb3jpz2lux2vj"), r"(?:FwoGZXIvYXdz|IQoJb3JpZ2luX2Vj)[A-Za-z0-9/+=]{100,2000}",
           "IQoJb3" + "JpZ2luX2Vj" + fake(300, ALNUM + "+/", 257)),
    _token("dropbox-token", "DROPBOX_TOKEN", "Dropbox short-lived access token (sl. or sl.u.).",
           ("sl.",), r"sl\.(?:u\.)?[A-Za-z0-9_-]{130,1400}", "s" + "l.u." + fake(140, _URLSAFE, 258)),
    _token("zapier-webhook-url", "ZAPIER_WEBHOOK", "Zapier catch-hook URL (hooks.zapier.com/hooks/catch/).",
           ("hooks.zapier.com/hooks/catch/",), r"hooks\.zapier\.com/hooks/catch/[0-9]{3,12}/[a-z0-9]{5,12}",
           "https://" + "hooks.zapier.com/hooks/" + "catch/1234567/" + fake(8, _LOWER_DIGITS, 259), entropy=None),
)
