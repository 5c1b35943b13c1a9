//! The comparison as findings (`check --models`): one `models-drift` per operation
//! autogenerate would emit, and the seed's troubleshooting found before anyone runs it —
//! model modules env.py never imports, tables on another MetaData, tables migplan cannot
//! read.

use super::compare::Comparison;
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::models::Models;
use crate::source::Span;

/// Findings for `models` compared as `cmp`; `env_py` locates what has no model; `hooks`
/// are the autogenerate hooks env.py passes, which migplan does not run.
pub fn findings(models: &Models, cmp: &Comparison, env_py: &str, hooks: &[String]) -> Vec<Diagnostic> {
    let mut out = known(models, cmp, env_py, hooks);
    out.extend(left_out(models, cmp, env_py));
    out
}

/// The tables left out of the comparison (`model-unknown`): at the model migplan cannot read,
/// or at env.py for a table whose shape in the migrations is unknown.
pub fn left_out(models: &Models, cmp: &Comparison, env_py: &str) -> Vec<Diagnostic> {
    if models.target_problem.is_some() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for u in &models.unknown {
        let what = u.class_name.as_deref().or(u.name.as_deref()).unwrap_or("a table");
        out.push(
            Diagnostic::new(Code::ModelUnknown, format!("{what} is left out of the comparison: {}", u.why))
                .at(&u.file, u.span)
                .help("migplan reads models without running Python; compare this table by hand or with `alembic check`"),
        );
    }
    for (t, why) in &cmp.skipped {
        out.push(
            Diagnostic::new(Code::ModelUnknown, format!("table {t} is left out of the comparison: {why}"))
                .in_file(env_py)
                .help("the migrations build this table in a way migplan cannot follow; compare it with `alembic check`"),
        );
    }
    out
}

/// Everything but [`left_out`]: the drift, the troubleshooting cases, what env.py asks that
/// migplan does not run, or why nothing could be compared.
pub fn known(models: &Models, cmp: &Comparison, env_py: &str, hooks: &[String]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for h in hooks {
        out.push(
            Diagnostic::new(
                Code::ModelUnknown,
                format!(
                    "env.py passes `{h}` to context.configure(); migplan does not run it, so what it filters or rewrites is not applied"
                ),
            )
            .in_file(env_py)
            .help("findings it would filter out may be listed; compare with `alembic check`"),
        );
    }
    if let Some(why) = &models.target_problem {
        out.push(
            Diagnostic::new(Code::ModelUnknown, format!("the models cannot be compared: {why}"))
                .in_file(env_py)
                .help("assign `target_metadata = Base.metadata` (or a MetaData) imported from the project's models"),
        );
        return out;
    }
    for c in &cmp.changes {
        let mut msg = c.op.describe();
        // The seed's "autogenerate wants to drop my table": its model is not imported.
        if let super::AutoOp::DropTable { table, .. } = &c.op
            && let Some(t) = models
                .tables
                .iter()
                .find(|t| t.table.name.eq_ignore_ascii_case(&table.name) && !models.reached.contains(&t.module))
        {
            msg.push_str(&format!(
                " (model {} in {} declares it, but env.py never imports that module)",
                t.class_name.as_deref().unwrap_or("?"),
                t.module
            ));
        }
        let d = Diagnostic::new(Code::ModelsDrift, msg)
            .help("write the migration with `migplan revision --autogenerate -m MSG` (or change the models back)");
        out.push(match &c.origin {
            Some(o) => d.at(&o.file, o.span),
            None => d.at(env_py, models.target_span.unwrap_or(Span::empty(0))),
        });
    }
    for (i, t) in models.tables.iter().enumerate() {
        let key = |x: &crate::models::ModelTable| (x.metadata.clone(), x.table.schema.clone(), x.table.name.to_ascii_lowercase());
        if let Some(first) = models.tables[..i].iter().find(|x| key(x) == key(t)) {
            out.push(
                Diagnostic::new(
                    Code::ModelDuplicateTable,
                    format!(
                        "table {} is declared twice on {}: here and by {} in {}",
                        t.table.name,
                        t.metadata,
                        first.class_name.as_deref().unwrap_or("a Table()"),
                        first.file
                    ),
                )
                .at(&t.file, t.span)
                .help("keep one declaration (or give the second `__table_args__ = {\"extend_existing\": True}` if that is meant)"),
            );
        }
    }
    for t in &models.tables {
        let what = t
            .class_name
            .as_deref()
            .map_or(format!("table {}", t.table.name), |c| format!("model {c} (table {})", t.table.name));
        // Another Base is "the wrong Base" (the seed's troubleshooting) when env.py imports the
        // model, or the migrations build its table; otherwise it is another environment's
        // (a plugin with its own env and Base), not this one's to compare.
        let builds_it = || {
            cmp.changes
                .iter()
                .any(|c| matches!(&c.op, super::AutoOp::DropTable { table, .. } if table.name.eq_ignore_ascii_case(&t.table.name)))
        };
        if !models.target.contains(&t.metadata) {
            if !models.reached.contains(&t.module) && !builds_it() {
                continue;
            }
            out.push(
                Diagnostic::new(
                    Code::ModelOtherMetadata,
                    format!("{what} belongs to {}, not to env.py's target_metadata", t.metadata),
                )
                .at(&t.file, t.span)
                .help("declare it on the same Base/MetaData as target_metadata, or list both in target_metadata"),
            );
        } else if !models.reached.contains(&t.module) {
            out.push(
                Diagnostic::new(
                    Code::ModelNotImported,
                    format!(
                        "{what} is in module {}, which env.py's imports never reach; autogenerate does not see it",
                        t.module
                    ),
                )
                .at(&t.file, t.span)
                .help(format!("add `import {}  # noqa: F401` to env.py", t.module)),
            );
        }
    }
    out
}
