//! A new revision, planned without IO: the parents `alembic revision` gives it (`--head`,
//! `--splice`, `--depends-on`, a new `--branch-label`), and for plain-SQL folders the files
//! each tool's own generator writes (`migrate create`, `sqlx migrate add`, `dbmate new`,
//! `goose create`, `diesel migration generate`, `atlas migrate new`, Flyway's naming rule),
//! named with the next version.
//!
//! Pure: the caller reads the clock, draws random ids and writes the files.

use std::path::Path;

use crate::alembic_script::slug;
use crate::analysis::Analysis;
use crate::codes::Code;
use crate::graph::{RevIdx, RevisionMap};
use crate::layout::{self, Layout, VersionKey, timestamp_date};
use crate::resolve::{CommandContext, Pos, RevArg};
use crate::source::SourceFile;
use crate::timestamp::Timestamp;

/// What `migplan revision` was asked for.
pub struct Request<'a> {
    pub message: Option<&'a str>,
    /// `--head`; Alembic's default is `head`.
    pub head: &'a str,
    pub splice: bool,
    pub branch_label: Option<&'a str>,
    pub depends_on: &'a [String],
    /// `--rev-id`; for DAG folders the caller fills in the next id.
    pub rev_id: Option<&'a str>,
}

/// Alembic's message when `--head` is left at `head` and there are several.
const MULTIPLE_HEADS: &str =
    "Multiple heads are present; please specify the head revision on which the new revision should be based, or perform a merge.";

/// What `--head` names, as Alembic's `generate_revision` resolves it (`base`: nothing).
fn resolve_head(map: &RevisionMap, head: &str) -> Result<Vec<RevIdx>, String> {
    let ctx = CommandContext {
        multiple_heads: Some(MULTIPLE_HEADS),
        ..Default::default()
    };
    let found: Vec<RevIdx> = map
        .get_revisions(&RevArg::str(head))
        .map_err(|e| e.command_message(&ctx))?
        .into_iter()
        .filter_map(Pos::rev)
        .collect();
    let mut unique = found.clone();
    unique.sort_unstable();
    unique.dedup();
    if unique.len() != found.len() {
        return Err("Duplicate head revisions specified".to_string());
    }
    Ok(found)
}

/// The new revision's parents: what `--head` names, which must be heads unless `--splice`.
pub fn parents(map: &RevisionMap, head: &str, splice: bool) -> Result<Vec<String>, String> {
    let heads = resolve_head(map, head)?;
    if !splice && let Some(&h) = heads.iter().find(|&&h| !map.node(h).is_head()) {
        return Err(format!(
            "Revision {} is not a head revision; please specify --splice to create a new branch from this revision",
            map.id(h)
        ));
    }
    Ok(heads.iter().map(|&h| map.id(h).to_string()).collect())
}

/// `--depends-on`, resolved as Alembic does: branch labels kept, partial ids completed.
pub fn depends_on(map: &RevisionMap, deps: &[String]) -> Result<Vec<String>, String> {
    deps.iter()
        .map(|d| {
            let pos = map
                .get_revision(&RevArg::str(d))
                .map_err(|e| e.command_message(&CommandContext::default()))?;
            let Some(i) = pos.rev() else {
                return Err(format!("Can't locate revision identified by '{d}'"));
            };
            let node = map.node(i);
            Ok(if node.links.labels.contains(d) {
                d.clone()
            } else {
                node.id.clone()
            })
        })
        .collect()
}

/// The id and the label are new. Alembic would write a second revision with the id (and
/// only warn), or fail after writing on a label in use; migplan refuses before writing.
pub fn check_new(map: &RevisionMap, rev_id: &str, label: Option<&str>) -> Result<(), String> {
    if map.by_id.contains_key(rev_id) {
        return Err(format!("Revision {rev_id} is already present"));
    }
    if let Some(l) = label
        && let Some(&holder) = map.by_label.get(l).or_else(|| map.by_id.get(l))
    {
        return Err(format!(
            "Branch name '{l}' in revision {rev_id} already used by revision {}",
            map.id(holder)
        ));
    }
    Ok(())
}

/// DAG ids are numbers in practice (`0007`): the next one, as wide (`0001` for the first);
/// `None` when they are not all numbers.
pub fn next_dag_id(map: &RevisionMap) -> Option<String> {
    let ids: Vec<&str> = (0..map.len()).map(|i| map.id(i)).collect();
    if ids.is_empty() {
        return Some("0001".to_string());
    }
    if !ids.iter().all(|i| !i.is_empty() && i.bytes().all(|b| b.is_ascii_digit())) {
        return None;
    }
    let width = ids.iter().map(|i| i.len()).max().unwrap_or(4);
    let next = ids.iter().filter_map(|i| i.parse::<u64>().ok()).max()?.checked_add(1)?;
    Some(format!("{next:0width$}"))
}

/// One file to write: `name` (which may hold a sub-folder) in the folder `dir`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewFile {
    pub dir: String,
    pub name: String,
    pub text: String,
    /// An index file rewritten in place (`atlas.sum`); every other file must be new.
    pub replaces: bool,
}

/// A planned plain-SQL migration: the revision id migplan reads it as, and its files.
#[derive(Debug)]
pub struct SqlRevision {
    pub id: String,
    pub files: Vec<NewFile>,
}

const SQLX_UP: &str = "-- Add up migration script here\n";
const SQLX_DOWN: &str = "-- Add down migration script here\n";
const SQLX_SIMPLE: &str = "-- Add migration script here\n";
const DBMATE: &str = "-- migrate:up\n\n\n-- migrate:down\n\n";
const GOOSE: &str = "-- +goose Up\n-- +goose StatementBegin\nSELECT 'up SQL query';\n-- +goose StatementEnd\n\n-- +goose Down\n-- +goose StatementBegin\nSELECT 'down SQL query';\n-- +goose StatementEnd\n";
const DIESEL_UP: &str = "-- Your SQL goes here\n";
const DIESEL_DOWN: &str = "-- This file should undo anything in `up.sql`\n";

/// The files a new migration of the folder's layout needs. See the module docs.
pub fn sql_revision(a: &Analysis, files: &[SourceFile], roots: &[String], req: &Request, now: &Timestamp) -> Result<SqlRevision, String> {
    let Some(name) = a.layout else {
        return Err("the folder matches no migration layout migplan reads; name it with --layout to write its first migration".to_string());
    };
    let layout = layout::layout_by_name(name).ok_or_else(|| format!("unknown layout {name}"))?;
    if let Some(c) = &a.map.cycle {
        return Err(c.message.clone());
    }
    if req.branch_label.is_some() {
        return Err(format!(
            "--branch-label is for Alembic revisions: {name} migrations have no branch labels"
        ));
    }
    if !req.depends_on.is_empty() {
        return Err(format!(
            "--depends-on is for Alembic revisions: {name} migrations name no dependencies"
        ));
    }
    let slug = slug(req.message, usize::MAX);
    if slug.is_empty() {
        return Err(format!("{name} migration files are named after the message: pass -m"));
    }
    let root = roots.first().ok_or("no migrations folder")?;
    if name == "dag" {
        return dag_revision(a, root, req, &slug);
    }
    if req.splice {
        return Err(format!(
            "--splice is for Alembic and DAG folders: {name} migrations run in version order, one line of history"
        ));
    }
    let newest = a
        .revisions
        .iter()
        .filter(|r| r.sql.is_some())
        .filter_map(|r| version_key(layout, &r.id).map(|k| (k, r)))
        .max_by(|x, y| x.0.cmp(&y.0))
        .map(|(_, r)| r);
    let wanted = resolve_head(&a.map, req.head)?;
    let follows_newest = match newest {
        Some(n) => wanted.len() == 1 && a.map.id(wanted[0]) == n.id,
        None => wanted.is_empty(),
    };
    if !follows_newest {
        return Err(format!(
            "{name} migrations run in version order: a new one always follows the newest ({}), so --head can only name it",
            newest.map_or("none", |n| n.id.as_str())
        ));
    }
    let newest_version = newest.and_then(|n| n.sql.as_ref()).map(|s| s.version.as_str());
    let version = match req.rev_id {
        Some(v) => v.to_string(),
        None => next_version(name, newest_version, now),
    };
    let key = version_key(layout, &version).ok_or_else(|| format!("{version} is not a {name} version"))?;
    let id = read_id(name, &version);
    check_new(&a.map, &id, None)?;
    if let Some(n) = newest
        && version_key(layout, &n.id).is_some_and(|k| k >= key)
    {
        return Err(match req.rev_id {
            Some(_) => format!(
                "version {version} does not sort after the newest migration, {}: {name} would run it out of order",
                n.id
            ),
            None => format!(
                "the newest migration, {}, is dated at or after now ({version}); pass --rev-id with a later version",
                n.id
            ),
        });
    }
    let stem = format!("{version}_{slug}");
    // sqlx and Flyway write down files only where the folder already has them.
    let with_downs = a.revisions.iter().any(|r| r.sql.as_ref().is_some_and(|s| s.down_path.is_some()));
    let sqlx_reversible = newest.and_then(|n| n.sql.as_ref()).is_some_and(|s| s.down_path.is_some());
    let pair = |up: &str, down: &str| {
        vec![
            (format!("{stem}.up.sql"), up.to_string()),
            (format!("{stem}.down.sql"), down.to_string()),
        ]
    };
    let mut dir = root.clone();
    let mut new: Vec<(String, String)> = match name {
        "golang-migrate" => pair("", ""),
        "sqlx" if sqlx_reversible => pair(SQLX_UP, SQLX_DOWN),
        "sqlx" => vec![(format!("{stem}.sql"), SQLX_SIMPLE.to_string())],
        "dbmate" => vec![(format!("{stem}.sql"), DBMATE.to_string())],
        "goose" => vec![(format!("{stem}.sql"), GOOSE.to_string())],
        "diesel" => vec![
            (format!("{stem}/up.sql"), DIESEL_UP.to_string()),
            (format!("{stem}/down.sql"), DIESEL_DOWN.to_string()),
        ],
        "atlas" => vec![(format!("{stem}.sql"), String::new())],
        "flyway" => {
            // Flyway reads every location; the new script goes next to the newest one.
            if let Some(parent) = newest.and_then(|n| Path::new(&n.path).parent()) {
                dir = parent.to_string_lossy().into_owned();
            }
            let mut v = vec![(format!("V{version}__{slug}.sql"), String::new())];
            if with_downs {
                v.push((format!("U{version}__{slug}.sql"), String::new()));
            }
            v
        }
        other => return Err(format!("migplan does not know how {other} names a new migration; write it by hand")),
    };
    let mut out: Vec<NewFile> = new
        .drain(..)
        .map(|(n, text)| NewFile {
            dir: dir.clone(),
            name: n,
            text,
            replaces: false,
        })
        .collect();
    if name == "atlas" {
        out.push(atlas_sum(a, files, roots, &out)?);
    }
    Ok(SqlRevision { id, files: out })
}

/// The ordering key of a version as written in a file name (diesel's has dashes).
fn version_key(layout: &dyn Layout, version: &str) -> Option<VersionKey> {
    layout.version_key(&version.replace('-', ""))
}

/// The revision id migplan reads a version as (see each layout's reader).
fn read_id(layout: &str, version: &str) -> String {
    match layout {
        "diesel" => version.replace('-', ""),
        "flyway" => version.replace('_', "."),
        _ => version.to_string(),
    }
}

/// The version a tool's generator would give the next migration: a timestamp (UTC), or
/// the next number as wide as the newest where the folder numbers its migrations.
fn next_version(layout: &str, newest: Option<&str>, now: &Timestamp) -> String {
    match (layout, newest) {
        ("diesel", _) => now.dashed(),
        ("dbmate", _) => now.compact(),
        ("flyway", None) => "1".to_string(),
        // Flyway bumps the last part: 1.10 → 1.11, 3 → 4.
        ("flyway", Some(v)) => {
            let parts: Vec<&str> = v.split(['.', '_']).collect();
            let last = parts.last().and_then(|p| p.parse::<u64>().ok()).unwrap_or(0);
            let mut next: Vec<String> = parts[..parts.len().saturating_sub(1)].iter().map(|p| p.to_string()).collect();
            next.push((last + 1).to_string());
            next.join(".")
        }
        (_, Some(v)) if timestamp_date(v).is_none() && v.bytes().all(|b| b.is_ascii_digit()) => {
            let next = v.parse::<u64>().ok().and_then(|n| n.checked_add(1)).unwrap_or(1);
            format!("{next:0width$}", width = v.len())
        }
        _ => now.compact(),
    }
}

/// A DAG folder's new migration, after `--head` (with Alembic's rules for it).
fn dag_revision(a: &Analysis, root: &str, req: &Request, slug: &str) -> Result<SqlRevision, String> {
    let parents = parents(&a.map, req.head, req.splice)?;
    let id = req.rev_id.ok_or("a DAG migration needs an id")?;
    if id.is_empty() || id.contains(['_', '/', '\\']) {
        return Err(format!(
            "{id:?} cannot be a DAG id: the folder is named `<id>_<name>`, so the id has no `_` or `/`"
        ));
    }
    check_new(&a.map, id, None)?;
    let message = req.message.unwrap_or(slug);
    let folder = layout::dag::new_folder(id, message, slug, &parents, "", "");
    let files = [("metadata.yaml", folder.metadata), ("up.sql", folder.up), ("down.sql", folder.down)]
        .into_iter()
        .map(|(n, text)| NewFile {
            dir: root.to_string(),
            name: format!("{}/{n}", folder.name),
            text,
            replaces: false,
        })
        .collect();
    Ok(SqlRevision { id: id.to_string(), files })
}

/// `atlas.sum` rewritten for the folder with the new files, as `atlas migrate new` does. A
/// sum that already disagrees with the folder is not silently blessed.
fn atlas_sum(a: &Analysis, files: &[SourceFile], roots: &[String], new: &[NewFile]) -> Result<NewFile, String> {
    if a.diagnostics.iter().any(|d| d.code == Code::AtlasSumMismatch) {
        return Err(
            "atlas.sum does not match the folder already; fix that first (`atlas migrate hash` after checking the change)".to_string(),
        );
    }
    let root = roots.first().ok_or("no migrations folder")?;
    let mut entries: Vec<(&str, &str)> = files
        .iter()
        .map(|f| (layout::relative(&f.path, roots), f.text.as_str()))
        .filter(|(rel, _)| !rel.contains('/') && rel.ends_with(".sql"))
        .chain(new.iter().map(|f| (f.name.as_str(), f.text.as_str())))
        .collect();
    entries.sort();
    Ok(NewFile {
        dir: root.clone(),
        name: "atlas.sum".to_string(),
        text: layout::atlas::sum_file(&entries),
        replaces: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::analyze_sql_folder;
    use crate::dialect::postgresql::PostgreSQL;
    use crate::layout::LoadOptions;

    fn folder(list: &[(&str, &str)], layout: Option<&str>) -> (Vec<SourceFile>, Analysis) {
        let files: Vec<SourceFile> = list.iter().map(|(p, t)| SourceFile::new(format!("m/{p}"), *t)).collect();
        let opts = LoadOptions {
            layout: layout.and_then(layout::layout_by_name),
            dialect: &PostgreSQL,
            enable: vec![],
        };
        let a = analyze_sql_folder(&files, &["m".to_string()], &opts);
        (files, a)
    }

    fn request(message: &str) -> Request<'_> {
        Request {
            message: Some(message),
            head: "head",
            splice: false,
            branch_label: None,
            depends_on: &[],
            rev_id: None,
        }
    }

    fn names(r: &SqlRevision) -> Vec<String> {
        r.files.iter().map(|f| format!("{}/{}", f.dir, f.name)).collect()
    }

    const NOW: i64 = 1_800_000_000; // 2027-01-15 08:00:00 UTC

    #[test]
    fn numbered_folders_keep_their_width() {
        let (files, a) = folder(&[("0009_a.up.sql", "SELECT 1;"), ("0009_a.down.sql", "SELECT 1;")], None);
        let r = sql_revision(&a, &files, &["m".into()], &request("Add users!"), &Timestamp::from_unix(NOW, 0)).unwrap();
        assert_eq!(r.id, "0010");
        assert_eq!(names(&r), ["m/0010_add_users.up.sql", "m/0010_add_users.down.sql"]);
    }

    #[test]
    fn timestamped_folders_get_the_time() {
        let (files, a) = folder(&[("20240101000000_a.sql", "-- +goose Up\nSELECT 1;\n")], None);
        let r = sql_revision(&a, &files, &["m".into()], &request("b"), &Timestamp::from_unix(NOW, 0)).unwrap();
        assert_eq!(names(&r), ["m/20270115080000_b.sql"]);
        assert!(r.files[0].text.starts_with("-- +goose Up\n"));
        // A version from the future: the clock cannot give a later one.
        let (files, a) = folder(&[("20990101000000_a.sql", "-- +goose Up\nSELECT 1;\n")], None);
        let err = sql_revision(&a, &files, &["m".into()], &request("b"), &Timestamp::from_unix(NOW, 0)).unwrap_err();
        assert!(err.contains("pass --rev-id"), "{err}");
    }

    #[test]
    fn flyway_bumps_the_last_part_and_writes_undo_where_used() {
        let (files, a) = folder(
            &[
                ("V1__a.sql", "SELECT 1;"),
                ("V1.9__b.sql", "SELECT 1;"),
                ("U1.9__b.sql", "SELECT 1;"),
            ],
            None,
        );
        let r = sql_revision(&a, &files, &["m".into()], &request("c"), &Timestamp::from_unix(NOW, 0)).unwrap();
        assert_eq!(r.id, "1.10");
        assert_eq!(names(&r), ["m/V1.10__c.sql", "m/U1.10__c.sql"]);
    }

    #[test]
    fn alembic_only_options_and_old_heads_are_refused() {
        let (files, a) = folder(&[("1_a.up.sql", "SELECT 1;"), ("2_b.up.sql", "SELECT 1;")], None);
        let now = Timestamp::from_unix(NOW, 0);
        let roots = ["m".to_string()];
        let mut req = request("c");
        req.head = "1";
        assert!(
            sql_revision(&a, &files, &roots, &req, &now)
                .unwrap_err()
                .contains("follows the newest (2)")
        );
        req.head = "head";
        req.branch_label = Some("x");
        assert!(sql_revision(&a, &files, &roots, &req, &now).is_err());
        req.branch_label = None;
        req.rev_id = Some("2");
        assert_eq!(
            sql_revision(&a, &files, &roots, &req, &now).unwrap_err(),
            "Revision 2 is already present"
        );
        req.rev_id = None;
        req.message = None;
        assert!(sql_revision(&a, &files, &roots, &req, &now).unwrap_err().contains("pass -m"));
    }

    #[test]
    fn atlas_sum_covers_the_new_file() {
        let sum = layout::atlas::sum_file(&[("1_a.sql", "SELECT 1;\n")]);
        let (files, a) = folder(&[("1_a.sql", "SELECT 1;\n"), ("atlas.sum", &sum)], None);
        let r = sql_revision(&a, &files, &["m".into()], &request("b"), &Timestamp::from_unix(NOW, 0)).unwrap();
        assert_eq!(names(&r), ["m/2_b.sql", "m/atlas.sum"]);
        let mut after: Vec<(&str, &str)> = vec![("1_a.sql", "SELECT 1;\n"), ("2_b.sql", "")];
        after.sort();
        assert_eq!(r.files[1].text, layout::atlas::sum_file(&after));
        assert!(r.files[1].replaces);
    }

    #[test]
    fn dag_folders_follow_alembics_head_rules() {
        let (files, a) = folder(
            &[
                ("0001_a/metadata.yaml", "name: a\nparents: []\n"),
                ("0001_a/up.sql", "SELECT 1;"),
                ("0002_b/metadata.yaml", "name: b\nparents: [0001]\n"),
                ("0002_b/up.sql", "SELECT 1;"),
                ("0003_c/metadata.yaml", "name: c\nparents: [0001]\n"),
                ("0003_c/up.sql", "SELECT 1;"),
            ],
            None,
        );
        let now = Timestamp::from_unix(NOW, 0);
        let roots = ["m".to_string()];
        let mut req = request("D");
        req.rev_id = Some("0004");
        assert_eq!(sql_revision(&a, &files, &roots, &req, &now).unwrap_err(), MULTIPLE_HEADS);
        req.head = "0002";
        let r = sql_revision(&a, &files, &roots, &req, &now).unwrap();
        assert_eq!(names(&r), ["m/0004_d/metadata.yaml", "m/0004_d/up.sql", "m/0004_d/down.sql"]);
        assert_eq!(r.files[0].text, "name: D\nparents: [0002]\n");
        req.head = "0001";
        assert!(
            sql_revision(&a, &files, &roots, &req, &now)
                .unwrap_err()
                .contains("please specify --splice")
        );
        assert_eq!(next_dag_id(&a.map).as_deref(), Some("0004"));
    }
}
