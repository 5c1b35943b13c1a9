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
    // The PR findings join the project's, so the report and `check --base` agree.
    let mut with_pr: Option<Analysis> = None;
    let changes = match &args.base {
        None => None,
        Some(b) => {
            let found = against_base(a, files, roots, listed, b, &args.base_label, args.dialect)?;
            if let [h] = found.base.map.heads[..] {
                let id = found.base.map.id(h);
                base_head = a.map.by_id.contains_key(id).then(|| id.to_string());
            }
            let mut merged = a.clone();
            merged.diagnostics.extend(found.comparison.diagnostics);
            crate::diagnostic::sort_diagnostics(&mut merged.diagnostics);
            with_pr = Some(merged);
            Some(found.comparison.changes)
        }
    };
    let a = with_pr.as_ref().unwrap_or(a);
    let texts: std::collections::BTreeMap<String, String> = files.iter().map(|f| (f.path.clone(), f.text.clone())).collect();
    let target = match args.from.as_ref().or(base_head.as_ref()) {
        Some(f) => format!("{f}:{}", args.to),
        None => args.to.clone(),
    };
    let plan = upgrade_sql(a, &target, args.dialect);
    let report = Report::new(&args.title, a, &texts, changes.as_ref(), Some(plan));
    std::fs::create_dir_all(args.out).map_err(|e| format!("cannot create {}: {e}", args.out))?;
    let html = Path::new(args.out).join("index.html");
    let md = Path::new(args.out).join("report.md");
    std::fs::write(&html, report_html(&report)).map_err(|e| format!("cannot write {}: {e}", html.display()))?;
    std::fs::write(&md, report_md(&report)).map_err(|e| format!("cannot write {}: {e}", md.display()))?;
    Ok(vec![html.display().to_string(), md.display().to_string()])
}
