//! The whole static analysis of one project: read every script, build the DAG, collect
//! diagnostics. Never fails: bad input becomes diagnostics.

use serde::Serialize;

use crate::codes::Code;
use crate::diagnostic::{Diagnostic, sort_diagnostics};
use crate::graph::{RevIdx, RevisionMap};
use crate::layout::{LoadOptions, Repeatable};
use crate::model::Revision;
use crate::parse::env_py::{EnvSettings, read_env_py};
use crate::parse::revision_script::{ScriptRead, read_script};
use crate::source::{DecodeError, SourceFile, Span};

#[derive(Clone, Debug)]
pub struct Analysis {
    /// Every revision read, in load order (duplicates included).
    pub revisions: Vec<Revision>,
    pub map: RevisionMap,
    pub diagnostics: Vec<Diagnostic>,
    pub env: EnvSettings,
    /// `alembic`, or the plain-SQL layout the folder was read as (none when unknown).
    pub layout: Option<&'static str>,
    /// Flyway repeatable migrations, apart from the versioned history.
    pub repeatables: Vec<Repeatable>,
}

/// Analyse revision scripts given in Alembic's load order, plus `env.py` if known.
pub fn analyze(scripts: &[SourceFile], env_py: Option<&SourceFile>) -> Analysis {
    let reads: Vec<ScriptRead> = scripts.iter().map(read_script).collect();
    analyze_reads(reads, env_py)
}

/// Like [`analyze`] for scripts already read (the CLI reads them in parallel).
pub fn analyze_reads(reads: Vec<ScriptRead>, env_py: Option<&SourceFile>) -> Analysis {
    let mut diagnostics = Vec::new();
    // Sized once: grown by doubling, the spare capacity would be kept with the analysis.
    let mut revisions = Vec::with_capacity(reads.len());
    for r in reads {
        diagnostics.extend(r.diagnostics);
        if let Some(rev) = r.revision {
            revisions.push(rev);
        }
    }
    let env = match env_py {
        Some(f) => {
            let (settings, d) = read_env_py(f);
            diagnostics.extend(d);
            settings
        }
        None => EnvSettings::default(),
    };
    from_revisions(revisions, diagnostics, env, Some("alembic"), Vec::new())
}

/// Analyse a plain-SQL migrations folder: `files` are every file under `roots` (several
/// roots for Flyway's locations); the layout is detected unless `opts` names one.
pub fn analyze_sql_folder(files: &[SourceFile], roots: &[String], opts: &LoadOptions) -> Analysis {
    let loaded = crate::layout::load(files, roots, opts);
    from_revisions(
        loaded.revisions,
        loaded.diagnostics,
        EnvSettings::default(),
        loaded.layout,
        loaded.repeatables,
    )
}

/// How to read a set of files whose origin is not known (the wasm API, tests).
pub struct ProjectOptions<'d> {
    /// `alembic`, a plain-SQL layout name, or `None`: Alembic when any `.py` revision script
    /// is present, else the detected SQL layout.
    pub layout: Option<String>,
    pub dialect: &'d dyn crate::dialect::Dialect,
    /// Folders the SQL paths are relative to (default: the files' common folder).
    pub roots: Option<Vec<String>>,
    pub enable: Vec<Code>,
}

/// Analyse files as a project: Alembic scripts (sorted by path, as Alembic sorts a versions
/// folder; an `env.py` among them is read for its options) or a plain-SQL folder.
pub fn analyze_project(files: &[SourceFile], o: &ProjectOptions) -> Analysis {
    let name = |p: &str| p.rsplit(['/', '\\']).next().unwrap_or(p).to_string();
    let is_script = |p: &str| crate::parse::revision_script::is_candidate_script(&name(p)) && name(p) != "env.py";
    let alembic = match o.layout.as_deref() {
        Some("alembic") => true,
        Some(_) => false,
        None => files.iter().any(|f| is_script(&f.path)),
    };
    if alembic {
        let mut scripts: Vec<&SourceFile> = files.iter().filter(|f| is_script(&f.path)).collect();
        scripts.sort_by(|a, b| a.path.cmp(&b.path));
        let env = files.iter().find(|f| name(&f.path) == "env.py");
        return analyze_reads(scripts.into_iter().map(read_script).collect(), env);
    }
    let dirs: Vec<&str> = files.iter().map(|f| f.path.rsplit_once('/').map_or("", |(d, _)| d)).collect();
    let roots = o.roots.clone().unwrap_or_else(|| vec![crate::project::common_folder(&dirs)]);
    let opts = LoadOptions {
        layout: o.layout.as_deref().and_then(crate::layout::layout_by_name),
        dialect: o.dialect,
        enable: o.enable.clone(),
    };
    analyze_sql_folder(files, &roots, &opts)
}

/// The graph and the history-wide checks, shared by every format.
fn from_revisions(
    revisions: Vec<Revision>,
    mut diagnostics: Vec<Diagnostic>,
    env: EnvSettings,
    layout: Option<&'static str>,
    repeatables: Vec<Repeatable>,
) -> Analysis {
    let (map, graph_diags) = RevisionMap::build(&revisions);
    diagnostics.extend(graph_diags);
    if map.heads.len() > 1 {
        let ids: Vec<&str> = map.heads.iter().map(|&h| map.id(h)).collect();
        let help = if layout == Some("alembic") {
            "`upgrade head` fails until they are merged: run `alembic merge heads -m \"merge\"` (or upgrade to `heads` / `<label>@head` on purpose)"
        } else {
            "`upgrade head` fails until they are merged: add a migration whose parents are all the heads"
        };
        diagnostics.push(
            Diagnostic::new(
                Code::MultipleHeads,
                format!("the history has {} heads: {}", ids.len(), ids.join(", ")),
            )
            .help(help),
        );
    }
    sort_diagnostics(&mut diagnostics);
    Analysis {
        revisions,
        map,
        diagnostics,
        env,
        layout,
        repeatables,
    }
}

/// The diagnostic for a file whose bytes cannot be decoded as text.
pub fn decode_diagnostic(path: &str, err: &DecodeError) -> Diagnostic {
    match err {
        DecodeError::Binary { offset } => {
            Diagnostic::new(Code::BinaryFile, format!("{path} is a binary file (NUL byte at offset {offset})"))
                .at(path, Span::empty(0))
                .help("only Python revision scripts belong in a versions folder; Alembic fails to import this file")
        }
        DecodeError::InvalidUtf8 { offset } => Diagnostic::new(
            Code::InvalidEncoding,
            format!("{path} is not valid UTF-8 (first bad byte at offset {offset})"),
        )
        .at(path, Span::empty(0))
        .help("save the file as UTF-8, or declare its encoding with a `# -*- coding: latin-1 -*-` line"),
    }
}

impl Analysis {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// The revision a node was read from.
    pub fn revision(&self, idx: RevIdx) -> &Revision {
        &self.revisions[self.map.node(idx).rev]
    }

    /// One node as data (for `--format json` and the wasm API).
    pub fn revision_json(&self, idx: RevIdx) -> RevisionJson {
        let n = self.map.node(idx);
        let rev = self.revision(idx);
        RevisionJson {
            revision: n.id.clone(),
            down_revisions: n.down_ids.clone(),
            depends_on: n.links.dep_names.clone(),
            branch_labels: n.links.labels.iter().cloned().collect(),
            children: n.nextrev.iter().map(|&c| self.map.id(c).to_string()).collect(),
            path: rev.path.clone(),
            message: rev.message().to_string(),
            create_date: rev.create_date.clone(),
            is_head: n.is_head(),
            is_real_head: n.is_real_head(),
            is_base: n.is_base(),
            is_branch_point: n.is_branch_point(),
            is_merge_point: n.is_merge_point(),
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct RevisionJson {
    pub revision: String,
    pub down_revisions: Vec<String>,
    pub depends_on: Vec<String>,
    pub branch_labels: Vec<String>,
    pub children: Vec<String>,
    pub path: String,
    pub message: String,
    pub create_date: Option<String>,
    pub is_head: bool,
    pub is_real_head: bool,
    pub is_base: bool,
    pub is_branch_point: bool,
    pub is_merge_point: bool,
}

impl Analysis {
    /// An analysis of nothing (for reporting when no project could be loaded).
    pub fn empty() -> Self {
        analyze_reads(Vec::new(), None)
    }
}
