//! SQLite through rusqlite (bundled: the embedded default needs no system library).
//!
//! The runner's lock is SQLite's own: `locking_mode=EXCLUSIVE` keeps the write lock from
//! the first write until the connection closes, so a second runner waits in its busy
//! handler. SQLite cannot say who holds a lock, so the holder writes a note beside the
//! database file (`<db>-migplan.lock`) that the waiter quotes.

use std::time::{Duration, Instant};

use rusqlite::Connection;
use rusqlite::types::ValueRef;

use super::driver::{Driver, LiveSchema, Rows, schema_from_rows};
use super::url::DbUrl;
use crate::dialect::Dialect;
use crate::ops::TableRef;

pub struct Sqlite {
    conn: Connection,
    path: String,
    note: Option<std::path::PathBuf>,
    /// The journal mode to restore after the run (see `lock`).
    journal: Option<String>,
}

impl Sqlite {
    pub fn open(url: &DbUrl) -> Result<Sqlite, String> {
        let path = url.database.clone();
        let conn = Connection::open(&path).map_err(|e| format!("cannot open SQLite database {path}: {e}"))?;
        Ok(Sqlite {
            conn,
            path,
            note: None,
            journal: None,
        })
    }

    fn note_path(&self) -> Option<std::path::PathBuf> {
        (self.path != ":memory:").then(|| std::path::PathBuf::from(format!("{}-migplan.lock", self.path)))
    }
}

fn text(v: ValueRef) -> Option<String> {
    match v {
        ValueRef::Null => None,
        ValueRef::Integer(i) => Some(i.to_string()),
        ValueRef::Real(f) => Some(f.to_string()),
        ValueRef::Text(t) => Some(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Some(String::from_utf8_lossy(b).into_owned()),
    }
}

impl Driver for Sqlite {
    fn dialect(&self) -> &'static dyn Dialect {
        &crate::dialect::sqlite::SQLite
    }
    fn transactional_ddl(&self) -> bool {
        true
    }
    fn execute(&mut self, sql: &str) -> Result<(), String> {
        self.conn.execute_batch(sql).map_err(|e| e.to_string())
    }
    fn query(&mut self, sql: &str) -> Result<Rows, String> {
        let mut st = self.conn.prepare(sql).map_err(|e| e.to_string())?;
        let n = st.column_count();
        let mut rows = st.query([]).map_err(|e| e.to_string())?;
        let mut out = Vec::new();
        while let Some(r) = rows.next().map_err(|e| e.to_string())? {
            out.push((0..n).map(|i| r.get_ref(i).ok().and_then(text)).collect());
        }
        Ok(out)
    }
    fn table_exists(&mut self, table: &TableRef) -> Result<bool, String> {
        let master = match &table.schema {
            Some(s) => {
                // A schema is an ATTACHed database here: say so instead of "no such table".
                let attached = self.query("SELECT name FROM pragma_database_list")?;
                if !attached.iter().any(|r| r.first().cloned().flatten().as_deref() == Some(s.as_str())) {
                    return Err(format!(
                        "SQLite database {} has no schema '{s}' (the schema of table {}): in SQLite a schema is an \
                         ATTACHed database; use a version table without a schema here",
                        self.path, table.name
                    ));
                }
                format!("\"{}\".sqlite_master", s.replace('"', "\"\""))
            }
            None => "sqlite_master".into(),
        };
        let rows = self.query(&format!(
            "SELECT 1 FROM {master} WHERE type = 'table' AND name = '{}'",
            table.name.replace('\'', "''")
        ))?;
        Ok(!rows.is_empty())
    }
    fn lock(&mut self, timeout: Duration) -> Result<(), String> {
        // SQLite answers BUSY at once (no busy handler) when waiting could deadlock, so the
        // waiting is ours: retry `BEGIN EXCLUSIVE` until the deadline.
        let start = Instant::now();
        self.conn.busy_timeout(Duration::from_millis(200)).map_err(|e| e.to_string())?;
        loop {
            match self.execute("BEGIN EXCLUSIVE") {
                Ok(()) => break,
                Err(e) if e.contains("locked") || e.contains("busy") => {
                    let _ = self.conn.execute_batch("ROLLBACK");
                    if start.elapsed() >= timeout {
                        let holder = self
                            .note_path()
                            .and_then(|p| std::fs::read_to_string(p).ok())
                            .map(|n| format!("held by {}", n.lines().next().unwrap_or("").trim()))
                            .unwrap_or_else(|| "held by another connection".into());
                        return Err(format!(
                            "could not lock SQLite database {} within {timeout:.0?}: {holder}",
                            self.path
                        ));
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(e) => return Err(e),
            }
        }
        // Holding the write lock: EXCLUSIVE mode keeps it past this and every later commit.
        self.execute("PRAGMA locking_mode = EXCLUSIVE; COMMIT")?;
        self.conn.busy_timeout(timeout).map_err(|e| e.to_string())?;
        // While we hold the database alone, a write-ahead log commits each migration with
        // one sync instead of the rollback journal's three; the file's own mode is put back
        // at the end of the run (a crash leaves a WAL that the next open recovers).
        if self.path != ":memory:" {
            let mode = self
                .query("PRAGMA journal_mode")?
                .into_iter()
                .next()
                .and_then(|r| r.into_iter().next().flatten())
                .unwrap_or_else(|| "delete".into());
            // A runner killed mid-run left the file in WAL mode and its note (we hold the
            // lock, so the note is stale): the mode to restore is the one it recorded.
            let stale = self
                .note_path()
                .and_then(|p| std::fs::read_to_string(p).ok())
                .and_then(|n| n.lines().find_map(|l| l.strip_prefix("journal=").map(str::to_string)));
            if mode.eq_ignore_ascii_case("wal") {
                self.journal = stale.filter(|m| !m.eq_ignore_ascii_case("wal"));
            } else if self.query("PRAGMA journal_mode = WAL").is_ok() {
                self.journal = Some(mode);
            }
        }
        if let Some(p) = self.note_path() {
            let note = format!(
                "migplan runner {}\njournal={}\n",
                super::driver::applied_by(),
                self.journal.as_deref().unwrap_or("wal")
            );
            if std::fs::write(&p, note).is_ok() {
                self.note = Some(p);
            }
        }
        Ok(())
    }
    fn unlock(&mut self) {
        if let Some(p) = self.note.take() {
            let _ = std::fs::remove_file(p);
        }
        if let Some(mode) = self.journal.take()
            && mode.chars().all(|c| c.is_ascii_alphabetic())
        {
            let _ = self.query(&format!("PRAGMA journal_mode = {mode}"));
        }
        // Back to normal mode; the lock goes with the next access (or the connection).
        let _ = self.execute("PRAGMA locking_mode = NORMAL; SELECT 1 FROM sqlite_master LIMIT 1");
    }
    fn live_schema(&mut self) -> Result<LiveSchema, String> {
        let rows = self.query(
            "SELECT m.name, p.name FROM sqlite_master m LEFT JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
        )?;
        Ok(schema_from_rows(rows))
    }
    fn is_already_exists(&self, message: &str) -> bool {
        message.contains("already exists")
    }
}
