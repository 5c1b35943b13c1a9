//! The CLI under wasm32-wasip1: the npm package's `migplan` command, run by node:wasi in
//! pkg/bin/migplan.js. This is the one place that knows it. WASI gives files and clocks but
//! no sockets and no processes, so:
//! - commands that connect to a database (or serve HTTP) are refused with [`NEEDS_NATIVE`]
//!   and exit status 2, before anything is read;
//! - `git` (for `--base REF`) runs on the host, through the `migplan_host` imports that
//!   bin/migplan.js gives the module;
//! - the working directory is the host's (`MIGPLAN_WASI_CWD`, with `/` preopened as `/`), so
//!   relative paths are read and printed as the user typed them.

use std::process::ExitCode;

use super::args::{Cli, Command};

/// What a refused command is told (after what it was).
pub const NEEDS_NATIVE: &str = "needs the native migplan binary (pip install migplan, or cargo install migplan); the npm package's command runs the commands that read files only";

/// The environment variable bin/migplan.js puts the host's working directory in.
const CWD_VAR: &str = "MIGPLAN_WASI_CWD";

/// Before the command line is read: the host's working directory becomes the module's
/// (wasi-libc resolves relative paths against it, under the `/` preopen).
pub fn start() {
    if let Some(cwd) = std::env::var_os(CWD_VAR) {
        let _ = std::env::set_current_dir(cwd);
    }
}

/// A command the native binary is needed for: its one-line refusal, and exit status 2.
pub fn refuse(cli: &Cli) -> Option<ExitCode> {
    let what = match &cli.command {
        Command::Serve { .. } => "`serve` runs a web server: that",
        _ if cli.db.is_some() => "--db connects to a database: that",
        Command::Upgrade { plan, .. } if !plan.sql => "`upgrade` without --sql connects to a database: that",
        Command::Downgrade { plan, .. } if !plan.sql => "`downgrade` without --sql connects to a database: that",
        Command::Stamp { plan, .. } if !plan.sql => "`stamp` without --sql connects to a database: that",
        Command::Current { .. } => "`current` connects to a database: that",
        Command::Rebless { .. } => "`rebless` connects to a database: that",
        Command::History {
            indicate_current: true, ..
        } => "`history --indicate-current` connects to a database: that",
        Command::Check { roundtrip: true, .. } => "`check --roundtrip` runs the history on a database: that",
        _ => return None,
    };
    eprintln!("FAILED: {what} {NEEDS_NATIVE}");
    Some(ExitCode::from(2))
}

#[link(wasm_import_module = "migplan_host")]
unsafe extern "C" {
    /// Runs `git` on the host with `len` bytes of NUL-separated arguments at `args`, in the
    /// host's working directory. Returns the length of the result the next call copies.
    fn git_run(args: *const u8, len: usize) -> usize;
    /// Copies the last result into `out` (as many bytes as `git_run` returned): one status
    /// byte (0 ran and succeeded: stdout follows; 1 ran and failed: stderr follows; 2 could
    /// not be started: the reason follows), then the bytes.
    fn git_result(out: *mut u8);
}

/// `git ARGS` on the host: its stdout, or the native CLI's error message.
pub fn git(args: &[&str]) -> Result<Vec<u8>, String> {
    let joined = args.join("\0");
    // SAFETY: the host reads `joined`'s bytes and writes exactly the length it returned.
    let result = unsafe {
        let len = git_run(joined.as_ptr(), joined.len());
        let mut out = vec![0u8; len];
        if len > 0 {
            git_result(out.as_mut_ptr());
        }
        out
    };
    match result.split_first() {
        Some((0, stdout)) => Ok(stdout.to_vec()),
        Some((1, stderr)) => Err(format!("git {} failed: {}", args.join(" "), String::from_utf8_lossy(stderr).trim())),
        Some((_, reason)) => Err(format!("cannot run git: {}", String::from_utf8_lossy(reason))),
        None => Err("cannot run git: no answer from the host".to_string()),
    }
}
