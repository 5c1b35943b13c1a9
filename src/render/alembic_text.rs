//! Alembic's text formats for `heads`, `branches`, `history` and `show`
//! (`Script._head_only`, `Script.log_entry`, `command.branches`), byte for byte, except that
//! label sets and branch children are printed in a stable order where Alembic prints a
//! Python set.

use crate::graph::{RevIdx, RevisionMap};
use crate::model::Revision;
use crate::parse::revision_script::python_splitlines;

/// Which decorations `_head_only` adds.
#[derive(Clone, Copy, Debug, Default)]
pub struct HeadOnly {
    pub include_branches: bool,
    pub include_doc: bool,
    pub include_parents: bool,
    pub tree_indicators: bool,
    pub current: bool,
}

/// A revision map together with the revisions its nodes came from.
#[derive(Clone, Copy)]
pub struct View<'a> {
    pub map: &'a RevisionMap,
    pub revisions: &'a [Revision],
}

impl<'a> View<'a> {
    fn rev(&self, idx: RevIdx) -> &'a Revision {
        &self.revisions[self.map.node(idx).rev]
    }

    fn format_down_revision(&self, idx: RevIdx) -> String {
        let n = self.map.node(idx);
        if n.down_ids.is_empty() {
            "<base>".to_string()
        } else {
            n.down_ids.join(", ")
        }
    }

    fn labels(&self, idx: RevIdx) -> String {
        self.map.node(idx).links.labels.iter().cloned().collect::<Vec<_>>().join(", ")
    }

    /// `Script._head_only`.
    pub fn head_only(&self, idx: RevIdx, o: HeadOnly) -> String {
        let n = self.map.node(idx);
        let mut text = n.id.clone();
        if o.include_parents {
            text = if n.links.dep_names.is_empty() {
                format!("{} -> {}", self.format_down_revision(idx), text)
            } else {
                format!("{} ({}) -> {}", self.format_down_revision(idx), n.links.dep_names.join(", "), text)
            };
        }
        if o.include_branches && !n.links.labels.is_empty() {
            text.push_str(&format!(" ({})", self.labels(idx)));
        }
        if n.is_real_head() {
            text.push_str(" (head)");
        }
        if n.is_head() && !n.is_real_head() {
            text.push_str(" (effective head)");
        }
        if o.current {
            text.push_str(" (current)");
        }
        if o.tree_indicators {
            if n.is_branch_point() {
                text.push_str(" (branchpoint)");
            }
            if n.is_merge_point() {
                text.push_str(" (mergepoint)");
            }
        }
        if o.include_doc {
            text.push_str(", ");
            text.push_str(self.rev(idx).message());
        }
        text
    }

    /// `Script.log_entry` (ends with a newline; the caller's print adds another).
    pub fn log_entry(&self, idx: RevIdx, current: bool) -> String {
        let n = self.map.node(idx);
        let mut e = format!(
            "Rev: {}{}{}{}{}\n",
            n.id,
            if n.is_head() { " (head)" } else { "" },
            if n.is_branch_point() { " (branchpoint)" } else { "" },
            if n.is_merge_point() { " (mergepoint)" } else { "" },
            if current { " (current)" } else { "" },
        );
        if n.is_merge_point() {
            e.push_str(&format!("Merges: {}\n", self.format_down_revision(idx)));
        } else {
            e.push_str(&format!("Parent: {}\n", self.format_down_revision(idx)));
        }
        if !n.links.dep_names.is_empty() {
            e.push_str(&format!("Also depends on: {}\n", n.links.dep_names.join(", ")));
        }
        if n.is_branch_point() {
            let kids: Vec<&str> = n.nextrev.iter().map(|&c| self.map.id(c)).collect();
            e.push_str(&format!("Branches into: {}\n", kids.join(", ")));
        }
        if !n.links.labels.is_empty() {
            e.push_str(&format!("Branch names: {}\n", self.labels(idx)));
        }
        e.push_str(&format!("Path: {}\n", self.rev(idx).path));
        let doc: Vec<String> = python_splitlines(&self.rev(idx).doc).iter().map(|l| format!("    {l}")).collect();
        e.push_str(&format!("\n{}\n", doc.join("\n")));
        e
    }

    /// `alembic heads`: one line (or entry) per head.
    pub fn heads(&self, heads: &[RevIdx], verbose: bool) -> String {
        let mut out = String::new();
        for &h in heads {
            if verbose {
                out.push_str(&self.log_entry(h, false));
            } else {
                out.push_str(&self.head_only(
                    h,
                    HeadOnly {
                        include_branches: true,
                        ..Default::default()
                    },
                ));
            }
            out.push('\n');
        }
        out
    }

    /// `alembic history` over revisions already in `walk_revisions` order.
    pub fn history(&self, revs: &[RevIdx], verbose: bool, current: &[RevIdx]) -> String {
        let mut out = String::new();
        for &r in revs {
            let is_current = current.contains(&r);
            if verbose {
                out.push_str(&self.log_entry(r, is_current));
            } else {
                out.push_str(&self.head_only(
                    r,
                    HeadOnly {
                        include_branches: true,
                        include_doc: true,
                        include_parents: true,
                        tree_indicators: true,
                        current: is_current,
                    },
                ));
            }
            out.push('\n');
        }
        out
    }

    /// `alembic branches`: each branch point with its children.
    pub fn branches(&self, walk_order: &[RevIdx], verbose: bool) -> String {
        let mut out = String::new();
        for &r in walk_order {
            let n = self.map.node(r);
            if !n.is_branch_point() {
                continue;
            }
            let head = if verbose {
                self.log_entry(r, false)
            } else {
                self.head_only(
                    r,
                    HeadOnly {
                        include_branches: true,
                        tree_indicators: true,
                        ..Default::default()
                    },
                )
            };
            let pad = " ".repeat(n.id.chars().count());
            let kids: Vec<String> = n
                .nextrev
                .iter()
                .map(|&c| {
                    format!(
                        "{} -> {}",
                        pad,
                        self.head_only(
                            c,
                            HeadOnly {
                                include_branches: true,
                                include_doc: verbose,
                                tree_indicators: true,
                                ..Default::default()
                            }
                        )
                    )
                })
                .collect();
            out.push_str(&format!("{}\n{}\n\n", head, kids.join("\n")));
        }
        out
    }

    /// `alembic show REV...`.
    pub fn show(&self, revs: &[RevIdx]) -> String {
        revs.iter().map(|&r| format!("{}\n", self.log_entry(r, false))).collect()
    }
}
