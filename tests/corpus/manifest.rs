//! `tests/corpus/manifest.toml`: the pinned real projects.

use std::collections::BTreeSet;
use std::path::Path;

use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    project: Vec<Project>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Project {
    pub name: String,
    pub registry: String,
    pub package: String,
    pub version: String,
    pub dialect: String,
    #[serde(default)]
    pub config: Option<String>,
    #[serde(default)]
    pub dir: Option<String>,
    #[serde(default)]
    pub layout: Option<String>,
    #[serde(default)]
    pub recursive: bool,
    #[serde(default)]
    pub cwd: Option<String>,
    /// Where a user runs `migplan` with no `-c`/`-d` (default: the package's top; a Debian
    /// package's top is `/`, not a repository).
    #[serde(default)]
    pub root: Option<String>,
    pub revisions: usize,
    pub heads: usize,
    #[serde(default)]
    pub true_errors: Vec<TrueError>,
    #[serde(default)]
    pub why: Option<String>,
    /// Extensions or features the project needs that the test servers lack (recorded, skipped).
    #[serde(default)]
    pub skip_live: Option<String>,
}

/// An error finding shown to be true, with the evidence.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrueError {
    pub code: String,
    /// The file (path inside the package) the finding is about.
    pub file: String,
    pub evidence: String,
}

impl Project {
    pub fn is_alembic(&self) -> bool {
        self.config.is_some() || self.layout.as_deref().is_none_or(|l| l == "alembic")
    }
}

pub fn load(path: &Path) -> Result<Vec<Project>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let file: File = toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut names = BTreeSet::new();
    for p in &file.project {
        if !names.insert(p.name.as_str()) {
            return Err(format!("{}: project {} is listed twice", path.display(), p.name));
        }
        if p.config.is_some() == p.dir.is_some() {
            return Err(format!(
                "{}: project {} needs exactly one of config and dir",
                path.display(),
                p.name
            ));
        }
        if !["pypi", "crates", "npm", "apt"].contains(&p.registry.as_str()) {
            return Err(format!("{}: project {}: unknown registry {}", path.display(), p.name, p.registry));
        }
        if !["postgresql", "mysql", "sqlite"].contains(&p.dialect.as_str()) {
            return Err(format!("{}: project {}: unknown dialect {}", path.display(), p.name, p.dialect));
        }
    }
    Ok(file.project)
}
