SET lock_timeout = '5s';
-- The data in orders.status is gone for good.
ALTER TABLE orders DROP COLUMN status;
-- Fine: refunds is created by this migration and has no data.
CREATE TABLE refunds (id bigint PRIMARY KEY, scratch text);
ALTER TABLE refunds DROP COLUMN scratch;
