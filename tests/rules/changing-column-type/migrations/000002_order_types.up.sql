SET lock_timeout = '5s';
-- Rewrites orders and its indexes under an exclusive lock.
ALTER TABLE orders ALTER COLUMN total_cents TYPE bigint;
-- Fine: widening a varchar, or making it text, only changes the catalog.
ALTER TABLE orders ALTER COLUMN status TYPE varchar(80);
ALTER TABLE customers ALTER COLUMN email TYPE text;
-- Fine: refunds is created by this migration.
CREATE TABLE refunds (id bigint PRIMARY KEY, amount integer);
ALTER TABLE refunds ALTER COLUMN amount TYPE bigint;
