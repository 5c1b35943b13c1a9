SET lock_timeout = '5s';
-- Rewrites orders and its indexes under an exclusive lock.
ALTER TABLE orders ALTER COLUMN total_cents TYPE bigint;
-- A new scale rewrites every value.
ALTER TABLE orders ALTER COLUMN tax TYPE numeric(10, 4);
-- Fine: widening a varchar, or making it text, or raising a numeric's precision only
-- changes the catalog.
ALTER TABLE orders ALTER COLUMN amount TYPE numeric(14, 2);
ALTER TABLE orders ALTER COLUMN status TYPE varchar(80);
ALTER TABLE customers ALTER COLUMN email TYPE text;
-- Fine: refunds is created by this migration.
CREATE TABLE refunds (id bigint PRIMARY KEY, amount integer);
ALTER TABLE refunds ALTER COLUMN amount TYPE bigint;
