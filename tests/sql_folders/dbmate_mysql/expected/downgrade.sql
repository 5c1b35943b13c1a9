-- Running downgrade 20240109083000 -> 20240108120000

DROP TRIGGER ledger_apply;

DROP TABLE ledger_entries;

DELETE FROM schema_migrations WHERE version = '20240109083000';

-- Running downgrade 20240108120000 -> 20240107120000


--- stderr ---
FAILED: migration 20240108120000 (db/migrations/20240108120000_backfill_notes.sql) has no down migration, so it cannot be undone

--- exit 1 ---
