-- Fine: a lock timeout is set before the DDL.
SET lock_timeout = '5s';
ALTER TABLE orders ADD COLUMN channel text;
