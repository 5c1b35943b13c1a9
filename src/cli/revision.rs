//! `migplan revision -m MSG`: writes a new, empty revision on the head, as
//! `alembic revision -m MSG` does (without autogenerate), or for a plain-SQL folder the
//! files the folder's own tool would create. What the revision is based on and what the
//! SQL files hold are planned by the pure [`crate::new_revision`]; this module picks the
//! id, reads the clock, checks the result reads back as the new head, and writes.

use std::path::{Path, PathBuf};

use super::discover::normalize_lexically;
use super::new_script::{Place, ScriptOptions, now, random_rev_id, versions_dir, warn_unrun_hooks, write};
use crate::alembic_script::{ScriptSpec, verify_rev_id};
use crate::analysis::{Analysis, analyze_sql_folder};
use crate::dialect::Dialect;
use crate::layout::{Layout, LoadOptions};
use crate::new_revision::{NewFile, Request, check_new, depends_on, next_dag_id, parents, sql_revision};
use crate::source::SourceFile;

pub struct RevisionArgs<'a> {
    pub message: Option<&'a str>,
    pub head: &'a str,
    pub splice: bool,
    pub branch_label: Option<&'a str>,
    pub depends_on: &'a [String],
    pub rev_id: Option<&'a str>,
    pub version_path: Option<&'a str>,
    /// `--autogenerate`: the models and how to compare them.
    pub autogenerate: Option<Autogenerate<'a>>,
}

/// What `--autogenerate` compares with: the project (for its models), the dialect the
/// schema is simulated in, and `-x` arguments.
pub struct Autogenerate<'a> {
    pub discovery: &'a super::discover::Discovery,
    pub dialect: &'static dyn Dialect,
    pub x_args: Vec<(String, String)>,
    /// `--db URL`: the live database is the models' side.
    pub live: Option<super::database::DbArgs<'a>>,
}

/// A plain-SQL folder as it was read, to read it again with the new files.
pub struct SqlFolder<'a> {
    pub files: &'a [SourceFile],
    pub roots: &'a [String],
    /// `--layout`, when given (else detected again).
    pub layout: Option<&'static dyn Layout>,
    pub dialect: &'static dyn Dialect,
}

pub struct Project<'a> {
    pub place: Place<'a>,
    /// Set for plain-SQL folders.
    pub sql: Option<SqlFolder<'a>>,
}

/// Write the revision; returns Alembic's status lines (`Generating /abs/path ...  done`).
pub fn revision(a: &Analysis, project: &Project, args: &RevisionArgs) -> Result<Vec<String>, String> {
    if let Some(c) = &a.map.cycle {
        return Err(c.message.clone());
    }
    match &project.sql {
        Some(sql) => sql_revision_files(a, sql, args),
        None => alembic_revision(a, &project.place, args),
    }
}

/// Alembic prints absolute paths (`Path.absolute()`, not resolved).
fn status(what: &str, p: &Path) -> String {
    let abs = std::env::current_dir().map(|c| c.join(p)).unwrap_or_else(|_| p.to_path_buf());
    format!("{what} {} ...  done", normalize_lexically(&abs).display())
}

/// The order of Alembic's `generate_revision`: the id's characters, the head, the folder,
/// the dependencies; then migplan's checks that the id and label are new.
fn alembic_revision(a: &Analysis, place: &Place, args: &RevisionArgs) -> Result<Vec<String>, String> {
    let rev_id = args.rev_id.map_or_else(random_rev_id, str::to_string);
    verify_rev_id(&rev_id)?;
    let parents = parents(&a.map, args.head, args.splice)?;
    let dir = match args.version_path {
        Some(p) => chosen_versions_dir(place, p)?,
        None => versions_dir(a, place, &parents)?,
    };
    let depends_on = depends_on(&a.map, args.depends_on)?;
    check_new(&a.map, &rev_id, args.branch_label)?;
    let opts = ScriptOptions::read(place.settings)?;
    let bodies = match &args.autogenerate {
        Some(ag) => match autogenerate(a, &parents, ag)? {
            Some(b) => Some(b),
            None => return Ok(vec!["No changes in schema detected; no revision written.".to_string()]),
        },
        None => None,
    };
    warn_unrun_hooks(place.settings);
    let date = now();
    let create_date = opts.create_date(&date);
    let spec = ScriptSpec {
        bodies: bodies.as_ref().map(|(u, d, i)| (u.as_str(), d.as_str(), i.as_str())),
        rev_id: &rev_id,
        parents: &parents,
        message: args.message,
        branch_label: args.branch_label,
        depends_on: &depends_on,
        create_date: &create_date,
    };
    let written = write(place, &opts, &spec, &date, &dir, "alembic revision")?;
    let mut lines: Vec<String> = written.created_dir.iter().map(|d| status("Creating directory", d)).collect();
    lines.push(status("Generating", &written.path));
    Ok(lines)
}

/// The `upgrade()` / `downgrade()` bodies autogenerate would write on `parents`, or `None`
/// when the models match the migrations.
fn autogenerate(a: &Analysis, parents: &[String], ag: &Autogenerate) -> Result<Option<(String, String, String)>, String> {
    if let Some(db) = &ag.live {
        let (cmp, dialect) = super::database::live_autogenerate(db, parents)?;
        for (t, why) in &cmp.skipped {
            eprintln!("warning: table {t} left out: {why}");
        }
        if cmp.changes.is_empty() {
            return Ok(None);
        }
        let ops: Vec<_> = cmp.changes.into_iter().map(|c| c.op).collect();
        let batch = a.env.render_as_batch.unwrap_or(false);
        return Ok(Some(crate::autogen::render::bodies(&ops, dialect, batch)));
    }
    let models = super::models::read_models(ag.discovery)?;
    if let Some(why) = &models.target_problem {
        return Err(format!("cannot autogenerate: {why}"));
    }
    let cmp = super::models::compare_at(a, &models, parents, ag.dialect, &ag.x_args);
    super::models::warn_left_out(a, &models, &cmp);
    if cmp.changes.is_empty() {
        return Ok(None);
    }
    let ops: Vec<_> = cmp.changes.into_iter().map(|c| c.op).collect();
    let batch = a.env.render_as_batch.unwrap_or(false);
    Ok(Some(crate::autogen::render::bodies(&ops, ag.dialect, batch)))
}

/// `--version-path`: one of the project's versions folders.
fn chosen_versions_dir(place: &Place, p: &str) -> Result<PathBuf, String> {
    let cwd = std::env::current_dir().unwrap_or_default();
    let wanted = normalize_lexically(&cwd.join(p));
    place
        .versions_dirs
        .iter()
        .find(|d| normalize_lexically(&cwd.join(d)) == wanted)
        .cloned()
        .ok_or_else(|| format!("Path {p} is not represented in current version locations"))
}

fn sql_revision_files(a: &Analysis, sql: &SqlFolder, args: &RevisionArgs) -> Result<Vec<String>, String> {
    if args.version_path.is_some() {
        return Err("--version-path is for Alembic projects; a plain-SQL migration goes where the folder's tool puts it".to_string());
    }
    // DAG ids are chosen here (random when the folder's ids are not numbers).
    let dag_id = (a.layout == Some("dag") && args.rev_id.is_none()).then(|| next_dag_id(&a.map).unwrap_or_else(random_rev_id));
    let req = Request {
        message: args.message,
        head: args.head,
        splice: args.splice,
        branch_label: args.branch_label,
        depends_on: args.depends_on,
        rev_id: args.rev_id.or(dag_id.as_deref()),
    };
    let planned = sql_revision(a, sql.files, sql.roots, &req, &now())?;
    read_back(a, sql, &planned.files, &planned.id)?;
    let mut lines = Vec::new();
    for f in &planned.files {
        let path = Path::new(&f.dir).join(&f.name);
        if !f.replaces && path.exists() {
            return Err(format!("{} already exists", path.display()));
        }
    }
    for f in &planned.files {
        let path = Path::new(&f.dir).join(&f.name);
        super::new_script::ensure_parent(&path)?;
        std::fs::write(&path, &f.text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        lines.push(status("Generating", &path));
    }
    Ok(lines)
}

/// Read the folder again with the new files, before writing them: the layout must stay the
/// same and the new migration must be its only head (or, in a DAG folder, one of them).
fn read_back(a: &Analysis, sql: &SqlFolder, new: &[NewFile], id: &str) -> Result<(), String> {
    let mut files: Vec<SourceFile> = sql
        .files
        .iter()
        .filter(|f| {
            !new.iter()
                .any(|n| n.replaces && Path::new(&n.dir).join(&n.name) == Path::new(&f.path))
        })
        .cloned()
        .collect();
    files.extend(
        new.iter()
            .map(|n| SourceFile::new(Path::new(&n.dir).join(&n.name).to_string_lossy(), n.text.as_str())),
    );
    let opts = LoadOptions {
        layout: sql.layout,
        dialect: sql.dialect,
        enable: Vec::new(),
    };
    let after = analyze_sql_folder(&files, sql.roots, &opts);
    let heads: Vec<&str> = after.map.heads.iter().map(|&h| after.map.id(h)).collect();
    let ok = after.layout == a.layout && heads.contains(&id) && (a.layout == Some("dag") || heads == [id]);
    if ok {
        Ok(())
    } else {
        Err(format!(
            "migplan would not read the new migration {id} as the head of this {} folder (it would read: layout {}, heads {}); nothing was written",
            a.layout.unwrap_or("unknown"),
            after.layout.unwrap_or("unknown"),
            heads.join(", ")
        ))
    }
}
