//! Every lint rule and validation code has a fixture folder under tests/rules/<code>/:
//! `migrations/` (an Alembic versions folder or a plain-SQL folder), optional `args`
//! (extra global arguments before `check`, one line, e.g. `--dialect sqlite`), optional
//! `check-args` (arguments of `check`, e.g. `--pg-version 10`), and `expected.txt`, the findings as
//! `severity code file:line message`, one a line. The rule's own code must be among
//! them, so a rule that stops firing fails here; the fixture's "fine" cases show what it
//! must not report. A strict-tier rule's fixture runs with `--preset strict` in its
//! `check-args`. Update with MIGPLAN_UPDATE_GOLDENS=1 and review the diff.

#[path = "corpus/rates.rs"]
mod rates;

use std::path::Path;
use std::process::Command;

use migplan::lint::Tier;

const BIN: &str = env!("CARGO_BIN_EXE_migplan");

/// The words of an optional one-line arguments file.
fn words(file: &Path) -> Vec<String> {
    std::fs::read_to_string(file)
        .map(|s| s.split_whitespace().map(str::to_string).collect())
        .unwrap_or_default()
}

fn snapshot(dir: &Path) -> (String, Vec<String>) {
    snapshot_with(dir, &[])
}

/// The findings of `check` in `dir`, with `more` check arguments after the fixture's own.
fn snapshot_with(dir: &Path, more: &[&str]) -> (String, Vec<String>) {
    let out = run(dir, more);
    lines_of(dir, &out.stdout, &out.stderr)
}

fn run(dir: &Path, more: &[&str]) -> std::process::Output {
    run_with(dir, &words(&dir.join("check-args")), more)
}

fn run_with(dir: &Path, check_args: &[String], more: &[&str]) -> std::process::Output {
    Command::new(BIN)
        .args(["-d", "migrations"])
        .args(words(&dir.join("args")))
        .args(["check", "--format", "json"])
        .args(check_args)
        .args(more)
        .current_dir(dir)
        .output()
        .expect("run migplan")
}

fn lines_of(dir: &Path, stdout: &[u8], stderr: &[u8]) -> (String, Vec<String>) {
    let v: serde_json::Value =
        serde_json::from_slice(stdout).unwrap_or_else(|e| panic!("{}: bad JSON ({e}): {}", dir.display(), String::from_utf8_lossy(stderr)));
    let mut lines = String::new();
    let mut codes = Vec::new();
    for d in v["diagnostics"].as_array().expect("diagnostics") {
        let code = d["code"].as_str().unwrap_or("").to_string();
        lines.push_str(&format!(
            "{} {} {}:{} {}\n",
            d["severity"].as_str().unwrap_or(""),
            code,
            d["file"].as_str().unwrap_or("-"),
            d["line"].as_u64().unwrap_or(0),
            d["message"].as_str().unwrap_or("")
        ));
        codes.push(code);
    }
    (lines, codes)
}

#[test]
fn every_rule_fixture_matches_its_snapshot() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/rules");
    let mut failures = Vec::new();
    let mut seen = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(&root).expect("tests/rules").flatten().map(|e| e.path()).collect();
    entries.sort();
    for dir in entries.into_iter().filter(|p| p.is_dir()) {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let (text, codes) = snapshot(&dir);
        let golden = dir.join("expected.txt");
        if std::env::var_os("MIGPLAN_UPDATE_GOLDENS").is_some() {
            std::fs::write(&golden, &text).unwrap();
        }
        let want = std::fs::read_to_string(&golden).unwrap_or_default();
        if text != want {
            failures.push(format!(
                "{name}: findings differ from expected.txt\n--- got\n{text}--- want\n{want}"
            ));
        }
        if !codes.contains(&name) {
            failures.push(format!("{name}: the fixture does not produce its own code"));
        }
        seen.push(name);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Every rule has a fixture.
    for rule in migplan::lint::all_rules() {
        assert!(
            seen.iter().any(|s| s == rule.code().name()),
            "no fixture for rule {}",
            rule.code().name()
        );
    }
}

#[test]
fn strict_rules_are_off_by_default_and_their_fixtures_turn_them_on() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/rules");
    for rule in migplan::lint::all_rules() {
        let name = rule.code().name();
        let dir = root.join(name);
        let args = words(&dir.join("check-args"));
        let strict = args.windows(2).any(|w| w[0] == "--preset" && w[1] == "strict");
        assert_eq!(
            strict,
            rule.tier() == Tier::Strict,
            "{name}: tests/rules/{name}/check-args must have --preset strict exactly when the rule is strict"
        );
        if strict {
            // Without the preset, the same fixture does not report the rule.
            let plain: Vec<String> = args.iter().filter(|a| *a != "--preset" && *a != "strict").cloned().collect();
            let out = run_with(&dir, &plain, &[]);
            let (text, codes) = lines_of(&dir, &out.stdout, &out.stderr);
            assert!(!codes.iter().any(|c| c == name), "{name} fires under the default preset:\n{text}");
            // `--preset default` is what no flag means.
            let out = run_with(&dir, &plain, &["--preset", "default"]);
            let (_, default_codes) = lines_of(&dir, &out.stdout, &out.stderr);
            assert_eq!(codes, default_codes, "{name}: --preset default is the default");
        }
    }
}

fn lock_timeout_project(name: &str, toml: Option<&str>) -> std::path::PathBuf {
    let mut files = vec![
        ("migrations/000001_orders.up.sql", ORDERS_UP),
        ("migrations/000001_orders.down.sql", ORDERS_DOWN),
        // No lock timeout, and a naive timestamp: two strict findings.
        (
            "migrations/000002_paid.up.sql",
            "ALTER TABLE orders ADD COLUMN paid_at timestamp;\n",
        ),
        ("migrations/000002_paid.down.sql", "ALTER TABLE orders DROP COLUMN paid_at;\n"),
    ];
    if let Some(t) = toml {
        files.push(("migplan.toml", t));
    }
    project(name, &files)
}

#[test]
fn the_preset_and_rules_severities_choose_the_strict_rules() {
    let codes_of = |dir: &Path, more: &[&str]| -> Vec<String> {
        let out = run(dir, more);
        lines_of(dir, &out.stdout, &out.stderr).1
    };
    let dir = lock_timeout_project("preset-default", None);
    assert_eq!(codes_of(&dir, &[]), Vec::<String>::new(), "the default preset hides strict rules");
    assert_eq!(
        codes_of(&dir, &["--preset", "strict"]),
        ["missing-lock-timeout", "prefer-timestamptz"]
    );

    let dir = lock_timeout_project("preset-strict-toml", Some("[rules]\npreset = \"strict\"\n"));
    assert_eq!(codes_of(&dir, &[]), ["missing-lock-timeout", "prefer-timestamptz"]);
    assert_eq!(
        codes_of(&dir, &["--preset", "default"]),
        Vec::<String>::new(),
        "the flag wins over the file"
    );

    let dir = lock_timeout_project("preset-one-rule", Some("[rules]\nmissing-lock-timeout = \"warning\"\n"));
    assert_eq!(codes_of(&dir, &[]), ["missing-lock-timeout"], "a severity turns one strict rule on");

    let dir = lock_timeout_project(
        "preset-off-wins",
        Some("[rules]\npreset = \"strict\"\nmissing-lock-timeout = \"off\"\n"),
    );
    assert_eq!(codes_of(&dir, &[]), ["prefer-timestamptz"], "off wins over the preset");

    let dir = lock_timeout_project("preset-typo", Some("[rules]\npreset = \"pedantic\"\n"));
    let out = run(&dir, &[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("migplan.toml:2") && err.contains("pedantic"), "{err}");
}

fn read(path: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

const RATES_BEGIN: &str = "<!-- corpus-rates: generated by tests/rules.rs from tests/corpus/results.md -->\n";
const RATES_END: &str = "<!-- /corpus-rates -->";

/// docs/rules.md with its rates table and each rule's `Tier:` as the registry and
/// results.md say.
fn docs_as_they_should_be(doc: &str, rates: &[rates::Rate]) -> String {
    let mut doc = doc.to_string();
    if let (Some(b), Some(e)) = (doc.find(RATES_BEGIN), doc.find(RATES_END)) {
        doc.replace_range(b + RATES_BEGIN.len()..e, &rates::render(rates));
    }
    for r in rates {
        let Some(at) = doc.find(&format!("## `{}`", r.code)) else {
            continue;
        };
        let Some(line_at) = doc[at..].find("\nDefault severity:").map(|i| at + i + 1) else {
            continue;
        };
        let end = line_at + doc[line_at..].find("\n").unwrap_or(doc.len() - line_at);
        let line = &doc[line_at..end];
        let tier = format!("Tier: {}.", r.tier.as_str());
        let new = match line.find("Tier: ") {
            Some(t) => {
                let stop = line[t..].find('.').map_or(line.len(), |i| t + i + 1);
                format!("{}{tier}{}", &line[..t], &line[stop..])
            }
            None => line.replacen("Databases:", &format!("{tier} Databases:"), 1),
        };
        doc.replace_range(line_at..end, &new);
    }
    doc
}

#[test]
fn docs_show_each_rules_tier_and_corpus_rate() {
    let doc = read("docs/rules.md");
    let rates = rates::rates(&rates::parse_results(&read("tests/corpus/results.md")), &doc);
    assert!(
        doc.contains(RATES_BEGIN) && doc.contains(RATES_END),
        "docs/rules.md has no rates table"
    );
    let want = docs_as_they_should_be(&doc, &rates);
    if std::env::var_os("MIGPLAN_UPDATE_GOLDENS").is_some() && want != doc {
        std::fs::write(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules.md"), &want).unwrap();
        return;
    }
    let diff: Vec<String> = want
        .lines()
        .zip(doc.lines())
        .filter(|(w, d)| w != d)
        .map(|(w, d)| format!("- {d}\n+ {w}"))
        .collect();
    assert!(
        want == doc,
        "docs/rules.md disagrees with the rule registry's tiers or tests/corpus/results.md (update with MIGPLAN_UPDATE_GOLDENS=1):\n{}",
        diff.join("\n")
    );
}

#[test]
fn default_rules_fire_on_few_healthy_migrations() {
    let doc = read("docs/rules.md");
    let results = read("tests/corpus/results.md");
    let projects = rates::parse_results(&results);
    // Every project of the table is read (its total row says how many).
    assert!(
        results.contains(&format!("| **total** | {} projects |", projects.len())),
        "results.md: {} projects read",
        projects.len()
    );
    assert!(
        projects.values().any(|p| !p.by_code.is_empty()),
        "results.md: no findings by code read"
    );
    let rates = rates::rates(&projects, &doc);
    let noisy: Vec<String> = rates
        .iter()
        .filter(|r| r.tier == Tier::Default && r.rate() >= rates::DEFAULT_MAX_RATE)
        .map(|r| format!("{}: {} findings in {} revisions", r.code, r.findings, r.revisions))
        .collect();
    assert!(
        noisy.is_empty(),
        "default-tier rules that fire on a large share of the corpus' healthy migrations (make them strict, or more precise):\n{}",
        noisy.join("\n")
    );
    assert!(rates.iter().all(|r| r.revisions > 0), "every rule applies to some corpus project");
}

#[test]
fn every_rule_is_documented_with_problem_and_fix() {
    let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules.md")).expect("docs/rules.md");
    for rule in migplan::lint::all_rules() {
        let name = rule.code().name();
        let at = doc
            .find(&format!("## `{name}`"))
            .unwrap_or_else(|| panic!("docs/rules.md has no section for {name}"));
        let section = &doc[at..];
        let section = &section[..section[3..].find("\n## ").map_or(section.len(), |e| e + 3)];
        assert!(
            section.contains("**Problem.**") && section.contains("**Fix.**"),
            "{name}: needs **Problem.** and **Fix.**"
        );
    }
}

/// A throw-away project under the target's temp folder: `files` as (path, text).
fn project(name: &str, files: &[(&str, &str)]) -> std::path::PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("rules").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    for (path, text) in files {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

const ORDERS_UP: &str =
    "CREATE TABLE orders (\n    id bigint PRIMARY KEY,\n    status text,\n    note text,\n    tier text,\n    extra text\n);\n";
const ORDERS_DOWN: &str = "DROP TABLE orders;\n";

#[test]
fn volatile_default_on_old_postgres_flags_every_default() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/rules/volatile-default");
    let (text, _) = snapshot_with(&dir, &["--pg-version", "10"]);
    let fired: Vec<&str> = text.lines().filter(|l| l.contains(" volatile-default ")).collect();
    assert_eq!(fired.len(), 3, "{text}");
    assert!(
        fired[1].contains("orders.updated_at") && fired[1].contains("the target server adds every default by rewriting the table"),
        "{text}"
    );
    assert!(fired[2].contains("orders.currency"), "{text}");
    // The new table stays exempt.
    assert!(!text.contains("refunds"), "{text}");
    // From 11 on, only the volatile one.
    let (text, _) = snapshot_with(&dir, &["--pg-version", "11"]);
    assert_eq!(text.lines().filter(|l| l.contains(" volatile-default ")).count(), 1, "{text}");
}

#[test]
fn enum_value_in_transaction_follows_the_pg_version() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/rules/enum-value-in-transaction");
    let (text, _) = snapshot_with(&dir, &["--pg-version", "11"]);
    let line = text
        .lines()
        .find(|l| l.contains(" enum-value-in-transaction "))
        .expect("fires on 11");
    assert!(
        line.starts_with("error ") && line.contains("which the target server refuses"),
        "{line}"
    );
    let (text, codes) = snapshot_with(&dir, &["--pg-version", "12"]);
    assert!(!codes.iter().any(|c| c == "enum-value-in-transaction"), "{text}");
}

#[test]
fn inline_ignores_silence_only_what_they_name() {
    let dir = project(
        "ignores",
        &[
            ("migrations/000001_orders.up.sql", ORDERS_UP),
            ("migrations/000001_orders.down.sql", ORDERS_DOWN),
            (
                "migrations/000002_drop_columns.up.sql",
                "SET lock_timeout = '5s';\n\
                 -- migplan: ignore dropping-column\n\
                 ALTER TABLE orders DROP COLUMN status;\n\
                 ALTER TABLE orders DROP COLUMN note; -- migplan: ignore dropping-column\n\
                 ALTER TABLE orders DROP COLUMN tier;\n\
                 -- migplan: ignore renaming-table\n\
                 ALTER TABLE orders DROP COLUMN extra;\n",
            ),
            (
                "migrations/000002_drop_columns.down.sql",
                "ALTER TABLE orders ADD COLUMN extra text;\nALTER TABLE orders ADD COLUMN tier text;\n\
                 ALTER TABLE orders ADD COLUMN note text;\nALTER TABLE orders ADD COLUMN status text;\n",
            ),
            (
                "migrations/000003_drop_table.up.sql",
                "-- migplan: ignore-file\nDROP TABLE orders;\n",
            ),
            (
                "migrations/000003_drop_table.down.sql",
                "CREATE TABLE orders (id bigint PRIMARY KEY);\n",
            ),
        ],
    );
    let (text, _) = snapshot(&dir);
    assert_eq!(
        text,
        "warning dropping-column migrations/000002_drop_columns.up.sql:5 column orders.tier is dropped: its data is lost and the downgrade cannot bring it back\n\
         warning dropping-column migrations/000002_drop_columns.up.sql:7 column orders.extra is dropped: its data is lost and the downgrade cannot bring it back\n"
    );
}

#[test]
fn python_ignore_comment_silences_a_rename() {
    let rev = |id: &str, down: &str, up_body: &str, down_body: &str| {
        format!(
            "from alembic import op\nimport sqlalchemy as sa\n\nrevision = '{id}'\ndown_revision = {down}\n\n\
             def upgrade():\n{up_body}\n\ndef downgrade():\n{down_body}\n"
        )
    };
    let one = rev(
        "aa01",
        "None",
        "    op.create_table('users', sa.Column('id', sa.BigInteger(), primary_key=True), sa.Column('name', sa.Text()), sa.Column('mail', sa.Text()))",
        "    op.drop_table('users')",
    );
    let two = rev(
        "aa02",
        "'aa01'",
        "    op.execute(\"SET lock_timeout = '5s'\")\n\
         \x20   # migplan: ignore[renaming-column]\n\
         \x20   op.alter_column('users', 'name', new_column_name='full_name')\n\
         \x20   op.alter_column('users', 'mail', new_column_name='email')",
        "    op.alter_column('users', 'email', new_column_name='mail')\n    op.alter_column('users', 'full_name', new_column_name='name')",
    );
    let dir = project(
        "python-ignore",
        &[("migrations/aa01_users.py", &one), ("migrations/aa02_renames.py", &two)],
    );
    let (text, _) = snapshot(&dir);
    assert_eq!(
        text,
        "warning renaming-column migrations/aa02_renames.py:11 column users.mail is renamed to email: the running application still reads and writes mail\n"
    );
}

fn drop_status_project(name: &str, toml: Option<&str>) -> std::path::PathBuf {
    let mut files = vec![
        ("migrations/000001_orders.up.sql", ORDERS_UP),
        ("migrations/000001_orders.down.sql", ORDERS_DOWN),
        (
            "migrations/000002_drop_status.up.sql",
            "SET lock_timeout = '5s';\nALTER TABLE orders DROP COLUMN status;\n",
        ),
        (
            "migrations/000002_drop_status.down.sql",
            "ALTER TABLE orders ADD COLUMN status text;\n",
        ),
    ];
    if let Some(t) = toml {
        files.push(("migplan.toml", t));
    }
    project(name, &files)
}

#[test]
fn migplan_toml_changes_severities_and_the_exit_code() {
    let dir = drop_status_project("config-default", None);
    let out = run(&dir, &[]);
    let (text, _) = lines_of(&dir, &out.stdout, &out.stderr);
    assert!(text.starts_with("warning dropping-column "), "{text}");
    assert_eq!(out.status.code(), Some(0), "a warning does not fail by default");

    let dir = drop_status_project("config-error", Some("[rules]\ndropping-column = \"error\"\n"));
    let out = run(&dir, &[]);
    let (text, _) = lines_of(&dir, &out.stdout, &out.stderr);
    assert!(text.starts_with("error dropping-column "), "{text}");
    assert_eq!(out.status.code(), Some(1));

    let dir = drop_status_project("config-off", Some("[rules]\ndropping-column = \"off\"\n"));
    let out = run(&dir, &[]);
    let (text, _) = lines_of(&dir, &out.stdout, &out.stderr);
    assert_eq!(text, "");
    assert_eq!(out.status.code(), Some(0));

    let dir = drop_status_project("config-fail-on", Some("[check]\nfail-on = \"warning\"\n"));
    assert_eq!(run(&dir, &[]).status.code(), Some(1), "fail-on = warning fails on the warning");
}

#[test]
fn a_typo_in_migplan_toml_names_the_file_and_line() {
    let dir = drop_status_project(
        "config-typo",
        Some("[rules]\nrenaming-column = \"error\"\ndropping-colum = \"off\"\n"),
    );
    let out = run(&dir, &[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("migplan.toml:3") && err.contains("dropping-colum"), "{err}");

    let dir = drop_status_project("config-bad-severity", Some("[rules]\ndropping-column = \"loud\"\n"));
    let out = run(&dir, &[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("migplan.toml:2") && err.contains("loud"), "{err}");
}

#[test]
fn since_makes_tables_created_after_it_new() {
    let dir = project(
        "since",
        &[
            ("migrations/000001_orders.up.sql", ORDERS_UP),
            ("migrations/000001_orders.down.sql", ORDERS_DOWN),
            (
                "migrations/000002_refunds.up.sql",
                "CREATE TABLE refunds (id bigint PRIMARY KEY, reason text);\n",
            ),
            ("migrations/000002_refunds.down.sql", "DROP TABLE refunds;\n"),
            (
                "migrations/000003_refund_changes.up.sql",
                "SET lock_timeout = '5s';\nALTER TABLE refunds DROP COLUMN reason;\nALTER TABLE orders DROP COLUMN note;\n",
            ),
            (
                "migrations/000003_refund_changes.down.sql",
                "ALTER TABLE orders ADD COLUMN note text;\nALTER TABLE refunds ADD COLUMN reason text;\n",
            ),
        ],
    );
    // Every revision its own plan: refunds exists when 000003 runs.
    let (text, _) = snapshot(&dir);
    assert!(text.contains("column refunds.reason is dropped"), "{text}");
    assert!(text.contains("column orders.note is dropped"), "{text}");
    // 000002 and 000003 are one plan: refunds is new, orders (deployed) is not.
    let (text, _) = snapshot_with(&dir, &["--since", "000001"]);
    assert!(!text.contains("refunds.reason"), "{text}");
    assert!(text.contains("column orders.note is dropped"), "{text}");
}
