//! SQLAlchemy models read statically: env.py's `target_metadata`, the project modules its
//! imports reach, and the tables their declarative classes and `Table(...)` calls declare,
//! as `ops::Column`s and constraints (the same data migrations are read into). Nothing is
//! executed; a table migplan cannot read in full is reported as unknown and left out.
//!
//! Pure: the caller hands over the project's `.py` files and `sys.path` roots.

pub mod declarative;
pub mod modules;

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::ops::{Column, Constraint, IndexElement, IndexOpts, TableRef};
use crate::source::{SourceFile, Span};
use modules::{ModuleIndex, top_level_imports};

/// One table as the models declare it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ModelTable {
    pub table: TableRef,
    /// Columns in declaration order; `index=True` / `unique=True` kept as written.
    pub columns: Vec<Column>,
    pub constraints: Vec<Constraint>,
    /// Named `Index(...)`es of `__table_args__` / `Table(...)`.
    pub indexes: Vec<(String, Vec<IndexElement>, IndexOpts)>,
    /// The `MetaData` it belongs to (`<module>.<name>` of its Base or MetaData object).
    pub metadata: String,
    pub file: String,
    pub span: Span,
    /// The declarative class, `None` for a `Table(...)`.
    pub class_name: Option<String>,
    pub module: String,
    /// Where each column of the class body is declared (mixin columns: at the class).
    pub column_spans: Vec<(String, Span)>,
    /// Dialect options of `__table_args__` (`sqlite_autoincrement`, `mysql_engine`).
    pub kwargs: crate::ops::TableKwargs,
}

impl ModelTable {
    /// The declaration of column `name`, else the table's.
    pub fn span_of_column(&self, name: &str) -> Span {
        self.column_spans
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map_or(self.span, |(_, s)| *s)
    }
}

/// A table (or class) migplan cannot read statically: left out of comparisons.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct UnknownTable {
    pub name: Option<String>,
    pub class_name: Option<String>,
    pub file: String,
    pub span: Span,
    pub why: String,
}

/// A `MetaData`'s naming convention (`MetaData(naming_convention={...})`).
pub type NamingConvention = Vec<(String, String)>;

/// `prepend_sys_path` of the `[alembic]` section (Alembic's default: none; `.` is where
/// alembic is run, which is the config's folder here).
pub fn sys_path(config: Option<&SourceFile>) -> Vec<String> {
    let mut in_alembic = false;
    for line in config.map(|c| c.text.as_str()).unwrap_or("").lines() {
        let t = line.trim();
        if t.starts_with('[') {
            in_alembic = t == "[alembic]";
            continue;
        }
        if in_alembic
            && let Some((k, v)) = t.split_once('=')
            && k.trim() == "prepend_sys_path"
        {
            return v
                .split([':', ' ', ','])
                .map(|s| s.trim().replace("%(here)s", "."))
                .filter(|s| !s.is_empty())
                .collect();
        }
    }
    vec![".".to_string()]
}

/// What reading the models found.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Models {
    pub tables: Vec<ModelTable>,
    pub unknown: Vec<UnknownTable>,
    /// The metadata ids env.py's `target_metadata` names; empty when it names none migplan
    /// can follow.
    pub target: Vec<String>,
    /// Why `target` is empty, when it is.
    pub target_problem: Option<String>,
    /// env.py's `target_metadata = ...` statement.
    pub target_span: Option<Span>,
    pub naming: BTreeMap<String, NamingConvention>,
    /// Modules env.py's imports reach.
    pub reached: BTreeSet<String>,
}

impl Models {
    /// The tables of `target_metadata` that env.py's imports reach: what autogenerate sees.
    pub fn target_tables(&self) -> Vec<&ModelTable> {
        self.tables
            .iter()
            .filter(|t| self.target.contains(&t.metadata) && self.reached.contains(&t.module))
            .collect()
    }

    pub fn naming_of(&self, metadata: &str) -> &[(String, String)] {
        self.naming.get(metadata).map(Vec::as_slice).unwrap_or(&[])
    }
}

/// Read the models of a project: `files` are its `.py` files (paths relative to the same
/// place as `roots`), `roots` its `sys.path` entries, `env_py` the env.py file.
pub fn read(files: &[SourceFile], roots: &[String], env_py: &SourceFile) -> Models {
    let index = ModuleIndex::new(files, roots);
    let mut reader = declarative::Reader::new(&index);
    for i in 0..index.modules.len() {
        reader.module(i);
    }
    let env_ast = ruff_python_parser::parse_unchecked_source(&env_py.text, ruff_python_ast::PySourceType::Python).into_syntax();
    let env_body = env_ast.body;
    // The modules env.py's imports load, transitively.
    let mut reached = BTreeSet::new();
    let mut todo: Vec<usize> = top_level_imports(&env_body)
        .into_iter()
        .flat_map(|s| index.imported(None, s))
        .collect();
    while let Some(m) = todo.pop() {
        if !reached.insert(m) {
            continue;
        }
        for s in top_level_imports(&index.modules[m].ast.body) {
            todo.extend(index.imported(Some(m), s));
        }
    }
    let (target, target_problem, target_span) = reader.target_metadata(&env_body);
    let mut out = reader.finish();
    out.reached = reached.into_iter().map(|m| index.modules[m].name.clone()).collect();
    out.target = target;
    out.target_problem = target_problem;
    out.target_span = target_span;
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_project(files: &[(&str, &str)], env: &str) -> Models {
        let files: Vec<SourceFile> = files.iter().map(|(p, t)| SourceFile::new(*p, *t)).collect();
        read(&files, &[".".to_string()], &SourceFile::new("migrations/env.py", env))
    }

    /// Flask-SQLAlchemy's `db.Model` / `db.Column` read as its plain declarative twin.
    #[test]
    fn flask_sqlalchemy_style_reads_as_its_declarative_twin() {
        let flask = read_project(
            &[
                ("app/__init__.py", "from flask_sqlalchemy import SQLAlchemy\n\ndb = SQLAlchemy()\n"),
                (
                    "app/models.py",
                    "from app import db\n\n\nclass UserRole(db.Model):\n    id = db.Column(db.Integer, primary_key=True)\n    name = db.Column(db.String(40), nullable=False, unique=True)\n    users = db.relationship('User')\n",
                ),
            ],
            "from app import db\nimport app.models\ntarget_metadata = db.metadata\n",
        );
        let plain = read_project(
            &[
                ("app/__init__.py", ""),
                (
                    "app/models.py",
                    "import sqlalchemy as sa\nfrom sqlalchemy.orm import declarative_base, relationship\n\nBase = declarative_base()\n\n\nclass UserRole(Base):\n    __tablename__ = 'user_role'\n    id = sa.Column(sa.Integer, primary_key=True)\n    name = sa.Column(sa.String(40), nullable=False, unique=True)\n    users = relationship('User')\n",
                ),
            ],
            "from app.models import Base\ntarget_metadata = Base.metadata\n",
        );
        assert_eq!(flask.target, ["app.db"]);
        assert_eq!(flask.target_tables().len(), 1);
        let (a, b) = (&flask.tables[0], &plain.tables[0]);
        assert_eq!((&a.table, &a.columns), (&b.table, &b.columns));
        assert_eq!(a.table.name, "user_role");
    }

    /// What cannot be read is reported and left out, never guessed.
    #[test]
    fn dynamic_tables_are_unknown() {
        let m = read_project(
            &[(
                "app/models.py",
                "import sqlalchemy as sa\nfrom sqlalchemy.orm import declarative_base, declared_attr\n\nBase = declarative_base()\n\n\nclass Tenant(Base):\n    @declared_attr\n    def __tablename__(cls):\n        return cls.__name__.lower()\n    id = sa.Column(sa.Integer, primary_key=True)\n",
            )],
            "from app.models import Base\ntarget_metadata = Base.metadata\n",
        );
        assert!(m.tables.is_empty());
        assert_eq!(m.unknown.len(), 1);
        assert!(m.unknown[0].why.contains("declared_attr"), "{:?}", m.unknown);
    }

    /// A Base's `type_annotation_map` changes what `Mapped[str]` means: unknown, not guessed.
    #[test]
    fn type_annotation_map_makes_annotation_types_unknown() {
        let m = read_project(
            &[(
                "app/models.py",
                "from sqlalchemy import String\nfrom sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column\n\n\nclass Base(DeclarativeBase):\n    type_annotation_map = {str: String(255)}\n\n\nclass Tag(Base):\n    __tablename__ = 'tags'\n    id: Mapped[int] = mapped_column(primary_key=True)\n    label: Mapped[str]\n",
            )],
            "from app.models import Base\ntarget_metadata = Base.metadata\n",
        );
        assert!(m.tables.is_empty());
        assert!(m.unknown[0].why.contains("type_annotation_map"), "{:?}", m.unknown);
    }

    /// `from app.models import *` in env.py brings `Base` (and the models' module) in.
    #[test]
    fn star_import_in_env_py() {
        let m = read_project(
            &[
                ("app/__init__.py", ""),
                (
                    "app/models.py",
                    "import sqlalchemy as sa\nfrom sqlalchemy.orm import declarative_base\n\nBase = declarative_base()\n\n\nclass Tag(Base):\n    __tablename__ = 'tags'\n    id = sa.Column(sa.Integer, primary_key=True)\n",
                ),
            ],
            "from app.models import *\ntarget_metadata = Base.metadata\n",
        );
        assert_eq!(m.target, ["app.models.Base"]);
        assert_eq!(m.target_tables().len(), 1);
    }
}
