//! The whole pipeline on a generated project: `analyze_project` (Alembic scripts or a SQL
//! folder), the dry-run plans up to the heads and back down to base, the report plan for an
//! arbitrary target, and `validate::check` (schema simulation, down paths, lint rules).
#![no_main]

use std::collections::BTreeMap;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use migplan::SourceFile;
use migplan::analysis::{ProjectOptions, analyze_project};
use migplan::dialect::dialect_from_name;
use migplan::dry_run::{DryRun, upgrade_sql};
use migplan::lint::config::LintConfig;
use migplan::plan::Direction;
use migplan::validate::{ValidateOptions, check};

#[path = "common.rs"]
mod common;

#[derive(Arbitrary, Debug)]
struct Script {
    id: u8,
    down: u8,
    labels: u8,
    depends: u8,
    upgrade: Vec<u8>,
    downgrade: Vec<u8>,
    raw: String,
}

#[derive(Arbitrary, Debug)]
struct SqlFile {
    dir: u8,
    name: u8,
    lines: Vec<u8>,
    raw: String,
}

#[derive(Arbitrary, Debug)]
enum Project {
    Alembic(Vec<Script>),
    Sql(Vec<SqlFile>),
}

#[derive(Arbitrary, Debug)]
struct Input {
    dialect: u8,
    per_migration: bool,
    target: String,
    project: Project,
}

fn body(picks: &[u8], raw: &str) -> String {
    let mut b = common::lines(common::PY_LINES, picks, "");
    if !raw.is_empty() {
        // Raw text inside an `op.execute` string: SQL the schema simulation parses.
        b.push_str(&format!("    op.execute({raw:?})\n"));
    }
    b.push_str("    pass");
    b
}

fuzz_target!(|input: Input| {
    let files: Vec<SourceFile> = match &input.project {
        Project::Alembic(scripts) => scripts
            .iter()
            .take(8)
            .enumerate()
            .map(|(i, s)| {
                let pick = |v: &[&'static str], k: u8| v[k as usize % v.len()];
                let id = pick(common::IDS, s.id);
                let text = common::script(
                    id,
                    pick(common::DOWNS, s.down),
                    pick(common::LABELS, s.labels),
                    pick(common::DEPENDS, s.depends),
                    &body(&s.upgrade, &s.raw),
                    &body(&s.downgrade, ""),
                );
                SourceFile::new(format!("versions/{i}_{id}.py"), text)
            })
            .collect(),
        Project::Sql(sql) => sql
            .iter()
            .take(12)
            .map(|f| {
                let dir = common::SQL_DIRS[f.dir as usize % common::SQL_DIRS.len()];
                let name = common::SQL_NAMES[f.name as usize % common::SQL_NAMES.len()];
                SourceFile::new(format!("m/{dir}{name}"), common::lines(common::SQL_LINES, &f.lines, &f.raw))
            })
            .collect(),
    };
    let files = common::unique_paths(files);
    let dialect = dialect_from_name(["postgresql", "mysql", "sqlite"][input.dialect as usize % 3]).unwrap();
    let opts = ProjectOptions {
        layout: None,
        dialect,
        roots: None,
        enable: Vec::new(),
    };
    let a = analyze_project(&files, &opts);
    common::check_diagnostics(&a.diagnostics, &files);

    for (direction, target) in [(Direction::Upgrade, "base:heads"), (Direction::Downgrade, "heads:base")] {
        let targets = [target.to_string()];
        let run = DryRun {
            direction,
            targets: &targets,
            dialect,
            transaction_per_migration: input.per_migration,
            version_table: None,
            version_table_schema: None,
            x_args: Vec::new(),
            bookkeeping: &migplan::bookkeeping::alembic::Alembic,
            parallel: &migplan::parallel::Sequential,
        };
        let _ = run.run(&a).map(|o| o.rendered.text());
    }
    let _ = upgrade_sql(&a, &input.target, dialect);

    let texts: BTreeMap<String, String> = files.iter().map(|f| (f.path.clone(), f.text.clone())).collect();
    let vo = ValidateOptions {
        dialect,
        config: LintConfig::default(),
        deployed: None,
        texts: Some(&texts),
        env_sets_timeout: false,
        parallel: &migplan::parallel::Sequential,
    };
    let diags = check(&a, &vo);
    common::check_diagnostics(&diags, &files);
});
