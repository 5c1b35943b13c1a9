//! DDL on a busy table waits for its lock while every later query queues behind it; a
//! lock timeout makes the migration fail fast instead of stalling the application.
//! Reported once per migration, at its first such statement.

use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::lint::{RevisionCx, Rule, Tier};
use crate::schema::Change;

pub struct MissingLockTimeout;

impl Rule for MissingLockTimeout {
    fn code(&self) -> Code {
        Code::MissingLockTimeout
    }

    /// Hygiene on every DDL, and it fires on most revisions of the corpus.
    fn tier(&self) -> Tier {
        Tier::Strict
    }

    fn check_revision(&self, r: &RevisionCx) -> Vec<Diagnostic> {
        let Some(setting) = r.ddl.lock_timeout_setting else {
            return Vec::new();
        };
        if r.timeout_in_env {
            return Vec::new();
        }
        for ev in r.up {
            match &ev.change {
                Change::SetTimeout { .. } => return Vec::new(),
                // Concurrent builds wait without blocking others.
                Change::CreateIndex { concurrently: true, .. } | Change::DropIndex { concurrently: true, .. } => continue,
                c if c.is_ddl() => {
                    let Some(table) = c.table() else { continue };
                    if !(r.existing_before)(table) {
                        continue;
                    }
                    return vec![
                        Diagnostic::new(
                            self.code(),
                            format!("DDL on existing table {table} runs with no {setting} set: while it waits for its lock, every query on {table} queues behind it"),
                        )
                        .at(&*ev.file, ev.span)
                        .help(format!(
                            "set it first in the migration (`op.execute(\"SET {setting} = '5s'\")`) or for every migration in env.py"
                        )),
                    ];
                }
                _ => {}
            }
        }
        Vec::new()
    }
}
