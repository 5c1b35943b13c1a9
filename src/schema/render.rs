//! A simulated schema as SQL DDL, for people reading `migplan schema REV --format sql`.
//! It states what exists; it is not meant to be replayed byte for byte.

use std::fmt::Write;

use super::{ConstraintKind, Schema};

pub fn schema_sql(s: &Schema) -> String {
    let mut out = String::new();
    for (name, values) in &s.types {
        let vals: Vec<String> = values.iter().map(|v| format!("'{}'", v.replace('\'', "''"))).collect();
        let _ = writeln!(out, "CREATE TYPE {name} AS ENUM ({});\n", vals.join(", "));
    }
    for (name, attributes) in &s.composites {
        let _ = writeln!(out, "CREATE TYPE {name} AS {attributes};\n");
    }
    for name in &s.sequences {
        let _ = writeln!(out, "CREATE SEQUENCE {name};\n");
    }
    for t in s.tables.values() {
        if t.unknown {
            let _ = writeln!(out, "-- {}: changed by Python migplan cannot read; its shape may differ", t.name);
        }
        let mut lines: Vec<String> = t
            .columns
            .iter()
            .map(|c| {
                let mut l = format!("    {} {}", c.name, c.type_);
                if let Some(d) = &c.default {
                    let _ = write!(l, " DEFAULT {d}");
                }
                if !c.nullable {
                    l.push_str(" NOT NULL");
                }
                l
            })
            .collect();
        for c in t.constraints.values() {
            let body = match &c.kind {
                ConstraintKind::PrimaryKey { columns } => format!("PRIMARY KEY ({})", columns.join(", ")),
                ConstraintKind::Unique { columns } => format!("UNIQUE ({})", columns.join(", ")),
                ConstraintKind::ForeignKey {
                    columns,
                    ref_table,
                    ref_columns,
                } => format!(
                    "FOREIGN KEY ({}) REFERENCES {ref_table} ({})",
                    columns.join(", "),
                    ref_columns.join(", ")
                ),
                ConstraintKind::Check { expr } => format!("CHECK ({expr})"),
            };
            let valid = if c.not_valid { " NOT VALID" } else { "" };
            lines.push(match &c.name {
                Some(n) => format!("    CONSTRAINT {n} {body}{valid}"),
                None => format!("    {body}{valid}"),
            });
        }
        let _ = writeln!(out, "CREATE TABLE {} (\n{}\n);\n", t.name, lines.join(",\n"));
    }
    for i in s.indexes.values() {
        let _ = writeln!(
            out,
            "CREATE {}INDEX {} ON {} ({});\n",
            if i.unique { "UNIQUE " } else { "" },
            i.name,
            i.table,
            i.columns.join(", ")
        );
    }
    for v in &s.views {
        let _ = writeln!(out, "-- view {v} (its definition is not tracked)\n");
    }
    if s.uncertain {
        out.push_str("-- Python migplan cannot read may have changed tables it does not name.\n");
    }
    out
}
