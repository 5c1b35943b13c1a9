//! Benchmark: the wasm package in Node against the native library on one thread, same input:
//! `analyze` + `plan` (upgrade heads, offline SQL) of the 5,000-revision synthetic history,
//! the package size and the wasm's linear memory. Goals: wasm within 2× of native; analyze of
//! 5,000 revisions under 150 MB of wasm memory.
//!
//! Run: `scripts/build-wasm && cargo bench --bench wasm_vs_native` (optionally `-- 10000`).
//! Prints figures only; nothing here asserts on time.

mod common;

use std::process::Command;
use std::time::Instant;

use migplan::SourceFile;
use migplan::analysis::{ProjectOptions, analyze_project};
use migplan::dry_run::DryRun;
use migplan::plan::Direction;

fn main() {
    let n: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(5_000);
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let wasm = root.join("pkg/migplan_bg.wasm");
    if !wasm.is_file() || !root.join("pkg/node/migplan.js").is_file() {
        println!("pkg/ is not built: run scripts/build-wasm first");
        return;
    }
    let dir = std::env::temp_dir().join(format!("migplan-bench-wasm-{}", std::process::id()));
    common::write_project(&dir, &common::plan(n, 0.05, 42), 42).expect("write history");
    let mut names: Vec<String> = std::fs::read_dir(dir.join("versions"))
        .expect("versions")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".py"))
        .collect();
    names.sort();
    let files: Vec<SourceFile> = names
        .iter()
        .map(|n| {
            SourceFile::new(
                format!("versions/{n}"),
                std::fs::read_to_string(dir.join("versions").join(n)).expect("read"),
            )
        })
        .collect();

    let opts = ProjectOptions {
        layout: Some("alembic".into()),
        dialect: &migplan::dialect::postgresql::PostgreSQL,
        roots: None,
        enable: Vec::new(),
    };
    let targets = ["heads".to_string()];
    let mut times = Vec::new();
    let mut statements = 0;
    for _ in 0..5 {
        // The same work as the two stateless API calls: analyze (check JSON), then plan
        // (which reads the files again).
        let t = Instant::now();
        let mut a = analyze_project(&files, &opts);
        // `analyze` also validates (schema simulation, down paths, lint rules), with the
        // file texts for inline ignores.
        let texts: std::collections::BTreeMap<String, String> = files.iter().map(|f| (f.path.clone(), f.text.clone())).collect();
        let v = migplan::validate::ValidateOptions {
            texts: Some(&texts),
            env_sets_timeout: migplan::validate::env_sets_timeout(&texts),
            ..migplan::validate::ValidateOptions::new(opts.dialect)
        };
        a.diagnostics = migplan::validate::check(&a, &v);
        // What `analyze` returns: the check JSON and the graph (layout, operations...).
        let check = migplan::render::diagnostics::CheckJson::new(&a, &a.diagnostics, &texts);
        let graph = migplan::render::graph_json::GraphJson::new(&a, false);
        let _ = serde_json::to_string(&(check, graph));
        let a = analyze_project(&files, &opts);
        let run = DryRun {
            direction: Direction::Upgrade,
            targets: &targets,
            dialect: opts.dialect,
            transaction_per_migration: false,
            version_table: None,
            version_table_schema: None,
            x_args: Vec::new(),
            bookkeeping: &migplan::bookkeeping::alembic::Alembic,
            parallel: &migplan::parallel::Sequential,
        };
        let out = run.run(&a).expect("plan");
        // The wasm API also serialises its results; do the same work here.
        let _ = serde_json::to_string(&out.json(&std::collections::BTreeMap::<String, String>::new()));
        statements = out.rendered.statements.len();
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(|a, b| a.total_cmp(b));
    let native = times[2];

    let out = Command::new("node")
        .arg(root.join("benches/wasm_bench.mjs"))
        .arg(&dir)
        .arg("5")
        .output()
        .expect("run node");
    let line = String::from_utf8_lossy(&out.stdout);
    let v: serde_json::Value = serde_json::from_str(line.trim()).unwrap_or_default();
    let wasm_ms = v["ms"].as_f64().unwrap_or(f64::NAN);
    let size = std::fs::metadata(&wasm).map(|m| m.len()).unwrap_or(0);
    let gz = Command::new("sh")
        .arg("-c")
        .arg(format!("gzip -9c {} | wc -c", wasm.display()))
        .output()
        .ok()
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse::<u64>().ok())
        .unwrap_or(0);
    println!("analyze + plan (upgrade heads --sql), {n} revisions, {statements} statements (median of 5)");
    println!("  native library, one thread  {native:>9.1} ms");
    println!(
        "  wasm in Node ({})  {wasm_ms:>9.1} ms   ratio {:.2}x",
        node_version(),
        wasm_ms / native
    );
    println!("  package: migplan_bg.wasm {size} bytes, {gz} bytes gzipped");
    // Linear memory only grows, so its size after a run is that run's peak (goal: analyze of
    // 5,000 revisions under 150 MB).
    let mb = |k: &str| v[k].as_f64().unwrap_or(f64::NAN) / (1024.0 * 1024.0);
    println!(
        "  wasm memory: {:.1} MB at start, {:.1} MB after the first analyze, {:.1} MB after every run (peak)",
        mb("startBytes"),
        mb("analyzeBytes"),
        mb("peakBytes")
    );
    if v["statements"].as_u64() != Some(statements as u64) {
        println!("  warning: wasm planned {} statements, native {statements}", v["statements"]);
    }
    if std::env::var_os("MIGPLAN_BENCH_KEEP").is_some() {
        println!("  project kept in {} ({})", dir.display(), v["split"]);
    } else {
        let _ = std::fs::remove_dir_all(&dir);
    }
}

fn node_version() -> String {
    Command::new("node")
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}
