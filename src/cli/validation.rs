//! `migplan check`'s validation: find `migplan.toml`, apply command-line overrides, read
//! every migration's text (for inline ignores and irreversible markers), and run the core.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::analysis::Analysis;
use crate::diagnostic::Diagnostic;
use crate::dialect::Dialect;
use crate::lint::config::{LintConfig, parse_version};
use crate::validate::{ValidateOptions, check};

use super::discover::{Discovery, read_source};

/// What the command line adds to `migplan.toml`.
#[derive(Clone)]
pub struct CheckFlags<'a> {
    pub pg_version: Option<&'a str>,
    pub mysql_version: Option<&'a str>,
    /// `--since REV`: REV and its ancestors are deployed; the rest is one plan.
    pub since: Option<&'a str>,
    /// Revisions deployed where the plan runs (PR mode: the base's).
    pub deployed: Option<BTreeSet<String>>,
}

/// Where `migplan.toml` is looked for: the current folder, the config file's folder, and
/// each versions folder and its parent.
fn config_candidates(disc: &Discovery, config: Option<&str>) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = vec![PathBuf::from(".")];
    if let Some(c) = config.and_then(|c| Path::new(c).parent()) {
        dirs.push(c.to_path_buf());
    }
    for d in &disc.versions_dirs {
        dirs.push(d.clone());
        if let Some(p) = d.parent() {
            dirs.push(p.to_path_buf());
        }
    }
    dirs.into_iter().map(|d| d.join("migplan.toml")).collect()
}

/// Where `migplan baseline` writes: the `migplan.toml` that `check` reads, else a new one
/// in the first place it is looked for (the current folder).
pub fn config_path(disc: &Discovery, config: Option<&str>) -> PathBuf {
    let candidates = config_candidates(disc, config);
    candidates.iter().find(|p| p.is_file()).unwrap_or(&candidates[0]).clone()
}

/// The first `migplan.toml` found, parsed (errors name the file and line).
pub fn load_config(disc: &Discovery, config: Option<&str>) -> Result<(LintConfig, Option<String>), String> {
    for p in config_candidates(disc, config) {
        if let Ok(text) = std::fs::read_to_string(&p) {
            let shown = p.strip_prefix("./").unwrap_or(&p).display().to_string();
            return match LintConfig::parse(&text) {
                Ok(c) => Ok((c, Some(shown))),
                Err(e) => Err(match e.line {
                    Some(l) => format!("{shown}:{l}: {}", e.message),
                    None => format!("{shown}: {}", e.message),
                }),
            };
        }
    }
    Ok((LintConfig::default(), None))
}

/// Every finding of `check`: the analysis' plus the validation's, configured.
pub fn findings(
    a: &Analysis,
    dialect: &dyn Dialect,
    mut config: LintConfig,
    flags: &CheckFlags,
    texts: &BTreeMap<String, String>,
) -> Result<Vec<Diagnostic>, String> {
    if let Some(v) = flags.pg_version {
        config.pg_version = Some(parse_version(v).ok_or_else(|| format!("--pg-version {v}: not a version (e.g. 15 or 9.6)"))?);
    }
    if let Some(v) = flags.mysql_version {
        config.mysql_version = Some(parse_version(v).ok_or_else(|| format!("--mysql-version {v}: not a version (e.g. 8.0)"))?);
    }
    let mut deployed = flags.deployed.clone();
    if let Some(rev) = flags.since {
        let idx = a
            .map
            .get_revisions(&crate::resolve::RevArg::str(rev))
            .map_err(|e| format!("--since {rev}: {}", e.message()))?;
        let targets: Vec<usize> = idx.into_iter().filter_map(crate::resolve::Pos::rev).collect();
        let ids: BTreeSet<String> = a
            .map
            .ancestors(&targets, true)
            .into_iter()
            .map(|r| a.map.id(r).to_string())
            .collect();
        deployed.get_or_insert_with(BTreeSet::new).extend(ids);
    }
    let env_sets_timeout = crate::validate::env_sets_timeout(texts);
    let opts = ValidateOptions {
        dialect,
        config,
        deployed,
        texts: Some(texts),
        env_sets_timeout,
        parallel: &super::parallel::Rayon,
    };
    Ok(check(a, &opts))
}

/// The text of every migration file (and env.py), for markers and snippets. `read` are
/// files already read for parsing: their texts are moved in rather than read again.
///
/// `read`: the scripts were read for parsing, and these are the ones holding a marker
/// (see [`super::discover::read_scripts`]); the rest are not read again. `None`: every
/// revision's file is read here.
pub fn all_texts(a: &Analysis, known: &[crate::SourceFile], read: Option<Vec<crate::SourceFile>>) -> BTreeMap<String, String> {
    let mut out: BTreeMap<String, String> = known.iter().map(|f| (f.path.clone(), f.text.clone())).collect();
    if let Some(read) = read {
        // Only revisions' files, as when reading from disk below.
        let wanted: BTreeSet<&str> = a.revisions.iter().map(|r| r.path.as_str()).collect();
        for f in read {
            if wanted.contains(f.path.as_str()) && !out.contains_key(&f.path) {
                out.insert(f.path, f.text);
            }
        }
        return out;
    }
    for r in &a.revisions {
        let paths = [Some(&r.path), r.sql.as_ref().and_then(|s| s.down_path.as_ref())];
        for p in paths.into_iter().flatten() {
            if !out.contains_key(p)
                && let Some(f) = read_source(Path::new(p))
            {
                out.insert(p.clone(), f.text);
            }
        }
    }
    out
}
