//! One file per rule. Shared helpers for reading rendered types live here.

mod adding_not_null_column;
mod changing_column_type;
mod concurrently_in_transaction;
mod constraint_without_not_valid;
mod data_migration_without_downgrade;
mod ddl_mixed_with_dml;
mod delete_without_where;
mod drop_index_without_concurrently;
mod dropping_column;
mod dropping_table;
mod enum_value_in_transaction;
mod index_without_concurrently;
mod missing_lock_timeout;
mod narrowing_varchar;
mod prefer_bigint_primary_key;
mod prefer_timestamptz;
mod primary_key_without_index;
mod rename_column_unsupported;
mod renaming_column;
mod renaming_table;
mod setting_not_null;
mod sqlite_alter_outside_batch;
mod table_without_primary_key;
mod too_many_tables;
mod truncate_table;
mod unique_constraint_without_index;
mod update_without_where;
mod volatile_default;

use super::Rule;

pub static ALL: &[&dyn Rule] = &[
    &adding_not_null_column::AddingNotNullColumn,
    &index_without_concurrently::IndexWithoutConcurrently,
    &concurrently_in_transaction::ConcurrentlyInTransaction,
    &drop_index_without_concurrently::DropIndexWithoutConcurrently,
    &constraint_without_not_valid::ConstraintWithoutNotValid,
    &setting_not_null::SettingNotNull,
    &changing_column_type::ChangingColumnType,
    &narrowing_varchar::NarrowingVarchar,
    &renaming_column::RenamingColumn,
    &renaming_table::RenamingTable,
    &dropping_column::DroppingColumn,
    &dropping_table::DroppingTable,
    &volatile_default::VolatileDefault,
    &unique_constraint_without_index::UniqueConstraintWithoutIndex,
    &primary_key_without_index::PrimaryKeyWithoutIndex,
    &enum_value_in_transaction::EnumValueInTransaction,
    &truncate_table::TruncateTable,
    &update_without_where::UpdateWithoutWhere,
    &delete_without_where::DeleteWithoutWhere,
    &missing_lock_timeout::MissingLockTimeout,
    &ddl_mixed_with_dml::DdlMixedWithDml,
    &sqlite_alter_outside_batch::SqliteAlterOutsideBatch,
    &too_many_tables::TooManyTables,
    &data_migration_without_downgrade::DataMigrationWithoutDowngrade,
    &prefer_bigint_primary_key::PreferBigintPrimaryKey,
    &prefer_timestamptz::PreferTimestamptz,
    &table_without_primary_key::TableWithoutPrimaryKey,
    &rename_column_unsupported::RenameColumnUnsupported,
];

/// The type name without arguments, upper-case (`VARCHAR(20)` → `VARCHAR`).
pub fn base_type(t: &str) -> String {
    t.split('(').next().unwrap_or(t).trim().to_ascii_uppercase()
}

/// The length of a `VARCHAR(n)` / `CHARACTER VARYING(n)` type.
pub fn varchar_len(t: &str) -> Option<u32> {
    let b = base_type(t);
    if !matches!(b.as_str(), "VARCHAR" | "CHARACTER VARYING" | "NVARCHAR" | "VARCHAR2") {
        return None;
    }
    let inner = t.split_once('(')?.1.split(')').next()?;
    inner.trim().parse().ok()
}

/// A NUMERIC/DECIMAL type's (precision, scale): `None` when unconstrained; `Some(None)`
/// is never returned — the outer `None` means "not a numeric type".
pub fn numeric_args(t: &str) -> Option<Option<(u32, u32)>> {
    if !matches!(base_type(t).as_str(), "NUMERIC" | "DECIMAL") {
        return None;
    }
    let Some((_, inner)) = t.split_once('(') else {
        return Some(None);
    };
    let inner = inner.split(')').next().unwrap_or("");
    let mut it = inner.split(',').map(|x| x.trim().parse::<u32>());
    let p = it.next()?.ok()?;
    let s = match it.next() {
        Some(s) => s.ok()?,
        None => 0,
    };
    Some(Some((p, s)))
}

/// Unbounded text types a VARCHAR can widen to for free.
pub fn is_text(t: &str) -> bool {
    matches!(base_type(t).as_str(), "TEXT" | "CHARACTER VARYING" | "VARCHAR") && varchar_len(t).is_none()
}

/// 32-bit (or smaller) integer types, serial included.
pub fn is_small_int(t: &str) -> bool {
    matches!(
        base_type(t).as_str(),
        "INTEGER" | "INT" | "INT4" | "SERIAL" | "SERIAL4" | "SMALLINT" | "INT2" | "SMALLSERIAL" | "MEDIUMINT"
    )
}

/// `TIMESTAMP` without time zone.
pub fn is_naive_timestamp(t: &str) -> bool {
    let u = t.to_ascii_uppercase();
    (u.starts_with("TIMESTAMP") || u == "DATETIME") && !u.contains("WITH TIME ZONE") && !u.contains("TZ") || u.contains("WITHOUT TIME ZONE")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_types() {
        assert_eq!(varchar_len("VARCHAR(20)"), Some(20));
        assert_eq!(varchar_len("character varying(7)"), Some(7));
        assert_eq!(varchar_len("TEXT"), None);
        assert!(is_small_int("INTEGER"));
        assert!(!is_small_int("BIGINT"));
        assert!(is_naive_timestamp("TIMESTAMP WITHOUT TIME ZONE"));
        assert!(is_naive_timestamp("TIMESTAMP"));
        assert!(!is_naive_timestamp("TIMESTAMP WITH TIME ZONE"));
        assert!(!is_naive_timestamp("TIMESTAMPTZ"));
        assert_eq!(numeric_args("NUMERIC(10, 2)"), Some(Some((10, 2))));
        assert_eq!(numeric_args("numeric"), Some(None));
        assert_eq!(numeric_args("INTEGER"), None);
    }
}
