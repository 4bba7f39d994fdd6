"""Domain and workflow folder names: agentic-stack's slug for ordinary names, a disambiguated one otherwise."""
from data_flywheel.records.normalize import folder_name, sha256_hex, slug


def hashed(raw, base):
    return f"{base}_{sha256_hex(raw)[:8]}"


def test_ordinary_names_keep_the_agentic_stack_slug():
    for raw, expected in [("Lead  Intake", "lead_intake"), ("bug_triage", "bug_triage"), ("v1.2", "v1_2"),
                          ("ＡＢ", "ａｂ"), (None, "general"), ("", "general"), ("  ", "general")]:
        assert folder_name(raw) == slug(raw) == expected


def test_path_like_names_never_merge_with_the_plain_name():
    names = ["../../x", "．．／．．／x", "..∕..∕x", "\\..\\..\\x", "x/y", "~x"]
    folders = [folder_name(raw) for raw in names]
    assert folders[:4] == [hashed(raw, "x") for raw in names[:4]]
    assert folders[4:] == [hashed("x/y", "x_y"), hashed("~x", "x")]
    assert len(set(folders + [folder_name("x")])) == len(names) + 1


def test_names_that_slug_to_nothing_do_not_become_general():
    assert [folder_name(raw) for raw in (".", "..", "~", "!!")] == [hashed(raw, "general") for raw in (".", "..", "~", "!!")]


def test_windows_device_names_get_a_safe_folder():
    for raw in ("CON", "nul", "Aux", "PRN", "COM1", "lpt9", "com¹"):
        assert folder_name(raw) == hashed(raw, slug(raw))


def test_long_names_fit_a_file_name_in_bytes():
    raw = "\U0001d400" * 80  # 80 four-byte letters: 320 bytes
    folder = folder_name(raw)
    assert folder.endswith("_" + sha256_hex(raw)[:8])
    assert len((folder + ".json").encode("utf-8")) <= 255
    assert folder_name("\U0001d400" * 60) == "\U0001d400" * 60  # 240 bytes: fits, unchanged


def test_a_lone_surrogate_is_hashed_not_a_crash():
    assert folder_name("..\ud800") == hashed("..\ud800", "general")
