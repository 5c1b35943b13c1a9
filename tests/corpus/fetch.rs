//! Fetching and unpacking the corpus packages with each registry's ordinary client, into a
//! cache outside the repository. A package that cannot be fetched is a failure, never a skip.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::manifest::Project;

/// `$MIGPLAN_CORPUS_CACHE`, default `~/.cache/migplan-corpus`.
pub fn cache_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("MIGPLAN_CORPUS_CACHE") {
        return PathBuf::from(d);
    }
    let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("/tmp"));
    home.join(".cache/migplan-corpus")
}

/// The unpacked package's top folder (fetched and unpacked first if needed).
pub fn unpacked(cache: &Path, p: &Project) -> Result<PathBuf, String> {
    let dest = cache
        .join("unpacked")
        .join(&p.registry)
        .join(format!("{}-{}", p.package, p.version));
    let done = dest.join(".migplan-complete");
    if !done.exists() {
        let _ = std::fs::remove_dir_all(&dest);
        std::fs::create_dir_all(&dest).map_err(|e| format!("{}: {e}", dest.display()))?;
        let archive = download(cache, p)?;
        unpack(&archive, &dest)?;
        std::fs::write(&done, "").map_err(|e| format!("{}: {e}", done.display()))?;
    }
    Ok(match p.registry.as_str() {
        "crates" => dest.join(format!("{}-{}", p.package, p.version)),
        "npm" => dest.join("package"),
        // An sdist unpacks into one `NAME-VERSION/` folder; a wheel into the package itself.
        "pypi" => match single_folder(&dest) {
            Some(inner) => inner,
            None => dest,
        },
        // A .deb unpacks as the file system it installs (`usr/…`), which the manifest names.
        _ => dest,
    })
}

fn single_folder(dir: &Path) -> Option<PathBuf> {
    let entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.file_name().is_some_and(|n| n != ".migplan-complete"))
        .collect();
    match entries.as_slice() {
        [only] if only.is_dir() && !only.join("__init__.py").exists() => Some(only.clone()),
        _ => None,
    }
}

fn run(c: &mut Command, what: &str) -> Result<String, String> {
    let out = c.output().map_err(|e| format!("{what}: cannot start: {e}"))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let tail: Vec<&str> = err.lines().rev().take(5).collect();
        return Err(format!("{what} failed: {}", tail.into_iter().rev().collect::<Vec<_>>().join(" | ")));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Wheel and sdist file names spell a project's name with `_`, `-` or `.`, in any case.
fn normalized(name: &str) -> String {
    name.to_ascii_lowercase().replace(['-', '.'], "_")
}

fn find_file(dir: &Path, accept: impl Fn(&str) -> bool) -> Option<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(&accept))
        .collect();
    found.sort();
    found.into_iter().next()
}

fn download(cache: &Path, p: &Project) -> Result<PathBuf, String> {
    let dir = cache.join(&p.registry);
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    match p.registry.as_str() {
        "pypi" => {
            let prefix = normalized(&format!("{}-{}", p.package, p.version));
            let matches = |n: &str| {
                let n = normalized(n);
                (n.starts_with(&format!("{prefix}_")) && n.ends_with("whl")) || n == format!("{prefix}_tar_gz")
            };
            if let Some(f) = find_file(&dir, matches) {
                return Ok(f);
            }
            run(
                Command::new("python3")
                    .args(["-m", "pip", "download", "--no-deps", "--quiet", "--disable-pip-version-check", "-d"])
                    .arg(&dir)
                    .arg(format!("{}=={}", p.package, p.version)),
                &format!("pip download {}=={}", p.package, p.version),
            )?;
            find_file(&dir, matches).ok_or_else(|| format!("pip download left no file for {}=={}", p.package, p.version))
        }
        "crates" => {
            let probe = dir.join("probe").join(format!("{}-{}", p.package, p.version));
            std::fs::create_dir_all(probe.join("src")).map_err(|e| format!("{}: {e}", probe.display()))?;
            let toml = format!(
                "[package]\nname = \"corpus-probe\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\n[dependencies]\n{} = \"={}\"\n",
                p.package, p.version
            );
            std::fs::write(probe.join("Cargo.toml"), toml).map_err(|e| e.to_string())?;
            std::fs::write(probe.join("src/lib.rs"), "").map_err(|e| e.to_string())?;
            run(
                Command::new("cargo")
                    .arg("fetch")
                    .arg("--manifest-path")
                    .arg(probe.join("Cargo.toml"))
                    .env_remove("CARGO_TARGET_DIR"),
                &format!("cargo fetch {}@{}", p.package, p.version),
            )?;
            let home = std::env::var_os("CARGO_HOME")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cargo"));
            let want = format!("{}-{}.crate", p.package, p.version);
            let caches = home.join("registry/cache");
            for entry in std::fs::read_dir(&caches)
                .map_err(|e| format!("{}: {e}", caches.display()))?
                .flatten()
            {
                let f = entry.path().join(&want);
                if f.exists() {
                    return Ok(f);
                }
            }
            Err(format!("cargo fetch left no {want} in {}", caches.display()))
        }
        "npm" => {
            let want = format!("{}-{}.tgz", p.package.trim_start_matches('@').replace('/', "-"), p.version);
            let f = dir.join(&want);
            if f.exists() {
                return Ok(f);
            }
            run(
                Command::new("npm")
                    .args(["pack", "--silent", "--pack-destination"])
                    .arg(&dir)
                    .arg(format!("{}@{}", p.package, p.version)),
                &format!("npm pack {}@{}", p.package, p.version),
            )?;
            f.exists().then_some(f.clone()).ok_or_else(|| format!("npm pack left no {want}"))
        }
        "apt" => {
            let accept = |n: &str| n.starts_with(&format!("{}_", p.package)) && n.ends_with(".deb");
            if let Some(f) = find_file(&dir, accept) {
                return Ok(f);
            }
            let get = || {
                run(
                    Command::new("apt-get")
                        .current_dir(&dir)
                        .args(["download", "-q"])
                        .arg(format!("{}={}", p.package, p.version)),
                    &format!("apt-get download {}={}", p.package, p.version),
                )
            };
            if get().is_err() {
                // A fresh machine has no package lists yet.
                run(Command::new("apt-get").args(["update", "-qq"]), "apt-get update")?;
                get()?;
            }
            find_file(&dir, accept).ok_or_else(|| format!("apt-get download left no file for {}", p.package))
        }
        other => Err(format!("unknown registry {other}")),
    }
}

fn unpack(archive: &Path, dest: &Path) -> Result<(), String> {
    let name = archive.to_string_lossy();
    let what = format!("unpacking {}", archive.display());
    if name.ends_with(".whl") {
        run(Command::new("python3").args(["-m", "zipfile", "-e"]).arg(archive).arg(dest), &what)?;
    } else if name.ends_with(".deb") {
        run(Command::new("dpkg-deb").arg("-x").arg(archive).arg(dest), &what)?;
    } else {
        run(Command::new("tar").arg("-xzf").arg(archive).arg("-C").arg(dest), &what)?;
    }
    Ok(())
}
