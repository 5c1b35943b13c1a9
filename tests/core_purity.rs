//! The pure core (everything but the CLI, the runner and the wasm bindings) must not know
//! which target it is built for: natives pass what differs (threads, files, clocks) in.

use std::path::Path;

/// Modules allowed to mention the target: they are the target-specific edges.
const EDGES: &[&str] = &["src/lib.rs", "src/main.rs", "src/wasm.rs", "src/cli/", "src/runner/"];

fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            walk(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn the_core_has_no_target_conditions_and_no_native_dependencies() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    walk(&root.join("src"), &mut files);
    assert!(files.len() > 50, "src/ walked");
    let mut offenders = Vec::new();
    for path in files {
        let rel = path.strip_prefix(root).expect("under root").to_string_lossy().replace('\\', "/");
        if EDGES.iter().any(|e| rel == *e || (e.ends_with('/') && rel.starts_with(e))) {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("read");
        for (i, line) in text.lines().enumerate() {
            for needle in ["target_arch", "rayon", "std::fs", "std::thread", "rusqlite", "SystemTime"] {
                if line.contains(needle) {
                    offenders.push(format!("{rel}:{}: {}", i + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "the core mentions native-only things:\n{}",
        offenders.join("\n")
    );
}
