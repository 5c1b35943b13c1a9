//! Golden cases shared by tests/sql_folders.rs and tests/discovery.rs: every folder under a
//! root that has a `cases.txt` (`<golden>: <arguments>` per line, `#` comments) runs each
//! case and compares the output with `expected/<golden>`; `MIGPLAN_UPDATE_GOLDENS=1`
//! rewrites the goldens instead (review them by eye).

use std::path::{Path, PathBuf};
use std::process::Output;

/// What a golden holds of a run: stdout, then stderr (when any), then the exit status.
pub fn transcript(out: &Output) -> String {
    let mut s = String::from_utf8_lossy(&out.stdout).into_owned();
    let err = String::from_utf8_lossy(&out.stderr);
    if !err.is_empty() {
        s.push_str("\n--- stderr ---\n");
        s.push_str(&err);
    }
    s.push_str(&format!("\n--- exit {} ---\n", out.status.code().unwrap_or(-1)));
    s
}

/// The folders under `root` that have a `cases.txt`, sorted.
pub fn case_folders(root: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("cases.txt").is_file())
        .collect();
    dirs.sort();
    dirs
}

/// Runs every case of `folder` through `run(arguments)` and compares (or, with
/// `MIGPLAN_UPDATE_GOLDENS`, writes) its golden. Returns how many cases ran and one
/// message per golden that differs.
pub fn check_folder(folder: &Path, mut run: impl FnMut(&str) -> String) -> (usize, Vec<String>) {
    let update = std::env::var_os("MIGPLAN_UPDATE_GOLDENS").is_some();
    let spec = std::fs::read_to_string(folder.join("cases.txt")).unwrap();
    let mut failures = Vec::new();
    let mut count = 0;
    for line in spec.lines().filter(|l| !l.trim().is_empty() && !l.starts_with('#')) {
        let (golden, args) = line.split_once(':').expect("`<golden>: <args>`");
        let got = run(args);
        let path = folder.join("expected").join(golden.trim());
        count += 1;
        if update {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &got).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&path).unwrap_or_default();
        if want != got {
            failures.push(format!(
                "{}: {}\n--- want ---\n{want}\n--- got ---\n{got}",
                path.display(),
                args.trim()
            ));
        }
    }
    (count, failures)
}
