//! migplan against the committed real-Alembic outputs (tests/fixtures/*/alembic/*.stdout,
//! captured by tests/oracle/capture.py). The same comparison runs against a fresh Alembic in
//! scripts/test; this one needs no Python.
//!
//! Normalised, as FORMATS.md §5 requires: the order inside label lists `(a, b)`, in
//! `Branches into:` / `Branch names:` lines and of the child lines under a branch point
//! (Python set order); `Path:` lines (Alembic prints absolute paths). Failures: Alembic
//! prints `FAILED:` on stdout, migplan on stderr.
//!
//! SQL cases (`upgrade/downgrade/stamp --sql`, golden names ending in `_sql`) are never
//! label-sorted: they must match exactly after trailing whitespace is removed from every
//! line, except for the two nondeterministic spots, which are put in canonical order on both
//! sides (the same rule as `normalise_sql` in tests/oracle/normalize.py):
//! A. the trailing run of table-level constraint lines inside `CREATE TABLE _alembic_tmp_* (`
//!    is sorted (each position keeps its separator);
//! B. in a merge / un-merge version-table step (one or more `INSERT INTO vt (version_num)
//!    VALUES ('a')…` or `DELETE FROM vt WHERE vt.version_num = 'a';` directly followed by
//!    `UPDATE vt SET version_num='b' WHERE vt.version_num = 'c';`), the parent ids are sorted
//!    and handed out in order: the INSERT/DELETE statements get the first ones, the UPDATE
//!    the last (its new value after INSERTs, its WHERE value after DELETEs).
//! The SQL printed before a failure is compared too (Alembic streams it before `FAILED:`).
//! Cases listed in tests/oracle/DIVERGENCES.md only need Alembic's exit status.

use std::path::{Path, PathBuf};
use std::process::Command;

fn sort_list(items: &str) -> String {
    let mut v: Vec<&str> = items.split(", ").collect();
    v.sort_unstable();
    v.join(", ")
}

fn normalise(text: &str) -> String {
    let mut lines: Vec<String> = Vec::new();
    for line in text.lines() {
        let mut l = line.to_string();
        for key in ["Branches into: ", "Branch names: "] {
            if let Some(rest) = l.strip_prefix(key) {
                l = format!("{key}{}", sort_list(rest));
            }
        }
        if let Some(p) = l.strip_prefix("Path: ") {
            l = format!(
                "Path: {}",
                Path::new(p)
                    .file_name()
                    .map(|f| f.to_string_lossy().into_owned())
                    .unwrap_or_default()
            );
        }
        // label lists: "(a, b)" groups that are not "(deps) ->" parents
        let mut out = String::new();
        let mut rest = l.as_str();
        while let Some(i) = rest.find('(') {
            out.push_str(&rest[..i]);
            let Some(j) = rest[i..].find(')') else { break };
            let inner = &rest[i + 1..i + j];
            let after = &rest[i + j + 1..];
            if inner.contains(", ") && !after.starts_with(" ->") {
                out.push_str(&format!("({})", sort_list(inner)));
            } else {
                out.push_str(&rest[i..i + j + 1]);
            }
            rest = after;
        }
        out.push_str(rest);
        lines.push(out);
    }
    // sort runs of branch child lines
    let mut result: Vec<String> = Vec::new();
    let mut run: Vec<String> = Vec::new();
    for l in lines {
        if l.starts_with(' ') && l.trim_start().starts_with("-> ") {
            run.push(l);
            continue;
        }
        run.sort();
        result.append(&mut run);
        result.push(l);
    }
    run.sort();
    result.append(&mut run);
    result.join("\n")
}

fn normalise_sql(text: &str) -> String {
    let mut lines: Vec<String> = text.split('\n').map(|l| l.trim_end().to_string()).collect();
    sort_tmp_table_constraints(&mut lines);
    canonical_version_moves(&mut lines);
    lines.join("\n")
}

/// `CREATE TABLE [schema.]_alembic_tmp_<name> (`
fn is_tmp_create(line: &str) -> bool {
    let Some(name) = line.trim_end().strip_prefix("CREATE TABLE ").and_then(|r| r.strip_suffix(" (")) else {
        return false;
    };
    !name.contains(char::is_whitespace) && (name.starts_with("_alembic_tmp_") || name.find("._alembic_tmp_").is_some_and(|i| i > 0))
}

fn is_constraint_line(line: &str) -> bool {
    line.strip_prefix("    ").is_some_and(|l| {
        ["CONSTRAINT ", "PRIMARY KEY", "UNIQUE", "FOREIGN KEY", "CHECK"]
            .iter()
            .any(|k| l.starts_with(k))
    })
}

/// An element line without its separator (`, ` or `,`) and trailing whitespace.
fn element_body(line: &str) -> &str {
    let body = line.trim_end();
    body.strip_suffix(',').unwrap_or(body)
}

fn sort_tmp_table_constraints(lines: &mut [String]) {
    let mut i = 0;
    while i < lines.len() {
        if !is_tmp_create(&lines[i]) {
            i += 1;
            continue;
        }
        let start = i + 1;
        let mut end = start;
        while end < lines.len() && !lines[end].starts_with(')') {
            end += 1;
        }
        let mut first = end;
        while first > start && is_constraint_line(&lines[first - 1]) {
            first -= 1;
        }
        let suffixes: Vec<String> = lines[first..end].iter().map(|l| l[element_body(l).len()..].to_string()).collect();
        let mut bodies: Vec<String> = lines[first..end].iter().map(|l| element_body(l).to_string()).collect();
        bodies.sort();
        for (k, (body, suffix)) in bodies.into_iter().zip(suffixes).enumerate() {
            lines[first + k] = body + &suffix;
        }
        i = end + 1;
    }
}

/// Splits `<vt><sep><id>'<rest>` where `vt` has no whitespace and `id` no quote.
fn vt_and_id<'a>(rest: &'a str, sep: &str) -> Option<(&'a str, &'a str, &'a str)> {
    let sp = rest.find(' ')?;
    let vt = &rest[..sp];
    let after = rest[sp..].strip_prefix(sep)?;
    let q = after.find('\'')?;
    Some((vt, &after[..q], &after[q + 1..]))
}

/// `INSERT INTO vt (version_num) VALUES ('id')tail` → (vt, id, tail)
fn vt_insert(line: &str) -> Option<(&str, &str, &str)> {
    let (vt, id, rest) = vt_and_id(line.strip_prefix("INSERT INTO ")?, " (version_num) VALUES ('")?;
    Some((vt, id, rest.strip_prefix(')')?))
}

/// `DELETE FROM vt WHERE vt.version_num = 'id';` → (vt, id)
fn vt_delete(line: &str) -> Option<(&str, &str)> {
    let rest = line.strip_prefix("DELETE FROM ")?;
    let vt = &rest[..rest.find(' ')?];
    let (_, id, tail) = vt_and_id(rest, &format!(" WHERE {vt}.version_num = '"))?;
    (tail == ";").then_some((vt, id))
}

/// `UPDATE vt SET version_num='new' WHERE vt.version_num = 'old';` → (vt, new, old)
fn vt_update(line: &str) -> Option<(&str, &str, &str)> {
    let (vt, new, rest) = vt_and_id(line.strip_prefix("UPDATE ")?, " SET version_num='")?;
    let old = rest.strip_prefix(&format!(" WHERE {vt}.version_num = '"))?.strip_suffix("';")?;
    (!old.contains('\'')).then_some((vt, new, old))
}

fn canonical_version_moves(lines: &mut [String]) {
    let mut i = 0;
    while i < lines.len() {
        let insert = lines[i].starts_with("INSERT");
        let vt = match (vt_insert(&lines[i]), vt_delete(&lines[i])) {
            (Some((vt, _, _)), _) if insert => vt.to_string(),
            (_, Some((vt, _))) if !insert => vt.to_string(),
            _ => {
                i += 1;
                continue;
            }
        };
        // the run of INSERT (un-merge) or DELETE (merge) statements: (line, id, tail)
        let mut run: Vec<(usize, String, String)> = Vec::new();
        let mut j = i;
        while j < lines.len() {
            if lines[j].trim().is_empty() {
                j += 1;
                continue;
            }
            let item = if insert {
                vt_insert(&lines[j])
                    .filter(|m| m.0 == vt)
                    .map(|(_, id, tail)| (id.to_string(), tail.to_string()))
            } else {
                vt_delete(&lines[j])
                    .filter(|m| m.0 == vt)
                    .map(|(_, id)| (id.to_string(), String::new()))
            };
            let Some((id, tail)) = item else { break };
            run.push((j, id, tail));
            j += 1;
        }
        let update = lines
            .get(j)
            .and_then(|l| vt_update(l))
            .filter(|u| u.0 == vt)
            .map(|(_, n, o)| (n.to_string(), o.to_string()));
        let Some((mut new, mut old)) = update else {
            i = run.last().map_or(i, |r| r.0) + 1;
            continue;
        };
        let mut ids: Vec<String> = run.iter().map(|r| r.1.clone()).collect();
        ids.push(if insert { new.clone() } else { old.clone() });
        ids.sort();
        for ((k, _, tail), rev) in run.iter().zip(&ids) {
            lines[*k] = if insert {
                format!("INSERT INTO {vt} (version_num) VALUES ('{rev}'){tail}")
            } else {
                format!("DELETE FROM {vt} WHERE {vt}.version_num = '{rev}';")
            };
        }
        let last = ids.last().cloned().unwrap_or_default();
        if insert {
            new = last;
        } else {
            old = last;
        }
        lines[j] = format!("UPDATE {vt} SET version_num='{new}' WHERE {vt}.version_num = '{old}';");
        i = j + 1;
    }
}

/// Alembic's stdout before its `FAILED:` block (migplan prints that block on stderr).
fn before_failed(stdout: &str) -> String {
    let lines: Vec<&str> = stdout.split('\n').collect();
    match lines.iter().position(|l| l.starts_with("FAILED:")) {
        Some(0) => String::new(),
        Some(i) => lines[..i].join("\n") + "\n",
        None => stdout.to_string(),
    }
}

fn failed_line(text: &str) -> String {
    text.lines()
        .filter(|l| l.starts_with("FAILED:"))
        .take(1)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Cases listed in tests/oracle/DIVERGENCES.md (table rows "| `fixture/case` | …"): migplan
/// shows opaque Python as a comment block there by design, so only the exit status must agree.
fn known_divergences() -> Vec<String> {
    divergence_rows(false)
}

/// The rows marked "renders where Alembic fails": Alembic stops (an SQLite batch on a table
/// only a live database knows) where migplan renders the rest of the plan with a marked hole.
fn renders_where_alembic_fails() -> Vec<String> {
    divergence_rows(true)
}

fn divergence_rows(renders: bool) -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oracle/DIVERGENCES.md");
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .filter(|l| !renders || l.contains("renders where Alembic fails"))
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split_once("` |").map(|(name, _)| name))
        .filter(|name| name.contains('/') && !name.contains(' '))
        .map(str::to_string)
        .collect()
}

struct Case {
    fixture: PathBuf,
    name: String,
    args: Vec<String>,
    stdout: String,
    rc: i32,
}

fn cases() -> Vec<Case> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut out = Vec::new();
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir(&root).expect("fixtures").flatten().map(|e| e.path()).collect();
    fixtures.sort();
    for fx in fixtures {
        let gold = fx.join("alembic");
        if !gold.is_dir() {
            continue;
        }
        let mut names: Vec<PathBuf> = std::fs::read_dir(&gold)
            .expect("goldens")
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "cmd"))
            .collect();
        names.sort();
        for cmd in names {
            let line = std::fs::read_to_string(&cmd).expect("cmd");
            let words: Vec<String> = line.split_whitespace().map(str::to_string).collect();
            let Some(at) = words.iter().position(|w| w == "alembic" || w.ends_with("/alembic")) else {
                continue;
            };
            let stem = cmd.with_extension("");
            let stdout = std::fs::read_to_string(stem.with_extension("stdout")).unwrap_or_default();
            let rc = std::fs::read_to_string(stem.with_extension("rc"))
                .ok()
                .and_then(|s| s.trim().parse().ok())
                .unwrap_or(0);
            out.push(Case {
                fixture: fx.clone(),
                name: format!(
                    "{}/{}",
                    fx.file_name().unwrap_or_default().to_string_lossy(),
                    stem.file_name().unwrap_or_default().to_string_lossy()
                ),
                args: words[at + 1..].to_vec(),
                stdout,
                rc,
            });
        }
    }
    out
}

#[test]
fn migplan_prints_what_alembic_prints() {
    let cases = cases();
    assert!(
        cases.len() >= 40,
        "expected the committed Alembic goldens, found {} cases",
        cases.len()
    );
    let known = known_divergences();
    let renders = renders_where_alembic_fails();
    let mut failures = Vec::new();
    for c in &cases {
        let out = Command::new(env!("CARGO_BIN_EXE_migplan"))
            .args(&c.args)
            .current_dir(&c.fixture)
            .output()
            .expect("run migplan");
        let got = String::from_utf8_lossy(&out.stdout).replace("\r\n", "\n");
        let ok = if renders.contains(&c.name) {
            let before = normalise_sql(&before_failed(&c.stdout));
            c.rc != 0 && out.status.success() && got.contains("-- migplan: opaque") && normalise_sql(&got).starts_with(before.trim_end())
        } else if known.contains(&c.name) {
            out.status.success() == (c.rc == 0)
        } else if c.name.ends_with("_sql") {
            let same_sql = normalise_sql(&got) == normalise_sql(&before_failed(&c.stdout));
            if c.rc == 0 {
                out.status.success() && same_sql
            } else if c.rc == 1 {
                !out.status.success() && same_sql
            } else {
                !out.status.success() && same_sql && failed_line(&String::from_utf8_lossy(&out.stderr)) == failed_line(&c.stdout)
            }
        } else if c.rc == 0 {
            out.status.success() && normalise(&String::from_utf8_lossy(&out.stdout)) == normalise(&c.stdout)
        } else if c.rc == 1 {
            // Alembic crashed with a traceback: migplan must fail too, with its own message.
            !out.status.success()
        } else {
            !out.status.success() && failed_line(&String::from_utf8_lossy(&out.stderr)) == failed_line(&c.stdout)
        };
        if !ok {
            failures.push(format!(
                "{} ({}):\n--- alembic (rc {})\n{}\n--- migplan (rc {:?})\n{}{}",
                c.name,
                c.args.join(" "),
                c.rc,
                c.stdout,
                out.status.code(),
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

#[test]
fn sql_normalisation_orders_only_the_nondeterministic_spots() {
    let a = "CREATE TABLE _alembic_tmp_t (\n    id INTEGER NOT NULL, \n    b INTEGER, \n    PRIMARY KEY (id), \n    \
             CONSTRAINT uq UNIQUE (b), \n    CONSTRAINT ck CHECK (b > 0)\n);\n\n\
             INSERT INTO v (version_num) VALUES ('p2') RETURNING v.version_num;\n\n\
             UPDATE v SET version_num='p1' WHERE v.version_num = 'm';\n\n\
             DELETE FROM v WHERE v.version_num = 'p1';\n\n\
             UPDATE v SET version_num='m' WHERE v.version_num = 'p2';\n";
    let b = "CREATE TABLE _alembic_tmp_t (\n    id INTEGER NOT NULL,\n    b INTEGER,\n    CONSTRAINT ck CHECK (b > 0),\n    \
             PRIMARY KEY (id),\n    CONSTRAINT uq UNIQUE (b)\n);\n\n\
             INSERT INTO v (version_num) VALUES ('p1') RETURNING v.version_num;\n\n\
             UPDATE v SET version_num='p2' WHERE v.version_num = 'm';\n\n\
             DELETE FROM v WHERE v.version_num = 'p2';\n\n\
             UPDATE v SET version_num='m' WHERE v.version_num = 'p1';\n";
    assert_eq!(normalise_sql(a), normalise_sql(b));
    // anything else is compared as is: column order, ordinary tables, statement order
    let c = "CREATE TABLE t (\n    CONSTRAINT uq UNIQUE (b), \n    PRIMARY KEY (id)\n);\n";
    let d = "CREATE TABLE t (\n    PRIMARY KEY (id), \n    CONSTRAINT uq UNIQUE (b)\n);\n";
    assert_ne!(normalise_sql(c), normalise_sql(d));
    let e = "CREATE TABLE _alembic_tmp_t (\n    b INTEGER, \n    a INTEGER\n);\n";
    assert_eq!(
        normalise_sql(e),
        "CREATE TABLE _alembic_tmp_t (\n    b INTEGER,\n    a INTEGER\n);\n"
    );
    let f = "INSERT INTO v (version_num) VALUES ('b');\n\n-- Running upgrade b -> c\n\nUPDATE v SET version_num='c' WHERE v.version_num = 'a';\n";
    assert_eq!(normalise_sql(f), f);
}
