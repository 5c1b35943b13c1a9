SET lock_timeout = '5s';
-- Fails on any status longer than 16 characters.
ALTER TABLE orders ALTER COLUMN status TYPE varchar(16);
-- Fine: refunds is created by this migration.
CREATE TABLE refunds (id bigint PRIMARY KEY, reason varchar(200));
ALTER TABLE refunds ALTER COLUMN reason TYPE varchar(100);
