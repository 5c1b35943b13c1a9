//! `migplan check`: every finding, optionally against a PR's base (`--base`, `--base-dir`),
//! in one of five formats; exit 1 at `--fail-on` severity or worse, 2 when it cannot run.
//! Findings about deployed revisions (the base, `--since`, `[check] baseline`) are split off
//! by `crate::deployed` and only counted, unless `--all`. With `--db URL` the database's
//! applied revisions are deployed too, and what the database says (pending, edited after
//! apply, unknown, unfinished) is listed with the rest.

use std::collections::BTreeSet;
use std::io::Write;
use std::process::ExitCode;

use super::args::{Cli, FailOn, Format};
use super::base::{Base, against_base};
use super::discover::{add_texts_for, read_source};
use crate::analysis::Analysis;
use crate::codes::Severity;
use crate::deployed::{DbState, Split, hidden_lines, split, with_ancestors};
use crate::diagnostic::{Diagnostic, LocatedDiagnostic, sort_diagnostics};
use crate::dialect::Dialect;
use crate::pr::PrChanges;
use crate::render::diagnostics::{CheckJson, group, more_line, render_text, summary};
use crate::render::{github, markdown, sarif};
use crate::source::SourceFile;

/// What `check` works from (built by the CLI's common loading).
pub struct CheckInput<'a> {
    pub cli: &'a Cli,
    /// `--models`: the models compared with the schema at head.
    pub model_findings: Vec<Diagnostic>,
    /// PR mode without `--models`: the same findings, listed only when the PR touches the
    /// models (one of these files differs from the base) or adds a migration.
    pub pr_models: Option<PrModels>,
    pub analysis: &'a Analysis,
    /// Files whose text is known already (SQL folders: all; Alembic: env.py, config).
    pub known: &'a [SourceFile],
    pub listed: &'a [String],
    pub roots: &'a [String],
    pub sql_folder: bool,
    pub file_count: usize,
    pub dialect: &'static dyn Dialect,
    pub config_file: Option<String>,
    /// The `migplan.toml` read, if any (named when its baseline is wrong).
    pub config_path: Option<String>,
    pub color: bool,
    /// `migplan.toml` and the command line's validation settings.
    pub config: crate::lint::config::LintConfig,
    pub flags: super::validation::CheckFlags<'a>,
    /// `--all`: list deployed revisions' findings too, and every finding of a large code.
    pub all: bool,
}

/// The models' findings for PR mode and the files they are read from (env.py and every
/// module its imports reach that declares a table).
pub struct PrModels {
    pub findings: Vec<Diagnostic>,
    /// The tables left out of the comparison (`model-unknown`).
    pub left_out: Vec<Diagnostic>,
    pub files: Vec<String>,
}

/// The models' findings a PR comment lists: all, but of the tables left out as unknown only
/// those declared in files the PR changes; the others are counted in one finding (a project
/// of many models would otherwise fill the comment with what the PR did not change).
fn pr_model_findings(m: &PrModels, changed: impl Fn(&str) -> bool) -> Vec<Diagnostic> {
    let mut out = m.findings.clone();
    let touched = |d: &&Diagnostic| d.span.is_some() && d.file.as_deref().is_some_and(&changed);
    out.extend(m.left_out.iter().filter(touched).cloned());
    let n = m.left_out.iter().filter(|d| !touched(d)).count();
    if n > 0 {
        let env = m.files.first().cloned().unwrap_or_default();
        let (s, are, them) = if n == 1 { ("", "is", "it") } else { ("s", "are", "them") };
        out.push(
            Diagnostic::new(
                crate::codes::Code::ModelUnknown,
                format!(
                    "{n} table{s} the PR does not change {are} left out of the models' comparison: migplan cannot follow {them} statically"
                ),
            )
            .in_file(env)
            .help("`migplan check --models` lists each with the reason"),
        );
    }
    out
}

/// Whether `file` differs from git's text at REF. A `--base-dir` is a versions folder, not
/// the project: only the migrations it holds are compared (a new one still counts).
fn changed_at_base(base: &Base, file: &str) -> bool {
    match base {
        Base::GitRef(r) => std::fs::read(file).ok() != super::base::git_show(r, file),
        Base::Dir(_) => false,
    }
}

/// Where SARIF puts findings about no file: the config file, else the project's first file.
fn anchor(input: &CheckInput) -> String {
    input
        .config_file
        .clone()
        .or_else(|| input.listed.first().cloned())
        .or_else(|| input.cli.dirs.first().cloned())
        .unwrap_or_else(|| "alembic.ini".to_string())
}

/// `scripts`: the Alembic scripts already read for parsing, those with a marker (their
/// texts are reused); `None` when they were not read (plain-SQL folders are in `known`).
/// `db`: what `--db` says, when given.
pub fn run(
    input: &CheckInput,
    scripts: Option<Vec<SourceFile>>,
    base: Option<&Base>,
    label: &str,
    db: Option<&DbState>,
    fail_on: FailOn,
) -> ExitCode {
    let a = input.analysis;
    let mut diags: Vec<Diagnostic> = Vec::new();
    let mut deployed: Option<BTreeSet<String>> = None;
    // Which revisions are deployed, for the reader: "already in main", "at or before …".
    let mut whose: Vec<String> = Vec::new();
    let mut changes: Option<PrChanges> = None;
    let mut plan: Option<(String, String)> = None;
    if let Some(b) = base {
        let files: Vec<SourceFile> = if input.sql_folder {
            input.known.to_vec()
        } else {
            input.listed.iter().filter_map(|p| read_source(std::path::Path::new(p))).collect()
        };
        match against_base(a, &files, input.roots, input.listed, b, label, input.dialect) {
            Ok(found) => {
                // What the base has is deployed; the PR's revisions are the plan.
                deployed = Some((0..found.base.map.len()).map(|i| found.base.map.id(i).to_string()).collect());
                whose.push(format!("already in {label}"));
                diags.extend(found.comparison.diagnostics);
                let c = found.comparison.changes;
                // The SQL of what the PR adds: from the base's head, when the PR has it.
                if input.cli.format == Format::Markdown && !c.new_revisions.is_empty() {
                    let from = plan_start(a, &found.base, &c.new_revisions);
                    plan = Some(crate::dry_run::upgrade_sql(a, &format!("{from}heads"), input.dialect));
                }
                // The PR touches the models (or the migrations): the drift is about its code.
                if let Some(m) = &input.pr_models
                    && (!c.new_revisions.is_empty() || m.files.iter().any(|f| changed_at_base(b, f)))
                {
                    diags.extend(pr_model_findings(m, |f| changed_at_base(b, f)));
                }
                changes = Some(c);
            }
            Err(e) => {
                eprintln!("FAILED: {e}");
                return ExitCode::from(super::CHECK_COULD_NOT_RUN);
            }
        }
    }
    if let Some(db) = db {
        // Applied means deployed: it ran, so it can no longer be edited.
        if !db.applied.is_empty() {
            deployed.get_or_insert_with(BTreeSet::new).extend(db.applied.iter().cloned());
            whose.push("applied in the database".to_string());
        }
        diags.extend(db.diagnostics.iter().cloned());
    }
    if let Err(e) = deployed_here(input, &mut deployed, &mut whose) {
        eprintln!("FAILED: {e}");
        return ExitCode::from(super::CHECK_COULD_NOT_RUN);
    }
    let whose = whose.join("; ");
    let started = std::time::Instant::now();
    let all = super::validation::all_texts(a, input.known, scripts);
    let read = started.elapsed();
    let flags = super::validation::CheckFlags {
        since: None,
        deployed: deployed.clone(),
        ..input.flags.clone()
    };
    match super::validation::findings(a, input.dialect, input.config.clone(), &flags, &all) {
        Ok(found) => diags.extend(found),
        Err(e) => {
            eprintln!("FAILED: {e}");
            return ExitCode::from(super::CHECK_COULD_NOT_RUN);
        }
    }
    diags.extend(input.model_findings.iter().cloned());
    sort_diagnostics(&mut diags);
    if input.cli.timings {
        // Inside `check`'s lap: what the schema simulation and the lint rules cost.
        eprintln!("timing: {:<10} {:>9.3} ms", "  texts", read.as_secs_f64() * 1000.0);
        eprintln!(
            "timing: {:<10} {:>9.3} ms",
            "  validate",
            (started.elapsed() - read).as_secs_f64() * 1000.0
        );
    }
    let mut texts = all;
    // Decided once for every format: what is listed, what is only counted.
    let found = match &deployed {
        Some(ids) => split(a, diags, ids, input.all),
        None => Split::all(diags),
    };
    let diags = &found.shown;
    add_texts_for(&mut texts, diags, input.known);
    // Located once: JSON, SARIF, GitHub and Markdown all start from it (text needs none).
    let located: Vec<LocatedDiagnostic> = match input.cli.format {
        Format::Text | Format::Sql => Vec::new(),
        _ => found.located(&texts),
    };
    let hidden_text = hidden_lines(&found.hidden, &whose);
    // Buffered: tens of thousands of findings are written without building one big string.
    let mut out = std::io::BufWriter::with_capacity(1 << 16, super::projects::Stdout);
    match input.cli.format {
        Format::Json => {
            let mut json = CheckJson::located(a, located);
            json.pr = changes.as_ref();
            json.hidden = &found.hidden;
            json.database = db;
            // serde_json fails only on non-string map keys, which this object has none of.
            let _ = serde_json::to_writer_pretty(&mut out, &json);
            let _ = writeln!(out);
        }
        Format::Sarif => {
            let log = sarif::with_hidden(sarif::render(&located, &anchor(input)), &found.hidden, &hidden_text);
            let _ = writeln!(out, "{}", serde_json::to_string_pretty(&log).unwrap_or_default());
        }
        Format::Github => {
            let _ = out.write_all(github::render(&located).as_bytes());
            let _ = out.write_all(github::notice("deployed history", &hidden_text).as_bytes());
        }
        Format::Markdown => {
            let title = format!("migplan check: {}", super::project_title(input.cli));
            let md = markdown::render(&markdown::Markdown {
                title: &title,
                analysis: a,
                diagnostics: &located,
                changes: changes.as_ref(),
                plan: plan.as_ref().map(|(w, s)| (w.as_str(), s.as_str())),
                hidden: &found.hidden,
                whose: &whose,
                group: !input.all && deployed.is_none(),
            });
            let _ = out.write_all(md.as_bytes());
        }
        Format::Text | Format::Sql => {
            if let Some(db) = db {
                let current = if db.current.is_empty() {
                    "base".to_string()
                } else {
                    db.current.join(", ")
                };
                let _ = writeln!(out, "database: {}", db.url);
                let _ = writeln!(out, "current:  {current}");
                let _ = writeln!(out, "applied:  {}", db.applied.len());
                let _ = writeln!(out, "pending:  {}", db.pending.len());
                let _ = out.flush();
            }
            let mut err = std::io::BufWriter::with_capacity(1 << 16, std::io::stderr().lock());
            if let Some(c) = &changes {
                let _ = writeln!(err, "{}", new_revisions_text(a, c));
            }
            let codes: Vec<_> = diags.iter().map(|d| (d.code.name(), d.severity)).collect();
            // Grouped only when nothing is deployed: then everything is listed, old or new.
            let (keep, more) = if input.all || deployed.is_some() {
                (vec![true; diags.len()], Vec::new())
            } else {
                group(&codes)
            };
            for (d, _) in diags.iter().zip(&keep).filter(|(_, k)| **k) {
                let _ = writeln!(err, "{}\n", render_text(d, &texts, input.color));
            }
            for m in &more {
                let _ = writeln!(err, "{}", more_line(m));
            }
            for l in &hidden_text {
                let _ = writeln!(err, "{l}");
            }
            if deployed.is_none() && diags.iter().any(|d| !d.code.breaks_project()) {
                let _ = writeln!(
                    err,
                    "hint: `migplan baseline` records the history deployed so far; `check` then lists only what is new and what breaks the project"
                );
            }
            let _ = writeln!(
                err,
                "checked {} revision(s) in {} file(s) ({}): {}",
                a.map.len(),
                input.file_count,
                a.layout.unwrap_or("no known layout"),
                summary(diags)
            );
            let _ = err.flush();
        }
    }
    let _ = out.flush();
    let threshold = match fail_on {
        FailOn::Error => Severity::Error,
        FailOn::Warning => Severity::Warning,
    };
    // Only what is listed fails the check: deployed findings that are only counted cannot
    // be fixed, and those that break the project are always listed.
    if diags.iter().any(|d| d.severity >= threshold) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Add what `--since` and `[check] baseline` deploy to `deployed`, and say so in `whose`.
fn deployed_here(input: &CheckInput, deployed: &mut Option<BTreeSet<String>>, whose: &mut Vec<String>) -> Result<(), String> {
    let a = input.analysis;
    if let Some(rev) = input.flags.since {
        let ids = with_ancestors(a, &[rev.to_string()]).map_err(|e| format!("--since {e}"))?;
        deployed.get_or_insert_with(BTreeSet::new).extend(ids);
        whose.push(format!("at or before {rev}"));
    }
    if !input.config.baseline.is_empty() {
        let file = input.config_path.as_deref().unwrap_or("migplan.toml");
        let ids = with_ancestors(a, &input.config.baseline)
            .map_err(|e| format!("{file}: [check] baseline: {e} (`migplan baseline` records the current heads)"))?;
        deployed.get_or_insert_with(BTreeSet::new).extend(ids);
        whose.push(format!("at or before the baseline in {file}"));
    }
    Ok(())
}

/// Where the new revisions' SQL starts: the base's head when the PR has it, else the one
/// base revision the new ones grow from (`heads` from the start when there is none).
fn plan_start(a: &Analysis, base: &Analysis, new: &[String]) -> String {
    if let [h] = base.map.heads[..]
        && a.map.by_id.contains_key(base.map.id(h))
    {
        return format!("{}:", base.map.id(h));
    }
    let mut from: Vec<&str> = Vec::new();
    for id in new {
        let Some(&i) = a.map.by_id.get(id) else { continue };
        for p in &a.map.node(i).down_ids {
            if !new.contains(p) && base.map.by_id.contains_key(p) && !from.contains(&p.as_str()) {
                from.push(p);
            }
        }
    }
    match from[..] {
        [one] => format!("{one}:"),
        _ => String::new(),
    }
}

/// "new in this PR (against main): …", one revision a line, before the findings.
fn new_revisions_text(a: &Analysis, c: &PrChanges) -> String {
    if c.new_revisions.is_empty() {
        return format!("new in this PR (against {}): nothing\n", c.base);
    }
    let mut s = format!("new in this PR (against {}): {}\n", c.base, c.new_revisions.join(", "));
    for id in &c.new_revisions {
        if let Some(&i) = a.map.by_id.get(id) {
            let rev = a.revision(i);
            s.push_str(&format!("  {id}  {}  {}\n", rev.path, rev.message()));
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::Code;
    use crate::source::Span;

    /// A PR comment lists the left-out tables of the files it changes and counts the rest.
    #[test]
    fn pr_comment_counts_left_out_tables_it_does_not_touch() {
        let unknown = |file: &str| Diagnostic::new(Code::ModelUnknown, format!("in {file}")).at(file, Span::new(0, 1));
        let m = PrModels {
            findings: vec![Diagnostic::new(Code::ModelsDrift, "drift").at("app/models.py", Span::new(0, 1))],
            left_out: vec![
                unknown("app/models.py"),
                unknown("app/legacy.py"),
                unknown("app/legacy.py"),
                Diagnostic::new(Code::ModelUnknown, "table t: migrations").in_file("migrations/env.py"),
            ],
            files: vec!["migrations/env.py".into(), "app/models.py".into()],
        };
        let out = pr_model_findings(&m, |f| f == "app/models.py");
        let messages: Vec<&str> = out.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(messages[..2], ["drift", "in app/models.py"]);
        assert!(
            messages[2].starts_with("3 tables the PR does not change are left out"),
            "{messages:?}"
        );
        assert_eq!(out[2].file.as_deref(), Some("migrations/env.py"));
        assert_eq!(pr_model_findings(&PrModels { left_out: vec![], ..m }, |_| false).len(), 1);
    }
}
