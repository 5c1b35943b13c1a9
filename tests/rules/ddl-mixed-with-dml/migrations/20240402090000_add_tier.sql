-- migrate:up
SET lock_wait_timeout = 5;
-- MySQL commits the ALTER at once; if the UPDATE fails, the column stays and the
-- migration is not recorded, so rerunning it fails on the duplicate column.
ALTER TABLE accounts ADD COLUMN tier VARCHAR(20) NULL;
UPDATE accounts SET tier = 'free' WHERE tier IS NULL;

-- migrate:down
ALTER TABLE accounts DROP COLUMN tier;
