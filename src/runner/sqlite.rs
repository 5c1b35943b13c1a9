//! SQLite through rusqlite (bundled: the embedded default needs no system library).
//!
//! The runner's lock is SQLite's own: `locking_mode=EXCLUSIVE` keeps the write lock from
//! the first write until the connection closes, so a second runner waits in its busy
//! handler. SQLite cannot say who holds a lock, so the holder writes a note beside the
//! database file (`<db>-migplan.lock`) that the waiter quotes.

use std::time::{Duration, Instant};

use rusqlite::Connection;
use rusqlite::types::ValueRef;

use super::driver::{
    Driver, LiveColumn, LiveConstraint, LiveConstraintKind, LiveIndex, LiveSchema, Rows, columns_from_rows, field, tables_from_rows,
};
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
    fn live_columns(&mut self) -> Result<Vec<LiveColumn>, String> {
        // A primary key column is NOT NULL for the comparison (SQLAlchemy reflects it so).
        let rows = self.query(
            "SELECT m.name, p.name, p.type, CASE WHEN p.\"notnull\" = 0 AND p.pk = 0 THEN 1 ELSE 0 END \
             FROM sqlite_master m JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY m.name, p.cid",
        )?;
        Ok(columns_from_rows(&rows))
    }
    fn live_fk_actions(&mut self) -> Result<Vec<super::driver::LiveFkActions>, String> {
        let rows = self.query(
            "SELECT m.name, f.id, f.\"from\", f.on_delete, f.on_update FROM sqlite_master m \
             JOIN pragma_foreign_key_list(m.name) f WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
             ORDER BY m.name, f.id, f.seq",
        )?;
        Ok(super::driver::fk_actions_from_rows(&rows, "NO ACTION"))
    }
    fn live_schema(&mut self) -> Result<LiveSchema, String> {
        let rows = self.query(
            "SELECT m.name, p.name FROM sqlite_master m LEFT JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
        )?;
        let tables = tables_from_rows(rows);
        const USER_TABLES: &str = "m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'";
        let index_rows = self.query(&format!(
            "SELECT m.name, il.name, il.\"unique\", ii.name, il.origin FROM sqlite_master m \
             JOIN pragma_index_list(m.name) il JOIN pragma_index_info(il.name) ii WHERE {USER_TABLES} \
             ORDER BY m.name, il.name, ii.seqno"
        ))?;
        let pk_rows = self.query(&format!(
            "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p \
             WHERE {USER_TABLES} AND p.pk > 0 ORDER BY m.name, p.pk"
        ))?;
        let fk_rows = self.query(&format!(
            "SELECT m.name, f.id, f.\"table\", f.\"from\", f.\"to\" FROM sqlite_master m \
             JOIN pragma_foreign_key_list(m.name) f WHERE {USER_TABLES} ORDER BY m.name, f.id, f.seq"
        ))?;
        let sql_rows = self.query(&format!("SELECT m.name, m.sql FROM sqlite_master m WHERE {USER_TABLES}"))?;
        let mut indexes: Vec<LiveIndex> = Vec::new();
        let mut constraints: Vec<LiveConstraint> = Vec::new();
        // Origin `c`: CREATE INDEX; `u`: a UNIQUE constraint's automatic index (its name
        // is SQLite's, so the constraint compares by shape); `pk`: see the primary keys.
        let mut last: Option<(String, String)> = None;
        for r in &index_rows {
            let (table, name, col, origin) = (field(r, 0), field(r, 1), field(r, 3), field(r, 4));
            let same = last.as_ref() == Some(&(table.clone(), name.clone()));
            last = Some((table.clone(), name.clone()));
            match origin.as_str() {
                "c" if same => indexes.last_mut().into_iter().for_each(|i| i.columns.push(col.clone())),
                "c" => indexes.push(LiveIndex {
                    table,
                    name,
                    columns: vec![col],
                    unique: field(r, 2) == "1",
                }),
                "u" if same => constraints.last_mut().into_iter().for_each(|c| c.columns.push(col.clone())),
                "u" => constraints.push(LiveConstraint {
                    table,
                    name: None,
                    kind: LiveConstraintKind::Unique,
                    columns: vec![col],
                }),
                _ => {}
            }
        }
        // An expression key has no column name in the pragma: take it from the index's SQL.
        for ix in indexes.iter_mut().filter(|i| i.columns.iter().any(String::is_empty)) {
            let sql = self.query(&format!(
                "SELECT sql FROM sqlite_master WHERE type = 'index' AND lower(name) = '{}'",
                ix.name.replace('\'', "''")
            ))?;
            let parts = sql
                .first()
                .and_then(|r| r.first().cloned().flatten())
                .map(|s| index_keys(&s))
                .unwrap_or_default();
            if parts.len() == ix.columns.len() {
                for (c, p) in ix.columns.iter_mut().zip(parts) {
                    if c.is_empty() {
                        *c = p.to_lowercase();
                    }
                }
            }
        }
        let mut pks: std::collections::BTreeMap<String, Vec<String>> = Default::default();
        for r in &pk_rows {
            pks.entry(field(r, 0)).or_default().push(field(r, 1));
        }
        let mut last_fk: Option<(String, String)> = None;
        for r in &fk_rows {
            let key = (field(r, 0), field(r, 1));
            let (from, to) = (field(r, 3), field(r, 4));
            if last_fk.as_ref() == Some(&key)
                && let Some(LiveConstraint {
                    kind: LiveConstraintKind::ForeignKey { ref_columns, .. },
                    columns,
                    ..
                }) = constraints.last_mut()
            {
                columns.push(from);
                ref_columns.push(to);
                continue;
            }
            last_fk = Some(key.clone());
            constraints.push(LiveConstraint {
                table: key.0,
                name: None,
                kind: LiveConstraintKind::ForeignKey {
                    ref_table: field(r, 2),
                    ref_columns: vec![to],
                },
                columns: vec![from],
            });
        }
        // `REFERENCES t` without columns means t's primary key.
        for c in &mut constraints {
            if let LiveConstraintKind::ForeignKey { ref_table, ref_columns } = &mut c.kind
                && ref_columns.iter().all(String::is_empty)
                && let Some(pk) = pks.get(ref_table.as_str())
            {
                *ref_columns = pk.clone();
            }
        }
        for (table, columns) in pks {
            constraints.push(LiveConstraint {
                table,
                name: None,
                kind: LiveConstraintKind::PrimaryKey,
                columns,
            });
        }
        // Check constraints are kept only in the table's SQL: the named ones are read
        // from it, the unnamed counted.
        for r in &sql_rows {
            let table = field(r, 0);
            for name in check_names(&r.get(1).cloned().flatten().unwrap_or_default()) {
                constraints.push(LiveConstraint {
                    table: table.clone(),
                    name,
                    kind: LiveConstraintKind::Check,
                    columns: Vec::new(),
                });
            }
        }
        Ok(LiveSchema {
            tables,
            indexes,
            constraints,
        })
    }
    fn is_already_exists(&self, message: &str) -> bool {
        message.contains("already exists")
    }
}

/// The keys of `CREATE INDEX ix ON t (a, lower(b)) WHERE …`, split at top-level commas.
fn index_keys(sql: &str) -> Vec<String> {
    let upper = sql.to_ascii_uppercase();
    let Some(on) = upper.find(" ON ") else { return Vec::new() };
    let Some(open) = sql[on..].find('(').map(|i| on + i) else {
        return Vec::new();
    };
    let mut depth = 0usize;
    let mut parts = Vec::new();
    let mut cur = String::new();
    for c in sql[open + 1..].chars() {
        match c {
            '(' => depth += 1,
            ')' if depth == 0 => {
                parts.push(cur.trim().to_string());
                return parts;
            }
            ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(cur.trim().to_string());
                cur.clear();
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    Vec::new()
}

/// The check constraints in a `CREATE TABLE` statement: `Some(name)` for `CONSTRAINT name
/// CHECK`, `None` for a bare `CHECK`. Words inside quotes are skipped.
fn check_names(sql: &str) -> Vec<Option<String>> {
    let mut words: Vec<String> = Vec::new();
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' | '`' | '[' | '\'' => {
                let close = if c == '[' { ']' } else { c };
                let mut w = String::new();
                for n in chars.by_ref() {
                    if n == close {
                        break;
                    }
                    w.push(n);
                }
                // A string literal is no identifier; a quoted identifier is.
                words.push(if c == '\'' { String::new() } else { w });
            }
            c if c.is_alphanumeric() || c == '_' => {
                let mut w = c.to_string();
                while let Some(&n) = chars.peek() {
                    if !(n.is_alphanumeric() || n == '_' || n == '$') {
                        break;
                    }
                    w.push(n);
                    chars.next();
                }
                words.push(w);
            }
            c if c.is_whitespace() => {}
            _ => words.push(String::new()),
        }
    }
    let mut out = Vec::new();
    for (i, w) in words.iter().enumerate() {
        if w.eq_ignore_ascii_case("check") {
            let named = i >= 2 && words[i - 2].eq_ignore_ascii_case("constraint") && !words[i - 1].is_empty();
            out.push(named.then(|| words[i - 1].to_lowercase()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn check_constraints_are_read_from_the_table_sql() {
        let sql = "CREATE TABLE t (a INT CHECK (a > 0), b TEXT, CONSTRAINT \"ck_b\" CHECK (b <> 'check'), CONSTRAINT ck_c CHECK(a < 9))";
        assert_eq!(super::check_names(sql), vec![None, Some("ck_b".into()), Some("ck_c".into())]);
    }

    #[test]
    fn index_keys_are_split_at_top_level_commas() {
        let sql = "CREATE INDEX ix ON t (a, lower(b || ','), c DESC) WHERE a > 0";
        assert_eq!(super::index_keys(sql), vec!["a", "lower(b || ',')", "c DESC"]);
    }
}
