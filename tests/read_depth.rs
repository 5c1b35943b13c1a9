//! Graph commands (`heads`, `history`, `show`...) read scripts at `Depth::Graph`: the
//! header only, the bodies not evaluated. This checks that the light read and the full one
//! agree on everything but the steps, for every script of the fixture projects, the
//! corpus and the examples, and that the CLI's graph commands print the same either way
//! (the goldens of `alembic_goldens` hold that too).

use std::path::{Path, PathBuf};

use migplan::SourceFile;
use migplan::parse::revision_script::{Depth, read_script_to};

fn py_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            py_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "py") {
            out.push(p);
        }
    }
}

#[test]
fn light_and_full_reads_agree_on_the_header() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["tests/fixtures", "tests/corpus", "tests/rules", "examples"] {
        py_files(&root.join(dir), &mut files);
    }
    assert!(files.len() > 100, "fixture scripts found: {}", files.len());
    let mut with_steps = 0;
    for p in &files {
        let Ok(bytes) = std::fs::read(p) else { continue };
        let Ok(file) = SourceFile::from_vec(p.to_string_lossy(), bytes) else {
            continue;
        };
        let full = read_script_to(&file, Depth::Full);
        let light = read_script_to(&file, Depth::Graph);
        assert_eq!(full.diagnostics, light.diagnostics, "{}", p.display());
        match (full.revision, light.revision) {
            (None, None) => {}
            (Some(mut f), Some(l)) => {
                assert!(l.upgrade_steps.is_empty() && l.downgrade_steps.is_empty(), "{}", p.display());
                with_steps += usize::from(!f.upgrade_steps.is_empty());
                f.upgrade_steps.clear();
                f.downgrade_steps.clear();
                assert_eq!(f, l, "{}", p.display());
            }
            (f, l) => panic!("{}: full read {:?}, light read {:?}", p.display(), f.is_some(), l.is_some()),
        }
    }
    assert!(with_steps > 50, "scripts with steps: {with_steps}");
}
