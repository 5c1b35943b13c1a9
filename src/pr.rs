//! PR mode: what a change adds to a project against its base, and what it must not do.
//!
//! Pure: both sides come in as analyses plus the files they were read from. Three findings:
//! `forked-head` (a new revision and a base revision share a parent), `edited-applied-migration`
//! (a file of a base migration was edited, renamed or deleted) and `out-of-order-version` (a
//! new migration of a version-ordered layout sorts below the base's newest).
//!
//! Non-goals: reading git or folders (the CLI does), and deciding what is applied on a real
//! database: the base stands for "applied everywhere".

use std::collections::BTreeMap;

use serde::Serialize;

use crate::analysis::Analysis;
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::layout::{VersionKey, layout_by_name};
use crate::model::Revision;
use crate::source::SourceFile;

/// One side of the comparison: an analysis, the files it read, and the folders its paths
/// start with (paths are compared relative to these, so `base/versions/a.py` and
/// `pr/versions/a.py` are the same file).
#[derive(Clone, Copy)]
pub struct Side<'a> {
    pub analysis: &'a Analysis,
    pub files: &'a [SourceFile],
    pub roots: &'a [String],
}

/// A parent with children from both sides: after the PR merges, the history has one more head.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Fork {
    pub parent: String,
    /// Every child of `parent` (base's and the PR's), sorted.
    pub children: Vec<String>,
    /// The children the PR adds.
    pub new: Vec<String>,
}

/// What a PR changes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PrChanges {
    /// The base the PR is compared with (`origin/main`, a folder).
    pub base: String,
    /// Revisions of the PR that the base does not have, in the PR's load order.
    pub new_revisions: Vec<String>,
    pub forks: Vec<Fork>,
}

/// The comparison: changes for reports plus the findings.
#[derive(Clone, Debug, Default)]
pub struct PrComparison {
    pub changes: PrChanges,
    pub diagnostics: Vec<Diagnostic>,
}

/// Compare `current` with `base`. `applied` is what the PR started from (git's merge base)
/// when known: edits, renames and deletions are judged against it, so a base that moved on
/// after the PR branched does not look like the PR deleting the base's new revisions.
/// Without it they are judged against `base`.
pub fn compare(current: Side, base: Side, applied: Option<Side>, base_name: &str) -> PrComparison {
    let map = &current.analysis.map;
    let in_base = |id: &str| base.analysis.map.by_id.contains_key(id);
    let new_revisions: Vec<String> = (0..map.len()).map(|i| map.id(i).to_string()).filter(|id| !in_base(id)).collect();
    let mut diagnostics = Vec::new();
    let forks = if explicit_parents(current.analysis.layout) {
        forks(current.analysis, base.analysis, &new_revisions, &mut diagnostics)
    } else {
        out_of_order(current.analysis, base.analysis, &new_revisions, &mut diagnostics);
        Vec::new()
    };
    edited(current, applied.unwrap_or(base), &mut diagnostics);
    crate::diagnostic::sort_diagnostics(&mut diagnostics);
    PrComparison {
        changes: PrChanges {
            base: base_name.to_string(),
            new_revisions,
            forks,
        },
        diagnostics,
    }
}

/// Alembic scripts and DAG folders name their parents; the other layouts chain by version.
fn explicit_parents(layout: Option<&str>) -> bool {
    matches!(layout, Some("alembic") | Some("dag") | None)
}

fn forks(current: &Analysis, base: &Analysis, new: &[String], diags: &mut Vec<Diagnostic>) -> Vec<Fork> {
    let map = &current.map;
    let bmap = &base.map;
    // parent → children, from both sides: the PR's tree may not have the base's new child yet.
    let mut kids: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for id in new {
        let Some(&i) = map.by_id.get(id) else { continue };
        for parent in &map.node(i).down_ids {
            let Some(&bp) = bmap.by_id.get(parent) else { continue };
            let entry = kids.entry(parent.clone()).or_default();
            entry.extend(bmap.node(bp).nextrev.iter().map(|&c| bmap.id(c).to_string()));
            if let Some(&cp) = map.by_id.get(parent) {
                entry.extend(map.node(cp).nextrev.iter().map(|&c| map.id(c).to_string()));
            }
        }
    }
    let base_heads: Vec<&str> = bmap.heads.iter().map(|&h| bmap.id(h)).collect();
    let alembic = current.layout == Some("alembic");
    let mut out = Vec::new();
    for (parent, mut children) in kids {
        children.sort();
        children.dedup();
        let new_kids: Vec<String> = children.iter().filter(|c| new.contains(c)).cloned().collect();
        let base_kids: Vec<&String> = children.iter().filter(|c| bmap.by_id.contains_key(c.as_str())).collect();
        if new_kids.is_empty() || base_kids.is_empty() {
            continue;
        }
        let base_list = base_kids.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(", ");
        for kid in &new_kids {
            let Some(&i) = map.by_id.get(kid) else { continue };
            let rev = current.revision(i);
            let repoint = match base_heads.as_slice() {
                [h] => format!("re-point {kid}'s down_revision to the base's head {h}"),
                _ => format!("re-point {kid}'s down_revision to a head of the base ({})", base_heads.join(", ")),
            };
            let help = if alembic {
                format!("merge the heads: `migplan merge heads -m \"merge\"` (or `alembic merge heads -m \"merge\"`), or {repoint}")
            } else {
                format!(
                    "add a merge migration whose parents are {base_list} and {kid} (`migplan merge heads -m \"merge\"`), or {}",
                    repoint.replace("down_revision", "parents")
                )
            };
            let message = format!(
                "new revision {kid} and the base's revision {base_list} share the parent {parent}: once merged, the history has a second head"
            );
            let d = Diagnostic::new(Code::ForkedHead, message).help(help);
            diags.push(if alembic && rev.spans.down_revision != Default::default() {
                d.at(rev.path.clone(), rev.spans.down_revision)
            } else {
                d.in_file(rev.path.clone())
            });
        }
        out.push(Fork {
            parent,
            children,
            new: new_kids,
        });
    }
    out
}

fn out_of_order(current: &Analysis, base: &Analysis, new: &[String], diags: &mut Vec<Diagnostic>) {
    let key = |r: &Revision| -> Option<VersionKey> {
        let src = r.sql.as_ref()?;
        layout_by_name(src.layout)?.version_key(&src.version)
    };
    let newest = (0..base.map.len())
        .filter_map(|i| {
            let r = base.revision(i);
            Some((key(r)?, r.id.clone()))
        })
        .max();
    let Some((newest_key, newest_id)) = newest else { return };
    let tool = current.layout.unwrap_or("the tool");
    for id in new {
        let Some(&i) = current.map.by_id.get(id) else { continue };
        let rev = current.revision(i);
        let Some(k) = key(rev) else { continue };
        if k < newest_key {
            diags.push(
                Diagnostic::new(
                    Code::OutOfOrderVersion,
                    format!(
                        "new migration {id} sorts below {newest_id}, the newest migration of the base: on databases already at {newest_id}, {tool} skips it, refuses to run or runs it out of order"
                    ),
                )
                .in_file(rev.path.clone())
                .help(format!(
                    "give it a version above {newest_id} (rename the file{}), so it runs after everything already applied",
                    if rev.sql.as_ref().is_some_and(|s| s.down_path.is_some()) {
                        "s"
                    } else {
                        ""
                    }
                )),
            );
        }
    }
}

/// A file's text for comparison: line endings and trailing whitespace do not count.
fn normalized(text: &str) -> String {
    let mut out: String = text.lines().map(|l| l.trim_end()).collect::<Vec<_>>().join("\n");
    out.truncate(out.trim_end().len());
    out
}

/// `path` relative to the first of `roots` it is under.
fn relative<'p>(path: &'p str, roots: &[String]) -> &'p str {
    let path = path.strip_prefix("./").unwrap_or(path);
    for r in roots {
        let r = r.trim_start_matches("./").trim_end_matches('/');
        if r.is_empty() || r == "." {
            return path;
        }
        if let Some(rest) = path.strip_prefix(r).and_then(|p| p.strip_prefix('/')) {
            return rest;
        }
    }
    path
}

/// The files a revision is made of: its script (or up file) and its down file.
fn revision_files(r: &Revision) -> Vec<&str> {
    let mut out = vec![r.path.as_str()];
    if let Some(d) = r.sql.as_ref().and_then(|s| s.down_path.as_deref())
        && d != r.path
    {
        out.push(d);
    }
    out
}

fn edited(current: Side, applied: Side, diags: &mut Vec<Diagnostic>) {
    let text_of = |side: &Side, path: &str| side.files.iter().find(|f| f.path == path).map(|f| normalized(&f.text));
    // Where each normalised text is now, to recognise a file moved under a new name.
    let mut now_by_text: BTreeMap<String, &str> = BTreeMap::new();
    for f in current.files {
        now_by_text.entry(normalized(&f.text)).or_insert(f.path.as_str());
    }
    let now_by_rel: BTreeMap<&str, &str> = current
        .files
        .iter()
        .map(|f| (relative(&f.path, current.roots), f.path.as_str()))
        .collect();
    let cmap = &current.analysis.map;
    let amap = &applied.analysis.map;
    let help = "applied migrations have already run on databases: revert this change and write a new migration for what it should do";
    for i in 0..amap.len() {
        let old = applied.analysis.revision(i);
        let id = amap.id(i);
        let now = cmap.by_id.get(id).map(|&c| current.analysis.revision(c));
        for old_path in revision_files(old) {
            let Some(old_text) = text_of(&applied, old_path) else { continue };
            let what = format!("{old_path}, a file of the applied migration {id}, was");
            let (message, at) = match now_by_rel.get(relative(old_path, applied.roots)) {
                Some(&p) if text_of(&current, p).is_some_and(|t| t == old_text) => continue,
                Some(&p) => (format!("{what} edited"), Some(p.to_string())),
                None => {
                    // The same revision under another name, else the same text elsewhere.
                    let moved = now
                        .and_then(|n| {
                            if old_path == old.path {
                                Some(n.path.clone())
                            } else {
                                n.sql.as_ref().and_then(|s| s.down_path.clone())
                            }
                        })
                        .or_else(|| now_by_text.get(&old_text).map(|p| p.to_string()));
                    match moved {
                        Some(p) => (format!("{what} renamed to {p}"), Some(p)),
                        None => (format!("{what} deleted"), None),
                    }
                }
            };
            let d = Diagnostic::new(Code::EditedAppliedMigration, message).help(help);
            // A deleted file has no place in the PR: the finding is about the project.
            diags.push(match at {
                Some(p) => d.in_file(p),
                None => d,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{ProjectOptions, analyze_project};

    fn script(id: &str, down: Option<&str>) -> String {
        let down = down.map_or("None".to_string(), |d| format!("'{d}'"));
        format!("revision = '{id}'\ndown_revision = {down}\n\ndef upgrade():\n    pass\n\ndef downgrade():\n    pass\n")
    }

    fn project(files: &[(&str, String)]) -> (Vec<SourceFile>, Analysis) {
        let files: Vec<SourceFile> = files.iter().map(|(p, t)| SourceFile::new(*p, t.clone())).collect();
        let opts = ProjectOptions {
            layout: None,
            dialect: &crate::dialect::postgresql::PostgreSQL,
            roots: None,
            enable: Vec::new(),
        };
        let a = analyze_project(&files, &opts);
        (files, a)
    }

    fn run(base: &[(&str, String)], pr: &[(&str, String)]) -> PrComparison {
        let (bf, ba) = project(base);
        let (cf, ca) = project(pr);
        let roots = vec!["v".to_string()];
        compare(
            Side {
                analysis: &ca,
                files: &cf,
                roots: &roots,
            },
            Side {
                analysis: &ba,
                files: &bf,
                roots: &roots,
            },
            None,
            "main",
        )
    }

    fn codes(c: &PrComparison) -> Vec<(&'static str, String)> {
        c.diagnostics.iter().map(|d| (d.code.name(), d.message.clone())).collect()
    }

    #[test]
    fn a_new_revision_on_a_parent_the_base_moved_past_is_a_fork() {
        let a = ("v/a.py", script("a", None));
        let b = ("v/b.py", script("b", Some("a")));
        let c = ("v/c.py", script("c", Some("b")));
        let d = ("v/d.py", script("d", Some("b")));
        let cmp = run(&[a.clone(), b.clone(), c], &[a, b, d]);
        assert_eq!(cmp.changes.new_revisions, ["d"]);
        assert_eq!(
            cmp.changes.forks,
            [Fork {
                parent: "b".into(),
                children: vec!["c".into(), "d".into()],
                new: vec!["d".into()],
            }]
        );
        let d = &cmp.diagnostics[0];
        assert_eq!(d.code, Code::ForkedHead);
        assert!(d.message.contains("new revision d and the base's revision c share the parent b"));
        assert!(d.help.as_deref().unwrap().contains("merge heads"));
        assert!(d.span.is_some(), "located at down_revision");
    }

    #[test]
    fn line_endings_and_trailing_spaces_are_not_edits() {
        let a = ("v/a.py", script("a", None));
        let crlf = ("v/a.py", script("a", None).replace('\n', "  \r\n") + "\n\n");
        assert!(run(std::slice::from_ref(&a), &[crlf]).diagnostics.is_empty());
        let edited = ("v/a.py", script("a", None).replace("pass", "op.drop_table('x')"));
        assert_eq!(
            codes(&run(std::slice::from_ref(&a), &[edited])),
            [(
                "edited-applied-migration",
                "v/a.py, a file of the applied migration a, was edited".into()
            )]
        );
    }

    #[test]
    fn renames_and_deletions_of_applied_migrations() {
        let a = ("v/a.py", script("a", None));
        let b = ("v/b.py", script("b", Some("a")));
        let moved = ("v/a_create.py", script("a", None));
        let got = codes(&run(&[a.clone(), b.clone()], &[moved, b.clone()]));
        assert_eq!(
            got,
            [(
                "edited-applied-migration",
                "v/a.py, a file of the applied migration a, was renamed to v/a_create.py".into()
            )]
        );
        let got = codes(&run(&[a.clone(), b], std::slice::from_ref(&a)));
        assert_eq!(
            got,
            [(
                "edited-applied-migration",
                "v/b.py, a file of the applied migration b, was deleted".into()
            )]
        );
    }

    #[test]
    fn a_new_version_below_the_base_newest_is_out_of_order() {
        let f = |v: &str| (format!("v/{v}_x.up.sql"), "SELECT 1;\n".to_string());
        let (b1, b5, p3) = (f("1"), f("5"), f("3"));
        let base = [(b1.0.as_str(), b1.1.clone()), (b5.0.as_str(), b5.1.clone())];
        let pr = [
            (b1.0.as_str(), b1.1.clone()),
            (p3.0.as_str(), "SELECT 3;\n".to_string()),
            (b5.0.as_str(), b5.1.clone()),
        ];
        let cmp = run(&base, &pr);
        assert_eq!(cmp.changes.new_revisions, ["3"]);
        assert!(cmp.changes.forks.is_empty(), "linear layouts have no forks");
        let got = codes(&cmp);
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].0, "out-of-order-version");
        assert!(got[0].1.starts_with("new migration 3 sorts below 5"), "{}", got[0].1);
    }
}
