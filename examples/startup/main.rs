//! Run migrations on startup: the versions folder is compiled into the binary, and every
//! replica calls `Migrator::upgrade` before serving. One applies, the others wait for the
//! lock and find nothing to do.
//!
//!     cargo run --example startup                       # ./startup.db (SQLite)
//!     DATABASE_URL=postgresql://postgres@127.0.0.1/test cargo run --example startup

use include_dir::{Dir, include_dir};
use migplan::runner::migrator::Migrator;

static VERSIONS: Dir = include_dir!("$CARGO_MANIFEST_DIR/examples/startup/versions");

fn main() -> std::process::ExitCode {
    let files = VERSIONS
        .files()
        .filter_map(|f| Some((format!("versions/{}", f.path().display()), f.contents_utf8()?)));
    let url = std::env::var("DATABASE_URL").unwrap_or_else(|_| "sqlite:///startup.db".into());
    match Migrator::new(files).database_url(url).upgrade() {
        Ok(applied) => {
            for step in &applied.steps {
                println!("applied: {step}");
            }
            println!("database at {}; starting the app", applied.heads.join(", "));
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("migrations failed, not starting: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
