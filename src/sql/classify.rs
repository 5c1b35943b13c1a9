//! What a statement does, read from its leading keywords. Works for statements `sqlparser`
//! rejects too, which is why it does not use the parse tree.

use serde::Serialize;

/// The broad kind of a statement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StatementKind {
    /// Schema changes: CREATE / ALTER / DROP / RENAME / TRUNCATE / COMMENT ON / GRANT.
    Ddl,
    /// Data changes and queries: INSERT / UPDATE / DELETE / MERGE / COPY / SELECT / CALL.
    Dml,
    /// BEGIN / START TRANSACTION / COMMIT / ROLLBACK / SAVEPOINT.
    Transaction,
    /// Everything else (SET, PRAGMA, VACUUM, DO blocks, ...).
    Other,
}

/// A statement's classification.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StatementClass {
    pub kind: StatementKind,
    /// The leading verb, lower-case (`create`, `alter`, `insert`, `do`...).
    pub verb: String,
    /// The object kind for DDL (`table`, `index`, `type`, `function`...).
    pub object: Option<String>,
    /// The object's name as written (schema-qualified when it is), when it can be read.
    pub name: Option<String>,
    /// Cannot run inside a transaction block (`CREATE INDEX CONCURRENTLY`, `VACUUM`...).
    pub no_transaction: bool,
}

/// Object kinds that can follow CREATE / ALTER / DROP, longest first.
const OBJECTS: &[&str] = &[
    "MATERIALIZED VIEW",
    "FOREIGN TABLE",
    "EVENT TRIGGER",
    "TEXT SEARCH",
    "TABLE",
    "INDEX",
    "VIEW",
    "SEQUENCE",
    "TYPE",
    "DOMAIN",
    "FUNCTION",
    "PROCEDURE",
    "TRIGGER",
    "SCHEMA",
    "EXTENSION",
    "DATABASE",
    "ROLE",
    "USER",
    "POLICY",
    "RULE",
    "EVENT",
    "AGGREGATE",
    "COLLATION",
    "PUBLICATION",
    "SUBSCRIPTION",
    "SERVER",
    "STATISTICS",
];

/// Words between the verb and the object kind that do not change the kind.
const MODIFIERS: &[&str] = &[
    "OR",
    "REPLACE",
    "UNIQUE",
    "TEMP",
    "TEMPORARY",
    "UNLOGGED",
    "GLOBAL",
    "LOCAL",
    "VIRTUAL",
    "RECURSIVE",
    "FULLTEXT",
    "SPATIAL",
    "ONLINE",
    "OFFLINE",
    "CONSTRAINT",
    "DEFINER",
    "ALGORITHM",
    "SQL",
    "SECURITY",
    "INVOKER",
    "TRUSTED",
    "PROCEDURAL",
];

pub fn classify(sql: &str) -> StatementClass {
    let words = leading_words(sql, 12);
    let upper: Vec<String> = words.iter().map(|w| w.to_ascii_uppercase()).collect();
    let first = upper.first().map(String::as_str).unwrap_or("");
    let verb = first.to_ascii_lowercase();
    let mut class = StatementClass {
        kind: StatementKind::Other,
        verb,
        object: None,
        name: None,
        no_transaction: false,
    };
    match first {
        "CREATE" | "ALTER" | "DROP" => {
            class.kind = StatementKind::Ddl;
            let mut i = 1;
            let is_object = |w: &str| OBJECTS.iter().any(|o| o.split(' ').next() == Some(w));
            while i < upper.len() && (MODIFIERS.contains(&upper[i].as_str()) || upper[i].contains('=')) {
                // `DEFINER = user@host` (MySQL): skip the account name too.
                if upper[i] == "DEFINER" {
                    while i + 1 < upper.len() && !is_object(&upper[i + 1]) && !MODIFIERS.contains(&upper[i + 1].as_str()) {
                        i += 1;
                    }
                }
                i += 1;
            }
            for obj in OBJECTS {
                let parts: Vec<&str> = obj.split(' ').collect();
                if upper.len() >= i + parts.len() && upper[i..i + parts.len()].iter().zip(&parts).all(|(a, b)| a == b) {
                    class.object = Some(obj.to_ascii_lowercase());
                    i += parts.len();
                    break;
                }
            }
            if upper.get(i).is_some_and(|w| w == "CONCURRENTLY") {
                class.no_transaction = true;
                i += 1;
            }
            // `IF [NOT] EXISTS`
            if upper.get(i).is_some_and(|w| w == "IF") {
                i += 1;
                if upper.get(i).is_some_and(|w| w == "NOT") {
                    i += 1;
                }
                i += 1;
            }
            if upper.get(i).is_some_and(|w| w == "ONLY") {
                i += 1;
            }
            class.name = words.get(i).filter(|w| !w.starts_with('(')).cloned();
            if first == "CREATE" && class.object.as_deref() == Some("database") {
                class.no_transaction = true;
            }
            if first == "DROP" && class.object.as_deref() == Some("database") {
                class.no_transaction = true;
            }
        }
        "RENAME" | "TRUNCATE" | "COMMENT" | "GRANT" | "REVOKE" | "REINDEX" | "CLUSTER" | "REFRESH" | "SECURITY" => {
            class.kind = StatementKind::Ddl;
            class.no_transaction = first == "REINDEX" && upper.iter().any(|w| w == "CONCURRENTLY");
        }
        "INSERT" | "UPDATE" | "DELETE" | "MERGE" | "COPY" | "SELECT" | "WITH" | "CALL" | "REPLACE" | "UPSERT" | "VALUES" | "LOAD" => {
            class.kind = StatementKind::Dml
        }
        "BEGIN" | "START" | "COMMIT" | "END" | "ROLLBACK" | "SAVEPOINT" | "RELEASE" | "ABORT" => class.kind = StatementKind::Transaction,
        "VACUUM" => class.no_transaction = true,
        _ => {}
    }
    if first == "ALTER" && upper.get(1).is_some_and(|w| w == "SYSTEM") {
        class.no_transaction = true;
    }
    class
}

/// The first `n` words of a statement, upper-cased (quoted names unquoted, dotted names
/// joined, comments skipped), for recognising a construct from its head.
pub fn head_words(sql: &str, n: usize) -> Vec<String> {
    leading_words(sql, n).iter().map(|w| w.to_ascii_uppercase()).collect()
}

/// The first `n` words: identifiers and keywords, quoted identifiers (unquoted), and
/// dotted names joined (`public.users`). Comments are skipped.
fn leading_words(sql: &str, n: usize) -> Vec<String> {
    let b = sql.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() && out.len() < n {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
        } else if c == b'-' && b.get(i + 1) == Some(&b'-') {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if c == b'/' && b.get(i + 1) == Some(&b'*') {
            i = sql[i + 2..].find("*/").map_or(b.len(), |p| i + 2 + p + 2);
        } else if c.is_ascii_alphanumeric() || c == b'_' || c == b'"' || c == b'`' || c >= 0x80 {
            let (name, j) = dotted_name(sql, i);
            out.push(name);
            i = j;
        } else if c == b'(' {
            out.push("(".into());
            i += 1;
        } else {
            i += 1;
        }
    }
    out
}

/// A possibly quoted, possibly dotted name starting at `i`.
fn dotted_name(sql: &str, mut i: usize) -> (String, usize) {
    let b = sql.as_bytes();
    let mut name = String::new();
    loop {
        if i < b.len() && (b[i] == b'"' || b[i] == b'`') {
            let q = b[i];
            let end = sql[i + 1..].find(q as char).map_or(b.len(), |p| i + 1 + p);
            name.push_str(&sql[i + 1..end]);
            i = (end + 1).min(b.len());
        } else {
            let s = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'$' || b[i] >= 0x80) {
                i += 1;
            }
            name.push_str(&sql[s..i]);
        }
        if i < b.len() && b[i] == b'.' {
            name.push('.');
            i += 1;
        } else {
            return (name, i);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ddl_objects_and_names() {
        let c = classify("CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS ix_a ON a (x)");
        assert_eq!(
            (c.kind, c.object.as_deref(), c.name.as_deref()),
            (StatementKind::Ddl, Some("index"), Some("ix_a"))
        );
        assert!(c.no_transaction);
        let c = classify("-- note\ncreate or replace materialized view \"Stats\".daily as select 1");
        assert_eq!(
            (c.object.as_deref(), c.name.as_deref()),
            (Some("materialized view"), Some("Stats.daily"))
        );
        let c = classify("ALTER TABLE ONLY public.users ADD COLUMN x int");
        assert_eq!((c.verb.as_str(), c.name.as_deref()), ("alter", Some("public.users")));
        let c = classify("CREATE DEFINER=`root`@`%` PROCEDURE p() BEGIN END");
        assert_eq!(c.object.as_deref(), Some("procedure"));
        assert!(!classify("ALTER TYPE mood ADD VALUE 'meh'").no_transaction);
    }

    #[test]
    fn other_kinds() {
        assert_eq!(classify("insert into a values (1)").kind, StatementKind::Dml);
        assert_eq!(classify("WITH x AS (SELECT 1) DELETE FROM a").kind, StatementKind::Dml);
        assert_eq!(classify("BEGIN").kind, StatementKind::Transaction);
        assert_eq!(classify("START TRANSACTION").kind, StatementKind::Transaction);
        assert_eq!(classify("DO $$ BEGIN END $$").kind, StatementKind::Other);
        assert!(classify("VACUUM ANALYZE a").no_transaction);
        assert!(classify("REINDEX INDEX CONCURRENTLY ix").no_transaction);
    }
}
