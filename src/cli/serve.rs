//! `migplan serve`: the web page (www/), the wasm package (pkg/) and one project, on
//! 127.0.0.1. www/ and pkg/ are read at run time, so `cargo build` never needs the wasm
//! build; pkg/ is built first when it is missing.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};

use crate::source::SourceFile;

/// Files a project may need: scripts, configs, SQL, metadata.
fn wanted(name: &str) -> bool {
    matches!(name, "atlas.sum" | ".env" | "script.py.mako")
        || [".py", ".ini", ".toml", ".sql", ".yaml", ".yml", ".conf", ".cfg", ".hcl"]
            .iter()
            .any(|e| name.ends_with(e))
}

const SKIP_DIRS: &[&str] = &[
    ".git",
    "node_modules",
    "target",
    "__pycache__",
    ".venv",
    "venv",
    ".tox",
    ".mypy_cache",
];

fn collect(dir: &Path, rel: &str, out: &mut Vec<SourceFile>, budget: &mut usize) {
    let Ok(rd) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<_> = rd.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        if out.len() >= 50_000 || *budget == 0 {
            return;
        }
        let name = e.file_name().to_string_lossy().into_owned();
        let path = if rel.is_empty() { name.clone() } else { format!("{rel}/{name}") };
        let Ok(ft) = e.file_type() else { continue };
        if ft.is_dir() {
            if !SKIP_DIRS.contains(&name.as_str()) && !name.starts_with('.') {
                collect(&e.path(), &path, out, budget);
            }
        } else if wanted(&name)
            && let Ok(bytes) = std::fs::read(e.path())
            && bytes.len() <= *budget
            && let Ok(f) = SourceFile::from_bytes(path, &bytes)
        {
            *budget -= bytes.len();
            out.push(f);
        }
    }
}

/// The project as the page loads it: `{ name, files: [{ path, text }], all }`; `all`, when
/// set, is where the whole served folder is (for the Models tab).
pub fn project_json(root: &Path, all: Option<&str>) -> String {
    let mut files = Vec::new();
    let mut budget = 64 * 1024 * 1024;
    collect(root, "", &mut files, &mut budget);
    let name = std::fs::canonicalize(root)
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "project".into());
    serde_json::json!({ "name": name, "files": files, "all": all }).to_string()
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "wasm" => "application/wasm",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ts" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

fn respond(stream: &mut TcpStream, status: &str, ctype: &str, body: &[u8], head_only: bool) {
    let header = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(header.as_bytes());
    if !head_only {
        let _ = stream.write_all(body);
    }
}

fn handle(mut stream: TcpStream, assets: &Path, project: &Path, whole: &Path, example: &Path) {
    let mut reader = BufReader::new(match stream.try_clone() {
        Ok(s) => s,
        Err(_) => return,
    });
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    // Drain the headers.
    let mut h = String::new();
    while reader.read_line(&mut h).is_ok_and(|n| n > 2) {
        h.clear();
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or("");
    let target = parts.next().unwrap_or("/");
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let head = method == "HEAD";
    if method != "GET" && !head {
        return respond(&mut stream, "405 Method Not Allowed", "text/plain", b"GET only\n", false);
    }
    let api = match path {
        "/api/project" => Some(project_json(project, (whole != project).then_some("/api/project-all"))),
        "/api/project-all" => Some(project_json(whole, None)),
        "/api/example" => Some(project_json(example, None)),
        _ => None,
    };
    if let Some(body) = api {
        return respond(&mut stream, "200 OK", "application/json", body.as_bytes(), head);
    }
    let rel = if path == "/" {
        "www/index.html".to_string()
    } else if let Some(p) = path.strip_prefix("/pkg/") {
        format!("pkg/{p}")
    } else {
        format!("www/{}", &path[1..])
    };
    if rel.split('/').any(|s| s == ".." || s.starts_with('.')) {
        return respond(&mut stream, "404 Not Found", "text/plain", b"not found\n", head);
    }
    match std::fs::read(assets.join(&rel)) {
        Ok(body) => respond(&mut stream, "200 OK", content_type(&rel), &body, head),
        Err(_) => respond(&mut stream, "404 Not Found", "text/plain", b"not found\n", head),
    }
}

pub struct ServeArgs {
    pub project: PathBuf,
    /// The folder `serve` was given (the project is in it, maybe below).
    pub whole: PathBuf,
    pub host: String,
    pub port: u16,
    pub assets: PathBuf,
}

pub fn serve(a: ServeArgs) -> Result<(), String> {
    if !a.assets.join("www/index.html").is_file() {
        return Err(format!(
            "{} has no www/index.html; pass --assets with the migplan checkout",
            a.assets.display()
        ));
    }
    if !a.assets.join("pkg/migplan_bg.wasm").is_file() {
        eprintln!("migplan: pkg/migplan_bg.wasm is missing; building it with scripts/build-wasm (once, a few minutes)");
        let ok = std::process::Command::new(a.assets.join("scripts/build-wasm"))
            .current_dir(&a.assets)
            .status()
            .map_err(|e| format!("cannot run scripts/build-wasm: {e}"))?
            .success();
        if !ok {
            return Err("scripts/build-wasm failed".into());
        }
    }
    if !a.project.is_dir() {
        return Err(format!("{} is not a folder", a.project.display()));
    }
    let listener = TcpListener::bind((a.host.as_str(), a.port)).map_err(|e| format!("cannot listen on {}:{}: {e}", a.host, a.port))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    println!("migplan: serving {} at http://{addr}/ (Ctrl-C to stop)", a.project.display());
    let _ = std::io::stdout().flush();
    let example = a.assets.join("examples/shop");
    for stream in listener.incoming().flatten() {
        let (assets, project, whole, example) = (a.assets.clone(), a.project.clone(), a.whole.clone(), example.clone());
        std::thread::spawn(move || handle(stream, &assets, &project, &whole, &example));
    }
    Ok(())
}
