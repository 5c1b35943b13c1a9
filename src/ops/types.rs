//! Column types as SQLAlchemy models them: the `__visit_name__` the type compiler
//! dispatches on, plus the constructor arguments that change the rendered DDL.

use crate::ops::extras::Extras;
use serde::Serialize;

/// Which SQLAlchemy namespace a type class came from (`sa.UUID` and `postgresql.UUID`
/// differ in defaults).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TypeNamespace {
    #[default]
    Generic,
    Postgresql,
    Mysql,
    Sqlite,
}

/// A column type. The fields every type may set are inline; the options only some types
/// take (enum values, MySQL widths, ARRAY items, variants...) live in [`TypeExtras`],
/// allocated only when set, so the common `Integer`/`String(120)` column stays small.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SqlType {
    /// The class as written, e.g. `String`, `postgresql.UUID`.
    pub class: String,
    /// SQLAlchemy's `__visit_name__`: lower-case for generic types (`string`, `datetime`),
    /// upper-case for SQL-standard and dialect types (`VARCHAR`, `TIMESTAMP`, `JSONB`).
    pub visit: String,
    pub namespace: TypeNamespace,
    pub length: Option<u32>,
    pub precision: Option<u32>,
    pub scale: Option<u32>,
    pub timezone: bool,
    /// `Enum(native_enum=..., create_constraint=...)`.
    pub native_enum: bool,
    pub create_constraint: bool,
    /// `Uuid(native_uuid=...)`.
    pub native_uuid: bool,
    /// MySQL numeric and string extensions.
    pub unsigned: bool,
    pub zerofill: bool,
    pub national: bool,
    /// PostgreSQL `BIT(varying=...)`.
    pub varying: bool,
    #[serde(flatten)]
    pub extra: Extras<TypeExtras>,
}

/// The options of [`SqlType`] that only some types take.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct TypeExtras {
    pub collation: Option<String>,
    /// `Enum`: values, type name, `length`, schema.
    pub enums: Vec<String>,
    pub name: Option<String>,
    pub enum_length: Option<u32>,
    pub schema: Option<String>,
    /// `ARRAY(item_type, dimensions=...)`.
    pub item_type: Option<Box<SqlType>>,
    pub dimensions: Option<u32>,
    /// MySQL `INTEGER(display_width)`, `DATETIME(fsp=)`, `VARCHAR(charset=)`.
    pub display_width: Option<u32>,
    pub fsp: Option<u32>,
    pub charset: Option<String>,
    /// PostgreSQL `INTERVAL(fields=...)`.
    pub fields: Option<String>,
    /// `.with_variant(other, "dialect")`: the type rendered for that dialect instead
    /// (first match wins).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub variants: Vec<(String, SqlType)>,
}

static NO_EXTRAS: TypeExtras = TypeExtras {
    collation: None,
    enums: Vec::new(),
    name: None,
    enum_length: None,
    schema: None,
    item_type: None,
    dimensions: None,
    display_width: None,
    fsp: None,
    charset: None,
    fields: None,
    variants: Vec::new(),
};

impl crate::ops::extras::Unset for TypeExtras {
    fn unset() -> &'static Self {
        &NO_EXTRAS
    }
}

impl SqlType {
    pub fn new(class: &str, visit: &str) -> Self {
        SqlType {
            class: class.to_string(),
            visit: visit.to_string(),
            native_enum: true,
            native_uuid: true,
            ..Default::default()
        }
    }

    /// The type SQLAlchemy compiles for dialect `dialect`: its variant for that dialect,
    /// else itself.
    pub fn for_dialect(&self, dialect: &str) -> &SqlType {
        self.extra
            .variants
            .iter()
            .find(|(d, _)| d == dialect)
            .map(|(_, t)| t)
            .unwrap_or(self)
    }

    /// `.with_variant(variant, dialect)`: the variant resolved for that dialect is kept.
    pub fn with_variant(mut self, variant: &SqlType, dialect: &str) -> Self {
        let mut v = variant.for_dialect(dialect).clone();
        if !v.extra.variants.is_empty() {
            v.extra.variants.clear();
        }
        self.extra.variants.retain(|(d, _)| d != dialect);
        self.extra.variants.insert(0, (dialect.to_string(), v));
        self
    }

    /// SQLAlchemy's `_type_affinity`: the generic class a type descends from (`Float` and
    /// `Numeric` differ, `Text` and `Enum` are `String`). A batch casts a column whose
    /// type changes affinity.
    pub fn affinity(&self) -> &str {
        match self.visit.as_str() {
            "float" | "FLOAT" | "double" | "DOUBLE" | "DOUBLE_PRECISION" | "REAL" | "real" => "Float",
            "numeric" | "NUMERIC" | "DECIMAL" | "MONEY" => "Numeric",
            "date" | "DATE" => "Date",
            "time" | "TIME" => "Time",
            "interval" | "INTERVAL" => "Interval",
            "large_binary" | "BLOB" | "BINARY" | "VARBINARY" | "BYTEA" | "TINYBLOB" | "MEDIUMBLOB" | "LONGBLOB" => "_Binary",
            "boolean" | "BOOLEAN" => "Boolean",
            "JSON" | "JSONB" | "json" => "JSON",
            "uuid" | "UUID" => "Uuid",
            _ if self.is_integer() => "Integer",
            _ if self.is_string_like() || matches!(self.visit.as_str(), "MEDIUMTEXT" | "LONGTEXT" | "TINYTEXT" | "CITEXT") => "String",
            _ if self.is_datetime() => "DateTime",
            other => other,
        }
    }

    /// Integer affinity (`Integer` and its subclasses), which decides autoincrement.
    pub fn is_integer(&self) -> bool {
        matches!(
            self.visit.as_str(),
            "integer" | "small_integer" | "big_integer" | "INTEGER" | "SMALLINT" | "BIGINT" | "TINYINT" | "MEDIUMINT"
        )
    }

    /// Numeric affinity (SQLAlchemy also accepts `Numeric` primary keys as autoincrement).
    pub fn is_numeric(&self) -> bool {
        matches!(
            self.visit.as_str(),
            "numeric" | "NUMERIC" | "DECIMAL" | "float" | "FLOAT" | "double" | "DOUBLE" | "DOUBLE_PRECISION" | "REAL" | "real"
        )
    }

    pub fn is_big_integer(&self) -> bool {
        matches!(self.visit.as_str(), "big_integer" | "BIGINT")
    }

    pub fn is_small_integer(&self) -> bool {
        matches!(self.visit.as_str(), "small_integer" | "SMALLINT")
    }

    pub fn is_boolean(&self) -> bool {
        matches!(self.visit.as_str(), "boolean" | "BOOLEAN")
    }

    pub fn is_enum(&self) -> bool {
        matches!(self.visit.as_str(), "enum" | "ENUM")
    }

    pub fn is_string_like(&self) -> bool {
        matches!(
            self.visit.as_str(),
            "string" | "unicode" | "text" | "unicode_text" | "VARCHAR" | "NVARCHAR" | "CHAR" | "NCHAR" | "TEXT" | "CLOB" | "enum" | "ENUM"
        )
    }

    pub fn is_datetime(&self) -> bool {
        matches!(self.visit.as_str(), "datetime" | "DATETIME" | "TIMESTAMP")
    }

    pub fn is_date(&self) -> bool {
        matches!(self.visit.as_str(), "date" | "DATE")
    }

    /// The length SQLAlchemy gives a non-native `Enum`'s VARCHAR: the longest value unless
    /// `length=` says otherwise.
    pub fn enum_varchar_length(&self) -> Option<u32> {
        self.extra
            .enum_length
            .or_else(|| self.extra.enums.iter().map(|e| e.chars().count() as u32).max())
    }
}

#[cfg(test)]
mod tests {
    use super::SqlType;

    #[test]
    fn variant_is_picked_per_dialect_and_outer_condition_wins() {
        let base = SqlType::new("Text", "text");
        let medium = SqlType::new("mysql.MEDIUMTEXT", "MEDIUMTEXT");
        let long = SqlType::new("mysql.LONGTEXT", "LONGTEXT");
        let t = base.clone().with_variant(&medium, "mysql").with_variant(&long, "mysql");
        assert_eq!(t.for_dialect("mysql").visit, "LONGTEXT");
        assert_eq!(t.for_dialect("postgresql").visit, "text");
        // nested dialect conditionals: the variant's own variants resolve for its dialect
        let inner = SqlType::new("JSON", "JSON").with_variant(&long, "mysql");
        let t = base.with_variant(&inner, "mysql");
        assert_eq!(t.for_dialect("mysql").visit, "LONGTEXT");
        assert!(t.for_dialect("mysql").extra.variants.is_empty());
    }
}
