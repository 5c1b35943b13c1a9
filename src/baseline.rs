//! `migplan baseline`: set `[check] baseline` in `migplan.toml` text, keeping every other
//! line as it was (comments, order, other settings). Pure: text in, text out.
//!
//! The edit is textual and then verified: the result must parse, hold exactly the new
//! baseline, and hold every other setting unchanged; otherwise it is refused, so a layout
//! this does not understand (an inline `check = {…}` table, dotted keys) is never
//! rewritten wrongly.

/// `text` (empty when the file does not exist yet) with `[check] baseline = revs`.
pub fn set_baseline(text: &str, revs: &[String]) -> Result<String, String> {
    let before: toml::Table = toml::from_str(text).map_err(|e| format!("not valid TOML: {}", e.message()))?;
    let value = format!(
        "baseline = [{}]",
        revs.iter()
            .map(|r| toml::Value::String(r.clone()).to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let header = |l: &str| {
        let t = l.trim_start();
        t.starts_with('[')
            .then(|| t[1..].split(']').next().unwrap_or("").trim().to_string())
    };
    let check_at = lines.iter().position(|l| header(l).as_deref() == Some("check"));
    let mut out = String::with_capacity(text.len() + value.len() + 16);
    match check_at {
        None => {
            out.push_str(text);
            if !text.is_empty() && !text.ends_with('\n') {
                out.push('\n');
            }
            if !text.trim().is_empty() {
                out.push('\n');
            }
            out.push_str("[check]\n");
            out.push_str(&value);
            out.push('\n');
        }
        Some(h) => {
            let end = lines[h + 1..]
                .iter()
                .position(|l| header(l).is_some())
                .map_or(lines.len(), |p| h + 1 + p);
            let key_at = (h + 1..end).find(|&i| {
                let t = lines[i].trim_start();
                t.strip_prefix("baseline").is_some_and(|rest| rest.trim_start().starts_with('='))
            });
            match key_at {
                None => {
                    lines[..=h].iter().for_each(|l| out.push_str(l));
                    if !lines[h].ends_with('\n') {
                        out.push('\n');
                    }
                    out.push_str(&value);
                    out.push('\n');
                    lines[h + 1..].iter().for_each(|l| out.push_str(l));
                }
                Some(k) => {
                    // The old value may span lines (a list written one id a line): it ends
                    // at the first line where it parses as a value.
                    let mut last = k;
                    let mut acc = String::new();
                    for (i, l) in lines.iter().enumerate().take(end).skip(k) {
                        acc.push_str(l);
                        last = i;
                        if toml::from_str::<toml::Table>(&acc).is_ok() {
                            break;
                        }
                    }
                    lines[..k].iter().for_each(|l| out.push_str(l));
                    out.push_str(&value);
                    out.push('\n');
                    lines[last + 1..].iter().for_each(|l| out.push_str(l));
                }
            }
        }
    }
    verify(&before, &out, revs)?;
    Ok(out)
}

fn without_baseline(mut t: toml::Table) -> toml::Table {
    if let Some(toml::Value::Table(check)) = t.get_mut("check") {
        check.remove("baseline");
        if check.is_empty() {
            t.remove("check");
        }
    }
    t
}

fn verify(before: &toml::Table, after: &str, revs: &[String]) -> Result<(), String> {
    let refuse = || "cannot update it safely; set `baseline = [...]` under [check] by hand".to_string();
    let parsed: toml::Table = toml::from_str(after).map_err(|_| refuse())?;
    let written = parsed
        .get("check")
        .and_then(|c| c.get("baseline"))
        .and_then(|b| b.as_array())
        .map(|a| a.iter().map(|v| v.as_str().unwrap_or_default().to_string()).collect::<Vec<_>>());
    if written.as_deref() != Some(revs) || without_baseline(parsed) != without_baseline(before.clone()) {
        return Err(refuse());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn revs(r: &[&str]) -> Vec<String> {
        r.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_new_file_gets_a_check_section() {
        assert_eq!(set_baseline("", &revs(&["a1"])).unwrap(), "[check]\nbaseline = [\"a1\"]\n");
        assert_eq!(
            set_baseline("[rules]\nrenaming-column = \"error\"", &revs(&["a1", "b2"])).unwrap(),
            "[rules]\nrenaming-column = \"error\"\n\n[check]\nbaseline = [\"a1\", \"b2\"]\n"
        );
    }

    #[test]
    fn other_settings_and_comments_are_kept() {
        let text = "# project settings\n[check]  # defaults\nfail-on = \"warning\"\n\n[rules]\nprefer-timestamptz = \"off\" # noisy\n";
        assert_eq!(
            set_baseline(text, &revs(&["a1"])).unwrap(),
            "# project settings\n[check]  # defaults\nbaseline = [\"a1\"]\nfail-on = \"warning\"\n\n[rules]\nprefer-timestamptz = \"off\" # noisy\n"
        );
    }

    #[test]
    fn an_old_baseline_is_replaced_even_over_several_lines() {
        let text = "[check]\nbaseline = [\n  \"old1\", # first\n  \"old2\",\n]\npg-version = 15\n";
        assert_eq!(
            set_baseline(text, &revs(&["new"])).unwrap(),
            "[check]\nbaseline = [\"new\"]\npg-version = 15\n"
        );
        let text = "[check]\nbaseline = [\"x\"]\n";
        assert_eq!(
            set_baseline(text, &revs(&["y", "z"])).unwrap(),
            "[check]\nbaseline = [\"y\", \"z\"]\n"
        );
    }

    #[test]
    fn layouts_it_cannot_edit_are_refused() {
        assert!(set_baseline("check = { fail-on = \"warning\" }\n", &revs(&["a"])).is_err());
        assert!(set_baseline("[check\n", &revs(&["a"])).unwrap_err().starts_with("not valid TOML"));
    }
}
