//! migplan: static planning and checking of Alembic migration histories.
//!
//! The core (everything outside `cli`) is pure: it takes [`SourceFile`]s that the caller
//! read and returns values — a revision model, the revision DAG, diagnostics, rendered
//! text. It does no IO and compiles unchanged to `wasm32-unknown-unknown`.
//!
//! Pipeline: [`parse`] (scripts → [`model::Revision`]) → [`graph`] (the DAG, Alembic's
//! order) → [`resolve`] (targets) → [`analysis`] (checks) → [`render`].

pub mod alembic_script;
pub mod analysis;
pub mod api;
pub mod autogen;
pub mod baseline;
pub mod bookkeeping;
pub mod codes;
pub mod config;
pub mod deployed;
pub mod diagnostic;
pub mod dialect;
pub mod discovery;
pub mod dry_run;
pub mod graph;
pub mod layout;
pub mod lint;
pub mod model;
pub mod models;
pub mod new_revision;
pub mod ops;
pub mod parallel;
pub mod parse;
pub mod plan;
pub mod pr;
pub mod project;
pub mod render;
pub mod resolve;
pub mod schema;
pub mod small_alloc;
pub mod source;
pub mod sql;
pub mod timestamp;
pub mod validate;

// The command line and the runner build natively and for wasm32-wasip1 (the npm package's
// `migplan` command, run by node:wasi; the runner's database drivers stay native, see
// runner/mod.rs); the wasm API is the wasm32-unknown-unknown build.
#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
pub mod cli;
#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
pub mod runner;

#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
pub mod wasm;

pub use analysis::{Analysis, analyze, analyze_reads, analyze_sql_folder};
pub use codes::{Code, Severity};
pub use diagnostic::Diagnostic;
pub use source::SourceFile;
