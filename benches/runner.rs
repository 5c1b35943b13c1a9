//! Benchmark: the native runner applying generated Alembic migrations.
//!
//! 1. 100 and 1,000 migrations (each creates a table and an index, or adds a column) applied
//!    to an on-disk SQLite database by `migplan upgrade head` against `alembic upgrade head`
//!    from target/alembic-venv (goal: ≥5× faster).
//! 2. The same run against the same SQL executed directly through SQLite (rusqlite, one
//!    process, one transaction per migration, a fresh file): the runner's own cost
//!    (goal: within 10%).
//! 3. 1,000 trivial migrations (`SELECT 1`) on PostgreSQL (MIGPLAN_TEST_POSTGRES_URL, else
//!    the local default) against the same statements and transactions sent directly with
//!    the `postgres` crate: the per-migration overhead (goal: < 1 ms).
//!
//! Run: `cargo bench --bench runner` (optionally `-- 100 1000 5000` for other sizes; the
//! largest is the PostgreSQL size). Prints figures only; nothing here asserts on time.
//!
//! On disk, SQLite's commits (several fsyncs each) dominate: migplan commits once per
//! migration, Alembic on SQLite also runs each migration in its own transaction, but
//! pysqlite autocommits each DDL statement apart, so ~2–3 commits per migration here. With
//! `TMPDIR=/dev/shm` the files are on tmpfs, fsync costs nothing, and what is left is the
//! tools' own work (and SQLite's, the same for all three).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const MIGPLAN: &str = env!("CARGO_BIN_EXE_migplan");
const DEFAULT_PG: &str = "postgresql://postgres@127.0.0.1:5432/test";

const ENV_PY: &str = r#"from alembic import context
from sqlalchemy import engine_from_config, pool

config = context.config
engine = engine_from_config(
    config.get_section(config.config_ini_section, {}),
    prefix="sqlalchemy.",
    poolclass=pool.NullPool,
)
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=None)
    with context.begin_transaction():
        context.run_migrations()
"#;

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    /// A table and its index, or (every third) a column on the previous table.
    Schema,
    /// `SELECT 1`: the runner's overhead with nearly nothing to run.
    Trivial,
}

/// Alembic-like 12-hex ids, distinct (an odd multiplier is a bijection mod 2^48).
fn rev_id(i: usize) -> String {
    format!("{:012x}", (i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15) & 0xffff_ffff_ffff)
}

fn write_project(dir: &Path, n: usize, kind: Kind, url: &str) {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir.join("versions")).expect("create project");
    std::fs::write(
        dir.join("alembic.ini"),
        format!("[alembic]\nscript_location = %(here)s\nsqlalchemy.url = {url}\n"),
    )
    .expect("write alembic.ini");
    std::fs::write(dir.join("env.py"), ENV_PY).expect("write env.py");
    for i in 0..n {
        let id = rev_id(i);
        let down = if i == 0 {
            "None".to_string()
        } else {
            format!("\"{}\"", rev_id(i - 1))
        };
        let (msg, up, downgrade) = match kind {
            Kind::Trivial => (
                format!("step {i}"),
                "    op.execute(\"SELECT 1\")".to_string(),
                "    op.execute(\"SELECT 1\")".to_string(),
            ),
            Kind::Schema if i % 3 == 2 => (
                format!("add t{}.note", i - 1),
                format!(
                    "    op.add_column(\"t{}\", sa.Column(\"note\", sa.String(200), nullable=True))",
                    i - 1
                ),
                format!("    op.drop_column(\"t{}\", \"note\")", i - 1),
            ),
            Kind::Schema => (
                format!("create t{i}"),
                format!(
                    "    op.create_table(\n        \"t{i}\",\n        sa.Column(\"id\", sa.Integer(), primary_key=True),\n        \
                     sa.Column(\"name\", sa.String(50), nullable=False),\n        \
                     sa.Column(\"created_at\", sa.DateTime(), nullable=True),\n    )\n    \
                     op.create_index(\"ix_t{i}_name\", \"t{i}\", [\"name\"])"
                ),
                format!("    op.drop_index(\"ix_t{i}_name\", table_name=\"t{i}\")\n    op.drop_table(\"t{i}\")"),
            ),
        };
        let text = format!(
            "\"\"\"{msg}\n\nRevision ID: {id}\n\"\"\"\nfrom alembic import op\nimport sqlalchemy as sa\n\n\
             revision = \"{id}\"\ndown_revision = {down}\nbranch_labels = None\ndepends_on = None\n\n\n\
             def upgrade():\n{up}\n\n\ndef downgrade():\n{downgrade}\n"
        );
        let slug = msg.replace([' ', '.'], "_");
        std::fs::write(dir.join(format!("versions/{id}_{slug}.py")), text).expect("write revision");
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    v[v.len() / 2]
}

/// Run a command that must succeed; its wall time in seconds.
fn timed(cmd: &mut Command) -> f64 {
    let start = Instant::now();
    let out = cmd.output().expect("run benchmark command");
    let t = start.elapsed().as_secs_f64();
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    t
}

fn migplan(dir: &Path, db: &str, args: &[&str]) -> Command {
    let mut c = Command::new(MIGPLAN);
    c.current_dir(dir)
        .env_remove("DATABASE_URL")
        .args(["-c", "alembic.ini", "--db", db])
        .args(args);
    c
}

/// The plan as migplan prints it offline, cut into transactions (the version table's
/// creation, then one per migration) of single statements.
fn offline_plan(dir: &Path, dialect: &str) -> Vec<Vec<String>> {
    let out = Command::new(MIGPLAN)
        .current_dir(dir)
        .args(["-c", "alembic.ini", "upgrade", "head", "--sql", "--dialect", dialect])
        .output()
        .expect("run migplan --sql");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    let mut chunks: Vec<Vec<String>> = vec![Vec::new()];
    let mut stmt = String::new();
    for line in text.lines() {
        let t = line.trim();
        if t.starts_with("-- Running ") {
            chunks.push(Vec::new());
            continue;
        }
        if t.is_empty() || t.starts_with("--") || t == "BEGIN;" || t == "COMMIT;" {
            continue;
        }
        stmt.push_str(line);
        stmt.push('\n');
        if t.ends_with(';') {
            chunks.last_mut().expect("a chunk").push(std::mem::take(&mut stmt));
        }
    }
    chunks
}

fn remove_sqlite(path: &Path) {
    for suffix in ["", "-journal", "-wal", "-shm", "-migplan.lock"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

fn sqlite_version(path: &Path) -> Option<String> {
    let c = rusqlite::Connection::open(path).ok()?;
    c.query_row("SELECT version_num FROM alembic_version", [], |r| r.get(0)).ok()
}

fn alembic_bin() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("MIGPLAN_BENCH_ALEMBIC") {
        return Some(PathBuf::from(p));
    }
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/alembic-venv/bin/alembic");
    p.is_file().then_some(p)
}

/// One line of the summary table.
struct Row {
    what: String,
    migplan: f64,
    other: Option<f64>,
    figure: String,
    goal: &'static str,
    met: Option<bool>,
}

fn main() {
    let args: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let sizes = if args.is_empty() { vec![100, 1_000] } else { args };
    let root = std::env::temp_dir().join(format!("migplan-bench-runner-{}", std::process::id()));
    let alembic = alembic_bin();
    let mut rows: Vec<Row> = Vec::new();
    println!(
        "migplan runner benchmark ({} cores; {MIGPLAN})",
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
    );
    if alembic.is_none() {
        println!("no target/alembic-venv/bin/alembic (scripts/test creates it): the Alembic column is skipped");
    }

    for &n in &sizes {
        let dir = root.join(format!("sqlite{n}"));
        let alembic_db = dir.join("alembic.db");
        write_project(&dir, n, Kind::Schema, &format!("sqlite:///{}", alembic_db.display()));
        let last = rev_id(n - 1);
        println!("\nSQLite, {n} migrations (on disk: {})", dir.display());

        // migplan, a fresh file each run.
        let db = dir.join("migplan.db");
        let url = format!("sqlite:///{}", db.display());
        let runs = 3;
        let t_migplan = median(
            (0..runs)
                .map(|_| {
                    remove_sqlite(&db);
                    timed(&mut migplan(&dir, &url, &["upgrade", "head"]))
                })
                .collect(),
        );
        assert_eq!(sqlite_version(&db).as_deref(), Some(last.as_str()), "migplan reached the head");
        let t_fixed = median((0..runs).map(|_| timed(&mut migplan(&dir, &url, &["upgrade", "head"]))).collect());
        println!("  migplan upgrade head        {t_migplan:>8.3} s (median of {runs})");
        println!("  migplan, nothing to do      {t_fixed:>8.3} s (start-up, parse, plan, read state)");

        // The same SQL straight through SQLite, one transaction per migration.
        let chunks = offline_plan(&dir, "sqlite");
        let script: String = chunks.iter().map(|c| format!("BEGIN;\n{}COMMIT;\n", c.concat())).collect();
        let direct_db = dir.join("direct.db");
        let t_direct = median(
            (0..runs)
                .map(|_| {
                    remove_sqlite(&direct_db);
                    let start = Instant::now();
                    let c = rusqlite::Connection::open(&direct_db).expect("open");
                    c.execute_batch(&script).expect("run the SQL directly");
                    drop(c);
                    start.elapsed().as_secs_f64()
                })
                .collect(),
        );
        assert_eq!(sqlite_version(&direct_db).as_deref(), Some(last.as_str()));
        println!("  rusqlite, same SQL          {t_direct:>8.3} s ({} transactions)", chunks.len());

        // Alembic (fewer runs at 1,000: ~8 s each).
        let t_alembic = alembic.as_ref().map(|bin| {
            let runs = if n <= 100 { 3 } else { 1 };
            let t = median(
                (0..runs)
                    .map(|_| {
                        remove_sqlite(&alembic_db);
                        timed(
                            Command::new(bin)
                                .current_dir(&dir)
                                .env("PYTHONHASHSEED", "0")
                                .args(["-c", "alembic.ini", "upgrade", "head"]),
                        )
                    })
                    .collect(),
            );
            assert_eq!(
                sqlite_version(&alembic_db).as_deref(),
                Some(last.as_str()),
                "alembic reached the head"
            );
            println!("  alembic upgrade head        {t:>8.3} s (median of {runs})");
            t
        });

        rows.push(Row {
            what: format!("SQLite {n}: vs alembic"),
            migplan: t_migplan,
            other: t_alembic,
            figure: t_alembic.map_or("skipped".into(), |a| format!("{:.1}x faster", a / t_migplan)),
            goal: ">= 5x",
            met: t_alembic.map(|a| a / t_migplan >= 5.0),
        });
        let over = (t_migplan / t_direct - 1.0) * 100.0;
        rows.push(Row {
            what: format!("SQLite {n}: vs direct SQL"),
            migplan: t_migplan,
            other: Some(t_direct),
            figure: format!("{over:+.1}%"),
            goal: "<= +10%",
            met: Some(over <= 10.0),
        });
        if std::env::var_os("MIGPLAN_BENCH_KEEP").is_none() {
            let _ = std::fs::remove_dir_all(&dir);
        }
    }

    let n = sizes.iter().copied().max().unwrap_or(1_000);
    match postgres_overhead(&root, n) {
        Ok(row) => rows.push(row),
        Err(e) => println!("\nPostgreSQL skipped: {e}"),
    }

    println!("\nSummary (wall times, fresh database each run)");
    println!(
        "{:<28} {:>10} {:>10} {:>16} {:>9} {:>5}",
        "measure", "migplan", "other", "figure", "goal", "met"
    );
    for r in &rows {
        println!(
            "{:<28} {:>8.3} s {:>10} {:>16} {:>9} {:>5}",
            r.what,
            r.migplan,
            r.other.map_or("-".into(), |o| format!("{o:.3} s")),
            r.figure,
            r.goal,
            match r.met {
                Some(true) => "yes",
                Some(false) => "NO",
                None => "-",
            }
        );
    }
    if std::env::var_os("MIGPLAN_BENCH_KEEP").is_none() {
        let _ = std::fs::remove_dir_all(&root);
    }
}

/// `n` trivial migrations on PostgreSQL: migplan against the same statements sent directly.
fn postgres_overhead(root: &Path, n: usize) -> Result<Row, String> {
    let admin_url = std::env::var("MIGPLAN_TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| DEFAULT_PG.into());
    let mut admin = postgres::Client::connect(&admin_url, postgres::NoTls).map_err(|e| format!("cannot connect to {admin_url}: {e}"))?;
    let (scheme, rest) = admin_url.split_once("://").ok_or("the URL has no scheme")?;
    let authority = rest.split(['/', '?']).next().unwrap_or("");
    let name = format!("migplan_bench_runner_{}", std::process::id());
    let db_url = format!("{scheme}://{authority}/{name}");
    let mut fresh = || -> Result<(), String> {
        admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
            .and_then(|_| admin.batch_execute(&format!("CREATE DATABASE \"{name}\"")))
            .map_err(|e| e.to_string())
    };
    let dir = root.join(format!("pg{n}"));
    write_project(&dir, n, Kind::Trivial, &db_url);
    println!("\nPostgreSQL, {n} trivial migrations (SELECT 1 each), database {name}");
    let runs = 3;
    let mut tm = Vec::new();
    for _ in 0..runs {
        fresh()?;
        tm.push(timed(&mut migplan(&dir, &db_url, &["upgrade", "head"])));
    }
    let t_fixed = median(
        (0..runs)
            .map(|_| timed(&mut migplan(&dir, &db_url, &["upgrade", "head"])))
            .collect(),
    );
    let chunks = offline_plan(&dir, "postgresql");
    let mut td = Vec::new();
    for _ in 0..runs {
        fresh()?;
        let start = Instant::now();
        let mut c = postgres::Client::connect(&db_url, postgres::NoTls).map_err(|e| e.to_string())?;
        for chunk in &chunks {
            c.batch_execute("BEGIN").map_err(|e| e.to_string())?;
            for s in chunk {
                c.batch_execute(s).map_err(|e| e.to_string())?;
            }
            c.batch_execute("COMMIT").map_err(|e| e.to_string())?;
        }
        drop(c);
        td.push(start.elapsed().as_secs_f64());
    }
    let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"));
    let _ = std::fs::remove_dir_all(&dir);
    let (t_migplan, t_direct) = (median(tm), median(td));
    let per = (t_migplan - t_direct) / n as f64 * 1000.0;
    let per_run = (t_migplan - t_fixed - t_direct) / n as f64 * 1000.0;
    println!("  migplan upgrade head        {t_migplan:>8.3} s (median of {runs})");
    println!("  migplan, nothing to do      {t_fixed:>8.3} s");
    println!(
        "  postgres crate, same SQL    {t_direct:>8.3} s ({} transactions, one statement per round trip)",
        chunks.len()
    );
    println!("  overhead per migration      {per:>8.3} ms ({per_run:.3} ms without the fixed start-up)");
    Ok(Row {
        what: format!("PostgreSQL {n}: overhead"),
        migplan: t_migplan,
        other: Some(t_direct),
        figure: format!("{per:.3} ms/migr."),
        goal: "< 1 ms",
        met: Some(per < 1.0),
    })
}
