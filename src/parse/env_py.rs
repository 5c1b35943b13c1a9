//! Reads the settings that shape plans from `env.py`: literal keyword arguments of
//! `context.configure(...)`. Non-literal values are reported and ignored, never guessed.

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{Expr, PySourceType};
use ruff_python_parser::parse_unchecked_source;
use ruff_text_size::Ranged;
use serde::Serialize;

use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::source::{SourceFile, Span};

/// Settings from `context.configure(...)` that change the SQL Alembic emits.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct EnvSettings {
    pub version_table: Option<String>,
    pub version_table_schema: Option<String>,
    pub transaction_per_migration: Option<bool>,
    pub render_as_batch: Option<bool>,
    /// Autogenerate compares server defaults (off by default in Alembic).
    pub compare_server_default: Option<bool>,
    /// `compare_type=False` turns type comparison off (on by default since Alembic 1.12).
    pub compare_type: Option<bool>,
    /// Autogenerate hooks env.py passes (`include_object`, `process_revision_directives`…):
    /// Python migplan does not run, named so the comparison can say so.
    pub autogenerate_hooks: Vec<String>,
}

pub fn read_env_py(file: &SourceFile) -> (EnvSettings, Vec<Diagnostic>) {
    let parsed = parse_unchecked_source(&file.text, PySourceType::Python);
    let mut finder = ConfigureCalls {
        file,
        settings: EnvSettings::default(),
        diagnostics: Vec::new(),
    };
    finder.visit_body(&parsed.syntax().body);
    (finder.settings, finder.diagnostics)
}

struct ConfigureCalls<'a> {
    file: &'a SourceFile,
    settings: EnvSettings,
    diagnostics: Vec<Diagnostic>,
}

impl<'a> Visitor<'a> for ConfigureCalls<'_> {
    fn visit_expr(&mut self, expr: &'a Expr) {
        if let Expr::Call(call) = expr
            && let Expr::Attribute(attr) = &*call.func
            && attr.attr.as_str() == "configure"
            && matches!(&*attr.value, Expr::Name(n) if n.id.as_str() == "context")
        {
            for kw in &call.arguments.keywords {
                let Some(name) = kw.arg.as_ref().map(|a| a.as_str()) else {
                    continue;
                };
                self.take(name, &kw.value);
            }
        }
        visitor::walk_expr(self, expr);
    }
}

impl ConfigureCalls<'_> {
    fn take(&mut self, name: &str, value: &Expr) {
        let span = {
            let r = value.range();
            Span::new(r.start().to_usize(), r.end().to_usize())
        };
        let ok = match name {
            "version_table" => set_str(&mut self.settings.version_table, value),
            "version_table_schema" => set_str(&mut self.settings.version_table_schema, value),
            "transaction_per_migration" => set_bool(&mut self.settings.transaction_per_migration, value),
            "render_as_batch" => set_bool(&mut self.settings.render_as_batch, value),
            "compare_server_default" => set_bool(&mut self.settings.compare_server_default, value),
            "compare_type" => set_bool(&mut self.settings.compare_type, value),
            "include_object"
            | "include_name"
            | "include_symbol"
            | "include_schemas"
            | "process_revision_directives"
            | "render_item"
            | "user_module_prefix" => {
                if !self.settings.autogenerate_hooks.iter().any(|h| h == name) {
                    self.settings.autogenerate_hooks.push(name.to_string());
                }
                return;
            }
            _ => return,
        };
        if !ok {
            self.diagnostics.push(
                Diagnostic::new(
                    Code::NonLiteralEnvOption,
                    format!("`{name}` in context.configure() is not a literal; its default is used for plans"),
                )
                .at(&self.file.path, span)
                .help(format!("write `{name}=` as a literal, or pass the setting on the command line")),
            );
        }
    }
}

/// First literal wins (offline and online `configure` calls normally agree).
fn set_str(slot: &mut Option<String>, value: &Expr) -> bool {
    match value {
        Expr::StringLiteral(s) => match super::literal_str(s.value.to_str()) {
            Some(v) => {
                slot.get_or_insert_with(|| v.to_string());
                true
            }
            None => false,
        },
        Expr::NoneLiteral(_) => true,
        _ => false,
    }
}

fn set_bool(slot: &mut Option<bool>, value: &Expr) -> bool {
    match value {
        Expr::BooleanLiteral(b) => {
            slot.get_or_insert(b.value);
            true
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_literals_and_reports_the_rest() {
        let text = "from alembic import context\nimport os\n\ndef run_migrations_offline():\n    context.configure(url=url, version_table='my_versions', transaction_per_migration=True, render_as_batch=os.environ.get('B'))\n";
        let (s, d) = read_env_py(&SourceFile::new("env.py", text));
        assert_eq!(s.version_table.as_deref(), Some("my_versions"));
        assert_eq!(s.transaction_per_migration, Some(true));
        assert_eq!(s.render_as_batch, None);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].code, Code::NonLiteralEnvOption);
    }
}
