//! The project's Python modules by dotted name, and the imports between them: what a
//! `from app.models import Base` or `import app.models.user` in env.py reaches, as Python
//! would find it on `sys.path` (alembic.ini's `prepend_sys_path`, and the folder above the
//! package env.py lives in, as an installed package is found). Nothing is executed; a module
//! is parsed the first time it is read.

use std::cell::OnceCell;
use std::collections::{BTreeMap, BTreeSet};

use ruff_python_ast::{ModModule, PySourceType, Stmt};
use ruff_python_parser::parse_unchecked_source;

use crate::source::SourceFile;

/// One project module: its dotted name (under the first root that names it), file and
/// syntax tree (parsed when first asked for).
pub struct Module<'a> {
    pub name: String,
    pub file: &'a SourceFile,
    pub is_package: bool,
    ast: OnceCell<ModModule>,
}

impl Module<'_> {
    pub fn ast(&self) -> &ModModule {
        self.ast
            .get_or_init(|| parse_unchecked_source(&self.file.text, PySourceType::Python).into_syntax())
    }

    /// Whether the module may declare a table: a mapped class names `__tablename__` or
    /// holds a `Column(`/`column(` call (also `mapped_column(`), a `Table(` call registers
    /// one. Modules without any are read only when imported.
    pub fn may_declare_tables(&self) -> bool {
        let t = &self.file.text;
        t.contains("__tablename__") || t.contains("olumn(") || t.contains("Table(")
    }
}

/// The modules found under the `sys.path` roots. A file is one module, under the name the
/// first root gives it; the names later roots give it are aliases of that module.
pub struct ModuleIndex<'a> {
    pub modules: Vec<Module<'a>>,
    pub by_name: BTreeMap<String, usize>,
}

/// The folder Python would import env.py's package from: starting at env.py's folder (or,
/// when that is no package, the folder holding it, where alembic is run), up through every
/// folder that is a package (`__init__.py`). `None` when env.py is at the top.
pub fn package_root(env_py: &str, is_file: impl Fn(&str) -> bool) -> Option<String> {
    let env_py = env_py.replace('\\', "/");
    let mut dir = parent(&env_py)?;
    let init = |d: &str| {
        is_file(&if d.is_empty() {
            "__init__.py".to_string()
        } else {
            format!("{d}/__init__.py")
        })
    };
    if !init(&dir) {
        dir = parent(&dir)?;
    }
    // A package nests a few folders deep; the bound keeps a hostile tree finite.
    for _ in 0..16 {
        if dir == "/" || !init(&dir) {
            break;
        }
        dir = parent(&dir)?;
    }
    Some(dir)
}

/// The folder holding `path` (relative paths climb above the working folder as `..`).
fn parent(path: &str) -> Option<String> {
    let path = path.strip_prefix("./").unwrap_or(path);
    if path.is_empty() || path == "." {
        return Some("..".to_string());
    }
    if path.split('/').all(|p| p == "..") {
        return Some(format!("{path}/.."));
    }
    Some(match path.rsplit_once('/') {
        Some(("", _)) => "/".to_string(),
        Some((d, _)) => d.to_string(),
        None => String::new(),
    })
}

/// `shop/models/user.py` under root `.` → `shop.models.user`; `__init__.py` names its
/// package. Paths use `/`; a root of `.` or `` is the project's top.
fn module_name(path: &str, root: &str) -> Option<(String, bool)> {
    let root = root.trim_end_matches('/');
    let rel = if root.is_empty() || root == "." {
        path.strip_prefix("./").unwrap_or(path)
    } else {
        path.strip_prefix(root)?.strip_prefix('/')?
    };
    let stem = rel.strip_suffix(".py")?;
    let parts: Vec<&str> = stem.split('/').collect();
    if parts.iter().any(|p| p.is_empty() || p.contains('.') || p.contains('-')) {
        return None;
    }
    match parts.split_last() {
        Some((&"__init__", pkg)) if !pkg.is_empty() => Some((pkg.join("."), true)),
        Some((&"__init__", _)) => None,
        _ => Some((parts.join("."), false)),
    }
}

impl<'a> ModuleIndex<'a> {
    /// Index `files` under each of `roots` (first root wins, as on `sys.path`).
    pub fn new(files: &'a [SourceFile], roots: &[String]) -> Self {
        let mut modules = Vec::new();
        let mut by_name = BTreeMap::new();
        let mut of_file: Vec<Option<usize>> = vec![None; files.len()];
        for root in roots {
            for (fi, f) in files.iter().enumerate() {
                let path = f.path.replace('\\', "/");
                let Some((name, is_package)) = module_name(&path, root) else {
                    continue;
                };
                if by_name.contains_key(&name) {
                    continue;
                }
                let m = *of_file[fi].get_or_insert_with(|| {
                    modules.push(Module {
                        name: name.clone(),
                        file: f,
                        is_package,
                        ast: OnceCell::new(),
                    });
                    modules.len() - 1
                });
                by_name.insert(name, m);
            }
        }
        ModuleIndex { modules, by_name }
    }

    pub fn get(&self, name: &str) -> Option<usize> {
        self.by_name.get(name).copied()
    }

    /// The absolute module a `from <level dots><module> import` in module `from` names.
    pub fn absolute(&self, from: Option<usize>, level: u32, module: Option<&str>) -> String {
        if level == 0 {
            return module.unwrap_or("").to_string();
        }
        let Some(m) = from.map(|i| &self.modules[i]) else {
            return module.unwrap_or("").to_string();
        };
        let mut parts: Vec<&str> = m.name.split('.').collect();
        if !m.is_package {
            parts.pop();
        }
        for _ in 1..level {
            parts.pop();
        }
        let mut base = parts.join(".");
        if let Some(md) = module {
            if !base.is_empty() {
                base.push('.');
            }
            base.push_str(md);
        }
        base
    }

    /// The project modules an import statement in module `from` loads: the module, its
    /// parent packages, and for `from pkg import sub` the submodule `pkg.sub`.
    pub fn imported(&self, from: Option<usize>, stmt: &Stmt) -> Vec<usize> {
        let mut names = Vec::new();
        match stmt {
            Stmt::Import(i) => names.extend(i.names.iter().map(|a| a.name.as_str().to_string())),
            Stmt::ImportFrom(i) => {
                let base = self.absolute(from, i.level, i.module.as_ref().map(|m| m.as_str()));
                for a in &i.names {
                    names.push(format!("{base}.{}", a.name.as_str()));
                }
                names.push(base);
            }
            _ => {}
        }
        let mut out = BTreeSet::new();
        for n in names {
            let parts: Vec<&str> = n.split('.').collect();
            for k in 1..=parts.len() {
                if let Some(i) = self.get(&parts[..k].join(".")) {
                    out.insert(i);
                }
            }
        }
        out.into_iter().collect()
    }
}

/// Import statements at a module's top level and inside `if`/`try` blocks there (the
/// `try: import x except ImportError:` pattern); imports inside functions run only when
/// called and are left out.
pub fn top_level_imports(body: &[Stmt]) -> Vec<&Stmt> {
    let mut out = Vec::new();
    for s in body {
        match s {
            Stmt::Import(_) | Stmt::ImportFrom(_) => out.push(s),
            Stmt::If(i) => {
                out.extend(top_level_imports(&i.body));
                for c in &i.elif_else_clauses {
                    out.extend(top_level_imports(&c.body));
                }
            }
            Stmt::Try(t) => {
                out.extend(top_level_imports(&t.body));
                out.extend(top_level_imports(&t.orelse));
                out.extend(top_level_imports(&t.finalbody));
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_relative_imports() {
        assert_eq!(module_name("shop/models/user.py", "."), Some(("shop.models.user".into(), false)));
        assert_eq!(module_name("src/shop/__init__.py", "src"), Some(("shop".into(), true)));
        assert_eq!(module_name("other/x.py", "src"), None);
        let files = vec![
            SourceFile::new("shop/__init__.py", ""),
            SourceFile::new("shop/models/__init__.py", "from .base import Base\n"),
            SourceFile::new("shop/models/base.py", ""),
        ];
        let idx = ModuleIndex::new(&files, &[".".to_string()]);
        let pkg = idx.get("shop.models");
        assert_eq!(idx.absolute(pkg, 1, Some("base")), "shop.models.base");
        let stmt = &idx.modules[pkg.unwrap()].ast().body[0];
        let reached: Vec<&str> = idx.imported(pkg, stmt).iter().map(|&i| idx.modules[i].name.as_str()).collect();
        assert_eq!(reached, ["shop", "shop.models", "shop.models.base"]);
    }

    /// Where env.py's package is imported from: above every package folder holding it; a
    /// working folder inside the package climbs with `..`.
    #[test]
    fn package_root_climbs_out_of_packages() {
        let inits = ["a/__init__.py", "a/b/__init__.py", "a/b/mig/__init__.py"];
        let is = |p: &str| inits.contains(&p);
        assert_eq!(package_root("a/b/mig/env.py", is), Some("".into()));
        // env.py's folder is no package: start at the folder holding it.
        assert_eq!(package_root("a/b/migrations/env.py", is), Some("".into()));
        assert_eq!(package_root("migrations/env.py", is), Some("".into()));
        // Run from inside the package (`cd a/b`): the root is two folders up.
        let inside = ["__init__.py", "../__init__.py"];
        assert_eq!(package_root("alembic/env.py", |p| inside.contains(&p)), Some("../..".into()));
        // Absolute paths stay absolute.
        let abs = ["/srv/app/pkg/__init__.py"];
        assert_eq!(
            package_root("/srv/app/pkg/migrations/env.py", |p| abs.contains(&p)),
            Some("/srv/app".into())
        );
    }
}
