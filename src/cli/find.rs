//! Finding the project when no `-c`/`-d` is given and the working directory has no
//! `alembic.ini` or `[tool.alembic]`: list the tree (the IO half) and let the pure
//! [`crate::discovery`] pick the projects in it. Also the check that a versions folder's
//! sub-folders hold no scripts the version locations leave out.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::discover::{Discovery, display_path, normalize_lexically};
use crate::diagnostic::Diagnostic;
use crate::discovery::{Candidate, CandidateKind, MAX_DEPTH, UnreadScripts, find_projects_with, skipped_dir, unread_scripts_finding};
use crate::parse::revision_script::is_candidate_script;

/// Every file below `root` (and every folder, as `dir/`) that the search may look at:
/// relative, `/`-separated, sorted; skipped folders and virtualenvs are not entered.
pub fn list_tree(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    walk(root, "", 0, &mut out);
    out.sort();
    out
}

fn walk(dir: &Path, rel: &str, depth: usize, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let path = if rel.is_empty() { name.clone() } else { format!("{rel}/{name}") };
        // Symlinked folders are not followed (a link loop cannot make this spin).
        let Ok(ft) = e.file_type() else { continue };
        if ft.is_dir() {
            // One level below the deepest project folder: its `versions/`, diesel's
            // per-migration folders.
            if skipped_dir(&name) || depth > MAX_DEPTH || e.path().join("pyvenv.cfg").exists() {
                continue;
            }
            out.push(format!("{path}/"));
            walk(&e.path(), &path, depth + 1, out);
        } else {
            out.push(path);
        }
    }
}

/// The script folder an `alembic.ini` or a `pyproject.toml`'s `[tool.alembic]` names,
/// relative to `root` (an ini's own folder when it names none: Flask-Migrate's layout);
/// `None` when the ini cannot be read, or the pyproject.toml is no Alembic config.
fn script_folder(root: &Path, ini: &str) -> Option<String> {
    let text = std::fs::read(root.join(ini)).ok()?;
    let text = String::from_utf8_lossy(&text);
    let here = ini.rsplit_once('/').map_or("", |(d, _)| d);
    let loc = if ini.rsplit('/').next() == Some("pyproject.toml") {
        // Only a `[tool.alembic]` with a script_location makes a pyproject.toml a config.
        match crate::config::alembic_settings_from_pyproject(&text, here) {
            Ok(Some(s)) => s.script_location,
            _ => return None,
        }
    } else {
        let parsed = crate::config::parse_ini(&text).ok()?;
        let vars = BTreeMap::from([("here".to_string(), here.to_string())]);
        match parsed.get("alembic", "script_location", &vars) {
            Ok(Some(loc)) => loc,
            Ok(None) => return Some(here.to_string()),
            Err(_) => return None,
        }
    };
    // `package:folder` resources: the package's folder (importable from the ini's folder).
    let loc = match crate::config::package_resource(&loc) {
        Some((package, inside)) => format!("{package}/{inside}"),
        None => loc,
    };
    let rel = |p: PathBuf| normalize_lexically(&p).to_string_lossy().replace('\\', "/");
    // Relative to the ini's folder (where it is run from), else to the searched folder.
    let beside = Path::new(here).join(loc.trim_start_matches('/'));
    let from_root = PathBuf::from(loc.trim_start_matches('/'));
    Some(if root.join(&beside).is_dir() || !root.join(&from_root).is_dir() {
        rel(beside)
    } else {
        rel(from_root)
    })
}

/// The projects below `root`, sorted by path.
pub fn find(root: &Path) -> Vec<Candidate> {
    let paths = list_tree(root);
    let refs: Vec<&str> = paths.iter().map(String::as_str).collect();
    find_projects_with(&refs, &|ini| script_folder(root, ini))
}

/// The `-c`/`-d` that read `c`, as set on the command line (a SQL folder at the top: `.`).
pub fn arguments(c: &Candidate) -> (Option<String>, Vec<String>) {
    match c.kind {
        CandidateKind::AlembicIni => (Some(c.path.clone()), Vec::new()),
        CandidateKind::AlembicEnv => (None, vec![format!("{}/versions", c.path)]),
        CandidateKind::SqlFolder if c.path.is_empty() => (None, vec![".".into()]),
        CandidateKind::SqlFolder => (None, vec![c.path.clone()]),
    }
}

/// The stderr line naming the project used: `migplan: using migrations/alembic.ini`.
pub fn using_line(c: &Candidate, root: &Path) -> String {
    format!("migplan: using {}", label(c, root))
}

/// [`Candidate::label`], with a SQL folder's layout detected from its files' contents
/// (dbmate and goose folders look like sqlx ones by their names).
pub fn label(c: &Candidate, root: &Path) -> String {
    // Only these names can hide a layout told by contents (dbmate, goose; DAG folders).
    if c.kind != CandidateKind::SqlFolder || !matches!(c.layout, Some("sqlx" | "diesel")) {
        return c.label();
    }
    let (files, roots, _) = super::sql_folder::read_folders(&[root.join(&c.path)]);
    let roots: Vec<String> = roots.iter().map(|r| r.replace('\\', "/")).collect();
    match crate::layout::detect(&files, &roots).or(c.layout) {
        Some(l) => format!("{} ({l})", c.path),
        None => c.path.clone(),
    }
}

/// The message for several projects and a command that reads one.
pub fn several_message(found: &[Candidate], root: &Path, how: &str) -> String {
    let mut s = format!("found {} migration projects here; this command reads one:\n", found.len());
    for c in found {
        let (config, dirs) = arguments(c);
        let arg = match config {
            Some(ini) => format!("-c {ini}"),
            None => format!("-d {}", dirs.join(" -d ")),
        };
        s.push_str(&format!("  {}  ({arg})\n", label(c, root)));
    }
    s.push_str(how);
    s
}

/// The folders `serve PATH` serves: the project (PATH when it has a config at its top or
/// nothing is found below it, else the one project found, named on stderr) and PATH whole,
/// which the page's Models tab fetches when opened (the models beside the migrations:
/// Flask-Migrate's `app/` next to `migrations/`, a package around its alembic.ini). Several
/// projects are an error listing them.
pub fn serve_root(path: &Path) -> Result<(PathBuf, PathBuf), String> {
    if super::discover::has_config(path) {
        return Ok((path.to_path_buf(), path.to_path_buf()));
    }
    match &find(path)[..] {
        [] => Ok((path.to_path_buf(), path.to_path_buf())),
        [one] => {
            eprintln!("{}", using_line(one, path));
            Ok((path.join(one.folder()), path.to_path_buf()))
        }
        several => Err(several_message(several, path, "choose one with `migplan serve PATH/TO/PROJECT`")),
    }
}

/// A warning when sub-folders of the versions folders hold revision scripts that the
/// version locations (not recursive) leave out: env.py may register them in code, which
/// migplan cannot run, so it says so instead of guessing.
pub fn unread_scripts(disc: &Discovery, read: &[PathBuf]) -> Option<Diagnostic> {
    if disc.recursive {
        return None;
    }
    let script_versions = disc
        .env_py
        .as_deref()
        .and_then(Path::parent)
        .map(|d| d.join("versions"))
        .filter(|d| d.is_dir());
    let mut roots: Vec<PathBuf> = disc.versions_dirs.clone();
    // The script folder's `versions` is usually the versions folder itself: walked once.
    roots.extend(
        script_versions
            .clone()
            .filter(|s| !disc.versions_dirs.iter().any(|d| normalized(d) == normalized(s))),
    );
    let mut tree: Vec<PathBuf> = Vec::new();
    for r in &roots {
        scripts_below(r, &mut tree);
    }
    // Hashed rather than ordered: at 100,000 scripts, comparing paths component by
    // component in ordered sets was most of the time spent after parsing.
    // Only asked for membership, never iterated, so its order cannot reach the output.
    #[allow(clippy::disallowed_types)]
    let read: std::collections::HashSet<PathBuf> = read.iter().map(|p| normalized(p)).collect();
    let mut unread: Vec<PathBuf> = tree.into_iter().filter(|p| !read.contains(p)).collect();
    unread.sort();
    unread.dedup();
    // Helper modules in sub-folders are no revisions: only files that name one count.
    let unread: Vec<&PathBuf> = unread
        .iter()
        .filter(|p| std::fs::read(p).is_ok_and(|b| memchr::memmem::find(&b, b"revision").is_some()))
        .collect();
    let folder = script_versions.or_else(|| disc.versions_dirs.first().cloned())?;
    let shown = display_path(&folder);
    let base = normalize_lexically(&folder);
    let unread: Vec<Vec<String>> = unread
        .iter()
        .filter_map(|p| p.strip_prefix(&base).ok())
        .map(|rel| rel.iter().map(|c| c.to_string_lossy().into_owned()).collect())
        .collect();
    let config_file = disc.config_file.as_ref().map(|f| f.path.clone());
    unread_scripts_finding(&UnreadScripts {
        folder: &shown,
        unread,
        read: read.len(),
        version_locations: disc.settings.as_ref().is_some_and(|s| s.version_locations.is_some()),
        config_file: config_file.as_deref(),
    })
}

/// [`normalize_lexically`], skipped for paths it would leave equal (no `.` or `..` part).
fn normalized(p: &Path) -> PathBuf {
    let bytes = p.as_os_str().as_encoded_bytes();
    if bytes.starts_with(b".") || memchr::memmem::find(bytes, b"/.").is_some() || memchr::memmem::find(bytes, b"\\.").is_some() {
        normalize_lexically(p)
    } else {
        p.to_path_buf()
    }
}

/// Every revision script below `dir` (sub-folders included, `__pycache__` and symlinked
/// folders not).
fn scripts_below(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let Ok(ft) = e.file_type() else { continue };
        let name = e.file_name().to_string_lossy().into_owned();
        if ft.is_dir() {
            if name != "__pycache__" {
                scripts_below(&e.path(), out);
            }
        } else if is_candidate_script(&name) {
            out.push(normalized(&e.path()));
        }
    }
}
