//! Which project(s) a command without `-c`/`-d` reads: the working directory's config as
//! always, else the projects [`super::find`] finds below it. One is used and named on
//! stderr; several are each read by `check` and `report` (their outputs joined: a heading
//! each, one JSON array, one SARIF log, the worst exit status) and refused by the others.

use std::io::Write;
use std::process::ExitCode;

use super::args::{Cli, Command, Format};
use super::{CHECK_COULD_NOT_RUN, discover, find, run};
use crate::discovery::Candidate;

thread_local! {
    /// While several projects' `check` output is gathered into one JSON or SARIF document.
    static CAPTURED: std::cell::RefCell<Option<Vec<u8>>> = const { std::cell::RefCell::new(None) };
}

/// Standard output, or the gathering buffer while one is set ([`run_each`]).
pub(crate) struct Stdout;

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let captured = CAPTURED.with(|c| {
            c.borrow_mut().as_mut().map(|b| {
                b.extend_from_slice(buf);
                buf.len()
            })
        });
        match captured {
            Some(n) => Ok(n),
            None => std::io::stdout().lock().write(buf),
        }
    }
    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stdout().lock().flush()
    }
}

/// Without `-c`/`-d` and without a config in the working directory, the tree below is
/// searched: one project is used (and named on stderr), several are each checked by
/// `check` and `report` and refused by commands that read one.
pub fn dispatch(mut cli: Cli) -> ExitCode {
    let cwd = std::env::current_dir().unwrap_or_else(|_| std::path::PathBuf::from("."));
    if matches!(cli.command, Command::Serve { .. }) || cli.config.is_some() || !cli.dirs.is_empty() || discover::has_config(&cwd) {
        return run(cli);
    }
    let found = find::find(&cwd);
    match &found[..] {
        // discover() says what was searched for and how to name a project.
        [] => run(cli),
        [one] => {
            eprintln!("{}", find::using_line(one, &cwd));
            (cli.config, cli.dirs) = find::arguments(one);
            run(cli)
        }
        several => run_each(cli, several, &cwd),
    }
}

/// How bad an exit status is, to return the worst of several projects'.
fn exit_rank(code: ExitCode) -> u8 {
    (0..=u8::MAX).find(|&n| code == ExitCode::from(n)).unwrap_or(u8::MAX)
}

/// `check` and `report` over several projects: a heading each (text), one JSON array of
/// the per-project objects with a `project` field, one SARIF log with a run each.
fn run_each(cli: Cli, found: &[Candidate], cwd: &std::path::Path) -> ExitCode {
    let every = match &cli.command {
        Command::Check { roundtrip, .. } => !roundtrip && cli.db.is_none(),
        Command::Report { .. } => true,
        _ => false,
    };
    if !every {
        eprintln!(
            "FAILED: {}",
            find::several_message(
                found,
                cwd,
                "name one with its -c or -d as shown (`check` and `report` read them all)"
            )
        );
        return ExitCode::from(CHECK_COULD_NOT_RUN);
    }
    let gather = matches!(cli.command, Command::Check { .. }) && matches!(cli.format, Format::Json | Format::Sarif);
    let mut docs: Vec<String> = Vec::new();
    let mut worst = ExitCode::SUCCESS;
    for (i, c) in found.iter().enumerate() {
        let mut one = cli.clone();
        (one.config, one.dirs) = find::arguments(c);
        if let Command::Report { out, title, .. } = &mut one.command {
            title.get_or_insert_with(|| find::label(c, cwd));
            let folder = c.folder().replace('/', "_");
            let sub = if folder.is_empty() { "root".to_string() } else { folder };
            *out = std::path::Path::new(out.as_str()).join(sub).to_string_lossy().into_owned();
        }
        if !gather {
            eprintln!("{}== {} ==", if i == 0 { "" } else { "\n" }, find::label(c, cwd));
        }
        if gather {
            CAPTURED.with(|b| *b.borrow_mut() = Some(Vec::new()));
        }
        let code = run(one);
        if gather {
            let bytes = CAPTURED.with(|b| b.borrow_mut().take()).unwrap_or_default();
            docs.push(project_document(&bytes, &c.path));
        }
        if exit_rank(code) > exit_rank(worst) {
            worst = code;
        }
    }
    if gather {
        match cli.format {
            Format::Sarif => {
                // One log: every project's runs.
                let mut logs = docs
                    .iter()
                    .map(|d| serde_json::from_str::<serde_json::Value>(d).unwrap_or_default());
                let mut log = logs.next().unwrap_or_default();
                let more: Vec<serde_json::Value> = logs
                    .flat_map(|d| d.get("runs").and_then(|r| r.as_array()).cloned().unwrap_or_default())
                    .collect();
                if let Some(runs) = log.get_mut("runs").and_then(|r| r.as_array_mut()) {
                    runs.extend(more);
                }
                println!("{}", serde_json::to_string_pretty(&log).unwrap_or_default());
            }
            _ => {
                let items: Vec<String> = docs
                    .iter()
                    .map(|d| d.lines().map(|l| format!("  {l}")).collect::<Vec<_>>().join("\n"))
                    .collect();
                println!("[\n{}\n]", items.join(",\n"));
            }
        }
    }
    worst
}

/// One project's captured `check` JSON with `"project"` as its first key, spliced into the
/// text so the object keeps its key order; output that is not an object (check could not
/// run) becomes `{"project", "error"}`.
fn project_document(bytes: &[u8], project: &str) -> String {
    let text = String::from_utf8_lossy(bytes);
    let text = text.trim();
    let name = serde_json::to_string(project).unwrap_or_default();
    let is_object = serde_json::from_str::<serde_json::Value>(text).is_ok_and(|v| v.is_object());
    match text.strip_prefix('{') {
        Some(rest) if is_object && rest.trim() == "}" => format!("{{\n  \"project\": {name}\n}}"),
        Some(rest) if is_object => format!("{{\n  \"project\": {name},{rest}"),
        _ => format!("{{\n  \"project\": {name},\n  \"error\": \"check could not run (the reason is on stderr)\"\n}}"),
    }
}

#[cfg(test)]
mod tests {
    use super::project_document;

    #[test]
    fn the_project_is_the_first_key_and_the_rest_is_kept() {
        let doc = project_document(b"{\n  \"layout\": \"alembic\",\n  \"revisions\": 1\n}\n", "app/migrations");
        assert_eq!(
            doc,
            "{\n  \"project\": \"app/migrations\",\n  \"layout\": \"alembic\",\n  \"revisions\": 1\n}"
        );
        assert_eq!(project_document(b"{}", "a"), "{\n  \"project\": \"a\"\n}");
    }

    #[test]
    fn output_that_is_no_object_becomes_an_error_entry() {
        let doc = project_document(b"", "db/migrations");
        let v: serde_json::Value = serde_json::from_str(&doc).unwrap();
        assert_eq!(v["project"], "db/migrations");
        assert!(v["error"].is_string());
    }
}
