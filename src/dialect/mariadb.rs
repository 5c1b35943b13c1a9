//! MariaDB: SQLAlchemy's MySQL dialect with `is_mariadb` set (`mariadb://` URLs, whose
//! dialect is named `mariadb`, or a `mysql://` URL whose server says it is MariaDB) and
//! Alembic's `MariaDBImpl`. Everything is MySQL's (see `mysql.rs`, whose family functions
//! this file calls with itself as the dialect, so quoting follows MariaDB's reserved
//! words) except what SQLAlchemy 2.1 and Alembic 1.20 render differently:
//!
//! * reserved words: `RESERVED_WORDS_MARIADB` (`MariaDBIdentifierPreparerShim._set_mariadb`);
//! * `DROP CONSTRAINT` for a check constraint where MySQL 8 has `DROP CHECK`
//!   (`alembic/ddl/mysql.py` `_mysql_drop_constraint`: `if compiler.dialect.is_mariadb`);
//! * `sa.Uuid()` is the native `UUID` (`MariaDBDialect.supports_native_uuid = True`,
//!   `_set_mariadb` maps `Uuid` to `_MariaDBUUID`) where MySQL has `CHAR(32)`;
//! * a computed column whose nullability is not given is neither `NOT NULL` nor `NULL`,
//!   even in a primary key (`_mariadb_get_column_specification`:
//!   `_force_column_to_nullable`);
//! * the version table insert ends in `RETURNING` (`_set_mariadb`: `insert_returning = True`);
//! * on `mariadb://` the dialect's name is `mariadb`: table options come from `mariadb_*`
//!   kwargs, index `length`/`prefix` from `mariadb_*` only and `using` from `mariadb_using`
//!   falling back to `mysql_using` (`Index.get_dialect_option(..., deprecated_fallback=
//!   "mysql")`), type variants and `dialect.name` branches see `mariadb`.
//!
//! Offline SQLAlchemy leaves `supports_sequences` False (only `initialize()` on a live
//! MariaDB 10.3+ sets it), so sequences render as on MySQL: not at all. Online,
//! `_initialize_mariadb` makes the native `UUID` depend on the server (10.7+) and so does
//! `insert_returning` (10.5+): [`for_server`] picks the matching dialect.

use super::ddl::{alter_table, format_table, quote};
use super::mysql::{self, MySQL, VendorIndexOpts};
use super::{ColumnContext, CompileError, Compiled, Dialect};
use crate::ops::{Column, IndexOpts, Literal, Op, SqlType, TableRef};
use crate::sql::split::Lexing;

pub struct MariaDB {
    /// SQLAlchemy's dialect name: `mariadb` for `mariadb://` URLs, `mysql` for a `mysql://`
    /// URL on a MariaDB server (the MySQL dialect with `is_mariadb` detected at connect).
    name: &'static str,
    /// `supports_native_uuid`: `sa.Uuid()` is `UUID`, else `CHAR(32)`.
    native_uuid: bool,
    /// `insert_returning`: the version-table insert ends in `RETURNING`.
    insert_returning: bool,
}

const fn dialect(name: &'static str, native_uuid: bool, insert_returning: bool) -> MariaDB {
    MariaDB {
        name,
        native_uuid,
        insert_returning,
    }
}

/// `mariadb://`: SQLAlchemy's `MariaDBDialect` (offline: every `supports_*` as declared).
pub static MARIADB: MariaDB = dialect("mariadb", true, true);

/// `mysql://` on a server whose `VERSION()` says MariaDB: the MySQL dialect (named
/// `mysql`, reading `mysql_*` options) compiling MariaDB's forms.
pub static MARIADB_AS_MYSQL: MariaDB = dialect("mysql", true, true);

/// Per dialect name, the server generations that compile differently (10.7+, 10.5-10.6,
/// older).
static ONLINE: [MariaDB; 6] = [
    dialect("mariadb", true, true),
    dialect("mariadb", false, true),
    dialect("mariadb", false, false),
    dialect("mysql", true, true),
    dialect("mysql", false, true),
    dialect("mysql", false, false),
];

/// The dialect SQLAlchemy compiles with once connected to a MariaDB server of `version`
/// (`_initialize_mariadb`): on `mariadb://` (`url_names_mariadb`) or `mysql://`.
pub fn for_server(url_names_mariadb: bool, version: (u32, u32)) -> &'static MariaDB {
    let generation = if version >= (10, 7) {
        0
    } else if version >= (10, 5) {
        1
    } else {
        2
    };
    &ONLINE[if url_names_mariadb { 0 } else { 3 } + generation]
}

/// `MySQLDialect._parse_server_version`: for a MariaDB server, the three numbers before
/// the `MariaDB` token (`5.5.5-10.4.32-MariaDB` is 10.4); `None` for MySQL.
pub fn server_version(version: &str) -> Option<(u32, u32)> {
    let mut numbers: Vec<u32> = Vec::new();
    for token in version.split(['.', '-', '+']) {
        if token.starts_with("MariaDB") && token.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            let last = &numbers[numbers.len().saturating_sub(3)..];
            return Some((last.first().copied().unwrap_or(0), last.get(1).copied().unwrap_or(0)));
        }
        let digits = token.trim_end_matches(['a', 'b', 'c']);
        if !digits.is_empty() && token.len() - digits.len() <= 1 && digits.chars().all(|c| c.is_ascii_digit()) {
            numbers.push(digits.parse().unwrap_or(u32::MAX));
        }
    }
    None
}

impl MariaDB {
    /// The index options SQLAlchemy reads under this dialect name.
    fn index_options<'a>(&self, o: &'a IndexOpts) -> VendorIndexOpts<'a> {
        if self.name == MARIADB.name {
            VendorIndexOpts {
                length: o.mariadb_length.as_ref(),
                prefix: o.mariadb_prefix.as_deref(),
                using: o.mariadb_using.as_deref().or(o.mysql_using.as_deref()),
            }
        } else {
            VendorIndexOpts::mysql(o)
        }
    }
}

impl Dialect for MariaDB {
    fn name(&self) -> &'static str {
        self.name
    }
    fn product_name(&self) -> &'static str {
        "MariaDB"
    }
    fn sql_lexing(&self) -> Lexing {
        MySQL.sql_lexing()
    }
    fn sql_parser(&self) -> Box<dyn sqlparser::dialect::Dialect> {
        MySQL.sql_parser()
    }
    fn accepts_unparsed(&self, sql: &str) -> bool {
        mysql::accepted_head(sql)
    }
    fn ddl_behaviour(&self) -> super::DdlBehaviour {
        super::DdlBehaviour {
            // `ALTER TABLE ... RENAME COLUMN` came with MariaDB 10.5.2.
            rename_column_since: Some((10, 5)),
            ..MySQL.ddl_behaviour()
        }
    }
    fn transactional_ddl(&self) -> bool {
        MySQL.transactional_ddl()
    }
    fn reserved_words(&self) -> &'static [&'static str] {
        super::keywords::MARIADB
    }
    fn quote_char(&self) -> char {
        MySQL.quote_char()
    }
    fn inline_comments(&self) -> bool {
        MySQL.inline_comments()
    }
    fn supports_native_enum(&self) -> bool {
        MySQL.supports_native_enum()
    }
    fn supports_native_boolean(&self) -> bool {
        MySQL.supports_native_boolean()
    }
    fn supports_native_uuid(&self) -> bool {
        self.native_uuid
    }
    fn backslash_escapes(&self) -> bool {
        MySQL.backslash_escapes()
    }

    fn visit_type(&self, name: &str, t: &SqlType) -> Option<Compiled> {
        mysql::visit_type(self, name, t)
    }

    fn column_specification(&self, col: &Column, ctx: ColumnContext) -> Compiled {
        let force_nullable = col.extra.computed.is_some() && col.nullable.is_none();
        mysql::column_specification(self, col, ctx, force_nullable)
    }

    fn post_create_table(&self, comment: Option<&str>, kwargs: &[(String, Literal)]) -> String {
        mysql::post_create_table(self, comment, kwargs)
    }

    fn op_statements(&self, op: &Op) -> Result<Vec<String>, CompileError> {
        match op {
            Op::CreateIndex {
                name: Some(name),
                table,
                elements,
                opts,
            } => Ok(vec![mysql::create_index(
                self,
                name,
                table,
                elements,
                opts,
                &self.index_options(opts),
            )]),
            Op::DropConstraint {
                table,
                name,
                type_: Some(t),
                ..
            } if t == "check" => Ok(vec![format!("{} DROP CONSTRAINT {}", alter_table(self, table), quote(self, name))]),
            other => mysql::op_statements(self, other),
        }
    }

    fn version_insert_suffix(&self, table: &TableRef) -> String {
        if self.insert_returning {
            format!(" RETURNING {}.version_num", format_table(self, table))
        } else {
            String::new()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::{Computed, IndexElement, MysqlLength};

    fn one(d: &dyn Dialect, op: &Op) -> String {
        let mut v = d.op_statements(op).unwrap();
        assert_eq!(v.len(), 1);
        v.remove(0)
    }

    #[test]
    fn check_constraints_drop_as_constraints() {
        let op = Op::DropConstraint {
            table: TableRef::new("ledger"),
            name: "ck_amount".into(),
            type_: Some("check".into()),
            if_exists: false,
        };
        assert_eq!(one(&MARIADB, &op), "ALTER TABLE ledger DROP CONSTRAINT ck_amount");
        assert_eq!(one(&MARIADB_AS_MYSQL, &op), "ALTER TABLE ledger DROP CONSTRAINT ck_amount");
        assert_eq!(one(&MySQL, &op), "ALTER TABLE ledger DROP CHECK ck_amount");
    }

    #[test]
    fn reserved_words_are_mariadb_s() {
        assert_eq!(quote(&MARIADB, "position"), "`position`");
        assert_eq!(quote(&MARIADB, "rank"), "rank");
        assert_eq!(quote(&MySQL, "position"), "position");
        assert_eq!(quote(&MySQL, "rank"), "`rank`");
    }

    #[test]
    fn uuid_is_native() {
        let t = SqlType::new("Uuid", "uuid");
        assert_eq!(super::super::types::compile_type(&MARIADB, &t).unwrap(), "UUID");
        assert_eq!(super::super::types::compile_type(&MySQL, &t).unwrap(), "CHAR(32)");
    }

    #[test]
    fn computed_columns_without_nullable_stay_nullable() {
        let mut col = Column::new("line_key", SqlType::new("Integer", "integer"));
        col.primary_key = true;
        col.extra.computed = Some(Box::new(Computed {
            sqltext: "a * 2".into(),
            persisted: None,
        }));
        let ctx = ColumnContext::default();
        assert_eq!(
            MARIADB.column_specification(&col, ctx).unwrap(),
            "line_key INTEGER GENERATED ALWAYS AS (a * 2)"
        );
        assert_eq!(
            MySQL.column_specification(&col, ctx).unwrap(),
            "line_key INTEGER GENERATED ALWAYS AS (a * 2) NOT NULL"
        );
        col.nullable = Some(false);
        assert_eq!(
            MARIADB.column_specification(&col, ctx).unwrap(),
            "line_key INTEGER GENERATED ALWAYS AS (a * 2) NOT NULL"
        );
    }

    #[test]
    fn options_follow_the_dialect_name() {
        let opts = IndexOpts {
            mysql_length: Some(MysqlLength::All(4)),
            mysql_using: Some("btree".into()),
            mariadb_length: Some(MysqlLength::All(8)),
            ..Default::default()
        };
        let op = Op::CreateIndex {
            name: Some("ix_t_a".into()),
            table: TableRef::new("t"),
            elements: vec![IndexElement::Column("a".into())],
            opts: crate::ops::extras::Extras::of(opts),
        };
        assert_eq!(one(&MARIADB, &op), "CREATE INDEX ix_t_a ON t (a(8)) USING btree");
        assert_eq!(one(&MARIADB_AS_MYSQL, &op), "CREATE INDEX ix_t_a ON t (a(4)) USING btree");
        let kwargs = [
            ("mysql_engine".to_string(), Literal::Str("InnoDB".into())),
            ("mariadb_engine".to_string(), Literal::Str("Aria".into())),
        ];
        assert_eq!(MARIADB.post_create_table(None, &kwargs), "ENGINE=Aria");
        assert_eq!(MARIADB_AS_MYSQL.post_create_table(None, &kwargs), "ENGINE=InnoDB");
        assert_eq!(MySQL.post_create_table(None, &kwargs), "ENGINE=InnoDB");
    }

    #[test]
    fn online_forms_follow_the_server_version() {
        assert_eq!(server_version("10.11.6-MariaDB-0+deb12u1"), Some((10, 11)));
        assert_eq!(server_version("5.5.5-10.4.32-MariaDB-log"), Some((10, 4)));
        assert_eq!(server_version("11.4.2-MariaDB"), Some((11, 4)));
        assert_eq!(server_version("8.0.36"), None);
        assert_eq!(server_version("8.0.36-0ubuntu0.22.04.1"), None);
        let uuid = SqlType::new("Uuid", "uuid");
        let t = TableRef::new("alembic_version");
        let new = for_server(false, (10, 11));
        assert_eq!((new.name(), new.supports_native_uuid()), ("mysql", true));
        let lts = for_server(true, (10, 6));
        assert_eq!(lts.name(), "mariadb");
        assert_eq!(super::super::types::compile_type(lts, &uuid).unwrap(), "CHAR(32)");
        assert_eq!(lts.version_insert_suffix(&t), " RETURNING alembic_version.version_num");
        assert_eq!(for_server(false, (10, 4)).version_insert_suffix(&t), "");
    }

    #[test]
    fn version_insert_returns_the_row() {
        assert_eq!(
            MARIADB.version_insert_suffix(&TableRef::new("alembic_version")),
            " RETURNING alembic_version.version_num"
        );
        assert_eq!(MySQL.version_insert_suffix(&TableRef::new("alembic_version")), "");
    }
}
