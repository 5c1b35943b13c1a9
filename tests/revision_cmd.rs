//! `migplan revision`: the built binary on temp copies of the fixtures — Alembic projects
//! (default head, `--head`, `--splice`, ids, labels, `file_template`), every plain-SQL layout
//! (the new files are read back as the head), and, where the oracle's virtualenv exists, the
//! file `alembic revision` writes.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_migplan");

/// A temp copy of a fixture folder, removed on drop.
struct Copy(PathBuf);

impl Copy {
    fn of(fixture: &str, name: &str) -> Copy {
        let d = std::env::temp_dir().join(format!("migplan-revision-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join(fixture), &d);
        // The binary prints paths from its working directory, which has no symlinks.
        Copy(std::fs::canonicalize(&d).unwrap())
    }
    fn empty(name: &str) -> Copy {
        let d = std::env::temp_dir().join(format!("migplan-revision-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        Copy(std::fs::canonicalize(&d).unwrap())
    }
    fn migplan(&self, args: &[&str]) -> Output {
        Command::new(BIN).current_dir(&self.0).args(args).output().unwrap()
    }
    /// stdout of a command that must succeed.
    fn ok(&self, args: &[&str]) -> String {
        let o = self.migplan(args);
        assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8_lossy(&o.stdout).into_owned()
    }
    /// stderr of a command that must fail with status 1.
    fn fails(&self, args: &[&str]) -> String {
        let o = self.migplan(args);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {}", String::from_utf8_lossy(&o.stdout));
        String::from_utf8_lossy(&o.stderr).into_owned()
    }
    fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.0.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }
    /// Every file under the copy, relative and `/`-separated.
    fn files(&self) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        list(&self.0, &self.0, &mut out);
        out
    }
}

impl Drop for Copy {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

fn list(root: &Path, dir: &Path, out: &mut BTreeSet<String>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        if e.file_type().unwrap().is_dir() {
            list(root, &e.path(), out);
        } else {
            out.insert(e.path().strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/"));
        }
    }
}

/// The script as migplan reads it.
fn read_revision(path: &Path) -> migplan::model::Revision {
    let text = std::fs::read_to_string(path).unwrap();
    let read = migplan::parse::revision_script::read_script(&migplan::SourceFile::new(path.to_string_lossy(), text));
    // Only the note that the new revision is still empty.
    assert!(read.diagnostics.iter().all(|d| !d.is_error()), "{:?}", read.diagnostics);
    read.revision.expect("a revision")
}

fn is_timestamp(s: &str) -> bool {
    s.len() == 14 && s.bytes().all(|b| b.is_ascii_digit()) && s.starts_with("20")
}

#[test]
fn a_linear_project_gets_a_revision_on_its_head() {
    let p = Copy::of("tests/fixtures/linear_annotated", "linear");
    let out = p.ok(&["revision", "-m", "Add the widgets table!", "--rev-id", "aaa111bbb222"]);
    let path = p.0.join("versions/aaa111bbb222_add_the_widgets_table.py");
    assert_eq!(out, format!("Generating {} ...  done\n", path.display()));
    let rev = read_revision(&path);
    assert_eq!(rev.id, "aaa111bbb222");
    assert_eq!(rev.down_revisions, ["27c6bff55df6"]);
    assert!(rev.branch_labels.is_empty() && rev.depends_on.is_empty());
    assert_eq!(rev.doc.lines().next(), Some("Add the widgets table!"));
    assert!(rev.upgrade.present && rev.upgrade.empty && rev.downgrade.present && rev.downgrade.empty);
    // The fixture's own script.py.mako (annotated) was used.
    assert!(
        p.read("versions/aaa111bbb222_add_the_widgets_table.py")
            .contains("revision: str = 'aaa111bbb222'\n")
    );
    assert_eq!(p.ok(&["heads"]), "aaa111bbb222 (core) (head)\n");

    // A random id is 12 hex digits, and the next revision follows this one.
    let out = p.ok(&["revision", "-m", "second"]);
    let name = out
        .rsplit('/')
        .next()
        .unwrap()
        .trim_end_matches("_second.py ...  done\n")
        .to_string();
    assert!(name.len() == 12 && name.bytes().all(|b| b.is_ascii_hexdigit()), "{out}");
    assert_eq!(p.ok(&["heads"]), format!("{name} (core) (head)\n"));
    assert_eq!(
        read_revision(&p.0.join(format!("versions/{name}_second.py"))).down_revisions,
        ["aaa111bbb222"]
    );
}

#[test]
fn several_heads_need_a_head_and_ids_must_be_new() {
    let p = Copy::of("tests/fixtures/multi_heads", "multi");
    let before = p.files();
    assert_eq!(
        p.fails(&["revision", "-m", "x"]),
        "FAILED: Multiple heads are present; please specify the head revision on which the new revision should be based, or perform a merge.\n"
    );
    assert_eq!(
        p.fails(&["revision", "-m", "x", "--head", "payments@head", "--rev-id", "0ca13f906ec6"]),
        "FAILED: Revision 0ca13f906ec6 is already present\n"
    );
    assert_eq!(
        p.fails(&["revision", "-m", "x", "--head", "payments@head", "--rev-id", "bad-id"]),
        "FAILED: Character(s) '-' not allowed in revision identifier 'bad-id'\n"
    );
    assert_eq!(
        p.fails(&[
            "revision",
            "-m",
            "x",
            "--head",
            "payments@head",
            "--branch-label",
            "mobile",
            "--rev-id",
            "n1"
        ]),
        "FAILED: Branch name 'mobile' in revision n1 already used by revision 1ac964c7e79e\n"
    );
    assert_eq!(
        p.fails(&["revision", "-m", "x", "--head", "nope@head"]),
        "FAILED: Can't locate revision identified by 'nope'\n"
    );
    assert_eq!(p.files(), before, "nothing is written when the revision is refused");
}

#[test]
fn head_names_a_branch_a_base_or_a_spliced_revision() {
    let p = Copy::of("tests/fixtures/multi_heads", "branch");
    p.ok(&["revision", "-m", "on mobile", "--head", "mobile@head", "--rev-id", "m2"]);
    let m2 = read_revision(&p.0.join("versions/m2_on_mobile.py"));
    assert_eq!(m2.down_revisions, ["1ac964c7e79e"]);

    assert_eq!(
        p.fails(&["revision", "-m", "side", "--head", "7f9ea6b838b0", "--rev-id", "s1"]),
        "FAILED: Revision 7f9ea6b838b0 is not a head revision; please specify --splice to create a new branch from this revision\n"
    );
    p.ok(&[
        "revision",
        "-m",
        "side",
        "--head",
        "7f9e",
        "--splice",
        "--rev-id",
        "s1",
        "--branch-label",
        "side",
    ]);
    let s1 = read_revision(&p.0.join("versions/s1_side.py"));
    assert_eq!(
        (s1.down_revisions, s1.branch_labels),
        (vec!["7f9ea6b838b0".to_string()], vec!["side".to_string()])
    );

    p.ok(&[
        "revision",
        "-m",
        "fresh",
        "--head",
        "base",
        "--rev-id",
        "b0",
        "--depends-on",
        "payments",
        "--depends-on",
        "6b0f",
    ]);
    let b0 = read_revision(&p.0.join("versions/b0_fresh.py"));
    assert!(b0.down_revisions.is_empty());
    assert_eq!(b0.depends_on, ["payments", "6b0fa79fee7f"]);
    assert!(
        p.read("versions/b0_fresh.py")
            .contains("depends_on = ['payments', '6b0fa79fee7f']\n")
    );

    assert_eq!(
        p.ok(&["heads"]),
        "0ca13f906ec6 (payments) (head)\n6b0fa79fee7f (reporting) (effective head)\nb0 (head)\nm2 (mobile) (head)\ns1 (side) (head)\n"
    );
}

#[test]
fn file_template_and_slug_length_name_the_file() {
    let p = Copy::of("tests/fixtures/linear_annotated", "template");
    let ini = p.read("alembic.ini").replace(
        "# file_template = %%(rev)s_%%(slug)s",
        "file_template = %%(year)d/%%(rev)s_%%(slug)s\ntruncate_slug_length = 12",
    );
    std::fs::write(p.0.join("alembic.ini"), ini).unwrap();
    let out = p.ok(&["revision", "-m", "a rather long message", "--rev-id", "t1"]);
    let year = out.split('/').rev().nth(1).unwrap().to_string();
    assert!(year.len() == 4 && year.starts_with("20"), "{out}");
    let dir = p.0.join("versions").join(&year);
    assert_eq!(
        out,
        format!(
            "Creating directory {} ...  done\nGenerating {} ...  done\n",
            dir.display(),
            dir.join("t1_a_rather_.py").display()
        )
    );
    assert_eq!(read_revision(&dir.join("t1_a_rather_.py")).down_revisions, ["27c6bff55df6"]);
}

/// One SQL fixture: the new revision is written, and read back as the only head.
fn sql_case(fixture: &str, dirs: &[&str], check: impl Fn(&Copy, &[String]) -> String) {
    let p = Copy::of(&format!("tests/sql_folders/{fixture}"), fixture);
    let mut args: Vec<&str> = dirs.iter().flat_map(|d| ["-d", *d]).collect();
    let before = p.files();
    let mut revision = args.clone();
    revision.extend(["revision", "-m", "Add widgets"]);
    let out = p.ok(&revision);
    let new: Vec<String> = p.files().difference(&before).cloned().collect();
    for f in &new {
        assert!(out.contains(&format!("Generating {} ...  done\n", p.0.join(f).display())), "{out}");
    }
    let id = check(&p, &new);
    args.push("heads");
    // Some fixtures carry load errors on purpose (heads then exits 1, after printing).
    let heads = p.migplan(&args);
    assert_eq!(
        String::from_utf8_lossy(&heads.stdout),
        format!("{id} (head)\n"),
        "{fixture}: {new:?}"
    );
}

#[test]
fn golang_migrate_keeps_the_zero_padding() {
    sql_case("golang_migrate_pg", &["migrations"], |_, new| {
        assert_eq!(
            new,
            ["migrations/000009_add_widgets.down.sql", "migrations/000009_add_widgets.up.sql"]
        );
        "000009".into()
    });
}

#[test]
fn goose_writes_its_template_with_the_next_number() {
    sql_case("goose_pg", &["migrations"], |p, new| {
        assert_eq!(new, ["migrations/00006_add_widgets.sql"]);
        assert!(p.read(&new[0]).starts_with("-- +goose Up\n-- +goose StatementBegin\n"));
        "00006".into()
    });
}

#[test]
fn sqlx_follows_the_newest_migration_in_pairs_or_single_files() {
    sql_case("sqlx_sqlite", &["migrations"], |p, new| {
        assert_eq!(new.len(), 2, "{new:?}");
        let version = new[0].trim_start_matches("migrations/").split('_').next().unwrap().to_string();
        assert!(is_timestamp(&version), "{new:?}");
        assert_eq!(new[0], format!("migrations/{version}_add_widgets.down.sql"));
        assert_eq!(p.read(&new[1]), "-- Add up migration script here\n");
        version
    });
    // A folder whose newest migration is a single file gets a single file.
    let p = Copy::empty("sqlx-single");
    std::fs::write(p.0.join("0001_a.sql"), "CREATE TABLE a (id int);\n").unwrap();
    std::fs::write(p.0.join("0002_b.sql"), "CREATE TABLE b (id int);\n").unwrap();
    p.ok(&["-d", ".", "--layout", "sqlx", "revision", "-m", "c"]);
    assert_eq!(p.read("0003_c.sql"), "-- Add migration script here\n");
    assert_eq!(p.ok(&["-d", ".", "--layout", "sqlx", "heads"]), "0003 (head)\n");
}

#[test]
fn dbmate_gets_a_timestamped_file_with_both_sections() {
    sql_case("dbmate_mysql", &["db/migrations"], |p, new| {
        let name = new[0].trim_start_matches("db/migrations/");
        let version = name.trim_end_matches("_add_widgets.sql");
        assert!(new.len() == 1 && is_timestamp(version), "{new:?}");
        assert_eq!(p.read(&new[0]), "-- migrate:up\n\n\n-- migrate:down\n\n");
        version.to_string()
    });
}

#[test]
fn diesel_gets_a_dated_folder() {
    sql_case("diesel_pg", &["migrations"], |_, new| {
        assert_eq!(new.len(), 2, "{new:?}");
        let folder = new[0].trim_start_matches("migrations/").trim_end_matches("/down.sql");
        let date = folder.trim_end_matches("_add_widgets");
        assert_eq!(new[1], format!("migrations/{folder}/up.sql"));
        assert!(
            date.len() == 17 && date.as_bytes()[4] == b'-' && date.as_bytes()[10] == b'-',
            "{folder}"
        );
        date.replace('-', "")
    });
}

#[test]
fn flyway_writes_next_to_the_newest_version_with_an_undo() {
    sql_case("flyway_pg", &["sql", "sql_extra"], |_, new| {
        assert_eq!(new, ["sql_extra/U4__add_widgets.sql", "sql_extra/V4__add_widgets.sql"]);
        "4".into()
    });
}

#[test]
fn atlas_gets_a_file_and_a_matching_sum() {
    sql_case("atlas_pg", &["migrations"], |p, new| {
        let version = new[0]
            .trim_start_matches("migrations/")
            .trim_end_matches("_add_widgets.sql")
            .to_string();
        assert!(new.len() == 1 && is_timestamp(&version), "{new:?}");
        let check = p.migplan(&["-d", "migrations", "check", "--format", "json"]);
        assert!(!String::from_utf8_lossy(&check.stdout).contains("atlas-sum-mismatch"));
        version
    });
    let p = Copy::of("tests/sql_folders/atlas_tampered", "atlas-tampered");
    assert!(
        p.fails(&["-d", "migrations", "revision", "-m", "x"])
            .contains("FAILED: atlas.sum does not match the folder already")
    );
}

#[test]
fn dag_folders_get_the_next_id_on_the_head() {
    sql_case("dag_pg", &["migrations"], |p, new| {
        assert_eq!(
            new,
            [
                "migrations/0008_add_widgets/down.sql",
                "migrations/0008_add_widgets/metadata.yaml",
                "migrations/0008_add_widgets/up.sql"
            ]
        );
        assert_eq!(p.read(&new[1]), "name: Add widgets\nparents: [0007]\n");
        "0008".into()
    });
}

#[test]
fn sql_folders_refuse_what_their_tools_cannot_express() {
    let p = Copy::of("tests/sql_folders/golang_migrate_pg", "refusals");
    let before = p.files();
    let d = ["-d", "migrations", "revision", "-m", "x"];
    let with = |extra: &[&'static str]| -> Vec<&'static str> { [&d[..], extra].concat() };
    assert!(
        p.fails(&with(&["--branch-label", "l"]))
            .contains("--branch-label is for Alembic revisions")
    );
    assert!(
        p.fails(&with(&["--head", "000002"]))
            .contains("a new one always follows the newest (000008)")
    );
    assert!(p.fails(&with(&["--splice"])).contains("--splice is for Alembic and DAG folders"));
    assert!(
        p.fails(&with(&["--rev-id", "000003"]))
            .contains("Revision 000003 is already present")
    );
    assert!(
        p.fails(&with(&["--rev-id", "7"]))
            .contains("does not sort after the newest migration")
    );
    assert!(p.fails(&["-d", "migrations", "revision"]).contains("pass -m"));
    assert_eq!(p.files(), before);
    let e = Copy::empty("unknown-layout");
    assert!(e.fails(&["-d", ".", "revision", "-m", "x"]).contains("name it with --layout"));
}

/// `alembic revision` and `migplan revision` write the same files, modulo the date
/// (skipped where the oracle's virtualenv is missing, unless MIGPLAN_REQUIRE_ORACLE is set, as
/// scripts/test does after creating target/alembic-venv).
#[test]
fn revision_matches_alembic() {
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/alembic-venv/bin/alembic");
    if !venv.exists() {
        assert!(std::env::var_os("MIGPLAN_REQUIRE_ORACLE").is_none(), "no {}", venv.display());
        eprintln!("skipped: no {}", venv.display());
        return;
    }
    let root = Copy::empty("oracle");
    let ours = root.0.join("ours");
    let theirs = root.0.join("theirs");
    for dir in [&ours, &theirs] {
        std::fs::create_dir_all(dir).unwrap();
        let o = Command::new(&venv).current_dir(dir).args(["init", "mig"]).output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        std::fs::write(
            dir.join("alembic.ini"),
            "[alembic]\nscript_location = %(here)s/mig\ntruncate_slug_length = 20\n",
        )
        .unwrap();
    }
    let steps: [&[&str]; 3] = [
        &["revision", "-m", "Create the widgets table: v1 & more", "--rev-id", "aa00bb11cc22"],
        &["revision", "-m", "on top", "--rev-id", "dd33ee44ff55", "--branch-label", "main"],
        &[
            "revision",
            "--head",
            "base",
            "--rev-id",
            "0a1b2c3d4e5f",
            "--depends-on",
            "main",
            "--depends-on",
            "aa00",
        ],
    ];
    for args in steps {
        let run = |bin: &Path, dir: &Path| {
            let o = Command::new(bin)
                .current_dir(dir)
                .env("PYTHONHASHSEED", "0")
                .args(args)
                .output()
                .unwrap();
            assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
            String::from_utf8_lossy(&o.stdout).replace(&dir.display().to_string(), "<dir>")
        };
        assert_eq!(run(Path::new(BIN), &ours), run(&venv, &theirs), "{args:?}");
    }
    let undate = |p: PathBuf| -> String {
        let t = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        t.lines()
            .map(|l| if l.starts_with("Create Date: ") { "Create Date: <date>" } else { l })
            .collect::<Vec<_>>()
            .join("\n")
    };
    let names: Vec<String> = std::fs::read_dir(theirs.join("mig/versions"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".py"))
        .collect();
    assert_eq!(names.len(), 3, "{names:?}");
    for n in &names {
        assert_eq!(
            undate(ours.join("mig/versions").join(n)),
            undate(theirs.join("mig/versions").join(n)),
            "{n}"
        );
    }
    let heads =
        |bin: &Path| String::from_utf8_lossy(&Command::new(bin).current_dir(&ours).arg("heads").output().unwrap().stdout).into_owned();
    assert_eq!(heads(Path::new(BIN)), heads(&venv), "Alembic reads our revisions the same way");
}
