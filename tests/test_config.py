"""config.json: a setting is read once, strictly; duplicates, huge numbers and deep nesting are refused."""
import pytest

from data_flywheel import config, jsonio
from data_flywheel.errors import ConfigError


def load(tmp_path, text):
    (tmp_path / "config.json").write_text(text)
    return config.load_config(str(tmp_path))


def refusal(tmp_path, text):
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, text)
    return str(caught.value).replace(str(tmp_path / "config.json"), "config.json")


def test_a_duplicate_key_is_refused_not_read_as_the_last_one(tmp_path):
    text = '{\n  "accept_auto_redacted": false,\n  "accept_auto_redacted": true\n}\n'
    assert refusal(tmp_path, text) == "config.json:3: duplicate key 'accept_auto_redacted' (keep one of them)"


def test_a_duplicate_inside_split_ratios_is_refused(tmp_path):
    text = '{"split_ratios": {"train": 8, "train": 1, "validation": 1, "test": 1}}'
    assert refusal(tmp_path, text) == "config.json:1: duplicate key 'train' (keep one of them)"


def test_numbers_and_nesting_past_the_limits_are_refused(tmp_path):
    assert "more than 100 digits" in refusal(tmp_path, '{"split_ratios": {"train": 1' + "0" * 5000 + "}}")
    assert "number out of range" in refusal(tmp_path, '{"split_ratios": {"train": 1e400}}')
    assert "Infinity is not valid JSON" in refusal(tmp_path, '{"split_ratios": {"train": Infinity}}')
    assert "nested deeper than 32 levels" in refusal(tmp_path, "[" * 100000 + "]" * 100000)
    assert "nested deeper than 32 levels" in refusal(tmp_path, '{"a": ' + "[" * 40 + "]" * 40 + "}")


def test_brackets_inside_strings_do_not_count_as_nesting():
    assert jsonio.loads_document('{"a": "' + "[" * 100 + '", "b": "\\"[[["}') == {"a": "[" * 100, "b": '"[[['}


def test_a_good_file_still_loads(tmp_path):
    assert load(tmp_path, '{"accept_auto_redacted": true, "split_ratios": {"train": 8, "validation": 1, "test": 1}}') \
        == config.Config(accept_auto_redacted=True, split_ratios={"train": 0.8, "validation": 0.1, "test": 0.1})
