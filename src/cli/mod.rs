//! The native command line: reads files, runs the pure core, prints results.

pub mod args;
pub mod base;
mod baseline;
mod check;
pub mod database;
pub mod discover;
pub mod find;
pub mod merge;
pub mod models;
pub mod new_script;
pub mod parallel;
mod projects;
pub mod report;
pub mod revision;
pub mod serve;
pub mod sql_folder;
pub mod validation;
#[cfg(target_os = "wasi")]
pub mod wasi;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;

use crate::analysis::analyze_sql_folder;
use crate::analysis::{Analysis, analyze_reads};
use crate::bookkeeping::{bookkeeping_by_name, bookkeeping_names};
use crate::codes::Code;
use crate::codes::Severity;
use crate::diagnostic::Diagnostic;
use crate::diagnostic::sort_diagnostics;
use crate::dialect::{dialect_from_name, dialect_from_url};
use crate::dry_run::DryRun;
use crate::layout::{LoadOptions, layout_by_name};
use crate::plan::Direction;
use crate::render::alembic_text::View;
use crate::render::diagnostics::{CheckJson, render_text};
use crate::resolve::{CommandContext, Pos, RevArg};
use args::{Cli, Command, Format};
use check::CheckInput;
use discover::{ConfigFailure, discover, list_scripts, read_scripts, read_source, texts_for};

/// Exit status for a failed command (Alembic's `FAILED:` cases).
const FAILED: u8 = 1;
/// `check`'s exit status when it could not run (1 means findings there).
const CHECK_COULD_NOT_RUN: u8 = 2;

pub fn main() -> ExitCode {
    #[cfg(target_os = "wasi")]
    wasi::start();
    let cli = Cli::parse();
    #[cfg(target_os = "wasi")]
    if let Some(code) = wasi::refuse(&cli) {
        return code;
    }
    projects::dispatch(cli)
}

struct Timer {
    on: bool,
    start: Instant,
    last: Instant,
    /// User and system CPU seconds of the whole process at the last lap.
    last_cpu: (f64, f64),
}

/// Keep the allocator off transparent huge pages for the rest of the process (Linux;
/// elsewhere nothing). mimalloc asks for them, and the kernel zeroing 2 MiB pages as memory
/// was recycled was 13–16% of `check`'s samples at 100,000 revisions (perf:
/// `clear_page_erms`); without them its system time there fell from about 2.0 to 1.1 s.
pub fn disable_transparent_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: sets a process-wide flag the kernel reads on page faults; no memory is touched.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

/// User and system CPU seconds the process has used so far, every thread counted.
fn cpu_seconds() -> (f64, f64) {
    #[cfg(unix)]
    {
        let mut u = std::mem::MaybeUninit::<libc::rusage>::zeroed();
        // SAFETY: getrusage writes the struct it is given and nothing else.
        if unsafe { libc::getrusage(libc::RUSAGE_SELF, u.as_mut_ptr()) } == 0 {
            // SAFETY: initialised by the successful call above.
            let u = unsafe { u.assume_init() };
            let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
            return (secs(u.ru_utime), secs(u.ru_stime));
        }
    }
    (0.0, 0.0)
}

impl Timer {
    fn lap(&mut self, what: &str) {
        if self.on {
            let now = Instant::now();
            eprintln!("timing: {:<10} {:>9.3} ms", what, (now - self.last).as_secs_f64() * 1000.0);
            // Where the memory goes, phase by phase (Linux reports it; elsewhere nothing).
            if let Ok(status) = std::fs::read_to_string("/proc/self/status") {
                let kib = |key: &str| {
                    status
                        .lines()
                        .find_map(|l| l.strip_prefix(key))
                        .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
                };
                if let (Some(rss), Some(peak)) = (kib("VmRSS:"), kib("VmHWM:")) {
                    eprintln!("memory: {:<10} {:>6} MiB resident, {:>6} MiB peak", what, rss / 1024, peak / 1024);
                }
            }
            // CPU beside wall time: a phase using both cores shows about twice its wall time.
            let cpu = cpu_seconds();
            eprintln!(
                "cpu:    {:<10} {:>9.3} ms user, {:>9.3} ms system",
                what,
                (cpu.0 - self.last_cpu.0) * 1000.0,
                (cpu.1 - self.last_cpu.1) * 1000.0
            );
            self.last_cpu = cpu;
            self.last = now;
        }
    }
    fn total(&self) {
        if self.on {
            eprintln!("timing: {:<10} {:>9.3} ms", "total", self.start.elapsed().as_secs_f64() * 1000.0);
        }
    }
}

fn run(cli: Cli) -> ExitCode {
    let now = Instant::now();
    let mut timer = Timer {
        on: cli.timings,
        start: now,
        last: now,
        last_cpu: cpu_seconds(),
    };
    let color = std::io::stderr().is_terminal();
    if let Command::Serve { path, port, host, assets } = &cli.command {
        let (project, whole) = match find::serve_root(std::path::Path::new(path)) {
            Ok(p) => p,
            Err(e) => {
                eprintln!("FAILED: {e}");
                return ExitCode::from(CHECK_COULD_NOT_RUN);
            }
        };
        let args = serve::ServeArgs {
            project,
            whole,
            host: host.clone(),
            port: *port,
            assets: assets
                .as_deref()
                .map(std::path::PathBuf::from)
                .unwrap_or_else(|| std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))),
        };
        return match serve::serve(args) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("FAILED: {e}");
                ExitCode::from(FAILED)
            }
        };
    }

    if cli.format == Format::Sql && !matches!(cli.command, Command::Schema { .. }) {
        eprintln!("FAILED: --format sql is only for `schema` (plans print SQL with `upgrade --sql`)");
        return ExitCode::from(CHECK_COULD_NOT_RUN);
    }
    if cli.format.check_only() && !matches!(cli.command, Command::Check { .. }) {
        eprintln!(
            "FAILED: --format {} is only for `check` (other commands print text or json)",
            format!("{:?}", cli.format).to_lowercase()
        );
        return ExitCode::from(CHECK_COULD_NOT_RUN);
    }
    let disc = match discover(cli.config.as_deref(), &cli.name, &cli.dirs, cli.recursive) {
        Ok(d) => d,
        Err(ConfigFailure(d, file)) => {
            let files: Vec<_> = file.into_iter().collect();
            eprint!("{}", render_text(&d, files.as_slice(), color));
            eprintln!("\n\nFAILED: {}", d.message);
            if matches!(cli.command, Command::Check { .. }) {
                let located = crate::render::diagnostics::locate_all(std::slice::from_ref(&*d), files.as_slice());
                let anchor = d.file.clone().unwrap_or_else(|| "alembic.ini".into());
                match cli.format {
                    Format::Json => {
                        // The layout asked for, so a report still says what the folder was read as.
                        let mut empty = Analysis::empty();
                        if let Some(l) = cli.layout.as_deref().and_then(layout_by_name) {
                            empty.layout = Some(l.name());
                        }
                        print_check_json(&empty, &[*d], files.as_slice())
                    }
                    Format::Sarif => {
                        let _ = writeln!(
                            projects::Stdout,
                            "{}",
                            serde_json::to_string_pretty(&crate::render::sarif::render(&located, &anchor)).unwrap_or_default()
                        );
                    }
                    Format::Github => print!("{}", crate::render::github::render(&located)),
                    Format::Text | Format::Markdown | Format::Sql => {}
                }
            }
            return ExitCode::from(FAILED);
        }
    };
    let sql_folder = !cli.dirs.is_empty()
        && match cli.layout.as_deref() {
            Some("alembic") => false,
            Some(_) => true,
            None => !sql_folder::holds_python(&disc.versions_dirs, disc.recursive),
        };
    let mut enable = Vec::new();
    if let Command::Check { enable: names, .. } = &cli.command {
        for n in names {
            match Code::from_name(n) {
                Some(c) if c.off_by_default() => enable.push(c),
                _ => {
                    let optional: Vec<&str> = Code::ALL.iter().filter(|c| c.off_by_default()).map(|c| c.name()).collect();
                    eprintln!(
                        "FAILED: --enable {n}: not an off-by-default code (those are: {})",
                        optional.join(", ")
                    );
                    return ExitCode::from(CHECK_COULD_NOT_RUN);
                }
            }
        }
    }
    let listed: Vec<String>;
    // Alembic scripts as read for parsing, those with a marker (only kept for `check`).
    let mut script_files: Option<Vec<crate::SourceFile>> = None;
    let mut roots_shown: Vec<String> = Vec::new();
    let (analysis, known, file_count, dialect) = if sql_folder {
        let (files, roots, read_diags) = sql_folder::read_folders(&disc.versions_dirs);
        listed = files.iter().map(|f| f.path.clone()).collect();
        roots_shown = roots.clone();
        timer.lap("read");
        // The folder's SQL is read in the dialect it is written for: `--dialect`, the tool's
        // own config (`.env`, flyway.conf…), else the database it is run on (`--db`, then
        // `DATABASE_URL`).
        let dialect = cli
            .dialect
            .as_deref()
            .and_then(dialect_from_name)
            .or_else(|| sql_folder::dialect_hint(&disc.versions_dirs))
            .or_else(|| url_dialect(cli.db.as_deref()))
            .or_else(|| url_dialect(std::env::var("DATABASE_URL").ok().as_deref()))
            .unwrap_or(&crate::dialect::postgresql::PostgreSQL);
        let opts = LoadOptions {
            layout: cli.layout.as_deref().and_then(layout_by_name),
            dialect,
            enable,
        };
        let mut analysis = analyze_sql_folder(&files, &roots, &opts);
        analysis.diagnostics.extend(read_diags);
        sort_diagnostics(&mut analysis.diagnostics);
        timer.lap("parse+graph");
        let count = files.len();
        (analysis, files, count, dialect)
    } else {
        let paths = list_scripts(&disc);
        let cwd = std::env::current_dir().ok();
        let mut shown: Vec<String> = {
            use rayon::prelude::*;
            paths.par_iter().map(|p| discover::display_path_from(p, cwd.as_deref())).collect()
        };
        shown.extend(disc.env_py.as_deref().map(discover::display_path));
        listed = shown;
        timer.lap("list");
        // `check` needs the texts holding inline markers: keep those of what was read.
        let keep_texts = matches!(cli.command, Command::Check { .. });
        // The walk for scripts outside the version locations needs no script: it runs
        // beside the parse instead of after it.
        let ((reads, files), unread) = rayon::join(
            || read_scripts(&paths, &listed[..paths.len()], keep_texts, read_depth(&cli.command)),
            || find::unread_scripts(&disc, &paths),
        );
        script_files = keep_texts.then_some(files);
        timer.lap("read+parse");
        let env_py = disc.env_py.as_deref().and_then(read_source);
        let mut analysis = analyze_reads(reads, env_py.as_ref());
        if let Some(d) = unread {
            analysis.diagnostics.push(d);
            sort_diagnostics(&mut analysis.diagnostics);
        }
        timer.lap("graph");
        let known: Vec<_> = env_py.into_iter().chain(disc.config_file.clone()).collect();
        let dialect = cli
            .dialect
            .as_deref()
            .and_then(dialect_from_name)
            .or_else(|| url_dialect(cli.db.as_deref()))
            .or_else(|| {
                disc.settings
                    .as_ref()
                    .and_then(|s| s.sqlalchemy_url.as_deref())
                    .and_then(dialect_from_url)
            })
            .unwrap_or(&crate::dialect::postgresql::PostgreSQL);
        (analysis, known, paths.len(), dialect)
    };

    let code = match &cli.command {
        Command::Report {
            out,
            base,
            base_dir,
            from,
            to,
            title,
            preset,
        } => {
            let files: Vec<crate::SourceFile> = if sql_folder {
                known.clone()
            } else {
                listed.iter().filter_map(|p| read_source(std::path::Path::new(p))).collect()
            };
            let base_spec = match (base, base_dir) {
                (Some(r), _) => Some(base::Base::GitRef(r)),
                (None, Some(d)) => Some(base::Base::Dir(d)),
                _ => None,
            };
            let title = title.clone().unwrap_or_else(|| project_title(&cli));
            let mut config = match validation::load_config(&disc, cli.config.as_deref()) {
                Ok((c, _)) => c,
                Err(e) => {
                    eprintln!("FAILED: {e}");
                    return ExitCode::from(FAILED);
                }
            };
            if let Some(p) = preset {
                config.preset = p.tier();
            }
            let args = report::ReportArgs {
                config,
                out,
                title,
                base_label: base.clone().or(base_dir.clone()).unwrap_or_default(),
                base: base_spec,
                from: from.clone(),
                to: to.clone(),
                dialect,
            };
            match report::write(&analysis, &files, &roots_shown, &listed, &args) {
                Ok(paths) => {
                    for p in paths {
                        println!("wrote {p}");
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("FAILED: {e}");
                    ExitCode::from(FAILED)
                }
            }
        }
        Command::Files => {
            match cli.format {
                Format::Text | Format::Sarif | Format::Github | Format::Markdown | Format::Sql => {
                    listed.iter().for_each(|p| println!("{p}"))
                }
                Format::Json => {
                    let obj = serde_json::json!({
                        "layout": analysis.layout,
                        "roots": roots_shown,
                        "dialect": dialect.name(),
                        "files": listed,
                    });
                    println!("{}", serde_json::to_string_pretty(&obj).unwrap_or_default());
                }
            }
            ExitCode::SUCCESS
        }
        Command::Check { roundtrip: true, .. } => {
            report_load_problems(&analysis, &known, color);
            match db_args(&cli, &disc, &analysis, &listed, None) {
                Ok(args) => database::roundtrip(&args, cli.format == Format::Json, cli.db.is_some()),
                Err(code) => code,
            }
        }
        Command::Check {
            base,
            base_dir,
            fail_on,
            pg_version,
            mysql_version,
            since,
            all,
            preset,
            models,
            ..
        } => {
            let (mut config, config_path) = match validation::load_config(&disc, cli.config.as_deref()) {
                Ok(c) => c,
                Err(e) => {
                    eprintln!("FAILED: {e}");
                    return ExitCode::from(CHECK_COULD_NOT_RUN);
                }
            };
            if let Some(p) = preset {
                config.preset = p.tier();
            }
            let flags = validation::CheckFlags {
                pg_version: pg_version.as_deref(),
                mysql_version: mysql_version.as_deref(),
                since: since.as_deref(),
                deployed: None,
            };
            let fail_on = fail_on.unwrap_or(match config.fail_on {
                Some(Severity::Warning | Severity::Info) => args::FailOn::Warning,
                _ => args::FailOn::Error,
            });
            let model_findings = if *models {
                match model_findings(&disc, &analysis, dialect, &cli.x) {
                    Ok(f) => f,
                    Err(e) => {
                        eprintln!("FAILED: {e}");
                        return ExitCode::from(CHECK_COULD_NOT_RUN);
                    }
                }
            } else {
                Vec::new()
            };
            // PR mode: the models too, when the project has them (listed if the PR touches them).
            let pr_models = (!*models && (base.is_some() || base_dir.is_some()) && !sql_folder)
                .then(|| pr_models(&disc, &analysis, dialect, &cli.x))
                .flatten();
            let input = CheckInput {
                cli: &cli,
                model_findings,
                pr_models,
                analysis: &analysis,
                known: &known,
                listed: &listed,
                roots: &roots_shown,
                sql_folder,
                file_count,
                dialect,
                config_file: disc.config_file.as_ref().map(|f| f.path.clone()),
                config_path,
                color,
                config,
                flags,
                all: *all,
            };
            let base_spec = match (base, base_dir) {
                (Some(r), _) => Some(base::Base::GitRef(r)),
                (None, Some(d)) => Some(base::Base::Dir(d)),
                _ => None,
            };
            let label = base.clone().or(base_dir.clone()).unwrap_or_default();
            // `--db URL`: the database's applied revisions are deployed; what it says is listed.
            let db = match cli.db.is_some().then(|| db_args(&cli, &disc, &analysis, &listed, None)) {
                None => None,
                Some(Err(code)) => return code,
                Some(Ok(args)) => match database::state(&args) {
                    Ok(st) => Some(st),
                    Err(e) => {
                        eprintln!("FAILED: {e}");
                        return ExitCode::from(CHECK_COULD_NOT_RUN);
                    }
                },
            };
            let code = check::run(
                &input,
                std::mem::take(&mut script_files),
                base_spec.as_ref(),
                &label,
                db.as_ref(),
                fail_on,
            );
            timer.lap("check");
            code
        }
        Command::Merge {
            revisions,
            message,
            rev_id,
            branch_label,
        } => {
            report_load_problems(&analysis, &known, color);
            let place = new_script::Place {
                versions_dirs: &disc.versions_dirs,
                script_dir: disc.env_py.as_deref().and_then(std::path::Path::parent),
                settings: disc.settings.as_ref(),
            };
            let args = merge::MergeArgs {
                revisions,
                message: message.as_deref(),
                rev_id: rev_id.as_deref(),
                branch_label: branch_label.as_deref(),
            };
            match merge::merge(&analysis, &place, &args) {
                Ok(paths) => {
                    for p in paths {
                        println!("Generating {p} ...  done");
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("FAILED: {e}");
                    ExitCode::from(FAILED)
                }
            }
        }
        Command::Revision {
            message,
            head,
            splice,
            branch_label,
            depends_on,
            rev_id,
            version_path,
            autogenerate,
        } => {
            report_load_problems(&analysis, &known, color);
            let project = revision::Project {
                place: new_script::Place {
                    versions_dirs: &disc.versions_dirs,
                    script_dir: disc.env_py.as_deref().and_then(std::path::Path::parent),
                    settings: disc.settings.as_ref(),
                },
                sql: sql_folder.then(|| revision::SqlFolder {
                    files: &known,
                    roots: &roots_shown,
                    layout: cli.layout.as_deref().and_then(layout_by_name),
                    dialect,
                }),
            };
            // `--autogenerate --db URL`: the live database in place of the models.
            let live = match (*autogenerate && cli.db.is_some()).then(|| db_args(&cli, &disc, &analysis, &listed, None)) {
                None => None,
                Some(Err(code)) => return code,
                Some(Ok(a)) => Some(a),
            };
            let args = revision::RevisionArgs {
                message: message.as_deref(),
                head,
                splice: *splice,
                branch_label: branch_label.as_deref(),
                depends_on,
                rev_id: rev_id.as_deref(),
                version_path: version_path.as_deref(),
                autogenerate: autogenerate.then(|| revision::Autogenerate {
                    discovery: &disc,
                    dialect,
                    x_args: parse_x_args(&cli.x),
                    live,
                }),
            };
            match revision::revision(&analysis, &project, &args) {
                Ok(lines) => {
                    lines.iter().for_each(|l| println!("{l}"));
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("FAILED: {e}");
                    ExitCode::from(FAILED)
                }
            }
        }
        Command::Schema { rev } => {
            report_load_problems(&analysis, &known, color);
            match schema_command(&analysis, dialect, rev, cli.format) {
                Ok(out) => {
                    print!("{out}");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("FAILED: {e}");
                    ExitCode::from(FAILED)
                }
            }
        }
        Command::Upgrade { revision, plan } | Command::Downgrade { revision, plan } if !plan.sql => {
            report_load_problems(&analysis, &known, color);
            let direction = if matches!(cli.command, Command::Upgrade { .. }) {
                Direction::Upgrade
            } else {
                Direction::Downgrade
            };
            match db_args(&cli, &disc, &analysis, &listed, Some(plan)) {
                Ok(args) => database::apply(&args, direction, std::slice::from_ref(revision), false),
                Err(code) => code,
            }
        }
        Command::Stamp { revisions, plan, purge } if !plan.sql => {
            report_load_problems(&analysis, &known, color);
            match db_args(&cli, &disc, &analysis, &listed, Some(plan)) {
                Ok(args) => database::apply(&args, Direction::Stamp, revisions, *purge),
                Err(code) => code,
            }
        }
        Command::Current { verbose } => {
            report_load_problems(&analysis, &known, color);
            match db_args(&cli, &disc, &analysis, &listed, None) {
                Ok(args) => database::current(&args, *verbose),
                Err(code) => code,
            }
        }
        Command::Baseline { revisions } => {
            report_load_problems(&analysis, &known, color);
            baseline::run(&analysis, &validation::config_path(&disc, cli.config.as_deref()), revisions)
        }
        Command::Rebless { rev } => {
            report_load_problems(&analysis, &known, color);
            match db_args(&cli, &disc, &analysis, &listed, None) {
                Ok(args) => database::rebless(&args, rev),
                Err(code) => code,
            }
        }
        Command::History {
            rev_range,
            verbose,
            indicate_current: true,
        } => {
            report_load_problems(&analysis, &known, color);
            let current = match db_args(&cli, &disc, &analysis, &listed, None).map(|args| database::current_heads(&args)) {
                Ok(Ok(c)) => c,
                Ok(Err(e)) => {
                    eprintln!("FAILED: {}", crate::runner::url::mask(&e));
                    return ExitCode::from(FAILED);
                }
                Err(code) => return code,
            };
            let cmd = Command::History {
                rev_range: rev_range.clone(),
                verbose: *verbose,
                indicate_current: false,
            };
            match graph_command_with_current(&cmd, &analysis, cli.format, &current) {
                Ok(text) => {
                    print!("{text}");
                    ExitCode::SUCCESS
                }
                Err(msg) => {
                    eprintln!("FAILED: {msg}");
                    ExitCode::from(FAILED)
                }
            }
        }
        Command::Upgrade { revision, plan } | Command::Downgrade { revision, plan } => {
            report_load_problems(&analysis, &known, color);
            let direction = if matches!(cli.command, Command::Upgrade { .. }) {
                Direction::Upgrade
            } else {
                Direction::Downgrade
            };
            let code = plan_command(
                &analysis,
                dialect,
                direction,
                std::slice::from_ref(revision),
                plan,
                false,
                (cli.format, color, &cli.x),
            );
            timer.lap("plan");
            code
        }
        Command::Stamp { revisions, plan, purge } => {
            report_load_problems(&analysis, &known, color);
            let code = plan_command(
                &analysis,
                dialect,
                Direction::Stamp,
                revisions,
                plan,
                *purge,
                (cli.format, color, &cli.x),
            );
            timer.lap("plan");
            code
        }
        other => {
            report_load_problems(&analysis, &known, color);
            let out = graph_command(other, &analysis, cli.format);
            timer.lap("command");
            match out {
                Ok(text) => {
                    let mut stdout = std::io::stdout().lock();
                    let _ = stdout.write_all(text.as_bytes());
                    let _ = stdout.flush();
                    if analysis.diagnostics.iter().any(|d| d.is_error() && d.code.is_load_problem()) {
                        ExitCode::from(FAILED)
                    } else {
                        ExitCode::SUCCESS
                    }
                }
                Err(msg) => {
                    eprintln!("FAILED: {msg}");
                    ExitCode::from(FAILED)
                }
            }
        }
    };
    timer.total();
    // The process ends next: freeing every revision one by one would only cost time.
    std::mem::forget(analysis);
    code
}

/// How much of each script a command needs: graph commands print the revision headers
/// only, so the bodies of `upgrade()` / `downgrade()` are not evaluated for them.
fn read_depth(cmd: &Command) -> crate::parse::revision_script::Depth {
    use crate::parse::revision_script::Depth;
    match cmd {
        Command::Heads { .. }
        | Command::Branches { .. }
        | Command::History { .. }
        | Command::Show { .. }
        | Command::Files
        | Command::Current { .. } => Depth::Graph,
        _ => Depth::Full,
    }
}

/// The dialect a database URL names (`postgresql+psycopg2://…` → postgresql, `mariadb://…`
/// → mariadb).
fn url_dialect(url: Option<&str>) -> Option<&'static dyn crate::dialect::Dialect> {
    let url = url?;
    crate::runner::url::DbUrl::parse(url).ok()?;
    crate::dialect::dialect_from_url(url.trim())
}

/// The report's default title: the project folder's name.
fn project_title(cli: &Cli) -> String {
    let p = cli.config.as_deref().or(cli.dirs.first().map(String::as_str)).unwrap_or(".");
    std::fs::canonicalize(p)
        .ok()
        .and_then(|p| {
            if p.is_file() {
                p.parent().map(|d| d.to_path_buf())
            } else {
                Some(p)
            }
        })
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "migrations".into())
}

/// Problems that make the history unreliable go to stderr for every command.
fn report_load_problems(analysis: &Analysis, known: &[crate::SourceFile], color: bool) {
    let load: Vec<Diagnostic> = analysis
        .diagnostics
        .iter()
        .filter(|d| d.code.is_load_problem() && d.severity >= Severity::Warning)
        .cloned()
        .collect();
    if load.is_empty() {
        return;
    }
    let texts = texts_for(&load, known);
    let mut err = std::io::stderr().lock();
    for d in &load {
        let _ = writeln!(err, "{}\n", render_text(d, &texts, color));
    }
}

fn print_check_json(analysis: &Analysis, diags: &[Diagnostic], texts: &(impl crate::render::diagnostics::FileTexts + ?Sized)) {
    let out = CheckJson::new(analysis, diags, texts);
    let _ = writeln!(
        projects::Stdout,
        "{}",
        serde_json::to_string_pretty(&out).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    );
}

/// heads / branches / history / show: Alembic's output, or the `FAILED:` message.
/// `migplan schema REV`: the simulated schema at REV.
fn schema_command(a: &Analysis, dialect: &'static dyn crate::dialect::Dialect, rev: &str, format: Format) -> Result<String, String> {
    if let Some(c) = &a.map.cycle {
        return Err(c.message.clone());
    }
    let targets: Vec<usize> = if rev == "base" {
        Vec::new()
    } else {
        a.map
            .get_revisions(&RevArg::str(rev))
            .map_err(|e| e.command_message(&CommandContext::default()))?
            .into_iter()
            .filter_map(Pos::rev)
            .collect()
    };
    let (schema, problems) = crate::validate::schema_at(a, &targets, dialect, &parallel::Rayon);
    let color = std::io::stderr().is_terminal();
    for d in problems.iter().filter(|d| d.severity != crate::codes::Severity::Info) {
        let files: Vec<crate::SourceFile> = d
            .file
            .as_deref()
            .and_then(|f| read_source(std::path::Path::new(f)))
            .into_iter()
            .collect();
        eprintln!("{}\n", render_text(d, files.as_slice(), color));
    }
    Ok(match format {
        Format::Json => {
            let obj = serde_json::json!({
                "revision": targets.iter().map(|&t| a.map.id(t)).collect::<Vec<_>>(),
                "dialect": dialect.name(),
                "schema": schema,
            });
            format!("{}\n", serde_json::to_string_pretty(&obj).unwrap_or_default())
        }
        // Check-only formats are refused before any command runs.
        _ => crate::schema::render::schema_sql(&schema),
    })
}

fn graph_command(cmd: &Command, a: &Analysis, format: Format) -> Result<String, String> {
    graph_command_with_current(cmd, a, format, &[])
}

/// The runner's settings from the command line: the URL, version table, bookkeeping tool.
fn db_args<'a>(
    cli: &Cli,
    disc: &discover::Discovery,
    analysis: &'a Analysis,
    listed: &'a [String],
    plan: Option<&args::PlanArgs>,
) -> Result<database::DbArgs<'a>, ExitCode> {
    let (url, _from) = database::database_url(cli.db.as_deref(), disc).map_err(|e| {
        eprintln!("FAILED: {}", crate::runner::url::mask(&e));
        ExitCode::from(FAILED)
    })?;
    let bookkeeping = match plan.and_then(|p| p.bookkeeping.as_deref()) {
        Some(name) => bookkeeping_by_name(name).ok_or_else(|| {
            eprintln!("FAILED: unknown bookkeeping {name} (known: {})", bookkeeping_names().join(", "));
            ExitCode::from(FAILED)
        })?,
        None => crate::runner::default_bookkeeping(analysis),
    };
    let mut render = crate::render::sql_plan::RenderOptions {
        bookkeeping,
        ..Default::default()
    };
    if let Some(v) = plan
        .and_then(|p| p.version_table.clone())
        .or_else(|| analysis.env.version_table.clone())
    {
        render.version_table = v;
    }
    render.version_table_schema = plan
        .and_then(|p| p.version_table_schema.clone())
        .or_else(|| analysis.env.version_table_schema.clone());
    for kv in &cli.x {
        let (k, v) = kv.split_once('=').unwrap_or((kv.as_str(), ""));
        render.x_args.push((k.to_string(), v.to_string()));
    }
    if !(cli.lock_timeout.is_finite() && cli.lock_timeout >= 0.0) {
        eprintln!("FAILED: --lock-timeout must be a number of seconds");
        return Err(ExitCode::from(FAILED));
    }
    Ok(database::DbArgs {
        analysis,
        url,
        render,
        lock_timeout: std::time::Duration::from_secs_f64(cli.lock_timeout),
        files: listed,
    })
}

fn graph_command_with_current(cmd: &Command, a: &Analysis, format: Format, current: &[usize]) -> Result<String, String> {
    let map = &a.map;
    let view = View {
        map,
        revisions: &a.revisions,
    };
    if let Some(c) = &map.cycle {
        return Err(c.message.clone());
    }
    let json = |key: &str, revs: &[usize]| -> String {
        let items: Vec<_> = revs.iter().map(|&r| a.revision_json(r)).collect();
        let mut obj = serde_json::Map::new();
        obj.insert(key.to_string(), serde_json::to_value(items).unwrap_or_default());
        format!("{}\n", serde_json::to_string_pretty(&obj).unwrap_or_default())
    };
    match cmd {
        Command::Heads {
            verbose,
            resolve_dependencies,
        } => {
            let heads: Vec<usize> = if *resolve_dependencies {
                map.get_revisions(&RevArg::str("heads"))
                    .map_err(|e| e.command_message(&CommandContext::default()))?
                    .into_iter()
                    .filter_map(Pos::rev)
                    .collect()
            } else {
                map.heads.clone()
            };
            Ok(match format {
                Format::Text | Format::Sarif | Format::Github | Format::Markdown | Format::Sql => view.heads(&heads, *verbose),
                Format::Json => json("heads", &heads),
            })
        }
        Command::Branches { verbose } => {
            let order = map.walk_revisions("base", "heads")?;
            Ok(match format {
                Format::Text | Format::Sarif | Format::Github | Format::Markdown | Format::Sql => view.branches(&order, *verbose),
                Format::Json => {
                    let points: Vec<usize> = order.into_iter().filter(|&r| map.node(r).is_branch_point()).collect();
                    json("branches", &points)
                }
            })
        }
        Command::History { rev_range, verbose, .. } => {
            let (base, head) = match rev_range {
                None => ("base".to_string(), "heads".to_string()),
                Some(r) => {
                    let parts: Vec<&str> = r.trim().split(':').collect();
                    if parts.len() != 2 {
                        return Err("History range requires [start]:[end], [start]:, or :[end]".to_string());
                    }
                    if parts.contains(&"current") {
                        return Err(
                            "'current' in a history range needs the database's current revision; migplan reads no database here"
                                .to_string(),
                        );
                    }
                    (
                        if parts[0].is_empty() {
                            "base".to_string()
                        } else {
                            parts[0].to_string()
                        },
                        if parts[1].is_empty() {
                            "heads".to_string()
                        } else {
                            parts[1].to_string()
                        },
                    )
                }
            };
            let order = map.walk_revisions(&base, &head)?;
            Ok(match format {
                Format::Text | Format::Sarif | Format::Github | Format::Markdown | Format::Sql => view.history(&order, *verbose, current),
                Format::Json => json("history", &order),
            })
        }
        Command::Show { rev } => {
            if rev == "current" {
                return Err("'show current' needs the database's current revision; migplan reads no database here".to_string());
            }
            let revs: Vec<usize> = map
                .get_revisions(&RevArg::Str(rev.clone()))
                .map_err(|e| {
                    let msg = e.command_message(&CommandContext::default());
                    match &e {
                        crate::resolve::RevisionError::Resolution { message, .. } if message.starts_with("Multiple") => {
                            format!("{msg}\n  {message}")
                        }
                        _ => msg,
                    }
                })?
                .into_iter()
                .filter_map(Pos::rev)
                .collect();
            Ok(match format {
                Format::Text | Format::Sarif | Format::Github | Format::Markdown | Format::Sql => view.show(&revs),
                Format::Json => json("revisions", &revs),
            })
        }
        Command::Serve { .. }
        | Command::Report { .. }
        | Command::Files
        | Command::Current { .. }
        | Command::Rebless { .. }
        | Command::Baseline { .. }
        | Command::Check { .. }
        | Command::Schema { .. }
        | Command::Merge { .. }
        | Command::Upgrade { .. }
        | Command::Downgrade { .. }
        | Command::Stamp { .. }
        | Command::Revision { .. } => {
            unreachable!("handled by run")
        }
    }
}

/// upgrade / downgrade / stamp: with `--sql`, the offline plan.
#[allow(clippy::too_many_arguments)]
fn plan_command(
    a: &Analysis,
    dialect: &'static dyn crate::dialect::Dialect,
    direction: Direction,
    targets: &[String],
    p: &args::PlanArgs,
    purge: bool,
    (format, color, x): (Format, bool, &[String]),
) -> ExitCode {
    // Alembic's command layer refuses this before env.py runs (so before any BEGIN).
    if direction == Direction::Downgrade && !targets[0].contains(':') {
        eprintln!("FAILED: downgrade with --sql requires <fromrev>:<torev>");
        return ExitCode::from(FAILED);
    }
    let x_args = parse_x_args(x);
    let bookkeeping = match p.bookkeeping.as_deref() {
        None => &crate::bookkeeping::alembic::Alembic,
        Some(name) => match bookkeeping_by_name(name) {
            Some(b) => b,
            None => {
                eprintln!("FAILED: unknown bookkeeping {name} (known: {})", bookkeeping_names().join(", "));
                return ExitCode::from(FAILED);
            }
        },
    };
    let run = DryRun {
        direction,
        targets,
        dialect,
        transaction_per_migration: p.transaction_per_migration,
        version_table: p.version_table.clone(),
        version_table_schema: p.version_table_schema.clone(),
        x_args,
        bookkeeping,
        parallel: &parallel::Rayon,
    };
    let tpm = run.options(a).transaction_per_migration;
    // Offline, env.py's `begin_transaction()` has printed BEGIN before Alembic resolves the
    // targets; a failure leaves it on stdout, and so do we.
    let fail_after_begin = |msg: &str| {
        if dialect.transactional_ddl() && !tpm && format == Format::Text {
            print!("BEGIN;\n\n");
        }
        eprintln!("FAILED: {msg}");
        ExitCode::from(FAILED)
    };
    if purge {
        return fail_after_begin("Can't use --purge with --sql mode");
    }
    let outcome = match run.run(a) {
        Ok(o) => o,
        Err(e) => return fail_after_begin(&e),
    };
    let rendered = &outcome.rendered;
    if !rendered.diagnostics.is_empty() {
        let texts = texts_for(&rendered.diagnostics, &[]);
        let mut err = std::io::stderr().lock();
        for d in &rendered.diagnostics {
            let _ = writeln!(err, "{}\n", render_text(d, &texts, color));
        }
    }
    match format {
        Format::Text | Format::Sarif | Format::Github | Format::Markdown | Format::Sql => {
            let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
            let _ = rendered.write_text(&mut out);
            let _ = out.flush();
        }
        Format::Json => {
            let texts = texts_for(&rendered.diagnostics, &[]);
            println!("{}", serde_json::to_string_pretty(&outcome.json(&texts)).unwrap_or_default());
        }
    }
    let code = match &rendered.error {
        Some(e) => {
            eprintln!("FAILED: {e}");
            ExitCode::from(FAILED)
        }
        // The plan is printed, but a history with load errors (duplicate ids, missing
        // parents...) is not one to trust: fail like every other command does.
        None if a.diagnostics.iter().any(|d| d.is_error() && d.code.is_load_problem()) => ExitCode::from(FAILED),
        None => ExitCode::SUCCESS,
    };
    // The process ends next (as with the analysis in `run`): freeing every statement of
    // the plan one by one was 8% of this function's instructions at 5,000 steps (callgrind).
    std::mem::forget(outcome);
    code
}

/// `-x KEY=VALUE` arguments as pairs (a bare `KEY` has an empty value).
fn parse_x_args(x: &[String]) -> Vec<(String, String)> {
    x.iter()
        .map(|kv| match kv.split_once('=') {
            Some((k, v)) => (k.to_string(), v.to_string()),
            None => (kv.clone(), String::new()),
        })
        .collect()
}

/// PR mode's models: the findings of `check --models` and the files they come from; `None`
/// when the project has no models migplan can follow (then PR mode says nothing of them).
fn pr_models(
    disc: &discover::Discovery,
    a: &crate::analysis::Analysis,
    dialect: &'static dyn crate::dialect::Dialect,
    x: &[String],
) -> Option<check::PrModels> {
    let m = models::read_models(disc).ok()?;
    if m.target_problem.is_some() || m.tables.is_empty() {
        return None;
    }
    let heads: Vec<String> = a.map.heads.iter().map(|&h| a.map.id(h).to_string()).collect();
    let cmp = models::compare_at(a, &m, &heads, dialect, &parse_x_args(x));
    let env = disc.env_py.as_deref().map(discover::display_path).unwrap_or_default();
    let mut files: Vec<String> = vec![env.clone()];
    for f in m.tables.iter().filter(|t| m.reached.contains(&t.module)).map(|t| &t.file) {
        if !files.contains(f) {
            files.push(f.clone());
        }
    }
    Some(check::PrModels {
        findings: crate::autogen::findings::known(&m, &cmp, &env, &a.env.autogenerate_hooks),
        left_out: crate::autogen::findings::left_out(&m, &cmp, &env),
        files,
    })
}

/// `check --models`: the models compared with the schema at the heads, as findings.
fn model_findings(
    disc: &discover::Discovery,
    a: &crate::analysis::Analysis,
    dialect: &'static dyn crate::dialect::Dialect,
    x: &[String],
) -> Result<Vec<crate::diagnostic::Diagnostic>, String> {
    let m = models::read_models(disc)?;
    let heads: Vec<String> = a.map.heads.iter().map(|&h| a.map.id(h).to_string()).collect();
    let cmp = models::compare_at(a, &m, &heads, dialect, &parse_x_args(x));
    let env = disc.env_py.as_deref().map(discover::display_path).unwrap_or_default();
    Ok(crate::autogen::findings::findings(&m, &cmp, &env, &a.env.autogenerate_hooks))
}
