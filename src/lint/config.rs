//! `migplan.toml`: severities per code, the target server versions, and check defaults.
//!
//! ```toml
//! [rules]
//! preset = "strict"              # default (high precision) | strict (adds hygiene rules)
//! renaming-column = "error"      # error | warning | info | off
//! prefer-timestamptz = "off"
//!
//! [check]
//! fail-on = "warning"            # error (default) | warning
//! pg-version = "15"
//! mysql-version = "8.0"
//! baseline = ["3f2a9c1b7d4e"]    # written by `migplan baseline`: deployed history
//! ```

use std::collections::BTreeMap;

use crate::codes::{Code, Severity};
use crate::lint::{Rule, Tier};

/// What `migplan.toml` configures.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LintConfig {
    /// Per code: `Some(severity)`, or `None` to turn it off. Wins over the preset.
    pub severities: BTreeMap<Code, Option<Severity>>,
    /// The highest rule tier on (`[rules] preset`, `--preset`).
    pub preset: Tier,
    pub fail_on: Option<Severity>,
    pub pg_version: Option<(u32, u32)>,
    pub mysql_version: Option<(u32, u32)>,
    /// `[check] baseline`: these revisions and their ancestors are deployed (src/deployed.rs).
    pub baseline: Vec<String>,
}

/// A problem in the configuration file, with its 1-based line when known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigProblem {
    pub message: String,
    pub line: Option<usize>,
}

/// `15`, `9.6`, `8.0.32` → (major, minor).
pub fn parse_version(s: &str) -> Option<(u32, u32)> {
    let mut it = s.trim().split('.');
    let major = it.next()?.parse().ok()?;
    let minor = match it.next() {
        Some(m) => m.parse().ok()?,
        None => 0,
    };
    Some((major, minor))
}

pub fn parse_severity(s: &str) -> Result<Option<Severity>, String> {
    match s {
        "error" => Ok(Some(Severity::Error)),
        "warning" | "warn" => Ok(Some(Severity::Warning)),
        "info" | "note" => Ok(Some(Severity::Info)),
        "off" | "ignore" | "none" => Ok(None),
        other => Err(format!("unknown severity \"{other}\" (use error, warning, info or off)")),
    }
}

fn line_of(text: &str, needle: &str) -> Option<usize> {
    text.lines().position(|l| l.contains(needle)).map(|i| i + 1)
}

impl LintConfig {
    /// Read `migplan.toml` text. Unknown keys and codes are errors: a typo must not
    /// silently leave a rule on.
    pub fn parse(text: &str) -> Result<LintConfig, ConfigProblem> {
        let value: toml::Table = toml::from_str(text).map_err(|e| ConfigProblem {
            message: e.message().to_string(),
            line: e.span().map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1),
        })?;
        let mut cfg = LintConfig::default();
        let err = |msg: String, needle: &str| ConfigProblem {
            message: msg,
            line: line_of(text, needle),
        };
        for (section, v) in &value {
            let Some(table) = v.as_table() else {
                return Err(err(format!("`{section}` must be a table ([{section}])"), section));
            };
            match section.as_str() {
                "rules" => {
                    for (code, sev) in table {
                        if code == "preset" {
                            let name = sev.as_str().unwrap_or("");
                            cfg.preset = Tier::from_name(name)
                                .ok_or_else(|| err(format!("[rules] preset: unknown preset \"{name}\" (use default or strict)"), code))?;
                            continue;
                        }
                        let c = Code::from_name(code).ok_or_else(|| err(format!("[rules] names unknown code `{code}`"), code))?;
                        let s = sev
                            .as_str()
                            .ok_or_else(|| err(format!("[rules] {code}: expected a string"), code))?;
                        let s = parse_severity(s).map_err(|m| err(format!("[rules] {code}: {m}"), code))?;
                        cfg.severities.insert(c, s);
                    }
                }
                "check" => {
                    for (k, v) in table {
                        if k == "baseline" {
                            let list = v
                                .as_array()
                                .map(|items| items.iter().map(|i| i.as_str().map(str::to_string)).collect());
                            cfg.baseline = match list {
                                Some(Some(revs)) => revs,
                                _ => return Err(err("[check] baseline: expected a list of revision ids".into(), k)),
                            };
                            continue;
                        }
                        let s = match v {
                            toml::Value::String(s) => s.clone(),
                            toml::Value::Integer(i) => i.to_string(),
                            toml::Value::Float(f) => f.to_string(),
                            _ => return Err(err(format!("[check] {k}: expected a string or number"), k)),
                        };
                        match k.as_str() {
                            "fail-on" => {
                                cfg.fail_on = parse_severity(&s).map_err(|m| err(format!("[check] fail-on: {m}"), k))?;
                            }
                            "pg-version" => {
                                cfg.pg_version =
                                    Some(parse_version(&s).ok_or_else(|| err(format!("[check] pg-version: \"{s}\" is not a version"), k))?)
                            }
                            "mysql-version" => {
                                cfg.mysql_version = Some(
                                    parse_version(&s).ok_or_else(|| err(format!("[check] mysql-version: \"{s}\" is not a version"), k))?,
                                )
                            }
                            other => {
                                return Err(err(
                                    format!("[check] has no setting `{other}` (fail-on, pg-version, mysql-version, baseline)"),
                                    other,
                                ));
                            }
                        }
                    }
                }
                other => return Err(err(format!("unknown section [{other}] (use [rules] and [check])"), other)),
            }
        }
        Ok(cfg)
    }

    /// Whether a rule runs: a severity given in `[rules]` decides (a strict rule given one is
    /// on); otherwise the preset does.
    pub fn rule_on(&self, rule: &dyn Rule) -> bool {
        match self.severities.get(&rule.code()) {
            Some(s) => s.is_some(),
            None => rule.tier() <= self.preset,
        }
    }

    /// The rules that run, in documentation order.
    pub fn rules_on(&self) -> Vec<&'static dyn Rule> {
        crate::lint::all_rules().iter().copied().filter(|r| self.rule_on(*r)).collect()
    }

    /// Apply the configured severities: findings of codes turned off are dropped.
    pub fn apply(&self, diags: Vec<crate::Diagnostic>) -> Vec<crate::Diagnostic> {
        diags
            .into_iter()
            .filter_map(|mut d| match self.severities.get(&d.code) {
                Some(None) => None,
                Some(Some(s)) => {
                    d.severity = *s;
                    Some(d)
                }
                None => Some(d),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_rules_and_versions() {
        let c = LintConfig::parse(
            "[rules]\nrenaming-column = \"error\"\nprefer-timestamptz = \"off\"\n[check]\npg-version = 11\nfail-on = \"warning\"\n",
        )
        .unwrap();
        assert_eq!(c.severities[&Code::RenamingColumn], Some(Severity::Error));
        assert_eq!(c.severities[&Code::PreferTimestamptz], None);
        assert_eq!(c.pg_version, Some((11, 0)));
        assert_eq!(c.fail_on, Some(Severity::Warning));
    }

    #[test]
    fn typos_are_errors_with_lines() {
        let c = LintConfig::parse("[check]\nbaseline = [\"a1\", \"b2\"]\n").unwrap();
        assert_eq!(c.baseline, ["a1", "b2"]);
        let e = LintConfig::parse("[check]\nbaseline = \"a1\"\n").unwrap_err();
        assert_eq!(
            (e.message.as_str(), e.line),
            ("[check] baseline: expected a list of revision ids", Some(2))
        );
        let e = LintConfig::parse("[rules]\n\nrenaming-colum = \"error\"\n").unwrap_err();
        assert!(e.message.contains("renaming-colum"));
        assert_eq!(e.line, Some(3));
        let e = LintConfig::parse("[rules]\nrenaming-column = \"loud\"\n").unwrap_err();
        assert!(e.message.contains("loud"), "{}", e.message);
        assert!(LintConfig::parse("[rules\n").is_err());
    }

    fn on(c: &LintConfig, code: Code) -> bool {
        c.rule_on(crate::lint::rule_of(code).unwrap())
    }

    #[test]
    fn the_default_preset_hides_strict_rules() {
        let c = LintConfig::parse("").unwrap();
        assert_eq!(c.preset, Tier::Default);
        assert!(!on(&c, Code::MissingLockTimeout));
        assert!(!on(&c, Code::PreferTimestamptz));
        assert!(on(&c, Code::AddingNotNullColumn));
        assert!(c.rules_on().iter().all(|r| r.tier() == Tier::Default));
        let c = LintConfig::parse("[rules]\npreset = \"default\"\n").unwrap();
        assert!(!on(&c, Code::TooManyTables));
    }

    #[test]
    fn the_strict_preset_shows_them() {
        let c = LintConfig::parse("[rules]\npreset = \"strict\"\n").unwrap();
        assert_eq!(c.preset, Tier::Strict);
        assert_eq!(c.rules_on().len(), crate::lint::all_rules().len());
    }

    #[test]
    fn a_severity_turns_one_strict_rule_on_and_off_wins() {
        let c = LintConfig::parse("[rules]\nmissing-lock-timeout = \"warning\"\n").unwrap();
        assert!(on(&c, Code::MissingLockTimeout));
        assert!(!on(&c, Code::PreferTimestamptz), "only the one named");
        let c = LintConfig::parse("[rules]\npreset = \"strict\"\nmissing-lock-timeout = \"off\"\ndropping-column = \"off\"\n").unwrap();
        assert!(!on(&c, Code::MissingLockTimeout));
        assert!(!on(&c, Code::DroppingColumn));
        assert!(on(&c, Code::PreferTimestamptz));
    }

    #[test]
    fn an_unknown_preset_is_an_error_with_its_line() {
        let e = LintConfig::parse("[rules]\n\npreset = \"pedantic\"\n").unwrap_err();
        assert!(e.message.contains("pedantic"), "{}", e.message);
        assert_eq!(e.line, Some(3));
    }
}
