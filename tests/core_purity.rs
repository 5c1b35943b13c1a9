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

/// The crates Cargo.toml gives the command line (native and wasm32-wasip1) and the native
/// build only: none of them is the core's.
fn native_only_crates(root: &Path) -> Vec<String> {
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).expect("Cargo.toml");
    let mut crates = Vec::new();
    for header in [
        "[target.'cfg(not(all(target_arch = \"wasm32\", target_os = \"unknown\")))'.dependencies]",
        "[target.'cfg(not(target_arch = \"wasm32\"))'.dependencies]",
    ] {
        let section = manifest.split(header).nth(1).unwrap_or_else(|| panic!("a section {header}"));
        let section = section.split("\n[").next().unwrap_or_default();
        crates.extend(
            section
                .lines()
                .filter_map(|l| l.split_once('=').map(|(name, _)| name.trim()))
                .filter(|name| !name.is_empty() && !name.starts_with('#'))
                .map(|name| name.replace('-', "_")),
        );
    }
    crates
}

#[test]
fn the_core_has_no_target_conditions_and_no_native_dependencies() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let crates = native_only_crates(root);
    assert!(
        crates.iter().any(|c| c == "rayon") && crates.len() >= 5,
        "native crates read: {crates:?}"
    );
    let mut needles: Vec<String> = [
        "target_arch",
        "target_os",
        "target_family",
        "target_feature",
        "target_pointer_width",
        "cfg(unix)",
        "cfg(windows)",
        "std::fs",
        "std::thread",
        "std::process",
        "std::net",
        "std::env",
        "Instant",
        "SystemTime",
    ]
    .map(String::from)
    .to_vec();
    let mut files = Vec::new();
    walk(&root.join("src"), &mut files);
    assert!(files.len() > 50, "src/ walked");
    // A crate named like one of our modules (`mysql`, the dialect) cannot be told apart
    // from it by text; the wasm core build in CI catches such a crate instead.
    let modules: Vec<String> = files
        .iter()
        .filter_map(|f| f.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .collect();
    needles.extend(crates.iter().filter(|c| !modules.contains(c)).map(|c| format!("{c}::")));
    let mut offenders = Vec::new();
    for path in files {
        let rel = path.strip_prefix(root).expect("under root").to_string_lossy().replace('\\', "/");
        if EDGES.iter().any(|e| rel == *e || (e.ends_with('/') && rel.starts_with(e))) {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("read");
        for (i, line) in text.lines().enumerate() {
            // Code, not prose: comments may name what the core leaves to its callers.
            let code = line.split("//").next().unwrap_or_default();
            for needle in &needles {
                if code.contains(needle.as_str()) {
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
