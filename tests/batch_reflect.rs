//! SQLite batches without `copy_from=`: Alembic needs a live database to reflect the table
//! and fails offline; migplan moves and copies the table as the history built it. The
//! oracle is Alembic itself, run on the same project where every such batch passes that
//! table explicitly as `copy_from=sa.Table(...)`: both must print the same SQL.
//!
//! Skipped where the oracle's virtualenv is missing, unless MIGPLAN_REQUIRE_ORACLE is set.

use std::path::{Path, PathBuf};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_migplan");

/// Revisions as (id, down revision, upgrade body). `{copy:NAME}` marks where the oracle's
/// copy of the project passes `copy_from=`; migplan's copy passes nothing there.
const REVISIONS: &[(&str, Option<&str>, &str)] = &[
    (
        "a1",
        None,
        r#"
    op.create_table(
        "teams",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("email", sa.String(length=100), nullable=True, index=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name", name="uq_teams_name"),
    )
    op.create_table(
        "players",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("team_id", sa.Integer(), sa.ForeignKey("teams.id", name="fk_players_team"), nullable=False),
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("score", sa.Numeric(10, 2), server_default="0", nullable=False),
        sa.Column("active", sa.Boolean(), nullable=True),
        sa.Column("created", sa.DateTime(), server_default=sa.text("CURRENT_TIMESTAMP")),
        sa.UniqueConstraint("team_id", "name", name="uq_players_team_name"),
        sa.CheckConstraint("score >= 0", name="ck_players_score"),
    )
    op.create_index("ix_players_name", "players", ["name"])
"#,
    ),
    (
        "b2",
        Some("a1"),
        r#"
    with op.batch_alter_table("players"{copy:players_a1}) as batch_op:
        batch_op.add_column(sa.Column("nickname", sa.String(30), nullable=True))
        batch_op.alter_column("score", type_=sa.Float(), existing_type=sa.Numeric(10, 2))
        batch_op.drop_column("active")
        batch_op.create_index("ix_players_nickname", ["nickname"])
"#,
    ),
    (
        "c3",
        Some("b2"),
        r#"
    op.add_column("teams", sa.Column("city", sa.String(30)))
    with op.batch_alter_table("players"{copy:players_b2}) as batch_op:
        batch_op.alter_column("created", new_column_name="created_at", existing_type=sa.DateTime())
        batch_op.drop_index("ix_players_nickname")
        batch_op.drop_constraint("ck_players_score", type_="check")
    with op.batch_alter_table("teams"{copy:teams_c3}) as batch_op:
        batch_op.alter_column("email", nullable=False, existing_type=sa.String(100))
        batch_op.create_unique_constraint("uq_teams_city", ["city"])
"#,
    ),
    (
        "d4",
        Some("c3"),
        r#"
    op.rename_table("teams", "squads")
    with op.batch_alter_table("squads"{copy:squads_d4}) as batch_op:
        batch_op.drop_column("city")
"#,
    ),
    (
        "e5",
        Some("d4"),
        r#"
    op.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    with op.batch_alter_table("notes") as batch_op:
        batch_op.drop_column("body")
"#,
    ),
    (
        "f6",
        Some("e5"),
        r#"
    with op.batch_alter_table("players", recreate="always"{copy:players_c3}) as batch_op:
        batch_op.add_column(sa.Column("rank", sa.Integer(), nullable=True))
        # one named constraint left to drop first (Alembic drops them in set order)
        batch_op.drop_constraint("uq_players_team_name", type_="unique")
        batch_op.alter_column("nickname", type_=sa.Text(), existing_type=sa.String(30))
"#,
    ),
];

/// Downgrades that are not `pass`: (id, body), marked like the upgrades.
const DOWNGRADES: &[(&str, &str)] = &[(
    "b2",
    r#"
    with op.batch_alter_table("players"{copy:players_b2}) as batch_op:
        batch_op.drop_index("ix_players_nickname")
        batch_op.drop_column("nickname")
        batch_op.alter_column("score", type_=sa.Numeric(10, 2), existing_type=sa.Float())
        batch_op.add_column(sa.Column("active", sa.Boolean(), nullable=True))
"#,
)];

/// The tables each marked batch starts from, written from the migrations above (what a
/// user would pass as `copy_from=`). Indexes are `sa.Index` objects, as reflection returns
/// them: a `Column(index=True)` in a `copy_from` table loses its index in Alembic's copy.
const COPIES: &[(&str, &str)] = &[
    (
        "players_a1",
        r#"sa.Table(
        "players", sa.MetaData(),
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("team_id", sa.Integer(), sa.ForeignKey("teams.id", name="fk_players_team"), nullable=False),
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("score", sa.Numeric(10, 2), server_default="0", nullable=False),
        sa.Column("active", sa.Boolean(), nullable=True),
        sa.Column("created", sa.DateTime(), server_default=sa.text("CURRENT_TIMESTAMP")),
        sa.UniqueConstraint("team_id", "name", name="uq_players_team_name"),
        sa.CheckConstraint("score >= 0", name="ck_players_score"),
        sa.Index("ix_players_name", "name"),
    )"#,
    ),
    (
        "players_b2",
        r#"sa.Table(
        "players", sa.MetaData(),
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("team_id", sa.Integer(), sa.ForeignKey("teams.id", name="fk_players_team"), nullable=False),
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("score", sa.Float(), server_default="0", nullable=False),
        sa.Column("created", sa.DateTime(), server_default=sa.text("CURRENT_TIMESTAMP")),
        sa.Column("nickname", sa.String(30), nullable=True),
        sa.UniqueConstraint("team_id", "name", name="uq_players_team_name"),
        sa.CheckConstraint("score >= 0", name="ck_players_score"),
        sa.Index("ix_players_name", "name"),
        sa.Index("ix_players_nickname", "nickname"),
    )"#,
    ),
    (
        "teams_c3",
        r#"sa.Table(
        "teams", sa.MetaData(),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("email", sa.String(length=100), nullable=True),
        sa.Column("city", sa.String(30)),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name", name="uq_teams_name"),
        sa.Index("ix_teams_email", "email"),
    )"#,
    ),
    (
        "squads_d4",
        r#"sa.Table(
        "squads", sa.MetaData(),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("email", sa.String(length=100), nullable=False),
        sa.Column("city", sa.String(30)),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name", name="uq_teams_name"),
        sa.UniqueConstraint("city", name="uq_teams_city"),
        sa.Index("ix_teams_email", "email"),
    )"#,
    ),
    (
        "players_c3",
        r#"sa.Table(
        "players", sa.MetaData(),
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("team_id", sa.Integer(), sa.ForeignKey("teams.id", name="fk_players_team"), nullable=False),
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("score", sa.Float(), server_default="0", nullable=False),
        sa.Column("created_at", sa.DateTime(), server_default=sa.text("CURRENT_TIMESTAMP")),
        sa.Column("nickname", sa.String(30), nullable=True),
        sa.UniqueConstraint("team_id", "name", name="uq_players_team_name"),
        sa.Index("ix_players_name", "name"),
    )"#,
    ),
];

fn script(id: &str, down: Option<&str>, body: &str, oracle: bool) -> String {
    let mark = |body: &str| {
        let mut body = body.to_string();
        for (name, table) in COPIES {
            let mark = format!("{{copy:{name}}}");
            body = body.replace(&mark, &if oracle { format!(", copy_from={table}") } else { String::new() });
        }
        body
    };
    let downgrade = DOWNGRADES
        .iter()
        .find(|(d, _)| *d == id)
        .map(|(_, b)| mark(b))
        .unwrap_or_else(|| "\n    pass\n".into());
    format!(
        "\"\"\"{id}\"\"\"\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = {id:?}\ndown_revision = {}\nbranch_labels = None\ndepends_on = None\n\n\ndef upgrade():{}\n\ndef downgrade():{downgrade}",
        down.map(|d| format!("{d:?}")).unwrap_or_else(|| "None".into()),
        mark(body)
    )
}

fn project(root: &Path, alembic: &Path, name: &str, oracle: bool, url: &str) -> PathBuf {
    let dir = root.join(name);
    let o = Command::new(alembic).current_dir(root).arg("init").arg(&dir).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for (id, down, body) in REVISIONS {
        std::fs::write(dir.join(format!("versions/{id}.py")), script(id, *down, body, oracle)).unwrap();
    }
    // Offline only, SQLite, no logging configuration.
    std::fs::write(
        dir.join("env.py"),
        "from alembic import context\n\ncontext.configure(url=context.config.get_main_option(\"sqlalchemy.url\"), literal_binds=True)\nwith context.begin_transaction():\n    context.run_migrations()\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("alembic.ini"),
        format!("[alembic]\nscript_location = {}\nsqlalchemy.url = {url}\n", dir.display()),
    )
    .unwrap();
    dir
}

/// (stdout, the `FAILED:` line if any) — Alembic prints it on stdout, migplan on stderr.
fn run(bin: &Path, dir: &Path, args: &[&str]) -> (String, Option<String>) {
    let o = Command::new(bin)
        .current_dir(dir)
        .env("PYTHONHASHSEED", "0")
        .args(args)
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    let failed = |s: &str| s.lines().find(|l| l.starts_with("FAILED:")).map(str::to_string);
    let f = failed(&out).or_else(|| failed(&err));
    assert_eq!(
        o.status.success(),
        f.is_none(),
        "{} {args:?}: exit {:?}\n{out}\n{err}",
        bin.display(),
        o.status
    );
    let out: String = out
        .lines()
        .take_while(|l| !l.starts_with("FAILED:"))
        .map(|l| format!("{}\n", l.trim_end()))
        .collect();
    (out, f)
}

/// The oracle's normalisation (tests/oracle/normalize.py): Alembic copies a table's
/// constraints out of a Python set, so their order in `_alembic_tmp_*` varies.
fn normalise(alembic: &Path, sql: &str) -> String {
    use std::io::Write;
    let python = alembic.with_file_name("python");
    let oracle = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oracle");
    let mut child = Command::new(python)
        .arg("-c")
        .arg("import sys; sys.path.insert(0, sys.argv[1]); from normalize import normalise_sql; sys.stdout.write(normalise_sql(sys.stdin.read()))")
        .arg(oracle)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(sql.as_bytes()).unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success());
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn batch_without_copy_from_matches_alembic_with_it() {
    let alembic = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/alembic-venv/bin/alembic");
    if !alembic.exists() {
        assert!(std::env::var_os("MIGPLAN_REQUIRE_ORACLE").is_none(), "no {}", alembic.display());
        eprintln!("skipped: no {}", alembic.display());
        return;
    }
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("batch_reflect");
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).unwrap();
    let ours = project(&root, &alembic, "ours", false, "sqlite:///ignored.db");
    let theirs = project(&root, &alembic, "theirs", true, "sqlite:///ignored.db");
    let mut ran = 0;
    for args in [
        // from an empty database to each batch, and on to the table migplan cannot know
        &["upgrade", "d4", "--sql"][..],
        &["upgrade", "head", "--sql"],
        // a range: the tables at its start come from the revisions before it
        &["upgrade", "a1:d4", "--sql"],
        &["upgrade", "b2:c3", "--sql"],
        &["upgrade", "c3:head", "--sql"],
        // a downgrade starts from the tables its start revision built
        &["downgrade", "b2:a1", "--sql"],
    ] {
        let (theirs_out, theirs_failed) = run(&alembic, &theirs, args);
        let (ours_out, ours_failed) = run(Path::new(BIN), &ours, args);
        let (ours_n, theirs_n) = (normalise(&alembic, &ours_out), normalise(&alembic, &theirs_out));
        if theirs_failed.is_some() && ours_failed.is_none() {
            // Alembic stops at the batch on `notes` (created by SQL); migplan prints the same
            // up to there, that batch as a marked hole, then the rest of the plan.
            assert!(
                ours_n.starts_with(theirs_n.trim_end())
                    && ours_n.contains("-- migplan: opaque Python step not rendered: batch_alter_table('notes')"),
                "migplan {args:?}:\n{ours_n}\nalembic:\n{theirs_n}"
            );
        } else {
            assert_eq!(ours_n, theirs_n, "migplan {args:?} (without copy_from) vs alembic (with it)");
            assert_eq!(ours_failed, theirs_failed, "{args:?}");
        }
        ran += 1;
    }
    // The batch on `notes` is the hole, and migplan says why.
    let o = Command::new(BIN)
        .current_dir(&ours)
        .args(["upgrade", "head", "--sql"])
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success());
    assert!(
        out.contains("the table is not known in full here: SQL changes it at revision e5"),
        "{out}"
    );
    assert_eq!(ran, 6);

    // `recreate="always"` moves and copies on any dialect (f6 on PostgreSQL).
    let url = "postgresql://u@localhost/ignored";
    let ours = project(&root, &alembic, "ours_pg", false, url);
    let theirs = project(&root, &alembic, "theirs_pg", true, url);
    for args in [&["upgrade", "head", "--sql"][..], &["upgrade", "e5:f6", "--sql"]] {
        let (theirs_out, theirs_failed) = run(&alembic, &theirs, args);
        let (ours_out, ours_failed) = run(Path::new(BIN), &ours, args);
        assert_eq!(
            normalise(&alembic, &ours_out),
            normalise(&alembic, &theirs_out),
            "PostgreSQL: migplan {args:?} (without copy_from) vs alembic (with it)"
        );
        assert_eq!((ours_failed, theirs_failed), (None, None), "{args:?}");
    }
}
