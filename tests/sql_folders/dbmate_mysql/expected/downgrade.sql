-- Running downgrade 20240109083000 -> 20240108120000

DROP TRIGGER ledger_apply;

DROP TABLE ledger_entries;

DELETE FROM schema_migrations WHERE version = '20240109083000';

-- Running downgrade 20240108120000 -> 20240107120000

DELETE FROM schema_migrations WHERE version = '20240108120000';

-- Running downgrade 20240107120000 -> 20240106090000

DELETE FROM schema_migrations WHERE version = '20240107120000';

-- Running downgrade 20240106090000 -> 20240105103000

DROP PROCEDURE IF EXISTS credit_account;

ALTER TABLE `accounts` DROP COLUMN `balance_cents`;

DELETE FROM schema_migrations WHERE version = '20240106090000';

-- Running downgrade 20240105103000 -> 

DROP TABLE `accounts`;

DELETE FROM schema_migrations WHERE version = '20240105103000';


--- exit 0 ---
