//! SQLAlchemy models read statically: env.py's `target_metadata`, the project modules its
//! imports reach, and the tables their declarative classes and `Table(...)` calls declare,
//! as `ops::Column`s and constraints (the same data migrations are read into). Nothing is
//! executed; a table migplan cannot read in full is reported as unknown and left out.
//!
//! Pure: the caller hands over the project's `.py` files and `sys.path` roots.

pub mod declarative;
pub mod libraries;
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

/// The `sys.path` the models are imported from: the folder env.py's package is found in
/// (an installed package imports itself by its full name), then `roots`.
pub fn import_roots(env_py: &str, roots: &[String], is_file: impl Fn(&str) -> bool) -> Vec<String> {
    let mut out: Vec<String> = modules::package_root(env_py, is_file)
        .map(|r| if r.is_empty() { ".".to_string() } else { r })
        .into_iter()
        .collect();
    for r in roots {
        if !out.contains(r) {
            out.push(r.clone());
        }
    }
    out
}

/// Read the models of a project: `files` are its `.py` files (paths relative to the same
/// place as `roots`), `roots` its `sys.path` entries (`prepend_sys_path`), `env_py` the
/// env.py file.
pub fn read(files: &[SourceFile], roots: &[String], env_py: &SourceFile) -> Models {
    let paths: BTreeSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
    let mut roots = import_roots(&env_py.path, roots, |p| paths.contains(p));
    roots.push(libraries::ROOT.to_string());
    let files: Vec<SourceFile> = files.iter().cloned().chain(libraries::stub_files()).collect();
    let index = ModuleIndex::new(&files, &roots);
    let mut reader = declarative::Reader::new(&index);
    // Every module that may declare a table (so a model env.py never imports is found);
    // the others only when imported.
    for i in 0..index.modules.len() {
        if index.modules[i].may_declare_tables() {
            reader.module(i);
        }
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
        for s in top_level_imports(&index.modules[m].ast().body) {
            todo.extend(index.imported(Some(m), s));
        }
    }
    let target = reader.target_metadata(&env_body, &env_py.text);
    let mut out = reader.finish();
    out.reached = if target.flask_migrate {
        // Flask-Migrate: the app (not env.py) imports the models; every module counts.
        index.modules.iter().map(|m| m.name.clone()).collect()
    } else {
        reached.into_iter().map(|m| index.modules[m].name.clone()).collect()
    };
    out.target = target.ids;
    out.target_problem = target.problem;
    out.target_span = target.at;
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
    fn read_at(files: &[(&str, &str)], env_path: &str, env: &str, roots: &[&str]) -> Models {
        let files: Vec<SourceFile> = files.iter().map(|(p, t)| SourceFile::new(*p, *t)).collect();
        let roots: Vec<String> = roots.iter().map(|r| r.to_string()).collect();
        read(&files, &roots, &SourceFile::new(env_path, env))
    }

    const TAG_MODELS: &str = "import sqlalchemy as sa\nfrom sqlalchemy.orm import declarative_base\n\nBase = declarative_base()\n\n\nclass Tag(Base):\n    __tablename__ = 'tags'\n    id = sa.Column(sa.Integer, primary_key=True)\n";

    /// An installed package's env.py imports its models by the package's full name, though
    /// alembic.ini (and `prepend_sys_path = .`) sit deep inside it.
    #[test]
    fn a_package_imports_its_models_by_full_name() {
        let m = read_at(
            &[
                ("shop/__init__.py", ""),
                ("shop/db/__init__.py", ""),
                ("shop/db/models.py", TAG_MODELS),
                ("shop/db/migrations/__init__.py", ""),
            ],
            "shop/db/migrations/env.py",
            "from shop.db import models\ntarget_metadata = models.Base.metadata\n",
            &["shop/db"],
        );
        assert_eq!(m.target, ["shop.db.models.Base"], "{:?}", m.target_problem);
        assert_eq!(m.target_tables().len(), 1);
        assert_eq!(m.tables[0].module, "shop.db.models");
        assert_eq!(
            modules::package_root("shop/db/migrations/env.py", |p| p.ends_with("__init__.py") && !p.starts_with("__")),
            Some("".into())
        );
    }

    /// `Base: Any = declarative_base()`, with `declarative_base` imported in a `try`.
    #[test]
    fn annotated_base_and_try_imports() {
        let m = read_project(
            &[
                ("app/__init__.py", ""),
                (
                    "app/models.py",
                    "from typing import Any\nimport sqlalchemy as sa\ntry:\n    from sqlalchemy.orm import declarative_base\nexcept ImportError:\n    from sqlalchemy.ext.declarative import declarative_base\n\nBase: Any = declarative_base()\n\n\nclass Tag(Base):\n    __tablename__ = 'tags'\n    id = sa.Column(sa.Integer, primary_key=True)\n",
                ),
            ],
            "import app.models\ntarget_metadata = app.models.Base.metadata\n",
        );
        assert_eq!(m.target, ["app.models.Base"], "{:?}", m.target_problem);
        assert_eq!(m.target_tables().len(), 1);
    }

    /// `target_metadata` set inside `run_migrations_online()`, as some projects write it.
    #[test]
    fn target_metadata_inside_a_function() {
        let m = read_project(
            &[("app/__init__.py", ""), ("app/models.py", TAG_MODELS)],
            "from alembic import context\nfrom app import models\n\n\ndef run_migrations_online():\n    target_metadata = models.Base.metadata\n    context.configure(target_metadata=target_metadata)\n",
        );
        assert_eq!(m.target, ["app.models.Base"], "{:?}", m.target_problem);
        let direct = read_project(
            &[("app/__init__.py", ""), ("app/models.py", TAG_MODELS)],
            "from alembic import context\nfrom app.models import Base\n\n\ndef run_migrations_online():\n    context.configure(target_metadata=Base.metadata)\n",
        );
        assert_eq!(direct.target, ["app.models.Base"], "{:?}", direct.target_problem);
    }

    /// Flask-Migrate's env.py takes the app's `db`; the app imports the models, so no model
    /// is "not imported".
    #[test]
    fn flask_migrate_env_takes_the_apps_db() {
        let env = "from flask import current_app\nfrom alembic import context\n\ndef get_metadata():\n    if hasattr(target_db, 'metadatas'):\n        return target_db.metadatas[None]\n    return target_db.metadata\n\ntarget_db = current_app.extensions['migrate'].db\n\ndef run_migrations_online():\n    context.configure(target_metadata=get_metadata())\n";
        let m = read_project(
            &[
                ("app/extensions.py", "from flask_sqlalchemy import SQLAlchemy\ndb = SQLAlchemy()\n"),
                (
                    "app/models.py",
                    "from app.extensions import db\n\nclass Tag(db.Model):\n    id = db.Column(db.Integer, primary_key=True)\n",
                ),
            ],
            env,
        );
        assert_eq!(m.target, ["app.extensions.db"], "{:?}", m.target_problem);
        assert_eq!(m.target_tables().len(), 1);
        let two = read_project(
            &[
                (
                    "a.py",
                    "from flask_sqlalchemy import SQLAlchemy\ndb = SQLAlchemy()\nclass A(db.Model):\n    id = db.Column(db.Integer, primary_key=True)\n",
                ),
                (
                    "b.py",
                    "from flask_sqlalchemy import SQLAlchemy\ndb = SQLAlchemy()\nclass B(db.Model):\n    id = db.Column(db.Integer, primary_key=True)\n",
                ),
            ],
            env,
        );
        assert!(two.target.is_empty());
        assert!(
            two.target_problem.as_deref().unwrap_or("").contains("more than one"),
            "{:?}",
            two.target_problem
        );
    }

    /// An env.py that adds tables to `target_metadata` when it runs is not compared.
    #[test]
    fn env_py_that_changes_target_metadata_is_not_compared() {
        let m = read_project(
            &[("app/__init__.py", ""), ("app/models.py", TAG_MODELS)],
            "from app import models\ntarget_metadata = models.Base.metadata\nfor t in other.sorted_tables:\n    target_metadata._add_table(t.name, t.schema, t)\n",
        );
        assert!(m.target.is_empty());
        assert!(
            m.target_problem.as_deref().unwrap_or("").contains("changes `target_metadata`"),
            "{:?}",
            m.target_problem
        );
    }

    /// A library's mixin migplan knows (oslo.db) adds its columns, through
    /// `declarative_base(cls=...)`; one it does not know makes the model unknown.
    #[test]
    fn library_mixins_known_and_unknown() {
        let m = read_project(
            &[(
                "app/models.py",
                "from oslo_db.sqlalchemy import models\nfrom sqlalchemy import Column, Integer, orm\nfrom fastapi_users.db import SQLAlchemyBaseUserTable\n\n\nclass _Base(models.ModelBase, models.TimestampMixin):\n    pass\n\n\nBASE = orm.declarative_base(cls=_Base)\n\n\nclass Host(BASE, models.SoftDeleteMixin):\n    __tablename__ = 'hosts'\n    id = Column(Integer, primary_key=True)\n\n\nclass User(SQLAlchemyBaseUserTable, BASE):\n    __tablename__ = 'users'\n    id = Column(Integer, primary_key=True)\n",
            )],
            "from app.models import BASE\ntarget_metadata = BASE.metadata\n",
        );
        let names: Vec<&str> = m.tables[0].columns.iter().map(|c| c.name.as_str()).collect();
        // The class's own columns, then the mixins' in method resolution order.
        assert_eq!(names, ["id", "created_at", "updated_at", "deleted_at", "deleted"]);
        assert_eq!(m.unknown.len(), 1, "{:?}", m.unknown);
        assert_eq!(m.unknown[0].name.as_deref(), Some("users"));
        assert!(m.unknown[0].why.contains("SQLAlchemyBaseUserTable"), "{:?}", m.unknown);
    }

    /// A class mapped by `@registry.mapped` (no Base migplan follows) is unknown by its
    /// table's name, so its table is never "missing from the models".
    #[test]
    fn decorator_mapped_class_is_unknown() {
        let m = read_project(
            &[(
                "app/models.py",
                "import sqlalchemy as sa\nfrom sqlalchemy import orm\nmetadata = sa.MetaData()\nregistry = orm.registry(metadata=metadata)\n\n\n@registry.mapped_as_dataclass\nclass File:\n    __tablename__ = 'file'\n    id = sa.Column(sa.Integer, primary_key=True)\n",
            )],
            "from app.models import metadata\ntarget_metadata = metadata\n",
        );
        assert!(m.tables.is_empty());
        assert_eq!(m.unknown[0].name.as_deref(), Some("file"), "{:?}", m.unknown);
    }
}
