//! The revision model shared by every migration format: plain data, no behaviour.

use serde::Serialize;

use crate::source::Span;

/// A value read statically from a script: known, or present but not resolvable without
/// running Python.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "state", content = "value", rename_all = "kebab-case")]
pub enum Attr<T> {
    Known(T),
    Unknown,
}

impl<T> Attr<T> {
    pub fn known(&self) -> Option<&T> {
        match self {
            Attr::Known(v) => Some(v),
            Attr::Unknown => None,
        }
    }
}

/// One function of a revision script (`upgrade` / `downgrade`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct FunctionInfo {
    pub present: bool,
    /// Body is only `pass`, `...` and/or a docstring.
    pub empty: bool,
    /// The `def` statement, or the whole file when absent.
    pub span: Span,
}

/// A migration revision as read from its file.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Revision {
    pub id: String,
    /// `down_revision`, in declaration order (empty for a base).
    pub down_revisions: Vec<String>,
    /// `depends_on` as declared: revision ids, partial ids or branch labels.
    pub depends_on: Vec<String>,
    /// `branch_labels` as declared on this revision.
    pub branch_labels: Vec<String>,
    pub path: String,
    /// The module docstring, stripped (Alembic's `longdoc`).
    pub doc: String,
    pub create_date: Option<String>,
    pub upgrade: FunctionInfo,
    pub downgrade: FunctionInfo,
    /// Where each attribute is assigned, for diagnostics.
    pub spans: RevisionSpans,
    /// An attribute could not be read; the revision is kept with what is known.
    pub down_revision_unknown: bool,
    /// What `upgrade()` and `downgrade()` do, statement by statement.
    pub upgrade_steps: Vec<crate::ops::Step>,
    pub downgrade_steps: Vec<crate::ops::Step>,
    /// The migration runs inside a transaction (false: dbmate `transaction:false`, goose
    /// `NO TRANSACTION`, golang-migrate files, which that tool never wraps).
    pub transactional: bool,
    /// Where a plain-SQL migration came from (none for Alembic scripts).
    /// Boxed: Alembic revisions, most of all, have none.
    pub sql: Option<Box<SqlSource>>,
}

/// The plain-SQL origin of a revision: layout, files and what the tools' bookkeeping needs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SqlSource {
    /// The layout that read it (`golang-migrate`, `dbmate`, `flyway`...).
    pub layout: &'static str,
    /// The version as written in the file name (`0001`, `20240105103000`, `1.2`).
    pub version: String,
    /// The title part of the name (`create_users`).
    pub title: String,
    /// The file the up migration is in (the revision's `path`), and the down's.
    pub up_path: Option<String>,
    pub down_path: Option<String>,
    /// Flyway's checksum of the up file (CRC32 of its lines, as a signed int).
    pub crc32: i32,
    /// sqlx's checksum of the up file (SHA-384, hex).
    pub sha384: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RevisionSpans {
    pub revision: Span,
    pub down_revision: Span,
    pub branch_labels: Span,
    pub depends_on: Span,
}

impl Revision {
    /// Alembic's `doc`: the first paragraph of the docstring.
    pub fn message(&self) -> &str {
        self.doc.split("\n\n").next().unwrap_or("")
    }

    pub fn is_merge(&self) -> bool {
        self.down_revisions.len() > 1
    }
}

impl Revision {
    /// A revision with only graph attributes, as Alembic's tests build them
    /// (`Revision("b", ("a",), dependencies=..., branch_labels=...)`).
    pub fn synthetic(id: &str, down_revisions: &[&str], depends_on: &[&str], branch_labels: &[&str]) -> Revision {
        let strings = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        Revision {
            id: id.to_string(),
            down_revisions: strings(down_revisions),
            depends_on: strings(depends_on),
            branch_labels: strings(branch_labels),
            path: format!("{id}.py"),
            doc: String::new(),
            create_date: None,
            upgrade: FunctionInfo {
                present: true,
                ..Default::default()
            },
            downgrade: FunctionInfo {
                present: true,
                ..Default::default()
            },
            spans: RevisionSpans::default(),
            down_revision_unknown: false,
            upgrade_steps: Vec::new(),
            downgrade_steps: Vec::new(),
            transactional: true,
            sql: None,
        }
    }
}
