//! `MetaData(naming_convention=...)`: the names SQLAlchemy gives unnamed indexes and
//! constraints (`ix_%(column_0_label)s` by default for indexes), which autogenerate
//! renders as `op.f('...')`.

/// SQLAlchemy's default convention: only indexes are named.
const DEFAULT_IX: &str = "ix_%(column_0_label)s";

/// What a template may name.
pub struct Target<'a> {
    pub table: &'a str,
    pub columns: &'a [String],
    pub referred_table: Option<&'a str>,
    pub referred_columns: &'a [String],
}

/// The name `key`'s template (`ix`, `uq`, `fk`, `pk`, `ck`) gives, if the convention has
/// one and every token in it is known.
pub fn apply(convention: &[(String, String)], key: &str, t: &Target) -> Option<String> {
    let template = convention
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .or((key == "ix").then_some(DEFAULT_IX))?;
    let mut out = String::new();
    let mut rest = template;
    while let Some(at) = rest.find("%(") {
        out.push_str(&rest[..at]);
        let end = rest[at..].find(")s")?;
        let token = &rest[at + 2..at + end];
        out.push_str(&token_value(token, t)?);
        rest = &rest[at + end + 2..];
    }
    out.push_str(rest);
    Some(out)
}

fn token_value(token: &str, t: &Target) -> Option<String> {
    let first = |cols: &[String]| cols.first().cloned();
    Some(match token {
        "table_name" => t.table.to_string(),
        "column_0_name" => first(t.columns)?,
        "column_0_label" => format!("{}_{}", t.table, first(t.columns)?),
        "column_0N_name" => t.columns.concat(),
        "column_0_N_name" => t.columns.join("_"),
        "column_0N_label" => t.columns.iter().map(|c| format!("{}_{c}", t.table)).collect::<String>(),
        "column_0_N_label" => t.columns.iter().map(|c| format!("{}_{c}", t.table)).collect::<Vec<_>>().join("_"),
        "referred_table_name" => t.referred_table?.to_string(),
        "referred_column_0_name" => first(t.referred_columns)?,
        "referred_column_0N_name" => t.referred_columns.concat(),
        "referred_column_0_N_name" => t.referred_columns.join("_"),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_and_custom() {
        let cols = vec!["customer_id".to_string()];
        let refs = vec!["id".to_string()];
        let t = Target {
            table: "orders",
            columns: &cols,
            referred_table: Some("customers"),
            referred_columns: &refs,
        };
        assert_eq!(apply(&[], "ix", &t).as_deref(), Some("ix_orders_customer_id"));
        assert_eq!(apply(&[], "uq", &t), None);
        let conv = vec![(
            "fk".to_string(),
            "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s".to_string(),
        )];
        assert_eq!(apply(&conv, "fk", &t).as_deref(), Some("fk_orders_customer_id_customers"));
    }
}
