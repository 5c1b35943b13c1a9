//! `migplan merge heads -m MSG` (or `merge REV REV…`): writes the merge revision, as
//! `alembic merge` does, into the versions folder; for DAG folders, the merge migration's
//! folder. Naming, rendering and writing the script are shared with `revision`
//! ([`super::new_script`]); this module resolves what is merged.

use std::path::PathBuf;

use super::new_script::{Place, ScriptOptions, now, random_rev_id, versions_dir, warn_unrun_hooks, write};
use crate::alembic_script::{ScriptSpec, slug, verify_rev_id};
use crate::analysis::Analysis;
use crate::new_revision::{check_new, next_dag_id};
use crate::resolve::{CommandContext, Pos, RevArg};

pub struct MergeArgs<'a> {
    pub revisions: &'a [String],
    pub message: Option<&'a str>,
    pub rev_id: Option<&'a str>,
    pub branch_label: Option<&'a str>,
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
        None if layout == "dag" => next_dag_id(&a.map).unwrap_or_else(random_rev_id),
        None => random_rev_id(),
    };
    verify_rev_id(&rev_id)?;
    check_new(&a.map, &rev_id, args.branch_label)?;
    if layout == "dag" {
        let root = place.versions_dirs.first().ok_or("no migrations folder")?;
        let message = args.message.unwrap_or("merge");
        let note = "-- merge migration: joins the branches, changes nothing\n";
        let slug = slug(Some(message), crate::alembic_script::DEFAULT_TRUNCATE_SLUG_LENGTH);
        let folder = crate::layout::dag::new_folder(&rev_id, message, slug.trim_end_matches('_'), &parents, note, note);
        let dir = root.join(&folder.name);
        std::fs::create_dir(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let mut written = Vec::new();
        for (name, text) in [("metadata.yaml", folder.metadata), ("up.sql", folder.up), ("down.sql", folder.down)] {
            let p = dir.join(name);
            std::fs::write(&p, text).map_err(|e| format!("cannot write {}: {e}", p.display()))?;
            written.push(super::discover::display_path(&p));
        }
        return Ok(written);
    }
    let opts = ScriptOptions::read(place.settings)?;
    warn_unrun_hooks(place.settings);
    let date = now();
    let create_date = opts.create_date(&date);
    let spec = ScriptSpec {
        bodies: None,
        rev_id: &rev_id,
        parents: &parents,
        message: args.message,
        branch_label: args.branch_label,
        depends_on: &[],
        create_date: &create_date,
    };
    let dir: PathBuf = versions_dir(a, place, &parents)?;
    let instead = format!("alembic merge {}", args.revisions.join(" "));
    let written = write(place, &opts, &spec, &date, &dir, &instead)?;
    Ok(vec![super::discover::display_path(&written.path)])
}
