//! Results of the oracles that run outside this binary, merged into the rows:
//! `alembic_identity.py` (the real Alembic renders each revision alone) and the live-server
//! pass (`live.rs` through the runner). Each writes `<name>.json` into
//! `$MIGPLAN_CORPUS_ORACLES`; without that variable the columns say "–".

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::table::Row;

pub struct OracleResults {
    dir: Option<PathBuf>,
    cache: BTreeMap<String, Value>,
}

pub fn load(_cache: &Path) -> OracleResults {
    let dir = std::env::var_os("MIGPLAN_CORPUS_ORACLES").map(PathBuf::from);
    let mut cache = BTreeMap::new();
    if let Some(d) = &dir {
        for kind in ["alembic", "live"] {
            let f = d.join(format!("{kind}.json"));
            if let Ok(text) = std::fs::read_to_string(&f)
                && let Ok(v) = serde_json::from_str::<Value>(&text)
            {
                cache.insert(kind.to_string(), v);
            }
        }
    }
    OracleResults { dir, cache }
}

fn pair(v: &Value) -> Option<(usize, usize)> {
    Some((v.get(0)?.as_u64()? as usize, v.get(1)?.as_u64()? as usize))
}

pub fn fill(row: &mut Row, r: &OracleResults) {
    if r.dir.is_none() {
        return;
    }
    if let Some(v) = r.cache.get("alembic").and_then(|v| v.get(&row.name)) {
        row.alembic_identical = pair(&v["identical"]);
        for d in v["differs"].as_array().into_iter().flatten() {
            let file = d["file"].as_str().unwrap_or("?");
            row.alembic_differs
                .push(format!("{file}: {}", why_differs(d["first_diff"].as_str().unwrap_or(""))));
        }
    }
    if let Some(v) = r.cache.get("live").and_then(|v| v.get(&row.name)) {
        row.live_agree = pair(&v["agree"]);
        row.live_note = v["note"].as_str().map(str::to_string);
    }
}

/// What a difference from Alembic comes from: the opaque step's reason, else the first line
/// Alembic prints that migplan does not.
fn why_differs(diff: &str) -> String {
    const OPAQUE: &str = "opaque Python step not rendered: ";
    if let Some(line) = diff.lines().find(|l| l.contains(OPAQUE)) {
        let reason = &line[line.find(OPAQUE).unwrap_or(0) + OPAQUE.len()..];
        let reason = reason.rsplit_once(" (").map_or(reason, |(r, _)| r);
        return format!("opaque Python: {reason}");
    }
    match diff.lines().find(|l| l.starts_with('-') && !l.starts_with("---")) {
        Some(l) => format!("Alembic prints `{}`", l[1..].trim()),
        None => "output differs".into(),
    }
}
