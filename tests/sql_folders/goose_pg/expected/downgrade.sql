BEGIN;

-- Running downgrade 00005 -> 00004

ALTER TABLE orders DROP COLUMN status;

DELETE FROM goose_db_version WHERE version_id = 5;

COMMIT;

BEGIN;

-- Running downgrade 00004 -> 00003

DROP INDEX ix_orders_placed_at;

DELETE FROM goose_db_version WHERE version_id = 4;

COMMIT;

-- Running downgrade 00003 -> 00002

-- migplan: outside a transaction (the tool's setting for this migration, or a no-transaction marker)

DROP INDEX CONCURRENTLY ix_orders_customer_email;

DELETE FROM goose_db_version WHERE version_id = 3;


--- exit 0 ---
