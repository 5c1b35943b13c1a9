//! The corpus suite: migplan on real migration histories from the package registries.
//!
//! `scripts/corpus` runs it (`MIGPLAN_CORPUS=1`); a plain `cargo test` only says so, because
//! the suite downloads packages and wants the Alembic venv and the database servers that
//! `scripts/test` sets up first. Each project of `tests/corpus/manifest.toml` is fetched with
//! its registry's ordinary client into the cache, unpacked there, and checked with the migplan
//! binary exactly as its users would invoke it. The table goes to stdout; with `--bless` it is
//! written to `tests/corpus/results.md`, otherwise it must equal that file (times aside), so a
//! change in what migplan believes about a real project shows in review.

mod fetch;
mod live;
mod manifest;
mod oracles;
mod rates;
mod table;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use manifest::Project;
use table::Row;

fn main() -> ExitCode {
    if std::env::var_os("MIGPLAN_CORPUS").is_none() {
        println!("corpus: not run by cargo test (it downloads packages); run scripts/corpus");
        return ExitCode::SUCCESS;
    }
    let bless = std::env::args().any(|a| a == "--bless");
    let fetch_only = std::env::args().any(|a| a == "--fetch-only");
    let only: Option<String> = std::env::args().skip_while(|a| a != "--only").nth(1);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let manifest = match manifest::load(&root.join("tests/corpus/manifest.toml")) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("corpus: {e}");
            return ExitCode::FAILURE;
        }
    };
    let cache = fetch::cache_dir();
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_migplan"));
    let oracle_results = oracles::load(&cache);
    // The npm package's command (pkg/bin/migplan.js, the CLI compiled to wasm32-wasip1), when
    // scripts/corpus built it: compared with the native binary on every project.
    let node_bin = std::env::var_os("MIGPLAN_CORPUS_NODE_BIN").map(PathBuf::from);
    let mut npm = NpmTally::default();
    let mut rows = Vec::new();
    let mut failed = Vec::new();
    let mut fetched = serde_json::Map::new();
    for p in manifest.iter().filter(|p| only.as_deref().is_none_or(|o| o == p.name)) {
        let top = match fetch::unpacked(&cache, p) {
            Ok(t) => t,
            Err(e) => {
                failed.push(format!("{}: {e}", p.name));
                continue;
            }
        };
        if fetch_only {
            fetched.insert(p.name.clone(), project_json(p, &top));
            continue;
        }
        if let Some(js) = &node_bin
            && let Err(e) = npm.compare(&bin, js, &top, p)
        {
            failed.push(format!("{}: {e}", p.name));
        }
        match run_project(&bin, &top, p) {
            Ok(mut row) => {
                oracles::fill(&mut row, &oracle_results);
                rows.push(row);
            }
            Err(e) => failed.push(format!("{}: {e}", p.name)),
        }
    }
    if fetch_only {
        for f in &failed {
            eprintln!("corpus: FAILED {f}");
        }
        // The other oracles read where each project is from here.
        if let Some(dir) = std::env::var_os("MIGPLAN_CORPUS_ORACLES") {
            let path = Path::new(&dir).join("projects.json");
            let text = serde_json::to_string_pretty(&serde_json::Value::Object(fetched)).unwrap_or_default();
            if let Err(e) = std::fs::write(&path, text) {
                eprintln!("corpus: cannot write {}: {e}", path.display());
                return ExitCode::FAILURE;
            }
        }
        return if failed.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE };
    }
    let rules_doc = std::fs::read_to_string(root.join("docs/rules.md")).unwrap_or_default();
    let text = table::render(&rows, &rules_doc);
    println!("{text}");
    match &node_bin {
        Some(_) => eprintln!(
            "corpus: npm command (node pkg/bin/migplan.js) vs native: {} of {} runs identical (stdout, stderr, exit status) in {} project(s), {} different",
            npm.identical,
            npm.identical + npm.different,
            npm.projects,
            npm.different
        ),
        None => eprintln!("corpus: npm command not compared (no MIGPLAN_CORPUS_NODE_BIN)"),
    }
    let mut ok = failed.is_empty();
    for f in &failed {
        eprintln!("corpus: FAILED {f}");
    }
    if only.is_some() {
        return if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE };
    }
    let results = root.join("tests/corpus/results.md");
    if bless {
        if let Err(e) = std::fs::write(&results, &text) {
            eprintln!("corpus: cannot write {}: {e}", results.display());
            ok = false;
        } else {
            eprintln!("corpus: wrote {}", results.display());
        }
    } else {
        let committed = std::fs::read_to_string(&results).unwrap_or_default();
        let (want, got) = (table::without_times(&committed), table::without_times(&text));
        if want != got {
            eprintln!("corpus: the table differs from tests/corpus/results.md (times aside):");
            for line in table::diff(&want, &got) {
                eprintln!("{line}");
            }
            eprintln!("corpus: review the change and run scripts/corpus --bless");
            ok = false;
        }
    }
    if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}

/// Native vs the npm package's command, run for run.
#[derive(Default)]
struct NpmTally {
    projects: usize,
    identical: usize,
    different: usize,
}

impl NpmTally {
    /// The commands users run most, through both: the same bytes and exit status, or the
    /// first difference as the project's failure.
    fn compare(&mut self, bin: &Path, js: &Path, top: &Path, p: &Project) -> Result<(), String> {
        self.projects += 1;
        let mut first = None;
        for rest in [
            &["check"][..],
            &["check", "--format", "json"],
            &["heads"],
            &["history"],
            &["upgrade", "heads", "--sql"],
        ] {
            let n = command(bin, top, p, rest)
                .output()
                .map_err(|e| format!("cannot run migplan: {e}"))?;
            let mut node = Command::new("node");
            node.arg(js);
            let w = invoke(node, top, p, rest).output().map_err(|e| format!("cannot run node: {e}"))?;
            if n.stdout == w.stdout && n.stderr == w.stderr && n.status.code() == w.status.code() {
                self.identical += 1;
            } else {
                self.different += 1;
                first.get_or_insert_with(|| {
                    format!(
                        "npm command differs from native on `{}` (exit {:?} vs {:?}; stderr: {})",
                        rest.join(" "),
                        w.status.code(),
                        n.status.code(),
                        String::from_utf8_lossy(&w.stderr).lines().next().unwrap_or("")
                    )
                });
            }
        }
        first.map_or(Ok(()), Err)
    }
}

/// The migplan invocation of a project, as its users point their tool at it.
pub fn invocation(p: &Project) -> Vec<String> {
    let mut args = Vec::new();
    if let Some(c) = &p.config {
        args.extend(["-c".to_string(), c.clone()]);
    }
    if let Some(d) = &p.dir {
        args.extend(["-d".to_string(), d.clone()]);
        if p.recursive {
            args.push("--recursive".into());
        }
        if let Some(l) = &p.layout {
            args.extend(["--layout".to_string(), l.clone()]);
        }
    }
    args.extend(["--dialect".to_string(), p.dialect.clone()]);
    args
}

/// A project as the oracle scripts need it: where it is unpacked and how it is invoked.
fn project_json(p: &Project, top: &Path) -> serde_json::Value {
    serde_json::json!({
        "top": top,
        "cwd": top.join(p.cwd.as_deref().unwrap_or("")),
        "config": p.config.as_ref().map(|c| top.join(c)),
        "dir": p.dir.as_ref().map(|d| top.join(d)),
        "recursive": p.recursive,
        "layout": p.layout.clone().unwrap_or_else(|| "alembic".into()),
        "alembic": p.is_alembic(),
        "dialect": p.dialect,
        "heads": p.heads,
        "skip_live": p.skip_live,
    })
}

/// The invocation with the package-relative paths made absolute (the tool runs from `cwd`).
fn absolute_invocation(top: &Path, p: &Project) -> Vec<String> {
    invocation(p)
        .into_iter()
        .map(|a| {
            let abs = top.join(&a);
            if (p.config.as_deref() == Some(a.as_str()) || p.dir.as_deref() == Some(a.as_str())) && abs.exists() {
                abs.display().to_string()
            } else {
                a
            }
        })
        .collect()
}

/// Paths in the invocation are relative to the package's top; the tool runs from `cwd`.
fn command(bin: &Path, top: &Path, p: &Project, rest: &[&str]) -> Command {
    invoke(Command::new(bin), top, p, rest)
}

/// `c` (a migplan, or `node JS`) with the project's working directory and arguments.
fn invoke(mut c: Command, top: &Path, p: &Project, rest: &[&str]) -> Command {
    let cwd = top.join(p.cwd.as_deref().unwrap_or(""));
    c.current_dir(&cwd);
    c.args(absolute_invocation(top, p));
    c.args(rest);
    c.env_remove("DATABASE_URL");
    c
}

/// Lines of text `check` prints: nothing deployed, deployed up to the heads, and up to the
/// first head's parent (what a reader sees once the history before the newest revision is
/// recorded as deployed).
fn check_lines(bin: &Path, top: &Path, p: &Project) -> Option<(usize, usize, usize)> {
    let lines = |extra: &[&str]| -> Option<usize> {
        let mut args = vec!["check"];
        args.extend_from_slice(extra);
        let out = command(bin, top, p, &args).output().ok()?;
        Some(String::from_utf8_lossy(&out.stderr).lines().count() + String::from_utf8_lossy(&out.stdout).lines().count())
    };
    let json =
        |args: &[&str]| -> Option<serde_json::Value> { serde_json::from_slice(&command(bin, top, p, args).output().ok()?.stdout).ok() };
    let heads = json(&["heads", "--format", "json"])?;
    let head = heads["heads"]
        .as_array()
        .and_then(|h| h.first())
        .and_then(|h| h["revision"].as_str().or(h.as_str()))?
        .to_string();
    let show = json(&["show", &head, "--format", "json"])?;
    let parent = show["revisions"][0]["down_revisions"][0].as_str().map(str::to_string);
    let before_last = match &parent {
        Some(rev) => lines(&["--since", rev])?,
        None => lines(&[])?,
    };
    Some((lines(&[])?, lines(&["--since", "heads"])?, before_last))
}

/// Lines of the markdown PR comment (`check --format markdown --base-dir BASE`) before its
/// SQL `<details>`, for a PR adding the newest revision: the base is a copy of the project
/// without the first head's file (issue: real histories II, "fits one screen").
fn pr_comment_lines(bin: &Path, top: &Path, p: &Project) -> Option<usize> {
    let json =
        |args: &[&str]| -> Option<serde_json::Value> { serde_json::from_slice(&command(bin, top, p, args).output().ok()?.stdout).ok() };
    let files = json(&["files", "--format", "json"])?;
    let show = json(&["show", "heads", "--format", "json"])?;
    let head = show["revisions"][0]["path"].as_str()?.to_string();
    let cwd = top.join(p.cwd.as_deref().unwrap_or(""));
    let base = std::env::temp_dir().join(format!("migplan-corpus-base-{}-{}", p.name, std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    std::fs::create_dir_all(&base).ok()?;
    let copied = (|| -> Option<()> {
        if files["layout"] == "alembic" {
            // `--base-dir` reads an Alembic base as one folder of scripts.
            for f in files["files"].as_array()? {
                let f = f.as_str()?;
                let name = Path::new(f).file_name()?;
                if f != head && name != "env.py" && !base.join(name).exists() {
                    std::fs::copy(cwd.join(f), base.join(name)).ok()?;
                }
            }
        } else {
            // A SQL folder: its tree without the head's file (diesel: its folder).
            let [root] = &files["roots"].as_array()?[..] else { return None };
            let root = cwd.join(root.as_str()?);
            let head = cwd.join(&head);
            let skip = match head.file_name().and_then(|n| n.to_str()) {
                Some("up.sql" | "down.sql" | "metadata.yaml" | "metadata.toml") => head.parent()?.to_path_buf(),
                _ => head,
            };
            copy_tree(&root, &base, &skip)?;
        }
        Some(())
    })();
    let out = copied.and_then(|()| {
        let base = base.display().to_string();
        command(bin, top, p, &["check", "--format", "markdown", "--base-dir", &base])
            .output()
            .ok()
    });
    let _ = std::fs::remove_dir_all(&base);
    let text = String::from_utf8_lossy(&out?.stdout).into_owned();
    Some(text.lines().take_while(|l| !l.contains("<details>")).count())
}

/// `check --models` on an Alembic project (issue 19): drift findings, tables left out as
/// unknown, other model findings; or why the models could not be compared.
fn models_figures(bin: &Path, top: &Path, p: &Project) -> table::Models {
    let out = match command(bin, top, p, &["check", "--models", "--all", "--format", "json"]).output() {
        Ok(o) => o,
        Err(e) => return table::Models::NotCompared(format!("cannot run migplan: {e}")),
    };
    let stderr = String::from_utf8_lossy(&out.stderr);
    let Ok(mut v) = serde_json::from_slice::<serde_json::Value>(&out.stdout) else {
        let first = stderr.lines().find(|l| !l.starts_with("migplan: using")).unwrap_or("no output");
        return table::Models::NotCompared(first.trim_start_matches("FAILED: ").to_string());
    };
    if v.is_array() {
        v = v[0].take();
    }
    let diags: Vec<&serde_json::Value> = v["diagnostics"].as_array().map(|a| a.iter().collect()).unwrap_or_default();
    let code = |d: &&serde_json::Value| d["code"].as_str().unwrap_or("").to_string();
    if let Some(d) = diags.iter().find(|d| {
        code(d) == "model-unknown"
            && d["message"]
                .as_str()
                .is_some_and(|m| m.starts_with("the models cannot be compared"))
    }) {
        let why = d["message"]
            .as_str()
            .unwrap_or("")
            .trim_start_matches("the models cannot be compared: ");
        return table::Models::NotCompared(why.to_string());
    }
    let count = |c: &str| diags.iter().filter(|d| code(d) == c).count();
    let other = diags
        .iter()
        .filter(|d| code(d).starts_with("model") && !matches!(code(d).as_str(), "models-drift" | "model-unknown"))
        .count();
    table::Models::Compared {
        drift: count("models-drift"),
        unknown: count("model-unknown"),
        other,
    }
}

fn copy_tree(from: &Path, to: &Path, skip: &Path) -> Option<()> {
    std::fs::create_dir_all(to).ok()?;
    for e in std::fs::read_dir(from).ok()?.flatten() {
        let path = e.path();
        if path == skip {
            continue;
        }
        if e.file_type().ok()?.is_dir() {
            copy_tree(&path, &to.join(e.file_name()), skip)?;
        } else {
            std::fs::copy(&path, to.join(e.file_name())).ok()?;
        }
    }
    Some(())
}

/// Whether `migplan` run at the package's top with no `-c`/`-d` finds the project the
/// manifest names: the one it uses, or one of those it lists.
fn found_from_top(bin: &Path, top: &Path, p: &Project) -> Result<(), String> {
    let root = top.join(p.root.as_deref().unwrap_or(""));
    let out = Command::new(bin)
        .current_dir(&root)
        .arg("heads")
        .env_remove("DATABASE_URL")
        .output()
        .map_err(|e| format!("cannot run migplan: {e}"))?;
    let err = String::from_utf8_lossy(&out.stderr);
    // `migplan: using X (layout)` for one; `  X  (-c X)` lines for several.
    let found: Vec<&str> = err
        .lines()
        .filter_map(|l| match l.strip_prefix("migplan: using ") {
            Some(rest) => Some(rest.split(" (").next().unwrap_or(rest)),
            None if l.starts_with("  ") && l.contains("  (-") => l.split_whitespace().next(),
            None => None,
        })
        .collect();
    let target = p.config.as_deref().or(p.dir.as_deref()).unwrap_or("");
    let want = p
        .root
        .as_deref()
        .and_then(|r| target.strip_prefix(&format!("{r}/")))
        .unwrap_or(target);
    // An ini, a script folder and its versions/ name the same project.
    let base = |s: &str| {
        s.trim_end_matches("/alembic.ini")
            .trim_end_matches("/versions")
            .trim_end_matches('/')
            .to_string()
    };
    let want_base = base(want);
    let same = |f: &&str| {
        let fb = base(f);
        fb == want_base || want_base.starts_with(&format!("{fb}/")) || fb.starts_with(&format!("{want_base}/"))
    };
    if found.iter().any(same) {
        Ok(())
    } else if found.is_empty() {
        Err(format!("nothing found: {}", err.lines().next().unwrap_or("no output")))
    } else {
        Err(format!("found {} instead of {want}", found.join(", ")))
    }
}

fn run_project(bin: &Path, top: &Path, p: &Project) -> Result<Row, String> {
    let started = Instant::now();
    let out = command(bin, top, p, &["check", "--format", "json"])
        .output()
        .map_err(|e| format!("cannot run migplan: {e}"))?;
    let elapsed = started.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    if stderr.contains("panicked at") {
        return Err(format!("migplan panicked: {}", stderr.trim()));
    }
    let mut row = Row::new(p);
    row.millis = elapsed.as_millis() as u64;
    match serde_json::from_slice::<serde_json::Value>(&out.stdout) {
        Ok(json) => row.read_check(&json, p),
        Err(_) => {
            row.load_error = Some(stderr.lines().next().unwrap_or("no output").to_string());
            return Ok(row);
        }
    }
    // Every rule's findings, strict ones included, for the findings by code and the rates.
    let strict = command(bin, top, p, &["check", "--preset", "strict", "--format", "json"])
        .output()
        .map_err(|e| format!("cannot run migplan: {e}"))?;
    if String::from_utf8_lossy(&strict.stderr).contains("panicked at") {
        return Err("migplan check --preset strict panicked".into());
    }
    if let Ok(json) = serde_json::from_slice::<serde_json::Value>(&strict.stdout) {
        row.read_codes(&json);
    }
    let mut opaque = false;
    if row.heads >= 1 {
        // A project with several heads is upgraded with `heads`, as its users do.
        let target = if row.heads == 1 { "head" } else { "heads" };
        let plan = command(bin, top, p, &["upgrade", target, "--sql"])
            .output()
            .map_err(|e| format!("cannot run migplan: {e}"))?;
        let err = String::from_utf8_lossy(&plan.stderr);
        if err.contains("panicked at") {
            return Err(format!("migplan upgrade --sql panicked: {}", err.trim()));
        }
        row.plan = Some(plan.status.success());
        // The runner refuses plans with Python it cannot run: such projects have no live figures.
        opaque = !plan.status.success() || String::from_utf8_lossy(&plan.stdout).contains("-- migplan: opaque");
    }
    row.found_from_top = Some(found_from_top(bin, top, p));
    row.check_lines = check_lines(bin, top, p);
    row.pr_lines = pr_comment_lines(bin, top, p);
    if p.is_alembic() {
        row.models = Some(models_figures(bin, top, p));
    }
    if let Some(why) = &p.skip_live {
        row.live_note = Some(format!("skipped: {why}"));
    } else if !p.is_alembic() || (row.heads == 1 && !opaque) {
        let cwd = top.join(p.cwd.as_deref().unwrap_or(""));
        if let Some((agree, applied, note)) = live::run(bin, &cwd, &absolute_invocation(top, p), &p.dialect) {
            row.live_agree = Some((agree, applied));
            row.live_note = note;
        }
    }
    Ok(row)
}
