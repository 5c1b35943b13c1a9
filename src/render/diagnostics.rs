//! Diagnostics for people (rustc-style, with the source line and a caret) and for machines
//! (the `check --format json` object).

use crate::analysis::Analysis;
use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use serde::Serialize;

use crate::codes::Severity;
use crate::diagnostic::{Diagnostic, LocatedDiagnostic};
use crate::source::{LineIndex, floor_char_boundary};

/// Looks up a file's text by path.
pub trait FileTexts: Sync {
    fn text(&self, path: &str) -> Option<&str>;
}

impl FileTexts for [crate::SourceFile] {
    fn text(&self, path: &str) -> Option<&str> {
        self.iter().find(|f| f.path == path).map(|f| f.text.as_str())
    }
}

impl FileTexts for std::collections::BTreeMap<String, String> {
    fn text(&self, path: &str) -> Option<&str> {
        self.get(path).map(String::as_str)
    }
}

fn level(s: Severity) -> Level<'static> {
    match s {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Info => Level::INFO,
    }
}

/// Lines of context shown around a span: only the lines it covers (capped), so a 5 MB file
/// costs no more than a short one.
const MAX_SNIPPET_LINES: usize = 6;

/// Render one diagnostic the way rustc does. `color` adds ANSI styling.
pub fn render_text(d: &Diagnostic, files: &(impl FileTexts + ?Sized), color: bool) -> String {
    let renderer = if color { Renderer::styled() } else { Renderer::plain() };
    let title = level(d.severity).primary_title(d.message.as_str()).id(d.code.name());
    let mut report: Vec<Group> = Vec::new();
    let snippet_source;
    let group = match (&d.file, d.span, d.file.as_deref().and_then(|f| files.text(f))) {
        (Some(path), Some(span), Some(text)) => {
            let idx = LineIndex::new(text);
            let start = floor_char_boundary(text, (span.start as usize).min(text.len()));
            let end = floor_char_boundary(text, (span.end as usize).min(text.len())).max(start);
            let first = idx.line_of(start);
            let last = idx.line_of(end).min(first + MAX_SNIPPET_LINES - 1);
            let from = idx.line_start(first).min(text.len());
            let to = if last + 1 < idx.line_count() {
                idx.line_start(last + 1)
            } else {
                text.len()
            };
            let to = floor_char_boundary(text, to.min(text.len())).max(from);
            snippet_source = text[from..to].trim_end_matches(['\n', '\r']).to_string();
            let a = (start - from).min(snippet_source.len());
            let b = (end - from).min(snippet_source.len()).max(a);
            // An empty span still gets a caret on its first character.
            let b = if a == b { next_char_end(&snippet_source, a) } else { b };
            title.element(
                Snippet::source(snippet_source.as_str())
                    .line_start(first + 1)
                    .path(path.as_str())
                    .annotation(AnnotationKind::Primary.span(a..b)),
            )
        }
        (Some(path), _, _) => title.element(annotate_snippets::Origin::path(path.as_str())),
        _ => Group::with_title(title),
    };
    report.push(group);
    if let Some(help) = &d.help {
        report.push(Group::with_title(Level::HELP.secondary_title(help.as_str())));
    }
    renderer.render(&report).to_string()
}

fn next_char_end(s: &str, at: usize) -> usize {
    s[at..]
        .chars()
        .next()
        .filter(|c| *c != '\n' && *c != '\r')
        .map(|c| at + c.len_utf8())
        .unwrap_or(at)
}

/// The `check --format json` object.
#[derive(Debug, Serialize)]
pub struct CheckJson<'a> {
    /// `alembic` or the plain-SQL layout detected (null when none matched).
    pub layout: Option<&'a str>,
    pub revisions: usize,
    pub heads: Vec<&'a str>,
    pub bases: Vec<&'a str>,
    pub diagnostics: Vec<LocatedDiagnostic>,
    /// Flyway repeatable migrations (not counted in `revisions`).
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub repeatables: &'a [crate::layout::Repeatable],
    /// PR mode (`check --base`): the base, the new revisions and the forks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pr: Option<&'a crate::pr::PrChanges>,
    /// Findings about deployed revisions not listed in `diagnostics`, counted per code
    /// (`check --all` lists them).
    pub hidden: &'a [crate::deployed::Hidden],
    /// `check --db URL`: what the database says (its revisions, applied, pending, unknown).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database: Option<&'a crate::deployed::DbState>,
}

impl<'a> CheckJson<'a> {
    /// The `check` result for `analysis`, with `diags` located in `texts`.
    pub fn new(analysis: &'a Analysis, diags: &[Diagnostic], texts: &(impl FileTexts + ?Sized)) -> Self {
        Self::located(analysis, locate_all(diags, texts))
    }

    /// The `check` result for findings already located.
    pub fn located(analysis: &'a Analysis, diagnostics: Vec<LocatedDiagnostic>) -> Self {
        let map = &analysis.map;
        CheckJson {
            layout: analysis.layout,
            revisions: map.len(),
            heads: map.heads.iter().map(|&h| map.id(h)).collect(),
            bases: map.bases.iter().map(|&b| map.id(b)).collect(),
            diagnostics,
            repeatables: &analysis.repeatables,
            pr: None,
            hidden: &[],
            database: None,
        }
    }
}

pub fn locate_all(diags: &[Diagnostic], files: &(impl FileTexts + ?Sized)) -> Vec<LocatedDiagnostic> {
    // Findings come sorted by file: each file's line index is built once for its run.
    let mut last: Option<(&str, &str, LineIndex)> = None;
    diags
        .iter()
        .map(|d| {
            let text = d.file.as_deref().and_then(|f| files.text(f).map(|t| (f, t)));
            match (text, d.span) {
                (Some((path, text)), Some(_)) => {
                    if !last.as_ref().is_some_and(|(p, t, _)| *p == path && std::ptr::eq(*t, text)) {
                        last = Some((path, text, LineIndex::new(text)));
                    }
                    let idx = last.as_ref().map(|(_, _, i)| i);
                    LocatedDiagnostic::with_index(d, idx.map(|i| (text, i)))
                }
                (text, _) => LocatedDiagnostic::new(d, text.map(|(_, t)| t)),
            }
        })
        .collect()
}

/// "2 errors, 1 warning" style summary line.
pub fn summary(diags: &[Diagnostic]) -> String {
    let count = |s: Severity| diags.iter().filter(|d| d.severity == s).count();
    let plural = |n: usize, w: &str| if n == 1 { format!("{n} {w}") } else { format!("{n} {w}s") };
    format!(
        "{}, {}, {}",
        plural(count(Severity::Error), "error"),
        plural(count(Severity::Warning), "warning"),
        plural(count(Severity::Info), "note")
    )
}

/// A code with more findings than this is grouped for people (text, Markdown): the first
/// [`GROUP_KEEP`] in full, then one line for the rest.
pub const GROUP_ABOVE: usize = 10;
pub const GROUP_KEEP: usize = 3;

/// The rest of a grouped code: how many findings were not printed in full.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct More {
    pub code: &'static str,
    pub severity: Severity,
    pub count: usize,
}

/// Which findings are printed in full (`keep[i]`) and, per grouped code in order of first
/// appearance, how many more there are. `(code, severity)` of each finding.
pub fn group(findings: &[(&'static str, Severity)]) -> (Vec<bool>, Vec<More>) {
    let mut per_code: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for (c, _) in findings {
        *per_code.entry(c).or_default() += 1;
    }
    let mut seen: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    let mut more: Vec<More> = Vec::new();
    let keep = findings
        .iter()
        .map(|&(code, severity)| {
            if per_code[code] <= GROUP_ABOVE {
                return true;
            }
            let n = seen.entry(code).or_default();
            *n += 1;
            if *n <= GROUP_KEEP {
                return true;
            }
            match more.iter_mut().find(|m| m.code == code) {
                Some(m) => {
                    m.count += 1;
                    m.severity = m.severity.max(severity);
                }
                None => more.push(More { code, severity, count: 1 }),
            }
            false
        })
        .collect();
    (keep, more)
}

/// "… and 187 more warning[missing-lock-timeout] (`--all` shows them)".
pub fn more_line(m: &More) -> String {
    format!("… and {} more {}[{}] (`--all` shows them)", m.count, m.severity.as_str(), m.code)
}

#[cfg(test)]
mod group_tests {
    use super::*;

    #[test]
    fn codes_above_ten_findings_are_grouped() {
        let mut f = vec![("a", Severity::Warning); 11];
        f.extend(vec![("b", Severity::Info); 10]);
        f.insert(5, ("a", Severity::Error));
        let (keep, more) = group(&f);
        assert_eq!(keep.iter().filter(|k| **k).count(), GROUP_KEEP + 10);
        assert!(keep[..3].iter().all(|k| *k) && !keep[3]);
        assert_eq!(
            more,
            [More {
                code: "a",
                severity: Severity::Error,
                count: 12 - GROUP_KEEP
            }]
        );
        assert_eq!(more_line(&more[0]), "… and 9 more error[a] (`--all` shows them)");
        let (keep, more) = group(&vec![("b", Severity::Info); 10]);
        assert!(keep.iter().all(|k| *k) && more.is_empty());
    }
}
