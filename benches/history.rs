//! Benchmark: load + graph + check time and peak memory for synthetic histories of 1,000,
//! 10,000 and 100,000 revisions (~5% in branch/merge pairs), measured against the parse
//! floor of the same run, and — where Alembic is installed — `heads` / `history` against
//! `alembic heads` / `alembic history` at 5,000.
//!
//! The parse floor is this bench run as a child with `--floor DIR`: it lists the `.py`
//! files of DIR, reads each and parses it with `ruff_python_parser` exactly as migplan
//! does (`parse_unchecked_source`, Python source type), on every core, and nothing else.
//! `check`, `heads` and `history` are then given as multiples of it, with their peak RSS.
//! The memory kept per revision after analysis is measured in process (`--kept DIR`) with
//! a counting allocator: bytes live after `read_scripts` + `analyze_reads`, minus before,
//! over the revisions read.
//!
//! Run: `cargo bench --bench history` (optionally `-- 1000 5000` for other sizes;
//! `MIGPLAN_BENCH_RUNS=N` runs per figure, default 5, the median is printed;
//! `MIGPLAN_BENCH_ALEMBIC=/path/to/alembic` to pick the Alembic to compare with;
//! `MIGPLAN_BENCH_KEEP=1` keeps the generated projects and prints where).
//! Prints figures only; nothing here asserts on time.

mod common;

use std::alloc::{GlobalAlloc, Layout};

use mimalloc::MiMalloc;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

const MIGPLAN: &str = env!("CARGO_BIN_EXE_migplan");

/// migplan's allocator (mimalloc), counting the bytes live (for `--kept`). The floor runs in
/// this process too: under the system allocator it was slower than migplan's own parse.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded to mimalloc unchanged; only counts are added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        LIVE.fetch_add(l.size(), Ordering::Relaxed);
        unsafe { MiMalloc.alloc(l) }
    }
    unsafe fn alloc_zeroed(&self, l: Layout) -> *mut u8 {
        LIVE.fetch_add(l.size(), Ordering::Relaxed);
        unsafe { MiMalloc.alloc_zeroed(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        LIVE.fetch_sub(l.size(), Ordering::Relaxed);
        unsafe { MiMalloc.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        LIVE.fetch_add(new, Ordering::Relaxed);
        LIVE.fetch_sub(l.size(), Ordering::Relaxed);
        unsafe { MiMalloc.realloc(p, l, new) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    v[v.len() / 2]
}

/// Median wall and CPU (user + sys) seconds and the largest peak RSS of several runs.
struct Stats {
    wall: f64,
    cpu: f64,
    peak_mib: Option<f64>,
    /// The last run's output.
    out: std::process::Output,
}

/// Run a command `runs` times, under GNU time when it is there (for CPU time and the peak).
fn measure(runs: usize, program: &Path, args: &[&str], dir: &Path) -> Stats {
    let gnu_time = Path::new("/usr/bin/time").is_file();
    let (mut walls, mut cpus, mut peak, mut last) = (Vec::new(), Vec::new(), None::<f64>, None);
    for _ in 0..runs {
        let mut cmd = if gnu_time {
            let mut c = Command::new("/usr/bin/time");
            c.args(["-f", "%U %S %M"]).arg(program);
            c
        } else {
            Command::new(program)
        };
        cmd.args(args).current_dir(dir);
        let start = Instant::now();
        let out = cmd.output().expect("run benchmark command");
        walls.push(start.elapsed().as_secs_f64());
        if gnu_time {
            let text = String::from_utf8_lossy(&out.stderr);
            let f: Vec<f64> = text
                .lines()
                .last()
                .unwrap_or("")
                .split_whitespace()
                .filter_map(|w| w.parse().ok())
                .collect();
            if let [u, s, kib] = f[..] {
                cpus.push(u + s);
                peak = Some(peak.unwrap_or(0.0).max(kib / 1024.0));
            }
        }
        last = Some(out);
    }
    Stats {
        wall: median(walls),
        cpu: if cpus.is_empty() { f64::NAN } else { median(cpus) },
        peak_mib: peak,
        out: last.expect("at least one run"),
    }
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

/// The `.py` files of a versions folder, sorted.
fn py_files(dir: &Path) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("read versions folder")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "py"))
        .collect();
    paths.sort();
    paths
}

/// The parse floor: read and parse every `.py` file of `dir` on every core, nothing else.
fn floor(dir: &Path) {
    use rayon::prelude::*;
    // The same allocator setting as migplan's main, so the floor and the commands measured
    // against it differ only in what they do.
    migplan::cli::disable_transparent_huge_pages();
    let paths = py_files(dir);
    let errors: usize = paths
        .par_iter()
        .map(|p| {
            let bytes = std::fs::read(p).expect("read script");
            let text = String::from_utf8(bytes).expect("UTF-8 script");
            let parsed = ruff_python_parser::parse_unchecked_source(&text, ruff_python_ast::PySourceType::Python);
            parsed.errors().len()
        })
        .sum();
    println!("{} files, {errors} syntax errors", paths.len());
}

/// Bytes kept per revision after analysis, through the library as the CLI calls it.
fn kept(dir: &Path, depth: &str) {
    use migplan::cli::discover::{Discovery, list_scripts, read_scripts};
    use migplan::parse::revision_script::Depth;
    let depth = if depth == "graph" { Depth::Graph } else { Depth::Full };
    let disc = Discovery {
        versions_dirs: vec![dir.to_path_buf()],
        recursive: false,
        env_py: None,
        settings: None,
        config_file: None,
    };
    let paths = list_scripts(&disc);
    let shown: Vec<String> = paths.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    let before = LIVE.load(Ordering::Relaxed);
    let (reads, _) = read_scripts(&paths, &shown, false, depth);
    let analysis = migplan::analyze_reads(reads, None);
    let after = LIVE.load(Ordering::Relaxed);
    let n = analysis.revisions.len().max(1);
    println!("{} {}", n, after.saturating_sub(before));
    if std::env::var_os("MIGPLAN_BENCH_SIZES").is_some() {
        eprintln!(
            "Revision {} Step {} Op {} Column {} SqlType {} Diagnostic {}",
            std::mem::size_of::<migplan::model::Revision>(),
            std::mem::size_of::<migplan::ops::Step>(),
            std::mem::size_of::<migplan::ops::Op>(),
            std::mem::size_of::<migplan::ops::Column>(),
            std::mem::size_of::<migplan::ops::types::SqlType>(),
            std::mem::size_of::<migplan::Diagnostic>()
        );
        let steps: usize = analysis
            .revisions
            .iter()
            .map(|r| r.upgrade_steps.len() + r.downgrade_steps.len())
            .sum();
        let cap: usize = analysis
            .revisions
            .iter()
            .map(|r| r.upgrade_steps.capacity() + r.downgrade_steps.capacity())
            .sum();
        eprintln!("steps {steps} capacity {cap} diagnostics {}", analysis.diagnostics.len());
        let b0 = LIVE.load(Ordering::Relaxed);
        // The revision map alone, built again (the analysis keeps one like it).
        let (map2, _) = migplan::graph::RevisionMap::build(&analysis.revisions);
        let b1 = LIVE.load(Ordering::Relaxed);
        eprintln!(
            "revision map {} B per revision (Node {} B)",
            (b1 - b0) / n,
            std::mem::size_of::<migplan::graph::Node>()
        );
        std::mem::forget(map2);
    }
    std::mem::forget(analysis);
}

fn mib(m: Option<f64>) -> String {
    m.map(|r| format!("{r:.1}")).unwrap_or_else(|| "n/a".into())
}

fn run_timed(cmd: &mut Command) -> (f64, std::process::Output) {
    let start = Instant::now();
    let output = cmd.output().expect("run benchmark command");
    (start.elapsed().as_secs_f64(), output)
}

fn find_alembic() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("MIGPLAN_BENCH_ALEMBIC") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var("PATH").unwrap_or_default();
    std::env::split_paths(&path).map(|d| d.join("alembic")).find(|p| p.is_file())
}

fn main() {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    match argv.first().map(String::as_str) {
        Some("--floor") => return floor(Path::new(&argv[1])),
        Some("--kept") => return kept(Path::new(&argv[1]), &argv[2]),
        _ => {}
    }
    let args: Vec<usize> = argv.iter().filter_map(|a| a.parse().ok()).collect();
    let sizes = if args.is_empty() { vec![1_000, 10_000, 100_000] } else { args };
    let runs: usize = std::env::var("MIGPLAN_BENCH_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .filter(|&r| r > 0)
        .unwrap_or(5);
    let me = std::env::current_exe().expect("the bench's own path");
    let migplan = Path::new(MIGPLAN);
    let root = std::env::temp_dir().join(format!("migplan-bench-{}", std::process::id()));
    println!(
        "migplan history benchmark ({} cores; median of {runs} runs; peak = largest RSS of the runs)",
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
    );
    let mut rows = Vec::new();
    println!(
        "{:>8} {:>9} {:>10} {:>10} {:>10} {:>10} {:>10} {:>9}",
        "revs", "MB", "read+parse", "graph", "check", "validate", "total", "peak MiB"
    );
    for &n in &sizes {
        let dir = root.join(format!("h{n}"));
        let bytes = common::write_project(&dir, &common::plan(n, 0.05, 42), 42).expect("write history");
        let versions = dir.join("versions");
        let vs = versions.to_string_lossy().into_owned();
        let fl = measure(runs, &me, &["--floor", &vs], &dir);
        let check = measure(runs, migplan, &["-d", "versions", "--timings", "check", "--format", "json"], &dir);
        let heads = measure(runs, migplan, &["-d", "versions", "heads"], &dir);
        let history = measure(runs, migplan, &["-d", "versions", "history"], &dir);
        let kept_of = |depth: &str| {
            let out = Command::new(&me).args(["--kept", &vs, depth]).output().expect("run --kept");
            let text = String::from_utf8_lossy(&out.stdout);
            let f: Vec<f64> = text.split_whitespace().filter_map(|w| w.parse().ok()).collect();
            match f[..] {
                [revs, bytes] => bytes / revs / 1024.0,
                _ => f64::NAN,
            }
        };
        let (kept_full, kept_graph) = (kept_of("full"), kept_of("graph"));
        let ph = phases(&check.out.stderr);
        let get = |k: &str| ph.iter().find(|(n, _)| n == k).map(|(_, v)| *v).unwrap_or(f64::NAN);
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
            mib(check.peak_mib)
        );
        rows.push((n, fl, check, heads, history, kept_full, kept_graph));
        if std::env::var_os("MIGPLAN_BENCH_KEEP").is_some() {
            println!("  project kept in {}", dir.display());
        } else {
            let _ = std::fs::remove_dir_all(&dir);
        }
    }
    println!(
        "\nagainst the parse floor (read + parse every .py on every core, nothing else); wall s, ×floor, CPU s, peak MiB\n\
         goals: check <= 1.75x and 600 MiB, heads/history <= 1.3x and 300 MiB, kept <= 3 KB per revision"
    );
    println!(
        "{:>8} {:>22} {:>30} {:>30} {:>30} {:>14}",
        "revs", "floor", "check", "heads", "history", "kept KB/rev"
    );
    for (n, fl, check, heads, history, kept_full, kept_graph) in &rows {
        let col = |s: &Stats| format!("{:.3}s {:>5.2}x {:.2}cpu {:>6}", s.wall, s.wall / fl.wall, s.cpu, mib(s.peak_mib));
        println!(
            "{:>8} {:>22} {:>30} {:>30} {:>30} {:>14}",
            n,
            format!("{:.3}s {:.2}cpu {:>6}", fl.wall, fl.cpu, mib(fl.peak_mib)),
            col(check),
            col(heads),
            col(history),
            format!("{kept_full:.2} / {kept_graph:.2}")
        );
    }
    println!("(kept: full analysis, as check and plans keep it / graph-only, as heads, history, show keep it)");

    match find_alembic() {
        None => println!("\nalembic not found (set MIGPLAN_BENCH_ALEMBIC or put it on PATH): no comparison"),
        Some(alembic) => {
            let n = 5_000;
            let dir = root.join("alembic5000");
            common::write_project(&dir, &common::plan(n, 0.05, 7), 7).expect("write history");
            // Pair by pair (Alembic, then migplan, five times): each pair's ratio is taken on
            // the machine as it was then, and the median ratio is printed (goals: `upgrade
            // head --sql` ≥ 50×, `heads` / `history` ≥ 40×).
            let runs = 5;
            println!(
                "\nversus {} on {n} revisions, pair by pair (medians of {runs} pairs, wall time)",
                alembic.display()
            );
            println!("{:>20} {:>12} {:>12} {:>8}", "command", "alembic", "migplan", "ratio");
            for cmd in ["heads", "history", "upgrade head --sql"] {
                let words: Vec<&str> = cmd.split(' ').collect();
                let (mut ta, mut tm, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
                let mut same = true;
                for _ in 0..runs {
                    let (a, oa) = run_timed(
                        Command::new(&alembic)
                            .args(["-c", "alembic.ini"])
                            .args(&words)
                            .current_dir(&dir)
                            .env("PYTHONHASHSEED", "0"),
                    );
                    let (m, om) = run_timed(Command::new(MIGPLAN).args(["-c", "alembic.ini"]).args(&words).current_dir(&dir));
                    same &= normalise(&oa.stdout) == normalise(&om.stdout);
                    ta.push(a);
                    tm.push(m);
                    ratios.push(a / m);
                }
                println!(
                    "{:>20} {:>10.3} s {:>10.3} s {:>7.1}x{}",
                    cmd,
                    median(ta),
                    median(tm),
                    median(ratios),
                    if same { "" } else { "  (OUTPUT DIFFERS)" }
                );
            }
            if std::env::var_os("MIGPLAN_BENCH_KEEP").is_some() {
                println!("  project kept in {}", dir.display());
            } else {
                let _ = std::fs::remove_dir_all(&dir);
            }
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
