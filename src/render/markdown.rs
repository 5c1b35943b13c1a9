//! Markdown for a PR comment or a job summary (`check --format markdown`, `report.md`):
//! summary counts, what the change adds, forks, the findings table, and the dry-run SQL in
//! collapsible `<details>` sections.
//!
//! Everything from a migration is untrusted: text outside code spans has `&`, `<`, `>`
//! escaped, table cells have `|` escaped, code spans lose their backticks, and SQL goes in a
//! fence longer than any backtick run inside it.

use std::fmt::Write as _;

use crate::analysis::Analysis;
use crate::diagnostic::LocatedDiagnostic;
use crate::pr::PrChanges;
use crate::render::diagnostics::{group, more_line};
use crate::render::html::{Report, split_steps};

/// What the markdown shows.
pub struct Markdown<'a> {
    /// The heading (`migplan check: shop`).
    pub title: &'a str,
    pub analysis: &'a Analysis,
    pub diagnostics: &'a [LocatedDiagnostic],
    pub changes: Option<&'a PrChanges>,
    /// (what the plan covers, its SQL), e.g. the new revisions' `upgrade a1:heads`.
    pub plan: Option<(&'a str, &'a str)>,
    /// Findings about deployed revisions that are only counted, and which revisions those
    /// are ("already in main").
    pub hidden: &'a [crate::deployed::Hidden],
    pub whose: &'a str,
    /// Group a code's findings beyond the first few when it has more than ten (when nothing
    /// is deployed, so old findings are listed too).
    pub group: bool,
}

/// A code span for untrusted text, safe in a table cell.
fn code(s: &str) -> String {
    format!("`{}`", s.replace('`', "'").replace(['\n', '\r'], " ").replace('|', "\\|"))
}

/// Untrusted text outside code spans, safe in a table cell.
fn plain(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace(['\n', '\r'], " ")
        .replace('|', "\\|")
}

/// A fence that no backtick run in `body` can close.
fn fence(body: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in body.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    "`".repeat((longest + 1).max(3))
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 { format!("{n} {word}") } else { format!("{n} {word}s") }
}

pub fn render(m: &Markdown) -> String {
    let a = m.analysis;
    let count = |s: &str| m.diagnostics.iter().filter(|d| d.severity.as_str() == s).count();
    let mut out = String::new();
    let _ = writeln!(out, "### {}\n", plain(m.title));
    let heads: Vec<String> = a.map.heads.iter().map(|&i| code(a.map.id(i))).collect();
    let _ = writeln!(
        out,
        "{} · layout {} · head(s) {} — **{}**, {}, {}\n",
        plural(a.map.len(), "revision"),
        code(a.layout.unwrap_or("unknown")),
        if heads.is_empty() { "none".to_string() } else { heads.join(", ") },
        plural(count("error"), "error"),
        plural(count("warning"), "warning"),
        plural(count("info"), "note"),
    );
    if let Some(c) = m.changes {
        let _ = writeln!(out, "#### New in this PR (against {})\n", code(&c.base));
        if c.new_revisions.is_empty() {
            out.push_str("No new revisions.\n\n");
        } else {
            out.push_str("| revision | revises | file | message |\n|---|---|---|---|\n");
            for id in &c.new_revisions {
                let Some(&i) = a.map.by_id.get(id) else { continue };
                let rev = a.revision(i);
                let parents: Vec<String> = a.map.node(i).down_ids.iter().map(|p| code(p)).collect();
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} |",
                    code(id),
                    if parents.is_empty() {
                        "(base)".to_string()
                    } else {
                        parents.join(", ")
                    },
                    code(&rev.path),
                    plain(rev.message())
                );
            }
            out.push('\n');
        }
        for fork in &c.forks {
            let kids: Vec<String> = fork.children.iter().map(|k| code(k)).collect();
            let _ = writeln!(
                out,
                "> **Fork**: {} all revise {}; once merged the history has two heads. Add a merge revision (`migplan merge heads -m \"merge\"`) or re-point `down_revision` to the base's head.\n",
                kids.join(" and "),
                code(&fork.parent)
            );
        }
    }
    if m.diagnostics.is_empty() {
        out.push_str("No findings.\n\n");
    } else {
        out.push_str("#### Findings\n\n| severity | code | where | message |\n|---|---|---|---|\n");
        let codes: Vec<_> = m.diagnostics.iter().map(|d| (d.code, d.severity)).collect();
        let (keep, more) = if m.group {
            group(&codes)
        } else {
            (vec![true; codes.len()], Vec::new())
        };
        for (d, _) in m.diagnostics.iter().zip(&keep).filter(|(_, k)| **k) {
            let at = match (&d.file, d.line) {
                (Some(f), Some(l)) => code(&format!("{f}:{l}")),
                (Some(f), None) => code(f),
                _ => String::new(),
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                d.severity.as_str(),
                code(d.code),
                at,
                plain(&d.message)
            );
        }
        out.push('\n');
        for l in &more {
            let _ = writeln!(out, "{}\n", plain(&more_line(l)));
        }
    }
    if !m.hidden.is_empty() {
        // One line, however many codes: the comment stays one screen.
        let total: usize = m.hidden.iter().map(|h| h.count).sum();
        let per_code: Vec<String> = m.hidden.iter().map(|h| format!("{} {}", h.count, code(h.code.name()))).collect();
        let _ = writeln!(
            out,
            "**Deployed history** ({}): {} not shown: {} (`migplan check --all` lists them).\n",
            plain(m.whose),
            plural(total, "finding"),
            per_code.join(", ")
        );
    }
    if let Some((what, sql)) = m.plan {
        let _ = writeln!(out, "#### SQL plan: {}\n", code(what));
        for (title, body) in split_steps(sql) {
            let f = fence(&body);
            let _ = writeln!(
                out,
                "<details><summary>{}</summary>\n\n{f}sql\n{}\n{f}\n\n</details>\n",
                plain(&title),
                body.trim_end()
            );
        }
    }
    out
}

/// `report.md` of `migplan report`: the same rendering as `check --format markdown`.
pub fn report_md(r: &Report) -> String {
    let title = format!("migplan: {}", r.title);
    render(&Markdown {
        title: &title,
        analysis: r.analysis,
        diagnostics: &r.diagnostics,
        changes: r.changes,
        plan: r.plan.as_ref().map(|(w, s)| (w.as_str(), s.as_str())),
        hidden: &r.hidden,
        whose: &r.whose,
        // As `check`: a PR's findings are each a row.
        group: r.changes.is_none(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn untrusted_text_cannot_break_out() {
        assert_eq!(code("a`b|c\nd"), "`a'b\\|c d`");
        assert_eq!(plain("<img src=x> & |"), "&lt;img src=x&gt; &amp; \\|");
        assert_eq!(fence("SELECT 1; -- ```` here"), "`````");
        assert_eq!(fence("SELECT 1;"), "```");
    }

    #[test]
    fn findings_and_plan_sections() {
        let files = [crate::SourceFile::new(
            "v/a.py",
            "revision = 'a'\ndown_revision = None\ndef upgrade():\n    pass\n",
        )];
        let a = crate::analyze(&files, None);
        let diags = crate::render::diagnostics::locate_all(&a.diagnostics, &files[..]);
        let md = render(&Markdown {
            title: "t <x>",
            analysis: &a,
            diagnostics: &diags,
            changes: None,
            plan: Some(("upgrade heads", "BEGIN;\n\n-- Running upgrade  -> a\n\nSELECT 1;\n\nCOMMIT;\n")),
            hidden: &[],
            whose: "",
            group: true,
        });
        assert!(md.starts_with("### t &lt;x&gt;\n"), "{md}");
        assert!(md.contains("| warning | `missing-downgrade` | `v/a.py:1` |"), "{md}");
        assert!(
            md.contains("<details><summary>upgrade  -&gt; a</summary>\n\n```sql\nSELECT 1;\n\nCOMMIT;\n```\n\n</details>"),
            "{md}"
        );
    }
}
