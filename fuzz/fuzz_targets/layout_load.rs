//! Every plain-SQL folder-layout detector and loader, on generated file sets whose names
//! come from a vocabulary each layout recognises (so the loaders, not only the detectors,
//! are reached), with a detected or forced layout and each dialect.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use migplan::SourceFile;
use migplan::dialect::dialect_from_name;
use migplan::layout::{LoadOptions, layout_by_name, layout_names, load};

#[path = "common.rs"]
mod common;

#[derive(Arbitrary, Debug)]
struct File {
    dir: u8,
    name: u8,
    lines: Vec<u8>,
    raw: String,
}

#[derive(Arbitrary, Debug)]
struct Input {
    dialect: u8,
    layout: Option<u8>,
    files: Vec<File>,
}

fuzz_target!(|input: Input| {
    let files: Vec<SourceFile> = input
        .files
        .iter()
        .take(16)
        .map(|f| {
            let dir = common::SQL_DIRS[f.dir as usize % common::SQL_DIRS.len()];
            let name = common::SQL_NAMES[f.name as usize % common::SQL_NAMES.len()];
            SourceFile::new(format!("m/{dir}{name}"), common::lines(common::SQL_LINES, &f.lines, &f.raw))
        })
        .collect();
    let files = common::unique_paths(files);
    let names = layout_names();
    let dialect = dialect_from_name(["postgresql", "mysql", "sqlite"][input.dialect as usize % 3]).unwrap();
    let opts = LoadOptions {
        layout: input.layout.and_then(|l| layout_by_name(names[l as usize % names.len()])),
        dialect,
        enable: vec![migplan::Code::VersionGap],
    };
    let loaded = load(&files, &["m".to_string()], &opts);
    common::check_diagnostics(&loaded.diagnostics, &files);
});
