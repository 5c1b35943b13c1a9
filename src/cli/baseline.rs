//! `migplan baseline [REV…]`: record the deployed history in `migplan.toml`.

use std::path::Path;
use std::process::ExitCode;

use crate::analysis::Analysis;
use crate::resolve::{Pos, RevArg};

/// Resolve `revs` (default: the heads) to ids and write them as `[check] baseline` into
/// `path`, keeping the file's other content. Returns the lines to print.
pub fn record(a: &Analysis, path: &Path, revs: &[String]) -> Result<Vec<String>, String> {
    let mut ids: Vec<String> = Vec::new();
    if revs.is_empty() {
        ids.extend(a.map.heads.iter().map(|&h| a.map.id(h).to_string()));
    }
    for rev in revs {
        let found = a
            .map
            .get_revisions(&RevArg::str(rev))
            .map_err(|e| format!("{rev}: {}", e.message()))?;
        for id in found.into_iter().filter_map(Pos::rev).map(|r| a.map.id(r).to_string()) {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }
    if ids.is_empty() {
        return Err("there is no revision to record (the history is empty)".into());
    }
    let shown = path.strip_prefix("./").unwrap_or(path).display().to_string();
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(format!("cannot read {shown}: {e}")),
    };
    let new = crate::baseline::set_baseline(&text, &ids).map_err(|e| format!("{shown}: {e}"))?;
    std::fs::write(path, new).map_err(|e| format!("cannot write {shown}: {e}"))?;
    let deployed = crate::deployed::with_ancestors(a, &ids)?;
    Ok(vec![
        format!(
            "{shown}: [check] baseline = [{}]",
            ids.iter().map(|i| format!("\"{i}\"")).collect::<Vec<_>>().join(", ")
        ),
        format!(
            "{} revision(s) deployed: `migplan check` now lists what is new after them and what breaks the project (`--all` lists everything)",
            deployed.len()
        ),
    ])
}

pub fn run(a: &Analysis, path: &Path, revs: &[String]) -> ExitCode {
    match record(a, path, revs) {
        Ok(lines) => {
            lines.iter().for_each(|l| println!("{l}"));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("FAILED: {e}");
            ExitCode::from(super::FAILED)
        }
    }
}
