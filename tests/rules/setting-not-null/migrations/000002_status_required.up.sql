SET lock_timeout = '5s';
-- Scans all of orders under ACCESS EXCLUSIVE to prove no status is null.
ALTER TABLE orders ALTER COLUMN status SET NOT NULL;
-- Fine: already NOT NULL.
ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;
-- Fine: refunds is created by this migration.
CREATE TABLE refunds (id bigint PRIMARY KEY, reason text);
ALTER TABLE refunds ALTER COLUMN reason SET NOT NULL;
