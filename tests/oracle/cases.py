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

# --- offline SQL (upgrade/downgrade/stamp --sql) -------------------------------
#
# Every sql_* fixture has one ini file per dialect pointing at the same
# script_location.  Case names end in ``_sql``: their stdout is compared with
# the SQL rule of normalize.py (exact, trailing whitespace per line ignored,
# the two nondeterministic spots of FORMATS.md section 5 put in canonical
# order), never with the label-sorting rule above.

PG = ["-c", "alembic.ini"]
MYSQL = ["-c", "alembic_mysql.ini"]
MARIADB = ["-c", "alembic_mariadb.ini"]  # mariadb:// (SQLAlchemy's MariaDB dialect, name 'mariadb')
SQLITE = ["-c", "alembic_sqlite.ini"]
DIALECTS = [("pg", PG), ("mysql", MYSQL), ("mariadb", MARIADB), ("sqlite", SQLITE)]
U, D, ST = "upgrade", "downgrade", "stamp"


def sql_matrix(up_range=None, down_range=None):
    """upgrade head, downgrade head:base and the given ranges, for every dialect."""
    out = []
    for d, ini in DIALECTS:
        out.append((f"{d}_upgrade_head_sql", [U, "head", "--sql"], ini))
        out.append((f"{d}_downgrade_head_base_sql", [D, "head:base", "--sql"], ini))
        if up_range:
            out.append((f"{d}_upgrade_range_sql", [U, up_range, "--sql"], ini))
        if down_range:
            out.append((f"{d}_downgrade_range_sql", [D, down_range, "--sql"], ini))
    return out


TPM = ["-c", "alembic_tpm.ini"]
TPM_SQLITE = ["-c", "alembic_tpm_sqlite.ini"]

EXTRA.update({
    "sql_types": sql_matrix("6ec17c74ca6c:abfbc1720ebe") + [
        ("pg_upgrade_partial_id_sql", [U, "b61b", "--sql"], PG),
        ("pg_upgrade_relative_sql", [U, "+2", "--sql"], PG),
        ("pg_stamp_head_sql", [ST, "head", "--sql"], PG),
        ("mysql_stamp_head_sql", [ST, "head", "--sql"], MYSQL),
        ("mariadb_stamp_head_sql", [ST, "head", "--sql"], MARIADB),
        ("sqlite_stamp_head_sql", [ST, "head", "--sql"], SQLITE),
    ],
    "sql_tables": sql_matrix("a55a408d8100:8c915d0e06f8", "head:97705e32fa91"),
    "sql_alter": sql_matrix("4aba02b80abb:2db1dc77bafd", "2db1dc77bafd:4aba02b80abb"),
    "sql_indexes_constraints": sql_matrix("3b9792be0413:head", "head:fde643c4d104"),
    "sql_data": sql_matrix("7d2cb547171f:08b32eae0c67"),
    "sql_batch_sqlite": sql_matrix("c2b8501cd016:070a6ec37e1a", "head:070a6ec37e1a"),
    "sql_conditionals": sql_matrix("6d0c334fb872:head"),
    "sql_mariadb": sql_matrix("b7e2a4c9d013:head", "head:b7e2a4c9d013"),
    "sql_opaque": sql_matrix("277369872b32:7f7236aea621", "7f7236aea621:277369872b32") + [
        # `alembic -x seed=demo`: cdbb766d52da branches on context.get_x_argument()
        ("pg_upgrade_x_argument_sql", [U, "0f5097f74c24:head", "--sql"], PG + ["-x", "seed=demo"]),
    ],
    "sql_branches": [
        # two heads (15847958d31b reports/billing, 36b9fbc9b1a1 archive): `downgrade heads:base`
        # is refused by Alembic, so downgrades start from one head
        ("pg_upgrade_heads_sql", [U, "heads", "--sql"], PG),
        ("pg_downgrade_head1_base_sql", [D, "15847958d31b:base", "--sql"], PG),  # un-merge on the way
        ("pg_downgrade_label_head_base_sql", [D, "billing@head:base", "--sql"], PG),
        ("pg_upgrade_billing_head_sql", [U, "billing@head", "--sql"], PG),
        ("pg_upgrade_reports_head_sql", [U, "reports@head", "--sql"], PG),  # depends_on pulls billing's first revision
        ("pg_upgrade_archive_head_sql", [U, "archive@head", "--sql"], PG),
        ("pg_upgrade_range_branchpoint_to_merge_sql", [U, "08332ca8f8d6:277b3c3e6b17", "--sql"], PG),
        ("pg_upgrade_range_from_merge_parent_sql", [U, "a5fa:1584", "--sql"], PG),  # the other parent's branch is INSERTed
        ("pg_upgrade_range_to_label_sql", [U, "c29edfd89653:archive@head", "--sql"], PG),
        ("pg_downgrade_through_merge_sql", [D, "15847958d31b:08332ca8f8d6", "--sql"], PG),
        ("pg_downgrade_branch_sql", [D, "a5fa04fd5e5a:08332ca8f8d6", "--sql"], PG),
        ("pg_downgrade_label_head_sql", [D, "archive@head:c29edfd89653", "--sql"], PG),
        ("pg_stamp_heads_sql", [ST, "heads", "--sql"], PG),
        ("pg_stamp_merge_sql", [ST, "277b3c3e6b17", "--sql"], PG),
        ("pg_stamp_range_sql", [ST, "08332ca8f8d6:15847958d31b", "--sql"], PG),
        ("pg_stamp_range_down_sql", [ST, "15847958d31b:08332ca8f8d6", "--sql"], PG),
        ("pg_stamp_branch_head_sql", [ST, "billing@head", "--sql"], PG),
        ("pg_stamp_two_revisions_sql", [ST, "15847958d31b", "36b9fbc9b1a1", "--sql"], PG),
        ("err_pg_upgrade_head_sql", [U, "head", "--sql"], PG),            # multiple heads
        ("err_pg_downgrade_heads_base_sql", [D, "heads:base", "--sql"], PG),  # refused with 2 heads
        ("err_pg_stamp_head_sql", [ST, "head", "--sql"], PG),
        ("err_pg_downgrade_without_range_sql", [D, "base", "--sql"], PG),
        ("err_pg_upgrade_unknown_label_sql", [U, "nosuch@head", "--sql"], PG),
        ("err_pg_stamp_purge_sql", [ST, "--purge", "heads", "--sql"], PG),
        ("mysql_upgrade_heads_sql", [U, "heads", "--sql"], MYSQL),
        ("mysql_downgrade_head1_base_sql", [D, "15847958d31b:base", "--sql"], MYSQL),
        ("mysql_downgrade_through_merge_sql", [D, "15847958d31b:08332ca8f8d6", "--sql"], MYSQL),
        ("mysql_stamp_range_sql", [ST, "08332ca8f8d6:15847958d31b", "--sql"], MYSQL),
        ("mariadb_upgrade_heads_sql", [U, "heads", "--sql"], MARIADB),
        ("mariadb_downgrade_head1_base_sql", [D, "15847958d31b:base", "--sql"], MARIADB),
        ("mariadb_stamp_range_sql", [ST, "08332ca8f8d6:15847958d31b", "--sql"], MARIADB),
        ("sqlite_upgrade_heads_sql", [U, "heads", "--sql"], SQLITE),
        ("sqlite_downgrade_head1_base_sql", [D, "15847958d31b:base", "--sql"], SQLITE),
        ("sqlite_downgrade_head2_base_sql", [D, "36b9fbc9b1a1:base", "--sql"], SQLITE),
        ("sqlite_upgrade_reports_head_sql", [U, "reports@head", "--sql"], SQLITE),
        ("sqlite_stamp_heads_sql", [ST, "heads", "--sql"], SQLITE),
        # tpm/env.py: transaction_per_migration=True, default version table
        ("pg_tpm_upgrade_heads_sql", [U, "heads", "--sql"], TPM),
        ("pg_tpm_downgrade_head1_base_sql", [D, "15847958d31b:base", "--sql"], TPM),
        ("pg_tpm_downgrade_through_merge_sql", [D, "15847958d31b:08332ca8f8d6", "--sql"], TPM),
        ("pg_tpm_stamp_heads_sql", [ST, "heads", "--sql"], TPM),
        ("sqlite_tpm_upgrade_heads_sql", [U, "heads", "--sql"], TPM_SQLITE),
    ],
    "sql_errors": [
        # each branch label names the incompatibility; the other dialects succeed
        ("err_sqlite_alter_constraint_sql", [U, "sqlite_alter_constraint@head", "--sql"], SQLITE),
        ("pg_upgrade_alter_constraint_sql", [U, "sqlite_alter_constraint@head", "--sql"], PG),
        ("mysql_downgrade_alter_constraint_sql", [D, "sqlite_alter_constraint@head:base", "--sql"], MYSQL),
        ("err_sqlite_column_comment_sql", [U, "sqlite_column_comment@head", "--sql"], SQLITE),
        ("mysql_upgrade_column_comment_sql", [U, "sqlite_column_comment@head", "--sql"], MYSQL),
        ("err_sqlite_batch_reflect_sql", [U, "sqlite_batch_reflect@head", "--sql"], SQLITE),
        ("pg_upgrade_batch_reflect_sql", [U, "sqlite_batch_reflect@head", "--sql"], PG),
        ("err_mysql_varchar_length_sql", [U, "mysql_varchar_length@head", "--sql"], MYSQL),
        ("pg_upgrade_varchar_length_sql", [U, "mysql_varchar_length@head", "--sql"], PG),
        ("err_mysql_change_without_type_sql", [U, "mysql_change_without_type@head", "--sql"], MYSQL),
        ("sqlite_upgrade_change_without_type_sql", [U, "mysql_change_without_type@head", "--sql"], SQLITE),
        ("err_pg_mysql_only_type_sql", [U, "mysql_only_type@head", "--sql"], PG),
        ("err_sqlite_mysql_only_type_sql", [U, "mysql_only_type@head", "--sql"], SQLITE),
        ("mysql_upgrade_mysql_only_type_sql", [U, "mysql_only_type@head", "--sql"], MYSQL),
        ("mariadb_downgrade_alter_constraint_sql", [D, "sqlite_alter_constraint@head:base", "--sql"], MARIADB),
        ("mariadb_upgrade_column_comment_sql", [U, "sqlite_column_comment@head", "--sql"], MARIADB),
        ("err_mariadb_varchar_length_sql", [U, "mysql_varchar_length@head", "--sql"], MARIADB),
        ("err_mariadb_change_without_type_sql", [U, "mysql_change_without_type@head", "--sql"], MARIADB),
        ("mariadb_upgrade_mysql_only_type_sql", [U, "mysql_only_type@head", "--sql"], MARIADB),
    ],
})

FIXTURES = list(EXTRA)  # the valid fixture projects, in run order


def is_sql_case(name: str) -> bool:
    """Cases compared with the SQL rule (normalize.normalise_sql)."""
    return name.endswith("_sql")


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
