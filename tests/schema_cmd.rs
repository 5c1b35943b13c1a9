//! `migplan schema REV`: the simulated schema as SQL (text, `--format sql`) or data.

use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_migplan");

fn run(args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(BIN)
        .args(["-c", "examples/shop/alembic.ini"])
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run migplan");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn schema_at_the_base_and_at_heads() {
    let (code, base, _) = run(&["schema", "3b9e1c7a20f4"]);
    assert_eq!(code, Some(0));
    assert!(base.starts_with("CREATE TABLE customers (\n    id BIGINT NOT NULL,"), "{base}");
    assert!(!base.contains("orders"));
    let (_, sql, _) = run(&["schema", "3b9e1c7a20f4", "--format", "sql"]);
    assert_eq!(sql, base);

    let (code, json, _) = run(&["schema", "--format", "json"]);
    assert_eq!(code, Some(0));
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["revision"], serde_json::json!(["b57a0e9d2c16"]));
    let tables: Vec<&str> = v["schema"]["tables"].as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(tables, ["addresses", "customers", "order_lines", "orders", "payments", "products"]);
    // The column the last revision adds, as the dialect spells it.
    let consent = v["schema"]["tables"]["customers"]["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "marketing_consent")
        .unwrap()
        .clone();
    assert_eq!(
        consent,
        serde_json::json!({"name": "marketing_consent", "type": "BOOLEAN", "nullable": false, "default": "false"})
    );
    assert_eq!(
        v["schema"]["types"]["order_status"],
        serde_json::json!(["cart", "paid", "shipped", "cancelled"])
    );
}

#[test]
fn unknown_revisions_and_wrong_formats_fail() {
    let (code, _, err) = run(&["schema", "nope"]);
    assert_eq!(code, Some(1));
    assert!(err.contains("FAILED: Can't locate revision identified by 'nope'"), "{err}");
    let (code, _, err) = run(&["heads", "--format", "sql"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("only for `schema`"), "{err}");
}
