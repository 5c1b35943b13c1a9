//! Writing a new Alembic script, shared by `merge` and `revision`: the random id, the clock,
//! the project's template and script options (`file_template`, `truncate_slug_length`,
//! `timezone`), the versions folder Alembic would pick, and the write itself. The text
//! comes from the pure [`crate::alembic_script`].

use std::hash::{BuildHasher, Hasher};
use std::path::{Path, PathBuf};

pub use crate::alembic_script::ScriptOptions;
use crate::alembic_script::{DEFAULT_TEMPLATE, ScriptSpec, check_read_back, file_stem, render_template, slug};
use crate::analysis::Analysis;
use crate::config::AlembicSettings;
use crate::timestamp::Timestamp;

/// Where the project lives: its versions folders and, for Alembic, the script folder that
/// may hold a `script.py.mako`, and the settings read from its configuration.
pub struct Place<'a> {
    pub versions_dirs: &'a [PathBuf],
    pub script_dir: Option<&'a Path>,
    pub settings: Option<&'a AlembicSettings>,
}

/// 12 random hex digits, like Alembic's `uuid4().hex[-12:]`. std's `RandomState` is seeded
/// from the OS; the time and pid are mixed in for good measure.
pub fn random_rev_id() -> String {
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    h.write_u128(now);
    // WASI has no process ids (std panics): the seed and the clock suffice there.
    #[cfg(not(target_os = "wasi"))]
    h.write_u32(std::process::id());
    format!("{:012x}", h.finish() & 0xffff_ffff_ffff)
}

/// The clock, in UTC.
pub fn now() -> Timestamp {
    let d = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    Timestamp::from_unix(i64::try_from(d.as_secs()).unwrap_or(i64::MAX), d.subsec_micros())
}

/// What Alembic does after writing that migplan cannot: said on stderr so nobody is
/// surprised by an unformatted file.
pub fn warn_unrun_hooks(settings: Option<&AlembicSettings>) {
    let Some(s) = settings else { return };
    if s.revision_environment {
        eprintln!(
            "warning: revision_environment is set: Alembic would run env.py (and any process_revision_directives) for this revision; migplan does not"
        );
    }
    if !s.post_write_hooks.is_empty() {
        eprintln!(
            "warning: post_write_hooks ({}) are not run by migplan; run them on the new file yourself",
            s.post_write_hooks.join(", ")
        );
    }
}

/// The versions folder Alembic writes into: the only one, else the folder of the first
/// parent (`generate_revision`'s rule).
pub fn versions_dir(a: &Analysis, place: &Place, parents: &[String]) -> Result<PathBuf, String> {
    if let [one] = place.versions_dirs {
        return Ok(one.clone());
    }
    parents
        .iter()
        .find_map(|p| a.map.by_id.get(p).map(|&i| a.revision(i).path.clone()))
        .and_then(|path| Path::new(&path).parent().map(Path::to_path_buf))
        .ok_or_else(|| "Multiple version locations present, please specify --version-path".to_string())
}

/// The project's `script.py.mako` rendered for `spec` (Alembic's default when there is
/// none); `instead` names the Alembic command to use when migplan cannot render it.
pub fn render(place: &Place, spec: &ScriptSpec, instead: &str) -> Result<String, String> {
    let template_path = place.script_dir.map(|d| d.join("script.py.mako"));
    match template_path.as_deref().filter(|p| p.is_file()) {
        Some(p) => {
            let t = std::fs::read_to_string(p).map_err(|e| format!("cannot read {}: {e}", p.display()))?;
            render_template(&t, spec).map_err(|why| {
                format!(
                    "{}: {why}, which migplan does not run; write the revision with `{instead}` instead",
                    p.display()
                )
            })
        }
        None => render_template(DEFAULT_TEMPLATE, spec),
    }
}

/// A written script: its path, and its folder when that had to be created.
pub struct Written {
    pub path: PathBuf,
    pub created_dir: Option<PathBuf>,
}

/// Name, render, check and write the script for `spec` in `dir`.
pub fn write(
    place: &Place,
    opts: &ScriptOptions,
    spec: &ScriptSpec,
    date: &Timestamp,
    dir: &Path,
    instead: &str,
) -> Result<Written, String> {
    let stem = file_stem(
        &opts.file_template,
        spec.rev_id,
        &slug(spec.message, opts.truncate_slug_length),
        date,
    )?;
    let path = dir.join(format!("{stem}.py"));
    let text = render(place, spec, instead)?;
    check_read_back(&path.to_string_lossy(), &text, spec)?;
    if path.exists() {
        return Err(format!("{} already exists", path.display()));
    }
    let created_dir = ensure_parent(&path)?;
    std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(Written { path, created_dir })
}

/// Create the folder of `file` if it is missing (Alembic's `_ensure_directory`); returns it
/// when it was created.
pub fn ensure_parent(file: &Path) -> Result<Option<PathBuf>, String> {
    match file.parent() {
        Some(d) if !d.as_os_str().is_empty() && !d.exists() => {
            std::fs::create_dir_all(d).map_err(|e| format!("cannot create {}: {e}", d.display()))?;
            Ok(Some(d.to_path_buf()))
        }
        _ => Ok(None),
    }
}
