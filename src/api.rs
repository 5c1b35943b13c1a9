//! The pure half of the wasm API: input limits, option decoding and validation, loading the
//! files, and the plan a call asks for. `wasm.rs` only converts JS values to and from these;
//! keeping them here lets them be tested and fuzzed natively (fuzz/fuzz_targets/wasm_input.rs).
//! Misuse is an `Err` with the message the JS `Error` carries.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::analysis::{Analysis, ProjectOptions, analyze_project};
use crate::bookkeeping::{bookkeeping_by_name, bookkeeping_names};
use crate::codes::Code;
use crate::dialect::{Dialect, dialect_from_name};
use crate::dry_run::DryRun;
use crate::layout::layout_by_name;
use crate::plan::Direction;
use crate::source::SourceFile;

/// Input limits: an edge function must not be made to spin.
pub const MAX_FILES: usize = 50_000;
pub const MAX_TOTAL_BYTES: usize = 64 * 1024 * 1024;
pub const MAX_FILE_BYTES: usize = crate::layout::MAX_FILE_BYTES;

/// The files are within the limits, and no path is given twice (diagnostics name files by
/// path, so a second file under the same path would be located in the first one's text).
pub fn check_files(files: &[SourceFile]) -> Result<(), String> {
    if files.len() > MAX_FILES {
        return Err(format!("files: {} files given; the limit is {MAX_FILES}", files.len()));
    }
    let mut total = 0usize;
    let mut paths = std::collections::BTreeSet::new();
    for f in files {
        if !paths.insert(f.path.as_str()) {
            return Err(format!("files: {} is given twice; each path must be unique", f.path));
        }
        if f.text.len() > MAX_FILE_BYTES {
            return Err(format!(
                "files: {} is {} bytes; the limit per file is {MAX_FILE_BYTES}",
                f.path,
                f.text.len()
            ));
        }
        total += f.text.len();
    }
    if total > MAX_TOTAL_BYTES {
        return Err(format!("files: {total} bytes in all; the limit is {MAX_TOTAL_BYTES}"));
    }
    Ok(())
}

/// A misspelt option would silently do nothing: refuse any key that is not an option.
pub fn check_option_keys<'k>(keys: impl IntoIterator<Item = &'k str>) -> Result<(), String> {
    for key in keys {
        if !OPTION_NAMES.contains(&key) {
            return Err(format!("options: unknown field `{key}` (known: {})", OPTION_NAMES.join(", ")));
        }
    }
    Ok(())
}

/// The options object as JSON (what `wasm.rs` reads from a JS value): `null` is the defaults.
pub fn options_from_json(options: &serde_json::Value) -> Result<Options, String> {
    let object = match options {
        serde_json::Value::Null => return Ok(Options::default()),
        serde_json::Value::Object(o) => o,
        _ => return Err("options: expected an object".into()),
    };
    check_option_keys(object.keys().map(String::as_str))?;
    serde_json::from_value(options.clone()).map_err(|e| format!("options: {e}"))
}

/// The options of `analyze`, `plan`, `schema` and `renderReport` (camelCase in JS).
#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Options {
    pub layout: Option<String>,
    pub dialect: Option<String>,
    pub roots: Option<Vec<String>>,
    pub enable: Option<Vec<String>>,
    // Plan options.
    pub direction: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub transaction_per_migration: Option<bool>,
    pub version_table: Option<String>,
    pub version_table_schema: Option<String>,
    pub bookkeeping: Option<String>,
    pub x_args: Option<std::collections::BTreeMap<String, String>>,
    pub graph_svg: Option<bool>,
    pub title: Option<String>,
    /// `analyze` only: also make this plan from the same reading of the files.
    pub plan: Option<Box<Options>>,
    // Validation options.
    /// `migplan.toml` text: rule severities, versions.
    pub config: Option<String>,
    /// `default` or `strict`: the lint rules that run (wins over `[rules] preset`).
    pub preset: Option<String>,
    pub pg_version: Option<String>,
    pub mysql_version: Option<String>,
    pub since: Option<String>,
    /// `schema` only: the revision (default heads).
    pub revision: Option<String>,
}

pub const OPTION_NAMES: &[&str] = &[
    "layout",
    "dialect",
    "roots",
    "enable",
    "direction",
    "from",
    "to",
    "transactionPerMigration",
    "versionTable",
    "versionTableSchema",
    "bookkeeping",
    "xArgs",
    "graphSvg",
    "title",
    "plan",
    "config",
    "preset",
    "pgVersion",
    "mysqlVersion",
    "since",
    "revision",
];

/// The dialect option (default PostgreSQL).
pub fn dialect(o: &Options) -> Result<&'static dyn Dialect, String> {
    match &o.dialect {
        None => Ok(&crate::dialect::postgresql::PostgreSQL),
        Some(name) => {
            dialect_from_name(name).ok_or_else(|| format!("options.dialect: unknown dialect {name:?} (postgresql, mysql, mariadb, sqlite)"))
        }
    }
}

/// Read the files as a project with the options (what `plan` and `schema` need).
pub fn load(files: &[SourceFile], o: &Options) -> Result<Analysis, String> {
    if let Some(l) = &o.layout
        && l != "alembic"
        && layout_by_name(l).is_none()
    {
        return Err(format!("options.layout: unknown layout {l:?}"));
    }
    let mut enable = Vec::new();
    for name in o.enable.iter().flatten() {
        match Code::from_name(name) {
            Some(c) if c.off_by_default() => enable.push(c),
            _ => return Err(format!("options.enable: {name:?} is not an off-by-default code")),
        }
    }
    let opts = ProjectOptions {
        layout: o.layout.clone(),
        dialect: dialect(o)?,
        roots: o.roots.clone(),
        enable,
    };
    Ok(analyze_project(files, &opts))
}

/// [`load`], then validate as `migplan check` does (what `analyze` and `renderReport` show).
pub fn load_checked(files: &[SourceFile], o: &Options) -> Result<Analysis, String> {
    Ok(load_split(files, o)?.0)
}

/// [`load_checked`], with the findings about deployed revisions (`since`, or the
/// `[check] baseline` of `options.config`) split off as `check` does: the analysis keeps
/// what is listed, the split also says which of those are deployed and counts the rest.
pub fn load_split(files: &[SourceFile], o: &Options) -> Result<(Analysis, crate::deployed::Split), String> {
    let mut a = load(files, o)?;
    let (diags, deployed) = validate(&a, files, o, dialect(o)?)?;
    let split = match &deployed {
        Some(ids) => crate::deployed::split(&a, diags, ids, false),
        None => crate::deployed::Split::all(diags),
    };
    a.diagnostics = split.shown.clone();
    Ok((a, split))
}

/// Every finding `migplan check` reports: the analysis' plus the schema simulation's and
/// the lint rules', with `migplan.toml` (`options.config`) applied.
fn validate(
    a: &Analysis,
    files: &[SourceFile],
    o: &Options,
    d: &'static dyn Dialect,
) -> Result<(Vec<crate::Diagnostic>, Option<std::collections::BTreeSet<String>>), String> {
    use crate::lint::config::{LintConfig, parse_version};
    let mut config = match &o.config {
        None => LintConfig::default(),
        Some(text) => LintConfig::parse(text).map_err(|e| match e.line {
            Some(l) => format!("options.config: line {l}: {}", e.message),
            None => format!("options.config: {}", e.message),
        })?,
    };
    let version = |name: &str, v: &Option<String>| -> Result<Option<(u32, u32)>, String> {
        match v {
            None => Ok(None),
            Some(s) => parse_version(s)
                .map(Some)
                .ok_or_else(|| format!("options.{name}: {s:?} is not a version (e.g. \"15\" or \"8.0\")")),
        }
    };
    if let Some(p) = &o.preset {
        config.preset = crate::lint::Tier::from_name(p).ok_or_else(|| format!("options.preset: unknown preset {p:?} (default, strict)"))?;
    }
    if let Some(v) = version("pgVersion", &o.pg_version)? {
        config.pg_version = Some(v);
    }
    if let Some(v) = version("mysqlVersion", &o.mysql_version)? {
        config.mysql_version = Some(v);
    }
    let deployed = match &o.since {
        Some(rev) => Some(crate::deployed::with_ancestors(a, std::slice::from_ref(rev)).map_err(|e| format!("options.since: {e}"))?),
        None if !config.baseline.is_empty() => {
            Some(crate::deployed::with_ancestors(a, &config.baseline).map_err(|e| format!("options.config: [check] baseline: {e}"))?)
        }
        None => None,
    };
    let texts: BTreeMap<String, String> = files.iter().map(|f| (f.path.clone(), f.text.clone())).collect();
    let opts = crate::validate::ValidateOptions {
        dialect: d,
        config,
        deployed,
        texts: Some(&texts),
        env_sets_timeout: crate::validate::env_sets_timeout(&texts),
        parallel: &crate::parallel::Sequential,
    };
    let diags = crate::validate::check(a, &opts);
    Ok((diags, opts.deployed))
}

/// The plan `o` asks for, as `plan()` returns it.
pub fn plan_value(a: &Analysis, o: &Options, texts: &BTreeMap<String, String>) -> Result<serde_json::Value, String> {
    let direction = match o.direction.as_deref().unwrap_or("upgrade") {
        "upgrade" => Direction::Upgrade,
        "downgrade" => Direction::Downgrade,
        "stamp" => Direction::Stamp,
        other => return Err(format!("options.direction: {other:?} is not upgrade, downgrade or stamp")),
    };
    let bookkeeping = match o.bookkeeping.as_deref() {
        None => &crate::bookkeeping::alembic::Alembic,
        Some(name) => bookkeeping_by_name(name)
            .ok_or_else(|| format!("options.bookkeeping: unknown {name:?} (known: {})", bookkeeping_names().join(", ")))?,
    };
    let target = match direction {
        Direction::Downgrade => format!("{}:{}", o.from.as_deref().unwrap_or("heads"), o.to.as_deref().unwrap_or("base")),
        _ => match (&o.from, &o.to) {
            (Some(f), t) => format!("{f}:{}", t.as_deref().unwrap_or("heads")),
            (None, t) => t.clone().unwrap_or_else(|| "heads".into()),
        },
    };
    let targets = [target];
    let run = DryRun {
        direction,
        targets: &targets,
        dialect: dialect(o)?,
        transaction_per_migration: o.transaction_per_migration.unwrap_or(false),
        version_table: o.version_table.clone(),
        version_table_schema: o.version_table_schema.clone(),
        x_args: o.x_args.clone().unwrap_or_default().into_iter().collect(),
        bookkeeping,
        parallel: &crate::parallel::Sequential,
    };
    let value = match run.run(a) {
        Ok(outcome) => serde_json::to_value(outcome.json(texts)),
        Err(msg) => Ok(serde_json::json!({ "error": msg, "diagnostics": [] })),
    };
    value.map_err(|e| format!("internal: cannot build the plan: {e}"))
}

/// The options of `autogenerate` (camelCase in JS), as `revision --autogenerate` takes them.
#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AutogenOptions {
    /// `-m`.
    pub message: Option<String>,
    /// `--rev-id` (the wasm API picks a random one when not given).
    pub rev_id: Option<String>,
    /// `--head` (default `head`).
    pub head: Option<String>,
    /// Default: the dialect the project's configuration names, else PostgreSQL.
    pub dialect: Option<String>,
    /// `compare_server_default=True` whatever env.py says.
    pub compare_server_default: Option<bool>,
    /// `-x key=value`.
    pub x_args: Option<BTreeMap<String, String>>,
}

pub const AUTOGEN_OPTION_NAMES: &[&str] = &["message", "revId", "head", "dialect", "compareServerDefault", "xArgs"];

/// What `autogenerate` returns: the revision `revision --autogenerate` writes (`None` when
/// the models and the migrations agree), where, the `check --models` findings, and what
/// could not be read.
#[derive(serde::Serialize)]
pub struct AutogenOut {
    pub revision: Option<String>,
    pub path: Option<String>,
    pub findings: Vec<crate::diagnostic::LocatedDiagnostic>,
    pub unknown: Vec<crate::models::UnknownTable>,
}

fn dir_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(d, _)| d)
}

/// Autogenerate on files: the project [`crate::project::select`] picks among them is the
/// migrations side, every `.py` file the models side (read from env.py's imports, as the
/// CLI reads them). `rev_id` and `date` are the caller's (the wasm API has no clock).
pub fn autogenerate(
    files: &[SourceFile],
    o: &AutogenOptions,
    rev_id: &str,
    date: &crate::timestamp::Timestamp,
) -> Result<AutogenOut, String> {
    let sel = crate::project::select(files);
    if sel.kind != "alembic" {
        return Err(sel
            .problem
            .unwrap_or_else(|| "autogenerate needs an Alembic project (alembic.ini and env.py)".into()));
    }
    let listed: std::collections::BTreeSet<&str> = sel.files.iter().map(String::as_str).collect();
    let project: Vec<SourceFile> = files.iter().filter(|f| listed.contains(f.path.as_str())).cloned().collect();
    let d = match (&o.dialect, sel.dialect) {
        (Some(name), _) => dialect_from_name(name)
            .ok_or_else(|| format!("options.dialect: unknown dialect {name:?} (postgresql, mysql, mariadb, sqlite)"))?,
        (None, Some(name)) => dialect_from_name(name).unwrap_or(&crate::dialect::postgresql::PostgreSQL),
        (None, None) => &crate::dialect::postgresql::PostgreSQL,
    };
    let name = |p: &str| p.rsplit('/').next().unwrap_or("").to_string();
    let env = project
        .iter()
        .find(|f| name(&f.path) == "env.py")
        .ok_or("no env.py: the models are found through env.py's target_metadata")?;
    let opts = ProjectOptions {
        layout: Some("alembic".into()),
        dialect: d,
        roots: None,
        enable: Vec::new(),
    };
    let mut a = analyze_project(&project, &opts);
    if let Some(c) = &a.map.cycle {
        return Err(c.message.clone());
    }
    if o.compare_server_default == Some(true) {
        a.env.compare_server_default = Some(true);
    }
    let config = sel.config.as_deref().and_then(|c| files.iter().find(|f| f.path == c));
    let here = sel.config.as_deref().map_or("", dir_of);
    let roots: Vec<String> = crate::models::sys_path(config)
        .iter()
        .map(|r| {
            let s = crate::project::join(here, r);
            if s.is_empty() { ".".to_string() } else { s }
        })
        .collect();
    let py: Vec<SourceFile> = files.iter().filter(|f| f.path.ends_with(".py")).cloned().collect();
    let models = crate::models::read(&py, &roots, env);
    let parents = crate::new_revision::parents(&a.map, o.head.as_deref().unwrap_or("head"), false)?;
    let x_args: Vec<(String, String)> = o.x_args.clone().unwrap_or_default().into_iter().collect();
    let cmp = crate::autogen::compare_at(&a, &models, &parents, d, &x_args);
    let diags = crate::autogen::findings::findings(&models, &cmp, &env.path, &a.env.autogenerate_hooks);
    let texts: BTreeMap<String, String> = files.iter().map(|f| (f.path.clone(), f.text.clone())).collect();
    let findings = crate::render::diagnostics::locate_all(&diags, &texts);
    let (revision, path) = if cmp.changes.is_empty() || models.target_problem.is_some() {
        (None, None)
    } else {
        let ops: Vec<_> = cmp.changes.into_iter().map(|c| c.op).collect();
        let (up, down, imports) = crate::autogen::render::bodies(&ops, d, a.env.render_as_batch.unwrap_or(false));
        let settings = config.filter(|c| name(&c.path) == "alembic.ini").and_then(|c| {
            crate::config::parse_ini(&c.text)
                .ok()
                .and_then(|ini| crate::config::alembic_settings_from_ini(&ini, "alembic", here, ':').ok())
        });
        let script_opts = crate::alembic_script::ScriptOptions::read(settings.as_ref())?;
        crate::alembic_script::verify_rev_id(rev_id)?;
        let create_date = script_opts.create_date(date);
        let spec = crate::alembic_script::ScriptSpec {
            bodies: Some((&up, &down, &imports)),
            rev_id,
            parents: &parents,
            message: o.message.as_deref(),
            branch_label: None,
            depends_on: &[],
            create_date: &create_date,
        };
        let mako = crate::project::join(dir_of(&env.path), "script.py.mako");
        let text = match files.iter().find(|f| f.path == mako) {
            Some(t) => crate::alembic_script::render_template(&t.text, &spec)
                .map_err(|why| format!("{mako}: {why}, which migplan does not run"))?,
            None => crate::alembic_script::render_template(crate::alembic_script::DEFAULT_TEMPLATE, &spec)?,
        };
        // Alembic's folder: the only versions folder, else the first parent's.
        let dir = parents
            .iter()
            .find_map(|p| a.map.by_id.get(p).map(|&i| dir_of(&a.revision(i).path).to_string()))
            .unwrap_or_else(|| crate::project::join(dir_of(&env.path), "versions"));
        let stem = crate::alembic_script::file_stem(
            &script_opts.file_template,
            rev_id,
            &crate::alembic_script::slug(o.message.as_deref(), script_opts.truncate_slug_length),
            date,
        )?;
        (Some(text), Some(crate::project::join(&dir, &format!("{stem}.py"))))
    };
    Ok(AutogenOut {
        revision,
        path,
        findings,
        unknown: models.unknown,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn options_decode_like_the_js_api() {
        assert!(options_from_json(&json!(null)).is_ok());
        assert_eq!(options_from_json(&json!([1])).err().as_deref(), Some("options: expected an object"));
        let e = options_from_json(&json!({"dialekt": "mysql"})).err().unwrap();
        assert!(e.starts_with("options: unknown field `dialekt` (known: layout, dialect,"), "{e}");
        let e = options_from_json(&json!({"graphSvg": "yes"})).err().unwrap();
        assert!(e.starts_with("options: invalid type"), "{e}");
        let o = options_from_json(&json!({"dialect": "sqlite", "plan": {"direction": "stamp"}})).unwrap();
        assert_eq!(dialect(&o).unwrap().name(), "sqlite");
        let mariadb = options_from_json(&json!({"dialect": "mariadb"})).unwrap();
        assert_eq!(dialect(&mariadb).unwrap().product_name(), "MariaDB");
        assert_eq!(o.plan.unwrap().direction.as_deref(), Some("stamp"));
        let e = dialect(&options_from_json(&json!({"dialect": "oracle"})).unwrap()).err().unwrap();
        assert!(e.starts_with("options.dialect: unknown dialect \"oracle\""), "{e}");
    }

    #[test]
    fn since_lists_only_what_follows_it() {
        let script = |id: &str, down: &str| {
            SourceFile::new(
                format!("v/{id}.py"),
                format!("revision = '{id}'\ndown_revision = {down}\ndef upgrade():\n    pass\ndef downgrade():\n    pass\n"),
            )
        };
        let files = [script("a", "None"), script("b", "'a'")];
        let files_of = |o: &Options| -> Vec<String> {
            load_checked(&files, o)
                .unwrap()
                .diagnostics
                .iter()
                .filter_map(|d| d.file.clone())
                .collect()
        };
        assert_eq!(files_of(&Options::default()), ["v/a.py", "v/b.py"]);
        let since_a = options_from_json(&json!({"since": "a"})).unwrap();
        assert_eq!(files_of(&since_a), ["v/b.py"]);
        let e = load_checked(&files, &options_from_json(&json!({"since": "zz"})).unwrap())
            .err()
            .unwrap();
        assert!(e.starts_with("options.since: zz: "), "{e}");
    }

    #[test]
    fn the_preset_option_turns_strict_rules_on() {
        let files = [
            SourceFile::new("m/000001_users.up.sql", "CREATE TABLE users (id integer PRIMARY KEY);\n"),
            SourceFile::new("m/000001_users.down.sql", "DROP TABLE users;\n"),
        ];
        let codes = |o: serde_json::Value| -> Vec<&'static str> {
            let a = load_checked(&files, &options_from_json(&o).unwrap()).unwrap();
            a.diagnostics.iter().map(|d| d.code.name()).collect()
        };
        assert_eq!(codes(json!(null)), Vec::<&str>::new());
        assert_eq!(codes(json!({"preset": "strict"})), ["prefer-bigint-primary-key"]);
        assert_eq!(
            codes(json!({"preset": "default", "config": "[rules]\npreset = \"strict\"\n"})),
            Vec::<&str>::new()
        );
        let e = load_checked(&files, &options_from_json(&json!({"preset": "loud"})).unwrap()).unwrap_err();
        assert!(e.starts_with("options.preset: unknown preset \"loud\""), "{e}");
    }

    #[test]
    fn file_limits() {
        assert!(check_files(&[SourceFile::new("a.py", "x")]).is_ok());
        let big = SourceFile::new("big.sql", " ".repeat(MAX_FILE_BYTES + 1));
        assert!(check_files(&[big]).unwrap_err().starts_with("files: big.sql is "));
    }
}
