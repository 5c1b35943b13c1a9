//! Inputs the fuzz targets (fuzz/fuzz_targets/) found crashing, minimized, each replayed
//! through the same calls as its target. A crash gets its test here before it is fixed.
//! Inputs too large to read inline live in tests/fuzz_regressions/.

use std::collections::BTreeMap;

use migplan::SourceFile;
use migplan::analysis::{ProjectOptions, analyze_project};
use migplan::dialect::dialect_from_name;
use migplan::dry_run::{DryRun, upgrade_sql};
use migplan::lint::config::LintConfig;
use migplan::plan::Direction;
use migplan::render::diagnostics::locate_all;
use migplan::source::Span;
use migplan::validate::{ValidateOptions, check};

/// What the `read_script` target does with its bytes.
#[allow(dead_code)]
fn read_script(bytes: &[u8]) {
    if let Ok(f) = SourceFile::from_bytes("versions/1a2b3c4d5e6f_fuzz.py", bytes) {
        let read = migplan::parse::revision_script::read_script(&f);
        let _ = locate_all(&read.diagnostics, std::slice::from_ref(&f));
    }
}

/// What the `sql_split` target does: split with the dialect's lexing, classify each.
#[allow(dead_code)]
fn split(dialect: &str, text: &str) -> usize {
    let d = dialect_from_name(dialect).unwrap();
    let (statements, _) = migplan::sql::split::split(text, Span::new(0, text.len()), d.sql_lexing());
    for s in &statements {
        let _ = migplan::sql::classify::classify(&text[s.span.range()]);
    }
    statements.len()
}

/// What the `pipeline` target does with a project.
#[allow(dead_code)]
fn pipeline(files: &[(&str, &str)], dialect: &str) -> Vec<String> {
    let files: Vec<SourceFile> = files.iter().map(|(p, t)| SourceFile::new(*p, *t)).collect();
    let d = dialect_from_name(dialect).unwrap();
    let opts = ProjectOptions {
        layout: None,
        dialect: d,
        roots: None,
        enable: Vec::new(),
    };
    let a = analyze_project(&files, &opts);
    for (direction, target) in [(Direction::Upgrade, "base:heads"), (Direction::Downgrade, "heads:base")] {
        let targets = [target.to_string()];
        let run = DryRun {
            direction,
            targets: &targets,
            dialect: d,
            transaction_per_migration: false,
            version_table: None,
            version_table_schema: None,
            x_args: Vec::new(),
            bookkeeping: &migplan::bookkeeping::alembic::Alembic,
            parallel: &migplan::parallel::Sequential,
        };
        let _ = run.run(&a).map(|o| o.rendered.text());
    }
    let _ = upgrade_sql(&a, "heads", d);
    let texts: BTreeMap<String, String> = files.iter().map(|f| (f.path.clone(), f.text.clone())).collect();
    let vo = ValidateOptions {
        dialect: d,
        config: LintConfig::default(),
        deployed: None,
        texts: Some(&texts),
        env_sets_timeout: false,
        parallel: &migplan::parallel::Sequential,
    };
    let diags = check(&a, &vo);
    let _ = locate_all(&diags, files.as_slice());
    diags.iter().map(|d| d.code.name().to_string()).collect()
}

/// layout_load, crash-f3d5507e: two files with the same path (`m/R__view.sql`, one empty).
/// A diagnostic about the second was located in the first one's text, so its line and
/// column were wrong. The CLI never lists a path twice; the wasm API took an array that
/// did. Now the API refuses it, naming the path.
#[test]
fn duplicate_paths_are_refused_by_the_api() {
    let files = [
        SourceFile::new("m/R__view.sql", ""),
        SourceFile::new("m/R__view.sql", "SELECT 1;\n'unterminated\n"),
    ];
    assert_eq!(
        migplan::api::check_files(&files).err().as_deref(),
        Some("files: m/R__view.sql is given twice; each path must be unique")
    );
}

/// layout_load, crash-3e2ebc37: `CREATE INDEX CONCURRENTLY` in a Flyway undo file (`U1__…`).
/// The `non-transactional-statement` finding named the up file (`V1__…`) with the undo
/// statement's span, pointing at the wrong text (past its end here).
#[test]
fn non_transactional_statement_in_a_down_file_names_the_down_file() {
    let files = [
        SourceFile::new("m/V1__x.sql", " ==\n"),
        SourceFile::new("m/U1__x.sql", "CREATE INDEX CONCURRENTLY i ON t (id);\n"),
    ];
    let opts = ProjectOptions {
        layout: None,
        dialect: dialect_from_name("postgresql").unwrap(),
        roots: None,
        enable: Vec::new(),
    };
    let a = analyze_project(&files, &opts);
    let d = a
        .diagnostics
        .iter()
        .find(|d| d.code == migplan::Code::NonTransactionalStatement)
        .expect("non-transactional-statement");
    assert_eq!(d.file.as_deref(), Some("m/U1__x.sql"), "{d:?}");
    assert_eq!(d.span.map(|s| s.range()), Some(0..37));
}
