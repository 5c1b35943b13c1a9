//! `migplan report`: the static PR preview (one self-contained index.html plus report.md),
//! optionally against a base (`--base REF` read with git, or `--base-dir DIR`).

use std::path::Path;
use std::process::Command;

use crate::analysis::{Analysis, ProjectOptions, analyze_project};
use crate::dialect::Dialect;
use crate::dry_run::upgrade_sql;
use crate::render::html::{PrChanges, Report, report_html, report_md};
use crate::source::SourceFile;

/// What the base is.
pub enum Base<'a> {
    GitRef(&'a str),
    Dir(&'a str),
}

fn git(args: &[&str]) -> Result<Vec<u8>, String> {
    let out = Command::new("git")
        .args(args)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "git {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(out.stdout)
}

/// The base's version of the project: the same folders, read at REF (or from DIR).
pub fn base_files(base: &Base, roots: &[String], listed: &[String]) -> Result<Vec<SourceFile>, String> {
    match base {
        Base::GitRef(r) => {
            let mut dirs: Vec<String> = roots.to_vec();
            // Alembic projects: the folders the listed scripts are in (and env.py's).
            for p in listed {
                let d = Path::new(p).parent().map(|d| d.to_string_lossy().into_owned()).unwrap_or_default();
                if !dirs.contains(&d) {
                    dirs.push(d);
                }
            }
            let mut files = Vec::new();
            for d in dirs {
                let spec = if d.is_empty() { ".".to_string() } else { d.clone() };
                let names = git(&["ls-tree", "-r", "--name-only", r, "--", &spec])?;
                for name in String::from_utf8_lossy(&names).lines() {
                    if files.iter().any(|f: &SourceFile| f.path == name) {
                        continue;
                    }
                    let bytes = git(&["show", &format!("{r}:./{name}")])?;
                    if let Ok(f) = SourceFile::from_bytes(name.to_string(), &bytes) {
                        files.push(f);
                    }
                }
            }
            Ok(files)
        }
        Base::Dir(d) => {
            let (files, _, _) = super::sql_folder::read_folders(&[std::path::PathBuf::from(d)]);
            let mut out = files;
            // Alembic scripts too.
            if let Ok(rd) = std::fs::read_dir(d) {
                for e in rd.flatten() {
                    let p = e.path();
                    if p.extension().is_some_and(|x| x == "py")
                        && let Some(f) = super::discover::read_source(&p)
                    {
                        out.push(f);
                    }
                }
            }
            Ok(out)
        }
    }
}

/// New revisions and forks of `current` against `base`.
pub fn changes(current: &Analysis, base: &Analysis, base_name: &str) -> PrChanges {
    let map = &current.map;
    let in_base = |id: &str| base.map.by_id.contains_key(id);
    let new_revisions: Vec<String> = (0..map.len()).map(|i| map.id(i).to_string()).filter(|id| !in_base(id)).collect();
    let mut forks = Vec::new();
    for p in 0..map.len() {
        let kids: Vec<String> = map.node(p).nextrev.iter().map(|&c| map.id(c).to_string()).collect();
        if kids.len() > 1 && kids.iter().any(|k| in_base(k)) && kids.iter().any(|k| !in_base(k)) {
            forks.push((map.id(p).to_string(), kids));
        }
    }
    PrChanges {
        base: base_name.to_string(),
        new_revisions,
        forks,
    }
}

pub struct ReportArgs<'a> {
    pub out: &'a str,
    pub title: String,
    pub base: Option<Base<'a>>,
    pub base_label: String,
    /// The plan shown: `FROM:TO`; without FROM, from the base's head when it has one (the
    /// new revisions' SQL), else from the start.
    pub from: Option<String>,
    pub to: String,
    pub dialect: &'static dyn Dialect,
}

/// Write index.html and report.md; returns the paths written.
pub fn write(a: &Analysis, files: &[SourceFile], roots: &[String], listed: &[String], args: &ReportArgs) -> Result<Vec<String>, String> {
    let mut base_head: Option<String> = None;
    let changes = match &args.base {
        None => None,
        Some(b) => {
            let base = base_files(b, roots, listed)?;
            let opts = ProjectOptions {
                layout: a.layout.map(str::to_string),
                dialect: args.dialect,
                roots: if a.layout == Some("alembic") { None } else { Some(roots.to_vec()) },
                enable: Vec::new(),
            };
            let base_analysis = analyze_project(&base, &opts);
            if let [h] = base_analysis.map.heads[..] {
                let id = base_analysis.map.id(h);
                base_head = a.map.by_id.contains_key(id).then(|| id.to_string());
            }
            Some(changes(a, &base_analysis, &args.base_label))
        }
    };
    let texts: std::collections::BTreeMap<String, String> = files.iter().map(|f| (f.path.clone(), f.text.clone())).collect();
    let target = match args.from.as_ref().or(base_head.as_ref()) {
        Some(f) => format!("{f}:{}", args.to),
        None => args.to.clone(),
    };
    let plan = upgrade_sql(a, &target, args.dialect);
    let report = Report::new(&args.title, a, &texts, changes.as_ref(), Some(plan));
    std::fs::create_dir_all(args.out).map_err(|e| format!("cannot create {}: {e}", args.out))?;
    let html = Path::new(args.out).join("index.html");
    let md = Path::new(args.out).join("report.md");
    std::fs::write(&html, report_html(&report)).map_err(|e| format!("cannot write {}: {e}", html.display()))?;
    std::fs::write(&md, report_md(&report)).map_err(|e| format!("cannot write {}: {e}", md.display()))?;
    Ok(vec![html.display().to_string(), md.display().to_string()])
}
