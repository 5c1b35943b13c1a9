//! The bad-input table of docs/robustness.md, one test per row: hostile or broken input
//! gets a diagnostic that names the file (and line where there is one), within bounded time
//! and memory. Each test runs the CLI as a child process (`check --format json`) with a
//! 60 s guard that only catches hangs, and prints its wall time and peak RSS (measured with
//! `/usr/bin/time` when present): `cargo test --test robustness -- --nocapture` shows them.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_migplan");
/// Only a hang takes this long; the figures printed by each test are the real measure.
const HANG: Duration = Duration::from_secs(60);

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("migplan-robust-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A revision script; `body` is the downgrade's (an empty one is a located warning).
fn script(id: &str, down: &str, downgrade: &str) -> String {
    format!(
        "\"\"\"{id}\n\nRevision ID: {id}\n\"\"\"\nfrom alembic import op\n\nrevision = '{id}'\ndown_revision = {down}\nbranch_labels = None\ndepends_on = None\n\n\ndef upgrade():\n    op.execute('SELECT 1')\n\n\ndef downgrade():\n    {downgrade}\n"
    )
}

struct Run {
    json: Value,
    status: Option<i32>,
    stderr: String,
    secs: f64,
    peak_rss_mb: Option<f64>,
}

/// `migplan ARGS check --format json` in `dir`, guarded against hangs and measured.
fn check(row: &str, dir: &Path, args: &[&str]) -> Run {
    let measure = Path::new("/usr/bin/time").exists();
    let rss_file = dir.join(".rss");
    let mut cmd = if measure {
        let mut c = Command::new("/usr/bin/time");
        c.arg("-f").arg("%M").arg("-o").arg(&rss_file).arg(BIN);
        c
    } else {
        Command::new(BIN)
    };
    cmd.args(args).args(["check", "--format", "json"]).current_dir(dir);
    let start = Instant::now();
    let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("run migplan");
    // Read the pipes on threads so a large output cannot block the child.
    let mut out_pipe = child.stdout.take().unwrap();
    let mut err_pipe = child.stderr.take().unwrap();
    let out_t = std::thread::spawn(move || {
        let mut v = Vec::new();
        std::io::Read::read_to_end(&mut out_pipe, &mut v).ok();
        v
    });
    let err_t = std::thread::spawn(move || {
        let mut v = Vec::new();
        std::io::Read::read_to_end(&mut err_pipe, &mut v).ok();
        v
    });
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > HANG {
            let _ = child.kill();
            panic!("{row}: no answer after {HANG:?} (a hang)");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let secs = start.elapsed().as_secs_f64();
    let stdout = out_t.join().unwrap();
    let stderr = String::from_utf8_lossy(&err_t.join().unwrap()).into_owned();
    let peak_rss_mb = std::fs::read_to_string(&rss_file)
        .ok()
        .and_then(|s| s.lines().last().and_then(|l| l.trim().parse::<f64>().ok()))
        .map(|kb| kb / 1024.0);
    assert!(!stderr.contains("panicked"), "{row}: panic\n{stderr}");
    let json: Value = serde_json::from_slice(&stdout).unwrap_or_else(|e| {
        panic!(
            "{row}: no JSON ({e})\nstdout: {}\nstderr: {stderr}",
            String::from_utf8_lossy(&stdout)
        )
    });
    let rss = peak_rss_mb.map_or("n/a".to_string(), |m| format!("{m:.0} MB"));
    println!("robustness row `{row}`: {secs:.2} s, peak RSS {rss}");
    Run {
        json,
        status: status.code(),
        stderr,
        secs,
        peak_rss_mb,
    }
}

fn diags<'v>(r: &'v Run, code: &str) -> Vec<&'v Value> {
    r.json["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["code"] == code)
        .collect()
}

/// The one diagnostic with `code`, located in `file` at `line`.
fn located<'v>(r: &'v Run, code: &str, file: &str, line: u64) -> &'v Value {
    let found = diags(r, code);
    let d = found.first().unwrap_or_else(|| panic!("no {code} in {}", r.json["diagnostics"]));
    assert_eq!(d["file"], file, "{d}");
    assert_eq!(d["line"], line, "{d}");
    d
}

/// Loose bounds: they catch a runaway, not a slow machine.
fn bounded(r: &Run, max_mb: f64) {
    assert!(r.secs < HANG.as_secs_f64());
    if let Some(mb) = r.peak_rss_mb {
        assert!(mb < max_mb, "peak RSS {mb:.0} MB over {max_mb} MB");
    }
}

#[test]
fn binary_file() {
    let dir = temp_dir("binary");
    std::fs::create_dir(dir.join("versions")).unwrap();
    std::fs::write(dir.join("versions/aaaa00000001_x.py"), b"revision = 'a'\n\x00\x01\x02\xff").unwrap();
    let r = check("binary file", &dir, &["-d", "versions"]);
    // The text cannot be decoded, so the finding is at the file's start; the message gives
    // the byte offset.
    let d = located(&r, "binary-file", "versions/aaaa00000001_x.py", 1);
    assert!(d["message"].as_str().unwrap().contains("NUL byte at offset 15"), "{d}");
    assert_eq!(r.status, Some(1));
    bounded(&r, 512.0);
}

#[test]
fn invalid_utf8() {
    let dir = temp_dir("utf8");
    std::fs::create_dir(dir.join("versions")).unwrap();
    std::fs::write(
        dir.join("versions/aaaa00000001_x.py"),
        b"revision = 'aaaa00000001'\ndown_revision = None\n# caf\xe9\n",
    )
    .unwrap();
    let r = check("invalid UTF-8", &dir, &["-d", "versions"]);
    let d = located(&r, "invalid-encoding", "versions/aaaa00000001_x.py", 1);
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .contains("not valid UTF-8 (first bad byte at offset 52)"),
        "{d}"
    );
    assert_eq!(r.status, Some(1));
    bounded(&r, 512.0);
}

#[test]
fn byte_order_mark() {
    let dir = temp_dir("bom");
    std::fs::create_dir(dir.join("versions")).unwrap();
    let text = format!("\u{feff}{}", script("aaaa00000001", "None", "pass"));
    std::fs::write(dir.join("versions/aaaa00000001_x.py"), text).unwrap();
    let r = check("BOM", &dir, &["-d", "versions"]);
    // Read like any script: the BOM shifts neither lines nor columns.
    let d = located(&r, "empty-downgrade", "versions/aaaa00000001_x.py", 17);
    assert_eq!(d["column"], 5);
    assert_eq!(r.json["revisions"], 1);
    bounded(&r, 512.0);
}

#[test]
fn crlf_line_endings() {
    let dir = temp_dir("crlf");
    std::fs::create_dir(dir.join("versions")).unwrap();
    let text = script("aaaa00000001", "None", "pass").replace('\n', "\r\n");
    std::fs::write(dir.join("versions/aaaa00000001_x.py"), text).unwrap();
    // And a SQL folder with CRLF: statements split, the unterminated string located.
    std::fs::create_dir(dir.join("sql")).unwrap();
    std::fs::write(
        dir.join("sql/001_a.up.sql"),
        "CREATE TABLE t (id int);\r\n\r\nINSERT INTO t VALUES ('x);\r\n",
    )
    .unwrap();
    std::fs::write(dir.join("sql/001_a.down.sql"), "DROP TABLE t;\r\n").unwrap();
    let r = check("CRLF", &dir, &["-d", "versions"]);
    let d = located(&r, "empty-downgrade", "versions/aaaa00000001_x.py", 17);
    assert_eq!(d["column"], 5);
    let r = check("CRLF (SQL folder)", &dir, &["-d", "sql"]);
    located(&r, "unterminated-sql", "sql/001_a.up.sql", 3);
    bounded(&r, 512.0);
}

/// A 10 MB seed-data migration (`op.bulk_insert` of literal rows): read in full, located
/// findings, bounded memory.
#[test]
fn ten_megabyte_migration() {
    let dir = temp_dir("10mb");
    std::fs::create_dir(dir.join("versions")).unwrap();
    let mut text = String::from(
        "\"\"\"seed\n\nRevision ID: bbbb00000001\n\"\"\"\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = 'bbbb00000001'\ndown_revision = None\n\n\ndef upgrade():\n    t = sa.table('codes', sa.column('code', sa.String), sa.column('city', sa.String))\n    op.bulk_insert(t, [\n",
    );
    let mut lines = 14u64;
    let mut i = 0u64;
    while text.len() < 10 * 1024 * 1024 {
        text.push_str(&format!("        {{'code': '{:06}', 'city': 'City number {i}'}},\n", i % 1_000_000));
        i += 1;
        lines += 1;
    }
    text.push_str("    ])\n\n\ndef downgrade():\n    pass\n");
    std::fs::write(dir.join("versions/bbbb00000001_seed.py"), text).unwrap();
    let r = check("10 MB migration", &dir, &["-d", "versions"]);
    assert_eq!(r.json["revisions"], 1);
    located(&r, "empty-downgrade", "versions/bbbb00000001_seed.py", lines + 4);
    bounded(&r, 4096.0);
}

/// Over the 16 MiB limit for a SQL migration: named, not read.
#[test]
fn oversized_sql_migration() {
    let dir = temp_dir("17mb");
    std::fs::create_dir(dir.join("sql")).unwrap();
    let line = "INSERT INTO t VALUES (1);\n";
    std::fs::write(dir.join("sql/001_big.up.sql"), line.repeat(17 * 1024 * 1024 / line.len())).unwrap();
    std::fs::write(dir.join("sql/001_big.down.sql"), "DELETE FROM t;\n").unwrap();
    let r = check("17 MB SQL migration", &dir, &["-d", "sql"]);
    let d = diags(&r, "file-too-large");
    assert_eq!(d.len(), 1, "{}", r.json["diagnostics"]);
    assert_eq!(d[0]["file"], "sql/001_big.up.sql");
    bounded(&r, 4096.0);
}

/// 1,000 nested brackets: refused before parsing (no stack overflow), at the deep bracket.
#[test]
fn deeply_nested_expression() {
    let dir = temp_dir("nested");
    std::fs::create_dir(dir.join("versions")).unwrap();
    let deep = format!("x = {}1{}\n", "(".repeat(1000), ")".repeat(1000));
    std::fs::write(
        dir.join("versions/aaaa00000001_x.py"),
        format!("{}{deep}", script("aaaa00000001", "None", "pass")),
    )
    .unwrap();
    let r = check("1,000-deep expression (Python)", &dir, &["-d", "versions"]);
    let d = located(&r, "too-complex", "versions/aaaa00000001_x.py", 19);
    assert!(d["message"].as_str().unwrap().contains("200"), "{d}");
    bounded(&r, 512.0);
}

/// The same in a SQL migration: sqlparser's recursion limit, reported as a located warning.
#[test]
fn deeply_nested_sql_expression() {
    let dir = temp_dir("nested-sql");
    std::fs::create_dir(dir.join("sql")).unwrap();
    let deep = format!("SELECT {}1{};\n", "(".repeat(1000), ")".repeat(1000));
    std::fs::write(dir.join("sql/001_a.up.sql"), format!("CREATE TABLE t (id int);\n{deep}")).unwrap();
    std::fs::write(dir.join("sql/001_a.down.sql"), "DROP TABLE t;\n").unwrap();
    let r = check("1,000-deep expression (SQL)", &dir, &["-d", "sql"]);
    located(&r, "sql-parse-error", "sql/001_a.up.sql", 2);
    bounded(&r, 512.0);
}

/// 10,000 unrelated bases, so 10,000 heads.
#[test]
fn ten_thousand_heads() {
    let dir = temp_dir("heads");
    std::fs::create_dir(dir.join("versions")).unwrap();
    for i in 0..10_000 {
        let id = format!("{i:012x}");
        std::fs::write(
            dir.join(format!("versions/{id}_h.py")),
            script(&id, "None", "op.execute('SELECT 2')"),
        )
        .unwrap();
    }
    let r = check("10,000 heads", &dir, &["-d", "versions"]);
    let d = diags(&r, "multiple-heads");
    assert_eq!(d.len(), 1);
    assert!(
        d[0]["message"].as_str().unwrap().starts_with("the history has 10000 heads: "),
        "{}",
        d[0]["message"]
    );
    assert_eq!(r.json["heads"].as_array().unwrap().len(), 10_000);
    bounded(&r, 2048.0);
}

/// A cycle through 5,000 revisions: one diagnostic naming every revision on it.
#[test]
fn cycle_through_five_thousand_revisions() {
    let dir = temp_dir("cycle");
    std::fs::create_dir(dir.join("versions")).unwrap();
    let n = 5_000;
    for i in 0..n {
        let id = format!("{i:012x}");
        let down = format!("'{:012x}'", (i + n - 1) % n);
        std::fs::write(
            dir.join(format!("versions/{id}_c.py")),
            script(&id, &down, "op.execute('SELECT 2')"),
        )
        .unwrap();
    }
    let r = check("cycle through 5,000 revisions", &dir, &["-d", "versions"]);
    let d = diags(&r, "revision-cycle");
    assert!(!d.is_empty());
    let msg = d[0]["message"].as_str().unwrap();
    assert!(
        msg.contains("000000000000") && msg.contains(&format!("{:012x}", n - 1)),
        "{}",
        &msg[..200.min(msg.len())]
    );
    assert!(d[0]["file"].as_str().unwrap().starts_with("versions/"), "{}", d[0]);
    assert!(d[0]["line"].as_u64().is_some());
    assert_eq!(r.status, Some(1));
    bounded(&r, 2048.0);
}

/// Ids and a missing parent in other scripts: read as Alembic reads them; the finding's
/// column counts characters, not bytes.
#[test]
fn unicode_revision_ids() {
    let dir = temp_dir("unicode");
    std::fs::create_dir(dir.join("versions")).unwrap();
    std::fs::write(
        dir.join("versions/a_first.py"),
        script("ревизия1", "None", "op.execute('SELECT 2')"),
    )
    .unwrap();
    std::fs::write(
        dir.join("versions/b_second.py"),
        script("修订二", "'ревизия1'", "op.execute('SELECT 2')"),
    )
    .unwrap();
    std::fs::write(
        dir.join("versions/c_third.py"),
        script("três🙂", "'αγνωστο'", "op.execute('SELECT 2')"),
    )
    .unwrap();
    let r = check("unicode revision ids", &dir, &["-d", "versions"]);
    let d = located(&r, "missing-revision", "versions/c_third.py", 8);
    assert!(d["message"].as_str().unwrap().contains("'αγνωστο'"), "{d}");
    assert_eq!(r.json["revisions"], 3);
    let heads: Vec<&str> = r.json["heads"].as_array().unwrap().iter().map(|h| h.as_str().unwrap()).collect();
    assert!(heads.contains(&"修订二") && heads.contains(&"três🙂"), "{heads:?}");
    bounded(&r, 512.0);
}

/// `\N{NAME}` escapes: migplan does not carry Unicode's names, so a string spelling one is
/// unknown: the step is opaque (a warning at its line), nothing is claimed about what it
/// touches, and the revision's message shows U+FFFD where the character was.
#[test]
fn character_spelled_by_name() {
    let dir = temp_dir("unicode-name");
    std::fs::create_dir(dir.join("versions")).unwrap();
    let first = script("aaaa00000001", "None", "op.drop_table('items')").replace(
        "op.execute('SELECT 1')",
        "op.create_table('items', sa.Column('id', sa.Integer), sa.Column('mark', sa.String(8), \
         server_default='\\N{BULLET}'))\n    op.execute(\"UPDATE items SET mark = '\\N{black star}'\")",
    );
    std::fs::write(
        dir.join("versions/aaaa00000001_x.py"),
        first.replace("from alembic import op", "from alembic import op\nimport sqlalchemy as sa"),
    )
    .unwrap();
    let second = script("aaaa00000002", "'aaaa00000001'", "op.execute('SELECT 2')")
        .replace("\"\"\"aaaa00000002", "\"\"\"mark \\N{DEGREE SIGN}")
        .replace("op.execute('SELECT 1')", "op.drop_column('items', 'mark\\N{DEGREE SIGN}')");
    std::fs::write(dir.join("versions/aaaa00000002_y.py"), second).unwrap();
    let r = check("character spelled by name", &dir, &["-d", "versions"]);
    assert_eq!(r.json["revisions"], 2);
    // No finding at all: the dropped column's table was made by a step that is not known.
    assert_eq!(r.json["diagnostics"], serde_json::json!([]), "{}", r.json);
    // The plan shows each such step as Python, with the reason, where it would be SQL.
    let out = Command::new(BIN)
        .args(["-d", "versions", "upgrade", "head", "--sql"])
        .current_dir(&dir)
        .output()
        .expect("run migplan");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let plan = String::from_utf8(out.stdout).unwrap();
    let opaque: Vec<&str> = plan.lines().filter(|l| l.starts_with("-- migplan: opaque Python step")).collect();
    assert_eq!(opaque.len(), 3, "{plan}");
    assert!(
        opaque[0].contains("spelling a character by name") && opaque[0].ends_with("lines 15-15)"),
        "{plan}"
    );
    assert!(
        opaque[1].contains("spelling a character by name") && opaque[1].ends_with("lines 16-16)"),
        "{plan}"
    );
    assert!(opaque[2].contains("aaaa00000002_y.py, lines 14-14"), "{plan}");
    assert!(!plan.contains('\u{FDD0}'), "{plan}");
    // The message is only displayed: the named character shows as U+FFFD.
    let out = Command::new(BIN)
        .args(["-d", "versions", "history"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("mark \u{FFFD}"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    bounded(&r, 512.0);
}

/// The same id in two folders, given as `-d a -d b`, and found by `--recursive`.
#[test]
fn duplicate_ids_across_folders() {
    let dir = temp_dir("dups");
    for sub in ["versions/a", "versions/b"] {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
        std::fs::write(
            dir.join(format!("{sub}/aaaa00000001_x.py")),
            script("aaaa00000001", "None", "op.execute('SELECT 2')"),
        )
        .unwrap();
    }
    for (row, args) in [
        ("duplicate ids (-d a -d b)", vec!["-d", "versions/a", "-d", "versions/b"]),
        ("duplicate ids (--recursive)", vec!["-d", "versions", "--recursive"]),
    ] {
        let r = check(row, &dir, &args);
        let d = diags(&r, "duplicate-revision");
        assert_eq!(d.len(), 2, "{row}: both files: {}", r.json["diagnostics"]);
        let files: Vec<&str> = d.iter().map(|d| d["file"].as_str().unwrap()).collect();
        assert!(
            files.contains(&"versions/a/aaaa00000001_x.py") && files.contains(&"versions/b/aaaa00000001_x.py"),
            "{row}: {files:?}"
        );
        assert!(d.iter().all(|d| d["line"] == 7), "{row}: {d:?}");
        assert_eq!(r.status, Some(1));
        bounded(&r, 512.0);
    }
}

/// A folder symlinked to its parent (and to itself) under `--recursive`: each script once.
#[cfg(unix)]
#[test]
fn symlink_loop_in_versions() {
    let dir = temp_dir("symlinks");
    std::fs::create_dir_all(dir.join("versions/sub")).unwrap();
    std::fs::write(dir.join("versions/aaaa00000001_x.py"), script("aaaa00000001", "None", "pass")).unwrap();
    std::fs::write(
        dir.join("versions/sub/bbbb00000002_y.py"),
        script("bbbb00000002", "'aaaa00000001'", "op.execute('SELECT 2')"),
    )
    .unwrap();
    std::os::unix::fs::symlink("..", dir.join("versions/sub/up")).unwrap();
    std::os::unix::fs::symlink(".", dir.join("versions/self")).unwrap();
    std::os::unix::fs::symlink("loop-b", dir.join("versions/loop-a")).unwrap();
    std::os::unix::fs::symlink("loop-a", dir.join("versions/loop-b")).unwrap();
    let r = check("symlink loops (--recursive)", &dir, &["-d", "versions", "--recursive"]);
    assert_eq!(r.json["revisions"], 2);
    assert_eq!(diags(&r, "empty-downgrade").len(), 1, "{}", r.json["diagnostics"]);
    located(&r, "empty-downgrade", "versions/aaaa00000001_x.py", 17);
    bounded(&r, 512.0);
}

/// alembic.ini without the [alembic] section, and with the section but no script_location.
#[test]
fn alembic_ini_missing_sections() {
    let dir = temp_dir("ini");
    std::fs::write(dir.join("alembic.ini"), "[loggers]\nkeys = root\n\n[handlers]\nkeys = console\n").unwrap();
    let r = check("alembic.ini without [alembic]", &dir, &[]);
    let d = located(&r, "config-error", "alembic.ini", 1);
    assert!(d["message"].as_str().unwrap().contains("script_location"), "{d}");
    assert!(d["help"].as_str().unwrap().contains("no [alembic] section"), "{d}");
    assert_eq!(r.status, Some(1));
    std::fs::write(dir.join("alembic.ini"), "[alembic]\nsqlalchemy.url = sqlite://\n").unwrap();
    let r = check("alembic.ini without script_location", &dir, &[]);
    located(&r, "config-error", "alembic.ini", 1);
    assert!(r.stderr.is_empty() || !r.stderr.contains("panicked"));
    bounded(&r, 512.0);
}
