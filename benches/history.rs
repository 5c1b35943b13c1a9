//! Benchmark: load + graph + check time and peak memory for synthetic histories of 1,000,
//! 10,000 and 100,000 revisions (~5% in branch/merge pairs), and — where Alembic is
//! installed — `heads` / `history` against `alembic heads` / `alembic history` at 5,000.
//!
//! Run: `cargo bench --bench history` (optionally `-- 1000 5000` for other sizes;
//! `MIGPLAN_BENCH_ALEMBIC=/path/to/alembic` to pick the Alembic to compare with).
//! Prints figures only; nothing here asserts on time.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const MIGPLAN: &str = env!("CARGO_BIN_EXE_migplan");

fn run_timed(cmd: &mut Command) -> (f64, std::process::Output) {
    let start = Instant::now();
    let output = cmd.output().expect("run benchmark command");
    (start.elapsed().as_secs_f64(), output)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    v[v.len() / 2]
}

/// Time a command `runs` times; returns the median wall time and the last output.
fn time_cmd(runs: usize, make: impl Fn() -> Command) -> (f64, std::process::Output) {
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..runs {
        let (t, out) = run_timed(&mut make());
        times.push(t);
        last = Some(out);
    }
    (median(times), last.expect("at least one run"))
}

/// Parse `timing: <phase> <ms> ms` lines that `migplan --timings` prints.
fn phases(stderr: &[u8]) -> Vec<(String, f64)> {
    String::from_utf8_lossy(stderr)
        .lines()
        .filter_map(|l| {
            let rest = l.strip_prefix("timing: ")?;
            let mut it = rest.split_whitespace();
            let name = it.next()?.to_string();
            let ms = it.next()?.parse().ok()?;
            Some((name, ms))
        })
        .collect()
}

fn peak_rss_mib(dir: &Path, args: &[&str]) -> Option<f64> {
    // GNU time is optional; use it when present for the peak-memory column.
    let out = Command::new("/usr/bin/time")
        .arg("-f")
        .arg("%M")
        .arg(MIGPLAN)
        .args(args)
        .current_dir(dir)
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stderr);
    let kib: f64 = text.lines().last()?.trim().parse().ok()?;
    Some(kib / 1024.0)
}

fn find_alembic() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("MIGPLAN_BENCH_ALEMBIC") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var("PATH").unwrap_or_default();
    std::env::split_paths(&path).map(|d| d.join("alembic")).find(|p| p.is_file())
}

fn main() {
    let args: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let sizes = if args.is_empty() { vec![1_000, 10_000, 100_000] } else { args };
    let root = std::env::temp_dir().join(format!("migplan-bench-{}", std::process::id()));
    println!(
        "migplan history benchmark ({} cores)",
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
    );
    println!(
        "{:>8} {:>9} {:>10} {:>10} {:>10} {:>10} {:>10} {:>9}",
        "revs", "MB", "read+parse", "graph", "check", "validate", "total", "peak MiB"
    );
    for &n in &sizes {
        let dir = root.join(format!("h{n}"));
        let bytes = common::write_project(&dir, &common::plan(n, 0.05, 42), 42).expect("write history");
        let (_, out) = time_cmd(3, || {
            let mut c = Command::new(MIGPLAN);
            c.args(["-d", "versions", "--timings", "check", "--format", "json"])
                .current_dir(&dir);
            c
        });
        let ph = phases(&out.stderr);
        let get = |k: &str| ph.iter().find(|(n, _)| n == k).map(|(_, v)| *v).unwrap_or(f64::NAN);
        let rss = peak_rss_mib(&dir, &["-d", "versions", "check", "--format", "json"]);
        println!(
            "{:>8} {:>9.1} {:>8.1}ms {:>8.1}ms {:>8.1}ms {:>8.1}ms {:>8.1}ms {:>9}",
            n,
            bytes as f64 / 1e6,
            get("list") + get("read+parse"),
            get("graph"),
            // `check` without the schema simulation and lint rules (issue 2's part)...
            get("check") - get("texts") - get("validate"),
            // ...and those apart (reading the texts again for inline ignores included).
            get("texts") + get("validate"),
            get("total"),
            rss.map(|r| format!("{r:.1}")).unwrap_or_else(|| "n/a".into())
        );
        if std::env::var_os("MIGPLAN_BENCH_KEEP").is_some() {
            println!("  project kept in {}", dir.display());
        } else {
            let _ = std::fs::remove_dir_all(&dir);
        }
    }

    match find_alembic() {
        None => println!("\nalembic not found (set MIGPLAN_BENCH_ALEMBIC or put it on PATH): no comparison"),
        Some(alembic) => {
            let n = 5_000;
            let dir = root.join("alembic5000");
            common::write_project(&dir, &common::plan(n, 0.05, 7), 7).expect("write history");
            println!("\nversus {} on {n} revisions (median of 3 runs, wall time)", alembic.display());
            println!("{:>20} {:>12} {:>12} {:>8}", "command", "alembic", "migplan", "ratio");
            for cmd in ["heads", "history", "upgrade head --sql"] {
                let words: Vec<&str> = cmd.split(' ').collect();
                let (ta, oa) = time_cmd(3, || {
                    let mut c = Command::new(&alembic);
                    c.args(["-c", "alembic.ini"])
                        .args(&words)
                        .current_dir(&dir)
                        .env("PYTHONHASHSEED", "0");
                    c
                });
                let (tm, om) = time_cmd(3, || {
                    let mut c = Command::new(MIGPLAN);
                    c.args(["-c", "alembic.ini"]).args(&words).current_dir(&dir);
                    c
                });
                let same = normalise(&oa.stdout) == normalise(&om.stdout);
                println!(
                    "{:>20} {:>10.3} s {:>10.3} s {:>7.1}x{}",
                    cmd,
                    ta,
                    tm,
                    ta / tm,
                    if same { "" } else { "  (OUTPUT DIFFERS)" }
                );
            }
            let _ = std::fs::remove_dir_all(&dir);
        }
    }
    if std::env::var_os("MIGPLAN_BENCH_KEEP").is_none() {
        let _ = std::fs::remove_dir_all(&root);
    }
}

/// Label lists are printed in Python set order by Alembic; compare them sorted.
fn normalise(out: &[u8]) -> String {
    String::from_utf8_lossy(out)
        .lines()
        .map(|l| {
            let mut out = String::new();
            let mut rest = l;
            while let Some(i) = rest.find('(') {
                out.push_str(&rest[..i]);
                let Some(j) = rest[i..].find(')') else { break };
                let mut items: Vec<&str> = rest[i + 1..i + j].split(", ").collect();
                if !rest[i + j + 1..].starts_with(" ->") {
                    items.sort_unstable();
                }
                out.push_str(&format!("({})", items.join(", ")));
                rest = &rest[i + j + 1..];
            }
            out.push_str(rest);
            out
        })
        .collect::<Vec<_>>()
        .join("\n")
}
