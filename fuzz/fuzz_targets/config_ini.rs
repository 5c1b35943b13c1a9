//! alembic.ini / pyproject.toml / migplan.toml reading: every section, any text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use migplan::config::{alembic_settings_from_ini, alembic_settings_from_pyproject, parse_ini};
use migplan::lint::config::LintConfig;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(ini) = parse_ini(text) {
        let _ = alembic_settings_from_ini(&ini, "alembic", "/project", ':');
        for (section, _) in ini.sections.iter().take(8) {
            let _ = alembic_settings_from_ini(&ini, section, "/project", ':');
        }
    }
    let _ = alembic_settings_from_pyproject(text, "/project");
    let _ = LintConfig::parse(text);
});
