//! Synthetic Alembic histories for benchmarks: N revisions, a share of them in
//! branch/merge pairs (a branch point, two side chains of 1–3 revisions, a merge), each
//! revision a realistic script with 2–4 operations and an exact downgrade.

#![allow(dead_code)]

use std::fmt::Write as _;
use std::path::Path;

/// A small deterministic PRNG (xorshift64*), so histories are identical run to run.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.max(1))
    }
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// One revision of the generated history.
pub struct GenRev {
    pub id: String,
    pub down: Vec<String>,
}

/// Plan the graph: ids and parents, with about `branch_ratio` of revisions starting a
/// branch/merge pair.
pub fn plan(n: usize, branch_ratio: f64, seed: u64) -> Vec<GenRev> {
    let mut rng = Rng::new(seed);
    let mut revs: Vec<GenRev> = Vec::with_capacity(n);
    // Random 12-hex ids like Alembic's, so file order (Alembic's tie-break) is unrelated to
    // history order, as in real projects.
    let mut used = std::collections::BTreeSet::new();
    let mut new_id = |rng: &mut Rng| loop {
        let id = format!("{:012x}", rng.next() & 0xffff_ffff_ffff);
        if used.insert(id.clone()) {
            break id;
        }
    };
    let mut head: Option<String> = None;
    while revs.len() < n {
        let remaining = n - revs.len();
        let pair = remaining >= 4 && (rng.below(10_000) as f64) < branch_ratio * 10_000.0 && head.is_some();
        if !pair {
            let id = new_id(&mut rng);
            revs.push(GenRev {
                id: id.clone(),
                down: head.iter().cloned().collect(),
            });
            head = Some(id);
            continue;
        }
        let point = head.clone().unwrap_or_default();
        let mut tips = Vec::new();
        for _ in 0..2 {
            let len = 1 + rng.below(3) as usize;
            let mut parent = point.clone();
            for _ in 0..len {
                if revs.len() + 1 >= n {
                    break;
                }
                let id = new_id(&mut rng);
                revs.push(GenRev {
                    id: id.clone(),
                    down: vec![parent.clone()],
                });
                parent = id;
            }
            tips.push(parent);
        }
        tips.dedup();
        let id = new_id(&mut rng);
        revs.push(GenRev {
            id: id.clone(),
            down: tips,
        });
        head = Some(id);
    }
    revs
}

fn body(rng: &mut Rng, i: usize, merge: bool) -> (String, String) {
    if merge {
        return ("    pass\n".into(), "    pass\n".into());
    }
    let t = format!("t_{i}");
    let mut up = String::new();
    let mut down = String::new();
    writeln!(
        up,
        "    op.create_table(\n        '{t}',\n        sa.Column('id', sa.Integer(), nullable=False),\n        sa.Column('name', sa.String(length=120), nullable=False),\n        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),\n        sa.Column('amount', sa.Numeric(precision=12, scale=2), server_default='0', nullable=True),\n        sa.PrimaryKeyConstraint('id', name=op.f('pk_{t}')),\n    )"
    )
    .ok();
    let extra = 1 + rng.below(3);
    let mut undo = vec![format!("    op.drop_table('{t}')")];
    for k in 0..extra {
        match rng.below(3) {
            0 => {
                writeln!(
                    up,
                    "    op.add_column('{t}', sa.Column('c{k}', sa.Boolean(), server_default=sa.text('false'), nullable=False))"
                )
                .ok();
                undo.push(format!("    op.drop_column('{t}', 'c{k}')"));
            }
            1 => {
                writeln!(up, "    op.create_index(op.f('ix_{t}_name_{k}'), '{t}', ['name'], unique=False)").ok();
                undo.push(format!("    op.drop_index(op.f('ix_{t}_name_{k}'), table_name='{t}')"));
            }
            _ => {
                writeln!(up, "    op.execute(\"UPDATE {t} SET amount = 0 WHERE amount IS NULL\")").ok();
                undo.push("    pass".into());
            }
        }
    }
    undo.reverse();
    for u in undo {
        writeln!(down, "{u}").ok();
    }
    (up, down)
}

/// Write the history as an Alembic project: `alembic.ini`, `env.py`, `versions/*.py`.
pub fn write_project(dir: &Path, revs: &[GenRev], seed: u64) -> std::io::Result<u64> {
    let versions = dir.join("versions");
    std::fs::create_dir_all(&versions)?;
    std::fs::write(
        dir.join("alembic.ini"),
        "[alembic]\nscript_location = %(here)s\nsqlalchemy.url = postgresql://\n\n[loggers]\nkeys = root\n\n[handlers]\nkeys = console\n\n[formatters]\nkeys = generic\n\n[logger_root]\nlevel = WARN\nhandlers = console\n\n[handler_console]\nclass = StreamHandler\nargs = (sys.stderr,)\nlevel = NOTSET\nformatter = generic\n\n[formatter_generic]\nformat = %%(levelname)-5.5s [%%(name)s] %%(message)s\n",
    )?;
    std::fs::write(dir.join("script.py.mako"), "\"\"\"${message}\"\"\"\n")?;
    std::fs::write(
        dir.join("env.py"),
        "from alembic import context\n\nconfig = context.config\n\n\ndef run_migrations_offline():\n    context.configure(url=config.get_main_option('sqlalchemy.url'), target_metadata=None, literal_binds=True, dialect_opts={'paramstyle': 'named'})\n    with context.begin_transaction():\n        context.run_migrations()\n\n\nif context.is_offline_mode():\n    run_migrations_offline()\nelse:\n    raise SystemExit('offline only')\n",
    )?;
    let mut rng = Rng::new(seed ^ 0x9E37_79B9);
    let mut bytes = 0u64;
    for (i, r) in revs.iter().enumerate() {
        let merge = r.down.len() > 1;
        let (up, down) = body(&mut rng, i, merge);
        let down_rev = match r.down.len() {
            0 => "None".to_string(),
            1 => format!("'{}'", r.down[0]),
            _ => format!("({})", r.down.iter().map(|d| format!("'{d}'")).collect::<Vec<_>>().join(", ")),
        };
        let msg = if merge {
            format!("merge {}", r.down.join(" and "))
        } else {
            format!("change number {i}")
        };
        let text = format!(
            "\"\"\"{msg}\n\nRevision ID: {id}\nRevises: {revises}\nCreate Date: 2024-01-01 00:00:00.000000\n\n\"\"\"\nfrom typing import Sequence, Union\n\nfrom alembic import op\nimport sqlalchemy as sa\n\n\n# revision identifiers, used by Alembic.\nrevision: str = '{id}'\ndown_revision: Union[str, Sequence[str], None] = {down_rev}\nbranch_labels: Union[str, Sequence[str], None] = None\ndepends_on: Union[str, Sequence[str], None] = None\n\n\ndef upgrade() -> None:\n    \"\"\"Upgrade schema.\"\"\"\n{up}\n\ndef downgrade() -> None:\n    \"\"\"Downgrade schema.\"\"\"\n{down}",
            id = r.id,
            revises = r.down.join(", "),
        );
        bytes += text.len() as u64;
        std::fs::write(
            versions.join(format!(
                "{}_{}.py",
                r.id,
                if merge { "merge".to_string() } else { format!("change_{i}") }
            )),
            text,
        )?;
    }
    Ok(bytes)
}
