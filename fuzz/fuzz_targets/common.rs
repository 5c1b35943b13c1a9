//! Helpers shared by the fuzz targets: turning fuzz input into file sets, and the invariants
//! every diagnostic must keep (it names an input file, its span lies inside that file).

#![allow(dead_code)]

use migplan::SourceFile;
use migplan::diagnostic::Diagnostic;
use migplan::render::diagnostics::locate_all;

/// Every diagnostic names a file of `files` (or none) with a span inside its text, and
/// converting it to lines and columns (what every output format does) does not panic.
pub fn check_diagnostics(diags: &[Diagnostic], files: &[SourceFile]) {
    for d in diags {
        let Some(path) = &d.file else { continue };
        let Some(f) = files.iter().find(|f| &f.path == path) else {
            // Config and layout problems may name a folder or a config file that is not an
            // input; they carry no span into it.
            assert!(d.span.is_none(), "span into a file that is not an input: {d:?}");
            continue;
        };
        if let Some(s) = d.span {
            let r = s.range();
            assert!(r.start <= r.end && r.end <= f.text.len(), "span outside {path}: {d:?}");
        }
    }
    let _ = locate_all(diags, files);
}

/// Lossy text: libFuzzer's bytes as a string, so every input is used.
pub fn text(data: &[u8]) -> String {
    String::from_utf8_lossy(data).into_owned()
}

/// File names every plain-SQL layout detector looks for, plus near misses.
pub const SQL_NAMES: &[&str] = &[
    "001_a.up.sql",
    "001_a.down.sql",
    "002_b.up.sql",
    "2_b.down.sql",
    "003_c.sql",
    "V1__x.sql",
    "V1.1__y.sql",
    "V1_2__z.sql",
    "U1__x.sql",
    "R__view.sql",
    "V1__x.sql.conf",
    "V__bad.sql",
    "20240101000000_init.sql",
    "20240102000000_more.sql",
    "00001_goose.sql",
    "up.sql",
    "down.sql",
    "metadata.yaml",
    "metadata.toml",
    "atlas.sum",
    "flyway.conf",
    ".env",
    "dbconfig.yml",
    "README.md",
    "x.sql",
    "99999999999999999999999_big.up.sql",
    "1_é.up.sql",
];

/// Folders the files are put in (DAG and diesel layouts use one folder per migration).
pub const SQL_DIRS: &[&str] = &["", "a/", "b/", "20240101000000_x/", "1_first/", "2_second/", "a/b/"];

/// Lines SQL migration files are made of (directives of every layout included).
pub const SQL_LINES: &[&str] = &[
    "CREATE TABLE t (id int PRIMARY KEY);",
    "ALTER TABLE t ADD COLUMN c text NOT NULL;",
    "DROP TABLE t;",
    "CREATE INDEX CONCURRENTLY i ON t (id);",
    "-- migrate:up",
    "-- migrate:down",
    "-- migrate:up transaction:false",
    "-- +goose Up",
    "-- +goose Down",
    "-- +goose StatementBegin",
    "-- +goose StatementEnd",
    "-- +goose NO TRANSACTION",
    "-- no-transaction",
    "-- atlas:txmode none",
    "DELIMITER //",
    "CREATE PROCEDURE p() BEGIN SELECT 1; END //",
    "DELIMITER ;",
    "DO $$ BEGIN PERFORM 1; END $$;",
    "INSERT INTO t VALUES ('${x}');",
    "name: second",
    "parents: [1]",
    "parents: x",
    "run_in_transaction = false",
    "executeInTransaction=false",
    "h1:AAAA=",
    "001_a.up.sql h1:AAAA=",
    "DATABASE_URL=mysql://u@h/db",
    "'unterminated",
    "/* open comment",
];

/// Builds a file's text from picks into a vocabulary plus raw text.
pub fn lines(vocab: &[&str], picks: &[u8], raw: &str) -> String {
    let mut s = String::new();
    for &p in picks.iter().take(24) {
        s.push_str(vocab[p as usize % vocab.len()]);
        s.push('\n');
    }
    s.push_str(raw);
    s
}

/// A small Alembic revision script.
pub fn script(id: &str, down: &str, labels: &str, depends: &str, upgrade: &str, downgrade: &str) -> String {
    format!(
        "\"\"\"{id}\n\nRevision ID: {id}\n\"\"\"\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = '{id}'\ndown_revision = {down}\nbranch_labels = {labels}\ndepends_on = {depends}\n\n\ndef upgrade():\n{upgrade}\n\n\ndef downgrade():\n{downgrade}\n"
    )
}

/// Statements `upgrade()` / `downgrade()` bodies are made of: operations of every kind the
/// reader types, control flow it decides or reports as opaque, and batch blocks.
pub const PY_LINES: &[&str] = &[
    "    op.create_table('t', sa.Column('id', sa.Integer(), primary_key=True), sa.Column('name', sa.String(50)))",
    "    op.drop_table('t')",
    "    op.add_column('t', sa.Column('c', sa.String(length=20), nullable=False))",
    "    op.add_column('t', sa.Column('d', sa.DateTime(), server_default=sa.text('now()')))",
    "    op.drop_column('t', 'c')",
    "    op.alter_column('t', 'c', type_=sa.String(5), nullable=True, new_column_name='e')",
    "    op.create_index('ix_t_c', 't', ['c'], unique=True, postgresql_concurrently=True)",
    "    op.drop_index('ix_t_c', table_name='t')",
    "    op.create_foreign_key('fk', 't', 'u', ['uid'], ['id'], ondelete='CASCADE')",
    "    op.create_unique_constraint('uq', 't', ['c'])",
    "    op.create_check_constraint('ck', 't', 'c > 0')",
    "    op.drop_constraint('fk', 't', type_='foreignkey')",
    "    op.rename_table('t', 'u')",
    "    op.execute('UPDATE t SET c = 1')",
    "    op.execute(sa.text('DELETE FROM t WHERE c = :c').bindparams(c=1))",
    "    op.bulk_insert(sa.table('t', sa.column('c')), [{'c': 'x'}, {'c': None}])",
    "    sa.Enum('a', 'b', name='kind').create(op.get_bind())",
    "    with op.batch_alter_table('t', copy_from=None) as b:",
    "        b.add_column(sa.Column('f', sa.Boolean(), nullable=False, server_default=sa.false()))",
    "        b.drop_column('f')",
    "    with op.get_context().autocommit_block():",
    "        op.execute('ALTER TYPE kind ADD VALUE \\'c\\'')",
    "    if op.get_bind().dialect.name == 'postgresql':",
    "    if context.is_offline_mode():",
    "    else:",
    "        op.execute('VACUUM')",
    "    for i in range(3):",
    "        helper(i)",
    "    raise NotImplementedError()",
    "    pass",
    "    # migplan: ignore[dropping-column]",
    "    # migplan: irreversible",
];

/// Revision ids, labels and dependency values for generated scripts.
pub const IDS: &[&str] = &["aaaa1111", "bbbb2222", "cccc3333", "dddd4444", "eeee5555", "aaaa1112"];
pub const DOWNS: &[&str] = &[
    "None",
    "'aaaa1111'",
    "'bbbb2222'",
    "('aaaa1111', 'cccc3333')",
    "'aaaa'",
    "'missing'",
    "'dddd4444'",
    "['bbbb2222', 'eeee5555']",
    "REV",
];
pub const LABELS: &[&str] = &["None", "('feature',)", "'core'", "('aaaa1111',)", "['x', 'x']"];
pub const DEPENDS: &[&str] = &["None", "'cccc3333'", "('feature',)", "'nowhere'"];

/// Keeps the first file of each path: the CLI lists each path once and the wasm API refuses
/// a path given twice (`api::check_files`), so the core may assume unique paths.
pub fn unique_paths(mut files: Vec<SourceFile>) -> Vec<SourceFile> {
    let mut seen = std::collections::BTreeSet::new();
    files.retain(|f| seen.insert(f.path.clone()));
    files
}
