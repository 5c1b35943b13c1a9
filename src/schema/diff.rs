//! What a downgrade fails to undo: the differences between an object before the upgrade
//! and after upgrade-then-downgrade, in words.

use super::{ConstraintDef, Entry, IndexDef, Key, Table, eq_ident};

/// One object's state before the upgrade, after the upgrade, and after the downgrade.
pub struct RoundTrip<'a> {
    pub key: &'a Key,
    pub before: &'a Option<Entry>,
    pub after_up: &'a Option<Entry>,
    pub after_down: &'a Option<Entry>,
}

/// Sentences describing how `after_down` differs from `before` (empty when equal).
pub fn describe(rt: &RoundTrip) -> Vec<String> {
    let mut out = Vec::new();
    match (rt.before, rt.after_down) {
        (a, b) if a == b => {}
        (None, Some(e)) if rt.after_up.is_some() => out.push(format!("leaves {} that upgrade created", entry_name(rt.key, e))),
        (None, Some(e)) => out.push(format!("creates {} that did not exist before the upgrade", entry_name(rt.key, e))),
        (Some(e), None) => out.push(format!(
            "does not restore {} that upgrade {}",
            entry_name(rt.key, e),
            if rt.after_up.is_none() { "dropped" } else { "changed" }
        )),
        (Some(Entry::Table(a)), Some(Entry::Table(b))) => {
            let up = match rt.after_up {
                Some(Entry::Table(u)) => Some(&**u),
                _ => None,
            };
            table_diff(a, up, b, &mut out)
        }
        (Some(Entry::Index(a)), Some(Entry::Index(b))) => {
            let up = match rt.after_up {
                Some(Entry::Index(u)) if u != a => format!("upgrade changed it from {}", index_shape(a)),
                None => format!("upgrade dropped it with {}", index_shape(a)),
                _ => format!("it was {}", index_shape(a)),
            };
            out.push(format!("recreates index {} with {} but {up}", b.name, index_shape(b)));
        }
        (Some(Entry::Type(a)), Some(Entry::Type(b))) => out.push(format!(
            "leaves type {} with values ({}) where it had ({})",
            key_name(rt.key),
            b.join(", "),
            a.join(", ")
        )),
        _ => out.push(format!("changes {}", key_name(rt.key))),
    }
    out
}

fn key_name(k: &Key) -> String {
    match k {
        Key::Table(n) => format!("table {n}"),
        Key::Index(n) => format!("index {n}"),
        Key::Type(n) | Key::Composite(n) => format!("type {n}"),
        Key::Sequence(n) => format!("sequence {n}"),
        Key::View(n) => format!("view {n}"),
    }
}

fn entry_name(k: &Key, e: &Entry) -> String {
    match e {
        Entry::Table(t) => format!("table {}", t.name),
        Entry::Index(i) => format!(
            "{}index {} on {} ({})",
            if i.unique { "unique " } else { "" },
            i.name,
            i.table,
            i.columns.join(", ")
        ),
        _ => key_name(k),
    }
}

fn index_shape(i: &IndexDef) -> String {
    format!("{}columns ({})", if i.unique { "unique " } else { "" }, i.columns.join(", "))
}

/// `a`: before the upgrade, `up`: after it, `b`: after the downgrade.
fn table_diff(a: &Table, up: Option<&Table>, b: &Table, out: &mut Vec<String>) {
    if a.unknown || b.unknown {
        return;
    }
    let t = &a.name;
    let in_up = |name: &str| up.is_some_and(|u| u.column(name).is_some());
    for c in &b.columns {
        if a.column(&c.name).is_none() {
            if in_up(&c.name) {
                out.push(format!("leaves column {t}.{} that upgrade added", c.name));
            } else {
                out.push(format!("adds column {t}.{} that did not exist before the upgrade", c.name));
            }
        }
    }
    for c in &a.columns {
        match b.column(&c.name) {
            None if in_up(&c.name) => out.push(format!("drops column {t}.{}, which existed before the upgrade", c.name)),
            None => out.push(format!("does not restore column {t}.{} that upgrade dropped", c.name)),
            Some(d) => {
                if !super::same_type(&c.type_, &d.type_) {
                    out.push(format!("leaves column {t}.{} as {} where it was {}", c.name, d.type_, c.type_));
                }
                if c.nullable != d.nullable {
                    out.push(format!(
                        "leaves column {t}.{} {} where it was {}",
                        c.name,
                        null_word(d.nullable),
                        null_word(c.nullable)
                    ));
                }
                if c.default != d.default {
                    out.push(format!(
                        "leaves column {t}.{} with default {} where it was {}",
                        c.name,
                        d.default.as_deref().unwrap_or("none"),
                        c.default.as_deref().unwrap_or("none")
                    ));
                }
            }
        }
    }
    let con_in_up = |k: &str| up.is_some_and(|u| u.constraints.keys().any(|x| eq_ident(x, k)));
    for (k, c) in &b.constraints {
        if !a.constraints.keys().any(|x| eq_ident(x, k)) {
            if con_in_up(k) {
                out.push(format!("leaves {} that upgrade added", constraint_name(t, c)));
            } else {
                out.push(format!("adds {} that did not exist before the upgrade", constraint_name(t, c)));
            }
        }
    }
    for (k, c) in &a.constraints {
        match b.constraints.iter().find(|(x, _)| eq_ident(x, k)) {
            None if con_in_up(k) => out.push(format!("drops {}, which existed before the upgrade", constraint_name(t, c))),
            None => out.push(format!("does not restore {} that upgrade dropped", constraint_name(t, c))),
            Some((_, d)) if d.kind != c.kind => out.push(format!(
                "recreates {} as {} where it was {}",
                constraint_name(t, c),
                constraint_shape(d),
                constraint_shape(c)
            )),
            _ => {}
        }
    }
}

fn null_word(n: bool) -> &'static str {
    if n { "NULL" } else { "NOT NULL" }
}

fn constraint_name(table: &str, c: &ConstraintDef) -> String {
    match &c.name {
        Some(n) => format!("{} {n} on {table}", c.kind_name()),
        None => format!("{} {} on {table}", c.kind_name(), c.key()),
    }
}

fn constraint_shape(c: &ConstraintDef) -> String {
    use super::ConstraintKind as K;
    match &c.kind {
        K::PrimaryKey { columns } | K::Unique { columns } => format!("({})", columns.join(", ")),
        K::ForeignKey {
            columns,
            ref_table,
            ref_columns,
        } => format!("({}) → {ref_table}({})", columns.join(", "), ref_columns.join(", ")),
        K::Check { expr } => format!("CHECK ({expr})"),
    }
}
