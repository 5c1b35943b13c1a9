//! The Alembic revision-script reader on arbitrary bytes: decoding (binary, encodings,
//! BOM), the `too-complex` guard, the Python parser, attribute and operation reading.
#![no_main]

use libfuzzer_sys::fuzz_target;
use migplan::SourceFile;
use migplan::analysis::decode_diagnostic;
use migplan::parse::revision_script::read_script;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let path = "versions/1a2b3c4d5e6f_fuzz.py";
    match SourceFile::from_bytes(path, data) {
        Ok(file) => {
            let read = read_script(&file);
            common::check_diagnostics(&read.diagnostics, std::slice::from_ref(&file));
        }
        Err(e) => {
            let d = decode_diagnostic(path, &e);
            assert_eq!(d.file.as_deref(), Some(path));
        }
    }
});
