//! The live-schema oracle: a project applied with migplan's runner to a real server of its
//! dialect (`check --roundtrip --db`, a scratch database created and dropped there; SQLite
//! needs no server), the live tables, columns, indexes and constraints compared with the
//! simulated schema after every revision. The figures are the revisions after which both
//! agree, of those upgraded.

use std::path::Path;
use std::process::Command;

/// The server for a dialect, from the test suite's variables (the defaults are what
/// `scripts/test` starts). `None`: SQLite, which needs none.
fn server(dialect: &str) -> Result<Option<String>, String> {
    let (var, default) = match dialect {
        "sqlite" => return Ok(None),
        "postgresql" | "postgres" => ("MIGPLAN_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"),
        "mysql" | "mariadb" => ("MIGPLAN_TEST_MYSQL_URL", "mysql://root@127.0.0.1:3306/test"),
        other => return Err(format!("no test server for dialect {other}")),
    };
    Ok(Some(
        std::env::var(var)
            .ok()
            .filter(|u| !u.trim().is_empty())
            .unwrap_or_else(|| default.to_string()),
    ))
}

/// `(agree, applied, note)`: the note says why the figures stop short (a failing upgrade,
/// a missing extension) or what disagreed first. `None` for a dialect with no server here.
pub fn run(bin: &Path, cwd: &Path, args: &[String], dialect: &str) -> Option<(usize, usize, Option<String>)> {
    let db = match server(dialect) {
        Ok(db) => db,
        Err(e) => return Some((0, 0, Some(e))),
    };
    let mut c = Command::new(bin);
    c.current_dir(cwd).args(args).args(["check", "--roundtrip"]);
    if let Some(u) = &db {
        c.args(["--db", u]);
    }
    c.args(["--format", "json"]).env_remove("DATABASE_URL");
    let out = match c.output() {
        Ok(o) => o,
        Err(e) => return Some((0, 0, Some(format!("cannot run migplan: {e}")))),
    };
    let stderr = String::from_utf8_lossy(&out.stderr);
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(&out.stdout) else {
        let first = stderr.lines().find(|l| !l.trim().is_empty()).unwrap_or("no output");
        return Some((0, 0, Some(format!("no roundtrip report: {}", short(first)))));
    };
    let n = |k: &str| v[k].as_u64().unwrap_or(0) as usize;
    let (agree, applied) = (n("agree"), n("applied"));
    Some((agree, applied, note(&v, agree, applied)))
}

fn note(v: &serde_json::Value, agree: usize, applied: usize) -> Option<String> {
    let failed = &v["failed"];
    let missing: Vec<&str> = v["missing_extensions"]
        .as_array()
        .map(|a| a.iter().filter_map(|e| e.as_str()).collect())
        .unwrap_or_default();
    let mut parts = Vec::new();
    if !missing.is_empty() {
        parts.push(format!(
            "skipped from revision {}: the server lacks extension {}",
            failed["revision"].as_str().unwrap_or("?"),
            missing.join(", ")
        ));
    } else if !failed.is_null() {
        let error = failed["error"].as_str().unwrap_or("");
        // The server's own words, not the statement migplan quotes before them.
        let said = error
            .lines()
            .find_map(|l| l.trim().strip_prefix("the server said: "))
            .or_else(|| error.lines().next())
            .unwrap_or("");
        parts.push(format!(
            "upgrade to {} failed ({}): {}",
            failed["revision"].as_str().unwrap_or("?"),
            failed["file"].as_str().unwrap_or("?"),
            short(said)
        ));
    }
    if agree < applied {
        let first = v["diagnostics"].as_array().and_then(|d| {
            d.iter()
                .filter(|d| d["code"] == "roundtrip-mismatch")
                .find_map(|d| d["message"].as_str())
        });
        if let Some(m) = first {
            let what = m.split_once("simulated schema: ").map_or(m, |(_, w)| w);
            parts.push(format!("first difference: {}", short(what)));
        }
    }
    if parts.is_empty() && applied == 0 {
        parts.push("no revision applied".into());
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

fn short(s: &str) -> String {
    let s = s.trim();
    match s.char_indices().nth(160) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}
