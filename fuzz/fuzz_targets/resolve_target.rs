//! Target resolution: arbitrary target strings (`rev`, `rev+1`, `heads`, `label@head`,
//! `FROM:TO`, partial ids, relative steps...) against a small fixed history with a branch
//! point, a merge, labels and a dependency; then the plans they lead to.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use migplan::plan::{plan_downgrade, plan_stamp, plan_upgrade};
use migplan::resolve::RevArg;
use migplan::{Analysis, SourceFile, analyze};

#[path = "common.rs"]
mod common;

fn history() -> &'static Analysis {
    static A: OnceLock<Analysis> = OnceLock::new();
    A.get_or_init(|| {
        let p = "    pass";
        let files = [
            ("aaaa1111", "None", "('core',)", "None"),
            ("aaab2222", "'aaaa1111'", "None", "None"),
            ("bbbb3333", "'aaaa1111'", "('feature',)", "None"),
            ("bbbc4444", "'bbbb3333'", "None", "'aaab2222'"),
            ("cccc5555", "('aaab2222', 'bbbc4444')", "None", "None"),
            ("dddd6666", "'cccc5555'", "None", "None"),
            ("eeee7777", "None", "('other',)", "None"),
        ]
        .map(|(id, down, labels, dep)| SourceFile::new(format!("versions/{id}_x.py"), common::script(id, down, labels, dep, p, p)));
        analyze(&files, None)
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    let a = history();
    let m = &a.map;
    let _ = m.get_revisions(&RevArg::str(s));
    let _ = m.get_revision(&RevArg::str(s));
    let _ = m.parse_upgrade_target(&RevArg::None, &RevArg::str(s), false);
    let _ = m.parse_upgrade_target(&RevArg::str("aaaa1111"), &RevArg::str(s), true);
    let _ = m.parse_downgrade_target(&RevArg::str("heads"), &RevArg::str(s), false);
    let _ = plan_upgrade(m, s);
    let _ = plan_downgrade(m, s);
    let _ = plan_stamp(m, &[s.to_string(), "heads".to_string()]);
    if let Some((base, head)) = s.split_once(':') {
        let _ = m.walk_revisions(base, head);
    } else {
        let _ = m.walk_revisions("base", s);
    }
});
