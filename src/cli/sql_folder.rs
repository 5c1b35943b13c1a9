//! Reading plain-SQL migration folders from disk (`-d DIR`, several for Flyway locations).

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::discover::display_path;
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::dialect::Dialect;
use crate::source::{DecodeError, SourceFile, Span};

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<_> = entries.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        let Ok(ft) = e.file_type() else { continue };
        if ft.is_dir() {
            walk(&e.path(), out);
        } else if (ft.is_file() || ft.is_symlink()) && crate::layout::is_folder_file(&name) && e.path().is_file() {
            out.push(e.path());
        }
    }
}

/// Whether `-d` folders hold Alembic scripts (any `.py` file other than `__init__.py`). With
/// `--recursive` sub-folders count too (real folders only, as the script reader walks them:
/// a symlink loop cannot make this spin), else a versions folder split into sub-folders
/// would be mistaken for a SQL folder.
pub fn holds_python(dirs: &[PathBuf], recursive: bool) -> bool {
    dirs.iter().any(|d| folder_holds_python(d, recursive))
}

fn folder_holds_python(dir: &Path, recursive: bool) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else { return false };
    let mut subdirs = Vec::new();
    for e in entries.flatten() {
        let n = e.file_name().to_string_lossy().into_owned();
        if n.ends_with(".py") && n != "__init__.py" {
            return true;
        }
        if recursive && n != "__pycache__" && e.file_type().is_ok_and(|t| t.is_dir()) {
            subdirs.push(e.path());
        }
    }
    subdirs.iter().any(|s| folder_holds_python(s, true))
}

/// Every file of the folders, decoded, plus a diagnostic for each that cannot be.
pub fn read_folders(dirs: &[PathBuf]) -> (Vec<SourceFile>, Vec<String>, Vec<Diagnostic>) {
    let mut paths = Vec::new();
    for d in dirs {
        walk(d, &mut paths);
    }
    let roots = dirs.iter().map(|d| display_path(d)).collect();
    let results: Vec<Result<SourceFile, Diagnostic>> = paths
        .par_iter()
        .map(|p| {
            let shown = display_path(p);
            let bytes =
                std::fs::read(p).map_err(|e| Diagnostic::new(Code::ConfigError, format!("cannot read {shown}: {e}")).in_file(&shown))?;
            SourceFile::from_bytes(shown.clone(), &bytes).map_err(|e| decode_problem(&shown, &e))
        })
        .collect();
    let mut files = Vec::new();
    let mut diags = Vec::new();
    for r in results {
        match r {
            Ok(f) => files.push(f),
            Err(d) => diags.push(d),
        }
    }
    (files, roots, diags)
}

fn decode_problem(path: &str, e: &DecodeError) -> Diagnostic {
    let (code, what) = match e {
        DecodeError::Binary { offset } => (Code::BinaryFile, format!("{path} is a binary file (NUL byte at offset {offset})")),
        DecodeError::InvalidUtf8 { offset } => (
            Code::InvalidEncoding,
            format!("{path} is not valid UTF-8 (first bad byte at offset {offset})"),
        ),
    };
    Diagnostic::new(code, format!("{what}; it is not read"))
        .at(path, Span::empty(0))
        .help("migration files are UTF-8 text; a binary file here is usually a mistake in the commit")
}

/// The database a folder is for, from the connection URLs next to it (`.env`,
/// `flyway.conf`, `dbconfig.yml`...), if any names one.
pub fn dialect_hint(dirs: &[PathBuf]) -> Option<&'static dyn Dialect> {
    // The folder, the two above it (`db/migrations` next to a project's `.env`), the cwd.
    let cwd = std::env::current_dir().ok();
    for d in dirs {
        let bases = [Some(d.as_path()), d.parent(), d.parent().and_then(Path::parent), cwd.as_deref()];
        for base in bases.into_iter().flatten() {
            for c in crate::layout::DIALECT_HINT_FILES.iter().chain(&["conf/flyway.conf"]) {
                if let Ok(text) = std::fs::read_to_string(base.join(c))
                    && let Some(dialect) = crate::layout::dialect_from_text(&text)
                {
                    return Some(dialect);
                }
            }
        }
    }
    None
}
