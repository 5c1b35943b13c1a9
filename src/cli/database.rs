//! The commands that talk to a live database: `upgrade`/`downgrade`/`stamp` without
//! `--sql`, `current`, `history --indicate-current`, `check --db` and `rebless`. The
//! work is in `crate::runner`; this module picks the URL, prints, and reports progress.

use std::collections::{BTreeMap, BTreeSet};
use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

use super::discover::{Discovery, read_source};
use crate::analysis::Analysis;
use crate::codes::{Code, Severity};
use crate::diagnostic::Diagnostic;
use crate::plan::Direction;
use crate::render::sql_plan::RenderOptions;
use crate::runner::url::{Backend, DEFAULT_URL, DbUrl, mask};
use crate::runner::{Reporter, Runner, driver, state};

const FAILED: u8 = 1;

/// `--db`, else `DATABASE_URL`, else alembic.ini's `sqlalchemy.url`, else the embedded
/// SQLite default. Returns the URL and where it came from.
pub fn database_url(flag: Option<&str>, disc: &Discovery) -> Result<(DbUrl, &'static str), String> {
    let (raw, from) = if let Some(u) = flag {
        (u.to_string(), "--db")
    } else if let Some(u) = std::env::var("DATABASE_URL").ok().filter(|u| !u.trim().is_empty()) {
        (u, "DATABASE_URL")
    } else if let Some(u) = disc.settings.as_ref().and_then(|s| s.sqlalchemy_url.clone()) {
        (u, "sqlalchemy.url")
    } else {
        (DEFAULT_URL.to_string(), "the default")
    };
    let url = DbUrl::parse(&raw).map_err(|e| format!("{e} (from {from})"))?;
    Ok((url, from))
}

/// Progress: a bar on a terminal, Alembic-style plain lines otherwise (CI logs).
#[derive(Default)]
pub struct Progress {
    bar: Option<ProgressBar>,
}

impl Reporter for Progress {
    fn step_started(&mut self, index: usize, total: usize, label: &str) {
        if std::io::stderr().is_terminal() && total > 1 {
            let bar = self.bar.get_or_insert_with(|| {
                let b = ProgressBar::new(total as u64);
                b.set_style(
                    ProgressStyle::with_template("{bar:30} {pos}/{len} {elapsed} {msg}").unwrap_or_else(|_| ProgressStyle::default_bar()),
                );
                b
            });
            bar.set_position(index as u64);
            bar.set_message(label.to_string());
        } else {
            eprintln!("INFO  [migplan] {label}");
        }
    }
    fn step_finished(&mut self, index: usize, elapsed: Duration) {
        match &self.bar {
            Some(bar) => {
                bar.set_position(index as u64 + 1);
                bar.println(format!("  done in {:.1} ms", elapsed.as_secs_f64() * 1000.0));
            }
            None => eprintln!("INFO  [migplan]   done in {:.1} ms", elapsed.as_secs_f64() * 1000.0),
        }
    }
    fn note(&mut self, text: &str) {
        match &self.bar {
            Some(bar) => bar.println(text),
            None => eprintln!("INFO  [migplan] {text}"),
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(b) = self.bar.take() {
            b.finish_and_clear();
        }
    }
}

/// Everything a database command needs.
pub struct DbArgs<'a> {
    pub analysis: &'a Analysis,
    pub url: DbUrl,
    pub render: RenderOptions,
    pub lock_timeout: Duration,
    /// Paths of the files read, for checksums.
    pub files: &'a [String],
}

fn texts(files: &[String]) -> BTreeMap<String, String> {
    files
        .iter()
        .filter_map(|p| read_source(Path::new(p)))
        .map(|f| (f.path.clone(), f.text.to_string()))
        .collect()
}

fn connect<'a>(args: &DbArgs<'a>, texts: &'a BTreeMap<String, String>) -> Result<Runner<'a>, String> {
    let db = driver::connect(&args.url)?;
    Ok(Runner {
        analysis: args.analysis,
        texts,
        db,
        render: args.render.clone(),
        lock_timeout: args.lock_timeout,
    })
}

fn failed(msg: &str) -> ExitCode {
    eprintln!("FAILED: {}", mask(msg));
    ExitCode::from(FAILED)
}

/// Refuse to touch a database with a history that has load errors.
fn refuse_broken(a: &Analysis) -> Option<ExitCode> {
    if let Some(d) = a.diagnostics.iter().find(|d| d.is_error() && d.code.is_load_problem()) {
        return Some(failed(&format!(
            "the migrations have errors ({}); fix them before running against a database",
            d.message
        )));
    }
    // A revision graph read with guesses (ids or parents only Python can compute) would run
    // migrations in an order Alembic may not: warnings for `check`, a refusal here.
    a.diagnostics.iter().find(|d| d.code == Code::NonLiteralRevisionAttribute).map(|d| {
        failed(&format!(
            "the revision graph cannot be read without running Python ({}{}); nothing was run: write the \
                 revision variables as plain strings, or run these migrations with Alembic",
            d.message,
            d.file.as_deref().map(|f| format!(", {f}")).unwrap_or_default()
        ))
    })
}

pub fn apply(args: &DbArgs, direction: Direction, targets: &[String], purge: bool) -> ExitCode {
    if let Some(code) = refuse_broken(args.analysis) {
        return code;
    }
    let texts = texts(args.files);
    let mut runner = match connect(args, &texts) {
        Ok(r) => r,
        Err(e) => return failed(&e),
    };
    eprintln!("INFO  [migplan] Database {} ({})", args.url, runner.db.dialect().name());
    let mut progress = Progress::default();
    let result = runner.run(direction, targets, purge, &mut progress);
    drop(progress);
    match result {
        Ok(done) => {
            if done.steps.is_empty() {
                eprintln!("INFO  [migplan] Nothing to do: the database is at {}", heads_text(&done.heads));
            } else {
                let total: u128 = done.timings.iter().sum();
                eprintln!(
                    "INFO  [migplan] {} step(s) in {total} ms; the database is at {}",
                    done.steps.len(),
                    heads_text(&done.heads)
                );
            }
            ExitCode::SUCCESS
        }
        Err(e) => failed(&e.0),
    }
}

fn heads_text(heads: &[String]) -> String {
    if heads.is_empty() { "base".into() } else { heads.join(", ") }
}

/// `migplan current`: the database's heads, as `alembic current` prints them.
pub fn current(args: &DbArgs, verbose: bool) -> ExitCode {
    let texts = BTreeMap::new();
    let mut runner = match connect(args, &texts) {
        Ok(r) => r,
        Err(e) => return failed(&e),
    };
    let st = match runner.current() {
        Ok(s) => s,
        Err(e) => return failed(&e.0),
    };
    if verbose {
        println!("Current revision(s) for {}:", args.url);
    }
    let a = args.analysis;
    let view = crate::render::alembic_text::View {
        map: &a.map,
        revisions: &a.revisions,
    };
    // Alembic's `current` prints `Script.cmd_format(verbose)`: no branch labels, and the
    // tree indicators `heads` leaves out (`(branchpoint)`, `(mergepoint)`).
    for h in st.heads.iter().filter_map(|h| a.map.by_id.get(h).copied()) {
        if verbose {
            println!("{}", view.log_entry(h, false));
        } else {
            let opts = crate::render::alembic_text::HeadOnly {
                tree_indicators: true,
                ..Default::default()
            };
            println!("{}", view.head_only(h, opts));
        }
    }
    for u in &st.unknown {
        eprintln!("FAILED: the database records revision {u}, which no migration file defines");
    }
    if st.unknown.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(FAILED)
    }
}

/// The revisions `history --indicate-current` marks.
pub fn current_heads(args: &DbArgs) -> Result<Vec<usize>, String> {
    let texts = BTreeMap::new();
    let mut runner = connect(args, &texts)?;
    let st = runner.current().map_err(|e| e.0)?;
    Ok(st.heads.iter().filter_map(|h| args.analysis.map.by_id.get(h).copied()).collect())
}

/// What `check --db URL` learns from the database: applied, pending, edited after apply,
/// unknown, unfinished. `check` lists these findings with the static ones and treats the
/// applied revisions as deployed.
pub fn state(args: &DbArgs) -> Result<crate::deployed::DbState, String> {
    let texts = texts(args.files);
    let mut runner = connect(args, &texts).map_err(|e| mask(&e))?;
    let a = args.analysis;
    let st = runner.current().map_err(|e| mask(&e.0))?;
    let audit = crate::runner::audit::Audit::new(runner.db.dialect(), &runner.render);
    let audit_exists = runner
        .db
        .table_exists(&crate::ops::TableRef {
            name: crate::runner::audit::TABLE.into(),
            schema: runner.render.version_table_schema.clone(),
        })
        .unwrap_or(false);
    let (sums, open) = if audit_exists {
        (
            audit.checksums(runner.db.as_mut()).unwrap_or_default(),
            audit.in_progress(runner.db.as_mut()).unwrap_or_default(),
        )
    } else {
        Default::default()
    };
    let order: Vec<usize> = a
        .map
        .walk_revisions("base", "heads")
        .unwrap_or_default()
        .into_iter()
        .rev()
        .collect();
    let applied: Vec<String> = order
        .iter()
        .map(|&r| a.map.id(r))
        .filter(|id| st.applied.contains(*id))
        .map(str::to_string)
        .collect();
    let pending: Vec<String> = order
        .iter()
        .map(|&r| a.map.id(r))
        .filter(|id| !st.applied.contains(*id))
        .map(str::to_string)
        .collect();
    let mut diags: Vec<Diagnostic> = Vec::new();
    for &r in &order {
        let id = a.map.id(r);
        let (Some(recorded), true) = (sums.get(id), st.applied.contains(id)) else {
            continue;
        };
        let rev = &a.revisions[a.map.node(r).rev];
        match state::revision_checksum(a, r, &texts) {
            Some(now) if &now != recorded => diags.push(
                Diagnostic::new(
                    Code::ChecksumMismatch,
                    format!(
                        "revision {id} was edited after it was applied to this database: {} differs from the text that ran",
                        rev.path
                    ),
                )
                .in_file(&rev.path)
                .help(format!(
                    "restore the applied text (git log -p {}), or accept the new text with `migplan rebless {id}`",
                    rev.path
                )),
            ),
            _ => {}
        }
    }
    for u in &st.unknown {
        diags.push(
            Diagnostic::new(
                Code::UnknownDatabaseRevision,
                format!("the database records revision {u}, which no migration file defines"),
            )
            .help("check out the branch that has this migration, or `migplan stamp --purge` a revision these files know"),
        );
    }
    for d in &st.dirty {
        diags.push(Diagnostic::new(
            Code::MigrationInProgress,
            format!("the version table marks {d} as dirty (a failed run)"),
        ));
    }
    for o in &open {
        diags.push(Diagnostic::new(Code::MigrationInProgress, state::in_progress_message(o, a)));
    }
    if !pending.is_empty() {
        diags.push(Diagnostic::new(
            Code::PendingMigration,
            format!("{} revision(s) not applied yet: {}", pending.len(), pending.join(", ")),
        ));
    }
    if st.unknown.is_empty() {
        diags.extend(drift(&mut runner, &st.heads).map_err(|e| mask(&e))?);
    }
    Ok(crate::deployed::DbState {
        url: args.url.masked(),
        current: st.heads.clone(),
        applied,
        pending,
        unknown: st.unknown.clone(),
        diagnostics: diags,
    })
}

/// The tables the runner keeps for itself (version table, audit table), lower-case.
fn bookkeeping_tables(runner: &Runner) -> Vec<String> {
    vec![
        runner.render.bookkeeping.table(&runner.render).name.to_lowercase(),
        crate::runner::audit::TABLE.to_string(),
    ]
}

/// The live schema as autogenerate's "models" side and the simulated schema at `heads`,
/// compared. Also whether opaque steps make the simulation uncertain.
pub fn live_comparison(runner: &mut Runner, heads: &[String]) -> Result<(crate::autogen::compare::Comparison, bool), String> {
    let a = runner.analysis;
    let d = runner.db.dialect();
    let live = runner.db.live_schema()?;
    let columns = runner.db.live_columns()?;
    let actions = runner.db.live_fk_actions()?;
    let shapes = crate::schema::shape::Shapes::at(&a.map, &a.revisions, heads, d, &runner.render.x_args);
    let models = crate::runner::live_models::live_models(&live, &columns, &actions, &bookkeeping_tables(runner), &shapes, d);
    let opts = crate::autogen::compare::Options {
        server_default: false,
        types: a.env.compare_type.unwrap_or(true),
        assumed_base: crate::autogen::assumed_base(a, d),
    };
    let cmp = crate::autogen::compare::compare(&models, &shapes, d, &opts);
    let idx: Vec<usize> = heads.iter().filter_map(|h| a.map.by_id.get(h).copied()).collect();
    let uncertain = !idx.is_empty() && crate::validate::schema_at(a, &idx, d, &super::parallel::Rayon).0.uncertain;
    Ok((cmp, uncertain))
}

/// `revision --autogenerate --db URL`: the live database compared with the schema at
/// `parents`, which must be where the database is (Alembic: "Target database is not up to
/// date."). Returns the comparison and the database's dialect.
pub fn live_autogenerate(
    args: &DbArgs,
    parents: &[String],
) -> Result<(crate::autogen::compare::Comparison, &'static dyn crate::dialect::Dialect), String> {
    let texts = BTreeMap::new();
    let mut runner = connect(args, &texts).map_err(|e| mask(&e))?;
    let st = runner.current().map_err(|e| mask(&e.0))?;
    let at: BTreeSet<&String> = st.heads.iter().collect();
    let want: BTreeSet<&String> = parents.iter().collect();
    if at != want {
        return Err(format!(
            "Target database is not up to date: it is at {}, the new revision goes on {} (`migplan upgrade` first)",
            if st.heads.is_empty() {
                "base".to_string()
            } else {
                st.heads.join(", ")
            },
            if parents.is_empty() {
                "base".to_string()
            } else {
                parents.join(", ")
            }
        ));
    }
    let (mut cmp, uncertain) = live_comparison(&mut runner, parents).map_err(|e| mask(&e))?;
    // Only the current schema is read: tables the migrations put elsewhere stay.
    cmp.changes
        .retain(|c| !matches!(&c.op, crate::autogen::AutoOp::DropTable { table, .. } if table.schema.is_some()));
    if uncertain {
        eprintln!("warning: an applied revision runs steps migplan does not model; tables they made may be written as new");
    }
    Ok((cmp, runner.db.dialect()))
}

/// `check --db`: where the live schema differs from the simulated one at `heads`.
fn drift(runner: &mut Runner, heads: &[String]) -> Result<Vec<Diagnostic>, String> {
    let (cmp, uncertain) = live_comparison(runner, heads)?;
    let at = if heads.is_empty() { "base".to_string() } else { heads.join(", ") };
    Ok(crate::runner::live_models::drift_findings(
        &cmp,
        uncertain,
        &format!("database at {at}"),
    ))
}

pub fn rebless(args: &DbArgs, rev: &str) -> ExitCode {
    let texts = texts(args.files);
    let mut runner = match connect(args, &texts) {
        Ok(r) => r,
        Err(e) => return failed(&e),
    };
    match runner.rebless(rev) {
        Ok(sum) => {
            println!("reblessed {rev}: its current text (sha256 {}) is now the applied one", &sum[..12]);
            ExitCode::SUCCESS
        }
        Err(e) => failed(&e.0),
    }
}

/// The scratch database a roundtrip runs in, dropped (or deleted) when this goes out of
/// scope, whatever happened in between.
enum Scratch {
    Sqlite(std::path::PathBuf),
    Server {
        admin: Box<dyn driver::Driver>,
        name: String,
        backend: Backend,
        /// MySQL: the databases that existed before the run, and those the project's files
        /// create by name (`CREATE SCHEMA reporting`): a schema is a database there, outside
        /// the scratch one, and is dropped too when the run made it.
        before: BTreeSet<String>,
        named: BTreeSet<String>,
    },
}

impl Scratch {
    /// A new empty database: a file for SQLite, `migplan_roundtrip_<pid>_<n>` on the server
    /// `server` names (reached through its own database). Returns its URL too.
    fn create(server: Option<&DbUrl>, texts: &BTreeMap<String, String>) -> Result<(Scratch, DbUrl), String> {
        static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let pid = std::process::id();
        let Some(url) = server.filter(|u| u.backend != Backend::Sqlite) else {
            let stamp = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0);
            let path = std::env::temp_dir().join(format!("migplan-roundtrip-{pid}-{stamp}.db"));
            let url = DbUrl::parse(&format!("sqlite:///{}", path.display()))?;
            return Ok((Scratch::Sqlite(path), url));
        };
        let mut admin = driver::connect(url)?;
        let (before, named) = if url.backend == Backend::Mysql {
            (databases(admin.as_mut()), schemas_created(texts))
        } else {
            Default::default()
        };
        let mut last = String::new();
        // A name left by a killed run of a process with the same id is skipped, not reused.
        for _ in 0..20 {
            let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let name = format!("migplan_roundtrip_{pid}_{n}");
            match admin.execute(&format!("CREATE DATABASE {name}")) {
                Ok(()) => {
                    let scratch_url = url.with_database(&name);
                    let scratch = Scratch::Server {
                        admin,
                        name,
                        backend: url.backend,
                        before,
                        named,
                    };
                    return Ok((scratch, scratch_url));
                }
                Err(e) if admin.is_already_exists(&e) || e.contains("database exists") => last = e,
                Err(e) => return Err(format!("cannot create a scratch database on {url}: {e}")),
            }
        }
        Err(format!("cannot create a scratch database on {url}: {last}"))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        match self {
            Scratch::Sqlite(path) => {
                for suffix in ["", "-journal", "-wal", "-shm", "-migplan.lock"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            Scratch::Server {
                admin,
                name,
                backend,
                before,
                named,
            } => {
                if *backend == Backend::Mysql {
                    for db in databases(admin.as_mut()) {
                        if !before.contains(&db) && named.contains(&db) && db != *name {
                            let _ = admin.execute(&format!("DROP DATABASE IF EXISTS `{}`", db.replace('`', "``")));
                        }
                    }
                }
                // FORCE (PostgreSQL 13+) ends a session a failed run may have left behind.
                let dropped = match backend {
                    Backend::Postgres => admin
                        .execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .or_else(|_| admin.execute(&format!("DROP DATABASE IF EXISTS {name}"))),
                    _ => admin.execute(&format!("DROP DATABASE IF EXISTS {name}")),
                };
                if let Err(e) = dropped {
                    eprintln!("WARNING: could not drop the scratch database {name}: {}; drop it by hand", mask(&e));
                }
            }
        }
    }
}

/// The server's databases, lower-case (MySQL).
fn databases(db: &mut dyn driver::Driver) -> BTreeSet<String> {
    db.query("SELECT schema_name FROM information_schema.schemata")
        .unwrap_or_default()
        .into_iter()
        .filter_map(|r| r.into_iter().next().flatten())
        .map(|s| s.to_lowercase())
        .collect()
}

/// The names the files create with `CREATE SCHEMA|DATABASE [IF NOT EXISTS] name`.
fn schemas_created(texts: &BTreeMap<String, String>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for text in texts.values() {
        let words: Vec<String> = text
            .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect();
        for (i, w) in words.iter().enumerate() {
            if w != "create" || !matches!(words.get(i + 1).map(String::as_str), Some("schema" | "database")) {
                continue;
            }
            let name = match (words.get(i + 2).map(String::as_str), words.get(i + 3).map(String::as_str)) {
                (Some("if"), Some("not")) => words.get(i + 5),
                _ => words.get(i + 2),
            };
            out.extend(name.cloned());
        }
    }
    out
}

fn server_name(b: Backend) -> &'static str {
    match b {
        Backend::Sqlite => "SQLite",
        Backend::Postgres => "PostgreSQL",
        Backend::Mysql => "MySQL",
    }
}

/// What a roundtrip found: per revision upgraded, whether the live schema agreed.
#[derive(Default)]
struct Outcome {
    diags: Vec<Diagnostic>,
    /// Revisions upgraded one at a time without an error.
    applied: usize,
    /// Of those, the ones after which the live schema equalled the simulation.
    agree: usize,
    /// The upgrade that failed: revision, file, the server's error.
    failed: Option<(String, String, String)>,
    /// Extensions the server lacks (`CREATE EXTENSION` failed): the roundtrip stops there.
    missing_extensions: Vec<String>,
}

/// The extension a PostgreSQL error says the server does not have.
fn missing_extension(error: &str) -> Option<String> {
    // PostgreSQL 15: could not open extension control file ".../timescaledb.control";
    // 16+: extension "timescaledb" is not available.
    if let Some(i) = error.find("could not open extension control file") {
        let rest = &error[i..];
        let end = rest.find(".control")?;
        let start = rest[..end].rfind('/').map(|s| s + 1)?;
        return Some(rest[start..end].to_string());
    }
    let i = error.find("extension \"")?;
    let rest = &error[i + 11..];
    let (name, after) = rest.split_once('"')?;
    after.trim_start().starts_with("is not available").then(|| name.to_string())
}

/// `check --roundtrip`: the history applied to a scratch database (SQLite, or with `--db`
/// a new database on that PostgreSQL or MySQL server, dropped afterwards), one revision at
/// a time, with the live tables, columns, indexes and constraints compared to the
/// simulation after each step; then `downgrade base` (only bookkeeping may remain) and
/// `upgrade heads` again.
pub fn roundtrip(args: &DbArgs, json: bool, server: bool) -> ExitCode {
    if let Some(code) = refuse_broken(args.analysis) {
        return code;
    }
    let a = args.analysis;
    let texts = texts(args.files);
    let (scratch, url) = match Scratch::create(server.then_some(&args.url), &texts) {
        Ok(s) => s,
        Err(e) => return failed(&e),
    };
    let outcome = match driver::connect(&url) {
        Ok(db) => {
            let mut runner = Runner {
                analysis: a,
                texts: &texts,
                db,
                render: args.render.clone(),
                lock_timeout: args.lock_timeout,
            };
            roundtrip_steps(&mut runner, server_name(url.backend))
        }
        Err(e) => Outcome {
            diags: vec![Diagnostic::new(Code::RoundtripFailed, e)],
            ..Default::default()
        },
    };
    // The runner's connection is closed by now: the scratch database can go.
    drop(scratch);
    let diags = &outcome.diags;
    let order_len = a.map.nodes.len();
    if json {
        let obj = serde_json::json!({
            "server": server_name(url.backend),
            "database": url.masked(),
            "revisions": order_len,
            "applied": outcome.applied,
            "agree": outcome.agree,
            "failed": outcome.failed.as_ref().map(|(rev, file, error)| serde_json::json!({
                "revision": rev,
                "file": file,
                "error": mask(error),
            })),
            "missing_extensions": outcome.missing_extensions,
            "diagnostics": crate::render::diagnostics::locate_all(diags, Vec::<crate::SourceFile>::new().as_slice()),
        });
        println!("{}", serde_json::to_string_pretty(&obj).unwrap_or_default());
    } else {
        for d in diags {
            eprintln!(
                "{}\n",
                crate::render::diagnostics::render_text(d, Vec::<crate::SourceFile>::new().as_slice(), std::io::stderr().is_terminal())
            );
        }
        println!(
            "roundtrip on {}: {order_len} revision(s), {} applied, {} agree with the simulation, {} problem(s)",
            server_name(url.backend),
            outcome.applied,
            outcome.agree,
            diags.len()
        );
    }
    if diags.iter().any(|d| d.severity == Severity::Error) {
        ExitCode::from(FAILED)
    } else {
        ExitCode::SUCCESS
    }
}

/// Differences past this many are counted, not listed.
const SHOWN_DIFFERENCES: usize = 30;

fn roundtrip_steps(runner: &mut Runner, server: &str) -> Outcome {
    let a = runner.analysis;
    let d = runner.db.dialect();
    let mut out = Outcome::default();
    let order: Vec<usize> = match a.map.walk_revisions("base", "heads") {
        Ok(o) => o.into_iter().rev().collect(),
        Err(e) => {
            out.diags.push(Diagnostic::new(Code::RoundtripFailed, e));
            return out;
        }
    };
    let file_of = |r: usize| a.revisions[a.map.node(r).rev].path.clone();
    // Compare the live database with the simulation at the heads it records; `true`
    // when they agree.
    let compare = |runner: &mut Runner, diags: &mut Vec<Diagnostic>, after: &str, file: Option<String>| -> bool {
        let live = runner
            .read_state()
            .map_err(|e| e.0)
            .and_then(|st| Ok((st, runner.db.live_schema()?)));
        let (st, live) = match live {
            Ok(x) => x,
            Err(e) => {
                diags.push(Diagnostic::new(
                    Code::RoundtripFailed,
                    format!("after {after}, reading the scratch database's schema failed: {e}"),
                ));
                return false;
            }
        };
        let heads: Vec<usize> = st.heads.iter().filter_map(|h| a.map.by_id.get(h).copied()).collect();
        let diff = state::schema_difference(a, d, &heads, &live, &runner.render);
        if diff.is_empty() {
            return true;
        }
        let more = diff.len().saturating_sub(SHOWN_DIFFERENCES);
        let mut text = diff.iter().take(SHOWN_DIFFERENCES).cloned().collect::<Vec<_>>().join(", ");
        if more > 0 {
            text.push_str(&format!(" and {more} more"));
        }
        let mut dg = Diagnostic::new(
            Code::RoundtripMismatch,
            format!("after {after}, the scratch database differs from the simulated schema: {text}"),
        )
        .help("a downgrade that leaves something behind, or SQL the simulation does not model");
        if let Some(f) = file {
            dg = dg.in_file(f);
        }
        diags.push(dg);
        false
    };
    let mut quiet = crate::runner::Quiet;
    for &r in &order {
        let id = a.map.id(r).to_string();
        if let Err(e) = runner.run(Direction::Upgrade, std::slice::from_ref(&id), false, &mut quiet) {
            let mut msg = format!("upgrade to {id} on {server}: {e}");
            if let Some(ext) = missing_extension(&e.0) {
                msg.push_str(&format!(
                    "\nthe server lacks the extension {ext}: the roundtrip is skipped from this revision on"
                ));
                out.missing_extensions.push(ext);
            }
            out.diags.push(Diagnostic::new(Code::RoundtripFailed, msg).in_file(file_of(r)));
            out.failed = Some((id, file_of(r), e.0));
            return out;
        }
        out.applied += 1;
        if compare(runner, &mut out.diags, &format!("upgrading to {id}"), Some(file_of(r))) {
            out.agree += 1;
        }
    }
    if let Err(e) = runner.run(Direction::Downgrade, &["base".to_string()], false, &mut quiet) {
        out.diags
            .push(Diagnostic::new(Code::RoundtripFailed, format!("downgrade base on {server}: {e}")));
        return out;
    }
    compare(runner, &mut out.diags, "downgrade base", None);
    if let Err(e) = runner.run(Direction::Upgrade, &["heads".to_string()], false, &mut quiet) {
        out.diags.push(Diagnostic::new(
            Code::RoundtripFailed,
            format!("upgrade heads after downgrade base: {e}"),
        ));
        return out;
    }
    compare(runner, &mut out.diags, "downgrade base and upgrade heads again", None);
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_missing_extension_is_named_from_either_server_message() {
        let pg15 = "ERROR: could not open extension control file \"/usr/share/postgresql/15/extension/timescaledb.control\": No such file or directory";
        assert_eq!(super::missing_extension(pg15).as_deref(), Some("timescaledb"));
        let pg16 = "ERROR: extension \"postgis\" is not available\nDETAIL: ...";
        assert_eq!(super::missing_extension(pg16).as_deref(), Some("postgis"));
        assert_eq!(super::missing_extension("ERROR: extension \"x\" already exists"), None);
    }

    #[test]
    fn the_schemas_a_project_creates_are_found_by_name() {
        let texts = [(
            "a.py".to_string(),
            "op.execute('CREATE SCHEMA IF NOT EXISTS reporting')\nCREATE DATABASE `meta`;".to_string(),
        )];
        let got = super::schemas_created(&texts.into_iter().collect());
        assert_eq!(
            got.into_iter().collect::<Vec<_>>(),
            vec!["meta".to_string(), "reporting".to_string()]
        );
    }
}
