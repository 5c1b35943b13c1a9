//! Finds and reads a project's files the way Alembic does: the config file, the script
//! location, the version locations, and the `.py` files in them (sorted, optionally
//! recursive, symlinked directories not followed, each real file once).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::analysis::decode_diagnostic;
use crate::codes::Code;
use crate::config::{
    AlembicSettings, alembic_settings_from_ini, alembic_settings_from_pyproject, alembic_settings_in_script_folder, package_resource,
    parse_ini,
};
use crate::diagnostic::Diagnostic;
use crate::parse::revision_script::{Depth, ScriptRead, is_candidate_script, read_script_to};
use crate::source::{LineIndex, SourceFile, Span};

/// Where the project's files come from.
pub struct Discovery {
    pub versions_dirs: Vec<PathBuf>,
    pub recursive: bool,
    pub env_py: Option<PathBuf>,
    pub settings: Option<AlembicSettings>,
    /// The config file and its text, for diagnostics pointing into it.
    pub config_file: Option<SourceFile>,
}

/// A fatal configuration problem (no usable config), as a diagnostic.
pub struct ConfigFailure(pub Box<Diagnostic>, pub Option<SourceFile>);

impl ConfigFailure {
    fn new(d: Diagnostic, file: Option<SourceFile>) -> Self {
        ConfigFailure(Box::new(d), file)
    }
}

/// `a/b/../c` → `a/c`, without touching the file system.
pub fn normalize_lexically(p: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            // `..` cancels a name before it, never another `..` (`../..` stays two up).
            Component::ParentDir => match out.components().next_back() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => out.push(".."),
            },
            other => out.push(other.as_os_str()),
        }
    }
    out
}

pub fn display_path(p: &Path) -> String {
    display_path_from(p, std::env::current_dir().ok().as_deref())
}

/// [`display_path`] with the working directory looked up once by the caller (a `getcwd`
/// per file shows at 100,000 files).
pub fn display_path_from(p: &Path, cwd: Option<&Path>) -> String {
    let p = &normalize_lexically(p);
    let shown = cwd.and_then(|c| p.strip_prefix(c).ok()).unwrap_or(p);
    shown.to_string_lossy().into_owned()
}

fn config_diag(file: &str, text: Option<&str>, line: Option<usize>, message: String) -> Diagnostic {
    config_diag_help(file, text, line, message, None)
}

fn config_diag_help(file: &str, text: Option<&str>, line: Option<usize>, message: String, help: Option<String>) -> Diagnostic {
    let mut d = Diagnostic::new(Code::ConfigError, message).in_file(file);
    d.help = help;
    if let (Some(text), Some(line)) = (text, line) {
        let idx = LineIndex::new(text);
        let start = idx.line_start(line.saturating_sub(1));
        let end = start + idx.line_text(text, line.saturating_sub(1)).len();
        d.span = Some(Span::new(start, end));
    } else if text.is_some() {
        d.span = Some(Span::empty(0));
    }
    d
}

fn resolve_location(loc: &str, cwd: &Path, here: Option<&Path>) -> PathBuf {
    let p = Path::new(loc);
    if !p.is_absolute()
        && let Some((package, inside)) = package_resource(loc)
    {
        // Alembic imports the package; the code that ships an ini usually ships its package
        // above it, so take the nearest folder above the ini, then the working directory,
        // holding `package/inside`. Not found: as before.
        let rel = Path::new(&package).join(&inside);
        let found = here
            .into_iter()
            .flat_map(Path::ancestors)
            .chain([cwd])
            .map(|d| d.join(&rel))
            .find(|d| d.exists());
        if let Some(dir) = found {
            return dir;
        }
    }
    if !p.is_absolute() && loc.contains(':') && !loc.contains('/') {
        // `package:path` resource: a package directory importable from the working directory.
        let mut parts = loc.split(':');
        let package = parts.next().unwrap_or("");
        let mut dir = cwd.join(package.replace('.', "/"));
        for part in parts {
            dir = dir.join(part);
        }
        return dir;
    }
    if p.is_absolute() {
        return p.to_path_buf();
    }
    let from_cwd = cwd.join(p);
    match here {
        Some(h) if !from_cwd.exists() && h.join(p).exists() => h.join(p),
        _ => from_cwd,
    }
}

pub fn discover(config: Option<&str>, section: &str, dirs: &[String], recursive: bool) -> Result<Discovery, ConfigFailure> {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    if !dirs.is_empty() {
        let versions_dirs: Vec<PathBuf> = dirs.iter().map(|d| cwd.join(d)).collect();
        for d in &versions_dirs {
            if !d.is_dir() {
                return Err(ConfigFailure::new(
                    Diagnostic::new(Code::ConfigError, format!("versions folder {} does not exist", display_path(d))),
                    None,
                ));
            }
        }
        let env_py = versions_dirs
            .first()
            .and_then(|d| d.parent())
            .map(|p| p.join("env.py"))
            .filter(|p| p.is_file());
        return Ok(Discovery {
            versions_dirs,
            recursive,
            env_py,
            settings: None,
            config_file: None,
        });
    }

    let (settings, here, config_file) = match config {
        Some(path) => {
            let p = cwd.join(path);
            let text = read_text(&p).map_err(|e| {
                ConfigFailure::new(
                    Diagnostic::new(Code::ConfigError, format!("cannot read config file {path}: {e}")),
                    None,
                )
            })?;
            let here = p.parent().map(Path::to_path_buf).unwrap_or_else(|| cwd.clone());
            let shown = display_path(&p);
            let file = SourceFile::new(shown.clone(), text.clone());
            let settings = if path.ends_with(".toml") {
                match alembic_settings_from_pyproject(&text, &here.to_string_lossy()) {
                    Ok(Some(s)) => s,
                    Ok(None) => {
                        return Err(ConfigFailure::new(
                            config_diag(&shown, Some(&text), None, format!("{shown} has no [tool.alembic] table")),
                            Some(file),
                        ));
                    }
                    Err(e) => return Err(ConfigFailure::new(config_diag(&shown, Some(&text), e.line, e.message), Some(file))),
                }
            } else {
                let ini = parse_ini(&text)
                    .map_err(|e| ConfigFailure::new(config_diag(&shown, Some(&text), e.line, e.message), Some(file.clone())))?;
                // Flask-Migrate's layout: the ini inside the script folder, which it names.
                let script_folder = here.join("env.py").is_file() || here.join("versions").is_dir();
                let read = if script_folder {
                    alembic_settings_in_script_folder
                } else {
                    alembic_settings_from_ini
                };
                match read(&ini, section, &here.to_string_lossy(), ':') {
                    Ok(s) => s,
                    Err(e) => {
                        // Alembic falls back to pyproject.toml for keys the ini lacks.
                        match pyproject_settings(&here) {
                            Some(s) => s,
                            None => {
                                return Err(ConfigFailure::new(
                                    config_diag_help(&shown, Some(&text), e.line, e.message, e.help),
                                    Some(file),
                                ));
                            }
                        }
                    }
                }
            };
            (settings, here, Some(file))
        }
        None => {
            let ini = cwd.join("alembic.ini");
            if ini.is_file() {
                return discover(Some("alembic.ini"), section, dirs, recursive);
            }
            match pyproject_settings(&cwd) {
                Some(s) => (
                    s,
                    cwd.clone(),
                    read_text(&cwd.join("pyproject.toml"))
                        .ok()
                        .map(|t| SourceFile::new("pyproject.toml", t)),
                ),
                None => {
                    // Reached when the search below the working directory found nothing too.
                    return Err(ConfigFailure::new(
                        Diagnostic::new(
                            Code::ConfigError,
                            format!(
                                "No migration project found: no alembic.ini or [tool.alembic] in pyproject.toml here, and none of \
                                 alembic.ini, an Alembic script folder (env.py beside script.py.mako or versions/) or a plain-SQL \
                                 migrations folder ({}) in the {} folders below (skipping hidden folders, virtualenvs, {}; {} only when nothing is found elsewhere)",
                                crate::layout::layout_names().join(", "),
                                crate::discovery::MAX_DEPTH,
                                crate::discovery::SKIPPED_DIRS.join(", "),
                                crate::discovery::BUILD_DIRS.join(", ")
                            ),
                        )
                        .help("point migplan at a project: `-c path/to/alembic.ini`, or `-d DIR` for a versions or SQL migrations folder"),
                        None,
                    ));
                }
            }
        }
    };
    let script_dir = resolve_location(&settings.script_location, &cwd, Some(&here));
    let versions_dirs: Vec<PathBuf> = match &settings.version_locations {
        Some(locs) => locs.iter().map(|l| resolve_location(l, &cwd, Some(&here))).collect(),
        None => vec![script_dir.join("versions")],
    };
    if !script_dir.is_dir() {
        let shown = config_file.as_ref().map(|f| f.path.clone()).unwrap_or_default();
        let line = config_file.as_ref().and_then(|f| {
            f.text
                .lines()
                .position(|l| l.trim_start().starts_with("script_location"))
                .map(|l| l + 1)
        });
        return Err(ConfigFailure::new(
            config_diag(
                &shown,
                config_file.as_ref().map(|f| f.text.as_str()),
                line,
                format!(
                    "Path doesn't exist: {}.  Please use the 'init' command to create a new scripts folder.",
                    display_path(&script_dir)
                ),
            ),
            config_file,
        ));
    }
    let env_py = Some(script_dir.join("env.py")).filter(|p| p.is_file());
    Ok(Discovery {
        versions_dirs,
        recursive: settings.recursive_version_locations,
        env_py,
        settings: Some(settings),
        config_file,
    })
}

/// Whether `dir` holds the config a command without `-c`/`-d` reads: `alembic.ini`, or
/// `[tool.alembic]` in `pyproject.toml`.
pub fn has_config(dir: &Path) -> bool {
    dir.join("alembic.ini").is_file() || pyproject_settings(dir).is_some()
}

fn pyproject_settings(dir: &Path) -> Option<AlembicSettings> {
    let text = read_text(&dir.join("pyproject.toml")).ok()?;
    alembic_settings_from_pyproject(&text, &dir.to_string_lossy()).ok().flatten()
}

fn read_text(p: &Path) -> std::io::Result<String> {
    let bytes = std::fs::read(p)?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Alembic's `_list_py_dir` over every versions folder: sorted names, sub-folders (sorted)
/// only when recursive, `__pycache__` skipped, symlinked folders not followed, each real
/// file once.
pub fn list_scripts(d: &Discovery) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut seen: BTreeSet<PathBuf> = BTreeSet::new();
    let dedupe = d.versions_dirs.len() > 1 || d.recursive;
    for dir in &d.versions_dirs {
        if !dir.exists() {
            continue;
        }
        let mut stack = vec![dir.clone()];
        let mut first = true;
        while let Some(root) = stack.pop() {
            if !first && !d.recursive {
                break;
            }
            first = false;
            let Ok(entries) = std::fs::read_dir(&root) else { continue };
            let mut files = Vec::new();
            let mut dirs = Vec::new();
            for e in entries.flatten() {
                let Ok(ft) = e.file_type() else { continue };
                let name = e.file_name().to_string_lossy().into_owned();
                if ft.is_dir() {
                    dirs.push(name);
                } else {
                    // os.walk lists symlinks to files (and dangling links) as files.
                    files.push(name);
                }
            }
            files.sort();
            dirs.sort();
            if !root
                .file_name()
                .map(|n| n.to_string_lossy().ends_with("__pycache__"))
                .unwrap_or(false)
            {
                for f in files {
                    if is_candidate_script(&f) {
                        let p = root.join(&f);
                        // Alembic loads each real file once; resolving links costs a syscall
                        // per file, so only do it when two locations could overlap.
                        if !dedupe || seen.insert(std::fs::canonicalize(&p).unwrap_or_else(|_| p.clone())) {
                            out.push(p);
                        }
                    }
                }
            }
            for sub in dirs.into_iter().rev() {
                stack.push(root.join(sub));
            }
        }
    }
    out
}

/// Read and parse every script in parallel, keeping load order. Each file is read and
/// parsed exactly once; `shown` are the paths as displayed (one per path). With
/// `keep_texts`, the decoded files holding a `migplan:` marker (inline ignores,
/// `irreversible`) come back too, so `check` need not read them again; the others are
/// not kept (a copy of every script was an eighth of `check`'s peak memory), and the few
/// a finding points into are read back for its snippet.
/// `depth` says how much of each script to read: graph commands need only the headers.
pub fn read_scripts(paths: &[PathBuf], shown: &[String], keep_texts: bool, depth: Depth) -> (Vec<ScriptRead>, Vec<SourceFile>) {
    let read: Vec<(ScriptRead, Option<SourceFile>)> = paths
        .par_iter()
        .zip(shown)
        .map(|(p, shown)| match std::fs::read(p) {
            Ok(bytes) => match SourceFile::from_vec(shown.clone(), bytes) {
                Ok(file) => {
                    let read = read_script_to(&file, depth);
                    let marked = keep_texts && memchr::memmem::find(file.text.as_bytes(), MARKER).is_some();
                    (read, marked.then_some(file))
                }
                Err(e) => (
                    ScriptRead {
                        revision: None,
                        diagnostics: vec![decode_diagnostic(shown, &e)],
                    },
                    None,
                ),
            },
            Err(e) => (
                ScriptRead {
                    revision: None,
                    diagnostics: vec![Diagnostic::new(Code::ConfigError, format!("cannot read {shown}: {e}")).in_file(shown)],
                },
                None,
            ),
        })
        .collect();
    let mut reads = Vec::with_capacity(read.len());
    let mut files = Vec::new();
    for (r, f) in read {
        reads.push(r);
        files.extend(f);
    }
    (reads, files)
}

/// What every inline marker starts with (`migplan: ignore`, `migplan: irreversible`).
pub const MARKER: &[u8] = b"migplan:";

pub fn read_source(p: &Path) -> Option<SourceFile> {
    let bytes = std::fs::read(p).ok()?;
    SourceFile::from_vec(display_path(p), bytes).ok()
}

/// The texts of the files that diagnostics point into, read back (decoded exactly as for
/// parsing, so byte offsets agree).
pub fn texts_for(diags: &[Diagnostic], known: &[SourceFile]) -> std::collections::BTreeMap<String, String> {
    let mut out = std::collections::BTreeMap::new();
    add_texts_for(&mut out, diags, known);
    out
}

/// [`texts_for`] into texts already at hand: only files not among them are read.
pub fn add_texts_for(out: &mut std::collections::BTreeMap<String, String>, diags: &[Diagnostic], known: &[SourceFile]) {
    for f in known {
        out.insert(f.path.clone(), f.text.clone());
    }
    for d in diags {
        if let Some(path) = &d.file
            && !out.contains_key(path)
        {
            // Undecodable files still get a position (line 1) through an empty text.
            let text = read_source(Path::new(path)).map(|f| f.text).unwrap_or_default();
            out.insert(path.clone(), text);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::normalize_lexically;
    use std::path::Path;

    #[test]
    fn parent_folders_cancel_names_only() {
        let n = |p: &str| normalize_lexically(Path::new(p)).to_string_lossy().into_owned();
        assert_eq!(n("../.."), "../..");
        assert_eq!(n("./a/../../b"), "../b");
        assert_eq!(n("a/b/../c"), "a/c");
        assert_eq!(n("/.."), "/");
        assert_eq!(n("../../pkg/./mig/env.py"), "../../pkg/mig/env.py");
    }
}
