//! Reading a PR's base (`--base REF` with git, or `--base-dir DIR`) and comparing the
//! project with it through the pure [`crate::pr`] core. `check` and `report` both use this,
//! so they always agree.

use std::path::Path;

use crate::analysis::{Analysis, ProjectOptions, analyze_project};
use crate::dialect::Dialect;
use crate::pr::{PrComparison, Side, compare};
use crate::source::SourceFile;

/// What the base is.
pub enum Base<'a> {
    GitRef(&'a str),
    Dir(&'a str),
}

// Under wasm32-wasip1 git runs on the host (node), see wasi.rs.
#[cfg(target_os = "wasi")]
use super::wasi::git;

#[cfg(not(target_os = "wasi"))]
fn git(args: &[&str]) -> Result<Vec<u8>, String> {
    let out = std::process::Command::new("git")
        .args(args)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "git {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(out.stdout)
}

/// The folders the project's paths start with: the SQL roots, else the folders of the
/// listed scripts (deepest first, so `alembic/versions` wins over `alembic` for env.py's).
fn project_roots(roots: &[String], listed: &[String]) -> Vec<String> {
    if !roots.is_empty() {
        return roots.to_vec();
    }
    let mut dirs: Vec<String> = Vec::new();
    for p in listed {
        let d = Path::new(p).parent().map(|d| d.to_string_lossy().into_owned()).unwrap_or_default();
        if !dirs.contains(&d) {
            dirs.push(d);
        }
    }
    dirs.sort_by_key(|d| std::cmp::Reverse(d.len()));
    dirs
}

/// A file as it is in git at `rev` (`None` when it is not there).
pub fn git_show(rev: &str, path: &str) -> Option<Vec<u8>> {
    git(&["show", &format!("{rev}:./{path}")]).ok()
}

/// The project's files as they are in git at `rev`: the same folders.
fn files_at(rev: &str, roots: &[String], listed: &[String]) -> Result<Vec<SourceFile>, String> {
    let mut dirs: Vec<String> = roots.to_vec();
    // Alembic projects: the folders the listed scripts are in (and env.py's).
    for d in project_roots(&[], listed) {
        if !dirs.contains(&d) {
            dirs.push(d);
        }
    }
    let mut files = Vec::new();
    for d in dirs {
        let spec = if d.is_empty() { ".".to_string() } else { d.clone() };
        let names = git(&["ls-tree", "-r", "--name-only", rev, "--", &spec])?;
        for name in String::from_utf8_lossy(&names).lines() {
            if files.iter().any(|f: &SourceFile| f.path == name) {
                continue;
            }
            let bytes = git(&["show", &format!("{rev}:./{name}")])?;
            if let Ok(f) = SourceFile::from_bytes(name.to_string(), &bytes) {
                files.push(f);
            }
        }
    }
    Ok(files)
}

/// The base's version of the project: the same folders, read at REF (or from DIR).
pub fn base_files(base: &Base, roots: &[String], listed: &[String]) -> Result<Vec<SourceFile>, String> {
    match base {
        Base::GitRef(r) => files_at(r, roots, listed),
        Base::Dir(d) => {
            if !Path::new(d).is_dir() {
                return Err(format!("--base-dir {d}: not a folder"));
            }
            let (files, _, _) = super::sql_folder::read_folders(&[std::path::PathBuf::from(d)]);
            let mut out = files;
            // Alembic scripts too.
            if let Ok(rd) = std::fs::read_dir(d) {
                let mut paths: Vec<_> = rd.flatten().map(|e| e.path()).collect();
                paths.sort();
                for p in paths {
                    if p.extension().is_some_and(|x| x == "py")
                        && let Some(f) = super::discover::read_source(&p)
                    {
                        out.push(f);
                    }
                }
            }
            Ok(out)
        }
    }
}

/// The base, read and analysed, and the comparison with it.
pub struct AgainstBase {
    pub base: Analysis,
    pub comparison: PrComparison,
}

/// Compare the project (`a`, read from `files`) with `base`. With a git ref the PR's edits
/// are judged against the commit it branched from (`git merge-base REF HEAD`), when git
/// knows it (a shallow clone may not: then against REF itself).
pub fn against_base(
    a: &Analysis,
    files: &[SourceFile],
    roots: &[String],
    listed: &[String],
    base: &Base,
    label: &str,
    dialect: &dyn Dialect,
) -> Result<AgainstBase, String> {
    let current_roots = project_roots(roots, listed);
    let base_roots = match base {
        Base::GitRef(_) => current_roots.clone(),
        Base::Dir(d) => vec![d.trim_end_matches('/').to_string()],
    };
    let analyse = |files: &[SourceFile], roots: &[String]| {
        let opts = ProjectOptions {
            layout: a.layout.map(str::to_string),
            dialect,
            roots: if a.layout == Some("alembic") { None } else { Some(roots.to_vec()) },
            enable: Vec::new(),
        };
        analyze_project(files, &opts)
    };
    let bfiles = base_files(base, roots, listed)?;
    let banalysis = analyse(&bfiles, &base_roots);
    let fork_point = match base {
        Base::GitRef(r) => {
            let tip = git(&["rev-parse", &format!("{r}^{{commit}}")])?;
            match git(&["merge-base", r, "HEAD"]) {
                Ok(mb) if mb != tip => {
                    let mb = String::from_utf8_lossy(&mb).trim().to_string();
                    let f = files_at(&mb, roots, listed)?;
                    let an = analyse(&f, &base_roots);
                    Some((f, an))
                }
                _ => None,
            }
        }
        Base::Dir(_) => None,
    };
    let comparison = compare(
        Side {
            analysis: a,
            files,
            roots: &current_roots,
        },
        Side {
            analysis: &banalysis,
            files: &bfiles,
            roots: &base_roots,
        },
        fork_point.as_ref().map(|(f, an)| Side {
            analysis: an,
            files: f,
            roots: &base_roots,
        }),
        label,
    );
    Ok(AgainstBase {
        base: banalysis,
        comparison,
    })
}
