//! The wasm API's input decoding, natively: the options object (any JSON), the file limits,
//! and, for options that pass, loading a small project and making the plan they ask for.
//! This is `migplan::api`, which `wasm.rs` calls after converting the JS values.
#![no_main]

use std::collections::BTreeMap;

use libfuzzer_sys::fuzz_target;
use migplan::SourceFile;
use migplan::api::{check_files, load, options_from_json, plan_value};

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    // The options JSON, then (after a NUL) an optional extra file's text.
    let (json, extra) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], Some(&data[i + 1..])),
        None => (data, None),
    };
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(json) else {
        return;
    };
    let Ok(options) = options_from_json(&value) else { return };
    let p = "    pass";
    let mut files = vec![
        SourceFile::new(
            "versions/aaaa1111_a.py",
            common::script("aaaa1111", "None", "('core',)", "None", p, p),
        ),
        SourceFile::new(
            "versions/bbbb2222_b.py",
            common::script(
                "bbbb2222",
                "'aaaa1111'",
                "None",
                "None",
                "    op.create_table('t', sa.Column('id', sa.Integer()))",
                "    op.drop_table('t')",
            ),
        ),
    ];
    if let Some(extra) = extra {
        files.push(SourceFile::new("versions/cccc3333_c.py", common::text(extra)));
    }
    if check_files(&files).is_err() {
        return;
    }
    let Ok(a) = load(&files, &options) else { return };
    common::check_diagnostics(&a.diagnostics, &files);
    let texts: BTreeMap<String, String> = files.iter().map(|f| (f.path.clone(), f.text.clone())).collect();
    let _ = plan_value(&a, &options, &texts);
    if let Some(plan) = &options.plan {
        let _ = plan_value(&a, plan, &texts);
    }
});
