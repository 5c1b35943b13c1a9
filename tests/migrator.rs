//! The Rust API (`migplan::runner::migrator::Migrator`): what `examples/startup` calls on
//! startup, against SQLite files and the PostgreSQL server of the runner tests.

use migplan::runner::migrator::Migrator;

fn script(id: &str, down: Option<&str>, table: &str) -> (String, String) {
    let text = format!(
        "\"\"\"create {table}\n\nRevision ID: {id}\nRevises: {}\nCreate Date: 2026-01-01 00:00:00\n\n\"\"\"\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = '{id}'\ndown_revision = {}\nbranch_labels = None\ndepends_on = None\n\n\ndef upgrade():\n    op.create_table('{table}', sa.Column('id', sa.Integer, primary_key=True))\n\n\ndef downgrade():\n    op.drop_table('{table}')\n",
        down.unwrap_or(""),
        down.map_or("None".to_string(), |d| format!("'{d}'")),
    );
    (format!("versions/{id}_{table}.py"), text)
}

fn temp_db(name: &str) -> String {
    let dir = std::env::temp_dir().join(format!("migplan-migrator-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    format!("sqlite:///{}", dir.join("app.db").display())
}

#[test]
fn upgrades_on_startup_then_finds_nothing_to_do() {
    let url = temp_db("startup");
    let files = vec![script("a1", None, "accounts"), script("b2", Some("a1"), "sessions")];
    let first = Migrator::new(files.clone()).database_url(&url).upgrade().expect("first start");
    assert_eq!(first.steps.len(), 2, "{first:?}");
    assert_eq!(first.heads, ["b2"]);
    // The next start (or a replica that waited for the lock) has nothing to do.
    let again = Migrator::new(files.clone()).database_url(&url).upgrade().expect("second start");
    assert!(again.steps.is_empty(), "{again:?}");
    assert_eq!(again.heads, ["b2"]);
    // A new release adds a revision: only that one runs.
    let mut more = files;
    more.push(script("c3", Some("b2"), "events"));
    let third = Migrator::new(more).database_url(&url).upgrade().expect("third start");
    assert_eq!(third.steps.len(), 1);
    assert!(third.steps[0].contains("b2 -> c3"), "{:?}", third.steps);
}

#[test]
fn concurrent_replicas_apply_each_migration_once() {
    let url = temp_db("replicas");
    let files = vec![script("a1", None, "accounts"), script("b2", Some("a1"), "sessions")];
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let files = files.clone();
            let url = url.clone();
            std::thread::spawn(move || Migrator::new(files).database_url(url).upgrade())
        })
        .collect();
    let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap().expect("replica start")).collect();
    let applied: usize = results.iter().map(|r| r.steps.len()).sum();
    assert_eq!(applied, 2, "{results:?}");
    assert!(results.iter().all(|r| r.heads == ["b2"]), "{results:?}");
}

#[test]
fn a_broken_history_is_an_error_not_a_panic() {
    let url = temp_db("broken");
    // b2 names a parent no file defines.
    let files = vec![script("b2", Some("zz"), "sessions")];
    let err = Migrator::new(files).database_url(&url).upgrade().unwrap_err();
    assert!(err.0.contains("cannot be run"), "{err}");
    let err = Migrator::new(vec![script("a1", None, "t")])
        .database_url("oracle://x@h/db")
        .upgrade()
        .unwrap_err();
    assert!(err.0.contains("unsupported database 'oracle'"), "{err}");
}

#[test]
fn postgres_from_the_api() {
    let base = std::env::var("MIGPLAN_TEST_POSTGRES_URL")
        .expect("MIGPLAN_TEST_POSTGRES_URL is not set: the runner tests need a live PostgreSQL (.ci/run sets it)");
    let name = format!("migplan_api_{}", std::process::id());
    let u = migplan::runner::url::DbUrl::parse(&base).expect("a PostgreSQL URL");
    let mut cfg = postgres::Config::new();
    cfg.host(u.host.as_deref().unwrap_or("127.0.0.1"))
        .port(u.port.unwrap_or(5432))
        .user(u.user.as_deref().unwrap_or("postgres"))
        .dbname(&u.database);
    if let Some(p) = u.secret() {
        cfg.password(p);
    }
    let mut admin = cfg.connect(postgres::NoTls).expect("connect to PostgreSQL");
    admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name}")).unwrap();
    admin.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
    let url = u.with_database(&name).expose().to_string();
    let files = vec![script("a1", None, "accounts"), script("b2", Some("a1"), "sessions")];
    let done = Migrator::new(files).database_url(&url).upgrade().expect("upgrade on PostgreSQL");
    assert_eq!(done.heads, ["b2"]);
    admin.batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)")).unwrap();
}
