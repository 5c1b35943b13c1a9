//! Benchmark: parse throughput (MB/s of SQL) of plain-SQL migration folders — statement
//! splitting, classification and the sqlparser check — for a generated 2,000-migration
//! golang-migrate folder (PostgreSQL, with `$$` function bodies) and a dbmate folder
//! (MySQL, with `DELIMITER` procedures), through the core API (no disk), plus the whole
//! CLI (`check`, `upgrade head --sql`) on the same folder written to disk.
//!
//! Run: `cargo bench --bench sql_folder` (optionally `-- 5000` for another size).
//! Prints figures only; nothing here asserts on time.

use std::process::Command;
use std::time::Instant;

use migplan::SourceFile;
use migplan::analysis::analyze_sql_folder;
use migplan::layout::{LoadOptions, layout_by_name};

fn pg_migration(i: usize) -> (String, String) {
    let up = match i % 4 {
        0 => format!(
            "-- table {i}\nCREATE TABLE t{i} (\n    id bigserial PRIMARY KEY,\n    name text NOT NULL DEFAULT 'n;{i}',\n    created_at timestamptz NOT NULL DEFAULT now()\n);\nCREATE INDEX ix_t{i}_created ON t{i} (created_at);\n"
        ),
        1 => format!(
            "CREATE OR REPLACE FUNCTION f{i}() RETURNS trigger AS $$\nBEGIN\n    NEW.updated_at := now();\n    RETURN NEW;\nEND;\n$$ LANGUAGE plpgsql;\n"
        ),
        2 => format!(
            "ALTER TABLE t{p} ADD COLUMN c{i} integer;\nUPDATE t{p} SET c{i} = 0 WHERE c{i} IS NULL;\n",
            p = i - 2
        ),
        _ => format!("INSERT INTO audit (what, at) VALUES ('migration {i}; done', now());\n"),
    };
    let down = match i % 4 {
        0 => format!("DROP TABLE t{i};\n"),
        1 => format!("DROP FUNCTION f{i}();\n"),
        2 => format!("ALTER TABLE t{p} DROP COLUMN c{i};\n", p = i - 2),
        _ => format!("DELETE FROM audit WHERE what = 'migration {i}; done';\n"),
    };
    (up, down)
}

fn golang_folder(n: usize) -> Vec<SourceFile> {
    let mut out = Vec::new();
    for i in 0..n {
        let (up, down) = pg_migration(i);
        out.push(SourceFile::new(format!("m/{:06}_step_{i}.up.sql", i + 1), up));
        out.push(SourceFile::new(format!("m/{:06}_step_{i}.down.sql", i + 1), down));
    }
    out
}

fn dbmate_folder(n: usize) -> Vec<SourceFile> {
    (0..n)
        .map(|i| {
            let text = if i % 3 == 0 {
                format!(
                    "-- migrate:up\nDELIMITER //\nCREATE PROCEDURE p{i}()\nBEGIN\n  UPDATE a SET n = n + 1;\n  SELECT 'x;y';\nEND //\nDELIMITER ;\n\n-- migrate:down\nDROP PROCEDURE p{i};\n"
                )
            } else {
                format!("-- migrate:up\nCREATE TABLE `t{i}` (`id` BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, `note` VARCHAR(20) DEFAULT 'it\\'s');\n\n-- migrate:down\nDROP TABLE `t{i}`;\n")
            };
            SourceFile::new(format!("m/{}_step_{i}.sql", 20240101000000u64 + i as u64), text)
        })
        .collect()
}

fn measure(label: &str, files: &[SourceFile], layout: &str, dialect: &str) {
    let bytes: usize = files.iter().map(|f| f.text.len()).sum();
    let opts = LoadOptions {
        layout: layout_by_name(layout),
        dialect: migplan::dialect::dialect_from_name(dialect).expect("dialect"),
        enable: Vec::new(),
    };
    let roots = vec!["m".to_string()];
    let mut times = Vec::new();
    let mut statements = 0;
    let mut rejected = 0;
    for _ in 0..5 {
        let start = Instant::now();
        let a = analyze_sql_folder(files, &roots, &opts);
        times.push(start.elapsed().as_secs_f64());
        statements = a.revisions.iter().map(|r| r.upgrade_steps.len() + r.downgrade_steps.len()).sum();
        rejected = a.diagnostics.iter().filter(|d| d.code.name() == "sql-parse-error").count();
    }
    times.sort_by(|a, b| a.total_cmp(b));
    let t = times[times.len() / 2];
    println!(
        "{label:<34} {:>6} files {:>8.2} MB {:>7} statements {:>5} rejected  {:>8.1} ms  {:>6.2} MB/s",
        files.len(),
        bytes as f64 / 1e6,
        statements,
        rejected,
        t * 1000.0,
        bytes as f64 / 1e6 / t
    );
}

fn main() {
    let n: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(2000);
    println!("plain-SQL folders, {n} migrations (median of 5, core API, no disk)");
    measure("golang-migrate / postgresql", &golang_folder(n), "golang-migrate", "postgresql");
    measure("dbmate / mysql", &dbmate_folder(n), "dbmate", "mysql");

    // The whole CLI on the same folder written to disk.
    let dir = std::env::temp_dir().join(format!("migplan-bench-sql-{}", std::process::id()));
    let m = dir.join("m");
    std::fs::create_dir_all(&m).expect("temp dir");
    for f in golang_folder(n) {
        std::fs::write(dir.join(&f.path), &f.text).expect("write");
    }
    let bin = env!("CARGO_BIN_EXE_migplan");
    for args in [vec!["check"], vec!["upgrade", "head", "--sql"]] {
        let start = Instant::now();
        let out = Command::new(bin)
            .current_dir(&dir)
            .args(["-d", "m"])
            .args(&args)
            .output()
            .expect("run migplan");
        println!(
            "migplan -d m {:<28} {:>8.1} ms (exit {}, {} bytes of output)",
            args.join(" "),
            start.elapsed().as_secs_f64() * 1000.0,
            out.status.code().unwrap_or(-1),
            out.stdout.len() + out.stderr.len()
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
