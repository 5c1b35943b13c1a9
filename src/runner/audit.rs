//! `migplan_history`: what the runner did, when, by whom, and the checksum of the file it
//! ran. A row whose `finished` is NULL is a migration in progress: on servers without
//! transactional DDL (MySQL) or outside a transaction, a run that died leaves it, and the
//! next run refuses until someone recovers (golang-migrate's dirty flag, with a message).

use sha2::{Digest, Sha256};

use super::driver::Driver;
use crate::bookkeeping::{TableDef, q, s, t};
use crate::dialect::Dialect;
use crate::render::sql_plan::RenderOptions;

pub const TABLE: &str = "migplan_history";

fn def(opts: &RenderOptions) -> TableDef {
    let named = RenderOptions {
        version_table: TABLE.into(),
        ..opts.clone()
    };
    TableDef::new(&named, TABLE)
        .col("id", "Integer", "integer", None, false)
        .serial()
        .col("revision", "String", "string", Some(255), false)
        .col("direction", "String", "string", Some(16), false)
        .col("checksum", "String", "string", Some(64), true)
        .col("started", "String", "string", Some(32), false)
        .col("finished", "String", "string", Some(32), true)
        .col("duration_ms", "BigInteger", "big_integer", None, true)
        .col("applied_by", "String", "string", Some(255), false)
        .col("progress", "String", "string", Some(1000), true)
        .primary_key(&["id"])
}

/// The checksum migplan records: SHA-256 of the text with line endings normalised and
/// trailing whitespace removed, so a CRLF checkout or an editor's whitespace cleanup is not
/// an edit.
pub fn checksum<'a>(texts: impl IntoIterator<Item = &'a str>) -> String {
    let mut h = Sha256::new();
    for text in texts {
        let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
        let body = lines.join("\n");
        h.update(body.trim_end().as_bytes());
        h.update(b"\x00");
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// UTC `YYYY-MM-DD HH:MM:SS.mmm` (sorts as text on every server).
pub fn now() -> String {
    let d = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let t = crate::timestamp::Timestamp::from_unix(d.as_secs() as i64, d.subsec_micros());
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:03}",
        t.year,
        t.month,
        t.day,
        t.hour,
        t.minute,
        t.second,
        t.micros / 1000
    )
}

/// One unfinished row: a migration that started and never finished.
#[derive(Debug, Clone)]
pub struct InProgress {
    pub id: String,
    pub revision: String,
    pub direction: String,
    pub started: String,
    pub applied_by: String,
    pub progress: Option<String>,
}

pub struct Audit {
    d: &'static dyn Dialect,
    table: String,
    opts: RenderOptions,
}

impl Audit {
    pub fn new(d: &'static dyn Dialect, opts: &RenderOptions) -> Audit {
        let table = t(d, def(opts).table());
        Audit {
            d,
            table,
            opts: opts.clone(),
        }
    }

    pub fn exists(&self, db: &mut dyn Driver) -> Result<bool, String> {
        db.table_exists(def(&self.opts).table())
    }

    pub fn ensure(&self, db: &mut dyn Driver) -> Result<(), String> {
        if db.table_exists(def(&self.opts).table())? {
            return Ok(());
        }
        for sql in def(&self.opts).create(self.d).map_err(|e| e.0)? {
            db.execute(&sql)?;
        }
        Ok(())
    }

    fn c(&self, name: &str) -> String {
        q(self.d, name)
    }

    fn lit(&self, v: Option<&str>) -> String {
        v.map_or_else(|| "NULL".into(), |v| s(self.d, v))
    }

    /// The statement that records a migration, finished (`finished: true`, inside its
    /// transaction) or in progress (before it starts, committed on its own).
    pub fn insert(&self, revision: &str, direction: &str, checksum: Option<&str>, started: &str, finished: Option<(&str, u128)>) -> String {
        format!(
            "INSERT INTO {} ({}, {}, {}, {}, {}, {}, {}) VALUES ({}, {}, {}, {}, {}, {}, {})",
            self.table,
            self.c("revision"),
            self.c("direction"),
            self.c("checksum"),
            self.c("started"),
            self.c("finished"),
            self.c("duration_ms"),
            self.c("applied_by"),
            s(self.d, revision),
            s(self.d, direction),
            self.lit(checksum),
            s(self.d, started),
            self.lit(finished.map(|f| f.0)),
            finished.map_or("NULL".into(), |f| f.1.to_string()),
            s(self.d, &super::driver::applied_by()),
        )
    }

    /// The id of the newest unfinished row for `revision` (ours: the lock is held).
    pub fn last_open(&self, db: &mut dyn Driver, revision: &str) -> Result<Option<String>, String> {
        let rows = db.query(&format!(
            "SELECT MAX({}) FROM {} WHERE {} = {} AND {} IS NULL",
            self.c("id"),
            self.table,
            self.c("revision"),
            s(self.d, revision),
            self.c("finished")
        ))?;
        Ok(rows.into_iter().next().and_then(|r| r.into_iter().next().flatten()))
    }

    pub fn progress(&self, id: &str, text: &str) -> String {
        let text: String = text.chars().take(1000).collect();
        format!(
            "UPDATE {} SET {} = {} WHERE {} = {id}",
            self.table,
            self.c("progress"),
            s(self.d, &text),
            self.c("id")
        )
    }

    pub fn finish(&self, id: &str, finished: &str, ms: u128) -> String {
        format!(
            "UPDATE {} SET {} = {}, {} = {ms}, {} = NULL WHERE {} = {id}",
            self.table,
            self.c("finished"),
            s(self.d, finished),
            self.c("duration_ms"),
            self.c("progress"),
            self.c("id")
        )
    }

    /// Close unfinished rows after a recovery (`stamp`), keeping what they said.
    pub fn close_open(&self, db: &mut dyn Driver, why: &str) -> Result<(), String> {
        db.execute(&format!(
            "UPDATE {} SET {} = {}, {} = {} WHERE {} IS NULL",
            self.table,
            self.c("finished"),
            s(self.d, &now()),
            self.c("direction"),
            s(self.d, &format!("abandoned {why}").chars().take(16).collect::<String>()),
            self.c("finished")
        ))
    }

    pub fn in_progress(&self, db: &mut dyn Driver) -> Result<Vec<InProgress>, String> {
        let rows = db.query(&format!(
            "SELECT {}, {}, {}, {}, {}, {} FROM {} WHERE {} IS NULL ORDER BY {}",
            self.c("id"),
            self.c("revision"),
            self.c("direction"),
            self.c("started"),
            self.c("applied_by"),
            self.c("progress"),
            self.table,
            self.c("finished"),
            self.c("id")
        ))?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let f = |i: usize| r.get(i).cloned().flatten().unwrap_or_default();
                InProgress {
                    id: f(0),
                    revision: f(1),
                    direction: f(2),
                    started: f(3),
                    applied_by: f(4),
                    progress: r.get(5).cloned().flatten(),
                }
            })
            .collect())
    }

    /// The checksum each revision was last applied (or reblessed) with.
    pub fn checksums(&self, db: &mut dyn Driver) -> Result<std::collections::BTreeMap<String, String>, String> {
        let rows = db.query(&format!(
            "SELECT {}, {}, {} FROM {} WHERE {} IS NOT NULL AND {} IS NOT NULL ORDER BY {}",
            self.c("revision"),
            self.c("direction"),
            self.c("checksum"),
            self.table,
            self.c("finished"),
            self.c("checksum"),
            self.c("id")
        ))?;
        let mut out = std::collections::BTreeMap::new();
        for r in rows {
            let f = |i: usize| r.get(i).cloned().flatten().unwrap_or_default();
            match f(1).as_str() {
                "upgrade" | "rebless" => {
                    out.insert(f(0), f(2));
                }
                "downgrade" => {
                    out.remove(&f(0));
                }
                _ => {}
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksum_ignores_line_endings_and_trailing_space() {
        let a = checksum(["CREATE TABLE t (a int);\nSELECT 1;\n"]);
        assert_eq!(a, checksum(["CREATE TABLE t (a int);  \r\nSELECT 1;\r\n\r\n"]));
        assert_ne!(a, checksum(["CREATE TABLE t (a bigint);\nSELECT 1;\n"]));
        // Up and down are separate parts: moving text between them is a change.
        assert_ne!(checksum(["a", "b"]), checksum(["ab", ""]));
    }

    #[test]
    fn timestamps_are_sortable_utc() {
        let n = now();
        assert_eq!(n.len(), 23, "{n}");
        assert!(n.starts_with("20"), "{n}");
    }
}
