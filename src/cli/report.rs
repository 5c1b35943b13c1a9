//! `migplan report`: the static PR preview (one self-contained index.html plus report.md),
//! optionally against a base (`--base REF` read with git, or `--base-dir DIR`).

use std::path::Path;

use super::base::{Base, against_base};
use crate::analysis::Analysis;
use crate::dialect::Dialect;
use crate::dry_run::upgrade_sql;
use crate::render::html::{Report, report_html};
use crate::render::markdown::report_md;
use crate::source::SourceFile;

pub struct ReportArgs<'a> {
    /// `migplan.toml`'s severities and versions.
    pub config: crate::lint::config::LintConfig,
    pub out: &'a str,
    pub title: String,
    pub base: Option<Base<'a>>,
    pub base_label: String,
    /// The plan shown: `FROM:TO`; without FROM, from the base's head when it has one (the
    /// new revisions' SQL), else from the start.
    pub from: Option<String>,
    pub to: String,
    pub dialect: &'static dyn Dialect,
}

/// Write index.html and report.md; returns the paths written.
pub fn write(a: &Analysis, files: &[SourceFile], roots: &[String], listed: &[String], args: &ReportArgs) -> Result<Vec<String>, String> {
    let mut base_head: Option<String> = None;
    let mut deployed = None;
    let mut pr_diags = Vec::new();
    let changes = match &args.base {
        None => None,
        Some(b) => {
            let found = against_base(a, files, roots, listed, b, &args.base_label, args.dialect)?;
            if let [h] = found.base.map.heads[..] {
                let id = found.base.map.id(h);
                base_head = a.map.by_id.contains_key(id).then(|| id.to_string());
            }
            deployed = Some((0..found.base.map.len()).map(|i| found.base.map.id(i).to_string()).collect());
            pr_diags = found.comparison.diagnostics;
            Some(found.comparison.changes)
        }
    };
    // The report shows what `check` (with the same base) reports: validation and PR findings.
    let mut with_findings = a.clone();
    let mut all = super::validation::all_texts(a, files, None);
    let flags = super::validation::CheckFlags {
        pg_version: None,
        mysql_version: None,
        since: None,
        deployed,
    };
    let mut diags = super::validation::findings(a, args.dialect, args.config.clone(), &flags, &all)?;
    diags.extend(pr_diags);
    crate::diagnostic::sort_diagnostics(&mut diags);
    // As `check` lists them: the base's own findings are only counted.
    let found = match &flags.deployed {
        Some(ids) => crate::deployed::split(a, diags, ids, false),
        None => crate::deployed::Split::all(diags),
    };
    with_findings.diagnostics = found.shown;
    let a = &with_findings;
    all.extend(files.iter().map(|f| (f.path.clone(), f.text.clone())));
    let texts = all;
    let target = match args.from.as_ref().or(base_head.as_ref()) {
        Some(f) => format!("{f}:{}", args.to),
        None => args.to.clone(),
    };
    let plan = upgrade_sql(a, &target, args.dialect);
    let mut report = Report::new(&args.title, a, &texts, changes.as_ref(), Some(plan));
    report.hidden = found.hidden;
    report.whose = format!("already in {}", args.base_label);
    std::fs::create_dir_all(args.out).map_err(|e| format!("cannot create {}: {e}", args.out))?;
    let html = Path::new(args.out).join("index.html");
    let md = Path::new(args.out).join("report.md");
    std::fs::write(&html, report_html(&report)).map_err(|e| format!("cannot write {}: {e}", html.display()))?;
    std::fs::write(&md, report_md(&report)).map_err(|e| format!("cannot write {}: {e}", md.display()))?;
    Ok(vec![html.display().to_string(), md.display().to_string()])
}
