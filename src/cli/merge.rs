//! `migplan merge heads -m MSG` (or `merge REV REV…`): writes the merge revision, as
//! `alembic merge` does, into the versions folder; for DAG folders, the merge migration's
//! folder. The text comes from the pure [`crate::merge`]; this module picks the id, the
//! date and the place, and writes.

use std::hash::{BuildHasher, Hasher};
use std::path::{Path, PathBuf};

use crate::analysis::Analysis;
use crate::merge::{DEFAULT_TEMPLATE, MergeSpec, dag_merge, file_name, render_template};
use crate::resolve::{CommandContext, Pos, RevArg};

pub struct MergeArgs<'a> {
    pub revisions: &'a [String],
    pub message: Option<&'a str>,
    pub rev_id: Option<&'a str>,
    pub branch_label: Option<&'a str>,
}

/// Where the project lives: its versions folders (SQL roots) and, for Alembic, the
/// script folder that may hold a `script.py.mako`.
pub struct Place<'a> {
    pub versions_dirs: &'a [PathBuf],
    pub script_dir: Option<&'a Path>,
}

/// 12 random hex digits, like Alembic's `uuid4().hex[-12:]`. std's `RandomState` is seeded
/// from the OS; the time and pid are mixed in for good measure.
fn random_rev_id() -> String {
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    h.write_u128(now);
    h.write_u32(std::process::id());
    format!("{:012x}", h.finish() & 0xffff_ffff_ffff)
}

/// Now, in UTC, as Python prints a datetime: `2024-01-05 10:30:00.123456`.
fn create_date() -> String {
    let d = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let secs = d.as_secs() as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Howard Hinnant's days-to-civil.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}.{:06}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        d.subsec_micros()
    )
}

/// The revisions named, resolved in Alembic's order (`heads` → every head).
fn parents(a: &Analysis, revisions: &[String]) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = Vec::new();
    for r in revisions {
        let found = a
            .map
            .get_revisions(&RevArg::Str(r.clone()))
            .map_err(|e| e.command_message(&CommandContext::default()))?;
        for p in found {
            let Some(i) = Pos::rev(p) else {
                return Err(format!("cannot merge {r}: it is not a revision"));
            };
            let id = a.map.id(i).to_string();
            if out.contains(&id) {
                return Err("Duplicate head revisions specified".to_string());
            }
            out.push(id);
        }
    }
    Ok(out)
}

/// Write the merge; returns the paths written.
pub fn merge(a: &Analysis, place: &Place, args: &MergeArgs) -> Result<Vec<String>, String> {
    if let Some(c) = &a.map.cycle {
        return Err(c.message.clone());
    }
    let layout = a.layout.unwrap_or("unknown");
    if layout != "alembic" && layout != "dag" {
        return Err(format!(
            "merges do not apply to {layout} folders: their migrations run in version order, so there is one line of history and never two heads to join; give a migration that sorts too low a higher version instead"
        ));
    }
    let parents = parents(a, args.revisions)?;
    if parents.len() < 2 {
        return Err(format!(
            "nothing to merge: {} names one revision ({})",
            args.revisions.join(" "),
            parents.join(", ")
        ));
    }
    let rev_id = match args.rev_id {
        Some(id) => id.to_string(),
        None if layout == "dag" => next_dag_id(a),
        None => random_rev_id(),
    };
    if a.map.by_id.contains_key(&rev_id) {
        return Err(format!("Revision {rev_id} is present more than once"));
    }
    let date = create_date();
    let spec = MergeSpec {
        rev_id: &rev_id,
        parents: &parents,
        message: args.message,
        branch_label: args.branch_label,
        create_date: &date,
    };
    if layout == "dag" {
        let root = place.versions_dirs.first().ok_or("no migrations folder")?;
        let (folder, metadata, up, down) = dag_merge(&spec);
        let dir = root.join(folder);
        std::fs::create_dir(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let mut written = Vec::new();
        for (name, text) in [("metadata.yaml", metadata), ("up.sql", up), ("down.sql", down)] {
            let p = dir.join(name);
            std::fs::write(&p, text).map_err(|e| format!("cannot write {}: {e}", p.display()))?;
            written.push(super::discover::display_path(&p));
        }
        return Ok(written);
    }
    let template_path = place.script_dir.map(|d| d.join("script.py.mako"));
    let text = match template_path.as_deref().filter(|p| p.is_file()) {
        Some(p) => {
            let t = std::fs::read_to_string(p).map_err(|e| format!("cannot read {}: {e}", p.display()))?;
            render_template(&t, &spec).map_err(|why| {
                format!(
                    "{}: {why}, which migplan does not run; write the merge with `alembic merge {}` instead",
                    p.display(),
                    args.revisions.join(" ")
                )
            })?
        }
        None => render_template(DEFAULT_TEMPLATE, &spec)?,
    };
    // Alembic's rule: one version location → it; several → the first merged head's folder.
    let dir = match place.versions_dirs {
        [one] => one.clone(),
        _ => {
            let first = a
                .map
                .by_id
                .get(&parents[0])
                .map(|&i| a.revision(i).path.clone())
                .unwrap_or_default();
            Path::new(&first).parent().map(Path::to_path_buf).unwrap_or_default()
        }
    };
    let path = dir.join(file_name(&spec));
    if path.exists() {
        return Err(format!("{} already exists", path.display()));
    }
    std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(vec![super::discover::display_path(&path)])
}

/// DAG ids are numbers in practice (`0007`): the next one, as wide; else a random id.
fn next_dag_id(a: &Analysis) -> String {
    let ids: Vec<&str> = (0..a.map.len()).map(|i| a.map.id(i)).collect();
    if !ids.is_empty() && ids.iter().all(|i| !i.is_empty() && i.bytes().all(|b| b.is_ascii_digit())) {
        let width = ids.iter().map(|i| i.len()).max().unwrap_or(4);
        if let Some(next) = ids
            .iter()
            .filter_map(|i| i.parse::<u64>().ok())
            .max()
            .and_then(|m| m.checked_add(1))
        {
            return format!("{next:0width$}");
        }
    }
    random_rev_id()
}
