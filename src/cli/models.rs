//! The files the pure [`crate::models`] reader needs: the project's `.py` files (under the
//! folder of alembic.ini), its `sys.path` roots (`prepend_sys_path`), env.py; and the
//! comparison with the simulated schema that `revision --autogenerate` and
//! `check --models` share.

use std::path::{Path, PathBuf};

use super::discover::{Discovery, normalize_lexically};
use crate::analysis::Analysis;
use crate::autogen::compare::Comparison;
use crate::models::Models;
use crate::source::SourceFile;

/// Folders never holding the project's own modules.
const SKIP_DIRS: &[&str] = &[
    "__pycache__",
    "node_modules",
    "site-packages",
    "target",
    "venv",
    ".venv",
    "env",
    "build",
    "dist",
];

fn walk(dir: &Path, out: &mut Vec<PathBuf>, depth: usize) {
    if depth > 12 {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if p.is_dir() {
            if !name.starts_with('.') && !SKIP_DIRS.contains(&name) {
                walk(&p, out, depth + 1);
            }
        } else if name.ends_with(".py") {
            out.push(p);
        }
    }
}

/// Read the project's models as env.py's imports reach them.
pub fn read_models(disc: &Discovery) -> Result<Models, String> {
    let Some(env_py) = disc.env_py.as_deref() else {
        return Err("no env.py: the models are found through env.py's target_metadata".into());
    };
    let root = disc
        .config_file
        .as_ref()
        .and_then(|c| Path::new(&c.path).parent().map(Path::to_path_buf))
        .unwrap_or_default();
    let shown = |p: &Path| normalize_lexically(p).to_string_lossy().replace('\\', "/");
    // The config's folder, and the folder env.py's package is imported from (an installed
    // package's models sit beside its migrations, above alembic.ini).
    // Shown relative to the working folder where it is below it, as the migrations are.
    let cwd = std::env::current_dir().ok().and_then(|d| std::fs::canonicalize(d).ok());
    let relative = |p: &Path| match (&cwd, std::fs::canonicalize(p)) {
        (Some(cwd), Ok(real)) if p.is_absolute() => real.strip_prefix(cwd).map(Path::to_path_buf).unwrap_or(p.to_path_buf()),
        _ => p.to_path_buf(),
    };
    let package_root = crate::models::modules::package_root(&shown(&relative(env_py)), |p| Path::new(p).is_file());
    let mut paths = Vec::new();
    let dot = |p: &Path| {
        if p.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            p.to_path_buf()
        }
    };
    let walked = [Some(dot(&root)), package_root.map(|r| dot(Path::new(&r)))];
    // (as shown, canonical): a folder inside one already walked adds nothing; one that
    // holds it replaces it.
    let mut tops: Vec<(PathBuf, PathBuf)> = Vec::new();
    for top in walked.into_iter().flatten() {
        let n = normalize_lexically(&top);
        let Ok(real) = std::fs::canonicalize(&top) else { continue };
        if tops.iter().any(|(_, t)| real.starts_with(t)) {
            continue;
        }
        tops.retain(|(_, t)| !t.starts_with(&real));
        tops.push((n, real));
    }
    for (top, _) in &tops {
        walk(if top.as_os_str().is_empty() { Path::new(".") } else { top }, &mut paths, 0);
    }
    let files: Vec<SourceFile> = paths
        .iter()
        .filter_map(|p| std::fs::read(p).ok().and_then(|b| SourceFile::from_vec(shown(p), b).ok()))
        .collect();
    let roots: Vec<String> = crate::models::sys_path(disc.config_file.as_ref())
        .iter()
        .map(|r| {
            let s = shown(&root.join(r));
            if s.is_empty() { ".".to_string() } else { s }
        })
        .collect();
    let env_text = std::fs::read_to_string(env_py).map_err(|e| format!("cannot read {}: {e}", env_py.display()))?;
    // env.py as the walk shows it, so its imports resolve against the walked modules: run
    // from inside a package, the walk reaches it through the package's top
    // (`../../pkg/migrations/env.py`), not as the working folder shows it.
    let env_real = std::fs::canonicalize(env_py).ok();
    let env_shown = paths
        .iter()
        .filter(|p| p.file_name() == env_py.file_name())
        .find(|p| env_real.is_some() && std::fs::canonicalize(p).ok() == env_real)
        .map(|p| shown(p))
        .unwrap_or_else(|| shown(&relative(env_py)));
    let env = SourceFile::new(env_shown, env_text);
    Ok(crate::models::read(&files, &roots, &env))
}

pub use crate::autogen::compare_at;

/// What the comparison had to leave out, on stderr.
pub fn warn_left_out(a: &Analysis, models: &Models, c: &Comparison) {
    for h in &a.env.autogenerate_hooks {
        eprintln!(
            "warning: env.py passes `{h}` to context.configure(); migplan does not run it, so its filtering or rewriting is not applied"
        );
    }
    for u in &models.unknown {
        eprintln!(
            "warning: {} ({}) left out: {}",
            u.class_name.as_deref().or(u.name.as_deref()).unwrap_or("a table"),
            u.file,
            u.why
        );
    }
    for (t, why) in &c.skipped {
        eprintln!("warning: table {t} left out: {why}");
    }
}
