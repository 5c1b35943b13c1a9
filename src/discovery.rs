//! Finding the migration projects in a repository from a list of its paths: Alembic
//! environments (an `alembic.ini`, or an `env.py` beside `script.py.mako` or a `versions/`
//! folder) and plain-SQL migration folders of the layouts in [`crate::layout`].
//!
//! Pure: the caller lists the tree (the CLI walks the file system, the page has the picked
//! files); nothing here reads a file. Paths are relative to the searched folder and
//! `/`-separated; a folder may be listed as `dir/` so that an empty `versions/` counts.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::layout::is_folder_file;
use crate::source::SourceFile;

/// How deep below the searched folder a project's folder may be: 6, because real projects
/// keep environments that deep (cloudkitty's rating plugin env,
/// `cloudkitty/rating/hash/db/sqlalchemy/alembic`; Dagster's per-storage ini files).
pub const MAX_DEPTH: usize = 6;

/// Folders never searched: VCS data, dependencies, virtualenvs, caches. Hidden folders
/// (`.git`, `.venv`, `.tox`…) are skipped too, and so is any folder holding a
/// `pyvenv.cfg` (a virtualenv under any name).
pub const SKIPPED_DIRS: &[&str] = &["node_modules", "venv", "target", "__pycache__", "site-packages"];

/// Build output: searched only when nothing is found outside it. In a repository these
/// hold copies of the sources; a published package (an npm tarball) may ship its
/// migrations nowhere else.
pub const BUILD_DIRS: &[&str] = &["build", "dist"];

/// Whether a folder of this name is never searched.
pub fn skipped_dir(name: &str) -> bool {
    name.starts_with('.') || SKIPPED_DIRS.contains(&name)
}

/// What was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CandidateKind {
    /// An Alembic config: an `alembic.ini` (Flask-Migrate's inside its script folder
    /// included), or a `pyproject.toml` with `[tool.alembic]` and no `alembic.ini` beside it.
    AlembicIni,
    /// An Alembic script folder no `alembic.ini` names: read with `-d <folder>/versions`.
    AlembicEnv,
    /// A plain-SQL migrations folder: read with `-d <folder>`.
    SqlFolder,
}

/// One project found.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Candidate {
    /// The `alembic.ini`, or the folder (script folder, SQL folder).
    pub path: String,
    pub kind: CandidateKind,
    /// For SQL folders: the layout its file names match (`sqlx`, `flyway`…). Layouts told
    /// apart by file contents (dbmate, goose, DAG folders) show as the one their names match.
    pub layout: Option<&'static str>,
}

impl Candidate {
    /// How the project is named to users: `migrations/alembic.ini`, `alembic`,
    /// `db/migrations (sqlx)`.
    pub fn label(&self) -> String {
        let path = if self.path.is_empty() { "." } else { &self.path };
        match (self.kind, self.layout) {
            (CandidateKind::SqlFolder, Some(l)) => format!("{path} ({l})"),
            _ => path.to_string(),
        }
    }

    /// The folder the project lives in: the ini's folder, or the folder itself.
    pub fn folder(&self) -> &str {
        match self.kind {
            CandidateKind::AlembicIni => parent(&self.path),
            _ => &self.path,
        }
    }
}

fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(d, _)| d)
}

fn depth(dir: &str) -> usize {
    if dir.is_empty() { 0 } else { dir.split('/').count() }
}

fn under(path: &str, dir: &str) -> bool {
    dir.is_empty() || path == dir || path.strip_prefix(dir).is_some_and(|r| r.starts_with('/'))
}

/// [`find_projects_with`] when the inis cannot be read: an `alembic.ini` is taken to name
/// the script folder it sits in (Flask-Migrate), else `alembic/` or `migrations/` beside it.
pub fn find_projects(paths: &[&str]) -> Vec<Candidate> {
    find_projects_with(paths, &|_| None)
}

/// Every project among `paths`, sorted by path. `script_folder(config)` is the script folder
/// an `alembic.ini` or a `pyproject.toml`'s `[tool.alembic]` names (relative, normalized),
/// when the caller could read it (`None` for a pyproject.toml: not an Alembic config);
/// script folders a config names are that config's project, not one of their own.
pub fn find_projects_with(paths: &[&str], script_folder: &dyn Fn(&str) -> Option<String>) -> Vec<Candidate> {
    let found = find_in(paths, script_folder, true);
    if found.is_empty() {
        find_in(paths, script_folder, false)
    } else {
        found
    }
}

fn find_in(paths: &[&str], script_folder: &dyn Fn(&str) -> Option<String>, skip_build: bool) -> Vec<Candidate> {
    let skipped = |name: &str| skipped_dir(name) || (skip_build && BUILD_DIRS.contains(&name));
    let venvs: BTreeSet<&str> = paths
        .iter()
        .filter(|p| p.rsplit('/').next() == Some("pyvenv.cfg"))
        .map(|p| parent(p))
        .collect();
    let kept: Vec<&str> = paths
        .iter()
        .map(|p| p.trim_start_matches("./"))
        .filter(|p| {
            let dir = parent(p.trim_end_matches('/'));
            depth(dir) <= MAX_DEPTH + 1 && !p.split('/').rev().skip(1).any(skipped) && !venvs.iter().any(|v| !v.is_empty() && under(p, v))
        })
        .collect();
    let set: BTreeSet<&str> = kept.iter().copied().collect();
    let has = |p: &str| set.contains(p);
    let has_under = |dir: &str| {
        let prefix = format!("{dir}/");
        set.range(prefix.as_str()..).next().is_some_and(|p| p.starts_with(&prefix))
    };
    let join = |dir: &str, name: &str| {
        if dir.is_empty() {
            name.to_string()
        } else {
            format!("{dir}/{name}")
        }
    };

    // Alembic script folders: env.py beside script.py.mako or versions/.
    let envs: Vec<&str> = kept
        .iter()
        .filter(|p| p.rsplit('/').next() == Some("env.py"))
        .map(|p| parent(p))
        .filter(|d| depth(d) <= MAX_DEPTH && (has(&join(d, "script.py.mako")) || has_under(&join(d, "versions"))))
        .collect();
    let inis: Vec<&str> = kept
        .iter()
        .copied()
        .filter(|p| p.rsplit('/').next() == Some("alembic.ini") && depth(parent(p)) <= MAX_DEPTH)
        .collect();
    // `[tool.alembic]` in a pyproject.toml (Alembic ≥ 1.16): a config where no alembic.ini
    // is beside it and the caller could read a script folder from it.
    let pyprojects: Vec<(&str, String)> = kept
        .iter()
        .copied()
        .filter(|p| {
            p.rsplit('/').next() == Some("pyproject.toml") && depth(parent(p)) <= MAX_DEPTH && !has(&join(parent(p), "alembic.ini"))
        })
        .filter_map(|p| script_folder(p).map(|d| (p, d)))
        .collect();
    let mut claimed: BTreeSet<String> = pyprojects.iter().map(|(_, d)| d.clone()).collect();
    // Inis naming a folder that is not there (`script_location = {alembic_dir}`, filled in
    // by code): the script folder beside them is the project.
    let mut templates: BTreeSet<&str> = BTreeSet::new();
    for ini in &inis {
        let here = parent(ini);
        let beside = || {
            [here.to_string(), join(here, "alembic"), join(here, "migrations")]
                .into_iter()
                .filter(|d| envs.contains(&d.as_str()))
        };
        match script_folder(ini) {
            Some(dir) if has_under(&dir) || beside().next().is_none() => {
                claimed.insert(dir);
            }
            Some(_) => {
                templates.insert(ini);
            }
            None => claimed.extend(beside()),
        }
    }
    let mut out: Vec<Candidate> = inis
        .iter()
        .filter(|ini| !templates.contains(**ini))
        .map(|ini| Candidate {
            path: ini.to_string(),
            kind: CandidateKind::AlembicIni,
            layout: None,
        })
        .collect();
    out.extend(pyprojects.iter().map(|(p, _)| Candidate {
        path: p.to_string(),
        kind: CandidateKind::AlembicIni,
        layout: None,
    }));
    out.extend(envs.iter().filter(|e| !claimed.contains(**e)).map(|e| Candidate {
        path: e.to_string(),
        kind: CandidateKind::AlembicEnv,
        layout: None,
    }));

    // Plain-SQL folders: the files directly in a folder, and one folder down (diesel, DAG).
    let mut by_dir: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for p in kept.iter().filter(|p| !p.ends_with('/')) {
        let name = p.rsplit('/').next().unwrap_or(p);
        if !is_folder_file(name) {
            continue;
        }
        let dir = parent(p);
        by_dir.entry(dir).or_default().push(p);
        if matches!(name, "up.sql" | "down.sql" | "metadata.yaml" | "metadata.toml") && !dir.is_empty() {
            by_dir.entry(parent(dir)).or_default().push(p);
        }
    }
    let alembic_dirs: Vec<&str> = envs
        .iter()
        .copied()
        .chain(inis.iter().map(|i| parent(i)))
        .chain(pyprojects.iter().map(|(p, _)| parent(p)))
        .collect();
    let mut sql: Vec<Candidate> = Vec::new();
    for (dir, files) in by_dir {
        if depth(dir) > MAX_DEPTH
            || !files.iter().any(|f| f.ends_with(".sql"))
            || envs.iter().any(|e| under(dir, e))
            || alembic_dirs.contains(&dir)
            || sql.iter().any(|c| under(dir, &c.path))
        {
            continue;
        }
        if let Some(layout) = layout_by_names(dir, &files) {
            sql.push(Candidate {
                path: dir.to_string(),
                kind: CandidateKind::SqlFolder,
                layout: Some(layout),
            });
        }
    }
    out.extend(sql);
    out.sort();
    out
}

/// The layout the names of a folder's files match (their texts are unknown here).
fn layout_by_names(dir: &str, paths: &[&str]) -> Option<&'static str> {
    let files: Vec<SourceFile> = paths.iter().map(|p| SourceFile::new(*p, "")).collect();
    crate::layout::detect(&files, &[dir.to_string()])
}

/// Revision scripts in sub-folders of a versions folder that the version locations (not
/// recursive) leave out: env.py may register those folders in code, which migplan cannot
/// run, so it says so instead of guessing. The CLI (file system) and the page (picked
/// files) find them; this is the one finding both print.
pub struct UnreadScripts<'a> {
    /// The versions folder as shown to the user.
    pub folder: &'a str,
    /// Each unread script's path below `folder`, as its parts (`["2024", "expand", "a.py"]`).
    pub unread: Vec<Vec<String>>,
    /// How many scripts the version locations read.
    pub read: usize,
    /// Whether alembic.ini sets `version_locations`.
    pub version_locations: bool,
    pub config_file: Option<&'a str>,
}

/// The `scripts-outside-version-locations` warning, or `None` when nothing is left out.
pub fn unread_scripts_finding(u: &UnreadScripts) -> Option<crate::diagnostic::Diagnostic> {
    use crate::codes::Code;
    use crate::diagnostic::Diagnostic;
    if u.unread.is_empty() {
        return None;
    }
    let shown = u.folder;
    // The first sub-folder each unread script is in, and whether any is deeper than that.
    let mut subs: BTreeMap<&str, bool> = BTreeMap::new();
    for parts in &u.unread {
        if parts.len() >= 2 {
            *subs.entry(parts[0].as_str()).or_default() |= parts.len() > 2;
        }
    }
    let per_database = subs.len() >= 2 && subs.keys().all(|k| database_name(k));
    let help = if per_database {
        // One history per database (`versions/postgresql`, `versions/sqlite`): reading them
        // together would mix them.
        let options: Vec<String> = subs
            .iter()
            .map(|(sub, deeper)| format!("`-d {shown}/{sub}{}`", if *deeper { " --recursive" } else { "" }))
            .collect();
        format!(
            "the sub-folders look like one history per database; read one with {}",
            options.join(" or ")
        )
    } else {
        format!("to read them, run with `-d {shown} --recursive`, or set `recursive_version_locations = true` in alembic.ini")
    };
    let by = if u.version_locations {
        "version_locations reads"
    } else {
        "only the folder's top level is read:"
    };
    let mut d = Diagnostic::new(
        Code::ScriptsOutsideVersionLocations,
        format!(
            "{} revision script(s) in sub-folders of {shown} are not read ({by} {} script(s)); env.py may register those folders in code, which migplan does not run",
            u.unread.len(),
            u.read
        ),
    )
    .help(help);
    if let Some(f) = u.config_file {
        d = d.in_file(f.to_string());
    }
    Some(d)
}

/// Whether a folder name is a database's (a versions tree per dialect).
fn database_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    crate::dialect::dialect_from_name(&n).is_some()
        || matches!(n.as_str(), "postgres" | "pg" | "mssql" | "oracle" | "sqlserver" | "sqlite3")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(paths: &[&str]) -> Vec<String> {
        find_projects(paths).iter().map(Candidate::label).collect()
    }

    #[test]
    fn flask_migrate_ini_claims_its_own_folder() {
        let paths = [
            "app/__init__.py",
            "migrations/alembic.ini",
            "migrations/env.py",
            "migrations/script.py.mako",
            "migrations/versions/1a_init.py",
        ];
        assert_eq!(found(&paths), ["migrations/alembic.ini"]);
    }

    #[test]
    fn an_env_without_ini_is_its_folder() {
        let paths = ["src/db/alembic/env.py", "src/db/alembic/versions/"];
        assert_eq!(found(&paths), ["src/db/alembic"]);
        // env.py alone is not an Alembic script folder.
        assert!(found(&["tools/env.py"]).is_empty());
    }

    #[test]
    fn two_environments_are_two_projects_in_path_order() {
        let paths = [
            "plugins/audit/migrations/env.py",
            "plugins/audit/migrations/versions/a.py",
            "app/migrations/env.py",
            "app/migrations/script.py.mako",
        ];
        assert_eq!(found(&paths), ["app/migrations", "plugins/audit/migrations"]);
    }

    #[test]
    fn an_ini_read_by_the_caller_claims_the_folder_it_names() {
        let paths = [
            "alembic.ini",
            "src/app/migrations/env.py",
            "src/app/migrations/versions/a.py",
            "plugin/migrations/env.py",
            "plugin/migrations/versions/b.py",
        ];
        let named = |ini: &str| (ini == "alembic.ini").then(|| "src/app/migrations".to_string());
        let labels: Vec<String> = find_projects_with(&paths, &named).iter().map(Candidate::label).collect();
        assert_eq!(labels, ["alembic.ini", "plugin/migrations"]);
    }

    #[test]
    fn an_ini_naming_a_missing_folder_gives_way_to_the_script_folder_beside_it() {
        let paths = [
            "hub/alembic.ini",
            "hub/alembic/env.py",
            "hub/alembic/script.py.mako",
            "hub/alembic/versions/a.py",
        ];
        let template = |_: &str| Some("hub/{alembic_dir}".to_string());
        let labels: Vec<String> = find_projects_with(&paths, &template).iter().map(Candidate::label).collect();
        assert_eq!(labels, ["hub/alembic"]);
    }

    #[test]
    fn sql_folders_are_named_with_their_layout() {
        let paths = [
            "db/migrations/0001_init.sql",
            "db/migrations/0002_users.sql",
            "sql/V1__init.sql",
            "diesel/migrations/2024-01-01-000000_init/up.sql",
            "diesel/migrations/2024-01-01-000000_init/down.sql",
            "docs/readme.md",
        ];
        assert_eq!(
            found(&paths),
            ["db/migrations (sqlx)", "diesel/migrations (diesel)", "sql (flyway)"]
        );
    }

    #[test]
    fn skipped_folders_and_virtualenvs_hide_decoys() {
        let paths = [
            "node_modules/pkg/alembic.ini",
            ".venv/lib/alembic.ini",
            "env3/pyvenv.cfg",
            "env3/lib/python3.12/site/alembic.ini",
            "target/debug/alembic.ini",
            "build/alembic.ini",
            "real/alembic.ini",
        ];
        assert_eq!(found(&paths), ["real/alembic.ini"]);
    }

    #[test]
    fn build_output_is_searched_only_when_nothing_else_is_found() {
        // A repository: dist/ holds a copy of the sources' migrations.
        let repo = ["dist/migrations/0001_init.sql", "db/migrations/0001_init.sql"];
        assert_eq!(found(&repo), ["db/migrations (sqlx)"]);
        // A published npm package ships its migrations only under dist/.
        let package = ["package.json", "dist/supabase/migrations/0001_init.sql"];
        assert_eq!(found(&package), ["dist/supabase/migrations (sqlx)"]);
    }

    #[test]
    fn deeper_than_six_folders_is_not_searched() {
        assert_eq!(found(&["a/b/c/d/e/f/alembic.ini"]), ["a/b/c/d/e/f/alembic.ini"]);
        assert!(found(&["a/b/c/d/e/f/g/alembic.ini"]).is_empty());
    }

    #[test]
    fn sql_inside_an_alembic_folder_is_not_a_project() {
        let paths = ["migrations/env.py", "migrations/versions/a.py", "migrations/sql/0001_seed.sql"];
        assert_eq!(found(&paths), ["migrations"]);
    }

    #[test]
    fn nothing_found_is_empty() {
        assert!(found(&["README.md", "src/main.rs"]).is_empty());
    }
}
