//! Deployed vs new: which findings a reader is shown first.
//!
//! A revision is *deployed* when it already ran where it matters: it is in the PR's base,
//! at or before `check --since REV`, applied in the database of `check --db URL`, or at
//! or before the `[check] baseline` of `migplan.toml`. Its file must not change any more, so findings about how it is written
//! cannot be acted on: they are counted per code, not listed. Findings that break the
//! project now ([`Code::breaks_project`]) are listed whichever revision they are about.
//!
//! Decided once here, for every output (text, JSON, SARIF, GitHub, Markdown, the report).
//! Pure: no IO.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Serialize, Serializer};

use crate::analysis::Analysis;
use crate::codes::{Code, Severity};
use crate::diagnostic::{Diagnostic, LocatedDiagnostic};
use crate::render::diagnostics::{FileTexts, locate_all};

/// The findings of one code about deployed revisions that are not listed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Hidden {
    #[serde(serialize_with = "code_name")]
    pub code: Code,
    /// The worst severity among them.
    pub severity: Severity,
    pub count: usize,
}

fn code_name<S: Serializer>(c: &Code, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(c.name())
}

/// What a reader is shown: the findings listed and the counts of the others.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Split {
    /// The findings listed, in the order given.
    pub shown: Vec<Diagnostic>,
    /// Parallel to `shown`: whether the finding is about a deployed revision.
    pub deployed: Vec<bool>,
    /// Not listed, one entry per code: worst severity first, then most frequent.
    pub hidden: Vec<Hidden>,
}

impl Split {
    /// Every finding listed (no deployed revisions known, or `--all`).
    pub fn all(diags: Vec<Diagnostic>) -> Split {
        Split {
            deployed: vec![false; diags.len()],
            shown: diags,
            hidden: Vec::new(),
        }
    }

    pub fn hidden_total(&self) -> usize {
        self.hidden.iter().map(|h| h.count).sum()
    }

    /// The listed findings located in their files, each marked deployed or not.
    pub fn located(&self, texts: &(impl FileTexts + ?Sized)) -> Vec<LocatedDiagnostic> {
        let mut out = locate_all(&self.shown, texts);
        for (l, &d) in out.iter_mut().zip(&self.deployed) {
            l.deployed = d;
        }
        out
    }
}

/// `revs` and all their ancestors, as ids (what `--since` and a baseline mean). A name
/// that does not resolve is an error naming it.
pub fn with_ancestors(a: &Analysis, revs: &[String]) -> Result<BTreeSet<String>, String> {
    let mut targets = Vec::new();
    for rev in revs {
        let found = a
            .map
            .get_revisions(&crate::resolve::RevArg::str(rev))
            .map_err(|e| format!("{rev}: {}", e.message()))?;
        targets.extend(found.into_iter().filter_map(crate::resolve::Pos::rev));
    }
    Ok(a.map
        .ancestors(&targets, true)
        .into_iter()
        .map(|r| a.map.id(r).to_string())
        .collect())
}

/// The revision each migration file belongs to (its script, or its up and down files).
fn revision_of_file(a: &Analysis) -> BTreeMap<&str, &str> {
    let mut out = BTreeMap::new();
    for r in &a.revisions {
        out.insert(r.path.as_str(), r.id.as_str());
        if let Some(down) = r.sql.as_ref().and_then(|s| s.down_path.as_deref()) {
            out.insert(down, r.id.as_str());
        }
    }
    out
}

/// Split `diags` into those listed and those only counted. A finding is about a deployed
/// revision when its file is one of that revision's files; findings about no file or about
/// other files (env.py, the config) are always listed. `show_all` (`--all`) lists
/// everything, still marking what is deployed.
pub fn split(a: &Analysis, diags: Vec<Diagnostic>, deployed: &BTreeSet<String>, show_all: bool) -> Split {
    if deployed.is_empty() {
        return Split::all(diags);
    }
    let files = revision_of_file(a);
    let is_deployed = |d: &Diagnostic| {
        d.file
            .as_deref()
            .and_then(|f| files.get(f))
            .is_some_and(|id| deployed.contains(*id))
    };
    let mut out = Split::default();
    let mut hidden: BTreeMap<Code, (Severity, usize)> = BTreeMap::new();
    for d in diags {
        let dep = is_deployed(&d);
        if dep && !show_all && !d.code.breaks_project() {
            let e = hidden.entry(d.code).or_insert((d.severity, 0));
            e.0 = e.0.max(d.severity);
            e.1 += 1;
        } else {
            out.shown.push(d);
            out.deployed.push(dep);
        }
    }
    out.hidden = hidden
        .into_iter()
        .map(|(code, (severity, count))| Hidden { code, severity, count })
        .collect();
    out.hidden
        .sort_by(|x, y| (y.severity, y.count, x.code.name()).cmp(&(x.severity, x.count, y.code.name())));
    out
}

/// The hidden findings for people, one line per code after a heading; `whose` says which
/// revisions are deployed ("already in main", "at or before the baseline in migplan.toml").
pub fn hidden_lines(hidden: &[Hidden], whose: &str) -> Vec<String> {
    if hidden.is_empty() {
        return Vec::new();
    }
    let total: usize = hidden.iter().map(|h| h.count).sum();
    let width = hidden.iter().map(|h| h.count.to_string().len()).max().unwrap_or(1);
    let mut lines = vec![format!(
        "deployed history ({whose}): {total} finding{} not shown (`--all` shows them)",
        if total == 1 { "" } else { "s" }
    )];
    for h in hidden {
        lines.push(format!("  {:>width$} {}[{}]", h.count, h.severity.as_str(), h.code.name()));
    }
    lines
}

/// What the database given by `--db` says (read by the CLI's runner): JSON's
/// `database` object, the text output's first lines, and findings listed with the rest.
#[derive(Debug, Serialize)]
pub struct DbState {
    /// The URL, password masked.
    pub url: String,
    /// The revisions in its version table (`alembic current`).
    pub current: Vec<String>,
    /// The project's revisions it has applied, and those it has not, in upgrade order.
    pub applied: Vec<String>,
    pub pending: Vec<String>,
    /// Recorded revisions no migration file defines.
    pub unknown: Vec<String>,
    #[serde(skip)]
    pub diagnostics: Vec<Diagnostic>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    fn script(id: &str, down: Option<&str>, body: &str) -> SourceFile {
        let down = down.map_or("None".to_string(), |d| format!("'{d}'"));
        SourceFile::new(
            format!("v/{id}.py"),
            format!("revision = '{id}'\ndown_revision = {down}\ndef upgrade():\n    {body}\ndef downgrade():\n    pass\n"),
        )
    }

    fn history() -> Analysis {
        crate::analyze(
            &[
                script("a", None, "op.create_table('t')"),
                script("b", Some("a"), "op.drop_table('t')"),
                script("c", Some("b"), "op.execute('x')"),
            ],
            None,
        )
    }

    fn finding(code: Code, file: Option<&str>) -> Diagnostic {
        let d = Diagnostic::new(code, "m");
        match file {
            Some(f) => d.in_file(f),
            None => d,
        }
    }

    #[test]
    fn ancestors_of_the_named_revisions_are_deployed() {
        let a = history();
        let ids = with_ancestors(&a, &["b".into()]).unwrap();
        assert_eq!(ids.into_iter().collect::<Vec<_>>(), ["a", "b"]);
        assert!(with_ancestors(&a, &["zz".into()]).unwrap_err().starts_with("zz: "));
    }

    #[test]
    fn deployed_findings_are_counted_unless_they_break_the_project() {
        let a = history();
        let deployed = with_ancestors(&a, &["b".into()]).unwrap();
        let diags = vec![
            finding(Code::EmptyDowngrade, Some("v/a.py")),
            finding(Code::EmptyDowngrade, Some("v/b.py")),
            finding(Code::DroppingTable, Some("v/b.py")),
            finding(Code::EmptyDowngrade, Some("v/c.py")),
            finding(Code::PythonSyntaxError, Some("v/a.py")),
            finding(Code::MultipleHeads, None),
            finding(Code::NonLiteralEnvOption, Some("env.py")),
        ];
        let s = split(&a, diags.clone(), &deployed, false);
        let shown: Vec<(&str, Option<&str>)> = s.shown.iter().map(|d| (d.code.name(), d.file.as_deref())).collect();
        assert_eq!(
            shown,
            [
                ("empty-downgrade", Some("v/c.py")),
                ("python-syntax-error", Some("v/a.py")),
                ("multiple-heads", None),
                ("non-literal-env-option", Some("env.py")),
            ]
        );
        assert_eq!(s.deployed, [false, true, false, false]);
        let hidden: Vec<(&str, usize)> = s.hidden.iter().map(|h| (h.code.name(), h.count)).collect();
        assert_eq!(hidden, [("empty-downgrade", 2), ("dropping-table", 1)]);
        assert_eq!(s.hidden_total(), 3);
        assert_eq!(
            hidden_lines(&s.hidden, "at or before b"),
            [
                "deployed history (at or before b): 3 findings not shown (`--all` shows them)",
                "  2 warning[empty-downgrade]",
                "  1 warning[dropping-table]",
            ]
        );

        // `--all`: everything listed, deployed ones marked.
        let all = split(&a, diags.clone(), &deployed, true);
        assert_eq!(all.shown, diags);
        assert_eq!(all.deployed, [true, true, true, false, true, false, false]);
        assert!(all.hidden.is_empty());

        // Nothing deployed: everything listed as new.
        let none = split(&a, diags.clone(), &BTreeSet::new(), false);
        assert_eq!(none.shown, diags);
        assert!(none.deployed.iter().all(|d| !d));
    }

    #[test]
    fn hidden_counts_keep_the_worst_severity() {
        let a = history();
        let deployed = with_ancestors(&a, &["c".into()]).unwrap();
        let diags = vec![
            finding(Code::EmptyDowngrade, Some("v/a.py")).severity(Severity::Info),
            finding(Code::EmptyDowngrade, Some("v/b.py")).severity(Severity::Error),
            finding(Code::DroppingTable, Some("v/b.py")),
        ];
        let s = split(&a, diags, &deployed, false);
        assert!(s.shown.is_empty());
        assert_eq!(
            s.hidden,
            [
                Hidden {
                    code: Code::EmptyDowngrade,
                    severity: Severity::Error,
                    count: 2
                },
                Hidden {
                    code: Code::DroppingTable,
                    severity: Severity::Warning,
                    count: 1
                }
            ]
        );
    }
}
