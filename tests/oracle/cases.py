"""The differential-test case table, shared by capture.py and compare.py.

Every valid fixture project under tests/fixtures/ is run with the COMMON
cases plus its own EXTRA cases.  A case is (name, args) or
(name, args, config): ``args`` follow the global options, ``config`` replaces
the fixture's global options (``-c alembic.ini`` ...) for that one case.
The command line is ``<alembic|migplan> *config *args`` with the fixture
directory as working directory.

Case names are file names of the goldens: ``<fixture>/alembic/<name>.stdout``.
Cases whose name starts with ``err_`` are expected to fail (non-zero exit).
"""

# global options per fixture (all other fixtures: -c alembic.ini)
CONFIG = {
    "pyproject_only": [],  # no alembic.ini: [tool.alembic] in ./pyproject.toml
    "multidb_ini": ["-c", "alembic.ini", "-n", "engine2"],
}
DEFAULT_CONFIG = ["-c", "alembic.ini"]

COMMON = [
    ("heads", ["heads"]),
    ("heads_verbose", ["heads", "--verbose"]),
    ("heads_resolve_dependencies", ["heads", "--resolve-dependencies"]),
    ("branches", ["branches"]),
    ("branches_verbose", ["branches", "--verbose"]),
    ("history", ["history"]),
    ("history_verbose", ["history", "--verbose"]),
]

H = "history"
S = "show"

EXTRA = {
    "linear_annotated": [
        ("history_range_partial", [H, "-r", "1e9b:4bf9"]),
        ("history_range_open_end", [H, "-r", "304fa5bc165a:"]),
        ("history_range_open_start_verbose", [H, "-r", ":1e9b913c828c", "--verbose"]),
        ("history_range_relative", [H, "-r", ":+2"]),
        ("history_range_label", [H, "-r", "core@base:core@head"]),
        ("show_head", [S, "head"]),
        ("show_base_revision", [S, "5b00f397b703"]),
        ("show_partial_3_chars", [S, "5b0"]),         # prefixes shorter than 4 work if unique
        ("show_label", [S, "core"]),                  # a label names the revision declaring it
        ("show_base_symbol", [S, "base"]),            # prints nothing, exit 0
        ("err_unknown_revision", [S, "ffffffffffff"]),
        ("err_history_bad_range", [H, "-r", "foo"]),
        ("err_history_reversed", [H, "-r", "4bf90cbf773a:304fa5bc165a"]),
        ("err_history_two_colons", [H, "-r", "a:b:c"]),  # alembic: ValueError traceback, rc 1
    ],
    "branchy": [
        ("show_merge_tuple3", [S, "80da4f466f32"]),
        ("show_merge_list", [S, "dae6"]),
        ("show_branchpoint3", [S, "355d2768cbf8"]),
        ("show_branchpoint2", [S, "6d6637e052eb"]),
        ("show_base", [S, "9ec7efa68a8c"]),
        ("show_depends_on_label", [S, "64d77"]),
        ("show_label_head", [S, "billing@head"]),
        ("show_label_partial", [S, "sea"]),          # partial match against branch labels
        ("history_range_partial", [H, "-r", "355d:80da"]),
        ("history_range_label_head", [H, "-r", "355d2768cbf8:search@head"]),
        ("history_range_label_partial_start", [H, "-r", "bill:audit@head"]),
        ("history_range_verbose", [H, "-r", "6d66:dae6", "--verbose"]),
        ("history_range_label_base", [H, "-r", "search@base:search@head"]),
        ("err_ambiguous_prefix", [S, "64d7"]),
        ("err_ambiguous_prefix_in_branch", [S, "billing@64d7"]),
        ("err_ambiguous_single_char", [S, "6"]),
        ("err_unknown_branch", [S, "nosuch@head"]),
        ("err_history_bad_range", [H, "-r", "foo"]),
        ("err_history_reversed", [H, "-r", "80da4f466f32:355d2768cbf8"]),
        ("err_history_siblings", [H, "-r", "584c099d6e1b:1a6223be8b01"]),
        ("err_history_ambiguous_start", [H, "-r", "64d:"]),
    ],
    "multi_heads": [
        ("show_heads", [S, "heads"]),
        ("show_effective_head_label", [S, "mobile@head"]),
        ("show_base_symbol", [S, "base"]),
        ("show_second_root", [S, "64c125e06379"]),
        ("history_range_to_label", [H, "-r", ":payments@head"]),
        ("history_range_base_to_label", [H, "-r", "base:mobile@head"]),
        ("history_range_second_root", [H, "-r", "reporting@base:reporting@head"]),
        ("history_range_label_base_open", [H, "-r", "mobile@base:"]),  # prints nothing, exit 0
        ("err_show_head_multiple", [S, "head"]),
        ("err_history_label_head_open", [H, "-r", "mobile@head:"]),
        ("err_not_member_of_branch", [S, "mobile@0ca1"]),
    ],
    "constants": [
        ("show_merge", [S, "87df"]),
        ("show_branchpoint", [S, "256ca1297f48"]),
        ("show_computed_base", [S, "78bd5f6fea4b"]),
        ("show_depends_on_constant", [S, "69d0"]),
        ("history_range_label", [H, "-r", "78bd:stock@head"]),
    ],
    "legacy_names": [
        ("show_legacy_base", [S, "ba4d8d3fe124"]),
        ("show_legacy_mid", [S, "cfaff42ec15c"]),
        ("show_custom_id", [S, "seed_currencies_0003"]),
        ("show_custom_partial", [S, "seed"]),
        ("show_subdir", [S, "470b"]),
        ("history_range_custom", [H, "-r", "seed_currencies_0003:head"]),
        ("history_range_legacy_verbose", [H, "-r", "ba4d:cfaf", "--verbose"]),
    ],
    "pyproject_only": [
        ("show_head", [S, "head"]),
        ("show_partial", [S, "6e5d"]),
        ("history_range_partial", [H, "-r", "c713:d568"]),
    ],
    "multidb_ini": [
        ("show_merge", [S, "012f"]),
        ("show_hotfix", [S, "0c53e80ce624"]),
        ("show_branchpoint", [S, "a113"]),
        ("engine1_heads", ["heads"], ["-c", "alembic.ini", "-n", "engine1"]),
        ("engine1_history_verbose", [H, "--verbose"], ["-c", "alembic.ini", "-n", "engine1"]),
        ("err_engine1_revision_of_engine2", [S, "012f"], ["-c", "alembic.ini", "-n", "engine1"]),
        ("err_no_name", ["heads"], ["-c", "alembic.ini"]),
        ("err_unknown_name", ["heads"], ["-c", "alembic.ini", "-n", "engine3"]),
    ],
    "crlf_bom": [
        ("show_bom", [S, "e5c4df863858"]),
        ("show_latin1", [S, "0d20"]),
        ("history_range_verbose", [H, "-r", "789c:695b", "--verbose"]),
    ],
}

FIXTURES = list(EXTRA)  # the valid fixture projects, in run order


def cases(fixture):
    """Yield (case_name, argv_after_program_name) for one fixture."""
    base = CONFIG.get(fixture, DEFAULT_CONFIG)
    seen = set()
    for entry in COMMON + EXTRA[fixture]:
        name, args = entry[0], entry[1]
        config = entry[2] if len(entry) > 2 else base
        assert name not in seen, (fixture, name)
        seen.add(name)
        yield name, list(config) + list(args)
