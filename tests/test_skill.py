"""skills/data-flywheel/ follows the Agent Skills specification, and says what the product needs it to say.

The rules are those of the specification's reference validator (agentskills/agentskills
skills-ref validator.py) and Anthropic's quick_validate.py: only six frontmatter keys;
name 1-64 lowercase letters, digits and single hyphens, equal to the folder; description
1-1024 characters with no angle brackets; compatibility up to 500; metadata a map of
strings. On top: Codex's one-line description under 500 characters, OpenClaw's
single-line JSON metadata, and a body under 500 lines whose references exist.
"""
import json
import os
import re

import pytest

from conftest import ROOT

SKILL_DIR = os.path.join(ROOT, "skills", "data-flywheel")
ALLOWED_KEYS = {"name", "description", "license", "compatibility", "metadata", "allowed-tools"}
KNOWN_COMMANDS = {"export", "validate", "redact", "status", "report", "harvest", "hook", "review", "record", "install", "uninstall"}


def split_frontmatter(text):
    """``(frontmatter lines, body)``: the file must open with ``---`` and close it on its own line."""
    assert text.startswith("---\n"), "SKILL.md must start with a --- line"
    end = text.index("\n---\n", 3)
    return text[4:end].splitlines(), text[end + 5:]


def parse_frontmatter(lines):
    """The small YAML subset a portable SKILL.md uses: one ``key: value`` per line, flow JSON for maps.

    Anything else (nested blocks, multi-line scalars, anchors) is refused: harnesses with
    simple parsers (OpenClaw's, Codex's) read only this subset.
    """
    fields = {}
    for number, line in enumerate(lines, 2):
        match = re.fullmatch(r"([a-z][a-z-]*): (\S.*)", line)
        assert match, f"SKILL.md:{number}: not a one-line 'key: value' ({line!r})"
        key, raw = match.groups()
        assert key not in fields, f"SKILL.md:{number}: {key} repeated"
        if raw.startswith("{"):
            fields[key] = json.loads(raw)  # YAML flow map written as JSON
        else:
            assert not raw.startswith(("'", '"', "|", ">", "&", "*", "!", "[", "%", "@", "`")), f"SKILL.md:{number}: quote-free plain scalars only"
            assert ": " not in raw and " #" not in raw, f"SKILL.md:{number}: ': ' or ' #' would end a plain YAML scalar"
            fields[key] = raw
    return fields


@pytest.fixture(scope="module")
def skill():
    with open(os.path.join(SKILL_DIR, "SKILL.md"), encoding="utf-8") as fp:
        text = fp.read()
    lines, body = split_frontmatter(text)
    return parse_frontmatter(lines), body


def test_frontmatter_keys_are_those_the_specification_allows(skill):
    fields, _body = skill
    assert set(fields) <= ALLOWED_KEYS, sorted(set(fields) - ALLOWED_KEYS)
    assert {"name", "description"} <= set(fields)


def test_name_is_the_folder_name_and_well_formed(skill):
    name = skill[0]["name"]
    assert name == os.path.basename(SKILL_DIR) == "data-flywheel"
    assert 1 <= len(name) <= 64 and re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", name)


def test_description_is_one_short_line_saying_what_and_when(skill):
    description = skill[0]["description"]
    assert 1 <= len(description) < 500 and "\n" not in description
    assert "<" not in description and ">" not in description
    assert len(description) <= 160, "OpenClaw shows descriptions up to 160 characters"
    assert re.search(r"\bUse when\b", description), "say when to use it"


def test_optional_fields_follow_the_rules(skill):
    fields = skill[0]
    assert len(fields.get("compatibility", "")) <= 500
    metadata = fields.get("metadata", {})
    assert isinstance(metadata, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items())
    with open(os.path.join(SKILL_DIR, "SKILL.md"), encoding="utf-8") as fp:
        line = next(raw for raw in fp if raw.startswith("metadata:"))
    assert json.loads(line.split(": ", 1)[1]) == metadata  # single-line JSON (OpenClaw's parser)


def test_body_is_short_and_its_references_exist_one_level_deep(skill):
    _fields, body = skill
    assert len(body.splitlines()) < 500
    links = re.findall(r"\]\((references/[^)#]+)\)", body)
    references = sorted(os.listdir(os.path.join(SKILL_DIR, "references")))
    assert sorted(set(os.path.basename(link) for link in links)) == references, "every reference is linked, and only those"
    for link in links:
        assert link.count("/") == 1 and os.path.isfile(os.path.join(SKILL_DIR, link))


def test_body_covers_what_an_agent_must_do(skill):
    _fields, body = skill
    lowered = body.lower()
    for needle in ("ask first", "never record a result as `accepted` or `edited` unless the user",
                   "harvest", "review --accept", "export --json", "status --json",
                   "traces exported", "trainable examples", "eval cases", "context cards", "redaction findings",
                   "acceptance by workflow", "slm_candidate", "frontier model", "small-model candidate",
                   "privacy rules", ".agent/flywheel/"):
        assert needle.lower() in lowered, needle


def test_every_command_the_skill_runs_exists(skill):
    _fields, body = skill
    used = set(re.findall(r"data_flywheel_export\.py ([a-z]+)", body))
    assert used and used <= KNOWN_COMMANDS, sorted(used - KNOWN_COMMANDS)
    from data_flywheel.commands import COMMANDS

    registered = {command.NAME for command in COMMANDS}
    assert {"install", "uninstall"} <= registered
