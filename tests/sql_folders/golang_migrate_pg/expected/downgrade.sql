-- Running downgrade 000007 -> 000006

-- migplan: outside a transaction (the tool's setting for this migration, or a no-transaction marker)

ALTER TABLE users DROP COLUMN team_id;

DROP TABLE teams;

UPDATE alembic_version SET version_num='000006' WHERE alembic_version.version_num = '000007';

-- Running downgrade 000006 -> 000005

-- migplan: outside a transaction (the tool's setting for this migration, or a no-transaction marker)


--- stderr ---
FAILED: migration 000006 (migrations/000006_backfill_names.up.sql) has no down migration, so it cannot be undone

--- exit 1 ---
