//! Which files of a picked folder make the project, decided as the CLI decides it but over a
//! list of paths (a browser folder picker, a zip, a PR's file list): `alembic.ini` (or
//! `[tool.alembic]` in `pyproject.toml`) with its `script_location` and `version_locations`,
//! else Alembic scripts wherever they are, else a plain-SQL folder.

use serde::Serialize;

use crate::config::{
    AlembicSettings, alembic_settings_from_ini, alembic_settings_from_pyproject, alembic_settings_in_script_folder, package_resource,
    parse_ini,
};
use crate::parse::revision_script::is_candidate_script;
use crate::source::SourceFile;

/// The files to analyse and how.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Selection {
    /// `alembic`, or `sql` (the layout is detected from the files), or `none`.
    pub kind: &'static str,
    /// The config file read, if any.
    pub config: Option<String>,
    /// The paths to pass to `analyze` / `plan`.
    pub files: Vec<String>,
    /// For `sql`: the folder(s) the migration paths are relative to.
    pub roots: Vec<String>,
    /// The dialect named by the project's configuration (`sqlalchemy.url`, a `.env`...).
    pub dialect: Option<&'static str>,
    /// Why the configuration could not be used, when it could not.
    pub problem: Option<String>,
    /// Every project found among the files ([`crate::discovery`]), as named to users, when
    /// there is more than one: the selection is the first config, else the first of these.
    pub projects: Vec<String>,
    /// Findings about the selection itself (`scripts-outside-version-locations`), as
    /// `check` prints them; the page lists them with the project's.
    pub diagnostics: Vec<crate::diagnostic::LocatedDiagnostic>,
}

fn dir_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(d, _)| d)
}

fn name_of(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// `a/./b/../c` → `a/c`; a leading `/` or `./` is dropped.
fn normalize(path: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for part in path.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => {
                out.pop();
            }
            p => out.push(p),
        }
    }
    out.join("/")
}

pub(crate) fn join(dir: &str, rel: &str) -> String {
    if dir.is_empty() {
        normalize(rel)
    } else {
        normalize(&format!("{dir}/{rel}"))
    }
}

/// Choose the project's files among `files` (paths relative to the picked folder).
pub fn select(files: &[SourceFile]) -> Selection {
    let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
    // A pyproject.toml is a config when its text has `[tool.alembic]` (an alembic.ini's
    // folder is guessed from the layout, as without its text).
    let pyproject_folder = |config: &str| -> Option<String> {
        let f = files.iter().find(|f| f.path == config && name_of(config) == "pyproject.toml")?;
        let here = dir_of(config);
        let l = alembic_settings_from_pyproject(&f.text, here).ok()??.script_location;
        // `%(here)s` is already the folder.
        Some(if !here.is_empty() && (l == here || l.starts_with(&format!("{here}/"))) {
            normalize(&l)
        } else {
            join(here, &l)
        })
    };
    let found = crate::discovery::find_projects_with(&paths, &pyproject_folder);
    let mut sel = select_among(files, &found);
    if found.len() > 1 {
        sel.projects = found.iter().map(crate::discovery::Candidate::label).collect();
    }
    sel
}

fn select_among(files: &[SourceFile], found: &[crate::discovery::Candidate]) -> Selection {
    use crate::discovery::CandidateKind;
    let depth = |p: &str| p.matches('/').count();
    // Configs in folders the search skips (node_modules, virtualenvs…) are not the project's.
    let searched = |p: &str| !p.split('/').rev().skip(1).any(crate::discovery::skipped_dir);
    let mut configs: Vec<&SourceFile> = files
        .iter()
        .filter(|f| name_of(&f.path) == "alembic.ini" || (name_of(&f.path) == "pyproject.toml" && f.text.contains("[tool.alembic]")))
        .filter(|f| searched(&f.path))
        .collect();
    configs.sort_by_key(|f| (depth(&f.path), name_of(&f.path) != "alembic.ini", f.path.clone()));
    if let Some(cfg) = configs.first() {
        let here = dir_of(&cfg.path);
        let settings: Result<AlembicSettings, String> = if name_of(&cfg.path) == "alembic.ini" {
            // Flask-Migrate's layout: the ini inside the script folder, which it names.
            let script_folder = files
                .iter()
                .any(|f| f.path == join(here, "env.py") || dir_of(&f.path) == join(here, "versions"));
            let read = if script_folder {
                alembic_settings_in_script_folder
            } else {
                alembic_settings_from_ini
            };
            parse_ini(&cfg.text)
                .map_err(|e| e.message)
                .and_then(|ini| read(&ini, "alembic", here, ':').map_err(|e| e.message))
        } else {
            match alembic_settings_from_pyproject(&cfg.text, here) {
                Ok(Some(s)) => Ok(s),
                Ok(None) => Err("no [tool.alembic] table".into()),
                Err(e) => Err(e.message),
            }
        };
        match settings {
            Ok(s) => return alembic_selection(files, cfg, here, &s),
            Err(problem) => {
                let mut sel = scripts_anywhere(files);
                sel.config = Some(cfg.path.clone());
                sel.problem = Some(problem);
                return sel;
            }
        }
    }
    // A script folder no ini names: its versions/ and env.py, not every script anywhere
    // (two environments' ids are their own).
    if let Some(env) = found.iter().find(|c| c.kind == CandidateKind::AlembicEnv) {
        let versions = join(&env.path, "versions");
        let mut selected: Vec<String> = files
            .iter()
            .filter(|f| dir_of(&f.path) == versions && is_candidate_script(name_of(&f.path)))
            .map(|f| f.path.clone())
            .collect();
        selected.sort();
        selected.push(join(&env.path, "env.py"));
        return Selection {
            kind: "alembic",
            files: selected,
            roots: vec![versions],
            ..Default::default()
        };
    }
    let sel = scripts_anywhere(files);
    if sel.kind == "alembic" {
        return sel;
    }
    match found.iter().find(|c| c.kind == CandidateKind::SqlFolder) {
        Some(folder) => sql_folder_selection(files, &folder.path),
        None => sql_selection(files),
    }
}

/// The plain-SQL folder at `root` (one of several found).
fn sql_folder_selection(files: &[SourceFile], root: &str) -> Selection {
    let under = |p: &str| root.is_empty() || p.starts_with(&format!("{root}/"));
    let mut sel = sql_selection(
        &files
            .iter()
            .filter(|f| under(&f.path) || crate::layout::DIALECT_HINT_FILES.contains(&name_of(&f.path)))
            .cloned()
            .collect::<Vec<_>>(),
    );
    sel.roots = vec![root.to_string()];
    sel.files.retain(|p| under(p));
    sel
}

fn alembic_selection(files: &[SourceFile], cfg: &SourceFile, here: &str, s: &AlembicSettings) -> Selection {
    // `%(here)s` is already expanded to `here`; other relative paths are relative to it too.
    let resolve = |l: &str| {
        if let Some((package, inside)) = package_resource(l) {
            return package_folder(files, here, &package, &inside);
        }
        if !here.is_empty() && (l == here || l.starts_with(&format!("{here}/"))) {
            normalize(l)
        } else {
            join(here, l)
        }
    };
    let script_dir = resolve(&s.script_location);
    let versions: Vec<String> = match &s.version_locations {
        Some(v) => v.iter().map(|l| resolve(l)).collect(),
        None => vec![join(&script_dir, "versions")],
    };
    let mut selected: Vec<String> = files
        .iter()
        .filter(|f| {
            let d = dir_of(&f.path);
            is_candidate_script(name_of(&f.path))
                && versions
                    .iter()
                    .any(|v| d == v || (s.recursive_version_locations && d.starts_with(&format!("{v}/"))))
        })
        .map(|f| f.path.clone())
        .collect();
    selected.sort();
    let diagnostics = unread_scripts(files, &script_dir, &versions, &selected, cfg, s);
    let env = join(&script_dir, "env.py");
    if files.iter().any(|f| f.path == env) {
        selected.push(env);
    }
    Selection {
        kind: "alembic",
        config: Some(cfg.path.clone()),
        files: selected,
        roots: versions,
        dialect: s
            .sqlalchemy_url
            .as_deref()
            .and_then(crate::dialect::dialect_from_url)
            .map(|d| d.name()),
        problem: None,
        projects: Vec::new(),
        diagnostics,
    }
}

/// Scripts in sub-folders of the versions folders that the (not recursive) version locations
/// leave out: the warning `check` prints ([`crate::discovery::unread_scripts_finding`]).
fn unread_scripts(
    files: &[SourceFile],
    script_dir: &str,
    versions: &[String],
    selected: &[String],
    cfg: &SourceFile,
    s: &AlembicSettings,
) -> Vec<crate::diagnostic::LocatedDiagnostic> {
    if s.recursive_version_locations {
        return Vec::new();
    }
    let script_versions = join(script_dir, "versions");
    let has_script_versions = files.iter().any(|f| f.path.starts_with(&format!("{script_versions}/")));
    let mut roots: Vec<&str> = versions.iter().map(String::as_str).collect();
    if has_script_versions && !roots.contains(&script_versions.as_str()) {
        roots.push(&script_versions);
    }
    let Some(folder) = (if has_script_versions {
        Some(script_versions.as_str())
    } else {
        roots.first().copied()
    }) else {
        return Vec::new();
    };
    // Helper modules in sub-folders are no revisions: only files that name one count.
    let unread: Vec<Vec<String>> = files
        .iter()
        .filter(|f| {
            is_candidate_script(name_of(&f.path))
                && roots.iter().any(|r| f.path.starts_with(&format!("{r}/")))
                && !f.path.split('/').any(|p| p == "__pycache__")
                && !selected.contains(&f.path)
                && f.text.contains("revision")
        })
        .filter_map(|f| f.path.strip_prefix(&format!("{folder}/")))
        .map(|rel| rel.split('/').map(str::to_string).collect())
        .collect();
    let found = crate::discovery::unread_scripts_finding(&crate::discovery::UnreadScripts {
        folder,
        unread,
        read: selected.len(),
        version_locations: s.version_locations.is_some(),
        config_file: Some(&cfg.path),
    });
    found
        .map(|d| crate::render::diagnostics::locate_all(&[d], files))
        .unwrap_or_default()
}

/// Where a `package:path` location is among the picked files. Alembic imports the package; the
/// code that ships an ini usually ships its package above it, so the package is the nearest
/// folder above the ini (up to the picked folder) holding `package/inside`; else, as before,
/// `package/inside` relative to the ini.
fn package_folder(files: &[SourceFile], here: &str, package: &str, inside: &str) -> String {
    let rel = format!("{package}/{inside}");
    let mut at = here;
    loop {
        let candidate = join(at, &rel);
        let prefix = format!("{candidate}/");
        if files.iter().any(|f| f.path.starts_with(&prefix)) {
            return candidate;
        }
        if at.is_empty() {
            return join(here, &rel);
        }
        at = dir_of(at);
    }
}

/// No usable config: every `.py` that declares a revision.
fn scripts_anywhere(files: &[SourceFile]) -> Selection {
    let mut selected: Vec<String> = files
        .iter()
        .filter(|f| is_candidate_script(name_of(&f.path)) && name_of(&f.path) != "env.py" && f.text.contains("revision"))
        .map(|f| f.path.clone())
        .collect();
    if selected.is_empty() {
        return Selection {
            kind: "none",
            ..Default::default()
        };
    }
    selected.sort();
    Selection {
        kind: "alembic",
        files: selected,
        ..Default::default()
    }
}

fn sql_selection(files: &[SourceFile]) -> Selection {
    let sql: Vec<&SourceFile> = files.iter().filter(|f| f.path.ends_with(".sql")).collect();
    if sql.is_empty() {
        return Selection {
            kind: "none",
            problem: Some("no alembic.ini, no Alembic revision script and no .sql migration in this folder".into()),
            ..Default::default()
        };
    }
    // The folder of the migrations: where the .sql files are, or the folder above one
    // folder per migration (diesel, DAG folders: `<root>/<id>_<name>/up.sql`).
    let mut dirs: Vec<&str> = sql
        .iter()
        .map(|f| {
            if matches!(name_of(&f.path), "up.sql" | "down.sql") {
                dir_of(dir_of(&f.path))
            } else {
                dir_of(&f.path)
            }
        })
        .collect();
    dirs.sort();
    dirs.dedup();
    let root = common_folder(&dirs);
    let under = |p: &str| root.is_empty() || p.starts_with(&format!("{root}/"));
    let selected: Vec<String> = files
        .iter()
        .filter(|f| under(&f.path) && crate::layout::is_folder_file(name_of(&f.path)))
        .map(|f| f.path.clone())
        .collect();
    let dialect = files
        .iter()
        .filter(|f| crate::layout::DIALECT_HINT_FILES.contains(&name_of(&f.path)))
        .find_map(|f| crate::layout::dialect_from_text(&f.text))
        .map(|d| d.name());
    Selection {
        kind: "sql",
        config: None,
        files: selected,
        roots: vec![root],
        dialect,
        problem: None,
        projects: Vec::new(),
        diagnostics: Vec::new(),
    }
}

/// The deepest folder that contains every one of `dirs` (`a/b`, `a/c` → `a`).
pub fn common_folder(dirs: &[&str]) -> String {
    let Some(first) = dirs.first() else { return String::new() };
    let parts: Vec<&str> = first.split('/').collect();
    let mut n = parts.len();
    for d in &dirs[1..] {
        let other: Vec<&str> = d.split('/').collect();
        n = n.min(parts.iter().zip(&other).take_while(|(a, b)| a == b).count());
    }
    parts[..n].join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(path: &str, text: &str) -> SourceFile {
        SourceFile::new(path, text)
    }

    #[test]
    fn alembic_ini_decides() {
        let files = [
            f(
                "shop/alembic.ini",
                "[alembic]\nscript_location = %(here)s/migrations\nsqlalchemy.url = mysql://x/y\n",
            ),
            f("shop/migrations/env.py", "context.configure()"),
            f("shop/migrations/versions/b.py", "revision = 'b'"),
            f("shop/migrations/versions/a.py", "revision = 'a'"),
            f("shop/other/c.py", "revision = 'c'"),
        ];
        let s = select(&files);
        assert_eq!(s.kind, "alembic");
        assert_eq!(
            s.files,
            [
                "shop/migrations/versions/a.py",
                "shop/migrations/versions/b.py",
                "shop/migrations/env.py"
            ]
        );
        assert_eq!(s.dialect, Some("mysql"));
    }

    #[test]
    fn scripts_in_sub_folders_the_locations_leave_out_are_a_warning_as_check_prints_it() {
        let ini = "[alembic]\nscript_location = migrations\n";
        let files = [
            f("alembic.ini", ini),
            f("migrations/env.py", "context.configure()"),
            f("migrations/versions/0001_a.py", "revision = '0001'"),
            f("migrations/versions/2024.1/expand/0002_b.py", "revision = '0002'"),
            f("migrations/versions/2024.1/contract/0003_c.py", "revision = '0003'"),
            // A helper module beside them names no revision: not a script left out.
            f("migrations/versions/2024.1/helpers.py", "def f(): pass"),
        ];
        let s = select(&files);
        assert_eq!(s.files, ["migrations/versions/0001_a.py", "migrations/env.py"]);
        let [d] = &s.diagnostics[..] else { panic!("{:?}", s.diagnostics) };
        assert_eq!(d.code, "scripts-outside-version-locations");
        assert_eq!(d.file.as_deref(), Some("alembic.ini"));
        // Word for word tests/discovery/nested_releases/expected/check (the CLI's).
        assert_eq!(
            d.message,
            "2 revision script(s) in sub-folders of migrations/versions are not read (only the folder's top level is read: 1 script(s)); env.py may register those folders in code, which migplan does not run"
        );
        assert_eq!(
            d.help.as_deref(),
            Some("to read them, run with `-d migrations/versions --recursive`, or set `recursive_version_locations = true` in alembic.ini")
        );
        // Read recursively: nothing is left out.
        let files = [
            f("alembic.ini", &format!("{ini}recursive_version_locations = true\n")),
            files[1].clone(),
            files[2].clone(),
            files[3].clone(),
        ];
        let s = select(&files);
        assert_eq!(s.files.len(), 3);
        assert!(s.diagnostics.is_empty());
    }

    #[test]
    fn a_pyproject_below_the_top_is_a_config_and_is_named_among_the_projects() {
        let files = [
            f("pyproject.toml", "[tool.ruff]\nline-length = 100\n"),
            f(
                "services/billing/pyproject.toml",
                "[tool.alembic]\nscript_location = \"%(here)s/db\"\nversion_locations = [\"%(here)s/db/archive\", \"%(here)s/db/versions\"]\n",
            ),
            f("services/billing/db/env.py", "context.configure()"),
            f("services/billing/db/archive/a.py", "revision = 'a'"),
            f("services/billing/db/versions/b.py", "revision = 'b'"),
            f("tools/migrations/env.py", "context.configure()"),
            f("tools/migrations/versions/x.py", "revision = 'x'"),
        ];
        let s = select(&files);
        assert_eq!(s.config.as_deref(), Some("services/billing/pyproject.toml"));
        assert_eq!(
            s.files,
            [
                "services/billing/db/archive/a.py",
                "services/billing/db/versions/b.py",
                "services/billing/db/env.py"
            ]
        );
        // Its script folder is its project, not one of its own.
        assert_eq!(s.projects, ["services/billing/pyproject.toml", "tools/migrations"]);
    }

    #[test]
    fn an_ini_inside_the_migrations_folder_is_flask_migrates() {
        let files = [
            f("app/migrations/alembic.ini", "[alembic]\n\n[loggers]\nkeys = root\n"),
            f("app/migrations/env.py", "context.configure()"),
            f("app/migrations/versions/a.py", "revision = 'a'"),
        ];
        let s = select(&files);
        assert_eq!(s.problem, None);
        assert_eq!(s.roots, ["app/migrations/versions"]);
        assert_eq!(s.files, ["app/migrations/versions/a.py", "app/migrations/env.py"]);
        // Without env.py or versions/ beside it, the ini still lacks its script_location.
        let files = [
            f("app/alembic.ini", "[alembic]\n"),
            f("app/migrations/versions/a.py", "revision = 'a'"),
        ];
        assert!(select(&files).problem.unwrap().contains("script_location"));
    }

    #[test]
    fn a_package_location_is_found_above_the_ini() {
        let files = [
            f(
                "dagsterish/storage/runs/alembic/alembic.ini",
                "[alembic]\nscript_location = dagsterish:storage/alembic\n",
            ),
            f("dagsterish/storage/alembic/env.py", "context.configure()"),
            f("dagsterish/storage/alembic/versions/a.py", "revision = 'a'"),
        ];
        let s = select(&files);
        assert_eq!(s.problem, None);
        assert_eq!(s.roots, ["dagsterish/storage/alembic/versions"]);
        assert_eq!(s.files.len(), 2);
        // Not found: relative to the ini, as before.
        let files = [f("app/alembic.ini", "[alembic]\nscript_location = pkg:m\n")];
        assert_eq!(select(&files).roots, ["app/pkg/m/versions"]);
    }

    #[test]
    fn sql_folders_find_their_root() {
        let files = [
            f("proj/.env", "DATABASE_URL=sqlite:app.db"),
            f("proj/db/migrations/a1_x/up.sql", ""),
            f("proj/db/migrations/a1_x/metadata.yaml", "parents: []"),
            f("proj/db/migrations/b2_y/up.sql", ""),
            f("proj/README.md", ""),
        ];
        let s = select(&files);
        assert_eq!(s.kind, "sql");
        assert_eq!(s.roots, ["proj/db/migrations"]);
        assert_eq!(s.files.len(), 3);
        assert_eq!(s.dialect, Some("sqlite"));
        assert_eq!(select(&[f("x/readme.txt", "")]).kind, "none");
    }

    #[test]
    fn two_script_folders_are_not_merged() {
        let files = [
            f("repo/app/migrations/env.py", ""),
            f("repo/app/migrations/versions/a.py", "revision = '1'"),
            f("repo/plugin/migrations/env.py", ""),
            f("repo/plugin/migrations/versions/b.py", "revision = '1'"),
        ];
        let s = select(&files);
        assert_eq!(s.kind, "alembic");
        assert_eq!(s.files, ["repo/app/migrations/versions/a.py", "repo/app/migrations/env.py"]);
        assert_eq!(s.projects, ["repo/app/migrations", "repo/plugin/migrations"]);
    }

    #[test]
    fn configs_in_skipped_folders_are_ignored() {
        let files = [
            f("repo/node_modules/tool/alembic.ini", "[alembic]\nscript_location = x\n"),
            f("repo/db/migrations/0001_a.sql", "SELECT 1;"),
        ];
        let s = select(&files);
        assert_eq!((s.kind, s.roots), ("sql", vec!["repo/db/migrations".to_string()]));
    }

    #[test]
    fn one_of_several_sql_folders_is_chosen_whole() {
        let files = [
            f("repo/migrations/mysql/0001_a.sql", "SELECT 1;"),
            f("repo/migrations/sqlite/0001_a.sql", "SELECT 1;"),
        ];
        let s = select(&files);
        assert_eq!(s.files, ["repo/migrations/mysql/0001_a.sql"]);
        assert_eq!(s.roots, ["repo/migrations/mysql"]);
        assert_eq!(s.projects.len(), 2);
    }
}
